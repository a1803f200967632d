/* SPDX-License-Identifier: MIT */
/*
 * test_ringwake.c - a shared-memory ring wakes a sleeping side once per sleep
 * (transports/util/ring.c, ring_sleep() and ring_wake()), played out in one process on a real
 * ring: a side about to sleep raises its flag to the number of its sleep, and the other side's
 * next store takes it down with its wake-up. Before, the flag stayed up until the sleeper ran,
 * and every message in between made a futex_wake() system call of its own: on one CPU, where
 * the sleeper runs only once the other side stops, a 64-byte stream ran ten times slower.
 *
 * - a reader asleep: a whole message takes its flag down; the next finds it down and leaves it;
 * - a message in pieces: the flag is down once the message's last piece is out;
 * - a writer asleep for room: the reader's hand-back takes its flag down;
 * - no side asleep: no flag is raised by the traffic itself, and the payloads arrive intact.
 *
 * A wake-up is a futex_wake() on the flag, which wakes nobody here: only the flags are looked at.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "ringpair.h"

int main(void)
{
	static unsigned char out[3 * 4096], in[3 * 4096];
	struct ring_pair rp;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 1);

	/* Whole 64-byte messages. */
	if (ring_pair_make(&rp, 64, 0, IPCB_RING_STREAM, IPCB_WAIT_HYBRID)) {
		ok(0, "a ring in memory");
		return tap_done();
	}
	ok(ring_pair_put(&rp, out, 64) == 0 && rp.r->reader_waiting == 0 &&
	       rp.r->writer_waiting == 0,
	   "no side asleep: a message raises no flag");
	ok(ring_pair_get(&rp, in, 64) == 0 && memcmp(in, out, 64) == 0 && rp.r->writer_waiting == 0,
	   "and arrives intact");
	rp.r->reader_waiting = 7; /* the reader's seventh sleep */
	ok_eq(ring_pair_put(&rp, out, 64), 0, "a message to a sleeping reader");
	ok_eq(rp.r->reader_waiting, 0, "takes the sleeping reader's flag down with its wake-up");
	ok(ring_pair_put(&rp, out + 64, 64) == 0 && rp.r->reader_waiting == 0,
	   "the next message finds it down and wakes nobody again");
	ok(ring_pair_get(&rp, in, 64) == 0 && ring_pair_get(&rp, in + 64, 64) == 0 &&
	       memcmp(in, out, 128) == 0,
	   "both messages arrive intact");
	rp.r->writer_waiting = 3; /* the writer asleep for room */
	ok(ring_pair_put(&rp, out, 64) == 0 && ring_pair_get(&rp, in, 64) == 0,
	   "a message through");
	ok_eq(rp.r->writer_waiting, 0,
	      "the reader's hand-back takes a sleeping writer's flag down");
	free(rp.r);

	/* A round trip's 12 KiB message in 4 KiB pieces (a ring of 64 KiB: 16 slots). */
	if (ring_pair_make(&rp, sizeof(out), 64 * 1024, IPCB_RING_TRIPS, IPCB_WAIT_HYBRID)) {
		ok(0, "a ring in memory");
		return tap_done();
	}
	ok_eq(rp.w.piece_bytes, 4096, "a 12 KiB round-trip message crosses in 4 KiB pieces");
	rp.r->reader_waiting = 11;
	ok_eq(ring_pair_put(&rp, out, sizeof(out)), 0,
	      "a message of three pieces to a sleeping reader");
	ok_eq(rp.r->reader_waiting, 0, "its last piece takes the reader's flag down");
	ok(ring_pair_get(&rp, in, sizeof(in)) == 0 && memcmp(in, out, sizeof(out)) == 0,
	   "and the message arrives intact");
	free(rp.r);
	return tap_done();
}
