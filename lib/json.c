/* SPDX-License-Identifier: MIT */
/* json.c - JSON through Jansson: ipcbench's rules for writing and reading it; see json.h. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a UTF-8 sequence that starts with b takes, 0 where no sequence starts so. */
static size_t utf8_lead_length(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/*
 * Is s[0..n) one valid UTF-8 sequence? Jansson decides (overlong forms, surrogates, the range),
 * as it does for every string it is given.
 */
static bool utf8_valid(const char *s, size_t n)
{
	json_t *t = json_stringn(s, n);

	json_decref(t);
	return t != NULL;
}

json_t *ipcb_json_text(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t len = strlen(s), o = 0;
	json_t *t = json_stringn(s, len);
	char *clean;

	if (t)
		return t;
	/* Not valid UTF-8 (or no memory): each byte that starts no valid sequence replaced. */
	clean = malloc(len * 3 + 1);
	if (!clean)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_lead_length((unsigned char)s[i]);

		if (k && i + k <= len && utf8_valid(s + i, k)) {
			memcpy(clean + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(clean + o, replacement, 3);
			o += 3;
			i++;
		}
	}
	t = json_stringn(clean, o);
	free(clean);
	return t;
}

json_t *ipcb_json_number_text(const char *s)
{
	char *end;
	double v;

	/* A plain decimal, as the CSV writes one: no spaces, hex, inf or nan. */
	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return json_null();
	if (strspn(s + (*s == '-'), "0123456789") == strlen(s + (*s == '-'))) {
		long long i;

		errno = 0;
		i = strtoll(s, &end, 10);
		if (!*end && !errno)
			return json_integer(i);
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return json_null();
	return json_real(v);
}

json_t *ipcb_json_value(double v, int digits)
{
	char text[64];

	if (!isfinite(v))
		return json_null();
	/* Rounded as the figure is meant, so that the writer's digits show no noise past them. */
	snprintf(text, sizeof(text), "%.*g", digits, v);
	v = strtod(text, NULL);
	if (v == floor(v) && fabs(v) <= 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

void ipcb_json_put(json_t *obj, const char *key, json_t *v, int *rc)
{
	if ((!v || json_object_set_new(obj, key, v) != 0) && *rc == 0)
		*rc = -ENOMEM;
}

void ipcb_json_append(json_t *arr, json_t *v, int *rc)
{
	if ((!v || json_array_append_new(arr, v) != 0) && *rc == 0)
		*rc = -ENOMEM;
}

int ipcb_json_dump(FILE *f, const json_t *doc)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(IPCB_JSON_REAL_DIGITS)) != 0 ||
	    fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}

void ipcb_json_number_csv(const json_t *v, char *out, size_t n)
{
	double x = json_number_value(v);

	if (json_is_integer(v)) {
		snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	}
	/* The fewest digits that are the same double: 15 hold any decimal the CSV wrote. */
	for (int digits = IPCB_JSON_REAL_DIGITS; digits <= 17; digits++) {
		snprintf(out, n, "%.*g", digits, x);
		if (strtod(out, NULL) == x)
			return;
	}
}

const char *ipcb_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return "null";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_STRING:
		return "a string";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	}
	return "a value";
}
