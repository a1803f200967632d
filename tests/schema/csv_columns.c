/* SPDX-License-Identifier: MIT */
/*
 * csv_columns.c - the CSV column table (lib/csvcolumns.def) as text, for the README and the tests
 * that hold the README and the sources to it.
 *
 *   csv_columns --names      one column name per line, in table order
 *   csv_columns --markdown   the README's table of columns (scripts/csv-columns puts it there)
 *   csv_columns --man        the same for the man page, doc/ipcbench.1 (roff)
 */
#include <stdio.h>
#include <string.h>

#include "csvschema.h"

static void written_as(const struct ipcb_csv_col *col, char *out, size_t n)
{
	switch (col->how) {
	case IPCB_CSV_TEXT:
		snprintf(out, n, "text");
		break;
	case IPCB_CSV_INTEGER:
		snprintf(out, n, "integer");
		break;
	case IPCB_CSV_DECIMAL:
		snprintf(out, n, "decimal, %d digit%s", col->digits, col->digits == 1 ? "" : "s");
		break;
	}
}

/*
 * A description as roff text: `code` in bold with its hyphens as \-, backslashes as \e, and a
 * line that would start with a control character guarded by \&.
 */
static void man_text(const char *s)
{
	bool code = false;

	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '`') {
			fputs(code ? "\\fR" : "\\fB", stdout);
			code = !code;
		} else if (*s == '\\') {
			fputs("\\e", stdout);
		} else if (*s == '-' && code) {
			fputs("\\-", stdout);
		} else {
			putchar(*s);
		}
	}
	if (code)
		fputs("\\fR", stdout);
}

/* One column as a tagged paragraph of the man page. */
static void man_column(const struct ipcb_csv_col *col, const char *how)
{
	printf(".TP\n.B %s\n", col->name);
	man_text(col->what);
	printf(".\n");
	man_text(how);
	if (col->unit[0]) {
		printf(", in ");
		man_text(col->unit);
	}
	if (col->empty) {
		printf("; empty: ");
		man_text(col->empty);
		printf(".\n");
	} else {
		printf("; never empty.\n");
	}
}

int main(int argc, char **argv)
{
	bool names = argc == 2 && strcmp(argv[1], "--names") == 0;
	bool markdown = argc == 2 && strcmp(argv[1], "--markdown") == 0;
	bool man = argc == 2 && strcmp(argv[1], "--man") == 0;

	if (!names && !markdown && !man) {
		fprintf(stderr, "usage: %s --names | --markdown | --man\n", argv[0]);
		return 2;
	}
	if (markdown)
		printf("| column | unit | written as | empty means | what it is |\n"
		       "|:---|:---|:---|:---|:---|\n");
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const struct ipcb_csv_col *col = &ipcb_csv_cols[c];
		char how[32];

		if (names) {
			printf("%s\n", col->name);
			continue;
		}
		written_as(col, how, sizeof(how));
		if (man) {
			how[0] = (char)(how[0] - 'a' + 'A');
			man_column(col, how);
			continue;
		}
		printf("| `%s` | %s | %s | %s | %s |\n", col->name, col->unit, how,
		       col->empty ? col->empty : "never empty", col->what);
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
