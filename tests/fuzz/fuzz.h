/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what every libFuzzer target in tests/fuzz shares: the entry point's prototype, an
 * invariant check that aborts (so libFuzzer saves the input as a crash), and the input as a C
 * string. Header-only: each target is one .c file linked against libipcb.a (scripts/fuzz).
 */
#ifndef IPCB_FUZZ_H
#define IPCB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A target that runs with stderr closed (-close_fd_mask=2, for code that prints) saves the real
 * one here first, so FUZZ_CHECK can still say what broke.
 */
static int fuzz_stderr_fd = -1;

/*
 * Not assert(): a broken invariant must stop the run whatever NDEBUG says, and the message must
 * say which promise broke, since the reproducer alone rarely makes that obvious.
 */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			if (fuzz_stderr_fd >= 0)                                                   \
				dup2(fuzz_stderr_fd, STDERR_FILENO);                               \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__,       \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * The input as a NUL-terminated heap string of exactly size + 1 bytes, so AddressSanitizer catches
 * a parser reading past the terminator. An embedded NUL simply ends the string early, as it
 * would in argv. Returns NULL only when out of memory.
 */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* err after a failed parse: a message, terminated inside the buffer, naming the option. */
static inline void fuzz_check_err(const char *err, size_t errlen, const char *what)
{
	FUZZ_CHECK(memchr(err, '\0', errlen) != NULL, "error message not terminated");
	FUZZ_CHECK(err[0] != '\0', "empty error message");
	FUZZ_CHECK(strncmp(err, what, strlen(what)) == 0, "error '%s' does not start with '%s'",
		   err, what);
}

#endif /* IPCB_FUZZ_H */
