/* SPDX-License-Identifier: MIT */
/*
 * driver.c - the ipcbench driver, top to bottom: parse the command line, work out what can run
 * here and where, then run the plan (placement x [floors] x transport x size x mode x repeat)
 * one measurement at a time, printing each row as it is measured and appending it to the CSV, so
 * an interrupted or failing sweep keeps every row already measured; then the summaries, and the
 * exit status. Each job it hands out has a file of its own (drv.h).
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "crash.h"
#include "driver.h"
#include "version.h"

static int check_dir(struct driver *d, char *err, size_t errlen)
{
	bool needed = false;
	struct stat st;

	for (size_t i = 0; i < d->nuse; i++)
		needed |= (d->use[i].t->caps & IPCB_CAP_USES_DIR) != 0;
	if (!d->o.dir) {
		const char *tmp = getenv("TMPDIR");

		d->o.dir = tmp && *tmp ? tmp : "/tmp";
	}
	if (!needed)
		return 0;
	if (stat(d->o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--dir %s: not a directory", d->o.dir);
		return -ENOTDIR;
	}
	if (access(d->o.dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "--dir %s: not writable: %s", d->o.dir, strerror(errno));
		return -EACCES;
	}
	return 0;
}

/*
 * How wide the table may be: the terminal's width when standard output is one (its window
 * size, else $COLUMNS, else 80), or 0 (no limit) for a pipe or a file, whose readers want every
 * column in the same place whatever terminal they came from.
 */
static unsigned table_columns(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	unsigned long cols;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		errno = 0;
		cols = strtoul(env, &end, 10);
		if (!*end && !errno && cols > 0 && cols <= 100000)
			return (unsigned)cols;
	}
	return 80;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, msg, prog);
	return EXIT_USAGE;
}

/* The driver's modes: each given by its option, each also a command of its name (main.c). */
static int mode_help(struct driver *d, int argc, char **argv)
{
	errno = 0;
	ipcb_opts_usage(stdout, prog);
	ipcb_stdout_note();
	return 0;
}

static int mode_version(struct driver *d, int argc, char **argv)
{
	errno = 0;
	printf("ipcbench %s\n", IPCB_VERSION);
	ipcb_stdout_note();
	return 0;
}

static bool given_help(const struct ipcb_opts *o)
{
	return o->help;
}

static bool given_version(const struct ipcb_opts *o)
{
	return o->version;
}

/* Does the plan have a load shape: several pairs or requests in flight, an open loop, N:M? */
static bool plan_shaped(const struct ipcb_opts *o)
{
	bool shaped = o->nrates > 0 || o->rate_sweep;

	for (size_t i = 0; i < o->ninflight; i++)
		shaped = shaped || o->inflight[i] > 1;
	for (size_t i = 0; i < o->npairs; i++)
		shaped = shaped || o->pairs[i] > 1;
	for (size_t i = 0; i < o->ntopos; i++)
		shaped = shaped || o->topos[i].senders != 1 || o->topos[i].receivers != 1;
	return shaped;
}

/*
 * The mode given, in the order they are decided: help, version, then the modes of their own
 * files (driver.h) in their list's order; NULL: none. The first given runs (its exit status, or
 * -1 when a sweep follows), and --then, which joins sweeps, refuses each by its name.
 */
static const struct ipcb_driver_mode *mode_given(const struct ipcb_opts *o)
{
	static const struct ipcb_driver_mode help = {.option = "help",
						     .given = given_help,
						     .run = mode_help},
					     version = {.option = "version",
							.given = given_version,
							.run = mode_version};
	const struct ipcb_driver_mode *const first[] = {&help, &version};

	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (ipcb_opts_mode(o, first[i]))
			return first[i];
	for (const struct ipcb_driver_mode *const *m = ipcb_opts_modes(); *m; m++)
		if (ipcb_opts_mode(o, *m))
			return *m;
	return NULL;
}

/*
 * Everything before the sweep's runs: the command line, transports, placements, outputs, servers,
 * the machine's state. The exit status when the driver ends here, or -1 to go on. Not inlined:
 * its frame is gone before the runs fork their sides, which start from the depth the driver's
 * stack has then (and the stack may be small: ulimit -s).
 */
