/* SPDX-License-Identifier: MIT */
/* csvschema.c - the CSV column table and the record writer; see csvschema.h. */
#include "csvschema.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "parse.h"

/* How each column of csvcolumns.def is written: the fields of its table entry. */
#define TEXT(nm, empty_, what_)                                                                    \
	.name = nm, .unit = "", .how = IPCB_CSV_TEXT, .empty = empty_, .what = what_
#define INTEGER(nm, unit_, empty_, what_)                                                          \
	.name = nm, .unit = unit_, .how = IPCB_CSV_INTEGER, .empty = empty_, .what = what_
#define DECIMAL(nm, unit_, digits_, empty_, what_)                                                 \
	.name = nm, .unit = unit_, .how = IPCB_CSV_DECIMAL, .digits = digits_, .empty = empty_,    \
	.what = what_

/* What an empty field says, in the words the table uses most. */
#define NOT_MEASURED "not measured"
#define NOT_KNOWN    "not known on this machine"
#define NOT_PEER     "not a two-host row, or not known there"
#define NOT_COUNTED  "a counted row (`--count`): its times are callgrind's, not the run's"
#define NO_SWITCHES  "a row of no run of its own (`host_pair`)"

/* clang-format off */
static_assert(IPCB_COL_MAX_NS == IPCB_COL_MIN_NS + 1 + IPCB_NPCT,
	      "ipcb_csv_pct_col(): the percentiles' columns lie between the smallest latency's "
	      "and the largest's");

const struct ipcb_csv_col ipcb_csv_cols[IPCB_CSV_NCOLS] = {
#define COLUMN(id, role_, how) [IPCB_COL_##id] = {how, .role = IPCB_CSV_##role_},
#include "csvcolumns.def"
#undef COLUMN
};
/* clang-format on */

const struct ipcb_csv_metric ipcb_csv_metrics[IPCB_CSV_NMETRICS] = {
    {IPCB_COL_BYTES_PER_S, false},
    {IPCB_COL_MSGS_PER_S, false},
    {IPCB_COL_P50_NS, true},
    {IPCB_COL_P99_NS, true},
};

int ipcb_csv_metric_parse(const char *name, const struct ipcb_csv_metric **out, const char *what,
			  char *err, size_t errlen)
{
	for (size_t m = 0; m < IPCB_CSV_NMETRICS; m++)
		if (strcmp(name, ipcb_csv_name(ipcb_csv_metrics[m].column)) == 0) {
			*out = &ipcb_csv_metrics[m];
			return 0;
		}
	return ipcb_parse_fail(
	    err, errlen, "%s: '%s' is not one of %s, %s, %s, %s", what, name,
	    ipcb_csv_name(ipcb_csv_metrics[0].column), ipcb_csv_name(ipcb_csv_metrics[1].column),
	    ipcb_csv_name(ipcb_csv_metrics[2].column), ipcb_csv_name(ipcb_csv_metrics[3].column));
}

/* Named from the table: a renamed column renames itself in every command's help. */
void ipcb_csv_metric_help(char *out, size_t n)
{
	snprintf(
	    out, n, "%s (default), %s (higher is better),\n%s or %s (lower is better)",
	    ipcb_csv_name(ipcb_csv_metrics[0].column), ipcb_csv_name(ipcb_csv_metrics[1].column),
	    ipcb_csv_name(ipcb_csv_metrics[2].column), ipcb_csv_name(ipcb_csv_metrics[3].column));
}

const char *ipcb_csv_name(enum ipcb_csv_column c)
{
	return (unsigned)c < IPCB_CSV_NCOLS && ipcb_csv_cols[c].name ? ipcb_csv_cols[c].name : "";
}

int ipcb_csv_find(const char *name)
{
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		if (ipcb_csv_cols[c].name && strcmp(ipcb_csv_cols[c].name, name) == 0)
			return c;
	return -1;
}

bool ipcb_csv_is_machine(enum ipcb_csv_column c)
{
	return (unsigned)c < IPCB_CSV_NCOLS && ipcb_csv_cols[c].role == IPCB_CSV_MACHINE;
}

