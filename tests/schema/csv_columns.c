/* SPDX-License-Identifier: MIT */
/*
 * csv_columns.c - the CSV column table (lib/csvschema.c) as text, for the README and the tests
 * that hold the README and the sources to it.
 *
 *   csv_columns --names      one column name per line, in table order
 *   csv_columns --markdown   the README's table of columns (scripts/csv-columns puts it there)
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

int main(int argc, char **argv)
{
	bool names = argc == 2 && strcmp(argv[1], "--names") == 0;
	bool markdown = argc == 2 && strcmp(argv[1], "--markdown") == 0;

	if (!names && !markdown) {
		fprintf(stderr, "usage: %s --names | --markdown\n", argv[0]);
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
		printf("| `%s` | %s | %s | %s | %s |\n", col->name, col->unit, how,
		       col->empty ? col->empty : "never empty", col->what);
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
