/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - the comparisons a claim makes (see claims.c's story): for each clause, the
 * sides' members in every placement, size and measure, the pairs picked through the rule,
 * each tested (judge.h), and what the rule refused. grade.c decides them and grades the claim.
 *
 * Apart from claims.c, which holds the table it walks (claimdef.h) and prints what it decides:
 * the engine reads the table and calls judge.c, and neither of those calls into it.
 */
#include "claims.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "claimdef.h"
#include "judge.h"
#include "placement.h"
#include "ratio.h"
#include "rule.h"

/* ---- the engine --------------------------------------------------------------------------- */

static int cmp_add(struct verdict *v, const struct cmp *c)
{
	struct cmp *p = model_grow(v->cmps, &v->cap, v->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	v->cmps = p;
	v->cmps[v->n++] = *c;
	return 0;
}

__attribute__((format(printf, 2, 3))) static void refuse(struct verdict *v, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Each refusal once: a pair refused in one cell is often refused in the next. */
	for (const char *p = v->refused; p && (p = strstr(p, line)); p++)
		if ((p == v->refused || p[-1] == '\n') && p[strlen(line)] == '\n')
			return;
	len = strlen(line);
	if (v->refused_len + len + 2 > v->refused_cap) {
		size_t cap = v->refused_cap ? 2 * v->refused_cap : 4096;
		char *p;

		while (cap < v->refused_len + len + 2)
			cap *= 2;
		p = realloc(v->refused, cap);
		if (!p)
			return;
		v->refused = p;
		v->refused_cap = cap;
	}
	memcpy(v->refused + v->refused_len, line, len);
	v->refused_len += len;
	v->refused[v->refused_len++] = '\n';
	v->refused[v->refused_len] = '\0';
	v->nrefused++;
}

static bool in_names(const char *const *names, const char *t)
{
	for (; *names; names++)
		if (!strcmp(*names, t))
			return true;
	return false;
}

/* Is label's transport on side s (the other side o, for SD_OTHERS)? */
static bool on_side(const struct model *m, const struct side *s, const struct side *o,
		    const struct group *g)
{
	switch (s->kind) {
	case SD_NAMES:
		return in_names(s->names, g->transport);
	case SD_PATH:
		return !strcmp(g->path, s->names[0]);
	case SD_OTHERS:
		return !on_side(m, o, s, g);
	case SD_FRAMEWORKS:
		return g->framework && *g->rides_on;
	case SD_VARIANTS:
		return !g->framework && *g->rides_on;
	default:
		return false;
	}
}

/* A member of a side in a cell, at its best setting when the claim asks for that. */
static const struct group *member(const struct model *m, const char *label, const char *pl,
				  size_t size, enum measure ms, bool at_best)
{
	const struct group *g = model_find(m, label, pl, size, ms), *best = g;
	size_t len = strlen(label);

	for (size_t i = 0; at_best && i < m->ntuned; i++) {
		const struct group *t;
		double x, y;

		if (strncmp(m->tuned[i], label, len) || m->tuned[i][len] != ' ')
			continue;
		t = model_find(m, m->tuned[i], pl, size, ms);
		x = model_median(m, t, ms);
		y = model_median(m, best, ms);
		if (!isnan(x) && (isnan(y) || (measure_lower_better(ms) ? x < y : x > y)))
			best = t;
	}
	return best && best->sum[ms].n ? best : NULL;
}

static const struct model *rank_model;
static enum measure rank_ms;
static int rank_dir; /* 1: best first, -1: worst first */

static int rank_cmp(const void *pa, const void *pb)
{
	double x = model_median(rank_model, *(const struct group *const *)pa, rank_ms);
	double y = model_median(rank_model, *(const struct group *const *)pb, rank_ms);
	int c = x < y ? -1 : x > y;

	return measure_lower_better(rank_ms) ? c * rank_dir : -c * rank_dir;
}

/* A side's members in a cell, ranked (best first, or worst with worst); how many. */
static size_t members(const struct model *m, const struct side *s, const struct side *o,
		      const char *pl, size_t size, enum measure ms, bool at_best, bool worst,
		      const struct group **out)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nlabels; i++) {
		const struct group *g = model_find(m, m->labels[i], pl, size, ms);

		if (!g || g->floor || !on_side(m, s, o, g))
			continue;
		if ((g = member(m, m->labels[i], pl, size, ms, at_best)))
			out[n++] = g;
	}
	rank_model = m;
	rank_ms = ms;
	rank_dir = worst ? -1 : 1;
	qsort(out, n, sizeof(*out), rank_cmp);
	return n;
}

