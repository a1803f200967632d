/* SPDX-License-Identifier: MIT */
/*
 * html.c - the report as one self-contained HTML page; see html.h.
 *
 * The Markdown is the subset report.c writes, read line by line: headings (#, ##, ###), tables
 * (a header row, a |---| row with the alignments, then rows), lists ("- "), paragraphs, and
 * inside them `code`, **strong**, *emphasis* and backslash escapes. A link or an image keeps
 * only its text: the page refers to nothing outside itself.
 */
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

#include "csvread.h"
#include "csvschema.h"

#ifndef IPCB_SOURCE_PLOT
#define IPCB_SOURCE_PLOT ""
#endif

/* ---- text ---- */

static void esc(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

static void esc_str(FILE *f, const char *s)
{
	esc(f, s, strlen(s));
}

/* Where the closing `mark` (of length mlen) of a span opened at s[from] is, or -1. */
static long span_end(const char *s, size_t n, size_t from, const char *mark, size_t mlen)
{
	for (size_t i = from; i + mlen <= n; i++) {
		if (s[i] == '\\' && *mark != '`') {
			i++;
			continue;
		}
		if (memcmp(s + i, mark, mlen) == 0)
			return (long)i;
	}
	return -1;
}

/* Inline Markdown: code, strong, emphasis, escapes; links and images as their text. */
static void md_inline(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long e;

		if (s[i] == '\\' && i + 1 < n && strchr("\\`*_|[]()!#-", s[i + 1])) {
			esc(f, s + i + 1, 1);
			i++;
		} else if (s[i] == '`' && (e = span_end(s, n, i + 1, "`", 1)) > 0) {
			fputs("<code>", f);
			esc(f, s + i + 1, (size_t)e - i - 1);
			fputs("</code>", f);
			i = (size_t)e;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] == '*' &&
			   (e = span_end(s, n, i + 2, "**", 2)) > (long)i + 2) {
			fputs("<strong>", f);
			md_inline(f, s + i + 2, (size_t)e - i - 2);
			fputs("</strong>", f);
			i = (size_t)e + 1;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '*' &&
			   (e = span_end(s, n, i + 1, "*", 1)) > (long)i + 1 && s[e - 1] != ' ') {
			fputs("<em>", f);
			md_inline(f, s + i + 1, (size_t)e - i - 1);
			fputs("</em>", f);
			i = (size_t)e;
		} else if ((s[i] == '[' || (s[i] == '!' && i + 1 < n && s[i + 1] == '[')) &&
			   (e = span_end(s, n, i, "](", 2)) > 0 &&
			   span_end(s, n, (size_t)e, ")", 1) > 0) {
			size_t open = s[i] == '!' ? i + 2 : i + 1;

			/* The text alone: nothing on the page may point outside it. */
			md_inline(f, s + open, (size_t)e - open);
			i = (size_t)span_end(s, n, (size_t)e, ")", 1);
		} else {
			esc(f, s + i, 1);
		}
	}
}

/* Plain text of inline Markdown (for <title> and ids): marks dropped. */
static void md_plain(char *out, size_t n, const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len && w + 1 < n; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '*' || s[i] == '`')
			continue;
		out[w++] = s[i];
	}
	out[w] = '\0';
}

/* An id from a heading's text: letters and digits, lower case, '-' between words. */
static void slug(char *out, size_t n, const char *text)
{
	size_t w = 0;
	bool dash = false;

	for (const char *p = text; *p && w + 2 < n; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[w++] = c;
			dash = false;
		} else if (c >= 'A' && c <= 'Z') {
			out[w++] = (char)(c - 'A' + 'a');
			dash = false;
		} else if (w && !dash) {
			out[w++] = '-';
			dash = true;
		}
	}
	while (w && out[w - 1] == '-')
		w--;
	if (!w)
		out[w++] = 's';
	out[w] = '\0';
}

/* ---- the page's pieces ---- */

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
    ".holds strong{background:#dafbe1;color:#116329}"
    ".does-not-hold strong{background:#ffebe9;color:#a40e26}"
    ".depends strong{background:#fff8c5;color:#7d4e00}"
    ".not-decided strong,.not-measured strong{background:#eaeef2;color:#424a53}"
    "figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de}"
    "figcaption{color:#57606a;font-size:.9em;margin-top:.3em}"
    "nav ul{columns:2;padding-left:1.2em}"
    "footer{color:#57606a;font-size:.85em;margin-top:3em}";

