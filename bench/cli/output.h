/* SPDX-License-Identifier: MIT */
/*
 * output.h - rows for people (an aligned table on stdout) and for machines (CSV).
 *
 * A row is one transport x mode x size x run. Numbers that were not measured are left empty in
 * the CSV and shown as "-" in the table, never as zero.
 */
#ifndef IPCB_OUTPUT_H
#define IPCB_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "csvschema.h" /* ipcb_csv_header() */
#include "outfile.h"
#include "spec.h"
#include "sysinfo.h"

/*
 * A counted row's work signature beyond its counts (ipcbench --count, bench/cli/signature.c):
 * each side's context switches over the native runs, the bytes it moved through the kernel,
 * its kernel objects, and what the signature leaves out.
 */
struct ipcb_count_sig {
	bool switches; /* the native runs' switches and objects are known */
	size_t runs;
	/* [sender voluntary, sender involuntary, receiver voluntary, receiver involuntary] */
	double median[4];
	char values[4][160]; /* each run's, "0.44 0.52 1" */
	char objects[3 * 448 + 64];
	bool objects_vary; /* the runs described different objects */
	bool bytes;	   /* the trace's bytes are known */
	double out[2], in[2], unseen[2];
	char scope[256]; /* "complete", or "partial: " and what is left out */
};

struct ipcb_row {
	/* When the row was measured, for the timestamp column (0: when it is written). */
	time_t when;
	const char *transport;
	const char *mode; /* "latency" or "throughput" */
	size_t size_bytes;
	unsigned run;		  /* 1-based repeat number */
	const char *placement;	  /* cross-core, same-core, unpinned, smt, ..., matrix */
	const char *cpu_topology; /* what the two CPUs share (lib/topology.h); NULL: unknown */
	/* rtt, one_way_ab, one_way_ba (latency mode), one_way (throughput mode); NULL: none */
	const char *latency_kind;
	/* A counted row (latency_kind "count"): "exact", or what its check found moving. */
	const char *count_check;
	const struct ipcb_count_sig *sig; /* ... and its signature beyond the counts; NULL: none */
	const char
	    *uncounted; /* --count: why the point's sides could not be counted; NULL: they could */
	const struct ipcb_hist *hist; /* this row's latencies, NULL when it has none */
	/* hist summarised where the row goes out (ipcb_rows_emit): what every writer shows of it */
	struct ipcb_hist_summary lat;
	uint64_t messages; /* measured messages, or samples in hist for one-way rows */
	const struct ipcb_run_result *res; /* the run: rates, CPU time, context switches */
	bool rates;			   /* this row reports the run's msgs_per_s / bytes_per_s */
	int cpu[2];			   /* pinned CPUs, -1 = not pinned */
	const char *wait;
	size_t chunk_bytes; /* bytes per send/recv call */
	uint64_t warmup;
	/* The run's spec: the options whose rows name a column are written from it (NULL: a row
	 * of no run, every such option 0). */
	const struct ipcb_run_spec *spec;
	int64_t spin_polls;    /* hybrid wait's polls before sleeping; -1 = not a hybrid row */
	bool fsync;	       /* --fsync applied (transports that honour it) */
	double x_floor;	       /* times the machine's floor for this row; 0 = no floor known */
	const char *ceiling;   /* the floor x_floor is taken against (its row's name); NULL */
	char ceiling_text[64]; /* its parts: "probe-cacheline+floor-xcopy+harness" */
	double harness_ns;     /* the harness's own time per message beside the run; 0 = none */
	int64_t clock_skew_bound_ns; /* one-way rows: the clock check's bound; -1 elsewhere */
	const char *verify;	     /* --verify level; NULL for rows that move no message */
	/* The load's shape: requests outstanding (latency rows), pairs, senders:receivers of a
	 * channel, and the most sides pinned to one CPU (more than 1: they take turns on it). */
	unsigned inflight, pairs, senders, receivers, sides_per_cpu;
	/* --deliver all: every receiver got every message (publish-subscribe), 1:N "all". */
	bool broadcast;
	/* A transport's row: its options ("hwm=1000"), library ("zmq 4.3.4"), hops ("direct");
	 * NULL or "" where it has none (floors). */
	const char *options, *library, *hops;
	/* Its route: the data path's name ("shared-memory") and what it rides on (NULL: none). */
	const char *data_path, *rides_on;
	/* Its options away from the transport's defaults ("write=16384"; NULL or "": none). */
	const char *tuning;
	bool server;	/* a transport with a server process (a service) */
	int server_cpu; /* server: the CPU it was pinned to; -1 = not pinned */
	/* server: how long it took to start, and its (and its processes') RSS after the run;
	 * 0 = not known. */
	double server_start_ms;
	uint64_t server_rss_bytes;
	/* Two hosts: the receiver's host's fingerprint and the network path; NULL elsewhere. */
	const struct ipcb_sysinfo *peer;
	const char *net_path;
	/* The round it was measured in and the seed of the rounds' order. */
	unsigned round;
	uint64_t seed;
	/* The machine's state beside it: the probe's round trips (0: no probe), what was flagged
	 * ("below-floor", "probe-jump"; NULL or "": nothing). */
	double probe_cl_ns, probe_wk_ns, probe_cl_after_ns;
	const char *state;
	double offered_fraction; /* a rate sweep's step, as a share of its maximum; 0: none */
	const char *note;	 /* a line the table says under the row ("# " before it); NULL */
	unsigned hosts_slot;	 /* --hosts-slot: its slot of --hosts's schedule; 0: none */
};

