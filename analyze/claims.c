/* SPDX-License-Identifier: MIT */
/*
 * claims.c - the guides' claims as a table, judged by one engine; see claims.h.
 *
 * The story of a claim: for each clause, in every placement and size it covers and each
 * measure, the sides' members (labels of the one-pair rows, each at its best setting where the
 * claim is judged so) are ranked by their medians, and pairs are picked through the rule: the
 * best of A that has a comparable partner in B against the best such partner, per reader
 * class (P_BEST); each of A against the best comparable of B (P_EACH); each of A against what
 * it rides on (P_OWN); A against the slowest comparable of B (P_SLOWEST). What the rule refused
 * on the way is kept as a "not compared, because" line. Each pair is tested on its rounds;
 * then the claim's comparisons together go through Holm's procedure, and only those it rejects
 * count as decided. The grade follows from the decided ones; the same is done again on
 * resamples of the rounds for the grade's stability.
 */
#include "claims.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratio.h"
#include "rule.h"

const char *const grade_names[G_COUNT] = {
    "holds",	     "mostly holds", "mixed",	     "mostly does not hold",
    "does not hold", "not decided",  "not measured",
};

/* ---- the claims, as data ------------------------------------------------------------------ */

enum side_kind {
	SD_NONE,
	SD_NAMES,      /* the transports named */
	SD_PATH,       /* every transport of the data path names[0] */
	SD_OTHERS,     /* every mechanism not on the other side */
	SD_FRAMEWORKS, /* each transport built on a library over another transport */
	SD_VARIANTS,   /* each kernel transport's variant of another (a zero-copy twin) */
	SD_SLOWED,     /* each transport measured with a slow consumer but the raw sockets */
	SD_HOSTS,      /* each transport measured across two hosts */
};

struct side {
	enum side_kind kind;
	const char *names[6];
};

enum pairing {
	P_BEST,	   /* the best of A against the best comparable of B, per reader class */
	P_EACH,	   /* each of A against the best comparable of B */
	P_OWN,	   /* each of A against what it rides on */
	P_SLOWEST, /* the slowest comparable of B against A */
};

struct clause {
	struct side a, b;
	enum pairing pair;
	enum test test;
	bool rtt, bps;		  /* the measures: round trip, stream */
	size_t lo, hi;		  /* the sizes, inclusive (hi 0: any) */
	size_t near;		  /* or the size nearest to this one */
	size_t exact;		  /* or this size alone: the claim names it (no other stands in) */
	double factor, factor_hi; /* the margin (1 + CLAIM_MARGIN when 0), T_BAND's upper bound */
	unsigned flags;		  /* rule.h */
	bool raw_first;		  /* P_OWN: what it rides on is A */
	const char *doc_what;	  /* T_DOC: the document's mechanism and time in ms */
	double doc_ms;
};

struct claim_def {
	const char *id, *words, *source, *how;
	struct clause cl[4];
	bool paths;		/* needs the data paths the rows declare */
	const char *unmeasured; /* why, when it compares nothing */
};

/* clang-format off */
#define NAMES(...) { SD_NAMES, { __VA_ARGS__, NULL } }
#define SHM	   { SD_PATH, { "shared-memory", NULL } }
#define OTHERS	   { SD_OTHERS, { NULL } }
/* clang-format on */

static const char no_slow[] =
    "the CSV has no streams with a slow consumer: `ipcbench -m throughput --rate R "
    "--receiver-work-ns W` (scripts/run measures them) says how long each send call took";

