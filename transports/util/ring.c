/* SPDX-License-Identifier: MIT */
/* ring.c - SPSC ring of sequence-stamped slots with spin/futex/hybrid waits; see ring.h. */
#include "ring.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "count.h"
#include "common.h"
#include "format.h"
#include "hot.h"
#include "topology.h"

#define RING_HDR_BYTES 8u
/*
 * Where a piece starts in its slot. A piece of up to two lines' worth follows the header in the
 * line the reader polls (one cache-line transfer brings both). A larger one starts on the next
 * line: glibc copies pieces of a few KiB with `rep movsb`, which on some CPUs (AMD Zen, measured
 * by floor-cliff) runs at a twentieth of its speed when the destination lies 1-16 bytes past the
 * source modulo 4 KiB, as a payload 8 bytes into a slot does against a page-aligned buffer;
 * on a line boundary every slot's distance to a page-aligned buffer is a multiple of 64.
 */
#define RING_INLINE_MAX (2 * 64u - RING_HDR_BYTES)
#define RING_LINE	64u
/*
 * Slots start on 128-byte boundaries: a message of up to 120 bytes then lies in one aligned pair
 * of cache lines, which the hardware moves together (the adjacent-line prefetch).
 */
#define RING_ALIGN 128u
/*
 * How large a ring is, and in what pieces a message crosses it, is chosen from the size of one
 * CPU's private caches (its L2), as hwloc reads them (topology.h), not fixed: what makes a
 * large message slow to cross from one CPU to another is the reader taking lines that are still
 * in the writer's private cache, and the writer rewriting lines still in the reader's. Some CPUs
 * hand such lines over almost as fast as they copy (a 2-vCPU Xeon streamed 1 MiB at 0.92 of its
 * cross-CPU copy floor with 16 KiB pieces in 256 KiB); others move each line twice per message,
 * once for the writer and once for the reader (on an AMD EPYC guest, with a 1 MiB L2, the same
 * ring streamed at 0.17 of the floor). A ring four times the private cache lets both sides' lines
 * leave the other's private cache for the shared one before they are touched again; in a stream
 * a message of up to a quarter of the ring crosses whole (one hand-over, as a copy floor does, in
 * place of one per 16 KiB; round trips: ring_plan_pieces()). On the EPYC guest, 1 MiB streams went
 * from 7.6 to 38.3 GB/s (0.94 of floor-xcopy) and the 64 KiB round trip from 17.1 to 5.6 us
 * (docs/methodology.md, "The ring's plan"). The area's rule is the machine's, not the ring's
 * alone (ipcb_topo_turnover_bytes(): floor-mailbox lays its boxes out by it too).
 */
#define RING_MIN_SLOTS 4u
/* A loan's ring: small enough to stay in the writer's caches (ipcb_ring_plan_whole()). */
#define RING_TARGET_MIN (256u * 1024)
/*
 * A stream's small messages fill the whole ring, in as many slots as it holds: a writer that
 * runs further ahead finds its lines gone from the reader's private cache, as a large message's
 * do (the comment on the plan above). On the EPYC guest a 64 B stream across CPUs went from 21 to
 * 31-39 M messages/s with 32768 slots in place of 512, 4 KiB from 2.1 to 3.6-4.6 M (992 slots), and
 * on one CPU 1.4 and 1.05 times faster (its sides switch once a ring). Round trips, one message in
 * flight, gain nothing from more slots (64 B: the same across CPUs, 1% slower on one; 4 KiB on
 * one CPU 3% slower): each message would land on a line neither side has touched of late.
 */
#define RING_MAX_SLOTS	      512u
#define RING_STREAM_MAX_SLOTS 65536u

void ipcb_ring_plan(size_t msg_bytes, enum ipcb_ring_use use, struct ipcb_ring_plan *p)
{
	ipcb_ring_plan_sized(msg_bytes, 0, use, p);
}

/*
 * A round trip's slots of more than two lines lie in pages of their own: each slot starts a
 * whole number of pages after the one before, and no slot's payload shares a page with the next
 * slot. A CPU's prefetchers run ahead of a copy within its page (never into the next: they see
 * physical pages), so a reader copying a payload that the next slot followed closely pulled that
 * slot's lines into its own cache, and the writer then took each of them back, one line at a
 * time, to write the next message there. On the EPYC guest, with 64 bytes between a 4 KiB
 * payload and the next slot, its round trip took 1.09-1.15 us; with 192 bytes 0.75-0.79, with
 * 448 0.63-0.66, with the next slot a page on 0.58-0.66 (2 KiB 1.44 and 16 KiB 1.22 times as
 * fast, 64 KiB and 1 MiB, in 16 and 64 KiB pieces, the same). A stream's reader follows its
 * writer, whose lines it wants next: its slots stay packed.
 */
