/* SPDX-License-Identifier: MIT */
/*
 * answers.c - the answers first: for each use case and placement, the best mechanism of each
 * measured reader class, what the rounds show the same as it, what they could not tell apart
 * (with the command that would), the first shown slower, and the memory each reserves; see
 * sections.h. Every value is the model's summary and every pair goes through the rule.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "sizes.h"
#include "report.h"
#include "rule.h"
#include "sections.h"
/* ---- the answers first -------------------------------------------------------------------- */

static const struct {
	const char *what;
	enum measure ms;
	bool big; /* at the largest size, else the smallest */
} questions[] = {
    {"Small messages (the 64 B round trip, p50)", M_RTT50, false},
    {"Bulk transfer (the 1 MiB stream)", M_BPS, true},
    {"CPU cost (both sides' CPU per message of the 64 B stream, and its server's where it has "
     "one)",
     M_CPU, false},
    {"The CPU a waiting reader keeps busy (the 64 B round trip's receiver, which waits for "
     "each next request, and the server it waits through where it has one: their CPU time "
     "over the run's time)",
     M_WAIT_CPU, false},
};

/*
 * One value of a tie group's member, as the tables give it (series_text(): its modes where its
 * rounds fell into modes, its interval where that is loose), with a round trip's p99 and, where
 * that rests on fewer than 100 samples a run, how many (under 100 round trips, it is the slowest).
 */
static void answer_value(const struct model *m, const struct group *g, enum measure ms, char *out,
			 size_t n)
{
	char p[32], p99[96] = "";

	if (ms == M_RTT50 && g->sum[M_RTT99].n) {
		double msgs = model_min_messages(m, g);

		measure_format(M_RTT99, g->sum[M_RTT99].median, p, sizeof(p));
		/* Under 100 round trips a run, the p99 is the slowest of them. */
		if (msgs < 100)
			snprintf(p99, sizeof(p99), "p99 %s, the slowest of %.0f a run", p, msgs);
		else if (msgs * 0.01 < 100)
			snprintf(p99, sizeof(p99), "p99 %s, from %.0f sample%s a run", p,
				 floor(msgs * 0.01), floor(msgs * 0.01) == 1 ? "" : "s");
		else
			snprintf(p99, sizeof(p99), "p99 %s", p);
	}
	series_text(p99, g, ms, out, n);
}

/* A value in a list of many: the median, or the modes, and nothing more. */
static void short_value(const struct group *g, enum measure ms, char *out, size_t n)
{
	const struct summary *s = &g->sum[ms];
	size_t w = 0;

	if (s->modes.n > 1) {
		for (size_t k = 0; k < s->modes.n && w < n; k++) {
			char v[32];

			measure_format(ms, s->modes.median[k], v, sizeof(v));
			w += (size_t)snprintf(out + w, n - w, "%s%s in %zu/%zu", k ? ", " : "", v,
					      s->modes.count[k], s->n);
		}
		return;
	}
	measure_format(ms, s->median, out, n);
}

/* A size as -s takes it: "64", "64K", "1M". */
static void size_arg(size_t size, char *out, size_t n)
{
	if (size >= 1048576 && size % 1048576 == 0)
		snprintf(out, n, "%zuM", size / 1048576);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(out, n, "%zuK", size / 1024);
	else
		snprintf(out, n, "%zu", size);
}

/*
 * The command that measures the mechanisms of list (n of them) again at this placement, size
 * and measure with more rounds: the transports by name, each tuned one with its setting.
 */
static void more_rounds(const struct group *const *list, size_t n, const char *pl, size_t size,
			enum measure ms, size_t rounds, char *out, size_t len)
{
	char sz[32];
	size_t w;

	w = (size_t)snprintf(out, len, "ipcbench -t ");
	for (size_t i = 0; i < n && w < len; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(list[k]->transport, list[i]->transport);
		if (!seen)
			w += (size_t)snprintf(out + w, len - w, "%s%s", w > 12 ? "," : "",
					      list[i]->transport);
	}
	for (size_t i = 0; i < n && w < len; i++)
		if (*list[i]->tuning)
			w += (size_t)snprintf(out + w, len - w, " -o %s.%s", list[i]->transport,
					      list[i]->tuning);
	size_arg(size, sz, sizeof(sz));
	if (w < len)
		snprintf(out + w, len - w,
			 " -s %s -m %s --placement %s --repeat %zu --csv more.csv", sz,
			 measure_latency(ms) ? "latency" : "throughput", pl, rounds);
}

