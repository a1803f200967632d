/* SPDX-License-Identifier: MIT */
/*
 * launcher.h - what the engine asks of whoever starts the sides of a run, and what a side may
 * ask of whoever started it. The engine defines both interfaces and implements neither: the
 * launchers (bench/launch/: forked sides, sides started by a transport's runtime; bench/remote/:
 * one side on another host) implement them, and the caller of ipcb_run_one() picks one in the
 * spec. So the engine never asks where a side runs or how it was started.
 *
 * A launch is N sides, each a role (sender or receiver), an index within its role and a CPU.
 * Each side's body talks to its launcher only through the ops in its struct ipcb_side:
 *
 *   exchange(addr) ...... publishes how peers reach it; returns every side's address
 *   ready() ............. counts in at the start barrier; returns when all are released
 *   done() .............. its measured work is over
 *   wait_end() .......... waits until every side of the other role is done
 *
 * The launcher answers: when every side has published an address it hands each side all of
 * them; when every side is ready it releases them together; when every sender is done it tells
 * the receivers, and the other way round.
 */
#ifndef IPCB_LAUNCHER_H
#define IPCB_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "transport.h"

/* Every error line a side hands back, and the launch's own. */
#define IPCB_RUN_ERR_BYTES 400

/* What a side may ask of its launcher (see the top of this file). Each returns 0 or -errno. */
struct ipcb_side_ops {
	int (*exchange)(const struct ipcb_addr *mine, struct ipcb_addr *all);
	int (*ready)(void);
	int (*done)(void);
	int (*wait_end)(void);
	/*
	 * Has the end come (every side of the other role done)? Waits up to ms milliseconds for
	 * it: 1 when it came (wait_end() then returns at once), 0 not yet, or a negative errno.
	 * For a sender that must keep sending until its receivers are done (IPCB_CAP_LOSSY).
	 */
	int (*end_within)(int ms);
	/*
	 * Its work has just failed, with `err`: the failure's time is taken now, not when the
	 * body returns (closing an endpoint can take a while and tell the peer, whose consequent
	 * error must not look like the first).
	 */
	void (*failing)(const char *err);
	/* From any of the side's threads: it has failed with `err`; end the side now. */
	__attribute__((noreturn)) void (*abort)(const char *err);
};

/* One side of a launch. */
struct ipcb_side {
	enum ipcb_role role;
	unsigned index;	 /* among the sides of its role, from 0 */
	unsigned number; /* among all sides, from 0: senders first */
	unsigned nsides;
	int cpu;			 /* pinned CPU, -1 = not pinned */
	const struct ipcb_side_ops *ops; /* set by the launcher before the body runs */
};

/* "sender", "receiver 2": how errors name a side. */
void ipcb_side_name(const struct ipcb_side *s, unsigned senders, unsigned receivers, char *out,
		    size_t n);

/* A side's work: 0 or a negative errno with err (IPCB_RUN_ERR_BYTES) saying what failed. */
typedef int (*ipcb_side_fn)(const struct ipcb_side *me, void *arg, void *area, char *err);

/* One launch: its sides, what each runs, and how it ended. */
struct ipcb_launch {
	unsigned senders, receivers;
	const int *cpu;	  /* [senders + receivers], senders first; -1 = not pinned */
	double timeout_s; /* the whole launch, start to reaping */
	ipcb_side_fn body;
	void *arg;
	void *area; /* the caller's shared memory, handed to every body */
	/* The sides' process names start "ipcb-<what>" (NULL: "ipcb-", a transport's run). */
	const char *what;
	/* What the run needs beside its sides (spec.h's needs_check): gone, the launch ends. */
	int (*needs_check)(void *ctx);
	void *needs_ctx;
	/* out */
	char error[IPCB_RUN_ERR_BYTES + 200]; /* "receiver: recv: Connection reset by peer" */
	int signal;	  /* the signal that ended it, when it returned -EINTR */
	uint64_t fail_ns; /* when the failing side failed (ipcb_now_ns), 0 when none did */
};

struct ipcb_run_ctx;
struct ipcb_run_area;

/*
 * A way of starting the sides of a run. `self` is the launcher itself, so that one carries its
 * own settings (the peer it reaches, the hosts a runtime starts its sides on) in `priv`.
 */
struct ipcb_launcher {
	const char *name; /* "fork", "runtime", "remote peer" */
	/*
	 * Start the sides, run l->body in each (pinned to its CPU), and wait until all have
	 * exited, one has failed (the others are then ended), a signal asks the driver to stop,
	 * or the timeout passes. c is the run whose sides these are, NULL for a launch of the
	 * engine's own (a floor). 0, or a negative errno with l->error filled: -ECHILD a side
	 * failed, -ETIMEDOUT, -EINTR (l->signal says which). Every side is ended before it
	 * returns, and what each measured is in l->area as its body left it.
	 */
	int (*run)(const struct ipcb_launcher *self, struct ipcb_launch *l, struct ipcb_run_ctx *c);
	/*
	 * Is the side of this role elsewhere, with a side here that only relays for it and takes
	 * no CPU of the placement? NULL: never.
	 */
	bool (*elsewhere)(const struct ipcb_launcher *self, enum ipcb_role role);
	/*
	 * After the sides are ended (rc: how the launch went): 0 to go on and collect the results
	 * from the area, 1 when there is nothing to collect here (the results went elsewhere), or
	 * a negative errno when the run fails after all, with r->error filled. It may also say
	 * what it knows of the run in r (the clocks' bound across two hosts). NULL: rc.
	 */
	int (*after)(const struct ipcb_launcher *self, struct ipcb_run_area *area, int rc,
		     struct ipcb_run_result *r);
	void *priv;
};

#endif
