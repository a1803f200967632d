/* SPDX-License-Identifier: MIT */
/*
 * ceilings.c - the answers' rows held against what the machine allows them: each group far
 * below its ceiling, grouped by what its run can say of why (its reader slept, its calls, its
 * own path, a library's, the kernel's), with its rounds' shares and, for a round trip, the
 * leanest round trip of its size; see sections.h.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sections.h"

/*
 * A row under half its ceiling says how often its waiting side left the CPU where it did at
 * least every twentieth message: no ceiling counts those turns (a wake-up, a switch to the other
 * side on a CPU both share), which are the mechanism's and its wait's.
 */
#define CEILING_SWITCHES 0.05

/* Rows below half their ceiling: by transport, then the farthest below it first. */
static int by_transport_share(const void *a, const void *b)
{
	const struct group *x = *(const struct group *const *)a,
			   *y = *(const struct group *const *)b;
	int t = strcmp(x->transport, y->transport);

	if (t)
		return t;
	return x->x_floor < y->x_floor ? 1 : x->x_floor > y->x_floor ? -1 : 0;
}

/* A shared-memory path of ipcbench's own (no library between it and the memory). */
static bool own_path(const struct group *g)
{
	return !strcmp(g->path, "shared-memory") && !g->framework && !*g->library;
}

enum why { WHY_SLEPT, WHY_OWN, WHY_CALLS, WHY_LIBRARY, WHY_KERNEL, WHY_COUNT };

/* Does the group's ceiling count system calls its messages take (floor-syscall)? */
static bool ceiling_calls(const struct group *g)
{
	return g->ceiling && strstr(g->ceiling, "floor-syscall");
}

/*
 * What a group's run can say about why it stands far below its ceiling: a reader that slept
 * waited for its messages (a stream's ceiling is a copy, a polling round trip's a cache line),
 * a mechanism that enters the kernel for every message spent the rest in its calls (the ceiling
 * counts them at the cheapest call's time, floor-syscall; what they do there is theirs), else
 * the path it takes. Copy cliffs are not a reason here: ipcbench's own transports keep their
 * payloads clear of them (tests/unit/test_ringplan.c), and of another path's copies the rows
 * say nothing; the appendix lists the machine's cliffs.
 */
static enum why ceiling_why(const struct group *g)
{
	if (own_path(g) && ceiling_calls(g))
		return WHY_CALLS;
	if (g->reader == R_SLEEPS && !g->latency)
		return WHY_SLEPT;
	if (own_path(g))
		return WHY_OWN;
	return g->framework || *g->library ? WHY_LIBRARY : WHY_KERNEL;
}

/*
 * A round trip against the leanest one of its size measured at its placement (floor-mailbox, with
 * --floor: a sequence word on a line of its own, the payload copied out by a reader that spins):
 * where the ceiling's parts add up to less than any program reaches, as on a CPU whose copy of a
 * message just written by the other CPU runs far slower than a stream of such copies
 * (floor-xcopy), the mailbox takes that time too. Added to the row's entry, in its parenthesis
 * (*open: one is open already): the mailbox's round trip and the row's time as a multiple of it.
 */
static void ceiling_mailbox(struct report *r, const struct group *g, bool *open)
{
	const struct group *mb;
	double row, box;
	char v[32];

	/* Not where the mailbox is the row's ceiling already: its share says it. */
	if (!g->latency || (g->ceiling && !strncmp(g->ceiling, "floor-mailbox", 13)))
		return;
	mb = model_find(r->m, "floor-mailbox", g->placement, g->size, M_RTT50);
	if (!mb || !mb->kept)
		return;
	row = g->sum[M_RTT50].median;
	box = mb->sum[M_RTT50].median;
	if (isnan(row) || isnan(box) || box <= 0)
		return;
	measure_format(M_RTT50, box, v, sizeof(v));
	ipcb_doc_add(r->d, "%s%.2fx " DOC_C("floor-mailbox") "'s %s", *open ? "; " : " (",
		     row / box, v);
	*open = true;
}

/*
 * A stream across two CPUs beside the cache-line round trip measured with its rounds (the
 * cache-line probe): a mechanism whose sides take a line in turn for every message (a lock both
 * take, a semaphore's count) pays about that round trip a message, which no copy and no
 * hand-over of a ring counts. Where its message takes at least half of it, and its ceiling a
 * message less than all of it (beyond that, its copies hold it), added to the row's entry, in
 * its parenthesis (*open: one is open already): the time a message takes, and that as a
 * multiple of the round trip (in a default run on the AMD EPYC guest, shm-mutex's 64 B stream
 * took 130-190 ns a message against the probe's 110-120, where shm's ring took 26-43).
 */
