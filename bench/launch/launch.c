/* SPDX-License-Identifier: MIT */
/*
 * launch.c - the sides of a measurement as processes: the driver's signals, the one loop that
 * runs every launch whatever starts its sides, the one rule that names the side that failed
 * first, the way of starting sides by fork and the way of a runtime, and a side's half of the
 * control protocol; see launch.h.
 *
 * The story of a launch, top to bottom:
 *   1. the driver maps a control area (each side's error text, failure time and exit mark);
 *   2. the starter starts the sides: forked, each with a control socket pair of its own, or by
 *      a runtime's command, each joining over a socket of the run's; each side pins itself
 *      and runs its body, which talks to the driver only over its control socket: its address,
 *      "ready", "done", and what the driver answers;
 *   3. the driver waits in one poll for control messages, signals (through a signalfd: SIGCHLD
 *      and every stop signal) and the deadline, and answers the messages: all addresses once
 *      every side has published one, "go" once every side is ready, "end" to one role once
 *      every side of the other is done;
 *   4. when every side is done it is over; when one fails, a signal asks the driver to stop,
 *      or the deadline passes, the rest are ended, and the first failure is named.
 */
#include "loop.h"

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

void ipcb_launch_child_reset(void)
{
	sigprocmask(SIG_SETMASK, &run_saved_mask, NULL);
	if (run_signal_fd >= 0)
		close(run_signal_fd);
}

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

/* ---- the one loop ---------------------------------------------------------------------------- */

/*
 * A side whose body has returned is already on its way out; killing it there would cut short
 * whatever runs at exit (a memory checker's leak summary, most of all) and report a signal
 * where there was an orderly exit. Such a side gets this long to finish on its own; a side still
 * inside its body is killed at once, since it may be waiting for a peer that is gone.
 */
#define EXIT_GRACE_NS 5000000000ull

struct side_ctl *ipcb_launch_ctl_at(const struct launch_state *st, unsigned k)
{
	return (struct side_ctl *)((char *)st->ctl + (size_t)k * sizeof(struct side_ctl));
}

/*
 * Did the side die of a signal of its own (a crash)? The driver kills only with SIGKILL, and a
 * side already dying of its own signal keeps that one: its peer may have seen the connection
 * close (the kernel closes a dying process's files before it can be reaped) and said it failed,
 * so that the driver killed the crashed side before it could reap it.
 */
static bool end_crashed(const struct ipcb_side_end *e)
{
	return (e->gone || e->reported) && WIFSIGNALED(e->status) &&
	       (!e->killed || WTERMSIG(e->status) != SIGKILL);
}

/*
 * Did the side fail? It said so (a joined side's message), exited with a failure or crashed, or
 * it had said it failed (ipcb_side_failing) and was killed while it cleaned up, after another
 * side's consequent failure ended the launch.
 */
static bool end_failed(const struct ipcb_side_end *e)
{
	if (e->reported)
		return true;
	if (!e->gone)
		return false;
	if (e->killed)
		return end_crashed(e) || (e->fail_ns && e->error);
	return !(WIFEXITED(e->status) && WEXITSTATUS(e->status) == 0);
}

int ipcb_launch_first_failure(const struct ipcb_side_end *ends, unsigned n)
{
	int best = -1;

	for (unsigned k = 0; k < n; k++) {
		bool crashed;

		if (!end_failed(&ends[k]))
			continue;
		/* A crash, not the driver's own SIGKILL of a side that had already failed. */
		crashed = end_crashed(&ends[k]);
		if (best < 0) {
			best = (int)k;
			continue;
		}
		if (crashed != end_crashed(&ends[best])) {
			if (crashed)
				best = (int)k;
			continue;
		}
		if (ends[k].fail_ns && ends[k].fail_ns < ends[best].fail_ns)
			best = (int)k;
	}
	return best;
}

/* Which side's failure caused the launch's end, or -1: the rule, on how each side stands now. */
static int first_failure(const struct launch_state *st)
{
	for (unsigned k = 0; k < st->n; k++) {
		const struct side_ctl *c = ipcb_launch_ctl_at(st, k);

		st->end[k] = (struct ipcb_side_end){
		    .gone = st->done[k],
		    .killed = st->killed[k],
		    .reported = __atomic_load_n(&c->exiting, __ATOMIC_ACQUIRE) == SIDE_FAILED,
		    .status = st->status[k],
		    .fail_ns = c->fail_ns,
		    .error = c->err[0] != '\0'};
	}
	return ipcb_launch_first_failure(st->end, st->n);
}

