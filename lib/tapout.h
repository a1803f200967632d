/* SPDX-License-Identifier: MIT */
/*
 * tapout.h - a tiny Test Anything Protocol emitter: for the tests (meson's `protocol: 'tap'`)
 * and for `ipcbench selftest`.
 *
 * Checks never depend on NDEBUG: each ok() prints one TAP line and counts a failure, and
 * tap_done() prints the plan and returns the exit status (0 all passed, 1 any failed).
 * Header-only so every test program is one .c file.
 */
#ifndef IPCB_TAP_H
#define IPCB_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

__attribute__((format(printf, 2, 3))) static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* Equality of two integers, printing both on failure so a red test says what it saw. */
#define ok_eq(got, want, ...)                                                                      \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			printf("#   got %lld, want %lld\n", g_, w_);                               \
	} while (0)

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* IPCB_TAP_H */
