/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - known-value tests of lib/stats.c and ranktest.c: median, MAD, spread, the normal
 * helpers, the Mann-Whitney U test, its critical values, the shifted test, the Hodges-Lehmann
 * shift and its interval, Holm's procedure and the alpha spent per look; the Wilcoxon
 * signed-rank test, its critical values, the paired Hodges-Lehmann estimate and its interval, the
 * median's order-statistic interval, the modes of a sample and the random number generator.
 *
 * Exact p-values are checked two independent ways: against textbook counts (partitions of U,
 * worked out in the comments) and against a brute-force reference here that enumerates every
 * way to split the pooled sample and counts U by comparing pairs - no ranks, no recursion - so a
 * mistake in ranktest.c's mid-rank knapsack cannot hide behind the same mistake in the reference.
 * Normal-approximation values were computed by hand from the formulas in stats.h (arithmetic in
 * the comments) and written here as literals. The signed-rank test is checked the same two ways:
 * textbook counts of the sums of ranks, and every one of the 2^n sign assignments enumerated with
 * mid-ranks counted pair by pair.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "../tap.h"

static bool near_rel(double got, double want, double rel)
{
	if (got == want)
		return true;
	return fabs(got - want) <= rel * fabs(want);
}

static void check_near(double got, double want, double rel, const char *what)
{
	if (!ok(near_rel(got, want, rel), "%s", what))
		tap_diag("got %.15g, want %.15g (relative tolerance %g)", got, want, rel);
}

/* ---- median, MAD, spread ---- */

struct robust_case {
	double x[8];
	size_t n;
	double median, mad;
};

static const struct robust_case robust_cases[] = {
    /* one value: median itself, no deviation */
    {{42}, 1, 42, 0},
    /* odd n with an outlier: deviations 2,1,0,1,97 -> sorted 0,1,1,2,97 -> MAD 1 */
    {{1, 2, 3, 4, 100}, 5, 3, 1},
    /* even n: median (2+3)/2; deviations 1.5,.5,.5,1.5 -> MAD (0.5+1.5)/2 = 1 */
    {{4, 1, 3, 2}, 4, 2.5, 1},
    /* unsorted with ties: sorted 5,5,5,7,9 -> 5; deviations 0,0,0,2,4 -> MAD 0 */
    {{9, 5, 7, 5, 5}, 5, 5, 0},
    /* 100,110,90,100,105: median 100; deviations 0,10,10,0,5 -> 0,0,5,10,10 -> MAD 5 */
    {{100, 110, 90, 100, 105}, 5, 100, 5},
};

static void test_robust(void)
{
	for (size_t i = 0; i < sizeof(robust_cases) / sizeof(robust_cases[0]); i++) {
		const struct robust_case *c = &robust_cases[i];
		double copy[8], med = -1, mad = -1, med2 = -1;
		int rc_med, rc_mad;

		memcpy(copy, c->x, sizeof(copy));
		rc_med = ipcb_stats_median(c->x, c->n, &med);
		rc_mad = ipcb_stats_mad(c->x, c->n, &mad, &med2);
		ok(rc_med == 0 && med == c->median, "median of case %zu is %g (got %g)", i,
		   c->median, med);
		ok(rc_mad == 0 && mad == c->mad && med2 == c->median,
		   "MAD of case %zu is %g (got %g)", i, c->mad, mad);
		ok(memcmp(copy, c->x, sizeof(copy)) == 0, "case %zu: input left unsorted", i);
	}
	{
		static const double x[] = {100, 110, 90, 100, 105};
		double s = 0;

		ok(ipcb_stats_spread(x, 5, &s) == 0, "spread of 100,110,90,100,105 computes");
		/* 1.4826 * 5 / 100 */
		check_near(s, 0.07413, 1e-12, "spread = 1.4826 * MAD / median = 7.413 %");
	}
	{
		static const double zeros[] = {0, 0, 0};
		double s, m;

		ok_eq(ipcb_stats_spread(zeros, 3, &s), -EDOM, "spread with median 0 is -EDOM");
		ok_eq(ipcb_stats_median(zeros, 0, &m), -EINVAL, "median of nothing is -EINVAL");
	}
}

static void test_normal(void)
{
	check_near(ipcb_stats_norm_cdf(0), 0.5, 1e-15, "Phi(0) = 0.5");
	/* Tables: Phi(1.96) = 0.9750021048517795, Phi(-3) = 0.0013498980316301 */
	check_near(ipcb_stats_norm_cdf(1.96), 0.9750021048517795, 1e-12, "Phi(1.96)");
	check_near(ipcb_stats_norm_cdf(-3), 0.0013498980316301, 1e-10, "Phi(-3)");
	check_near(ipcb_stats_norm_quantile(0.975), 1.959963984540054, 1e-10, "z(0.975) = 1.96");
	check_near(ipcb_stats_norm_quantile(0.01), -2.326347874040841, 1e-10, "z(0.01) = -2.326");
	check_near(ipcb_stats_norm_quantile(0.8), 0.8416212335729143, 1e-10, "z(0.8) = 0.8416");
}

/* ---- Mann-Whitney: the brute-force reference ---- */

/*
 * Every way to pick which m of the pooled n + m values are "y": U of that split counted pair by
 * pair (0.5 for ties). Returns P(U' <= u) and P(U' >= u). Only for n + m <= 20.
 */
static void brute_force(const double *x, size_t n, const double *y, size_t m, double u,
			double *p_le, double *p_ge)
{
	double pool[20], le = 0, ge = 0, total = 0;
	size_t nz = n + m;

	memcpy(pool, x, n * sizeof(*x));
	memcpy(pool + n, y, m * sizeof(*y));
	for (uint32_t mask = 0; mask < (1u << nz); mask++) {
		double uu = 0;

		if ((size_t)__builtin_popcount(mask) != m)
			continue;
		for (size_t i = 0; i < nz; i++) {
			if (mask & (1u << i))
				continue; /* i is an x of this split */
			for (size_t j = 0; j < nz; j++) {
				if (!(mask & (1u << j)))
					continue;
				uu += pool[j] > pool[i] ? 1 : pool[j] == pool[i] ? 0.5 : 0;
			}
		}
		total++;
		/* U values are multiples of 0.5, exact in binary: compare exactly. */
		le += uu <= u;
		ge += uu >= u;
	}
	*p_le = le / total;
	*p_ge = ge / total;
}

static double pairs_u(const double *x, size_t n, const double *y, size_t m)
{
	double u = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
	return u;
}

