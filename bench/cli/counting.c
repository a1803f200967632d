/* SPDX-License-Identifier: MIT */
/*
 * counting.c - ipcbench --count in the driver: the plan run in three passes, each this driver
 * again (drv.h says what each records), their files in a private directory removed at the end
 * whatever happens: natively; under strace, whose trace is read here between the passes; and
 * under valgrind's callgrind, which runs every side the driver forks, each counting its measured
 * part (lib/count.h, bench/engine/counted.h). And each point's check in the counted pass:
 * counted again with each side slowed every other message, the counts must not move (a wait its
 * transport does not mark makes them move).
 */
#include "drv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "launch.h"
#include "rundir.h"
#include "child.h"
#include "sysbytes.h"

/*
 * The environment that tells a driver it is one of --count's passes, and the private directory
 * where the passes leave what the next one reads.
 */
#define COUNT_ENV "IPCBENCH_COUNT_DIR"
#define PASS_ENV  "IPCBENCH_COUNT_PASS"
/* A pass whose tool could not be started, as a shell says it. */
#define PASS_EXEC_FAILED 127
/* The check: this much busy work a message, the sender's first, the receiver's then (runloop.h). */
#define COUNT_CHECK_SLOW_NS 100000
/* Counts of the two runs that agree within this share (or this many per message) are exact. */
#define COUNT_CHECK_SHARE 0.001
#define COUNT_CHECK_ABS	  0.05

static const char *const pass_names[] = {
    [IPCB_COUNT_NATIVE] = "native",
    [IPCB_COUNT_TRACE] = "trace",
    [IPCB_COUNT_CALLGRIND] = "callgrind",
};

/* This driver's pass, from the environment its counting driver set (IPCB_COUNT_NONE: none). */
static enum ipcb_count_pass count_pass_env(const char **dir)
{
	const char *pass = getenv(PASS_ENV);

	*dir = getenv(COUNT_ENV);
	if (!pass || !*dir)
		return IPCB_COUNT_NONE;
	for (size_t i = IPCB_COUNT_NATIVE; i < sizeof(pass_names) / sizeof(pass_names[0]); i++)
		if (!strcmp(pass, pass_names[i]))
			return (enum ipcb_count_pass)i;
	return IPCB_COUNT_NONE;
}

/* Is `name` a program on PATH? */
static bool on_path(const char *name)
{
	return ipcb_path_find(name, NULL, NULL) == 0;
}

/*
 * One pass: this driver again with the same command line (after `prefix`, the tool it runs
 * under), told its pass and the directory by the environment. The native and traced passes'
 * tables go nowhere: their findings go to the directory, and the counted pass prints the rows.
 * Returns its exit status (128 + the signal that ended it).
 */
static int pass_run(const char *const *prefix, size_t nprefix, char **argv, const char *dir,
		    enum ipcb_count_pass pass)
{
	size_t argc = 0;
	char self[PATH_MAX];
	const char **args;
	int status = ipcb_self_path(self, sizeof(self));

	while (argv[argc])
		argc++;
	if (status < 0) {
		fprintf(stderr, "%s: --count: readlink /proc/self/exe: %s\n", prog,
			strerror(-status));
		return EXIT_RUN_FAILED;
	}
	args = calloc(nprefix + argc + 1, sizeof(*args));
	if (!args) {
		fprintf(stderr, "%s: --count: %s\n", prog, strerror(ENOMEM));
		return EXIT_RUN_FAILED;
	}
	memcpy(args, prefix, nprefix * sizeof(*args));
	args[nprefix] = self;
	for (size_t i = 1; i < argc; i++)
		args[nprefix + i] = argv[i];
	{
		const char *env[] = {COUNT_ENV, dir, PASS_ENV, pass_names[pass], NULL};
		const struct ipcb_spawn sp = {
		    .path = args[0],
		    .path_search = 1,
		    .argv = (char *const *)args,
		    .setenv = env,
		    /* The native and traced passes' tables go nowhere (see above). */
		    .out = pass != IPCB_COUNT_CALLGRIND ? IPCB_SPAWN_NULL : IPCB_SPAWN_KEEP,
		    .exec_failed = PASS_EXEC_FAILED,
		    .what = "ipcbench: --count",
		};

		/* A stop signal reaches the pass too (one process group): it is waited for. */
		status = ipcb_spawn_run(&sp);
	}
	free(args);
	if (status < 0) {
		fprintf(stderr, "%s: --count: a pass could not run: %s\n", prog, strerror(-status));
		return EXIT_RUN_FAILED;
	}
	return status;
}

/* Has the pass's status ended the count: a signal, or nothing it could run at all? */
static bool pass_final(int status)
{
	return status >= 128 || status == EXIT_USAGE || status == EXIT_UNSUPPORTED ||
	       status == PASS_EXEC_FAILED;
}

