/* SPDX-License-Identifier: MIT */
/*
 * series.h - what the history says about each group: its series of runs (or commits), with
 * their medians and intervals, change points and drift (changepoint.h); and the trend figures.
 *
 * A group is what compare calls one (transport, mode, size, latency kind, placement, CPUs, wait
 * strategy and the run settings: chunk, work, spin polls, fsync, options, pairs, topology, in
 * flight, rate or a sweep's share, arrivals) on one machine fingerprint; a point is one run's
 * rows of the group (or, by commit, every run of one commit): their median and the
 * distribution-free 95 % interval of that median over the rounds (ipcb_median_ci(); [min, max]
 * when too few rounds reach 95 %, and the interval's coverage says so).
 */
#ifndef IPCB_HISTORY_SERIES_H
#define IPCB_HISTORY_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "changepoint.h"
#include "csvschema.h"
#include "db.h"

#define IPCB_HS_MAX_CHANGES 32

struct ipcb_hpoint {
	long long run;	 /* the run (by commit: the first of them) */
	size_t nruns;	 /* runs pooled in it */
	char commit[72]; /* "" when the run has none */
	char started[32];
	size_t n; /* values: the rounds */
	double median, lo, hi;
	double coverage; /* of [lo, hi] */
	double *v;	 /* the values while the series is built */
	size_t cap;
};

struct ipcb_hseries {
	char *key;	/* the fingerprint, then the group's values, \x1f-separated */
	char **val;	/* its values of the settings that name it (lib/expkey.h's plain columns) */
	char name[320]; /* the group for people: "pipe throughput 64K cross-core" */
	char slug[160]; /* the name for files */
	char fp[13];	/* the machine fingerprint */
	char machine[320];
	struct ipcb_hpoint *pt;
	size_t npt, cap;
	/* Rows of the group, and the runs they were in, set aside for the machine's state. */
	size_t aside, aside_runs;
	long long aside_last; /* the run of the last row set aside */
	/* the analysis (ipcb_hseries_analyse) */
	bool analysed; /* false: too few points, or values not above 0 */
	struct ipcb_cp_change cp[IPCB_HS_MAX_CHANGES];
	size_t ncp;
	struct ipcb_cp_drift drift;
};

struct ipcb_hquery {
	enum ipcb_csv_column metric;
	bool lower_better;
	bool by_commit;	     /* a point per commit, not per run */
	const char *machine; /* a fingerprint or its prefix; NULL: every machine */
	const char *group;   /* only groups whose name holds this; NULL: all */
	bool rtt_only;	     /* only rows whose latency kind is rtt */
	size_t last;	     /* only the last points of each series; 0: all */
	struct ipcb_cp_opts cp;
};

struct ipcb_hseries_set {
	struct ipcb_hseries *s;
	size_t n, cap;
	/* Runs whose rows the rule could not judge (none of their rows set aside). */
	size_t unjudged;
	/* Rows set aside in the groups asked for, and the groups (some with no point left). */
	size_t aside_rows, aside_groups;
};

/*
 * Read every series the query asks for, analysed, in the order of their first rows. The rows
 * the report's rule sets aside for the machine's state (ipcb_history_aside_set) are left out,
 * and counted in their series.
 */
int ipcb_hseries_read(struct ipcb_histdb *h, const struct ipcb_hquery *q,
		      struct ipcb_hseries_set *out, char *err, size_t errlen);
void ipcb_hseries_free(struct ipcb_hseries_set *set);
/* What the set left out, for a person: "" where nothing. */
void ipcb_hseries_aside_note(const struct ipcb_hseries_set *set, char *out, size_t n);

/*
 * Draw each series of the set into dir as SLUG.svg (with its data as SLUG.tsv), by one gnuplot
 * process: the medians with their intervals, the change points marked and named by their first
 * run, the drift line of each segment. prefix goes before each file's name ("trend-"). 0, or
 * -errno with err saying what failed (gnuplot's own messages go to stderr).
 */
int ipcb_hseries_plot(const struct ipcb_hseries_set *set, const struct ipcb_hquery *q,
		      const char *dir, const char *prefix, char *err, size_t errlen);

/*
 * The group of a row whose group columns (lib/expkey.h's ipcb_exp_cols[], also what a baseline's
 * rows are matched to NEW's groups on) hold v[0..IPCB_EXP_NCOLS): its experiment's key in the
 * runs' scope. Its length, or -1 when it does not fit in n.
 */
int ipcb_hseries_key(const char *const *v, char *out, size_t n);

#endif /* IPCB_HISTORY_SERIES_H */
