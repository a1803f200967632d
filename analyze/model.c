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
 *
 * This file reads and groups the rows and runs the story in order (model_load()); what is found
 * in the runs once they are grouped, from the machine's states to the summaries, is derive.c's,
 * and the lookups the sections make in a loaded model (and the measures' names) are lookup.c's.
 */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "modelload.h"
#include "parse.h"
#include "placement.h"

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
	/* A sweep's outcome, or its closed-loop maximum (its offered fraction 1, no rate). */
	if (strcmp(get(m, i, IPCB_COL_LATENCY_KIND), "slo_rate") == 0 ||
	    (*get(m, i, IPCB_COL_OFFERED_FRACTION) && !*get(m, i, IPCB_COL_OFFERED_RATE)))
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
#define OW_PCT(id, value, label, drop, what) {RK_OW, IPCB_COL_P##id##_NS, M_OW##id},
	    IPCB_PERCENTILES(OW_PCT)
#undef OW_PCT
		{RK_SLOWEST, IPCB_COL_P50_NS, M_SLOWEST},
	    {RK_LAST, IPCB_COL_P50_NS, M_LAST},
	    {RK_LAST, IPCB_COL_P99_NS, M_LAST99},
	    {RK_CALL, IPCB_COL_P50_NS, M_SEND_CALL},
	    {RK_MAIN, IPCB_COL_SERVER_START_MS, M_SRV_START},
	    {RK_MAIN, IPCB_COL_SERVER_RSS_BYTES, M_SRV_RSS},
	};
	double s = NAN, rv = NAN, srv, x;
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
		} p[] = {
#define RTT_PCT(id, value, label, drop, what) {IPCB_COL_P##id##_NS, M_RTT##id},
		    IPCB_PERCENTILES(RTT_PCT)
#undef RTT_PCT
			{IPCB_COL_MIN_NS, M_RTT_MIN},
		    {IPCB_COL_MAX_NS, M_RTT_MAX}};

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
	/*
	 * A mechanism's CPU is that of every process it needs: both sides', and its server's
	 * (a broker, a daemon, an ORB) where it has one. A reader that waits cheaply while its
	 * broker works for it does not keep less of the machine busy.
	 */
	srv = isnan(r->v[M_SERVER]) ? 0 : r->v[M_SERVER];
	r->v[M_CPU] = s + rv + srv;
	r->v[M_SEND_CPU] = s;
	/* CPU per round trip times round trips per second: the CPU it kept busy, waiting. */
	if (lat && rv >= 0 && r->v[M_MSGS] > 0)
		r->v[M_WAIT_CPU] = (rv + srv) * r->v[M_MSGS] / 1e9;
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
	    {IPCB_COL_X_FLOOR, offsetof(struct run, x_floor)},
	    {IPCB_COL_SENDER_VOLUNTARY_SWITCHES_PER_MSG, offsetof(struct run, voluntary[0])},
	    {IPCB_COL_RECEIVER_VOLUNTARY_SWITCHES_PER_MSG, offsetof(struct run, voluntary[1])},
	    {IPCB_COL_SENDER_CPU_S, offsetof(struct run, cpu_s[0])},
	    {IPCB_COL_RECEIVER_CPU_S, offsetof(struct run, cpu_s[1])},
	    {IPCB_COL_ELAPSED_S, offsetof(struct run, elapsed_s)},
	};
	double full = NAN, cpu;
	int rc = 0;

	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]) && !rc; k++)
		rc = ipcb_rows_num(&m->rows, i, nums[k].col, true,
				   (double *)((char *)r + nums[k].off), err, errlen);
	if (!rc)
		rc = ipcb_rows_num(&m->rows, i, IPCB_COL_FULL_CHECKS, true, &full, err, errlen);
	r->full_share = r->messages > 0 ? full / r->messages : NAN;
	r->waiting_sw = ipcb_waiting_switches(strcmp(get(m, i, IPCB_COL_MODE), "latency") == 0,
					      r->voluntary[0], r->voluntary[1]);
	r->waiting_voluntary = !isnan(r->waiting_sw);
	if (!r->waiting_voluntary)
		r->waiting_sw = r->ctx;
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

static int placement_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx = ipcb_placement_rank(x), ry = ipcb_placement_rank(y);

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

