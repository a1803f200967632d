/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the one clock ipcbench reads. CLOCK_MONOTONIC is shared by all CPUs of a host and
 * read through the vDSO (no system call) when the clocksource allows, so one read costs tens of
 * nanoseconds: the `null` transport measures exactly that overhead.
 */
#ifndef IPCB_CLOCK_H
#define IPCB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t ipcb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
