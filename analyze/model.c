/* SPDX-License-Identifier: MIT */
/*
 * model.c - one CSV as groups of runs; see model.h.
 *
 * The story: read the rows (rows.h); give each row its group (what was measured, by every column
 * that names an experiment) and make it a run, or join it to its group's run of the same round
 * (a round trip's one-way delays come after the round trip); number the rounds densely; find the
 * machine's states at each placement from the probes beside the runs (two clusters, or one) and
 * set aside the runs measured in a passing state; read each group's reader, loans, zero-copy and
 * channel from its runs; check each run against the floors of its own round; summarise every
 * measure of every group once.
 */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "format.h"
#include "parse.h"
#include "slo.h"

/* A row faster than this share of its own probe's cache-line round trip ran elsewhere. */
#define BELOW_PROBE 0.8
/* A wake-up probe half or twice the placement's usual one found the machine in another state. */
#define WAKE_JUMP 2.0
/* A run beats a floor of its round when it is this far beyond it (each has its noise). */
#define FLOOR_SLACK 0.10
/* A loan's receiver that read fewer than this share of payloads in full read them in place. */
#define LOAN_FULL  0.9
#define GROUP_CONF 0.95

static const struct {
	const char *name;
	bool lower;
	char unit; /* 't' time, 'b' bytes/s, 'm' memory, 'r' msg/s, 'n' a count */
} measures[M_COUNT] = {
    [M_RTT] = {"round trip p50", true, 't'},
    [M_RTT99] = {"round trip p99", true, 't'},
    [M_RTT999] = {"round trip p99.9", true, 't'},
    [M_RTT90] = {"round trip p90", true, 't'},
    [M_RTT_MIN] = {"round trip minimum", true, 't'},
    [M_RTT_MAX] = {"round trip maximum", true, 't'},
    [M_AB] = {"one way p50", true, 't'},
    [M_BPS] = {"throughput", false, 'b'},
    [M_MSGS] = {"messages per second", false, 'r'},
    [M_CPU] = {"CPU per message", true, 't'},
    [M_SEND_CPU] = {"sender CPU per message", true, 't'},
    [M_BUFFER] = {"memory", true, 'm'},
    [M_SERVER] = {"server CPU per message", true, 't'},
    [M_SEND_CALL] = {"send call p50", true, 't'},
    [M_OW] = {"one way p50", true, 't'},
    [M_OW99] = {"one way p99", true, 't'},
    [M_OW999] = {"one way p99.9", true, 't'},
    [M_OW90] = {"one way p90", true, 't'},
    [M_SLOWEST] = {"one way to the slowest receiver p50", true, 't'},
    [M_LAST] = {"one way to the last receiver p50", true, 't'},
    [M_LAST99] = {"one way to the last receiver p99", true, 't'},
    [M_ACHIEVED] = {"achieved rate", false, 'r'},
    [M_LATE] = {"late sends", true, 'n'},
    [M_LOSSES] = {"messages lost", true, 'n'},
    [M_DELIVERIES] = {"deliveries per second", false, 'r'},
    [M_PAIR_MIN] = {"slowest pair", false, 'r'},
    [M_PAIR_MAX] = {"fastest pair", false, 'r'},
    [M_BPS_AB] = {"throughput one way", false, 'b'},
    [M_BPS_BA] = {"throughput the other way", false, 'b'},
    [M_SLO_RATE] = {"rate the bound held to", false, 'r'},
    [M_SRV_START] = {"server start-up", true, 't'},
    [M_SRV_RSS] = {"server memory", true, 'm'},
    [M_WAIT_CPU] = {"the waiting reader's CPU", true, 'p'},
};

bool measure_lower_better(enum measure m)
{
	return measures[m].lower;
}

const char *measure_name(enum measure m)
{
	return measures[m].name;
}

bool measure_latency(enum measure m)
{
	return m == M_RTT || m == M_RTT99 || m == M_RTT999 || m == M_RTT90 || m == M_RTT_MIN ||
	       m == M_RTT_MAX || m == M_AB || m == M_WAIT_CPU;
}

void measure_format(enum measure m, double v, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	switch (measures[m].unit) {
	case 'b':
		if (v >= 1e9)
			snprintf(out, n, "%.2f GB/s", v / 1e9);
		else if (v >= 1e6)
			snprintf(out, n, "%.1f MB/s", v / 1e6);
		else
			snprintf(out, n, "%.1f kB/s", v / 1e3);
		break;
	case 'm':
		if (v >= 1 << 20)
			snprintf(out, n, "%.1f MiB", v / (1 << 20));
		else if (v >= 1024)
			snprintf(out, n, "%.0f KiB", v / 1024);
		else
			snprintf(out, n, "%.0f B", v);
		break;
	case 'r': {
		char r[32];

		ipcb_format_rate(v, r, sizeof(r));
		snprintf(out, n, "%s msg/s", r);
		break;
	}
	case 'n':
		snprintf(out, n, "%.0f", v);
		break;
	case 'p':
		snprintf(out, n, v >= 0.095 ? "%.0f%% of a CPU" : "%.1f%% of a CPU", v * 100);
		break;
	default:
		ipcb_format_ns(v, out, n);
	}
}

void size_format(size_t bytes, char *out, size_t n)
{
	ipcb_format_size(bytes, out, n);
	if (bytes < 1024 || bytes % 1024)
		snprintf(out, n, "%zu B", bytes);
}

/* ---- reading ---------------------------------------------------------------------------- */

static const char *get(const struct model *m, size_t i, enum ipcb_csv_column c)
{
	return ipcb_rows_get(&m->rows, i, c);
}

/* Which measures a row's columns fill, by its latency kind. */
enum rowkind {
	RK_MAIN,    /* a run's own row: a round trip, a stream, a sweep's outcome */
	RK_AB,	    /* a round trip's one way, sender to receiver */
	RK_OW,	    /* a stream's one-way delays */
	RK_SLOWEST, /* a broadcast's, to its slowest receiver */
	RK_LAST,    /* and to the last receiver of each message */
	RK_CALL,    /* a send call's duration */
	RK_NONE,    /* not read here (send_lag, one_way_ba) */
};

static enum rowkind row_kind(const char *kind, const char *mode)
{
	static const struct {
		const char *kind;
		enum rowkind rk;
	} kinds[] = {
	    {"rtt", RK_MAIN},	   {"slo_rate", RK_MAIN},	    {"one_way_ab", RK_AB},
	    {"one_way", RK_OW},	   {"one_way_slowest", RK_SLOWEST}, {"one_way_last", RK_LAST},
	    {"send_call", RK_CALL}};

	if (!*kind)
		return strcmp(mode, "latency") == 0 ? RK_NONE : RK_MAIN;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].rk;
	return RK_NONE;
}

