/* SPDX-License-Identifier: MIT */
/*
 * places.c - where the two sides run: --placement and --cpus as pairs of CPUs (with what the
 * machine's topology says they share), and the check that a placement's CPUs read one clock.
 */
#include "drv.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"
#include "launch.h"

int ipcb_places_first_cpus(int cpus[2])
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[found++] = c;
	if (found == 1)
		cpus[1] = cpus[0];
	return found ? 0 : -ENOENT;
}

/* Work out each placement's CPUs from --placement and --cpus. */
/* A new placement at the end of the list, zeroed; NULL when out of memory. */
static struct place *place_add(struct driver *d, enum ipcb_placement kind, int a, int b)
{
	struct place *p;

	if (d->nplaces == d->places_cap) {
		size_t cap = d->places_cap ? 2 * d->places_cap : 8;
		struct place *n = realloc(d->places, cap * sizeof(*n));

		if (!n)
			return NULL;
		d->places = n;
		d->places_cap = cap;
	}
	p = &d->places[d->nplaces++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->cpu[0] = a;
	p->cpu[1] = b;
	return p;
}

/*
 * The machine's shape (lib/topology.h), from hwloc: this machine's, or another one's where
 * hwloc's own variables name an XML file or a synthetic description (a plan of another machine,
 * or a test's). Without it, every pinned row's cpu_topology is empty and the topology's
 * placements cannot be chosen.
 */
int ipcb_places_topology_load(struct driver *d, char *err, size_t errlen)
{
	const char *xml = getenv(IPCB_TOPO_XML_ENV), *syn = getenv(IPCB_TOPO_SYNTHETIC_ENV);
	enum ipcb_topo_from from = xml && *xml	 ? IPCB_TOPO_FROM_XML
				   : syn && *syn ? IPCB_TOPO_FROM_SYNTHETIC
						 : IPCB_TOPO_FROM_MACHINE;

	if (ipcb_topo_create(from, from == IPCB_TOPO_FROM_XML ? xml : syn, &d->topo, d->topo_err,
			     sizeof(d->topo_err)) < 0) {
		d->topo = NULL;
		/* A machine the user named and hwloc cannot read: never this one instead. */
		if (from != IPCB_TOPO_FROM_MACHINE) {
			snprintf(err, errlen, "%s", d->topo_err);
			return -EINVAL;
		}
		ipcb_topo_this_is(NULL);
		return 0;
	}
	/* hwloc says whether a description is this machine's (HWLOC_THISSYSTEM=1 says so). */
	d->topo_elsewhere = ipcb_topo_elsewhere(d->topo);
	if (d->topo_elsewhere && !d->o.plan_only) {
		snprintf(err, errlen,
			 "%s=%s describes another machine: --dry-run plans for it, a run measures "
			 "this one (unset it, or set HWLOC_THISSYSTEM=1 where it describes this "
			 "machine)",
			 from == IPCB_TOPO_FROM_XML ? IPCB_TOPO_XML_ENV : IPCB_TOPO_SYNTHETIC_ENV,
			 from == IPCB_TOPO_FROM_XML ? xml : syn);
		return -EINVAL;
	}
	/* The rings' plans and floor-mailbox's boxes are sized by it, in the runs to come. */
	ipcb_topo_this_is(d->topo);
	return 0;
}

/* What the two CPUs of a placement share, in words, for its rows. */
static void place_topology(const struct driver *d, struct place *p)
{
	struct ipcb_topo_pair pair;

	p->topology[0] = '\0';
	if (!d->topo || p->cpu[0] < 0 || p->cpu[1] < 0 || p->kind == IPCB_PLACE_TWO_HOST)
		return;
	if (ipcb_topo_classify(d->topo, p->cpu[0], p->cpu[1], &pair) == 0)
		ipcb_topo_pair_text(&pair, p->topology, sizeof(p->topology));
}

/*
 * How progress lines, failures and the summary name a placement: a pair the topology chose (a
 * class's, or a matrix cell) with its CPUs, since several share a name. Four at a time.
 */
const char *ipcb_place_text(const struct place *pl)
{
	static char buf[4][48];
	static unsigned next;
	char *out = buf[next++ % 4];

	if (pl->kind >= IPCB_PLACE_SMT && pl->kind <= IPCB_PLACE_MATRIX)
		snprintf(out, sizeof(buf[0]), "%s %d,%d", ipcb_placement_name(pl->kind), pl->cpu[0],
			 pl->cpu[1]);
	else
		snprintf(out, sizeof(buf[0]), "%s", ipcb_placement_name(pl->kind));
	return out;
}

/*
 * The CPUs the topology's placements choose from: --cpus LIST, else every CPU the topology
 * lists that this process may use (all of them, for another machine's). *cpus is allocated.
 */
static int topology_cpus(const struct driver *d, int **cpus, size_t *n)
{
	const int *all;
	size_t nall = ipcb_topo_cpus(d->topo, &all);
	cpu_set_t allowed;

	*n = 0;
	*cpus = calloc(nall ? nall : 1, sizeof(**cpus));
	if (!*cpus)
		return -ENOMEM;
	if (d->o.cpu_list) {
		for (size_t i = 0; i < d->o.ncpu_list && *n < nall; i++)
			for (size_t k = 0; k < nall; k++)
				if (all[k] == d->o.cpu_list[i])
					(*cpus)[(*n)++] = all[k];
		return 0;
	}
	if (!d->topo_elsewhere && sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	for (size_t k = 0; k < nall; k++)
		if (d->topo_elsewhere || (all[k] < CPU_SETSIZE && CPU_ISSET(all[k], &allowed)))
			(*cpus)[(*n)++] = all[k];
	return 0;
}

/*
 * The topology's placements asked for: a representative pair of each class the machine has
 * (saying which it lacks, and why), and the matrix's ordered pairs (sampled beyond
 * --matrix-pairs). 0, or -EINVAL / -ENOMEM with err filled.
 */
static int resolve_topology_places(struct driver *d, char *err, size_t errlen)
{
	static const enum ipcb_topo_place of[] = {
	    [IPCB_PLACE_SMT] = IPCB_TOPO_PLACE_SMT,
	    [IPCB_PLACE_LLC] = IPCB_TOPO_PLACE_LLC,
	    [IPCB_PLACE_NODE] = IPCB_TOPO_PLACE_NODE,
	    [IPCB_PLACE_REMOTE_NODE] = IPCB_TOPO_PLACE_REMOTE_NODE,
	};
	const struct ipcb_opts *o = &d->o;
	struct ipcb_topo_reps reps;
	struct ipcb_cpu_pair *pairs = NULL;
	size_t n = 0, npairs = 0;
	int *cpus = NULL, rc;

	if (!d->topo) {
		snprintf(err, errlen,
			 "--placement: the topology's placements need the machine's shape, "
			 "which hwloc could not read: %s",
			 d->topo_err);
		return -EINVAL;
	}
	rc = topology_cpus(d, &cpus, &n);
	if (rc == 0 && n == 0)
		rc = -ENOENT;
	if (rc == 0)
		rc = ipcb_topo_reps_pick(d->topo, cpus, n, &reps);
	if (rc) {
		snprintf(err, errlen, "--placement: choosing CPU pairs%s: %s",
			 o->cpu_list ? " among --cpus" : "",
			 rc == -ENOENT ? "none of the CPUs is one the topology lists"
				       : strerror(-rc));
		free(cpus);
		return rc;
	}
	for (size_t i = 0; i < o->nplacements; i++) {
		enum ipcb_placement k = o->placements[i];

		if (k >= IPCB_PLACE_SMT && k <= IPCB_PLACE_REMOTE_NODE) {
			enum ipcb_topo_place tp = of[k];

			if (!reps.has[tp]) {
				fprintf(stderr, "%s: --placement %s: this machine has none%s%s%s\n",
					prog, ipcb_placement_name(k),
					o->cpu_list ? " among --cpus" : "",
					reps.why[tp] ? ": " : "", reps.why[tp] ? reps.why[tp] : "");
				continue;
			}
			if (!place_add(d, k, reps.cpu[tp][0], reps.cpu[tp][1]))
				rc = -ENOMEM;
		} else if (k == IPCB_PLACE_MATRIX) {
			size_t limit = o->matrix_pairs;

			pairs = calloc(limit, sizeof(*pairs));
			rc = pairs ? ipcb_topo_pairs_pick(d->topo, cpus, n, limit, pairs, &npairs)
				   : -ENOMEM;
			for (size_t j = 0; rc == 0 && j < npairs; j++)
				if (!place_add(d, k, pairs[j].a, pairs[j].b))
					rc = -ENOMEM;
			if (rc == 0 && npairs < n * n)
				fprintf(
				    stderr,
				    "%s: --placement matrix: %zu of the %zu ordered pairs of %zu "
				    "CPUs, a sample of every kind of pair (--matrix-pairs)\n",
				    prog, npairs, n * n, n);
			free(pairs);
			pairs = NULL;
		}
		if (rc)
			break;
	}
	free(cpus);
	if (rc) {
		snprintf(err, errlen, "--placement: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

int ipcb_places_resolve(struct driver *d, char *err, size_t errlen)
{
	const struct ipcb_opts *o = &d->o;
	bool cpus_given = o->cpus[0] >= 0;
	int a = cpus_given ? o->cpus[0] : d->first_cpus[0];
	int b = cpus_given ? o->cpus[1] : d->first_cpus[1];
	enum ipcb_placement kinds[IPCB_PLACES];
	size_t n = o->nplacements;

	/* The sender here, the receiver there: its CPU is the peer's (-2 until it says). */
	if (o->peer) {
		if (!place_add(d, IPCB_PLACE_TWO_HOST, a, cpus_given ? b : -2))
			goto nomem;
		return 0;
	}
	if (n == 0) {
		kinds[0] = a == b ? IPCB_PLACE_SAME_CORE : IPCB_PLACE_CROSS_CORE;
		n = 1;
		if (!cpus_given && a == b)
			fprintf(stderr, "%s: only CPU %d is available: both sides share it\n", prog,
				a);
	} else {
		memcpy(kinds, o->placements, n * sizeof(kinds[0]));
	}
	for (size_t i = 0; i < n; i++) {
		switch (kinds[i]) {
		case IPCB_PLACE_CROSS_CORE:
			if (a == b) {
				snprintf(err, errlen,
					 cpus_given
					     ? "--placement cross-core needs two different CPUs, "
					       "but --cpus says %d,%d"
					     : "--placement cross-core needs two CPUs; this "
					       "process may use only CPU %d%.0d",
					 a, b);
				return -EINVAL;
			}
			if (!place_add(d, kinds[i], a, b))
				goto nomem;
			break;
		case IPCB_PLACE_SAME_CORE:
			if (!place_add(d, kinds[i], a, a))
				goto nomem;
			break;
		case IPCB_PLACE_UNPINNED:
			if (!place_add(d, kinds[i], -1, -1))
				goto nomem;
			break;
		default:
			break; /* the topology's, below */
		}
	}
	if (ipcb_opts_topology_placed(o)) {
		int rc = resolve_topology_places(d, err, errlen);

		if (rc)
			return rc;
	}
	for (size_t i = 0; i < d->nplaces; i++)
		place_topology(d, &d->places[i]);
	if (d->nplaces == 0) {
		snprintf(err, errlen,
			 "--placement: this machine has none of the placements asked for (see "
			 "above)");
		return -ENOENT;
	}
	return 0;
nomem:
	snprintf(err, errlen, "placements: %s", strerror(ENOMEM));
	return -ENOMEM;
}

/* Check that the placement's CPUs agree on the time, before any one-way row relies on it. */
int ipcb_place_clock_check(struct driver *d, struct place *pl)
{
	char err[IPCB_RUN_ERR_BYTES];
	/* Unpinned sides may land anywhere: the first two CPUs stand in for any pair. */
	const int *cpu = pl->kind == IPCB_PLACE_UNPINNED ? d->first_cpus : pl->cpu;
	int rc;

	/* Two hosts: no shared clock; each run measures the offset over the connection. */
	if (pl->kind == IPCB_PLACE_TWO_HOST) {
		const struct ipcb_remote_clock *rc_two = &d->peer->remote.clock;

		printf("# two-host (CPU %d here, CPU %d on the peer): the peer's clock is %+lld ns "
		       "from ours, within +-%lld ns (%u exchanges over the control connection); "
		       "each run measures it again, and one-way rows say their bound\n",
		       pl->cpu[0], pl->cpu[1], (long long)rc_two->offset_ns,
		       (long long)((rc_two->hi_ns - rc_two->lo_ns) / 2), rc_two->rounds);
		return 0;
	}
	rc = ipcb_clock_check(&ipcb_launcher_fork, cpu, d->o.timeout_s, &pl->clock, err,
			      sizeof(err));

	if (rc == -EINTR) {
		d->interrupted = pl->clock.signal;
		return rc;
	}
	if (rc) {
		fprintf(stderr, "%s: clock check on CPUs %d,%d failed (%s): no one-way rows\n",
			prog, cpu[0], cpu[1], err);
		return 0;
	}
	pl->clock_checked = true;
	if (pl->clock.rounds == 0) {
		printf("# %s (CPU %d): both sides read one CPU's clock\n", ipcb_place_text(pl),
		       pl->cpu[0]);
		return 0;
	}
	printf("# %s (CPUs %d,%d): clock offset between the CPUs within [%lld, %lld] ns over "
	       "%llu exchanges: %s\n",
	       ipcb_place_text(pl), pl->cpu[0], pl->cpu[1], (long long)pl->clock.lo_ns,
	       (long long)pl->clock.hi_ns, (unsigned long long)pl->clock.rounds,
	       pl->clock.consistent ? "no skew detected" : "THE CLOCKS DISAGREE");
	return 0;
}
