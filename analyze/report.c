/* SPDX-License-Identifier: MIT */
/*
 * report.c - the seed documents' tables and claims, decided by measurements; see report.h.
 *
 * The story: load the CSV's main rows (round trips, streams, one-way a->b), then print each
 * table by asking for medians (report_median), then decide each claim cell by cell (a cell is one
 * placement, size and measure) and summarise the cells into a verdict (claim_verdict): all yes
 * holds, all no does not hold, and a mix depends on whatever splits the cells cleanly (placement,
 * size, or latency against throughput).
 *
 * A cell compares two sets of repeats (judge()) with the statistics `ipcbench compare` uses: on
 * the logs of the values, one-sided Mann-Whitney tests of shifted hypotheses ("A is faster than
 * B by more than the margin", "not by more") at the report's alpha, and the Hodges-Lehmann
 * estimate of the ratio with the interval those tests imply. A cell the tests cannot decide (too
 * few repeats, too much spread) is "not decided" and counts for neither side of its claim.
 *
 * Which transports stand for which mechanism of the documents is the one piece of knowledge
 * about names here (families[]): the claims are about named mechanisms.
 */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvread.h"
#include "csvschema.h"
#include "sizes.h"
#include "outfile.h"
#include "format.h"
#include "loadshapes.h"
#include "html.h"
#include "stats.h"

static const char prog[] = "ipcbench report";

/*
 * The report's statistics: each comparison's one-sided tests are at REPORT_ALPHA (no correction
 * over a claim's comparisons: a verdict summarises them, it gates nothing), and two transports
 * within REPORT_MARGIN of each other (as a ratio, either way) are a tie, which is the same
 * threshold the CI gate uses by default. Run-to-run noise on a quiet machine is a few per cent.
 */
#define REPORT_ALPHA  0.05
#define REPORT_MARGIN 0.05
/* Runs of one transport, placement, size and measure that a comparison takes, at most. */
#define MAX_RUNS 256

enum kind {
	K_RTT,	  /* latency mode, round trip */
	K_STREAM, /* throughput mode, the run's main row */
	K_AB,	  /* latency mode, one way sender -> receiver */
};

enum measure {
	M_RTT_P50,     /* ns, lower is better */
	M_BPS,	       /* bytes/s, higher is better */
	M_AB_P50,      /* ns, one message one way */
	M_CPU_NS,      /* ns of CPU per message, both sides, throughput mode */
	M_SEND_CPU_NS, /* ns of CPU per message, sender, throughput mode */
	M_BUFFER,      /* bytes the channel reserved */
	M_SERVER_NS,   /* ns of a server's CPU per message (a broker, a daemon) */
	M_MEASURES,
};

struct rrow {
	char transport[96]; /* with its options when the CSV has it with others too */
	char options[64];
	char hops[24]; /* "direct", "via broker", ...: "" in files without the column */
	bool library;  /* built on a library beyond the C library */
	char placement[16];
	char wait[8];
	enum kind kind;
	size_t size;
	double v[M_MEASURES]; /* NAN = not in this row */
	char channel[64];     /* how the channel held messages, as the transport said */
	double segs_per_msg;  /* network segments per message, NAN where not counted */
};

struct report {
	struct rrow *rows;
	size_t n, cap;
	char host[128], cpu_model[160], kernel[128], version[64], date[32];
	unsigned max_run;
	/* For transports run with several wait strategies: the one the report uses. */
	struct {
		char transport[96];
		char wait[8];
		bool others;
	} waits[64];
	size_t nwaits;
	const char *placements[4];
	size_t nplacements;
	size_t sizes[IPCB_MAX_LIST];
	size_t nsizes;
	size_t shaped; /* rows of shaped loads: not in the tables (loadshapes.h) */
	FILE *out;
};

/* ---- loading ------------------------------------------------------------------------------ */

enum col {
	C_TRANSPORT,
	C_MODE,
	C_SIZE,
	C_KIND,
	C_PLACEMENT,
	C_WAIT,
	C_P50,
	C_BPS,
	C_RUN,
	C_SEND_CPU,
	C_RECV_CPU,
	C_BUFFER,
	C_HOST,
	C_CPU_MODEL,
	C_KERNEL,
	C_VERSION,
	C_TIMESTAMP,
	C_CHANNEL,
	C_SEGS,
	C_OPTIONS,
	C_HOPS,
	C_LIBRARY,
	C_SERVER_NS,
	C_COLS,
};

/* The columns the report reads, by the CSV table's enum (csvschema.h); a few are required. */
static const struct {
	enum ipcb_csv_column col;
	bool required;
} cols[C_COLS] = {
    [C_TRANSPORT] = {IPCB_COL_TRANSPORT, true},
    [C_MODE] = {IPCB_COL_MODE, true},
    [C_SIZE] = {IPCB_COL_SIZE_BYTES, true},
    [C_KIND] = {IPCB_COL_LATENCY_KIND, true},
    [C_PLACEMENT] = {IPCB_COL_PLACEMENT, true},
    [C_WAIT] = {IPCB_COL_WAIT, true},
    [C_P50] = {IPCB_COL_P50_NS, true},
    [C_BPS] = {IPCB_COL_BYTES_PER_S, true},
    [C_RUN] = {IPCB_COL_RUN, false},
    [C_SEND_CPU] = {IPCB_COL_SENDER_CPU_NS_PER_MSG, false},
    [C_RECV_CPU] = {IPCB_COL_RECEIVER_CPU_NS_PER_MSG, false},
    [C_BUFFER] = {IPCB_COL_BUFFER_BYTES, false},
    [C_HOST] = {IPCB_COL_HOST, false},
    [C_CPU_MODEL] = {IPCB_COL_CPU_MODEL, false},
    [C_KERNEL] = {IPCB_COL_KERNEL, false},
    [C_VERSION] = {IPCB_COL_VERSION, false},
    [C_TIMESTAMP] = {IPCB_COL_TIMESTAMP, false},
    [C_CHANNEL] = {IPCB_COL_CHANNEL, false},
    [C_SEGS] = {IPCB_COL_SEGMENTS_PER_MSG, false},
    [C_OPTIONS] = {IPCB_COL_OPTIONS, false},
    [C_HOPS] = {IPCB_COL_HOPS, false},
    [C_LIBRARY] = {IPCB_COL_LIBRARY, false},
    [C_SERVER_NS] = {IPCB_COL_SERVER_CPU_NS_PER_MSG, false},
};

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/*
 * A number field: empty is "not measured" (NAN); anything else must parse completely. Every
 * column the report reads (sizes, latencies, rates, CPU time, buffer bytes) is a quantity that
 * cannot be below zero: a negative one is a damaged file, and ranking on it would be nonsense.
 */
static int field_number(const char *s, double *out, const char *path, unsigned long line, int c)
{
	const char *col = ipcb_csv_name(cols[c].col);
	char *end;

	if (!*s) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(*out))
		return fail("%s:%lu: column %s: '%s' is not a number", path, line, col, s);
	if (*out < 0)
		return fail("%s:%lu: column %s: '%s' is negative", path, line, col, s);
	return 0;
}

static int rows_push(struct report *r, const struct rrow *row)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct rrow *p;

		/* Bounded: a report is a summary of runs, not of messages. */
		if (cap > (1u << 20))
			return fail("more than %u rows: not an ipcbench run's CSV?", 1u << 20);
		p = realloc(r->rows, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		r->rows = p;
		r->cap = cap;
	}
	r->rows[r->n++] = *row;
	return 0;
}

static void note_placement(struct report *r, const char *placement)
{
	static const char *const order[] = {"cross-core", "same-core", "unpinned"};

	for (size_t i = 0; i < r->nplacements; i++)
		if (strcmp(r->placements[i], placement) == 0)
			return;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(order[i], placement) == 0 && r->nplacements < 4) {
			r->placements[r->nplacements++] = order[i];
			return;
		}
}

static void note_size(struct report *r, size_t size)
{
	size_t i;

	for (i = 0; i < r->nsizes; i++)
		if (r->sizes[i] == size)
			return;
	if (r->nsizes == IPCB_MAX_LIST)
		return;
	/* keep sorted: tables read from small to large */
	for (i = r->nsizes; i > 0 && r->sizes[i - 1] > size; i--)
		r->sizes[i] = r->sizes[i - 1];
	r->sizes[i] = size;
	r->nsizes++;
}

static void note_wait(struct report *r, const char *transport, const char *wait)
{
	for (size_t i = 0; i < r->nwaits; i++) {
		if (strcmp(r->waits[i].transport, transport) != 0)
			continue;
		if (strcmp(r->waits[i].wait, wait) != 0) {
			r->waits[i].others = true;
			/* The default strategy speaks for a transport run with several. */
			if (strcmp(wait, "hybrid") == 0)
				snprintf(r->waits[i].wait, sizeof(r->waits[i].wait), "%s", wait);
		}
		return;
	}
	if (r->nwaits < sizeof(r->waits) / sizeof(r->waits[0])) {
		snprintf(r->waits[r->nwaits].transport, sizeof(r->waits[0].transport), "%s",
			 transport);
		snprintf(r->waits[r->nwaits].wait, sizeof(r->waits[0].wait), "%s", wait);
		r->nwaits++;
	}
}

static const char *wait_used(const struct report *r, const char *transport)
{
	for (size_t i = 0; i < r->nwaits; i++)
		if (strcmp(r->waits[i].transport, transport) == 0)
			return r->waits[i].wait;
	return "";
}

/* The machine and the date, from the first row. */
static void note_machine(struct report *r, const char *const *field)
{
	if (r->host[0])
		return;
	snprintf(r->host, sizeof(r->host), "%s", field[C_HOST]);
	snprintf(r->cpu_model, sizeof(r->cpu_model), "%s", field[C_CPU_MODEL]);
	snprintf(r->kernel, sizeof(r->kernel), "%s", field[C_KERNEL]);
	snprintf(r->version, sizeof(r->version), "%s", field[C_VERSION]);
	snprintf(r->date, sizeof(r->date), "%.10s", field[C_TIMESTAMP]);
}

/*
 * A transport run with different options is a different experiment (`mqtt` with qos=0 and with
 * qos=1): its rows are named with their options ("mqtt qos=1"), where the CSV holds it with
 * more than one set of them, and the wait strategy each name uses is found again.
 */
static void label_options(struct report *r)
{
	bool *varies = calloc(r->n ? r->n : 1, sizeof(*varies)), any = false;

	if (!varies)
		return; /* unlabelled: the rows of each set of options stay together */
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n && r->rows[i].options[0] && !varies[i]; j++)
			varies[i] = strcmp(r->rows[i].transport, r->rows[j].transport) == 0 &&
				    strcmp(r->rows[i].options, r->rows[j].options) != 0;
	for (size_t i = 0; i < r->n; i++) {
		struct rrow *a = &r->rows[i];
		char name[sizeof(a->transport)];

		if (!varies[i])
			continue;
		snprintf(name, sizeof(name), "%.31s %s", a->transport, a->options);
		memcpy(a->transport, name, sizeof(name));
		any = true;
	}
	free(varies);
	if (!any)
		return;
	r->nwaits = 0;
	for (size_t i = 0; i < r->n; i++)
		note_wait(r, r->rows[i].transport, r->rows[i].wait);
}

