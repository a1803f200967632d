/* SPDX-License-Identifier: MIT */
/*
 * compare.c - `ipcbench compare BASE.csv NEW.csv`, the CI throughput gate; see compare.h.
 *
 * The story of one comparison: read both files as streams (csvread.c), keeping only the metric's
 * values per group; then decide each group in turn (decide()), then print the table. Statistics
 * live in stats.c; this file holds the policy: which groups count, what "worse" means for the
 * metric, the split of alpha over groups and looks, the control rows, and the wording of every
 * verdict.
 *
 * Every verdict is a one-sided test of a shifted hypothesis on the logs of the values:
 * regressed rejects "worse by at most the threshold", improved rejects "better by at most the
 * threshold", ok rejects both "worse by at least" and "better by at least" (two one-sided tests:
 * an equivalence statement). The tests are Mann-Whitney's on the two sides' logs, or with
 * --paired Wilcoxon's signed-rank test on the per-round differences log NEW - log BASE of the
 * rounds both sides measured: a round's machine state moves both of its values, and the
 * difference cancels it.
 *
 * Regressed and improved are each one family over the groups, decided by Holm's procedure at the
 * share of alpha this look spends (ipcb_alpha_share()): their false alarms multiply with the
 * groups. Ok is decided group by group at that whole share: the gate passes only when every
 * group is ok (or improved), which is an intersection-union test (Berger 1982). If any group
 * really changed by the threshold or more, a wrong pass needs that group to be called ok, which
 * happens with probability at most alpha; a Holm correction over the ok verdicts would only cost
 * power. At most one verdict can reject a group: for alpha < 1/2, the two tests at one shift
 * have p_less + p_greater >= 1, and the test at 1 - threshold cannot find NEW low while the one
 * at 1 + threshold finds it high. A group that none of them decides is inconclusive, and its
 * note gives the Hodges-Lehmann estimate of the change with the interval those tests imply.
 *
 * Rows whose state column flags the machine (a probe that jumped, a floor below its usual) are
 * set aside while a group keeps at least half of its rows on that side; the note says so.
 */
#include "compare.h"
#include "cmpopts.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "csvschema.h"
#include "experiment.h"
#include "format.h"
#include "histsrc.h"
#include "json.h"
#include "ratio.h"
#include "rows.h"
#include "stats.h"
#include "parse.h"
#include "work.h"

/* Bounds on what one comparison may hold in memory: 2 x 4 Mi values is 128 MiB at most. */
#define MAX_VALUES_PER_SIDE (4u << 20)
#define MAX_GROUPS	    (64u << 10)

static const char prog[] = "ipcbench compare";

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

static const char *const verdict_names[V_COUNT] = {
    "ok", "improved", "regressed", "inconclusive", "missing", "steady", "changed", "more-work",
};

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

static const enum ipcb_csv_column key_columns[NKEYS] = {
    [COL_TRANSPORT] = IPCB_COL_TRANSPORT,	[COL_MODE] = IPCB_COL_MODE,
    [COL_SIZE] = IPCB_COL_SIZE_BYTES,		[COL_KIND] = IPCB_COL_LATENCY_KIND,
    [COL_PLACEMENT] = IPCB_COL_PLACEMENT,	[COL_SENDER_CPU] = IPCB_COL_SENDER_CPU,
    [COL_RECEIVER_CPU] = IPCB_COL_RECEIVER_CPU, [COL_WAIT] = IPCB_COL_WAIT,
};

/* Distinct values of one fingerprint column kept per file; more are counted, not kept. */
#define FINGERPRINT_VALUES 8

/* The values of the fingerprint columns in one file's rows ("" where the file has none). */
struct fingerprint {
	char *value[NFINGERPRINT][FINGERPRINT_VALUES];
	size_t n[NFINGERPRINT];
	bool more[NFINGERPRINT]; /* more distinct values than are kept */
};

/*
 * The flags of the state column (';'-separated) are kept as bits of a row's state mask: one per
 * distinct flag for the first MAX_STATES, the last bit for any other. 0: nothing flagged.
 */
#define MAX_STATES  31
#define STATE_OTHER MAX_STATES
#define STATE_BYTES 40

/* One side's values of a group, with the round each was measured in and its machine state. */
struct values {
	double *v;
	uint32_t *round; /* the row's round, or its place among the group's rows in that file */
	uint32_t *state; /* the flags of its state column as bits (see state_mask()); 0: none */
	size_t n, cap;
};

#define NOTE_BYTES 1024

struct group {
	/* Its first row, of BASE's file or NEW's: what the group's name is read from. */
	const struct ipcb_rows *rs;
	size_t row;
	size_t size_bytes;
	bool control; /* a control row (--control): judged on msgs_per_s, for a change at all */
	struct values side[2];
	/*
	 * A counted group (ipcbench --count rows): each side's work signature (work.h). A timed
	 * group of the same experiment is its twin: it points to the counted group (work), whose
	 * evidence its verdict weighs, and the counted group is then shown through it (twinned).
	 */
	bool counted, twinned;
	struct work_sig work[2];
	struct group *work_of;
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
	struct ipcb_rows rows[2]; /* BASE's and NEW's, read whole */
	struct experiments idx;	  /* the groups' keys, in the groups' order */
	struct group **groups;	  /* in order of first appearance: BASE's order, then NEW's */
	size_t ngroups, groups_cap;
	size_t nvalues[2];
	size_t compared, controls;
	size_t ncounted;  /* counted groups: decided on their counts, outside the tests' families */
	size_t uncounted; /* timed groups of a comparison with counts, with none of their own */
	double alpha_look;    /* the family-wise alpha spent at this look */
	double alpha_each;    /* alpha_look / G: the intervals' level, and Holm's first step */
	double alpha_control; /* alpha_look / controls */
	bool machine_changed;
	size_t count[V_COUNT];
	struct fingerprint fp[2];	      /* BASE's and NEW's machines */
	char machines[1024];		      /* how they differ, "" when they do not */
	char states[MAX_STATES][STATE_BYTES]; /* the state texts seen, for the notes */
	size_t nstates;
	size_t set_aside[2];   /* rows set aside for their machine state, per side */
	struct probed *probed; /* the cache-line probes beside each side's rows */
	size_t nprobed, probed_cap;
	char state[512]; /* how the two sides' usual states differ, "" when they do not */
	char *base_csv;	 /* --db: BASE's rows, as the history gave them */
	size_t base_len;
	char base_name[1536]; /* --db: what BASE is, for messages */
};

/* ---- options ---- */

#define STR_(x) #x
#define STR(x)	STR_(x)

/*
 * The help. Column names come from the CSV table (csvschema.h), in the order they appear here:
 * a renamed column renames itself in the help too.
 */
static void compare_usage(FILE *f)
{
	/* clang-format off */
	fprintf(f,
    "Usage: ipcbench compare [OPTIONS] BASE.csv NEW.csv\n"
    "       ipcbench compare [OPTIONS] --db DB [--baseline SPEC] NEW.csv\n"
    "Decide, group by group, whether NEW is worse than BASE by more than a threshold:\n"
    "the CI throughput gate. Both files are ipcbench --csv output (or --json output:\n"
    "Google Benchmark's JSON) with several repeats per group (--repeat R, or one run\n"
    "per round appended by scripts/ab-gate). A warning says when their machines differ.\n"
    "\n"
    "Rows are grouped by %s, %s, size, %s, %s, %s,\n"
    "%s, %s and the run settings (a rate sweep's steps by %s,\n"
    "not by the absolute rate). Rows whose metric is empty are left out.\n"
    "Each group is tested on the logs of its values with one-sided Mann-Whitney tests\n"
    "of shifted hypotheses (NEW against BASE x (1 - threshold) and BASE x (1 +\n"
    "threshold)), or with --paired, signed-rank tests of the per-round log ratios:\n"
    "  regressed     NEW is worse than BASE by more than the threshold\n"
    "  improved      NEW is better than BASE by more than the threshold\n"
    "  ok            the change lies within +-threshold (two one-sided tests)\n"
    "  inconclusive  none of these: the note says which way it leans and by how much\n"
    "  missing       the group is only in NEW\n"
    "  more-work     NEW does more user-space work per message (counted: instructions\n"
    "                or system calls beyond the threshold) and its time was not shown\n"
    "                to change (or was not measured)\n"
    "Counted rows (ipcbench --count) are each point's work signature: instructions\n"
    "and system calls per message, bytes through the kernel, kernel objects and\n"
    "context switches. Where a point's signature is complete and unchanged its work\n"
    "is the same: ok, with no timing needed (or where the time could not decide).\n"
    "Where any part moved, the time decides the verdict, the change in work beside it\n"
    "in the note; a point with counts and no times is inconclusive (more-work if its\n"
    "user-space work grew).\n"
    "Regressed and improved are each one family, decided by Holm's procedure over the\n"
    "G groups compared at the alpha this look spends; ok is decided group by group at\n"
    "that alpha: the gate passes only when every group is ok, so a wrong pass needs\n"
    "the group that really changed to be called ok (an intersection-union test).\n"
    "A group with values in BASE and none (or only zeros) in NEW is regressed: it\n"
    "collapsed (a rate sweep's outcome at 0 is a value: the bound held at no rate).\n"
    "Rows with a %s flag (the machine was not in its usual state) are\n"
    "set aside while the group keeps at least half of its rows on that side, else\n"
    "kept; the note says which. p-values are exact (permutation distribution,\n"
    "mid-ranks for ties) when both sides hold at most " STR(IPCB_MW_EXACT_MAX_N) " values together\n"
    "(--paired: at most " STR(IPCB_SR_EXACT_MAX_N) " pairs), else normal with tie and continuity\n"
    "corrections. The change column is the Hodges-Lehmann estimate of NEW / BASE - 1;\n"
    "the interval is the one the same tests imply at the level the group was decided\n"
    "at (Holm's step for regressed or improved, the look's alpha for ok).\n",
	    ipcb_csv_name(key_columns[COL_TRANSPORT]), ipcb_csv_name(key_columns[COL_MODE]),
	    ipcb_csv_name(key_columns[COL_KIND]), ipcb_csv_name(key_columns[COL_PLACEMENT]),
	    ipcb_csv_name(key_columns[COL_SENDER_CPU]),
	    ipcb_csv_name(key_columns[COL_RECEIVER_CPU]), ipcb_csv_name(key_columns[COL_WAIT]),
	    ipcb_csv_name(IPCB_COL_OFFERED_FRACTION), ipcb_csv_name(IPCB_COL_STATE));
	ipcb_cli_help(f, cmp_opts_rows, 6, 25);
	fprintf(f,
    "\n"
    "Exit status: 0 every group ok or improved, 1 at least one regressed, 2 usage error\n"
    "or malformed input (the message names the file, line and column), or under\n"
    "--same-machine files from different machines, 3 nothing regressed but some group\n"
    "inconclusive or missing, 4 a control row changed: the machine changed under the\n"
    "comparison, nothing is blamed on NEW (run it again), 5 nothing regressed but\n"
    "some group more-work. With --db: 2 also for a\n"
    "history that cannot be read or a --baseline COMMIT it does not hold, 3 also when\n"
    "it holds no baseline yet (a first run: nothing to regress against).\n"
    "\n"
    "Example: ipcbench compare --threshold 3%% base.csv new.csv\n");
	/* clang-format on */
}

