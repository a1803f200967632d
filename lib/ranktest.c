/* SPDX-License-Identifier: MIT */
/*
 * ranktest.c - the rank tests of stats.h: Mann-Whitney's U test, its critical values and planning
 * answers, the shifted test and the Hodges-Lehmann shift with its interval, Holm's procedure and
 * the alpha spent per look, and Wilcoxon's signed-rank test with its paired shift and interval.
 *
 * Apart from stats.c because these are the gate's decisions, each an exact permutation or
 * sign-flip distribution with a normal approximation beyond it, while stats.c describes one
 * sample (median, MAD, modes, states); the tests use its normal helpers and its sorted copy
 * (statsort.h), and nothing there calls a test. See stats.h for the definitions used.
 */
#include "stats.h"
#include "statsort.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Planning answers above this are reported as this: nobody runs a million repeats. */
#define REPEATS_CAP 1000000

/* One pooled value: where it came from and twice its mid-rank (an integer even with ties). */
struct pooled {
	double v;
	int from_y;
	uint32_t rank2;
};

static int pooled_cmp(const void *a, const void *b)
{
	return ipcb_stats_double_cmp(&((const struct pooled *)a)->v,
				     &((const struct pooled *)b)->v);
}

/*
 * The exact permutation distribution of a rank sum: cnt[k][s] counts the ways to choose k of the
 * first i pooled values with doubled ranks summing to s, built one pooled value at a time (the
 * 0/1 knapsack count). Which values form a side does not matter to the null distribution, only
 * how many: the caller counts subsets the size of the smaller sample (`pick`), which bounds the
 * table at (N/2 + 1) * (N(N+1) + 1) doubles (7 MB at N = 120). Counts are
 * doubles: C(120, 60) ~ 1e35 is far beyond 2^53, but only ratios matter and those keep ~15
 * significant digits. p_le/p_ge are P(R <= r_obs) and P(R >= r_obs) for that side's sum R.
 */
static int mw_exact(const struct pooled *z, size_t nz, size_t pick, uint64_t r_obs, double *p_le,
		    double *p_ge)
{
	uint64_t smax = 0, reach = 0;
	size_t width;
	double *cnt, below = 0, above = 0, total = 0;

	for (size_t i = 0; i < nz; i++)
		smax += z[i].rank2;
	width = (size_t)smax + 1;
	cnt = calloc((pick + 1) * width, sizeof(*cnt));
	if (!cnt)
		return -ENOMEM;
	cnt[0] = 1;
	for (size_t i = 0; i < nz; i++) {
		uint32_t r = z[i].rank2;
		size_t kmax = i + 1 < pick ? i + 1 : pick;
		/* Subsets that can no longer reach `pick` values need not be counted. */
		size_t left = nz - i - 1, kmin = pick > left ? pick - left : 1;

		reach += r;
		/* Downward in k and s so each pooled value is used at most once. */
		for (size_t k = kmax; k >= kmin && k >= 1; k--) {
			double *to = cnt + k * width, *from = cnt + (k - 1) * width;

			for (uint64_t s = reach; s >= r; s--)
				to[s] += from[s - r];
		}
	}
	for (uint64_t s = 0; s <= smax; s++) {
		double c = cnt[pick * width + s];

		total += c;
		if (s <= r_obs)
			below += c;
		if (s >= r_obs)
			above += c;
	}
	free(cnt);
	*p_le = below / total;
	*p_ge = above / total;
	return 0;
}

