/* SPDX-License-Identifier: MIT */
/*
 * launch.c - the sides of a measurement as processes: fork, pin, control messages, the start
 * barrier, reaping; see launch.h.
 *
 * The story of a launch, top to bottom:
 *   1. the driver maps a control area (each side's error text, failure time and exit mark) and
 *      makes one control socket pair per side;
 *   2. it forks the sides; each pins itself and runs its body, which talks to the driver only
 *      over its control socket: its address, "ready", "done", and what the driver answers;
 *   3. the driver waits in one poll for control messages, signals (through a signalfd: SIGCHLD
 *      and every stop signal) and the deadline, and answers the messages: all addresses once
 *      every side has published one, "go" once every side is ready, "end" to one role once
 *      every side of the other is done;
 *   4. when every side has exited it is over; when one fails, a signal asks the driver to stop,
 *      or the deadline passes, the rest are killed and reaped, and the first failure is named.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "area.h"
#include "clock.h"
#include "crash.h"
#include "rundir.h"

/* ---- signals ---------------------------------------------------------------------------- */

static sigset_t run_saved_mask;
static sigset_t run_wait_set;
static int run_signal_fd = -1; /* readable while one of run_wait_set is pending */

/*
 * Does this signal ask the driver to stop? Every catchable signal whose default action ends the
 * process does: each ends the run in progress cleanly (sides killed and reaped, kernel objects
 * removed, rows kept) instead of killing the driver mid-run. The others stop or continue the
 * process, or are ignored by default; SIGKILL and SIGSTOP cannot be caught. glibc keeps the
 * first two real-time signals for itself (SIGRTMIN is the first it leaves).
 *
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP and SIGSYS are stop signals too when another
 * process sends them. Where the crash guard runs (crash.h) they stay unblocked, since the kernel
 * ends a process whose fault signal is blocked without running any handler: the guard tells a
 * crash (cleaned up after, then the default action) from one sent (queued blocked, taken here
 * like the rest). Without the guard they are blocked like the rest, and a crash is forced
 * through by the kernel, default action and core dump.
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
	sigset_t block;

	ipcb_run_signals_ignore();
	sigemptyset(&run_wait_set);
	sigaddset(&run_wait_set, SIGCHLD);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (is_stop_signal(sig))
			sigaddset(&run_wait_set, sig);
	block = run_wait_set;
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (ipcb_crash_guard_catches(sig))
			sigdelset(&block, sig);
	if (sigprocmask(SIG_BLOCK, &block, &run_saved_mask) < 0)
		return -errno;
	ipcb_crash_guard_queue_stops();
	return 0;
}

/*
 * The descriptor a launch polls to wake when a signal is pending (the signals themselves are
 * taken with sigtimedwait). Made at the first launch, not at start-up, so that it takes no
 * descriptor before the outputs have theirs.
 */
static int run_signal_fd_get(void)
{
	if (run_signal_fd < 0)
		run_signal_fd = signalfd(-1, &run_wait_set, SFD_NONBLOCK | SFD_CLOEXEC);
	return run_signal_fd < 0 ? -errno : run_signal_fd;
}