/* ---- groups ---- */

/* The group of a key, made if new with row i of rs as the first of its rows. */
static int group_find(struct compare *c, const char *key, const struct ipcb_rows *rs, size_t i,
		      size_t size_bytes, struct group **out)
{
	struct group *g;
	size_t at;
	bool fresh;

	if (experiments_find(&c->idx, key, &at, &fresh) < 0)
		return -ENOMEM;
	if (!fresh) {
		*out = c->groups[at];
		return 0;
	}
	if (c->ngroups >= MAX_GROUPS)
		return -E2BIG;
	if (c->ngroups == c->groups_cap) {
		size_t cap = c->groups_cap ? c->groups_cap * 2 : 64;
		struct group **gs = realloc(c->groups, cap * sizeof(*gs));

		if (!gs)
			return -ENOMEM;
		c->groups = gs;
		c->groups_cap = cap;
	}
	if (!(g = calloc(1, sizeof(*g))))
		return -ENOMEM;
	g->rs = rs;
	g->row = i;
	g->size_bytes = size_bytes;
	c->groups[c->ngroups++] = g;
	*out = g;
	return 0;
}

/* A column of the group's first row. */
static const char *gf(const struct group *g, enum ipcb_csv_column col)
{
	return ipcb_rows_get(g->rs, g->row, col);
}

static int values_add(struct values *v, double x, uint32_t round, uint32_t state)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		double *nv = realloc(v->v, cap * sizeof(*nv));
		uint32_t *nr;
		uint32_t *ns;

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		nr = realloc(v->round, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		v->round = nr;
		ns = realloc(v->state, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		v->state = ns;
		v->cap = cap;
	}
	v->v[v->n] = x;
	v->round[v->n] = round;
	v->state[v->n++] = state;
	return 0;
}

static void values_fini(struct values *v)
{
	free(v->v);
	free(v->round);
	free(v->state);
}

static void fingerprint_fini(struct fingerprint *fp);

static void compare_fini(struct compare *c)
{
	fingerprint_fini(&c->fp[0]);
	fingerprint_fini(&c->fp[1]);
	for (size_t i = 0; i < c->nprobed; i++) {
		free(c->probed[i].placement);
		values_fini(&c->probed[i].cl[0]);
		values_fini(&c->probed[i].cl[1]);
	}
	free(c->probed);
	for (size_t g = 0; g < c->ngroups; g++) {
		values_fini(&c->groups[g]->side[0]);
		values_fini(&c->groups[g]->side[1]);
		ipcb_ratio_fini(&c->groups[g]->r);
		free(c->groups[g]);
	}
	free(c->groups);
	experiments_free(&c->idx);
	ipcb_rows_free(&c->rows[0]);
	ipcb_rows_free(&c->rows[1]);
	free(c->base_csv);
}

/* ---- reading ---- */

/* A plain decimal number as our CSV writes it: no spaces, hex, inf or nan. */
static bool number_parse(const char *s, double *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*out);
}

static bool count_parse(const char *s, unsigned long long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}

/*
 * A row's state flags as a mask, for the notes: bit i for the i-th distinct flag seen, bit
 * STATE_OTHER for any beyond those. A flag is kept only in a form that cannot break a table, a
 * Markdown cell or a CSV field: letters, digits and "-_.:+", anything else as '?', at most
 * STATE_BYTES - 1 characters.
 */
static uint32_t state_mask(struct compare *c, const char *text)
{
	uint32_t mask = 0;

	while (*text) {
		size_t n = strcspn(text, ";"), len = 0, i;
		char clean[STATE_BYTES];

		for (i = 0; i < n && len + 1 < sizeof(clean); i++) {
			char ch = text[i];
			bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				     (ch >= '0' && ch <= '9') || strchr("-_.:+", ch);

			clean[len++] = plain ? ch : '?';
		}
		clean[len] = '\0';
		text += n + (text[n] == ';');
		if (!len)
			continue;
		for (i = 0; i < c->nstates && strcmp(c->states[i], clean) != 0; i++)
			;
		if (i == c->nstates && c->nstates < MAX_STATES)
			memcpy(c->states[c->nstates++], clean, len + 1);
		mask |= 1u << (i < c->nstates ? i : STATE_OTHER);
	}
	return mask;
}

static const char *state_text(const struct compare *c, unsigned bit)
{
	return bit == STATE_OTHER ? "other" : c->states[bit];
}

static bool is_control(const struct opts *o, const char *transport)
{
	for (size_t i = 0; i < o->ncontrols; i++)
		if (strcmp(o->controls[i], transport) == 0)
			return true;
	return false;
}

/* Note the fingerprint columns of record i. */
static int fingerprint_note(struct fingerprint *fp, const struct ipcb_rows *rs, size_t i)
{
	for (size_t k = 0; k < NFINGERPRINT; k++) {
		const char *v = ipcb_rows_get(rs, i, cmp_fingerprint_columns[k]);
		bool known = false;

		for (size_t j = 0; j < fp->n[k] && !known; j++)
			known = strcmp(fp->value[k][j], v) == 0;
		if (known)
			continue;
		if (fp->n[k] == FINGERPRINT_VALUES) {
			fp->more[k] = true;
			continue;
		}
		fp->value[k][fp->n[k]] = strdup(v);
		if (!fp->value[k][fp->n[k]])
			return -ENOMEM;
		fp->n[k]++;
	}
	return 0;
}

/*
 * Keep the row's cache-line probe under its placement: the machine's state beside it. A value
 * that is not a positive number is not a probe (the columns' checks are the rows' own).
 */
static int probe_note(struct compare *c, int s, const struct ipcb_rows *rs, size_t row)
{
	const char *pl = ipcb_rows_get(rs, row, IPCB_COL_PLACEMENT);
	const char *v = ipcb_rows_get(rs, row, IPCB_COL_PROBE_CACHELINE_NS);
	double x;
	size_t i;

	if (!*v || !number_parse(v, &x) || !(x > 0) || !isfinite(x))
		return 0;
	for (i = 0; i < c->nprobed && strcmp(c->probed[i].placement, pl) != 0; i++)
		;
	if (i == c->nprobed) {
		if (c->nprobed == c->probed_cap) {
			size_t cap = c->probed_cap ? 2 * c->probed_cap : 4;
			struct probed *p = realloc(c->probed, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			c->probed = p;
			c->probed_cap = cap;
		}
		memset(&c->probed[i], 0, sizeof(c->probed[i]));
		if (!(c->probed[i].placement = strdup(pl)))
			return -ENOMEM;
		c->nprobed++;
	}
	/* A few thousand are plenty for a median; more are not kept. */
	if (c->probed[i].cl[s].n >= 65536)
		return 0;
	return values_add(&c->probed[i].cl[s], x, 0, 0);
}

/*
 * Were BASE and NEW measured in the same state of the machine? A placement's cache-line probes
 * of both files together are split into states as the report splits one file's (two clusters
 * found in the probes themselves, stats.h): where the two files' usual probes (the medians
 * beside their rows) fall on either side of the split, they are in different states. Two
 * virtual CPUs on one core in one file and on two in the other move every row as much as a
 * change of code can. Writes what differs into c->state, "" when nothing does; -ENOMEM.
 */
static int state_compare(struct compare *c)
{
	size_t len = 0;
	int rc = 0;

	c->state[0] = '\0';
	for (size_t i = 0; i < c->nprobed && !rc; i++) {
		struct values *cl = c->probed[i].cl;
		double m[2], *all;
		struct ipcb_states st;

		if (!cl[0].n || !cl[1].n || ipcb_stats_median(cl[0].v, cl[0].n, &m[0]) < 0 ||
		    ipcb_stats_median(cl[1].v, cl[1].n, &m[1]) < 0)
			continue;
		if (!(all = malloc((cl[0].n + cl[1].n) * sizeof(*all))))
			return -ENOMEM;
		memcpy(all, cl[0].v, cl[0].n * sizeof(*all));
		memcpy(all + cl[0].n, cl[1].v, cl[1].n * sizeof(*all));
		rc = ipcb_states_find(all, cl[0].n + cl[1].n, &st);
		free(all);
		if (rc || st.n < 2 || (m[0] < st.threshold) == (m[1] < st.threshold))
			continue;
		if (len < sizeof(c->state))
			len += (size_t)snprintf(c->state + len, sizeof(c->state) - len,
						"%s%s cache-line probe %.0f ns in BASE, %.0f ns in "
						"NEW (two states, split at %.0f ns)",
						len ? "; " : "", c->probed[i].placement, m[0], m[1],
						st.threshold);
	}
	return rc == -ENOMEM ? rc : 0;
}

static void fingerprint_fini(struct fingerprint *fp)
{
	for (size_t k = 0; k < NFINGERPRINT; k++)
		for (size_t i = 0; i < fp->n[k]; i++)
			free(fp->value[k][i]);
}

/*
 * Row i's group key into *key (growing): the experiment it measured (experiment.h), and its
 * latency kind, a measure of its own; its size in *size. The named columns are checked first.
 */
static int row_key(const struct ipcb_rows *rs, size_t i, char **key, size_t *cap,
		   unsigned long long *size, char *err, size_t errlen)
{
	unsigned long line = ipcb_rows_line(rs, i);
	const char *fraction = ipcb_rows_get(rs, i, IPCB_COL_OFFERED_FRACTION);
	const char *kind = ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND);
	size_t len, need;
	double share;

	for (int k = 0; k < NKEYS; k++) {
		const char *fv = ipcb_rows_get(rs, i, key_columns[k]);
		unsigned long long cpu;

		if ((k == COL_SIZE && !count_parse(fv, size)) ||
		    ((k == COL_SENDER_CPU || k == COL_RECEIVER_CPU) && *fv &&
		     (!count_parse(fv, &cpu) || cpu > INT32_MAX)))
			return ipcb_parse_fail(err, errlen,
					       "%s:%lu: column %s: '%s' is not a number", rs->name,
					       line, ipcb_csv_name(key_columns[k]), fv);
		if ((k == COL_TRANSPORT || k == COL_MODE) && !*fv)
			return ipcb_parse_fail(err, errlen, "%s:%lu: column %s: empty", rs->name,
					       line, ipcb_csv_name(key_columns[k]));
	}
	if (*fraction && (!number_parse(fraction, &share) || !(share > 0)))
		return ipcb_parse_fail(err, errlen,
				       "%s:%lu: column %s: '%s' is not a positive number", rs->name,
				       line, ipcb_csv_name(IPCB_COL_OFFERED_FRACTION), fraction);
	if (experiment_key(rs, i, EXP_TWO_FILES, key, cap) < 0)
		return ipcb_parse_fail(err, errlen, "%s:%lu: out of memory", rs->name, line);
	len = strlen(*key);
	need = len + strlen(kind) + 2;
	if (need > *cap) {
		char *k = realloc(*key, need);

		if (!k)
			return ipcb_parse_fail(err, errlen, "%s:%lu: out of memory", rs->name,
					       line);
		*key = k;
		*cap = need;
	}
	snprintf(*key + len, *cap - len, "\x1f%s", kind);
	return 0;
}