/* Textbook exact values, no ties. */
static void test_mw_textbook(void)
{
	struct ipcb_mw r;

	{
		/* n = m = 2, y entirely below x: U = 0; P(U <= 0) = 1 / C(4,2) = 1/6 */
		static const double x[] = {3, 4}, y[] = {1, 2};

		ok(ipcb_mw_test(x, 2, y, 2, &r) == 0, "mw 2x2 runs");
		ok(r.u == 0 && r.exact && !r.ties, "2x2 separated: U = 0, exact, no ties");
		check_near(r.p_less, 1.0 / 6, 1e-12, "2x2 separated: p_less = 1/6");
		check_near(r.p_greater, 1, 1e-12, "2x2 separated: p_greater = 1");
		check_near(ipcb_mw_min_p(2, 2), 1.0 / 6, 1e-12, "min p for 2 and 2 = 1/6");
	}
	{
		/* n = m = 3 separated: 1 / C(6,3) = 1/20 = 0.05 */
		static const double x[] = {10, 11, 12}, y[] = {1, 2, 3};

		ipcb_mw_test(x, 3, y, 3, &r);
		check_near(r.p_less, 0.05, 1e-12, "3x3 separated: p_less = 1/20");
		check_near(ipcb_mw_min_p(3, 4), 1.0 / 35, 1e-12, "min p for 3 and 4 = 1/C(7,3)");
	}
	{
		/*
		 * n = m = 5: the number of splits with U = u is the number of partitions of u into
		 * at most 5 parts of at most 5: u = 0..4 -> 1, 1, 2, 3, 5. So P(U <= 4) = 12/252
		 * = 0.0476 (the classic one-sided 5 % critical value U = 4 for n = m = 5) and
		 * P(U <= 2) = 4/252. Here y = 1,2,3,4,7 and x = 5,6,8,9,10: only 7 beats 5 and 6,
		 * so U = 2.
		 */
		static const double x[] = {5, 6, 8, 9, 10}, y[] = {1, 2, 3, 4, 7};
		static const double x4[] = {3, 6, 8, 9, 10}, y4[] = {1, 2, 4, 5, 7};

		ipcb_mw_test(x, 5, y, 5, &r);
		ok(r.u == 2, "5x5: U = 2 (got %g)", r.u);
		check_near(r.p_less, 4.0 / 252, 1e-12, "5x5 U = 2: p_less = 4/252");
		/* U = 4: 4 > 3, 5 > 3, 7 > 3, 7 > 6 */
		ipcb_mw_test(x4, 5, y4, 5, &r);
		ok(r.u == 4, "5x5: U = 4 (got %g)", r.u);
		check_near(r.p_less, 12.0 / 252, 1e-12, "5x5 U = 4: p_less = 12/252 = 0.0476");
		/* By symmetry of the null distribution, P(U >= nm - 4) is the same. */
		ipcb_mw_test(y4, 5, x4, 5, &r);
		ok(r.u == 21, "swapped: U = 25 - 4 = 21 (got %g)", r.u);
		check_near(r.p_greater, 12.0 / 252, 1e-12, "swapped: p_greater = 12/252");
	}
	{
		/* All values equal: U = nm/2 and no evidence either way. */
		static const double x[] = {7, 7, 7}, y[] = {7, 7, 7, 7};

		ipcb_mw_test(x, 3, y, 4, &r);
		ok(r.u == 6 && r.ties && r.p_less == 1 && r.p_greater == 1,
		   "all tied: U = 6, both p = 1 (got U %g, %g, %g)", r.u, r.p_less, r.p_greater);
	}
}

/* Exact p-values with and without ties against the brute-force reference. */
static void test_mw_exact_vs_brute(void)
{
	/* Small integer values make ties common; sizes up to 9 + 9. */
	unsigned seed = 12345;
	int agree = 0, tied = 0, trials = 300;

	for (int t = 0; t < trials; t++) {
		double x[10], y[10], ple, pge;
		size_t n, m;
		struct ipcb_mw r;
		int span;

		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % 9;
		seed = seed * 1103515245 + 12345;
		m = 1 + (seed >> 16) % 9;
		span = t % 3 == 0 ? 1000 : 6; /* a third nearly tie-free, the rest full of ties */
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			x[i] = (double)((seed >> 16) % (unsigned)span);
		}
		for (size_t j = 0; j < m; j++) {
			seed = seed * 1103515245 + 12345;
			/* shift y a little so both tails get exercised */
			y[j] = (double)((seed >> 16) % (unsigned)span) + (t % 2 ? 1 : 0);
		}
		if (ipcb_mw_test(x, n, y, m, &r) != 0)
			continue;
		brute_force(x, n, y, m, pairs_u(x, n, y, m), &ple, &pge);
		tied += r.ties;
		if (r.exact && r.u == pairs_u(x, n, y, m) && near_rel(r.p_less, ple, 1e-12) &&
		    near_rel(r.p_greater, pge, 1e-12))
			agree++;
		else
			tap_diag("trial %d (n %zu, m %zu): U %g vs %g, p_less %.15g vs %.15g, "
				 "p_greater %.15g vs %.15g",
				 t, n, m, r.u, pairs_u(x, n, y, m), r.p_less, ple, r.p_greater,
				 pge);
	}
	ok_eq(agree, trials, "exact U and both p-values match brute-force enumeration");
	ok(tied > trials / 2, "most of those trials had ties (%d of %d)", tied, trials);

	{
		/*
		 * A hand-checked tied case: x = 1,2,2 and y = 2,3. U counts y > x plus half ties:
		 * y=2: beats 1, ties two 2s -> 1 + 1; y=3: beats all three -> 3. U = 5 of 6.
		 * The C(5,2) = 10 splits of the pool {1,2,2,2,3} into y (2 values) and x give
		 * U = 1 (y = {1,2}, 3 ways: which 2), U = 3 (y = {2,2}, 3 ways: 1.5 each; y =
		 * {1,3}, 1 way) and U = 5 (y = {2,3}, 3 ways), so P(U' >= 5) = 3/10.
		 */
		static const double x[] = {1, 2, 2}, y[] = {2, 3};
		struct ipcb_mw r;

		ipcb_mw_test(x, 3, y, 2, &r);
		ok(r.u == 5 && r.ties, "tied 3x2: U = 5 with ties");
		check_near(r.p_greater, 0.3, 1e-12, "tied 3x2: P(U' >= 5) = 3/10");
	}
}

/* Large samples: the normal approximation, values from the formulas by hand. */
static void test_mw_normal(void)
{
	double x[70], y[70];
	struct ipcb_mw r;

	/*
	 * x = 1..70, y = 36..105: N = 140 > 120, so the normal approximation. U counts y > x
	 * plus half ties: y = 36..70 each beat y - 1 values and tie one: sum 35..69 = 1820, plus
	 * 35 * 0.5 = 17.5; y = 71..105 beat all 70: 35 * 70 = 2450. U = 4287.5.
	 * 35 tie blocks of 2: sum(t^3 - t) = 35 * 6 = 210;
	 * var = 4900/12 * (141 - 210 / (140 * 139)) = 57570.59, sd = 239.9387;
	 * p_greater = Phi((2450 - (4287.5 - 0.5)) / 239.9387) = Phi(-7.65612) = 9.5816e-15.
	 */
	for (int i = 0; i < 70; i++) {
		x[i] = i + 1;
		y[i] = i + 36;
	}
	ipcb_mw_test(x, 70, y, 70, &r);
	ok(!r.exact && r.ties && r.u == 4287.5, "70x70 overlapping: normal, U = 4287.5 (got %g)",
	   r.u);
	check_near(r.p_greater, 9.5816e-15, 1e-4, "70x70: p_greater = Phi(-7.65612) = 9.58e-15");
	check_near(r.p_less, 1, 1e-13, "70x70: p_less is the other tail, ~1");

	/*
	 * Heavy ties: x = 1..10 seven times each, y = 3..12 seven times each. Pairs give
	 * U = 3332. Pooled counts: 1, 2, 11, 12 seven times, 3..10 fourteen times:
	 * sum(t^3 - t) = 4 * 336 + 8 * 2730 = 23184; var = 4900/12 * (141 - 23184 / 19460) =
	 * 57088.53, sd = 238.9321; p_greater = Phi((2450 - 3331.5) / 238.9321) = Phi(-3.68933)
	 * = 1.12421e-4. (Without the tie correction it would be 1.195e-4.)
	 */
	for (int i = 0; i < 70; i++) {
		x[i] = 1 + i / 7;
		y[i] = 3 + i / 7;
	}
	ipcb_mw_test(x, 70, y, 70, &r);
	ok(!r.exact && r.u == 3332, "70x70 heavy ties: U = 3332 (got %g)", r.u);
	check_near(r.p_greater, 1.12421e-4, 1e-5, "heavy ties: tie-corrected p = 1.12421e-4");

	/*
	 * Exact against the normal formula (no ties: var = nm(N+1)/12, continuity corrected) for
	 * 30 vs 30 with y shifted down: close at a moderate p, and the normal one is larger
	 * (conservative) in the far tail, as stats.h promises for N beyond the cut-over.
	 */
	{
		static const double shifts[] = {7, 14};
		double a[30], b[30], mean = 450, sd = sqrt(900.0 / 12 * 61), z, approx;

		for (int s = 0; s < 2; s++) {
			for (int i = 0; i < 30; i++) {
				a[i] = i;
				b[i] = i - shifts[s] + 0.25; /* .25 offsets: no ties */
			}
			ipcb_mw_test(a, 30, b, 30, &r);
			z = (r.u + 0.5 - mean) / sd;
			approx = ipcb_stats_norm_cdf(z);
			tap_diag("30x30 shift %g: U %g, exact p %.5g, normal %.5g", shifts[s], r.u,
				 r.p_less, approx);
			ok(r.exact && !r.ties, "30x30 shift %g: exact, no ties", shifts[s]);
			if (s == 0)
				check_near(approx, r.p_less, 0.15,
					   "moderate p: normal within 15 % of exact");
			else
				ok(approx > r.p_less, "far tail: the normal p is conservative");
		}
	}
}

