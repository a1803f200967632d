/* SPDX-License-Identifier: MIT */
/*
 * cmpdecide.c - `ipcbench compare`'s decisions: each group's rows set aside for the machine's
 * state, its change and tests (lib/ratio.h), Holm over the families, the intervals shown, the
 * counted groups' work, the notes, and the exit status they give. The policy of the top of
 * compare.c lives here; apart from the reading and the printing so that the statistics of a
 * verdict read on their own: it works on the groups cmpread.c built and prints nothing.
 */
#include "cmpint.h"
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cmp_verdict_names[V_COUNT] = {
    "ok", "improved", "regressed", "inconclusive", "missing", "steady", "changed", "more-work",
};

/* ---- deciding ---- */

/* Planning answers above this are not worth printing: nobody runs that many repeats. */
#define REPEATS_ADVICE_CAP 100000

/* How far below every positive value a 0 counts, in log units: e^-50, "collapsed". */
#define ZERO_LOG_GAP 50

static const char *const side_names[2] = {"BASE", "NEW"};

void cmp_pct_text(double frac, char *out, size_t n)
{
	if (isinf(frac))
		snprintf(out, n, "%sinf", frac < 0 ? "-" : "+");
	else
		snprintf(out, n, "%+.*f%%", fabs(frac) < 1 ? 1 : 0, frac * 100);
}

/* "-4.1% [-7.9%, -0.3%]" */
static void change_text(const struct cmp_group *g, char *out, size_t n)
{
	char e[16], lo[16], hi[16];

	cmp_pct_text(g->change, e, sizeof(e));
	cmp_pct_text(g->ci_lo, lo, sizeof(lo));
	cmp_pct_text(g->ci_hi, hi, sizeof(hi));
	snprintf(out, n, "%s [%s, %s]", e, lo, hi);
}

