/* SPDX-License-Identifier: MIT */
/*
 * service.h - the driver's side of a transport's service (transport.h, struct ipcb_service): a
 * real server process, started once, before the first run that needs it, and stopped when the
 * driver ends, whatever ends it.
 *
 *   start ..... make the service's directory (named like a run's: "<dir>/<tag>.d", 0700, so
 *               that --cleanup finds it), let the transport prepare the command line, start
 *               the server there (stdin /dev/null, stdout and stderr into its log, its own
 *               process group, SIGKILL when the driver dies, pinned), list its pid in the
 *               directory (rundir.h) and wait, within a time limit, until it answers
 *   pin ....... move every thread of the server to a CPU (each row's server CPU)
 *   cpu_ns .... the CPU time all its threads have used so far
 *   rss_bytes . the memory it and the processes it started hold now (start_ns: how long it took
 *               to answer)
 *   check ..... is it still there? (a server that died fails the run, naming its exit)
 *   stop ...... SIGTERM, then SIGKILL after a grace period, reap, remove the directory
 *
 * Signals: the driver keeps its stop signals blocked (launch.h); a wait here looks for them, and
 * start returns -EINTR with the signal when one asks the driver to stop.
 */
#ifndef IPCB_SERVICE_H
#define IPCB_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "transport.h"

/*
 * How long a server may take to answer after it was started: a Java broker pinned to one CPU
 * beside the runs' sides takes tens of seconds on a busy machine; a healthy one answers sooner,
 * and only a failure waits this long.
 */
#define IPCB_SERVICE_START_LIMIT_S 60.0
/* How many of a server's processes stop and --cleanup look after. */
#define IPCB_SERVICE_PROCS 64

struct ipcb_service_run {
	struct ipcb_service svc;
	pid_t pid;	/* 0: not running */
	int cpu;	/* where it is pinned now; -1: wherever the driver may run */
	char dir[4096]; /* its directory; "" when none */
	char tag[64];
	int signal; /* start: the signal that interrupted it */
	char error[1024];
	/* What starting it took: from its fork until it answered (0: not started). */
	uint64_t start_ns;
	/*
	 * Its process group, and the processes it had started when it answered (with their start
	 * times): stop ends them even when the server itself died first and they lost their parent.
	 */
	pid_t pgid;
	int started_pid[IPCB_SERVICE_PROCS];
	unsigned long long started_ticks[IPCB_SERVICE_PROCS];
	size_t nstarted;
	uint64_t term_ns; /* when stop asked it to end (SIGTERM); 0: not yet */
};

/*
 * Start t's service for runs with option values opt, its directory in parent, pinned to cpu
 * (-1: not pinned), ready within limit_s seconds. 0, or a negative errno with s->error saying
 * what failed (and the last line the server logged); -EINTR with s->signal. Nothing is left
 * running or on disk after a failure.
 */
int ipcb_service_start(struct ipcb_service_run *s, const struct ipcb_transport *t,
		       const uint64_t opt[IPCB_MAX_OPTIONS], const char *parent, int cpu,
		       double limit_s);
/* Pin every thread of the server to cpu (-1: every CPU the driver may use). 0 or -errno. */
int ipcb_service_pin(struct ipcb_service_run *s, int cpu);
/* CPU time (user + system, every thread) the server has used so far. 0 or -errno. */
int ipcb_service_cpu_ns(const struct ipcb_service_run *s, uint64_t *ns);
/*
 * The resident memory (RSS) of the server and of every process it started (ipcb_service_procs),
 * together, in bytes. 0 or -errno (-ESRCH: not running).
 */
int ipcb_service_rss_bytes(const struct ipcb_service_run *s, uint64_t *bytes);
/* Is the server still running? 0, or -ESRCH with s->error saying how it ended. */
int ipcb_service_check(struct ipcb_service_run *s);
/*
 * The server and every process it started that still runs, wherever it went (a process that
 * made a session or process group of its own, such as Erlang's erl_child_setup, is still
 * found by its parent): up to max pids, with their start times (ipcb_proc_start_ticks), the
 * server first. Returns how many; 0 when the server is not running.
 */
size_t ipcb_service_procs(const struct ipcb_service_run *s, int *pid,
			  unsigned long long *start_ticks, size_t max);
/*
 * Stop the server and remove its directory; harmless when not started. Every process of
 * ipcb_service_procs() is gone when it returns (what outlives the server is killed), or named
 * on stderr.
 */
void ipcb_service_stop(struct ipcb_service_run *s);
/*
 * Ask the server to end (SIGTERM to its group) without waiting: servers asked together end
 * together, and ipcb_service_stop then waits for each from when it was asked.
 */
void ipcb_service_stop_begin(struct ipcb_service_run *s);

#endif
