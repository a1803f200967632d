/* SPDX-License-Identifier: MIT */
/*
 * drv.h - inside bench/cli/: the driver's own data (the plan, its placements, the sweep's state,
 * where rows go) and the functions its files call in each other, one file per job: driver.c (the
 * story from the command line to the exit status), list.c, plan.c, services.c, places.c,
 * outputs.c, rows.c, point.c, floors.c, sweep.c, probes.c, rounds.c, summary.c, peer.c. Not for
 * use outside the driver.
 */
#ifndef IPCB_DRV_H
#define IPCB_DRV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "floor.h"
#include "history.h"
#include "launch.h"
#include "options.h"
#include "outfile.h"
#include "output.h"
#include "probe.h"
#include "remote.h"
#include "run.h"
#include "runtime.h"
#include "service.h"
#include "sysinfo.h"
#include "topology.h"

static const char prog[] = "ipcbench";

/* A transport the plan will use, with what probe() found and what its rows say of it. */
struct planned {
	const struct ipcb_transport *t;
	size_t max_msg_bytes;
	uint64_t opt[IPCB_MAX_OPTIONS]; /* its options: defaults and -o */
	char options[160];		/* "hwm=1000" */
	/* The options away from the transport's defaults ("write=16384"; "" at its defaults),
	 * and whether --tune added this set to the one asked for. */
	char tuning[96];
	bool variant;
	int tuned_idx; /* a variant: the option --tune changed, and to what */
	uint64_t tuned_val;
	char library[512];	      /* "zmq 4.3.4"; a server's version after it */
	struct ipcb_service_run *svc; /* its server, when it has one and it runs */
	/* --count's counted pass: why its sides cannot be counted ("": they can). */
	char uncounted[200];
};

/* Where the two sides run, and the floors measured there. */
struct place {
	enum ipcb_placement kind;
	int cpu[2];
	char topology[48]; /* what the two CPUs share ("cache L3"); "" when not pinned or unknown */
	bool clock_checked;
	struct ipcb_clock_check clock;
	double cacheline_p50_ns;		  /* 0 = not measured */
	double futex_p50_ns;			  /* 0 = not measured */
	double memcpy_bytes_per_s[IPCB_MAX_LIST]; /* per --size index; 0 = not measured */
	/* Two CPUs only (ipcb_place_two_cpus): copying out what the other wrote, per size. */
	double xcopy_bytes_per_s[IPCB_MAX_LIST];
	/* floor-mailbox's round trip (p50, ns), per size; 0 = not measured. */
	double mailbox_p50_ns[IPCB_MAX_LIST];
	/* Two CPUs only: a stream's hand-over of one message of a line (floor-handover). */
	double handover_ns;
	/* The cheapest system call on the sender's CPU (floor-syscall); 0 = not measured. */
	double syscall_ns;
	/*
	 * The machine's state at these CPUs: the last probe's cache-line and wake-up round trips
	 * (p50, ns; 0 = none yet), when it was taken, and every probe's so far (their median is
	 * the run's usual state, which a probe that jumps is flagged against).
	 */
	struct ipcb_prober *prober; /* its probe threads; NULL: no probes */
	bool probes_failed;	    /* they could not start, or a probe failed: said once */
	bool probed;
	double probe_cl_ns, probe_wk_ns, probe_cl_after_ns;
	uint64_t probe_at_ns; /* when the wake-up was last probed */
	bool probe_jump;      /* the last probe moved by half or more from the usual */
	bool round_start;     /* no run yet this round: the wake-up is probed before the next */
	double *probe_hist[2];
	size_t nprobes, probes_cap;
};

/*
 * Whether the placement's two sides run on two CPUs (ipcb_placement_sides): cross-core, and a pair
 * the topology chose whose CPUs differ. Such a placement's floors include the copy across its
 * CPUs and a stream's hand-over, which its rows' ceilings are made of.
 */
