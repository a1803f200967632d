/* SPDX-License-Identifier: MIT */
/* parse.c - one value of an option, checked whole; see parse.h. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizes.h"

int ipcb_parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ipcb_parse_size(const char *s, size_t *out, const char *what, char *err, size_t errlen)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "%s: empty size", what);
	if (!isdigit((unsigned char)s[0]))
		return ipcb_parse_fail(
		    err, errlen,
		    "%s: '%s' is not a size: use bytes or a K, M or G suffix (e.g. 4K)", what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return ipcb_parse_fail(err, errlen, "%s: '%s' is too large", what, s);
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ull << 10, end++;
		break;
	case 'm':
	case 'M':
		mult = 1ull << 20, end++;
		break;
	case 'g':
	case 'G':
		mult = 1ull << 30, end++;
		break;
	default:
		break;
	}
	/* Accept the spelled-out binary units too: 4KiB, 4KB, 4B. */
	if (mult > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	else if (mult == 1 && strcmp(end, "B") == 0)
		end++;
	if (*end)
		return ipcb_parse_fail(
		    err, errlen,
		    "%s: '%s' is not a size: use bytes or a K, M or G suffix (e.g. 4K)", what, s);
	if (v == 0)
		return ipcb_parse_fail(err, errlen, "%s: '%s': a size must be at least 1 byte",
				       what, s);
	if (v > IPCB_MAX_SIZE_BYTES / mult)
		return ipcb_parse_fail(err, errlen, "%s: '%s' is larger than the largest size, 1G",
				       what, s);
	*out = (size_t)(v * mult);
	return 0;
}

int ipcb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		   char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "%s: empty value", what);
	if (!isdigit((unsigned char)s[0]))
		return ipcb_parse_fail(err, errlen, "%s: '%s' is not a whole number", what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return ipcb_parse_fail(err, errlen, "%s: '%s' is not a whole number", what, s);
	if (errno == ERANGE || v > max || v < min)
		return ipcb_parse_fail(err, errlen, "%s: '%s' is out of range (%llu to %llu)", what,
				       s, (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int ipcb_parse_share(const char *s, double lo, double hi, double *out, const char *what, char *err,
		     size_t errlen)
{
	size_t len = strlen(s);
	bool pct = len > 0 && s[len - 1] == '%';
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || (pct ? end != s + len - 1 : *end != '\0'))
		return ipcb_parse_fail(err, errlen, "%s: '%s' is not a number (e.g. 5%% or 0.05)",
				       what, s);
	if (pct)
		v /= 100;
	else if (v >= 1)
		return ipcb_parse_fail(err, errlen,
				       "%s: '%s' is ambiguous: write %s%% or a fraction like %g",
				       what, s, s, v / 100);
	if (!(v > lo && v <= hi))
		return ipcb_parse_fail(err, errlen,
				       "%s: '%s' is out of range (more than %g%%, at most %g%%)",
				       what, s, lo * 100, hi * 100);
	*out = v;
	return 0;
}

int ipcb_parse_probability(const char *s, double max, double *out, const char *what, char *err,
			   size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v > 0 && v <= max))
		return ipcb_parse_fail(err, errlen, "%s: '%s' is not a probability in (0, %g]",
				       what, s, max);
	*out = v;
	return 0;
}

int ipcb_parse_seconds(const char *s, double min, double max, double *out, const char *what,
		       char *err, size_t errlen)
{
	size_t digits = 0;
	const char *p = s;
	double v;

	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "%s: empty value", what);
	/*
	 * Plain decimals only, with an optional 's': strtod() alone would also take hex (0x10 is
	 * 16 s), hex floats (0x1p1), exponents, "inf" and "nan", none of which anybody means.
	 */
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (*p == 's')
		p++;
	if (digits == 0 || *p)
		return ipcb_parse_fail(
		    err, errlen,
		    "%s: '%s' is not a number of seconds (write a decimal such as 0.5)", what, s);
	v = strtod(s, NULL);
	if (!isfinite(v) || v < min || v > max)
		return ipcb_parse_fail(err, errlen, "%s: '%s' is out of range (%g to %g seconds)",
				       what, s, min, max);
	*out = v;
	return 0;
}

int ipcb_parse_choice(const char *choices, const char *word, size_t len)
{
	int i = 0;

	for (const char *p = choices; p && *p; i++) {
		size_t n = strcspn(p, "|");

		if (n == len && strncmp(p, word, len) == 0)
			return i;
		p += n;
		p += *p == '|';
	}
	return -1;
}
