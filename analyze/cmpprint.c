/* SPDX-License-Identifier: MIT */
/*
 * cmpprint.c - `ipcbench compare`'s outputs: the table (plain or Markdown), CSV, JSON, the
 * --undecided file and the texts of a machine fingerprint's differences. Apart from the
 * deciding because it only reads the verdicts: how a result is shown, and made safe to show
 * (text from the files is escaped), changes nothing about what it is.
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

#include "format.h"
#include "json.h"

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
	C_INTERVAL,
	C_P,
	C_SPREAD,
	C_VERDICT,
	C_NOTE,
	NCELLS,
};

static const char *const cell_titles[NCELLS] = {
    "transport",
    "mode",
    "kind",
    "size",
    "placement",
    "cpus",
    "wait",
    "base (n)",
    "new (n)",
    "change",
    "H-L shift [interval]",
    "p(worse)",
    "spread b/n",
    "verdict",
    "note",
};

/*
 * The change of the two medians shown beside it, NEW / BASE - 1: what a reader takes a column
 * called "change" for. The verdict's estimate is another statistic, the Hodges-Lehmann shift
 * of all BASE-NEW pairs (or of the paired rounds' differences), shown under its own name: over a
 * few rounds a side the two can differ in size and even in sign. NAN where a median is missing.
 */
static double median_change(const struct cmp_group *g)
{
	for (int s = 0; s < 2; s++)
		if (!(g->counted ? g->work[s].have : g->side[s].n > 0) || !(g->median[s] >= 0))
			return NAN;
	return g->median[0] > 0 ? g->median[1] / g->median[0] - 1 : NAN;
}

/* Numbers read best right-aligned; text left. */
static bool cell_right(int k)
{
	return k == C_SIZE || (k >= C_BASE && k <= C_SPREAD);
}

/* A cell holds a whole note. */
#define CELL_BYTES NOTE_BYTES

/*
 * Text from the files as it may be shown: a control character (a newline in a quoted transport
 * name, say) would start what reads like a new row of the report, so each is written as a C
 * escape (\n, \t, \r, \xHH), and a backslash as \\ so that no escape is ambiguous. In Markdown a
 * '|' would end the cell: it becomes \|. Truncated (never split inside an escape) to fit out.
 */
static void safe_text(const char *in, char *out, size_t n, bool md)
{
	size_t len = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char e[8];

		if (*p == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (*p == '\t')
			snprintf(e, sizeof(e), "\\t");
		else if (*p == '\r')
			snprintf(e, sizeof(e), "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", *p);
		else if (*p == '\\')
			snprintf(e, sizeof(e), "\\\\");
		else if (*p == '|' && md)
			snprintf(e, sizeof(e), "\\|");
		else
			snprintf(e, sizeof(e), "%c", *p);
		if (len + strlen(e) + 1 > n)
			break;
		memcpy(out + len, e, strlen(e));
		len += strlen(e);
	}
	out[len] = '\0';
}

static void value_text(const struct ipcb_csv_metric *mt, double v, char *out, size_t n)
{
	if (mt->column == IPCB_COL_BYTES_PER_S)
		snprintf(out, n, "%.1f MB/s", v / 1e6);
	else if (mt->column == IPCB_COL_MSGS_PER_S)
		snprintf(out, n, v >= 1e6 ? "%.3f M/s" : "%.1f k/s", v >= 1e6 ? v / 1e6 : v / 1e3);
	else
		ipcb_format_ns(v, out, n);
}

