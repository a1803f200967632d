/* SPDX-License-Identifier: MIT */
/*
 * report.c - `ipcbench report`: the report's command line, its section table, and where it is
 * written; see report.h.
 *
 * The story: read the CSV once into the model (model.h); judge every claim once, at the defaults
 * and with each mechanism at its best (claims.h); then write the sections in their order
 * through one document (doc.h), as Markdown, or as the body of the HTML page with its figures
 * drawn from the figure data the model writes (figdata.h). Every table, claim, answer and
 * figure reads the same model, so a number printed twice has one value.
 */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claims.h"
#include "cliopt.h"
#include "command.h"
#include "figdata.h"
#include "histsrc.h"
#include "html.h"
#include "outfile.h"
#include "parse.h"
#include "rows.h"
#include "sections.h"
#include "sizes.h"

static const char prog[] = "ipcbench report";

static void appendix_path(const char *out, char *path, size_t n);

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The report's sections, in order (analyze/meson.build's list). The report a person opens
 * answers (the answers, the claims' grades, the guides' tables, the mechanisms, the figures);
 * everything else is in the appendix: its own file beside -o FILE, or after the report in one
 * document.
 */
static const struct {
	const char *name;
	void (*fn)(struct report *r);
	bool pairs;    /* needs rows of one pair in a closed loop */
	bool appendix; /* in the appendix (a CSV without such rows has none: all in one) */
} sections[] = {
#define IPCB_SECTION(name, fn, pairs, appendix) {name, fn, pairs, appendix},
#include "sections_list.h"
#undef IPCB_SECTION
};

/*
 * The sections into r->d, the appendix's into app (r->d itself where it follows in the same
 * document, under a heading of its own).
 */
static int report_write(struct report *r, struct ipcb_doc *app)
{
	bool pairs = r->m->nlabels > 0, in_app = false;
	struct ipcb_doc *main_doc = r->d;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (sections[i].pairs && !pairs)
			continue;
		if (sections[i].appendix && pairs && !in_app) {
			in_app = true;
			r->d = app;
			if (app == main_doc)
				ipcb_doc_h(r->d, 1,
					   "Appendix: how it was decided, and everything in full");
			else
				ipcb_doc_h(r->d, 1, "IPC on %s: the appendix (%s)",
					   *r->m->host ? r->m->host : "?", r->csv);
		}
		sections[i].fn(r);
		if (r->error[0]) {
			r->d = main_doc;
			return -EIO;
		}
		/* clang-format off */
		if (i == 0 && !pairs && r->m->npairs)
			ipcb_doc_p(r->d, "This CSV holds the pairs of hosts of " DOC_C("--hosts")
				   ": their matrix and C14 are under Hosts below. The guides' "
				   "other tables and claims need rows of one sender and one "
				   "receiver on one host.");
		else if (i == 0 && !pairs)
			ipcb_doc_p(r->d,
				   "The guides' tables and claims need rows of one sender and one "
				   "receiver in a closed loop (a run without --pairs, --inflight, "
				   "--topology, --rate or -m bistream): this CSV has none.");
		/* clang-format on */
	}
	r->d = main_doc;
	return main_doc->failed ? main_doc->failed : app->failed;
}

int report_book_fill(struct report *r, bool stability)
{
	struct model *m = (struct model *)r->m;
	int rc = 0;

	book_fini(&r->book);
	r->book.collecting = true;
	m->book = &r->book;
	for (size_t i = 0; claim_list[i] && !rc; i++) {
		struct verdict v;

		rc = claim_judge(m, claim_list[i], false, false, &v);
		verdict_fini(&v);
		if (!rc && m->ntuned) {
			rc = claim_judge(m, claim_list[i], true, false, &v);
			verdict_fini(&v);
		}
	}
	if (!rc)
		answers_collect(r);
	rc = rc ?: book_decide(&r->book, CLAIM_ALPHA);
	if (!rc && stability && m->nrounds >= 2)
		rc = book_resample(&r->book, m);
	return rc;
}

