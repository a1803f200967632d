/* SPDX-License-Identifier: MIT */
/*
 * options.h - the driver's command line, parsed and validated before anything runs: every option
 * is a field of struct ipcb_opts and, beside it, its row of the table (ipcb_opts_rows()), from
 * which parsing, --help, its default, completion and the man page's test (through --help), and,
 * for the settings the peer of a two-host run needs, their place in each run's message to it,
 * all come. Adding an option is a field and a row here, and the code that uses the value; an
 * option whose value the engine alone reads is a field and a row in spec.h (ipcb_spec_rows()),
 * and a mode's own flag a row in the mode's file (driver.h), which ipcb_opts_rows() places
 * among these.
 *
 * Every parser returns 0 or -EINVAL; on error it writes one line naming the option and the bad
 * value into err (e.g. "--size: '12Q' is not a size: use bytes or a K, M or G suffix"), which the
 * driver prints before exiting with status 2. Nothing is clamped: a value out of range is an error.
 */
#ifndef IPCB_OPTIONS_H
#define IPCB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cliopt.h"
#include "cpus.h"
#include "driver.h"
#include "parse.h"
#include "sizes.h"
#include "spec.h"
#include "slo.h"
#include "transport.h"

/* One `-o NAME.KEY=VALUE`: a transport's option (transport.h, struct ipcb_option). */
struct ipcb_topt {
	const struct ipcb_transport *t;
	unsigned idx; /* in t->options */
	uint64_t val;
	const char *arg; /* as given, for messages */
};

/* One --topology item: senders and receivers sharing one channel (1:1, 1:N or N:1). */
struct ipcb_topology {
	unsigned senders, receivers;
};

/* The rounds' order is shuffled from this seed unless --seed says another (one for --help). */
#define IPCB_SEED_DEFAULT 1
#define IPCB_SEED_TEXT	  "1"

/* The modes of the driver at most (driver.h, modes_list.h). */
#define IPCB_OPTS_MODES_MAX 8

/* The placement matrix's pairs at most, unless --matrix-pairs says otherwise. */
#define IPCB_MATRIX_PAIRS_DEFAULT 64

