/* SPDX-License-Identifier: MIT */
/*
 * run.c - one measured run, from channel set-up to reaping; see run.h for the contract.
 *
 * The story of a run, top to bottom:
 *   1. the driver maps a shared area (start barrier, each side's results, the histogram),
 *      names the run's kernel objects and lets the transport create them;
 *   2. it forks the sender and the receiver; each pins itself, opens its end, allocates and
 *      fills its buffers, then waits at the start barrier;
 *   3. the driver opens the barrier; the sides exchange warm-up messages, then measure;
 *   4. the sender decides when the run ends and publishes the total message count before it
 *      sends the last message, so the receiver always knows when it has seen the last one;
 *   5. the driver sleeps in sigtimedwait until both exit, a child dies, a signal asks it to
 *      stop, or the timeout passes; then it kills what is left, reaps, and tears down.
 */
#include "hot.h"
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "clock.h"
#include "common.h"
#include "msg.h"

/* ---- signals ---------------------------------------------------------------------------- */

static sigset_t run_saved_mask;
static sigset_t run_wait_set;

/*
 * Does this signal ask the driver to stop? Every catchable signal whose default action ends the
 * process does: each ends the run in progress cleanly (children killed and reaped, kernel
 * objects removed, rows kept) instead of killing the driver mid-run. The others stop or
 * continue the process, or are ignored by default; SIGKILL and SIGSTOP cannot be caught.
 * glibc keeps the first two real-time signals for itself (SIGRTMIN is the first it leaves).
 *
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP and SIGSYS are blocked like the rest: one sent by
 * another process then waits to be taken as a request to stop, while one the driver's own code
 * raises (a crash) is forced through by the kernel, which unblocks it and restores the default
 * action, so a crashing driver still dies with its core dump.
 */
static bool is_stop_signal(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGCHLD:
	case SIGCONT:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGURG:
	case SIGWINCH:
		return false;
	default:
		return sig >= 1 && sig <= SIGRTMAX && (sig < 32 || sig >= SIGRTMIN);
	}
}

/*
 * A write to a closed pipe or past RLIMIT_FSIZE makes the kernel send the writer SIGPIPE or
 * SIGXFSZ; the driver ignores them so that the write fails with EPIPE or EFBIG, which it reports.
 * Blocked, an ignored signal is still queued (the kernel cannot know what the handler will be
 * when it is unblocked), so ours show up in sigtimedwait too: those the driver sent itself are
 * only the echo of a failed write, and are dropped.
 */
static bool is_own_write_signal(int sig, const siginfo_t *si)
{
	return (sig == SIGPIPE || sig == SIGXFSZ) && si->si_pid == getpid();
}

void ipcb_run_signals_ignore(void)
{
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

int ipcb_run_signals_block(void)
{
	ipcb_run_signals_ignore();
	sigemptyset(&run_wait_set);
	sigaddset(&run_wait_set, SIGCHLD);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (is_stop_signal(sig))
			sigaddset(&run_wait_set, sig);
	if (sigprocmask(SIG_BLOCK, &run_wait_set, &run_saved_mask) < 0)
		return -errno;
	return 0;
}

/* Take one pending signal that asks the driver to stop; 0 when there is none. */
static int run_stop_take(void)
{
	struct timespec zero = {0, 0};
	sigset_t stops = run_wait_set;
	siginfo_t si;
	int sig;

	sigdelset(&stops, SIGCHLD);
	while ((sig = sigtimedwait(&stops, &si, &zero)) > 0)
		if (!is_own_write_signal(sig, &si))
			return sig;
	return 0;
}

int ipcb_run_interrupt_pending(void)
{
	return run_stop_take();
}

/* ---- the pair engine ---------------------------------------------------------------------- */

struct pair_ctl {
	uint32_t ready;	     /* children that reached the start barrier */
	uint32_t go;	     /* futex word: 1 opens the barrier */
	uint64_t fail_ns[2]; /* when each side's body failed: the first failure is the cause */
	uint32_t exiting[2]; /* each side's body has returned: it is only exiting now */
	int cpu_go[2];	     /* 1 + the CPU each side was on when the barrier opened; 0 = unread */
	char err[2][IPCB_RUN_ERR_BYTES];
};

static struct pair_ctl *pair_child_ctl; /* in a child: its run's control block */
static int pair_child_role;		/* in a child: which side it is */

static const char *const role_name[2] = {"sender", "receiver"};

void *ipcb_run_area_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void ipcb_run_area_unmap(void *area, size_t bytes)
{
	if (area)
		munmap(area, bytes);
}

/* Called by a body when it is ready to measure: count in, then sleep until the driver says go. */
int ipcb_run_barrier(void)
{
	struct pair_ctl *c = pair_child_ctl;

	__atomic_fetch_add(&c->ready, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&c->go, __ATOMIC_ACQUIRE) == 0) {
		int rc = ipcb_futex_wait(&c->go, 0);

		if (rc < 0)
			return rc;
	}
	/* Where the measured phase begins; checked against the pinned CPU when the body ends. */
	c->cpu_go[pair_child_role] = sched_getcpu() + 1;
	return 0;
}

