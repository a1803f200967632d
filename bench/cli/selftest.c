/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - `ipcbench selftest NAME`: the transport test suite, against any transport, a
 * user's module (external:/path/module.so) as well as a built-in one. Sender and receiver
 * processes move verified payloads of 1 B to 1 MiB in both modes (so chunked paths run where the
 * transport has a limit), with every option value and wait strategy it offers, and round trips at
 * a fixed rate where it can send while it receives; then injected
 * faults (a damaged stamp or byte, a lost, repeated or reordered message, a crashed or hung
 * peer) must be caught, and nothing the runs created may be left behind: no file or queue
 * named after this process, no System V object, no server process or listening port. A
 * transport that broadcasts (publish-subscribe) also streams to two receivers that each take
 * every message, with each of its option values, and its faults there must be caught too: a
 * lost message is counted once per receiver where the run may lose messages, and fails the run
 * naming the receiver where it may not.
 *
 * Output is TAP (one line per check, a plan at the end); exit 0 when every check passed, 1
 * otherwise, 2 on a usage error. A transport that cannot run here prints a "1..0 # SKIP" plan
 * and exits 0, unless IPCB_REQUIRE_TRANSPORTS names it ("all", or a comma-separated list of
 * transports): on a machine where they must run (CI sets it), a transport that cannot is a
 * failure naming it and the reason, not a skip that a green suite would hide. The test suite
 * runs every built-in transport through this (tests/meson.build).
 *
 * What the suite is asked to do (the transport its command line names, and whether
 * IPCB_REQUIRE_TRANSPORTS says it must run) is selfcmd.c's; this file is the suite.
 */
#include "selftest.h"
#include "leftover.h"
#include "selfcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "clock.h"
#include "command.h"
#include "crash.h"
#include "launch.h"
#include "rundir.h"
#include "run.h"
#include "runtime.h"
#include "service.h"
#include "sysvreg.h"
#include "tapout.h"

static const size_t sizes[] = {1, 64, 4096, 65536, 1048576};

/*
 * The signal that stopped one of the suite's runs (SIGINT, SIGTERM, ...): the suite stops there,
 * as the driver's sweep does, rather than going on with its next run; 0 while none has.
 */
static int selftest_stopped;

/* One run of the suite's (ipcb_run_one()), or none, -EINTR, once a signal has stopped one. */
static int selftest_run(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	int rc;

	if (selftest_stopped) {
		memset(r, 0, sizeof(*r));
		r->signal = selftest_stopped;
		snprintf(r->error, sizeof(r->error), "not run: the suite was stopped by %s",
			 strsignal(selftest_stopped));
		return -EINTR;
	}
	rc = ipcb_run_one(s, r);
	if (rc == -EINTR && r->signal)
		selftest_stopped = r->signal;
	return rc;
}

/* The transport's server, when it has one: started once for all the runs, as the driver does. */
static struct ipcb_service_run svc;
/*
 * The run each check makes, and the server's processes and sockets: here rather than on the
 * stack, which may be small (ulimit -s), and whose depth is where each run's forked sides start.
 * The checks run one at a time; nothing here is re-entered.
 */
static struct ipcb_run_spec selftest_spec;
static struct ipcb_run_result selftest_result;
static unsigned long selftest_inodes[256];
static int selftest_pids[64];
static unsigned long long selftest_starts[64];

static void spec_init(struct ipcb_run_spec *s, const struct ipcb_transport *t, size_t max_msg,
		      enum ipcb_mode mode, size_t size, enum ipcb_wait wait, const char *dir)
{
	memset(s, 0, sizeof(*s));
	ipcb_opt_defaults(t, s->cfg.opt);
	s->cfg.service = svc.pid ? svc.svc.addr : NULL;
	s->t = t;
	s->launcher = ipcb_launcher_for(t);
	s->mode = mode;
	s->size_bytes = size;
	s->chunk_bytes = ipcb_chunk_for(max_msg, size);
	/* Enough messages for several every-byte checks (every 64th) at every size. */
	s->messages = size >= 65536 ? 130 : 300;
	s->duration_s = 0;
	s->warmup = 5;
	s->cpu[0] = 0;
	s->cpu[1] = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0;
	s->timeout_s = 60;
	s->cfg.msg_bytes = s->chunk_bytes;
	s->cfg.wait = (t->caps & IPCB_CAP_WAIT_CHOICE) ? wait : t->fixed_wait;
	s->cfg.spin_polls = 200;
	s->cfg.dir = dir;
	s->cfg.bidirectional = mode == IPCB_MODE_LATENCY;
}

