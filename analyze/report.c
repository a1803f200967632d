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

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cliopt.h"
#include "csvread.h"
#include "csvschema.h"
#include "sizes.h"
#include "outfile.h"
#include "format.h"
#include "loadshapes.h"
#include "histsrc.h"
#include "placements.h"
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
/*
 * Runs of one transport, placement, size and measure that a comparison takes, at most. A function
 * that holds such a series keeps its arrays static, as the comparisons' samples are: the report
 * is one thread and none of these functions is re-entered (each returns before it is called
 * again), while MAX_RUNS values apiece, several such functions deep, would be tens of KiB of a
 * stack that may be small (ulimit -s).
 */
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
	M_SEND_CALL,   /* ns a stream's send call took, with a slow consumer (struct srow) */
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
	/*
	 * The round it was measured in (0: the CSV has no rounds), the machine's state beside it
	 * (its probes, NAN where none) and what set it aside (below-floor, probe-jump; "": none).
	 */
	unsigned round;	   /* the round's place among the CSV's rounds, from 1 (0: none) */
	unsigned round_no; /* the round's number as the CSV says it */
	double probe_cl, probe_wk, probe_cl_after;
	double ctx, run_spread, cpu_per_msg;
	char flag[64];
	/* Its route as the transport declared it (data_path, rides_on): "" where not said. */
	char path[16];
	char rides_on[32];
	/*
	 * Figures that are not the same work as the others': a loan (a zero-copy row whose receiver
	 * reads the payload in place, so most messages are read only as far as their stamps; with
	 * the share read in full) and a file's pages that never had to reach the disk.
	 */
	bool loan, page_cache;
	double full_share;
	/* Its options away from the transport's defaults (-o, --tune): "" at the defaults. */
	char tuning[64];
};

/*
 * A row measured with a slow consumer (--receiver-work-ns), for C10: how long a stream's send
 * calls took at a rate the receiver keeps up with (send_call), or the round trip of the same
 * channel used synchronously (rtt), while the receiver spent work_ns on each message.
 */
struct srow {
	char transport[96];
	char placement[16];
	size_t size;
	double work_ns, p50;
	unsigned round_no;
	bool rtt;
};

struct report {
	struct rrow *rows;
	size_t n, cap;
	struct srow *srows;
	size_t nsrows, srows_cap;
	char host[128], cpu_model[160], kernel[128], version[64], date[32], virt[64], smt[32];
	unsigned max_run;
	/* For transports run with several wait strategies: the one the report uses. */
	struct {
		char transport[96];
		char wait[8];
		bool others;
	} waits[64];
	size_t nwaits;
	const char *placements[8];
	size_t nplacements;
	size_t sizes[IPCB_MAX_LIST];
	size_t nsizes;
	size_t shaped; /* rows of shaped loads: not in the tables (loadshapes.h) */
	size_t matrix; /* cells of the placement matrix: not in the tables (placements.h) */
	FILE *out;
	/*
	 * Rounds: the highest round number (0: the CSV has none), and while a verdict's stability
	 * is tested, how often each round is in the resample (NULL: each once).
	 */
	unsigned max_round;
	bool paired; /* the CSV has rounds: values of one round were measured together */
	const unsigned *weight;
	size_t flagged; /* rows set aside for the machine's state */
	/* Every transport's name once, in order (the rows are sorted by transport, placement and
	 * size after loading, so that a series is found by bisection). */
	const char *tnames[256];
	size_t ntnames;
	/*
	 * The families the transports declare: those whose bytes move through shared memory
	 * (NULL-terminated, for best_of()); has_paths: the CSV says data paths at all (older ones
	 * do not, and then no claim about a family is decided); has_ctx: it counts context
	 * switches, which tell readers that poll from readers that sleep.
	 */
	const char *shm_fam[257];
	bool has_paths, has_ctx;
	/*
	 * Tuned settings (the tuning column): their rows are named "pipe write=16384" and left
	 * out of tnames, so that the tables and claims compare every mechanism as it comes; vnames
	 * lists them. With `tuned` set, a lookup of a transport takes, in each cell, whichever of
	 * its settings has the best median (the claims judged on each mechanism at its best).
	 */
	bool has_tuning, tuned;
	const char *vnames[256];
	size_t nvnames;
	/* Each claim's verdict as it was printed, for the answers in brief at the top. */
	struct {
		const char *id, *text;
		char grade[96];
		size_t yes, no;
	} brief[20];
	size_t nbrief;
};

/* Rows that are not a mechanism's: the harness and the floors. */
static const char *const not_mechanisms[] = {
    "null", "floor-cacheline", "floor-futex", "floor-xcopy", "floor-mailbox", "floor-memcpy", NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

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
	C_ROUND,
	C_STATE,
	C_PROBE_CL,
	C_PROBE_WK,
	C_CTX,
	C_RUN_SPREAD,
	C_PROBE_CL_AFTER,
	C_VIRT,
	C_DATA_PATH,
	C_RIDES_ON,
	C_MESSAGES,
	C_FULL_CHECKS,
	C_FSYNC,
	C_RECV_WORK,
	C_TUNING,
	C_SMT,
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
    [C_ROUND] = {IPCB_COL_ROUND, false},
    [C_STATE] = {IPCB_COL_STATE, false},
    [C_PROBE_CL] = {IPCB_COL_PROBE_CACHELINE_NS, false},
    [C_PROBE_WK] = {IPCB_COL_PROBE_WAKEUP_NS, false},
    [C_CTX] = {IPCB_COL_CTX_SWITCHES_PER_MSG, false},
    [C_RUN_SPREAD] = {IPCB_COL_RUN_SPREAD, false},
    [C_PROBE_CL_AFTER] = {IPCB_COL_PROBE_CACHELINE_AFTER_NS, false},
    [C_VIRT] = {IPCB_COL_VIRTUALIZATION, false},
    [C_DATA_PATH] = {IPCB_COL_DATA_PATH, false},
    [C_RIDES_ON] = {IPCB_COL_RIDES_ON, false},
    [C_MESSAGES] = {IPCB_COL_MESSAGES, false},
    [C_FULL_CHECKS] = {IPCB_COL_FULL_CHECKS, false},
    [C_FSYNC] = {IPCB_COL_FSYNC, false},
    [C_RECV_WORK] = {IPCB_COL_RECEIVER_WORK_NS, false},
    [C_TUNING] = {IPCB_COL_TUNING, false},
    [C_SMT] = {IPCB_COL_SMT, false},
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
	/* The topology's classes (--placement smt, ...) are placements of their own too. */
	static const char *const order[] = {"cross-core", "same-core", "unpinned",   "smt",
					    "llc",	  "node",      "remote-node"};
	size_t norder = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < r->nplacements; i++)
		if (strcmp(r->placements[i], placement) == 0)
			return;
	for (size_t i = 0; i < norder; i++)
		if (strcmp(order[i], placement) == 0 && r->nplacements < 8) {
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
	snprintf(r->virt, sizeof(r->virt), "%s", field[C_VIRT]);
	snprintf(r->smt, sizeof(r->smt), "%s", field[C_SMT]);
}

/*
 * A transport run with different options is a different experiment (`mqtt` with qos=0 and with
 * qos=1): its rows are named with their options ("mqtt qos=1"), where the CSV holds it with
 * more than one set of them, and the wait strategy each name uses is found again.
 */
static void label_options(struct report *r)
{
	bool *varies, any = false;

	/* A CSV that says which rows are tuned names those, and only those, by their settings. */
	if (r->has_tuning) {
		for (size_t i = 0; i < r->n; i++) {
			struct rrow *a = &r->rows[i];
			char name[sizeof(a->transport)];

			if (!a->tuning[0])
				continue;
			snprintf(name, sizeof(name), "%.31s %s", a->transport, a->tuning);
			memcpy(a->transport, name, sizeof(name));
			any = true;
		}
		if (any) {
			r->nwaits = 0;
			for (size_t i = 0; i < r->n; i++)
				note_wait(r, r->rows[i].transport, r->rows[i].wait);
		}
		return;
	}
	varies = calloc(r->n ? r->n : 1, sizeof(*varies));

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

static int row_cmp(const void *pa, const void *pb)
{
	const struct rrow *a = pa, *b = pb;
	int c = strcmp(a->transport, b->transport);

	if (!c)
		c = strcmp(a->placement, b->placement);
	if (!c)
		c = a->size < b->size ? -1 : a->size > b->size;
	return c;
}

/*
 * Sort the rows by transport, placement and size, and list the transports: the claims ask for
 * many series, many times over when a verdict's stability is tested, and each is then found by
 * bisection instead of a pass over every row.
 */
static void rows_index(struct report *r)
{
	size_t nshm = 0;

	if (r->n) /* a CSV of matrix cells alone has no rows here, and no array */
		qsort(r->rows, r->n, sizeof(r->rows[0]), row_cmp);
	r->ntnames = r->nvnames = 0;
	for (size_t i = 0; i < r->n; i++)
		if (i > 0 && strcmp(r->rows[i].transport, r->rows[i - 1].transport) == 0) {
			continue;
		} else if (r->rows[i].tuning[0] && r->has_tuning) {
			if (r->nvnames < sizeof(r->vnames) / sizeof(r->vnames[0]))
				r->vnames[r->nvnames++] = r->rows[i].transport;
		} else if (r->ntnames < sizeof(r->tnames) / sizeof(r->tnames[0])) {
			r->tnames[r->ntnames++] = r->rows[i].transport;
			if (strcmp(r->rows[i].path, "shared-memory") == 0)
				r->shm_fam[nshm++] = r->rows[i].transport;
		}
	r->shm_fam[nshm] = NULL;
}

/* The first row of transport t (NULL: none): what it declared about itself. */
static const struct rrow *transport_row(const struct report *r, const char *t)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->rows[mid].transport, t) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && strcmp(r->rows[lo].transport, t) == 0 ? &r->rows[lo] : NULL;
}

/*
 * The machine's state beside each row, judged on the whole run: a row whose probe is half or
 * twice the usual of its placement (the median of every row's probe there) ran while the machine
 * was in another state (two virtual CPUs on one core, a wake-up of a CPU in another state), and a
 * round trip across CPUs faster than its own probe's cache-line round trip allows (a one-way
 * delay, half of it; less a fifth for clock ticks and the probe's noise) ran on CPUs that were
 * not what the probe found. Such rows are set aside and named, never ranked silently. The
 * driver's own probe-jump is judged on the probes before the row only; this replaces it.
 */
#define STATE_JUMP	  2.0
#define STATE_BELOW_SHARE 0.8

/*
 * The machine's state at a placement, from the probes beside its rows: the usual cache-line
 * round trip (the median of the rows' probes) and what share of the rows ran in another state
 * (a probe half or twice that: on a virtual machine, its two CPUs put on one core, or apart, for
 * a while), and the wake-up probe's median.
 */
struct pstate {
	double cl, other_cl; /* the usual cache-line probe, and the median of the others */
	size_t rows, others; /* rows with probes, and those in another state */
	double wk;	     /* the wake-up probe's median, NAN when none */
};

static bool jumped(double x, double usual)
{
	return !isnan(x) && !isnan(usual) && x > 0 && usual > 0 &&
	       (x >= STATE_JUMP * usual || x * STATE_JUMP <= usual);
}

static void placement_state(const struct report *r, const char *placement, struct pstate *ps)
{
	double *cl = malloc((r->n ? r->n : 1) * sizeof(double));
	double *wk = malloc((r->n ? r->n : 1) * sizeof(double));
	size_t ncl = 0, nwk = 0, no = 0;

	memset(ps, 0, sizeof(*ps));
	ps->cl = ps->other_cl = ps->wk = NAN;
	for (size_t i = 0; cl && wk && i < r->n; i++) {
		const struct rrow *row = &r->rows[i];

		if (strcmp(row->placement, placement) != 0)
			continue;
		if (!isnan(row->probe_cl) && row->probe_cl > 0)
			cl[ncl++] = row->probe_cl;
		if (!isnan(row->probe_wk) && row->probe_wk > 0)
			wk[nwk++] = row->probe_wk;
	}
	ps->rows = ncl;
	if (ncl)
		ipcb_stats_median(cl, ncl, &ps->cl);
	for (size_t i = 0; i < ncl; i++)
		if (jumped(cl[i], ps->cl))
			cl[no++] = cl[i];
	ps->others = no;
	if (no)
		ipcb_stats_median(cl, no, &ps->other_cl);
	if (nwk)
		ipcb_stats_median(wk, nwk, &ps->wk);
	free(cl);
	free(wk);
}

static void flag_states(struct report *r)
{
	for (size_t p = 0; p < r->nplacements; p++) {
		const char *pl = r->placements[p];
		struct pstate ps;

		placement_state(r, pl, &ps);
		for (size_t i = 0; i < r->n; i++) {
			struct rrow *row = &r->rows[i];
			bool below = strstr(row->flag, "below-floor") != NULL, jump, changed;
			double p50 = row->kind == K_AB ? row->v[M_AB_P50] : row->v[M_RTT_P50];

			if (strcmp(row->placement, pl) != 0)
				continue;
			jump = jumped(row->probe_cl, ps.cl) || jumped(row->probe_wk, ps.wk);
			changed = jumped(row->probe_cl_after, row->probe_cl) ||
				  strstr(row->flag, "state-changed") != NULL;
			if (strcmp(pl, "cross-core") == 0 && !isnan(row->probe_cl) && !isnan(p50) &&
			    !in_list(not_mechanisms, row->transport) && row->kind != K_STREAM)
				below |= p50 < STATE_BELOW_SHARE * row->probe_cl /
						   (row->kind == K_AB ? 2 : 1);
			snprintf(row->flag, sizeof(row->flag), "%s%s%s%s%s",
				 below ? "below-floor" : "", below && jump ? ";" : "",
				 jump ? "probe-jump" : "", (below || jump) && changed ? ";" : "",
				 changed ? "state-changed" : "");
			r->flagged += row->flag[0] != '\0';
		}
	}
}

static int uint_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/*
 * Number the CSV's rounds 1, 2, ... in their order (a resample's weights are indexed by them),
 * whatever numbers they were written with (--first-round, a script's own).
 */
static void rounds_number(struct report *r)
{
	unsigned *ids = malloc((r->n ? r->n : 1) * sizeof(*ids));
	size_t n = 0, k = 0;

	r->max_round = 0;
	if (!ids)
		return; /* no rounds then: every row is its own */
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].round_no)
			ids[n++] = r->rows[i].round_no;
	qsort(ids, n, sizeof(*ids), uint_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			ids[k++] = ids[i];
	for (size_t i = 0; i < r->n; i++) {
		unsigned *at = r->rows[i].round_no
				   ? bsearch(&r->rows[i].round_no, ids, k, sizeof(*ids), uint_cmp)
				   : NULL;

		r->rows[i].round = at ? (unsigned)(at - ids) + 1 : 0;
	}
	r->max_round = (unsigned)k;
	free(ids);
}