#define RING_PAGE 4096u

/* Slots of `piece` payload bytes in a ring of about target bytes, between min and max slots. */
static void ring_plan_layout(size_t piece, size_t target, size_t max, bool paged,
			     struct ipcb_ring_plan *p)
{
	size_t off = piece <= RING_INLINE_MAX ? RING_HDR_BYTES : RING_LINE, slot, n;
	/* Where the first slot starts in its page (the ring starts on one: ipcb_ringchan_setup). */
	size_t lead = offsetof(struct ipcb_ring, slots) % RING_PAGE;

	if (piece == 0)
		piece = 1;
	slot = (off + piece + RING_ALIGN - 1) & ~(size_t)(RING_ALIGN - 1);
	/* Every slot at the first one's place in its page, the next page past its payload. */
	if (paged && piece > RING_INLINE_MAX)
		slot = (lead + off + piece + RING_PAGE - 1) & ~(size_t)(RING_PAGE - 1);
	n = target / slot;
	n = n < RING_MIN_SLOTS ? RING_MIN_SLOTS : n > max ? max : n;
	p->nslots = (uint32_t)n;
	p->slot_bytes = (uint32_t)slot;
	p->payload_off = (uint32_t)off;
	p->piece_bytes = piece;
	p->ring_bytes = sizeof(struct ipcb_ring) + n * slot;
}

/*
 * A message's pieces. Each piece costs a hand-over: the reader's miss on the line its header is
 * in, about a cache-line round trip (120 ns between the EPYC guest's CPUs), in which one CPU
 * copies some RING_HANDOVER_BYTES. A stream wants few of them, so a message of up to a quarter
 * of the ring crosses whole. In a round trip the reader waits for the first piece before it
 * starts copying and the writer of the reply for the last, so pieces of p bytes cost about
 * p + (msg / p) * RING_HANDOVER_BYTES of copying time each way, least where p is the square
 * root of msg * RING_HANDOVER_BYTES: 16 KiB for 64 KiB messages, 64 KiB for 1 MiB. On the EPYC
 * guest, 64 KiB round trips took 4.9 us in 16 KiB pieces, 6.6 us whole; 1 MiB ones 70 us in
 * 16-64 KiB pieces, 188 us whole, where the waiting side's poll ran out and it slept.
 */
#define RING_HANDOVER_BYTES 4096u

static void ring_plan_pieces(size_t msg_bytes, size_t ring, enum ipcb_ring_use use, size_t max,
			     struct ipcb_ring_plan *p)
{
	size_t piece_max = ring / RING_MIN_SLOTS;

	if (use == IPCB_RING_TRIPS) {
		size_t best = (size_t)sqrt((double)msg_bytes * RING_HANDOVER_BYTES), pow2 = 4096;

		while (pow2 * 2 <= best)
			pow2 *= 2;
		if (pow2 < piece_max)
			piece_max = pow2;
	}
	ring_plan_layout(msg_bytes < piece_max ? msg_bytes : piece_max, ring, max,
			 use == IPCB_RING_TRIPS, p);
}

void ipcb_ring_plan_machine(size_t msg_bytes, size_t private_bytes, enum ipcb_ring_use use,
			    struct ipcb_ring_plan *p)
{
	ring_plan_pieces(msg_bytes, ipcb_topo_turnover_bytes(private_bytes), use,
			 use == IPCB_RING_STREAM ? RING_STREAM_MAX_SLOTS : RING_MAX_SLOTS, p);
}

void ipcb_ring_plan_sized(size_t msg_bytes, size_t target, enum ipcb_ring_use use,
			  struct ipcb_ring_plan *p)
{
	/* A ring asked to be larger may hold more slots than the default's cap. */
	if (target)
		ring_plan_pieces(msg_bytes, target, use, RING_STREAM_MAX_SLOTS, p);
	else
		ipcb_ring_plan_machine(msg_bytes, ipcb_topo_this_private_bytes(), use, p);
}