static int load(struct report *r, const char *path)
{
	struct ipcb_csvread csv;
	struct ipcb_csv_map map;
	int idx[C_COLS], rc;
	FILE *f = fopen(path, "r");
	unsigned long line;

	if (!f)
		return fail("%s: %s", path, strerror(errno));
	ipcb_csvread_init_file(&csv, f, 0, 0);
	rc = ipcb_csvread_next(&csv);
	if (rc <= 0) {
		rc = rc == 0 ? fail("%s: empty file", path)
			     : fail("%s:%lu:%lu: %s", path, csv.err.line, csv.err.col, csv.err.msg);
		goto close;
	}
	ipcb_csv_map_header(&map, &csv);
	for (int c = 0; c < C_COLS; c++) {
		size_t at = map.at[cols[c].col];

		/* The reader bounds a record's fields (IPCB_CSVREAD_DEFAULT_MAX_FIELDS): an int. */
		idx[c] = at == IPCB_CSV_ABSENT ? -1 : (int)at;
		if (idx[c] < 0 && cols[c].required) {
			rc = fail("%s:1: missing column %s", path, ipcb_csv_name(cols[c].col));
			goto close;
		}
	}
	while ((rc = ipcb_csvread_next(&csv)) == 1) {
		struct rrow row;
		const char *field[C_COLS];
		double size, run = 1, send_cpu = NAN, recv_cpu = NAN, num;

		line = ipcb_csvread_record_line(&csv);
		if (ipcb_csvread_nfields(&csv) <= (size_t)idx[C_BPS] ||
		    ipcb_csvread_nfields(&csv) <= (size_t)idx[C_P50]) {
			rc = fail("%s:%lu: %zu fields, fewer than the header's", path, line,
				  ipcb_csvread_nfields(&csv));
			goto close;
		}
		for (int c = 0; c < C_COLS; c++)
			field[c] = idx[c] >= 0 && (size_t)idx[c] < ipcb_csvread_nfields(&csv)
				       ? ipcb_csvread_field(&csv, (size_t)idx[c])
				       : "";
		/* The guides' tables are one pair in a closed loop: shaped loads have their own. */
		if (ipcb_report_row_shaped(field[C_MODE],
					   ipcb_csv_field(&csv, &map, IPCB_COL_PAIRS),
					   ipcb_csv_field(&csv, &map, IPCB_COL_INFLIGHT),
					   ipcb_csv_field(&csv, &map, IPCB_COL_TOPOLOGY),
					   ipcb_csv_field(&csv, &map, IPCB_COL_OFFERED_RATE))) {
			r->shaped++;
			note_machine(r, field);
			continue;
		}
		memset(&row, 0, sizeof(row));
		for (int m = 0; m < M_MEASURES; m++)
			row.v[m] = NAN;
		if (strcmp(field[C_KIND], "rtt") == 0)
			row.kind = K_RTT;
		else if (strcmp(field[C_KIND], "one_way_ab") == 0)
			row.kind = K_AB;
		else if (!field[C_KIND][0] && strcmp(field[C_MODE], "throughput") == 0)
			row.kind = K_STREAM;
		else
			continue; /* other one-way rows: not used by the tables */
		snprintf(row.transport, sizeof(row.transport), "%s", field[C_TRANSPORT]);
		snprintf(row.placement, sizeof(row.placement), "%s", field[C_PLACEMENT]);
		snprintf(row.wait, sizeof(row.wait), "%s", field[C_WAIT]);
		if (field_number(field[C_SIZE], &size, path, line, C_SIZE) ||
		    field_number(field[C_P50], &num, path, line, C_P50))
			goto bad;
		/* Bounded, or the conversion to size_t below is undefined: ipcbench never writes
		 * more. */
		if (!(size >= 1 && size <= IPCB_MAX_SIZE_BYTES)) {
			rc = fail("%s:%lu: column %s: '%s' is not a size", path, line,
				  ipcb_csv_name(cols[C_SIZE].col), field[C_SIZE]);
			goto close;
		}
		row.size = (size_t)size;
		row.v[row.kind == K_AB ? M_AB_P50 : M_RTT_P50] = row.kind == K_STREAM ? NAN : num;
		if (field_number(field[C_BPS], &row.v[M_BPS], path, line, C_BPS) ||
		    field_number(field[C_RUN], &run, path, line, C_RUN) ||
		    field_number(field[C_SEND_CPU], &send_cpu, path, line, C_SEND_CPU) ||
		    field_number(field[C_RECV_CPU], &recv_cpu, path, line, C_RECV_CPU) ||
		    field_number(field[C_BUFFER], &row.v[M_BUFFER], path, line, C_BUFFER) ||
		    field_number(field[C_SEGS], &row.segs_per_msg, path, line, C_SEGS) ||
		    field_number(field[C_SERVER_NS], &row.v[M_SERVER_NS], path, line, C_SERVER_NS))
			goto bad;
		snprintf(row.channel, sizeof(row.channel), "%s", field[C_CHANNEL]);
		snprintf(row.options, sizeof(row.options), "%s", field[C_OPTIONS]);
		snprintf(row.hops, sizeof(row.hops), "%s", field[C_HOPS]);
		row.library = field[C_LIBRARY][0] != '\0';
		if (row.kind == K_STREAM) {
			row.v[M_SEND_CPU_NS] = send_cpu;
			row.v[M_CPU_NS] = send_cpu + recv_cpu;
		}
		if (row.kind == K_AB)
			row.v[M_BUFFER] = row.v[M_SERVER_NS] = NAN; /* once, on the main row */
		if (run > r->max_run && run <= UINT32_MAX) /* beyond, the conversion is undefined */
			r->max_run = (unsigned)run;
		note_machine(r, field);
		note_placement(r, row.placement);
		note_size(r, row.size);
		note_wait(r, row.transport, row.wait);
		rc = rows_push(r, &row);
		if (rc)
			goto close;
	}
	if (rc < 0)
		rc = fail("%s:%lu:%lu: %s", path, csv.err.line, csv.err.col, csv.err.msg);
	else if (r->n == 0 && !r->shaped)
		rc = fail("%s: no measured rows", path);
	else
		label_options(r);
	goto close;
bad:
	rc = -EINVAL;
close:
	ipcb_csvread_fini(&csv);
	fclose(f);
	return rc;
}

/* ---- queries ------------------------------------------------------------------------------ */

/* The repeats of one measure for one transport, placement and size (vals: MAX_RUNS). */
static size_t report_values(const struct report *r, const char *transport, const char *placement,
			    size_t size, enum measure m, double *vals)
{
	size_t n = 0;
	const char *wait = wait_used(r, transport);

	for (size_t i = 0; i < r->n && n < MAX_RUNS; i++) {
		const struct rrow *row = &r->rows[i];

		if (row->size != size || isnan(row->v[m]) || strcmp(row->transport, transport) ||
		    strcmp(row->placement, placement) || strcmp(row->wait, wait))
			continue;
		vals[n++] = row->v[m];
	}
	return n;
}

/* Median over repeats of one measure for one transport, placement and size; false if none. */
static bool report_median(const struct report *r, const char *transport, const char *placement,
			  size_t size, enum measure m, double *out)
{
	double vals[MAX_RUNS];
	size_t n = report_values(r, transport, placement, size, m, vals);

	return n && ipcb_stats_median(vals, n, out) == 0;
}

/* The best run of one transport, placement and size: for floors, which are best cases. */
static bool report_best(const struct report *r, const char *transport, const char *placement,
			size_t size, enum measure m, double *out)
{
	bool found = false;

	for (size_t i = 0; i < r->n; i++) {
		const struct rrow *row = &r->rows[i];
		double x = row->v[m];

		if (row->size != size || isnan(x) || strcmp(row->transport, transport) ||
		    strcmp(row->placement, placement))
			continue;
		if (!found || (m == M_BPS ? x > *out : x < *out))
			*out = x;
		found = true;
	}
	return found;
}

static size_t size_or_nearest(const struct report *r, size_t want)
{
	size_t best = 0;

	for (size_t i = 0; i < r->nsizes; i++)
		if (!best || labs((long)r->sizes[i] - (long)want) < labs((long)best - (long)want))
			best = r->sizes[i];
	return best;
}

static bool lower_better(enum measure m)
{
	return m != M_BPS;
}

/* ---- formatting --------------------------------------------------------------------------- */

/* "64 B", "4K", "1M": sizes as --size spells them, with a unit when there is no suffix. */
static void fmt_size(size_t bytes, char *out, size_t n)
{
	ipcb_format_size(bytes, out, n);
	if (bytes < 1024 || bytes % 1024)
		snprintf(out, n, "%zu B", bytes);
}

static void fmt_value(enum measure m, double v, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	switch (m) {
	case M_BPS:
		if (v >= 1e9)
			snprintf(out, n, "%.2f GB/s", v / 1e9);
		else if (v >= 1e6)
			snprintf(out, n, "%.1f MB/s", v / 1e6);
		else
			snprintf(out, n, "%.1f kB/s", v / 1e3);
		break;
	case M_BUFFER:
		if (v >= 1 << 20)
			snprintf(out, n, "%.1f MiB", v / (1 << 20));
		else
			snprintf(out, n, "%.0f KiB", v / 1024);
		break;
	default:
		ipcb_format_ns(v, out, n);
		break;
	}
}

static const char *measure_name(enum measure m)
{
	switch (m) {
	case M_RTT_P50:
		return "round trip p50";
	case M_BPS:
		return "throughput";
	case M_AB_P50:
		return "one way p50";
	case M_CPU_NS:
		return "CPU per message";
	case M_SEND_CPU_NS:
		return "sender CPU per message";
	case M_SERVER_NS:
		return "server CPU per message";
	default:
		return "memory";
	}
}

/* ---- claims: comparisons, cells and verdicts ------------------------------------------------ */

/* What a cell showed about its claim. */
enum outcome {
	O_NO,
	O_YES,
	O_UNDECIDED, /* the repeats could not show either */
};

/*
 * What a comparison of A's repeats with B's tests, as a statement about the ratio of A's values
 * to B's ("better" is faster, or lower for CPU time; a factor is a ratio above 1):
 *   R_BEATS     A is better than B by more than the factor;
 *   R_AT_LEAST  A is not worse than B by the factor or more (a tie counts for A);
 *   R_BAND      A is worse than B by more than the factor and less than factor_hi.
 */
enum rule {
	R_BEATS,
	R_AT_LEAST,
	R_BAND,
};

static const char *better_word(enum measure m)
{
	return m == M_RTT_P50 || m == M_AB_P50 || m == M_BPS ? "faster" : "lower";
}

