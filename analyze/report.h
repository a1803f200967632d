/* SPDX-License-Identifier: MIT */
/*
 * report.h - `ipcbench report CSV [-o FILE]`: what a person choosing a mechanism asks,
 * answered from the rows measured on this machine, with the IPC guides' tables and a verdict
 * for each of their claims; how each was decided and every comparison in an appendix.
 *
 * The tables and claims are those of the seed documents (see CLAIMS.md): T1 time to move 1 MB,
 * T2/T3 the speed ranking of every mechanism, T4 System V against POSIX, T5 the higher-level
 * rows, and claims C1..C14. Every number is the median over the CSV's rounds of one transport,
 * mode, size and placement. `--html FILE` writes the same report as one self-contained HTML
 * page with the figures inline (html.h).
 */
#ifndef IPCB_REPORT_H
#define IPCB_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Entry point: argv[0] is "report". Exit status: 0 written, 1 no usable rows (or, with --html,
 * figures that could not be drawn), 2 usage or a malformed CSV (named with file, line and
 * column), 128+N stopped by signal N while drawing. */
int ipcb_report_main(int argc, char **argv);

/*
 * The answers in brief of a sweep's rows (csv[0..len): its CSV, the header first), for a
 * terminal: a "# " line per placement, per question and per answer, as the report gives them.
 * What the driver prints when a sweep ends. 0, or -errno (rows the model cannot read, memory).
 */
int ipcb_report_answers(const char *csv, size_t len, FILE *out);

/*
 * The rows of one run (csv[0..len): its CSV, the header first, n records) that the report's
 * model sets aside for the machine's state (aside[i] 1, else 0), by the rule the report and
 * compare apply: what the history leaves out of its series too (main.c hands it in). 0, or
 * -errno (rows the model cannot read, memory).
 */
int ipcb_report_set_aside(const char *csv, size_t len, unsigned char *aside, size_t n);

/*
 * What a transport is in its own words ("payload through shared memory, notified by eventfds"),
 * by its name, for the report's list of mechanisms; NULL where not known. The transports are a
 * library beside analyze/, which links lib/ only: main.c hands the lookup in once, at start.
 * Without it (a program that links analyze/ alone, such as a fuzz target) the list says "not
 * described".
 */
void ipcb_report_describe_set(const char *(*describe)(const char *transport));
const char *ipcb_report_describe(const char *transport);

#endif