static void test_mw_errors(void)
{
	static const double x[] = {1, 2}, y[] = {3, NAN};
	struct ipcb_mw r;

	ok_eq(ipcb_mw_test(x, 0, y, 1, &r), -EINVAL, "empty x is -EINVAL");
	ok_eq(ipcb_mw_test(x, 2, y, 2, &r), -EINVAL, "a NaN is -EINVAL");
}

static void test_repeats(void)
{
	/* 1/C(8,4) = 1/70 = 0.0143 >= 0.01; 1/C(10,5) = 1/252 = 0.00397 < 0.01 -> 5 */
	ok_eq(ipcb_mw_repeats_possible(0.01), 5, "alpha 0.01 needs 5 repeats a side at least");
	/* 0.0025: 1/252 is not below, 1/C(12,6) = 1/924 is -> 6 */
	ok_eq(ipcb_mw_repeats_possible(0.0025), 6, "alpha 0.0025 needs 6 at least");
	/*
	 * 5 % shift, 8 % spread, alpha 0.0025, power 0.8: P = Phi(0.05 / (0.08 * 1.41421)) =
	 * Phi(0.44194) = 0.67073; (z(0.9975) + z(0.8))^2 = (2.80703 + 0.84162)^2 = 13.3126;
	 * k = 13.3126 / (6 * 0.17073^2) = 76.1 -> 77.
	 */
	ok_eq(ipcb_mw_repeats_needed(0.05, 0.08, 0.0025, 0.8), 77, "5%% shift at 8%% spread: 77");
	/* 10 % at 5 %, alpha 0.01: P = Phi(1.41421) = 0.92135; (2.32635 + 0.84162)^2 =
	 * 10.0360; k = 10.0360 / (6 * 0.42135^2) = 9.42 -> 10. */
	ok_eq(ipcb_mw_repeats_needed(0.10, 0.05, 0.01, 0.8), 10, "10%% shift at 5%% spread: 10");
	/* No noise: P = 1, k = 10.0360 / 1.5 = 6.7 -> 7 (above the floor of 5). */
	ok_eq(ipcb_mw_repeats_needed(0.05, 0, 0.01, 0.8), 7, "no noise: 7");
	ok(ipcb_mw_repeats_needed(0.05, 0.03, 0.01, 0.8) <
	       ipcb_mw_repeats_needed(0.05, 0.06, 0.01, 0.8),
	   "more noise needs more repeats");
	ok_eq(ipcb_mw_repeats_needed(0, 0.05, 0.01, 0.8), 0, "shift 0 is invalid: 0");
}

/* ---- critical values, the shifted test, Hodges-Lehmann ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * P0(U <= c) without ties by enumeration: every way to choose which m of the ranks 1..n+m are
 * y's, U = (sum of y's ranks) - m(m+1)/2. Counts for each u into cnt[0..n*m].
 */
static void u_counts(size_t n, size_t m, double *cnt, double *total)
{
	size_t nz = n + m;

	*total = 0;
	for (size_t u = 0; u <= n * m; u++)
		cnt[u] = 0;
	for (uint32_t mask = 0; mask < (1u << nz); mask++) {
		size_t rs = 0;

		if ((size_t)__builtin_popcount(mask) != m)
			continue;
		for (size_t i = 0; i < nz; i++)
			if (mask & (1u << i))
				rs += i + 1;
		cnt[rs - m * (m + 1) / 2]++;
		(*total)++;
	}
}

static long crit_by_enumeration(size_t n, size_t m, double alpha)
{
	double cnt[8 * 8 + 1], total, cum = 0;
	long c = -1;

	u_counts(n, m, cnt, &total);
	for (size_t u = 0; u <= n * m; u++) {
		cum += cnt[u];
		if (cum / total >= alpha)
			break;
		c = (long)u;
	}
	return c;
}

static void test_mw_crit(void)
{
	bool exact = false;
	int agree = 0, cases = 0;

	/*
	 * n = m = 5: the counts of U = 0, 1, 2, ... are the partitions of u into at most 5 parts
	 * of at most 5: 1, 1, 2, 3, 5, 7, ... of C(10, 5) = 252. Cumulative 1, 2, 4, 7, 12, 19:
	 * P(U <= 4) = 12/252 = 0.0476 < 0.05 <= P(U <= 5) = 19/252.
	 */
	ok_eq(ipcb_mw_crit(5, 5, 0.05, &exact), 4, "5x5 at 0.05: c = 4 (12/252 < 0.05)");
	ok(exact, "5x5 is exact");
	ok_eq(ipcb_mw_crit(5, 5, 0.025, NULL), 2, "5x5 at 0.025: c = 2 (4/252 < 0.025 <= 7/252)");
	ok_eq(ipcb_mw_crit(5, 5, 0.01, NULL), 1, "5x5 at 0.01: c = 1 (2/252 < 0.01 <= 4/252)");
	/* 2x2: P(U = 0) = 1/6: nothing below 0.1 */
	ok_eq(ipcb_mw_crit(2, 2, 0.1, NULL), -1, "2x2 at 0.1: none (1/6 is the smallest p)");
	/* 3x3: P(U = 0) = 1/20 = 0.05, P(U <= 1) = 2/20: c = 0 at 0.06, -1 at exactly 0.05 */
	ok_eq(ipcb_mw_crit(3, 3, 0.06, NULL), 0, "3x3 at 0.06: c = 0");
	ok_eq(ipcb_mw_crit(3, 3, 0.05, NULL), -1, "3x3 at 0.05: none (p must be below alpha)");
	for (size_t n = 1; n <= 7; n++)
		for (size_t m = 1; m <= 7; m++)
			for (double a = 0.002; a < 0.3; a *= 1.7) {
				cases++;
				agree +=
				    ipcb_mw_crit(n, m, a, NULL) == crit_by_enumeration(n, m, a);
			}
	ok(agree == cases, "q-binomial critical values agree with enumeration (%d of %d)", agree,
	   cases);
	/*
	 * 70x70, normal: mean 2450, sd = sqrt(70 * 70 * 141 / 12) = sqrt(57575) = 239.948;
	 * z(0.975) = 1.959964; 2450 - 0.5 - 1.959964 * 239.948 = 1979.21 -> 1979.
	 */
	ok_eq(ipcb_mw_crit(70, 70, 0.025, &exact), 1979, "70x70 at 0.025: normal, c = 1979");
	ok(!exact, "70x70 is the normal approximation");
	/* exact: 1426, computed with integers (big-number arithmetic) from the same product */
	ok_eq(ipcb_mw_crit(60, 60, 0.025, &exact), 1426, "60x60 at 0.025: exact c = 1426");
}

