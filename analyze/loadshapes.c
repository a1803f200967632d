/* SPDX-License-Identifier: MIT */
/*
 * loadshapes.c - the report's sections on shaped loads; see loadshapes.h.
 *
 * One pass over the CSV keeps every shaped row (a few fields each), then three sections print
 * from them. Open-loop rows are grouped by everything that names the experiment but the rate
 * (placement, transport, mode, size, pairs, topology, arrivals), and within a group by offered
 * rate; repeats become medians. A latency-mode group reads its round trips (rtt rows), a stream
 * its one-way delays (one_way rows), both counted from each message's intended send time; the
 * rates, late sends and losses come from the run's main row. Publish-subscribe rows (topology
 * "1:N all") are grouped the same way and compared per size and number of receivers.
 */
#include "loadshapes.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "csvschema.h"
#include "format.h"
#include "stats.h"

static const char prog[] = "ipcbench report";

bool ipcb_report_slo_ok(const struct ipcb_slo *slo)
{
	return slo->pct == 50 || slo->pct == 90 || slo->pct == 99 || slo->pct == 99.9;
}

bool ipcb_report_row_shaped(const char *mode, const char *pairs, const char *inflight,
			    const char *topology, const char *offered_rate)
{
	return strcmp(mode, "bistream") == 0 || (*pairs && strcmp(pairs, "1") != 0) ||
	       (*inflight && strcmp(inflight, "1") != 0) ||
	       (*topology && strcmp(topology, "1:1") != 0) || *offered_rate;
}

/* What a shaped row says, as this section reads it. */
enum lrole {
	L_MAIN,	   /* the run's row: rates (an rtt row in latency mode, the stream's own row) */
	L_TAIL,	   /* its latencies, when they are on a row of their own (a stream's one_way) */
	L_SLOWEST, /* a broadcast's one-way delays to its slowest receiver */
	L_LAST,	   /* a broadcast's one-way delays to the last receiver of each message */
	L_OTHER,   /* one-way rows of requests, send_lag, ...: not used here */
};

struct lrow {
	char group[256];  /* placement, transport, mode, size, shape but the rate */
	char family[256]; /* the same without requests in flight and arrivals */
	char placement[16], transport[32], mode[12], shape[48];
	size_t size;
	double offered; /* NAN: a closed loop */
	unsigned run;
	enum lrole role;
	double msgs_per_s, bytes_per_s, achieved, late, losses, p50, p90, p99, p999, tail, pair_min,
	    pair_max, bps_ab, bps_ba, deliveries;
	/* Publish-subscribe (--deliver all, topology "1:N all"): its receivers. */
	bool bcast;
	unsigned receivers;
};

struct lset {
	struct lrow *rows;
	size_t n, cap;
};

