/* SPDX-License-Identifier: MIT */
/*
 * method.c - the report's own words around what it measured: its header (the machine, the run,
 * how to read it and where the appendix is), how its numbers, claims and answers are made, and
 * the claims graded (each through claims.c's claim_print, C13's sizes after it).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sections.h"

/* Where the appendix is, in the report's words: its file, or "below". */
static void appendix_where(const struct report *r, char *out, size_t n)
{
	if (r->appendix)
		snprintf(out, n, "the appendix, " DOC_C("%s"), r->appendix);
	else
		snprintf(out, n, "the appendix below");
}

void sec_header(struct report *r)
{
	const struct model *m = r->m;
	/* Static: 4 KiB, and the report is one thread (it runs in 24 KiB of stack). */
	static char app[PATH_MAX + 64];

	appendix_where(r, app, sizeof(app));
	ipcb_doc_h(r->d, 1, "IPC on %s: the guides' tables, measured", *m->host ? m->host : "?");
	ipcb_doc_p(r->d,
		   "Machine: %s, kernel %s; ipcbench %s; measured %.10s; from " DOC_C("%s") ".",
		   m->cpu_model, m->kernel, m->version, m->date, r->csv);
	/* clang-format off */
	ipcb_doc_p(r->d, "First the answers: for each use case, the best mechanism on this "
		   "machine, what the rounds show the same as it, and what they could not tell "
		   "apart from it; then the guides' claims graded, their tables T1-T5 measured, "
		   "each mechanism in a few words, and the figures. Every number is the median "
		   "over the rounds (%u for most groups) of one transport, mode, size and "
		   "placement, with its interval where that reaches more than 10%% from it, or "
		   "its modes where the rounds fell into modes. " DOC_I("cross-core") ": sender "
		   "and receiver on two CPUs; " DOC_I("same-core") ": both on one. How each answer "
		   "and verdict was decided, the machine's floors and states, and every "
		   "comparison and row in full: %s.",
		   m->group_rounds ? m->group_rounds : 1, app);
	/* clang-format on */
}

void sec_method(struct report *r)
{
	const struct model *m = r->m;

	ipcb_doc_h(r->d, 2, "How the numbers and the claims are made");
	/* clang-format off */
	ipcb_doc_p(r->d, "Every number is the median over the rounds (%u for most groups) of one "
		   "transport, mode, size and placement, the runs measured in a passing state of "
		   "the machine set aside, with its interval where that reaches more than 10%% "
		   "from it; where a group's rounds fell into modes, each mode with its share of "
		   "the rounds. Round trips are ping-pong latencies (p50); throughput is a "
		   "one-way stream timed at the receiver. " DOC_I("cross-core") ": sender and "
		   "receiver on two CPUs; " DOC_I("same-core") ": both on one.",
		   m->group_rounds ? m->group_rounds : 1);
	ipcb_doc_p(r->d, "A reader's class is what its own rows measured, row by row: one that "
		   "gave its CPU up to wait (a voluntary context switch) fewer than %.1f times per "
		   "message in every round polled (it never slept; a reader preempted on a shared "
		   "CPU, an involuntary switch, was polling when its CPU was taken and polls when "
		   "it gets it back), one at or above that in every round slept (in a round trip, "
		   "either side; in a stream, the reader), and one whose "
		   "rounds fell on both sides of the line is " DOC_I("unclear") ": listed apart, "
		   "compared with nothing. A round trip and a stream of one mechanism are each "
		   "classed by their own rows, whatever its wait is called.", MODEL_POLL_CTX);
	ipcb_doc_p(r->d, "How the claims are decided. Two measurements are compared only like "
		   "with like: at one placement and size and in one state of the machine, both "
		   "readers polling or both sleeping, both copying every byte (a loan stands only "
		   "against its own copying original), both at their defaults or both at their "
		   "best, and a zero-copy transport only where its rows show the copy was "
		   "avoided; what the rule refuses is listed, never counted. Each comparison is a "
		   "t-test of the per-round log ratios of the two (paired by round; Welch's test "
		   "of the two sets where the rounds do not pair), " DOC_I("faster") " meaning "
		   "faster by more than %.0f%% and a tie not slower by %.0f%% or more. Every test "
		   "the report makes at one placement, size and measure, the claims' and the "
		   "answers' alike, is one family, decided together by Holm's procedure at alpha "
		   "%g, so that a pair the report compares in two places has one verdict; a "
		   "comparison Holm does not reject is " DOC_I("not decided") ". A claim is "
		   "graded from its decided comparisons: " DOC_I("holds") " (all), "
		   DOC_I("mostly holds") " (at least %.0f%%), " DOC_I("mixed") ", "
		   DOC_I("mostly does not hold") ", " DOC_I("does not hold") "; the same is done "
		   "on %d resamples of the rounds, and the share that gives the same grade is its "
		   "stability.",
		   CLAIM_MARGIN * 100, CLAIM_MARGIN * 100, CLAIM_ALPHA, CLAIM_MOSTLY * 100,
		   CLAIM_RESAMPLES);
	ipcb_doc_p(r->d, "How the answers are decided. The best of a class is the one with the "
		   "best median; another is " DOC_I("the same") " where two one-sided tests of "
		   "the per-round log ratios show it within %.0f%% of the best either way and "
		   "the two medians printed are that close too, " DOC_I("shown slower") " where "
		   "the test shows it more than %.0f%% slower, both decided by Holm's procedure "
		   "at alpha %g in the family of every test the report makes at that placement, "
		   "size and measure (the claims' too). What neither test decides is "
		   DOC_I("not told apart") ", with the largest difference its rounds leave open "
		   "(the far end of the 95%% interval of the ratio, and never less than the "
		   "printed medians are apart) and a "
		   "command that measures those mechanisms again with enough rounds to decide; a "
		   "group of a single round cannot be tested and is listed as such.",
		   CLAIM_MARGIN * 100, CLAIM_MARGIN * 100, CLAIM_ALPHA);
	/* clang-format on */
}