static int pin_to(int cpu, char *err)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		int e = errno;

		snprintf(err, IPCB_RUN_ERR_BYTES, "sched_setaffinity(CPU %d): %s", cpu,
			 strerror(e));
		return -e;
	}
	return 0;
}

/*
 * Did this side stay on the CPU it was pinned to? A cpuset that shrinks, or an affinity that
 * somebody else changes, moves a pinned process without a word, and a row would then claim a
 * placement that did not hold. The CPU at the start of the measured phase and at its end, and
 * the CPUs it may run on now (a cpuset change rewrites them), must all be the pinned one.
 */
static int check_placement(int cpu, int cpu_go, char *err)
{
	char allowed[64] = "?", began[48] = "";
	int now = sched_getcpu();
	size_t len = 0;
	cpu_set_t set;
	bool kept;

	if (cpu < 0)
		return 0;
	kept = now == cpu && (cpu_go == 0 || cpu_go - 1 == cpu);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		kept = kept && CPU_COUNT(&set) == 1 && CPU_ISSET(cpu, &set);
		allowed[0] = '\0';
		for (int c = 0; c < CPU_SETSIZE && len + 12 < sizeof(allowed); c++)
			if (CPU_ISSET(c, &set))
				len += (size_t)snprintf(allowed + len, sizeof(allowed) - len,
							"%s%d", len ? "," : "", c);
	}
	if (kept)
		return 0;
	if (cpu_go > 0)
		snprintf(began, sizeof(began), "on CPU %d when measuring began and ", cpu_go - 1);
	snprintf(err, IPCB_RUN_ERR_BYTES,
		 "left CPU %d, the CPU it was pinned to: %son CPU %d at the end, allowed CPUs now "
		 "%s (a cpuset or the affinity changed during the run)",
		 cpu, began, now, allowed);
	return -EXDEV;
}

/*
 * Under memory pressure the OOM killer should take a side, whose death fails the run with a
 * message, rather than the driver, whose death would leave the run's kernel objects behind (the
 * shared pages a run maps may well be charged to the driver). Raising one's own score needs no
 * privilege; where /proc is missing the default stays.
 */
static void oom_first(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "1000", 4) < 0) {
		/* nothing to do: the side just keeps the driver's score */
	}
	close(fd);
}

