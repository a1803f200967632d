/* SPDX-License-Identifier: MIT */
/*
 * compare.c - `ipcbench compare BASE.csv NEW.csv`, the CI throughput gate; see compare.h.
 *
 * The story of one comparison: read both files as streams (csvread.c), keeping only the metric's
 * values per group; then decide each group in turn (decide()), then print the table. Statistics
 * live in stats.c; this file holds the policy: which groups count, what "worse" means for the
 * metric, the Bonferroni split, the noise guard and the wording of every verdict.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "options.h"
#include "output.h"
#include "stats.h"

/* Bounds on what one comparison may hold in memory: 2 x 4 Mi values is 64 MiB at most. */
#define MAX_VALUES_PER_SIDE (4u << 20)
#define MAX_GROUPS	    (64u << 10)

/* The power the "repeats needed" advice aims for: the usual 80 %. */
#define PLAN_POWER 0.8

static const char prog[] = "ipcbench compare";

enum verdict {
	V_OK,
	V_IMPROVED,
	V_REGRESSED,
	V_INCONCLUSIVE,
	V_MISSING,
	V_COUNT,
};

static const char *const verdict_names[V_COUNT] = {"ok", "improved", "regressed", "inconclusive",
						   "missing"};

enum format {
	FMT_TABLE,
	FMT_MD,
	FMT_CSV,
};

/* The metrics a gate can use; which way is better is part of the metric, not an option. */
static const struct metric {
	const char *column;
	bool lower_better;
} metrics[] = {
    {"bytes_per_s", false},
    {"msgs_per_s", false},
    {"p50_ns", true},
    {"p99_ns", true},
};

/* Columns compare reads; a group is identified by all but the last. */
enum col {
	COL_TRANSPORT,
	COL_MODE,
	COL_SIZE,
	COL_KIND,
	COL_PLACEMENT,
	COL_SENDER_CPU,
	COL_RECEIVER_CPU,
	COL_WAIT,
	COL_METRIC,
	NCOLS,
	NKEYS = COL_METRIC,
};

static const char *const key_columns[NKEYS] = {"transport",    "mode",	    "size_bytes",
					       "latency_kind", "placement", "sender_cpu",
					       "receiver_cpu", "wait"};

/*
 * Run settings that change what is measured without being part of what is named: rows that
 * differ in them are different experiments and never share a group. Optional, so CSVs written
 * before these columns existed still compare.
 */
static const char *const setting_columns[] = {"chunk_bytes", "work_ns", "spin_polls", "fsync"};
#define NSETTINGS (sizeof(setting_columns) / sizeof(setting_columns[0]))

struct opts {
	const char *path[2];
	const struct metric *metric;
	double alpha, threshold, max_spread;
	enum format format;
};

struct values {
	double *v;
	size_t n, cap;
};

struct group {
	/* the key: NKEYS NUL-terminated strings back to back */
	char *key;
	size_t key_len;
	const char *k[NKEYS];
	size_t size_bytes;
	struct values side[2];

	/* decide()'s results */
	enum verdict verdict;
	double median[2], spread[2];
	bool spread_known[2];
	double change; /* new median / base median - 1; NAN when undefined */
	bool tested;
	struct ipcb_mw mw;
	double p_worse;
	size_t repeats_needed; /* per side; 0 = no advice */
	char note[192];
};

struct compare {
	struct opts o;
	struct group **groups; /* in order of first appearance: BASE's order, then NEW's */
	size_t ngroups, groups_cap;
	uint32_t *slots; /* open addressing: group index + 1, 0 = empty */
	size_t nslots;
	size_t nvalues[2];
	size_t compared;
	double alpha_each;
	size_t count[V_COUNT];
};

