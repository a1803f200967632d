/* SPDX-License-Identifier: MIT */
/*
 * trend.c - each series' figure, drawn where every figure of ipcbench is drawn: its data here
 * (SLUG.tsv: the per-run medians with their intervals over the rounds and the drift within each
 * segment; SLUG.changes.tsv: each change point, named by its first run and commit) and a line
 * of the index for it (trends.tsv), then the plot program (scripts/plot --trends) draws each
 * with plots/trend.gp beside its data.
 */
#include "series.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "stats.h"

/* Most x-axis labels a figure shows; more points get every k-th one. */
#define MAX_XLABELS 24

/* A text for a field of the index: a tab or a line break would end it, so each is a space. */
static void index_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

/* The label of point i: its commit's first 10 digits, else its run's number. */
static void point_label(const struct ipcb_hpoint *p, char *out, size_t n)
{
	if (p->commit[0])
		snprintf(out, n, "%.10s", p->commit);
	else
		snprintf(out, n, "run %lld", p->run);
}

static void pct(double frac, char *out, size_t n)
{
	if (isinf(frac))
		snprintf(out, n, "%sinf", frac < 0 ? "-" : "+");
	else
		snprintf(out, n, "%+.*f%%", fabs(frac) < 0.1 ? 2 : 1, frac * 100);
}