static const char *worse_word(enum measure m)
{
	return m == M_RTT_P50 || m == M_AB_P50 || m == M_BPS ? "slower" : "higher";
}

/* A factor as the claims say it: "5%" near 1, "1.5x" beyond. */
static void fmt_factor(double f, char *out, size_t n)
{
	if (f < 1.2)
		snprintf(out, n, "%.0f%%", (f - 1) * 100);
	else
		snprintf(out, n, "%.3gx", f);
}

static void fmt_ratio(double x, char *out, size_t n)
{
	if (x == 0 || !isfinite(x))
		snprintf(out, n, "%s", x == 0 ? "0x" : "inf");
	else
		snprintf(out, n, x >= 0.01 && x < 100 ? "%.2fx" : "%.3gx", x);
}

/*
 * One-sided p-values about g, the log of how much better A is than B (log(a/b), or log(b/a)
 * where lower is better): `above` for "g > c", `below` for "g < c", each from the Mann-Whitney
 * test of B's logs shifted by the matching amount against A's (stats.h).
 */
static int judge_p(const double *lb, size_t nb, const double *la, size_t na, bool lower, double c,
		   double *above, double *below)
{
	struct ipcb_mw t;
	int rc = ipcb_mw_shift_test(lb, nb, la, na, lower ? -c : c, &t);

	*above = lower ? t.p_less : t.p_greater;
	*below = lower ? t.p_greater : t.p_less;
	return rc;
}

/*
 * Decide one comparison: A's repeats (an, a[0..na)) against B's on measure m, under rule with
 * the factors f and f_hi (R_BAND). Writes to why the ratio A / B (the Hodges-Lehmann estimate,
 * with the interval the tests imply at REPORT_ALPHA on each side), the runs it rests on and what
 * decided the outcome: the test that showed it and its p-value, or why nothing was shown.
 */
static enum outcome judge(enum measure m, const char *an, const double *a, size_t na,
			  const char *bn, const double *b, size_t nb, enum rule rule, double f,
			  double f_hi, char *why, size_t n)
{
	const double alpha = REPORT_ALPHA;
	const bool lower = lower_better(m);
	double la[MAX_RUNS], lb[MAX_RUNS], k = log(f), kh = log(f_hi);
	double p_yes = 1, p_no = 1, p[4] = {1, 1, 1, 1};
	const char *better = better_word(m), *worse = worse_word(m);
	char ff[16], fh[16], est[16], lo[16], hi[16], ratio[96];
	struct ipcb_shift hl;
	enum outcome o = O_UNDECIDED;
	int len;

	fmt_factor(f, ff, sizeof(ff));
	fmt_factor(f_hi, fh, sizeof(fh));
	for (size_t i = 0; i < na; i++)
		la[i] = a[i] > 0 ? log(a[i]) : NAN;
	for (size_t i = 0; i < nb; i++)
		lb[i] = b[i] > 0 ? log(b[i]) : NAN;
	for (size_t i = 0; i < na || i < nb; i++)
		if ((i < na && isnan(la[i])) || (i < nb && isnan(lb[i]))) {
			snprintf(why, n, "a run measured 0, which has no ratio");
			return O_UNDECIDED;
		}
	if (ipcb_hl_shift(lb, nb, la, na, alpha, &hl) < 0) {
		snprintf(why, n, "the test failed (out of memory?)");
		return O_UNDECIDED;
	}
	fmt_ratio(exp(hl.est), est, sizeof(est));
	fmt_ratio(exp(hl.lo), lo, sizeof(lo));
	fmt_ratio(exp(hl.hi), hi, sizeof(hi));
	len = snprintf(ratio, sizeof(ratio), "%s/%s %s", an, bn, est);
	if (isfinite(hl.lo) && isfinite(hl.hi) && len > 0 && (size_t)len < sizeof(ratio))
		snprintf(ratio + len, sizeof(ratio) - (size_t)len, " [%s, %s]", lo, hi);
	len = snprintf(why, n, "%s over %zu and %zu runs: ", ratio, na, nb);
	if (len < 0 || (size_t)len >= n)
		return O_UNDECIDED;
	why += len;
	n -= (size_t)len;

	/* No outcome can reach alpha: say so rather than print p-values that cannot matter. */
	if (ipcb_mw_min_p(na, nb) >= alpha) {
		snprintf(why, n,
			 "too few runs (with %zu and %zu no p-value can be below %g; %zu a side "
			 "can)",
			 na, nb, alpha, ipcb_mw_repeats_possible(alpha));
		return O_UNDECIDED;
	}
	switch (rule) {
	case R_BEATS:
		if (judge_p(lb, nb, la, na, lower, k, &p_yes, &p_no) < 0)
			break;
		if (p_yes < alpha) {
			o = O_YES;
			snprintf(why, n, "%s %s than %s by more than %s (p = %.2g)", an, better, bn,
				 ff, p_yes);
		} else if (p_no < alpha) {
			o = O_NO;
			snprintf(why, n, "%s not %s than %s by more than %s (p = %.2g)", an, better,
				 bn, ff, p_no);
		}
		break;
	case R_AT_LEAST:
		if (judge_p(lb, nb, la, na, lower, -k, &p_yes, &p_no) < 0)
			break;
		if (p_yes < alpha) {
			o = O_YES;
			snprintf(why, n, "%s not %s than %s by %s or more (p = %.2g)", an, worse,
				 bn, ff, p_yes);
		} else if (p_no < alpha) {
			o = O_NO;
			snprintf(why, n, "%s %s than %s by more than %s (p = %.2g)", an, worse, bn,
				 ff, p_no);
		}
		break;
	case R_BAND:
		/* p[0] "not worse by f", p[1] "worse by more than f", likewise at f_hi. */
		if (judge_p(lb, nb, la, na, lower, -k, &p[0], &p[1]) < 0 ||
		    judge_p(lb, nb, la, na, lower, -kh, &p[2], &p[3]) < 0)
			break;
		p_yes = fmax(p[1], p[2]);
		p_no = fmin(p[0], p[3]);
		if (p_yes < alpha) {
			o = O_YES;
			snprintf(why, n,
				 "%s %s than %s by more than %s and less than %s (p = %.2g, %.2g)",
				 an, worse, bn, ff, fh, p[1], p[2]);
		} else if (p[0] < alpha) {
			o = O_NO;
			snprintf(why, n, "%s not %s than %s by more than %s (p = %.2g)", an, worse,
				 bn, ff, p[0]);
		} else if (p[3] < alpha) {
			o = O_NO;
			snprintf(why, n, "%s much %s than %s: by more than %s (p = %.2g)", an,
				 worse, bn, fh, p[3]);
		}
		break;
	}
	if (o == O_UNDECIDED)
		snprintf(why, n, "shown neither way (p = %.2g for, %.2g against; alpha %g)", p_yes,
			 p_no, alpha);
	return o;
}

struct cell {
	const char *placement;
	size_t size;
	enum measure m;
	enum outcome yes;
	char why[480];
};

struct claim {
	struct cell cells[128];
	size_t n;
};

__attribute__((format(printf, 7, 8))) static void cell_add(struct claim *c, const char *placement,
							   size_t size, enum measure m,
							   enum outcome yes, const char *judged,
							   const char *fmt, ...)
{
	va_list ap;
	struct cell *cl;
	int len;

	if (c->n == sizeof(c->cells) / sizeof(c->cells[0]))
		return;
	cl = &c->cells[c->n++];
	cl->placement = placement;
	cl->size = size;
	cl->m = m;
	cl->yes = yes;
	va_start(ap, fmt);
	len = vsnprintf(cl->why, sizeof(cl->why), fmt, ap);
	va_end(ap);
	/* The measured values first, then what decided the cell. */
	if (judged && len >= 0 && (size_t)len < sizeof(cl->why))
		snprintf(cl->why + len, sizeof(cl->why) - (size_t)len, "; %s", judged);
}

/*
 * Do the decided cells' outcomes follow `key` (same key, same outcome) while differing between
 * keys? Cells not decided say nothing either way.
 */
static bool split_by(const struct claim *c, int (*key)(const struct cell *))
{
	bool differs = false;

	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->n; j++) {
			if (c->cells[i].yes == O_UNDECIDED || c->cells[j].yes == O_UNDECIDED)
				continue;
			if (key(&c->cells[i]) == key(&c->cells[j]) &&
			    c->cells[i].yes != c->cells[j].yes)
				return false;
			if (c->cells[i].yes != c->cells[j].yes)
				differs = true;
		}
	return differs;
}

static const struct report *key_report; /* for key_placement; set while a verdict is formed */

static int key_placement(const struct cell *c)
{
	for (size_t i = 0; i < key_report->nplacements; i++)
		if (strcmp(key_report->placements[i], c->placement) == 0)
			return (int)i;
	return -1;
}

static int key_size(const struct cell *c)
{
	return (int)c->size;
}

static int key_measure(const struct cell *c)
{
	return c->m == M_BPS ? 1 : 0;
}

/* Where the claim holds, for a "depends" verdict: "holds cross-core; not same-core". */
static void describe_split(const struct report *r, const struct claim *c,
			   int (*key)(const struct cell *), char *out, size_t n)
{
	size_t len = 0;
	int seen[128];
	size_t nseen = 0;

	out[0] = '\0';
	for (size_t i = 0; i < c->n && len < n; i++) {
		int k = key(&c->cells[i]);
		char sz[16];
		bool dup = false;

		if (c->cells[i].yes == O_UNDECIDED)
			continue;
		for (size_t j = 0; j < nseen; j++)
			dup |= seen[j] == k;
		if (dup || nseen == 128)
			continue;
		seen[nseen++] = k;
		if (key == key_placement)
			snprintf(sz, sizeof(sz), "%s", c->cells[i].placement);
		else if (key == key_size)
			fmt_size(c->cells[i].size, sz, sizeof(sz));
		else
			snprintf(sz, sizeof(sz), "%s",
				 c->cells[i].m == M_BPS ? "throughput" : "latency");
		len += (size_t)snprintf(out + len, n - len, "%s%s %s", len ? "; " : "",
					c->cells[i].yes == O_YES ? "holds" : "not", sz);
	}
	(void)r;
}