/*
 * Read one file's rows (lib/rows.h: a CSV or its JSON, read whole) into side s of the groups.
 * Not inlined: its frame is gone before the comparison is written, whose own frames then have
 * the stack to themselves.
 */
__attribute__((noinline)) static int compare_read(struct compare *c, int s, char *err,
						  size_t errlen)
{
	struct ipcb_rows *rs = &c->rows[s];
	char *key = NULL;
	size_t key_cap = 0;
	int rc;

	rc = s == 0 && c->base_csv
		 ? ipcb_rows_read_buffer(rs, c->o.path[s], c->base_csv, c->base_len, err, errlen)
		 : ipcb_rows_read(rs, c->o.path[s], err, errlen);
	if (rc < 0)
		return rc;
	for (int k = 0; k <= NKEYS; k++) {
		enum ipcb_csv_column col = k < NKEYS ? key_columns[k] : c->o.metric->column;

		if (!rs->has[col]) {
			rc = ipcb_parse_fail(
			    err, errlen,
			    "%s:1: missing required column '%s' (is this an ipcbench --csv "
			    "file?)",
			    rs->name, ipcb_csv_name(col));
			goto out;
		}
	}
	if (c->o.ncontrols && !rs->has[cmp_control_metric.column]) {
		rc = ipcb_parse_fail(
		    err, errlen, "%s:1: missing column '%s', which --control rows are judged on",
		    rs->name, ipcb_csv_name(cmp_control_metric.column));
		goto out;
	}
	if (rs->n == 0) {
		rc = rs->json
			 ? ipcb_parse_fail(
			       err, errlen,
			       "%s: no benchmarks in its \"benchmarks\" array (did the run "
			       "fail?)",
			       rs->name)
			 : ipcb_parse_fail(
			       err, errlen,
			       "%s:2: no data rows after the header (did the run fail?)", rs->name);
		goto out;
	}
	for (size_t i = 0; i < rs->n; i++) {
		unsigned long line = ipcb_rows_line(rs, i);
		const char *transport = ipcb_rows_get(rs, i, IPCB_COL_TRANSPORT);
		bool control = is_control(&c->o, transport);
		enum ipcb_csv_column metric = control ? cmp_control_metric.column : c->o.metric->column;
		const char *v = ipcb_rows_get(rs, i, IPCB_COL_ROUND), *st;
		unsigned long long size = 0, round = 0;
		struct group *g;
		bool counted;
		double x = NAN;

		/* A pair of hosts' own row says what ran, not what it measured. */
		if (!strcmp(ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND), "host_pair"))
			continue;
		if (fingerprint_note(&c->fp[s], rs, i) < 0 || probe_note(c, s, rs, i) < 0) {
			rc = ipcb_parse_fail(err, errlen, "%s:%lu: out of memory", rs->name, line);
			goto out;
		}
		counted = !strcmp(ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND), "count");
		rc = counted ? 0 : ipcb_rows_num(rs, i, metric, true, &x, err, errlen);
		if (rc < 0)
			goto out;
		if (!counted && isnan(x))
			continue; /* not measured in this row: not part of this comparison */
		rc = row_key(rs, i, &key, &key_cap, &size, err, errlen);
		if (rc < 0)
			goto out;
		if (*v && (!count_parse(v, &round) || round > UINT32_MAX)) {
			rc = ipcb_parse_fail(err, errlen,
					     "%s:%lu: column %s: '%s' is not a round number",
					     rs->name, line, ipcb_csv_name(IPCB_COL_ROUND), v);
			goto out;
		}
		if (c->nvalues[s] >= MAX_VALUES_PER_SIDE) {
			rc = ipcb_parse_fail(
			    err, errlen,
			    "%s:%lu: more than %u values of %s: too many to hold (split "
			    "the file)",
			    rs->name, line, MAX_VALUES_PER_SIDE, ipcb_csv_name(metric));
			goto out;
		}
		rc = group_find(c, key, rs, i, (size_t)size, &g);
		if (rc == -E2BIG) {
			rc = ipcb_parse_fail(err, errlen,
					     "%s:%lu: more than %u groups: too many to hold",
					     rs->name, line, MAX_GROUPS);
			goto out;
		}
		if (rc == 0 && counted) {
			g->counted = true;
			rc = work_sig_add(&g->work[s], rs, i, err, errlen);
			if (rc < 0)
				goto out;
			continue;
		}
		if (rc == 0) {
			struct values *vs = &g->side[s];

			st = ipcb_rows_get(rs, i, IPCB_COL_STATE);
			g->control = control;
			/* Without a round, a row is a round of its own: the next of its group's. */
			rc = values_add(vs, x, *v ? (uint32_t)round : (uint32_t)(vs->n + 1),
					state_mask(c, st));
		}
		if (rc < 0) {
			rc = ipcb_parse_fail(err, errlen, "%s:%lu: out of memory", rs->name, line);
			goto out;
		}
		c->nvalues[s]++;
	}
out:
	free(key);
	return rc < 0 ? rc : 0;
}

/*
 * Each timed group's counted group, where the files have one of its experiment (the same key
 * but for the latency kind, which a counted row has as `count`): the timed group's verdict
 * weighs its work, and the counted group is shown through it.
 */
static int twins_link(struct compare *c)
{
	for (size_t j = 0; j < c->ngroups; j++) {
		const char *ck = c->idx.key[j], *cu = strrchr(ck, '\x1f');

		if (!c->groups[j]->counted || !cu)
			continue;
		for (size_t i = 0; i < c->ngroups; i++) {
			struct group *g = c->groups[i];
			const char *k = c->idx.key[i], *u = strrchr(k, '\x1f');

			if (g->counted || g->control || !u || u - k != cu - ck ||
			    strncmp(k, ck, (size_t)(u - k)))
				continue;
			g->work_of = c->groups[j];
			c->groups[j]->twinned = true;
		}
	}
	return 0;
}

/* Is the group a line of its own in the outputs (a twinned counted group is shown in its
 * twin's)? */
static bool shown(const struct group *g)
{
	return !g->twinned;
}

/* ---- deciding ---- */

/* Planning answers above this are not worth printing: nobody runs that many repeats. */
#define REPEATS_ADVICE_CAP 100000

/* How far below every positive value a 0 counts, in log units: e^-50, "collapsed". */
#define ZERO_LOG_GAP 50

static const char *const side_names[2] = {"BASE", "NEW"};

static void pct_text(double frac, char *out, size_t n)
{
	if (isinf(frac))
		snprintf(out, n, "%sinf", frac < 0 ? "-" : "+");
	else
		snprintf(out, n, "%+.*f%%", fabs(frac) < 1 ? 1 : 0, frac * 100);
}

/* "-4.1% [-7.9%, -0.3%]" */
static void change_text(const struct group *g, char *out, size_t n)
{
	char e[16], lo[16], hi[16];

	pct_text(g->change, e, sizeof(e));
	pct_text(g->ci_lo, lo, sizeof(lo));
	pct_text(g->ci_hi, hi, sizeof(hi));
	snprintf(out, n, "%s [%s, %s]", e, lo, hi);
}