static const struct claim_def claims[] = {
    {.id = "C1",
     .words = "Shared memory is the fastest IPC.",
     .source = "all five documents",
     .how = "the best shared-memory transport (by its declared data path) against the best of "
	    "all the others that the rule lets it stand against; a tie counts as fastest",
     .cl = {{.a = SHM, .b = OTHERS, .pair = P_BEST, .test = T_AT_LEAST, .rtt = true, .bps = true}},
     .paths = true},
    {.id = "C2",
     .words = "Pipes and Unix domain sockets come next; network sockets and message queues are "
	      "slower.",
     .source = "001_d430098f08ffff3a.txt",
     .how = "the best pipe or Unix socket against the best of TCP, UDP and the message queues",
     .cl = {{.a = NAMES("pipe", "unix-stream", "unix-dgram", "unix-seqpacket"),
	     .b = NAMES("tcp", "udp", "posix-mq", "sysv-mq"),
	     .pair = P_BEST,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true}}},
    {.id = "C3",
     .words = "A named pipe (FIFO) is slightly slower than an anonymous pipe.",
     .source = "001_d430098f08ffff3a.txt",
     .how = "fifo against pipe; slightly: slower by more than a tie, at most 1.5x",
     .cl = {{.a = NAMES("fifo"),
	     .b = NAMES("pipe"),
	     .pair = P_BEST,
	     .test = T_BAND,
	     .rtt = true,
	     .bps = true,
	     .factor_hi = 1.5}}},
    {.id = "C4",
     .words = "Unix domain sockets are more efficient than TCP/IP sockets on the same machine.",
     .source = "003_f366367498f991fa.txt, 000_00169c0be3505af8.txt",
     .how = "unix-stream against tcp",
     .cl = {{.a = NAMES("unix-stream"),
	     .b = NAMES("tcp"),
	     .pair = P_BEST,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true}}},
    {.id = "C5",
     .words = "POSIX IPC usually performs better than System V IPC.",
     .source = "002_70218f60ab04cff3.txt section 6.1",
     .how = "posix-mq against sysv-mq, shm-sem against sysv-shm",
     .cl = {{.a = NAMES("posix-mq"),
	     .b = NAMES("sysv-mq"),
	     .pair = P_BEST,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true},
	    {.a = NAMES("shm-sem"),
	     .b = NAMES("sysv-shm"),
	     .pair = P_BEST,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true}}},
    {.id = "C6",
     .words = "Files are the slowest mechanism.",
     .source = "000_00169c0be3505af8.txt",
     .how = "the slowest other mechanism the rule lets the file stand against, against the "
	    "file; a tie counts as slowest",
     .cl = {{.a = NAMES("file"),
	     .b = OTHERS,
	     .pair = P_SLOWEST,
	     .test = T_AT_LEAST,
	     .rtt = true,
	     .bps = true}}},
    {.id = "C7",
     .words = "Semaphores and signals are \"very fast\" notifications.",
     .source = "000_00169c0be3505af8.txt",
     .how = "very fast: a round trip faster than the pipe's, which the document calls medium",
     .cl = {{.a = NAMES("shm-sem", "sysv-shm", "signal"),
	     .b = NAMES("pipe"),
	     .pair = P_EACH,
	     .test = T_BEATS,
	     .rtt = true,
	     .near = 64}}},
    {.id = "C8",
     .words = "Moving 1 MB takes 0.01 ms over shared memory, 2.5 ms over a pipe, 1.8 ms over a "
	      "message queue and 3.2 ms over a socket.",
     .source = "002_70218f60ab04cff3.txt section 8.1",
     .how = "holds where the measured stream time is within 2x of the document's (a median "
	    "against a constant: the factor of two dwarfs the noise)",
     .cl = {{.a = SHM,
	     .test = T_DOC,
	     .bps = true,
	     .exact = 1048576,
	     .factor = 2,
	     .doc_what = "shared memory",
	     .doc_ms = 0.01},
	    {.a = NAMES("pipe"),
	     .test = T_DOC,
	     .bps = true,
	     .exact = 1048576,
	     .factor = 2,
	     .doc_what = "pipe",
	     .doc_ms = 2.5},
	    {.a = NAMES("posix-mq", "sysv-mq"),
	     .test = T_DOC,
	     .bps = true,
	     .exact = 1048576,
	     .factor = 2,
	     .doc_what = "message queue",
	     .doc_ms = 1.8},
	    {.a = NAMES("unix-stream", "tcp"),
	     .test = T_DOC,
	     .bps = true,
	     .exact = 1048576,
	     .factor = 2,
	     .doc_what = "socket",
	     .doc_ms = 3.2}},
     .paths = true,
     .unmeasured = "no 1 MiB stream was measured (the claim is about 1 MB): ipcbench -s 1M -m "
		   "throughput"},
    {.id = "C9",
     .words = "Shared memory is the choice above 1 MB; pipes suit data under 64 KB.",
     .source = "002_70218f60ab04cff3.txt section 8.2",
     .how = "at 1 MiB and above the best shared memory at least as fast as the best other; "
	    "below 64 KiB the pipe within 1.5x of the best other mechanism the rule lets it stand "
	    "against",
     .cl = {{.a = SHM,
	     .b = OTHERS,
	     .pair = P_BEST,
	     .test = T_AT_LEAST,
	     .rtt = true,
	     .bps = true,
	     .lo = 1048576},
	    {.a = NAMES("pipe"),
	     .b = OTHERS,
	     .pair = P_EACH,
	     .test = T_AT_LEAST,
	     .rtt = true,
	     .bps = true,
	     .lo = 1,
	     .hi = 65535,
	     .factor = 1.5}},
     .paths = true},
    {.id = "C10",
     .words = "A message-queue sender continues at once without waiting for the receiver.",
     .source = "000_00169c0be3505af8.txt section 3.2",
     .how = "the kernel's queues with a slow consumer (the receiver works a fixed time on each "
	    "message) at a rate it keeps up with: holds where a send call takes under half the "
	    "receiver's time per message, fails where the sender waits for it",
     .cl = {{.a = NAMES("posix-mq", "sysv-mq"), .pair = P_EACH, .test = T_ASYNC}},
     .unmeasured = no_slow},
    {.id = "C11",
     .words = "Higher-level frameworks (RPC such as gRPC, message-queue middleware, RESTful "
	      "HTTP APIs) are built on sockets and cost more than the sockets they ride on.",
     .source = "001_d430098f08ffff3a.txt, extensions",
     .how = "each framework against the raw transport its rows say it rides on, same placement "
	    "and size; holds where the raw transport is faster by more than 5%",
     .cl = {{.a = {SD_FRAMEWORKS, {NULL}},
	     .pair = P_OWN,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true,
	     .raw_first = true}},
     .unmeasured = "the CSV has no framework together with the raw transport it rides on"},
    {.id = "C12 (and C10 for every queue)",
     .words = "Message-queue middleware offers asynchronous, decoupled delivery: a queue lets "
	      "the sender continue at once without waiting for the receiver.",
     .source = "000_00169c0be3505af8.txt section 3.2, 001_d430098f08ffff3a.txt",
     .how = "each queue, middleware and broker measured with a slow consumer, at the smallest "
	    "size: holds where a send call takes under half the receiver's time per message",
     .cl = {{.a = {SD_SLOWED, {NULL}}, .pair = P_EACH, .test = T_ASYNC}},
     .unmeasured = no_slow},
    {.id = "C13",
     .words = "Zero-copy techniques improve performance.",
     .source = "002_70218f60ab04cff3.txt section 9.4",
     .how = "each zero-copy transport against the copying original its rows name, where its "
	    "rows show the copy was avoided; holds where the zero-copy one is faster by more "
	    "than 5%",
     .cl = {{.a = {SD_VARIANTS, {NULL}},
	     .pair = P_OWN,
	     .test = T_BEATS,
	     .rtt = true,
	     .bps = true,
	     .flags = RULE_ORIGINAL | RULE_ZEROCOPY}},
     .unmeasured = "the CSV has no zero-copy transport together with its copying original"},
    {.id = "C14",
     .words = "Only sockets, or what is built on them, cross to another host.",
     .source = "001_d430098f08ffff3a.txt",
     .how = "every transport with two-host rows (--peer) must move its bytes through the "
	    "network stack (its declared data path); each is shown against its own rows on "
	    "loopback",
     .cl = {{.a = {SD_HOSTS, {NULL}}, .pair = P_EACH, .test = T_PATH, .rtt = true, .bps = true}},
     .unmeasured = "the CSV has no two-host rows: `ipcbench --peer HOST` (or "
		   "`scripts/twohost-compare`) measures the transports that can cross"},
};

