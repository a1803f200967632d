/* SPDX-License-Identifier: MIT */
/*
 * tables.c - the guides' tables T1-T5, each mechanism in a few words, what the rows are made
 * of, and each mechanism at its best; see sections.h (the answers: answers.c). Every value
 * comes from the model's summaries and every pair goes through the rule, so a number here is
 * the one the claims and figures use.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rule.h"
#include "sections.h"

/* The transports' own words, which main.c hands in (report.h): the mechanisms' list reads them. */
static const char *(*describe_fn)(const char *transport);

void ipcb_report_describe_set(const char *(*describe)(const char *transport))
{
	describe_fn = describe;
}

const char *ipcb_report_describe(const char *transport)
{
	return describe_fn ? describe_fn(transport) : NULL;
}

void series_text(const char *first, const struct group *g, enum measure ms, char *out, size_t n)
{
	const struct summary *s = g ? &g->sum[ms] : NULL;
	bool both = s && s->state_n[0] && s->state_n[1];
	size_t len = 0;
	char a[32], b[32];

	if (!s || !s->n) {
		snprintf(out, n, "-");
		return;
	}
	if (s->modes.n > 1) {
		for (size_t k = 0; k < s->modes.n && len < n; k++) {
			measure_format(ms, s->modes.median[k], a, sizeof(a));
			len += (size_t)snprintf(out + len, n - len, "%s%s in %zu/%zu",
						k ? ", " : "", a, s->modes.count[k], s->n);
		}
	} else {
		measure_format(ms, s->median, out, n);
		len = strlen(out);
		/* A median its rounds know only loosely is given with its interval. */
		if (s->n > 1 && (s->lo < 0.9 * s->median || s->hi > 1.1 * s->median)) {
			measure_format(ms, s->lo, a, sizeof(a));
			measure_format(ms, s->hi, b, sizeof(b));
			len += (size_t)snprintf(out + len, n - len, " [%s, %s]", a, b);
		}
	}
	if (first && *first && len < n)
		len += (size_t)snprintf(out + len, n - len, " (%s%s", first, both ? "; " : ")");
	/* Runs in both states of the machine: each state's median, or the one set aside. */
	if (both && len < n) {
		int k = g->state >= 0 ? !g->state : 0;
		const char *open = first && *first ? "" : " (";

		measure_format(ms, s->state_median[k], a, sizeof(a));
		measure_format(ms, s->state_median[1], b, sizeof(b));
		if (g->state >= 0)
			snprintf(out + len, n - len,
				 "%s%s in the machine's %s state, %zu run%s, set aside)", open, a,
				 model_state_word(g, k), s->state_n[k],
				 s->state_n[k] > 1 ? "s" : "");
		else
			snprintf(out + len, n - len,
				 "%s%s in the machine's %s state, %zu run%s; %s in its %s, %zu)",
				 open, a, model_state_word(g, 0), s->state_n[0],
				 s->state_n[0] == 1 ? "" : "s", b, model_state_word(g, 1),
				 s->state_n[1]);
	}
}

void shape_words(const struct group *g, char *out, size_t n)
{
	unsigned pairs = 1, inflight = 1, s = 1, r = 1;
	const char *p = g->shape_text;
	size_t len = 0;

	out[0] = '\0';
	if (strstr(p, "x"))
		sscanf(strstr(p, "x"), "x%u", &pairs);
	if (strstr(p, "k"))
		sscanf(strstr(p, "k"), "k%u", &inflight);
	if (strchr(g->topology, ':'))
		sscanf(g->topology, "%u:%u", &s, &r);
	if (pairs > 1)
		len += (size_t)snprintf(out + len, n - len, "%u pairs", pairs);
	if ((s > 1 || r > 1) && len < n)
		len += (size_t)snprintf(out + len, n - len, "%s%u sender%s to %u receiver%s%s",
					len ? ", " : "", s, s > 1 ? "s" : "", r, r > 1 ? "s" : "",
					g->receivers ? ", each getting every message" : "");
	if (inflight > 1 && len < n)
		len += (size_t)snprintf(out + len, n - len, "%s%u requests in flight",
					len ? ", " : "", inflight);
	if (strstr(p, "poisson") && len < n)
		len += (size_t)snprintf(out + len, n - len, "%sPoisson arrivals", len ? ", " : "");
	if (!strcmp(g->mode, "bistream") && len < n)
		snprintf(out + len, n - len, "%sboth ways at once", len ? ", " : "");
}