/* "7 of 8 cross-core, 0 of 8 same-core; 3 of 8 latency, 4 of 8 throughput" (decided cells) */
static void tally(const struct report *r, const struct claim *c, char *out, size_t n)
{
	size_t len = 0, decided = 0;

	for (size_t i = 0; i < c->n; i++)
		decided += c->cells[i].yes != O_UNDECIDED;
	out[0] = '\0';
	for (size_t p = 0; p < r->nplacements && len < n; p++) {
		size_t yes = 0, all = 0;

		for (size_t i = 0; i < c->n; i++)
			if (c->cells[i].yes != O_UNDECIDED &&
			    strcmp(c->cells[i].placement, r->placements[p]) == 0)
				all++, yes += c->cells[i].yes == O_YES;
		if (all)
			len += (size_t)snprintf(out + len, n - len, "%s%zu of %zu %s",
						len ? ", " : "", yes, all, r->placements[p]);
	}
	for (int k = 0; k < 2 && len < n; k++) {
		size_t yes = 0, all = 0;

		for (size_t i = 0; i < c->n; i++)
			if (c->cells[i].yes != O_UNDECIDED && key_measure(&c->cells[i]) == k)
				all++, yes += c->cells[i].yes == O_YES;
		if (all && all < decided)
			len += (size_t)snprintf(out + len, n - len, "%s%zu of %zu %s",
						k == 0 ? "; " : ", ", yes, all,
						k == 0 ? "latency" : "throughput");
	}
}

/*
 * The claim's verdict from its decided cells: all yes holds, all no does not hold, a mix depends
 * on what splits them. Cells not decided are counted and said, never guessed; a claim none of
 * whose cells was decided is not decided.
 */
static void claim_verdict(const struct report *r, const struct claim *c, char *out, size_t n)
{
	size_t yes = 0, undecided = 0, decided;
	char where[300];
	int len;

	key_report = r;
	for (size_t i = 0; i < c->n; i++) {
		yes += c->cells[i].yes == O_YES;
		undecided += c->cells[i].yes == O_UNDECIDED;
	}
	decided = c->n - undecided;
	if (c->n == 0) {
		snprintf(out, n,
			 "**not measured** (the CSV lacks the transports or sizes it needs)");
		return;
	}
	if (decided == 0) {
		snprintf(out, n,
			 "**not decided** (none of its %zu comparisons could be decided from the "
			 "repeats: too few runs, or too much spread)",
			 c->n);
		return;
	}
	if (yes == decided) {
		len = snprintf(out, n, "**holds**");
	} else if (yes == 0) {
		len = snprintf(out, n, "**does not hold**");
	} else if (split_by(c, key_placement)) {
		describe_split(r, c, key_placement, where, sizeof(where));
		len = snprintf(out, n, "**depends on placement** (%s)", where);
	} else if (split_by(c, key_measure)) {
		describe_split(r, c, key_measure, where, sizeof(where));
		len = snprintf(out, n, "**depends on the measure** (%s)", where);
	} else if (split_by(c, key_size)) {
		describe_split(r, c, key_size, where, sizeof(where));
		len = snprintf(out, n, "**depends on size** (%s)", where);
	} else {
		tally(r, c, where, sizeof(where));
		len = snprintf(out, n, "**depends** (holds in %zu of %zu cases: %s)", yes, decided,
			       where);
	}
	if (undecided && len >= 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, "; %zu of %zu comparisons not decided",
			 undecided, c->n);
}

static void claim_print(const struct report *r, const char *id, const char *text,
			const char *source, const struct claim *c)
{
	static const char *const outcome_word[] = {
	    [O_NO] = "no", [O_YES] = "yes", [O_UNDECIDED] = "not decided"};
	char verdict[500], sz[16];

	claim_verdict(r, c, verdict, sizeof(verdict));
	fprintf(r->out, "### %s. %s\n\n*%s*\n\nVerdict: %s\n\n", id, text, source, verdict);
	for (size_t i = 0; i < c->n; i++) {
		fmt_size(c->cells[i].size, sz, sizeof(sz));
		fprintf(r->out, "- %s, %s, %s: %s - %s\n", c->cells[i].placement, sz,
			measure_name(c->cells[i].m), outcome_word[c->cells[i].yes],
			c->cells[i].why);
	}
	fputc('\n', r->out);
}

/* ---- families: which transports stand for the documents' mechanisms ---------------------- */

static const char *const fam_shm[] = {"shm", "shm-sem", "sysv-shm", "mmap", NULL};
static const char *const fam_pipe_unix[] = {"pipe", "unix-stream", "unix-dgram", "unix-seqpacket",
					    NULL};
static const char *const fam_net_mq[] = {"tcp", "udp", "posix-mq", "sysv-mq", NULL};
static const char *const fam_mq[] = {"posix-mq", "sysv-mq", NULL};
static const char *const fam_socket[] = {"unix-stream", "tcp", NULL};
static const char *const not_mechanisms[] = {
    "null", "floor-cacheline", "floor-futex", "floor-xcopy", "floor-mailbox", "floor-memcpy", NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/*
 * The best of the transports in `in` (every mechanism when NULL) that are not in `out` (NULL:
 * none excluded), in one cell.
 */
static bool best_of(const struct report *r, const char *const *in, const char *const *out,
		    const char *placement, size_t size, enum measure m, const char **who, double *v)
{
	bool found = false;

	for (size_t i = 0; i < r->n; i++) {
		const char *t = r->rows[i].transport;
		double x;

		if ((in && !in_list(in, t)) || (!in && in_list(not_mechanisms, t)) ||
		    (out && in_list(out, t)))
			continue;
		if (!report_median(r, t, placement, size, m, &x))
			continue;
		if (!found || (lower_better(m) ? x < *v : x > *v)) {
			*v = x;
			*who = r->rows[i].transport;
			found = true;
		}
	}
	return found;
}

static const enum measure speed_measures[2] = {M_RTT_P50, M_BPS};

/*
 * Judge transport ta against tb in one cell (their repeats of measure m) and add the cell, with
 * the medians in front of what decided it: "unix-stream 10.0 us vs tcp 20.0 us; ...".
 */
static void cell_judge(const struct report *r, struct claim *c, const char *placement, size_t size,
		       enum measure m, const char *ta, const char *tb, enum rule rule, double f,
		       double f_hi, const char *lead)
{
	double a[MAX_RUNS], b[MAX_RUNS], ma, mb;
	size_t na = report_values(r, ta, placement, size, m, a);
	size_t nb = report_values(r, tb, placement, size, m, b);
	char judged[400], va[32], vb[32];
	enum outcome o;

	if (!na || !nb || ipcb_stats_median(a, na, &ma) || ipcb_stats_median(b, nb, &mb))
		return;
	o = judge(m, ta, a, na, tb, b, nb, rule, f, f_hi, judged, sizeof(judged));
	fmt_value(m, ma, va, sizeof(va));
	fmt_value(m, mb, vb, sizeof(vb));
	if (lead)
		cell_add(c, placement, size, m, o, judged, "%s", lead);
	else
		cell_add(c, placement, size, m, o, judged, "%s %s vs %s %s", ta, va, tb, vb);
}

/*
 * In every cell, the best of family a against the best of family b (the mechanisms in b_in, or
 * all when NULL, less those in b_out), each chosen by its median: a is better by more than the
 * margin, or with ties_hold, not worse by the margin or more.
 */
static void claim_family_beats(const struct report *r, struct claim *c, const char *const *fa,
			       const char *const *b_in, const char *const *b_out, bool ties_hold)
{
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++)
			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				const char *wa = NULL, *wb = NULL;
				double va = 0, vb = 0;

				if (!best_of(r, fa, NULL, r->placements[p], r->sizes[s], m, &wa,
					     &va) ||
				    !best_of(r, b_in, b_out, r->placements[p], r->sizes[s], m, &wb,
					     &vb))
					continue;
				cell_judge(r, c, r->placements[p], r->sizes[s], m, wa, wb,
					   ties_hold ? R_AT_LEAST : R_BEATS, 1 + REPORT_MARGIN, 0,
					   NULL);
			}
}

static void claim_pair(const struct report *r, struct claim *c, const char *ta, const char *tb,
		       double lo, double hi)
{
	const char *fa[2] = {ta, NULL}, *fb[2] = {tb, NULL};

	if (lo == 0) {
		claim_family_beats(r, c, fa, fb, NULL, false);
		return;
	}
	/* "a is slightly slower than b": worse by more than a tie but less than hi. */
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++)
			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				double va, vb, slower;
				char a[32], b[32], lead[160];

				if (!report_median(r, ta, r->placements[p], r->sizes[s], m, &va) ||
				    !report_median(r, tb, r->placements[p], r->sizes[s], m, &vb))
					continue;
				slower = lower_better(m) ? va / vb : vb / va;
				fmt_value(m, va, a, sizeof(a));
				fmt_value(m, vb, b, sizeof(b));
				snprintf(lead, sizeof(lead),
					 "%s %s vs %s %s: %s takes %.2fx the time", ta, a, tb, b,
					 ta, slower);
				cell_judge(r, c, r->placements[p], r->sizes[s], m, ta, tb, R_BAND,
					   lo, hi, lead);
			}
}

/*
 * C6: the file transport is the slowest in each cell: the slowest other mechanism (by median)
 * is not slower than file by the margin or more (a tie counts as slowest, as C1's as fastest).
 */
static void claim_c6(const struct report *r, struct claim *c)
{
	static const char *const file_fam[] = {"file", NULL};

	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++)
			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				const char *worst = NULL, *fw = NULL;
				double wv = 0, fv = 0;
				char a[32], b[32], lead[256];

				if (!best_of(r, file_fam, NULL, r->placements[p], r->sizes[s], m,
					     &fw, &fv))
					continue;
				/* the slowest other: the best under the opposite order */
				for (size_t i = 0; i < r->n; i++) {
					const char *t = r->rows[i].transport;
					double x;

					if (in_list(not_mechanisms, t) || in_list(file_fam, t) ||
					    !report_median(r, t, r->placements[p], r->sizes[s], m,
							   &x))
						continue;
					if (!worst || (lower_better(m) ? x > wv : x < wv))
						worst = t, wv = x;
				}
				if (!worst)
					continue;
				fmt_value(m, fv, a, sizeof(a));
				fmt_value(m, wv, b, sizeof(b));
				snprintf(lead, sizeof(lead),
					 "file %s; the slowest other is %s (%s)", a, worst, b);
				cell_judge(r, c, r->placements[p], r->sizes[s], m, worst, "file",
					   R_AT_LEAST, 1 + REPORT_MARGIN, 0, lead);
			}
}

/* C7: semaphore and signal notification round trips beat the pipe's ("medium"). */
static void claim_c7(const struct report *r, struct claim *c)
{
	static const char *const notifiers[] = {"shm-sem", "sysv-shm", "signal", NULL};
	size_t size = size_or_nearest(r, 64);

	for (size_t p = 0; p < r->nplacements; p++)
		for (const char *const *t = notifiers; *t; t++) {
			double v, pipe_v;
			char a[32], b[32], lead[160];

			if (!report_median(r, *t, r->placements[p], size, M_RTT_P50, &v) ||
			    !report_median(r, "pipe", r->placements[p], size, M_RTT_P50, &pipe_v))
				continue;
			fmt_value(M_RTT_P50, v, a, sizeof(a));
			fmt_value(M_RTT_P50, pipe_v, b, sizeof(b));
			snprintf(lead, sizeof(lead), "%s round trip %s (wait %s) vs pipe %s", *t, a,
				 wait_used(r, *t), b);
			cell_judge(r, c, r->placements[p], size, M_RTT_P50, *t, "pipe", R_BEATS,
				   1 + REPORT_MARGIN, 0, lead);
		}
}

