/* SPDX-License-Identifier: MIT */
/*
 * loads.c - the loads with a shape: latency against offered load (open loops), closed loops of
 * other shapes (pairs, requests in flight, fan-in and out, both ways), and publish-subscribe;
 * see sections.h. The guides' tables are one pair in a closed loop: these rows are in none of
 * them.
 *
 * An open loop measures its generator as much as its channel when the generator cannot keep
 * its schedule: every latency counts from the message's intended send time, so a send that
 * started late carries the generator's lateness. A step is shown as measured only where the
 * generator kept it (few late sends, the achieved rate following the offered one); one it
 * missed is named so, and the bound's verdict stops there.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "sections.h"

/* Two open-loop groups of one curve: the same but for the rate. */
static bool same_curve(const struct group *a, const struct group *b)
{
	return a->shape == S_OPEN && b->shape == S_OPEN && !strcmp(a->label, b->label) &&
	       !strcmp(a->placement, b->placement) && !strcmp(a->mode, b->mode) &&
	       a->size == b->size && !strcmp(a->shape_text, b->shape_text);
}

static const struct model *steps_m;

static int step_cmp(const void *a, const void *b)
{
	const struct group *x = &steps_m->groups[*(const size_t *)a];
	const struct group *y = &steps_m->groups[*(const size_t *)b];
	double u = isnan(x->fraction) ? x->offered : x->fraction;
	double v = isnan(y->fraction) ? y->offered : y->fraction;

	return u < v ? -1 : u > v;
}

/* The curve's own words: "pipe requests (round trips), 64 B, cross-core". */
static void curve_name(const struct group *g0, char *out, size_t n)
{
	char sz[16], shape[96];

	size_format(g0->size, sz, sizeof(sz));
	shape_words(g0, shape, sizeof(shape));
	snprintf(out, n, "%s %s, %s, %s%s%s", g0->label,
		 g0->latency ? "requests (round trips)" : "stream (one-way delays)", sz,
		 g0->placement, *shape ? ", " : "", shape);
}

/*
 * A step's offered rate: its runs' median, or the least and the most they offered where those
 * differ by more than a tenth (each run offers a share of its own round's maximum: rounds whose
 * maxima differ offer different rates, shown, never pooled into one).
 */
static void offered_format(const struct step *st, char *out, size_t n)
{
	char lo[32], hi[32];

	if (!(st->offered_hi > 1.1 * st->offered_lo)) {
		measure_format(M_ACHIEVED, st->offered, out, n);
		return;
	}
	measure_format(M_ACHIEVED, st->offered_lo, lo, sizeof(lo));
	measure_format(M_ACHIEVED, st->offered_hi, hi, sizeof(hi));
	snprintf(out, n, "%.*s to %s", (int)strcspn(lo, " "), lo, hi);
}

/* "fast" or "slow": the state the runs a curve kept are in (derive.c's curve rule). */
static const char *curve_state_word(const struct model *m, const size_t *steps, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct group *g = &m->groups[steps[k]];

		for (size_t j = 0; j < g->nruns; j++) {
			const struct run *x = &m->runs[g->runs[j]];

			if (!x->aside && x->state >= 0)
				return model_state_word(g, x->state);
		}
	}
	return n ? model_state_word(&m->groups[steps[0]], 0) : "fast";
}

/*
 * One curve's table: its kept steps, and the first step the generator missed (after it every
 * faster step is counted, not listed: the driver stops there, an older CSV may not have). A
 * curve with no kept step has no table: false, and the caller names it once with the others.
 */