/* Rounds that would decide whether b is the same as the best or slower: see answer(). */
static size_t rounds_needed(const struct tie *t, size_t k)
{
	double target;

	/* A sample that could not test asks four times its rounds. */
	if (!t || isnan(t->est) || isnan(t->half) || k < 2)
		return 4 * (k ? k : 1);
	/*
	 * The interval narrows with the square root of the rounds, and must end short of the
	 * margin on the side its estimate is (to show the same, within it; to show slower,
	 * beyond it).
	 */
	target = fmax(fabs(fabs(t->est) - log1p(CLAIM_MARGIN)), log1p(CLAIM_MARGIN) / 4);
	return (size_t)ceil((double)k * pow(t->half / target, 2));
}

/*
 * One question at one placement for one reader class: the best, then what the tests show the
 * same as it (within the margin either way: two one-sided tests, decided in its cell's family:
 * book.h), then what the rounds could not tell apart from it, with how large a difference they
 * leave open, then what was measured in a single round (no test can be made of one), then the
 * fastest shown slower; and the command that would measure the undecided again with enough
 * rounds. With collect, its tests are noted in the book and nothing is printed.
 */
static void answer(struct report *r, const char *pl, size_t size, enum measure ms, enum reader cls,
		   bool collect)
{
	const struct model *m = r->m;
	const struct group **c = calloc(m->nlabels + 1, sizeof(*c)), *best = NULL;
	struct tie *t = calloc(m->nlabels + 1, sizeof(*t));
	double *pw = calloc(m->nlabels + 1, sizeof(*pw)), *ps = calloc(m->nlabels + 1, sizeof(*ps));
	bool *worse = calloc(m->nlabels + 1, sizeof(*worse));
	bool *same = calloc(m->nlabels + 1, sizeof(*same));
	bool *fair = calloc(m->nlabels + 1, sizeof(*fair)); /* the rule lets it stand */
	const struct group **loans = calloc(m->nlabels + 1, sizeof(*loans));
	const struct group **open = calloc(m->nlabels + 2, sizeof(*open));
	const struct group **single = calloc(m->nlabels + 1, sizeof(*single));
	/* Rounds enough each, but fewer than two in the one state of the machine they share. */
	const struct group **split = calloc(m->nlabels + 1, sizeof(*split));
	size_t *ordered = calloc(m->nlabels + 1, sizeof(*ordered));
	size_t n = 0, nloans = 0, nopen = 0, nsingle = 0, nsplit = 0, nordered = 0, rounds = 0,
	       need = 0;
	char why[300], notes[300], v[320], cmd[512];
	double wide = 0;
	const char *sep;

	if (!c || !t || !pw || !ps || !worse || !same || !fair || !loans || !open || !single ||
	    !split || !ordered)
		goto out;
	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *g = model_find(m, m->labels[i], pl, size, ms);

		if (!g || !g->sum[ms].n || g->reader != cls || g->floor)
			continue;
		if (g->loan) {
			loans[nloans++] = g;
			continue;
		}
		c[n++] = g;
		if (!best || (measure_lower_better(ms) ? g->sum[ms].median < best->sum[ms].median
						       : g->sum[ms].median > best->sum[ms].median))
			best = g;
	}
	if (!best)
		goto out;
	groups_sort(c, n, ms);
	/*
	 * Two tests of each against the best: slower by more than the margin (the claims' "better
	 * than", best against it), and the same within it either way; each decided in its cell's
	 * family with every other test the report makes there (book.h), so that a pair the claims
	 * compare too has one verdict.
	 */
	for (size_t i = 0; i < n; i++) {
		struct book_key kw = {best, c[i], ms, T_BEATS, 1 + CLAIM_MARGIN, 0};
		struct book_key ks = {best, c[i], ms, T_SAME, 1 + CLAIM_MARGIN, 0};
		double no = NAN;
		int v2[2] = {0, 0};

		pw[i] = ps[i] = NAN;
		if (c[i] == best ||
		    !rule_comparable(m, best, c[i], ms, 0, why, sizeof(why), notes, sizeof(notes)))
			continue;
		fair[i] = true;
		judge_tie(m, best, c[i], ms, &t[i]);
		judge_one(m, best, c[i], ms, T_BEATS, &pw[i], &no, NULL);
		ps[i] = t[i].p_same;
		if (!m->book) {
			continue; /* decided nowhere: not told apart */
		} else if (collect) {
			if (!isnan(pw[i]))
				book_note(m->book, &kw, pw[i], no);
			if (!isnan(ps[i]))
				book_note(m->book, &ks, ps[i], NAN);
		} else {
			const struct book_key k2[2] = {kw, ks};
			const double y2[2] = {pw[i], ps[i]}, n2[2] = {no, NAN};

			book_decide_some(m->book, k2, y2, n2, 2, -1, CLAIM_ALPHA, v2);
			worse[i] = v2[0] > 0;
			same[i] = !worse[i] && v2[1] > 0;
		}
	}
	if (collect)
		goto out;
	/*
	 * "The same" is said beside the two medians the page prints: where those are further
	 * apart than the margin (the test pairs rounds, the medians are each group's own), it is
	 * not said, and the pair is left among those the rounds could not tell apart.
	 */
	for (size_t i = 0; i < n; i++)
		if (same[i] && !(fabs(log(c[i]->sum[ms].median / best->sum[ms].median)) <=
				 log1p(CLAIM_MARGIN)))
			same[i] = false;
	ipcb_doc_add(r->d, "readers that %s: ",
		     cls == R_POLLS    ? "poll"
		     : cls == R_SLEEPS ? "sleep"
				       : "wait (not counted)");
	answer_value(m, best, ms, v, sizeof(v));
	ipcb_doc_add(r->d, DOC_B("%s") " %s", best->label, v);
	sep = "; the same (within 5% either way, shown): ";
	for (size_t i = 0; i < n; i++) {
		if (c[i] == best || !fair[i] || worse[i] || !same[i])
			continue;
		answer_value(m, c[i], ms, v, sizeof(v));
		ipcb_doc_add(r->d, "%s" DOC_B("%s") " %s", sep, c[i]->label, v);
		sep = ", ";
	}
	/*
	 * What the rounds could not tell apart from the best, and how far apart it may be; a
	 * group of one round (or the best, if it had one) could not be tested at all.
	 */
	open[nopen++] = best;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (c[i] == best || !fair[i] || worse[i] || same[i])
			continue;
		k = t[i].rounds;
		if (rounds_needed(&t[i], k) > need)
			need = rounds_needed(&t[i], k);
		if (c[i]->sum[ms].n < 2 || best->sum[ms].n < 2) {
			single[nsingle++] = c[i];
			continue;
		}
		if (k < 2) {
			split[nsplit++] = c[i];
			continue;
		}
		/*
		 * Slower by more than the margin in every round the two share: an order the rounds
		 * all show, too few to test; said as such, never among what they cannot tell
		 * apart (which a reader takes for "about the same").
		 */
		if (t[i].slower_lo > 1 + CLAIM_MARGIN) {
			ordered[nordered++] = i;
			continue;
		}
		open[nopen++] = c[i];
		/*
		 * A sample that cannot test leaves a difference of any size open; and what is
		 * left open is never less than the medians printed beside it are apart.
		 */
		if (isnan(t[i].worst) || isnan(t[i].most))
			wide = INFINITY;
		else
			wide = fmax(wide, fmax(t[i].worst, t[i].most));
		wide = fmax(wide, fabs(c[i]->sum[ms].median / best->sum[ms].median - 1));
		if (!rounds || k < rounds)
			rounds = k;
	}
	if (nopen > 1) {
		ipcb_doc_add(r->d, "; cannot tell apart with %zu round%s: %zu mechanism%s (",
			     rounds, rounds == 1 ? "" : "s", nopen - 1, nopen == 2 ? "" : "s");
		for (size_t i = 1; i < nopen; i++) {
			short_value(open[i], ms, v, sizeof(v));
			ipcb_doc_add(r->d, "%s%s %s", i > 1 ? ", " : "", open[i]->label, v);
		}
		if (isfinite(wide) && wide > 0)
			ipcb_doc_add(r->d, "), differences up to %.0f%% not excluded", wide * 100);
		else
			ipcb_doc_add(r->d, "), differences of any size not excluded");
	}
	for (size_t j = 0; j < nordered; j++) {
		const struct tie *o = &t[ordered[j]];
		char lo[16], hi[16];

		short_value(c[ordered[j]], ms, v, sizeof(v));
		/* A span whose ends read alike is one factor: "1.1x", not "1.1-1.1x". */
		snprintf(lo, sizeof(lo), "%.2g", o->slower_lo);
		snprintf(hi, sizeof(hi), "%.2g", o->slower_hi);
		ipcb_doc_add(r->d, "%s%s %s (%s%s%sx",
			     j ? ", " : "; slower in every round, too few rounds to test: ",
			     c[ordered[j]]->label, v, lo, strcmp(lo, hi) ? "-" : "",
			     strcmp(lo, hi) ? hi : "");
		/* Rounds that do not pair up (a sweep's own numbering): every run against every
		 * run. */
		if (o->paired)
			ipcb_doc_add(r->d, " in each of %zu rounds)", o->rounds);
		else
			ipcb_doc_add(r->d, ", each of its %zu runs against each of %s's %zu)",
				     o->runs[0], best->label, o->runs[1]);
	}
	if (nsingle) {
		ipcb_doc_add(r->d, "; measured in a single round, so not tested: ");
		for (size_t i = 0; i < nsingle; i++) {
			short_value(single[i], ms, v, sizeof(v));
			ipcb_doc_add(r->d, "%s%s %s", i ? ", " : "", single[i]->label, v);
		}
	}
	if (nsplit) {
		ipcb_doc_add(r->d,
			     "; measured beside it in one state of the machine in fewer than two "
			     "rounds, so not tested: ");
		for (size_t i = 0; i < nsplit; i++) {
			short_value(split[i], ms, v, sizeof(v));
			ipcb_doc_add(r->d, "%s%s %s", i ? ", " : "", split[i]->label, v);
		}
	}
	{
		const struct group *next = NULL;

		for (size_t i = 0; i < n; i++)
			if (worse[i] &&
			    (!next || (measure_lower_better(ms)
					   ? c[i]->sum[ms].median < next->sum[ms].median
					   : c[i]->sum[ms].median > next->sum[ms].median)))
				next = c[i];
		if (next) {
			answer_value(m, next, ms, v, sizeof(v));
			ipcb_doc_add(r->d, "; the fastest shown slower: %s %s", next->label, v);
		}
	}
	sep = "; loans, read in place and not counted (T2): ";
	for (size_t i = 0; i < nloans; i++) {
		short_value(loans[i], ms, v, sizeof(v));
		ipcb_doc_add(r->d, "%s%s %s", sep, loans[i]->label, v);
		sep = ", ";
	}
	/* The finalists measured again: the best, the undecided, the untested and the single
	 * rounds. */
	if (nopen > 1 || nsingle || nordered) {
		size_t have = rounds ? rounds : 1;

		for (size_t j = 0; j < nordered; j++) {
			size_t k = t[ordered[j]].rounds;

			if (!rounds || k < rounds)
				have = rounds = k;
			open[nopen++] = c[ordered[j]];
		}
		for (size_t i = 0; i < nsingle; i++)
			open[nopen++] = single[i];
		need = need < have + 5 ? have + 5 : need > 200 ? 200 : need;
		more_rounds(open, nopen, pl, size, ms, need, cmd, sizeof(cmd));
		ipcb_doc_add(r->d, "; to tell them apart: " DOC_C("%s"), cmd);
	}
	ipcb_doc_item(r->d);
