/* SPDX-License-Identifier: MIT */
/*
 * crash.h - what a crash of the driver would leave behind, removed as it dies.
 *
 * A signal that asks the driver to stop is taken cleanly (launch.h: the run is stopped, its
 * sides killed and reaped, its objects removed). A crash cannot be taken so: a fault in the
 * driver's own code (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, a stack overflow
 * included) or an abort() ends it at once, before any teardown, and would leave the run's
 * directory, its System V objects and registry, its POSIX objects and whatever its servers
 * started, for the next invocation to stumble on and --cleanup to clear.
 *
 * The guard catches those signals, on a stack of its own, and removes with async-signal-safe
 * calls only what --cleanup would remove once the process is gone: every entry named after this
 * process ("ipcbench-<pid>-...", cleanup.h) in /dev/shm, /dev/mqueue, $TMPDIR (or /tmp), /tmp and
 * the directory given at installation, a run's directory whole after the processes it lists
 * (rundir.h) are killed, a System V registry after the objects it lists that are still ours;
 * and the temporary names of output files not yet placed (outfile.h). The sides die with the
 * driver (PR_SET_PDEATHSIG). Then it restores the default action and raises the signal again,
 * so that the exit status and the core dump are the crash's.
 *
 * The same signals sent by another process (kill -SEGV) are no crash: once the driver has blocked
 * its stop signals (ipcb_run_signals_block) they are queued as requests to stop, like SIGTERM;
 * before that they end the process as their default action does. In a forked child (a side, a
 * server before its exec) the guard steps aside: the child dies as it would have without it.
 */
#ifndef IPCB_CRASH_H
#define IPCB_CRASH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Install the guard for this process, also sweeping dir (--dir; NULL: none) at a crash. Once
 * per process; later calls change nothing. 0, or -errno (malloc, sigaltstack, sigaction).
 */
int ipcb_crash_guard_install(const char *dir);

/*
 * Does the guard catch sig in this process? Such a signal must stay unblocked, or the kernel
 * would end the process on a fault without running the guard.
 */
bool ipcb_crash_guard_catches(int sig);

/*
 * From now on, one of the guard's signals sent by another process is a request to stop: it is
 * left pending and blocked, for the launch's signal descriptor and ipcb_run_interrupt_pending().
 */
void ipcb_crash_guard_queue_stops(void);

/*
 * For a message about a process that died of sig: when sig is SIGSEGV or SIGBUS and this
 * process's stack limit (RLIMIT_STACK, which its children inherit) is under a mebibyte, "; the
 * stack limit is 32 KiB (ulimit -s)", else "". A program that needs more stack than that dies so.
 */
void ipcb_crash_stack_note(int sig, char *out, size_t n);

#endif
