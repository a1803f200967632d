/* SPDX-License-Identifier: MIT */
/*
 * ring.h - a single-producer single-consumer ring of message slots in memory two processes
 * share, with the reader's (and the full writer's) wait chosen per run: spin, block on a futex,
 * or hybrid.
 *
 * Each slot starts on a cache-line boundary with an 8-byte header, its sequence number (low 32
 * bits) and its length (high 32 bits); a piece of up to 120 bytes follows in the same line, a
 * larger one starts on the next line (so that every copy of it lies at a multiple of 64 bytes
 * from a page-aligned buffer, clear of the copy cliffs floor-cliff measures). The writer copies
 * a piece of the message into the next slot and then stores the header; the reader polls the
 * header of the slot it expects next and, when the sequence number is there, copies the piece
 * out. So for a small message the line the reader waits on is the line that brings the first
 * bytes of the payload: one cache-line transfer per direction, as a bare flag would, not one for
 * an index and another for the data.
 *
 * The reader hands slots back by publishing how many it has taken (`tail`, on a line only it
 * writes). The writer keeps its own view of that count and reads the shared one only when its
 * view says the ring is full: in a ping-pong, once per lap of the ring.
 *
 * The ring's size and its pieces come from the machine (ipcb_ring_plan): four times one CPU's
 * private cache, and a message of up to a quarter of that whole in one slot; larger ones go
 * through in pieces, both sides copying at once. ring.c says why.
 *
 * Sleeping (block, or hybrid after its polls) uses the classic flag handshake on futexes: the
 * reader sleeps on the header word of the slot it waits for, the full writer on the low half of
 * `tail`; each raises its flag first, and the other side wakes it only when the flag is up. With
 * --wait spin nobody sleeps, and a publish is a plain release store. With hybrid, a publish is
 * one too, and the side about to sleep fences both CPUs with membarrier() (ring.c, ring_sleep).
 *
 * Loans (shm-zc) use the same slots in place: the writer is lent the next slot's payload room
 * (acquire), builds the message there and publishes the header (commit); the reader is shown
 * the payload where it lies (peek) and hands the slot back (release). A loan is one slot, so
 * such a ring is planned with whole-message slots (ipcb_ring_plan_whole). With send/recv and
 * loans on the same ring code, a row of shm and one of shm-zc differ by the two copies and the
 * slot size alone.
 *
 * Shared by the transports that put rings in different kinds of shared memory (POSIX shm, a
 * memory-mapped file).
 */
#ifndef IPCB_RING_H
#define IPCB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storechoice.h"
#include "transport.h"

/* How one ring is laid out for a run; the same in both processes. */
struct ipcb_ring_plan {
	uint32_t nslots;      /* slots in the ring */
	uint32_t slot_bytes;  /* header + payload room, a multiple of the cache line */
	uint32_t payload_off; /* where a piece starts in its slot: after the header, or a line on */
	size_t piece_bytes;   /* payload one slot carries */
	size_t ring_bytes;    /* the whole ring in shared memory, header lines included */
};

/* One direction. Lives in shared memory; the indices each side owns are in struct ipcb_ring_end. */
struct ipcb_ring {
	_Alignas(64) uint64_t tail; /* slots the reader has taken and handed back */
	/* 0, or the number of the sleep the reader (writer) is in, its futex: ring.c, ring_sleep()
	 */
	_Alignas(64) uint32_t reader_waiting;
	_Alignas(64) uint32_t writer_waiting;
	_Alignas(64) uint32_t nslots;
	uint32_t slot_bytes;
	uint32_t payload_off; /* as in struct ipcb_ring_plan */
	size_t piece_bytes;   /* payload one slot carries */
	_Alignas(128) unsigned char slots[];
};

/*
 * One side's private place in a ring (in the endpoint's state, not shared), with its own copy of
 * the ring's layout: a message's path reads only this, so the slot it writes or reads is one load
 * away from the endpoint, not a chain of loads through the channel and the ring's header (each
 * load of such a chain waits for the one before, and the chain starts only once the message is
 * there; ring.c, ipcb_ring_end_init).
 */
