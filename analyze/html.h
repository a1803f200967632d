/* SPDX-License-Identifier: MIT */
/*
 * html.h - `ipcbench report CSV --html FILE`: the report as one self-contained HTML page.
 *
 * The sections write their blocks as HTML (doc.h) into the page's body; this file wraps them:
 * the head with the page's style, a list of the sections, the machine the CSV was measured on
 * (from the model's rows), and the history's trend figures with --db. Every figure is inline,
 * each SVG as a data: URI in an <img>, so the page refers to nothing outside itself (a
 * Content-Security-Policy says so to the browser too) and reads offline in any browser.
 *
 * The figures are drawn by the plot program (scripts/plot, installed as ipcbench-plot) from the
 * figure data the report writes (figdata.h) into a private directory removed afterwards; the
 * program is $IPCBENCH_PLOT when set, else ipcbench-plot beside the running ipcbench (an
 * installed one), else the checkout's scripts/plot this ipcbench was built from, else
 * ipcbench-plot on PATH.
 */
#ifndef IPCB_HTML_H
#define IPCB_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "doc.h"
#include "model.h"

/*
 * Write the page: body[0..len) is what the sections wrote through d (its headings list the
 * sections). 0, or -errno.
 */
int html_page(FILE *f, const struct model *m, const struct ipcb_doc *d, const char *body,
	      size_t len, char *err, size_t errlen);
/* The page's section on the machine: the first row's machine columns, with what each is. */
void html_machine(struct ipcb_doc *d, const struct model *m);
/*
 * A section of every SVG figure in dir, inline, in the report's order: -ENOENT with err when
 * there is none (unless may_be_empty: the history's trends of a machine it has no series of).
 */
int html_figures(struct ipcb_doc *d, const char *title, const char *dir, bool may_be_empty,
		 char *err, size_t errlen);

/*
 * A figure's caption from its file name without ".svg" (what its stem shows, then what the rest
 * of the name says it is of); returns its rank in the report's order, past the known ones when
 * the stem is unknown. The Markdown's links and the page's images share it.
 */
size_t figure_caption(const char *name, char *caption, size_t n);

/*
 * Draw the figures from the figure data in data_dir with the plot program into data_dir itself.
 * 0; -EINTR when a stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) came, *signal saying which (the
 * program is stopped); else -errno with err saying what failed. The caller keeps those signals
 * blocked while it runs.
 */
int html_draw(const char *data_dir, int *signal, char *err, size_t errlen);
/* Remove a directory the report made, with what is in it. */
void html_undraw(const char *dir);

#endif /* IPCB_HTML_H */