/*
 * Kill and reap every forked side: one still inside its body at once, one already exiting after
 * EXIT_GRACE_NS. Returns a signal that asked the driver to stop meanwhile (0: none), and names
 * the sides that could not be reaped in `stuck` ("" when all were).
 */
static int fork_end(struct launch_state *st, int rc, char *stuck, size_t stuck_bytes)
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
			    (!__atomic_load_n(&ipcb_launch_ctl_at(st, k)->exiting, __ATOMIC_ACQUIRE) ||
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
	const char *err = ipcb_launch_ctl_at(st, k)->err;
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
			ipcb_ctl_send(st->fds[2 * k], type, addrs, count);
}

/*
 * The messages every side sends, forked or joined, into side k's state: its address (a whole
 * one, `a` when `whole`), that it wants the others' first, is ready, or is done. False when
 * `type` is none of them.
 */
bool ipcb_launch_note_msg(struct launch_state *st, unsigned k, const struct ctl_hdr *h,
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

/* Take the control messages forked side k has sent. */
static void fork_take(struct launch_state *st, unsigned k)
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
			ipcb_launch_note_msg(st, k, &m.h, &m.a, (size_t)got == sizeof(m));
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
			ipcb_ctl_send(st->fds[2 * k], CTL_PEERS, st->addr, st->n);
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
	st->end = calloc(n, sizeof(*st->end));
	st->ctl_bytes = n * sizeof(struct side_ctl);
	st->ctl = ipcb_run_area_map(st->ctl_bytes);
	if (!st->side || !st->pid || !st->status || !st->done || !st->killed || !st->said_done ||
	    !st->failing || !st->fds || !st->addr || !st->have_addr || !st->want ||
	    !st->want_sent || !st->ready || !st->end || !st->ctl)
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
	free(st->end);
}

/* Wait for the next event: a control message, a signal or a dying side, a side joining, or the
 * deadline. */
static void launch_wait(struct launch_state *st, uint64_t deadline)
{
	struct pollfd *pfd = calloc(st->n + 4, sizeof(*pfd));
	uint64_t now = ipcb_now_ns(), wait_ns = deadline > now ? deadline - now : 0;
	struct timespec ts = {(time_t)(wait_ns / 1000000000u), (long)(wait_ns % 1000000000u)};
	nfds_t m = 0, own;

	if (!pfd) { /* no memory for the poll set: wait a little instead */
		struct timespec ms = {0, 1000000};

		nanosleep(&ms, NULL);
		return;
	}
	pfd[m++] = (struct pollfd){.fd = run_signal_fd, .events = POLLIN};
	own = st->how->poll_fds ? st->how->poll_fds(st, pfd + m) : 0;
	m += own;
	for (unsigned k = 0; k < st->n; k++)
		if (st->fds[2 * k] >= 0)
			pfd[m++] = (struct pollfd){.fd = st->fds[2 * k], .events = POLLIN};
	ppoll(pfd, m, &ts, NULL);
	if (own && st->how->polled)
		st->how->polled(st, pfd + 1);
	free(pfd);
}

/* Take the signals pending: the first that asks the driver to stop ends the launch. */
static int launch_signals(struct launch_state *st)
{
	struct timespec zero = {0, 0};
	siginfo_t si;
	int sig;

	while ((sig = sigtimedwait(&run_wait_set, &si, &zero)) > 0)
		if (is_stop_signal(sig) && !is_own_write_signal(sig, &si)) {
			st->l->signal = sig;
			snprintf(st->l->error, sizeof(st->l->error), "interrupted by %s",
				 strsignal(sig));
			return -EINTR;
		}
	return 0;
}

