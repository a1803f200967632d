/* SPDX-License-Identifier: MIT */
/*
 * csvschema.h - the columns of ipcbench's CSV, in one table: the writer (bench/cli/output.c) fills
 * a record column by column and the table decides the header, the order and how each value is
 * written; the readers (compare, report) find the columns they need by the same enum. No column
 * name is spelled anywhere else, so a renamed or added column cannot leave one of them behind.
 *
 * How a value is written (struct ipcb_csv_col.how):
 *  - IPCB_CSV_TEXT     as it is, quoted (RFC 4180) when it holds a comma, a quote or a newline;
 *  - IPCB_CSV_INTEGER  a decimal integer, signed or not as it was given;
 *  - IPCB_CSV_DECIMAL  fixed point with `digits` digits after the point ("%.*f").
 * An empty field means "not measured" (or not known, not pinned: .empty says what), never zero.
 * A column whose .empty is NULL is never empty: a record without it is not written.
 *
 * Readers find columns by name, so files with fewer columns still read; the machine's columns
 * stay last; and `ipcbench --csv` refuses to append to a file with another header.
 */
#ifndef IPCB_CSVSCHEMA_H
#define IPCB_CSVSCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csvread.h"
#include "percentiles.h"

#define IPCB_COL_PCT_ENUM(id, value, label, drop, what) IPCB_COL_P##id##_NS,

