/* SPDX-License-Identifier: MIT */
/*
 * spec.h - the engine's data model: what one measured run is asked to do (struct ipcb_run_spec)
 * and what it found (struct ipcb_run_result). Every layer above the engine (the launchers, the
 * remote control plane, the command line) speaks in these types; none of them needs the
 * engine's API (run.h) to do so. A setting the engine alone reads, as the command line gives
 * it, is its field here and its option's row beside the spec (ipcb_spec_rows()).
 */
#ifndef IPCB_SPEC_H
#define IPCB_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cliopt.h"
#include "hist.h"
#include "msg.h"
#include "transport.h"

enum ipcb_mode {
	IPCB_MODE_LATENCY = 0,	  /* requests and their echoes: one round trip per sample */
	IPCB_MODE_THROUGHPUT = 1, /* one-way stream, timed at the receiver */
	IPCB_MODE_BISTREAM = 2,	  /* both sides stream to each other at once */
};

/* How an open-loop sender spaces its messages. */
enum ipcb_arrivals {
	IPCB_ARRIVALS_FIXED = 0, /* constant spacing, 1/rate */
	IPCB_ARRIVALS_POISSON,	 /* exponential gaps of mean 1/rate */
};

/* Faults the driver can inject to prove that verification catches them (tests use these). */
enum ipcb_inject {
	IPCB_INJECT_NONE = 0,
	IPCB_INJECT_CORRUPT, /* receiver flips the middle byte of message 64 */
	IPCB_INJECT_DROP,  /* message 5 lost: a stream never sends it, a round trip skips its number
			    */
	IPCB_INJECT_DUP,   /* message 5 is a second message 4 */
	IPCB_INJECT_CRASH, /* receiver dies with SIGSEGV at message 5 */
	IPCB_INJECT_HANG,  /* receiver stops reading at message 5 (ends by timeout) */
	/* receiver flips a bit of message 5's send time (of its last byte below 24 bytes) */
	IPCB_INJECT_CORRUPT_STAMP,
	IPCB_INJECT_CORRUPT_UNSAMPLED, /* receiver flips the middle byte of message 65 */
};

/* The message (0-based, warm-up included) at which a fault happens. */
uint64_t ipcb_inject_message(enum ipcb_inject f);

struct ipcb_launcher;

/*
 * The passes of ipcbench --count (bench/cli/counting.c): each runs the plan in a driver of its
 * own, and each records a part of what a side does per message.
 */
enum ipcb_count_pass {
	IPCB_COUNT_NONE = 0, /* a timed run */
	/* natively: each side describes its kernel objects (lib/kobjects.h) after connecting, and
	 * the run's context switches are the side's own */
	IPCB_COUNT_NATIVE,
	/* under strace: each side marks its measured part in the trace (lib/count.h) */
	IPCB_COUNT_TRACE,
	/* under callgrind: each side's profile of its measured part goes to count_dir */
	IPCB_COUNT_CALLGRIND,
};