__attribute__((noinline)) static int judge_all(struct report *r)
{
	size_t n = 0;
	int rc = report_book_fill(r, true);

	if (rc)
		return rc;
	while (claim_list[n])
		n++;
	r->verdicts = calloc(n, sizeof(*r->verdicts));
	r->best = calloc(n, sizeof(*r->best));
	if (!r->verdicts || !r->best)
		return -ENOMEM;
	r->nclaims = n;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = claim_judge(r->m, claim_list[i], false, true, &r->verdicts[i]);
		if (!rc && r->m->ntuned)
			rc = claim_judge(r->m, claim_list[i], true, false, &r->best[i]);
	}
	return rc;
}

static void report_free(struct report *r)
{
	((struct model *)r->m)->book = NULL;
	book_fini(&r->book);
	for (size_t i = 0; i < r->nclaims; i++) {
		verdict_fini(&r->verdicts[i]);
		verdict_fini(&r->best[i]);
	}
	free(r->verdicts);
	free(r->best);
}

struct args {
	const char *in, *out, *figures, *html, *db, *data;
	struct ipcb_slo slo;
	bool help;
};

static int slo_parse(void *base, const char *v, char *err, size_t errlen)
{
	struct args *a = base;

	if (ipcb_slo_parse(v, "--slo", &a->slo, err, errlen) < 0)
		return -EINVAL;
	if (ipcb_pct_find(a->slo.pct) < 0) {
		char carried[128] = "";
		size_t len = 0;

		for (int p = 0; p < IPCB_NPCT && len < sizeof(carried); p++)
			len += (size_t)snprintf(carried + len, sizeof(carried) - len, "%s%s",
						p == 0		     ? ""
						: p == IPCB_NPCT - 1 ? " and "
								     : ", ",
						ipcb_pct_label[p]);
		return ipcb_parse_fail(err, errlen, "--slo %s: the CSV carries %s only", v,
				       carried);
	}
	return 0;
}

#define PATH_ROW(long_, letter_, field, noun_, arg_, help_)                                        \
	{                                                                                          \
		.opt = {.name = long_, .letter = letter_}, .type = IPCB_CLI_TEXT,                  \
		.off = offsetof(struct args, field), .noun = noun_, .arg = arg_, .help = help_     \
	}

/* The percentiles the CSV carries, for --slo's help. */
static void slo_help(char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n,
				      "the bound open-loop rows are held to: the highest rate\n"
				      "up to which the percentile stayed under it (P a\n"
				      "percentile the CSV carries:");

	for (int p = 0; p < IPCB_NPCT && len < n; p++)
		len += (size_t)snprintf(out + len, n - len, "%s %s", p ? "," : "",
					ipcb_pct_label[p] + 1);
	if (len < n)
		snprintf(out + len, n - len,
			 ";\ndefault p99 of 20us cross-core, 50us same-core, 100us\nunpinned)");
}

