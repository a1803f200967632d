/* SPDX-License-Identifier: MIT */
/*
 * placements.c - the report's sections on where the two sides sit; see placements.h.
 *
 * One pass over the CSV keeps the closed-loop rows of one pair (round trips and streams) with
 * what their two CPUs share; repeats become medians. A class is the cpu_topology field as the
 * driver wrote it ("cache L3", "remote-node distance 21"), or two-host for a row across hosts,
 * ordered from nearest to farthest: one CPU, SMT siblings, a shared cache by level, one node,
 * two nodes by distance, two hosts.
 */
#include "placements.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "csvschema.h"
#include "format.h"
#include "stats.h"
#include "topology.h"

static const char prog[] = "ipcbench report";
/* The class of a row across two hosts: its placement's name. */
static const char TWO_HOST[] = "two-host";

bool ipcb_report_row_matrix(const char *placement)
{
	return strcmp(placement, "matrix") == 0;
}

struct prow {
	char transport[96];
	char cls[40]; /* "cache L3", "two-host"; "" unknown */
	size_t size;
	bool rtt;    /* a round trip's p50; else a stream's bytes per second */
	bool matrix; /* a cell of the placement matrix */
	int cpu[2];  /* the pair, -1 where not pinned */
	double v;
};

struct pset {
	struct prow *rows;
	size_t n, cap;
};

/* Is c the class's name (topology.h), or that name and more ("cache L3", "remote-node ...")? */
static bool cls_is(const char *c, enum ipcb_topo_class k, bool prefix)
{
	const char *name = ipcb_topo_class_name(k);
	size_t n = strlen(name);

	return strncmp(c, name, n) == 0 && (c[n] == '\0' || (prefix && c[n] == ' '));
}

/* Where a class sits from nearest to farthest; the larger, the farther. */
static double cls_rank(const char *c)
{
	unsigned k = 0;

	if (cls_is(c, IPCB_TOPO_SAME, false))
		return 0;
	if (cls_is(c, IPCB_TOPO_SMT, false))
		return 1;
	if (cls_is(c, IPCB_TOPO_CACHE, true))
		return 2 + (sscanf(c, "%*s L%u", &k) == 1 ? k / 10.0 : 0);
	if (cls_is(c, IPCB_TOPO_NODE, false))
		return 3;
	if (cls_is(c, IPCB_TOPO_REMOTE_NODE, true))
		return 4 + (sscanf(c, "%*s %*s %u", &k) == 1 ? k / 1000.0 : 0);
	if (!strcmp(c, TWO_HOST))
		return 5;
	return 6; /* unknown: last */
}

/* A class in one or two characters, for the matrix's cells. */
static const char *cls_short(const char *c, char *out, size_t n)
{
	unsigned k;

	if (cls_is(c, IPCB_TOPO_SAME, false))
		return "=";
	if (cls_is(c, IPCB_TOPO_SMT, false))
		return "T";
	if (cls_is(c, IPCB_TOPO_CACHE, true) && sscanf(c, "%*s L%u", &k) == 1) {
		snprintf(out, n, "L%u", k);
		return out;
	}
	if (cls_is(c, IPCB_TOPO_NODE, false))
		return "N";
	if (cls_is(c, IPCB_TOPO_REMOTE_NODE, true))
		return "R";
	return "?";
}

static int num(const char *s, double *out)
{
	char *end;

	if (!*s) {
		*out = NAN;
		return 0;
	}
	*out = strtod(s, &end);
	return *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

static int pset_push(struct pset *s, const struct prow *row)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct prow *p = realloc(s->rows, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->rows = p;
		s->cap = cap;
	}
	s->rows[s->n++] = *row;
	return 0;
}

