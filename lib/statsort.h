/* SPDX-License-Identifier: MIT */
/*
 * statsort.h - the ascending sort that stats.c's summaries and ranktest.c's rank tests share;
 * private to lib/, the rest of the tree sorts its own way.
 */
#ifndef IPCB_STATSORT_H
#define IPCB_STATSORT_H

#include <stddef.h>

/* qsort() comparison of two doubles, ascending (NaNs compare equal to everything). */
int ipcb_stats_double_cmp(const void *a, const void *b);

/* A malloc'd ascending copy of x[0..n) in *out: 0, -EINVAL (NULL x or n == 0) or -ENOMEM. */
int ipcb_stats_sorted_copy(const double *x, size_t n, double **out);

#endif /* IPCB_STATSORT_H */
