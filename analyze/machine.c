/* SPDX-License-Identifier: MIT */
/*
 * machine.c - the machine's floors, its states, the runs that beat a floor of their round, and
 * the two levels of variation; see sections.h. A floor is shown once, from the floor rows' own
 * summaries (the runs in a passing state set aside as everywhere), and every other mention of it
 * is that same value.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvschema.h"
#include "html.h"
#include "placement.h"
#include "sections.h"

static const struct floor_def {
	const char *transport, *what, *why;
	enum measure ms;
	bool sized;
} floors[] = {
    {"null", "harness (null) round trip",
     "the harness's own round trip bounds every round trip: a run below it did not move what it "
     "says, or ran elsewhere",
     M_RTT50, false},
    {"floor-cacheline", "cache-line round trip",
     "no reader that polls sees the other CPU's write sooner than a cache line travels there "
     "and back",
     M_RTT50, false},
    {"floor-futex", "futex wake-up round trip",
     "a reader woken by another path than a futex (a socket's or a queue's wait queue) is not "
     "bound by it: for such a run it is not a floor",
     M_RTT50, false},
    {"floor-mailbox", "mailbox round trip (sequence word on its own line, payload after it)",
     "a transport that lends its buffers (shm-zc) copies less and beats it; so can a ring "
     "that hands a message of more than 16 KiB over in larger pieces than the mailbox's, and "
     "one whose next message lands on lines neither side touched of late where the mailbox "
     "rewrote one box (runs before it spread its boxes); for such a run it is not a floor",
     M_RTT50, true},
    {"floor-memcpy", "memcpy (one CPU, its own data)",
     "a stream above it did not copy every byte once on one CPU", M_BPS, true},
    {"floor-xcopy", "cross-core copy (reading what the other CPU just wrote)",
     "a stream above it did not copy every byte once out of the other CPU's cache (a loan, or "
     "pages moved rather than copied)",
     M_BPS, true},
    {"floor-handover", "stream hand-over, messages of a line (each announced on its own line)",
     "a stream above it handed over several messages a line, or announced them otherwise", M_MSGS,
     true},
    {"floor-syscall", "system calls (the cheapest, getppid), one CPU",
     "a mechanism above it made fewer system calls a message than its transport declares", M_MSGS,
     true},
};

/* A floor's group at a placement (sized: at that size, in the floor's measure). */
static const struct group *floor_group(const struct model *m, const char *t, const char *pl,
				       size_t size, bool sized)
{
	for (size_t k = 0; sized && k < sizeof(floors) / sizeof(floors[0]); k++)
		if (!strcmp(floors[k].transport, t))
			return model_find(m, t, pl, size, floors[k].ms);
	for (size_t s = 0; s < m->nsizes; s++) {
		const struct group *g = model_find(m, t, pl, m->sizes[s], M_RTT50);

		if (g && g->sum[M_RTT50].n)
			return g;
	}
	return NULL;
}

static void print_floors(struct report *r)
{
	const struct model *m = r->m;
	bool any = false;

	ipcb_doc_h(r->d, 2, "The machine's floors");
	ipcb_doc_p(
	    r->d,
	    "Each floor is measured in every round beside the rows, and each run is checked "
	    "against the floors of its own round (below). Here the median over the rounds, the "
	    "runs in a passing state of the machine set aside as everywhere in this report.");
	ipcb_doc_table(r->d, "llll", "placement", floors[0].what, floors[1].what, floors[2].what);
	for (size_t p = 0; p < m->nplacements; p++) {
		char v[3][128];

		for (int k = 0; k < 3; k++)
			series_text(NULL,
				    floor_group(m, floors[k].transport, m->placements[p], 0, false),
				    M_RTT50, v[k], sizeof(v[k]));
		ipcb_doc_row(r->d, m->placements[p], v[0], v[1], v[2]);
	}
	ipcb_doc_table_end(r->d);
	for (size_t p = 0; p < m->nplacements && !any; p++)
		for (size_t k = 3; k < sizeof(floors) / sizeof(floors[0]) && !any; k++)
			for (size_t s = 0; s < m->nsizes && !any; s++)
				any = floor_group(m, floors[k].transport, m->placements[p],
						  m->sizes[s], true);
	if (!any)
		return;
	/* clang-format off */
	ipcb_doc_p(r->d, "Per message size: the ceilings of a stream (a row's " DOC_C("%s") " is "
		   "the cross-core copy where the sides ran on two CPUs, or the hand-over of its "
		   "messages there where that takes longer, memcpy elsewhere) and the round trip "
		   "of the simplest shared-memory handshake.",
		   ipcb_csv_name(IPCB_COL_X_FLOOR));
	/* clang-format on */
}