/* The first row of transport, placement and size (r->n when none). */
static size_t series_first(const struct report *r, const char *transport, const char *placement,
			   size_t size)
{
	struct rrow key;
	size_t lo = 0, hi = r->n;

	snprintf(key.transport, sizeof(key.transport), "%s", transport);
	snprintf(key.placement, sizeof(key.placement), "%s", placement);
	key.size = size;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row_cmp(&r->rows[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && row_cmp(&r->rows[lo], &key) == 0 ? lo : r->n;
}

/* Keep a slow consumer's send-call or round-trip row (struct srow); others are left out. */
static int srow_load(struct report *r, const char *const *field, const char *path,
		     unsigned long line)
{
	struct srow row;
	double size, round = NAN, run = NAN;

	memset(&row, 0, sizeof(row));
	row.rtt = strcmp(field[C_KIND], "rtt") == 0;
	if (!row.rtt && strcmp(field[C_KIND], "send_call") != 0)
		return 0;
	if (field_number(field[C_SIZE], &size, path, line, C_SIZE) ||
	    field_number(field[C_P50], &row.p50, path, line, C_P50) ||
	    field_number(field[C_RECV_WORK], &row.work_ns, path, line, C_RECV_WORK) ||
	    field_number(field[C_ROUND], &round, path, line, C_ROUND) ||
	    field_number(field[C_RUN], &run, path, line, C_RUN))
		return -EINVAL;
	if (!(size >= 1 && size <= IPCB_MAX_SIZE_BYTES) || isnan(row.p50))
		return 0;
	row.size = (size_t)size;
	row.round_no = !isnan(round) && round <= UINT32_MAX	      ? (unsigned)round
		       : !isnan(run) && run >= 1 && run <= UINT32_MAX ? (unsigned)run
								      : 0;
	snprintf(row.transport, sizeof(row.transport), "%s", field[C_TRANSPORT]);
	snprintf(row.placement, sizeof(row.placement), "%s", field[C_PLACEMENT]);
	note_placement(r, row.placement);
	if (r->nsrows == r->srows_cap) {
		size_t cap = r->srows_cap ? 2 * r->srows_cap : 64;
		struct srow *p;

		if (cap > (1u << 16))
			return fail("%s: more than %u rows of a slow consumer", path, 1u << 16);
		p = realloc(r->srows, cap * sizeof(*p));
		if (!p)
			return fail("out of memory");
		r->srows = p;
		r->srows_cap = cap;
	}
	r->srows[r->nsrows++] = row;
	return 0;
}

/*
 * Read the CSV at path into r. Not inlined: its frame (a row, its fields, the reader) is gone
 * before the tables are written, whose own frames then have the stack to themselves.
 */
__attribute__((noinline)) static int load(struct report *r, const char *path)
{
	/* Static: the header's map is 2 KiB and more, and a report loads one CSV at a time. */
	static struct ipcb_csv_map map;
	struct ipcb_csvread csv;
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
	r->paired = idx[C_ROUND] >= 0;
	r->has_paths = idx[C_DATA_PATH] >= 0;
	r->has_tuning = idx[C_TUNING] >= 0;
	while ((rc = ipcb_csvread_next(&csv)) == 1) {
		struct rrow row;
		const char *field[C_COLS];
		double size, run = 1, send_cpu = NAN, recv_cpu = NAN, num, round = 0;

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
		/* A slow consumer's rows: C10's, not the tables'. */
		if (field[C_RECV_WORK][0] && strcmp(field[C_RECV_WORK], "0") != 0) {
			rc = srow_load(r, field, path, line);
			if (rc)
				goto close;
			continue;
		}
		/* The matrix's cells are many placements of one kind: they have their section. */
		if (ipcb_report_row_matrix(field[C_PLACEMENT])) {
			r->matrix++;
			note_machine(r, field);
			continue;
		}
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
		    field_number(field[C_SERVER_NS], &row.v[M_SERVER_NS], path, line,
				 C_SERVER_NS) ||
		    field_number(field[C_ROUND], &round, path, line, C_ROUND) ||
		    field_number(field[C_PROBE_CL], &row.probe_cl, path, line, C_PROBE_CL) ||
		    field_number(field[C_PROBE_WK], &row.probe_wk, path, line, C_PROBE_WK) ||
		    field_number(field[C_CTX], &row.ctx, path, line, C_CTX) ||
		    field_number(field[C_RUN_SPREAD], &row.run_spread, path, line, C_RUN_SPREAD) ||
		    field_number(field[C_PROBE_CL_AFTER], &row.probe_cl_after, path, line,
				 C_PROBE_CL_AFTER))
			goto bad;
		/* A round is a number ipcbench wrote (--first-round and --repeat): 32 bits. */
		if (!isnan(round) && round > UINT32_MAX) {
			rc = fail("%s:%lu: column %s: '%s' is not a round", path, line,
				  ipcb_csv_name(cols[C_ROUND].col), field[C_ROUND]);
			goto close;
		}
		/*
		 * Without rounds (an older CSV) a row's repeat stands in for its round when the
		 * stability of a verdict is tested; such repeats ran back to back, so they are
		 * never paired across transports (r->paired).
		 */
		if (idx[C_ROUND] >= 0 && !isnan(round))
			row.round_no = (unsigned)round;
		else
			row.round_no = run >= 1 && run <= UINT32_MAX ? (unsigned)run : 0;
		row.cpu_per_msg = send_cpu + recv_cpu;
		snprintf(row.flag, sizeof(row.flag), "%s", field[C_STATE]);
		snprintf(row.channel, sizeof(row.channel), "%s", field[C_CHANNEL]);
		snprintf(row.options, sizeof(row.options), "%s", field[C_OPTIONS]);
		snprintf(row.tuning, sizeof(row.tuning), "%s", field[C_TUNING]);
		snprintf(row.hops, sizeof(row.hops), "%s", field[C_HOPS]);
		snprintf(row.path, sizeof(row.path), "%s", field[C_DATA_PATH]);
		snprintf(row.rides_on, sizeof(row.rides_on), "%s", field[C_RIDES_ON]);
		r->has_ctx |= field[C_CTX][0] != '\0';
		{
			double msgs = NAN, full = NAN, fsync = NAN;

			if (field_number(field[C_MESSAGES], &msgs, path, line, C_MESSAGES) ||
			    field_number(field[C_FULL_CHECKS], &full, path, line, C_FULL_CHECKS) ||
			    field_number(field[C_FSYNC], &fsync, path, line, C_FSYNC))
				goto bad;
			row.loan = strncmp(row.channel, "zerocopy; ", 10) == 0 &&
				   strcmp(row.path, "shared-memory") == 0;
			row.full_share = msgs > 0 ? full / msgs : NAN;
			row.page_cache = strcmp(row.path, "page-cache") == 0 && !(fsync > 0);
		}
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
	else if (r->n == 0 && !r->shaped && !r->nsrows && !r->matrix)
		rc = fail("%s: no measured rows", path);
	else
		label_options(r), rows_index(r), rounds_number(r), flag_states(r);
	goto close;
bad:
	rc = -EINVAL;
close:
	ipcb_csvread_fini(&csv);
	fclose(f);
	return rc;
}

/* ---- queries ------------------------------------------------------------------------------ */

/*
 * Are a series' flagged rows kept? They are set aside while at least half of its rows are not
 * flagged: a state the machine was in for a moment is left out; one it was in for most of the
 * run is what there is to report (and the state section says so).
 */
static bool series_keep_all(const struct report *r, size_t first, const char *transport,
			    const char *placement, size_t size, enum measure m, const char *wait)
{
	size_t all = 0, flagged = 0;

	for (size_t i = first; i < r->n; i++) {
		const struct rrow *row = &r->rows[i];

		if (row->size != size || strcmp(row->transport, transport) ||
		    strcmp(row->placement, placement))
			break;
		if (isnan(row->v[m]) || strcmp(row->wait, wait))
			continue;
		all++;
		flagged += row->flag[0] != '\0';
	}
	return 2 * (all - flagged) < all;
}

/*
 * The values of one measure for one transport, placement and size (vals and rounds: MAX_RUNS),
 * with the round each was measured in. Rows whose machine state was flagged are set aside, unless
 * every row of the series is (then they are all there is, and the state section says so). While
 * a verdict's stability is tested, each row counts as often as its round was drawn.
 */
static size_t series_raw(const struct report *r, const char *transport, const char *placement,
			 size_t size, enum measure m, double *vals, unsigned *rounds);
static bool lower_better(enum measure m);

/* Is name one of transport t's tuned settings ("t key=value")? */
static bool variant_of(const char *name, const char *t)
{
	size_t len = strlen(t);

	return strncmp(name, t, len) == 0 && name[len] == ' ';
}

/*
 * The name a lookup of transport t uses in one cell: t itself, or with r->tuned, whichever of
 * t and its tuned settings has the best median there.
 */
static const char *tuned_name(const struct report *r, const char *t, const char *placement,
			      size_t size, enum measure m)
{
	static double vals[MAX_RUNS];
	const char *best = t;
	double bv = NAN, v;
	size_t n;

	if (!r->tuned || !r->nvnames)
		return t;
	n = series_raw(r, t, placement, size, m, vals, NULL);
	if (n && ipcb_stats_median(vals, n, &v) == 0)
		bv = v;
	for (size_t i = 0; i < r->nvnames; i++) {
		if (!variant_of(r->vnames[i], t))
			continue;
		n = series_raw(r, r->vnames[i], placement, size, m, vals, NULL);
		if (!n || ipcb_stats_median(vals, n, &v) != 0)
			continue;
		if (isnan(bv) || (lower_better(m) ? v < bv : v > bv)) {
			bv = v;
			best = r->vnames[i];
		}
	}
	return best;
}

static size_t report_series(const struct report *r, const char *transport, const char *placement,
			    size_t size, enum measure m, double *vals, unsigned *rounds)
{
	return series_raw(r, tuned_name(r, transport, placement, size, m), placement, size, m, vals,
			  rounds);
}

static size_t series_raw(const struct report *r, const char *transport, const char *placement,
			 size_t size, enum measure m, double *vals, unsigned *rounds)
{
	const char *wait = wait_used(r, transport);
	size_t n = 0;

	size_t first = series_first(r, transport, placement, size);
	bool all = series_keep_all(r, first, transport, placement, size, m, wait);

	for (size_t i = first; i < r->n && n < MAX_RUNS; i++) {
		const struct rrow *row = &r->rows[i];
		unsigned w = r->weight ? r->weight[row->round] : 1;

		if (row->size != size || strcmp(row->transport, transport) ||
		    strcmp(row->placement, placement))
			break;
		if (isnan(row->v[m]) || strcmp(row->wait, wait) || (!all && row->flag[0]))
			continue;
		for (unsigned k = 0; k < w && n < MAX_RUNS; k++) {
			vals[n] = row->v[m];
			if (rounds)
				rounds[n] = row->round;
			n++;
		}
	}
	return n;
}

static size_t report_values(const struct report *r, const char *transport, const char *placement,
			    size_t size, enum measure m, double *vals)
{
	return report_series(r, transport, placement, size, m, vals, NULL);
}

/* Median over rounds of one measure for one transport, placement and size; false if none. */
static bool report_median(const struct report *r, const char *transport, const char *placement,
			  size_t size, enum measure m, double *out)
{
	static double vals[MAX_RUNS];
	size_t n = report_values(r, transport, placement, size, m, vals);

	return n && ipcb_stats_median(vals, n, out) == 0;
}

/*
 * A floor of one placement and size: the median of its rounds' runs (a floor is what the
 * machine allows, and the best of many runs is the moment it allowed most, not what the rows
 * beside it met).
 */
static bool report_floor(const struct report *r, const char *transport, const char *placement,
			 size_t size, enum measure m, double *out)
{
	static double vals[MAX_RUNS];
	size_t n = 0;

	for (size_t i = 0; i < r->n && n < MAX_RUNS; i++) {
		const struct rrow *row = &r->rows[i];

		if (row->size == size && !isnan(row->v[m]) && !row->flag[0] &&
		    strcmp(row->transport, transport) == 0 &&
		    strcmp(row->placement, placement) == 0)
			vals[n++] = row->v[m];
	}
	return n && ipcb_stats_median(vals, n, out) == 0;
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
	case M_SEND_CALL:
		return "send call p50";
	default:
		return "memory";
	}
}

/* ---- two levels of variation: within a run, between rounds; modes ------------------------ */

/*
 * What the rounds of one series say about it: the median over rounds and its distribution-free
 * interval (rounds are the independent unit: adjacent runs share the machine's state), the
 * spread between rounds (robust: 1.4826 MAD over the median) and within a run (the median of the
 * rows' own interquartile range over median, latency rows only), and the modes where the rounds
 * fall into clusters, with the column that tells the clusters apart where one does.
 */
#define GROUP_CONF 0.95

struct group_stats {
	size_t n;
	double median, lo, hi, conf;
	double between, within; /* NAN where not known */
	struct ipcb_modes modes;
	const char *explained_by; /* a column that separates the modes, or NULL */
	double explain[IPCB_MODES_MAX];
	bool flagged; /* every row of the series was flagged for the machine's state */
};

/* The columns that can tell modes apart: what a row did, and the state it ran in. */
static const struct {
	const char *name;
	size_t off;
} explainers[] = {
    {"ctx/msg", offsetof(struct rrow, ctx)},
    {"probe wake-up", offsetof(struct rrow, probe_wk)},
    {"probe cache line", offsetof(struct rrow, probe_cl)},
    {"cpu/msg", offsetof(struct rrow, cpu_per_msg)},
};

static double row_col(const struct rrow *row, size_t off)
{
	return *(const double *)((const char *)row + off);
}

/* The rows of a series, as report_series() takes them (idx: MAX_RUNS). */
static size_t series_rows(const struct report *r, const char *transport, const char *placement,
			  size_t size, enum measure m, size_t *idx)
{
	const char *wait = wait_used(r, transport);
	size_t n = 0, first = series_first(r, transport, placement, size);
	bool all = series_keep_all(r, first, transport, placement, size, m, wait);

	for (size_t i = first; i < r->n && n < MAX_RUNS; i++) {
		const struct rrow *row = &r->rows[i];

		if (row->size != size || strcmp(row->transport, transport) ||
		    strcmp(row->placement, placement))
			break;
		if (isnan(row->v[m]) || strcmp(row->wait, wait) || (!all && row->flag[0]))
			continue;
		idx[n++] = i;
	}
	return n;
}

/* Which column separates the modes: its values in each mode lie apart from the next mode's. */
static void modes_explain(const struct report *r, const size_t *idx, size_t n, enum measure m,
			  struct group_stats *g)
{
	double best = 0;

	g->explained_by = NULL;
	for (size_t e = 0; e < sizeof(explainers) / sizeof(explainers[0]); e++) {
		static double vals[MAX_RUNS];
		double lo[IPCB_MODES_MAX], hi[IPCB_MODES_MAX], med[IPCB_MODES_MAX];
		bool apart = true;

		for (size_t k = 0; k < g->modes.n && apart; k++) {
			size_t nv = 0;

			for (size_t i = 0; i < n; i++) {
				const struct rrow *row = &r->rows[idx[i]];
				double x = row_col(row, explainers[e].off);

				if (row->v[m] < g->modes.lo[k] || row->v[m] > g->modes.hi[k])
					continue;
				if (isnan(x)) {
					apart = false;
					break;
				}
				vals[nv++] = x;
			}
			if (!apart || !nv || ipcb_stats_median(vals, nv, &med[k]) < 0) {
				apart = false;
				break;
			}
			lo[k] = hi[k] = vals[0];
			for (size_t i = 1; i < nv; i++) {
				lo[k] = fmin(lo[k], vals[i]);
				hi[k] = fmax(hi[k], vals[i]);
			}
		}
		/* Apart: every mode's range below the next one's, or every one above it. */
		for (size_t k = 1; k < g->modes.n && apart; k++)
			apart = (hi[k - 1] < lo[k] && (k < 2 || hi[k - 2] < lo[k - 1])) ||
				(lo[k - 1] > hi[k] && (k < 2 || lo[k - 2] > hi[k - 1]));
		if (apart) {
			double a = fmax(med[0], 1e-9), b = fmax(med[g->modes.n - 1], 1e-9);
			double sep = fabs(log(b / a));

			if (sep > best) {
				best = sep;
				g->explained_by = explainers[e].name;
				memcpy(g->explain, med, sizeof(g->explain));
			}
		}
	}
}

static bool group_stats(const struct report *r, const char *transport, const char *placement,
			size_t size, enum measure m, struct group_stats *g)
{
	static size_t idx[MAX_RUNS];
	static double v[MAX_RUNS], w[MAX_RUNS];
	size_t n = series_rows(r, transport, placement, size, m, idx), nw = 0;

	memset(g, 0, sizeof(*g));
	g->between = g->within = NAN;
	g->n = n;
	if (!n)
		return false;
	g->flagged = r->rows[idx[0]].flag[0] != '\0';
	for (size_t i = 0; i < n; i++) {
		v[i] = r->rows[idx[i]].v[m];
		if (!isnan(r->rows[idx[i]].run_spread))
			w[nw++] = r->rows[idx[i]].run_spread;
	}
	if (ipcb_stats_median(v, n, &g->median) < 0 ||
	    ipcb_median_ci(v, n, GROUP_CONF, &g->lo, &g->hi, &g->conf) < 0)
		return false;
	if (n >= 3 && ipcb_stats_spread(v, n, &g->between) < 0)
		g->between = NAN;
	if (nw && ipcb_stats_median(w, nw, &g->within) < 0)
		g->within = NAN;
	g->modes.n = 1;
	g->modes.count[0] = n;
	g->modes.median[0] = g->median;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0))
			return true; /* a 0 has no log: one mode */
	if (ipcb_modes_find(v, n, &g->modes) < 0)
		g->modes.n = 1;
	if (g->modes.n > 1)
		modes_explain(r, idx, n, m, g);
	return true;
}

