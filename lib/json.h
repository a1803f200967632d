/* SPDX-License-Identifier: MIT */
/*
 * json.h - JSON through Jansson: the few rules every ipcbench writer and reader of JSON shares.
 *
 * Jansson parses and writes; what is ipcbench's own is how it reads (strictly, since what it
 * reads decides a CI gate: one value and nothing after it, duplicate keys refused, strings of
 * valid UTF-8 without \u0000) and how it writes (two spaces of indent, members in the order they
 * were set, reals to 15 significant digits, so that a decimal the CSV holds reads back as the
 * same decimal, and a newline at the end).
 */
#ifndef IPCB_JSON_H
#define IPCB_JSON_H

#include <stdio.h>

#include <jansson.h>

/* Jansson's flags for reading a document that decides something. */
#define IPCB_JSON_LOAD_FLAGS JSON_REJECT_DUPLICATES
/* Significant digits of a real written: every decimal of up to 15 digits reads back as itself. */
#define IPCB_JSON_REAL_DIGITS 15

/*
 * s as a JSON string: bytes that are not valid UTF-8 become U+FFFD, so that what is written
 * always parses (a file name or a host name need not be UTF-8). NULL only when out of memory.
 */
json_t *ipcb_json_text(const char *s);
/*
 * A number as the CSV writes it (lib/csvschema.h): an integer as one, a decimal as a real; null
 * where s is no finite number (empty, inf, nan). NULL only when out of memory.
 */
json_t *ipcb_json_number_text(const char *s);
/*
 * A value ipcbench computed, to `digits` significant digits: an integer where it is one within
 * 2^53, else a real; null where it is not finite. NULL only when out of memory.
 */
json_t *ipcb_json_value(double v, int digits);
/*
 * obj[key] = v, v's reference taken whatever happens; -ENOMEM where v is NULL (a constructor
 * ran out of memory) or the member cannot be set. *rc keeps the first failure, so that a
 * document is built member by member and checked once.
 */
void ipcb_json_put(json_t *obj, const char *key, json_t *v, int *rc);
/* v appended to arr, the same way. */
void ipcb_json_append(json_t *arr, json_t *v, int *rc);

/* The document to f as ipcbench writes JSON, a newline after it. 0, or -EIO. */
int ipcb_json_dump(FILE *f, const json_t *doc);

/*
 * A number's value as CSV text: an integer as written, a real in the fewest digits that read
 * back as the same double (15 to 17).
 */
void ipcb_json_number_csv(const json_t *v, char *out, size_t n);

/* What a value is, for messages: "an object", "a string", ... */
const char *ipcb_json_type_name(const json_t *v);

#endif /* IPCB_JSON_H */
