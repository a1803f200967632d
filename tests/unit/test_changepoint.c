/* SPDX-License-Identifier: MIT */
/*
 * test_changepoint.c - change points and drift of a series of runs (history/changepoint.c) on
 * synthetic series with known answers: a step where it was made and nowhere else, a drift
 * taken out of the windows and measured within the segments, steps under the threshold, a
 * lone outlier, a step too near the end, and bad input. The noise is a fixed pseudo-random
 * sequence: no check depends on timing or chance.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "changepoint.h"
#include "stats.h"
#include "tapout.h"

#define N_MAX 200

static const struct ipcb_cp_opts defaults = {.threshold = 0.05, .alpha = 0.05, .window = 8};

/*
 * log of: 1 per point times (1 + drift)^i, times (1 + step) from point `at` on, times a noise
 * uniform in +-noise.
 */
static void series(double *y, size_t n, double drift, size_t at, double step, double noise,
		   uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		double u = (double)(ipcb_rng_next(&seed) >> 11) / 9007199254740992.0;

		y[i] = (double)i * log1p(drift) + (i >= at ? log1p(step) : 0) +
		       log1p(noise * (2 * u - 1));
	}
}

static size_t find(const double *y, size_t n, const struct ipcb_cp_opts *o,
		   struct ipcb_cp_change *cp)
{
	size_t found = 99;
	int rc = ipcb_cp_find(y, n, o, cp, 8, &found);

	return rc == 0 ? found : 99;
}

