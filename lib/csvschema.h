/* SPDX-License-Identifier: MIT */
/*
 * csvschema.h - the columns of ipcbench's CSV, in one table made from their one list
 * (csvcolumns.def): the writer (bench/cli/output.c) fills a record column by column and the table
 * decides the header, the order and how each value is written; the readers (compare, report,
 * history) find the columns they need by the same enum. No column name is spelled anywhere else,
 * so a renamed or added column cannot leave one of them behind.
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

/* Every column, IPCB_COL_TRANSPORT ..., in header order (csvcolumns.def). */
enum ipcb_csv_column {
#define COLUMN(id, role, how) IPCB_COL_##id,
#include "csvcolumns.def"
#undef COLUMN
	IPCB_CSV_NCOLS,
};

/* A column's role in telling rows apart (csvcolumns.def). */
enum ipcb_csv_role {
	IPCB_CSV_ROW,	  /* a value of the row */
	IPCB_CSV_KEY,	  /* a setting that names the experiment */
	IPCB_CSV_MACHINE, /* part of the machine's fingerprint */
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
	enum ipcb_csv_role role;
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