/*
 * CSV writer. The file is appended to in place, never replaced: rows must reach it as they are
 * measured (an interrupted sweep keeps them) and several runs may share one file. So nothing in
 * it is ever truncated except a torn last line (a row without its newline, which no reader could
 * use): each row is one write under an exclusive flock(), after checking that the file ends in a
 * newline, and a write that fails part way is cut back. A new file is created with its header in
 * one step (see csv_create), an existing one must begin with the same header. Never opened
 * through a symbolic link.
 */
#define IPCB_CSV_ERR_BYTES 320
struct ipcb_csv {
	int fd;
	bool open;
	bool regular; /* a regular file (not /dev/null): locked, checked, repaired */
	const char *path;
	char note[IPCB_CSV_ERR_BYTES]; /* after a call: a warning to show (a line cut off), or "" */
};

/* 0, or a negative errno with err naming the file and the problem. */
int ipcb_csv_open(struct ipcb_csv *c, const char *path, char *err, size_t errlen);
/*
 * Write one row, whole or not at all (a failed write leaves the file as it was); 0, or -errno
 * with err saying why (without the path).
 */
int ipcb_csv_row(struct ipcb_csv *c, const struct ipcb_row *row, const struct ipcb_sysinfo *si,
		 char *err, size_t errlen);
/*
 * Rows already formatted (whole lines of this header's columns, as another ipcbench of this build
 * wrote them): appended in one write, under the same lock and with the same repair as a row.
 */
int ipcb_csv_lines(struct ipcb_csv *c, const char *lines, size_t len, char *err, size_t errlen);
/* 0, or -errno when close() failed. Harmless when not open. */
int ipcb_csv_close(struct ipcb_csv *c);
/* --db: store the row, its CSV line's columns, in the history's run (history.h). */
struct ipcb_history_run;
int ipcb_csv_row_history(struct ipcb_history_run *h, const struct ipcb_row *row,
			 const struct ipcb_sysinfo *si, char *err, size_t errlen);

/*
 * The load's shape in a few characters, "" for one pair, one at a time, closed loop: "x2" two
 * pairs, "1:4" a topology, "1:4 all" a broadcast to four receivers, "k8" eight requests in
 * flight, "@100k" an open loop's rate (rate: the row's offered rate, or the one about to be
 * run).
 */
void ipcb_row_shape(const struct ipcb_row *row, double rate, char *out, size_t n);

