/* SPDX-License-Identifier: MIT */
/*
 * cmd.c - `ipcbench history DB`: the runs a history holds, each group's series with its change
 * points and drift, the trend figures (--plot DIR), a CSV imported as a run (--import), and the
 * file's check (--check).
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cliopt.h"
#include "command.h"
#include "csvschema.h"
#include "db.h"
#include "format.h"
#include "parse.h"
#include "series.h"
#include "store.h"

static const char prog[] = "ipcbench history";

#define WINDOW_DEFAULT 8

enum format {
	FMT_TABLE,
	FMT_CSV,
};

struct opts {
	const char *db;
	const char *import, *commit, *source;
	const char *plot;
	bool check, brief, help;
	enum format format;
	uint64_t last;
	struct ipcb_hquery q;
};

__attribute__((format(printf, 1, 2))) static int usage_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see ipcbench history --help)\n");
	return IPCB_HISTORY_USAGE;
}

static int metric_parse(void *base, const char *v, char *err, size_t errlen)
{
	struct opts *o = base;
	const struct ipcb_csv_metric *m;
	int rc = ipcb_csv_metric_parse(v, &m, "--metric", err, errlen);

	if (rc)
		return rc;
	o->q.metric = m->column;
	o->q.lower_better = m->lower_better;
	return 0;
}

static int by_parse(void *base, const char *v, char *err, size_t errlen)
{
	/* What a point is: --by's values. */
	static const char *const by[] = {"run", "commit"};
	struct opts *o = base;

	if (strcmp(v, by[0]) != 0 && strcmp(v, by[1]) != 0)
		return ipcb_parse_fail(err, errlen, "--by: '%s' is not %s or %s", v, by[0], by[1]);
	o->q.by_commit = strcmp(v, by[1]) == 0;
	return 0;
}

static int threshold_parse(void *base, const char *v, char *err, size_t errlen)
{
	return ipcb_parse_share(v, 0, 0.9, &((struct opts *)base)->q.cp.threshold, "--threshold",
				err, errlen);
}

static int alpha_parse(void *base, const char *v, char *err, size_t errlen)
{
	return ipcb_parse_probability(v, 0.5, &((struct opts *)base)->q.cp.alpha, "--alpha", err,
				      errlen);
}

static int window_parse(void *base, const char *v, char *err, size_t errlen)
{
	struct opts *o = base;
	uint64_t u;
	int rc = ipcb_parse_u64(v, 4, 64, &u, "--window", err, errlen);

	if (rc == 0 && u % 2)
		rc = ipcb_parse_fail(err, errlen, "--window: '%s' is not an even number", v);
	if (rc == 0)
		o->q.cp.window = u;
	return rc;
}

#define HISTORY_STR_(x) #x
#define HISTORY_STR(x)	HISTORY_STR_(x)

