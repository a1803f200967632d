/* SPDX-License-Identifier: MIT */
/*
 * tapout.h - a tiny Test Anything Protocol emitter: for the tests (meson's `protocol: 'tap'`)
 * and for `ipcbench selftest`.
 *
 * Checks never depend on NDEBUG: each ok() prints one TAP line and counts a failure, and
 * tap_done() prints the plan and returns the exit status (0 all passed, 1 any failed).
 * A failed check and the diagnostics after it go to standard error as well: meson's console
 * shows a failed test's standard error, not its TAP stream, so a red CI log says what it saw.
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
static int tap_last_failed; /* the last check failed: its diagnostics go to stderr too */

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
	tap_last_failed = !cond;
	if (!cond) {
		tap_failed++;
		fprintf(stderr, "not ok %d - ", tap_n);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return cond;
}

/* Equality of two integers, printing both on failure so a red test says what it saw. */
#define ok_eq(got, want, ...)                                                                      \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			tap_diag("  got %lld, want %lld", g_, w_);                                 \
	} while (0)

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (tap_last_failed) {
		fflush(stdout);
		fputs("# ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* IPCB_TAP_H */