#define NCLAIMS (sizeof(claims) / sizeof(claims[0]))

/* In the guides' numbering: the summary table lists them so (C12's section is the queues'). */
const struct claim_def *const claim_list[NCLAIMS + 1] = {
    &claims[0],	 &claims[1],  &claims[2],  &claims[3],	&claims[4],
    &claims[5],	 &claims[6],  &claims[7],  &claims[8],	&claims[9],
    &claims[10], &claims[11], &claims[12], &claims[13], NULL};

const char *claim_id(const struct claim_def *c)
{
	return c->id;
}

const char *claim_words(const struct claim_def *c)
{
	return c->words;
}

/* ---- one comparison ----------------------------------------------------------------------- */

struct judged {
	double p_yes, p_no; /* NAN: untestable */
	char lead[720], sample[360], yes[320], no[320], neither[96];
};

static void fmt_ratio(double x, char *out, size_t n)
{
	if (!isfinite(x) || x == 0)
		snprintf(out, n, "%s", x == 0 ? "0x" : "-");
	else
		snprintf(out, n, x >= 0.01 && x < 100 ? "%.2fx" : "%.3gx", x);
}

static void fmt_factor(double f, char *out, size_t n)
{
	if (f < 1.2)
		snprintf(out, n, "%.0f%%", (f - 1) * 100);
	else
		snprintf(out, n, "%.3gx", f);
}

