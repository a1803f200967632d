/* SPDX-License-Identifier: MIT */
/*
 * test_gbjson.c - JSON as ipcbench reads it (through Jansson: strictly, refusing with the line and
 * column) and writes it (numbers as the CSV holds them, strings that always parse); rows written
 * in Google Benchmark's format are named as gbjson.h says, counted as repetitions, and read back
 * as the very CSV they came from.
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

/* ---- the rules ipcbench writes and reads JSON by (json.h) ---- */

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

/* What is refused before a row is read: with the line and column Jansson found it at. */
static void check_strict(void)
{
	static const struct {
		const char *doc;
		unsigned long line, col;
		const char *why;
	} bad[] = {
	    {"", 1, 1, "no document"},
	    {"{\"benchmarks\": [1,]}", 1, 19, "a comma before ]"},
	    {"{\"benchmarks\": []} 2", 1, 20, "something after the value"},
	    {"{\"benchmarks\": [], \"benchmarks\": []}", 1, 31, "a key twice"},
	    {"{\"benchmarks\": [{\"name\": \"\\u0000\"}]}", 1, 33, "\\u0000"},
	    {"{\"benchmarks\": [{\"name\": \"\xff\"}]}", 1, 26, "bytes that are not UTF-8"},
	    {"{\"benchmarks\": [{\"name\": \"\xed\xa0\x80\"}]}", 1, 26, "a surrogate in UTF-8"},
	    {"{\"benchmarks\": [{\"p50_ns\": NaN}]}", 1, 30, "NaN"},
	    {"{\"benchmarks\": [{\"p50_ns\": 01}]}", 1, 28, "a leading zero"},
	    {"{\n\"benchmarks\": [\n  tru]}", 3, 5, "a word that is no value"},
	};
	struct ipcb_gbjson_csv back;
	struct ipcb_gbjson_error err;
	char *deep;
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char doc[96];

		rc = ipcb_gbjson_to_csv(bad[i].doc, strlen(bad[i].doc), &back, &err);
		if (!ok(rc == -EINVAL && err.line == bad[i].line && err.col == bad[i].col &&
			    err.msg[0],
			"%s refused at %lu:%lu: %s", bad[i].why, bad[i].line, bad[i].col,
			shown(bad[i].doc, doc, sizeof(doc))))
			tap_diag("got %d at %lu:%lu: %s", rc, err.line, err.col, err.msg);
		ipcb_gbjson_csv_fini(&back);
	}
	rc = ipcb_gbjson_to_csv("{\"benchmarks\": [\0]}", 19, &back, &err);
	ok(rc == -EINVAL && err.line == 1, "a NUL byte is refused (%s)", err.msg);
	ipcb_gbjson_csv_fini(&back);
	/* Nesting far past any document's: refused, not a crash. */
	deep = malloc(100016);
	if (deep) {
		memcpy(deep, "{\"benchmarks\": ", 15);
		memset(deep + 15, '[', 100000);
		rc = ipcb_gbjson_to_csv(deep, 100015, &back, &err);
		ok(rc == -EINVAL && err.msg[0], "nesting 100000 deep is refused (%s)", err.msg);
		ipcb_gbjson_csv_fini(&back);
		free(deep);
	}
	rc = ipcb_gbjson_to_csv("\xef\xbb\xbf{\"benchmarks\": []}", 21, &back, &err);
	ok(rc == 0 && back.rows == 0, "a byte order mark before the document is read past");
	ipcb_gbjson_csv_fini(&back);
}

/* v written as ipcbench writes JSON, the text in *out. */
static void dumped(json_t *v, char *out, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = -1;

	out[0] = '\0';
	if (f) {
		if (v)
			rc = json_dumpf(
			    v, f, JSON_ENCODE_ANY | JSON_REAL_PRECISION(IPCB_JSON_REAL_DIGITS));
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc == 0)
		snprintf(out, n, "%s", buf);
	free(buf);
	json_decref(v);
}

