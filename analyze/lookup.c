/* SPDX-License-Identifier: MIT */
/*
 * lookup.c - what the sections ask of a loaded model: the measures' names, directions and units,
 * a pair's group by its key, an open loop's step, the values and medians of a group's kept runs
 * as a claim's resampling draws the rounds, the nearest size and the fewest messages.
 *
 * Apart from model.c because none of it reads or changes the model: it only answers from what
 * model_load() left. The one thing the loader takes from here is the key model_pair() searches
 * by, which the loader sorts its index with (modelload.h).
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "modelload.h"
#include "slo.h"

static const struct {
	const char *name;
	bool lower;
	char unit; /* 't' time, 'b' bytes/s, 'm' memory, 'r' msg/s, 'n' a count */
} measures[M_COUNT] = {
#define RTT_NAME(id, value, label, drop, what) [M_RTT##id] = {"round trip " label, true, 't'},
    IPCB_PERCENTILES(RTT_NAME)
#undef RTT_NAME
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
#define OW_NAME(id, value, label, drop, what) [M_OW##id] = {"one way " label, true, 't'},
    IPCB_PERCENTILES(OW_NAME)
#undef OW_NAME
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

static_assert((int)M_RTT_MIN == (int)IPCB_NPCT &&
		  (int)M_SLOWEST == (int)M_SEND_CALL + 1 + (int)IPCB_NPCT,
	      "measure_pct(): each kind's percentiles in a row, in lib/percentiles.h's order");

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
	return m == M_RTT50 || m == M_RTT99 || m == M_RTT999 || m == M_RTT90 || m == M_RTT_MIN ||
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

int model_pair_cmp_key(const struct group *a, const char *label, const char *pl, size_t size,
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

const struct group *model_pair(const struct model *m, const char *label, const char *pl,
			       size_t size, bool latency)
{
	size_t lo = 0, hi = m->nindex;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = model_pair_cmp_key(&m->groups[m->index[mid]], label, pl, size, latency);

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

	st->offered = st->achieved = st->late_share = st->offered_lo = st->offered_hi = NAN;
	st->runs = 0;
	st->kept = false;
	for (size_t k = 0; v && k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];

		/* No send late is a share of 0 whatever the count of messages. */
		if (r->aside || isnan(r->offered) || isnan(r->v[M_ACHIEVED]) ||
		    isnan(r->v[M_LATE]) || (r->v[M_LATE] > 0 && !(r->messages > 0)))
			continue;
		off[n] = r->offered;
		if (!(off[n] >= st->offered_lo))
			st->offered_lo = off[n];
		if (!(off[n] <= st->offered_hi))
			st->offered_hi = off[n];
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

size_t model_values(const struct model *m, const struct group *g, enum measure ms, double **vals,
		    uint32_t **rounds, size_t *cap)
{
	return model_values_in(m, g, ms, MODEL_ANY_STATE, vals, rounds, cap);
}

int model_common_state(const struct group *a, const struct group *b)
{
	if (strcmp(a->placement, b->placement) != 0)
		return MODEL_ANY_STATE;
	if (a->state >= 0 && b->state >= 0)
		return a->state == b->state ? MODEL_ANY_STATE : MODEL_TWO_STATES;
	return a->state >= 0 ? a->state : b->state >= 0 ? b->state : MODEL_ANY_STATE;
}

size_t model_values_in(const struct model *m, const struct group *g, enum measure ms, int state,
		       double **vals, uint32_t **rounds, size_t *cap)
{
	size_t n = 0;

	for (size_t k = 0; g && k < g->nruns; k++) {
		const struct run *r = &m->runs[g->runs[k]];
		unsigned w = m->weight && r->round ? m->weight[r->round] : 1;

		if (r->aside || isnan(r->v[ms]) ||
		    (state >= 0 && r->state >= 0 && r->state != state))
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

enum ipcb_sides model_run_sides(const struct group *g, const struct run *r)
{
	return ipcb_placement_sides(ipcb_placement_find(g->placement), r->cpu[0], r->cpu[1]);
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
