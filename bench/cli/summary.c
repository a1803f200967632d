/* SPDX-License-Identifier: MIT */
/*
 * summary.c - after several rounds: each point's median, interval, spread and modes; with
 * --tune, the best setting of each point beside its default.
 */
#include "drv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "stats.h"

/*
 * After several rounds, each point's rounds in a few lines: the median and its distribution-free
 * interval, the spread between rounds, and the modes where the rounds fell into clusters (with
 * the context switches per message and the wake-up probe of each, which often tell them apart).
 * The report says the same of a CSV at length.
 */
void ipcb_summary_print(struct driver *d)
{
	enum { MODE_ROUNDS = 128 }; /* a mode's rounds whose context switches and probe count */
	double *ctx, *wk;
	size_t multi = 0;

	if (d->o.repeat < 2 || d->o.quiet || d->interrupted)
		return;
	/* A mode's rounds' values: 2 KiB, on the heap, since the stack may be small. */
	ctx = malloc(2 * MODE_ROUNDS * sizeof(*ctx));
	if (!ctx) {
		fprintf(stderr, "%s: the rounds' summary: malloc: %s\n", prog, strerror(ENOMEM));
		return;
	}
	wk = ctx + MODE_ROUNDS;
	errno = 0;
	printf("# over %u rounds (seed %llu): each point's median [%.0f%% interval], spread "
	       "between rounds, and its modes where its rounds fell into clusters%s\n",
	       d->o.repeat, (unsigned long long)d->o.seed, 95.0,
	       d->o.repeat > SUMMARY_ROUNDS ? " (of the first 1024 rounds)" : "");
	for (size_t i = 0; i < d->npoints; i++) {
		const struct plan_point *pp = &d->points[i];
		const char *what = pp->sh.mode == IPCB_MODE_LATENCY ? "rtt p50" : "stream";
		char sz[16], med[32], lo[32], hi[32], shape[48] = "";
		double m, a, b, got, spread = NAN;
		struct ipcb_modes modes;
		struct ipcb_row row = {.pairs = pp->sh.pairs,
				       .inflight = pp->sh.inflight,
				       .senders = pp->sh.senders,
				       .receivers = pp->sh.receivers,
				       .broadcast = d->o.deliver_all};

		if (pp->sweep || pp->nvalues < 2 ||
		    ipcb_stats_median(pp->value, pp->nvalues, &m) < 0 ||
		    ipcb_median_ci(pp->value, pp->nvalues, 0.95, &a, &b, &got) < 0)
			continue;
		if (pp->nvalues >= 3 && ipcb_stats_spread(pp->value, pp->nvalues, &spread) < 0)
			spread = NAN;
		if (ipcb_modes_find(pp->value, pp->nvalues, &modes) < 0)
			modes.n = 1;
		ipcb_format_size(d->o.sizes[pp->si], sz, sizeof(sz));
		ipcb_row_shape(&row, pp->sh.rate, shape, sizeof(shape));
		if (pp->sh.mode == IPCB_MODE_LATENCY) {
			ipcb_format_ns(m, med, sizeof(med));
			ipcb_format_ns(a, lo, sizeof(lo));
			ipcb_format_ns(b, hi, sizeof(hi));
		} else {
			snprintf(med, sizeof(med), "%.1f MB/s", m / 1e6);
			snprintf(lo, sizeof(lo), "%.1f", a / 1e6);
			snprintf(hi, sizeof(hi), "%.1f MB/s", b / 1e6);
		}
		printf("# %-14s %-10s %5s %-10s%s%s%s%s %s %s [%s, %s], between rounds %s%.1f%%",
		       d->use[pp->use].t->name, ipcb_plan_mode_name(pp->sh.mode), sz,
		       ipcb_place_text(&d->places[pp->place]), shape[0] ? " " : "", shape,
		       d->use[pp->use].tuning[0] ? " " : "", d->use[pp->use].tuning, what, med, lo,
		       hi, isnan(spread) ? "n/a " : "", isnan(spread) ? 0 : spread * 100);
		for (size_t k = 0; modes.n > 1 && k < modes.n; k++) {
			double mc = NAN, mw = NAN;
			size_t n = 0;

			for (size_t j = 0; j < pp->nvalues && n < MODE_ROUNDS; j++)
				if (pp->value[j] >= modes.lo[k] && pp->value[j] <= modes.hi[k]) {
					ctx[n] = pp->ctx[j];
					wk[n++] = pp->wake[j];
				}
			if (n) {
				ipcb_stats_median(ctx, n, &mc);
				ipcb_stats_median(wk, n, &mw);
			}
			if (pp->sh.mode == IPCB_MODE_LATENCY)
				ipcb_format_ns(modes.median[k], med, sizeof(med));
			else
				snprintf(med, sizeof(med), "%.1f MB/s", modes.median[k] / 1e6);
			printf("%s%s in %zu/%zu rounds (ctx/msg %.3g, wake-up probe %.0f ns)",
			       k ? "; " : "; MODES: ", med, modes.count[k], pp->nvalues, mc, mw);
		}
		multi += modes.n > 1;
		putchar('\n');
	}
	if (multi)
		printf(
		    "# %zu points' rounds fell into separate modes: their median describes none of "
		    "the states (ipcbench report says more)\n",
		    multi);
	ipcb_stdout_note();
	free(ctx);
}

