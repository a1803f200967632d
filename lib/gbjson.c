/* SPDX-License-Identifier: MIT */
/* gbjson.c - ipcbench's rows as Google Benchmark's JSON, and back; see gbjson.h. */
#include "gbjson.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "format.h"
#include "stats.h"

/* Room for a benchmark's name. */
#define IPCB_GBJSON_NAME_BYTES 512

/* One row's fields by column: text as in the CSV, "" where empty or absent. */
struct row_fields {
	const char *f[IPCB_CSV_NCOLS];
};

static void row_read(struct row_fields *rf, const struct ipcb_csvread *r,
		     const struct ipcb_csv_map *m)
{
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		rf->f[c] = ipcb_csv_field(r, m, (enum ipcb_csv_column)c);
}

/* A field as a number: false when empty or not a number (NAN then). */
static bool field_double(const char *s, double *out)
{
	char *end;

	*out = NAN;
	if (!*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno || !isfinite(*out)) {
		*out = NAN;
		return false;
	}
	return true;
}

void ipcb_gbjson_name(const char *const field[IPCB_CSV_NCOLS], char *out, size_t n)
{
	char size[32];
	double v;
	size_t len;

	if (field_double(field[IPCB_COL_SIZE_BYTES], &v) && v >= 0 && v < 1e18)
		ipcb_format_size((size_t)v, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "%s", field[IPCB_COL_SIZE_BYTES]);
	len = (size_t)snprintf(out, n, "%s/%s/%s/%s", field[IPCB_COL_TRANSPORT],
			       field[IPCB_COL_MODE], size, field[IPCB_COL_PLACEMENT]);
	/*
	 * A transport's settings away from its defaults: rows that differ only in them are
	 * different benchmarks, and a run at the defaults keeps its name when a transport gains
	 * an option.
	 */
	if (len < n && *field[IPCB_COL_TUNING])
		len += (size_t)snprintf(out + len, n - len, "/%s", field[IPCB_COL_TUNING]);
	/* The load's shape where it is not the default: one pair, 1:1, one in flight, closed. */
	if (len < n && *field[IPCB_COL_PAIRS] && strcmp(field[IPCB_COL_PAIRS], "1") != 0)
		len += (size_t)snprintf(out + len, n - len, "/pairs%s", field[IPCB_COL_PAIRS]);
	if (len < n && *field[IPCB_COL_TOPOLOGY] && strcmp(field[IPCB_COL_TOPOLOGY], "1:1") != 0) {
		const char *colon = strchr(field[IPCB_COL_TOPOLOGY], ':');
		/* A broadcast, "1:3 all": topology1x3all, a name without a space. */
		const char *space = strchr(field[IPCB_COL_TOPOLOGY], ' ');

		if (colon && space > colon)
			len += (size_t)snprintf(out + len, n - len, "/topology%.*sx%.*s%s",
						(int)(colon - field[IPCB_COL_TOPOLOGY]),
						field[IPCB_COL_TOPOLOGY], (int)(space - colon - 1),
						colon + 1, space + 1);
		else if (colon)
			len += (size_t)snprintf(out + len, n - len, "/topology%.*sx%s",
						(int)(colon - field[IPCB_COL_TOPOLOGY]),
						field[IPCB_COL_TOPOLOGY], colon + 1);
		else
			len += (size_t)snprintf(out + len, n - len, "/topology%s",
						field[IPCB_COL_TOPOLOGY]);
	}
	if (len < n && *field[IPCB_COL_INFLIGHT] && strcmp(field[IPCB_COL_INFLIGHT], "1") != 0)
		len +=
		    (size_t)snprintf(out + len, n - len, "/inflight%s", field[IPCB_COL_INFLIGHT]);
	if (len < n && field_double(field[IPCB_COL_OFFERED_RATE], &v))
		len += (size_t)snprintf(out + len, n - len, "/rate%.0f", v);
	if (len < n && *field[IPCB_COL_LATENCY_KIND])
		snprintf(out + len, n - len, "/%s", field[IPCB_COL_LATENCY_KIND]);
}

/* Column c's value as JSON: text as a string, a number as one (null where the CSV has no finite
 * one). */
static json_t *column_value(int c, const char *value)
{
	if (ipcb_csv_cols[c].how == IPCB_CSV_TEXT)
		return ipcb_json_text(value);
	return ipcb_json_number_text(value);
}

/* A figure computed here (a time per message, an aggregate): to 10 significant digits. */
static json_t *figure(double v)
{
	return ipcb_json_value(v, 10);
}

