/* SPDX-License-Identifier: MIT */
/* html.c - the report as one self-contained HTML page; see html.h. */
#include "html.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "csvschema.h"

static const char page_style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "margin:0;color:#1b1f24;background:#fff}"
    "main{max-width:1280px;margin:0 auto;padding:1em 2em 4em}"
    "h1{font-size:1.7em;border-bottom:2px solid #d0d7de;padding-bottom:.3em}"
    "h2{font-size:1.35em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}"
    "h3{font-size:1.1em;margin-top:1.6em}"
    "code{font:.92em ui-monospace,'DejaVu Sans Mono',monospace;background:#f3f4f6;"
    "padding:.05em .3em;border-radius:3px}"
    ".scroll{overflow-x:auto;margin:1em 0}"
    "table{border-collapse:collapse;font-size:.9em}"
    "th,td{border:1px solid #d0d7de;padding:.25em .55em;vertical-align:top}"
    "th{background:#f3f4f6;text-align:left}tbody tr:nth-child(even){background:#fafbfc}"
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
    "td.c,th.c{text-align:center}"
    "li{margin:.2em 0}"
    "p.verdict{font-size:1.05em}"
    "p.verdict strong{padding:.1em .45em;border-radius:4px}"
    ".holds strong,.mostly-holds strong{background:#dafbe1;color:#116329}"
    ".does-not-hold strong,.mostly-not strong{background:#ffebe9;color:#a40e26}"
    ".mixed strong{background:#fff8c5;color:#7d4e00}"
    ".not-decided strong,.not-measured strong{background:#eaeef2;color:#424a53}"
    "figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de}"
    "figcaption{color:#57606a;font-size:.9em;margin-top:.3em}"
    /* One compact line or two: the answers stay on the first screen. */
    "nav ul{display:flex;flex-wrap:wrap;gap:.15em 1.1em;list-style:none;padding:0;"
    "margin:.4em 0;font-size:.88em}nav li{margin:0}"
    "footer{color:#57606a;font-size:.85em;margin-top:3em}";

void html_machine(struct ipcb_doc *d, const struct model *m)
{
	ipcb_doc_h(d, 2, "The machine");
	ipcb_doc_p(d, "Where the CSV's first row was measured (every row carries these columns).");
	ipcb_doc_table(d, "lll", "column", "value", "what it is");
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const char *v = ipcb_rows_get(&m->rows, 0, (enum ipcb_csv_column)c);

		if (!ipcb_csv_is_machine((enum ipcb_csv_column)c) && c != IPCB_COL_TIMESTAMP)
			continue;
		ipcb_doc_row(d, ipcb_csv_name((enum ipcb_csv_column)c), *v ? v : "-",
			     ipcb_csv_cols[c].what);
	}
	ipcb_doc_table_end(d);
}

/* The figures the plot program and the history draw, in the order the page shows them, with
 * what they show; a figure's name past its stem ("latency-same-core") names what it is of. */