out:
	free(c);
	free(t);
	free(pw);
	free(ps);
	free(worse);
	free(same);
	free(fair);
	free(loans);
	free(open);
	free(single);
	free(split);
	free(ordered);
}

/* The readers whose rounds polled in some and slept in others: listed, not ranked. */
static void answer_unclear(struct report *r, const char *pl, size_t size, enum measure ms)
{
	const struct model *m = r->m;
	const char *sep = "readers whose rounds polled and slept (their class unclear, not "
			  "compared): ";
	char v[320];
	bool any = false;

	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *g = model_find(m, m->labels[i], pl, size, ms);

		if (!g || !g->sum[ms].n || g->reader != R_UNCLEAR || g->floor)
			continue;
		answer_value(m, g, ms, v, sizeof(v));
		ipcb_doc_add(r->d, "%s%s %s (polled in %zu of %zu rounds)", sep, g->label, v,
			     g->ctx_polled, g->ctx_polled + g->ctx_slept);
		sep = ", ";
		any = true;
	}
	if (any)
		ipcb_doc_item(r->d);
}

/* Was the measure measured at this placement and size (any mechanism's group)? */
static bool measured(const struct model *m, const char *pl, size_t size, enum measure ms)
{
	for (size_t i = 0; size && i < m->nlabels; i++) {
		const struct group *g = model_find(m, m->labels[i], pl, size, ms);

		if (g && !g->floor && g->sum[ms].n)
			return true;
	}
	return false;
}