/* Every option of `history`, in the order --help shows them (lib/cliopt.h). */
static const struct ipcb_clirow history_opts[] = {
    {.opt = {.name = "metric"},
     .type = IPCB_CLI_CALL,
     .parse = metric_parse,
     .arg = "COLUMN",
     .section = "Options:",
     .help_fn = ipcb_csv_metric_help},
    {.opt = {.name = "by"},
     .type = IPCB_CLI_CALL,
     .parse = by_parse,
     .arg = "run|commit",
     .help = "a point per run (default), or per commit: the runs of\n"
	     "one commit pooled"},
    {.opt = {.name = "last"},
     .type = IPCB_CLI_U64,
     .off = offsetof(struct opts, last),
     .min = 1,
     .max = 1000000,
     .arg = "N",
     .help = "only the last N runs, and the last N points of a series"},
    {.opt = {.name = "machine"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, q.machine),
     .noun = "value",
     .arg = "FP",
     .help = "only runs of this machine fingerprint (or a prefix)"},
    {.opt = {.name = "group"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, q.group),
     .noun = "value",
     .arg = "TEXT",
     .help = "only groups whose name holds TEXT (e.g. 'pipe throughput')"},
    {.opt = {.name = "threshold"},
     .type = IPCB_CLI_CALL,
     .parse = threshold_parse,
     .def = "5%",
     .arg = "PCT",
     .help = "the smallest change that counts: 5% or 0.05 (default 5%)"},
    {.opt = {.name = "alpha"},
     .type = IPCB_CLI_CALL,
     .parse = alpha_parse,
     .def = "0.05",
     .arg = "A",
     .help = "chance of any false change point in a series, and 1 - the\n"
	     "drift interval's level (default 0.05)"},
    {.opt = {.name = "window"},
     .type = IPCB_CLI_CALL,
     .parse = window_parse,
     .def = HISTORY_STR(WINDOW_DEFAULT),
     .arg = "N",
     .help = "points on each side of a candidate change, 4 to 64, even\n"
	     "(default " HISTORY_STR(WINDOW_DEFAULT) "; a change needs about N/2 + 1 points "
						     "after it)"},
    {.opt = {.name = "plot"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, plot),
     .noun = "value",
     .arg = "DIR",
     .help = "draw each series into DIR (made if missing) with gnuplot:\n"
	     "SLUG.svg, and its data as SLUG.tsv"},
    {.opt = {.name = "brief"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, brief),
     .help = "one line per series, no points"},
    {.opt = {.name = "format"},
     .type = IPCB_CLI_CHOICE,
     .off = offsetof(struct opts, format),
     .choices = "table|csv", /* in enum format's order */
     .noun = "format",
     .max = FMT_CSV,
     .arg = "FMT",
     .help = "table (default) or csv (one line per point)"},
    {.opt = {.name = "import"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, import),
     .noun = "value",
     .arg = "FILE",
     .help = "store FILE (ipcbench --csv or --json output; `-`:\n"
	     "standard input) as one complete run, its times its\n"
	     "rows', then exit; a run stored already (the same\n"
	     "machine and rows) is refused, naming it. FILE another\n"
	     "history (an SQLite file): copy the runs DB lacks, by\n"
	     "the same identity, in one transaction (a runner's own\n"
	     "file merged into a team's)"},
    {.opt = {.name = "commit"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, commit),
     .noun = "value",
     .arg = "REV",
     .help = "with --import: the run's git commit"},
    {.opt = {.name = "source"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, source),
     .noun = "value",
     .arg = "TEXT",
     .help = "with --import: what made the rows (default 'import FILE')"},
    {.opt = {.name = "check"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, check),
     .help = "open DB and check it (schema, SQLite's integrity check)"},
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, help),
     .help = "the options, briefly"},
    {.opt = {.name = NULL}},
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: ipcbench history DB [OPTIONS]\n"
	    "       ipcbench history DB --import FILE.csv [--commit REV] [--source TEXT]\n"
	    "       ipcbench history DB --import OTHER.db\n"
	    "       ipcbench history DB --check\n"
	    "Show the results history DB that ipcbench --db DB fills (an SQLite file, or a\n"
	    "team's on a PostgreSQL server: postgresql://HOST/DB): its runs (when, status,\n"
	    "commit, build, machine fingerprint, command), then each group's series, a point\n"
	    "per run (or per commit) with the median of its rounds and the distribution-free\n"
	    "95%% interval of that median, the change points and the drift.\n"
	    "A group is what compare calls one (transport, mode, size, kind, placement, CPUs,\n"
	    "wait strategy, the run settings) on one machine fingerprint (%s, %s,\n"
	    "%s, %s).\n"
	    "Change points: a shifted Mann-Whitney test over sliding windows of the points'\n"
	    "log medians, with the drift taken out (the Theil-Sen slope within each window):\n"
	    "a point starts a change when the window from it is lower or higher than the one\n"
	    "before by more than the threshold, at alpha over the number of candidates\n"
	    "(Bonferroni); the strongest wins within half a window; each names its first run.\n"
	    "Drift: the Theil-Sen slope of the log medians per point within the segments\n"
	    "between change points, with Sen's interval at 1 - alpha; shown when it leaves\n"
	    "out 0.\n",
	    ipcb_csv_name(ipcb_histdb_machine_cols[0]), ipcb_csv_name(ipcb_histdb_machine_cols[1]),
	    ipcb_csv_name(ipcb_histdb_machine_cols[2]), ipcb_csv_name(ipcb_histdb_machine_cols[3]));
	ipcb_cli_help(f, history_opts, 6, 24);
	fprintf(
	    f, "\n"
	       "Exit status: 0 shown (or stored, or whole), 1 a write failed or the figures could\n"
	       "not be drawn, 2 usage error, or a database that cannot be used: missing, not an\n"
	       "ipcbench history, of a newer schema, damaged, or (--import) read-only, or a run\n"
	       "imported that is stored already; the message says which.\n"
	       "\n"
	       "Example: ipcbench history ci.db --group 'pipe throughput' --plot trends\n");
}

