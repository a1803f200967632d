/* SPDX-License-Identifier: MIT */
/* topology.c - what two CPUs share, from sysfs; see topology.h. */
#include "topology.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one online CPU shares, each as the lowest CPU of the kernel's list for it; -1: not said. */
struct topo_cpu {
	bool online;
	int smt;
	int node;
	int cache[IPCB_TOPO_MAX_LEVEL + 1]; /* by level: its data or unified cache there */
};

struct ipcb_topo {
	int *online; /* ascending */
	size_t nonline;
	struct topo_cpu *cpu; /* by CPU number, up to the highest online one */
	int ncpu;
	size_t nnodes;	 /* online nodes */
	int *node_index; /* by node number: its index among the online ones, or -1 */
	int nnode_ids;
	unsigned *dist; /* nnodes x nnodes, by index: row from, column to; 0 = not said */
	bool smt_said, nodes_said;
	unsigned llc_level;
};

/* Reading files under the root: the path being read and the buffers, for messages. */
struct topo_reader {
	const char *root;
	char path[PATH_MAX];
	char *buf; /* a whole file: the longest CPU list of IPCB_TOPO_MAX_CPUS CPUs fits */
	size_t buf_bytes;
	int *list; /* a parsed list */
	char *err;
	size_t errlen;
};

#define TOPO_BUF_BYTES (64 * 1024)

/*
 * Read ROOT/devices/system/<fmt...> into r->buf, NUL-terminated. Its length; -ENOENT when it is
 * not there (a file sysfs does not have says nothing); another negative errno with r->err
 * naming the file.
 */
__attribute__((format(printf, 2, 3))) static int topo_read(struct topo_reader *r, const char *fmt,
							   ...)
{
	char rel[256];
	va_list ap;
	ssize_t got;
	size_t len = 0;
	int fd, e;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (snprintf(r->path, sizeof(r->path), "%s/devices/system/%s", r->root, rel) >=
	    (int)sizeof(r->path)) {
		snprintf(r->err, r->errlen, "%s/devices/system/%s: %s", r->root, rel,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENOTDIR)
			return -ENOENT;
		snprintf(r->err, r->errlen, "%s: %s", r->path, strerror(e));
		return -e;
	}
	for (;;) {
		got = read(fd, r->buf + len, r->buf_bytes - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len == r->buf_bytes - 1)
			break;
	}
	e = got < 0 ? errno : 0;
	close(fd);
	if (e) {
		snprintf(r->err, r->errlen, "%s: %s", r->path, strerror(e));
		return -e;
	}
	if (len == r->buf_bytes - 1) {
		snprintf(r->err, r->errlen, "%s: longer than %zu bytes", r->path, len);
		return -EFBIG;
	}
	r->buf[len] = '\0';
	return (int)len;
}

/* The file just read is not what sysfs writes: err names it, what is wrong and how it starts. */
static int topo_bad(struct topo_reader *r, const char *what, int code)
{
	size_t len = strlen(r->buf);

	while (len && (r->buf[len - 1] == '\n' || r->buf[len - 1] == ' '))
		r->buf[--len] = '\0';
	snprintf(r->err, r->errlen, "%s: %s: '%.40s%s'", r->path, what, r->buf,
		 len > 40 ? "..." : "");
	return code;
}

/* Parse r->buf as a CPU (or node) list below `limit` into r->list. Its count, or -errno. */
static int topo_list(struct topo_reader *r, int limit)
{
	size_t n;
	int rc = ipcb_cpulist_parse(r->buf, r->list, IPCB_TOPO_MAX_CPUS, &n);

	if (rc)
		return topo_bad(r, rc == -ERANGE ? "a number out of range" : "not a CPU list", rc);
	if (n && r->list[n - 1] >= limit)
		return topo_bad(r, "a number out of range", -ERANGE);
	return (int)n;
}

/*
 * The lowest CPU of the list topo_read() just read (rc its result): -1 in *lowest when the file
 * is missing or lists none. 0, or a negative errno.
 */
static int topo_lowest(struct topo_reader *r, int rc, int *lowest)
{
	*lowest = -1;
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = topo_list(r, IPCB_TOPO_MAX_CPUS);
	if (rc < 0)
		return rc;
	if (rc > 0)
		*lowest = r->list[0];
	return 0;
}

