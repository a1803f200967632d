/* SPDX-License-Identifier: MIT */
/*
 * sql.c - a history's connection, SQLite's or PostgreSQL's, behind SQLite's calls; see sql.h.
 * SQLite is opened on first use here, PostgreSQL in pg.c.
 */
#include "sql.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* The soname Debian's libsqlite3-0 installs; IPCB_SQLITE_SONAME overrides it at build time. */
#ifndef IPCB_SQLITE_SONAME
#define IPCB_SQLITE_SONAME "libsqlite3.so.0"
#endif

/* clang-format off */
#define LITE_FUNCS(X)                                                                              \
	X(int, open_v2, (const char *, sqlite3 **, int, const char *))                             \
	X(int, close_v2, (sqlite3 *))                                                              \
	X(int, busy_timeout, (sqlite3 *, int))                                                     \
	X(int, exec, (sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *,     \
		      char **))                                                                    \
	X(void, free, (void *))                                                                    \
	X(const char *, errmsg, (sqlite3 *))                                                       \
	X(const char *, errstr, (int))                                                             \
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

static struct {
#define LITE_MEMBER(ret, name, args) ret(*name) args;
	LITE_FUNCS(LITE_MEMBER)
#undef LITE_MEMBER
} lite;

/* One of the two, whichever the name opened. */
struct ipcb_conn {
	sqlite3 *lite;
	struct ipcb_pg *pg;
};

struct ipcb_stmt {
	sqlite3_stmt *lite;
	struct ipcb_pgst *pg;
};

bool ipcb_sql_is_pg(const char *name)
{
	return !strncmp(name, "postgresql://", 13) || !strncmp(name, "postgres://", 11);
}

void ipcb_sql_shown(const char *name, char *out, size_t n)
{
	const char *at = strchr(name, '@'), *scheme = strstr(name, "://"), *pw;
	size_t len = 0;

	/* The URI's userinfo "user:SECRET@", before the host. */
	if (ipcb_sql_is_pg(name) && scheme && at &&
	    memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) &&
	    !memchr(scheme + 3, '/', (size_t)(at - scheme - 3))) {
		const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));

		len = (size_t)snprintf(out, n, "%.*s:***", (int)(colon - name), name);
		name = at;
	}
	snprintf(out + (len < n ? len : n - 1), n - (len < n ? len : n - 1), "%s", name);
	/* A password= parameter, of the URI's query or a keyword string. */
	if (ipcb_sql_is_pg(out) && (pw = strstr(out, "password=")) != NULL) {
		char *v = (char *)pw + 9, *end = v + strcspn(v, "& ");
		size_t rest = strlen(end);

		if (v + 3 + rest < out + n) {
			memmove(v + 3, end, rest + 1);
			memcpy(v, "***", 3);
		}
	}
}

static int lite_load(char *err, size_t errlen)
{
	static bool loaded;
	void *lib, *sym;

	if (loaded)
		return 0;
	/*
	 * Never closed: the functions are used until exit, and a library unloaded under a
	 * sanitizer's leak report loses its symbols.
	 */
	lib = dlopen(IPCB_SQLITE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen,
			 "the results history needs SQLite, and %s could not be opened (%s): "
			 "install it (Debian: libsqlite3-0)",
			 IPCB_SQLITE_SONAME, dlerror());
		return -ENOENT;
	}
