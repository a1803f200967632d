/* SPDX-License-Identifier: MIT */
/*
 * trend.c - each series drawn with gnuplot: the per-run medians with their intervals over the
 * rounds, a dashed line before each change point, named by its first run and commit, and the
 * drift within each segment. One gnuplot process draws them all, reading the script on its
 * standard input; each figure's data is kept beside it as a tab-separated file.
 */
#include "series.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "stats.h"

/* Most x-axis labels a figure shows; more points get every k-th one. */
#define MAX_XLABELS 24

/* A text in gnuplot's single quotes: '' for each quote, nothing that ends the line. */
static void gp_text(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('\'', f);
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

/* SLUG.tsv: x, median, lo, hi, label, the drift line; a blank line at each change point. */
static int data_write(const struct ipcb_hseries *s, const char *path, char *err, size_t errlen)
{
	double b = s->drift.known ? log1p(s->drift.per_point) : 0, *a;
	size_t step = s->npt / MAX_XLABELS + 1, cp = 0, seg_start = 0;
	FILE *f = fopen(path, "w");
	char label[32];
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
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
	fprintf(f, "# x\tmedian\tlo\thi\tlabel\tdrift\n");
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
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

/* The commands that draw series s from its data file. */
static void script_write(FILE *f, const struct ipcb_hseries *s, const struct ipcb_hquery *q,
			 const char *data, const char *svg)
{
	const char *metric = ipcb_csv_name(q->metric), *unit = ipcb_csv_cols[q->metric].unit;
	char title[1024], a[32], b[32], c[32], label[160];

	fprintf(f, "set output ");
	gp_text(f, svg);
	fprintf(f, "\nunset arrow\nunset label\n");
	/* Two lines: the group, then the machine, joined by a newline gnuplot's quotes allow. */
	snprintf(title, sizeof(title), "machine %s: %s", s->fp, s->machine);
	fprintf(f, "set title ");
	gp_text(f, s->name);
	fprintf(f, " . \"\\n\" . ");
	gp_text(f, title);
	fprintf(f, " font ',12'\nset xrange [0.5:%zu.5]\n", s->npt);
	fprintf(f, "set xlabel ");
	gp_text(f, q->by_commit ? "commit (oldest first)" : "run (oldest first): its commit");
	snprintf(label, sizeof(label), "%s%s%s%s", metric, *unit ? " (" : "", unit,
		 *unit ? ")" : "");
	fprintf(f, "\nset ylabel ");
	gp_text(f, label);
	fputc('\n', f);
	for (size_t k = 0; k < s->ncp; k++) {
		const struct ipcb_cp_change *cp = &s->cp[k];
		const struct ipcb_hpoint *p = &s->pt[cp->at];
		char first[32];

		pct(cp->change, a, sizeof(a));
		pct(cp->lo, b, sizeof(b));
		pct(cp->hi, c, sizeof(c));
		point_label(p, first, sizeof(first));
		snprintf(label, sizeof(label), "from run %lld%s%s: %s [%s, %s]", p->run,
			 p->commit[0] ? ", " : "", p->commit[0] ? first : "", a, b, c);
		fprintf(f,
			"set arrow %zu from %zu.5, graph 0 to %zu.5, graph 1 nohead dt 2 lw 2 "
			"lc rgb '#b2182b' front\n",
			k + 1, cp->at, cp->at);
		fprintf(f, "set label %zu ", k + 1);
		gp_text(f, label);
		fprintf(f,
			" at %zu.5, graph 0.98 right rotate by 90 offset -0.8,0 font ',10' "
			"tc rgb '#b2182b' front\n",
			cp->at);
	}
	if (s->analysed && s->drift.known) {
		pct(s->drift.per_point, a, sizeof(a));
		pct(s->drift.lo, b, sizeof(b));
		pct(s->drift.hi, c, sizeof(c));
		snprintf(label, sizeof(label), "drift %s per %s [%s, %s]%s", a,
			 q->by_commit ? "commit" : "run", b, c,
			 s->drift.significant ? "" : ": not significant");
	} else {
		snprintf(label, sizeof(label), "drift: too few runs");
	}
	/* The drift's line only where there is one: gnuplot warns of a column of NaN. */
	if (!s->analysed || !s->drift.known) {
		fprintf(f, "set label 99 ");
		gp_text(f, label);
		fprintf(f, " at graph 0.01, graph 0.04 left font ',10' tc rgb '#555555'\n");
	}
	fprintf(f, "plot ");
	gp_text(f, data);
	fprintf(f,
		" using 1:2:3:4:xticlabels(5) with yerrorlines lc rgb '#2166ac' pt 7 ps 0.7 "
		"lw 1.5 title 'median of a %s''s rounds, and its 95%% interval'",
		q->by_commit ? "commit" : "run");
	if (s->analysed && s->drift.known) {
		fprintf(f, ", \\\n  ");
		gp_text(f, data);
		fprintf(f, " using 1:6 with lines dt 3 lw 2 lc rgb '#555555' title ");
		gp_text(f, label);
	}
	fputc('\n', f);
}

/* Run gnuplot with the script on its input (lib/child.h); its messages go to stderr. */
static int gnuplot_run(const char *script, size_t len, char *err, size_t errlen)
{
	char *argv[] = {"gnuplot", NULL};
	sigset_t none;
	struct ipcb_spawn sp = {.path = "gnuplot",
				.path_search = 1,
				.argv = argv,
				.out = IPCB_SPAWN_NULL,
				.mask = &none,
				.what = "ipcbench history --plot"};
	int p[2], status;
	size_t off = 0;
	pid_t pid;

	if (ipcb_path_find("gnuplot", NULL, NULL) < 0) {
		snprintf(err, errlen,
			 "gnuplot: not found in PATH (the trend figures need it; Debian: "
			 "gnuplot-nox)");
		return -ENOENT;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	sigemptyset(&none);
	sp.in = p[0];
	pid = ipcb_spawn_start(&sp);
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		snprintf(err, errlen, "gnuplot: %s", strerror((int)-pid));
		return (int)pid;
	}
	/* A gnuplot that stops reading must not kill us with SIGPIPE: the write fails instead. */
	{
		sigset_t pipe_set, old;

		sigemptyset(&pipe_set);
		sigaddset(&pipe_set, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
		while (off < len) {
			ssize_t n = write(p[1], script + off, len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		close(p[1]);
		{
			struct timespec zero = {0, 0};

			while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
				;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	status = ipcb_spawn_wait(pid);
	if (status < 0) {
		snprintf(err, errlen, "gnuplot: waiting for it: %s", strerror(-status));
		return status;
	}
	if (status != 0) {
		snprintf(err, errlen, "gnuplot %s %d (its messages are above)",
			 status > 128 ? "was killed by signal" : "exited with status",
			 status > 128 ? status - 128 : status);
		return -ECHILD;
	}
	return 0;
}

int ipcb_hseries_plot(const struct ipcb_hseries_set *set, const struct ipcb_hquery *q,
		      const char *dir, const char *prefix, char *err, size_t errlen)
{
	/* The two file names on the heap: 8 KiB is too much for a small stack (ulimit -s). */
	char *script = NULL, *data, *svg;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (set->n == 0)
		return 0;
	data = malloc(2 * PATH_MAX);
	f = data ? open_memstream(&script, &len) : NULL;
	if (!f) {
		free(data);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	svg = data + PATH_MAX;
	fprintf(f, "set encoding utf8\n"
		   "set terminal svg size 1100,560 dynamic noenhanced font 'DejaVu Sans,12' "
		   "background '#ffffff'\n"
		   "set datafile separator '\\t'\nset datafile missing 'NaN'\n"
		   "set grid ytics lc rgb '#cccccc'\nset border 3 lc rgb '#404040'\n"
		   "set tics nomirror out\nset xtics rotate by -45 font ',9'\n"
		   "set format y '%%.2s%%c'\nset key below noenhanced\n");
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		const struct ipcb_hseries *s = &set->s[i];

		if (snprintf(data, PATH_MAX, "%s/%s%s.tsv", dir, prefix, s->slug) >= PATH_MAX ||
		    snprintf(svg, PATH_MAX, "%s/%s%s.svg", dir, prefix, s->slug) >= PATH_MAX) {
			snprintf(err, errlen, "%s: path too long", dir);
			rc = -ENAMETOOLONG;
			break;
		}
		rc = data_write(s, data, err, errlen);
		if (rc == 0)
			script_write(f, s, q, data, svg);
	}
	fputs("set output\n", f);
	free(data);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc == 0)
		rc = gnuplot_run(script, len, err, errlen);
	free(script);
	return rc;
}
