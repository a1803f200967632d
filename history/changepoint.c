/* SPDX-License-Identifier: MIT */
/* changepoint.c - change points and drift of a series of runs; see changepoint.h. */
#include "changepoint.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool opts_ok(const struct ipcb_cp_opts *o)
{
	return o && o->threshold > 0 && o->threshold < 1 && o->alpha > 0 && o->alpha < 1 &&
	       o->window >= 4 && o->window <= 64 && o->window % 2 == 0;
}

double ipcb_cp_level(size_t n, const struct ipcb_cp_opts *o)
{
	size_t m;

	if (!opts_ok(o))
		return 0;
	m = o->window / 2;
	if (n < 2 * m)
		return 0;
	return o->alpha / (double)(n - 2 * m + 1);
}

/*
 * The Theil-Sen slope of the pairs within y[a..b) and within y[b..c): the drift inside the two
 * windows, blind to a step between them. slopes has room for every pair.
 */
static double window_slope(const double *y, size_t a, size_t b, size_t c, double *slopes)
{
	size_t k = 0;

	for (size_t i = a; i < c; i++)
		for (size_t j = i + 1; j < (i < b ? b : c); j++)
			slopes[k++] = (y[j] - y[i]) / (double)(j - i);
	if (!k)
		return 0;
	qsort(slopes, k, sizeof(*slopes), dbl_cmp);
	return ipcb_stats_median_sorted(slopes, k);
}

struct candidate {
	size_t at, before, after;
	double p, change, lo, hi;
};

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	if (fabs(x->change) != fabs(y->change))
		return fabs(x->change) > fabs(y->change) ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int change_cmp(const void *a, const void *b)
{
	const struct ipcb_cp_change *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Test candidate t; *c filled when it is significant at `level` (returns 1), else 0. */
static int candidate_test(const double *y, size_t n, size_t t, const struct ipcb_cp_opts *o,
			  double level, double *buf, struct candidate *c)
{
	size_t w = o->window, a = t >= w ? t - w : 0, e = t + w <= n ? t + w : n;
	size_t nl = t - a, nr = e - t;
	double *x = buf, *z = buf + w, *slopes = buf + 2 * w, slope;
	struct ipcb_mw down, up;
	struct ipcb_shift hl;
	int rc;

	slope = window_slope(y, a, t, e, slopes);
	for (size_t i = 0; i < nl; i++)
		x[i] = y[a + i] - slope * (double)(a + i);
	for (size_t i = 0; i < nr; i++)
		z[i] = y[t + i] - slope * (double)(t + i);
	rc = ipcb_mw_shift_test(x, nl, z, nr, log1p(-o->threshold), &down);
	if (rc == 0)
		rc = ipcb_mw_shift_test(x, nl, z, nr, log1p(o->threshold), &up);
	if (rc < 0)
		return rc;
	c->p = fmin(down.p_less, up.p_greater);
	if (!(c->p < level))
		return 0;
	rc = ipcb_hl_shift(x, nl, z, nr, level, &hl);
	if (rc < 0)
		return rc;
	c->at = t;
	c->before = nl;
	c->after = nr;
	c->change = expm1(hl.est);
	c->lo = isinf(hl.lo) ? -1 : expm1(hl.lo);
	c->hi = isinf(hl.hi) ? INFINITY : expm1(hl.hi);
	return 1;
}

int ipcb_cp_find(const double *y, size_t n, const struct ipcb_cp_opts *o,
		 struct ipcb_cp_change *out, size_t max, size_t *found)
{
	size_t m, w, ncand = 0, nout = 0;
	struct candidate *cand;
	double level, *buf;
	int rc = 0;

	if (!y || !found || (max && !out) || !opts_ok(o))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return -EINVAL;
	*found = 0;
	m = o->window / 2;
	w = o->window;
	level = ipcb_cp_level(n, o);
	if (level <= 0)
		return 0;
	cand = calloc(n, sizeof(*cand));
	/* Two windows of values, and the pairwise slopes within them. */
	buf = malloc((2 * w + w * (w - 1)) * sizeof(*buf));
	if (!cand || !buf) {
		free(cand);
		free(buf);
		return -ENOMEM;
	}
	for (size_t t = m; t + m <= n && rc >= 0; t++) {
		rc = candidate_test(y, n, t, o, level, buf, &cand[ncand]);
		if (rc == 1)
			ncand++;
	}
	if (rc >= 0) {
		rc = 0;
		qsort(cand, ncand, sizeof(*cand), candidate_cmp);
		/* The strongest first; a weaker one within half a window of it is the same step. */
		for (size_t i = 0; i < ncand && nout < max; i++) {
			bool near = false;

			for (size_t k = 0; k < nout && !near; k++)
				near = (cand[i].at > out[k].at ? cand[i].at - out[k].at
							       : out[k].at - cand[i].at) < m;
			if (near)
				continue;
			out[nout++] = (struct ipcb_cp_change){
			    .at = cand[i].at,
			    .change = cand[i].change,
			    .lo = cand[i].lo,
			    .hi = cand[i].hi,
			    .p = cand[i].p,
			    .before = cand[i].before,
			    .after = cand[i].after,
			};
		}
		qsort(out, nout, sizeof(*out), change_cmp);
		*found = nout;
	}
	free(cand);
	free(buf);
	return rc;
}

int ipcb_cp_drift(const double *y, size_t n, const size_t *at, size_t ncuts, double alpha,
		  struct ipcb_cp_drift *out)
{
	size_t npairs = 0, k = 0, start = 0;
	double var = 0, z, c, *s;

	if (!y || !out || (ncuts && !at) || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return -EINVAL;
	for (size_t seg = 0; seg <= ncuts; seg++) {
		size_t end = seg < ncuts ? at[seg] : n, len;

		if (end < start || end > n)
			return -EINVAL;
		len = end - start;
		npairs += len * (len ? len - 1 : 0) / 2;
		var += (double)len * (double)(len ? len - 1 : 0) * (2.0 * (double)len + 5) / 18;
		start = end;
	}
	if (npairs == 0)
		return 0;
	s = malloc(npairs * sizeof(*s));
	if (!s)
		return -ENOMEM;
	start = 0;
	for (size_t seg = 0; seg <= ncuts; seg++) {
		size_t end = seg < ncuts ? at[seg] : n;

		for (size_t i = start; i < end; i++)
			for (size_t j = i + 1; j < end; j++)
				s[k++] = (y[j] - y[i]) / (double)(j - i);
		start = end;
	}
	qsort(s, npairs, sizeof(*s), dbl_cmp);
	z = ipcb_stats_norm_quantile(1 - alpha / 2);
	c = z * sqrt(var);
	{
		double m1 = floor(((double)npairs - c) / 2); /* 1-based rank of the lower bound */
		double m2 = ceil(((double)npairs + c) / 2) + 1; /* and of the upper one */

		out->lo = m1 >= 1 ? expm1(s[(size_t)m1 - 1]) : -INFINITY;
		out->hi = m2 <= (double)npairs ? expm1(s[(size_t)m2 - 1]) : INFINITY;
	}
	out->per_point = expm1(ipcb_stats_median_sorted(s, npairs));
	out->pairs = npairs;
	out->known = true;
	out->significant = out->lo > 0 || out->hi < 0;
	free(s);
	return 0;
}
