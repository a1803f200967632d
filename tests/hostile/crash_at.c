/* SPDX-License-Identifier: MIT */
/*
 * crash_at.c - run a program, and on SIGUSR1 make it crash for real: a genuine fault in its own
 * execution, not a signal sent to it (which ipcbench takes as a request to stop).
 *
 * Usage: crash_at [--stack] [--timeout SECONDS] -- PROGRAM [ARGS...]
 *
 * The program runs as this process's child (so that ptrace is allowed where only a parent may
 * trace, kernel.yama.ptrace_scope 1), with no core file. When SIGUSR1 comes, its main thread is
 * stopped with ptrace, its program counter set to 0 with no system call to restart, and let go:
 * its next instruction faults (SIGSEGV, SEGV_MAPERR at address 0), as a call through a null
 * function pointer would. With --stack its stack pointer is set to an address nothing is mapped
 * at instead, and its next use of the stack faults, as an overflowed stack's would: no handler
 * can run on that stack. Exits as a shell reports its child: its exit status, or 128 + the
 * signal that killed it. 77: this machine cannot be made to (an architecture this does not know,
 * ptrace refused); 3: the program ended before SIGUSR1; 2: usage or a system call failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>

#define EXIT_CANNOT 77
/* Where --stack points the stack: below vm.mmap_min_addr, so never mapped. */
#define NO_STACK 4096

static const char *prog = "crash_at";

/*
 * Point the stopped tracee's program counter at 0, or (stack) its stack pointer at NO_STACK,
 * with no system call left to restart.
 */
static int point_at_zero(pid_t pid, bool stack)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		return -errno;
	if (stack)
		regs.rsp = NO_STACK;
	else
		regs.rip = 0;
	regs.orig_rax = (unsigned long long)-1; /* not in a system call: nothing restarts */
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
		return -errno;
	return 0;
#elif defined(__aarch64__)
	struct user_regs_struct regs;
	struct iovec iov = {.iov_base = &regs, .iov_len = sizeof(regs)};
	int nr = -1;
	struct iovec sys = {.iov_base = &nr, .iov_len = sizeof(nr)};

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
	if (stack)
		regs.sp = NO_STACK;
	else
		regs.pc = 0;
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0 ||
	    ptrace(PTRACE_SETREGSET, pid, (void *)NT_ARM_SYSTEM_CALL, &sys) < 0)
		return -errno;
	return 0;
#else
	(void)pid;
	(void)stack;
	return -ENOSYS;
#endif
}

/* Stop pid (our child) with ptrace, make it fault, let it go. 0, or -errno. */
static int crash(pid_t pid, bool stack)
{
	int status, rc;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		rc = -errno;
		goto detach;
	}
	/* Until the interrupt's stop: a signal it was getting meanwhile is passed on first. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			rc = -errno;
			goto detach;
		}
		if (!WIFSTOPPED(status))
			return -ESRCH; /* it ended meanwhile */
		if (status >> 16 == PTRACE_EVENT_STOP)
			break;
		ptrace(PTRACE_CONT, pid, NULL, (void *)(intptr_t)WSTOPSIG(status));
	}
	rc = point_at_zero(pid, stack);
detach:
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};
	struct timespec limit = {600, 0};
	sigset_t set, old;
	siginfo_t si;
	bool stack = false;
	pid_t pid;
	int i = 1, status, rc;

	if (i < argc && strcmp(argv[i], "--stack") == 0) {
		stack = true;
		i++;
	}
	if (i + 1 < argc && strcmp(argv[i], "--timeout") == 0) {
		limit.tv_sec = atol(argv[i + 1]);
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
		fprintf(stderr, "usage: %s [--stack] [--timeout SECONDS] -- PROGRAM [ARGS...]\n",
			prog);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 2;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		setrlimit(RLIMIT_CORE, &no_core);
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "%s: %s: %s\n", prog, argv[i + 1], strerror(errno));
		_exit(127);
	}
	rc = sigtimedwait(&set, &si, &limit);
	if (rc == SIGUSR1) {
		rc = crash(pid, stack);
		if (rc == -ENOSYS || rc == -EPERM) {
			fprintf(stderr, "%s: cannot make pid %d crash here: %s\n", prog, (int)pid,
				rc == -ENOSYS ? "an architecture this does not know"
					      : "ptrace is not allowed");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return EXIT_CANNOT;
		}
		if (rc < 0 && rc != -ESRCH)
			fprintf(stderr, "%s: ptrace: %s\n", prog, strerror(-rc));
	} else {
		fprintf(stderr, "%s: the program ended, or %ld s passed, before SIGUSR1\n", prog,
			(long)limit.tv_sec);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 3;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", prog, strerror(errno));
			return 2;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