/* Append to a note's first part, "; " between the parts. */
__attribute__((format(printf, 2, 3))) static void pre_add(struct cmp_group *g, const char *fmt, ...)
{
	size_t len = strlen(g->pre);
	va_list ap;

	if (len && len + 2 < sizeof(g->pre)) {
		memcpy(g->pre + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(g->pre + len, sizeof(g->pre) - len, fmt, ap);
	va_end(ap);
}

/*
 * Rows whose run the model set aside for the machine's state (derive.c's rule, the report's:
 * the placement's other state where the group has runs of the one it keeps; of the rest, a probe
 * that changed state, one that jumped, a round trip below its own floor, a CPU held, judged on
 * the whole file, while the group keeps at least half of them) say more about the machine than the
 * code; they are left out here as the report leaves them out. Runs flagged but kept (too many
 * were flagged to leave a sample the machine did not choose) are said too, beside those set
 * aside: nothing is left out or kept silently.
 */
static void set_aside(struct compare *c, struct cmp_group *g)
{
	for (int s = 0; s < 2; s++) {
		struct values *v = &g->side[s];
		const uint32_t aside = 1u << STATE_ASIDE;
		/* The flags of the rounds set aside, and of those flagged but kept. */
		uint32_t seen_aside = 0, seen_kept = 0;
		char why[160] = "";
		size_t k = 0, a = 0, kept = 0;

		for (size_t i = 0; i < v->n; i++) {
			if (v->state[i] & aside) {
				a++;
				seen_aside |= v->state[i];
			} else if (v->state[i]) {
				k++;
				seen_kept |= v->state[i];
			}
		}
		if (a) {
			model_flags_text(seen_aside, ", ", why, sizeof(why));
			pre_add(g, "%zu of %zu %s rounds set aside: %s", a, v->n, side_names[s],
				why);
		}
		if (k) {
			model_flags_text(seen_kept, ", ", why, sizeof(why));
			pre_add(g, "machine state flagged in %zu of %zu %s rounds (%s): %s", k,
				v->n, side_names[s], why, a ? "kept" : "all kept");
		}
		if (!a)
			continue;
		for (size_t i = 0; i < v->n; i++) {
			if (v->state[i] & aside)
				continue;
			v->v[kept] = v->v[i];
			v->round[kept] = v->round[i];
			v->state[kept++] = v->state[i];
		}
		v->n = kept;
		c->set_aside[s] += a;
	}
}

/*
 * The group's change NEW / BASE in logs at alpha into g->r and g->hl: the rank method of
 * lib/ratio.h, Wilcoxon's signed-rank test of the per-round log ratios with --paired, else
 * Mann-Whitney's of the two sides' logs, with the Hodges-Lehmann estimate and its bounds. A 0
 * (nothing moved in that run) has no log: it counts as ZERO_LOG_GAP below the smallest positive
 * value of the group, so it ranks below every real value, as it should. The first call notes
 * what did not pair. 0; -EDOM when every value is 0; -ENOENT with --paired when no round is in
 * both; else -errno.
 */
static int group_ratio(struct cmp_group *g, bool paired, double alpha, bool first)
{
	double low = INFINITY, *v[2];
	int rc = 0;

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < g->side[s].n; i++)
			if (g->side[s].v[i] > 0 && g->side[s].v[i] < low)
				low = g->side[s].v[i];
	if (isinf(low))
		return -EDOM;
	v[0] = malloc((g->side[0].n + 1) * sizeof(double));
	v[1] = malloc((g->side[1].n + 1) * sizeof(double));
	for (int s = 0; s < 2 && v[0] && v[1]; s++)
		for (size_t i = 0; i < g->side[s].n; i++)
			v[s][i] = g->side[s].v[i] > 0 ? g->side[s].v[i] : low * exp(-ZERO_LOG_GAP);
	ipcb_ratio_fini(&g->r);
	rc = !v[0] || !v[1] ? -ENOMEM
			    : ipcb_ratio_make(&g->r, IPCB_RATIO_RANK,
					      paired ? IPCB_RATIO_PAIRED : IPCB_RATIO_UNPAIRED,
					      v[1], g->side[1].round, g->side[1].n, v[0],
					      g->side[0].round, g->side[0].n, alpha);
	free(v[0]);
	free(v[1]);
	g->npairs = g->r.npairs;
	if (first && paired && g->r.alone)
		pre_add(g, "%zu pairs: %zu round%s on one side only left out", g->r.npairs,
			g->r.alone, g->r.alone == 1 ? "" : "s");
	if (first && paired && g->r.several)
		pre_add(g, "%zu round%s with several rows a side: their median", g->r.several,
			g->r.several == 1 ? "" : "s");
	if (paired && !g->r.npairs)
		return -ENOENT;
	if (rc < 0)
		return rc;
	g->hl = (struct ipcb_shift){
	    .est = g->r.est, .lo = g->r.lo, .hi = g->r.hi, .crit = isfinite(g->r.lo) ? 0 : -1};
	return 0;
}

/*
 * The one-sided tests of the change against `shift` (in logs): p_less small when the change is
 * below it, p_greater when above.
 */
static int group_test(const struct cmp_group *g, double shift, double *p_less, double *p_greater)
{
	return ipcb_ratio_p(&g->r, shift, p_greater, p_less);
}

/* Can any outcome of the group's tests have a p below alpha? (Not with too few repeats.) */
static bool group_too_few(const struct compare *c, const struct cmp_group *g, double alpha)
{
	if (c->o.paired)
		return !(ipcb_sr_min_p(g->npairs) < alpha);
	return !(ipcb_mw_min_p(g->side[0].n, g->side[1].n) < alpha);
}

/* The fewest repeats a side (--paired: pairs) with which a p below alpha is possible at all. */
static size_t repeats_possible(const struct compare *c, double alpha)
{
	size_t k = 1;

	if (!c->o.paired)
		return ipcb_mw_repeats_possible(alpha);
	while (k < REPEATS_ADVICE_CAP && !(ipcb_sr_min_p(k) < alpha))
		k++;
	return k;
}

static bool all_zero(const struct values *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] != 0)
			return false;
	return true;
}