/*
 * The round a row belongs to. Without rounds (an older CSV) its repeat stands in for its
 * round when a verdict's stability is tested; such repeats ran back to back, so nothing
 * pairs them (see ratio.h). A row with neither, or a repeat out of range, is round 0.
 * The round itself was checked to be in range when it was read.
 */
static unsigned round_of(double round, double runno)
{
	if (!isnan(round))
		return (unsigned)round;
	return runno >= 0 && runno <= UINT32_MAX ? (unsigned)runno : 0;
}

static enum shape row_shape(const struct model *m, size_t i, double work)
{
	const char *pairs = get(m, i, IPCB_COL_PAIRS), *inflight = get(m, i, IPCB_COL_INFLIGHT);
	const char *topo = get(m, i, IPCB_COL_TOPOLOGY);

	if (*get(m, i, IPCB_COL_HOSTS_SLOT))
		return S_HOSTS;
	if (strcmp(get(m, i, IPCB_COL_PLACEMENT), "matrix") == 0)
		return S_MATRIX;
	if (strcmp(get(m, i, IPCB_COL_LATENCY_KIND), "slo_rate") == 0)
		return S_SWEEP;
	if (work > 0)
		return S_SLOW;
	if (strstr(topo, " all"))
		return S_BCAST;
	if (*get(m, i, IPCB_COL_OFFERED_RATE))
		return S_OPEN;
	if (strcmp(get(m, i, IPCB_COL_MODE), "bistream") == 0 || (*pairs && strcmp(pairs, "1")) ||
	    (*inflight && strcmp(inflight, "1")) || (*topo && strcmp(topo, "1:1")))
		return S_SHAPED;
	return S_PAIR;
}

/* "x2", "1:4", "k8", "poisson": the shape but the rate, as the driver's table shows it. */
static void shape_text(const struct model *m, size_t i, char *out, size_t n)
{
	const char *pairs = get(m, i, IPCB_COL_PAIRS), *topo = get(m, i, IPCB_COL_TOPOLOGY);
	const char *inflight = get(m, i, IPCB_COL_INFLIGHT), *arr = get(m, i, IPCB_COL_ARRIVALS);
	size_t len = 0;

	out[0] = '\0';
	if (*pairs && strcmp(pairs, "1"))
		len += (size_t)snprintf(out + len, n - len, "x%s", pairs);
	if (len < n && *topo && strcmp(topo, "1:1"))
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", topo);
	if (len < n && *inflight && strcmp(inflight, "1"))
		len += (size_t)snprintf(out + len, n - len, "%sk%s", len ? " " : "", inflight);
	if (len < n && *arr && strcmp(arr, "fixed"))
		snprintf(out + len, n - len, "%s%s", len ? " " : "", arr);
}

void *model_grow(void *p, size_t *cap, size_t n, size_t size)
{
	void *q;

	size_t want = *cap ? 2 * *cap : 64;

	if (n < *cap)
		return p;
	/* The capacity moves only with the memory: a failed grow leaves both as they were. */
	if ((q = realloc(p, want * size)))
		*cap = want;
	return q;
}

/* A string added to a growing array (*a, *n, *cap) unless it is there: 0, or -ENOMEM. */
static int note_str(const char ***a, size_t *n, size_t *cap, const char *s)
{
	const char **p;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*a)[i], s))
			return 0;
	if (!(p = model_grow(*a, cap, *n, sizeof(*p))))
		return -ENOMEM;
	*a = p;
	(*a)[(*n)++] = s;
	return 0;
}

/* A host's name among the model's, added the first time it is met. */
static int host_note(struct model *m, const char *name)
{
	return *name ? note_str(&m->hosts, &m->nhosts, &m->hosts_cap, name) : 0;
}

/* A host_pair row of --hosts: the pair, and its hosts. */
static int pair_note(struct model *m, size_t i)
{
	struct host_pair *p = realloc(m->pairs, (m->npairs + 1) * sizeof(*p));
	const char *to = get(m, i, IPCB_COL_PEER_HOST);

	if (!p)
		return -ENOMEM;
	m->pairs = p;
	p = &m->pairs[m->npairs++];
	p->from = get(m, i, IPCB_COL_HOST);
	p->to = *to ? to : p->from;
	p->slot = (unsigned)strtoul(get(m, i, IPCB_COL_HOSTS_SLOT), NULL, 10);
	p->error = get(m, i, IPCB_COL_ERROR);
	if (host_note(m, p->from) < 0 || host_note(m, p->to) < 0)
		return -ENOMEM;
	return 0;
}

/* The columns a report cannot do without. */
static const enum ipcb_csv_column required[] = {
    IPCB_COL_TRANSPORT, IPCB_COL_MODE, IPCB_COL_SIZE_BYTES, IPCB_COL_LATENCY_KIND,
    IPCB_COL_PLACEMENT, IPCB_COL_WAIT, IPCB_COL_P50_NS,	    IPCB_COL_BYTES_PER_S};