/* Is col, a column of the experiment's key (lib/expkey.h), shown by a cell or the shape? */
static bool setting_shown(enum ipcb_csv_column col)
{
	switch (col) {
	case IPCB_COL_TRANSPORT:
	case IPCB_COL_TUNING:
	case IPCB_COL_MODE:
	case IPCB_COL_SIZE_BYTES:
	case IPCB_COL_PLACEMENT:
	case IPCB_COL_SENDER_CPU:
	case IPCB_COL_RECEIVER_CPU:
	case IPCB_COL_WAIT:
	case IPCB_COL_PAIRS:
	case IPCB_COL_TOPOLOGY:
	case IPCB_COL_INFLIGHT:
	case IPCB_COL_ARRIVALS:
	case IPCB_COL_LATENCY_KIND:
	case IPCB_COL_OFFERED_FRACTION:
	case IPCB_COL_OFFERED_RATE:
	case IPCB_COL_HOST:
	case IPCB_COL_PEER_HOST:
	case IPCB_COL_HOSTS_SLOT:
		return true;
	default:
		return false;
	}
}

/*
 * The settings that name an experiment (lib/expkey.h's columns) which the table does not show,
 * in which g differs from a group shown that reads alike (the same in every column it shows),
 * into named[]: g is named by them too ("work_ns=100"), so that two groups apart in such a
 * setting alone never read alike in the table.
 */
static void settings_named(const struct compare *c, const struct cmp_group *g,
			   bool named[IPCB_CSV_NCOLS])
{
	for (int col = 0; col < IPCB_CSV_NCOLS; col++)
		named[col] = false;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmp_group *h = c->groups[i];
		bool alike = true;

		if (h == g || !cmp_shown(h))
			continue;
		for (int k = 0; alike && k < IPCB_EXP_NCOLS; k++)
			alike = !setting_shown(ipcb_exp_cols[k]) ||
				!strcmp(cmp_gf(g, ipcb_exp_cols[k]), cmp_gf(h, ipcb_exp_cols[k]));
		for (int k = 0; alike && k < IPCB_EXP_NCOLS; k++)
			if (strcmp(cmp_gf(g, ipcb_exp_cols[k]), cmp_gf(h, ipcb_exp_cols[k])))
				named[ipcb_exp_cols[k]] = true;
	}
}

/*
 * The transport's name, and the load's shape where the rows have one, as the driver's table
 * shows it: "shm x2" two pairs, "posix-mq 1:4" a topology, "pipe k8" eight requests in flight,
 * "pipe @100000" an open loop's rate (messages per second), "pipe @0.5 of max" a rate sweep's
 * step (half its closed-loop maximum), "poisson" its arrivals; then each setting in named[] as
 * NAME=VALUE ("-" where the row has none).
 */
