/* SPDX-License-Identifier: MIT */
/*
 * judge.c - one comparison: a pair of groups tested on their rounds (ratio.h) against a
 * claim's statement, with the sentences each outcome prints; for the claims' engine (judge.h)
 * and, through claims.h, for the answers' and the tuned table's single comparisons and ties.
 *
 * Apart from claims.c and verdict.c because it is the statistics of a single pair and knows
 * nothing of clauses, sides or grades: they call it, it calls neither.
 */
#include "judge.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ratio.h"

/* ---- one comparison ----------------------------------------------------------------------- */

static void fmt_ratio(double x, char *out, size_t n)
{
	if (!isfinite(x) || x == 0)
		snprintf(out, n, "%s", x == 0 ? "0x" : "-");
	else
		snprintf(out, n, x >= 0.01 && x < 100 ? "%.2fx" : "%.3gx", x);
}

static void fmt_factor(double f, char *out, size_t n)
{
	if (f < 1.2)
		snprintf(out, n, "%.0f%%", (f - 1) * 100);
	else
		snprintf(out, n, "%.3gx", f);
}

/* The messages per run of a and b's kept runs: "128-426 messages per run". */
static void messages_text(const struct model *m, const struct group *a, const struct group *b,
			  enum measure ms, char *out, size_t n)
{
	double lo = INFINITY, hi = 0;
	const struct group *g[2] = {a, b};

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; g[k] && i < g[k]->nruns; i++) {
			const struct run *r = &m->runs[g[k]->runs[i]];

			if (r->aside || isnan(r->v[ms]) || !(r->messages > 0))
				continue;
			lo = fmin(lo, r->messages);
			hi = fmax(hi, r->messages);
		}
	out[0] = '\0';
	if (hi > 0 && lo < hi)
		snprintf(out, n, "; %.0f-%.0f messages per run", lo, hi);
	else if (hi > 0)
		snprintf(out, n, "; %.0f messages per run", hi);
	/*
	 * A tail resting on few samples is said: p99 is the k-th largest of a run's, and under 100
	 * messages its largest.
	 */
	if (ms == M_RTT50 && hi > 0 && lo * 0.01 < 100) {
		double k = floor(lo * 0.01);

		if (k < 1)
			snprintf(out + strlen(out), n - strlen(out),
				 "; a run's p99 its slowest message");
		else
			snprintf(out + strlen(out), n - strlen(out),
				 "; a run's p99 from %.0f sample%s", k, k == 1 ? "" : "s");
	}
}

/*
 * Test a against b on ms: the one-sided p-values for and against the test's statement, and the
 * sentences each outcome would print. alpha 0: no interval (a resample needs the p-values only).
 */
void judge(const struct model *m, const struct group *a, const struct group *b, enum measure ms,
	   enum test t, double f, double fh, double alpha, struct judged *j)
{
	static double *va, *vb;
	static uint32_t *ra, *rb;
	static size_t ca, cb;
	const bool lower = measure_lower_better(ms);
	const char *better = lower && ms != M_RTT50 && ms != M_AB ? "lower" : "faster";
	const char *worse = lower && ms != M_RTT50 && ms != M_AB ? "higher" : "slower";
	/* Like with like: both sides' runs in one state of the machine where they have one. */
	const int state = model_common_state(a, b);
	size_t na, nb;
	struct ipcb_ratio r;
	double p[4] = {1, 1, 1, 1}, k = log(f), kh = log(fh);
	char ff[16], fhs[16], est[16], lo[16], hi[16];
	int rc;

