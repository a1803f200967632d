/* SPDX-License-Identifier: MIT */
/*
 * cleanup.c - `ipcbench --cleanup`; the rules are in cleanup.h.
 *
 * Whose is it? A name says "ipcbench-<pid>-": the process that made it. That pid may since have
 * been given to another process, so a running pid alone proves nothing; its start time does: the
 * maker existed when the entry was last changed, so a process that started after that cannot be
 * the maker. A process name (/proc/<pid>/comm) could not tell: test programs and renamed copies
 * run runs too, and a reused pid may well belong to another ipcbench. The name is shown only.
 * When the start time cannot be read, a running pid counts as alive: keeping a leftover is a
 * smaller harm than breaking somebody's run.
 */
#include "cleanup.h"
#include "drv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "rundir.h"
#include "sysvreg.h"
#include "driver.h"

/* A process that started this long after an entry's last change is surely not its maker. */
#define CLEANUP_SLACK_NS 1000000000LL
/* Registries are a few lines; anything longer is not one of ours. */
#define CLEANUP_REG_MAX_LINES 64

enum cleanup_where {
	CLEANUP_SHM,	/* /dev/shm: POSIX shared memory and named semaphores */
	CLEANUP_MQUEUE, /* /dev/mqueue: POSIX message queues */
	CLEANUP_FILES,	/* a temporary or --dir directory: run directories, registries */
};

struct cleanup {
	bool dry_run;
	uid_t uid;
	unsigned removed, kept, failed;
	/* Every System V object any registry names, live or dead: the rest are unattributed. */
	struct ipcb_sysv_entry named[256];
	size_t nnamed;
};

/* What a name is, when it is exactly one that ipcbench makes. */
enum cleanup_form {
	CLEANUP_NOT_OURS,
	CLEANUP_OBJECT,	  /* a regular file: a POSIX shared memory object or queue */
	CLEANUP_RUN_DIR,  /* a run's directory (rundir.h), removed whole */
	CLEANUP_REGISTRY, /* a System V registry */
};

/* The largest pid this kernel hands out; beyond it a number in a name is no process of ours. */
static unsigned long long cleanup_pid_max(void)
{
	static unsigned long long max;
	FILE *f;

	if (max)
		return max;
	max = 4194304; /* PID_MAX_LIMIT, when /proc does not say */
	f = fopen("/proc/sys/kernel/pid_max", "re");
	if (f) {
		if (fscanf(f, "%llu", &max) != 1 || max == 0)
			max = 4194304;
		fclose(f);
	}
	return max;
}

/*
 * Exactly n characters of `set` kind: 'x' lowercase hex (PRIx64), 's' lowercase letters and
 * digits (a name's suffix), 'a' letters and digits.
 */
static bool cleanup_chars(const char *p, size_t n, char set)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (set == 'x'	 ? !(isdigit(c) || (c >= 'a' && c <= 'f'))
		    : set == 's' ? !(isdigit(c) || (c >= 'a' && c <= 'z'))
				 : !isalnum(c))
			return false;
	}
	return true;
}

/*
 * Is `name` exactly a name ipcbench makes in this kind of place? Its form, and the pid in it.
 * A run's tag is "ipcbench-<pid>-<16 hex digits>" (pid in decimal as printf writes it: no
 * leading zero, at most pid_max); a probe's "ipcbench-<pid>-probe-<16 hex digits>". Made are:
 *   /dev/shm     <tag>[<sep><suffix>]         POSIX shared memory
 *   /dev/mqueue  <tag>[<sep><suffix>]         POSIX message queues (a probe's too)
 *   a directory  <tag>.d                      a run's directory, everything it made in a path
 *                <tag>.sysv                   System V registries (a probe's too)
 * where <sep> is '-' or '.' and <suffix> 1 to 16 lowercase letters and digits: the contract's
 * rule for names outside the run's directory (transport.h), so no transport's own names need
 * knowing here. Anything else, however alike (ipcbench-2024-notes.txt), is somebody else's.
 */
