/* SPDX-License-Identifier: MIT */
/*
 * claimdef.h - a claim's definition as the table in claims.c spells it: its sides, how their
 * members are paired, and its clauses. Private to claims.c, which fills and prints it,
 * verdict.c, whose engine walks its clauses, and grade.c, which judges what they found; the
 * sections see a claim only through claims.h.
 */
#ifndef IPCB_CLAIMDEF_H
#define IPCB_CLAIMDEF_H

#include <stdbool.h>
#include <stddef.h>

#include "claims.h"

enum side_kind {
	SD_NONE,
	SD_NAMES,      /* the transports named */
	SD_PATH,       /* every transport of the data path names[0] */
	SD_OTHERS,     /* every mechanism not on the other side */
	SD_FRAMEWORKS, /* each transport built on a library over another transport */
	SD_VARIANTS,   /* each kernel transport's variant of another (a zero-copy twin) */
	SD_SLOWED,     /* each transport measured with a slow consumer but the raw sockets */
	SD_HOSTS,      /* each transport measured across two hosts */
};

struct side {
	enum side_kind kind;
	const char *names[6];
};

enum pairing {
	P_BEST,	   /* the best of A against the best comparable of B, per reader class */
	P_EACH,	   /* each of A against the best comparable of B */
	P_OWN,	   /* each of A against what it rides on */
	P_SLOWEST, /* the slowest comparable of B against A */
};

struct clause {
	struct side a, b;
	enum pairing pair;
	enum test test;
	bool rtt, bps;		  /* the measures: round trip, stream */
	size_t lo, hi;		  /* the sizes, inclusive (hi 0: any) */
	size_t near;		  /* or the size nearest to this one */
	size_t exact;		  /* or this size alone: the claim names it (no other stands in) */
	double factor, factor_hi; /* the margin (1 + CLAIM_MARGIN when 0), T_BAND's upper bound */
	unsigned flags;		  /* rule.h */
	bool raw_first;		  /* P_OWN: what it rides on is A */
	const char *doc_what;	  /* T_DOC: the document's mechanism and time in ms */
	double doc_ms;
};

struct claim_def {
	const char *id, *words, *source, *how;
	struct clause cl[4];
	bool paths;		/* needs the data paths the rows declare */
	const char *unmeasured; /* why, when it compares nothing */
};

/*
 * The comparisons claim c makes of the model's groups (verdict.c), each tested at alpha, added
 * to v (its cmps and what the rule refused); none decided yet (grade.c). 0 or -ENOMEM.
 */
int claim_compare(const struct model *m, const struct claim_def *c, bool at_best, double alpha,
		  struct verdict *v);

#endif /* IPCB_CLAIMDEF_H */
