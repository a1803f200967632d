/* SPDX-License-Identifier: MIT */
/* slots.c - slot rings driven by counting semaphores, and POSIX semaphores as one; see slots.h. */
#include "slots.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"
#include "count.h"
#include "hot.h"

/*
 * K: a stream's as many slots as about 4 MiB a direction holds, up to 65536 as shm's ring (4
 * MiB of 64-byte messages), so that the writer runs far enough ahead that the lines it fills
 * have left the reader's cache (docs/methodology.md: with 32 slots, a writer of small messages
 * took each line back from the reader's cache, and with 1024, 64 KiB of 64-byte messages,
 * still some), but no more than the mechanism's semaphore counts (sem->max_count); never fewer
 * than 4, so that both sides still copy at once with the largest messages. Slots outside memory
 * (s->io: a file's pages, each message a pwrite and a pread) keep at most 1024: a larger ring
 * only spreads those calls over more pages (a 1 KiB stream across two CPUs ran 0.94 as fast in
 * 4096 slots, slower in 10 of 10 alternating runs).
 *
 * A round trip across two CPUs, of messages of more than two lines: up to 512 slots, each in
 * pages of its own, as shm's ring's round trips (ring.c): a message lands on lines neither side
 * has touched of late, where with 32 slots the writer took back, a line at a time, lines the
 * reader had read 32 messages before, and no payload shares a page with the next slot, whose
 * lines the reader's prefetchers would otherwise pull into its cache. Smaller messages, and
 * sides sharing one CPU (and its caches, where the lines of 32 slots stay), keep 32 packed.
 */
#define SLOTS_MIN	 4u
#define SLOTS_MAX	 32u
#define SLOTS_STREAM_MAX 65536u
#define SLOTS_IO_MAX	 1024u
#define SLOTS_SPREAD_MAX 512u
#define SLOTS_BUDGET	 (4u << 20)
#define SLOTS_PAGE	 4096u
#define SLOTS_INLINE_MAX 128u

int ipcb_slots_setup(struct ipcb_slots *s, const struct ipcb_chan_cfg *cfg,
		     const struct ipcb_sem_ops *sem, size_t lead, struct ipcb_err *e)
{
	size_t k, max = cfg->bidirectional ? SLOTS_MAX : SLOTS_STREAM_MAX;

	s->sem = sem;
	if (sem->max_count && max > sem->max_count)
		max = sem->max_count;
	if (s->io && max > SLOTS_IO_MAX)
		max = SLOTS_IO_MAX;

	s->ndirs = cfg->bidirectional ? 2 : 1;
	s->slot_bytes = (cfg->msg_bytes + 63) & ~(size_t)63;
	if (s->slot_bytes == 0)
		s->slot_bytes = 64;
	if (cfg->bidirectional && s->slot_bytes > SLOTS_INLINE_MAX && !ipcb_sides_share_cpu(cfg)) {
		s->slot_bytes = (lead % SLOTS_PAGE + s->slot_bytes + SLOTS_PAGE - 1) &
				~(size_t)(SLOTS_PAGE - 1);
		max = SLOTS_SPREAD_MAX;
	}
	k = SLOTS_BUDGET / s->slot_bytes;
	s->nslots = k < SLOTS_MIN ? SLOTS_MIN : k > max ? max : (unsigned)k;
	/*
	 * A stream's writer across CPUs of large slots chooses its stores, as shm's ring's does
	 * (ring.c): where the machine takes each line back from the reader's cache slowly, an
	 * ordinary store holds the stream to a few GB/s.
	 */
	s->choose_stores = ipcb_chooses_stores(cfg, s->slot_bytes, IPCB_STORE_SLOT_MIN);
	return ipcb_map_shared_anon(s->ndirs * sizeof(struct ipcb_slots_flow), (void **)&s->flow,
				    e);
}

void ipcb_slots_teardown(struct ipcb_slots *s)
{
	if (s->flow)
		munmap(s->flow, s->ndirs * sizeof(struct ipcb_slots_flow));
	s->flow = NULL;
}

size_t ipcb_slots_bytes(const struct ipcb_slots *s)
{
	return (size_t)s->ndirs * s->nslots * s->slot_bytes;
}

unsigned ipcb_slots_nsems(const struct ipcb_slots *s)
{
	return 2 * s->ndirs;
}

/*
 * The tries after a first one that found the semaphore at 0, by the run's wait strategy, and
 * the sleep they end in. Out of line: the path of a reader whose message is there stays free of
 * the polling loop's registers.
 */