static void shape_text(const struct cmp_group *g, const bool named[IPCB_CSV_NCOLS], char *out,
		       size_t n)
{
	const char *pairs = cmp_gf(g, IPCB_COL_PAIRS), *topo = cmp_gf(g, IPCB_COL_TOPOLOGY);
	const char *inflight = cmp_gf(g, IPCB_COL_INFLIGHT), *arr = cmp_gf(g, IPCB_COL_ARRIVALS);
	const char *fraction = cmp_gf(g, IPCB_COL_OFFERED_FRACTION),
		   *r = cmp_gf(g, IPCB_COL_OFFERED_RATE);
	const char *to = cmp_gf(g, IPCB_COL_PEER_HOST);
	const char *tuning = cmp_gf(g, IPCB_COL_TUNING);
	size_t len = (size_t)snprintf(out, n, "%s%s%s", cmp_gf(g, IPCB_COL_TRANSPORT),
				      *tuning ? " " : "", tuning);

	if (len < n && *pairs && strcmp(pairs, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, " x%s", pairs);
	if (len < n && *topo && strcmp(topo, "1:1") != 0)
		len += (size_t)snprintf(out + len, n - len, " %s", topo);
	if (len < n && *inflight && strcmp(inflight, "1") != 0)
		len += (size_t)snprintf(out + len, n - len, " k%s", inflight);
	/* A share was checked to be a number when its row was read. */
	if (len < n && *fraction)
		len += (size_t)snprintf(out + len, n - len, " @%.6g of max", atof(fraction));
	else if (len < n && *r)
		len += (size_t)snprintf(out + len, n - len, " @%.*s", (int)strcspn(r, "."), r);
	if (len < n && *arr && strcmp(arr, "fixed") != 0)
		len += (size_t)snprintf(out + len, n - len, " %s", arr);
	if (len < n && *cmp_gf(g, IPCB_COL_HOSTS_SLOT))
		len += (size_t)snprintf(out + len, n - len, " %s->%s", cmp_gf(g, IPCB_COL_HOST),
					*to ? to : cmp_gf(g, IPCB_COL_HOST));
	for (int col = 0; col < IPCB_CSV_NCOLS; col++)
		if (len < n && named[col])
			len += (size_t)snprintf(out + len, n - len, " %s=%s", ipcb_csv_name(col),
						*cmp_gf(g, col) ? cmp_gf(g, col) : "-");
}

static void group_cells(const struct compare *c, const struct cmp_group *g,
			char cells[NCELLS][CELL_BYTES], bool md)
{
	const char *sc = cmp_gf(g, IPCB_COL_SENDER_CPU), *rc = cmp_gf(g, IPCB_COL_RECEIVER_CPU);
	char v[64], s[2][16], lo[16], hi[16], shape[CELL_BYTES];
	bool named[IPCB_CSV_NCOLS];

	for (int i = 0; i < NCELLS; i++)
		cells[i][0] = '\0';
	settings_named(c, g, named);
	shape_text(g, named, shape, sizeof(shape));
	safe_text(shape, cells[C_TRANSPORT], CELL_BYTES, md);
	safe_text(cmp_gf(g, IPCB_COL_MODE), cells[C_MODE], CELL_BYTES, md);
	safe_text(*cmp_gf(g, IPCB_COL_LATENCY_KIND) ? cmp_gf(g, IPCB_COL_LATENCY_KIND) : "-",
		  cells[C_KIND], CELL_BYTES, md);
	ipcb_format_size(g->size_bytes, cells[C_SIZE], CELL_BYTES);
	safe_text(*cmp_gf(g, IPCB_COL_PLACEMENT) ? cmp_gf(g, IPCB_COL_PLACEMENT) : "-",
		  cells[C_PLACEMENT], CELL_BYTES, md);
	if (!*sc && !*rc)
		snprintf(cells[C_CPUS], CELL_BYTES, "any");
	else
		snprintf(cells[C_CPUS], CELL_BYTES, "%s,%s", *sc ? sc : "-", *rc ? rc : "-");
	safe_text(*cmp_gf(g, IPCB_COL_WAIT) ? cmp_gf(g, IPCB_COL_WAIT) : "-", cells[C_WAIT],
		  CELL_BYTES, md);
	for (int side = 0; side < 2; side++) {
		char *cell = cells[side ? C_NEW : C_BASE];

		/* Counted: both sides' instructions per message, and the runs counted. */
		if (g->counted) {
			snprintf(cell, CELL_BYTES,
				 g->work[side].have ? "%.1f instr/msg (%zu)" : "- (0)",
				 g->median[side], g->work[side].rows);
			continue;
		}
		if (!g->side[side].n) {
			snprintf(cell, CELL_BYTES, "- (0)");
			continue;
		}
		value_text(g->control ? &cmp_control_metric : c->o.metric, g->median[side], v,
			   sizeof(v));
		snprintf(cell, CELL_BYTES, "%s (%zu)", v, g->side[side].n);
	}
	if (!isnan(median_change(g)))
		cmp_pct_text(median_change(g), cells[C_CHANGE], CELL_BYTES);
	else
		snprintf(cells[C_CHANGE], CELL_BYTES, "-");
	if (!isnan(g->ci_lo) && !isnan(g->ci_hi) && (isfinite(g->change) || g->change == -1)) {
		char est[16];

		cmp_pct_text(g->change, est, sizeof(est));
		cmp_pct_text(g->ci_lo, lo, sizeof(lo));
		cmp_pct_text(g->ci_hi, hi, sizeof(hi));
		snprintf(cells[C_INTERVAL], CELL_BYTES, "%s [%s, %s]", est, lo, hi);
	} else {
		snprintf(cells[C_INTERVAL], CELL_BYTES, "-");
	}
	if (g->tested && !g->control)
		snprintf(cells[C_P], CELL_BYTES, g->p_worse < 1e-4 ? "%.1e" : "%.4f", g->p_worse);
	else
		snprintf(cells[C_P], CELL_BYTES, "-");
	for (int side = 0; side < 2; side++) {
		if (g->spread_known[side])
			snprintf(s[side], sizeof(s[side]), "%.1f%%", g->spread[side] * 100);
		else
			snprintf(s[side], sizeof(s[side]), "-");
	}
	if (g->counted)
		for (int side = 0; side < 2; side++)
			snprintf(s[side], sizeof(s[side]),
				 g->work[side].spread > WORK_EXACT ? "%.2f%%" : "exact",
				 g->work[side].spread * 100);
	snprintf(cells[C_SPREAD], CELL_BYTES, "%s/%s", s[0], s[1]);
	snprintf(cells[C_VERDICT], CELL_BYTES, "%s", cmp_verdict_names[g->verdict]);
	snprintf(cells[C_NOTE], CELL_BYTES, "%s", g->note);
}

void cmp_summary_text(const struct compare *c, char *out, size_t n)
{
	int len = snprintf(out, n,
			   "%zu group%s compared: %zu regressed, %zu improved, %zu ok, %zu "
			   "inconclusive, %zu more-work; %zu missing (only in NEW)",
			   c->compared + c->ncounted, c->compared + c->ncounted == 1 ? "" : "s",
			   c->count[V_REGRESSED], c->count[V_IMPROVED], c->count[V_OK],
			   c->count[V_INCONCLUSIVE], c->count[V_MORE_WORK], c->count[V_MISSING]);

	if (len > 0 && (size_t)len < n && c->controls)
		len += snprintf(
		    out + len, n - (size_t)len, "; %zu control%s, %zu changed%s", c->controls,
		    c->controls == 1 ? "" : "s", c->count[V_CHANGED],
		    c->machine_changed ? ": THE MACHINE CHANGED, nothing is blamed on NEW" : "");
	if (len > 0 && (size_t)len < n && (c->set_aside[0] || c->set_aside[1]))
		len += snprintf(out + len, n - (size_t)len,
				"; rows set aside for the machine's state: %zu BASE, %zu NEW",
				c->set_aside[0], c->set_aside[1]);
	if (len > 0 && (size_t)len < n && c->ceil_moved)
		snprintf(out + len, n - (size_t)len,
			 "; %zu group%s whose ceiling moved more than the threshold between the "
			 "files (the machine's floors beneath them), each judged against it",
			 c->ceil_moved, c->ceil_moved == 1 ? "" : "s");
}

static void settings_text(const struct compare *c, char *out, size_t n)
{
	char t[16], look[64] = "";

	cmp_pct_text(c->o.threshold, t, sizeof(t));
	if (c->o.looks > 1)
		snprintf(look, sizeof(look), ", look %u of %u spends %.3g",
			 c->o.look ? c->o.look : c->o.looks, c->o.looks, c->alpha_look);
	snprintf(out, n,
		 "metric %s (%s is better), threshold %s, alpha %g%s, Holm over %zu group%s (first "
		 "step %.3g) for regressed and improved, ok at %.3g a group%s",
		 ipcb_csv_name(c->o.metric->column), c->o.metric->lower_better ? "lower" : "higher",
		 t + 1, c->o.alpha, look, c->compared, c->compared == 1 ? "" : "s", c->alpha_each,
		 c->alpha_look, c->o.paired ? "; paired by round (signed-rank tests)" : "");
	if (c->ncounted && strlen(out) < n)
		snprintf(out + strlen(out), n - strlen(out),
			 "; %zu counted group%s with no times, decided on their work per message "
			 "(the same work is ok)",
			 c->ncounted, c->ncounted == 1 ? "" : "s");
}

/* A CSV field from the files: control characters escaped as in the table, then quoted. */
static void csv_safe(FILE *f, const char *s)
{
	char buf[CELL_BYTES];

	safe_text(s, buf, sizeof(buf), false);
	ipcb_csv_text(f, buf);
}

static void csv_num(FILE *f, bool have, double v)
{
	if (have)
		fprintf(f, "%.6g", v);
	fputc(',', f);
}

void cmp_print_csv(const struct compare *c, FILE *f)
{
	/* The group's key under the input's own column names, the size after the kind. */
	for (int k = 0; k < NKEYS; k++) {
		if (k == COL_SIZE)
			continue;
		fprintf(f, "%s,", ipcb_csv_name(cmp_key_columns[k]));
		if (k == COL_TRANSPORT)
			fprintf(f, "%s,", ipcb_csv_name(IPCB_COL_TUNING));
		if (k == COL_KIND)
			fprintf(f, "%s,", ipcb_csv_name(cmp_key_columns[COL_SIZE]));
	}
	fputs("metric,base_n,new_n,base_median,new_median,change,shift,shift_lo,shift_hi,p_worse,"
	      "p_better,p_equiv,base_spread,new_spread,verdict,repeats_needed,caught,note\n",
	      f);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmp_group *g = c->groups[i];

		if (!cmp_shown(g))
			continue;
		for (int k = 0; k < NKEYS; k++) {
			if (k == COL_SIZE)
				continue;
			csv_safe(f, cmp_gf(g, cmp_key_columns[k]));
			fputc(',', f);
			if (k == COL_TRANSPORT) {
				csv_safe(f, cmp_gf(g, IPCB_COL_TUNING));
				fputc(',', f);
			}
			if (k == COL_KIND)
				fprintf(f, "%zu,", g->size_bytes);
		}
		fprintf(f, "%s,%zu,%zu,",
			ipcb_csv_name(g->control ? cmp_control_metric.column : c->o.metric->column),
			g->side[0].n, g->side[1].n);
		for (int s = 0; s < 2; s++)
			csv_num(f, g->side[s].n > 0, g->median[s]);
		csv_num(f, !isnan(median_change(g)), median_change(g));
		csv_num(f, !isnan(g->change), g->change);
		csv_num(f, !isnan(g->ci_lo), g->ci_lo);
		csv_num(f, !isnan(g->ci_hi), g->ci_hi);
		csv_num(f, g->tested, g->p_worse);
		csv_num(f, g->tested, g->p_better);
		csv_num(f, g->tested && !g->control, g->p_equiv);
		for (int s = 0; s < 2; s++)
			csv_num(f, g->spread_known[s], g->spread[s]);
		fprintf(f, "%s,", cmp_verdict_names[g->verdict]);
		if (g->repeats_needed)
			fprintf(f, "%zu", g->repeats_needed);
		fputc(',', f);
		csv_num(f, !isnan(g->resolution), g->resolution);
		ipcb_csv_text(f, g->note);
		fputc('\n', f);
	}
}