static const struct {
	const char *stem, *caption;
} known[] = {
    {"latency", "Round trip p50 against payload size, a panel per reader class, each point in "
		"its own row's class"},
    {"throughput", "Throughput against payload size, a panel per reader class, with the copy "
		   "ceiling"},
    {"percentiles", "Round-trip latency by percentile, min to max"},
    {"cpu-latency", "CPU time per round trip against the round trip p50, a panel per reader "
		    "class"},
    {"bars", "Time to move 1 MiB and the round trip p50, per transport, each bar in its own "
	     "reader class"},
    {"load", "Latency against offered load: p50, p99 and p99.9 of the steps the generator kept"},
    {"matrix", "Placement matrix: round trip p50 on every pair of CPUs"},
    {"hosts", "Round trip p50 and p99 between every ordered pair of hosts"},
    /* report --db: the history's series, the longer stem before the one it begins with */
    {"trend-p50", "Round trip p50 over the runs of the history"},
    {"trend", "Throughput over the runs of the history"},
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

size_t figure_caption(const char *name, char *caption, size_t n)
{
	size_t len = strlen(name);

	for (size_t k = 0; k < NKNOWN; k++) {
		size_t sl = strlen(known[k].stem);

		if (strncmp(name, known[k].stem, sl) || (len != sl && name[sl] != '-'))
			continue;
		if (len == sl)
			snprintf(caption, n, "%s", known[k].caption);
		else
			snprintf(caption, n, "%s, %s", known[k].caption, name + sl + 1);
		return k;
	}
	snprintf(caption, n, "%s", name);
	return NKNOWN;
}

int html_figures(struct ipcb_doc *d, const char *title, const char *dir, bool may_be_empty,
		 char *err, size_t errlen)
{
	char **names = NULL, **p, caption[256];
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (!dp) {
		snprintf(err, errlen, "figures %s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);

		if (len <= 4 || strcmp(e->d_name + len - 4, ".svg") || e->d_name[0] == '.')
			continue;
		if (!(p = model_grow(names, &cap, n, sizeof(*p))))
			break;
		names = p;
		if ((names[n] = strndup(e->d_name, len - 4)))
			n++;
	}
	closedir(dp);
	if (!n && !may_be_empty) {
		free(names);
		snprintf(err, errlen, "figures %s: no SVG files there", dir);
		return -ENOENT;
	}
	qsort(names, n, sizeof(*names), model_cmp_str);
	ipcb_doc_h(d, 2, "%s", title);
	if (!n)
		ipcb_doc_p(d, "The history holds no series of this machine.");
	/* The known kinds in their order, each by name; unknown ones last. */
	for (size_t k = 0; k <= NKNOWN; k++)
		for (size_t i = 0; i < n; i++)
			if (figure_caption(names[i], caption, sizeof(caption)) == k)
				ipcb_doc_figure(d, caption, dir, names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

int html_page(FILE *f, const struct model *m, const struct ipcb_doc *body, const char *text,
	      size_t len, char *err, size_t errlen)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* Nothing but the page itself: its style and its data: images. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'\">\n<title>",
	      f);
	fprintf(f,
		"IPC on %s: the guides&#39; tables, measured</title>\n<style>%s</style>\n</head>\n"
		"<body>\n<main>\n<nav><ul>\n",
		*m->host ? m->host : "?", page_style);
	/* The report's sections, then the appendix as one link (its own title after the first). */
	for (size_t i = 0; i < body->nheads; i++) {
		if (body->heads[i].level == 1 && i > 0) {
			fprintf(f, "<li><a href=\"#%s\">Appendix</a></li>\n", body->heads[i].id);
			break;
		}
		if (body->heads[i].level == 2)
			fprintf(f, "<li><a href=\"#%s\">%s</a></li>\n", body->heads[i].id,
				body->heads[i].title);
	}
	fputs("</ul></nav>\n", f);
	fwrite(text, 1, len, f);
	fputs("<footer>Written by <code>ipcbench report --html</code>: every number and figure "
	      "on this page comes from the CSV named at the top.</footer>\n</main>\n</body>\n"
	      "</html>\n",
	      f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(EIO));
		return -EIO;
	}
	return 0;
}

/* ---- drawing the figures ---- */

void html_undraw(const char *dir)
{
	DIR *d;
	struct dirent *e;

	if (!dir || !dir[0])
		return;
	d = opendir(dir);
	if (d) {
		/* Each file relative to the directory: no path to build. */
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
	rmdir(dir);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int html_draw(const char *dir, int *stopped_by, char *err, size_t errlen)
{
	/* Static: PATH_MAX is a large part of a small stack; the report draws once, one thread. */
	static char prog[PATH_MAX];
	char *argv[] = {NULL, "--data", NULL, "--", NULL, NULL};
	sigset_t wait_set, none;
	/*
	 * In a group of its own, so that stopping it stops gnuplot and awk with it; its "wrote
	 * FILE" lines are for a person drawing by hand, its errors go to stderr.
	 */
	struct ipcb_spawn sp = {.argv = argv,
				.out = IPCB_SPAWN_NULL,
				.own_group = 1,
				.mask = &none,
				.default_signals = 1,
				.what = "ipcbench report: figures"};
	int status = 0, sig;
	pid_t pid;

	*stopped_by = 0;
	ipcb_plot_program(prog, sizeof(prog));
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	sigaddset(&wait_set, SIGHUP);
	sigaddset(&wait_set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &wait_set, NULL);
	/* Looked for first, so that its absence is said in words of its own. */
	if (!prog[0] && ipcb_path_find("ipcbench-plot", NULL, NULL) < 0) {
		snprintf(
		    err, errlen,
		    "figures: no plot program: ipcbench-plot is not installed beside ipcbench "
		    "nor on PATH, and %s is not there (set IPCBENCH_PLOT, or give --figures DIR)",
		    ipcb_plot_source()[0] ? ipcb_plot_source() : "the checkout's scripts/plot");
		return -ENOENT;
	}
	sp.path = argv[0] = prog[0] ? prog : "ipcbench-plot";
	sp.path_search = !prog[0];
	argv[2] = argv[4] = (char *)dir;
	sigemptyset(&none);
	pid = ipcb_spawn_start(&sp);
	if (pid < 0) {
		snprintf(err, errlen, "figures: fork: %s", strerror((int)-pid));
		return (int)pid;
	}
	setpgid(pid, pid);
	for (;;) {
		struct timespec tick = {0, 100 * 1000 * 1000};
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		sig = sigtimedwait(&wait_set, NULL, &tick);
		if (sig > 0 && is_stop_signal(sig)) {
			*stopped_by = sig;
			kill(-pid, SIGTERM);
			for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
				nanosleep(&tick, NULL);
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen, "figures: stopped by %s", strsignal(sig));
			return -EINTR;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			snprintf(
			    err, errlen,
			    "figures: %s exited with status %d (its message is above); the page "
			    "is not written",
			    prog[0] ? prog : "ipcbench-plot", WEXITSTATUS(status));
		else
			snprintf(err, errlen,
				 "figures: %s was killed by %s; the page is not written",
				 prog[0] ? prog : "ipcbench-plot", strsignal(WTERMSIG(status)));
		return -ECHILD;
	}
	return 0;
}
