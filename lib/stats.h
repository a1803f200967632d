/* SPDX-License-Identifier: MIT */
/*
 * stats.h - robust summaries, the Mann-Whitney U and Wilcoxon signed-rank tests, the modes of a
 * sample and a small random number generator, for `ipcbench compare` and the report.
 *
 * Benchmark repeats are few (5..30 a side), skewed and sometimes tied (rates printed to 0.1), so
 * the gate uses rank statistics and medians rather than means and t-tests: one slow run moves a
 * mean and a standard deviation a lot and a median and a MAD hardly at all.
 *
 * Mann-Whitney U, as computed here: for samples x (n values) and y (m values),
 *   U = #{(i, j) : y[j] > x[i]} + 0.5 * #{(i, j) : y[j] == x[i]},
 * so U runs from 0 (every y below every x) to n*m (every y above every x), mean n*m/2 under the
 * null hypothesis that both samples come from one distribution.
 *
 * p-values:
 *  - n + m <= IPCB_MW_EXACT_MAX_N: exact. The null distribution is the permutation distribution
 *    of the rank sum of y over all C(n+m, m) ways to pick which pooled values are "y", using
 *    mid-ranks for tied values (the conditional distribution given the tie pattern). Without
 *    ties this is the classic exact U distribution; with ties it is still exact for that pattern.
 *  - larger samples: the normal approximation with the tie correction of the variance,
 *      var(U) = n*m/12 * ((N + 1) - sum(t^3 - t) / (N * (N - 1))),  N = n + m,
 *    t the size of each tie block, and a continuity correction of 0.5 toward the mean.
 * The cut-over (N = 120, up to 60 repeats a side) keeps the exact computation, a table of about
 * N^4/4 additions, under ~20 ms per group. Beyond it the normal approximation is close where the
 * p-value is moderate (within ~10 % at p ~ 0.005) and conservative in the far tail (U is bounded,
 * so its tails are lighter than the normal's: p comes out too large, never too small), so it can
 * cost power but does not add false alarms. tests/unit/test_stats.c checks both.
 */
#ifndef IPCB_STATS_H
#define IPCB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest n + m for which ipcb_mw_test() computes the exact distribution. */
#define IPCB_MW_EXACT_MAX_N 120

/* 1.4826 * MAD estimates the standard deviation of normally distributed data (1 / Phi^-1(3/4)). */
#define IPCB_MAD_TO_SIGMA 1.4826

/*
 * Median of x[0..n). x is not modified (a sorted copy is made). Returns 0, -EINVAL (n == 0 or a
 * NULL pointer) or -ENOMEM. NaNs are the caller's problem: they do not sort.
 */
int ipcb_stats_median(const double *x, size_t n, double *median);

/* Median of an already ascending array of n >= 1 values: the mean of the middle two for even n. */
double ipcb_stats_median_sorted(const double *sorted, size_t n);

/*
 * Median absolute deviation: median(|x[i] - median(x)|), unscaled. Returns 0, -EINVAL or -ENOMEM.
 * The median is returned too when `median` is not NULL.
 */
int ipcb_stats_mad(const double *x, size_t n, double *mad, double *median);

/*
 * Robust relative spread: IPCB_MAD_TO_SIGMA * MAD / |median|, the robust analogue of the
 * coefficient of variation (0.05 = runs typically differ by 5 % from the median). Returns 0,
 * -EINVAL, -ENOMEM or -EDOM (median is 0, so a relative spread means nothing).
 */
int ipcb_stats_spread(const double *x, size_t n, double *spread);

/* Standard normal CDF, Phi(z). */
double ipcb_stats_norm_cdf(double z);

/* Inverse of Phi for 0 < p < 1 (to ~1e-12, by bisection on Phi); -INFINITY / INFINITY at 0 / 1. */
double ipcb_stats_norm_quantile(double p);