static void child_main(int role, const int cpu[2], pid_t parent, ipcb_run_body_fn body, void *arg,
		       void *area, struct pair_ctl *ctl)
{
	char *err = ctl->err[role];
	int rc;

	/* Never outlive the driver: if it dies, the kernel kills us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	sigprocmask(SIG_SETMASK, &run_saved_mask, NULL);
	pair_child_ctl = ctl;
	pair_child_role = role;
	oom_first();
	rc = pin_to(cpu[role], err);
	if (rc == 0)
		rc = body(role, arg, area, err);
	if (rc == 0)
		rc = check_placement(cpu[role], ctl->cpu_go[role], err);
	if (rc)
		ctl->fail_ns[role] = ipcb_now_ns();
	__atomic_store_n(&ctl->exiting[role], 1, __ATOMIC_RELEASE);
	_exit(rc == 0 ? 0 : 1);
}

/*
 * A side whose body has returned is already on its way out; killing it there would cut short
 * whatever runs at exit (a memory checker's leak summary, most of all) and report a signal
 * where there was an orderly exit. Such a side gets this long to finish on its own; a side still
 * inside its body is killed at once, since it may be waiting for a peer that is gone.
 */
#define EXIT_GRACE_NS 5000000000ull
/*
 * A killed side normally dies at once. One that does not (frozen by a cgroup freezer, stuck in
 * the kernel) would hold the driver in waitpid for ever, deaf to Ctrl-C: the driver waits this
 * long, then leaves it unreaped and says so. After a signal asked the driver to stop, it waits
 * at most REAP_AFTER_STOP_NS more.
 */
#define REAP_LIMIT_NS	   5000000000ull
#define REAP_AFTER_STOP_NS 1000000000ull

/*
 * Kill and reap both sides: a side still inside its body at once, one already exiting after
 * EXIT_GRACE_NS. Returns a signal that asked the driver to stop meanwhile (0: none), and names
 * the sides that could not be reaped in `stuck` ("" when both were).
 */
static int reap_all(pid_t pid[2], int status[2], const struct pair_ctl *ctl, char *stuck,
		    size_t stuck_bytes)
{
	uint64_t grace_end = ipcb_now_ns() + EXIT_GRACE_NS, limit = UINT64_MAX;
	bool killed[2] = {false, false};
	size_t len = 0;
	int stop = 0;

	for (;;) {
		struct timespec ts = {0, 10000000};
		uint64_t now = ipcb_now_ns();
		bool left = false;
		siginfo_t si;
		int sig;

		for (int i = 0; i < 2; i++) {
			if (pid[i] <= 0)
				continue;
			if (waitpid(pid[i], &status[i], WNOHANG) == pid[i]) {
				pid[i] = 0;
				continue;
			}
			if (!killed[i] && (!__atomic_load_n(&ctl->exiting[i], __ATOMIC_ACQUIRE) ||
					   now >= grace_end)) {
				kill(pid[i], SIGKILL);
				killed[i] = true;
				if (limit == UINT64_MAX)
					limit = now + REAP_LIMIT_NS;
			}
			left = true;
		}
		if (!left || now >= limit)
			break;
		/* SIGCHLD ends the wait early; a stop signal shortens what is left of it. */
		sig = sigtimedwait(&run_wait_set, &si, &ts);
		if (sig > 0 && !stop && is_stop_signal(sig) && !is_own_write_signal(sig, &si)) {
			stop = sig;
			grace_end = now;
			if (limit > now + REAP_AFTER_STOP_NS)
				limit = now + REAP_AFTER_STOP_NS;
		}
	}
	stuck[0] = '\0';
	for (int i = 0; i < 2; i++)
		if (pid[i] > 0 && len < stuck_bytes)
			len +=
			    (size_t)snprintf(stuck + len, stuck_bytes - len, "%s%s (pid %d)",
					     len ? " and the " : "the ", role_name[i], (int)pid[i]);
	return stop;
}

/* Describe how a child ended, for the error line. */
static void describe_exit(int role, int status, const struct pair_ctl *ctl, char *out, size_t n)
{
	if (WIFEXITED(status) && ctl->err[role][0])
		snprintf(out, n, "%s: %s", role_name[role], ctl->err[role]);
	else if (WIFEXITED(status))
		snprintf(out, n, "%s exited with status %d", role_name[role], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, n, "%s killed by signal %d (%s)", role_name[role], WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(out, n, "%s ended abnormally (status 0x%x)", role_name[role], status);
}

static int child_failed(int status)
{
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Which side's failure caused the run's end, or -1 if neither has failed. When both have, a
 * side killed by a signal (a crash) comes first, then the side whose error came first: the
 * other side's error (EPIPE, a reset connection) is usually only the consequence.
 */
static int first_failure(const int done[2], const int status[2], const struct pair_ctl *ctl)
{
	bool failed[2];

	for (int i = 0; i < 2; i++)
		failed[i] = done[i] && child_failed(status[i]);
	if (!failed[0] || !failed[1])
		return failed[0] ? 0 : failed[1] ? 1 : -1;
	for (int i = 0; i < 2; i++)
		if (WIFSIGNALED(status[i]) && !WIFSIGNALED(status[!i]))
			return i;
	return ctl->fail_ns[1] && ctl->fail_ns[1] < ctl->fail_ns[0] ? 1 : 0;
}

int ipcb_run_pair(const int cpu[2], double timeout_s, ipcb_run_body_fn body, void *arg, void *area,
		  char *error, size_t error_bytes, int *signal_out)
{
	struct pair_ctl *ctl = ipcb_run_area_map(sizeof(*ctl));
	pid_t parent = getpid(), pid[2] = {0, 0};
	int status[2] = {0, 0}, done[2] = {0, 0}, rc = 0;
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(timeout_s * 1e9);
	bool released = false;
	char stuck[96];
	int culprit, sig_late;

	*signal_out = 0;
	error[0] = '\0';
	if (!ctl) {
		snprintf(error, error_bytes, "mmap(control block): %s", strerror(errno));
		return -ENOMEM;
	}
	fflush(NULL); /* children must not inherit unflushed output and print it twice */
	for (int role = 0; role < 2; role++) {
		pid[role] = fork();
		if (pid[role] < 0) {
			rc = -errno;
			pid[role] = 0;
			snprintf(error, error_bytes, "fork: %s", strerror(-rc));
			goto kill_children;
		}
		if (pid[role] == 0)
			child_main(role, cpu, parent, body, arg, area, ctl);
	}

	while (!done[0] || !done[1]) {
		uint64_t now = ipcb_now_ns();
		/* Until release, poll the barrier every millisecond; after it, sleep until an
		 * event. */
		uint64_t wait_ns = deadline > now ? deadline - now : 0;
		struct timespec ts;
		siginfo_t si;
		int sig;

		if (!released && __atomic_load_n(&ctl->ready, __ATOMIC_ACQUIRE) == 2) {
			__atomic_store_n(&ctl->go, 1, __ATOMIC_RELEASE);
			ipcb_futex_wake(&ctl->go, 2);
			released = true;
		}
		if (!released && wait_ns > 1000000)
			wait_ns = 1000000;
		ts.tv_sec = (time_t)(wait_ns / 1000000000u);
		ts.tv_nsec = (long)(wait_ns % 1000000000u);
		sig = sigtimedwait(&run_wait_set, &si, &ts);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig > 0 && is_stop_signal(sig) && !is_own_write_signal(sig, &si)) {
			*signal_out = sig;
			snprintf(error, error_bytes, "interrupted by %s", strsignal(sig));
			rc = -EINTR;
			goto kill_children;
		}
		for (int i = 0; i < 2; i++) {
			if (!done[i] && waitpid(pid[i], &status[i], WNOHANG) == pid[i]) {
				done[i] = 1;
				pid[i] = 0;
			}
		}
		culprit = first_failure(done, status, ctl);
		if (culprit >= 0) {
			describe_exit(culprit, status[culprit], ctl, error, error_bytes);
			rc = -ECHILD;
			/* The other side may wait forever for a peer that is gone. */
			goto kill_children;
		}
		if (sig < 0 && errno == EAGAIN && ipcb_now_ns() >= deadline) {
			const char *who = !done[0] && !done[1] ? "the sender and the receiver"
					  : !done[0]	       ? "the sender"
							       : "the receiver";

			snprintf(error, error_bytes, "timed out after %.1f s with %s still %s",
				 timeout_s, who,
				 released ? "running (a side stopped answering?)"
					  : "starting up (stuck before the start barrier)");
			rc = -ETIMEDOUT;
			goto kill_children;
		}
	}
	goto unmap;

kill_children:
	sig_late = reap_all(pid, status, ctl, stuck, sizeof(stuck));
	if (stuck[0]) {
		size_t len = strlen(error);

		snprintf(
		    error + len, error_bytes - len,
		    "; %s did not die when killed (frozen by a cgroup freezer, or stuck in the "
		    "kernel): left unreaped",
		    stuck);
	}
	if (sig_late && rc != -EINTR) {
		size_t len = strlen(error);

		snprintf(error + len, error_bytes - len, "; then interrupted by %s",
			 strsignal(sig_late));
		*signal_out = sig_late;
		rc = -EINTR;
	}
unmap:
	/* A SIGCHLD from this run must not wake the next one's wait early. */
	{
		struct timespec zero = {0, 0};
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		while (sigtimedwait(&chld, NULL, &zero) > 0)
			;
	}
	ipcb_run_area_unmap(ctl, sizeof(*ctl));
	return rc;
}

/* ---- one transport run --------------------------------------------------------------------- */

/*
 * What each side measured. Each side keeps its counters in local variables while it runs and
 * stores them here once, at the end, on a cache line of its own: counters the two sides update
 * on every message in one line would bounce it between the CPUs, inside the timed loop.
 */
struct run_side {
	_Alignas(64) uint64_t clock_anomalies; /* one-way samples with a negative or absurd delay */
	double cpu_s;
	int64_t ctx_switches;
	uint64_t t_first_ns, t_last_ns;
	uint64_t messages;
	uint64_t full_checks;
	uint64_t segments; /* sender: network segments sent in the measured phase */
	bool segments_ok;  /* the transport counted them */
	int cpu_seen;
};

struct run_area {
	/* Messages the sender sends in all, published before the last one; read every message. */
	_Alignas(64) uint64_t total;
	_Alignas(
	    64) uint32_t recv_done; /* futex word: the receiver has verified the last message */
	_Alignas(64) struct run_side side[2];
	_Alignas(64) size_t hist_bytes; /* each histogram's size, a multiple of 64 */
	/* RUN_HISTS struct ipcb_hist of hist_bytes each, indexed by enum run_hist. */
	_Alignas(64) unsigned char hist[];
};

enum run_hist {
	RUN_HIST_RTT, /* latency: round trip, recorded by the sender */
	RUN_HIST_AB,  /* latency: sender -> receiver one way, recorded by the receiver;
		       * throughput: one way under load, sampled */
	RUN_HIST_BA,  /* latency: receiver -> sender one way, recorded by the sender */
	RUN_HISTS,
};

IPCB_HOT static struct ipcb_hist *run_hist(struct run_area *a, enum run_hist k)
{
	return (struct ipcb_hist *)(a->hist + (size_t)k * a->hist_bytes);
}

/* Every this many streamed messages carry a send time (one clock read on each side). */
#define RUN_STREAM_STAMP_EVERY 16

/* Record a one-way delay; a negative or absurd one means the clocks cannot be trusted. */
IPCB_HOT static void record_one_way(struct ipcb_hist *h, struct run_side *me, uint64_t sent_ns,
				    uint64_t now_ns)
{
	if (now_ns < sent_ns || !ipcb_hist_record(h, (int64_t)(now_ns - sent_ns)))
		me->clock_anomalies++;
}

struct run_ctx {
	const struct ipcb_run_spec *spec;
	struct ipcb_chan *chan;
	struct run_area *area;
};

struct usage_mark {
	double cpu_s;
	int64_t ctx;
};

static struct usage_mark usage_now(void)
{
	struct rusage ru;
	struct usage_mark m = {0, 0};

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		m.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			  (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		m.ctx = ru.ru_nvcsw + ru.ru_nivcsw;
	}
	return m;
}

static void usage_store(struct run_side *me, struct usage_mark start)
{
	struct usage_mark end = usage_now();

	me->cpu_s = end.cpu_s - start.cpu_s;
	me->ctx_switches = end.ctx - start.ctx;
}

static void *buf_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int transport_fail(const struct ipcb_err *e, const char *phase, char *err)
{
	snprintf(err, IPCB_RUN_ERR_BYTES, "%s%s%s: %s%s%s%s", phase, *phase ? ": " : "", e->call,
		 strerror(-e->code), e->detail[0] ? " (" : "", e->detail, e->detail[0] ? ")" : "");
	return e->code ? e->code : -EIO;
}

/* Send or receive a whole payload, in chunks when the transport carries less per operation. */
IPCB_HOT static int move_payload(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void *buf,
				 bool send)
{
	unsigned char *p = buf;

	for (size_t off = 0; off < s->size_bytes; off += s->chunk_bytes) {
		size_t n =
		    s->size_bytes - off < s->chunk_bytes ? s->size_bytes - off : s->chunk_bytes;
		int rc = send ? s->t->send(ep, p + off, n) : s->t->recv(ep, p + off, n);

		if (rc)
			return rc;
	}
	return 0;
}

/* Check message seq by the run's --verify level; counts the messages checked byte by byte. */
IPCB_HOT static int verify(const struct ipcb_run_spec *s, const void *buf, uint64_t seq,
			   uint64_t *full_checks, char *err)
{
	struct ipcb_msg_fault f;
	enum ipcb_msg_scope scope = ipcb_msg_scope_for(s->verify, seq, s->size_bytes);

	if (s->t->caps & IPCB_CAP_NO_DATA)
		return 0;
	if (ipcb_msg_check(buf, s->size_bytes, seq, scope, &f) < 0) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "verification failed: %s", f.what);
		return -EBADMSG;
	}
	*full_checks += scope == IPCB_MSG_ALL;
	return 0;
}

