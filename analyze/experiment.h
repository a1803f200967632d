/* SPDX-License-Identifier: MIT */
/*
 * experiment.h - what names an experiment: the one rule by which two rows measured the same
 * thing, for the report's groups (rows of one file) and for compare's (BASE's rows against
 * NEW's), and the index that finds a name's group.
 *
 * Two rows are the same experiment when they agree on the transport, its settings away from the
 * defaults (tuning) and its options, its module, its wait, the mode, size, placement and CPUs,
 * and every run setting that changes what is measured: chunk, work on either side, spin polls,
 * fsync, the load's shape (pairs, requests in flight, topology, arrivals) and its rate, a rate
 * sweep's step by its share of its run's own maximum (each run measures its own maximum, so two
 * runs' steps match by share, never by rate). The round, the run and what was measured are
 * left out: they are what the group holds.
 */
#ifndef IPCB_EXPERIMENT_H
#define IPCB_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "rows.h"

/* Where the host belongs in the name. */
enum experiment_scope {
	/* One file: rows of many hosts (--hosts, or files put together) are a group per pair. */
	EXP_ONE_FILE,
	/*
	 * BASE against NEW: two runners of one kind are what a gate compares, so a host's name
	 * is left out, except the pair a --hosts row measured ("a->b").
	 */
	EXP_TWO_FILES,
};

/* Row i's experiment as one key, into *key (a buffer of *cap bytes, grown to fit); -ENOMEM. */
int experiment_key(const struct ipcb_rows *rs, size_t i, enum experiment_scope scope, char **key,
		   size_t *cap);

/* A user's module in a `library` field ("module PATH build-id ..."): PATH and its length. */
const char *experiment_module(const char *library, size_t *len);

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