static enum measure rank_ms;

/* Best first, by the measure's median. */
static int by_value(const void *a, const void *b)
{
	double x = (*(const struct group *const *)a)->sum[rank_ms].median;
	double y = (*(const struct group *const *)b)->sum[rank_ms].median;
	int c = x < y ? -1 : x > y;

	return measure_lower_better(rank_ms) ? c : -c;
}

void groups_sort(const struct group **list, size_t n, enum measure ms)
{
	rank_ms = ms;
	qsort(list, n, sizeof(*list), by_value);
}

int grid_init(struct grid *t, size_t n, size_t left, size_t width)
{
	t->row = calloc(1, (n + 1) * (sizeof(*t->row) + width + 1));
	if (!t->row)
		return -ENOMEM;
	t->text = (char *)(t->row + n + 1);
	t->align = t->text + (n + 1) * width;
	t->width = width;
	memset(t->align, 'r', n);
	memset(t->align, 'l', left);
	return 0;
}

char *grid_text(struct grid *t, size_t i)
{
	t->row[i] = t->text + i * t->width;
	return t->text + i * t->width;
}

/* ---- T1 ----------------------------------------------------------------------------------- */

static const struct t1 {
	const char *mechanism, *path, *names[3];
	double doc_ms;
	const char *cpu, *mem, *volume;
	int cpu_level, mem_level;
} t1[] = {
    {"shared memory", "shared-memory", {NULL}, 0.01, "very low", "smallest", "large", 0, 0},
    {"pipe", NULL, {"pipe", NULL}, 2.5, "medium", "medium", "small", 1, 1},
    {"message queue",
     NULL,
     {"posix-mq", "sysv-mq", NULL},
     1.8,
     "medium",
     "larger",
     "structured",
     1,
     2},
    {"socket",
     NULL,
     {"unix-stream", "tcp", NULL},
     3.2,
     "higher",
     "larger",
     "network compatible",
     2,
     2},
};

/* T1's (and C8's) pick: the fastest member of the family that copies every byte. */
static const struct group *t1_pick(const struct model *m, const struct t1 *t, const char *pl,
				   size_t size)
{
	const struct group *best = NULL;

	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *g = model_find(m, m->labels[i], pl, size, M_BPS);
		bool in = false;

		for (size_t k = 0; t->names[k] && !in; k++)
			in = g && !strcmp(g->transport, t->names[k]);
		if (!g || g->loan || !g->sum[M_BPS].n || (t->path ? strcmp(g->path, t->path) : !in))
			continue;
		if (!best || g->sum[M_BPS].median > best->sum[M_BPS].median)
			best = g;
	}
	return best;
}