/* The least memory first; a group that reported none last. */
static int by_memory(const void *a, const void *b)
{
	double x = (*(const struct group *const *)a)->buffer;
	double y = (*(const struct group *const *)b)->buffer;

	x = x > 0 ? x : INFINITY;
	y = y > 0 ? y : INFINITY;
	return x < y ? -1 : x > y;
}

/*
 * Memory reserved for messages in flight, at one size: every mechanism at its defaults, least
 * first, as its transport reported its channel's buffers (one figure, not a measurement over
 * rounds: nothing to test), and the resident memory of the servers some of them need.
 */
static void answer_memory(struct report *r, size_t size)
{
	const struct model *m = r->m;
	const struct group **list = calloc(m->nlabels + 1, sizeof(*list));
	size_t n = 0, unknown = 0;
	const char *sep;
	char v[32];

	if (!list)
		return;
	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *g = NULL;

		/* A stream's channel, one direction, as T1 gives it; else the round trip's. */
		for (size_t p = 0; p < m->nplacements && !g; p++)
			g = model_pair(m, m->labels[i], m->placements[p], size, false);
		for (size_t p = 0; p < m->nplacements && !g; p++)
			g = model_pair(m, m->labels[i], m->placements[p], size, true);
		if (g && !g->floor && !*g->tuning)
			list[n++] = g;
	}
	qsort(list, n, sizeof(*list), by_memory);
	size_format(size, v, sizeof(v));
	ipcb_doc_add(r->d, "at %s, least first: ", v);
	for (size_t i = 0; i < n; i++) {
		if (!(list[i]->buffer > 0)) {
			unknown++;
			continue;
		}
		measure_format(M_BUFFER, list[i]->buffer, v, sizeof(v));
		ipcb_doc_add(r->d, "%s%s %s%s", i ? ", " : "", list[i]->label, v,
			     list[i]->latency ? " (its round trip's, both ways)" : "");
	}
	sep = "; not reported by: ";
	for (size_t i = 0; i < n && unknown; i++)
		if (!(list[i]->buffer > 0)) {
			ipcb_doc_add(r->d, "%s%s", sep, list[i]->label);
			sep = ", ";
		}
	sep = "; besides, the resident memory of the server each needs: ";
	for (size_t i = 0; i < n; i++) {
		const struct group *g = list[i];

		if (!g->sum[M_SRV_RSS].n)
			continue;
		measure_format(M_SRV_RSS, g->sum[M_SRV_RSS].median, v, sizeof(v));
		ipcb_doc_add(r->d, "%s%s %s", sep, g->label, v);
		sep = ", ";
	}
	ipcb_doc_item(r->d);
	free(list);
}

