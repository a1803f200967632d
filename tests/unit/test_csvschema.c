/* SPDX-License-Identifier: MIT */
/*
 * test_csvschema.c - the CSV column table keeps its promises: every column named once, in the
 * header in table order; a record is written in that order, each value as its column says, and
 * a record that does not fit the table (a value of another kind, a never-empty column left
 * empty) is refused whole; a header read back maps every known column to its field and notices
 * a name given twice.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "csvread.h"
#include "csvschema.h"

/* Write rec to a string; rc and *bad as ipcb_csv_record_write() left them. */
static char *record_text(const struct ipcb_csv_record *rec, int *rc, int *bad)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*rc = ipcb_csv_record_write(f, rec, bad);
	fclose(f);
	return buf;
}

/* A record with every never-empty column filled with a plain value of its kind. */
static void record_minimal(struct ipcb_csv_record *rec)
{
	ipcb_csv_record_init(rec);
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		if (ipcb_csv_cols[c].empty)
			continue;
		switch (ipcb_csv_cols[c].how) {
		case IPCB_CSV_TEXT:
			ipcb_csv_set_text(rec, (enum ipcb_csv_column)c, "t");
			break;
		case IPCB_CSV_INTEGER:
			ipcb_csv_set_uint(rec, (enum ipcb_csv_column)c, 7);
			break;
		case IPCB_CSV_DECIMAL:
			ipcb_csv_set_decimal(rec, (enum ipcb_csv_column)c, 0.5);
			break;
		}
	}
}

/* Field c of one written line, read back with the project's reader. */
static char *field_of(const char *line, int c)
{
	struct ipcb_csvread r;
	char *out = NULL;

	ipcb_csvread_init_buffer(&r, line, strlen(line), 0, 0);
	if (ipcb_csvread_next(&r) == 1 && ipcb_csvread_nfields(&r) == IPCB_CSV_NCOLS)
		out = strdup(ipcb_csvread_field(&r, (size_t)c));
	ipcb_csvread_fini(&r);
	return out;
}

static void test_table(void)
{
	const char *header = ipcb_csv_header();
	char want[4096] = "";
	size_t at = 0;
	int named = 0, unique = 0, shaped = 0, described = 0, digits = 0, found = 0;

	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const struct ipcb_csv_col *col = &ipcb_csv_cols[c];
		bool dup = false;

		if (!col->name || !col->unit || !col->what) {
			tap_diag("column %d has no name, unit or description", c);
			continue;
		}
		named++;
		for (int d = 0; d < c; d++)
			dup |=
			    ipcb_csv_cols[d].name && strcmp(ipcb_csv_cols[d].name, col->name) == 0;
		unique += !dup;
		shaped +=
		    col->name[0] &&
		    strspn(col->name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(col->name);
		described += col->what[0] != '\0' && (!col->empty || col->empty[0]);
		digits += col->how == IPCB_CSV_DECIMAL ? col->digits > 0 && col->digits < 10
						       : col->digits == 0;
		found += ipcb_csv_find(col->name) == c &&
			 strcmp(ipcb_csv_name((enum ipcb_csv_column)c), col->name) == 0;
		/* The header is the names in table order, one comma between each. */
		at += (size_t)snprintf(want + at, at < sizeof(want) ? sizeof(want) - at : 0, "%s%s",
				       c ? "," : "", col->name);
	}
	ok_eq(named, IPCB_CSV_NCOLS,
	      "every column has a name, a unit (maybe \"\") and a description");
	ok_eq(unique, IPCB_CSV_NCOLS, "no name is given to two columns");
	ok_eq(shaped, IPCB_CSV_NCOLS, "every name is lower case letters, digits and underscores");
	ok_eq(described, IPCB_CSV_NCOLS,
	      "every description and every 'empty means' says something");
	ok_eq(digits, IPCB_CSV_NCOLS, "decimals have 1..9 digits, other columns none");
	ok_eq(found, IPCB_CSV_NCOLS, "every name finds its own column");
	ok(at < sizeof(want) && strcmp(header, want) == 0 && strlen(header) <= IPCB_CSV_HEADER_MAX,
	   "the header is every name in table order, whole (%zu bytes of %zu)", strlen(header), at);
	ok(ipcb_csv_find("no_such_column") == -1 && ipcb_csv_find("") == -1 &&
	       ipcb_csv_find("Transport") == -1,
	   "an unknown name finds no column");
	ok(strcmp(ipcb_csv_name(IPCB_CSV_NCOLS), "") == 0 &&
	       strcmp(ipcb_csv_name((enum ipcb_csv_column) - 1), "") == 0,
	   "a column outside the table has no name");
}