int ipcb_mw_test(const double *x, size_t n, const double *y, size_t m, struct ipcb_mw *out)
{
	size_t nz = n + m, i, j;
	struct pooled *z;
	uint64_t r2_y = 0;
	double tie_sum = 0, u;
	int rc = 0;

	if (!x || !y || !out || !n || !m || nz > UINT32_MAX / 2)
		return -EINVAL;
	z = malloc(nz * sizeof(*z));
	if (!z)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		z[i] = (struct pooled){.v = x[i], .from_y = 0};
	for (j = 0; j < m; j++)
		z[n + j] = (struct pooled){.v = y[j], .from_y = 1};
	for (i = 0; i < nz; i++) {
		if (isnan(z[i].v)) {
			free(z);
			return -EINVAL;
		}
	}
	qsort(z, nz, sizeof(*z), pooled_cmp);
	memset(out, 0, sizeof(*out));
	/* Positions i..j-1 (ranks i+1..j) share a value: each gets the mid-rank (i+1+j)/2. */
	for (i = 0; i < nz; i = j) {
		double t;

		for (j = i + 1; j < nz && z[j].v == z[i].v; j++)
			;
		for (size_t k = i; k < j; k++)
			z[k].rank2 = (uint32_t)(i + 1 + j);
		t = (double)(j - i);
		if (j - i > 1) {
			out->ties = true;
			tie_sum += t * t * t - t;
		}
	}
	for (i = 0; i < nz; i++)
		if (z[i].from_y)
			r2_y += z[i].rank2;
	u = ((double)r2_y - (double)m * (double)(m + 1)) / 2;
	out->u = u;
	if (nz <= IPCB_MW_EXACT_MAX_N) {
		uint64_t r2_total = (uint64_t)nz * (nz + 1);

		out->exact = true;
		/* R_x = total - R_y: y low is x high, so the tails swap when x is the one counted.
		 */
		if (m <= n)
			rc = mw_exact(z, nz, m, r2_y, &out->p_less, &out->p_greater);
		else
			rc = mw_exact(z, nz, n, r2_total - r2_y, &out->p_greater, &out->p_less);
	} else {
		double mean = (double)n * (double)m / 2, N = (double)nz;
		double var = (double)n * (double)m / 12 * ((N + 1) - tie_sum / (N * (N - 1)));

		if (var <= 0) {
			out->p_less = out->p_greater = 1;
		} else {
			double sd = sqrt(var);

			out->p_less = ipcb_stats_norm_cdf((u + 0.5 - mean) / sd);
			out->p_greater = ipcb_stats_norm_cdf((mean - (u - 0.5)) / sd);
		}
	}
	free(z);
	if (out->p_less > 1)
		out->p_less = 1;
	if (out->p_greater > 1)
		out->p_greater = 1;
	return rc;
}

double ipcb_mw_min_p(size_t n, size_t m)
{
	double c = 1;

	/* C(n+m, n) as a running product; each partial product is itself a binomial coefficient. */
	for (size_t i = 1; i <= n; i++)
		c = c * (double)(m + i) / (double)i;
	return 1 / c;
}

size_t ipcb_mw_repeats_possible(double alpha)
{
	if (!(alpha > 0 && alpha < 1))
		return 0;
	for (size_t k = 1; k < REPEATS_CAP; k++)
		if (ipcb_mw_min_p(k, k) < alpha)
			return k;
	return REPEATS_CAP;
}

size_t ipcb_mw_repeats_needed(double shift, double spread, double alpha, double power)
{
	double p_beat, z, k;
	size_t floor_k;

	if (!(shift > 0) || !(spread >= 0) || !(alpha > 0 && alpha < 1) ||
	    !(power > 0 && power < 1))
		return 0;
	floor_k = ipcb_mw_repeats_possible(alpha);
	p_beat = spread > 0 ? ipcb_stats_norm_cdf(shift / (spread * M_SQRT2)) : 1;
	if (p_beat - 0.5 < 1e-9)
		return REPEATS_CAP;
	z = ipcb_stats_norm_quantile(1 - alpha) + ipcb_stats_norm_quantile(power);
	k = ceil(z * z / (6 * (p_beat - 0.5) * (p_beat - 0.5)));
	if (k > REPEATS_CAP)
		return REPEATS_CAP;
	return (size_t)k > floor_k ? (size_t)k : floor_k;
}

long ipcb_mw_crit(size_t n, size_t m, double alpha, bool *exact)
{
	size_t k = n < m ? n : m, big = n < m ? m : n, deg = 0, top = n * m;
	double *p, total = 0, cum = 0;
	long c = -1;

	if (exact)
		*exact = n + m <= IPCB_MW_EXACT_MAX_N;
	if (!n || !m || !(alpha > 0 && alpha < 1))
		return -1;
	if (n + m > IPCB_MW_EXACT_MAX_N) {
		double mean = (double)n * (double)m / 2;
		double sd = sqrt((double)n * (double)m * (double)(n + m + 1) / 12);
		double v = floor(mean - 0.5 - ipcb_stats_norm_quantile(1 - alpha) * sd);

		return v < 0 ? -1 : (long)v;
	}
	p = calloc(top + 1, sizeof(*p));
	if (!p)
		return -1;
	p[0] = 1;
	/* After step i, p holds [big + i choose i]_q, of degree i * big. */
	for (size_t i = 1; i <= k; i++) {
		size_t mul = big + i, ndeg = deg + big;

		/* times (1 - q^(big + i)): from the top down so each term is used once */
		for (size_t u = deg + 1; u-- > 0;)
			if (u + mul <= top)
				p[u + mul] -= p[u];
		/* divided by (1 - q^i): times 1 + q^i + q^2i + ..., exact since the result is a
		 * polynomial */
		for (size_t u = i; u <= ndeg; u++)
			p[u] += p[u - i];
		/* Above the quotient's degree the series cancels exactly: clear what the product
		 * left. */
		for (size_t u = ndeg + 1; u <= deg + mul && u <= top; u++)
			p[u] = 0;
		deg = ndeg;
	}
	for (size_t u = 0; u <= top; u++)
		total += p[u];
	for (size_t u = 0; u <= top; u++) {
		cum += p[u];
		if (cum / total >= alpha)
			break;
		c = (long)u;
	}
	free(p);
	return c;
}

