/* SPDX-License-Identifier: MIT */
/*
 * selfcmd.c - what `ipcbench selftest` is asked to do: the one transport its command line names
 * (a built-in one, or a user's module) and --help, and whether IPCB_REQUIRE_TRANSPORTS says
 * that transport must run here, so that it cannot be skipped. Apart from selftest.c, which is the
 * suite itself: this is its input, read before any check runs, and calls nothing of the suite's.
 */
#include "selfcmd.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"

/*
 * Must `name` run here? 1 yes (REQUIRE_ENV is "all" or lists it), 0 no, -1 the variable names
 * something that is no transport (bad gets it): a typo there would silently require nothing.
 */
int ipcb_selftest_required_here(const char *name, char *bad, size_t badlen)
{
	const char *list = getenv(REQUIRE_ENV);
	int found = 0;

	if (!list)
		return 0;
	if (strcmp(list, "all") == 0)
		return 1;
	for (const char *p = list; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");
		const struct ipcb_transport *t = NULL;
		char item[64];

		if (len < sizeof(item)) {
			memcpy(item, p, len);
			item[len] = '\0';
			t = ipcb_transport_find(item);
		}
		p += len;
		if (!len)
			continue; /* "pipe,,shm" or a trailing comma: nothing named */
		if (!t) {
			snprintf(bad, badlen, "%.*s", (int)len, p - len);
			return -1;
		}
		found |= strcmp(t->name, name) == 0;
	}
	return found;
}

/* `ipcbench selftest`'s command line: its one argument, and --help. */
struct selftest_args {
	const char *name;
	size_t nargs;
	bool help;
};

static int selftest_arg(void *ctx, const char *arg, char *err, size_t errlen)
{
	struct selftest_args *a = ctx;

	a->name = arg;
	a->nargs++;
	return 0;
}

static const struct ipcb_clirow selftest_opts[] = {
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct selftest_args, help),
     .help = "the options, briefly"},
    {.opt = {.name = NULL}},
};

static void selftest_usage(void)
{
	printf("Usage: ipcbench selftest TRANSPORT\n"
	       "Runs the transport test suite against TRANSPORT (a name of ipcbench --list, or\n"
	       "external:/path/module.so): verified runs of 1 B to 1 MiB in both modes, every\n"
	       "option value and wait strategy, round trips at a fixed rate, injected faults\n"
	       "that must be caught, and nothing left behind. Prints TAP.\n"
	       "A transport that cannot run here is skipped (exit 0) unless\n"
	       "IPCB_REQUIRE_TRANSPORTS is \"all\" or names it.\n"
	       "\n"
	       "Options:\n");
	ipcb_cli_help(stdout, selftest_opts, 2, 25);
	printf("\n"
	       "Exit status: 0 every check passed (or the transport was skipped), 1 a check\n"
	       "failed, 2 usage (no transport, or one that is unknown), 128+N a signal N\n"
	       "stopped a run (no run after it; what the runs made is still checked gone,\n"
	       "then a TAP bail-out).\n");
}

/* The transport the command line names: 0, or the exit status (said). */
int ipcb_selftest_transport(int argc, char **argv, const struct ipcb_transport **t)
{
	struct selftest_args a = {0};
	const struct ipcb_cli_hooks hooks = {.arg = selftest_arg, .ctx = &a};
	char err[600];

	if (ipcb_cli_parse(selftest_opts, &a, argc, argv, &hooks, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcbench selftest: %s (see ipcbench selftest --help)\n", err);
		return 2;
	}
	if (a.help) {
		selftest_usage();
		return -1;
	}
	if (a.nargs != 1) {
		fprintf(stderr,
			"ipcbench selftest: name one transport (see ipcbench selftest --help)\n");
		return 2;
	}
	if (strncmp(a.name, "external:", 9) == 0) {
		if (ipcb_transport_load(a.name + 9, t, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcbench selftest: %s\n", err);
			return 2;
		}
	} else if (!(*t = ipcb_transport_find(a.name))) {
		fprintf(stderr, "ipcbench selftest: unknown transport '%s' (see ipcbench --list)\n",
			a.name);
		return 2;
	}
	return 0;
}
