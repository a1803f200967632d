/* SPDX-License-Identifier: MIT */
/* csvread.c - streaming RFC 4180 reader; see csvread.h for the dialect and the error contract. */
#include "csvread.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
	BYTE_EOF = -1,
	BYTE_ERR = -2,
};

enum state {
	FIELD_START,
	UNQUOTED,
	QUOTED,
	AFTER_QUOTE, /* a '"' inside a quoted field: the end of it, or the first half of "" */
};

static void reader_init(struct ipcb_csvread *r, size_t max_record_bytes, size_t max_fields)
{
	memset(r, 0, sizeof(*r));
	r->pushback = -1;
	r->at_start = true;
	r->max_record_bytes =
	    max_record_bytes ? max_record_bytes : IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES;
	r->max_fields = max_fields ? max_fields : IPCB_CSVREAD_DEFAULT_MAX_FIELDS;
	r->line = 1;
	r->col = 1;
	r->record_line = 1;
}

int ipcb_csvread_init_file(struct ipcb_csvread *r, FILE *f, size_t max_record_bytes,
			   size_t max_fields)
{
	if (!r || !f)
		return -EINVAL;
	reader_init(r, max_record_bytes, max_fields);
	r->f = f;
	return 0;
}

int ipcb_csvread_init_buffer(struct ipcb_csvread *r, const char *buf, size_t len,
			     size_t max_record_bytes, size_t max_fields)
{
	if (!r || (!buf && len))
		return -EINVAL;
	reader_init(r, max_record_bytes, max_fields);
	r->buf = buf ? buf : "";
	r->buf_len = len;
	return 0;
}

void ipcb_csvread_fini(struct ipcb_csvread *r)
{
	if (!r)
		return;
	free(r->chunk);
	free(r->text);
	free(r->field_off);
	r->chunk = r->text = NULL;
	r->field_off = NULL;
	r->chunk_len = r->chunk_pos = r->text_len = r->text_cap = r->nfields = r->fields_cap = 0;
}

__attribute__((format(printf, 6, 7))) static int fail(struct ipcb_csvread *r, int code,
						      unsigned long line, unsigned long col,
						      size_t field, const char *fmt, ...)
{
	va_list ap;

	r->err.line = line;
	r->err.col = col;
	r->err.field = field;
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
	r->status = code;
	r->done = true;
	return code;
}

static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};

/* The next byte from the source, before any position accounting. */
static int source_byte(struct ipcb_csvread *r)
{
	if (r->buf) {
		if (r->at_start) {
			r->at_start = false;
			if (r->buf_len >= 3 && memcmp(r->buf, bom, 3) == 0)
				r->buf_pos = 3;
		}
		if (r->buf_pos >= r->buf_len)
			return BYTE_EOF;
		return (unsigned char)r->buf[r->buf_pos++];
	}
	if (r->chunk_pos >= r->chunk_len) {
		if (!r->chunk) {
			r->chunk = malloc(IPCB_CSVREAD_CHUNK_BYTES);
			if (!r->chunk)
				return fail(r, -ENOMEM, r->line, 0, 0, "out of memory"), BYTE_ERR;
		}
		/* fread() fills the chunk unless the input ends, so a BOM is never split. */
		r->chunk_len = fread(r->chunk, 1, IPCB_CSVREAD_CHUNK_BYTES, r->f);
		r->chunk_pos = 0;
		if (r->chunk_len == 0) {
			if (ferror(r->f))
				return fail(r, -EIO, r->line, 0, 0, "read error"), BYTE_ERR;
			return BYTE_EOF;
		}
		if (r->at_start) {
			r->at_start = false;
			if (r->chunk_len >= 3 && memcmp(r->chunk, bom, 3) == 0)
				r->chunk_pos = 3;
			if (r->chunk_pos >= r->chunk_len)
				return source_byte(r);
		}
	}
	return (unsigned char)r->chunk[r->chunk_pos++];
}

/* Look at the next byte without consuming it (position unchanged). */
static int peek_byte(struct ipcb_csvread *r)
{
	if (r->pushback == -1) {
		int c = source_byte(r);

		if (c == BYTE_ERR)
			return c;
		r->pushback = c == BYTE_EOF ? -2 : c;
	}
	return r->pushback == -2 ? BYTE_EOF : r->pushback;
}

/* Consume the next byte and advance line/col past it. */
static int get_byte(struct ipcb_csvread *r)
{
	int c = peek_byte(r);

	if (c == BYTE_ERR || c == BYTE_EOF)
		return c;
	r->pushback = -1;
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	return c;
}

static int text_append(struct ipcb_csvread *r, char c)
{
	if (r->text_len + 1 > r->max_record_bytes)
		return fail(r, -E2BIG, r->record_line, 0, 0,
			    "record longer than %zu bytes (the limit for one CSV record)",
			    r->max_record_bytes);
	if (r->text_len + 1 > r->text_cap) {
		size_t cap = r->text_cap ? r->text_cap * 2 : 512;
		char *t;

		if (cap > r->max_record_bytes + 1)
			cap = r->max_record_bytes + 1;
		t = realloc(r->text, cap);
		if (!t)
			return fail(r, -ENOMEM, r->record_line, 0, 0, "out of memory");
		r->text = t;
		r->text_cap = cap;
	}
	r->text[r->text_len++] = c;
	return 0;
}

