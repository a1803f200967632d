/* SPDX-License-Identifier: MIT */
/* json.c - a strict JSON reader and the JSON string writer; see json.h. */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *end;
	const char *line_start;
	unsigned long line;
	int depth;
	struct ipcb_json_error *err;
	int rc; /* the first error: -EINVAL or -ENOMEM */
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->rc)
		return ps->rc;
	ps->err->line = ps->line;
	ps->err->col = (unsigned long)(ps->p - ps->line_start) + 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	ps->rc = -EINVAL;
	return ps->rc;
}

static int out_of_memory(struct parser *ps)
{
	if (!ps->rc) {
		ps->err->line = ps->line;
		ps->err->col = (unsigned long)(ps->p - ps->line_start) + 1;
		snprintf(ps->err->msg, sizeof(ps->err->msg), "out of memory");
		ps->rc = -ENOMEM;
	}
	return ps->rc;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

/* What is at p, for a message: the character, or "the end". */
static const char *seen(const struct parser *ps, char *buf, size_t n)
{
	unsigned char c;

	if (ps->p >= ps->end)
		return "the end of the input";
	c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(struct parser *ps, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "\\u needs four hex digits");
	for (int i = 0; i < 4; i++) {
		char c = ps->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(ps, "\\u needs four hex digits");
	}
	ps->p += 4;
	*out = v;
	return 0;
}

/* A string at p (its opening quote), decoded into a new C string. */
static int parse_string(struct parser *ps, char **out)
{
	const char *start = ++ps->p;
	size_t cap = 0;
	char *s, *w;

	/* The decoded text is never longer than the raw one. */
	while (ps->p < ps->end && *ps->p != '"') {
		if (*ps->p == '\\' && ps->p + 1 < ps->end)
			ps->p++;
		ps->p++;
	}
	if (ps->p >= ps->end) {
		ps->p = start - 1;
		return fail(ps, "a string without its closing quote");
	}
	cap = (size_t)(ps->p - start) + 1;
	s = malloc(cap);
	if (!s)
		return out_of_memory(ps);
	w = s;
	ps->p = start;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		uint32_t cp, lo;
		size_t len;

		if (c < 0x20) {
			free(s);
			return fail(ps,
				    "a control character (0x%02x) inside a string: write it as an "
				    "escape",
				    c);
		}
		if (c != '\\') {
			len = utf8_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
			if (!len) {
				free(s);
				return fail(ps, "byte 0x%02x in a string is not UTF-8", c);
			}
			memcpy(w, ps->p, len);
			w += len;
			ps->p += len;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"':
			*w++ = '"';
			break;
		case '\\':
			*w++ = '\\';
			break;
		case '/':
			*w++ = '/';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'u':
			if (hex4(ps, &cp) < 0) {
				free(s);
				return ps->rc;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					free(s);
					return fail(ps, "a lone surrogate (\\u%04x) in a string",
						    cp);
				}
				ps->p += 2;
				if (hex4(ps, &lo) < 0) {
					free(s);
					return ps->rc;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(s);
					return fail(ps, "a lone surrogate (\\u%04x) in a string",
						    cp);
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(s);
				return fail(ps, "a lone surrogate (\\u%04x) in a string", cp);
			} else if (cp == 0) {
				free(s);
				return fail(ps, "\\u0000 in a string: text here cannot hold a NUL");
			}
			/* Six raw bytes (\uXXXX) give at most three; twelve at most four. */
			w += put_utf8(w, cp);
			break;
		default:
			ps->p -= 2; /* at the backslash */
			free(s);
			return fail(ps, "'\\%c' is not an escape JSON knows", ps->p[1]);
		}
	}
	ps->p++;
	*w = '\0';
	*out = s;
	return 0;
}

static bool digits(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > start;
}

/* Where the number starting at s ends (at most at end), or NULL when it is not one. */
static const char *number_end(const char *s, const char *end)
{
	const char *p = s;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p < end && *p >= '1' && *p <= '9') || !digits(&p, end))
		return NULL;
	if (p < end && *p == '.') {
		p++;
		if (!digits(&p, end))
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!digits(&p, end))
			return NULL;
	}
	return p;
}

bool ipcb_json_is_number(const char *s)
{
	const char *end = s + strlen(s);

	return *s && number_end(s, end) == end;
}

static int parse_value(struct parser *ps, struct ipcb_json *v);

/* Room for one more member. */
static int grow(struct parser *ps, struct ipcb_json *v, size_t *cap, bool keys)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	struct ipcb_json *items;
	char **k;

	if (v->n < *cap)
		return 0;
	items = realloc(v->items, ncap * sizeof(*items));
	if (!items)
		return out_of_memory(ps);
	v->items = items;
	if (keys) {
		k = realloc(v->keys, ncap * sizeof(*k));
		if (!k)
			return out_of_memory(ps);
		v->keys = k;
	}
	*cap = ncap;
	return 0;
}

