/* SPDX-License-Identifier: MIT */
/*
 * run.h - the engine's API: one measured run. Create the channel, have the spec's launcher
 * start its sides (launcher.h), let them find each other and exchange messages, collect what
 * they measured, and remove every kernel object and path the run made, whatever happened.
 *
 * Signals: the caller blocks SIGCHLD and the signals that ask it to stop (every catchable
 * signal whose default action ends a process: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2,
 * SIGALRM, SIGPWR, SIGIO, SIGSYS, the real-time signals, ...) in the driver, and ignores SIGPIPE
 * and SIGXFSZ, so that writes fail with an error instead (ipcb_run_signals_block()); a run waits
 * for them, so an interrupt or a dying side ends the run at once and cleanly, and the driver is
 * never woken while the sides measure. A side that does not die when killed (frozen by a cgroup
 * freezer) is waited for a few seconds, then left unreaped with a message.
 *
 * Each side is pinned to its CPU, and a run whose side did not stay there (a cpuset shrank, the
 * affinity was changed) fails, naming the CPUs it was seen on. Sides ask the OOM killer to take
 * them before the driver (oom_score_adj 1000).
 */
#ifndef IPCB_RUN_H
#define IPCB_RUN_H

#include "area.h"
#include "launcher.h"
#include "spec.h"

/*
 * Run one measurement. 0 on success; -EINTR when interrupted by a signal (r->signal says which);
 * another negative errno when the run failed (r->error says which side and call). Either way the
 * sides are ended and the transport torn down. On success r->hist is owned by the caller
 * (ipcb_run_result_fini()). s->launcher starts the sides.
 */
int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
void ipcb_run_result_fini(struct ipcb_run_result *r);
/*
 * A side's whole life in a run, as a launch's body (arg: the run's struct ipcb_run_ctx, area:
 * its struct ipcb_run_area): open its endpoint, find its peers, wait at the start barrier, run
 * its timed loop, store what it measured in its slot of the area, close. For a launcher whose
 * sides run elsewhere than the engine's own launch (a runtime's ranks).
 */
int ipcb_run_side_body(const struct ipcb_side *me, void *arg, void *area, char *err);

#endif