/* The messages per run of a and b's kept runs: "128-426 messages per run". */
static void messages_text(const struct model *m, const struct group *a, const struct group *b,
			  enum measure ms, char *out, size_t n)
{
	double lo = INFINITY, hi = 0;
	const struct group *g[2] = {a, b};

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; g[k] && i < g[k]->nruns; i++) {
			const struct run *r = &m->runs[g[k]->runs[i]];

			if (r->aside || isnan(r->v[ms]) || !(r->messages > 0))
				continue;
			lo = fmin(lo, r->messages);
			hi = fmax(hi, r->messages);
		}
	out[0] = '\0';
	if (hi > 0 && lo < hi)
		snprintf(out, n, "; %.0f-%.0f messages per run", lo, hi);
	else if (hi > 0)
		snprintf(out, n, "; %.0f messages per run", hi);
	/* A tail resting on few samples is said: p99 is the k-th largest of a run's. */
	if (ms == M_RTT && hi > 0 && lo * 0.01 < 100)
		snprintf(out + strlen(out), n - strlen(out), "; a run's p99 from %.0f samples",
			 floor(lo * 0.01));
}

/*
 * Test a against b on ms: the one-sided p-values for and against the test's statement, and the
 * sentences each outcome would print. alpha 0: no interval (a resample needs the p-values only).
 */
static void judge(const struct model *m, const struct group *a, const struct group *b,
		  enum measure ms, enum test t, double f, double fh, double alpha, struct judged *j)
{
	static double *va, *vb;
	static uint32_t *ra, *rb;
	static size_t ca, cb;
	const bool lower = measure_lower_better(ms);
	const char *better = lower && ms != M_RTT && ms != M_AB ? "lower" : "faster";
	const char *worse = lower && ms != M_RTT && ms != M_AB ? "higher" : "slower";
	size_t na, nb;
	struct ipcb_ratio r;
	double p[4] = {1, 1, 1, 1}, k = log(f), kh = log(fh);
	char ff[16], fhs[16], est[16], lo[16], hi[16];
	int rc;

	j->p_yes = j->p_no = NAN;
	j->sample[0] = j->yes[0] = j->no[0] = '\0';
	snprintf(j->neither, sizeof(j->neither), "shown neither way");
	na = model_values(m, a, ms, &va, &ra, &ca);
	nb = model_values(m, b, ms, &vb, &rb, &cb);
	/* A resample draws a round several times: each copy a round of its own, paired alike. */
	for (size_t i = 0; m->weight && i < na; i++)
		for (size_t q = 0; q < i; q++)
			if (ra[q] % 100000 == ra[i] % 100000 && ra[i])
				ra[i] += 100000;
	for (size_t i = 0; m->weight && i < nb; i++)
		for (size_t q = 0; q < i; q++)
			if (rb[q] % 100000 == rb[i] % 100000 && rb[i])
				rb[i] += 100000;
	rc = ipcb_ratio_make(&r, IPCB_RATIO_T, m->paired ? IPCB_RATIO_AUTO : IPCB_RATIO_UNPAIRED,
			     va, ra, na, vb, rb, nb, alpha > 0 ? alpha : 0.05);
	fmt_factor(f, ff, sizeof(ff));
	fmt_factor(fh, fhs, sizeof(fhs));
	if (rc < 0) {
		snprintf(j->sample, sizeof(j->sample), "%s",
			 rc == -ENOMEM ? "out of memory" : "a run measured 0, which has no ratio");
		ipcb_ratio_fini(&r);
		return;
	}
	fmt_ratio(exp(r.est), est, sizeof(est));
	fmt_ratio(exp(r.lo), lo, sizeof(lo));
	fmt_ratio(exp(r.hi), hi, sizeof(hi));
	if (alpha > 0) {
		char msgs[96];
		size_t len;

		messages_text(m, a, b, ms, msgs, sizeof(msgs));
		len = (size_t)snprintf(j->sample, sizeof(j->sample), "%s/%s %s", a->label, b->label,
				       est);
		if (isfinite(r.lo) && isfinite(r.hi))
			len += (size_t)snprintf(j->sample + len, sizeof(j->sample) - len,
						" [%s, %s]", lo, hi);
		if (r.paired)
			snprintf(j->sample + len, sizeof(j->sample) - len,
				 " over %zu rounds, paired%s", r.npairs, msgs);
		else
			snprintf(j->sample + len, sizeof(j->sample) - len,
				 " over %zu and %zu runs%s", r.na, r.nb, msgs);
	}
	/* g = log(how much better a is): the test's statements are about it. */
#define P(c, above, below)                                                                         \
	ipcb_ratio_p(&r, lower ? -(c) : (c), lower ? below : above, lower ? above : below)
	switch (t) {
	case T_BEATS:
		rc = P(k, &p[0], &p[1]);
		j->p_yes = p[0], j->p_no = p[1];
		snprintf(j->yes, sizeof(j->yes), "%s %s than %s by more than %s", a->label, better,
			 b->label, ff);
		snprintf(j->no, sizeof(j->no), "%s not %s than %s by more than %s", a->label,
			 better, b->label, ff);
		break;
	case T_AT_LEAST:
		rc = P(-k, &p[0], &p[1]);
		j->p_yes = p[0], j->p_no = p[1];
		snprintf(j->yes, sizeof(j->yes), "%s not %s than %s by %s or more", a->label, worse,
			 b->label, ff);
		snprintf(j->no, sizeof(j->no), "%s %s than %s by more than %s", a->label, worse,
			 b->label, ff);
		break;
	default: /* T_BAND: worse by more than f and less than fh */
		rc = P(-k, &p[0], &p[1]);
		if (!rc)
			rc = P(-kh, &p[2], &p[3]);
		j->p_yes = fmax(p[1], p[2]);
		j->p_no = fmin(p[0], p[3]);
		snprintf(j->yes, sizeof(j->yes), "%s %s than %s by more than %s and less than %s",
			 a->label, worse, b->label, ff, fhs);
		snprintf(j->no, sizeof(j->no),
			 p[0] <= p[3] ? "%s not %s than %s by more than %s"
				      : "%s much %s than %s: by more than %s",
			 a->label, worse, b->label, p[0] <= p[3] ? ff : fhs);
	}
#undef P
	if (rc < 0) {
		j->p_yes = j->p_no = NAN;
		snprintf(j->neither, sizeof(j->neither), "not decidable with this sample (%s)",
			 r.paired ? "two rounds cannot test" : "a side of one run cannot test");
	}
	ipcb_ratio_fini(&r);
}

