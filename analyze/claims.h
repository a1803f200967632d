/* SPDX-License-Identifier: MIT */
/*
 * claims.h - the guides' claims as data, and the one engine that judges them.
 *
 * A claim (CLAIMS.md C1..C14) is a table entry: its words and source, and up to four clauses,
 * each saying who stands on either side (transports by name, a data path, every other
 * mechanism, each framework against what it rides on), which measures and sizes, and the test:
 * A better than B by more than the margin, or not worse by it (a tie counts), or worse by more
 * than it and less than a factor, or a figure against the document's, or a send call against
 * the receiver's work. The engine picks the pairs in every placement and size through the
 * comparability rule (rule.h), lists what the rule refused, tests each pair on its rounds
 * (ratio.h), decides each comparison in the family of its cell (the report's book: book.h, where
 * the answers' tests are too; Holm), grades the verdict from the decided ones and measures its
 * stability on resamples of the rounds.
 */
#ifndef IPCB_CLAIMS_H
#define IPCB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "model.h"

/* The report's statistics: each claim's family at ALPHA, ties within MARGIN of each other. */
#define CLAIM_ALPHA	0.05
#define CLAIM_MARGIN	0.05
#define CLAIM_RESAMPLES 200
/*
 * The share of resamples that must give a claim's grade for it to stand without "unstable": at
 * 90 %, a claim graded "does not hold" (0 of 8) in 91 % of the resamples came out "mostly does
 * not hold" (1 of 8, in 92 %) in the next default run on the AMD EPYC guest.
 */
#define CLAIM_STABLE 0.95
#define CLAIM_MOSTLY 0.8
/*
 * The fewest decided comparisons a claim is graded on: one or two say what those comparisons
 * say, not what the claim does across the mechanisms it names (a claim "held" on one decided
 * comparison of fifteen, in 18% of the resamples of its rounds).
 */
#define CLAIM_MIN_DECIDED 3

enum outcome {
	O_NO,
	O_YES,
	O_UNDECIDED,   /* shown neither way */
	O_UNDECIDABLE, /* the sample cannot show anything */
};

enum test {
	T_BEATS,    /* A better than B by more than the margin */
	T_AT_LEAST, /* A not worse than B by the margin or more: a tie counts */
	T_BAND,	    /* A worse than B by more than the margin and less than factor_hi */
	T_DOC,	    /* A's time to move the size within factor of the document's figure */
	T_ASYNC,    /* A's send call under half the receiver's work per message */
	T_PATH,	    /* A crossed hosts through the network stack */
	T_SAME,	    /* A within the margin of B either way (the answers' ties: judge_tie) */
};

/* One comparison of a claim, decided. */
struct cmp {
	const char *placement;
	size_t size;
	enum measure ms;
	const struct group *a, *b;
	enum test t;  /* its test, and the margin (and T_BAND's bound) it was made at: with a, b */
	double f, fh; /* and ms, its key in the report's book (book.h) */
	enum outcome o;
	double p;	    /* the p-value of the hypothesis its outcome rests on (Holm's input) */
	double p_yes, p_no; /* both one-sided tests' p-values; NAN where none was made */
	bool yes_dir;	    /* the side that p would show */
	char text[2048];
};

enum grade {
	G_HOLDS,
	G_MOSTLY,
	G_MIXED,
	G_MOSTLY_NOT,
	G_NOT,
	G_NOT_DECIDED,
	G_NOT_MEASURED,
	G_COUNT,
};
extern const char *const grade_names[G_COUNT];

/* A claim judged: its comparisons, what the rule refused, its grade and stability. */
struct verdict {
	const struct claim_def *def;
	struct cmp *cmps;
	size_t n, cap;
	char *refused; /* "not compared, because ..." lines, '\n'-separated */
	size_t nrefused, refused_len, refused_cap;
	size_t yes, no, undecided, undecidable;
	enum grade grade;
	double stable;	  /* share of resamples giving the same grade; NAN when not tested */
	enum grade other; /* the commonest other grade of the resamples (G_COUNT: none) */
	double other_share;
	enum grade edge; /* the grade one decided comparison fewer gives across a line of "mostly"
			    (G_COUNT: none; grade.c) */
	char split[300];
	const char *unmeasured;
};

struct claim_def;
/* The claims of the guides' tables, in order (NULL-terminated). */
extern const struct claim_def *const claim_list[];
const char *claim_id(const struct claim_def *c);
const char *claim_words(const struct claim_def *c);

/*
 * Judge claim c on m (at the defaults, or with each transport at its best setting in each
 * cell); with stability, also on resamples of the rounds. 0 or -ENOMEM.
 */
int claim_judge(const struct model *m, const struct claim_def *c, bool at_best, bool stability,
		struct verdict *v);
void verdict_fini(struct verdict *v);
/*
 * Another run may grade it otherwise: under CLAIM_STABLE of the resamples give its grade, or one
 * decided comparison fewer would move it across a line of "mostly" (v->edge).
 */
bool verdict_unstable(const struct verdict *v);

/* The claim's section: its words, source, verdict, and every comparison, exceptions first. */
void claim_print(struct ipcb_doc *d, const struct verdict *v);

/*
 * One comparison outside a claim (the answers, the tuned table), by the same test: A against B
 * on ms; the p-values for and against the test's statement (NAN where the sample cannot test),
 * and the line of each outcome (yes, no, neither) in out[3] when out is not NULL.
 */
void judge_one(const struct model *m, const struct group *a, const struct group *b, enum measure ms,
	       enum test t, double *p_yes, double *p_no, char (*out)[720]);

/*
 * b against the best one, for the answers: is it shown slower than best by more than the margin
 * (p_worse), or shown the same, within the margin either way (p_same: the two one-sided tests of
 * an equivalence, the larger of their p-values)? And how far apart the two may be as far as the
 * rounds can tell: worst and most (shares, each side's bound at CLAIM_ALPHA: b slower than best
 * by up to worst, faster by up to most), and the rounds (or runs a side) it rests on. NAN
 * p-values where the sample cannot test.
 */
struct tie {
	double p_worse, p_same;
	double worst, most;
	double est, half; /* log(b / best) and its bound's distance from it; NAN where none */
	/*
	 * How many times slower than best b was (above 1: slower; a time's ratio, a rate's
	 * inverse): paired, in its least and its most different round; unpaired (rounds that do
	 * not pair up), between its run and best's that are closest and those furthest apart, so
	 * that above 1 means every run of b slower than every run of best. NAN where no test.
	 */
	double slower_lo, slower_hi;
	size_t rounds;
	size_t runs[2]; /* unpaired: b's runs and best's */
	bool paired;
};
void judge_tie(const struct model *m, const struct group *best, const struct group *b,
	       enum measure ms, struct tie *t);

#endif /* IPCB_CLAIMS_H */
