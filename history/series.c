/* SPDX-License-Identifier: MIT */
/* series.c - each group's series of runs, read from the history and analysed; see series.h. */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expkey.h"
#include "format.h"
#include "history.h"
#include "stats.h"

/*
 * The group: the experiment's key (lib/expkey.h, the one rule the report's and compare's groups
 * follow, scoped to runs of several files: a host's name left out, the latency kind a measure of
 * its own), from expkey.h's columns.
 */
int ipcb_hseries_key(const char *const *v, char *out, size_t n)
{
	size_t len = ipcb_exp_key(v, IPCB_EXP_RUNS, out, n);

	return len < n ? (int)len : -1;
}

/* The columns of the query before the group's: run, started, commit, fingerprint, machine. */
#define Q_FIRST_KEY 5
#define MAX_SERIES  (64u << 10)

/* A short name for people: "pipe throughput 64K cross-core", and the shape's marks. */
static void series_name(struct ipcb_hseries *s, const char *const v[IPCB_EXP_NCOLS])
{
	char size[32];
	size_t len;
	unsigned long long u;
	char *end;

	u = strtoull(v[IPCB_EXP_SIZE_BYTES], &end, 10);
	if (*v[IPCB_EXP_SIZE_BYTES] && !*end)
		ipcb_format_size((size_t)u, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "%s", v[IPCB_EXP_SIZE_BYTES]);
	len = (size_t)snprintf(s->name, sizeof(s->name), "%s %s %s", v[IPCB_EXP_TRANSPORT],
			       v[IPCB_EXP_MODE], size);
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (len < sizeof(s->name))                                                         \
			len +=                                                                     \
			    (size_t)snprintf(s->name + len, sizeof(s->name) - len, __VA_ARGS__);   \
	} while (0)
	if (*v[IPCB_EXP_KIND])
		ADD(" %s", v[IPCB_EXP_KIND]);
	if (*v[IPCB_EXP_PLACEMENT])
		ADD(" %s", v[IPCB_EXP_PLACEMENT]);
	if (*v[IPCB_EXP_WAIT])
		ADD(" wait %s", v[IPCB_EXP_WAIT]);
	if (*v[IPCB_EXP_PAIRS] && strcmp(v[IPCB_EXP_PAIRS], "1") != 0)
		ADD(" x%s", v[IPCB_EXP_PAIRS]);
	if (*v[IPCB_EXP_TOPOLOGY] && strcmp(v[IPCB_EXP_TOPOLOGY], "1:1") != 0)
		ADD(" %s", v[IPCB_EXP_TOPOLOGY]);
	if (*v[IPCB_EXP_INFLIGHT] && strcmp(v[IPCB_EXP_INFLIGHT], "1") != 0)
		ADD(" k%s", v[IPCB_EXP_INFLIGHT]);
	if (*v[IPCB_EXP_FRACTION])
		ADD(" @%s of max", v[IPCB_EXP_FRACTION]);
	else if (*v[IPCB_EXP_RATE])
		ADD(" @%s/s", v[IPCB_EXP_RATE]);
	if (*v[IPCB_EXP_TUNING])
		ADD(" tuned %s", v[IPCB_EXP_TUNING]);
	if (*v[IPCB_EXP_OPTIONS])
		ADD(" [%s]", v[IPCB_EXP_OPTIONS]);
	if (*v[IPCB_EXP_WORK_NS] && strcmp(v[IPCB_EXP_WORK_NS], "0") != 0)
		ADD(" work %sns", v[IPCB_EXP_WORK_NS]);
	if (*v[IPCB_EXP_RECEIVER_WORK_NS] && strcmp(v[IPCB_EXP_RECEIVER_WORK_NS], "0") != 0)
		ADD(" receiver work %sns", v[IPCB_EXP_RECEIVER_WORK_NS]);
	if (*v[IPCB_EXP_SENDER_CPU] || *v[IPCB_EXP_RECEIVER_CPU])
		ADD(" cpus %s,%s", *v[IPCB_EXP_SENDER_CPU] ? v[IPCB_EXP_SENDER_CPU] : "-",
		    *v[IPCB_EXP_RECEIVER_CPU] ? v[IPCB_EXP_RECEIVER_CPU] : "-");
#undef ADD
}

static void series_fini(struct ipcb_hseries *s)
{
	for (size_t j = 0; j < s->npt; j++)
		free(s->pt[j].v);
	free(s->pt);
	free(s->key);
	for (int k = 0; s->val && k < IPCB_EXP_LIBRARY; k++)
		free(s->val[k]);
	free(s->val);
	memset(s, 0, sizeof(*s));
}

