/* SPDX-License-Identifier: MIT */
/*
 * book.h - one verdict per comparison: every test the report makes of a pair (the answers' "shown
 * slower" and "the same", each claim's comparisons), written down once with its p-values, and
 * decided together with every other test at its placement, size and measure (one family per
 * cell, Holm's procedure). The answers, the claims, their tables and the appendix each look a
 * comparison's verdict up here, so a pair the report prints twice has one verdict.
 *
 * The report fills it in two passes: the first notes every test (book.collecting), then
 * book_decide() decides the families, and the second pass prints what it finds. A claim's
 * stability resamples the rounds: book_resample() gives each test's p-values under a resample
 * (the same resamples for every claim), so that a resample decides a claim's comparisons in the
 * same families as the report does.
 */
#ifndef IPCB_BOOK_H
#define IPCB_BOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "claims.h"
#include "model.h"

/* A test: a against b on ms by test t at margin f (and fh, T_BAND's bound). */
struct book_key {
	const struct group *a, *b;
	enum measure ms;
	enum test t;
	double f, fh;
};

struct book_entry {
	struct book_key k;
	double p_yes, p_no; /* as judge() gives them; NAN where the sample cannot test */
	size_t cell;	    /* its family: placement, size and measure */
	int verdict;	    /* 1 shown yes, -1 shown no, 0 not decided */
};

struct book {
	struct book_entry *e;
	size_t n, cap;
	size_t *slot; /* an open hash of the keys: index + 1, 0 free */
	size_t nslots;
	size_t ncells;
	bool collecting; /* the first pass: tests are noted, nothing is decided */
	/* Under resamples: each entry's p-values in each of CLAIM_RESAMPLES resamples. */
	double *rs_yes, *rs_no;
	size_t nrs;
};

/* Note a test (the first pass): 0 or -ENOMEM. A test noted twice is one entry. */
int book_note(struct book *bk, const struct book_key *k, double p_yes, double p_no);
/* Decide every family at alpha (Holm over each test's smaller p-value); 0 or -ENOMEM. */
int book_decide(struct book *bk, double alpha);
/*
 * The resamples of the rounds a claim's stability is measured on, the same for every claim (so
 * that the book's tests are resampled once for all): the generator's start, and the next
 * resample's weights (w[round], rounds 1..m->nrounds).
 */
void book_resample_start(uint64_t *rng);
void book_resample_weights(const struct model *m, uint64_t *rng, unsigned *w);
/*
 * The p-values of every test under each resample of the rounds (book_resample_weights()), for
 * the claims' stability; 0 or -ENOMEM.
 */
int book_resample(struct book *bk, struct model *m);
/* The entry of k, or NULL where it was never noted. */
const struct book_entry *book_find(const struct book *bk, const struct book_key *k);
/*
 * Decide tests (keys k, their p-values p_yes and p_no: under a resample, what that resample
 * gave) in their families at alpha, where the family's other tests have the p-values of
 * resample rs (-1: the run's own): verdict[i] 1, -1 or 0. A test never noted is decided in the
 * family of its cell as one more member. 0 or -ENOMEM.
 */
int book_decide_some(const struct book *bk, const struct book_key *k, const double *p_yes,
		     const double *p_no, size_t n, int rs, double alpha, int *verdict);
void book_fini(struct book *bk);

#endif /* IPCB_BOOK_H */