struct ipcb_run_spec {
	const struct ipcb_transport *t;
	enum ipcb_mode mode;
	size_t size_bytes;  /* payload per message */
	size_t chunk_bytes; /* largest single send/recv; == size_bytes when not chunked */
	uint64_t messages;  /* measured messages wanted; 0 = until the duration ends */
	double duration_s;  /* measured phase length; 0 = until `messages` */
	/* the duration ends a run only after this many measured messages (at least 1) */
	uint64_t min_messages;
	uint64_t warmup;  /* messages exchanged before measuring */
	int cpu[2];	  /* [IPCB_SENDER], [IPCB_RECEIVER]; -1 = not pinned */
	double timeout_s; /* the whole run, set-up to reaping */
	struct ipcb_chan_cfg cfg;
	/* The channels' ipcb_chan.yields: a hybrid wait's yields on a CPU both sides share. */
	unsigned yields;
	enum ipcb_inject inject;
	uint64_t work_ns;	 /* busy work per message on each side (application under load) */
	uint64_t recv_work_ns;	 /* more of it on the receiving side alone (a slow consumer) */
	enum ipcb_verify verify; /* how much of each message is checked (msg.h) */
	/*
	 * Load shapes (0 = the default). inflight: latency mode keeps this many requests
	 * outstanding (1: ping-pong). pairs: this many independent sender/receiver pairs, each on
	 * a channel of its own. rate: open loop, messages per second the sender offers whatever
	 * the replies do, latency counted from each message's intended send time.
	 */
	unsigned inflight;
	unsigned pairs;
	double rate;
	enum ipcb_arrivals arrivals;
	/*
	 * Who starts the sides and where (launcher.h): forked here, started by the transport's
	 * runtime, or one side on another host. The engine only calls it; the caller picks it.
	 */
	const struct ipcb_launcher *launcher;
	/*
	 * A process the run needs that is none of its sides (a transport's server), looked at
	 * whenever the launch wakes: one that has ended ends the run at once, where its sides
	 * would wait for it until the timeout, and its channels' teardown is given no service.
	 * Returns 0 while it runs, else a negative errno. NULL: none.
	 */
	int (*needs_check)(void *ctx);
	void *needs_ctx;
	/*
	 * --count: each side runs under valgrind's callgrind (the whole driver does) and counts
	 * its measured part, writing its profile into count_dir; the run's result holds the
	 * counts per message instead of times (counted.h). NULL: a timed run.
	 */
	const char *count_dir;
	enum ipcb_count_pass count_pass;
	/* --count's check of a point: each side this much slower every other message (runloop.h).
	 */
	uint64_t count_slow_ns;
	/* --no-one-way, --one-way-every: rows of ipcb_spec_rows(), below, as are --arrivals,
	 * --fsync (cfg.fsync), --work-ns and --verify. */
	bool no_one_way;
	unsigned one_way_every;
	/*
	 * A stream of a transport that moves nothing (the harness's measure beside a run, on one
	 * CPU): its sender stamps each message and then does the receiver's work on it, as a
	 * round trip's does B's (closed.c), so that its time is both sides' harness, taking
	 * turns on the CPU as the run's two sides do. Set by the driver only for that measure.
	 */
	bool self_receive;
};

/*
 * The driver's options whose values the engine alone reads, each a row (lib/cliopt.h) whose
 * .off is its field's place in the spec and whose .after is the option it follows in --help:
 * the driver's table takes them in (bench/cli/options.c), its parsed options hold a spec for
 * them, and each run's spec gets their values from there, as the peer of a two-host run does
 * where a row says .peer. So such a setting is its field above, its row here and the code that
 * reads it.
 */
