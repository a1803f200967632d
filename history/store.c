/* SPDX-License-Identifier: MIT */
/*
 * store.c - putting rows into the history: a run as ipcbench measures it (--db), and a CSV
 * imported whole (`ipcbench history DB --import FILE`, scripts/ab-gate --db).
 *
 * A measured run writes each row in a transaction of its own, as the row is measured: a run
 * killed between two rows keeps every row before, and one killed inside a transaction loses
 * only that row (SQLite rolls it back when the file is next opened). The run's record is made
 * first with no finish time, which it gets only when the driver ends it: a killed run stays
 * without one, and `history` shows it as partial. An imported CSV is one transaction: all of
 * its rows or none.
 */
#include "history.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "csvread.h"
#include "csvschema.h"
#include "db.h"

struct ipcb_history_run {
	struct ipcb_histdb h;
	long long id;
	size_t rows;
	ipcb_stmt *insert;  /* INSERT INTO rows: run_id, seq, then every CSV column */
	bool machine_known; /* the run's fingerprint, machine and build are set */
	bool own_txn;	    /* each row its own transaction (a measured run) */
	bool created;	    /* the file did not exist before this run opened it */
};

/*
 * The git commit of the working directory's repository: `git rev-parse --verify -q HEAD`, ""
 * outside a repository or without git. Its SIGCHLD, which a driver blocks to wait for its sides
 * with, is taken off again so that it cannot wake the first launch early.
 */
static void git_head(char *out, size_t n)
{
	char *argv[] = {"git", "rev-parse", "--verify", "-q", "HEAD", NULL};
	sigset_t none, mask;
	struct ipcb_spawn sp = {.path = "git",
				.path_search = 1,
				.argv = argv,
				.in = IPCB_SPAWN_NULL,
				.err = IPCB_SPAWN_NULL,
				.mask = &none,
				.what = "ipcbench --db"};
	size_t len = 0;
	int p[2];
	pid_t pid;
	ssize_t got;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	sigemptyset(&none);
	sp.out = p[1];
	pid = ipcb_spawn_start(&sp);
	close(p[1]);
	if (pid > 0) {
		while (len + 1 < n && (got = read(p[0], out + len, n - 1 - len)) != 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				break;
			len += (size_t)got;
		}
		out[len] = '\0';
		/* Not found (127), outside a repository (1): no commit. */
		if (ipcb_spawn_wait(pid) != 0)
			out[0] = '\0';
		if (sigprocmask(SIG_BLOCK, NULL, &mask) == 0 && sigismember(&mask, SIGCHLD)) {
			struct timespec zero = {0, 0};
			sigset_t chld;

			sigemptyset(&chld);
			sigaddset(&chld, SIGCHLD);
			while (sigtimedwait(&chld, NULL, &zero) > 0)
				;
		}
	}
	close(p[0]);
	out[strcspn(out, "\r\n")] = '\0';
	/* Only what looks like an object name: 40 (SHA-1) or 64 (SHA-256) hex digits. */
	len = strspn(out, "0123456789abcdef");
	if ((len != 40 && len != 64) || out[len])
		out[0] = '\0';
}

/* The command line as a shell would take it back: words with other characters quoted. */
static void command_text(int argc, char *const argv[], char *out, size_t n)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./:=,+@%^-";
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < argc && len + 4 < n; i++) {
		const char *a = argv[i], *url = strstr(a, "postgres");
		char shown[1024];

		/* A server's password (--db postgresql://user:SECRET@...) is never stored. */
		if (url && ipcb_sql_is_pg(url)) {
			snprintf(shown, sizeof(shown), "%.*s", (int)(url - a), a);
			ipcb_sql_shown(url, shown + strlen(shown), sizeof(shown) - strlen(shown));
			a = shown;
		}

		if (i)
			out[len++] = ' ';
		if (*a && a[strspn(a, plain)] == '\0') {
			len += (size_t)snprintf(out + len, n - len, "%s", a);
			continue;
		}
		out[len++] = '\'';
		for (; *a && len + 6 < n; a++) {
			if (*a == '\'')
				len += (size_t)snprintf(out + len, n - len, "'\\''");
			else
				out[len++] = (unsigned char)*a < 0x20 ? '?' : *a;
		}
		out[len++] = '\'';
		out[len] = '\0';
	}
	if (len >= n)
		out[n - 1] = '\0';
	else
		out[len] = '\0';
}