void sec_t1(struct report *r)
{
	const struct model *m = r->m;

	ipcb_doc_h(
	    r->d, 2,
	    "T1. Time to transfer 1 MB (" DOC_C("002_70218f60ab04cff3.txt") ", section 8.1)");
	/* clang-format off */
	ipcb_doc_p(r->d, "Measured: " DOC_I("stream") " is 1 MiB divided by the throughput of 1 "
		   "MiB messages, and " DOC_I("of its ceiling") " that throughput's share of the "
		   "copy its placement allows (" DOC_C("ceiling") "); " DOC_I("one message") " the "
		   "one-way p50 of a single 1 MiB message in a round trip; CPU both sides' CPU "
		   "time per streamed MiB; memory what the channel reserved for messages in "
		   "flight. Each family by its fastest member that copies every byte (a loan, "
		   "read in place, is not a transfer of the bytes), as C8 picks it.");
	/* clang-format on */
	if (!r->mib_exact) {
		ipcb_doc_p(
		    r->d, "Not measured: T1 is about moving 1 MB, and this CSV has no 1 MiB stream "
			  "(" DOC_C("ipcbench -s 1M -m throughput") ").");
		return;
	}
	ipcb_doc_table(r->d, "llllrrrrr", "mechanism", "document: time, CPU, memory, volume",
		       "placement", "transport", "stream", "of its ceiling", "one message",
		       "CPU per MiB", "memory");
	for (size_t i = 0; i < sizeof(t1) / sizeof(t1[0]); i++)
		for (size_t p = 0; p < m->nplacements; p++) {
			const struct group *g = t1_pick(m, &t1[i], m->placements[p], r->mib_exact);
			const struct group *lat;
			char doc[96], st[32], ab[32], cpu[32], mem[32], ceil[48] = "-";

			if (!g)
				continue;
			lat = model_pair(m, g->label, g->placement, g->size, true);
			snprintf(doc, sizeof(doc), "%.2f ms; %s, %s, %s", t1[i].doc_ms, t1[i].cpu,
				 t1[i].mem, t1[i].volume);
			snprintf(st, sizeof(st), "%.3f ms",
				 (double)r->mib_exact / g->sum[M_BPS].median * 1e3);
			measure_format(M_AB, lat ? lat->sum[M_AB].median : NAN, ab, sizeof(ab));
			measure_format(M_CPU, g->sum[M_CPU].median, cpu, sizeof(cpu));
			measure_format(M_BUFFER, g->buffer, mem, sizeof(mem));
			/* Under half of it: named as such, as the answers name it. */
			if (!isnan(g->x_floor))
				snprintf(ceil, sizeof(ceil), "%.2f of %s%s", 1 / g->x_floor,
					 g->ceiling, g->x_floor >= 2 ? " (under half)" : "");
			ipcb_doc_row(r->d, t1[i].mechanism, doc, m->placements[p], g->label, st,
				     ceil, ab, cpu, mem);
		}
	ipcb_doc_table_end(r->d);
	/* The document's CPU and memory columns as orders the measurements keep or break. */
	for (size_t p = 0; p < m->nplacements; p++)
		for (int k = 0; k < 2; k++) {
			double v[4];
			size_t kept = 0, ordered = 0;

			for (size_t i = 0; i < 4; i++) {
				const struct group *g =
				    t1_pick(m, &t1[i], m->placements[p], r->mib_exact);

				v[i] = !g ? NAN : k ? g->buffer : g->sum[M_CPU].median;
			}
			for (size_t i = 0; i < 4; i++)
				for (size_t j = 0; j < 4; j++) {
					int li = k ? t1[i].mem_level : t1[i].cpu_level;
					int lj = k ? t1[j].mem_level : t1[j].cpu_level;

					if (li >= lj || isnan(v[i]) || isnan(v[j]))
						continue;
					ordered++;
					kept += v[i] < v[j];
				}
			if (ordered)
				ipcb_doc_li(
				    r->d, "%s, %s: the document's order holds in %zu of %zu pairs",
				    m->placements[p], k ? "memory reserved" : "CPU per MiB", kept,
				    ordered);
		}
}

/* ---- T2 and T3 ---------------------------------------------------------------------------- */

static const struct {
	const char *transport, *t2, *t3;
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
    {"file", "slowest", "-"},
};