void ipcb_ring_plan_whole(size_t msg_bytes, size_t private_bytes, enum ipcb_ring_use use,
			  bool one_cpu, struct ipcb_ring_plan *p)
{
	/*
	 * A loan's bytes are not copied: the reader reads them where the writer wrote them, and
	 * across CPUs a ring that stays in the writer's caches serves it best (shm-zc's 4 KiB
	 * stream on the EPYC guest: 115 GB/s in 256 KiB, 73 in the copying rings' 4 MiB). Not so a
	 * stream of messages of a slot's first lines, whose writer comes back to lines the reader
	 * still holds, as a copying ring's does (64 B across CPUs: 41 M messages/s in the machine's
	 * ring, 25 in 256 KiB), nor one whose sides share a CPU and switch once a ring (4 KiB 12.1
	 * M/s where 3.2, 16 KiB 8.1 where 0.7): those get the machine's ring, in as many slots.
	 */
	if (use == IPCB_RING_STREAM && (one_cpu || msg_bytes <= RING_INLINE_MAX))
		ring_plan_layout(msg_bytes, ipcb_topo_turnover_bytes(private_bytes),
				 RING_STREAM_MAX_SLOTS, false, p);
	else
		ring_plan_layout(msg_bytes, RING_TARGET_MIN, RING_MAX_SLOTS, false, p);
}

uint32_t ipcb_ring_hand_every(uint32_t nslots, bool both_ways)
{
	uint32_t every = 1;

	while (!both_ways && every < 32 && (uint64_t)every * 2 * 16 <= nslots)
		every *= 2;
	return every;
}

bool ipcb_ring_reads_ahead(uint32_t nslots, uint32_t slot_bytes, bool both_ways, bool one_cpu)
{
	return !one_cpu && ipcb_ring_hand_every(nslots, both_ways) > 1 && slot_bytes > RING_ALIGN;
}

void ipcb_ring_init(struct ipcb_ring *r, const struct ipcb_ring_plan *p)
{
	memset(r, 0, sizeof(*r));
	r->nslots = p->nslots;
	r->slot_bytes = p->slot_bytes;
	r->payload_off = p->payload_off;
	r->piece_bytes = p->piece_bytes;
}

void ipcb_ring_end_init(struct ipcb_ring_end *end, const struct ipcb_ring *r)
{
	memset(end, 0, sizeof(*end));
	if (!r)
		return;
	end->first = end->slot = (unsigned char *)r->slots;
	end->past = end->first + (size_t)r->nslots * r->slot_bytes;
	end->nslots = r->nslots;
	end->slot_bytes = r->slot_bytes;
	end->payload_off = r->payload_off;
	end->piece_bytes = r->piece_bytes;
	end->hand_every = 1;
}

/* Where the piece of the slot whose header is hdr starts. */
IPCB_HOT static inline unsigned char *ring_payload(const struct ipcb_ring_end *end, uint64_t *hdr)
{
	return (unsigned char *)hdr + end->payload_off;
}

/*
 * The header of the slot an end is at. Each end keeps its slot beside its count (moved by
 * ring_step()) rather than taking the count modulo the slots: a division by a number known only
 * at run time on every message, on the path of a round trip that takes a hundred nanoseconds.
 */
IPCB_HOT static uint64_t *ring_slot_hdr(const struct ipcb_ring_end *end)
{
	return (uint64_t *)end->slot;
}

IPCB_HOT static inline void ring_step(struct ipcb_ring_end *end)
{
	end->slot += end->slot_bytes;
	if (end->slot == end->past)
		end->slot = end->first;
}

/*
 * Sleep until *word's low half differs from `seen`, with the flag handshake: raise the flag,
 * fence, and sleep only if the word still reads `seen`; the other side stores, fences, and wakes
 * only if the flag is up. Either the sleeper sees the store, or the waker sees the flag.
 *
 * The flag is the futex the sleeper sleeps on, raised to a number of this sleep's own (never 0),
 * and the waker wakes it by taking it down (ring_wake()): FUTEX_WAIT returns at once if it is
 * already down. A sleep is woken once, however many messages follow before the sleeper runs
 * (on a CPU both sides share, not until the waker stops: waking it at every message made a
 * futex_wake() system call of each, and a 64-byte stream on one CPU ten times slower); and a
 * wake-up that comes late, meant for an earlier sleep (its waker preempted before it), finds
 * another number there and leaves the sleep alone, whose own waker comes with the store it
 * waits for. Waking the slot's word instead would let a late wake-up go to a word nobody
 * sleeps on, after its flag had been taken down for it.
 *
 * The fence on the other side is on every message, and it is not cheap: it waits until the
 * store that published the message has reached the other CPU, so every message costs a
 * cache-line round trip the sender sits out (with a hybrid wait, a 64-byte stream ran at a sixth
 * of its spinning rate). Where the side sleeps only after polling (hybrid), the fence moves to
 * the sleeper (end->asym, see ipcb_ringchan_setup): membarrier() runs it on the other CPU too,
 * once per sleep, and the other side needs only a compiler barrier.
 */