/* Append to a note's first part, "; " between the parts. */
__attribute__((format(printf, 2, 3))) static void pre_add(struct group *g, const char *fmt, ...)
{
	size_t len = strlen(g->pre);
	va_list ap;

	if (len && len + 2 < sizeof(g->pre)) {
		memcpy(g->pre + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(g->pre + len, sizeof(g->pre) - len, fmt, ap);
	va_end(ap);
}

/*
 * Rows whose state column flags the machine (it was not in its usual state: a probe that
 * jumped, a floor below its usual) say more about the machine than about the code. They are set
 * aside while the side keeps at least half of its rows, so that a few disturbed rounds do not
 * decide a group; when more are flagged, setting them aside would leave a sample chosen by the
 * machine, so all are kept. Either way the note says so: nothing is left out silently.
 */
static void set_aside(struct compare *c, struct group *g)
{
	for (int s = 0; s < 2; s++) {
		struct values *v = &g->side[s];
		uint32_t seen = 0;
		char why[160] = "";
		size_t k = 0, len = 0, kept = 0;

		for (size_t i = 0; i < v->n; i++) {
			k += v->state[i] != 0;
			seen |= v->state[i];
		}
		if (!k)
			continue;
		for (unsigned bit = 0; bit <= STATE_OTHER && len < sizeof(why); bit++)
			if (seen & (1u << bit))
				len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
							len ? ", " : "", state_text(c, bit));
		if (2 * (v->n - k) < v->n) {
			pre_add(g, "machine state flagged in %zu of %zu %s rounds (%s): all kept",
				k, v->n, side_names[s], why);
			continue;
		}
		pre_add(g, "%zu of %zu %s rounds set aside: %s", k, v->n, side_names[s], why);
		for (size_t i = 0; i < v->n; i++) {
			if (v->state[i])
				continue;
			v->v[kept] = v->v[i];
			v->round[kept] = v->round[i];
			v->state[kept++] = 0;
		}
		v->n = kept;
		c->set_aside[s] += k;
	}
}

/*
 * The group's change NEW / BASE in logs at alpha into g->r and g->hl: the rank method of
 * lib/ratio.h, Wilcoxon's signed-rank test of the per-round log ratios with --paired, else
 * Mann-Whitney's of the two sides' logs, with the Hodges-Lehmann estimate and its bounds. A 0
 * (nothing moved in that run) has no log: it counts as ZERO_LOG_GAP below the smallest positive
 * value of the group, so it ranks below every real value, as it should. The first call notes
 * what did not pair. 0; -EDOM when every value is 0; -ENOENT with --paired when no round is in
 * both; else -errno.
 */
static int group_ratio(struct group *g, bool paired, double alpha, bool first)
{
	double low = INFINITY, *v[2];
	int rc = 0;

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < g->side[s].n; i++)
			if (g->side[s].v[i] > 0 && g->side[s].v[i] < low)
				low = g->side[s].v[i];
	if (isinf(low))
		return -EDOM;
	v[0] = malloc((g->side[0].n + 1) * sizeof(double));
	v[1] = malloc((g->side[1].n + 1) * sizeof(double));
	for (int s = 0; s < 2 && v[0] && v[1]; s++)
		for (size_t i = 0; i < g->side[s].n; i++)
			v[s][i] = g->side[s].v[i] > 0 ? g->side[s].v[i] : low * exp(-ZERO_LOG_GAP);
	ipcb_ratio_fini(&g->r);
	rc = !v[0] || !v[1] ? -ENOMEM
			    : ipcb_ratio_make(&g->r, IPCB_RATIO_RANK,
					      paired ? IPCB_RATIO_PAIRED : IPCB_RATIO_UNPAIRED,
					      v[1], g->side[1].round, g->side[1].n, v[0],
					      g->side[0].round, g->side[0].n, alpha);
	free(v[0]);
	free(v[1]);
	g->npairs = g->r.npairs;
	if (first && paired && g->r.alone)
		pre_add(g, "%zu pairs: %zu round%s on one side only left out", g->r.npairs,
			g->r.alone, g->r.alone == 1 ? "" : "s");
	if (first && paired && g->r.several)
		pre_add(g, "%zu round%s with several rows a side: their median", g->r.several,
			g->r.several == 1 ? "" : "s");
	if (paired && !g->r.npairs)
		return -ENOENT;
	if (rc < 0)
		return rc;
	g->hl = (struct ipcb_shift){
	    .est = g->r.est, .lo = g->r.lo, .hi = g->r.hi, .crit = isfinite(g->r.lo) ? 0 : -1};
	return 0;
}

/*
 * The one-sided tests of the change against `shift` (in logs): p_less small when the change is
 * below it, p_greater when above.
 */
static int group_test(const struct group *g, double shift, double *p_less, double *p_greater)
{
	return ipcb_ratio_p(&g->r, shift, p_greater, p_less);
}

/* Can any outcome of the group's tests have a p below alpha? (Not with too few repeats.) */
static bool group_too_few(const struct compare *c, const struct group *g, double alpha)
{
	if (c->o.paired)
		return !(ipcb_sr_min_p(g->npairs) < alpha);
	return !(ipcb_mw_min_p(g->side[0].n, g->side[1].n) < alpha);
}

/* The fewest repeats a side (--paired: pairs) with which a p below alpha is possible at all. */
static size_t repeats_possible(const struct compare *c, double alpha)
{
	size_t k = 1;

	if (!c->o.paired)
		return ipcb_mw_repeats_possible(alpha);
	while (k < REPEATS_ADVICE_CAP && !(ipcb_sr_min_p(k) < alpha))
		k++;
	return k;
}

static bool all_zero(const struct values *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] != 0)
			return false;
	return true;
}

/*
 * Repeats per side (--paired: pairs) at which the interval would decide the group, if its width
 * shrinks like 1/sqrt(repeats) and the estimate stays where it is: the interval must fit between
 * the estimate and the nearest boundary (a threshold it lies inside of, or the one it lies
 * beyond). 0 = no advice (the estimate sits on a boundary, or the interval is unbounded).
 */
static size_t repeats_advice(const struct compare *c, const struct group *g,
			     const struct ipcb_shift *hl, double lo_b, double hi_b)
{
	double half = (hl->hi - hl->lo) / 2, room, k, now;

	if (!isfinite(half))
		return 0;
	if (hl->est <= lo_b)
		room = lo_b - hl->est;
	else if (hl->est >= hi_b)
		room = hl->est - hi_b;
	else
		room = fmin(hl->est - lo_b, hi_b - hl->est);
	if (!(room > 0))
		return 0;
	now = c->o.paired ? (double)g->npairs : (double)(g->side[0].n + g->side[1].n) / 2;
	k = ceil(now * (half / room) * (half / room));
	return k > REPEATS_ADVICE_CAP ? 0 : (size_t)k;
}

/* A control row: did it move at all between BASE and NEW, beyond its own noise (two-sided)? */
static void decide_control(const struct compare *c, struct group *g)
{
	double p_less, p_greater, unused;
	char ch[64];
	int rc;

	g->verdict = V_STEADY;
	rc = group_ratio(g, c->o.paired, c->alpha_control / 2, true);
	if (rc == -ENOENT) {
		snprintf(g->note, sizeof(g->note), "control: no round in both BASE and NEW");
		return;
	}
	/*
	 * A control moved when it is shown to have moved by more than half the threshold either
	 * way: paired by round, the tests see a shift of a per cent or two between the A and B
	 * slots, which changes no verdict a gate at that threshold gives.
	 */
	if (rc < 0 || group_test(g, log1p(-c->o.threshold / 2), &p_less, &unused) < 0 ||
	    group_test(g, log1p(c->o.threshold / 2), &unused, &p_greater) < 0) {
		snprintf(g->note, sizeof(g->note), "control: not testable");
		return;
	}
	g->tested = true;
	g->p_worse = p_less;
	g->p_better = p_greater;
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
	change_text(g, ch, sizeof(ch));
	if (fmin(p_less, p_greater) < c->alpha_control / 2) {
		g->verdict = V_CHANGED;
		snprintf(g->note, sizeof(g->note),
			 "control moved %s between the BASE and NEW runs: the machine changed", ch);
	} else if (g->hl.crit < 0) {
		snprintf(g->note, sizeof(g->note), "control: too few repeats to see a change");
	}
}

/*
 * A counted group alone (no timed rows of its experiment): the counts say "the same work" when
 * the whole signature is complete and unchanged (work.h); whatever moved is for the time to
 * decide, except user-space work that grew, which is a verdict of its own (more-work).
 */
static void decide_counts(const struct compare *c, struct group *g)
{
	const struct work_sig *a = &g->work[0], *b = &g->work[1];

	g->change = g->ci_lo = g->ci_hi = NAN;
	for (int s = 0; s < 2; s++)
		g->median[s] = g->work[s].instr[0] + g->work[s].instr[1];
	if (!a->have || !b->have) {
		g->verdict = !a->have ? V_MISSING : V_REGRESSED;
		snprintf(g->note, sizeof(g->note), "%s",
			 !a->have ? "only in NEW" : "no NEW counts: the group is gone");
		return;
	}
	work_compare(a, b, c->o.threshold, &g->wc);
	g->change = g->ci_lo = g->ci_hi = g->wc.change;
	if (g->wc.unchanged) {
		g->verdict = V_OK;
		snprintf(g->note, sizeof(g->note),
			 "the same work: instructions, system calls, bytes through the kernel, "
			 "kernel objects and context switches unchanged");
	} else if (g->wc.grew) {
		g->verdict = V_MORE_WORK;
		snprintf(g->note, sizeof(g->note), "more work per message, not timed here: %s",
			 g->wc.why);
	} else {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note), "%s: %s; the time decides (not timed here)",
			 g->wc.complete ? "its work changed" : "counts cannot decide", g->wc.why);
	}
}

