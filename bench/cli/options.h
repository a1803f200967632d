/* SPDX-License-Identifier: MIT */
/*
 * options.h - the command line, parsed and validated before anything runs.
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

#include "parse.h"
#include "sizes.h"
#include "spec.h"
#include "slo.h"
#include "transport.h"

enum ipcb_placement {
	IPCB_PLACE_CROSS_CORE, /* sender and receiver pinned to two different CPUs */
	IPCB_PLACE_SAME_CORE,  /* both pinned to one CPU: every hand-over is a context switch */
	IPCB_PLACE_UNPINNED,   /* left to the scheduler */
	/*
	 * A representative pair of each topology class the machine has (lib/topology.h): two
	 * hardware threads of one core, two cores sharing the last-level cache, one NUMA node
	 * without a shared cache, two nodes.
	 */
	IPCB_PLACE_SMT,
	IPCB_PLACE_LLC,
	IPCB_PLACE_NODE,
	IPCB_PLACE_REMOTE_NODE,
	IPCB_PLACE_MATRIX, /* every ordered pair of the CPUs (sampled beyond --matrix-pairs) */
	IPCB_PLACES,
	/* The sender here, the receiver on the peer (--peer): not one of --placement's. */
	IPCB_PLACE_TWO_HOST = IPCB_PLACES,
};

const char *ipcb_placement_name(enum ipcb_placement p);

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
	bool fsync;
	bool floor;
	bool controls; /* --controls: only the floors no transport code can move */
	double timeout_s;
	uint64_t work_ns;
	uint64_t recv_work_ns; /* --receiver-work-ns: the receiving side's alone */
	bool tune;	       /* --tune: each transport also with each of its tuning settings */
	enum ipcb_inject inject;
	enum ipcb_verify verify; /* --verify: headers, sampled (default) or full */
	/* Load shapes, each a list swept like --size. */
	unsigned inflight[IPCB_MAX_LIST]; /* --inflight: requests outstanding (latency mode) */
	size_t ninflight;
	unsigned pairs[IPCB_MAX_LIST]; /* --pairs: independent pairs, a channel each */
	size_t npairs;
	double rates[IPCB_MAX_LIST]; /* --rate: open-loop messages per second; none: closed */
	size_t nrates;
	enum ipcb_arrivals arrivals; /* --arrivals */
	bool rate_sweep;	     /* --rate-sweep: fractions of the closed-loop maximum */
	struct ipcb_slo slo;	     /* --slo pP=D; slo.ns 0: the placement's default */
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
	bool list, quiet, help, version;
	/*
	 * Two hosts: --peer HOST:PORT (the receiver runs there, under `ipcbench serve`), the token
	 * file both hosts hold, and the launch prefix that starts the server there for the run
	 * (--launch 'ssh HOST'), with the ipcbench it starts (--peer-ipcbench, default this one).
	 */
	const char *peer, *token_file, *launch, *peer_binary;
	const char *cpus_arg; /* --cpus as given: checked once it is known whether --peer is */
	bool cleanup;	      /* --cleanup: remove what dead runs left behind, then exit */
	bool dry_run;	      /* --dry-run (with --cleanup): only list what would be removed */
	/* --db: the results history the rows also go to; --commit: the commit its run names. */
	const char *db_path, *commit;
};

/* Defaults for everything. */
void ipcb_opts_init(struct ipcb_opts *o);
/* Free what parsing allocated (the --cpus list). */
void ipcb_opts_fini(struct ipcb_opts *o);
/* Does the plan place sides by the machine's topology (a class or the matrix)? */
bool ipcb_opts_topology_placed(const struct ipcb_opts *o);
/* Parse argv (getopt_long; argv[0] is the program). 0 or -EINVAL with err filled. */
int ipcb_opts_parse(struct ipcb_opts *o, int argc, char **argv, char *err, size_t errlen);
/* Every option value of t for a run: its defaults, with what -o set. */
void ipcb_opts_transport(const struct ipcb_opts *o, const struct ipcb_transport *t,
			 uint64_t vals[IPCB_MAX_OPTIONS]);
/* -o NAME.KEY=VALUE, one at a time (public for the unit tests). */
int ipcb_parse_topt(const char *s, struct ipcb_opts *o, char *err, size_t errlen);
/* Print --help. */
void ipcb_opts_usage(FILE *f, const char *prog);

/* The pieces, public for the unit tests. `what` names the option in error messages. */
int ipcb_parse_size_list(const char *s, size_t *out, size_t max, size_t *n, char *err,
			 size_t errlen);
int ipcb_parse_cpus(const char *s, int out[2], char *err, size_t errlen);
int ipcb_parse_transports(const char *s, struct ipcb_opts *o, char *err, size_t errlen);
int ipcb_parse_wait(const char *s, enum ipcb_wait *out, char *err, size_t errlen);
int ipcb_parse_placements(const char *s, struct ipcb_opts *o, char *err, size_t errlen);
int ipcb_parse_topologies(const char *s, struct ipcb_opts *o, char *err, size_t errlen);
int ipcb_parse_deliver(const char *s, struct ipcb_opts *o, char *err, size_t errlen);
/* Does any --topology item share a channel among several senders or receivers? */
bool ipcb_opts_shared(const struct ipcb_opts *o);

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

#endif