void judge_one(const struct model *m, const struct group *a, const struct group *b, enum measure ms,
	       enum test t, double *p_yes, double *p_no, char (*out)[720])
{
	struct judged j;

	judge(m, a, b, ms, t, 1 + CLAIM_MARGIN, 0, out ? CLAIM_ALPHA : 0, &j);
	*p_yes = j.p_yes;
	*p_no = j.p_no;
	if (!out)
		return;
	snprintf(out[0], sizeof(out[0]), "%s; %s", j.yes, j.sample);
	snprintf(out[1], sizeof(out[1]), "%s; %s", j.no, j.sample);
	snprintf(out[2], sizeof(out[2]), "%s; %s", j.neither, j.sample);
}

void judge_tie(const struct model *m, const struct group *best, const struct group *b,
	       enum measure ms, struct tie *t)
{
	static double *va, *vb;
	static uint32_t *ra, *rb;
	static size_t ca, cb;
	const bool lower = measure_lower_better(ms);
	const double k = log1p(CLAIM_MARGIN);
	double above_hi, below_hi, above_lo, below_lo;
	struct ipcb_ratio r;
	size_t na = model_values(m, b, ms, &va, &ra, &ca);
	size_t nb = model_values(m, best, ms, &vb, &rb, &cb);

	*t = (struct tie){
	    .p_worse = NAN, .p_same = NAN, .worst = NAN, .most = NAN, .est = NAN, .half = NAN};
	/* log(b / best): b slower where it is above 0 for a time, below 0 for a rate. */
	if (ipcb_ratio_make(&r, IPCB_RATIO_T, m->paired ? IPCB_RATIO_AUTO : IPCB_RATIO_UNPAIRED, va,
			    ra, na, vb, rb, nb, CLAIM_ALPHA) < 0) {
		ipcb_ratio_fini(&r);
		return;
	}
	t->paired = r.paired;
	t->rounds = r.paired ? r.npairs : (r.na < r.nb ? r.na : r.nb);
	if (isfinite(r.lo) && isfinite(r.hi)) {
		t->worst = lower ? expm1(r.hi) : -expm1(r.lo);
		t->most = lower ? -expm1(r.lo) : expm1(r.hi);
		t->est = lower ? r.est : -r.est;
		t->half = (r.hi - r.lo) / 2;
	}
	if (ipcb_ratio_p(&r, k, &above_hi, &below_hi) == 0 &&
	    ipcb_ratio_p(&r, -k, &above_lo, &below_lo) == 0) {
		t->p_worse = lower ? above_hi : below_lo;
		t->p_same = fmax(below_hi, above_lo);
	}
	ipcb_ratio_fini(&r);
}

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
	struct cmp c = {.placement = pl,
			.size = size,
			.ms = ms,
			.a = a,
			.b = b,
			.p = NAN,
			.p_yes = NAN,
			.p_no = NAN};
	struct judged j;
	double f = cl->factor > 0 && cl->test != T_BAND ? cl->factor : 1 + CLAIM_MARGIN;

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
			measure_format(M_RTT, sync->sum[M_RTT].median, s, sizeof(s));
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
		c.ms = g->latency ? M_RTT : M_BPS;
		near = g->shape == S_HOSTS ? host_alone(m, g)
					   : model_find(m, g->label, "cross-core", g->size, c.ms);
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
				rc = cell(m, cl, v, pl, size, M_RTT, at_best, alpha);
			if (cl->bps && !rc)
				rc = cell(m, cl, v, pl, size, M_BPS, at_best, alpha);
		}
	}
	return rc;
}

