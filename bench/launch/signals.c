/* SPDX-License-Identifier: MIT */
/*
 * signals.c - the driver's signals: ignored where a write's failure says more (SIGPIPE,
 * SIGXFSZ), blocked where a launch waits for them, taken one at a time; see launch.h. A launch
 * (launch.c) waits for them in its poll through a signalfd, and a process it starts sets the mask
 * back (ipcb_launch_child_reset()).
 */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "crash.h"

static sigset_t run_saved_mask;
static sigset_t run_wait_set;
static int run_signal_fd = -1; /* readable while one of run_wait_set is pending */

const sigset_t *ipcb_launch_saved_mask(void)
{
	return &run_saved_mask;
}

void ipcb_launch_child_reset(void)
{
	sigprocmask(SIG_SETMASK, &run_saved_mask, NULL);
	if (run_signal_fd >= 0)
		close(run_signal_fd);
}

/*
 * Does this signal ask the driver to stop? Every catchable signal whose default action ends the
 * process does: each ends the run in progress cleanly (sides killed and reaped, kernel objects
 * removed, rows kept) instead of killing the driver mid-run. The others stop or continue the
 * process, or are ignored by default; SIGKILL and SIGSTOP cannot be caught. glibc keeps the
 * first two real-time signals for itself (SIGRTMIN is the first it leaves).
 *
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP and SIGSYS are stop signals too when another
 * process sends them. Where the crash guard runs (crash.h) they stay unblocked, since the kernel
 * ends a process whose fault signal is blocked without running any handler: the guard tells a
 * crash (cleaned up after, then the default action) from one sent (queued blocked, taken here
 * like the rest). Without the guard they are blocked like the rest, and a crash is forced
 * through by the kernel, default action and core dump.
 */
static bool is_stop_signal(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGCHLD:
	case SIGCONT:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGURG:
	case SIGWINCH:
		return false;
	default:
		return sig >= 1 && sig <= SIGRTMAX && (sig < 32 || sig >= SIGRTMIN);
	}
}

/*
 * A write to a closed pipe or past RLIMIT_FSIZE makes the kernel send the writer SIGPIPE or
 * SIGXFSZ; the driver ignores them so that the write fails with EPIPE or EFBIG, which it reports.
 * Blocked, an ignored signal is still queued (the kernel cannot know what the handler will be
 * when it is unblocked), so ours show up in sigtimedwait too: those the driver sent itself are
 * only the echo of a failed write, and are dropped.
 */
static bool is_own_write_signal(int sig, const siginfo_t *si)
{
	return (sig == SIGPIPE || sig == SIGXFSZ) && si->si_pid == getpid();
}

void ipcb_run_signals_ignore(void)
{
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

int ipcb_run_signals_block(void)
{
	sigset_t block;

	ipcb_run_signals_ignore();
	sigemptyset(&run_wait_set);
	sigaddset(&run_wait_set, SIGCHLD);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (is_stop_signal(sig))
			sigaddset(&run_wait_set, sig);
	block = run_wait_set;
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (ipcb_crash_guard_catches(sig))
			sigdelset(&block, sig);
	if (sigprocmask(SIG_BLOCK, &block, &run_saved_mask) < 0)
		return -errno;
	ipcb_crash_guard_queue_stops();
	return 0;
}

/*
 * The descriptor a launch polls to wake when a signal is pending (the signals themselves are
 * taken with sigtimedwait). Made at the first launch, not at start-up, so that it takes no
 * descriptor before the outputs have theirs.
 */
int ipcb_run_signal_fd(void)
{
	if (run_signal_fd < 0)
		run_signal_fd = signalfd(-1, &run_wait_set, SFD_NONBLOCK | SFD_CLOEXEC);
	return run_signal_fd < 0 ? -errno : run_signal_fd;
}

int ipcb_launch_signal_wait(siginfo_t *si, const struct timespec *wait)
{
	return sigtimedwait(&run_wait_set, si, wait);
}

bool ipcb_launch_signal_stops(int sig, const siginfo_t *si)
{
	return is_stop_signal(sig) && !is_own_write_signal(sig, si);
}

/* Take one pending signal that asks the driver to stop; 0 when there is none. */
static int run_stop_take(void)
{
	struct timespec zero = {0, 0};
	sigset_t stops = run_wait_set;
	siginfo_t si;
	int sig;

	sigdelset(&stops, SIGCHLD);
	while ((sig = sigtimedwait(&stops, &si, &zero)) > 0)
		if (!is_own_write_signal(sig, &si))
			return sig;
	return 0;
}

int ipcb_run_interrupt_pending(void)
{
	return run_stop_take();
}