__attribute__((format(printf, 3, 4))) static int failf(char *err, size_t errlen, const char *fmt,
						       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- options ---- */

#define STR_(x) #x
#define STR(x)	STR_(x)

static const char usage_text[] =
    "Usage: ipcbench compare [OPTIONS] BASE.csv NEW.csv\n"
    "Decide whether NEW is slower than BASE: the CI throughput gate. Both files are\n"
    "ipcbench --csv output with several repeats per group (--repeat R, or one run per\n"
    "round appended by scripts/ab-gate).\n"
    "\n"
    "Rows are grouped by transport, mode, size, latency_kind, placement, sender_cpu,\n"
    "receiver_cpu and wait. Rows whose metric is empty are left out; a group with no\n"
    "values on either side is skipped silently. A group REGRESSED only when both:\n"
    "  - a one-sided Mann-Whitney U test says NEW is worse: p < alpha / G, where G is\n"
    "    the number of groups compared (Bonferroni); p is exact (permutation\n"
    "    distribution with mid-ranks for ties) when both sides together hold at\n"
    "    most " STR(
	IPCB_MW_EXACT_MAX_N) " values, else the normal approximation with tie\n"
			     "    and continuity corrections;\n"
			     "  - the medians differ by more than the threshold in the worse "
			     "direction.\n"
			     "\n"
			     "Options:\n"
			     "      --metric COLUMN    bytes_per_s (default), msgs_per_s (higher "
			     "is better),\n"
			     "                         p50_ns or p99_ns (lower is better)\n"
			     "      --threshold PCT    smallest change of the median that matters: "
			     "5% or 0.05\n"
			     "                         (default 5%)\n"
			     "      --alpha A          family-wise false-alarm rate, split over "
			     "the groups\n"
			     "                         (default 0.01)\n"
			     "      --max-spread PCT   noise guard: a side whose runs spread more "
			     "than this\n"
			     "                         (1.4826 * MAD / median) makes its group "
			     "inconclusive\n"
			     "                         unless both sides have the repeats that "
			     "spread needs\n"
			     "                         (default 8%)\n"
			     "      --format FMT       table (default), md (Markdown) or csv\n"
			     "  -h, --help             this help\n"
			     "\n"
			     "Verdicts: ok (no regression beyond the threshold), improved, "
			     "regressed,\n"
			     "inconclusive (too few repeats to ever reach alpha / G, too noisy, or "
			     "a median\n"
			     "change beyond the threshold that is not significant; the note says "
			     "how many\n"
			     "repeats per side would decide it), missing (the group is in one file "
			     "only).\n"
			     "\n"
			     "Repeats needed per side, k = (z[1-alpha/G] + z[0.8])^2 / (6 (P - "
			     "1/2)^2) with\n"
			     "P = Phi(threshold / (spread * sqrt 2)): the n at which the test has "
			     "80% power to\n"
			     "see a threshold-sized shift at that spread (Noether), and never "
			     "fewer than the\n"
			     "smallest k with 1 / C(2k, k) < alpha / G.\n"
			     "\n"
			     "Exit status: 0 no group regressed, 1 at least one regressed (or "
			     "the table\n"
			     "could not be written), 2 usage error or malformed input (the message "
			     "names\n"
			     "the file, line and column), 3 nothing regressed but some group was\n"
			     "inconclusive or missing.\n"
			     "\n"
			     "Example: ipcbench compare --threshold 3% base.csv new.csv\n";

/* "5%" -> 0.05, "0.05" -> 0.05; a bare number >= 1 is refused as ambiguous. */
static int parse_fraction(const char *opt, const char *s, double lo, double hi, double *out,
			  char *err, size_t errlen)
{
	size_t len = strlen(s);
	bool pct = len > 0 && s[len - 1] == '%';
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || (pct ? end != s + len - 1 : *end != '\0'))
		return failf(err, errlen, "%s: '%s' is not a number (e.g. 5%% or 0.05)", opt, s);
	if (pct)
		v /= 100;
	else if (v >= 1)
		return failf(err, errlen, "%s: '%s' is ambiguous: write %s%% or a fraction like %g",
			     opt, s, s, v / 100);
	if (!(v > lo && v <= hi))
		return failf(err, errlen, "%s: '%s' is out of range (more than %g%%, at most %g%%)",
			     opt, s, lo * 100, hi * 100);
	*out = v;
	return 0;
}

