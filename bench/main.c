/* SPDX-License-Identifier: MIT */
/*
 * main.c - ipcbench's entry: it dispatches from one table of commands, and owns what every
 * command shares at the edges: standard descriptors opened at start, standard streams checked at
 * exit. The driver (a run of the plan) is driver.c; compare and report are analyze/'s; serve,
 * rsh-agent and selftest are bench/'s; history is history/'s, which compare and report read
 * through what main hands them. A new command is its own file, which defines its row, and its
 * word in its folder's meson.build.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "compare.h"
#include "driver.h"
#include "histsrc.h"
#include "history.h"
#include "launch.h"
#include "options.h"
#include "remote.h"
#include "report.h"
#include "selftest.h"
#include "serve.h"
#include "transport.h"

static const char *prog = "ipcbench";

/*
 * Descriptors 0, 1 and 2 closed at start (`>&-`) would be handed to the first files opened, and
 * the table or progress lines would go into the CSV: what is closed is opened on /dev/null. -1
 * when even that fails.
 */
static int std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor: fd itself, since those below it are open. */
		got = open("/dev/null", O_RDWR | O_NOCTTY);
		if (got < 0)
			return -1;
		if (got != fd) {
			close(got);
			return -1;
		}
	}
	return 0;
}

/*
 * Whatever was written to standard output (the table, --list, --help, cleanup's listing, a
 * comparison or report) must have got there: a full device, a closed pipe or a write error makes
 * the exit status 1, with a message on stderr (if it can take one; `said` when the subcommand
 * has already given one). A failed stderr does the same, silently. Statuses that already say
 * more (usage, nothing runnable, a signal) are kept.
 */
static int std_streams_close(int status, bool said)
{
	int out_err = 0;
	bool bad;

	/* -1: a write failed earlier, and why was not kept. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		out_err = ipcb_driver_stdout_errno() ? ipcb_driver_stdout_errno()
			  : errno		     ? errno
						     : -1;
	errno = 0;
	if (fclose(stdout) != 0 && !out_err)
		out_err = errno ? errno : -1;
	if (out_err && !said)
		fprintf(stderr, "%s: write error on standard output%s%s\n", prog,
			out_err > 0 ? ": " : " (output lost)",
			out_err > 0 ? strerror(out_err) : "");
	bad = out_err || fflush(stderr) != 0 || ferror(stderr);
	if (bad && status != EXIT_USAGE && status != EXIT_UNSUPPORTED && status < 128)
		status = EXIT_RUN_FAILED;
	return status;
}

/*
 * Every command (each defined in its own file, listed by its folder's meson.build), then the
 * driver, which takes no word: the row for a command line whose first word names none.
 */
#define IPCB_COMMAND(row) extern const struct ipcb_command row;
#include "commands_list.h"
#undef IPCB_COMMAND
static const struct ipcb_command driver = {.fn = ipcb_driver_main, .flags = IPCB_CMD_IO_CHECKED};
static const struct ipcb_command *const commands[] = {
#define IPCB_COMMAND(row) &row,
#include "commands_list.h"
#undef IPCB_COMMAND
    &driver,
    NULL,
};

/* A transport's summary, by its name, for the report's list of mechanisms. */
static const char *describe(const char *transport)
{
	const struct ipcb_transport *t = ipcb_transport_find(transport);

	return t && t->summary && *t->summary ? t->summary : NULL;
}

int main(int argc, char **argv)
{
	static const struct ipcb_history_source history = {ipcb_history_baseline,
							   ipcb_history_trends};
	const struct ipcb_command *c;
	int status;

	if (std_fds_open() < 0)
		return EXIT_RUN_FAILED;
	/*
	 * Standard error line-buffered, its buffer on the heap: unbuffered, glibc formats each
	 * message into an 8 KiB buffer on the stack, a third of a small one (ulimit -s). Every
	 * message is a whole line, so each still goes out whole, when it is written.
	 */
	setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
	/* What a run's message to the peer carries: the driver's rows say (serve reads it too). */
	ipcb_remote_settings_use(ipcb_opts_rows());
	ipcb_commands_use(commands);
	ipcb_history_source_set(&history);
	ipcb_history_aside_set(ipcb_report_set_aside);
	ipcb_report_describe_set(describe);
	ipcb_driver_answers_set(ipcb_report_answers);
	c = ipcb_command_find(argc > 1 ? argv[1] : NULL);
	if (c->flags & IPCB_CMD_NO_WRITE_SIGNALS)
		ipcb_run_signals_ignore();
	status = ipcb_command_run(c, argc, argv);
	if (!(c->flags & IPCB_CMD_STREAMS_CHECKED))
		return status;
	return std_streams_close(status, c->flags & IPCB_CMD_SAYS_OUTPUT);
}