static void test_hl(void)
{
	/* y - x for x = 1,2,3 and y = 2,4,6: -1,0,1,1,2,3,3,4,5 sorted: median (5th) 2 */
	static const double x[] = {3, 1, 2}, y[] = {6, 2, 4};
	/* even: x = 0,10, y = 1,2: 1,2,-9,-8 -> -9,-8,1,2: median (-8 + 1) / 2 */
	static const double x2[] = {0, 10}, y2[] = {1, 2};
	struct ipcb_shift h;
	struct ipcb_mw mw, ref;
	double xs[3];

	ok(ipcb_hl_shift(x, 3, y, 3, 0.06, &h) == 0 && h.est == 2, "HL of 1,2,3 / 2,4,6 is 2");
	/* 3x3 at 0.06: c = 0, so the bounds are the extreme differences, D(1) and D(9) */
	ok(h.crit == 0 && h.lo == -1 && h.hi == 5, "at 0.06: [D(1), D(9)] = [-1, 5] (got [%g, %g])",
	   h.lo, h.hi);
	/* at 0.11: P(U <= 1) = 0.1 < 0.11 -> c = 1: [D(2), D(8)] = [0, 4] */
	ok(ipcb_hl_shift(x, 3, y, 3, 0.11, &h) == 0 && h.crit == 1 && h.lo == 0 && h.hi == 4,
	   "at 0.11: [D(2), D(8)] = [0, 4] (got [%g, %g])", h.lo, h.hi);
	ok(ipcb_hl_shift(x, 3, y, 3, 0.05, &h) == 0 && h.crit == -1 && isinf(h.lo) && h.lo < 0 &&
	       isinf(h.hi) && h.hi > 0,
	   "at 0.05 nothing is significant: the interval is unbounded");
	ok(ipcb_hl_shift(x2, 2, y2, 2, 0.1, &h) == 0 && h.est == -3.5, "HL of an even count: -3.5");
	ok_eq(ipcb_hl_shift(x, 0, y, 3, 0.05, &h), -EINVAL, "HL of an empty side is -EINVAL");
	xs[0] = 1, xs[1] = INFINITY, xs[2] = 2;
	ok_eq(ipcb_hl_shift(xs, 3, y, 3, 0.05, &h), -EINVAL, "HL of an infinite value is -EINVAL");

	/* The shifted test is the plain test on x + shift. */
	for (int i = 0; i < 3; i++)
		xs[i] = x[i] + 1.5;
	ok(ipcb_mw_shift_test(x, 3, y, 3, 1.5, &mw) == 0 && ipcb_mw_test(xs, 3, y, 3, &ref) == 0 &&
	       mw.u == ref.u && mw.p_less == ref.p_less && mw.p_greater == ref.p_greater,
	   "shift test at 1.5 equals the U test of x + 1.5 against y");
}

/*
 * The interval is the inversion of the shifted test: with continuous data, the one-sided test of
 * "shift >= s" rejects at alpha exactly for s above the upper bound, and "shift <= s" exactly
 * for s below the lower one. Checked just inside and just outside each bound, on random samples
 * against order statistics of the materialised differences.
 */
static void test_hl_inverts_test(void)
{
	int good = 0, trials = 0, order_ok = 0;

	srand(7);
	for (int t = 0; t < 60; t++) {
		size_t n = 4 + (size_t)(rand() % 12), m = 4 + (size_t)(rand() % 12);
		double x[16], y[16], d[256], alpha = t % 2 ? 0.01 : 0.05, eps;
		struct ipcb_shift h;
		struct ipcb_mw in_hi, out_hi, in_lo, out_lo;
		size_t nd = 0;

		for (size_t i = 0; i < n; i++)
			x[i] = (double)rand() / RAND_MAX;
		for (size_t j = 0; j < m; j++)
			y[j] = (double)rand() / RAND_MAX + 0.3 * (t % 3);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < m; j++)
				d[nd++] = y[j] - x[i];
		qsort(d, nd, sizeof(*d), cmp_double);
		if (ipcb_hl_shift(x, n, y, m, alpha, &h) < 0 || h.crit < 0)
			continue;
		trials++;
		order_ok += h.lo == d[h.crit] && h.hi == d[nd - 1 - (size_t)h.crit] &&
			    h.est == (nd % 2 ? d[nd / 2] : d[nd / 2 - 1] / 2 + d[nd / 2] / 2);
		eps = 1e-9;
		ipcb_mw_shift_test(x, n, y, m, h.hi + eps, &out_hi);
		ipcb_mw_shift_test(x, n, y, m, h.hi - eps, &in_hi);
		ipcb_mw_shift_test(x, n, y, m, h.lo - eps, &out_lo);
		ipcb_mw_shift_test(x, n, y, m, h.lo + eps, &in_lo);
		good += out_hi.p_less < alpha && !(in_hi.p_less < alpha) &&
			out_lo.p_greater < alpha && !(in_lo.p_greater < alpha);
	}
	ok(trials > 40, "random samples with a bounded interval: %d", trials);
	ok(order_ok == trials, "bounds and estimate are the differences' order statistics (%d/%d)",
	   order_ok, trials);
	ok(good == trials, "the shifted test rejects exactly outside the interval (%d/%d)", good,
	   trials);
}

static void test_holm(void)
{
	/* sorted 0.005 < 0.05/4, 0.01 < 0.05/3, 0.03 >= 0.05/2: stop; 0.04 kept too */
	static const double p[] = {0.01, 0.04, 0.03, 0.005};
	/* Bonferroni would reject only 0.005 and 0.01 < 0.0125 too; Holm rejects 0.02 after them */
	static const double q[] = {0.02, 0.005, 0.01, 0.9};
	static const double nan_first[] = {NAN, 0.001};
	bool r[4];
	double level[4];

	ok(ipcb_holm(p, 4, 0.05, r, level) == 0 && r[3] && r[0] && !r[2] && !r[1],
	   "Holm rejects 0.005 and 0.01, keeps 0.03 and 0.04");
	ok(level[3] == 0.05 / 4 && level[0] == 0.05 / 3 && level[2] == 0.05 / 2 &&
	       level[1] == 0.05 / 2,
	   "levels: 0.0125 and 0.0167 for the rejected, 0.025 for the kept");
	ok(ipcb_holm(q, 4, 0.05, r, NULL) == 0 && r[1] && r[2] && r[0] && !r[3],
	   "Holm steps down past Bonferroni's 0.0125: 0.02 < 0.05/2 is rejected");
	ok(ipcb_holm(nan_first, 2, 0.05, r, NULL) == 0 && !r[0] && r[1],
	   "a NaN p is never rejected and does not block the others");
	ok(ipcb_holm(p, 0, 0.05, r, NULL) == 0, "no hypotheses: nothing to do");
	ok_eq(ipcb_holm(p, 4, 0, r, NULL), -EINVAL, "alpha 0 is -EINVAL");
}

