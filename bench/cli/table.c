/* SPDX-License-Identifier: MIT */
/*
 * table.c - the rows for people: the table, fitted to the terminal, and what a write to standard
 * output met; see output.h.
 */
#include "output.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "format.h"

/* The first error met writing standard output (0: none yet), for the message at exit. */
static int stdout_errno;

int ipcb_driver_stdout_errno(void)
{
	return stdout_errno;
}

/* After writing to stdout: remember why a write failed, while errno still says. */
void ipcb_stdout_note(void)
{
	if (!stdout_errno && ferror(stdout))
		stdout_errno = errno;
}

/* Short names for the table's kind column. */
static const char *kind_short(const char *kind)
{
	if (!kind)
		return "-";
	if (strcmp(kind, "one_way_ab") == 0)
		return "a->b";
	if (strcmp(kind, "one_way_ba") == 0)
		return "b->a";
	if (strcmp(kind, "one_way") == 0)
		return "1-way";
	/* A broadcast's: to its slowest receiver, and to the last receiver of each message. */
	if (strcmp(kind, "one_way_slowest") == 0)
		return "slow";
	if (strcmp(kind, "one_way_last") == 0)
		return "last";
	if (strcmp(kind, "send_lag") == 0)
		return "lag";
	if (strcmp(kind, "send_call") == 0)
		return "send";
	return kind;
}

void ipcb_row_shape(const struct ipcb_row *row, double rate, char *out, size_t n)
{
	size_t len = 0;
	char r[16];

	out[0] = '\0';
	if (row->pairs > 1)
		len += (size_t)snprintf(out + len, n - len, "x%u", row->pairs);
	if (len < n && (row->senders > 1 || row->receivers > 1 || row->broadcast))
		len += (size_t)snprintf(out + len, n - len, "%s%u:%u%s", len ? " " : "",
					row->senders, row->receivers, row->broadcast ? " all" : "");
	if (len < n && row->inflight > 1)
		len += (size_t)snprintf(out + len, n - len, "%sk%u", len ? " " : "", row->inflight);
	if (len < n && rate > 0) {
		ipcb_format_rate(rate, r, sizeof(r));
		snprintf(out + len, n - len, "%s@%s", len ? " " : "", r);
	}
}

/*
 * The table's columns, in the order they are printed. A terminal narrower than the whole table
 * gets it with narrower columns, and without those whose `drop` is set, dropped in that order
 * (1 first) until the line fits; the columns with drop 0 always stay. A pipe, a file or --wide
 * get every column at its full width, as the table has always been.
 */
#define TC_PCT_ENUM(id, value, label, drop, what) TC_P##id,
enum table_col {
	TC_TRANSPORT,
	TC_MODE,
	TC_KIND,
	TC_SIZE,
	TC_SHAPE,
	TC_MSGS,
	IPCB_PERCENTILES(TC_PCT_ENUM) /* TC_P50 ...: lib/percentiles.h's, in its order */
	TC_MAX,
	TC_RATE,
	TC_MBS,
	TC_CPUS,
	TC_WAIT,
	TC_CHUNK,
	TC_CPU_MSG,
	TC_CTX,
	TC_XFLOOR,
	TC_HARNESS,
	TC_COUNT,
};