static inline bool ipcb_place_two_cpus(const struct place *pl)
{
	return ipcb_placement_sides(pl->kind, pl->cpu[0], pl->cpu[1]) == IPCB_SIDES_TWO_CPUS;
}

/* What shapes one point of the plan beyond its transport and size. */
struct shape {
	enum ipcb_mode mode;
	unsigned pairs, inflight;
	double rate;	 /* open loop: messages per second offered in all; 0: closed loop */
	double fraction; /* a rate sweep's step: rate as a share of the closed-loop maximum */
	unsigned senders, receivers; /* sharing one channel (--topology) */
};

/*
 * One point of the plan: a round runs each once. A rate sweep is one point: in each round it
 * measures its closed-loop maximum, then offers fractions of it.
 */
struct plan_point {
	size_t place, use, si;
	struct shape sh;
	bool sweep;
	/* What each round measured, for the summary: its main value (a round trip's p50, else the
	 * rate), context switches per message and the wake-up probe beside it. */
	double *value, *ctx, *wake;
	size_t nvalues;
};

/* What the runs of one point measured, for a rate sweep. */
struct point {
	unsigned ok;	     /* runs that succeeded */
	double msgs_per_s;   /* the highest rate of them */
	double achieved_sum; /* open loop: sum of the achieved rates */
	double tail_ns;	     /* the highest --slo percentile of them; 0 when none was measured */
	/* Open loop: the highest share of a run's sends that started late; whether every run
	 * kept its step (ipcb_step_kept: few sends late, the offered rate achieved). */
	double late_share;
	bool kept;
	double value, ctx; /* the run's main value and context switches per message (summary) */
	/* What the runs took in all: a rate sweep's outcome row carries its steps' totals. */
	uint64_t messages;
	double elapsed_s, cpu_s[2];
	int64_t ctx_switches[2], ctx_involuntary[2];
};

/* Where rows go: the table, the files and the results history (outputs.c, rows.c). */
/*
 * A line of the table (with the notes under it) kept until the sweep ends, when the lines are
 * printed in the plan's order: the rounds run the points shuffled, and a person reads a table
 * sorted. The progress lines on standard error say what runs as it runs.
 */
struct table_line {
	size_t point;	/* 0: the floors; else 1 + the point's place in the plan */
	unsigned round; /* the row's round */
	size_t seq;	/* the order it was measured in, among the lines of its point */
	char *text;	/* the row's line and its notes, each ending in a newline */
};

struct outputs {
	struct ipcb_table table; /* the table's columns, fitted to the terminal */
	/* The table's lines of this sweep, printed when it ends (ipcb_rows_table_flush). */
	struct table_line *lines;
	size_t nlines, lines_cap;
	size_t table_point; /* what the rows measured now are of: 0 the floors, 1 + a point */
	bool table_header;  /* the sweep's rounds began: its table has a header */
	/* The sweep's rows, which the closing answers are read from (ipcb_driver_answers_set). */
	struct ipcb_memcsv answers;
	struct ipcb_csv csv;
	struct ipcb_jsonout json;     /* --json: kept until the end of the run */
	struct ipcb_outfile hdr_file; /* the HDR log, under a temporary name until it has a line */
	/*
	 * The .hgrm file being written, its name and its error: here rather than on a stack
	 * (8 KiB of paths, and the stack may be small); one at a time, never re-entered.
	 */
	struct ipcb_outfile hgrm_file;
	char hgrm_path[PATH_MAX], hgrm_err[IPCB_ERR_BYTES];
	bool hdr_opened; /* hdr_file is open (closed, or its temporary name removed, at the end) */
	struct ipcb_hdrlog *hdrlog; /* NULL once a write failed: the log stops there */
	size_t hdr_intervals;	    /* intervals logged */
	bool hgrm_made;		    /* --hgrm DIR was created by this run */
	uint64_t log_start_ns;	    /* monotonic time the HDR log's StartTime stands for */
	/* --db: the run in the results history. */
	struct ipcb_history_run *hist;
	bool failed; /* a row, log or .hgrm file could not be written */
};