static int field_num(const char *s, double *out)
{
	char *end;

	if (!*s) {
		*out = NAN;
		return 0;
	}
	*out = strtod(s, &end);
	return *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/* "x2", "1:4", "k8", "poisson": the shape but the rate, as the table of the driver shows it. */
static void shape_of(const char *pairs, const char *topo, const char *inflight,
		     const char *arrivals, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	if (*pairs && strcmp(pairs, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, "x%s", pairs);
	if (len < n && *topo && strcmp(topo, "1:1") != 0)
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", topo);
	if (len < n && *inflight && strcmp(inflight, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, "%sk%s", len ? " " : "", inflight);
	if (len < n && *arrivals && strcmp(arrivals, "fixed") != 0)
		snprintf(out + len, n - len, "%s%s", len ? " " : "", arrivals);
}

static int lset_push(struct lset *s, const struct lrow *row)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct lrow *p = realloc(s->rows, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->rows = p;
		s->cap = cap;
	}
	s->rows[s->n++] = *row;
	return 0;
}

static int lset_load(struct lset *s, const char *path, double pct)
{
	static const enum ipcb_csv_column need[] = {IPCB_COL_TRANSPORT, IPCB_COL_MODE,
						    IPCB_COL_SIZE_BYTES, IPCB_COL_PLACEMENT,
						    IPCB_COL_LATENCY_KIND};
	/*
	 * Static, like every large array of this file: 2 KiB and more, on a stack that may be
	 * small (ulimit -s); the report is one thread, and nothing here is re-entered.
	 */
	static struct ipcb_csv_map m;
	struct ipcb_csvread r;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	ipcb_csvread_init_file(&r, f, 0, 0);
	rc = ipcb_csvread_next(&r);
	if (rc <= 0)
		goto out;
	ipcb_csv_map_header(&m, &r);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (m.at[need[i]] == IPCB_CSV_ABSENT)
			goto out; /* the main loader has said so already */
	while ((rc = ipcb_csvread_next(&r)) == 1) {
#define F(c) ipcb_csv_field(&r, &m, IPCB_COL_##c)
		const char *kind = F(LATENCY_KIND), *mode = F(MODE), *topo = F(TOPOLOGY);
		struct lrow row;
		double size, run, v[14], deliveries;
		const char *vs[14] = {F(MSGS_PER_S),
				      F(BYTES_PER_S),
				      F(ACHIEVED_RATE),
				      F(LATE),
				      F(LOSSES),
				      F(P50_NS),
				      F(P99_NS),
				      F(P999_NS),
				      F(PAIR_MIN_MSGS_PER_S),
				      F(PAIR_MAX_MSGS_PER_S),
				      F(BYTES_PER_S_AB),
				      F(BYTES_PER_S_BA),
				      F(OFFERED_RATE),
				      F(P90_NS)};
		char fam[48];
		bool bad = false;

		/* A slow consumer's rows (--receiver-work-ns) are C10's, in the claims. */
		if (*F(RECEIVER_WORK_NS) && strcmp(F(RECEIVER_WORK_NS), "0") != 0)
			continue;
		if (!ipcb_report_row_shaped(mode, F(PAIRS), F(INFLIGHT), F(TOPOLOGY),
					    F(OFFERED_RATE)))
			continue;
		memset(&row, 0, sizeof(row));
		for (int i = 0; i < 14; i++)
			bad |= field_num(vs[i], &v[i]) != 0;
		bad |= field_num(F(SIZE_BYTES), &size) != 0 || !(size >= 1 && size <= 1e12);
		bad |= field_num(F(RUN), &run) != 0;
		bad |= field_num(F(DELIVERIES_PER_S), &deliveries) != 0;
		if (bad) {
			fprintf(stderr,
				"%s: %s:%lu: a number field of a shaped row is not a number\n",
				prog, path, ipcb_csvread_record_line(&r));
			rc = -1;
			goto out;
		}
		if (strcmp(kind, "rtt") == 0 || (!*kind && strcmp(mode, "latency") != 0))
			row.role = L_MAIN;
		else if (strcmp(kind, "one_way") == 0)
			row.role = L_TAIL;
		else if (strcmp(kind, "one_way_slowest") == 0)
			row.role = L_SLOWEST;
		else if (strcmp(kind, "one_way_last") == 0)
			row.role = L_LAST;
		else
			row.role = L_OTHER;
		/* "1:3 all": every one of three receivers got every message. */
		row.bcast = strstr(topo, " all") != NULL;
		if (row.bcast && strchr(topo, ':'))
			row.receivers = (unsigned)strtoul(strchr(topo, ':') + 1, NULL, 10);
		row.deliveries = deliveries;
		snprintf(row.placement, sizeof(row.placement), "%s", F(PLACEMENT));
		snprintf(row.transport, sizeof(row.transport), "%s", F(TRANSPORT));
		snprintf(row.mode, sizeof(row.mode), "%s", mode);
		shape_of(F(PAIRS), F(TOPOLOGY), F(INFLIGHT), F(ARRIVALS), row.shape,
			 sizeof(row.shape));
		row.size = (size_t)size;
		row.run = isnan(run) ? 1 : (unsigned)run;
		row.msgs_per_s = v[0], row.bytes_per_s = v[1], row.achieved = v[2];
		row.late = v[3], row.losses = v[4], row.p50 = v[5], row.p99 = v[6];
		row.p999 = v[7], row.pair_min = v[8], row.pair_max = v[9];
		row.bps_ab = v[10], row.bps_ba = v[11], row.offered = v[12], row.p90 = v[13];
		/* The --slo percentile: one the CSV carries (ipcb_report_slo_ok). */
		row.tail = pct == 50   ? row.p50
			   : pct == 90 ? row.p90
			   : pct == 99 ? row.p99
				       : row.p999;
		snprintf(row.group, sizeof(row.group), "%s|%s|%s|%zu|%s", row.placement,
			 row.transport, mode, row.size, row.shape);
		shape_of(F(PAIRS), F(TOPOLOGY), "", "", fam, sizeof(fam));
		snprintf(row.family, sizeof(row.family), "%s|%s|%s|%zu|%s", row.placement,
			 row.transport, mode, row.size, fam);
		if (lset_push(s, &row)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			rc = -1;
			goto out;
		}
#undef F
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s:%lu:%lu: %s\n", prog, path, r.err.line, r.err.col,
			r.err.msg);
out:
	ipcb_csvread_fini(&r);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

/* The median of one field over the rows of a group at one rate (NAN offered: closed loops). */
static double median_of(const struct lset *s, const char *group, double offered, enum lrole role,
			size_t off)
{
	static double v[256]; /* static: see lset_load */
	size_t n = 0;
	double med = NAN;

	for (size_t i = 0; i < s->n && n < 256; i++) {
		const struct lrow *x = &s->rows[i];
		double f = *(const double *)((const char *)x + off);

		if (x->role != role || strcmp(x->group, group) != 0 || isnan(f))
			continue;
		if (isnan(offered) ? !isnan(x->offered) : x->offered != offered)
			continue;
		v[n++] = f;
	}
	if (n && ipcb_stats_median(v, n, &med) < 0)
		med = NAN;
	return med;
}

#define MED(s, g, o, role, field) median_of(s, g, o, role, offsetof(struct lrow, field))

static void cell_ns(double ns, char *out, size_t n)
{
	if (isnan(ns))
		snprintf(out, n, "-");
	else
		ipcb_format_ns(ns, out, n);
}

static void cell_rate(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else
		ipcb_format_rate(v, out, n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Has an earlier row (before i) the same group (and, when rate, the same offered rate)? */
static bool seen_before(const struct lset *s, size_t i, bool open)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(s->rows[j].group, s->rows[i].group) == 0 &&
		    !isnan(s->rows[j].offered) == open)
			return true;
	return false;
}

/* One open-loop group: its rates in order, a line each, and the bound's verdict. */
static void print_curve(FILE *out, const struct lset *s, const struct lrow *g,
			const struct ipcb_slo *slo)
{
	static double rates[256]; /* static: see lset_load */
	double bound = slo->ns > 0 ? slo->ns : ipcb_slo_default_ns(g->placement);
	/* A stream's latencies are its one-way delays, on rows of their own. */
	enum lrole lat = strcmp(g->mode, "latency") == 0 ? L_MAIN : L_TAIL;
	double held = NAN, closed = NAN;
	const char *closed_shape = "";
	bool broken = false;
	size_t n = 0;
	char sz[16], b[32], c[6][32];

	/* The most the same channel and pairs carried in a closed loop, in any window of requests.
	 */
	for (size_t i = 0; i < s->n; i++) {
		const struct lrow *x = &s->rows[i];
		double v;

		if (strcmp(x->family, g->family) != 0 || !isnan(x->offered) || x->role != L_MAIN)
			continue;
		v = MED(s, x->group, NAN, L_MAIN, msgs_per_s);
		if (!isnan(v) && (isnan(closed) || v > closed)) {
			closed = v;
			closed_shape = x->shape;
		}
	}

	for (size_t i = 0; i < s->n && n < 256; i++) {
		const struct lrow *x = &s->rows[i];
		bool dup = false;

		if (strcmp(x->group, g->group) != 0 || isnan(x->offered) || x->role != L_MAIN)
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= rates[k] == x->offered;
		if (!dup)
			rates[n++] = x->offered;
	}
	qsort(rates, n, sizeof(rates[0]), cmp_double);
	ipcb_format_size(g->size, sz, sizeof(sz));
	fprintf(out, "\n**%s %s, %s, %s%s%s**\n\n", g->transport, g->mode, sz, g->placement,
		g->shape[0] ? ", " : "", g->shape);
	fprintf(out, "| offered msg/s | achieved msg/s | p50 | p99 | p99.9 | late | losses |\n"
		     "|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < n; k++) {
		double ach = MED(s, g->group, rates[k], L_MAIN, achieved);
		double tail = MED(s, g->group, rates[k], lat, tail);
		double late = MED(s, g->group, rates[k], L_MAIN, late);
		double loss = MED(s, g->group, rates[k], L_MAIN, losses);

		cell_rate(rates[k], c[0], sizeof(c[0]));
		cell_rate(ach, c[1], sizeof(c[1]));
		cell_ns(MED(s, g->group, rates[k], lat, p50), c[2], sizeof(c[2]));
		cell_ns(MED(s, g->group, rates[k], lat, p99), c[3], sizeof(c[3]));
		cell_ns(MED(s, g->group, rates[k], lat, p999), c[4], sizeof(c[4]));
		fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n", c[0], c[1], c[2], c[3], c[4],
			isnan(late) ? "-" : (snprintf(c[5], sizeof(c[5]), "%.0f", late), c[5]),
			isnan(loss) ? "-" : (snprintf(b, sizeof(b), "%.0f", loss), b));
		/* Held up to here: every rate so far under the bound, and followed (95%). */
		if (!broken && !isnan(tail) && tail <= bound && !isnan(ach) &&
		    ach >= 0.95 * rates[k])
			held = rates[k];
		else
			broken = true;
	}
	ipcb_format_ns(bound, b, sizeof(b));
	fprintf(out, "\np%g <= %s%s: ", slo->pct, b,
		slo->ns > 0 ? "" : " (this placement's default)");
	if (isnan(held)) {
		fprintf(out, "not met at any rate measured");
	} else {
		cell_rate(held, c[0], sizeof(c[0]));
		fprintf(out, "held up to **%s msg/s** offered", c[0]);
	}
	if (!isnan(closed)) {
		cell_rate(closed, c[1], sizeof(c[1]));
		fprintf(out, "; the closed-loop maximum: %s msg/s%s%s%s", c[1],
			closed_shape[0] ? " (" : "", closed_shape, closed_shape[0] ? ")" : "");
	}
	fprintf(out, ".\n");
}

/* The closed loops beyond one pair and one message at a time, a line per shape. */
static void print_closed(FILE *out, const struct lset *s)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct lrow *x = &s->rows[i];
		char sz[16], c[7][32], spread[80];
		double lo, hi;

		/* Publish-subscribe has a section of its own. */
		if (!isnan(x->offered) || x->role != L_MAIN || x->bcast || seen_before(s, i, false))
			continue;
		if (!any)
			fprintf(out,
				"\n### Closed loops of other shapes\n\n"
				"Medians of the repeats. Shape: xN pairs (each on its own channel; "
				"the rate is all of them together, the spread the slowest and the "
				"fastest pair), S:R senders and receivers sharing one channel, kN "
				"requests in flight; bistream: both ways at once (MB/s both "
				"together, then each way).\n\n"
				"| placement | transport | mode | size | shape | msg/s | MB/s | "
				"p50 | p99 "
				"| pairs' spread |\n"
				"|---|---|---|---:|---|---:|---:|---:|---:|---|\n");
		any = true;
		ipcb_format_size(x->size, sz, sizeof(sz));
		cell_rate(MED(s, x->group, NAN, L_MAIN, msgs_per_s), c[0], sizeof(c[0]));
		hi = MED(s, x->group, NAN, L_MAIN, bytes_per_s);
		if (isnan(hi))
			snprintf(c[1], sizeof(c[1]), "-");
		else if (strcmp(x->mode, "bistream") == 0)
			snprintf(c[1], sizeof(c[1]), "%.0f (%.0f + %.0f)", hi / 1e6,
				 MED(s, x->group, NAN, L_MAIN, bps_ab) / 1e6,
				 MED(s, x->group, NAN, L_MAIN, bps_ba) / 1e6);
		else
			snprintf(c[1], sizeof(c[1]), "%.1f", hi / 1e6);
		cell_ns(MED(s, x->group, NAN, L_MAIN, p50), c[2], sizeof(c[2]));
		cell_ns(MED(s, x->group, NAN, L_MAIN, p99), c[3], sizeof(c[3]));
		lo = MED(s, x->group, NAN, L_MAIN, pair_min);
		hi = MED(s, x->group, NAN, L_MAIN, pair_max);
		if (isnan(lo) || isnan(hi)) {
			snprintf(spread, sizeof(spread), "-");
		} else {
			cell_rate(lo, c[5], sizeof(c[5]));
			cell_rate(hi, c[6], sizeof(c[6]));
			snprintf(spread, sizeof(spread), "%s to %s", c[5], c[6]);
		}
		fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", x->placement,
			x->transport, x->mode, sz, x->shape[0] ? x->shape : "-", c[0], c[1], c[2],
			c[3], spread);
	}
}

