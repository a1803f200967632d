/* SPDX-License-Identifier: MIT */
/*
 * pingpong.c - the leanest round trips, the references ipcbench's rows are held to
 * (docs/methodology.md, "The harness against the leanest tools"): two processes on the CPUs
 * given, one SIZE-byte message (64 by default) sent and echoed N times after a warm-up, over a
 * pipe each way, a Unix stream socket pair, or one System V queue with a type per direction;
 * no clock read, histogram or check inside the loop but one byte of the echo. Prints the mean
 * round trip in ns.
 *
 * Usage: pingpong pipe|unix|sysv-mq CPU_A CPU_B [N [SIZE]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int kind, fds[4], q; /* kind 0 pipe, 1 unix, 2 sysv-mq */
static size_t size;
static struct {
	long type;
	char text[65536];
} m;

static void die(const char *what)
{
	perror(what);
	if (kind == 2 && q > 0)
		msgctl(q, IPC_RMID,
		       NULL); /* the queue outlives its processes: removed either way */
	exit(1);
}

/* Move one message: side 0 is A, 1 is B; out: send. A stream may move it in pieces. */
static void move(int side, char *buf, int out)
{
	int fd = kind == 1 ? fds[side] : fds[out ? (side ? 3 : 1) : (side ? 0 : 2)];

	if (kind == 2) {
		m.type = 1 + (side ^ !out); /* 1: A to B, 2: B to A */
		if (out && (memcpy(m.text, buf, size), msgsnd(q, &m, size, 0)) != 0)
			die("msgsnd");
		if (!out &&
		    (msgrcv(q, &m, size, m.type, 0) != (ssize_t)size || !memcpy(buf, m.text, size)))
			die("msgrcv");
		return;
	}
	for (size_t done = 0; done < size;) {
		ssize_t k =
		    out ? write(fd, buf + done, size - done) : read(fd, buf + done, size - done);

		if (k <= 0)
			die(out ? "write" : "read");
		done += (size_t)k;
	}
}

static void pin(const char *cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity");
}

int main(int argc, char **argv)
{
	long n = argc > 4 ? atol(argv[4]) : 200000, warm = n / 10 + 100;
	/* Static: no allocation to free on any way out (the sanitizers' leak check runs it too). */
	static char buf[sizeof(m.text)], back[sizeof(m.text)];
	struct timespec t0, t1;
	int status;
	pid_t pid;

	size = argc > 5 ? (size_t)atol(argv[5]) : 64;
	kind = argc < 4			     ? -1
	       : !strcmp(argv[1], "pipe")    ? 0
	       : !strcmp(argv[1], "unix")    ? 1
	       : !strcmp(argv[1], "sysv-mq") ? 2
					     : -1;
	if (kind < 0 || n < 1 || size < 1 || size > sizeof(m.text)) {
		fprintf(stderr,
			"usage: pingpong pipe|unix|sysv-mq CPU_A CPU_B [N [SIZE <= 64K]]\n");
		return 2;
	}
	if ((kind == 0 && (pipe(fds) || pipe(fds + 2))) ||
	    (kind == 1 && socketpair(AF_UNIX, SOCK_STREAM, 0, fds)) ||
	    (kind == 2 && (q = msgget(IPC_PRIVATE, 0600)) < 0))
		die("set-up");
	if ((pid = fork()) == 0) { /* B: echo every message */
		pin(argv[3]);
		for (long i = 0; i < warm + n; i++) {
			move(1, back, 0);
			move(1, back, 1);
		}
		_exit(0);
	}
	pin(argv[2]);
	for (long i = 0; i < warm + n; i++) {
		if (i == warm)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		buf[i % size] = (char)i;
		move(0, buf, 1);
		move(0, back, 0);
		if (back[i % size] != (char)i) {
			fprintf(stderr, "pingpong: message %ld came back changed\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, &status, 0);
	if (kind == 2)
		msgctl(q, IPC_RMID, NULL);
	printf("%.1f\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		   (double)n);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
