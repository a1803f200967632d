/* SPDX-License-Identifier: MIT */
/*
 * ringpair.h - a shared-memory ring (transports/util/ring.h) in this process's own memory, with a
 * writer's end and a reader's, for the ring's unit tests: both sides called from one process (or
 * a thread beside it), waiting as the pair says.
 */
#ifndef IPCB_TEST_RINGPAIR_H
#define IPCB_TEST_RINGPAIR_H

#include <stdlib.h>
#include <string.h>

#include "ring.h"

struct ring_pair {
	struct ipcb_ring *r;
	struct ipcb_ring_end w, rd;
	enum ipcb_wait wait; /* how either side waits for the other */
};

/*
 * A ring planned for messages of msg bytes in about target bytes (0: the machine's), for use, its
 * ends at its first slot. 0, or -1 where memory ran out.
 */
static inline int ring_pair_make(struct ring_pair *rp, size_t msg, size_t target,
				 enum ipcb_ring_use use, enum ipcb_wait wait)
{
	struct ipcb_ring_plan p;

	ipcb_ring_plan_sized(msg, target, use, &p);
	rp->r = aligned_alloc(128, (p.ring_bytes + 127) & ~(size_t)127);
	if (!rp->r)
		return -1;
	memset(rp->r, 0, p.ring_bytes);
	ipcb_ring_init(rp->r, &p);
	ipcb_ring_end_init(&rp->w, rp->r);
	ipcb_ring_end_init(&rp->rd, rp->r);
	rp->wait = wait;
	return 0;
}

/* The writer sends len bytes of buf; the ring's return. */
static inline int ring_pair_put(struct ring_pair *rp, const void *buf, size_t len)
{
	struct ipcb_err e = {0};

	return ipcb_ring_write(rp->r, &rp->w, buf, len, rp->wait, 0, &e);
}

/* The reader takes len bytes into buf; the ring's return. */
static inline int ring_pair_get(struct ring_pair *rp, void *buf, size_t len)
{
	struct ipcb_err e = {0};

	return ipcb_ring_read(rp->r, &rp->rd, buf, len, rp->wait, 0, &e);
}

#endif /* IPCB_TEST_RINGPAIR_H */