int ipcb_run_signal_fd(void)
{
	return run_signal_fd_get();
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

/* ---- control messages ----------------------------------------------------------------------- */

enum ctl_type {
	CTL_ADDR = 1, /* side -> driver: one address */
	CTL_PEERS,    /* driver -> side: every side's address, in side order */
	CTL_READY,    /* side -> driver: at the start barrier */
	CTL_GO,	      /* driver -> side: start */
	CTL_DONE,     /* side -> driver: measured work over */
	CTL_END,      /* driver -> side: every side of the other role is done */
	CTL_WANT,     /* side -> driver: the others' addresses first, mine follows (a stand-in) */
	CTL_HELLO,    /* joined side -> driver: which side it is (ctl_hello) */
	CTL_SPEC,     /* driver -> joined side: the run's spec */
	CTL_FAIL,     /* joined side -> driver: it failed (ctl_fail) */
	CTL_BYE,      /* joined side -> driver: it is done and exits */
	CTL_RESULT,   /* joined side -> driver: a piece of its results (count: its bytes) */
	CTL_FAILING,  /* forked side -> driver: its work failed, its error is in its slot */
};

struct ctl_hdr {
	uint32_t type;
	uint32_t count; /* addresses that follow */
};

/* What each side hands back to the driver, on a cache line of its own. */
struct side_ctl {
	_Alignas(64) uint64_t fail_ns; /* when its body failed: the first failure is the cause */
	uint32_t exiting;	       /* its body has returned: it is only exiting now */
	int cpu_go;		       /* 1 + the CPU it was on when released; 0 = not yet */
	char err[IPCB_RUN_ERR_BYTES];
};

/* In a side: its control socket, its slot in the control area, and who it is. */
static int side_fd = -1;
static struct side_ctl *side_ctl;
static struct ipcb_side side_self;

static int ctl_send(int fd, enum ctl_type type, const struct ipcb_addr *addrs, unsigned count)
{
	struct ctl_hdr h = {.type = type, .count = count};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)addrs, count * sizeof(*addrs)}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = count ? 2 : 1};

	while (sendmsg(fd, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Blocking receive of the message a side waits for; anything else is a protocol error. */
static int side_expect(enum ctl_type type, struct ipcb_addr *addrs, unsigned count)
{
	struct ctl_hdr h;
	struct iovec iov[2] = {{&h, sizeof(h)}, {addrs, count * sizeof(*addrs)}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = count ? 2 : 1};
	ssize_t n;

	while ((n = recvmsg(side_fd, &m, 0)) < 0)
		if (errno != EINTR)
			return -errno;
	if (n == 0)
		return -EPIPE; /* the driver is gone */
	if ((size_t)n != sizeof(h) + count * sizeof(*addrs) || h.type != type || h.count != count)
		return -EPROTO;
	return 0;
}

int ipcb_side_exchange(const struct ipcb_addr *mine, struct ipcb_addr *all)
{
	int rc = ctl_send(side_fd, CTL_ADDR, mine, 1);

	return rc ? rc : side_expect(CTL_PEERS, all, side_self.nsides);
}

int ipcb_side_want_peers(struct ipcb_addr *all)
{
	int rc = ctl_send(side_fd, CTL_WANT, NULL, 0);

	return rc ? rc : side_expect(CTL_PEERS, all, side_self.nsides);
}

int ipcb_side_fd(void)
{
	return side_fd;
}

void ipcb_side_failed_at(uint64_t when_ns)
{
	side_ctl->fail_ns = when_ns;
}

int ipcb_side_ready(void)
{
	int rc = ctl_send(side_fd, CTL_READY, NULL, 0);

	if (!rc)
		rc = side_expect(CTL_GO, NULL, 0);
	/* Where the measured phase begins; checked against the pinned CPU when the body ends. */
	if (!rc)
		side_ctl->cpu_go = sched_getcpu() + 1;
	return rc;
}

int ipcb_side_done(void)
{
	return ctl_send(side_fd, CTL_DONE, NULL, 0);
}

/* CTL_END has been read (by ipcb_side_end_within): waiting for it again would never end. */
static bool side_ended;

int ipcb_side_wait_end(void)
{
	return side_ended ? 0 : side_expect(CTL_END, NULL, 0);
}

int ipcb_side_end_within(int ms)
{
	struct pollfd p = {.fd = side_fd, .events = POLLIN};
	int rc;

	if (side_ended)
		return 1;
	rc = poll(&p, 1, ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (rc == 0)
		return 0;
	rc = side_expect(CTL_END, NULL, 0);
	if (rc)
		return rc;
	side_ended = true;
	return 1;
}

static void joined_fail(const char *err);

void ipcb_side_abort(const char *err)
{
	if (err != side_ctl->err)
		snprintf(side_ctl->err, sizeof(side_ctl->err), "%s", err);
	side_ctl->fail_ns = ipcb_now_ns();
	joined_fail(side_ctl->err);
	__atomic_store_n(&side_ctl->exiting, 1, __ATOMIC_RELEASE);
	_exit(1);
}

/*
 * A forked side that has found a fault says so at once, before it closes its endpoint: closing
 * can take seconds (a library that waits for its peer to hang up), and the driver, told, ends
 * the run now, naming the fault, instead of waiting for the side to exit or the timeout to pass.
 * Its error is already in its slot of the control area. Once: the first fault is the cause.
 */
static bool side_failing_sent;
static bool joined; /* a side started by a runtime (see below), which says CTL_FAIL instead */

void ipcb_side_failing(const char *err)
{
	struct ctl_hdr h = {.type = CTL_FAILING};

	if (side_ctl && !side_ctl->fail_ns)
		side_ctl->fail_ns = ipcb_now_ns();
	if (side_ctl && err && err != side_ctl->err && !side_ctl->err[0])
		snprintf(side_ctl->err, sizeof(side_ctl->err), "%s", err);
	if (!joined && side_fd >= 0 && !side_failing_sent) {
		side_failing_sent = true;
		send(side_fd, &h, sizeof(h), MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	joined_fail(err);
}

/* What a side's body asks of this launcher (engine/launcher.h), forked or joined alike. */
static const struct ipcb_side_ops launch_side_ops = {
    .exchange = ipcb_side_exchange,
    .ready = ipcb_side_ready,
    .done = ipcb_side_done,
    .wait_end = ipcb_side_wait_end,
    .end_within = ipcb_side_end_within,
    .failing = ipcb_side_failing,
    .abort = ipcb_side_abort,
};

/* ---- a side's process ----------------------------------------------------------------------- */

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

/*
 * The side's process name (15 bytes at most): its role, and its index where there are more; a
 * floor's or the clock check's sides say what they are ("ipcb-floor-rcv").
 */
static void side_comm(const char *what, const struct ipcb_side *me)
{
	char name[16];

	if (what)
		snprintf(name, sizeof(name), "ipcb-%s-%s", what,
			 me->role == IPCB_SENDER ? "snd" : "rcv");
	else if (me->nsides > 2)
		snprintf(name, sizeof(name), "ipcb-%s-%u", me->role == IPCB_SENDER ? "snd" : "rcv",
			 me->index);
	else
		snprintf(name, sizeof(name), "ipcb-%s",
			 me->role == IPCB_SENDER ? "sender" : "receiver");
	prctl(PR_SET_NAME, name);
}

static void side_main(const struct ipcb_launch *l, const struct ipcb_side *me, pid_t parent,
		      int *fds, struct side_ctl *ctl)
{
	char *err = ctl->err;
	int rc;

	/* Never outlive the driver: if it dies, the kernel kills us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	sigprocmask(SIG_SETMASK, &run_saved_mask, NULL);
	/* Only this side's own end of its control socket stays open. */
	if (run_signal_fd >= 0)
		close(run_signal_fd);
	for (unsigned k = 0; k < me->nsides; k++) {
		if (fds[2 * k] >= 0)
			close(fds[2 * k]);
		if (k != me->number && fds[2 * k + 1] >= 0)
			close(fds[2 * k + 1]);
	}
	side_fd = fds[2 * me->number + 1];
	side_ctl = ctl;
	side_self = *me;
	/* `ps`, `top` and `pgrep -x ipcb-receiver` tell the sides apart: ipcb-sender, ipcb-rcv-2.
	 */
	side_comm(l->what, me);
	oom_first();
	rc = pin_to(me->cpu, err);
	if (rc == 0)
		rc = l->body(me, l->arg, l->area, err);
	if (rc == 0)
		rc = check_placement(me->cpu, ctl->cpu_go, err);
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "%s", strerror(-rc));
	/* A stand-in may have said when its failure really happened, on the other host. */
	if (rc && !ctl->fail_ns)
		ctl->fail_ns = ipcb_now_ns();
	__atomic_store_n(&ctl->exiting, 1, __ATOMIC_RELEASE);
	_exit(rc == 0 ? 0 : 1);
}

/* ---- the driver's side of a launch ---------------------------------------------------------- */

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

struct launch_state {
	struct ipcb_launch *l;
	unsigned n;
	struct ipcb_side *side;
	pid_t *pid;
	int *status;
	bool *done;	 /* reaped */
	bool *killed;	 /* killed by the driver: its end says nothing about the cause */
	bool *said_done; /* sent CTL_DONE */
	bool *failing;	 /* sent CTL_FAILING: the run ends now */
	int *fds;	 /* [2k] the driver's end, [2k + 1] the side's */
	struct ipcb_addr *addr;
	bool *have_addr;
	bool *want; /* asked for the others' addresses before publishing its own */
	bool *want_sent;
	bool *ready;
	bool end_sent[2]; /* CTL_END sent to all senders [0], all receivers [1] */
	bool peers_sent, released;
	struct side_ctl *ctl;
	size_t ctl_bytes;
};

static struct side_ctl *ctl_at(const struct launch_state *st, unsigned k)
{
	return (struct side_ctl *)((char *)st->ctl + (size_t)k * sizeof(struct side_ctl));
}

/*
 * Kill and reap every side: one still inside its body at once, one already exiting after
 * EXIT_GRACE_NS. Returns a signal that asked the driver to stop meanwhile (0: none), and names
 * the sides that could not be reaped in `stuck` ("" when all were).
 */
static int reap_all(struct launch_state *st, char *stuck, size_t stuck_bytes)
{
	uint64_t grace_end = ipcb_now_ns() + EXIT_GRACE_NS, limit = UINT64_MAX;
	size_t len = 0;
	int stop = 0;

	for (;;) {
		struct timespec ts = {0, 10000000};
		uint64_t now = ipcb_now_ns();
		bool left = false;
		siginfo_t si;
		int sig;

		for (unsigned k = 0; k < st->n; k++) {
			if (st->pid[k] <= 0)
				continue;
			if (waitpid(st->pid[k], &st->status[k], WNOHANG) == st->pid[k]) {
				st->pid[k] = 0;
				st->done[k] = true;
				continue;
			}
			if (!st->killed[k] &&
			    (!__atomic_load_n(&ctl_at(st, k)->exiting, __ATOMIC_ACQUIRE) ||
			     now >= grace_end)) {
				kill(st->pid[k], SIGKILL);
				st->killed[k] = true;
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
	for (unsigned k = 0; k < st->n; k++)
		if (st->pid[k] > 0 && len < stuck_bytes) {
			char name[32];

			ipcb_side_name(&st->side[k], st->l->senders, st->l->receivers, name,
				       sizeof(name));
			len += (size_t)snprintf(stuck + len, stuck_bytes - len, "%s%s (pid %d)",
						len ? " and the " : "the ", name, (int)st->pid[k]);
		}
	return stop;
}

/* Describe how a side ended, for the error line. */
static void describe_exit(const struct launch_state *st, unsigned k, char *out, size_t n)
{
	int status = st->status[k];
	const char *err = ctl_at(st, k)->err;
	char name[32];

	ipcb_side_name(&st->side[k], st->l->senders, st->l->receivers, name, sizeof(name));
	if ((WIFEXITED(status) || st->killed[k]) && err[0]) {
		snprintf(out, n, "%s: %s", name, err);
	} else if (WIFEXITED(status)) {
		snprintf(out, n, "%s exited with status %d", name, WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		char note[64];

		ipcb_crash_stack_note(WTERMSIG(status), note, sizeof(note));
		snprintf(out, n, "%s killed by signal %d (%s)%s", name, WTERMSIG(status),
			 strsignal(WTERMSIG(status)), note);
	} else {
		snprintf(out, n, "%s ended abnormally (status 0x%x)", name, status);
	}
}

/*
 * Did side k die of a signal of its own (a crash)? The driver kills only with SIGKILL, and a
 * side already dying of its own signal keeps that one: its peer may have seen the connection
 * close (the kernel closes a dying process's files before it can be reaped) and said it failed,
 * so that the driver killed the crashed side before it could reap it.
 */
static bool side_crashed(const struct launch_state *st, unsigned k)
{
	return st->done[k] && WIFSIGNALED(st->status[k]) &&
	       (!st->killed[k] || WTERMSIG(st->status[k]) != SIGKILL);
}

/*
 * Did side k fail? It exited with a failure or crashed, or it had said it failed
 * (ipcb_side_failing) and was killed while it cleaned up, after another side's consequent
 * failure ended the launch.
 */
static bool side_failed(const struct launch_state *st, unsigned k)
{
	if (!st->done[k])
		return false;
	if (st->killed[k])
		return side_crashed(st, k) ||
		       (ctl_at(st, k)->fail_ns != 0 && ctl_at(st, k)->err[0]);
	return !(WIFEXITED(st->status[k]) && WEXITSTATUS(st->status[k]) == 0);
}

/*
 * Which side's failure caused the launch's end, or -1 if none has failed. A side killed by a
 * signal (a crash) comes first, then the side whose error came first: the others' errors (EPIPE,
 * a reset connection) are usually only the consequence.
 */
static int first_failure(const struct launch_state *st)
{
	int best = -1;

	for (unsigned k = 0; k < st->n; k++) {
		bool sig_k;

		if (!side_failed(st, k))
			continue;
		/* A crash, not the driver's own SIGKILL of a side that had already failed. */
		sig_k = side_crashed(st, k);
		if (best < 0) {
			best = (int)k;
			continue;
		}
		if (sig_k != side_crashed(st, (unsigned)best)) {
			if (sig_k)
				best = (int)k;
			continue;
		}
		if (ctl_at(st, k)->fail_ns && ctl_at(st, k)->fail_ns < ctl_at(st, best)->fail_ns)
			best = (int)k;
	}
	return best;
}

static bool all_of(const bool *flags, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (!flags[k])
			return false;
	return true;
}

/* Send one message to every side of a role (all sides when role < 0) that is still there. */
static void broadcast(struct launch_state *st, int role, enum ctl_type type,
		      const struct ipcb_addr *addrs, unsigned count)
{
	for (unsigned k = 0; k < st->n; k++)
		if ((role < 0 || (int)st->side[k].role == role) && st->fds[2 * k] >= 0)
			ctl_send(st->fds[2 * k], type, addrs, count);
}

/*
 * The messages every side sends, forked or joined, into side k's state: its address (a whole
 * one, `a` when `whole`), that it wants the others' first, is ready, or is done. False when
 * `type` is none of them.
 */
static bool note_side_msg(struct launch_state *st, unsigned k, const struct ctl_hdr *h,
			  const struct ipcb_addr *a, bool whole)
{
	switch (h->type) {
	case CTL_ADDR:
		if (whole && h->count == 1) {
			st->addr[k] = *a;
			st->have_addr[k] = true;
		}
		return true;
	case CTL_WANT:
		st->want[k] = true;
		return true;
	case CTL_READY:
		st->ready[k] = true;
		return true;
	case CTL_DONE:
		st->said_done[k] = true;
		return true;
	case CTL_FAILING:
		st->failing[k] = true;
		return true;
	default:
		return false;
	}
}

/* Take the control messages side k has sent, and answer what is complete. */
static void handle_side(struct launch_state *st, unsigned k)
{
	for (;;) {
		struct {
			struct ctl_hdr h;
			struct ipcb_addr a;
		} m;
		ssize_t got = recv(st->fds[2 * k], &m, sizeof(m), MSG_DONTWAIT);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;
		if (got == 0) { /* the side is gone: its exit status will say why */
			close(st->fds[2 * k]);
			st->fds[2 * k] = -1;
			return;
		}
		if ((size_t)got >= sizeof(m.h))
			note_side_msg(st, k, &m.h, &m.a, (size_t)got == sizeof(m));
	}
}

/* After the messages: send every side what it now waits for. */
static void answer(struct launch_state *st)
{
	/*
	 * A stand-in for a side on another host gets the others' addresses as soon as they are
	 * all in (its own slot empty): it passes them on, and publishes the address that comes
	 * back.
	 */
	for (unsigned k = 0; k < st->n; k++) {
		bool others = true;

		for (unsigned j = 0; j < st->n; j++)
			others = others && (j == k || st->have_addr[j]);
		if (st->want[k] && !st->want_sent[k] && others && st->fds[2 * k] >= 0) {
			struct ipcb_addr mine = st->addr[k];

			memset(&st->addr[k], 0, sizeof(st->addr[k]));
			ctl_send(st->fds[2 * k], CTL_PEERS, st->addr, st->n);
			st->addr[k] = mine;
			st->want_sent[k] = true;
		}
	}
	if (!st->peers_sent && all_of(st->have_addr, st->n)) {
		broadcast(st, -1, CTL_PEERS, st->addr, st->n);
		st->peers_sent = true;
	}
	if (!st->released && all_of(st->ready, st->n)) {
		broadcast(st, -1, CTL_GO, NULL, 0);
		st->released = true;
	}
	for (int role = 0; role < 2; role++) {
		bool other_done = true;

		for (unsigned k = 0; k < st->n; k++)
			if ((int)st->side[k].role != role && !st->said_done[k])
				other_done = false;
		if (!st->end_sent[role] && other_done) {
			broadcast(st, role, CTL_END, NULL, 0);
			st->end_sent[role] = true;
		}
	}
}

/* "the sender and the receiver", "the receiver", "the sender, the receiver 1 and ...". */
static void running_sides(const struct launch_state *st, char *out, size_t n)
{
	unsigned left = 0, seen = 0;
	size_t len = 0;

	out[0] = '\0';
	for (unsigned k = 0; k < st->n; k++)
		left += !st->done[k];
	for (unsigned k = 0; k < st->n && len < n; k++) {
		char name[32];

		if (st->done[k])
			continue;
		ipcb_side_name(&st->side[k], st->l->senders, st->l->receivers, name, sizeof(name));
		seen++;
		len += (size_t)snprintf(out + len, n - len, "%sthe %s",
					seen == 1      ? ""
					: seen == left ? " and "
						       : ", ",
					name);
	}
}

static int launch_alloc(struct launch_state *st)
{
	unsigned n = st->n;

	st->side = calloc(n, sizeof(*st->side));
	st->pid = calloc(n, sizeof(*st->pid));
	st->status = calloc(n, sizeof(*st->status));
	st->done = calloc(n, sizeof(*st->done));
	st->killed = calloc(n, sizeof(*st->killed));
	st->said_done = calloc(n, sizeof(*st->said_done));
	st->failing = calloc(n, sizeof(*st->failing));
	st->fds = malloc(2 * n * sizeof(*st->fds));
	st->addr = calloc(n, sizeof(*st->addr));
	st->have_addr = calloc(n, sizeof(*st->have_addr));
	st->want = calloc(n, sizeof(*st->want));
	st->want_sent = calloc(n, sizeof(*st->want_sent));
	st->ready = calloc(n, sizeof(*st->ready));
	st->ctl_bytes = n * sizeof(struct side_ctl);
	st->ctl = ipcb_run_area_map(st->ctl_bytes);
	if (!st->side || !st->pid || !st->status || !st->done || !st->killed || !st->said_done ||
	    !st->failing || !st->fds || !st->addr || !st->have_addr || !st->want ||
	    !st->want_sent || !st->ready || !st->ctl)
		return -ENOMEM;
	for (unsigned k = 0; k < 2 * n; k++)
		st->fds[k] = -1;
	return 0;
}

static void launch_free(struct launch_state *st)
{
	if (st->fds)
		for (unsigned k = 0; k < 2 * st->n; k++)
			if (st->fds[k] >= 0)
				close(st->fds[k]);
	ipcb_run_area_unmap(st->ctl, st->ctl_bytes);
	free(st->side);
	free(st->pid);
	free(st->status);
	free(st->done);
	free(st->killed);
	free(st->said_done);
	free(st->failing);
	free(st->fds);
	free(st->addr);
	free(st->have_addr);
	free(st->want);
	free(st->want_sent);
	free(st->ready);
}

/* Wait for the next event: a control message, a signal or a dying side, or the deadline. */
static void launch_wait(struct launch_state *st, uint64_t deadline)
{
	struct pollfd *pfd = calloc(st->n + 1, sizeof(*pfd));
	uint64_t now = ipcb_now_ns(), wait_ns = deadline > now ? deadline - now : 0;
	struct timespec ts = {(time_t)(wait_ns / 1000000000u), (long)(wait_ns % 1000000000u)};
	nfds_t m = 0;

	if (!pfd) { /* no memory for the poll set: wait a little instead */
		struct timespec ms = {0, 1000000};

		nanosleep(&ms, NULL);
		return;
	}
	pfd[m++] = (struct pollfd){.fd = run_signal_fd, .events = POLLIN};
	for (unsigned k = 0; k < st->n; k++)
		if (st->fds[2 * k] >= 0)
			pfd[m++] = (struct pollfd){.fd = st->fds[2 * k], .events = POLLIN};
	ppoll(pfd, m, &ts, NULL);
	free(pfd);
}

int ipcb_launch_run(struct ipcb_launch *l)
{
	struct launch_state st = {.l = l, .n = l->senders + l->receivers};
	pid_t parent = getpid();
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(l->timeout_s * 1e9);
	char stuck[200];
	int rc = 0, culprit, sig_late;

	l->signal = 0;
	l->fail_ns = 0;
	l->error[0] = '\0';
	rc = run_signal_fd_get();
	if (rc < 0) {
		snprintf(l->error, sizeof(l->error), "signalfd: %s", strerror(-rc));
		return rc;
	}
	rc = 0;
	if (st.n == 0 || launch_alloc(&st) < 0) {
		snprintf(l->error, sizeof(l->error), "%s",
			 st.n ? "launch: out of memory" : "launch: no sides");
		launch_free(&st);
		return st.n ? -ENOMEM : -EINVAL;
	}
	for (unsigned k = 0; k < st.n; k++) {
		bool sender = k < l->senders;

		st.side[k] = (struct ipcb_side){.role = sender ? IPCB_SENDER : IPCB_RECEIVER,
						.index = sender ? k : k - l->senders,
						.number = k,
						.nsides = st.n,
						.cpu = l->cpu[k],
						.ops = &launch_side_ops};
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, &st.fds[2 * k]) < 0) {
			rc = -errno;
			snprintf(l->error, sizeof(l->error), "socketpair(control): %s",
				 strerror(-rc));
			launch_free(&st);
			return rc;
		}
	}
	fflush(NULL); /* sides must not inherit unflushed output and print it twice */
	for (unsigned k = 0; k < st.n; k++) {
		st.pid[k] = fork();
		if (st.pid[k] < 0) {
			rc = -errno;
			st.pid[k] = 0;
			st.done[k] = true;
			snprintf(l->error, sizeof(l->error), "fork: %s", strerror(-rc));
			goto kill_sides;
		}
		if (st.pid[k] == 0)
			side_main(l, &st.side[k], parent, st.fds, ctl_at(&st, k));
	}
	/* The sides' ends are theirs now: a side that dies closes the driver's end's peer. */
	for (unsigned k = 0; k < st.n; k++) {
		close(st.fds[2 * k + 1]);
		st.fds[2 * k + 1] = -1;
	}

	while (!all_of(st.done, st.n)) {
		siginfo_t si;
		struct timespec zero = {0, 0};
		int sig;

		launch_wait(&st, deadline);
		for (unsigned k = 0; k < st.n; k++)
			if (st.fds[2 * k] >= 0)
				handle_side(&st, k);
		/* A side found a fault: the run ends now, whatever the others are doing. */
		for (unsigned k = 0; k < st.n; k++)
			if (st.failing[k]) {
				rc = -ECHILD;
				goto kill_sides;
			}
		answer(&st);
		while ((sig = sigtimedwait(&run_wait_set, &si, &zero)) > 0) {
			if (is_stop_signal(sig) && !is_own_write_signal(sig, &si)) {
				l->signal = sig;
				snprintf(l->error, sizeof(l->error), "interrupted by %s",
					 strsignal(sig));
				rc = -EINTR;
				goto kill_sides;
			}
		}
		for (unsigned k = 0; k < st.n; k++)
			if (!st.done[k] &&
			    waitpid(st.pid[k], &st.status[k], WNOHANG) == st.pid[k]) {
				st.done[k] = true;
				st.pid[k] = 0;
			}
		/*
		 * A side failed: the others may wait forever for a peer that is gone. Which
		 * failure came first is decided once every side is reaped: a side whose body
		 * failed first may still be on its way out when its peer's consequent error (a
		 * refused or reset connection) is already in.
		 */
		if (first_failure(&st) >= 0) {
			rc = -ECHILD;
			goto kill_sides;
		}
		if (!all_of(st.done, st.n) && ipcb_now_ns() >= deadline) {
			char who[200];

			running_sides(&st, who, sizeof(who));
			snprintf(l->error, sizeof(l->error),
				 "timed out after %.1f s with %s still %s", l->timeout_s, who,
				 st.released ? "running (a side stopped answering?)"
					     : "starting up (stuck before the start barrier)");
			rc = -ETIMEDOUT;
			goto kill_sides;
		}
	}
	goto out;

kill_sides:
	sig_late = reap_all(&st, stuck, sizeof(stuck));
	culprit = rc == -ECHILD ? first_failure(&st) : -1;
	/* A side that said it failed, killed before it could say why: it is still the cause. */
	for (unsigned k = 0; culprit < 0 && rc == -ECHILD && k < st.n; k++)
		if (st.failing[k])
			culprit = (int)k;
	if (culprit >= 0) {
		describe_exit(&st, (unsigned)culprit, l->error, sizeof(l->error));
		l->fail_ns = ctl_at(&st, (unsigned)culprit)->fail_ns;
	}
	if (stuck[0]) {
		size_t len = strlen(l->error);

		snprintf(
		    l->error + len, sizeof(l->error) - len,
		    "; %s did not die when killed (frozen by a cgroup freezer, or stuck in the "
		    "kernel): left unreaped",
		    stuck);
	}
	if (sig_late && rc != -EINTR) {
		size_t len = strlen(l->error);

		snprintf(l->error + len, sizeof(l->error) - len, "; then interrupted by %s",
			 strsignal(sig_late));
		l->signal = sig_late;
		rc = -EINTR;
	}
out:
	/* A SIGCHLD from this launch must not wake the next one's wait early. */
	{
		struct timespec zero = {0, 0};
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		while (sigtimedwait(&chld, NULL, &zero) > 0)
			;
	}
	launch_free(&st);
	return rc;
}

/* ---- sides started by a runtime (mpirun) ---------------------------------------------------- */

/*
 * A side the driver did not fork (an MPI rank) reaches it over a Unix socket in the run's
 * directory instead of an inherited socket pair: it says hello with its number, gets the run's
 * spec, and from then on speaks the same control messages as a forked side. What a forked side
 * leaves in the shared control area (its error, when it failed) it sends as a message instead,
 * and it says goodbye before it exits, so that a connection closed without one is a side that
 * died. A crash is reported by the side's own handler (the signal's number) before it dies.
 */
struct ctl_hello {
	struct ctl_hdr h;
	uint32_t number; /* the side's number, senders first */
	int32_t pid;
};

struct ctl_fail {
	struct ctl_hdr h;
	uint64_t fail_ns;
	int32_t signal; /* killed by this signal; 0: its body failed */
	char err[IPCB_RUN_ERR_BYTES];
};

/* The joined side's own control slot (a forked side's is in memory the driver shares). */
static struct side_ctl joined_ctl;
static bool joined, joined_failed;

/*
 * A joined side says it failed as soon as it knows, not when it exits: its peer may be blocked
 * in the runtime's own calls, and closing its endpoint (MPI_Finalize) can wait for that peer;
 * the driver, told, ends the launch and kills both. Once: the first error is the cause.
 */
static void joined_fail(const char *err)
{
	struct ctl_fail f = {.h = {.type = CTL_FAIL}};

	if (!joined || joined_failed)
		return;
	joined_failed = true;
	f.fail_ns = joined_ctl.fail_ns ? joined_ctl.fail_ns : ipcb_now_ns();
	snprintf(f.err, sizeof(f.err), "%s", err && err[0] ? err : "failed");
	send(side_fd, &f, sizeof(f), MSG_NOSIGNAL);
}

static int ctl_recv_exact(int fd, void *buf, size_t want, size_t *got)
{
	ssize_t n;

	while ((n = recv(fd, buf, want, 0)) < 0)
		if (errno != EINTR)
			return -errno;
	if (n == 0)
		return -EPIPE;
	*got = (size_t)n;
	return 0;
}

/*
 * A side on another host reaches the driver over TCP, a byte stream, where the control messages
 * need their boundaries (SOCK_SEQPACKET): on each end a thread relays between the TCP
 * connection, in frames (a 4-byte length in network order, then the message), and one end of
 * a local socket pair, whose other end the side or the launch uses as it would a Unix
 * connection. Everything else of the control protocol stays as it is. The thread ends, closing
 * both of its descriptors, when either end closes or fails, so closing the pair's end is how
 * its user stops it.
 */
#define RELAY_MAX (sizeof(struct ctl_hdr) + 65536 + 64)

struct relay {
	int tcp, seq;
	char key[72]; /* the driver's end: the first frame must be this ("": no check) */
};

static int relay_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int relay_frame(int fd, const void *buf, size_t len)
{
	uint32_t be = htonl((uint32_t)len);
	int rc = relay_write(fd, &be, sizeof(be));

	return rc ? rc : relay_write(fd, buf, len);
}

/* The first frame, within a few seconds: a connection that says nothing is dropped. */
static bool relay_key_ok(struct relay *r, unsigned char *in)
{
	size_t have = 0, want = strlen(r->key);
	uint64_t end = ipcb_now_ns() + 5000000000ull;
	unsigned diff = 0;

	while (have < 4 + want) {
		struct pollfd p = {.fd = r->tcp, .events = POLLIN};
		uint64_t now = ipcb_now_ns();
		ssize_t n;

		if (now >= end || poll(&p, 1, (int)((end - now) / 1000000u) + 1) <= 0)
			return false;
		n = recv(r->tcp, in + have, 4 + want - have, MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			return false;
		have += n > 0 ? (size_t)n : 0;
		if (have >= 4 && ntohl(*(uint32_t *)in) != want)
			return false;
	}
	for (size_t i = 0; i < want; i++)
		diff |= (unsigned)(in[4 + i] ^ (unsigned char)r->key[i]);
	return diff == 0;
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	unsigned char *in = malloc(2 * RELAY_MAX + 8), *msg = in ? in + RELAY_MAX + 8 : NULL;
	size_t have = 0;

	if (!in || (r->key[0] && !relay_key_ok(r, in)))
		goto out;
	for (;;) {
		struct pollfd p[2] = {{.fd = r->tcp, .events = POLLIN},
				      {.fd = r->seq, .events = POLLIN}};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			n = recv(r->seq, msg, RELAY_MAX, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (n > 0 && relay_frame(r->tcp, msg, (size_t)n) < 0)
				break;
		}
		if (p[0].revents) {
			n = recv(r->tcp, in + have, RELAY_MAX + 4 - have, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			have += n > 0 ? (size_t)n : 0;
			while (have >= 4) {
				size_t len = ntohl(*(uint32_t *)in);

				if (len == 0 || len > RELAY_MAX)
					goto out; /* not a frame of ours */
				if (have < 4 + len)
					break;
				if (relay_write(r->seq, in + 4, len) < 0)
					goto out;
				memmove(in, in + 4 + len, have - 4 - len);
				have -= 4 + len;
			}
		}
	}
out:
	shutdown(r->tcp, SHUT_RDWR);
	close(r->tcp);
	close(r->seq);
	free(in);
	free(r);
	return NULL;
}

/*
 * Start a relay for tcp (which it then owns): the local end to use, or -errno. With th, the
 * thread is left to be joined (a side's: see side_leave); without, it is detached.
 */
static int relay_start(int tcp, const char *key, pthread_t *th_out)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct timeval tv = {5, 0};
	int pair[2], one = 1, rc;
	pthread_attr_t at;
	pthread_t th;

	if (!r) {
		close(tcp);
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		rc = -errno;
		close(tcp);
		free(r);
		return rc;
	}
	/* A peer that stops reading cannot hold the relay forever; control messages are small. */
	setsockopt(tcp, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->tcp = tcp;
	r->seq = pair[1];
	snprintf(r->key, sizeof(r->key), "%s", key ? key : "");
	pthread_attr_init(&at);
	if (!th_out)
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = -pthread_create(th_out ? th_out : &th, &at, relay_main, r);
	pthread_attr_destroy(&at);
	if (rc) {
		close(tcp);
		close(pair[1]);
		close(pair[0]);
		free(r);
		return rc;
	}
	return pair[0];
}

static pthread_t side_relay;
static bool side_relayed;

/* "tcp:HOST:PORT" or "tcp:[V6]:PORT": a connection to it, proven with the run's key. */
static int join_tcp(const char *ctl, char *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST},
			*ai = NULL;
	const char *key = getenv(IPCB_RANK_KEY_ENV), *colon = strrchr(ctl, ':');
	char host[128];
	int fd, rc;
	size_t hl;

	if (!colon || colon <= ctl + 4 || !key || !*key || strlen(key) > 64) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control %s: %s", ctl,
			 !key || !*key ? "$" IPCB_RANK_KEY_ENV " is not set" : "not tcp:HOST:PORT");
		return -EINVAL;
	}
	hl = (size_t)(colon - (ctl + 4));
	if (ctl[4] == '[' && hl >= 2 && colon[-1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)hl - 2, ctl + 5);
	else
		snprintf(host, sizeof(host), "%.*s", (int)hl, ctl + 4);
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "getaddrinfo(%s): %s", ctl, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = -errno;
		snprintf(err, IPCB_RUN_ERR_BYTES, "connect(%s): %s", ctl, strerror(-rc));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	rc = relay_frame(fd, key, strlen(key));
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(key): %s", strerror(-rc));
		close(fd);
		return rc;
	}
	rc = relay_start(fd, NULL, &side_relay);
	if (rc < 0)
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(relay): %s", strerror(-rc));
	side_relayed = rc >= 0;
	return rc;
}

/*
 * A relayed side's last messages (its results, its goodbye) are still in the pair when it is
 * done: the process must not exit before the relay has sent them on. Closing this end for
 * writing ends the relay once it has passed on what was queued.
 */
static void side_leave(void)
{
	if (!side_relayed)
		return;
	side_relayed = false;
	shutdown(side_fd, SHUT_WR);
	pthread_join(side_relay, NULL);
}

int ipcb_side_join(const char *ctl, unsigned number, void *spec, size_t spec_bytes, char *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ctl_hello hello = {.h = {.type = CTL_HELLO}, .number = number, .pid = getpid()};
	struct {
		struct ctl_hdr h;
		unsigned char spec[65536];
	} *m = malloc(sizeof(*m));
	size_t got = 0;
	int fd = -1, rc;

	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "malloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (strncmp(ctl, "tcp:", 4) == 0) {
		rc = fd = join_tcp(ctl, err);
		if (rc < 0)
			goto out;
	} else {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", ctl);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			rc = -errno;
			snprintf(err, IPCB_RUN_ERR_BYTES, "connect(%s): %s", ctl, strerror(-rc));
			goto out;
		}
	}
	while (send(fd, &hello, sizeof(hello), MSG_NOSIGNAL) < 0)
		if (errno != EINTR) {
			rc = -errno;
			snprintf(err, IPCB_RUN_ERR_BYTES, "control(hello): %s", strerror(-rc));
			goto out;
		}
	rc = ctl_recv_exact(fd, m, sizeof(*m), &got);
	if (!rc && (got != sizeof(m->h) + spec_bytes || m->h.type != CTL_SPEC))
		rc = -EPROTO;
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(spec): %s", strerror(-rc));
		goto out;
	}
	memcpy(spec, m->spec, spec_bytes);
	side_fd = fd;
	fd = -1;
	side_ctl = &joined_ctl;
	joined = true;
out:
	if (fd >= 0)
		close(fd);
	free(m);
	return rc;
}

#define RESULT_PIECE 32768

int ipcb_side_send_result(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		size_t n = len < RESULT_PIECE ? len : RESULT_PIECE;
		struct ctl_hdr h = {.type = CTL_RESULT, .count = (uint32_t)n};
		struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)p, n}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};

		while (sendmsg(side_fd, &m, MSG_NOSIGNAL) < 0)
			if (errno != EINTR)
				return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* A crash in a joined side: say which signal, then die of it. Async-signal-safe. */
