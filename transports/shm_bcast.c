/* SPDX-License-Identifier: MIT */
/*
 * shm-bcast - publish-subscribe in POSIX shared memory, without a broker: one writer puts each
 * message into the next slot of a ring, and every reader follows the ring with a cursor of its
 * own, so each message is written once and read by all (--deliver all; a pair is the same ring
 * with one reader). A ring per direction: the one back, in latency mode, has one reader.
 *
 * Slots hold whole messages: [sequence + 1][length][payload], each slot on 128-byte boundaries,
 * a payload of up to two lines in the same lines as its header (the line a reader polls brings
 * the first bytes), a larger one from the next line on: 16 bytes into the slot it would lie
 * where some CPUs' `rep movsb` copies at half speed (floor-cliff's offset 16), and on a line
 * boundary every slot lies a multiple of 64 bytes from a page-aligned buffer.
 * The writer fills the slot, then publishes its sequence number with a release store; a reader
 * polls the header of the slot at its cursor, copies the payload out, and publishes how far it
 * has read (its cursor, on a cache line of its own). In a round trip across two CPUs a message
 * longer than the ring's plan's piece (util/ring.h) is also counted piece by piece as it lands
 * (the header line's third word), and its reader copies each piece out once counted.
 *
 * -o shm-bcast.overrun= what the writer does when the ring is full, that is when the slowest
 * reader is a whole ring behind:
 *   wait (default): it waits for the slowest reader, so nothing is lost and the slowest reader
 *     paces every other one. The writer reads the readers' cursors only when its own view says
 *     the ring is full, and then sleeps (block, hybrid) on the cursor of the slowest.
 *   count: it never waits and writes over what the slowest readers have not read yet; a reader
 *     that finds its slot overwritten (a later message there) jumps to the oldest message the
 *     ring may still hold, and the sequence numbers it never saw are its losses (the run is
 *     lossy). The writer marks a slot busy while it writes it (a seqlock): a reader that copied
 *     a message while it was being overwritten sees the mark changed and skips it, lost too.
 *
 * Waiting (--wait): a reader spins on its slot's header, yields, sleeps on it (a futex on the
 * header's low half, woken by the writer only when a reader is asleep: a count of sleepers, the
 * flag handshake of util/ring.c), or spins and then sleeps (hybrid). Every reader that is
 * caught up waits for the same slot, the writer's next, and one FUTEX_WAKE wakes them all.
 * The waker fences its CPU after every store a sleeper may wait for, except in a stream with a
 * hybrid wait that polls first, whose sides sleep rarely: there the sleeper fences both CPUs
 * (membarrier), as shm's ring does, once per sleep.
 *
 * Cost of one message: one copy in by the writer and one copy out by each reader, and a cache
 * line of cursor per reader. Limits: a slot holds a whole message, so a ring of about -o
 * shm-bcast.ring bytes (by default the machine's, as shm's: util/ring.h) has at least 4 slots of
 * the largest message; the rings, reserved up front, count against /dev/shm.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "common.h"
#include "format.h"
#include "ring.h"
#include "topology.h"
#include "transport.h"

enum { BCAST_OPT_OVERRUN, BCAST_OPT_RING };
enum { BCAST_WAIT, BCAST_COUNT };

static const struct ipcb_option bcast_options[] = {
    {.key = "overrun",
     .type = IPCB_OPT_CHOICE,
     .def = "wait",
     .choices = "wait|count",
     .help = "when the slowest reader is a whole ring behind: wait for it (nothing lost), or "
	     "write over what it has not read (it counts what it missed as losses)"},
    {.key = "ring",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     /*
      * The ring the plan takes where it stays in a CPU's private cache, 1/16 of the machine's
      * on a 1 MiB L2: --tune tries a setting the default is not on any CPU with more than
      * 64 KiB of it (4 MiB, the value tried before, was the default on such a CPU).
      */
     .tune = "262144",
     .help = "bytes each direction's ring aims at (at least 4 slots of a whole message, at most "
	     "65536); 0: the machine's, as shm's ring (four times a CPU's private cache), but "
	     "256 KiB for round trips on one CPU"},
    {.key = NULL},
};

#define BCAST_ALIGN	128u
#define BCAST_PAGE	4096u
#define BCAST_HDR_BYTES 16u /* sequence + 1, length */
/* The ring of sides on one CPU (bcast_setup). */
#define BCAST_SMALL_RING (256u * 1024)
#define BCAST_MIN_SLOTS	 4u
#define BCAST_MAX_SLOTS	 65536u
/* As many readers as --topology may ask for. */
#define BCAST_MAX_READERS 64u
/*
 * A message in pieces: the slot's third word counts them as they land, below the message's
 * sequence number shifted up by this much, so that it only grows, message after message.
 */
