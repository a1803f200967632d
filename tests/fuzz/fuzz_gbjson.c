/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gbjson.c - libFuzzer target for Google Benchmark's format behind `ipcbench compare` of
 * --json files (read and written through Jansson, with ipcbench's rules: json.h).
 *
 * Each input is read as Google Benchmark's JSON. A document refused as malformed must be refused
 * at a place inside the input (a line it has, a column within that line or just past its end);
 * one refused for what it holds names a message. What comes out of one taken must be a CSV whose
 * header is ipcbench's and whose records are as many as the benchmarks taken, each with every
 * column; written as JSON again, that CSV must parse, with one benchmark per record, and read
 * back with as many.
 */
#include <errno.h>
#include <stdbool.h>

#include "csvread.h"
#include "csvschema.h"
#include "fuzz.h"
#include "gbjson.h"
#include "json.h"

/* The error's place is in the input: an existing line, a column at most one past its end. */
static void check_error_place(const char *buf, size_t size, const struct ipcb_gbjson_error *err)
{
	unsigned long line = 1;
	size_t start = 0, end;

	for (size_t i = 0; i < size && line < err->line; i++)
		if (buf[i] == '\n') {
			line++;
			start = i + 1;
		}
	FUZZ_CHECK(line == err->line, "error on line %lu of an input of %lu lines", err->line,
		   line);
	for (end = start; end < size && buf[end] != '\n'; end++)
		;
	FUZZ_CHECK(err->col >= 1 && err->col <= end - start + 1,
		   "error at column %lu of a line of %zu bytes", err->col, end - start);
	FUZZ_CHECK(err->msg[0], "an error without a message");
}

static void check_csv(const struct ipcb_gbjson_csv *c)
{
	static const struct ipcb_gbjson_context ctx = {"2026-01-01T00:00:00+00:00", "fuzz", 1};
	struct ipcb_csvread r;
	struct ipcb_gbjson_csv again;
	struct ipcb_gbjson_error err;
	json_error_t jerr;
	json_t *doc;
	const json_t *bms;
	size_t records = 0, len = 0;
	char *json = NULL, why[256];
	FILE *f;
	int rc;

	FUZZ_CHECK(ipcb_csvread_init_buffer(&r, c->csv, c->len, 0, 0) == 0, "init");
	rc = ipcb_csvread_next(&r);
	FUZZ_CHECK(rc > 0, "no header (%d)", rc);
	FUZZ_CHECK(ipcb_csvread_nfields(&r) == IPCB_CSV_NCOLS, "a header of %zu fields",
		   ipcb_csvread_nfields(&r));
	while ((rc = ipcb_csvread_next(&r)) > 0) {
		/* A field longer than a record may hold is the one way a record can be refused. */
		FUZZ_CHECK(ipcb_csvread_nfields(&r) == IPCB_CSV_NCOLS, "a record of %zu fields",
			   ipcb_csvread_nfields(&r));
		records++;
	}
	FUZZ_CHECK(rc == 0 || rc == -E2BIG, "the CSV does not read: %s", r.err.msg);
	FUZZ_CHECK(rc != 0 || records == c->rows, "%zu records for %zu rows", records, c->rows);
	ipcb_csvread_fini(&r);
	if (rc != 0)
		return;

	f = open_memstream(&json, &len);
	FUZZ_CHECK(f != NULL, "out of memory");
	rc = ipcb_gbjson_write(f, c->csv, c->len, &ctx, why, sizeof(why));
	fclose(f);
	FUZZ_CHECK(rc == 0, "the CSV read back does not write: %s", why);
	doc = json_loadb(json, len, IPCB_JSON_LOAD_FLAGS, &jerr);
	FUZZ_CHECK(doc != NULL, "what was written does not parse: %d:%d: %s", jerr.line,
		   jerr.column, jerr.text);
	bms = json_object_get(doc, "benchmarks");
	FUZZ_CHECK(json_is_array(bms), "no benchmarks array written");
	/* One iteration a row, then the repeated ones' aggregates: four each, after every row. */
	for (size_t i = 0; i < json_array_size(bms); i++) {
		const char *t =
		    json_string_value(json_object_get(json_array_get(bms, i), "run_type"));
		bool agg = t && !strcmp(t, "aggregate");

		FUZZ_CHECK(agg == (i >= c->rows), "benchmark %zu of %zu rows is %s", i + 1, c->rows,
			   agg ? "an aggregate" : "a row's");
	}
	FUZZ_CHECK(json_array_size(bms) >= c->rows && (json_array_size(bms) - c->rows) % 4 == 0,
		   "%zu benchmarks written for %zu rows", json_array_size(bms), c->rows);
	json_decref(doc);
	/*
	 * What was written reads back, a record per row (not the same text: a number column's
	 * text that is no number was written as null).
	 */
	rc = ipcb_gbjson_to_csv(json, len, &again, &err);
	FUZZ_CHECK(rc == 0, "what was written does not read back: %s", err.msg);
	FUZZ_CHECK(again.rows == c->rows, "%zu rows read back of %zu", again.rows, c->rows);
	ipcb_gbjson_csv_fini(&again);
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipcb_gbjson_error err;
	struct ipcb_gbjson_csv csv;
	char *buf;
	int rc;

	/* A heap copy of exactly size bytes: ASan then catches a read past the end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	rc = ipcb_gbjson_to_csv(buf, size, &csv, &err);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "to_csv returned %d", rc);
	if (rc && err.line)
		check_error_place(buf, size, &err);
	else if (rc)
		FUZZ_CHECK(err.msg[0], "a refusal without a message");
	else
		check_csv(&csv);
	ipcb_gbjson_csv_fini(&csv);
	free(buf);
	return 0;
}
