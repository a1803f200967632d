/* SPDX-License-Identifier: MIT */
/*
 * json.h - JSON (RFC 8259) read into a tree, and strings written as JSON.
 *
 * The reader is strict, since what it reads decides a CI gate: one value, nothing after it but
 * white space; numbers as the grammar spells them; strings of valid UTF-8 without raw control
 * characters, escapes decoded (surrogate pairs joined; a lone surrogate or \u0000, which a C
 * string cannot hold, refused). Nesting is bounded (IPCB_JSON_MAX_DEPTH). An error gives the
 * line and byte column where the problem is and a message without the file name.
 */
#ifndef IPCB_JSON_H
#define IPCB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IPCB_JSON_MAX_DEPTH 64

enum ipcb_json_type {
	IPCB_JSON_NULL,
	IPCB_JSON_FALSE,
	IPCB_JSON_TRUE,
	IPCB_JSON_NUMBER,
	IPCB_JSON_STRING,
	IPCB_JSON_ARRAY,
	IPCB_JSON_OBJECT,
};

struct ipcb_json {
	enum ipcb_json_type type;
	unsigned long line, col; /* where the value starts, 1-based */
	char *text;		 /* a string, decoded; a number, as written; else NULL */
	size_t n;		 /* members of an array or object */
	char **keys;		 /* an object's keys, decoded (n of them) */
	struct ipcb_json *items; /* an array's or object's values (n of them) */
};

struct ipcb_json_error {
	unsigned long line, col;
	char msg[160];
};

/*
 * Parse buf[0..len) into *root (freed with ipcb_json_free, also after an error). 0, -EINVAL
 * with err filled, or -ENOMEM.
 */
int ipcb_json_parse(const char *buf, size_t len, struct ipcb_json *root,
		    struct ipcb_json_error *err);
void ipcb_json_free(struct ipcb_json *v);

/* An object's member of that name (the first, if it has several), or NULL. */
const struct ipcb_json *ipcb_json_get(const struct ipcb_json *obj, const char *key);
/* The name of a type, for messages: "an object", "a string", ... */
const char *ipcb_json_type_name(enum ipcb_json_type t);
/* Is s a JSON number, as the grammar spells one? */
bool ipcb_json_is_number(const char *s);

/*
 * Write s as a JSON string, quotes included: '"', '\\' and control characters escaped, bytes that
 * are not valid UTF-8 written as U+FFFD (so that what is written always parses).
 */
void ipcb_json_write_string(FILE *f, const char *s);

#endif /* IPCB_JSON_H */
