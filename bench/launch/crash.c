/* SPDX-License-Identifier: MIT */
/*
 * crash.c - the driver's crash guard; see crash.h.
 *
 * Everything the handler does is async-signal-safe: system calls (open, openat, getdents64,
 * read, fstatat, unlinkat, kill, getpgid, msgctl and its kin, sigaction, raise) and plain string
 * work in buffers on its own stack. That stack was allocated at installation (sigaltstack): the
 * crash may be the main stack overflowing, and the heap may be what broke. No malloc, no stdio,
 * no nftw, no locks.
 *
 * Why a signal handler at all: the stop signals are blocked in the driver (the run takes them
 * through a signalfd), and the kernel ends a process whose fault signal is blocked without
 * running any handler. So the fault signals stay unblocked, caught here; a crash is told from a
 * signal another process sent by its siginfo (the kernel's fault codes are positive; raise() and
 * abort() in this process are SI_TKILL from itself).
 */
#include "crash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "outfile.h"
#include "rundir.h"
#include "sysvreg.h"

/* What the driver's own code raises when it crashes. */
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
#define CRASH_NSIGNALS (sizeof(crash_signals) / sizeof(crash_signals[0]))

/* The guard's own stack: the sweep's deepest path is a run directory 16 levels deep. */
#define CRASH_STACK_BYTES (256u * 1024)
/* How deep a run's directory is emptied (rundir.c goes as deep). */
#define CRASH_DEPTH 16
/* Where names of ours may be: /dev/shm, /dev/mqueue, $TMPDIR, /tmp, --dir. */
#define CRASH_DIRS 5

static pid_t guard_pid; /* the process guarded; 0: none */
/*
 * The handler's stack, kept for the life of the process. Volatile: nothing reads it back, and an
 * optimising compiler dropped the store, so that LeakSanitizer, which finds what is kept by the
 * pointers in memory, called the stack leaked (at -O1).
 */
static void *volatile guard_stack;
static char guard_prefix[32]; /* "ipcbench-<pid>-": every name this process makes */
static size_t guard_prefix_len;
static const char *guard_dirs[CRASH_DIRS];
static bool guard_objects[CRASH_DIRS]; /* a directory of POSIX objects, not of files */
static size_t guard_ndirs;
static volatile sig_atomic_t guard_stops; /* sent fault signals are requests to stop */
static volatile sig_atomic_t guard_busy;  /* a crash is being swept up after */

/* A getdents64 record. */
struct crash_dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long crash_getdents(int fd, char *buf, size_t n)
{
	return syscall(SYS_getdents64, fd, buf, n);
}

static bool name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* Digits at *p into *v (advancing *p); false when there are none. */
static bool crash_number(const char **p, const char *end, int base, unsigned long long *v)
{
	const char *q = *p;

	*v = 0;
	for (; q < end; q++) {
		int d = *q >= '0' && *q <= '9'	 ? *q - '0'
			: *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
						 : 99;

		if (d >= base || *v > ULLONG_MAX / 32)
			break;
		*v = *v * (unsigned)base + (unsigned)d;
	}
	if (q == *p)
		return false;
	*p = q;
	return true;
}

/* One process of a run directory's list: killed, with its group, if it is still the listed one. */
static void crash_kill_one(unsigned long long pid, unsigned long long start)
{
	unsigned long long now;

	if (pid <= 1 || pid > INT_MAX)
		return;
	if (ipcb_proc_start_ticks((int)pid, &now) < 0) {
		/* Gone: what it started may still run in its group (see ipcb_rundir_kill_listed).
		 */
		kill(-(pid_t)pid, SIGKILL);
		return;
	}
	if (now != start)
		return; /* the pid is another process's now */
	if (getpgid((pid_t)pid) == (pid_t)pid)
		kill(-(pid_t)pid, SIGKILL);
	kill((pid_t)pid, SIGKILL);
}

/* Kill what the run directory open at dfd lists ("<pid> <start>" lines, rundir.h). */
static void crash_kill_listed(int dfd)
{
	int fd = openat(dfd, IPCB_RUNDIR_PIDS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unsigned long long v[2] = {0, 0};
	int field = 0; /* 0 the pid, 1 the start, 2 a line that is not one */
	bool digits = false;
	char buf[512];
	ssize_t got;

	if (fd < 0)
		return;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++) {
			char c = buf[i];

			if (c >= '0' && c <= '9' && field < 2 && v[field] < ULLONG_MAX / 16) {
				v[field] = v[field] * 10 + (unsigned)(c - '0');
				digits = true;
			} else if (c == ' ' && field == 0 && digits) {
				field = 1;
				digits = false;
			} else if (c == '\n') {
				/* Only whole lines: a torn one names nothing for sure. */
				if (field == 1 && digits)
					crash_kill_one(v[0], v[1]);
				v[0] = v[1] = 0;
				field = 0;
				digits = false;
			} else {
				field = 2;
			}
		}
	close(fd);
}

