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
 * Each file is read into the report's model (model.h), and the rounds the model sets aside for
 * the machine's state (its rule, judged on the file's probes) are left out here too; the note
 * says so.
 *
 * The parts live apart, around cmpint.h (the groups and the state of one comparison): the
 * options are cmpopts.c's; reading BASE and NEW into groups is cmpread.c's; deciding each group
 * (the policy above) and the exit status its verdicts give are cmpdecide.c's; the table, CSV,
 * JSON and --undecided outputs are cmpprint.c's. This file keeps the command: its help, the
 * order of the steps and the exit status of what went wrong.
 */
#include "compare.h"
#include "cmpint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "command.h"
#include "csvschema.h"
#include "histsrc.h"

static const char prog[] = "ipcbench compare";

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
    "per round appended by scripts/ab-gate); `-` reads one of them from standard input.\n"
    "A warning says when their machines differ.\n"
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
    "The rounds the report sets aside for the machine's state (judged on each file's\n"
    "probes) are set aside here too: a group's rounds in its placement's slow state\n"
    "wherever it has rounds of the fast one (the fast state is kept unless it held\n"
    "under two fifths of the placement's runs), and rounds the machine disturbed\n"
    "otherwise while the group keeps at least half of the rest on that side; the\n"
    "note says which. p-values are exact\n"
    "(permutation distribution, mid-ranks for ties) when both sides hold at most\n"
    STR(IPCB_MW_EXACT_MAX_N) " values together\n"
    "(--paired: at most " STR(IPCB_SR_EXACT_MAX_N) " pairs), else normal with tie and continuity\n"
    "corrections. The change column is the change of the two medians shown beside it,\n"
    "NEW / BASE - 1; the verdict's own estimate is the Hodges-Lehmann shift of NEW / BASE\n"
    "(H-L shift, over every BASE-NEW pair, or --paired over the rounds' differences),\n"
    "shown with the interval the same tests imply at the level the group was decided at\n"
    "(Holm's step for regressed or improved, the look's alpha for ok); over a few rounds\n"
    "a side the two can differ in size and even in sign.\n",
	    ipcb_csv_name(cmp_key_columns[COL_TRANSPORT]), ipcb_csv_name(cmp_key_columns[COL_MODE]),
	    ipcb_csv_name(cmp_key_columns[COL_KIND]), ipcb_csv_name(cmp_key_columns[COL_PLACEMENT]),
	    ipcb_csv_name(cmp_key_columns[COL_SENDER_CPU]),
	    ipcb_csv_name(cmp_key_columns[COL_RECEIVER_CPU]), ipcb_csv_name(cmp_key_columns[COL_WAIT]),
	    ipcb_csv_name(IPCB_COL_OFFERED_FRACTION));
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

/*
 * --db: BASE's rows from the history, as CSV text that cmp_read() takes as it takes a file.
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
		rc = cmp_read(&c, s, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			cmp_fini(&c);
			return IPCB_COMPARE_USAGE;
		}
	}
	if (cmp_twins_link(&c) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		cmp_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	cmp_fingerprint_compare(&c, c.machines, sizeof(c.machines));
	/*
	 * Rounds paired by --paired were measured side by side, a state for both, and where control
	 * rows were measured beside the runs (scripts/ab-gate) they say whether the machine
	 * changed between the A and B slots: the probes judge files measured apart.
	 */
	if (!c.o.paired && !c.o.ncontrols && cmp_state_compare(&c) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		cmp_fini(&c);
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
		cmp_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	if (c.machines[0])
		fprintf(stderr,
			"%s: warning: %s and %s were measured on different machines: %s; a "
			"change may be the machine's rather than NEW's (--same-machine makes this "
			"an error)\n",
			prog, c.o.path[0], c.o.path[1], c.machines);
	if (c.o.filter.text[0] && c.ngroups == 0) {
		fprintf(stderr,
			"%s: --filter %s takes no group of %s or %s with a %s value (%zu and %zu "
			"rows left out)\n",
			prog, c.o.filter.text, c.o.path[0], c.o.path[1],
			ipcb_csv_name(c.o.metric->column), c.filtered[0], c.filtered[1]);
		cmp_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	if (c.o.filter.text[0])
		fprintf(stderr, "%s: --filter %s: %zu rows of %s and %zu of %s left out\n", prog,
			c.o.filter.text, c.filtered[0], c.o.path[0], c.filtered[1], c.o.path[1]);
	if (c.ngroups == 0) {
		fprintf(stderr,
			"%s: no row of %s or %s has a %s value: nothing to compare (another "
			"--metric, or -m throughput/latency rows?)\n",
			prog, c.o.path[0], c.o.path[1], ipcb_csv_name(c.o.metric->column));
		cmp_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	cmp_decide(&c);
	if (c.o.format == FMT_CSV || c.o.format == FMT_JSON) {
		rc = 0;
		if (c.o.format == FMT_CSV)
			cmp_print_csv(&c, stdout);
		else
			rc = cmp_print_json(&c, stdout);
		cmp_summary_text(&c, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", prog, line);
	} else {
		rc = cmp_print_table(&c, stdout, c.o.format == FMT_MD);
	}
	/* A verdict nobody can read is a failure: exit 1, as a write error is everywhere. */
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "%s: writing the report: %s\n", prog,
			strerror(rc < 0 ? -rc : errno));
		cmp_fini(&c);
		return IPCB_COMPARE_WRITE_FAILED;
	}
	if (c.o.undecided_path) {
		rc = cmp_write_undecided(&c, c.o.undecided_path);
		if (rc < 0) {
			fprintf(stderr, "%s: --undecided %s: %s\n", prog, c.o.undecided_path,
				strerror(-rc));
			cmp_fini(&c);
			return IPCB_COMPARE_USAGE;
		}
	}
	rc = cmp_exit(&c);
	cmp_fini(&c);
	return rc;
}

const struct ipcb_command ipcb_command_compare = {
    .name = "compare",
    .synopsis = "BASE.csv NEW.csv [OPTIONS]   CI gate (see compare --help)",
    .fn = ipcb_compare_main,
    .flags = IPCB_CMD_IO_CHECKED | IPCB_CMD_SAYS_OUTPUT,
};
