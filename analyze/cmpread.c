/* SPDX-License-Identifier: MIT */
/*
 * cmpread.c - `ipcbench compare`'s reading: BASE's and NEW's rows (lib/rows.h) into groups by
 * their key, each side's values with their rounds and machine states, the files' machine
 * fingerprints and cache-line probes, and the counted groups' twins. Apart from the deciding
 * and the printing because it is the one part that trusts nothing: every column it keeps is
 * checked here, and what it builds is all the other parts see of the files.
 */
#include "cmpint.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "parse.h"

/* The columns that name a group, in the order of enum col. */
const enum ipcb_csv_column cmp_key_columns[NKEYS] = {
    [COL_TRANSPORT] = IPCB_COL_TRANSPORT,	[COL_MODE] = IPCB_COL_MODE,
    [COL_SIZE] = IPCB_COL_SIZE_BYTES,		[COL_KIND] = IPCB_COL_LATENCY_KIND,
    [COL_PLACEMENT] = IPCB_COL_PLACEMENT,	[COL_SENDER_CPU] = IPCB_COL_SENDER_CPU,
    [COL_RECEIVER_CPU] = IPCB_COL_RECEIVER_CPU, [COL_WAIT] = IPCB_COL_WAIT,
};

/* ---- groups ---- */

/* The group of a key, made if new with row i of rs as the first of its rows. */
static int group_find(struct compare *c, const char *key, const struct ipcb_rows *rs, size_t i,
		      size_t size_bytes, struct cmp_group **out)
{
	struct cmp_group *g;
	size_t at;
	bool fresh;

	if (ipcb_exp_index_find(&c->idx, key, &at, &fresh) < 0)
		return -ENOMEM;
	if (!fresh) {
		*out = c->groups[at];
		return 0;
	}
	if (c->ngroups >= MAX_GROUPS)
		return -E2BIG;
	if (c->ngroups == c->groups_cap) {
		size_t cap = c->groups_cap ? c->groups_cap * 2 : 64;
		struct cmp_group **gs = realloc(c->groups, cap * sizeof(*gs));

		if (!gs)
			return -ENOMEM;
		c->groups = gs;
		c->groups_cap = cap;
	}
	if (!(g = calloc(1, sizeof(*g))))
		return -ENOMEM;
	g->rs = rs;
	g->row = i;
	g->size_bytes = size_bytes;
	c->groups[c->ngroups++] = g;
	*out = g;
	return 0;
}

/* A column of the group's first row. */
const char *cmp_gf(const struct cmp_group *g, enum ipcb_csv_column col)
{
	return ipcb_rows_get(g->rs, g->row, col);
}

static int values_add(struct values *v, double x, uint32_t round, uint32_t state)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		double *nv = realloc(v->v, cap * sizeof(*nv));
		uint32_t *nr;
		uint32_t *ns;

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		nr = realloc(v->round, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		v->round = nr;
		ns = realloc(v->state, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		v->state = ns;
		v->cap = cap;
	}
	v->v[v->n] = x;
	v->round[v->n] = round;
	v->state[v->n++] = state;
	return 0;
}

static void values_fini(struct values *v)
{
	free(v->v);
	free(v->round);
	free(v->state);
}

static void fingerprint_fini(struct fingerprint *fp);

void cmp_fini(struct compare *c)
{
	fingerprint_fini(&c->fp[0]);
	fingerprint_fini(&c->fp[1]);
	for (size_t i = 0; i < c->nprobed; i++) {
		free(c->probed[i].placement);
		values_fini(&c->probed[i].cl[0]);
		values_fini(&c->probed[i].cl[1]);
	}
	free(c->probed);
	for (size_t g = 0; g < c->ngroups; g++) {
		for (int s = 0; s < 2; s++) {
			values_fini(&c->groups[g]->side[s]);
			values_fini(&c->groups[g]->ceil[s]);
			values_fini(&c->groups[g]->xfloor[s]);
		}
		ipcb_ratio_fini(&c->groups[g]->r);
		free(c->groups[g]);
	}
	free(c->groups);
	ipcb_exp_index_free(&c->idx);
	for (int s = 0; s < 2; s++) {
		if (c->model[s])
			model_free(c->model[s]);
		free(c->model[s]);
	}
	free(c->base_csv);
}

/* ---- reading ---- */

/* A plain decimal number as our CSV writes it: no spaces, hex, inf or nan. */
static bool number_parse(const char *s, double *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*out);
}

static bool count_parse(const char *s, unsigned long long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}

static bool is_control(const struct opts *o, const char *transport)
{
	for (size_t i = 0; i < o->ncontrols; i++)
		if (strcmp(o->controls[i], transport) == 0)
			return true;
	return false;
}