void sec_ranking(struct report *r)
{
	const struct model *m = r->m;
	const struct group **list = calloc(m->nlabels + 1, sizeof(*list));
	char s1[16], s2[16];

	if (!list)
		return;
	size_format(r->small, s1, sizeof(s1));
	size_format(r->mib, s2, sizeof(s2));
	/* clang-format off */
	ipcb_doc_h(r->d, 2, "T2 and T3. Speed of every mechanism, measured ("
		   DOC_C("000_00169c0be3505af8.txt") " section 4, "
		   DOC_C("002_70218f60ab04cff3.txt") " section 1.3)");
	/* clang-format on */
	ipcb_doc_p(
	    r->d,
	    "Ranked by the %s round trip (p50); the %s stream beside it. Readers that poll and "
	    "readers that sleep are ranked apart, by the same rule the claims keep: a round trip "
	    "whose sides never slept (fewer than %.1f voluntary context switches per message in "
	    "every round, as its rows counted them, whatever its wait is called) pays no wake-up "
	    "and burns a "
	    "CPU instead; one whose rounds did both is listed apart and not ranked. A round trip "
	    "that is a loan (its receiver reads the payload where it was built) is listed under "
	    "its own label and not ranked; a stream that is one says so beside it, and the rank, "
	    "as the answers', is its round trip's.",
	    s1, s2, MODEL_POLL_CTX);
	for (size_t p = 0; p < m->nplacements; p++)
		for (int cls = R_UNKNOWN; cls <= R_UNCLEAR; cls++) {
			size_t n = 0, rank = 0;

			for (size_t i = 0; i < m->nlabels; i++) {
				const struct group *g = model_find(
				    m, m->labels[i], m->placements[p], r->small, M_RTT50);

				if (g && !g->floor && g->sum[M_RTT50].n &&
				    g->reader == (enum reader)cls)
					list[n++] = g;
			}
			if (!n)
				continue;
			groups_sort(list, n, M_RTT50);
			ipcb_doc_p(r->d, DOC_B("%s, readers that %s"), m->placements[p],
				   cls == R_POLLS    ? "poll"
				   : cls == R_SLEEPS ? "sleep"
				   : cls == R_UNCLEAR
				       ? "polled in some rounds and slept in others (not ranked)"
				       : "wait (not counted)");
			ipcb_doc_table(r->d, "lllllll", "rank", "transport", "wait", "round trip",
				       "stream", "T2 says", "T3 says");
			for (size_t i = 0; i < n; i++) {
				const struct group *g = list[i], *s;
				const char *t2 = "-", *t3 = "-";
				char rk[16], a[128], b[160], lb[96];

				for (size_t k = 0; k < sizeof(speed_words) / sizeof(speed_words[0]);
				     k++)
					if (!strcmp(speed_words[k].transport, g->transport))
						t2 = speed_words[k].t2, t3 = speed_words[k].t3;
				s = model_pair(m, g->label, g->placement, r->mib, false);
				series_text(NULL, g, M_RTT50, a, sizeof(a));
				series_text(NULL, s, M_BPS, b, sizeof(b));
				rule_label(s ? s : g, lb, sizeof(lb));
				/* Ranked by its round trip alone, as the answers rank it. */
				if (g->loan || cls == R_UNCLEAR)
					snprintf(rk, sizeof(rk), "-");
				else
					snprintf(rk, sizeof(rk), "%zu", ++rank);
				snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s", lb);
				/* The stream's reader is its own: where it differs, it says so. */
				if (s && s->reader != g->reader && s->reader != R_UNKNOWN)
					snprintf(b + strlen(b), sizeof(b) - strlen(b),
						 " [its reader %s here]",
						 model_reader_name(s->reader));
				ipcb_doc_row(r->d, rk, g->label, g->wait, a, b, t2, t3);
			}
			ipcb_doc_table_end(r->d);
		}
	free(list);
}

/* ---- T4 and T5 ---------------------------------------------------------------------------- */

