/* SPDX-License-Identifier: MIT */
/*
 * cmpopts.h - what `ipcbench compare` is told: its options as rows (lib/cliopt.h), the struct
 * they fill, and the columns its options and its help name (the metrics it gates on, the
 * control rows' column, the machine fingerprint). Private to compare (compare.c and the cmp*.c
 * files it calls); the rows give the parse, the option list of --help and the man page's entries
 * alike.
 */
#ifndef IPCB_CMPOPTS_H
#define IPCB_CMPOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cliopt.h"
#include "csvschema.h"

#define MAX_CONTROLS 16
#define MAX_LOOKS    30

enum format {
	FMT_TABLE,
	FMT_MD,
	FMT_CSV,
	FMT_JSON,
};

/* Words of one part of --filter kept at most. */
#define MAX_FILTER_WORDS 32

/*
 * --filter TRANSPORT[/MODE[/SIZE]]: the groups compared, each part a comma list of which any may
 * match (transports and modes as shell patterns, sizes as the driver takes them), an empty part
 * or "*" any; a group is compared when every part matches it.
 */
struct cmp_filter {
	char text[256];	 /* as given, for messages; "" when there is no filter */
	char words[256]; /* the parts' words, split in place */
	const char *transport[MAX_FILTER_WORDS], *mode[MAX_FILTER_WORDS];
	size_t size[MAX_FILTER_WORDS];
	size_t ntransport, nmode, nsize; /* 0: any */
};

/* Does the filter (or its absence) take a row of this transport, mode and size? */
bool cmp_filter_match(const struct cmp_filter *f, const char *transport, const char *mode,
		      size_t size);

struct opts {
	const char *path[2];
	const struct ipcb_csv_metric *metric;
	double alpha, threshold;
	unsigned looks, look; /* look 0 = the last */
	const char *controls[MAX_CONTROLS];
	size_t ncontrols;
	const char *undecided_path;
	const char *not_counted; /* --not-counted WHY: why the timed groups have no counts */
	bool check_only;
	bool same_machine; /* --same-machine: different fingerprints are an error */
	bool paired;	   /* --paired: BASE and NEW values paired by round */
	enum format format;
	/* --db: BASE from a results history, by --baseline, of NEW's machine unless any_machine */
	const char *db, *baseline;
	bool any_machine;
	struct cmp_filter filter;
	bool help;
	size_t npaths; /* files given so far, while parsing */
};

/* Control rows are judged on this column, which every row ipcbench writes has. */
extern const struct ipcb_csv_metric cmp_control_metric;

/*
 * What says two files were measured on the same kind of machine: a change in any of these moves
 * the numbers as much as a change in the code can. (The host name, the load and the version are
 * left out: another runner of the same kind, or another build, is what a gate compares.)
 */
#define NFINGERPRINT 4
extern const enum ipcb_csv_column cmp_fingerprint_columns[NFINGERPRINT];

/* compare's options, in the order --help shows them. */
extern const struct ipcb_clirow cmp_opts_rows[];

/*
 * Parse argv (argv[0] is "compare") into o, which holds the defaults: the options by their rows,
 * the files, then the checks of the command line as a whole. 0 (o->help: --help was given, the
 * rest not read), or -EINVAL with err naming the option or what is missing.
 */
int cmp_opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen);

#endif /* IPCB_CMPOPTS_H */
