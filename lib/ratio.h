/* SPDX-License-Identifier: MIT */
/*
 * ratio.h - how much one series of measurements differs from another, as a ratio: the test the
 * report's comparisons and `ipcbench compare` share.
 *
 * A series is a group's values (round trips, rates) with the round each was measured in. Rounds
 * are the replicates: each ran every point of a plan once, so a value of A and a value of B of
 * one round shared the machine's state, and log(a) - log(b) cancels it. The comparison is made
 * on such per-round log ratios where most rounds pair up (paired), else on the two sets of logs
 * (an older CSV without rounds, or rows set aside that broke the pairs).
 *
 * Two methods, each a one-sided test of a shifted hypothesis about c = log(a/b) ("A is faster
 * by more than 5 %" is c < log(1/1.05) for a time):
 *  - IPCB_RATIO_T: the t-test of the mean log ratio (paired), or Welch's test of the two means
 *    of logs (unpaired), with the interval of that mean. A log ratio of two timings is close to
 *    normal across rounds, and a t-test can show a large difference from five rounds at levels
 *    a correction over many comparisons asks for (a rank test cannot go below 1/32 there).
 *  - IPCB_RATIO_RANK: Wilcoxon's signed-rank test of the per-round log ratios (paired) or
 *    Mann-Whitney's of the two sets (stats.h), with the Hodges-Lehmann estimate and its
 *    distribution-free interval: what no outlying round can sway, at the price of a floor under
 *    its p-values (2^-n paired, 1/C(n+m, n) not).
 */
#ifndef IPCB_RATIO_H
#define IPCB_RATIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipcb_ratio_method {
	IPCB_RATIO_T,
	IPCB_RATIO_RANK,
};

/* Whether to pair by round: where most rounds pair up (the report), always, or never. */
enum ipcb_ratio_pairing {
	IPCB_RATIO_AUTO,
	IPCB_RATIO_PAIRED,
	IPCB_RATIO_UNPAIRED,
};

struct ipcb_ratio {
	enum ipcb_ratio_method method;
	bool paired;
	size_t na, nb, npairs; /* values of each side, and the rounds paired */
	size_t alone;	       /* paired: rounds measured on one side only, left out */
	size_t several;	       /* paired: rounds with several values a side (their median) */
	double est;	       /* log(a/b): the mean (t) or Hodges-Lehmann (rank) estimate */
	double lo, hi;	       /* its bounds, each one-sided at the alpha asked; +-INFINITY: none */
	double se, df;	       /* t: the estimate's standard error and degrees of freedom */
	/* What the tests need: the logs, and the paired differences. */
	double *la, *lb, *d;
};

/*
 * Compare A (a[0..na), rounds ra; NULL or a round 0: not in a round) with B likewise: every
 * value must be above 0. Paired, a round's values on each side are taken by their median (a
 * round with several rows of one group) and the rounds both sides have are paired. AUTO pairs
 * when at least half of the smaller side paired, and into enough pairs to test (three for t; as
 * many as can reach alpha for rank). Bounds at alpha. 0, -EINVAL (a value not above 0, no
 * values) or -ENOMEM. ipcb_ratio_fini() frees it whatever the result.
 */
int ipcb_ratio_make(struct ipcb_ratio *r, enum ipcb_ratio_method m, enum ipcb_ratio_pairing pair,
		    const double *a, const uint32_t *ra, size_t na, const double *b,
		    const uint32_t *rb, size_t nb, double alpha);
void ipcb_ratio_fini(struct ipcb_ratio *r);

/*
 * One-sided p-values about c: *above for "log(a/b) > c", *below for "log(a/b) < c". 0, or
 * -EINVAL where the sample cannot test anything (fewer than two values a side unpaired, or two
 * pairs), -ENOMEM.
 */
int ipcb_ratio_p(const struct ipcb_ratio *r, double c, double *above, double *below);

/* The smallest one-sided p-value the sample can give at all: 0 for t, the rank test's floor. */
double ipcb_ratio_min_p(const struct ipcb_ratio *r);

/*
 * The smallest change of log(a/b) from where it is that the sample could show with probability
 * power in a one-sided test at alpha: the resolution of a comparison that showed nothing
 * (t: (t[1-alpha] + t[power]) se; rank: the same with the normal quantiles and the spread the
 * ranks imply). INFINITY when the sample cannot show any.
 */
double ipcb_ratio_resolution(const struct ipcb_ratio *r, double alpha, double power);

/* The Student t distribution with df > 0 degrees of freedom: P(T <= t), and its quantile. */
double ipcb_t_cdf(double t, double df);
double ipcb_t_quantile(double p, double df);

#endif /* IPCB_RATIO_H */
