/* SPDX-License-Identifier: MIT */
/*
 * model.h - one CSV, read once, as the groups every table, claim, figure and page is made from.
 *
 * A group is what was measured: a transport with its settings, a mode, a size, a placement and
 * a load shape. Its runs are its rows, one per run (a round trip's one-way delays, a stream's
 * send calls and the like join the run they belong to), each with the round it ran in and what
 * it says about itself: how its reader waited (context switches), whether its payload was read
 * in full or in place, whether zero-copy sends were copied after all, how its channel held
 * messages, and the machine's state beside it. Every quantity is computed here once: which runs
 * a group keeps (the machine's state), its median and interval over the rounds, its modes, its
 * reader's class; the sections only read them, so a number printed twice has one value.
 */
#ifndef IPCB_MODEL_H
#define IPCB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "placement.h"
#include "rows.h"
#include "slept.h"
#include "percentiles.h"
#include "stats.h"

#define M_RTT_ENUM(id, value, label, drop, what) M_RTT##id,
#define M_OW_ENUM(id, value, label, drop, what)	 M_OW##id,

/* What a run measured; NAN where it did not. */
enum measure {
	/* M_RTT50, M_RTT99 ...: a round trip's percentiles, ns (lib/percentiles.h's) */
	IPCB_PERCENTILES(M_RTT_ENUM) M_RTT_MIN, /* round trip minimum, ns */
	M_RTT_MAX,				/* round trip maximum, ns */
	M_AB,	     /* one way, sender to receiver, p50 (a round trip's), ns */
	M_BPS,	     /* a stream's bytes per second */
	M_MSGS,	     /* messages per second */
	M_CPU,	     /* both sides' CPU per message, ns */
	M_SEND_CPU,  /* the sender's CPU per message, ns */
	M_BUFFER,    /* bytes the channel reserved */
	M_SERVER,    /* a server's CPU per message, ns */
	M_SEND_CALL, /* a send call's p50 with a slow consumer, ns */
	/* M_OW50, M_OW99 ...: a stream's one-way delay (open loops, broadcast), ns, by percentile
	 */
	IPCB_PERCENTILES(M_OW_ENUM) M_SLOWEST, /* broadcast: one way to the slowest receiver, p50 */
	M_LAST,	      /* broadcast: to the last receiver of each message, p50 */
	M_LAST99,     /* and its p99 */
	M_ACHIEVED,   /* an open loop's achieved rate, msg/s */
	M_LATE,	      /* sends that started late, messages */
	M_LOSSES,     /* messages lost */
	M_DELIVERIES, /* broadcast deliveries per second */
	M_PAIR_MIN,   /* several pairs: the slowest pair's msg/s */
	M_PAIR_MAX,   /* and the fastest's */
	M_BPS_AB,     /* a stream both ways: each way */
	M_BPS_BA,
	M_SLO_RATE,  /* a rate sweep's outcome: the rate its bound held to */
	M_SRV_START, /* a server's start, until it answered, ns (once per invocation) */
	M_SRV_RSS,   /* its resident memory and its processes', after the run, bytes */
	/*
	 * A round trip's receiver: its CPU time over the run's time, the share of a CPU it keeps
	 * busy while it mostly waits for the next request (a polling reader's whole CPU).
	 */
	M_WAIT_CPU,
	M_COUNT,
};

/* The measure of percentile place p of lib/percentiles.h: a round trip's, or a one-way delay's. */
static inline enum measure measure_pct(bool round_trip, enum ipcb_pct p)
{
	return (enum measure)((round_trip ? 0 : M_SEND_CALL + 1) + (int)p);
}

/* Lower is better (times, CPU, memory), or higher (rates). */
bool measure_lower_better(enum measure m);
/* "round trip p50", "throughput", ... */
const char *measure_name(enum measure m);
/* A value of the measure for people: "12.3 us", "1.20 GB/s", "64 KiB", "1.20M msg/s". */
void measure_format(enum measure m, double v, char *out, size_t n);

/* The load a group was measured under. */
enum shape {
	S_PAIR,	  /* one sender, one receiver, one message at a time: the guides' tables */
	S_SLOW,	  /* the same with a slow consumer (--receiver-work-ns): claims C10, C12 */
	S_OPEN,	  /* an open loop (--rate, a rate sweep's step) */
	S_SHAPED, /* other closed loops: pairs, requests in flight, fan-in and out, bistream */
	S_BCAST,  /* publish-subscribe (--deliver all) */
	S_MATRIX, /* a cell of the placement matrix */
	S_SWEEP,  /* a rate sweep's outcome row, or its closed-loop maximum */
	S_HOSTS,  /* a pair of hosts of --hosts, or a host alone on its loopback (hosts_slot) */
};