/* Close the field that started at text offset `start`. */
static int field_end(struct ipcb_csvread *r, size_t start)
{
	int rc;

	if (r->nfields >= r->max_fields)
		return fail(r, -E2BIG, r->record_line, 0, r->nfields + 1,
			    "more than %zu fields in one record", r->max_fields);
	if (r->nfields == r->fields_cap) {
		size_t cap = r->fields_cap ? r->fields_cap * 2 : 64;
		size_t *o;

		if (cap > r->max_fields)
			cap = r->max_fields;
		o = realloc(r->field_off, cap * sizeof(*o));
		if (!o)
			return fail(r, -ENOMEM, r->record_line, 0, 0, "out of memory");
		r->field_off = o;
		r->fields_cap = cap;
	}
	/* The terminator counts toward the record limit too: it is memory all the same. */
	rc = text_append(r, '\0');
	if (rc < 0)
		return rc;
	r->field_off[r->nfields++] = start;
	return 0;
}

/*
 * A ',' or '\n' outside quotes ends the current field, and '\n' the record too. Returns 1 at
 * the end of the record, 0 when the next field starts, or a negative errno from field_end().
 */
static int separator(struct ipcb_csvread *r, int c, size_t *start)
{
	int rc = field_end(r, *start);

	if (rc < 0)
		return rc;
	if (c == '\n')
		return 1;
	*start = r->text_len;
	return 0;
}

static void byte_text(int c, char *out, size_t n)
{
	if (isprint(c) && c != '\'')
		snprintf(out, n, "'%c'", c);
	else
		snprintf(out, n, "byte 0x%02x", (unsigned)c);
}

int ipcb_csvread_next(struct ipcb_csvread *r)
{
	enum state st = FIELD_START;
	size_t start = 0;
	unsigned long quote_line = 0, quote_col = 0;
	bool any = false; /* the record has a byte other than its line ending */
	char what[16];
	int rc;

	if (r->status)
		return r->status;
	if (r->done)
		return 0;
	r->nfields = 0;
	r->text_len = 0;
	r->record_line = r->line;
	for (;;) {
		unsigned long line = r->line, col = r->col;
		int c = get_byte(r);

		if (c == BYTE_ERR)
			return r->status;
		if (c == BYTE_EOF) {
			r->done = true;
			if (st == QUOTED)
				return fail(r, -EBADMSG, quote_line, quote_col, r->nfields + 1,
					    "unterminated quoted field: the quote opened here is "
					    "never closed before the end of the file");
			if (st == FIELD_START && !any)
				return 0;
			rc = field_end(r, start);
			return rc < 0 ? rc : 1;
		}
		if (c == '\0')
			return fail(r, -EBADMSG, line, col, r->nfields + 1,
				    "NUL byte in the input");
		/* "\r\n" ends a record like "\n": drop the '\r' and let the '\n' do the work. */
		if (c == '\r' && st != QUOTED) {
			int next = peek_byte(r);

			if (next == BYTE_ERR)
				return r->status;
			if (next == '\n')
				continue;
		}
		switch (st) {
		case FIELD_START:
			if (c == '\n' && !any) {
				/* An empty line: skip it, the record starts on the next one. */
				r->record_line = r->line;
				continue;
			}
			any = true;
			if (c == '"') {
				st = QUOTED;
				quote_line = line;
				quote_col = col;
				continue;
			}
			if (c == ',' || c == '\n') {
				rc = separator(r, c, &start);
				if (rc)
					return rc;
				st = FIELD_START;
				continue;
			}
			st = UNQUOTED;
			break;
		case UNQUOTED:
			if (c == '"')
				return fail(r, -EBADMSG, line, col, r->nfields + 1,
					    "'\"' inside an unquoted field (quote the whole field "
					    "and double the quote: \"a\"\"b\")");
			if (c == ',' || c == '\n') {
				rc = separator(r, c, &start);
				if (rc)
					return rc;
				st = FIELD_START;
				continue;
			}
			break;
		case QUOTED:
			if (c == '"') {
				st = AFTER_QUOTE;
				continue;
			}
			break;
		case AFTER_QUOTE:
			if (c == '"') {
				st = QUOTED;
				break;
			}
			if (c == ',' || c == '\n') {
				rc = separator(r, c, &start);
				if (rc)
					return rc;
				st = FIELD_START;
				continue;
			}
			byte_text(c, what, sizeof(what));
			return fail(r, -EBADMSG, line, col, r->nfields + 1,
				    "%s after the closing quote of a quoted field (expected ',' or "
				    "the end of the line)",
				    what);
		}
		rc = text_append(r, (char)c);
		if (rc < 0)
			return rc;
	}
}

size_t ipcb_csvread_nfields(const struct ipcb_csvread *r)
{
	return r->nfields;
}

const char *ipcb_csvread_field(const struct ipcb_csvread *r, size_t i)
{
	if (i >= r->nfields)
		return NULL;
	return r->text + r->field_off[i];
}

unsigned long ipcb_csvread_record_line(const struct ipcb_csvread *r)
{
	return r->record_line;
}
