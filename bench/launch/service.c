/* SPDX-License-Identifier: MIT */
/* service.c - a transport's server process, started and stopped by the driver; see service.h. */
#include "service.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "crash.h"
#include "launch.h"
#include "ownstack.h"
#include "rundir.h"

/* What the server writes on stdout and stderr, in its directory: its last line names a failure. */
#define SERVICE_LOG "server.log"
/* How long a server gets to end after SIGTERM, and after SIGKILL, before it is left. */
#define SERVICE_TERM_NS 2000000000ull
#define SERVICE_KILL_NS 5000000000ull
#define SERVICE_PROCS	IPCB_SERVICE_PROCS

static void service_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* The last non-empty line of the server's log, for an error message ("" when there is none). */
static void service_log_tail(const struct ipcb_service_run *s, char *out, size_t n)
{
	char *path;

	if (n)
		out[0] = '\0';
	/* On the heap: the driver's stack may be small (ulimit -s). */
	if (asprintf(&path, "%s/%s", s->dir, SERVICE_LOG) < 0)
		return;
	ipcb_file_last_line(path, out, n);
	free(path);
}

/*
 * Did the server say that a port it wanted was taken? A port found free may be taken by anyone
 * before the server binds it (the kernel hands the ports around a free one to connections):
 * then the start is tried again on other ports. Its log's first MiB is read, for the C library's
 * words (strerror(EADDRINUSE), which Java, Redis and Mosquitto print) or Erlang's error atom: a
 * RabbitMQ node whose distribution port is taken prints "register/listen error: eaddrinuse"
 * and exits with status 1.
 */
static bool service_port_taken(const struct ipcb_service_run *s)
{
	char *path, *text;
	size_t got = 0;
	bool taken = false;
	FILE *f;

	if (!s->dir[0] || asprintf(&path, "%s/%s", s->dir, SERVICE_LOG) < 0)
		return false;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return false;
	text = malloc((1u << 20) + 1);
	if (text) {
		got = fread(text, 1, 1u << 20, f);
		text[got] = '\0';
		taken = strstr(text, "Address already in use") || strstr(text, "eaddrinuse");
		free(text);
	}
	fclose(f);
	return taken;
}

/* A hook of the server's ops, called on a stack of its own (service_hook). */
struct service_hook {
	int (*fn)(struct ipcb_service *svc);
	struct ipcb_service *svc;
	int rc;
};

static void service_hook_call(void *arg)
{
	struct service_hook *h = arg;

	h->rc = h->fn(h->svc);
}

/*
 * Run a hook of the server's ops (prepare, ready), which may call its client library, on a
 * stack of its own (ownstack.h): whether the driver can ask its server must not hang on the
 * driver's stack limit.
 */
static int service_hook(int (*fn)(struct ipcb_service *svc), struct ipcb_service *svc)
{
	struct service_hook h = {.fn = fn, .svc = svc};

	ipcb_ownstack_call(service_hook_call, &h, IPCB_OWNSTACK_BYTES);
	return h.rc;
}

static int cpu_set_for(int cpu, cpu_set_t *set)
{
	CPU_ZERO(set);
	if (cpu < 0)
		return sched_getaffinity(0, sizeof(*set), set) < 0 ? -errno : 0;
	CPU_SET(cpu, set);
	return 0;
}