/* Note the fingerprint columns of record i. */
static int fingerprint_note(struct fingerprint *fp, const struct ipcb_rows *rs, size_t i)
{
	for (size_t k = 0; k < NFINGERPRINT; k++) {
		const char *v = ipcb_rows_get(rs, i, cmp_fingerprint_columns[k]);
		bool known = false;

		for (size_t j = 0; j < fp->n[k] && !known; j++)
			known = strcmp(fp->value[k][j], v) == 0;
		if (known)
			continue;
		if (fp->n[k] == FINGERPRINT_VALUES) {
			fp->more[k] = true;
			continue;
		}
		fp->value[k][fp->n[k]] = strdup(v);
		if (!fp->value[k][fp->n[k]])
			return -ENOMEM;
		fp->n[k]++;
	}
	return 0;
}

/*
 * Keep the row's cache-line probe under its placement: the machine's state beside it. A value
 * that is not a positive number is not a probe (the columns' checks are the rows' own).
 */
static int probe_note(struct compare *c, int s, const struct ipcb_rows *rs, size_t row)
{
	const char *pl = ipcb_rows_get(rs, row, IPCB_COL_PLACEMENT);
	const char *v = ipcb_rows_get(rs, row, IPCB_COL_PROBE_CACHELINE_NS);
	double x;
	size_t i;

	if (!*v || !number_parse(v, &x) || !(x > 0) || !isfinite(x))
		return 0;
	for (i = 0; i < c->nprobed && strcmp(c->probed[i].placement, pl) != 0; i++)
		;
	if (i == c->nprobed) {
		if (c->nprobed == c->probed_cap) {
			size_t cap = c->probed_cap ? 2 * c->probed_cap : 4;
			struct probed *p = realloc(c->probed, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			c->probed = p;
			c->probed_cap = cap;
		}
		memset(&c->probed[i], 0, sizeof(c->probed[i]));
		if (!(c->probed[i].placement = strdup(pl)))
			return -ENOMEM;
		c->nprobed++;
	}
	/* A few thousand are plenty for a median; more are not kept. */
	if (c->probed[i].cl[s].n >= 65536)
		return 0;
	return values_add(&c->probed[i].cl[s], x, 0, 0);
}

/*
 * A row's ceiling (what the machine allows it, measured in its round: its `ceiling`) as
 * nanoseconds a message, from its p50 or its rate and its x_floor: a time x_floor times its
 * ceiling's, a rate 1 / x_floor of it. 0 where the row has none.
 */
static double row_ceiling_ns(const struct ipcb_rows *rs, size_t i)
{
	double xf = NAN, p50 = NAN, rate = NAN;

	if (ipcb_rows_num(rs, i, IPCB_COL_X_FLOOR, true, &xf, NULL, 0) < 0 || !(xf > 0) ||
	    !*ipcb_rows_get(rs, i, IPCB_COL_CEILING))
		return 0;
	if (*ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND))
		return ipcb_rows_num(rs, i, IPCB_COL_P50_NS, true, &p50, NULL, 0) == 0 && p50 > 0
			   ? p50 / xf
			   : 0;
	return ipcb_rows_num(rs, i, IPCB_COL_MSGS_PER_S, true, &rate, NULL, 0) == 0 && rate > 0
		   ? 1e9 / (rate * xf)
		   : 0;
}

/*
 * Were BASE and NEW measured in the same state of the machine? A placement's cache-line probes
 * of both files together are split into states as the report splits one file's (two clusters
 * found in the probes themselves, stats.h): where the two files' usual probes (the medians
 * beside their rows) fall on either side of the split, they are in different states. Two
 * virtual CPUs on one core in one file and on two in the other move every row as much as a
 * change of code can. Writes what differs into c->state, "" when nothing does; -ENOMEM.
 */
int cmp_state_compare(struct compare *c)
{
	size_t len = 0;
	int rc = 0;

	c->state[0] = '\0';
	for (size_t i = 0; i < c->nprobed && !rc; i++) {
		struct values *cl = c->probed[i].cl;
		double m[2], *all;
		struct ipcb_states st;

		if (!cl[0].n || !cl[1].n || ipcb_stats_median(cl[0].v, cl[0].n, &m[0]) < 0 ||
		    ipcb_stats_median(cl[1].v, cl[1].n, &m[1]) < 0)
			continue;
		if (!(all = malloc((cl[0].n + cl[1].n) * sizeof(*all))))
			return -ENOMEM;
		memcpy(all, cl[0].v, cl[0].n * sizeof(*all));
		memcpy(all + cl[0].n, cl[1].v, cl[1].n * sizeof(*all));
		rc = ipcb_states_find(all, cl[0].n + cl[1].n, &st);
		free(all);
		if (rc || st.n < 2 || (m[0] < st.threshold) == (m[1] < st.threshold))
			continue;
		if (len < sizeof(c->state))
			len += (size_t)snprintf(c->state + len, sizeof(c->state) - len,
						"%s%s cache-line probe %.0f ns in BASE, %.0f ns in "
						"NEW (two states, split at %.0f ns)",
						len ? "; " : "", c->probed[i].placement, m[0], m[1],
						st.threshold);
	}
	return rc == -ENOMEM ? rc : 0;
}