static json_t *context_object(const struct row_fields *first, const struct ipcb_gbjson_context *ctx,
			      int *rc)
{
	static const char *const none = "";
	const char *const *fld = first ? first->f : NULL;
	json_t *o = json_object(), *load = json_array();
	double avg;

	if (!o || !load) {
		json_decref(o);
		json_decref(load);
		*rc = -ENOMEM;
		return NULL;
	}
	ipcb_json_put(o, "date", ipcb_json_text(ctx->date ? ctx->date : none), rc);
	ipcb_json_put(o, "host_name", ipcb_json_text(fld ? fld[IPCB_COL_HOST] : none), rc);
	ipcb_json_put(o, "executable", ipcb_json_text(ctx->executable ? ctx->executable : none),
		      rc);
	ipcb_json_put(o, "num_cpus", json_integer(ctx->num_cpus > 0 ? ctx->num_cpus : 0), rc);
	/* Bencher's reader wants the caches, which ipcbench does not measure: none listed. */
	ipcb_json_put(o, "caches", json_array(), rc);
	if (fld && field_double(fld[IPCB_COL_LOADAVG], &avg))
		ipcb_json_append(load, figure(avg), rc);
	ipcb_json_put(o, "load_avg", load, rc);
	ipcb_json_put(o, "library_build_type",
		      ipcb_json_text(fld ? fld[IPCB_COL_BUILD_TYPE] : none), rc);
	ipcb_json_put(o, "json_schema_version", json_integer(1), rc);
	for (int c = 0; fld && c < IPCB_CSV_NCOLS; c++)
		if (ipcb_csv_is_machine((enum ipcb_csv_column)c) && *fld[c])
			ipcb_json_put(o, ipcb_csv_name((enum ipcb_csv_column)c),
				      column_value(c, fld[c]), rc);
	return o;
}

/* What a row's benchmark and its aggregates give, NAN where the row has none. */
enum gb_value { GB_REAL, GB_CPU, GB_BYTES, GB_ITEMS, GB_NVALUES };

static void row_values(const struct row_fields *rf, double v[GB_NVALUES])
{
	const char *const *fld = rf->f;
	double rate, x;

	/* Time per iteration: per message where the row has a rate, else its mean delay. */
	v[GB_REAL] = 0;
	if (field_double(fld[IPCB_COL_MSGS_PER_S], &rate) && rate > 0)
		v[GB_REAL] = 1e9 / rate;
	else if (field_double(fld[IPCB_COL_MEAN_NS], &x))
		v[GB_REAL] = x;
	else if (field_double(fld[IPCB_COL_ELAPSED_S], &x) &&
		 field_double(fld[IPCB_COL_MESSAGES], &rate) && rate > 0)
		v[GB_REAL] = x * 1e9 / rate;
	v[GB_CPU] = 0;
	if (field_double(fld[IPCB_COL_SENDER_CPU_NS_PER_MSG], &x))
		v[GB_CPU] += x;
	if (field_double(fld[IPCB_COL_RECEIVER_CPU_NS_PER_MSG], &x))
		v[GB_CPU] += x;
	field_double(fld[IPCB_COL_BYTES_PER_S], &v[GB_BYTES]);
	field_double(fld[IPCB_COL_MSGS_PER_S], &v[GB_ITEMS]);
}

/* The row's pairs, Google Benchmark's threads: 1 where it does not say. */
/*
 * A count field as a JSON integer's value: where it is not a number from 1 to 2^53 (which a
 * double holds exactly and an integer's conversion takes without overflow), it is read as the
 * missing field is, 1.
 */
static double field_count(const char *field)
{
	double x;

	return field_double(field, &x) && x >= 1 && x <= 0x1p53 ? x : 1;
}

static double row_threads(const struct row_fields *rf)
{
	return field_count(rf->f[IPCB_COL_PAIRS]);
}