IPCB_HOT __attribute__((noinline)) static int slots_poll(const struct ipcb_slots *s,
							 struct ipcb_ep *ep, unsigned sem)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	unsigned polls = 0;

	for (;;) {
		if (!ipcb_wait_poll(cfg->wait, &polls, cfg->spin_polls, ep->chan->yields))
			return s->sem->wait(s->sem_ctx, sem, &ep->err);
		int rc = s->sem->trywait(s->sem_ctx, sem, &ep->err);

		if (rc != -EAGAIN)
			return rc;
	}
}

/*
 * Take one from a semaphore by the run's wait strategy. Polling: the first try is the message's
 * (its one call where the message is there); every try after it, and the sleep they end in, wait
 * for the other side, whose timing decides how many there are: a wait to a counted run
 * (count.h), marked after every first try, so that every message crosses the same marks.
 */
IPCB_HOT static int slots_take(const struct ipcb_slots *s, struct ipcb_ep *ep, unsigned sem)
{
	/*
	 * In a register, where ring.c keeps its result in memory: counted, the code after the mark
	 * is the same either way here too (tests/counted/waits.sh), and a stored and reloaded
	 * result made 64 B round trips of shm-sem 0.91-0.94 times as fast.
	 */
	int rc;

	if (ep->chan->cfg.wait == IPCB_WAIT_BLOCK)
		return s->sem->wait(s->sem_ctx, sem, &ep->err);
	rc = s->sem->trywait(s->sem_ctx, sem, &ep->err);
	ipcb_count_wait(true);
	if (rc == -EAGAIN)
		rc = slots_poll(s, ep, sem);
	ipcb_count_wait(false);
	return rc;
}

/*
 * Writer: wait until its reader has taken message end->sent - nslots, so that slot is free.
 * Spinning reads the shared count; sleeping is the flag handshake of slots.h: raise the flag,
 * look again, and sleep on "empty" unless there is room now. A writer that found room after
 * raising the flag takes its flag back; if the reader took it first, a post is on its way and
 * is waited for, so that no post is ever left over.
 */
IPCB_HOT static int slots_await_room(const struct ipcb_slots *s, struct ipcb_slots_end *end,
				     struct ipcb_ep *ep, unsigned dir)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct ipcb_slots_flow *fl = &s->flow[dir];
	unsigned empty = IPCB_SLOTS_SEM(dir, IPCB_SLOTS_EMPTY);
	unsigned polls = 0;

	for (;;) {
		end->taken_seen = __atomic_load_n(&fl->taken, __ATOMIC_ACQUIRE);
		if (end->sent - end->taken_seen < s->nslots)
			return 0;
		if (ipcb_wait_poll(cfg->wait, &polls, cfg->spin_polls, ep->chan->yields))
			continue;
		__atomic_store_n(&fl->writer_waiting, 1, __ATOMIC_SEQ_CST);
		end->taken_seen = __atomic_load_n(&fl->taken, __ATOMIC_SEQ_CST);
		if (end->sent - end->taken_seen < s->nslots &&
		    __atomic_exchange_n(&fl->writer_waiting, 0, __ATOMIC_SEQ_CST))
			return 0;
		/* No room (the reader will post), or the reader already took the flag (it has). */
		int rc = s->sem->wait(s->sem_ctx, empty, &ep->err);

		if (rc)
			return rc;
	}
}

IPCB_HOT static size_t slots_offset(const struct ipcb_slots *s, unsigned dir, uint64_t n)
{
	return ((size_t)dir * s->nslots + (size_t)(n % s->nslots)) * s->slot_bytes;
}

IPCB_HOT static int slots_check(const struct ipcb_slots *s, struct ipcb_ep *ep, unsigned dir,
				size_t len, const char *call)
{
	if (len > s->slot_bytes)
		return ipcb_errf(&ep->err, -EMSGSIZE, call, "%zu bytes do not fit a %zu-byte slot",
				 len, s->slot_bytes);
	if (dir >= s->ndirs)
		return ipcb_errf(&ep->err, -EINVAL, call,
				 "receiver -> sender is not set up in throughput mode");
	return 0;
}

IPCB_HOT int ipcb_slots_send(const struct ipcb_slots *s, struct ipcb_slots_end *end,
			     struct ipcb_ep *ep, const void *buf, size_t len)
{
	unsigned dir = ep->role == IPCB_SENDER ? 0 : 1;
	size_t off = slots_offset(s, dir, end->sent);
	int rc = slots_check(s, ep, dir, len, "send");

