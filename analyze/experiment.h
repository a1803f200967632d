/* SPDX-License-Identifier: MIT */
/*
 * experiment.h - the groups of rows that measured one experiment: a row's key (the one rule of
 * what names an experiment, lib/expkey.h, which the history's series use too) and the index
 * that finds a key's group.
 */
#ifndef IPCB_EXPERIMENT_H
#define IPCB_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "expkey.h"
#include "rows.h"

/* Row i's experiment as one key, into *key (a buffer of *cap bytes, grown to fit); -ENOMEM. */
int experiment_key(const struct ipcb_rows *rs, size_t i, enum ipcb_exp_scope scope, char **key,
		   size_t *cap);

/* The keys met so far, each with its index in order of first meeting: an open hash. */
struct experiments {
	char **key;
	size_t n, cap;
	size_t *slot; /* index + 1; 0 free */
	size_t nslots;
};

/* key's index, added as the next one when it is new (*fresh); 0 or -ENOMEM. */
int experiments_find(struct experiments *e, const char *key, size_t *index, bool *fresh);
void experiments_free(struct experiments *e);

#endif /* IPCB_EXPERIMENT_H */