static json_t *benchmark_object(const struct row_fields *rf, const char *name, size_t repetitions,
				int *rc)
{
	const char *const *fld = rf->f;
	double v[GB_NVALUES], run = field_count(fld[IPCB_COL_RUN]);
	json_t *o = json_object();

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	row_values(rf, v);
	ipcb_json_put(o, "name", ipcb_json_text(name), rc);
	ipcb_json_put(o, "run_name", ipcb_json_text(name), rc);
	ipcb_json_put(o, "run_type", json_string("iteration"), rc);
	ipcb_json_put(o, "repetitions", json_integer((json_int_t)repetitions), rc);
	ipcb_json_put(o, "repetition_index", json_integer((json_int_t)(run - 1)), rc);
	ipcb_json_put(o, "threads", json_integer((json_int_t)row_threads(rf)), rc);
	ipcb_json_put(o, "iterations",
		      ipcb_json_number_text(*fld[IPCB_COL_MESSAGES] ? fld[IPCB_COL_MESSAGES] : "0"),
		      rc);
	ipcb_json_put(o, "real_time", figure(v[GB_REAL]), rc);
	ipcb_json_put(o, "cpu_time", figure(v[GB_CPU]), rc);
	ipcb_json_put(o, "time_unit", json_string("ns"), rc);
	if (*fld[IPCB_COL_BYTES_PER_S])
		ipcb_json_put(o, "bytes_per_second",
			      ipcb_json_number_text(fld[IPCB_COL_BYTES_PER_S]), rc);
	if (*fld[IPCB_COL_MSGS_PER_S])
		ipcb_json_put(o, "items_per_second",
			      ipcb_json_number_text(fld[IPCB_COL_MSGS_PER_S]), rc);
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		if (!ipcb_csv_is_machine((enum ipcb_csv_column)c) && *fld[c])
			ipcb_json_put(o, ipcb_csv_name((enum ipcb_csv_column)c),
				      column_value(c, fld[c]), rc);
	return o;
}

/* Google Benchmark's aggregates of a repeated benchmark, in the order it writes them. */
enum gb_aggregate { GB_MEAN, GB_MEDIAN, GB_STDDEV, GB_CV, GB_NAGGREGATES };

static const char *const gb_aggregate_names[GB_NAGGREGATES] = {"mean", "median", "stddev", "cv"};

/*
 * One aggregate of x[0..n) (the values a row had, NAN ones left out): the mean, the median, the
 * sample standard deviation (n - 1), or the coefficient of variation (stddev / mean, a fraction)
 * as Google Benchmark computes them. NAN where there are no values, or too few for a spread.
 */
