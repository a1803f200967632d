/* SPDX-License-Identifier: MIT */
/*
 * test_storechoice.c - a stream writer's choice of stores (transports/util/storechoice.h) on laps
 * of made-up rates, the machine's two states as the EPYC guest showed them: ordinary stores 2.5
 * times as fast as streaming ones in the usual state, ten times slower in the other. The
 * streaming copy itself is tested with the ordinary one (test_sharedcopy.c).
 */
#include <string.h>

#include "../tap.h"
#include "storechoice.h"

enum { LAP = 4u << 20 };

/* ns a byte of each store in each state: [state][store] */
static const double rates[2][2] = {{0.025, 0.06}, {0.4, 0.04}};

struct sim {
	struct ipcb_store_choice c;
	uint64_t now;
	unsigned laps[2]; /* laps run with each store */
};

/* A stream of pieces laps of LAP bytes each (4: 1 MiB pieces; 64: 64 KiB ones). */
static void sim_start_pieces(struct sim *s, uint32_t pieces)
{
	memset(s, 0, sizeof(*s));
	ipcb_store_choice_init(&s->c, true, pieces, LAP);
	s->now = 1000;
	ipcb_store_choice_lap(&s->c, s->now); /* the clock starts */
}

static void sim_start(struct sim *s)
{
	sim_start_pieces(s, 4);
}

/* n laps in state st, each at its store's rate there. */
static void sim_run(struct sim *s, int st, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned use = s->c.use;

		s->laps[use]++;
		s->now += (uint64_t)(rates[st][use] * LAP);
		ipcb_store_choice_lap(&s->c, s->now);
	}
}

/* One lap at rate ns a byte, whatever the store. */
static void sim_lap(struct sim *s, double rate)
{
	s->laps[s->c.use]++;
	s->now += (uint64_t)(rate * LAP);
	ipcb_store_choice_lap(&s->c, s->now);
}

int main(void)
{
	struct sim s;

	/* The usual state: trials of streaming stores lose, ever more rarely. */
	sim_start(&s);
	sim_run(&s, 0, 4000);
	ok(s.c.kept == IPCB_STORE_CACHED && s.c.switches == 0,
	   "usual state: the ordinary stores kept (%u switches)", s.c.switches);
	ok(s.c.trials >= 3 && s.c.trials <= 8 && s.laps[1] <= 2 * s.c.trials,
	   "usual state: %u trials in 4000 laps, %u laps streamed", s.c.trials, s.laps[1]);
	ok(s.c.interval == IPCB_STORE_TRY_MOST || s.c.interval > IPCB_STORE_TRY_FIRST,
	   "usual state: trials twice as far apart after each loss (interval %u laps)",
	   s.c.interval);

	/* A run that starts in the other state: the first trial finds the streaming stores. */
	sim_start(&s);
	sim_run(&s, 1, 20);
	ok(s.c.kept == IPCB_STORE_STREAMED && s.laps[0] <= IPCB_STORE_TRY_EARLY + 4,
	   "starting in the other state: streaming kept after %u ordinary laps", s.laps[0]);
	sim_run(&s, 1, 4000);
	ok(s.c.kept == IPCB_STORE_STREAMED && s.laps[0] < 40,
	   "... and kept, the ordinary stores tried %u laps in 4020", s.laps[0]);

	/* The machine changes under a run, and back. */
	sim_start(&s);
	sim_run(&s, 0, 3000);
	sim_run(&s, 1, 6);
	ok(s.c.kept == IPCB_STORE_STREAMED, "a change of state: streaming kept within 6 laps");
	sim_run(&s, 1, 500);
	sim_run(&s, 0, IPCB_STORE_TRY_MOST + 4);
	ok(s.c.kept == IPCB_STORE_CACHED,
	   "back in the usual state: the ordinary stores again by the next trial (at most %u laps)",
	   IPCB_STORE_TRY_MOST);

	/* A lap of each store's trial settles first: its first lap is not counted. */
	sim_start(&s);
	sim_run(&s, 0, IPCB_STORE_TRY_EARLY);
	ok(s.c.use == IPCB_STORE_STREAMED && s.c.settling, "a trial begins with a lap not counted");
	s.now += (uint64_t)(0.001 * LAP); /* a settling lap however fast: never a winner */
	ipcb_store_choice_lap(&s.c, s.now);
	ok(s.c.use == IPCB_STORE_STREAMED && !s.c.settling && s.c.trials == 0,
	   "the settling lap decides nothing");

	/* Between the states: streaming stores a fifth faster win no trial. */
	sim_start(&s);
	while (s.c.trials == 0)
		sim_lap(&s, s.c.use == IPCB_STORE_STREAMED ? 0.040 : 0.050);
	ok(s.c.kept == IPCB_STORE_CACHED,
	   "streaming stores a fifth faster than ordinary ones: not enough to switch");

	/*
	 * Back from streaming stores: ordinary ones run slow for a few laps into the lines the
	 * streaming ones left, then fast; the trial lasts until they do.
	 */
	sim_start(&s);
	sim_run(&s, 1, 10);
	ok(s.c.kept == IPCB_STORE_STREAMED, "the other state: streaming kept");
	while (s.c.use == IPCB_STORE_STREAMED)
		sim_lap(&s, 0.06);
	sim_lap(&s, 0.09); /* the settling lap */
	sim_lap(&s, 0.09);
	sim_lap(&s, 0.08);
	ok(s.c.use == IPCB_STORE_CACHED && s.c.kept == IPCB_STORE_STREAMED,
	   "a trial of ordinary stores goes on through laps slower, but not twice as slow");
	sim_lap(&s, 0.025);
	ok(s.c.kept == IPCB_STORE_CACHED, "... and wins at their first fast lap");

	/*
	 * 64 KiB pieces: the streaming stores tried early and at a change alone. In the usual
	 * state the ordinary laps after the early trial run three times as slow for three laps
	 * (into the lines the streaming ones left): no second trial follows from them.
	 */
	sim_start_pieces(&s, 64);
	ok(!s.c.routine, "64 KiB pieces: no trials on a schedule");
	while (s.c.trials == 0)
		sim_run(&s, 0, 1);
	for (int i = 0; i < 3; i++)
		sim_lap(&s, 3 * rates[0][IPCB_STORE_CACHED]);
	sim_run(&s, 0, 4000);
	ok(s.c.kept == IPCB_STORE_CACHED && s.c.trials == 1 && s.laps[1] == 2,
	   "64 KiB, usual state: one trial in 4000 laps (%u), %u laps streamed", s.c.trials,
	   s.laps[1]);
	sim_run(&s, 1, 6);
	ok(s.c.kept == IPCB_STORE_STREAMED,
	   "64 KiB, a change of state: streaming kept within 6 laps");
	sim_run(&s, 0, IPCB_STORE_TRY_FIRST + 12);
	ok(s.c.kept == IPCB_STORE_CACHED,
	   "64 KiB, back in the usual state: ordinary stores again by the next trial");
	sim_start_pieces(&s, 64);
	sim_run(&s, 1, 20);
	ok(s.c.kept == IPCB_STORE_STREAMED, "64 KiB, starting in the other state: streaming kept");

	/* Off: nothing changes, whatever the laps say. */
	ipcb_store_choice_init(&s.c, false, 4, LAP);
	ok(!s.c.on && s.c.use == IPCB_STORE_CACHED, "off: ordinary stores only");

	return tap_done();
}