static inline const struct ipcb_clirow *ipcb_spec_rows(void)
{
	static const int verify_values[] = {IPCB_VERIFY_HEADERS, IPCB_VERIFY_SAMPLED,
					    IPCB_VERIFY_FULL};
	static const struct ipcb_clirow rows[] = {
	    {.opt = {.name = "arrivals"},
	     .type = IPCB_CLI_CHOICE,
	     .choices = "fixed|poisson",
	     .max = IPCB_ARRIVALS_POISSON,
	     .off = offsetof(struct ipcb_run_spec, arrivals),
	     .peer = true,
	     .after = "rate",
	     .arg = "KIND",
	     .help = "open-loop spacing: fixed (1/rate) or poisson (exponential\n"
		     "gaps of that mean) (default fixed)"},
	    {.opt = {.name = "fsync"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_run_spec, cfg.fsync),
	     .peer = true,
	     .after = "dir",
	     .help = "file-backed transports force every message to disk"},
	    {.opt = {.name = "work-ns"},
	     .type = IPCB_CLI_U64,
	     .min = 0,
	     .max = 1000000000ull,
	     .off = offsetof(struct ipcb_run_spec, work_ns),
	     .peer = true,
	     .column = IPCB_COL_WORK_NS,
	     .after = "fsync",
	     .arg = "N",
	     .help = "busy work per message on each side, in ns: IPC under\n"
		     "application load (default 0)"},
	    {.opt = {.name = "verify"},
	     .type = IPCB_CLI_CHOICE,
	     .choices = "headers|sampled|full",
	     .values = verify_values,
	     .noun = "level",
	     .max = IPCB_VERIFY_FULL,
	     .def = "sampled",
	     .off = offsetof(struct ipcb_run_spec, verify),
	     .peer = true,
	     .after = "server-cpu",
	     .arg = "LEVEL",
	     .help = "how much of each message is checked: headers (the\n"
		     "sequence stamps at the start, the end and every 4 KiB,\n"
		     "and the send time), sampled (also every byte of every\n"
		     "64th message and of every message up to 64 B; the\n"
		     "default) or full (every byte of every message)"},
	    /*
	     * A round trip's sides take no one-way times (no clock read, histogram record or send
	     * time on the echo side, inside the round trip), so the round trip is the mechanism's
	     * and the loop's alone; its one_way rows are not written.
	     */
	    {.opt = {.name = "no-one-way"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_run_spec, no_one_way),
	     .peer = true,
	     .after = "no-probes",
	     .help = "round trips without their one-way delays: the echo side\n"
		     "reads no clock and records nothing inside the round trip\n"
		     "(its price: docs/methodology.md); no one_way rows"},
	    /*
	     * One-way times on every Nth round trip, the first measured one and each Nth after it
	     * (the sender stamps those, and the echo times what is stamped: runloop.h one_ways),
	     * so that the echo side's clock read and record sit inside one round trip in N. 0, the
	     * default: N from the warm-up's pace.
	     */
	    {.opt = {.name = "one-way-every"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_run_spec, one_way_every),
	     .peer = true,
	     .min = 1,
	     .max = 1u << 20,
	     .arg = "N",
	     .after = "no-one-way",
	     .help = "take a round trip's one-way delays on every Nth round\n"
		     "trip, the first measured and each Nth after it (1: every\n"
		     "one); on the others the echo side reads no clock inside\n"
		     "the round trip (the price: docs/methodology.md). Default:\n"
		     "one per 100 us of round trips at the warm-up's pace, at\n"
		     "most every 16th (every one from 100 us up; every 16th\n"
		     "without a warm-up). A one_way row's messages column counts\n"
		     "its samples"},
	    {.opt = {.name = NULL}},
	};

	return rows;
}

/* One side's counts per message in a counted run (counted.h). */
struct ipcb_run_counts {
	bool have;
	double instr;	   /* instructions, waits left out */
	double transport;  /* of them, inside the transport's hooks */
	double syscalls;   /* system calls, waits left out */
	char by_name[200]; /* "write 1, futex 0.002": the system calls by name, per message */
};

/* A description of kernel objects (lib/kobjects.h), as a side or the driver read it back. */
#define IPCB_KOBJ_TEXT 448

