/* SPDX-License-Identifier: MIT */
/*
 * main.c - ipcbench's entry: it dispatches from one table of commands, and owns what every
 * command shares at the edges: standard descriptors opened at start, standard streams checked at
 * exit. The driver (a run of the plan) is driver.c; compare and report are analyze/'s; serve,
 * rsh-agent and selftest are bench/'s; history is history/'s, which compare and report read
 * through what main hands them. A new command is a row here and its own file.
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

/* Every command: the first word names it, or none does and it is the driver (the last row). */
#define IO_CHECKED (IPCB_CMD_NO_WRITE_SIGNALS | IPCB_CMD_STREAMS_CHECKED)
static const struct ipcb_command commands[] = {
    {.name = "compare",
     .synopsis = "BASE.csv NEW.csv [OPTIONS]   CI gate (see compare --help)",
     .fn = ipcb_compare_main,
     .flags = IO_CHECKED | IPCB_CMD_SAYS_OUTPUT},
    {.name = "report",
     .synopsis = "CSV [-o FILE.md | --html FILE.html]   the IPC guides' tables",
     .fn = ipcb_report_main,
     .flags = IO_CHECKED | IPCB_CMD_SAYS_OUTPUT},
    {.name = "serve",
     .synopsis = "--listen ADDR:PORT [...]       the peer of --peer (see serve --help)",
     .fn = ipcb_serve_main,
     .flags = IO_CHECKED},
    {.name = "history",
     .synopsis = "DB [OPTIONS]        a results history (see history --help)",
     .fn = ipcb_history_main,
     .flags = IO_CHECKED | IPCB_CMD_SAYS_OUTPUT},
    /* The driver's modes, each also its option (--list, --cleanup, --count, --hosts). */
    {.name = "list",
     .synopsis = "[NAME...]           every transport, what it can do, if it runs here",
     .fn = ipcb_driver_main,
     .flags = IO_CHECKED,
     .option = "list"},
    {.name = "cleanup",
     .synopsis = "[--dry-run] [--dir DIR]   remove what killed runs left behind",
     .fn = ipcb_driver_main,
     .flags = IO_CHECKED,
     .option = "cleanup"},
    {.name = "count",
     .synopsis = "[OPTIONS]          each point's work signature instead of its time",
     .fn = ipcb_driver_main,
     .flags = IO_CHECKED,
     .option = "count"},
    {.name = "hosts",
     .synopsis = "RUNTIME [OPTIONS]  one of many hosts a runtime started (mpirun ...)",
     .fn = ipcb_driver_main,
     .flags = IO_CHECKED,
     .option = "hosts"},
    /* The transport test suite: its own signal handling, as a test program's. */
    {.name = "selftest",
     .synopsis = "TRANSPORT       the transport test suite (TAP; see selftest --help)",
     .fn = ipcb_selftest_main,
     .flags = IPCB_CMD_STREAMS_CHECKED},
    /* The remote agent of a runtime's launcher (mpirun runs it): a command line to pass on. */
    {.name = "rsh-agent", .fn = ipcb_rsh_agent_main},
    {.fn = ipcb_driver_main, .flags = IO_CHECKED},
    {.fn = NULL},
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
	const struct ipcb_command *c = commands;
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
	ipcb_report_describe_set(describe);
	ipcb_driver_answers_set(ipcb_report_answers);
	while (c->name && !(argc > 1 && strcmp(argv[1], c->name) == 0))
		c++;
	if (c->flags & IPCB_CMD_NO_WRITE_SIGNALS)
		ipcb_run_signals_ignore();
	status = c->option ? ipcb_driver_mode_main(c->option, argc - 1, argv + 1)
		 : c->name ? c->fn(argc - 1, argv + 1)
			   : c->fn(argc, argv);
	if (!(c->flags & IPCB_CMD_STREAMS_CHECKED))
		return status;
	return std_streams_close(status, c->flags & IPCB_CMD_SAYS_OUTPUT);
}