/* A table of floors per size, written row by row (its width is the CSV's sizes). */
static void print_sized(struct report *r)
{
	const struct model *m = r->m;
	struct grid t;

	if (grid_init(&t, 2 + m->nsizes, 2, 128) < 0)
		return;
	t.row[0] = "placement";
	t.row[1] = "floor";
	for (size_t s = 0; s < m->nsizes; s++)
		size_format(m->sizes[s], grid_text(&t, 2 + s), t.width);
	ipcb_doc_tablev(r->d, t.align, t.row);
	for (size_t p = 0; p < m->nplacements; p++)
		for (size_t k = 3; k < sizeof(floors) / sizeof(floors[0]); k++) {
			bool any = false;

			for (size_t s = 0; s < m->nsizes; s++) {
				const struct group *g = floor_group(
				    m, floors[k].transport, m->placements[p], m->sizes[s], true);

				series_text(NULL, g, floors[k].ms, grid_text(&t, 2 + s), t.width);
				any |= g != NULL;
			}
			if (!any)
				continue;
			t.row[0] = m->placements[p];
			t.row[1] = floors[k].what;
			ipcb_doc_rowv(r->d, t.row);
		}
	ipcb_doc_table_end(r->d);
	free(t.row);
}

/*
 * The copy cliff at a placement and size (floor-cliff): the slowest offset's rate against the
 * copy at the same offset (offset 0), when it is under half of it. False when the rows have no
 * cliff there (or no floor-cliff rows).
 */
static bool machine_cliff(const struct model *m, const char *pl, size_t size, size_t *offset,
			  double *slow, double *fast)
{
	double aligned = NAN, worst = NAN;
	size_t at = 0;

	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];
		size_t off;
		double v = g->sum[M_BPS].median;

		if (strcmp(g->transport, "floor-cliff") || strcmp(g->placement, pl) ||
		    g->size != size || !g->sum[M_BPS].n ||
		    sscanf(g->options, "offset=%zu", &off) != 1)
			continue;
		if (off == 0)
			aligned = v;
		else if (isnan(worst) || v < worst) {
			worst = v;
			at = off;
		}
	}
	if (isnan(aligned) || isnan(worst) || worst >= aligned / 2)
		return false;
	*offset = at;
	*slow = worst;
	*fast = aligned;
	return true;
}

/* The copy cliffs floor-cliff found, size by size: a copy a few bytes off many times slower. */
static void print_cliffs(struct report *r)
{
	const struct model *m = r->m;
	bool any = false, measured = false;

	for (size_t gi = 0; gi < m->ngroups && !measured; gi++)
		measured = !strcmp(m->groups[gi].transport, "floor-cliff");
	if (!measured)
		return;
	for (size_t p = 0; p < m->nplacements; p++)
		for (size_t s = 0; s < m->nsizes; s++) {
			size_t off;
			double slow, fast;
			char sz[16];

			if (!machine_cliff(m, m->placements[p], m->sizes[s], &off, &slow, &fast))
				continue;
			if (!any)
				ipcb_doc_p(r->d,
					   "The machine's copy cliffs (" DOC_C(
					       "floor-cliff") ": memcpy "
							      "on one CPU with its destination a "
							      "few bytes past its source, "
							      "modulo 4 KiB); a transport whose "
							      "payload lies at such an "
							      "offset from the caller's buffer "
							      "pays it on every message:");
			any = true;
			size_format(m->sizes[s], sz, sizeof(sz));
			ipcb_doc_li(
			    r->d,
			    "%s: a %s copy %zu bytes past its source's alignment runs at %.1f "
			    "GB/s, %.0fx slower than aligned (%.1f GB/s)",
			    m->placements[p], sz, off, slow / 1e9, fast / slow, fast / 1e9);
		}
	if (!any)
		ipcb_doc_p(r->d, "No copy cliff: at every size measured, a copy at each offset "
				 "floor-cliff tries ran at half the aligned copy's rate or more.");
}