static void ceiling_line(struct report *r, const struct group *g, bool *open)
{
	double per_msg, line;
	char v[32], w[32];

	if (g->latency || !g->nruns ||
	    model_run_sides(g, &r->m->runs[g->runs[0]]) != IPCB_SIDES_TWO_CPUS)
		return;
	per_msg = 1e9 / g->sum[M_MSGS].median;
	line = model_run_median(r->m, g, offsetof(struct run, probe_cl), false);
	/* Not where the ceiling's own time a message is longer: its copies hold it there. */
	if (!(per_msg > 0) || isinf(per_msg) || !(line > 0) || per_msg < line / 2 ||
	    per_msg / g->x_floor >= line)
		return;
	measure_format(M_RTT50, per_msg, v, sizeof(v));
	measure_format(M_RTT50, line, w, sizeof(w));
	ipcb_doc_add(r->d, "%sa message every %s: %.2gx the cache-line round trip's %s",
		     *open ? "; " : " (", v, per_msg / line, w);
	*open = true;
}

/*
 * A row under half of its ceiling whose rounds reached half of it in some of them: its path can,
 * and what held the others back moved between rounds (on the EPYC guest the machine's slow
 * spells: mmap's 4 KiB stream ran at 0.27 and 0.33 of its ceiling in two rounds of a default
 * run, 0.50-0.73 in the other three). Added
 * to the row's entry, in its parenthesis (*open: one is open already): its kept rounds' shares,
 * and how many reached half; nothing where none did (the row's path, every round) or where it
 * has one round. Rounds beyond their own ceiling are left out of the shares and counted.
 */
static void ceiling_rounds(struct report *r, const struct group *g, bool *open)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t n = 0, half = 0, beyond = 0;

	for (size_t k = 0; k < g->nruns; k++) {
		const struct run *run = &r->m->runs[g->runs[k]];

		if (run->aside || isnan(run->x_floor) || run->x_floor <= 0)
			continue;
		/*
		 * A round beyond its own ceiling measured the ceiling wrong, not its path (the
		 * ceiling's short copy held up, a reader that slept less often than its class):
		 * its share says nothing of how far the path is from what the machine allows.
		 */
		if (run->x_floor * (1 + MODEL_FLOOR_SLACK) < 1) {
			beyond++;
			continue;
		}
		n++;
		half += run->x_floor < 2;
		lo = fmin(lo, run->x_floor);
		hi = fmax(hi, run->x_floor);
	}
	if (n >= 2 && half) {
		ipcb_doc_add(r->d,
			     "%srounds %.2g-%.2g, %zu of %zu at half or more: its path reaches it",
			     *open ? "; " : " (", 1 / hi, 1 / lo, half, n);
		*open = true;
	}
	if (beyond) {
		ipcb_doc_add(r->d, "%s%zu round%s beyond %s ceiling, left out", *open ? "; " : " (",
			     beyond, beyond == 1 ? "" : "s", beyond == 1 ? "its" : "their");
		*open = true;
	}
}

/*
 * The rows under half of their ceiling, at their defaults: each of ipcbench's own shared-memory
 * transports by name with its rows, the farthest first (such a row is a defect of ipcbench until
 * shown otherwise), the others counted by what their runs say about why.
 */
void answers_ceilings(struct report *r)
{
	const struct model *m = r->m;
	const struct group **list = calloc(m->ngroups + 1, sizeof(*list));
	size_t n = 0, held = 0, counts[WHY_COUNT] = {0}, own = 0;
	const char *shown = NULL, *named = NULL; /* the transport last listed, last named */
	static const char *const why_words[WHY_COUNT] = {
	    "whose reader slept", "",
	    "in shared memory whose messages each take system calls, the rest of their time in "
	    "the kernel's work for those calls",
	    "on a library's path (and its server's, where it has one)", "on the kernel's path"};

	if (!list)
		return;
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi];

		if (g->floor || g->shape != S_PAIR || isnan(g->x_floor) || !g->kept || *g->tuning)
			continue;
		held++;
		if (g->x_floor >= 2)
			list[n++] = g;
	}
	ipcb_doc_h(r->d, 3, "Against the machine's ceilings");
	if (!held) {
		ipcb_doc_p(
		    r->d,
		    "Not measured: no row was held against a ceiling (the rows' " DOC_C(
			"%s") " is empty: a run with " DOC_C("--no-probes") ", or from before "
									    "ceilings were "
									    "measured).",
		    ipcb_csv_name(IPCB_COL_CEILING));
		free(list);
		return;
	}
	qsort(list, n, sizeof(*list), by_transport_share);
	/* clang-format off */