void sec_t4(struct report *r)
{
	static const struct {
		const char *what, *sysv, *posix;
	} pairs[] = {{"message queues", "sysv-mq", "posix-mq"},
		     {"shared memory + semaphores", "sysv-shm", "shm-sem"}};
	const struct model *m = r->m;

	/* clang-format off */
	ipcb_doc_h(r->d, 2, "T4. System V against POSIX (" DOC_C("002_70218f60ab04cff3.txt") ", "
		   "section 6.1: System V \"ordinary\", POSIX \"usually better\")");
	/* clang-format on */
	ipcb_doc_table(r->d, "llllll", "pair", "placement", "System V round trip",
		       "POSIX round trip", "System V stream", "POSIX stream");
	for (size_t i = 0; i < 2; i++)
		for (size_t p = 0; p < m->nplacements; p++) {
			const char *pl = m->placements[p];
			const struct group *g[4] = {
			    model_pair(m, pairs[i].sysv, pl, r->small, true),
			    model_pair(m, pairs[i].posix, pl, r->small, true),
			    model_pair(m, pairs[i].sysv, pl, r->mib, false),
			    model_pair(m, pairs[i].posix, pl, r->mib, false)};
			char v[4][128], what[96];

			if (!g[0] && !g[1] && !g[2] && !g[3])
				continue;
			for (int k = 0; k < 4; k++)
				series_text(NULL, g[k], k < 2 ? M_RTT50 : M_BPS, v[k],
					    sizeof(v[k]));
			snprintf(what, sizeof(what), "%s (%s vs %s)", pairs[i].what, pairs[i].sysv,
				 pairs[i].posix);
			ipcb_doc_row(r->d, what, pl, v[0], v[1], v[2], v[3]);
		}
	ipcb_doc_table_end(r->d);
	ipcb_doc_p(r->d, "The verdict is claim C5 above; its comparisons are in the appendix.");
}

/* A framework's figure as a multiple of its raw transport's, where the rule allows it. */
static void times_raw(const struct model *m, const struct group *g, const struct group *raw,
		      enum measure ms, char *out, size_t n)
{
	char why[300], notes[300];

	if (!g || !raw) {
		snprintf(out, n, "-");
		return;
	}
	if (!rule_comparable(m, g, raw, ms, 0, why, sizeof(why), notes, sizeof(notes))) {
		/* Why, in full, is C11's in the appendix: the table stays one line a row. */
		snprintf(out, n, "not compared");
		return;
	}
	/* Above 1 the framework costs more: its time over the raw one's, or their rates'. */
	snprintf(out, n, "%.1fx",
		 ms == M_BPS ? raw->sum[ms].median / g->sum[ms].median
			     : g->sum[ms].median / raw->sum[ms].median);
}

void sec_t5(struct report *r)
{
	const struct model *m = r->m;
	bool any = false;
	char s1[16], s2[16];

	size_format(r->small, s1, sizeof(s1));
	size_format(r->k64, s2, sizeof(s2));
	/* clang-format off */
	ipcb_doc_h(r->d, 2, "T5. The higher-level rows side by side (" DOC_C("CLAIMS.md") " T5: "
		   "message passing, RPC, brokers, HTTP)");
	/* clang-format on */
	for (size_t i = 0; i < m->nlabels && !any; i++) {
		const struct group *g = model_label_group(m, m->labels[i]);

		any = g && g->framework;
	}
	if (!any) {
		/* clang-format off */
		ipcb_doc_p(r->d, "Not measured: the CSV has no transport built on a library ("
			   DOC_C("scripts/run") " measures them with "
			   DOC_C("-t middleware,brokers") ").");
		/* clang-format on */
		return;
	}
	ipcb_doc_table(r->d, "lllllllll", "placement", "transport", "hops", "data path", "rides on",
		       "round trip", "x raw", "stream", "x raw");
	for (size_t p = 0; p < m->nplacements; p++)
		for (size_t i = 0; i < m->nlabels; i++) {
			const char *pl = m->placements[p];
			const struct group *g = model_pair(m, m->labels[i], pl, r->small, true);
			const struct group *s = model_pair(m, m->labels[i], pl, r->k64, false);
			const struct group *any_g = g ? g : s, *rr, *rs;
			char a[128], b[128], x[2][320];

			if (!any_g || !any_g->framework)
				continue;
			rr = model_pair(m, any_g->rides_on, pl, r->small, true);
			rs = model_pair(m, any_g->rides_on, pl, r->k64, false);
			series_text(NULL, g, M_RTT50, a, sizeof(a));
			series_text(NULL, s, M_BPS, b, sizeof(b));
			times_raw(m, g, rr, M_RTT50, x[0], sizeof(x[0]));
			times_raw(m, s, rs, M_BPS, x[1], sizeof(x[1]));
			ipcb_doc_row(r->d, pl, m->labels[i], *any_g->hops ? any_g->hops : "-",
				     *any_g->path ? any_g->path : "-",
				     *any_g->rides_on ? any_g->rides_on : "-", a, x[0], b, x[1]);
		}
	ipcb_doc_table_end(r->d);
	ipcb_doc_p(
	    r->d,
	    "\"x raw\": the %s round trip as a multiple of the raw transport's, and the raw "
	    "transport's %s stream as a multiple of this one's (above 1: the framework costs "
	    "more), where the rule lets the two stand together. The verdict is claim C11 above; "
	    "its "
	    "comparisons, and why a pair was not compared, are in the appendix.",
	    s1, s2);
}