static void decide(const struct compare *c, struct group *g)
{
	const struct opts *o = &c->o;
	double lo_b = log1p(-o->threshold), hi_b = log1p(o->threshold);
	double lo_less, lo_greater, hi_less, hi_greater;
	int rc;

	g->resolution = NAN;
	if (g->counted) {
		decide_counts(c, g);
		return;
	}
	g->change = g->ci_lo = g->ci_hi = NAN;
	for (int s = 0; s < 2; s++) {
		if (!g->side[s].n)
			continue;
		ipcb_stats_median(g->side[s].v, g->side[s].n, &g->median[s]);
		g->spread_known[s] =
		    ipcb_stats_spread(g->side[s].v, g->side[s].n, &g->spread[s]) == 0;
	}
	if (!g->side[0].n) {
		g->verdict = V_MISSING;
		snprintf(g->note, sizeof(g->note), "only in NEW");
		return;
	}
	if (g->control) {
		if (!g->side[1].n) {
			g->verdict = V_MISSING;
			snprintf(g->note, sizeof(g->note), "control only in BASE");
			return;
		}
		decide_control(c, g);
		return;
	}
	/*
	 * A rate sweep's step that NEW's sweep did not reach: each run's sweep stops where its
	 * achieved rate no longer follows the offered one, so the steps run are an outcome, which
	 * the sweep's own row (slo_rate) compares; a step missing is not a group gone.
	 */
	if (!g->side[1].n && *gf(g, IPCB_COL_OFFERED_FRACTION)) {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note),
			 "NEW's rate sweep stopped before this step (its slo_rate row compares the "
			 "sweeps)");
		return;
	}
	if (!g->side[1].n) {
		g->verdict = V_REGRESSED;
		snprintf(g->note, sizeof(g->note), "no NEW values: the group is gone");
		return;
	}
	/*
	 * A stream at 0 collapsed; a rate sweep's outcome at 0 is a measurement (the bound held at
	 * no offered rate), tested like any other value.
	 */
	if (!o->metric->lower_better && all_zero(&g->side[1]) && !all_zero(&g->side[0]) &&
	    strcmp(gf(g, IPCB_COL_LATENCY_KIND), "slo_rate") != 0) {
		g->verdict = V_REGRESSED;
		g->change = -1;
		snprintf(g->note, sizeof(g->note), "collapsed to 0");
		return;
	}
	g->verdict = V_INCONCLUSIVE;
	rc = group_ratio(g, o->paired, c->alpha_each, true);
	if (rc == -EDOM) {
		snprintf(g->note, sizeof(g->note), "every value is 0: no relative change to judge");
		return;
	}
	if (rc == -ENOENT) {
		snprintf(g->note, sizeof(g->note),
			 "no round in both BASE and NEW: nothing to pair (are the rounds "
			 "numbered alike?)");
		return;
	}
	if (rc < 0 || group_test(g, lo_b, &lo_less, &lo_greater) < 0 ||
	    group_test(g, hi_b, &hi_less, &hi_greater) < 0) {
		snprintf(g->note, sizeof(g->note), "the test failed (out of memory?)");
		return;
	}
	g->tested = true;
	/* lo_less: evidence for "below 1 - threshold"; hi_greater: "above 1 + threshold". */
	g->p_worse = o->metric->lower_better ? hi_greater : lo_less;
	g->p_better = o->metric->lower_better ? lo_less : hi_greater;
	g->p_equiv = fmax(lo_greater, hi_less);
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
	/* The verdict is compare_decide()'s: Holm's over all groups, or the group's own ok. */
}

/* What an inconclusive group's note says: which way it leans, by how much, what would decide. */
/*
 * What a group that decided nothing could have caught: the smallest worsening its rounds would
 * show in CAUGHT_POWER of runs, at the look's alpha (lib/ratio.h), as the metric's own change
 * ("a drop of 23%" of a throughput, "a rise of 30%" of a latency). *out "" when none.
 */
#define CAUGHT_POWER 0.8

static void resolution_text(const struct compare *c, struct group *g, char *out, size_t n)
{
	double res = ipcb_ratio_resolution(&g->r, c->alpha_look, CAUGHT_POWER);

	g->resolution = !isfinite(res)		    ? NAN
			: c->o.metric->lower_better ? expm1(res)
						    : -expm1(-res);
	if (isnan(g->resolution))
		snprintf(out, n, "with these rounds no change could have been caught");
	else
		snprintf(out, n, "could have caught a %s of %.1f%% or more (%.0f%% of the time)",
			 c->o.metric->lower_better ? "rise" : "drop", fabs(g->resolution) * 100,
			 CAUGHT_POWER * 100);
}

static void undecided_note(const struct compare *c, struct group *g)
{
	const struct opts *o = &c->o;
	double lo_b = log1p(-o->threshold), hi_b = log1p(o->threshold);
	char ch[64], dir[24], caught[96];

	/* The look's alpha is the most lenient level any verdict is tested at. */
	if (group_too_few(c, g, c->alpha_look)) {
		g->repeats_needed = repeats_possible(c, c->alpha_look);
		if (o->paired)
			snprintf(g->note, sizeof(g->note),
				 "too few rounds: with %zu pairs no p can be below %.2g; needs at "
				 "least %zu pairs",
				 g->npairs, c->alpha_look, g->repeats_needed);
		else
			snprintf(
			    g->note, sizeof(g->note),
			    "too few repeats: with %zu and %zu no p can be below %.2g; needs at "
			    "least %zu per side",
			    g->side[0].n, g->side[1].n, c->alpha_look, g->repeats_needed);
		return;
	}
	if (g->hl.est == 0)
		snprintf(dir, sizeof(dir), "leans neither way");
	else
		snprintf(dir, sizeof(dir), "leans %s",
			 (g->hl.est < 0) != o->metric->lower_better ? "worse" : "better");
	change_text(g, ch, sizeof(ch));
	g->repeats_needed = repeats_advice(c, g, &g->hl, lo_b, hi_b);
	resolution_text(c, g, caught, sizeof(caught));
	if (g->repeats_needed)
		snprintf(g->note, sizeof(g->note), "%s: %s; %s; ~%zu %s would decide it", dir, ch,
			 caught, g->repeats_needed,
			 o->paired ? "paired rounds" : "repeats per side");
	else
		snprintf(
		    g->note, sizeof(g->note),
		    "%s: %s; %s; too close to the threshold for more repeats to settle it soon",
		    dir, ch, caught);
}

/*
 * Holm over the tested groups for one kind of verdict (0 regressed, 1 improved): p holds the
 * family's p-values in group order. Groups decided by rule (gone, collapsed) or not testable
 * still count in G, with p = 1.
 */
static int holm_family(struct compare *c, int which, bool *reject, double *level, double *p)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];

		if (g->control || !g->side[0].n)
			continue;
		p[n++] = !g->tested ? 1 : which == 0 ? g->p_worse : g->p_better;
	}
	return ipcb_holm(p, n, c->alpha_look, reject, level);
}

/*
 * The interval shown beside a verdict is the one at the level that decided it (Holm's step for
 * regressed or improved, the look's alpha for ok), so a decided group's interval lies beyond or
 * within the threshold as its verdict says; an undecided group's is at the level of the verdict
 * its estimate points to (see compare_decide()).
 */
static void interval_at(const struct compare *c, struct group *g, double alpha)
{
	if (group_ratio(g, c->o.paired, alpha, false) < 0)
		return;
	g->change = expm1(g->hl.est);
	g->ci_lo = expm1(g->hl.lo);
	g->ci_hi = expm1(g->hl.hi);
}

/*
 * A timed group's verdict with its work beside it (work.h): the time decides, and what moved in
 * the work is its explanation; the same work turns a time that could not decide into ok (the
 * counts saw everything the run does); more user-space work per message that the time did not
 * show (ok, or undecided) is a verdict of its own, more-work. A timed group of a comparison with
 * counts, or whose runs were not counted (--not-counted), says it was timed only.
 */
static void work_weigh(struct compare *c, struct group *g)
{
	const struct group *w = g->work_of;
	char timed[320], ch[64];

	if (g->counted || g->control || !g->side[0].n)
		return;
	g->timed = g->verdict;
	if (!w || !w->work[0].have || !w->work[1].have) {
		bool any = false;

		for (size_t i = 0; i < c->ngroups && !any; i++)
			any = c->groups[i]->counted && c->groups[i]->work[0].have;
		if (!w && !c->o.not_counted && !any)
			return;
		c->uncounted++;
		if (c->o.not_counted)
			pre_add(g, "not counted (%.300s): timed only", c->o.not_counted);
		else
			pre_add(g, "not counted%s: timed only",
				!w		  ? ""
				: w->work[0].have ? " in NEW"
						  : " in BASE");
		return;
	}
	snprintf(timed, sizeof(timed), "%.300s", g->note);
	if (isnan(g->change))
		snprintf(ch, sizeof(ch), "not measured");
	else
		change_text(g, ch, sizeof(ch));
	if (w->wc.unchanged) {
		if (g->verdict == V_INCONCLUSIVE)
			g->verdict = V_OK;
		snprintf(g->note, sizeof(g->note),
			 "the same work (counted: instructions, calls, bytes, kernel objects, "
			 "switches); time %s, %s%s%.300s",
			 ch, verdict_names[g->timed], timed[0] ? ": " : "", timed);
		return;
	}
	if ((g->verdict == V_OK || g->verdict == V_INCONCLUSIVE) && w->wc.grew &&
	    !c->machine_changed) {
		g->verdict = V_MORE_WORK;
		snprintf(g->note, sizeof(g->note),
			 "more work per message: %.600s; time %s, %s%s%.300s", w->wc.why, ch,
			 g->timed == V_OK ? "shown within the threshold" : "not shown to change",
			 timed[0] ? ": " : "", timed);
		return;
	}
	snprintf(g->note, sizeof(g->note), "%s%.600s; time %s, %s%s%.300s",
		 w->wc.complete ? "" : "counts cannot decide: ", w->wc.why, ch,
		 verdict_names[g->verdict], timed[0] ? ": " : "", timed);
}

/* The note in full: what was set aside or left unpaired, then the verdict's own words. */
static void note_join(struct group *g)
{
	size_t pre = strlen(g->pre), sep = g->note[0] ? 2 : 0, len = strlen(g->note);

	if (!pre)
		return;
	/* pre is shorter than the note's room by far: the verdict's words are cut, if anything */
	if (pre + sep + len >= sizeof(g->note))
		len = sizeof(g->note) - 1 - pre - sep;
	memmove(g->note + pre + sep, g->note, len);
	g->note[pre + sep + len] = '\0';
	memcpy(g->note, g->pre, pre);
	if (sep)
		memcpy(g->note + pre, "; ", 2);
}