/* Runs beyond a floor of their own round, floor by floor, with both numbers. */
static void print_beaten(struct report *r)
{
	const struct model *m = r->m;

	if (!m->beaten) {
		ipcb_doc_p(r->d, "No run beat a floor of its own round by more than 10%%.");
		return;
	}
	ipcb_doc_p(
	    r->d,
	    "%zu runs beat a floor of their own round by more than 10%% (each run against "
	    "the floor measured in its round, at its placement; the floors that bound it: "
	    "every round trip the harness's, a polling reader's the cache-line and mailbox "
	    "round trips, a sleeping reader's the futex wake-up, a stream that copies every "
	    "byte the copy its placement allows). Either the floor is not a floor for them or "
	    "the run did less than it says; for each floor, which it is:",
	    m->beaten);
	for (size_t k = 0; k < sizeof(floors) / sizeof(floors[0]); k++) {
		size_t n = 0;

		for (size_t i = 0; i < m->nruns; i++) {
			const struct run *x = &m->runs[i];
			const struct group *g = &m->groups[x->group];
			enum measure ms = g->latency ? M_RTT50 : M_BPS;
			char v[32], f[32], sz[16];

			if (!x->beat || strcmp(x->beat, floors[k].transport))
				continue;
			if (!n)
				ipcb_doc_add(r->d, "%s: ", floors[k].what);
			if (n++ >= 6)
				continue;
			measure_format(ms, x->v[ms], v, sizeof(v));
			measure_format(ms, x->beat_floor, f, sizeof(f));
			size_format(g->size, sz, sizeof(sz));
			ipcb_doc_add(r->d, "%s%s %s %s round %u, %s against %s", n > 1 ? "; " : "",
				     g->label, g->placement, sz, x->round_no, v, f);
		}
		if (n) {
			ipcb_doc_add(r->d, "%s (%zu runs): %s", n > 6 ? "; ..." : "", n,
				     floors[k].why);
			ipcb_doc_item(r->d);
		}
	}
}