/* Is the setting of expkey.h's plain column k in a series' name (series_name)? */
static bool setting_named(int k)
{
	switch (k) {
	case IPCB_EXP_TRANSPORT:
	case IPCB_EXP_MODE:
	case IPCB_EXP_SIZE_BYTES:
	case IPCB_EXP_PLACEMENT:
	case IPCB_EXP_WAIT:
	case IPCB_EXP_PAIRS:
	case IPCB_EXP_TOPOLOGY:
	case IPCB_EXP_INFLIGHT:
	case IPCB_EXP_TUNING:
	case IPCB_EXP_OPTIONS:
	case IPCB_EXP_WORK_NS:
	case IPCB_EXP_RECEIVER_WORK_NS:
	case IPCB_EXP_SENDER_CPU:
	case IPCB_EXP_RECEIVER_CPU:
		return true;
	default:
		return false;
	}
}

/*
 * Series of one machine whose names read alike differ in a setting the name leaves out (spin
 * polls, fsync, the chunk, a recorded option): each is named by those settings too, NAME=VALUE
 * ("-" where empty), so that no two series of a machine read alike.
 */
static int names_apart(struct ipcb_hseries_set *set)
{
	struct ipcb_exp_index idx = {0};
	size_t *first = calloc(set->n ? set->n : 1, sizeof(*first)), at;
	bool(*named)[IPCB_EXP_LIBRARY] = calloc(set->n ? set->n : 1, sizeof(*named));
	bool fresh;
	char *alike = NULL;
	int rc = first && named ? 0 : -ENOMEM;

	/*
	 * Each name's first series (names as series_name made them, none changed yet); a series
	 * with no points (every row set aside) is not shown, so it sets no other apart.
	 */
	for (size_t i = 0; rc == 0 && i < set->n; i++) {
		const struct ipcb_hseries *s = &set->s[i];

		if (!s->npt)
			continue;
		free(alike);
		if (asprintf(&alike, "%s\x1f%s", s->fp, s->name) < 0) {
			alike = NULL;
			rc = -ENOMEM;
		} else if ((rc = ipcb_exp_index_find(&idx, alike, &at, &fresh)) == 0 && fresh)
			first[at] = i;
		/* The others of its name: every series from the first one that reads alike. */
		for (size_t j = rc == 0 ? first[at] : set->n; j < i; j++) {
			const struct ipcb_hseries *o = &set->s[j];

			if (!o->npt || strcmp(o->fp, s->fp) || strcmp(o->name, s->name))
				continue;
			for (int k = 0; k < IPCB_EXP_LIBRARY; k++)
				if (!setting_named(k) && strcmp(o->val[k], s->val[k]) != 0)
					named[i][k] = named[j][k] = true;
		}
	}
	for (size_t i = 0; rc == 0 && i < set->n; i++) {
		struct ipcb_hseries *s = &set->s[i];
		size_t len = strlen(s->name);

		for (int k = 0; k < IPCB_EXP_LIBRARY; k++)
			if (named[i][k] && len < sizeof(s->name))
				len += (size_t)snprintf(s->name + len, sizeof(s->name) - len,
							" %s=%s", ipcb_csv_name(ipcb_exp_cols[k]),
							*s->val[k] ? s->val[k] : "-");
	}
	free(alike);
	free(first);
	free(named);
	ipcb_exp_index_free(&idx);
	return rc;
}

static int series_add(struct ipcb_hseries_set *set, struct ipcb_exp_index *idx, const char *key,
		      const char *const v[IPCB_EXP_NCOLS], const char *fp, const char *machine,
		      struct ipcb_hseries **out)
{
	size_t i;
	bool fresh;
	struct ipcb_hseries *s;

	if (ipcb_exp_index_find(idx, key, &i, &fresh) < 0)
		return -ENOMEM;
	if (!fresh) {
		*out = &set->s[i];
		return 0;
	}
	if (set->n == MAX_SERIES)
		return -E2BIG;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct ipcb_hseries *ns = realloc(set->s, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		set->s = ns;
		set->cap = cap;
	}
	s = &set->s[set->n];
	memset(s, 0, sizeof(*s));
	s->key = strdup(key);
	s->val = calloc(IPCB_EXP_LIBRARY, sizeof(*s->val));
	for (int k = 0; s->val && k < IPCB_EXP_LIBRARY; k++)
		if (!(s->val[k] = strdup(v[k]))) {
			series_fini(s);
			return -ENOMEM;
		}
	if (!s->key || !s->val) {
		series_fini(s);
		return -ENOMEM;
	}
	snprintf(s->fp, sizeof(s->fp), "%s", fp);
	snprintf(s->machine, sizeof(s->machine), "%s", machine);
	series_name(s, v);
	set->n++;
	*out = s;
	return 0;
}

