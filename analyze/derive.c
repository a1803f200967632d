/* SPDX-License-Identifier: MIT */
/*
 * derive.c - what model_load() finds in the runs once they are grouped (see model.c's story):
 * the machine's states at each placement and the runs set aside for a passing one, each group's
 * reader, loans and zero-copy, each run against the floors of its own round, and the summary of
 * every measure of every group.
 *
 * Apart from model.c because these are the rules that decide which runs count and what a group
 * is said to be, each a pass over runs already read: model.c calls them in order (modelload.h)
 * and nothing here reads a row or calls back into the loader.
 */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modelload.h"
#include "placement.h"
#include "slept.h"

/* A row faster than this share of its own probe's cache-line round trip ran elsewhere. */
#define BELOW_PROBE 0.8
/* A wake-up probe half or twice the placement's usual one found the machine in another state. */
#define WAKE_JUMP 2.0
/*
 * A placement's two states are named by the cache-line round trip, fast and slow, and its groups
 * keep their runs of the fast one where it held at least this share of the placement's runs
 * (else of the more common one). A state that every run can call its own gives two runs of one
 * machine the same state: on the EPYC guest the same-core probes took turns (the faster state
 * in 65%, 48%, 59% and 98% of four default runs' runs), and a rule keeping the more common state
 * kept the slow one in one of the four, whose groups then stood against the others' fast ones.
 * Below it, a group of five rounds would often have no run of the fast state, and keep the
 * slow one where the others keep the fast: two states in one report (a share of 0.4 leaves 8%
 * of such groups without a fast run).
 */
#define FAST_SHARE 0.4
/* A loan's receiver that read fewer than this share of payloads in full read them in place. */
#define LOAN_FULL  0.9
#define GROUP_CONF 0.95

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
 * one its groups keep (FAST_SHARE) numbered 0; then each run's state and what flags it.
 */
int model_states_find(struct model *m)
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
		m->place[p].slow_kept = false;
		if (n && ipcb_states_find(v, n, &m->place[p].states) < 0)
			m->place[p].states.n = 0;
		/* The state kept first: the fast one (the lower), unless it was rare. */
		if (m->place[p].states.n == 2 &&
		    m->place[p].states.count[0] <
			FAST_SHARE * (m->place[p].states.count[0] + m->place[p].states.count[1])) {
			struct ipcb_states *s = &m->place[p].states;
			size_t c = s->count[0];
			double med = s->median[0];

			s->count[0] = s->count[1], s->count[1] = c;
			s->median[0] = s->median[1], s->median[1] = med;
			s->separation = -s->separation; /* the kept state is the upper one */
			m->place[p].slow_kept = true;
		}
		if (nw)
			ipcb_stats_median(w, nw, &m->place[p].wakeup);
	}
	free(v);
	free(w);
	return 0;
}

/* The state a cache-line probe of placement p says: 0 the kept, 1 the other, -1 none. */
static int state_of(const struct model *m, size_t p, double probe)
{
	const struct ipcb_states *s = &m->place[p].states;
	bool low;

	if (!(probe > 0) || !s->n)
		return -1;
	if (s->n == 1)
		return 0;
	low = probe < s->threshold;
	/* separation < 0: the kept state is the upper cluster (see model_states_find). */
	return s->separation >= 0 ? !low : low;
}

const char *const model_flag_names[MF_COUNT] = {
    [MF_CURVE_STATE] = "curve-state",	  [MF_OTHER_STATE] = "other-state",
    [MF_STATE_CHANGED] = "state-changed", [MF_PROBE_JUMP] = "probe-jump",
    [MF_BELOW_FLOOR] = "below-floor",	  [MF_CPU_HELD] = "cpu-held"};

void model_flags_text(unsigned flags, const char *sep, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (int f = 0; f < MF_COUNT && len < n; f++)
		if (flags & (1u << f))
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? sep : "",
						model_flag_names[f]);
}

static void flag_add(struct run *r, enum model_flag f)
{
	r->flags |= 1u << f;
}

/* Two groups of one load curve: its steps (one offered share each) and its sweep's maximum. */
static bool one_curve(const struct group *a, const struct group *b)
{
	bool open_a = a->shape == S_OPEN, open_b = b->shape == S_OPEN;

	return (open_a || a->shape == S_SWEEP) && (open_b || b->shape == S_SWEEP) &&
	       !strcmp(a->label, b->label) && !strcmp(a->placement, b->placement) &&
	       !strcmp(a->mode, b->mode) && a->size == b->size &&
	       (!open_a || !open_b || !strcmp(a->shape_text, b->shape_text));
}

/*
 * The one state of the machine a load curve is drawn from, where its runs fell in both: the
 * state most of them were in (the kept one on a tie), -1 where they are in one or unprobed.
 * Each step is a run of its own, probed on its own, so a step-by-step rule would keep the slow
 * state's runs at one rate and the fast state's at the next: a curve whose latency falls as
 * the load rises, and offered rates that are shares of two different maxima.
 */