/* A median whose interval reaches further than this share from it is given with the interval. */
#define SERIES_LOOSE 0.10

/*
 * A series for a table cell: its median, or, where its rounds fall into modes, each mode with
 * its share of the rounds ("38.0 us in 3/5, 52.0 us in 2/5"): a median of a mixture describes
 * neither state.
 */
static void fmt_series(const struct report *r, const char *transport, const char *placement,
		       size_t size, enum measure m, char *out, size_t n)
{
	struct group_stats g;
	size_t len = 0;

	if (!group_stats(r, transport, placement, size, m, &g)) {
		snprintf(out, n, "-");
		return;
	}
	if (g.modes.n < 2) {
		char lo[32], hi[32];

		fmt_value(m, g.median, out, n);
		/*
		 * A median its rounds know only loosely is given with its interval: the next run's
		 * median can land anywhere in it, and a number alone would claim more.
		 */
		if (g.n > 1 && (g.lo < (1 - SERIES_LOOSE) * g.median ||
				g.hi > (1 + SERIES_LOOSE) * g.median)) {
			size_t at = strlen(out);

			fmt_value(m, g.lo, lo, sizeof(lo));
			fmt_value(m, g.hi, hi, sizeof(hi));
			snprintf(out + at, n - at, " [%s, %s]", lo, hi);
		}
		return;
	}
	for (size_t k = 0; k < g.modes.n && len < n; k++) {
		char v[32];

		fmt_value(m, g.modes.median[k], v, sizeof(v));
		len += (size_t)snprintf(out + len, n - len, "%s%s in %zu/%zu", k ? ", " : "", v,
					g.modes.count[k], g.n);
	}
}

/* ---- claims: comparisons, cells and verdicts ------------------------------------------------ */

/* What a cell showed about its claim. */
enum outcome {
	O_NO,
	O_YES,
	O_UNDECIDED,   /* the rounds could not show either */
	O_UNDECIDABLE, /* too few rounds for any test to reach alpha: not decidable with them */
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
 * What a comparison rests on: A's and B's values as logs, and where the CSV has rounds, the
 * per-round differences log(a) - log(b) of the rounds both were measured in. Paired by round,
 * what a round did to the machine cancels out of each difference; without rounds (an older CSV,
 * whose repeats ran back to back) the two sets are compared as independent samples.
 */
struct sample {
	double la[MAX_RUNS], lb[MAX_RUNS], d[MAX_RUNS];
	size_t na, nb, nd;
	bool paired;
};

/*
 * Fill a sample from A's and B's values and rounds; false (why filled) when a value is 0, which
 * has no ratio.
 */
static bool sample_make(const struct report *r, struct sample *sm, const double *a,
			const unsigned *ra, size_t na, const double *b, const unsigned *rb,
			size_t nb, char *why, size_t n)
{
	static bool used[MAX_RUNS];

	memset(used, 0, sizeof(used));
	sm->na = na;
	sm->nb = nb;
	sm->nd = 0;
	for (size_t i = 0; i < na; i++)
		sm->la[i] = a[i] > 0 ? log(a[i]) : NAN;
	for (size_t i = 0; i < nb; i++)
		sm->lb[i] = b[i] > 0 ? log(b[i]) : NAN;
	for (size_t i = 0; i < na || i < nb; i++)
		if ((i < na && isnan(sm->la[i])) || (i < nb && isnan(sm->lb[i]))) {
			snprintf(why, n, "a run measured 0, which has no ratio");
			return false;
		}
	/* Each of A's rows with the first unused row of B from the same round. */
	for (size_t i = 0; r->paired && ra && rb && i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (!used[j] && rb[j] == ra[i] && ra[i] > 0) {
				used[j] = true;
				sm->d[sm->nd++] = sm->la[i] - sm->lb[j];
				break;
			}
	/*
	 * Paired when most rounds pair up and the pairs can decide (rows set aside for the
	 * machine's state can leave too few): else compared as two sets.
	 */
	sm->paired = ipcb_sr_min_p(sm->nd) < REPORT_ALPHA && 2 * sm->nd >= (na < nb ? na : nb);
	return true;
}

/* The smallest one-sided p-value the sample's test can give. */
static double sample_min_p(const struct sample *sm)
{
	return sm->paired ? ipcb_sr_min_p(sm->nd) : ipcb_mw_min_p(sm->na, sm->nb);
}

/*
 * One-sided p-values about g, the log of how much better A is than B (log(a/b), or log(b/a)
 * where lower is better): `above` for "g > c", `below` for "g < c". Paired: the signed-rank test
 * of the per-round differences shifted by the matching amount; else the Mann-Whitney test of B's
 * logs shifted against A's (stats.h).
 */
static int judge_p(const struct sample *sm, bool lower, double c, double *above, double *below)
{
	double shift = lower ? -c : c;
	int rc;

	if (sm->paired) {
		struct ipcb_sr t;

		rc = ipcb_sr_shift_test(sm->d, sm->nd, shift, &t);
		*above = lower ? t.p_less : t.p_greater;
		*below = lower ? t.p_greater : t.p_less;
	} else {
		struct ipcb_mw t;

		rc = ipcb_mw_shift_test(sm->lb, sm->nb, sm->la, sm->na, shift, &t);
		*above = lower ? t.p_less : t.p_greater;
		*below = lower ? t.p_greater : t.p_less;
	}
	return rc;
}

/* The Hodges-Lehmann estimate of log(a/b) and its bounds, each one-sided at alpha. */
static int sample_hl(const struct sample *sm, double alpha, struct ipcb_shift *hl)
{
	if (sm->paired)
		return ipcb_sr_hl(sm->d, sm->nd, alpha, hl);
	return ipcb_hl_shift(sm->lb, sm->nb, sm->la, sm->na, alpha, hl);
}

/*
 * Decide one comparison: A's values (an) against B's (bn) on measure m, as the sample holds
 * them, under rule with the factors f and f_hi (R_BAND). Writes to why the ratio A / B (the
 * Hodges-Lehmann estimate, with the interval the tests imply at REPORT_ALPHA on each side), the
 * rounds it rests on and what decided the outcome: the test that showed it and its p-value, or
 * why nothing was shown.
 */
static enum outcome judge(enum measure m, const char *an, const char *bn, const struct sample *sm,
			  enum rule rule, double f, double f_hi, char *why, size_t n)
{
	const double alpha = REPORT_ALPHA;
	const bool lower = lower_better(m);
	double k = log(f), kh = log(f_hi);
	double p_yes = 1, p_no = 1, p[4] = {1, 1, 1, 1};
	const char *better = better_word(m), *worse = worse_word(m);
	char ff[16], fh[16], est[16], lo[16], hi[16], ratio[96];
	struct ipcb_shift hl;
	enum outcome o = O_UNDECIDED;
	int len;

	fmt_factor(f, ff, sizeof(ff));
	fmt_factor(f_hi, fh, sizeof(fh));
	if (sample_hl(sm, alpha, &hl) < 0) {
		snprintf(why, n, "the test failed (out of memory?)");
		return O_UNDECIDED;
	}
	fmt_ratio(exp(hl.est), est, sizeof(est));
	fmt_ratio(exp(hl.lo), lo, sizeof(lo));
	fmt_ratio(exp(hl.hi), hi, sizeof(hi));
	len = snprintf(ratio, sizeof(ratio), "%s/%s %s", an, bn, est);
	if (isfinite(hl.lo) && isfinite(hl.hi) && len > 0 && (size_t)len < sizeof(ratio))
		snprintf(ratio + len, sizeof(ratio) - (size_t)len, " [%s, %s]", lo, hi);
	if (sm->paired)
		len = snprintf(why, n, "%s over %zu rounds, paired: ", ratio, sm->nd);
	else
		len = snprintf(why, n, "%s over %zu and %zu runs: ", ratio, sm->na, sm->nb);
	if (len < 0 || (size_t)len >= n)
		return O_UNDECIDED;
	why += len;
	n -= (size_t)len;

	/* No outcome can reach alpha: say so rather than print p-values that cannot matter. */
	if (sample_min_p(sm) >= alpha) {
		if (sm->paired)
			snprintf(
			    why, n,
			    "not decidable with this sample (with %zu rounds no p-value can be "
			    "below %g; %zu can)",
			    sm->nd, alpha, (size_t)floor(-log2(alpha)) + 1);
		else
			snprintf(why, n,
				 "not decidable with this sample (with %zu and %zu runs no p-value "
				 "can be below %g; %zu a side can)",
				 sm->na, sm->nb, alpha, ipcb_mw_repeats_possible(alpha));
		return O_UNDECIDABLE;
	}
	switch (rule) {
	case R_BEATS:
		if (judge_p(sm, lower, k, &p_yes, &p_no) < 0)
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
		if (judge_p(sm, lower, -k, &p_yes, &p_no) < 0)
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
		if (judge_p(sm, lower, -k, &p[0], &p[1]) < 0 ||
		    judge_p(sm, lower, -kh, &p[2], &p[3]) < 0)
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
	/*
	 * Comparisons left out because the two readers are of different classes (one polls, the
	 * other sleeps: a claim about mechanisms compares like with like), and why a claim could
	 * not be measured at all, when there is more to say than that its rows are missing.
	 */
	char apart[600];
	size_t napart;
	const char *unmeasured;
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

/* Note a comparison left out because its two readers differ (see struct claim). */
static void claim_apart(struct claim *c, const char *ta, const char *ca, const char *tb,
			const char *cb, const char *placement, const char *size,
			const char *measure)
{
	size_t len = strlen(c->apart);

	if (len + 160 < sizeof(c->apart))
		snprintf(c->apart + len, sizeof(c->apart) - len,
			 "%s%s (%s) and %s (%s), %s, %s, %s", len ? "; " : "", ta, ca, tb, cb,
			 placement, size, measure);
	c->napart++;
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
			if (c->cells[i].yes >= O_UNDECIDED || c->cells[j].yes >= O_UNDECIDED)
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

		if (c->cells[i].yes >= O_UNDECIDED)
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

/*
 * Graded verdicts: from the decided comparisons of a claim, holds (every one), mostly holds (at
 * least MOSTLY_SHARE of them), mixed, mostly does not hold, does not hold; not decided when none
 * was decided, not measured when the CSV has none.
 */
#define MOSTLY_SHARE 0.8

enum grade {
	G_HOLDS,
	G_MOSTLY,
	G_MIXED,
	G_MOSTLY_NOT,
	G_NOT,
	G_NOT_DECIDED,
	G_NOT_MEASURED,
	G_COUNT,
};

static const char *const grade_names[G_COUNT] = {
    "holds",	     "mostly holds", "mixed",	     "mostly does not hold",
    "does not hold", "not decided",  "not measured",
};

struct tally {
	size_t yes, no, undecided, undecidable;
};

static enum grade claim_grade(const struct claim *c, struct tally *t)
{
	size_t decided;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < c->n; i++)
		switch (c->cells[i].yes) {
		case O_YES:
			t->yes++;
			break;
		case O_NO:
			t->no++;
			break;
		case O_UNDECIDED:
			t->undecided++;
			break;
		case O_UNDECIDABLE:
			t->undecidable++;
			break;
		}
	decided = t->yes + t->no;
	if (c->n == 0)
		return G_NOT_MEASURED;
	if (decided == 0)
		return G_NOT_DECIDED;
	if (t->no == 0)
		return G_HOLDS;
	if (t->yes == 0)
		return G_NOT;
	if ((double)t->yes >= MOSTLY_SHARE * (double)decided)
		return G_MOSTLY;
	if ((double)t->no >= MOSTLY_SHARE * (double)decided)
		return G_MOSTLY_NOT;
	return G_MIXED;
}

/* The decided cells' split, where one key separates them: "holds cross-core; not same-core". */
static void claim_split(const struct report *r, const struct claim *c, char *out, size_t n)
{
	key_report = r;
	out[0] = '\0';
	if (split_by(c, key_placement))
		describe_split(r, c, key_placement, out, n);
	else if (split_by(c, key_measure))
		describe_split(r, c, key_measure, out, n);
	else if (split_by(c, key_size))
		describe_split(r, c, key_size, out, n);
}

/*
 * The verdict's stability: claims are decided again on resamples of the rounds (drawn with
 * replacement, as many as there are: a round's rows stay together, since they share the
 * machine's state), and the share that gives the same grade is how far the verdict can be
 * trusted to come out the same when the command runs again.
 */
#define STABLE_RESAMPLES 200
#define STABLE_SHARE	 0.9

typedef void (*claim_fn)(const struct report *r, struct claim *c, size_t mib);

static double claim_stability(struct report *r, claim_fn fn, size_t mib, enum grade full,
			      size_t *counts)
{
	static struct claim c;
	unsigned *w = calloc(r->max_round + 1, sizeof(*w)), *ids = NULL;
	size_t nids = 0, same = 0;
	uint64_t rng = 0x1bc0ffeeull; /* the same resamples on every run: the report reproduces */
	struct tally t;

	ids = calloc(r->max_round + 1, sizeof(*ids));
	if (!w || !ids) {
		free(w);
		free(ids);
		return NAN;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].round && !w[r->rows[i].round]) {
			w[r->rows[i].round] = 1;
			ids[nids++] = r->rows[i].round;
		}
	if (nids < 2) {
		free(w);
		free(ids);
		return NAN;
	}
	r->weight = w;
	for (int b = 0; b < STABLE_RESAMPLES; b++) {
		enum grade g;

		memset(w, 0, (r->max_round + 1) * sizeof(*w));
		for (size_t k = 0; k < nids; k++)
			w[ids[ipcb_rng_below(&rng, nids)]]++;
		memset(&c, 0, sizeof(c));
		fn(r, &c, mib);
		g = claim_grade(&c, &t);
		counts[g]++;
		same += g == full;
	}
	r->weight = NULL;
	free(w);
	free(ids);
	return (double)same / STABLE_RESAMPLES;
}

/*
 * The claim's verdict from its decided cells, graded, with the counts beside it and its
 * stability; under STABLE_SHARE it reads "undecided (leans ...)". Cells not decided are counted
 * and said, never guessed.
 */
static enum grade claim_verdict(const struct report *r, const struct claim *c, double stable,
				const size_t *counts, char *out, size_t n)
{
	struct tally t;
	enum grade g = claim_grade(c, &t);
	const char *widened = NULL; /* the stronger grade some resamples gave */
	char where[300];
	size_t len = 0;

	if (g == G_NOT_MEASURED) {
		snprintf(out, n, "**not measured** (%s)",
			 c->unmeasured ? c->unmeasured
				       : "the CSV lacks the transports or sizes it needs");
		return g;
	}
	if (g == G_NOT_DECIDED) {
		snprintf(out, n,
			 "**not decided** (none of its %zu comparisons could be decided: %zu shown "
			 "neither way, %zu not decidable with this sample)",
			 c->n, t.undecided, t.undecidable);
		return g;
	}
	/*
	 * Resamples that split between holds and mostly holds (or does not hold and mostly does
	 * not) agree that it mostly holds (mostly does not): the weaker grade is the verdict.
	 */
	if (!isnan(stable) && stable < STABLE_SHARE && g != G_MIXED) {
		enum grade strong = g <= G_MOSTLY ? G_HOLDS : G_NOT;
		enum grade weak = g <= G_MOSTLY ? G_MOSTLY : G_MOSTLY_NOT;
		double share = (double)(counts[strong] + counts[weak]) / STABLE_RESAMPLES;

		if (share >= STABLE_SHARE) {
			g = weak;
			stable = share;
			widened = grade_names[strong];
		}
	}
	if (!isnan(stable) && stable < STABLE_SHARE) {
		enum grade other = g;

		/* It leans the way most resamples go, which need not be the whole sample's. */
		for (int k = 0; k < G_COUNT; k++)
			if (counts[k] > counts[g]) {
				g = (enum grade)k;
				stable = (double)counts[k] / STABLE_RESAMPLES;
			}
		for (int k = 0; k < G_COUNT; k++)
			if (k != (int)g && (other == g || counts[k] > counts[other]))
				other = (enum grade)k;
		len += (size_t)snprintf(out, n,
					"**undecided (leans %s)**: %.0f%% of %d resamples of the "
					"rounds give that verdict, %.0f%% %s; ",
					grade_names[g], floor(stable * 100), STABLE_RESAMPLES,
					(double)counts[other] * 100 / STABLE_RESAMPLES,
					grade_names[other]);
	} else {
		len += (size_t)snprintf(out, n, "**%s** ", grade_names[g]);
	}
	if (len < n)
		len += (size_t)snprintf(out + len, n - len, "(%zu of %zu decided comparisons hold",
					t.yes, t.yes + t.no);
	claim_split(r, c, where, sizeof(where));
	if (where[0] && len < n)
		len += (size_t)snprintf(out + len, n - len, "; %s", where);
	if (t.undecided + t.undecidable && len < n)
		len += (size_t)snprintf(out + len, n - len,
					"; %zu more shown neither way, %zu not decidable with this "
					"sample",
					t.undecided, t.undecidable);
	if (len < n)
		len += (size_t)snprintf(out + len, n - len, ")");
	if (widened && len < n)
		snprintf(out + len, n - len,
			 "; %s or %s in %.0f%% of %d resamples of the rounds (%s in %.0f%%)",
			 widened, grade_names[g], stable * 100, STABLE_RESAMPLES, widened,
			 (double)counts[g == G_MOSTLY ? G_HOLDS : G_NOT] * 100 / STABLE_RESAMPLES);
	else if (!isnan(stable) && stable >= STABLE_SHARE && len < n)
		snprintf(out + len, n - len,
			 "; the same verdict in %.0f%% of %d resamples of the rounds", stable * 100,
			 STABLE_RESAMPLES);
	return g;
}

/*
 * A claim, decided, with every comparison under it: the exceptions first (the comparisons that
 * go against the verdict's side), then the rest, then those that were not decided.
 */
static void claim_print(struct report *r, const char *id, const char *text, const char *source,
			claim_fn fn, size_t mib)
{
	static const char *const outcome_word[] = {[O_NO] = "no",
						   [O_YES] = "yes",
						   [O_UNDECIDED] = "not decided",
						   [O_UNDECIDABLE] = "not decidable"};
	static struct claim c;
	size_t counts[G_COUNT] = {0};
	char verdict[700], sz[16];
	struct tally t;
	enum grade g;
	double stable;
	enum outcome order[4];

	memset(&c, 0, sizeof(c));
	fn(r, &c, mib);
	g = claim_grade(&c, &t);
	stable = g < G_NOT_DECIDED ? claim_stability(r, fn, mib, g, counts) : NAN;
	claim_verdict(r, &c, stable, counts, verdict, sizeof(verdict));
	fprintf(r->out, "### %s. %s\n\n*%s*\n\nVerdict: %s\n\n", id, text, source, verdict);
	if (r->nbrief < sizeof(r->brief) / sizeof(r->brief[0]) && !r->tuned) {
		const char *b = strstr(verdict, "**"), *e = b ? strstr(b + 2, "**") : NULL;

		r->brief[r->nbrief].id = id;
		r->brief[r->nbrief].text = text;
		snprintf(r->brief[r->nbrief].grade, sizeof(r->brief[0].grade), "%.*s",
			 b && e ? (int)(e - b - 2) : 0, b ? b + 2 : "");
		r->brief[r->nbrief].yes = t.yes;
		r->brief[r->nbrief].no = t.no;
		r->nbrief++;
	}
	/* The side the verdict leans to is listed after its exceptions. */
	order[0] = g <= G_MIXED ? O_NO : O_YES;
	order[1] = g <= G_MIXED ? O_YES : O_NO;
	order[2] = O_UNDECIDED;
	order[3] = O_UNDECIDABLE;
	if (t.yes && t.no)
		fprintf(r->out, "Exceptions first (%zu):\n\n", order[0] == O_NO ? t.no : t.yes);
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < c.n; i++) {
			if (c.cells[i].yes != order[k])
				continue;
			fmt_size(c.cells[i].size, sz, sizeof(sz));
			fprintf(r->out, "- %s, %s, %s: %s - %s\n", c.cells[i].placement, sz,
				measure_name(c.cells[i].m), outcome_word[c.cells[i].yes],
				c.cells[i].why);
		}
	if (c.napart)
		fprintf(r->out,
			"\nNot compared, because one reader polls and the other sleeps (a "
			"claim about mechanisms compares like with like; both are ranked in "
			"T2 and T3) (%zu): %s%s\n",
			c.napart, c.apart, strlen(c.apart) + 170 > sizeof(c.apart) ? "; ..." : "");
	fputc('\n', r->out);
}

/* ---- families: which transports stand for the documents' mechanisms ---------------------- */

/*
 * Shared memory is a data path, declared by each transport (r->shm_fam): shm-zc and MPI over
 * vader are shared memory as much as shm is. The others below are the APIs the guides name.
 */
static const char *const fam_pipe_unix[] = {"pipe", "unix-stream", "unix-dgram", "unix-seqpacket",
					    NULL};
static const char *const fam_net_mq[] = {"tcp", "udp", "posix-mq", "sysv-mq", NULL};
static const char *const fam_mq[] = {"posix-mq", "sysv-mq", NULL};
static const char *const fam_socket[] = {"unix-stream", "tcp", NULL};

/*
 * How a transport's reader waited at a placement, from its own counters rather than its wait's
 * name: a round trip between two sleeping sides costs at least two context switches, so a
 * transport whose round trips (at the size asked) took fewer than READER_POLL_CTX per message
 * never slept: its reader polled (a hybrid wait that never gave up spinning, a spin, a yield).
 */
#define READER_POLL_CTX 0.5

static const char *reader_class(const struct report *r, const char *t, const char *placement,
				size_t size)
{
	static size_t idx[MAX_RUNS];
	size_t n = series_rows(r, t, placement, size, M_RTT_P50, idx), polls = 0;

	for (size_t i = 0; i < n; i++)
		polls += !isnan(r->rows[idx[i]].ctx) && r->rows[idx[i]].ctx < READER_POLL_CTX;
	if (!n || isnan(r->rows[idx[0]].ctx))
		return "-";
	return 2 * polls > n ? "polls" : "sleeps";
}

/* Are transport t's rows in a cell loans (struct rrow)? */
static bool is_loan(const struct report *r, const char *t, const char *placement, size_t size,
		    enum measure m)
{
	static size_t idx[MAX_RUNS];
	size_t k = series_rows(r, t, placement, size, m, idx);

	return k && r->rows[idx[0]].loan;
}

/*
 * What makes transport t's figure in a cell not the same work as the others' (" [...]"; "" when
 * nothing does): a loan, whose receiver reads most payloads only as far as their stamps (its
 * rate is a ring's hand-off, not a copy of the bytes), or a file whose pages never had to reach
 * the disk. Said wherever such a figure is ranked or compared.
 */
static void figure_label(const struct report *r, const char *t, const char *placement, size_t size,
			 enum measure m, char *out, size_t n)
{
	static size_t idx[MAX_RUNS];
	static double share[MAX_RUNS];
	size_t k = series_rows(r, t, placement, size, m, idx), ns = 0;
	double med = NAN;

	out[0] = '\0';
	if (!k)
		return;
	if (r->rows[idx[0]].page_cache) {
		snprintf(out, n, " [page cache: its pages never had to reach the disk]");
		return;
	}
	if (!r->rows[idx[0]].loan)
		return;
	for (size_t i = 0; i < k; i++)
		if (!isnan(r->rows[idx[i]].full_share))
			share[ns++] = r->rows[idx[i]].full_share;
	/* Small messages are all checked in full (full_checks counts the warm-up's too). */
	if (ns && !ipcb_stats_median(share, ns, &med) && med >= 0.9)
		return;
	if (ns)
		snprintf(out, n, " [a loan: read in place, %.1f%% of the messages in full]",
			 med * 100);
	else
		snprintf(out, n, " [a loan: read in place]");
}

/*
 * The best of the transports in `in` (every mechanism when NULL) that are not in `out` (NULL:
 * none excluded), in one cell; with cls, only those whose readers are of that class there.
 */
static bool best_of_class(const struct report *r, const char *const *in, const char *const *out,
			  const char *cls, const char *placement, size_t size, enum measure m,
			  const char **who, double *v)
{
	bool found = false;
	/* A family's stream is a copy of the bytes: a loan's (read in place) is other work. */
	bool copies = m == M_BPS && !(in && in[0] && !in[1]);

	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i];
		double x;

		if ((in && !in_list(in, t)) || (!in && in_list(not_mechanisms, t)) ||
		    (out && in_list(out, t)))
			continue;
		if (cls && strcmp(reader_class(r, t, placement, size), cls) != 0)
			continue;
		if (copies && is_loan(r, t, placement, size, m))
			continue;
		if (!report_median(r, t, placement, size, m, &x))
			continue;
		if (!found || (lower_better(m) ? x < *v : x > *v)) {
			*v = x;
			*who = t;
			found = true;
		}
	}
	return found;
}

