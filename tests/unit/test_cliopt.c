/* SPDX-License-Identifier: MIT */
/* test_cliopt.c - the one command-line parser: every spelling it takes, every error it names. */
#include <string.h>

#include "../tap.h"
#include "cliopt.h"

static const struct ipcb_cliopt table[] = {
    {"transport", 't', true, 't'}, {"quiet", 'q', false, 'q'},  {"timeout", 0, true, 'T'},
    {"topology", 0, true, 'P'},	   {"look", 0, true, 'l'},	{"looks", 0, true, 'L'},
    {"help", 'h', false, 'h'},	   {NULL, 0, false, 0},
};

/* Parse argv (NULL-ended) into "id=value" words joined by spaces, or "ERR:message". */
static const char *parse(char **argv)
{
	static char out[512];
	struct ipcb_cli c;
	const char *v;
	char err[200];
	int argc = 0, id;

	while (argv[argc])
		argc++;
	out[0] = '\0';
	ipcb_cli_init(&c, argc, argv);
	while ((id = ipcb_cli_next(&c, table, &v, err, sizeof(err))) != IPCB_CLI_END) {
		size_t used = strlen(out);

		if (id == IPCB_CLI_ERROR) {
			snprintf(out, sizeof(out), "ERR:%s", err);
			return out;
		}
		snprintf(out + used, sizeof(out) - used, "%s%c=%s", used ? " " : "",
			 id == IPCB_CLI_ARG ? '@' : (char)id, v ? v : "-");
	}
	return out;
}

#define CHECK(want, ...)                                                                           \
	do {                                                                                       \
		char *argv_[] = {"prog", __VA_ARGS__, NULL};                                       \
		const char *got_ = parse(argv_);                                                   \
		if (!ok(strcmp(got_, want) == 0, "%s", want))                                      \
			tap_diag("got %s", got_);                                                  \
	} while (0)

int main(void)
{
	CHECK("t=pipe", "--transport", "pipe");
	CHECK("t=pipe", "--transport=pipe");
	CHECK("t=pipe", "-t", "pipe");
	CHECK("t=pipe", "-tpipe");
	CHECK("t=", "--transport=");
	CHECK("q=- h=-", "-qh");
	CHECK("q=- t=shm", "-qt", "shm");
	CHECK("q=- t=shm", "-qtshm");
	CHECK("t=pipe", "--trans", "pipe");
	CHECK("l=3", "--look", "3");
	CHECK("L=4", "--looks=4");
	CHECK("ERR:--lo is ambiguous: --look --looks", "--lo", "3");
	CHECK("P=1:2", "--to", "1:2"); /* the prefix of one name only */
	CHECK("ERR:--t is ambiguous: --transport --timeout --topology", "--t", "1");
	CHECK("ERR:unknown option '--frob'", "--frob");
	CHECK("ERR:unknown option '--=x'", "--=x");
	CHECK("ERR:unknown option '-Z'", "-qZ");
	CHECK("ERR:--transport: missing value", "--transport");
	CHECK("ERR:-t: missing value", "-q", "-t");
	CHECK("ERR:'--quiet=1': this option takes no value", "--quiet=1");
	CHECK("@=a q=- @=b", "a", "-q", "b");
	CHECK("@=- @=-q", "-", "--", "-q");
	CHECK("t=-q", "-t", "-q");
	return tap_done();
}