static void test_alpha_share(void)
{
	double sum = 0;

	check_near(ipcb_alpha_share(1, 4), 1.0 / 16, 0, "look 1 of 4 spends 1/16");
	check_near(ipcb_alpha_share(2, 4), 1.0 / 8, 0, "look 2 of 4 spends 1/8");
	check_near(ipcb_alpha_share(3, 4), 1.0 / 4, 0, "look 3 of 4 spends 1/4");
	check_near(ipcb_alpha_share(4, 4), 9.0 / 16, 0, "the last of 4 spends 9/16");
	check_near(ipcb_alpha_share(1, 1), 1, 0, "a single look spends all of alpha");
	for (unsigned i = 1; i <= 12; i++)
		sum += ipcb_alpha_share(i, 12);
	check_near(sum, 1, 1e-15, "the 12 shares of 12 looks add up to 1");
	for (unsigned i = 2; i <= 12; i++)
		if (!ok(ipcb_alpha_share(i, 12) >= 2 * ipcb_alpha_share(i - 1, 12),
			"look %u of 12 spends at least twice look %u", i, i - 1))
			break;
	ok(ipcb_alpha_share(0, 4) == 0 && ipcb_alpha_share(5, 4) == 0 &&
	       ipcb_alpha_share(1, 0) == 0,
	   "look 0, a look beyond K, or K = 0: share 0");
}

/* ---- the Wilcoxon signed-rank test ---- */

/*
 * The reference: every one of the 2^n sign assignments of |e|, W+ of each with each mid-rank
 * counted pair by pair (#{j : |e_j| < |e_i|} + (#{j : |e_j| == |e_i|} + 1) / 2), no sorting.
 * Zeros are dropped first, as the test does. Only for n <= 16.
 */
static void sr_brute(const double *d, size_t n, double shift, double *w, double *p_le, double *p_ge)
{
	double a[16], r[16], obs = 0, le = 0, ge = 0, total = 0;
	bool pos[16];
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (d[i] != shift) {
			a[m] = fabs(d[i] - shift);
			pos[m++] = d[i] > shift;
		}
	for (size_t i = 0; i < m; i++) {
		double below = 0, same = 0;

		for (size_t j = 0; j < m; j++) {
			below += a[j] < a[i];
			same += a[j] == a[i];
		}
		r[i] = below + (same + 1) / 2;
		if (pos[i])
			obs += r[i];
	}
	for (uint32_t mask = 0; mask < (1u << m); mask++) {
		double ww = 0;

		for (size_t i = 0; i < m; i++)
			if (mask & (1u << i))
				ww += r[i];
		total++;
		/* Sums of half-integers: exact in binary. */
		le += ww <= obs;
		ge += ww >= obs;
	}
	*w = obs;
	*p_le = m ? le / total : 1;
	*p_ge = m ? ge / total : 1;
}

static void test_sr_textbook(void)
{
	struct ipcb_sr r = {0};

	{
		/* n = 5, all above 0: W+ = 15, only one assignment of 32 reaches it. */
		static const double d[] = {1, 2, 3, 4, 5};

		ok(ipcb_sr_shift_test(d, 5, 0, &r) == 0, "sr of 1..5 runs");
		ok(r.w == 15 && r.n == 5 && r.exact && !r.ties, "1..5: W+ = 15, exact, no ties");
		check_near(r.p_greater, 1.0 / 32, 1e-12, "1..5: p_greater = 1/32");
		check_near(r.p_less, 1, 1e-12, "1..5: p_less = 1");
		check_near(ipcb_sr_min_p(5), 1.0 / 32, 0, "min p for 5 = 2^-5");
		check_near(ipcb_sr_min_p(20), ldexp(1, -20), 0, "min p for 20 = 2^-20");
	}
	{
		/*
		 * n = 10: the counts of W+ = 0, 1, ..., 8 (subsets of 1..10 with that sum) are 1,
		 * 1, 1, 2, 2, 3, 4, 5, 6; cumulative 25 of 1024 at 8 (the textbook one-sided 2.5 %
		 * critical value). Here the positive differences are ranks 1, 3 and 4: W+ = 8.
		 */
		static const double d[] = {1, -2, 3, 4, -5, -6, -7, -8, -9, -10};

		ipcb_sr_shift_test(d, 10, 0, &r);
		ok(r.w == 8 && r.n == 10, "10 differences: W+ = 8 (got %g)", r.w);
		check_near(r.p_less, 25.0 / 1024, 1e-12, "W+ = 8 of n = 10: p_less = 25/1024");
		/* By symmetry the mirror image has W+ = 55 - 8 = 47 and the same upper tail. */
		{
			double m[10];

			for (int i = 0; i < 10; i++)
				m[i] = -d[i];
			ipcb_sr_shift_test(m, 10, 0, &r);
			ok(r.w == 47, "mirrored: W+ = 47 (got %g)", r.w);
			check_near(r.p_greater, 25.0 / 1024, 1e-12,
				   "mirrored: p_greater = 25/1024");
		}
	}
	{
		/* Zeros dropped (Wilcoxon): 0, 0 leave 1, 2, 3: W+ = 6 of n = 3, p = 1/8. */
		static const double d[] = {0, 1, 0, 2, 3};

		ipcb_sr_shift_test(d, 5, 0, &r);
		ok(r.n == 3 && r.w == 6, "zeros dropped: n = 3, W+ = 6");
		check_near(r.p_greater, 1.0 / 8, 1e-12, "zeros dropped: p_greater = 1/8");
	}
	{
		/* Every d equal to the shift: nothing left, no evidence either way. */
		static const double d[] = {2, 2, 2};

		ok(ipcb_sr_shift_test(d, 3, 2, &r) == 0 && r.n == 0 && r.p_less == 1 &&
		       r.p_greater == 1,
		   "every d at the shift: n = 0, both p = 1");
	}
	{
		/*
		 * Ties: |e| = 1, 1, 2 with signs +, -, +: mid-ranks 1.5, 1.5, 3: W+ = 4.5. The 8
		 * assignments give W+ = 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6: P(W' >= 4.5) = 3/8 and
		 * P(W' <= 4.5) = 7/8.
		 */
		static const double d[] = {1, -1, 2};

		ipcb_sr_shift_test(d, 3, 0, &r);
		ok(r.w == 4.5 && r.ties, "tied: W+ = 4.5 with ties");
		check_near(r.p_greater, 3.0 / 8, 1e-12, "tied: P(W' >= 4.5) = 3/8");
		check_near(r.p_less, 7.0 / 8, 1e-12, "tied: P(W' <= 4.5) = 7/8");
	}
}

static void test_sr_exact_vs_brute(void)
{
	unsigned seed = 4242;
	int agree = 0, tied = 0, zeros = 0, trials = 300;

	for (int t = 0; t < trials; t++) {
		double d[14], w, ple, pge, shift = t % 4 == 0 ? 0.5 : 2;
		size_t n;
		struct ipcb_sr r;
		int span = t % 3 == 0 ? 1000 : 5;

		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % 14;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			d[i] = (double)((seed >> 16) % (unsigned)span) - (t % 2 ? 0 : 1);
		}
		if (ipcb_sr_shift_test(d, n, shift, &r) != 0)
			continue;
		sr_brute(d, n, shift, &w, &ple, &pge);
		tied += r.ties;
		zeros += r.n < n;
		if (r.exact && r.w == w && near_rel(r.p_less, ple, 1e-12) &&
		    near_rel(r.p_greater, pge, 1e-12))
			agree++;
		else
			tap_diag("trial %d (n %zu): W %g vs %g, p_less %.15g vs %.15g, p_greater "
				 "%.15g vs %.15g",
				 t, n, r.w, w, r.p_less, ple, r.p_greater, pge);
	}
	ok_eq(agree, trials, "exact W+ and both p-values match all 2^n sign assignments");
	ok(tied > trials / 3 && zeros > trials / 10,
	   "those trials had ties (%d) and zeros (%d of %d)", tied, zeros, trials);
}