/* The numbers of row i that its kind puts into run r. */
static int row_values(struct model *m, size_t i, enum rowkind rk, struct run *r, char *err,
		      size_t errlen)
{
	static const struct {
		enum rowkind rk;
		enum ipcb_csv_column col;
		enum measure ms;
	} fill[] = {
	    {RK_MAIN, IPCB_COL_BYTES_PER_S, M_BPS},
	    {RK_MAIN, IPCB_COL_MSGS_PER_S, M_MSGS},
	    {RK_MAIN, IPCB_COL_BUFFER_BYTES, M_BUFFER},
	    {RK_MAIN, IPCB_COL_SERVER_CPU_NS_PER_MSG, M_SERVER},
	    {RK_MAIN, IPCB_COL_ACHIEVED_RATE, M_ACHIEVED},
	    {RK_MAIN, IPCB_COL_LATE, M_LATE},
	    {RK_MAIN, IPCB_COL_LOSSES, M_LOSSES},
	    {RK_MAIN, IPCB_COL_DELIVERIES_PER_S, M_DELIVERIES},
	    {RK_MAIN, IPCB_COL_PAIR_MIN_MSGS_PER_S, M_PAIR_MIN},
	    {RK_MAIN, IPCB_COL_PAIR_MAX_MSGS_PER_S, M_PAIR_MAX},
	    {RK_MAIN, IPCB_COL_BYTES_PER_S_AB, M_BPS_AB},
	    {RK_MAIN, IPCB_COL_BYTES_PER_S_BA, M_BPS_BA},
	    {RK_AB, IPCB_COL_P50_NS, M_AB},
	    {RK_OW, IPCB_COL_P50_NS, M_OW},
	    {RK_OW, IPCB_COL_P99_NS, M_OW99},
	    {RK_OW, IPCB_COL_P999_NS, M_OW999},
	    {RK_OW, IPCB_COL_P90_NS, M_OW90},
	    {RK_SLOWEST, IPCB_COL_P50_NS, M_SLOWEST},
	    {RK_LAST, IPCB_COL_P50_NS, M_LAST},
	    {RK_LAST, IPCB_COL_P99_NS, M_LAST99},
	    {RK_CALL, IPCB_COL_P50_NS, M_SEND_CALL},
	    {RK_MAIN, IPCB_COL_SERVER_START_MS, M_SRV_START},
	    {RK_MAIN, IPCB_COL_SERVER_RSS_BYTES, M_SRV_RSS},
	};
	double s = NAN, rv = NAN, x;
	bool lat = strcmp(get(m, i, IPCB_COL_MODE), "latency") == 0;
	int rc = 0;

	for (size_t k = 0; k < sizeof(fill) / sizeof(fill[0]) && !rc; k++)
		if (fill[k].rk == rk &&
		    !(rc = ipcb_rows_num(&m->rows, i, fill[k].col, true, &x, err, errlen)) &&
		    !isnan(x))
			r->v[fill[k].ms] = x;
	if (rc || rk != RK_MAIN)
		return rc;
	r->v[M_SRV_START] *= 1e6; /* the column is in ms, every time here in ns */
	if (lat) {
		static const struct {
			enum ipcb_csv_column col;
			enum measure ms;
		} p[] = {{IPCB_COL_P50_NS, M_RTT},     {IPCB_COL_P99_NS, M_RTT99},
			 {IPCB_COL_P999_NS, M_RTT999}, {IPCB_COL_P90_NS, M_RTT90},
			 {IPCB_COL_MIN_NS, M_RTT_MIN}, {IPCB_COL_MAX_NS, M_RTT_MAX}};

		for (size_t k = 0; k < sizeof(p) / sizeof(p[0]) && !rc; k++)
			rc =
			    ipcb_rows_num(&m->rows, i, p[k].col, true, &r->v[p[k].ms], err, errlen);
		r->v[M_BPS] = NAN; /* a round trip's rate is not a stream's */
	}
	if (!rc)
		rc = ipcb_rows_num(&m->rows, i, IPCB_COL_SENDER_CPU_NS_PER_MSG, true, &s, err,
				   errlen);
	if (!rc)
		rc = ipcb_rows_num(&m->rows, i, IPCB_COL_RECEIVER_CPU_NS_PER_MSG, true, &rv, err,
				   errlen);
	r->v[M_CPU] = s + rv;
	r->v[M_SEND_CPU] = s;
	/* CPU per round trip times round trips per second: the CPU it kept busy, waiting. */
	if (lat && rv >= 0 && r->v[M_MSGS] > 0)
		r->v[M_WAIT_CPU] = rv * r->v[M_MSGS] / 1e9;
	return rc;
}

/* The run attributes of a main row. */
static int run_fill(struct model *m, size_t i, struct run *r, char *err, size_t errlen)
{
	static const struct {
		enum ipcb_csv_column col;
		size_t off;
	} nums[] = {
	    {IPCB_COL_MESSAGES, offsetof(struct run, messages)},
	    {IPCB_COL_CTX_SWITCHES_PER_MSG, offsetof(struct run, ctx)},
	    {IPCB_COL_RUN_SPREAD, offsetof(struct run, run_spread)},
	    {IPCB_COL_ZEROCOPY_COPIED, offsetof(struct run, zc_copied)},
	    {IPCB_COL_SEGMENTS_PER_MSG, offsetof(struct run, segs)},
	    {IPCB_COL_PROBE_CACHELINE_NS, offsetof(struct run, probe_cl)},
	    {IPCB_COL_PROBE_CACHELINE_AFTER_NS, offsetof(struct run, probe_cl_after)},
	    {IPCB_COL_PROBE_WAKEUP_NS, offsetof(struct run, probe_wk)},
	    {IPCB_COL_OFFERED_RATE, offsetof(struct run, offered)},
	    {IPCB_COL_OFFERED_FRACTION, offsetof(struct run, fraction)},
	};
	double full = NAN, cpu;
	int rc = 0;

	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]) && !rc; k++)
		rc = ipcb_rows_num(&m->rows, i, nums[k].col, true,
				   (double *)((char *)r + nums[k].off), err, errlen);
	if (!rc)
		rc = ipcb_rows_num(&m->rows, i, IPCB_COL_FULL_CHECKS, true, &full, err, errlen);
	r->full_share = r->messages > 0 ? full / r->messages : NAN;
	for (int k = 0; k < 2 && !rc; k++) {
		rc = ipcb_rows_num(&m->rows, i, k ? IPCB_COL_RECEIVER_CPU : IPCB_COL_SENDER_CPU,
				   true, &cpu, err, errlen);
		r->cpu[k] = isnan(cpu) || cpu > 1e6 ? -1 : (int)cpu;
	}
	/* Older files say how many zero-copy sends were copied only in the channel's words. */
	if (!rc && isnan(r->zc_copied)) {
		const char *ch = strstr(get(m, i, IPCB_COL_CHANNEL), "MSG_ZEROCOPY: ");
		unsigned long copied, of;

		if (ch && sscanf(ch, "MSG_ZEROCOPY: %lu of %lu sends copied", &copied, &of) == 2 &&
		    of > 0)
			r->zc_copied = (double)copied / (double)of;
	}
	snprintf(r->flag, sizeof(r->flag), "%s", get(m, i, IPCB_COL_STATE));
	r->line = ipcb_rows_line(&m->rows, i);
	return rc;
}

/* A transport's label: its name, with the setting that sets its rows apart (see below). */
struct labeling {
	bool varies;	     /* its options vary in a file without a tuning column */
	const char *defwait; /* the wait its plain label stands for */
};

static void row_label(const struct model *m, size_t i, const struct labeling *lb, char *out,
		      size_t n)
{
	const char *t = get(m, i, IPCB_COL_TRANSPORT), *w = get(m, i, IPCB_COL_WAIT);
	const char *tuning = get(m, i, IPCB_COL_TUNING), *opts = get(m, i, IPCB_COL_OPTIONS);
	size_t len = (size_t)snprintf(out, n, "%s", t);

	if (*tuning && len < n)
		len += (size_t)snprintf(out + len, n - len, " %s", tuning);
	else if (lb && lb->varies && *opts && len < n)
		len += (size_t)snprintf(out + len, n - len, " %s", opts);
	if (lb && lb->defwait && strcmp(w, lb->defwait) && len < n)
		snprintf(out + len, n - len, " wait=%s", w);
}

int model_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int model_cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

size_t model_sort_uniq(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t k = 0;

	/* Fewer than two are sorted and unique already (and an empty list may have no array). */
	if (n < 2)
		return n;
	qsort(base, n, size, cmp);
	for (size_t i = 0; i < n; i++)
		if (!k || cmp(b + (k - 1) * size, b + i * size))
			memmove(b + k++ * size, b + i * size, size);
	return k;
}

/*
 * Labels: a transport run with several option sets in a file without a tuning column is named
 * with its options ("mqtt qos=1"); one run with several wait strategies keeps its plain name for
 * its default (hybrid where it has it) and is named with the others ("shm wait=spin").
 */
