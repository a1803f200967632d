/* SPDX-License-Identifier: MIT */
/*
 * signal - payload through slots in shared anonymous memory, notified by real-time signals:
 * sigqueue() to the peer, sigwaitinfo() to take one. Real-time signals queue, one entry per
 * signal sent, so a process's pending queue of one signal number is a counting semaphore.
 * Slot protocol: slots.h.
 *
 * Two signal numbers: SIGRTMIN means "a message is ready" (full, queued at the reader) and
 * SIGRTMIN+1 "there is room now" (empty, queued at a writer that found the ring full and
 * sleeps; free slots otherwise come back through shared memory, slots.h). Each process reads
 * one direction and writes the other, so these two are enough. Both are blocked in open() and
 * stay blocked to the end: that is what makes them queue instead of being delivered, and a
 * late post from the peer must not kill us by the default action once we are done.
 *
 * The peer's pid is not known at setup: each child publishes its own in open(). Both open before
 * the start barrier, so both pids are there before the first message.
 *
 * Cost of one message: a memcpy into a slot and one out, and two system calls: the writer's
 * sigqueue (which allocates a queue entry in the kernel) and the reader's sigwaitinfo. Trying
 * is sigtimedwait with a zero timeout.
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); at most K + 1 signals per
 * direction are pending at once (K <= 1024), counted against RLIMIT_SIGPENDING (ulimit -i).
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "slots.h"
#include "transport.h"

struct signal_shared {
	pid_t pid[2]; /* [role], published by each child in open() */
};

struct signal_chan {
	struct signal_shared *sh; /* then, a cache line further, the slots */
	size_t map_bytes;
	int sig[2]; /* [IPCB_SLOTS_FULL], [IPCB_SLOTS_EMPTY] */
	/*
	 * What sigqueue() would fill in for us, filled once in open(): glibc's sigqueue asks the
	 * kernel for our pid and uid on every call, two system calls per message that are not
	 * the mechanism's, so we call rt_sigqueueinfo directly with this.
	 */
	siginfo_t info;
	sigset_t set[2]; /* each alone, for sigwaitinfo */
	struct ipcb_slots slots;
};

/* RLIMIT_SIGPENDING, for an error's detail. */
static unsigned long long signal_pending_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl) < 0)
		return 0;
	return rl.rlim_cur == RLIM_INFINITY ? ~0ull : (unsigned long long)rl.rlim_cur;
}

IPCB_HOT static int signal_queue(const struct signal_chan *c, pid_t pid, enum ipcb_slots_kind kind,
				 struct ipcb_err *e)
{
	siginfo_t info = c->info;

	info.si_signo = c->sig[kind];
	if (syscall(SYS_rt_sigqueueinfo, pid, c->sig[kind], &info) == 0)
		return 0;
	/*
	 * A free slot reported to a writer that has already finished and exited: in latency mode
	 * the sender's last take of an echo frees a slot the receiver will never use. Harmless;
	 * any other post to a missing process is an error.
	 */
	if (errno == ESRCH && kind == IPCB_SLOTS_EMPTY)
		return 0;
	if (errno == EAGAIN)
		return ipcb_errf(e, -EAGAIN, "rt_sigqueueinfo", "RLIMIT_SIGPENDING (%llu) reached",
				 signal_pending_limit());
	return ipcb_err(e, -errno, "rt_sigqueueinfo");
}

IPCB_HOT static int signal_post(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct signal_chan *c = ctx;
	unsigned dir = IPCB_SLOTS_SEM_DIR(sem);
	enum ipcb_slots_kind kind = IPCB_SLOTS_SEM_KIND(sem);
	/* Role r writes direction r: full goes to the direction's reader, empty to its writer. */
	unsigned to = kind == IPCB_SLOTS_FULL ? !dir : dir;
	pid_t pid = __atomic_load_n(&c->sh->pid[to], __ATOMIC_ACQUIRE);

	/* Never pid 0: sigqueue would signal our whole process group, the driver included. */
	if (pid <= 0)
		return ipcb_errf(e, -ESRCH, "rt_sigqueueinfo",
				 "the peer has not published its pid");
	return signal_queue(c, pid, kind, e);
}

IPCB_HOT static int signal_trywait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct signal_chan *c = ctx;
	const struct timespec zero = {0, 0};

	while (sigtimedwait(&c->set[IPCB_SLOTS_SEM_KIND(sem)], NULL, &zero) < 0) {
		if (errno == EAGAIN)
			return -EAGAIN;
		if (errno != EINTR)
			return ipcb_err(e, -errno, "sigtimedwait");
	}
	return 0;
}