/*
 * Application work per message (--work-ns): a busy wait, so it costs CPU like real processing
 * and never sleeps. Streams do it on both sides (producing, consuming), the echo side before
 * answering (a server handling a request), the latency sender after each round trip (think
 * time, outside the sample).
 */
IPCB_HOT static void busy_work(uint64_t ns)
{
	uint64_t end;

	if (!ns)
		return;
	end = ipcb_now_ns() + ns;
	while (ipcb_now_ns() < end)
		ipcb_cpu_relax();
}

/* The sequence number the sender stamps on its i-th message (shifted by injected faults). */
IPCB_HOT static uint64_t stamp_seq(const struct ipcb_run_spec *s, uint64_t i)
{
	if (s->inject == IPCB_INJECT_DROP && i >= 5)
		return i + 1;
	if (s->inject == IPCB_INJECT_DUP && i == 5)
		return 4;
	return i;
}

/*
 * Damage that each --verify level does or does not see: a byte in the middle is a pattern byte,
 * seen by the every-byte check (in a message `sampled` picks, message 64, or one only `full`
 * checks, message 65); the send time is covered by the stamps, at every level.
 */
IPCB_HOT static void receiver_inject(const struct ipcb_run_spec *s, unsigned char *buf, uint64_t i)
{
	if ((s->inject == IPCB_INJECT_CORRUPT && i == IPCB_MSG_FULL_EVERY) ||
	    (s->inject == IPCB_INJECT_CORRUPT_UNSAMPLED && i == IPCB_MSG_FULL_EVERY + 1))
		buf[s->size_bytes / 2] ^= 0x40;
	if (s->inject == IPCB_INJECT_CORRUPT_STAMP && i == 5)
		buf[s->size_bytes >= IPCB_MSG_TIME_MIN ? 9 : s->size_bytes - 1] ^= 0x01;
	if (i != 5)
		return;
	if (s->inject == IPCB_INJECT_CRASH)
		raise(SIGSEGV);
	else if (s->inject == IPCB_INJECT_HANG)
		for (;;)
			pause();
}

