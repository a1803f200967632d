/* SPDX-License-Identifier: MIT */
/*
 * rounds.c - the rounds: each probes every placement, measures the floors, then runs every
 * point of the plan once, in its own shuffled order, keeping each point's value for the
 * summary.
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvschema.h"
#include "driver.h"

/* Keep a round's value of a point for the summary (not kept when memory is short). */
static void point_keep(struct driver *d, struct plan_point *pp, const struct point *pt)
{
	size_t keep = d->o.repeat < SUMMARY_ROUNDS ? d->o.repeat : SUMMARY_ROUNDS;

	if (!pp->value) {
		pp->value = calloc(keep, sizeof(double));
		pp->ctx = calloc(keep, sizeof(double));
		pp->wake = calloc(keep, sizeof(double));
	}
	if (!pp->value || !pp->ctx || !pp->wake || pp->nvalues == keep || !(pt->value > 0))
		return;
	pp->value[pp->nvalues] = pt->value;
	pp->ctx[pp->nvalues] = pt->ctx;
	pp->wake[pp->nvalues] = d->places[pp->place].probe_wk_ns;
	pp->nvalues++;
}

static bool run_plan_point(struct driver *d, struct plan_point *pp)
{
	struct place *pl = &d->places[pp->place];
	const struct planned *p = &d->use[pp->use];
	struct shape sh = pp->sh;
	struct point pt;

	if (pp->sweep)
		return ipcb_sweep_run(d, pl, p, pp->si, &sh);
	if (!ipcb_point_run(d, pl, p, pp->si, &sh, &pt))
		return false;
	if (pt.ok)
		point_keep(d, pp, &pt);
	return true;
}

bool ipcb_ceilings_due(const struct driver *d, const struct place *pl)
{
	return d->o.probes && !d->peer && d->count_pass == IPCB_COUNT_NONE && pl->cpu[0] >= 0 &&
	       pl->cpu[1] >= 0;
}

/*
 * The rounds: each probes the machine at every placement, measures the floors (--floor), then
 * runs every point of the plan once, in its own shuffled order. False when the sweep must stop
 * (an interrupt, or no memory for the order).
 */
bool ipcb_rounds_run(struct driver *d)
{
	size_t *order = malloc((d->npoints ? d->npoints : 1) * sizeof(*order));

	if (!order) {
		fprintf(stderr, "%s: the plan: %s\n", prog, strerror(ENOMEM));
		return false;
	}
	/* Rows without a ceiling say why once, here, rather than by an empty column alone. */
	if (!d->o.probes && !d->o.floor && !d->o.quiet && d->npoints &&
	    d->count_pass == IPCB_COUNT_NONE)
		fprintf(stderr,
			"%s: --no-probes: no row is held against its ceiling (x floor, the CSV's "
			"%s and %s): the probes beside each run and the copy floors measure "
			"them; --floor measures the floors even so\n",
			prog, ipcb_csv_name(IPCB_COL_X_FLOOR), ipcb_csv_name(IPCB_COL_CEILING));
	for (unsigned k = 0; k < d->o.repeat; k++) {
		d->round = d->o.first_round + k;
		ipcb_plan_shuffle(d, order);
		for (size_t i = 0; i < d->nplaces; i++) {
			struct place *pl = &d->places[i];

			ipcb_probes_start(d, pl);
			pl->round_start = true;
			d->out->table_point = 0;
			if ((d->o.floor || ipcb_ceilings_due(d, pl)) &&
			    !ipcb_floors_run(d, pl, !d->o.floor))
				goto stop;
		}
		for (size_t i = 0; i < d->npoints; i++) {
			/* The table lists the rows by the plan's order, not the round's. */
			d->out->table_point = 1 + order[i];
			if (!run_plan_point(d, &d->points[order[i]]))
				goto stop;
		}
		/* Each round is a unit of the analysis: say so where it ends (the progress). */
		if (d->o.repeat > 1 && !d->o.quiet)
			fprintf(stderr, "%s: round %u of %u done\n", prog, k + 1, d->o.repeat);
	}
	free(order);
	return true;
stop:
	free(order);
	return false;
}