/* ---- publish-subscribe ---------------------------------------------------------------------- */

/* A broadcast's main row: one per group (placement, transport, size, receivers) and repeat. */
static bool bcast_main(const struct lrow *x)
{
	return x->bcast && x->role == L_MAIN && isnan(x->offered) && x->receivers > 0;
}

/* One transport's medians at one placement, size and number of receivers. */
struct bcast_cell {
	const struct lrow *x; /* its first row, for its names */
	double published, deliveries, each, slowest, last50, last99, losses;
};

static int cmp_cell(const void *a, const void *b)
{
	double x = ((const struct bcast_cell *)a)->deliveries;
	double y = ((const struct bcast_cell *)b)->deliveries;

	/* The fastest fan-out first; those without a rate last. */
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x > y ? -1 : x < y;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* The cells of one placement, size and number of receivers, fastest fan-out first. */
static size_t bcast_cells(const struct lset *s, const char *placement, size_t size, unsigned n,
			  struct bcast_cell *cell, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < s->n && count < max; i++) {
		const struct lrow *x = &s->rows[i];
		struct bcast_cell *c = &cell[count];

		if (!bcast_main(x) || x->size != size || x->receivers != n ||
		    strcmp(x->placement, placement) != 0 || seen_before(s, i, false))
			continue;
		c->x = x;
		c->published = MED(s, x->group, NAN, L_MAIN, msgs_per_s);
		c->deliveries = MED(s, x->group, NAN, L_MAIN, deliveries);
		c->losses = MED(s, x->group, NAN, L_MAIN, losses);
		c->each = MED(s, x->group, NAN, L_TAIL, p50);
		c->slowest = MED(s, x->group, NAN, L_SLOWEST, p50);
		c->last50 = MED(s, x->group, NAN, L_LAST, p50);
		c->last99 = MED(s, x->group, NAN, L_LAST, p99);
		count++;
	}
	qsort(cell, count, sizeof(*cell), cmp_cell);
	return count;
}

