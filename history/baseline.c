/* SPDX-License-Identifier: MIT */
/*
 * baseline.c - what compare and report take from a history: the baseline rows of
 * `compare --db DB --baseline SPEC NEW`, and the trend figures of `report --html --db DB`.
 */
#include "history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvschema.h"
#include "db.h"
#include "expkey.h"
#include "format.h"
#include "series.h"
#include "store.h"

/*
 * What identifies a row wherever it is stored: when it was measured, where, what, and its
 * values. A run of the history that holds one of NEW's rows is NEW itself, stored with --db.
 * The timestamp is the invocation's, to the second, and a one-way row has no rate and a p50
 * of a histogram's few significant digits: two short invocations in one second matched on
 * such rows until the row's kind, its mean and its run's measured seconds (to the
 * microsecond) were part of it.
 */
static const enum ipcb_csv_column sig_cols[] = {
    IPCB_COL_TIMESTAMP,	   IPCB_COL_HOST,    IPCB_COL_TRANSPORT,  IPCB_COL_MODE,
    IPCB_COL_SIZE_BYTES,   IPCB_COL_ROUND,   IPCB_COL_MSGS_PER_S, IPCB_COL_P50_NS,
    IPCB_COL_LATENCY_KIND, IPCB_COL_MEAN_NS, IPCB_COL_ELAPSED_S,
};
#define NSIG (sizeof(sig_cols) / sizeof(sig_cols[0]))

#define MAX_RUNS 10000

enum spec_kind {
	SPEC_LAST,
	SPEC_RUNS,
	SPEC_COMMIT,
};

/* A sorted set of strings. */
struct strset {
	char **s;
	size_t n, cap;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strset_add(struct strset *g, const char *str)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		char **ns = realloc(g->s, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		g->s = ns;
		g->cap = cap;
	}
	g->s[g->n] = strdup(str);
	if (!g->s[g->n])
		return -ENOMEM;
	g->n++;
	return 0;
}

static void strset_sort(struct strset *g)
{
	size_t k = 0;

	qsort(g->s, g->n, sizeof(*g->s), str_cmp);
	for (size_t i = 0; i < g->n; i++) {
		if (k && strcmp(g->s[k - 1], g->s[i]) == 0)
			free(g->s[i]);
		else
			g->s[k++] = g->s[i];
	}
	g->n = k;
}

static bool strset_has(const struct strset *g, const char *str)
{
	return g->n && bsearch(&str, g->s, g->n, sizeof(*g->s), str_cmp) != NULL;
}

static void strset_free(struct strset *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->s[i]);
	free(g->s);
	memset(g, 0, sizeof(*g));
}