static bool print_curve(struct report *r, const size_t *steps, size_t n)
{
	const struct model *m = r->m;
	const struct group *g0 = &m->groups[steps[0]];
	enum measure p50 = g0->latency ? M_RTT50 : M_OW50, p99 = g0->latency ? M_RTT99 : M_OW99;
	enum measure p999 = g0->latency ? M_RTT999 : M_OW999;
	/* The bound's percentile, of the curve's own latency (report.c took only recorded ones). */
	int at = ipcb_pct_find(r->slo.pct);
	enum measure slo = measure_pct(g0->latency, at < 0 ? IPCB_PCT_99 : (enum ipcb_pct)at);
	double bound = r->slo.ns > 0
			   ? r->slo.ns
			   : ipcb_slo_default_ns(model_run_sides(g0, &m->runs[g0->runs[0]]));
	double held = NAN, closed = NAN, reached = NAN, first = NAN;
	const struct group *closed_g = NULL;
	bool broken = false, any = false, sweep_max = false;
	size_t missed = 0, kept = 0, met = 0, aside = 0;
	char b[32], name[256];

	for (size_t k = 0; k < n && !any; k++) {
		struct step st;

		model_step(m, &m->groups[steps[k]], &st);
		any = st.kept;
	}
	if (!any)
		return false;
	curve_name(g0, name, sizeof(name));
	ipcb_doc_p(r->d, DOC_B("%s"), name);
	ipcb_doc_table(r->d, "rrrrrrrrl", "offered", "achieved", "late sends", "rounds", "p50",
		       "p99", "p99.9", "losses", "the generator");
	for (size_t k = 0; k < n; k++) {
		const struct group *g = &m->groups[steps[k]];
		struct step st;
		double off, ach, share;
		char v[8][64];

		model_step(m, g, &st);
		off = st.offered, ach = st.achieved, share = st.late_share;
		for (size_t j = 0; j < g->nruns; j++)
			aside += !!(m->runs[g->runs[j]].flags & (1u << MF_CURVE_STATE));
		if (!st.runs) {
			/* Every run of this step was in the other state: not a miss, not a rate. */
			ipcb_doc_row(r->d, "-", "-", "-", "0", "-", "-", "-", "-",
				     "none in the curve's state");
			continue;
		}
		offered_format(&st, v[0], sizeof(v[0]));
		measure_format(M_ACHIEVED, ach, v[1], sizeof(v[1]));
		snprintf(v[2], sizeof(v[2]), isnan(share) ? "-" : "%.0f%%", share * 100);
		snprintf(v[3], sizeof(v[3]), "%zu", st.runs);
		measure_format(p50, g->sum[p50].median, v[4], sizeof(v[4]));
		measure_format(p99, g->sum[p99].median, v[5], sizeof(v[5]));
		measure_format(p999, g->sum[p999].median, v[6], sizeof(v[6]));
		measure_format(M_LOSSES, g->sum[M_LOSSES].median, v[7], sizeof(v[7]));
		reached = isnan(reached) || ach > reached ? ach : reached;
		if (!st.kept) {
			/* The latencies of a missed step are the generator's lateness: not shown.
			 */
			if (missed++)
				continue;
			ipcb_doc_row(r->d, v[0], v[1], v[2], v[3], "-", "-", "-", v[7],
				     !(share <= IPCB_KEPT_LATE) ? "missed: late sends"
								: "missed: rate not reached");
			broken = true;
			continue;
		}
		ipcb_doc_row(r->d, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], "kept");
		kept++;
		met += g->sum[slo].median <= bound;
		if (isnan(first))
			first = off;
		if (!broken && g->sum[slo].median <= bound)
			held = off;
		else
			broken = true;
	}
	ipcb_doc_table_end(r->d);
	if (aside)
		ipcb_doc_p(
		    r->d,
		    "Every step is from runs in one state of the machine, the one most of "
		    "this curve's runs were in (the %s one): %zu run%s in the other set aside "
		    "(" DOC_C("curve-state") ").",
		    curve_state_word(m, steps, n), aside, aside == 1 ? "" : "s");
	if (missed > 1)
		ipcb_doc_p(r->d,
			   "%zu more step%s, all faster than the first one missed, %s missed "
			   "too: not listed.",
			   missed - 1, missed == 2 ? "" : "s", missed == 2 ? "was" : "were");
	/*
	 * The most this transport carried in a closed loop at this size and placement: the sweep's
	 * own maximum (its offered fraction 1), measured in the rounds its steps were offered as
	 * shares of, where it has one; else the other closed loops'.
	 */
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		double x = g->sum[M_MSGS].median;
		bool own = g->shape == S_SWEEP && g->fraction == 1;

		if ((g->shape != S_SHAPED && g->shape != S_PAIR && !own) ||
		    strcmp(g->label, g0->label) || strcmp(g->placement, g0->placement) ||
		    g->size != g0->size || g->latency != g0->latency || isnan(x) ||
		    !isnan(g->offered) || (sweep_max && !own))
			continue;
		if (own && !sweep_max) {
			sweep_max = true;
			closed = NAN;
		}
		if (isnan(closed) || x > closed) {
			closed = x;
			closed_g = g;
		}
	}
	ipcb_format_ns(bound, b, sizeof(b));
	ipcb_doc_add(r->d, "p%g <= %s%s: ", r->slo.pct, b,
		     r->slo.ns > 0 ? "" : " (this placement's default)");
	if (isnan(held) && met) {
		char v[32];

		/* What the rows printed above show: never "at no rate" beside steps that met it. */
		measure_format(M_ACHIEVED, first, v, sizeof(v));
		ipcb_doc_add(r->d,
			     "not met at the lowest rate kept (%s offered), met at %zu of the %zu "
			     "kept steps above it",
			     v, met, kept - 1);
	} else if (isnan(held)) {
		ipcb_doc_add(r->d, "not met at any rate the generator kept");
	} else {
		char v[32];

		measure_format(M_ACHIEVED, held, v, sizeof(v));
		ipcb_doc_add(r->d, "held up to " DOC_B("%s") " offered", v);
	}
	if (!isnan(closed)) {
		char v[32], w[32], sh[96] = "";

		measure_format(M_ACHIEVED, closed, v, sizeof(v));
		measure_format(M_ACHIEVED, reached, w, sizeof(w));
		shape_words(closed_g, sh + 2, sizeof(sh) - 3);
		if (sh[2]) {
			sh[0] = ' ', sh[1] = '(';
			snprintf(sh + strlen(sh), sizeof(sh) - strlen(sh), ")");
		}
		ipcb_doc_add(r->d, "; the same channel's closed-loop maximum%s: %s%s",
			     sweep_max ? " (the sweep's own, in the same rounds)" : "", v, sh);
		if (reached > closed)
			ipcb_doc_add(
			    r->d,
			    ", below what the open loop achieved (%s): the open loop keeps "
			    "more messages in flight than the closed one did",
			    w);
	}
	ipcb_doc_para(r->d);
	return true;
}

