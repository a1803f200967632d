/* SPDX-License-Identifier: MIT */
/*
 * probes.c - the probes of the machine's state beside every run (bench/engine/probe.h): their
 * threads per placement, a probe before and after each run, and whether one jumped.
 */
#include "drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "stats.h"

/*
 * The probes of the machine's state (bench/engine/probe.h): a cache-line round trip between the
 * placement's CPUs before and after every run, and a round trip of two blocking wake-ups at the
 * start of each round and once a second after. On a virtual machine either can change within
 * seconds (two virtual CPUs on one core for a while, then apart; a woken CPU idle or busy), and
 * every row carries the probes around it: a row whose cache-line probe changed by half or more
 * between before and after ran while the machine changed (state-changed).
 */
#define PROBE_CL_ROUNDS 200

#define PROBE_WK_ROUNDS 12

#define PROBE_WK_EVERY_S 1.0

/* A probe this many times above or below the run's usual (the median of its probes) jumped. */
#define PROBE_JUMP_FACTOR 2.0

/* The median of a placement's probes so far, of one kind (0: cache line, 1: wake-up). */
static double probe_usual(const struct place *pl, int k)
{
	double m = 0;

	if (pl->nprobes == 0 || ipcb_stats_median(pl->probe_hist[k], pl->nprobes, &m) < 0)
		return 0;
	return m;
}

bool ipcb_probes_jumped(double now, double usual)
{
	return now > 0 && usual > 0 &&
	       (now >= PROBE_JUMP_FACTOR * usual || now * PROBE_JUMP_FACTOR <= usual);
}

/* Keep a probe's values for the run's usual state. */
static void probe_keep(struct place *pl)
{
	if (pl->nprobes == pl->probes_cap) {
		size_t cap = pl->probes_cap ? 2 * pl->probes_cap : 64;
		double *a = realloc(pl->probe_hist[0], cap * sizeof(double));
		double *b = a ? realloc(pl->probe_hist[1], cap * sizeof(double)) : NULL;

		if (a)
			pl->probe_hist[0] = a;
		if (!b)
			return; /* the usual state is then judged on fewer probes */
		pl->probe_hist[1] = b;
		pl->probes_cap = cap;
	}
	pl->probe_hist[0][pl->nprobes] = pl->probe_cl_ns;
	pl->probe_hist[1][pl->nprobes] = pl->probe_wk_ns;
	pl->nprobes++;
}

/* Start the placement's probe threads (pinned placements on this host only). */
void ipcb_probes_start(struct driver *d, struct place *pl)
{
	int rc;

	if (!d->o.probes || pl->cpu[0] < 0 || pl->kind == IPCB_PLACE_TWO_HOST || pl->prober ||
	    pl->probes_failed)
		return;
	rc = ipcb_prober_start(&pl->prober, pl->cpu);
	if (rc < 0) {
		fprintf(stderr, "%s: probes of CPUs %d,%d: %s; rows go without them\n", prog,
			pl->cpu[0], pl->cpu[1], strerror(-rc));
		pl->probes_failed = true;
	}
}

/* A probe that fails ends the probes of that placement, said once. */
static void probe_failed(struct place *pl, int rc)
{
	fprintf(stderr, "%s: probe of CPUs %d,%d: %s; the rows that follow go without probes\n",
		prog, pl->cpu[0], pl->cpu[1], strerror(-rc));
	ipcb_prober_stop(pl->prober);
	pl->prober = NULL;
	pl->probed = false;
	pl->probes_failed = true;
}

/* Probe the placement before a run: the cache line, and the wake-up when it is due. */
void ipcb_probes_before(struct place *pl)
{
	double cl, wk = pl->probe_wk_ns, usual[2];
	int rc;

	if (!pl->prober)
		return;
	rc = ipcb_prober_cacheline(pl->prober, PROBE_CL_ROUNDS, &cl);
	if (!rc && (pl->round_start || !pl->probed ||
		    ipcb_now_ns() - pl->probe_at_ns >= (uint64_t)(PROBE_WK_EVERY_S * 1e9))) {
		rc = ipcb_prober_wakeup(pl->prober, PROBE_WK_ROUNDS, &wk);
		pl->probe_at_ns = ipcb_now_ns();
		pl->round_start = false;
	}
	if (rc < 0) {
		probe_failed(pl, rc);
		return;
	}
	pl->probed = true;
	pl->probe_cl_ns = cl;
	pl->probe_wk_ns = wk;
	pl->probe_cl_after_ns = 0;
	usual[0] = probe_usual(pl, 0);
	usual[1] = probe_usual(pl, 1);
	/* Judged against the probes before it, once there are a few to call usual. */
	pl->probe_jump = pl->nprobes >= 8 &&
			 (ipcb_probes_jumped(cl, usual[0]) || ipcb_probes_jumped(wk, usual[1]));
	probe_keep(pl);
}

/* Probe the cache line again after the run: did the machine change while it ran? */
void ipcb_probes_after(struct place *pl)
{
	double cl;
	int rc;

	if (!pl->prober || !pl->probed)
		return;
	rc = ipcb_prober_cacheline(pl->prober, PROBE_CL_ROUNDS, &cl);
	if (rc < 0)
		probe_failed(pl, rc);
	else
		pl->probe_cl_after_ns = cl;
}

/* Stop every placement's probe threads. */
void ipcb_probes_stop(struct driver *d)
{
	for (size_t i = 0; i < d->nplaces; i++) {
		ipcb_prober_stop(d->places[i].prober);
		d->places[i].prober = NULL;
	}
}
