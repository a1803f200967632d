/* SPDX-License-Identifier: MIT */
/* experiment.c - what names an experiment, and the index of the names met; see experiment.h. */
#include "experiment.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns that name an experiment as they are written (the module and the rate apart). */
static const enum ipcb_csv_column named[] = {
    IPCB_COL_TRANSPORT,	   IPCB_COL_TUNING,	      IPCB_COL_OPTIONS,	  IPCB_COL_WAIT,
    IPCB_COL_MODE,	   IPCB_COL_SIZE_BYTES,	      IPCB_COL_PLACEMENT, IPCB_COL_SENDER_CPU,
    IPCB_COL_RECEIVER_CPU, IPCB_COL_CHUNK_BYTES,      IPCB_COL_WORK_NS,	  IPCB_COL_SPIN_POLLS,
    IPCB_COL_FSYNC,	   IPCB_COL_RECEIVER_WORK_NS, IPCB_COL_PAIRS,	  IPCB_COL_INFLIGHT,
    IPCB_COL_TOPOLOGY,	   IPCB_COL_ARRIVALS,
};

const char *experiment_module(const char *lib, size_t *len)
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

static size_t key_write(const struct ipcb_rows *rs, size_t i, enum experiment_scope scope,
			char *out, size_t n)
{
	const char *fraction = ipcb_rows_get(rs, i, IPCB_COL_OFFERED_FRACTION);
	const char *host = ipcb_rows_get(rs, i, IPCB_COL_HOST);
	const char *peer = ipcb_rows_get(rs, i, IPCB_COL_PEER_HOST);
	const char *module;
	size_t len = 0, mlen;
	char *end;
	double share = strtod(fraction, &end);

	if (n)
		out[0] = '\0';
	/* Fields apart by a unit separator, which no measured text holds. */
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		put(out, n, &len, "%s\x1f", ipcb_rows_get(rs, i, named[k]));
	module = experiment_module(ipcb_rows_get(rs, i, IPCB_COL_LIBRARY), &mlen);
	put(out, n, &len, "%.*s\x1f", (int)mlen, module);
	/* A sweep's step by its share, one spelling per share ("0.5" and "0.50"); else the rate. */
	if (*fraction && end != fraction && !*end)
		put(out, n, &len, "@%.6g\x1f", share);
	else
		put(out, n, &len, "%s\x1f%s\x1f", fraction,
		    ipcb_rows_get(rs, i, IPCB_COL_OFFERED_RATE));
	if (scope == EXP_ONE_FILE)
		put(out, n, &len, "%s\x1f%s", host, peer);
	else if (*ipcb_rows_get(rs, i, IPCB_COL_HOSTS_SLOT))
		put(out, n, &len, "%s->%s", host, *peer ? peer : host);
	return len;
}

int experiment_key(const struct ipcb_rows *rs, size_t i, enum experiment_scope scope, char **key,
		   size_t *cap)
{
	size_t len = key_write(rs, i, scope, *key, *cap);

	if (len >= *cap) {
		char *k = realloc(*key, len + 1);

		if (!k)
			return -ENOMEM;
		*key = k;
		*cap = len + 1;
		key_write(rs, i, scope, *key, *cap);
	}
	return 0;
}

static uint64_t hash(const char *s)
{
	/* FNV-1a: short keys, no adversary worth a keyed hash. */
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int experiments_find(struct experiments *e, const char *key, size_t *index, bool *fresh)
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

void experiments_free(struct experiments *e)
{
	for (size_t g = 0; g < e->n; g++)
		free(e->key[g]);
	free(e->key);
	free(e->slot);
	memset(e, 0, sizeof(*e));
}
