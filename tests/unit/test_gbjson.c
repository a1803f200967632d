/* SPDX-License-Identifier: MIT */
/*
 * test_gbjson.c - the JSON reader takes what RFC 8259 allows and refuses the rest with the line
 * and column; strings written as JSON read back; rows written in Google Benchmark's format are
 * named as gbjson.h says, counted as repetitions, and read back as the very CSV they came from.
 *
 *   test_gbjson             the checks on values made here
 *   test_gbjson CSV JSON    also: JSON (ipcbench --json) read back is CSV (ipcbench --csv of the
 *                           same run), byte for byte
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "csvschema.h"
#include "gbjson.h"
#include "json.h"

/* ---- the reader ---- */

static void check_valid(void)
{
	const char *doc = "\xef\xbb\xbf {\"a\": [1, -2.5e3, true, false, null, "
			  "\"x\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"],\r\n\t\"b\": {}, \"c\": [], "
			  "\"d\": -0.0, \"e\": 1E+2, \"a\": 7}";
	struct ipcb_json root;
	struct ipcb_json_error err;
	const struct ipcb_json *a, *b;
	int rc = ipcb_json_parse(doc, strlen(doc), &root, &err);

	ok(rc == 0, "a document with every kind of value parses (%s)", rc ? err.msg : "ok");
	if (rc) {
		ipcb_json_free(&root);
		return;
	}
	a = ipcb_json_get(&root, "a");
	ok(a && a->type == IPCB_JSON_ARRAY && a->n == 6, "an array of six values");
	ok(a && a->n == 6 && strcmp(a->items[0].text, "1") == 0 &&
	       strcmp(a->items[1].text, "-2.5e3") == 0 && a->items[2].type == IPCB_JSON_TRUE &&
	       a->items[3].type == IPCB_JSON_FALSE && a->items[4].type == IPCB_JSON_NULL,
	   "numbers kept as written, booleans and null");
	ok(a && a->n == 6 && a->items[5].type == IPCB_JSON_STRING &&
	       strcmp(a->items[5].text, "x\xc3\xa9\xf0\x9f\x98\x80\n\"\\/") == 0,
	   "escapes decoded: \\u00e9, a surrogate pair, \\n, \\\", \\\\ and \\/");
	b = ipcb_json_get(&root, "b");
	ok(b && b->type == IPCB_JSON_OBJECT && b->n == 0 && b->line == 2 && b->col == 7,
	   "an empty object, and where it starts (line 2, column 7)");
	ok(strcmp(ipcb_json_get(&root, "d")->text, "-0.0") == 0 &&
	       strcmp(ipcb_json_get(&root, "e")->text, "1E+2") == 0,
	   "-0.0 and 1E+2");
	ok(root.n == 6 && ipcb_json_get(&root, "a") == &root.items[0],
	   "a name given twice: both kept, the first found");
	ipcb_json_free(&root);
}

/* s with what would break a TAP line written as C escapes. */
static const char *shown(const char *s, char *out, size_t n)
{
	size_t len = 0;

	for (; *s && len + 5 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			len += (size_t)snprintf(out + len, n - len, "\\x%02x", c);
		else
			out[len++] = (char)c;
	}
	out[len] = '\0';
	return out;
}