/*
 * How a group's reader waited, from its own rows' voluntary context switches per message on the
 * side that waits (slept.h: fewer than MODEL_POLL_CTX, it polls), for round trips and streams
 * alike, whatever its wait is called.
 */
enum reader {
	R_UNKNOWN, /* no context switches in the CSV */
	R_POLLS,   /* it never slept: every round under the line */
	R_SLEEPS,  /* every round at the line or above */
	R_UNCLEAR, /* its rounds fell on both sides of the line */
};
#define MODEL_POLL_CTX IPCB_SLEPT_SWITCHES
/*
 * A run beats a floor of its round, or its own ceiling, when it is this far beyond it (each has
 * its noise): the floor was not what the machine allowed it while it ran.
 */
#define MODEL_FLOOR_SLACK 0.10

/* "polls", "sleeps", "polled and slept", "not counted": a class in a few words. */
const char *model_reader_name(enum reader r);

/*
 * Why the set-aside rule (derive.c) flags a run, as bits of struct run's flags: data every reader
 * takes as it is (the report, compare), named by model_flag_names where a person reads them.
 */
enum model_flag {
	MF_CURVE_STATE,	  /* a load curve's run in the other state than most of the curve's */
	MF_OTHER_STATE,	  /* its cache-line probe in the placement's other state */
	MF_STATE_CHANGED, /* the probe after the run in another state than the one before */
	MF_PROBE_JUMP,	  /* its wake-up probe half or twice the usual */
	MF_BELOW_FLOOR,	  /* a round trip faster than its own cache-line probe allows */
	MF_CPU_HELD,	  /* a side that never slept was off its CPU for a tenth of the run */
	MF_COUNT,
};
extern const char *const model_flag_names[MF_COUNT];
/* A run's flags for a person: their names in the enum's order, sep between them. */
void model_flags_text(unsigned flags, const char *sep, char *out, size_t n);

struct run {
	size_t group;
	unsigned round;	   /* the round's place among the CSV's rounds, from 1; 0: none */
	unsigned round_no; /* as the CSV numbers it */
	double v[M_COUNT];
	double messages, ctx, run_spread, full_share, zc_copied, segs;
	/*
	 * Each side's voluntary context switches per message, and the waiting side's among them
	 * (slept.h), which class the run: its whole count (ctx) in a CSV that does not tell them
	 * apart.
	 */
	double voluntary[2], waiting_sw;
	double cpu_s[2], elapsed_s; /* each side's CPU time, and the measured interval; NAN */
	bool waiting_voluntary;	    /* waiting_sw counts voluntary switches alone */
	double probe_cl, probe_cl_after, probe_wk, offered, fraction;
	double x_floor; /* the row as a multiple of its ceiling (the group's `ceiling`); NAN */
	int cpu[2];	/* the matrix's pair; -1 where not pinned */
	int state;	/* the machine's state beside it: 0 the one its placement's groups keep,
			   1 the other, -1 not probed (model_state_word() names them) */
	bool aside;	/* set aside for the machine's state (why in flags) */
	unsigned flags; /* why the rule flagged it: 1 << each enum model_flag */
	/* A floor of its own round that it beat (the floor's transport), and the floor's value. */
	const char *beat;
	double beat_floor;
	unsigned long line; /* where it is in the CSV */
};

/* What a group's kept runs say of one measure. */
struct summary {
	size_t n;	       /* runs with a value */
	double median, lo, hi; /* the median over the rounds and its interval */
	double between;	       /* spread between rounds: 1.4826 MAD / median; NAN below 3 */
	double within;	       /* a run's own spread (latency rows), median; NAN */
	struct ipcb_modes modes;
	const char *told_by; /* the column that separates the modes, NULL if none */
	double told[IPCB_MODES_MAX];
	double state_median[2]; /* where its runs spanned both states: each one's median */
	size_t state_n[2];
};