	j->p_yes = j->p_no = NAN;
	j->sample[0] = j->yes[0] = j->no[0] = '\0';
	snprintf(j->neither, sizeof(j->neither), "shown neither way");
	if (state == MODEL_TWO_STATES) {
		snprintf(j->neither, sizeof(j->neither),
			 "not compared: the two ran in two states of the machine");
		snprintf(j->sample, sizeof(j->sample),
			 "%s's kept runs in its %s state, %s's in its %s", a->label,
			 model_state_word(a, a->state), b->label, model_state_word(b, b->state));
		return;
	}
	na = model_values_in(m, a, ms, state, &va, &ra, &ca);
	nb = model_values_in(m, b, ms, state, &vb, &rb, &cb);
	/* A resample draws a round several times: each copy a round of its own, paired alike. */
	for (size_t i = 0; m->weight && i < na; i++)
		for (size_t q = 0; q < i; q++)
			if (ra[q] % 100000 == ra[i] % 100000 && ra[i])
				ra[i] += 100000;
	for (size_t i = 0; m->weight && i < nb; i++)
		for (size_t q = 0; q < i; q++)
			if (rb[q] % 100000 == rb[i] % 100000 && rb[i])
				rb[i] += 100000;
	rc = ipcb_ratio_make(&r, IPCB_RATIO_T, m->paired ? IPCB_RATIO_AUTO : IPCB_RATIO_UNPAIRED,
			     va, ra, na, vb, rb, nb, alpha > 0 ? alpha : 0.05);
	fmt_factor(f, ff, sizeof(ff));
	fmt_factor(fh, fhs, sizeof(fhs));
	if (rc < 0) {
		snprintf(j->sample, sizeof(j->sample), "%s",
			 rc == -ENOMEM ? "out of memory" : "a run measured 0, which has no ratio");
		ipcb_ratio_fini(&r);
		return;
	}
	fmt_ratio(exp(r.est), est, sizeof(est));
	fmt_ratio(exp(r.lo), lo, sizeof(lo));
	fmt_ratio(exp(r.hi), hi, sizeof(hi));
	if (alpha > 0) {
		char msgs[96];
		size_t len;

		messages_text(m, a, b, ms, msgs, sizeof(msgs));
		len = (size_t)snprintf(j->sample, sizeof(j->sample), "%s/%s %s", a->label, b->label,
				       est);
		if (isfinite(r.lo) && isfinite(r.hi))
			len += (size_t)snprintf(j->sample + len, sizeof(j->sample) - len,
						" [%s, %s]", lo, hi);
		if (r.paired)
			len += (size_t)snprintf(j->sample + len, sizeof(j->sample) - len,
						" over %zu rounds, paired", r.npairs);
		else
			len += (size_t)snprintf(j->sample + len, sizeof(j->sample) - len,
						" over %zu and %zu runs", r.na, r.nb);
		/* A side's runs in the other state left out: the sample says which state. */
		if (state >= 0 && len < sizeof(j->sample))
			len += (size_t)snprintf(j->sample + len, sizeof(j->sample) - len,
						" in the machine's %s state",
						model_state_word(a, state));
		if (len < sizeof(j->sample))
			snprintf(j->sample + len, sizeof(j->sample) - len, "%s", msgs);
	}
	/* g = log(how much better a is): the test's statements are about it. */
#define P(c, above, below)                                                                         \
	ipcb_ratio_p(&r, lower ? -(c) : (c), lower ? below : above, lower ? above : below)
	switch (t) {
	case T_BEATS:
		rc = P(k, &p[0], &p[1]);
		j->p_yes = p[0], j->p_no = p[1];
		snprintf(j->yes, sizeof(j->yes), "%s %s than %s by more than %s", a->label, better,
			 b->label, ff);
		snprintf(j->no, sizeof(j->no), "%s not %s than %s by more than %s", a->label,
			 better, b->label, ff);
		break;
	case T_AT_LEAST:
		rc = P(-k, &p[0], &p[1]);
		j->p_yes = p[0], j->p_no = p[1];
		snprintf(j->yes, sizeof(j->yes), "%s not %s than %s by %s or more", a->label, worse,
			 b->label, ff);
		snprintf(j->no, sizeof(j->no), "%s %s than %s by more than %s", a->label, worse,
			 b->label, ff);
		break;
	default: /* T_BAND: worse by more than f and less than fh */
		rc = P(-k, &p[0], &p[1]);
		if (!rc)
			rc = P(-kh, &p[2], &p[3]);
		j->p_yes = fmax(p[1], p[2]);
		j->p_no = fmin(p[0], p[3]);
		snprintf(j->yes, sizeof(j->yes), "%s %s than %s by more than %s and less than %s",
			 a->label, worse, b->label, ff, fhs);
		snprintf(j->no, sizeof(j->no),
			 p[0] <= p[3] ? "%s not %s than %s by more than %s"
				      : "%s much %s than %s: by more than %s",
			 a->label, worse, b->label, p[0] <= p[3] ? ff : fhs);
	}
#undef P
	if (rc < 0) {
		j->p_yes = j->p_no = NAN;
		snprintf(j->neither, sizeof(j->neither), "not decidable with this sample (%s)",
			 r.paired ? "two rounds cannot test" : "a side of one run cannot test");
	}
	ipcb_ratio_fini(&r);
}