static int insert_prepare(struct ipcb_history_run *r, char *err, size_t errlen)
{
	size_t cap = 64 + IPCB_CSV_NCOLS * 40, len;
	char *sql = malloc(cap);
	int rc;

	if (!sql) {
		snprintf(err, errlen, "%s: out of memory", r->h.path);
		return -ENOMEM;
	}
	len = (size_t)snprintf(sql, cap, "INSERT INTO rows (run_id, seq");
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		len += (size_t)snprintf(sql + len, cap - len, ", \"%s\"",
					ipcb_csv_name((enum ipcb_csv_column)c));
	len += (size_t)snprintf(sql + len, cap - len, ") VALUES (?, ?");
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		len += (size_t)snprintf(sql + len, cap - len, ", ?");
	snprintf(sql + len, cap - len, ")");
	rc = ipcb_histdb_prepare(&r->h, sql, &r->insert, err, errlen);
	free(sql);
	return rc;
}

/* A step of a statement that returns no rows. */
static int step_done(struct ipcb_history_run *r, ipcb_stmt *st, const char *what, char *err,
		     size_t errlen)
{
	int rc = ipcb_sql.step(st);

	ipcb_sql.reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return ipcb_histdb_fail(&r->h, what, rc, err, errlen);
}

/* The run's machine and build, from its first row. */
static int run_machine_set(struct ipcb_history_run *r, const char *const vals[IPCB_CSV_NCOLS],
			   char *err, size_t errlen)
{
	const char *m[4];
	char fp[13], machine[512];
	ipcb_stmt *st;
	int rc;

	for (int i = 0; i < 4; i++)
		m[i] = vals[ipcb_histdb_machine_cols[i]];
	ipcb_histdb_fingerprint(m, fp, machine, sizeof(machine));
	rc = ipcb_histdb_prepare(&r->h,
				 "UPDATE runs SET fingerprint = ?, machine = ?, build = ? "
				 "WHERE id = ?",
				 &st, err, errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_text(st, 1, fp, -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_text(st, 2, machine, -1, SQLITE_TRANSIENT);
	if (*vals[IPCB_COL_VERSION])
		ipcb_sql.bind_text(st, 3, vals[IPCB_COL_VERSION], -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_int64(st, 4, r->id);
	rc = step_done(r, st, "storing the run's machine", err, errlen);
	ipcb_sql.finalize(st);
	if (rc == 0)
		r->machine_known = true;
	return rc;
}

/* One row, every CSV column's text ("" stored as NULL: not measured). */
static int row_store(struct ipcb_history_run *r, const char *const vals[IPCB_CSV_NCOLS], char *err,
		     size_t errlen)
{
	int rc = 0;

	if (r->own_txn)
		rc = ipcb_histdb_exec(&r->h, "BEGIN IMMEDIATE", err, errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_int64(r->insert, 1, r->id);
	ipcb_sql.bind_int64(r->insert, 2, (long long)r->rows + 1);
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		if (*vals[c])
			ipcb_sql.bind_text(r->insert, c + 3, vals[c], -1, SQLITE_TRANSIENT);
		else
			ipcb_sql.bind_null(r->insert, c + 3);
	}
	rc = step_done(r, r->insert, "storing a row", err, errlen);
	ipcb_sql.clear_bindings(r->insert);
	if (rc == 0 && !r->machine_known)
		rc = run_machine_set(r, vals, err, errlen);
	if (r->own_txn && rc == 0)
		rc = ipcb_histdb_exec(&r->h, "COMMIT", err, errlen);
	if (r->own_txn && rc < 0)
		ipcb_sql.exec(r->h.db, "ROLLBACK", NULL, NULL, NULL);
	if (rc == 0)
		r->rows++;
	return rc;
}

/* The run's record: what is known when it begins. */
static int run_insert(struct ipcb_history_run *r, const char *started, const char *status,
		      bool writer, const char *commit, const char *command, const char *source,
		      char *err, size_t errlen)
{
	char host[256] = "";
	ipcb_stmt *st;
	int rc;

	rc = ipcb_histdb_prepare(&r->h,
				 "INSERT INTO runs (started, status, writer, pid, git_commit, "
				 "command, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
				 &st, err, errlen);
	if (rc < 0)
		return rc;
	ipcb_sql.bind_text(st, 1, started, -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (writer && gethostname(host, sizeof(host) - 1) == 0 && host[0]) {
		ipcb_sql.bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
		ipcb_sql.bind_int64(st, 4, getpid());
	}
	if (commit && *commit)
		ipcb_sql.bind_text(st, 5, commit, -1, SQLITE_TRANSIENT);
	if (command && *command)
		ipcb_sql.bind_text(st, 6, command, -1, SQLITE_TRANSIENT);
	ipcb_sql.bind_text(st, 7, source, -1, SQLITE_TRANSIENT);
	rc = step_done(r, st, "recording the run", err, errlen);
	ipcb_sql.finalize(st);
	if (rc == 0)
		r->id = ipcb_sql.last_insert_rowid(r->h.db);
	return rc;
}

static void run_free(struct ipcb_history_run *r)
{
	if (r->insert)
		ipcb_sql.finalize(r->insert);
	ipcb_histdb_close(&r->h);
	free(r);
}

int ipcb_history_run_begin(struct ipcb_history_run **out, const char *db, const char *what,
			   const char *commit, int argc, char *const argv[], char *err,
			   size_t errlen)
{
	struct ipcb_history_run *r = calloc(1, sizeof(*r));
	char head[80], now[32], *command;
	int rc;

	*out = NULL;
	if (!r) {
		snprintf(err, errlen, "%s %s: out of memory", what, db);
		return -ENOMEM;
	}
	command = malloc(4096);
	/* A server's database is no file this run makes. */
	r->created = !ipcb_sql_is_pg(db) && access(db, F_OK) < 0 && errno == ENOENT;
	rc = ipcb_histdb_open(&r->h, db, true, what, err, errlen);
	if (rc == 0 && !command) {
		snprintf(err, errlen, "%s %s: out of memory", what, db);
		rc = -ENOMEM;
	}
	if (rc < 0) {
		free(command);
		run_free(r);
		return rc;
	}
	if (!commit) {
		git_head(head, sizeof(head));
		commit = head;
	}
	command_text(argc, argv, command, 4096);
	ipcb_histdb_now(now);
	r->own_txn = true;
	rc = run_insert(r, now, "running", true, commit, command, "ipcbench", err, errlen);
	if (rc == 0)
		rc = insert_prepare(r, err, errlen);
	free(command);
	if (rc < 0) {
		/* err names the file already: the option goes before it. */
		char why[512];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s %s", what, why);
		run_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ipcb_history_run_row(struct ipcb_history_run *r, const char *line, size_t len, char *err,
			 size_t errlen)
{
	const char *vals[IPCB_CSV_NCOLS];
	struct ipcb_csvread rd;
	size_t n;
	int rc;

	ipcb_csvread_init_buffer(&rd, line, len, 0, 0);
	rc = ipcb_csvread_next(&rd);
	n = rc > 0 ? ipcb_csvread_nfields(&rd) : 0;
	if (rc <= 0 || n != IPCB_CSV_NCOLS) {
		snprintf(err, errlen, "%s: a row of %zu fields, not the %d of the CSV's columns",
			 r->h.path, n, IPCB_CSV_NCOLS);
		ipcb_csvread_fini(&rd);
		return -EINVAL;
	}
	for (size_t c = 0; c < n; c++)
		vals[c] = ipcb_csvread_field(&rd, c);
	rc = row_store(r, vals, err, errlen);
	ipcb_csvread_fini(&rd);
	return rc;
}

long long ipcb_history_run_id(const struct ipcb_history_run *r)
{
	return r->id;
}

size_t ipcb_history_run_rows(const struct ipcb_history_run *r)
{
	return r->rows;
}

int ipcb_history_run_end(struct ipcb_history_run *r, bool interrupted, bool failed, char *err,
			 size_t errlen)
{
	const char *status = interrupted ? "interrupted" : failed ? "failed" : "complete";
	char now[32];
	ipcb_stmt *st;
	int rc;

	ipcb_histdb_now(now);
	rc = ipcb_histdb_prepare(&r->h, "UPDATE runs SET finished = ?, status = ? WHERE id = ?",
				 &st, err, errlen);
	if (rc == 0) {
		ipcb_sql.bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
		ipcb_sql.bind_text(st, 2, status, -1, SQLITE_STATIC);
		ipcb_sql.bind_int64(st, 3, r->id);
		rc = step_done(r, st, "ending the run", err, errlen);
		ipcb_sql.finalize(st);
	}
	/* Its identity, now that its rows are all in: importing its CSV later is refused. */
	if (rc == 0)
		rc = ipcb_history_identity_set(&r->h, r->id, err, errlen);
	run_free(r);
	return rc;
}

/*
 * A file this run made, that holds no run now, goes too: a start-up error leaves nothing behind
 * (with its -wal and -shm, which closing the last connection would have removed anyway).
 */
static void created_remove(struct ipcb_history_run *r)
{
	const size_t cap = sizeof(r->h.path) + 8;
	char *path, err[256];
	ipcb_stmt *st;
	long long runs = 1;

	if (!r->created ||
	    ipcb_histdb_prepare(&r->h, "SELECT count(*) FROM runs", &st, err, sizeof(err)) < 0)
		return;
	if (ipcb_sql.step(st) == SQLITE_ROW)
		runs = ipcb_sql.column_int64(st, 0);
	ipcb_sql.finalize(st);
	/* The names of the -wal and -shm on the heap: PATH_MAX is too much for a small stack. */
	if (runs || !(path = malloc(cap)))
		return;
	if (r->insert)
		ipcb_sql.finalize(r->insert);
	r->insert = NULL;
	ipcb_histdb_close(&r->h);
	unlink(r->h.path);
	snprintf(path, cap, "%s-wal", r->h.path);
	unlink(path);
	snprintf(path, cap, "%s-shm", r->h.path);
	unlink(path);
	free(path);
}

void ipcb_history_run_abandon(struct ipcb_history_run *r)
{
	char sql[96], err[256];

	if (!r)
		return;
	snprintf(sql, sizeof(sql),
		 "DELETE FROM rows WHERE run_id = %lld; DELETE FROM runs WHERE id = %lld", r->id,
		 r->id);
	ipcb_histdb_exec(&r->h, sql, err, sizeof(err));
	created_remove(r);
	run_free(r);
}

/* ---- importing a CSV ---- */

int ipcb_history_open_csv(struct ipcb_history_csv *c, const char *path, char *err, size_t errlen)
{
	int rc;

	c->next = 0;
	rc = ipcb_rows_read(&c->rows, path, err, errlen);
	if (rc < 0)
		return rc;
	if (!c->rows.has[IPCB_COL_MODE] || !c->rows.has[IPCB_COL_SIZE_BYTES]) {
		snprintf(err, errlen,
			 "%s:1: missing the columns '%s', '%s' and '%s' (is this an ipcbench "
			 "--csv file?)",
			 path, ipcb_csv_name(IPCB_COL_TRANSPORT), ipcb_csv_name(IPCB_COL_MODE),
			 ipcb_csv_name(IPCB_COL_SIZE_BYTES));
		ipcb_rows_free(&c->rows);
		return -EINVAL;
	}
	return 0;
}

int ipcb_history_next_csv(struct ipcb_history_csv *c, const char *vals[IPCB_CSV_NCOLS])
{
	if (c->next >= c->rows.n)
		return 0;
	for (int k = 0; k < IPCB_CSV_NCOLS; k++)
		vals[k] = ipcb_rows_get(&c->rows, c->next, (enum ipcb_csv_column)k);
	c->next++;
	return 1;
}

void ipcb_history_close_csv(struct ipcb_history_csv *c)
{
	ipcb_rows_free(&c->rows);
}

int ipcb_history_import(const char *db, const char *path, const char *commit, const char *source,
			long long *id, size_t *rows, char *err, size_t errlen)
{
	/* The run (4 KiB of file name), the reader and the texts on the heap, not a small stack. */
	struct import {
		struct ipcb_history_run r;
		struct ipcb_history_csv c;
		char why[1024], src[600];
	} *im = calloc(1, sizeof(*im));
	struct ipcb_history_run *r;
	struct ipcb_history_csv *c;
	const char *vals[IPCB_CSV_NCOLS];
	char first[32] = "", last[32] = "", *why, *src, now[32];
	ipcb_stmt *st = NULL;
	int rc;

	if (!im) {
		snprintf(err, errlen, "%s: out of memory", db);
		return -ENOMEM;
	}
	r = &im->r;
	c = &im->c;
	why = im->why;
	src = im->src;
	rc = ipcb_history_open_csv(c, path, err, errlen);
	if (rc < 0) {
		free(im);
		return rc;
	}
	rc = ipcb_histdb_open(&r->h, db, true, "", err, errlen);
	if (rc < 0) {
		ipcb_history_close_csv(c);
		free(im);
		return rc;
	}
	if (!source)
		snprintf(src, sizeof(im->src), "import %.500s", c->rows.name);
	else
		snprintf(src, sizeof(im->src), "%.590s", source);
	ipcb_histdb_now(now);
	rc = ipcb_histdb_exec(&r->h, "BEGIN IMMEDIATE", why, sizeof(im->why));
	if (rc == 0)
		rc = run_insert(r, now, "complete", false, commit, NULL, src, why, sizeof(im->why));
	if (rc == 0)
		rc = insert_prepare(r, why, sizeof(im->why));
	while (rc == 0 && (rc = ipcb_history_next_csv(c, vals)) > 0) {
		const char *t = vals[IPCB_COL_TIMESTAMP];

		/* ISO 8601 in UTC sorts as text. */
		if (*t && strlen(t) < sizeof(first) && (!first[0] || strcmp(t, first) < 0))
			snprintf(first, sizeof(first), "%s", t);
		if (*t && strlen(t) < sizeof(last) && strcmp(t, last) > 0)
			snprintf(last, sizeof(last), "%s", t);
		rc = row_store(r, vals, why, sizeof(im->why));
	}
	if (rc == 0 && r->rows == 0) {
		snprintf(why, sizeof(im->why), "%s: no rows after the header: nothing to store",
			 path);
		rc = -ENODATA;
	}
	/* The run's times are its rows' (an import made now stores a run measured earlier). */
	if (rc == 0)
		rc = ipcb_histdb_prepare(&r->h,
					 "UPDATE runs SET started = ?, finished = ? WHERE id = ?",
					 &st, why, sizeof(im->why));
	if (rc == 0) {
		ipcb_sql.bind_text(st, 1, first[0] ? first : now, -1, SQLITE_TRANSIENT);
		ipcb_sql.bind_text(st, 2, last[0] ? last : now, -1, SQLITE_TRANSIENT);
		ipcb_sql.bind_int64(st, 3, r->id);
		rc = step_done(r, st, "recording the run", why, sizeof(im->why));
		ipcb_sql.finalize(st);
	}
	/* The same rows imported twice (a retried CI step): refused, naming the stored run. */
	if (rc == 0)
		rc = ipcb_history_identity_set(&r->h, r->id, why, sizeof(im->why));
	if (rc == 0)
		rc = ipcb_histdb_exec(&r->h, "COMMIT", why, sizeof(im->why));
	if (rc < 0) {
		ipcb_sql.exec(r->h.db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, errlen, "%s", why);
	} else {
		*id = r->id;
		*rows = r->rows;
	}
	if (r->insert)
		ipcb_sql.finalize(r->insert);
	ipcb_histdb_close(&r->h);
	ipcb_history_close_csv(c);
	free(im);
	return rc;
}
