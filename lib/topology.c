/* SPDX-License-Identifier: MIT */
/* topology.c - what two CPUs share, from hwloc; see topology.h. */
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"

/* What one online CPU shares, each as the lowest CPU of hwloc's object for it; -1: not said. */
struct topo_cpu {
	bool online;
	int smt;
	int node;
	int cache[IPCB_TOPO_MAX_LEVEL + 1]; /* by level: its data or unified cache there */
	size_t private_bytes; /* its largest data or unified cache that no other core shares */
};

struct ipcb_topo {
	int *online; /* ascending */
	size_t nonline;
	struct topo_cpu *cpu; /* by CPU number, up to the highest online one */
	int ncpu;
	size_t nnodes;	 /* NUMA nodes */
	int *node_index; /* by node number: its index among them, or -1 */
	int nnode_ids;
	unsigned *dist; /* nnodes x nnodes, by index: row from, column to; 0 = not said */
	bool smt_said, nodes_said, elsewhere;
	unsigned llc_level;
};

static int topo_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Where the topology comes from, for messages: "HWLOC_SYNTHETIC 'pack:2 core:4'". */
static void topo_from_text(enum ipcb_topo_from from, const char *what, char *out, size_t n)
{
	if (from == IPCB_TOPO_FROM_XML)
		snprintf(out, n, "%s '%s'", IPCB_TOPO_XML_ENV, what);
	else if (from == IPCB_TOPO_FROM_SYNTHETIC)
		snprintf(out, n, "%s '%s'", IPCB_TOPO_SYNTHETIC_ENV, what);
	else
		snprintf(out, n, "this machine");
}

/* The online CPUs (hwloc's PUs), and what each shares: its core, caches and NUMA node. */
static int topo_take_cpus(struct ipcb_topo *t, hwloc_topology_t h, char *err, size_t errlen)
{
	int npu = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);

	if (npu <= 0) {
		snprintf(err, errlen, "no CPU in the topology");
		return -EINVAL;
	}
	t->online = malloc((size_t)npu * sizeof(*t->online));
	if (!t->online)
		return -ENOMEM;
	for (int i = 0; i < npu; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(h, HWLOC_OBJ_PU, (unsigned)i);

		if (pu->os_index >= IPCB_TOPO_MAX_CPUS) {
			snprintf(err, errlen, "CPU %u: at or above %d", pu->os_index,
				 IPCB_TOPO_MAX_CPUS);
			return -ERANGE;
		}
		t->online[i] = (int)pu->os_index;
	}
	t->nonline = (size_t)npu;
	qsort(t->online, t->nonline, sizeof(*t->online), topo_cmp_int);
	t->ncpu = t->online[t->nonline - 1] + 1;
	t->cpu = calloc((size_t)t->ncpu, sizeof(*t->cpu));
	if (!t->cpu)
		return -ENOMEM;
	for (int c = 0; c < t->ncpu; c++) {
		t->cpu[c].smt = t->cpu[c].node = -1;
		for (int l = 0; l <= IPCB_TOPO_MAX_LEVEL; l++)
			t->cpu[c].cache[l] = -1;
	}
	for (int i = 0; i < npu; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(h, HWLOC_OBJ_PU, (unsigned)i);
		struct topo_cpu *tc = &t->cpu[pu->os_index];

		/* Its core's CPUs (its own, where the topology has no cores): what a private
		 * cache serves. */
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, pu);
		hwloc_const_cpuset_t own = core ? core->cpuset : pu->cpuset;

		tc->online = true;
		for (hwloc_obj_t o = pu->parent; o; o = o->parent) {
			unsigned level;

			if (o->type == HWLOC_OBJ_CORE && tc->smt < 0) {
				tc->smt = hwloc_bitmap_first(o->cpuset);
				t->smt_said = true;
			}
			/* Instruction caches hold no data two processes exchange. */
			if (!hwloc_obj_type_is_dcache(o->type))
				continue;
			if (hwloc_bitmap_isincluded(o->cpuset, own) &&
			    o->attr->cache.size > tc->private_bytes)
				tc->private_bytes = (size_t)o->attr->cache.size;
			level = o->attr->cache.depth;
			if (level < 1 || level > IPCB_TOPO_MAX_LEVEL || tc->cache[level] >= 0)
				continue;
			tc->cache[level] = hwloc_bitmap_first(o->cpuset);
			if (level > t->llc_level)
				t->llc_level = level;
		}
	}
	return 0;
}