/*
 * Empty the directory open at dfd (closed here), depth first, never following a link. Not
 * inlined into itself: one frame, one buffer, per level.
 */
__attribute__((noinline)) static void crash_empty(int dfd, int depth)
{
	char buf[1024] __attribute__((aligned(8)));

	/* Removing entries while reading moves the others: read again until nothing goes. */
	for (int pass = 0; pass < 64; pass++) {
		bool removed = false;
		long got;

		lseek(dfd, 0, SEEK_SET);
		while ((got = crash_getdents(dfd, buf, sizeof(buf))) > 0)
			for (long off = 0; off < got;) {
				struct crash_dirent *e = (struct crash_dirent *)(buf + off);
				int sub;

				off += e->d_reclen;
				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				if (unlinkat(dfd, e->d_name, 0) == 0) {
					removed = true;
					continue;
				}
				if ((errno != EISDIR && errno != EPERM) || depth >= CRASH_DEPTH)
					continue;
				sub = openat(dfd, e->d_name,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub < 0)
					continue;
				crash_empty(sub, depth + 1);
				removed |= unlinkat(dfd, e->d_name, AT_REMOVEDIR) == 0;
			}
		if (!removed)
			break;
	}
	close(dfd);
}

/* One "<kind> <id> 0x<key>" line of a System V registry (sysvreg.h). */
static bool crash_sysv_line(const char *p, const char *end, struct ipcb_sysv_entry *en)
{
	unsigned long long id, key;
	int k;

	for (k = 0; k < 3; k++)
		if (end - p > 4 && memcmp(p, ipcb_sysv_kind_name((enum ipcb_sysv_kind)k), 3) == 0 &&
		    p[3] == ' ')
			break;
	if (k == 3)
		return false;
	p += 4;
	if (!crash_number(&p, end, 10, &id) || id > INT_MAX || end - p < 3 || memcmp(p, " 0x", 3))
		return false;
	p += 3;
	if (!crash_number(&p, end, 16, &key) || key > UINT32_MAX || p != end)
		return false;
	*en = (struct ipcb_sysv_entry){
	    .kind = (enum ipcb_sysv_kind)k, .id = (int)id, .key = (uint32_t)key};
	return true;
}

/* Remove the objects a System V registry lists that are still there and still ours. */
static void crash_sysv_listed(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[1024];
	size_t len = 0;
	ssize_t got;

	if (fd < 0)
		return;
	/* A registry is a line or two per run (cleanup.c reads 64 at most): the first 1 KiB. */
	while (len < sizeof(buf) && (got = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)got;
	close(fd);
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct ipcb_sysv_entry en;
		const char *why;

		if (!nl)
			break; /* a torn line: its object was removed when the write failed */
		if (crash_sysv_line(p, nl, &en) && ipcb_sysv_entry_check(&en, &why) == 1)
			ipcb_sysv_entry_remove(&en);
		p = nl + 1;
	}
}

/*
 * One entry of ours in a swept directory: removed, with what it stands for. Did it go? Not
 * inlined, so that the sweep's frames stay small, one buffer each.
 */
__attribute__((noinline)) static bool crash_entry(int dfd, const char *name, bool objects)
{
	struct stat st;
	int sub;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != geteuid())
		return false;
	if (objects)
		return S_ISREG(st.st_mode) && unlinkat(dfd, name, 0) == 0;
	if (S_ISDIR(st.st_mode) && name_ends(name, IPCB_RUNDIR_SUFFIX)) {
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return false;
		crash_kill_listed(sub);
		crash_empty(sub, 0);
		return unlinkat(dfd, name, AT_REMOVEDIR) == 0;
	}
	if (S_ISREG(st.st_mode) && name_ends(name, IPCB_SYSV_REG_SUFFIX)) {
		crash_sysv_listed(dfd, name);
		return unlinkat(dfd, name, 0) == 0;
	}
	return false;
}