int ipcb_launch_loop(struct ipcb_launch *l, const struct launch_starter *how, void *how_arg)
{
	struct launch_state st = {.l = l, .how = how, .how_arg = how_arg,
				  .n = l->senders + l->receivers};
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(l->timeout_s * 1e9);
	char stuck[200] = "";
	int rc, culprit, sig_late;

	l->signal = 0;
	l->fail_ns = 0;
	l->error[0] = '\0';
	rc = run_signal_fd_get();
	if (rc < 0) {
		snprintf(l->error, sizeof(l->error), "signalfd: %s", strerror(-rc));
		return rc;
	}
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
						.ops = &ipcb_side_launch_ops};
	}
	rc = how->start(&st);
	while (!rc) {
		int over;

		launch_wait(&st, deadline);
		for (unsigned k = 0; k < st.n; k++)
			if (st.fds[2 * k] >= 0)
				how->take(&st, k);
		/* A side found a fault: the run ends now, whatever the others are doing. */
		for (unsigned k = 0; k < st.n && !rc; k++)
			if (st.failing[k])
				rc = -ECHILD;
		if (rc)
			break;
		answer(&st);
		rc = launch_signals(&st);
		if (rc)
			break;
		over = how->watch(&st);
		/*
		 * A side failed: the others may wait forever for a peer that is gone. Which
		 * failure came first is decided once every side has ended: a side whose body
		 * failed first may still be on its way out when its peer's consequent error (a
		 * refused or reset connection) is already in.
		 */
		if (first_failure(&st) >= 0 || over < 0) {
			rc = -ECHILD;
			break;
		}
		if (over > 0)
			break;
		if (ipcb_now_ns() >= deadline) {
			char who[200];

			running_sides(&st, who, sizeof(who));
			snprintf(l->error, sizeof(l->error),
				 "timed out after %.1f s with %s still %s", l->timeout_s, who,
				 st.released ? "running (a side stopped answering?)"
					     : "starting up (stuck before the start barrier)");
			rc = -ETIMEDOUT;
		}
	}
	sig_late = how->end(&st, rc, stuck, sizeof(stuck));
	culprit = rc == -ECHILD ? first_failure(&st) : -1;
	/* A side that said it failed, killed before it could say why: it is still the cause. */
	for (unsigned k = 0; culprit < 0 && rc == -ECHILD && k < st.n; k++)
		if (st.failing[k])
			culprit = (int)k;
	if (culprit >= 0) {
		describe_exit(&st, (unsigned)culprit, l->error, sizeof(l->error));
		l->fail_ns = ipcb_launch_ctl_at(&st, (unsigned)culprit)->fail_ns;
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

/* ---- forked sides --------------------------------------------------------------------------- */

/* A control socket pair per side, then the sides forked: each keeps its own end. */
static int fork_start(struct launch_state *st)
{
	struct ipcb_launch *l = st->l;
	pid_t parent = getpid();
	int rc;

	for (unsigned k = 0; k < st->n; k++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, &st->fds[2 * k]) < 0) {
			rc = -errno;
			snprintf(l->error, sizeof(l->error), "socketpair(control): %s",
				 strerror(-rc));
			return rc;
		}
	fflush(NULL); /* sides must not inherit unflushed output and print it twice */
	for (unsigned k = 0; k < st->n; k++) {
		st->pid[k] = fork();
		if (st->pid[k] < 0) {
			rc = -errno;
			st->pid[k] = 0;
			st->done[k] = true;
			snprintf(l->error, sizeof(l->error), "fork: %s", strerror(-rc));
			return rc;
		}
		if (st->pid[k] == 0)
			ipcb_side_main(l, &st->side[k], parent, st->fds,
				       ipcb_launch_ctl_at(st, k));
	}
	/* The sides' ends are theirs now: a side that dies closes the driver's end's peer. */
	for (unsigned k = 0; k < st->n; k++) {
		close(st->fds[2 * k + 1]);
		st->fds[2 * k + 1] = -1;
	}
	return 0;
}

/* Reap the sides that have exited: the launch is over when every one has. */
static int fork_watch(struct launch_state *st)
{
	for (unsigned k = 0; k < st->n; k++)
		if (!st->done[k] && waitpid(st->pid[k], &st->status[k], WNOHANG) == st->pid[k]) {
			st->done[k] = true;
			st->pid[k] = 0;
		}
	return all_of(st->done, st->n);
}

static const struct launch_starter fork_starter = {
    .start = fork_start,
    .take = fork_take,
    .watch = fork_watch,
    .end = fork_end,
};

int ipcb_launch_run(struct ipcb_launch *l)
{
	return ipcb_launch_loop(l, &fork_starter, NULL);
}

static int fork_run(const struct ipcb_launcher *self, struct ipcb_launch *l, struct ipcb_run_ctx *c)
{
	return ipcb_launch_run(l);
}

const struct ipcb_launcher ipcb_launcher_fork = {.name = "fork", .run = fork_run};

/* ---- a side's half ----------------------------------------------------------------------- */

