/* SPDX-License-Identifier: MIT */
/* cliopt.c - the table-driven command-line parser every ipcbench command uses; see cliopt.h. */
#include "cliopt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* What the walk over argv returns besides 0 (an option): */
enum {
	CLI_END = -1,	/* no more items */
	CLI_ARG = -2,	/* an argument: *value is it */
	CLI_ERROR = -3, /* err says what is wrong */
};

/* The walk over argv. */
struct ipcb_cli {
	int argc;
	char **argv;
	int i;		     /* the next argv item */
	const char *cluster; /* inside "-abc": the letters still to read */
	bool only_args;	     /* after "--" */
	/* The option as the user wrote it ("--transport", "-t"), for messages about its value. */
	char typed[64];
};

/* A table of rows, each beginning with its spelling. */
struct table {
	const struct ipcb_clirow *rows;
};

static const struct ipcb_cliopt *at(const struct table *t, size_t i)
{
	return &t->rows[i].opt;
}

static bool takes_value(const struct ipcb_cliopt *o)
{
	/* A row begins with its spelling: the spelling is its row's. */
	const struct ipcb_clirow *r = (const struct ipcb_clirow *)o;

	return r->type != IPCB_CLI_FLAG && r->type != IPCB_CLI_CLEAR;
}

/* The entry named by `name` (len bytes): exactly, else by a unique prefix. NULL: err says why. */
static const struct ipcb_cliopt *find_long(const struct table *t, const char *name, size_t len,
					   const char *typed, char *err, size_t errlen)
{
	const struct ipcb_cliopt *found = NULL, *o;
	size_t matches = 0, used;

	if (len == 0) {
		snprintf(err, errlen, "unknown option '%s'", typed);
		return NULL;
	}
	for (size_t i = 0; (o = at(t, i))->name; i++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	for (size_t i = 0; (o = at(t, i))->name; i++)
		if (strncmp(o->name, name, len) == 0) {
			found = o;
			matches++;
		}
	if (matches == 1)
		return found;
	if (!matches) {
		snprintf(err, errlen, "unknown option '%s'", typed);
		return NULL;
	}
	used = (size_t)snprintf(err, errlen, "%.*s is ambiguous:", (int)(len + 2), typed);
	for (size_t i = 0; (o = at(t, i))->name && used < errlen; i++)
		if (strncmp(o->name, name, len) == 0)
			used += (size_t)snprintf(err + used, errlen - used, " --%s", o->name);
	return NULL;
}

static int short_option(struct ipcb_cli *c, const struct table *t, const struct ipcb_cliopt **row,
			const char **value, char *err, size_t errlen)
{
	char letter = *c->cluster++;
	const struct ipcb_cliopt *o;
	size_t i = 0;

	while ((o = at(t, i))->name && o->letter != letter)
		i++;
	if (!o->name || !letter) {
		snprintf(err, errlen, "unknown option '-%c'", letter);
		return CLI_ERROR;
	}
	snprintf(c->typed, sizeof(c->typed), "-%c", letter);
	*value = NULL;
	*row = o;
	if (!takes_value(o)) {
		if (!*c->cluster)
			c->cluster = NULL;
		return 0;
	}
	/* -nVALUE, or -n VALUE. */
	if (*c->cluster) {
		*value = c->cluster;
	} else if (c->i < c->argc) {
		*value = c->argv[c->i++];
	} else {
		snprintf(err, errlen, "%s: missing value", c->typed);
		c->cluster = NULL;
		return CLI_ERROR;
	}
	c->cluster = NULL;
	return 0;
}

/* The next item: 0 with *row and *value an option's, or a CLI_ code. */
static int next_item(struct ipcb_cli *c, const struct table *t, const struct ipcb_cliopt **row,
		     const char **value, char *err, size_t errlen)
{
	const char *a, *eq;
	size_t len;

	*value = NULL;
	if (c->cluster)
		return short_option(c, t, row, value, err, errlen);
	if (c->i >= c->argc)
		return CLI_END;
	a = c->argv[c->i++];
	if (c->only_args || a[0] != '-' || strcmp(a, "-") == 0) {
		*value = a;
		return CLI_ARG;
	}
	if (strcmp(a, "--") == 0) {
		c->only_args = true;
		return next_item(c, t, row, value, err, errlen);
	}
	if (a[1] != '-') {
		c->cluster = a + 1;
		return short_option(c, t, row, value, err, errlen);
	}
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a - 2) : strlen(a) - 2;
	*row = find_long(t, a + 2, len, a, err, errlen);
	if (!*row)
		return CLI_ERROR;
	snprintf(c->typed, sizeof(c->typed), "--%s", (*row)->name);
	if (!takes_value(*row)) {
		if (eq) {
			snprintf(err, errlen, "'%s': this option takes no value", a);
			return CLI_ERROR;
		}
		return 0;
	}
	if (eq) {
		*value = eq + 1;
	} else if (c->i < c->argc) {
		*value = c->argv[c->i++];
	} else {
		snprintf(err, errlen, "%s: missing value", c->typed);
		return CLI_ERROR;
	}
	return 0;
}

