/* SPDX-License-Identifier: MIT */
/*
 * gbjson.h - ipcbench's rows in Google Benchmark's JSON format, and back.
 *
 * The format is the one `--benchmark_format=json` writes, which github-action-benchmark
 * ("googlecpp") and Bencher ("cpp_google") read: an object with a "context" (the machine) and a
 * "benchmarks" array of one object per measurement, each with a unique "name", "real_time" and
 * "cpu_time" in "time_unit", "iterations", optional "bytes_per_second" and "items_per_second",
 * and any number of counters beside them.
 *
 * One benchmark per CSV row:
 *  - name (and run_name): transport/mode/size/placement, then the transport's options where
 *    it ran with some (hwm=1000), then the load's shape where the row has
 *    one (pairsN, topologySxR, inflightN, rateR), then the latency kind where there is one:
 *    "shm/latency/64/cross-core/rtt", "pipe/throughput/1M/same-core",
 *    "tcp/latency/4K/cross-core/inflight8/one_way_ab". The repeats of one configuration share
 *    the name, as Google Benchmark's repetitions do: repetitions says how many there are,
 *    repetition_index (run - 1) which one this is;
 *  - real_time: the measured interval per message (per round trip in latency mode; 1 /
 *    msgs_per_s), Google Benchmark's time per iteration; rows with no rate of their own (one-way
 *    delays, an open loop's send lag) give their mean delay instead. cpu_time: both sides' CPU
 *    time per message. time_unit "ns"; iterations: the row's messages; threads: its pairs;
 *  - bytes_per_second and items_per_second: the row's bytes_per_s and msgs_per_s, where
 *    measured;
 *  - every other column the row has a value in, under its CSV name (lib/csvschema.c): numbers as
 *    counters (the percentiles p50_ns ... max_ns among them), text as strings;
 *  - after the rows, each repeated name's aggregates as Google Benchmark writes them with
 *    repetitions: NAME_mean, NAME_median, NAME_stddev, NAME_cv (run_type "aggregate",
 *    aggregate_name, aggregate_unit), over the repetitions' real_time, cpu_time,
 *    bytes_per_second and items_per_second, so that a dashboard matching by name finds one
 *    value of a benchmark rather than its first round;
 *  - the machine's columns (ipcb_csv_is_machine()) go once into the context, beside Google
 *    Benchmark's own date, host_name, executable, num_cpus, caches, load_avg and
 *    library_build_type.
 * The document is built and written by Jansson (lib/json.h: two spaces of indent, reals to 15
 * significant digits, what ipcbench computes to 10). Reading back, through Jansson too, skips
 * the aggregates (they are made from the rows) and takes every member named like a column (the
 * machine's from the context when a benchmark lacks them), so a file written here becomes the CSV
 * it was written from.
 */
#ifndef IPCB_GBJSON_H
#define IPCB_GBJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "csvschema.h"
#include "json.h"

/* What the JSON says besides the rows. */
struct ipcb_gbjson_context {
	const char *date;	/* when the run began, ISO 8601 with its UTC offset */
	const char *executable; /* the program that measured */
	int num_cpus;		/* CPUs online; 0: not known */
};

/*
 * Write the rows of csv[0..len) (an ipcbench CSV, header first) to out as one JSON document. 0,
 * or -EINVAL with err saying what is wrong with the CSV, or -ENOMEM.
 */
int ipcb_gbjson_write(FILE *out, const char *csv, size_t len, const struct ipcb_gbjson_context *ctx,
		      char *err, size_t errlen);

/* A row's benchmark name, from its fields (field[c]: column c's text, "" when empty). */
void ipcb_gbjson_name(const char *const field[IPCB_CSV_NCOLS], char *out, size_t n);

/* A JSON document read back as CSV. */
struct ipcb_gbjson_csv {
	char *csv;		  /* the header, then a record per benchmark */
	size_t len;		  /* bytes of csv */
	size_t rows;		  /* records after the header */
	unsigned long *benchmark; /* each record's benchmark: its place in "benchmarks", from 1 */
};

/*
 * Why a document was refused: where Jansson found it malformed (line, and column in
 * characters), or which benchmark holds what cannot be a row (its place from 1; 0 where the
 * document as a whole is wrong), with a message without the file name.
 */
struct ipcb_gbjson_error {
	unsigned long line, col; /* 0 where the document parsed */
	size_t benchmark;
	char msg[160];
};

/* Does buf look like JSON rather than CSV: is its first byte other than white space '{'? */
bool ipcb_gbjson_sniff(const char *buf, size_t len);
/*
 * Read buf[0..len) (Google Benchmark's JSON) into *out, a CSV with ipcbench's header. Aggregate
 * entries (run_type "aggregate": means, medians) are left out: they are not runs. A number
 * becomes its column's text as the CSV writes it (a decimal column's digits, an integer), so a
 * file written here reads back byte for byte. 0, -EINVAL with err filled, or -ENOMEM. *out is
 * freed by ipcb_gbjson_csv_fini whatever the result.
 */
int ipcb_gbjson_to_csv(const char *buf, size_t len, struct ipcb_gbjson_csv *out,
		       struct ipcb_gbjson_error *err);
void ipcb_gbjson_csv_fini(struct ipcb_gbjson_csv *c);

#endif /* IPCB_GBJSON_H */
