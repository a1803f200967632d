/* SPDX-License-Identifier: MIT */
/*
 * grade.c - a claim judged from the comparisons verdict.c found (see claims.c's story): each
 * decided in its family, the report's book where it keeps one, else the claim's own under
 * Holm's procedure; the grade from the decided ones, whether one comparison fewer would move
 * it, the split of what holds where, and its stability on resamples of the rounds.
 *
 * It calls verdict.c for the comparisons and the book (book.h) for the families; neither calls
 * into it.
 */
#include "claims.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "claimdef.h"
#include "stats.h"

/* Holm at alpha over the p-values of p that are not NaN (the others are not counted): rej[i] set
 * for each of those, the others' left as they are. 0 or -ENOMEM (rej untouched). */
static int claim_holm(const double *p, size_t n, double alpha, bool *rej)
{
	double *q = calloc(n + 1, sizeof(*q));
	bool *r = calloc(n + 1, sizeof(*r));
	size_t k = 0, *at = malloc((n + 1) * sizeof(*at));
	int rc = q && r && at ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++)
		if (!isnan(p[i]))
			at[k] = i, q[k++] = p[i];
	if (!rc)
		ipcb_holm(q, k, alpha, r, NULL);
	for (size_t i = 0; !rc && i < k; i++)
		rej[at[i]] = r[i];
	free(q);
	free(r);
	free(at);
	return rc;
}

/* The grade of yes comparisons that hold and no that do not, of at least one. */
static enum grade grade_of(size_t yes, size_t no)
{
	if (yes + no < CLAIM_MIN_DECIDED)
		return G_NOT_DECIDED;
	if (!no)
		return G_HOLDS;
	if (!yes)
		return G_NOT;
	if ((double)yes >= CLAIM_MOSTLY * (double)(yes + no))
		return G_MOSTLY;
	if ((double)no >= CLAIM_MOSTLY * (double)(yes + no))
		return G_MOSTLY_NOT;
	return G_MIXED;
}

/*
 * Whether one decided comparison fewer, of either outcome, would move the grade across a line of
 * "mostly" (mostly holds, mixed, mostly does not hold): between two runs on one machine the
 * comparisons decided come and go by one or two, which resampling one run's rounds does not
 * show (two back-to-back default runs on the AMD EPYC guest: "mixed", 9 of 12, the same grade
 * in 94% of the resamples; then "mostly holds", 9 of 11). The grade it would move to, else
 * G_COUNT. Whether a single exception is there at all (holds against mostly holds) is the
 * resamples' to judge.
 */
static enum grade grade_edge(const struct verdict *v)
{
	static const size_t drop[2][2] = {{1, 0}, {0, 1}};

	if (v->grade != G_MOSTLY && v->grade != G_MIXED && v->grade != G_MOSTLY_NOT)
		return G_COUNT;
	for (int k = 0; k < 2; k++) {
		size_t yes = v->yes - (v->yes ? drop[k][0] : 0),
		       no = v->no - (v->no ? drop[k][1] : 0);
		enum grade g = grade_of(yes, no);

		if (g != v->grade && (g == G_MOSTLY || g == G_MIXED || g == G_MOSTLY_NOT))
			return g;
	}
	return G_COUNT;
}

bool verdict_unstable(const struct verdict *v)
{
	return (!isnan(v->stable) && v->stable < CLAIM_STABLE) || v->edge < G_COUNT;
}

/*
 * Each tested comparison decided in the family of its cell (the report's book: book.h), where
 * the report keeps one; only those it rejects count as decided. Outside a report, or while the
 * book is being filled, the claim's comparisons are their own family.
 */
static int claim_decide(const struct model *m, struct verdict *v, double alpha)
{
	double *p = calloc(v->n + 1, sizeof(*p)), *pn = calloc(v->n + 1, sizeof(*pn));
	bool *rej = calloc(v->n + 1, sizeof(*rej));
	struct book_key *k = calloc(v->n + 1, sizeof(*k));
	int *verdict = calloc(v->n + 1, sizeof(*verdict));
	int rc = p && pn && rej && k && verdict ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < v->n; i++) {
		const struct cmp *c = &v->cmps[i];

		k[i] = (struct book_key){.a = isnan(c->p) ? NULL : c->a,
					 .b = c->b,
					 .ms = c->ms,
					 .t = c->t,
					 .f = c->f,
					 .fh = c->fh};
		p[i] = c->p_yes;
		pn[i] = c->p_no;
		if (m->book && m->book->collecting && !m->weight && !isnan(c->p))
			rc = book_note(m->book, &k[i], c->p_yes, c->p_no);
	}
	if (!rc && m->book && !m->book->collecting) {
		rc = book_decide_some(m->book, k, p, pn, v->n, m->weight ? m->resample : -1, alpha,
				      verdict);
		for (size_t i = 0; !rc && i < v->n; i++)
			if (verdict[i] && !isnan(v->cmps[i].p))
				v->cmps[i].o = verdict[i] > 0 ? O_YES : O_NO;
	} else {
		for (size_t i = 0; !rc && i < v->n; i++)
			p[i] = v->cmps[i].p;
		rc = rc ?: claim_holm(p, v->n, alpha, rej);
		for (size_t i = 0; !rc && i < v->n; i++)
			if (rej[i])
				v->cmps[i].o = v->cmps[i].yes_dir ? O_YES : O_NO;
	}
	free(pn);
	free(k);
	free(verdict);
	free(p);
	free(rej);
	if (rc)
		return rc;
	v->yes = v->no = v->undecided = v->undecidable = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct cmp *c = &v->cmps[i];

		v->yes += c->o == O_YES;
		v->no += c->o == O_NO;
		v->undecided += c->o == O_UNDECIDED;
		v->undecidable += c->o == O_UNDECIDABLE;
	}
	v->grade = v->n ? grade_of(v->yes, v->no) : G_NOT_MEASURED;
	return 0;
}

