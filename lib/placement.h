/* SPDX-License-Identifier: MIT */
/*
 * placement.h - where a run's two sides sit, as --placement names it and the rows record it: one
 * table of the names, in the order the driver runs them and every report lists them.
 */
#ifndef IPCB_PLACEMENT_H
#define IPCB_PLACEMENT_H

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

/*
 * How a placement's two sides share the machine: on two CPUs, where each message crosses from one
 * CPU's cache to the other's (so its ceiling is the copy across them, floor-xcopy, and a stream's
 * hand-over, floor-handover), on one CPU, where they take turns (two copies a message at
 * floor-memcpy's rate), or not known (unpinned: the scheduler decides; two-host: a network
 * between them; a name this build does not know).
 */
enum ipcb_sides { IPCB_SIDES_UNKNOWN, IPCB_SIDES_ONE_CPU, IPCB_SIDES_TWO_CPUS };

/*
 * The sides of a placement (an enum ipcb_placement, or -1 from ipcb_placement_find) whose
 * sender and receiver are pinned to CPUs cpu_a and cpu_b (-1: not pinned): cross-core two CPUs,
 * same-core one, and a pair the topology chose (smt, llc, node, remote-node, a matrix cell) two
 * or one as its CPUs differ. Every floor, ceiling and default bound that depends on it, the
 * driver's and the report's, asks here.
 */
enum ipcb_sides ipcb_placement_sides(int placement, int cpu_a, int cpu_b);

/* Its name in the rows and on the command line; "?" for none. */
const char *ipcb_placement_name(enum ipcb_placement p);
/* The placement named name ("two-host" too); -1 for a name that is none of them. */
int ipcb_placement_find(const char *name);
/*
 * Where a placement's rows come in a report: the table's order, "two-host" after the others, a
 * name it does not know after every one it does (the caller orders those by name).
 */
int ipcb_placement_rank(const char *name);
/* --placement's names, "cross-core, same-core, ..., matrix", into out. */
void ipcb_placement_list(char *out, size_t n);

#endif /* IPCB_PLACEMENT_H */
