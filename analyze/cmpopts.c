/* SPDX-License-Identifier: MIT */
/*
 * cmpopts.c - `ipcbench compare`'s options, one row each (see cmpopts.h): how each value is read
 * and refused, its line in --help (and so its entry in the man page), and the checks of the
 * command line as a whole.
 */
#include "cmpopts.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "rows.h"

const struct ipcb_csv_metric cmp_control_metric = {IPCB_COL_MSGS_PER_S, false};

const enum ipcb_csv_column cmp_fingerprint_columns[NFINGERPRINT] = {
    IPCB_COL_CPU_MODEL, IPCB_COL_KERNEL, IPCB_COL_BUILD_TYPE, IPCB_COL_VIRTUALIZATION};

#define STR_(x) #x
#define STR(x)	STR_(x)

/* "5%" -> 0.05, "0.05" -> 0.05; a bare number >= 1 is refused as ambiguous. */
static int metric_parse(void *base, const char *val, char *err, size_t errlen)
{
	return ipcb_csv_metric_parse(val, &((struct opts *)base)->metric, "--metric", err, errlen);
}

static int threshold_parse(void *base, const char *val, char *err, size_t errlen)
{
	return ipcb_parse_share(val, 0, 0.99, &((struct opts *)base)->threshold, "--threshold", err,
				errlen);
}

static int alpha_parse(void *base, const char *val, char *err, size_t errlen)
{
	return ipcb_parse_probability(val, 0.5, &((struct opts *)base)->alpha, "--alpha", err,
				      errlen);
}

/*
 * --control a,b: names are kept as pointers into argv, split in place at the commas (the value
 * is argv's own text, which the parser hands on as it is).
 */
static int control_parse(void *base, const char *val, char *err, size_t errlen)
{
	struct opts *o = base;

	for (char *name = (char *)val, *comma; name; name = comma) {
		comma = strchr(name, ',');
		if (comma)
			*comma++ = '\0';
		if (!*name)
			return ipcb_parse_fail(err, errlen,
					       "--control: empty transport name in the list");
		if (o->ncontrols == MAX_CONTROLS)
			return ipcb_parse_fail(err, errlen,
					       "--control: more than %d control transports",
					       MAX_CONTROLS);
		o->controls[o->ncontrols++] = name;
	}
	return 0;
}

static void control_help(char *out, size_t n)
{
	snprintf(out, n,
		 "transports whose rows are controls that no code change can\n"
		 "move (ab-gate: floor-memcpy,floor-cacheline): judged on\n"
		 "%s for any change at all (two-sided, Bonferroni over\n"
		 "the controls); if one changed, no group is called\n"
		 "regressed or improved and the exit status is 4",
		 ipcb_csv_name(cmp_control_metric.column));
}

static void paired_help(char *out, size_t n)
{
	snprintf(out, n,
		 "pair BASE and NEW values by %s (measured in the same\n"
		 "round, so in the same machine state) and decide on the\n"
		 "per-round ratios with Wilcoxon signed-rank tests; a round\n"
		 "on one side only is left out (the note says how many\n"
		 "pairs); files without the column pair by row order",
		 ipcb_csv_name(IPCB_COL_ROUND));
}

static void same_machine_help(char *out, size_t n)
{
	snprintf(
	    out, n,
	    "refuse (exit 2) to compare files measured on different\n"
	    "machines: a different %s, %s, %s or\n"
	    "%s (without it, a warning names what differs)",
	    ipcb_csv_name(cmp_fingerprint_columns[0]), ipcb_csv_name(cmp_fingerprint_columns[1]),
	    ipcb_csv_name(cmp_fingerprint_columns[2]), ipcb_csv_name(cmp_fingerprint_columns[3]));
}

static void db_help(char *out, size_t n)
{
	snprintf(
	    out, n,
	    "take BASE from the results history DB (ipcbench --db: a\n"
	    "file, or a PostgreSQL server's postgresql://HOST/DB):\n"
	    "the runs --baseline names, of NEW's machine fingerprint\n"
	    "(%s, %s, %s, %s), less\n"
	    "any run holding NEW's own rows; one file, NEW, is given",
	    ipcb_csv_name(cmp_fingerprint_columns[0]), ipcb_csv_name(cmp_fingerprint_columns[1]),
	    ipcb_csv_name(cmp_fingerprint_columns[2]), ipcb_csv_name(cmp_fingerprint_columns[3]));
}

static int max_spread_parse(void *base, const char *val, char *err, size_t errlen)
{
	double ignored;
	int rc;

	(void)base;
	/* Still validated, so a typo is not silently accepted either. */
	rc = ipcb_parse_share(val, 0, 10, &ignored, "--max-spread", err, errlen);
	if (rc == 0)
		fprintf(
		    stderr,
		    "ipcbench compare: --max-spread is ignored: a noisy group is decided by its "
		    "interval, or is inconclusive\n");
	return rc;
}

/*
 * A name pattern's sets of characters are closed: fnmatch() takes a '[' without its ']' as a
 * character to match, and the filter would then take no group, saying so only after the runs.
 */