#define LITE_LOAD(ret, name, args)                                                                 \
	sym = dlsym(lib, "sqlite3_" #name);                                                        \
	if (!sym) {                                                                                \
		snprintf(err, errlen,                                                              \
			 "%s has no sqlite3_%s: SQLite too old (3.31 or later needed)",            \
			 IPCB_SQLITE_SONAME, #name);                                               \
		return -ENOENT;                                                                    \
	}                                                                                          \
	*(void **)&lite.name = sym;
	LITE_FUNCS(LITE_LOAD)
#undef LITE_LOAD
	loaded = true;
	return 0;
}

int ipcb_sql_load(const char *name, char *err, size_t errlen)
{
	return ipcb_sql_is_pg(name) ? ipcb_pg_load(err, errlen) : lite_load(err, errlen);
}

static int d_open_v2(const char *name, ipcb_conn **out, int flags, const char *vfs)
{
	ipcb_conn *c = calloc(1, sizeof(*c));

	*out = c;
	if (!c)
		return SQLITE_NOMEM;
	if (ipcb_sql_is_pg(name))
		return ipcb_pg_open(name, &c->pg);
	return lite.open_v2(name, &c->lite, flags, vfs);
}

static int d_close_v2(ipcb_conn *c)
{
	int rc = SQLITE_OK;

	if (!c)
		return SQLITE_OK;
	if (c->pg)
		ipcb_pg_close(c->pg);
	else
		rc = lite.close_v2(c->lite);
	free(c);
	return rc;
}

static int d_busy_timeout(ipcb_conn *c, int ms)
{
	/* PostgreSQL waits for a lock as long as it takes. */
	return c->pg ? SQLITE_OK : lite.busy_timeout(c->lite, ms);
}

/* *msg, where not NULL, is malloc's (SQLite's own copied): ipcb_sql.free() frees either. */
static int d_exec(ipcb_conn *c, const char *sql, int (*cb)(void *, int, char **, char **),
		  void *arg, char **msg)
{
	char *m = NULL;
	int rc;

	if (c->pg)
		return ipcb_pg_exec(c->pg, sql, cb, arg, msg);
	rc = lite.exec(c->lite, sql, cb, arg, msg ? &m : NULL);
	if (msg)
		*msg = m ? strdup(m) : NULL;
	lite.free(m);
	return rc;
}

static void d_free(void *p)
{
	free(p);
}

static const char *d_errmsg(ipcb_conn *c)
{
	return c->pg ? ipcb_pg_errmsg(c->pg) : lite.errmsg(c->lite);
}

static const char *d_errstr(int rc)
{
	return lite.errstr ? lite.errstr(rc) : rc == SQLITE_OK ? "not an error" : "error";
}

static int d_db_readonly(ipcb_conn *c, const char *name)
{
	return c->pg ? 0 : lite.db_readonly(c->lite, name);
}

static int d_prepare_v2(ipcb_conn *c, const char *sql, int n, ipcb_stmt **out, const char **tail)
{
	ipcb_stmt *st = calloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	if (!st)
		return SQLITE_NOMEM;
	rc = c->pg ? ipcb_pg_prepare(c->pg, sql, &st->pg)
		   : lite.prepare_v2(c->lite, sql, n, &st->lite, tail);
	if (rc != SQLITE_OK) {
		free(st);
		return rc;
	}
	*out = st;
	return SQLITE_OK;
}

static int d_step(ipcb_stmt *st)
{
	return st->pg ? ipcb_pg_step(st->pg) : lite.step(st->lite);
}

static int d_reset(ipcb_stmt *st)
{
	if (st->pg) {
		ipcb_pg_reset(st->pg);
		return SQLITE_OK;
	}
	return lite.reset(st->lite);
}

static int d_clear_bindings(ipcb_stmt *st)
{
	if (st->pg) {
		ipcb_pg_clear(st->pg);
		return SQLITE_OK;
	}
	return lite.clear_bindings(st->lite);
}

static int d_finalize(ipcb_stmt *st)
{
	int rc = SQLITE_OK;

	if (!st)
		return SQLITE_OK;
	if (st->pg)
		ipcb_pg_finalize(st->pg);
	else
		rc = lite.finalize(st->lite);
	free(st);
	return rc;
}

static int d_bind_text(ipcb_stmt *st, int i, const char *v, int n, void (*d)(void *))
{
	return st->pg ? ipcb_pg_bind(st->pg, i, v) : lite.bind_text(st->lite, i, v, n, d);
}

static int d_bind_int64(ipcb_stmt *st, int i, long long v)
{
	char text[24];

	if (!st->pg)
		return lite.bind_int64(st->lite, i, v);
	snprintf(text, sizeof(text), "%lld", v);
	return ipcb_pg_bind(st->pg, i, text);
}

static int d_bind_null(ipcb_stmt *st, int i)
{
	return st->pg ? ipcb_pg_bind(st->pg, i, NULL) : lite.bind_null(st->lite, i);
}

static int d_column_count(ipcb_stmt *st)
{
	return st->pg ? ipcb_pg_ncols(st->pg) : lite.column_count(st->lite);
}

static int d_column_type(ipcb_stmt *st, int i)
{
	if (st->pg)
		return ipcb_pg_isnull(st->pg, i) ? SQLITE_NULL : SQLITE_TEXT;
	return lite.column_type(st->lite, i);
}

static const unsigned char *d_column_text(ipcb_stmt *st, int i)
{
	return st->pg ? (const unsigned char *)ipcb_pg_text(st->pg, i)
		      : lite.column_text(st->lite, i);
}

static const char *d_column_name(ipcb_stmt *st, int i)
{
	return st->pg ? ipcb_pg_name(st->pg, i) : lite.column_name(st->lite, i);
}

static long long d_column_int64(ipcb_stmt *st, int i)
{
	const char *t;

	if (!st->pg)
		return lite.column_int64(st->lite, i);
	t = ipcb_pg_text(st->pg, i);
	return t ? strtoll(t, NULL, 10) : 0;
}

static long long d_last_insert_rowid(ipcb_conn *c)
{
	return c->pg ? ipcb_pg_last_id(c->pg) : lite.last_insert_rowid(c->lite);
}

const struct ipcb_sql ipcb_sql = {
    .open_v2 = d_open_v2,
    .close_v2 = d_close_v2,
    .busy_timeout = d_busy_timeout,
    .exec = d_exec,
    .free = d_free,
    .errmsg = d_errmsg,
    .errstr = d_errstr,
    .db_readonly = d_db_readonly,
    .prepare_v2 = d_prepare_v2,
    .step = d_step,
    .reset = d_reset,
    .clear_bindings = d_clear_bindings,
    .finalize = d_finalize,
    .bind_text = d_bind_text,
    .bind_int64 = d_bind_int64,
    .bind_null = d_bind_null,
    .column_count = d_column_count,
    .column_type = d_column_type,
    .column_text = d_column_text,
    .column_name = d_column_name,
    .column_int64 = d_column_int64,
    .last_insert_rowid = d_last_insert_rowid,
};
