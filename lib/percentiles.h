/* SPDX-License-Identifier: MIT */
/*
 * percentiles.h - the latency percentiles a row records, declared once. Each is a column of the
 * CSV (and so of its JSON), a field of a histogram's summary, a column of the results table and
 * a measure the report and compare read; all of them are made from this list, so a percentile
 * added is one line here.
 *
 * X(ID, VALUE, LABEL, DROP, WHAT) for each, in the order the CSV and the table show them:
 *   ID     its name in identifiers and in its column, p<ID>_ns (IPCB_COL_P999_NS, M_RTT999)
 *   VALUE  the percentile, as ipcb_hist_value_at_percentile() takes it
 *   LABEL  how people read it: the table's title, the report's measure, --slo's spelling
 *   DROP   when a narrow terminal's table goes without it (bench/cli/table.c), 0: never
 *   WHAT   its column's meaning (docs/csv-columns.md)
 */
#ifndef IPCB_PERCENTILES_H
#define IPCB_PERCENTILES_H

#define IPCB_PERCENTILES(X)                                                                        \
	X(50, 50.0, "p50", 0, "median latency")                                                    \
	X(90, 90.0, "p90", 4, "90th percentile latency")                                           \
	X(99, 99.0, "p99", 0, "99th percentile latency")                                           \
	X(999, 99.9, "p99.9", 5, "99.9th percentile latency")

#define IPCB_PCT_ENUM(id, value, label, drop, what) IPCB_PCT_##id,
/* A percentile's place in the list, and in every array made from it. */
enum ipcb_pct { IPCB_PERCENTILES(IPCB_PCT_ENUM) IPCB_NPCT };
#undef IPCB_PCT_ENUM

/* The percentile of each place (99.9), and its label ("p99.9"). */
extern const double ipcb_pct_value[IPCB_NPCT];
extern const char *const ipcb_pct_label[IPCB_NPCT];

/* The place of the percentile `value`, or -1 when no column records it. */
int ipcb_pct_find(double value);

#endif /* IPCB_PERCENTILES_H */