uint64_t ipcb_inject_message(enum ipcb_inject f)
{
	/* Where receiver_inject() and stamp_seq() make it happen. */
	return f == IPCB_INJECT_CORRUPT		    ? IPCB_MSG_FULL_EVERY
	       : f == IPCB_INJECT_CORRUPT_UNSAMPLED ? IPCB_MSG_FULL_EVERY + 1
						    : 5;
}

/* Planned message count, or UINT64_MAX when the duration decides. */
static uint64_t planned_total(const struct ipcb_run_spec *s)
{
	/*
	 * The receiver times a stream from the arrival of the last warm-up message (or of message
	 * 0, which then is not counted). A transport that moves nothing is timed at the sender.
	 */
	uint64_t extra =
	    s->mode == IPCB_MODE_THROUGHPUT && s->warmup == 0 && !(s->t->caps & IPCB_CAP_NO_DATA)
		? 1
		: 0;

	return s->messages ? s->warmup + s->messages + extra : UINT64_MAX;
}

IPCB_HOT static void publish_total(struct run_area *a, uint64_t total)
{
	__atomic_store_n(&a->total, total, __ATOMIC_SEQ_CST);
}

IPCB_HOT static bool is_last_seen(struct run_area *a, uint64_t i)
{
	uint64_t total = __atomic_load_n(&a->total, __ATOMIC_ACQUIRE);

	return total != 0 && i + 1 >= total;
}