/* The largest value of a switch or a choice (an option of whole numbers is not walked: 0). */
static uint64_t option_last(const struct ipcb_option *opt)
{
	uint64_t last = opt->type == IPCB_OPT_BOOL ? 1 : 0;

	if (opt->type == IPCB_OPT_CHOICE)
		for (const char *c = opt->choices; *c; c++)
			last += *c == '|';
	return last;
}

/* ---- publish-subscribe ------------------------------------------------------------------- */

#define BCAST_RECEIVERS 2
/* A transport whose clean run takes longer (seconds) meets the faults at one --verify level. */
#define SLOW_RUN_S 1.0

/* A broadcast to BCAST_RECEIVERS receivers, streamed as any run of this suite. */
static void bcast_spec(struct ipcb_run_spec *s, const struct ipcb_transport *t, size_t max_msg,
		       size_t size, enum ipcb_wait wait, const char *dir)
{
	spec_init(s, t, max_msg, IPCB_MODE_THROUGHPUT, size, wait, dir);
	s->cfg.receivers = BCAST_RECEIVERS;
	s->cfg.broadcast = true;
}

/* "-o NAME.KEY=VALUE " for a run with option o at v, "" for the defaults (o < 0). */
static const char *bcast_setting(const struct ipcb_transport *t, int o, uint64_t v, char *out,
				 size_t n)
{
	char word[32];

	if (o < 0)
		return "";
	if (t->options[o].type == IPCB_OPT_CHOICE)
		ipcb_opt_choice(&t->options[o], v, word, sizeof(word));
	else
		snprintf(word, sizeof(word), "%llu", (unsigned long long)v);
	snprintf(out, n, "-o %s.%s=%s ", t->name, t->options[o].key, word);
	return out;
}

/*
 * One clean broadcast: every receiver took every message (or counted what it lost, where the
 * run may lose messages), checked them, and the rows' rates and delays were measured.
 */
static void bcast_clean(const struct ipcb_transport *t, const struct ipcb_run_spec *s,
			const char *setting)
{
	struct ipcb_run_result r;
	bool lossy = ipcb_transport_lossy(t, &s->cfg);
	int rc = selftest_run(s, &r);

	if (!ok(rc == 0, "%s %sbroadcast to %d receivers, %zu B: run succeeds", t->name, setting,
		BCAST_RECEIVERS, s->size_bytes)) {
		tap_diag("error: %s", r.error);
		return;
	}
	ok_eq(r.messages, s->messages, "%s %sbroadcast %zu B: every message published", t->name,
	      setting, s->size_bytes);
	/* Each receiver's measured messages: all of them, or all but those it counted lost. */
	ok(r.losses_counted &&
	       (lossy ? r.deliveries_per_s <= BCAST_RECEIVERS * r.msgs_per_s * (1 + 1e-9)
		      : r.losses == 0 &&
			    r.deliveries_per_s >= BCAST_RECEIVERS * r.msgs_per_s * (1 - 1e-9) &&
			    r.deliveries_per_s <= BCAST_RECEIVERS * r.msgs_per_s * (1 + 1e-9)),
	   "%s %sbroadcast %zu B: %s (%.0f deliveries/s of %.0f msg/s, %llu lost)", t->name,
	   setting, s->size_bytes,
	   lossy ? "what did not arrive is counted lost" : "every receiver took every message",
	   r.deliveries_per_s, r.msgs_per_s, (unsigned long long)r.losses);
	/* What a receiver lost it could not check, nor time: a run that lost some promises less. */
	ok(r.losses || r.full_checks >= 2 * BCAST_RECEIVERS,
	   "%s %sbroadcast %zu B: %llu messages checked byte by byte, at every receiver%s", t->name,
	   setting, s->size_bytes, (unsigned long long)r.full_checks,
	   r.losses ? " (of those that arrived)" : "");
	ok(r.losses || (r.one_way[0] && r.one_way_slowest && r.one_way_last &&
			r.slowest_receiver >= 1 && r.slowest_receiver <= BCAST_RECEIVERS &&
			ipcb_hist_total(r.one_way_slowest) * BCAST_RECEIVERS ==
			    ipcb_hist_total(r.one_way[0]) &&
			ipcb_hist_total(r.one_way_last) == ipcb_hist_total(r.one_way_slowest)),
	   "%s %sbroadcast %zu B: one-way delays to every receiver, to the slowest and to the "
	   "last one measured%s",
	   t->name, setting, s->size_bytes, r.losses ? " (where nothing was lost)" : "");
	ipcb_run_result_fini(&r);
}