/* As best_of_class(), whatever the readers do. */
static bool best_of(const struct report *r, const char *const *in, const char *const *out,
		    const char *placement, size_t size, enum measure m, const char **who, double *v)
{
	return best_of_class(r, in, out, NULL, placement, size, m, who, v);
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
	static double a[MAX_RUNS], b[MAX_RUNS];
	static unsigned ra[MAX_RUNS], rb[MAX_RUNS];
	double ma, mb;
	size_t na = report_series(r, ta, placement, size, m, a, ra);
	size_t nb = report_series(r, tb, placement, size, m, b, rb);
	static struct sample sm; /* large: one comparison at a time */
	char judged[400], va[32], vb[32];
	enum outcome o = O_UNDECIDED;

	if (!na || !nb || ipcb_stats_median(a, na, &ma) || ipcb_stats_median(b, nb, &mb))
		return;
	if (sample_make(r, &sm, a, ra, na, b, rb, nb, judged, sizeof(judged)))
		o = judge(m, ta, tb, &sm, rule, f, f_hi, judged, sizeof(judged));
	fmt_value(m, ma, va, sizeof(va));
	fmt_value(m, mb, vb, sizeof(vb));
	if (lead)
		cell_add(c, placement, size, m, o, judged, "%s", lead);
	else
		cell_add(c, placement, size, m, o, judged, "%s %s vs %s %s", ta, va, tb, vb);
}

/* The reader classes a claim compares within (reader_class()). */
static const char *const reader_classes[2] = {"sleeps", "polls"};

/*
 * In every cell, the best of family a against the best of family b (the mechanisms in b_in, or
 * all when NULL, less those in b_out), each chosen by its median: a is better by more than the
 * margin, or with ties_hold, not worse by the margin or more. Readers that poll are compared
 * with readers that poll and readers that sleep with readers that sleep, round trips and streams
 * alike: a polling reader pays no wake-up, whatever its mechanism, so the two classes answer
 * different questions. A cell where the families have no reader of one class in common is noted
 * as left out. Without context-switch counts (an older CSV), all are compared together.
 */
static void claim_family_beats(const struct report *r, struct claim *c, const char *const *fa,
			       const char *const *b_in, const char *const *b_out, bool ties_hold)
{
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < r->nsizes; s++)
			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				const char *pl = r->placements[p], *wa = NULL, *wb = NULL;
				size_t size = r->sizes[s], compared = 0;
				double va = 0, vb = 0;
				char a[32], b[32], lead[400], sz[32], la[80], lb[80];

				for (int q = 0; q < (r->has_ctx ? 2 : 1); q++) {
					const char *cls = r->has_ctx ? reader_classes[q] : NULL;

					if (!best_of_class(r, fa, NULL, cls, pl, size, m, &wa,
							   &va) ||
					    !best_of_class(r, b_in, b_out, cls, pl, size, m, &wb,
							   &vb))
						continue;
					fmt_value(m, va, a, sizeof(a));
					fmt_value(m, vb, b, sizeof(b));
					figure_label(r, wa, pl, size, m, la, sizeof(la));
					figure_label(r, wb, pl, size, m, lb, sizeof(lb));
					snprintf(lead, sizeof(lead), "%s %s%s vs %s %s%s%s%s", wa,
						 a, la, wb, b, lb, cls ? ", readers that " : "",
						 cls ? cls : "");
					if (cls)
						lead[strlen(lead) - 1] = '\0'; /* "sleep", "poll" */
					cell_judge(r, c, pl, size, m, wa, wb,
						   ties_hold ? R_AT_LEAST : R_BEATS,
						   1 + REPORT_MARGIN, 0, lead);
					compared++;
				}
				if (compared || !best_of(r, fa, NULL, pl, size, m, &wa, &va) ||
				    !best_of(r, b_in, b_out, pl, size, m, &wb, &vb))
					continue;
				fmt_size(size, sz, sizeof(sz));
				claim_apart(c, wa, reader_class(r, wa, pl, size), wb,
					    reader_class(r, wb, pl, size), pl, sz, measure_name(m));
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

				const char *ca, *cb;

				if (!report_median(r, ta, r->placements[p], r->sizes[s], m, &va) ||
				    !report_median(r, tb, r->placements[p], r->sizes[s], m, &vb))
					continue;
				ca = reader_class(r, ta, r->placements[p], r->sizes[s]);
				cb = reader_class(r, tb, r->placements[p], r->sizes[s]);
				if (r->has_ctx && strcmp(ca, cb) != 0) {
					fmt_size(r->sizes[s], a, sizeof(a));
					claim_apart(c, ta, ca, tb, cb, r->placements[p], a,
						    measure_name(m));
					continue;
				}
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
				for (size_t i = 0; i < r->ntnames; i++) {
					const char *t = r->tnames[i];
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
	const char *const *family; /* NULL: by_path's, or the pipe alone */
	bool by_path;		   /* the shared-memory family (r->shm_fam) */
	double doc_ms;
	const char *doc_cpu, *doc_mem, *doc_volume;
} t1_rows[] = {
    {"shared memory", NULL, true, 0.01, "very low", "smallest", "large"},
    {"pipe", NULL, false, 2.5, "medium", "medium", "small"},
    {"message queue", fam_mq, false, 1.8, "medium", "larger", "structured"},
    {"socket", fam_socket, false, 3.2, "higher", "larger", "network compatible"},
};