struct ipcb_opts {
	const struct ipcb_transport *transports[IPCB_MAX_LIST];
	size_t ntransports;
	bool transports_all; /* `all`, the default: unsupported ones are skipped quietly */
	size_t sizes[IPCB_MAX_LIST];
	size_t nsizes;
	bool latency, throughput, bistream; /* the modes to run */
	uint64_t messages;		    /* 0 = the duration decides */
	double duration_s;		    /* 0 = the message count decides */
	uint64_t min_messages;		    /* --min-messages: a run lasts at least this many */
	uint64_t warmup;
	bool warmup_given;    /* -w: exactly that many, whatever the size */
	unsigned repeat;      /* rounds: each runs every point of the plan once */
	uint64_t seed;	      /* --seed: the rounds' shuffled order */
	unsigned first_round; /* --first-round: the number of the first round (default 1) */
	bool then;	      /* --then: the driver splits its command line there (driver.c) */
	bool probes;	      /* the machine's state probed beside the rows (--no-probes) */
	int cpus[2];	      /* -1,-1 = default (first two allowed CPUs) */
	/*
	 * --cpus as a list (with topology classes or the matrix): the CPUs they are chosen from
	 * (NULL: every allowed CPU); allocated, freed by ipcb_opts_fini().
	 */
	int *cpu_list;
	size_t ncpu_list;
	unsigned matrix_pairs; /* --matrix-pairs: the matrix's pairs at most (sampled beyond) */
	bool plan_only;	       /* --dry-run without --cleanup: print the plan, run nothing */
	enum ipcb_placement placements[IPCB_PLACES];
	size_t nplacements;  /* 0 = default: from --cpus, else cross-core (same-core on 1 CPU) */
	enum ipcb_wait wait; /* IPCB_WAIT_DEFAULT = not given */
	unsigned spin_polls;
	const char *csv_path;
	const char *hdr_log_path;
	const char *hgrm_dir;
	const char *json_path; /* --json: the run in Google Benchmark's JSON format */
	bool wide;	       /* --wide: every table column, even on a narrow terminal */
	const char *dir;
	bool floor;
	bool controls; /* --controls: only the floors no transport code can move */
	double timeout_s;
	double server_timeout_s; /* --server-timeout: how long a server may take to answer */
	uint64_t recv_work_ns;	 /* --receiver-work-ns: the receiving side's alone */
	bool tune;		 /* --tune: each transport also with each of its tuning settings */
	enum ipcb_inject inject;
	/* Load shapes, each a list swept like --size. */
	unsigned inflight[IPCB_MAX_LIST]; /* --inflight: requests outstanding (latency mode) */
	size_t ninflight;
	unsigned pairs[IPCB_MAX_LIST]; /* --pairs: independent pairs, a channel each */
	size_t npairs;
	double rates[IPCB_MAX_LIST]; /* --rate: open-loop messages per second; none: closed */
	size_t nrates;
	bool rate_sweep;     /* --rate-sweep: fractions of the closed-loop maximum */
	struct ipcb_slo slo; /* --slo pP=D; slo.ns 0: the placement's default */
	struct ipcb_topology topos[IPCB_MAX_LIST]; /* --topology S:R,...: swept like --size */
	size_t ntopos;
	/*
	 * --deliver all: publish-subscribe, every receiver of a 1:N topology gets every message
	 * (transports that broadcast); false (one): each message goes to one receiver.
	 */
	bool deliver_all;
	struct ipcb_topt topts[IPCB_MAX_LIST]; /* -o, in the order given */
	size_t ntopts;
	int server_cpu; /* --server-cpu: where services run; -1 = the receiver's CPU */
	/* --list NAME...: the transports to describe in full (operands after --list) */
	const struct ipcb_transport *list_only[IPCB_MAX_LIST];
	size_t nlist_only;
	bool quiet, help, version;
	/*
	 * Two hosts: --peer HOST:PORT (the receiver runs there, under `ipcbench serve`), the token
	 * file both hosts hold, and the launch prefix that starts the server there for the run
	 * (--launch 'ssh HOST'), with the ipcbench it starts (--peer-ipcbench, default this one).
	 */
	const char *peer, *token_file, *launch, *peer_binary;
	/*
	 * Many hosts: --hosts RUNTIME (the transport whose runtime started one ipcbench on each
	 * host: mpi), the pairs run at once at most (--hosts-at-once, 0: every disjoint pair), and
	 * the slot of the schedule a run of one of its pairs is in (--hosts-slot, which --hosts
	 * gives the drivers it starts; 0: not one).
	 */
	const char *hosts;
	unsigned hosts_at_once, hosts_slot;
	const char *cpus_arg; /* --cpus as given: checked once it is known whether --peer is */
	bool dry_run;	      /* --dry-run (with --cleanup): only list what would be removed */
	/* --db: the results history the rows also go to; --commit: the commit its run names. */
	const char *db_path, *commit;
	/* The values of the engine's own options (spec.h: ipcb_spec_rows()), as a run has them. */
	struct ipcb_run_spec run;
	/* Each mode that is its own flag (driver.h), in the order of modes_list.h: was it given? */
	bool modes[IPCB_OPTS_MODES_MAX];
};

/* The modes of the driver, each in its own file (driver.h): the list, and each by its name. */
#define IPCB_MODE(row) extern const struct ipcb_driver_mode row;
#include "modes_list.h"
#undef IPCB_MODE
const struct ipcb_driver_mode *const *ipcb_opts_modes(void);
/* Was mode m given (its given(), or its own flag)? */
bool ipcb_opts_mode(const struct ipcb_opts *o, const struct ipcb_driver_mode *m);

/*
 * The warm-up of a run at this payload size: --warmup's count when given; else 100 messages,
 * but no more than carry IPCB_WARMUP_BYTES (and at least IPCB_WARMUP_MIN): the warm-up is there
 * to fault the buffers in and wake the caches, which a few large messages do as well as a
 * hundred, and a hundred 1 MiB round trips through a slow transport take longer than the run.
 */
#define IPCB_WARMUP_DEFAULT 100
#define IPCB_WARMUP_BYTES   (8u << 20)
#define IPCB_WARMUP_MIN	    8
uint64_t ipcb_opts_warmup(const struct ipcb_opts *o, size_t size);

