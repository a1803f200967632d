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
