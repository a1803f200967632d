/* SPDX-License-Identifier: MIT */
/*
 * command.h - ipcbench's commands, one row each, like perf bench's {name, summary, fn} table: the
 * word that names it, its line in the driver's --help, its function, and what bench/main.c does
 * around it. Each command's file defines its row, `const struct ipcb_command ipcb_command_WORD`
 * (WORD its name, '-' as '_'), and its directory's meson.build adds the word to `commands`; the
 * build generates main.c's table from that list (commands_list.h). main.c hands the table to
 * command.c, from which the driver's --help lists the commands; completion and the man page's test
 * read that list back from --help.
 */
#ifndef IPCB_COMMAND_H
#define IPCB_COMMAND_H

/* What main does around a command (flags). */
enum {
	/* A write to a closed pipe or beyond RLIMIT_FSIZE fails, and is reported (no signal). */
	IPCB_CMD_NO_WRITE_SIGNALS = 1u << 0,
	/* Standard output and error are checked at exit: a lost write makes the status 1. */
	IPCB_CMD_STREAMS_CHECKED = 1u << 1,
	/* ... and the command itself says what failed there (main adds no message). */
	IPCB_CMD_SAYS_OUTPUT = 1u << 2,
};
/* What most commands want: no signal on a lost write, and their output checked at exit. */
#define IPCB_CMD_IO_CHECKED (IPCB_CMD_NO_WRITE_SIGNALS | IPCB_CMD_STREAMS_CHECKED)

struct ipcb_command {
	const char *name; /* the word after `ipcbench`; NULL: the driver, which takes none */
	/*
	 * Its line in --help after "ipcbench NAME ": its arguments and what it is, as shown;
	 * NULL: not listed there (a command that another program runs).
	 */
	const char *synopsis;
	/* Its main: argv[0] is the command's name (the program's, for the driver). */
	int (*fn)(int argc, char **argv);
	unsigned flags;
	/*
	 * A mode of the driver: the driver's option of that name (without "--") that it is, so that
	 * `ipcbench list shm` and `ipcbench --list shm` are one command line (fn is the driver's,
	 * given the option first). NULL: a command of its own.
	 */
	const char *option;
};

/* The table (ended by NULL, the driver's row before it), for the driver's --help. */
void ipcb_commands_use(const struct ipcb_command *const *commands);
/*
 * The command --help lists next after the one named `name` (""; the first), in order of their
 * names; NULL after the last.
 */
const struct ipcb_command *ipcb_command_after(const char *name);
/* The command whose word is `word`: the driver's row where none is (word NULL among them). */
const struct ipcb_command *ipcb_command_find(const char *word);
/* The command that is the driver's mode `option` (its .option); NULL: none is. */
const struct ipcb_command *ipcb_command_of_mode(const char *option);

#endif