static void joined_crash(int sig)
{
	struct ctl_fail f = {.h = {.type = CTL_FAIL}, .signal = sig};

	if (side_fd >= 0)
		send(side_fd, &f, sizeof(f), MSG_NOSIGNAL | MSG_DONTWAIT);
	signal(sig, SIG_DFL);
	raise(sig);
}

int ipcb_side_run_joined(const struct ipcb_side *me, ipcb_side_fn body, void *arg, void *area,
			 char *err)
{
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct ctl_hdr bye = {.type = CTL_BYE};
	int rc;

	side_self = *me;
	side_self.ops = &launch_side_ops;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		signal(crashes[i], joined_crash);
	side_comm(NULL, me);
	oom_first();
	rc = pin_to(me->cpu, err);
	if (rc == 0)
		rc = body(&side_self, arg, area, err);
	if (rc == 0)
		rc = check_placement(me->cpu, joined_ctl.cpu_go, err);
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "%s", strerror(-rc));
	if (rc)
		joined_fail(err);
	else
		send(side_fd, &bye, sizeof(bye), MSG_NOSIGNAL);
	side_leave();
	return rc;
}

/*
 * How the launcher's command ended, from its wait status ("exited with status 2", "killed by
 * signal 11 (Segmentation fault)"), then `when`, then what the stack limit may have had to do
 * with it (ipcb_crash_stack_note).
 */