/* The signature of a row (sig_cols' values, \x1f-separated) into out: 0, or -1 too long. */
static int sig_make(const char *const v[NSIG], char *out, size_t n)
{
	size_t len = 0;

	for (size_t k = 0; k < NSIG && len < n; k++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", k ? "\x1f" : "", v[k]);
	return len < n ? 0 : -1;
}

/* What a baseline is matched against: NEW's rows and groups, and NEW's machine. */
struct newset {
	struct strset sigs;   /* NEW's rows: a run holding one is NEW itself */
	struct strset groups; /* NEW's groups: a baseline's rows of others are left out */
	char fp[13];
	char machine[512];
};

static void newset_free(struct newset *ns)
{
	strset_free(&ns->sigs);
	strset_free(&ns->groups);
}

/* Read NEW: its rows' signatures and groups, and the machine of its first row. */
static int new_read(const char *path, struct newset *ns, char *err, size_t errlen)
{
	const size_t cap = IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES;
	const char *vals[IPCB_CSV_NCOLS], *v[NSIG], *k[64];
	/* On the heap: the stack may be small (ulimit -s). */
	struct ipcb_history_csv *c = malloc(sizeof(*c));
	char *buf = malloc(cap);
	int rc;

	if (!buf || !c) {
		free(buf);
		free(c);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = ipcb_history_open_csv(c, path, err, errlen);
	if (rc < 0) {
		free(buf);
		free(c);
		return rc;
	}
	while ((rc = ipcb_history_next_csv(c, vals)) > 0) {
		if (c->next == 1) {
			const char *m[4];

			for (int i = 0; i < 4; i++)
				m[i] = vals[ipcb_histdb_machine_cols[i]];
			ipcb_histdb_fingerprint(m, ns->fp, ns->machine, sizeof(ns->machine));
		}
		for (size_t i = 0; i < IPCB_EXP_NCOLS; i++)
			k[i] = vals[ipcb_exp_cols[i]];
		if (ipcb_hseries_key(k, buf, cap) >= 0 && (rc = strset_add(&ns->groups, buf)) < 0)
			break;
		/* A row without a time stamp (an old file) cannot be told from another. */
		if (!*vals[IPCB_COL_TIMESTAMP])
			continue;
		for (size_t i = 0; i < NSIG; i++)
			v[i] = vals[sig_cols[i]];
		if (sig_make(v, buf, cap) == 0 && (rc = strset_add(&ns->sigs, buf)) < 0)
			break;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc == 0 && c->rows.n == 0) {
		snprintf(err, errlen, "%s: no rows after the header (did the run fail?)", path);
		rc = -EINVAL;
	}
	ipcb_history_close_csv(c);
	free(c);
	free(buf);
	strset_sort(&ns->sigs);
	strset_sort(&ns->groups);
	return rc;
}

/* "\"col\"" when the rows table has the column, else NULL: a SELECT's list of columns. */
static size_t select_cols(const struct ipcb_histdb *h, const enum ipcb_csv_column *cols, size_t n,
			  char *out, size_t cap)
{
	size_t len = 0;

	for (size_t k = 0; k < n && len < cap; k++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s%s%s", k ? ", " : "",
					h->col[cols[k]] ? "\"" : "NULL",
					h->col[cols[k]] ? ipcb_csv_name(cols[k]) : "",
					h->col[cols[k]] ? "\"" : "");
	return len;
}

/*
 * Look through run id's rows: *holds_new when one of them is one of NEW's (the run is NEW,
 * stored), *in_groups how many are of NEW's groups.
 */
static int run_scan(struct ipcb_histdb *h, long long id, const struct newset *ns, bool *holds_new,
		    size_t *in_groups, char *err, size_t errlen)
{
	const size_t cap = IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES, sqlcap = 2048;
	/* Both on the heap: 2 KiB of SQL is a frame too large for a small stack (ulimit -s). */
	char *sql = malloc(sqlcap), *buf = malloc(cap);
	size_t len;
	ipcb_stmt *st;
	int rc;

	*holds_new = false;
	*in_groups = 0;
	if (!buf || !sql) {
		free(buf);
		free(sql);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = (size_t)snprintf(sql, sqlcap, "SELECT ");
	len += select_cols(h, sig_cols, NSIG, sql + len, sqlcap - len);
	len += (size_t)snprintf(sql + len, sqlcap - len, ", ");
	len += select_cols(h, ipcb_exp_cols, IPCB_EXP_NCOLS, sql + len, sqlcap - len);
	snprintf(sql + len, sqlcap - len, " FROM rows WHERE run_id = %lld", id);
	rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	free(sql);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	while (!*holds_new && (rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		const char *v[64];

		for (size_t k = 0; k < NSIG; k++)
			v[k] = ipcb_histdb_text(st, (int)k);
		if (*v[0] && sig_make(v, buf, cap) == 0)
			*holds_new = strset_has(&ns->sigs, buf);
		for (size_t k = 0; k < IPCB_EXP_NCOLS; k++)
			v[k] = ipcb_histdb_text(st, (int)(NSIG + k));
		if (ipcb_hseries_key(v, buf, cap) >= 0 && strset_has(&ns->groups, buf))
			(*in_groups)++;
	}
	ipcb_sql.finalize(st);
	free(buf);
	if (!*holds_new && rc != SQLITE_DONE)
		return ipcb_histdb_fail(h, "reading the rows", rc, err, errlen);
	return 0;
}

static int spec_parse(const char *spec, enum spec_kind *kind, unsigned long *n, char *err,
		      size_t errlen)
{
	char *end;

	if (strcmp(spec, "last") == 0) {
		*kind = SPEC_LAST;
		*n = 1;
		return 0;
	}
	if (spec[0] >= '0' && spec[0] <= '9') {
		errno = 0;
		*n = strtoul(spec, &end, 10);
		if (strcmp(end, "-runs") == 0) {
			if (errno || *n < 1 || *n > MAX_RUNS) {
				snprintf(err, errlen,
					 "--baseline %s: the number of runs must be 1 to %d", spec,
					 MAX_RUNS);
				return -EINVAL;
			}
			*kind = SPEC_RUNS;
			return 0;
		}
	}
	for (const char *c = spec; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			snprintf(err, errlen,
				 "--baseline: '%s' is not last, N-runs (e.g. 5-runs) or a commit",
				 spec);
			return -EINVAL;
		}
	if (!*spec) {
		snprintf(err, errlen, "--baseline: empty: give last, N-runs or a commit");
		return -EINVAL;
	}
	*kind = SPEC_COMMIT;
	*n = MAX_RUNS;
	return 0;
}

struct chosen {
	long long id[MAX_RUNS];
	char commit[8][72]; /* the distinct commits met (the first 8) */
	size_t n, ncommits;
	char first_started[32], last_started[32], first_commit[72];
};

/*
 * The runs the spec names, newest first into c: complete, of NEW's machine (unless
 * any_machine), with rows of NEW's groups, not holding NEW's own rows (*own counts those).
 */
static int runs_choose(struct ipcb_histdb *h, enum spec_kind kind, unsigned long want,
		       const char *spec, bool any_machine, const struct newset *ns,
		       struct chosen *c, size_t *own, char *err, size_t errlen)
{
	char sql[400];
	ipcb_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT id, git_commit, started FROM runs WHERE status = 'complete'%s%s "
		 "ORDER BY id DESC",
		 any_machine ? "" : " AND fingerprint = ?1",
		 kind != SPEC_COMMIT ? ""
				     : " AND (git_commit = ?2 OR (length(?2) >= 4 AND "
				       "substr(git_commit, 1, length(?2)) = ?2))");
	rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	if (rc < 0)
		return rc;
	if (!any_machine)
		ipcb_sql.bind_text(st, 1, ns->fp, -1, SQLITE_TRANSIENT);
	if (kind == SPEC_COMMIT)
		ipcb_sql.bind_text(st, 2, spec, -1, SQLITE_TRANSIENT);
	while (c->n < want && (rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		long long id = ipcb_sql.column_int64(st, 0);
		const char *commit = ipcb_histdb_text(st, 1);
		bool seen = false, holds;
		size_t in_groups;
		int scan = run_scan(h, id, ns, &holds, &in_groups, err, errlen);

		if (scan < 0) {
			ipcb_sql.finalize(st);
			return scan;
		}
		*own += holds;
		/* Another job's run (other groups) is no baseline for this one. */
		if (holds || !in_groups)
			continue;
		if (c->n == 0) {
			snprintf(c->last_started, sizeof(c->last_started), "%s",
				 ipcb_histdb_text(st, 2));
			snprintf(c->first_commit, sizeof(c->first_commit), "%s", commit);
		}
		snprintf(c->first_started, sizeof(c->first_started), "%s", ipcb_histdb_text(st, 2));
		c->id[c->n++] = id;
		for (size_t k = 0; k < c->ncommits && !seen; k++)
			seen = strcmp(c->commit[k], commit) == 0;
		if (!seen && c->ncommits < 8)
			snprintf(c->commit[c->ncommits++], sizeof(c->commit[0]), "%s", commit);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = ipcb_histdb_fail(h, "reading the runs", rc, err, errlen);
	else
		rc = 0;
	ipcb_sql.finalize(st);
	return rc;
}

/* Complete runs on other machines, for the message when there is none on NEW's. */
static long long runs_elsewhere(struct ipcb_histdb *h, const char *fp)
{
	char err[256];
	ipcb_stmt *st;
	long long n = 0;

	if (ipcb_histdb_prepare(h,
				"SELECT count(*) FROM runs WHERE status = 'complete' AND "
				"fingerprint IS NOT ?1",
				&st, err, sizeof(err)) < 0)
		return 0;
	ipcb_sql.bind_text(st, 1, fp, -1, SQLITE_TRANSIENT);
	if (ipcb_sql.step(st) == SQLITE_ROW)
		n = ipcb_sql.column_int64(st, 0);
	ipcb_sql.finalize(st);
	return n;
}

/* The chosen runs' rows of NEW's groups as an ipcbench CSV, oldest run first. */
static int csv_write(struct ipcb_histdb *h, const struct chosen *c, const struct newset *ns,
		     FILE *f, char *err, size_t errlen)
{
	const size_t kcap = IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES;
	size_t cap = 64 + IPCB_CSV_NCOLS * 40, len;
	char *sql = malloc(cap), *key = malloc(kcap);
	ipcb_stmt *st;
	int rc;

	if (!sql || !key) {
		free(key);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = (size_t)snprintf(sql, cap, "SELECT ");
	for (int k = 0; k < IPCB_CSV_NCOLS; k++)
		len += (size_t)snprintf(
		    sql + len, cap - len, "%s%s%s%s", k ? ", " : "", h->col[k] ? "\"" : "NULL",
		    h->col[k] ? ipcb_csv_name((enum ipcb_csv_column)k) : "", h->col[k] ? "\"" : "");
	snprintf(sql + len, cap - len, " FROM rows WHERE run_id = ?1 ORDER BY seq");
	rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	free(sql);
	if (rc < 0) {
		free(key);
		return rc;
	}
	fprintf(f, "%s\n", ipcb_csv_header());
	for (size_t i = c->n; i-- > 0 && rc == 0;) {
		ipcb_sql.bind_int64(st, 1, c->id[i]);
		while ((rc = ipcb_sql.step(st)) == SQLITE_ROW) {
			const char *v[64];

			for (size_t k = 0; k < IPCB_EXP_NCOLS; k++)
				v[k] = ipcb_histdb_text(st, (int)ipcb_exp_cols[k]);
			if (ipcb_hseries_key(v, key, kcap) < 0 || !strset_has(&ns->groups, key))
				continue;
			for (int k = 0; k < IPCB_CSV_NCOLS; k++) {
				if (k)
					fputc(',', f);
				ipcb_csv_text(f, ipcb_histdb_text(st, k));
			}
			fputc('\n', f);
		}
		rc = rc == SQLITE_DONE ? 0
				       : ipcb_histdb_fail(h, "reading the rows", rc, err, errlen);
		ipcb_sql.reset(st);
	}
	ipcb_sql.finalize(st);
	free(key);
	return rc;
}

int ipcb_history_baseline(const char *db, const char *spec, const char *new_path, bool any_machine,
			  char **csv, size_t *len, char *name, size_t namelen, char *err,
			  size_t errlen)
{
	/* The database (4 KiB of file name) and two texts on the heap, not on a small stack. */
	struct work {
		struct ipcb_histdb h;
		char why[1024], mach[600];
	} *w = malloc(sizeof(*w));
	struct ipcb_histdb *h;
	char *why;
	struct newset ns = {0};
	struct chosen *c = calloc(1, sizeof(*c));
	enum spec_kind kind;
	unsigned long want;
	size_t own = 0;
	FILE *f = NULL;
	int rc;

	*csv = NULL;
	*len = 0;
	if (!c || !w) {
		free(c);
		free(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h = &w->h;
	why = w->why;
	rc = spec_parse(spec, &kind, &want, err, errlen);
	if (rc == 0)
		rc = new_read(new_path, &ns, err, errlen);
	if (rc < 0) {
		newset_free(&ns);
		free(c);
		free(w);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	rc = ipcb_histdb_open(h, db, false, "--db", err, errlen);
	if (rc < 0) {
		newset_free(&ns);
		free(c);
		free(w);
		return rc;
	}
	rc = runs_choose(h, kind, want, spec, any_machine, &ns, c, &own, why, sizeof(w->why));
	if (rc < 0)
		snprintf(err, errlen, "--db %s", why);
	if (rc == 0 && c->n == 0) {
		long long other = any_machine ? 0 : runs_elsewhere(h, ns.fp);
		char *mach = w->mach, more[100] = "", elsewhere[160] = "";

		mach[0] = '\0';
		if (!any_machine)
			snprintf(mach, sizeof(w->mach),
				 " of NEW's groups on NEW's machine (%s: %s)", ns.fp, ns.machine);
		if (own)
			snprintf(more, sizeof(more), " (%zu run%s holding NEW's own rows left out)",
				 own, own == 1 ? "" : "s");
		if (other)
			snprintf(
			    elsewhere, sizeof(elsewhere),
			    "; %lld complete run%s of other machines: --any-machine takes them",
			    other, other == 1 ? "" : "s");
		if (kind == SPEC_COMMIT)
			snprintf(err, errlen, "--db %s: no complete run of commit '%s'%s%s%s", db,
				 spec, mach, more, elsewhere);
		else
			snprintf(err, errlen,
				 "--db %s: no complete run to take as the baseline%s%s: nothing to "
				 "compare NEW with yet%s",
				 db, mach, more, elsewhere);
		rc = kind == SPEC_COMMIT ? -ESRCH : -ENODATA;
	}
	if (rc == 0 && kind == SPEC_COMMIT && c->ncommits > 1) {
		size_t l = (size_t)snprintf(
		    err, errlen, "--baseline %s: names several commits of the history:", spec);

		for (size_t k = 0; k < c->ncommits && l < errlen; k++)
			l += (size_t)snprintf(err + l, errlen - l, " %s", c->commit[k]);
		if (l < errlen)
			snprintf(err + l, errlen - l, " (give more of it)");
		rc = -EINVAL;
	}
	if (rc == 0) {
		f = open_memstream(csv, len);
		rc = f ? csv_write(h, c, &ns, f, why, sizeof(w->why)) : -ENOMEM;
		if (f && fclose(f) != 0 && rc == 0)
			rc = -ENOMEM;
		if (rc < 0) {
			snprintf(err, errlen, "--db %s", rc == -ENOMEM ? "out of memory" : why);
			free(*csv);
			*csv = NULL;
		}
	}
	if (rc == 0) {
		if (c->n == 1)
			snprintf(name, namelen, "%s (baseline %s: run %lld%s%.12s, %s)", db, spec,
				 c->id[0], c->first_commit[0] ? ", commit " : "", c->first_commit,
				 c->last_started);
		else
			snprintf(name, namelen,
				 "%s (baseline %s: %zu runs, %lld to %lld, %s to %s)", db, spec,
				 c->n, c->id[c->n - 1], c->id[0], c->first_started,
				 c->last_started);
	}
	ipcb_histdb_close(h);
	free(w);
	newset_free(&ns);
	free(c);
	return rc;
}

int ipcb_history_trends(const char *db, const char *csv, const char *dir, char *err, size_t errlen)
{
	struct ipcb_hquery q[2] = {
	    {.metric = IPCB_COL_BYTES_PER_S, .cp = {.threshold = 0.05, .alpha = 0.05, .window = 8}},
	    {.metric = IPCB_COL_P50_NS,
	     .lower_better = true,
	     .rtt_only = true,
	     .cp = {.threshold = 0.05, .alpha = 0.05, .window = 8}},
	};
	static const char *const prefix[2] = {"trend-", "trend-p50-"};
	char fp[13] = "", why[1024];
	struct ipcb_histdb *h; /* on the heap: see ipcb_history_baseline() */
	int rc = 0;

	if (csv) {
		struct newset ns = {0};

		rc = new_read(csv, &ns, err, errlen);
		snprintf(fp, sizeof(fp), "%s", ns.fp);
		newset_free(&ns);
		if (rc < 0)
			return rc;
		q[0].machine = q[1].machine = fp;
	}
	h = malloc(sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "--db %s: out of memory", db);
		return -ENOMEM;
	}
	rc = ipcb_histdb_open(h, db, false, "--db", err, errlen);
	for (int k = 0; k < 2 && rc == 0; k++) {
		struct ipcb_hseries_set set;

		rc = ipcb_hseries_read(h, &q[k], &set, why, sizeof(why));
		if (rc == 0) {
			rc = ipcb_hseries_plot(&set, &q[k], dir, prefix[k], why, sizeof(why));
			ipcb_hseries_free(&set);
		}
		if (rc < 0)
			snprintf(err, errlen, "--db %s: %s", db, why);
	}
	if (h->db)
		ipcb_histdb_close(h);
	free(h);
	return rc;
}
