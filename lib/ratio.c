/* SPDX-License-Identifier: MIT */
/* ratio.c - how much one series differs from another, as a ratio; see ratio.h. */
#include "ratio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/*
 * The regularized incomplete beta function I_x(a, b), by its continued fraction (evaluated with
 * Lentz's method), on the side of x where it converges fast: I_x(a, b) = 1 - I_(1-x)(b, a).
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-14;
	double f = tiny, c = f, d = 0;

	for (int j = 1; j <= 400; j++) {
		int m = j / 2;
		double num;

		if (j == 1)
			num = 1;
		else if (j % 2 == 0)
			num = -(a + m - 1) * (a + b + m - 1) * x /
			      ((a + 2 * m - 2) * (a + 2 * m - 1));
		else
			num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		f *= c * d;
		if (fabs(c * d - 1) < eps)
			break;
	}
	return f;
}

static double ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	if (x > (a + 1) / (a + b + 2))
		return 1 - ibeta(b, a, 1 - x);
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)) / a;
	return front * beta_cf(a, b, x);
}

double ipcb_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * ibeta(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

double ipcb_t_quantile(double p, double df)
{
	double lo = -1, hi = 1;

	if (!(p > 0) || !(p < 1) || !(df > 0))
		return p <= 0 ? -INFINITY : p >= 1 ? INFINITY : NAN;
	while (ipcb_t_cdf(lo, df) > p && lo > -1e12)
		lo *= 2;
	while (ipcb_t_cdf(hi, df) < p && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * fmax(1, fabs(lo)); i++) {
		double mid = (lo + hi) / 2;

		if (ipcb_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void ipcb_ratio_fini(struct ipcb_ratio *r)
{
	free(r->la);
	free(r->lb);
	free(r->d);
	r->la = r->lb = r->d = NULL;
}

struct round_log {
	uint32_t round;
	double l;
};

static int round_log_cmp(const void *pa, const void *pb)
{
	const struct round_log *a = pa, *b = pb;

	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	return a->l < b->l ? -1 : a->l > b->l;
}

/*
 * A side's logs by round, ascending, one per round (the median of a round's several), rounds
 * of 0 left out: how many into out, and the rounds that had several added to *several.
 */
static size_t by_round(const double *l, const uint32_t *rounds, size_t n, struct round_log *out,
		       size_t *several)
{
	size_t k = 0, m = 0;

	for (size_t i = 0; rounds && i < n; i++)
		if (rounds[i])
			out[m++] = (struct round_log){rounds[i], l[i]};
	qsort(out, m, sizeof(*out), round_log_cmp);
	for (size_t i = 0; i < m;) {
		size_t j = i;

		while (j < m && out[j].round == out[i].round)
			j++;
		*several += j - i > 1;
		out[k].round = out[i].round;
		/* The median of a sorted run: the middle one, or the mean of the middle two. */
		out[k].l = (out[i + (j - i - 1) / 2].l + out[i + (j - i) / 2].l) / 2;
		k++;
		i = j;
	}
	return k;
}

static double mean_var(const double *x, size_t n, double *var)
{
	double m = 0, s = 0;

	for (size_t i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	*var = n > 1 ? s / (double)(n - 1) : NAN;
	return m;
}

/* The fewest pairs with which a test of this method can give a p below alpha. */
static bool pairs_can_test(enum ipcb_ratio_method m, size_t n, double alpha)
{
	return m == IPCB_RATIO_T ? n >= 3 : ipcb_sr_min_p(n) < alpha;
}

static int pair_up(struct ipcb_ratio *r, enum ipcb_ratio_pairing pair, const uint32_t *ra,
		   const uint32_t *rb, double alpha)
{
	struct round_log *x = malloc((r->na + 1) * sizeof(*x)),
			 *y = malloc((r->nb + 1) * sizeof(*y));
	size_t nx, ny, i = 0, j = 0;

	r->d = malloc((r->na < r->nb ? r->na + 1 : r->nb + 1) * sizeof(*r->d));
	if (!x || !y || !r->d) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	nx = by_round(r->la, ra, r->na, x, &r->several);
	ny = by_round(r->lb, rb, r->nb, y, &r->several);
	while (i < nx && j < ny) {
		if (x[i].round < y[j].round)
			i++, r->alone++;
		else if (x[i].round > y[j].round)
			j++, r->alone++;
		else
			r->d[r->npairs++] = x[i++].l - y[j++].l;
	}
	r->alone += (nx - i) + (ny - j);
	free(x);
	free(y);
	if (pair == IPCB_RATIO_PAIRED)
		r->paired = true;
	else if (pair == IPCB_RATIO_AUTO)
		r->paired = pairs_can_test(r->method, r->npairs, alpha) &&
			    2 * r->npairs >= (r->na < r->nb ? r->na : r->nb);
	return 0;
}

/* The t method's estimate, standard error and degrees of freedom. */
static void t_fit(struct ipcb_ratio *r)
{
	double va, vb;

	if (r->paired) {
		r->est = r->npairs ? mean_var(r->d, r->npairs, &va) : NAN;
		r->se = r->npairs > 1 ? sqrt(va / (double)r->npairs) : NAN;
		r->df = (double)r->npairs - 1;
		return;
	}
	r->est = mean_var(r->la, r->na, &va) - mean_var(r->lb, r->nb, &vb);
	if (r->na < 2 || r->nb < 2) {
		r->se = r->df = NAN;
		return;
	}
	va /= (double)r->na;
	vb /= (double)r->nb;
	r->se = sqrt(va + vb);
	/* Welch and Satterthwaite: the two sides' variances need not be equal. */
	r->df = va + vb > 0 ? (va + vb) * (va + vb) /
				  (va * va / (double)(r->na - 1) + vb * vb / (double)(r->nb - 1))
			    : (double)(r->na + r->nb - 2);
}

int ipcb_ratio_make(struct ipcb_ratio *r, enum ipcb_ratio_method m, enum ipcb_ratio_pairing pair,
		    const double *a, const uint32_t *ra, size_t na, const double *b,
		    const uint32_t *rb, size_t nb, double alpha)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->method = m;
	r->na = na;
	r->nb = nb;
	r->est = r->se = r->df = NAN;
	r->lo = -INFINITY;
	r->hi = INFINITY;
	if (!na || !nb)
		return -EINVAL;
	r->la = malloc(na * sizeof(double));
	r->lb = malloc(nb * sizeof(double));
	if (!r->la || !r->lb)
		return -ENOMEM;
	for (size_t i = 0; i < na; i++)
		if (!(a[i] > 0) || !isfinite(r->la[i] = log(a[i])))
			return -EINVAL;
	for (size_t i = 0; i < nb; i++)
		if (!(b[i] > 0) || !isfinite(r->lb[i] = log(b[i])))
			return -EINVAL;
	if (pair != IPCB_RATIO_UNPAIRED && (rc = pair_up(r, pair, ra, rb, alpha)) < 0)
		return rc;
	if (r->paired && !r->npairs)
		return -EINVAL;
	if (m == IPCB_RATIO_T) {
		t_fit(r);
		/* Logs of equal ratios differ in their last bits: that is no spread. */
		if (r->se < 1e-12)
			r->se = 0;
		if (r->se == 0) {
			r->lo = r->hi = r->est;
		} else if (r->se > 0 && r->df > 0) {
			double q = ipcb_t_quantile(1 - alpha, r->df);

			r->lo = r->est - q * r->se;
			r->hi = r->est + q * r->se;
		}
		return 0;
	} else {
		struct ipcb_shift hl;

		rc = r->paired ? ipcb_sr_hl(r->d, r->npairs, alpha, &hl)
			       : ipcb_hl_shift(r->lb, nb, r->la, na, alpha, &hl);
		if (rc < 0)
			return rc;
		r->est = hl.est;
		r->lo = hl.lo;
		r->hi = hl.hi;
	}
	return 0;
}

int ipcb_ratio_p(const struct ipcb_ratio *r, double c, double *above, double *below)
{
	int rc;

	*above = *below = 1;
	if (r->method == IPCB_RATIO_T) {
		double t;

		if (r->se == 0) {
			*above = r->est > c ? 0 : 1;
			*below = r->est < c ? 0 : 1;
			return 0;
		}
		if (!(r->se > 0) || !(r->df > 0))
			return -EINVAL;
		t = (r->est - c) / r->se;
		*below = ipcb_t_cdf(t, r->df);
		*above = 1 - *below;
		return 0;
	}
	if (r->paired) {
		struct ipcb_sr t;

		rc = ipcb_sr_shift_test(r->d, r->npairs, c, &t);
		*above = t.p_greater;
		*below = t.p_less;
	} else {
		struct ipcb_mw t;

		/* Mann-Whitney of B's logs shifted by c against A's: A above them is a > c. */
		rc = ipcb_mw_shift_test(r->lb, r->nb, r->la, r->na, c, &t);
		*above = t.p_greater;
		*below = t.p_less;
	}
	return rc;
}

double ipcb_ratio_min_p(const struct ipcb_ratio *r)
{
	if (r->method == IPCB_RATIO_T)
		return r->paired ? (r->npairs >= 2 ? 0 : 1) : (r->na >= 2 && r->nb >= 2 ? 0 : 1);
	return r->paired ? ipcb_sr_min_p(r->npairs) : ipcb_mw_min_p(r->na, r->nb);
}

double ipcb_ratio_resolution(const struct ipcb_ratio *r, double alpha, double power)
{
	double sa, sb, mad, se;

	if (!(ipcb_ratio_min_p(r) < alpha))
		return INFINITY;
	if (r->method == IPCB_RATIO_T)
		return r->se > 0 && r->df > 0
			   ? (ipcb_t_quantile(1 - alpha, r->df) + ipcb_t_quantile(power, r->df)) *
				 r->se
		       : r->se == 0 ? 0
				    : INFINITY;
	/* The ranks' own scale: the robust spread of the logs, as a normal test would use it. */
	if (r->paired) {
		if (ipcb_stats_mad(r->d, r->npairs, &mad, NULL) < 0)
			return INFINITY;
		se = IPCB_MAD_TO_SIGMA * mad / sqrt((double)r->npairs);
	} else {
		if (ipcb_stats_mad(r->la, r->na, &sa, NULL) < 0 ||
		    ipcb_stats_mad(r->lb, r->nb, &sb, NULL) < 0)
			return INFINITY;
		sa *= IPCB_MAD_TO_SIGMA;
		sb *= IPCB_MAD_TO_SIGMA;
		se = sqrt(sa * sa / (double)r->na + sb * sb / (double)r->nb);
	}
	return (ipcb_stats_norm_quantile(1 - alpha) + ipcb_stats_norm_quantile(power)) * se;
}