static bool same_shape(const struct shape *a, const struct shape *b)
{
	return a->mode == b->mode && a->pairs == b->pairs && a->inflight == b->inflight &&
	       a->rate == b->rate && a->fraction == b->fraction && a->senders == b->senders &&
	       a->receivers == b->receivers;
}

/* A point's value as the summary writes it: a round trip, or a stream's rate. */
static void point_value(enum ipcb_mode mode, double v, char *out, size_t n)
{
	if (mode == IPCB_MODE_LATENCY)
		ipcb_format_ns(v, out, n);
	else
		snprintf(out, n, "%.1f MB/s", v / 1e6);
}

/*
 * --tune: for every point run with a transport's own settings, the best of the settings tried
 * beside it (medians over the rounds), and how much better than the default it was.
 */
void ipcb_summary_tuning(struct driver *d)
{
	bool any = false;

	if (!d->o.tune || d->o.quiet || d->interrupted)
		return;
	errno = 0;
	for (size_t i = 0; i < d->npoints; i++) {
		const struct plan_point *pp = &d->points[i];
		const struct planned *base = &d->use[pp->use];
		const struct planned *best = base;
		double m, bm, v;
		char sz[16], a[32], b[32];
		bool lower = pp->sh.mode == IPCB_MODE_LATENCY, tried = false;

		if (base->variant || pp->sweep || !pp->nvalues ||
		    ipcb_stats_median(pp->value, pp->nvalues, &m) < 0)
			continue;
		bm = m;
		for (size_t j = 0; j < d->npoints; j++) {
			const struct plan_point *q = &d->points[j];
			const struct planned *u = &d->use[q->use];

			if (!u->variant || u->t != base->t || q->place != pp->place ||
			    q->si != pp->si || !same_shape(&q->sh, &pp->sh) || !q->nvalues ||
			    ipcb_stats_median(q->value, q->nvalues, &v) < 0)
				continue;
			tried = true;
			if (lower ? v < bm : v > bm) {
				bm = v;
				best = u;
			}
		}
		if (!tried)
			continue;
		if (!any)
			printf(
			    "# --tune: each point's best setting beside its default (medians over "
			    "the rounds; ipcbench report tests them)\n");
		any = true;
		ipcb_format_size(d->o.sizes[pp->si], sz, sizeof(sz));
		point_value(pp->sh.mode, m, a, sizeof(a));
		point_value(pp->sh.mode, bm, b, sizeof(b));
		if (best == base)
			printf("# %-14s %-10s %5s %-10s %s%s%s: the default is the best tried\n",
			       base->t->name, ipcb_plan_mode_name(pp->sh.mode), sz,
			       ipcb_place_text(&d->places[pp->place]), a,
			       base->tuning[0] ? ", with " : "", base->tuning);
		else
			printf("# %-14s %-10s %5s %-10s %s by default, %s with %s (%.2fx)\n",
			       base->t->name, ipcb_plan_mode_name(pp->sh.mode), sz,
			       ipcb_place_text(&d->places[pp->place]), a, b, best->tuning,
			       lower ? m / bm : bm / m);
	}
	ipcb_stdout_note();
}