__attribute__((noinline)) static int driver_start(struct driver *d, int argc, char **argv)
{
	char err[IPCB_ERR_BYTES];
	const struct ipcb_driver_mode *mode;
	int rc;
	bool wait_used = false;

	d->argc = argc;
	d->argv = argv;
	/* Where rows go and the run in progress: the driver points to them (drv.h). */
	d->out = calloc(1, sizeof(*d->out));
	d->now = calloc(1, sizeof(*d->now));
	if (!d->out || !d->now) {
		fprintf(stderr, "%s: calloc: %s\n", prog, strerror(ENOMEM));
		return EXIT_RUN_FAILED;
	}
	ipcb_opts_init(&d->o);
	if (ipcb_opts_parse(&d->o, argc, argv, err, sizeof(err)) < 0)
		return usage_error(err);
	mode = mode_given(&d->o);
	if (mode && (rc = mode->run(d, argc, argv)) >= 0)
		return rc;
	/* Before the probes make anything: a crash from here on takes what it made with it. */
	rc = ipcb_crash_guard_install(d->o.dir);
	if (rc < 0)
		fprintf(stderr,
			"%s: warning: no crash guard (%s): a crash would leave its runs' "
			"objects for --cleanup\n",
			prog, strerror(-rc));
	if (d->o.controls)
		d->o.floor = true; /* the floors below, with no transport */
	else if (ipcb_plan_transports(d) < 0) {
		fprintf(stderr, "%s: none of the requested transports can run on this machine\n",
			prog);
		return EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < d->nuse; i++)
		wait_used |= (d->use[i].t->caps & IPCB_CAP_WAIT_CHOICE) != 0;
	if (d->o.wait && !wait_used)
		return usage_error("--wait: none of the requested transports offers a choice of "
				   "wait strategy (see --list: wait-choice)");
	if (check_dir(d, err, sizeof(err)) < 0)
		return usage_error(err);
	if (ipcb_places_first_cpus(d->first_cpus) < 0) {
		fprintf(stderr, "%s: sched_getaffinity: cannot tell which CPUs to use\n", prog);
		return EXIT_RUN_FAILED;
	}
	if (ipcb_places_topology_load(d, err, sizeof(err)) < 0)
		return usage_error(err);
	rc = ipcb_places_resolve(d, err, sizeof(err));
	if (rc == -ENOENT) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_UNSUPPORTED;
	}
	if (rc < 0)
		return usage_error(err);
	if (d->o.plan_only)
		return ipcb_plan_print(d);
	if (ipcb_outputs_check(d, err, sizeof(err)) < 0)
		return usage_error(err);
	/*
	 * Data on standard output (`--csv -`, `--json -`): what is printed for a person (the
	 * table, the notes) goes to standard error from here on, so that the data can be piped.
	 */
	if ((ipcb_outfile_is_stdout(d->o.csv_path) || ipcb_outfile_is_stdout(d->o.json_path) ||
	     ipcb_outfile_is_stdout(d->o.hdr_log_path)) &&
	    (rc = ipcb_stdout_take()) < 0) {
		fprintf(stderr, "%s: standard output: %s\n", prog, strerror(-rc));
		return EXIT_RUN_FAILED;
	}
	/* Before any output exists: from here on a signal stops the sweep, it does not kill us. */
	rc = ipcb_run_signals_block();
	if (rc < 0) {
		fprintf(stderr, "%s: sigprocmask: %s\n", prog, strerror(-rc));
		return EXIT_RUN_FAILED;
	}
	/* The peer before outputs: one that cannot be reached makes no file either. */
	if (d->o.peer) {
		rc = ipcb_peer_open(d, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return rc;
		}
	}
	/* Servers before outputs: a sweep left with nothing to run makes no file. */
	if (ipcb_services_start(d) < 0) {
		ipcb_services_stop(d);
		ipcb_peer_close(d);
		fprintf(stderr, "%s: stopped by %s while starting servers\n", prog,
			strsignal(d->interrupted));
		return 128 + d->interrupted;
	}
	if (d->nuse == 0 && !d->o.controls) {
		ipcb_peer_close(d);
		fprintf(stderr, "%s: none of the requested transports can run on this machine\n",
			prog);
		return EXIT_UNSUPPORTED;
	}
	if (ipcb_outputs_open(d, err, sizeof(err)) < 0) {
		ipcb_services_stop(d);
		ipcb_peer_close(d);
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_USAGE;
	}
	ipcb_sysinfo_read(&d->si);
	/* Said once, by --count's counted pass (its first two passes run the same plan). */
	if (ipcb_sysinfo_busy(&d->si) && d->count_pass != IPCB_COUNT_NATIVE &&
	    d->count_pass != IPCB_COUNT_TRACE)
		fprintf(stderr,
			"%s: warning: load average %.2f on %d CPUs: the machine is busy, expect "
			"noisy numbers\n",
			prog, d->si.loadavg1, d->si.online_cpus);
	if (!ipcb_plan_points(d)) {
		ipcb_peer_close(d);
		ipcb_outputs_abandon(d);
		return EXIT_RUN_FAILED;
	}
	if (d->runs_total == 0) {
		fprintf(stderr,
			"%s: nothing to run: no requested transport can carry the load's "
			"shape here (see the lines above)\n",
			prog);
		ipcb_peer_close(d);
		ipcb_outputs_abandon(d);
		return EXIT_UNSUPPORTED;
	}
	d->started_ns = ipcb_now_ns();
	ipcb_table_fit(&d->out->table, d->o.wide ? 0 : table_columns(), d->o.floor,
		       plan_shaped(&d->o), d->o.probes);
	errno = 0;
	ipcb_sysinfo_print(stdout, &d->si);
	if (d->peer) {
		printf("# the peer, %s:\n", d->peer->remote.peer_text);
		ipcb_sysinfo_print(stdout, &d->peer->remote.peer_si);
		printf("# network path: %s\n", d->peer->remote.path);
	}
	ipcb_stdout_note();
	for (size_t i = 0; i < d->nplaces && !d->interrupted; i++)
		if (ipcb_place_clock_check(d, &d->places[i]) < 0)
			break;
	return -1;
}

