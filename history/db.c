/* SPDX-License-Identifier: MIT */
/* db.c - opening the history database, its schema, migrations and checks; see db.h. */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

const enum ipcb_csv_column ipcb_histdb_machine_cols[4] = {
    IPCB_COL_CPU_MODEL, IPCB_COL_KERNEL, IPCB_COL_BUILD_TYPE, IPCB_COL_VIRTUALIZATION};

/*
 * The steps from each version to the next: migrations[v] takes a file of version v to v + 1.
 * The rows table's CSV columns are not here: every writer adds those its CSV has and the file
 * lacks (rows_columns_sync()), so a new CSV column needs no new version.
 */
static const char *const migrations[IPCB_HISTDB_VERSION] = {
    /* 0 -> 1: the tables. */
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, "
    "status TEXT NOT NULL, writer TEXT, pid INTEGER, fingerprint TEXT, machine TEXT, "
    "build TEXT, git_commit TEXT, command TEXT, source TEXT NOT NULL);"
    "CREATE INDEX runs_by_machine ON runs (fingerprint, id);"
    "CREATE INDEX runs_by_commit ON runs (git_commit);"
    "CREATE TABLE rows (run_id INTEGER NOT NULL REFERENCES runs (id), seq INTEGER NOT NULL, "
    "PRIMARY KEY (run_id, seq));"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
    /*
     * 1 -> 2: a run's identity (merge.c): the same run stored twice, or imported twice, is
     * refused. Runs stored before it have none until a merge works theirs out.
     */
    "ALTER TABLE runs ADD COLUMN identity TEXT;"
    "CREATE UNIQUE INDEX runs_by_identity ON runs (identity);",
};

/*
 * The same steps on PostgreSQL, in its types: a run's id numbered by the server (BIGSERIAL), the
 * version and the mark that it is ipcbench's kept in meta (PostgreSQL has no user_version).
 */
static const char *const migrations_pg[IPCB_HISTDB_VERSION] = {
    "CREATE TABLE runs (id BIGSERIAL PRIMARY KEY, started TEXT NOT NULL, finished TEXT, "
    "status TEXT NOT NULL, writer TEXT, pid BIGINT, fingerprint TEXT, machine TEXT, "
    "build TEXT, git_commit TEXT, command TEXT, source TEXT NOT NULL);"
    "CREATE INDEX runs_by_machine ON runs (fingerprint, id);"
    "CREATE INDEX runs_by_commit ON runs (git_commit);"
    "CREATE TABLE rows (run_id BIGINT NOT NULL REFERENCES runs (id), seq BIGINT NOT NULL, "
    "PRIMARY KEY (run_id, seq));"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
    "ALTER TABLE runs ADD COLUMN identity TEXT;"
    "CREATE UNIQUE INDEX runs_by_identity ON runs (identity);",
};

void ipcb_histdb_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
}

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_NOTADB:
		return -EINVAL;
	case SQLITE_TOOBIG:
		return -E2BIG;
	default:
		return -EIO;
	}
}

int ipcb_histdb_fail(struct ipcb_histdb *h, const char *what, int rc, char *err, size_t errlen)
{
	const char *msg = h->db ? ipcb_sql.errmsg(h->db) : ipcb_sql.errstr(rc);

	snprintf(err, errlen, "%s: %s: %s", h->path, what, msg);
	return errno_of(rc);
}

