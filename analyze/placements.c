/* SPDX-License-Identifier: MIT */
/*
 * placements.c - where the two sides sit: every transport's cost by what its two CPUs share
 * (one CPU, SMT siblings, a shared cache, one node, two nodes, two hosts), and the placement
 * matrix (a transport on every ordered pair of CPUs); see sections.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "placement.h"
#include "sections.h"
#include "topology.h"

/* Is c the topology class's name (topology.h), or that name and more ("cache L3")? */
static bool cls_is(const char *c, enum ipcb_topo_class k, bool prefix)
{
	const char *name = ipcb_topo_class_name(k);
	size_t n = strlen(name);

	return !strncmp(c, name, n) && (c[n] == '\0' || (prefix && c[n] == ' '));
}

/* A class from nearest to farthest; the larger, the farther. */
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
	return !strcmp(c, "two-host") ? 5 : 6;
}

const char *topo_short(const char *c, char *out, size_t n)
{
	unsigned k;

	if (cls_is(c, IPCB_TOPO_SAME, false))
		return "=";
	if (cls_is(c, IPCB_TOPO_SMT, false))
		return "T";
	if (cls_is(c, IPCB_TOPO_CACHE, true) && sscanf(c, "%*s L%u", &k) == 1)
		return snprintf(out, n, "L%u", k), out;
	if (cls_is(c, IPCB_TOPO_NODE, false))
		return "N";
	return cls_is(c, IPCB_TOPO_REMOTE_NODE, true) ? "R" : "?";
}

static const char *class_of(const struct group *g)
{
	return !strcmp(g->placement, "two-host") ? "two-host" : g->topo;
}

/* The classes of the one-pair rows and the matrix's cells, nearest first (cls: m->ngroups + 1). */
static size_t classes(const struct model *m, const char **cls)
{
	size_t n = 0;

	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];
		const char *c = class_of(g);
		size_t j = 0;

		if ((g->shape != S_PAIR && g->shape != S_MATRIX) || !*c ||
		    cls_is(c, IPCB_TOPO_UNKNOWN, false) ||
		    !strcmp(g->placement, ipcb_placement_name(IPCB_PLACE_UNPINNED)) || *g->tuning)
			continue;
		while (j < n && strcmp(cls[j], c))
			j++;
		if (j < n)
			continue;
		for (j = n++; j > 0 && cls_rank(cls[j - 1]) > cls_rank(c); j--)
			cls[j] = cls[j - 1];
		cls[j] = c;
	}
	return n;
}

/* A transport's group of a class at a size: the one with the most runs. */
static const struct group *of_class(const struct model *m, const char *label, const char *c,
				    size_t size, bool latency)
{
	const struct group *best = NULL;

	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];

		if ((g->shape == S_PAIR || g->shape == S_MATRIX) && g->size == size &&
		    !*g->tuning && g->latency == latency && !strcmp(g->label, label) &&
		    !strcmp(class_of(g), c) && (!best || g->kept > best->kept))
			best = g;
	}
	return best;
}

static void print_classes(struct report *r, const char **cls, size_t ncls)
{
	const struct model *m = r->m;
	struct grid t;

	if (grid_init(&t, ncls + 2, 1, 128) < 0)
		return;
	for (int k = 0; k < 2; k++) {
		size_t size = 0;

		/* The smallest size of the round trips, the largest of the streams, among the
		 * rows a class table can show (one pair or the matrix's cells). */
		for (size_t gi = 0; gi < m->ngroups; gi++) {
			const struct group *g = &m->groups[gi];

			if ((g->shape == S_PAIR || g->shape == S_MATRIX) && g->latency == !k &&
			    !*g->tuning && (!size || (k ? g->size > size : g->size < size)))
				size = g->size;
		}
		if (!size)
			continue;
		ipcb_doc_p(r->d,
			   DOC_B("%s") ", by what the two CPUs share (the transport's %s size)",
			   k ? "Stream" : "Round trip p50", k ? "largest" : "smallest");
		t.row[0] = "transport";
		t.row[1] = "size";
		for (size_t c = 0; c < ncls; c++)
			t.row[2 + c] = cls[c];
		ipcb_doc_tablev(r->d, t.align, t.row);
		for (size_t i = 0; i < m->ngroups; i++) {
			const char *label = m->groups[i].label;
			bool any = false;

			/* Each transport once, in the order of its first row: the matrix's
			 * transports are not among the one-pair labels. */
			for (size_t j = 0; j < i && label; j++)
				if (!strcmp(m->groups[j].label, label))
					label = NULL;
			if (!label || m->groups[i].floor)
				continue;
			for (size_t c = 0; c < ncls; c++) {
				const struct group *g = of_class(m, label, cls[c], size, !k);

				series_text(NULL, g, k ? M_BPS : M_RTT50, grid_text(&t, 2 + c),
					    t.width);
				any |= g != NULL;
			}
			if (!any)
				continue;
			t.row[0] = label;
			size_format(size, grid_text(&t, 1), t.width);
			ipcb_doc_rowv(r->d, t.row);
		}
		ipcb_doc_table_end(r->d);
	}
	free(t.row);
}