/* Every entry named after this process in one directory. */
static void crash_sweep_dir(const char *dir, bool objects)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[1024] __attribute__((aligned(8)));

	if (fd < 0)
		return;
	for (int pass = 0; pass < 64; pass++) {
		bool removed = false;
		long got;

		lseek(fd, 0, SEEK_SET);
		while ((got = crash_getdents(fd, buf, sizeof(buf))) > 0)
			for (long off = 0; off < got;) {
				struct crash_dirent *e = (struct crash_dirent *)(buf + off);
				const char *n = e->d_name;

				off += e->d_reclen;
				/* POSIX named semaphores are "sem.<name>" in /dev/shm. */
				if (objects && strncmp(n, "sem.", 4) == 0)
					n += 4;
				if (strncmp(n, guard_prefix, guard_prefix_len) == 0)
					removed |= crash_entry(fd, e->d_name, objects);
			}
		if (!removed)
			break;
	}
	close(fd);
}

static void crash_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	pid_t me = getpid();
	int saved_errno = errno;
	bool crash = si->si_code > 0 || (si->si_code == SI_TKILL && si->si_pid == me);
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	if (me == guard_pid && !crash && guard_stops) {
		/*
		 * Sent by another process: a request to stop, which the run takes from its signal
		 * descriptor. Queued again to the process and kept blocked in this thread once
		 * the handler returns (the mask it restores is uc_sigmask), it waits there like
		 * SIGTERM does.
		 */
		kill(me, sig);
		sigaddset(&uc->uc_sigmask, sig);
		errno = saved_errno;
		return;
	}
	if (me == guard_pid && crash && !guard_busy) {
		guard_busy = 1;
		ipcb_outfile_crash_unlink();
		for (size_t i = 0; i < guard_ndirs; i++)
			crash_sweep_dir(guard_dirs[i], guard_objects[i]);
	}
	/*
	 * Die of it as if nothing had caught it: the default action, and the signal raised again.
	 * It is delivered as the handler returns, in the context the crash happened in, so the
	 * core dump shows where.
	 */
	sigaction(sig, &dfl, NULL);
	raise(sig);
	errno = saved_errno;
}

static void guard_dir_add(const char *dir, bool objects)
{
	char *copy;

	if (!dir || !*dir || guard_ndirs == CRASH_DIRS)
		return;
	for (size_t i = 0; i < guard_ndirs; i++)
		if (strcmp(guard_dirs[i], dir) == 0)
			return;
	/* Kept for the life of the process: the handler may need it at any time. */
	copy = strdup(dir);
	if (!copy)
		return;
	guard_objects[guard_ndirs] = objects;
	guard_dirs[guard_ndirs++] = copy;
}

int ipcb_crash_guard_install(const char *dir)
{
	struct sigaction sa = {.sa_sigaction = crash_handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	stack_t ss = {.ss_size = CRASH_STACK_BYTES};
	int rc;

	if (guard_pid)
		return 0;
	ss.ss_sp = malloc(ss.ss_size);
	if (!ss.ss_sp)
		return -ENOMEM;
	if (sigaltstack(&ss, NULL) < 0) {
		rc = -errno;
		free(ss.ss_sp);
		return rc;
	}
	guard_stack = ss.ss_sp;
	guard_dir_add("/dev/shm", true);
	guard_dir_add("/dev/mqueue", true);
	guard_dir_add(ipcb_sysv_registry_dir(), false);
	guard_dir_add("/tmp", false);
	guard_dir_add(dir, false);
	guard_prefix_len =
	    (size_t)snprintf(guard_prefix, sizeof(guard_prefix), "ipcbench-%d-", (int)getpid());
	guard_pid = getpid();
	/* Nothing else is handled while the sweep runs. */
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < CRASH_NSIGNALS; i++)
		if (sigaction(crash_signals[i], &sa, NULL) < 0) {
			rc = -errno;
			guard_pid = 0;
			return rc;
		}
	return 0;
}

bool ipcb_crash_guard_catches(int sig)
{
	if (guard_pid != getpid())
		return false;
	for (size_t i = 0; i < CRASH_NSIGNALS; i++)
		if (crash_signals[i] == sig)
			return true;
	return false;
}

void ipcb_crash_guard_queue_stops(void)
{
	guard_stops = 1;
}

void ipcb_crash_stack_note(int sig, char *out, size_t n)
{
	struct rlimit rl;

	if (n)
		out[0] = '\0';
	if ((sig == SIGSEGV || sig == SIGBUS) && getrlimit(RLIMIT_STACK, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1u << 20))
		snprintf(out, n, "; the stack limit is %llu KiB (ulimit -s)",
			 (unsigned long long)rl.rlim_cur / 1024);
}
