/* SPDX-License-Identifier: MIT */
/* cliopt.c - the table-driven command-line parser every ipcbench command uses; see cliopt.h. */
#include "cliopt.h"

#include <stdio.h>
#include <string.h>

void ipcb_cli_init(struct ipcb_cli *c, int argc, char **argv)
{
	memset(c, 0, sizeof(*c));
	c->argc = argc;
	c->argv = argv;
	c->i = 1;
}

/* The entry named by `name` (len bytes): exactly, else by a unique prefix. NULL: err says why. */
static const struct ipcb_cliopt *find_long(const struct ipcb_cliopt *table, const char *name,
					   size_t len, const char *typed, char *err, size_t errlen)
{
	const struct ipcb_cliopt *found = NULL;
	size_t matches = 0, used;

	if (len == 0) {
		snprintf(err, errlen, "unknown option '%s'", typed);
		return NULL;
	}
	for (const struct ipcb_cliopt *o = table; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	for (const struct ipcb_cliopt *o = table; o->name; o++)
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
	for (const struct ipcb_cliopt *o = table; o->name && used < errlen; o++)
		if (strncmp(o->name, name, len) == 0)
			used += (size_t)snprintf(err + used, errlen - used, " --%s", o->name);
	return NULL;
}

static int short_option(struct ipcb_cli *c, const struct ipcb_cliopt *table, const char **value,
			char *err, size_t errlen)
{
	char letter = *c->cluster++;
	const struct ipcb_cliopt *o = table;

	while (o->name && o->letter != letter)
		o++;
	if (!o->name || !letter) {
		snprintf(err, errlen, "unknown option '-%c'", letter);
		return IPCB_CLI_ERROR;
	}
	snprintf(c->typed, sizeof(c->typed), "-%c", letter);
	*value = NULL;
	if (!o->value) {
		if (!*c->cluster)
			c->cluster = NULL;
		return o->id;
	}
	/* -nVALUE, or -n VALUE. */
	if (*c->cluster) {
		*value = c->cluster;
	} else if (c->i < c->argc) {
		*value = c->argv[c->i++];
	} else {
		snprintf(err, errlen, "%s: missing value", c->typed);
		c->cluster = NULL;
		return IPCB_CLI_ERROR;
	}
	c->cluster = NULL;
	return o->id;
}

int ipcb_cli_next(struct ipcb_cli *c, const struct ipcb_cliopt *table, const char **value,
		  char *err, size_t errlen)
{
	const struct ipcb_cliopt *o;
	const char *a, *eq;
	size_t len;

	*value = NULL;
	if (c->cluster)
		return short_option(c, table, value, err, errlen);
	if (c->i >= c->argc)
		return IPCB_CLI_END;
	a = c->argv[c->i++];
	if (c->only_args || a[0] != '-' || strcmp(a, "-") == 0) {
		*value = a;
		return IPCB_CLI_ARG;
	}
	if (strcmp(a, "--") == 0) {
		c->only_args = true;
		return ipcb_cli_next(c, table, value, err, errlen);
	}
	if (a[1] != '-') {
		c->cluster = a + 1;
		return short_option(c, table, value, err, errlen);
	}
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a - 2) : strlen(a) - 2;
	o = find_long(table, a + 2, len, a, err, errlen);
	if (!o)
		return IPCB_CLI_ERROR;
	snprintf(c->typed, sizeof(c->typed), "--%s", o->name);
	if (!o->value) {
		if (eq) {
			snprintf(err, errlen, "'%s': this option takes no value", a);
			return IPCB_CLI_ERROR;
		}
		return o->id;
	}
	if (eq) {
		*value = eq + 1;
	} else if (c->i < c->argc) {
		*value = c->argv[c->i++];
	} else {
		snprintf(err, errlen, "%s: missing value", c->typed);
		return IPCB_CLI_ERROR;
	}
	return o->id;
}