static bool pattern_closed(const char *w)
{
	for (const char *p = w; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p != '[')
			continue;
		/* A ']' first in the set (after a '!' or '^') is one of its characters. */
		p += p[1] == '!' || p[1] == '^' ? 2 : 1;
		if (*p == ']')
			p++;
		while (*p && *p != ']')
			p++;
		if (!*p)
			return false;
	}
	return true;
}

static int filter_parse(void *base, const char *val, char *err, size_t errlen)
{
	struct cmp_filter *f = &((struct opts *)base)->filter;
	char *part = f->words;
	int slashes = 0;

	if (strlen(val) >= sizeof(f->text))
		return ipcb_parse_fail(err, errlen, "--filter: longer than %zu characters",
				       sizeof(f->text) - 1);
	for (const char *at = val, *sl; (sl = strchr(at, '/')); at = sl + 1)
		if (++slashes > 2)
			return ipcb_parse_fail(err, errlen,
					       "--filter: '%s' has more than three parts "
					       "(TRANSPORT/MODE/SIZE)",
					       val);
	memset(f, 0, sizeof(*f));
	memcpy(f->text, val, strlen(val) + 1);
	memcpy(f->words, val, strlen(val) + 1);
	for (int k = 0; part; k++) {
		char *slash = strchr(part, '/');
		size_t *n = k == 0 ? &f->ntransport : k == 1 ? &f->nmode : &f->nsize;

		if (slash)
			*slash++ = '\0';
		/* An empty part, or "*", takes any value. */
		if (!*part || !strcmp(part, "*")) {
			part = slash;
			continue;
		}
		for (char *w = part, *comma; w; w = comma) {
			comma = strchr(w, ',');
			if (comma)
				*comma++ = '\0';
			if (!*w)
				return ipcb_parse_fail(err, errlen,
						       "--filter: '%s': an empty name in a list",
						       f->text);
			if (*n == MAX_FILTER_WORDS)
				return ipcb_parse_fail(err, errlen,
						       "--filter: more than %d words in one part",
						       MAX_FILTER_WORDS);
			if (k < 2 && !pattern_closed(w))
				return ipcb_parse_fail(
				    err, errlen,
				    "--filter: '%s': a malformed pattern ('%s' opens "
				    "a set of characters with '[' and never closes it "
				    "with ']')",
				    f->text, w);
			if (k == 2 &&
			    ipcb_parse_size(w, &f->size[*n], "--filter: size", err, errlen) < 0)
				return -EINVAL;
			if (k == 0)
				f->transport[*n] = w;
			else if (k == 1)
				f->mode[*n] = w;
			(*n)++;
		}
		part = slash;
	}
	return 0;
}

bool cmp_filter_match(const struct cmp_filter *f, const char *transport, const char *mode,
		      size_t size)
{
	bool t = !f->ntransport, m = !f->nmode, z = !f->nsize;

	for (size_t i = 0; i < f->ntransport && !t; i++)
		t = fnmatch(f->transport[i], transport, 0) == 0;
	for (size_t i = 0; i < f->nmode && !m; i++)
		m = fnmatch(f->mode[i], mode, 0) == 0;
	for (size_t i = 0; i < f->nsize && !z; i++)
		z = f->size[i] == size;
	return t && m && z;
}