static int claim_once(const struct model *m, const struct claim_def *c, bool at_best, double alpha,
		      struct verdict *v)
{
	int rc = 0;

	v->n = 0;
	if (c->paths && !m->has_paths) {
		v->unmeasured =
		    "the CSV does not say the transports' data paths (which of them move "
		    "their bytes through shared memory): measure again";
		return claim_decide(m, v, CLAIM_ALPHA);
	}
	rc = claim_compare(m, c, at_best, alpha, v);
	if (!rc)
		rc = claim_decide(m, v, CLAIM_ALPHA);
	if (!v->n && !v->nrefused && !v->unmeasured)
		v->unmeasured = c->unmeasured;
	return rc;
}

/* The decided comparisons' split, where one key separates them: "holds cross-core; not ...". */
static void split(const struct verdict *v)
{
	char *out = (char *)v->split;
	size_t len = 0;

	out[0] = '\0';
	for (int key = 0; key < 3 && !out[0]; key++) {
		bool clean = true, differs = false;

		for (size_t i = 0; i < v->n && clean; i++)
			for (size_t j = 0; j < v->n && clean; j++) {
				const struct cmp *x = &v->cmps[i], *y = &v->cmps[j];
				bool same = key == 0   ? !strcmp(x->placement, y->placement)
					    : key == 1 ? (x->ms == M_BPS) == (y->ms == M_BPS)
						       : x->size == y->size;

				if (x->o > O_YES || y->o > O_YES)
					continue;
				clean = !(same && x->o != y->o);
				differs |= x->o != y->o;
			}
		if (!clean || !differs)
			continue;
		for (size_t i = 0; i < v->n && len < sizeof(v->split); i++) {
			const struct cmp *x = &v->cmps[i];
			char what[32];
			bool seen = false;

			if (x->o > O_YES)
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = v->cmps[j].o <= O_YES &&
				       (key == 0   ? !strcmp(v->cmps[j].placement, x->placement)
					: key == 1 ? (v->cmps[j].ms == M_BPS) == (x->ms == M_BPS)
						   : v->cmps[j].size == x->size);
			if (seen)
				continue;
			if (key == 0)
				snprintf(what, sizeof(what), "%s", x->placement);
			else if (key == 1)
				snprintf(what, sizeof(what), "%s",
					 x->ms == M_BPS ? "throughput" : "latency");
			else
				size_format(x->size, what, sizeof(what));
			len += (size_t)snprintf(out + len, sizeof(v->split) - len, "%s%s %s",
						len ? "; " : "", x->o == O_YES ? "holds" : "not",
						what);
		}
	}
}

int claim_judge(const struct model *m, const struct claim_def *c, bool at_best, bool stability,
		struct verdict *v)
{
	struct model *mm = (struct model *)m;
	size_t counts[G_COUNT] = {0};
	unsigned *w;
	uint64_t rng;
	int rc;

	memset(v, 0, sizeof(*v));
	v->def = c;
	v->stable = NAN;
	v->edge = G_COUNT;
	rc = claim_once(m, c, at_best, CLAIM_ALPHA, v);
	if (!rc) {
		split(v);
		v->edge = grade_edge(v);
	}
	if (rc || !stability || v->grade >= G_NOT_DECIDED || m->nrounds < 2)
		return rc;
	/* Resamples of the rounds: a round's runs stay together, they shared the machine's state.
	 */
	w = calloc(m->nrounds + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	mm->weight = w;
	book_resample_start(&rng);
	for (int b = 0; b < CLAIM_RESAMPLES && !rc; b++) {
		struct verdict x = {.def = c};

		book_resample_weights(m, &rng, w);
		mm->resample = b;
		rc = claim_once(m, c, at_best, 0, &x);
		counts[x.grade]++;
		verdict_fini(&x);
	}
	mm->weight = NULL;
	free(w);
	v->stable = (double)counts[v->grade] / CLAIM_RESAMPLES;
	/* The commonest other grade of the resamples, for the verdict's line. */
	counts[v->grade] = 0;
	v->other = G_COUNT;
	for (int g = 0; g < G_COUNT; g++)
		if (counts[g] && (v->other == G_COUNT || counts[g] > counts[v->other]))
			v->other = (enum grade)g;
	v->other_share = v->other < G_COUNT ? (double)counts[v->other] / CLAIM_RESAMPLES : 0;
	return rc;
}

void verdict_fini(struct verdict *v)
{
	free(v->cmps);
	free(v->refused);
	v->cmps = NULL;
	v->refused = NULL;
}