/* ---- the mechanisms in a few words --------------------------------------------------------- */

/* A group's reader class in one word, for a cell: "polls", "sleeps", "unclear", "-". */
static const char *class_word(const struct group *g)
{
	if (!g)
		return "-";
	switch (g->reader) {
	case R_POLLS:
		return "polls";
	case R_SLEEPS:
		return "sleeps";
	case R_UNCLEAR:
		return "unclear";
	default:
		return "not counted";
	}
}

void sec_mechanisms(struct report *r)
{
	const struct model *m = r->m;
	size_t np = m->nplacements < 2 ? m->nplacements : 2;
	const char *head[8];
	char sz[2][16], hd[2][96], align[8];
	size_t nh = 0;

	ipcb_doc_h(r->d, 2, "The mechanisms in a few words");
	size_format(r->small, sz[0], sizeof(sz[0]));
	size_format(r->mib, sz[1], sizeof(sz[1]));
	ipcb_doc_p(r->d,
		   "What carries the bytes and what wakes the reader, as each transport describes "
		   "itself; the wait it ran with; and how its reader waited as its own rows "
		   "measured it at each placement (the %s round trip, then the %s stream; "
		   "the rule of the answers above). Its channel at every size and what its rows "
		   "say of themselves: the appendix.",
		   sz[0], sz[1]);
	head[nh++] = "transport";
	head[nh++] = "what carries the bytes, what wakes the reader";
	head[nh++] = "wait";
	for (size_t p = 0; p < np; p++) {
		snprintf(hd[p], sizeof(hd[p]), "reader, %s", m->placements[p]);
		head[nh++] = hd[p];
	}
	memset(align, 'l', nh);
	align[nh] = '\0';
	ipcb_doc_tablev(r->d, align, head);
	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *any = NULL;
		const char *cells[8], *said;
		char cls[2][64];
		size_t nc = 0;

		for (size_t p = 0; p < m->nplacements && !any; p++)
			for (size_t s = 0; s < m->nsizes && !any; s++) {
				any = model_pair(m, m->labels[i], m->placements[p], m->sizes[s],
						 true);
				any = any ? any
					  : model_pair(m, m->labels[i], m->placements[p],
						       m->sizes[s], false);
			}
		/* The defaults only: a tuned setting is the same mechanism. */
		if (!any || any->floor || *any->tuning)
			continue;
		said = ipcb_report_describe(any->transport);
		cells[nc++] = m->labels[i];
		cells[nc++] = said ? said : "not described";
		cells[nc++] = any->wait;
		for (size_t p = 0; p < np; p++) {
			const struct group *g =
			    model_pair(m, m->labels[i], m->placements[p], r->small, true);
			const struct group *s =
			    model_pair(m, m->labels[i], m->placements[p], r->mib, false);

			if (!g && !s)
				snprintf(cls[p], sizeof(cls[p]), "-");
			else if (g && s && g->reader == s->reader)
				snprintf(cls[p], sizeof(cls[p]), "%s", class_word(g));
			else
				snprintf(cls[p], sizeof(cls[p]), "%s / %s", class_word(g),
					 class_word(s));
			cells[nc++] = cls[p];
		}
		ipcb_doc_rowv(r->d, cells);
	}
	ipcb_doc_table_end(r->d);
}

