/* SPDX-License-Identifier: MIT */
/*
 * pg.h - PostgreSQL's side of sql.h: a history on a server many runners share, through libpq
 * (the real client library, opened on first use), with the behaviour of SQLite's calls that the
 * history's code relies on:
 *   - parameters written `?` or `?N` (PostgreSQL's $N), each bound as text (the server converts
 *     it to its column's type), and `IS NOT ?` as IS DISTINCT FROM;
 *   - a statement's result taken row by row (step), its columns by number and name, before the
 *     first row too (a SELECT ... LIMIT 0 for the columns a table has);
 *   - the id of the run an INSERT INTO runs made (RETURNING id, added here), for
 *     last_insert_rowid;
 *   - "BEGIN IMMEDIATE" as BEGIN.
 * Results are SQLite's codes: SQLITE_OK, SQLITE_ROW, SQLITE_DONE, SQLITE_CANTOPEN (no
 * connection), SQLITE_CONSTRAINT (a unique key), SQLITE_ERROR, with the server's message.
 */
#ifndef IPCB_HISTORY_PG_H
#define IPCB_HISTORY_PG_H

#include <stdbool.h>
#include <stddef.h>

struct ipcb_pg;
struct ipcb_pgst;

/* Open libpq (Debian's libpq5) once; 0, or -ENOENT with err naming the package. */
int ipcb_pg_load(char *err, size_t errlen);
/* Connect with a libpq connection string; *out set even when it fails (its message). */
int ipcb_pg_open(const char *conninfo, struct ipcb_pg **out);
void ipcb_pg_close(struct ipcb_pg *c);
const char *ipcb_pg_errmsg(struct ipcb_pg *c);
/*
 * Statements, ";"-separated, without parameters; cb (where not NULL) called with each row of the
 * last one's result, as SQLite's exec does; *msg the error (malloc's) or NULL.
 */
int ipcb_pg_exec(struct ipcb_pg *c, const char *sql, int (*cb)(void *, int, char **, char **),
		 void *arg, char **msg);
int ipcb_pg_prepare(struct ipcb_pg *c, const char *sql, struct ipcb_pgst **out);
int ipcb_pg_step(struct ipcb_pgst *st);
void ipcb_pg_reset(struct ipcb_pgst *st);
void ipcb_pg_clear(struct ipcb_pgst *st);
void ipcb_pg_finalize(struct ipcb_pgst *st);
/* Parameter i (from 1) as text, NULL for NULL. */
int ipcb_pg_bind(struct ipcb_pgst *st, int i, const char *v);
int ipcb_pg_ncols(struct ipcb_pgst *st);
bool ipcb_pg_isnull(struct ipcb_pgst *st, int i);
/* The current row's column i (NULL where it is NULL), and a column's name. */
const char *ipcb_pg_text(struct ipcb_pgst *st, int i);
const char *ipcb_pg_name(struct ipcb_pgst *st, int i);
long long ipcb_pg_last_id(struct ipcb_pg *c);

#endif /* IPCB_HISTORY_PG_H */
