/* SPDX-License-Identifier: MIT */
/*
 * expkey.h - what names an experiment, written once for the report's groups, compare's and the
 * history's series: the columns a row's experiment is read from and the key they make.
 *
 * Two rows are the same experiment when they agree on the transport, its settings away from the
 * defaults (tuning) and its options, its module, its wait, the mode, size, placement and CPUs,
 * and every run setting that changes what is measured: chunk, work on either side, spin polls,
 * fsync, the load's shape (pairs, requests in flight, topology, arrivals) and its rate, a rate
 * sweep's step by its share of its run's own maximum (each run measures its own maximum, so two
 * runs' steps match by share, never by rate). The round, the run and what was measured are
 * left out: they are what the group holds.
 *
 * Where a group holds one measure of its experiment (compare's groups, the history's series), a
 * row's latency kind (a round trip, one way of it, a stream's sampled delays, a counted row's
 * work) is part of the name too; the report's group holds every kind of its experiment, each a
 * measure of its own.
 */
#ifndef IPCB_EXPKEY_H
#define IPCB_EXPKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "csvschema.h"

/*
 * The columns a key is read from, in its order: every column csvcolumns.def marks KEY (the
 * transport, its settings, the mode, size, placement and CPUs, and each run setting the CSV
 * records), in the CSV's order, each as its text; then these, which the key reads each in a way
 * of its own.
 */
#define IPCB_EXP_COLUMNS_OWN(X)                                                                    \
	X(LIBRARY, IPCB_COL_LIBRARY) /* its module: the path in "module PATH build-id ..." */      \
	X(FRACTION, IPCB_COL_OFFERED_FRACTION)                                                     \
	X(RATE, IPCB_COL_OFFERED_RATE)                                                             \
	X(HOST, IPCB_COL_HOST)                                                                     \
	X(PEER_HOST, IPCB_COL_PEER_HOST)                                                           \
	X(HOSTS_SLOT, IPCB_COL_HOSTS_SLOT)                                                         \
	X(KIND, IPCB_COL_LATENCY_KIND) /* in the runs' scope only: see ipcb_exp_key() */

/* COLUMN(ID, ROLE, HOW) as X(ID, IPCB_COL_ID) where ROLE is KEY, else nothing. */
#define IPCB_EXP_ROLE_KEY(X, id) X(id, IPCB_COL_##id)
#define IPCB_EXP_ROLE_ROW(X, id)
#define IPCB_EXP_ROLE_MACHINE(X, id)

#define IPCB_EXP_ENUM(name, col) IPCB_EXP_##name,
enum ipcb_exp_col {
#define COLUMN(id, role, how) IPCB_EXP_ROLE_##role(IPCB_EXP_ENUM, id)
#include "csvcolumns.def"
#undef COLUMN
	IPCB_EXP_COLUMNS_OWN(IPCB_EXP_ENUM) IPCB_EXP_NCOLS
};
#undef IPCB_EXP_ENUM
#define IPCB_EXP_COLUMN(name, col) col,
extern const enum ipcb_csv_column ipcb_exp_cols[IPCB_EXP_NCOLS];

/* Where the host and the latency kind belong in the name. */
enum ipcb_exp_scope {
	/*
	 * One file's experiments, each with every kind of row it has (the report's groups): rows
	 * of many hosts (--hosts, or files put together) are a group per pair.
	 */
	IPCB_EXP_ONE_FILE,
	/*
	 * Files of several runs (BASE against NEW, a history's), a measure a group: two runners of
	 * one kind are what a gate compares and a history follows, so a host's name is left out,
	 * except the pair a --hosts row measured ("a->b"), and the latency kind is named last.
	 */
	IPCB_EXP_RUNS,
};

/*
 * The key of the row whose columns ipcb_exp_cols[] hold v[] (text as the CSV writes it, "" where
 * empty) into out, fields apart by a unit separator (which no measured text holds). Its whole
 * length, which is n or more where it did not fit.
 */
size_t ipcb_exp_key(const char *const v[IPCB_EXP_NCOLS], enum ipcb_exp_scope scope, char *out,
		    size_t n);

/*
 * The keys met so far, each with its index in the order they were first met (the report's and
 * compare's groups, the history's series): an open hash, zero when empty.
 */
struct ipcb_exp_index {
	char **key;
	size_t n, cap;
	size_t *slot; /* index + 1; 0 free */
	size_t nslots;
};

/* key's index into *index, added as the next one when it is new (*fresh); 0 or -ENOMEM. */
int ipcb_exp_index_find(struct ipcb_exp_index *e, const char *key, size_t *index, bool *fresh);
void ipcb_exp_index_free(struct ipcb_exp_index *e);

/* A user's module in a `library` field ("module PATH build-id ..."): PATH and its length. */
const char *ipcb_exp_module(const char *library, size_t *len);

#endif /* IPCB_EXPKEY_H */
