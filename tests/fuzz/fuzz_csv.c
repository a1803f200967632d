/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c - libFuzzer target for the CSV reader behind `ipcbench compare` and `report`.
 *
 * Each input is read by three readers in lockstep, record by record:
 *  A  from the buffer, default limits: every record and error must keep csvread.h's promises;
 *  B  the same bytes through a FILE (fmemopen): the chunked path must give exactly what A gives;
 *  C  from the buffer with tiny limits derived from the input's length: it must return A's
 *     records while they fit and fail with -E2BIG on exactly the first one that does not, so
 *     the limits cut where the header says and nowhere else.
 * Then A's records are written back as CSV (every field quoted) and read again: the reader must
 * return the same fields, which checks the unquoting against an independent writer.
 */
#include <errno.h>
#include <stdbool.h>

#include "csvread.h"
#include "fuzz.h"

struct strbuf {
	char *s;
	size_t len, cap;
};

static void strbuf_put(struct strbuf *b, char c)
{
	if (b->len == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->s = realloc(b->s, b->cap);
		FUZZ_CHECK(b->s != NULL, "out of memory");
	}
	b->s[b->len++] = c;
}

/* What the input looks like, to check the reader's positions against the bytes themselves. */
struct input {
	const char *buf;
	size_t len;
	size_t bom;	     /* 3 if a UTF-8 byte order mark leads, which no column counts */
	unsigned long lines; /* physical lines: 1 + the number of '\n' */
};

/* Offset of 1-based (line, col) in the input, or SIZE_MAX if there is no such byte. */
static size_t input_offset(const struct input *in, unsigned long line, unsigned long col)
{
	size_t off = in->bom;

	for (unsigned long l = 1; l < line; l++) {
		const char *nl = memchr(in->buf + off, '\n', in->len - off);

		if (!nl)
			return SIZE_MAX;
		off = (size_t)(nl - in->buf) + 1;
	}
	if (col == 0 || col - 1 >= in->len - off)
		return SIZE_MAX;
	return off + col - 1;
}

/* A record just returned: fields packed back to back, each one C string with no NUL inside. */
static void check_record(const struct ipcb_csvread *r, const struct input *in,
			 unsigned long *prev_line)
{
	size_t n = ipcb_csvread_nfields(r), off = 0;
	unsigned long line = ipcb_csvread_record_line(r);

	FUZZ_CHECK(n >= 1 && n <= r->max_fields, "%zu fields, limit %zu", n, r->max_fields);
	for (size_t i = 0; i < n; i++) {
		const char *f = ipcb_csvread_field(r, i);

		FUZZ_CHECK(f != NULL, "field %zu of %zu is NULL", i, n);
		FUZZ_CHECK(f == r->text + off, "field %zu is not where the previous one ended", i);
		off += strlen(f) + 1;
	}
	/* Had a field held a NUL, strlen() would stop short and the sum would not reach text_len.
	 */
	FUZZ_CHECK(off == r->text_len, "fields cover %zu bytes of %zu: a NUL inside a field", off,
		   r->text_len);
	FUZZ_CHECK(off <= r->max_record_bytes, "record of %zu bytes, limit %zu", off,
		   r->max_record_bytes);
	FUZZ_CHECK(ipcb_csvread_field(r, n) == NULL, "field past the end is not NULL");
	FUZZ_CHECK(line >= 1 && line <= in->lines, "record on line %lu of %lu", line, in->lines);
	/* Every record ends with a line ending (or the input), so the next starts on a later line.
	 */
	FUZZ_CHECK(line > *prev_line, "record on line %lu after one on line %lu", line, *prev_line);
	*prev_line = line;
}

static bool same_error(const struct ipcb_csvread_error *x, const struct ipcb_csvread_error *y)
{
	return x->line == y->line && x->col == y->col && x->field == y->field &&
	       strcmp(x->msg, y->msg) == 0;
}

