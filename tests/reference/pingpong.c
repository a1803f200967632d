/* SPDX-License-Identifier: MIT */
/*
 * pingpong.c - the leanest round trips, the references ipcbench's rows are held to
 * (docs/methodology.md, "The harness against the leanest tools"): two processes on the CPUs
 * given, one SIZE-byte message (64 by default) sent and echoed N times after a warm-up, over a
 * pipe each way, a Unix stream socket pair, a TCP connection on loopback (TCP_NODELAY), one
 * System V queue with a type per direction, or shared memory: a slot per direction whose
 * sequence word shares the first cache line with the payload, the reader spinning on it (as
 * ipcbench's shm ring does, without its ring). No clock read, histogram or check inside the
 * loop but one byte of the echo. Prints the mean round trip in ns. With `clock`, A reads the
 * clock either side of each round trip as ipcbench does, and prints the mean of those intervals.
 *
 * Usage: pingpong pipe|unix|tcp|sysv-mq|shm CPU_A CPU_B [N [SIZE [clock]]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int kind, fds[4], q; /* kind 0 pipe, 1 unix, 2 sysv-mq, 3 tcp, 4 shm */
static size_t size;
static int one_cpu; /* both sides on one CPU: a spinning reader yields it */
static struct {
	long type;
	char text[65536];
} m;
/* shm: a slot per direction, 128-byte aligned: the sequence word, then the payload. */
static struct slot {
	_Alignas(128) unsigned seq;
	char text[124];
} * slots;

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
	int fd = kind == 1 || kind == 3 ? fds[side] : fds[out ? (side ? 3 : 1) : (side ? 0 : 2)];
	static unsigned seq[2];

	if (kind == 4) { /* slot 0 carries A to B, slot 1 B to A */
		struct slot *sl = &slots[side ^ !out];

		if (out) {
			memcpy(sl->text, buf, size);
			__atomic_store_n(&sl->seq, ++seq[out], __ATOMIC_RELEASE);
		} else {
			while (__atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE) != seq[out] + 1)
				one_cpu ? sched_yield() : __builtin_ia32_pause();
			memcpy(buf, sl->text, size);
			seq[out]++;
		}
		return;
	}
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

/* A TCP connection on loopback, Nagle off on both ends: fds[0] A's end, fds[1] B's. */
static int tcp_pair(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    (fds[0] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fds[0], (struct sockaddr *)&a, len) || (fds[1] = accept(l, NULL, NULL)) < 0)
		return -1;
	close(l);
	return setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) |
	       setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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
	struct timespec t0, t1, a, b;
	int clocked = argc > 6 && !strcmp(argv[6], "clock"), status;
	double sum = 0;
	pid_t pid;

	size = argc > 5 ? (size_t)atol(argv[5]) : 64;
	one_cpu = argc > 3 && atoi(argv[2]) == atoi(argv[3]);
	kind = argc < 4			     ? -1
	       : !strcmp(argv[1], "pipe")    ? 0
	       : !strcmp(argv[1], "unix")    ? 1
	       : !strcmp(argv[1], "sysv-mq") ? 2
	       : !strcmp(argv[1], "tcp")     ? 3
	       : !strcmp(argv[1], "shm")     ? 4
					     : -1;
	if (kind < 0 || n < 1 || size < 1 || argc > 7 || (argc == 7 && !clocked) ||
	    size > (kind == 4 ? sizeof(slots->text) : sizeof(m.text))) {
		fprintf(stderr, "usage: pingpong pipe|unix|tcp|sysv-mq|shm CPU_A CPU_B [N [SIZE <= "
				"64K, shm <= 124 [clock]]]\n");
		return 2;
	}
	if ((kind == 0 && (pipe(fds) || pipe(fds + 2))) ||
	    (kind == 1 && socketpair(AF_UNIX, SOCK_STREAM, 0, fds)) ||
	    (kind == 2 && (q = msgget(IPC_PRIVATE, 0600)) < 0) || (kind == 3 && tcp_pair() != 0) ||
	    (kind == 4 && (slots = mmap(NULL, 2 * sizeof(*slots), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED))
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
		if (clocked)
			clock_gettime(CLOCK_MONOTONIC, &a);
		move(0, buf, 1);
		move(0, back, 0);
		if (clocked && i >= warm) {
			clock_gettime(CLOCK_MONOTONIC, &b);
			sum +=
			    (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
		}
		if (back[i % size] != (char)i) {
			fprintf(stderr, "pingpong: message %ld came back changed\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, &status, 0);
	if (kind == 2)
		msgctl(q, IPC_RMID, NULL);
	printf("%.1f\n", (clocked ? sum
				  : (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
					(double)(t1.tv_nsec - t0.tv_nsec)) /
			     (double)n);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