enum ipcb_csv_column {
	IPCB_COL_TRANSPORT,
	IPCB_COL_MODE,
	IPCB_COL_SIZE_BYTES,
	IPCB_COL_RUN,
	IPCB_COL_MESSAGES,
	IPCB_COL_LATENCY_KIND,
	IPCB_COL_MIN_NS,
	/* IPCB_COL_P50_NS ...: one for each of lib/percentiles.h, in its order */
	IPCB_PERCENTILES(IPCB_COL_PCT_ENUM) IPCB_COL_MAX_NS,
	IPCB_COL_MEAN_NS,
	IPCB_COL_STDDEV_NS,
	IPCB_COL_MSGS_PER_S,
	IPCB_COL_BYTES_PER_S,
	IPCB_COL_SENDER_CPU,
	IPCB_COL_RECEIVER_CPU,
	IPCB_COL_PLACEMENT,
	IPCB_COL_WAIT,
	IPCB_COL_CHUNK_BYTES,
	IPCB_COL_SENDER_CPU_S,
	IPCB_COL_RECEIVER_CPU_S,
	IPCB_COL_CTX_SWITCHES_PER_MSG,
	IPCB_COL_SENDER_CPU_NS_PER_MSG,
	IPCB_COL_RECEIVER_CPU_NS_PER_MSG,
	IPCB_COL_X_FLOOR,
	IPCB_COL_CEILING,
	IPCB_COL_CLOCK_SKEW_BOUND_NS,
	IPCB_COL_ELAPSED_S,
	IPCB_COL_WARMUP,
	IPCB_COL_WORK_NS,
	IPCB_COL_SPIN_POLLS,
	IPCB_COL_FSYNC,
	IPCB_COL_BUFFER_BYTES,
	IPCB_COL_CHANNEL,
	IPCB_COL_FULL_CHECKS,
	IPCB_COL_VERIFY,
	IPCB_COL_SEGMENTS_PER_MSG,
	IPCB_COL_INFLIGHT,
	IPCB_COL_PAIRS,
	IPCB_COL_TOPOLOGY,
	IPCB_COL_SIDES_PER_CPU,
	IPCB_COL_ARRIVALS,
	IPCB_COL_OFFERED_RATE,
	IPCB_COL_ACHIEVED_RATE,
	IPCB_COL_LATE,
	IPCB_COL_LOSSES,
	IPCB_COL_BYTES_PER_S_AB,
	IPCB_COL_BYTES_PER_S_BA,
	IPCB_COL_PAIR_MIN_MSGS_PER_S,
	IPCB_COL_PAIR_MAX_MSGS_PER_S,
	IPCB_COL_OPTIONS,
	IPCB_COL_LIBRARY,
	IPCB_COL_HOPS,
	IPCB_COL_SERVER_CPU,
	IPCB_COL_SERVER_CPU_NS_PER_MSG,
	IPCB_COL_NET_PATH,
	IPCB_COL_TIMESTAMP,
	IPCB_COL_HOST,
	IPCB_COL_KERNEL,
	IPCB_COL_CPU_MODEL,
	IPCB_COL_GOVERNOR,
	IPCB_COL_BOOST,
	IPCB_COL_SMT,
	IPCB_COL_THP,
	IPCB_COL_ISOLATED_CPUS,
	IPCB_COL_LOADAVG,
	IPCB_COL_VIRTUALIZATION,
	IPCB_COL_BUILD_TYPE,
	IPCB_COL_VERSION,
	/* The other host of a two-host row: its fingerprint, as the columns above. */
	IPCB_COL_PEER_HOST,
	IPCB_COL_PEER_KERNEL,
	IPCB_COL_PEER_CPU_MODEL,
	IPCB_COL_PEER_GOVERNOR,
	IPCB_COL_PEER_BOOST,
	IPCB_COL_PEER_SMT,
	IPCB_COL_PEER_THP,
	IPCB_COL_PEER_ISOLATED_CPUS,
	IPCB_COL_PEER_LOADAVG,
	IPCB_COL_PEER_VIRTUALIZATION,
	IPCB_COL_PEER_BUILD_TYPE,
	IPCB_COL_PEER_VERSION,
	/* Rounds (--repeat) and the machine's state beside each row. */
	IPCB_COL_ROUND,
	IPCB_COL_SEED,
	IPCB_COL_PROBE_CACHELINE_NS,
	IPCB_COL_PROBE_WAKEUP_NS,
	IPCB_COL_RUN_SPREAD,
	IPCB_COL_STATE,
	IPCB_COL_OFFERED_FRACTION,
	IPCB_COL_PROBE_CACHELINE_AFTER_NS,
	/* The transport's route (transport.h): how its bytes move, and what it rides on. */
	IPCB_COL_DATA_PATH,
	IPCB_COL_RIDES_ON,
	IPCB_COL_RECEIVER_WORK_NS,
	IPCB_COL_TUNING,
	IPCB_COL_CPU_TOPOLOGY,
	IPCB_COL_DELIVERIES_PER_S,
	IPCB_COL_ZEROCOPY_COPIED,
	IPCB_COL_SENDER_INSTR_PER_MSG,
	IPCB_COL_RECEIVER_INSTR_PER_MSG,
	IPCB_COL_SENDER_TRANSPORT_INSTR_PER_MSG,
	IPCB_COL_RECEIVER_TRANSPORT_INSTR_PER_MSG,
	IPCB_COL_SENDER_SYSCALLS_PER_MSG,
	IPCB_COL_RECEIVER_SYSCALLS_PER_MSG,
	IPCB_COL_SYSCALLS,
	IPCB_COL_COUNT_CHECK,
	/* What the transport's server costs: its start, and its memory after the row's run. */
	IPCB_COL_SERVER_START_MS,
	IPCB_COL_SERVER_RSS_BYTES,
	/* --hosts: the slot of its schedule a row ran in, and why a pair of hosts failed. */
	IPCB_COL_HOSTS_SLOT,
	IPCB_COL_ERROR,
	/* Each side's context switches per message: waiting (voluntary) and preempted. */
	IPCB_COL_SENDER_VOLUNTARY_SWITCHES_PER_MSG,
	IPCB_COL_SENDER_INVOLUNTARY_SWITCHES_PER_MSG,
	IPCB_COL_RECEIVER_VOLUNTARY_SWITCHES_PER_MSG,
	IPCB_COL_RECEIVER_INVOLUNTARY_SWITCHES_PER_MSG,
	/* A counted row's work signature beyond its counts (ipcbench --count). */
	IPCB_COL_SWITCHES_PER_RUN,
	IPCB_COL_SENDER_KERNEL_BYTES_OUT_PER_MSG,
	IPCB_COL_SENDER_KERNEL_BYTES_IN_PER_MSG,
	IPCB_COL_RECEIVER_KERNEL_BYTES_OUT_PER_MSG,
	IPCB_COL_RECEIVER_KERNEL_BYTES_IN_PER_MSG,
	IPCB_COL_KERNEL_OBJECTS,
	IPCB_COL_COUNT_SCOPE,
	/* The harness's own time per message beside the run (bench/cli/point.c). */
	IPCB_COL_HARNESS_NS,
	IPCB_CSV_NCOLS,
};

enum ipcb_csv_how {
	IPCB_CSV_TEXT,
	IPCB_CSV_INTEGER,
	IPCB_CSV_DECIMAL,
};

struct ipcb_csv_col {
	const char *name; /* the header's spelling */
	const char *unit; /* "ns", "bytes", "s", "bytes/s", ...; "" for text and plain counts */
	enum ipcb_csv_how how;
	int digits;	   /* IPCB_CSV_DECIMAL: digits after the point */
	const char *empty; /* what an empty field means here; NULL: never empty */
	const char *what;  /* one line for people (README, --help texts) */
};