static const char *const fam_pipe_only[] = {"pipe", NULL};

static const char *const *t1_family(const struct report *r, const struct t1_row *t)
{
	if (t->by_path)
		return r->shm_fam;
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

			if (!best_of(r, t1_family(r, &t1_rows[i]), NULL, r->placements[p], mib,
				     M_BPS, &who, &bps))
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
					if (!best_of(r, r->shm_fam, NULL, r->placements[p], size, m,
						     &ws, &vs) ||
					    !best_of(r, NULL, r->shm_fam, r->placements[p], size, m,
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
				/*
				 * "suits": within 1.5x of the best other mechanism whose reader
				 * sleeps, by its own counters where the CSV has them.
				 */
				if (r->has_ctx)
					best_of_class(r, NULL, excluded + ne - 1, "sleeps",
						      r->placements[p], size, m, &kw, &kv);
				else
					best_of(r, NULL, excluded, r->placements[p], size, m, &kw,
						&kv);
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
 * C10 for transport t at one placement and size: with a slow consumer (the receiver spends W on
 * each message, --receiver-work-ns) and the sender offering a rate the receiver keeps up with
 * (--rate), does a send call return at once, or wait for the receiver? "At once": the call takes
 * under half of W, decided on the rounds against that constant. The test fails where the sender
 * waits: a queue that is full, or one CPU that runs the receiver's work before the sender's call
 * returns; the same channel used synchronously (a request and its reply), measured beside it,
 * waits W or more, and is shown as the case the claim sets queues against. False when the CSV
 * has no such rows for t.
 */
static bool c10_cell(const struct report *r, struct claim *c, const char *t, const char *placement,
		     size_t size)
{
	static double send[MAX_RUNS], half[MAX_RUNS], sync[MAX_RUNS];
	static unsigned rs[MAX_RUNS];
	double ms, work = NAN, msync = NAN;
	size_t ns = 0, nsync = 0;
	static struct sample sm;
	char a[32], w[32], b[32], judged[400], sync_text[96] = "";
	enum outcome o = O_UNDECIDED;

	for (size_t i = 0; i < r->nsrows; i++) {
		const struct srow *x = &r->srows[i];

		if (x->size != size || strcmp(x->transport, t) || strcmp(x->placement, placement))
			continue;
		if (x->rtt && nsync < MAX_RUNS) {
			sync[nsync++] = x->p50;
		} else if (!x->rtt && ns < MAX_RUNS) {
			/* One receiver work per cell: the first one's (scripts/run uses one). */
			if (!isnan(work) && x->work_ns != work)
				continue;
			work = x->work_ns;
			send[ns] = x->p50;
			rs[ns++] = x->round_no;
		}
	}
	if (!ns || !(work > 0) || ipcb_stats_median(send, ns, &ms))
		return false;
	for (size_t i = 0; i < ns; i++)
		half[i] = work / 2;
	if (sample_make(r, &sm, send, rs, ns, half, rs, ns, judged, sizeof(judged)))
		o = judge(M_RTT_P50, "send call", "half the receiver's work", &sm, R_BEATS,
			  1 + REPORT_MARGIN, 0, judged, sizeof(judged));
	fmt_value(M_RTT_P50, ms, a, sizeof(a));
	fmt_value(M_RTT_P50, work, w, sizeof(w));
	if (nsync && !ipcb_stats_median(sync, nsync, &msync)) {
		fmt_value(M_RTT_P50, msync, b, sizeof(b));
		snprintf(sync_text, sizeof(sync_text),
			 "; used synchronously (request and reply) the sender waits %s", b);
	}
	cell_add(c, placement, size, M_SEND_CALL, o, judged,
		 "%s: a send call took %s (p50) while the receiver spent %s on each message%s", t,
		 a, w, sync_text);
	return true;
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The sizes a slow consumer was measured at (ascending, at most n). */
static size_t srow_sizes(const struct report *r, size_t *sizes, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nsrows; i++) {
		size_t j = 0;

		while (j < k && sizes[j] != r->srows[i].size)
			j++;
		if (j == k && k < n)
			sizes[k++] = r->srows[i].size;
	}
	qsort(sizes, k, sizeof(sizes[0]), size_cmp);
	return k;
}

/* Why C10 and C12 are not measured in a CSV without a slow consumer's rows. */
static const char no_slow_consumer[] =
    "the CSV has no streams with a slow consumer: `ipcbench -m throughput --rate R "
    "--receiver-work-ns W` (scripts/run measures them) says how long each send call took";

/* C10: a message queue's sender goes on at once while its receiver is busy. */
static void claim_c10(const struct report *r, struct claim *c)
{
	size_t sizes[IPCB_MAX_LIST], nsz = srow_sizes(r, sizes, IPCB_MAX_LIST);

	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t s = 0; s < nsz; s++)
			for (const char *const *t = fam_mq; *t; t++)
				c10_cell(r, c, *t, r->placements[p], sizes[s]);
	if (!c->n)
		c->unmeasured = no_slow_consumer;
}

/* ---- tables ---------------------------------------------------------------------------------- */

/*
 * The answers in brief: every claim's verdict in one table at the top, for a reader choosing a
 * mechanism who would otherwise scroll through every comparison to learn them. Each claim's
 * section below gives the comparisons that decide it, exceptions first.
 */
static void print_brief(const struct report *r)
{
	if (!r->nbrief)
		return;
	fprintf(r->out,
		"## The answers in brief\n\n"
		"Each claim of the guides, its verdict on this machine and the comparisons "
		"that decided it (the rest were not decided either way); the sections below "
		"give every comparison, exceptions first, and the tables the claims read.\n\n"
		"| claim | the guides say | verdict | comparisons that hold |\n"
		"|---|---|---|---|\n");
	for (size_t i = 0; i < r->nbrief; i++) {
		fprintf(r->out, "| %s | %s | %s | ", r->brief[i].id, r->brief[i].text,
			r->brief[i].grade[0] ? r->brief[i].grade : "-");
		if (r->brief[i].yes + r->brief[i].no)
			fprintf(r->out, "%zu of %zu |\n", r->brief[i].yes,
				r->brief[i].yes + r->brief[i].no);
		else
			fprintf(r->out, "- |\n");
	}
	fputc('\n', r->out);
}

static void print_header(const struct report *r, const char *path)
{
	fprintf(
	    r->out,
	    "# IPC on %s: the guides' tables, measured\n\n"
	    "Machine: %s, kernel %s; ipcbench %s; measured %s; from `%s`.\n\n"
	    "Every number is the median over the CSV's rounds (up to %u) of one transport, "
	    "mode, size and placement, followed by its interval where that reaches more than "
	    "10%% from it (the next run's median can land anywhere in it); where a group's rounds "
	    "fell into modes, each mode with its share of the rounds. Round trips are ping-pong "
	    "latencies (p50); throughput is a one-way stream timed at the receiver. "
	    "*cross-core*: sender and receiver on two CPUs; *same-core*: both on one CPU.\n\n"
	    "How the claims are decided: a claim is a set of comparisons (one per placement, "
	    "size and measure). Each compares the two transports on the rounds both were "
	    "measured in, paired (a round's machine state cancels out of its ratio): the "
	    "Wilcoxon signed-rank test of the per-round log ratios, shifted as `ipcbench "
	    "compare` shifts its hypotheses; a CSV without rounds is compared as two sets of "
	    "runs, with one-sided Mann-Whitney tests. Tests are at alpha %g per comparison. "
	    "*Faster* means faster by more than %.0f%%, shown at that level; where a claim lets "
	    "a tie count, a tie means not slower by %.0f%% or more. Each comparison gives the "
	    "medians, the ratio (Hodges-Lehmann estimate, with the interval whose bounds are "
	    "each one-sided at alpha) and the test that decided it with its p-value. A "
	    "comparison shown neither way is *not decided*; one whose sample is too small for "
	    "any test to reach alpha (fewer than %zu paired rounds, or %zu runs a side) is *not "
	    "decidable with this sample*; neither counts for either side. A verdict is graded "
	    "from the decided comparisons: *holds* (all), *mostly holds* (at least %.0f%%), "
	    "*mixed*, *mostly does not hold*, *does not hold*; the comparisons against it are "
	    "listed first. It is decided again on %d resamples of the rounds, and where fewer "
	    "than %.0f%% give the same grade it reads *undecided* and says which way it leans. "
	    "C8 compares medians with the documents' figures.\n\n",
	    r->host, r->cpu_model, r->kernel, r->version, r->date, path,
	    r->max_round ? r->max_round : r->max_run, REPORT_ALPHA, REPORT_MARGIN * 100,
	    REPORT_MARGIN * 100, (size_t)floor(-log2(REPORT_ALPHA)) + 1,
	    ipcb_mw_repeats_possible(REPORT_ALPHA), MOSTLY_SHARE * 100, STABLE_RESAMPLES,
	    STABLE_SHARE * 100);
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

	fprintf(r->out, "## The machine's floors\n\nThe median over the rounds of each, its rows "
			"in another state of the machine set aside (the best run of many is the "
			"moment the machine allowed most, not what the rows beside it met).\n\n"
			"| placement | harness (null) round trip | "
			"cache-line round trip | futex round trip |\n|---|---|---|---|\n");
	for (size_t p = 0; p < r->nplacements; p++) {
		static const char *const pingpong[] = {"null", "floor-cacheline", "floor-futex"};

		fprintf(r->out, "| %s |", r->placements[p]);
		for (int k = 0; k < 3; k++) {
			double v = NAN;
			char a[32];
			bool got = false;

			for (size_t s = 0; s < r->nsizes && !got; s++)
				got = report_floor(r, pingpong[k], r->placements[p], r->sizes[s],
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

				any = report_floor(r, sized[k].transport, r->placements[p],
						   r->sizes[s], sized[k].m, &v);
			}
			if (!any)
				continue;
			fprintf(r->out, "| %s | %s |", r->placements[p], sized[k].what);
			for (size_t s = 0; s < r->nsizes; s++) {
				double v = NAN;
				char a[32];

				report_floor(r, sized[k].transport, r->placements[p], r->sizes[s],
					     sized[k].m, &v);
				fmt_value(sized[k].m, v, a, sizeof(a));
				fprintf(r->out, " %s |", a);
			}
			fputc('\n', r->out);
		}
	fputc('\n', r->out);
}

/* A group of the variation table: its name and what its rounds say. */
struct vgroup {
	const char *t, *pl;
	size_t size;
	enum measure m;
	struct group_stats g;
};

static int vgroup_cmp(const void *a, const void *b)
{
	double x = ((const struct vgroup *)a)->g.between, y = ((const struct vgroup *)b)->g.between;

	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return x > y ? -1 : x < y;
}

static void vgroup_print(const struct report *r, const struct vgroup *v)
{
	const struct group_stats *g = &v->g;
	char sz[16], med[32], lo[32], hi[32], modes[256] = "one", ex[160] = "", bt[16], wt[16];
	size_t len = 0;

	fmt_size(v->size, sz, sizeof(sz));
	fmt_value(v->m, g->median, med, sizeof(med));
	fmt_value(v->m, g->lo, lo, sizeof(lo));
	fmt_value(v->m, g->hi, hi, sizeof(hi));
	if (g->modes.n > 1) {
		len = 0;
		for (size_t k = 0; k < g->modes.n && len < sizeof(modes); k++) {
			char a[32];

			fmt_value(v->m, g->modes.median[k], a, sizeof(a));
			len += (size_t)snprintf(modes + len, sizeof(modes) - len, "%s%s in %zu/%zu",
						k ? "; " : "", a, g->modes.count[k], g->n);
		}
		if (g->explained_by) {
			len = (size_t)snprintf(ex, sizeof(ex), "%s ", g->explained_by);
			for (size_t k = 0; k < g->modes.n && len < sizeof(ex); k++)
				len += (size_t)snprintf(ex + len, sizeof(ex) - len, "%s%.3g",
							k ? " vs " : "", g->explain[k]);
		} else {
			snprintf(ex, sizeof(ex), "no column tells them apart");
		}
	}
	if (isnan(g->between))
		snprintf(bt, sizeof(bt), "-");
	else
		snprintf(bt, sizeof(bt), "%.1f%%", g->between * 100);
	if (isnan(g->within))
		snprintf(wt, sizeof(wt), "-");
	else
		snprintf(wt, sizeof(wt), "%.1f%%", g->within * 100);
	fprintf(r->out, "| %s | %s | %s | %s | %zu | %s [%s, %s] | %s | %s | %s | %s |\n", v->t,
		v->pl, sz, measure_name(v->m), g->n, med, lo, hi, bt, wt, modes, ex[0] ? ex : "-");
}

/*
 * Rounds, the machine's state and the two levels of variation: what the probes found, which rows
 * were set aside, how much each group varied within a run and between rounds, and the groups
 * whose rounds fell into modes.
 */
static void print_rounds(const struct report *r)
{
	/* Static: 100 KiB and more (see MAX_RUNS). */
	static struct vgroup v[4096];
	static double between[4096], within[4096];
	double wake_cross = NAN, cl_cross = NAN, mb = NAN, mw = NAN;
	size_t nv = 0, multi = 0, listed = 0;
	const struct rrow *shown[12];
	size_t nb = 0, nw = 0;

	fprintf(r->out, "## Rounds and the machine's state\n\n");
	if (!r->paired) {
		fprintf(
		    r->out,
		    "This CSV has no rounds (`round` column): its repeats ran back to back and "
		    "share one state of the machine, so comparisons are made between their sets, "
		    "and their spread says little about the next run.\n\n");
	} else {
		fprintf(
		    r->out,
		    "%u rounds: each ran every point of the plan once, in its own shuffled "
		    "order, so a change of the machine's state lands on every transport alike. A "
		    "group's value is the median over its rounds, with the distribution-free "
		    "%.0f%% interval of that median (or, with few rounds, the widest one and its "
		    "coverage); comparisons pair the two sides' rows of each round.\n\n",
		    r->max_round, GROUP_CONF * 100);
	}
	for (size_t p = 0; p < r->nplacements; p++) {
		struct pstate ps;
		char a[32], b[32];

		placement_state(r, r->placements[p], &ps);
		if (!ps.rows)
			continue;
		fmt_value(M_RTT_P50, ps.wk, b, sizeof(b));
		fmt_value(M_RTT_P50, ps.cl, a, sizeof(a));
		fprintf(r->out, "- %s: the usual cache-line round trip beside the rows was %s",
			r->placements[p], a);
		if (ps.others) {
			fmt_value(M_RTT_P50, ps.other_cl, a, sizeof(a));
			fprintf(r->out,
				"; %.0f%% of the rows ran in another state (%s: on a virtual "
				"machine, its two CPUs put on one core, or on two, for a while)",
				100.0 * (double)ps.others / (double)ps.rows, a);
		}
		fprintf(r->out, "; the blocking wake-up round trip's median was %s\n", b);
		if (strcmp(r->placements[p], "cross-core") == 0)
			wake_cross = ps.wk, cl_cross = ps.cl;
	}
	if (r->virt[0] && strcmp(r->virt, "none") != 0 && !isnan(wake_cross)) {
		char a[32], b[32];

		fmt_value(M_RTT_P50, wake_cross, a, sizeof(a));
		fmt_value(M_RTT_P50, cl_cross, b, sizeof(b));
		fprintf(
		    r->out,
		    "\nThis is a virtual machine (virtualization: %s). Waking a process on the "
		    "other virtual CPU goes through the host, and two such wake-ups took %s here: "
		    "that is most of every cross-core round trip whose reader sleeps (pipes, "
		    "sockets, message queues, and the middleware and brokers on them), while a "
		    "reader that polls sees the other CPU's write within the cache-line round trip "
		    "(%s). The blocking rows below measure this machine's wake-up as much as their "
		    "mechanism; on bare metal, or with the host's halt polling, they can be "
		    "several "
		    "times faster.\n",
		    r->virt, a, b);
	}
	fprintf(r->out,
		"\n%zu rows were flagged for the machine's state (`below-floor`: faster than "
		"their own probe allows; `probe-jump`: their cache-line probe found another state "
		"than the usual one, or their wake-up probe was half or twice the usual; "
		"`state-changed`: the cache-line probe after the run was half or twice the one "
		"before). They are set aside from every median and comparison of a group while at "
		"least half of its rows are not flagged, and kept where the flagged state was the "
		"group's usual one.\n\n",
		r->flagged);
	for (size_t i = 0; i < r->n && listed < 12; i++)
		if (r->rows[i].flag[0]) {
			char sz[16];
			bool seen = false;

			/* A run's rows (its round trip, its one-way delays) are one run. */
			for (size_t j = 0; j < listed && !seen; j++)
				seen =
				    !strcmp(shown[j]->transport, r->rows[i].transport) &&
				    !strcmp(shown[j]->placement, r->rows[i].placement) &&
				    shown[j]->size == r->rows[i].size &&
				    shown[j]->round_no == r->rows[i].round_no &&
				    (shown[j]->kind == K_STREAM) == (r->rows[i].kind == K_STREAM);
			if (seen)
				continue;
			shown[listed] = &r->rows[i];
			fmt_size(r->rows[i].size, sz, sizeof(sz));
			fprintf(r->out, "%s%s %s %s round %u (%s)",
				listed ? ", " : "Among them: ", r->rows[i].transport,
				r->rows[i].placement, sz, r->rows[i].round_no, r->rows[i].flag);
			listed++;
		}
	if (listed)
		fprintf(r->out, "%s.\n\n", r->flagged > listed ? ", ..." : "");
	for (size_t t = 0; t < r->ntnames; t++)
		for (size_t p = 0; p < r->nplacements; p++)
			for (size_t s = 0; s < r->nsizes; s++)
				for (int k = 0; k < 2 && nv < 4096; k++) {
					struct vgroup *g = &v[nv];

					g->t = r->tnames[t];
					g->pl = r->placements[p];
					g->size = r->sizes[s];
					g->m = k ? M_BPS : M_RTT_P50;
					if (in_list(not_mechanisms, g->t) ||
					    !group_stats(r, g->t, g->pl, g->size, g->m, &g->g))
						continue;
					if (!isnan(g->g.between))
						between[nb++] = g->g.between;
					if (!isnan(g->g.within))
						within[nw++] = g->g.within;
					multi += g->g.modes.n > 1;
					nv++;
				}
	if (nb)
		ipcb_stats_median(between, nb, &mb);
	if (nw)
		ipcb_stats_median(within, nw, &mw);
	fprintf(r->out,
		"Two levels of variation over %zu groups (transport, placement, size and measure): "
		"the spread between rounds (1.4826 MAD over the median of the rounds' values) has "
		"a median of %.1f%%; the spread within a run (a round trip's interquartile range "
		"over its median) %.1f%%. %zu groups' rounds fall into separate modes (a gap of "
		"25%% or more, three times wider than either side's own range, with at least two "
		"rounds on each side): for them the tables give each mode with its share of the "
		"rounds instead of one median, and below, the column that tells the modes apart "
		"where one does.\n\n",
		nv, isnan(mb) ? 0 : mb * 100, isnan(mw) ? 0 : mw * 100, multi);
	qsort(v, nv, sizeof(v[0]), vgroup_cmp);
	fprintf(r->out, "| transport | placement | size | measure | rounds | median [interval] | "
			"between rounds | within a run | modes | told apart by |\n"
			"|---|---|---|---|---:|---|---:|---:|---|---|\n");
	listed = 0;
	for (size_t i = 0; i < nv; i++)
		if (v[i].g.modes.n > 1) {
			vgroup_print(r, &v[i]);
			listed++;
		}
	/* Then the noisiest of the others, by their spread between rounds. */
	for (size_t i = 0, more = 0; i < nv && more < 10; i++)
		if (v[i].g.modes.n < 2 && !isnan(v[i].g.between)) {
			vgroup_print(r, &v[i]);
			more++;
			listed++;
		}
	if (!listed)
		fprintf(r->out, "| - | | | | | | | | | |\n");
	fputc('\n', r->out);
}

/*
 * T1's CPU and memory columns, judged: the document ranks the four mechanisms (CPU: very low,
 * medium, medium, higher; memory: smallest, medium, larger, larger), so every two of them it
 * puts on different levels are an order the measurements keep or break. Per placement, the
 * pairs kept out of those the document orders, and the ones broken.
 */
static void t1_orders(const struct report *r, size_t mib)
{
	static const int level[2][4] = {{0, 1, 1, 2}, {0, 1, 2, 2}}; /* t1_rows' order */
	static const enum measure what[2] = {M_CPU_NS, M_BUFFER};
	static const char *const name[2] = {"CPU per MiB", "memory reserved"};

	for (size_t p = 0; p < r->nplacements; p++)
		for (int k = 0; k < 2; k++) {
			double v[4];
			const char *who[4];
			size_t kept = 0, ordered = 0, len = 0;
			char broken[400] = "";

			for (size_t i = 0; i < 4; i++) {
				double bps;

				v[i] = NAN;
				who[i] = NULL;
				if (best_of(r, t1_family(r, &t1_rows[i]), NULL, r->placements[p],
					    mib, M_BPS, &who[i], &bps))
					report_median(r, who[i], r->placements[p], mib, what[k],
						      &v[i]);
			}
			for (size_t i = 0; i < 4; i++)
				for (size_t j = 0; j < 4; j++) {
					char a[32], b[32];

					if (level[k][i] >= level[k][j] || isnan(v[i]) ||
					    isnan(v[j]))
						continue;
					ordered++;
					if (v[i] < v[j]) {
						kept++;
						continue;
					}
					fmt_value(what[k], v[i], a, sizeof(a));
					fmt_value(what[k], v[j], b, sizeof(b));
					if (len < sizeof(broken))
						len += (size_t)snprintf(
						    broken + len, sizeof(broken) - len,
						    "%s%s (%s) is not below %s (%s)",
						    len ? "; " : "", t1_rows[i].mechanism, a,
						    t1_rows[j].mechanism, b);
				}
			if (!ordered)
				continue;
			fprintf(r->out,
				"- %s, %s: the document's order holds in %zu of %zu pairs%s%s\n",
				r->placements[p], name[k], kept, ordered, broken[0] ? ": " : "",
				broken);
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

			if (!best_of(r, t1_family(r, t), NULL, r->placements[p], mib, M_BPS, &who,
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
	t1_orders(r, mib);
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
	static const char *const classes[] = {"polls", "sleeps", "-"};
	char s1[16], s2[16];

	fmt_size(small, s1, sizeof(s1));
	fmt_size(mib, s2, sizeof(s2));
	fprintf(r->out,
		"## T2 and T3. Speed of every mechanism, measured (`000_00169c0be3505af8.txt` "
		"section 4, `002_70218f60ab04cff3.txt` section 1.3)\n\n"
		"Ranked by the %s round trip (p50); the %s stream beside it. Readers that poll and "
		"readers that sleep are ranked apart: a round trip whose sides never slept (fewer "
		"than %.1f context switches per message, whatever its wait is called) pays no "
		"wake-up and burns a CPU instead, and ranking it against one that sleeps compares "
		"two ways of waiting, not two mechanisms.\n\n",
		s1, s2, READER_POLL_CTX);
	for (size_t p = 0; p < r->nplacements; p++) {
		static struct ranked list[64]; /* static: see MAX_RUNS */
		size_t n = 0;

		for (size_t i = 0; i < r->ntnames && n < 64; i++) {
			const char *t = r->tnames[i];
			double v;

			if (in_list(not_mechanisms, t) ||
			    !report_median(r, t, r->placements[p], small, M_RTT_P50, &v))
				continue;
			list[n].t = t;
			list[n++].v = v;
		}
		qsort(list, n, sizeof(list[0]), ranked_cmp);
		for (size_t c = 0; c < 3; c++) {
			size_t rank = 0;

			for (size_t i = 0; i < n; i++) {
				const char *t2, *t3;
				char a[96], b[96], lb[80];

				if (strcmp(reader_class(r, list[i].t, r->placements[p], small),
					   classes[c]) != 0)
					continue;
				if (!rank++)
					fprintf(
					    r->out,
					    "**%s, readers that %s**\n\n| rank | transport | wait "
					    "| round trip %s | stream %s | T2 says | T3 says |\n"
					    "|---|---|---|---|---|---|---|\n",
					    r->placements[p],
					    c == 0   ? "poll"
					    : c == 1 ? "sleep"
						     : "? (no counters)",
					    s1, s2);
				speed_word(list[i].t, &t2, &t3);
				fmt_series(r, list[i].t, r->placements[p], small, M_RTT_P50, a,
					   sizeof(a));
				fmt_series(r, list[i].t, r->placements[p], mib, M_BPS, b,
					   sizeof(b));
				figure_label(r, list[i].t, r->placements[p], mib, M_BPS, lb,
					     sizeof(lb));
				fprintf(r->out, "| %zu | %s | %s | %s | %s%s | %s | %s |\n", rank,
					list[i].t, wait_used(r, list[i].t), a, b, lb, t2, t3);
			}
			if (rank)
				fputc('\n', r->out);
		}
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
			char a[4][96];

			report_median(r, t4_pairs[i].sysv, r->placements[p], small, M_RTT_P50,
				      &v[0]);
			report_median(r, t4_pairs[i].posix, r->placements[p], small, M_RTT_P50,
				      &v[1]);
			report_median(r, t4_pairs[i].sysv, r->placements[p], mib, M_BPS, &v[2]);
			report_median(r, t4_pairs[i].posix, r->placements[p], mib, M_BPS, &v[3]);
			if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]))
				continue;
			fmt_series(r, t4_pairs[i].sysv, r->placements[p], small, M_RTT_P50, a[0],
				   sizeof(a[0]));
			fmt_series(r, t4_pairs[i].posix, r->placements[p], small, M_RTT_P50, a[1],
				   sizeof(a[1]));
			fmt_series(r, t4_pairs[i].sysv, r->placements[p], mib, M_BPS, a[2],
				   sizeof(a[2]));
			fmt_series(r, t4_pairs[i].posix, r->placements[p], mib, M_BPS, a[3],
				   sizeof(a[3]));
			fprintf(r->out, "| %s (%s vs %s) | %s | %s | %s | %s | %s |\n",
				t4_pairs[i].what, t4_pairs[i].sysv, t4_pairs[i].posix,
				r->placements[p], a[0], a[1], a[2], a[3]);
		}
	fprintf(r->out, "\nThe verdict is claim C5 below.\n\n");
}

/*
 * What transport t rides on, when it is of the kind asked (frameworks: built on a library;
 * otherwise a kernel mechanism's zero-copy variant) and the CSV holds the rows of both: NULL
 * otherwise.
 */
static const char *rides_on(const struct report *r, const char *t, bool framework)
{
	const struct rrow *row = transport_row(r, t), *raw;

	if (!row || !row->rides_on[0] || row->library != framework)
		return NULL;
	raw = transport_row(r, row->rides_on);
	return raw ? raw->transport : NULL;
}

/*
 * T5: the higher-level rows side by side (every transport built on a library), with the hops a
 * message takes, its data path and what it rides on, and each figure as a multiple of the raw
 * transport's on the same placement: what the framework adds.
 */
static void print_t5(const struct report *r, size_t small, size_t k64)
{
	char s1[16], s2[16];
	bool any = false;

	fmt_size(small, s1, sizeof(s1));
	fmt_size(k64, s2, sizeof(s2));
	fprintf(r->out,
		"## T5. The higher-level rows side by side (`CLAIMS.md` T5: message passing, RPC, "
		"brokers, HTTP)\n\n");
	for (size_t i = 0; i < r->ntnames; i++) {
		const struct rrow *row = transport_row(r, r->tnames[i]);

		any |= row && row->library;
	}
	if (!any) {
		fprintf(r->out, "Not measured: the CSV has no transport built on a library "
				"(`scripts/run` measures them with `-t middleware,brokers`).\n\n");
		return;
	}
	fprintf(r->out,
		"| placement | transport | hops | data path | rides on | round trip %s | x raw | "
		"stream %s | x raw |\n|---|---|---|---|---|---|---|---|---|\n",
		s1, s2);
	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t i = 0; i < r->ntnames; i++) {
			const char *t = r->tnames[i], *pl = r->placements[p];
			const struct rrow *row = transport_row(r, t);
			const char *raw = rides_on(r, t, true);
			double v[4] = {NAN, NAN, NAN, NAN};
			char a[2][96], x[2][16];

			if (!row || !row->library)
				continue;
			report_median(r, t, pl, small, M_RTT_P50, &v[0]);
			report_median(r, t, pl, k64, M_BPS, &v[1]);
			if (isnan(v[0]) && isnan(v[1]))
				continue;
			if (raw) {
				report_median(r, raw, pl, small, M_RTT_P50, &v[2]);
				report_median(r, raw, pl, k64, M_BPS, &v[3]);
			}
			fmt_series(r, t, pl, small, M_RTT_P50, a[0], sizeof(a[0]));
			fmt_series(r, t, pl, k64, M_BPS, a[1], sizeof(a[1]));
			snprintf(x[0], sizeof(x[0]), "-");
			snprintf(x[1], sizeof(x[1]), "-");
			if (!isnan(v[0]) && !isnan(v[2]))
				snprintf(x[0], sizeof(x[0]), "%.1fx", v[0] / v[2]);
			/* A stream's cost: the raw transport's rate over the framework's. */
			if (!isnan(v[1]) && !isnan(v[3]) && v[1] > 0)
				snprintf(x[1], sizeof(x[1]), "%.1fx", v[3] / v[1]);
			fprintf(r->out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", pl, t,
				row->hops[0] ? row->hops : "-", row->path[0] ? row->path : "-",
				raw ? raw : "-", a[0], x[0], a[1], x[1]);
		}
	fprintf(r->out,
		"\n\"x raw\": the round trip as a multiple of the raw transport's, and the raw "
		"transport's stream as a multiple of this one's (above 1: the framework costs "
		"more). The verdict is claim C11 below.\n\n");
}

/* Each claim's comparisons, as functions of the report (the stability test calls them again). */
/* Why a claim about the shared-memory family is not measured in a CSV without data paths. */
static const char no_paths[] = "the CSV does not say the transports' data paths (which of them "
			       "move their bytes through shared memory): measure again";

static void claim_c1(const struct report *r, struct claim *c, size_t mib)
{
	if (!r->has_paths) {
		c->unmeasured = no_paths;
		return;
	}
	claim_family_beats(r, c, r->shm_fam, NULL, r->shm_fam, true);
}

static void claim_c2(const struct report *r, struct claim *c, size_t mib)
{
	claim_family_beats(r, c, fam_pipe_unix, fam_net_mq, NULL, false);
}

static void claim_c3(const struct report *r, struct claim *c, size_t mib)
{
	claim_pair(r, c, "fifo", "pipe", 1 + REPORT_MARGIN, 1.5);
}

static void claim_c4(const struct report *r, struct claim *c, size_t mib)
{
	claim_pair(r, c, "unix-stream", "tcp", 0, 0);
}

static void claim_c5(const struct report *r, struct claim *c, size_t mib)
{
	for (size_t i = 0; i < sizeof(t4_pairs) / sizeof(t4_pairs[0]); i++)
		claim_pair(r, c, t4_pairs[i].posix, t4_pairs[i].sysv, 0, 0);
}

static void claim_c6_all(const struct report *r, struct claim *c, size_t mib)
{
	claim_c6(r, c);
}

static void claim_c7_all(const struct report *r, struct claim *c, size_t mib)
{
	claim_c7(r, c);
}

static void claim_c9_all(const struct report *r, struct claim *c, size_t mib)
{
	claim_c9(r, c);
	if (!r->has_paths)
		c->unmeasured = no_paths;
}

static void claim_c10_all(const struct report *r, struct claim *c, size_t mib)
{
	claim_c10(r, c);
}

/* C11: each framework costs more than the raw transport it rides on (the raw one is faster). */
static void claim_c11(const struct report *r, struct claim *c, size_t mib)
{
	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i], *raw = rides_on(r, t, true);
		const char *fa[2] = {raw, NULL}, *fb[2] = {t, NULL};

		if (raw)
			claim_family_beats(r, c, fa, fb, NULL, false);
	}
	if (!c->n && !c->napart)
		c->unmeasured = "the CSV has no framework together with the raw transport it "
				"rides on (the rows' route columns)";
}

