/* SPDX-License-Identifier: MIT */
/*
 * csvread.h - a streaming RFC 4180 CSV reader with bounded memory and precise errors.
 *
 * Input is either a FILE * (read in chunks, never slurped) or a caller's buffer. Records are
 * returned one at a time; the reader keeps only the current record, at most `max_record_bytes`
 * of field text and `max_fields` fields, so memory stays bounded whatever the input.
 *
 * The dialect (RFC 4180, plus what real files carry):
 *  - fields are separated by ',' and records end with "\n" or "\r\n" (a final record may lack
 *    its line ending);
 *  - a field that starts with '"' is quoted: it ends at the next lone '"', "" inside it stands for
 *    one '"', and commas, '\r' and '\n' inside it are data (so a record may span lines);
 *  - after a closing quote only ',' or the end of the record may follow;
 *  - a '"' inside an unquoted field is an error (RFC 4180 forbids it; accepting it would hide a
 *    broken writer);
 *  - an empty line (no bytes at all before its line ending) is skipped, not a record of one
 *    empty field;
 *  - a UTF-8 byte order mark at the very start is skipped; a NUL byte anywhere is an error, since
 *    fields are handed out as C strings.
 *
 * Errors fill `err` (the physical line and byte column where the problem is, the 1-based field
 * number, and a message without the file name, so the caller can prefix it); the reader is then
 * finished: further calls return the same error.
 */
#ifndef IPCB_CSVREAD_H
#define IPCB_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES (64 * 1024)
#define IPCB_CSVREAD_DEFAULT_MAX_FIELDS	      1024
#define IPCB_CSVREAD_CHUNK_BYTES	      (64 * 1024)

struct ipcb_csvread_error {
	unsigned long line; /* 1-based physical line */
	unsigned long col;  /* 1-based byte column in that line; 0 = the line as a whole */
	size_t field;	    /* 1-based field number in the record; 0 = not about one field */
	char msg[160];
};

struct ipcb_csvread {
	/* source: exactly one of f and buf */
	FILE *f;
	const char *buf;
	size_t buf_len, buf_pos;
	char *chunk; /* FILE input: the current chunk */
	size_t chunk_len, chunk_pos;
	int pushback; /* one byte read ahead after '\r', or -1 */
	bool at_start, done;

	/* the current record: field i is text + field_off[i], NUL-terminated */
	char *text;
	size_t text_len, text_cap;
	size_t *field_off;
	size_t nfields, fields_cap;
	size_t max_record_bytes, max_fields;

	unsigned long line, col;   /* position of the next byte */
	unsigned long record_line; /* line where the current record starts */
	int status;		   /* sticky: 0 or the error returned */
	struct ipcb_csvread_error err;
};

/*
 * Read CSV from f (not closed by the reader). max_record_bytes and max_fields of 0 mean the
 * defaults above. Returns 0 or -EINVAL (NULL f). No allocation happens until the first read.
 */
int ipcb_csvread_init_file(struct ipcb_csvread *r, FILE *f, size_t max_record_bytes,
			   size_t max_fields);

/* Read CSV from buf[0..len) (not copied: it must outlive the reader). As above otherwise. */
int ipcb_csvread_init_buffer(struct ipcb_csvread *r, const char *buf, size_t len,
			     size_t max_record_bytes, size_t max_fields);

/* Free what the reader allocated. Safe on a reader that never read, and twice. */
void ipcb_csvread_fini(struct ipcb_csvread *r);

/*
 * Read the next record. Returns 1 (a record: see nfields/field), 0 (end of input, no record),
 * or a negative errno with r->err filled: -EBADMSG malformed CSV (quotes, NUL byte), -E2BIG a
 * record longer than max_record_bytes or with more than max_fields fields, -EIO a read error,
 * -ENOMEM. The previous record's fields are invalid once this is called.
 */
int ipcb_csvread_next(struct ipcb_csvread *r);

/* Fields of the current record. */
size_t ipcb_csvread_nfields(const struct ipcb_csvread *r);
/* Field i (0-based, < nfields) as a NUL-terminated string, quotes removed and "" unescaped. */
const char *ipcb_csvread_field(const struct ipcb_csvread *r, size_t i);
/* Line where the current record (or the failed one) starts. */
unsigned long ipcb_csvread_record_line(const struct ipcb_csvread *r);

#endif /* IPCB_CSVREAD_H */