/* The options, as every command's are: rows the one parser reads and --help lists (cliopt.h). */
static const struct ipcb_clirow report_rows[] = {
    PATH_ROW("output", 'o', out, "file name", "FILE",
	     "write the report to FILE and its appendix (how each answer\n"
	     "and verdict was decided, the machine's floors and states,\n"
	     "every comparison and row in full) beside it, to\n"
	     "FILE-appendix.md (FILE.md's stem), instead of both to\n"
	     "standard output, the report first (as -o -)"),
    PATH_ROW("figures", 0, figures, "directory", "DIR",
	     "link the figures ipcbench-plot drew into DIR (a path as\n"
	     "seen from the report); with --html, inline the SVG files\n"
	     "in DIR instead of drawing them"),
    PATH_ROW("html", 0, html, "file name", "FILE",
	     "write the report as one self-contained HTML page: the\n"
	     "tables with their verdicts and every figure inline (drawn\n"
	     "with ipcbench-plot, which needs gnuplot), readable offline\n"
	     "in any browser"),
    PATH_ROW("db", 0, db, "file name", "DB",
	     "with --html: add the trend figures of the results\n"
	     "history DB (ipcbench --db) for the CSV's machine (see\n"
	     "ipcbench history --help)"),
    PATH_ROW("figure-data", 0, data, "directory", "DIR",
	     "write the figures' data (the medians of the tables,\n"
	     "the open loops' kept steps, the matrix) into DIR for\n"
	     "ipcbench-plot, and nothing else"),
    {.opt = {.name = "slo"},
     .type = IPCB_CLI_CALL,
     .parse = slo_parse,
     .arg = "pP=LATENCY",
     .help_fn = slo_help},
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct args, help),
     .help = "the options, briefly"},
    {.opt = {.name = NULL}},
};

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: ipcbench report CSV [-o FILE.md] [--figures DIR] [--slo pP=LATENCY]\n"
		"       ipcbench report CSV --html FILE.html [--db DB] [--slo pP=LATENCY]\n"
		"       ipcbench report CSV --figure-data DIR\n"
		"Answer, from the rows of CSV, what a person choosing a mechanism asks: the best\n"
		"for small messages, bulk transfer, CPU cost, memory reserved and the CPU a\n"
		"waiting reader keeps busy, with what is shown the same as it and what the\n"
		"rounds could not tell apart; then a graded verdict for each of the guides'\n"
		"claims (C1-C14), their comparison tables (T1-T5) measured, each mechanism in a\n"
		"few words and the figures, as Markdown. An appendix holds how each was\n"
		"decided, the machine's floors and states, every comparison, and the rows of\n"
		"shaped loads (requests in flight, pairs, topologies, open-loop rates, streams\n"
		"both ways). The CSV is read once (`-`: standard input); every table, claim and\n"
		"figure comes from the same medians.\n");
	ipcb_cli_help(f, report_rows, 6, 22);
	fprintf(f, "Exit status: 0 written, 1 no usable rows, a write error or (--html) figures\n"
		   "that could not be drawn, 2 usage (an output that cannot be written is one)\n"
		   "or a malformed CSV, 128+N stopped by signal N while drawing.\n");
}

static int input_arg(void *ctx, const char *arg, char *err, size_t errlen)
{
	struct args *a = ctx;

	if (a->in)
		return ipcb_parse_fail(err, errlen, "unexpected argument '%s'", arg);
	a->in = arg;
	return 0;
}

static int help_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	return row->off == offsetof(struct args, help) && row->type == IPCB_CLI_FLAG;
}