/* How many CPUs the driver may run on (1 when that cannot be read). */
static int service_cpus_allowed(void)
{
	cpu_set_t set;

	return cpu_set_for(-1, &set) == 0 && CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

/*
 * The server's first line of `COMMAND --version`, as "<command> <last word>" ("dbus-daemon
 * 1.14.10"), when the transport did not say: run with a time limit, output through a pipe.
 */
static void service_version(struct ipcb_service_run *s)
{
	const char *cmd = s->svc.argv[0], *base = strrchr(cmd, '/');
	char buf[256], *nl, *word;
	uint64_t end = ipcb_now_ns() + 2000000000ull;
	char *argv[] = {(char *)cmd, "--version", NULL};
	struct ipcb_spawn sp = {.path = cmd,
				.path_search = 1,
				.argv = argv,
				.in = IPCB_SPAWN_NULL,
				.err = IPCB_SPAWN_NULL,
				.death_signal = SIGKILL,
				.what = "ipcbench: a server's version"};
	size_t got = 0;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	sp.out = fds[1];
	pid = ipcb_spawn_start(&sp);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while (got < sizeof(buf) - 1 && ipcb_now_ns() < end) {
		ssize_t n = read(fds[0], buf + got, sizeof(buf) - 1 - got);

		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		else
			service_sleep_ms(5);
	}
	close(fds[0]);
	kill(pid, SIGKILL);
	ipcb_spawn_wait(pid);
	buf[got] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	word = strrchr(buf, ' ');
	if (word && word[1])
		snprintf(s->svc.version, sizeof(s->svc.version), "%s %s", base ? base + 1 : cmd,
			 word + 1);
}

/*
 * Start the server (lib/child.h): its own process group (a terminal's Ctrl-C is the driver's to
 * act on, not the server's), never outliving the driver, no signal blocked or ignored that the
 * driver blocks or ignores, on its CPU, in its directory, its output in its log (made here, not
 * there before), nothing else of ours open. Its pid, or -errno.
 */
static pid_t service_spawn(struct ipcb_service_run *s, const char *log_path)
{
	sigset_t none;
	cpu_set_t set;
	int log =
	    open(log_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct ipcb_spawn sp = {.path = s->svc.argv[0],
				.path_search = 1,
				.argv = s->svc.argv,
				.in = IPCB_SPAWN_NULL,
				.out = log,
				.err = log,
				.death_signal = SIGKILL,
				.own_group = 1,
				.mask = &none,
				.default_signals = 1,
				.dir = s->dir,
				.cpus = s->cpu >= 0 && cpu_set_for(s->cpu, &set) == 0 ? &set : NULL,
				.close_others = 1,
				.what = "exec"};
	pid_t pid;

	if (log < 0)
		return -errno;
	sigemptyset(&none);
	pid = ipcb_spawn_start(&sp);
	close(log);
	return pid;
}

/* How the server ended, from its wait status, with its last log line. */
static void service_ended(struct ipcb_service_run *s, int status, const char *when)
{
	char tail[200];

	service_log_tail(s, tail, sizeof(tail));
	if (WIFEXITED(status)) {
		snprintf(s->error, sizeof(s->error), "%s exited with status %d %s%s%s",
			 s->svc.argv[0], WEXITSTATUS(status), when, tail[0] ? ": " : "", tail);
	} else {
		char note[64];

		ipcb_crash_stack_note(WTERMSIG(status), note, sizeof(note));
		snprintf(s->error, sizeof(s->error), "%s killed by signal %d (%s) %s%s%s%s",
			 s->svc.argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)), when, note,
			 tail[0] ? ": " : "", tail);
	}
}