/*
 * Repeats per side (--paired: pairs) at which the interval would decide the group, if its width
 * shrinks like 1/sqrt(repeats) and the estimate stays where it is: the interval must fit between
 * the estimate and the nearest boundary (a threshold it lies inside of, or the one it lies
 * beyond). 0 = no advice (the estimate sits on a boundary, or the interval is unbounded).
 */
static size_t repeats_advice(const struct compare *c, const struct cmp_group *g,
			     const struct ipcb_shift *hl, double lo_b, double hi_b)
{
	double half = (hl->hi - hl->lo) / 2, room, k, now;

	if (!isfinite(half))
		return 0;
	if (hl->est <= lo_b)
		room = lo_b - hl->est;
	else if (hl->est >= hi_b)
		room = hl->est - hi_b;
	else
		room = fmin(hl->est - lo_b, hi_b - hl->est);
	if (!(room > 0))
		return 0;
	now = c->o.paired ? (double)g->npairs : (double)(g->side[0].n + g->side[1].n) / 2;
	k = ceil(now * (half / room) * (half / room));
	return k > REPEATS_ADVICE_CAP ? 0 : (size_t)k;
}

/* A control row: did it move at all between BASE and NEW, beyond its own noise (two-sided)? */
static void decide_control(const struct compare *c, struct cmp_group *g)
{
	double p_less, p_greater, unused;
	char ch[64];
	int rc;

	g->verdict = V_STEADY;
	rc = group_ratio(g, c->o.paired, c->alpha_control / 2, true);
	if (rc == -ENOENT) {
		snprintf(g->note, sizeof(g->note), "control: no round in both BASE and NEW");
		return;
	}
	/*
	 * A control moved when it is shown to have moved by more than half the threshold either
	 * way: paired by round, the tests see a shift of a per cent or two between the A and B
	 * slots, which changes no verdict a gate at that threshold gives.
	 */
	if (rc < 0 || group_test(g, log1p(-c->o.threshold / 2), &p_less, &unused) < 0 ||
	    group_test(g, log1p(c->o.threshold / 2), &unused, &p_greater) < 0) {
		snprintf(g->note, sizeof(g->note), "control: not testable");
		return;
	}
	g->tested = true;
	g->p_worse = p_less;
	g->p_better = p_greater;
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
	change_text(g, ch, sizeof(ch));
	if (fmin(p_less, p_greater) < c->alpha_control / 2) {
		g->verdict = V_CHANGED;
		snprintf(g->note, sizeof(g->note),
			 "control moved %s between the BASE and NEW runs: the machine changed", ch);
	} else if (g->hl.crit < 0) {
		snprintf(g->note, sizeof(g->note), "control: too few repeats to see a change");
	}
}

/*
 * A counted group alone (no timed rows of its experiment): the counts say "the same work" when
 * the whole signature is complete and unchanged (work.h); whatever moved is for the time to
 * decide, except user-space work that grew, which is a verdict of its own (more-work).
 */
static void decide_counts(const struct compare *c, struct cmp_group *g)
{
	const struct work_sig *a = &g->work[0], *b = &g->work[1];

	g->change = g->ci_lo = g->ci_hi = NAN;
	for (int s = 0; s < 2; s++)
		g->median[s] = g->work[s].instr[0] + g->work[s].instr[1];
	if (!a->have || !b->have) {
		g->verdict = !a->have ? V_MISSING : V_REGRESSED;
		snprintf(g->note, sizeof(g->note), "%s",
			 !a->have ? "only in NEW" : "no NEW counts: the group is gone");
		return;
	}
	work_compare(a, b, c->o.threshold, &g->wc);
	g->change = g->ci_lo = g->ci_hi = g->wc.change;
	if (g->wc.unchanged) {
		g->verdict = V_OK;
		snprintf(g->note, sizeof(g->note),
			 "the same work: instructions, system calls, bytes through the kernel, "
			 "kernel objects and context switches unchanged");
	} else if (g->wc.grew) {
		g->verdict = V_MORE_WORK;
		snprintf(g->note, sizeof(g->note), "more work per message, not timed here: %s",
			 g->wc.why);
	} else {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note), "%s: %s; the time decides (not timed here)",
			 g->wc.complete ? "its work changed" : "counts cannot decide", g->wc.why);
	}
}

