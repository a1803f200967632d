/* SPDX-License-Identifier: MIT */
/* floortrips.c - a round-trip floor's account; see floortrips.h. */
#include "floortrips.h"

#include <sched.h>
#include <sys/resource.h>

double ipcb_floor_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

void ipcb_floor_trips_end(struct ipcb_floor_trips *tr, int role, uint64_t t1, uint64_t rounds,
			  const struct ipcb_floor_clocks *c)
{
	if (role == IPCB_SENDER) {
		tr->t_last_ns = t1;
		tr->rounds = rounds;
	}
	tr->cpu_s[role] = ipcb_floor_cpu_seconds() - c->cpu0;
	tr->cpu_seen[role] = sched_getcpu();
}

int ipcb_floor_trips_result(const struct ipcb_floor_trips *tr, struct ipcb_hist *h,
			    struct ipcb_run_result *r)
{
	int rc;

	r->messages = tr->rounds;
	r->elapsed_s = (double)(tr->t_last_ns - tr->t_first_ns) / 1e9;
	r->msgs_per_s = r->elapsed_s > 0 ? (double)r->messages / r->elapsed_s : 0;
	for (int k = 0; k < 2; k++) {
		r->cpu_s[k] = tr->cpu_s[k];
		r->cpu_seen[k] = tr->cpu_seen[k];
	}
	rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS, &r->hist);
	return rc ? rc : ipcb_hist_add(r->hist, h);
}
