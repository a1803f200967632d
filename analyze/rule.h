/* SPDX-License-Identifier: MIT */
/*
 * rule.h - like with like: may two groups be compared? One predicate, which every claim,
 * ranking, family pick, answer and figure goes through (CLAIMS.md, "Like with like").
 *
 * Two groups are compared on a measure only when both did the same work in the same way:
 *  - at the same placement and size, in the same state of the machine;
 *  - both readers poll, or both sleep, each as its own rows' voluntary switches per message
 *    say, round trips and streams alike, whatever its wait is called; a reader whose rounds
 *    did both (its class unclear) stands against nobody;
 *  - both copied every byte: a loan (the receiver reads the payload where the sender built it)
 *    stands only against its own copying original;
 *  - both at their defaults, or both at their best where both have the setting (a pipe's
 *    buffer tried, a FIFO's tried too);
 *  - a zero-copy transport is zero-copy only where its rows show the copy was avoided.
 * Differences that do not forbid the comparison are named on its line: queue depth or buffer,
 * small messages coalesced, a page cache that never reached the disk.
 */
#ifndef IPCB_RULE_H
#define IPCB_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* What a comparison asks beyond the rule, or allows that it refuses. */
enum rule_flags {
	RULE_ORIGINAL = 1u << 0,  /* a loan or zero-copy variant against its own original (C13) */
	RULE_PLACEMENT = 1u << 1, /* the two at different placements (C14: hosts and loopback) */
	RULE_SETTINGS = 1u << 2,  /* one transport's setting against its defaults */
	RULE_ZEROCOPY = 1u << 3,  /* a's claim is that it is zero-copy: only where that happened */
};

/*
 * May a and b be compared on measure ms? true, with the differences to name in notes ("" when
 * none); false with the reason in why ("pipe's reader sleeps (2.1 voluntary context switches
 * per message), shm's polls (0.0002)").
 */
bool rule_comparable(const struct model *m, const struct group *a, const struct group *b,
		     enum measure ms, unsigned flags, char *why, size_t n, char *notes, size_t nn);

/* A group's own label where a figure is not the same work as the others' (" [a loan: ...]"). */
void rule_label(const struct group *g, char *out, size_t n);

#endif /* IPCB_RULE_H */