static void test_write(void)
{
	struct ipcb_csv_record rec;
	int rc = 1, bad = -1, text_col = -1, int_col = -1, dec_col = -1, never_empty = -1,
	    commas = 0;
	char *s, *f;

	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		if (ipcb_csv_cols[c].how == IPCB_CSV_TEXT && ipcb_csv_cols[c].empty && text_col < 0)
			text_col = c;
		if (ipcb_csv_cols[c].how == IPCB_CSV_INTEGER && ipcb_csv_cols[c].empty &&
		    int_col < 0)
			int_col = c;
		if (ipcb_csv_cols[c].how == IPCB_CSV_DECIMAL && ipcb_csv_cols[c].digits >= 2 &&
		    dec_col < 0)
			dec_col = c;
		if (!ipcb_csv_cols[c].empty && never_empty < 0)
			never_empty = c;
	}
	if (!ok(text_col >= 0 && int_col >= 0 && dec_col >= 0 && never_empty >= 0,
		"the table has a text, an integer and a decimal column, and a never-empty one"))
		return;

	record_minimal(&rec);
	s = record_text(&rec, &rc, &bad);
	for (const char *p = s; p && *p; p++)
		commas += *p == ',';
	ok(s && rc == 0 && commas == IPCB_CSV_NCOLS - 1 && s[strlen(s) - 1] == '\n',
	   "a record with the never-empty columns filled is one line of %d fields", IPCB_CSV_NCOLS);
	free(s);

	record_minimal(&rec);
	ipcb_csv_set_text(&rec, (enum ipcb_csv_column)text_col, "a, \"b\"\nc");
	ipcb_csv_set_int(&rec, (enum ipcb_csv_column)int_col, -42);
	ipcb_csv_set_decimal(&rec, (enum ipcb_csv_column)dec_col, 1.0 / 3);
	s = record_text(&rec, &rc, &bad);
	f = s ? field_of(s, text_col) : NULL;
	ok(f && strcmp(f, "a, \"b\"\nc") == 0 && strstr(s, "\"a, \"\"b\"\"\nc\""),
	   "text is quoted when it must be and reads back as written (%s)",
	   ipcb_csv_name((enum ipcb_csv_column)text_col));
	free(f);
	f = s ? field_of(s, int_col) : NULL;
	ok(f && strcmp(f, "-42") == 0, "a signed integer is written as such (%s)",
	   ipcb_csv_name((enum ipcb_csv_column)int_col));
	free(f);
	f = s ? field_of(s, dec_col) : NULL;
	ok(f && strlen(f) == 2 + (size_t)ipcb_csv_cols[dec_col].digits &&
	       strncmp(f, "0.33", 4) == 0,
	   "a decimal has the table's digits (%s: %s, %d digits)",
	   ipcb_csv_name((enum ipcb_csv_column)dec_col), f ? f : "?",
	   ipcb_csv_cols[dec_col].digits);
	free(f);
	free(s);

	record_minimal(&rec);
	ipcb_csv_set_uint(&rec, (enum ipcb_csv_column)int_col, UINT64_MAX);
	ipcb_csv_set_text(&rec, (enum ipcb_csv_column)text_col, NULL);
	s = record_text(&rec, &rc, &bad);
	f = s ? field_of(s, int_col) : NULL;
	ok(f && strcmp(f, "18446744073709551615") == 0, "an unsigned integer is written whole");
	free(f);
	f = s ? field_of(s, text_col) : NULL;
	ok(f && f[0] == '\0', "a NULL text leaves its column empty");
	free(f);
	free(s);

	record_minimal(&rec);
	ipcb_csv_set_decimal(&rec, (enum ipcb_csv_column)int_col, 1.5);
	bad = -1;
	s = record_text(&rec, &rc, &bad);
	ok(rc == -EINVAL && bad == int_col && s && s[0] == '\0',
	   "a decimal given to an integer column is refused, naming it, and nothing is written");
	free(s);

	record_minimal(&rec);
	ipcb_csv_set_int(&rec, (enum ipcb_csv_column)text_col, 1);
	bad = -1;
	s = record_text(&rec, &rc, &bad);
	ok(rc == -EINVAL && bad == text_col && s && s[0] == '\0',
	   "an integer given to a text column is refused, naming it");
	free(s);

	record_minimal(&rec);
	ipcb_csv_set_uint(&rec, IPCB_CSV_NCOLS, 1);
	bad = -1;
	s = record_text(&rec, &rc, &bad);
	ok(rc == -EINVAL && bad == IPCB_CSV_NCOLS && s && s[0] == '\0',
	   "a column outside the table is refused");
	free(s);

	ipcb_csv_record_init(&rec);
	bad = -1;
	s = record_text(&rec, &rc, &bad);
	ok(rc == -EINVAL && bad == never_empty && s && s[0] == '\0',
	   "a never-empty column left empty is refused, naming it (%s)",
	   ipcb_csv_name((enum ipcb_csv_column)never_empty));
	free(s);

	record_minimal(&rec);
	if (ipcb_csv_cols[never_empty].how == IPCB_CSV_TEXT) {
		ipcb_csv_set_text(&rec, (enum ipcb_csv_column)never_empty, "");
		bad = -1;
		s = record_text(&rec, &rc, &bad);
		ok(rc == -EINVAL && bad == never_empty, "an empty text counts as empty (%s)",
		   ipcb_csv_name((enum ipcb_csv_column)never_empty));
		free(s);
	}
}