static void compare_decide(struct compare *c)
{
	static const enum verdict family_verdict[2] = {V_REGRESSED, V_IMPROVED};
	const double lo_b = log1p(-c->o.threshold), hi_b = log1p(c->o.threshold);
	double *p = NULL, *level[2] = {NULL, NULL};
	bool *reject[2] = {NULL, NULL}, oom = false;

	for (size_t i = 0; i < c->ngroups; i++)
		set_aside(c, c->groups[i]);
	c->compared = c->controls = c->ncounted = 0;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];

		c->ncounted += g->counted && !g->twinned && g->work[0].have;
		if (g->control)
			c->controls += g->side[0].n && g->side[1].n;
		else
			c->compared += g->side[0].n > 0;
	}
	/*
	 * This look's share of alpha (all of it for a single look). Within it regressed and
	 * improved are each one family over the G groups, decided by Holm, whose first step is
	 * Bonferroni's alpha / G: the tests' intervals are drawn at that level first. Ok is each
	 * group's own test at the whole share: see the top of this file.
	 */
	c->alpha_look =
	    c->o.alpha * ipcb_alpha_share(c->o.look ? c->o.look : c->o.looks, c->o.looks);
	c->alpha_each = c->alpha_look / (double)(c->compared ? c->compared : 1);
	c->alpha_control = c->alpha_look / (double)(c->controls ? c->controls : 1);
	p = malloc((c->ngroups ? c->ngroups : 1) * sizeof(*p));
	for (int f = 0; f < 2; f++) {
		reject[f] = calloc(c->ngroups ? c->ngroups : 1, sizeof(bool));
		level[f] = calloc(c->ngroups ? c->ngroups : 1, sizeof(double));
		oom |= !reject[f] || !level[f];
	}
	oom |= !p;
	for (size_t i = 0; i < c->ngroups; i++) {
		struct group *g = c->groups[i];

		if (oom) {
			g->verdict = V_INCONCLUSIVE;
			snprintf(g->note, sizeof(g->note), "out of memory");
		} else {
			decide(c, g);
		}
		if (g->verdict == V_CHANGED)
			c->machine_changed = true;
	}
	for (int f = 0; !oom && f < 2; f++)
		oom = holm_family(c, f, reject[f], level[f], p) < 0;
	for (size_t i = 0, k = 0; !oom && i < c->ngroups; i++) {
		struct group *g = c->groups[i];
		double at;

		if (g->control || !g->side[0].n)
			continue;
		/* At most one verdict rejects a group: see the top of this file. */
		if (g->tested) {
			if (reject[0][k] || reject[1][k]) {
				int f = reject[0][k] ? 0 : 1;

				g->verdict = family_verdict[f];
				at = level[f][k];
			} else if (g->p_equiv < c->alpha_look) {
				g->verdict = V_OK;
				at = c->alpha_look;
			} else if (g->hl.est < lo_b || g->hl.est > hi_b) {
				/* Beyond a threshold: the family that could call it next. */
				at = level[(g->hl.est < lo_b) == c->o.metric->lower_better][k];
			} else {
				at = c->alpha_look;
			}
			if (at != c->alpha_each)
				interval_at(c, g, at);
			/* Too few for Holm's level, not for ok's: show what can be shown. */
			if (g->verdict == V_INCONCLUSIVE && g->hl.crit < 0 && at < c->alpha_look)
				interval_at(c, g, c->alpha_look);
			if (g->verdict == V_INCONCLUSIVE)
				undecided_note(c, g);
		}
		k++;
	}
	free(p);
	for (int f = 0; f < 2; f++) {
		free(reject[f]);
		free(level[f]);
	}
	/* A machine that changed under the runs explains a change as well as NEW does. */
	for (size_t i = 0; c->machine_changed && i < c->ngroups; i++) {
		struct group *g = c->groups[i];
		char ch[64];

		if (g->verdict != V_REGRESSED && g->verdict != V_IMPROVED)
			continue;
		change_text(g, ch, sizeof(ch));
		snprintf(g->note, sizeof(g->note), "would be %s (%s), but %s: the machine changed",
			 verdict_names[g->verdict], ch,
			 c->state[0] ? "its state differed (probes)" : "a control row moved");
		g->verdict = V_INCONCLUSIVE;
	}
	for (size_t i = 0; i < c->ngroups; i++)
		work_weigh(c, c->groups[i]);
	for (size_t i = 0; i < c->ngroups; i++) {
		note_join(c->groups[i]);
		if (shown(c->groups[i]))
			c->count[c->groups[i]->verdict]++;
	}
}

/* ---- output ---- */

enum cell {
	C_TRANSPORT,
	C_MODE,
	C_KIND,
	C_SIZE,
	C_PLACEMENT,
	C_CPUS,
	C_WAIT,
	C_BASE,
	C_NEW,
	C_CHANGE,
	C_INTERVAL,
	C_P,
	C_SPREAD,
	C_VERDICT,
	C_NOTE,
	NCELLS,
};

static const char *const cell_titles[NCELLS] = {
    "transport", "mode",   "kind",     "size",	   "placement",	 "cpus",    "wait", "base (n)",
    "new (n)",	 "change", "interval", "p(worse)", "spread b/n", "verdict", "note",
};

/* Numbers read best right-aligned; text left. */
static bool cell_right(int k)
{
	return k == C_SIZE || (k >= C_BASE && k <= C_SPREAD);
}

/* A cell holds a whole note. */
#define CELL_BYTES NOTE_BYTES

/*
 * Text from the files as it may be shown: a control character (a newline in a quoted transport
 * name, say) would start what reads like a new row of the report, so each is written as a C
 * escape (\n, \t, \r, \xHH), and a backslash as \\ so that no escape is ambiguous. In Markdown a
 * '|' would end the cell: it becomes \|. Truncated (never split inside an escape) to fit out.
 */
static void safe_text(const char *in, char *out, size_t n, bool md)
{
	size_t len = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char e[8];

		if (*p == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (*p == '\t')
			snprintf(e, sizeof(e), "\\t");
		else if (*p == '\r')
			snprintf(e, sizeof(e), "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", *p);
		else if (*p == '\\')
			snprintf(e, sizeof(e), "\\\\");
		else if (*p == '|' && md)
			snprintf(e, sizeof(e), "\\|");
		else
			snprintf(e, sizeof(e), "%c", *p);
		if (len + strlen(e) + 1 > n)
			break;
		memcpy(out + len, e, strlen(e));
		len += strlen(e);
	}
	out[len] = '\0';
}

static void value_text(const struct ipcb_csv_metric *mt, double v, char *out, size_t n)
{
	if (mt->column == IPCB_COL_BYTES_PER_S)
		snprintf(out, n, "%.1f MB/s", v / 1e6);
	else if (mt->column == IPCB_COL_MSGS_PER_S)
		snprintf(out, n, v >= 1e6 ? "%.3f M/s" : "%.1f k/s", v >= 1e6 ? v / 1e6 : v / 1e3);
	else
		ipcb_format_ns(v, out, n);
}

/*
 * The transport's name, and the load's shape where the rows have one, as the driver's table
 * shows it: "shm x2" two pairs, "posix-mq 1:4" a topology, "pipe k8" eight requests in flight,
 * "pipe @100000" an open loop's rate (messages per second), "pipe @0.5 of max" a rate sweep's
 * step (half its closed-loop maximum), "poisson" its arrivals.
 */
