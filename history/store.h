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

struct ipcb_histdb;
/*
 * A run's identity (merge.c): the hash of its machine's fingerprint and its rows, every column
 * of each (their timestamps among them), in 64 hex digits. 0, -ENODATA for a run without rows.
 */
int ipcb_history_identity(struct ipcb_histdb *h, long long id, char out[65], char *err,
			  size_t errlen);
/* The stored run with this identity other than not_id, or 0. */
long long ipcb_history_identity_find(struct ipcb_histdb *h, const char *identity, long long not_id);
/*
 * Record run id's identity; -EEXIST, with err naming the stored run, where another has it (the
 * same run stored or imported twice). A run without rows is left without one.
 */
int ipcb_history_identity_set(struct ipcb_histdb *h, long long id, char *err, size_t errlen);
/*
 * Copy into the history db (made when missing) every run of the history `other` it lacks, by
 * identity, with its rows, in one transaction: *copied and *present (already there). 0 or a
 * negative errno with err saying why (nothing copied).
 */
int ipcb_history_merge(const char *db, const char *other, size_t *copied, size_t *present,
		       char *err, size_t errlen);

#endif /* IPCB_HISTORY_STORE_H */