/* After the sweep: its summaries (swept: it ran), servers, outputs, the exit status. */
__attribute__((noinline)) static int driver_end(struct driver *d, bool swept)
{
	int status = 0;

	/* The table, sorted, whether the sweep ran through or was stopped. */
	ipcb_rows_table_flush(d);
	if (swept) {
		ipcb_summary_print(d);
		ipcb_summary_tuning(d);
		ipcb_rows_answers(d);
	}
	ipcb_memcsv_free(&d->out->answers);
	if (d->then && !d->interrupted)
		ipcb_services_hold(d);
	else
		ipcb_services_stop(d);
	ipcb_peer_close(d);
	if (!ipcb_outputs_close(d))
		d->out->failed = true;
	if (d->out->failed)
		status = EXIT_RUN_FAILED;
	if (d->interrupted) {
		fprintf(stderr, "%s: stopped by %s after %zu of %zu runs; rows so far are kept\n",
			prog, strsignal(d->interrupted), d->runs_done, d->runs_total);
		return 128 + d->interrupted;
	}
	if (d->failures) {
		fprintf(stderr, "%s: %u of %zu runs failed\n", prog, d->failures, d->runs_total);
		status = EXIT_RUN_FAILED;
	}
	return status;
}

/* One sweep: its exit status. d->then: another follows, which may take its servers. */
static int driver_sweep(struct driver *d, int argc, char **argv)
{
	int status = driver_start(d, argc, argv);
	bool swept = !d->interrupted;

	if (status >= 0) {
		ipcb_services_stop(d); /* a sweep that ended before its runs keeps no server */
		return status;
	}
	if (swept) {
		if (d->o.repeat > 1 && !d->o.quiet)
			printf(
			    "# %u rounds, seed %llu: each runs every point of the plan once, in an "
			    "order shuffled anew\n",
			    d->o.repeat, (unsigned long long)d->o.seed);
		/* A counted run's rows are lines of counts, not the table's columns. */
		d->out->table_header = !ipcb_opts_mode(&d->o, &ipcb_mode_count);
		/* Without memory for them, the sweep runs without its closing answers. */
		if (!ipcb_opts_mode(&d->o, &ipcb_mode_count) &&
		    ipcb_memcsv_open(&d->out->answers) < 0)
			ipcb_memcsv_free(&d->out->answers);
		ipcb_rounds_run(d);
		ipcb_probes_stop(d);
	}
	return driver_end(d, swept);
}

/* Sweeps joined by --then, at most this many. */
#define DRIVER_SWEEPS 16

/*
 * Split argv at each --then: each part's argv (the program's name first) in part[], their count
 * returned; -1 with err when a part is empty, one too many, or not a sweep. Every part is
 * parsed here, so that a mistake in the last is said before the first runs.
 */
static int driver_parts(int argc, char **argv, char **part[DRIVER_SWEEPS], int n[DRIVER_SWEEPS],
			char *err, size_t errlen)
{
	static struct ipcb_opts o;
	const struct ipcb_driver_mode *mode;
	int parts = 0, from = 1, rc;

	for (int i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--then") != 0)
			continue;
		if (parts == DRIVER_SWEEPS) {
			snprintf(err, errlen, "--then: at most %d sweeps in one invocation",
				 DRIVER_SWEEPS);
			return -1;
		}
		if (i == from) {
			snprintf(err, errlen, "--then: sweep %d has no options", parts + 1);
			return -1;
		}
		part[parts] = calloc((size_t)(i - from) + 2, sizeof(char *));
		if (!part[parts]) {
			snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
			return -1;
		}
		part[parts][0] = argv[0];
		memcpy(&part[parts][1], &argv[from], (size_t)(i - from) * sizeof(char *));
		n[parts] = i - from + 1;
		ipcb_opts_init(&o);
		rc = ipcb_opts_parse(&o, n[parts], part[parts], err, errlen);
		mode = rc < 0 ? NULL : mode_given(&o);
		/* Only checked here: each sweep parses its part again when it runs. */
		ipcb_opts_fini(&o);
		if (rc < 0)
			return -1;
		if (mode) {
			snprintf(err, errlen,
				 "--then joins sweeps: sweep %d asks for --%s, which is not one",
				 parts + 1, mode->option);
			return -1;
		}
		parts++;
		from = i + 1;
	}
	return parts;
}