/* The NUMA nodes, the CPUs near each, and their distances (a latency matrix, where given). */
static int topo_take_nodes(struct ipcb_topo *t, hwloc_topology_t h)
{
	int nn = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	struct hwloc_distances_s *d = NULL;
	unsigned nd = 1;

	if (nn <= 0)
		return 0;
	t->nnodes = (size_t)nn;
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(h, HWLOC_OBJ_NUMANODE, (unsigned)i);

		if ((int)node->os_index >= t->nnode_ids)
			t->nnode_ids = (int)node->os_index + 1;
	}
	if (t->nnode_ids > IPCB_TOPO_MAX_NODES)
		return -ERANGE;
	t->node_index = malloc((size_t)t->nnode_ids * sizeof(*t->node_index));
	t->dist = calloc(t->nnodes * t->nnodes, sizeof(*t->dist));
	if (!t->node_index || !t->dist)
		return -ENOMEM;
	for (int m = 0; m < t->nnode_ids; m++)
		t->node_index[m] = -1;
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(h, HWLOC_OBJ_NUMANODE, (unsigned)i);
		int c;

		t->node_index[node->os_index] = i;
		hwloc_bitmap_foreach_begin(c, node->cpuset)
		{
			if (c < t->ncpu && t->cpu[c].online) {
				t->cpu[c].node = (int)node->os_index;
				t->nodes_said = true;
			}
		}
		hwloc_bitmap_foreach_end();
	}
	/* The firmware's relative latencies (10 local), as the kernel gives them. */
	if (hwloc_distances_get_by_type(h, HWLOC_OBJ_NUMANODE, &nd, &d,
					HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) < 0 ||
	    !nd)
		return 0;
	for (unsigned i = 0; i < d->nbobjs; i++)
		for (unsigned j = 0; j < d->nbobjs; j++) {
			int a = t->node_index[d->objs[i]->os_index];
			int b = t->node_index[d->objs[j]->os_index];
			hwloc_uint64_t v = d->values[i * d->nbobjs + j];

			if (a >= 0 && b >= 0)
				t->dist[(size_t)a * t->nnodes + (size_t)b] =
				    v > UINT_MAX ? UINT_MAX : (unsigned)v;
		}
	hwloc_distances_release(h, d);
	return 0;
}