static void check_invalid(void)
{
	static const struct {
		const char *doc;
		unsigned long line, col;
		const char *says;
	} bad[] = {
	    {"", 1, 1, "expected a value, found the end"},
	    {"   ", 1, 4, "expected a value"},
	    {"{", 1, 2, "expected a member's name"},
	    {"{\"a\" 1}", 1, 6, "expected ':'"},
	    {"{\"a\": 1,}", 1, 9, "expected a member's name"},
	    {"[1,]", 1, 4, "expected a value, found ']'"},
	    {"[01]", 1, 3, "expected ',' or ']'"},
	    {"[1 2]", 1, 4, "expected ',' or ']'"},
	    {"[1] 2", 1, 5, "after the value"},
	    {"\n\n  [nul]", 3, 4, "expected a value"},
	    {"-", 1, 1, "expected a value"},
	    {"1.", 1, 1, "expected a value"},
	    {".5", 1, 1, "expected a value"},
	    {"+1", 1, 1, "expected a value"},
	    {"NaN", 1, 1, "expected a value"},
	    {"\"abc", 1, 1, "without its closing quote"},
	    {"\"\\x\"", 1, 2, "not an escape"},
	    {"\"\\u12\"", 1, 4, "four hex digits"},
	    {"\"\\ud800\"", 1, 8, "lone surrogate"},
	    {"\"\\ude00\"", 1, 8, "lone surrogate"},
	    {"\"\\ud800\\u0041\"", 1, 14, "lone surrogate"},
	    {"\"\\u0000\"", 1, 8, "NUL"},
	    {"\"a\tb\"", 1, 3, "control character"},
	    {"\"\xff\"", 1, 2, "not UTF-8"},
	    {"\"\xc0\xaf\"", 1, 2, "not UTF-8"},
	    {"\"\xed\xa0\x80\"", 1, 2, "not UTF-8"},
	    {"\"\xf4\x90\x80\x80\"", 1, 2, "not UTF-8"},
	    {"[\"a\",\n  tru]", 2, 3, "expected a value"},
	};
	char deep[IPCB_JSON_MAX_DEPTH + 2];
	struct ipcb_json root;
	struct ipcb_json_error err;
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char doc[96];

		rc = ipcb_json_parse(bad[i].doc, strlen(bad[i].doc), &root, &err);
		if (!ok(rc == -EINVAL && err.line == bad[i].line && err.col == bad[i].col &&
			    strstr(err.msg, bad[i].says),
			"refused at %lu:%lu, saying '%s': %s", bad[i].line, bad[i].col, bad[i].says,
			shown(bad[i].doc, doc, sizeof(doc))))
			tap_diag("got %d at %lu:%lu: %s", rc, err.line, err.col, err.msg);
		ipcb_json_free(&root);
	}
	rc = ipcb_json_parse("[1\0]", 4, &root, &err);
	ok(rc == -EINVAL && err.col == 3 && strstr(err.msg, "NUL"), "a NUL byte is refused");
	ipcb_json_free(&root);
	memset(deep, '[', sizeof(deep));
	rc = ipcb_json_parse(deep, sizeof(deep), &root, &err);
	ok(rc == -EINVAL && strstr(err.msg, "nested more than"), "nesting past %d is refused",
	   IPCB_JSON_MAX_DEPTH);
	ipcb_json_free(&root);
	{
		char ok_deep[2 * IPCB_JSON_MAX_DEPTH];

		memset(ok_deep, '[', IPCB_JSON_MAX_DEPTH);
		memset(ok_deep + IPCB_JSON_MAX_DEPTH, ']', IPCB_JSON_MAX_DEPTH);
		rc = ipcb_json_parse(ok_deep, sizeof(ok_deep), &root, &err);
		ok(rc == 0, "nesting of exactly %d parses", IPCB_JSON_MAX_DEPTH);
		ipcb_json_free(&root);
	}
	ok(ipcb_json_is_number("-12.5e-3") && ipcb_json_is_number("0") &&
	       !ipcb_json_is_number("inf") && !ipcb_json_is_number("nan") &&
	       !ipcb_json_is_number("") && !ipcb_json_is_number("1.") &&
	       !ipcb_json_is_number("012"),
	   "what is a number: -12.5e-3 and 0 are, inf, nan, '', 1. and 012 are not");
}

/* s written as a JSON string and read back. */
static char *roundtrip_string(const char *s, char **json)
{
	struct ipcb_json root;
	struct ipcb_json_error err;
	size_t len = 0;
	char *back = NULL;
	FILE *f = open_memstream(json, &len);

	ipcb_json_write_string(f, s);
	fclose(f);
	if (ipcb_json_parse(*json, len, &root, &err) == 0 && root.type == IPCB_JSON_STRING)
		back = strdup(root.text);
	ipcb_json_free(&root);
	return back;
}

static void check_write_string(void)
{
	char *json = NULL, *back;

	back = roundtrip_string("a\"b\\c\n\t\r\x01\x7f\xc3\xa9/", &json);
	ok(back && strcmp(back, "a\"b\\c\n\t\r\x01\x7f\xc3\xa9/") == 0,
	   "quotes, backslashes, control characters and UTF-8 read back as written (%s)", json);
	free(back);
	free(json);
	back = roundtrip_string("x\xffy\xc3", &json);
	ok(back && strcmp(back, "x\xef\xbf\xbdy\xef\xbf\xbd") == 0,
	   "bytes that are not UTF-8 become U+FFFD, so the output always parses (%s)", json);
	free(back);
	free(json);
}