static int point_value(struct ipcb_hpoint *p, double x)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		double *nv = realloc(p->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = x;
	return 0;
}

/* The point of this run (or commit) in s: the last one, or by commit an earlier one, or new. */
static int point_find(struct ipcb_hseries *s, long long run, const char *commit,
		      const char *started, bool by_commit, struct ipcb_hpoint **out)
{
	struct ipcb_hpoint *p;

	if (s->npt && s->pt[s->npt - 1].run == run) {
		*out = &s->pt[s->npt - 1];
		return 0;
	}
	for (size_t i = s->npt; by_commit && *commit && i-- > 0;)
		if (strcmp(s->pt[i].commit, commit) == 0) {
			*out = &s->pt[i];
			/* A later run of a commit already seen: pooled with it. */
			if (s->pt[i].run != run)
				s->pt[i].nruns++;
			s->pt[i].run = s->pt[i].run < run ? s->pt[i].run : run;
			return 0;
		}
	if (s->npt == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct ipcb_hpoint *np = realloc(s->pt, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->pt = np;
		s->cap = cap;
	}
	p = &s->pt[s->npt++];
	memset(p, 0, sizeof(*p));
	p->run = run;
	p->nruns = 1;
	snprintf(p->commit, sizeof(p->commit), "%s", commit);
	snprintf(p->started, sizeof(p->started), "%s", started);
	*out = p;
	return 0;
}

/* The SELECT of the rows the query asks for: bind ?1 to the fingerprint prefix when given. */
static char *query_text(const struct ipcb_histdb *h, const struct ipcb_hquery *q)
{
	size_t cap = 1024 + IPCB_EXP_NCOLS * 48, len;
	char *sql = malloc(cap);

	if (!sql)
		return NULL;
	len = (size_t)snprintf(sql, cap,
			       "SELECT runs.id, runs.started, runs.git_commit, runs.fingerprint, "
			       "runs.machine");
	for (int k = 0; k < IPCB_EXP_NCOLS; k++) {
		if (h->col[ipcb_exp_cols[k]])
			len += (size_t)snprintf(sql + len, cap - len, ", rows.\"%s\"",
						ipcb_csv_name(ipcb_exp_cols[k]));
		else
			len += (size_t)snprintf(sql + len, cap - len, ", NULL");
	}
	len +=
	    (size_t)snprintf(sql + len, cap - len,
			     ", rows.\"%s\", rows.seq FROM rows JOIN runs ON runs.id = rows.run_id "
			     "WHERE rows.\"%s\" IS NOT NULL",
			     ipcb_csv_name(q->metric), ipcb_csv_name(q->metric));
	if (q->machine)
		len += (size_t)snprintf(sql + len, cap - len,
					" AND substr(runs.fingerprint, 1, length(?1)) = ?1");
	if (q->rtt_only)
		len += (size_t)snprintf(sql + len, cap - len, " AND rows.\"%s\" = 'rtt'",
					ipcb_csv_name(IPCB_COL_LATENCY_KIND));
	snprintf(sql + len, cap - len, " ORDER BY runs.id, rows.seq");
	return sql;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Each point's median and interval; the values are freed. */
static int points_summarise(struct ipcb_hseries *s)
{
	for (size_t i = 0; i < s->npt; i++) {
		struct ipcb_hpoint *p = &s->pt[i];
		int rc;

		qsort(p->v, p->n, sizeof(*p->v), dbl_cmp);
		p->median = ipcb_stats_median_sorted(p->v, p->n);
		rc = ipcb_median_ci(p->v, p->n, 0.95, &p->lo, &p->hi, &p->coverage);
		if (rc < 0)
			return rc;
		free(p->v);
		p->v = NULL;
	}
	return 0;
}

static int series_analyse(struct ipcb_hseries *s, const struct ipcb_hquery *q)
{
	double *y = malloc((s->npt ? s->npt : 1) * sizeof(*y));
	size_t at[IPCB_HS_MAX_CHANGES];
	int rc;

	if (!y)
		return -ENOMEM;
	s->analysed = s->npt >= 2;
	for (size_t i = 0; i < s->npt && s->analysed; i++) {
		s->analysed = s->pt[i].median > 0 && isfinite(s->pt[i].median);
		y[i] = s->analysed ? log(s->pt[i].median) : 0;
	}
	if (!s->analysed) {
		free(y);
		return 0;
	}
	rc = ipcb_cp_find(y, s->npt, &q->cp, s->cp, IPCB_HS_MAX_CHANGES, &s->ncp);
	for (size_t i = 0; rc == 0 && i < s->ncp; i++)
		at[i] = s->cp[i].at;
	if (rc == 0)
		rc = ipcb_cp_drift(y, s->npt, at, s->ncp, q->cp.alpha, &s->drift);
	free(y);
	return rc;
}

/* File names: the name's letters and digits, '-' for the rest; unique in the set. */
static void slugs_make(struct ipcb_hseries_set *set)
{
	bool machines = false;

	for (size_t i = 1; i < set->n; i++)
		machines |= strcmp(set->s[i].fp, set->s[0].fp) != 0;
	for (size_t i = 0; i < set->n; i++) {
		struct ipcb_hseries *s = &set->s[i];
		size_t len = 0;
		bool dash = true;

		for (const char *c = s->name; *c && len + 16 < sizeof(s->slug); c++) {
			char ch = *c;

			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
				s->slug[len++] = ch;
				dash = false;
			} else if (ch >= 'A' && ch <= 'Z') {
				s->slug[len++] = ch;
				dash = false;
			} else if (ch == '.' && len && s->slug[len - 1] >= '0' &&
				   s->slug[len - 1] <= '9') {
				s->slug[len++] = ch;
			} else if (!dash) {
				s->slug[len++] = '-';
				dash = true;
			}
		}
		while (len && s->slug[len - 1] == '-')
			len--;
		s->slug[len] = '\0';
		if (machines)
			snprintf(s->slug + len, sizeof(s->slug) - len, "-%.8s", s->fp);
		for (size_t j = 0, k = 2; j < i; j++)
			if (strcmp(set->s[j].slug, s->slug) == 0) {
				snprintf(s->slug + len, sizeof(s->slug) - len, "-%zu", k++);
				j = (size_t)-1; /* and check the new one from the start */
			}
	}
}

/* ---- the rows set aside for the machine's state ---- */

static ipcb_history_aside_fn aside_rule;

void ipcb_history_aside_set(ipcb_history_aside_fn fn)
{
	aside_rule = fn;
}

/* The rows the rule sets aside, as (run, seq), ascending: the order the series' query reads. */
struct aside_rows {
	long long (*at)[2];
	size_t n, cap, next; /* next: the walk's place */
};

static int aside_add(struct aside_rows *a, long long run, long long seq)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		long long(*na)[2] = realloc(a->at, cap * sizeof(*na));

		if (!na)
			return -ENOMEM;
		a->at = na;
		a->cap = cap;
	}
	a->at[a->n][0] = run;
	a->at[a->n][1] = seq;
	a->n++;
	return 0;
}