static void print_open(struct report *r)
{
	const struct model *m = r->m;
	size_t *steps = calloc(m->ngroups + 1, sizeof(*steps));
	size_t *none = calloc(m->ngroups + 1, sizeof(*none)), nnone = 0;

	if (!steps || !none) {
		free(steps);
		free(none);
		return;
	}
	ipcb_doc_h(r->d, 3, "Latency against offered load");
	/* clang-format off */
	ipcb_doc_p(r->d, "Open loops (" DOC_C("--rate") ", " DOC_C("--rate-sweep") "): the sender "
		   "sends on schedule whatever the replies do, and every latency counts from the "
		   "message's intended send time. A step whose generator sent more than %.0f%% of "
		   "its messages late (each run's late sends over its own), or achieved less than "
		   "%.0f%% of the offered rate, measured the generator: it is named so and its "
		   "latencies are not shown. Medians over the rounds, each column over the same "
		   "runs (each round measures its own closed-loop maximum and offers its steps as "
		   "shares of it: an offered rate that differed between rounds by more than a "
		   "tenth is shown as its range), every step of a curve from runs in one state of "
		   "the machine; the bound holds up to a rate when it held at every kept step up "
		   "to it.",
		   IPCB_KEPT_LATE * 100, IPCB_KEPT_ACHIEVED * 100);
	/* clang-format on */
	steps_m = m;
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		size_t n = 0;
		bool seen = false;

		if (g->shape != S_OPEN)
			continue;
		for (size_t k = 0; k < gi && !seen; k++)
			seen = same_curve(&m->groups[k], g);
		if (seen)
			continue;
		for (size_t k = gi; k < m->ngroups; k++)
			if (same_curve(&m->groups[k], g))
				steps[n++] = k;
		qsort(steps, n, sizeof(*steps), step_cmp);
		if (!print_curve(r, steps, n))
			none[nnone++] = steps[0];
	}
	/* The curves whose generator could not hold even their first step: named once. */
	for (size_t k = 0; k < nnone; k++) {
		const struct group *g = &m->groups[none[k]];
		struct step st;
		char name[256], off[32];

		if (!k)
			ipcb_doc_p(
			    r->d, "The generator kept no step of these curves, not even the "
				  "slowest: on this machine it cannot hold a rate there (a sender "
				  "sharing its CPU with its own reply thread, or a wake-up slower "
				  "than the interval), so they measure no latency against load and "
				  "have no table:");
		model_step(m, g, &st);
		curve_name(g, name, sizeof(name));
		measure_format(M_ACHIEVED, st.offered, off, sizeof(off));
		ipcb_doc_li(r->d,
			    "%s: at its slowest step, %s offered, %.0f%% of the sends started late "
			    "and %.0f%% of the rate was achieved",
			    name, off, st.late_share * 100, st.achieved / st.offered * 100);
	}
	free(none);
	free(steps);
}

