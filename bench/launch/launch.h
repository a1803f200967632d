/* SPDX-License-Identifier: MIT */
/*
 * launch.h - the launchers of engine/launcher.h that start the sides as processes on this host:
 * forked by the driver (ipcb_launcher_fork), or started by a transport's runtime (runtime.h),
 * both run by one loop (launch.c) into which the way of starting the sides is plugged.
 * They pin the sides, let them find each other and start together, and end them cleanly,
 * whatever happens.
 *
 * Each side talks to the driver over a control socket of its own, never through memory the
 * sides share (the side's calls below are also its ops, struct ipcb_side_ops):
 *
 *   side:   exchange(addr) ...... publishes how peers reach it; returns every side's address
 *           (a stand-in for a side on another host first asks for the others': want_peers)
 *   side:   ready() ............. counts in at the start barrier; returns when all are released
 *   side:   done() .............. its measured work is over
 *   side:   wait_end() .......... waits until every side of the other role is done
 *
 * The driver answers: when every side has published an address it sends each side all of them;
 * when every side is ready it releases them together; when every sender is done it tells the
 * receivers, and the other way round. A memory area shared with the driver carries what each
 * side hands back (its error text, when it failed, whether it is already exiting); results of a
 * measurement go in the caller's own area.
 *
 * Signals: the caller blocks SIGCHLD and every signal that asks it to stop (SIGINT, SIGTERM and
 * every other catchable signal whose default ends the process) with ipcb_run_signals_block();
 * a launch waits for them, for control messages and for its deadline in one poll, so an
 * interrupt or a dying side ends it at once and cleanly, and the driver is never woken while
 * the sides measure.
 */
#ifndef IPCB_LAUNCH_H
#define IPCB_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "launcher.h"
#include "transport.h"

/* Forked sides: every run's default launcher (ipcb_launch_run() behind the interface). */
extern const struct ipcb_launcher ipcb_launcher_fork;

/*
 * Fork the sides, run body in each (after pinning), and wait until all have exited, one has
 * failed (the others are then killed), a signal asks the driver to stop, or the timeout passes.
 * 0, or a negative errno with l->error filled: -ECHILD a side failed, -ETIMEDOUT, -EINTR
 * (l->signal says which). Every side is reaped (or named as unreapable) before it returns.
 */
int ipcb_launch_run(struct ipcb_launch *l);

/*
 * Sides started by a runtime instead of fork (MPI ranks under mpirun): the driver runs argv (in
 * its own process group, killed with the driver, output into log_path, its pid listed in the
 * run directory for --cleanup), listens on ctl_path, and answers each side's hello with the
 * spec; then the launch goes as with forked sides, in the same loop, over those connections. A
 * side reports its failure, or the signal that killed it, in a message; one whose connection
 * closes without a goodbye died. Results come back in messages (x->result), never shared
 * memory. Same return values as ipcb_launch_run(); every process left is killed before it
 * returns.
 */
struct ipcb_runtime_launch {
	char *const *argv;    /* the command that starts every side */
	const char *ctl_path; /* where the sides reach the driver */
	const char *run_dir;  /* where the processes it starts are listed */
	const char *log_path; /* the command's output */
	const void *spec;     /* what each side gets when it says hello */
	size_t spec_bytes;    /* at most 64 KiB */
	/*
	 * Sides on another host cannot reach ctl_path: a listening TCP socket (-1: none) where a
	 * side connects instead, and proves with `key` (its first frame) that this run started
	 * it. Such a side's pid is another host's: it is never signalled from here.
	 */
	int tcp_lfd;
	const char *key;
	/* Side k's results, in the pieces it sends them (ipcb_side_send_result): 0 or -errno. */
	int (*result)(void *arg, unsigned k, const void *piece, size_t len);
	void *result_arg;
};
int ipcb_launch_runtime(struct ipcb_launch *l, const struct ipcb_runtime_launch *x);