/* The rows this section reads: one pair in a closed loop, a round trip or a stream. */
static int pset_load(struct pset *s, const char *path, bool *has_col)
{
	struct ipcb_csvread r;
	struct ipcb_csv_map *m;
	FILE *f;
	int rc;

	*has_col = false;
	/* The column map on the heap: 1.5 KiB is too much for a small stack (ulimit -s). */
	m = malloc(sizeof(*m));
	if (!m) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		free(m);
		return -1;
	}
	ipcb_csvread_init_file(&r, f, 0, 0);
	rc = ipcb_csvread_next(&r);
	if (rc <= 0)
		goto out;
	ipcb_csv_map_header(m, &r);
	*has_col = m->at[IPCB_COL_CPU_TOPOLOGY] != IPCB_CSV_ABSENT;
	if (!*has_col)
		goto out; /* a CSV from before the column: nothing to say */
	while ((rc = ipcb_csvread_next(&r)) == 1) {
#define F(c) ipcb_csv_field(&r, m, IPCB_COL_##c)
		const char *kind = F(LATENCY_KIND), *mode = F(MODE), *pl = F(PLACEMENT);
		double size, v, a, b;
		struct prow row;

		if ((*F(RECEIVER_WORK_NS) && strcmp(F(RECEIVER_WORK_NS), "0") != 0) ||
		    (*F(PAIRS) && strcmp(F(PAIRS), "1") != 0) ||
		    (*F(INFLIGHT) && strcmp(F(INFLIGHT), "1") != 0) ||
		    (*F(TOPOLOGY) && strcmp(F(TOPOLOGY), "1:1") != 0) || *F(OFFERED_RATE) ||
		    *F(TUNING) || !strcmp(pl, "unpinned"))
			continue;
		memset(&row, 0, sizeof(row));
		if (strcmp(kind, "rtt") == 0)
			row.rtt = true;
		else if (*kind || strcmp(mode, "throughput") != 0)
			continue;
		if (num(F(SIZE_BYTES), &size) || num(row.rtt ? F(P50_NS) : F(BYTES_PER_S), &v) ||
		    num(F(SENDER_CPU), &a) || num(F(RECEIVER_CPU), &b)) {
			fprintf(stderr, "%s: %s:%lu: a number field is not a number\n", prog, path,
				ipcb_csvread_record_line(&r));
			rc = -1;
			goto out;
		}
		if (isnan(v) || !(size >= 1 && size <= 1e12))
			continue;
		snprintf(row.transport, sizeof(row.transport), "%s", F(TRANSPORT));
		snprintf(row.cls, sizeof(row.cls), "%s",
			 strcmp(pl, TWO_HOST) ? F(CPU_TOPOLOGY) : TWO_HOST);
		if (!row.cls[0] || cls_is(row.cls, IPCB_TOPO_UNKNOWN, false))
			continue;
		row.size = (size_t)size;
		row.matrix = ipcb_report_row_matrix(pl);
		row.cpu[0] = isnan(a) ? -1 : (int)a;
		row.cpu[1] = isnan(b) ? -1 : (int)b;
		row.v = v;
		if (pset_push(s, &row)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			rc = -1;
			goto out;
		}
#undef F
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s:%lu:%lu: %s\n", prog, path, r.err.line, r.err.col,
			r.err.msg);
out:
	ipcb_csvread_fini(&r);
	fclose(f);
	free(m);
	return rc < 0 ? -1 : 0;
}

/*
 * The median of the rows of a transport, size and measure whose class is cls (any pair) or,
 * with cpu, whose pair is (cpu[0], cpu[1]) in the matrix. NAN where there is none.
 */
static double median_of(const struct pset *s, const char *t, size_t size, bool rtt, const char *cls,
			const int *cpu, double *buf)
{
	size_t n = 0;
	double m = NAN;

	for (size_t i = 0; i < s->n; i++) {
		const struct prow *x = &s->rows[i];

		if (x->rtt != rtt || x->size != size || strcmp(x->transport, t))
			continue;
		if (cpu ? !x->matrix || x->cpu[0] != cpu[0] || x->cpu[1] != cpu[1]
			: strcmp(x->cls, cls) != 0)
			continue;
		buf[n++] = x->v;
	}
	if (n)
		ipcb_stats_median(buf, n, &m);
	return m;
}

static void value_text(bool rtt, double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else if (rtt)
		ipcb_format_ns(v, out, n);
	else if (v >= 1e9)
		snprintf(out, n, "%.2f GB/s", v / 1e9);
	else if (v >= 1e6)
		snprintf(out, n, "%.1f MB/s", v / 1e6);
	else
		snprintf(out, n, "%.1f kB/s", v / 1e3);
}

/* Distinct strings, kept in order of rank (cls_rank) or of first sight. */
struct names {
	const char *v[64];
	size_t n;
};

static void names_add(struct names *s, const char *x, bool by_rank)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return;
	if (s->n == sizeof(s->v) / sizeof(s->v[0]))
		return;
	for (i = s->n; by_rank && i > 0 && cls_rank(s->v[i - 1]) > cls_rank(x); i--)
		s->v[i] = s->v[i - 1];
	s->v[i] = x;
	s->n++;
}