/*
 * The timeout of a run with a fault in it, from what the same run took without one: five times
 * that, for a side that starts a JVM (seconds, more or less from run to run on a loaded
 * machine), plus ten seconds, for a run of a fast transport starved by a process beside it: on
 * 2 CPUs, beside a test that starts a broker's JVM, a 0.03 s broadcast of zmq-tcp ran past 1.1 s
 * in 3 of 18 tries. A fault that hangs a side is still caught, only later.
 */
static double fault_timeout_s(double clean_s)
{
	return 5 * clean_s + 10;
}

/*
 * Faults in a broadcast: a lost message is counted once at each receiver where the run may
 * lose messages and fails the run where it may not; a damaged byte and a receiver that dies
 * fail it. Each faulty run is bounded by fault_timeout_s() of its clean run. The
 * messages are small, so that all of a run's fit in what a lossy mechanism holds before it
 * drops (a ring of 2048 slots, a high-water mark or a broker's queue of 1000): the only
 * message lost is the one the fault takes.
 */
static void bcast_faults(const struct ipcb_transport *t, size_t max_msg, const char *dir, int o,
			 uint64_t v)
{
	struct ipcb_run_spec s;
	struct ipcb_run_result r;
	char said[96];
	const char *setting = bcast_setting(t, o, v, said, sizeof(said));
	uint64_t t0 = ipcb_now_ns();
	bool lossy;
	int rc;

	bcast_spec(&s, t, max_msg, 64, IPCB_WAIT_HYBRID, dir);
	if (o >= 0)
		s.cfg.opt[o] = v;
	lossy = ipcb_transport_lossy(t, &s.cfg);
	if (selftest_run(&s, &r) == 0)
		ipcb_run_result_fini(&r);
	s.timeout_s = fault_timeout_s((double)(ipcb_now_ns() - t0) / 1e9);

	s.inject = IPCB_INJECT_DROP;
	rc = selftest_run(&s, &r);
	if (lossy) {
		if (!ok(rc == 0 && r.losses_counted && r.losses == BCAST_RECEIVERS,
			"%s %sbroadcast: a lost message is counted once at each of the %d "
			"receivers (%llu)",
			t->name, setting, BCAST_RECEIVERS, (unsigned long long)r.losses))
			tap_diag("rc %d, error: %s", rc, r.error);
		if (rc == 0)
			ipcb_run_result_fini(&r);
	} else if (!ok(rc < 0 && rc != -EINTR && strstr(r.error, "receiver") &&
			   strstr(r.error, "lost messages"),
		       "%s %sbroadcast: a lost message fails the run, naming the receiver", t->name,
		       setting)) {
		tap_diag("rc %d, error: %s", rc, r.error);
	}
	s.inject = IPCB_INJECT_CORRUPT;
	rc = selftest_run(&s, &r);
	if (!ok(rc < 0 && rc != -EINTR && strstr(r.error, "receiver") &&
		    strstr(r.error, "verification failed"),
		"%s %sbroadcast: a corrupted byte fails the run, naming the receiver", t->name,
		setting))
		tap_diag("rc %d, error: %s", rc, r.error);
	s.inject = IPCB_INJECT_CRASH;
	rc = selftest_run(&s, &r);
	if (!ok(rc < 0 && rc != -EINTR && strstr(r.error, "killed by signal"),
		"%s %sbroadcast: a receiver's crash fails the run", t->name, setting))
		tap_diag("rc %d, error: %s", rc, r.error);
}

/*
 * Publish-subscribe: broadcasts to two receivers at two sizes, with each value of each option
 * that is not its default (a switch or a choice) too, and with a blocking wait where the wait
 * is a choice; faults at the defaults, and again under every option value that makes the run
 * lossy where the defaults are not (or the other way round).
 */
