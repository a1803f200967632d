/* SPDX-License-Identifier: MIT */
/*
 * cmpint.h - what the parts of `ipcbench compare` share: the groups, their values and verdicts,
 * the state of one comparison, and the entry points from one part into another. Private to
 * compare.c (the command), cmpread.c (BASE and NEW into groups), cmpdecide.c (each group's
 * verdict) and cmpprint.c (the outputs); calls go one way only: the command calls the other
 * three, the printers read what the decisions wrote, and reading calls neither.
 */
#ifndef IPCB_CMPINT_H
#define IPCB_CMPINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmpopts.h"
#include "csvschema.h"
#include "experiment.h"
#include "model.h"
#include "ratio.h"
#include "rows.h"
#include "stats.h"
#include "work.h"

struct model;

/* Bounds on what one comparison may hold in memory: 2 x 4 Mi values is 128 MiB at most. */
#define MAX_VALUES_PER_SIDE (4u << 20)
#define MAX_GROUPS	    (64u << 10)

enum verdict {
	V_OK,
	V_IMPROVED,
	V_REGRESSED,
	V_INCONCLUSIVE,
	V_MISSING,
	V_STEADY,  /* a control row: no change beyond its own noise */
	V_CHANGED, /* a control row that moved: the machine changed under the comparison */
	/* more user-space work per message (counted), its throughput not shown to change */
	V_MORE_WORK,
	V_COUNT,
};

/* Their names, as every output writes them (cmpdecide.c). */
extern const char *const cmp_verdict_names[V_COUNT];

/*
 * The columns that name a group in the output (experiment.h has the whole rule of what names
 * one), which every file must have.
 */
enum col {
	COL_TRANSPORT,
	COL_MODE,
	COL_SIZE,
	COL_KIND,
	COL_PLACEMENT,
	COL_SENDER_CPU,
	COL_RECEIVER_CPU,
	COL_WAIT,
	NKEYS,
};

/* The key columns' CSV columns (cmpread.c). */
extern const enum ipcb_csv_column cmp_key_columns[NKEYS];

/* Distinct values of one fingerprint column kept per file; more are counted, not kept. */
#define FINGERPRINT_VALUES 8

/* The values of the fingerprint columns in one file's rows ("" where the file has none). */
struct fingerprint {
	char *value[NFINGERPRINT][FINGERPRINT_VALUES];
	size_t n[NFINGERPRINT];
	bool more[NFINGERPRINT]; /* more distinct values than are kept */
};

/*
 * A row's state mask: its run's flags as the model gives them (model.h's enum model_flag: the
 * machine's state beside it, judged on the whole file, as the report judges it), and STATE_ASIDE
 * where the model set the run aside. 0: nothing flagged.
 */
#define STATE_ASIDE MF_COUNT

/* One side's values of a group, with the round each was measured in and its machine state. */
struct values {
	double *v;
	uint32_t *round; /* the row's round, or its place among the group's rows in that file */
	uint32_t *state; /* its run's flags as bits (STATE_ASIDE among them); 0: none */
	size_t n, cap;
};

#define NOTE_BYTES 1024

struct cmp_group {
	/* Its first row, of BASE's file or NEW's: what the group's name is read from. */
	const struct ipcb_rows *rs;
	size_t row;
	size_t size_bytes;
	bool control; /* a control row (--control): judged on msgs_per_s, for a change at all */
	struct values side[2];
	/*
	 * Each side's rows beside their ceilings (the row's `ceiling`, measured in its own round):
	 * the ceiling as nanoseconds a message (ceil) and the row's share of it as x_floor, each
	 * with its run's state bits as in side[], so that the rounds set aside are left out here
	 * too.
	 */
	struct values ceil[2], xfloor[2];
	/*
	 * A counted group (ipcbench --count rows): each side's work signature (work.h). A timed
	 * group of the same experiment is its twin: it points to the counted group (work), whose
	 * evidence its verdict weighs, and the counted group is then shown through it (twinned).
	 */
	bool counted, twinned;
	struct work_sig work[2];
	struct cmp_group *work_of;
	struct work_change wc;
	enum verdict timed; /* a twin's verdict on its time alone */

