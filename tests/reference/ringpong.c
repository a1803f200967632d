/* SPDX-License-Identifier: MIT */
/*
 * ringpong.c - the shm transport's ring (transports/util/ring.h) in the leanest loop: side A
 * writes a message into one ring and reads the echo from the other, side B reads and writes it
 * back, both spinning, in a shared anonymous mapping. No transport hooks, histogram, stamps or
 * checks but one byte of the echo: set beside ipcbench's shm row and pingpong.c's fixed slots, it
 * tells the ring's cost from the harness's (scripts/harness-check). With `clock`, A reads the
 * clock around each round trip as ipcbench does and prints the mean of those intervals; without
 * it, the whole loop's time over N.
 *
 * Usage: ringpong CPU_A CPU_B [N [SIZE [clock]]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ring.h"

static void pin(const char *cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[3]) : 200000, warm = n / 10 + 100;
	size_t size = argc > 4 ? (size_t)atol(argv[4]) : 64;
	int clocked = argc > 5 && !strcmp(argv[5], "clock"), status;
	static char buf[4096], back[4096];
	struct ipcb_ring_end out = {0}, in = {0};
	struct ipcb_ring_plan plan;
	struct ipcb_ring *r[2];
	struct ipcb_err e = {0};
	uint64_t t0 = 0, sum = 0;
	size_t ring_bytes;
	char *map;
	pid_t pid;

	if (argc < 3 || argc > 6 || n < 1 || size < 1 || size > sizeof(buf) ||
	    (argc == 6 && !clocked)) {
		fprintf(stderr, "usage: ringpong CPU_A CPU_B [N [SIZE <= 4096 [clock]]]\n");
		return 2;
	}
	ipcb_ring_plan(size, IPCB_RING_TRIPS, &plan);
	ring_bytes = (plan.ring_bytes + 4095) & ~(size_t)4095;
	map = mmap(NULL, 2 * ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (int d = 0; d < 2; d++)
		ipcb_ring_init(r[d] = (struct ipcb_ring *)(map + d * ring_bytes), &plan);
	/* A writes ring 0 and reads ring 1; B the other way round (its ends are set after fork). */
	ipcb_ring_end_init(&out, r[0]);
	ipcb_ring_end_init(&in, r[1]);
	if ((pid = fork()) == 0) { /* B: echo every message */
		pin(argv[2]);
		ipcb_ring_end_init(&in, r[0]);
		ipcb_ring_end_init(&out, r[1]);
		for (long i = 0; i < warm + n; i++)
			if (ipcb_ring_read(r[0], &in, back, size, IPCB_WAIT_SPIN, 0, &e) ||
			    ipcb_ring_write(r[1], &out, back, size, IPCB_WAIT_SPIN, 0, &e))
				_exit(1);
		_exit(0);
	}
	pin(argv[1]);
	for (long i = 0; i < warm + n; i++) {
		uint64_t a = 0;

		if (i == warm)
			t0 = ipcb_now_ns();
		buf[i % size] = (char)i;
		if (clocked)
			a = ipcb_now_ns();
		if (ipcb_ring_write(r[0], &out, buf, size, IPCB_WAIT_SPIN, 0, &e) ||
		    ipcb_ring_read(r[1], &in, back, size, IPCB_WAIT_SPIN, 0, &e)) {
			fprintf(stderr, "ringpong: %s failed\n", e.call);
			return 1;
		}
		if (clocked && i >= warm)
			sum += ipcb_now_ns() - a;
		if (back[i % size] != (char)i) {
			fprintf(stderr, "ringpong: message %ld came back changed\n", i);
			return 1;
		}
	}
	t0 = ipcb_now_ns() - t0;
	waitpid(pid, &status, 0);
	munmap(map, 2 * ring_bytes);
	printf("%.1f\n", (double)(clocked ? sum : t0) / (double)n);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