static void fingerprint_fini(struct fingerprint *fp)
{
	for (size_t k = 0; k < NFINGERPRINT; k++)
		for (size_t i = 0; i < fp->n[k]; i++)
			free(fp->value[k][i]);
}

/*
 * Row i's group key into *key (growing): the experiment it measured, its latency kind a measure
 * of its own (lib/expkey.h, the runs' scope); its size in *size. The named columns are checked
 * first.
 */
static int row_key(const struct ipcb_rows *rs, size_t i, char **key, size_t *cap,
		   unsigned long long *size, char *err, size_t errlen)
{
	char at[IPCB_ROWS_WHERE_BYTES];
	const char *fraction = ipcb_rows_get(rs, i, IPCB_COL_OFFERED_FRACTION);
	double share;

	ipcb_rows_where(rs, i, at, sizeof(at));
	for (int k = 0; k < NKEYS; k++) {
		const char *fv = ipcb_rows_get(rs, i, cmp_key_columns[k]);
		unsigned long long cpu;

		if ((k == COL_SIZE && !count_parse(fv, size)) ||
		    ((k == COL_SENDER_CPU || k == COL_RECEIVER_CPU) && *fv &&
		     (!count_parse(fv, &cpu) || cpu > INT32_MAX)))
			return ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is not a number",
					       at, ipcb_csv_name(cmp_key_columns[k]), fv);
		if ((k == COL_TRANSPORT || k == COL_MODE) && !*fv)
			return ipcb_parse_fail(err, errlen, "%s: column %s: empty", at,
					       ipcb_csv_name(cmp_key_columns[k]));
	}
	if (*fraction && (!number_parse(fraction, &share) || !(share > 0)))
		return ipcb_parse_fail(err, errlen, "%s: column %s: '%s' is not a positive number",
				       at, ipcb_csv_name(IPCB_COL_OFFERED_FRACTION), fraction);
	if (experiment_key(rs, i, IPCB_EXP_RUNS, key, cap) < 0)
		return ipcb_parse_fail(err, errlen, "%s: out of memory", at);
	return 0;
}

/*
 * Read one file's rows (lib/rows.h: a CSV or its JSON, read whole) into side s of the groups.
 * Not inlined: its frame is gone before the comparison is written, whose own frames then have
 * the stack to themselves.
 */