int claim_holm(const double *p, size_t n, double alpha, bool *rej)
{
	double *q = calloc(n + 1, sizeof(*q));
	bool *r = calloc(n + 1, sizeof(*r));
	size_t k = 0, *at = malloc((n + 1) * sizeof(*at));
	int rc = q && r && at ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++)
		if (!isnan(p[i]))
			at[k] = i, q[k++] = p[i];
	if (!rc)
		ipcb_holm(q, k, alpha, r, NULL);
	for (size_t i = 0; !rc && i < k; i++)
		rej[at[i]] = r[i];
	free(q);
	free(r);
	free(at);
	return rc;
}

/* Holm over the claim's tested comparisons: only those it rejects count as decided. */
static int claim_decide(struct verdict *v, double alpha)
{
	double *p = calloc(v->n + 1, sizeof(*p));
	bool *rej = calloc(v->n + 1, sizeof(*rej));
	int rc = p && rej ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < v->n; i++)
		p[i] = v->cmps[i].p;
	rc = rc ?: claim_holm(p, v->n, alpha, rej);
	for (size_t i = 0; !rc && i < v->n; i++)
		if (rej[i])
			v->cmps[i].o = v->cmps[i].yes_dir ? O_YES : O_NO;
	free(p);
	free(rej);
	if (rc)
		return rc;
	v->yes = v->no = v->undecided = v->undecidable = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct cmp *c = &v->cmps[i];

		v->yes += c->o == O_YES;
		v->no += c->o == O_NO;
		v->undecided += c->o == O_UNDECIDED;
		v->undecidable += c->o == O_UNDECIDABLE;
	}
	if (!v->n)
		v->grade = G_NOT_MEASURED;
	else if (!v->yes && !v->no)
		v->grade = G_NOT_DECIDED;
	else if (!v->no)
		v->grade = G_HOLDS;
	else if (!v->yes)
		v->grade = G_NOT;
	else if ((double)v->yes >= CLAIM_MOSTLY * (double)(v->yes + v->no))
		v->grade = G_MOSTLY;
	else if ((double)v->no >= CLAIM_MOSTLY * (double)(v->yes + v->no))
		v->grade = G_MOSTLY_NOT;
	else
		v->grade = G_MIXED;
	return 0;
}

static int claim_once(const struct model *m, const struct claim_def *c, bool at_best, double alpha,
		      struct verdict *v)
{
	int rc = 0;

	v->n = 0;
	if (c->paths && !m->has_paths) {
		v->unmeasured =
		    "the CSV does not say the transports' data paths (which of them move "
		    "their bytes through shared memory): measure again";
		return claim_decide(v, CLAIM_ALPHA);
	}
	for (size_t k = 0; k < 4 && !rc && c->cl[k].a.kind != SD_NONE; k++)
		rc = clause_run(m, c, &c->cl[k], v, at_best, alpha);
	if (!rc)
		rc = claim_decide(v, CLAIM_ALPHA);
	if (!v->n && !v->nrefused && !v->unmeasured)
		v->unmeasured = c->unmeasured;
	return rc;
}