/* C13: each zero-copy variant is faster than its copying original. */
static void claim_c13(const struct report *r, struct claim *c, size_t mib)
{
	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i], *orig = rides_on(r, t, false);
		const char *fa[2] = {t, NULL}, *fb[2] = {orig, NULL};

		if (orig)
			claim_family_beats(r, c, fa, fb, NULL, false);
	}
	if (!c->n && !c->napart)
		c->unmeasured = "the CSV has no zero-copy transport together with its copying "
				"original";
}

/*
 * C14: what crossed to another host (rows placed two-host) moved its bytes through the network
 * stack; a transport of another data path there would be a "no". Each crossing is shown against
 * the same transport on loopback, cross-core.
 */
static void claim_c14(const struct report *r, struct claim *c, size_t mib)
{
	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i];
		const struct rrow *row = transport_row(r, t);

		for (size_t s = 0; row && s < r->nsizes; s++)
			for (int k = 0; k < 2; k++) {
				enum measure m = speed_measures[k];
				double far, near = NAN;
				char a[32], b[32] = "not measured";

				if (!report_median(r, t, "two-host", r->sizes[s], m, &far))
					continue;
				fmt_value(m, far, a, sizeof(a));
				if (report_median(r, t, "cross-core", r->sizes[s], m, &near))
					fmt_value(m, near, b, sizeof(b));
				cell_add(
				    c, "two-host", r->sizes[s], m,
				    strcmp(row->path, "network-stack") == 0 ? O_YES : O_NO, NULL,
				    "%s (data path %s%s%s) across hosts %s, on loopback cross-core "
				    "%s",
				    t, row->path[0] ? row->path : "not said",
				    row->rides_on[0] ? ", rides on " : "", row->rides_on, a, b);
			}
	}
	if (!c->n)
		c->unmeasured = "the CSV has no two-host rows: `ipcbench --peer HOST` (or "
				"`scripts/twohost-compare`) measures the transports that can cross";
}

