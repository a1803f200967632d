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