int ipcb_histdb_exec(struct ipcb_histdb *h, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = ipcb_sql.exec(h->db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", h->path, msg ? msg : ipcb_sql.errstr(rc));
	ipcb_sql.free(msg);
	return errno_of(rc);
}

int ipcb_histdb_prepare(struct ipcb_histdb *h, const char *sql, ipcb_stmt **st, char *err,
			size_t errlen)
{
	int rc = ipcb_sql.prepare_v2(h->db, sql, -1, st, NULL);

	if (rc == SQLITE_OK)
		return 0;
	*st = NULL;
	return ipcb_histdb_fail(h, "reading", rc, err, errlen);
}

const char *ipcb_histdb_text(ipcb_stmt *st, int col)
{
	const unsigned char *t = ipcb_sql.column_text(st, col);

	return t ? (const char *)t : "";
}

void ipcb_histdb_fingerprint(const char *const vals[4], char fp[13], char *machine, size_t n)
{
	struct ipcb_sha256 s;
	unsigned char d[IPCB_SHA256_BYTES];
	size_t len = 0;

	ipcb_sha256_init(&s);
	for (int i = 0; i < 4; i++) {
		/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
		ipcb_sha256_update(&s, vals[i], strlen(vals[i]) + 1);
		if (len < n)
			len += (size_t)snprintf(machine + len, n - len, "%s%s", i ? "; " : "",
						*vals[i] ? vals[i] : "-");
	}
	ipcb_sha256_final(&s, d);
	for (int i = 0; i < 6; i++)
		snprintf(fp + 2 * i, 3, "%02x", d[i]);
}

/* One integer a statement returns (a pragma's value). */
static int query_int(struct ipcb_histdb *h, const char *sql, long long *out, char *err,
		     size_t errlen)
{
	ipcb_stmt *st;
	int rc = ipcb_sql.prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = ipcb_sql.step(st);
		*out = rc == SQLITE_ROW ? ipcb_sql.column_int64(st, 0) : 0;
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK)
		rc = ipcb_histdb_fail(h, "reading", rc, err, errlen);
	ipcb_sql.finalize(st);
	return rc;
}

/*
 * Is the file an ipcbench history this ipcbench can use? *fresh: an empty database (a new or
 * empty file), which a writer makes one. The SQLite result of the first read is kept in *sqlrc
 * so that a reader can try again through immutable=1.
 */