static enum cleanup_form cleanup_name(const char *name, enum cleanup_where where, pid_t *pid)
{
	static const char prefix[] = "ipcbench-";
	const char *p = name + sizeof(prefix) - 1;
	unsigned long long v = 0;
	bool probe = false;

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0 || *p < '1' || *p > '9')
		return CLEANUP_NOT_OURS;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > cleanup_pid_max())
			return CLEANUP_NOT_OURS;
	}
	if (*p++ != '-')
		return CLEANUP_NOT_OURS;
	if (strncmp(p, "probe-", 6) == 0) {
		probe = true;
		p += 6;
	}
	if (strnlen(p, 16) < 16 || !cleanup_chars(p, 16, 'x'))
		return CLEANUP_NOT_OURS;
	p += 16;
	*pid = (pid_t)v;
	switch (where) {
	case CLEANUP_SHM:
	case CLEANUP_MQUEUE:
		if (probe && where == CLEANUP_SHM)
			return CLEANUP_NOT_OURS;
		if (!*p)
			return CLEANUP_OBJECT;
		return (*p == '-' || *p == '.') && strlen(p + 1) >= 1 && strlen(p + 1) <= 16 &&
			       cleanup_chars(p + 1, strlen(p + 1), 's')
			   ? CLEANUP_OBJECT
			   : CLEANUP_NOT_OURS;
	case CLEANUP_FILES:
		if (strcmp(p, IPCB_SYSV_REG_SUFFIX) == 0)
			return CLEANUP_REGISTRY;
		if (!probe && strcmp(p, IPCB_RUNDIR_SUFFIX) == 0)
			return CLEANUP_RUN_DIR;
		return CLEANUP_NOT_OURS;
	}
	return CLEANUP_NOT_OURS;
}

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* When process pid started, in CLOCK_REALTIME nanoseconds. 0 or -errno. */
static int cleanup_start_ns(pid_t pid, long long *out)
{
	unsigned long long start_ticks = 0;
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);
	int rc = ipcb_proc_start_ticks((int)pid, &start_ticks);

	if (rc < 0)
		return rc;
	if (hz <= 0)
		return -EINVAL;
	/* starttime counts from boot, suspend included: CLOCK_BOOTTIME's origin. */
	if (clock_gettime(CLOCK_REALTIME, &real) < 0 || clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
		return -errno;
	*out = ts_ns(&real) - ts_ns(&boot) +
	       (long long)(start_ticks * (1000000000ULL / (unsigned long)hz));
	return 0;
}

/*
 * Could process pid have made (or still be using) an entry last changed at `changed`? true: it
 * runs and started before that, or we cannot tell; `why` says which process it is. false: no
 * such process, or the pid now belongs to a process that started later; `why` says which.
 */
static bool cleanup_maker_alive(pid_t pid, const struct timespec *changed, char *why, size_t n)
{
	char comm[32];
	long long start = 0;

	if (kill(pid, 0) < 0 && errno == ESRCH) {
		snprintf(why, n, "pid %d is gone", (int)pid);
		return false;
	}
	ipcb_proc_comm((int)pid, comm, sizeof(comm));
	if (cleanup_start_ns(pid, &start) == 0 && start > ts_ns(changed) + CLEANUP_SLACK_NS) {
		snprintf(why, n, "pid %d is gone; the pid now belongs to %s, started later",
			 (int)pid, comm);
		return false;
	}
	snprintf(why, n, "pid %d (%s) still runs", (int)pid, comm);
	return true;
}

static void cleanup_removed(struct cleanup *c, const char *what, const char *why)
{
	printf("%s %s (%s)\n", c->dry_run ? "would remove" : "removed", what, why);
	c->removed++;
}

static void cleanup_failed(struct cleanup *c, const char *what, int err)
{
	fprintf(stderr, "%s: --cleanup: cannot remove %s: %s\n", prog, what, strerror(err));
	c->failed++;
}

static void cleanup_note_named(struct cleanup *c, const struct ipcb_sysv_entry *en)
{
	if (c->nnamed < sizeof(c->named) / sizeof(c->named[0]))
		c->named[c->nnamed++] = *en;
}

/*
 * A registry: note what it names; when its maker is gone, remove each listed object that is
 * still ours, then the registry. Returns 0, or -errno when something could not be removed (the
 * registry is then kept, so a later --cleanup can try again).
 */