static int parse_args(struct opts *o, int argc, char **argv, bool *help, char *err, size_t errlen)
{
	size_t npaths = 0;
	bool only_paths = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[32];
		int rc = 0;

		if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
			if (npaths == 2)
				return failf(err, errlen,
					     "too many files: '%s' (expected BASE.csv "
					     "NEW.csv)",
					     a);
			o->path[npaths++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_paths = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = true;
			return 0;
		}
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (strcmp(name, "--metric") && strcmp(name, "--threshold") &&
		    strcmp(name, "--alpha") && strcmp(name, "--max-spread") &&
		    strcmp(name, "--format"))
			return failf(err, errlen, "unknown option '%s'", a);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return failf(err, errlen, "%s needs a value", name);
		if (strcmp(name, "--metric") == 0) {
			o->metric = NULL;
			for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++)
				if (strcmp(val, metrics[m].column) == 0)
					o->metric = &metrics[m];
			if (!o->metric)
				return failf(
				    err, errlen,
				    "--metric: '%s' is not one of bytes_per_s, msgs_per_s, "
				    "p50_ns, p99_ns",
				    val);
		} else if (strcmp(name, "--threshold") == 0) {
			rc = parse_fraction(name, val, 0, 0.99, &o->threshold, err, errlen);
		} else if (strcmp(name, "--max-spread") == 0) {
			rc = parse_fraction(name, val, 0, 10, &o->max_spread, err, errlen);
		} else if (strcmp(name, "--alpha") == 0) {
			char *end;

			errno = 0;
			o->alpha = strtod(val, &end);
			if (end == val || *end || errno || !(o->alpha > 0 && o->alpha <= 0.5))
				return failf(err, errlen,
					     "--alpha: '%s' is not a probability in (0, 0.5]", val);
		} else if (strcmp(val, "table") == 0) { /* --format, the one option left */
			o->format = FMT_TABLE;
		} else if (strcmp(val, "md") == 0) {
			o->format = FMT_MD;
		} else if (strcmp(val, "csv") == 0) {
			o->format = FMT_CSV;
		} else {
			return failf(err, errlen, "--format: '%s' is not table, md or csv", val);
		}
		if (rc < 0)
			return rc;
	}
	if (npaths != 2)
		return failf(err, errlen, "expected two files, BASE.csv and NEW.csv (got %zu)",
			     npaths);
	return 0;
}

/* ---- groups ---- */

static uint64_t key_hash(const char *key, size_t len)
{
	/* FNV-1a: short keys, no adversary worth a keyed hash, and the table is bounded anyway. */
	uint64_t h = 1469598103934665603u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211u;
	}
	return h;
}

static int slots_grow(struct compare *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 256;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t g = 0; g < c->ngroups; g++) {
		size_t i = key_hash(c->groups[g]->key, c->groups[g]->key_len) & (n - 1);

		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = (uint32_t)(g + 1);
	}
	free(c->slots);
	c->slots = s;
	c->nslots = n;
	return 0;
}

/*
 * The group for this key (NKEYS NUL-terminated strings, then the settings', in key[0..len)),
 * made if new.
 */
static int group_find(struct compare *c, const char *key, size_t len, size_t size_bytes,
		      struct group **out)
{
	struct group *g;
	size_t i;
	const char *p;