/*
 * The run in progress (point.c): its spec, result and row, here rather than on the stack, whose
 * depth where the driver forks is where every side starts (and the stack may be small: ulimit
 * -s). One run at a time.
 */
struct run_now {
	struct ipcb_run_spec spec;
	struct ipcb_run_result result;
	struct ipcb_row row;
	struct ipcb_row more;	   /* the run's other rows (one-way delays, send lags) */
	struct ipcb_count_sig sig; /* --count's counted pass: the row's work signature */
	uint64_t start_ns;	   /* when it began */
};

/*
 * --peer: the receivers run on another host, reached through this (bench/remote/remote.h), and
 * its launchers: a stand-in here for the side there, or (IPCB_CAP_LAUNCH_HOSTS) the transport's
 * runtime starting the side there itself (peer.c).
 */
struct peer {
	struct ipcb_remote remote;
	struct ipcb_launcher remote_launcher, hosts_launcher;
	struct ipcb_runtime_hosts hosts;
};

/*
 * The driver: what the sweep needs (the command line, this machine, the plan and where it runs,
 * where it stands), and pointers to the rest: where rows go, the run in progress, the peer.
 */
struct driver {
	struct ipcb_opts o;
	bool then; /* another sweep follows in this invocation (--then): its servers are held */
	struct ipcb_sysinfo si;
	int first_cpus[2];	/* the first two CPUs this process may use (same when only one) */
	struct ipcb_topo *topo; /* the machine's shape (hwloc); NULL: it could not be read */
	char topo_err[200];	/* why not */
	bool topo_elsewhere; /* another machine's (HWLOC_XMLFILE, HWLOC_SYNTHETIC): a plan only */
	/* The plan: the transports with their settings, where the sides run, the points. */
	struct planned use[IPCB_MAX_LIST];
	size_t nuse;
	struct place *places; /* a placement matrix has many */
	size_t nplaces, places_cap;
	struct plan_point *points;
	size_t npoints, points_cap;
	/* Where the sweep stands. */
	unsigned round; /* the current round's number (from --first-round) */
	size_t runs_total, runs_done;
	unsigned failures; /* runs that failed */
	uint64_t started_ns;
	int interrupted; /* signal number */
	/*
	 * The points (transport, mode, size, placement) whose one-way rows were said left out: once
	 * each, though their rounds' runs come in shuffled order.
	 */
	char **one_way_said;
	size_t one_way_nsaid, one_way_cap;
	struct outputs *out;
	struct run_now *now;
	struct peer *peer; /* --peer; NULL on one host */
	/* --count: which of its passes this driver is, and the passes' private directory. */
	enum ipcb_count_pass count_pass;
	const char *count_dir;
	char *count_profiles; /* the counted pass: where callgrind writes the sides' profiles */
	/* The command line, as --db's run records it. */
	int argc;
	char **argv;
};

/*
 * --count (counting.c): the plan run in three passes, each this driver again with the same
 * command line, told its pass by the environment (IPCB_COUNT_NONE: this driver is none of
 * them, it runs them; *dir: their private directory):
 *  1. native (IPCB_COUNT_NATIVE_RUNS runs a point): each side's context switches, and its
 *     kernel objects as the transport set them up;
 *  2. under strace: the bytes each side hands to the kernel and takes from it;
 *  3. under callgrind: each side's instructions and system calls per message, each point
 *     counted again with each side slowed every other message (ipcb_count_check(): the counts
 *     must not move); its rows carry what the first two found (the work signature).
 * The count mode (counting.c) runs them and returns the exit status.
 */