/* A whole number on its own line (a cache's level). */
static int topo_uint(struct topo_reader *r, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(r->buf, &end, 10);
	if (end == r->buf || errno || x > UINT_MAX || (*end && strcmp(end, "\n") != 0) ||
	    r->buf[0] == '-')
		return topo_bad(r, "not a number", -EINVAL);
	*v = (unsigned)x;
	return 0;
}

/*
 * The caches of one CPU: for each level, the lowest CPU of the list of its data or unified
 * cache there (instruction caches hold no data two processes exchange).
 */
static int topo_read_caches(struct topo_reader *r, struct ipcb_topo *t, int c)
{
	struct topo_cpu *tc = &t->cpu[c];

	for (int k = 0;; k++) {
		unsigned level;
		int rc = topo_read(r, "cpu/cpu%d/cache/index%d/level", c, k);

		if (rc == -ENOENT)
			return 0; /* the indices run from 0 without a gap */
		if (rc < 0 || (rc = topo_uint(r, &level)))
			return rc;
		if (level < 1 || level > IPCB_TOPO_MAX_LEVEL)
			continue; /* no cache two processes could share: says nothing */
		rc = topo_read(r, "cpu/cpu%d/cache/index%d/type", c, k);
		if (rc == -ENOENT)
			continue;
		if (rc < 0)
			return rc;
		if (strncmp(r->buf, "Instruction", 11) == 0)
			continue;
		if (tc->cache[level] >= 0)
			continue; /* two of one level: the first, as the kernel numbers them */
		rc = topo_read(r, "cpu/cpu%d/cache/index%d/shared_cpu_list", c, k);
		rc = topo_lowest(r, rc, &tc->cache[level]);
		if (rc)
			return rc;
		if (tc->cache[level] >= 0 && level > t->llc_level)
			t->llc_level = level;
	}
}