static void decide(const struct compare *c, struct cmp_group *g)
{
	const struct opts *o = &c->o;
	double lo_b = log1p(-o->threshold), hi_b = log1p(o->threshold);
	double lo_less, lo_greater, hi_less, hi_greater;
	int rc;

	g->resolution = NAN;
	if (g->counted) {
		decide_counts(c, g);
		return;
	}
	g->change = g->ci_lo = g->ci_hi = NAN;
	for (int s = 0; s < 2; s++) {
		if (!g->side[s].n)
			continue;
		ipcb_stats_median(g->side[s].v, g->side[s].n, &g->median[s]);
		g->spread_known[s] =
		    ipcb_stats_spread(g->side[s].v, g->side[s].n, &g->spread[s]) == 0;
	}
	if (!g->side[0].n) {
		g->verdict = V_MISSING;
		snprintf(g->note, sizeof(g->note), "only in NEW");
		return;
	}
	if (g->control) {
		if (!g->side[1].n) {
			g->verdict = V_MISSING;
			snprintf(g->note, sizeof(g->note), "control only in BASE");
			return;
		}
		decide_control(c, g);
		return;
	}
	/*
	 * A rate sweep's step that NEW's sweep did not reach: each run's sweep stops where its
	 * achieved rate no longer follows the offered one, so the steps run are an outcome, which
	 * the sweep's own row (slo_rate) compares; a step missing is not a group gone.
	 */
	if (!g->side[1].n && *cmp_gf(g, IPCB_COL_OFFERED_FRACTION)) {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note),
			 "NEW's rate sweep stopped before this step (its slo_rate row compares the "
			 "sweeps)");
		return;
	}
	if (!g->side[1].n) {
		g->verdict = V_REGRESSED;
		snprintf(g->note, sizeof(g->note), "no NEW values: the group is gone");
		return;
	}
	/*
	 * A stream at 0 collapsed; a rate sweep's outcome at 0 is a measurement (the bound held at
	 * no offered rate), tested like any other value.
	 */
	if (!o->metric->lower_better && all_zero(&g->side[1]) && !all_zero(&g->side[0]) &&
	    strcmp(cmp_gf(g, IPCB_COL_LATENCY_KIND), "slo_rate") != 0) {
		g->verdict = V_REGRESSED;
		g->change = -1;
		snprintf(g->note, sizeof(g->note), "collapsed to 0");
		return;
	}
	g->verdict = V_INCONCLUSIVE;
	rc = group_ratio(g, o->paired, c->alpha_each, true);
	if (rc == -EDOM) {
		snprintf(g->note, sizeof(g->note), "every value is 0: no relative change to judge");
		return;
	}
	if (rc == -ENOENT) {
		snprintf(g->note, sizeof(g->note),
			 "no round in both BASE and NEW: nothing to pair (are the rounds "
			 "numbered alike?)");
		return;
	}
	if (rc < 0 || group_test(g, lo_b, &lo_less, &lo_greater) < 0 ||
	    group_test(g, hi_b, &hi_less, &hi_greater) < 0) {
		snprintf(g->note, sizeof(g->note), "the test failed (out of memory?)");
		return;
	}
	g->tested = true;
	/* lo_less: evidence for "below 1 - threshold"; hi_greater: "above 1 + threshold". */
	g->p_worse = o->metric->lower_better ? hi_greater : lo_less;
	g->p_better = o->metric->lower_better ? lo_less : hi_greater;
	g->p_equiv = fmax(lo_greater, hi_less);
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
	/* The verdict is cmp_decide()'s: Holm's over all groups, or the group's own ok. */
}