static void broadcast_checks(const struct ipcb_transport *t, size_t max_msg, const char *dir)
{
	static const size_t bsizes[] = {64, 65536};
	struct ipcb_run_spec s;
	bool lossy_default;

	for (size_t i = 0; i < sizeof(bsizes) / sizeof(bsizes[0]); i++) {
		bcast_spec(&s, t, max_msg, bsizes[i], IPCB_WAIT_HYBRID, dir);
		bcast_clean(t, &s, "");
	}
	if (t->caps & IPCB_CAP_WAIT_CHOICE) {
		bcast_spec(&s, t, max_msg, 4096, IPCB_WAIT_BLOCK, dir);
		bcast_clean(t, &s, "--wait block ");
	}
	bcast_spec(&s, t, max_msg, 4096, IPCB_WAIT_HYBRID, dir);
	lossy_default = ipcb_transport_lossy(t, &s.cfg);
	bcast_faults(t, max_msg, dir, -1, 0);
	for (size_t o = 0; t->options && t->options[o].key; o++) {
		const struct ipcb_option *opt = &t->options[o];
		uint64_t def[IPCB_MAX_OPTIONS], last = option_last(opt);

		ipcb_opt_defaults(t, def);
		for (uint64_t v = 0; opt->type != IPCB_OPT_UINT && v <= last; v++) {
			char said[96];

			if (v == def[o])
				continue;
			for (size_t i = 0; i < sizeof(bsizes) / sizeof(bsizes[0]); i++) {
				bcast_spec(&s, t, max_msg, bsizes[i], IPCB_WAIT_HYBRID, dir);
				s.cfg.opt[o] = v;
				bcast_clean(t, &s, bcast_setting(t, (int)o, v, said, sizeof(said)));
			}
			if (ipcb_transport_lossy(t, &s.cfg) != lossy_default)
				bcast_faults(t, max_msg, dir, (int)o, v);
		}
	}
}

/* What every check of one transport needs. */
struct suite {
	const struct ipcb_transport *t;
	size_t max_msg; /* the largest message in one operation here (0: no limit) */
	const char *dir;
	bool data; /* it moves data (not the harness's null) */
};

/* Verified runs of 1 B to 1 MiB in both modes, at the defaults, each row's numbers measured. */
static void check_runs(const struct suite *su)
{
	static const char *const mode_name[2] = {"latency", "throughput"};
	const struct ipcb_transport *t = su->t;
	struct ipcb_run_spec *s = &selftest_spec;
	struct ipcb_run_result *r = &selftest_result;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int m = 0; m < 2; m++) {
			int rc;

			spec_init(s, t, su->max_msg, (enum ipcb_mode)m, sizes[i], IPCB_WAIT_HYBRID,
				  su->dir);
			rc = selftest_run(s, r);
			if (!ok(rc == 0, "%s %s %zu B: run succeeds", t->name, mode_name[m],
				sizes[i]))
				tap_diag("error: %s", r->error);
			/* A lossy stream measures what arrived; what did not is counted. */
			if (ipcb_transport_lossy(t, &s->cfg) && m == IPCB_MODE_THROUGHPUT)
				ok(r->losses_counted && r->messages + r->losses >= s->messages,
				   "%s %s %zu B: every message measured or counted lost (%llu, "
				   "%llu lost)",
				   t->name, mode_name[m], sizes[i], (unsigned long long)r->messages,
				   (unsigned long long)r->losses);
			else
				ok_eq(r->messages, s->messages,
				      "%s %s %zu B: every message measured", t->name, mode_name[m],
				      sizes[i]);
			if (su->data)
				ok(r->full_checks >= 2,
				   "%s %s %zu B: %llu messages checked byte by byte", t->name,
				   mode_name[m], sizes[i], (unsigned long long)r->full_checks);
			if (m == IPCB_MODE_LATENCY)
				ok(r->hist && ipcb_hist_total(r->hist) == (int64_t)s->messages &&
				       ipcb_hist_value_at_percentile(r->hist, 50) > 0,
				   "%s latency %zu B: one round-trip sample per message", t->name,
				   sizes[i]);
			else if (su->data)
				ok(r->msgs_per_s > 0 && r->bytes_per_s > 0,
				   "%s throughput %zu B: a rate was measured (%.0f msg/s)", t->name,
				   sizes[i], r->msgs_per_s);
			else
				/* It moves no bytes: its rate is the harness's, in messages. */
				ok(r->msgs_per_s > 0 && r->bytes_per_s == 0,
				   "%s throughput %zu B: a message rate was measured (%.0f msg/s), "
				   "and no byte rate",
				   t->name, sizes[i], r->msgs_per_s);
			/* Loans carry whole messages; a chunked payload goes through send/recv. */
			if (t->caps & IPCB_CAP_ZEROCOPY)
				ok((strncmp(r->layout, "zerocopy", 8) == 0) ==
				       (s->chunk_bytes == s->size_bytes),
				   "%s %s %zu B: the row says zerocopy exactly when loans carried "
				   "it "
				   "(%s)",
				   t->name, mode_name[m], sizes[i], r->layout);
			ipcb_run_result_fini(r);
		}
}