static void ext_ended(int status, const char *when, char *out, size_t n)
{
	char note[64] = "";

	if (WIFEXITED(status)) {
		snprintf(out, n, "exited with status %d%s", WEXITSTATUS(status), when);
	} else if (WIFSIGNALED(status)) {
		ipcb_crash_stack_note(WTERMSIG(status), note, sizeof(note));
		snprintf(out, n, "killed by signal %d (%s)%s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), when, note);
	} else {
		snprintf(out, n, "ended (status 0x%x)%s", status, when);
	}
}

/* In the launcher's child: become the command. Never returns. */
__attribute__((noreturn)) static void ext_exec(const struct ipcb_launch_ext *x, pid_t parent)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigprocmask(SIG_SETMASK, &run_saved_mask, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	fd = open(x->log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	closefrom(3);
	execvp(x->argv[0], x->argv);
	dprintf(2, "exec %s: %s\n", x->argv[0], strerror(errno));
	_exit(127);
}

/* Take side k's messages (a joined side's failure, results and goodbye too). */
static void ext_handle(struct launch_state *st, unsigned k, bool *bye,
		       const struct ipcb_launch_ext *x)
{
	for (;;) {
		static union {
			struct ctl_hdr h;
			struct ctl_fail f;
			struct {
				struct ctl_hdr h;
				struct ipcb_addr a;
			} addr;
			struct {
				struct ctl_hdr h;
				unsigned char bytes[RESULT_PIECE];
			} res;
		} m;
		ssize_t got = recv(st->fds[2 * k], &m, sizeof(m), MSG_DONTWAIT);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;
		if (got == 0) {
			close(st->fds[2 * k]);
			st->fds[2 * k] = -1;
			st->done[k] = true;
			return;
		}
		if ((size_t)got < sizeof(m.h) ||
		    note_side_msg(st, k, &m.h, &m.addr.a, (size_t)got == sizeof(m.addr)))
			continue;
		switch (m.h.type) {
		case CTL_FAIL:
			if ((size_t)got == sizeof(m.f)) {
				struct side_ctl *c = ctl_at(st, k);

				c->fail_ns = m.f.fail_ns ? m.f.fail_ns : ipcb_now_ns();
				st->status[k] = m.f.signal ? m.f.signal : (1 << 8);
				if (m.f.signal)
					snprintf(c->err, sizeof(c->err), "killed by signal %d (%s)",
						 m.f.signal, strsignal(m.f.signal));
				else
					snprintf(c->err, sizeof(c->err), "%s", m.f.err);
				c->exiting = 2; /* failed */
			}
			break;
		case CTL_BYE:
			bye[k] = true;
			break;
		case CTL_RESULT: {
			struct side_ctl *c = ctl_at(st, k);
			int rc = (size_t)got == sizeof(m.h) + m.h.count && x->result
				     ? x->result(x->result_arg, k, m.res.bytes, m.h.count)
				     : -EPROTO;

			/* Results that cannot be kept fail the side, as a write it made would. */
			if (rc && c->exiting != 2) {
				snprintf(c->err, sizeof(c->err), "its results: %s", strerror(-rc));
				c->fail_ns = ipcb_now_ns();
				st->status[k] = 1 << 8;
				c->exiting = 2;
			}
			break;
		}
		default:
			break;
		}
	}
}

/*
 * Take a side's connection: its hello says which it is; it is answered with the spec. A side
 * on another host (remote) came over TCP through a relay: its pid is that host's, so it is
 * kept as -1, never one to signal here.
 */
static void ext_take(struct launch_state *st, int fd, bool remote, const struct ipcb_launch_ext *x)
{
	struct ctl_hello hello;
	struct ctl_hdr h = {.type = CTL_SPEC};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)x->spec, x->spec_bytes}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	struct pollfd p;
	size_t got = 0;

	if (fd < 0)
		return;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1 || ctl_recv_exact(fd, &hello, sizeof(hello), &got) < 0 ||
	    got != sizeof(hello) || hello.h.type != CTL_HELLO || hello.number >= st->n ||
	    st->fds[2 * hello.number] >= 0 || st->pid[hello.number] ||
	    sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		close(fd);
		return;
	}
	st->fds[2 * hello.number] = fd;
	st->pid[hello.number] = remote ? -1 : hello.pid;
}

