/* SPDX-License-Identifier: MIT */
/*
 * test_ringhand.c - a stream's reader hands its slots back to the writer in batches
 * (transports/util/ring.c, ring_hand_back() and ring_await_piece()), on a real ring in memory
 * with a writer thread beside the reader:
 *
 * - how many at once: up to 32, a sixteenth of the ring at most, one for a ring of few slots or
 *   a channel of both directions;
 * - the ring's tail moves only at each batch's last slot, counted from the ring's start;
 * - a reader that finds nothing to read hands back what it holds before it waits: a writer
 *   whose ring is full, waiting for exactly those slots, gets them (without it, both would wait
 *   for ever: the writer here gives up after two seconds and says so);
 * - every byte arrives, in order, through many laps of a ring the writer keeps full, its reader
 *   asking for the next slots' headers early (and where it does: ring.c, ring_read_ahead()).
 * The sides poll with sched_yield(), so that the test also runs where both share one CPU.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tap.h"
#include "ringpair.h"

static uint64_t tail_of(const struct ring_pair *rp)
{
	return __atomic_load_n(&rp->r->tail, __ATOMIC_ACQUIRE);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The writer of the held-slots case: waits for the tail to say `want`, then writes one more. */
struct held {
	struct ring_pair *rp;
	uint64_t want;
	int saw; /* 1: the tail reached want; 0: it gave up waiting after two seconds */
};

static void *held_writer(void *arg)
{
	struct held *h = arg;
	unsigned char msg[64] = {42};
	double until = now_s() + 2;

	h->saw = 0;
	while (now_s() < until)
		if (tail_of(h->rp) >= h->want) {
			h->saw = 1;
			break;
		}
	ring_pair_put(h->rp, msg, sizeof(msg));
	return NULL;
}

/* The writer of the laps: n messages of len bytes, each byte its message's and offset's. */
struct laps {
	struct ring_pair *rp;
	size_t n, len;
	int rc;
};

static void *laps_writer(void *arg)
{
	struct laps *l = arg;
	unsigned char *msg = malloc(l->len);

	l->rc = msg ? 0 : -1;
	for (size_t i = 0; i < l->n && l->rc == 0; i++) {
		for (size_t k = 0; k < l->len; k++)
			msg[k] = (unsigned char)(i * 31 + k);
		l->rc = ring_pair_put(l->rp, msg, l->len);
	}
	free(msg);
	return NULL;
}

int main(void)
{
	unsigned char out[64] = {1}, in[4096];
	struct ring_pair rp;

	ok(ipcb_ring_hand_every(65536, false) == 32 && ipcb_ring_hand_every(1024, false) == 32 &&
	       ipcb_ring_hand_every(63, false) == 2 && ipcb_ring_hand_every(64, false) == 4 &&
	       ipcb_ring_hand_every(31, false) == 1 && ipcb_ring_hand_every(4, false) == 1,
	   "a stream's reader hands back up to 32 slots at once, at most a sixteenth of its ring");
	ok(ipcb_ring_hand_every(65536, true) == 1,
	   "a channel of both directions hands back each slot");
	ok(ipcb_ring_reads_ahead(992, 4224, false, false) &&
	       ipcb_ring_reads_ahead(63, 65664, false, false),
	   "a stream's reader of pieces past its header's lines asks for the next headers early");
	ok(!ipcb_ring_reads_ahead(32768, 128, false, false),
	   "not where the piece shares its header's two lines");
	ok(!ipcb_ring_reads_ahead(992, 4224, true, false) &&
	       !ipcb_ring_reads_ahead(4, 1048640, false, false),
	   "nor in a channel of both directions, nor in a ring of a few slots handed back one by "
	   "one");
	ok(!ipcb_ring_reads_ahead(992, 4224, false, true), "nor where both sides share one CPU");

	/* 64-byte messages, eight handed back at once, in a ring of 512 slots. */
	if (ring_pair_make(&rp, 64, 512 * 128, IPCB_RING_STREAM, IPCB_WAIT_YIELD) ||
	    rp.r->nslots < 128) {
		ok(0, "a ring of 64-byte slots in memory");
		return tap_done();
	}
	rp.rd.hand_every = 8;
	for (int i = 0; i < 7; i++)
		ring_pair_put(&rp, out, sizeof(out));
	for (int i = 0; i < 7; i++)
		ring_pair_get(&rp, in, 64);
	ok_eq(tail_of(&rp), 0, "seven slots read: none handed back yet");
	ring_pair_put(&rp, out, sizeof(out));
	ring_pair_get(&rp, in, 64);
	ok_eq(tail_of(&rp), 8, "the eighth: all eight handed back at once");
	for (int i = 0; i < 3; i++) {
		ring_pair_put(&rp, out, sizeof(out));
		ring_pair_get(&rp, in, 64);
	}
	ok_eq(tail_of(&rp), 8, "three more read: still held");

	/*
	 * The writer waits until the tail says 11 before it writes the next message, as a writer
	 * whose ring is full waits for room; the reader, finding nothing, must hand back first.
	 */
	{
		struct held h = {.rp = &rp, .want = 11, .saw = -1};
		pthread_t t;

		if (pthread_create(&t, NULL, held_writer, &h) != 0) {
			ok(0, "a writer thread");
			return tap_done();
		}
		ring_pair_get(&rp, in, 64);
		pthread_join(t, NULL);
		ok(h.saw == 1 && in[0] == 42,
		   "a reader that finds nothing hands back the slots it holds before it waits "
		   "(the writer %s)",
		   h.saw == 1 ? "saw them" : "gave up after two seconds");
	}
	free(rp.r);

	/* Laps of a small ring that the writer keeps full: every byte, in order. */
	if (ring_pair_make(&rp, 4096, 64 * 4160, IPCB_RING_STREAM, IPCB_WAIT_YIELD)) {
		ok(0, "a ring of 4 KiB slots in memory");
		return tap_done();
	}
	rp.rd.hand_every = 4;
	/* Asking for the next slots' headers early, past the ring's end and back to its start. */
	rp.rd.reads_ahead = true;
	{
		struct laps l = {.rp = &rp, .n = 20 * rp.r->nslots + 5, .len = 4096};
		size_t bad = 0;
		pthread_t t;

		if (pthread_create(&t, NULL, laps_writer, &l) != 0) {
			ok(0, "a writer thread");
			return tap_done();
		}
		for (size_t i = 0; i < l.n; i++) {
			if (ring_pair_get(&rp, in, l.len) != 0) {
				bad++;
				break;
			}
			for (size_t k = 0; k < l.len; k++)
				bad += in[k] != (unsigned char)(i * 31 + k);
		}
		pthread_join(t, NULL);
		ok(l.rc == 0 && bad == 0,
		   "%zu messages of 4 KiB through %u slots, four handed back at once, the next "
		   "headers asked for early: all intact (%zu bad bytes)",
		   l.n, rp.r->nslots, bad);
		ok(tail_of(&rp) <= l.n && tail_of(&rp) + 4 > l.n,
		   "and the tail within one batch of the end (%llu of %zu)",
		   (unsigned long long)tail_of(&rp), l.n);
	}
	free(rp.r);
	return tap_done();
}