/* Runs at a rate: how many, and the rate (a message every 200 us, 300 of them). */
#define RATE_RUNS	3
#define RATE_MSGS_PER_S 5000.0

/*
 * Open loop: round trips at a fixed rate, the sender sending from one thread while another
 * takes the replies, on a fresh channel each time. Every message must come back, in order: a
 * channel whose first messages are retried behind later ones (a broker's new topic that is not
 * yet taking them) fails here, so the runs are three.
 */
static void check_rate(const struct suite *su)
{
	const struct ipcb_transport *t = su->t;
	struct ipcb_run_spec *s = &selftest_spec;
	struct ipcb_run_result *r = &selftest_result;

	if (!(t->caps & IPCB_CAP_DUPLEX) || (t->caps & IPCB_CAP_NO_DATA))
		return;
	for (int i = 1; i <= RATE_RUNS; i++) {
		bool lossy;
		int rc;

		spec_init(s, t, su->max_msg, IPCB_MODE_LATENCY, 64, IPCB_WAIT_HYBRID, su->dir);
		s->rate = RATE_MSGS_PER_S;
		lossy = ipcb_transport_lossy(t, &s->cfg);
		rc = selftest_run(s, r);
		if (!ok(rc == 0 &&
			    (lossy ? r->losses_counted && r->messages + r->losses >= s->messages
				   : r->messages == s->messages),
			"%s latency 64 B at %.0f msg/s, run %d of %d: every message %s", t->name,
			RATE_MSGS_PER_S, i, RATE_RUNS,
			lossy ? "back in order or counted lost" : "back, in order"))
			tap_diag("error: %s", r->error);
		ipcb_run_result_fini(r);
	}
}

/* Every value of every option but the defaults, which check_runs() ran: both modes. */
static void check_options(const struct suite *su)
{
	const struct ipcb_transport *t = su->t;

	for (size_t o = 0; t->options && t->options[o].key; o++) {
		const struct ipcb_option *opt = &t->options[o];
		uint64_t def[IPCB_MAX_OPTIONS], last = option_last(opt);

		ipcb_opt_defaults(t, def);
		for (uint64_t v = 0; opt->type != IPCB_OPT_UINT && v <= last; v++)
			for (int m = 0; m < 2 && v != def[o]; m++) {
				struct ipcb_run_spec *s = &selftest_spec;
				struct ipcb_run_result *r = &selftest_result;
				char word[32];
				int rc;

				spec_init(s, t, su->max_msg, (enum ipcb_mode)m, 65536,
					  IPCB_WAIT_HYBRID, su->dir);
				s->cfg.opt[o] = v;
				/*
				 * A run that loses messages may lose every one the sampled check
				 * picks: each message that arrives is checked byte by byte.
				 */
				if (ipcb_transport_lossy(t, &s->cfg))
					s->verify = IPCB_VERIFY_FULL;
				rc = selftest_run(s, r);
				if (!ok(rc == 0 && r->messages + r->losses >= s->messages &&
					    r->full_checks >= 2,
					"%s -o %s->%s=%s %s 64K: run succeeds, every message "
					"checked",
					t->name, t->name, opt->key,
					opt->type == IPCB_OPT_BOOL
					    ? (v ? "1" : "0")
					    : ipcb_opt_choice(opt, v, word, sizeof(word)),
					m ? "throughput" : "latency"))
					tap_diag("error: %s", r->error);
				ipcb_run_result_fini(r);
			}
	}
}

