/* SPDX-License-Identifier: MIT */
/*
 * figdata.c - the figures' data, written from the model, and the figures' section of the
 * report; see figdata.h. The plot program (scripts/plot) lays these files out with gnuplot and
 * computes nothing of its own: a figure's median is the table's median, its set-aside runs the
 * table's.
 */
#include "figdata.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "sections.h"

/* A series name gnuplot and a file name can carry: letters, digits and ._+-, the rest '_'. */
static void series_name(const char *label, char *out, size_t n)
{
	size_t i = 0;

	for (; label[i] && i + 1 < n; i++) {
		char c = label[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || strchr("._+-", c)
			     ? c
			     : '_';
	}
	out[i] = '\0';
}

static void num(FILE *f, double v)
{
	if (isnan(v))
		fputs(",NaN", f);
	else
		fprintf(f, ",%.6g", v);
}

static const char *role(const struct group *g)
{
	return g->floor && !strncmp(g->transport, "floor-", 6) ? "floor"
	       : g->floor				       ? "harness"
							       : "mechanism";
}

/*
 * The colour of a label: its place among the mechanisms' labels, the same in every figure. A
 * mechanism measured only in another shape (a file of rate sweeps alone) takes a place after
 * them: colour 0 is no colour, and gnuplot drew every curve of such a file black and dotted.
 */
static unsigned color_of(const struct model *m, const struct group *g)
{
	for (size_t i = 0; !g->floor && i < m->nlabels; i++)
		if (!strcmp(m->labels[i], g->label))
			return (unsigned)i + 1;
	for (size_t i = 0; !g->floor && i < m->ntuned; i++)
		if (!strcmp(m->tuned[i], g->label))
			return (unsigned)(m->nlabels + i + 1);
	for (size_t i = 0; !g->floor && i < m->nshaped; i++)
		if (!strcmp(m->shaped[i], g->label))
			return (unsigned)(m->nlabels + m->ntuned + i + 1);
	return 0;
}

static FILE *open_in(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

static int close_checked(FILE *f, const char *dir, const char *name, char *err, size_t errlen)
{
	if (ferror(f) | (fclose(f) != 0)) {
		snprintf(err, errlen, "%s/%s: write failed", dir, name);
		return -EIO;
	}
	return 0;
}

/*
 * The footer every figure carries, two lines: the machine, and the runs set aside. What a point
 * is (a median of rounds, one run's curve) and how many messages the runs drawn held, the plot
 * program says of each figure from the rows it draws.
 */
static void footer(const struct model *m, FILE *f)
{
	fprintf(f, "host %s  |  %s  |  kernel %s  |  ipcbench %s  |  %.10s\n%s\n",
		*m->host ? m->host : "?", *m->cpu_model ? m->cpu_model : "CPU ?", m->kernel,
		m->version, m->date,
		m->flagged ? "runs in a passing state of the machine set aside" : "");
}

size_t figdata_rtt_size(const struct model *m)
{
	size_t size = 0;

	for (size_t i = 0; i < m->nindex; i++) {
		const struct group *g = &m->groups[m->index[i]];

		if (!g->latency || !g->sum[M_RTT50].n || *g->tuning)
			continue;
		if (g->size == 64)
			return 64;
		if (!size || g->size < size)
			size = g->size;
	}
	return size;
}

int figdata_write(const struct model *m, const char *dir, char *err, size_t errlen)
{
	static const char *const cls[] = {"unknown", "polls", "sleeps", "unclear"};
	char s[128];
	FILE *f;
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!(f = open_in(dir, "summary.csv", err, errlen)))
		return -EIO;
	/* The figures' own columns (their names are not the CSV's: these hold medians). */
	fputs("series,base,role,color,strategy,place,what,kind,bytes,rounds,msgs,min,p50,p90,p99,"
	      "p999,max,rate,cpu,class,mark,modes\n",
	      f);
	for (size_t i = 0; i < m->nindex; i++) {
		const struct group *g = &m->groups[m->index[i]];
		const enum measure ms = g->latency ? M_RTT50 : M_BPS;

		/* A tuned setting is another experiment: the figures show each mechanism as it
		 * comes. */
		if (!g->sum[ms].n || *g->tuning)
			continue;
		series_name(g->label, s, sizeof(s));
		fprintf(f, "%s,%s,%s,%u,%s,%s,%s,%s,%zu,%zu", s, g->transport, role(g),
			color_of(m, g), g->wait, g->placement,
			g->latency ? "latency" : "throughput", g->latency ? "rtt" : "-", g->size,
			g->sum[ms].n);
		num(f, model_min_messages(m, g));
		num(f, g->latency ? g->sum[M_RTT_MIN].median : NAN);
		num(f, g->latency ? g->sum[M_RTT50].median : NAN);
		num(f, g->latency ? g->sum[M_RTT90].median : NAN);
		num(f, g->latency ? g->sum[M_RTT99].median : NAN);
		num(f, g->latency ? g->sum[M_RTT999].median : NAN);
		num(f, g->latency ? g->sum[M_RTT_MAX].median : NAN);
		num(f, g->latency ? NAN : g->sum[M_BPS].median);
		num(f, g->sum[M_CPU].median);
		/* modes: how many modes its rounds fell into (1: none), which T2 gives each of */
		fprintf(f, ",%s,%s,%zu\n", g->floor ? "-" : cls[g->reader],
			g->loan		? "loan"
			: g->page_cache ? "page-cache"
					: "-",
			g->sum[ms].modes.n > 1 ? g->sum[ms].modes.n : 1);
	}
	if ((rc = close_checked(f, dir, "summary.csv", err, errlen)) < 0)
		return rc;
	/* The open loops' steps the generator kept (see loads.c): the others measured it. */
	if (!(f = open_in(dir, "load.csv", err, errlen)))
		return -EIO;
	fputs("series,color,place,what,bytes,offered,p50,p99,p999\n", f);
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		struct step st;

		if (g->shape != S_OPEN || *g->shape_text)
			continue;
		model_step(m, g, &st);
		if (!st.kept)
			continue;
		series_name(g->label, s, sizeof(s));
		fprintf(f, "%s,%u,%s,%s,%zu", s, color_of(m, g), g->placement, g->mode, g->size);
		num(f, st.offered);
		num(f, g->sum[g->latency ? M_RTT50 : M_OW50].median);
		num(f, g->sum[g->latency ? M_RTT99 : M_OW99].median);
		num(f, g->sum[g->latency ? M_RTT999 : M_OW999].median);
		fputc('\n', f);
	}
	if ((rc = close_checked(f, dir, "load.csv", err, errlen)) < 0)
		return rc;
	/*
	 * The mechanisms swept whose generator kept no step at all: no point to draw, so the figure
	 * of their placement and mode names them rather than leaving them out unsaid.
	 */
	if (!(f = open_in(dir, "load-absent.csv", err, errlen)))
		return -EIO;
	fputs("series,place,what\n", f);
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		bool kept = false, seen = false;

		if (g->shape != S_OPEN || *g->shape_text)
			continue;
		for (size_t k = 0; k < m->ngroups && !kept && !seen; k++) {
			const struct group *o = &m->groups[k];
			struct step st;

			if (o->shape != S_OPEN || *o->shape_text || strcmp(o->label, g->label) ||
			    strcmp(o->placement, g->placement) || strcmp(o->mode, g->mode))
				continue;
			seen = k < gi; /* named at its first group */
			model_step(m, o, &st);
			kept = st.kept;
		}
		if (kept || seen)
			continue;
		series_name(g->label, s, sizeof(s));
		fprintf(f, "%s,%s,%s\n", s, g->placement, g->mode);
	}
	if ((rc = close_checked(f, dir, "load-absent.csv", err, errlen)) < 0)
		return rc;
	if (!(f = open_in(dir, "matrix.csv", err, errlen)))
		return -EIO;
	fputs("series,bytes,sender,receiver,p50,class\n", f);
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		char sh[8];

		if (g->shape != S_MATRIX || !g->latency || !g->nruns || !g->sum[M_RTT50].n)
			continue;
		series_name(g->label, s, sizeof(s));
		fprintf(f, "%s,%zu,%d,%d,%.6g,%s\n", s, g->size, m->runs[g->runs[0]].cpu[0],
			m->runs[g->runs[0]].cpu[1], g->sum[M_RTT50].median,
			topo_short(g->topo, sh, sizeof(sh)));
	}
	if ((rc = close_checked(f, dir, "matrix.csv", err, errlen)) < 0)
		return rc;
	/* --hosts: every pair of hosts' round trip, hosts by their place in the model's list. */
	if (!(f = open_in(dir, "hosts.csv", err, errlen)))
		return -EIO;
	fputs("series,bytes,sender,receiver,p50,p99\n", f);
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		size_t a = 0, b = 0;

		if (g->shape != S_HOSTS || !g->latency || !g->sum[M_RTT50].n)
			continue;
		while (a < m->nhosts && strcmp(m->hosts[a], g->host))
			a++;
		while (b < m->nhosts && strcmp(m->hosts[b], g->peer_host))
			b++;
		series_name(g->label, s, sizeof(s));
		fprintf(f, "%s,%zu,%zu,%zu,%.6g", s, g->size, a + 1, b + 1, g->sum[M_RTT50].median);
		num(f, g->sum[M_RTT99].median);
		fputc('\n', f);
	}
	if ((rc = close_checked(f, dir, "hosts.csv", err, errlen)) < 0)
		return rc;
	/* And the hosts' names, in that order, one a line. */
	if (!(f = open_in(dir, "hosts", err, errlen)))
		return -EIO;
	for (size_t h = 0; h < m->nhosts; h++)
		fprintf(f, "%s\n", m->hosts[h]);
	if ((rc = close_checked(f, dir, "hosts", err, errlen)) < 0)
		return rc;
	if (!(f = open_in(dir, "footer", err, errlen)))
		return -EIO;
	footer(m, f);
	if ((rc = close_checked(f, dir, "footer", err, errlen)) < 0)
		return rc;
	if (!(f = open_in(dir, "size", err, errlen)))
		return -EIO;
	if (figdata_rtt_size(m))
		fprintf(f, "%zu\n", figdata_rtt_size(m));
	return close_checked(f, dir, "size", err, errlen);
}