#define BCAST_PIECE_SHIFT 24
/* A slot the writer is writing over (overrun=count): no sequence number ever reaches it. */
#define BCAST_BUSY UINT64_MAX

/* A reader's cursor, on a cache line of its own: only that reader writes it. */
struct bcast_cursor {
	_Alignas(64) uint64_t taken; /* messages it has read or skipped */
};

/* One direction, in shared memory. */
struct bcast_ring {
	_Alignas(64) uint32_t readers_asleep; /* readers sleeping on a slot's header */
	uint64_t asleep_at;		      /* the highest header value a reader slept for */
	_Alignas(64) uint32_t writer_asleep;  /* the writer sleeps on waits_for's cursor */
	uint32_t waits_for;
	uint64_t waits_at; /* what that cursor read when the writer looked */
	_Alignas(64) uint32_t nslots, nreaders, slot_bytes;
	uint32_t payload_off; /* where the payload starts in its slot */
	uint32_t piece_bytes; /* a round trip's message of more crosses in pieces; 0: whole */
	uint64_t whole_max;   /* the longest message that crosses whole: piece_bytes, or all */
	bool overwrite;
	bool asym; /* the sleeper fences every side's CPU, the waker none (bcast_sleep) */
	struct bcast_cursor cursor[BCAST_MAX_READERS];
	_Alignas(BCAST_PAGE) unsigned char slots[]; /* on a page: paged slots start on one */
};

struct bcast_chan {
	void *map;
	size_t map_bytes;
	struct bcast_ring *ring[2]; /* [0] sender -> receivers, [1] back (latency mode only) */
};

/*
 * Where one side stands in a ring, with its own copy of the ring's layout, as shm's ring's
 * ends (util/ring.h, struct ipcb_ring_end): its slot is one load away and moves by an add and a
 * compare, where a slot found from a message's number through the ring's header took a chain
 * of loads and a division at every message.
 */
struct bcast_pos {
	unsigned char *slot;	     /* the slot of the writer's head, or the reader's cursor */
	unsigned char *first, *past; /* the ring's slots: the first, and one past the last */
	uint32_t slot_bytes;
};

/* One endpoint's private place in the rings. */
struct bcast_ep {
	struct bcast_ring *in, *out; /* the rings it reads and writes (NULL: none) */
	struct bcast_pos rpos, wpos; /* its place in them */
	uint64_t head;		     /* writer: messages written */
	uint64_t min_seen;	     /* writer: its last view of the slowest reader's cursor */
	uint64_t taken;		     /* reader: its cursor */
	uint64_t handed;	     /* reader: its cursor as the ring last had it */
	uint32_t hand_every;	     /* reader: cursor published every so many, a power of 2 */
	bool reads_ahead;	     /* reader: asks for the next slots' headers as it copies */
	uint32_t yields; /* a hybrid wait's yields before it sleeps (ipcb_chan.yields) */
};

/* The futex word inside a 64-bit word: its low half, wherever the byte order puts it. */
IPCB_HOT static uint32_t *bcast_futex_word(uint64_t *word)
{
	return (uint32_t *)word + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
}

/* The slot after `slot` in the ring p walks. */
IPCB_HOT static inline unsigned char *bcast_after(const struct bcast_pos *p, unsigned char *slot)
{
	slot += p->slot_bytes;
	return slot == p->past ? p->first : slot;
}

/*
 * p at message seq's slot of ring r: a reader lapped by an overwriting writer jumps there, the
 * one place a slot is found from a message's number.
 */
static void bcast_pos_at(struct bcast_pos *p, struct bcast_ring *r, uint64_t seq)
{
	p->slot = r->slots + (size_t)(seq % r->nslots) * r->slot_bytes;
}

static void bcast_pos_init(struct bcast_pos *p, struct bcast_ring *r)
{
	p->first = p->slot = r->slots;
	p->slot_bytes = r->slot_bytes;
	p->past = r->slots + (size_t)r->nslots * r->slot_bytes;
}

/* A reader's index among the ring's readers. */
static unsigned bcast_reader(const struct ipcb_ep *ep)
{
	return ep->role == IPCB_RECEIVER ? ep->index : 0;
}

