/* SPDX-License-Identifier: MIT */
/*
 * stats.c - median, MAD, the normal helpers, the median's interval, modes, a random number
 * generator and a sample's two states; see stats.h for the definitions used. The rank tests
 * (Mann-Whitney, Wilcoxon, Holm) are ranktest.c's, which sorts with the helpers here
 * (statsort.h).
 */
#include "stats.h"
#include "statsort.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int ipcb_stats_double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double ipcb_stats_median_sorted(const double *sorted, size_t n)
{
	if (n % 2)
		return sorted[n / 2];
	/* Halves first: the sum of two huge rates must not overflow to infinity. */
	return sorted[n / 2 - 1] / 2 + sorted[n / 2] / 2;
}

int ipcb_stats_sorted_copy(const double *x, size_t n, double **out)
{
	double *s;

	if (!x || !n)
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), ipcb_stats_double_cmp);
	*out = s;
	return 0;
}

int ipcb_stats_median(const double *x, size_t n, double *median)
{
	double *s;
	int rc;

	if (!median)
		return -EINVAL;
	rc = ipcb_stats_sorted_copy(x, n, &s);
	if (rc < 0)
		return rc;
	*median = ipcb_stats_median_sorted(s, n);
	free(s);
	return 0;
}

int ipcb_stats_mad(const double *x, size_t n, double *mad, double *median)
{
	double *s, med;
	int rc;

	if (!mad)
		return -EINVAL;
	rc = ipcb_stats_sorted_copy(x, n, &s);
	if (rc < 0)
		return rc;
	med = ipcb_stats_median_sorted(s, n);
	for (size_t i = 0; i < n; i++)
		s[i] = fabs(s[i] - med);
	qsort(s, n, sizeof(*s), ipcb_stats_double_cmp);
	*mad = ipcb_stats_median_sorted(s, n);
	if (median)
		*median = med;
	free(s);
	return 0;
}

int ipcb_stats_spread(const double *x, size_t n, double *spread)
{
	double mad, med;
	int rc;

	if (!spread)
		return -EINVAL;
	rc = ipcb_stats_mad(x, n, &mad, &med);
	if (rc < 0)
		return rc;
	if (med == 0)
		return -EDOM;
	*spread = IPCB_MAD_TO_SIGMA * mad / fabs(med);
	return 0;
}

double ipcb_stats_norm_cdf(double z)
{
	/* erfc keeps full relative precision in the lower tail, where the small p-values live. */
	return 0.5 * erfc(-z / M_SQRT2);
}