struct ipcb_run_result {
	uint64_t messages;	/* measured messages (round trips in latency mode) */
	struct ipcb_hist *hist; /* latency mode: round-trip ns; NULL in throughput mode */
	/*
	 * One-way delays (receive time minus the send time carried in the message; messages of
	 * IPCB_MSG_TIME_MIN bytes or more). Latency mode: [0] sender->receiver, [1] back.
	 * Throughput mode: [0] streamed messages (every 16th), under load. NULL when not measured.
	 */
	struct ipcb_hist *one_way[2];
	uint64_t clock_anomalies; /* one-way samples whose delay came out negative */
	double elapsed_s;	  /* measured interval */
	double msgs_per_s;
	double bytes_per_s;
	double cpu_s[2];	    /* user+sys seconds of each side during its measured phase */
	int64_t ctx_switches[2];    /* voluntary+involuntary, each side, measured phase */
	int64_t ctx_involuntary[2]; /* of them, involuntary: preempted, not waiting */
	uint64_t full_checks;	    /* messages whose every byte was compared */
	uint64_t segments;	    /* network segments the sender sent while measuring, */
	bool segments_counted;	    /* where the transport counts them (segments_sent) */
	size_t buffer_bytes;	    /* what the channel held for messages in flight (0 = unknown) */
	char layout[96];	    /* ipcb_chan.layout, after "zerocopy; " when loans were used */
	uint64_t zc_sends, zc_copied; /* ipcb_chan's, every pair's together: 0 of 0 not known */
	int cpu_seen[2];	      /* CPU each side ended on */
	/* Open loop: what was offered and what got through (messages per second), sends that
	 * started more than one interval late, and messages sent but never received. */
	double offered_rate, achieved_rate;
	uint64_t late, losses;
	bool losses_counted; /* open loops and shared channels count them */
	enum ipcb_arrivals arrivals;
	struct ipcb_hist *send_lag;  /* open loop: each send's start minus its intended time */
	struct ipcb_hist *send_call; /* open-loop stream: each send call's duration */
	double bytes_per_s_dir[2];   /* bistream: [0] sender -> receiver, [1] back */
	/* Several pairs: the slowest and the fastest pair's messages per second. */
	double pair_min_msgs_per_s, pair_max_msgs_per_s;
	/* A server process (service): its CPU time over the whole run and every message the run
	 * moved (warm-up included), when it was read. */
	double server_cpu_s;
	uint64_t server_messages;
	bool server_counted;
	/*
	 * --count's native pass: each side's kernel objects after it connected, and the System V
	 * objects (which no descriptor shows) that the run made; "" otherwise.
	 */
	char kernel_objects[2][IPCB_KOBJ_TEXT];
	char kernel_sysv[IPCB_KOBJ_TEXT / 2];
	char tag[64];	  /* the run's first channel's tag, which its objects are named with */
	char error[600];  /* failure: "sender: recv: Connection reset by peer" etc. */
	int signal;	  /* the interrupting signal when the run returned -EINTR */
	uint64_t fail_ns; /* failure: when the side that failed first failed (ipcb_now_ns) */
	/* Two hosts: the run measured its own bound on the clocks' offset (-1: it could not). */
	bool clock_per_run;
	int64_t clock_bound_ns;
	/*
	 * A broadcast (cfg.broadcast): msgs_per_s is what the sender published, and this what
	 * arrived, every receiver's messages together, over the same span (msgs_per_s times the
	 * receivers when none was lost). one_way[0] holds every receiver's one-way delays
	 * together; one_way_slowest the delays of the receiver whose median was the highest
	 * (slowest_receiver, from 1); one_way_last, per sampled message, the delay to the last
	 * receiver it reached (its latest arrival over every receiver, less its send time), for
	 * the messages every receiver got (last_incomplete: sampled messages left out because a
	 * receiver did not get one, or its clocks disagreed). NULL when not measured.
	 */
	double deliveries_per_s;
	struct ipcb_hist *one_way_slowest, *one_way_last;
	unsigned slowest_receiver;
	uint64_t last_incomplete;
	struct ipcb_run_counts counts[2]; /* --count: [IPCB_SENDER], [IPCB_RECEIVER] */
	/*
	 * The run's result area, kept when a histogram above is one side's own, read where the
	 * side left it rather than copied (ipcb_run_result_fini() unmaps it): a copy would need
	 * as much memory again, and a limited address space (prlimit --as) may not have it.
	 */
	void *area;
	size_t area_bytes;
};

/* Bytes per send/recv for a payload: the transport's limit when the payload is larger. */
size_t ipcb_chunk_for(size_t max_msg_bytes, size_t size_bytes);

/* Histogram range every latency uses: 1 ns to one hour at 3 significant figures. */
#define IPCB_HIST_LOWEST  1
#define IPCB_HIST_HIGHEST 3600000000000ll
#define IPCB_HIST_SIGFIGS 3

#endif
