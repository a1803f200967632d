/* SPDX-License-Identifier: MIT */
/* storechoice.c - a stream's writer choosing its stores by their rates; see storechoice.h. */
#include "storechoice.h"

#include <string.h>

#include "clock.h"
#include "common.h"
#include "count.h"

void ipcb_store_choice_init(struct ipcb_store_choice *c, bool on, uint32_t lap_pieces,
			    size_t lap_bytes)
{
	memset(c, 0, sizeof(*c));
	c->on = on && lap_pieces > 0 && lap_bytes > 0;
	c->use = c->kept = IPCB_STORE_CACHED;
	c->lap_pieces = c->until_lap = lap_pieces;
	c->lap_bytes = lap_bytes;
	c->routine = c->on && lap_bytes / lap_pieces >= IPCB_STORE_PIECE_ROUTINE;
	c->until_trial = IPCB_STORE_TRY_EARLY;
	c->interval = IPCB_STORE_TRY_FIRST;
}

static double median3(const double v[3])
{
	double a = v[0] < v[1] ? v[0] : v[1], b = v[0] < v[1] ? v[1] : v[0], x = v[2];

	return x < a ? a : x > b ? b : x;
}

/* A trial's store is kept from now on. */
static void trial_won(struct ipcb_store_choice *c, double rate)
{
	c->kept = c->use;
	c->best = rate;
	c->interval = IPCB_STORE_TRY_FIRST;
	c->recent[0] = c->recent[1] = c->recent[2] = rate;
	c->switches++;
}

/*
 * A counted lap of a trial ran at rate, against the kept store's recent laps: the trial wins at
 * a lap faster by the margin of its store, and loses when its laps run out (a trial of streaming
 * stores has one, of ordinary ones IPCB_STORE_TRIAL_LAPS: storechoice.h says why) or at a lap
 * IPCB_STORE_HOPELESS times as slow.
 */
static void trial_lap(struct ipcb_store_choice *c, double rate)
{
	double recent = median3(c->recent);
	bool streamed = c->use == IPCB_STORE_STREAMED;
	double margin = streamed ? IPCB_STORE_MARGIN_STREAMED : IPCB_STORE_MARGIN;
	uint32_t laps = streamed ? 1 : IPCB_STORE_TRIAL_LAPS;

	if (rate < (1 - margin) * recent) {
		trial_won(c, rate);
	} else if (rate < IPCB_STORE_HOPELESS * recent && ++c->trial_laps < laps) {
		return;
	} else {
		/* The kept store's rate now is its rate from here on: a machine slower for
		 * both stores sets off no trial after trial. */
		c->best = recent;
		if (c->interval < IPCB_STORE_TRY_MOST)
			c->interval *= 2;
	}
	c->trials++;
	c->use = c->kept;
	/* Smaller pieces keeping ordinary stores try the others again only at a change. */
	c->until_trial = c->routine || c->kept == IPCB_STORE_STREAMED ? c->interval : UINT32_MAX;
	c->quiet = IPCB_STORE_QUIET;
	/* Back to the kept store: its first lap stores into the lines the trial left. */
	c->settling = true;
}

void ipcb_store_choice_lap(struct ipcb_store_choice *c, uint64_t now_ns)
{
	double rate;

	c->until_lap = c->lap_pieces;
	if (!c->start_ns || now_ns <= c->start_ns) {
		c->start_ns = now_ns; /* the first lap starts the clock */
		return;
	}
	rate = (double)(now_ns - c->start_ns) / (double)c->lap_bytes;
	c->start_ns = now_ns;
	if (c->settling) {
		/* A lap into lines the other store left: not either store's own rate. */
		c->settling = false;
		return;
	}
	if (c->use != c->kept) {
		trial_lap(c, rate);
		return;
	}
	c->recent[2] = c->recent[1];
	c->recent[1] = c->recent[0];
	c->recent[0] = rate;
	if (c->best == 0 || rate < c->best)
		c->best = rate;
	/* Two laps in a row at less than half the best rate: the machine changed. */
	if (c->quiet)
		c->quiet--;
	else if (c->recent[1] > IPCB_STORE_SLOWER * c->best && rate > IPCB_STORE_SLOWER * c->best)
		c->until_trial = 0;
	if (c->until_trial && --c->until_trial)
		return;
	if (c->recent[2] > 0) {
		/* A trial: a lap to settle into the other store's lines, then laps counted. */
		c->use = !c->kept;
		c->settling = true;
		c->trial_laps = 0;
	}
}

void ipcb_store_choice_copy(struct ipcb_store_choice *c, void *dst, const void *src, size_t n)
{
	if (c->use == IPCB_STORE_STREAMED && !ipcb_counting)
		ipcb_streamed_copy(dst, src, n);
	else
		ipcb_shared_copy(dst, src, n);
	if (--c->until_lap == 0 && !ipcb_counting)
		ipcb_store_choice_lap(c, ipcb_now_ns());
}

void ipcb_store_choice_slot_copy(struct ipcb_store_choice *c, uint32_t nslots, size_t slot_bytes,
				 void *dst, const void *src, size_t n)
{
	if (!c->on)
		ipcb_store_choice_init(c, true, nslots, (size_t)nslots * slot_bytes);
	ipcb_store_choice_copy(c, dst, src, n);
}
