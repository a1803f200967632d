/* SPDX-License-Identifier: MIT */
/*
 * storechoice.h - how a ring's writer stores a stream's pieces: through the cache (an ordinary
 * copy) or past it (non-temporal stores, common.h's ipcb_streamed_copy()), chosen while the
 * stream runs by the rate each gives on this machine, now.
 *
 * Neither is best everywhere. On the AMD EPYC guest a 1 MiB stream across CPUs ran at 40 GB/s
 * with ordinary stores and 16-19 with streaming ones; but for seconds to a minute at a time the
 * machine passes into a state in which the ordinary stores ran at 2-4 GB/s (the writer taking
 * each line of a slot back from the reader's cache) and the streaming ones at 21-26, 4 KiB to
 * 1 MiB pieces alike (docs/methodology.md, "The writer's stores"). A choice made once, or by
 * the CPU's name, would be wrong in one state or the other.
 *
 * The writer times each lap of the ring (one clock read a lap: the stream's own rate, waits for
 * room included, so a store that slows the reader, who then reads from memory, shows too). It
 * keeps one store and tries the other now and then: a first lap not counted (it stores into
 * lines the kept store left), then laps against the median of the kept store's last three, a
 * lap faster by the trial's margin winning. Streaming stores get one counted lap and must be
 * IPCB_STORE_MARGIN_STREAMED faster: kept where they win by less (a machine between its
 * states), they cost the usual state 2.5 times its rate, where a win in the other state is
 * 5-10 times. Ordinary stores get IPCB_STORE_TRIAL_LAPS laps, the first IPCB_STORE_MARGIN
 * faster winning: after streaming stores they write into lines the reader's cache took from
 * memory, which on the EPYC guest ran them at a third of their speed, or slower, for several
 * laps (trials of one lap, or ended at a lap twice as slow, kept the streaming stores in the
 * usual state, at 13-19 GB/s where ordinary ones streamed 64 KiB at 35-40). A lap
 * IPCB_STORE_HOPELESS times as slow as the kept store's ends a trial at once: the other state,
 * where ordinary stores ran 6-10 times as slow, not lines left behind.
 * The first lap back is not counted either. Trials come after IPCB_STORE_TRY_EARLY laps (which
 * state the run starts in), then IPCB_STORE_TRY_FIRST laps after a win, twice as long after
 * each loss up to IPCB_STORE_TRY_MOST, and at once when two laps in a row run at less than half
 * the kept store's best (the machine changed), except in the IPCB_STORE_QUIET laps after a
 * trial, which run into the lines the trial's store left.
 *
 * Pieces of IPCB_STORE_PIECE_MIN up to IPCB_STORE_PIECE_ROUTINE try the streaming stores only
 * early and when the machine changed, never on a schedule: with 64 KiB pieces, trials on the
 * schedule kept the streaming stores in the usual state in half the runs (the ordinary laps
 * after each trial were slow enough to lose the next), where in the other state ordinary stores
 * wrote 64 KiB slots at 2.4-7 GB/s and streaming ones at 15-25, 4 KiB ones at 2 and 10-11
 * (docs/methodology.md).
 *
 * Writers whose every message takes a post and a wait of their mechanism (the slot transports,
 * shm-mutex) choose from IPCB_STORE_SLOT_MIN, not from 4 KiB: those calls make the laps' rates
 * bimodal in the usual state (eventfd's 4 KiB stream 6 or 10 GB/s from run to run), and
 * streaming stores kept on such laps cost as much there as they gained in the other state.
 */
#ifndef IPCB_STORECHOICE_H
#define IPCB_STORECHOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPCB_STORE_PIECE_MIN	   (4u * 1024)
#define IPCB_STORE_PIECE_ROUTINE   (256u * 1024)
#define IPCB_STORE_SLOT_MIN	   (64u * 1024)
#define IPCB_STORE_TRY_EARLY	   4u
#define IPCB_STORE_TRY_FIRST	   64u
#define IPCB_STORE_TRY_MOST	   1024u
#define IPCB_STORE_MARGIN	   0.10
#define IPCB_STORE_MARGIN_STREAMED 0.25
#define IPCB_STORE_SLOWER	   2.0
#define IPCB_STORE_TRIAL_LAPS	   8u
#define IPCB_STORE_HOPELESS	   4.0
#define IPCB_STORE_QUIET	   16u

enum ipcb_store { IPCB_STORE_CACHED, IPCB_STORE_STREAMED };

struct ipcb_store_choice {
	bool on;	      /* chosen at all: a stream's writer of large pieces */
	bool settling;	      /* the lap under way is not counted */
	bool routine;	      /* the other store tried on a schedule, not only at a change */
	uint8_t use;	      /* the store of the lap under way */
	uint8_t kept;	      /* the store kept between trials */
	uint32_t lap_pieces;  /* pieces a lap of the ring holds */
	uint32_t until_lap;   /* pieces left in the lap under way */
	size_t lap_bytes;     /* bytes a lap of pieces carries */
	uint64_t start_ns;    /* when the lap under way began; 0: not yet */
	double recent[3];     /* the kept store's last three laps, ns a byte; 0: none */
	double best;	      /* the kept store's best lap since it was kept */
	uint32_t until_trial; /* laps of the kept store before the next trial */
	uint32_t interval;    /* laps between trials */
	uint32_t trial_laps;  /* counted laps of the trial under way */
	uint32_t quiet;	      /* laps left in which no change of state is looked for */
	uint32_t trials, switches;
};

/*
 * Start a writer's choice (on), or its ordinary stores alone (!on), for laps of lap_pieces
 * pieces carrying lap_bytes (a ring's slots full).
 */
void ipcb_store_choice_init(struct ipcb_store_choice *c, bool on, uint32_t lap_pieces,
			    size_t lap_bytes);

/* A lap of the ring ended at now_ns: record its rate, and set the next lap's store. */
void ipcb_store_choice_lap(struct ipcb_store_choice *c, uint64_t now_ns);

/*
 * The writer's copy of one piece into its slot by the store of the lap under way, the lap timed
 * at its last piece. A counted run (count.h) stores through the cache alone and times nothing,
 * its counts the same whatever the machine's timing would have chosen.
 */
void ipcb_store_choice_copy(struct ipcb_store_choice *c, void *dst, const void *src, size_t n);

/*
 * The same for a writer of one message a slot, nslots slots of slot_bytes a lap, its choice
 * begun at its first copy (c zeroed until then).
 */
void ipcb_store_choice_slot_copy(struct ipcb_store_choice *c, uint32_t nslots, size_t slot_bytes,
				 void *dst, const void *src, size_t n);

#endif
