/* SPDX-License-Identifier: MIT */
/*
 * modelload.h - what model_load() (model.c) takes from the files beside it: derive.c's passes
 * over the grouped runs, called in this order, and the key lookup.c's model_pair() searches by,
 * which the index is sorted with. Private to model.c, derive.c and lookup.c; the sections see
 * only model.h.
 */
#ifndef IPCB_MODELLOAD_H
#define IPCB_MODELLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* The machine's states at each placement (m->place): 0, or -ENOMEM. */
int model_states_find(struct model *m);
/* Each run's state and flags, the runs set aside and each group's runs kept and state. */
void model_set_aside(struct model *m);
/* Each group's reader class from its kept runs' context switches. */
void model_readers(struct model *m);
/* Each group's zero-copy, loan, full-read share and segments from its kept runs. */
void model_attributes(struct model *m);
/* Each run against the floors of its own round (run::beat, m->beaten). */
void model_floors_check(struct model *m);
/* Every measure of every group summarised once (group::sum): 0, or -ENOMEM. */
int model_summaries(struct model *m);

/* Order of a group against the key (label, placement, size, latency), as strcmp's. */
int model_pair_cmp_key(const struct group *a, const char *label, const char *pl, size_t size,
		       bool latency);

#endif /* IPCB_MODELLOAD_H */
