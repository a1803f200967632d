/* SPDX-License-Identifier: MIT */
/*
 * report.h - `ipcbench report CSV [-o FILE]`: the IPC guides' comparison tables printed again
 * with numbers measured on this machine, and a verdict for each of their claims.
 *
 * The tables and claims are those of the seed documents (see CLAIMS.md): T1 time to move 1 MB,
 * T2/T3 the speed ranking of every mechanism, T4 System V against POSIX, and claims C1..C10.
 * Every number is the median over the CSV's repeats of one transport, mode, size and placement;
 * every verdict is "holds", "does not hold", or "depends" (on placement, size or the measure),
 * followed by the rows that decided it. `--html FILE` writes the same report as one
 * self-contained HTML page with the figures inline (html.h).
 */
#ifndef IPCB_REPORT_H
#define IPCB_REPORT_H

/* Entry point: argv[0] is "report". Exit status: 0 written, 1 no usable rows (or, with --html,
 * figures that could not be drawn), 2 usage or a malformed CSV (named with file, line and
 * column), 128+N stopped by signal N while drawing. */
int ipcb_report_main(int argc, char **argv);

#endif