static void check_values(void)
{
	static const struct {
		const char *csv, *json;
	} numbers[] = {
	    {"12", "12"},
	    {"-7", "-7"},
	    {"136.3", "136.3"},
	    {"2000000.0", "2000000.0"},
	    {"0.500", "0.5"},
	    {"-12.5e-3", "-0.0125"},
	    {"99999999999999999999", "1e20"},
	    {"inf", "null"},
	    {"nan", "null"},
	    {"", "null"},
	    {"0x10", "null"},
	    {" 1", "null"},
	};
	char out[128], csv[48], esc[64];
	json_t *v, *back;
	json_error_t jerr;

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		dumped(ipcb_json_number_text(numbers[i].csv), out, sizeof(out));
		if (!ok(strcmp(out, numbers[i].json) == 0, "the CSV's '%s' is %s in JSON",
			shown(numbers[i].csv, esc, sizeof(esc)), numbers[i].json))
			tap_diag("got %s", out);
	}
	dumped(ipcb_json_value(500.0, 10), out, sizeof(out));
	ok(strcmp(out, "500") == 0, "a figure that is a whole number is an integer (%s)", out);
	dumped(ipcb_json_value(1.0 / 3, 10), out, sizeof(out));
	ok(strcmp(out, "0.3333333333") == 0, "a figure to its digits, no noise past them (%s)",
	   out);
	dumped(ipcb_json_value(NAN, 10), out, sizeof(out));
	ok(strcmp(out, "null") == 0, "a figure that is no number is null");

	v = json_real(1.0 / 3);
	ipcb_json_number_csv(v, csv, sizeof(csv));
	ok(strtod(csv, NULL) == 1.0 / 3, "a real read back as CSV is the same double (%s)", csv);
	json_decref(v);
	v = json_real(0.1);
	ipcb_json_number_csv(v, csv, sizeof(csv));
	ok(strcmp(csv, "0.1") == 0, "in the fewest digits that are (%s)", csv);
	json_decref(v);

	/* Strings: what a CSV holds reads back as it was; what is not UTF-8 becomes U+FFFD. */
	dumped(ipcb_json_text("a\"b\\c\n\t\r\x01\x7f\xc3\xa9/"), out, sizeof(out));
	back = json_loads(out, JSON_DECODE_ANY, &jerr);
	ok(json_is_string(back) &&
	       strcmp(json_string_value(back), "a\"b\\c\n\t\r\x01\x7f\xc3\xa9/") == 0,
	   "quotes, backslashes, control characters and UTF-8 read back as written (%s)",
	   shown(out, esc, sizeof(esc)));
	json_decref(back);
	dumped(ipcb_json_text("x\xffy\xc3\xed\xa0\x80z"), out, sizeof(out));
	back = json_loads(out, JSON_DECODE_ANY, &jerr);
	ok(json_is_string(back) &&
	       strcmp(json_string_value(back), "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
					       "\xef\xbf\xbdz") == 0,
	   "each byte that starts no UTF-8 character becomes U+FFFD, so the output parses (%s)",
	   shown(out, esc, sizeof(esc)));
	json_decref(back);
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

/* A string member's text, "" where there is none. */
static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* Is a member the integer want? */
static bool is_int(const json_t *o, const char *key, json_int_t want)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) == want;
}

