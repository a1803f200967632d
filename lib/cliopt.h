/* SPDX-License-Identifier: MIT */
/*
 * cliopt.h - the one command-line parser of every ipcbench command (the driver, compare, report,
 * serve), driven by a table of options, so that all of them take the same spellings:
 *
 *   --name VALUE, --name=VALUE, -n VALUE, -nVALUE; flags bundled as -qh (and -qt pipe: the last
 *   one of a bundle may take a value); a unique prefix of a long name (--trans for --transport);
 *   "--" ends the options; "-" alone is an argument. Arguments may come between options.
 *
 * and say the same things when they are wrong: "unknown option '--x'", "--x: missing value",
 * "'--flag=v': this option takes no value", "--x is ambiguous (--xa, --xb)".
 */
#ifndef IPCB_CLIOPT_H
#define IPCB_CLIOPT_H

#include <stdbool.h>
#include <stddef.h>

struct ipcb_cliopt {
	const char *name; /* long name without "--"; NULL ends the table */
	char letter;	  /* short name, or 0 */
	bool value;	  /* takes a value */
	int id;		  /* what ipcb_cli_next() returns for it (>= 0) */
};

enum {
	IPCB_CLI_END = -1,   /* no more items */
	IPCB_CLI_ARG = -2,   /* an argument: *value is it */
	IPCB_CLI_ERROR = -3, /* err says what is wrong */
};

struct ipcb_cli {
	int argc;
	char **argv;
	int i;		     /* the next argv item */
	const char *cluster; /* inside "-abc": the letters still to read */
	bool only_args;	     /* after "--" */
	/* The option as the user wrote it ("--transport", "-t"), for messages about its value. */
	char typed[64];
};

/* Start at argv[1]. */
void ipcb_cli_init(struct ipcb_cli *c, int argc, char **argv);

/*
 * The next item: an option's id with *value its value (NULL for a flag), IPCB_CLI_ARG with *value
 * the argument, IPCB_CLI_END, or IPCB_CLI_ERROR with err filled.
 */
int ipcb_cli_next(struct ipcb_cli *c, const struct ipcb_cliopt *table, const char **value,
		  char *err, size_t errlen);

#endif /* IPCB_CLIOPT_H */