static void print_shaped(struct report *r)
{
	const struct model *m = r->m;
	bool any = false;

	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		char sz[16], shape[96], v[5][64], spread[200] = "-";

		if (g->shape != S_SHAPED)
			continue;
		if (!any) {
			ipcb_doc_h(r->d, 3, "Closed loops of other shapes");
			ipcb_doc_p(
			    r->d,
			    "Medians of the rounds. Several pairs each have their own channel (the "
			    "rate is all of them together, the spread the slowest and the fastest "
			    "pair); senders and receivers sharing one channel; requests in flight; "
			    "both ways at once (the bytes per second both ways together).");
			ipcb_doc_table(r->d, "llllrrrrl", "placement", "transport", "mode", "shape",
				       "size", "messages per second", "throughput", "p50",
				       "p99 / pairs' spread");
			any = true;
		}
		size_format(g->size, sz, sizeof(sz));
		shape_words(g, shape, sizeof(shape));
		measure_format(M_MSGS, g->sum[M_MSGS].median, v[0], sizeof(v[0]));
		measure_format(M_BPS, g->sum[M_BPS].median, v[1], sizeof(v[1]));
		measure_format(M_RTT50, g->sum[M_RTT50].median, v[2], sizeof(v[2]));
		measure_format(M_RTT99, g->sum[M_RTT99].median, v[3], sizeof(v[3]));
		if (g->sum[M_PAIR_MIN].n) {
			measure_format(M_PAIR_MIN, g->sum[M_PAIR_MIN].median, v[4], sizeof(v[4]));
			snprintf(spread, sizeof(spread), "%s / %s to ", v[3], v[4]);
			measure_format(M_PAIR_MAX, g->sum[M_PAIR_MAX].median, v[4], sizeof(v[4]));
			snprintf(spread + strlen(spread), sizeof(spread) - strlen(spread), "%s",
				 v[4]);
		} else {
			snprintf(spread, sizeof(spread), "%s", v[3]);
		}
		ipcb_doc_row(r->d, g->placement, g->label, g->mode, shape, sz, v[0], v[1], v[2],
			     spread);
	}
	if (any)
		ipcb_doc_table_end(r->d);
}

/* The most deliveries first; those without a rate last. */
static int by_deliveries(const void *a, const void *b)
{
	double x = (*(const struct group *const *)a)->sum[M_DELIVERIES].median;
	double y = (*(const struct group *const *)b)->sum[M_DELIVERIES].median;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x > y ? -1 : x < y;
}

/* The broadcast groups of t's placement and size with n receivers, most deliveries first. */
static size_t cells(const struct model *m, const struct group *t, unsigned n,
		    const struct group **out)
{
	size_t k = 0;

	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->shape == S_BCAST && g->size == t->size && g->receivers == n &&
		    !strcmp(g->placement, t->placement))
			out[k++] = g;
	}
	qsort(out, k, sizeof(*out), by_deliveries);
	return k;
}

/* Which fanned out most, which reached its last receiver soonest, and which lost messages. */
static void fan_out_line(struct report *r, const struct group **c, size_t n, unsigned rcv)
{
	const struct group *quick = NULL;
	char a[32], b[32];
	bool lost = false;

	if (!n || isnan(c[0]->sum[M_DELIVERIES].median))
		return;
	for (size_t k = 0; k < n; k++)
		if (!isnan(c[k]->sum[M_LAST].median) &&
		    (!quick || c[k]->sum[M_LAST].median < quick->sum[M_LAST].median))
			quick = c[k];
	measure_format(M_DELIVERIES, c[0]->sum[M_DELIVERIES].median, a, sizeof(a));
	ipcb_doc_add(r->d, "to %u receiver%s: the most deliveries, %s, through " DOC_B("%s"), rcv,
		     rcv == 1 ? "" : "s", a, c[0]->label);
	if (quick) {
		measure_format(M_LAST, quick->sum[M_LAST].median, b, sizeof(b));
		ipcb_doc_add(r->d,
			     "; the last receiver reached soonest (p50 %s) through " DOC_B("%s"), b,
			     quick->label);
	}
	for (size_t k = 0; k < n; k++)
		if (c[k]->sum[M_LOSSES].median > 0) {
			ipcb_doc_add(r->d, "%s %s (%.0f)", lost ? "," : "; losses at", c[k]->label,
				     c[k]->sum[M_LOSSES].median);
			lost = true;
		}
	ipcb_doc_li(r->d, ".");
}