static void test_map(void)
{
	/* Some known columns out of order, one twice, one unknown; a short record after it. */
	char text[512];
	struct ipcb_csvread r;
	struct ipcb_csv_map m;
	int c1 = IPCB_COL_P50_NS, c2 = IPCB_COL_TRANSPORT, c3 = IPCB_COL_VERSION;

	snprintf(text, sizeof(text), "%s,zzz_unknown,%s,%s,%s\nv1,v2,v3\n", ipcb_csv_name(c1),
		 ipcb_csv_name(c2), ipcb_csv_name(c1), ipcb_csv_name(c3));
	ipcb_csvread_init_buffer(&r, text, strlen(text), 0, 0);
	if (!ok(ipcb_csvread_next(&r) == 1, "a header reads"))
		return;
	ipcb_csv_map_header(&m, &r);
	ok(m.at[c1] == 0 && m.again[c1] == 3,
	   "a column named twice: its first field, and the second");
	ok(m.at[c2] == 2 && m.again[c2] == IPCB_CSV_ABSENT && m.at[c3] == 4,
	   "columns are found wherever the header puts them");
	ok(m.at[IPCB_COL_HOST] == IPCB_CSV_ABSENT, "a column the file lacks is absent");
	ok(ipcb_csvread_next(&r) == 1, "a short record reads");
	ok(strcmp(ipcb_csv_field(&r, &m, (enum ipcb_csv_column)c1), "v1") == 0 &&
	       strcmp(ipcb_csv_field(&r, &m, (enum ipcb_csv_column)c2), "v3") == 0,
	   "a column's field is found through the map");
	ok(strcmp(ipcb_csv_field(&r, &m, (enum ipcb_csv_column)c3), "") == 0 &&
	       strcmp(ipcb_csv_field(&r, &m, IPCB_COL_HOST), "") == 0,
	   "a field beyond the record, or of an absent column, is empty");
	ipcb_csvread_fini(&r);
}

int main(void)
{
	test_table();
	test_write();
	test_map();
	return tap_done();
}
