/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gbjson.c - libFuzzer target for the JSON reader and Google Benchmark's format behind
 * `ipcbench compare` of --json files.
 *
 * Each input is parsed as JSON. An error must point inside the input (a line it has, a column
 * within that line or just past its end). A document that parses is written back (strings with
 * the JSON string writer, numbers as they were read) and parsed again: the two trees must be the
 * same. Then the input is read as Google Benchmark's JSON: what comes out must be a CSV whose
 * header is ipcbench's and whose records are as many as the benchmarks taken, each with every
 * column; written as JSON again, that CSV must parse, with one benchmark per record.
 */
#include <errno.h>
#include <stdbool.h>

#include "csvread.h"
#include "csvschema.h"
#include "fuzz.h"
#include "gbjson.h"
#include "json.h"

static void write_value(FILE *f, const struct ipcb_json *v)
{
	switch (v->type) {
	case IPCB_JSON_NULL:
		fputs("null", f);
		break;
	case IPCB_JSON_FALSE:
		fputs("false", f);
		break;
	case IPCB_JSON_TRUE:
		fputs("true", f);
		break;
	case IPCB_JSON_NUMBER:
		fputs(v->text, f);
		break;
	case IPCB_JSON_STRING:
		ipcb_json_write_string(f, v->text);
		break;
	case IPCB_JSON_ARRAY:
	case IPCB_JSON_OBJECT:
		fputc(v->type == IPCB_JSON_ARRAY ? '[' : '{', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputc(',', f);
			if (v->type == IPCB_JSON_OBJECT) {
				ipcb_json_write_string(f, v->keys[i]);
				fputc(':', f);
			}
			write_value(f, &v->items[i]);
		}
		fputc(v->type == IPCB_JSON_ARRAY ? ']' : '}', f);
		break;
	}
}

static void check_same(const struct ipcb_json *a, const struct ipcb_json *b)
{
	FUZZ_CHECK(a->type == b->type, "types %d and %d", a->type, b->type);
	FUZZ_CHECK(!a->text == !b->text && (!a->text || strcmp(a->text, b->text) == 0),
		   "texts '%s' and '%s'", a->text ? a->text : "", b->text ? b->text : "");
	FUZZ_CHECK(a->n == b->n, "%zu and %zu members", a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (a->type == IPCB_JSON_OBJECT)
			FUZZ_CHECK(strcmp(a->keys[i], b->keys[i]) == 0, "keys '%s' and '%s'",
				   a->keys[i], b->keys[i]);
		check_same(&a->items[i], &b->items[i]);
	}
}

/* The error's place is in the input: an existing line, a column at most one past its end. */
static void check_error_place(const char *buf, size_t size, const struct ipcb_json_error *err)
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
	struct ipcb_json doc;
	struct ipcb_json_error err;
	const struct ipcb_json *bms;
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
	rc = ipcb_json_parse(json, len, &doc, &err);
	FUZZ_CHECK(rc == 0, "what was written does not parse: %lu:%lu: %s", err.line, err.col,
		   err.msg);
	bms = ipcb_json_get(&doc, "benchmarks");
	FUZZ_CHECK(bms && bms->type == IPCB_JSON_ARRAY, "no benchmarks array written");
	/* One iteration a row, then the repeated ones' aggregates: four each, after every row. */
	for (size_t i = 0; i < bms->n; i++) {
		const struct ipcb_json *t = ipcb_json_get(&bms->items[i], "run_type");
		bool agg = t && t->type == IPCB_JSON_STRING && !strcmp(t->text, "aggregate");

		FUZZ_CHECK(agg == (i >= c->rows), "benchmark %zu of %zu rows is %s", i + 1, c->rows,
			   agg ? "an aggregate" : "a row's");
	}
	FUZZ_CHECK(bms->n >= c->rows && (bms->n - c->rows) % 4 == 0,
		   "%zu benchmarks written for %zu rows", bms->n, c->rows);
	ipcb_json_free(&doc);
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipcb_json root, again;
	struct ipcb_json_error err;
	struct ipcb_gbjson_csv csv;
	char *buf, *out = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	/* A heap copy of exactly size bytes: ASan then catches a read past the end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	rc = ipcb_json_parse(buf, size, &root, &err);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "parse returned %d", rc);
	if (rc) {
		check_error_place(buf, size, &err);
	} else {
		f = open_memstream(&out, &len);
		FUZZ_CHECK(f != NULL, "out of memory");
		write_value(f, &root);
		fclose(f);
		rc = ipcb_json_parse(out, len, &again, &err);
		FUZZ_CHECK(rc == 0, "written back, it does not parse: %lu:%lu: %s (%s)", err.line,
			   err.col, err.msg, out);
		check_same(&root, &again);
		ipcb_json_free(&again);
		free(out);
	}
	ipcb_json_free(&root);

	rc = ipcb_gbjson_to_csv(buf, size, &csv, &err);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "to_csv returned %d", rc);
	if (rc == 0)
		check_csv(&csv);
	ipcb_gbjson_csv_fini(&csv);
	free(buf);
	return 0;
}