/* ---- what the rows are made of ----------------------------------------------------------- */

void sec_made_of(struct report *r)
{
	const struct model *m = r->m;

	ipcb_doc_h(r->d, 2, "What the rows are made of");
	ipcb_doc_p(
	    r->d, "The claims are judged on these rows. For every transport: how its channel held "
		  "messages at each size, as the transport said it (a round trip's channel; a "
		  "stream uses one direction), the memory it reserved, and what its rows say about "
		  "themselves: how its reader waited, whether its payloads were read in full, "
		  "whether zero-copy sends were copied after all, and how many network segments a "
		  "message took.");
	for (size_t i = 0; i < m->nlabels; i++) {
		char prev[400] = "", text[400];
		size_t from = 0, to = 0;

		ipcb_doc_add(r->d, DOC_B("%s") ":", m->labels[i]);
		for (size_t s = 0; s <= m->nsizes; s++) {
			const struct group *g =
			    s < m->nsizes
				? model_pair(m, m->labels[i], m->placements[0], m->sizes[s], true)
				: NULL;
			const struct group *st =
			    s < m->nsizes
				? model_pair(m, m->labels[i], m->placements[0], m->sizes[s], false)
				: NULL;
			size_t len = 0;
			char mem[32];

			text[0] = '\0';
			if (g || st) {
				const struct group *x = g ? g : st;

				measure_format(M_BUFFER, x->buffer, mem, sizeof(mem));
				len += (size_t)snprintf(
				    text, sizeof(text), "%s%s%s; reader %s",
				    *x->channel ? x->channel : "channel not described",
				    x->buffer > 0 ? ", " : "", x->buffer > 0 ? mem : "",
				    model_reader_name(x->reader));
				if (st && st->loan && len < sizeof(text))
					len += (size_t)snprintf(text + len, sizeof(text) - len,
								"; a loan, %.1f%% read in full",
								st->full_share * 100);
				if (x->zerocopy && !isnan(x->zc_copied) && len < sizeof(text))
					len +=
					    (size_t)snprintf(text + len, sizeof(text) - len,
							     "; %.0f%% of zero-copy sends copied",
							     x->zc_copied * 100);
				if (st && st->segs > 0 && len < sizeof(text))
					snprintf(text + len, sizeof(text) - len,
						 "; %.2f segments per streamed message", st->segs);
			}
			/* Sizes that read the same are named together. */
			if (s < m->nsizes && !strcmp(text, prev) && text[0]) {
				to = m->sizes[s];
				continue;
			}
			if (prev[0]) {
				char a[16], b[16];

				size_format(from, a, sizeof(a));
				size_format(to, b, sizeof(b));
				if (from == to)
					ipcb_doc_add(r->d, " %s: %s;", a, prev);
				else
					ipcb_doc_add(r->d, " %s to %s: %s;", a, b, prev);
			}
			snprintf(prev, sizeof(prev), "%s", text);
			if (s < m->nsizes)
				from = to = m->sizes[s];
		}
		r->d->len -= r->d->len && r->d->buf[r->d->len - 1] == ';';
		ipcb_doc_item(r->d);
	}
	ipcb_doc_p(
	    r->d,
	    "Segments: with TCP_NODELAY a round trip sends one segment per message (more when "
	    "a message is larger than a segment); in a stream of small messages the kernel "
	    "coalesces messages written while earlier segments are still queued "
	    "(net.ipv4.tcp_autocorking), so a stream's rate depends on how many messages "
	    "shared a segment: the claims name it where it differs between two rows.");
}

/* ---- each mechanism at its best ----------------------------------------------------------- */