static int labelings(struct model *m, const char ***names, struct labeling **lbs, size_t *n)
{
	const char **t = malloc((m->rows.n + 1) * sizeof(*t));
	size_t k = 0;

	*names = t;
	*lbs = NULL;
	*n = 0;
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < m->rows.n; i++)
		t[k++] = get(m, i, IPCB_COL_TRANSPORT);
	*n = model_sort_uniq(t, k, sizeof(*t), model_cmp_str);
	*lbs = calloc(*n + 1, sizeof(**lbs));
	if (!*lbs)
		return -ENOMEM;
	for (size_t i = 0; i < m->rows.n; i++) {
		const char *tr = get(m, i, IPCB_COL_TRANSPORT), *w = get(m, i, IPCB_COL_WAIT);
		const char **at = bsearch(&tr, t, *n, sizeof(*t), model_cmp_str);
		struct labeling *lb = &(*lbs)[at - t];

		if (!m->has_tuning && *get(m, i, IPCB_COL_OPTIONS) && !lb->varies)
			for (size_t j = 0; j < m->rows.n && !lb->varies; j++)
				lb->varies = !strcmp(get(m, j, IPCB_COL_TRANSPORT), tr) &&
					     strcmp(get(m, j, IPCB_COL_OPTIONS),
						    get(m, i, IPCB_COL_OPTIONS));
		if (!*w || !strcmp(w, "-"))
			continue;
		if (!lb->defwait || (strcmp(lb->defwait, w) && !strcmp(w, "hybrid")))
			lb->defwait = w;
	}
	return 0;
}

static const char *const placement_order[] = {"cross-core", "same-core", "unpinned",	"smt",
					      "llc",	    "node",	 "remote-node", "two-host"};

static int placement_rank(const char *pl)
{
	for (size_t i = 0; i < sizeof(placement_order) / sizeof(placement_order[0]); i++)
		if (!strcmp(placement_order[i], pl))
			return (int)i;
	return 100;
}

static int placement_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx = placement_rank(x), ry = placement_rank(y);

	return rx != ry ? rx - ry : strcmp(x, y);
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Number the rounds 1, 2, ... in their order, whatever numbers they were written with. */
static int rounds_number(struct model *m)
{
	unsigned *ids = malloc((m->nruns + 1) * sizeof(*ids));
	size_t n = 0, k;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < m->nruns; i++)
		if (m->runs[i].round_no)
			ids[n++] = m->runs[i].round_no;
	k = model_sort_uniq(ids, n, sizeof(*ids), model_cmp_uint);
	for (size_t i = 0; i < m->nruns; i++) {
		unsigned *at = m->runs[i].round_no ? bsearch(&m->runs[i].round_no, ids, k,
							     sizeof(*ids), model_cmp_uint)
						   : NULL;

		m->runs[i].round = at ? (unsigned)(at - ids) + 1 : 0;
	}
	m->nrounds = (unsigned)k;
	free(ids);
	return 0;
}