static int parse_container(struct parser *ps, struct ipcb_json *v, bool object)
{
	char close = object ? '}' : ']', what[16];
	size_t cap = 0;

	if (++ps->depth > IPCB_JSON_MAX_DEPTH)
		return fail(ps, "nested more than %d deep", IPCB_JSON_MAX_DEPTH);
	v->type = object ? IPCB_JSON_OBJECT : IPCB_JSON_ARRAY;
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		if (grow(ps, v, &cap, object) < 0)
			return ps->rc;
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member's name (a string), found %s",
					    seen(ps, what, sizeof(what)));
			if (parse_string(ps, &key) < 0)
				return ps->rc;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return fail(ps, "expected ':' after a member's name, found %s",
					    seen(ps, what, sizeof(what)));
			}
			ps->p++;
			skip_space(ps);
			v->keys[v->n] = key;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
		v->n++;
		if (parse_value(ps, &v->items[v->n - 1]) < 0)
			return ps->rc;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return fail(ps, "expected ',' or '%c', found %s", close,
			    seen(ps, what, sizeof(what)));
	}
}

static int parse_value(struct parser *ps, struct ipcb_json *v)
{
	static const struct {
		const char *word;
		enum ipcb_json_type type;
	} words[] = {
	    {"null", IPCB_JSON_NULL}, {"false", IPCB_JSON_FALSE}, {"true", IPCB_JSON_TRUE}};
	const char *end;
	char what[16];

	v->line = ps->line;
	v->col = (unsigned long)(ps->p - ps->line_start) + 1;
	if (ps->p >= ps->end)
		return fail(ps, "expected a value, found the end of the input");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, v, true);
	case '[':
		return parse_container(ps, v, false);
	case '"':
		v->type = IPCB_JSON_STRING;
		return parse_string(ps, &v->text);
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t len = strlen(words[i].word);

		if ((size_t)(ps->end - ps->p) >= len && memcmp(ps->p, words[i].word, len) == 0) {
			v->type = words[i].type;
			ps->p += len;
			return 0;
		}
	}
	end = number_end(ps->p, ps->end);
	if (!end)
		return fail(ps, "expected a value, found %s", seen(ps, what, sizeof(what)));
	v->type = IPCB_JSON_NUMBER;
	v->text = strndup(ps->p, (size_t)(end - ps->p));
	if (!v->text)
		return out_of_memory(ps);
	ps->p = end;
	return 0;
}

int ipcb_json_parse(const char *buf, size_t len, struct ipcb_json *root,
		    struct ipcb_json_error *err)
{
	struct parser ps = {.p = buf, .end = buf + len, .line_start = buf, .line = 1, .err = err};
	char what[16];

	memset(root, 0, sizeof(*root));
	memset(err, 0, sizeof(*err));
	/* A byte order mark is no part of the text (RFC 8259 lets a reader skip it). */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3, ps.line_start += 3;
	if (memchr(buf, '\0', len)) {
		ps.p = memchr(buf, '\0', len);
		for (const char *q = buf; q < ps.p; q++)
			if (*q == '\n')
				ps.line++, ps.line_start = q + 1;
		return fail(&ps, "a NUL byte: not JSON text");
	}
	skip_space(&ps);
	if (parse_value(&ps, root) < 0)
		return ps.rc;
	skip_space(&ps);
	if (ps.p < ps.end)
		return fail(&ps, "%s after the value: one JSON value per file",
			    seen(&ps, what, sizeof(what)));
	return 0;
}

void ipcb_json_free(struct ipcb_json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		ipcb_json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

const struct ipcb_json *ipcb_json_get(const struct ipcb_json *obj, const char *key)
{
	if (!obj || obj->type != IPCB_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *ipcb_json_type_name(enum ipcb_json_type t)
{
	switch (t) {
	case IPCB_JSON_NULL:
		return "null";
	case IPCB_JSON_FALSE:
	case IPCB_JSON_TRUE:
		return "a boolean";
	case IPCB_JSON_NUMBER:
		return "a number";
	case IPCB_JSON_STRING:
		return "a string";
	case IPCB_JSON_ARRAY:
		return "an array";
	case IPCB_JSON_OBJECT:
		return "an object";
	}
	return "?";
}

void ipcb_json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	fputc('"', f);
	while (left) {
		size_t len = utf8_len(p, left);

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p == '\r') {
			fputs("\\r", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else if (!len) {
			fputs("\\ufffd", f); /* not UTF-8: the replacement character */
			len = 1;
		} else {
			fwrite(p, 1, len, f);
		}
		if (!len)
			len = 1;
		p += len;
		left -= len;
	}
	fputc('"', f);
}