static int header_check(struct ipcb_histdb *h, bool *fresh, char *err, size_t errlen)
{
	long long app = 0, version = 0, tables = 0;
	int rc;

	*fresh = false;
	rc = query_int(h, "PRAGMA application_id", &app, err, errlen);
	if (rc == -EINVAL) {
		snprintf(err, errlen,
			 "%s: not an SQLite database, so not an ipcbench history (give a new file "
			 "name to start one)",
			 h->path);
		return rc;
	}
	if (rc == 0)
		rc = query_int(h, "PRAGMA user_version", &version, err, errlen);
	if (rc == 0)
		rc = query_int(h, "SELECT count(*) FROM sqlite_schema", &tables, err, errlen);
	if (rc < 0)
		return rc;
	if (app == 0 && version == 0 && tables == 0) {
		*fresh = true;
		return 0;
	}
	if (app != IPCB_HISTDB_APP_ID) {
		snprintf(err, errlen,
			 "%s: an SQLite database of another program (application_id %lld), not an "
			 "ipcbench history: left as it is",
			 h->path, app);
		return -EINVAL;
	}
	if (version > IPCB_HISTDB_VERSION) {
		snprintf(err, errlen,
			 "%s: written by a newer ipcbench (history schema version %lld; this "
			 "ipcbench knows versions up to %d): use that ipcbench or a newer one; the "
			 "file is left as it is",
			 h->path, version, IPCB_HISTDB_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/* SQLite's quick_check: the file's structure, every page and index, without the slow part. */
static int integrity_check(struct ipcb_histdb *h, char *err, size_t errlen)
{
	ipcb_stmt *st;
	int rc = ipcb_sql.prepare_v2(h->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	char first[200] = "";

	if (rc == SQLITE_OK) {
		rc = ipcb_sql.step(st);
		if (rc == SQLITE_ROW)
			snprintf(first, sizeof(first), "%s", ipcb_histdb_text(st, 0));
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK) {
		rc = ipcb_histdb_fail(h, "integrity check", rc, err, errlen);
		ipcb_sql.finalize(st);
		if (rc == -EBADMSG)
			snprintf(err, errlen,
				 "%s: damaged (SQLite's integrity check: %s): refused, and left as "
				 "it is (restore it from a copy, or start a new file)",
				 h->path, ipcb_sql.errmsg(h->db));
		return rc;
	}
	ipcb_sql.finalize(st);
	if (strcmp(first, "ok") != 0) {
		snprintf(err, errlen,
			 "%s: damaged (SQLite's integrity check: %s): refused, and left as it is "
			 "(restore it from a copy, or start a new file)",
			 h->path, first);
		return -EBADMSG;
	}
	return 0;
}

/* Which CSV columns the rows table has (h->col). */
static int rows_columns_read(struct ipcb_histdb *h, char *err, size_t errlen)
{
	ipcb_stmt *st;
	/* The name second, as SQLite's table_info gives it. */
	int rc =
	    ipcb_histdb_prepare(h,
				h->pg ? "SELECT 0, column_name FROM information_schema.columns "
					"WHERE table_schema = current_schema() AND "
					"table_name = 'rows'"
				      : "PRAGMA table_info(rows)",
				&st, err, errlen);

	if (rc < 0)
		return rc;
	memset(h->col, 0, sizeof(h->col));
	while ((rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		int c = ipcb_csv_find(ipcb_histdb_text(st, 1));

		if (c >= 0)
			h->col[c] = true;
	}
	ipcb_sql.finalize(st);
	if (rc != SQLITE_DONE)
		return ipcb_histdb_fail(h, "reading the columns", rc, err, errlen);
	return 0;
}

/* Add the CSV's columns the rows table lacks (inside the caller's transaction). */
static int rows_columns_sync(struct ipcb_histdb *h, char *err, size_t errlen)
{
	char sql[160];
	int rc = rows_columns_read(h, err, errlen);

	for (int c = 0; rc == 0 && c < IPCB_CSV_NCOLS; c++) {
		if (h->col[c])
			continue;
		/* Two writers may add one column at once on a server: IF NOT EXISTS. */
		snprintf(sql, sizeof(sql),
			 h->pg ? "ALTER TABLE rows ADD COLUMN IF NOT EXISTS \"%s\" TEXT"
			       : "ALTER TABLE rows ADD COLUMN \"%s\"",
			 ipcb_csv_name((enum ipcb_csv_column)c));
		rc = ipcb_histdb_exec(h, sql, err, errlen);
		h->col[c] = rc == 0;
	}
	return rc;
}

/* Create or migrate the schema and add new columns, in one transaction, whoever else writes. */
static int schema_update(struct ipcb_histdb *h, char *err, size_t errlen)
{
	long long version = 0, app = 0;
	char sql[128], now[32];
	int rc;

	rc = ipcb_histdb_exec(h, "BEGIN IMMEDIATE", err, errlen);
	if (rc < 0)
		return rc;
	/* Again, under the write lock: another writer may have made or migrated it meanwhile. */
	rc = query_int(h, "PRAGMA user_version", &version, err, errlen);
	if (rc == 0)
		rc = query_int(h, "PRAGMA application_id", &app, err, errlen);
	if (rc == 0 && version > IPCB_HISTDB_VERSION)
		rc = -EPROTONOSUPPORT;
	for (long long v = version; rc == 0 && v < IPCB_HISTDB_VERSION; v++)
		rc = ipcb_histdb_exec(h, migrations[v], err, errlen);
	if (rc == 0 && version == 0) {
		ipcb_histdb_now(now);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO meta VALUES ('created', '%s'), ('created_by', "
			 "'ipcbench schema %d')",
			 now, IPCB_HISTDB_VERSION);
		rc = ipcb_histdb_exec(h, sql, err, errlen);
	}
	if (rc == 0 && version < IPCB_HISTDB_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
			 IPCB_HISTDB_VERSION, IPCB_HISTDB_APP_ID);
		rc = ipcb_histdb_exec(h, sql, err, errlen);
	}
	if (rc == 0)
		rc = rows_columns_sync(h, err, errlen);
	if (rc == 0)
		return ipcb_histdb_exec(h, "COMMIT", err, errlen);
	if (rc == -EPROTONOSUPPORT)
		snprintf(err, errlen,
			 "%s: made a newer ipcbench's history (schema version %lld) while this "
			 "one opened it: left as it is",
			 h->path, version);
	ipcb_sql.exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * Opening's texts, PATH_MAX-sized, so on the heap: on the stack they would make a frame of over
 * 20 KiB, more than a small stack (ulimit -s) has room for.
 */
struct open_bufs {
	char msg[PATH_MAX + 1024];   /* what ipcb_histdb_open() puts after `what` */
	char why[PATH_MAX + 300];    /* why the file cannot be written */
	char uri[PATH_MAX * 3 + 32]; /* the file as an immutable=1 URI */
	char dir[PATH_MAX];	     /* its directory */
};

/*
 * Why a file cannot be written, when the file system or its mode says so; NULL otherwise. dir:
 * room for the file's directory (PATH_MAX).
 */
static const char *read_only_why(const char *path, char *buf, size_t n, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (access(path, W_OK) < 0 && (errno == EROFS || errno == EACCES || errno == EPERM)) {
		snprintf(buf, n, "%s", strerror(errno));
		return buf;
	}
	/* SQLite writes its -wal and -shm files beside the database. */
	if (!slash)
		snprintf(dir, PATH_MAX, ".");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash == path ? 1 : slash - path), path);
	if (access(dir, W_OK) < 0 && (errno == EROFS || errno == EACCES || errno == EPERM)) {
		snprintf(buf, n, "its directory %s: %s", dir, strerror(errno));
		return buf;
	}
	return NULL;
}

/* "file:" + path, percent-encoded where a URI needs it, + "?immutable=1". */
static void immutable_uri(const char *path, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "file:");

	for (const unsigned char *p = (const unsigned char *)path; *p && len + 4 < n; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
			len += (size_t)snprintf(out + len, n - len, "%%%02X", *p);
		else
			out[len++] = (char)*p;
	}
	snprintf(out + len, n - len, "?immutable=1");
}

static int db_open(struct ipcb_histdb *h, const char *name, int flags, char *err, size_t errlen)
{
	int rc = ipcb_sql.open_v2(name, &h->db, flags, NULL);

	if (rc != SQLITE_OK) {
		rc = ipcb_histdb_fail(h, "open", rc, err, errlen);
		ipcb_sql.close_v2(h->db);
		h->db = NULL;
		return rc;
	}
	ipcb_sql.busy_timeout(h->db, IPCB_HISTDB_BUSY_MS);
	return 0;
}

/*
 * A history on PostgreSQL: the server's tables in the connection's schema. Empty (none of the
 * three tables) is a new history, which a writer makes under an advisory lock (two runners
 * starting at once make it once); a schema with other tables, or a newer version, is refused.
 */
static int pg_open_checked(struct ipcb_histdb *h, const char *conninfo, char *err, size_t errlen)
{
	long long tables = 0, version = 0, ours = 0;
	char sql[256];
	int rc = db_open(h, conninfo, 0, err, errlen);

	if (rc == 0 && h->write)
		rc = ipcb_histdb_exec(h, "BEGIN", err, errlen);
	if (rc == 0 && h->write) {
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)", IPCB_HISTDB_APP_ID);
		rc = query_int(h, sql, &tables, err, errlen);
	}
	if (rc == 0)
		rc =
		    query_int(h,
			      "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
			      "current_schema() AND table_name IN ('runs', 'rows', 'meta')",
			      &tables, err, errlen);
	if (rc == 0 && tables == 3)
		rc = query_int(h,
			       "SELECT count(*) FROM meta WHERE key = 'application' AND value = "
			       "'ipcbench'",
			       &ours, err, errlen);
	if (rc == 0 && ours)
		rc = query_int(
		    h, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'",
		    &version, err, errlen);
	if (rc == 0 && tables && !ours) {
		snprintf(err, errlen,
			 "%s: its schema has tables of another program (runs, rows or meta), not "
			 "an ipcbench history: left as it is",
			 h->path);
		rc = -EINVAL;
	} else if (rc == 0 && !tables && !h->write) {
		snprintf(
		    err, errlen,
		    "%s: empty: not an ipcbench history yet (ipcbench --db stores a run's rows "
		    "there)",
		    h->path);
		rc = -EINVAL;
	} else if (rc == 0 && version > IPCB_HISTDB_VERSION) {
		snprintf(err, errlen,
			 "%s: written by a newer ipcbench (history schema version %lld; this "
			 "ipcbench knows versions up to %d): use that ipcbench or a newer one; the "
			 "database is left as it is",
			 h->path, version, IPCB_HISTDB_VERSION);
		rc = -EPROTONOSUPPORT;
	}
	for (long long v = version; rc == 0 && h->write && v < IPCB_HISTDB_VERSION; v++)
		rc = ipcb_histdb_exec(h, migrations_pg[v], err, errlen);
	if (rc == 0 && h->write && version < IPCB_HISTDB_VERSION) {
		char now[32];

		ipcb_histdb_now(now);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO meta VALUES ('application', 'ipcbench'), ('created', '%s'), "
			 "('schema_version', '%d') ON CONFLICT (key) DO UPDATE SET value = "
			 "EXCLUDED.value",
			 now, IPCB_HISTDB_VERSION);
		if (version)
			snprintf(sql, sizeof(sql),
				 "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
				 IPCB_HISTDB_VERSION);
		rc = ipcb_histdb_exec(h, sql, err, errlen);
	}
	if (rc == 0 && h->write)
		rc = rows_columns_sync(h, err, errlen);
	if (h->write && h->db)
		ipcb_sql.exec(h->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int open_checked(struct ipcb_histdb *h, struct open_bufs *b, char *err, size_t errlen)
{
	char *why = b->why, *uri = b->uri, *dir = b->dir;
	long long dummy;
	bool fresh = false, ro = false;
	struct stat st;
	int rc;

	if (h->write && lstat(h->path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: a symbolic link; outputs are not written through links (name the "
			 "file itself)",
			 h->path);
		return -ELOOP;
	}
	if (stat(h->path, &st) < 0) {
		const char *slash = strrchr(h->path, '/');

		if (!h->write || errno != ENOENT) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", h->path, strerror(errno));
			return rc;
		}
		/* A new file: its directory must be there (SQLite would only say "unable to open").
		 */
		if (!slash)
			snprintf(dir, sizeof(b->dir), ".");
		else
			snprintf(dir, sizeof(b->dir), "%.*s",
				 slash == h->path ? 1 : (int)(slash - h->path), h->path);
		rc = stat(dir, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
		if (rc < 0) {
			snprintf(err, errlen, "%s: its directory %.300s: %s", h->path, dir,
				 strerror(-rc));
			return rc;
		}
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", h->path);
		return -EINVAL;
	}
	/*
	 * A reader that may write the file opens it read-write all the same, and never writes
	 * (query_only): SQLite removes a WAL database's -wal and -shm when the last connection
	 * closes, which a read-only connection cannot, so that reading a history leaves nothing
	 * beside it.
	 */
	rc = db_open(h, h->path,
		     h->write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW
		     : access(h->path, W_OK) == 0 ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW
						  : SQLITE_OPEN_READONLY,
		     err, errlen);
	if (rc == 0 && !h->write)
		rc = ipcb_histdb_exec(h, "PRAGMA query_only = 1", err, errlen);
	/* SQLite opens a file it may not write read-only, without saying so. */
	ro = rc == 0 && h->write && ipcb_sql.db_readonly(h->db, "main") == 1;
	if (rc == 0)
		rc = header_check(h, &fresh, err, errlen);
	/*
	 * A reader that cannot make the -shm file beside a WAL database (a read-only directory or
	 * mount) reads the file as it is: immutable=1 skips the locks, and so a -wal's newer
	 * transactions, if a writer left one.
	 */
	if (!h->write && (rc == -ENOENT || rc == -EROFS || rc == -EACCES || rc == -EIO)) {
		ipcb_sql.close_v2(h->db);
		h->db = NULL;
		immutable_uri(h->path, uri, sizeof(b->uri));
		rc = db_open(h, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err, errlen);
		if (rc == 0)
			rc = header_check(h, &fresh, err, errlen);
		h->immutable = rc == 0;
	}
	/* What the file is comes first; then whether this process may write it. */
	if (h->write && rc != -EINVAL && rc != -EPROTONOSUPPORT &&
	    (ro || (rc < 0 && read_only_why(h->path, why, sizeof(b->why), dir)))) {
		if (!read_only_why(h->path, why, sizeof(b->why), dir))
			snprintf(why, sizeof(b->why), "SQLite opened it read-only");
		snprintf(err, errlen,
			 "%s: read-only (%.300s): rows cannot be stored there (`ipcbench history` "
			 "still reads it)",
			 h->path, why);
		return -EROFS;
	}
	if (rc < 0)
		return rc;
	if (fresh && !h->write) {
		snprintf(err, errlen,
			 "%s: empty: not an ipcbench history yet (ipcbench --db FILE stores a "
			 "run's rows there)",
			 h->path);
		return -EINVAL;
	}
	rc = integrity_check(h, err, errlen);
	if (rc < 0 || !h->write)
		return rc;
	/* WAL: readers never wait for a writer, and a writer waits only for another's row. */
	rc = query_int(h, "PRAGMA journal_mode = WAL", &dummy, err, errlen);
	if (rc == 0)
		rc = ipcb_histdb_exec(h, "PRAGMA synchronous = FULL", err, errlen);
	if (rc == 0)
		rc = schema_update(h, err, errlen);
	return rc;
}

int ipcb_histdb_open(struct ipcb_histdb *h, const char *path, bool write, const char *what,
		     char *err, size_t errlen)
{
	struct open_bufs *b;
	char *why;
	ipcb_stmt *st;
	int rc;

	memset(h, 0, sizeof(*h));
	h->write = write;
	if (!path || !*path) {
		snprintf(err, errlen, "%s%sempty file name", what, *what ? ": " : "");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(h->path)) {
		snprintf(err, errlen, "%s%sfile name too long", what, *what ? ": " : "");
		return -ENAMETOOLONG;
	}
	/* Messages name it as path is, a server's password hidden; path itself connects. */
	ipcb_sql_shown(path, h->path, sizeof(h->path));
	b = malloc(sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "%s%s%s: out of memory", what, *what ? " " : "", path);
		return -ENOMEM;
	}
	why = b->msg;
	h->pg = ipcb_sql_is_pg(path);
	rc = ipcb_sql_load(path, why, sizeof(b->msg));
	if (rc < 0) {
		snprintf(err, errlen, "%s%s%s: %s", what, *what ? " " : "", path, why);
		free(b);
		return rc;
	}
	rc = h->pg ? pg_open_checked(h, path, why, sizeof(b->msg))
		   : open_checked(h, b, why, sizeof(b->msg));
	if (rc == 0)
		rc = rows_columns_read(h, why, sizeof(b->msg));
	if (rc == 0 && h->pg)
		snprintf(h->journal, sizeof(h->journal), "postgresql");
	else if (rc == 0 &&
		 ipcb_histdb_prepare(h, "PRAGMA journal_mode", &st, why, sizeof(b->msg)) == 0) {
		if (ipcb_sql.step(st) == SQLITE_ROW)
			snprintf(h->journal, sizeof(h->journal), "%s", ipcb_histdb_text(st, 0));
		ipcb_sql.finalize(st);
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s%s%s", what, *what ? " " : "", why);
		ipcb_histdb_close(h);
	}
	free(b);
	return rc;
}

void ipcb_histdb_close(struct ipcb_histdb *h)
{
	if (h->db)
		ipcb_sql.close_v2(h->db);
	h->db = NULL;
}
