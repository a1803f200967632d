/* SPDX-License-Identifier: MIT */
/*
 * main.c - ipcbench's entry: it dispatches, and owns what every command shares at the edges:
 * standard descriptors opened at start, standard streams checked at exit. The driver (a run of
 * the plan) is driver.c; compare and report are analyze/'s; serve, rsh-agent and selftest are
 * bench/'s; history is history/'s, which compare and report read through what main hands them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
		out_err = ipcb_driver_stdout_errno() ? ipcb_driver_stdout_errno() : errno ? errno : -1;
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

int main(int argc, char **argv)
{
	static const struct ipcb_history_source history = {ipcb_history_baseline,
							   ipcb_history_trends};
	bool sub = argc > 1 && (strcmp(argv[1], "compare") == 0 || strcmp(argv[1], "report") == 0 ||
				strcmp(argv[1], "history") == 0);
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
	/* The peer of --peer, and the remote agent of a launcher: commands of their own. */
	if (argc > 1 && strcmp(argv[1], "serve") == 0) {
		ipcb_run_signals_ignore();
		return std_streams_close(ipcb_serve_main(argc - 1, argv + 1), false);
	}
	if (argc > 1 && strcmp(argv[1], "rsh-agent") == 0)
		return ipcb_rsh_agent_main(argc - 1, argv + 1);
	/* The transport test suite: its own signal handling, as a test program's. */
	if (argc > 1 && strcmp(argv[1], "selftest") == 0)
		return std_streams_close(ipcb_selftest_main(argc - 1, argv + 1), false);
	/* A write to a closed pipe or beyond RLIMIT_FSIZE fails, and is reported, everywhere. */
	ipcb_run_signals_ignore();
	ipcb_history_source_set(&history);
	if (sub && strcmp(argv[1], "compare") == 0)
		status = ipcb_compare_main(argc - 1, argv + 1);
	else if (sub && strcmp(argv[1], "history") == 0)
		status = ipcb_history_main(argc - 1, argv + 1);
	else if (sub)
		status = ipcb_report_main(argc - 1, argv + 1);
	else
		status = ipcb_driver_main(argc, argv);
	/* compare, report and history check their own output and say what failed. */
	return std_streams_close(status, sub);
}