/* Every wait strategy it offers, beside hybrid (which the runs above used). */
static void check_waits(const struct suite *su)
{
	static const enum ipcb_wait waits[] = {IPCB_WAIT_SPIN, IPCB_WAIT_YIELD, IPCB_WAIT_BLOCK};
	const struct ipcb_transport *t = su->t;

	if (!(t->caps & IPCB_CAP_WAIT_CHOICE))
		return;
	for (size_t w = 0; w < sizeof(waits) / sizeof(waits[0]); w++)
		for (int m = 0; m < 2; m++) {
			struct ipcb_run_spec *s = &selftest_spec;
			struct ipcb_run_result *r = &selftest_result;
			int rc;

			spec_init(s, t, su->max_msg, (enum ipcb_mode)m, 65536, waits[w], su->dir);
			rc = selftest_run(s, r);
			if (!ok(rc == 0 && r->messages == s->messages, "%s --wait %s %s 64K",
				t->name, ipcb_wait_name(waits[w]), m ? "throughput" : "latency"))
				tap_diag("error: %s", r->error);
			ipcb_run_result_fini(r);
		}
}

/*
 * Which --verify level catches which damage: a stamp (the send time) and a lost or repeated
 * message at every level; a payload byte of a message `sampled` checks byte by byte under
 * sampled and full; one of a message only `full` checks under full alone. Where a level does not
 * cover the damage, the run must succeed: that is what the level promises, no more. Then a
 * crashed receiver, and a peer that stops answering.
 */
static void check_faults(const struct suite *su)
{
	static const struct {
		enum ipcb_inject fault;
		const char *name, *expect;
		bool caught[3]; /* by enum ipcb_verify: sampled, headers, full */
	} faults[] = {
	    {IPCB_INJECT_CORRUPT_STAMP,
	     "damaged send time",
	     "verification failed",
	     {true, true, true}},
	    {IPCB_INJECT_CORRUPT,
	     "corrupted byte of message 64",
	     "verification failed",
	     {true, false, true}},
	    {IPCB_INJECT_CORRUPT_UNSAMPLED,
	     "corrupted byte of message 65",
	     "verification failed",
	     {false, false, true}},
	    {IPCB_INJECT_DROP, "lost message", "lost messages", {true, true, true}},
	    {IPCB_INJECT_DUP, "duplicated message", "duplicate or reordered", {true, true, true}},
	};
	static const enum ipcb_verify levels[] = {IPCB_VERIFY_HEADERS, IPCB_VERIFY_SAMPLED,
						  IPCB_VERIFY_FULL};
	static const char *const mode_name[2] = {"latency", "throughput"};
	const struct ipcb_transport *t = su->t;
	struct ipcb_run_spec *s = &selftest_spec;
	struct ipcb_run_result *r = &selftest_result;
	double limit_s[2];
	int rc;

	if (!su->data)
		return;
	/*
	 * A fault a side has found ends the run at once, whatever the other side is doing (a
	 * library's close may wait seconds for its peer): each faulty run is bounded by what the
	 * same run took without the fault (fault_timeout_s()), so a fault that leaves a side
	 * waiting for its peer ends as a timeout, and fails.
	 */
	double clean_s = 0;
	size_t first_level = 0;

	for (int m = 0; m < 2; m++) {
		uint64_t t0 = ipcb_now_ns();
		double took;

		spec_init(s, t, su->max_msg, (enum ipcb_mode)m, 4096, IPCB_WAIT_HYBRID, su->dir);
		if (selftest_run(s, r) == 0)
			ipcb_run_result_fini(r);
		took = (double)(ipcb_now_ns() - t0) / 1e9;
		limit_s[m] = fault_timeout_s(took);
		clean_s = took > clean_s ? took : clean_s;
	}
	/*
	 * What each --verify level looks at is the harness's, the same for every transport: a
	 * transport whose run takes over a second (a JVM started in each side) meets the faults at
	 * the full level only, and the fast transports check the levels apart.
	 */
	if (clean_s > SLOW_RUN_S) {
		first_level = 2;
		tap_diag("%s: a clean run takes %.1f s: faults at --verify full only", t->name,
			 clean_s);
	}
	for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]); f++)
		for (size_t l = first_level; l < 3; l++)
			for (int m = 0; m < 2; m++) {
				bool caught = faults[f].caught[levels[l]];
				bool counted;

				spec_init(s, t, su->max_msg, (enum ipcb_mode)m, 4096,
					  IPCB_WAIT_HYBRID, su->dir);
				/* A lossy stream counts a lost message, as it would a real one. */
				counted = ipcb_transport_lossy(t, &s->cfg) &&
					  faults[f].fault == IPCB_INJECT_DROP &&
					  m == IPCB_MODE_THROUGHPUT;
				s->inject = faults[f].fault;
				s->verify = levels[l];
				s->timeout_s = limit_s[m];
				rc = selftest_run(s, r);
				if (counted) {
					if (!ok(rc == 0 && r->losses_counted && r->losses == 1,
						"%s %s --verify %s: %s is counted in the row's "
						"losses (%llu)",
						t->name, mode_name[m], ipcb_verify_name(levels[l]),
						faults[f].name, (unsigned long long)r->losses))
						tap_diag("rc %d, error: %s", rc, r->error);
					ipcb_run_result_fini(r);
					continue;
				}
				if (!ok(caught ? rc < 0 && rc != -EINTR &&
						     strstr(r->error, faults[f].expect)
					       : rc == 0,
					"%s %s --verify %s: %s %s", t->name, mode_name[m],
					ipcb_verify_name(levels[l]), faults[f].name,
					caught ? "fails the run" : "is not looked at"))
					tap_diag("rc %d, error: %s", rc, r->error);
				ipcb_run_result_fini(r);
			}
	for (int m = 0; m < 2; m++) {
		spec_init(s, t, su->max_msg, (enum ipcb_mode)m, 4096, IPCB_WAIT_HYBRID, su->dir);
		s->inject = IPCB_INJECT_CRASH;
		s->timeout_s = limit_s[m];
		rc = selftest_run(s, r);
		if (!ok(rc < 0 && rc != -EINTR && strstr(r->error, "receiver killed by signal"),
			"%s %s: receiver crash fails the run", t->name, mode_name[m]))
			tap_diag("rc %d, error: %s", rc, r->error);
	}
	spec_init(s, t, su->max_msg, IPCB_MODE_LATENCY, 64, IPCB_WAIT_HYBRID, su->dir);
	s->inject = IPCB_INJECT_HANG;
	s->timeout_s = 1;
	rc = selftest_run(s, r);
	if (!ok(rc == -ETIMEDOUT && strstr(r->error, "timed out"),
		"%s: a peer that stops answering ends the run by timeout", t->name))
		tap_diag("rc %d, error: %s", rc, r->error);
}