/* An error just returned: where it points, and that the reader stays failed. */
static void check_error(struct ipcb_csvread *r, int rc, const struct input *in)
{
	const struct ipcb_csvread_error *e = &r->err;
	struct ipcb_csvread_error first = *e;

	FUZZ_CHECK(rc == -EBADMSG || rc == -E2BIG, "error %d", rc);
	FUZZ_CHECK(e->line >= 1 && e->line <= in->lines, "error on line %lu of %lu", e->line,
		   in->lines);
	FUZZ_CHECK(memchr(e->msg, '\0', sizeof(e->msg)) && e->msg[0], "empty error message");
	if (rc == -E2BIG) {
		FUZZ_CHECK(e->col == 0 && e->line == ipcb_csvread_record_line(r),
			   "limit error at %lu:%lu, record on line %lu", e->line, e->col,
			   ipcb_csvread_record_line(r));
	} else {
		/*
		 * Malformed CSV is always about one byte: a NUL, a stray quote, an unclosed opening
		 * quote, or whatever follows a closing quote. The position must name that byte.
		 */
		size_t off = input_offset(in, e->line, e->col);

		FUZZ_CHECK(e->field >= 1, "malformed-CSV error names no field");
		FUZZ_CHECK(off != SIZE_MAX, "error at %lu:%lu is outside the input", e->line,
			   e->col);
		FUZZ_CHECK(in->buf[off] == '\0' || in->buf[off] == '"' ||
			       (off > in->bom && in->buf[off - 1] == '"'),
			   "error at %lu:%lu points at byte 0x%02x, which cannot be wrong there",
			   e->line, e->col, (unsigned char)in->buf[off]);
	}
	rc = ipcb_csvread_next(r);
	FUZZ_CHECK(rc == r->status && same_error(&first, &r->err), "error not sticky");
}

/* After each call: the result's own promises. */
static void check_result(struct ipcb_csvread *r, int rc, const struct input *in,
			 unsigned long *prev_line)
{
	if (rc == 1)
		check_record(r, in, prev_line);
	else if (rc == 0)
		FUZZ_CHECK(ipcb_csvread_next(r) == 0, "end of input not sticky");
	else
		check_error(r, rc, in);
}

static bool same_fields(const struct ipcb_csvread *x, const struct ipcb_csvread *y)
{
	if (ipcb_csvread_nfields(x) != ipcb_csvread_nfields(y))
		return false;
	for (size_t i = 0; i < ipcb_csvread_nfields(x); i++)
		if (strcmp(ipcb_csvread_field(x, i), ipcb_csvread_field(y, i)) != 0)
			return false;
	return true;
}

/* Reader B (FILE) against A (buffer): the same result, record and error to the byte. */
static void check_same(const struct ipcb_csvread *a, int ra, const struct ipcb_csvread *b, int rb)
{
	FUZZ_CHECK(ra == rb, "buffer reader says %d, FILE reader %d", ra, rb);
	if (ra == 1)
		FUZZ_CHECK(same_fields(a, b) &&
			       ipcb_csvread_record_line(a) == ipcb_csvread_record_line(b),
			   "buffer and FILE readers return different records");
	else if (ra < 0)
		FUZZ_CHECK(same_error(&a->err, &b->err),
			   "buffer error %lu:%lu '%s', FILE %lu:%lu '%s'", a->err.line, a->err.col,
			   a->err.msg, b->err.line, b->err.col, b->err.msg);
}

/* Reader C (tiny limits) against A (defaults) on the same record. */
static void check_limited(const struct ipcb_csvread *a, int ra, const struct ipcb_csvread *c,
			  int rc)
{
	if (ra == 1) {
		bool fits =
		    a->text_len <= c->max_record_bytes && ipcb_csvread_nfields(a) <= c->max_fields;

		if (fits)
			FUZZ_CHECK(rc == 1 && same_fields(a, c) &&
				       ipcb_csvread_record_line(a) == ipcb_csvread_record_line(c),
				   "a record of %zu bytes and %zu fields is within limits %zu/%zu, "
				   "yet the limited reader says %d",
				   a->text_len, ipcb_csvread_nfields(a), c->max_record_bytes,
				   c->max_fields, rc);
		else
			FUZZ_CHECK(rc == -E2BIG,
				   "a record of %zu bytes and %zu fields exceeds "
				   "limits %zu/%zu, yet the limited reader says %d",
				   a->text_len, ipcb_csvread_nfields(a), c->max_record_bytes,
				   c->max_fields, rc);
	} else if (ra == 0) {
		FUZZ_CHECK(rc == 0, "end of input, yet the limited reader says %d", rc);
	} else {
		/* The same bad byte, unless the record outgrew the limits before reaching it. */
		FUZZ_CHECK(rc == -E2BIG || (rc == ra && same_error(&a->err, &c->err)),
			   "error %d at %lu:%lu, the limited reader says %d at %lu:%lu", ra,
			   a->err.line, a->err.col, rc, c->err.line, c->err.col);
	}
}

