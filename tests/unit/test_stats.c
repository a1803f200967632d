/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - known-value tests of bench/stats.c: median, MAD, spread, the normal helpers and
 * the Mann-Whitney U test.
 *
 * Exact p-values are checked two independent ways: against textbook counts (partitions of U,
 * worked out in the comments) and against a brute-force reference here that enumerates every
 * way to split the pooled sample and counts U by comparing pairs - no ranks, no recursion - so a
 * mistake in stats.c's mid-rank knapsack cannot hide behind the same mistake in the reference.
 * Normal-approximation values were computed by hand from the formulas in stats.h (arithmetic in
 * the comments) and written here as literals.
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

int main(void)
{
	test_robust();
	test_normal();
	test_mw_textbook();
	test_mw_exact_vs_brute();
	test_mw_normal();
	test_mw_errors();
	test_repeats();
	return tap_done();
}