/* The counting driver: the three passes, each this driver again. The exit status. */
static int count_main(char **argv)
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
	    /* No gdbserver: its FIFOs in TMPDIR outlive a side the driver has to kill. */
	    "--vgdb=no",
	    "-q",
	};
	char dir[PATH_MAX], trace[PATH_MAX + 16], out[PATH_MAX + 64];
	const char *tmp = getenv("TMPDIR");
	const char *st[] = {"strace",
			    "-f",
			    "-qq",
			    "-e",
			    "signal=none",
			    "-e",
			    "trace=" IPCB_SYSBYTES_TRACE,
			    "-e",
			    "raw=" IPCB_SYSBYTES_RAW,
			    "-s",
			    IPCB_SYSBYTES_STRSIZE,
			    "-o",
			    trace};
	const char *cg[sizeof(vg) / sizeof(vg[0]) + 1];
	int status, worst = 0;

	snprintf(dir, sizeof(dir), "%s/ipcbench-count-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: --count: mkdtemp %s: %s\n", prog, dir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	snprintf(out, sizeof(out), "--callgrind-out-file=%s/" IPCB_COUNT_PROFILES "/cg.%%p", dir);
	memcpy(cg, vg, sizeof(vg));
	cg[sizeof(vg) / sizeof(vg[0])] = out;
	/* The passes' stop signals end them; this one waits for each and removes what is left. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	fprintf(stderr,
		"%s: --count, pass 1 of 3: context switches and kernel objects, %d native runs "
		"a point\n",
		prog, IPCB_COUNT_NATIVE_RUNS);
	status = pass_run(NULL, 0, argv, dir, IPCB_COUNT_NATIVE);
	worst = status;
	if (!pass_final(status) && on_path("strace")) {
		fprintf(stderr,
			"%s: --count, pass 2 of 3: bytes through the kernel, under strace\n", prog);
		status = pass_run(st, sizeof(st) / sizeof(st[0]), argv, dir, IPCB_COUNT_TRACE);
		if (status > worst)
			worst = status;
		if (!pass_final(status))
			ipcb_count_trace_read(dir);
	} else if (!pass_final(status)) {
		fprintf(
		    stderr,
		    "%s: --count: strace is not installed (Debian package strace; scripts/setup "
		    "installs it): the bytes through the kernel are not counted\n",
		    prog);
	}
	snprintf(trace, sizeof(trace), "%s/" IPCB_COUNT_PROFILES, dir);
	if (!pass_final(status) && mkdir(trace, 0700) < 0) {
		fprintf(stderr, "%s: --count: mkdir %s: %s\n", prog, trace, strerror(errno));
		status = EXIT_RUN_FAILED;
	} else if (!pass_final(status)) {
		fprintf(
		    stderr,
		    "%s: --count, pass 3 of 3: instructions and system calls, under callgrind\n",
		    prog);
		status = pass_run(cg, sizeof(cg) / sizeof(cg[0]), argv, dir, IPCB_COUNT_CALLGRIND);
		if (status == PASS_EXEC_FAILED) {
			fprintf(
			    stderr,
			    "%s: --count needs valgrind (Debian package valgrind; scripts/setup "
			    "installs it)\n",
			    prog);
			status = EXIT_UNSUPPORTED;
		}
	}
	/* The passes' files, whatever state they ended in. */
	ipcb_rundir_remove(dir);
	if (status == PASS_EXEC_FAILED)
		status = EXIT_RUN_FAILED; /* this ipcbench, which the native pass runs */
	return pass_final(status) || status > worst ? status : worst;
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

/*
 * --count: the plan runs in three passes, each this driver again (count_main()); in a pass, a
 * sweep of counted runs follows (-1).
 */
static int count_run(struct driver *d, int argc, char **argv)
{
	d->count_pass = count_pass_env(&d->count_dir);
	if (d->count_pass == IPCB_COUNT_NONE)
		return count_main(argv);
	if (d->count_pass != IPCB_COUNT_CALLGRIND)
		ipcb_count_pass_setup(d);
	else if (asprintf(&d->count_profiles, "%s/%s", d->count_dir, IPCB_COUNT_PROFILES) < 0)
		return EXIT_RUN_FAILED;
	return -1;
}

IPCB_DRIVER_MODE(count, "[OPTIONS]          each point's work signature instead of its time", NULL,
		 NULL, count_run, .opt = {.name = "count"}, .type = IPCB_CLI_FLAG, .after = "then",
		 .help = "take each point's work signature instead of timing it: one\n"
			 "row of what each side does per message, from three passes:\n"
			 "5 native runs (context switches; the kernel objects as set\n"
			 "up), one under strace (bytes to and from the kernel), one\n"
			 "under valgrind's callgrind (instructions, the transport's\n"
			 "share, system calls by name, waits left out; each point\n"
			 "counted again with each side slowed in turn, and a row whose\n"
			 "counts move says so). Needs valgrind (strace for the bytes).\n"
			 "A fixed number of messages (-n, default 1000). Closed loops\n"
			 "of one pair");