/* The decided comparisons' split, where one key separates them: "holds cross-core; not ...". */
static void split(const struct verdict *v)
{
	char *out = (char *)v->split;
	size_t len = 0;

	out[0] = '\0';
	for (int key = 0; key < 3 && !out[0]; key++) {
		bool clean = true, differs = false;

		for (size_t i = 0; i < v->n && clean; i++)
			for (size_t j = 0; j < v->n && clean; j++) {
				const struct cmp *x = &v->cmps[i], *y = &v->cmps[j];
				bool same = key == 0   ? !strcmp(x->placement, y->placement)
					    : key == 1 ? (x->ms == M_BPS) == (y->ms == M_BPS)
						       : x->size == y->size;

				if (x->o > O_YES || y->o > O_YES)
					continue;
				clean = !(same && x->o != y->o);
				differs |= x->o != y->o;
			}
		if (!clean || !differs)
			continue;
		for (size_t i = 0; i < v->n && len < sizeof(v->split); i++) {
			const struct cmp *x = &v->cmps[i];
			char what[32];
			bool seen = false;

			if (x->o > O_YES)
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = v->cmps[j].o <= O_YES &&
				       (key == 0   ? !strcmp(v->cmps[j].placement, x->placement)
					: key == 1 ? (v->cmps[j].ms == M_BPS) == (x->ms == M_BPS)
						   : v->cmps[j].size == x->size);
			if (seen)
				continue;
			if (key == 0)
				snprintf(what, sizeof(what), "%s", x->placement);
			else if (key == 1)
				snprintf(what, sizeof(what), "%s",
					 x->ms == M_BPS ? "throughput" : "latency");
			else
				size_format(x->size, what, sizeof(what));
			len += (size_t)snprintf(out + len, sizeof(v->split) - len, "%s%s %s",
						len ? "; " : "", x->o == O_YES ? "holds" : "not",
						what);
		}
	}
}

int claim_judge(const struct model *m, const struct claim_def *c, bool at_best, bool stability,
		struct verdict *v)
{
	struct model *mm = (struct model *)m;
	size_t counts[G_COUNT] = {0};
	unsigned *w;
	uint64_t rng = 0x1bc0ffeeull; /* the same resamples every time: the report reproduces */
	int rc;