struct group {
	/* What was measured. */
	const char *transport; /* the transport's own name */
	char label[112];       /* its name in tables: with its settings where it has several */
	const char *tuning;    /* its setting away from the defaults ("size=1048576"), "" none */
	const char *options, *wait, *placement, *mode, *hops, *path, *rides_on, *channel;
	const char *library, *topology;
	/* The sender's host and the receiver's (the same on one host), and --hosts's slot. */
	const char *host, *peer_host;
	unsigned hosts_slot;
	const char *topo; /* what its two CPUs share (cpu_topology): "same", "cache L3", ... */
	size_t size;
	enum shape shape;
	char shape_text[48]; /* "x2", "1:4", "k64", "poisson": "" for one pair */
	double work_ns;	     /* the slow consumer's work per message; 0 */
	double offered;	     /* an open loop's offered rate; NAN */
	double fraction;     /* a sweep step's share of its maximum; NAN */
	unsigned receivers;  /* broadcast: receivers */
	bool latency;	     /* latency mode (a round trip), else a stream */
	bool floor;	     /* the harness or a floor, not a mechanism */
	bool framework;	     /* built on a library (C11's frameworks) */
	/* What its rows say about themselves. */
	enum reader reader; /* from its own rows' voluntary switches on the waiting side */
	double ctx;	    /* their median over its kept runs (run.waiting_sw) */
	bool ctx_voluntary; /* ... voluntary switches alone (not a CSV's whole count) */
	size_t ctx_polled, ctx_slept; /* its kept runs under the line and at or above it */
	bool loan;	   /* a zero-copy loan whose receiver read most payloads in place */
	double full_share; /* the share of messages read in full; NAN */
	bool zerocopy;	   /* it declares zero-copy sends (its channel says so) */
	double zc_copied;  /* of those, the share the kernel copied after all; NAN unknown */
	bool page_cache;   /* a file whose pages never had to reach the disk */
	double buffer;	   /* bytes its channel reserved (median); NAN */
	double segs;	   /* network segments per message (median); NAN */
	/* The floor its rows are held against ("floor-xcopy", "probe-wakeup"; "" none) and the
	 * median of its kept runs' multiples of it (NAN: none measured). */
	const char *ceiling;
	double x_floor;
	int state;	/* the state of the machine its kept runs are in; -1 not probed */
	bool slow_kept; /* its placement's state 0 is the slower of two (model_state_word) */
	size_t *runs, nruns, runs_cap, kept;
	struct summary sum[M_COUNT];
};

/* A pair of hosts of --hosts (its host_pair row): measured, or failed and why. */
struct host_pair {
	const char *from, *to; /* the same host twice: its loopback */
	unsigned slot;
	const char *error; /* "" when it was measured */
};

/*
 * A placement's probes: their states (stats.h) and the wake-up probe's median. Its state 0 is
 * the one its groups keep (derive.c): the faster of two (the lower cache-line round trip) where
 * it held enough of the runs, else the more common; slow_kept says it is the slower.
 */
struct model_place {
	const char *placement;
	struct ipcb_states states;
	size_t probed;
	double wakeup;
	bool slow_kept;
};

struct book;

struct model {
	struct ipcb_rows rows;
	/* --hosts: every pair of its schedule, and the hosts they name, in the order met. */
	struct host_pair *pairs;
	size_t npairs;
	const char **hosts;
	size_t nhosts, hosts_cap;
	struct run *runs;
	size_t nruns;
	size_t *row_run; /* per row of rows: the run it is part of + 1; 0 for none */
	struct group *groups;
	size_t ngroups;
	/* The placements (cross-core first) and sizes of one-pair rows, ascending. */
	const char **placements;
	size_t nplacements, placements_cap;
	size_t *sizes;
	size_t nsizes;
	unsigned nrounds; /* rounds (dense numbers); 0: the CSV has none */
	/* The commonest number of runs of a one-pair group: what "its rounds" are for most. */
	unsigned group_rounds;
	bool has_paths, has_ctx, has_tuning;
	bool paired; /* the CSV has rounds: runs of one round may be paired */
	/* The machine, from the first row. */
	const char *host, *cpu_model, *kernel, *version, *date, *virt, *smt;
	struct model_place *place; /* per placement, as placements */
	/* The mechanisms' one-pair labels at their defaults, and their tuned settings, sorted. */
	const char **labels, **tuned;
	size_t nlabels, ntuned;
	/* The labels of mechanisms measured only in other shapes (rate sweeps alone), sorted. */
	const char **shaped;
	size_t nshaped;
	/* The one-pair groups, sorted by label, placement, size and mode, for lookups. */
	size_t *index;
	size_t nindex;
	size_t flagged; /* runs set aside */
	size_t beaten;	/* runs that beat a floor of their round */
	/* Set by a claim's stability test: how often each round is drawn (NULL: each once). */
	const unsigned *weight;
	int resample; /* which of the claims' resamples weight is (book_resample_weights) */
	/* The report's tests of pairs, each decided once (book.h); NULL outside a report. */
	struct book *book;
};

