/* SPDX-License-Identifier: MIT */
/*
 * ring.h - a single-producer single-consumer byte ring in memory two processes share, with the
 * reader's (and the full writer's) wait chosen per run: spin, block on a futex, or hybrid.
 *
 * The ring is a byte stream like a pipe, but without a system call per message when both sides
 * are awake: the writer copies into the ring and publishes a new head; the reader copies out and
 * publishes a new tail. A side that sleeps first raises its `waiting` flag, so the other side
 * issues FUTEX_WAKE only when somebody actually sleeps; with --wait spin nobody ever sleeps, and
 * a publish is a plain release store. Messages larger than the ring are moved in
 * pieces of at most half the ring, so both sides copy at once.
 *
 * Shared by the transports that put a ring in different kinds of shared memory (POSIX shm, a
 * memory-mapped file).
 */
#ifndef IPCB_RING_H
#define IPCB_RING_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

struct ipcb_ring {
	/*
	 * Each index on its own cache line so the two sides do not false-share. A sleeper waits on
	 * the low 32 bits of the index it needs to move: every publish changes them (a publish
	 * moves at most the ring's size, far below 2^32), so no separate futex word is bumped.
	 */
	_Alignas(64) uint64_t head; /* bytes ever written */
	/*
	 * Each side's last view of the other's index, on the line only that side writes: the
	 * other index is re-read (a cache-line transfer from the other CPU) only when this view
	 * says there is not enough room or data, not once per message.
	 */
	uint64_t tail_seen;	    /* the writer's */
	_Alignas(64) uint64_t tail; /* bytes ever read */
	uint64_t head_seen;	    /* the reader's */
	_Alignas(64) uint32_t reader_waiting;
	_Alignas(64) uint32_t writer_waiting;
	_Alignas(64) uint64_t cap; /* power of two */
	_Alignas(64) unsigned char data[];
};

/* Ring capacity for messages of msg_bytes: room for two, at least 64 KiB, at most 16 MiB. */
size_t ipcb_ring_cap_for(size_t msg_bytes);
/* Bytes of shared memory a ring of capacity cap needs (header + data). */
size_t ipcb_ring_bytes(size_t cap);
/* Initialise a ring in zeroed shared memory. */
void ipcb_ring_init(struct ipcb_ring *r, size_t cap);

/* Move exactly len bytes in / out. wait is SPIN, BLOCK or HYBRID (spin_polls polls, then block).
 * 0 or a negative errno recorded in e. */
int ipcb_ring_write(struct ipcb_ring *r, const void *buf, size_t len, enum ipcb_wait wait,
		    unsigned spin_polls, struct ipcb_err *e);
int ipcb_ring_read(struct ipcb_ring *r, void *buf, size_t len, enum ipcb_wait wait,
		   unsigned spin_polls, struct ipcb_err *e);

/*
 * A channel of one ring per direction in one shared mapping made from a backing file (POSIX shm
 * or a file in a directory, backing.h). The transports built on it (shm, mmap) differ only in
 * where the mapping comes from: their channel private state starts with this struct, and they
 * use these hooks directly.
 */
struct ipcb_ringchan {
	void *map;
	size_t map_bytes;
	struct ipcb_ring *ring[2]; /* [0] sender -> receiver, [1] back (latency mode only) */
};

/* Make the mapping in POSIX shared memory (dir NULL) or in dir, and lay out the rings. */
int ipcb_ringchan_setup(struct ipcb_chan *ch, const char *dir);
void ipcb_ringchan_teardown(struct ipcb_chan *ch);
int ipcb_ringchan_open(struct ipcb_ep *ep);
int ipcb_ringchan_send(struct ipcb_ep *ep, const void *buf, size_t len);
int ipcb_ringchan_recv(struct ipcb_ep *ep, void *buf, size_t len);

#endif