static void test_sr_normal(void)
{
	double d[130];
	struct ipcb_sr r = {0};

	/*
	 * d = 1..120, shift 40.25: |d - shift| = 0.25, 0.75, ... all distinct, no zeros: n = 120
	 * beyond the exact bound. Ranks: the 39 below (39.75 .. 0.75) and 81 above (0.25 ..
	 * 79.75) interleave; W+ = 5660 (the ranks of the 81 above, summed). mean = 120 * 121 / 4
	 * = 3630, var = 120 * 121 * 241 / 24 = 145805, sd = 381.844;
	 * p_greater = Phi((3630 - 5659.5) / 381.844) = Phi(-5.31500) = 5.33302e-8.
	 */
	for (int i = 0; i < 120; i++)
		d[i] = i + 1;
	ok(ipcb_sr_shift_test(d, 120, 40.25, &r) == 0 && !r.exact && !r.ties && r.w == 5660,
	   "120 differences: normal, no ties, W+ = 5660 (got %g)", r.w);
	check_near(r.p_greater, 5.33302e-8, 1e-5, "120: p_greater = Phi(-5.315) = 5.333e-8");

	/*
	 * Heavy ties: d = 1 + (i mod 7) for 130 values, shift 4.5: |e| = 0.5, 1.5, 2.5, 3.5, each
	 * from two values of d (d = 4 and 5, 3 and 6, ...), 38 or 36 of them: with i mod 7 = 0..6
	 * occurring 19, 19, 19, 19, 18, 18, 18 times, W+ = 3024 (from d = 5, 6, 7). The variance
	 * from the mid-ranks, sum(r^2) / 4 = 181895.25, equals the textbook tie-corrected
	 * n(n+1)(2n+1)/24 - sum(t^3 - t)/48; mean 130 * 131 / 4 = 4257.5;
	 * p_less = Phi((3024.5 - 4257.5) / 426.492) = Phi(-2.89104) = 1.91992e-3.
	 */
	for (int i = 0; i < 130; i++)
		d[i] = 1 + i % 7;
	ipcb_sr_shift_test(d, 130, 4.5, &r);
	ok(!r.exact && r.ties && r.w == 3024, "130 heavily tied: W+ = 3024 (got %g)", r.w);
	check_near(r.p_less, 1.91992e-3, 1e-4, "130 tied: tie-corrected p_less = 1.91992e-3");
}

static void test_sr_crit(void)
{
	bool exact = false;
	int agree = 0, cases = 0;

	/* n = 10 (counts above): P(W+ <= 8) = 25/1024 < 0.025 <= 33/1024 = P(W+ <= 9) */
	ok_eq(ipcb_sr_crit(10, 0.025, &exact), 8, "n = 10 at 0.025: c = 8");
	ok(exact, "n = 10 is exact");
	/* P(W+ <= 10) = 43/1024 = 0.042 < 0.05 <= 54/1024 */
	ok_eq(ipcb_sr_crit(10, 0.05, NULL), 10, "n = 10 at 0.05: c = 10");
	/* n = 5: P(W+ = 0) = 1/32 = 0.03125: c = 0 at 0.05, none at 0.03 */
	ok_eq(ipcb_sr_crit(5, 0.05, NULL), 0, "n = 5 at 0.05: c = 0");
	ok_eq(ipcb_sr_crit(5, 0.03, NULL), -1, "n = 5 at 0.03: none (1/32 is the smallest p)");
	ok_eq(ipcb_sr_crit(4, 0.0625, NULL), -1, "n = 4 at exactly 2^-4: none (p must be below)");
	/* Computed with integers (exact sums of subsets): 43 at n = 20, 0.01; 648 at 60; 1955 */
	ok_eq(ipcb_sr_crit(20, 0.01, NULL), 43, "n = 20 at 0.01: c = 43");
	ok_eq(ipcb_sr_crit(60, 0.025, NULL), 648, "n = 60 at 0.025: c = 648");
	ok_eq(ipcb_sr_crit(100, 0.025, &exact), 1955, "n = 100 at 0.025: exact c = 1955");
	ok(exact, "n = 100 is still exact");
	/*
	 * n = 150, normal: mean 5662.5, sd = sqrt(150 * 151 * 301 / 24) = 532.981;
	 * 5662.5 - 0.5 - 1.959964 * 532.981 = 4617.38 -> 4617.
	 */
	ok_eq(ipcb_sr_crit(150, 0.025, &exact), 4617, "n = 150 at 0.025: normal, c = 4617");
	ok(!exact, "n = 150 is the normal approximation");
	/* Against the brute-force distribution for small n: distinct d = 1..n, all signs. */
	for (size_t n = 1; n <= 12; n++)
		for (double a = 0.002; a < 0.3; a *= 1.7) {
			double d[12], w, ple, pge;
			long c = -1;

			/* P(W+ <= s) for each s, from the reference with s as the observed sum. */
			for (long s = 0; s <= (long)(n * (n + 1) / 2); s++) {
				size_t k = 0;
				long left = s;

				/* a sign pattern with W+ = s: take ranks greedily from the top */
				for (size_t i = n; i-- > 0;) {
					bool up = (long)(i + 1) <= left;

					left -= up ? (long)(i + 1) : 0;
					d[k++] = up ? (double)(i + 1) : -(double)(i + 1);
				}
				sr_brute(d, n, 0, &w, &ple, &pge);
				if (!(ple < a))
					break;
				c = s;
			}
			cases++;
			agree += ipcb_sr_crit(n, a, NULL) == c;
		}
	ok(agree == cases, "signed-rank critical values agree with enumeration (%d of %d)", agree,
	   cases);
}

static void test_sr_hl(void)
{
	/*
	 * d = 3, -1, 7, 2, 5: the 15 Walsh averages sorted are -1, 0.5, 1, 2, 2, 2.5, 3, 3, 3.5,
	 * 4, 4.5, 5, 5, 6, 7; the median (8th) is 3.
	 */
	static const double d[] = {3, -1, 7, 2, 5};
	/* even count: d = 4, 1, 3, 2: 1, 1.5, 2, 2, 2.5, 2.5, 3, 3, 3.5, 4: median (2.5 + 2.5)/2 */
	static const double e[] = {4, 1, 3, 2};
	struct ipcb_shift h = {0};
	double bad[2] = {1, NAN};

	ok(ipcb_sr_hl(d, 5, 0.05, &h) == 0 && h.est == 3, "paired HL of 3,-1,7,2,5 is 3 (got %g)",
	   h.est);
	/* n = 5 at 0.05: c = 0, so [A(1), A(15)] = [-1, 7] */
	ok(h.crit == 0 && h.lo == -1 && h.hi == 7,
	   "at 0.05: [A(1), A(15)] = [-1, 7] (got [%g, %g])", h.lo, h.hi);
	/* at 0.07: P(W+ <= 1) = 2/32 = 0.0625 < 0.07 -> c = 1: [A(2), A(14)] = [0.5, 6] */
	ok(ipcb_sr_hl(d, 5, 0.07, &h) == 0 && h.crit == 1 && h.lo == 0.5 && h.hi == 6,
	   "at 0.07: [A(2), A(14)] = [0.5, 6] (got [%g, %g])", h.lo, h.hi);
	ok(ipcb_sr_hl(d, 5, 0.03, &h) == 0 && h.crit == -1 && isinf(h.lo) && h.lo < 0 &&
	       isinf(h.hi) && h.hi > 0,
	   "at 0.03 nothing is significant: the interval is unbounded");
	ok(ipcb_sr_hl(e, 4, 0.1, &h) == 0 && h.est == 2.5, "paired HL of an even count: 2.5");
	ok(ipcb_sr_hl(d, 1, 0.1, &h) == 0 && h.est == 3, "one difference: its own value");
	ok_eq(ipcb_sr_hl(d, 0, 0.05, &h), -EINVAL, "paired HL of nothing is -EINVAL");
	ok_eq(ipcb_sr_hl(bad, 2, 0.05, &h), -EINVAL, "paired HL with a NaN is -EINVAL");
	ok_eq(ipcb_sr_hl(d, 5, 1, &h), -EINVAL, "paired HL at alpha 1 is -EINVAL");
}