static double aggregate(enum gb_aggregate a, double *x, size_t n)
{
	double sum = 0, mean, ss = 0, med = NAN;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[k++] = x[i];
	if (!k)
		return NAN;
	for (size_t i = 0; i < k; i++)
		sum += x[i];
	mean = sum / (double)k;
	if (a == GB_MEAN)
		return mean;
	if (a == GB_MEDIAN)
		return ipcb_stats_median(x, k, &med) < 0 ? NAN : med;
	if (k < 2)
		return NAN;
	for (size_t i = 0; i < k; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	ss = sqrt(ss / (double)(k - 1));
	return a == GB_STDDEV ? ss : mean != 0 ? ss / mean : NAN;
}

/*
 * The aggregates of one repeated benchmark, appended to list: "NAME_mean", "_median", "_stddev"
 * and "_cv", each with run_type "aggregate", its aggregate_name and aggregate_unit, over its
 * repetitions' real_time, cpu_time, bytes_per_second and items_per_second, as Google Benchmark
 * writes them after a benchmark's repetitions (its iterations: the repetitions). A dashboard that
 * matches benchmarks by name (github-action-benchmark, Bencher) finds one entry per aggregate,
 * where the repetitions share a name. v holds the repetitions' values, GB_NVALUES each; x has
 * room for reps values.
 */
static void append_aggregates(json_t *list, const char *name, const double *v, size_t reps,
			      double threads, double *x, int *rc)
{
	static const char *const counter[GB_NVALUES] = {
	    [GB_BYTES] = "bytes_per_second", [GB_ITEMS] = "items_per_second"};

	for (int a = 0; a < GB_NAGGREGATES; a++) {
		double val[GB_NVALUES];
		char full[IPCB_GBJSON_NAME_BYTES + 16];
		json_t *o = json_object();

		if (!o) {
			*rc = -ENOMEM;
			return;
		}
		for (int k = 0; k < GB_NVALUES; k++) {
			for (size_t r = 0; r < reps; r++)
				x[r] = v[r * GB_NVALUES + (size_t)k];
			val[k] = aggregate((enum gb_aggregate)a, x, reps);
		}
		snprintf(full, sizeof(full), "%s_%s", name, gb_aggregate_names[a]);
		ipcb_json_put(o, "name", ipcb_json_text(full), rc);
		ipcb_json_put(o, "run_name", ipcb_json_text(name), rc);
		ipcb_json_put(o, "run_type", json_string("aggregate"), rc);
		ipcb_json_put(o, "repetitions", json_integer((json_int_t)reps), rc);
		ipcb_json_put(o, "threads", json_integer((json_int_t)threads), rc);
		ipcb_json_put(o, "aggregate_name", json_string(gb_aggregate_names[a]), rc);
		ipcb_json_put(o, "aggregate_unit", json_string(a == GB_CV ? "percentage" : "time"),
			      rc);
		ipcb_json_put(o, "iterations", json_integer((json_int_t)reps), rc);
		ipcb_json_put(o, "real_time", figure(val[GB_REAL]), rc);
		ipcb_json_put(o, "cpu_time", figure(val[GB_CPU]), rc);
		ipcb_json_put(o, "time_unit", json_string("ns"), rc);
		for (int k = GB_BYTES; k < GB_NVALUES; k++)
			if (!isnan(val[k]))
				ipcb_json_put(o, counter[k], figure(val[k]), rc);
		ipcb_json_append(list, o, rc);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A pass over the CSV: the reader, the header's column map and a row's fields, some 3 KB with
 * the columns there are, kept on the heap (the driver writes --json, and its stack may be small).
 */
struct csv_pass {
	struct ipcb_csvread r;
	struct ipcb_csv_map m;
	struct row_fields rf;
};

/* Each record's benchmark name, in order, read from the CSV (after its header). */
static int csv_names(const char *csv, size_t len, char ***names, size_t *n, char *err,
		     size_t errlen)
{
	struct csv_pass *cp = malloc(sizeof(*cp));
	size_t cap = 0;
	char name[IPCB_GBJSON_NAME_BYTES];
	int rc;

	*names = NULL;
	*n = 0;
	if (!cp) {
		snprintf(err, errlen, "malloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ipcb_csvread_init_buffer(&cp->r, csv, len, 0, 0);
	rc = ipcb_csvread_next(&cp->r);
	if (rc > 0) {
		ipcb_csv_map_header(&cp->m, &cp->r);
		while ((rc = ipcb_csvread_next(&cp->r)) > 0) {
			row_read(&cp->rf, &cp->r, &cp->m);
			ipcb_gbjson_name(cp->rf.f, name, sizeof(name));
			if (*n == cap) {
				char **p = realloc(*names, (cap ? cap * 2 : 64) * sizeof(*p));

				if (!p) {
					rc = -ENOMEM;
					break;
				}
				*names = p;
				cap = cap ? cap * 2 : 64;
			}
			(*names)[*n] = strdup(name);
			if (!(*names)[*n]) {
				rc = -ENOMEM;
				break;
			}
			(*n)++;
		}
	}
	if (rc < 0 && rc != -ENOMEM)
		snprintf(err, errlen, "line %lu: %s", cp->r.err.line, cp->r.err.msg);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	ipcb_csvread_fini(&cp->r);
	free(cp);
	return rc < 0 ? rc : 0;
}

/* Where each name's first row is, and the rows' values for their aggregates. */
struct named {
	size_t *first; /* per distinct name (in sorted order): its first row */
	size_t *count; /* and how many rows have it */
	size_t *of;    /* per row: its name's place among the distinct names */
	double *v;     /* per row: GB_NVALUES values */
	double *reps;  /* one name's rows' values, GB_NVALUES each */
	double *x;     /* one value of each of them */
	double *threads;
};

int ipcb_gbjson_write(FILE *out, const char *csv, size_t len, const struct ipcb_gbjson_context *ctx,
		      char *err, size_t errlen)
{
	struct csv_pass *cp = NULL;
	char **names = NULL, **sorted = NULL;
	struct named nm = {0};
	size_t n = 0, i = 0, distinct = 0;
	json_t *doc = NULL, *list;
	int rc, built = 0;

	rc = csv_names(csv, len, &names, &n, err, errlen);
	if (rc < 0)
		goto out;
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	cp = malloc(sizeof(*cp));
	nm.first = malloc((n ? n : 1) * sizeof(*nm.first));
	nm.count = calloc(n ? n : 1, sizeof(*nm.count));
	nm.of = malloc((n ? n : 1) * sizeof(*nm.of));
	nm.v = malloc((n ? n : 1) * GB_NVALUES * sizeof(*nm.v));
	nm.reps = malloc((n ? n : 1) * GB_NVALUES * sizeof(*nm.reps));
	nm.x = malloc((n ? n : 1) * sizeof(*nm.x));
	nm.threads = malloc((n ? n : 1) * sizeof(*nm.threads));
	if (!sorted || !cp || !nm.first || !nm.count || !nm.of || !nm.v || !nm.reps || !nm.x ||
	    !nm.threads) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (n) {
		memcpy(sorted, names, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), name_cmp);
		for (size_t k = 0; k < n; k++)
			if (!k || strcmp(sorted[k], sorted[distinct - 1]) != 0)
				sorted[distinct++] = sorted[k];
		for (size_t k = 0; k < distinct; k++)
			nm.first[k] = SIZE_MAX;
		for (size_t k = 0; k < n; k++) {
			char **hit =
			    bsearch(&names[k], sorted, distinct, sizeof(*sorted), name_cmp);

			nm.of[k] = (size_t)(hit - sorted);
			nm.count[nm.of[k]]++;
			if (nm.first[nm.of[k]] == SIZE_MAX)
				nm.first[nm.of[k]] = k;
		}
	}

	doc = json_object();
	list = json_array();
	if (!doc || !list) {
		json_decref(list);
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	ipcb_csvread_init_buffer(&cp->r, csv, len, 0, 0);
	rc = ipcb_csvread_next(&cp->r);
	if (rc > 0) {
		ipcb_csv_map_header(&cp->m, &cp->r);
		rc = ipcb_csvread_next(&cp->r);
	}
	/* The machine is the same on every row of a run: the first says what it was. */
	if (rc > 0)
		row_read(&cp->rf, &cp->r, &cp->m);
	ipcb_json_put(doc, "context", context_object(rc > 0 ? &cp->rf : NULL, ctx, &built), &built);
	ipcb_json_put(doc, "benchmarks", list, &built);
	for (; rc > 0 && i < n; rc = ipcb_csvread_next(&cp->r), i++) {
		row_read(&cp->rf, &cp->r, &cp->m);
		ipcb_json_append(
		    list, benchmark_object(&cp->rf, names[i], nm.count[nm.of[i]], &built), &built);
		row_values(&cp->rf, &nm.v[i * GB_NVALUES]);
		nm.threads[i] = row_threads(&cp->rf);
	}
	/*
	 * Then each repeated benchmark's aggregates, in the order the benchmarks first came: the
	 * rounds interleave the repetitions of every benchmark, so they cannot follow each one.
	 */
	for (size_t k = 0; k < i; k++) {
		size_t u = nm.of[k], reps = 0;

		if (nm.first[u] != k || nm.count[u] < 2)
			continue;
		for (size_t j = k; j < i; j++)
			if (nm.of[j] == u)
				memcpy(&nm.reps[reps++ * GB_NVALUES], &nm.v[j * GB_NVALUES],
				       GB_NVALUES * sizeof(*nm.v));
		if (reps > 1)
			append_aggregates(list, names[k], nm.reps, reps, nm.threads[k], nm.x,
					  &built);
	}
	ipcb_csvread_fini(&cp->r);
	rc = built;
	if (rc == 0)
		rc = ipcb_json_dump(out, doc);
	if (rc < 0)
		snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : strerror(-rc));
out:
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
	free(sorted);
	free(cp);
	free(nm.first);
	free(nm.count);
	free(nm.of);
	free(nm.v);
	free(nm.reps);
	free(nm.x);
	free(nm.threads);
	json_decref(doc);
	return rc;
}

/* ---- reading ---- */

bool ipcb_gbjson_sniff(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '{';
}

__attribute__((format(printf, 3, 4))) static int failj(struct ipcb_gbjson_error *err,
						       size_t benchmark, const char *fmt, ...)
{
	va_list ap;

	err->line = err->col = 0;
	err->benchmark = benchmark;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Room for a number's text: "%.*f" below 1e15, or 17 significant digits and an exponent. */
#define NUMBER_BYTES 48

/*
 * A number as column c's field: a decimal column's with its digits, as the CSV writer writes it
 * (the JSON's 2.5 of a two-digit column is "2.50"), so that a file written here reads back as
 * the CSV it was written from; else in the fewest digits that are the same value.
 */
static void number_field(const json_t *v, int c, char *out)
{
	double x = json_number_value(v);

	if (ipcb_csv_cols[c].how == IPCB_CSV_DECIMAL && fabs(x) < 1e15)
		snprintf(out, NUMBER_BYTES, "%.*f", ipcb_csv_cols[c].digits, x);
	else
		ipcb_json_number_csv(v, out, NUMBER_BYTES);
}

/* A member's value as column c's field: a string as it is, a number, null or absent empty. */
static int member_text(const json_t *v, int c, char *buf, const char **out, size_t benchmark,
		       struct ipcb_gbjson_error *err)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*out = json_string_value(v);
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		number_field(v, c, buf);
		*out = buf;
		return 0;
	case JSON_NULL:
		*out = "";
		return 0;
	default:
		return failj(err, benchmark, "\"%s\" is %s, not a number or a string",
			     ipcb_csv_name((enum ipcb_csv_column)c), ipcb_json_type_name(v));
	}
}

/* The numbers' texts of the context and of the benchmark being read, on the heap. */
struct number_texts {
	char context[IPCB_CSV_NCOLS][NUMBER_BYTES];
	char row[IPCB_CSV_NCOLS][NUMBER_BYTES];
};

int ipcb_gbjson_to_csv(const char *buf, size_t len, struct ipcb_gbjson_csv *out,
		       struct ipcb_gbjson_error *err)
{
	/* A byte order mark is no JSON, but editors write one: it goes before Jansson reads. */
	size_t bom = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	struct number_texts *nt = NULL;
	const char *dflt[IPCB_CSV_NCOLS];
	json_t *root, *ctx, *list;
	json_error_t jerr;
	FILE *f;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	root = json_loadb(buf + bom, len - bom, IPCB_JSON_LOAD_FLAGS, &jerr);
	if (!root) {
		err->line = jerr.line > 0 ? (unsigned long)jerr.line : 1;
		err->col = jerr.column > 0 ? (unsigned long)jerr.column : 1;
		snprintf(err->msg, sizeof(err->msg), "%s", jerr.text);
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
	}
	if (!json_is_object(root)) {
		rc = failj(err, 0,
			   "the document is %s; Google Benchmark's JSON is an object "
			   "with a \"benchmarks\" array",
			   ipcb_json_type_name(root));
		goto done;
	}
	list = json_object_get(root, "benchmarks");
	if (!json_is_array(list)) {
		if (list)
			rc = failj(err, 0, "\"benchmarks\" is %s, not an array",
				   ipcb_json_type_name(list));
		else
			rc = failj(err, 0, "no \"benchmarks\" array: not Google Benchmark's JSON");
		goto done;
	}
	ctx = json_object_get(root, "context");
	if (ctx && !json_is_object(ctx)) {
		rc = failj(err, 0, "\"context\" is %s, not an object", ipcb_json_type_name(ctx));
		goto done;
	}
	nt = malloc(sizeof(*nt));
	out->benchmark =
	    calloc(json_array_size(list) ? json_array_size(list) : 1, sizeof(*out->benchmark));
	if (!nt || !out->benchmark) {
		rc = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto done;
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const json_t *v = json_object_get(ctx, ipcb_csv_name((enum ipcb_csv_column)c));

		dflt[c] = "";
		if (v && (rc = member_text(v, c, nt->context[c], &dflt[c], 0, err)) < 0)
			goto done;
	}
	f = open_memstream(&out->csv, &out->len);
	if (!f) {
		rc = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto done;
	}
	fprintf(f, "%s\n", ipcb_csv_header());
	for (size_t b = 0; b < json_array_size(list) && rc == 0; b++) {
		const json_t *bm = json_array_get(list, b), *type;
		const char *field[IPCB_CSV_NCOLS];

		if (!json_is_object(bm)) {
			rc = failj(err, b + 1, "benchmark %zu is %s, not an object", b + 1,
				   ipcb_json_type_name(bm));
			break;
		}
		type = json_object_get(bm, "run_type");
		if (json_is_string(type) && strcmp(json_string_value(type), "aggregate") == 0)
			continue;
		for (int c = 0; c < IPCB_CSV_NCOLS && rc == 0; c++) {
			const json_t *v =
			    json_object_get(bm, ipcb_csv_name((enum ipcb_csv_column)c));

			field[c] = dflt[c];
			if (v)
				rc = member_text(v, c, nt->row[c], &field[c], b + 1, err);
		}
		if (rc < 0)
			break;
		for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
			if (c)
				fputc(',', f);
			ipcb_csv_text(f, field[c]);
		}
		fputc('\n', f);
		out->benchmark[out->rows++] = b + 1;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
done:
	free(nt);
	json_decref(root);
	return rc;
}

void ipcb_gbjson_csv_fini(struct ipcb_gbjson_csv *c)
{
	free(c->csv);
	free(c->benchmark);
	memset(c, 0, sizeof(*c));
}