static int int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* One transport's matrix at its smallest size: sender's CPU down, receiver's across. */
static void print_matrix(struct report *r, const char *t)
{
	const struct model *m = r->m;
	int *cpu = calloc(2 * m->ngroups + 1, sizeof(*cpu));
	size_t n = 0, size = 0;
	struct grid tab;
	char sz[16];

	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->shape == S_MATRIX && g->latency && !strcmp(g->label, t) &&
		    (!size || g->size < size))
			size = g->size;
	}
	for (size_t gi = 0; cpu && gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->shape != S_MATRIX || !g->latency || strcmp(g->label, t) || g->size != size ||
		    !g->nruns)
			continue;
		for (int e = 0; e < 2; e++)
			cpu[n++] = m->runs[g->runs[0]].cpu[e];
	}
	n = model_sort_uniq(cpu, n, sizeof(*cpu), int_cmp);
	if (!n)
		goto out;
	if (grid_init(&tab, n + 1, 1, 64) < 0)
		goto out;
	tab.row[0] = "";
	for (size_t j = 0; j < n; j++)
		snprintf(grid_text(&tab, 1 + j), tab.width, "%d", cpu[j]);
	size_format(size, sz, sizeof(sz));
	/* clang-format off */
	ipcb_doc_p(r->d, DOC_B("%s") ", round trip p50 at %s: sender's CPU down, receiver's "
		   "across; = one CPU, T hardware threads of one core, Ln a shared cache, N one "
		   "node, R two nodes",
		   t, sz);
	/* clang-format on */
	ipcb_doc_tablev(r->d, tab.align, tab.row);
	for (size_t i = 0; i < n; i++) {
		snprintf(grid_text(&tab, 0), tab.width, "%d", cpu[i]);
		for (size_t j = 0; j < n; j++) {
			const struct group *g = NULL;
			char v[32], sh[8];

			for (size_t gi = 0; gi < m->ngroups && !g; gi++) {
				const struct group *x = &m->groups[gi];

				if (x->shape == S_MATRIX && x->latency && x->size == size &&
				    !strcmp(x->label, t) && x->nruns &&
				    m->runs[x->runs[0]].cpu[0] == cpu[i] &&
				    m->runs[x->runs[0]].cpu[1] == cpu[j])
					g = x;
			}
			measure_format(M_RTT50, g ? g->sum[M_RTT50].median : NAN, v, sizeof(v));
			snprintf(grid_text(&tab, 1 + j), tab.width, g ? "%s %s" : "-", v,
				 g ? topo_short(g->topo, sh, sizeof(sh)) : "");
		}
		ipcb_doc_rowv(r->d, tab.row);
	}
	ipcb_doc_table_end(r->d);
	if (r->figures) {
		char name[128], caption[160];

		snprintf(name, sizeof(name), "matrix-%s", t);
		figure_caption(name, caption, sizeof(caption));
		ipcb_doc_figure(r->d, caption, r->figures, name);
	}
	free(tab.row);
out:
	free(cpu);
}

void sec_placements(struct report *r)
{
	const struct model *m = r->m;
	const char **cls = calloc(m->ngroups + 1, sizeof(*cls));
	size_t ncls = cls ? classes(m, cls) : 0, apart = 0;
	bool matrix = false;

	for (size_t c = 0; c < ncls; c++)
		apart += !cls_is(cls[c], IPCB_TOPO_SAME, false);
	for (size_t gi = 0; gi < m->ngroups && !matrix; gi++)
		matrix = m->groups[gi].shape == S_MATRIX;
	if (apart < 2 && !matrix) {
		free(cls);
		return;
	}
	ipcb_doc_h(r->d, 2, "Where the two sides sit");
	ipcb_doc_p(r->d,
		   "What each transport costs by what its two CPUs share, from sysfs: one CPU, two "
		   "hardware threads of one core, cores sharing a cache, one NUMA node, two nodes, "
		   "or two hosts.");
	if (apart >= 2 || (matrix && ncls >= 2))
		print_classes(r, cls, ncls);
	if (matrix)
		ipcb_doc_h(r->d, 3, "The placement matrix");
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		bool seen = false;

		if (g->shape != S_MATRIX || !g->latency)
			continue;
		for (size_t k = 0; k < gi && !seen; k++)
			seen =
			    m->groups[k].shape == S_MATRIX && !strcmp(m->groups[k].label, g->label);
		if (!seen)
			print_matrix(r, g->label);
	}
	free(cls);
}
