/* SPDX-License-Identifier: MIT */
/*
 * test_cgcount.c - lib/cgcount.c on real callgrind profiles.
 *
 *   test_cgcount --counted   run as ipcbench's sides do under callgrind: count 100 "messages",
 *                            each a call through a wrapper into a "transport" that makes one
 *                            getppid() system call, with a "wait" of two getpid() calls each
 *                            time that is not counted; dump the profile "ipcb-test".
 *   test_cgcount A B         read the two profiles of two such runs (TAP): the system calls by
 *                            name are the counted ones only, the transport's share is inside the
 *                            instructions, and the two runs' counts are the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgcount.h"
#include "../tap.h"

#ifdef IPCB_HAVE_CALLGRIND
#include <valgrind/callgrind.h>

/* The "transport": some work of its own and one system call. */
__attribute__((noinline)) static int transport_send(volatile unsigned *acc)
{
	for (unsigned i = 0; i < 50; i++)
		*acc += i * 7u;
	return (int)getppid();
}

/* The harness's wrapper around the transport's hook: its calls are the transport's share. */
int ipcb_count_call_send(volatile unsigned *acc);
__attribute__((noinline)) int ipcb_count_call_send(volatile unsigned *acc)
{
	return transport_send(acc);
}

static void counted(void)
{
	volatile unsigned acc = 0;

	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	for (int i = 0; i < 100; i++) {
		ipcb_count_call_send(&acc);
		/* A wait: not counted, system calls included. */
		CALLGRIND_TOGGLE_COLLECT;
		getpid();
		getpid();
		CALLGRIND_TOGGLE_COLLECT;
	}
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT("ipcb-test");
}
#else
static void counted(void)
{
}
#endif

int main(int argc, char **argv)
{
	static const char *const wrappers[] = {"ipcb_count_call_send"};
	struct ipcb_cg_counts c[2];
	char err[512], name[32];

	if (argc == 2 && !strcmp(argv[1], "--counted")) {
		counted();
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: test_cgcount --counted | test_cgcount PROFILE PROFILE\n");
		return 2;
	}
	for (int k = 0; k < 2; k++) {
		int rc = ipcb_cg_read(argv[1 + k], wrappers, 1, &c[k], err, sizeof(err));

		if (!ok(rc == 0, "profile %d reads", k + 1))
			tap_diag("%s", err);
	}
	ok(strstr(c[0].trigger, "ipcb-test") != NULL, "the trigger names the dump (%s)",
	   c[0].trigger);
	ok(c[0].syscalls == 100 && c[0].nsys == 1 && !strcmp(c[0].sys[0].name, "getppid") &&
	       c[0].sys[0].n == 100,
	   "100 counted system calls, all getppid; the 200 getpid of the waits are not counted "
	   "(%g: %s %g)",
	   c[0].syscalls, c[0].nsys ? c[0].sys[0].name : "-", c[0].nsys ? c[0].sys[0].n : 0);
	ok(c[0].transport >= 100 * 50 && c[0].transport < c[0].instr,
	   "the transport's share holds its loops and is part of the instructions (%g of %g)",
	   c[0].transport, c[0].instr);
	ok(c[0].instr == c[1].instr && c[0].transport == c[1].transport &&
	       c[0].syscalls == c[1].syscalls,
	   "two runs count the same (%g and %g instructions)", c[0].instr, c[1].instr);
	ipcb_cg_syscall_name("__GI___libc_write", name, sizeof(name));
	ok(!strcmp(name, "write"), "__GI___libc_write is write (%s)", name);
	ipcb_cg_syscall_name("__libc_recvfrom", name, sizeof(name));
	ok(!strcmp(name, "recvfrom"), "__libc_recvfrom is recvfrom (%s)", name);
	ipcb_cg_syscall_name("__futex_abstimed_wait_common64", name, sizeof(name));
	ok(!strcmp(name, "futex"), "a futex wait is futex (%s)", name);
	ipcb_cg_syscall_name("__pread64_nocancel", name, sizeof(name));
	ok(!strcmp(name, "pread"), "__pread64_nocancel is pread (%s)", name);
	ok(ipcb_cg_read("/nonexistent/profile", wrappers, 1, &c[0], err, sizeof(err)) == -ENOENT &&
	       strstr(err, "/nonexistent/profile"),
	   "a missing profile is named (%s)", err);
	ok(ipcb_cg_read(argv[0], wrappers, 1, &c[0], err, sizeof(err)) == -EINVAL,
	   "a file that is no profile is refused (%s)", err);
	return tap_done();
}
