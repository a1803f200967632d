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

#define INDENT "  "

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

/* A number as JSON takes it: the CSV's own text when it is one, else null (inf, nan). */
static void write_number(FILE *f, const char *s)
{
	fputs(ipcb_json_is_number(s) ? s : "null", f);
}

static void write_double(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.10g", v);
	else
		fputs("null", f);
}

/* "key": value for column c, where the row has a value. */
static void write_column(FILE *f, const char *indent, int c, const char *value)
{
	fprintf(f, ",\n%s", indent);
	ipcb_json_write_string(f, ipcb_csv_name((enum ipcb_csv_column)c));
	fputs(": ", f);
	if (ipcb_csv_cols[c].how == IPCB_CSV_TEXT)
		ipcb_json_write_string(f, value);
	else
		write_number(f, value);
}

static void write_context(FILE *f, const struct row_fields *first,
			  const struct ipcb_gbjson_context *ctx)
{
	static const char *const none = "";
	const char *const *fld = first ? first->f : NULL;
	double load;

	fprintf(f, INDENT "\"context\": {\n" INDENT INDENT "\"date\": ");
	ipcb_json_write_string(f, ctx->date ? ctx->date : none);
	fprintf(f, ",\n" INDENT INDENT "\"host_name\": ");
	ipcb_json_write_string(f, fld ? fld[IPCB_COL_HOST] : none);
	fprintf(f, ",\n" INDENT INDENT "\"executable\": ");
	ipcb_json_write_string(f, ctx->executable ? ctx->executable : none);
	fprintf(f, ",\n" INDENT INDENT "\"num_cpus\": %d", ctx->num_cpus > 0 ? ctx->num_cpus : 0);
	/* Bencher's reader wants the caches, which ipcbench does not measure: none listed. */
	fprintf(f, ",\n" INDENT INDENT "\"caches\": [],\n" INDENT INDENT "\"load_avg\": [");
	if (fld && field_double(fld[IPCB_COL_LOADAVG], &load))
		write_double(f, load);
	fprintf(f, "],\n" INDENT INDENT "\"library_build_type\": ");
	ipcb_json_write_string(f, fld ? fld[IPCB_COL_BUILD_TYPE] : none);
	fprintf(f, ",\n" INDENT INDENT "\"json_schema_version\": 1");
	for (int c = 0; fld && c < IPCB_CSV_NCOLS; c++)
		if (ipcb_csv_is_machine((enum ipcb_csv_column)c) && *fld[c])
			write_column(f, INDENT INDENT, c, fld[c]);
	fprintf(f, "\n" INDENT "}");
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
static double row_threads(const struct row_fields *rf)
{
	double pairs;

	if (!field_double(rf->f[IPCB_COL_PAIRS], &pairs) || pairs < 1)
		pairs = 1;
	return pairs;
}

static void write_benchmark(FILE *f, const struct row_fields *rf, const char *name,
			    size_t repetitions)
{
	const char *const *fld = rf->f;
	double v[GB_NVALUES], run = 1;
	const char *in = INDENT INDENT INDENT;

	row_values(rf, v);
	field_double(fld[IPCB_COL_RUN], &run);

	fprintf(f, INDENT INDENT "{\n%s\"name\": ", in);
	ipcb_json_write_string(f, name);
	fprintf(f, ",\n%s\"run_name\": ", in);
	ipcb_json_write_string(f, name);
	fprintf(f, ",\n%s\"run_type\": \"iteration\"", in);
	fprintf(f, ",\n%s\"repetitions\": %zu", in, repetitions);
	fprintf(f, ",\n%s\"repetition_index\": %.0f", in, run >= 1 ? run - 1 : 0);
	fprintf(f, ",\n%s\"threads\": %.0f", in, row_threads(rf));
	fprintf(f, ",\n%s\"iterations\": ", in);
	write_number(f, *fld[IPCB_COL_MESSAGES] ? fld[IPCB_COL_MESSAGES] : "0");
	fprintf(f, ",\n%s\"real_time\": ", in);
	write_double(f, v[GB_REAL]);
	fprintf(f, ",\n%s\"cpu_time\": ", in);
	write_double(f, v[GB_CPU]);
	fprintf(f, ",\n%s\"time_unit\": \"ns\"", in);
	if (*fld[IPCB_COL_BYTES_PER_S]) {
		fprintf(f, ",\n%s\"bytes_per_second\": ", in);
		write_number(f, fld[IPCB_COL_BYTES_PER_S]);
	}
	if (*fld[IPCB_COL_MSGS_PER_S]) {
		fprintf(f, ",\n%s\"items_per_second\": ", in);
		write_number(f, fld[IPCB_COL_MSGS_PER_S]);
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		if (!ipcb_csv_is_machine((enum ipcb_csv_column)c) && *fld[c])
			write_column(f, in, c, fld[c]);
	fprintf(f, "\n" INDENT INDENT "}");
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
 * The aggregates of one repeated benchmark: "NAME_mean", "_median", "_stddev" and "_cv", each
 * with run_type "aggregate", its aggregate_name and aggregate_unit, over its repetitions'
 * real_time, cpu_time, bytes_per_second and items_per_second, as Google Benchmark writes them
 * after a benchmark's repetitions (its iterations: the repetitions). A dashboard that matches
 * benchmarks by name (github-action-benchmark, Bencher) finds one entry per aggregate, where the
 * repetitions share a name. v holds the repetitions' values, GB_NVALUES each; x has room for
 * reps values.
 */
static void write_aggregates(FILE *f, const char *name, const double *v, size_t reps,
			     double threads, double *x)
{
	const char *in = INDENT INDENT INDENT;
	static const char *const counter[GB_NVALUES] = {
	    [GB_BYTES] = "bytes_per_second", [GB_ITEMS] = "items_per_second"};

	for (int a = 0; a < GB_NAGGREGATES; a++) {
		double val[GB_NVALUES];
		char full[IPCB_GBJSON_NAME_BYTES + 16];

		for (int k = 0; k < GB_NVALUES; k++) {
			for (size_t r = 0; r < reps; r++)
				x[r] = v[r * GB_NVALUES + (size_t)k];
			val[k] = aggregate((enum gb_aggregate)a, x, reps);
		}
		snprintf(full, sizeof(full), "%s_%s", name, gb_aggregate_names[a]);
		fprintf(f, ",\n" INDENT INDENT "{\n%s\"name\": ", in);
		ipcb_json_write_string(f, full);
		fprintf(f, ",\n%s\"run_name\": ", in);
		ipcb_json_write_string(f, name);
		fprintf(f, ",\n%s\"run_type\": \"aggregate\"", in);
		fprintf(f, ",\n%s\"repetitions\": %zu", in, reps);
		fprintf(f, ",\n%s\"threads\": %.0f", in, threads);
		fprintf(f, ",\n%s\"aggregate_name\": \"%s\"", in, gb_aggregate_names[a]);
		fprintf(f, ",\n%s\"aggregate_unit\": \"%s\"", in,
			a == GB_CV ? "percentage" : "time");
		fprintf(f, ",\n%s\"iterations\": %zu", in, reps);
		fprintf(f, ",\n%s\"real_time\": ", in);
		write_double(f, val[GB_REAL]);
		fprintf(f, ",\n%s\"cpu_time\": ", in);
		write_double(f, val[GB_CPU]);
		fprintf(f, ",\n%s\"time_unit\": \"ns\"", in);
		for (int k = GB_BYTES; k < GB_NVALUES; k++)
			if (!isnan(val[k])) {
				fprintf(f, ",\n%s\"%s\": ", in, counter[k]);
				write_double(f, val[k]);
			}
		fprintf(f, "\n" INDENT INDENT "}");
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
	int rc;

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

	ipcb_csvread_init_buffer(&cp->r, csv, len, 0, 0);
	rc = ipcb_csvread_next(&cp->r);
	fputs("{\n", out);
	if (rc > 0) {
		ipcb_csv_map_header(&cp->m, &cp->r);
		rc = ipcb_csvread_next(&cp->r);
	}
	/* The machine is the same on every row of a run: the first says what it was. */
	if (rc > 0)
		row_read(&cp->rf, &cp->r, &cp->m);
	write_context(out, rc > 0 ? &cp->rf : NULL, ctx);
	fputs(",\n" INDENT "\"benchmarks\": [", out);
	for (; rc > 0 && i < n; rc = ipcb_csvread_next(&cp->r), i++) {
		row_read(&cp->rf, &cp->r, &cp->m);
		fputs(i ? ",\n" : "\n", out);
		write_benchmark(out, &cp->rf, names[i], nm.count[nm.of[i]]);
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
			write_aggregates(out, names[k], nm.reps, reps, nm.threads[k], nm.x);
	}
	fputs(n ? "\n" INDENT "]\n}\n" : "]\n}\n", out);
	ipcb_csvread_fini(&cp->r);
	rc = 0;
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

__attribute__((format(printf, 3, 4))) static int
failj(struct ipcb_json_error *err, const struct ipcb_json *at, const char *fmt, ...)
{
	va_list ap;

	err->line = at ? at->line : 1;
	err->col = at ? at->col : 1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A member's value as a CSV field: a string or a number as written, null or absent empty. */
static int member_text(const struct ipcb_json *v, const char *key, const char **out,
		       struct ipcb_json_error *err)
{
	switch (v->type) {
	case IPCB_JSON_STRING:
	case IPCB_JSON_NUMBER:
		*out = v->text;
		return 0;
	case IPCB_JSON_NULL:
		*out = "";
		return 0;
	default:
		return failj(err, v, "\"%s\" is %s, not a number or a string", key,
			     ipcb_json_type_name(v->type));
	}
}

int ipcb_gbjson_to_csv(const char *buf, size_t len, struct ipcb_gbjson_csv *out,
		       struct ipcb_json_error *err)
{
	struct ipcb_json root;
	const struct ipcb_json *ctx, *list;
	const char *dflt[IPCB_CSV_NCOLS];
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ipcb_json_parse(buf, len, &root, err);
	if (rc < 0)
		goto done;
	if (root.type != IPCB_JSON_OBJECT) {
		rc = failj(err, &root,
			   "the document is %s; Google Benchmark's JSON is an object "
			   "with a \"benchmarks\" array",
			   ipcb_json_type_name(root.type));
		goto done;
	}
	list = ipcb_json_get(&root, "benchmarks");
	if (!list || list->type != IPCB_JSON_ARRAY) {
		if (list)
			rc = failj(err, list, "\"benchmarks\" is %s, not an array",
				   ipcb_json_type_name(list->type));
		else
			rc = failj(err, &root,
				   "no \"benchmarks\" array: not Google Benchmark's JSON");
		goto done;
	}
	ctx = ipcb_json_get(&root, "context");
	if (ctx && ctx->type != IPCB_JSON_OBJECT) {
		rc = failj(err, ctx, "\"context\" is %s, not an object",
			   ipcb_json_type_name(ctx->type));
		goto done;
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const struct ipcb_json *v =
		    ipcb_json_get(ctx, ipcb_csv_name((enum ipcb_csv_column)c));

		dflt[c] = "";
		if (v && (rc = member_text(v, ipcb_csv_name((enum ipcb_csv_column)c), &dflt[c],
					   err)) < 0)
			goto done;
	}
	out->line = calloc(list->n ? list->n : 1, sizeof(*out->line));
	f = out->line ? open_memstream(&out->csv, &out->len) : NULL;
	if (!f) {
		rc = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto done;
	}
	fprintf(f, "%s\n", ipcb_csv_header());
	for (size_t b = 0; b < list->n && rc == 0; b++) {
		const struct ipcb_json *bm = &list->items[b], *type;
		const char *field[IPCB_CSV_NCOLS];

		if (bm->type != IPCB_JSON_OBJECT) {
			rc = failj(err, bm, "benchmark %zu is %s, not an object", b + 1,
				   ipcb_json_type_name(bm->type));
			break;
		}
		type = ipcb_json_get(bm, "run_type");
		if (type && type->type == IPCB_JSON_STRING && strcmp(type->text, "aggregate") == 0)
			continue;
		for (int c = 0; c < IPCB_CSV_NCOLS && rc == 0; c++) {
			const char *key = ipcb_csv_name((enum ipcb_csv_column)c);
			const struct ipcb_json *v = ipcb_json_get(bm, key);

			field[c] = dflt[c];
			if (v)
				rc = member_text(v, key, &field[c], err);
		}
		if (rc < 0)
			break;
		for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
			if (c)
				fputc(',', f);
			ipcb_csv_text(f, field[c]);
		}
		fputc('\n', f);
		out->line[out->rows++] = bm->line;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
done:
	ipcb_json_free(&root);
	return rc;
}

void ipcb_gbjson_csv_fini(struct ipcb_gbjson_csv *c)
{
	free(c->csv);
	free(c->line);
	memset(c, 0, sizeof(*c));
}