struct ipcb_side_state ipcb_side_state = {.fd = -1};

int ipcb_ctl_send(int fd, enum ctl_type type, const struct ipcb_addr *addrs, unsigned count)
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

	while ((n = recvmsg(ipcb_side_state.fd, &m, 0)) < 0)
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
	int rc = ipcb_ctl_send(ipcb_side_state.fd, CTL_ADDR, mine, 1);

	return rc ? rc : side_expect(CTL_PEERS, all, ipcb_side_state.self.nsides);
}

int ipcb_side_want_peers(struct ipcb_addr *all)
{
	int rc = ipcb_ctl_send(ipcb_side_state.fd, CTL_WANT, NULL, 0);

	return rc ? rc : side_expect(CTL_PEERS, all, ipcb_side_state.self.nsides);
}

int ipcb_side_fd(void)
{
	return ipcb_side_state.fd;
}

void ipcb_side_failed_at(uint64_t when_ns)
{
	ipcb_side_state.ctl->fail_ns = when_ns;
}

int ipcb_side_ready(void)
{
	int rc = ipcb_ctl_send(ipcb_side_state.fd, CTL_READY, NULL, 0);

	if (!rc)
		rc = side_expect(CTL_GO, NULL, 0);
	/* Where the measured phase begins; checked against the pinned CPU when the body ends. */
	if (!rc)
		ipcb_side_state.ctl->cpu_go = sched_getcpu() + 1;
	return rc;
}

int ipcb_side_done(void)
{
	return ipcb_ctl_send(ipcb_side_state.fd, CTL_DONE, NULL, 0);
}

/* CTL_END has been read (by ipcb_side_end_within): waiting for it again would never end. */
static bool side_ended;

int ipcb_side_wait_end(void)
{
	return side_ended ? 0 : side_expect(CTL_END, NULL, 0);
}