/* A figure of the comparison to six significant digits, as the table shows it; null where none. */
static json_t *json_num(bool have, double v)
{
	return ipcb_json_value(have ? v : NAN, 6);
}

/*
 * The comparison as one JSON document, for a CI job to read: the settings, every group with its
 * verdict, change and interval, what an undecided timed group could have caught, a counted
 * group's counts, and the summary. 0, -ENOMEM, or -EIO where it cannot be written.
 */
int cmp_print_json(const struct compare *c, FILE *f)
{
	json_t *doc = json_object(), *groups = json_array();
	char line[1024];
	int rc = 0;

	if (!doc || !groups) {
		json_decref(doc);
		json_decref(groups);
		return -ENOMEM;
	}
	ipcb_json_put(doc, "base", ipcb_json_text(c->o.path[0]), &rc);
	ipcb_json_put(doc, "new", ipcb_json_text(c->o.path[1]), &rc);
	ipcb_json_put(doc, "metric", json_string(ipcb_csv_name(c->o.metric->column)), &rc);
	ipcb_json_put(doc, "threshold", json_num(true, c->o.threshold), &rc);
	ipcb_json_put(doc, "alpha", json_num(true, c->o.alpha), &rc);
	ipcb_json_put(doc, "groups", groups, &rc);
	for (size_t i = 0; i < c->ngroups && rc == 0; i++) {
		const struct cmp_group *g = c->groups[i];
		json_t *o;

		if (!cmp_shown(g))
			continue;
		o = json_object();
		for (int k = 0; o && k < NKEYS; k++) {
			const char *key = ipcb_csv_name(cmp_key_columns[k]);

			if (k == COL_SIZE)
				ipcb_json_put(o, key, json_integer((json_int_t)g->size_bytes), &rc);
			else
				ipcb_json_put(o, key, ipcb_json_text(cmp_gf(g, cmp_key_columns[k])),
					      &rc);
			if (k == COL_TRANSPORT)
				ipcb_json_put(o, ipcb_csv_name(IPCB_COL_TUNING),
					      ipcb_json_text(cmp_gf(g, IPCB_COL_TUNING)), &rc);
		}
		if (o) {
			ipcb_json_put(o, "counted", json_boolean(g->counted || g->work_of), &rc);
			ipcb_json_put(o, "verdict", json_string(cmp_verdict_names[g->verdict]),
				      &rc);
			ipcb_json_put(o, "base_median",
				      json_num(g->counted || g->side[0].n, g->median[0]), &rc);
			ipcb_json_put(o, "new_median",
				      json_num(g->counted || g->side[1].n, g->median[1]), &rc);
			ipcb_json_put(o, "change", json_num(true, median_change(g)), &rc);
			ipcb_json_put(o, "shift", json_num(true, g->change), &rc);
			ipcb_json_put(o, "shift_lo", json_num(true, g->ci_lo), &rc);
			ipcb_json_put(o, "shift_hi", json_num(true, g->ci_hi), &rc);
			ipcb_json_put(o, "caught", json_num(true, g->resolution), &rc);
			ipcb_json_put(o, "note", ipcb_json_text(g->note), &rc);
		}
		ipcb_json_append(groups, o, &rc);
	}
	cmp_summary_text(c, line, sizeof(line));
	ipcb_json_put(doc, "summary", ipcb_json_text(line), &rc);
	ipcb_json_put(doc, "exit", json_integer(cmp_exit(c)), &rc);
	if (rc == 0)
		rc = ipcb_json_dump(f, doc);
	json_decref(doc);
	return rc;
}