static int read_rows(struct model *m, char *err, size_t errlen)
{
	struct experiments keys = {0};
	const char **tnames = NULL;
	struct labeling *lbs = NULL;
	size_t ntn = 0, gcap = 0, rcap = 0, keycap = 0;
	char *key = NULL, label[112];
	int rc;

	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (!m->rows.has[required[k]])
			return ipcb_parse_fail(err, errlen, "%s:1: missing column %s", m->rows.name,
					       ipcb_csv_name(required[k]));
	m->has_paths = m->rows.has[IPCB_COL_DATA_PATH];
	m->paired = m->rows.has[IPCB_COL_ROUND];
	m->has_tuning = m->rows.has[IPCB_COL_TUNING];
	rc = labelings(m, &tnames, &lbs, &ntn);
	for (size_t i = 0; i < m->rows.n && !rc; i++) {
		const char *tr = get(m, i, IPCB_COL_TRANSPORT);
		const char *mode = get(m, i, IPCB_COL_MODE);
		enum rowkind rk = row_kind(get(m, i, IPCB_COL_LATENCY_KIND), mode);
		const char **at = bsearch(&tr, tnames, ntn, sizeof(*tnames), model_cmp_str);
		double size, work = 0, round = NAN, runno = NAN;
		struct group *g;
		struct run *r;
		size_t gi;
		bool fresh;

		if (strcmp(get(m, i, IPCB_COL_LATENCY_KIND), "host_pair") == 0) {
			rc = pair_note(m, i);
			continue;
		}
		if ((rc = ipcb_rows_num(&m->rows, i, IPCB_COL_SIZE_BYTES, true, &size, err,
					errlen)) ||
		    (rc = ipcb_rows_num(&m->rows, i, IPCB_COL_RECEIVER_WORK_NS, true, &work, err,
					errlen)) ||
		    (rc = ipcb_rows_num(&m->rows, i, IPCB_COL_ROUND, true, &round, err, errlen)) ||
		    (rc = ipcb_rows_num(&m->rows, i, IPCB_COL_RUN, true, &runno, err, errlen)))
			break;
		if (!(size >= 1 && size <= 1e15)) {
			rc = ipcb_parse_fail(err, errlen, "%s:%lu: column %s: '%s' is not a size",
					     m->rows.name, ipcb_rows_line(&m->rows, i),
					     ipcb_csv_name(IPCB_COL_SIZE_BYTES),
					     get(m, i, IPCB_COL_SIZE_BYTES));
			break;
		}
		if (!isnan(round) && !(round >= 0 && round <= UINT32_MAX)) {
			rc = ipcb_parse_fail(err, errlen, "%s:%lu: column %s: '%s' is not a round",
					     m->rows.name, ipcb_rows_line(&m->rows, i),
					     ipcb_csv_name(IPCB_COL_ROUND),
					     get(m, i, IPCB_COL_ROUND));
			break;
		}
		if (rk == RK_NONE || !*tr)
			continue;
		row_label(m, i, at ? &lbs[at - tnames] : NULL, label, sizeof(label));
		if ((rc = experiment_key(&m->rows, i, EXP_ONE_FILE, &key, &keycap)) < 0 ||
		    (rc = experiments_find(&keys, key, &gi, &fresh)) < 0)
			break;
		if (fresh) {
			void *p = model_grow(m->groups, &gcap, m->ngroups, sizeof(*m->groups));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			m->groups = p;
			g = &m->groups[m->ngroups++];
			memset(g, 0, sizeof(*g));
			snprintf(g->label, sizeof(g->label), "%s", label);
			g->transport = tr;
			g->tuning = get(m, i, IPCB_COL_TUNING);
			g->options = get(m, i, IPCB_COL_OPTIONS);
			g->wait = get(m, i, IPCB_COL_WAIT);
			g->placement = get(m, i, IPCB_COL_PLACEMENT);
			g->mode = mode;
			g->hops = get(m, i, IPCB_COL_HOPS);
			g->path = get(m, i, IPCB_COL_DATA_PATH);
			g->rides_on = get(m, i, IPCB_COL_RIDES_ON);
			g->channel = get(m, i, IPCB_COL_CHANNEL);
			g->library = get(m, i, IPCB_COL_LIBRARY);
			g->topology = get(m, i, IPCB_COL_TOPOLOGY);
			g->topo = get(m, i, IPCB_COL_CPU_TOPOLOGY);
			g->host = get(m, i, IPCB_COL_HOST);
			g->peer_host = *get(m, i, IPCB_COL_PEER_HOST)
					   ? get(m, i, IPCB_COL_PEER_HOST)
					   : g->host;
			g->hosts_slot = (unsigned)strtoul(get(m, i, IPCB_COL_HOSTS_SLOT), NULL, 10);
			g->size = (size_t)size;
			g->shape = row_shape(m, i, work);
			shape_text(m, i, g->shape_text, sizeof(g->shape_text));
			g->work_ns = isnan(work) ? 0 : work;
			g->latency = strcmp(mode, "latency") == 0;
			g->floor = !strcmp(tr, "null") || !strncmp(tr, "floor-", 6);
			g->framework = *g->library != '\0';
			g->page_cache = !strcmp(g->path, "page-cache") &&
					!(atof(get(m, i, IPCB_COL_FSYNC)) > 0);
			g->offered = g->fraction = NAN;
			if (ipcb_rows_num(&m->rows, i, IPCB_COL_OFFERED_RATE, true, &g->offered,
					  err, errlen) ||
			    ipcb_rows_num(&m->rows, i, IPCB_COL_OFFERED_FRACTION, true,
					  &g->fraction, err, errlen)) {
				rc = -EINVAL;
				break;
			}
			if (strstr(g->topology, " all") && strchr(g->topology, ':'))
				g->receivers =
				    (unsigned)strtoul(strchr(g->topology, ':') + 1, NULL, 10);
			/* A pair of hosts is the hosts' section's alone, not a placement's. */
			if (g->shape == S_HOSTS)
				rc = host_note(m, g->host) ?: host_note(m, g->peer_host);
			else
				rc = note_str(&m->placements, &m->nplacements, &m->placements_cap,
					      g->placement);
			if (rc)
				break;
		}
		g = &m->groups[gi];
		/* A run's other rows join it: the group's last run, of the same round. */
		r = g->nruns ? &m->runs[g->runs[g->nruns - 1]] : NULL;
		if (rk == RK_MAIN || !r || r->round_no != round_of(round, runno) ||
		    (r->line && !isnan(r->v[rk == RK_AB	    ? M_AB
					    : rk == RK_CALL ? M_SEND_CALL
							    : M_OW]))) {
			size_t *rp = model_grow(g->runs, &g->runs_cap, g->nruns, sizeof(*g->runs));
			void *p = model_grow(m->runs, &rcap, m->nruns, sizeof(*m->runs));

			if (p)
				m->runs = p;
			if (rp)
				g->runs = rp;
			if (!p || !rp) {
				rc = -ENOMEM;
				break;
			}
			r = &m->runs[m->nruns];
			memset(r, 0, sizeof(*r));
			for (int k = 0; k < M_COUNT; k++)
				r->v[k] = NAN;
			r->group = gi;
			r->state = -1;
			r->round_no = round_of(round, runno);
			g->runs[g->nruns++] = m->nruns++;
			if ((rc = run_fill(m, i, r, err, errlen)))
				break;
			if (rk != RK_MAIN)
				r->line = 0; /* only a main row says where the run is */
		}
		rc = row_values(m, i, rk, r, err, errlen);
	}
	experiments_free(&keys);
	free(key);
	free(tnames);
	free(lbs);
	if (rc == -ENOMEM)
		return ipcb_parse_fail(err, errlen, "%s: out of memory", m->rows.name), -ENOMEM;
	if (!rc && !m->nruns && !m->npairs)
		return ipcb_parse_fail(err, errlen, "%s: no measured rows", m->rows.name);
	if (!rc)
		m->has_paths = m->has_paths && m->rows.n;
	return rc;
}

/* ---- the machine's state ------------------------------------------------------------------ */

static size_t place_of(const struct model *m, const char *pl)
{
	for (size_t p = 0; p < m->nplacements; p++)
		if (!strcmp(m->placements[p], pl))
			return p;
	return 0;
}

/*
 * The states of each placement from its cache-line probes (two clusters, or one: stats.h), the
 * usual one (most runs) numbered 0; then each run's state and what flags it.
 */
static int states_find(struct model *m)
{
	double *v = malloc((m->nruns + 1) * sizeof(*v)), *w = malloc((m->nruns + 1) * sizeof(*w));

	m->place = calloc(m->nplacements + 1, sizeof(*m->place));
	if (!v || !w || !m->place) {
		free(v);
		free(w);
		return -ENOMEM;
	}
	for (size_t p = 0; p < m->nplacements; p++) {
		size_t n = 0, nw = 0;

		m->place[p].placement = m->placements[p];
		m->place[p].wakeup = NAN;
		memset(&m->place[p].states, 0, sizeof(m->place[p].states));
		for (size_t i = 0; i < m->nruns; i++) {
			const struct run *r = &m->runs[i];

			if (strcmp(m->groups[r->group].placement, m->placements[p]))
				continue;
			if (r->probe_cl > 0)
				v[n++] = r->probe_cl;
			if (r->probe_wk > 0)
				w[nw++] = r->probe_wk;
		}
		m->place[p].probed = n;
		if (n && ipcb_states_find(v, n, &m->place[p].states) < 0)
			m->place[p].states.n = 0;
		/* The usual state first. */
		if (m->place[p].states.n == 2 &&
		    m->place[p].states.count[1] > m->place[p].states.count[0]) {
			struct ipcb_states *s = &m->place[p].states;
			size_t c = s->count[0];
			double med = s->median[0];

			s->count[0] = s->count[1], s->count[1] = c;
			s->median[0] = s->median[1], s->median[1] = med;
			s->separation = -s->separation; /* the usual state is the upper one */
		}
		if (nw)
			ipcb_stats_median(w, nw, &m->place[p].wakeup);
	}
	free(v);
	free(w);
	return 0;
}

/* The state a cache-line probe of placement p says: 0 the usual, 1 the other, -1 none. */
static int state_of(const struct model *m, size_t p, double probe)
{
	const struct ipcb_states *s = &m->place[p].states;
	bool low;

	if (!(probe > 0) || !s->n)
		return -1;
	if (s->n == 1)
		return 0;
	low = probe < s->threshold;
	/* separation < 0: the usual state is the upper cluster (see states_find). */
	return s->separation >= 0 ? !low : low;
}