/* The documents' 1 MB figures (T1, C8), in milliseconds. */
static const struct t1_row {
	const char *mechanism;
	const char *const *family;
	double doc_ms;
	const char *doc_cpu, *doc_mem, *doc_volume;
} t1_rows[] = {
    {"shared memory", fam_shm, 0.01, "very low", "smallest", "large"},
    {"pipe", NULL, 2.5, "medium", "medium", "small"},
    {"message queue", fam_mq, 1.8, "medium", "larger", "structured"},
    {"socket", fam_socket, 3.2, "higher", "larger", "network compatible"},
};

static const char *const fam_pipe_only[] = {"pipe", NULL};

static const char *const *t1_family(const struct t1_row *t)
{
	return t->family ? t->family : fam_pipe_only;
}

/*
 * C8: measured time to stream 1 MiB within a factor of two of the document's figure. A median
 * against a constant, not two measurements: the factor of two dwarfs run-to-run noise.
 */
static void claim_c8(const struct report *r, struct claim *c, size_t mib)
{
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t i = 0; i < sizeof(t1_rows) / sizeof(t1_rows[0]); i++) {
			const char *who = NULL;
			double bps = 0, ms, ratio;

			if (!best_of(r, t1_family(&t1_rows[i]), NULL, r->placements[p], mib, M_BPS,
				     &who, &bps))
				continue;
			ms = 1048576.0 / bps * 1e3;
			ratio = ms / t1_rows[i].doc_ms;
			cell_add(c, r->placements[p], mib, M_BPS,
				 ratio >= 0.5 && ratio <= 2 ? O_YES : O_NO, NULL,
				 "%s (%s): %.3f ms measured vs %.2f ms in the document (%.2gx)",
				 t1_rows[i].mechanism, who, ms, t1_rows[i].doc_ms, ratio);
		}
}

/* C9: shared memory is the choice at 1 MB and above; pipes suit data under 64 KB. */
static void claim_c9(const struct report *r, struct claim *c)
{
	/*
	 * The pipe blocks: compare it with the other mechanisms that block, not with spinning
	 * readers (and not with itself: if it is the best of them, the best other must not be
	 * much faster either).
	 */
	const char *excluded[66];
	size_t ne = 0;

	for (size_t i = 0; i < r->nwaits && ne < 64; i++)
		if (strcmp(r->waits[i].wait, "block") != 0)
			excluded[ne++] = r->waits[i].transport;
	excluded[ne++] = "pipe";
	excluded[ne] = NULL;

	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++) {
			size_t size = r->sizes[s];

			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				const char *ws = NULL, *wo = NULL, *kw = NULL;
				double vs = 0, vo = 0, kv = 0, pv;
				char a[32], b[32], lead[200];

				if (size >= 1048576) {
					/* The fastest is shared memory, or ties with it. */
					if (!best_of(r, fam_shm, NULL, r->placements[p], size, m,
						     &ws, &vs) ||
					    !best_of(r, NULL, fam_shm, r->placements[p], size, m,
						     &wo, &vo))
						continue;
					fmt_value(m, vs, a, sizeof(a));
					fmt_value(m, vo, b, sizeof(b));
					snprintf(
					    lead, sizeof(lead),
					    "at %zu bytes the fastest shared memory is %s (%s), "
					    "the fastest other %s (%s)",
					    size, ws, a, wo, b);
					cell_judge(r, c, r->placements[p], size, m, ws, wo,
						   R_AT_LEAST, 1 + REPORT_MARGIN, 0, lead);
					continue;
				}
				if (size >= 65536 ||
				    !report_median(r, "pipe", r->placements[p], size, m, &pv))
					continue;
				/* "suits": within 1.5x of the best mechanism that blocks */
				best_of(r, NULL, excluded, r->placements[p], size, m, &kw, &kv);
				if (!kw)
					continue;
				fmt_value(m, pv, a, sizeof(a));
				fmt_value(m, kv, b, sizeof(b));
				snprintf(lead, sizeof(lead),
					 "pipe %s vs %s (%s), the best of the other blocking "
					 "mechanisms: within 1.5x?",
					 a, kw, b);
				cell_judge(r, c, r->placements[p], size, m, "pipe", kw, R_AT_LEAST,
					   1.5, 0, lead);
			}
		}
}

/*
 * C10 for transport t at one placement and size: its sender's CPU per streamed message against
 * its round trip, "continues at once" being under half of it. False when either is missing.
 */
static bool c10_cell(const struct report *r, struct claim *c, const char *t, const char *placement,
		     size_t size)
{
	double send_cpu[MAX_RUNS], rtt[MAX_RUNS], ms, mr;
	size_t ns = report_values(r, t, placement, size, M_SEND_CPU_NS, send_cpu);
	size_t nr = report_values(r, t, placement, size, M_RTT_P50, rtt);
	char a[32], b[32], judged[400];
	enum outcome o;

	if (!ns || !nr || ipcb_stats_median(send_cpu, ns, &ms) || ipcb_stats_median(rtt, nr, &mr))
		return false;
	fmt_value(M_RTT_P50, ms, a, sizeof(a));
	fmt_value(M_RTT_P50, mr, b, sizeof(b));
	/* Both in ns, lower is better: "lower by more than 2x". */
	o = judge(M_SEND_CPU_NS, "sender CPU", send_cpu, ns, "round trip", rtt, nr, R_BEATS, 2, 0,
		  judged, sizeof(judged));
	cell_add(c, placement, size, M_SEND_CPU_NS, o, judged,
		 "%s: sender CPU %s per message when streaming vs %s round trip", t, a, b);
	return true;
}

/* C10: a message queue's sender pays far less per message than a round trip costs. */
static void claim_c10(const struct report *r, struct claim *c)
{
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++)
			for (const char *const *t = fam_mq; *t; t++)
				c10_cell(r, c, *t, r->placements[p], r->sizes[s]);
}

/* ---- tables ---------------------------------------------------------------------------------- */

static void print_header(const struct report *r, const char *path)
{
	fprintf(r->out,
		"# IPC on %s: the guides' tables, measured\n\n"
		"Machine: %s, kernel %s; ipcbench %s; measured %s; from `%s`.\n\n"
		"Every number is the median over the CSV's repeats (up to %u per row) of one "
		"transport, mode, size and placement. Round trips are ping-pong latencies (p50); "
		"throughput is a one-way stream timed at the receiver. *cross-core*: sender and "
		"receiver on two CPUs; *same-core*: both on one CPU.\n\n"
		"How the claims are decided: a claim is a set of comparisons (one per placement, "
		"size and measure), each decided from the repeats with the statistics of "
		"`ipcbench compare`: one-sided Mann-Whitney tests of shifted hypotheses on the "
		"logarithms of the two sides' runs, at alpha %g per comparison. *Faster* means "
		"faster by more than %.0f%%, shown at that level; where a claim lets a tie count, "
		"a tie means not slower by %.0f%% or more. Each comparison gives the medians, the "
		"ratio (Hodges-Lehmann estimate, with the interval whose bounds are each one-sided "
		"at alpha) and the test that decided it with its p-value. A comparison shown "
		"neither way is *not decided* and counts for neither side: no test can reach alpha "
		"with fewer than %zu runs a side, so a CSV of single runs decides nothing (run "
		"with `--repeat %zu` or more). A verdict summarises the decided comparisons; C8 "
		"compares medians with the documents' figures.\n\n",
		r->host, r->cpu_model, r->kernel, r->version, r->date, path, r->max_run,
		REPORT_ALPHA, REPORT_MARGIN * 100, REPORT_MARGIN * 100,
		ipcb_mw_repeats_possible(REPORT_ALPHA), ipcb_mw_repeats_possible(REPORT_ALPHA) + 1);
	for (size_t i = 0; i < r->nwaits; i++)
		if (r->waits[i].others)
			fprintf(r->out,
				"Note: %s was run with several wait strategies; the tables use "
				"`%s`.\n\n",
				r->waits[i].transport, r->waits[i].wait);
}

static void print_floors(const struct report *r)
{
	static const struct {
		const char *transport, *what;
		enum measure m;
	} sized[] = {
	    {"floor-memcpy", "memcpy (one CPU, its own data)", M_BPS},
	    {"floor-xcopy", "cross-core copy (reading what the other CPU just wrote)", M_BPS},
	    {"floor-mailbox", "mailbox round trip (sequence word in the payload's line)",
	     M_RTT_P50},
	};

	fprintf(r->out, "## The machine's floors\n\nThe best run of each (a floor is what the "
			"machine allows).\n\n| placement | harness (null) round trip | "
			"cache-line round trip | futex round trip |\n|---|---|---|---|\n");
	for (size_t p = 0; p < r->nplacements; p++) {
		static const char *const pingpong[] = {"null", "floor-cacheline", "floor-futex"};

		fprintf(r->out, "| %s |", r->placements[p]);
		for (int k = 0; k < 3; k++) {
			double v = NAN;
			char a[32];
			bool got = false;

			for (size_t s = 0; s < r->nsizes && !got; s++)
				got = report_best(r, pingpong[k], r->placements[p], r->sizes[s],
						  M_RTT_P50, &v);
			fmt_value(M_RTT_P50, got ? v : NAN, a, sizeof(a));
			fprintf(r->out, " %s |", a);
		}
		fputc('\n', r->out);
	}
	fprintf(r->out,
		"\nPer message size: the ceilings of a stream (a row's `%s` is the "
		"cross-core copy where the sides ran on two CPUs, memcpy elsewhere) and the "
		"round trip of the simplest shared-memory handshake.\n\n| placement | floor |",
		ipcb_csv_name(IPCB_COL_X_FLOOR));
	for (size_t s = 0; s < r->nsizes; s++) {
		char sz[16];

		fmt_size(r->sizes[s], sz, sizeof(sz));
		fprintf(r->out, " %s |", sz);
	}
	fprintf(r->out, "\n|---|---|");
	for (size_t s = 0; s < r->nsizes; s++)
		fprintf(r->out, "---|");
	fputc('\n', r->out);
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t k = 0; k < sizeof(sized) / sizeof(sized[0]); k++) {
			bool any = false;

			for (size_t s = 0; s < r->nsizes && !any; s++) {
				double v;

				any = report_best(r, sized[k].transport, r->placements[p],
						  r->sizes[s], sized[k].m, &v);
			}
			if (!any)
				continue;
			fprintf(r->out, "| %s | %s |", r->placements[p], sized[k].what);
			for (size_t s = 0; s < r->nsizes; s++) {
				double v = NAN;
				char a[32];

				report_best(r, sized[k].transport, r->placements[p], r->sizes[s],
					    sized[k].m, &v);
				fmt_value(sized[k].m, v, a, sizeof(a));
				fprintf(r->out, " %s |", a);
			}
			fputc('\n', r->out);
		}
	fputc('\n', r->out);
}