/*
 * The figures the plot program draws for every placement, which the Markdown links, and whether
 * each draws the round trips of one size (figdata_rtt_size()) rather than every size.
 */
static const struct {
	const char *stem;
	bool one_size;
} figures[] = {{"bars", true},
	       {"latency", false},
	       {"throughput", false},
	       {"percentiles", true},
	       {"cpu-latency", true}};

/* Links a figure once: the names linked so far are kept in seen (a growing list). */
static void link_once(struct report *r, const char *name, char ***seen, size_t *n, size_t *cap)
{
	char caption[256], **p;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*seen)[i], name))
			return;
	if (!(p = model_grow(*seen, cap, *n, sizeof(*p))) || !(p[*n] = strdup(name))) {
		*seen = p ? p : *seen;
		return;
	}
	*seen = p;
	(*n)++;
	figure_caption(name, caption, sizeof(caption));
	ipcb_doc_figure(r->d, caption, r->figures, name);
}

void sec_figures(struct report *r)
{
	const struct model *m = r->m;

	/* The page inlines every figure drawn; the Markdown links the usual ones. */
	if (r->d->fmt == IPCB_DOC_HTML) {
		if (html_figures(r->d, "Figures", r->svg_dir, false, r->error, sizeof(r->error)) ==
			0 &&
		    r->trends)
			html_figures(r->d, "Trends", r->trends, true, r->error, sizeof(r->error));
		return;
	}
	if (!r->figures)
		return;
	ipcb_doc_h(r->d, 2, "Figures");
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		for (size_t p = 0; p < m->nplacements; p++) {
			char name[96], caption[256];

			snprintf(name, sizeof(name), "%s-%s", figures[i].stem, m->placements[p]);
			figure_caption(name, caption, sizeof(caption));
			/* The figures of one round-trip size say which (the plot program's
			 * default). */
			if (figures[i].one_size && figdata_rtt_size(m)) {
				size_t len = strlen(caption);
				char sz[16];

				size_format(figdata_rtt_size(m), sz, sizeof(sz));
				snprintf(caption + len, sizeof(caption) - len, ", %s round trips",
					 sz);
			}
			ipcb_doc_figure(r->d, caption, r->figures, name);
		}
	/*
	 * The figures of what the rows hold beyond the tables, named as the plot program names
	 * them from the same figure data: latency against load where a step was kept, the
	 * placement matrix and the pairs of hosts of each transport that has them.
	 */
	{
		char **seen = NULL, name[192], s[128];
		size_t n = 0, cap = 0;

		for (size_t gi = 0; gi < m->ngroups; gi++) {
			const struct group *g = &m->groups[gi];
			struct step st;

			if (g->shape != S_OPEN || *g->shape_text)
				continue;
			model_step(m, g, &st);
			if (!st.kept)
				continue;
			snprintf(name, sizeof(name), "load-%s-%s", g->mode, g->placement);
			link_once(r, name, &seen, &n, &cap);
		}
		for (size_t gi = 0; gi < m->ngroups; gi++) {
			const struct group *g = &m->groups[gi];

			if ((g->shape != S_MATRIX && g->shape != S_HOSTS) || !g->latency ||
			    !g->sum[M_RTT50].n)
				continue;
			series_name(g->label, s, sizeof(s));
			snprintf(name, sizeof(name), "%s-%s",
				 g->shape == S_MATRIX ? "matrix" : "hosts", s);
			link_once(r, name, &seen, &n, &cap);
		}
		for (size_t i = 0; i < n; i++)
			free(seen[i]);
		free(seen);
	}
}

int figdata_dir_check(const char *dir)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		return access(dir, W_OK | X_OK);
	}
	if (errno != ENOENT)
		return -1;
	if (!slash)
		return access(".", W_OK | X_OK);
	snprintf(parent, sizeof(parent), "%.*s", slash == dir ? 1 : (int)(slash - dir), dir);
	return access(parent, W_OK | X_OK);
}