int cmp_print_table(const struct compare *c, FILE *f, bool md)
{
	/* A line of the table: on the heap with the cells, as the stack may be small. */
	const size_t out_bytes = NCELLS * (CELL_BYTES + 4) + 4;
	char(*cells)[NCELLS][CELL_BYTES];
	size_t width[NCELLS];
	/* Static: the report of a comparison is written once, by one thread. */
	static char path[2][CELL_BYTES];
	char line[512], *out;
	size_t nshown = 0;

	cells = calloc(c->ngroups ? c->ngroups : 1, sizeof(*cells));
	out = malloc(out_bytes);
	if (!cells || !out) {
		free(out);
		free(cells);
		return -ENOMEM;
	}
	for (int k = 0; k < NCELLS; k++)
		width[k] = strlen(cell_titles[k]);
	for (size_t i = 0; i < c->ngroups; i++) {
		if (!cmp_shown(c->groups[i]))
			continue;
		group_cells(c, c->groups[i], cells[nshown], md);
		for (int k = 0; k < NCELLS; k++)
			if (strlen(cells[nshown][k]) > width[k])
				width[k] = strlen(cells[nshown][k]);
		nshown++;
	}
	settings_text(c, line, sizeof(line));
	for (int s = 0; s < 2; s++)
		safe_text(c->o.path[s], path[s], sizeof(path[s]), false);
	if (md)
		fprintf(f, "**ipcbench compare** `%s` -> `%s`: %s\n\n", path[0], path[1], line);
	else
		fprintf(f, "ipcbench compare %s -> %s: %s\n", path[0], path[1], line);
	if (c->machines[0] && md)
		fprintf(f, "**Warning: different machines.** %s.\n\n", c->machines);
	else if (c->machines[0])
		fprintf(f, "warning: different machines: %s\n", c->machines);
	for (size_t i = 0; i <= nshown; i++) {
		size_t len = 0;

		for (int k = 0; k < NCELLS; k++) {
			const char *cell = i == 0 ? cell_titles[k] : cells[i - 1][k];
			size_t room = out_bytes - len;
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
	cmp_summary_text(c, line, sizeof(line));
	fprintf(f, md ? "\n%s.\n" : "%s\n", line);
	free(out);
	free(cells);
	return 0;
}

/* The groups still undecided, for ab-gate to measure again: TRANSPORT<tab>MODE<tab>SIZE. */
int cmp_write_undecided(const struct compare *c, const char *path)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f)
		return -errno;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmp_group *g = c->groups[i];
		const char *t = cmp_gf(g, IPCB_COL_TRANSPORT), *mode = cmp_gf(g, IPCB_COL_MODE);
		size_t mlen;
		const char *module = ipcb_exp_module(cmp_gf(g, IPCB_COL_LIBRARY), &mlen);

		/*
		 * Undecided: inconclusive, or more work that the time has not yet seen either way
		 * (counted only, or timed and undecided). A name with control characters is no
		 * transport ab-gate could ask for.
		 */
		if (!cmp_shown(g) ||
		    !(g->verdict == V_INCONCLUSIVE ||
		      (g->verdict == V_MORE_WORK && g->timed != V_OK)) ||
		    strpbrk(t, "\t\n\r") || strpbrk(mode, "\t\n\r") ||
		    strcspn(module, "\t\n\r,") < mlen)
			continue;
		/* A user's module is asked for by its path, as -t takes it, not by its name. */
		if (mlen)
			fprintf(f, "external:%.*s\t%s\t%zu\n", (int)mlen, module, mode,
				g->size_bytes);
		else
			fprintf(f, "%s\t%s\t%zu\n", t, mode, g->size_bytes);
	}
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* "'a'" or "'a', 'b'" (and "..." when there were more): one file's values of a column. */
static void fingerprint_values(const struct fingerprint *fp, size_t k, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < fp->n[k] && len < n; i++) {
		char v[128];

		safe_text(fp->value[k][i], v, sizeof(v), false);
		len +=
		    (size_t)snprintf(out + len, n - len, "%s%s%s%s", i ? ", " : "", v[0] ? "'" : "",
				     v[0] ? v : "(not recorded)", v[0] ? "'" : "");
	}
	if (fp->more[k] && len < n)
		snprintf(out + len, n - len, ", ...");
}

/*
 * Were BASE and NEW measured on the same kind of machine? Writes what differs ("cpu_model:
 * 'A' in BASE, 'B' in NEW; kernel: ...") into out, "" when nothing does.
 */
void cmp_fingerprint_compare(const struct compare *c, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t k = 0; k < NFINGERPRINT && len < n; k++) {
		const struct fingerprint *a = &c->fp[0], *b = &c->fp[1];
		char va[300], vb[300];
		bool same = a->n[k] == b->n[k] && a->more[k] == b->more[k];

		for (size_t i = 0; same && i < a->n[k]; i++) {
			bool found = false;

			for (size_t j = 0; j < b->n[k] && !found; j++)
				found = strcmp(a->value[k][i], b->value[k][j]) == 0;
			same = found;
		}
		if (same)
			continue;
		fingerprint_values(a, k, va, sizeof(va));
		fingerprint_values(b, k, vb, sizeof(vb));
		len += (size_t)snprintf(out + len, n - len, "%s%s: %s in BASE, %s in NEW",
					len ? "; " : "", ipcb_csv_name(cmp_fingerprint_columns[k]),
					va, vb);
	}
}