/*
 * The measurement sweep: everything but the subcommands. Returns the exit status. With --then,
 * the sweeps one after the other, each as its own invocation would run it, but a server one
 * sweep started is kept for the next that plans it with the same options (scripts/run's
 * phases: RabbitMQ's and RocketMQ's starts take seconds). The status: the first failure's;
 * 77 (nothing could run) only when no sweep could run.
 */
int ipcb_driver_main(int argc, char **argv)
{
	static struct driver one;
	static struct driver *d[DRIVER_SWEEPS];
	static char **part[DRIVER_SWEEPS];
	char err[IPCB_ERR_BYTES];
	int n[DRIVER_SWEEPS], parts, status = EXIT_UNSUPPORTED;
	bool then = false;

	for (int i = 1; i < argc && !then; i++)
		then = strcmp(argv[i], "--then") == 0;
	if (!then)
		return driver_sweep(&one, argc, argv);
	if ((parts = driver_parts(argc, argv, part, n, err, sizeof(err))) < 0)
		return usage_error(err);
	for (int i = 0; i < parts; i++) {
		int rc;

		/* Kept to the end (static): what a sweep made stays reachable, as one driver's. */
		if (!(d[i] = calloc(1, sizeof(*d[i])))) {
			fprintf(stderr, "%s: calloc: %s\n", prog, strerror(ENOMEM));
			status = EXIT_RUN_FAILED;
			break;
		}
		d[i]->then = i + 1 < parts;
		rc = driver_sweep(d[i], n[i], part[i]);
		if (rc != 0 && rc != EXIT_UNSUPPORTED &&
		    (status == 0 || status == EXIT_UNSUPPORTED))
			status = rc;
		else if (rc == 0 && status == EXIT_UNSUPPORTED)
			status = 0;
		if (d[i]->interrupted)
			break;
	}
	ipcb_services_stop_held();
	return status;
}

/* Is --help (-h) among the arguments, before any "--"? */
static bool help_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int ipcb_driver_mode_main(const char *option, int argc, char **argv)
{
	/* Kept to the end (static): the driver's argv stays reachable, as the program's does. */
	static char **v;
	static char *dashed;
	const struct ipcb_clirow *row = ipcb_opts_rows();
	bool valued, first_is_value;
	int n = 0;

	while (row->opt.name && strcmp(row->opt.name, option) != 0)
		row++;
	valued = row->opt.name && row->type != IPCB_CLI_FLAG && row->type != IPCB_CLI_CLEAR;
	/* `hosts mpi ...`: the first argument is the option's value, `--hosts=mpi`. */
	first_is_value = valued && argc > 1 && argv[1][0] != '-';
	v = calloc((size_t)argc + 2, sizeof(*v));
	if (!v || asprintf(&dashed, "--%s%s%s", option, first_is_value ? "=" : "",
			   first_is_value ? argv[1] : "") < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, option, strerror(ENOMEM));
		return EXIT_RUN_FAILED;
	}
	/* Its own help: the command's usage and the options it takes, not the driver's. */
	if (help_asked(argc, argv) && ipcb_opts_mode_usage(stdout, prog, option) == 0)
		return 0;
	v[n++] = (char *)prog;
	/*
	 * A value-taking option with no value first goes last, where `hosts -t shm` says its value
	 * is missing; and `hosts --help` is the help.
	 */
	if (!valued || first_is_value)
		v[n++] = dashed;
	for (int i = first_is_value ? 2 : 1; i < argc; i++)
		v[n++] = argv[i];
	if (valued && !first_is_value && !help_asked(argc, argv))
		v[n++] = dashed;
	return ipcb_driver_main(n, v);
}

int ipcb_command_run(const struct ipcb_command *c, int argc, char **argv)
{
	/* A mode of the driver is the driver given its option; a command sees its own argv. */
	return c->option ? ipcb_driver_mode_main(c->option, argc - 1, argv + 1)
	       : c->name ? c->fn(argc - 1, argv + 1)
			 : c->fn(argc, argv);
}