int ipcb_side_end_within(int ms)
{
	struct pollfd p = {.fd = ipcb_side_state.fd, .events = POLLIN};
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

void ipcb_side_abort(const char *err)
{
	struct side_ctl *ctl = ipcb_side_state.ctl;

	if (err != ctl->err)
		snprintf(ctl->err, sizeof(ctl->err), "%s", err);
	ctl->fail_ns = ipcb_now_ns();
	ipcb_joined_fail(ctl->err);
	__atomic_store_n(&ctl->exiting, SIDE_EXITING, __ATOMIC_RELEASE);
	_exit(1);
}

/*
 * A forked side that has found a fault says so at once, before it closes its endpoint: closing
 * can take seconds (a library that waits for its peer to hang up), and the driver, told, ends
 * the run now, naming the fault, instead of waiting for the side to exit or the timeout to pass.
 * Its error is already in its slot of the control area. Once: the first fault is the cause.
 */
static bool side_failing_sent;

void ipcb_side_failing(const char *err)
{
	struct ctl_hdr h = {.type = CTL_FAILING};
	struct side_ctl *ctl = ipcb_side_state.ctl;

	if (ctl && !ctl->fail_ns)
		ctl->fail_ns = ipcb_now_ns();
	if (ctl && err && err != ctl->err && !ctl->err[0])
		snprintf(ctl->err, sizeof(ctl->err), "%s", err);
	if (!ipcb_side_state.joined && ipcb_side_state.fd >= 0 && !side_failing_sent) {
		side_failing_sent = true;
		send(ipcb_side_state.fd, &h, sizeof(h), MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	ipcb_joined_fail(err);
}

/* What a side's body asks of this launcher (engine/launcher.h), forked or joined alike. */
const struct ipcb_side_ops ipcb_side_launch_ops = {
    .exchange = ipcb_side_exchange,
    .ready = ipcb_side_ready,
    .done = ipcb_side_done,
    .wait_end = ipcb_side_wait_end,
    .end_within = ipcb_side_end_within,
    .failing = ipcb_side_failing,
    .abort = ipcb_side_abort,
};

/* ---- a side's process ----------------------------------------------------------------------- */

int ipcb_side_pin(int cpu, char *err)
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
int ipcb_side_check_placement(int cpu, int cpu_go, char *err)
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
void ipcb_side_oom_first(void)
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
void ipcb_side_comm(const char *what, const struct ipcb_side *me)
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

void ipcb_side_main(const struct ipcb_launch *l, const struct ipcb_side *me, pid_t parent, int *fds,
		    struct side_ctl *ctl)
{
	char *err = ctl->err;
	int rc;

	/* Never outlive the driver: if it dies, the kernel kills us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* Only this side's own end of its control socket stays open. */
	ipcb_launch_child_reset();
	for (unsigned k = 0; k < me->nsides; k++) {
		if (fds[2 * k] >= 0)
			close(fds[2 * k]);
		if (k != me->number && fds[2 * k + 1] >= 0)
			close(fds[2 * k + 1]);
	}
	ipcb_side_state.fd = fds[2 * me->number + 1];
	ipcb_side_state.ctl = ctl;
	ipcb_side_state.self = *me;
	/* `ps`, `top` and `pgrep -x ipcb-receiver` tell the sides apart: ipcb-sender, ipcb-rcv-2.
	 */
	ipcb_side_comm(l->what, me);
	ipcb_side_oom_first();
	rc = ipcb_side_pin(me->cpu, err);
	if (rc == 0)
		rc = l->body(me, l->arg, l->area, err);
	if (rc == 0)
		rc = ipcb_side_check_placement(me->cpu, ctl->cpu_go, err);
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "%s", strerror(-rc));
	/* A stand-in may have said when its failure really happened, on the other host. */
	if (rc && !ctl->fail_ns)
		ctl->fail_ns = ipcb_now_ns();
	__atomic_store_n(&ctl->exiting, SIDE_EXITING, __ATOMIC_RELEASE);
	_exit(rc == 0 ? 0 : 1);
}


/* ---- a side's half: joining the driver ------------------------------------------------------- */

/*
 * A side the driver did not fork (an MPI rank) reaches it over a Unix socket in the run's
 * directory instead of an inherited socket pair: it says hello with its number, gets the run's
 * spec, and from then on speaks the same control messages as a forked side. What a forked side
 * leaves in the shared control area (its error, when it failed) it sends as a message instead,
 * and it says goodbye before it exits, so that a connection closed without one is a side that
 * died. A crash is reported by the side's own handler (the signal's number) before it dies.
 */
/* The joined side's own control slot (a forked side's is in memory the driver shares). */
static struct side_ctl joined_ctl;
static bool joined_failed;

/*
 * A joined side says it failed as soon as it knows, not when it exits: its peer may be blocked
 * in the runtime's own calls, and closing its endpoint (MPI_Finalize) can wait for that peer;
 * the driver, told, ends the launch and kills both. Once: the first error is the cause.
 */
void ipcb_joined_fail(const char *err)
{
	struct ctl_fail f = {.h = {.type = CTL_FAIL}};

	if (!ipcb_side_state.joined || joined_failed)
		return;
	joined_failed = true;
	f.fail_ns = joined_ctl.fail_ns ? joined_ctl.fail_ns : ipcb_now_ns();
	snprintf(f.err, sizeof(f.err), "%s", err && err[0] ? err : "failed");
	send(ipcb_side_state.fd, &f, sizeof(f), MSG_NOSIGNAL);
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
	shutdown(ipcb_side_state.fd, SHUT_WR);
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
	ipcb_side_state.fd = fd;
	fd = -1;
	ipcb_side_state.ctl = &joined_ctl;
	ipcb_side_state.joined = true;
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

		while (sendmsg(ipcb_side_state.fd, &m, MSG_NOSIGNAL) < 0)
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

	if (ipcb_side_state.fd >= 0)
		send(ipcb_side_state.fd, &f, sizeof(f), MSG_NOSIGNAL | MSG_DONTWAIT);
	signal(sig, SIG_DFL);
	raise(sig);
}

int ipcb_side_run_joined(const struct ipcb_side *me, ipcb_side_fn body, void *arg, void *area,
			 char *err)
{
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct ctl_hdr bye = {.type = CTL_BYE};
	int rc;

	ipcb_side_state.self = *me;
	ipcb_side_state.self.ops = &ipcb_side_launch_ops;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		signal(crashes[i], joined_crash);
	ipcb_side_comm(NULL, me);
	ipcb_side_oom_first();
	rc = ipcb_side_pin(me->cpu, err);
	if (rc == 0)
		rc = body(&ipcb_side_state.self, arg, area, err);
	if (rc == 0)
		rc = ipcb_side_check_placement(me->cpu, joined_ctl.cpu_go, err);
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "%s", strerror(-rc));
	if (rc)
		ipcb_joined_fail(err);
	else
		send(ipcb_side_state.fd, &bye, sizeof(bye), MSG_NOSIGNAL);
	side_leave();
	return rc;
}

/* ---- the driver's half: the runtime's command, and its sides joining ------------------------ */

/* A launch whose sides a runtime's command starts: its starter's own state. */
struct runtime_state {
	const struct ipcb_runtime_launch *x;
	int lfd;     /* where sides on this host join (x->ctl_path); -1: none */
	pid_t child; /* the command */
	int status;  /* its wait status, once launcher_done */
	bool launcher_done;
	bool *bye; /* side k said goodbye */
};

/*
 * How the launcher's command ended, from its wait status ("exited with status 2", "killed by
 * signal 11 (Segmentation fault)"), then `when`, then what the stack limit may have had to do
 * with it (ipcb_crash_stack_note).
 */
static void runtime_ended(int status, const char *when, char *out, size_t n)
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

/* "mpirun exited with status 1 before every side had finished: <its last line>". */
static void runtime_fail(struct launch_state *st, const char *when)
{
	const struct runtime_state *rs = st->how_arg;
	char tail[300], how[160];

	ipcb_file_last_line(rs->x->log_path, tail, sizeof(tail));
	runtime_ended(rs->status, when, how, sizeof(how));
	snprintf(st->l->error, sizeof(st->l->error), "%s %s%s%s", rs->x->argv[0], how,
		 tail[0] ? ": " : "", tail);
}

/* In the launcher's child: become the command. Never returns. */
__attribute__((noreturn)) static void runtime_exec(const struct ipcb_runtime_launch *x,
						   pid_t parent)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	ipcb_launch_child_reset();
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

/* A joined side failed: as its message says, or as the driver found (its results, its end). */
static void runtime_side_failed(struct launch_state *st, unsigned k, uint64_t when_ns, int status)
{
	struct side_ctl *c = ipcb_launch_ctl_at(st, k);

	c->fail_ns = when_ns ? when_ns : ipcb_now_ns();
	st->status[k] = status;
	c->exiting = SIDE_FAILED;
}

/* Take side k's messages (a joined side's failure, results and goodbye too). */
static void runtime_take(struct launch_state *st, unsigned k)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;

	for (;;) {
		/* Static: a piece of results is 32 KiB, and one message is taken at a time. */
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
		struct side_ctl *c = ipcb_launch_ctl_at(st, k);
		int rc;

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
		    ipcb_launch_note_msg(st, k, &m.h, &m.addr.a, (size_t)got == sizeof(m.addr)))
			continue;
		switch (m.h.type) {
		case CTL_FAIL:
			if ((size_t)got != sizeof(m.f))
				break;
			if (m.f.signal)
				snprintf(c->err, sizeof(c->err), "killed by signal %d (%s)",
					 m.f.signal, strsignal(m.f.signal));
			else
				snprintf(c->err, sizeof(c->err), "%s", m.f.err);
			/* A crash as a wait status has it; a failure as an exit with status 1. */
			runtime_side_failed(st, k, m.f.fail_ns, m.f.signal ? m.f.signal : 1 << 8);
			break;
		case CTL_BYE:
			rs->bye[k] = true;
			break;
		case CTL_RESULT:
			rc = (size_t)got == sizeof(m.h) + m.h.count && x->result
				 ? x->result(x->result_arg, k, m.res.bytes, m.h.count)
				 : -EPROTO;
			/* Results that cannot be kept fail the side, as a write it made would. */
			if (rc && c->exiting != SIDE_FAILED) {
				snprintf(c->err, sizeof(c->err), "its results: %s", strerror(-rc));
				runtime_side_failed(st, k, 0, 1 << 8);
			}
			break;
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
static void runtime_hello(struct launch_state *st, int fd, bool remote)
{
	const struct ipcb_runtime_launch *x = ((struct runtime_state *)st->how_arg)->x;
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

/* Where sides join: the run's control socket, and a TCP socket for a side on another host. */
static unsigned runtime_poll_fds(struct launch_state *st, struct pollfd *pfd)
{
	const struct runtime_state *rs = st->how_arg;

	pfd[0] = (struct pollfd){.fd = rs->lfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = rs->x->tcp_lfd, .events = POLLIN};
	return 2;
}

static void runtime_polled(struct launch_state *st, const struct pollfd *pfd)
{
	const struct runtime_state *rs = st->how_arg;
	int fd;

	if (pfd[0].revents & POLLIN)
		runtime_hello(st, accept4(rs->lfd, NULL, NULL, SOCK_CLOEXEC), false);
	/* A side on another host: its TCP connection, relayed once it has proven the run's key. */
	if (pfd[1].revents & POLLIN) {
		fd = accept4(rs->x->tcp_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			runtime_hello(st, relay_start(fd, rs->x->key, NULL), true);
	}
}

/* Listen where the sides join, and run the command that starts them. */
static int runtime_start(struct launch_state *st)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ipcb_launch *l = st->l;
	pid_t parent = getpid();
	int rc;

	rs->bye = calloc(st->n, sizeof(*rs->bye));
	if (!rs->bye) {
		snprintf(l->error, sizeof(l->error), "launch: out of memory");
		return -ENOMEM;
	}
	/* No control socket's path: every side comes over TCP (x->tcp_lfd). */
	if (x->ctl_path) {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", x->ctl_path);
		rs->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (rs->lfd < 0 || bind(rs->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(rs->lfd, 8) < 0) {
			rc = -errno;
			snprintf(l->error, sizeof(l->error), "control socket %s: %s", x->ctl_path,
				 strerror(-rc));
			return rc;
		}
	}
	fflush(NULL);
	rs->child = fork();
	if (rs->child < 0) {
		rc = -errno;
		rs->child = 0;
		snprintf(l->error, sizeof(l->error), "fork: %s", strerror(-rc));
		return rc;
	}
	if (rs->child == 0)
		runtime_exec(x, parent);
	setpgid(rs->child, rs->child);
	ipcb_rundir_note_pid(x->run_dir, rs->child);
	return 0;
}

/*
 * The command's end and the sides' goodbyes: a side whose connection closed without one died;
 * the launch is over when the command has ended and every side said goodbye.
 */
static int runtime_watch(struct launch_state *st)
{
	struct runtime_state *rs = st->how_arg;
	bool all_bye = true;

	if (!rs->launcher_done && waitpid(rs->child, &rs->status, WNOHANG) == rs->child)
		rs->launcher_done = true;
	for (unsigned k = 0; k < st->n; k++) {
		struct side_ctl *c = ipcb_launch_ctl_at(st, k);

		if (c->exiting == SIDE_FAILED)
			return 0; /* the loop names it */
		if (st->done[k] && !rs->bye[k]) {
			snprintf(c->err, sizeof(c->err),
				 "died without a word (its control connection closed)");
			runtime_side_failed(st, k, 0, 0);
			return 0;
		}
		all_bye = all_bye && rs->bye[k] && st->done[k];
	}
	if (all_bye && rs->launcher_done) {
		if (WIFEXITED(rs->status) && WEXITSTATUS(rs->status) == 0)
			return 1;
		runtime_fail(st, "");
		return -ECHILD;
	}
	if (rs->launcher_done) {
		runtime_fail(st, " before every side had finished");
		return -ECHILD;
	}
	return 0;
}

/* Whatever is left goes: the command's process group, and every side that said hello. */
static int runtime_end(struct launch_state *st, int rc, char *stuck, size_t stuck_bytes)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;

	if (rs->child > 0) {
		if (!rs->launcher_done || rc) {
			kill(-rs->child, SIGKILL);
			kill(rs->child, SIGKILL);
		}
		for (unsigned k = 0; rc && k < st->n; k++)
			if (st->pid[k] > 0)
				kill(st->pid[k], SIGKILL);
		if (!rs->launcher_done) {
			uint64_t end = ipcb_now_ns() + REAP_LIMIT_NS;

			while (waitpid(rs->child, &rs->status, WNOHANG) == 0 &&
			       ipcb_now_ns() < end) {
				struct timespec ms = {0, 5000000};

				nanosleep(&ms, NULL);
			}
		}
	}
	if (rs->lfd >= 0) {
		close(rs->lfd);
		unlink(x->ctl_path);
	}
	free(rs->bye);
	return 0;
}

static const struct launch_starter runtime_starter = {
    .start = runtime_start,
    .poll_fds = runtime_poll_fds,
    .polled = runtime_polled,
    .take = runtime_take,
    .watch = runtime_watch,
    .end = runtime_end,
};

int ipcb_launch_runtime(struct ipcb_launch *l, const struct ipcb_runtime_launch *x)
{
	struct runtime_state rs = {.x = x, .lfd = -1};

	return ipcb_launch_loop(l, &runtime_starter, &rs);
}