static int service_start_once(struct ipcb_service_run *s, const struct ipcb_transport *t,
			      const uint64_t opt[IPCB_MAX_OPTIONS], const char *parent, int cpu,
			      double limit_s, bool *port_taken)
{
	const struct ipcb_service_ops *ops = t->service;
	uint64_t rnd = 0, deadline, started;
	pid_t me = getpid();
	char *log_path;
	int rc, status;

	memset(s, 0, sizeof(*s));
	s->cpu = cpu;
	s->svc.t = t;
	memcpy(s->svc.opt, opt, sizeof(s->svc.opt));
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = ipcb_now_ns();
	snprintf(s->tag, sizeof(s->tag), "ipcbench-%d-%016" PRIx64, (int)me, rnd);
	rc = ipcb_rundir_create(parent, s->tag, s->dir, sizeof(s->dir));
	if (rc) {
		snprintf(s->error, sizeof(s->error), "service: mkdir %s/%s.d: %s", parent, s->tag,
			 strerror(-rc));
		return rc;
	}
	s->svc.dir = s->dir;
	s->svc.max_msg_bytes = t->max_msg_bytes;
	/* A free TCP port on 127.0.0.1 for a server that listens on one: bound, read, released. */
	rc = ipcb_broker_port();
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "service: a free port on 127.0.0.1: %s",
			 strerror(-rc));
		goto fail;
	}
	s->svc.port = rc;
	s->svc.cpus = cpu >= 0 ? 1 : service_cpus_allowed();
	rc = service_hook(ops->prepare, &s->svc);
	if (rc || !s->svc.argv[0]) {
		rc = rc ? rc : -EINVAL;
		snprintf(s->error, sizeof(s->error), "service: prepare: %s: %s%s%s",
			 s->svc.err.call[0] ? s->svc.err.call : "no command", strerror(-rc),
			 s->svc.err.detail[0] ? ": " : "", s->svc.err.detail);
		goto fail;
	}
	if (!s->svc.version[0])
		service_version(s);
	/* The log's path, made before the fork: on the heap, as the stack may be small. */
	if (asprintf(&log_path, "%s/%s", s->dir, SERVICE_LOG) < 0) {
		rc = -ENOMEM;
		log_path = NULL;
		snprintf(s->error, sizeof(s->error), "service: asprintf: %s", strerror(-rc));
		goto fail;
	}
	/*
	 * A server that says so starts on every CPU the driver may use and is pinned once it
	 * answers (below): nothing is measured before then, and a JVM's start is CPU-bound.
	 */
	if (s->svc.start_unpinned)
		s->cpu = -1;
	s->pid = service_spawn(s, log_path);
	rc = s->pid < 0 ? (int)s->pid : 0;
	if (rc) {
		s->pid = 0;
		snprintf(s->error, sizeof(s->error), "service: starting %s (its log %s): %s",
			 s->svc.argv[0], log_path, strerror(-rc));
		free(log_path);
		goto fail;
	}
	free(log_path);
	s->pgid = s->pid;
	ipcb_rundir_note_pid(s->dir, s->pid);
	started = ipcb_now_ns();
	deadline = started + (uint64_t)(limit_s * 1e9);
	for (;;) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			service_ended(s, status, "before it was ready");
			rc = -ESRCH;
			goto fail;
		}
		s->svc.err = (struct ipcb_err){0};
		rc = service_hook(ops->ready, &s->svc);
		if (rc == 0) {
			s->start_ns = ipcb_now_ns() - started;
			break;
		}
		if (rc != -EAGAIN) {
			char tail[200];

			service_log_tail(s, tail, sizeof(tail));
			snprintf(s->error, sizeof(s->error), "service %s: %s: %s%s%s%s%s",
				 s->svc.argv[0], s->svc.err.call[0] ? s->svc.err.call : "ready",
				 strerror(-rc), s->svc.err.detail[0] ? " (" : "", s->svc.err.detail,
				 s->svc.err.detail[0] ? ")" : "", tail[0] ? "; its log: " : "");
			snprintf(s->error + strlen(s->error), sizeof(s->error) - strlen(s->error),
				 "%s", tail);
			goto fail;
		}
		s->signal = ipcb_run_interrupt_pending();
		if (s->signal) {
			snprintf(s->error, sizeof(s->error), "interrupted by %s while %s started",
				 strsignal(s->signal), s->svc.argv[0]);
			rc = -EINTR;
			goto fail;
		}
		if (ipcb_now_ns() >= deadline) {
			char tail[200];

			service_log_tail(s, tail, sizeof(tail));
			snprintf(s->error, sizeof(s->error),
				 "service %s did not answer within %.1f s (%s%s%s)%s%s",
				 s->svc.argv[0], limit_s,
				 s->svc.err.call[0] ? s->svc.err.call : "ready",
				 s->svc.err.detail[0] ? ": " : "", s->svc.err.detail,
				 tail[0] ? "; its log: " : "", tail);
			rc = -ETIMEDOUT;
			goto fail;
		}
		service_sleep_ms(10);
	}
	/*
	 * What it started by now, for --cleanup to find too if the driver is killed, and for stop
	 * to end if the server dies before them.
	 */
	s->nstarted = ipcb_service_procs(s, s->started_pid, s->started_ticks, SERVICE_PROCS);
	for (size_t i = 1; i < s->nstarted; i++)
		ipcb_rundir_note_pid(s->dir, s->started_pid[i]);
	if (s->cpu != cpu && (rc = ipcb_service_pin(s, cpu)) < 0) {
		snprintf(s->error, sizeof(s->error), "service %s: sched_setaffinity(CPU %d): %s",
			 s->svc.argv[0], cpu, strerror(-rc));
		goto fail;
	}
	return 0;
fail:
	/* Read before stop removes its directory with the log. */
	*port_taken = rc != -EINTR && s->pgid && service_port_taken(s);
	ipcb_service_stop(s);
	return rc;
}

/* Starts in a row whose server found a port taken before the start gives up. */
#define SERVICE_PORT_TRIES 3

