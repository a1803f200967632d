/* SPDX-License-Identifier: MIT */
/*
 * cgcount.h - the counts of one side of a counted run, read from the profile valgrind's
 * callgrind wrote for it (ipcbench --count): the instructions the side executed while it was
 * counting, how many of them were the transport's, and the system calls it made, by name.
 *
 * The side counts only inside its measured part, and not while it waits (the harness toggles
 * callgrind's collection off around every wait a transport or the harness marks), so what is
 * left is its work per message. Callgrind counts instructions only while collecting, but its
 * system-call counter (--collect-systime) counts every call, collecting or not; so a system
 * call is counted here by its instruction instead: the profile is dumped per instruction
 * (--dump-instr=yes), and the collected executions of each instruction that made system calls
 * are the calls made while counting.
 *
 * The transport's share is the inclusive cost of the calls made from the harness's wrapper
 * functions around the transport's hooks (their names are given): everything the transport's
 * code and the libraries it calls executed for them.
 *
 * The profile must be written with --compress-strings=no --compress-pos=no --dump-instr=yes
 * --collect-systime=yes; anything else is refused, naming the line.
 */
#ifndef IPCB_CGCOUNT_H
#define IPCB_CGCOUNT_H

#include <stddef.h>

#define IPCB_CG_MAX_SYSCALLS 24

struct ipcb_cg_counts {
	char trigger[160]; /* what made callgrind write the profile ("Client Request: TAG") */
	double instr;	   /* instructions executed while collecting */
	double transport;  /* of them, inside the calls the wrappers made */
	double syscalls;   /* system calls made while collecting */
	struct {
		char name[32]; /* the C library's wrapper, as a system call's name: "write" */
		double n;
	} sys[IPCB_CG_MAX_SYSCALLS]; /* by count, most first; the rest under "other" */
	size_t nsys;
};

/*
 * Read the profile at path. wrappers[0..nwrappers): the names of the functions whose calls are
 * the transport's share. 0, or a negative errno with err naming the file (and line).
 */
int ipcb_cg_read(const char *path, const char *const *wrappers, size_t nwrappers,
		 struct ipcb_cg_counts *out, char *err, size_t errlen);

/* A C library function's name as the system call it makes: "__GI___libc_write" is "write". */
void ipcb_cg_syscall_name(const char *fn, char *out, size_t n);

#endif /* IPCB_CGCOUNT_H */