/* A row's mark (flags): an option a run does not need, which --cleanup takes too. */
#define IPCB_OPTS_NO_RUN 1u

/* An option's row callbacks (IPCB_CLI_CALL): value into the struct ipcb_opts at o. */
int ipcb_opts_transports_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_sizes_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_mode_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_inflight_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_pairs_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_topologies_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_deliver_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_rates_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_slo_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_placements_parse(void *o, const char *s, char *err, size_t errlen);
/* -o NAME.KEY=VALUE, one at a time. */
int ipcb_opts_option_parse(void *o, const char *s, char *err, size_t errlen);
int ipcb_opts_server_cpu_parse(void *o, const char *s, char *err, size_t errlen);

#define IPCB_OPTS_STR_(x) #x
#define IPCB_OPTS_STR(x)  IPCB_OPTS_STR_(x)

/*
 * Every option of the driver: this table, with the engine's own rows (spec.h) and the rows of
 * the modes that are their own flags (driver.h) placed among them, in the order --help shows
 * them; see lib/cliopt.h for what a row says.
 */
const struct ipcb_clirow *ipcb_opts_rows(void);

/*
 * The driver's own options, one row each, in the order --help shows them. Inline, so that its
 * rows are read beside the fields above; ipcb_opts_rows() is the one caller.
 */
