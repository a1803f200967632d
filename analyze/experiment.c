/* SPDX-License-Identifier: MIT */
/* experiment.c - what names an experiment, and the index of the names met; see experiment.h. */
#include "experiment.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Row i's key: its columns of expkey.h, as the file holds them. */
static size_t key_write(const struct ipcb_rows *rs, size_t i, enum ipcb_exp_scope scope, char *out,
			size_t n)
{
	const char *v[IPCB_EXP_NCOLS];

	for (int k = 0; k < IPCB_EXP_NCOLS; k++)
		v[k] = ipcb_rows_get(rs, i, ipcb_exp_cols[k]);
	return ipcb_exp_key(v, scope, out, n);
}

int experiment_key(const struct ipcb_rows *rs, size_t i, enum ipcb_exp_scope scope, char **key,
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
