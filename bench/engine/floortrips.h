/* SPDX-License-Identifier: MIT */
/*
 * floortrips.h - a round-trip floor's account and its marks (floor-cacheline, floor-futex,
 * floor-mailbox), and a floor's side's CPU time, shared by the floors' files (floor.c,
 * floorcopy.c). Not for the rest of the engine: floor.h is the floors' face.
 */
#ifndef IPCB_FLOORTRIPS_H
#define IPCB_FLOORTRIPS_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "hist.h"
#include "spec.h"

/* This process's user and system CPU time so far, in seconds. */
double ipcb_floor_cpu_seconds(void);

/*
 * A round-trip floor's account (floor-cacheline, floor-futex, floor-mailbox), in the area both
 * sides map: A (the sender) times each round trip and ends the run, after its count or past its
 * deadline; B answers, and learns which round is the last from `total`.
 */
struct ipcb_floor_trips {
	/*
	 * Rounds in all, published by A before its last round, and read by B every round: nothing
	 * on its line may change while they run (A counts its rounds in a register and stores
	 * them here at the end), or each read would cost B a cache-line transfer inside the round
	 * trip, and the floor would hold a transfer that no transport has to pay.
	 */
	_Alignas(64) uint64_t total;
	uint64_t rounds; /* measured rounds */
	uint64_t t_first_ns, t_last_ns;
	double cpu_s[2];
	int cpu_seen[2];
};

/* One side's own clocks over its rounds. */
struct ipcb_floor_clocks {
	uint64_t deadline; /* A's: the time after which its next round is its last */
	double cpu0;	   /* its CPU time when the measured rounds began */
};
#define IPCB_FLOOR_CLOCKS_INIT                                                                     \
	{                                                                                          \
		.deadline = UINT64_MAX                                                             \
	}

/* Round i begins: after the warm-up's rounds, each side starts its clocks. */
static inline __attribute__((always_inline)) void
ipcb_floor_trips_round(struct ipcb_floor_trips *tr, const struct ipcb_run_spec *s, uint64_t i,
		       struct ipcb_floor_clocks *c)
{
	if (i == s->warmup) {
		c->cpu0 = ipcb_floor_cpu_seconds();
		tr->t_first_ns = ipcb_now_ns();
		if (s->duration_s > 0)
			c->deadline = tr->t_first_ns + (uint64_t)(s->duration_s * 1e9);
	}
}

/*
 * A, before round i, its last round trip ending at t1: is round i the last (last: the count says
 * so), and where it is, B is told before the round begins.
 */
static inline __attribute__((always_inline)) bool
ipcb_floor_trips_last(struct ipcb_floor_trips *tr, const struct ipcb_run_spec *s, uint64_t i,
		      uint64_t t1, const struct ipcb_floor_clocks *c, bool last)
{
	if (i > s->warmup && t1 >= c->deadline)
		last = true;
	if (last)
		__atomic_store_n(&tr->total, i + 1, __ATOMIC_SEQ_CST);
	return last;
}

/* A, after round i's round trip from t0 to t1: its time recorded where the round is measured. */
static inline __attribute__((always_inline)) void
ipcb_floor_trips_record(const struct ipcb_run_spec *s, uint64_t i, uint64_t t0, uint64_t t1,
			struct ipcb_hist *h, uint64_t *rounds)
{
	if (i >= s->warmup) {
		ipcb_hist_record(h, (int64_t)(t1 - t0));
		(*rounds)++;
	}
}

/* A side's rounds are done: A's last time (t1) and measured rounds, each side's CPU. */
void ipcb_floor_trips_end(struct ipcb_floor_trips *tr, int role, uint64_t t1, uint64_t rounds,
			  const struct ipcb_floor_clocks *c);
/* Into r: the rounds, their time and rate, the sides' CPU, and the round trips' histogram h. */
int ipcb_floor_trips_result(const struct ipcb_floor_trips *tr, struct ipcb_hist *h,
			    struct ipcb_run_result *r);

#endif /* IPCB_FLOORTRIPS_H */
