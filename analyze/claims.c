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
 *
 * This file holds what a reader sees of a claim: the table (its words, source and clauses) and
 * its section on the page (the claims' section itself: method.c). The engine that picks the
 * pairs is verdict.c's, the one that decides and grades them grade.c's, and the test of one
 * pair judge.c's; the table's types they share are in claimdef.h.
 */
#include "claims.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "claimdef.h"
#include "rule.h"

const char *const grade_names[G_COUNT] = {
    "holds",	     "mostly holds", "mixed",	     "mostly does not hold",
    "does not hold", "not decided",  "not measured",
};

/* ---- the claims, as data ------------------------------------------------------------------ */

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
	if (v->grade == G_NOT_DECIDED && !v->yes && !v->no) {
		/* clang-format off */
		snprintf(out, n, DOC_B("not decided") " (none of its %zu comparisons could be "
			 "decided: %zu shown neither way, %zu not decidable with this sample)",
			 v->n, v->undecided, v->undecidable);
		/* clang-format on */
		return;
	}
	if (v->grade == G_NOT_DECIDED) {
		/* clang-format off */
		snprintf(out, n, DOC_B("not decided") " (too few decided: %zu of its %zu comparisons, "
			 "%zu holding and %zu not, where a grade needs at least %d; %zu shown neither "
			 "way, %zu not decidable with this sample)",
			 v->yes + v->no, v->n, v->yes, v->no, CLAIM_MIN_DECIDED, v->undecided,
			 v->undecidable);
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
	if (v->edge < G_COUNT && len < n)
		len +=
		    (size_t)snprintf(out + len, n - len,
				     "; " DOC_B("unstable") ": one decided comparison fewer would "
							    "grade it %s, as another run may",
				     grade_names[v->edge]);
	if (isnan(v->stable) || len >= n)
		return;
	/* clang-format off */
	if (v->stable >= CLAIM_STABLE || v->edge < G_COUNT)
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
			 " (p = %.2g for, %.2g against; Holm over every test at this "
			 "placement, size and measure)",
			 c->p_yes, c->p_no);
	else
		snprintf(pv, sizeof(pv), " (p = %.2g)", c->p);
	snprintf(out, n, "%s, %s, %s: %s - %.*s%.*s%s", c->placement, sz, measure_name(c->ms),
		 word[c->o], (int)(f1 - c->text), c->text, sl, s, pv);
}

void claim_print(struct ipcb_doc *d, const struct verdict *v)
{
	const struct claim_def *c = v->def;
	/* Static: 3.6 KiB, and the report is one thread that prints one claim at a time. */
	static char verdict[1024], line[2600];
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