int ipcb_topo_create(enum ipcb_topo_from from, const char *what, struct ipcb_topo **out, char *err,
		     size_t errlen)
{
	struct ipcb_topo *t = calloc(1, sizeof(*t));
	hwloc_topology_t h = NULL;
	char src[512];
	int rc = 0;

	*out = NULL;
	topo_from_text(from, what ? what : "", src, sizeof(src));
	if (!t) {
		snprintf(err, errlen, "topology: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (hwloc_topology_init(&h) < 0) {
		rc = -errno;
		snprintf(err, errlen, "hwloc_topology_init: %s", strerror(errno));
		goto out;
	}
	/* Every online CPU: which of them this process may use is the caller's business. */
	hwloc_topology_set_flags(h, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	/*
	 * The kernel's view (Linux's sysfs) is the one the rows' CPUs are pinned by; hwloc's
	 * reading of CPUID adds nothing we use, and under Valgrind it says it cannot run.
	 */
	hwloc_topology_set_components(h, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
	/* hwloc falls back to this machine, silently, where a description fails: never here. */
	if (from == IPCB_TOPO_FROM_XML && hwloc_topology_set_xml(h, what) < 0) {
		rc = errno ? -errno : -EINVAL;
		snprintf(err, errlen, "%s: hwloc cannot read it as a topology (%s)", src,
			 strerror(-rc));
		goto out;
	}
	if (from == IPCB_TOPO_FROM_SYNTHETIC && hwloc_topology_set_synthetic(h, what) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a synthetic description hwloc reads", src);
		goto out;
	}
	if (hwloc_topology_load(h) < 0) {
		rc = errno ? -errno : -EINVAL;
		snprintf(err, errlen, "%s: hwloc_topology_load: %s", src, strerror(-rc));
		goto out;
	}
	t->elsewhere = !hwloc_topology_is_thissystem(h);
	rc = topo_take_cpus(t, h, err, errlen);
	if (!rc)
		rc = topo_take_nodes(t, h);
	if (rc == -ENOMEM || rc == -ERANGE)
		snprintf(err, errlen, "%s: %s", src,
			 rc == -ENOMEM ? strerror(ENOMEM) : "a NUMA node number out of range");
out:
	if (h)
		hwloc_topology_destroy(h);
	if (rc) {
		ipcb_topo_destroy(t);
		return rc;
	}
	*out = t;
	return 0;
}

size_t ipcb_topo_private_bytes(const struct ipcb_topo *t, int cpu)
{
	return cpu >= 0 && cpu < t->ncpu && t->cpu[cpu].online ? t->cpu[cpu].private_bytes : 0;
}

#define TURNOVER_PRIVATE_GUESS (1024u * 1024) /* when the kernel does not say */
#define TURNOVER_MIN	       (256u * 1024)
#define TURNOVER_MAX	       (16u * 1024 * 1024)

size_t ipcb_topo_turnover_bytes(size_t private_bytes)
{
	size_t t = 4 * (private_bytes ? private_bytes : TURNOVER_PRIVATE_GUESS);

	return t < TURNOVER_MIN ? TURNOVER_MIN : t > TURNOVER_MAX ? TURNOVER_MAX : t;
}

/* This machine's private cache; SIZE_MAX until read or noted. */
static size_t this_private = SIZE_MAX;

void ipcb_topo_this_is(const struct ipcb_topo *t)
{
	const int *cpus;

	/* The lowest online CPU's: the machines ipcbench runs on have one kind of core. */
	this_private = t && ipcb_topo_cpus(t, &cpus) > 0 ? ipcb_topo_private_bytes(t, cpus[0]) : 0;
}

size_t ipcb_topo_this_private_bytes(void)
{
	/* Read once: the same machine answers the same for every run of an invocation. */
	if (this_private == SIZE_MAX) {
		struct ipcb_topo *t = NULL;
		char err[256];

		if (ipcb_topo_create(IPCB_TOPO_FROM_MACHINE, NULL, &t, err, sizeof(err)) < 0)
			t = NULL;
		ipcb_topo_this_is(t);
		ipcb_topo_destroy(t);
	}
	return this_private;
}

bool ipcb_topo_elsewhere(const struct ipcb_topo *t)
{
	return t->elsewhere;
}

void ipcb_topo_destroy(struct ipcb_topo *t)
{
	if (!t)
		return;
	free(t->online);
	free(t->cpu);
	free(t->node_index);
	free(t->dist);
	free(t);
}

size_t ipcb_topo_cpus(const struct ipcb_topo *t, const int **cpus)
{
	*cpus = t->online;
	return t->nonline;
}

unsigned ipcb_topo_llc_level(const struct ipcb_topo *t)
{
	return t->llc_level;
}

static const struct topo_cpu *topo_cpu_at(const struct ipcb_topo *t, int c)
{
	return c >= 0 && c < t->ncpu && t->cpu[c].online ? &t->cpu[c] : NULL;
}

int ipcb_topo_classify(const struct ipcb_topo *t, int a, int b, struct ipcb_topo_pair *p)
{
	const struct topo_cpu *ca = topo_cpu_at(t, a), *cb = topo_cpu_at(t, b);

	memset(p, 0, sizeof(*p));
	if (!ca || !cb)
		return -EINVAL;
	if (a == b) {
		p->cls = IPCB_TOPO_SAME;
		return 0;
	}
	if (ca->smt >= 0 && ca->smt == cb->smt) {
		p->cls = IPCB_TOPO_SMT;
		return 0;
	}
	/* From L2 out: two cores that share an L1 are SMT siblings, said above or not at all. */
	for (unsigned l = 2; l <= IPCB_TOPO_MAX_LEVEL; l++)
		if (ca->cache[l] >= 0 && ca->cache[l] == cb->cache[l]) {
			p->cls = IPCB_TOPO_CACHE;
			p->cache_level = l;
			return 0;
		}
	if (ca->node >= 0 && cb->node >= 0) {
		p->cls = ca->node == cb->node ? IPCB_TOPO_NODE : IPCB_TOPO_REMOTE_NODE;
		p->distance = t->dist[(size_t)t->node_index[ca->node] * t->nnodes +
				      (size_t)t->node_index[cb->node]];
	}
	return 0;
}

const char *ipcb_topo_class_name(enum ipcb_topo_class c)
{
	static const char *const names[IPCB_TOPO_CLASSES] = {
	    [IPCB_TOPO_UNKNOWN] = "unknown", [IPCB_TOPO_SAME] = "same",
	    [IPCB_TOPO_SMT] = "smt",	     [IPCB_TOPO_CACHE] = "cache",
	    [IPCB_TOPO_NODE] = "node",	     [IPCB_TOPO_REMOTE_NODE] = "remote-node",
	};

	return (unsigned)c < IPCB_TOPO_CLASSES ? names[c] : "unknown";
}

void ipcb_topo_pair_text(const struct ipcb_topo_pair *p, char *out, size_t n)
{
	const char *name = ipcb_topo_class_name(p->cls);

	if (p->cls == IPCB_TOPO_CACHE)
		snprintf(out, n, "%s L%u", name, p->cache_level);
	else if (p->cls == IPCB_TOPO_REMOTE_NODE && p->distance)
		snprintf(out, n, "%s distance %u", name, p->distance);
	else
		snprintf(out, n, "%s", name);
}

/* The topology's places are --placement's smt to remote-node, in that order (placement.h). */
_Static_assert(IPCB_PLACE_REMOTE_NODE - IPCB_PLACE_SMT + 1 == IPCB_TOPO_PLACES,
	       "the topology's places are placement.h's smt to remote-node");

const char *ipcb_topo_place_name(enum ipcb_topo_place p)
{
	return (unsigned)p < IPCB_TOPO_PLACES
		   ? ipcb_placement_name((enum ipcb_placement)(IPCB_PLACE_SMT + (int)p))
		   : "?";
}

/*
 * cpus (NULL: the online ones) checked: each online, none twice. The list to use, or NULL for
 * -EINVAL.
 */
static const int *topo_cpus_check(const struct ipcb_topo *t, const int *cpus, size_t *n)
{
	bool *seen;

	if (!cpus) {
		*n = t->nonline;
		return t->online;
	}
	seen = calloc((size_t)t->ncpu, sizeof(*seen));
	if (!seen)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		if (!topo_cpu_at(t, cpus[i]) || seen[cpus[i]]) {
			free(seen);
			return NULL;
		}
		seen[cpus[i]] = true;
	}
	free(seen);
	return cpus;
}

static void topo_rep_set(struct ipcb_topo_reps *r, enum ipcb_topo_place p, int a, int b)
{
	r->has[p] = true;
	r->why[p] = NULL;
	r->cpu[p][0] = a;
	r->cpu[p][1] = b;
}

int ipcb_topo_reps_pick(const struct ipcb_topo *t, const int *cpus, size_t n,
			struct ipcb_topo_reps *r)
{
	unsigned llc = t->llc_level;
	bool llc_only = false; /* the llc pair found shares no cache nearer than the last level */

	memset(r, 0, sizeof(*r));
	cpus = topo_cpus_check(t, cpus, &n);
	if (!cpus)
		return -EINVAL;
	r->why[IPCB_TOPO_PLACE_SMT] = t->smt_said
					  ? "no two of these CPUs are SMT siblings"
					  : "the topology does not say which CPUs are SMT siblings";
	r->why[IPCB_TOPO_PLACE_LLC] =
	    llc ? "no two of these CPUs share the last-level cache but not a "
		  "core"
		: "the topology does not describe the caches";
	r->why[IPCB_TOPO_PLACE_NODE] = t->nodes_said
					   ? "no two of these CPUs share a NUMA node but no cache"
					   : "the topology lists no NUMA node";
	r->why[IPCB_TOPO_PLACE_REMOTE_NODE] =
	    t->nodes_said ? "these CPUs are on one NUMA node" : "the topology lists no NUMA node";
	if (n < 2)
		for (int p = 0; p < IPCB_TOPO_PLACES; p++)
			r->why[p] = "fewer than two CPUs";
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			int a = cpus[i], b = cpus[j];
			struct ipcb_topo_pair p;

			ipcb_topo_classify(t, a, b, &p);
			if (p.cls == IPCB_TOPO_SMT && !r->has[IPCB_TOPO_PLACE_SMT])
				topo_rep_set(r, IPCB_TOPO_PLACE_SMT, a, b);
			if (p.cls == IPCB_TOPO_CACHE && !llc_only && t->cpu[a].cache[llc] >= 0 &&
			    t->cpu[a].cache[llc] == t->cpu[b].cache[llc]) {
				/* The first sharing it, until one shares nothing nearer. */
				if (p.cache_level == llc) {
					topo_rep_set(r, IPCB_TOPO_PLACE_LLC, a, b);
					llc_only = true;
				} else if (!r->has[IPCB_TOPO_PLACE_LLC]) {
					topo_rep_set(r, IPCB_TOPO_PLACE_LLC, a, b);
				}
			}
			if (p.cls == IPCB_TOPO_NODE && !r->has[IPCB_TOPO_PLACE_NODE])
				topo_rep_set(r, IPCB_TOPO_PLACE_NODE, a, b);
			if (p.cls == IPCB_TOPO_REMOTE_NODE && !r->has[IPCB_TOPO_PLACE_REMOTE_NODE])
				topo_rep_set(r, IPCB_TOPO_PLACE_REMOTE_NODE, a, b);
		}
	return 0;
}

void ipcb_topo_reps_lacking(const struct ipcb_topo_reps *r, char *out, size_t n)
{
	size_t used = 0;

	if (n)
		out[0] = '\0';
	for (int p = 0; p < IPCB_TOPO_PLACES; p++) {
		int w;

		if (r->has[p])
			continue;
		w = snprintf(out + used, n - used, "%s%s (%s)", used ? ", " : "",
			     ipcb_topo_place_name((enum ipcb_topo_place)p),
			     r->why[p] ? r->why[p] : "?");
		if (w < 0 || (size_t)w >= n - used)
			return; /* cut short: what fits is there */
		used += (size_t)w;
	}
}

/*
 * Choosing a placement matrix's pairs. All n * n ordered pairs when they fit the limit. Else
 * the pairs are grouped by what they share, each group a stratum: one CPU, SMT siblings, each
 * cache level, one node, and each distance to another node (a machine with more kinds than
 * TOPO_STRATA puts the rest in one last stratum). The limit is shared out evenly, not in
 * proportion to the strata's sizes: on a big machine nearly every pair is remote or merely on
 * one node, and a proportional sample would leave out the few pairs that share a core or a
 * cache, whose rows differ most. So every stratum gets the same share, a stratum smaller than
 * its share gives the rest back to the others (smallest first), and what integer division
 * leaves over goes one each to the strata nearest first. With fewer picks than strata, one
 * pair each from the nearest strata. Within a stratum the pairs, in the order of cpus, are
 * taken at even intervals from the middle of each interval: spread over the machine's CPUs
 * rather than bunched on the first, and the same on every run.
 */
#define TOPO_STRATA 64

struct topo_stratum {
	enum ipcb_topo_class cls; /* IPCB_TOPO_CLASSES: the last stratum, everything else */
	unsigned level, distance;
	uint64_t size, take, seen, picked;
};

static int topo_stratum_cmp(const void *x, const void *y)
{
	const struct topo_stratum *a = x, *b = y;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->level != b->level)
		return a->level < b->level ? -1 : 1;
	if (a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	return 0;
}

/* The pair's stratum: found, made when there is room, else the last one. */
static struct topo_stratum *topo_stratum_of(struct topo_stratum *s, size_t *ns,
					    const struct ipcb_topo_pair *p, bool make)
{
	struct topo_stratum key = {.cls = p->cls, .level = p->cache_level, .distance = p->distance};
	struct topo_stratum *rest = NULL;

	for (size_t i = 0; i < *ns; i++) {
		if (s[i].cls == IPCB_TOPO_CLASSES)
			rest = &s[i];
		else if (topo_stratum_cmp(&s[i], &key) == 0)
			return &s[i];
	}
	if (rest || !make)
		return rest;
	if (*ns == TOPO_STRATA - 1)
		key.cls = IPCB_TOPO_CLASSES;
	s[*ns] = key;
	return &s[(*ns)++];
}

/* The stratum s's pick number k of its take, as an index among its pairs. */
static uint64_t topo_stratum_target(const struct topo_stratum *s, uint64_t k)
{
	return (2 * k + 1) * s->size / (2 * s->take);
}

static int topo_size_cmp(const void *x, const void *y)
{
	const struct topo_stratum *a = *(const struct topo_stratum *const *)x;
	const struct topo_stratum *b = *(const struct topo_stratum *const *)y;

	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Share limit out among the strata (see above); the total is more than limit. */
static void topo_strata_share(struct topo_stratum *s, size_t ns, uint64_t limit)
{
	struct topo_stratum *by_size[TOPO_STRATA];
	uint64_t left = limit;

	if (limit <= ns) {
		for (size_t i = 0; i < limit; i++)
			s[i].take = 1;
		return;
	}
	for (size_t i = 0; i < ns; i++)
		by_size[i] = &s[i];
	qsort(by_size, ns, sizeof(by_size[0]), topo_size_cmp);
	for (size_t i = 0; i < ns; i++) {
		uint64_t share = left / (ns - i);

		by_size[i]->take = by_size[i]->size < share ? by_size[i]->size : share;
		left -= by_size[i]->take;
	}
	while (left)
		for (size_t i = 0; i < ns && left; i++)
			if (s[i].take < s[i].size) {
				s[i].take++;
				left--;
			}
}

int ipcb_topo_pairs_pick(const struct ipcb_topo *t, const int *cpus, size_t n, size_t limit,
			 struct ipcb_cpu_pair *out, size_t *count)
{
	struct topo_stratum *s;
	size_t ns = 0, got = 0;

	*count = 0;
	cpus = topo_cpus_check(t, cpus, &n);
	if (!cpus || limit == 0)
		return -EINVAL;
	if ((uint64_t)n * n <= limit) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				out[got++] = (struct ipcb_cpu_pair){cpus[i], cpus[j]};
		*count = got;
		return 0;
	}
	/* On the heap: 3 KiB of strata is too much for a small stack (ulimit -s). */
	s = calloc(TOPO_STRATA, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			struct ipcb_topo_pair p;

			ipcb_topo_classify(t, cpus[i], cpus[j], &p);
			topo_stratum_of(s, &ns, &p, true)->size++;
		}
	qsort(s, ns, sizeof(s[0]), topo_stratum_cmp);
	topo_strata_share(s, ns, limit);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			struct ipcb_topo_pair p;
			struct topo_stratum *st;

			ipcb_topo_classify(t, cpus[i], cpus[j], &p);
			st = topo_stratum_of(s, &ns, &p, false);
			if (!st)
				continue; /* none: every pair found its stratum in the first pass */
			if (st->picked < st->take &&
			    st->seen == topo_stratum_target(st, st->picked)) {
				out[got++] = (struct ipcb_cpu_pair){cpus[i], cpus[j]};
				st->picked++;
			}
			st->seen++;
		}
	free(s);
	*count = got;
	return 0;
}

