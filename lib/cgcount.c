/* SPDX-License-Identifier: MIT */
/* cgcount.c - one side's counts from its callgrind profile; see cgcount.h. */
#include "cgcount.h"
#include "parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One self-cost line: the instruction at addr of function fn, its collected count and calls. */
struct cost {
	size_t fn;
	uint64_t addr;
	double ir, sys;
};

struct parse {
	const char *path;
	unsigned long line;
	char **fns; /* interned "object\tfunction" */
	size_t nfns, fns_cap;
	struct cost *costs;
	size_t ncosts, costs_cap;
	int npos;     /* positions per cost line: 2 ("instr line") */
	int ir, sys;  /* the events' places among the costs; -1: absent */
	bool in_call; /* the next cost line is a call's inclusive cost */
	bool wrapper; /* the current function is one of the wrappers */
	size_t fn;
};

static int intern(struct parse *p, const char *ob, const char *fn, size_t *at)
{
	char *key;

	/* Profiles name a few thousand functions at most; the last one is the likeliest. */
	for (size_t i = p->nfns; i-- > 0;) {
		const char *k = p->fns[i];
		size_t lo = strlen(ob);

		if (!strncmp(k, ob, lo) && k[lo] == '\t' && !strcmp(k + lo + 1, fn)) {
			*at = i;
			return 0;
		}
	}
	if (p->nfns == p->fns_cap) {
		size_t cap = p->fns_cap ? 2 * p->fns_cap : 256;
		char **f = realloc(p->fns, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		p->fns = f;
		p->fns_cap = cap;
	}
	if (asprintf(&key, "%s\t%s", ob, fn) < 0)
		return -ENOMEM;
	p->fns[p->nfns] = key;
	*at = p->nfns++;
	return 0;
}

static int cost_add(struct parse *p, uint64_t addr, double ir, double sys)
{
	if (p->ncosts == p->costs_cap) {
		size_t cap = p->costs_cap ? 2 * p->costs_cap : 4096;
		struct cost *c = realloc(p->costs, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		p->costs = c;
		p->costs_cap = cap;
	}
	p->costs[p->ncosts++] = (struct cost){p->fn, addr, ir, sys};
	return 0;
}

static int cost_cmp(const void *a, const void *b)
{
	const struct cost *x = a, *y = b;

	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* "events: Ir sysCount sysTime": where Ir and sysCount are. */
static void events(struct parse *p, const char *list)
{
	int k = 0;

	p->ir = p->sys = -1;
	for (const char *s = list; *s; k++) {
		size_t n;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		if (n == 2 && !strncmp(s, "Ir", 2))
			p->ir = k;
		else if (n == 8 && !strncmp(s, "sysCount", 8))
			p->sys = k;
		s += n;
		if (!n)
			break;
	}
}

void ipcb_cg_syscall_name(const char *fn, char *out, size_t n)
{
	static const char *const prefixes[] = {"__GI___libc_", "__GI___", "__libc_",
					       "__GI_",	       "__",	  "_"};
	size_t len;

	if (strstr(fn, "futex")) {
		snprintf(out, n, "futex");
		return;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(fn, prefixes[i], strlen(prefixes[i]))) {
			fn += strlen(prefixes[i]);
			break;
		}
	len = strcspn(fn, "@'");
	if (len > 9 && !strncmp(fn + len - 9, "_nocancel", 9))
		len -= 9;
	if (len > 2 && !strncmp(fn + len - 2, "64", 2))
		len -= 2;
	snprintf(out, n, "%.*s", (int)len, fn);
}

/* A cost line: positions (instr line), then the events' counts; absent counts are 0. */
static int cost_line(struct parse *p, char *s, struct ipcb_cg_counts *out, char *err, size_t errlen)
{
	double v[8] = {0};
	uint64_t addr = 0;
	int k = 0;
	char *end;

	for (int i = 0; i < p->npos; i++) {
		uint64_t x = strtoull(s, &end, 0);

		if (end == s || (*s == '+' || *s == '-' || *s == '*'))
			return ipcb_parse_fail(
			    err, errlen,
			    "%s:%lu: a position that is not absolute (the profile must be "
			    "written with --compress-pos=no)",
			    p->path, p->line);
		if (i == 0)
			addr = x;
		s = end;
	}
	while (*s == ' ' && k < 8) {
		v[k++] = strtod(s, &end);
		if (end == s)
			break;
		s = end;
	}
	if (p->in_call) {
		p->in_call = false;
		if (p->wrapper && p->ir >= 0)
			out->transport += v[p->ir];
		return 0;
	}
	return cost_add(p, addr, p->ir >= 0 ? v[p->ir] : 0, p->sys >= 0 ? v[p->sys] : 0);
}

static int tally(struct parse *p, struct ipcb_cg_counts *out)
{
	struct ipcb_cg_counts c = *out;
	double other = 0;

	qsort(p->costs, p->ncosts, sizeof(*p->costs), cost_cmp);
	for (size_t i = 0, j; i < p->ncosts; i = j) {
		double ir = 0, sys = 0;
		char name[32];
		size_t k;

		for (j = i; j < p->ncosts && p->costs[j].fn == p->costs[i].fn &&
			    p->costs[j].addr == p->costs[i].addr;
		     j++) {
			ir += p->costs[j].ir;
			sys += p->costs[j].sys;
		}
		/* A system call's instruction: its collected executions are the calls. */
		if (!(sys > 0) || !(ir > 0))
			continue;
		ipcb_cg_syscall_name(strchr(p->fns[p->costs[i].fn], '\t') + 1, name, sizeof(name));
		c.syscalls += ir;
		for (k = 0; k < c.nsys && strcmp(c.sys[k].name, name); k++)
			;
		if (k == c.nsys && c.nsys < IPCB_CG_MAX_SYSCALLS - 1)
			snprintf(c.sys[c.nsys++].name, sizeof(c.sys[0].name), "%s", name);
		if (k < c.nsys)
			c.sys[k].n += ir;
		else
			other += ir;
	}
	if (other > 0) {
		snprintf(c.sys[c.nsys].name, sizeof(c.sys[0].name), "other");
		c.sys[c.nsys++].n = other;
	}
	/* Most first, then by name: one order for the same counts. */
	for (size_t a = 1; a < c.nsys; a++)
		for (size_t b = a; b > 0 && (c.sys[b].n > c.sys[b - 1].n ||
					     (c.sys[b].n == c.sys[b - 1].n &&
					      strcmp(c.sys[b].name, c.sys[b - 1].name) < 0));
		     b--) {
			__typeof__(c.sys[0]) t = c.sys[b];

			c.sys[b] = c.sys[b - 1];
			c.sys[b - 1] = t;
		}
	*out = c;
	return 0;
}

int ipcb_cg_read(const char *path, const char *const *wrappers, size_t nwrappers,
		 struct ipcb_cg_counts *out, char *err, size_t errlen)
{
	struct parse p = {.path = path, .npos = 0, .ir = -1, .sys = -1};
	char *line = NULL, ob[512] = "";
	size_t cap = 0;
	bool summary = false;
	ssize_t len;
	FILE *f = fopen(path, "r");
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!f)
		return ipcb_parse_fail(err, errlen, "%s: %s", path, strerror(errno)), -errno;
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		p.line++;
		if (len && s[len - 1] == '\n')
			s[--len] = '\0';
		if (!*s || *s == '#')
			continue;
		if (!strncmp(s, "positions: ", 11)) {
			if (strcmp(s + 11, "instr line"))
				rc = ipcb_parse_fail(
				    err, errlen,
				    "%s:%lu: positions '%s' (the profile must be written "
				    "with --dump-instr=yes)",
				    path, p.line, s + 11);
			p.npos = 2;
		} else if (!strncmp(s, "events: ", 8)) {
			events(&p, s + 8);
			if (p.ir < 0 || p.sys < 0)
				rc = ipcb_parse_fail(
				    err, errlen,
				    "%s:%lu: events '%s' (Ir and sysCount are needed: "
				    "--collect-systime=yes)",
				    path, p.line, s + 8);
		} else if (!strncmp(s, "desc: Trigger: ", 15)) {
			snprintf(out->trigger, sizeof(out->trigger), "%s", s + 15);
		} else if (!strncmp(s, "summary: ", 9) || !strncmp(s, "totals: ", 8)) {
			if (!summary && p.ir >= 0) {
				char *t = strchr(s, ' ');

				for (int k = 0; k < p.ir && t; k++)
					t = strchr(t + 1, ' ');
				out->instr = t ? strtod(t, NULL) : 0;
				summary = true;
			}
		} else if (!strncmp(s, "ob=", 3)) {
			snprintf(ob, sizeof(ob), "%s", s + 3);
		} else if (!strncmp(s, "fn=", 3)) {
			if (s[3] == '(' && s[4] >= '0' && s[4] <= '9') {
				rc = ipcb_parse_fail(
				    err, errlen,
				    "%s:%lu: a compressed name (the profile must be written "
				    "with --compress-strings=no)",
				    path, p.line);
				break;
			}
			rc = intern(&p, ob, s + 3, &p.fn);
			p.wrapper = false;
			for (size_t i = 0; i < nwrappers && !p.wrapper; i++)
				p.wrapper = !strcmp(s + 3, wrappers[i]);
		} else if (!strncmp(s, "calls=", 6)) {
			p.in_call = true;
		} else if (!strncmp(s, "cfn=", 4) || !strncmp(s, "cfi=", 4) ||
			   !strncmp(s, "cob=", 4) || !strncmp(s, "cfl=", 4) ||
			   !strncmp(s, "fl=", 3) || !strncmp(s, "fi=", 3) ||
			   !strncmp(s, "fe=", 3) || !strncmp(s, "jump=", 5) ||
			   !strncmp(s, "jcnd=", 5) || strchr(s, ':')) {
			continue; /* files, jumps and header lines say nothing counted here */
		} else if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '*') {
			if (!p.npos)
				rc = ipcb_parse_fail(err, errlen,
						     "%s:%lu: a cost before the positions line",
						     path, p.line);
			else
				rc = cost_line(&p, s, out, err, errlen);
		} else {
			rc = ipcb_parse_fail(err, errlen,
					     "%s:%lu: '%.40s' is not a line of a callgrind profile",
					     path, p.line, s);
		}
		if (rc == -ENOMEM)
			ipcb_parse_fail(err, errlen, "%s: out of memory", path);
	}
	if (rc == 0 && !summary)
		rc = ipcb_parse_fail(err, errlen,
				     "%s: no summary line: not a whole callgrind profile", path);
	if (rc == 0)
		rc = tally(&p, out);
	free(line);
	fclose(f);
	for (size_t i = 0; i < p.nfns; i++)
		free(p.fns[i]);
	free(p.fns);
	free(p.costs);
	return rc;
}
