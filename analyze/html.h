/* SPDX-License-Identifier: MIT */
/*
 * html.h - `ipcbench report CSV --html FILE`: the report as one self-contained HTML page.
 *
 * The page is the Markdown report (whatever sections report.c prints) turned into HTML, with
 * the machine fingerprint from the CSV before the first section, a list of the sections, and
 * every figure scripts/plot draws from the CSV inline: each SVG as a data: URI in an <img>, so
 * the page refers to nothing outside itself (a Content-Security-Policy says so to the browser
 * too) and reads offline in any browser.
 *
 * The figures are drawn by the plot program (scripts/plot, installed as ipcbench-plot) into a
 * private directory that is removed afterwards; the program is $IPCBENCH_PLOT when set, else
 * ipcbench-plot beside the running ipcbench (an installed one), else the checkout's
 * scripts/plot this ipcbench was built from, else ipcbench-plot on PATH.
 *
 * With `report --db DB`, a section of trend figures follows: the results history's series for
 * the CSV's machine, drawn by the history (history/history.h) into a directory of their own.
 */
#ifndef IPCB_HTML_H
#define IPCB_HTML_H

#include <stddef.h>
#include <stdio.h>

struct ipcb_html_page {
	const char *markdown; /* the report, as report.c printed it */
	size_t len;
	const char *csv;     /* the CSV it was made from: its first row's machine fingerprint */
	const char *figures; /* a directory of SVG files, every one inlined; NULL for none */
	const char *trends;  /* report --db: the history's trend figures (SVG); NULL for none */
};

/* Write the page to f. 0, or -errno with err saying what failed. */
int ipcb_html_write(FILE *f, const struct ipcb_html_page *page, char *err, size_t errlen);

/*
 * Draw the figures of csv with the plot program into a new private directory under $TMPDIR (or
 * /tmp), whose path goes into dir. 0; -EINTR when a stop signal (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT) came, *signal saying which (the program is stopped, the directory removed); else
 * -errno with err saying what failed (the directory removed). The caller keeps those signals
 * blocked while it runs.
 */
int ipcb_html_draw(const char *csv, char *dir, size_t n, int *signal, char *err, size_t errlen);
/* Remove a directory ipcb_html_draw() made, with what is in it. */
void ipcb_html_undraw(const char *dir);

#endif /* IPCB_HTML_H */
