/* SPDX-License-Identifier: MIT */
/*
 * cpus.h - where the sides run: the placements (--placement) by name, the CPUs this process may
 * use (cgroup cpusets and taskset included), as a set and as the kernel writes a list of them,
 * and --cpus A,B checked against them (on two hosts, A here and B the peer's).
 */
#ifndef IPCB_CPUS_H
#define IPCB_CPUS_H

#include <sched.h>
#include <stddef.h>

enum ipcb_placement {
	IPCB_PLACE_CROSS_CORE, /* sender and receiver pinned to two different CPUs */
	IPCB_PLACE_SAME_CORE,  /* both pinned to one CPU: every hand-over is a context switch */
	IPCB_PLACE_UNPINNED,   /* left to the scheduler */
	/*
	 * A representative pair of each topology class the machine has (lib/topology.h): two
	 * hardware threads of one core, two cores sharing the last-level cache, one NUMA node
	 * without a shared cache, two nodes.
	 */
	IPCB_PLACE_SMT,
	IPCB_PLACE_LLC,
	IPCB_PLACE_NODE,
	IPCB_PLACE_REMOTE_NODE,
	IPCB_PLACE_MATRIX, /* every ordered pair of the CPUs (sampled beyond --matrix-pairs) */
	IPCB_PLACES,
	/* The sender here, the receiver on the peer (--peer): not one of --placement's. */
	IPCB_PLACE_TWO_HOST = IPCB_PLACES,
};

const char *ipcb_placement_name(enum ipcb_placement p);

/* 0, or -errno. */
int ipcb_cpus_allowed(cpu_set_t *set);
/* "0-3,6" */
void ipcb_cpus_text(const cpu_set_t *set, char *out, size_t n);
/* --cpus A,B: two CPUs this process may use; 0, or -EINVAL with err naming the value. */
int ipcb_parse_cpus(const char *s, int out[2], char *err, size_t errlen);
/* --cpus A,B with --peer: A a CPU here, B one of the peer's (which the peer checks). */
int ipcb_parse_cpus_two_hosts(const char *s, int out[2], char *err, size_t errlen);

#endif
