/* SPDX-License-Identifier: MIT */
/*
 * fuzz_size.c - libFuzzer target for the numeric option parsers: one --size value, a --size
 * list, whole numbers (--messages, --warmup, --repeat) and seconds (--duration, --timeout).
 *
 * Every input is given to every parser. Besides the sanitizers' checks, the result must agree
 * with a small independent model of the accepted grammar (written from options.h and --help, not
 * from options.c), an accepted value must be in range, and a size must survive
 * ipcb_format_size() and back: the CSV and the progress lines print sizes that way, and a user
 * pasting one into --size must get the same run.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "format.h"
#include "options.h"

/* Larger than any limit we compare against: saturating keeps the model free of overflow. */
#define SATURATED UINT64_MAX

static uint64_t digits_value(const char *s, const char **end)
{
	uint64_t v = 0;

	for (; isdigit((unsigned char)*s); s++)
		v = v > (SATURATED - 9) / 10 ? SATURATED : v * 10 + (uint64_t)(*s - '0');
	*end = s;
	return v;
}

/*
 * The model of one size: digits, then optionally K/M/G (either case) followed by nothing, "B" or
 * "iB", or a bare "B"; the value must be 1 byte to 1G. Returns the size, or 0 if rejected.
 */
static uint64_t model_size(const char *s)
{
	uint64_t v, mult = 1;
	const char *p;

	if (!isdigit((unsigned char)*s))
		return 0;
	v = digits_value(s, &p);
	switch (*p) {
	case 'k':
	case 'K':
		mult = 1ull << 10;
		break;
	case 'm':
	case 'M':
		mult = 1ull << 20;
		break;
	case 'g':
	case 'G':
		mult = 1ull << 30;
		break;
	}
	if (mult > 1) {
		p++;
		if (strcmp(p, "B") != 0 && strcmp(p, "iB") != 0 && *p)
			return 0;
	} else if (strcmp(p, "B") != 0 && *p) {
		return 0;
	}
	if (v == 0 || v > IPCB_MAX_SIZE_BYTES / mult)
		return 0;
	return v * mult;
}