static void check_write_read(void)
{
	static const struct ipcb_gbjson_context ctx = {"2026-11-22T10:00:00+00:00", "ipcbench", 2};
	struct ipcb_gbjson_csv back;
	struct ipcb_gbjson_error err;
	json_error_t jerr;
	json_t *root;
	const json_t *bms, *context;
	char *json = NULL, *csv, why[256];
	size_t json_len = 0, csv_len;
	FILE *f;
	int rc;

	csv = make_csv(&csv_len, false);
	f = open_memstream(&json, &json_len);
	rc = ipcb_gbjson_write(f, csv, csv_len, &ctx, why, sizeof(why));
	fclose(f);
	ok(rc == 0, "five rows written as JSON");
	root = json_loadb(json, json_len, IPCB_JSON_LOAD_FLAGS, &jerr);
	ok(root != NULL, "the document parses (%s)", root ? "ok" : jerr.text);
	bms = json_object_get(root, "benchmarks");
	context = json_object_get(root, "context");
	ok(json_is_array(bms) && json_array_size(bms) == 9,
	   "one benchmark per row, then the four aggregates of the one repeated");
	ok(json_is_array(json_object_get(context, "caches")) &&
	       strcmp(str(context, "date"), ctx.date) == 0 && is_int(context, "num_cpus", 2) &&
	       strcmp(str(context, ipcb_csv_name(IPCB_COL_CPU_MODEL)),
		      "CPU, with \"quotes\" \xc3\xa9") == 0,
	   "the context: date, num_cpus, caches, and the machine's columns");
	if (json_array_size(bms) == 9) {
		const json_t *b0 = json_array_get(bms, 0), *b2 = json_array_get(bms, 2),
			     *b3 = json_array_get(bms, 3),
			     *ips = json_object_get(b0, "items_per_second");
		static const char *const agg[4] = {"mean", "median", "stddev", "cv"};
		bool aggs = true;

		for (int a = 0; a < 4; a++) {
			const json_t *b = json_array_get(bms, 5 + (size_t)a);
			char name[64];

			snprintf(name, sizeof(name), "shm/latency/64/cross-core/rtt_%s", agg[a]);
			aggs = aggs && !strcmp(str(b, "name"), name) &&
			       !strcmp(str(b, "run_name"), "shm/latency/64/cross-core/rtt") &&
			       !strcmp(str(b, "run_type"), "aggregate") &&
			       !strcmp(str(b, "aggregate_name"), agg[a]) &&
			       !strcmp(str(b, "aggregate_unit"), a == 3 ? "percentage" : "time") &&
			       is_int(b, "repetitions", 3) && is_int(b, "iterations", 3) &&
			       is_int(b, "real_time", a < 2 ? 500 : 0) &&
			       is_int(b, "items_per_second", a < 2 ? 2000000 : 0) &&
			       !json_object_get(b, "bytes_per_second") &&
			       !json_object_get(b, "repetition_index");
		}
		ok(aggs, "the repeated benchmark's _mean, _median, _stddev and _cv, as Google "
			 "Benchmark names and writes them, of its three repetitions");

		ok(strcmp(str(b0, "name"), "shm/latency/64/cross-core/rtt") == 0 &&
		       is_int(b0, "repetitions", 3) && is_int(b0, "repetition_index", 0) &&
		       is_int(b2, "repetition_index", 2) && is_int(b3, "repetitions", 1),
		   "three repeats share a name, with repetitions 3 and their index");
		ok(is_int(b0, "real_time", 500) && strcmp(str(b0, "time_unit"), "ns") == 0 &&
		       json_is_real(ips) && json_real_value(ips) == 2e6 &&
		       strstr(json, "\"items_per_second\": 2000000.0") &&
		       !json_object_get(b0, "bytes_per_second"),
		   "real_time 1e9 / msgs_per_s in ns; items_per_second as the CSV has it; no "
		   "bytes_per_second when not measured");
		ok(!json_object_get(b0, ipcb_csv_name(IPCB_COL_CPU_MODEL)) &&
		       !json_object_get(b0, ipcb_csv_name(IPCB_COL_BYTES_PER_S)) &&
		       json_is_number(json_object_get(b0, ipcb_csv_name(IPCB_COL_P99_NS))) &&
		       json_is_string(json_object_get(b0, ipcb_csv_name(IPCB_COL_WAIT))),
		   "a benchmark has no machine columns and no empty ones; counters are numbers, "
		   "texts strings");
	}
	json_decref(root);

	rc = ipcb_gbjson_to_csv(json, json_len, &back, &err);
	ok(rc == 0 && back.rows == 5, "the JSON reads back (%s)", rc ? err.msg : "5 rows");
	ok(rc == 0 && back.len == csv_len && memcmp(back.csv, csv, csv_len) == 0,
	   "as the very CSV it was written from");
	if (rc == 0 && (back.len != csv_len || memcmp(back.csv, csv, csv_len) != 0))
		tap_diag("wrote:\n%s\nread back:\n%s", csv, back.csv);
	ok(rc == 0 && back.rows == 5 && back.benchmark[0] == 1 && back.benchmark[4] == 5,
	   "each row knows its benchmark");
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
		size_t benchmark;
	} bad[] = {
	    {"[]", "is an array", 0},
	    {"{\"context\": {}}", "no \"benchmarks\" array", 0},
	    {"{\"benchmarks\": {}}", "is an object, not an array", 0},
	    {"{\"context\": [], \"benchmarks\": []}", "\"context\" is an array", 0},
	    {"{\"benchmarks\": [\n{\"name\": \"x\"},\n 3]}", "benchmark 2 is a number", 2},
	    {"{\"benchmarks\": [\n{\"name\": \"x\",\n \"p50_ns\": [1]}]}", "\"p50_ns\" is an array",
	     1},
	    {"{\"benchmarks\": [{}, \n{\"name\": \"x\",\n \"transport\": {\"a\": 1}}]}",
	     "\"transport\" is an object", 2},
	};
	struct ipcb_gbjson_csv back;
	struct ipcb_gbjson_error err;
	const char *agg =
	    "{\"context\": {\"kernel\": \"6.1\"}, \"benchmarks\": [\n"
	    "{\"name\": \"a\", \"transport\": \"pipe\", \"p50_ns\": 5},\n"
	    "{\"name\": \"a_mean\", \"run_type\": \"aggregate\", \"transport\": "
	    "\"pipe\"},\n"
	    "{\"name\": \"b\", \"transport\": \"tcp\", \"kernel\": \"6.2\", \"p99_ns\": "
	    "null, \"p50_ns\": 2.5, \"x_floor\": 1e3}]}";
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = ipcb_gbjson_to_csv(bad[i].doc, strlen(bad[i].doc), &back, &err);
		if (!ok(rc == -EINVAL && strstr(err.msg, bad[i].says) && err.line == 0 &&
			    err.benchmark == bad[i].benchmark,
			"refused, saying '%s' of benchmark %zu", bad[i].says, bad[i].benchmark))
			tap_diag("got %d at benchmark %zu: %s", rc, err.benchmark, err.msg);
		ipcb_gbjson_csv_fini(&back);
	}
	rc = ipcb_gbjson_to_csv(agg, strlen(agg), &back, &err);
	ok(rc == 0 && back.rows == 2 && back.benchmark[0] == 1 && back.benchmark[1] == 3,
	   "aggregate entries are left out; each row has its benchmark");
	ok(rc == 0 && strstr(back.csv, "\npipe,") && strstr(back.csv, ",6.1,") &&
	       strstr(back.csv, "\ntcp,") && strstr(back.csv, ",6.2,"),
	   "a machine column comes from the context unless the benchmark has its own");
	ok(rc == 0 && strstr(back.csv, "\ntcp,,,,,,,2.5,") && strstr(back.csv, ",1000.000,"),
	   "a number in an integer column in its fewest digits, in a decimal column with the "
	   "column's digits");
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
	struct ipcb_gbjson_error err;
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
	check_strict();
	check_values();
	check_names();
	check_write_read();
	check_read_errors();
	if (argc == 3)
		check_files(argv[1], argv[2]);
	return tap_done();
}