static void shape_text(const struct group *g, char *out, size_t n)
{
	const char *pairs = gf(g, IPCB_COL_PAIRS), *topo = gf(g, IPCB_COL_TOPOLOGY);
	const char *inflight = gf(g, IPCB_COL_INFLIGHT), *arr = gf(g, IPCB_COL_ARRIVALS);
	const char *fraction = gf(g, IPCB_COL_OFFERED_FRACTION), *r = gf(g, IPCB_COL_OFFERED_RATE);
	const char *to = gf(g, IPCB_COL_PEER_HOST);
	const char *tuning = gf(g, IPCB_COL_TUNING);
	size_t len = (size_t)snprintf(out, n, "%s%s%s", gf(g, IPCB_COL_TRANSPORT),
				      *tuning ? " " : "", tuning);

	if (len < n && *pairs && strcmp(pairs, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, " x%s", pairs);
	if (len < n && *topo && strcmp(topo, "1:1") != 0)
		len += (size_t)snprintf(out + len, n - len, " %s", topo);
	if (len < n && *inflight && strcmp(inflight, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, " k%s", inflight);
	/* A share was checked to be a number when its row was read. */
	if (len < n && *fraction)
		len += (size_t)snprintf(out + len, n - len, " @%.6g of max", atof(fraction));
	else if (len < n && *r)
		len += (size_t)snprintf(out + len, n - len, " @%.*s", (int)strcspn(r, "."), r);
	if (len < n && *arr && strcmp(arr, "fixed") != 0)
		len += (size_t)snprintf(out + len, n - len, " %s", arr);
	if (len < n && *gf(g, IPCB_COL_HOSTS_SLOT))
		snprintf(out + len, n - len, " %s->%s", gf(g, IPCB_COL_HOST),
			 *to ? to : gf(g, IPCB_COL_HOST));
}

static void group_cells(const struct compare *c, const struct group *g,
			char cells[NCELLS][CELL_BYTES], bool md)
{
	const char *sc = gf(g, IPCB_COL_SENDER_CPU), *rc = gf(g, IPCB_COL_RECEIVER_CPU);
	char v[64], s[2][16], lo[16], hi[16];

	for (int i = 0; i < NCELLS; i++)
		cells[i][0] = '\0';
	shape_text(g, v, sizeof(v));
	safe_text(v, cells[C_TRANSPORT], CELL_BYTES, md);
	safe_text(gf(g, IPCB_COL_MODE), cells[C_MODE], CELL_BYTES, md);
	safe_text(*gf(g, IPCB_COL_LATENCY_KIND) ? gf(g, IPCB_COL_LATENCY_KIND) : "-", cells[C_KIND],
		  CELL_BYTES, md);
	ipcb_format_size(g->size_bytes, cells[C_SIZE], CELL_BYTES);
	safe_text(*gf(g, IPCB_COL_PLACEMENT) ? gf(g, IPCB_COL_PLACEMENT) : "-", cells[C_PLACEMENT],
		  CELL_BYTES, md);
	if (!*sc && !*rc)
		snprintf(cells[C_CPUS], CELL_BYTES, "any");
	else
		snprintf(cells[C_CPUS], CELL_BYTES, "%s,%s", *sc ? sc : "-", *rc ? rc : "-");
	safe_text(*gf(g, IPCB_COL_WAIT) ? gf(g, IPCB_COL_WAIT) : "-", cells[C_WAIT], CELL_BYTES,
		  md);
	for (int side = 0; side < 2; side++) {
		char *cell = cells[side ? C_NEW : C_BASE];

		/* Counted: both sides' instructions per message, and the runs counted. */
		if (g->counted) {
			snprintf(cell, CELL_BYTES,
				 g->work[side].have ? "%.1f instr/msg (%zu)" : "- (0)",
				 g->median[side], g->work[side].rows);
			continue;
		}
		if (!g->side[side].n) {
			snprintf(cell, CELL_BYTES, "- (0)");
			continue;
		}
		value_text(g->control ? &cmp_control_metric : c->o.metric, g->median[side], v,
			   sizeof(v));
		snprintf(cell, CELL_BYTES, "%s (%zu)", v, g->side[side].n);
	}
	if (isfinite(g->change) || g->change == -1)
		pct_text(g->change, cells[C_CHANGE], CELL_BYTES);
	else
		snprintf(cells[C_CHANGE], CELL_BYTES, "-");
	if (!isnan(g->ci_lo) && !isnan(g->ci_hi)) {
		pct_text(g->ci_lo, lo, sizeof(lo));
		pct_text(g->ci_hi, hi, sizeof(hi));
		snprintf(cells[C_INTERVAL], CELL_BYTES, "[%s, %s]", lo, hi);
	} else {
		snprintf(cells[C_INTERVAL], CELL_BYTES, "-");
	}
	if (g->tested && !g->control)
		snprintf(cells[C_P], CELL_BYTES, g->p_worse < 1e-4 ? "%.1e" : "%.4f", g->p_worse);
	else
		snprintf(cells[C_P], CELL_BYTES, "-");
	for (int side = 0; side < 2; side++) {
		if (g->spread_known[side])
			snprintf(s[side], sizeof(s[side]), "%.1f%%", g->spread[side] * 100);
		else
			snprintf(s[side], sizeof(s[side]), "-");
	}
	if (g->counted)
		for (int side = 0; side < 2; side++)
			snprintf(s[side], sizeof(s[side]),
				 g->work[side].spread > WORK_EXACT ? "%.2f%%" : "exact",
				 g->work[side].spread * 100);
	snprintf(cells[C_SPREAD], CELL_BYTES, "%s/%s", s[0], s[1]);
	snprintf(cells[C_VERDICT], CELL_BYTES, "%s", verdict_names[g->verdict]);
	snprintf(cells[C_NOTE], CELL_BYTES, "%s", g->note);
}

static void summary_text(const struct compare *c, char *out, size_t n)
{
	int len = snprintf(out, n,
			   "%zu group%s compared: %zu regressed, %zu improved, %zu ok, %zu "
			   "inconclusive, %zu more-work; %zu missing (only in NEW)",
			   c->compared + c->ncounted, c->compared + c->ncounted == 1 ? "" : "s",
			   c->count[V_REGRESSED], c->count[V_IMPROVED], c->count[V_OK],
			   c->count[V_INCONCLUSIVE], c->count[V_MORE_WORK], c->count[V_MISSING]);

	if (len > 0 && (size_t)len < n && c->controls)
		len += snprintf(
		    out + len, n - (size_t)len, "; %zu control%s, %zu changed%s", c->controls,
		    c->controls == 1 ? "" : "s", c->count[V_CHANGED],
		    c->machine_changed ? ": THE MACHINE CHANGED, nothing is blamed on NEW" : "");
	if (len > 0 && (size_t)len < n && (c->set_aside[0] || c->set_aside[1]))
		snprintf(out + len, n - (size_t)len,
			 "; rows set aside for the machine's state: %zu BASE, %zu NEW",
			 c->set_aside[0], c->set_aside[1]);
}

static void settings_text(const struct compare *c, char *out, size_t n)
{
	char t[16], look[64] = "";

	pct_text(c->o.threshold, t, sizeof(t));
	if (c->o.looks > 1)
		snprintf(look, sizeof(look), ", look %u of %u spends %.3g",
			 c->o.look ? c->o.look : c->o.looks, c->o.looks, c->alpha_look);
	snprintf(out, n,
		 "metric %s (%s is better), threshold %s, alpha %g%s, Holm over %zu group%s (first "
		 "step %.3g) for regressed and improved, ok at %.3g a group%s",
		 ipcb_csv_name(c->o.metric->column), c->o.metric->lower_better ? "lower" : "higher",
		 t + 1, c->o.alpha, look, c->compared, c->compared == 1 ? "" : "s", c->alpha_each,
		 c->alpha_look, c->o.paired ? "; paired by round (signed-rank tests)" : "");
	if (c->ncounted && strlen(out) < n)
		snprintf(out + strlen(out), n - strlen(out),
			 "; %zu counted group%s with no times, decided on their work per message "
			 "(the same work is ok)",
			 c->ncounted, c->ncounted == 1 ? "" : "s");
}

/* A CSV field from the files: control characters escaped as in the table, then quoted. */
static void csv_safe(FILE *f, const char *s)
{
	char buf[CELL_BYTES];

	safe_text(s, buf, sizeof(buf), false);
	ipcb_csv_text(f, buf);
}

static void csv_num(FILE *f, bool have, double v)
{
	if (have)
		fprintf(f, "%.6g", v);
	fputc(',', f);
}

static void print_csv(const struct compare *c, FILE *f)
{
	/* The group's key under the input's own column names, the size after the kind. */
	for (int k = 0; k < NKEYS; k++) {
		if (k == COL_SIZE)
			continue;
		fprintf(f, "%s,", ipcb_csv_name(key_columns[k]));
		if (k == COL_TRANSPORT)
			fprintf(f, "%s,", ipcb_csv_name(IPCB_COL_TUNING));
		if (k == COL_KIND)
			fprintf(f, "%s,", ipcb_csv_name(key_columns[COL_SIZE]));
	}
	fputs("metric,base_n,new_n,base_median,new_median,change,change_lo,change_hi,p_worse,"
	      "p_better,p_equiv,base_spread,new_spread,verdict,repeats_needed,caught,note\n",
	      f);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];

		if (!shown(g))
			continue;
		for (int k = 0; k < NKEYS; k++) {
			if (k == COL_SIZE)
				continue;
			csv_safe(f, gf(g, key_columns[k]));
			fputc(',', f);
			if (k == COL_TRANSPORT) {
				csv_safe(f, gf(g, IPCB_COL_TUNING));
				fputc(',', f);
			}
			if (k == COL_KIND)
				fprintf(f, "%zu,", g->size_bytes);
		}
		fprintf(f, "%s,%zu,%zu,",
			ipcb_csv_name(g->control ? cmp_control_metric.column : c->o.metric->column),
			g->side[0].n, g->side[1].n);
		for (int s = 0; s < 2; s++)
			csv_num(f, g->side[s].n > 0, g->median[s]);
		csv_num(f, !isnan(g->change), g->change);
		csv_num(f, !isnan(g->ci_lo), g->ci_lo);
		csv_num(f, !isnan(g->ci_hi), g->ci_hi);
		csv_num(f, g->tested, g->p_worse);
		csv_num(f, g->tested, g->p_better);
		csv_num(f, g->tested && !g->control, g->p_equiv);
		for (int s = 0; s < 2; s++)
			csv_num(f, g->spread_known[s], g->spread[s]);
		fprintf(f, "%s,", verdict_names[g->verdict]);
		if (g->repeats_needed)
			fprintf(f, "%zu", g->repeats_needed);
		fputc(',', f);
		csv_num(f, !isnan(g->resolution), g->resolution);
		ipcb_csv_text(f, g->note);
		fputc('\n', f);
	}
}

static int compare_exit(const struct compare *c);

/* A number, or null where there is none. */
static void json_num(FILE *f, const char *key, bool have, double v, bool more)
{
	fprintf(f, "\"%s\": ", key);
	if (have && isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
	fputs(more ? ", " : "", f);
}

/*
 * The comparison as one JSON document, for a CI job to read: the settings, every group with its
 * verdict, change and interval, what an undecided timed group could have caught, a counted
 * group's counts, and the summary.
 */
static void print_json(const struct compare *c, FILE *f)
{
	char line[1024];

	fputs("{\n  \"base\": ", f);
	ipcb_json_write_string(f, c->o.path[0]);
	fputs(",\n  \"new\": ", f);
	ipcb_json_write_string(f, c->o.path[1]);
	fprintf(f, ",\n  \"metric\": \"%s\",\n  ", ipcb_csv_name(c->o.metric->column));
	json_num(f, "threshold", true, c->o.threshold, true);
	json_num(f, "alpha", true, c->o.alpha, false);
	fputs(",\n  \"groups\": [", f);
	for (size_t i = 0, n = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];

		if (!shown(g))
			continue;
		fputs(n++ ? ",\n    {" : "\n    {", f);
		for (int k = 0; k < NKEYS; k++) {
			fprintf(f, "\"%s\": ", ipcb_csv_name(key_columns[k]));
			if (k == COL_SIZE)
				fprintf(f, "%zu", g->size_bytes);
			else
				ipcb_json_write_string(f, gf(g, key_columns[k]));
			fputs(", ", f);
			if (k == COL_TRANSPORT) {
				fprintf(f, "\"%s\": ", ipcb_csv_name(IPCB_COL_TUNING));
				ipcb_json_write_string(f, gf(g, IPCB_COL_TUNING));
				fputs(", ", f);
			}
		}
		fprintf(f, "\"counted\": %s, \"verdict\": \"%s\", ",
			g->counted || g->work_of ? "true" : "false", verdict_names[g->verdict]);
		json_num(f, "base_median", g->counted || g->side[0].n, g->median[0], true);
		json_num(f, "new_median", g->counted || g->side[1].n, g->median[1], true);
		json_num(f, "change", !isnan(g->change), g->change, true);
		json_num(f, "change_lo", !isnan(g->ci_lo), g->ci_lo, true);
		json_num(f, "change_hi", !isnan(g->ci_hi), g->ci_hi, true);
		json_num(f, "caught", !isnan(g->resolution), g->resolution, true);
		fputs("\"note\": ", f);
		ipcb_json_write_string(f, g->note);
		fputc('}', f);
	}
	summary_text(c, line, sizeof(line));
	fputs("\n  ],\n  \"summary\": ", f);
	ipcb_json_write_string(f, line);
	fprintf(f, ",\n  \"exit\": %d\n}\n", compare_exit(c));
}