static int curve_state(const struct model *m, const struct group *g)
{
	size_t in[2] = {0, 0};

	if (g->shape != S_OPEN && g->shape != S_SWEEP)
		return -1;
	for (size_t h = 0; h < m->ngroups; h++) {
		const struct group *o = &m->groups[h];

		if (!one_curve(g, o))
			continue;
		for (size_t k = 0; k < o->nruns; k++) {
			const struct run *r = &m->runs[o->runs[k]];
			int st = state_of(m, place_of(m, o->placement), r->probe_cl);

			if (st >= 0)
				in[st]++;
		}
	}
	return !in[0] || !in[1] ? -1 : in[1] > in[0];
}

/*
 * Whether a side of run r that never slept was held off its CPU (slept.h): the host took the
 * virtual CPU (steal time), which no probe beside the run sees. On a 2-vCPU EPYC guest, of a
 * default run's runs across two CPUs whose sides never slept, those held ran at a median 0.86
 * of their group's median, 56% of them more than a tenth below it (16% of the others): shm's
 * 4 KiB stream at 3.0 GB/s with its receiver on its CPU a quarter of the time, 23.6-26.4 GB/s
 * in the rounds it was not held, the cache-line probes at 120-130 ns throughout. One pair on two
 * CPUs of their own only, since sides that share a CPU, or more sides than CPUs, take turns;
 * not a floor (one side of some does nothing; the floors leave out held batches themselves) nor
 * a library's (its own threads wait where the side's counters do not see: amqp's and corba's
 * senders ran on their CPU 11-30% of every round with no switch counted).
 */
static bool cpu_held(const struct group *g, const struct run *r)
{
	if (g->shape != S_PAIR || g->floor || g->framework ||
	    model_run_sides(g, r) != IPCB_SIDES_TWO_CPUS)
		return false;
	for (int k = 0; k < 2; k++)
		if (ipcb_side_held(r->voluntary[k], r->messages, r->cpu_s[k], r->elapsed_s))
			return true;
	return false;
}

/*
 * The runs measured in a passing state of the machine. A group keeps its runs of the state its
 * placement's groups keep (the fast one, FAST_SHARE) wherever it has one: its runs in the other
 * state (other-state) are set aside, so that its median and every test it is in take the same
 * runs, a comparison within one placement holds a state against itself, and two runs of one
 * machine compare the same state. A group measured in the other state alone keeps that (it says
 * so, and is compared with no group of the kept one). Of the runs so kept, those of a probe
 * after the run in another state than before (state-changed), a wake-up probe half or twice the
 * usual (probe-jump), a round trip faster than its own cache-line probe allows (below-floor: the
 * sides were not on the CPUs the probe measured), or a side that never slept held off its CPU
 * for a tenth of the run (cpu-held) are set aside while the group keeps at least half of them.
 * A load curve's runs in another state than the curve's (curve-state) are set aside whatever
 * their step keeps: every step of one curve comes from one state. The driver's own flags are
 * judged again on the whole file here.
 */
void model_set_aside(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];
		size_t p = place_of(m, g->placement), flagged = 0, other = 0, of_kept = 0;
		size_t in[2] = {0, 0};
		/* The flags the state decides, not the half rule. */
		const unsigned by_state = 1u << MF_CURVE_STATE | 1u << MF_OTHER_STATE;
		int curve = curve_state(m, g);

		g->slow_kept = m->place[p].slow_kept;

		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];
			double wk = m->place[p].wakeup;
			int after = state_of(m, p, r->probe_cl_after);

			r->flags = 0;
			r->state = state_of(m, p, r->probe_cl);
			if (curve >= 0 && r->state >= 0 && r->state != curve) {
				flag_add(r, MF_CURVE_STATE);
				continue;
			} else if (curve < 0 && r->state == 1)
				flag_add(r, MF_OTHER_STATE);
			of_kept += r->state == 0;
			if (r->state >= 0 && after >= 0 && after != r->state)
				flag_add(r, MF_STATE_CHANGED);
			if (r->probe_wk > 0 && wk > 0 &&
			    (r->probe_wk >= WAKE_JUMP * wk || r->probe_wk * WAKE_JUMP <= wk))
				flag_add(r, MF_PROBE_JUMP);
			if (g->latency && !g->floor &&
			    model_run_sides(g, r) == IPCB_SIDES_TWO_CPUS &&
			    r->v[M_RTT50] < BELOW_PROBE * r->probe_cl)
				flag_add(r, MF_BELOW_FLOOR);
			if (cpu_held(g, r))
				flag_add(r, MF_CPU_HELD);
		}
		/* Aside for the state (the curve's, else the kept one where the group has it). */
		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];

			r->aside = (r->flags & (1u << MF_CURVE_STATE)) ||
				   (of_kept && (r->flags & (1u << MF_OTHER_STATE)));
			other += r->aside;
			flagged += !r->aside && (r->flags & ~by_state);
		}
		g->kept = g->nruns;
		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];

			/* The rest's other flags, while half of the runs the state kept remain. */
			if (!r->aside && (r->flags & ~by_state))
				r->aside = 2 * (g->nruns - other - flagged) >= g->nruns - other;
			g->kept -= r->aside;
			m->flagged += r->aside;
			if (!r->aside && r->state >= 0)
				in[r->state]++;
		}
		/* The state its kept runs are in (never both now); -1 where none was probed. */
		g->state = in[0] && !in[1] ? 0 : in[1] && !in[0] ? 1 : -1;
	}
}

