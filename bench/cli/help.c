/* SPDX-License-Identifier: MIT */
/*
 * help.c - `ipcbench help [COMMAND]`: the driver's --help, or COMMAND's own, as `ipcbench
 * COMMAND --help` prints it (each command keeps one help, its own; this names it). A word that
 * names no command is a usage error that lists the commands.
 */
#include <stdio.h>
#include <string.h>

#include "cliopt.h"
#include "command.h"
#include "driver.h"

static const char *const prog = "ipcbench";

/* Its one option, listed as every command's are (help_main reads it: a word or two at most). */
static const struct ipcb_clirow help_opts[] = {
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .help = "the options, briefly",
     .section = "Options:"},
    {.opt = {.name = NULL}},
};

static void help_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s help [COMMAND]\n"
		"The help of COMMAND, as `%s COMMAND --help` prints it; without COMMAND, the\n"
		"driver's (`%s --help`): its options and every command.\n",
		prog, prog, prog);
	ipcb_cli_help(f, help_opts, 6, 25);
	fprintf(f, "\n"
		   "Exit status: 0 shown, 1 it could not be written, 2 usage error (a word that\n"
		   "names no command).\n");
}

/* "cleanup, compare, ...": every command --help lists, in its order. */
static void command_names(FILE *f)
{
	const char *sep = "";

	for (const struct ipcb_command *c = ipcb_command_after(""); c;
	     c = ipcb_command_after(c->name), sep = ", ")
		fprintf(f, "%s%s", sep, c->name);
}

static int help_main(int argc, char **argv)
{
	char word[] = "--help";
	const struct ipcb_command *c;

	if (argc > 2) {
		fprintf(stderr, "%s help: unexpected argument '%s' (one COMMAND at most)\n", prog,
			argv[2]);
		return EXIT_USAGE;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help_usage(stdout);
		return 0;
	}
	c = ipcb_command_find(argc == 2 ? argv[1] : NULL);
	if (argc == 2 && !c->name) {
		fprintf(stderr, "%s help: '%s' names no command; the commands: ", prog, argv[1]);
		command_names(stderr);
		fprintf(stderr, " (see %s --help)\n", prog);
		return EXIT_USAGE;
	}
	/* The driver's row takes no word: its command line is the program's name and --help. */
	char *driver[] = {(char *)prog, word, NULL}, *named[] = {(char *)prog, argv[1], word, NULL};

	return c->name ? ipcb_command_run(c, 3, named) : ipcb_command_run(c, 2, driver);
}

const struct ipcb_command ipcb_command_help = {
    .name = "help",
    .synopsis = "[COMMAND]           this help, or COMMAND's own (as COMMAND --help)",
    .fn = help_main,
    .flags = IPCB_CMD_IO_CHECKED,
};
