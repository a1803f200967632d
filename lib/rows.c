/* SPDX-License-Identifier: MIT */
/* rows.c - an ipcbench CSV read once into memory; see rows.h. */
#include "rows.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "gbjson.h"
#include "parse.h"

#define ABSENT UINT32_MAX
/* The largest JSON document read (it is parsed whole, as CSV is not). */
#define MAX_JSON_BYTES (256u << 20)

void ipcb_rows_free(struct ipcb_rows *rs)
{
	free(rs->text);
	free(rs->off);
	free(rs->line);
	rs->text = NULL;
	rs->off = NULL;
	rs->line = NULL;
	rs->n = rs->cap = rs->text_len = rs->text_cap = 0;
}

static int text_add(struct ipcb_rows *rs, const char *s, uint32_t *at)
{
	size_t len = strlen(s) + 1;

	if (rs->text_len + len > rs->text_cap) {
		size_t cap = rs->text_cap ? rs->text_cap : 1 << 16;
		char *p;

		while (cap < rs->text_len + len)
			cap *= 2;
		/* Offsets are 32 bits: 4 GiB of text is far beyond any run's CSV. */
		if (cap > UINT32_MAX)
			return -E2BIG;
		p = realloc(rs->text, cap);
		if (!p)
			return -ENOMEM;
		rs->text = p;
		rs->text_cap = cap;
	}
	memcpy(rs->text + rs->text_len, s, len);
	*at = (uint32_t)rs->text_len;
	rs->text_len += len;
	return 0;
}

static int record_add(struct ipcb_rows *rs, unsigned long line)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 256;
		uint32_t *off;
		unsigned long *ln;

		if (rs->n >= IPCB_ROWS_MAX)
			return -E2BIG;
		off = realloc(rs->off, cap * IPCB_CSV_NCOLS * sizeof(*off));
		if (!off)
			return -ENOMEM;
		rs->off = off;
		ln = realloc(rs->line, cap * sizeof(*ln));
		if (!ln)
			return -ENOMEM;
		rs->line = ln;
		rs->cap = cap;
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		rs->off[rs->n * IPCB_CSV_NCOLS + c] = ABSENT;
	rs->line[rs->n++] = line;
	return 0;
}

/* A record's place as messages give it: its line in a CSV, its benchmark in JSON. */
static const char *place(const struct ipcb_rows *rs, unsigned long line, char *buf, size_t n)
{
	snprintf(buf, n, rs->json ? "%s: benchmark %lu" : "%s:%lu", rs->name, line);
	return buf;
}