/* The alignment of each column from a |---|:---:|---:| line; false when it is not one. */
static bool table_rule(const char *s, size_t n, char align[], size_t max, size_t *cols)
{
	size_t k = 0, i = 0;

	if (n < 3 || s[0] != '|')
		return false;
	for (i = 1; i < n;) {
		bool left = false, right = false, dash = false;

		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == ':')
			left = true, i++;
		while (i < n && s[i] == '-')
			dash = true, i++;
		if (i < n && s[i] == ':')
			right = true, i++;
		while (i < n && s[i] == ' ')
			i++;
		if (!dash || i >= n || s[i] != '|')
			return false;
		if (k < max)
			align[k] = left && right ? 'c' : right ? 'r' : 'l';
		k++;
		i++;
	}
	*cols = k;
	return k > 0;
}

/* One table row's cells, split at the '|' not escaped, each trimmed. */
static size_t table_cells(const char *s, size_t n, const char *cell[], size_t len[], size_t max)
{
	size_t k = 0, start;

	if (n && s[0] == '|')
		s++, n--;
	if (n && s[n - 1] == '|' && !(n >= 2 && s[n - 2] == '\\'))
		n--;
	start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < n && s[i] != '|')
			continue;
		if (k < max) {
			size_t a = start, b = i;

			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			cell[k] = s + a;
			len[k] = b - a;
			k++;
		}
		start = i + 1;
	}
	return k;
}

#define MAX_CELLS 64

static void table_row(FILE *f, const char *line, size_t n, const char *align, size_t ncols,
		      bool head)
{
	const char *cell[MAX_CELLS];
	size_t len[MAX_CELLS], k = table_cells(line, n, cell, len, MAX_CELLS);

	fputs("<tr>", f);
	for (size_t i = 0; i < k; i++) {
		char a = i < ncols ? align[i] : 'l';

		fprintf(f, "<%s%s>", head ? "th" : "td",
			a == 'r'   ? " class=\"r\""
			: a == 'c' ? " class=\"c\""
				   : "");
		md_inline(f, cell[i], len[i]);
		fprintf(f, "</%s>", head ? "th" : "td");
	}
	fputs("</tr>\n", f);
}