/*
 * The paired interval is the inversion of the signed-rank test: for continuous data the test of
 * d - s rejects "centre <= s" at alpha exactly for s below the lower bound, and "centre >= s"
 * exactly for s above the upper one; and the bounds and estimate are the order statistics of the
 * materialised Walsh averages.
 */
static void test_sr_hl_inverts_test(void)
{
	int good = 0, trials = 0, order_ok = 0;
	uint64_t rng = 99;

	for (int t = 0; t < 60; t++) {
		size_t n = 5 + ipcb_rng_below(&rng, 20), nw = 0;
		double d[24], w[24 * 25 / 2], alpha = t % 2 ? 0.01 : 0.05, eps = 1e-9;
		struct ipcb_shift h;
		struct ipcb_sr in_hi, out_hi, in_lo, out_lo;

		for (size_t i = 0; i < n; i++)
			d[i] = (double)(ipcb_rng_next(&rng) >> 11) / 9007199254740992.0 - 0.3 +
			       0.2 * (t % 3);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++)
				w[nw++] = (d[i] + d[j]) / 2;
		qsort(w, nw, sizeof(*w), cmp_double);
		if (ipcb_sr_hl(d, n, alpha, &h) < 0 || h.crit < 0)
			continue;
		trials++;
		order_ok += h.lo == w[h.crit] && h.hi == w[nw - 1 - (size_t)h.crit] &&
			    h.est == (nw % 2 ? w[nw / 2] : w[nw / 2 - 1] / 2 + w[nw / 2] / 2);
		ipcb_sr_shift_test(d, n, h.hi + eps, &out_hi);
		ipcb_sr_shift_test(d, n, h.hi - eps, &in_hi);
		ipcb_sr_shift_test(d, n, h.lo - eps, &out_lo);
		ipcb_sr_shift_test(d, n, h.lo + eps, &in_lo);
		good += out_hi.p_less < alpha && !(in_hi.p_less < alpha) &&
			out_lo.p_greater < alpha && !(in_lo.p_greater < alpha);
	}
	ok(trials > 40, "random differences with a bounded interval: %d", trials);
	ok(order_ok == trials,
	   "bounds and estimate are the Walsh averages' order statistics (%d/%d)", order_ok,
	   trials);
	ok(good == trials, "the signed-rank test rejects exactly outside the interval (%d/%d)",
	   good, trials);
}

static void test_sr_errors(void)
{
	static const double d[] = {1, NAN}, inf[] = {1, INFINITY};
	struct ipcb_sr r;

	ok_eq(ipcb_sr_shift_test(d, 0, 0, &r), -EINVAL, "sr of nothing is -EINVAL");
	ok_eq(ipcb_sr_shift_test(d, 2, 0, &r), -EINVAL, "sr with a NaN is -EINVAL");
	ok_eq(ipcb_sr_shift_test(inf, 2, 0, &r), -EINVAL, "sr with an infinity is -EINVAL");
	ok_eq(ipcb_sr_shift_test(d, 1, NAN, &r), -EINVAL, "sr with a NaN shift is -EINVAL");
}

/* ---- the median's interval ---- */

static void test_median_ci(void)
{
	double x[100], lo = 0, hi = 0, got = 0;

	/* Descending, so the order statistics are not the input order: x(k) = k. */
	for (int i = 0; i < 100; i++)
		x[i] = 100 - i;
	/*
	 * n = 10, B ~ Bin(10, 1/2): P(B <= 0) = 1/1024, P(B <= 1) = 11/1024, P(B <= 2) = 56/1024.
	 * k = 2 covers 1 - 22/1024 = 0.9785 >= 0.95; k = 3 only 1 - 112/1024 = 0.8906.
	 */
	ok(ipcb_median_ci(x + 90, 10, 0.95, &lo, &hi, &got) == 0 && lo == 2 && hi == 9,
	   "n = 10 at 95 %%: [x(2), x(9)] (got [%g, %g])", lo, hi);
	check_near(got, 1 - 22.0 / 1024, 1e-12, "n = 10: coverage 1 - 22/1024 = 97.85 %");
	ok(ipcb_median_ci(x + 90, 10, 0.85, &lo, &hi, &got) == 0 && lo == 3 && hi == 8,
	   "n = 10 at 85 %%: [x(3), x(8)] (got [%g, %g])", lo, hi);
	check_near(got, 1 - 112.0 / 1024, 1e-12, "n = 10 at 85 %: coverage 89.06 %");
	/* n = 5: even [min, max] covers only 1 - 2/32 = 93.75 %: returned with that coverage */
	ok(ipcb_median_ci(x + 95, 5, 0.95, &lo, &hi, &got) == 0 && lo == 1 && hi == 5,
	   "n = 5 at 95 %%: too few, [min, max] (got [%g, %g])", lo, hi);
	check_near(got, 0.9375, 1e-12, "n = 5: achieved 93.75 %, below what was asked");
	ok(ipcb_median_ci(x + 95, 5, 0.9, &lo, &hi, &got) == 0 && lo == 1 && hi == 5 &&
	       near_rel(got, 0.9375, 1e-12),
	   "n = 5 at 90 %%: [min, max] reaches it (93.75 %%)");
	/*
	 * n = 100 at 95 %: the textbook [x(40), x(61)]: P(B <= 39) = 0.01760 <= 0.025 <
	 * P(B <= 40) = 0.02844; coverage 1 - 2 * 0.01760 = 96.48 %.
	 */
	ok(ipcb_median_ci(x, 100, 0.95, &lo, &hi, &got) == 0 && lo == 40 && hi == 61,
	   "n = 100 at 95 %%: [x(40), x(61)] (got [%g, %g])", lo, hi);
	check_near(got, 0.9647997997822952, 1e-9, "n = 100: coverage 96.48 %");
	ok(ipcb_median_ci(x, 1, 0.5, &lo, &hi, &got) == 0 && lo == 100 && hi == 100 && got == 0,
	   "one value: [x, x], coverage 0");
	ok_eq(ipcb_median_ci(x, 0, 0.95, &lo, &hi, &got), -EINVAL, "no values: -EINVAL");
	ok_eq(ipcb_median_ci(x, 10, 1, &lo, &hi, &got), -EINVAL, "conf 1: -EINVAL");
}

/* ---- modes ---- */

