/* SPDX-License-Identifier: MIT */
/* pg.c - a history on a PostgreSQL server, through libpq opened on first use; see pg.h. */
#include "pg.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IPCB_LIBPQ_SONAME
#define IPCB_LIBPQ_SONAME "libpq.so.5"
#endif

/* clang-format off */
#define PQ_FUNCS(X)                                                                                \
	X(PGconn *, PQconnectdb, (const char *))                                                   \
	X(ConnStatusType, PQstatus, (const PGconn *))                                              \
	X(char *, PQerrorMessage, (const PGconn *))                                                \
	X(void, PQfinish, (PGconn *))                                                              \
	X(PGresult *, PQexec, (PGconn *, const char *))                                            \
	X(PGresult *, PQexecParams, (PGconn *, const char *, int, const Oid *,                     \
				     const char *const *, const int *, const int *, int))          \
	X(PGresult *, PQprepare, (PGconn *, const char *, const char *, int, const Oid *))         \
	X(PGresult *, PQexecPrepared, (PGconn *, const char *, int, const char *const *,           \
				       const int *, const int *, int))                             \
	X(ExecStatusType, PQresultStatus, (const PGresult *))                                      \
	X(char *, PQresultErrorMessage, (const PGresult *))                                        \
	X(char *, PQresultErrorField, (const PGresult *, int))                                     \
	X(int, PQntuples, (const PGresult *))                                                      \
	X(int, PQnfields, (const PGresult *))                                                      \
	X(char *, PQfname, (const PGresult *, int))                                                \
	X(char *, PQgetvalue, (const PGresult *, int, int))                                        \
	X(int, PQgetisnull, (const PGresult *, int, int))                                          \
	X(void, PQclear, (PGresult *))                                                             \
	X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *, PQnoticeProcessor, void *))
/* clang-format on */

static struct {
#define PQ_MEMBER(ret, name, args) ret(*name) args;
	PQ_FUNCS(PQ_MEMBER)
#undef PQ_MEMBER
} pq;

struct ipcb_pg {
	PGconn *conn;
	long long last_id;
	unsigned statements; /* named in turn: each prepared on the server once */
	char err[1024];
};

struct ipcb_pgst {
	struct ipcb_pg *pg;
	char name[24]; /* the server's prepared statement; "" until the first run */
	char *sql;
	int nparams;
	char **vals;
	bool returns_id; /* an INSERT INTO runs: its id, for last_insert_rowid */
	PGresult *res;
	int row; /* the rows taken so far: the current one is row - 1 */
};

int ipcb_pg_load(char *err, size_t errlen)
{
	static bool loaded;
	void *lib, *sym;

	if (loaded)
		return 0;
	/* Never closed, as SQLite (sql.c): used until exit. */
	lib = dlopen(IPCB_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen,
			 "a history on PostgreSQL needs libpq, and %s could not be opened (%s): "
			 "install it (Debian: libpq5)",
			 IPCB_LIBPQ_SONAME, dlerror());
		return -ENOENT;
	}