/* Under a table: which transport fanned out fastest, which reached its last receiver soonest. */
static void bcast_verdict(FILE *out, unsigned n, const struct bcast_cell *cell, size_t count)
{
	const struct bcast_cell *quick = NULL;
	char a[32], b[32];

	for (size_t k = 0; k < count; k++)
		if (!isnan(cell[k].last50) && (!quick || cell[k].last50 < quick->last50))
			quick = &cell[k];
	if (!count || isnan(cell[0].deliveries))
		return;
	cell_rate(cell[0].deliveries, a, sizeof(a));
	fprintf(out, "- to %u receiver%s: the most deliveries per second, %s, through **%s**", n,
		n == 1 ? "" : "s", a, cell[0].x->transport);
	if (quick) {
		cell_ns(quick->last50, b, sizeof(b));
		fprintf(out, "; the last receiver reached soonest (p50 %s) through **%s**", b,
			quick->x->transport);
	}
	for (size_t k = 0; k < count; k++)
		if (!isnan(cell[k].losses) && cell[k].losses > 0) {
			fprintf(out, "; losses at");
			for (size_t j = k, first = 1; j < count; j++)
				if (!isnan(cell[j].losses) && cell[j].losses > 0) {
					fprintf(out, "%s %s (%.0f)", first ? "" : ",",
						cell[j].x->transport, cell[j].losses);
					first = 0;
				}
			break;
		}
	fprintf(out, ".\n");
}