/*
 * The questions at each placement: a heading per placement, a bold line per question, a list
 * item per reader class (and what was not measured). With collect, only their tests noted in
 * the report's book (book.h), nothing printed.
 */
static void questions_each(struct report *r, bool collect)
{
	const struct model *m = r->m;

	for (size_t p = 0; p < m->nplacements; p++) {
		const char *pl = m->placements[p];

		if (!strcmp(pl, "two-host"))
			continue;
		if (!collect)
			ipcb_doc_h(r->d, 3, "%s", pl);
		for (size_t q = 0; q < sizeof(questions) / sizeof(questions[0]); q++) {
			size_t size = questions[q].big ? r->mib_exact : r->small_exact;
			enum measure ms = questions[q].ms;
			bool rtt = measure_latency(ms);

			if (!collect)
				ipcb_doc_p(r->d, DOC_B("%s"), questions[q].what);
			if (!measured(m, pl, size, ms)) {
				if (!collect)
					ipcb_doc_li(r->d,
						    "not measured: this CSV has no %s at %s here "
						    "(" DOC_C("ipcbench -s %s -m %s") ")",
						    rtt ? "round trip" : "stream",
						    questions[q].big ? "1 MiB" : "64 B",
						    questions[q].big ? "1M" : "64",
						    rtt ? "latency" : "throughput");
				continue;
			}
			for (int cls = R_POLLS; cls <= R_SLEEPS; cls++)
				answer(r, pl, size, ms, (enum reader)cls, collect);
			if (!m->has_ctx)
				answer(r, pl, size, ms, R_UNKNOWN, collect);
			if (!collect)
				answer_unclear(r, pl, size, ms);
		}
	}
}