static void print_t1(const struct report *r, size_t mib)
{
	fprintf(
	    r->out,
	    "## T1. Time to transfer 1 MB (`002_70218f60ab04cff3.txt`, section 8.1)\n\n"
	    "Measured: *stream* is 1 MiB divided by the throughput of 1 MiB messages; *one "
	    "message* is the one-way p50 of a single 1 MiB message in a ping-pong; CPU is both "
	    "sides' CPU time per streamed MiB; memory is what the channel reserved for messages "
	    "in flight. For families the best transport is shown.\n\n"
	    "| mechanism | document: time | document: CPU, memory, volume | placement | "
	    "transport | stream | one message | CPU per MiB | memory |\n"
	    "|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(t1_rows) / sizeof(t1_rows[0]); i++)
		for (size_t p = 0; p < r->nplacements; p++) {
			const struct t1_row *t = &t1_rows[i];
			const char *who = NULL;
			double bps = 0, ab = NAN, cpu = NAN, mem = NAN;
			char a[32], b[32], m[32];

			if (!best_of(r, t1_family(t), NULL, r->placements[p], mib, M_BPS, &who,
				     &bps))
				continue;
			report_median(r, who, r->placements[p], mib, M_AB_P50, &ab);
			report_median(r, who, r->placements[p], mib, M_CPU_NS, &cpu);
			report_median(r, who, r->placements[p], mib, M_BUFFER, &mem);
			fmt_value(M_AB_P50, ab, a, sizeof(a));
			fmt_value(M_CPU_NS, cpu, b, sizeof(b));
			fmt_value(M_BUFFER, mem, m, sizeof(m));
			fprintf(
			    r->out,
			    "| %s | %.2f ms | %s, %s, %s | %s | %s | %.3f ms | %s | %s | %s |\n",
			    t->mechanism, t->doc_ms, t->doc_cpu, t->doc_mem, t->doc_volume,
			    r->placements[p], who, 1048576.0 / bps * 1e3, a, b, m);
		}
	fputc('\n', r->out);
}

/* The documents' words for each mechanism's speed (T2 and T3). */
static const struct {
	const char *transport;
	const char *t2, *t3;
} speed_words[] = {
    {"pipe", "medium", "medium"},
    {"fifo", "medium", "medium"},
    {"posix-mq", "medium", "medium"},
    {"sysv-mq", "medium", "medium"},
    {"shm", "fastest", "highest"},
    {"shm-sem", "fastest (semaphores: very fast)", "highest (semaphores: high)"},
    {"sysv-shm", "fastest (semaphores: very fast)", "highest (semaphores: high)"},
    {"mmap", "fastest", "highest"},
    {"unix-stream", "medium, faster than network sockets", "-"},
    {"unix-dgram", "medium, faster than network sockets", "-"},
    {"unix-seqpacket", "medium, faster than network sockets", "-"},
    {"tcp", "medium", "-"},
    {"udp", "medium", "-"},
    {"signal", "very fast", "-"},
    {"eventfd", "-", "-"},
    {"file", "slowest", "-"},
};

static void speed_word(const char *t, const char **t2, const char **t3)
{
	*t2 = *t3 = "-";
	for (size_t i = 0; i < sizeof(speed_words) / sizeof(speed_words[0]); i++)
		if (strcmp(speed_words[i].transport, t) == 0) {
			*t2 = speed_words[i].t2;
			*t3 = speed_words[i].t3;
		}
}

struct ranked {
	const char *t;
	double v;
};

static int ranked_cmp(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return x < y ? -1 : x > y;
}

static void print_ranking(const struct report *r, size_t small, size_t mib)
{
	char s1[16], s2[16];

	fmt_size(small, s1, sizeof(s1));
	fmt_size(mib, s2, sizeof(s2));
	fprintf(r->out,
		"## T2 and T3. Speed of every mechanism, measured (`000_00169c0be3505af8.txt` "
		"section 4, `002_70218f60ab04cff3.txt` section 1.3)\n\n"
		"Ranked by the %s round trip (p50); the %s stream beside it.\n\n",
		s1, s2);
	for (size_t p = 0; p < r->nplacements; p++) {
		struct ranked list[64];
		size_t n = 0;

		for (size_t i = 0; i < r->n && n < 64; i++) {
			const char *t = r->rows[i].transport;
			bool dup = false;
			double v;

			if (in_list(not_mechanisms, t))
				continue;
			for (size_t j = 0; j < n; j++)
				dup |= strcmp(list[j].t, t) == 0;
			if (dup || !report_median(r, t, r->placements[p], small, M_RTT_P50, &v))
				continue;
			list[n].t = t;
			list[n++].v = v;
		}
		qsort(list, n, sizeof(list[0]), ranked_cmp);
		fprintf(
		    r->out,
		    "**%s**\n\n| rank | transport | wait | round trip %s | stream %s | T2 says | "
		    "T3 says |\n|---|---|---|---|---|---|---|\n",
		    r->placements[p], s1, s2);
		for (size_t i = 0; i < n; i++) {
			const char *t2, *t3;
			double bps = NAN;
			char a[32], b[32];

			speed_word(list[i].t, &t2, &t3);
			report_median(r, list[i].t, r->placements[p], mib, M_BPS, &bps);
			fmt_value(M_RTT_P50, list[i].v, a, sizeof(a));
			fmt_value(M_BPS, bps, b, sizeof(b));
			fprintf(r->out, "| %zu | %s | %s | %s | %s | %s | %s |\n", i + 1, list[i].t,
				wait_used(r, list[i].t), a, b, t2, t3);
		}
		fputc('\n', r->out);
	}
}

static const struct {
	const char *what, *sysv, *posix;
} t4_pairs[] = {
    {"message queues", "sysv-mq", "posix-mq"},
    {"shared memory + semaphores", "sysv-shm", "shm-sem"},
};

static void print_t4(const struct report *r, size_t small, size_t mib)
{
	char s1[16], s2[16];

	fmt_size(small, s1, sizeof(s1));
	fmt_size(mib, s2, sizeof(s2));
	fprintf(
	    r->out,
	    "## T4. System V against POSIX (`002_70218f60ab04cff3.txt`, section 6.1: System V "
	    "\"ordinary\", POSIX \"usually better\")\n\n"
	    "| pair | placement | System V round trip %s | POSIX round trip %s | System V stream "
	    "%s | POSIX stream %s |\n|---|---|---|---|---|---|\n",
	    s1, s1, s2, s2);
	for (size_t i = 0; i < sizeof(t4_pairs) / sizeof(t4_pairs[0]); i++)
		for (size_t p = 0; p < r->nplacements; p++) {
			double v[4] = {NAN, NAN, NAN, NAN};
			char a[4][32];

			report_median(r, t4_pairs[i].sysv, r->placements[p], small, M_RTT_P50,
				      &v[0]);
			report_median(r, t4_pairs[i].posix, r->placements[p], small, M_RTT_P50,
				      &v[1]);
			report_median(r, t4_pairs[i].sysv, r->placements[p], mib, M_BPS, &v[2]);
			report_median(r, t4_pairs[i].posix, r->placements[p], mib, M_BPS, &v[3]);
			if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]))
				continue;
			for (int k = 0; k < 4; k++)
				fmt_value(k < 2 ? M_RTT_P50 : M_BPS, v[k], a[k], sizeof(a[k]));
			fprintf(r->out, "| %s (%s vs %s) | %s | %s | %s | %s | %s |\n",
				t4_pairs[i].what, t4_pairs[i].sysv, t4_pairs[i].posix,
				r->placements[p], a[0], a[1], a[2], a[3]);
		}
	fprintf(r->out, "\nThe verdict is claim C5 below.\n\n");
}

static void print_claims(const struct report *r, size_t mib)
{
	static struct claim c; /* large: one at a time, reused */

	fprintf(r->out, "## Claims (`CLAIMS.md` C1..C10)\n\n");
	memset(&c, 0, sizeof(c));
	claim_family_beats(r, &c, fam_shm, NULL, fam_shm, true);
	claim_print(r, "C1", "Shared memory is the fastest IPC.",
		    "all five documents; compared: the best shared-memory transport against the "
		    "best of all the others (a tie counts as fastest)",
		    &c);
	memset(&c, 0, sizeof(c));
	claim_family_beats(r, &c, fam_pipe_unix, fam_net_mq, NULL, false);
	claim_print(r, "C2",
		    "Pipes and Unix domain sockets come next; network sockets and message queues "
		    "are slower.",
		    "001_d430098f08ffff3a.txt; compared: the best pipe or Unix socket against the "
		    "best of TCP, UDP and the message queues",
		    &c);
	memset(&c, 0, sizeof(c));
	claim_pair(r, &c, "fifo", "pipe", 1 + REPORT_MARGIN, 1.5);
	claim_print(r, "C3", "A named pipe (FIFO) is slightly slower than an anonymous pipe.",
		    "001_d430098f08ffff3a.txt; slightly: more than a tie, at most 1.5x", &c);
	memset(&c, 0, sizeof(c));
	claim_pair(r, &c, "unix-stream", "tcp", 0, 0);
	claim_print(r, "C4",
		    "Unix domain sockets are more efficient than TCP/IP sockets on the same "
		    "machine.",
		    "003_f366367498f991fa.txt, 000_00169c0be3505af8.txt", &c);
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(t4_pairs) / sizeof(t4_pairs[0]); i++)
		claim_pair(r, &c, t4_pairs[i].posix, t4_pairs[i].sysv, 0, 0);
	claim_print(r, "C5", "POSIX IPC usually performs better than System V IPC.",
		    "002_70218f60ab04cff3.txt section 6.1; pairs posix-mq/sysv-mq and "
		    "shm-sem/sysv-shm",
		    &c);
	memset(&c, 0, sizeof(c));
	claim_c6(r, &c);
	claim_print(r, "C6", "Files are the slowest mechanism.", "000_00169c0be3505af8.txt", &c);
	memset(&c, 0, sizeof(c));
	claim_c7(r, &c);
	claim_print(r, "C7", "Semaphores and signals are \"very fast\" notifications.",
		    "000_00169c0be3505af8.txt; very fast: a round trip faster than the pipe's, "
		    "which the document calls medium",
		    &c);
	memset(&c, 0, sizeof(c));
	claim_c8(r, &c, mib);
	claim_print(r, "C8",
		    "Moving 1 MB takes 0.01 ms over shared memory, 2.5 ms over a pipe, 1.8 ms over "
		    "a message queue and 3.2 ms over a socket.",
		    "002_70218f60ab04cff3.txt section 8.1; holds where the measured stream time is "
		    "within 2x of the document's",
		    &c);
	memset(&c, 0, sizeof(c));
	claim_c9(r, &c);
	claim_print(
	    r, "C9", "Shared memory is the choice above 1 MB; pipes suit data under 64 KB.",
	    "002_70218f60ab04cff3.txt section 8.2; at 1 MiB and above shared memory must be "
	    "fastest, below 64 KiB the pipe within 1.5x of the best mechanism whose reader "
	    "blocks",
	    &c);
	memset(&c, 0, sizeof(c));
	claim_c10(r, &c);
	claim_print(r, "C10",
		    "A message-queue sender continues at once without waiting for the "
		    "receiver.",
		    "000_00169c0be3505af8.txt section 3.2; holds where the sender's CPU per "
		    "streamed message is under half a round trip",
		    &c);
}