struct ipcb_ring_end {
	unsigned char *slot;	     /* the slot of head (writer) or tail (reader), moved with it */
	uint64_t head;		     /* writer: slots written */
	uint64_t tail_seen;	     /* writer: its last view of the reader's tail */
	uint64_t tail;		     /* reader: slots taken */
	uint64_t handed;	     /* reader: slots handed back, as the ring's tail says */
	uint32_t hand_every;	     /* reader: slots handed back at once, a power of two */
	bool reads_ahead;	     /* reader: asks for the next slots' headers as it copies */
	size_t taken;		     /* reader: bytes of the current slot already copied out */
	unsigned char *first, *past; /* the ring's slots: the first, and one past the last */
	uint32_t nslots, slot_bytes; /* as in the ring */
	uint32_t payload_off;
	size_t piece_bytes;
	bool asym;	 /* the sleeper fences both sides (ring.c, ring_sleep) */
	uint32_t yields; /* a hybrid wait's yields before it sleeps (ipcb_chan.yields) */
	uint32_t sleeps; /* this side's sleeps so far, each raising its flag to its number */
};

/*
 * How a ring is used, which decides its pieces and how many slots it holds: a stream (one way,
 * the writer running ahead of the reader), round trips between two CPUs (requests and replies,
 * each side waiting for the other's message; in pieces, so that one side copies out while the
 * other copies in), or round trips on one CPU (whole messages: nothing runs beside the writer).
 */
enum ipcb_ring_use { IPCB_RING_STREAM, IPCB_RING_TRIPS, IPCB_RING_TRIPS_WHOLE };

/* The layout for messages of up to msg_bytes per send/recv on this machine. */
void ipcb_ring_plan(size_t msg_bytes, enum ipcb_ring_use use, struct ipcb_ring_plan *p);
/*
 * ... on a machine with private_bytes of private cache per CPU: a ring of
 * ipcb_topo_turnover_bytes(private_bytes); a stream's of as many slots as that holds (up to 64 Ki),
 * round trips' of at most 512; in a stream a message of up to a quarter of it whole in one slot,
 * larger ones in pieces of a quarter; in round trips across CPUs pieces of about the square root
 * of 4 KiB times the message (16 KiB for 64 KiB; ring.c says why).
 */
void ipcb_ring_plan_machine(size_t msg_bytes, size_t private_bytes, enum ipcb_ring_use use,
			    struct ipcb_ring_plan *p);
/* The same, for a ring of about target bytes (0: the machine's), with up to 64 Ki slots. */
void ipcb_ring_plan_sized(size_t msg_bytes, size_t target, enum ipcb_ring_use use,
			  struct ipcb_ring_plan *p);
/*
 * The layout for loans: one slot holds a whole message of up to msg_bytes, in a ring of 256 KiB
 * with at most 512 slots, but a stream's of messages of up to two lines, or of sides sharing
 * one CPU (one_cpu), in the machine's ring, as many slots as it holds.
 */
void ipcb_ring_plan_whole(size_t msg_bytes, size_t private_bytes, enum ipcb_ring_use use,
			  bool one_cpu, struct ipcb_ring_plan *p);
/*
 * How many slots a stream's reader hands back at once (struct ipcb_ring_end's hand_every): up to
 * 32, a power of two, at most a sixteenth of the ring's nslots, so one in a ring of fewer than 32
 * slots, whose writer needs each back at once. A stream whose writer is ahead keeps the ring
 * full; had the reader published its tail at every slot, the writer, looking for room at every
 * message, would take the tail's line from the reader at every message and the reader take it
 * back for its next store: a cache-line round trip a message between the CPUs, which is what a
 * 64-byte stream cost (about 100 ns a message on a 16-CPU Xeon, where the stream's hand-over
 * floor takes 5-8). A reader that finds no piece waiting hands back what it holds before it
 * waits, so a writer never waits for slots already read. A channel of both directions
 * (both_ways) hands back each slot: its reader also writes, and could wait for room in the other
 * ring while holding slots its writer waits for.
 */
uint32_t ipcb_ring_hand_every(uint32_t nslots, bool both_ways);
/*
 * Whether a stream's reader asks for the headers of the two slots after its own before it copies
 * its piece out (struct ipcb_ring_end's reads_ahead): where a slot holds more than the two lines
 * its header shares with a small piece, the reader hands slots back in batches
 * (ipcb_ring_hand_every() above one: a stream, a ring of 32 slots or more) and its writer runs on
 * another CPU (not one_cpu). A slot of a 4 KiB piece is 66 lines: the next one's header lies past
 * its payload, most often in another page, where the CPU's own prefetchers do not go, and the
 * reader took its miss on it, a line from the other CPU's cache, at every message after its copy
 * (ring.c, ring_read_ahead()). Not where the piece shares its header's lines (the next header
 * follows in the same page, and the prefetchers fetch it), nor in round trips, whose next slot
 * the writer has not written yet (asked for early, its lines would be taken from the writer as
 * it writes them), nor where both sides share one CPU, whose cache already holds what the
 * writer wrote.
 */