/* What an inconclusive group's note says: which way it leans, by how much, what would decide. */
/*
 * What a group that decided nothing could have caught: the smallest worsening its rounds would
 * show in CAUGHT_POWER of runs, at the look's alpha (lib/ratio.h), as the metric's own change
 * ("a drop of 23%" of a throughput, "a rise of 30%" of a latency). *out "" when none.
 */
#define CAUGHT_POWER 0.8

static void resolution_text(const struct compare *c, struct cmp_group *g, char *out, size_t n)
{
	double res = ipcb_ratio_resolution(&g->r, c->alpha_look, CAUGHT_POWER);

	g->resolution = !isfinite(res)		    ? NAN
			: c->o.metric->lower_better ? expm1(res)
						    : -expm1(-res);
	if (isnan(g->resolution))
		snprintf(out, n, "with these rounds no change could have been caught");
	else
		snprintf(out, n, "could have caught a %s of %.1f%% or more (%.0f%% of the time)",
			 c->o.metric->lower_better ? "rise" : "drop", fabs(g->resolution) * 100,
			 CAUGHT_POWER * 100);
}

static void undecided_note(const struct compare *c, struct cmp_group *g)
{
	const struct opts *o = &c->o;
	double lo_b = log1p(-o->threshold), hi_b = log1p(o->threshold);
	char ch[64], dir[24], caught[96];

	/* The look's alpha is the most lenient level any verdict is tested at. */
	if (group_too_few(c, g, c->alpha_look)) {
		g->repeats_needed = repeats_possible(c, c->alpha_look);
		if (o->paired)
			snprintf(g->note, sizeof(g->note),
				 "too few rounds: with %zu pairs no p can be below %.2g; needs at "
				 "least %zu pairs",
				 g->npairs, c->alpha_look, g->repeats_needed);
		else
			snprintf(
			    g->note, sizeof(g->note),
			    "too few repeats: with %zu and %zu no p can be below %.2g; needs at "
			    "least %zu per side",
			    g->side[0].n, g->side[1].n, c->alpha_look, g->repeats_needed);
		return;
	}
	if (g->hl.est == 0)
		snprintf(dir, sizeof(dir), "leans neither way");
	else
		snprintf(dir, sizeof(dir), "leans %s",
			 (g->hl.est < 0) != o->metric->lower_better ? "worse" : "better");
	change_text(g, ch, sizeof(ch));
	g->repeats_needed = repeats_advice(c, g, &g->hl, lo_b, hi_b);
	resolution_text(c, g, caught, sizeof(caught));
	if (g->repeats_needed)
		snprintf(g->note, sizeof(g->note), "%s: %s; %s; ~%zu %s would decide it", dir, ch,
			 caught, g->repeats_needed,
			 o->paired ? "paired rounds" : "repeats per side");
	else
		snprintf(
		    g->note, sizeof(g->note),
		    "%s: %s; %s; too close to the threshold for more repeats to settle it soon",
		    dir, ch, caught);
}

/*
 * Holm over the tested groups for one kind of verdict (0 regressed, 1 improved): p holds the
 * family's p-values in group order. Groups decided by rule (gone, collapsed) or not testable
 * still count in G, with p = 1.
 */
static int holm_family(struct compare *c, int which, bool *reject, double *level, double *p)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmp_group *g = c->groups[i];

		if (g->control || !g->side[0].n)
			continue;
		p[n++] = !g->tested ? 1 : which == 0 ? g->p_worse : g->p_better;
	}
	return ipcb_holm(p, n, c->alpha_look, reject, level);
}

/*
 * The interval shown beside a verdict is the one at the level that decided it (Holm's step for
 * regressed or improved, the look's alpha for ok), so a decided group's interval lies beyond or
 * within the threshold as its verdict says; an undecided group's is at the level of the verdict
 * its estimate points to (see cmp_decide()).
 */
static void interval_at(const struct compare *c, struct cmp_group *g, double alpha)
{
	if (group_ratio(g, c->o.paired, alpha, false) < 0)
		return;
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
}