/* ---- Google Benchmark's format ---- */

static void check_names(void)
{
	static const struct {
		const char *set[7][2];
		const char *name;
	} cases[] = {
	    {{{"transport", "shm"},
	      {"mode", "latency"},
	      {"size_bytes", "65536"},
	      {"placement", "cross-core"},
	      {"latency_kind", "rtt"}},
	     "shm/latency/64K/cross-core/rtt"},
	    {{{"transport", "pipe"},
	      {"mode", "throughput"},
	      {"size_bytes", "1536"},
	      {"placement", "same-core"},
	      {"pairs", "1"},
	      {"topology", "1:1"}},
	     "pipe/throughput/1536/same-core"},
	    {{{"transport", "tcp"},
	      {"mode", "latency"},
	      {"size_bytes", "4096"},
	      {"inflight", "8"},
	      {"placement", "unpinned"},
	      {"latency_kind", "one_way_ab"}},
	     "tcp/latency/4K/unpinned/inflight8/one_way_ab"},
	    {{{"transport", "posix-mq"},
	      {"mode", "throughput"},
	      {"size_bytes", "64"},
	      {"placement", "cross-core"},
	      {"topology", "1:4"},
	      {"offered_rate", "100000.0"}},
	     "posix-mq/throughput/64/cross-core/topology1x4/rate100000"},
	    {{{"transport", "zmq-ipc"},
	      {"mode", "throughput"},
	      {"size_bytes", "65536"},
	      {"placement", "cross-core"},
	      {"topology", "1:3 all"},
	      {"latency_kind", "one_way_last"}},
	     "zmq-ipc/throughput/64K/cross-core/topology1x3all/one_way_last"},
	    {{{"transport", "shm"},
	      {"mode", "bistream"},
	      {"size_bytes", "1048576"},
	      {"placement", "cross-core"},
	      {"pairs", "2"},
	      {"latency_kind", "one_way_ba"}},
	     "shm/bistream/1M/cross-core/pairs2/one_way_ba"},
	    {{{"transport", "zmq-tcp"},
	      {"mode", "latency"},
	      {"size_bytes", "64"},
	      {"placement", "cross-core"},
	      {"options", "hwm=100"},
	      {"tuning", "hwm=100"},
	      {"latency_kind", "rtt"}},
	     "zmq-tcp/latency/64/cross-core/hwm=100/rtt"},
	    {{{"transport", "zmq-tcp"},
	      {"mode", "latency"},
	      {"size_bytes", "64"},
	      {"placement", "cross-core"},
	      {"options", "hwm=1000"},
	      {"latency_kind", "rtt"}},
	     "zmq-tcp/latency/64/cross-core/rtt"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *field[IPCB_CSV_NCOLS];
		char name[256];

		for (int c = 0; c < IPCB_CSV_NCOLS; c++)
			field[c] = "";
		for (int k = 0; k < 7 && cases[i].set[k][0]; k++) {
			int c = ipcb_csv_find(cases[i].set[k][0]);

			if (c >= 0)
				field[c] = cases[i].set[k][1];
		}
		ipcb_gbjson_name(field, name, sizeof(name));
		if (!ok(strcmp(name, cases[i].name) == 0, "benchmark name %s", cases[i].name))
			tap_diag("got %s", name);
	}
}

/*
 * A CSV of rows made here, through the column table: the same machine on every row (as in one
 * run), texts that need quoting, a repeated configuration and a value JSON has no number for.
 */
static char *make_csv(size_t *len, bool with_inf)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	fprintf(f, "%s\n", ipcb_csv_header());
	for (int row = 0; row < 5; row++) {
		struct ipcb_csv_record rec;
		int bad;

		ipcb_csv_record_init(&rec);
		for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
			const struct ipcb_csv_col *col = &ipcb_csv_cols[c];

			switch (col->how) {
			case IPCB_CSV_TEXT:
				ipcb_csv_set_text(&rec, (enum ipcb_csv_column)c, "text");
				break;
			case IPCB_CSV_INTEGER:
				ipcb_csv_set_uint(&rec, (enum ipcb_csv_column)c, 7 + (unsigned)c);
				break;
			case IPCB_CSV_DECIMAL:
				ipcb_csv_set_decimal(&rec, (enum ipcb_csv_column)c, 1.5 * c);
				break;
			}
		}
		ipcb_csv_set_text(&rec, IPCB_COL_TRANSPORT, row < 3 ? "shm" : "pipe");
		ipcb_csv_set_text(&rec, IPCB_COL_MODE, "latency");
		ipcb_csv_set_uint(&rec, IPCB_COL_SIZE_BYTES, 64);
		ipcb_csv_set_uint(&rec, IPCB_COL_RUN, row < 3 ? (unsigned)row + 1 : 1);
		ipcb_csv_set_text(&rec, IPCB_COL_PLACEMENT, row == 4 ? "same-core" : "cross-core");
		ipcb_csv_set_text(&rec, IPCB_COL_LATENCY_KIND, "rtt");
		ipcb_csv_set_text(&rec, IPCB_COL_TOPOLOGY, "1:1");
		/* Settings away from the defaults name a benchmark of their own: none here. */
		ipcb_csv_set_text(&rec, IPCB_COL_OPTIONS, "");
		ipcb_csv_set_text(&rec, IPCB_COL_TUNING, "");
		ipcb_csv_set_uint(&rec, IPCB_COL_PAIRS, 1);
		ipcb_csv_set_uint(&rec, IPCB_COL_INFLIGHT, 1);
		ipcb_csv_set_decimal(&rec, IPCB_COL_MSGS_PER_S, 2e6);
		ipcb_csv_set_text(&rec, IPCB_COL_CHANNEL,
				  "ring of 16 x 8 KiB, \"per\" direction\nok");
		ipcb_csv_set_text(&rec, IPCB_COL_CPU_MODEL, "CPU, with \"quotes\" \xc3\xa9");
		ipcb_csv_set_text(&rec, IPCB_COL_ISOLATED_CPUS, "2-3,6");
		/* Not measured: empty, and left out of the JSON. */
		rec.v[IPCB_COL_BYTES_PER_S].set = IPCB_CSV_UNSET;
		rec.v[IPCB_COL_OFFERED_RATE].set = IPCB_CSV_UNSET;
		if (with_inf && row == 1)
			ipcb_csv_set_decimal(&rec, IPCB_COL_X_FLOOR, INFINITY);
		ipcb_csv_record_write(f, &rec, &bad);
	}
	fclose(f);
	return buf;
}