/* The CSV's first row's machine columns, and when it was measured. */
static int print_machine(FILE *f, const char *csv, char *err, size_t errlen)
{
	struct ipcb_csvread r;
	struct ipcb_csv_map m;
	FILE *in = fopen(csv, "r");
	int rc;

	if (!in) {
		snprintf(err, errlen, "%s: %s", csv, strerror(errno));
		return -errno;
	}
	ipcb_csvread_init_file(&r, in, 0, 0);
	rc = ipcb_csvread_next(&r);
	if (rc > 0) {
		ipcb_csv_map_header(&m, &r);
		rc = ipcb_csvread_next(&r);
	}
	fputs("<h2 id=\"the-machine\">The machine</h2>\n<p>Where the CSV's first row was measured "
	      "(every row carries these columns).</p>\n<div class=\"scroll\"><table>\n<thead><tr>"
	      "<th>column</th><th>value</th><th>what it is</th></tr></thead>\n<tbody>\n",
	      f);
	for (int c = 0; rc > 0 && c < IPCB_CSV_NCOLS; c++) {
		const char *v;

		if (!ipcb_csv_is_machine((enum ipcb_csv_column)c) && c != IPCB_COL_TIMESTAMP)
			continue;
		v = ipcb_csv_field(&r, &m, (enum ipcb_csv_column)c);
		fputs("<tr><td><code>", f);
		esc_str(f, ipcb_csv_name((enum ipcb_csv_column)c));
		fputs("</code></td><td>", f);
		esc_str(f, *v ? v : "-");
		fputs("</td><td>", f);
		md_inline(f, ipcb_csv_cols[c].what, strlen(ipcb_csv_cols[c].what));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n", f);
	if (rc < 0)
		snprintf(err, errlen, "%s:%lu: %s", csv, r.err.line, r.err.msg);
	ipcb_csvread_fini(&r);
	fclose(in);
	return rc < 0 ? -EINVAL : 0;
}

/* ---- figures ---- */

/* The figures scripts/plot draws, in the order the page shows them, with what they show. */
static const struct {
	const char *stem, *caption;
} known_figures[] = {
    {"latency", "Round trip p50 and p99 against payload size"},
    {"throughput", "Throughput against payload size, with the memcpy floor"},
    {"percentiles", "Latency percentile distribution"},
    {"cpu-latency", "CPU cost per message against round trip"},
    {"bars", "Time to move 1 MiB and 64 B round trip, per transport"},
    {"matrix", "Placement matrix: round-trip p50 on every pair of CPUs"},
    /* report --db: the history's series (history/trend.c), before the generic stem */
    {"trend-p50", "Round trip p50 over the runs of the history"},
    {"trend", "Throughput over the runs of the history"},
};
#define NKNOWN (sizeof(known_figures) / sizeof(known_figures[0]))

struct figure {
	char *name; /* file name in the directory */
	size_t rank;
	char caption[256];
};

static void figure_caption(struct figure *fig)
{
	size_t len = strlen(fig->name) - 4; /* without ".svg" */

	fig->rank = NKNOWN;
	for (size_t k = 0; k < NKNOWN; k++) {
		size_t sl = strlen(known_figures[k].stem);

		if (strncmp(fig->name, known_figures[k].stem, sl) != 0 ||
		    (len != sl && fig->name[sl] != '-'))
			continue;
		fig->rank = k;
		if (len == sl)
			snprintf(fig->caption, sizeof(fig->caption), "%s",
				 known_figures[k].caption);
		else
			snprintf(fig->caption, sizeof(fig->caption), "%s, %.*s",
				 known_figures[k].caption, (int)(len - sl - 1), fig->name + sl + 1);
		return;
	}
	/* A figure this page does not know yet: named by its file. */
	snprintf(fig->caption, sizeof(fig->caption), "%.*s", (int)len, fig->name);
}

static int figure_cmp(const void *a, const void *b)
{
	const struct figure *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
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

/* One SVG file as an <img> with a data: URI. */
static int print_figure(FILE *f, const char *dir, const struct figure *fig, char *err,
			size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;
	char *path;
	FILE *in;
	int rc;

	/* On the heap: a PATH_MAX buffer is a large part of a stack that may be small. */
	if (asprintf(&path, "%s/%s", dir, fig->name) < 0) {
		snprintf(err, errlen, "%s/%s: asprintf: %s", dir, fig->name, strerror(ENOMEM));
		return -ENOMEM;
	}
	in = fopen(path, "r");
	if (!in) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		goto free_path;
	}
	do {
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				fclose(in);
				snprintf(err, errlen, "%s: out of memory", path);
				rc = -ENOMEM;
				goto free_buf;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + len, 1, cap - len, in);
		len += got;
	} while (got > 0);
	if (ferror(in)) {
		rc = -errno;
		fclose(in);
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		goto free_buf;
	}
	fclose(in);
	free(path);
	fputs("<figure><img alt=\"", f);
	esc_str(f, fig->caption);
	fputs("\" src=\"data:image/svg+xml;base64,", f);
	base64(f, buf, len);
	fputs("\"><figcaption>", f);
	esc_str(f, fig->caption);
	fputs("</figcaption></figure>\n", f);
	free(buf);
	return 0;
free_buf:
	free(buf);
free_path:
	free(path);
	return rc;
}

/*
 * Every SVG file in dir, under a heading of its own; none is an error unless the section
 * may be empty (the trends of a history without series of this machine), which says so.
 */
