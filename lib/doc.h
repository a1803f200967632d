/* SPDX-License-Identifier: MIT */
/*
 * doc.h - a document written once and rendered as it is written, as Markdown or as the body of
 * an HTML page: headings, paragraphs, lists, tables and figures. Whoever writes through it never
 * writes a format of its own, so the page and the Markdown say the same thing, and nothing is
 * parsed back.
 *
 * Text is plain, with a few marks that each renderer turns into its own spans: DOC_B(...) strong,
 * DOC_C(...) code, DOC_I(...) emphasis (they are control characters, never in measured text).
 * The text of a paragraph or list item may be built in pieces (doc_add), then ended
 * (doc_para, doc_item).
 */
#ifndef IPCB_DOC_H
#define IPCB_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ipcb_doc_format {
	IPCB_DOC_MARKDOWN,
	IPCB_DOC_HTML,
};

/* The marks: "\x01" ... "\x02" strong, "\x03" ... "\x04" code, "\x05" ... "\x06" emphasis. */
#define DOC_B(s) "\x01" s "\x02"
#define DOC_C(s) "\x03" s "\x04"
#define DOC_I(s) "\x05" s "\x06"

struct ipcb_doc {
	FILE *out;
	enum ipcb_doc_format fmt;
	char *buf; /* the block being built */
	size_t len, cap;
	bool in_list;
	size_t ncols;	   /* the table being written; 0: none */
	char align[64];	   /* its columns: 'l' or 'r' */
	const char *klass; /* the next paragraph's class (HTML), NULL for none */
	int failed;	   /* -ENOMEM: some text was lost */
	/* The headings so far: the page's list of sections (HTML ids are unique). */
	struct ipcb_doc_heading {
		int level;
		char id[96], title[256];
	} * heads;
	size_t nheads, heads_cap;
};

void ipcb_doc_init(struct ipcb_doc *d, FILE *out, enum ipcb_doc_format fmt);
void ipcb_doc_fini(struct ipcb_doc *d);

/* Append to the block being built. */
__attribute__((format(printf, 2, 3))) void ipcb_doc_add(struct ipcb_doc *d, const char *fmt, ...);
/* End the block as a paragraph, or as a list item (items in a row make one list). */
void ipcb_doc_para(struct ipcb_doc *d);
void ipcb_doc_item(struct ipcb_doc *d);
/* doc_add then doc_para / doc_item. */
__attribute__((format(printf, 2, 3))) void ipcb_doc_p(struct ipcb_doc *d, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void ipcb_doc_li(struct ipcb_doc *d, const char *fmt, ...);
/* A heading (level 1..3); HTML gives it an id from its text. */
__attribute__((format(printf, 3, 4))) void ipcb_doc_h(struct ipcb_doc *d, int level,
						      const char *fmt, ...);
/* The next paragraph's class on the page (a verdict's colour): "holds", "mixed", ... */
void ipcb_doc_class(struct ipcb_doc *d, const char *klass);

/*
 * A table: align has one letter per column ('l' or 'r'), the header cells follow as strings;
 * then ipcb_doc_row() with as many cells; ipcb_doc_table_end() closes it.
 */
void ipcb_doc_table(struct ipcb_doc *d, const char *align, ...);
void ipcb_doc_tablev(struct ipcb_doc *d, const char *align, const char *const *head);
void ipcb_doc_row(struct ipcb_doc *d, ...);
void ipcb_doc_rowv(struct ipcb_doc *d, const char *const *cells);
void ipcb_doc_table_end(struct ipcb_doc *d);

/* A figure: its caption, and its file in dir without extension (DIR/NAME.png linked in
 * Markdown, DIR/NAME.svg inline on the page; a file that is not there is left out). */
void ipcb_doc_figure(struct ipcb_doc *d, const char *caption, const char *dir, const char *name);

/* Text with the marks taken out (for titles, ids and CSV cells). */
void ipcb_doc_plain(const char *s, char *out, size_t n);

#endif /* IPCB_DOC_H */
