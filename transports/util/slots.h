/* SPDX-License-Identifier: MIT */
/*
 * slots.h - the textbook producer/consumer, for transports whose mechanism is a counting
 * semaphore: K fixed-size slots per direction in storage both processes reach, a "full"
 * semaphore per direction counting messages ready, and the slots handed back through memory:
 *
 *   writer: wait for a free slot; copy the message into slot n % K; post(full)
 *   reader: wait(full);  copy it out of slot n % K; publish "n + 1 taken"
 *
 * So every message costs exactly one post and one wait of the mechanism (one system call each
 * for the kernel mechanisms), which is what these rows measure: the notification. Free slots
 * need no system call while there are some: the reader publishes how many it has taken in
 * shared memory, and the writer reads that only when its own count says the ring is full. A
 * writer that must sleep for room raises a flag and waits on a second semaphore, "empty"; the
 * reader that finds the flag up clears it and posts "empty" once, so every post is taken.
 *
 * A transport file supplies only its mechanism: how to post, try and wait on its semaphores
 * (struct ipcb_sem_ops) and, when the slots are not memory (a file), how to put and get bytes
 * (struct ipcb_slot_io).
 *
 * The run's wait strategy applies to every wait: spin = try until taken, never sleep; yield = the
 * same with sched_yield() between tries; block = the mechanism's blocking wait; hybrid = try
 * cfg.spin_polls times, then block.
 *
 * One slot holds one message, so boundaries are kept; the reader asks for the size that was sent,
 * as the driver always does. A stream's writer across CPUs of slots of 64 KiB or more stores
 * through the cache or past it, whichever runs faster on the machine as it is (storechoice.h).
 */
#ifndef IPCB_SLOTS_H
#define IPCB_SLOTS_H

#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storechoice.h"
#include "transport.h"

/* Largest message one slot holds; the driver chunks larger payloads. Bounds memory to 32 MiB. */
#define IPCB_SLOTS_MAX_MSG (4u << 20)

enum ipcb_slots_kind {
	IPCB_SLOTS_FULL = 0,  /* messages ready: posted by the writer, taken by the reader */
	IPCB_SLOTS_EMPTY = 1, /* free slots: posted by the reader, taken by the writer */
};

/* Semaphore number of a direction's (0 = sender -> receiver) full or empty count. */
#define IPCB_SLOTS_SEM(dir, kind) ((unsigned)(dir)*2 + (unsigned)(kind))
#define IPCB_SLOTS_SEM_DIR(sem)	  ((sem) / 2)
#define IPCB_SLOTS_SEM_KIND(sem)  ((enum ipcb_slots_kind)((sem) % 2))

/* A counting semaphore mechanism. Each call records its failing call in e and returns -errno. */
struct ipcb_sem_ops {
	int (*post)(void *ctx, unsigned sem, struct ipcb_err *e);
	/* Take one if the count is above zero now: 0 taken, -EAGAIN (not recorded) if not. */
	int (*trywait)(void *ctx, unsigned sem, struct ipcb_err *e);
	/* Sleep until one can be taken, and take it. */
	int (*wait)(void *ctx, unsigned sem, struct ipcb_err *e);
	/*
	 * The largest count one of its semaphores may reach, where that is fewer than the slots
	 * a stream's ring would have (0: no such bound): "full" counts every message in flight,
	 * so a ring has no more slots than this.
	 */
	unsigned max_count;
};

/* Slots kept somewhere other than memory: move len bytes at byte offset off of the storage. */
struct ipcb_slot_io {
	int (*put)(void *ctx, size_t off, const void *buf, size_t len, struct ipcb_err *e);
	int (*get)(void *ctx, size_t off, void *buf, size_t len, struct ipcb_err *e);
};

/* Hand-back of free slots, per direction, in a small shared mapping of its own. */
struct ipcb_slots_flow {
	_Alignas(64) uint64_t taken; /* messages the reader has copied out: their slots are free */
	_Alignas(64) uint32_t writer_waiting; /* the writer sleeps on "empty" for room */
};

/* One channel's slots, in the channel's private state (each child has its copy after fork). */
struct ipcb_slots {
	unsigned ndirs;	    /* 2 in latency mode, 1 when only sender -> receiver is used */
	unsigned nslots;    /* K, slots per direction */
	size_t slot_bytes;  /* cfg.msg_bytes rounded up to a cache line */
	unsigned char *mem; /* slots in shared memory, [dir][slot]; NULL when io moves them */
	bool choose_stores; /* a stream's writer into mem chooses its stores (storechoice.h) */
	const struct ipcb_sem_ops *sem;
	void *sem_ctx;
	const struct ipcb_slot_io *io;
	void *io_ctx;
	struct ipcb_slots_flow *flow; /* [dir], shared */
};

/* One endpoint's place in the rings: messages it has written and read so far. */
struct ipcb_slots_end {
	uint64_t sent, received;
	uint64_t taken_seen;		/* the writer's last view of its reader's flow->taken */
	struct ipcb_store_choice store; /* where s->choose_stores: begun at the first message */
};

/*
 * Choose directions, K and the slot size for a run with the semaphores of sem (kept as s->sem),
 * and map the shared hand-back counters. Slots outside memory set s->io before. lead: how far
 * into a page the slots will start (s->mem's offset in its page-aligned mapping), so that a
 * round trip's slots can each lie in pages of their own. 0 or -errno recorded in e;
 * ipcb_slots_teardown() undoes it (also after a failure).
 */
int ipcb_slots_setup(struct ipcb_slots *s, const struct ipcb_chan_cfg *cfg,
		     const struct ipcb_sem_ops *sem, size_t lead, struct ipcb_err *e);
void ipcb_slots_teardown(struct ipcb_slots *s);
/* Bytes of storage all slots need, and the number of semaphores (each starts at 0: "full"
 * counts messages posted, "empty" wake-ups of a writer waiting for room). */
size_t ipcb_slots_bytes(const struct ipcb_slots *s);
unsigned ipcb_slots_nsems(const struct ipcb_slots *s);

/* One whole message of len bytes (len <= slot_bytes) out of / into this endpoint's side. */
int ipcb_slots_send(const struct ipcb_slots *s, struct ipcb_slots_end *end, struct ipcb_ep *ep,
		    const void *buf, size_t len);
int ipcb_slots_recv(const struct ipcb_slots *s, struct ipcb_slots_end *end, struct ipcb_ep *ep,
		    void *buf, size_t len);

/*
 * Process-shared POSIX semaphores (sem_init pshared=1) as the mechanism: glibc's are a counter
 * in the shared memory itself, with a futex for sleepers, so a post or wait enters the kernel
 * only when somebody has to sleep. Used by shm-sem, and by file for its notifications.
 * sem_ctx is an array of ipcb_slots_nsems() struct ipcb_psem in shared memory.
 */
struct ipcb_psem {
	_Alignas(64) sem_t sem; /* each on its own cache line: the sides take turns on them */
};

extern const struct ipcb_sem_ops ipcb_psem_ops;
/* sem_init every semaphore with its starting count; *ready counts those made (for destroy). */
int ipcb_psem_init(struct ipcb_psem *p, const struct ipcb_slots *s, unsigned *ready,
		   struct ipcb_err *e);
void ipcb_psem_destroy(struct ipcb_psem *p, unsigned *ready);

#endif
