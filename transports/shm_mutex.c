/* SPDX-License-Identifier: MIT */
/*
 * shm-mutex - POSIX shared memory holding, per direction, a ring of message slots guarded by one
 * process-shared robust pthread mutex and two process-shared condition variables ("not empty",
 * "not full"): the textbook monitor two processes share.
 *
 * Cost of one message: the lock guards the ring's two counts, not its bytes. The writer copies
 * the message into the slot at its head, a slot the reader cannot touch until the count says
 * so, then locks, counts the message written, signals "not empty" and unlocks; the reader
 * copies the slot at its tail out and, under the lock, counts it taken and signals "not full":
 * in a stream, once per batch of up to a quarter of the ring, while the count it last read says
 * more are full (a consumer that takes all it finds). Counted one by one, the lock's line
 * crossed between the CPUs twice a message, and a 64 B stream across two CPUs took 160 ns a
 * message (EPYC guest); in batches the writer keeps it, and streams ran 1.3-3 times as fast
 * (64 B 6.2 million messages a second where 18.9, 64 KiB 0.18 where 0.34, 4 KiB 2.8 where
 * 3.8), round trips as before (a reply is counted at once). The writer still counts each
 * message: a count it held back could be the stream's last, and the reader would never see it.
 * A side that finds the ring full (the writer) or empty (the reader), as the count it read at
 * its last unlock says, locks and waits on its condition first. So the two sides copy at once,
 * as any shared-memory ring lets them, and each holds the lock for a few instructions; a lock
 * held across a copy (the monitor's first textbook form) made the other side sleep on the
 * mutex's futex for the copy's length, once or more a message (0.02-0.27 of the copy floors on
 * two CPUs). glibc's mutex and condition variables are words in the segment plus futexes:
 * uncontended they are atomic instructions only, a signal with no waiter a load; a side that
 * waits sleeps in FUTEX_WAIT and the signal that wakes it costs a FUTEX_WAKE. The reader always
 * blocks (no choice of wait strategy: a condition variable is the wait).
 * A stream's writer across CPUs of slots of 64 KiB or more stores through the cache or past it,
 * whichever runs faster on the machine as it is (storechoice.h), as the slot transports'.
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); about 4 MiB of slots per
 * direction, at least 4, at most 32 for round trips and for a stream as many as 4 MiB holds (up
 * to 65536, as shm's ring), whose writer would otherwise fill a short ring and sleep on it once
 * every 32 messages, each time for a wake-up of tens of microseconds across two CPUs (64 B
 * streams ran at one message a microsecond), and in a ring of 1024 slots (64 KiB of 64-byte
 * messages, which stay in the reader's cache) took back from it each line it wrote (and with the
 * reader's batches, rings of 256 KiB and 1 MiB ran 4 KiB and 64 KiB streams 1.5-5 times slower
 * than 4 MiB); the segment counts against the /dev/shm tmpfs.
 *
 * Robust mutex: a side that dies holding the lock does not leave the other asleep forever on
 * it; the other's next lock returns EOWNERDEAD, and the run fails naming the dead owner rather
 * than carrying on with a ring that may be half written. The name is removed as soon as the
 * segment exists; the children inherit the mapping across fork.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "common.h"
#include "format.h"
#include "storechoice.h"
#include "transport.h"

#define SHM_MUTEX_MAX_MSG (4u << 20)
#define SHM_MUTEX_MIN	  4u
#define SHM_MUTEX_MAX	  32u
#define SHM_MUTEX_STREAM  65536u
#define SHM_MUTEX_BUDGET  (4u << 20)

/*
 * One direction, at the start of its part of the segment; its slots follow. The lock and the
 * two counts it guards share one cache line, and each condition variable has a line of its own:
 * a round trip's message takes the lock on both sides, so that line crosses between the CPUs
 * twice a message whatever else does; a signal with no waiter only loads its condition's word,
 * which stays in both caches until a side waits on it. Declared one after the other (the mutex,
 * then both conditions, then the counts), the five spread over three lines that each side wrote or
 * read after the other had written them, and all three crossed at every message.
 */
struct shm_mutex_dir {
	pthread_mutex_t lock;
	uint64_t head, tail; /* messages written, taken: changed under lock, each by one side */
	_Alignas(64) pthread_cond_t not_empty;
	_Alignas(64) pthread_cond_t not_full;
	_Alignas(64) unsigned char slots[];
};
_Static_assert(offsetof(struct shm_mutex_dir, tail) + sizeof(uint64_t) <= 64,
	       "the lock and its counts in one cache line");

/*
 * One side's view of each direction: the slots it may use without waiting, as the counts said
 * when it last held the lock (they only grow until it uses one).
 */
struct shm_mutex_end {
	uint64_t ready[2];   /* per direction: free slots (writing) or full ones (reading) */
	uint64_t read[2];    /* per direction: messages this side copied out, counted or not yet */
	uint64_t counted[2]; /* per direction: of those, counted (the ring's tail, as it set it) */
	struct ipcb_store_choice store; /* a stream writer's, where the channel chooses */
};