/* The claims of CLAIMS.md but C12 (in the queues' section), then C13's sizes. */
void sec_claims(struct report *r)
{
	const struct model *m = r->m;

	ipcb_doc_h(r->d, 2,
		   "Claims (" DOC_C("CLAIMS.md") " C1..C14; C12 is in the queues' section below)");
	for (size_t i = 0; i < r->nclaims; i++) {
		const struct verdict *v = &r->verdicts[i];

		if (strncmp(claim_id(v->def), "C12", 3))
			claim_print(r->d, v);
		if (strcmp(claim_id(v->def), "C13") || !v->n)
			continue;
		/* From which size each zero-copy variant wins, read from C13's own comparisons. */
		ipcb_doc_p(
		    r->d,
		    "From which size on each one wins (every larger size compared wins too):");
		for (size_t k = 0; k < v->n; k++) {
			const struct cmp *c = &v->cmps[k];
			size_t from = 0;
			bool tail = true, seen = false;
			char sz[16];

			for (size_t j = 0; j < k && !seen; j++)
				seen = v->cmps[j].a == c->a ||
				       (!strcmp(v->cmps[j].a->label, c->a->label) &&
					!strcmp(v->cmps[j].placement, c->placement) &&
					v->cmps[j].ms == c->ms);
			if (seen)
				continue;
			for (size_t s = m->nsizes; s-- > 0;)
				for (size_t j = 0; j < v->n; j++) {
					const struct cmp *x = &v->cmps[j];

					if (x->size != m->sizes[s] || x->ms != c->ms ||
					    strcmp(x->a->label, c->a->label) ||
					    strcmp(x->placement, c->placement))
						continue;
					tail = tail && x->o == O_YES;
					if (tail)
						from = x->size;
				}
			size_format(from, sz, sizeof(sz));
			if (from)
				ipcb_doc_li(r->d, "%s against %s, %s, %s: wins from %s on",
					    c->a->label, c->b->label, c->placement,
					    measure_name(c->ms), sz);
			else
				ipcb_doc_li(
				    r->d,
				    "%s against %s, %s, %s: wins at no size compared, or not "
				    "at the largest",
				    c->a->label, c->b->label, c->placement, measure_name(c->ms));
		}
	}
}