/* The one argument: the database. */
static int db_arg(void *ctx, const char *v, char *err, size_t errlen)
{
	struct opts *o = ctx;

	if (o->db)
		return ipcb_parse_fail(err, errlen, "unexpected argument '%s' (one database)", v);
	if (!*v)
		return ipcb_parse_fail(err, errlen, "empty database name");
	o->db = v;
	return 0;
}

/* --help ends the parse where it stands: what follows is not read. */
static int help_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	return row->off == offsetof(struct opts, help) && row->type == IPCB_CLI_FLAG;
}

/* 0, IPCB_HISTORY_USAGE (said), or -1 for --help (printed). */
static int parse_args(struct opts *o, int argc, char **argv)
{
	const struct ipcb_cli_hooks hooks = {.arg = db_arg, .taken = help_taken, .ctx = o};
	char err[256];
	int rc = ipcb_cli_defaults(history_opts, o, err, sizeof(err));

	if (!rc)
		rc = ipcb_cli_parse(history_opts, o, argc, argv, &hooks, err, sizeof(err));
	if (rc < 0)
		return usage_fail("%s", err);
	if (rc > 0) {
		usage(stdout);
		return -1;
	}
	if (!o->db)
		return usage_fail("no database: ipcbench history DB");
	if ((o->commit || o->source) && !o->import)
		return usage_fail("%s goes with --import", o->commit ? "--commit" : "--source");
	if (o->import && (o->check || o->plot))
		return usage_fail("--import stores a file and exits: not with %s",
				  o->check ? "--check" : "--plot");
	o->q.last = o->last;
	return 0;
}

/* ---- the runs ---- */

