/* SPDX-License-Identifier: MIT */
/*
 * topology.h - what two CPUs share, as hwloc says: for an ordered pair of CPUs its class (one
 * CPU, two hardware threads of one core, a cache and its level, a NUMA node, or two nodes and
 * their distance), a representative pair for each placement a machine has (and why it lacks
 * the others), and the pairs a placement matrix runs. Two processes talk faster the more their
 * CPUs share, so a row is only understood with its pair's class beside it.
 *
 * The machine's shape is hwloc's (libhwloc, what MPI runtimes and Slurm read it through): this
 * machine, or another one described by an XML file hwloc wrote (`lstopo machine.xml` there) or
 * by a synthetic description ("pack:2 numa:2 core:8 pu:2"), so that a plan for a machine not at
 * hand can be made and tested. The caller says which (the driver reads hwloc's own variables,
 * IPCB_TOPO_XML_ENV and IPCB_TOPO_SYNTHETIC_ENV); nothing here reads the environment, and a
 * description hwloc cannot read is an error naming it, never this machine instead.
 *
 * Two CPUs share a core or a cache when hwloc puts them under one object of it, compared by the
 * object's lowest CPU; the NUMA distances are hwloc's latency matrix (the firmware's, 10 local).
 */
#ifndef IPCB_TOPOLOGY_H
#define IPCB_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

/* hwloc's variables naming another machine, which the driver reads as hwloc would. */
#define IPCB_TOPO_XML_ENV	"HWLOC_XMLFILE"
#define IPCB_TOPO_SYNTHETIC_ENV "HWLOC_SYNTHETIC"

/*
 * The largest CPU number + 1 and node number + 1 taken (the kernel's NR_CPUS and MAX_NUMNODES at
 * their largest on x86-64), and the deepest cache level.
 */
#define IPCB_TOPO_MAX_CPUS  8192
#define IPCB_TOPO_MAX_NODES 1024
#define IPCB_TOPO_MAX_LEVEL 7

enum ipcb_topo_class {
	IPCB_TOPO_UNKNOWN = 0, /* the topology says nothing that places the two */
	IPCB_TOPO_SAME,	       /* one CPU: both sides take turns on it */
	IPCB_TOPO_SMT,	       /* two hardware threads of one core */
	IPCB_TOPO_CACHE,       /* two cores sharing a data or unified cache beyond L1 */
	IPCB_TOPO_NODE,	       /* one NUMA node, no cache shared */
	IPCB_TOPO_REMOTE_NODE, /* two NUMA nodes */
	IPCB_TOPO_CLASSES
};

/* An ordered pair's class: (a, b) is the sender on CPU a and the receiver on CPU b. */
struct ipcb_topo_pair {
	enum ipcb_topo_class cls;
	unsigned cache_level; /* IPCB_TOPO_CACHE: the lowest level the two share (2, 3, ...) */
	unsigned distance;    /* _NODE, _REMOTE_NODE: a's node's distance to b's (10 local);
				 0 when the topology gives none */
};

/* What one machine's topology says; opaque. */
struct ipcb_topo;

enum ipcb_topo_from {
	IPCB_TOPO_FROM_MACHINE,	  /* this machine (what is NULL) */
	IPCB_TOPO_FROM_XML,	  /* what: an XML file hwloc wrote */
	IPCB_TOPO_FROM_SYNTHETIC, /* what: a synthetic description */
};

/*
 * Read the topology into *out. 0, or a negative errno with err saying what could not be read
 * ("HWLOC_SYNTHETIC 'pack:2 foo:3': not a synthetic description hwloc reads").
 * ipcb_topo_destroy accepts NULL.
 */
int ipcb_topo_create(enum ipcb_topo_from from, const char *what, struct ipcb_topo **out, char *err,
		     size_t errlen);
void ipcb_topo_destroy(struct ipcb_topo *t);
/* Whether it is another machine's (a description): nothing may be pinned by it. */
bool ipcb_topo_elsewhere(const struct ipcb_topo *t);

/* The online CPUs, ascending: how many, and the array in *cpus (owned by t). */
size_t ipcb_topo_cpus(const struct ipcb_topo *t, const int **cpus);
/*
 * Bytes of the largest data or unified cache that serves CPU cpu's core alone (SMT siblings
 * share it; no other core does): what a shared-memory ring is laid out from (ring.c). 0 when the
 * topology says nothing of it, or cpu is not online.
 */
