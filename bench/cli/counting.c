/* SPDX-License-Identifier: MIT */
/*
 * counting.c - ipcbench --count in the driver: the whole driver run again under valgrind's
 * callgrind (which then runs every side it forks, each counting its measured part: lib/count.h,
 * bench/engine/counted.h), its profiles in a private directory removed at the end whatever
 * happens; and each point's check: counted again with each side slowed every other message, the
 * counts must not move (a wait its transport does not mark makes them move).
 */
#include "drv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "launch.h"
#include "rundir.h"

/* The environment variable that tells the driver it runs under callgrind, and where. */
#define COUNT_ENV "IPCBENCH_COUNT_DIR"
/* The check: this much busy work a message, the sender's first, the receiver's then (runloop.h). */
#define COUNT_CHECK_SLOW_NS 100000
/* Counts of the two runs that agree within this share (or this many per message) are exact. */
#define COUNT_CHECK_SHARE 0.001
#define COUNT_CHECK_ABS	  0.05

const char *ipcb_count_dir(void)
{
	return getenv(COUNT_ENV);
}

int ipcb_count_relaunch(char **argv)
{
	static const char *const vg[] = {
	    "valgrind",
	    "--tool=callgrind",
	    "--collect-atstart=no",
	    "--collect-systime=yes",
	    "--dump-instr=yes",
	    "--compress-strings=no",
	    "--compress-pos=no",
	    "--trace-children=no",
	    "-q",
	};
	size_t nvg = sizeof(vg) / sizeof(vg[0]), argc = 0;
	char dir[PATH_MAX], out[PATH_MAX + 32], self[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	const char **args;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status = 0;
	pid_t pid;

	while (argv[argc])
		argc++;
	if (n <= 0) {
		fprintf(stderr, "%s: --count: readlink /proc/self/exe: %s\n", prog,
			strerror(errno));
		return EXIT_RUN_FAILED;
	}
	self[n] = '\0';
	snprintf(dir, sizeof(dir), "%s/ipcbench-count-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: --count: mkdtemp %s: %s\n", prog, dir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	snprintf(out, sizeof(out), "--callgrind-out-file=%s/cg.%%p", dir);
	args = calloc(nvg + argc + 3, sizeof(*args));
	if (!args) {
		rmdir(dir);
		fprintf(stderr, "%s: --count: %s\n", prog, strerror(ENOMEM));
		return EXIT_RUN_FAILED;
	}
	memcpy(args, vg, nvg * sizeof(*args));
	args[nvg] = out;
	args[nvg + 1] = self;
	for (size_t i = 1; i < argc; i++)
		args[nvg + 1 + i] = argv[i];
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv(COUNT_ENV, dir, 1);
		execvp(args[0], (char *const *)args);
		fprintf(
		    stderr,
		    "%s: --count needs valgrind (Debian package valgrind; scripts/setup installs "
		    "it): %s\n",
		    prog, strerror(errno));
		_exit(EXIT_UNSUPPORTED);
	}
	free(args);
	if (pid < 0) {
		fprintf(stderr, "%s: --count: fork: %s\n", prog, strerror(errno));
		status = -1;
	} else {
		/* A stop signal reaches the counted driver too (one process group): wait for it. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	/* Its profiles, whatever state it ended in. */
	ipcb_rundir_remove(dir);
	if (status < 0)
		return EXIT_RUN_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "sender instructions +2.10%": the first count that moved between the two runs, or "". */
static void moved(const struct ipcb_run_counts a[2], const struct ipcb_run_counts b[2], char *out,
		  size_t n)
{
	static const char *const side[2] = {"sender", "receiver"};

	out[0] = '\0';
	for (int k = 0; k < 2; k++) {
		const double x[3] = {a[k].instr, a[k].transport, a[k].syscalls};
		const double y[3] = {b[k].instr, b[k].transport, b[k].syscalls};
		static const char *const what[3] = {"instructions", "transport instructions",
						    "system calls"};

		for (int i = 0; i < 3; i++) {
			double d = y[i] - x[i];

			if (fabs(d) <= COUNT_CHECK_ABS * (i == 2 ? 0.01 : 1) ||
			    fabs(d) <= COUNT_CHECK_SHARE * fabs(x[i]))
				continue;
			snprintf(out, n,
				 "timing-dependent: %s %s %+.2f%% with each side slowed in turn",
				 side[k], what[i], x[i] > 0 ? d / x[i] * 100 : 100.0);
			return;
		}
	}
}

int ipcb_count_check(struct ipcb_run_spec *s, const struct ipcb_run_result *r, struct ipcb_row *row,
		     char *err, size_t errlen)
{
	static char check[200];
	struct ipcb_run_result *again = calloc(1, sizeof(*again));
	struct ipcb_run_spec slowed = *s;
	int rc;

	if (!again) {
		snprintf(err, errlen, "--count: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	slowed.count_slow_ns = COUNT_CHECK_SLOW_NS;
	rc = ipcb_run_one(&slowed, again);
	if (rc == 0) {
		moved(r->counts, again->counts, check, sizeof(check));
		if (!check[0])
			snprintf(check, sizeof(check), "exact");
		row->count_check = check;
		ipcb_run_result_fini(again);
	} else {
		snprintf(err, errlen, "the check with each side slowed in turn: %s", again->error);
	}
	free(again);
	return rc;
}