int ipcb_service_start(struct ipcb_service_run *s, const struct ipcb_transport *t,
		       const uint64_t opt[IPCB_MAX_OPTIONS], const char *parent, int cpu,
		       double limit_s)
{
	for (int attempt = 1;; attempt++) {
		bool port_taken = false;
		int rc = service_start_once(s, t, opt, parent, cpu, limit_s, &port_taken);

		if (rc == 0 || !port_taken)
			return rc;
		if (attempt == SERVICE_PORT_TRIES) {
			size_t len = strlen(s->error);

			snprintf(s->error + len, sizeof(s->error) - len,
				 " (a port taken in each of %d starts, each on other ports)",
				 SERVICE_PORT_TRIES);
			return rc;
		}
	}
}

int ipcb_service_pin(struct ipcb_service_run *s, int cpu)
{
	int pid[SERVICE_PROCS];
	unsigned long long start[SERVICE_PROCS];
	size_t procs;
	cpu_set_t set;
	int rc;

	if (!s->pid)
		return -ESRCH;
	rc = cpu_set_for(cpu, &set);
	if (rc)
		return rc;
	/*
	 * Every thread of every process it started (RocketMQ's name server beside its broker,
	 * Erlang's helpers), one by one: a process's affinity is its threads'.
	 */
	procs = ipcb_service_procs(s, pid, start, SERVICE_PROCS);
	for (size_t i = 0; i < procs; i++) {
		char path[64];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", pid[i]);
		d = opendir(path);
		if (!d) {
			if (errno != ENOENT)
				rc = -errno;
			continue;
		}
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' &&
			    sched_setaffinity((pid_t)atoi(e->d_name), sizeof(set), &set) < 0 &&
			    errno != ESRCH)
				rc = -errno;
		closedir(d);
	}
	if (!rc)
		s->cpu = cpu;
	return rc;
}

int ipcb_service_cpu_ns(const struct ipcb_service_run *s, uint64_t *ns)
{
	char path[64], sub[600];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *d;

	if (!s->pid)
		return -ESRCH;
	/* schedstat counts in nanoseconds (stat's utime and stime only in clock ticks). */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)s->pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		unsigned long long run = 0;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/schedstat", path, e->d_name);
		f = fopen(sub, "re");
		if (!f)
			continue; /* a thread that ended meanwhile */
		if (fscanf(f, "%llu", &run) == 1)
			sum += run;
		fclose(f);
	}
	closedir(d);
	*ns = sum;
	return 0;
}

int ipcb_service_rss_bytes(const struct ipcb_service_run *s, uint64_t *bytes)
{
	int pid[SERVICE_PROCS];
	unsigned long long start[SERVICE_PROCS];
	size_t procs = ipcb_service_procs(s, pid, start, SERVICE_PROCS);
	uint64_t sum = 0;

	if (!procs)
		return -ESRCH;
	for (size_t i = 0; i < procs; i++) {
		char path[64], line[128];
		unsigned long long kib;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/status", pid[i]);
		f = fopen(path, "re");
		if (!f)
			continue; /* it ended meanwhile */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmRSS: %llu kB", &kib) == 1) {
				sum += (uint64_t)kib * 1024;
				break;
			}
		fclose(f);
	}
	*bytes = sum;
	return 0;
}

int ipcb_service_check(struct ipcb_service_run *s)
{
	int status;

	if (!s->pid)
		return -ESRCH;
	if (waitpid(s->pid, &status, WNOHANG) != s->pid)
		return 0;
	s->pid = 0;
	service_ended(s, status, "during the run");
	return -ESRCH;
}

/* The parent of pid (/proc/PID/stat's field 4), -1 where it cannot be read. */
static int service_ppid(int pid)
{
	unsigned long long ppid;

	return ipcb_proc_stat_field(pid, 4, &ppid) == 0 ? (int)ppid : -1;
}