static void test_modes(void)
{
	struct ipcb_modes m = {0};

	{
		/* A machine in two states: 5 runs near 60 and 3 near 0.4 (two clear clusters). */
		static const double x[] = {60.2, 0.41, 59.1, 61.0, 0.39, 60.5, 0.40, 59.8};

		ok(ipcb_modes_find(x, 8, &m) == 0 && m.n == 2, "two states: 2 modes (got %zu)",
		   m.n);
		ok(m.count[0] == 3 && m.count[1] == 5, "ascending: 3 near 0.4, then 5 near 60");
		ok(m.median[0] == 0.40 && m.lo[0] == 0.39 && m.hi[0] == 0.41,
		   "the low mode: median 0.40 in [0.39, 0.41]");
		ok(m.median[1] == 60.2 && m.lo[1] == 59.1 && m.hi[1] == 61.0,
		   "the high mode: median 60.2 in [59.1, 61.0]");
	}
	{
		/* A smooth spread: 5 % steps, no gap of 25 %. */
		double x[20];

		for (int i = 0; i < 20; i++)
			x[i] = 100 * pow(1.05, i);
		ok(ipcb_modes_find(x, 20, &m) == 0 && m.n == 1 && m.count[0] == 20 &&
		       m.lo[0] == x[0] && m.hi[0] == x[19],
		   "a smooth spread is one mode of all 20");
	}
	{
		/*
		 * A 30 % gap between two sides that each spread over 20 %: the gap is not 3 times
		 * the sides' range, so it is one mode (two halves of one wide state).
		 */
		static const double x[] = {100, 105, 110, 120, 156, 165, 175, 187};

		ok(ipcb_modes_find(x, 8, &m) == 0 && m.n == 1, "a gap not 3x the sides' spread: 1");
	}
	{
		/* One outlier is no mode: a side needs 2 values and 15 %. */
		static const double x[] = {10, 10.1, 9.9, 10.05, 9.95, 10.02, 10.08, 0.5};

		ok(ipcb_modes_find(x, 8, &m) == 0 && m.n == 1, "a single outlier is no mode");
	}
	{
		/* 2 of 20 far below: 2 values but only 10 % of 20: one mode. */
		double x[20];

		for (int i = 0; i < 20; i++)
			x[i] = i < 2 ? 1 + i * 0.01 : 50 + i * 0.1;
		ok(ipcb_modes_find(x, 20, &m) == 0 && m.n == 1, "2 of 20 (10 %%) is no mode");
		/* 3 of 20 is 15 %: a mode. */
		x[2] = 1.02;
		ok(ipcb_modes_find(x, 20, &m) == 0 && m.n == 2 && m.count[0] == 3 &&
		       m.count[1] == 17,
		   "3 of 20 (15 %%) is a mode: 3 and 17");
	}
	{
		/*
		 * Three states: 1, 1.5 and 100. The widest gap (1.52 -> 100) splits first (its left
		 * side spans log 1.52, 3 times that is below log 65.8); then 1.02 -> 1.5 (a 47 %
		 * gap over sides of 2 %).
		 */
		static const double x[] = {100, 1, 1.5, 101, 1.01, 1.51, 102, 1.02, 1.52};

		ok(ipcb_modes_find(x, 9, &m) == 0 && m.n == 3 && m.count[0] == 3 &&
		       m.count[1] == 3 && m.count[2] == 3 && m.median[0] == 1.01 &&
		       m.median[1] == 1.51 && m.median[2] == 101,
		   "three states: 3 modes of 3, ascending (got %zu)", m.n);
	}
	{
		/* Equally spaced clusters stay one mode: each side of a split spans another gap. */
		static const double x[] = {1, 1.01, 1.02, 10, 10.1, 10.2, 100, 101, 102};

		ok(ipcb_modes_find(x, 9, &m) == 0 && m.n == 1, "three equally spaced clusters: 1");
	}
	{
		/* Fewer than 4 values: one mode, however far apart. */
		static const double x[] = {1, 1000, 1000000};

		ok(ipcb_modes_find(x, 3, &m) == 0 && m.n == 1 && m.count[0] == 3 &&
		       m.median[0] == 1000,
		   "3 values are one mode");
	}
	{
		static const double z[] = {1, 0, 2}, inf[] = {1, INFINITY};

		ok_eq(ipcb_modes_find(z, 3, &m), -EINVAL, "a 0 is no measurement here: -EINVAL");
		ok_eq(ipcb_modes_find(inf, 2, &m), -EINVAL, "an infinity: -EINVAL");
		ok_eq(ipcb_modes_find(z, 0, &m), -EINVAL, "no values: -EINVAL");
	}
}

/* ---- random numbers ---- */

static void test_rng(void)
{
	/* splitmix64's published sequences: from seed 0, and from seed 1234567. */
	static const uint64_t from0[] = {0xe220a8397b1dcdafu, 0x6e789e6aa1b965f4u,
					 0x06c45d188009454fu};
	static const uint64_t from1234567[] = {6457827717110365317u, 3203168211198807973u,
					       9817491932198370423u};
	uint64_t s = 0, a = 7, b = 7;
	size_t count[3] = {0, 0, 0}, same = 0, in_range = 0;
	bool all0 = true, all1 = true;

	for (int i = 0; i < 3; i++)
		ok(ipcb_rng_next(&s) == from0[i], "splitmix64 from 0, value %d", i + 1);
	s = 1234567;
	for (int i = 0; i < 3; i++)
		ok(ipcb_rng_next(&s) == from1234567[i], "splitmix64 from 1234567, value %d", i + 1);
	for (int i = 0; i < 30000; i++) {
		size_t x = ipcb_rng_below(&a, 3);

		same += x == ipcb_rng_below(&b, 3);
		in_range += x < 3;
		if (x < 3)
			count[x]++;
	}
	ok(in_range == 30000 && same == 30000, "below(3): always < 3, the same for the same seed");
	/* 10000 expected each; sd ~ 82, so 9600..10400 is about 5 sd */
	ok(count[0] > 9600 && count[0] < 10400 && count[1] > 9600 && count[1] < 10400 &&
	       count[2] > 9600 && count[2] < 10400,
	   "below(3) is even: %zu, %zu, %zu of 30000", count[0], count[1], count[2]);
	for (int i = 0; i < 100; i++) {
		all0 &= ipcb_rng_below(&a, 0) == 0;
		all1 &= ipcb_rng_below(&a, 1) == 0;
	}
	ok(all0 && all1, "below(0) and below(1) are 0");
	{
		/*
		 * Near 2^64 the rejection matters: n = 3 * 2^62 rejects 2^62 of the 2^64 raw
		 * values; a plain modulo would give the lowest 2^62 results twice the chance of the
		 * others.
		 */
		size_t big = (size_t)3 << 62, low = 0;

		for (int i = 0; i < 30000; i++)
			low += ipcb_rng_below(&a, big) < ((size_t)1 << 62);
		/* a third expected (10000); a plain modulo would give half (15000) */
		ok(low > 9400 && low < 10600,
		   "below(3 * 2^62): the lowest quarter a third of the time "
		   "(%zu of 30000)",
		   low);
	}
}

int main(void)
{
	test_robust();
	test_normal();
	test_mw_textbook();
	test_mw_exact_vs_brute();
	test_mw_normal();
	test_mw_errors();
	test_repeats();
	test_mw_crit();
	test_hl();
	test_hl_inverts_test();
	test_holm();
	test_alpha_share();
	test_sr_textbook();
	test_sr_exact_vs_brute();
	test_sr_normal();
	test_sr_crit();
	test_sr_hl();
	test_sr_hl_inverts_test();
	test_sr_errors();
	test_median_ci();
	test_modes();
	test_rng();
	return tap_done();
}