/*
 * --json FILE: the run in Google Benchmark's JSON format (lib/gbjson.h says how rows map to it).
 * Each row is kept as the CSV line it makes (the same columns, the same text) until the end of
 * the run; then the document is written whole under a temporary name next to FILE and put in
 * place, replacing FILE when the run has rows: a run that measured nothing takes FILE's name
 * only if it is free, and leaves an existing FILE as it was.
 */
/*
 * A sweep's rows as CSV in memory, the header first: what --json is written from, and what the
 * closing answers are read from.
 */
struct ipcb_memcsv {
	FILE *rows; /* open while rows are added; NULL once finished */
	char *buf;
	size_t len;
	size_t nrows;
};

/* 0, or -ENOMEM. */
int ipcb_memcsv_open(struct ipcb_memcsv *m);
/* Add a row; 0, or -errno with err saying why. */
int ipcb_memcsv_row(struct ipcb_memcsv *m, const struct ipcb_row *row,
		    const struct ipcb_sysinfo *si, char *err, size_t errlen);
/* No more rows: buf and len hold them all. 0, or -ENOMEM. */
int ipcb_memcsv_finish(struct ipcb_memcsv *m);
void ipcb_memcsv_free(struct ipcb_memcsv *m);

struct ipcb_jsonout {
	struct ipcb_outfile of;
	bool open;
	struct ipcb_memcsv csv; /* the rows, as the JSON is written from them at the end */
	char date[40];		/* when the run began */
};

/* 0, or a negative errno with err naming the file and the problem. */
int ipcb_jsonout_open(struct ipcb_jsonout *j, const char *path, char *err, size_t errlen);
/* Keep one row for the document; 0, or -errno with err saying why (without the path). */
int ipcb_jsonout_row(struct ipcb_jsonout *j, const struct ipcb_row *row,
		     const struct ipcb_sysinfo *si, char *err, size_t errlen);
/*
 * Write the document and put it in place (see above), then close. 0; -EEXIST when the run had no
 * rows and FILE was already there (left as it was); or another -errno with err saying why.
 */
int ipcb_jsonout_close(struct ipcb_jsonout *j, const struct ipcb_sysinfo *si, char *err,
		       size_t errlen);
/* Close without writing anything (the temporary file is removed). Harmless when not open. */
void ipcb_jsonout_abandon(struct ipcb_jsonout *j);

/*
 * The table for people. On a terminal it fits the terminal's width: narrower columns, and the
 * less needed ones left out in a fixed order (ctx/msg, chunk, p90, p99.9, msgs, msg/s, wait,
 * cpu/msg, mode, shape) until a line fits; transport, kind, size, p50, p99, max, MB/s, cpus and
 * x floor always stay; x floor and shape go first where the plan leaves them empty (no --floor;
 * one pair, one request in flight, closed loops, 1:1).
 * Elsewhere (a pipe, a file, --wide) every column, at full width.
 */
struct ipcb_table {
	uint32_t shown;	  /* bit c: column c is printed */
	uint32_t empty;	  /* bit c: left out as every row of the run leaves it empty */
	bool narrow;	  /* the columns' narrow widths */
	unsigned columns; /* the width it was fitted to; 0: not fitted */
};

/*
 * Lay the table out for a terminal `columns` wide; 0 for every column at full width. floors:
 * the run measures floors, so x floor has values; shaped: its plan has a load shape; harness:
 * the rows say the harness's own time beside them (not with --no-probes).
 */
void ipcb_table_fit(struct ipcb_table *t, unsigned columns, bool floors, bool shaped, bool harness);
/* The length of each of its lines, in characters. */
unsigned ipcb_table_line_width(const struct ipcb_table *t);
/* The column titles, after a "# " line naming the columns left out, when some are. */
void ipcb_table_header(FILE *f, const struct ipcb_table *t);
void ipcb_table_row(FILE *f, const struct ipcb_table *t, const struct ipcb_row *row);
/* After writing to stdout: remember why a write failed, while errno still says. */
void ipcb_stdout_note(void);

#endif
