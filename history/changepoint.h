/* SPDX-License-Identifier: MIT */
/*
 * changepoint.h - where a series of runs changed level, and how fast it drifts.
 *
 * The input is a series of points in time order (a run each, or a commit each), each the log of
 * the median of its rounds: the run is the unit, since rounds of one run share its machine and
 * two runs of one job may not. Logs, so that a change is a ratio.
 *
 * Change points: a shifted Mann-Whitney test over sliding windows, with the drift taken out.
 * For each candidate point t (the first run after a change), the `window` points before t and
 * the `window` from t on (fewer at the ends, at least window/2 on each side) are compared:
 *  1. a drift is taken out of both windows: the Theil-Sen slope (the median of the pairwise
 *     slopes) of the pairs of points that lie in the same window, so that a step between the
 *     windows does not bend it, subtracted from every point (x_i - slope * i);
 *  2. one-sided Mann-Whitney tests of shifted hypotheses, as compare's: "the second window is
 *     lower than the first by more than the threshold" (the first shifted by log(1 - threshold))
 *     and "higher by more than it" (by log(1 + threshold)); a change smaller than the threshold
 *     is never one;
 *  3. a candidate whose smaller p-value is below alpha / K, K the number of candidates
 *     (Bonferroni: the chance of any false change point in a series of steady runs is at most
 *     alpha), is significant;
 *  4. the significant candidate with the smallest p (then the larger change) is a change
 *     point, those closer to it than window/2 are dropped, and so on.
 * Each change point has the Hodges-Lehmann estimate of its step and the interval the same tests
 * imply at alpha / K. The smallest p two windows of 8 and r points can give is 1 / C(8 + r, r)
 * (no overlap at all): below alpha / K for r = 4 in a series of up to 31 points, r = 5 up to
 * 71, r = 6 up to 157. That many points must follow a change for it to be found.
 *
 * Drift: the Theil-Sen slope of the points over their position, from the pairs of points within
 * the same segment between change points (a step is not a drift), with Sen's distribution-free
 * interval from Kendall's S (z = Phi^-1(1 - alpha/2), C = z sqrt(sum n(n-1)(2n+5)/18) over the
 * segments; the interval is the (N - C)/2-th and (N + C)/2 + 1-th of the N pairwise slopes in
 * order). It is significant when the interval leaves out 0.
 */
#ifndef IPCB_CHANGEPOINT_H
#define IPCB_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>

struct ipcb_cp_opts {
	double threshold; /* the smallest change that counts: 0.05 = 5 % */
	double alpha;	  /* the chance of any false change point (and the drift's level) */
	size_t window;	  /* points on each side of a candidate: 4 .. 64, even */
};

struct ipcb_cp_change {
	size_t at;	      /* the index of the first point after the change */
	double change;	      /* its Hodges-Lehmann estimate, as a ratio - 1 (-0.1 = 10 % lower) */
	double lo, hi;	      /* the interval of the change (ratio - 1) */
	double p;	      /* the smaller one-sided p-value */
	size_t before, after; /* points in the two windows */
};

struct ipcb_cp_drift {
	bool known;	  /* there were pairs within segments to estimate it from */
	bool significant; /* its interval leaves out 0 */
	double per_point; /* exp(slope) - 1: 0.01 = 1 % higher per point */
	double lo, hi;	  /* its interval, as exp(bound) - 1 (-INFINITY/INFINITY: unbounded) */
	size_t pairs;	  /* the pairwise slopes it comes from */
};

/* The level each candidate is tested at for a series of n points: alpha / K; 0 when none. */
double ipcb_cp_level(size_t n, const struct ipcb_cp_opts *o);

/*
 * The change points of y[0..n) (logs), in order of position, at most max of them in out.
 * 0, -EINVAL (bad options, a NULL pointer, a NaN or infinite y) or -ENOMEM.
 */
int ipcb_cp_find(const double *y, size_t n, const struct ipcb_cp_opts *o,
		 struct ipcb_cp_change *out, size_t max, size_t *found);

/*
 * The drift of y[0..n) (logs) per point, within the segments the change points at[0..ncuts)
 * (ascending indices of first points after a change) make. 0, -EINVAL or -ENOMEM.
 */
int ipcb_cp_drift(const double *y, size_t n, const size_t *at, size_t ncuts, double alpha,
		  struct ipcb_cp_drift *out);

#endif /* IPCB_CHANGEPOINT_H */