/* Publish-subscribe, where it broadcasts: see broadcast_checks(). */
static void check_broadcast(const struct suite *su)
{
	if (su->data && (su->t->caps & IPCB_CAP_BROADCAST))
		broadcast_checks(su->t, su->max_msg, su->dir);
}

/* Its server, where it has one: it ran through every run, and is gone once stopped, whole. */
static void check_server(const struct suite *su)
{
	const struct ipcb_transport *t = su->t;
	pid_t server = svc.pid;
	uint64_t ns = 0;
	int *pid = selftest_pids, port[32], still[32];
	unsigned long long *start = selftest_starts;
	size_t procs, ports, left = 0, open_ports;
	char said[256] = "";

	if (!t->service)
		return;
	ok(ipcb_service_check(&svc) == 0 && ipcb_service_cpu_ns(&svc, &ns) == 0 && ns > 0,
	   "%s: its server ran through every run and used CPU (%llu ns)", t->name,
	   (unsigned long long)ns);
	/* Everything the server is made of, to look for once it is stopped. */
	procs = ipcb_service_procs(&svc, pid, start, 64);
	ports = ipcb_leftover_listening(
	    selftest_inodes, ipcb_leftover_sockets(pid, procs, selftest_inodes, 256), port, 32);
	tap_diag("%s: its server is %zu process(es), listening on %zu TCP port(s)", t->name, procs,
		 ports);
	ipcb_service_stop(&svc);
	ok(kill(server, 0) < 0 && errno == ESRCH, "%s: its server (pid %d) is gone", t->name,
	   (int)server);
	for (size_t i = 0; i < procs; i++) {
		unsigned long long now;

		if (ipcb_proc_start_ticks(pid[i], &now) == 0 && now == start[i]) {
			left++;
			snprintf(said + strlen(said), sizeof(said) - strlen(said), " %d", pid[i]);
		}
	}
	ok(left == 0, "%s: none of its server's %zu processes is left%s%s", t->name, procs,
	   left ? ": still there:" : "", said);
	open_ports = ipcb_leftover_listening(NULL, 0, still, 32);
	left = 0;
	for (size_t i = 0; i < ports; i++)
		for (size_t j = 0; j < open_ports; j++)
			left += port[i] == still[j];
	ok(left == 0, "%s: none of the %zu TCP ports its server listened on is listening", t->name,
	   ports);
}