static int print_table(const struct compare *c, FILE *f, bool md)
{
	/* A line of the table: on the heap with the cells, as the stack may be small. */
	const size_t out_bytes = NCELLS * (CELL_BYTES + 4) + 4;
	char(*cells)[NCELLS][CELL_BYTES];
	size_t width[NCELLS];
	/* Static: the report of a comparison is written once, by one thread. */
	static char path[2][CELL_BYTES];
	char line[512], *out;
	size_t nshown = 0;

	cells = calloc(c->ngroups ? c->ngroups : 1, sizeof(*cells));
	out = malloc(out_bytes);
	if (!cells || !out) {
		free(out);
		free(cells);
		return -ENOMEM;
	}
	for (int k = 0; k < NCELLS; k++)
		width[k] = strlen(cell_titles[k]);
	for (size_t i = 0; i < c->ngroups; i++) {
		if (!shown(c->groups[i]))
			continue;
		group_cells(c, c->groups[i], cells[nshown], md);
		for (int k = 0; k < NCELLS; k++)
			if (strlen(cells[nshown][k]) > width[k])
				width[k] = strlen(cells[nshown][k]);
		nshown++;
	}
	settings_text(c, line, sizeof(line));
	for (int s = 0; s < 2; s++)
		safe_text(c->o.path[s], path[s], sizeof(path[s]), false);
	if (md)
		fprintf(f, "**ipcbench compare** `%s` -> `%s`: %s\n\n", path[0], path[1], line);
	else
		fprintf(f, "ipcbench compare %s -> %s: %s\n", path[0], path[1], line);
	if (c->machines[0] && md)
		fprintf(f, "**Warning: different machines.** %s.\n\n", c->machines);
	else if (c->machines[0])
		fprintf(f, "warning: different machines: %s\n", c->machines);
	for (size_t i = 0; i <= nshown; i++) {
		size_t len = 0;

		for (int k = 0; k < NCELLS; k++) {
			const char *cell = i == 0 ? cell_titles[k] : cells[i - 1][k];
			size_t room = out_bytes - len;
			int w;

			if (md)
				w = snprintf(out + len, room, "| %s ", cell);
			else
				w = snprintf(out + len, room, cell_right(k) ? "%*s  " : "%-*s  ",
					     (int)width[k], cell);
			len += w > 0 && (size_t)w < room ? (size_t)w : 0;
		}
		/* Padding after the last non-empty cell is only trailing blanks. */
		while (len > 0 && out[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s%s\n", (int)len, out, md ? " |" : "");
		if (i == 0 && md) {
			for (int k = 0; k < NCELLS; k++)
				fputs(cell_right(k) ? "|---:" : "|:---", f);
			fputs("|\n", f);
		}
	}
	summary_text(c, line, sizeof(line));
	fprintf(f, md ? "\n%s.\n" : "%s\n", line);
	free(out);
	free(cells);
	return 0;
}

/* The groups still undecided, for ab-gate to measure again: TRANSPORT<tab>MODE<tab>SIZE. */
static int write_undecided(const struct compare *c, const char *path)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f)
		return -errno;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];
		const char *t = gf(g, IPCB_COL_TRANSPORT), *mode = gf(g, IPCB_COL_MODE);
		size_t mlen;
		const char *module = experiment_module(gf(g, IPCB_COL_LIBRARY), &mlen);

		/*
		 * Undecided: inconclusive, or more work that the time has not yet seen either way
		 * (counted only, or timed and undecided). A name with control characters is no
		 * transport ab-gate could ask for.
		 */
		if (!shown(g) ||
		    !(g->verdict == V_INCONCLUSIVE ||
		      (g->verdict == V_MORE_WORK && g->timed != V_OK)) ||
		    strpbrk(t, "\t\n\r") || strpbrk(mode, "\t\n\r") ||
		    strcspn(module, "\t\n\r,") < mlen)
			continue;
		/* A user's module is asked for by its path, as -t takes it, not by its name. */
		if (mlen)
			fprintf(f, "external:%.*s\t%s\t%zu\n", (int)mlen, module, mode,
				g->size_bytes);
		else
			fprintf(f, "%s\t%s\t%zu\n", t, mode, g->size_bytes);
	}
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* "'a'" or "'a', 'b'" (and "..." when there were more): one file's values of a column. */
static void fingerprint_values(const struct fingerprint *fp, size_t k, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < fp->n[k] && len < n; i++) {
		char v[128];

		safe_text(fp->value[k][i], v, sizeof(v), false);
		len +=
		    (size_t)snprintf(out + len, n - len, "%s%s%s%s", i ? ", " : "", v[0] ? "'" : "",
				     v[0] ? v : "(not recorded)", v[0] ? "'" : "");
	}
	if (fp->more[k] && len < n)
		snprintf(out + len, n - len, ", ...");
}

/*
 * Were BASE and NEW measured on the same kind of machine? Writes what differs ("cpu_model:
 * 'A' in BASE, 'B' in NEW; kernel: ...") into out, "" when nothing does.
 */
static void fingerprint_compare(const struct compare *c, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t k = 0; k < NFINGERPRINT && len < n; k++) {
		const struct fingerprint *a = &c->fp[0], *b = &c->fp[1];
		char va[300], vb[300];
		bool same = a->n[k] == b->n[k] && a->more[k] == b->more[k];

		for (size_t i = 0; same && i < a->n[k]; i++) {
			bool found = false;

			for (size_t j = 0; j < b->n[k] && !found; j++)
				found = strcmp(a->value[k][i], b->value[k][j]) == 0;
			same = found;
		}
		if (same)
			continue;
		fingerprint_values(a, k, va, sizeof(va));
		fingerprint_values(b, k, vb, sizeof(vb));
		len += (size_t)snprintf(out + len, n - len, "%s%s: %s in BASE, %s in NEW",
					len ? "; " : "", ipcb_csv_name(cmp_fingerprint_columns[k]), va,
					vb);
	}
}

static int compare_exit(const struct compare *c)
{
	if (c->machine_changed)
		return IPCB_COMPARE_MACHINE;
	if (c->count[V_REGRESSED])
		return IPCB_COMPARE_REGRESSED;
	if (c->count[V_MORE_WORK])
		return IPCB_COMPARE_MORE_WORK;
	if (c->count[V_INCONCLUSIVE] || c->count[V_MISSING])
		return IPCB_COMPARE_UNDECIDED;
	return IPCB_COMPARE_OK;
}

/*
 * --db: BASE's rows from the history, as CSV text that compare_read() takes as it takes a file.
 * -ENODATA when the history holds no baseline yet.
 */
static int baseline_load(struct compare *c, char *err, size_t errlen)
{
	const struct ipcb_history_source *h = ipcb_history_source_get();

	if (!h || !h->baseline) {
		snprintf(err, errlen, "--db: this program keeps no results history");
		return -ENOTSUP;
	}
	return h->baseline(c->o.db, c->o.baseline ? c->o.baseline : "last", c->o.path[1],
			   c->o.any_machine, &c->base_csv, &c->base_len, c->base_name,
			   sizeof(c->base_name), err, errlen);
}

int ipcb_compare_main(int argc, char **argv)
{
	static const struct opts defaults = {
	    .metric = &ipcb_csv_metrics[0],
	    .alpha = 0.05,
	    .threshold = 0.05,
	    .looks = 1,
	    .format = FMT_TABLE,
	};
	/* Static: some 5 KiB of texts and tables; compare is one thread, called once at a time. */
	static struct compare c;
	char err[512], line[512];
	int rc;

	memset(&c, 0, sizeof(c));
	c.o = defaults;
	if (cmp_opts_parse(&c.o, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s (see ipcbench compare --help)\n", prog, err);
		return IPCB_COMPARE_USAGE;
	}
	if (c.o.help) {
		compare_usage(stdout);
		return IPCB_COMPARE_OK;
	}
	if (c.o.check_only)
		return IPCB_COMPARE_OK;
	if (c.o.db) {
		rc = baseline_load(&c, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return rc == -ENODATA ? IPCB_COMPARE_UNDECIDED : IPCB_COMPARE_USAGE;
		}
	}
	if (c.base_csv)
		c.o.path[0] = c.base_name;
	for (int s = 0; s < 2; s++) {
		rc = compare_read(&c, s, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			compare_fini(&c);
			return IPCB_COMPARE_USAGE;
		}
	}
	if (twins_link(&c) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		compare_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	fingerprint_compare(&c, c.machines, sizeof(c.machines));
	/*
	 * Rounds paired by --paired were measured side by side, a state for both, and where control
	 * rows were measured beside the runs (scripts/ab-gate) they say whether the machine
	 * changed between the A and B slots: the probes judge files measured apart.
	 */
	if (!c.o.paired && !c.o.ncontrols && state_compare(&c) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		compare_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	if (c.state[0]) {
		fprintf(stderr,
			"%s: warning: %s and %s were measured in different states of the machine: "
			"%s; nothing is blamed on NEW (exit 4)\n",
			prog, c.o.path[0], c.o.path[1], c.state);
		c.machine_changed = true;
	}
	if (c.machines[0] && c.o.same_machine) {
		fprintf(stderr,
			"%s: --same-machine: %s and %s were measured on different machines: %s\n",
			prog, c.o.path[0], c.o.path[1], c.machines);
		compare_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	if (c.machines[0])
		fprintf(stderr,
			"%s: warning: %s and %s were measured on different machines: %s; a "
			"change may be the machine's rather than NEW's (--same-machine makes this "
			"an error)\n",
			prog, c.o.path[0], c.o.path[1], c.machines);
	if (c.ngroups == 0) {
		fprintf(stderr,
			"%s: no row of %s or %s has a %s value: nothing to compare (another "
			"--metric, or -m throughput/latency rows?)\n",
			prog, c.o.path[0], c.o.path[1], ipcb_csv_name(c.o.metric->column));
		compare_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	compare_decide(&c);
	if (c.o.format == FMT_CSV || c.o.format == FMT_JSON) {
		if (c.o.format == FMT_CSV)
			print_csv(&c, stdout);
		else
			print_json(&c, stdout);
		summary_text(&c, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", prog, line);
		rc = 0;
	} else {
		rc = print_table(&c, stdout, c.o.format == FMT_MD);
	}
	/* A verdict nobody can read is a failure: exit 1, as a write error is everywhere. */
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "%s: writing the report: %s\n", prog,
			strerror(rc < 0 ? -rc : errno));
		compare_fini(&c);
		return IPCB_COMPARE_WRITE_FAILED;
	}
	if (c.o.undecided_path) {
		rc = write_undecided(&c, c.o.undecided_path);
		if (rc < 0) {
			fprintf(stderr, "%s: --undecided %s: %s\n", prog, c.o.undecided_path,
				strerror(-rc));
			compare_fini(&c);
			return IPCB_COMPARE_USAGE;
		}
	}
	rc = compare_exit(&c);
	compare_fini(&c);
	return rc;
}