static void ext_accept(struct launch_state *st, int lfd, const struct ipcb_launch_ext *x)
{
	ext_take(st, accept4(lfd, NULL, NULL, SOCK_CLOEXEC), false, x);
}

/* A side on another host: its TCP connection, relayed once it has proven the run's key. */
static void ext_accept_tcp(struct launch_state *st, const struct ipcb_launch_ext *x)
{
	int fd = accept4(x->tcp_lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0)
		ext_take(st, relay_start(fd, x->key, NULL), true, x);
}

int ipcb_launch_run_ext(struct ipcb_launch *l, const struct ipcb_launch_ext *x)
{
	struct launch_state st = {.l = l, .n = l->senders + l->receivers};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(l->timeout_s * 1e9);
	pid_t parent = getpid(), child = 0;
	bool *bye = NULL, launcher_done = false;
	int lfd = -1, rc, status = 0;

	l->signal = 0;
	l->error[0] = '\0';
	rc = run_signal_fd_get();
	if (rc < 0) {
		snprintf(l->error, sizeof(l->error), "signalfd: %s", strerror(-rc));
		return rc;
	}
	if (st.n == 0 || launch_alloc(&st) < 0 || !(bye = calloc(st.n, sizeof(*bye)))) {
		snprintf(l->error, sizeof(l->error), "launch: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned k = 0; k < st.n; k++) {
		bool sender = k < l->senders;

		st.side[k] = (struct ipcb_side){.role = sender ? IPCB_SENDER : IPCB_RECEIVER,
						.index = sender ? k : k - l->senders,
						.number = k,
						.nsides = st.n,
						.cpu = l->cpu[k],
						.ops = &launch_side_ops};
	}
	/* No control socket's path: every side comes over TCP (x->tcp_lfd). */
	if (x->ctl_path) {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", x->ctl_path);
		lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(lfd, 8) < 0) {
			rc = -errno;
			snprintf(l->error, sizeof(l->error), "control socket %s: %s", x->ctl_path,
				 strerror(-rc));
			goto out;
		}
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		rc = -errno;
		child = 0;
		snprintf(l->error, sizeof(l->error), "fork: %s", strerror(-rc));
		goto out;
	}
	if (child == 0)
		ext_exec(x, parent);
	setpgid(child, child);
	ipcb_rundir_note_pid(x->run_dir, child);
	rc = 0;
	for (;;) {
		struct pollfd *pfd = calloc(st.n + 3, sizeof(*pfd));
		uint64_t now = ipcb_now_ns(), wait_ns = deadline > now ? deadline - now : 0;
		struct timespec ts = {(time_t)(wait_ns / 1000000000u),
				      (long)(wait_ns % 1000000000u)};
		struct timespec zero = {0, 0};
		nfds_t m = 0;
		siginfo_t si;
		int sig;
		bool all_bye = true;

		if (!pfd) {
			rc = -ENOMEM;
			snprintf(l->error, sizeof(l->error), "launch: out of memory");
			break;
		}
		pfd[m++] = (struct pollfd){.fd = run_signal_fd, .events = POLLIN};
		pfd[m++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		pfd[m++] = (struct pollfd){.fd = x->tcp_lfd, .events = POLLIN};
		for (unsigned k = 0; k < st.n; k++)
			if (st.fds[2 * k] >= 0)
				pfd[m++] = (struct pollfd){.fd = st.fds[2 * k], .events = POLLIN};
		ppoll(pfd, m, &ts, NULL);
		if (pfd[1].revents & POLLIN)
			ext_accept(&st, lfd, x);
		if (pfd[2].revents & POLLIN)
			ext_accept_tcp(&st, x);
		free(pfd);
		for (unsigned k = 0; k < st.n; k++)
			if (st.fds[2 * k] >= 0)
				ext_handle(&st, k, bye, x);
		answer(&st);
		while ((sig = sigtimedwait(&run_wait_set, &si, &zero)) > 0)
			if (is_stop_signal(sig) && !is_own_write_signal(sig, &si) && !rc) {
				l->signal = sig;
				snprintf(l->error, sizeof(l->error), "interrupted by %s",
					 strsignal(sig));
				rc = -EINTR;
			}
		if (rc)
			break;
		if (!launcher_done && waitpid(child, &status, WNOHANG) == child)
			launcher_done = true;
		/* A side that failed, or died without a word, ends the launch. */
		for (unsigned k = 0; k < st.n && !rc; k++) {
			char name[32];

			ipcb_side_name(&st.side[k], l->senders, l->receivers, name, sizeof(name));
			if (ctl_at(&st, k)->exiting == 2) {
				rc = -ECHILD;
			} else if (st.done[k] && !bye[k]) {
				snprintf(ctl_at(&st, k)->err, sizeof(ctl_at(&st, k)->err),
					 "died without a word (its control connection closed)");
				ctl_at(&st, k)->exiting = 2;
				ctl_at(&st, k)->fail_ns = ipcb_now_ns();
				rc = -ECHILD;
			}
			all_bye = all_bye && bye[k] && st.done[k];
		}
		if (rc) {
			/* The first failure, by the time each side said it failed. */
			int best = -1;

			for (unsigned k = 0; k < st.n; k++)
				if (ctl_at(&st, k)->exiting == 2 &&
				    (best < 0 ||
				     (WIFSIGNALED(st.status[k]) != WIFSIGNALED(st.status[best])
					  ? st.status[k] > 0 && st.status[k] < 128
					  : ctl_at(&st, k)->fail_ns < ctl_at(&st, best)->fail_ns)))
					best = (int)k;
			if (best >= 0) {
				char name[32];

				ipcb_side_name(&st.side[best], l->senders, l->receivers, name,
					       sizeof(name));
				snprintf(l->error, sizeof(l->error), "%s%s%s", name,
					 strncmp(ctl_at(&st, best)->err, "killed", 6) ? ": " : " ",
					 ctl_at(&st, best)->err);
			}
			break;
		}
		if (all_bye && launcher_done) {
			if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
				char tail[300], how[160];

				ipcb_file_last_line(x->log_path, tail, sizeof(tail));
				ext_ended(status, "", how, sizeof(how));
				snprintf(l->error, sizeof(l->error), "%s %s%s%s", x->argv[0], how,
					 tail[0] ? ": " : "", tail);
				rc = -ECHILD;
			}
			break;
		}
		if (launcher_done && !all_bye) {
			char tail[300], how[160];

			ipcb_file_last_line(x->log_path, tail, sizeof(tail));
			ext_ended(status, " before every side had finished", how, sizeof(how));
			snprintf(l->error, sizeof(l->error), "%s %s%s%s", x->argv[0], how,
				 tail[0] ? ": " : "", tail);
			rc = -ECHILD;
			break;
		}
		if (ipcb_now_ns() >= deadline) {
			snprintf(l->error, sizeof(l->error),
				 "timed out after %.1f s with %s (a side stopped answering?)",
				 l->timeout_s,
				 st.released ? "the sides running" : "the sides starting up");
			rc = -ETIMEDOUT;
			break;
		}
	}
out:
	/* Whatever is left goes: the launcher's process group, and every side that said hello. */
	if (child > 0) {
		if (!launcher_done || rc) {
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
		}
		for (unsigned k = 0; rc && st.pid && k < st.n; k++)
			if (st.pid[k] > 0)
				kill(st.pid[k], SIGKILL);
		if (!launcher_done) {
			uint64_t end = ipcb_now_ns() + REAP_LIMIT_NS;

			while (waitpid(child, &status, WNOHANG) == 0 && ipcb_now_ns() < end) {
				struct timespec ms = {0, 5000000};

				nanosleep(&ms, NULL);
			}
		}
	}
	if (lfd >= 0) {
		close(lfd);
		unlink(x->ctl_path);
	}
	{
		struct timespec zero = {0, 0};
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		while (sigtimedwait(&chld, NULL, &zero) > 0)
			;
	}
	free(bye);
	launch_free(&st);
	return rc;
}

static int fork_run(const struct ipcb_launcher *self, struct ipcb_launch *l, struct ipcb_run_ctx *c)
{
	return ipcb_launch_run(l);
}

const struct ipcb_launcher ipcb_launcher_fork = {.name = "fork", .run = fork_run};