	if (c->ngroups * 2 >= c->nslots && slots_grow(c) < 0)
		return -ENOMEM;
	i = key_hash(key, len) & (c->nslots - 1);
	for (; c->slots[i]; i = (i + 1) & (c->nslots - 1)) {
		g = c->groups[c->slots[i] - 1];
		if (g->key_len == len && memcmp(g->key, key, len) == 0) {
			*out = g;
			return 0;
		}
	}
	if (c->ngroups >= MAX_GROUPS)
		return -E2BIG;
	if (c->ngroups == c->groups_cap) {
		size_t cap = c->groups_cap ? c->groups_cap * 2 : 64;
		struct group **gs = realloc(c->groups, cap * sizeof(*gs));

		if (!gs)
			return -ENOMEM;
		c->groups = gs;
		c->groups_cap = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->key = malloc(len);
	if (!g->key) {
		free(g);
		return -ENOMEM;
	}
	memcpy(g->key, key, len);
	g->key_len = len;
	p = g->key;
	for (int k = 0; k < NKEYS; k++) {
		g->k[k] = p;
		p += strlen(p) + 1;
	}
	g->size_bytes = size_bytes;
	c->groups[c->ngroups++] = g;
	c->slots[i] = (uint32_t)c->ngroups;
	*out = g;
	return 0;
}

static int values_add(struct values *v, double x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		double *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

static void compare_fini(struct compare *c)
{
	for (size_t g = 0; g < c->ngroups; g++) {
		free(c->groups[g]->key);
		free(c->groups[g]->side[0].v);
		free(c->groups[g]->side[1].v);
		free(c->groups[g]);
	}
	free(c->groups);
	free(c->slots);
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

/* Turn a reader error into "FILE:LINE[:COL]: [column N (name): ]message". */
static void reader_error(const struct ipcb_csvread *r, const char *path, const char **header,
			 size_t nheader, char *err, size_t errlen)
{
	const struct ipcb_csvread_error *e = &r->err;
	char where[96] = "", what[96] = "";

	if (e->col)
		snprintf(where, sizeof(where), ":%lu", e->col);
	if (e->field && e->field <= nheader)
		snprintf(what, sizeof(what), "column %zu (%s): ", e->field, header[e->field - 1]);
	else if (e->field)
		snprintf(what, sizeof(what), "column %zu: ", e->field);
	failf(err, errlen, "%s:%lu%s: %s%s", path, e->line, where, what, e->msg);
}

/* Read one file's rows into side s of the groups. */
static int compare_read(struct compare *c, int s, char *err, size_t errlen)
{
	const char *path = c->o.path[s];
	struct ipcb_csvread r;
	FILE *f;
	char **header = NULL;
	size_t nheader = 0, col[NCOLS], rows = 0;
	const char *names[NCOLS];
	size_t setting_col[NSETTINGS];
	char *key = NULL;
	int rc;

	f = fopen(path, "r");
	if (!f)
		return failf(err, errlen, "%s: %s", path, strerror(errno));
	ipcb_csvread_init_file(&r, f, 0, 0);

	rc = ipcb_csvread_next(&r);
	if (rc == 0) {
		rc = failf(err, errlen,
			   "%s:1: empty file: expected the CSV header line of "
			   "ipcbench --csv",
			   path);
		goto out;
	}
	if (rc < 0) {
		reader_error(&r, path, NULL, 0, err, errlen);
		goto out;
	}
	nheader = ipcb_csvread_nfields(&r);
	header = calloc(nheader, sizeof(*header));
	if (!header) {
		rc = failf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < nheader; i++) {
		header[i] = strdup(ipcb_csvread_field(&r, i));
		if (!header[i]) {
			rc = failf(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	for (int k = 0; k < NKEYS; k++)
		names[k] = key_columns[k];
	names[COL_METRIC] = c->o.metric->column;
	for (int k = 0; k < NCOLS; k++) {
		col[k] = SIZE_MAX;
		for (size_t i = 0; i < nheader; i++) {
			if (strcmp(header[i], names[k]) != 0)
				continue;
			if (col[k] != SIZE_MAX) {
				rc = failf(err, errlen,
					   "%s:1: column %zu: '%s' appears twice in the "
					   "header",
					   path, i + 1, names[k]);
				goto out;
			}
			col[k] = i;
		}
		if (col[k] == SIZE_MAX) {
			rc = failf(err, errlen,
				   "%s:1: missing required column '%s' (is this an "
				   "ipcbench --csv file?)",
				   path, names[k]);
			goto out;
		}
	}

	for (size_t k = 0; k < NSETTINGS; k++) {
		setting_col[k] = SIZE_MAX;
		for (size_t i = 0; i < nheader; i++)
			if (strcmp(header[i], setting_columns[k]) == 0)
				setting_col[k] = i;
	}

	/* A key is a subset of one record's fields, so the reader's record limit bounds it. */
	key = malloc(IPCB_CSVREAD_DEFAULT_MAX_RECORD_BYTES + NKEYS + NSETTINGS);
	if (!key) {
		rc = failf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((rc = ipcb_csvread_next(&r)) > 0) {
		unsigned long line = ipcb_csvread_record_line(&r);
		size_t key_len = 0, n = ipcb_csvread_nfields(&r);
		unsigned long long size = 0, cpu;
		const char *v;
		double x;
		struct group *g;

		rows++;
		if (n != nheader) {
			rc = failf(err, errlen,
				   "%s:%lu: %zu fields, but the header has %zu (one "
				   "field per column; quote fields that hold commas)",
				   path, line, n, nheader);
			goto out;
		}
		v = ipcb_csvread_field(&r, col[COL_METRIC]);
		if (!*v)
			continue; /* not measured in this row: not part of this comparison */
		if (!number_parse(v, &x)) {
			rc = failf(err, errlen, "%s:%lu: column %s: '%s' is not a number", path,
				   line, names[COL_METRIC], v);
			goto out;
		}
		if (x < 0) {
			rc = failf(err, errlen, "%s:%lu: column %s: '%s' is negative", path, line,
				   names[COL_METRIC], v);
			goto out;
		}
		for (int k = 0; k < NKEYS; k++) {
			const char *fv = ipcb_csvread_field(&r, col[k]);
			size_t len = strlen(fv);
			bool bad = false;

			if (k == COL_SIZE)
				bad = !count_parse(fv, &size);
			else if (k == COL_SENDER_CPU || k == COL_RECEIVER_CPU)
				bad = *fv && (!count_parse(fv, &cpu) || cpu > INT32_MAX);
			else if ((k == COL_TRANSPORT || k == COL_MODE) && !*fv) {
				rc = failf(err, errlen, "%s:%lu: column %s: empty", path, line,
					   names[k]);
				goto out;
			}
			if (bad) {
				rc = failf(err, errlen, "%s:%lu: column %s: '%s' is not a number",
					   path, line, names[k], fv);
				goto out;
			}
			memcpy(key + key_len, fv, len + 1);
			key_len += len + 1;
		}
		/* The settings go after the named parts of the key, which group_find() indexes. */
		for (size_t k = 0; k < NSETTINGS; k++) {
			const char *fv = setting_col[k] == SIZE_MAX
					     ? ""
					     : ipcb_csvread_field(&r, setting_col[k]);
			size_t len = strlen(fv);

			memcpy(key + key_len, fv, len + 1);
			key_len += len + 1;
		}
		if (c->nvalues[s] >= MAX_VALUES_PER_SIDE) {
			rc = failf(err, errlen,
				   "%s:%lu: more than %u values of %s: too many to "
				   "hold (split the file)",
				   path, line, MAX_VALUES_PER_SIDE, names[COL_METRIC]);
			goto out;
		}
		rc = group_find(c, key, key_len, (size_t)size, &g);
		if (rc == -E2BIG) {
			rc = failf(err, errlen, "%s:%lu: more than %u groups: too many to hold",
				   path, line, MAX_GROUPS);
			goto out;
		}
		if (rc == 0)
			rc = values_add(&g->side[s], x);
		if (rc < 0) {
			rc = failf(err, errlen, "%s:%lu: out of memory", path, line);
			goto out;
		}
		c->nvalues[s]++;
	}
	if (rc < 0) {
		reader_error(&r, path, (const char **)header, nheader, err, errlen);
		goto out;
	}
	if (rows == 0)
		rc = failf(err, errlen, "%s:2: no data rows after the header (did the run fail?)",
			   path);
out:
	free(key);
	for (size_t i = 0; header && i < nheader; i++)
		free(header[i]);
	free(header);
	ipcb_csvread_fini(&r);
	fclose(f);
	return rc < 0 ? rc : 0;
}

/* ---- deciding ---- */

static void pct_text(double frac, char *out, size_t n)
{
	snprintf(out, n, "%.*f%%", fabs(frac) < 0.1 ? 1 : 0, frac * 100);
}

static void decide(const struct compare *c, struct group *g)
{
	const struct opts *o = &c->o;
	size_t n = g->side[0].n, m = g->side[1].n, need_possible, need_power;
	double worse_by, p_better, max_spread = 0;
	char a[16], b[16];

	g->change = NAN;
	if (!n || !m) {
		g->verdict = V_MISSING;
		snprintf(g->note, sizeof(g->note), "only in %s", n ? "BASE" : "NEW");
		for (int s = 0; s < 2; s++)
			if (g->side[s].n)
				ipcb_stats_median(g->side[s].v, g->side[s].n, &g->median[s]);
		return;
	}
	for (int s = 0; s < 2; s++) {
		ipcb_stats_median(g->side[s].v, g->side[s].n, &g->median[s]);
		g->spread_known[s] =
		    ipcb_stats_spread(g->side[s].v, g->side[s].n, &g->spread[s]) == 0;
		if (g->spread_known[s] && g->spread[s] > max_spread)
			max_spread = g->spread[s];
	}
	need_possible = ipcb_mw_repeats_possible(c->alpha_each);
	need_power = ipcb_mw_repeats_needed(o->threshold, max_spread, c->alpha_each, PLAN_POWER);
	if (!g->spread_known[0] || !g->spread_known[1]) {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note), "a median is 0: no relative change to judge");
		return;
	}
	g->change = g->median[1] / g->median[0] - 1;
	worse_by = o->metric->lower_better ? g->change : -g->change;
	if (ipcb_mw_test(g->side[0].v, n, g->side[1].v, m, &g->mw) == 0) {
		g->tested = true;
		g->p_worse = o->metric->lower_better ? g->mw.p_greater : g->mw.p_less;
	}
	p_better = o->metric->lower_better ? g->mw.p_less : g->mw.p_greater;

	if (ipcb_mw_min_p(n, m) >= c->alpha_each) {
		g->verdict = V_INCONCLUSIVE;
		g->repeats_needed = need_power > need_possible ? need_power : need_possible;
		snprintf(g->note, sizeof(g->note),
			 "too few repeats: with %zu and %zu the smallest p is %.2g, not below "
			 "%.2g; needs %zu per side",
			 n, m, ipcb_mw_min_p(n, m), c->alpha_each, g->repeats_needed);
		return;
	}
	if (!g->tested) {
		g->verdict = V_INCONCLUSIVE;
		snprintf(g->note, sizeof(g->note), "the test failed (out of memory?)");
		return;
	}
	if (max_spread > o->max_spread && (n < need_power || m < need_power)) {
		g->verdict = V_INCONCLUSIVE;
		g->repeats_needed = need_power;
		pct_text(max_spread, a, sizeof(a));
		pct_text(o->max_spread, b, sizeof(b));
		snprintf(g->note, sizeof(g->note),
			 "too noisy: spread %s > %s; needs ~%zu repeats per side (or a quieter "
			 "machine)",
			 a, b, need_power);
		return;
	}
	if (g->p_worse < c->alpha_each && worse_by > o->threshold) {
		g->verdict = V_REGRESSED;
		return;
	}
	if (p_better < c->alpha_each && -worse_by > o->threshold) {
		g->verdict = V_IMPROVED;
		return;
	}
	if (worse_by > o->threshold) {
		/* Worse by more than the threshold yet not significant: neither pass nor fail. */
		g->verdict = V_INCONCLUSIVE;
		g->repeats_needed = need_power > n || need_power > m ? need_power : 0;
		pct_text(worse_by, a, sizeof(a));
		if (g->repeats_needed)
			snprintf(g->note, sizeof(g->note),
				 "median %s worse but not significant; needs ~%zu repeats per "
				 "side",
				 a, need_power);
		else
			snprintf(g->note, sizeof(g->note),
				 "median %s worse but not significant (outliers?); rerun", a);
		return;
	}
	g->verdict = V_OK;
	if (g->p_worse < c->alpha_each)
		snprintf(g->note, sizeof(g->note), "significantly worse, but within the threshold");
}

static void compare_decide(struct compare *c)
{
	c->compared = 0;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i]->side[0].n && c->groups[i]->side[1].n)
			c->compared++;
	c->alpha_each = c->o.alpha / (double)(c->compared ? c->compared : 1);
	for (size_t i = 0; i < c->ngroups; i++) {
		decide(c, c->groups[i]);
		c->count[c->groups[i]->verdict]++;
	}
}

/* ---- output ---- */

enum cell {
	C_TRANSPORT,
	C_MODE,
	C_KIND,
	C_SIZE,
	C_PLACEMENT,
	C_CPUS,
	C_WAIT,
	C_BASE,
	C_NEW,
	C_CHANGE,
	C_P,
	C_SPREAD,
	C_VERDICT,
	C_NOTE,
	NCELLS,
};

static const char *const cell_titles[NCELLS] = {
    "transport", "mode",    "kind",   "size",	  "placement",	"cpus",	   "wait",
    "base (n)",	 "new (n)", "change", "p(worse)", "spread b/n", "verdict", "note",
};

/* Numbers read best right-aligned; text left. */
static bool cell_right(int k)
{
	return k == C_SIZE || (k >= C_BASE && k <= C_SPREAD);
}

#define CELL_BYTES 200

static void value_text(const struct metric *mt, double v, char *out, size_t n)
{
	if (strcmp(mt->column, "bytes_per_s") == 0)
		snprintf(out, n, "%.1f MB/s", v / 1e6);
	else if (strcmp(mt->column, "msgs_per_s") == 0)
		snprintf(out, n, v >= 1e6 ? "%.3f M/s" : "%.1f k/s", v >= 1e6 ? v / 1e6 : v / 1e3);
	else
		ipcb_format_ns(v, out, n);
}

static void group_cells(const struct compare *c, const struct group *g,
			char cells[NCELLS][CELL_BYTES])
{
	const char *sc = g->k[COL_SENDER_CPU], *rc = g->k[COL_RECEIVER_CPU];
	char v[64], s[2][16];

	for (int i = 0; i < NCELLS; i++)
		cells[i][0] = '\0';
	snprintf(cells[C_TRANSPORT], CELL_BYTES, "%s", g->k[COL_TRANSPORT]);
	snprintf(cells[C_MODE], CELL_BYTES, "%s", g->k[COL_MODE]);
	snprintf(cells[C_KIND], CELL_BYTES, "%s", *g->k[COL_KIND] ? g->k[COL_KIND] : "-");
	ipcb_format_size(g->size_bytes, cells[C_SIZE], CELL_BYTES);
	snprintf(cells[C_PLACEMENT], CELL_BYTES, "%s",
		 *g->k[COL_PLACEMENT] ? g->k[COL_PLACEMENT] : "-");
	if (!*sc && !*rc)
		snprintf(cells[C_CPUS], CELL_BYTES, "any");
	else
		snprintf(cells[C_CPUS], CELL_BYTES, "%s,%s", *sc ? sc : "-", *rc ? rc : "-");
	snprintf(cells[C_WAIT], CELL_BYTES, "%s", *g->k[COL_WAIT] ? g->k[COL_WAIT] : "-");
	for (int side = 0; side < 2; side++) {
		char *cell = cells[side ? C_NEW : C_BASE];

		if (!g->side[side].n) {
			snprintf(cell, CELL_BYTES, "- (0)");
			continue;
		}
		value_text(c->o.metric, g->median[side], v, sizeof(v));
		snprintf(cell, CELL_BYTES, "%s (%zu)", v, g->side[side].n);
	}
	if (isfinite(g->change))
		snprintf(cells[C_CHANGE], CELL_BYTES, "%+.1f%%", g->change * 100);
	else
		snprintf(cells[C_CHANGE], CELL_BYTES, "-");
	if (g->tested)
		snprintf(cells[C_P], CELL_BYTES, g->p_worse < 1e-4 ? "%.1e" : "%.4f", g->p_worse);
	else
		snprintf(cells[C_P], CELL_BYTES, "-");
	for (int side = 0; side < 2; side++) {
		if (g->spread_known[side])
			snprintf(s[side], sizeof(s[side]), "%.1f%%", g->spread[side] * 100);
		else
			snprintf(s[side], sizeof(s[side]), "-");
	}
	snprintf(cells[C_SPREAD], CELL_BYTES, "%s/%s", s[0], s[1]);
	snprintf(cells[C_VERDICT], CELL_BYTES, "%s", verdict_names[g->verdict]);
	snprintf(cells[C_NOTE], CELL_BYTES, "%s", g->note);
}

static void summary_text(const struct compare *c, char *out, size_t n)
{
	snprintf(out, n,
		 "%zu group%s compared: %zu regressed, %zu improved, %zu ok, %zu inconclusive; "
		 "%zu missing (in one file only)",
		 c->compared, c->compared == 1 ? "" : "s", c->count[V_REGRESSED],
		 c->count[V_IMPROVED], c->count[V_OK], c->count[V_INCONCLUSIVE],
		 c->count[V_MISSING]);
}

static void settings_text(const struct compare *c, char *out, size_t n)
{
	char t[16], s[16];

	pct_text(c->o.threshold, t, sizeof(t));
	pct_text(c->o.max_spread, s, sizeof(s));
	snprintf(out, n,
		 "metric %s (%s is better), threshold %s, alpha %g over %zu group%s = %.3g each "
		 "(one-sided), max spread %s",
		 c->o.metric->column, c->o.metric->lower_better ? "lower" : "higher", t, c->o.alpha,
		 c->compared, c->compared == 1 ? "" : "s", c->alpha_each, s);
}

static void print_csv(const struct compare *c, FILE *f)
{
	fputs("transport,mode,latency_kind,size_bytes,placement,sender_cpu,receiver_cpu,wait,"
	      "metric,base_n,new_n,base_median,new_median,change,p_worse,base_spread,new_spread,"
	      "verdict,repeats_needed,note\n",
	      f);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = c->groups[i];

		for (int k = 0; k < NKEYS; k++) {
			if (k == COL_SIZE)
				continue;
			ipcb_csv_text(f, g->k[k]);
			fputc(',', f);
			if (k == COL_KIND)
				fprintf(f, "%zu,", g->size_bytes);
		}
		fprintf(f, "%s,%zu,%zu,", c->o.metric->column, g->side[0].n, g->side[1].n);
		for (int s = 0; s < 2; s++) {
			if (g->side[s].n)
				fprintf(f, "%.6g", g->median[s]);
			fputc(',', f);
		}
		if (isfinite(g->change))
			fprintf(f, "%.6f", g->change);
		fputc(',', f);
		if (g->tested)
			fprintf(f, "%.6g", g->p_worse);
		fputc(',', f);
		for (int s = 0; s < 2; s++) {
			if (g->spread_known[s])
				fprintf(f, "%.6f", g->spread[s]);
			fputc(',', f);
		}
		fprintf(f, "%s,", verdict_names[g->verdict]);
		if (g->repeats_needed)
			fprintf(f, "%zu", g->repeats_needed);
		fputc(',', f);
		ipcb_csv_text(f, g->note);
		fputc('\n', f);
	}
}

static int print_table(const struct compare *c, FILE *f, bool md)
{
	char(*cells)[NCELLS][CELL_BYTES];
	size_t width[NCELLS];
	char line[512];

	cells = calloc(c->ngroups ? c->ngroups : 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (int k = 0; k < NCELLS; k++)
		width[k] = strlen(cell_titles[k]);
	for (size_t i = 0; i < c->ngroups; i++) {
		group_cells(c, c->groups[i], cells[i]);
		for (int k = 0; k < NCELLS; k++)
			if (strlen(cells[i][k]) > width[k])
				width[k] = strlen(cells[i][k]);
	}
	settings_text(c, line, sizeof(line));
	if (md)
		fprintf(f, "**ipcbench compare** `%s` -> `%s`: %s\n\n", c->o.path[0], c->o.path[1],
			line);
	else
		fprintf(f, "ipcbench compare %s -> %s: %s\n", c->o.path[0], c->o.path[1], line);
	for (size_t i = 0; i <= c->ngroups; i++) {
		char out[NCELLS * (CELL_BYTES + 4) + 4];
		size_t len = 0;

		for (int k = 0; k < NCELLS; k++) {
			const char *cell = i == 0 ? cell_titles[k] : cells[i - 1][k];
			size_t room = sizeof(out) - len;
			int w;

			if (md)
				w = snprintf(out + len, room, "| %s ", cell);
			else
				w = snprintf(out + len, room, cell_right(k) ? "%*s  " : "%-*s  ",
					     (int)width[k], cell);
			len += w > 0 && (size_t)w < room ? (size_t)w : 0;
		}
		/* Padding after the last non-empty cell is only trailing blanks. */
		while (len > 0 && out[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s%s\n", (int)len, out, md ? " |" : "");
		if (i == 0 && md) {
			for (int k = 0; k < NCELLS; k++)
				fputs(cell_right(k) ? "|---:" : "|:---", f);
			fputs("|\n", f);
		}
	}
	summary_text(c, line, sizeof(line));
	fprintf(f, md ? "\n%s.\n" : "%s\n", line);
	free(cells);
	return 0;
}

static int compare_exit(const struct compare *c)
{
	if (c->count[V_REGRESSED])
		return IPCB_COMPARE_REGRESSED;
	if (c->count[V_INCONCLUSIVE] || c->count[V_MISSING])
		return IPCB_COMPARE_UNDECIDED;
	return IPCB_COMPARE_OK;
}

int ipcb_compare_main(int argc, char **argv)
{
	static const struct opts defaults = {
	    .metric = &metrics[0],
	    .alpha = 0.01,
	    .threshold = 0.05,
	    .max_spread = 0.08,
	    .format = FMT_TABLE,
	};
	struct compare c = {.o = defaults};
	char err[512], line[512];
	bool help = false;
	int rc;

	if (parse_args(&c.o, argc, argv, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s (see ipcbench compare --help)\n", prog, err);
		return IPCB_COMPARE_USAGE;
	}
	if (help) {
		fputs(usage_text, stdout);
		return IPCB_COMPARE_OK;
	}
	for (int s = 0; s < 2; s++) {
		rc = compare_read(&c, s, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			compare_fini(&c);
			return IPCB_COMPARE_USAGE;
		}
	}
	if (c.ngroups == 0) {
		fprintf(stderr,
			"%s: no row of %s or %s has a %s value: nothing to compare (another "
			"--metric, or -m throughput/latency rows?)\n",
			prog, c.o.path[0], c.o.path[1], c.o.metric->column);
		compare_fini(&c);
		return IPCB_COMPARE_USAGE;
	}
	compare_decide(&c);
	if (c.o.format == FMT_CSV) {
		print_csv(&c, stdout);
		summary_text(&c, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", prog, line);
		rc = 0;
	} else {
		rc = print_table(&c, stdout, c.o.format == FMT_MD);
	}
	/* A verdict nobody can read is a failure: exit 1, as a write error is everywhere. */
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "%s: writing the report: %s\n", prog,
			strerror(rc < 0 ? -rc : errno));
		compare_fini(&c);
		return IPCB_COMPARE_WRITE_FAILED;
	}
	rc = compare_exit(&c);
	compare_fini(&c);
	return rc;
}