/*
 * A timed group's verdict with its work beside it (work.h): the time decides, and what moved in
 * the work is its explanation; the same work turns a time that could not decide into ok (the
 * counts saw everything the run does); more user-space work per message that the time did not
 * show (ok, or undecided) is a verdict of its own, more-work. A timed group of a comparison with
 * counts, or whose runs were not counted (--not-counted), says it was timed only.
 */
static void work_weigh(struct compare *c, struct cmp_group *g)
{
	const struct cmp_group *w = g->work_of;
	char timed[320], ch[64];

	if (g->counted || g->control || !g->side[0].n)
		return;
	g->timed = g->verdict;
	if (!w || !w->work[0].have || !w->work[1].have) {
		bool any = false;

		for (size_t i = 0; i < c->ngroups && !any; i++)
			any = c->groups[i]->counted && c->groups[i]->work[0].have;
		if (!w && !c->o.not_counted && !any)
			return;
		c->uncounted++;
		if (c->o.not_counted)
			pre_add(g, "not counted (%.300s): timed only", c->o.not_counted);
		else
			pre_add(g, "not counted%s: timed only",
				!w		  ? ""
				: w->work[0].have ? " in NEW"
						  : " in BASE");
		return;
	}
	snprintf(timed, sizeof(timed), "%.300s", g->note);
	if (isnan(g->change))
		snprintf(ch, sizeof(ch), "not measured");
	else
		change_text(g, ch, sizeof(ch));
	if (w->wc.unchanged) {
		if (g->verdict == V_INCONCLUSIVE)
			g->verdict = V_OK;
		snprintf(g->note, sizeof(g->note),
			 "the same work (counted: instructions, calls, bytes, kernel objects, "
			 "switches); time %s, %s%s%.300s",
			 ch, cmp_verdict_names[g->timed], timed[0] ? ": " : "", timed);
		return;
	}
	if ((g->verdict == V_OK || g->verdict == V_INCONCLUSIVE) && w->wc.grew &&
	    !c->machine_changed) {
		g->verdict = V_MORE_WORK;
		snprintf(g->note, sizeof(g->note),
			 "more work per message: %.600s; time %s, %s%s%.300s", w->wc.why, ch,
			 g->timed == V_OK ? "shown within the threshold" : "not shown to change",
			 timed[0] ? ": " : "", timed);
		return;
	}
	snprintf(g->note, sizeof(g->note), "%s%.600s; time %s, %s%s%.300s",
		 w->wc.complete ? "" : "counts cannot decide: ", w->wc.why, ch,
		 cmp_verdict_names[g->verdict], timed[0] ? ": " : "", timed);
}

/* The note in full: what was set aside or left unpaired, then the verdict's own words. */
static void note_join(struct cmp_group *g)
{
	size_t pre = strlen(g->pre), sep = g->note[0] ? 2 : 0, len = strlen(g->note);

	if (!pre)
		return;
	/* pre is shorter than the note's room by far: the verdict's words are cut, if anything */
	if (pre + sep + len >= sizeof(g->note))
		len = sizeof(g->note) - 1 - pre - sep;
	memmove(g->note + pre + sep, g->note, len);
	g->note[pre + sep + len] = '\0';
	memcpy(g->note, g->pre, pre);
	if (sep)
		memcpy(g->note + pre, "; ", 2);
}

/* The median of a side's values outside the rounds set aside; NAN where none is left. */
static double kept_median(const struct values *v)
{
	double *x = malloc((v->n ? v->n : 1) * sizeof(*x)), m = NAN;
	size_t n = 0;

	if (!x)
		return NAN;
	for (size_t i = 0; i < v->n; i++)
		if (!(v->state[i] & (1u << STATE_ASIDE)))
			x[n++] = v->v[i];
	if (n && ipcb_stats_median(x, n, &m) < 0)
		m = NAN;
	free(x);
	return m;
}

