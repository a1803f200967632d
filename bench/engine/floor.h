/* SPDX-License-Identifier: MIT */
/*
 * floor.h - what the hardware allows, measured by the same harness on the same CPUs, so every
 * transport's row can be read as a multiple of it.
 *
 * - cache line: two processes pinned like a run bounce one shared cache line with both spinning;
 *   its round trip is the fastest any shared-memory handshake between those CPUs can be.
 * - memcpy: one CPU copying `size` bytes between two private buffers; the most a transport that
 *   copies the payload once can reach per CPU.
 * - futex: the same ping-pong with both sides asleep in FUTEX_WAIT between turns: two blocking
 *   wake-ups per round trip, the floor under every mechanism whose reader sleeps.
 *
 * On one CPU (cpu[0] == cpu[1]) the spinning ping-pong yields the CPU on every poll, since a
 * spinner would otherwise hold it for a whole time slice: its floor is then two context switches.
 */
#ifndef IPCB_FLOOR_H
#define IPCB_FLOOR_H

#include "launcher.h"
#include "spec.h"

/* Round-trip histogram of a bare cache-line ping-pong. Same return convention as ipcb_run_one. */
int ipcb_floor_cacheline(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
/* memcpy bandwidth of s->size_bytes on s->cpu[IPCB_SENDER]; fills bytes_per_s, msgs_per_s. */
int ipcb_floor_memcpy(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
/*
 * The same copy with the destination dst_offset bytes past the source modulo 4 KiB (both
 * buffers start on a page): the machine's copy cliffs. On some CPUs a copy whose destination
 * lies a few bytes past its source within a page runs many times slower than an aligned one
 * (glibc's `rep movsb` on AMD Zen: 3 GB/s for 64 KiB 8 bytes off, 50 GB/s aligned); a
 * transport whose payload sits at such an offset from the caller's buffer pays it on every
 * message. The row's channel column says the offset.
 */
int ipcb_floor_memcpy_at(const struct ipcb_run_spec *s, size_t dst_offset,
			 struct ipcb_run_result *r);

/*
 * Round-trip histogram of a ping-pong of s->size_bytes payloads through a mailbox per direction
 * (a sequence word on its own line, the payload after it; both sides spin), copying the payload
 * in and out on each side: the leanest round trip of its size through memory both sides map,
 * the faster of two layouts (floorcopy.c; r->layout says which). A message of up to
 * IPCB_FLOOR_MAILBOX_WHOLE bytes crosses whole, larger ones in pieces of that size.
 */
#define IPCB_FLOOR_MAILBOX_WHOLE (16u * 1024)
int ipcb_floor_mailbox(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
/*
 * Bandwidth of s->cpu[IPCB_RECEIVER] copying out s->size_bytes messages that s->cpu[IPCB_SENDER]
 * has just written: the ceiling of a stream whose reader copies each message once.
 */
int ipcb_floor_xcopy(const struct ipcb_run_spec *s, struct ipcb_run_result *r);

/*
 * Messages per second of a stream of one cache line each (a sequence word and 56 bytes of
 * payload) from s->cpu[IPCB_SENDER] to s->cpu[IPCB_RECEIVER], each announced on its own line
 * and read in order, both sides spinning: the ceiling of a stream of small messages, whose
 * hand-over a copy floor does not count. s->size_bytes is not used.
 */
int ipcb_floor_handover(const struct ipcb_run_spec *s, struct ipcb_run_result *r);

/*
 * Calls per second of the cheapest system call (getppid) on s->cpu[IPCB_SENDER]: the least a
 * message pays for each system call its mechanism makes (msgs_per_s: calls per second).
 */
int ipcb_floor_syscall(const struct ipcb_run_spec *s, struct ipcb_run_result *r);

/* Round-trip histogram of a futex wait/wake ping-pong. */
int ipcb_floor_futex(const struct ipcb_run_spec *s, struct ipcb_run_result *r);

/*
 * Do the two CPUs' clocks agree? Both sides spin and exchange timestamps: for each exchange the
 * receiver's clock minus the sender's lies in [t2 - t3, t2 - t1]; the intersection over all
 * exchanges holds the true offset. On one host CLOCK_MONOTONIC is meant to be one clock, so 0
 * must lie inside; the interval's extent is how precisely that was shown.
 */
struct ipcb_clock_check {
	bool consistent;  /* 0 lies in the intersection: no skew was detected */
	int64_t lo_ns;	  /* the offset's lower bound */
	int64_t hi_ns;	  /* its upper bound */
	int64_t bound_ns; /* max(|lo|, |hi|): the skew is at most this when consistent */
	uint64_t rounds;
	int signal; /* when the check returned -EINTR: the interrupting signal */
};
/* Its two sides are started by ln (the floors' by their spec's launcher). */
int ipcb_clock_check(const struct ipcb_launcher *ln, const int cpu[2], double timeout_s,
		     struct ipcb_clock_check *out, char *error, size_t error_bytes);

#endif
