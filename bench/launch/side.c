/* SPDX-License-Identifier: MIT */
/*
 * side.c - a side's half of the control protocol, forked or joined: what its body asks of the
 * driver over its control socket (its address, the start barrier, the end), how it says it
 * failed, and a forked side's process from fork to exit (pinned, named, its placement kept).
 * The driver's half is launch.c's; see launch.h.
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

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
	if (ipcb_side_state.report)
		ipcb_side_state.report(ctl->err);
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
	if (ipcb_side_state.report)
		ipcb_side_state.report(err);
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
