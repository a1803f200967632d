/* SPDX-License-Identifier: MIT */
/*
 * cliopt.h - the one command-line parser of every ipcbench command (the driver, compare, report,
 * serve, history), driven by a table of options, so that all of them take the same spellings:
 *
 *   --name VALUE, --name=VALUE, -n VALUE, -nVALUE; flags bundled as -qh (and -qt pipe: the last
 *   one of a bundle may take a value); a unique prefix of a long name (--trans for --transport);
 *   "--" ends the options; "-" alone is an argument. Arguments may come between options.
 *
 * and say the same things when they are wrong: "unknown option '--x'", "--x: missing value",
 * "'--flag=v': this option takes no value", "--x is ambiguous (--xa, --xb)".
 *
 * A row (struct ipcb_clirow) says everything about its option, like fio's struct fio_option:
 * its spelling, the type of its value and where in the caller's struct it goes (an offset), its
 * range, its default, its --help text, and, for the driver, whether the peer of a two-host run
 * needs it and where a run's spec holds it. Parsing (ipcb_cli_parse), the defaults
 * (ipcb_cli_defaults), the option list of --help and of the man page (ipcb_cli_help) and the
 * settings a peer gets (ipcb_cli_peer_pack and _unpack) all read the rows; completion and the man
 * page's test read --help. Every command parses through ipcb_cli_parse(): what a command does
 * beside storing a value (an argument, --help, noting what was given) is a hook.
 */
#ifndef IPCB_CLIOPT_H
#define IPCB_CLIOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csvschema.h"

/* What an option's value is, and what its row does with it. */
enum ipcb_cli_type {
	IPCB_CLI_FLAG,	  /* no value: sets a bool */
	IPCB_CLI_CLEAR,	  /* no value: clears a bool (--no-probes) */
	IPCB_CLI_U64,	  /* uint64_t: a whole number in [min, max] */
	IPCB_CLI_UINT,	  /* unsigned: a whole number in [min, max] */
	IPCB_CLI_SECONDS, /* double: seconds in [fmin, fmax] */
	IPCB_CLI_TEXT,	  /* const char *: the value as given */
	IPCB_CLI_CHOICE,  /* int: one of .choices, stored as .values says (else its index) */
	IPCB_CLI_CALL,	  /* .parse takes it */
};

/* An option's spelling: what a row begins with. */
struct ipcb_cliopt {
	const char *name; /* long name without "--"; NULL ends the table */
	char letter;	  /* short name, or 0 */
};

/* A row that says everything about its option (ipcb_cli_parse() and the rest). */
struct ipcb_clirow {
	struct ipcb_cliopt opt; /* its spelling (whether it takes a value: by its type) */
	enum ipcb_cli_type type;
	size_t off;	     /* where the value goes: offsetof() in the caller's struct */
	uint64_t min, max;   /* U64, UINT; CHOICE: max is the largest value the field holds */
	double fmin, fmax;   /* SECONDS */
	const char *choices; /* CHOICE: "spin|yield|block|hybrid" */
	const int *values;   /* CHOICE: what each choice stores (NULL: its index) */
	/*
	 * CHOICE: what a choice is ("unknown strategy 'x'"); TEXT: what the value names, and an
	 * empty one is refused ("--csv: empty file name"); NULL: any word, any text.
	 */
	const char *noun;
	const char *valid; /* CHOICE: the valid words as a message lists them (NULL: .choices) */
	/* CALL: store value into base; 0, or -EINVAL with err naming the option. */
	int (*parse)(void *base, const char *value, char *err, size_t errlen);
	const char *def; /* the value it has when not given, taken as if given (NULL: none) */

	/*
	 * --help: the value's name ("LIST"), its text (lines after the first indented), and a
	 * heading printed before the row. help_fn, when set, writes the text instead (a text made
	 * of other tables' names). A row without help is left out of --help.
	 */
	const char *arg, *help, *section;
	void (*help_fn)(char *out, size_t n);
	unsigned flags; /* the caller's own marks, for its checks of the whole command line */