IPCB_HOT static int ring_sleep(struct ipcb_ring_end *end, uint32_t *waiting, uint64_t *word,
			       uint32_t seen, struct ipcb_err *e)
{
	int rc = 0;

	if (++end->sleeps == 0)
		end->sleeps = 1;
	__atomic_store_n(waiting, end->sleeps, __ATOMIC_SEQ_CST);
	if (end->asym) {
		rc = ipcb_membarrier_fence();
		if (rc) {
			__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
			return ipcb_err(e, rc, "membarrier");
		}
	} else {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	if ((uint32_t)__atomic_load_n(word, __ATOMIC_ACQUIRE) == seen)
		rc = ipcb_futex_wait(waiting, end->sleeps);
	__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
	return rc < 0 ? ipcb_err(e, rc, "futex_wait") : 0;
}

/*
 * After a store another side may sleep on: wake it if its flag is up. `again`: leave the flag up,
 * so that each next store wakes it again until it runs (ring_publish() says when).
 */
IPCB_HOT static int ring_wake(const struct ipcb_ring_end *end, uint32_t *waiting, bool again,
			      enum ipcb_wait wait, struct ipcb_err *e)
{
	/* In memory, as in ring_room(). */
	volatile int woke = 0;
	uint32_t sleep;

	/* A spinning or yielding peer never sleeps: no fence, no flag to look at. */
	if (wait == IPCB_WAIT_SPIN || wait == IPCB_WAIT_YIELD)
		return 0;
	/* The sleeper fences both CPUs (ring_sleep), or the store must be out before the load. */
	if (end->asym)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * Whether the peer sleeps is its timing: looking, and waking it, are part of its wait to a
	 * counted run (count.h), marked every time so that the marks are the same every message.
	 */
	ipcb_count_wait(true);
	/* A sleep is woken by taking its flag down, once (ring_sleep()). */
	sleep = __atomic_load_n(waiting, __ATOMIC_RELAXED);
	if (sleep && (again || __atomic_compare_exchange_n(waiting, &sleep, 0, false,
							   __ATOMIC_RELAXED, __ATOMIC_RELAXED)))
		woke = ipcb_futex_wake(waiting, 1);
	ipcb_count_wait(false);
	return woke < 0 ? ipcb_err(e, woke, "futex_wake") : 0;
}

/*
 * Writer: wait until the slot for w->head is free (the reader has taken the one before it). Out
 * of line: the writer's path when there is room stays free of the waiting loop's registers.
 */
IPCB_HOT __attribute__((noinline)) static int
ring_await_room(struct ipcb_ring *r, struct ipcb_ring_end *w, enum ipcb_wait wait,
		unsigned spin_polls, struct ipcb_err *e)
{
	unsigned polls = 0;

	for (;;) {
		uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		int rc;

		w->tail_seen = t;
		if (w->head - t < w->nslots)
			return 0;
		if (ipcb_wait_poll(wait, &polls, spin_polls, w->yields))
			continue;
		rc = ring_sleep(w, &r->writer_waiting, &r->tail, (uint32_t)t, e);
		if (rc)
			return rc;
	}
}

/*
 * Writer: room for the slot of w->head, waiting for it when the reader has not freed it. How
 * often the writer's cached view of the reader runs out, and what it finds when it looks again,
 * is the reader's timing: to a counted run (count.h) the look is a wait, marked every time so
 * that the marks are the same every message.
 */
IPCB_HOT static inline int ring_room(struct ipcb_ring *r, struct ipcb_ring_end *w,
				     enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e)
{
	/* In memory: the code after the mark is then the same whichever way the look went. */
	volatile int rc = 0;

	ipcb_count_wait(true);
	if (w->head - w->tail_seen >= w->nslots)
		rc = ring_await_room(r, w, wait, spin_polls, e);
	ipcb_count_wait(false);
	return rc;
}

/*
 * Reader: the slot for rd->tail, and whether its piece is there. A slot of two lines: the
 * second one is loaded too. Its payload bytes arrive with the first line's header, and a load
 * of it in the same poll puts its miss in flight together with the header's, instead of after
 * it when the copy reaches it.
 */
IPCB_HOT static inline bool ring_piece_ready(struct ipcb_ring *r, struct ipcb_ring_end *rd,
					     uint64_t *hdr, uint64_t *value)
{
	const volatile uint64_t *line2 =
	    rd->slot_bytes == 128 ? (const volatile uint64_t *)((char *)hdr + 64) : hdr;

	*value = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
	(void)*line2;
	return (uint32_t)*value == (uint32_t)(rd->tail + 1);
}

/* Reader: publish the slots taken so far as handed back; wake a writer sleeping for room. */
IPCB_HOT static int ring_give_back(struct ipcb_ring *r, struct ipcb_ring_end *rd,
				   enum ipcb_wait wait, struct ipcb_err *e)
{
	rd->handed = rd->tail;
	__atomic_store_n(&r->tail, rd->tail, __ATOMIC_RELEASE);
	return ring_wake(rd, &r->writer_waiting, false, wait, e);
}

/*
 * Reader: wait until the slot for rd->tail holds its piece; *hdr_value its header. Out of line,
 * and called only when the first look found nothing: the path of a reader that finds its piece
 * there stays free of the waiting loop's registers (which cost a 64-byte stream a tenth). Slots
 * read but not yet handed back are handed back first: the writer may be waiting for them.
 */
IPCB_HOT __attribute__((noinline)) static int
ring_await_piece(struct ipcb_ring *r, struct ipcb_ring_end *rd, uint64_t *hdr, uint64_t *hdr_value,
		 enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e)
{
	unsigned polls = 0;

	if (rd->handed != rd->tail) {
		int rc = ring_give_back(r, rd, wait, e);

		if (rc)
			return rc;
	}
	for (;;) {
		int rc;

		if (ring_piece_ready(r, rd, hdr, hdr_value))
			return 0;
		if (ipcb_wait_poll(wait, &polls, spin_polls, rd->yields))
			continue;
		rc = ring_sleep(rd, &r->reader_waiting, hdr, (uint32_t)*hdr_value, e);
		if (rc)
			return rc;
	}
}

/* Reader: the slot for rd->tail once its piece is there (at once when it already is). */
IPCB_HOT static inline int ring_take_piece(struct ipcb_ring *r, struct ipcb_ring_end *rd,
					   uint64_t **hdr, uint64_t *h, enum ipcb_wait wait,
					   unsigned spin_polls, struct ipcb_err *e)
{
	/* In memory, as in ring_room(). */
	volatile int rc = 0;

	/* Whether the piece is there yet is the writer's timing: a wait to a counted run, marked
	 * every time (count.h). */
	ipcb_count_wait(true);
	*hdr = ring_slot_hdr(rd);
	if (!ring_piece_ready(r, rd, *hdr, h))
		rc = ring_await_piece(r, rd, *hdr, h, wait, spin_polls, e);
	ipcb_count_wait(false);
	return rc;
}

/*
 * Publish the slot for w->head, holding a piece of len bytes, and wake a sleeping reader. While
 * more pieces of the message follow, a reader woken but not yet running is woken again at each:
 * on a CPU both sides share, each wake-up is a chance for the kernel to hand it the CPU, and the
 * reader then copies each piece out while it is still in the cache (a 1 MiB round trip on one
 * CPU of the EPYC guest took 1.3 times as long when its reader was woken only at the first of
 * its 16 pieces). A message's last piece, or a whole one, takes the flag down: one wake-up per
 * sleep for a stream of small messages.
 */
IPCB_HOT static int ring_publish(struct ipcb_ring *r, struct ipcb_ring_end *w, uint64_t *hdr,
				 size_t len, bool more, enum ipcb_wait wait, struct ipcb_err *e)
{
	w->head++;
	ring_step(w);
	__atomic_store_n(hdr, (uint64_t)len << 32 | (uint32_t)w->head, __ATOMIC_RELEASE);
	/* The lines the reader polls go where its miss is served fastest. */
	ipcb_cache_demote(hdr);
	if (w->slot_bytes == 128)
		ipcb_cache_demote(hdr + 8);
	return ring_wake(w, &r->reader_waiting, more, wait, e);
}

/*
 * The writer's loop: each piece into the slot for w->head once there is room, copied through the
 * cache, or as the writer's choice of stores says where it makes one (storechoice.h; a counted
 * run, count.h, stores through the cache alone, its counts the same whatever the machine's
 * timing chose). Inlined into two functions, so that the one the timed loops run where nothing
 * is chosen is the loop alone, as compact and where it was (hot.h).
 */
IPCB_HOT static inline int ring_write(struct ipcb_ring *r, struct ipcb_ring_end *w, const void *buf,
				      size_t len, enum ipcb_wait wait, unsigned spin_polls,
				      struct ipcb_store_choice *c, struct ipcb_err *e)
{
	const unsigned char *p = buf;
	size_t room = w->piece_bytes;

	while (len > 0) {
		size_t piece = len < room ? len : room;
		uint64_t *hdr;
		int rc;

		rc = ring_room(r, w, wait, spin_polls, e);
		if (rc)
			return rc;
		hdr = ring_slot_hdr(w);
		if (c)
			ipcb_store_choice_copy(c, ring_payload(w, hdr), p, piece);
		else
			ipcb_shared_copy(ring_payload(w, hdr), p, piece);
		rc = ring_publish(r, w, hdr, piece, piece < len, wait, e);
		if (rc)
			return rc;
		p += piece;
		len -= piece;
	}
	return 0;
}

IPCB_HOT int ipcb_ring_write(struct ipcb_ring *r, struct ipcb_ring_end *w, const void *buf,
			     size_t len, enum ipcb_wait wait, unsigned spin_polls,
			     struct ipcb_err *e)
{
	return ring_write(r, w, buf, len, wait, spin_polls, NULL, e);
}

/*
 * With the writer's choice of stores: only for pieces of 4 KiB or more, whose copy takes a
 * hundred nanoseconds or more, so out of the hot section, whose functions' places it would move.
 */
int ipcb_ring_write_chosen(struct ipcb_ring *r, struct ipcb_ring_end *w, const void *buf,
			   size_t len, enum ipcb_wait wait, unsigned spin_polls,
			   struct ipcb_store_choice *c, struct ipcb_err *e)
{
	return ring_write(r, w, buf, len, wait, spin_polls, c, e);
}

/*
 * Reader: the slot for rd->tail is free again; handed back with those before it at each
 * hand_every-th slot (counted from the ring's start, so that a counted run hands back at the
 * same messages whatever the timing), or before the reader next waits.
 */
IPCB_HOT static int ring_hand_back(struct ipcb_ring *r, struct ipcb_ring_end *rd,
				   enum ipcb_wait wait, struct ipcb_err *e)
{
	rd->tail++;
	ring_step(rd);
	if (rd->tail & (rd->hand_every - 1))
		return 0;
	return ring_give_back(r, rd, wait, e);
}

/*
 * Reader: ask for the headers of the two slots after its own, so that their misses are served
 * while it copies its piece (ipcb_ring_reads_ahead() says where). On the EPYC guest, across its
 * two CPUs, a 4 KiB stream asking for none ran at 13-16 GB/s in median, asking for the next two
 * at 20-25 (shm and mmap, 21 and 24 rounds alternating with the build before; in a third spell of
 * 40 both ran at 24), and 64 KiB at 14 and 31-33; asking only for the next slot's, 21-22 where
 * the next two gave 27-31 (9 rounds of the three builds). docs/methodology.md has the rest.
 *
 * Its wrap at the ring's end is written out rather than shared with ring_step() through a helper
 * returning the next slot: that helper changed the code generated for both sides' paths (one
 * store of the writer's slot in place of two), and 4 KiB streams across the EPYC guest's CPUs
 * ran at 18.7 GB/s in median with it against 30.9 without (12 alternating pairs, new faster in
 * 3); the 64 B rows stayed where they were.
 */
IPCB_HOT static inline void ring_read_ahead(const struct ipcb_ring_end *rd)
{
	const unsigned char *next = rd->slot + rd->slot_bytes, *after;

	if (next == rd->past)
		next = rd->first;
	after = next + rd->slot_bytes;
	if (after == rd->past)
		after = rd->first;
	__builtin_prefetch(next, 0, 3);
	__builtin_prefetch(after, 0, 3);
}

IPCB_HOT int ipcb_ring_read(struct ipcb_ring *r, struct ipcb_ring_end *rd, void *buf, size_t len,
			    enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e)
{
	unsigned char *p = buf;

	while (len > 0) {
		uint64_t *hdr, h;
		size_t have, n;
		int rc = ring_take_piece(r, rd, &hdr, &h, wait, spin_polls, e);

		if (rc)
			return rc;
		have = (size_t)(h >> 32) - rd->taken;
		n = len < have ? len : have;
		if (rd->reads_ahead && !rd->taken)
			ring_read_ahead(rd);
		ipcb_shared_copy(p, ring_payload(rd, hdr) + rd->taken, n);
		p += n;
		len -= n;
		if (n < have) {
			/* The caller asked for less than the piece holds: keep the rest. */
			rd->taken += n;
			continue;
		}
		rd->taken = 0;
		rc = ring_hand_back(r, rd, wait, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- loans: the same slots, written and read in place ------------------------------------ */

IPCB_HOT int ipcb_ring_acquire(struct ipcb_ring *r, struct ipcb_ring_end *w, size_t len, void **buf,
			       enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e)
{
	int rc;

	if (len > w->piece_bytes)
		return ipcb_errf(e, -EMSGSIZE, "acquire", "%zu bytes do not fit a %zu-byte slot",
				 len, w->piece_bytes);
	rc = ring_room(r, w, wait, spin_polls, e);
	if (rc)
		return rc;
	*buf = ring_payload(w, ring_slot_hdr(w));
	/* On the first lap the slot is still zeroes; afterwards it holds our previous message. */
	return w->head < w->nslots;
}

IPCB_HOT int ipcb_ring_commit(struct ipcb_ring *r, struct ipcb_ring_end *w, size_t len,
			      enum ipcb_wait wait, struct ipcb_err *e)
{
	return ring_publish(r, w, ring_slot_hdr(w), len, false, wait, e);
}

IPCB_HOT int ipcb_ring_peek(struct ipcb_ring *r, struct ipcb_ring_end *rd, void **buf, size_t *len,
			    enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e)
{
	uint64_t *hdr, h;
	int rc = ring_take_piece(r, rd, &hdr, &h, wait, spin_polls, e);

	if (rc)
		return rc;
	*buf = ring_payload(rd, hdr);
	*len = (size_t)(h >> 32);
	return 0;
}

IPCB_HOT int ipcb_ring_release(struct ipcb_ring *r, struct ipcb_ring_end *rd, enum ipcb_wait wait,
			       struct ipcb_err *e)
{
	return ring_hand_back(r, rd, wait, e);
}

/* ---- a ring per direction in one mapping ------------------------------------------------- */

int ipcb_ringchan_setup(struct ipcb_chan *ch, const char *dir)
{
	struct ipcb_ringchan *c = ch->priv;
	struct ipcb_ring_plan plan;
	int ndirs = ch->cfg.bidirectional ? 2 : 1;
	size_t ring_bytes;
	char piece[16];
	int rc;

	/*
	 * Round trips cross in pieces so that the reader copies one piece out while the writer
	 * copies the next in, on another CPU. Where both sides share one CPU (the driver's hybrid
	 * wait without spins, point.c) nothing runs beside the writer: a reader woken at each piece
	 * takes the CPU from the writer each time (a 64 KiB round trip in four pieces took twice
	 * as long as sysv-shm's whole messages there). There a message crosses whole, as in a
	 * stream. (A reader that blocks on another CPU still gains: woken at the first piece, it
	 * copies while the rest comes; whole, 1 MiB round trips took 1.6 times as long.)
	 */
	bool one_cpu = ipcb_sides_share_cpu(&ch->cfg);
	enum ipcb_ring_use use = !ch->cfg.bidirectional ? IPCB_RING_STREAM
				 : one_cpu		? IPCB_RING_TRIPS_WHOLE
							: IPCB_RING_TRIPS;

	if (c->whole_messages)
		ipcb_ring_plan_whole(ch->cfg.msg_bytes, ipcb_topo_this_private_bytes(), use,
				     one_cpu, &plan);
	else
		ipcb_ring_plan_sized(ch->cfg.msg_bytes, c->ring_target, use, &plan);
	/*
	 * Fences at the sleeper only where sleeping is rare: after a hybrid wait's polls, or in a
	 * stream on a CPU both sides share (hybrid without spins) through a ring of many slots,
	 * whose sides sleep only when it is empty or full (a membarrier() of a few microseconds per
	 * ring of messages, in place of a fence on each: same-CPU streams of 64 B to 64 KiB ran
	 * 1.03-1.15 times faster on the EPYC guest; 1 MiB ones, four to a ring, 0.97 as fast). A
	 * side that sleeps at every wait (block, or the round trips of sides sharing one CPU, each
	 * waiting for the other's message) would pay a membarrier() per message instead of a fence.
	 */
	c->asym = ch->cfg.wait == IPCB_WAIT_HYBRID &&
		  (ch->cfg.spin_polls > 0 || (!ch->cfg.bidirectional && plan.nslots >= 64)) &&
		  ipcb_membarrier_available();
	/*
	 * A stream's writer of pieces of 4 KiB or more chooses its stores (storechoice.h): a lap
	 * of the ring, at most 1024 slots, is timed by one clock read, and no more than a few
	 * thousandths of a stream go to trials.
	 */
	c->choose_stores = ipcb_chooses_stores(&ch->cfg, plan.piece_bytes, IPCB_STORE_PIECE_MIN);
	ring_bytes = (plan.ring_bytes + 4095) & ~(size_t)4095;
	c->map_bytes = (size_t)ndirs * ring_bytes;
	/* In a directory, the run's own holds it; POSIX shared memory names it after the run. */
	rc = ipcb_backing_create_map(dir, dir ? "ring" : ch->tag, c->map_bytes, &c->map, &ch->err);
	if (rc)
		return rc;
	for (int d = 0; d < ndirs; d++) {
		c->ring[d] = (struct ipcb_ring *)((char *)c->map + (size_t)d * ring_bytes);
		ipcb_ring_init(c->ring[d], &plan);
	}
	ch->buffer_bytes = (size_t)ndirs * plan.nslots * plan.slot_bytes;
	ipcb_format_size(plan.piece_bytes, piece, sizeof(piece));
	snprintf(ch->layout, sizeof(ch->layout), "ring%s: %u slots of %s",
		 ndirs > 1 ? " per direction" : "", plan.nslots, piece);
	return 0;
}

void ipcb_ringchan_teardown(struct ipcb_chan *ch)
{
	struct ipcb_ringchan *c = ch->priv;

	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

/*
 * The mapping came with fork; the endpoint's indices start at zero. Where the sleeper fences for
 * both sides, each side registers for the fences the other one runs.
 */
int ipcb_ringchan_open(struct ipcb_ep *ep)
{
	const struct ipcb_ringchan *c = ep->chan->priv;
	struct ipcb_ringchan_ep *me = ep->priv;
	int rc;

	me->out_ring = c->ring[ep->role];
	me->in_ring = c->ring[!ep->role];
	ipcb_ring_end_init(&me->out, me->out_ring);
	ipcb_ring_end_init(&me->in, me->in_ring);
	me->out.asym = me->in.asym = c->asym;
	me->out.yields = me->in.yields = ep->chan->yields;
	me->in.hand_every = ipcb_ring_hand_every(me->in.nslots, ep->chan->cfg.bidirectional);
	me->in.reads_ahead =
	    ipcb_ring_reads_ahead(me->in.nslots, me->in.slot_bytes, ep->chan->cfg.bidirectional,
				  ipcb_sides_share_cpu(&ep->chan->cfg));
	me->wait = ep->chan->cfg.wait;
	me->spin_polls = ep->chan->cfg.spin_polls;
	ipcb_store_choice_init(&me->store, c->choose_stores, me->out.nslots,
			       (size_t)me->out.nslots * me->out.piece_bytes);
	me->chosen = me->store.on ? &me->store : NULL;
	rc = ipcb_backing_populate(c->map, c->map_bytes, &ep->err);
	if (rc || !c->asym)
		return rc;
	rc = ipcb_membarrier_register();
	return rc ? ipcb_err(&ep->err, rc, "membarrier(REGISTER_GLOBAL_EXPEDITED)") : 0;
}

IPCB_HOT int ipcb_ringchan_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	if (__builtin_expect(me->chosen != NULL, 0))
		return ipcb_ring_write_chosen(me->out_ring, &me->out, buf, len, me->wait,
					      me->spin_polls, me->chosen, &ep->err);
	return ipcb_ring_write(me->out_ring, &me->out, buf, len, me->wait, me->spin_polls,
			       &ep->err);
}

IPCB_HOT int ipcb_ringchan_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	return ipcb_ring_read(me->in_ring, &me->in, buf, len, me->wait, me->spin_polls, &ep->err);
}

IPCB_HOT int ipcb_ringchan_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	return ipcb_ring_acquire(me->out_ring, &me->out, len, buf, me->wait, me->spin_polls,
				 &ep->err);
}

IPCB_HOT int ipcb_ringchan_commit(struct ipcb_ep *ep, size_t len)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	return ipcb_ring_commit(me->out_ring, &me->out, len, me->wait, &ep->err);
}

IPCB_HOT int ipcb_ringchan_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	return ipcb_ring_peek(me->in_ring, &me->in, buf, len, me->wait, me->spin_polls, &ep->err);
}

IPCB_HOT int ipcb_ringchan_release(struct ipcb_ep *ep)
{
	struct ipcb_ringchan_ep *me = ep->priv;

	return ipcb_ring_release(me->in_ring, &me->in, me->wait, &ep->err);
}
