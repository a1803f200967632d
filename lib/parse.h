/* SPDX-License-Identifier: MIT */
/*
 * parse.h - one value of an option, checked whole: a size ("4K", "1MiB"), a whole number in a
 * range, a number of seconds. Each returns 0 or -EINVAL with err holding one line that names
 * the option (`what`) and the bad value; nothing is clamped.
 */
#ifndef IPCB_PARSE_H
#define IPCB_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes, or with a K, M or G suffix (binary units; "4KiB", "4KB" and "4B" too): 1 B to 1G. */
int ipcb_parse_size(const char *s, size_t *out, const char *what, char *err, size_t errlen);
/* A decimal whole number from min to max. */
int ipcb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		   char *err, size_t errlen);
/* A plain decimal number of seconds (an optional 's' after it), from min to max. */
int ipcb_parse_seconds(const char *s, double min, double max, double *out, const char *what,
		       char *err, size_t errlen);
/*
 * A share, as "5%" or as the fraction 0.05 (a bare number of 1 or more is refused as ambiguous:
 * 5 could mean either), above lo and at most hi (fractions).
 */
int ipcb_parse_share(const char *s, double lo, double hi, double *out, const char *what, char *err,
		     size_t errlen);
/* A probability (a test's level), above 0 and at most max. */
int ipcb_parse_probability(const char *s, double max, double *out, const char *what, char *err,
			   size_t errlen);
/* The index of `word` (len bytes) among the '|'-separated `choices` ("spin|block"), or -1. */
int ipcb_parse_choice(const char *choices, const char *word, size_t len);
/* What every parser says of a bad value: the line (printf-style) into err; -EINVAL. */
int ipcb_parse_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
