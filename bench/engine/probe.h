/* SPDX-License-Identifier: MIT */
/*
 * probe.h - probes of the machine's state between two CPUs, cheap enough to take before and after
 * every run.
 *
 * On a virtual machine the state under a run changes within seconds: the host puts the two
 * virtual CPUs on one core (or two cores of one cache) for a while, then apart again; a woken CPU
 * was idle, or busy. Every row is only as good as the state it ran in, so the driver keeps two
 * threads of its own, pinned to the placement's CPUs and asleep between probes, and asks them for:
 *  - a cache-line round trip: the two threads bounce one cache line, both spinning (on one CPU,
 *    yielding on every turn), a few hundred times: tens of microseconds in all;
 *  - a wake-up round trip: the same with both asleep in FUTEX_WAIT between turns, two blocking
 *    wake-ups per round trip: a few hundred microseconds to a few milliseconds.
 * Each returns the median round trip. The threads block every signal (the driver's are already
 * blocked when they start) and sleep on a futex while the runs measure, so they take no CPU from
 * them.
 */
#ifndef IPCB_PROBE_H
#define IPCB_PROBE_H

struct ipcb_prober;

/* Start the two threads on cpu[0] and cpu[1] (the same CPU is allowed). 0 or -errno. */
int ipcb_prober_start(struct ipcb_prober **out, const int cpu[2]);
/* Median cache-line round trip in ns over `rounds` round trips (after a few unrecorded). */
int ipcb_prober_cacheline(struct ipcb_prober *p, unsigned rounds, double *p50_ns);
/* Median round trip of two blocking wake-ups in ns over `rounds` round trips. */
int ipcb_prober_wakeup(struct ipcb_prober *p, unsigned rounds, double *p50_ns);
/* Stop and join the threads, free everything. NULL is fine. */
void ipcb_prober_stop(struct ipcb_prober *p);

#endif
