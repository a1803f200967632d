/* SPDX-License-Identifier: MIT */
/*
 * sql.h - SQLite, opened when a command first needs it.
 *
 * The results history is an SQLite database (Debian's libsqlite3, the real library). The core
 * binary does not link it: libsqlite3 maps 1.4 MB, which would take most of the room left under
 * the 8 MB address-space limit the core must start in (the modules test), and a run without
 * --db, like a pipe run without the zmq module, should map nothing it does not use. So the
 * library is opened with dlopen() the first time a history is opened, and its functions are
 * called through the table below; <sqlite3.h> gives only their types and constants.
 *
 * IPCB_SQL_FUNCS is the one list of the functions used: the table's members and the loader both
 * come from it. A member is the function's name without "sqlite3_": ipcb_sql.step(st).
 */
#ifndef IPCB_HISTORY_SQL_H
#define IPCB_HISTORY_SQL_H

#include <stddef.h>
#include <sqlite3.h>

/* The soname Debian's libsqlite3-0 installs; IPCB_SQLITE_SONAME overrides it at build time. */
#ifndef IPCB_SQLITE_SONAME
#define IPCB_SQLITE_SONAME "libsqlite3.so.0"
#endif

/* clang-format off */
#define IPCB_SQL_FUNCS(X)                                                                          \
	X(const char *, libversion, (void))                                                        \
	X(int, open_v2, (const char *, sqlite3 **, int, const char *))                             \
	X(int, close_v2, (sqlite3 *))                                                              \
	X(int, busy_timeout, (sqlite3 *, int))                                                     \
	X(int, exec, (sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *,     \
		      char **))                                                                    \
	X(void, free, (void *))                                                                    \
	X(const char *, errmsg, (sqlite3 *))                                                       \
	X(const char *, errstr, (int))                                                             \
	X(int, extended_errcode, (sqlite3 *))                                                      \
	X(int, db_readonly, (sqlite3 *, const char *))                                             \
	X(int, prepare_v2, (sqlite3 *, const char *, int, sqlite3_stmt **, const char **))         \
	X(int, step, (sqlite3_stmt *))                                                             \
	X(int, reset, (sqlite3_stmt *))                                                            \
	X(int, clear_bindings, (sqlite3_stmt *))                                                   \
	X(int, finalize, (sqlite3_stmt *))                                                         \
	X(int, bind_text, (sqlite3_stmt *, int, const char *, int, void (*)(void *)))              \
	X(int, bind_int64, (sqlite3_stmt *, int, sqlite3_int64))                                   \
	X(int, bind_null, (sqlite3_stmt *, int))                                                   \
	X(int, column_count, (sqlite3_stmt *))                                                     \
	X(int, column_type, (sqlite3_stmt *, int))                                                 \
	X(const unsigned char *, column_text, (sqlite3_stmt *, int))                               \
	X(const char *, column_name, (sqlite3_stmt *, int))                                        \
	X(sqlite3_int64, column_int64, (sqlite3_stmt *, int))                                      \
	X(sqlite3_int64, last_insert_rowid, (sqlite3 *))
/* clang-format on */

struct ipcb_sql {
#define IPCB_SQL_MEMBER(ret, name, args) ret(*name) args;
	IPCB_SQL_FUNCS(IPCB_SQL_MEMBER)
#undef IPCB_SQL_MEMBER
};

/* The functions, once ipcb_sql_load() has returned 0. */
extern struct ipcb_sql ipcb_sql;

/*
 * Open the library (once per process; later calls return at once). 0, or -ENOENT with err saying
 * which library could not be opened or which function it lacks, and which package provides it.
 */
int ipcb_sql_load(char *err, size_t errlen);

#endif /* IPCB_HISTORY_SQL_H */
