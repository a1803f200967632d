/* SPDX-License-Identifier: MIT */
/* driver.h - `ipcbench [OPTIONS]`: the driver, a run of the plan (driver.c). */
#ifndef IPCB_DRIVER_H
#define IPCB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cliopt.h"
#include "command.h"

/* ipcbench's exit statuses (man page: EXIT STATUS). */
enum {
	EXIT_RUN_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNSUPPORTED = 77,
};

/* The whole command; returns its exit status (standard output is checked by the caller). */
int ipcb_driver_main(int argc, char **argv);
/*
 * A mode of the driver as a command (`ipcbench list ...`): the driver, its argv the program's
 * name, --option, then the command's arguments (argv[0], the command's name, left out).
 */
int ipcb_driver_mode_main(const char *option, int argc, char **argv);
/*
 * Run command c (command.h) on a command line: argv[0] the program's name, argv[1] c's word
 * unless c is the driver's row. Its exit status.
 */
int ipcb_command_run(const struct ipcb_command *c, int argc, char **argv);
struct driver;
struct ipcb_opts;
/*
 * A mode of the driver: when it is given, it runs in place of a sweep (run: the exit status, or
 * -1 when a sweep follows). Given: by given(), from the options of the driver's table; or, with
 * given NULL, by its own flag, --WORD, whose row (row: its spelling, its help, the option it
 * follows in --help, .after) the driver's table takes in (options.c). Its rows are in its own
 * file, written by IPCB_DRIVER_MODE, and its word in its folder's `driver_modes` list, from
 * which the table of modes is generated (modes_list.h), in the order they are decided.
 */
struct ipcb_driver_mode {
	const char *option;
	/*
	 * The driver's options the command takes, for its own --help (`ipcbench cleanup --help`):
	 * their names, ended by NULL; NULL: every option of a run (it runs one).
	 */
	const char *const *takes;
	bool (*given)(const struct ipcb_opts *o);
	int (*run)(struct driver *d, int argc, char **argv);
	struct ipcb_clirow row;
};
/*
 * A mode's rows, in the mode's file: the driver's (ipcb_mode_WORD: GIVEN, RUN and, after them,
 * its flag's row) and the command's (ipcb_command_WORD): `ipcbench WORD` is `ipcbench --WORD`
 * (USAGE: its arguments and what it is, as --help shows them; TAKES: the driver's options it
 * takes, as .takes).
 */
#define IPCB_DRIVER_MODE(word, usage, takes_, given_, run_, ...)                                   \
	const struct ipcb_driver_mode ipcb_mode_##word = {                                         \
	    .option = #word, .takes = takes_, .given = given_, .run = run_, .row = {__VA_ARGS__}}; \
	const struct ipcb_command ipcb_command_##word = {.name = #word,                            \
							 .synopsis = usage,                        \
							 .fn = ipcb_driver_main,                   \
							 .flags = IPCB_CMD_IO_CHECKED,             \
							 .option = #word}
/*
 * What prints a sweep's answers in brief from its rows (csv, len: a CSV, the header first) when
 * the sweep ends: the report's (main.c sets it, as the driver does not reach analyze/). Unset:
 * no answers.
 */
void ipcb_driver_answers_set(int (*answers)(const char *csv, size_t len, FILE *out));
/* The first error met writing standard output (0: none), for the message at exit. */
int ipcb_driver_stdout_errno(void);

#endif
