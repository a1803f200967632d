/* SPDX-License-Identifier: MIT */
/* store.h - the history's own use of store.c: CSV files read whole, and importing one. */
#ifndef IPCB_HISTORY_STORE_H
#define IPCB_HISTORY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "csvschema.h"
#include "rows.h"

/* An ipcbench CSV (or --json file, read as the CSV it was written from), row by row. */
struct ipcb_history_csv {
	struct ipcb_rows rows; /* read whole, by the one loader (rows.h) */
	size_t next;
};

/* Read the file (rows.h). 0, or -errno with err naming the file (and line). */
int ipcb_history_open_csv(struct ipcb_history_csv *c, const char *path, char *err, size_t errlen);
/*
 * The next row: vals[c] is column c's text ("" when empty or not in the file), valid until the
 * file is closed. 1 a row, 0 the end.
 */
int ipcb_history_next_csv(struct ipcb_history_csv *c, const char *vals[IPCB_CSV_NCOLS]);
void ipcb_history_close_csv(struct ipcb_history_csv *c);

/*
 * Store the CSV `path` as one complete run of the history `db`, in one transaction: started and
 * finished are its rows' first and last timestamps, `commit` its commit (NULL: none), `source`
 * what made it (NULL: "import PATH"). *id and *rows say what was stored.
 */
int ipcb_history_import(const char *db, const char *path, const char *commit, const char *source,
			long long *id, size_t *rows, char *err, size_t errlen);

#endif /* IPCB_HISTORY_STORE_H */