static void flag_add(struct run *r, const char *what)
{
	size_t len = strlen(r->flag);

	if (strstr(r->flag, what))
		return;
	snprintf(r->flag + len, sizeof(r->flag) - len, "%s%s", len ? ";" : "", what);
}

/*
 * The runs measured in a passing state of the machine, set aside while their group keeps at
 * least half of its runs: another state than the placement's usual one (other-state), a probe
 * after the run in another state than before (state-changed), a wake-up probe half or twice the
 * usual (probe-jump), or a round trip faster than its own cache-line probe allows (below-floor:
 * the sides were not on the CPUs the probe measured). The driver's own flags are judged again on
 * the whole file here.
 */
static void set_aside(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];
		size_t p = place_of(m, g->placement), flagged = 0, in[2] = {0, 0};

		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];
			double wk = m->place[p].wakeup;
			int after = state_of(m, p, r->probe_cl_after);

			r->flag[0] = '\0';
			r->state = state_of(m, p, r->probe_cl);
			if (r->state == 1)
				flag_add(r, "other-state");
			if (r->state >= 0 && after >= 0 && after != r->state)
				flag_add(r, "state-changed");
			if (r->probe_wk > 0 && wk > 0 &&
			    (r->probe_wk >= WAKE_JUMP * wk || r->probe_wk * WAKE_JUMP <= wk))
				flag_add(r, "probe-jump");
			if (g->latency && !g->floor && !strcmp(g->placement, "cross-core") &&
			    r->v[M_RTT] < BELOW_PROBE * r->probe_cl)
				flag_add(r, "below-floor");
			flagged += r->flag[0] != '\0';
		}
		g->kept = g->nruns;
		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];

			r->aside = r->flag[0] && 2 * (g->nruns - flagged) >= g->nruns;
			g->kept -= r->aside;
			m->flagged += r->aside;
			if (!r->aside && r->state >= 0)
				in[r->state]++;
		}
		/* A group measured in one state says so; one in both, or unprobed, is -1. */
		g->state = in[0] && !in[1] ? 0 : in[1] && !in[0] ? 1 : -1;
	}
}

/* ---- what the groups say about themselves ------------------------------------------------ */

static int pair_cmp_key(const struct group *a, const char *label, const char *pl, size_t size,
			bool latency)
{
	int c = strcmp(a->label, label);

	if (!c)
		c = strcmp(a->placement, pl);
	if (!c)
		c = a->size < size ? -1 : a->size > size;
	if (!c)
		c = (int)a->latency - (int)latency;
	return c;
}

static const struct model *sort_model; /* for index_cmp: one sort at a time */

static int index_cmp(const void *a, const void *b)
{
	const struct group *x = &sort_model->groups[*(const size_t *)a];
	const struct group *y = &sort_model->groups[*(const size_t *)b];

	return pair_cmp_key(x, y->label, y->placement, y->size, y->latency);
}

const struct group *model_pair(const struct model *m, const char *label, const char *pl,
			       size_t size, bool latency)
{
	size_t lo = 0, hi = m->nindex;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pair_cmp_key(&m->groups[m->index[mid]], label, pl, size, latency);

		if (!c)
			return &m->groups[m->index[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct group *model_find(const struct model *m, const char *label, const char *pl,
			       size_t size, enum measure ms)
{
	return model_pair(m, label, pl, size, measure_latency(ms));
}

const struct group *model_label_group(const struct model *m, const char *label)
{
	for (size_t i = 0; i < m->nindex; i++)
		if (!strcmp(m->groups[m->index[i]].label, label))
			return &m->groups[m->index[i]];
	return NULL;
}

void model_step(const struct model *m, const struct group *g, struct step *st)
{
	double *v = malloc(3 * (g->nruns + 1) * sizeof(*v));
	double *off = v, *ach = v ? v + g->nruns + 1 : NULL, *late = v ? ach + g->nruns + 1 : NULL;
	size_t n = 0;

	st->offered = st->achieved = st->late_share = NAN;
	st->runs = 0;
	st->kept = false;
	for (size_t k = 0; v && k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];

		/* No send late is a share of 0 whatever the count of messages. */
		if (r->aside || isnan(r->offered) || isnan(r->v[M_ACHIEVED]) ||
		    isnan(r->v[M_LATE]) || (r->v[M_LATE] > 0 && !(r->messages > 0)))
			continue;
		off[n] = r->offered;
		ach[n] = r->v[M_ACHIEVED];
		late[n] = r->v[M_LATE] > 0 ? r->v[M_LATE] / r->messages : 0;
		n++;
	}
	if (n) {
		ipcb_stats_median(off, n, &st->offered);
		ipcb_stats_median(ach, n, &st->achieved);
		ipcb_stats_median(late, n, &st->late_share);
		st->runs = n;
		st->kept = ipcb_step_kept(st->late_share, 1, st->achieved, st->offered);
	}
	free(v);
}

double model_run_median(const struct model *m, const struct group *g, size_t off, bool all)
{
	double *v = malloc((g->nruns + 1) * sizeof(*v)), med = NAN;
	size_t n = 0;

	for (size_t k = 0; v && k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];
		double x = *(const double *)((const char *)r + off);

		if ((all || !r->aside) && !isnan(x))
			v[n++] = x;
	}
	if (n)
		ipcb_stats_median(v, n, &med);
	free(v);
	return med;
}

/*
 * How a group's reader waited, from its own rows' counters, for round trips and streams alike
 * and whatever its wait is called (CLAIMS.md): a round trip between two sleeping sides costs at
 * least two context switches, so one with fewer than MODEL_POLL_CTX per message never slept,
 * and a stream whose reader found its messages waiting slept as rarely. A group whose kept runs
 * fell on both sides of the line is neither: its class is unclear, and it says so.
 */
static void readers(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];

		g->ctx = model_run_median(m, g, offsetof(struct run, ctx), false);
		g->ctx_polled = g->ctx_slept = 0;
		for (size_t k = 0; k < g->nruns; k++) {
			const struct run *r = &m->runs[g->runs[k]];

			if (r->aside || isnan(r->ctx))
				continue;
			if (r->ctx < MODEL_POLL_CTX)
				g->ctx_polled++;
			else
				g->ctx_slept++;
		}
		m->has_ctx |= !isnan(g->ctx);
		if (g->ctx_polled && g->ctx_slept)
			g->reader = R_UNCLEAR;
		else if (g->ctx_polled)
			g->reader = R_POLLS;
		else if (g->ctx_slept)
			g->reader = R_SLEEPS;
		else
			g->reader = R_UNKNOWN;
	}
}

const char *model_reader_name(enum reader r)
{
	return r == R_POLLS	? "polls"
	       : r == R_SLEEPS	? "sleeps"
	       : r == R_UNCLEAR ? "polled and slept"
				: "not counted";
}

