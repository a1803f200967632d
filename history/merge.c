/* SPDX-License-Identifier: MIT */
/*
 * merge.c - a run's identity, and another history's runs copied into this one; see store.h.
 *
 * A run is who measured it, when and what it found: the machine's fingerprint and the hash of
 * its rows (each row's every column, its timestamp among them, so two runs of one command on
 * one machine never share one). The command line is left out: a run imported from its CSV has
 * none, and is the same run as the one --db stored while it ran.
 */
#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sha256.h"

int ipcb_history_identity(struct ipcb_histdb *h, long long id, char out[65], char *err,
			  size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	struct ipcb_sha256 s;
	unsigned char d[IPCB_SHA256_BYTES];
	ipcb_stmt *st;
	size_t nrows = 0;
	int rc, step;

	ipcb_sha256_init(&s);
	rc = ipcb_histdb_prepare(h, "SELECT fingerprint FROM runs WHERE id = ?", &st, err, errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_int64(st, 1, id);
	if (ipcb_sql.step(st) == SQLITE_ROW) {
		const char *fp = ipcb_histdb_text(st, 0);

		ipcb_sha256_update(&s, fp, strlen(fp) + 1);
	}
	ipcb_sql.finalize(st);
	rc = ipcb_histdb_prepare(h, "SELECT * FROM rows WHERE run_id = ? ORDER BY seq", &st, err,
				 errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_int64(st, 1, id);
	while ((step = ipcb_sql.step(st)) == SQLITE_ROW) {
		/* Each column by its name, a NULL left out: a file with fewer columns agrees. */
		for (int c = 0; c < ipcb_sql.column_count(st); c++) {
			const char *name = ipcb_sql.column_name(st, c);
			const char *v;

			if (!strcmp(name, "run_id") || !strcmp(name, "seq") ||
			    ipcb_sql.column_type(st, c) == SQLITE_NULL)
				continue;
			v = ipcb_histdb_text(st, c);
			ipcb_sha256_update(&s, name, strlen(name) + 1);
			ipcb_sha256_update(&s, v, strlen(v) + 1);
		}
		ipcb_sha256_update(&s, "\n", 1);
		nrows++;
	}
	ipcb_sql.finalize(st);
	if (step != SQLITE_DONE)
		return ipcb_histdb_fail(h, "reading a run's rows", step, err, errlen);
	ipcb_sha256_final(&s, d);
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
	return nrows ? 0 : -ENODATA;
}

long long ipcb_history_identity_find(struct ipcb_histdb *h, const char *identity, long long not_id)
{
	ipcb_stmt *st;
	long long id = 0;
	char err[64];

	if (ipcb_histdb_prepare(h, "SELECT id FROM runs WHERE identity = ? AND id != ?", &st, err,
				sizeof(err)) < 0)
		return 0;
	ipcb_sql.bind_text(st, 1, identity, -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_int64(st, 2, not_id);
	if (ipcb_sql.step(st) == SQLITE_ROW)
		id = ipcb_sql.column_int64(st, 0);
	ipcb_sql.finalize(st);
	return id;
}

int ipcb_history_identity_set(struct ipcb_histdb *h, long long id, char *err, size_t errlen)
{
	char identity[65];
	ipcb_stmt *st;
	long long other;
	int rc = ipcb_history_identity(h, id, identity, err, errlen), step;

	if (rc == -ENODATA)
		return 0; /* a run without rows is no measurement: nothing to tell apart */
	if (rc < 0)
		return rc;
	other = ipcb_history_identity_find(h, identity, id);
	if (other) {
		snprintf(err, errlen,
			 "%s: the same run (its machine and every row) is stored as run %lld",
			 h->path, other);
		return -EEXIST;
	}
	rc = ipcb_histdb_prepare(h, "UPDATE runs SET identity = ? WHERE id = ?", &st, err, errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_text(st, 1, identity, -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_int64(st, 2, id);
	step = ipcb_sql.step(st);
	ipcb_sql.finalize(st);
	return step == SQLITE_DONE ? 0
				   : ipcb_histdb_fail(h, "recording the run", step, err, errlen);
}

/* The columns of a table, comma-separated and quoted, that both files have. */
static int shared_columns(struct ipcb_histdb *to, struct ipcb_histdb *from, const char *table,
			  char *out, size_t n, char *err, size_t errlen)
{
	char sql[96];
	ipcb_stmt *a, *b;
	size_t len = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 0", table);
	rc = ipcb_histdb_prepare(to, sql, &a, err, errlen);
	if (rc < 0)
		return rc;
	rc = ipcb_histdb_prepare(from, sql, &b, err, errlen);
	if (rc < 0) {
		ipcb_sql.finalize(a);
		return rc;
	}
	out[0] = '\0';
	for (int i = 0; i < ipcb_sql.column_count(b); i++) {
		const char *name = ipcb_sql.column_name(b, i);
		bool both = false;

		if (!strcmp(name, "id") || !strcmp(name, "identity") || !strcmp(name, "run_id"))
			continue; /* numbered anew, worked out anew, and the new run's */
		for (int k = 0; k < ipcb_sql.column_count(a) && !both; k++)
			both = !strcmp(ipcb_sql.column_name(a, k), name);
		if (both && len + strlen(name) + 4 < n)
			len +=
			    (size_t)snprintf(out + len, n - len, "%s\"%s\"", len ? ", " : "", name);
	}
	ipcb_sql.finalize(a);
	ipcb_sql.finalize(b);
	return 0;
}

/* One run of `from` (from_id) copied into `to` as a new run, its rows with it. */
static int run_copy(struct ipcb_histdb *to, struct ipcb_histdb *from, long long from_id,
		    const char *run_cols, const char *row_cols, long long *new_id, char *err,
		    size_t errlen)
{
	/* A statement of one table's columns and as many "?, ": within twice them both. */
	size_t cap = 2 * (strlen(run_cols) + strlen(row_cols)) + 1024;
	char *sql = malloc(cap), *marks = malloc(cap);
	const char *cols[2] = {run_cols, row_cols};
	ipcb_stmt *rd = NULL, *wr = NULL;
	int rc = sql && marks ? 0 : -ENOMEM, step;

	for (int t = 0; rc == 0 && t < 2; t++) {
		size_t m = 0, ncols = 1;

		for (const char *c = cols[t]; *c; c++)
			ncols += *c == ',';
		for (size_t i = 0; i < ncols; i++)
			m += (size_t)snprintf(marks + m, cap - m, "%s?", i ? ", " : "");
		snprintf(sql, cap, "SELECT %s FROM %s WHERE %s = ?%s", cols[t], t ? "rows" : "runs",
			 t ? "run_id" : "id", t ? " ORDER BY seq" : "");
		rc = ipcb_histdb_prepare(from, sql, &rd, err, errlen);
		if (rc == 0) {
			snprintf(sql, cap, "INSERT INTO %s (%s%s) VALUES (%s%s)",
				 t ? "rows" : "runs", t ? "run_id, " : "", cols[t], t ? "?, " : "",
				 marks);
			rc = ipcb_histdb_prepare(to, sql, &wr, err, errlen);
		}
		if (rc == 0)
			ipcb_sql.bind_int64(rd, 1, from_id);
		while (rc == 0 && (step = ipcb_sql.step(rd)) == SQLITE_ROW) {
			int off = t ? 2 : 1;

			if (t)
				ipcb_sql.bind_int64(wr, 1, *new_id);
			for (int i = 0; i < ipcb_sql.column_count(rd); i++) {
				if (ipcb_sql.column_type(rd, i) == SQLITE_NULL)
					ipcb_sql.bind_null(wr, i + off);
				else
					ipcb_sql.bind_text(wr, i + off, ipcb_histdb_text(rd, i), -1,
							   SQLITE_TRANSIENT);
			}
			step = ipcb_sql.step(wr);
			ipcb_sql.reset(wr);
			ipcb_sql.clear_bindings(wr);
			if (step != SQLITE_DONE)
				rc = ipcb_histdb_fail(to, "copying a run", step, err, errlen);
			else if (!t)
				*new_id = ipcb_sql.last_insert_rowid(to->db);
		}
		if (rc == 0 && step != SQLITE_DONE)
			rc = ipcb_histdb_fail(from, "reading a run", step, err, errlen);
		if (rd)
			ipcb_sql.finalize(rd);
		if (wr)
			ipcb_sql.finalize(wr);
		rd = wr = NULL;
	}
	free(sql);
	free(marks);
	return rc;
}

int ipcb_history_merge(const char *db, const char *other, size_t *copied, size_t *present,
		       char *err, size_t errlen)
{
	struct {
		struct ipcb_histdb to, from;
		char run_cols[1024], row_cols[IPCB_CSV_NCOLS * 40], identity[65];
	} *b = calloc(1, sizeof(*b));
	long long *ids = NULL;
	size_t n = 0, cap = 0;
	ipcb_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	*copied = *present = 0;
	if (!b) {
		snprintf(err, errlen, "%s: out of memory", db);
		return -ENOMEM;
	}
	rc = ipcb_histdb_open(&b->from, other, false, "", err, errlen);
	if (rc == 0)
		rc = ipcb_histdb_open(&b->to, db, true, "", err, errlen);
	if (rc == 0 && !strcmp(b->to.path, b->from.path)) {
		snprintf(err, errlen, "%s: a history imported into itself", db);
		rc = -EINVAL;
	}
	/* The runs to copy, finished or not (an interrupted run is kept as one), oldest first. */
	if (rc == 0)
		rc = ipcb_histdb_prepare(&b->from, "SELECT id FROM runs ORDER BY id", &st, err,
					 errlen);
	while (rc == 0 && (step = ipcb_sql.step(st)) == SQLITE_ROW) {
		if (n == cap) {
			long long *x = realloc(ids, (cap ? 2 * cap : 64) * sizeof(*x));

			if (!x) {
				snprintf(err, errlen, "%s: out of memory", db);
				rc = -ENOMEM;
				break;
			}
			ids = x;
			cap = cap ? 2 * cap : 64;
		}
		ids[n++] = ipcb_sql.column_int64(st, 0);
	}
	if (st)
		ipcb_sql.finalize(st);
	/* The new columns the other file has, the writer's sync adds (rows_columns_sync). */
	if (rc == 0)
		rc = shared_columns(&b->to, &b->from, "runs", b->run_cols, sizeof(b->run_cols), err,
				    errlen);
	if (rc == 0)
		rc = shared_columns(&b->to, &b->from, "rows", b->row_cols, sizeof(b->row_cols), err,
				    errlen);
	/* All of it, or none: one transaction. */
	if (rc == 0)
		rc = ipcb_histdb_exec(&b->to, "BEGIN IMMEDIATE", err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		long long id = 0;

		rc = ipcb_history_identity(&b->from, ids[i], b->identity, err, errlen);
		if (rc == -ENODATA) {
			rc = 0; /* a run that stored no row: nothing to copy */
			continue;
		}
		if (rc == 0 && ipcb_history_identity_find(&b->to, b->identity, 0)) {
			(*present)++;
			continue;
		}
		if (rc == 0)
			rc = run_copy(&b->to, &b->from, ids[i], b->run_cols, b->row_cols, &id, err,
				      errlen);
		if (rc == 0)
			rc = ipcb_history_identity_set(&b->to, id, err, errlen);
		if (rc == 0)
			(*copied)++;
	}
	if (rc == 0)
		rc = ipcb_histdb_exec(&b->to, "COMMIT", err, errlen);
	else if (b->to.db)
		ipcb_sql.exec(b->to.db, "ROLLBACK", NULL, NULL, NULL);
	free(ids);
	ipcb_histdb_close(&b->to);
	ipcb_histdb_close(&b->from);
	free(b);
	return rc;
}