/* Is (run, seq) set aside? Asked in ascending order. */
static bool aside_has(struct aside_rows *a, long long run, long long seq)
{
	while (a->next < a->n &&
	       (a->at[a->next][0] < run || (a->at[a->next][0] == run && a->at[a->next][1] < seq)))
		a->next++;
	return a->next < a->n && a->at[a->next][0] == run && a->at[a->next][1] == seq;
}

/*
 * One run's rows as CSV (every column, empty where the history has none) into f, its rows'
 * seqs into *seq: st is "SELECT seq, every column FROM rows WHERE run_id = ?1 ORDER BY seq".
 */
static int run_csv(ipcb_stmt *st, long long run, FILE *f, long long **seq, size_t *n, size_t *cap)
{
	int rc;

	*n = 0;
	fprintf(f, "%s\n", ipcb_csv_header());
	ipcb_sql.bind_int64(st, 1, run);
	while ((rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 256;
			long long *ns = realloc(*seq, nc * sizeof(*ns));

			if (!ns) {
				ipcb_sql.reset(st);
				return -ENOMEM;
			}
			*seq = ns;
			*cap = nc;
		}
		(*seq)[(*n)++] = ipcb_sql.column_int64(st, 0);
		for (int k = 0; k < IPCB_CSV_NCOLS; k++) {
			if (k)
				fputc(',', f);
			ipcb_csv_text(f, ipcb_histdb_text(st, k + 1));
		}
		fputc('\n', f);
	}
	ipcb_sql.reset(st);
	return rc == SQLITE_DONE ? 0 : rc;
}