static int read_rows(struct model *m, bool partial, char *err, size_t errlen)
{
	struct ipcb_exp_index keys = {0};
	const char **tnames = NULL;
	struct labeling *lbs = NULL;
	size_t ntn = 0, gcap = 0, rcap = 0, keycap = 0;
	char *key = NULL, label[112], where[IPCB_ROWS_WHERE_BYTES];
	int rc;

	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]) && !partial; k++)
		if (!m->rows.has[required[k]])
			return ipcb_parse_fail(err, errlen, "%s:1: missing column %s", m->rows.name,
					       ipcb_csv_name(required[k]));
	m->has_paths = m->rows.has[IPCB_COL_DATA_PATH];
	m->paired = m->rows.has[IPCB_COL_ROUND];
	m->has_tuning = m->rows.has[IPCB_COL_TUNING];
	rc = labelings(m, &tnames, &lbs, &ntn);
	if (!rc && !(m->row_run = calloc(m->rows.n + 1, sizeof(*m->row_run))))
		rc = -ENOMEM;
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
			rc = ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is not a size",
					     ipcb_rows_where(&m->rows, i, where, sizeof(where)),
					     ipcb_csv_name(IPCB_COL_SIZE_BYTES),
					     get(m, i, IPCB_COL_SIZE_BYTES));
			break;
		}
		if (!isnan(round) && !(round >= 0 && round <= UINT32_MAX)) {
			rc = ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is not a round",
					     ipcb_rows_where(&m->rows, i, where, sizeof(where)),
					     ipcb_csv_name(IPCB_COL_ROUND),
					     get(m, i, IPCB_COL_ROUND));
			break;
		}
		if (rk == RK_NONE || !*tr)
			continue;
		row_label(m, i, at ? &lbs[at - tnames] : NULL, label, sizeof(label));
		if ((rc = experiment_key(&m->rows, i, IPCB_EXP_ONE_FILE, &key, &keycap)) < 0 ||
		    (rc = ipcb_exp_index_find(&keys, key, &gi, &fresh)) < 0)
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
			g->ceiling = get(m, i, IPCB_COL_CEILING);
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
							    : M_OW50]))) {
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
		m->row_run[i] = (size_t)(r - m->runs) + 1;
		rc = row_values(m, i, rk, r, err, errlen);
	}
	ipcb_exp_index_free(&keys);
	free(key);
	free(tnames);
	free(lbs);
	if (rc == -ENOMEM)
		return ipcb_parse_fail(err, errlen, "%s: out of memory", m->rows.name), -ENOMEM;
	if (!rc && !m->nruns && !m->npairs && !partial)
		return ipcb_parse_fail(err, errlen, "%s: no measured rows", m->rows.name);
	if (!rc)
		m->has_paths = m->has_paths && m->rows.n;
	return rc;
}

static const struct model *sort_model; /* for index_cmp: one sort at a time */

static int index_cmp(const void *a, const void *b)
{
	const struct group *x = &sort_model->groups[*(const size_t *)a];
	const struct group *y = &sort_model->groups[*(const size_t *)b];

	return model_pair_cmp_key(x, y->label, y->placement, y->size, y->latency);
}

/* The one-pair groups sorted for lookups; the labels of mechanisms and their tuned settings. */
static int indexes(struct model *m)
{
	size_t nl = 0, nt = 0, ns = 0, no = 0;

	m->index = malloc((m->ngroups + 1) * sizeof(*m->index));
	m->labels = malloc((m->ngroups + 1) * sizeof(*m->labels));
	m->tuned = malloc((m->ngroups + 1) * sizeof(*m->tuned));
	m->shaped = malloc((m->ngroups + 1) * sizeof(*m->shaped));
	m->sizes = malloc((m->ngroups + 1) * sizeof(*m->sizes));
	if (!m->index || !m->labels || !m->tuned || !m->shaped || !m->sizes)
		return -ENOMEM;
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->shape != S_PAIR) {
			if (!g->floor)
				m->shaped[no++] = g->label;
			continue;
		}
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
	m->nshaped = model_sort_uniq(m->shaped, no, sizeof(*m->shaped), model_cmp_str);
	m->nsizes = model_sort_uniq(m->sizes, ns, sizeof(*m->sizes), size_cmp);
	return 0;
}

/* The model of the rows read into m->rows (rc: how the reading went). */
static int model_build(struct model *m, const char *path, int rc, bool partial, char *err,
		       size_t errlen)
{
	if (!rc)
		rc = read_rows(m, partial, err, errlen);
	/* In their order before anything is found per placement (m->place follows it). */
	if (!rc && m->nplacements)
		qsort(m->placements, m->nplacements, sizeof(m->placements[0]), placement_cmp);
	if (!rc && (rc = rounds_number(m)) == 0 && (rc = model_states_find(m)) == 0) {
		model_set_aside(m);
		if ((rc = indexes(m)) == 0) {
			model_readers(m);
			model_attributes(m);
			model_floors_check(m);
			rc = model_summaries(m);
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

int model_open(struct model *m, const char *name, const char *csv, size_t len, bool partial,
	       char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	return model_build(m, name,
			   csv ? ipcb_rows_read_buffer(&m->rows, name, csv, len, err, errlen)
			       : ipcb_rows_read(&m->rows, name, err, errlen),
			   partial, err, errlen);
}

int model_load(struct model *m, const char *path, char *err, size_t errlen)
{
	return model_open(m, path, NULL, 0, false, err, errlen);
}

int model_load_buffer(struct model *m, const char *name, const char *csv, size_t len, char *err,
		      size_t errlen)
{
	return model_open(m, name, csv, len, false, err, errlen);
}

void model_free(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++)
		free(m->groups[gi].runs);
	free(m->groups);
	free(m->runs);
	free(m->row_run);
	free(m->index);
	free(m->labels);
	free(m->tuned);
	free(m->shaped);
	free(m->sizes);
	free(m->pairs);
	free(m->hosts);
	free(m->placements);
	free(m->place);
	ipcb_rows_free(&m->rows);
	memset(m, 0, sizeof(*m));
}