__attribute__((noinline)) int cmp_read(struct compare *c, int s, char *err, size_t errlen)
{
	struct model *m = calloc(1, sizeof(*m));
	struct ipcb_rows *rs;
	char *key = NULL;
	size_t key_cap = 0;
	int rc;

	if (!m)
		return ipcb_parse_fail(err, errlen, "%s: out of memory", c->o.path[s]);
	c->model[s] = m;
	/* The report's model of the file: its rows, and the runs its rule sets aside. */
	rc = model_open(m, c->o.path[s], s == 0 ? c->base_csv : NULL, c->base_len, true, err,
			errlen);
	if (rc < 0)
		return rc;
	rs = &m->rows;
	for (int k = 0; k <= NKEYS; k++) {
		enum ipcb_csv_column col = k < NKEYS ? cmp_key_columns[k] : c->o.metric->column;

		if (!rs->has[col]) {
			rc = ipcb_parse_fail(
			    err, errlen,
			    "%s:1: missing required column '%s' (is this an ipcbench --csv "
			    "file?)",
			    rs->name, ipcb_csv_name(col));
			goto out;
		}
	}
	if (c->o.ncontrols && !rs->has[cmp_control_metric.column]) {
		rc = ipcb_parse_fail(
		    err, errlen, "%s:1: missing column '%s', which --control rows are judged on",
		    rs->name, ipcb_csv_name(cmp_control_metric.column));
		goto out;
	}
	if (rs->n == 0) {
		rc = rs->json
			 ? ipcb_parse_fail(
			       err, errlen,
			       "%s: no benchmarks in its \"benchmarks\" array (did the run "
			       "fail?)",
			       rs->name)
			 : ipcb_parse_fail(
			       err, errlen,
			       "%s:2: no data rows after the header (did the run fail?)", rs->name);
		goto out;
	}
	for (size_t i = 0; i < rs->n; i++) {
		char at[IPCB_ROWS_WHERE_BYTES];
		const char *transport = ipcb_rows_get(rs, i, IPCB_COL_TRANSPORT);
		bool control = is_control(&c->o, transport);
		enum ipcb_csv_column metric =
		    control ? cmp_control_metric.column : c->o.metric->column;
		const char *v = ipcb_rows_get(rs, i, IPCB_COL_ROUND);
		unsigned long long size = 0, round = 0;
		struct cmp_group *g;
		bool counted;
		double x = NAN;

		ipcb_rows_where(rs, i, at, sizeof(at));
		/* A pair of hosts' own row says what ran, not what it measured. */
		if (!strcmp(ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND), "host_pair"))
			continue;
		if (fingerprint_note(&c->fp[s], rs, i) < 0 || probe_note(c, s, rs, i) < 0) {
			rc = ipcb_parse_fail(err, errlen, "%s: out of memory", at);
			goto out;
		}
		counted = !strcmp(ipcb_rows_get(rs, i, IPCB_COL_LATENCY_KIND), "count");
		rc = counted ? 0 : ipcb_rows_num(rs, i, metric, true, &x, err, errlen);
		if (rc < 0)
			goto out;
		if (!counted && isnan(x))
			continue; /* not measured in this row: not part of this comparison */
		rc = row_key(rs, i, &key, &key_cap, &size, err, errlen);
		if (rc < 0)
			goto out;
		/* Left out by --filter: neither compared nor missing from the other side. */
		if (!cmp_filter_match(&c->o.filter, transport, ipcb_rows_get(rs, i, IPCB_COL_MODE),
				      (size_t)size)) {
			c->filtered[s]++;
			continue;
		}
		if (*v && (!count_parse(v, &round) || round > UINT32_MAX)) {
			rc = ipcb_parse_fail(err, errlen,
					     "%s: column %s: '%s' is not a round number", at,
					     ipcb_csv_name(IPCB_COL_ROUND), v);
			goto out;
		}
		if (c->nvalues[s] >= MAX_VALUES_PER_SIDE) {
			rc = ipcb_parse_fail(
			    err, errlen,
			    "%s: more than %u values of %s: too many to hold (split "
			    "the file)",
			    at, MAX_VALUES_PER_SIDE, ipcb_csv_name(metric));
			goto out;
		}
		rc = group_find(c, key, rs, i, (size_t)size, &g);
		if (rc == -E2BIG) {
			rc = ipcb_parse_fail(err, errlen,
					     "%s: more than %u groups: too many to hold", at,
					     MAX_GROUPS);
			goto out;
		}
		if (rc == 0 && counted) {
			g->counted = true;
			rc = work_sig_add(&g->work[s], rs, i, err, errlen);
			if (rc < 0)
				goto out;
			continue;
		}
		if (rc == 0) {
			struct values *vs = &g->side[s];

			const struct run *r = m->row_run[i] ? &m->runs[m->row_run[i] - 1] : NULL;

			uint32_t st = !r ? 0 : r->flags | (r->aside ? 1u << STATE_ASIDE : 0);
			double ceil_ns = row_ceiling_ns(rs, i), xf = NAN;

			g->control = control;
			/* Without a round, a row is a round of its own: the next of its group's. */
			rc = values_add(vs, x, *v ? (uint32_t)round : (uint32_t)(vs->n + 1), st);
			if (rc == 0 && ceil_ns > 0 &&
			    ipcb_rows_num(rs, i, IPCB_COL_X_FLOOR, true, &xf, NULL, 0) == 0)
				rc = values_add(&g->ceil[s], ceil_ns, 0, st) < 0 ||
					     values_add(&g->xfloor[s], xf, 0, st) < 0
					 ? -ENOMEM
					 : 0;
		}
		if (rc < 0) {
			rc = ipcb_parse_fail(err, errlen, "%s: out of memory", at);
			goto out;
		}
		c->nvalues[s]++;
	}
out:
	free(key);
	return rc < 0 ? rc : 0;
}

/*
 * Each timed group's counted group, where the files have one of its experiment (the same key
 * but for the latency kind, which a counted row has as `count`): the timed group's verdict
 * weighs its work, and the counted group is shown through it.
 */
int cmp_twins_link(struct compare *c)
{
	for (size_t j = 0; j < c->ngroups; j++) {
		const char *ck = c->idx.key[j], *cu = strrchr(ck, '\x1f');

		if (!c->groups[j]->counted || !cu)
			continue;
		for (size_t i = 0; i < c->ngroups; i++) {
			struct cmp_group *g = c->groups[i];
			const char *k = c->idx.key[i], *u = strrchr(k, '\x1f');

			if (g->counted || g->control || !u || u - k != cu - ck ||
			    strncmp(k, ck, (size_t)(u - k)))
				continue;
			g->work_of = c->groups[j];
			c->groups[j]->twinned = true;
		}
	}
	return 0;
}

/* Is the group a line of its own in the outputs (a twinned counted group is shown in its
 * twin's)? */
bool cmp_shown(const struct cmp_group *g)
{
	return !g->twinned;
}