/* ---- message queues: the kernel's, socket middleware and brokers ---------------------------- */

enum queue_kind {
	Q_NONE,
	Q_KERNEL,     /* posix-mq, sysv-mq */
	Q_SOCKET,     /* the raw sockets middleware rides on */
	Q_MIDDLEWARE, /* a library on sockets, direct or through its own thread or daemon */
	Q_BROKER,     /* a server every message goes through (hops "via broker") */
};

/* What a row's transport is here: from the documents' families and the row's own columns. */
static enum queue_kind queue_kind(const struct rrow *row)
{
	char base[32];

	snprintf(base, sizeof(base), "%.*s", (int)strcspn(row->transport, " "), row->transport);
	if (in_list(fam_mq, base))
		return Q_KERNEL;
	if (in_list(fam_socket, base))
		return Q_SOCKET;
	if (strcmp(row->hops, "via broker") == 0)
		return Q_BROKER;
	if (row->library && row->hops[0])
		return Q_MIDDLEWARE;
	return Q_NONE;
}

/*
 * The kernel's queues, the sockets and the middleware built on them, and the brokers, side by
 * side: each one's 64 B round trip and 64 KiB stream, what its sender pays per streamed
 * message, what its server pays per message, and C10 ("a queue lets the sender continue at
 * once") checked for each: its sender's CPU per streamed message under half its round trip.
 */
static void print_queues(const struct report *r, size_t small, size_t k64)
{
	static const char *const kind_word[] = {[Q_KERNEL] = "kernel queue",
						[Q_SOCKET] = "socket",
						[Q_MIDDLEWARE] = "middleware",
						[Q_BROKER] = "broker"};
	static const char *const outcome_word[] = {
	    [O_NO] = "no", [O_YES] = "yes", [O_UNDECIDED] = "not decided"};
	static struct claim all, one; /* large: static */
	const char *names[64];
	enum queue_kind kinds[64];
	size_t n = 0, brokers = 0;
	char ssz[16], ksz[16];

	/* Every transport of interest once, kernel queues first, brokers last. */
	for (int k = Q_KERNEL; k <= Q_BROKER; k++)
		for (size_t i = 0; i < r->n && n < 64; i++) {
			bool seen = false;

			if (queue_kind(&r->rows[i]) != (enum queue_kind)k)
				continue;
			for (size_t j = 0; j < n && !seen; j++)
				seen = strcmp(names[j], r->rows[i].transport) == 0;
			if (!seen) {
				kinds[n] = (enum queue_kind)k;
				names[n++] = r->rows[i].transport;
				brokers += k == Q_BROKER;
			}
		}
	if (!brokers && n == 0)
		return;
	/* Alphabetically within each kind: a transport's option sets side by side. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && kinds[j - 1] == kinds[j] && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	fmt_size(small, ssz, sizeof(ssz));
	fmt_size(k64, ksz, sizeof(ksz));
	fprintf(r->out,
		"## Message queues: the kernel's, middleware on sockets, and brokers\n\n"
		"The guides name message queues (the kernel's) and message-queue middleware "
		"(RabbitMQ and the like) as the way processes exchange messages without waiting "
		"for each other. Side by side, doing the same verified work: the round trip and "
		"the stream, what the sender pays per streamed message (CPU), what the transport's "
		"server pays (its CPU per message over the whole run: per round trip, or per "
		"streamed message), and C10 checked for each: *a queue lets the sender continue "
		"at once*, holding where the sender's CPU per streamed %s message is under half "
		"the %s round trip.\n\n",
		ssz, ssz);
	memset(&all, 0, sizeof(all));
	for (size_t p = 0; p < r->nplacements; p++) {
		const char *pl = r->placements[p];

		fprintf(
		    r->out,
		    "### %s\n\n| transport | what | hops | %s round trip | %s stream | sender "
		    "CPU / streamed %s | server CPU / round trip | server CPU / streamed "
		    "%s | sender continues at once (C10) |\n|---|---|---|---:|---:|---:|---:|---:|"
		    "---|\n",
		    pl, ssz, ksz, ssz, ssz);
		for (size_t i = 0; i < n; i++) {
			double rtt = NAN, bps = NAN, send = NAN, srv_rtt = NAN, srv_stream = NAN;
			char v[5][32], verdict[64] = "-", hops[24] = "direct";
			bool any;

			any = report_median(r, names[i], pl, small, M_RTT_P50, &rtt);
			any |= report_median(r, names[i], pl, k64, M_BPS, &bps);
			report_median(r, names[i], pl, small, M_SEND_CPU_NS, &send);
			/* The server's CPU: on the round trip's row, and on the stream's. */
			for (size_t j = 0; j < r->n; j++) {
				const struct rrow *row = &r->rows[j];

				if (strcmp(row->transport, names[i]) != 0)
					continue;
				if (row->hops[0])
					snprintf(hops, sizeof(hops), "%s", row->hops);
			}
			{
				double vals[MAX_RUNS], m;
				size_t nv = 0;

				for (size_t j = 0; j < r->n && nv < MAX_RUNS; j++) {
					const struct rrow *row = &r->rows[j];

					if (row->kind == K_RTT && row->size == small &&
					    !isnan(row->v[M_SERVER_NS]) &&
					    strcmp(row->transport, names[i]) == 0 &&
					    strcmp(row->placement, pl) == 0)
						vals[nv++] = row->v[M_SERVER_NS];
				}
				if (nv && ipcb_stats_median(vals, nv, &m) == 0)
					srv_rtt = m;
				nv = 0;
				for (size_t j = 0; j < r->n && nv < MAX_RUNS; j++) {
					const struct rrow *row = &r->rows[j];

					if (row->kind == K_STREAM && row->size == small &&
					    !isnan(row->v[M_SERVER_NS]) &&
					    strcmp(row->transport, names[i]) == 0 &&
					    strcmp(row->placement, pl) == 0)
						vals[nv++] = row->v[M_SERVER_NS];
				}
				if (nv && ipcb_stats_median(vals, nv, &m) == 0)
					srv_stream = m;
			}
			if (!any)
				continue;
			memset(&one, 0, sizeof(one));
			if (kinds[i] != Q_SOCKET && c10_cell(r, &one, names[i], pl, small)) {
				snprintf(verdict, sizeof(verdict), "%s",
					 outcome_word[one.cells[0].yes]);
				if (all.n < sizeof(all.cells) / sizeof(all.cells[0]))
					all.cells[all.n++] = one.cells[0];
			}
			fmt_value(M_RTT_P50, rtt, v[0], sizeof(v[0]));
			fmt_value(M_BPS, bps, v[1], sizeof(v[1]));
			fmt_value(M_SEND_CPU_NS, send, v[2], sizeof(v[2]));
			fmt_value(M_SERVER_NS, srv_rtt, v[3], sizeof(v[3]));
			fmt_value(M_SERVER_NS, srv_stream, v[4], sizeof(v[4]));
			fprintf(r->out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				names[i], kind_word[kinds[i]], hops, v[0], v[1], v[2], v[3], v[4],
				kinds[i] == Q_SOCKET ? "(baseline)" : verdict);
		}
		fputc('\n', r->out);
	}
	claim_print(
	    r, "C10 for every queue",
	    "A queue lets the sender continue at once without waiting for the receiver.",
	    "000_00169c0be3505af8.txt section 3.2 (the kernel's queues) and "
	    "001_d430098f08ffff3a.txt (message-queue middleware, C12); each transport at the "
	    "smallest size, holding where its sender's CPU per streamed message is under half "
	    "its round trip",
	    &all);
}

/*
 * What the transports' channels were and how TCP cut the messages into segments, from the rows
 * themselves: the claims are judged on these rows, and a reader needs to know what a "shared
 * memory" or a "socket" row was before trusting a verdict about it.
 */
static void print_rows_made_of(const struct report *r)
{
	bool heading = false;

	for (size_t i = 0; i < r->n; i++) {
		const struct rrow *row = &r->rows[i];
		bool seen = false, chan = false, segs = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(r->rows[j].transport, row->transport) == 0;
		if (seen)
			continue;
		for (size_t j = i; j < r->n; j++) {
			chan |= strcmp(r->rows[j].transport, row->transport) == 0 &&
				r->rows[j].channel[0];
			segs |= strcmp(r->rows[j].transport, row->transport) == 0 &&
				!isnan(r->rows[j].segs_per_msg);
		}
		if (!chan && !segs)
			continue;
		if (!heading)
			fprintf(
			    r->out,
			    "## What the rows are made of\n\n"
			    "The claims below are judged on these rows. Channels as each transport "
			    "laid them out for the size (round-trip runs; a stream uses one "
			    "direction), and, where the transport counts them, the network "
			    "segments "
			    "its sender sent per message (median over the runs).\n\n");
		heading = true;
		fprintf(r->out, "- **%s**:", row->transport);
		for (size_t s = 0; s < r->nsizes; s++) {
			const char *layout = NULL;
			double seg[2] = {NAN, NAN}, vals[2][256];
			size_t nv[2] = {0, 0};
			char sz[16];

			for (size_t j = i; j < r->n; j++) {
				const struct rrow *x = &r->rows[j];
				int k = x->kind == K_STREAM;

				if (strcmp(x->transport, row->transport) || x->size != r->sizes[s])
					continue;
				if (x->kind == K_RTT && x->channel[0] && !layout)
					layout = x->channel;
				if (x->kind != K_AB && !isnan(x->segs_per_msg) && nv[k] < 256)
					vals[k][nv[k]++] = x->segs_per_msg;
			}
			for (int k = 0; k < 2; k++)
				if (nv[k])
					ipcb_stats_median(vals[k], nv[k], &seg[k]);
			if (!layout && isnan(seg[0]) && isnan(seg[1]))
				continue;
			fmt_size(r->sizes[s], sz, sizeof(sz));
			fprintf(r->out, " %s%s%s", s ? "; " : "", sz, layout ? ": " : "");
			if (layout)
				fprintf(r->out, "%s", layout);
			if (!isnan(seg[0]))
				fprintf(r->out, "%s%.2f segments per round-trip message",
					layout ? ", " : ": ", seg[0]);
			if (!isnan(seg[1]))
				fprintf(r->out, "%s%.3f per streamed message",
					layout || !isnan(seg[0]) ? ", " : ": ", seg[1]);
		}
		fprintf(r->out, ".\n");
	}
	if (heading)
		fprintf(r->out,
			"\nSegments: with TCP_NODELAY a message goes out as soon as it is written, "
			"so a round trip sends one segment per message (more when a message is "
			"larger than a segment); in a stream of small messages the kernel puts "
			"messages written while earlier segments are still queued into one segment "
			"(net.ipv4.tcp_autocorking), so a stream's rate depends on how many "
			"messages shared a segment, which changes from run to run.\n\n");
}