/* The names from index `from` on, by name (the ones before stay as they are). */
static void names_sort(struct names *s, size_t from)
{
	while (from < s->n && (!strcmp(s->v[from], "null") || !strncmp(s->v[from], "floor-", 6)))
		from++;
	for (size_t i = from + 1; i < s->n; i++)
		for (size_t j = i; j > from && strcmp(s->v[j - 1], s->v[j]) > 0; j--) {
			const char *t = s->v[j];

			s->v[j] = s->v[j - 1];
			s->v[j - 1] = t;
		}
}

/* The transport's smallest size with rows of the measure, and its largest; 0 when none. */
static size_t size_of(const struct pset *s, const char *t, bool rtt, bool largest, bool matrix)
{
	size_t best = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct prow *x = &s->rows[i];

		if (x->rtt != rtt || strcmp(x->transport, t) || (matrix && !x->matrix))
			continue;
		if (!best || (largest ? x->size > best : x->size < best))
			best = x->size;
	}
	return best;
}

/* Every transport's cost by what its two CPUs share: one table per measure. */
static void print_classes(FILE *out, const struct pset *s, const struct names *ts,
			  const struct names *cls, double *buf)
{
	for (int k = 0; k < 2; k++) {
		bool rtt = k == 0, any = false;

		for (size_t t = 0; t < ts->n; t++)
			any |= size_of(s, ts->v[t], rtt, !rtt, false) != 0;
		if (!any)
			continue;
		fprintf(out,
			"\n%s, by what the two CPUs share (medians of the rows of each class; "
			"the transport's %s size)\n\n| transport | size |",
			rtt ? "**Round trip p50**" : "**Stream**", rtt ? "smallest" : "largest");
		for (size_t c = 0; c < cls->n; c++)
			fprintf(out, " %s |", cls->v[c]);
		fprintf(out, "\n|---|---:|");
		for (size_t c = 0; c < cls->n; c++)
			fprintf(out, "---:|");
		fputc('\n', out);
		for (size_t t = 0; t < ts->n; t++) {
			size_t size = size_of(s, ts->v[t], rtt, !rtt, false);
			char sz[16], v[32];

			if (!size)
				continue;
			ipcb_format_size(size, sz, sizeof(sz));
			fprintf(out, "| %s | %s |", ts->v[t], sz);
			for (size_t c = 0; c < cls->n; c++) {
				value_text(rtt,
					   median_of(s, ts->v[t], size, rtt, cls->v[c], NULL, buf),
					   v, sizeof(v));
				fprintf(out, " %s |", v);
			}
			fputc('\n', out);
		}
	}
}

/* The matrix of one transport, size and measure: a row per sender CPU, a column per receiver. */
static void print_matrix_one(FILE *out, const struct pset *s, const char *t, size_t size, bool rtt,
			     double *buf)
{
	int cpus[64];
	size_t ncpus = 0;
	char sz[16];

	for (size_t i = 0; i < s->n; i++) {
		const struct prow *x = &s->rows[i];

		if (!x->matrix || x->rtt != rtt || x->size != size || strcmp(x->transport, t))
			continue;
		for (int e = 0; e < 2; e++) {
			size_t j = 0;

			while (j < ncpus && cpus[j] != x->cpu[e])
				j++;
			if (j == ncpus && ncpus < sizeof(cpus) / sizeof(cpus[0])) {
				while (j > 0 && cpus[j - 1] > x->cpu[e]) {
					cpus[j] = cpus[j - 1];
					j--;
				}
				cpus[j] = x->cpu[e];
				ncpus++;
			}
		}
	}
	if (!ncpus)
		return;
	ipcb_format_size(size, sz, sizeof(sz));
	fprintf(out, "\n**%s**, %s %s: sender's CPU down, receiver's across%s\n\n| |", t,
		rtt ? "round trip p50" : "stream", sz,
		ncpus == sizeof(cpus) / sizeof(cpus[0]) ? " (the first 64 CPUs)" : "");
	for (size_t j = 0; j < ncpus; j++)
		fprintf(out, " %d |", cpus[j]);
	fprintf(out, "\n|---|");
	for (size_t j = 0; j < ncpus; j++)
		fprintf(out, "---:|");
	fputc('\n', out);
	for (size_t i = 0; i < ncpus; i++) {
		fprintf(out, "| **%d** |", cpus[i]);
		for (size_t j = 0; j < ncpus; j++) {
			int pair[2] = {cpus[i], cpus[j]};
			double v = median_of(s, t, size, rtt, NULL, pair, buf);
			const char *cls = "";
			char txt[32], sh[8];

			for (size_t k = 0; k < s->n && !isnan(v); k++)
				if (s->rows[k].matrix && s->rows[k].cpu[0] == cpus[i] &&
				    s->rows[k].cpu[1] == cpus[j]) {
					cls = s->rows[k].cls;
					break;
				}
			value_text(rtt, v, txt, sizeof(txt));
			if (isnan(v))
				fprintf(out, " - |");
			else
				fprintf(out, " %s %s |", txt, cls_short(cls, sh, sizeof(sh)));
		}
		fputc('\n', out);
	}
}