	/* decide()'s results */
	enum verdict verdict;
	double median[2], spread[2];
	bool spread_known[2];
	double change;	       /* Hodges-Lehmann NEW / BASE - 1; NAN when undefined */
	double ci_lo, ci_hi;   /* its confidence bounds (each one-sided at the group's alpha) */
	bool tested;	       /* the p-values below were computed */
	double p_worse;	       /* H0 "not worse than the threshold" */
	double p_better;       /* H0 "not better than the threshold" */
	double p_equiv;	       /* the larger of the two one-sided equivalence tests' p */
	struct ipcb_shift hl;  /* in logs */
	size_t repeats_needed; /* per side (--paired: rounds); 0 = no advice */
	double resolution;     /* the smallest worsening the sample could have caught; NAN none */
	struct ipcb_ratio r;   /* the test's sample (lib/ratio.h) */
	size_t npairs;	       /* --paired: the rounds both sides measured */
	char pre[512]; /* what the note says first: rows set aside, rounds without a partner, counts
			*/
	char note[NOTE_BYTES];
};

/* A placement's cache-line probes, beside BASE's rows and NEW's. */
struct probed {
	char *placement;
	struct values cl[2];
};

struct compare {
	struct opts o;
	struct model *model[2];	   /* BASE's and NEW's files, read whole (model.h) */
	struct ipcb_exp_index idx; /* the groups' keys, in the groups' order */
	struct cmp_group **groups; /* in order of first appearance: BASE's order, then NEW's */
	size_t ngroups, groups_cap;
	size_t nvalues[2];
	size_t compared, controls;
	size_t ncounted;  /* counted groups: decided on their counts, outside the tests' families */
	size_t uncounted; /* timed groups of a comparison with counts, with none of their own */
	double alpha_look;    /* the family-wise alpha spent at this look */
	double alpha_each;    /* alpha_look / G: the intervals' level, and Holm's first step */
	double alpha_control; /* alpha_look / controls */
	bool machine_changed;
	size_t
	    ceil_moved; /* groups whose ceiling moved more than the threshold between the files */
	size_t count[V_COUNT];
	struct fingerprint fp[2]; /* BASE's and NEW's machines */
	char machines[1024];	  /* how they differ, "" when they do not */
	size_t set_aside[2];	  /* rows set aside for their machine state, per side */
	size_t filtered[2];	  /* rows --filter left out, per side */
	struct probed *probed;	  /* the cache-line probes beside each side's rows */
	size_t nprobed, probed_cap;
	char state[512]; /* how the two sides' usual states differ, "" when they do not */
	char *base_csv;	 /* --db: BASE's rows, as the history gave them */
	size_t base_len;
	char base_name[1536]; /* --db: what BASE is, for messages */
};

/* ---- cmpread.c: BASE and NEW into groups ---- */

/* A column of the group's first row. */
const char *cmp_gf(const struct cmp_group *g, enum ipcb_csv_column col);

/* The text of bit `bit` of a state mask. */

/* Free what the comparison holds (c itself is the caller's). */
void cmp_fini(struct compare *c);

/* Read side s (0 BASE, 1 NEW) into the groups; err says why not. */
int cmp_read(struct compare *c, int s, char *err, size_t errlen);

/* Link each timed group to its counted twin. */
int cmp_twins_link(struct compare *c);

/* Did BASE and NEW run in different states of the machine? Into c->state; -ENOMEM. */
int cmp_state_compare(struct compare *c);

/* Is the group a line of its own in the outputs? */
bool cmp_shown(const struct cmp_group *g);

/* ---- cmpdecide.c: each group's verdict ---- */

/* "+4.1%", "-inf" */
void cmp_pct_text(double frac, char *out, size_t n);

/* Decide every group, and count the verdicts. */
void cmp_decide(struct compare *c);

/* The exit status the verdicts give (compare.h). */
int cmp_exit(const struct compare *c);

/* ---- cmpprint.c: the outputs ---- */

void cmp_summary_text(const struct compare *c, char *out, size_t n);
void cmp_print_csv(const struct compare *c, FILE *f);
int cmp_print_json(const struct compare *c, FILE *f);
int cmp_print_table(const struct compare *c, FILE *f, bool md);
int cmp_write_undecided(const struct compare *c, const char *path);
void cmp_fingerprint_compare(const struct compare *c, char *out, size_t n);

#endif /* IPCB_CMPINT_H */