/*
 * C13's other half: from which size on each zero-copy variant wins, per placement and measure,
 * read from the claim's own comparisons.
 */
static void print_c13_from(struct report *r, size_t mib)
{
	static struct claim c;

	memset(&c, 0, sizeof(c));
	claim_c13(r, &c, mib);
	if (!c.n)
		return;
	fprintf(r->out,
		"From which size on each one wins (every larger size measured wins too):\n\n");
	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i], *orig = rides_on(r, t, false);

		if (!orig)
			continue;
		for (size_t p = 0; p < r->nplacements; p++)
			for (int k = 0; k < 2; k++) {
				size_t from = 0, seen = 0, len = 0;
				bool tail = true; /* every larger size so far won */
				char sz[32], wins[160] = "";

				/* Sizes ascend in r->sizes; walk them down. */
				for (size_t s = r->nsizes; s-- > 0;) {
					enum outcome o = O_UNDECIDED;
					bool found = false;

					for (size_t j = 0; j < c.n; j++) {
						const struct cell *cl = &c.cells[j];
						size_t tl = strlen(t);

						if (cl->size == r->sizes[s] &&
						    cl->m == speed_measures[k] &&
						    strcmp(cl->placement, r->placements[p]) == 0 &&
						    strncmp(cl->why, t, tl) == 0 &&
						    cl->why[tl] == ' ') {
							o = cl->yes;
							found = true;
						}
					}
					if (!found)
						continue;
					seen++;
					tail = tail && o == O_YES;
					if (tail)
						from = r->sizes[s];
					if (o == O_YES && len < sizeof(wins)) {
						fmt_size(r->sizes[s], sz, sizeof(sz));
						len +=
						    (size_t)snprintf(wins + len, sizeof(wins) - len,
								     "%s%s", len ? ", " : "", sz);
					}
				}
				if (!seen)
					continue;
				fmt_size(from, sz, sizeof(sz));
				fprintf(r->out, "- %s against %s, %s, %s: ", t, orig,
					r->placements[p], measure_name(speed_measures[k]));
				if (from)
					fprintf(r->out, "wins from %s on\n", sz);
				else if (wins[0])
					fprintf(
					    r->out,
					    "wins at %s, but not at the largest size compared\n",
					    wins);
				else
					fprintf(r->out, "wins at no size compared\n");
			}
	}
	fputc('\n', r->out);
}

/*
 * Each mechanism at its best (--tune): per cell, the best of a transport's tuned settings against
 * its defaults, decided on the rounds like any comparison; then every claim judged again with
 * each transport at its best setting in each cell, and the claims whose verdict that changes.
 */
static void print_tuned(struct report *r, size_t mib)
{
	static const struct {
		const char *id;
		claim_fn fn;
	} claims[] = {{"C1", claim_c1},	    {"C2", claim_c2},  {"C3", claim_c3},
		      {"C4", claim_c4},	    {"C5", claim_c5},  {"C6", claim_c6_all},
		      {"C7", claim_c7_all}, {"C8", claim_c8},  {"C9", claim_c9_all},
		      {"C11", claim_c11},   {"C13", claim_c13}};
	static struct claim c;
	static struct sample sm;
	size_t changed = 0;

	fprintf(r->out, "## Each mechanism at its best (`--tune`)\n\n");
	if (!r->nvnames) {
		fprintf(r->out,
			"Not measured: the CSV has no tuned settings. `ipcbench --tune` runs each "
			"transport also with each setting a user of it would tune (a pipe's buffer "
			"and write size, a socket's buffers and write size: `--list NAME`), one "
			"option away from the default at a time; `scripts/run` does so for pipes, "
			"Unix stream sockets and TCP at 64K and 1M.\n\n");
		return;
	}
	fprintf(
	    r->out,
	    "A row measures one way of using a mechanism. Here each transport's best tuned "
	    "setting in each cell (by its median) is tested against its defaults on the rounds, "
	    "like any comparison: *better* means by more than %.0f%%.\n\n"
	    "| transport | placement | size | measure | default | best setting | tuned | tuned "
	    "vs default |\n|---|---|---|---|---|---|---|---|\n",
	    REPORT_MARGIN * 100);
	for (size_t i = 0; i < r->ntnames; i++) {
		const char *t = r->tnames[i];
		bool has = false;

		for (size_t k = 0; k < r->nvnames && !has; k++)
			has = variant_of(r->vnames[k], t);
		for (size_t p = 0; has && p < r->nplacements; p++)
			for (size_t z = 0; z < r->nsizes; z++)
				for (int k = 0; k < 2; k++) {
					enum measure m = speed_measures[k];
					const char *pl = r->placements[p], *best;
					static double a[MAX_RUNS], b[MAX_RUNS];
					static unsigned ra[MAX_RUNS], rb[MAX_RUNS];
					double ma, mb;
					size_t na, nb;
					char sz[32], va[32], vb[32], judged[400] = "";

					r->tuned = true;
					best = tuned_name(r, t, pl, r->sizes[z], m);
					r->tuned = false;
					na = series_raw(r, best, pl, r->sizes[z], m, a, ra);
					nb = series_raw(r, t, pl, r->sizes[z], m, b, rb);
					if (best == t || !na || !nb ||
					    ipcb_stats_median(a, na, &ma) ||
					    ipcb_stats_median(b, nb, &mb))
						continue;
					if (sample_make(r, &sm, a, ra, na, b, rb, nb, judged,
							sizeof(judged)))
						judge(m, "tuned", "default", &sm, R_BEATS,
						      1 + REPORT_MARGIN, 0, judged, sizeof(judged));
					fmt_size(r->sizes[z], sz, sizeof(sz));
					fmt_value(m, mb, va, sizeof(va));
					fmt_value(m, ma, vb, sizeof(vb));
					fprintf(r->out,
						"| %s | %s | %s | %s | %s | %s | %s | %s |\n", t,
						pl, sz, measure_name(m), va, best + strlen(t) + 1,
						vb, judged);
				}
	}
	fprintf(r->out, "\nThe claims judged again with each transport at its best setting in "
			"each cell (grades only; the claims above are on the defaults):\n\n"
			"| claim | at the defaults | each at its best |\n|---|---|---|\n");
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		struct tally t;
		enum grade g0, g1;

		memset(&c, 0, sizeof(c));
		claims[i].fn(r, &c, mib);
		g0 = claim_grade(&c, &t);
		r->tuned = true;
		memset(&c, 0, sizeof(c));
		claims[i].fn(r, &c, mib);
		r->tuned = false;
		g1 = claim_grade(&c, &t);
		changed += g0 != g1;
		fprintf(r->out, "| %s | %s | %s%s |\n", claims[i].id, grade_names[g0],
			grade_names[g1], g0 != g1 ? " (tuning changes the answer)" : "");
	}
	fprintf(r->out, "\n%s\n\n",
		changed ? "Where tuning changes the answer, the guides' claim is about how the "
			  "mechanism is used as much as about the mechanism."
			: "Tuning changes no claim's verdict here.");
}

static void print_claims(struct report *r, size_t mib)
{
	fprintf(r->out, "## Claims (`CLAIMS.md` C1..C14; C12 is in the queues' section below)\n\n");
	claim_print(
	    r, "C1", "Shared memory is the fastest IPC.",
	    "all five documents; compared: the best shared-memory transport (by its "
	    "declared data path) against the best of all the others, readers that poll "
	    "with readers that poll and readers that sleep with readers that sleep; streams "
	    "compare copies of the bytes, so a loan's stream (read in place) is left out; a "
	    "tie counts as fastest",
	    claim_c1, mib);
	claim_print(r, "C2",
		    "Pipes and Unix domain sockets come next; network sockets and message queues "
		    "are slower.",
		    "001_d430098f08ffff3a.txt; compared: the best pipe or Unix socket against the "
		    "best of TCP, UDP and the message queues",
		    claim_c2, mib);
	claim_print(r, "C3", "A named pipe (FIFO) is slightly slower than an anonymous pipe.",
		    "001_d430098f08ffff3a.txt; slightly: more than a tie, at most 1.5x", claim_c3,
		    mib);
	claim_print(r, "C4",
		    "Unix domain sockets are more efficient than TCP/IP sockets on the same "
		    "machine.",
		    "003_f366367498f991fa.txt, 000_00169c0be3505af8.txt", claim_c4, mib);
	claim_print(r, "C5", "POSIX IPC usually performs better than System V IPC.",
		    "002_70218f60ab04cff3.txt section 6.1; pairs posix-mq/sysv-mq and "
		    "shm-sem/sysv-shm",
		    claim_c5, mib);
	claim_print(r, "C6", "Files are the slowest mechanism.", "000_00169c0be3505af8.txt",
		    claim_c6_all, mib);
	claim_print(r, "C7", "Semaphores and signals are \"very fast\" notifications.",
		    "000_00169c0be3505af8.txt; very fast: a round trip faster than the pipe's, "
		    "which the document calls medium",
		    claim_c7_all, mib);
	claim_print(r, "C8",
		    "Moving 1 MB takes 0.01 ms over shared memory, 2.5 ms over a pipe, 1.8 ms over "
		    "a message queue and 3.2 ms over a socket.",
		    "002_70218f60ab04cff3.txt section 8.1; holds where the measured stream time is "
		    "within 2x of the document's",
		    claim_c8, mib);
	claim_print(
	    r, "C9", "Shared memory is the choice above 1 MB; pipes suit data under 64 KB.",
	    "002_70218f60ab04cff3.txt section 8.2; at 1 MiB and above shared memory must be "
	    "fastest, below 64 KiB the pipe within 1.5x of the best mechanism whose reader "
	    "blocks",
	    claim_c9_all, mib);
	claim_print(r, "C10",
		    "A message-queue sender continues at once without waiting for the "
		    "receiver.",
		    "000_00169c0be3505af8.txt section 3.2; the kernel's queues with a slow "
		    "consumer (the receiver works a fixed time on each message) at a rate it keeps "
		    "up with: holds where a send call takes under half the receiver's time per "
		    "message, fails where the sender waits for it",
		    claim_c10_all, mib);
	claim_print(
	    r, "C11",
	    "Higher-level frameworks (RPC such as gRPC, message-queue middleware, RESTful "
	    "HTTP APIs) are built on sockets and cost more than the sockets they ride on.",
	    "001_d430098f08ffff3a.txt, extensions; compared: each framework against the raw "
	    "transport its rows say it rides on, same placement and size; holds "
	    "where the raw transport is faster by more than 5%",
	    claim_c11, mib);
	claim_print(r, "C13", "Zero-copy techniques improve performance.",
		    "002_70218f60ab04cff3.txt section 9.4; compared: each zero-copy transport "
		    "against the copying original its rows name; holds where the "
		    "zero-copy one is faster by more than 5%",
		    claim_c13, mib);
	print_c13_from(r, mib);
	claim_print(r, "C14", "Only sockets, or what is built on them, cross to another host.",
		    "001_d430098f08ffff3a.txt; every transport with two-host rows (--peer) must "
		    "move its bytes through the network stack (its declared data path); each is "
		    "shown against "
		    "its own loopback rows",
		    claim_c14, mib);
	fprintf(r->out, "Placements in this CSV:");
	for (size_t p = 0; p < r->nplacements; p++)
		fprintf(r->out, "%s %s", p ? "," : "", r->placements[p]);
	fprintf(r->out,
		". A verdict above that differs between them says so. ipcbench places the two "
		"sides on two CPUs (cross-core), on one (same-core), where the scheduler puts "
		"them (unpinned), on a representative pair of each kind the machine's topology "
		"has (--placement smt, llc, node, remote-node: two hardware threads of one "
		"core, two cores sharing the last-level cache, one NUMA node without a shared "
		"cache, two nodes), on every pair (--placement matrix) or on two hosts "
		"(two-host, --peer); what each transport costs by what its two CPUs share is in "
		"*Where the two sides sit* below, when the CSV has more than one kind of pair.");
	if (!strcmp(r->smt, "notsupported") || !strcmp(r->smt, "off") ||
	    !strcmp(r->smt, "forceoff"))
		fprintf(r->out,
			" This machine's kernel says SMT is %s: it has no two logical CPUs of one "
			"core to place the sides on%s.",
			!strcmp(r->smt, "notsupported") ? "not supported"
			: !strcmp(r->smt, "forceoff")	? "off (forced)"
							: r->smt,
			r->virt[0] && strcmp(r->virt, "no") ? " (as a virtual machine, it "
							      "does not say how its CPUs "
							      "share the host's cores: the "
							      "probes above say when they did)"
							    : "");
	fprintf(r->out, "\n\n");
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
 * once") checked for each with a slow consumer: a send call under half the receiver's time.
 */
/* Every transport of the queues' section once, kernel queues first, brokers last. */
static size_t queue_names(const struct report *r, const char **names, enum queue_kind *kinds,
			  size_t *brokers)
{
	size_t n = 0;

	*brokers = 0;
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
				*brokers += k == Q_BROKER;
			}
		}
	/* Alphabetically within each kind: a transport's option sets side by side. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && kinds[j - 1] == kinds[j] && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			enum queue_kind k = kinds[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
			kinds[j] = kinds[j - 1];
			kinds[j - 1] = k;
		}
	return n;
}

/* C10 (and C12) for every queue but the raw sockets, at the smallest size. */
static void claim_queues(const struct report *r, struct claim *c, size_t mib)
{
	const char *names[64];
	enum queue_kind kinds[64];
	size_t brokers, n = queue_names(r, names, kinds, &brokers);
	size_t sizes[IPCB_MAX_LIST], nsz = srow_sizes(r, sizes, IPCB_MAX_LIST);

	for (size_t p = 0; p < r->nplacements; p++)
		for (size_t i = 0; i < n; i++)
			for (size_t s = 0; s < nsz && kinds[i] != Q_SOCKET; s++)
				if (c10_cell(r, c, names[i], r->placements[p], sizes[s]))
					break; /* the smallest size measured */
	if (!c->n)
		c->unmeasured = no_slow_consumer;
}