/* 0 to go on, or the exit status. */
__attribute__((noinline)) static int parse(int argc, char **argv, struct args *a)
{
	const struct ipcb_cli_hooks hooks = {.arg = input_arg, .taken = help_taken, .ctx = a};
	char errbuf[IPCB_ERR_BYTES], err[IPCB_ERR_BYTES];
	int rc;

	memset(a, 0, sizeof(*a));
	a->slo.pct = 99;
	rc = ipcb_cli_parse(report_rows, a, argc, argv, &hooks, errbuf, sizeof(errbuf));
	if (rc < 0) {
		fail("%s (see ipcbench report --help)", errbuf);
		return 2;
	}
	if (a->help) {
		report_usage(stdout);
		return -1;
	}
	if (!a->in) {
		report_usage(stderr);
		return 2;
	}
	/* -o -: standard output, where the report and its appendix go without -o. */
	if (ipcb_outfile_is_stdout(a->out))
		a->out = NULL;
	if (a->db && !a->html) {
		fail("--db adds the trend figures to the HTML page: it goes with --html FILE");
		return 2;
	}
	if (a->out && a->html) {
		fail("-o %s and --html %s: one report at a time (run it twice for both)", a->out,
		     a->html);
		return 2;
	}
	/* The history's trends read the CSV again, where standard input has nothing left. */
	if (a->db && ipcb_rows_is_stdin(a->in)) {
		fail("--db %s reads the CSV twice, which standard input (-) cannot give: name a "
		     "file",
		     a->db);
		return 2;
	}
	/* Standard input is no file an output can name. */
	if (!ipcb_rows_is_stdin(a->in) && ((a->out && ipcb_same_file(a->in, a->out)) ||
					   (a->html && ipcb_same_file(a->in, a->html)))) {
		fail("%s %s names the CSV it reads, %s: it would be replaced by the report",
		     a->out ? "-o" : "--html", a->out ? a->out : a->html, a->in);
		return 2;
	}
	if (a->out) {
		char app[PATH_MAX];

		appendix_path(a->out, app, sizeof(app));
		if (!ipcb_rows_is_stdin(a->in) && ipcb_same_file(a->in, app)) {
			fail("-o %s: its appendix, %s, names the CSV it reads: it would be "
			     "replaced by the appendix",
			     a->out, app);
			return 2;
		}
		/* An output that cannot be written is a usage error, as the driver's --csv is. */
		if (ipcb_outfile_check(a->out, "-o", err, sizeof(err)) < 0 ||
		    ipcb_outfile_check(app, "-o", err, sizeof(err)) < 0) {
			fail("%s%s", err, strstr(err, app) ? " (the report's appendix)" : "");
			return 2;
		}
	}
	if (a->html && ipcb_outfile_check(a->html, "--html", err, sizeof(err)) < 0) {
		fail("%s", err);
		return 2;
	}
	if (a->data && figdata_dir_check(a->data) < 0) {
		fail("--figure-data %s: %s", a->data, strerror(errno));
		return 2;
	}
	return 0;
}

/* --db: the history's trend figures, drawn into a new private directory. */
static int trends_draw(const char *db, const char *csv, char *dir, size_t n)
{
	const struct ipcb_history_source *h = ipcb_history_source_get();
	const char *tmp = getenv("TMPDIR");
	char err[IPCB_ERR_BYTES];
	int rc;

	if (!h || !h->trends) {
		fail("--db: this program keeps no results history");
		return -ENOTSUP;
	}
	snprintf(dir, n, "%s/ipcbench-trends-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fail("--db: mkdtemp %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		return -errno;
	}
	rc = h->trends(db, csv, dir, err, sizeof(err));
	if (rc < 0)
		fail("%s", err);
	return rc;
}

/*
 * The HTML page: the figures drawn from the model's figure data into a private directory, the
 * sections written into memory, then the page placed over FILE at once. Stop signals are held
 * while it draws: one that comes stops the drawing, removes what was made, and the exit status
 * is 128 + its number.
 */