/*
 * Sleep on word while it still reads `seen`, counted in *asleep: the sleeper counts itself in
 * (a full barrier), then looks once more; the other side stores, fences and wakes only when
 * the count is up. Either the sleeper sees the store, or the waker sees the count, or
 * FUTEX_WAIT finds the word changed: no wake-up is lost.
 *
 * The count stays up until the sleeper runs again, which on a CPU both sides share is not until
 * the waker stops: so the waker wakes only for the store the sleeper waits for (the message a
 * reader sleeps at, the first move of the cursor the writer sleeps on), not for every one after
 * it, each a futex_wake() system call (a 64-byte stream on one CPU ran at 0.04 of its copy
 * floor, 730 ns a message, all of it the writer's calls). Readers each say the message they
 * sleep for by raising asleep_at, never lowering it (one that looked long ago must not take it
 * back below a later sleeper's); the writer wakes every sleeper once it publishes a message at
 * or past it, on the header all caught-up readers sleep on.
 */
IPCB_HOT static int bcast_sleep(const struct bcast_ring *r, uint32_t *asleep, uint64_t *word,
				uint32_t seen, struct ipcb_err *e)
{
	int rc = 0;

	__atomic_add_fetch(asleep, 1, __ATOMIC_SEQ_CST);
	if (r->asym && (rc = ipcb_membarrier_fence()) < 0) {
		__atomic_sub_fetch(asleep, 1, __ATOMIC_SEQ_CST);
		return ipcb_err(e, rc, "membarrier");
	}
	if ((uint32_t)__atomic_load_n(word, __ATOMIC_ACQUIRE) == seen)
		rc = ipcb_futex_wait(bcast_futex_word(word), seen);
	__atomic_sub_fetch(asleep, 1, __ATOMIC_SEQ_CST);
	return rc < 0 ? ipcb_err(e, rc, "futex_wait") : 0;
}

/*
 * The waker, between its store and its look at the sleepers' count: a fence, or where the
 * sleeper fences both CPUs (r->asym), only the compiler's.
 */