/*
 * A side's value on a comparison's line: its median, and where its rounds fell into modes (which
 * the tables give instead), how many.
 */
static void side_value(const struct model *m, const struct group *g, enum measure ms, char *out,
		       size_t n)
{
	measure_format(ms, model_median(m, g, ms), out, n);
	if (g->sum[ms].modes.n > 1)
		snprintf(out + strlen(out), n - strlen(out), " (rounds in %zu modes)",
			 g->sum[ms].modes.n);
}

/* The comparison's line before its test: "unix-stream 10.0 us vs tcp 20.0 us". */
static void lead_text(const struct model *m, const struct group *a, const struct group *b,
		      enum measure ms, const char *notes, char *out, size_t n)
{
	char va[64], vb[64], la[80], lb[80];

	side_value(m, a, ms, va, sizeof(va));
	side_value(m, b, ms, vb, sizeof(vb));
	rule_label(a, la, sizeof(la));
	rule_label(b, lb, sizeof(lb));
	snprintf(out, n, "%s %s%s vs %s %s%s%s%s%s", a->label, va, la, b->label, vb, lb,
		 a->reader == R_POLLS	 ? ", readers that poll"
		 : a->reader == R_SLEEPS ? ", readers that sleep"
					 : "",
		 *notes ? " (" : "", notes);
	if (*notes)
		snprintf(out + strlen(out), n - strlen(out), ")");
}

static int pair_judge(const struct model *m, const struct clause *cl, struct verdict *v,
		      const char *pl, size_t size, enum measure ms, const struct group *a,
		      const struct group *b, const char *notes, double alpha)
{
	/*
	 * Static: their texts are 4 KiB, and a report is one thread that judges one pair at a time
	 * (cmp_add copies c); the report runs in 24 KiB of stack (tests/hostile/smallstack).
	 */
	static struct cmp c;
	static struct judged j;
	double f = cl->factor > 0 && cl->test != T_BAND ? cl->factor : 1 + CLAIM_MARGIN;

	memset(&c, 0, sizeof(c));
	c.placement = pl;
	c.size = size;
	c.ms = ms;
	c.a = a;
	c.b = b;
	c.t = cl->test;
	c.f = f;
	c.fh = cl->factor_hi;
	c.p = c.p_yes = c.p_no = NAN;
	judge(m, a, b, ms, cl->test, f, cl->factor_hi, alpha, &j);
	if (isnan(j.p_yes)) {
		c.o = O_UNDECIDABLE;
	} else {
		c.o = O_UNDECIDED;
		c.yes_dir = j.p_yes <= j.p_no;
		c.p = fmin(j.p_yes, j.p_no);
		c.p_yes = j.p_yes;
		c.p_no = j.p_no;
	}
	if (alpha > 0) {
		lead_text(m, a, b, ms, notes, j.lead, sizeof(j.lead));
		/* The outcome's sentence is chosen once the family is decided (claim_decide). */
		snprintf(c.text, sizeof(c.text), "%s; %s: \x1f%s\x1f%s\x1f%s", j.lead, j.sample,
			 j.yes, j.no, j.neither);
	}
	return cmp_add(v, &c);
}

/* A pair the rule refused, said once: "a vs b, placement, size, measure: why". */
static void refused(struct verdict *v, const struct group *a, const struct group *b,
		    enum measure ms, const char *why)
{
	char sz[16];

	size_format(a->size, sz, sizeof(sz));
	refuse(v, "%s vs %s, %s, %s, %s: %s", a->label, b->label, a->placement, sz,
	       measure_name(ms), why);
}