size_t ipcb_topo_private_bytes(const struct ipcb_topo *t, int cpu);
/*
 * The bytes of shared memory that two CPUs with private_bytes of cache of their own each (0: not
 * known) take turns on without meeting their own or the other's recent lines: four times that,
 * so that each side's lines leave the other's private cache for the shared one before they come
 * round again (transports/util/ring.c says what that is worth), at least 256 KiB and at most
 * 16 MiB (more only loses: on an AMD EPYC guest floor-mailbox's 4 KiB round trip took 0.56 us
 * with its boxes over 4 MiB a way, 1.0 us over 32 MiB). A ring is this large, and floor-mailbox
 * spreads its boxes over it.
 */
size_t ipcb_topo_turnover_bytes(size_t private_bytes);
/* This machine's private cache, read once (its lowest online CPU's); 0: not said. */
size_t ipcb_topo_this_private_bytes(void);
/*
 * t (NULL: none could be read) is this machine's: ipcb_topo_this_private_bytes() answers from it
 * from now on, here and in the processes forked from here, without loading hwloc's topology
 * again (a load takes milliseconds and, deep in a run, more of a small stack than is left).
 */
void ipcb_topo_this_is(const struct ipcb_topo *t);
/* The last-level cache's level (the deepest data or unified cache any CPU has); 0 = not said. */
unsigned ipcb_topo_llc_level(const struct ipcb_topo *t);

/* The class of the ordered pair (a, b). 0, or -EINVAL when either CPU is not online. */
int ipcb_topo_classify(const struct ipcb_topo *t, int a, int b, struct ipcb_topo_pair *p);

/* "same", "smt", "cache", "node", "remote-node", "unknown". */
const char *ipcb_topo_class_name(enum ipcb_topo_class c);
/* The pair's class in words: "cache L3", "remote-node distance 21", "smt". */
void ipcb_topo_pair_text(const struct ipcb_topo_pair *p, char *out, size_t n);

/*
 * Placements: the kinds of pair a user runs a transport on, from nearest to farthest.
 * llc: two cores sharing the last-level cache (not SMT siblings); node: one NUMA node and no
 * shared cache (another chiplet, another cluster's cache); remote-node: two nodes.
 */
enum ipcb_topo_place {
	IPCB_TOPO_PLACE_SMT = 0,
	IPCB_TOPO_PLACE_LLC,
	IPCB_TOPO_PLACE_NODE,
	IPCB_TOPO_PLACE_REMOTE_NODE,
	IPCB_TOPO_PLACES
};

/* "smt", "llc", "node", "remote-node". */
const char *ipcb_topo_place_name(enum ipcb_topo_place p);

struct ipcb_topo_reps {
	bool has[IPCB_TOPO_PLACES];
	int cpu[IPCB_TOPO_PLACES][2]; /* the pair, when has[]: sender's CPU, receiver's */
	/* Why a placement is missing ("one NUMA node"; "the topology lists no NUMA node"). */
	const char *why[IPCB_TOPO_PLACES];
};

/*
 * A representative pair of each placement among cpus (n of them, online, no repeats; NULL:
 * every online CPU), and why each missing one is missing. The pair is the first in the order of
 * cpus (lowest first, then its lowest partner) that is of the placement; for llc, the first
 * whose nearest shared cache is the last level when there is one (the L3 alone, not an L2 of a
 * cluster under it), else the first sharing it at all. 0, or -EINVAL for a CPU not online or
 * named twice.
 */
int ipcb_topo_reps_pick(const struct ipcb_topo *t, const int *cpus, size_t n,
			struct ipcb_topo_reps *r);
/* The placements r lacks, comma-separated with why: "smt (no two CPUs are SMT siblings)". */
void ipcb_topo_reps_lacking(const struct ipcb_topo_reps *r, char *out, size_t n);

/* An ordered pair of CPUs: the sender's and the receiver's. */
struct ipcb_cpu_pair {
	int a, b;
};

/*
 * The ordered pairs of cpus (n of them, as for ipcb_topo_reps_pick) a placement matrix runs,
 * at most limit (>= 1) of them, written to out (room for limit) in the order of cpus (by a,
 * then b), their count in *count. Every pair, (a, a) included, when there are no more than
 * limit; else a sample, the same every time, stratified by what the pairs share (see
 * topology.c). 0, or -EINVAL (a bad CPU list, limit 0), -ENOMEM.
 */
int ipcb_topo_pairs_pick(const struct ipcb_topo *t, const int *cpus, size_t n, size_t limit,
			 struct ipcb_cpu_pair *out, size_t *count);

/*
 * Parse a kernel CPU list ("0-3,8-11", "5", "" or "\n" for none; a trailing newline or blanks
 * allowed) into cpus, ascending and without repeats, at most max of them, their count in *n.
 * 0, or -EINVAL (not a list), -ERANGE (a CPU at or above IPCB_TOPO_MAX_CPUS), -ENOSPC (more
 * than max).
 */
int ipcb_cpulist_parse(const char *s, int *cpus, size_t max, size_t *n);

#endif