/*
 * A group whose ceiling (the machine's floors beneath it, measured in each file's own rounds)
 * moved by more than the threshold between the files ran on a machine that moved under it: a
 * wake-up, a copy or a cache line that took longer in one file moves every row it bounds,
 * which the cache-line probes alone do not see (two back-to-back default runs on the AMD EPYC
 * guest: the same probes, 120 ns, a futex wake-up floor 25% apart). Its change is then weighed
 * against its ceiling: one whose share of the ceiling (x_floor) stayed within the threshold
 * moved with the machine and is not blamed on NEW; one beyond it keeps its verdict, and says
 * how far the ceiling moved.
 */
static void ceiling_weigh(struct compare *c, struct cmp_group *g)
{
	double x[2], share, moved;
	char ch[64];

	/* The floors and the harness are the ceilings: nothing stands beneath them but noise. */
	if (g->control || g->counted || !g->side[0].n || !g->side[1].n ||
	    !strncmp(cmp_gf(g, IPCB_COL_TRANSPORT), "floor-", 6) ||
	    !strcmp(cmp_gf(g, IPCB_COL_TRANSPORT), "null"))
		return;
	for (int s = 0; s < 2; s++)
		if (!((x[s] = kept_median(&g->ceil[s])) > 0))
			return;
	moved = x[1] / x[0] - 1; /* NEW's ceiling / BASE's - 1 (medians) */
	if (!(fabs(moved) > c->o.threshold))
		return;
	c->ceil_moved++;
	share = kept_median(&g->xfloor[1]) / kept_median(&g->xfloor[0]) - 1;
	if ((g->verdict == V_REGRESSED || g->verdict == V_IMPROVED) &&
	    fabs(share) <= c->o.threshold) {
		change_text(g, ch, sizeof(ch));
		snprintf(
		    g->note, sizeof(g->note),
		    "would be %s (%s), but its ceiling (%s) was %.1f%% %s in NEW and the row's "
		    "share of it moved %+.1f%%: the machine moved under it",
		    cmp_verdict_names[g->verdict], ch, cmp_gf(g, IPCB_COL_CEILING),
		    fabs(moved) * 100, moved > 0 ? "slower" : "faster", share * 100);
		g->verdict = V_INCONCLUSIVE;
		return;
	}
	pre_add(g, "its ceiling (%s) was %.1f%% %s in NEW%s", cmp_gf(g, IPCB_COL_CEILING),
		fabs(moved) * 100, moved > 0 ? "slower" : "faster",
		isfinite(share) && fabs(share) > c->o.threshold
		    ? ", the row's share of it moved more"
		    : "");
}