static int cleanup_registry(struct cleanup *c, int dfd, const char *dir, const char *name,
			    bool alive, const char *why)
{
	const size_t what_bytes = PATH_MAX + 128;
	char line[128], *what;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc = 0, lines = 0;
	FILE *f;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* What each object is called in a message: on the heap, as the stack may be small. */
	what = malloc(what_bytes);
	if (!what) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f) && lines++ < CLEANUP_REG_MAX_LINES) {
		struct ipcb_sysv_entry en;
		const char *not_ours;
		int ours;

		if (ipcb_sysv_entry_parse(line, &en) < 0)
			continue; /* a torn line: its object was removed when the write failed */
		cleanup_note_named(c, &en);
		if (alive)
			continue;
		ours = ipcb_sysv_entry_check(&en, &not_ours);
		snprintf(what, what_bytes, "System V %s %d key 0x%08x listed in %s/%s",
			 ipcb_sysv_kind_text(en.kind), en.id, en.key, dir, name);
		if (ours < 0) {
			cleanup_failed(c, what, -ours);
			rc = ours;
		} else if (ours == 0) {
			continue; /* gone already, or not ours: nothing to do */
		} else if (!c->dry_run && (ours = ipcb_sysv_entry_remove(&en)) < 0) {
			cleanup_failed(c, what, -ours);
			rc = ours;
		} else {
			cleanup_removed(c, what, why);
		}
	}
	free(what);
	fclose(f);
	return rc;
}

/* One entry named after pid in directory dir (open as dfd), of the given form. */
static void cleanup_entry(struct cleanup *c, int dfd, const char *dir, const char *name, pid_t pid,
			  enum cleanup_form form)
{
	char why[160], *what;
	bool alive;
	struct stat st;
	int rc = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != c->uid)
		return; /* gone meanwhile, or another user's: not ours to judge */
	/* The type each form is made as; a symlink, device or anything else is not ours. */
	if (form == CLEANUP_RUN_DIR ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return;
	alive = cleanup_maker_alive(pid, &st.st_ctim, why, sizeof(why));
	/* Its path: on the heap, as the stack may be small (ulimit -s). */
	if (asprintf(&what, "%s/%s", dir, name) < 0) {
		fprintf(stderr, "%s: --cleanup: %s/%s: asprintf: %s\n", prog, dir, name,
			strerror(ENOMEM));
		c->failed++;
		return;
	}
	if (form == CLEANUP_REGISTRY)
		rc = cleanup_registry(c, dfd, dir, name, alive, why);
	if (alive) {
		printf("kept %s: %s\n", what, why);
		c->kept++;
		goto free_what;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: --cleanup: kept %s: not all it lists could be removed\n", prog,
			what);
		goto free_what;
	}
	/*
	 * A dead run's directory may list processes that outlived their driver (a server it
	 * started, an MPI launcher's ranks): each that still runs, with the start time listed, is
	 * killed first; then the directory goes.
	 */
	if (form == CLEANUP_RUN_DIR && !c->dry_run) {
		char killed[400];
		int n = ipcb_rundir_kill_listed(what, killed, sizeof(killed));

		if (n > 0)
			printf("killed %s, left running by %s (%s)\n", killed, what, why);
	}
	if (form == CLEANUP_RUN_DIR)
		rc = c->dry_run ? 0 : ipcb_rundir_remove(what);
	else if (!c->dry_run && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		rc = -errno;
	if (rc < 0)
		cleanup_failed(c, what, -rc);
	else
		cleanup_removed(c, what, why);
free_what:
	free(what);
}

/* Every entry of one directory named as ipcbench names things. 0, or -errno when it cannot be read.
 */
static int cleanup_scan(struct cleanup *c, const char *dir, enum cleanup_where where)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		int rc = -errno;

		close(dfd);
		return rc;
	}
	while ((e = readdir(d))) {
		pid_t pid = 0;
		enum cleanup_form form = cleanup_name(e->d_name, where, &pid);

		if (form != CLEANUP_NOT_OURS)
			cleanup_entry(c, dfd, dir, e->d_name, pid, form);
	}
	closedir(d);
	return 0;
}

static bool cleanup_is_named(const struct cleanup *c, enum ipcb_sysv_kind kind, int id)
{
	for (size_t i = 0; i < c->nnamed; i++)
		if (c->named[i].kind == kind && c->named[i].id == id)
			return true;
	return false;
}