int ipcb_report_placement_sections(FILE *out, const char *path, const char *figures)
{
	struct pset s = {0};
	struct names ts = {0}, cls = {0};
	bool has_col, matrix = false;
	double *buf = NULL;
	size_t apart = 0; /* classes of two CPUs: one is what cross-core already says */

	if (pset_load(&s, path, &has_col) < 0) {
		free(s.rows);
		return -1;
	}
	for (size_t i = 0; i < s.n; i++)
		names_add(&cls, s.rows[i].cls, true);
	/* The references first (the harness, the floors), then the transports by name. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s.n; i++) {
			bool ref = !strcmp(s.rows[i].transport, "null") ||
				   !strncmp(s.rows[i].transport, "floor-", 6);

			if (ref == (pass == 0))
				names_add(&ts, s.rows[i].transport, false);
			matrix |= s.rows[i].matrix;
		}
	names_sort(&ts, 0);
	for (size_t i = 0; i < cls.n; i++)
		apart += !cls_is(cls.v[i], IPCB_TOPO_SAME, false);
	buf = malloc((s.n ? s.n : 1) * sizeof(*buf));
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(s.rows);
		return -1;
	}
	/*
	 * One CPU and one kind of pair are same-core and cross-core, which the tables above have
	 * already: the section is for a machine with more kinds of pair, or a matrix.
	 */
	if (apart >= 2 || matrix) {
		fprintf(
		    out,
		    "## Where the two sides sit\n\n"
		    "What each transport costs by what its two CPUs share, as sysfs says (the "
		    "rows' `%s`): *same* is one CPU, *smt* two hardware threads of one "
		    "core, *cache Lk* two cores sharing that cache, *node* one NUMA node without "
		    "a shared cache, *remote-node* two nodes, and *two-host* another host. Every "
		    "placement's rows count where their CPUs fall (cross-core, the classes "
		    "`--placement smt,llc,node,remote-node` picks, the matrix' cells). This "
		    "CSV's classes: ",
		    ipcb_csv_name(IPCB_COL_CPU_TOPOLOGY));
		for (size_t c = 0; c < cls.n; c++)
			fprintf(out, "%s%s", c ? ", " : "", cls.v[c]);
		fprintf(out, "; a class the machine lacks has no column (a virtual machine says "
			     "how its virtual CPUs share caches, not how they share the host's "
			     "cores). The harness and the floors come first, for reference.\n");
		print_classes(out, &s, &ts, &cls, buf);
	}
	if (matrix) {
		fprintf(
		    out,
		    "\n### The placement matrix\n\n"
		    "`--placement matrix`: each transport on every ordered pair of CPUs (or a "
		    "sample of every kind of pair, beyond `--matrix-pairs`), the median of each "
		    "cell, marked with what its two CPUs share: `=` one CPU, `T` SMT siblings, "
		    "`L2`/`L3` a shared cache, `N` one NUMA node, `R` two nodes.\n");
		for (size_t t = 0; t < ts.n; t++) {
			for (int k = 0; k < 2; k++) {
				size_t size = size_of(&s, ts.v[t], k == 0, false, true);

				if (size)
					print_matrix_one(out, &s, ts.v[t], size, k == 0, buf);
			}
			if (figures && size_of(&s, ts.v[t], true, false, true))
				fprintf(out, "\n![Placement matrix, %s](%s/matrix-%s.png)\n",
					ts.v[t], figures, ts.v[t]);
		}
	}
	if (apart >= 2 || matrix)
		fputc('\n', out);
	free(buf);
	free(s.rows);
	return 0;
}