#define IPCB_COUNT_NATIVE_RUNS 5
/* Under the passes' directory: the counted pass's profiles, which it removes as it reads them. */
#define IPCB_COUNT_PROFILES "profiles"
int ipcb_count_check(struct ipcb_run_spec *s, const struct ipcb_run_result *r, struct ipcb_row *row,
		     char *err, size_t errlen);

/* ---- signature.c: what the passes hand each other ---- */

/* In the native and traced passes: their options (no output of the user's; several runs). */
void ipcb_count_pass_setup(struct driver *d);
/* After a run of the native or traced pass: what the next passes need of it. False: failed. */
bool ipcb_count_note(struct driver *d, const struct ipcb_row *row);
/* In the counted pass: did the native pass run transport t (so that it runs here)? */
bool ipcb_count_ran(const struct driver *d, const struct ipcb_transport *t);
/* Between the traced and the counted pass: the trace read into each point's bytes. */
void ipcb_count_trace_read(const char *dir);
/* In the counted pass: the point's signature from the first two passes. */
void ipcb_count_signature(const struct driver *d, const struct ipcb_row *row,
			  struct ipcb_count_sig *sig);

/* A rate sweep is counted as this many steps in the plan until it has run (sweep.c). */
#define SWEEP_GUESS 10
/* The summary sums up a point's first rounds, this many at most: a sample, not an archive. */
#define SUMMARY_ROUNDS 1024

/* ---- plan.c ---- */

int ipcb_plan_probe(const struct ipcb_transport *t, struct ipcb_probe *p);

/* Resolve --transport into what can run here; say why the others cannot. */
int ipcb_plan_transports(struct driver *d);

const char *ipcb_plan_mode_name(enum ipcb_mode m);

/* Does a side send and receive at once, in two threads on its CPU? */
bool ipcb_plan_threaded(const struct shape *sh);

/*
 * The plan's points at every placement (the transports' part, each placement's: transport x
 * size x mode x pairs x requests in flight x rate), and how many runs the rounds make, the
 * floors' included. False when the plan cannot be held (out of memory: said).
 */
bool ipcb_plan_points(struct driver *d);

/*
 * The round's order of the plan's points: a Fisher-Yates shuffle driven by splitmix64 from the
 * seed and the round's number, so the same command gives the same order, every round another.
 */
void ipcb_plan_shuffle(const struct driver *d, size_t *order);

/*
 * --dry-run: the plan a run would measure, and nothing run: each placement with its CPUs and
 * what they share, then the transports, sizes and modes, and how many runs the rounds make.
 */
int ipcb_plan_print(struct driver *d);

/* ---- services.c ---- */

/* The CPU a row's server runs on: --server-cpu, else the receiver's (-1: unpinned). */
int ipcb_services_cpu(const struct driver *d, const struct place *pl);

/*
 * Start the server of every planned transport that has one, once for the whole sweep, or take
 * the one the sweep before held for it (--then: the same transport with the same options); the
 * held servers it does not take are stopped. One that cannot start is skipped, saying why, as a
 * transport that cannot run here is. Returns 0, or -EINTR when a signal asked the driver to
 * stop (d->interrupted).
 */
int ipcb_services_start(struct driver *d);

/* Stop the sweep's servers: all are asked, then each is waited for. */
void ipcb_services_stop(struct driver *d);

/* --then: keep the sweep's servers running for the sweep after it. */
void ipcb_services_hold(struct driver *d);

/* Stop the servers held and not taken (by the next sweep's start, and at the end). */
void ipcb_services_stop_held(void);

/* ---- places.c ---- */

int ipcb_places_first_cpus(int cpus[2]);

/*
 * The machine's shape (lib/topology.h), from hwloc: this machine's, or another's that
 * HWLOC_XMLFILE or HWLOC_SYNTHETIC describes (a plan of another machine, or a test's). Where
 * this machine's cannot be read, every pinned row's cpu_topology is empty and the topology's
 * placements cannot be chosen; a description that cannot be read, or another machine's outside
 * --dry-run, is an error (-EINVAL, err saying which).
 */