/* "FILE:LINE[:COL]: [column N (name): ]message", from the reader's error; names: the header's. */
static void reader_error(const struct ipcb_rows *rs, const struct ipcb_csvread_error *e,
			 unsigned long line, char *const *names, size_t nnames, char *err,
			 size_t errlen)
{
	char where[32] = "", what[160] = "", at[IPCB_ROWS_WHERE_BYTES];

	if (e->col && !rs->json)
		snprintf(where, sizeof(where), ":%lu", e->col);
	if (e->field && e->field <= nnames)
		snprintf(what, sizeof(what), "column %zu (%.100s): ", e->field,
			 names[e->field - 1]);
	else if (e->field)
		snprintf(what, sizeof(what), "column %zu: ", e->field);
	ipcb_parse_fail(err, errlen, "%s%s: %s%s", place(rs, line, at, sizeof(at)), where, what,
			e->msg);
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The records of r (its first one the header) into rs; lines maps a record to its benchmark. */
static int rows_fill(struct ipcb_rows *rs, struct ipcb_csvread *r, const unsigned long *lines,
		     size_t nlines, char *err, size_t errlen)
{
	/* Static: the map is 2 KiB and more, on a stack that may be small (ulimit -s). */
	static struct ipcb_csv_map map;
	size_t nheader, record = 0;
	char **names = NULL, at[IPCB_ROWS_WHERE_BYTES];
	int rc = ipcb_csvread_next(r);

	if (rc == 0)
		return ipcb_parse_fail(
		    err, errlen, "%s:1: empty file: expected the CSV header line of ipcbench --csv",
		    rs->name);
	if (rc < 0) {
		reader_error(rs, &r->err, r->err.line, NULL, 0, err, errlen);
		return rc;
	}
	nheader = ipcb_csvread_nfields(r);
	/* The header's names, for a message about a field of a later record. */
	names = calloc(nheader + 1, sizeof(*names));
	for (size_t i = 0; names && i < nheader; i++)
		if (!(names[i] = strdup(ipcb_csvread_field(r, i)))) {
			names_free(names, i);
			names = NULL;
		}
	if (!names)
		return ipcb_parse_fail(err, errlen, "%s: out of memory", rs->name), -ENOMEM;
	ipcb_csv_map_header(&map, r);
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		rs->has[c] = map.at[c] != IPCB_CSV_ABSENT;
		if (map.again[c] != IPCB_CSV_ABSENT) {
			rc = ipcb_parse_fail(err, errlen,
					     "%s:1: column %zu: '%s' appears twice in the header",
					     rs->name, map.again[c] + 1, ipcb_csv_name(c));
			goto out;
		}
	}
	if (!rs->has[IPCB_COL_TRANSPORT]) {
		rc = ipcb_parse_fail(
		    err, errlen,
		    "%s:1: missing required column '%s' (is this an ipcbench --csv file?)",
		    rs->name, ipcb_csv_name(IPCB_COL_TRANSPORT));
		goto out;
	}
	while ((rc = ipcb_csvread_next(r)) == 1) {
		unsigned long line = ipcb_csvread_record_line(r);
		size_t n = ipcb_csvread_nfields(r);

		record++;
		if (lines)
			line = record <= nlines ? lines[record - 1] : 1;
		if (n != nheader) {
			rc =
			    ipcb_parse_fail(err, errlen,
					    "%s: %zu fields, but the header has %zu (one field per "
					    "column; quote fields that hold commas)",
					    place(rs, line, at, sizeof(at)), n, nheader);
			goto out;
		}
		/*
		 * Files joined with each one's header: read as one, their rounds would pool (round
		 * 1 of one run with round 1 of the other), so the line is named instead.
		 */
		if (strcmp(ipcb_csvread_field(r, map.at[IPCB_COL_TRANSPORT]),
			   ipcb_csv_name(IPCB_COL_TRANSPORT)) == 0) {
			rc = ipcb_parse_fail(
			    err, errlen,
			    "%s: the CSV header again: two files joined into one? (each run's "
			    "rows are a file of their own; ipcbench history --import keeps runs "
			    "apart)",
			    place(rs, line, at, sizeof(at)));
			goto out;
		}
		rc = record_add(rs, line);
		for (int c = 0; c < IPCB_CSV_NCOLS && rc == 0; c++)
			if (rs->has[c])
				rc = text_add(rs, ipcb_csvread_field(r, map.at[c]),
					      &rs->off[(rs->n - 1) * IPCB_CSV_NCOLS + c]);
		if (rc == -E2BIG) {
			ipcb_parse_fail(err, errlen, "%s: more than %u rows: not a CSV of runs",
					place(rs, line, at, sizeof(at)), IPCB_ROWS_MAX);
			goto out;
		}
		if (rc < 0) {
			ipcb_parse_fail(err, errlen, "%s: out of memory", rs->name);
			goto out;
		}
	}
	if (rc < 0) {
		unsigned long line = r->err.line;

		if (lines)
			line = record + 1 <= nlines ? lines[record] : 1;
		reader_error(rs, &r->err, line, names, nheader, err, errlen);
	}
out:
	names_free(names, nheader);
	return rc < 0 ? rc : 0;
}

static int rows_parse(struct ipcb_rows *rs, const char *buf, size_t len, char *err, size_t errlen)
{
	struct ipcb_csvread r;
	int rc;

	if (ipcb_gbjson_sniff(buf, len)) {
		struct ipcb_gbjson_csv js = {0};
		struct ipcb_gbjson_error jerr;

		rs->json = true;
		rc = ipcb_gbjson_to_csv(buf, len, &js, &jerr);
		if (rc < 0) {
			if (jerr.line)
				ipcb_parse_fail(err, errlen, "%s:%lu:%lu: %s", rs->name, jerr.line,
						jerr.col, jerr.msg);
			else if (jerr.benchmark)
				ipcb_parse_fail(err, errlen, "%s: benchmark %zu: %s", rs->name,
						jerr.benchmark, jerr.msg);
			else
				ipcb_parse_fail(err, errlen, "%s: %s", rs->name, jerr.msg);
			ipcb_gbjson_csv_fini(&js);
			return rc;
		}
		ipcb_csvread_init_buffer(&r, js.csv, js.len, 0, 0);
		rc = rows_fill(rs, &r, js.benchmark, js.rows, err, errlen);
		ipcb_csvread_fini(&r);
		ipcb_gbjson_csv_fini(&js);
		return rc;
	}
	ipcb_csvread_init_buffer(&r, buf, len, 0, 0);
	rc = rows_fill(rs, &r, NULL, 0, err, errlen);
	ipcb_csvread_fini(&r);
	return rc;
}

