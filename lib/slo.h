/* SPDX-License-Identifier: MIT */
/*
 * slo.h - a latency bound, "p99 <= 20 us", as --rate-sweep looks for it and the report judges
 * open-loop rows by it: its spelling on the command line, and each placement's default.
 */
#ifndef IPCB_SLO_H
#define IPCB_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "placement.h"

struct ipcb_slo {
	double pct; /* the percentile, 50 to 99.999 */
	double ns;  /* the bound; 0 = each placement's default (ipcb_slo_default_ns) */
};

/*
 * The default bound where none was given, by how the placement's sides share the machine
 * (ipcb_placement_sides): 20 us on two CPUs, 50 us on one (every hand-over there is a context
 * switch), 100 us where that is not known (unpinned: the sides may migrate and wait for a CPU).
 */
double ipcb_slo_default_ns(enum ipcb_sides sides);

/*
 * Parse "pP=LATENCY" (p99=20us, p99.9=1ms: a percentile 50 to 99.999, a latency above 0 with a
 * unit, ns, us, ms or s) into *slo. 0, or -1 with one line in err naming `what` (the option)
 * and the bad value.
 */
int ipcb_slo_parse(const char *s, const char *what, struct ipcb_slo *slo, char *err, size_t errlen);

/*
 * A step of an open loop measured the channel, not its generator, when at most IPCB_KEPT_LATE
 * of its sends started late (more than one interval after their time) and it achieved at least
 * IPCB_KEPT_ACHIEVED of the rate it offered. Anything else measured the generator's lateness:
 * every latency counts from the intended send time. --rate-sweep stops at the first step not
 * kept, and the report shows no latency of one.
 */
#define IPCB_KEPT_LATE	   0.10
#define IPCB_KEPT_ACHIEVED 0.95

/* Was a run's step kept: `late` of its `messages` sends late, `achieved` of `offered`/s? */
bool ipcb_step_kept(double late, double messages, double achieved, double offered);

#endif