int ipcb_mw_shift_test(const double *x, size_t n, const double *y, size_t m, double shift,
		       struct ipcb_mw *out)
{
	double *xs;
	int rc;

	if (!x || !n || isnan(shift))
		return -EINVAL;
	xs = malloc(n * sizeof(*xs));
	if (!xs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		xs[i] = x[i] + shift;
	rc = ipcb_mw_test(xs, n, y, m, out);
	free(xs);
	return rc;
}

/* How many of the differences b[j] - a[i] are <= s; a and b ascending. Two pointers: O(n + m). */
static uint64_t diffs_at_most(const double *a, size_t n, const double *b, size_t m, double s)
{
	uint64_t count = 0;
	size_t i = n;

	/*
	 * For descending b[j], the a[i] with b[j] - a[i] <= s are a suffix that only grows. The
	 * difference is compared as computed (not a[i] >= b[j] - s, which rounds differently), so
	 * the count steps exactly at the computed differences and the k-th is one of them.
	 */
	for (size_t j = m; j-- > 0;) {
		while (i > 0 && b[j] - a[i - 1] <= s)
			i--;
		count += n - i;
	}
	return count;
}

/* The k-th smallest (1-based) of the differences b[j] - a[i]: the least s with count(s) >= k. */
static double diff_kth(const double *a, size_t n, const double *b, size_t m, uint64_t k)
{
	double lo = b[0] - a[n - 1], hi = b[m - 1] - a[0];

	/* count(lo) may already reach k: lo is the smallest difference itself. */
	if (diffs_at_most(a, n, b, m, lo) >= k)
		return lo;
	/* Invariant: count(lo) < k <= count(hi). Stop when no double lies between them. */
	for (int it = 0; it < 2100; it++) {
		double mid = lo + (hi - lo) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (diffs_at_most(a, n, b, m, mid) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int ipcb_hl_shift(const double *x, size_t n, const double *y, size_t m, double alpha,
		  struct ipcb_shift *out)
{
	double *a, *b;
	uint64_t nm = (uint64_t)n * m;
	int rc;

	if (!out || !(alpha > 0 && alpha < 1) || !x || !y || !n || !m)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	for (size_t j = 0; j < m; j++)
		if (!isfinite(y[j]))
			return -EINVAL;
	rc = ipcb_stats_sorted_copy(x, n, &a);
	if (rc < 0)
		return rc;
	rc = ipcb_stats_sorted_copy(y, m, &b);
	if (rc < 0) {
		free(a);
		return rc;
	}
	if (nm % 2)
		out->est = diff_kth(a, n, b, m, nm / 2 + 1);
	else
		out->est = diff_kth(a, n, b, m, nm / 2) / 2 + diff_kth(a, n, b, m, nm / 2 + 1) / 2;
	out->crit = ipcb_mw_crit(n, m, alpha, &out->exact);
	if (out->crit < 0) {
		out->lo = -INFINITY;
		out->hi = INFINITY;
	} else {
		out->lo = diff_kth(a, n, b, m, (uint64_t)out->crit + 1);
		out->hi = diff_kth(a, n, b, m, nm - (uint64_t)out->crit);
	}
	free(a);
	free(b);
	return 0;
}

struct holm_item {
	double p;
	size_t i;
};

static int holm_cmp(const void *a, const void *b)
{
	const struct holm_item *x = a, *y = b;

	/* NaN last: it is never rejected and must not stop the ones before it. */
	if (isnan(x->p) || isnan(y->p))
		return isnan(x->p) - isnan(y->p);
	return (x->p > y->p) - (x->p < y->p);
}

int ipcb_holm(const double *p, size_t n, double alpha, bool *reject, double *level)
{
	size_t k;
	struct holm_item *it;

	if (!p || !reject || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		reject[i] = false;
	if (!n)
		return 0;
	it = malloc(n * sizeof(*it));
	if (!it)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		it[i] = (struct holm_item){.p = p[i], .i = i};
	qsort(it, n, sizeof(*it), holm_cmp);
	for (k = 0; k < n; k++) {
		if (!(it[k].p < alpha / (double)(n - k)))
			break;
		reject[it[k].i] = true;
		if (level)
			level[it[k].i] = alpha / (double)(n - k);
	}
	for (size_t j = k; level && j < n; j++)
		level[it[j].i] = alpha / (double)(n - k);
	free(it);
	return 0;
}

double ipcb_alpha_share(unsigned look, unsigned looks)
{
	if (!looks || !look || look > looks || looks > 60)
		return 0;
	if (look == looks)
		return 0.5 + ldexp(1, -(int)looks);
	return ldexp(1, -(int)(looks - look + 1));
}

/* ---- the Wilcoxon signed-rank test ---- */

/* One difference d - shift: its size, its sign and twice its mid-rank by size. */
struct signed_diff {
	double a;
	bool pos;
	uint32_t rank2;
};

static int signed_diff_cmp(const void *a, const void *b)
{
	return ipcb_stats_double_cmp(&((const struct signed_diff *)a)->a,
				     &((const struct signed_diff *)b)->a);
}

/*
 * The sign-flip distribution of a sum of (doubled) ranks: each rank counts with probability 1/2,
 * independently. p[s] is built one rank at a time as the mean of "without it" and "with it", so
 * it holds probabilities, not counts: 2^-100 is far from underflow, while 2^100 counts would be
 * beyond a double's exact integers anyway. Returns the table (sum(rank2) + 1 entries) or NULL.
 */
static double *sign_flip_dist(const uint32_t *rank2, size_t n, uint64_t *smax)
{
	uint64_t reach = 0, total = 0;
	double *p;

	for (size_t i = 0; i < n; i++)
		total += rank2[i];
	p = calloc((size_t)total + 1, sizeof(*p));
	if (!p)
		return NULL;
	p[0] = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = rank2[i];

		reach += r;
		/* Downward in s: p[s - r] is still the value before this rank. */
		for (uint64_t s = reach; s >= r; s--)
			p[s] = (p[s] + p[s - r]) / 2;
		for (uint64_t s = r; s-- > 0;)
			p[s] /= 2;
	}
	*smax = total;
	return p;
}

int ipcb_sr_shift_test(const double *d, size_t n, double shift, struct ipcb_sr *out)
{
	struct signed_diff *z;
	uint32_t *rank2;
	uint64_t w2 = 0, s2 = 0;
	double sq = 0;
	size_t nz = 0, i, j;

	if (!d || !n || !out || !isfinite(shift) || n > UINT32_MAX / 2)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(d[i]))
			return -EINVAL;
	memset(out, 0, sizeof(*out));
	z = malloc(n * sizeof(*z));
	rank2 = malloc(n * sizeof(*rank2));
	if (!z || !rank2) {
		free(z);
		free(rank2);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		double e = d[i] - shift;

		/* A zero says nothing about which way d leans: dropped (Wilcoxon's convention). */
		if (e != 0)
			z[nz++] = (struct signed_diff){.a = fabs(e), .pos = e > 0};
	}
	out->n = nz;
	if (!nz) {
		out->exact = true; /* the one assignment of no signs */
		out->p_less = out->p_greater = 1;
		free(z);
		free(rank2);
		return 0;
	}
	qsort(z, nz, sizeof(*z), signed_diff_cmp);
	for (i = 0; i < nz; i = j) {
		for (j = i + 1; j < nz && z[j].a == z[i].a; j++)
			;
		out->ties |= j - i > 1;
		for (size_t k = i; k < j; k++)
			z[k].rank2 = (uint32_t)(i + 1 + j);
	}
	for (i = 0; i < nz; i++) {
		rank2[i] = z[i].rank2;
		s2 += z[i].rank2;
		sq += (double)z[i].rank2 * z[i].rank2;
		if (z[i].pos)
			w2 += z[i].rank2;
	}
	out->w = (double)w2 / 2;
	if (nz <= IPCB_SR_EXACT_MAX_N) {
		uint64_t smax;
		double *p = sign_flip_dist(rank2, nz, &smax), below = 0, above = 0, total = 0;

		if (!p) {
			free(z);
			free(rank2);
			return -ENOMEM;
		}
		for (uint64_t s = 0; s <= smax; s++) {
			total += p[s];
			if (s <= w2)
				below += p[s];
			if (s >= w2)
				above += p[s];
		}
		free(p);
		out->exact = true;
		out->p_less = below / total;
		out->p_greater = above / total;
	} else {
		/* Ranks are rank2 / 2: mean sum(r) / 2, variance sum(r^2) / 4. */
		double mean = (double)s2 / 4, sd = sqrt(sq / 16);

		out->p_less = ipcb_stats_norm_cdf((out->w + 0.5 - mean) / sd);
		out->p_greater = ipcb_stats_norm_cdf((mean - (out->w - 0.5)) / sd);
	}
	free(z);
	free(rank2);
	if (out->p_less > 1)
		out->p_less = 1;
	if (out->p_greater > 1)
		out->p_greater = 1;
	return 0;
}

double ipcb_sr_min_p(size_t n)
{
	return ldexp(1, n > 2000 ? -2000 : -(int)n);
}

long ipcb_sr_crit(size_t n, double alpha, bool *exact)
{
	uint32_t *rank2;
	uint64_t smax;
	double *p, total = 0, cum = 0;
	long c = -1;

	if (exact)
		*exact = n <= IPCB_SR_EXACT_MAX_N;
	if (!n || !(alpha > 0 && alpha < 1))
		return -1;
	if (n > IPCB_SR_EXACT_MAX_N) {
		double mean = (double)n * (double)(n + 1) / 4;
		double sd = sqrt((double)n * (double)(n + 1) * (double)(2 * n + 1) / 24);
		double v = floor(mean - 0.5 - ipcb_stats_norm_quantile(1 - alpha) * sd);

		return v < 0 ? -1 : (long)v;
	}
	/* Ranks 1..n, not doubled: without ties the sums are whole numbers. */
	rank2 = malloc(n * sizeof(*rank2));
	if (!rank2)
		return -1;
	for (size_t i = 0; i < n; i++)
		rank2[i] = (uint32_t)(i + 1);
	p = sign_flip_dist(rank2, n, &smax);
	free(rank2);
	if (!p)
		return -1;
	for (uint64_t s = 0; s <= smax; s++)
		total += p[s];
	for (uint64_t s = 0; s <= smax; s++) {
		cum += p[s];
		if (cum / total >= alpha)
			break;
		c = (long)s;
	}
	free(p);
	return c;
}

/*
 * How many Walsh averages (a[i] + a[j]) / 2, i <= j, are <= s; a ascending. For growing i the
 * j that qualify are a prefix of j >= i that only shrinks: two pointers, O(n). Each average is
 * compared as computed, so the count steps exactly at the computed averages.
 */
static uint64_t walsh_at_most(const double *a, size_t n, double s)
{
	uint64_t count = 0;
	size_t j = n;

	for (size_t i = 0; i < n; i++) {
		while (j > i && (a[i] + a[j - 1]) / 2 > s)
			j--;
		if (j <= i)
			break; /* even a[i] itself is above s, and every later one too */
		count += j - i;
	}
	return count;
}

/* The k-th smallest (1-based) Walsh average: the least s with count(s) >= k (see diff_kth()). */
static double walsh_kth(const double *a, size_t n, uint64_t k)
{
	double lo = a[0], hi = a[n - 1];

	if (walsh_at_most(a, n, lo) >= k)
		return lo;
	for (int it = 0; it < 2100; it++) {
		double mid = lo + (hi - lo) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (walsh_at_most(a, n, mid) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int ipcb_sr_hl(const double *d, size_t n, double alpha, struct ipcb_shift *out)
{
	uint64_t nw = (uint64_t)n * (n + 1) / 2;
	double *a;
	int rc;

	if (!out || !d || !n || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(d[i]))
			return -EINVAL;
	rc = ipcb_stats_sorted_copy(d, n, &a);
	if (rc < 0)
		return rc;
	if (nw % 2)
		out->est = walsh_kth(a, n, nw / 2 + 1);
	else
		out->est = walsh_kth(a, n, nw / 2) / 2 + walsh_kth(a, n, nw / 2 + 1) / 2;
	out->crit = ipcb_sr_crit(n, alpha, &out->exact);
	if (out->crit < 0) {
		out->lo = -INFINITY;
		out->hi = INFINITY;
	} else {
		out->lo = walsh_kth(a, n, (uint64_t)out->crit + 1);
		out->hi = walsh_kth(a, n, nw - (uint64_t)out->crit);
	}
	free(a);
	return 0;
}