/* The choices as a message lists them: "spin, yield, block, hybrid". */
static void choices_text(const struct ipcb_clirow *o, char *out, size_t n)
{
	size_t len = 0;

	if (o->valid) {
		snprintf(out, n, "%s", o->valid);
		return;
	}
	out[0] = '\0';
	for (const char *c = o->choices; *c && len < n; c++)
		len += (size_t)snprintf(out + len, n - len, *c == '|' ? ", " : "%c", *c);
}

/* Take `value` into the row's place in base, by the row's type. */
static int store(const struct ipcb_clirow *o, void *base, const char *value, char *err,
		 size_t errlen)
{
	char *p = (char *)base + o->off, what[80], valid[256];
	uint64_t u = 0; /* a failed parse leaves it 0: what it sets is never read then */
	int rc, i;

	snprintf(what, sizeof(what), "--%s", o->opt.name);
	switch (o->type) {
	case IPCB_CLI_FLAG:
	case IPCB_CLI_CLEAR:
		*(bool *)p = o->type == IPCB_CLI_FLAG;
		return 0;
	case IPCB_CLI_U64:
		return ipcb_parse_u64(value, o->min, o->max, (uint64_t *)p, what, err, errlen);
	case IPCB_CLI_UINT:
		rc = ipcb_parse_u64(value, o->min, o->max, &u, what, err, errlen);
		*(unsigned *)p = (unsigned)u;
		return rc;
	case IPCB_CLI_SECONDS:
		return ipcb_parse_seconds(value, o->fmin, o->fmax, (double *)p, what, err, errlen);
	case IPCB_CLI_TEXT:
		*(const char **)p = value;
		if (o->noun && !*value)
			return ipcb_parse_fail(err, errlen, "%s: empty %s", what, o->noun);
		return 0;
	case IPCB_CLI_CHOICE:
		i = ipcb_parse_choice(o->choices, value, strlen(value));
		if (i >= 0) {
			*(int *)p = o->values ? o->values[i] : i;
			return 0;
		}
		choices_text(o, valid, sizeof(valid));
		return ipcb_parse_fail(err, errlen, "%s: unknown %s%s'%s'; valid: %s", what,
				       o->noun ? o->noun : "", o->noun ? " " : "", value, valid);
	case IPCB_CLI_CALL:
		return o->parse(base, value, err, errlen);
	}
	return ipcb_parse_fail(err, errlen, "%s: no place for its value", what);
}