bool ipcb_ring_reads_ahead(uint32_t nslots, uint32_t slot_bytes, bool both_ways, bool one_cpu);

/* Initialise a ring in zeroed shared memory of p->ring_bytes. */
void ipcb_ring_init(struct ipcb_ring *r, const struct ipcb_ring_plan *p);
/* A side's end of an initialised ring, at its first slot (r NULL: no ring, an end never used). */
void ipcb_ring_end_init(struct ipcb_ring_end *end, const struct ipcb_ring *r);

/* Move exactly len bytes in / out. wait is SPIN, BLOCK or HYBRID (spin_polls polls, then block).
 * 0 or a negative errno recorded in e. */
int ipcb_ring_write(struct ipcb_ring *r, struct ipcb_ring_end *w, const void *buf, size_t len,
		    enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e);
int ipcb_ring_read(struct ipcb_ring *r, struct ipcb_ring_end *rd, void *buf, size_t len,
		   enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e);
/* ipcb_ring_write() with a stream writer's choice of stores (storechoice.h). */
int ipcb_ring_write_chosen(struct ipcb_ring *r, struct ipcb_ring_end *w, const void *buf,
			   size_t len, enum ipcb_wait wait, unsigned spin_polls,
			   struct ipcb_store_choice *c, struct ipcb_err *e);

/*
 * Loans (transport.h, IPCB_CAP_ZEROCOPY) of one slot each, len up to the slot's piece_bytes.
 * acquire returns 1 when the slot was never written (the first lap), 0 when it holds the
 * writer's previous message, or a negative errno recorded in e.
 */
int ipcb_ring_acquire(struct ipcb_ring *r, struct ipcb_ring_end *w, size_t len, void **buf,
		      enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e);
int ipcb_ring_commit(struct ipcb_ring *r, struct ipcb_ring_end *w, size_t len, enum ipcb_wait wait,
		     struct ipcb_err *e);
int ipcb_ring_peek(struct ipcb_ring *r, struct ipcb_ring_end *rd, void **buf, size_t *len,
		   enum ipcb_wait wait, unsigned spin_polls, struct ipcb_err *e);
int ipcb_ring_release(struct ipcb_ring *r, struct ipcb_ring_end *rd, enum ipcb_wait wait,
		      struct ipcb_err *e);

/*
 * A channel of one ring per direction in one shared mapping made from a backing file (POSIX shm
 * or a file in a directory, backing.h). The transports built on it (shm, mmap) differ only in
 * where the mapping comes from: their channel private state starts with struct ipcb_ringchan,
 * their endpoint state is struct ipcb_ringchan_ep, and they use these hooks directly.
 */
struct ipcb_ringchan {
	void *map;
	size_t map_bytes;
	struct ipcb_ring *ring[2]; /* [0] sender -> receiver, [1] back (latency mode only) */
	bool whole_messages;	   /* set before setup: slots for loans (ipcb_ring_plan_whole) */
	size_t ring_target;	   /* set before setup: bytes a ring aims at (0: the machine's) */
	bool asym;		   /* the sleeper fences both sides (ring.c, ring_sleep) */
	bool choose_stores;	   /* a stream's writer chooses its stores (storechoice.h) */
};

/* An endpoint's ends, with its rings and wait beside them (one load from the endpoint). */
struct ipcb_ringchan_ep {
	struct ipcb_ring_end out, in;
	struct ipcb_ring *out_ring, *in_ring;
	enum ipcb_wait wait;
	unsigned spin_polls;
	/* The writer's choice of stores (storechoice.h): where it makes one, chosen points to
	 * store; NULL, the ordinary copy. Apart from the ends, whose layout the paths of messages
	 * that choose nothing keep. */
	struct ipcb_store_choice *chosen;
	struct ipcb_store_choice store;
};

/* Make the mapping in POSIX shared memory (dir NULL) or in dir, and lay out the rings. */
int ipcb_ringchan_setup(struct ipcb_chan *ch, const char *dir);
void ipcb_ringchan_teardown(struct ipcb_chan *ch);
int ipcb_ringchan_open(struct ipcb_ep *ep);
int ipcb_ringchan_send(struct ipcb_ep *ep, const void *buf, size_t len);
int ipcb_ringchan_recv(struct ipcb_ep *ep, void *buf, size_t len);
int ipcb_ringchan_acquire(struct ipcb_ep *ep, size_t len, void **buf);
int ipcb_ringchan_commit(struct ipcb_ep *ep, size_t len);
int ipcb_ringchan_peek(struct ipcb_ep *ep, void **buf, size_t *len);
int ipcb_ringchan_release(struct ipcb_ep *ep);

#endif