/*
 * How a side of a launch ended, as the rule below reads it, however it was started: gone
 * (reaped, or its control connection closed), killed by the driver, reported its failure (a
 * joined side's message: status says how it ended), its wait status, when its work failed (0:
 * not said) and whether it left an error text.
 */
struct ipcb_side_end {
	bool gone, killed, reported;
	int status;
	uint64_t fail_ns;
	bool error;
};
/*
 * The one rule that names the side whose failure ended a launch: a side that crashed (died of a
 * signal of its own; one the driver killed while it was already dying of one keeps that
 * signal) comes before one that failed, and among those the one whose failure came first: the
 * others' errors (EPIPE, a reset connection) are usually only its consequence. The side's
 * number, or -1 when none failed.
 */
int ipcb_launch_first_failure(const struct ipcb_side_end *ends, unsigned n);

/*
 * In a side started that way: say hello to ctl as side `number` and take the spec. ctl is the
 * control socket's path, or "tcp:HOST:PORT" ("tcp:[V6]:PORT") for a side on another host, which
 * then proves itself with $IPCB_RANK_KEY.
 */
int ipcb_side_join(const char *ctl, unsigned number, void *spec, size_t spec_bytes, char *err);
/* Send the driver this side's results (any length, in pieces), before it says goodbye. */
int ipcb_side_send_result(const void *buf, size_t len);
/* Then run body as that side (pinned, its placement checked); 0 or a negative errno. */
int ipcb_side_run_joined(const struct ipcb_side *me, ipcb_side_fn body, void *arg, void *area,
			 char *err);

/* In a side: see the top of this file. Each returns 0 or a negative errno. */
int ipcb_side_exchange(const struct ipcb_addr *mine, struct ipcb_addr *all);
int ipcb_side_ready(void);
int ipcb_side_done(void);
int ipcb_side_wait_end(void);
/*
 * Has the end come (every side of the other role done)? Waits up to ms milliseconds for it: 1
 * when it came (ipcb_side_wait_end() then returns at once), 0 not yet, or a negative errno.
 * For a sender that must keep sending until its receivers are done (IPCB_CAP_LOSSY).
 */
int ipcb_side_end_within(int ms);
/*
 * A side that stands in for a side on another host (bench/remote/remote.h) and so has no address of
 * its own until that side's comes back: the others' addresses, as soon as all of them are in
 * (its own slot empty). It then publishes the other host's with ipcb_side_exchange().
 */
int ipcb_side_want_peers(struct ipcb_addr *all);
/* The side's control socket, to poll beside other descriptors (readable: a message waits). */
int ipcb_side_fd(void);
/*
 * A stand-in's failure happened elsewhere, at when_ns on this host's clock: the launch then
 * weighs it against the other sides' failures by that time (the first failure is the cause).
 */
void ipcb_side_failed_at(uint64_t when_ns);
/*
 * In a side, from any of its threads: it has failed with the error `err` (one line); end the
 * side now, as its body's failure would, without waiting for its other threads.
 */
__attribute__((noreturn)) void ipcb_side_abort(const char *err);

/*
 * In a side: its work has just failed. The failure's time is taken now, not when the body
 * returns: closing an endpoint can take a while and tell the peer (a server that shuts down
 * cancels its calls), whose consequent error must not look like the first. A side started by a
 * runtime sends `err` to the driver now (see ipcb_launch_runtime).
 */
void ipcb_side_failing(const char *err);

/* Ignore SIGPIPE and SIGXFSZ: a write to a closed pipe or past RLIMIT_FSIZE fails instead. */
void ipcb_run_signals_ignore(void);
/* That, and block the signals a launch waits for; call once at start-up, before any launch. */
int ipcb_run_signals_block(void);
/* Has a signal asked the driver to stop? Takes it and returns its number, or 0. */
int ipcb_run_interrupt_pending(void);
/*
 * A descriptor that is readable while a signal that asks the driver to stop (or SIGCHLD) is
 * pending, to poll beside others; take the signal with ipcb_run_interrupt_pending(). -errno.
 */
int ipcb_run_signal_fd(void);

#endif