void sec_tuned(struct report *r)
{
	const struct model *m = r->m;
	static const enum measure ms[2] = {M_RTT50, M_BPS};

	ipcb_doc_h(r->d, 2, "Each mechanism at its best (" DOC_C("--tune") ")");
	if (!m->ntuned) {
		/* clang-format off */
		ipcb_doc_p(r->d, "Not measured: the CSV has no tuned settings. "
			   DOC_C("ipcbench --tune") " runs each transport also with each setting "
			   "a user of it would tune (a pipe's buffer and write size, a socket's "
			   "buffers, a queue's depth: " DOC_C("--list NAME") "), one option away "
			   "from the default at a time.");
		/* clang-format on */
		return;
	}
	/* clang-format off */
	ipcb_doc_p(r->d, "Each tuned setting against its transport's defaults in each cell, "
		   "tested on the rounds like any comparison: " DOC_I("better") " means by more "
		   "than %.0f%% (alpha %g for each line).",
		   CLAIM_MARGIN * 100, CLAIM_ALPHA);
	/* clang-format on */
	ipcb_doc_table(r->d, "llllrlrl", "transport", "placement", "size", "measure", "default",
		       "setting", "tuned", "tuned against default");
	for (size_t i = 0; i < m->ntuned; i++)
		for (size_t p = 0; p < m->nplacements; p++)
			for (size_t s = 0; s < m->nsizes; s++)
				for (int k = 0; k < 2; k++) {
					const struct group *t = model_find(
					    m, m->tuned[i], m->placements[p], m->sizes[s], ms[k]);
					const struct group *d =
					    t ? model_find(m, t->transport, t->placement, t->size,
							   ms[k])
					      : NULL;
					char out[3][720], a[32], b[32], sz[16];
					double yes, no;

					if (!t || !d || !t->sum[ms[k]].n || !d->sum[ms[k]].n)
						continue;
					judge_one(m, t, d, ms[k], T_BEATS, &yes, &no, out);
					measure_format(ms[k], d->sum[ms[k]].median, a, sizeof(a));
					measure_format(ms[k], t->sum[ms[k]].median, b, sizeof(b));
					size_format(t->size, sz, sizeof(sz));
					ipcb_doc_row(r->d, t->transport, t->placement, sz,
						     measure_name(ms[k]), a, t->tuning, b,
						     out[yes < CLAIM_ALPHA  ? 0
							 : no < CLAIM_ALPHA ? 1
									    : 2]);
				}
	ipcb_doc_table_end(r->d);
	ipcb_doc_p(
	    r->d,
	    "The claims judged again with each transport at its best setting in each cell (a "
	    "setting tried on one transport is tried on the other where it has it, or the two "
	    "are not compared): the grades, as the claims' sections give them at the defaults.");
	ipcb_doc_table(r->d, "lll", "claim", "at the defaults", "each at its best");
	for (size_t i = 0; i < r->nclaims; i++) {
		const struct verdict *b = &r->best[i];
		/* An answer changes only from one grade to another: a claim not graded has none. */
		bool graded = b->grade < G_NOT_DECIDED && r->verdicts[i].grade < G_NOT_DECIDED;
		char best[160];

		if (b->grade == G_NOT_MEASURED && !b->nrefused)
			snprintf(best, sizeof(best), "%s", grade_names[b->grade]);
		else
			snprintf(best, sizeof(best),
				 "%s (%zu of %zu decided hold%s; %zu not compared)%s",
				 grade_names[b->grade], b->yes, b->yes + b->no,
				 b->grade == G_NOT_DECIDED && b->yes + b->no ? ", too few to grade"
									     : "",
				 b->nrefused,
				 graded && b->grade != r->verdicts[i].grade
				     ? "; tuning changes the answer"
				     : "");
		ipcb_doc_row(r->d, claim_id(r->verdicts[i].def), grade_names[r->verdicts[i].grade],
			     best);
	}
	ipcb_doc_table_end(r->d);
	/* What the rule refused because a setting was tried on one side only. */
	for (size_t i = 0; i < r->nclaims; i++) {
		const char *line = r->best[i].refused;

		while (line && *line) {
			size_t len = strcspn(line, "\n");

			if (memmem(line, len, " was not tried with ", 20))
				ipcb_doc_li(r->d, "%s at its best, not compared: %.*s",
					    claim_id(r->best[i].def), (int)len, line);
			line += len + (line[len] == '\n');
		}
	}
}