/* Read the CSV at path into m. 0, or -errno with err saying why (named: file, line, column). */
int model_load(struct model *m, const char *path, char *err, size_t errlen);
/* The same of a CSV in memory, called name in messages. */
int model_load_buffer(struct model *m, const char *name, const char *csv, size_t len, char *err,
		      size_t errlen);
/*
 * Either (csv NULL: the file called name); where partial, a file without a measured row, or
 * without the columns the report's tables need, is a model too: compare weighs one measure, or
 * a file of counted rows alone, and checks its own columns.
 */
int model_open(struct model *m, const char *name, const char *csv, size_t len, bool partial,
	       char *err, size_t errlen);
void model_free(struct model *m);

/*
 * The group measured as transport (its label), shape S_PAIR, latency or stream, at size and
 * placement; NULL when there is none.
 */
const struct group *model_pair(const struct model *m, const char *label, const char *placement,
			       size_t size, bool latency);
/* The group a measure of a pair is in: round trips and their kin in latency mode, else streams. */
bool measure_latency(enum measure ms);
const struct group *model_find(const struct model *m, const char *label, const char *placement,
			       size_t size, enum measure ms);

/*
 * The values of measure ms of g's kept runs, with their rounds (as often as m->weight draws
 * each round): into a growing array (*vals, *rounds, *cap); how many.
 */
size_t model_values(const struct model *m, const struct group *g, enum measure ms, double **vals,
		    uint32_t **rounds, size_t *cap);
/* As model_values(), of the kept runs in the machine's state `state` (and unprobed) alone. */
size_t model_values_in(const struct model *m, const struct group *g, enum measure ms, int state,
		       double **vals, uint32_t **rounds, size_t *cap);
/*
 * The machine's state a comparison of a and b takes both sides' runs in: where one side's kept
 * runs ran in one state of its placement and the other's in both, that state, so that no run of
 * one state is held against a run of the other; MODEL_ANY_STATE where nothing is to be left out
 * (both in one state, both in both, unprobed, or two placements), MODEL_TWO_STATES where each side
 * ran in another state alone: not comparable.
 */
#define MODEL_ANY_STATE	 (-1)
#define MODEL_TWO_STATES (-2)
int model_common_state(const struct group *a, const struct group *b);
/* "fast" or "slow": the machine's state `state` (0 or 1) at g's placement, as the report says. */
const char *model_state_word(const struct group *g, int state);
/* g's median of ms as m->weight draws the rounds (the summary's without weights); NAN none. */
double model_median(const struct model *m, const struct group *g, enum measure ms);

/*
 * How run r of group g had its two sides share the machine (ipcb_placement_sides): from the
 * group's placement and the run's CPUs, as the driver chose its floors and ceilings.
 */
enum ipcb_sides model_run_sides(const struct group *g, const struct run *r);

/* The fewest messages of g's kept runs; NAN when none says. */
double model_min_messages(const struct model *m, const struct group *g);
/* The median of one attribute (its offset in struct run) of g's kept runs, or of all its runs
 * where all; NAN none. */
double model_run_median(const struct model *m, const struct group *g, size_t off, bool all);

/*
 * An open loop's step as its kept runs measured it: the medians of their offered rates, their
 * achieved rates and each run's share of sends that started late (late over its own messages,
 * so at most 1), all over the same runs; and whether the generator kept it by the driver's
 * rule (ipcb_step_kept, slo.h). NANs and false where no run says. Each run offers its share
 * of its own round's maximum: the least and the most it offered say whether one rate was.
 */
struct step {
	double offered, achieved, late_share;
	double offered_lo, offered_hi;
	size_t runs;
	bool kept;
};
void model_step(const struct model *m, const struct group *g, struct step *st);

/* A growing array of n things of size each: room for one more, or NULL (no memory). */
void *model_grow(void *p, size_t *cap, size_t n, size_t size);
/* Sort n things of size each and keep the first of each run of equal ones: how many are left. */
size_t model_sort_uniq(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* qsort's comparisons of unsigned ints and of strings (const char *). */
int model_cmp_uint(const void *a, const void *b);
int model_cmp_str(const void *a, const void *b);

/* A size as --size spells it, with a unit where it has no suffix: "64 B", "4K", "1M". */
void size_format(size_t bytes, char *out, size_t n);
/* The nearest size of the one-pair rows to want; 0 when none. */
size_t model_size_near(const struct model *m, size_t want);
/* The first group of a label (its declarations), NULL when none. */
const struct group *model_label_group(const struct model *m, const char *label);

#endif /* IPCB_MODEL_H */