static void print_queues(struct report *r, size_t small, size_t k64)
{
	static const char *const kind_word[] = {[Q_KERNEL] = "kernel queue",
						[Q_SOCKET] = "socket",
						[Q_MIDDLEWARE] = "middleware",
						[Q_BROKER] = "broker"};
	static const char *const outcome_word[] = {[O_NO] = "no",
						   [O_YES] = "yes",
						   [O_UNDECIDED] = "not decided",
						   [O_UNDECIDABLE] = "not decidable"};
	static struct claim one; /* large: static */
	static const char *names[64]; /* static: see MAX_RUNS */
	static enum queue_kind kinds[64];
	size_t brokers, n = queue_names(r, names, kinds, &brokers);
	size_t sizes[IPCB_MAX_LIST], nsz = srow_sizes(r, sizes, IPCB_MAX_LIST);
	char ssz[16], ksz[16];

	if (!brokers && n == 0)
		return;
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
		"at once*, holding where, with the receiver slowed (it works a fixed time on each "
		"message) and the sender offering a rate it keeps up with, a send call takes under "
		"half of the receiver's time per message. A sender that waits for its receiver "
		"fails it: a synchronous channel, a full queue, or one CPU that runs the "
		"receiver's work before the send returns. The %s stream's sender CPU is shown "
		"too; it cannot tell the two apart (a sender blocked on a full queue spends "
		"none).\n\n",
		ssz);
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
				static double vals[MAX_RUNS];
				double m;
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
			for (size_t s = 0; s < nsz && kinds[i] != Q_SOCKET; s++)
				if (c10_cell(r, &one, names[i], pl, sizes[s])) {
					snprintf(verdict, sizeof(verdict), "%s",
						 outcome_word[one.cells[0].yes]);
					break;
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
	    r, "C12 (and C10 for every queue)",
	    "Message-queue middleware offers asynchronous, decoupled delivery: a queue lets the "
	    "sender continue at once without waiting for the receiver.",
	    "000_00169c0be3505af8.txt section 3.2 (the kernel's queues) and "
	    "001_d430098f08ffff3a.txt (message-queue middleware, C12); each transport at the "
	    "smallest size measured with a slow consumer, holding where a send call takes "
	    "under half the receiver's time per message",
	    claim_queues, 0);
}

/* How many sizes have a text. */
static size_t measured_sizes(char (*texts)[320], size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += texts[i][0] != '\0';
	return k;
}

/*
 * What the transports' channels were and how TCP cut the messages into segments, from the rows
 * themselves: the claims are judged on these rows, and a reader needs to know what a "shared
 * memory" or a "socket" row was before trusting a verdict about it.
 */
static void print_rows_made_of(const struct report *r)
{
	/* One text per size (static: the report is made once, by one thread). */
	static char texts[IPCB_MAX_LIST][320];
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
		/* Each size's text; sizes in a row that read the same are named together. */
		for (size_t s = 0; s < r->nsizes; s++) {
			const char *layout = NULL;
			static double vals[2][256]; /* static: see MAX_RUNS */
			double seg[2] = {NAN, NAN};
			size_t nv[2] = {0, 0}, len = 0;

			texts[s][0] = '\0';
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
			if (layout)
				len += (size_t)snprintf(texts[s] + len, sizeof(texts[s]) - len,
							"%s", layout);
			if (!isnan(seg[0]) && len < sizeof(texts[s]))
				len += (size_t)snprintf(texts[s] + len, sizeof(texts[s]) - len,
							"%s%.2f segments per round-trip message",
							len ? ", " : "", seg[0]);
			if (!isnan(seg[1]) && len < sizeof(texts[s]))
				snprintf(texts[s] + len, sizeof(texts[s]) - len,
					 "%s%.3f per streamed message", len ? ", " : "", seg[1]);
		}
		for (size_t s = 0, said = 0; s < r->nsizes; s++) {
			size_t e = s, n = 1;
			char from[16], to[16];

			if (!texts[s][0])
				continue;
			/* The sizes up to the next other text (sizes not measured in between). */
			for (size_t k = s + 1; k < r->nsizes; k++) {
				if (!texts[k][0])
					continue;
				if (strcmp(texts[k], texts[s]))
					break;
				e = k;
				n++;
			}
			fmt_size(r->sizes[s], from, sizeof(from));
			fmt_size(r->sizes[e], to, sizeof(to));
			if (!said && n > 1 && measured_sizes(texts, r->nsizes) == n)
				fprintf(r->out, " every size measured: %s", texts[s]);
			else if (n > 1)
				fprintf(r->out, "%s %s to %s: %s", said ? ";" : "", from, to,
					texts[s]);
			else
				fprintf(r->out, "%s %s: %s", said ? ";" : "", from, texts[s]);
			said++;
			s = e;
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

/* --db: the history's trend figures, drawn into a new private directory (its path in dir). */
static int trends_draw(const char *db, const char *csv, char *dir, size_t n, char *err,
		       size_t errlen)
{
	const struct ipcb_history_source *h = ipcb_history_source_get();
	const char *tmp = getenv("TMPDIR");
	int rc;

	if (!h || !h->trends) {
		snprintf(err, errlen, "--db: this program keeps no results history");
		dir[0] = '\0';
		return -ENOTSUP;
	}
	snprintf(dir, n, "%s/ipcbench-trends-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		rc = -errno;
		snprintf(err, errlen, "--db: mkdtemp %s: %s", dir, strerror(-rc));
		dir[0] = '\0';
		return rc;
	}
	return h->trends(db, csv, dir, err, errlen);
}

/*
 * --html FILE: the report just printed (Markdown, md[0..len)) as one self-contained page with
 * the figures inline: the SVG files in svg_dir, or drawn now from the CSV into a private
 * directory removed afterwards. Written under a temporary name and renamed over FILE at the
 * end, like -o. Stop signals are held while it works: one that comes stops the drawing, removes
 * what was made, and the exit status is 128 + its number. With --db, the results history's
 * trend figures of the CSV's machine follow.
 */
static int report_html(const char *csv, const char *html, const char *svg_dir, const char *md,
		       size_t len, const char *db)
{
	struct ipcb_html_page page = {.markdown = md, .len = len, .csv = csv, .figures = svg_dir};
	/* Static: paths of PATH_MAX, and the report is one thread, this called once. */
	static struct ipcb_outfile of;
	static char dir[PATH_MAX], trends[PATH_MAX];
	char errbuf[IPCB_ERR_BYTES];
	sigset_t stop, old;
	struct timespec now = {0, 0};
	int rc, sig = 0, status = 0;
	FILE *f = NULL;

	memset(&of, 0, sizeof(of));
	of.fd = -1;
	dir[0] = trends[0] = '\0';
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
	if (db) {
		rc = trends_draw(db, csv, trends, sizeof(trends), errbuf, sizeof(errbuf));
		if (rc < 0) {
			fail("%s", errbuf);
			status = 1;
			goto out;
		}
		page.trends = trends;
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
	ipcb_html_undraw(trends);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: ipcbench report CSV [-o FILE.md] [--figures DIR] [--slo pP=LATENCY]\n"
		"       ipcbench report CSV --html FILE.html [--figures DIR] [--db DB]\n"
		"                       [--slo pP=LATENCY]\n"
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
		"      --db DB         with --html: add the trend figures of the results\n"
		"                      history DB (ipcbench --db) for the CSV's machine: each\n"
		"                      throughput group and round trip over its runs, with\n"
		"                      change points and drift (see ipcbench history --help)\n"
		"      --slo pP=LATENCY  the bound open-loop rows are held to: the highest rate\n"
		"                      up to which the percentile stayed under it (P one of 50,\n"
		"                      90, 99, 99.9, the percentiles the CSV carries; default\n"
		"                      p99 of 20us cross-core, 50us same-core, 100us unpinned)\n"
		"Exit status: 0 written, 1 no usable rows, a write error or (--html) figures\n"
		"that could not be drawn, 2 usage or a malformed CSV, 128+N stopped by signal N\n"
		"while drawing.\n");
}

static const struct ipcb_cliopt report_opts[] = {
    {"output", 'o', true, 'o'}, {"html", 0, true, 'H'}, {"figures", 0, true, 'F'},
    {"db", 0, true, 'D'},	{"slo", 0, true, 'S'},	{"help", 'h', false, 'h'},
    {NULL, 0, false, 0},
};

int ipcb_report_main(int argc, char **argv)
{
	static struct report r;
	struct ipcb_cli cli;
	const char *val;
	int id;
	const char *in = NULL, *out = NULL, *figures = NULL, *html = NULL, *html_figures;
	const char *db = NULL;
	char *md = NULL, *body = NULL;
	size_t md_len = 0, body_len = 0;
	FILE *top;
	struct ipcb_slo slo = {99, 0};
	/* Static, as r is: two paths of PATH_MAX, and the report is one thread. */
	static struct ipcb_outfile of;
	char errbuf[IPCB_ERR_BYTES];
	size_t small, mib;
	int rc, status = 0;

	memset(&of, 0, sizeof(of));
	of.fd = -1;
	ipcb_cli_init(&cli, argc, argv);
	while ((id = ipcb_cli_next(&cli, report_opts, &val, errbuf, sizeof(errbuf))) !=
	       IPCB_CLI_END) {
		switch (id) {
		case IPCB_CLI_ERROR:
			fail("%s (see ipcbench report --help)", errbuf);
			return 2;
		case IPCB_CLI_ARG:
			if (in) {
				fail("unexpected argument '%s'", val);
				return 2;
			}
			in = val;
			break;
		case 'h':
			report_usage(stdout);
			return 0;
		case 'o':
		case 'H':
		case 'F':
		case 'D':
			if (!*val) {
				fail("%s: empty %s", cli.typed,
				     id == 'F' ? "directory" : "file name");
				return 2;
			}
			*(id == 'o' ? &out : id == 'H' ? &html : id == 'D' ? &db : &figures) = val;
			break;
		case 'S':
			if (ipcb_slo_parse(val, "--slo", &slo, errbuf, sizeof(errbuf)) < 0) {
				fail("%s", errbuf);
				return 2;
			}
			if (!ipcb_report_slo_ok(&slo)) {
				fail("--slo %s: the CSV carries p50, p90, p99 and p99.9 only", val);
				return 2;
			}
			break;
		}
	}
	if (!in) {
		report_usage(stderr);
		return 2;
	}
	if (html && (rc = html_check(in, html, out)) != 0)
		return rc;
	if (db && !html) {
		fail("--db adds the trend figures to the HTML page: it goes with --html FILE");
		return 2;
	}
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
		free(r.srows);
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
			free(r.srows);
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
		free(r.srows);
		return 1;
	}
	small = size_or_nearest(&r, 64);
	mib = size_or_nearest(&r, 1048576);
	print_header(&r, in);
	/* The body first, into memory: the answers in brief go above it once they are known. */
	top = r.out;
	r.out = open_memstream(&body, &body_len);
	if (!r.out) {
		fail("%s", strerror(errno));
		r.out = top;
		status = 1;
	} else if (r.n) {
		print_floors(&r);
		print_rounds(&r);
		print_t1(&r, mib);
		print_ranking(&r, small, mib);
		print_t4(&r, small, mib);
		print_t5(&r, small, size_or_nearest(&r, 65536));
		print_rows_made_of(&r);
		print_claims(&r, mib);
		print_tuned(&r, mib);
		print_queues(&r, small, size_or_nearest(&r, 65536));
	} else {
		fprintf(r.out, "\nThe guides' tables and claims need rows of one sender and one "
			       "receiver in a closed loop (a run without --pairs, --inflight, "
			       "--topology, --rate or -m bistream): this CSV has none.\n");
	}
	/* After the claims (C14 reads across placements), or alone for a matrix's CSV. */
	if (r.out != top && (r.n || r.matrix) &&
	    ipcb_report_placement_sections(r.out, in, figures) < 0)
		status = 2;
	if (r.out != top) {
		if (fclose(r.out) != 0)
			status = 1;
		r.out = top;
		print_brief(&r);
		if (body && body_len)
			fwrite(body, 1, body_len, r.out);
		free(body);
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
			status = report_html(in, html, html_figures, md, md_len, db);
		free(md);
	}
	free(r.rows);
	free(r.srows);
	return status;
}