	/*
	 * The driver's: where a run's spec holds the value (offsetof() in the spec, 0: nowhere;
	 * ipcb_cli_spec_fill() puts it there), and whether the peer of a two-host run needs it,
	 * so that it travels in every run's message to the peer from there
	 * (ipcb_cli_peer_pack() and _unpack()).
	 */
	bool peer;
	size_t spec;
	/*
	 * The driver's: the CSV column (lib/csvschema.h) that records the value each run had,
	 * written from the run's spec (a flag as 0 or 1, a number as it is); IPCB_COL_TRANSPORT,
	 * the zero of a row, which no option records: none. So an option the results record is
	 * its field, its row and its column.
	 */
	enum ipcb_csv_column column;
	/*
	 * A row another table brings (ipcb_cli_merge()): the row it follows in the merged table,
	 * by its long name, so that --help and the man page show it in its place.
	 */
	const char *after;
};

/* What a caller of ipcb_cli_parse() does beside what the rows do. */
struct ipcb_cli_hooks {
	/* An argument (not an option): 0 or -EINVAL. NULL: "unexpected argument 'X'". */
	int (*arg)(void *ctx, const char *arg, char *err, size_t errlen);
	/*
	 * After an option was taken, as the user typed it ("-t") and with its value as given (NULL
	 * for a flag): 0 to go on, 1 to stop parsing here (--help), or -EINVAL with err filled.
	 */
	int (*taken)(void *ctx, const struct ipcb_clirow *row, const char *typed, const char *value,
		     char *err, size_t errlen);
	void *ctx;
};

/*
 * Parse argv (argv[0] is the program) into the struct at base, each option by its row. 0, 1 when
 * a hook stopped it, -EINVAL with err filled, or what a hook returned. hooks may be NULL. With
 * base NULL nothing is stored: a walk over a command line (one parsed before), each option and
 * argument handed to the hooks as it was given.
 */
int ipcb_cli_parse(const struct ipcb_clirow *table, void *base, int argc, char **argv,
		   const struct ipcb_cli_hooks *hooks, char *err, size_t errlen);
/* Give every row with a default its value, as if given. 0, or -EINVAL (a bad default). */
int ipcb_cli_defaults(const struct ipcb_clirow *table, void *base, char *err, size_t errlen);

/*
 * --help's option list: each row with help, "  -l, --long ARG" (a long name alone indented by
 * `indent`), its text from column `col` (after two spaces when the name reaches it, on the next
 * line when it goes further), its further lines there too; a row's section before it, after a
 * blank line.
 *
 * With IPCB_HELP_FORMAT=man in the environment, the same rows as the man page's entries instead
 * (roff: a .SS per section, a .TP per option), between the lines '.\" rows begin' and
 * '.\" rows end', so that the build makes the page's option entries from the rows (doc/man-page)
 * and a row's help is written once.
 */
void ipcb_cli_help(FILE *f, const struct ipcb_clirow *table, unsigned indent, unsigned col);

/*
 * A run's spec from the options at base: each row that says where a spec holds its value
 * (.spec, not 0) copies it there, as its type stores it (a CALL row's value has no type the
 * table knows and is left to the caller). What a run computes from an option (a warm-up sized
 * to the payload, a wait the transport fixes) the caller sets after.
 */
void ipcb_cli_spec_fill(const struct ipcb_clirow *table, const void *base, void *spec);

/*
 * One table from the caller's rows and rows declared elsewhere (more: a spec's own rows,
 * beside their fields in the spec; the rows of the modes, in the modes' files): table's rows
 * in order, each of more after the row its .after names (in either table; rows after the same
 * row keep their order). A row of more goes to base + its .off in the caller's struct; with
 * spec, its .off is its place in a spec (a spec held at base) and .spec says so for a run's
 * spec. out holds cap rows and the end. 0, or -EINVAL with err naming a row whose .after
 * names no row, or -ENOSPC.
 */
int ipcb_cli_merge(const struct ipcb_clirow *table, const struct ipcb_clirow *more, size_t base,
		   bool spec, struct ipcb_clirow *out, size_t cap, char *err, size_t errlen);
/* The rows the peer needs, in table order. */
size_t ipcb_cli_peer_count(const struct ipcb_clirow *table);
/* Those rows' values in a spec, each as 64 bits, into vals (ipcb_cli_peer_count() of them). */
void ipcb_cli_peer_pack(const struct ipcb_clirow *table, const void *spec, uint64_t *vals);
/*
 * Back into a spec, each checked: n must be the rows' count, a value no more than its row's
 * largest (a spec may hold less than an option takes: 0 messages when the duration decides).
 * 0, or -EINVAL with why naming the option.
 */
int ipcb_cli_peer_unpack(const struct ipcb_clirow *table, const uint64_t *vals, size_t n,
			 void *spec, char *why, size_t why_bytes);

#endif /* IPCB_CLIOPT_H */