/* Nothing the runs made is left: no name of this process's, no System V object. */
static void check_leftovers(const struct suite *su)
{
	ok_eq(ipcb_leftover_named("/dev/shm") + ipcb_leftover_named("/dev/mqueue") +
		  ipcb_leftover_named(su->dir),
	      0, "%s: nothing named after this process is left in /dev/shm, /dev/mqueue or %s",
	      su->t->name, su->dir);
	ok_eq(ipcb_leftover_sysv(), 0, "%s: none of the %zu System V objects its runs made is left",
	      su->t->name, ipcb_sysv_history(NULL, 0));
}

/* The suite, in order: each check on its own, as a table. */
static void (*const checks[])(const struct suite *) = {
    check_runs,	  check_rate,	   check_options, check_waits,
    check_faults, check_broadcast, check_server,  check_leftovers,
};

int ipcb_selftest_main(int argc, char **argv)
{
	struct suite su = {.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp"};
	struct ipcb_probe p = {0};
	char bad[64] = "";
	int required, rc = ipcb_selftest_transport(argc, argv, &su.t);

	if (rc)
		return rc < 0 ? 0 : rc;
	required = ipcb_selftest_required_here(su.t->name, bad, sizeof(bad));
	if (required < 0) {
		printf("1..1\nnot ok 1 - %s=%s: '%s' is no transport (see ipcbench --list)\n",
		       REQUIRE_ENV, getenv(REQUIRE_ENV), bad);
		return 1;
	}
	p.max_msg_bytes = su.t->max_msg_bytes;
	if (su.t->unsupported || (su.t->probe && su.t->probe(&p) < 0)) {
		const char *cannot = su.t->unsupported ? su.t->unsupported : p.reason;

		if (required) {
			printf("1..1\nnot ok 1 - %s must run here (%s=%s) but cannot: %s\n",
			       su.t->name, REQUIRE_ENV, getenv(REQUIRE_ENV), cannot);
			return 1;
		}
		printf("1..0 # SKIP %s cannot run here: %s\n", su.t->name, cannot);
		return 0; /* with the "1..0 # SKIP" plan, meson's TAP reader counts a skip */
	}
	/* A crash of this process takes what its runs made with it (crash.h). */
	ipcb_crash_guard_install(NULL);
	if (ipcb_run_signals_block() < 0)
		return 1;
	su.data = !(su.t->caps & IPCB_CAP_NO_DATA);
	su.max_msg = p.max_msg_bytes;
	if (su.t->service) {
		uint64_t opt[IPCB_MAX_OPTIONS];

		ipcb_opt_defaults(su.t, opt);
		rc = ipcb_service_start(&svc, su.t, opt, su.dir,
					sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0,
					IPCB_SERVICE_START_LIMIT_S);
		if (!ok(rc == 0, "%s: its server starts and answers (%s)", su.t->name,
			rc ? svc.error : svc.svc.version))
			return tap_done();
		if (svc.svc.max_msg_bytes && (!su.max_msg || svc.svc.max_msg_bytes < su.max_msg))
			su.max_msg = svc.svc.max_msg_bytes;
		if (svc.svc.limit[0])
			tap_diag("%s: %s", su.t->name, svc.svc.limit);
	}
	ok(su.t->name && su.t->summary && su.t->open && su.t->send && su.t->recv,
	   "%s: the contract's required hooks and texts are present", su.t->name);
	if (su.max_msg)
		tap_diag("%s carries at most %zu bytes per operation: larger sizes are chunked",
			 su.t->name, su.max_msg);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && !selftest_stopped; i++)
		checks[i](&su);
	if (selftest_stopped) {
		/* Stopped: its server stopped, what the runs made checked gone, and no more. */
		ipcb_service_stop(&svc);
		check_leftovers(&su);
		tap_done();
		printf("Bail out! stopped by %s\n", strsignal(selftest_stopped));
		return 128 + selftest_stopped;
	}
	return tap_done();
}

/* The transport test suite: its own signal handling, as a test program's. */
const struct ipcb_command ipcb_command_selftest = {
    .name = "selftest",
    .synopsis = "TRANSPORT       the transport test suite (TAP; see selftest --help)",
    .fn = ipcb_selftest_main,
    .flags = IPCB_CMD_STREAMS_CHECKED,
};