int ipcb_cli_parse(const struct ipcb_clirow *table, void *base, int argc, char **argv,
		   const struct ipcb_cli_hooks *hooks, char *err, size_t errlen)
{
	const struct table t = {table};
	const struct ipcb_cliopt *opt = NULL;
	struct ipcb_cli cli = {.argc = argc, .argv = argv, .i = 1};
	const char *value;
	int rc;

	while ((rc = next_item(&cli, &t, &opt, &value, err, errlen)) != CLI_END) {
		/* A row begins with its spelling: the spelling found is its row's. */
		const struct ipcb_clirow *row = (const struct ipcb_clirow *)opt;

		if (rc == CLI_ERROR)
			return -EINVAL;
		if (rc == CLI_ARG) {
			if (!hooks || !hooks->arg)
				return ipcb_parse_fail(err, errlen, "unexpected argument '%s'",
						       value);
			rc = hooks->arg(hooks->ctx, value, err, errlen);
		} else {
			/* No base: a walk over a command line, the hooks seeing each item. */
			rc = base ? store(row, base, value, err, errlen) : 0;
			if (!rc && hooks && hooks->taken)
				rc = hooks->taken(hooks->ctx, row, cli.typed, value, err, errlen);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int ipcb_cli_defaults(const struct ipcb_clirow *table, void *base, char *err, size_t errlen)
{
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		int rc = o->def ? store(o, base, o->def, err, errlen) : 0;

		if (rc)
			return rc;
	}
	return 0;
}

/* Roff of text: a backslash and a minus escaped, a line that starts with a control character
 * ('.' or ''') kept as text, leading blanks dropped (roff fills the lines into a paragraph). */
static void roff_text(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && *s == ' ')
			continue;
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_rows(FILE *f, const struct ipcb_clirow *table)
{
	fputs(".\\\" rows begin\n", f);
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		char text[1024];
		const char *h = o->help;
		size_t n;

		if (o->section && *o->section) {
			/* "Load shapes (each ...):" is the subsection "Load shapes (each ...)". */
			n = strlen(o->section);
			n -= n && o->section[n - 1] == ':';
			fprintf(f, ".SS %.*s\n", (int)n, o->section);
		}
		if (o->help_fn) {
			o->help_fn(text, sizeof(text));
			h = text;
		}
		if (!h)
			continue;
		fputs(".TP\n", f);
		/* ".BR \-t ", " \-\-transport " \fILIST\fR"", ".BI \-\-seed " N"", ".B \-\-then" */
		if (o->opt.letter)
			fprintf(f, ".BR \\-%c \", \" \\-\\-", o->opt.letter);
		else
			fputs(o->arg ? ".BI \\-\\-" : ".B \\-\\-", f);
		roff_text(f, o->opt.name);
		if (o->arg) {
			fputs(o->opt.letter ? " \" \\fI" : " \" ", f);
			roff_text(f, o->arg);
			fputs(o->opt.letter ? "\\fR\"" : "\"", f);
		}
		fputc('\n', f);
		/* A sentence of the page: what the page says beyond it follows (doc/man-page). */
		if (h != text)
			snprintf(text, sizeof(text), "%s", h);
		/* A word, not a name that is typed as it is (bytes_per_s, fixed|poisson). */
		n = strspn(text, "abcdefghijklmnopqrstuvwxyz");
		if (n && (!text[n] || strchr(" ,:;()", text[n])))
			text[0] = (char)toupper((unsigned char)text[0]);
		h = text;
		n = strlen(h);
		roff_text(f, h);
		fputs(n && !strchr(".!?", h[n - 1]) ? ".\n" : "\n", f);
	}
	fputs(".\\\" rows end\n", f);
}

void ipcb_cli_help(FILE *f, const struct ipcb_clirow *table, unsigned indent, unsigned col)
{
	const char *format = getenv("IPCB_HELP_FORMAT");

	if (format && !strcmp(format, "man")) {
		man_rows(f, table);
		return;
	}
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		char head[160], text[1024];
		const char *h = o->help;
		int len;

		if (o->section)
			fprintf(f, "\n%s%s", o->section, *o->section ? "\n" : "");
		if (o->help_fn) {
			o->help_fn(text, sizeof(text));
			h = text;
		}
		if (!h)
			continue;
		if (o->opt.letter)
			len = snprintf(head, sizeof(head), "  -%c, --%s%s%s", o->opt.letter,
				       o->opt.name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			len = snprintf(head, sizeof(head), "%*s--%s%s%s", (int)indent, "",
				       o->opt.name, o->arg ? " " : "", o->arg ? o->arg : "");
		if (len < (int)col)
			fprintf(f, "%-*s", (int)col, head);
		else if (len <= (int)col + 2)
			fprintf(f, "%s  ", head);
		else
			fprintf(f, "%s\n%*s", head, (int)col, "");
		for (const char *c = h; *c; c++) {
			fputc(*c, f);
			if (*c == '\n' && c[1])
				fprintf(f, "%*s", (int)col, "");
		}
		fputc('\n', f);
	}
}

/* What ipcb_cli_merge() does with each row of more. */
struct merging {
	const struct ipcb_clirow *more;
	size_t base;
	bool spec;
	struct ipcb_clirow *out;
	size_t cap, n;
};

/*
 * Row r into the table (a row of more moved to its place), then every row of more that comes
 * after it, each followed by its own: recursive, only as deep as a chain of rows of more each
 * after the one before.
 */
static int merge_one(struct merging *m, const struct ipcb_clirow *r, bool of_more)
{
	struct ipcb_clirow *o = &m->out[m->n];
	int rc;

	if (m->n + 1 >= m->cap)
		return -ENOSPC;
	*o = *r;
	if (of_more) {
		o->spec = m->spec ? r->off : 0;
		o->off = m->base + r->off;
	}
	m->n++;
	for (const struct ipcb_clirow *s = m->more; s->opt.name; s++)
		if (s->after && strcmp(s->after, r->opt.name) == 0 &&
		    (rc = merge_one(m, s, true)) < 0)
			return rc;
	return 0;
}

int ipcb_cli_merge(const struct ipcb_clirow *table, const struct ipcb_clirow *more, size_t base,
		   bool spec, struct ipcb_clirow *out, size_t cap, char *err, size_t errlen)
{
	struct merging m = {.more = more, .base = base, .spec = spec, .out = out, .cap = cap};
	size_t n;
	int rc;

	for (const struct ipcb_clirow *r = table; r->opt.name; r++)
		if ((rc = merge_one(&m, r, false)) < 0) {
			snprintf(err, errlen, "more than %zu rows", cap - 1);
			return rc;
		}
	n = m.n;
	/* A row placed after none would be missing from the table: say which. */
	for (const struct ipcb_clirow *s = more; s->opt.name; s++) {
		bool placed = false;

		for (size_t i = 0; i < n && !placed; i++)
			placed = out[i].off == base + s->off &&
				 strcmp(out[i].opt.name, s->opt.name) == 0;
		if (!placed) {
			snprintf(err, errlen, "--%s: after --%s, which is no row", s->opt.name,
				 s->after ? s->after : "(none)");
			return -EINVAL;
		}
	}
	out[n] = (struct ipcb_clirow){.opt = {.name = NULL}};
	return 0;
}

size_t ipcb_cli_peer_count(const struct ipcb_clirow *table)
{
	size_t n = 0;

	for (const struct ipcb_clirow *o = table; o->opt.name; o++)
		n += o->peer;
	return n;
}

void ipcb_cli_spec_fill(const struct ipcb_clirow *table, const void *base, void *spec)
{
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		const char *from = (const char *)base + o->off;
		char *to = (char *)spec + o->spec;
		size_t n = 0;

		/* Offset 0 of a spec holds no option's value: it is a row without one. */
		if (!o->spec)
			continue;
		switch (o->type) {
		case IPCB_CLI_FLAG:
		case IPCB_CLI_CLEAR:
			n = sizeof(bool);
			break;
		case IPCB_CLI_U64:
			n = sizeof(uint64_t);
			break;
		case IPCB_CLI_UINT:
			n = sizeof(unsigned);
			break;
		case IPCB_CLI_SECONDS:
			n = sizeof(double);
			break;
		case IPCB_CLI_CHOICE:
			n = sizeof(int);
			break;
		case IPCB_CLI_TEXT:
			n = sizeof(const char *);
			break;
		case IPCB_CLI_CALL:
			break;
		}
		memcpy(to, from, n);
	}
}