int ipcb_places_topology_load(struct driver *d, char *err, size_t errlen);

/*
 * How progress lines, failures and the summary name a placement: a pair the topology chose (a
 * class's, or a matrix cell) with its CPUs, since several share a name. Four at a time.
 */
const char *ipcb_place_text(const struct place *pl);

int ipcb_places_resolve(struct driver *d, char *err, size_t errlen);

/* Check that the placement's CPUs agree on the time, before any one-way row relies on it. */
int ipcb_place_clock_check(struct driver *d, struct place *pl);

/* ---- outputs.c ---- */

/*
 * "cross-core/shm/latency/1M/rtt/run1", with the shape where it is not the default
 * ("cross-core/shm/latency/64/pairs2/inflight8/rate100000/rtt/run1"), and the settings away from
 * the transport's defaults ("cross-core/pipe+write=16384/..."): names a row's histogram in the
 * log and .hgrm files.
 */
void ipcb_outputs_tag(const struct ipcb_row *row, char *out, size_t n, char sep);

/* The row's histogram into the HDR log and the .hgrm directory, when asked for. */
int ipcb_outputs_histogram(struct driver *d, const struct ipcb_row *row);

/*
 * Every output named on the command line, checked before anything is run or created: a usage
 * error leaves no file or directory behind, and an output that cannot be written is refused now
 * rather than after the sweep. One file named for two outputs would have one destroy the other.
 */
int ipcb_outputs_check(const struct driver *d, char *err, size_t errlen);

/* Undo ipcb_outputs_open(), when the sweep does not begin after all. */
void ipcb_outputs_abandon(struct driver *d);

/*
 * Make the outputs. What each does to a file that is already there:
 *  - the CSV is appended to in place (whole rows under a lock); only a torn last line is cut;
 *  - the HDR log is written under a temporary name that replaces the old file only once it
 *    holds an interval (a sweep that measures nothing leaves an existing log as it was);
 *  - .hgrm files are never replaced: the directory must hold none (hgrm_check).
 * So nothing existing is truncated before the run has something to put in its place.
 */
int ipcb_outputs_open(struct driver *d, char *err, size_t errlen);

/* Close every output; false when one of them failed (the message is printed). */
bool ipcb_outputs_close(struct driver *d);

/* ---- rows.c ---- */

void ipcb_rows_progress(struct driver *d, const struct place *pl, const struct ipcb_row *row,
			double rate);

/* The median of a run's histogram that makes no row of its own (a ceiling's, the harness's). */
double ipcb_rows_p50(const struct ipcb_hist *h);
/*
 * The row's latencies: their histogram (NULL: none), and its statistics computed once, here,
 * into the row's summary (lat), which every reader of the row takes them from: its ceiling's
 * ratio, the clock check's bound, the table, the CSV, the JSON, a rate sweep's point.
 */
void ipcb_rows_latencies(struct ipcb_row *row, const struct ipcb_hist *h);

void ipcb_rows_emit(struct driver *d, const struct place *pl, const struct ipcb_row *measured);
/*
 * The sweep's table: its header and its lines in the plan's order (the floors, then each point
 * with its rounds), printed once the sweep ends, however it ends; the lines are freed.
 */
void ipcb_rows_table_flush(struct driver *d);
/*
 * The answers in brief of the sweep's rows, as the report gives them, after its table and
 * summary: through the report's own code (ipcb_driver_answers_set), so every line keeps its rule.
 */
void ipcb_rows_answers(struct driver *d);

/* After a run: print its rows or its failure. Returns false when the sweep must stop. */
bool ipcb_rows_finish(struct driver *d, const struct place *pl, int rc, struct ipcb_row *row,
		      size_t size_index);

/* ---- point.c ---- */

void ipcb_point_spec(struct driver *d, const struct place *pl, size_t size,
		     struct ipcb_run_spec *s);