__attribute__((noinline)) static int write_html(struct report *r, const struct args *a)
{
	static char dir[PATH_MAX], trends[PATH_MAX];
	static struct ipcb_outfile of;
	const char *tmp = getenv("TMPDIR");
	char err[IPCB_ERR_BYTES], *body = NULL;
	size_t len = 0;
	struct ipcb_doc d;
	sigset_t stop, old;
	struct timespec now = {0, 0};
	int rc, sig = 0, status = 0;
	FILE *f, *mem;

	memset(&of, 0, sizeof(of));
	of.fd = -1;
	dir[0] = trends[0] = '\0';
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	/* --figures DIR: its SVG files as they are; else drawn from the model's figure data. */
	if (!a->figures) {
		snprintf(dir, sizeof(dir), "%s/ipcbench-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			fail("figures: mkdtemp %s: %s", dir, strerror(errno));
			dir[0] = '\0';
			status = 1;
			goto out;
		}
		rc = figdata_write(r->m, dir, err, sizeof(err));
		if (rc == 0)
			rc = html_draw(dir, &sig, err, sizeof(err));
		if (rc < 0) {
			if (rc != -EINTR)
				fail("%s", err);
			status = rc == -EINTR ? 128 + sig : 1;
			goto out;
		}
	}
	if (a->db && trends_draw(a->db, a->in, trends, sizeof(trends)) < 0) {
		status = 1;
		goto out;
	}
	mem = open_memstream(&body, &len);
	if (!mem) {
		fail("%s", strerror(errno));
		status = 1;
		goto out;
	}
	ipcb_doc_init(&d, mem, IPCB_DOC_HTML);
	r->svg_dir = a->figures ? a->figures : dir;
	r->trends = trends[0] ? trends : NULL;
	r->figures = NULL;
	r->d = &d;
	rc = report_write(r, &d);
	fclose(mem);
	if (rc < 0 && r->error[0]) {
		fail("%s", r->error);
		ipcb_doc_fini(&d);
		status = 1;
		goto out;
	}
	rc = rc ? rc : ipcb_outfile_open(&of, a->html, "--html", err, sizeof(err));
	f = rc == 0 ? fdopen(of.fd, "w") : NULL;
	if (!f) {
		fail("%s", rc ? err : strerror(errno));
		ipcb_doc_fini(&d);
		status = 1;
		goto out;
	}
	of.fd = -1; /* the stream owns it now */
	rc = html_page(f, r->m, &d, body, len, err, sizeof(err));
	ipcb_doc_fini(&d);
	if (rc < 0)
		fail("--html %s: %s", a->html, err);
	if (fclose(f) != 0 && rc == 0) {
		fail("--html %s: %s", a->html, strerror(errno));
		rc = -EIO;
	}
	sig = sigtimedwait(&stop, NULL, &now);
	if (rc == 0 && sig <= 0 && (rc = ipcb_outfile_place(&of, true)) < 0)
		fail("--html %s: %s", a->html, strerror(-rc));
	status = sig > 0 ? 128 + sig : rc < 0 ? 1 : 0;
out:
	free(body);
	ipcb_outfile_close(&of); /* removes the temporary file if not placed */
	html_undraw(dir);
	html_undraw(trends);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

/* -o FILE's appendix: FILE.md becomes FILE-appendix.md, any other name gains -appendix.md. */
static void appendix_path(const char *out, char *path, size_t n)
{
	size_t len = strlen(out);

	if (len > 3 && !strcmp(out + len - 3, ".md"))
		snprintf(path, n, "%.*s-appendix.md", (int)(len - 3), out);
	else
		snprintf(path, n, "%s-appendix.md", out);
}

/* One Markdown output: standard output (path NULL), or a file placed over path at the end. */
struct md_out {
	const char *path;
	struct ipcb_outfile of;
	FILE *f;
};

static int md_open(struct md_out *o, const char *path)
{
	char err[IPCB_ERR_BYTES];
	int rc;

	memset(&o->of, 0, sizeof(o->of));
	o->of.fd = -1;
	o->path = path;
	o->f = stdout;
	if (!path)
		return 0;
	rc = ipcb_outfile_open(&o->of, path, "-o", err, sizeof(err));
	o->f = rc == 0 ? fdopen(o->of.fd, "w") : NULL;
	if (!o->f) {
		fail("%s", rc ? err : strerror(errno));
		ipcb_outfile_close(&o->of);
		return -1;
	}
	o->of.fd = -1; /* the stream owns it now */
	return 0;
}

/* Flushed and closed: 0, or 1 having said why. */
static int md_close(struct md_out *o)
{
	int status = 0;

	if (fflush(o->f) != 0 || ferror(o->f)) {
		fail("%s: write failed: %s", o->path ? o->path : "standard output",
		     strerror(errno));
		status = 1;
	}
	if (o->path && fclose(o->f) != 0 && status == 0) {
		fail("%s: %s", o->path, strerror(errno));
		status = 1;
	}
	return status;
}

/* Placed over its path (status 0), or its temporary file removed. */
static int md_place(struct md_out *o, int status)
{
	int rc;

	if (!o->path)
		return status;
	if (status == 0 && (rc = ipcb_outfile_place(&o->of, true)) < 0) {
		fail("%s: %s", o->path, strerror(-rc));
		status = 1;
	}
	ipcb_outfile_close(&o->of);
	return status;
}

/*
 * Markdown: to standard output, the appendix after the report; or -o FILE and its appendix
 * beside it (FILE-appendix.md, linked from the report), both placed at the end.
 */
__attribute__((noinline)) static int write_markdown(struct report *r, const struct args *a)
{
	static struct md_out main_out, app_out;
	static char app_path[PATH_MAX], app_link[PATH_MAX];
	struct ipcb_doc d, app;
	int status = 0;

	if (md_open(&main_out, a->out) < 0)
		return 1;
	if (a->out) {
		const char *slash;

		appendix_path(a->out, app_path, sizeof(app_path));
		slash = strrchr(app_path, '/');
		snprintf(app_link, sizeof(app_link), "%s", slash ? slash + 1 : app_path);
		if (md_open(&app_out, app_path) < 0) {
			md_close(&main_out);
			md_place(&main_out, 1);
			return 1;
		}
		r->appendix = app_link;
	}
	ipcb_doc_init(&d, main_out.f, IPCB_DOC_MARKDOWN);
	if (a->out)
		ipcb_doc_init(&app, app_out.f, IPCB_DOC_MARKDOWN);
	r->d = &d;
	if (report_write(r, a->out ? &app : &d) < 0) {
		fail("out of memory");
		status = 1;
	}
	ipcb_doc_fini(&d);
	status |= md_close(&main_out);
	if (a->out) {
		ipcb_doc_fini(&app);
		status |= md_close(&app_out);
		status = md_place(&app_out, status);
	}
	return md_place(&main_out, status);
}

/*
 * Each transport's summary asked for once here, where the stack is shallow: a transport of a
 * module is described by its module, which the driver's lookup opens (dlopen and its
 * libraries' loading take several KiB of stack), and later asks find it open.
 */
__attribute__((noinline)) static void describe_all(const struct model *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		if (!i || strcmp(m->groups[i].transport, m->groups[i - 1].transport) != 0)
			ipcb_report_describe(m->groups[i].transport);
}

/*
 * The parse, the judging and each writer are not inlined here: each one's frame is gone before
 * the next one's, so the report runs in 24 KiB of stack (tests/hostile/smallstack).
 */
int ipcb_report_main(int argc, char **argv)
{
	/* Static: the model and the report are large, and the report is one thread. */
	static struct model m;
	static struct report r;
	struct args a;
	char err[IPCB_ERR_BYTES];
	int rc, status;

	status = parse(argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	rc = model_load(&m, a.in, err, sizeof(err));
	if (rc < 0) {
		fail("%s", err);
		model_free(&m);
		return rc == -ENOMEM ? 1 : 2;
	}
	describe_all(&m);
	memset(&r, 0, sizeof(r));
	r.m = &m;
	r.csv = ipcb_rows_is_stdin(a.in) ? "standard input" : a.in;
	r.figures = a.figures;
	r.slo = a.slo;
	r.small = model_size_near(&m, 64);
	r.k64 = model_size_near(&m, 65536);
	r.mib = model_size_near(&m, 1048576);
	r.small_exact = r.small == 64 ? 64 : 0;
	r.mib_exact = r.mib == 1048576 ? 1048576 : 0;
	if (a.data) {
		rc = figdata_write(&m, a.data, err, sizeof(err));
		if (rc < 0)
			fail("--figure-data: %s", err);
		model_free(&m);
		return rc < 0 ? 1 : 0;
	}
	if (judge_all(&r) < 0) {
		fail("out of memory");
		status = 1;
	} else {
		status = a.html ? write_html(&r, &a) : write_markdown(&r, &a);
	}
	report_free(&r);
	model_free(&m);
	return status;
}

const struct ipcb_command ipcb_command_report = {
    .name = "report",
    .synopsis = "CSV [-o FILE.md | --html FILE.html]   the IPC guides' tables",
    .fn = ipcb_report_main,
    .flags = IPCB_CMD_IO_CHECKED | IPCB_CMD_SAYS_OUTPUT,
};