	if (rc)
		return rc;
	/* Whether there is room is the reader's timing: a wait, marked every time (count.h). */
	ipcb_count_wait(true);
	if (end->sent - end->taken_seen >= s->nslots)
		rc = slots_await_room(s, end, ep, dir);
	ipcb_count_wait(false);
	if (rc)
		return rc;
	/*
	 * The fences order the copies against the hand-back count and the semaphore: a slot is
	 * filled only after the reader's count said it was free, and published before our post
	 * of full (mirrored in recv). Not every mechanism documents that it orders memory
	 * (eventfd, signals); on x86 they cost nothing.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (s->mem && __builtin_expect(s->choose_stores, 0))
		ipcb_store_choice_slot_copy(&end->store, s->nslots, s->slot_bytes, s->mem + off,
					    buf, len);
	else if (s->mem)
		ipcb_shared_copy(s->mem + off, buf, len);
	else if ((rc = s->io->put(s->io_ctx, off, buf, len, &ep->err)))
		return rc;
	end->sent++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return s->sem->post(s->sem_ctx, IPCB_SLOTS_SEM(dir, IPCB_SLOTS_FULL), &ep->err);
}

IPCB_HOT int ipcb_slots_recv(const struct ipcb_slots *s, struct ipcb_slots_end *end,
			     struct ipcb_ep *ep, void *buf, size_t len)
{
	unsigned dir = ep->role == IPCB_SENDER ? 1 : 0;
	size_t off = slots_offset(s, dir, end->received);
	struct ipcb_slots_flow *fl;
	int rc = slots_check(s, ep, dir, len, "recv");

	if (!rc)
		rc = slots_take(s, ep, IPCB_SLOTS_SEM(dir, IPCB_SLOTS_FULL));
	if (rc)
		return rc;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (s->mem)
		ipcb_shared_copy(buf, s->mem + off, len);
	else if ((rc = s->io->get(s->io_ctx, off, buf, len, &ep->err)))
		return rc;
	end->received++;
	/* The slot may be overwritten as soon as the writer sees this count. */
	fl = &s->flow[dir];
	__atomic_store_n(&fl->taken, end->received, __ATOMIC_RELEASE);
	/* A spinning or yielding writer never sleeps: no fence, no flag to look at. */
	if (ep->chan->cfg.wait == IPCB_WAIT_SPIN || ep->chan->cfg.wait == IPCB_WAIT_YIELD)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Whether the writer sleeps is its timing: looking, and waking it, a wait (count.h). */
	ipcb_count_wait(true);
	if (__atomic_load_n(&fl->writer_waiting, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&fl->writer_waiting, 0, __ATOMIC_SEQ_CST))
		rc = s->sem->post(s->sem_ctx, IPCB_SLOTS_SEM(dir, IPCB_SLOTS_EMPTY), &ep->err);
	ipcb_count_wait(false);
	return rc;
}

/* ---- POSIX semaphores ------------------------------------------------------------------- */

IPCB_HOT static int psem_post(void *ctx, unsigned sem, struct ipcb_err *e)
{
	struct ipcb_psem *p = ctx;

	if (sem_post(&p[sem].sem) < 0)
		return ipcb_err(e, -errno, "sem_post");
	return 0;
}

IPCB_HOT static int psem_trywait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	struct ipcb_psem *p = ctx;

	while (sem_trywait(&p[sem].sem) < 0) {
		if (errno == EAGAIN)
			return -EAGAIN;
		if (errno != EINTR)
			return ipcb_err(e, -errno, "sem_trywait");
	}
	return 0;
}

IPCB_HOT static int psem_wait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	struct ipcb_psem *p = ctx;

	while (sem_wait(&p[sem].sem) < 0)
		if (errno != EINTR)
			return ipcb_err(e, -errno, "sem_wait");
	return 0;
}

const struct ipcb_sem_ops ipcb_psem_ops = {
    .post = psem_post,
    .trywait = psem_trywait,
    .wait = psem_wait,
};

int ipcb_psem_init(struct ipcb_psem *p, const struct ipcb_slots *s, unsigned *ready,
		   struct ipcb_err *e)
{
	for (*ready = 0; *ready < ipcb_slots_nsems(s); (*ready)++)
		if (sem_init(&p[*ready].sem, 1, 0) < 0)
			return ipcb_err(e, -errno, "sem_init");
	return 0;
}

void ipcb_psem_destroy(struct ipcb_psem *p, unsigned *ready)
{
	while (*ready > 0)
		sem_destroy(&p[--*ready].sem);
}
