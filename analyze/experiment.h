/* SPDX-License-Identifier: MIT */
/*
 * experiment.h - the groups of rows that measured one experiment: a row's key (the one rule of
 * what names an experiment, lib/expkey.h, which the history's series use too), whose index
 * (struct ipcb_exp_index) finds a key's group.
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

#endif /* IPCB_EXPERIMENT_H */