size_t ipcb_service_procs(const struct ipcb_service_run *s, int *pid,
			  unsigned long long *start_ticks, size_t max)
{
	size_t count = 0, seen;

	if (!s->pid || max == 0 || ipcb_proc_start_ticks(s->pid, &start_ticks[0]) < 0)
		return 0;
	pid[count++] = s->pid;
	/* Children, then theirs: until a pass over /proc finds no one new. */
	do {
		struct dirent *e;
		DIR *d = opendir("/proc");

		seen = count;
		if (!d)
			break;
		while ((e = readdir(d)) && count < max) {
			int p = atoi(e->d_name), parent;
			bool known = false;

			if (p <= 1)
				continue;
			for (size_t i = 0; i < count && !known; i++)
				known = pid[i] == p;
			if (known || (parent = service_ppid(p)) <= 1)
				continue;
			for (size_t i = 0; i < count; i++)
				if (pid[i] == parent &&
				    ipcb_proc_start_ticks(p, &start_ticks[count]) == 0) {
					pid[count++] = p;
					break;
				}
		}
		closedir(d);
	} while (count > seen && count < max);
	return count;
}

/* Is pid still the process that started at `start` (not gone, not reused)? */
static bool service_proc_alive(int pid, unsigned long long start)
{
	unsigned long long now;

	return ipcb_proc_start_ticks(pid, &now) == 0 && now == start;
}

/* Wait up to `ns` for the server to end; true when it was reaped. */
static bool service_reap(struct ipcb_service_run *s, uint64_t ns)
{
	uint64_t end = ipcb_now_ns() + ns;
	int status;

	for (;;) {
		pid_t got = waitpid(s->pid, &status, WNOHANG);

		if (got == s->pid || (got < 0 && errno == ECHILD))
			return true;
		if (ipcb_now_ns() >= end)
			return false;
		service_sleep_ms(5);
	}
}

void ipcb_service_stop_begin(struct ipcb_service_run *s)
{
	if (s->pid > 0 && !s->term_ns) {
		/* The group: whatever the server started goes too. */
		kill(-s->pid, SIGTERM);
		kill(s->pid, SIGTERM);
		s->term_ns = ipcb_now_ns();
	}
}

void ipcb_service_stop(struct ipcb_service_run *s)
{
	int pid[SERVICE_PROCS];
	unsigned long long start[SERVICE_PROCS];
	size_t procs = ipcb_service_procs(s, pid, start, SERVICE_PROCS), first;
	bool asked = s->pid > 0; /* running until now: not dead before it was asked to stop */

	if (s->pid > 0) {
		uint64_t now, end;

		ipcb_service_stop_begin(s);
		/* Its time to end counts from when it was asked, maybe a while ago. */
		now = ipcb_now_ns();
		end = s->term_ns + SERVICE_TERM_NS;
		if (!service_reap(s, end > now ? end - now : 0)) {
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			if (!service_reap(s, SERVICE_KILL_NS))
				fprintf(stderr,
					"ipcbench: service %s (pid %d) did not die when killed: "
					"left unreaped\n",
					s->svc.argv[0], (int)s->pid);
		}
		s->pid = 0;
	} else if (s->pgid > 0) {
		/* The server died: what it started in its group is ended all the same. */
		kill(-s->pgid, SIGKILL);
	}
	s->pgid = 0;
	first = procs ? 1 : 0; /* the server itself, when it was still running, is done */
	/* Those it had started when it answered, wherever they are now (they lost their parent
	 * if the server died first). */
	for (size_t i = 1; i < s->nstarted && procs < SERVICE_PROCS; i++) {
		bool known = false;

		for (size_t k = 0; k < procs && !known; k++)
			known = pid[k] == s->started_pid[i];
		if (!known) {
			pid[procs] = s->started_pid[i];
			start[procs++] = s->started_ticks[i];
		}
	}
	s->nstarted = 0;
	/*
	 * What the server started outside its process group (a helper in a session of its own)
	 * would end by itself, later: it is ended now, so nothing of the server outlives it.
	 */
	for (size_t i = first; i < procs; i++) {
		uint64_t end = ipcb_now_ns() + SERVICE_TERM_NS;

		if (service_proc_alive(pid[i], start[i]))
			kill(pid[i], SIGKILL);
		while (service_proc_alive(pid[i], start[i]) && ipcb_now_ns() < end)
			service_sleep_ms(2);
		if (service_proc_alive(pid[i], start[i]))
			fprintf(stderr, "ipcbench: process %d of a stopped server did not die\n",
				pid[i]);
	}
	if (asked && s->svc.t && s->svc.t->service->stopped)
		service_hook(s->svc.t->service->stopped, &s->svc);
	if (s->dir[0]) {
		ipcb_rundir_remove(s->dir);
		s->dir[0] = '\0';
	}
}