static inline const struct ipcb_clirow *ipcb_opts_own_rows(void)
{
	static const int wait_values[] = {IPCB_WAIT_SPIN, IPCB_WAIT_YIELD, IPCB_WAIT_BLOCK,
					  IPCB_WAIT_HYBRID};
	static const struct ipcb_clirow rows[] = {
	    {.opt = {.name = "transport", .letter = 't'},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_transports_parse,
	     .def = "all",
	     .arg = "LIST",
	     .section = "What to run:",
	     .help = "transports, comma-separated, or 'all' (default all;\n"
		     "see --list); a family names each of its own: kernel,\n"
		     "middleware (libraries over them), brokers;\n"
		     "external:/PATH.so a user's module built against\n"
		     "<ipcbench/transport.h> (external:/DIR: each *.so in it)"},
	    {.opt = {.name = "size", .letter = 's'},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_sizes_parse,
	     .def = "64,4K,64K,1M",
	     .arg = "LIST",
	     .help = "payload sizes: bytes or K, M, G (powers of 1024)\n"
		     "(default 64,4K,64K,1M; at most 1G)"},
	    {.opt = {.name = "mode", .letter = 'm'},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_mode_parse,
	     .def = "both",
	     .arg = "LIST",
	     .help = "latency (requests and their replies, round trips),\n"
		     "throughput (one-way stream timed at the receiver),\n"
		     "bistream (streams both ways at once: each direction's\n"
		     "and the total bytes/s), both (latency and throughput),\n"
		     "or a comma list (default both)"},
	    {.opt = {.name = "messages", .letter = 'n'},
	     .type = IPCB_CLI_U64,
	     .off = offsetof(struct ipcb_opts, messages),
	     .min = 1,
	     .max = 1000000000000ull,
	     .spec = offsetof(struct ipcb_run_spec, messages),
	     .peer = true,
	     .arg = "N",
	     .help = "measured messages per run (default: the duration decides)"},
	    {.opt = {.name = "duration", .letter = 'd'},
	     .type = IPCB_CLI_SECONDS,
	     .off = offsetof(struct ipcb_opts, duration_s),
	     .fmin = 0,
	     .fmax = 86400,
	     .def = "0.5",
	     .spec = offsetof(struct ipcb_run_spec, duration_s),
	     .peer = true,
	     .arg = "SECONDS",
	     .help = "measured time per run (default 0.5; 0 = only -n counts)"},
	    {.opt = {.name = "min-messages"},
	     .type = IPCB_CLI_U64,
	     .off = offsetof(struct ipcb_opts, min_messages),
	     .spec = offsetof(struct ipcb_run_spec, min_messages),
	     .min = 1,
	     .max = 1000000000ull,
	     .def = "1",
	     .arg = "N",
	     .help = "a run goes on past its duration until it has measured N\n"
		     "messages (default 1), so that slow large messages are\n"
		     "not judged on a handful; -n still ends it first"},
	    {.opt = {.name = "warmup", .letter = 'w'},
	     .type = IPCB_CLI_U64,
	     .off = offsetof(struct ipcb_opts, warmup),
	     .min = 0,
	     .max = 1000000000ull,
	     .def = IPCB_OPTS_STR(IPCB_WARMUP_DEFAULT),
	     .spec = offsetof(struct ipcb_run_spec, warmup),
	     .peer = true,
	     .arg = "N",
	     .help = "unrecorded messages before measuring (default " IPCB_OPTS_STR(
		 IPCB_WARMUP_DEFAULT) ", or\n"
				      "for large payloads as many as carry 8 MiB, at least 8)"},
	    {.opt = {.name = "repeat", .letter = 'r'},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, repeat),
	     .min = 1,
	     .max = 100000,
	     .def = "1",
	     .arg = "R",
	     .help = "rounds (default 1): a round runs every point of the plan\n"
		     "(transport x size x mode x placement x shape) once, in\n"
		     "an order shuffled anew each round; each run is a row\n"
		     "that says its round"},
	    {.opt = {.name = "seed"},
	     .type = IPCB_CLI_U64,
	     .off = offsetof(struct ipcb_opts, seed),
	     .min = 0,
	     .max = UINT64_MAX,
	     .def = IPCB_SEED_TEXT,
	     .arg = "N",
	     .help = "the seed of the rounds' shuffled order (default " IPCB_SEED_TEXT "; the\n"
		     "same seed, the same order; every row says its seed)"},
	    {.opt = {.name = "first-round"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, first_round),
	     .min = 1,
	     .max = 1000000000ull,
	     .def = "1",
	     .arg = "N",
	     .help = "number the rounds from N (default 1), for a script that\n"
		     "runs one round per invocation"},
	    {.opt = {.name = "then"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, then),
	     .help = "end this sweep's options: what follows is another sweep,\n"
		     "run after it in the same invocation with options of its\n"
		     "own; a server both need (the same transport and -o) is\n"
		     "kept running for it, the others stopped before its runs"},
	    {.opt = {.name = "tune"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, tune),
	     .help = "each transport also runs with each setting a user of it\n"
		     "would tune (its options' --tune values, --list NAME), one\n"
		     "option away from the default at a time; rows say which in\n"
		     "their tuning column, and the end of the run names the\n"
		     "best setting beside the default"},
	    {.opt = {.name = "no-probes"},
	     .type = IPCB_CLI_CLEAR,
	     .off = offsetof(struct ipcb_opts, probes),
	     .help = "do not probe the machine's state beside the rows (a\n"
		     "cache-line round trip between the CPUs before and after\n"
		     "every run, a blocking wake-up once a second), nor time the\n"
		     "harness alone (the null transport) after each run"},
	    {.opt = {.name = "floor"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, floor),
	     .help = "also measure the machine's floors: the harness (null),\n"
		     "cache-line and futex round trips between the two CPUs;\n"
		     "per size memcpy, the cross-CPU copy, a mailbox round trip\n"
		     "and the copy cliffs (floor-cliff: memcpy with its\n"
		     "destination 0, 8, 16, 32, 64 or 4088 bytes past its\n"
		     "source, modulo 4 KiB)"},
	    {.opt = {.name = "controls"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, controls),
	     .help = "measure only floor-cacheline and floor-memcpy (each size),\n"
		     "one run each per repeat: the control rows of\n"
		     "scripts/ab-gate, which no transport code can move"},
	    {.opt = {.name = "inflight"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_inflight_parse,
	     .def = "1",
	     .arg = "LIST",
	     .section = "Load shapes (each a list is swept like --size):",
	     .help = "latency mode: requests kept outstanding, each reply's\n"
		     "round trip a sample (default 1: ping-pong; 1 to 65536)"},
	    {.opt = {.name = "pairs"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_pairs_parse,
	     .def = "1",
	     .arg = "LIST",
	     .help = "independent sender/receiver pairs at once, a channel\n"
		     "each; rows give the total rate and the slowest and\n"
		     "fastest pair's; pairs share the CPUs, and rows say how\n"
		     "many sides take turns on one (1 to 64)"},
	    {.opt = {.name = "topology"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_topologies_parse,
	     .def = "1:1",
	     .arg = "LIST",
	     .help = "S:R, one channel shared by S senders and R receivers:\n"
		     "1:N fan-out, N:1 fan-in, -m throughput, for transports\n"
		     "that take several (see --list: multi-sender,\n"
		     "multi-receiver); every message is checked where it\n"
		     "arrives, losses are counted (default 1:1)"},
	    {.opt = {.name = "deliver"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_deliver_parse,
	     .arg = "one|all",
	     .help = "1:N: each message goes to one receiver, the receivers\n"
		     "competing (one, the default: a work queue), or every\n"
		     "receiver gets every message (all: publish-subscribe,\n"
		     "-m throughput, for transports that broadcast, see\n"
		     "--list: broadcast; 1:1 too, through the same\n"
		     "mechanism); rows add the deliveries per second, the\n"
		     "one-way delays to every receiver, to the slowest one\n"
		     "and to the last one, and each receiver's losses"},
	    {.opt = {.name = "rate"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_rates_parse,
	     .arg = "LIST",
	     .help = "open loop: messages per second, all senders together,\n"
		     "sent on schedule whatever the replies do; latencies\n"
		     "count from each message's intended send time, so time\n"
		     "queued behind a stall counts; rows add offered and\n"
		     "achieved rates, late sends, losses and a send_lag row\n"
		     "(each send's start against its intended time); with\n"
		     "latency mode (replies) or throughput (one-way delays)"},
	    {.opt = {.name = "rate-sweep"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, rate_sweep),
	     .help = "latency against load: measure the closed-loop maximum\n"
		     "(latency mode: with 64 requests in flight), then offer\n"
		     "1%, 2%, 5%, 10%, 20%, ... of it while the generator\n"
		     "keeps its schedule (at most 10% of sends late, 95% of\n"
		     "the rate achieved); a line under the rows gives the\n"
		     "highest rate up to which the --slo bound held, or says\n"
		     "that the generator could not hold even the first step"},
	    {.opt = {.name = "slo"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_slo_parse,
	     .arg = "pP=LATENCY",
	     .help = "the bound --rate-sweep looks for, e.g. p99=20us, p99.9=1ms\n"
		     "(default p99 of 20us cross-core, 50us same-core, 100us\n"
		     "unpinned: about what a blocking wake-up costs there,\n"
		     "with room for a tail)"},
	    {.opt = {.name = "cpus", .letter = 'c'},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, cpus_arg),
	     .arg = "A,B",
	     .section = "Where and how:",
	     .help = "sender and receiver CPUs; 0,0 puts both on one CPU\n"
		     "(default: the first two CPUs this process may use);\n"
		     "with smt, llc, node, remote-node or matrix, a CPU list\n"
		     "(0-7,16) they choose their pairs from"},
	    {.opt = {.name = "placement"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_placements_parse,
	     .arg = "LIST",
	     .help = "cross-core (A,B), same-core (A,A), unpinned, all (those\n"
		     "three); smt, llc, node, remote-node: a pair of each kind\n"
		     "the machine's topology has (two threads of one core, two\n"
		     "cores sharing the last-level cache, one NUMA node without\n"
		     "a shared cache, two nodes; it says which it lacks);\n"
		     "matrix: every ordered pair of CPUs. Each is a separate set\n"
		     "of rows, each saying what its two CPUs share\n"
		     "(default: cross-core, or what --cpus says)"},
	    {.opt = {.name = "matrix-pairs"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, matrix_pairs),
	     .min = 1,
	     .max = 65536,
	     .def = IPCB_OPTS_STR(IPCB_MATRIX_PAIRS_DEFAULT),
	     .arg = "N",
	     .help = "the matrix's pairs at most: beyond, a sample of every\n"
		     "kind of pair, the same each time (default " IPCB_OPTS_STR(
			 IPCB_MATRIX_PAIRS_DEFAULT) ")"},
	    {.opt = {.name = "wait"},
	     .type = IPCB_CLI_CHOICE,
	     .off = offsetof(struct ipcb_opts, wait),
	     .choices = "spin|yield|block|hybrid",
	     .values = wait_values,
	     .noun = "strategy",
	     .max = IPCB_WAIT_YIELD,
	     .spec = offsetof(struct ipcb_run_spec, cfg.wait),
	     .peer = true,
	     .arg = "STRATEGY",
	     .help = "how a shared-memory reader waits: spin, yield (poll with\n"
		     "sched_yield), block (futex) or hybrid (spin, then block;\n"
		     "with both sides on one CPU it yields a few times instead\n"
		     "of spinning); default hybrid"},
	    {.opt = {.name = "spin-polls"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, spin_polls),
	     .min = 1,
	     .max = 1000000000ull,
	     .def = "2000",
	     .spec = offsetof(struct ipcb_run_spec, cfg.spin_polls),
	     .peer = true,
	     .arg = "N",
	     .help = "hybrid: polls before sleeping (default 2000)"},
	    {.opt = {.name = "dir"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, dir),
	     .spec = offsetof(struct ipcb_run_spec, cfg.dir),
	     .noun = "directory name",
	     .flags = IPCB_OPTS_NO_RUN,
	     .arg = "DIR",
	     .help = "where a run that makes paths (FIFOs, files) makes its own\n"
		     "directory, <tag>.d, removed whole at its end: the file\n"
		     "and mmap transports write on its file system (default\n"
		     "$TMPDIR or /tmp)"},
	    {.opt = {.name = "receiver-work-ns"},
	     .type = IPCB_CLI_U64,
	     .off = offsetof(struct ipcb_opts, recv_work_ns),
	     .spec = offsetof(struct ipcb_run_spec, recv_work_ns),
	     .column = IPCB_COL_RECEIVER_WORK_NS,
	     .min = 0,
	     .max = 1000000000ull,
	     .arg = "N",
	     .help = "more busy work per message on the receiving side only\n"
		     "(a stream's receiver, a round trip's echo), in ns: a\n"
		     "slow consumer; with --rate, a stream's send_call row says\n"
		     "how long each send call took: whether the sender went on\n"
		     "at once or waited for it (default 0)"},
	    {.opt = {.name = "timeout"},
	     .type = IPCB_CLI_SECONDS,
	     .off = offsetof(struct ipcb_opts, timeout_s),
	     .fmin = 0.001,
	     .fmax = 86400,
	     .def = "60",
	     .spec = offsetof(struct ipcb_run_spec, timeout_s),
	     .peer = true,
	     .arg = "SECONDS",
	     .help = "longest a single run may take before it is stopped and\n"
		     "reported as failed (default 60; more than the duration\n"
		     "plus 1 s)"},
	    {.opt = {.name = "option", .letter = 'o'},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_option_parse,
	     .arg = "NAME.KEY=VALUE",
	     .help = "a transport's own option (e.g. zmq-tcp.hwm=100), once\n"
		     "per key; --list NAME shows a transport's options, and\n"
		     "every row records their values (column options)"},
	    {.opt = {.name = "server-timeout"},
	     .type = IPCB_CLI_SECONDS,
	     .off = offsetof(struct ipcb_opts, server_timeout_s),
	     .fmin = 0.1,
	     .fmax = 3600,
	     .def = "60",
	     .arg = "SECONDS",
	     .help = "longest a transport's server (a broker, a bus\n"
		     "daemon) may take to start and answer before that\n"
		     "transport is skipped, naming the server and its log's\n"
		     "last line (default 60)"},
	    {.opt = {.name = "server-cpu"},
	     .type = IPCB_CLI_CALL,
	     .parse = ipcb_opts_server_cpu_parse,
	     .arg = "N",
	     .help = "the CPU a transport's server process (a bus daemon) is\n"
		     "pinned to (default: the receiver's CPU of each row)"},
	    {.opt = {.name = "peer"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, peer),
	     .noun = "value",
	     .arg = "HOST:PORT",
	     .section = "Two hosts (the receiver on another host, under `ipcbench serve`):",
	     .help = "run each network transport's receiver on the peer that\n"
		     "`ipcbench serve --listen HOST:PORT` runs there; rows\n"
		     "say two-host, both machines and the network path"},
	    {.opt = {.name = "token-file"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, token_file),
	     .noun = "value",
	     .arg = "FILE",
	     .help = "the token the server holds (its first line; a file only\n"
		     "you may read)"},
	    {.opt = {.name = "launch"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, launch),
	     .noun = "value",
	     .arg = "PREFIX",
	     .help = "start the server for this invocation through a command\n"
		     "prefix that runs a command on the peer ('ssh HOST',\n"
		     "'ip netns exec NS'; --peer HOST then needs no port),\n"
		     "with a new token, and stop it at the end"},
	    {.opt = {.name = "peer-ipcbench"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, peer_binary),
	     .noun = "value",
	     .arg = "PATH",
	     .help = "the ipcbench --launch starts there (default: the\n"
		     "path of this one)\n"
		     "--cpus A,B puts the sender on CPU A here and the\n"
		     "receiver on CPU B there (default: the first CPU here,\n"
		     "the peer's second)"},
	    {.opt = {.name = "hosts"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, hosts),
	     .noun = "runtime",
	     .arg = "RUNTIME",
	     .section = "Many hosts (one ipcbench on each, started by a runtime):",
	     .help = "this ipcbench is one of many that RUNTIME started,\n"
		     "one on each host (mpi: `mpirun -H a,b,c ipcbench\n"
		     "--hosts mpi ...`, or srun): every ordered pair of\n"
		     "hosts is measured over the transports that cross\n"
		     "hosts, disjoint pairs at once, and each host on its\n"
		     "own loopback; the first process writes every row to\n"
		     "--csv (which it needs), the HdrHistogram log and the\n"
		     "report beside it (FILE.md)"},
	    {.opt = {.name = "hosts-at-once"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, hosts_at_once),
	     .min = 0,
	     .max = 100000,
	     .arg = "N",
	     .help = "with --hosts, at most N pairs of hosts measured at\n"
		     "the same time (default 0: every pair that shares no\n"
		     "host with another; 1: one pair at a time)"},
	    {.opt = {.name = "hosts-slot"},
	     .type = IPCB_CLI_UINT,
	     .off = offsetof(struct ipcb_opts, hosts_slot),
	     .min = 1,
	     .max = 1000000,
	     .arg = "N",
	     .help = "the slot of --hosts's schedule the rows belong to,\n"
		     "which they record (rows of one slot ran at the same\n"
		     "time); --hosts gives it to the drivers it starts"},
	    {.opt = {.name = "csv"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, csv_path),
	     .noun = "file name",
	     .arg = "FILE",
	     .section = "Output:",
	     .help = "append rows to FILE (header written when FILE is new or\n"
		     "empty; an existing file must have the same header; each\n"
		     "row is written whole under a lock, a torn last line is\n"
		     "cut off with a warning)"},
	    {.opt = {.name = "hdr-log"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, hdr_log_path),
	     .noun = "file name",
	     .arg = "FILE",
	     .help = "write every row's histogram to FILE in the HdrHistogram\n"
		     "log format (readable by HistogramLogProcessor); an\n"
		     "existing FILE is replaced once the first one is logged"},
	    {.opt = {.name = "hgrm"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, hgrm_dir),
	     .noun = "directory name",
	     .arg = "DIR",
	     .help = "write each row's percentile distribution to DIR/*.hgrm;\n"
		     "DIR is created, or is your own, not writable by every\n"
		     "user and without .hgrm files"},
	    {.opt = {.name = "json"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, json_path),
	     .noun = "file name",
	     .arg = "FILE",
	     .help = "write the run to FILE in Google Benchmark's JSON format\n"
		     "(github-action-benchmark, Bencher): the machine in its\n"
		     "context, a benchmark per row named\n"
		     "transport/mode/size/placement[/options][/shape]\n"
		     "[/kind]; written at the end of the run, replacing\n"
		     "FILE once a row is in it\n"
		     "Outputs are never written through symbolic links, and\n"
		     "one file may not be named for two of them. FILE - is\n"
		     "standard output (--csv, --json or --hdr-log, one of\n"
		     "them): the table and notes then go to standard error,\n"
		     "so that the data can be piped into another tool."},
	    {.opt = {.name = "db"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, db_path),
	     .noun = "value",
	     .arg = "FILE",
	     .help = "also store each row, as it is measured, in the results\n"
		     "history FILE (SQLite, made when missing; or a team's on a\n"
		     "PostgreSQL server: postgresql://HOST/DB), in a run with\n"
		     "the machine fingerprint, build, commit and command line\n"
		     "(ipcbench history FILE; compare and report --db)"},
	    {.opt = {.name = "commit"},
	     .type = IPCB_CLI_TEXT,
	     .off = offsetof(struct ipcb_opts, commit),
	     .noun = "value",
	     .arg = "REV",
	     .help = "the git commit of --db's run (default: HEAD of the\n"
		     "working directory's repository, if it is in one)"},
	    {.opt = {.name = "wide"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, wide),
	     .help = "every column of the table, even where the terminal is\n"
		     "narrower (a pipe or a file always gets every column)"},
	    {.opt = {.name = "quiet", .letter = 'q'},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, quiet),
	     .help = "no progress lines on stderr"},
	    {.opt = {.name = "help", .letter = 'h'},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, help),
	     .flags = IPCB_OPTS_NO_RUN,
	     .help = "the options, briefly"},
	    {.opt = {.name = "version", .letter = 'V'},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, version),
	     .flags = IPCB_OPTS_NO_RUN,
	     .help = "version"},
	    {.opt = {.name = "dry-run"},
	     .type = IPCB_CLI_FLAG,
	     .off = offsetof(struct ipcb_opts, dry_run),
	     .flags = IPCB_OPTS_NO_RUN,
	     .help = "with --cleanup: list what would be removed, remove nothing;\n"
		     "without: print the plan (placements, transports, runs,\n"
		     "the least time they take) and run nothing"},
	    {.opt = {.name = "inject"},
	     .type = IPCB_CLI_CHOICE,
	     .off = offsetof(struct ipcb_opts, inject),
	     .choices = "none|corrupt|drop|dup|crash|hang|corrupt-stamp|corrupt-unsampled",
	     .noun = "fault",
	     .valid = "corrupt, corrupt-stamp, corrupt-unsampled, drop, dup, crash, hang",
	     .max = IPCB_INJECT_CORRUPT_UNSAMPLED,
	     .spec = offsetof(struct ipcb_run_spec, inject),
	     .peer = true,
	     .arg = "FAULT",
	     .section = "Testing the tool itself:",
	     .help = "make a run misbehave to prove verification catches it:\n"
		     "corrupt (a payload byte of message 64: caught by\n"
		     "--verify sampled and full), corrupt-unsampled (of\n"
		     "message 65: only full), corrupt-stamp (message 5's send\n"
		     "time: every level), drop, dup (every level), crash, hang\n"
		     "(message 5); messages are counted with the warm-up; not\n"
		     "for transports that move nothing"},

	    {.opt = {.name = NULL}},
	};

	return rows;
}

/* Defaults for everything. */
void ipcb_opts_init(struct ipcb_opts *o);
/* Free what parsing allocated (the --cpus list). */
void ipcb_opts_fini(struct ipcb_opts *o);
/* Does the plan place sides by the machine's topology (a class or the matrix)? */
bool ipcb_opts_topology_placed(const struct ipcb_opts *o);
/* Parse argv (argv[0] is the program), and check it whole (optcheck.c). 0 or -EINVAL with err. */
int ipcb_opts_parse(struct ipcb_opts *o, int argc, char **argv, char *err, size_t errlen);
/* Every option value of t for a run: its defaults, with what -o set. */
void ipcb_opts_transport(const struct ipcb_opts *o, const struct ipcb_transport *t,
			 uint64_t vals[IPCB_MAX_OPTIONS]);
/* Print --help's options and what follows them. */
void ipcb_opts_usage(FILE *f, const char *prog);
/*
 * A mode's own --help, as a command (`ipcbench cleanup --help`): its usage and what it is, its
 * row's help, and the driver's options it takes (or that it takes a run's). 0, or -ENOENT where
 * word is no mode.
 */
int ipcb_opts_mode_usage(FILE *f, const char *prog, const char *word);

/* --size's list, public for the unit tests. */
int ipcb_parse_size_list(const char *s, size_t *out, size_t max, size_t *n, char *err,
			 size_t errlen);
/* Does any --topology item share a channel among several senders or receivers? */
bool ipcb_opts_shared(const struct ipcb_opts *o);
/* The name of an --inject fault. */
const char *ipcb_inject_name(enum ipcb_inject f);
/* Every transport's name, ", "-separated, for the message that names an unknown one. */
void ipcb_opts_transport_names(char *out, size_t n);

#endif