int main(void)
{
	struct ipcb_cp_change cp[8];
	struct ipcb_cp_drift d;
	double y[N_MAX];
	size_t n, at;
	int rc;

	/* A steady series: no change, no drift. */
	series(y, 40, 0, 40, 0, 0.01, 1);
	ok_eq(find(y, 40, &defaults, cp), 0, "steady, +-1 %% noise: no change point");
	rc = ipcb_cp_drift(y, 40, NULL, 0, 0.05, &d);
	ok(rc == 0 && d.known && !d.significant,
	   "steady: no drift shown (%+.3f%% per point [%+.3f%%, %+.3f%%])", d.per_point * 100,
	   d.lo * 100, d.hi * 100);

	/* The history: a 10 % step at run 25 of 40 on top of a 1 % per run drift. */
	series(y, 40, -0.01, 24, -0.10, 0.005, 2);
	n = find(y, 40, &defaults, cp);
	ok(n == 1 && cp[0].at == 24, "step and drift: one change, at point 24 (found %zu, at %zu)",
	   n, n ? cp[0].at : 0);
	ok(n == 1 && fabs(cp[0].change + 0.10) < 0.01 && cp[0].lo <= cp[0].change &&
	       cp[0].change <= cp[0].hi,
	   "its estimate is -10 %% within 1 %% (%+.2f%% [%+.2f%%, %+.2f%%])", cp[0].change * 100,
	   cp[0].lo * 100, cp[0].hi * 100);
	at = 24;
	rc = ipcb_cp_drift(y, 40, &at, 1, 0.05, &d);
	ok(rc == 0 && d.significant && fabs(d.per_point + 0.01) < 0.001 && d.hi < 0,
	   "the drift within the segments is -1 %% per point (%+.3f%% [%+.3f%%, %+.3f%%])",
	   d.per_point * 100, d.lo * 100, d.hi * 100);
	/* Across the step instead of within its segments, the step would bend the drift. */
	rc = ipcb_cp_drift(y, 40, NULL, 0, 0.05, &d);
	ok(rc == 0 && d.per_point < -0.011,
	   "measured across the step, the drift is steeper (%+.3f%%): why segments",
	   d.per_point * 100);

	/* A drift alone is no change point: each window's own slope is taken out. */
	series(y, 60, 0.01, 60, 0, 0.005, 3);
	ok_eq(find(y, 60, &defaults, cp), 0,
	      "drift alone (+1 %% per point for 60): no change point");
	rc = ipcb_cp_drift(y, 60, NULL, 0, 0.05, &d);
	ok(rc == 0 && d.significant && fabs(d.per_point - 0.01) < 0.001,
	   "drift alone: +1 %% per point shown (%+.3f%%)", d.per_point * 100);

	/* Two steps, each found where it was made. */
	series(y, 48, 0, 16, -0.10, 0.01, 4);
	for (size_t i = 32; i < 48; i++)
		y[i] += log(1.15 / 0.9);
	n = find(y, 48, &defaults, cp);
	ok(n == 2 && cp[0].at == 16 && cp[1].at == 32 && cp[0].change < 0 && cp[1].change > 0,
	   "two steps: found at 16 (down) and 32 (up) (found %zu)", n);

	/* A step under the threshold is not a change, however clear. */
	series(y, 40, 0, 20, -0.03, 0.002, 5);
	ok_eq(find(y, 40, &defaults, cp), 0, "a clear 3 %% step is no change at a 5 %% threshold");
	struct ipcb_cp_opts small = defaults;

	small.threshold = 0.01;
	n = find(y, 40, &small, cp);
	ok(n == 1 && cp[0].at == 20, "and with a threshold of 1 %% it is one, at 20 (found %zu)",
	   n);

	/* One slow run is an outlier, not a change: the windows' ranks hardly move. */
	series(y, 40, 0, 40, 0, 0.01, 6);
	y[20] += log(0.7);
	ok_eq(find(y, 40, &defaults, cp), 0, "one run 30 %% slow is no change point");

	/* Near the end: found once enough runs follow it, not before. */
	series(y, 30, 0, 25, -0.10, 0.005, 7);
	n = find(y, 30, &defaults, cp);
	ok(n == 1 && cp[0].at == 25, "a step 5 points before the end of 30 is found (found %zu)",
	   n);
	series(y, 30, 0, 27, -0.10, 0.005, 7);
	ok_eq(find(y, 30, &defaults, cp), 0,
	      "3 points before the end it is not (too few after it)");
	ok(ipcb_cp_level(30, &defaults) > ipcb_mw_min_p(8, 4) &&
	       ipcb_cp_level(40, &defaults) < ipcb_mw_min_p(8, 4),
	   "4 points after a change are enough in 30, not in 40 (levels %.5f, %.5f; min p %.5f)",
	   ipcb_cp_level(30, &defaults), ipcb_cp_level(40, &defaults), ipcb_mw_min_p(8, 4));

	/* Too short for a window on each side: nothing to test, not an error. */
	series(y, 7, 0, 3, -0.5, 0, 8);
	ok_eq(find(y, 7, &defaults, cp), 0, "7 points: too few for windows, no change point");
	ok(ipcb_cp_level(7, &defaults) == 0, "7 points: no candidate (level 0)");
	rc = ipcb_cp_drift(y, 1, NULL, 0, 0.05, &d);
	ok(rc == 0 && !d.known, "1 point: no drift known");

	/* Bad input. */
	struct ipcb_cp_opts bad = defaults;

	bad.window = 5;
	ok(ipcb_cp_find(y, 7, &bad, cp, 8, &n) == -EINVAL, "an odd window is refused");
	bad = defaults;
	bad.threshold = 0;
	ok(ipcb_cp_find(y, 7, &bad, cp, 8, &n) == -EINVAL, "a threshold of 0 is refused");
	y[3] = NAN;
	ok(ipcb_cp_find(y, 7, &defaults, cp, 8, &n) == -EINVAL &&
	       ipcb_cp_drift(y, 7, NULL, 0, 0.05, &d) == -EINVAL,
	   "a NaN is refused");
	at = 9;
	y[3] = 0;
	ok(ipcb_cp_drift(y, 7, &at, 1, 0.05, &d) == -EINVAL, "a cut beyond the series is refused");
	return tap_done();
}