IPCB_HOT static void bcast_waker_fence(const struct bcast_ring *r)
{
	if (r->asym)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A reader, before it sleeps for message `at` (its cursor + 1): raise asleep_at to it. */
IPCB_HOT static void bcast_say_asleep_at(struct bcast_ring *r, uint64_t at)
{
	uint64_t was = __atomic_load_n(&r->asleep_at, __ATOMIC_RELAXED);

	while (was < at && !__atomic_compare_exchange_n(&r->asleep_at, &was, at, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* The writer, after publishing message `seq` (its header reads seq): wake readers asleep for it. */
IPCB_HOT static int bcast_wake_readers(struct bcast_ring *r, uint64_t *hdr, uint64_t seq,
				       enum ipcb_wait wait, struct ipcb_err *e)
{
	int rc = 0;

	/* A spinning or yielding peer never sleeps. */
	if (wait == IPCB_WAIT_SPIN || wait == IPCB_WAIT_YIELD)
		return 0;
	bcast_waker_fence(r);
	/* Whether a reader sleeps is its timing: looking, and waking it, a wait (count.h). */
	ipcb_count_wait(true);
	/* Acquire: a sleeper counted in is one whose asleep_at is seen too. */
	if (__atomic_load_n(&r->readers_asleep, __ATOMIC_ACQUIRE) &&
	    __atomic_load_n(&r->asleep_at, __ATOMIC_RELAXED) >= seq)
		rc = ipcb_futex_wake(bcast_futex_word(hdr), INT_MAX);
	ipcb_count_wait(false);
	return rc < 0 ? ipcb_err(e, rc, "futex_wake") : 0;
}

/*
 * Writer, overrun=wait: wait until the slowest reader has left the slot for w->head, sleeping
 * (by the wait strategy) on that reader's cursor. Out of line: the path with room stays small.
 */
IPCB_HOT __attribute__((noinline)) static int bcast_await_room(struct bcast_ring *r,
							       struct bcast_ep *w,
							       const struct ipcb_chan_cfg *cfg,
							       struct ipcb_err *e)
{
	unsigned polls = 0;

	for (;;) {
		uint64_t least = UINT64_MAX;
		unsigned slowest = 0;
		int rc;

		for (unsigned k = 0; k < r->nreaders; k++) {
			uint64_t t = __atomic_load_n(&r->cursor[k].taken, __ATOMIC_ACQUIRE);

			if (t < least) {
				least = t;
				slowest = k;
			}
		}
		w->min_seen = least;
		if (w->head - least < r->nslots)
			return 0;
		if (ipcb_wait_poll(cfg->wait, &polls, cfg->spin_polls, w->yields))
			continue;
		__atomic_store_n(&r->waits_for, slowest, __ATOMIC_RELAXED);
		__atomic_store_n(&r->waits_at, least, __ATOMIC_RELAXED);
		rc = bcast_sleep(r, &r->writer_asleep, &r->cursor[slowest].taken, (uint32_t)least,
				 e);
		if (rc)
			return rc;
	}
}

/*
 * Writer of a round trip's long message (message number seq): piece by piece, each counted in
 * the slot's third word as it lands, so that the reader copies one piece out while the next is
 * copied in, as shm's ring's round trips do (util/ring.c, ring_plan_pieces()). The sequence
 * number in the first word still follows the last piece: a reader that slept wakes to a whole
 * message.
 */
IPCB_HOT __attribute__((noinline)) static void bcast_put_pieces(const struct bcast_ring *r,
								uint64_t *hdr, const void *buf,
								size_t len, uint64_t seq)
{
	unsigned char *dst = (unsigned char *)hdr + r->payload_off;
	uint64_t landed = seq << BCAST_PIECE_SHIFT;

	for (size_t off = 0; off < len; off += r->piece_bytes) {
		size_t n = len - off < r->piece_bytes ? len - off : r->piece_bytes;

		ipcb_shared_copy(dst + off, (const unsigned char *)buf + off, n);
		__atomic_store_n(&hdr[2], ++landed, __ATOMIC_RELEASE);
	}
}

IPCB_HOT static int bcast_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct bcast_ep *w = ep->priv;
	struct bcast_ring *r = w->out;
	uint64_t *hdr;
	int rc;

	if (len > r->slot_bytes - r->payload_off)
		return ipcb_errf(&ep->err, -EMSGSIZE, "send", "%zu bytes in a slot of %u", len,
				 r->slot_bytes - r->payload_off);
	/* Whether there is room is the readers' timing: a wait, marked every time (count.h). */
	ipcb_count_wait(true);
	rc = !r->overwrite && w->head - w->min_seen >= r->nslots
		 ? bcast_await_room(r, w, cfg, &ep->err)
		 : 0;
	ipcb_count_wait(false);
	if (rc)
		return rc;
	hdr = (uint64_t *)w->wpos.slot;
	w->wpos.slot = bcast_after(&w->wpos, w->wpos.slot);
	/*
	 * Overwriting: the slot says it is busy before a byte of it changes, so that a reader
	 * copying the message it held finds out (the release fence keeps the payload's stores
	 * after the mark's).
	 */
	if (r->overwrite) {
		__atomic_store_n(hdr, BCAST_BUSY, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	hdr[1] = len;
	if (len > r->whole_max)
		bcast_put_pieces(r, hdr, buf, len, w->head + 1);
	else
		ipcb_shared_copy((unsigned char *)hdr + r->payload_off, buf, len);
	w->head++;
	__atomic_store_n(hdr, w->head, __ATOMIC_RELEASE);
	return bcast_wake_readers(r, hdr, w->head, cfg->wait, &ep->err);
}

/*
 * Reader: its cursor as far as it has read; wake the writer if it sleeps on this very cursor
 * and this is the cursor's first move since it looked (bcast_sleep() says why only the first).
 * The fence comes before either look: the writer names the cursor it sleeps on, counts itself
 * asleep (a full barrier) and then reads that cursor, so the store and the looks here must not
 * pass each other either.
 */
IPCB_HOT static inline __attribute__((always_inline)) int
bcast_give_back(struct bcast_ring *r, struct bcast_ep *rd, unsigned me,
		const struct ipcb_chan_cfg *cfg, struct ipcb_err *e)
{
	uint64_t was = rd->handed;
	int rc = 0;

	rd->handed = rd->taken;
	__atomic_store_n(&r->cursor[me].taken, rd->taken, __ATOMIC_RELEASE);
	/* An overwriting writer never waits; a spinning or yielding one never sleeps. */
	if (r->overwrite || cfg->wait == IPCB_WAIT_SPIN || cfg->wait == IPCB_WAIT_YIELD)
		return 0;
	bcast_waker_fence(r);
	/* Whether the writer sleeps is its timing: looking, and waking it, a wait (count.h). */
	ipcb_count_wait(true);
	if (__atomic_load_n(&r->writer_asleep, __ATOMIC_ACQUIRE) &&
	    __atomic_load_n(&r->waits_for, __ATOMIC_RELAXED) == me &&
	    __atomic_load_n(&r->waits_at, __ATOMIC_RELAXED) == was)
		rc = ipcb_futex_wake(bcast_futex_word(&r->cursor[me].taken), 1);
	ipcb_count_wait(false);
	return rc < 0 ? ipcb_err(e, rc, "futex_wake") : 0;
}

/*
 * Reader: one more message read; the cursor published at each hand_every-th (counted from the
 * ring's start, so that a counted run publishes at the same messages whatever the timing), or
 * before the reader next waits. As shm's ring's reader hands its slots back: the writer reads a
 * cursor when its own view says the ring is full, and a stream's writer is there at every
 * message, each look taking the cursor's line from the reader, and the reader's next store
 * taking it back. Inlined, as bcast_give_back(): a call from the round trip's path costs it
 * more than the test (a 64 B round trip counted 30 instructions more a side while it was out
 * of line).
 */
IPCB_HOT static inline __attribute__((always_inline)) int
bcast_hand_back(struct bcast_ring *r, struct bcast_ep *rd, unsigned me,
		const struct ipcb_chan_cfg *cfg, struct ipcb_err *e)
{
	if (rd->taken & (rd->hand_every - 1))
		return 0;
	return bcast_give_back(r, rd, me, cfg, e);
}

/* A reader's slot, whose header reads h: its message is there (taken + 1), or a later one. */
IPCB_HOT static bool bcast_arrived(uint64_t h, uint64_t taken)
{
	return h != BCAST_BUSY && h > taken;
}

/*
 * Reader: wait, by the run's wait strategy, until the slot at its cursor (header hdr, read as *h)
 * holds its message or a later one. Out of line: the path of a reader whose message is there
 * stays free of the waiting loop's registers.
 */
IPCB_HOT __attribute__((noinline)) static int bcast_await(struct bcast_ring *r, struct bcast_ep *rd,
							  unsigned me, uint64_t *hdr, uint64_t *h,
							  const struct ipcb_chan_cfg *cfg,
							  struct ipcb_err *e)
{
	unsigned polls = 0;

	/* Messages read but not yet in the cursor: the writer may be waiting for them. */
	if (rd->handed != rd->taken) {
		int rc = bcast_give_back(r, rd, me, cfg, e);

		if (rc)
			return rc;
	}
	for (;;) {
		/* Not written yet, or being written over: the latter takes no time to sleep on. */
		if (!ipcb_wait_poll(cfg->wait, &polls, cfg->spin_polls, rd->yields)) {
			int rc = 0;

			if (*h == BCAST_BUSY) {
				ipcb_cpu_relax();
			} else {
				bcast_say_asleep_at(r, rd->taken + 1);
				rc = bcast_sleep(r, &r->readers_asleep, hdr, (uint32_t)*h, e);
			}
			if (rc)
				return rc;
		}
		*h = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (bcast_arrived(*h, rd->taken))
			return 0;
	}
}

/*
 * Reader of a round trip's long message (overrun=wait: nothing is written over it): each piece
 * copied out once the slot's count says it landed. Where its wait runs out before a piece does,
 * it waits as for a whole message (bcast_await(): the writer wakes it after the last piece).
 */
IPCB_HOT __attribute__((noinline)) static int
bcast_get_pieces(struct bcast_ring *r, struct bcast_ep *rd, unsigned me, void *buf, size_t len,
		 const struct ipcb_chan_cfg *cfg, struct ipcb_err *e)
{
	uint64_t *hdr = (uint64_t *)rd->rpos.slot;
	const unsigned char *src = (const unsigned char *)hdr + r->payload_off;
	uint64_t want = (rd->taken + 1) << BCAST_PIECE_SHIFT;

	for (size_t off = 0; off < len; off += r->piece_bytes) {
		size_t n = len - off < r->piece_bytes ? len - off : r->piece_bytes;
		unsigned polls = 0;
		int rc = 0;

		/* Whether the piece is there yet is the writer's timing: a wait (count.h). */
		ipcb_count_wait(true);
		want++;
		while (__atomic_load_n(&hdr[2], __ATOMIC_ACQUIRE) < want) {
			uint64_t h;

			if (ipcb_wait_poll(cfg->wait, &polls, cfg->spin_polls, rd->yields))
				continue;
			/* The whole message, once there, has every piece counted before it. */
			h = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (!bcast_arrived(h, rd->taken) &&
			    (rc = bcast_await(r, rd, me, hdr, &h, cfg, e)))
				break;
		}
		ipcb_count_wait(false);
		if (rc)
			return rc;
		if (off == 0 && hdr[1] != len)
			return ipcb_errf(e, -EBADMSG, "recv",
					 "a %llu-byte message where %zu were sent",
					 (unsigned long long)hdr[1], len);
		ipcb_shared_copy((unsigned char *)buf + off, src + off, n);
	}
	rd->rpos.slot = bcast_after(&rd->rpos, rd->rpos.slot);
	rd->taken++;
	return bcast_hand_back(r, rd, me, cfg, e);
}

IPCB_HOT static int bcast_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct bcast_ep *rd = ep->priv;
	struct bcast_ring *r = rd->in;
	unsigned me = bcast_reader(ep);

	if (len > r->whole_max)
		return bcast_get_pieces(r, rd, me, buf, len, cfg, &ep->err);
	for (;;) {
		uint64_t *hdr = (uint64_t *)rd->rpos.slot, h;
		int rc = 0;

		/*
		 * Whether the message is there yet is the writer's timing: a wait to a counted run
		 * (count.h), marked every time, so that every message crosses the same marks.
		 */
		ipcb_count_wait(true);
		h = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (!bcast_arrived(h, rd->taken))
			rc = bcast_await(r, rd, me, hdr, &h, cfg, &ep->err);
		ipcb_count_wait(false);
		if (rc)
			return rc;
		if (h == rd->taken + 1) {
			uint64_t n = hdr[1];

			rd->rpos.slot = bcast_after(&rd->rpos, rd->rpos.slot);
			if (rd->reads_ahead) {
				__builtin_prefetch(rd->rpos.slot, 0, 3);
				__builtin_prefetch(bcast_after(&rd->rpos, rd->rpos.slot), 0, 3);
			}
			if (n == len)
				ipcb_shared_copy(buf, (unsigned char *)hdr + r->payload_off, len);
			rd->taken++;
			/* Overwritten while it was read: lost, like one overwritten before. */
			if (r->overwrite) {
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				if (__atomic_load_n(hdr, __ATOMIC_RELAXED) != h) {
					rd->handed = rd->taken;
					__atomic_store_n(&r->cursor[me].taken, rd->taken,
							 __ATOMIC_RELEASE);
					continue;
				}
			}
			if (n != len)
				return ipcb_errf(&ep->err, -EBADMSG, "recv",
						 "a %llu-byte message where %zu were sent",
						 (unsigned long long)n, len);
			return bcast_hand_back(r, rd, me, cfg, &ep->err);
		}
		/*
		 * The writer has lapped this reader: the slot holds message h - 1, so every message
		 * up to h - 1 - nslots was written over. The oldest the ring may still hold is the
		 * next one: go on from there (the engine counts the numbers skipped as this
		 * reader's losses).
		 */
		if (!r->overwrite)
			return ipcb_errf(&ep->err, -EPROTO, "recv",
					 "message %llu where %llu was due, with overrun=wait",
					 (unsigned long long)(h - 1),
					 (unsigned long long)rd->taken);
		rd->taken = rd->handed = h - r->nslots;
		bcast_pos_at(&rd->rpos, r, rd->taken);
		__atomic_store_n(&r->cursor[me].taken, rd->taken, __ATOMIC_RELEASE);
	}
}

/* Readers the writer must not run over: in this run's direction, or the one back. */
static void bcast_ring_init(struct bcast_ring *r, uint32_t nslots, uint32_t slot_bytes,
			    uint32_t payload_off, uint32_t piece_bytes, uint32_t readers,
			    bool overwrite, bool asym)
{
	memset(r, 0, sizeof(*r));
	r->nslots = nslots;
	r->slot_bytes = slot_bytes;
	r->payload_off = payload_off;
	r->piece_bytes = piece_bytes;
	r->whole_max = piece_bytes ? piece_bytes : UINT64_MAX;
	r->nreaders = readers;
	r->overwrite = overwrite;
	r->asym = asym;
	r->waits_for = UINT32_MAX;
}

static bool bcast_lossy(const struct ipcb_chan_cfg *cfg)
{
	return ipcb_opt(cfg, BCAST_OPT_OVERRUN) == BCAST_COUNT;
}

static int bcast_setup(struct ipcb_chan *ch)
{
	struct bcast_chan *c = ch->priv;
	const struct ipcb_chan_cfg *cfg = &ch->cfg;
	/*
	 * Sides on two CPUs get the machine's ring, as shm's: 256 KiB held 4 KiB streams here to
	 * a third of what shm's moved, and 64 KiB round trips (four slots) to 2.3 times as long.
	 * Round trips on one CPU (hybrid without spins: the driver's) keep 256 KiB, where the
	 * larger ring's lines made 4 and 64 KiB round trips 1.1-1.3 times as slow on the EPYC
	 * guest; a stream there gets the machine's too, whose writer sleeps once a ring (4 KiB
	 * streams at 0.52-0.56 of the copy floor with 4 MiB, 0.21-0.27 with 256 KiB).
	 */
	bool small = ipcb_sides_share_cpu(cfg) && cfg->bidirectional;
	size_t target = ipcb_opt(cfg, BCAST_OPT_RING) ? ipcb_opt(cfg, BCAST_OPT_RING)
			: small			      ? BCAST_SMALL_RING
				: ipcb_topo_turnover_bytes(ipcb_topo_this_private_bytes());
	size_t msg = cfg->msg_bytes ? cfg->msg_bytes : 1;
	size_t off = msg <= BCAST_ALIGN - BCAST_HDR_BYTES ? BCAST_HDR_BYTES : 64;
	size_t slot = (off + msg + BCAST_ALIGN - 1) & ~(size_t)(BCAST_ALIGN - 1);
	size_t n, ring_bytes, piece = 0;
	bool overwrite = bcast_lossy(cfg);
	/*
	 * A stream whose sides poll before they sleep (hybrid) sleeps rarely, and the fence moves
	 * to the sleeper, a membarrier() a sleep, from the waker's every store: a 4 KiB stream's
	 * writer fenced each message after its copy in, waiting for the copy's stores to reach
	 * memory. Not a round trip: a reply that takes longer than the polls (1 MiB) has its
	 * reader sleep for each, and a membarrier() at each made 1 MiB round trips across the EPYC
	 * guest's CPUs 0.91 times as fast, where the 64 B and 4 KiB ones gained nothing.
	 */
	bool asym = !cfg->bidirectional && cfg->wait == IPCB_WAIT_HYBRID && cfg->spin_polls > 0 &&
		    ipcb_membarrier_available();
	int ndirs = cfg->bidirectional ? 2 : 1, rc;
	char size[16], pieces[16];

	/* Several readers each read every message; competing ones are another mechanism. */
	if (cfg->receivers > 1 && !cfg->broadcast)
		return ipcb_errf(&ch->err, -EINVAL, "setup",
				 "several readers each read every message: --deliver all");
	if (cfg->receivers > BCAST_MAX_READERS)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "more than %u readers",
				 BCAST_MAX_READERS);
	/*
	 * A round trip across two CPUs of more than a slot's first lines: each slot in pages of
	 * its own, as shm's ring's and the slot transports' round trips, so that a message lands
	 * on lines neither side touched of late and the reader's prefetchers, following a payload
	 * to its end, do not pull in the next slot's lines, which the writer then takes back.
	 */
	if (cfg->bidirectional && !ipcb_sides_share_cpu(cfg) && off + msg > BCAST_ALIGN)
		slot = (slot + BCAST_PAGE - 1) & ~(size_t)(BCAST_PAGE - 1);
	/*
	 * Such a round trip's long message crosses in pieces, as shm's ring's do (the ring's plan
	 * for its size and ring), so that the reader copies one out while the writer copies the
	 * next in: whole, a 64 KiB round trip took 1.4 times as long as shm's on the EPYC guest,
	 * and a 1 MiB one outlasted the reader's polls, which then slept for each. Not where the
	 * writer writes over what a reader has not read: its seqlock covers whole messages.
	 */
	if (cfg->bidirectional && !ipcb_sides_share_cpu(cfg) && !overwrite) {
		struct ipcb_ring_plan plan;

		ipcb_ring_plan_sized(msg, target, IPCB_RING_TRIPS, &plan);
		if (plan.piece_bytes < msg)
			piece = plan.piece_bytes;
	}
	if (slot > UINT32_MAX)
		return ipcb_errf(&ch->err, -EMSGSIZE, "setup", "a slot of %zu bytes", slot);
	n = target / slot;
	n = n < BCAST_MIN_SLOTS ? BCAST_MIN_SLOTS : n > BCAST_MAX_SLOTS ? BCAST_MAX_SLOTS : n;
	ring_bytes = (sizeof(struct bcast_ring) + n * slot + 4095) & ~(size_t)4095;
	c->map_bytes = (size_t)ndirs * ring_bytes;
	rc = ipcb_backing_create_map(NULL, ch->tag, c->map_bytes, &c->map, &ch->err);
	if (rc)
		return rc;
	for (int d = 0; d < ndirs; d++) {
		c->ring[d] = (struct bcast_ring *)((char *)c->map + (size_t)d * ring_bytes);
		bcast_ring_init(c->ring[d], (uint32_t)n, (uint32_t)slot, (uint32_t)off,
				(uint32_t)piece, d ? 1 : cfg->receivers, overwrite, asym);
	}
	ch->buffer_bytes = (size_t)ndirs * n * slot;
	ipcb_format_size(slot - off, size, sizeof(size));
	snprintf(ch->layout, sizeof(ch->layout), "ring: %u x %.8s, %u reader%s, writer %s",
		 (unsigned)n, size, cfg->receivers % 1000, cfg->receivers == 1 ? "" : "s",
		 overwrite ? "overwrites" : "waits");
	if (piece) {
		size_t at = strlen(ch->layout);

		ipcb_format_size(piece, pieces, sizeof(pieces));
		snprintf(ch->layout + at, sizeof(ch->layout) - at, ", pieces of %.8s", pieces);
	}
	return 0;
}

static void bcast_teardown(struct ipcb_chan *ch)
{
	struct bcast_chan *c = ch->priv;

	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

/* The mapping came with fork (its pages entered here, not at their first timed touch); every
 * cursor starts at zero. */
static int bcast_open(struct ipcb_ep *ep)
{
	const struct bcast_chan *c = ep->chan->priv;
	struct bcast_ep *me = ep->priv;
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	const struct bcast_ring *in;
	int rc;

	/*
	 * A reader publishes its cursor in batches where shm's ring's hands its slots back in
	 * them (a stream's; every message in a round trip), and asks ahead for the headers of
	 * the slots after its own where shm's does. An overwriting writer never waits for a
	 * cursor: a reader publishes it at every message, as it always did.
	 */
	me->hand_every = 1;
	me->yields = ep->chan->yields;
	/* The sender writes ring 0 and reads ring 1 (a round trip's replies); a receiver the
	 * other way round. */
	in = me->in = c->ring[ep->role == IPCB_SENDER ? 1 : 0];
	me->out = c->ring[ep->role == IPCB_SENDER ? 0 : 1];
	if (me->in)
		bcast_pos_init(&me->rpos, me->in);
	if (me->out)
		bcast_pos_init(&me->wpos, me->out);
	if (in) {
		me->hand_every =
		    in->overwrite ? 1 : ipcb_ring_hand_every(in->nslots, cfg->bidirectional);
		me->reads_ahead =
		    !in->overwrite &&
		    ipcb_ring_reads_ahead(in->nslots, in->slot_bytes, cfg->bidirectional,
					  ipcb_sides_share_cpu(cfg));
	}
	rc = ipcb_backing_populate(c->map, c->map_bytes, &ep->err);
	if (rc || !c->ring[0]->asym)
		return rc;
	rc = ipcb_membarrier_register();
	return rc ? ipcb_err(&ep->err, rc, "membarrier(REGISTER_GLOBAL_EXPEDITED)") : 0;
}

const struct ipcb_transport ipcb_transport_shm_bcast = {
    .name = "shm-bcast",
    .path = IPCB_PATH_SHARED_MEMORY,
    /* It rides on nothing: a ring of its own, not a zero-copy variant of shm (C13). */
    .summary = "POSIX shared memory ring that every reader follows with a cursor of its own "
	       "(publish-subscribe); the writer waits for the slowest reader or writes over it",
    .notes = "a slot holds a whole message; -o shm-bcast.overrun=count makes a full ring's "
	     "writer\n"
	     "                 go on over what the slowest readers have not read, and they count "
	     "what they\n"
	     "                 missed as losses (wait, the default, never loses a message)",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES |
	    IPCB_CAP_BROADCAST | IPCB_CAP_LOSSY,
    .max_msg_bytes = 0,
    .options = bcast_options,
    .chan_priv_bytes = sizeof(struct bcast_chan),
    .ep_priv_bytes = sizeof(struct bcast_ep),
    .setup = bcast_setup,
    .teardown = bcast_teardown,
    .open = bcast_open,
    .send = bcast_send,
    .recv = bcast_recv,
    .lossy = bcast_lossy,
};