/* Placements in name order, sizes from the smallest: the order the tables are printed in. */
static int cmp_table(const void *a, const void *b)
{
	const struct lrow *x = *(const struct lrow *const *)a, *y = *(const struct lrow *const *)b;
	int c = strcmp(x->placement, y->placement);

	return c ? c : x->size < y->size ? -1 : x->size > y->size;
}

/*
 * Publish-subscribe (--deliver all): per placement and size, a table of every broadcast
 * transport at each number of receivers, fastest fan-out first, and a line per number of
 * receivers saying which fanned out fastest and which reached its last receiver soonest. 0, or
 * -1 after a message (no memory).
 */
static int print_pubsub(FILE *out, const struct lset *s)
{
	struct bcast_cell *cell;
	const struct lrow *table[64];
	size_t ntables = 0;

	/* Each placement and size once: the first row of it. */
	for (size_t i = 0; i < s->n && ntables < 64; i++) {
		const struct lrow *x = &s->rows[i];
		bool seen = false;

		for (size_t t = 0; t < ntables && !seen; t++)
			seen = table[t]->size == x->size &&
			       strcmp(table[t]->placement, x->placement) == 0;
		if (bcast_main(x) && !seen)
			table[ntables++] = x;
	}
	qsort(table, ntables, sizeof(table[0]), cmp_table);
	if (!ntables)
		return 0;
	/* On the heap: 4 KiB of cells is too much for a small stack (ulimit -s). */
	cell = calloc(64, sizeof(*cell));
	if (!cell) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	for (size_t t = 0; t < ntables; t++) {
		const struct lrow *x = table[t];
		unsigned ns[64];
		size_t nn = 0;
		char sz[16];

		if (t == 0)
			fprintf(
			    out,
			    "\n### Publish-subscribe\n\n"
			    "One sender, and every receiver gets every message (`--deliver all`): "
			    "the publish/subscribe that the guides' extensions name among message "
			    "middleware's features (001_d430098f08ffff3a.txt), measured through "
			    "each "
			    "transport that broadcasts. Medians of the repeats. *Published*: "
			    "messages per second the sender sent; *deliveries*: what arrived at "
			    "all "
			    "receivers together (published times the receivers, less what was "
			    "lost); "
			    "one-way p50 to every receiver, to the slowest one, and to the last "
			    "receiver each sampled message reached (its latest arrival); *losses*: "
			    "all "
			    "receivers' together, where the mechanism may drop (elsewhere a loss "
			    "fails "
			    "the run), with the share of the deliveries due that it was.\n");
		for (size_t j = 0; j < s->n; j++) {
			const struct lrow *y = &s->rows[j];
			bool dup = false;

			if (!bcast_main(y) || y->size != x->size ||
			    strcmp(y->placement, x->placement) != 0)
				continue;
			for (size_t k = 0; k < nn; k++)
				dup |= ns[k] == y->receivers;
			if (!dup && nn < 64)
				ns[nn++] = y->receivers;
		}
		qsort(ns, nn, sizeof(ns[0]), cmp_unsigned);
		ipcb_format_size(x->size, sz, sizeof(sz));
		fprintf(
		    out,
		    "\n**%s, %s**\n\n"
		    "| receivers | transport | published msg/s | deliveries/s | p50 to every "
		    "receiver | p50 to the slowest | p50 to the last | p99 to the last | losses |\n"
		    "|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
		    sz, x->placement);
		for (size_t k = 0; k < nn; k++) {
			size_t count = bcast_cells(s, x->placement, x->size, ns[k], cell, 64);

			for (size_t c = 0; c < count; c++) {
				char v[6][32];

				cell_rate(cell[c].published, v[0], sizeof(v[0]));
				cell_rate(cell[c].deliveries, v[1], sizeof(v[1]));
				cell_ns(cell[c].each, v[2], sizeof(v[2]));
				cell_ns(cell[c].slowest, v[3], sizeof(v[3]));
				cell_ns(cell[c].last50, v[4], sizeof(v[4]));
				cell_ns(cell[c].last99, v[5], sizeof(v[5]));
				fprintf(out, "| %u | %s | %s | %s | %s | %s | %s | %s | ", ns[k],
					cell[c].x->transport, v[0], v[1], v[2], v[3], v[4], v[5]);
				double due = cell[c].published * ns[k];

				if (isnan(cell[c].losses))
					fprintf(out, "- |\n");
				else if (cell[c].losses > 0 && due > 0 && cell[c].deliveries <= due)
					fprintf(out, "%.0f (%.0f%%) |\n", cell[c].losses,
						100 * (1 - cell[c].deliveries / due));
				else
					fprintf(out, "%.0f |\n", cell[c].losses);
			}
		}
		fputc('\n', out);
		for (size_t k = 0; k < nn; k++) {
			size_t count = bcast_cells(s, x->placement, x->size, ns[k], cell, 64);

			bcast_verdict(out, ns[k], cell, count);
		}
	}
	free(cell);
	return 0;
}

