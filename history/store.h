/* SPDX-License-Identifier: MIT */
/* store.h - the history's own use of store.c: CSV files read whole, and importing one. */
#ifndef IPCB_HISTORY_STORE_H
#define IPCB_HISTORY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "csvread.h"
#include "csvschema.h"
#include "gbjson.h"

/* An ipcbench CSV (or --json file, read as the CSV it was written from), row by row. */
struct ipcb_history_csv {
	const char *path;
	char *buf;
	size_t len;
	bool json;
	struct ipcb_gbjson_csv js;
	struct ipcb_csvread r;
	struct ipcb_csv_map map;
	size_t nheader, nrows;
};

/* Read the file and its header. 0, or -errno with err naming the file (and line). */
int ipcb_history_open_csv(struct ipcb_history_csv *c, const char *path, char *err, size_t errlen);
/*
 * The next row: vals[c] is column c's text ("" when empty or not in the file), valid until the
 * next call. 1 a row, 0 the end, -EINVAL with err naming the file and row.
 */
int ipcb_history_next_csv(struct ipcb_history_csv *c, const char *vals[IPCB_CSV_NCOLS], char *err,
			  size_t errlen);
void ipcb_history_close_csv(struct ipcb_history_csv *c);

/*
 * Store the CSV `path` as one complete run of the history `db`, in one transaction: started and
 * finished are its rows' first and last timestamps, `commit` its commit (NULL: none), `source`
 * what made it (NULL: "import PATH"). *id and *rows say what was stored.
 */
int ipcb_history_import(const char *db, const char *path, const char *commit, const char *source,
			long long *id, size_t *rows, char *err, size_t errlen);

#endif /* IPCB_HISTORY_STORE_H */