static const struct {
	const char *title;
	int width;  /* the full table's */
	int narrow; /* fitted to a terminal: the widest value it usually holds */
	bool left;  /* text, left-aligned; numbers are right-aligned */
	int drop;   /* when a narrow terminal drops it, from 1; 0: never */
} table_cols[TC_COUNT] = {
    [TC_TRANSPORT] = {.title = "transport", .width = 15, .narrow = 15, .left = true, .drop = 0},
    [TC_MODE] = {.title = "mode", .width = 10, .narrow = 10, .left = true, .drop = 10},
    [TC_KIND] = {.title = "kind", .width = 5, .narrow = 5, .left = true, .drop = 0},
    [TC_SIZE] = {.title = "size", .width = 5, .narrow = 5, .left = false, .drop = 0},
    [TC_SHAPE] = {.title = "shape", .width = 9, .narrow = 9, .left = true, .drop = 11},
    [TC_MSGS] = {.title = "msgs", .width = 9, .narrow = 9, .left = false, .drop = 6},
#define TC_PCT_COL(id, value, label, drop_, what)                                                  \
	[TC_P##id] = {.title = label, .width = 9, .narrow = 8, .left = false, .drop = drop_},
    IPCB_PERCENTILES(TC_PCT_COL)
#undef TC_PCT_COL
	[TC_MAX] = {.title = "max", .width = 9, .narrow = 8, .left = false, .drop = 0},
    [TC_RATE] = {.title = "msg/s", .width = 10, .narrow = 9, .left = false, .drop = 7},
    [TC_MBS] = {.title = "MB/s", .width = 9, .narrow = 8, .left = false, .drop = 0},
    [TC_CPUS] = {.title = "cpus", .width = 5, .narrow = 5, .left = false, .drop = 0},
    [TC_WAIT] = {.title = "wait", .width = 6, .narrow = 6, .left = false, .drop = 8},
    [TC_CHUNK] = {.title = "chunk", .width = 5, .narrow = 5, .left = false, .drop = 3},
    [TC_CPU_MSG] = {.title = "cpu/msg", .width = 9, .narrow = 8, .left = false, .drop = 9},
    [TC_CTX] = {.title = "ctx/msg", .width = 7, .narrow = 7, .left = false, .drop = 2},
    [TC_XFLOOR] = {.title = "x floor", .width = 7, .narrow = 7, .left = false, .drop = 0},
    /* What the harness puts inside each of the row's messages (the CSV's harness_ns). */
    [TC_HARNESS] = {.title = "harness", .width = 7, .narrow = 7, .left = false, .drop = 1},
};

static_assert(TC_MAX == TC_MSGS + 1 + IPCB_NPCT, "the percentiles' columns, then max");
static_assert(TC_COUNT <= 32, "struct ipcb_table keeps the shown columns in 32 bits");

static int table_col_width(const struct ipcb_table *t, int c)
{
	return t->narrow ? table_cols[c].narrow : table_cols[c].width;
}

/* The largest drop of any column: the last a narrow terminal goes without. */
static int table_last_drop(void)
{
	int last = 0;

	for (int c = 0; c < TC_COUNT; c++)
		if (table_cols[c].drop > last)
			last = table_cols[c].drop;
	return last;
}

unsigned ipcb_table_line_width(const struct ipcb_table *t)
{
	unsigned len = 0;

	for (int c = 0; c < TC_COUNT; c++)
		if (t->shown & (1u << c))
			len += (len ? 1 : 0) + (unsigned)table_col_width(t, c);
	return len;
}

void ipcb_table_fit(struct ipcb_table *t, unsigned columns, bool floors, bool shaped, bool harness)
{
	t->shown = (1u << TC_COUNT) - 1;
	t->empty = 0;
	t->narrow = false;
	t->columns = columns;
	if (columns == 0 || ipcb_table_line_width(t) <= columns)
		return;
	t->narrow = true;
	/*
	 * A column every row leaves empty is the first a terminal goes without: x floor without
	 * --floor, shape in a plan of one pair, one request in flight, closed loops and 1:1,
	 * harness with --no-probes.
	 */
	for (int c = 0; c < TC_COUNT && ipcb_table_line_width(t) > columns; c++)
		if ((c == TC_XFLOOR && !floors) || (c == TC_SHAPE && !shaped) ||
		    (c == TC_HARNESS && !harness)) {
			t->shown &= ~(1u << c);
			t->empty |= 1u << c;
		}
	/* Columns of one drop go together; past the last, only those that always stay are left. */
	for (int d = 1; d <= table_last_drop() && ipcb_table_line_width(t) > columns; d++)
		for (int c = 0; c < TC_COUNT; c++)
			if (table_cols[c].drop == d)
				t->shown &= ~(1u << c);
}

/* One line of the table: the shown cells, each padded to its column. */
static void table_line(FILE *f, const struct ipcb_table *t, const char *const cell[TC_COUNT])
{
	bool first = true;

	for (int c = 0; c < TC_COUNT; c++) {
		if (!(t->shown & (1u << c)))
			continue;
		fprintf(f, table_cols[c].left ? "%s%-*s" : "%s%*s", first ? "" : " ",
			table_col_width(t, c), cell[c]);
		first = false;
	}
	fputc('\n', f);
}

void ipcb_table_header(FILE *f, const struct ipcb_table *t)
{
	const char *cell[TC_COUNT];
	bool any = false;

	if (t->shown != (1u << TC_COUNT) - 1) {
		fprintf(f, "# fitted to %u columns, without", t->columns);
		for (int c = 0; c < TC_COUNT; c++)
			if (t->empty & (1u << c)) {
				fprintf(f, "%s %s", any ? "," : "", table_cols[c].title);
				any = true;
			}
		if (t->empty)
			fprintf(f, " (empty in this run)");
		for (int d = 1; d <= TC_COUNT; d++)
			for (int c = 0; c < TC_COUNT; c++)
				if (table_cols[c].drop == d && !(t->shown & (1u << c)) &&
				    !(t->empty & (1u << c))) {
					fprintf(f, "%s %s", any ? "," : "", table_cols[c].title);
					any = true;
				}
		fprintf(f, " (--wide shows every column)\n");
	}
	for (int c = 0; c < TC_COUNT; c++)
		cell[c] = table_cols[c].title;
	table_line(f, t, cell);
}

/* The table's i-th latency column: the recorded percentiles and the largest, as the row has them.
 */
static int64_t table_pct(const struct ipcb_hist_summary *l, int i)
{
	return i < IPCB_NPCT ? l->pct[i] : l->p100;
}

void ipcb_table_row(FILE *f, const struct ipcb_table *t, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	const struct ipcb_hist *h = row->hist;
	char size[16], chunk[16], cpus[32], p[IPCB_NPCT + 1][16], rate[24], mbs[24], cpu_msg[16],
	    ctx[16], xf[16], shape[48], msgs_text[24], harness[16];
	double msgs = (double)r->messages;
	const char *cell[TC_COUNT];

	ipcb_format_size(row->size_bytes, size, sizeof(size));
	/* A counted row has no times: its counts per message, on a line of their own. */
	if (r->counts[0].have) {
		fprintf(
		    f,
		    "%-15s %-10s count %5s  sender %.1f instr/msg (%.1f in the transport), %.4g "
		    "syscalls/msg; receiver %.1f instr/msg (%.1f in the transport), %.4g "
		    "syscalls/msg; %s\n",
		    row->transport, row->mode, size, r->counts[0].instr, r->counts[0].transport,
		    r->counts[0].syscalls, r->counts[1].instr, r->counts[1].transport,
		    r->counts[1].syscalls, row->count_check ? row->count_check : "unchecked");
		return;
	}
	/* A point that could not be counted: its line says why. */
	if (row->uncounted) {
		fprintf(f, "%-15s %-10s count %5s  not counted: %s\n", row->transport, row->mode,
			size, row->uncounted);
		return;
	}
	ipcb_row_shape(row, r->offered_rate, shape, sizeof(shape));
	/* A transport with settings away from its defaults (-o, --tune) says which. */
	if (row->tuning && *row->tuning) {
		size_t len = strlen(shape);

		snprintf(shape + len, sizeof(shape) - len, "%s%s", len ? " " : "", row->tuning);
	}
	if (!shape[0])
		snprintf(shape, sizeof(shape), "-");
	if (row->chunk_bytes && row->chunk_bytes < row->size_bytes)
		ipcb_format_size(row->chunk_bytes, chunk, sizeof(chunk));
	else
		snprintf(chunk, sizeof(chunk), "-");
	for (int i = 0; i <= IPCB_NPCT; i++) {
		if (h && row->latency_kind)
			ipcb_format_ns((double)table_pct(&row->lat, i), p[i], sizeof(p[i]));
		else
			snprintf(p[i], sizeof(p[i]), "-");
	}
	if (row->cpu[0] >= 0 && row->cpu[1] >= 0)
		snprintf(cpus, sizeof(cpus), "%d,%d", row->cpu[0], row->cpu[1]);
	else if (row->cpu[0] >= 0)
		snprintf(cpus, sizeof(cpus), "%d", row->cpu[0]);
	else
		snprintf(cpus, sizeof(cpus), "any");
	snprintf(rate, sizeof(rate), "-");
	snprintf(mbs, sizeof(mbs), "-");
	if (row->rates && r->msgs_per_s > 0)
		snprintf(rate, sizeof(rate), "%.0f", r->msgs_per_s);
	if (row->rates && r->bytes_per_s > 0)
		snprintf(mbs, sizeof(mbs), "%.1f", r->bytes_per_s / 1e6);
	/* Both sides' CPU time per message: where spinning shows its price. */
	ipcb_format_ns((r->cpu_s[0] + r->cpu_s[1]) * 1e9 / msgs, cpu_msg, sizeof(cpu_msg));
	snprintf(ctx, sizeof(ctx), "%.2f",
		 (double)(r->ctx_switches[0] + r->ctx_switches[1]) / msgs);
	/* Whole multiples from 1000 up: the column keeps its width (the CSV has the digits). */
	if (row->x_floor > 0)
		snprintf(xf, sizeof(xf), "%.*f", row->x_floor < 1000 ? 1 : 0, row->x_floor);
	else
		snprintf(xf, sizeof(xf), "-");
	if (row->harness_ns > 0)
		ipcb_format_ns(row->harness_ns, harness, sizeof(harness));
	else
		snprintf(harness, sizeof(harness), "-");
	snprintf(msgs_text, sizeof(msgs_text), "%" PRIu64, row->messages);
	cell[TC_TRANSPORT] = row->transport;
	cell[TC_MODE] = row->mode;
	cell[TC_KIND] = kind_short(row->latency_kind);
	cell[TC_SIZE] = size;
	cell[TC_SHAPE] = shape;
	cell[TC_MSGS] = msgs_text;
	for (int i = 0; i <= IPCB_NPCT; i++)
		cell[TC_MSGS + 1 + i] = p[i]; /* the percentiles, then max */
	cell[TC_RATE] = rate;
	cell[TC_MBS] = mbs;
	cell[TC_CPUS] = cpus;
	cell[TC_WAIT] = row->wait;
	cell[TC_CHUNK] = chunk;
	cell[TC_CPU_MSG] = cpu_msg;
	cell[TC_CTX] = ctx;
	cell[TC_XFLOOR] = xf;
	cell[TC_HARNESS] = harness;
	table_line(f, t, cell);
	fflush(f);
}