double ipcb_stats_norm_quantile(double p)
{
	double lo = -40, hi = 0;

	if (!(p > 0))
		return -INFINITY;
	if (!(p < 1))
		return INFINITY;
	/* Bisect in the lower half only: Phi(z) near 1 has no digits left to bisect on. */
	if (p > 0.5)
		return -ipcb_stats_norm_quantile(1 - p);
	for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
		double mid = (lo + hi) / 2;

		if (ipcb_stats_norm_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* ---- the median's interval ---- */

int ipcb_median_ci(const double *x, size_t n, double conf, double *lo, double *hi, double *achieved)
{
	/* A coverage this close to conf counts as reaching it: the sums carry rounding. */
	const double slack = 1e-12;
	double *s, tail = (1 - conf) / 2, logt, cdf, cov = 0;
	size_t k = 1;
	int rc;

	if (!lo || !hi || !achieved || !(conf > 0 && conf < 1))
		return -EINVAL;
	for (size_t i = 0; x && i < n; i++)
		if (isnan(x[i]))
			return -EINVAL;
	rc = ipcb_stats_sorted_copy(x, n, &s);
	if (rc < 0)
		return rc;
	/*
	 * P(B = j) for B ~ Binomial(n, 1/2), in logs so that 2^-n does not underflow for large n;
	 * [x(j + 1), x(n - j)] leaves out the j lowest and the j highest values.
	 */
	logt = -(double)n * M_LN2;
	cdf = exp(logt);
	cov = 1 - 2 * cdf;
	for (size_t j = 1; 2 * (j + 1) <= n + 1; j++) {
		logt += log((double)(n - j + 1)) - log((double)j);
		cdf += exp(logt);
		if (cdf > tail * (1 + slack))
			break;
		k = j + 1;
		cov = 1 - 2 * cdf;
	}
	*lo = s[k - 1];
	*hi = s[n - k];
	*achieved = cov < 0 ? 0 : cov;
	free(s);
	return 0;
}

/* ---- modes ---- */

/* The smallest gap between modes and the least range a mode counts with, in logs. */
#define MODE_GAP   1.25
#define MODE_FLOOR 1.02
#define MODE_RATIO 3

/*
 * The best gap to split the run l[a..b) at, by the rule in stats.h: the index of the first value
 * above it, or 0 when no gap qualifies; *gap is its width.
 */
static size_t mode_split(const double *l, size_t a, size_t b, size_t n, double *gap)
{
	const double min_gap = log(MODE_GAP), floor_range = log(MODE_FLOOR);
	size_t best = 0;

	*gap = 0;
	for (size_t i = a + 2; i + 2 <= b; i++) {
		double g = l[i] - l[i - 1];
		double left = fmax(l[i - 1] - l[a], floor_range);
		double right = fmax(l[b - 1] - l[i], floor_range);

		/* At least 15 % of all values a side, in whole numbers: no rounding at the edge. */
		if ((i - a) * 100 < 15 * n || (b - i) * 100 < 15 * n)
			continue;
		if (g >= min_gap && g >= MODE_RATIO * fmax(left, right) && g > *gap) {
			*gap = g;
			best = i;
		}
	}
	return best;
}

int ipcb_modes_find(const double *x, size_t n, struct ipcb_modes *out)
{
	size_t start[IPCB_MODES_MAX + 1] = {0}, nmodes = 1;
	double *s, *l;
	int rc;

	if (!out || !x || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return -EINVAL;
	rc = ipcb_stats_sorted_copy(x, n, &s);
	if (rc < 0)
		return rc;
	l = malloc(n * sizeof(*l));
	if (!l) {
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		l[i] = log(s[i]);
	/* start[m] .. start[m + 1] is mode m; the widest qualifying gap of any mode splits next */
	start[1] = n;
	while (nmodes < IPCB_MODES_MAX) {
		size_t at = 0, in = 0;
		double widest = 0;

		for (size_t m = 0; m < nmodes; m++) {
			double g;
			size_t i = mode_split(l, start[m], start[m + 1], n, &g);

			if (i && g > widest) {
				widest = g;
				at = i;
				in = m;
			}
		}
		if (!at)
			break;
		memmove(start + in + 2, start + in + 1, (nmodes - in) * sizeof(*start));
		start[in + 1] = at;
		nmodes++;
	}
	memset(out, 0, sizeof(*out));
	out->n = nmodes;
	for (size_t m = 0; m < nmodes; m++) {
		size_t a = start[m], b = start[m + 1];

		out->count[m] = b - a;
		out->median[m] = ipcb_stats_median_sorted(s + a, b - a);
		out->lo[m] = s[a];
		out->hi[m] = s[b - 1];
	}
	free(l);
	free(s);
	return 0;
}

/* ---- random numbers ---- */

uint64_t ipcb_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

size_t ipcb_rng_below(uint64_t *state, size_t n)
{
	uint64_t bound = n, reject_below, r;

	if (!n)
		return 0;
	/* 2^64 mod n: the values below it are the ones that would make some results likelier. */
	reject_below = (0 - bound) % bound;
	do
		r = ipcb_rng_next(state);
	while (r < reject_below);
	return (size_t)(r % bound);
}

int ipcb_states_find(const double *x, size_t n, struct ipcb_states *out)
{
	double *l, total = 0, total2 = 0, best = INFINITY, left = 0, left2 = 0, lo, hi;
	size_t cut = 0, least;

	if (!x || !out || !n)
		return -EINVAL;
	l = malloc(n * sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0) || !isfinite(x[i])) {
			free(l);
			return -EINVAL;
		}
		l[i] = log(x[i]);
	}
	qsort(l, n, sizeof(*l), ipcb_stats_double_cmp);
	memset(out, 0, sizeof(*out));
	out->n = 1;
	out->threshold = INFINITY;
	out->count[0] = n;
	out->median[0] = exp(ipcb_stats_median_sorted(l, n));
	/*
	 * A value more than IPCB_STATES_FAR times the median either way counts as that far: a probe
	 * whose thread the host held up for half a millisecond is no state of its own, and counted
	 * as it is, a handful of such values among thousands outweighed their whole spread and hid
	 * two states (a default run's cross-core probes on the EPYC guest: 115 and 293 ns, 8 of
	 * 4615 at 0.5 ms, 2.6 deviations apart with them and 4.8 without). Where many are that far,
	 * they are still a state together, at the cap.
	 */
	lo = log(out->median[0]) - log(IPCB_STATES_FAR);
	hi = log(out->median[0]) + log(IPCB_STATES_FAR);
	for (size_t i = 0; i < n; i++)
		l[i] = fmin(fmax(l[i], lo), hi);
	/* The smaller state must hold at least 2 values and 2 % of them. */
	least = (size_t)ceil(0.02 * (double)n);
	least = least < 2 ? 2 : least;
	for (size_t i = 0; i < n; i++) {
		total += l[i];
		total2 += l[i] * l[i];
	}
	/* Each cut k puts l[0..k) low: the within-sides sum of squares, from running sums. */
	for (size_t i = 0; i + 1 < least; i++) {
		left += l[i];
		left2 += l[i] * l[i];
	}
	for (size_t k = least; k + least <= n; k++) {
		double nl = (double)k, nh = (double)(n - k), within;

		left += l[k - 1];
		left2 += l[k - 1] * l[k - 1];
		within = (left2 - left * left / nl) +
			 ((total2 - left2) - (total - left) * (total - left) / nh);
		if (l[k] > l[k - 1] && within < best) {
			best = within;
			cut = k;
		}
	}
	if (cut) {
		double ml = 0, mh = 0, sd;

		for (size_t i = 0; i < cut; i++)
			ml += l[i];
		for (size_t i = cut; i < n; i++)
			mh += l[i];
		ml /= (double)cut;
		mh /= (double)(n - cut);
		sd = sqrt(fmax(best, 0) / (double)(n - 2));
		out->separation = sd > 0 ? (mh - ml) / sd : INFINITY;
		if (mh - ml >= log(1.25) && out->separation >= IPCB_STATES_APART) {
			out->n = 2;
			out->threshold = exp((l[cut - 1] + l[cut]) / 2);
			out->count[0] = cut;
			out->count[1] = n - cut;
			out->median[0] = exp(ipcb_stats_median_sorted(l, cut));
			out->median[1] = exp(ipcb_stats_median_sorted(l + cut, n - cut));
		}
	}
	free(l);
	return 0;
}
