/* SPDX-License-Identifier: MIT */
/* expkey.c - what names an experiment; see expkey.h. */
#include "expkey.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const enum ipcb_csv_column ipcb_exp_cols[IPCB_EXP_NCOLS] = {
#define COLUMN(id, role, how) IPCB_EXP_ROLE_##role(IPCB_EXP_COLUMN, id)
#include "csvcolumns.def"
#undef COLUMN
    IPCB_EXP_COLUMNS_OWN(IPCB_EXP_COLUMN)};

const char *ipcb_exp_module(const char *lib, size_t *len)
{
	const char *end;

	*len = 0;
	if (strncmp(lib, "module ", 7) != 0)
		return "";
	lib += 7;
	end = strstr(lib, " build-id ");
	if (!end)
		end = strstr(lib, " sha256 ");
	if (!end)
		end = lib + strlen(lib);
	*len = (size_t)(end - lib);
	return lib;
}

/* Append to out what fits, and count it all: the key's whole length is known either way. */
__attribute__((format(printf, 4, 5))) static void put(char *out, size_t n, size_t *len,
						      const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(*len < n ? out + *len : NULL, *len < n ? n - *len : 0, fmt, ap);
	va_end(ap);
	*len += w > 0 ? (size_t)w : 0;
}

size_t ipcb_exp_key(const char *const v[IPCB_EXP_NCOLS], enum ipcb_exp_scope scope, char *out,
		    size_t n)
{
	const char *fraction = v[IPCB_EXP_FRACTION], *module;
	size_t len = 0, mlen;
	char *end;
	double share = strtod(fraction, &end);

	if (n)
		out[0] = '\0';
	for (int k = 0; k < IPCB_EXP_LIBRARY; k++)
		put(out, n, &len, "%s\x1f", v[k]);
	module = ipcb_exp_module(v[IPCB_EXP_LIBRARY], &mlen);
	put(out, n, &len, "%.*s\x1f", (int)mlen, module);
	/* A sweep's step by its share, one spelling per share ("0.5" and "0.50"); else the rate. */
	if (*fraction && end != fraction && !*end)
		put(out, n, &len, "@%.6g\x1f", share);
	else
		put(out, n, &len, "%s\x1f%s\x1f", fraction, v[IPCB_EXP_RATE]);
	if (scope == IPCB_EXP_ONE_FILE)
		put(out, n, &len, "%s\x1f%s", v[IPCB_EXP_HOST], v[IPCB_EXP_PEER_HOST]);
	else if (*v[IPCB_EXP_HOSTS_SLOT])
		put(out, n, &len, "%s->%s", v[IPCB_EXP_HOST],
		    *v[IPCB_EXP_PEER_HOST] ? v[IPCB_EXP_PEER_HOST] : v[IPCB_EXP_HOST]);
	/* Last: compare pairs a timed group with its counted twin, whose key differs only here. */
	if (scope == IPCB_EXP_RUNS)
		put(out, n, &len, "\x1f%s", v[IPCB_EXP_KIND]);
	return len;
}

static uint64_t hash(const char *s)
{
	/* FNV-1a: short keys, no adversary worth a keyed hash. */
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int ipcb_exp_index_find(struct ipcb_exp_index *e, const char *key, size_t *index, bool *fresh)
{
	size_t at;

	if (2 * (e->n + 1) > e->nslots) {
		size_t ns = e->nslots ? 2 * e->nslots : 1024, *slot = calloc(ns, sizeof(*slot));

		if (!slot)
			return -ENOMEM;
		for (size_t g = 0; g < e->n; g++) {
			for (at = hash(e->key[g]) % ns; slot[at]; at = (at + 1) % ns)
				;
			slot[at] = g + 1;
		}
		free(e->slot);
		e->slot = slot;
		e->nslots = ns;
	}
	for (at = hash(key) % e->nslots; e->slot[at]; at = (at + 1) % e->nslots)
		if (strcmp(e->key[e->slot[at] - 1], key) == 0) {
			*index = e->slot[at] - 1;
			*fresh = false;
			return 0;
		}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		char **k = realloc(e->key, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		e->key = k;
		e->cap = cap;
	}
	if (!(e->key[e->n] = strdup(key)))
		return -ENOMEM;
	e->slot[at] = e->n + 1;
	*index = e->n++;
	*fresh = true;
	return 0;
}

void ipcb_exp_index_free(struct ipcb_exp_index *e)
{
	for (size_t g = 0; g < e->n; g++)
		free(e->key[g]);
	free(e->key);
	free(e->slot);
	memset(e, 0, sizeof(*e));
}