struct shm_mutex_chan {
	void *map;
	size_t map_bytes;
	size_t dir_bytes; /* one direction's header and slots, a multiple of 64 */
	size_t slot_bytes;
	unsigned nslots, ndirs;
	unsigned batch;	    /* a reader counts what it took after at most this many (below) */
	bool choose_stores; /* a stream's writer across CPUs chooses its stores (storechoice.h) */
};

static struct shm_mutex_dir *shm_mutex_dir(const struct shm_mutex_chan *c, unsigned d)
{
	return (struct shm_mutex_dir *)((char *)c->map + (size_t)d * c->dir_bytes);
}

static int shm_mutex_init_dir(struct shm_mutex_dir *d, struct ipcb_err *e)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int rc;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	rc = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	if (!rc)
		rc = pthread_mutex_init(&d->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (rc)
		return ipcb_err(e, -rc, "pthread_mutex_init(process-shared, robust)");
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	rc = pthread_cond_init(&d->not_empty, &ca);
	if (!rc)
		rc = pthread_cond_init(&d->not_full, &ca);
	pthread_condattr_destroy(&ca);
	return rc ? ipcb_err(e, -rc, "pthread_cond_init(process-shared)") : 0;
}

static int shm_mutex_setup(struct ipcb_chan *ch)
{
	struct shm_mutex_chan *c = ch->priv;
	size_t k, max = ch->cfg.bidirectional ? SHM_MUTEX_MAX : SHM_MUTEX_STREAM;
	char slot[16];
	int rc;

	c->ndirs = ch->cfg.bidirectional ? 2 : 1;
	c->slot_bytes = (ch->cfg.msg_bytes + 63) & ~(size_t)63;
	k = SHM_MUTEX_BUDGET / c->slot_bytes;
	c->nslots = k < SHM_MUTEX_MIN ? SHM_MUTEX_MIN : k > max ? max : (unsigned)k;
	c->batch = ch->cfg.bidirectional ? 1 : c->nslots / 4;
	c->choose_stores = ipcb_chooses_stores(&ch->cfg, c->slot_bytes, IPCB_STORE_SLOT_MIN);
	c->dir_bytes =
	    (sizeof(struct shm_mutex_dir) + c->nslots * c->slot_bytes + 63) & ~(size_t)63;
	c->map_bytes = c->ndirs * c->dir_bytes;
	rc = ipcb_backing_create_map(NULL, ch->tag, c->map_bytes, &c->map, &ch->err);
	if (rc)
		return rc;
	for (unsigned d = 0; d < c->ndirs; d++) {
		rc = shm_mutex_init_dir(shm_mutex_dir(c, d), &ch->err);
		if (rc)
			return rc;
	}
	ch->buffer_bytes = (size_t)c->ndirs * c->nslots * c->slot_bytes;
	ipcb_format_size(c->slot_bytes, slot, sizeof(slot));
	snprintf(ch->layout, sizeof(ch->layout), "slots%s: %u of %s, one mutex each",
		 c->ndirs > 1 ? " per direction" : "", c->nslots, slot);
	return 0;
}

static void shm_mutex_teardown(struct ipcb_chan *ch)
{
	struct shm_mutex_chan *c = ch->priv;

	if (!c->map)
		return;
	/*
	 * No pthread_*_destroy: process-shared mutexes and condition variables hold nothing but
	 * these words, and glibc's pthread_cond_destroy waits for every waiter to leave, which a
	 * side killed in pthread_cond_wait (a failed run) never does.
	 */
	munmap(c->map, c->map_bytes);
	c->map = NULL;
}

static int shm_mutex_open(struct ipcb_ep *ep)
{
	(void)ep; /* the mapping came with fork */
	return 0;
}

/* A robust mutex's owner died: the ring may be half updated, so the run ends here. */
static int shm_mutex_owner_dead(struct shm_mutex_dir *d, struct ipcb_err *e, const char *call)
{
	pthread_mutex_consistent(&d->lock);
	pthread_mutex_unlock(&d->lock);
	return ipcb_errf(e, -EOWNERDEAD, call, "the other side died holding the lock");
}

IPCB_HOT static int shm_mutex_lock(struct shm_mutex_dir *d, struct ipcb_err *e)
{
	int rc = pthread_mutex_lock(&d->lock);

	if (rc == EOWNERDEAD)
		return shm_mutex_owner_dead(d, e, "pthread_mutex_lock");
	return rc ? ipcb_err(e, -rc, "pthread_mutex_lock") : 0;
}