const char *ipcb_csv_header(void)
{
	/* Built once, on first use; ipcbench's processes call it from one thread. */
	static char header[IPCB_CSV_HEADER_MAX + 1];
	size_t len = 0;

	if (header[0])
		return header;
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const char *name = ipcb_csv_name((enum ipcb_csv_column)c);
		size_t n = strlen(name);

		/* The unit test checks the whole header fits; a cut one would be refused anyway. */
		if (len + n + 2 > sizeof(header))
			break;
		if (c)
			header[len++] = ',';
		memcpy(header + len, name, n);
		len += n;
	}
	header[len] = '\0';
	return header;
}

void ipcb_csv_record_init(struct ipcb_csv_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->misuse = -1;
}

/* Give column c a value of kind `how`, or remember that the table says otherwise. */
static struct ipcb_csv_value *record_slot(struct ipcb_csv_record *rec, enum ipcb_csv_column c,
					  enum ipcb_csv_how how)
{
	if ((unsigned)c >= IPCB_CSV_NCOLS || ipcb_csv_cols[c].how != how) {
		if (rec->misuse < 0)
			rec->misuse = (unsigned)c < IPCB_CSV_NCOLS ? (int)c : IPCB_CSV_NCOLS;
		return NULL;
	}
	return &rec->v[c];
}

void ipcb_csv_set_text(struct ipcb_csv_record *rec, enum ipcb_csv_column c, const char *s)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_TEXT);

	if (v && s) {
		v->set = IPCB_CSV_SET_TEXT;
		v->text = s;
	}
}

void ipcb_csv_set_int(struct ipcb_csv_record *rec, enum ipcb_csv_column c, int64_t i)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_INTEGER);

	if (v) {
		v->set = IPCB_CSV_SET_INT;
		v->i = i;
	}
}

void ipcb_csv_set_uint(struct ipcb_csv_record *rec, enum ipcb_csv_column c, uint64_t u)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_INTEGER);

	if (v) {
		v->set = IPCB_CSV_SET_UINT;
		v->u = u;
	}
}

void ipcb_csv_set_decimal(struct ipcb_csv_record *rec, enum ipcb_csv_column c, double d)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_DECIMAL);

	if (v) {
		v->set = IPCB_CSV_SET_DOUBLE;
		v->d = d;
	}
}

int ipcb_csv_record_write(FILE *f, const struct ipcb_csv_record *rec, int *bad)
{
	/* Checked before anything is written: a row goes out whole or not at all. */
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		bool empty = rec->v[c].set == IPCB_CSV_UNSET ||
			     (rec->v[c].set == IPCB_CSV_SET_TEXT && !rec->v[c].text[0]);

		if (rec->misuse == c || (empty && !ipcb_csv_cols[c].empty)) {
			if (bad)
				*bad = c;
			return -EINVAL;
		}
	}
	if (rec->misuse >= 0) {
		if (bad)
			*bad = rec->misuse;
		return -EINVAL;
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const struct ipcb_csv_value *v = &rec->v[c];

		if (c)
			fputc(',', f);
		switch (v->set) {
		case IPCB_CSV_SET_TEXT:
			ipcb_csv_text(f, v->text);
			break;
		case IPCB_CSV_SET_INT:
			fprintf(f, "%" PRId64, v->i);
			break;
		case IPCB_CSV_SET_UINT:
			fprintf(f, "%" PRIu64, v->u);
			break;
		case IPCB_CSV_SET_DOUBLE:
			fprintf(f, "%.*f", ipcb_csv_cols[c].digits, v->d);
			break;
		case IPCB_CSV_UNSET:
			break;
		}
	}
	fputc('\n', f);
	return 0;
}

void ipcb_csv_map_header(struct ipcb_csv_map *m, const struct ipcb_csvread *r)
{
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		m->at[c] = m->again[c] = IPCB_CSV_ABSENT;
	for (size_t i = 0; i < ipcb_csvread_nfields(r); i++) {
		int c = ipcb_csv_find(ipcb_csvread_field(r, i));

		if (c < 0)
			continue;
		if (m->at[c] == IPCB_CSV_ABSENT)
			m->at[c] = i;
		else if (m->again[c] == IPCB_CSV_ABSENT)
			m->again[c] = i;
	}
}

const char *ipcb_csv_field(const struct ipcb_csvread *r, const struct ipcb_csv_map *m,
			   enum ipcb_csv_column c)
{
	size_t i = (unsigned)c < IPCB_CSV_NCOLS ? m->at[c] : IPCB_CSV_ABSENT;

	return i != IPCB_CSV_ABSENT && i < ipcb_csvread_nfields(r) ? ipcb_csvread_field(r, i) : "";
}