const char *model_state_word(const struct group *g, int state)
{
	return (state == 0) == g->slow_kept ? "slow" : "fast";
}

/* ---- what the groups say about themselves ------------------------------------------------ */

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
 * and whatever its wait is called (CLAIMS.md): a side that slept for its messages gave its CPU
 * up, a voluntary context switch, at least every other message (slept.h); one preempted on a
 * shared CPU (involuntary switches) still polled. A group whose kept runs fell on both sides of
 * the line is neither: its class is unclear, and it says so.
 */
void model_readers(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];

		g->ctx = model_run_median(m, g, offsetof(struct run, waiting_sw), false);
		g->ctx_polled = g->ctx_slept = 0;
		g->ctx_voluntary = false;
		for (size_t k = 0; k < g->nruns; k++) {
			const struct run *r = &m->runs[g->runs[k]];

			if (r->aside || isnan(r->waiting_sw))
				continue;
			g->ctx_voluntary |= r->waiting_voluntary;
			if (!ipcb_slept(r->waiting_sw))
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

void model_attributes(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];

		g->zerocopy = !strncmp(g->channel, "zerocopy; ", 10);
		g->full_share = model_run_median(m, g, offsetof(struct run, full_share), false);
		g->zc_copied = model_run_median(m, g, offsetof(struct run, zc_copied), false);
		g->segs = model_run_median(m, g, offsetof(struct run, segs), false);
		g->x_floor = *g->ceiling
				 ? model_run_median(m, g, offsetof(struct run, x_floor), false)
				 : NAN;
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
 * its placement allows. A run beyond one by more than MODEL_FLOOR_SLACK is flagged with both
 * numbers: the floor is not a floor for it, or the run did less than it says.
 */
void model_floors_check(struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		struct group *g = &m->groups[gi];
		if (g->floor || g->shape != S_PAIR)
			continue;
		for (size_t k = 0; k < g->nruns; k++) {
			struct run *r = &m->runs[g->runs[k]];
			bool cross = model_run_sides(g, r) == IPCB_SIDES_TWO_CPUS;
			const struct {
				const char *floor;
				size_t size;
				enum measure ms;
				bool applies, ceiling;
			} tries[] = {
			    {"null", g->size, M_RTT50, g->latency, false},
			    {"floor-cacheline", 64, M_RTT50,
			     g->latency && cross && g->reader == R_POLLS, false},
			    {"floor-mailbox", g->size, M_RTT50, g->latency && g->reader == R_POLLS,
			     false},
			    {"floor-futex", 64, M_RTT50, g->latency && g->reader == R_SLEEPS,
			     false},
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
				if (isnan(f) ||
				    (tries[t].ceiling ? x <= (1 + MODEL_FLOOR_SLACK) * f
						      : x >= (1 - MODEL_FLOOR_SLACK) * f))
					continue;
				r->beat = tries[t].floor;
				r->beat_floor = f;
				m->beaten++;
			}
		}
	}
}

/* ---- summaries ---------------------------------------------------------------------------- */

/*
 * The columns that can tell modes apart: what a run did, and the state it ran in; each with the
 * least gap between two modes' values that says more than the column's own noise (a few rounds
 * fall apart in some column by chance): a switch every twentieth message, a probe a quarter
 * apart, as the machine's two states lie (on the EPYC guest 2.6 and 3.6 us on one CPU).
 */
static const struct {
	const char *name;
	size_t off;
	double gap, ratio; /* the least gap between two modes' medians, and the least ratio */
} explainers[] = {
    {"ctx/msg", offsetof(struct run, ctx), 0.05, 1},
    {"wake-up probe (ns)", offsetof(struct run, probe_wk), 0, 1.25},
    {"cache-line probe (ns)", offsetof(struct run, probe_cl), 0, 1.25},
};

/*
 * Which column separates the modes: its values in each mode lie apart from the next mode's, and
 * their medians by at least its gap and its ratio.
 */
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
		for (size_t k = 1; k < s->modes.n && apart; k++) {
			/* The two modes' medians in order, a below b. */
			double a = fmin(med[k - 1], med[k]), b = fmax(med[k - 1], med[k]);

			apart = (hi[k - 1] < lo[k] || lo[k - 1] > hi[k]) &&
				b - a >= explainers[e].gap && b >= explainers[e].ratio * a;
		}
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

int model_summaries(struct model *m)
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