/* The result of ipcb_mw_test(). */
struct ipcb_mw {
	double u;	  /* U of y (see above): 0 .. n*m */
	double p_less;	  /* one-sided P(U' <= U): small when y tends to be lower than x */
	double p_greater; /* one-sided P(U' >= U): small when y tends to be higher than x */
	bool exact;	  /* p-values from the exact permutation distribution */
	bool ties;	  /* the pooled sample had tied values (mid-ranks used) */
};

/*
 * Mann-Whitney U test of x (n values, e.g. the baseline) against y (m values, the candidate).
 * Both one-sided p-values are returned; a two-sided test is 2 * min of them (capped at 1).
 * Returns 0, -EINVAL (n or m is 0, a NULL pointer, or a NaN value) or -ENOMEM.
 * When every pooled value is equal both p-values are 1: there is no evidence either way.
 */
int ipcb_mw_test(const double *x, size_t n, const double *y, size_t m, struct ipcb_mw *out);

/*
 * The smallest one-sided p-value the exact test can give for sample sizes n and m: 1 / C(n+m, n),
 * reached only when the samples do not overlap at all. When it is not below the alpha a group is
 * tested at, no outcome can be significant and more repeats are needed.
 */
double ipcb_mw_min_p(size_t n, size_t m);

/*
 * Smallest k such that k repeats on each side can reach a one-sided p below alpha at all
 * (1 / C(2k, k) < alpha). 0 for alpha outside (0, 1).
 */
size_t ipcb_mw_repeats_possible(double alpha);

/*
 * Repeats per side for the one-sided Mann-Whitney test at level alpha to detect a relative
 * shift `shift` (0.05 = 5 %) with probability `power`, when each run's relative noise is `spread`
 * (IPCB_MAD_TO_SIGMA * MAD / median). Noether's (1987) sample size for equal groups,
 *   k = (z[1-alpha] + z[power])^2 / (6 * (P - 1/2)^2),   P = Phi(shift / (spread * sqrt(2))),
 * where P is the probability that a run of the shifted side beats one of the other when runs are
 * normal with that spread. It is an approximation for planning, not a guarantee; the result is
 * never below ipcb_mw_repeats_possible(alpha). Returns 0 on invalid arguments (shift <= 0,
 * spread < 0, alpha or power outside (0, 1)).
 */
size_t ipcb_mw_repeats_needed(double shift, double spread, double alpha, double power);

/*
 * The shifted test and the shift's confidence interval.
 *
 * The gate asks "is NEW worse than BASE by more than 5 %?", not "do they differ?". With x and y
 * the logs of the two sides' values, that is a hypothesis about the shift d of y against x
 * (log NEW - log BASE): H0 d >= log(0.95) against d < log(0.95). Mann-Whitney tests it directly
 * on x + log(0.95) against y: under H0 the shifted samples are exchangeable at the boundary, so
 * the U test's level holds (ipcb_mw_shift_test()).
 *
 * Inverting that test over every shift gives the Hodges-Lehmann estimate and its
 * distribution-free confidence interval (ipcb_hl_shift()): with the nm pairwise differences
 * y[j] - x[i] in ascending order D(1) .. D(nm) and c the largest integer with P0(U <= c) < alpha,
 *   estimate = median of the D,  lower bound = D(c + 1),  upper bound = D(nm - c).
 * Every shift below the lower bound is rejected by the one-sided test at level alpha, and so is
 * every shift above the upper bound: the interval covers the true shift with probability at least
 * 1 - 2 alpha (exactly that for continuous data). When even c = 0 is not below alpha (too few
 * repeats) the bounds are -INFINITY and INFINITY.
 */

/*
 * Largest c with P0(U <= c) < alpha for the U statistic of n and m values without ties, -1 when
 * none. Exact for n + m <= IPCB_MW_EXACT_MAX_N: the null distribution's counts are the
 * coefficients of the Gaussian binomial [n+m choose n]_q, built as the product
 * prod_{i=1..n} (1 - q^(m+i)) / (1 - q^i). Beyond that the normal approximation with the
 * continuity correction: c = floor(nm/2 - 0.5 - z[1-alpha] * sqrt(nm(n+m+1)/12)).
 * *exact (may be NULL) says which.
 */