/*
 * The network segments the sender puts on the wire in its measured phase, where the transport
 * counts them: the count at the start, then (end) the difference.
 */
static void segments_mark(const struct ipcb_run_spec *s, struct ipcb_ep *ep, struct run_side *me,
			  bool end)
{
	uint64_t n;

	if (!s->t->segments_sent || s->t->segments_sent(ep, &n) < 0) {
		me->segments_ok = false;
		return;
	}
	if (!end) {
		me->segments = n;
		me->segments_ok = true;
	} else if (me->segments_ok) {
		me->segments = n - me->segments;
	}
}

/* The sender's measured phase begins: CPU time, clock, and the deadline the duration sets. */
IPCB_HOT static void measure_start(const struct ipcb_run_spec *s, struct run_side *me,
				   struct usage_mark *start, uint64_t *deadline)
{
	*start = usage_now();
	me->t_first_ns = ipcb_now_ns();
	if (s->duration_s > 0)
		*deadline = me->t_first_ns + (uint64_t)(s->duration_s * 1e9);
}

/*
 * Side A in latency mode: send, wait for the echo, one histogram sample per round trip, then
 * check what came back. The echo carries the very bytes B received, so this one check covers
 * both directions; and it comes after the sample is taken, before the next message is sent, so
 * it is never inside a measured round trip, whether or not both sides share one CPU.
 */
IPCB_HOT static int latency_sender(struct run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx,
				   char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h = run_hist(c->area, RUN_HIST_RTT);
	struct ipcb_hist *h_ba = run_hist(c->area, RUN_HIST_BA);
	uint64_t total = planned_total(s), deadline = UINT64_MAX, t0, t1 = 0;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last = i + 1 == total;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
		}
		if (i > s->warmup && t1 >= deadline)
			last = true;
		if (last)
			publish_total(c->area, i + 1);
		if (data)
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
		t0 = ipcb_now_ns();
		if (timed)
			ipcb_msg_set_time(tx, s->size_bytes, t0);
		rc = move_payload(s, ep, tx, true);
		if (!rc)
			rc = move_payload(s, ep, rx, false);
		t1 = ipcb_now_ns();
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup) {
			ipcb_hist_record(h, (int64_t)(t1 - t0));
			if (timed)
				record_one_way(h_ba, &me, ipcb_msg_time(rx), t1);
			me.messages++;
		}
		rc = verify(s, rx, i, &me.full_checks, err);
		if (rc)
			return rc;
		if (last)
			break;
		busy_work(s->work_ns);
	}
	me.t_last_ns = t1;
	usage_store(&me, start);
	segments_mark(s, ep, &me, true);
	c->area->side[IPCB_SENDER] = me;
	return 0;
}

/*
 * Side B in latency mode: receive, send the very same bytes back. It checks nothing itself
 * (side A checks the echo): on one CPU, anything B does between receiving and answering is
 * inside A's round trip. Its one clock read serves as the arrival of this message (one-way
 * A->B) and the departure of the echo (one-way B->A).
 */
IPCB_HOT static int latency_echo(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ab = run_hist(c->area, RUN_HIST_AB);
	bool timed = !(s->t->caps & IPCB_CAP_NO_DATA) && s->size_bytes >= IPCB_MSG_TIME_MIN;
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		if (i == s->warmup)
			start = usage_now();
		rc = move_payload(s, ep, rx, false);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (timed) {
			uint64_t tb = ipcb_now_ns();

			if (i >= s->warmup)
				record_one_way(h_ab, &me, ipcb_msg_time(rx), tb);
			ipcb_msg_set_time(rx, s->size_bytes, tb);
		}
		receiver_inject(s, rx, i);
		busy_work(s->work_ns);
		rc = move_payload(s, ep, rx, true);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup)
			me.messages++;
		if (is_last_seen(c->area, i))
			break;
	}
	usage_store(&me, start);
	c->area->side[IPCB_RECEIVER] = me;
	return 0;
}