int ipcb_cpulist_parse(const char *s, int *cpus, size_t max, size_t *n)
{
	static const size_t words = IPCB_TOPO_MAX_CPUS / 64;
	uint64_t set[IPCB_TOPO_MAX_CPUS / 64];
	size_t len = strlen(s), count = 0;
	const char *p = s, *end;

	*n = 0;
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	end = s + len;
	memset(set, 0, sizeof(set));
	while (p < end) {
		long range[2];

		for (int k = 0; k < 2; k++) {
			long v = 0;

			if (p == end || *p < '0' || *p > '9')
				return -EINVAL;
			while (p < end && *p >= '0' && *p <= '9') {
				v = v * 10 + (*p++ - '0');
				if (v >= IPCB_TOPO_MAX_CPUS)
					return -ERANGE;
			}
			range[k] = range[1] = v;
			if (k == 0 && (p == end || *p != '-'))
				break;
			if (k == 0)
				p++;
		}
		if (range[1] < range[0])
			return -EINVAL;
		for (long c = range[0]; c <= range[1]; c++)
			set[c / 64] |= 1ull << (c % 64);
		if (p < end && (*p != ',' || ++p == end))
			return -EINVAL;
	}
	for (size_t w = 0; w < words; w++)
		for (int b = 0; b < 64; b++)
			if (set[w] >> b & 1) {
				if (count == max)
					return -ENOSPC;
				cpus[count++] = (int)(w * 64 + (size_t)b);
			}
	*n = count;
	return 0;
}