/* What a run's record says, and for one without a finish time, whether its writer lives. */
static const char *run_status(const char *status, bool finished, const char *writer, long long pid)
{
	char host[256] = "";

	if (finished || strcmp(status, "running") != 0)
		return status;
	/* Its writer on this host and still there: being written. Otherwise it never ended. */
	if (pid > 0 && *writer && gethostname(host, sizeof(host) - 1) == 0 &&
	    strcmp(host, writer) == 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return "running";
	return "partial";
}

static int runs_print(struct ipcb_histdb *h, const struct opts *o, char *err, size_t errlen)
{
	static const char *const kinds[] = {"complete", "failed", "interrupted", "partial",
					    "running"};
	size_t count[5] = {0}, total = 0, shown = 0;
	long long nruns = 0, first_shown = 0;
	ipcb_stmt *st;
	int rc;

	rc = ipcb_histdb_prepare(h, "SELECT count(*) FROM runs", &st, err, errlen);
	if (rc < 0)
		return rc;
	if (ipcb_sql.step(st) == SQLITE_ROW)
		nruns = ipcb_sql.column_int64(st, 0);
	ipcb_sql.finalize(st);
	if (o->last && nruns > (long long)o->last)
		first_shown = nruns - (long long)o->last;
	rc = ipcb_histdb_prepare(
	    h,
	    "SELECT id, started, finished, status, writer, pid, fingerprint, build, git_commit, "
	    "command, source, (SELECT count(*) FROM rows WHERE run_id = runs.id) FROM runs "
	    "ORDER BY id",
	    &st, err, errlen);
	if (rc < 0)
		return rc;
	if (o->format == FMT_TABLE)
		printf("# runs\n%5s  %-20s  %-11s  %6s  %-12s  %-16s  %-12s  %s\n", "run",
		       "started", "status", "rows", "commit", "build", "machine", "what");
	while ((rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		const char *status =
		    run_status(ipcb_histdb_text(st, 3), ipcb_sql.column_type(st, 2) != SQLITE_NULL,
			       ipcb_histdb_text(st, 4), ipcb_sql.column_int64(st, 5));
		const char *source = ipcb_histdb_text(st, 10);
		char what[600], build[64], commit[64];

		for (size_t k = 0; k < 5; k++)
			count[k] += strcmp(status, kinds[k]) == 0;
		total++;
		if (o->format != FMT_TABLE || (long long)total <= first_shown)
			continue;
		shown++;
		ipcb_format_visible(strcmp(source, "ipcbench") == 0 && *ipcb_histdb_text(st, 9)
					? ipcb_histdb_text(st, 9)
					: source,
				    what, sizeof(what));
		ipcb_format_visible(ipcb_histdb_text(st, 7), build, sizeof(build));
		ipcb_format_visible(ipcb_histdb_text(st, 8), commit, sizeof(commit));
		printf("%5lld  %-20.20s  %-11s  %6lld  %-12.12s  %-16.16s  %-12s  %s\n",
		       ipcb_sql.column_int64(st, 0), ipcb_histdb_text(st, 1), status,
		       ipcb_sql.column_int64(st, 11), *commit ? commit : "-", *build ? build : "-",
		       *ipcb_histdb_text(st, 6) ? ipcb_histdb_text(st, 6) : "-", what);
	}
	ipcb_sql.finalize(st);
	if (rc != SQLITE_DONE)
		return ipcb_histdb_fail(h, "reading the runs", rc, err, errlen);
	if (o->format == FMT_TABLE) {
		printf("# %zu run%s: %zu complete, %zu failed, %zu interrupted, %zu partial (never "
		       "ended: the writer was killed), %zu running%s\n",
		       total, total == 1 ? "" : "s", count[0], count[1], count[2], count[3],
		       count[4], shown < total ? "; the last shown (--last)" : "");
	}
	return 0;
}

/* ---- the series ---- */

static void value_text(enum ipcb_csv_column metric, double v, char *out, size_t n)
{
	const char *unit = ipcb_csv_cols[metric].unit;

	if (strcmp(unit, "ns") == 0)
		ipcb_format_ns(v, out, n);
	else
		ipcb_format_rate(v, out, n);
}

static void pct(double frac, char *out, size_t n)
{
	if (isinf(frac))
		snprintf(out, n, "%sinf", frac < 0 ? "-" : "+");
	else
		snprintf(out, n, "%+.*f%%", fabs(frac) < 0.1 ? 2 : 1, frac * 100);
}

static const char *direction(const struct ipcb_hquery *q, double change)
{
	if (change == 0)
		return "level";
	return (change < 0) != q->lower_better ? "worse" : "better";
}

static void change_text(const struct ipcb_hseries *s, const struct ipcb_cp_change *cp,
			const struct ipcb_hquery *q, char *out, size_t n)
{
	const struct ipcb_hpoint *p = &s->pt[cp->at];
	char a[32], b[32], c[32];

	pct(cp->change, a, sizeof(a));
	pct(cp->lo, b, sizeof(b));
	pct(cp->hi, c, sizeof(c));
	snprintf(out, n, "from run %lld%s%.12s%s: %s [%s, %s], %s", p->run,
		 p->commit[0] ? " (commit " : "", p->commit, p->commit[0] ? ")" : "", a, b, c,
		 direction(q, cp->change));
}

static void drift_text(const struct ipcb_hseries *s, const struct ipcb_hquery *q, char *out,
		       size_t n)
{
	const char *per = q->by_commit ? "commit" : "run";
	char a[32], b[32], c[32];

	if (!s->analysed || !s->drift.known) {
		snprintf(out, n, "not known (too few %ss%s)", per,
			 s->npt >= 2 ? ", or values of 0" : "");
		return;
	}
	pct(s->drift.per_point, a, sizeof(a));
	pct(s->drift.lo, b, sizeof(b));
	pct(s->drift.hi, c, sizeof(c));
	if (s->drift.significant)
		snprintf(out, n, "%s per %s [%s, %s], %s", a, per, b, c,
			 direction(q, s->drift.per_point));
	else
		snprintf(out, n, "none shown (%s per %s [%s, %s])", a, per, b, c);
}

static void series_print(const struct ipcb_hseries *s, const struct opts *o)
{
	const struct ipcb_hquery *q = &o->q;
	char name[400], text[300], med[32], lo[32], hi[32];
	size_t cp = 0;

	ipcb_format_visible(s->name, name, sizeof(name));
	if (o->brief) {
		value_text(q->metric, s->pt[s->npt - 1].median, med, sizeof(med));
		printf("%-52s  %-12s  %4zu  %9s  ", name, s->fp, s->npt, med);
		if (!s->analysed || s->ncp == 0)
			printf("changes: none");
		for (size_t k = 0; s->analysed && k < s->ncp; k++) {
			change_text(s, &s->cp[k], q, text, sizeof(text));
			printf("%s%s", k ? "; " : "changes: ", text);
		}
		drift_text(s, q, text, sizeof(text));
		printf("; drift: %s\n", text);
		return;
	}
	printf("\n## %s  (machine %s: %s)\n", name, s->fp, s->machine);
	printf("%6s  %5s  %-12s  %-20s  %6s  %10s  %s\n", "point", "run", "commit", "started",
	       "rounds", "median", "95% interval");
	for (size_t i = 0; i < s->npt; i++) {
		const struct ipcb_hpoint *p = &s->pt[i];

		if (cp < s->ncp && s->cp[cp].at == i) {
			change_text(s, &s->cp[cp], q, text, sizeof(text));
			printf("%6s  ---- change %s\n", "", text);
			cp++;
		}
		value_text(q->metric, p->median, med, sizeof(med));
		value_text(q->metric, p->lo, lo, sizeof(lo));
		value_text(q->metric, p->hi, hi, sizeof(hi));
		printf("%6zu  %5lld  %-12.12s  %-20.20s  %6zu  %10s  [%s, %s]%s", i + 1, p->run,
		       p->commit[0] ? p->commit : "-", p->started, p->n, med, lo, hi,
		       p->n > 1 && p->coverage < 0.95 ? " (min-max)" : "");
		if (p->nruns > 1)
			printf(" (%zu runs)", p->nruns);
		putchar('\n');
	}
	printf("changes: ");
	if (!s->analysed)
		printf("not looked for (too few points, or values of 0)\n");
	else if (s->ncp == 0)
		printf("none\n");
	for (size_t k = 0; s->analysed && k < s->ncp; k++) {
		change_text(s, &s->cp[k], q, text, sizeof(text));
		printf("%s%s", k ? "; " : "", text);
		if (k + 1 == s->ncp)
			putchar('\n');
	}
	drift_text(s, q, text, sizeof(text));
	printf("drift: %s\n", text);
	if (s->aside)
		printf(
		    "set aside: %zu row%s of %zu run%s, measured in another state of the machine\n",
		    s->aside, s->aside == 1 ? "" : "s", s->aside_runs,
		    s->aside_runs == 1 ? "" : "s");
}

static void csv_num(double v, bool have)
{
	if (have && isfinite(v))
		printf("%.6g", v);
}

static void series_csv(const struct ipcb_hseries *s)
{
	size_t cp = 0;
	bool drift = s->analysed && s->drift.known && s->drift.significant;

	for (size_t i = 0; i < s->npt; i++) {
		const struct ipcb_hpoint *p = &s->pt[i];
		const struct ipcb_cp_change *c = NULL;

		if (cp < s->ncp && s->cp[cp].at == i)
			c = &s->cp[cp++];
		ipcb_csv_text(stdout, s->name);
		printf(",%s,%zu,%lld,", s->fp, i + 1, p->run);
		ipcb_csv_text(stdout, p->commit);
		printf(",%s,%zu,%.6g,%.6g,%.6g,", p->started, p->n, p->median, p->lo, p->hi);
		csv_num(c ? c->change : 0, c);
		putchar(',');
		csv_num(c ? c->lo : 0, c);
		putchar(',');
		csv_num(c ? c->hi : 0, c);
		putchar(',');
		csv_num(s->drift.per_point, drift);
		putchar(',');
		csv_num(s->drift.lo, drift);
		putchar(',');
		csv_num(s->drift.hi, drift);
		putchar('\n');
	}
}

static int series_show(struct ipcb_histdb *h, const struct opts *o, char *err, size_t errlen)
{
	struct ipcb_hseries_set set;
	int rc = ipcb_hseries_read(h, &o->q, &set, err, errlen);
	char thr[32], note[512];

	if (rc < 0)
		return rc;
	snprintf(thr, sizeof(thr), "%g%%", o->q.cp.threshold * 100);
	ipcb_hseries_aside_note(&set, note, sizeof(note));
	if (o->format == FMT_CSV) {
		/* What was left out: on standard error beside CSV, which is data. */
		if (*note)
			fprintf(stderr, "# %s\n", note);
		printf("series,machine,point,run,commit,started,rounds,median,lo,hi,change,"
		       "change_lo,change_hi,drift,drift_lo,drift_hi\n");
		for (size_t i = 0; i < set.n; i++)
			series_csv(&set.s[i]);
	} else {
		printf(
		    "\n# %zu series of %s (%s is better), a point per %s; change points: shifted "
		    "Mann-Whitney tests over windows of %zu points, threshold %s, alpha %g; "
		    "drift: Theil-Sen within segments, %g%% interval\n",
		    set.n, ipcb_csv_name(o->q.metric), o->q.lower_better ? "lower" : "higher",
		    o->q.by_commit ? "commit" : "run", o->q.cp.window, thr, o->q.cp.alpha,
		    100 * (1 - o->q.cp.alpha));
		if (*note)
			printf("# %s\n", note);
		if (o->brief && set.n)
			printf("%-52s  %-12s  %4s  %9s  %s\n", "series", "machine", "pts", "last",
			       "changes; drift");
		for (size_t i = 0; i < set.n; i++)
			series_print(&set.s[i], o);
	}
	if (o->plot) {
		if (mkdir(o->plot, 0777) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "--plot %s: %s", o->plot, strerror(errno));
			rc = -errno;
		} else {
			char why[512];

			rc = ipcb_hseries_plot(&set, &o->q, o->plot, "", why, sizeof(why));
			if (rc < 0)
				snprintf(err, errlen, "--plot %s: %s", o->plot, why);
			else if (o->format == FMT_TABLE)
				printf("# %zu figure%s drawn into %s\n", set.n,
				       set.n == 1 ? "" : "s", o->plot);
		}
	}
	ipcb_hseries_free(&set);
	return rc < 0 ? IPCB_HISTORY_FAILED : 0;
}

static int check_show(struct ipcb_histdb *h, char *err, size_t errlen)
{
	long long runs = 0, rows = 0;
	ipcb_stmt *st;
	int rc = ipcb_histdb_prepare(
	    h, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM rows)", &st, err, errlen);

	if (rc < 0)
		return rc;
	if (ipcb_sql.step(st) == SQLITE_ROW) {
		runs = ipcb_sql.column_int64(st, 0);
		rows = ipcb_sql.column_int64(st, 1);
	}
	ipcb_sql.finalize(st);
	printf("%s: %s; history schema version %d, journal %s%s; %lld runs, %lld rows\n", h->path,
	       h->pg ? "its tables are ipcbench's (the server keeps them whole)"
		     : "whole (SQLite's integrity check: ok)",
	       IPCB_HISTDB_VERSION, h->journal[0] ? h->journal : "?",
	       h->immutable ? " (read as an immutable file: no -shm could be made beside it)" : "",
	       runs, rows);
	return 0;
}

/* Whether FILE is another history: an SQLite database (its header's first 16 bytes), or a server's.
 */
static bool is_history(const char *path)
{
	char head[16];
	FILE *f = ipcb_sql_is_pg(path) ? NULL : fopen(path, "rb");
	bool yes = ipcb_sql_is_pg(path) || (f && fread(head, 1, sizeof(head), f) == sizeof(head) &&
					    !memcmp(head, "SQLite format 3", sizeof(head)));

	if (f)
		fclose(f);
	return yes;
}

int ipcb_history_main(int argc, char **argv)
{
	/* The metric's default is the metric table's first; the others are their rows'. */
	struct opts o = {.q = {.metric = IPCB_COL_BYTES_PER_S}};
	/* The database and the message on the heap: 6 KiB, too much for a small stack. */
	struct ipcb_histdb *h = NULL;
	const size_t errlen = 2048;
	char *err = NULL;
	int rc;

	rc = parse_args(&o, argc, argv);
	if (rc)
		return rc < 0 ? IPCB_HISTORY_OK : rc;
	err = malloc(errlen);
	if (!err || (!o.import && !(h = malloc(sizeof(*h))))) {
		fprintf(stderr, "%s: %s: out of memory\n", prog, o.db);
		free(err);
		return IPCB_HISTORY_FAILED;
	}
	if (o.import) {
		/* Another history (a runner's own file): the runs this one lacks; else one run. */
		bool other = is_history(o.import);
		size_t rows = 0, present = 0;
		long long id = 0;

		if (other && (o.commit || o.source)) {
			fprintf(stderr, "%s: %s: another history's runs keep their own %s\n", prog,
				o.import, o.commit ? "--commit" : "--source");
			free(err);
			return IPCB_HISTORY_USAGE;
		}
		rc = other ? ipcb_history_merge(o.db, o.import, &rows, &present, err, errlen)
			   : ipcb_history_import(o.db, o.import, o.commit, o.source, &id, &rows,
						 err, errlen);
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			free(err);
			return rc == -EIO || rc == -ENOSPC || rc == -EBUSY ? IPCB_HISTORY_FAILED
									   : IPCB_HISTORY_USAGE;
		}
		free(err);
		if (other)
			printf("%s: %s: %zu run%s copied, %zu already here\n", o.db, o.import, rows,
			       rows == 1 ? "" : "s", present);
		else
			printf("%s: %s stored as run %lld (%zu rows)\n", o.db, o.import, id, rows);
		return IPCB_HISTORY_OK;
	}
	rc = ipcb_histdb_open(h, o.db, false, "", err, errlen);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(h);
		free(err);
		return IPCB_HISTORY_USAGE;
	}
	if (o.check)
		rc = check_show(h, err, errlen);
	else {
		if (o.format == FMT_TABLE)
			printf("# %s: history schema version %d, journal %s\n", h->path,
			       IPCB_HISTDB_VERSION, h->journal[0] ? h->journal : "?");
		rc = runs_print(h, &o, err, errlen);
		if (rc == 0)
			rc = series_show(h, &o, err, errlen);
	}
	ipcb_histdb_close(h);
	free(h);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(err);
		return IPCB_HISTORY_FAILED;
	}
	free(err);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: writing the history: %s\n", prog, strerror(errno));
		return IPCB_HISTORY_FAILED;
	}
	return IPCB_HISTORY_OK;
}

const struct ipcb_command ipcb_command_history = {
    .name = "history",
    .synopsis = "DB [OPTIONS]        a results history (see history --help)",
    .fn = ipcb_history_main,
    .flags = IPCB_CMD_IO_CHECKED | IPCB_CMD_SAYS_OUTPUT,
};