/* Append the current record as CSV with every field quoted: a writer the reader never saw. */
static void write_record(struct strbuf *out, const struct ipcb_csvread *r)
{
	for (size_t i = 0; i < ipcb_csvread_nfields(r); i++) {
		if (i)
			strbuf_put(out, ',');
		strbuf_put(out, '"');
		for (const char *p = ipcb_csvread_field(r, i); *p; p++) {
			if (*p == '"')
				strbuf_put(out, '"');
			strbuf_put(out, *p);
		}
		strbuf_put(out, '"');
	}
	strbuf_put(out, '\n');
}

/* Read the original again beside what write_record() made of it: the same fields throughout. */
static void check_round_trip(const struct input *in, const struct strbuf *written, size_t nrec)
{
	struct ipcb_csvread a, d;

	ipcb_csvread_init_buffer(&a, in->buf, in->len, 0, 0);
	ipcb_csvread_init_buffer(&d, written->s, written->len, 0, 0);
	for (size_t k = 1; k <= nrec; k++) {
		int ra = ipcb_csvread_next(&a), rd = ipcb_csvread_next(&d);

		FUZZ_CHECK(ra == 1, "record %zu gone on the second read (%d)", k, ra);
		FUZZ_CHECK(rd == 1 && same_fields(&a, &d),
			   "record %zu reads differently once written back (%d)", k, rd);
	}
	FUZZ_CHECK(ipcb_csvread_next(&d) == 0, "written back, the CSV has more than %zu records",
		   nrec);
	ipcb_csvread_fini(&a);
	ipcb_csvread_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char bom[3] = {'\xef', '\xbb', '\xbf'};
	/* Small enough that short inputs hit them, varied so every boundary gets its turn. */
	size_t max_record_bytes = 1 + size % 97, max_fields = 1 + size % 11;
	unsigned long line_a = 0, line_b = 0, line_c = 0;
	struct strbuf written = {NULL, 0, 0};
	struct ipcb_csvread a, b, c;
	bool c_live = true;
	struct input in;
	size_t nrec = 0;
	FILE *f = NULL;
	char *buf;

	/* A heap copy of exactly size bytes: ASan then catches a read past the end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	in.buf = buf;
	in.len = size;
	in.bom = size >= 3 && memcmp(buf, bom, 3) == 0 ? 3 : 0;
	in.lines = 1;
	for (size_t i = 0; i < size; i++)
		in.lines += buf[i] == '\n';

	FUZZ_CHECK(ipcb_csvread_init_buffer(&a, buf, size, 0, 0) == 0, "init");
	FUZZ_CHECK(ipcb_csvread_init_buffer(&c, buf, size, max_record_bytes, max_fields) == 0,
		   "init");
	/* glibc's fmemopen() refuses an empty buffer; A covers that case alone. */
	if (size)
		f = fmemopen(buf, size, "r");
	if (f)
		FUZZ_CHECK(ipcb_csvread_init_file(&b, f, 0, 0) == 0, "init");
	for (;;) {
		int ra = ipcb_csvread_next(&a);

		if (f) {
			int rb = ipcb_csvread_next(&b);

			check_same(&a, ra, &b, rb);
			check_result(&b, rb, &in, &line_b);
		}
		if (c_live) {
			int rc = ipcb_csvread_next(&c);

			check_limited(&a, ra, &c, rc);
			check_result(&c, rc, &in, &line_c);
			c_live = rc == 1;
		}
		/* Last: check_result() on an error reads again, which must change nothing. */
		check_result(&a, ra, &in, &line_a);
		if (ra != 1)
			break;
		write_record(&written, &a);
		nrec++;
	}
	ipcb_csvread_fini(&a);
	ipcb_csvread_fini(&a); /* the header promises a second fini is harmless */
	ipcb_csvread_fini(&c);
	if (f) {
		ipcb_csvread_fini(&b);
		fclose(f);
	}
	check_round_trip(&in, &written, nrec);
	free(written.s);
	free(buf);
	return 0;
}