static void check_size(const char *s)
{
	char err[IPCB_ERR_BYTES], again[32];
	uint64_t want = model_size(s);
	size_t v = 0, v2 = 0;
	int rc;

	rc = ipcb_parse_size(s, &v, "--size", err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	FUZZ_CHECK((rc == 0) == (want != 0), "'%s': parser says %d, model says %llu", s, rc,
		   (unsigned long long)want);
	if (rc) {
		fuzz_check_err(err, sizeof(err), "--size");
		return;
	}
	FUZZ_CHECK(v == want, "'%s' parsed as %zu, model says %llu", s, v,
		   (unsigned long long)want);
	FUZZ_CHECK(v >= 1 && v <= IPCB_MAX_SIZE_BYTES, "'%s' parsed as %zu", s, v);
	ipcb_format_size(v, again, sizeof(again));
	rc = ipcb_parse_size(again, &v2, "--size", err, sizeof(err));
	FUZZ_CHECK(rc == 0 && v2 == v, "%zu formats as '%s', which parses as %zu (rc %d)", v, again,
		   v2, rc);
}

/*
 * The model of a list: under 1024 bytes, comma-separated, no empty item, every item a size, no
 * size twice, at most max items. Fills want[] and returns the count, or 0 if rejected.
 */
static size_t model_size_list(const char *s, size_t max, size_t *want)
{
	size_t n = 0, len = strlen(s);
	const char *p = s;

	if (len == 0 || len >= 1024)
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t toklen = comma ? (size_t)(comma - p) : strlen(p);
		char tok[1024];
		uint64_t v;

		if (toklen == 0 || n == max)
			return 0;
		memcpy(tok, p, toklen);
		tok[toklen] = '\0';
		v = model_size(tok);
		if (!v)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (want[i] == v)
				return 0;
		want[n++] = (size_t)v;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

static void check_size_list(const char *s, size_t max)
{
	char err[IPCB_ERR_BYTES];
	size_t want[IPCB_MAX_LIST], nwant, n = 12345;
	/* Exactly max elements on the heap: a write past the end is an ASan report. */
	size_t *out = malloc(max * sizeof(*out));
	int rc;

	FUZZ_CHECK(out != NULL, "out of memory");
	nwant = model_size_list(s, max, want);
	rc = ipcb_parse_size_list(s, out, max, &n, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	FUZZ_CHECK((rc == 0) == (nwant != 0), "'%s' (max %zu): parser says %d, model says %zu", s,
		   max, rc, nwant);
	if (rc) {
		FUZZ_CHECK(n == 12345, "count written on failure");
		fuzz_check_err(err, sizeof(err), "--size");
	} else {
		FUZZ_CHECK(n == nwant, "'%s': %zu sizes, model says %zu", s, n, nwant);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(out[i] == want[i], "'%s': size %zu is %zu, model says %zu", s, i,
				   out[i], want[i]);
	}
	free(out);
}

static void check_u64(const char *s, uint64_t min, uint64_t max)
{
	char err[IPCB_ERR_BYTES], again[32];
	const char *end;
	uint64_t want, v = 0;
	bool ok;
	int rc;

	/* The model: only digits, at least one, and the value within [min, max]. */
	want = digits_value(s, &end);
	ok = end != s && *end == '\0' && want >= min && want <= max;
	rc = ipcb_parse_u64(s, min, max, &v, "--messages", err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	FUZZ_CHECK((rc == 0) == ok, "'%s' in [%llu, %llu]: parser says %d, model says %d", s,
		   (unsigned long long)min, (unsigned long long)max, rc, ok);
	if (rc) {
		fuzz_check_err(err, sizeof(err), "--messages");
		return;
	}
	FUZZ_CHECK(v == want, "'%s' parsed as %llu", s, (unsigned long long)v);
	/* Leading zeros aside, the number printed back is the text given. */
	snprintf(again, sizeof(again), "%llu", (unsigned long long)v);
	while (s[0] == '0' && s[1])
		s++;
	FUZZ_CHECK(strcmp(again, s) == 0, "%llu prints as '%s', given '%s'", (unsigned long long)v,
		   again, s);
}

static void check_seconds(const char *s, double min, double max)
{
	char err[IPCB_ERR_BYTES], again[512];
	double v = -1, v2 = -1;
	int rc, prec;

	rc = ipcb_parse_seconds(s, min, max, &v, "--duration", err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	if (rc) {
		fuzz_check_err(err, sizeof(err), "--duration");
		return;
	}
	/* No sign, no "inf" or "nan", nothing after an optional "s": the first byte says so. */
	FUZZ_CHECK(isdigit((unsigned char)s[0]) || s[0] == '.', "'%s' accepted", s);
	FUZZ_CHECK(isfinite(v) && v >= min && v <= max, "'%s' parsed as %g, range [%g, %g]", s, v,
		   min, max);
	/*
	 * 17 significant digits are exact for a double: the value printed back must parse to
	 * itself. As a plain decimal (the option takes no exponent): 17 digits after the zeros
	 * that follow the point of a value below 1.
	 */
	prec = v > 0 && v < 1 ? 17 + (int)ceil(-log10(v)) : 17;
	snprintf(again, sizeof(again), "%.*f", prec, v);
	rc = ipcb_parse_seconds(again, min, max, &v2, "--duration", err, sizeof(err));
	FUZZ_CHECK(rc == 0 && v2 == v, "%.17g prints as '%.80s', which parses as %.17g (rc %d)", v,
		   again, v2, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	if (!s)
		return 0;
	check_size(s);
	check_size_list(s, IPCB_MAX_LIST);
	/* A short limit too, so "more than N sizes" is reached by short inputs. */
	check_size_list(s, 3);
	/* The ranges ipcb_opts_parse() uses: --messages, --warmup, --repeat. */
	check_u64(s, 1, 1000000000000ull);
	check_u64(s, 0, 1000000000ull);
	check_u64(s, 1, 100000);
	/* --duration and --timeout. */
	check_seconds(s, 0, 86400);
	check_seconds(s, 0.001, 86400);
	free(s);
	return 0;
}