static void print_pubsub(struct report *r)
{
	const struct model *m = r->m;
	unsigned *rcv = calloc(m->ngroups + 1, sizeof(*rcv));
	const struct group **cell = calloc(m->ngroups + 1, sizeof(*cell));
	bool any = false;

	for (size_t gi = 0; rcv && cell && gi < m->ngroups; gi++) {
		const struct group *t = &m->groups[gi];
		size_t nr = 0;
		bool seen = false;
		char sz[16];

		if (t->shape != S_BCAST)
			continue;
		for (size_t k = 0; k < gi && !seen; k++)
			seen = m->groups[k].shape == S_BCAST && m->groups[k].size == t->size &&
			       !strcmp(m->groups[k].placement, t->placement);
		if (seen)
			continue;
		if (!any) {
			ipcb_doc_h(r->d, 3, "Publish-subscribe");
			/* clang-format off */
			ipcb_doc_p(r->d, "One sender, and every receiver gets every message ("
				   DOC_C("--deliver all") "): the publish/subscribe the guides' "
				   "extensions name among message middleware's features, through "
				   "each transport that broadcasts. Medians of the rounds. "
				   "Published: messages per second the sender sent; deliveries: "
				   "what arrived at all receivers together; one-way p50 to every "
				   "receiver, to the slowest one, and to the last receiver each "
				   "sampled message reached; losses: all receivers' together, "
				   "where the mechanism may drop (elsewhere a loss fails the "
				   "run), with their share of what was due.");
			/* clang-format on */
		}
		any = true;
		for (size_t k = gi; k < m->ngroups; k++) {
			const struct group *g = &m->groups[k];

			if (g->shape == S_BCAST && g->size == t->size &&
			    !strcmp(g->placement, t->placement))
				rcv[nr++] = g->receivers;
		}
		nr = model_sort_uniq(rcv, nr, sizeof(*rcv), model_cmp_uint);
		size_format(t->size, sz, sizeof(sz));
		ipcb_doc_p(r->d, DOC_B("%s, %s"), sz, t->placement);
		ipcb_doc_table(r->d, "rlrrrrrrr", "receivers", "transport", "published",
			       "deliveries", "p50 to every receiver", "p50 to the slowest",
			       "p50 to the last", "p99 to the last", "losses");
		for (size_t j = 0; j < nr; j++) {
			size_t nc = cells(m, t, rcv[j], cell);

			for (size_t k = 0; k < nc; k++) {
				const struct group *g = cell[k];
				double due, loss = g->sum[M_LOSSES].median;
				char v[8][64];

				snprintf(v[0], sizeof(v[0]), "%u", rcv[j]);
				measure_format(M_MSGS, g->sum[M_MSGS].median, v[1], sizeof(v[1]));
				measure_format(M_DELIVERIES, g->sum[M_DELIVERIES].median, v[2],
					       sizeof(v[2]));
				measure_format(M_OW50, g->sum[M_OW50].median, v[3], sizeof(v[3]));
				measure_format(M_SLOWEST, g->sum[M_SLOWEST].median, v[4],
					       sizeof(v[4]));
				measure_format(M_LAST, g->sum[M_LAST].median, v[5], sizeof(v[5]));
				measure_format(M_LAST99, g->sum[M_LAST99].median, v[6],
					       sizeof(v[6]));
				due = g->sum[M_MSGS].median * rcv[j];
				if (isnan(loss))
					snprintf(v[7], sizeof(v[7]), "-");
				else if (loss > 0 && due > 0 && g->sum[M_DELIVERIES].median <= due)
					snprintf(v[7], sizeof(v[7]), "%.0f (%.0f%%)", loss,
						 100 * (1 - g->sum[M_DELIVERIES].median / due));
				else
					snprintf(v[7], sizeof(v[7]), "%.0f", loss);
				ipcb_doc_row(r->d, v[0], g->label, v[1], v[2], v[3], v[4], v[5],
					     v[6], v[7]);
			}
		}
		ipcb_doc_table_end(r->d);
		for (size_t j = 0; j < nr; j++)
			fan_out_line(r, cell, cells(m, t, rcv[j], cell), rcv[j]);
	}
	free(rcv);
	free(cell);
}

void sec_loads(struct report *r)
{
	const struct model *m = r->m;
	bool open = false, any = false;

	for (size_t gi = 0; gi < m->ngroups; gi++) {
		open |= m->groups[gi].shape == S_OPEN;
		any |= m->groups[gi].shape == S_OPEN || m->groups[gi].shape == S_SHAPED ||
		       m->groups[gi].shape == S_BCAST;
	}
	if (!any)
		return;
	ipcb_doc_h(r->d, 2, "Loads with a shape");
	ipcb_doc_p(r->d,
		   "The tables above are one sender and one receiver in a closed loop; these rows "
		   "are not in them.");
	if (open)
		print_open(r);
	print_shaped(r);
	print_pubsub(r);
}
