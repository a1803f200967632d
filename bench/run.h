/* SPDX-License-Identifier: MIT */
/*
 * run.h - one measured run: create the channel, launch its endpoints (launch.h), let them find
 * each other and exchange messages, collect what they measured, and remove every kernel object
 * and path the run made, whatever happened.
 *
 * Signals: the caller blocks SIGCHLD and the signals that ask it to stop (every catchable
 * signal whose default action ends a process: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2,
 * SIGALRM, SIGPWR, SIGIO, SIGSYS, the real-time signals, ...) in the driver, and ignores SIGPIPE
 * and SIGXFSZ, so that writes fail with an error instead (ipcb_run_signals_block()); a run waits
 * for them, so an interrupt or a dying side ends the run at once and cleanly, and the driver is
 * never woken while the sides measure. A side that does not die when killed (frozen by a cgroup
 * freezer) is waited for a few seconds, then left unreaped with a message.
 *
 * Each side is pinned to its CPU, and a run whose side did not stay there (a cpuset shrank, the
 * affinity was changed) fails, naming the CPUs it was seen on. Sides ask the OOM killer to take
 * them before the driver (oom_score_adj 1000).
 */
#ifndef IPCB_RUN_H
#define IPCB_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "launch.h"
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
	IPCB_INJECT_DROP,    /* sender skips sequence number 5 */
	IPCB_INJECT_DUP,     /* sender sends sequence number 4 twice */
	IPCB_INJECT_CRASH,   /* receiver dies with SIGSEGV at message 5 */
	IPCB_INJECT_HANG,    /* receiver stops reading at message 5 (ends by timeout) */
	/* receiver flips a bit of message 5's send time (of its last byte below 24 bytes) */
	IPCB_INJECT_CORRUPT_STAMP,
	IPCB_INJECT_CORRUPT_UNSAMPLED, /* receiver flips the middle byte of message 65 */
};

/* The message (0-based, warm-up included) at which a fault happens. */
uint64_t ipcb_inject_message(enum ipcb_inject f);

struct ipcb_remote;

struct ipcb_run_spec {
	const struct ipcb_transport *t;
	enum ipcb_mode mode;
	size_t size_bytes;  /* payload per message */
	size_t chunk_bytes; /* largest single send/recv; == size_bytes when not chunked */
	uint64_t messages;  /* measured messages wanted; 0 = until the duration ends */
	double duration_s;  /* measured phase length; 0 = until `messages` */
	/* the duration ends a run only after this many measured messages (at least 1) */
	uint64_t min_messages;
	uint64_t warmup;    /* messages exchanged before measuring */
	int cpu[2];	    /* [IPCB_SENDER], [IPCB_RECEIVER]; -1 = not pinned */
	double timeout_s;   /* the whole run, set-up to reaping */
	struct ipcb_chan_cfg cfg;
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
	 * Two hosts (bench/remote.h): the side of one role runs on the other host, and a stand-in
	 * takes its place here. NULL: every side on this host.
	 */
	const struct ipcb_remote *remote;
	/*
	 * Two hosts, the sides started by the transport's runtime (IPCB_CAP_LAUNCH_HOSTS): the
	 * sender here, the receiver on this peer, no stand-in. NULL: not so.
	 */
	const struct ipcb_remote *hosts;
};

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
	double cpu_s[2];	 /* user+sys seconds of each side during its measured phase */
	int64_t ctx_switches[2]; /* voluntary+involuntary, each side, measured phase */
	uint64_t full_checks;	 /* messages whose every byte was compared */
	uint64_t segments;	 /* network segments the sender sent while measuring, */
	bool segments_counted;	 /* where the transport counts them (segments_sent) */
	size_t buffer_bytes;	 /* what the channel held for messages in flight (0 = unknown) */
	char layout[96];	 /* ipcb_chan.layout, after "zerocopy; " when loans were used */
	int cpu_seen[2];	 /* CPU each side ended on */
	/* Open loop: what was offered and what got through (messages per second), sends that
	 * started more than one interval late, and messages sent but never received. */
	double offered_rate, achieved_rate;
	uint64_t late, losses;
	bool losses_counted; /* open loops and shared channels count them */
	enum ipcb_arrivals arrivals;
	struct ipcb_hist *send_lag; /* open loop: each send's start minus its intended time */
	struct ipcb_hist *send_call; /* open-loop stream: each send call's duration */
	double bytes_per_s_dir[2];  /* bistream: [0] sender -> receiver, [1] back */
	/* Several pairs: the slowest and the fastest pair's messages per second. */
	double pair_min_msgs_per_s, pair_max_msgs_per_s;
	/* A server process (service): its CPU time over the whole run and every message the run
	 * moved (warm-up included), when it was read. */
	double server_cpu_s;
	uint64_t server_messages;
	bool server_counted;
	char error[600];  /* failure: "sender: recv: Connection reset by peer" etc. */
	int signal;	  /* the interrupting signal when the run returned -EINTR */
	uint64_t fail_ns; /* failure: when the side that failed first failed (ipcb_now_ns) */
	/* Two hosts: the run measured its own bound on the clocks' offset (-1: it could not). */
	bool clock_per_run;
	int64_t clock_bound_ns;
};

/*
 * Run one measurement. 0 on success; -EINTR when interrupted by a signal (r->signal says which);
 * another negative errno when the run failed (r->error says which side and call). Either way the
 * sides are reaped and the transport torn down. On success r->hist is owned by the caller
 * (ipcb_run_result_fini()).
 */
int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
void ipcb_run_result_fini(struct ipcb_run_result *r);
/*
 * The program a runtime starts as each side of a transport with launch_cmd (ipcb-rank
 * CONTROL-SOCKET TRANSPORT): joins the driver, runs the timed body, writes its results into the
 * run's directory. Returns the exit status.
 */
int ipcb_run_rank_main(int argc, char **argv);
/* Bytes per send/recv for a payload: the transport's limit when the payload is larger. */
size_t ipcb_chunk_for(size_t max_msg_bytes, size_t size_bytes);

/* Histogram range every latency uses: 1 ns to one hour at 3 significant figures. */
#define IPCB_HIST_LOWEST  1
#define IPCB_HIST_HIGHEST 3600000000000ll
#define IPCB_HIST_SIGFIGS 3

#endif