/* The probes' states at each placement, and the runs set aside for them. */
static void print_states(struct report *r)
{
	const struct model *m = r->m;
	const struct group *futex = NULL, *cl = NULL;
	size_t listed = 0;

	ipcb_doc_h(r->d, 2, "Rounds and the machine's state");
	if (!m->nrounds) {
		/* clang-format off */
		ipcb_doc_p(r->d, "This CSV has no rounds (" DOC_C("round") " column): its "
			   "repeats ran back to back and share one state of the machine, so "
			   "comparisons are made between their sets, and their spread says "
			   "little about the next run.");
		/* clang-format on */
	} else {
		char more[160] = "";

		if (m->nrounds > m->group_rounds)
			snprintf(more, sizeof(more),
				 " (%u round numbers in the CSV: invocations that number their "
				 "rounds apart are paired within themselves only)",
				 m->nrounds);
		ipcb_doc_p(
		    r->d,
		    "%u rounds for most groups%s. Each round ran every point of its plan "
		    "once, in its own shuffled order, so a change of the machine's state "
		    "lands on every transport alike. A group's value is the median over its "
		    "rounds, with the distribution-free 95%% interval of that median where "
		    "it reaches more than 10%% from it; comparisons pair the two sides' runs "
		    "of each round.",
		    m->group_rounds, more);
	}
	for (size_t p = 0; p < m->nplacements; p++) {
		const struct ipcb_states *s = &m->place[p].states;
		char a[32], b[32], w[32];

		if (!m->place[p].probed)
			continue;
		measure_format(M_RTT50, s->median[0], a, sizeof(a));
		measure_format(M_RTT50, m->place[p].wakeup, w, sizeof(w));
		if (s->n == 2) {
			const bool slow = m->place[p].slow_kept;

			measure_format(M_RTT50, s->median[1], b, sizeof(b));
			ipcb_doc_li(
			    r->d,
			    "%s: the cache-line probes beside the runs fell into two states of the "
			    "machine: %s, %s (%zu runs), and %s, %s (%zu runs), %.1f standard "
			    "deviations apart (two clusters found in the probes themselves); a "
			    "group's runs are kept in the %s one where it has any%s; the wake-up "
			    "probe's median was %s",
			    m->placements[p], slow ? "a slow one" : "a fast one", a, s->count[0],
			    slow ? "a fast one" : "a slow one", b, s->count[1], fabs(s->separation),
			    slow ? "slow" : "fast",
			    slow ? " (the fast one held under two fifths of the runs)" : "", w);
		} else {
			ipcb_doc_li(
			    r->d,
			    "%s: the cache-line probes beside the runs found one state of the "
			    "machine, %s (the median of %zu probes); the wake-up probe's median "
			    "was "
			    "%s",
			    m->placements[p], a, m->place[p].probed, w);
		}
	}
	for (size_t p = 0; p < m->nplacements; p++)
		if (!strcmp(m->placements[p], ipcb_placement_name(IPCB_PLACE_CROSS_CORE))) {
			futex = floor_group(m, "floor-futex",
					    ipcb_placement_name(IPCB_PLACE_CROSS_CORE), 0, false);
			cl = floor_group(m, "floor-cacheline",
					 ipcb_placement_name(IPCB_PLACE_CROSS_CORE), 0, false);
		}
	if (*m->virt && strcmp(m->virt, "none") && strcmp(m->virt, "no") && futex && cl) {
		char a[32], b[32];

		measure_format(M_RTT50, futex->sum[M_RTT50].median, a, sizeof(a));
		measure_format(M_RTT50, cl->sum[M_RTT50].median, b, sizeof(b));
		ipcb_doc_p(
		    r->d,
		    "This is a virtual machine (virtualization: %s). Waking a process on the other "
		    "virtual CPU goes through the host: two such wake-ups took %s here (the futex "
		    "floor above), most of every cross-core round trip whose reader sleeps, while "
		    "a "
		    "reader that polls sees the other CPU's write within the cache-line round trip "
		    "(%s, its floor above). On bare metal, or with the host's halt polling, the "
		    "sleeping rows can be several times faster.",
		    m->virt, a, b);
	}
	/* clang-format off */
	ipcb_doc_p(r->d, "%zu runs were set aside for the machine's state (" DOC_C("other-state")
		   ": their cache-line probe was in the other state than the one their "
		   "placement's groups keep; "
		   DOC_C("state-changed") ": the probe after the run was in another state than "
		   "the one before; " DOC_C("probe-jump") ": their wake-up probe was half or "
		   "twice the usual; " DOC_C("below-floor") ": a round trip faster than its own "
		   "cache-line probe allows; " DOC_C("cpu-held") ": a side that never slept ran on "
		   "its CPU for less than nine tenths of the run, held off it by the host or "
		   "another task, which no probe beside the run sees). A group's runs in the "
		   "other state are set aside from every median, comparison and figure wherever "
		   "it has runs of the kept one (the fast one, unless it held under two fifths of "
		   "the placement's runs), so that its median is of the runs its tests take and "
		   "two runs of the machine compare one state; the others flagged, while their "
		   "group keeps at least half of the runs left; a load curve's runs in the other "
		   "state than most of the curve's (" DOC_C("curve-state") ") are set aside "
		   "whatever their step keeps, so that each curve is drawn from one state.",
		   m->flagged);
	/* clang-format on */
	for (size_t i = 0; i < m->nruns && listed < 12; i++) {
		const struct run *x = &m->runs[i];
		const struct group *g = &m->groups[x->group];
		char sz[16], why[96];

		if (!x->aside || !x->line)
			continue;
		size_format(g->size, sz, sizeof(sz));
		model_flags_text(x->flags, ";", why, sizeof(why));
		ipcb_doc_add(
		    r->d, "%s%s %s %s %s round %u (%s)", listed ? ", " : "Among them: ", g->label,
		    g->latency ? "round trip" : "stream", g->placement, sz, x->round_no, why);
		listed++;
	}
	if (listed)
		ipcb_doc_p(r->d, "%s.", m->flagged > listed ? ", ..." : "");
}

struct vg {
	const struct group *g;
	enum measure ms;
};

static int vg_cmp(const void *a, const void *b)
{
	const struct vg *x = a, *y = b;
	double u = x->g->sum[x->ms].between, v = y->g->sum[y->ms].between;

	if (isnan(u) || isnan(v))
		return isnan(u) - isnan(v);
	return u > v ? -1 : u < v;
}