const struct ipcb_clirow cmp_opts_rows[] = {
    {.opt = {.name = "metric"},
     .type = IPCB_CLI_CALL,
     .parse = metric_parse,
     .arg = "COLUMN",
     .section = "Options:",
     .help_fn = ipcb_csv_metric_help},
    {.opt = {.name = "threshold"},
     .type = IPCB_CLI_CALL,
     .parse = threshold_parse,
     .arg = "PCT",
     .help = "the smallest change that matters: 5% or 0.05 (default 5%)"},
    {.opt = {.name = "alpha"},
     .type = IPCB_CLI_CALL,
     .parse = alpha_parse,
     .arg = "A",
     .help = "over all groups and looks, the chance of any false\n"
	     "regressed, of any false improved, and of a pass (every\n"
	     "group ok) when a group changed by the threshold or more\n"
	     "(default 0.05)"},
    {.opt = {.name = "looks"},
     .type = IPCB_CLI_UINT,
     .off = offsetof(struct opts, looks),
     .min = 1,
     .max = MAX_LOOKS,
     .arg = "K",
     .help = "at most K looks are taken at growing data (scripts/ab-gate's\n"
	     "rounds); look I spends 2^-(K-I+1) of alpha, the last\n"
	     "1/2 + 2^-K, so all of them together spend alpha (default 1)"},
    {.opt = {.name = "look"},
     .type = IPCB_CLI_UINT,
     .off = offsetof(struct opts, look),
     .min = 1,
     .max = MAX_LOOKS,
     .arg = "I",
     .help = "which look this is, 1..K (default K, the last)"},
    {.opt = {.name = "control"},
     .type = IPCB_CLI_CALL,
     .parse = control_parse,
     .arg = "LIST",
     .help_fn = control_help},
    {.opt = {.name = "filter"},
     .type = IPCB_CLI_CALL,
     .parse = filter_parse,
     .arg = "T[/M[/S]]",
     .help = "compare only the groups of these transports, modes and\n"
	     "sizes, each a comma list, transports and modes as shell\n"
	     "patterns, a part left empty or * for any: pipe,shm,\n"
	     "'zmq-*/throughput', '*/latency/64,4K'; the groups of\n"
	     "BASE or NEW it leaves out are neither compared nor missing"},
    {.opt = {.name = "undecided"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, undecided_path),
     .noun = "file name",
     .arg = "FILE",
     .help = "write the groups still undecided (inconclusive, or more-work\n"
	     "not yet timed to a verdict), one per line as\n"
	     "TRANSPORT<tab>MODE<tab>SIZE_BYTES (for ab-gate)"},
    {.opt = {.name = "not-counted"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, not_counted),
     .noun = "reason",
     .arg = "WHY",
     .help = "the timed groups were not counted, for this reason: each\n"
	     "one's note says so (ab-gate: valgrind is not installed)"},
    {.opt = {.name = "paired"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, paired),
     .help_fn = paired_help},
    {.opt = {.name = "same-machine"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, same_machine),
     .help_fn = same_machine_help},
    {.opt = {.name = "db"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, db),
     .noun = "value",
     .arg = "DB",
     .help_fn = db_help},
    {.opt = {.name = "baseline"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct opts, baseline),
     .noun = "value",
     .arg = "SPEC",
     .help = "with --db: last (the newest complete run, the default),\n"
	     "N-runs (the newest N pooled, e.g. 5-runs) or COMMIT (every\n"
	     "complete run of that commit: its name or 4+ characters)"},
    {.opt = {.name = "any-machine"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, any_machine),
     .help = "with --db: runs of any machine may be the baseline"},
    {.opt = {.name = "check"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, check_only),
     .help = "only validate the options (no files needed)"},
    {.opt = {.name = "max-spread"},
     .type = IPCB_CLI_CALL,
     .parse = max_spread_parse,
     .arg = "PCT",
     .help = "accepted for old scripts and ignored: the interval decides"},
    {.opt = {.name = "format"},
     .type = IPCB_CLI_CHOICE,
     .off = offsetof(struct opts, format),
     .choices = "table|md|csv|json", /* in enum format's order */
     .noun = "format",
     .max = FMT_JSON,
     .arg = "FMT",
     .help = "table (default), md (Markdown), csv or json"},
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct opts, help),
     .help = "the options, briefly"},
    {.opt = {.name = NULL}},
};

/* A file: BASE, then NEW (with --db, NEW alone). */
static int path_arg(void *ctx, const char *val, char *err, size_t errlen)
{
	struct opts *o = ctx;

	if (o->npaths == 2)
		return ipcb_parse_fail(err, errlen,
				       "too many files: '%s' (expected BASE.csv NEW.csv)", val);
	o->path[o->npaths++] = val;
	return 0;
}

/* --help ends the parse where it stands: what follows is not read. */
static int help_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	(void)ctx, (void)typed, (void)err, (void)errlen;
	return row->opt.letter == 'h';
}

int cmp_opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen)
{
	const struct ipcb_cli_hooks hooks = {.arg = path_arg, .taken = help_taken, .ctx = o};
	int rc = ipcb_cli_parse(cmp_opts_rows, o, argc, argv, &hooks, err, errlen);

	if (rc < 0 || o->help)
		return rc < 0 ? rc : 0;
	if (o->look > o->looks)
		return ipcb_parse_fail(err, errlen, "--look %u is beyond --looks %u", o->look,
				       o->looks);
	if (!o->db && (o->baseline || o->any_machine))
		return ipcb_parse_fail(err, errlen, "%s goes with --db DB",
				       o->baseline ? "--baseline" : "--any-machine");
	if (o->check_only)
		return 0;
	if (o->db) {
		if (o->npaths != 1)
			return ipcb_parse_fail(
			    err, errlen,
			    "with --db, one file: NEW.csv (BASE comes from the history; got %zu)",
			    o->npaths);
		/* The history's baseline reads NEW for its machine, then the model reads it. */
		if (ipcb_rows_is_stdin(o->path[0]))
			return ipcb_parse_fail(err, errlen,
					       "with --db, NEW.csv is read twice, which standard "
					       "input (-) cannot give: name a file");
		o->path[1] = o->path[0];
		o->path[0] = NULL;
		return 0;
	}
	if (o->npaths != 2)
		return ipcb_parse_fail(
		    err, errlen, "expected two files, BASE.csv and NEW.csv (got %zu)", o->npaths);
	if (ipcb_rows_is_stdin(o->path[0]) && ipcb_rows_is_stdin(o->path[1]))
		return ipcb_parse_fail(err, errlen,
				       "BASE.csv and NEW.csv both standard input (-): it can give "
				       "one of them");
	return 0;
}
