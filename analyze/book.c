/* SPDX-License-Identifier: MIT */
/* book.c - one verdict per comparison, decided in its cell's family; see book.h. */
#include "book.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "stats.h"

static uint64_t key_hash(const struct book_key *k)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t parts[6] = {(uint64_t)(uintptr_t)k->a, (uint64_t)(uintptr_t)k->b, (uint64_t)k->ms,
			     (uint64_t)k->t};

	memcpy(&parts[4], &k->f, sizeof(parts[4]));
	memcpy(&parts[5], &k->fh, sizeof(parts[5]));
	for (int i = 0; i < 6; i++) {
		h ^= parts[i];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

static bool key_eq(const struct book_key *x, const struct book_key *y)
{
	return x->a == y->a && x->b == y->b && x->ms == y->ms && x->t == y->t && x->f == y->f &&
	       x->fh == y->fh;
}

/* Two tests of one family: the same placement, size and measure. */
static bool same_cell(const struct book_key *x, const struct book_key *y)
{
	return x->ms == y->ms && x->a->size == y->a->size &&
	       !strcmp(x->a->placement, y->a->placement);
}

const struct book_entry *book_find(const struct book *bk, const struct book_key *k)
{
	if (!bk || !bk->nslots)
		return NULL;
	for (size_t s = key_hash(k) & (bk->nslots - 1);; s = (s + 1) & (bk->nslots - 1)) {
		if (!bk->slot[s])
			return NULL;
		if (key_eq(&bk->e[bk->slot[s] - 1].k, k))
			return &bk->e[bk->slot[s] - 1];
	}
}

static int rehash(struct book *bk, size_t nslots)
{
	size_t *slot = calloc(nslots, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	free(bk->slot);
	bk->slot = slot;
	bk->nslots = nslots;
	for (size_t i = 0; i < bk->n; i++) {
		size_t s = key_hash(&bk->e[i].k) & (nslots - 1);

		while (slot[s])
			s = (s + 1) & (nslots - 1);
		slot[s] = i + 1;
	}
	return 0;
}

int book_note(struct book *bk, const struct book_key *k, double p_yes, double p_no)
{
	struct book_entry *e;

	if (!k->a || book_find(bk, k))
		return 0;
	if (2 * (bk->n + 1) > bk->nslots && rehash(bk, bk->nslots ? 2 * bk->nslots : 256) < 0)
		return -ENOMEM;
	e = model_grow(bk->e, &bk->cap, bk->n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	bk->e = e;
	e = &bk->e[bk->n];
	memset(e, 0, sizeof(*e));
	e->k = *k;
	e->p_yes = p_yes;
	e->p_no = p_no;
	e->cell = bk->ncells;
	for (size_t i = 0; i < bk->n; i++)
		if (same_cell(&bk->e[i].k, k)) {
			e->cell = bk->e[i].cell;
			break;
		}
	bk->ncells += e->cell == bk->ncells;
	bk->n++;
	return rehash(bk, bk->nslots);
}

/* A test's Holm input: its smaller p-value, the side it would show. */
static double smaller(double p_yes, double p_no, int *side)
{
	double p = isnan(p_no) || p_yes <= p_no ? p_yes : p_no;

	*side = isnan(p_no) || p_yes <= p_no ? 1 : -1;
	return p;
}

/*
 * Holm over one family: the p-values of the book's tests in cell c (of resample rs, or their
 * own) but those in `skip`, and the n extra tests given; verdicts of the extra ones out, and of
 * the book's into `own` (where not NULL).
 */
static int holm_cell(const struct book *bk, size_t c, int rs, const bool *skip, const double *ey,
		     const double *en, size_t n, double alpha, int *ev, int *own)
{
	size_t cap = n + 1, k = 0;
	double *p;
	int *side;
	size_t *who; /* entry index, or bk->n + extra index */
	bool *rej;
	int rc = 0;

	for (size_t i = 0; i < bk->n; i++)
		cap += bk->e[i].cell == c;
	p = malloc(cap * sizeof(*p));
	side = malloc(cap * sizeof(*side));
	who = malloc(cap * sizeof(*who));
	rej = calloc(cap, sizeof(*rej));
	if (!p || !side || !who || !rej) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < bk->n; i++) {
		const struct book_entry *e = &bk->e[i];
		double y = rs < 0 ? e->p_yes : bk->rs_yes[(size_t)rs * bk->n + i];
		double no = rs < 0 ? e->p_no : bk->rs_no[(size_t)rs * bk->n + i];

		if (e->cell != c || (skip && skip[i]) || isnan(y))
			continue;
		p[k] = smaller(y, no, &side[k]);
		who[k++] = i;
	}
	for (size_t j = 0; j < n; j++) {
		if (isnan(ey[j]))
			continue;
		p[k] = smaller(ey[j], en[j], &side[k]);
		who[k++] = bk->n + j;
	}
	rc = ipcb_holm(p, k, alpha, rej, NULL);
	for (size_t q = 0; !rc && q < k; q++) {
		int v = rej[q] ? side[q] : 0;

		if (who[q] >= bk->n)
			ev[who[q] - bk->n] = v;
		else if (own)
			own[who[q]] = v;
	}
out:
	free(p);
	free(side);
	free(who);
	free(rej);
	return rc < 0 ? -ENOMEM : 0;
}

int book_decide(struct book *bk, double alpha)
{
	int *own = calloc(bk->n + 1, sizeof(*own));
	int rc = own ? 0 : -ENOMEM;

	for (size_t c = 0; !rc && c < bk->ncells; c++)
		rc = holm_cell(bk, c, -1, NULL, NULL, NULL, 0, alpha, NULL, own);
	for (size_t i = 0; !rc && i < bk->n; i++)
		bk->e[i].verdict = own[i];
	free(own);
	bk->collecting = false;
	return rc;
}

/* A test's p-values on the model as it stands (under its resample weights, if any). */
static void retest(const struct model *m, const struct book_entry *e, double *y, double *no)
{
	static struct judged j;

	*y = *no = NAN;
	if (e->k.t == T_SAME) {
		struct tie t;

		judge_tie(m, e->k.a, e->k.b, e->k.ms, &t);
		*y = t.p_same;
		return;
	}
	if (e->k.t != T_BEATS && e->k.t != T_AT_LEAST && e->k.t != T_BAND) {
		/* A test of its own (a claim's send call): its p-values as the run gave them. */
		*y = e->p_yes;
		*no = e->p_no;
		return;
	}
	judge(m, e->k.a, e->k.b, e->k.ms, e->k.t, e->k.f, e->k.fh, 0, &j);
	*y = j.p_yes;
	*no = j.p_no;
}

void book_resample_start(uint64_t *rng)
{
	*rng = 0x1bc0ffeeull; /* the same resamples every time: the report reproduces */
}

void book_resample_weights(const struct model *m, uint64_t *rng, unsigned *w)
{
	memset(w, 0, (m->nrounds + 1) * sizeof(*w));
	for (size_t k = 0; k < m->nrounds; k++)
		w[1 + ipcb_rng_below(rng, m->nrounds)]++; /* rounds are 1..nrounds */
}

int book_resample(struct book *bk, struct model *m)
{
	unsigned *w = calloc(m->nrounds + 1, sizeof(*w));
	uint64_t rng;

	free(bk->rs_yes);
	free(bk->rs_no);
	bk->nrs = 0;
	bk->rs_yes = malloc((bk->n + 1) * CLAIM_RESAMPLES * sizeof(*bk->rs_yes));
	bk->rs_no = malloc((bk->n + 1) * CLAIM_RESAMPLES * sizeof(*bk->rs_no));
	if (!w || !bk->rs_yes || !bk->rs_no) {
		free(w);
		return -ENOMEM;
	}
	book_resample_start(&rng);
	m->weight = w;
	for (size_t r = 0; r < CLAIM_RESAMPLES; r++) {
		book_resample_weights(m, &rng, w);
		for (size_t i = 0; i < bk->n; i++)
			retest(m, &bk->e[i], &bk->rs_yes[r * bk->n + i], &bk->rs_no[r * bk->n + i]);
	}
	m->weight = NULL;
	free(w);
	bk->nrs = CLAIM_RESAMPLES;
	return 0;
}

int book_decide_some(const struct book *bk, const struct book_key *k, const double *p_yes,
		     const double *p_no, size_t n, int rs, double alpha, int *verdict)
{
	bool *done = calloc(n + 1, sizeof(*done)), *skip = calloc(bk->n + 1, sizeof(*skip));
	double *y = malloc((n + 1) * sizeof(*y)), *no = malloc((n + 1) * sizeof(*no));
	int *v = malloc((n + 1) * sizeof(*v));
	size_t *at = malloc((n + 1) * sizeof(*at));
	int rc = done && skip && y && no && v && at ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++)
		verdict[i] = 0;
	if (rs >= (int)bk->nrs)
		rs = -1;
	/* Each family once: the given tests of one cell together, in place of their entries. */
	for (size_t i = 0; !rc && i < n; i++) {
		size_t cnt = 0, cell = SIZE_MAX;

		if (done[i] || !k[i].a)
			continue;
		memset(skip, 0, (bk->n + 1) * sizeof(*skip));
		for (size_t q = 0; q < bk->n && cell == SIZE_MAX; q++)
			if (same_cell(&bk->e[q].k, &k[i]))
				cell = bk->e[q].cell;
		for (size_t j = i; j < n; j++) {
			const struct book_entry *e;

			if (done[j] || !k[j].a || !same_cell(&k[i], &k[j]))
				continue;
			done[j] = true;
			e = book_find(bk, &k[j]);
			if (e)
				skip[e - bk->e] = true;
			y[cnt] = p_yes[j];
			no[cnt] = p_no[j];
			at[cnt++] = j;
		}
		memset(v, 0, (cnt + 1) * sizeof(*v));
		/* A cell the book has no test of (SIZE_MAX): a family of these alone. */
		rc = holm_cell(bk, cell, rs, skip, y, no, cnt, alpha, v, NULL);
		for (size_t q = 0; !rc && q < cnt; q++)
			verdict[at[q]] = v[q];
	}
	free(done);
	free(skip);
	free(y);
	free(no);
	free(v);
	free(at);
	return rc;
}

void book_fini(struct book *bk)
{
	free(bk->e);
	free(bk->slot);
	free(bk->rs_yes);
	free(bk->rs_no);
	memset(bk, 0, sizeof(*bk));
}