/* A data file written and closed: 0, or -errno with err naming it. */
static int file_done(FILE *f, const char *path, char *err, size_t errlen)
{
	int rc = ferror(f) ? -EIO : 0;

	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

/* A data file to write, or NULL with *rc and err naming it. */
static FILE *file_open(const char *path, int *rc, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	*rc = f ? 0 : -errno;
	if (!f)
		snprintf(err, errlen, "%s: %s", path, strerror(-*rc));
	return f;
}

/* SLUG.tsv: x, median, lo, hi, label, the drift line; a blank line at each change point. */
static int data_write(const struct ipcb_hseries *s, const char *path, char *err, size_t errlen)
{
	double b = s->drift.known ? log1p(s->drift.per_point) : 0, *a;
	size_t step = s->npt / MAX_XLABELS + 1, cp = 0, seg_start = 0;
	char label[32];
	int rc;
	FILE *f = file_open(path, &rc, err, errlen);

	if (!f)
		return rc;
	/* Each segment's intercept: the median of log y - b x over it, as Theil-Sen's. */
	a = calloc(s->npt ? s->npt : 1, sizeof(*a));
	if (!a) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	for (size_t k = 0; s->analysed && k <= s->ncp; k++) {
		size_t end = k < s->ncp ? s->cp[k].at : s->npt, n = end - seg_start;
		double *r = malloc((n ? n : 1) * sizeof(*r)), med = 0;

		for (size_t i = 0; r && i < n; i++)
			r[i] = log(s->pt[seg_start + i].median) - b * (double)(seg_start + i);
		if (r && n)
			ipcb_stats_median(r, n, &med);
		for (size_t i = seg_start; i < end; i++)
			a[i] = med;
		free(r);
		seg_start = end;
	}
	fprintf(f, "x\tmedian\tlo\thi\tlabel\tdrift\n");
	for (size_t i = 0; i < s->npt; i++) {
		const struct ipcb_hpoint *p = &s->pt[i];

		if (cp < s->ncp && s->cp[cp].at == i) {
			fputc('\n', f);
			cp++;
		}
		point_label(p, label, sizeof(label));
		fprintf(f, "%zu\t%.9g\t%.9g\t%.9g\t%s\t", i + 1, p->median, p->lo, p->hi,
			(i % step == 0 || i + 1 == s->npt) ? label : "");
		if (s->analysed && s->drift.known)
			fprintf(f, "%.9g\n", exp(a[i] + b * (double)i));
		else
			fprintf(f, "NaN\n");
	}
	free(a);
	return file_done(f, path, err, errlen);
}

/* SLUG.changes.tsv: each change point's x (half a point before its first) and its words. */
static int changes_write(const struct ipcb_hseries *s, const char *path, char *err, size_t errlen)
{
	char a[32], b[32], c[32], first[32];
	int rc;
	FILE *f = file_open(path, &rc, err, errlen);

	if (!f)
		return rc;
	fprintf(f, "x\twords\n");
	for (size_t k = 0; k < s->ncp; k++) {
		const struct ipcb_cp_change *cp = &s->cp[k];
		const struct ipcb_hpoint *p = &s->pt[cp->at];

		pct(cp->change, a, sizeof(a));
		pct(cp->lo, b, sizeof(b));
		pct(cp->hi, c, sizeof(c));
		point_label(p, first, sizeof(first));
		fprintf(f, "%zu.5\tfrom run %lld%s%s: %s [%s, %s]\n", cp->at, p->run,
			p->commit[0] ? ", " : "", p->commit[0] ? first : "", a, b, c);
	}
	return file_done(f, path, err, errlen);
}

/*
 * Series s's line of the index the plot program reads (scripts/plot --trends): the figure's
 * name, its data, its change points ("-": none), its title, its axes, its drift's words, whether
 * the data draw the drift, and its machine, tab-separated (no field empty: the shell's read
 * takes two tabs for one).
 */
static void index_line(FILE *f, const struct ipcb_hseries *s, const struct ipcb_hquery *q,
		       const char *name, const char *data, const char *changes)
{
	const char *metric = ipcb_csv_name(q->metric), *unit = ipcb_csv_cols[q->metric].unit;
	bool line = s->analysed && s->drift.known;
	char a[32], b[32], c[32], drift[160], machine[400];

	if (line) {
		pct(s->drift.per_point, a, sizeof(a));
		pct(s->drift.lo, b, sizeof(b));
		pct(s->drift.hi, c, sizeof(c));
		snprintf(drift, sizeof(drift), "drift %s per %s [%s, %s]%s", a,
			 q->by_commit ? "commit" : "run", b, c,
			 s->drift.significant ? "" : ": not significant");
	} else {
		snprintf(drift, sizeof(drift), "drift: too few runs");
	}
	snprintf(machine, sizeof(machine), "machine %s: %s", s->fp, s->machine);
	fprintf(f, "%s\t%s\t%s\t", name, data, changes);
	index_text(f, s->name);
	fprintf(f, "\t%s\t%s%s%s%s\t%s\t%d\t",
		q->by_commit ? "commit (oldest first)" : "run (oldest first): its commit", metric,
		*unit ? " (" : "", unit, *unit ? ")" : "", drift, line);
	index_text(f, machine);
	fputc('\n', f);
}

/*
 * Run the plot program on the index (lib/child.h): it draws each series with plots/trend.gp,
 * where every figure of ipcbench is drawn. Its messages go to stderr.
 */
static int plot_run(const char *index, char *err, size_t errlen)
{
	/* Static: PATH_MAX is a large part of a small stack; the history draws once, one thread. */
	static char prog[PATH_MAX];
	char *argv[] = {prog, "--trends", (char *)index, NULL};
	sigset_t none;
	struct ipcb_spawn sp = {.path = prog,
				.argv = argv,
				.out = IPCB_SPAWN_NULL,
				.mask = &none,
				.default_signals = 1,
				.what = "ipcbench history --plot"};
	int status;

	if (ipcb_path_find("gnuplot", NULL, NULL) < 0) {
		snprintf(err, errlen,
			 "gnuplot: not found in PATH (the trend figures need it; Debian: "
			 "gnuplot-nox)");
		return -ENOENT;
	}
	ipcb_plot_program(prog, sizeof(prog));
	if (!prog[0]) {
		if (ipcb_path_find("ipcbench-plot", NULL, NULL) < 0) {
			snprintf(err, errlen,
				 "no plot program: ipcbench-plot is not installed beside ipcbench "
				 "nor on PATH, and %s is not there (set IPCBENCH_PLOT)",
				 ipcb_plot_source()[0] ? ipcb_plot_source()
						       : "the checkout's scripts/plot");
			return -ENOENT;
		}
		snprintf(prog, sizeof(prog), "ipcbench-plot");
		sp.path_search = 1;
	}
	sigemptyset(&none);
	status = ipcb_spawn_run(&sp);
	if (status < 0) {
		snprintf(err, errlen, "%s: %s", prog, strerror(-status));
		return status;
	}
	if (status != 0) {
		snprintf(err, errlen, "%s %s %d (its messages are above)", prog,
			 status > 128 ? "was killed by signal" : "exited with status",
			 status > 128 ? status - 128 : status);
		return -ECHILD;
	}
	return 0;
}

int ipcb_hseries_plot(const struct ipcb_hseries_set *set, const struct ipcb_hquery *q,
		      const char *dir, const char *prefix, char *err, size_t errlen)
{
	/* The file names on the heap: 12 KiB is too much for a small stack (ulimit -s). */
	char *data, *changes, *name;
	FILE *f;
	int rc = 0;

	if (set->n == 0)
		return 0;
	data = malloc(3 * PATH_MAX);
	if (!data) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	changes = data + PATH_MAX;
	name = changes + PATH_MAX;
	if (snprintf(data, PATH_MAX, "%s/%strends.tsv", dir, prefix) >= PATH_MAX) {
		free(data);
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	f = file_open(data, &rc, err, errlen);
	if (!f) {
		free(data);
		return rc;
	}
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		const struct ipcb_hseries *s = &set->s[i];

		if (snprintf(data, PATH_MAX, "%s/%s%s.tsv", dir, prefix, s->slug) >= PATH_MAX ||
		    snprintf(changes, PATH_MAX, "%s/%s%s.changes.tsv", dir, prefix, s->slug) >=
			PATH_MAX) {
			snprintf(err, errlen, "%s: path too long", dir);
			rc = -ENAMETOOLONG;
			break;
		}
		snprintf(name, PATH_MAX, "%s%s", prefix, s->slug);
		rc = data_write(s, data, err, errlen);
		if (rc == 0 && s->ncp)
			rc = changes_write(s, changes, err, errlen);
		if (rc == 0)
			index_line(f, s, q, name, data, s->ncp ? changes : "-");
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "%s/%strends.tsv: %s", dir, prefix, strerror(-rc));
	}
	if (rc == 0 && snprintf(data, PATH_MAX, "%s/%strends.tsv", dir, prefix) < PATH_MAX)
		rc = plot_run(data, err, errlen);
	free(data);
	return rc;
}