/* Side A in throughput mode: stream messages; the sender never reads the measuring clock. */
IPCB_HOT static int stream_sender(struct run_ctx *c, struct ipcb_ep *ep, void *tx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	uint64_t total = planned_total(s), deadline = UINT64_MAX;
	/* Small messages are cheap: look at the clock (only to decide the end) every 16th. */
	uint64_t clock_mask = s->size_bytes >= 4096 ? 0 : 15;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last = i + 1 == total;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
		}
		if (i > s->warmup + 1 && deadline != UINT64_MAX && (i & clock_mask) == 0 &&
		    ipcb_now_ns() >= deadline)
			last = true;
		if (last)
			publish_total(c->area, i + 1);
		if (data)
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
		busy_work(s->work_ns);
		/* A sample of messages carries its send time: latency under load, at little cost.
		 */
		if (timed && i % RUN_STREAM_STAMP_EVERY == 0)
			ipcb_msg_set_time(tx, s->size_bytes, ipcb_now_ns());
		rc = move_payload(s, ep, tx, true);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup)
			me.messages++;
		if (last)
			break;
	}
	me.t_last_ns = ipcb_now_ns();
	usage_store(&me, start);
	segments_mark(s, ep, &me, true);
	c->area->side[IPCB_SENDER] = me;
	/* Stay until the receiver has everything: closing early could discard data in flight. */
	while (__atomic_load_n(&c->area->recv_done, __ATOMIC_ACQUIRE) == 0) {
		rc = ipcb_futex_wait(&c->area->recv_done, 0);
		if (rc < 0) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(end handshake): %s",
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Side B in throughput mode: receive and check every message, timed first to last. */
IPCB_HOT static int stream_receiver(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ow = run_hist(c->area, RUN_HIST_AB);
	uint64_t mark = s->warmup > 0 ? s->warmup - 1 : 0;
	bool timed = !(s->t->caps & IPCB_CAP_NO_DATA) && s->size_bytes >= IPCB_MSG_TIME_MIN;
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		rc = move_payload(s, ep, rx, false);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (timed && i > mark && ipcb_msg_time(rx))
			record_one_way(h_ow, &me, ipcb_msg_time(rx), ipcb_now_ns());
		receiver_inject(s, rx, i);
		if (i == mark) {
			me.t_first_ns = ipcb_now_ns();
			start = usage_now();
		}
		rc = verify(s, rx, i, &me.full_checks, err);
		if (rc)
			return rc;
		busy_work(s->work_ns);
		if (i > mark)
			me.messages++;
		if (is_last_seen(c->area, i)) {
			me.t_last_ns = ipcb_now_ns();
			break;
		}
	}
	usage_store(&me, start);
	c->area->side[IPCB_RECEIVER] = me;
	__atomic_store_n(&c->area->recv_done, 1, __ATOMIC_RELEASE);
	ipcb_futex_wake(&c->area->recv_done, 1);
	return 0;
}

IPCB_HOT static int run_body(int role, void *arg, void *area_v, char *err)
{
	struct run_ctx *c = arg;
	const struct ipcb_run_spec *s = c->spec;
	const struct ipcb_transport *t = s->t;
	struct ipcb_ep ep = {.chan = c->chan, .role = (enum ipcb_role)role};
	void *tx = NULL, *rx = NULL;
	int rc;

	c->area = area_v;
	if (t->ep_priv_bytes) {
		ep.priv = calloc(1, t->ep_priv_bytes);
		if (!ep.priv) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "calloc(endpoint state): %s",
				 strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	tx = buf_map(s->size_bytes);
	rx = buf_map(s->size_bytes);
	if (!tx || !rx) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(two %zu-byte message buffers): %s",
			 s->size_bytes, strerror(errno));
		rc = -ENOMEM;
		goto unmap;
	}
	/* Fill both now so that no page fault lands in the measured loop. */
	ipcb_msg_fill(tx, s->size_bytes);
	memset(rx, 0, s->size_bytes);
	rc = t->open(&ep);
	if (rc) {
		transport_fail(&ep.err, "open", err);
		goto unmap;
	}
	rc = ipcb_run_barrier();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
		goto close_ep;
	}
	if (s->mode == IPCB_MODE_LATENCY)
		rc = role == IPCB_SENDER ? latency_sender(c, &ep, tx, rx, err)
					 : latency_echo(c, &ep, rx, err);
	else
		rc = role == IPCB_SENDER ? stream_sender(c, &ep, tx, err)
					 : stream_receiver(c, &ep, rx, err);
	c->area->side[role].cpu_seen = sched_getcpu();
close_ep:
	if (t->close)
		t->close(&ep);
unmap:
	if (tx)
		munmap(tx, s->size_bytes);
	if (rx)
		munmap(rx, s->size_bytes);
	free(ep.priv);
	return rc;
}

/* "ipcbench-<pid>-<16 random hex digits>": unpredictable, and says whose it is. */
static void run_tag(char *tag, size_t n)
{
	uint64_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = ipcb_now_ns() ^ ((uint64_t)getpid() << 32);
	snprintf(tag, n, "ipcbench-%d-%016" PRIx64, (int)getpid(), rnd);
}

/* A private copy of a histogram from the shared area, for the caller to keep. */
static int hist_copy(const struct ipcb_hist *src, struct ipcb_hist **out)
{
	int rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS, out);

	if (!rc)
		rc = ipcb_hist_add(*out, src);
	return rc;
}