/* The table, indexed by enum ipcb_csv_column, in header order. */
extern const struct ipcb_csv_col ipcb_csv_cols[IPCB_CSV_NCOLS];

/* The column of the percentile at place p of lib/percentiles.h. */
static inline enum ipcb_csv_column ipcb_csv_pct_col(enum ipcb_pct p)
{
	return (enum ipcb_csv_column)(IPCB_COL_MIN_NS + 1 + (int)p);
}

/* The column's header name; "" for a value outside the enum. */
const char *ipcb_csv_name(enum ipcb_csv_column c);
/* The column with this header name, or -1 when there is none. */
int ipcb_csv_find(const char *name);
/*
 * Is column c part of the machine fingerprint (host, kernel, CPU model, governor, boost, SMT,
 * THP, isolated CPUs, load average, virtualization, build type, version): where a row was
 * measured rather than what was measured, the same on every row of one run?
 */
bool ipcb_csv_is_machine(enum ipcb_csv_column c);
/*
 * The metrics a gate (compare) and the history follow, the first the default; which way is
 * better is part of the metric, not an option.
 */
struct ipcb_csv_metric {
	enum ipcb_csv_column column;
	bool lower_better;
};
#define IPCB_CSV_NMETRICS 4
extern const struct ipcb_csv_metric ipcb_csv_metrics[IPCB_CSV_NMETRICS];
/*
 * The metric named `name` into *out; -EINVAL with err naming the option (`what`), the bad value
 * and the metrics there are.
 */
int ipcb_csv_metric_parse(const char *name, const struct ipcb_csv_metric **out, const char *what,
			  char *err, size_t errlen);
/* The metrics, for an option's help: the first the default, with which way is better. */
void ipcb_csv_metric_help(char *out, size_t n);
/* The longest the header may be (the unit test checks the table's fits). */
#define IPCB_CSV_HEADER_MAX 2047
/* The header line (every name in table order, comma-separated), without a newline. */
const char *ipcb_csv_header(void);

/* ---- writing ---- */

struct ipcb_csv_value {
	enum {
		IPCB_CSV_UNSET,
		IPCB_CSV_SET_TEXT,
		IPCB_CSV_SET_INT,
		IPCB_CSV_SET_UINT,
		IPCB_CSV_SET_DOUBLE
	} set;
	union {
		const char *text; /* not copied: must live until the record is written */
		int64_t i;
		uint64_t u;
		double d;
	};
};

/* One row being filled: every column starts empty. */
struct ipcb_csv_record {
	struct ipcb_csv_value v[IPCB_CSV_NCOLS];
	int misuse; /* the first column given a value its table entry cannot hold, or -1 */
};

void ipcb_csv_record_init(struct ipcb_csv_record *rec);
/* A text column; NULL leaves it empty. */
void ipcb_csv_set_text(struct ipcb_csv_record *rec, enum ipcb_csv_column c, const char *s);
/* An integer column. */
void ipcb_csv_set_int(struct ipcb_csv_record *rec, enum ipcb_csv_column c, int64_t v);
void ipcb_csv_set_uint(struct ipcb_csv_record *rec, enum ipcb_csv_column c, uint64_t v);
/* A decimal column, written with the table's digits. */
void ipcb_csv_set_decimal(struct ipcb_csv_record *rec, enum ipcb_csv_column c, double v);

/*
 * Write the record as one CSV line, newline included, every column in table order. Returns 0, or
 * -EINVAL without writing anything when a column was given a value of the wrong kind or a
 * never-empty column was left empty (*bad, when not NULL, names that column).
 */
int ipcb_csv_record_write(FILE *f, const struct ipcb_csv_record *rec, int *bad);

/* ---- reading ---- */

#define IPCB_CSV_ABSENT SIZE_MAX

/* Where a file's header put the columns this version knows. */
struct ipcb_csv_map {
	size_t at[IPCB_CSV_NCOLS]; /* 0-based field of the column's first occurrence, or ABSENT */
	size_t again[IPCB_CSV_NCOLS]; /* a second field with the same name, or ABSENT */
};

/* Map the current record of r, read as a header. Unknown names are ignored. */
void ipcb_csv_map_header(struct ipcb_csv_map *m, const struct ipcb_csvread *r);
/* Column c of r's current record: its text, or "" when the file has no such column or the
 * record is shorter. */
const char *ipcb_csv_field(const struct ipcb_csvread *r, const struct ipcb_csv_map *m,
			   enum ipcb_csv_column c);

#endif /* IPCB_CSVSCHEMA_H */