/* Links to the figures scripts/plot draws, relative to where the report is written. */
static void print_figures(const struct report *r, const char *dir)
{
	static const struct {
		const char *file, *what;
		bool per_placement;
	} figs[] = {
	    {"latency", "Round trip p50 and p99 against payload size", true},
	    {"throughput", "Throughput against payload size, with the memcpy floor", true},
	    {"percentiles", "Latency percentile distribution at 64 B", true},
	    {"cpu-latency", "CPU cost per message against round trip", true},
	    {"bars", "Time to move 1 MiB and 64 B round trip, per transport", false},
	};

	fprintf(r->out, "## Figures\n\n");
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		if (!figs[i].per_placement) {
			fprintf(r->out, "![%s](%s/%s.png)\n\n", figs[i].what, dir, figs[i].file);
			continue;
		}
		for (size_t p = 0; p < r->nplacements; p++)
			fprintf(r->out, "![%s, %s](%s/%s-%s.png)\n\n", figs[i].what,
				r->placements[p], dir, figs[i].file, r->placements[p]);
	}
}

/* --html FILE: refused before any work when it cannot be written or would destroy something. */
static int html_check(const char *in, const char *html, const char *out)
{
	char errbuf[IPCB_ERR_BYTES];

	if (out) {
		fail("-o %s and --html %s: one report at a time (run it twice for both)", out,
		     html);
		return 2;
	}
	if (ipcb_same_file(in, html)) {
		fail("--html %s names the CSV it reads, %s: it would be replaced by the page", html,
		     in);
		return 2;
	}
	if (ipcb_outfile_check(html, "--html", errbuf, sizeof(errbuf)) < 0) {
		fail("%s", errbuf);
		return 1;
	}
	return 0;
}

/*
 * --html FILE: the report just printed (Markdown, md[0..len)) as one self-contained page with
 * the figures inline: the SVG files in svg_dir, or drawn now from the CSV into a private
 * directory removed afterwards. Written under a temporary name and renamed over FILE at the
 * end, like -o. Stop signals are held while it works: one that comes stops the drawing, removes
 * what was made, and the exit status is 128 + its number.
 */
static int report_html(const char *csv, const char *html, const char *svg_dir, const char *md,
		       size_t len)
{
	struct ipcb_html_page page = {.markdown = md, .len = len, .csv = csv, .figures = svg_dir};
	char dir[PATH_MAX] = "", errbuf[IPCB_ERR_BYTES];
	struct ipcb_outfile of = {.fd = -1};
	sigset_t stop, old;
	struct timespec now = {0, 0};
	int rc, sig = 0, status = 0;
	FILE *f = NULL;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	if (!svg_dir) {
		rc = ipcb_html_draw(csv, dir, sizeof(dir), &sig, errbuf, sizeof(errbuf));
		if (rc < 0) {
			if (rc != -EINTR)
				fail("%s", errbuf);
			status = rc == -EINTR ? 128 + sig : 1;
			goto out;
		}
		page.figures = dir;
	}
	rc = ipcb_outfile_open(&of, html, "--html", errbuf, sizeof(errbuf));
	f = rc == 0 ? fdopen(of.fd, "w") : NULL;
	if (!f) {
		fail("%s", rc ? errbuf : strerror(errno));
		status = 1;
		goto out;
	}
	of.fd = -1; /* the stream owns it now */
	rc = ipcb_html_write(f, &page, errbuf, sizeof(errbuf));
	if (rc < 0)
		fail("--html %s: %s", html, errbuf);
	if (fclose(f) != 0 && rc == 0) {
		fail("--html %s: %s", html, strerror(errno));
		rc = -EIO;
	}
	sig = sigtimedwait(&stop, NULL, &now);
	if (rc == 0 && sig <= 0 && (rc = ipcb_outfile_place(&of, true)) < 0)
		fail("--html %s: %s", html, strerror(-rc));
	status = sig > 0 ? 128 + sig : rc < 0 ? 1 : 0;
out:
	ipcb_outfile_close(&of); /* removes the temporary file if not placed */
	ipcb_html_undraw(dir);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: ipcbench report CSV [-o FILE.md] [--figures DIR] [--slo pP=LATENCY]\n"
		"       ipcbench report CSV --html FILE.html [--figures DIR] [--slo pP=LATENCY]\n"
		"Print the IPC guides' comparison tables (T1-T4) with the numbers measured in\n"
		"CSV, and a verdict for each of their claims (C1-C10), as Markdown; then the\n"
		"rows of shaped loads (requests in flight, pairs, topologies, open-loop rates,\n"
		"streams both ways), which the tables leave out.\n"
		"  -o, --output FILE   write to FILE instead of standard output\n"
		"      --figures DIR   link the figures scripts/plot drew into DIR (a path as\n"
		"                      seen from the report); with --html, inline the SVG\n"
		"                      files in DIR instead of drawing them\n"
		"      --html FILE     write the report as one self-contained HTML page: the\n"
		"                      machine, the floors, the tables with their verdicts, and\n"
		"                      every figure inline (drawn with ipcbench-plot, which\n"
		"                      needs gnuplot), readable offline in any browser\n"
		"      --slo pP=LATENCY  the bound open-loop rows are held to: the highest rate\n"
		"                      up to which the percentile stayed under it (P one of 50,\n"
		"                      90, 99, 99.9, the percentiles the CSV carries; default\n"
		"                      p99 of 20us cross-core, 50us same-core, 100us unpinned)\n"
		"Exit status: 0 written, 1 no usable rows, a write error or (--html) figures\n"
		"that could not be drawn, 2 usage or a malformed CSV, 128+N stopped by signal N\n"
		"while drawing.\n");
}

int ipcb_report_main(int argc, char **argv)
{
	static struct report r;
	const char *in = NULL, *out = NULL, *figures = NULL, *html = NULL, *html_figures;
	char *md = NULL;
	size_t md_len = 0;
	struct ipcb_slo slo = {99, 0};
	struct ipcb_outfile of = {.fd = -1};
	char errbuf[IPCB_ERR_BYTES];
	size_t small, mib;
	int rc, status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			report_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
			if (++i == argc || !*argv[i]) {
				fail("%s: missing file name", argv[i - 1]);
				return 2;
			}
			out = argv[i];
		} else if (strcmp(argv[i], "--slo") == 0) {
			if (++i == argc) {
				fail("--slo: missing value");
				return 2;
			}
			if (ipcb_slo_parse(argv[i], "--slo", &slo, errbuf, sizeof(errbuf)) < 0) {
				fail("%s", errbuf);
				return 2;
			}
			if (!ipcb_report_slo_ok(&slo)) {
				fail("--slo %s: the CSV carries p50, p90, p99 and p99.9 only",
				     argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--html") == 0) {
			if (++i == argc || !*argv[i]) {
				fail("--html: missing file name");
				return 2;
			}
			html = argv[i];
		} else if (strcmp(argv[i], "--figures") == 0) {
			if (++i == argc || !*argv[i]) {
				fail("--figures: missing directory");
				return 2;
			}
			figures = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fail("unknown option '%s'", argv[i]);
			report_usage(stderr);
			return 2;
		} else if (!in) {
			in = argv[i];
		} else {
			fail("unexpected argument '%s'", argv[i]);
			return 2;
		}
	}
	if (!in) {
		report_usage(stderr);
		return 2;
	}
	if (html && (rc = html_check(in, html, out)) != 0)
		return rc;
	/* The HTML page inlines the figures; the Markdown's links to them are not for it. */
	html_figures = figures;
	if (html)
		figures = NULL;
	/* The report written over the CSV it reads would destroy the measurements. */
	if (out && ipcb_same_file(in, out)) {
		fail("-o %s names the CSV it reads, %s: it would be replaced by the report", out,
		     in);
		return 2;
	}
	/* Refused before the work, with the status of a write error. */
	if (out && ipcb_outfile_check(out, "-o", errbuf, sizeof(errbuf)) < 0) {
		fail("%s", errbuf);
		return 1;
	}
	memset(&r, 0, sizeof(r));
	rc = load(&r, in);
	if (rc) {
		free(r.rows);
		return rc == -ENOMEM ? 1 : 2;
	}
	/*
	 * Written under a temporary name and renamed over FILE at the end: a report that fails
	 * half way leaves an earlier FILE as it was, and nothing is written through a link.
	 */
	if (out) {
		rc = ipcb_outfile_open(&of, out, "-o", errbuf, sizeof(errbuf));
		r.out = rc == 0 ? fdopen(of.fd, "w") : NULL;
		if (!r.out) {
			fail("%s", rc ? errbuf : strerror(errno));
			ipcb_outfile_close(&of);
			free(r.rows);
			return 1;
		}
		of.fd = -1; /* the stream owns it now */
	} else {
		r.out = stdout;
	}
	if (html)
		r.out = open_memstream(&md, &md_len);
	if (!r.out) {
		fail("%s", strerror(errno));
		free(r.rows);
		return 1;
	}
	small = size_or_nearest(&r, 64);
	mib = size_or_nearest(&r, 1048576);
	print_header(&r, in);
	if (r.n) {
		print_floors(&r);
		print_t1(&r, mib);
		print_ranking(&r, small, mib);
		print_t4(&r, small, mib);
		print_rows_made_of(&r);
		print_claims(&r, mib);
		print_queues(&r, small, size_or_nearest(&r, 65536));
	} else {
		fprintf(r.out, "\nThe guides' tables and claims need rows of one sender and one "
			       "receiver in a closed loop (a run without --pairs, --inflight, "
			       "--topology, --rate or -m bistream): this CSV has none.\n");
	}
	if (ipcb_report_load_sections(r.out, in, &slo) < 0)
		status = 2;
	if (figures)
		print_figures(&r, figures);
	if (fflush(r.out) != 0 || ferror(r.out)) {
		fail("%s: write failed: %s", out ? out : "standard output", strerror(errno));
		status = 1;
	}
	if (out && fclose(r.out) != 0 && status == 0) {
		fail("%s: %s", out, strerror(errno));
		status = 1;
	}
	if (out && status == 0 && (rc = ipcb_outfile_place(&of, true)) < 0) {
		fail("%s: %s", out, strerror(-rc));
		status = 1;
	}
	if (out)
		ipcb_outfile_close(&of); /* removes the temporary file if not placed */
	if (html) {
		if (fclose(r.out) != 0 && status == 0) {
			fail("%s", strerror(errno));
			status = 1;
		}
		if (status == 0)
			status = report_html(in, html, html_figures, md, md_len);
		free(md);
	}
	free(r.rows);
	return status;
}