void ipcb_point_row(const struct driver *d, const struct place *pl, const struct ipcb_run_spec *s,
		    struct ipcb_run_result *r, struct ipcb_row *row);

/* A point's run in the current round. */
bool ipcb_point_run(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		    const struct shape *sh, struct point *pt);

/* ---- floors.c ---- */

/*
 * The floors of one placement, one run each, at the start of a round: cache-line and futex round
 * trips; per size, memcpy, a mailbox round trip, (two CPUs only) the cross-core copy, and the
 * copy cliffs (floor-cliff). The round's rows are read against the round's own floors (x floor): a
 * virtual CPU that shares a core with the other for a while, or a host that is busy, moves the
 * floor as much as the rows.
 * --controls measures only the cache-line round trip and memcpy: the futex round trip measures
 * the kernel's wake-up path, which a kernel or scheduler state can move as much as any
 * transport, and it is the slowest to measure.
 * ceilings: only the copy the plan's rows at this placement are held against (the cross-core
 * copy on two CPUs, memcpy on one, at the plan's sizes, 20 ms each), which a run measures by
 * default (with its probes) so that every row stands beside its ceiling: no rows of their own.
 */
bool ipcb_floors_run(struct driver *d, struct place *pl, bool ceilings);
/*
 * Without --floor, a round still measures its rows' ceilings where it probes the machine: a
 * pinned placement, this host alone, a timed run. Their copies take 20 ms a size.
 */
bool ipcb_ceilings_due(const struct driver *d, const struct place *pl);

/* ---- sweep.c ---- */

/*
 * --rate-sweep for one point in one round: the closed-loop maximum first, then open-loop rates of
 * 1%, 2%, 5%, 10%, 20%, ... of it while the generator keeps its steps (few sends late, the offered
 * rate achieved: ipcb_step_kept), stopping at the first it does not; then the highest rate up to
 * which the tail stayed under the bound, as a line under the rows and as a row of its own
 * (slo_rate). Every round measures its own maximum: rows of the steps say which fraction of it they
 * offered (offered_fraction), which is what rows of other rounds and runs are matched by.
 */
bool ipcb_sweep_run(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		    struct shape *sh);

/* ---- probes.c ---- */

bool ipcb_probes_jumped(double now, double usual);

/* Start the placement's probe threads (pinned placements on this host only). */
void ipcb_probes_start(struct driver *d, struct place *pl);

/* Probe the placement before a run: the cache line, and the wake-up when it is due. */
void ipcb_probes_before(struct place *pl);

/* Probe the cache line again after the run: did the machine change while it ran? */
void ipcb_probes_after(struct place *pl);

/* Stop every placement's probe threads. */
void ipcb_probes_stop(struct driver *d);

/* ---- rounds.c ---- */

/*
 * The rounds: each probes the machine at every placement, measures the floors (--floor), then
 * runs every point of the plan once, in its own shuffled order. False when the sweep must stop
 * (an interrupt, or no memory for the order).
 */
bool ipcb_rounds_run(struct driver *d);

/* ---- summary.c ---- */

/*
 * After several rounds, each point's rounds in a few lines: the median and its distribution-free
 * interval, the spread between rounds, and the modes where the rounds fell into clusters (with
 * the context switches per message and the wake-up probe of each, which often tell them apart).
 * The report says the same of a CSV at length.
 */
void ipcb_summary_print(struct driver *d);

/*
 * --tune: for every point run with a transport's own settings, the best of the settings tried
 * beside it (medians over the rounds), and how much better than the default it was.
 */
void ipcb_summary_tuning(struct driver *d);

/* ---- peer.c ---- */

void ipcb_peer_close(struct driver *d);

/*
 * --peer: reach the peer (starting it with --launch), then settle the receiver's CPU there.
 * 0, or the exit status with err filled; nothing is left running on failure.
 */
int ipcb_peer_open(struct driver *d, char *err, size_t errlen);

#endif
