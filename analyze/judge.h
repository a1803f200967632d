/* SPDX-License-Identifier: MIT */
/*
 * judge.h - the test of one pair on its rounds (judge.c), as the claims' engine (verdict.c)
 * uses it: the p-values for and against a statement and the sentences it prints.
 */
#ifndef IPCB_JUDGE_H
#define IPCB_JUDGE_H

#include "claims.h"
#include "model.h"

struct judged {
	double p_yes, p_no; /* NAN: untestable */
	char lead[720], sample[360], yes[320], no[320], neither[96];
};

/* Test a against b on ms by test t at margin f (and fh, T_BAND's bound); see judge.c. */
void judge(const struct model *m, const struct group *a, const struct group *b, enum measure ms,
	   enum test t, double f, double fh, double alpha, struct judged *j);

#endif /* IPCB_JUDGE_H */