static void attributes(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];

		g->zerocopy = !strncmp(g->channel, "zerocopy; ", 10);
		g->full_share = model_run_median(m, g, offsetof(struct run, full_share), false);
		g->zc_copied = model_run_median(m, g, offsetof(struct run, zc_copied), false);
		g->segs = model_run_median(m, g, offsetof(struct run, segs), false);
		/* A loan: the receiver read the payload where the sender built it. */
		g->loan = g->zerocopy && !strcmp(g->path, "shared-memory") &&
			  !(g->full_share >= LOAN_FULL);
	}
}

/*
 * The floor of round `round` at placement pl and size, of measure ms, measured in the machine's
 * state `state` (a floor bounds the runs of its own state); NAN when none.
 */
static double floor_of(const struct model *m, const char *floor, const char *pl, size_t size,
		       unsigned round, int state, enum measure ms)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (!g->floor || g->size != size || strcmp(g->transport, floor) ||
		    strcmp(g->placement, pl) || g->shape != S_PAIR)
			continue;
		for (size_t k = 0; k < g->nruns; k++) {
			const struct run *r = &m->runs[g->runs[k]];

			if (r->round == round && r->state == state && !isnan(r->v[ms]))
				return r->v[ms];
		}
	}
	return NAN;
}

/*
 * Each run against the floors measured in its own round, where they bound it: every round trip
 * the harness's own (null), a polling reader's the cache-line and mailbox round trips, a
 * sleeping reader's the futex wake-up round trip, and a stream that copies every byte the copy
 * its placement allows. A run beyond one by more than FLOOR_SLACK is flagged with both numbers:
 * the floor is not a floor for it, or the run did less than it says.
 */
static void floors_check(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];
		bool cross = !strcmp(g->placement, "cross-core");

		if (g->floor || g->shape != S_PAIR)
			continue;
		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];
			const struct {
				const char *floor;
				size_t size;
				enum measure ms;
				bool applies, ceiling;
			} tries[] = {
			    {"null", g->size, M_RTT, g->latency, false},
			    {"floor-cacheline", 64, M_RTT,
			     g->latency && cross && g->reader == R_POLLS, false},
			    {"floor-mailbox", g->size, M_RTT, g->latency && g->reader == R_POLLS,
			     false},
			    {"floor-futex", 64, M_RTT, g->latency && g->reader == R_SLEEPS, false},
			    {cross ? "floor-xcopy" : "floor-memcpy", g->size, M_BPS,
			     !g->latency && !g->loan, true},
			};

			if (!r->round)
				continue;
			for (size_t t = 0; t < sizeof(tries) / sizeof(tries[0]) && !r->beat; t++) {
				double f, x = r->v[tries[t].ms];

				if (!tries[t].applies || isnan(x))
					continue;
				f = floor_of(m, tries[t].floor, g->placement, tries[t].size,
					     r->round, r->state, tries[t].ms);
				if (isnan(f) || (tries[t].ceiling ? x <= (1 + FLOOR_SLACK) * f
								  : x >= (1 - FLOOR_SLACK) * f))
					continue;
				r->beat = tries[t].floor;
				r->beat_floor = f;
				m->beaten++;
			}
		}
	}
}

/* ---- summaries ---------------------------------------------------------------------------- */

/* The columns that can tell modes apart: what a run did, and the state it ran in. */
static const struct {
	const char *name;
	size_t off;
} explainers[] = {
    {"ctx/msg", offsetof(struct run, ctx)},
    {"wake-up probe (ns)", offsetof(struct run, probe_wk)},
    {"cache-line probe (ns)", offsetof(struct run, probe_cl)},
};

/* Which column separates the modes: its values in each mode lie apart from the next mode's. */
static void modes_told(const struct model *m, const struct group *g, enum measure ms,
		       struct summary *s)
{
	double best = 0;

	for (size_t e = 0; e < sizeof(explainers) / sizeof(explainers[0]); e++) {
		double lo[IPCB_MODES_MAX], hi[IPCB_MODES_MAX], med[IPCB_MODES_MAX];
		double *v = malloc((g->nruns + 1) * sizeof(*v));
		bool apart = v != NULL;

		for (size_t k = 0; k < s->modes.n && apart; k++) {
			size_t nv = 0;

			for (size_t i = 0; i < g->nruns && apart; i++) {
				const struct run *r = &m->runs[g->runs[i]];
				double x = *(const double *)((const char *)r + explainers[e].off);

				if (r->aside || isnan(r->v[ms]) || r->v[ms] < s->modes.lo[k] ||
				    r->v[ms] > s->modes.hi[k])
					continue;
				apart = !isnan(x);
				v[nv++] = x;
			}
			if (!apart || !nv || ipcb_stats_median(v, nv, &med[k]) < 0) {
				apart = false;
				break;
			}
			lo[k] = hi[k] = v[0];
			for (size_t i = 1; i < nv; i++) {
				lo[k] = fmin(lo[k], v[i]);
				hi[k] = fmax(hi[k], v[i]);
			}
		}
		for (size_t k = 1; k < s->modes.n && apart; k++)
			apart = hi[k - 1] < lo[k] || lo[k - 1] > hi[k];
		if (apart) {
			double sep =
			    fabs(log(fmax(med[s->modes.n - 1], 1e-9) / fmax(med[0], 1e-9)));

			if (sep > best) {
				best = sep;
				s->told_by = explainers[e].name;
				memcpy(s->told, med, sizeof(s->told));
			}
		}
		free(v);
	}
}

static void summarise(const struct model *m, const struct group *g, enum measure ms,
		      struct summary *s, double *v, double *w, double *st)
{
	size_t n = 0, nw = 0, ns[2] = {0, 0};
	double conf;

	memset(s, 0, sizeof(*s));
	s->median = s->lo = s->hi = s->between = s->within = NAN;
	s->state_median[0] = s->state_median[1] = NAN;
	for (size_t k = 0; k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];

		if (isnan(r->v[ms]))
			continue;
		if (r->state >= 0)
			ns[r->state]++;
		if (r->aside)
			continue;
		v[n++] = r->v[ms];
		if (!isnan(r->run_spread) && g->latency)
			w[nw++] = r->run_spread;
	}
	s->n = n;
	if (!n)
		return;
	ipcb_stats_median(v, n, &s->median);
	ipcb_median_ci(v, n, GROUP_CONF, &s->lo, &s->hi, &conf);
	if (n >= 3 && ipcb_stats_spread(v, n, &s->between) < 0)
		s->between = NAN;
	if (nw)
		ipcb_stats_median(w, nw, &s->within);
	s->modes.n = 1;
	s->modes.count[0] = n;
	s->modes.median[0] = s->median;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0))
			goto states; /* a 0 has no log: one mode */
	if (ipcb_modes_find(v, n, &s->modes) < 0)
		s->modes.n = 1;
	if (s->modes.n > 1)
		modes_told(m, g, ms, s);