/*
 * Judge every run of the query's machines by the rule: the rows it sets aside into *a, the runs
 * it could not judge counted in *unjudged. Each run is judged whole, as the report judges its
 * file: its own probes decide.
 */
static int aside_find(struct ipcb_histdb *h, const struct ipcb_hquery *q, struct aside_rows *a,
		      size_t *unjudged, char *err, size_t errlen)
{
	size_t cap = 64 + (size_t)IPCB_CSV_NCOLS * 40, len, nseq = 0, seqcap = 0, nruns = 0;
	long long *runs = NULL, *seq = NULL;
	char *sql = malloc(cap), *csv = NULL;
	ipcb_stmt *st = NULL;
	int rc;

	if (!aside_rule)
		return 0;
	if (!sql)
		return -ENOMEM;
	/* The runs first, all of them: one statement is stepped at a time. */
	snprintf(sql, cap, "SELECT id FROM runs%s ORDER BY id",
		 q->machine ? " WHERE substr(fingerprint, 1, length(?1)) = ?1" : "");
	rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	if (rc == 0 && q->machine)
		ipcb_sql.bind_text(st, 1, q->machine, -1, SQLITE_TRANSIENT);
	for (size_t rcap = 0; rc == 0 && (rc = ipcb_sql.step(st)) == SQLITE_ROW;) {
		rc = 0;
		if (nruns == rcap) {
			long long *nr = realloc(runs, (rcap = rcap ? rcap * 2 : 64) * sizeof(*nr));

			if (!nr) {
				rc = -ENOMEM;
				break;
			}
			runs = nr;
		}
		runs[nruns++] = ipcb_sql.column_int64(st, 0);
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = ipcb_histdb_fail(h, "reading the runs", rc, err, errlen);
	if (st)
		ipcb_sql.finalize(st);
	st = NULL;
	len = (size_t)snprintf(sql, cap, "SELECT seq");
	for (int k = 0; k < IPCB_CSV_NCOLS; k++)
		len += (size_t)snprintf(sql + len, cap - len, ", %s%s%s", h->col[k] ? "\"" : "NULL",
					h->col[k] ? ipcb_csv_name((enum ipcb_csv_column)k) : "",
					h->col[k] ? "\"" : "");
	snprintf(sql + len, cap - len, " FROM rows WHERE run_id = ?1 ORDER BY seq");
	if (rc == 0)
		rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	for (size_t i = 0; rc == 0 && i < nruns; i++) {
		size_t csv_len = 0;
		FILE *f = open_memstream(&csv, &csv_len);
		unsigned char *aside;

		if (!f) {
			rc = -ENOMEM;
			break;
		}
		rc = run_csv(st, runs[i], f, &seq, &nseq, &seqcap);
		if (fclose(f) != 0 && rc == 0)
			rc = -ENOMEM;
		if (rc > 0)
			rc = ipcb_histdb_fail(h, "reading a run's rows", rc, err, errlen);
		aside = rc == 0 && nseq ? calloc(nseq, 1) : NULL;
		if (aside && aside_rule(csv, csv_len, aside, nseq) == 0) {
			for (size_t k = 0; rc == 0 && k < nseq; k++)
				if (aside[k])
					rc = aside_add(a, runs[i], seq[k]);
		} else if (rc == 0 && nseq) {
			/* A run the model cannot read (or memory): its rows all count, as said. */
			(*unjudged)++;
		}
		free(aside);
		free(csv);
		csv = NULL;
	}
	if (st)
		ipcb_sql.finalize(st);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", h->path);
	free(runs);
	free(seq);
	free(sql);
	return rc;
}

void ipcb_hseries_aside_note(const struct ipcb_hseries_set *set, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	if (set->aside_rows)
		len = (size_t)snprintf(out, n,
				       "%zu row%s of %zu group%s set aside: measured in another "
				       "state of the machine, as ipcbench report and compare set "
				       "them aside",
				       set->aside_rows, set->aside_rows == 1 ? "" : "s",
				       set->aside_groups, set->aside_groups == 1 ? "" : "s");
	if (set->unjudged && len < n)
		snprintf(out + len, n - len,
			 "%s%zu run%s not judged (the report's model cannot read "
			 "%s): every row of %s counted",
			 len ? "; " : "", set->unjudged, set->unjudged == 1 ? "" : "s",
			 set->unjudged == 1 ? "it" : "them", set->unjudged == 1 ? "it" : "them");
}

int ipcb_hseries_read(struct ipcb_histdb *h, const struct ipcb_hquery *q,
		      struct ipcb_hseries_set *out, char *err, size_t errlen)
{
	char *sql = query_text(h, q), *key = NULL;
	size_t cap = IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES;
	struct aside_rows aside = {0};
	struct ipcb_exp_index idx = {0};
	ipcb_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	key = malloc(cap);
	if (!sql || !key) {
		free(sql);
		free(key);
		snprintf(err, errlen, "%s: out of memory", h->path);
		return -ENOMEM;
	}
	rc = aside_find(h, q, &aside, &out->unjudged, err, errlen);
	if (rc == 0)
		rc = ipcb_histdb_prepare(h, sql, &st, err, errlen);
	free(sql);
	if (rc == 0 && q->machine)
		ipcb_sql.bind_text(st, 1, q->machine, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (rc = ipcb_sql.step(st)) == SQLITE_ROW) {
		const char *v[IPCB_EXP_NCOLS],
		    *mv = ipcb_histdb_text(st, Q_FIRST_KEY + IPCB_EXP_NCOLS);
		const char *fp = ipcb_histdb_text(st, 3);
		struct ipcb_hseries *s;
		struct ipcb_hpoint *p;
		long long run;
		size_t len;
		char *end;
		double x;

		rc = 0;
		x = strtod(mv, &end);
		if (end == mv || *end || !isfinite(x) || x < 0)
			continue; /* not a value: the CSV's reader would have refused it */
		for (int k = 0; k < IPCB_EXP_NCOLS; k++)
			v[k] = ipcb_histdb_text(st, Q_FIRST_KEY + k);
		len = (size_t)snprintf(key, cap, "%s\x1f", fp);
		if (len >= cap || ipcb_hseries_key(v, key + len, cap - len) < 0)
			continue;
		rc = series_add(out, &idx, key, v, fp, ipcb_histdb_text(st, 4), &s);
		run = ipcb_sql.column_int64(st, 0);
		if (rc == 0 &&
		    aside_has(&aside, run,
			      ipcb_sql.column_int64(st, Q_FIRST_KEY + IPCB_EXP_NCOLS + 1))) {
			s->aside_runs += !s->aside || s->aside_last != run;
			s->aside++;
			s->aside_last = run;
			continue;
		}
		if (rc == 0)
			rc = point_find(s, run, ipcb_histdb_text(st, 2), ipcb_histdb_text(st, 1),
					q->by_commit, &p);
		if (rc == 0)
			rc = point_value(p, x);
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = ipcb_histdb_fail(h, "reading the rows", rc, err, errlen);
	else if (rc < 0)
		snprintf(err, errlen, "%s: %s", h->path,
			 rc == -E2BIG ? "more groups than can be held" : strerror(-rc));
	if (st)
		ipcb_sql.finalize(st);
	free(key);
	ipcb_exp_index_free(&idx);
	free(aside.at);
	/* Names that read alike told apart, before the filter on names reads them. */
	if (rc == 0 && (rc = names_apart(out)) < 0)
		snprintf(err, errlen, "%s: %s", h->path, strerror(-rc));
	/*
	 * The filter on names, now that names are known; and a group whose every row was set aside
	 * has no point: it is counted, not shown.
	 */
	if (rc == 0) {
		size_t k = 0;

		for (size_t i = 0; i < out->n; i++) {
			struct ipcb_hseries *s = &out->s[i];
			bool asked = !q->group || strstr(s->name, q->group);

			out->aside_rows += asked ? s->aside : 0;
			out->aside_groups += asked && s->aside;
			if (asked && s->npt)
				out->s[k++] = *s;
			else
				series_fini(s);
		}
		out->n = k;
	}
	for (size_t i = 0; rc == 0 && i < out->n; i++) {
		struct ipcb_hseries *s = &out->s[i];

		rc = points_summarise(s);
		if (rc == 0 && q->last && s->npt > q->last) {
			memmove(s->pt, s->pt + (s->npt - q->last), q->last * sizeof(*s->pt));
			s->npt = q->last;
		}
		if (rc == 0)
			rc = series_analyse(s, q);
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", h->path, strerror(-rc));
	}
	if (rc == 0)
		slugs_make(out);
	if (rc < 0)
		ipcb_hseries_free(out);
	return rc;
}

void ipcb_hseries_free(struct ipcb_hseries_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		series_fini(&set->s[i]);
	free(set->s);
	set->s = NULL;
	set->n = set->cap = 0;
}