long ipcb_mw_crit(size_t n, size_t m, double alpha, bool *exact);

/* Mann-Whitney U test of x + shift (n values) against y (m values); see ipcb_mw_test(). */
int ipcb_mw_shift_test(const double *x, size_t n, const double *y, size_t m, double shift,
		       struct ipcb_mw *out);

/* The result of ipcb_hl_shift(), and of ipcb_sr_hl() for paired differences (see below). */
struct ipcb_shift {
	double est; /* Hodges-Lehmann: the median of the nm differences y[j] - x[i] */
	double lo;  /* D(crit + 1): -INFINITY when crit < 0 */
	double hi;  /* D(nm - crit): INFINITY when crit < 0 */
	long crit;  /* ipcb_mw_crit(n, m, alpha) (ipcb_sr_crit(n, alpha) for ipcb_sr_hl()) */
	bool exact; /* crit from the exact distribution */
};

/*
 * Hodges-Lehmann shift of y against x and its confidence bounds, each one-sided at level alpha
 * (see above). The order statistics of the differences are found by bisection on the value with
 * an O(n + m) count per step, so nothing of size nm is held. Returns 0, -EINVAL (n or m is 0, a
 * NULL pointer, a NaN or infinite value, alpha outside (0, 1)) or -ENOMEM.
 */
int ipcb_hl_shift(const double *x, size_t n, const double *y, size_t m, double alpha,
		  struct ipcb_shift *out);

/*
 * Holm's step-down procedure over n hypotheses with p-values p[0..n): sort them ascending; the
 * i-th smallest (i from 0) is rejected while p < alpha / (n - i), and every one after the first
 * that is not, is kept. The chance of rejecting any true hypothesis is at most alpha, whatever
 * the dependence between the tests, and it rejects everything Bonferroni (alpha / n) does.
 * reject[i] is set for each p[i]; level[i] (level may be NULL) to the alpha / (n - i) it was
 * rejected at, or for one kept to the level the first kept one failed (alpha / (n - rejected)).
 * NaN p-values are never rejected. Returns 0, -EINVAL or -ENOMEM.
 */
int ipcb_holm(const double *p, size_t n, double alpha, bool *reject, double *level);

/*
 * The share of the family-wise alpha spent at look `look` (1-based) of at most `looks`: each look
 * but the last gets half of what the next one gets, 2^-(looks - look + 1), and the last the rest,
 * 1/2 + 2^-looks; the shares add up to 1, so by the union bound the chance of any wrong verdict
 * at any look is at most alpha. Early looks (few rounds) spend little; the last, where most
 * groups are decided, most. A later look never gets less than twice an earlier one, so a group
 * decided at an earlier look on data that no longer changes stays decided. 0 for bad arguments.
 */
double ipcb_alpha_share(unsigned look, unsigned looks);

/*
 * The Wilcoxon signed-rank test of paired differences, for rounds measured in pairs.
 *
 * When BASE and NEW are measured in the same round (same machine state), the per-round
 * differences d[i] = log NEW[i] - log BASE[i] cancel what the round did to both; the question is
 * then about their centre. ipcb_sr_shift_test() tests d - shift: zeros (d == shift exactly) are
 * dropped first (Wilcoxon's convention, as R's wilcox.test: the test is then conditional on the
 * non-zero differences), the rest ranked by |d - shift| with mid-ranks for ties, and
 *   W+ = the sum of the ranks of the positive d - shift,
 * from 0 (every d below shift) to n'(n'+1)/2 (every d above it), n' the differences left. Under
 * H0 (d - shift symmetric about 0) each sign is + or - with probability 1/2, independently.
 *
 * p-values:
 *  - n' <= IPCB_SR_EXACT_MAX_N: exact, from the 2^n' equally likely sign assignments, counted by
 *    a table over the sums of doubled mid-ranks (integers even with ties), so with ties it is
 *    the distribution given their pattern;
 *  - beyond: the normal approximation, mean sum(r)/2 and variance sum(r^2)/4 over the mid-ranks
 *    r (which is the usual tie-corrected n(n+1)(2n+1)/24 - sum(t^3 - t)/48), with a continuity
 *    correction of 0.5 toward the mean.
 *
 * Inverting the test over every shift gives the Hodges-Lehmann estimate of the centre and its
 * distribution-free confidence bounds (ipcb_sr_hl()): with the N = n(n+1)/2 Walsh averages
 * (d[i] + d[j]) / 2, i <= j, in ascending order A(1) .. A(N), W+ of d - s is the number of them
 * above s, and with c the largest integer with P0(W+ <= c) < alpha,
 *   estimate = median of the A,  lower bound = A(c + 1),  upper bound = A(N - c):
 * each shift below the lower bound (above the upper one) is rejected by the one-sided test at
 * level alpha, so the interval covers the true centre with probability at least 1 - 2 alpha.
 */