IPCB_HOT static int signal_wait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct signal_chan *c = ctx;

	while (sigwaitinfo(&c->set[IPCB_SLOTS_SEM_KIND(sem)], NULL) < 0)
		if (errno != EINTR)
			return ipcb_err(e, -errno, "sigwaitinfo");
	return 0;
}

static const struct ipcb_sem_ops signal_sem_ops = {
    .post = signal_post,
    .trywait = signal_trywait,
    .wait = signal_wait,
    /*
     * Its count is signals queued, which RLIMIT_SIGPENDING bounds for all of the user's
     * processes together (setup checks it): a ring of 1024 slots asks for 1025 of them.
     */
    .max_count = 1024,
};

static int signal_setup(struct ipcb_chan *ch)
{
	struct signal_chan *c = ch->priv;
	struct ipcb_slots *s = &c->slots;
	unsigned long long need, have = signal_pending_limit();
	int rc;

	rc = ipcb_slots_setup(s, &ch->cfg, &signal_sem_ops, 64, &ch->err);
	if (rc)
		return rc;
	/* Per direction, at most K messages and one wake-up of the writer are queued. */
	need = (unsigned long long)s->ndirs * (s->nslots + 1);
	if (have < need)
		return ipcb_errf(&ch->err, -EAGAIN, "RLIMIT_SIGPENDING",
				 "%llu, but this run queues up to %llu signals: raise ulimit -i",
				 have, need);
	c->sig[IPCB_SLOTS_FULL] = SIGRTMIN;
	c->sig[IPCB_SLOTS_EMPTY] = SIGRTMIN + 1;
	for (int k = 0; k < 2; k++) {
		sigemptyset(&c->set[k]);
		sigaddset(&c->set[k], c->sig[k]);
	}
	c->map_bytes = 64 + ipcb_slots_bytes(s);
	rc = ipcb_map_shared_anon(c->map_bytes, (void **)&c->sh, &ch->err);
	if (rc)
		return rc;
	ch->buffer_bytes = c->map_bytes;
	s->mem = (unsigned char *)c->sh + 64;
	s->sem_ctx = c;
	return 0;
}

static void signal_teardown(struct ipcb_chan *ch)
{
	struct signal_chan *c = ch->priv;

	if (c->sh)
		munmap(c->sh, c->map_bytes);
	c->sh = NULL;
	ipcb_slots_teardown(&c->slots);
}

static int signal_open(struct ipcb_ep *ep)
{
	struct signal_chan *c = ep->chan->priv;
	pid_t self = getpid();
	sigset_t both;

	sigemptyset(&both);
	sigaddset(&both, c->sig[IPCB_SLOTS_FULL]);
	sigaddset(&both, c->sig[IPCB_SLOTS_EMPTY]);
	if (sigprocmask(SIG_BLOCK, &both, NULL) < 0)
		return ipcb_err(&ep->err, -errno, "sigprocmask");
	memset(&c->info, 0, sizeof(c->info));
	c->info.si_code = SI_QUEUE;
	c->info.si_pid = self;
	c->info.si_uid = getuid();
	/* Blocked first: the peer may post to us as soon as it sees this pid. */
	__atomic_store_n(&c->sh->pid[ep->role], self, __ATOMIC_RELEASE);
	return 0;
}

IPCB_HOT static int signal_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct signal_chan *c = ep->chan->priv;

	return ipcb_slots_send(&c->slots, ep->priv, ep, buf, len);
}

IPCB_HOT static int signal_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct signal_chan *c = ep->chan->priv;

	return ipcb_slots_recv(&c->slots, ep->priv, ep, buf, len);
}

const struct ipcb_transport ipcb_transport_signal = {
    .name = "signal",
    .path = IPCB_PATH_SHARED_MEMORY,
    .syscalls = {1, 1},
    .summary = "payload through shared memory, notified by real-time signals "
	       "(sigqueue/sigwaitinfo)",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX,
    .max_msg_bytes = IPCB_SLOTS_MAX_MSG,
    .chan_priv_bytes = sizeof(struct signal_chan),
    .ep_priv_bytes = sizeof(struct ipcb_slots_end),
    .setup = signal_setup,
    .teardown = signal_teardown,
    .open = signal_open,
    .send = signal_send,
    .recv = signal_recv,
};