states:
	/* Runs in both states of the machine (kept or not): each state's median. */
	if (!ns[0] || !ns[1])
		return;
	for (int k = 0; k < 2; k++) {
		size_t c = 0;

		for (size_t i = 0; i < g->nruns; i++) {
			const struct run *r = &m->runs[g->runs[i]];

			if (!isnan(r->v[ms]) && r->state == k)
				st[c++] = r->v[ms];
		}
		s->state_n[k] = c;
		ipcb_stats_median(st, c, &s->state_median[k]);
	}
}

static int summaries(struct model *m)
{
	size_t most = 1;
	double *v, *w, *st;

	for (size_t gi = 0; gi < m->ngroups; gi++)
		most = m->groups[gi].nruns > most ? m->groups[gi].nruns : most;
	v = malloc(most * sizeof(*v));
	w = malloc(most * sizeof(*w));
	st = malloc(most * sizeof(*st));
	if (!v || !w || !st) {
		free(v);
		free(w);
		free(st);
		return -ENOMEM;
	}
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];

		for (int k = 0; k < M_COUNT; k++)
			summarise(m, g, (enum measure)k, &g->sum[k], v, w, st);
		g->buffer = g->sum[M_BUFFER].median;
	}
	free(v);
	free(w);
	free(st);
	return 0;
}

/* The one-pair groups sorted for lookups; the labels of mechanisms and their tuned settings. */
static int indexes(struct model *m)
{
	size_t nl = 0, nt = 0, ns = 0;

	m->index = malloc((m->ngroups + 1) * sizeof(*m->index));
	m->labels = malloc((m->ngroups + 1) * sizeof(*m->labels));
	m->tuned = malloc((m->ngroups + 1) * sizeof(*m->tuned));
	m->sizes = malloc((m->ngroups + 1) * sizeof(*m->sizes));
	if (!m->index || !m->labels || !m->tuned || !m->sizes)
		return -ENOMEM;
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->shape != S_PAIR)
			continue;
		m->index[m->nindex++] = gi;
		m->sizes[ns++] = g->size;
		if (!g->floor && *g->tuning)
			m->tuned[nt++] = g->label;
		else if (!g->floor)
			m->labels[nl++] = g->label;
	}
	sort_model = m;
	qsort(m->index, m->nindex, sizeof(*m->index), index_cmp);
	m->nlabels = model_sort_uniq(m->labels, nl, sizeof(*m->labels), model_cmp_str);
	m->ntuned = model_sort_uniq(m->tuned, nt, sizeof(*m->tuned), model_cmp_str);
	m->nsizes = model_sort_uniq(m->sizes, ns, sizeof(*m->sizes), size_cmp);
	return 0;
}

int model_load(struct model *m, const char *path, char *err, size_t errlen)
{
	int rc;

	memset(m, 0, sizeof(*m));
	rc = ipcb_rows_read(&m->rows, path, err, errlen);
	if (!rc)
		rc = read_rows(m, err, errlen);
	/* In their order before anything is found per placement (m->place follows it). */
	if (!rc && m->nplacements)
		qsort(m->placements, m->nplacements, sizeof(m->placements[0]), placement_cmp);
	if (!rc && (rc = rounds_number(m)) == 0 && (rc = states_find(m)) == 0) {
		set_aside(m);
		if ((rc = indexes(m)) == 0) {
			readers(m);
			attributes(m);
			floors_check(m);
			rc = summaries(m);
		}
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", path);
	}
	for (size_t i = 0, best = 0; !rc && i < m->nindex; i++) {
		/* The commonest run count among the one-pair groups (a quadratic count: a few
		 * hundred groups). */
		size_t k = m->groups[m->index[i]].nruns, same = 0;

		for (size_t j = 0; j < m->nindex; j++)
			same += m->groups[m->index[j]].nruns == k;
		if (same > best || (same == best && k > m->group_rounds)) {
			best = same;
			m->group_rounds = (unsigned)k;
		}
	}
	if (!rc && m->rows.n) {
		m->host = get(m, 0, IPCB_COL_HOST);
		m->cpu_model = get(m, 0, IPCB_COL_CPU_MODEL);
		m->kernel = get(m, 0, IPCB_COL_KERNEL);
		m->version = get(m, 0, IPCB_COL_VERSION);
		m->date = get(m, 0, IPCB_COL_TIMESTAMP);
		m->virt = get(m, 0, IPCB_COL_VIRTUALIZATION);
		m->smt = get(m, 0, IPCB_COL_SMT);
	}
	return rc;
}

void model_free(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++)
		free(m->groups[gi].runs);
	free(m->groups);
	free(m->runs);
	free(m->index);
	free(m->labels);
	free(m->tuned);
	free(m->sizes);
	free(m->pairs);
	free(m->hosts);
	free(m->placements);
	free(m->place);
	ipcb_rows_free(&m->rows);
	memset(m, 0, sizeof(*m));
}

size_t model_values(const struct model *m, const struct group *g, enum measure ms, double **vals,
		    uint32_t **rounds, size_t *cap)
{
	size_t n = 0;

	for (size_t k = 0; g && k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];
		unsigned w = m->weight && r->round ? m->weight[r->round] : 1;

		if (r->aside || isnan(r->v[ms]))
			continue;
		for (unsigned c = 0; c < w; c++) {
			if (n == *cap) {
				size_t nc = *cap ? 2 * *cap : 64;
				double *v = realloc(*vals, nc * sizeof(*v));
				uint32_t *rd = v ? realloc(*rounds, nc * sizeof(*rd)) : NULL;

				if (v)
					*vals = v;
				if (rd)
					*rounds = rd;
				if (!v || !rd)
					return n; /* what fits: a shorter sample, never a wrong one
						   */
				*cap = nc;
			}
			(*vals)[n] = r->v[ms];
			(*rounds)[n++] = r->round;
		}
	}
	return n;
}

double model_median(const struct model *m, const struct group *g, enum measure ms)
{
	static double *v;
	static uint32_t *rd;
	static size_t cap;
	double med = NAN;
	size_t n;

	if (!g)
		return NAN;
	if (!m->weight)
		return g->sum[ms].median;
	n = model_values(m, g, ms, &v, &rd, &cap);
	if (n)
		ipcb_stats_median(v, n, &med);
	return med;
}

size_t model_size_near(const struct model *m, size_t want)
{
	size_t best = 0;

	for (size_t i = 0; i < m->nsizes; i++)
		if (!best || labs((long)m->sizes[i] - (long)want) < labs((long)best - (long)want))
			best = m->sizes[i];
	return best;
}

double model_min_messages(const struct model *m, const struct group *g)
{
	double msgs = NAN;

	for (size_t k = 0; k < g->nruns; k++)
		if (!m->runs[g->runs[k]].aside)
			msgs = isnan(msgs) ? m->runs[g->runs[k]].messages
					   : fmin(msgs, m->runs[g->runs[k]].messages);
	return msgs;
}