/* Objects with our key prefix that no registry names: shown, never removed. */
static void cleanup_unlisted(struct cleanup *c)
{
	static const char *const files[] = {"/proc/sysvipc/msg", "/proc/sysvipc/shm",
					    "/proc/sysvipc/sem"};
	static const char *const ipcrm_opt[] = {"-q", "-m", "-s"};

	for (int k = 0; k < 3; k++) {
		FILE *f = fopen(files[k], "re");
		char line[512];

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			struct ipcb_sysv_entry en = {.kind = (enum ipcb_sysv_kind)k};
			const char *not_ours;
			long long key;
			int id;

			if (sscanf(line, "%lld %d", &key, &id) != 2 || key < 0 || key > UINT32_MAX)
				continue; /* the header line */
			en.id = id;
			en.key = (uint32_t)key;
			if (!ipcb_sysv_key_ours(en.key) || cleanup_is_named(c, en.kind, id) ||
			    ipcb_sysv_entry_check(&en, &not_ours) != 1)
				continue;
			printf("not removed: System V %s %d (key 0x%08x) has ipcbench's key prefix "
			       "but no registry names it; if no ipcbench runs, remove it with "
			       "ipcrm %s %d\n",
			       ipcb_sysv_kind_text(en.kind), id, en.key, ipcrm_opt[k], id);
		}
		fclose(f);
	}
}

static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int ipcb_cleanup_main(bool dry_run, const char *dir)
{
	static struct cleanup c;
	const char *tmp = ipcb_sysv_registry_dir();
	struct stat st;
	int rc;

	memset(&c, 0, sizeof(c));
	c.dry_run = dry_run;
	c.uid = geteuid();
	if (dir && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "%s: --dir %s: not a directory\n", prog, dir);
		return 2;
	}
	rc = cleanup_scan(&c, "/dev/shm", CLEANUP_SHM);
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "%s: --cleanup: /dev/shm: %s\n", prog, strerror(-rc));
		c.failed++;
	}
	/* Only where the mqueue file system is mounted can queue names be listed. */
	rc = cleanup_scan(&c, "/dev/mqueue", CLEANUP_MQUEUE);
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "%s: --cleanup: /dev/mqueue: %s\n", prog, strerror(-rc));
		c.failed++;
	}
	rc = cleanup_scan(&c, tmp, CLEANUP_FILES);
	if (rc < 0) {
		fprintf(stderr, "%s: --cleanup: %s: %s\n", prog, tmp, strerror(-rc));
		c.failed++;
	}
	if (dir && !same_dir(dir, tmp)) {
		rc = cleanup_scan(&c, dir, CLEANUP_FILES);
		if (rc < 0) {
			fprintf(stderr, "%s: --cleanup: %s: %s\n", prog, dir, strerror(-rc));
			c.failed++;
		}
	}
	cleanup_unlisted(&c);
	printf("%s: %s %u object(s) of ipcbench runs that no longer exist; kept %u of running "
	       "ones%s\n",
	       prog, dry_run ? "would remove" : "removed", c.removed, c.kept,
	       c.failed ? "; some could not be removed (see above)" : "");
	/* Flushed, and a failure to write this listing reported, by the caller (main). */
	return c.failed ? 1 : 0;
}

static int cleanup_run(struct driver *d, int argc, char **argv)
{
	return ipcb_cleanup_main(d->o.dry_run, d->o.dir);
}

IPCB_DRIVER_MODE(cleanup, "[--dry-run] [--dir DIR]   remove what killed runs left behind",
		 ((const char *const[]){"dry-run", "dir", NULL}), NULL, cleanup_run,
		 .opt = {.name = "cleanup"}, .type = IPCB_CLI_FLAG, .after = "version",
		 .flags = IPCB_OPTS_NO_RUN, .section = "Housekeeping:",
		 .help = "remove what ipcbench runs that no longer exist left behind\n"
			 "(after a driver was killed with SIGKILL): the names it\n"
			 "makes, ipcbench-<pid>-<16 hex digits> (and their\n"
			 "suffixes; a run's directory <tag>.d whole), of your own,\n"
			 "of pids no longer running, in /dev/shm, /dev/mqueue,\n"
			 "$TMPDIR and --dir, and the System V objects their\n"
			 "registries list; lists each removal;\n"
			 "never touches running ipcbench runs or other programs;\n"
			 "takes only --dir and --dry-run");
