/* SPDX-License-Identifier: MIT */
/*
 * rows.h - an ipcbench CSV (or its Google Benchmark JSON) read once, whole, into memory: every
 * record's fields by the column table's enum (csvschema.h). The one loader of every command
 * that reads rows: report, compare, the history's import.
 *
 * The file is read in one pass, from a path (a pipe too: nothing seeks) or from a buffer. A
 * file whose first byte other than white space is '{' is Google Benchmark's JSON (ipcbench
 * --json), turned into the CSV it was written from (gbjson.h). Columns the table does not know
 * are ignored, so older and newer files read; a header repeated by concatenation is skipped.
 *
 * Every message names the source and the line: "run.csv:12: column p50_ns: 'fast' is not a
 * number" (for JSON, the line where the record's benchmark begins).
 */
#ifndef IPCB_ROWS_H
#define IPCB_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvschema.h"

struct ipcb_rows {
	char name[256];		  /* the source, as messages name it */
	size_t n;		  /* records, the header not counted */
	bool has[IPCB_CSV_NCOLS]; /* the header names the column */
	bool json;		  /* read from Google Benchmark's JSON */
	/* Private: the fields' text, one arena, and per record its offsets and line (benchmark). */
	char *text;
	size_t text_len, text_cap;
	uint32_t *off; /* n * IPCB_CSV_NCOLS; UINT32_MAX: the column is absent */
	unsigned long *line;
	size_t cap;
};

/*
 * Read path into rs. 0, or a negative errno with err saying what failed: -ENOENT and the like
 * (the file), -EINVAL (malformed: a quote, a record with another number of fields than the
 * header, a missing header), -E2BIG (beyond IPCB_ROWS_MAX records), -ENOMEM. A header without
 * records reads as no rows: what that means is the caller's to say. rs is empty and may be freed
 * whatever the result. A path of `-` reads standard input (named "standard input" in messages),
 * which can be read once: a command taking two files takes it for one of them at most.
 */
int ipcb_rows_read(struct ipcb_rows *rs, const char *path, char *err, size_t errlen);
/* Whether path names standard input (`-`) to ipcb_rows_read(). */
bool ipcb_rows_is_stdin(const char *path);
/* The same from buf[0..len), named name in messages. */
int ipcb_rows_read_buffer(struct ipcb_rows *rs, const char *name, const char *buf, size_t len,
			  char *err, size_t errlen);
void ipcb_rows_free(struct ipcb_rows *rs);

/* The most records a source may hold: a CSV of runs, not of messages. */
#define IPCB_ROWS_MAX (4u << 20)

/* Column c of record i: its text, "" where empty or absent. */
const char *ipcb_rows_get(const struct ipcb_rows *rs, size_t i, enum ipcb_csv_column c);
/* The line record i came from (its benchmark's place in JSON); 0 where there is no record i. */
unsigned long ipcb_rows_line(const struct ipcb_rows *rs, size_t i);
/*
 * Where record i came from, for a message: "FILE:LINE" of a CSV, "FILE: benchmark N" of JSON
 * (its place in "benchmarks", from 1). Returns buf.
 */
#define IPCB_ROWS_WHERE_BYTES 300
const char *ipcb_rows_where(const struct ipcb_rows *rs, size_t i, char *buf, size_t n);
/*
 * Column c of record i as a number: NAN where empty or absent; a field that is not a number to
 * its end, or is negative when nonneg, is -EINVAL with err naming source, line, column and text.
 */
int ipcb_rows_num(const struct ipcb_rows *rs, size_t i, enum ipcb_csv_column c, bool nonneg,
		  double *out, char *err, size_t errlen);

#endif /* IPCB_ROWS_H */