void judge_one(const struct model *m, const struct group *a, const struct group *b, enum measure ms,
	       enum test t, double *p_yes, double *p_no, char (*out)[720])
{
	struct judged j;

	judge(m, a, b, ms, t, 1 + CLAIM_MARGIN, 0, out ? CLAIM_ALPHA : 0, &j);
	*p_yes = j.p_yes;
	*p_no = j.p_no;
	if (!out)
		return;
	snprintf(out[0], sizeof(out[0]), "%s; %s", j.yes, j.sample);
	snprintf(out[1], sizeof(out[1]), "%s; %s", j.no, j.sample);
	snprintf(out[2], sizeof(out[2]), "%s; %s", j.neither, j.sample);
}

void judge_tie(const struct model *m, const struct group *best, const struct group *b,
	       enum measure ms, struct tie *t)
{
	static double *va, *vb;
	static uint32_t *ra, *rb;
	static size_t ca, cb;
	const bool lower = measure_lower_better(ms);
	const double k = log1p(CLAIM_MARGIN);
	double above_hi, below_hi, above_lo, below_lo;
	struct ipcb_ratio r;
	const int state = model_common_state(best, b);
	size_t na = model_values_in(m, b, ms, state, &va, &ra, &ca);
	size_t nb = model_values_in(m, best, ms, state, &vb, &rb, &cb);

	*t = (struct tie){.p_worse = NAN,
			  .p_same = NAN,
			  .worst = NAN,
			  .most = NAN,
			  .est = NAN,
			  .half = NAN,
			  .slower_lo = NAN,
			  .slower_hi = NAN};
	/* log(b / best): b slower where it is above 0 for a time, below 0 for a rate. */
	if (state == MODEL_TWO_STATES ||
	    ipcb_ratio_make(&r, IPCB_RATIO_T, m->paired ? IPCB_RATIO_AUTO : IPCB_RATIO_UNPAIRED, va,
			    ra, na, vb, rb, nb, CLAIM_ALPHA) < 0) {
		ipcb_ratio_fini(&r);
		return;
	}
	t->paired = r.paired;
	t->rounds = r.paired ? r.npairs : (r.na < r.nb ? r.na : r.nb);
	for (size_t i = 0; r.paired && i < r.npairs; i++) {
		double x = exp(lower ? r.d[i] : -r.d[i]);

		t->slower_lo = i == 0 || x < t->slower_lo ? x : t->slower_lo;
		t->slower_hi = i == 0 || x > t->slower_hi ? x : t->slower_hi;
	}
	if (!r.paired && na && nb) {
		double lo[2] = {va[0], vb[0]}, hi[2] = {va[0], vb[0]};

		for (size_t i = 0; i < na; i++)
			lo[0] = fmin(lo[0], va[i]), hi[0] = fmax(hi[0], va[i]);
		for (size_t i = 0; i < nb; i++)
			lo[1] = fmin(lo[1], vb[i]), hi[1] = fmax(hi[1], vb[i]);
		t->slower_lo = lower ? lo[0] / hi[1] : lo[1] / hi[0];
		t->slower_hi = lower ? hi[0] / lo[1] : hi[1] / lo[0];
		t->runs[0] = na;
		t->runs[1] = nb;
	}
	if (isfinite(r.lo) && isfinite(r.hi)) {
		t->worst = lower ? expm1(r.hi) : -expm1(r.lo);
		t->most = lower ? -expm1(r.lo) : expm1(r.hi);
		t->est = lower ? r.est : -r.est;
		t->half = (r.hi - r.lo) / 2;
	}
	if (ipcb_ratio_p(&r, k, &above_hi, &below_hi) == 0 &&
	    ipcb_ratio_p(&r, -k, &above_lo, &below_lo) == 0) {
		t->p_worse = lower ? above_hi : below_lo;
		t->p_same = fmax(below_hi, above_lo);
	}
	ipcb_ratio_fini(&r);
}