/* Largest n' for which ipcb_sr_shift_test() and ipcb_sr_crit() compute the exact distribution. */
#define IPCB_SR_EXACT_MAX_N 100

/* The result of ipcb_sr_shift_test(). */
struct ipcb_sr {
	double w;	  /* W+ of d - shift (see above), with mid-ranks: 0 .. n(n+1)/2 */
	size_t n;	  /* the differences ranked: those not equal to shift */
	double p_less;	  /* P(W' <= W+): small when d tends to be below shift */
	double p_greater; /* P(W' >= W+): small when d tends to be above shift */
	bool exact;	  /* p-values from the exact sign-flip distribution */
	bool ties;	  /* some |d - shift| were tied (mid-ranks used) */
};

/*
 * Wilcoxon signed-rank test of d[0..n) - shift (see above); both one-sided p-values. When no
 * difference is left (every d equals shift) both are 1 and out->n is 0. Returns 0, -EINVAL (n is
 * 0, a NULL pointer, a NaN or infinite value or shift) or -ENOMEM.
 */
int ipcb_sr_shift_test(const double *d, size_t n, double shift, struct ipcb_sr *out);

/*
 * The smallest one-sided p-value the signed-rank test can give for n differences, 2^-n: every
 * sign the same. When it is not below the alpha a group is tested at, more rounds are needed.
 */
double ipcb_sr_min_p(size_t n);

/*
 * Largest c with P0(W+ <= c) < alpha for n differences without ties or zeros, -1 when none.
 * Exact for n <= IPCB_SR_EXACT_MAX_N, else the normal approximation with the continuity
 * correction: c = floor(n(n+1)/4 - 0.5 - z[1-alpha] * sqrt(n(n+1)(2n+1)/24)). *exact (may be
 * NULL) says which.
 */
long ipcb_sr_crit(size_t n, double alpha, bool *exact);

/*
 * Hodges-Lehmann estimate of the centre of the paired differences d[0..n) (the median of their
 * Walsh averages) and its confidence bounds, each one-sided at level alpha (see above): lo =
 * A(crit + 1), hi = A(N - crit), or -INFINITY and INFINITY when crit < 0 (too few differences
 * for any p below alpha). out->crit is ipcb_sr_crit(n, alpha). The Walsh averages' order
 * statistics are found by bisection on the value with an O(n) count per step, so nothing of size
 * n^2 is held. Returns 0, -EINVAL (n is 0, a NULL pointer, a NaN or infinite value, alpha outside
 * (0, 1)) or -ENOMEM.
 */
int ipcb_sr_hl(const double *d, size_t n, double alpha, struct ipcb_shift *out);

/*
 * A distribution-free confidence interval of the median of x[0..n) from its order statistics:
 * [x(k), x(n + 1 - k)] (1-based, ascending) covers the median of the distribution with
 * probability 1 - 2 P(B <= k - 1), B ~ Binomial(n, 1/2), whatever that distribution is. The
 * narrowest such interval whose coverage is at least conf is returned in lo and hi, and its
 * coverage in *achieved; when even [min, max] (k = 1, coverage 1 - 2^(1-n)) falls short of
 * conf, [min, max] is returned with its lower coverage, which the caller can compare with conf.
 * Returns 0, -EINVAL (n is 0, a NULL pointer, a NaN value, conf outside (0, 1)) or -ENOMEM.
 */