static void check_write_read(void)
{
	static const struct ipcb_gbjson_context ctx = {"2026-11-22T10:00:00+00:00", "ipcbench", 2};
	struct ipcb_gbjson_csv back;
	struct ipcb_json_error err;
	struct ipcb_json root;
	const struct ipcb_json *bms, *context;
	char *json = NULL, *csv, why[256];
	size_t json_len = 0, csv_len;
	FILE *f;
	int rc;

	csv = make_csv(&csv_len, false);
	f = open_memstream(&json, &json_len);
	rc = ipcb_gbjson_write(f, csv, csv_len, &ctx, why, sizeof(why));
	fclose(f);
	ok(rc == 0, "five rows written as JSON");
	rc = ipcb_json_parse(json, json_len, &root, &err);
	ok(rc == 0, "the document parses (%s)", rc ? err.msg : "ok");
	bms = ipcb_json_get(&root, "benchmarks");
	context = ipcb_json_get(&root, "context");
	ok(bms && bms->type == IPCB_JSON_ARRAY && bms->n == 9,
	   "one benchmark per row, then the four aggregates of the one repeated");
	ok(context && ipcb_json_get(context, "caches") &&
	       ipcb_json_get(context, "caches")->type == IPCB_JSON_ARRAY &&
	       strcmp(ipcb_json_get(context, "date")->text, ctx.date) == 0 &&
	       strcmp(ipcb_json_get(context, "num_cpus")->text, "2") == 0 &&
	       strcmp(ipcb_json_get(context, ipcb_csv_name(IPCB_COL_CPU_MODEL))->text,
		      "CPU, with \"quotes\" \xc3\xa9") == 0,
	   "the context: date, num_cpus, caches, and the machine's columns");
	if (bms && bms->n == 9) {
		const struct ipcb_json *b0 = &bms->items[0], *b2 = &bms->items[2],
				       *b3 = &bms->items[3];
		static const char *const agg[4] = {"mean", "median", "stddev", "cv"};
		bool aggs = true;

		for (int a = 0; a < 4; a++) {
			const struct ipcb_json *b = &bms->items[5 + a];
			char name[64];

			snprintf(name, sizeof(name), "shm/latency/64/cross-core/rtt_%s", agg[a]);
			aggs = aggs && !strcmp(ipcb_json_get(b, "name")->text, name) &&
			       !strcmp(ipcb_json_get(b, "run_name")->text,
				       "shm/latency/64/cross-core/rtt") &&
			       !strcmp(ipcb_json_get(b, "run_type")->text, "aggregate") &&
			       !strcmp(ipcb_json_get(b, "aggregate_name")->text, agg[a]) &&
			       !strcmp(ipcb_json_get(b, "aggregate_unit")->text,
				       a == 3 ? "percentage" : "time") &&
			       !strcmp(ipcb_json_get(b, "repetitions")->text, "3") &&
			       !strcmp(ipcb_json_get(b, "iterations")->text, "3") &&
			       !strcmp(ipcb_json_get(b, "real_time")->text, a < 2 ? "500" : "0") &&
			       !strcmp(ipcb_json_get(b, "items_per_second")->text,
				       a < 2 ? "2000000" : "0") &&
			       !ipcb_json_get(b, "bytes_per_second") &&
			       !ipcb_json_get(b, "repetition_index");
		}
		ok(aggs, "the repeated benchmark's _mean, _median, _stddev and _cv, as Google "
			 "Benchmark names and writes them, of its three repetitions");

		ok(strcmp(ipcb_json_get(b0, "name")->text, "shm/latency/64/cross-core/rtt") == 0 &&
		       strcmp(ipcb_json_get(b0, "repetitions")->text, "3") == 0 &&
		       strcmp(ipcb_json_get(b0, "repetition_index")->text, "0") == 0 &&
		       strcmp(ipcb_json_get(b2, "repetition_index")->text, "2") == 0 &&
		       strcmp(ipcb_json_get(b3, "repetitions")->text, "1") == 0,
		   "three repeats share a name, with repetitions 3 and their index");
		ok(strcmp(ipcb_json_get(b0, "real_time")->text, "500") == 0 &&
		       strcmp(ipcb_json_get(b0, "time_unit")->text, "ns") == 0 &&
		       strcmp(ipcb_json_get(b0, "items_per_second")->text, "2000000.0") == 0 &&
		       !ipcb_json_get(b0, "bytes_per_second"),
		   "real_time 1e9 / msgs_per_s in ns; items_per_second; no bytes_per_second when "
		   "not measured");
		ok(!ipcb_json_get(b0, ipcb_csv_name(IPCB_COL_CPU_MODEL)) &&
		       !ipcb_json_get(b0, ipcb_csv_name(IPCB_COL_BYTES_PER_S)) &&
		       ipcb_json_get(b0, ipcb_csv_name(IPCB_COL_P99_NS))->type ==
			   IPCB_JSON_NUMBER &&
		       ipcb_json_get(b0, ipcb_csv_name(IPCB_COL_WAIT))->type == IPCB_JSON_STRING,
		   "a benchmark has no machine columns and no empty ones; counters are numbers, "
		   "texts strings");
	}
	ipcb_json_free(&root);

	rc = ipcb_gbjson_to_csv(json, json_len, &back, &err);
	ok(rc == 0 && back.rows == 5, "the JSON reads back (%s)", rc ? err.msg : "5 rows");
	ok(rc == 0 && back.len == csv_len && memcmp(back.csv, csv, csv_len) == 0,
	   "as the very CSV it was written from");
	if (rc == 0 && (back.len != csv_len || memcmp(back.csv, csv, csv_len) != 0))
		tap_diag("wrote:\n%s\nread back:\n%s", csv, back.csv);
	ok(rc == 0 && back.rows == 5 && back.line[0] == 25,
	   "each row knows the line where its benchmark begins (%lu)", rc ? 0 : back.line[0]);
	ipcb_gbjson_csv_fini(&back);
	free(json);
	free(csv);

	/* inf has no JSON number: null, read back as not measured. */
	csv = make_csv(&csv_len, true);
	json = NULL;
	f = open_memstream(&json, &json_len);
	rc = ipcb_gbjson_write(f, csv, csv_len, &ctx, why, sizeof(why));
	fclose(f);
	rc = rc ? rc : ipcb_gbjson_to_csv(json, json_len, &back, &err);
	ok(rc == 0 && strstr(json, "\"x_floor\": null"), "a value JSON cannot hold is null");
	ipcb_gbjson_csv_fini(&back);
	free(json);
	free(csv);
}