void cmp_decide(struct compare *c)
{
	static const enum verdict family_verdict[2] = {V_REGRESSED, V_IMPROVED};
	const double lo_b = log1p(-c->o.threshold), hi_b = log1p(c->o.threshold);
	double *p = NULL, *level[2] = {NULL, NULL};
	bool *reject[2] = {NULL, NULL}, oom = false;

	for (size_t i = 0; i < c->ngroups; i++)
		set_aside(c, c->groups[i]);
	c->compared = c->controls = c->ncounted = 0;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmp_group *g = c->groups[i];

		c->ncounted += g->counted && !g->twinned && g->work[0].have;
		if (g->control)
			c->controls += g->side[0].n && g->side[1].n;
		else
			c->compared += g->side[0].n > 0;
	}
	/*
	 * This look's share of alpha (all of it for a single look). Within it regressed and
	 * improved are each one family over the G groups, decided by Holm, whose first step is
	 * Bonferroni's alpha / G: the tests' intervals are drawn at that level first. Ok is each
	 * group's own test at the whole share: see the top of compare.c.
	 */
	c->alpha_look =
	    c->o.alpha * ipcb_alpha_share(c->o.look ? c->o.look : c->o.looks, c->o.looks);
	c->alpha_each = c->alpha_look / (double)(c->compared ? c->compared : 1);
	c->alpha_control = c->alpha_look / (double)(c->controls ? c->controls : 1);
	p = malloc((c->ngroups ? c->ngroups : 1) * sizeof(*p));
	for (int f = 0; f < 2; f++) {
		reject[f] = calloc(c->ngroups ? c->ngroups : 1, sizeof(bool));
		level[f] = calloc(c->ngroups ? c->ngroups : 1, sizeof(double));
		oom |= !reject[f] || !level[f];
	}
	oom |= !p;
	for (size_t i = 0; i < c->ngroups; i++) {
		struct cmp_group *g = c->groups[i];

		if (oom) {
			g->verdict = V_INCONCLUSIVE;
			snprintf(g->note, sizeof(g->note), "out of memory");
		} else {
			decide(c, g);
		}
		if (g->verdict == V_CHANGED)
			c->machine_changed = true;
	}
	for (int f = 0; !oom && f < 2; f++)
		oom = holm_family(c, f, reject[f], level[f], p) < 0;
	for (size_t i = 0, k = 0; !oom && i < c->ngroups; i++) {
		struct cmp_group *g = c->groups[i];
		double at;

		if (g->control || !g->side[0].n)
			continue;
		/* At most one verdict rejects a group: see the top of compare.c. */
		if (g->tested) {
			if (reject[0][k] || reject[1][k]) {
				int f = reject[0][k] ? 0 : 1;

				g->verdict = family_verdict[f];
				at = level[f][k];
			} else if (g->p_equiv < c->alpha_look) {
				g->verdict = V_OK;
				at = c->alpha_look;
			} else if (g->hl.est < lo_b || g->hl.est > hi_b) {
				/* Beyond a threshold: the family that could call it next. */
				at = level[(g->hl.est < lo_b) == c->o.metric->lower_better][k];
			} else {
				at = c->alpha_look;
			}
			if (at != c->alpha_each)
				interval_at(c, g, at);
			/* Too few for Holm's level, not for ok's: show what can be shown. */
			if (g->verdict == V_INCONCLUSIVE && g->hl.crit < 0 && at < c->alpha_look)
				interval_at(c, g, c->alpha_look);
			if (g->verdict == V_INCONCLUSIVE)
				undecided_note(c, g);
		}
		k++;
	}
	free(p);
	for (int f = 0; f < 2; f++) {
		free(reject[f]);
		free(level[f]);
	}
	/* A machine that changed under the runs explains a change as well as NEW does. */
	for (size_t i = 0; c->machine_changed && i < c->ngroups; i++) {
		struct cmp_group *g = c->groups[i];
		char ch[64];

		if (g->verdict != V_REGRESSED && g->verdict != V_IMPROVED)
			continue;
		change_text(g, ch, sizeof(ch));
		snprintf(g->note, sizeof(g->note), "would be %s (%s), but %s: the machine changed",
			 cmp_verdict_names[g->verdict], ch,
			 c->state[0] ? "its state differed (probes)" : "a control row moved");
		g->verdict = V_INCONCLUSIVE;
	}
	c->ceil_moved = 0;
	for (size_t i = 0; i < c->ngroups; i++)
		ceiling_weigh(c, c->groups[i]);
	for (size_t i = 0; i < c->ngroups; i++)
		work_weigh(c, c->groups[i]);
	for (size_t i = 0; i < c->ngroups; i++) {
		note_join(c->groups[i]);
		if (cmp_shown(c->groups[i]))
			c->count[c->groups[i]->verdict]++;
	}
}

int cmp_exit(const struct compare *c)
{
	if (c->machine_changed)
		return IPCB_COMPARE_MACHINE;
	if (c->count[V_REGRESSED])
		return IPCB_COMPARE_REGRESSED;
	if (c->count[V_MORE_WORK])
		return IPCB_COMPARE_MORE_WORK;
	if (c->count[V_INCONCLUSIVE] || c->count[V_MISSING])
		return IPCB_COMPARE_UNDECIDED;
	return IPCB_COMPARE_OK;
}