static int topo_read_cpus(struct topo_reader *r, struct ipcb_topo *t)
{
	int rc = topo_read(r, "cpu/online");

	if (rc == -ENOENT) {
		snprintf(r->err, r->errlen, "%s: %s (is %s a sysfs tree?)", r->path,
			 strerror(ENOENT), r->root);
		return rc;
	}
	if (rc < 0 || (rc = topo_list(r, IPCB_TOPO_MAX_CPUS)) < 0)
		return rc;
	if (rc == 0)
		return topo_bad(r, "no online CPU", -EINVAL);
	t->nonline = (size_t)rc;
	t->online = malloc(t->nonline * sizeof(*t->online));
	t->ncpu = r->list[t->nonline - 1] + 1;
	t->cpu = calloc((size_t)t->ncpu, sizeof(*t->cpu));
	if (!t->online || !t->cpu) {
		snprintf(r->err, r->errlen, "topology of %d CPUs: %s", t->ncpu, strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(t->online, r->list, t->nonline * sizeof(*t->online));
	for (int c = 0; c < t->ncpu; c++) {
		t->cpu[c].smt = t->cpu[c].node = -1;
		for (int l = 0; l <= IPCB_TOPO_MAX_LEVEL; l++)
			t->cpu[c].cache[l] = -1;
	}
	for (size_t i = 0; i < t->nonline; i++) {
		int c = t->online[i];
		struct topo_cpu *tc = &t->cpu[c];

		tc->online = true;
		rc = topo_read(r, "cpu/cpu%d/topology/core_cpus_list", c);
		rc = topo_lowest(r, rc, &tc->smt);
		if (!rc && tc->smt < 0) {
			rc = topo_read(r, "cpu/cpu%d/topology/thread_siblings_list", c);
			rc = topo_lowest(r, rc, &tc->smt);
		}
		if (rc || (rc = topo_read_caches(r, t, c)))
			return rc;
		t->smt_said |= tc->smt >= 0;
	}
	return 0;
}

/* One node's distances to every online node, in their order (the kernel prints them so). */
static int topo_read_distances(struct topo_reader *r, struct ipcb_topo *t, size_t from, int node)
{
	char *p, *end;
	size_t n = 0;
	int rc = topo_read(r, "node/node%d/distance", node);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	for (p = r->buf;; p = end) {
		unsigned long d;

		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		errno = 0;
		d = strtoul(p, &end, 10);
		if (end == p || errno || d > UINT_MAX || *p == '-' ||
		    (*end && *end != ' ' && *end != '\n'))
			return topo_bad(r, "not a list of distances", -EINVAL);
		if (n < t->nnodes)
			t->dist[from * t->nnodes + n] = (unsigned)d;
		n++;
	}
	if (n != t->nnodes) {
		snprintf(r->err, r->errlen, "%s: %zu distances for %zu online nodes", r->path, n,
			 t->nnodes);
		return -EINVAL;
	}
	return 0;
}

static int topo_read_nodes(struct topo_reader *r, struct ipcb_topo *t)
{
	int *ids;
	int rc = topo_read(r, "node/online");

	if (rc == -ENOENT)
		return 0; /* a kernel without NUMA: nodes are not said */
	if (rc < 0 || (rc = topo_list(r, IPCB_TOPO_MAX_NODES)) < 0)
		return rc;
	if (rc == 0)
		return 0;
	t->nnodes = (size_t)rc;
	t->nnode_ids = r->list[rc - 1] + 1;
	ids = malloc(t->nnodes * sizeof(*ids));
	t->node_index = malloc((size_t)t->nnode_ids * sizeof(*t->node_index));
	t->dist = calloc(t->nnodes * t->nnodes, sizeof(*t->dist));
	if (!ids || !t->node_index || !t->dist) {
		free(ids);
		snprintf(r->err, r->errlen, "topology of %zu nodes: %s", t->nnodes,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(ids, r->list, t->nnodes * sizeof(*ids));
	for (int m = 0; m < t->nnode_ids; m++)
		t->node_index[m] = -1;
	for (size_t i = 0; i < t->nnodes; i++)
		t->node_index[ids[i]] = (int)i;
	rc = 0;
	for (size_t i = 0; i < t->nnodes && !rc; i++) {
		rc = topo_read(r, "node/node%d/cpulist", ids[i]);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc < 0 || (rc = topo_list(r, IPCB_TOPO_MAX_CPUS)) < 0)
			break;
		for (int j = 0; j < rc; j++)
			if (r->list[j] < t->ncpu && t->cpu[r->list[j]].online) {
				t->cpu[r->list[j]].node = ids[i];
				t->nodes_said = true;
			}
		rc = topo_read_distances(r, t, i, ids[i]);
	}
	free(ids);
	return rc;
}

int ipcb_topo_create(const char *root, struct ipcb_topo **out, char *err, size_t errlen)
{
	/* The reader on the heap too: its PATH_MAX path is too much for a small stack. */
	struct topo_reader *r = calloc(1, sizeof(*r));
	struct ipcb_topo *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (r) {
		r->root = root ? root : IPCB_SYSFS_ROOT_DEFAULT;
		r->buf_bytes = TOPO_BUF_BYTES;
		r->err = err;
		r->errlen = errlen;
		r->buf = malloc(r->buf_bytes);
		r->list = malloc(IPCB_TOPO_MAX_CPUS * sizeof(*r->list));
	}
	if (!t || !r || !r->buf || !r->list) {
		snprintf(err, errlen, "topology: %s", strerror(ENOMEM));
		rc = -ENOMEM;
		goto free_all;
	}
	rc = topo_read_cpus(r, t);
	if (!rc)
		rc = topo_read_nodes(r, t);
free_all:
	if (r) {
		free(r->buf);
		free(r->list);
	}
	free(r);
	if (rc) {
		ipcb_topo_destroy(t);
		return rc;
	}
	*out = t;
	return 0;
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

const char *ipcb_topo_place_name(enum ipcb_topo_place p)
{
	static const char *const names[IPCB_TOPO_PLACES] = {
	    [IPCB_TOPO_PLACE_SMT] = "smt",
	    [IPCB_TOPO_PLACE_LLC] = "llc",
	    [IPCB_TOPO_PLACE_NODE] = "node",
	    [IPCB_TOPO_PLACE_REMOTE_NODE] = "remote-node",
	};

	return (unsigned)p < IPCB_TOPO_PLACES ? names[p] : "?";
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
					  : "sysfs does not say which CPUs are SMT siblings";
	r->why[IPCB_TOPO_PLACE_LLC] =
	    llc ? "no two of these CPUs share the last-level cache but not a "
		  "core"
		: "sysfs does not describe the caches";
	r->why[IPCB_TOPO_PLACE_NODE] = t->nodes_said
					   ? "no two of these CPUs share a NUMA node but no cache"
					   : "sysfs does not list NUMA nodes";
	r->why[IPCB_TOPO_PLACE_REMOTE_NODE] =
	    t->nodes_said ? "these CPUs are on one NUMA node" : "sysfs does not list NUMA nodes";
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