/* The best of bs (ranked) that the rule lets a stand against; refusals of better ones said. */
static const struct group *partner(const struct model *m, struct verdict *v, const struct group *a,
				   const struct group **bs, size_t nb, enum measure ms,
				   unsigned flags, bool say, char *notes, size_t nn)
{
	char why[300];

	for (size_t i = 0; i < nb; i++) {
		if (bs[i] == a || !strcmp(bs[i]->transport, a->transport))
			continue;
		if (rule_comparable(m, a, bs[i], ms, flags, why, sizeof(why), notes, nn))
			return bs[i];
		if (say)
			refused(v, a, bs[i], ms, why);
	}
	return NULL;
}

static int cell(const struct model *m, const struct clause *cl, struct verdict *v, const char *pl,
		size_t size, enum measure ms, bool at_best, double alpha)
{
	static const struct group **as, **bs;
	static size_t cap;
	const bool say = alpha > 0;
	size_t na, nb;
	char notes[300], why[300];
	int rc = 0;

	if (cap < m->nlabels + 1) {
		const struct group **x = realloc(as, (m->nlabels + 1) * sizeof(*x));
		const struct group **y = x ? realloc(bs, (m->nlabels + 1) * sizeof(*y)) : NULL;

		if (x)
			as = x;
		if (!x || !y)
			return -ENOMEM;
		bs = y;
		cap = m->nlabels + 1;
	}
	na = members(m, &cl->a, &cl->b, pl, size, ms, at_best, false, as);
	nb = cl->pair == P_OWN || cl->b.kind == SD_NONE
		 ? 0
		 : members(m, &cl->b, &cl->a, pl, size, ms, at_best, cl->pair == P_SLOWEST, bs);
	switch (cl->pair) {
	case P_BEST:
		/* Per reader class: the best of A with a partner, against its best partner. */
		for (int cls = R_UNKNOWN; cls <= R_UNCLEAR && !rc; cls++)
			for (size_t i = 0; i < na; i++) {
				const struct group *b;

				if (as[i]->reader != (enum reader)cls)
					continue;
				b = partner(m, v, as[i], bs, nb, ms, cl->flags, say, notes,
					    sizeof(notes));
				if (b) {
					rc = pair_judge(m, cl, v, pl, size, ms, as[i], b, notes,
							alpha);
					break;
				}
			}
		break;
	case P_EACH:
	case P_SLOWEST: /* as P_EACH, the partner in A's place */
		for (size_t i = 0; i < na && !rc; i++) {
			const struct group *b =
			    partner(m, v, as[i], bs, nb, ms, cl->flags, say, notes, sizeof(notes));
			const bool swap = cl->pair == P_SLOWEST;

			if (b)
				rc = pair_judge(m, cl, v, pl, size, ms, swap ? b : as[i],
						swap ? as[i] : b, notes, alpha);
		}
		break;
	case P_OWN:
		for (size_t i = 0; i < na && !rc; i++) {
			const struct group *o = member(m, as[i]->rides_on, pl, size, ms, at_best);

			if (!o)
				continue;
			if (!rule_comparable(m, as[i], o, ms, cl->flags, why, sizeof(why), notes,
					     sizeof(notes))) {
				if (say)
					refused(v, as[i], o, ms, why);
				continue;
			}
			rc = cl->raw_first
				 ? pair_judge(m, cl, v, pl, size, ms, o, as[i], notes, alpha)
				 : pair_judge(m, cl, v, pl, size, ms, as[i], o, notes, alpha);
		}
		break;
	}
	return rc;
}

/* T_DOC: the best copying member's time to move the size against the document's figure. */
static int doc_cell(const struct model *m, const struct clause *cl, struct verdict *v,
		    const char *pl, size_t size, bool at_best)
{
	static const struct group **as;
	static size_t cap;
	size_t na;

	if (cap < m->nlabels + 1) {
		const struct group **x = realloc(as, (m->nlabels + 1) * sizeof(*x));

		if (!x)
			return -ENOMEM;
		as = x;
		cap = m->nlabels + 1;
	}
	na = members(m, &cl->a, &cl->b, pl, size, M_BPS, at_best, false, as);
	for (size_t i = 0; i < na; i++) {
		struct cmp c = {.placement = pl, .size = size, .ms = M_BPS, .a = as[i], .p = NAN};
		double ms, ratio;

		/* A loan's rate is a hand-off, not bytes moved: the document times moving them. */
		if (as[i]->loan) {
			char sz[16];

			size_format(size, sz, sizeof(sz));
			refuse(
			    v,
			    "%s, %s, %s: a loan moves no bytes (its receiver read them in place)",
			    as[i]->label, pl, sz);
			continue;
		}
		ms = (double)size / model_median(m, as[i], M_BPS) * 1e3;
		ratio = ms / cl->doc_ms;
		c.o = ratio >= 1 / cl->factor && ratio <= cl->factor ? O_YES : O_NO;
		snprintf(c.text, sizeof(c.text),
			 "%s (%s): %.3f ms measured vs %.2f ms in the document (%.2gx)",
			 cl->doc_what, as[i]->label, ms, cl->doc_ms, ratio);
		return cmp_add(v, &c);
	}
	return 0;
}