#define PQ_LOAD(ret, name, args)                                                                   \
	sym = dlsym(lib, #name);                                                                   \
	if (!sym) {                                                                                \
		snprintf(err, errlen, "%s has no %s: libpq too old", IPCB_LIBPQ_SONAME, #name);    \
		return -ENOENT;                                                                    \
	}                                                                                          \
	*(void **)&pq.name = sym;
	PQ_FUNCS(PQ_LOAD)
#undef PQ_LOAD
	loaded = true;
	return 0;
}

/* The server's message, its last newline off. */
static void keep_msg(struct ipcb_pg *c, const char *msg)
{
	size_t len;

	snprintf(c->err, sizeof(c->err), "%s", msg && *msg ? msg : "PostgreSQL error");
	len = strlen(c->err);
	while (len && (c->err[len - 1] == '\n' || c->err[len - 1] == ' '))
		c->err[--len] = '\0';
}

/* A result's outcome as SQLite's code: a unique key another run holds is a constraint. */
static int result_code(struct ipcb_pg *c, PGresult *res)
{
	ExecStatusType s = res ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *state;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return SQLITE_OK;
	keep_msg(c, res ? pq.PQresultErrorMessage(res) : pq.PQerrorMessage(c->conn));
	state = res ? pq.PQresultErrorField(res, 'C') : NULL; /* PG_DIAG_SQLSTATE */
	if (state && !strcmp(state, "23505"))
		return SQLITE_CONSTRAINT;
	if (state &&
	    (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		return SQLITE_BUSY;
	return SQLITE_ERROR;
}

/* Notices ("relation exists, skipping") are the server's chatter, not the user's business. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int ipcb_pg_open(const char *conninfo, struct ipcb_pg **out)
{
	struct ipcb_pg *c = calloc(1, sizeof(*c));

	*out = c;
	if (!c)
		return SQLITE_NOMEM;
	c->conn = pq.PQconnectdb(conninfo);
	if (!c->conn || pq.PQstatus(c->conn) != CONNECTION_OK) {
		keep_msg(c, c->conn ? pq.PQerrorMessage(c->conn) : "out of memory");
		return SQLITE_CANTOPEN;
	}
	pq.PQsetNoticeProcessor(c->conn, quiet, NULL);
	return SQLITE_OK;
}

void ipcb_pg_close(struct ipcb_pg *c)
{
	if (!c)
		return;
	if (c->conn)
		pq.PQfinish(c->conn);
	free(c);
}

const char *ipcb_pg_errmsg(struct ipcb_pg *c)
{
	return c->err[0] ? c->err : "not an error";
}

int ipcb_pg_exec(struct ipcb_pg *c, const char *sql, int (*cb)(void *, int, char **, char **),
		 void *arg, char **msg)
{
	PGresult *res;
	int rc;

	if (msg)
		*msg = NULL;
	/* SQLite's write lock at once; PostgreSQL's transactions lock row by row as they go. */
	if (!strcmp(sql, "BEGIN IMMEDIATE"))
		sql = "BEGIN";
	res = pq.PQexec(c->conn, sql);
	rc = result_code(c, res);
	if (rc == SQLITE_OK && cb && pq.PQresultStatus(res) == PGRES_TUPLES_OK) {
		int nf = pq.PQnfields(res);
		char **vals = calloc((size_t)nf + 1, sizeof(*vals));
		char **names = calloc((size_t)nf + 1, sizeof(*names));

		for (int f = 0; vals && names && f < nf; f++)
			names[f] = pq.PQfname(res, f);
		for (int t = 0; vals && names && t < pq.PQntuples(res); t++) {
			for (int f = 0; f < nf; f++)
				vals[f] =
				    pq.PQgetisnull(res, t, f) ? NULL : pq.PQgetvalue(res, t, f);
			if (cb(arg, nf, vals, names))
				break;
		}
		free(vals);
		free(names);
	}
	if (res)
		pq.PQclear(res);
	if (rc != SQLITE_OK && msg)
		*msg = strdup(c->err);
	return rc;
}

/*
 * SQLite's statement as PostgreSQL's: `?N` as $N, `?` as the next $N, `IS NOT ?` as IS DISTINCT
 * FROM (outside quotes), and RETURNING id after an INSERT INTO runs. The number of parameters in
 * *n.
 */
static char *translate(const char *sql, int *n, bool *returns_id)
{
	size_t cap = 3 * strlen(sql) + 32, len = 0;
	char *out = malloc(cap), quote = 0;
	int next = 0, most = 0;

	if (!out)
		return NULL;
	*returns_id = !strncmp(sql, "INSERT INTO runs ", 17);
	for (const char *p = sql; *p; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
			out[len++] = *p;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			out[len++] = *p;
			continue;
		}
		if (!strncmp(p, " IS NOT ?", 9)) {
			len += (size_t)snprintf(out + len, cap - len, " IS DISTINCT FROM ");
			p += 7; /* at the ?, taken next round */
			continue;
		}
		if (*p == '?') {
			int k;

			if (isdigit((unsigned char)p[1])) {
				k = (int)strtol(p + 1, (char **)&p, 10);
				p--;
			} else {
				k = ++next;
			}
			most = k > most ? k : most;
			len += (size_t)snprintf(out + len, cap - len, "$%d", k);
			continue;
		}
		out[len++] = *p;
	}
	out[len] = '\0';
	if (*returns_id)
		snprintf(out + len, cap - len, " RETURNING id");
	*n = most;
	return out;
}

int ipcb_pg_prepare(struct ipcb_pg *c, const char *sql, struct ipcb_pgst **out)
{
	struct ipcb_pgst *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (!st)
		return SQLITE_NOMEM;
	st->pg = c;
	st->sql = translate(sql, &st->nparams, &st->returns_id);
	st->vals = calloc((size_t)st->nparams + 1, sizeof(*st->vals));
	if (!st->sql || !st->vals) {
		free(st->sql);
		free(st->vals);
		free(st);
		return SQLITE_NOMEM;
	}
	*out = st;
	return SQLITE_OK;
}

/*
 * Run the statement with its parameters, once per reset. It is prepared on the server the first
 * time (a row's INSERT runs thousands of times: parsed and planned once).
 */
static int run(struct ipcb_pgst *st)
{
	int rc;

	if (!st->name[0]) {
		char name[24];
		PGresult *res;

		snprintf(name, sizeof(name), "ipcb%u", ++st->pg->statements);
		res = pq.PQprepare(st->pg->conn, name, st->sql, st->nparams, NULL);
		rc = result_code(st->pg, res);
		if (res)
			pq.PQclear(res);
		if (rc != SQLITE_OK)
			return rc;
		snprintf(st->name, sizeof(st->name), "%s", name);
	}
	st->res = pq.PQexecPrepared(st->pg->conn, st->name, st->nparams,
				    (const char *const *)st->vals, NULL, NULL, 0);
	st->row = 0;
	rc = result_code(st->pg, st->res);
	if (rc != SQLITE_OK && st->res) {
		pq.PQclear(st->res);
		st->res = NULL;
	}
	return rc;
}

int ipcb_pg_step(struct ipcb_pgst *st)
{
	int rc;

	if (!st->res) {
		rc = run(st);
		if (rc != SQLITE_OK)
			return rc;
		if (st->returns_id) {
			if (pq.PQntuples(st->res) > 0)
				st->pg->last_id = strtoll(pq.PQgetvalue(st->res, 0, 0), NULL, 10);
			st->row = pq.PQntuples(st->res); /* the id is no row of the caller's */
		}
	}
	if (st->row < pq.PQntuples(st->res)) {
		st->row++;
		return SQLITE_ROW;
	}
	return SQLITE_DONE;
}

void ipcb_pg_reset(struct ipcb_pgst *st)
{
	if (st->res)
		pq.PQclear(st->res);
	st->res = NULL;
	st->row = 0;
}

void ipcb_pg_clear(struct ipcb_pgst *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

void ipcb_pg_finalize(struct ipcb_pgst *st)
{
	if (!st)
		return;
	ipcb_pg_reset(st);
	if (st->name[0]) {
		char sql[48];
		PGresult *res;

		/* Out of a failed transaction the server refuses it; its session ends it anyway. */
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		res = pq.PQexec(st->pg->conn, sql);
		if (res)
			pq.PQclear(res);
	}
	ipcb_pg_clear(st);
	free(st->vals);
	free(st->sql);
	free(st);
}

int ipcb_pg_bind(struct ipcb_pgst *st, int i, const char *v)
{
	char *copy = NULL;

	if (i < 1 || i > st->nparams)
		return SQLITE_RANGE;
	if (v && !(copy = strdup(v)))
		return SQLITE_NOMEM;
	free(st->vals[i - 1]);
	st->vals[i - 1] = copy;
	return SQLITE_OK;
}

int ipcb_pg_ncols(struct ipcb_pgst *st)
{
	/* SQLite knows a statement's columns before its first step: here it runs for them. */
	if (!st->res && run(st) != SQLITE_OK)
		return 0;
	return pq.PQnfields(st->res);
}

bool ipcb_pg_isnull(struct ipcb_pgst *st, int i)
{
	return !st->res || st->row < 1 || pq.PQgetisnull(st->res, st->row - 1, i);
}

const char *ipcb_pg_text(struct ipcb_pgst *st, int i)
{
	if (ipcb_pg_isnull(st, i))
		return NULL;
	return pq.PQgetvalue(st->res, st->row - 1, i);
}

const char *ipcb_pg_name(struct ipcb_pgst *st, int i)
{
	if (!st->res && run(st) != SQLITE_OK)
		return "";
	return pq.PQfname(st->res, i);
}

long long ipcb_pg_last_id(struct ipcb_pg *c)
{
	return c->last_id;
}
