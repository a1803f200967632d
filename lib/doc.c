/* SPDX-License-Identifier: MIT */
/* doc.c - the report's blocks as Markdown or HTML; see doc.h. */
#include "doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ipcb_doc_init(struct ipcb_doc *d, FILE *out, enum ipcb_doc_format fmt)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->fmt = fmt;
}

void ipcb_doc_fini(struct ipcb_doc *d)
{
	free(d->buf);
	free(d->heads);
	d->buf = NULL;
	d->heads = NULL;
}

static void vadd(struct ipcb_doc *d, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(d->buf ? d->buf + d->len : NULL, d->buf ? d->cap - d->len : 0, fmt, ap);
	if (n >= 0 && d->len + (size_t)n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		char *p;

		while (cap < d->len + (size_t)n + 1)
			cap *= 2;
		p = realloc(d->buf, cap);
		if (!p) {
			d->failed = -ENOMEM;
			va_end(again);
			return;
		}
		d->buf = p;
		d->cap = cap;
		vsnprintf(d->buf + d->len, d->cap - d->len, fmt, again);
	}
	va_end(again);
	if (n > 0)
		d->len += (size_t)n;
}

void ipcb_doc_add(struct ipcb_doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, fmt, ap);
	va_end(ap);
}

/* Text with its marks, as the format has it: escaped for HTML. */
static void put_text(struct ipcb_doc *d, const char *s, size_t n)
{
	static const char *const md[] = {"", "**", "**", "`", "`", "*", "*"};
	static const char *const html[] = {"",	      "<strong>", "</strong>", "<code>",
					   "</code>", "<em>",	  "</em>"};

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 1 && c <= 6) {
			fputs(d->fmt == IPCB_DOC_HTML ? html[c] : md[c], d->out);
			continue;
		}
		if (d->fmt == IPCB_DOC_HTML) {
			switch (c) {
			case '&':
				fputs("&amp;", d->out);
				continue;
			case '<':
				fputs("&lt;", d->out);
				continue;
			case '>':
				fputs("&gt;", d->out);
				continue;
			case '"':
				fputs("&quot;", d->out);
				continue;
			}
		} else if (c == '|' && d->ncols) {
			fputs("\\|", d->out); /* a cell's bar is not the table's */
			continue;
		}
		fputc(c, d->out);
	}
}

static void list_close(struct ipcb_doc *d)
{
	if (d->in_list && d->fmt == IPCB_DOC_HTML)
		fputs("</ul>\n", d->out);
	else if (d->in_list)
		fputc('\n', d->out);
	d->in_list = false;
}

void ipcb_doc_para(struct ipcb_doc *d)
{
	list_close(d);
	if (d->fmt == IPCB_DOC_HTML) {
		if (d->klass)
			fprintf(d->out, "<p class=\"verdict %s\">", d->klass);
		else
			fputs("<p>", d->out);
		put_text(d, d->buf ? d->buf : "", d->len);
		fputs("</p>\n", d->out);
	} else {
		put_text(d, d->buf ? d->buf : "", d->len);
		fputs("\n\n", d->out);
	}
	d->klass = NULL;
	d->len = 0;
}

void ipcb_doc_item(struct ipcb_doc *d)
{
	if (!d->in_list && d->fmt == IPCB_DOC_HTML)
		fputs("<ul>\n", d->out);
	d->in_list = true;
	fputs(d->fmt == IPCB_DOC_HTML ? "<li>" : "- ", d->out);
	put_text(d, d->buf ? d->buf : "", d->len);
	fputs(d->fmt == IPCB_DOC_HTML ? "</li>\n" : "\n", d->out);
	d->len = 0;
}

void ipcb_doc_p(struct ipcb_doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, fmt, ap);
	va_end(ap);
	ipcb_doc_para(d);
}

void ipcb_doc_li(struct ipcb_doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, fmt, ap);
	va_end(ap);
	ipcb_doc_item(d);
}

void ipcb_doc_class(struct ipcb_doc *d, const char *klass)
{
	d->klass = klass;
}

void ipcb_doc_plain(const char *s, char *out, size_t n)
{
	size_t w = 0;

	for (; *s && w + 1 < n; s++)
		if ((unsigned char)*s > 6)
			out[w++] = *s;
	out[w] = '\0';
}

/* An id from a heading: lower-case letters and digits, '-' between words, unique on the page. */
static const char *heading_add(struct ipcb_doc *d, int level, const char *text)
{
	char base[80];
	size_t w = 0;
	unsigned again = 1;
	struct ipcb_doc_heading *h;

	for (const char *p = text; *p && w + 2 < sizeof(base); p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			base[w++] = c;
		else if (w && base[w - 1] != '-')
			base[w++] = '-';
	}
	while (w && base[w - 1] == '-')
		w--;
	if (!w)
		base[w++] = 's';
	base[w] = '\0';
	if (d->nheads == d->heads_cap) {
		size_t cap = d->heads_cap ? 2 * d->heads_cap : 32;
		struct ipcb_doc_heading *p = realloc(d->heads, cap * sizeof(*p));

		if (!p) {
			d->failed = -ENOMEM;
			return "s";
		}
		d->heads = p;
		d->heads_cap = cap;
	}
	h = &d->heads[d->nheads];
	h->level = level;
	snprintf(h->title, sizeof(h->title), "%s", text);
	snprintf(h->id, sizeof(h->id), "%s", base);
	for (size_t i = 0; i < d->nheads; i++)
		if (strcmp(d->heads[i].id, h->id) == 0) {
			snprintf(h->id, sizeof(h->id), "%s-%u", base, ++again);
			i = (size_t)-1;
		}
	d->nheads++;
	return h->id;
}

