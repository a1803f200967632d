/* SPDX-License-Identifier: MIT */
/*
 * dbtool.c - for the history tests: run SQL on a database (an SQLite file, or a postgresql://
 * connection string) with the library itself, none of ipcbench's checks, to make the files those
 *checks must refuse (a newer schema, another program's tables, a column an older ipcbench did not
 *have) and to look inside the ones it writes. Prints each result row's columns separated by tabs.
 *
 *	dbtool DB SQL
 */
#include <stdio.h>

#include "sql.h"

static int row(void *ctx, int n, char **val, char **name)
{
	(void)ctx;
	(void)name;
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", val[i] ? val[i] : "");
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	char err[512], *msg = NULL;
	ipcb_conn *db = NULL;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: dbtool DB SQL\n");
		return 2;
	}
	if (ipcb_sql_load(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "dbtool: %s\n", err);
		return 1;
	}
	rc = ipcb_sql.open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		ipcb_sql.busy_timeout(db, 10000);
		rc = ipcb_sql.exec(db, argv[2], row, NULL, &msg);
	}
	if (rc != SQLITE_OK)
		fprintf(stderr, "dbtool: %s: %s\n", argv[1],
			msg  ? msg
			: db ? ipcb_sql.errmsg(db)
			     : ipcb_sql.errstr(rc));
	ipcb_sql.free(msg);
	ipcb_sql.close_v2(db);
	return rc == SQLITE_OK ? 0 : 1;
}