int ipcb_report_load_sections(FILE *out, const char *path, const struct ipcb_slo *slo)
{
	struct lset s = {0};
	bool open = false;
	int rc;

	if (lset_load(&s, path, slo->pct) < 0) {
		free(s.rows);
		return -1;
	}
	for (size_t i = 0; i < s.n; i++)
		open |= !isnan(s.rows[i].offered);
	if (s.n)
		fprintf(out, "\n## Loads with a shape\n\n"
			     "The tables above are one sender and one receiver in a closed loop; "
			     "these rows are not in them.\n");
	if (open) {
		fprintf(
		    out,
		    "\n### Latency against offered load\n\n"
		    "Open loops (`--rate`, `--rate-sweep`): the sender sends on schedule whatever "
		    "the replies do, and every latency counts from the message's intended send "
		    "time, so time spent queued behind a stall is in it. Requests: round trips; "
		    "streams: one-way delays. Medians of the repeats. The bound holds up to a rate "
		    "when it held at every rate up to it and the achieved rate followed the "
		    "offered one (95%%).\n");
		for (size_t i = 0; i < s.n; i++)
			if (!isnan(s.rows[i].offered) && s.rows[i].role == L_MAIN &&
			    !seen_before(&s, i, true))
				print_curve(out, &s, &s.rows[i], slo);
	}
	print_closed(out, &s);
	rc = print_pubsub(out, &s);
	free(s.rows);
	return rc;
}