void answers_collect(struct report *r)
{
	questions_each(r, true);
}

/* sec_answers() and the driver's closing answers (ipcb_report_answers) alike. */
void answers_questions(struct report *r)
{
	questions_each(r, false);
}

void sec_answers(struct report *r)
{
	ipcb_doc_h(r->d, 2, "The answers in brief");
	ipcb_doc_p(
	    r->d,
	    "What a person choosing a mechanism asks first, answered on this machine for each "
	    "placement: the best, what the rounds show the same as it (within %.0f%% either way), "
	    "what they cannot tell apart from it and how large a difference they leave open (with "
	    "the command that would tell them apart), and the first one shown slower. Each row is "
	    "in the class its own rows measured: readers that poll (under %.1f voluntary context "
	    "switches per message in every round: one preempted on a shared CPU polls) and readers "
	    "that sleep are answered apart, and one whose "
	    "rounds did both is listed as unclear; loans (the receiver reads the payload in "
	    "place) are left out of these copies of the bytes.",
	    CLAIM_MARGIN * 100, MODEL_POLL_CTX);
	answers_questions(r);
	answers_ceilings(r);
	ipcb_doc_h(r->d, 3, "Memory reserved for messages in flight");
	ipcb_doc_p(r->d,
		   "Each mechanism at its defaults, as its transport reported the buffers "
		   "its channel holds for messages in flight (rings, pipe and socket buffers, "
		   "queue capacities; one figure, the same in every round): a stream's "
		   "channel, one direction, as T1 gives it, or where a mechanism has no "
		   "stream at that size, its round trip's, both directions.");
	if (r->small_exact)
		answer_memory(r, r->small_exact);
	if (r->mib_exact)
		answer_memory(r, r->mib_exact);
	if (!r->small_exact && !r->mib_exact)
		ipcb_doc_li(r->d, "not measured: this CSV has no rows at 64 B or 1 MiB (" DOC_C(
				      "ipcbench -s 64,1M") ")");
	ipcb_doc_h(r->d, 3, "The guides' claims");
	ipcb_doc_p(
	    r->d,
	    "Each claim, its grade from the comparisons the tests decided, and how often "
	    "resamples of the rounds give the same grade (" DOC_I(
		"unstable") " where under "
			    "%.0f%% do, or where one decided comparison fewer would grade it "
			    "across "
			    "a line of " DOC_I("mostly") ", as another run may); the appendix "
							 "gives every comparison, "
							 "exceptions first, and what the rule "
							 "refused to compare.",
	    CLAIM_STABLE * 100);
	ipcb_doc_table(r->d, "lllrr", "claim", "the guides say", "verdict",
		       "decided comparisons that hold", "same grade in resamples");
	for (size_t i = 0; i < r->nclaims; i++) {
		const struct verdict *v = &r->verdicts[i];
		char held[32] = "-", st[32] = "-";

		if (v->yes + v->no)
			snprintf(held, sizeof(held), "%zu of %zu", v->yes, v->yes + v->no);
		if (!isnan(v->stable))
			snprintf(st, sizeof(st), "%.0f%%%s", v->stable * 100,
				 verdict_unstable(v) ? " (unstable)" : "");
		else if (verdict_unstable(v))
			snprintf(st, sizeof(st), "- (unstable)");
		ipcb_doc_row(r->d, claim_id(v->def), claim_words(v->def), grade_names[v->grade],
			     held, st);
	}
	ipcb_doc_table_end(r->d);
}