static int print_figures(FILE *f, const char *dir, const char *id, const char *title,
			 bool may_be_empty, char *err, size_t errlen)
{
	struct figure *figs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "figures %s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len <= 4 || strcmp(e->d_name + len - 4, ".svg") != 0 || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct figure *nf = realloc(figs, (cap ? cap * 2 : 16) * sizeof(*nf));

			if (!nf) {
				rc = -ENOMEM;
				break;
			}
			figs = nf;
			cap = cap ? cap * 2 : 16;
		}
		figs[n].name = strdup(e->d_name);
		if (!figs[n].name) {
			rc = -ENOMEM;
			break;
		}
		figure_caption(&figs[n]);
		n++;
	}
	closedir(d);
	if (rc == 0 && n == 0 && may_be_empty) {
		fprintf(f,
			"<h2 id=\"%s\">%s</h2>\n<p>The history holds no series of this "
			"machine.</p>\n",
			id, title);
	} else if (rc == 0 && n == 0) {
		snprintf(err, errlen, "figures %s: no SVG files there", dir);
		rc = -ENOENT;
	} else if (rc < 0) {
		snprintf(err, errlen, "figures %s: out of memory", dir);
	}
	if (rc == 0) {
		qsort(figs, n, sizeof(*figs), figure_cmp);
		fprintf(f, "<h2 id=\"%s\">%s</h2>\n", id, title);
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = print_figure(f, dir, &figs[i], err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(figs[i].name);
	free(figs);
	return rc;
}

/* ---- the page ---- */

/* The line at md[pos..]: its length, without the newline. */
static size_t line_len(const char *md, size_t len, size_t pos)
{
	const char *nl = memchr(md + pos, '\n', len - pos);

	return nl ? (size_t)(nl - (md + pos)) : len - pos;
}

static int heading_level(const char *s, size_t n)
{
	int k = 0;

	while ((size_t)k < n && s[k] == '#' && k < 6)
		k++;
	return k > 0 && (size_t)k < n && s[k] == ' ' ? k : 0;
}

#define ID_BYTES 96

/* Every heading's id, in order: from its text, made unique with -2, -3, ... */
struct headings {
	char (*id)[ID_BYTES];
	size_t n;
};

static int headings_find(struct headings *hs, const char *md, size_t len)
{
	size_t cap = 0;

	hs->id = NULL;
	hs->n = 0;
	for (size_t pos = 0; pos < len;) {
		size_t n = line_len(md, len, pos);
		int h = heading_level(md + pos, n);
		char text[256], base[48];
		unsigned again = 1;

		if (h) {
			if (hs->n == cap) {
				char(*ids)[ID_BYTES] =
				    realloc(hs->id, (cap ? cap * 2 : 32) * ID_BYTES);

				if (!ids)
					return -ENOMEM;
				hs->id = ids;
				cap = cap ? cap * 2 : 32;
			}
			md_plain(text, sizeof(text), md + pos + h + 1, n - (size_t)h - 1);
			slug(base, sizeof(base), text);
			snprintf(hs->id[hs->n], ID_BYTES, "%s", base);
			/* The sections the page adds have their own ids. */
			for (size_t i = 0; i <= hs->n; i++) {
				bool taken = strcmp(hs->id[hs->n], "the-machine") == 0 ||
					     strcmp(hs->id[hs->n], "figures") == 0 ||
					     strcmp(hs->id[hs->n], "trends") == 0;

				for (size_t j = 0; j < hs->n && !taken; j++)
					taken = strcmp(hs->id[j], hs->id[hs->n]) == 0;
				if (!taken)
					break;
				snprintf(hs->id[hs->n], ID_BYTES, "%s-%u", base, ++again);
			}
			hs->n++;
		}
		pos += n + 1;
	}
	return 0;
}

struct block {
	enum { B_NONE, B_PARA, B_LIST, B_TABLE } kind;
	char align[MAX_CELLS];
	size_t ncols;
	bool in_body;
};

static void block_close(FILE *f, struct block *b)
{
	switch (b->kind) {
	case B_PARA:
		fputs("</p>\n", f);
		break;
	case B_LIST:
		fputs("</li>\n</ul>\n", f);
		break;
	case B_TABLE:
		fputs(b->in_body ? "</tbody>\n</table></div>\n" : "</thead>\n</table></div>\n", f);
		break;
	case B_NONE:
		break;
	}
	b->kind = B_NONE;
}

/* A paragraph that gives a claim's verdict gets the verdict's class (its colour). */
static const char *verdict_class(const char *s, size_t n)
{
	static const struct {
		const char *word, *cls;
	} verdicts[] = {{"holds", "holds"},
			{"does not hold", "does-not-hold"},
			{"depends", "depends"},
			{"not decided", "not-decided"},
			{"not measured", "not-measured"}};
	static const char lead[] = "Verdict: **";

	if (n < sizeof(lead) || strncmp(s, lead, sizeof(lead) - 1) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		size_t wl = strlen(verdicts[i].word);

		if (n >= sizeof(lead) - 1 + wl + 2 &&
		    strncmp(s + sizeof(lead) - 1, verdicts[i].word, wl) == 0 &&
		    strncmp(s + sizeof(lead) - 1 + wl, "**", 2) == 0)
			return verdicts[i].cls;
	}
	return "";
}

/* The document's head and its title (the first heading). */
static void print_head(FILE *f, const char *md, size_t len)
{
	char title[256] = "";

	for (size_t pos = 0; pos < len && !title[0];) {
		size_t n = line_len(md, len, pos);

		if (heading_level(md + pos, n) == 1)
			md_plain(title, sizeof(title), md + pos + 2, n - 2);
		pos += n + 1;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* Nothing but the page itself: its style and its data: images. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'\">\n<title>",
	      f);
	esc_str(f, title[0] ? title : "ipcbench report");
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", page_style);
}

/* A list of the sections (the ## headings and the page's own), before the first of them. */
static void print_contents(FILE *f, const char *md, size_t len, const struct headings *hs,
			   bool trends)
{
	size_t k = 0;

	fputs("<nav><ul>\n<li><a href=\"#the-machine\">The machine</a></li>\n", f);
	for (size_t pos = 0; pos < len;) {
		size_t n = line_len(md, len, pos);
		int h = heading_level(md + pos, n);

		if (h == 2) {
			fprintf(f, "<li><a href=\"#%s\">", hs->id[k]);
			md_inline(f, md + pos + 3, n - 3);
			fputs("</a></li>\n", f);
		}
		k += h > 0;
		pos += n + 1;
	}
	fputs("<li><a href=\"#figures\">Figures</a></li>\n", f);
	if (trends)
		fputs("<li><a href=\"#trends\">Trends</a></li>\n", f);
	fputs("</ul></nav>\n", f);
}

/* One line of a table: the rule after the header, or a row (a header row if a rule follows). */
static void table_line(FILE *f, struct block *b, const char *md, size_t len, size_t pos, size_t n)
{
	const char *line = md + pos;
	char align[MAX_CELLS];
	size_t ncols;

	if (b->kind == B_TABLE && !b->in_body && table_rule(line, n, align, MAX_CELLS, &ncols)) {
		memcpy(b->align, align, sizeof(align));
		b->ncols = ncols;
		b->in_body = true;
		fputs("</thead>\n<tbody>\n", f);
		return;
	}
	if (b->kind != B_TABLE) {
		size_t next = pos + n + 1;

		block_close(f, b);
		b->kind = B_TABLE;
		b->ncols = 0;
		b->in_body = !(next < len && table_rule(md + next, line_len(md, len, next), align,
							MAX_CELLS, &ncols));
		fputs(b->in_body ? "<div class=\"scroll\"><table>\n<tbody>\n"
				 : "<div class=\"scroll\"><table>\n<thead>\n",
		      f);
		if (!b->in_body) {
			memcpy(b->align, align, sizeof(align));
			b->ncols = ncols;
		}
	}
	table_row(f, line, n, b->align, b->ncols, !b->in_body);
}

int ipcb_html_write(FILE *f, const struct ipcb_html_page *page, char *err, size_t errlen)
{
	const char *md = page->markdown;
	size_t len = page->len, k = 0;
	struct block b = {.kind = B_NONE};
	struct headings hs;
	bool machine = false;
	int rc;

	rc = headings_find(&hs, md, len);
	if (rc < 0) {
		free(hs.id);
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	print_head(f, md, len);
	for (size_t pos = 0; pos < len && rc == 0;) {
		size_t n = line_len(md, len, pos);
		const char *line = md + pos;
		int h = heading_level(line, n);
		const char *cls;

		if (n == 0) {
			block_close(f, &b);
		} else if (h) {
			block_close(f, &b);
			/* The machine before the first section, after the introduction. */
			if (h == 2 && !machine) {
				print_contents(f, md, len, &hs, page->trends != NULL);
				rc = print_machine(f, page->csv, err, errlen);
				machine = true;
			}
			fprintf(f, "<h%d id=\"%s\">", h, hs.id[k++]);
			md_inline(f, line + h + 1, n - (size_t)h - 1);
			fprintf(f, "</h%d>\n", h);
		} else if (line[0] == '|') {
			table_line(f, &b, md, len, pos, n);
		} else if (n >= 2 && line[0] == '-' && line[1] == ' ') {
			if (b.kind == B_LIST) {
				fputs("</li>\n<li>", f);
			} else {
				block_close(f, &b);
				b.kind = B_LIST;
				fputs("<ul>\n<li>", f);
			}
			md_inline(f, line + 2, n - 2);
		} else if (b.kind == B_PARA || (b.kind == B_LIST && line[0] == ' ')) {
			/* The paragraph's, or the list item's, next line. */
			fputc('\n', f);
			md_inline(f, line, n);
		} else {
			block_close(f, &b);
			b.kind = B_PARA;
			cls = verdict_class(line, n);
			if (cls)
				fprintf(f, "<p class=\"verdict%s%s\">", *cls ? " " : "", cls);
			else
				fputs("<p>", f);
			md_inline(f, line, n);
		}
		pos += n + 1;
	}
	block_close(f, &b);
	free(hs.id);
	if (rc == 0 && !machine)
		rc = print_machine(f, page->csv, err, errlen);
	if (rc == 0 && page->figures)
		rc = print_figures(f, page->figures, "figures", "Figures", false, err, errlen);
	if (rc == 0 && page->trends)
		rc = print_figures(f, page->trends, "trends", "Trends", true, err, errlen);
	if (rc == 0)
		fputs("<footer>Written by <code>ipcbench report --html</code>: every number and "
		      "figure on this page comes from the CSV named at the top.</footer>\n"
		      "</main>\n</body>\n</html>\n",
		      f);
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s", strerror(EIO));
		rc = -EIO;
	}
	return rc;
}

/* ---- drawing the figures ---- */

static bool executable(const char *path)
{
	struct stat st;

	return path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The plot program: see html.h for the order. `path` is "" when only PATH is left to try. */
static void plot_program(char *path, size_t n)
{
	static const char name[] = "/ipcbench-plot";
	const char *env = getenv("IPCBENCH_PLOT");
	ssize_t len;

	if (env && *env) {
		snprintf(path, n, "%s", env);
		return;
	}
	/* Our own path, read into path itself and cut at its last '/'. */
	len = readlink("/proc/self/exe", path, n - 1);
	if (len > 0) {
		char *slash;

		path[len] = '\0';
		slash = strrchr(path, '/');
		if (slash && (size_t)(slash - path) + sizeof(name) <= n) {
			memcpy(slash, name, sizeof(name));
			if (executable(path))
				return;
		}
	}
	snprintf(path, n, "%s", IPCB_SOURCE_PLOT);
	if (executable(path))
		return;
	path[0] = '\0';
}

void ipcb_html_undraw(const char *dir)
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

int ipcb_html_draw(const char *csv, char *dir, size_t n, int *stopped_by, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	/* Static: PATH_MAX is a large part of a small stack; the report draws once, one thread. */
	static char prog[PATH_MAX];
	sigset_t wait_set;
	int status = 0, sig;
	pid_t pid;

	*stopped_by = 0;
	snprintf(dir, n, "%s/ipcbench-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		int e = errno;

		snprintf(err, errlen, "figures: mkdtemp %s: %s", dir, strerror(e));
		dir[0] = '\0';
		return -e;
	}
	plot_program(prog, sizeof(prog));
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	sigaddset(&wait_set, SIGHUP);
	sigaddset(&wait_set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &wait_set, NULL);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		snprintf(err, errlen, "figures: fork: %s", strerror(e));
		ipcb_html_undraw(dir);
		return -e;
	}
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* Its own group, so that stopping it stops gnuplot and awk with it. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* "wrote FILE" lines are for a person drawing by hand; errors go to stderr. */
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (prog[0]) {
			execl(prog, prog, "--", csv, dir, (char *)NULL);
			fprintf(stderr, "ipcbench report: figures: %s: %s\n", prog,
				strerror(errno));
		} else {
			execlp("ipcbench-plot", "ipcbench-plot", "--", csv, dir, (char *)NULL);
			fprintf(stderr,
				"ipcbench report: figures: no plot program: ipcbench-plot is not "
				"installed beside ipcbench nor on PATH, and %s is not there (set "
				"IPCBENCH_PLOT, or give --figures DIR)\n",
				IPCB_SOURCE_PLOT[0] ? IPCB_SOURCE_PLOT
						    : "the checkout's scripts/plot");
		}
		_exit(127);
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
			ipcb_html_undraw(dir);
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
		ipcb_html_undraw(dir);
		return -ECHILD;
	}
	return 0;
}
