/* SPDX-License-Identifier: MIT */
/*
 * format.h - how ipcbench writes sizes, durations and CSV fields, the same way everywhere: the
 * table, the CSV, the report and the comparison.
 */
#ifndef IPCB_FORMAT_H
#define IPCB_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* A byte count the way --size takes it: 64, 4K, 1M, 1536. */
void ipcb_format_size(size_t bytes, char *out, size_t n);
/* "850 ns", "12.3 us", "4.56 ms", "1.20 s" */
void ipcb_format_ns(double ns, char *out, size_t n);
/* A rate: "850", "12.3k", "4.56M", "1.20G" (per second, said by the caller). */
void ipcb_format_rate(double per_s, char *out, size_t n);
/*
 * A stored text for a terminal: its control characters (a newline, an escape) written as \xNN,
 * so that a line stays one line and nothing in it drives the terminal.
 */
void ipcb_format_visible(const char *in, char *out, size_t n);
/* One text field, quoted (RFC 4180, "" for a quote) when it holds a comma, quote or newline. */
void ipcb_csv_text(FILE *f, const char *s);

#endif
