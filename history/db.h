/* SPDX-License-Identifier: MIT */
/*
 * db.h - the history database: opening it, its schema and their checks (history.h says what is
 * kept and why).
 *
 * Schema version 2 (SQLite's user_version; application_id IPCB_HISTDB_APP_ID marks the file
 * as ipcbench's):
 *
 *   runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
 *         writer TEXT, pid INTEGER, fingerprint TEXT, machine TEXT, build TEXT,
 *         git_commit TEXT, command TEXT, source TEXT NOT NULL, identity TEXT UNIQUE)
 *     started, finished: UTC, ISO 8601 ("2026-01-02T03:04:05Z"); finished NULL while a run is
 *     being written, and for ever when its writer was killed (a partial run);
 *     status: running, complete, failed (some of its runs failed), interrupted (stopped by a
 *     signal); writer and pid: the host and process that wrote it, to tell a run still being
 *     written from one whose writer is gone; fingerprint: history.h; machine: the fingerprint's
 *     values for people; build: the rows' version column; source: "ipcbench" for a run stored
 *     as it was measured, or what imported it ("import FILE", "ab-gate base", ...);
 *     identity: the hash of its machine and rows (merge.c), set when its rows are all in, so
 *     that the same run is never stored twice (version 2).
 *   rows (run_id INTEGER NOT NULL, seq INTEGER NOT NULL, then one column per CSV column,
 *         named as the CSV names it; PRIMARY KEY (run_id, seq))
 *     each value the CSV field's text, NULL for an empty field. A column the CSV gains later
 *     is added to the table by the first writer that knows it (ALTER TABLE ADD COLUMN, no new
 *     version: readers find columns by name, as CSV readers do).
 *   meta (key TEXT PRIMARY KEY, value TEXT): who created the file, and when.
 *
 * A new version appends its step to migrations[] in db.c; opening an older file for writing
 * applies the missing steps in one transaction.
 */
#ifndef IPCB_HISTORY_DB_H
#define IPCB_HISTORY_DB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvschema.h"
#include "sql.h"

#define IPCB_HISTDB_VERSION 2
#define IPCB_HISTDB_APP_ID  0x49504342 /* "IPCB" */
/* How long a writer waits for another's transaction before giving up (ms). */
#define IPCB_HISTDB_BUSY_MS 30000

struct ipcb_histdb {
	ipcb_conn *db;
	char path[PATH_MAX];
	bool write;
	bool immutable;		  /* read through immutable=1: the -wal could not be read */
	bool pg;		  /* on a PostgreSQL server: path is its connection string */
	bool col[IPCB_CSV_NCOLS]; /* the rows table has this column */
	char journal[16];	  /* the journal mode in use ("wal") */
};

/*
 * Open `path` for writing (created when missing, schema created or migrated) or for reading
 * (never created or changed). Refused, with err saying why and nothing written: a symbolic link
 * (writing), not a regular file, missing (reading), read-only (writing: -EROFS), not an SQLite
 * database or not an ipcbench history (-EINVAL), a newer schema (-EPROTONOSUPPORT), damaged
 * (quick_check fails: -EBADMSG). err names the path; `what` ("--db", or "") goes before it.
 */
int ipcb_histdb_open(struct ipcb_histdb *h, const char *path, bool write, const char *what,
		     char *err, size_t errlen);
void ipcb_histdb_close(struct ipcb_histdb *h);

/* SQLite's result rc as a negative errno, with err "PATH: WHAT: SQLite's message". */
int ipcb_histdb_fail(struct ipcb_histdb *h, const char *what, int rc, char *err, size_t errlen);
/* Run statements that return nothing. */
int ipcb_histdb_exec(struct ipcb_histdb *h, const char *sql, char *err, size_t errlen);
/* Prepare one statement. */
int ipcb_histdb_prepare(struct ipcb_histdb *h, const char *sql, ipcb_stmt **st, char *err,
			size_t errlen);

/* A column of a result as text, "" for NULL. */
const char *ipcb_histdb_text(ipcb_stmt *st, int col);

/* The columns that make the machine fingerprint (history.h). */
extern const enum ipcb_csv_column ipcb_histdb_machine_cols[4];
/*
 * The fingerprint of these values (in ipcb_histdb_machine_cols' order): 12 hex digits and a
 * NUL into fp, and the values for people into machine ("AMD EPYC 7B13; 6.1.0-18-amd64; kvm;
 * release").
 */
void ipcb_histdb_fingerprint(const char *const vals[4], char fp[13], char *machine, size_t n);

/* Now, as the runs table writes times. */
void ipcb_histdb_now(char out[32]);

#endif /* IPCB_HISTORY_DB_H */