static void check_read_errors(void)
{
	static const struct {
		const char *doc, *says;
		unsigned long line;
	} bad[] = {
	    {"[]", "is an array", 1},
	    {"{\"context\": {}}", "no \"benchmarks\" array", 1},
	    {"{\"benchmarks\": {}}", "is an object, not an array", 1},
	    {"{\"context\": [], \"benchmarks\": []}", "\"context\" is an array", 1},
	    {"{\"benchmarks\": [\n{\"name\": \"x\"},\n 3]}", "benchmark 2 is a number", 3},
	    {"{\"benchmarks\": [\n{\"name\": \"x\",\n \"p50_ns\": [1]}]}", "\"p50_ns\" is an array",
	     3},
	    {"{\"benchmarks\": [\n{\"name\": \"x\",\n \"transport\": {\"a\": 1}}]}",
	     "\"transport\" is an object", 3},
	};
	struct ipcb_gbjson_csv back;
	struct ipcb_json_error err;
	const char *agg =
	    "{\"context\": {\"kernel\": \"6.1\"}, \"benchmarks\": [\n"
	    "{\"name\": \"a\", \"transport\": \"pipe\", \"p50_ns\": 5},\n"
	    "{\"name\": \"a_mean\", \"run_type\": \"aggregate\", \"transport\": "
	    "\"pipe\"},\n"
	    "{\"name\": \"b\", \"transport\": \"tcp\", \"kernel\": \"6.2\", \"p99_ns\": "
	    "null}]}";
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = ipcb_gbjson_to_csv(bad[i].doc, strlen(bad[i].doc), &back, &err);
		if (!ok(rc == -EINVAL && strstr(err.msg, bad[i].says) && err.line == bad[i].line,
			"refused, saying '%s' at line %lu", bad[i].says, bad[i].line))
			tap_diag("got %d at %lu: %s", rc, err.line, err.msg);
		ipcb_gbjson_csv_fini(&back);
	}
	rc = ipcb_gbjson_to_csv(agg, strlen(agg), &back, &err);
	ok(rc == 0 && back.rows == 2 && back.line[0] == 2 && back.line[1] == 4,
	   "aggregate entries are left out; each row has its benchmark's line");
	ok(rc == 0 && strstr(back.csv, "\npipe,") && strstr(back.csv, ",6.1,") &&
	       strstr(back.csv, "\ntcp,") && strstr(back.csv, ",6.2,"),
	   "a machine column comes from the context unless the benchmark has its own");
	ipcb_gbjson_csv_fini(&back);
	ok(ipcb_gbjson_sniff(" \n{", 3) && ipcb_gbjson_sniff("\xef\xbb\xbf{", 4) &&
	       !ipcb_gbjson_sniff("transport,mode", 14) && !ipcb_gbjson_sniff("  ", 2),
	   "JSON is told from CSV by its first character");
}

/* ---- a real run's files ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
	} while (got > 0);
	fclose(f);
	return buf;
}

static void check_files(const char *csv_path, const char *json_path)
{
	struct ipcb_gbjson_csv back;
	struct ipcb_json_error err;
	size_t csv_len, json_len;
	char *csv = slurp(csv_path, &csv_len), *json = slurp(json_path, &json_len);
	int rc;

	ok(csv && json, "%s and %s read", csv_path, json_path);
	if (!csv || !json) {
		free(csv);
		free(json);
		return;
	}
	rc = ipcb_gbjson_to_csv(json, json_len, &back, &err);
	ok(rc == 0, "%s reads (%s)", json_path, rc ? err.msg : "ok");
	ok(rc == 0 && back.len == csv_len && memcmp(back.csv, csv, csv_len) == 0,
	   "%s read back is %s, byte for byte (%zu rows)", json_path, csv_path, back.rows);
	ipcb_gbjson_csv_fini(&back);
	free(csv);
	free(json);
}

int main(int argc, char **argv)
{
	check_valid();
	check_invalid();
	check_write_string();
	check_names();
	check_write_read();
	check_read_errors();
	if (argc == 3)
		check_files(argv[1], argv[2]);
	return tap_done();
}