	memset(v, 0, sizeof(*v));
	v->def = c;
	v->stable = NAN;
	rc = claim_once(m, c, at_best, CLAIM_ALPHA, v);
	if (!rc)
		split(v);
	if (rc || !stability || v->grade >= G_NOT_DECIDED || m->nrounds < 2)
		return rc;
	/* Resamples of the rounds: a round's runs stay together, they shared the machine's state.
	 */
	w = calloc(m->nrounds + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	mm->weight = w;
	for (int b = 0; b < CLAIM_RESAMPLES && !rc; b++) {
		struct verdict x = {.def = c};

		memset(w, 0, (m->nrounds + 1) * sizeof(*w));
		for (size_t k = 0; k < m->nrounds; k++)
			w[1 + ipcb_rng_below(&rng, m->nrounds)]++; /* rounds are 1..nrounds */
		rc = claim_once(m, c, at_best, 0, &x);
		counts[x.grade]++;
		verdict_fini(&x);
	}
	mm->weight = NULL;
	free(w);
	v->stable = (double)counts[v->grade] / CLAIM_RESAMPLES;
	/* The commonest other grade of the resamples, for the verdict's line. */
	counts[v->grade] = 0;
	v->other = G_COUNT;
	for (int g = 0; g < G_COUNT; g++)
		if (counts[g] && (v->other == G_COUNT || counts[g] > counts[v->other]))
			v->other = (enum grade)g;
	v->other_share = v->other < G_COUNT ? (double)counts[v->other] / CLAIM_RESAMPLES : 0;
	return rc;
}

void verdict_fini(struct verdict *v)
{
	free(v->cmps);
	free(v->refused);
	v->cmps = NULL;
	v->refused = NULL;
}

/* The verdict's class on the page: holds, mostly-holds, ... */
static const char *grade_class(enum grade g)
{
	static const char *const cls[G_COUNT] = {"holds",	"mostly-holds",	 "mixed",
						 "mostly-not",	"does-not-hold", "not-decided",
						 "not-measured"};
	return cls[g];
}

/* "**mostly holds** (12 of 15 decided comparisons hold; ...); stable in 95% of ..." */
static void verdict_text(const struct verdict *v, char *out, size_t n)
{
	size_t len;

	if (v->grade == G_NOT_MEASURED) {
		snprintf(out, n, DOC_B("not measured") " (%s)",
			 v->unmeasured ? v->unmeasured
			 : v->nrefused
			     ? "every comparison it needs was refused by the rule: see below"
			     : "the CSV lacks the transports or sizes it needs");
		return;
	}
	if (v->grade == G_NOT_DECIDED) {
		/* clang-format off */
		snprintf(out, n, DOC_B("not decided") " (none of its %zu comparisons could be "
			 "decided: %zu shown neither way, %zu not decidable with this sample)",
			 v->n, v->undecided, v->undecidable);
		/* clang-format on */
		return;
	}
	len = (size_t)snprintf(out, n, DOC_B("%s") " (%zu of %zu decided comparisons hold",
			       grade_names[v->grade], v->yes, v->yes + v->no);
	if (v->split[0] && len < n)
		len += (size_t)snprintf(out + len, n - len, "; %s", v->split);
	if (v->undecided + v->undecidable && len < n)
		len += (size_t)snprintf(out + len, n - len,
					"; %zu more shown neither way, %zu not decidable with this "
					"sample",
					v->undecided, v->undecidable);
	if (len < n)
		len += (size_t)snprintf(out + len, n - len, ")");
	if (isnan(v->stable) || len >= n)
		return;
	/* clang-format off */
	if (v->stable >= CLAIM_STABLE)
		snprintf(out + len, n - len,
			 "; the same grade in %.0f%% of %d resamples of the rounds",
			 v->stable * 100, CLAIM_RESAMPLES);
	else
		snprintf(out + len, n - len, "; " DOC_B("unstable") ": the same grade in only "
			 "%.0f%% of %d resamples of the rounds (%s in %.0f%%), so another run may "
			 "grade it otherwise",
			 v->stable * 100, CLAIM_RESAMPLES,
			 v->other < G_COUNT ? grade_names[v->other] : "another",
			 v->other_share * 100);
	/* clang-format on */
}

/* A comparison's line, with the sentence its outcome chose. */
static void cmp_line(const struct cmp *c, char *out, size_t n)
{
	static const char *const word[] = {"no", "yes", "not decided", "not decidable"};
	const char *f1 = strchr(c->text, '\x1f'), *f2 = f1 ? strchr(f1 + 1, '\x1f') : NULL;
	const char *f3 = f2 ? strchr(f2 + 1, '\x1f') : NULL;
	char sz[16], pv[128];
	const char *s;
	int sl;

	size_format(c->size, sz, sizeof(sz));
	if (!f3) {
		snprintf(out, n, "%s, %s, %s: %s - %s", c->placement, sz, measure_name(c->ms),
			 word[c->o], c->text);
		return;
	}
	s = c->o == O_YES ? f1 + 1 : c->o == O_NO ? f2 + 1 : f3 + 1;
	sl = c->o == O_YES  ? (int)(f2 - f1 - 1)
	     : c->o == O_NO ? (int)(f3 - f2 - 1)
			    : (int)strlen(s);
	if (isnan(c->p))
		snprintf(pv, sizeof(pv), "%s", "");
	else if (c->o == O_UNDECIDED && !isnan(c->p_yes))
		snprintf(pv, sizeof(pv),
			 " (p = %.2g for, %.2g against; Holm over the claim's "
			 "comparisons)",
			 c->p_yes, c->p_no);
	else
		snprintf(pv, sizeof(pv), " (p = %.2g)", c->p);
	snprintf(out, n, "%s, %s, %s: %s - %.*s%.*s%s", c->placement, sz, measure_name(c->ms),
		 word[c->o], (int)(f1 - c->text), c->text, sl, s, pv);
}

void claim_print(struct ipcb_doc *d, const struct verdict *v)
{
	const struct claim_def *c = v->def;
	char verdict[1024], line[2600];
	enum outcome order[4];

	verdict_text(v, verdict, sizeof(verdict));
	ipcb_doc_h(d, 3, "%s. %s", c->id, c->words);
	ipcb_doc_p(d, DOC_I("%s; compared: %s") "", c->source, c->how);
	ipcb_doc_class(d, grade_class(v->grade));
	ipcb_doc_p(d, "Verdict: %s", verdict);
	order[0] = v->grade <= G_MIXED ? O_NO : O_YES;
	order[1] = v->grade <= G_MIXED ? O_YES : O_NO;
	order[2] = O_UNDECIDED;
	order[3] = O_UNDECIDABLE;
	if (v->yes && v->no)
		ipcb_doc_p(d, "Exceptions first (%zu):", order[0] == O_NO ? v->no : v->yes);
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < v->n; i++)
			if (v->cmps[i].o == order[k]) {
				cmp_line(&v->cmps[i], line, sizeof(line));
				ipcb_doc_li(d, "%s", line);
			}
	if (v->nrefused) {
		ipcb_doc_p(d, "Not compared, because the rule (like with like) refused them (%zu):",
			   v->nrefused);
		for (const char *p = v->refused; p && *p;) {
			const char *e = strchr(p, '\n');

			ipcb_doc_li(d, "not compared: %.*s", (int)(e ? e - p : (long)strlen(p)), p);
			p = e ? e + 1 : NULL;
		}
	}
}
