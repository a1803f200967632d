/* SPDX-License-Identifier: MIT */
/*
 * compare.h - `ipcbench compare BASE.csv NEW.csv`: the CI throughput gate.
 *
 * Rows of two ipcbench CSV files are grouped by what was measured (transport, mode, size,
 * latency_kind, placement, sender_cpu, receiver_cpu, wait, the run settings; a rate sweep's steps
 * by their share of the maximum); each group's repeats on the two sides are compared with
 * one-sided Mann-Whitney tests of shifted hypotheses on the logs of the values (worse / better by
 * more than the threshold, and the two one-sided tests of equivalence), or with --paired with
 * Wilcoxon signed-rank tests of the per-round log ratios, with the Hodges-Lehmann estimate and
 * interval beside them. Rows whose state column flags the machine are set aside while a side
 * keeps at least half of its rows. `ipcbench compare --help` has the details; the README's CI
 * gate section the reasoning.
 *
 * BASE and NEW may be CSV or Google Benchmark JSON (ipcbench --json). When their machine
 * fingerprints differ (CPU model, kernel, build type, virtualization), a warning names the
 * fields; with --same-machine that is an error.
 *
 * Exit status: 0 every group ok or improved, 1 at least one regressed (or the report could not be
 * written), 2 usage error or malformed input (or, with --same-machine, files from different
 * machines), 3 nothing regressed but some group was inconclusive or missing, 4 a control row
 * changed (the machine changed under the comparison; nothing is blamed on NEW), 5 nothing
 * regressed but some group does more user-space work per message (counted) while its time was
 * not shown to change (more-work).
 */
#ifndef IPCB_COMPARE_H
#define IPCB_COMPARE_H

enum {
	IPCB_COMPARE_OK = 0,
	IPCB_COMPARE_REGRESSED = 1,
	IPCB_COMPARE_WRITE_FAILED = 1, /* the report could not be written: a failure too */
	IPCB_COMPARE_USAGE = 2,
	IPCB_COMPARE_UNDECIDED = 3,
	IPCB_COMPARE_MACHINE = 4,
	IPCB_COMPARE_MORE_WORK = 5,
};

/* The `compare` subcommand; argv[0] is "compare". Returns the exit status above. */
int ipcb_compare_main(int argc, char **argv);

#endif /* IPCB_COMPARE_H */
