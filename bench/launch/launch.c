/* SPDX-License-Identifier: MIT */
/*
 * launch.c - the driver's half of a launch: the one loop that runs every launch whatever
 * starts its sides, the one rule that names the side that failed first, and the way of starting
 * sides by fork (a side's half is side.c's; sides a runtime starts are joined.c's; the signals a
 * launch waits for, signals.c's); see launch.h.
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
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "area.h"
#include "clock.h"
#include "crash.h"

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
			if (!st->killed[k] && (!__atomic_load_n(&ipcb_launch_ctl_at(st, k)->exiting,
								__ATOMIC_ACQUIRE) ||
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
		sig = ipcb_launch_signal_wait(&si, &ts);
		if (sig > 0 && !stop && ipcb_launch_signal_stops(sig, &si)) {
			stop = sig;
			grace_end = now;
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
	pfd[m++] = (struct pollfd){.fd = ipcb_run_signal_fd(), .events = POLLIN};
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

	while ((sig = ipcb_launch_signal_wait(&si, &zero)) > 0)
		if (ipcb_launch_signal_stops(sig, &si)) {
			st->l->signal = sig;
			snprintf(st->l->error, sizeof(st->l->error), "interrupted by %s",
				 strsignal(sig));
			return -EINTR;
		}
	return 0;
}

int ipcb_launch_loop(struct ipcb_launch *l, const struct launch_starter *how, void *how_arg)
{
	struct launch_state st = {
	    .l = l, .how = how, .how_arg = how_arg, .n = l->senders + l->receivers};
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(l->timeout_s * 1e9);
	char stuck[200] = "";
	int rc, culprit, sig_late;

	l->signal = 0;
	l->fail_ns = 0;
	l->error[0] = '\0';
	rc = ipcb_run_signal_fd();
	if (rc < 0) {
		snprintf(l->error, sizeof(l->error), "signalfd: %s", strerror(-rc));
		return rc;
	}
	/*
	 * A side's exit must wait in the queue the loop reads (ipcb_run_signals_block()): with
	 * SIGCHLD unblocked it is discarded on arrival, and a run whose last side left after its
	 * control socket closed waited for its deadline beside the zombie.
	 */
	{
		sigset_t now;

		if (pthread_sigmask(SIG_BLOCK, NULL, &now) != 0 || !sigismember(&now, SIGCHLD)) {
			snprintf(l->error, sizeof(l->error),
				 "launch: SIGCHLD is not blocked (ipcb_run_signals_block() first)");
			return -EINVAL;
		}
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
		/*
		 * What the run needs beside its sides has ended (its server, whose end wakes this
		 * wait as a SIGCHLD): its sides would wait for it until the timeout.
		 */
		if (l->needs_check && l->needs_check(l->needs_ctx) < 0) {
			snprintf(l->error, sizeof(l->error),
				 "ended when a process it needs beside its sides ended");
			rc = -ESRCH;
			break;
		}
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
			ipcb_side_main(l, &st->side[k], parent, st->fds, ipcb_launch_ctl_at(st, k));
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