void ipcb_cli_peer_pack(const struct ipcb_clirow *table, const void *spec, uint64_t *vals)
{
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		const char *p = (const char *)spec + o->spec;
		uint64_t v = 0;

		if (!o->peer)
			continue;
		switch (o->type) {
		case IPCB_CLI_FLAG:
		case IPCB_CLI_CLEAR:
			v = *(const bool *)p;
			break;
		case IPCB_CLI_U64:
			v = *(const uint64_t *)p;
			break;
		case IPCB_CLI_UINT:
			v = *(const unsigned *)p;
			break;
		case IPCB_CLI_SECONDS:
			memcpy(&v, p, sizeof(v));
			break;
		case IPCB_CLI_CHOICE:
			v = (uint64_t)(int64_t)(*(const int *)p);
			break;
		default:
			break;
		}
		*vals++ = v;
	}
}

int ipcb_cli_peer_unpack(const struct ipcb_clirow *table, const uint64_t *vals, size_t n,
			 void *spec, char *why, size_t why_bytes)
{
	size_t want = ipcb_cli_peer_count(table);

	if (n != want)
		return ipcb_parse_fail(why, why_bytes,
				       "%zu settings, where this ipcbench takes %zu", n, want);
	for (const struct ipcb_clirow *o = table; o->opt.name; o++) {
		char *p = (char *)spec + o->spec;
		uint64_t v;
		double d;

		if (!o->peer)
			continue;
		v = *vals++;
		switch (o->type) {
		case IPCB_CLI_FLAG:
		case IPCB_CLI_CLEAR:
			if (v > 1)
				goto out_of_range;
			*(bool *)p = v;
			break;
		case IPCB_CLI_U64:
		case IPCB_CLI_UINT:
		case IPCB_CLI_CHOICE:
			if (v > o->max)
				goto out_of_range;
			if (o->type == IPCB_CLI_U64)
				*(uint64_t *)p = v;
			else if (o->type == IPCB_CLI_UINT)
				*(unsigned *)p = (unsigned)v;
			else
				*(int *)p = (int)v;
			break;
		case IPCB_CLI_SECONDS:
			memcpy(&d, &v, sizeof(d));
			if (!isfinite(d) || d < 0 || d > o->fmax)
				return ipcb_parse_fail(why, why_bytes,
						       "--%s: %g s is out of its range",
						       o->opt.name, d);
			*(double *)p = d;
			break;
		default:
			return ipcb_parse_fail(why, why_bytes,
					       "--%s: a setting of no kind a run carries",
					       o->opt.name);
		}
		continue;
	out_of_range:
		return ipcb_parse_fail(why, why_bytes, "--%s: %llu is out of its range",
				       o->opt.name, (unsigned long long)v);
	}
	return 0;
}
