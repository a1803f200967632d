/* SPDX-License-Identifier: MIT */
/*
 * work.h - what a point does per message, as two builds' counted rows say it (ipcbench --count),
 * and whether it changed: the evidence compare weighs beside the time (docs/ci-gate.md).
 *
 * A counted row's work signature has five parts, each as exact as what it sees:
 *  - the user-space instructions each side executes per message (the transport's share too),
 *    and its system calls per message by name: callgrind's counts, exact (two runs of one build
 *    agree within WORK_EXACT);
 *  - the bytes each side hands to the kernel and takes from it per message: an strace trace's,
 *    exact;
 *  - each side's kernel objects as the transport set them up (a pipe's buffer, a socket's
 *    options, a queue's depth, the shared mappings): read back from the kernel, exact text;
 *  - each side's voluntary and involuntary context switches per message over several native
 *    runs: not exact, so judged against the spread of those runs (the band, WORK_SWITCH_*).
 * Counts may say "the same work" only when the signature is complete on both sides (nothing of
 * the work out of their sight: no server in another process, nothing untraced, the counts'
 * own check exact) and no part moved. Whatever moved, the time decides the verdict, and the
 * change is its explanation.
 */
#ifndef IPCB_WORK_H
#define IPCB_WORK_H

#include <stdbool.h>
#include <stddef.h>

#include "rows.h"

/* Two counted runs of one build agree within this share (and these absolutes) per message. */
#define WORK_EXACT	 0.001
#define WORK_EXACT_INSTR 0.05	/* instructions */
#define WORK_EXACT_CALLS 0.0005 /* system calls of one name */
#define WORK_EXACT_BYTES 0.05	/* bytes: an absolute, the same messages move the same bytes */
/*
 * Switches per message of two builds are the same unless every run of one lies beyond every run
 * of the other by more than this: the runs' own spread is the band (measured, each count), and
 * these widen it by what runs of one build were seen to move beyond it (docs/ci-gate.md).
 */
#define WORK_SWITCH_REL	 0.25
#define WORK_SWITCH_ABS	 0.05
#define WORK_SWITCH_RUNS 16 /* the most runs of a part kept */

/* One side's (BASE's or NEW's) counted rows of one experiment: the first one's signature. */
struct work_sig {
	bool have;
	bool uncounted;	     /* its run could not count the point: scope says why */
	size_t rows;	     /* counted rows (all should agree) */
	double spread;	     /* the largest share by which a later row's counts differed */
	double instr[2];     /* per message, [sender, receiver] */
	double transport[2]; /* of them, in the transport's hooks */
	double calls[2];     /* system calls per message */
	char by_name[256];   /* "sender: write 1; receiver: read 1" */
	char check[160];     /* count_check: "exact", or what moved */
	char scope[256];     /* count_scope: "complete", "partial: ..." ("" in older files) */
	/* [sender voluntary, sender involuntary, receiver voluntary, receiver involuntary] */
	double sw[4][WORK_SWITCH_RUNS];
	size_t nsw[4];
	bool bytes_known;
	double bytes[4]; /* [sender out, sender in, receiver out, receiver in] per message */
	char objects[1600];
};

/* Row i of rs, a counted row, into w. 0, or a negative errno with err naming the line. */
int work_sig_add(struct work_sig *w, const struct ipcb_rows *rs, size_t i, char *err,
		 size_t errlen);

/* BASE's and NEW's signatures side by side. */
struct work_change {
	bool complete;	/* both complete and exact: counts can say "the same work" */
	bool unchanged; /* complete, and no part moved */
	/* User-space work per message grew beyond the threshold: instructions or system calls,
	 * either side. */
	bool grew;
	double change; /* both sides' instructions together, NEW / BASE - 1 */
	double total[2];
	char why[640]; /* what moved ("sender +3 write per message; ..."), or why counts cannot
			* decide; "" when unchanged */
};

/* Compare two signatures at the gate's threshold (a share, 0.05 for 5%). */
void work_compare(const struct work_sig *base, const struct work_sig *neww, double threshold,
		  struct work_change *out);

#endif /* IPCB_WORK_H */
