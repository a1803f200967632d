/* SPDX-License-Identifier: MIT */
/*
 * count.h - counting a side of a run instead of timing it (ipcbench --count): what the side does
 * per message, counted by valgrind's callgrind, which runs the side. Counts do not depend on the
 * machine's load, so one run per side decides a comparison; see docs/ci-gate.md.
 *
 * A side counts only its measured part (ipcb_count_start() to ipcb_count_stop()), and never
 * while it waits: a spinning reader's polls, a sleeping one's futex calls, a second read() for
 * the rest of a message that came in pieces, all depend on the other side's timing. The harness
 * and every transport mark such a wait (ipcb_count_wait(true) before, false after; a module
 * through its endpoint, ipcb_wait_begin() in <ipcbench/transport.h>), and callgrind's collection
 * is switched off for it. Switching costs a few instructions of its own each time, counted as
 * the side's: the side counts its waits, and a calibration (K empty waits, dumped apart) lets
 * the reader take exactly their cost back out.
 *
 * Outside a counted side every call here is one load and a branch (ipcb_counting is false).
 */
#ifndef IPCB_COUNT_H
#define IPCB_COUNT_H

#include <stdbool.h>
#include <stdint.h>

/* This process is a side of a counted run. */
extern bool ipcb_counting;
/* Set by the harness's wrappers while a transport's hook runs: its waits are the transport's. */
extern bool ipcb_count_in_transport;

/* Why --count cannot run in this build (no client requests, a sanitizer), or NULL: it can. */
const char *ipcb_count_unsupported(void);

void ipcb_count_mark(bool begin);

/* A wait begins (true) or ends (false): nested waits count once. */
static inline void ipcb_count_wait(bool begin)
{
	if (__builtin_expect(ipcb_counting, 0))
		ipcb_count_mark(begin);
}

/*
 * A counted side's start: tag names its profiles ("ipcb-count TAG side N"); first a
 * calibration of IPCB_COUNT_CALIBRATION empty waits, dumped as "... calibration".
 */
void ipcb_count_begin_side(const char *tag, unsigned side);

/*
 * A traced side's start (ipcbench --count's pass under strace): its measured part is marked in
 * the trace by a write to descriptor -1 (which fails, EBADF, and moves nothing) of
 * "ipcb-count TAG side N start" before it and "ipcb-count TAG side N stop messages M" after,
 * where a reader of the trace finds the part of each side's calls to count (lib/sysbytes.h).
 */
void ipcb_count_begin_trace(const char *tag, unsigned side);
#define IPCB_COUNT_MARK "ipcb-count "

#define IPCB_COUNT_CALIBRATION 1000

/* The measured part begins: callgrind's counts are zeroed and collection starts. */
void ipcb_count_start(void);
/* It ends after `messages` messages: collection stops and the profile is dumped, its trigger
 * "ipcb-count TAG side N messages M waits W in-transport T". */
void ipcb_count_stop(uint64_t messages);

#endif /* IPCB_COUNT_H */