#define CEILING_WHAT                                                                              \
	"Each row is held against what the machine allows it, measured beside it (its "         \
	DOC_C("%s") "): its payload's copies at its placement's copy rate (once across two "     \
	"CPUs, twice on one), a stream's hand-over of each message across two CPUs where that "  \
	"takes longer (a message of a line each, announced on its own), a round trip's "         \
	"hand-over (the cache-line round trip where its sides poll, the wake-up where one "      \
	"sleeps; across two CPUs a polled round trip of up to 16 KiB, copied in and out one "   \
	"message at a time, the leanest one of its size in place of hand-over and copies: "      \
	DOC_C("floor-mailbox") "), the system calls each message takes at the cheapest call's "  \
	"time (" DOC_C("floor-syscall") ") and the harness's own time. "
	/* None below half: the list and what it would say of each are not announced. */
	if (!n) {
		if (held == 1)
			ipcb_doc_p(r->d, CEILING_WHAT "The one group so held at its defaults "
				   "reaches at least half of its ceiling.",
				   ipcb_csv_name(IPCB_COL_CEILING));
		else
			ipcb_doc_p(r->d, CEILING_WHAT "All %zu groups so held at their defaults "
				   "reach at least half of their ceiling.",
				   ipcb_csv_name(IPCB_COL_CEILING), held);
		free(list);
		return;
	}
	ipcb_doc_p(r->d, CEILING_WHAT
		   "Of %zu groups so held at their defaults, %zu reach less than half of their "
		   "ceiling; each as its share of it, " DOC_I("slept") " where its reader slept, "
		   "and how often its waiting side left the CPU where that was at least every "
		   "twentieth message (no ceiling counts those turns); its rounds' shares where "
		   "some reached half (its path can; what held the others back moved between "
		   "rounds); a round trip beside the "
		   "leanest one of its size measured here (" DOC_C("floor-mailbox") ": a sequence "
		   "word, the payload copied out by a reader that spins), where the run has it: "
		   "where that takes as long, the machine's copy of a message just written on the "
		   "other CPU is what holds both, slower than a stream of such copies; a stream "
		   "across two CPUs beside the cache-line round trip measured with it, where a "
		   "message takes half of that or more (sides that take a line in turn for every "
		   "message, as a lock both take, pay about that round trip for each):",
		   ipcb_csv_name(IPCB_COL_CEILING), held, n);
#undef CEILING_WHAT
	/* clang-format on */
	for (size_t i = 0; i < n; i++) {
		const struct group *g = list[i];
		enum why w = ceiling_why(g);
		bool open; /* a parenthesis after the row's share, still open */
		char sz[16];

		if (!own_path(g) || w == WHY_CALLS) {
			counts[w]++;
			continue;
		}
		if (!shown || strcmp(g->transport, shown)) {
			if (shown)
				ipcb_doc_item(r->d);
			ipcb_doc_add(r->d, DOC_B("%s") ": ", g->transport);
			shown = g->transport;
		} else {
			ipcb_doc_add(r->d, ", ");
		}
		own++;
		size_format(g->size, sz, sizeof(sz));
		ipcb_doc_add(r->d, "%s %s %s %.2g%s", g->placement,
			     g->latency ? "round trip" : "stream", sz, 1 / g->x_floor,
			     w == WHY_SLEPT ? " " DOC_I("slept") : "");
		/* What else its runs say: the turns its waiting side took off the CPU, its rounds.
		 */
		open = !isnan(g->ctx) && g->ctx >= CEILING_SWITCHES;
		if (open)
			ipcb_doc_add(r->d, " (%.2g %s a message", g->ctx,
				     g->ctx_voluntary ? "sleeps" : "switches");
		ceiling_rounds(r, g, &open);
		ceiling_mailbox(r, g, &open);
		ceiling_line(r, g, &open);
		if (open)
			ipcb_doc_add(r->d, ")");
	}
	if (own)
		ipcb_doc_item(r->d);
	else if (n)
		ipcb_doc_li(r->d, "ipcbench's own shared-memory transports: none%s",
			    counts[WHY_CALLS]
				? " (but those whose messages take system calls, below)"
				: "");
	if (n > own) {
		ipcb_doc_add(r->d, "the other %zu:", n - own);
		for (int w = 0; w < WHY_COUNT; w++) {
			if (!counts[w])
				continue;
			ipcb_doc_add(r->d, " %zu %s", counts[w], why_words[w]);
			/* Ours held back by the kernel's calls, by name (the list is by transport).
			 */
			for (size_t i = 0, k = 0; w == WHY_CALLS && i < n; i++)
				if (ceiling_why(list[i]) == WHY_CALLS &&
				    (!k || strcmp(list[i]->transport, named)))
					ipcb_doc_add(r->d, "%s%s", k++ ? ", " : " (",
						     named = list[i]->transport);
			ipcb_doc_add(r->d, "%s;", w == WHY_CALLS ? ")" : "");
		}
		ipcb_doc_add(r->d, " each in the CSV's " DOC_C("%s") " and " DOC_C("%s"),
			     ipcb_csv_name(IPCB_COL_X_FLOOR), ipcb_csv_name(IPCB_COL_CEILING));
		ipcb_doc_item(r->d);
	}
	free(list);
}
