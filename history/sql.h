/* SPDX-License-Identifier: MIT */
/*
 * sql.h - the results history's database: SQLite (a file), or PostgreSQL (a server many runners
 * share: a postgresql:// connection string), each opened when a command first needs it, behind
 * one set of calls.
 *
 * The core binary links neither library: libsqlite3 maps 1.4 MB, which would take most of the
 * room left under the 8 MB address-space limit the core must start in (the modules test), and a
 * run without --db, like a pipe run without the zmq module, should map nothing it does not use.
 * So each library (Debian's libsqlite3, libpq) is opened with dlopen() the first time a history
 * of its kind is, and called through a table; <sqlite3.h> and <libpq-fe.h> give only types and
 * constants.
 *
 * The calls are SQLite's, by the same names without "sqlite3_" (ipcb_sql.step(st)), on a
 * connection (ipcb_conn) and a statement (ipcb_stmt) of either kind: the history's code is
 * written once, and pg.c gives PostgreSQL's connection the same behaviour (parameters `?` and
 * `?N`, a result row by row, the id of the last run inserted). SQLite's result codes and
 * constants (SQLITE_ROW, SQLITE_TRANSIENT, ...) are the calls' for both.
 */
#ifndef IPCB_HISTORY_SQL_H
#define IPCB_HISTORY_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

typedef struct ipcb_conn ipcb_conn;
typedef struct ipcb_stmt ipcb_stmt;

/* clang-format off */
struct ipcb_sql {
	int (*open_v2)(const char *name, ipcb_conn **c, int flags, const char *vfs);
	int (*close_v2)(ipcb_conn *c);
	int (*busy_timeout)(ipcb_conn *c, int ms);
	int (*exec)(ipcb_conn *c, const char *sql, int (*cb)(void *, int, char **, char **),
		    void *arg, char **msg);
	void (*free)(void *p);
	const char *(*errmsg)(ipcb_conn *c);
	const char *(*errstr)(int rc);
	int (*db_readonly)(ipcb_conn *c, const char *name);
	int (*prepare_v2)(ipcb_conn *c, const char *sql, int n, ipcb_stmt **st, const char **tail);
	int (*step)(ipcb_stmt *st);
	int (*reset)(ipcb_stmt *st);
	int (*clear_bindings)(ipcb_stmt *st);
	int (*finalize)(ipcb_stmt *st);
	int (*bind_text)(ipcb_stmt *st, int i, const char *v, int n, void (*d)(void *));
	int (*bind_int64)(ipcb_stmt *st, int i, long long v);
	int (*bind_null)(ipcb_stmt *st, int i);
	int (*column_count)(ipcb_stmt *st);
	int (*column_type)(ipcb_stmt *st, int i);
	const unsigned char *(*column_text)(ipcb_stmt *st, int i);
	const char *(*column_name)(ipcb_stmt *st, int i);
	long long (*column_int64)(ipcb_stmt *st, int i);
	long long (*last_insert_rowid)(ipcb_conn *c);
};
/* clang-format on */

extern const struct ipcb_sql ipcb_sql;

/* A PostgreSQL connection string (postgresql://... or postgres://...), not a file's name. */
bool ipcb_sql_is_pg(const char *name);
/*
 * name as messages and stored command lines show it: a PostgreSQL connection string's password
 * ("postgresql://user:SECRET@host", "password=SECRET") as "***", nothing else changed.
 */
void ipcb_sql_shown(const char *name, char *out, size_t n);

/*
 * Open the library a history called `name` needs (once per process; later calls return at
 * once). 0, or -ENOENT with err saying which library could not be opened or which function it
 * lacks, and which package provides it.
 */
int ipcb_sql_load(const char *name, char *err, size_t errlen);

#endif /* IPCB_HISTORY_SQL_H */
