/* SPDX-License-Identifier: MIT */
/*
 * sections.h - the report's sections: each reads the model (and the claims, judged once) and
 * writes its blocks into the document. report.c calls them from the table meson generates from
 * its list (sections_list.h), in order.
 */
#ifndef IPCB_SECTIONS_H
#define IPCB_SECTIONS_H

#include <stddef.h>

#include "book.h"
#include "claims.h"
#include "doc.h"
#include "model.h"
#include "slo.h"

struct report {
	const struct model *m;
	struct ipcb_doc *d;
	const char *csv;     /* the CSV, as the command line named it */
	const char *figures; /* where the figures are, as seen from the report; NULL: none */
	/*
	 * Where the appendix is, as the report names it: the appendix file's name as seen from
	 * the report (-o FILE), or NULL where it follows in the same document (standard output,
	 * the page).
	 */
	const char *appendix;
	struct ipcb_slo slo;
	/* Every claim of claim_list, judged once at the defaults, and each mechanism at its best.
	 */
	struct verdict *verdicts, *best;
	size_t nclaims;
	/* Every test of a pair the report prints, each decided once (book.h): the model's book. */
	struct book book;
	size_t small, k64, mib; /* the sizes the tables use: nearest 64 B, 64 KiB, 1 MiB */
	/* The sizes the answers and T1 name: 64 B and 1 MiB where measured, else 0. */
	size_t small_exact, mib_exact;
	/* The HTML page: the SVG figures to inline and the history's trends (NULL: none). */
	const char *svg_dir, *trends;
	char error[512]; /* a section that could not be written says why ("": none) */
};

/* A table written row by row: its alignment (n columns, the first `left` of them 'l', the
 * others 'r'), its row of n cells and a text of width bytes for each. */
struct grid {
	const char **row; /* one block with the texts and the alignment: free(row) */
	char *text, *align;
	size_t width;
};
/* 0, or -ENOMEM. */
int grid_init(struct grid *t, size_t n, size_t left, size_t width);
/* The text of the row's cell i, which the row's cell now points to. */
char *grid_text(struct grid *t, size_t i);

/*
 * A group's median, or its modes, with its interval where loose, then in parentheses the words
 * first (NULL or "": none) and the other state's value.
 */
void series_text(const char *first, const struct group *g, enum measure ms, char *out, size_t n);
/* What two CPUs share in one or two characters, for a matrix's cells: "=", "T", "L3", "N". */
const char *topo_short(const char *cls, char *out, size_t n);
/* A load's shape in words: "2 pairs", "64 requests in flight", "1 sender to 3 receivers". */
void shape_words(const struct group *g, char *out, size_t n);

/* Groups best first by the measure's median (lower or higher better, as the measure is). */
void groups_sort(const struct group **list, size_t n, enum measure ms);

/*
 * The report's sections (analyze/meson.build's list, in order): the answers first, then the
 * guides' tables, the mechanisms and the figures; the appendix after them.
 */
#define IPCB_SECTION(name, fn, pairs, appendix) void fn(struct report *r);
#include "sections_list.h"
#undef IPCB_SECTION

/* answers.c: the questions at each placement */
void answers_questions(struct report *r);
/* The answers' tests, noted in the report's book (book.h) before anything is decided. */
void answers_collect(struct report *r);
/*
 * The report's book filled and decided: every claim's comparisons (at the defaults, and at the
 * best settings where the CSV has them) and the answers' tests noted, each cell's family
 * decided, and with stability every test's p-values under the claims' resamples. The model's
 * book from then on. 0 or -ENOMEM.
 */
int report_book_fill(struct report *r, bool stability);

/* ceilings.c: the rows below half their ceiling, each with what its run says about why */
void answers_ceilings(struct report *r);

#endif /* IPCB_SECTIONS_H */