int ipcb_median_ci(const double *x, size_t n, double conf, double *lo, double *hi,
		   double *achieved);

/*
 * The modes of a sample of positive measurements (rates or latencies): a machine that switches
 * between states (a virtual CPU moved to a busy core, a frequency step) gives a sample in
 * clusters, whose median describes neither.
 *
 * The rule, on the logs of the values (so that a gap is a ratio), sorted ascending: a run of
 * values splits in two at a gap between neighbours when
 *  - the gap is at least log(1.25) (the two sides differ by 25 % or more), and
 *  - the gap is at least 3 times the larger of the two sides' own ranges (max - min of their
 *    logs, taken as at least log(1.02) so that a side of nearly equal values does not make any
 *    small gap count), and
 *  - each side holds at least 2 values and at least 15 % of all n values.
 * Among all the gaps that qualify in all the runs so far, the largest splits first; splitting
 * stops at IPCB_MODES_MAX modes or when no gap qualifies. Fewer than 4 values are always one
 * mode. Three clusters at equal distances stay one mode: each split's side then holds a cluster
 * and a gap as wide as the one split at.
 */
#define IPCB_MODES_MAX 3

/* The modes found, ascending: mode i holds count[i] values from lo[i] to hi[i]. */
struct ipcb_modes {
	size_t n; /* modes: 1 .. IPCB_MODES_MAX */
	size_t count[IPCB_MODES_MAX];
	double median[IPCB_MODES_MAX], lo[IPCB_MODES_MAX], hi[IPCB_MODES_MAX];
};

/*
 * Find the modes of x[0..n) by the rule above. Returns 0, -EINVAL (n is 0, a NULL pointer, a
 * value that is not a positive finite number) or -ENOMEM.
 */
int ipcb_modes_find(const double *x, size_t n, struct ipcb_modes *out);

/*
 * Two states of the machine, from the probes taken beside its rows: a virtual machine whose two
 * CPUs the host puts on one core for a while bounces a cache line several times slower, and a
 * sample of such probes falls into two clusters that no fixed factor separates well (the second
 * may sit anywhere from 1.5x to 5x the first).
 *
 * The split, on the logs of the values: the boundary between two neighbours of the sorted sample
 * that leaves the least variance within the two sides (Otsu's two-class criterion, which
 * Jenks's natural breaks reduce to for two classes). It counts as two states only when they
 * are apart: their means differ by at least 25 % and by at least IPCB_STATES_APART standard
 * deviations of the values within them (a normal or uniform sample split at its middle gives
 * 2.7 and 3.5), and the smaller side holds at least 2 values and 2 % of them. Otherwise the
 * sample is one state.
 */
#define IPCB_STATES_APART 4.0
/*
 * Values farther than this factor from the median either way count as this far (a probe held up
 * by the host, not a state: stats.c says why).
 */
#define IPCB_STATES_FAR 10.0

struct ipcb_states {
	size_t n;	   /* 1 or 2 */
	double threshold;  /* a value below it is of the first state; INFINITY with one */
	size_t count[2];   /* values in each */
	double median[2];  /* each state's median */
	double separation; /* the means' distance in within-state deviations (0: one state) */
};

/*
 * The states of x[0..n) by the rule above. Returns 0, -EINVAL (n is 0, a NULL pointer, a value
 * that is not a positive finite number) or -ENOMEM.
 */
int ipcb_states_find(const double *x, size_t n, struct ipcb_states *out);

/*
 * A small deterministic random number generator for resampling: splitmix64 (Steele, Lea and
 * Flood 2014), whose whole state is one 64-bit number: the same seed gives the same sequence on
 * every machine. ipcb_rng_next() returns the next 64 random bits; ipcb_rng_below() a number
 * uniform in [0, n) (by rejection: no value is more likely than another), 0 when n is 0.
 */
uint64_t ipcb_rng_next(uint64_t *state);
size_t ipcb_rng_below(uint64_t *state, size_t n);

#endif /* IPCB_STATS_H */