/* T_ASYNC: each slowed transport's send calls against half the receiver's work. */
static int async_cells(const struct model *m, const struct clause *cl, struct verdict *v,
		       double alpha)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi], *sync = NULL;
		static double *half;
		static size_t hcap;
		struct cmp c = {.placement = g->placement,
				.size = g->size,
				.ms = M_SEND_CALL,
				.a = g,
				.t = T_ASYNC,
				.f = 1 + CLAIM_MARGIN,
				.p = NAN,
				.p_yes = NAN,
				.p_no = NAN};
		char s[32], w[32], sy[96] = "";
		bool smallest = true;

		if (g->shape != S_SLOW || !g->sum[M_SEND_CALL].n || !(g->work_ns > 0))
			continue;
		if (cl->a.kind == SD_NAMES
			? !in_names(cl->a.names, g->transport)
			: in_names((const char *const[]){"unix-stream", "tcp", NULL}, g->transport))
			continue;
		/* C12 judges each transport once, at the smallest size slowed. */
		for (size_t k = 0; cl->a.kind == SD_SLOWED && k < m->ngroups; k++)
			smallest &= !(
			    m->groups[k].shape == S_SLOW && !strcmp(m->groups[k].label, g->label) &&
			    !strcmp(m->groups[k].placement, g->placement) &&
			    m->groups[k].size < g->size && m->groups[k].sum[M_SEND_CALL].n);
		if (!smallest)
			continue;
		for (size_t k = 0; k < m->ngroups && !sync; k++)
			if (m->groups[k].shape == S_SLOW && m->groups[k].latency &&
			    !strcmp(m->groups[k].label, g->label) &&
			    !strcmp(m->groups[k].placement, g->placement) &&
			    m->groups[k].size == g->size)
				sync = &m->groups[k];
		{
			static double *va;
			static uint32_t *ra;
			static size_t ca;
			size_t n = model_values(m, g, M_SEND_CALL, &va, &ra, &ca);
			struct ipcb_ratio r;
			double above = 1, below = 1;

			if (hcap < n + 1) {
				double *h = realloc(half, (n + 1) * sizeof(*h));

				if (!h)
					return -ENOMEM;
				half = h;
				hcap = n + 1;
			}
			for (size_t i = 0; i < n; i++)
				half[i] = g->work_ns / 2;
			/* Each send call against the constant, in the same rounds: a one-sample
			 * test. */
			if (ipcb_ratio_make(&r, IPCB_RATIO_T, IPCB_RATIO_UNPAIRED, va, ra, n, half,
					    ra, n, 0.05) == 0 &&
			    ipcb_ratio_p(&r, -log(1 + CLAIM_MARGIN), &above, &below) == 0 &&
			    n > 1) {
				/* The constant has no spread: Welch's test is the one-sample
				 * t-test. */
				c.o = O_UNDECIDED;
				c.yes_dir = below <= above;
				c.p = fmin(above, below);
				c.p_yes = below;
				c.p_no = above;
			} else {
				c.o = O_UNDECIDABLE;
			}
			ipcb_ratio_fini(&r);
		}
		measure_format(M_SEND_CALL, g->work_ns, w, sizeof(w));
		if (sync) {
			measure_format(M_RTT50, sync->sum[M_RTT50].median, s, sizeof(s));
			snprintf(sy, sizeof(sy),
				 "; used synchronously (request and reply) the sender waits %s", s);
		}
		measure_format(M_SEND_CALL, g->sum[M_SEND_CALL].median, s, sizeof(s));
		if (alpha > 0)
			snprintf(
			    c.text, sizeof(c.text),
			    "%s: a send call took %s (p50) while the receiver spent %s on each "
			    "message%s; over %zu rounds: \x1fsend call under half the receiver's "
			    "work by more than 5%%\x1fsend call not under half the receiver's "
			    "work\x1fshown neither way",
			    g->label, s, w, sy, g->sum[M_SEND_CALL].n);
		if (cmp_add(v, &c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A pair of hosts' group's twin on its sending host alone (--hosts's loopback rows). */
static const struct group *host_alone(const struct model *m, const struct group *g)
{
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *x = &m->groups[i];

		if (x->shape == S_HOSTS && x->latency == g->latency && x->size == g->size &&
		    !strcmp(x->label, g->label) && !strcmp(x->host, g->host) &&
		    !strcmp(x->peer_host, g->host))
			return x;
	}
	return NULL;
}

/* T_PATH: what crossed hosts, by its declared data path, against its rows on loopback. */
static int path_cells(const struct model *m, struct verdict *v)
{
	for (size_t gi = 0; gi < m->ngroups; gi++) {
		const struct group *g = &m->groups[gi], *near;
		struct cmp c = {.placement = g->placement, .size = g->size, .a = g, .p = NAN};
		char a[32], b[32] = "not measured";

		if ((g->shape != S_PAIR && g->shape != S_HOSTS) ||
		    strcmp(g->placement, "two-host") || g->floor)
			continue;
		c.ms = g->latency ? M_RTT50 : M_BPS;
		near = g->shape == S_HOSTS
			   ? host_alone(m, g)
			   : model_find(m, g->label, ipcb_placement_name(IPCB_PLACE_CROSS_CORE),
					g->size, c.ms);
		measure_format(c.ms, g->sum[c.ms].median, a, sizeof(a));
		if (near)
			measure_format(c.ms, near->sum[c.ms].median, b, sizeof(b));
		c.o = !strcmp(g->path, "network-stack") ? O_YES : O_NO;
		if (g->shape == S_HOSTS)
			snprintf(c.text, sizeof(c.text),
				 "%s (data path %s%s%s) from %s to %s %s, on %s's loopback %s",
				 g->label, *g->path ? g->path : "not said",
				 *g->rides_on ? ", rides on " : "", g->rides_on, g->host,
				 g->peer_host, a, g->host, b);
		else
			snprintf(c.text, sizeof(c.text),
				 "%s (data path %s%s%s) across hosts %s, on loopback cross-core %s",
				 g->label, *g->path ? g->path : "not said",
				 *g->rides_on ? ", rides on " : "", g->rides_on, a, b);
		if (cmp_add(v, &c) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int clause_run(const struct model *m, const struct claim_def *def, const struct clause *cl,
		      struct verdict *v, bool at_best, double alpha)
{
	int rc = 0;

	if (cl->test == T_ASYNC)
		return async_cells(m, cl, v, alpha);
	if (cl->test == T_PATH)
		return path_cells(m, v);
	for (size_t p = 0; p < m->nplacements && !rc; p++) {
		const char *pl = m->placements[p];

		if (!strcmp(pl, "two-host"))
			continue;
		for (size_t s = 0; s < m->nsizes && !rc; s++) {
			size_t size = m->sizes[s];

			if (cl->exact  ? size != cl->exact
			    : cl->near ? size != model_size_near(m, cl->near)
				       : size < cl->lo || (cl->hi && size > cl->hi))
				continue;
			if (cl->test == T_DOC) {
				rc = doc_cell(m, cl, v, pl, size, at_best);
				continue;
			}
			if (cl->rtt)
				rc = cell(m, cl, v, pl, size, M_RTT50, at_best, alpha);
			if (cl->bps && !rc)
				rc = cell(m, cl, v, pl, size, M_BPS, at_best, alpha);
		}
	}
	return rc;
}

int claim_compare(const struct model *m, const struct claim_def *c, bool at_best, double alpha,
		  struct verdict *v)
{
	int rc = 0;

	for (size_t k = 0; k < 4 && !rc && c->cl[k].a.kind != SD_NONE; k++)
		rc = clause_run(m, c, &c->cl[k], v, at_best, alpha);
	return rc;
}