static void rows_init(struct ipcb_rows *rs, const char *name)
{
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->name, sizeof(rs->name), "%s", name);
}

int ipcb_rows_read_buffer(struct ipcb_rows *rs, const char *name, const char *buf, size_t len,
			  char *err, size_t errlen)
{
	int rc;

	rows_init(rs, name);
	rc = rows_parse(rs, buf, len, err, errlen);
	if (rc < 0)
		ipcb_rows_free(rs);
	return rc;
}

int ipcb_rows_read(struct ipcb_rows *rs, const char *path, char *err, size_t errlen)
{
	/* `-` is standard input, as a file argument is to a shell's commands. */
	const bool in = ipcb_rows_is_stdin(path);
	const char *name = in ? "standard input" : path;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc;

	rows_init(rs, name);
	f = in ? stdin : fopen(path, "r");
	if (!f) {
		rc = -errno;
		ipcb_parse_fail(err, errlen, "%s: %s", name, strerror(-rc));
		return rc;
	}
	/* Read whole, without seeking: a pipe (<(...)) reads as a file does. */
	do {
		if (len == cap) {
			char *nb;

			cap = cap ? 2 * cap : 1 << 16;
			if (cap > MAX_JSON_BYTES * 16ul) {
				ipcb_parse_fail(err, errlen, "%s: more than %lu MiB: too large",
						name, MAX_JSON_BYTES * 16ul >> 20);
				rc = -E2BIG;
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				ipcb_parse_fail(err, errlen, "%s: out of memory", name);
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		rc = errno ? -errno : -EIO;
		ipcb_parse_fail(err, errlen, "%s: %s", name, strerror(-rc));
		goto fail;
	}
	if (!in)
		fclose(f);
	if (ipcb_gbjson_sniff(buf, len) && len > MAX_JSON_BYTES) {
		free(buf);
		return ipcb_parse_fail(err, errlen, "%s: more than %u MiB of JSON: too large", name,
				       MAX_JSON_BYTES >> 20);
	}
	rc = rows_parse(rs, buf, len, err, errlen);
	free(buf);
	if (rc < 0)
		ipcb_rows_free(rs);
	return rc;
fail:
	free(buf);
	if (!in)
		fclose(f);
	return rc;
}

bool ipcb_rows_is_stdin(const char *path)
{
	return path && strcmp(path, "-") == 0;
}

const char *ipcb_rows_get(const struct ipcb_rows *rs, size_t i, enum ipcb_csv_column c)
{
	uint32_t at;

	if (i >= rs->n || (unsigned)c >= IPCB_CSV_NCOLS)
		return "";
	at = rs->off[i * IPCB_CSV_NCOLS + c];
	return at == ABSENT ? "" : rs->text + at;
}

unsigned long ipcb_rows_line(const struct ipcb_rows *rs, size_t i)
{
	return i < rs->n ? rs->line[i] : 0;
}

const char *ipcb_rows_where(const struct ipcb_rows *rs, size_t i, char *buf, size_t n)
{
	return place(rs, i < rs->n ? rs->line[i] : 0, buf, n);
}

int ipcb_rows_num(const struct ipcb_rows *rs, size_t i, enum ipcb_csv_column c, bool nonneg,
		  double *out, char *err, size_t errlen)
{
	const char *s = ipcb_rows_get(rs, i, c);
	char *end, at[IPCB_ROWS_WHERE_BYTES];

	*out = NAN;
	if (!*s)
		return 0;
	/* A plain decimal number as the writer writes it: no spaces, hex, inf or nan. */
	errno = 0;
	if (strspn(s, "0123456789.eE+-") == strlen(s))
		*out = strtod(s, &end);
	if (strspn(s, "0123456789.eE+-") != strlen(s) || *end || errno == ERANGE ||
	    !isfinite(*out)) {
		*out = NAN;
		return ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is not a number",
				       ipcb_rows_where(rs, i, at, sizeof(at)), ipcb_csv_name(c), s);
	}
	if (nonneg && *out < 0) {
		*out = NAN;
		return ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is negative",
				       ipcb_rows_where(rs, i, at, sizeof(at)), ipcb_csv_name(c), s);
	}
	return 0;
}