static void vg_row(struct report *r, const struct vg *v)
{
	const struct summary *s = &v->g->sum[v->ms];
	char sz[16], med[128], bt[16] = "-", wt[16] = "-", modes[256] = "one", told[160] = "-",
			       n[16];
	size_t len = 0;

	size_format(v->g->size, sz, sizeof(sz));
	series_text(NULL, v->g, v->ms, med, sizeof(med));
	if (!isnan(s->between))
		snprintf(bt, sizeof(bt), "%.1f%%", s->between * 100);
	if (!isnan(s->within))
		snprintf(wt, sizeof(wt), "%.1f%%", s->within * 100);
	if (s->modes.n > 1) {
		for (size_t k = 0; k < s->modes.n && len < sizeof(modes); k++) {
			char a[32];

			measure_format(v->ms, s->modes.median[k], a, sizeof(a));
			len += (size_t)snprintf(modes + len, sizeof(modes) - len, "%s%s in %zu/%zu",
						k ? "; " : "", a, s->modes.count[k], s->n);
		}
		len = (size_t)snprintf(told, sizeof(told), "%s",
				       s->told_by ? s->told_by : "no column");
		for (size_t k = 0; s->told_by && k < s->modes.n && len < sizeof(told); k++)
			len += (size_t)snprintf(told + len, sizeof(told) - len, "%s%.3g",
						k ? " vs " : " ", s->told[k]);
	}
	snprintf(n, sizeof(n), "%zu", s->n);
	ipcb_doc_row(r->d, v->g->label, v->g->placement, sz, measure_name(v->ms), n, med, bt, wt,
		     modes, told);
}

static void print_variation(struct report *r)
{
	const struct model *m = r->m;
	struct vg *v = calloc(2 * m->nindex + 1, sizeof(*v));
	double *bt = calloc(2 * m->nindex + 1, sizeof(*bt)),
	       *wt = calloc(2 * m->nindex + 1, sizeof(*wt));
	size_t n = 0, nb = 0, nw = 0, multi = 0, more = 0;
	double mb = NAN, mw = NAN;

	if (!v || !bt || !wt)
		goto out;
	for (size_t i = 0; i < m->nindex; i++) {
		const struct group *g = &m->groups[m->index[i]];
		enum measure ms = g->latency ? M_RTT50 : M_BPS;

		if (g->floor || !g->sum[ms].n)
			continue;
		v[n++] = (struct vg){g, ms};
		if (!isnan(g->sum[ms].between))
			bt[nb++] = g->sum[ms].between;
		if (!isnan(g->sum[ms].within))
			wt[nw++] = g->sum[ms].within;
		multi += g->sum[ms].modes.n > 1;
	}
	if (nb)
		ipcb_stats_median(bt, nb, &mb);
	if (nw)
		ipcb_stats_median(wt, nw, &mw);
	ipcb_doc_p(
	    r->d,
	    "Two levels of variation over %zu groups (transport, placement, size and measure): the "
	    "spread between rounds (1.4826 MAD over the median of the rounds' values) has a median "
	    "of %.1f%%; the spread within a run (a round trip's interquartile range over its "
	    "median) %.1f%%. %zu groups' rounds fall into separate modes (a gap of 25%% or more, "
	    "three times wider than either side's own range, with at least two rounds on each "
	    "side): the tables give each mode with its share of the rounds instead of one "
	    "median, and here the column that tells the modes apart where one does (its values "
	    "in each mode apart from the next mode's, their medians by a switch every twentieth "
	    "message or a probe a quarter slower).",
	    n, isnan(mb) ? 0 : mb * 100, isnan(mw) ? 0 : mw * 100, multi);
	qsort(v, n, sizeof(*v), vg_cmp);
	ipcb_doc_table(r->d, "llllrlrrll", "transport", "placement", "size", "measure", "rounds",
		       "median [interval]", "between rounds", "within a run", "modes",
		       "told apart by");
	for (size_t i = 0; i < n; i++)
		if (v[i].g->sum[v[i].ms].modes.n > 1)
			vg_row(r, &v[i]);
	for (size_t i = 0; i < n && more < 10; i++)
		if (v[i].g->sum[v[i].ms].modes.n < 2 && !isnan(v[i].g->sum[v[i].ms].between)) {
			vg_row(r, &v[i]);
			more++;
		}
	ipcb_doc_table_end(r->d);
out:
	free(v);
	free(bt);
	free(wt);
}

void sec_machine(struct report *r)
{
	print_floors(r);
	print_sized(r);
	print_cliffs(r);
	print_beaten(r);
	print_states(r);
	print_variation(r);
}

/* The page's: the machine's columns (the Markdown names the machine in one line). */
void sec_page_machine(struct report *r)
{
	if (r->d->fmt == IPCB_DOC_HTML)
		html_machine(r->d, r->m);
}
