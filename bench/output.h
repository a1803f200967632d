/* SPDX-License-Identifier: MIT */
/*
 * output.h - rows for people (an aligned table on stdout) and for machines (CSV).
 *
 * A row is one transport x mode x size x run. Numbers that were not measured are left empty in
 * the CSV and shown as "-" in the table, never as zero.
 */
#ifndef IPCB_OUTPUT_H
#define IPCB_OUTPUT_H

#include <stdio.h>

#include "csvschema.h" /* ipcb_csv_header() */
#include "run.h"
#include "sysinfo.h"

struct ipcb_row {
	const char *transport;
	const char *mode; /* "latency" or "throughput" */
	size_t size_bytes;
	unsigned run;	       /* 1-based repeat number */
	const char *placement; /* cross-core, same-core, unpinned */
	/* rtt, one_way_ab, one_way_ba (latency mode), one_way (throughput mode); NULL: none */
	const char *latency_kind;
	const struct ipcb_hist *hist; /* this row's latencies, NULL when it has none */
	uint64_t messages;	      /* measured messages, or samples in hist for one-way rows */
	const struct ipcb_run_result *res; /* the run: rates, CPU time, context switches */
	bool rates;			   /* this row reports the run's msgs_per_s / bytes_per_s */
	int cpu[2];			   /* pinned CPUs, -1 = not pinned */
	const char *wait;
	size_t chunk_bytes; /* bytes per send/recv call */
	uint64_t warmup;
	uint64_t work_ns;   /* --work-ns */
	int64_t spin_polls; /* hybrid wait's polls before sleeping; -1 = not a hybrid row */
	bool fsync;	    /* --fsync applied (transports that honour it) */
	double x_floor;	    /* times the machine's floor for this row; 0 = no floor known */
	int64_t clock_skew_bound_ns; /* one-way rows: the clock check's bound; -1 elsewhere */
	const char *verify;	     /* --verify level; NULL for rows that move no message */
	/* The load's shape: requests outstanding (latency rows), pairs, senders:receivers of a
	 * channel, and the most sides pinned to one CPU (more than 1: they take turns on it). */
	unsigned inflight, pairs, senders, receivers, sides_per_cpu;
	/* A transport's row: its options ("hwm=1000"), library ("zmq 4.3.4"), hops ("direct");
	 * NULL or "" where it has none (floors). */
	const char *options, *library, *hops;
	bool server;	/* a transport with a server process (a service) */
	int server_cpu; /* server: the CPU it was pinned to; -1 = not pinned */
	/* Two hosts: the receiver's host's fingerprint and the network path; NULL elsewhere. */
	const struct ipcb_sysinfo *peer;
	const char *net_path;
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
/* 0, or -errno when close() failed. Harmless when not open. */
int ipcb_csv_close(struct ipcb_csv *c);

void ipcb_table_header(FILE *f);
void ipcb_table_row(FILE *f, const struct ipcb_row *row);

#endif