/* Wait on cv with d->lock held; the lock is held again on return, also on error. */
IPCB_HOT static int shm_mutex_wait(struct shm_mutex_dir *d, pthread_cond_t *cv, struct ipcb_err *e)
{
	int rc = pthread_cond_wait(cv, &d->lock);

	if (rc == EOWNERDEAD)
		return shm_mutex_owner_dead(d, e, "pthread_cond_wait");
	if (rc) {
		pthread_mutex_unlock(&d->lock);
		return ipcb_err(e, -rc, "pthread_cond_wait");
	}
	return 0;
}

/* The slots a side may use now: free ones for the writer, full ones for the reader. */
IPCB_HOT static uint64_t shm_mutex_ready(const struct shm_mutex_chan *c,
					 const struct shm_mutex_dir *d, bool writing)
{
	uint64_t used = d->head - d->tail;

	return writing ? c->nslots - used : used;
}

/* A side that used every slot its last look gave it: wait, under the lock, until there is one. */
IPCB_HOT static int shm_mutex_await(const struct shm_mutex_chan *c, struct shm_mutex_dir *d,
				    bool writing, uint64_t *ready, struct ipcb_err *e)
{
	int rc = shm_mutex_lock(d, e);

	while (!rc && !(*ready = shm_mutex_ready(c, d, writing)))
		rc = shm_mutex_wait(d, writing ? &d->not_full : &d->not_empty, e);
	if (!rc)
		pthread_mutex_unlock(&d->lock);
	return rc;
}

/*
 * A side's messages are in (or out of) their slots: count them under the lock (the writer's one
 * message, the reader's `read` so far), look again at what is ready, and signal the other
 * side's condition. Signalled under the lock: the other side cannot miss it between its check
 * and its wait.
 */
IPCB_HOT static int shm_mutex_count(const struct shm_mutex_chan *c, struct shm_mutex_dir *d,
				    bool writing, uint64_t read, uint64_t *ready,
				    struct ipcb_err *e)
{
	int rc = shm_mutex_lock(d, e);

	if (rc)
		return rc;
	if (writing)
		d->head++;
	else
		d->tail = read;
	*ready = shm_mutex_ready(c, d, writing);
	pthread_cond_signal(writing ? &d->not_empty : &d->not_full);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/*
 * One message into or out of the slot at this side's count. Only this side moves that count,
 * so its value needs no lock, and the slot is this side's until the message is counted. A
 * reader counts what it took once the full slots its last look gave it are used, or after
 * c->batch of them (a stream's quarter of the ring; every message in a round trip): while the
 * writer runs ahead, the lock's line stays with the writer for that many messages, where it
 * crossed to the reader and back at every one.
 */
IPCB_HOT static int shm_mutex_move(struct ipcb_ep *ep, void *buf, size_t len, bool writing)
{
	const struct shm_mutex_chan *c = ep->chan->priv;
	struct shm_mutex_end *me = ep->priv;
	unsigned dir = (ep->role == IPCB_SENDER) == writing ? 0 : 1;
	struct shm_mutex_dir *d = shm_mutex_dir(c, dir);
	uint64_t *ready = &me->ready[dir];
	unsigned char *slot;
	int rc;

	if (!*ready && (rc = shm_mutex_await(c, d, writing, ready, &ep->err)))
		return rc;
	slot = d->slots + (size_t)((writing ? d->head : me->read[dir]) % c->nslots) * c->slot_bytes;
	if (writing) {
		if (__builtin_expect(c->choose_stores, 0))
			ipcb_store_choice_slot_copy(&me->store, c->nslots, c->slot_bytes, slot, buf,
						    len);
		else
			ipcb_shared_copy(slot, buf, len);
		return shm_mutex_count(c, d, true, 0, ready, &ep->err);
	}
	ipcb_shared_copy(buf, slot, len);
	me->read[dir]++;
	/* Its own count of what it counted, not the ring's: that line is the writer's now. */
	if (--*ready && me->read[dir] - me->counted[dir] < c->batch)
		return 0;
	me->counted[dir] = me->read[dir];
	return shm_mutex_count(c, d, false, me->read[dir], ready, &ep->err);
}

IPCB_HOT static int shm_mutex_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	/* Read from, never written: the cast only lets one function move both ways. */
	return shm_mutex_move(ep, (void *)buf, len, true);
}

IPCB_HOT static int shm_mutex_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	return shm_mutex_move(ep, buf, len, false);
}

const struct ipcb_transport ipcb_transport_shm_mutex = {
    .name = "shm-mutex",
    .path = IPCB_PATH_SHARED_MEMORY,
    .summary = "shared-memory slots under a process-shared robust mutex and condition variables",
    .caps = IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES,
    .max_msg_bytes = SHM_MUTEX_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct shm_mutex_chan),
    .ep_priv_bytes = sizeof(struct shm_mutex_end),
    .setup = shm_mutex_setup,
    .teardown = shm_mutex_teardown,
    .open = shm_mutex_open,
    .send = shm_mutex_send,
    .recv = shm_mutex_recv,
};