int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	/* Whole cache lines each: the sender records into one, the receiver into another. */
	size_t hist_bytes =
	    (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	    ~(size_t)63;
	size_t area_bytes = sizeof(struct run_area) + RUN_HISTS * hist_bytes;
	struct ipcb_chan chan = {.t = s->t, .cfg = s->cfg};
	struct run_ctx ctx = {.spec = s, .chan = &chan};
	struct run_area *area;
	const struct run_side *rs;
	int rc;

	memset(r, 0, sizeof(*r));
	area = ipcb_run_area_map(area_bytes);
	if (!area) {
		snprintf(r->error, sizeof(r->error), "mmap(result area): %s", strerror(errno));
		return -ENOMEM;
	}
	area->hist_bytes = hist_bytes;
	for (int k = 0; k < RUN_HISTS; k++)
		ipcb_hist_init(run_hist(area, (enum run_hist)k), hist_bytes, IPCB_HIST_LOWEST,
			       IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	run_tag(chan.tag, sizeof(chan.tag));
	if (s->t->chan_priv_bytes) {
		chan.priv = calloc(1, s->t->chan_priv_bytes);
		if (!chan.priv) {
			snprintf(r->error, sizeof(r->error), "calloc(channel state): %s",
				 strerror(ENOMEM));
			rc = -ENOMEM;
			goto unmap;
		}
	}
	if (s->t->setup) {
		rc = s->t->setup(&chan);
		if (rc) {
			char text[IPCB_RUN_ERR_BYTES];

			transport_fail(&chan.err, "setup", text);
			snprintf(r->error, sizeof(r->error), "%s", text);
			goto teardown;
		}
	}
	r->buffer_bytes = chan.buffer_bytes;
	memcpy(r->layout, chan.layout, sizeof(r->layout));
	r->layout[sizeof(r->layout) - 1] = '\0';
	rc = ipcb_run_pair(s->cpu, s->timeout_s, run_body, &ctx, area, r->error, sizeof(r->error),
			   &r->signal);
	if (rc)
		goto teardown;

	r->cpu_s[0] = area->side[0].cpu_s;
	r->cpu_s[1] = area->side[1].cpu_s;
	r->ctx_switches[0] = area->side[0].ctx_switches;
	r->ctx_switches[1] = area->side[1].ctx_switches;
	r->cpu_seen[0] = area->side[0].cpu_seen;
	r->cpu_seen[1] = area->side[1].cpu_seen;
	r->full_checks = area->side[0].full_checks + area->side[1].full_checks;
	r->segments = area->side[IPCB_SENDER].segments;
	r->segments_counted = area->side[IPCB_SENDER].segments_ok;
	/*
	 * Latency is measured by the sender, throughput by the receiver. A transport that moves
	 * nothing has no receiving to time: its stream rate is the sender's loop, the harness cost.
	 */
	rs = &area->side[s->mode == IPCB_MODE_LATENCY || (s->t->caps & IPCB_CAP_NO_DATA)
			     ? IPCB_SENDER
			     : IPCB_RECEIVER];
	r->messages = rs->messages;
	r->elapsed_s = (double)(rs->t_last_ns - rs->t_first_ns) / 1e9;
	/* Latency rows give round trips per second; only a stream's bytes per second is a rate. */
	if (r->elapsed_s > 0) {
		r->msgs_per_s = (double)r->messages / r->elapsed_s;
		if (s->mode == IPCB_MODE_THROUGHPUT && !(s->t->caps & IPCB_CAP_NO_DATA))
			r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
	}
	r->clock_anomalies = area->side[0].clock_anomalies + area->side[1].clock_anomalies;
	if (s->mode == IPCB_MODE_LATENCY)
		rc = hist_copy(run_hist(area, RUN_HIST_RTT), &r->hist);
	if (!rc && ipcb_hist_total(run_hist(area, RUN_HIST_AB)))
		rc = hist_copy(run_hist(area, RUN_HIST_AB), &r->one_way[0]);
	if (!rc && ipcb_hist_total(run_hist(area, RUN_HIST_BA)))
		rc = hist_copy(run_hist(area, RUN_HIST_BA), &r->one_way[1]);
	if (rc)
		snprintf(r->error, sizeof(r->error), "histogram copy: %s", strerror(-rc));
	if (!rc && r->messages == 0) {
		snprintf(r->error, sizeof(r->error), "no message was measured");
		rc = -ENODATA;
	}
teardown:
	if (s->t->teardown)
		s->t->teardown(&chan);
	free(chan.priv);
unmap:
	ipcb_run_area_unmap(area, area_bytes);
	if (rc)
		ipcb_run_result_fini(r);
	return rc;
}

size_t ipcb_chunk_for(size_t max_msg_bytes, size_t size_bytes)
{
	return max_msg_bytes && max_msg_bytes < size_bytes ? max_msg_bytes : size_bytes;
}

void ipcb_run_result_fini(struct ipcb_run_result *r)
{
	ipcb_hist_destroy(r->hist);
	ipcb_hist_destroy(r->one_way[0]);
	ipcb_hist_destroy(r->one_way[1]);
	r->hist = r->one_way[0] = r->one_way[1] = NULL;
}