void ipcb_doc_h(struct ipcb_doc *d, int level, const char *fmt, ...)
{
	char plain[256];
	va_list ap;

	d->len = 0;
	va_start(ap, fmt);
	vadd(d, fmt, ap);
	va_end(ap);
	list_close(d);
	ipcb_doc_plain(d->buf ? d->buf : "", plain, sizeof(plain));
	if (d->fmt == IPCB_DOC_HTML) {
		fprintf(d->out, "<h%d id=\"%s\">", level, heading_add(d, level, plain));
		put_text(d, d->buf ? d->buf : "", d->len);
		fprintf(d->out, "</h%d>\n", level);
	} else {
		fprintf(d->out, "%.*s ", level, "###");
		put_text(d, d->buf ? d->buf : "", d->len);
		fputs("\n\n", d->out);
	}
	d->len = 0;
}

static void cells(struct ipcb_doc *d, const char *const *cell, bool head)
{
	if (d->fmt == IPCB_DOC_HTML) {
		fputs("<tr>", d->out);
		for (size_t i = 0; i < d->ncols; i++) {
			fprintf(d->out, "<%s%s>", head ? "th" : "td",
				d->align[i] == 'r' ? " class=\"r\"" : "");
			put_text(d, cell[i] ? cell[i] : "", cell[i] ? strlen(cell[i]) : 0);
			fprintf(d->out, "</%s>", head ? "th" : "td");
		}
		fputs("</tr>\n", d->out);
		return;
	}
	fputc('|', d->out);
	for (size_t i = 0; i < d->ncols; i++) {
		fputc(' ', d->out);
		put_text(d, cell[i] && *cell[i] ? cell[i] : "-",
			 cell[i] && *cell[i] ? strlen(cell[i]) : 1);
		fputs(" |", d->out);
	}
	fputc('\n', d->out);
}

void ipcb_doc_tablev(struct ipcb_doc *d, const char *align, const char *const *head)
{
	list_close(d);
	d->ncols = strlen(align) < sizeof(d->align) ? strlen(align) : sizeof(d->align) - 1;
	memcpy(d->align, align, d->ncols);
	if (d->fmt == IPCB_DOC_HTML)
		fputs("<div class=\"scroll\"><table>\n<thead>", d->out);
	cells(d, head, true);
	if (d->fmt == IPCB_DOC_HTML) {
		fputs("</thead>\n<tbody>\n", d->out);
		return;
	}
	fputc('|', d->out);
	for (size_t i = 0; i < d->ncols; i++)
		fputs(d->align[i] == 'r' ? "---:|" : "---|", d->out);
	fputc('\n', d->out);
}

void ipcb_doc_table(struct ipcb_doc *d, const char *align, ...)
{
	const char *head[64];
	size_t n = strlen(align) < 64 ? strlen(align) : 63;
	va_list ap;

	va_start(ap, align);
	for (size_t i = 0; i < n; i++)
		head[i] = va_arg(ap, const char *);
	va_end(ap);
	ipcb_doc_tablev(d, align, head);
}

void ipcb_doc_rowv(struct ipcb_doc *d, const char *const *cell)
{
	cells(d, cell, false);
}

void ipcb_doc_row(struct ipcb_doc *d, ...)
{
	const char *cell[64];
	va_list ap;

	va_start(ap, d);
	for (size_t i = 0; i < d->ncols; i++)
		cell[i] = va_arg(ap, const char *);
	va_end(ap);
	cells(d, cell, false);
}

void ipcb_doc_table_end(struct ipcb_doc *d)
{
	fputs(d->fmt == IPCB_DOC_HTML ? "</tbody>\n</table></div>\n" : "\n", d->out);
	d->ncols = 0;
}

static void base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tab[v & 63] : '=', f);
	}
}

void ipcb_doc_figure(struct ipcb_doc *d, const char *caption, const char *dir, const char *name)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;
	char *path = NULL;
	FILE *in;

	list_close(d);
	if (d->fmt == IPCB_DOC_MARKDOWN) {
		fprintf(d->out, "![%s](%s/%s.png)\n\n", caption, dir, name);
		return;
	}
	/* The page refers to nothing outside itself: the SVG inline, as a data: URI. */
	if (asprintf(&path, "%s/%s.svg", dir, name) < 0)
		return;
	in = fopen(path, "r");
	free(path);
	if (!in)
		return; /* a figure that could not be drawn: its caption is not worth a hole */
	do {
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + len, 1, cap - len, in);
		len += got;
	} while (got > 0);
	fclose(in);
	fputs("<figure><img alt=\"", d->out);
	put_text(d, caption, strlen(caption));
	fputs("\" src=\"data:image/svg+xml;base64,", d->out);
	base64(d->out, buf, len);
	fputs("\"><figcaption>", d->out);
	put_text(d, caption, strlen(caption));
	fputs("</figcaption></figure>\n", d->out);
	free(buf);
}
