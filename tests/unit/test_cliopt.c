/* SPDX-License-Identifier: MIT */
/* test_cliopt.c - the one command-line parser: every spelling it takes, every error it names. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "cliopt.h"

/* Spellings to walk: each row's mark (.flags) names it in parse()'s words. */
struct walk {
	const char *text;
	bool flag;
	char out[512];
};

#define WALK_ROW(long_, letter_, takes, mark)                                                      \
	{                                                                                          \
		.opt = {.name = long_, .letter = letter_},                                         \
		.type = (takes) ? IPCB_CLI_TEXT : IPCB_CLI_FLAG,                                   \
		.off = (takes) ? offsetof(struct walk, text) : offsetof(struct walk, flag),        \
		.flags = (mark)                                                                    \
	}

static const struct ipcb_clirow table[] = {
    WALK_ROW("transport", 't', true, 't'), WALK_ROW("quiet", 'q', false, 'q'),
    WALK_ROW("timeout", 0, true, 'T'),	   WALK_ROW("topology", 0, true, 'P'),
    WALK_ROW("look", 0, true, 'l'),	   WALK_ROW("looks", 0, true, 'L'),
    WALK_ROW("help", 'h', false, 'h'),	   {.opt = {.name = NULL}},
};

static void walk_add(struct walk *w, char mark, const char *value)
{
	size_t used = strlen(w->out);

	snprintf(w->out + used, sizeof(w->out) - used, "%s%c=%s", used ? " " : "", mark,
		 value ? value : "-");
}

static int walk_arg(void *ctx, const char *arg, char *err, size_t errlen)
{
	walk_add(ctx, '@', arg);
	return 0;
}

static int walk_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	walk_add(ctx, (char)row->flags, value);
	return 0;
}

/*
 * Parse argv (NULL-ended) into "id=value" words joined by spaces (an argument's id '@', a flag's
 * value '-'), or "ERR:message".
 */
static const char *parse(char **argv)
{
	static struct walk w;
	const struct ipcb_cli_hooks hooks = {.arg = walk_arg, .taken = walk_taken, .ctx = &w};
	char err[200];
	int argc = 0;

	static struct walk bare;
	const struct ipcb_cli_hooks bare_hooks = {
	    .arg = walk_arg, .taken = walk_taken, .ctx = &bare};
	int rc;

	while (argv[argc])
		argc++;
	memset(&w, 0, sizeof(w));
	rc = ipcb_cli_parse(table, &w, argc, argv, &hooks, err, sizeof(err));
	if (rc < 0)
		snprintf(w.out, sizeof(w.out), "ERR:%s", err);
	/* Walked without a base (nothing stored), the hooks see the same items. */
	memset(&bare, 0, sizeof(bare));
	if (ipcb_cli_parse(table, NULL, argc, argv, &bare_hooks, err, sizeof(err)) < 0)
		snprintf(bare.out, sizeof(bare.out), "ERR:%s", err);
	if (strcmp(bare.out, w.out) != 0 || bare.text || bare.flag)
		snprintf(w.out, sizeof(w.out), "WALKED OTHERWISE:%.400s", bare.out);
	return w.out;
}

/* A command's options as rows: each value stored by its type where its row says. */
struct demo {
	bool quiet, probes;
	uint64_t count;
	unsigned rounds;
	double secs;
	const char *file;
	int wait;
	char list[32];
};

struct demo_spec {
	void *first; /* a spec's offset 0 is no setting's */
	uint64_t count;
	double secs;
	int wait;
	bool quiet;
	const char *file; /* a setting the run takes that the peer does not */
};

static int demo_list(void *base, const char *v, char *err, size_t errlen)
{
	struct demo *d = base;

	if (strchr(v, ' ')) {
		snprintf(err, errlen, "--list: '%s' has a space", v);
		return -EINVAL;
	}
	snprintf(d->list, sizeof(d->list), "%s", v);
	return 0;
}

static const int demo_waits[] = {10, 20, 30};

static const struct ipcb_clirow demo_rows[] = {
    {.opt = {.name = "quiet", .letter = 'q'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct demo, quiet),
     .spec = offsetof(struct demo_spec, quiet),
     .peer = true,
     .section = "Some:",
     .help = "say less"},
    {.opt = {.name = "no-probes"},
     .type = IPCB_CLI_CLEAR,
     .off = offsetof(struct demo, probes),
     .help = "no probes"},
    {.opt = {.name = "count", .letter = 'n'},
     .type = IPCB_CLI_U64,
     .off = offsetof(struct demo, count),
     .min = 1,
     .max = 1000,
     .def = "7",
     .spec = offsetof(struct demo_spec, count),
     .peer = true,
     .arg = "N",
     .help = "how many\n(default 7)"},
    {.opt = {.name = "rounds"},
     .type = IPCB_CLI_UINT,
     .off = offsetof(struct demo, rounds),
     .min = 1,
     .max = 9,
     .arg = "A-VERY-LONG-NAME",
     .help = "rounds"},
    {.opt = {.name = "secs"},
     .type = IPCB_CLI_SECONDS,
     .off = offsetof(struct demo, secs),
     .fmin = 0,
     .fmax = 60,
     .def = "0.5",
     .spec = offsetof(struct demo_spec, secs),
     .peer = true,
     .arg = "SECONDS",
     .help = "how long"},
    {.opt = {.name = "file"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct demo, file),
     .spec = offsetof(struct demo_spec, file),
     .noun = "file name",
     .arg = "FILE",
     .section = "Other:",
     .help = "where"},
    {.opt = {.name = "wait"},
     .type = IPCB_CLI_CHOICE,
     .off = offsetof(struct demo, wait),
     .choices = "spin|block|hybrid",
     .values = demo_waits,
     .max = 30,
     .noun = "strategy",
     .def = "hybrid",
     .spec = offsetof(struct demo_spec, wait),
     .peer = true,
     .arg = "HOW",
     .help = "how"},
    {.opt = {.name = "list"},
     .type = IPCB_CLI_CALL,
     .parse = demo_list,
     .arg = "A-NAME-LONGER-STILL-THAN-THAT"},
    {.opt = {.name = NULL}},
};

static int demo_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	char *seen = ctx;

	snprintf(seen + strlen(seen), 64 - strlen(seen), "%s ", typed);
	/* --list stops the parse there: what follows is not read. */
	return strcmp(row->opt.name, "list") == 0;
}

/* Parse argv into a demo with its defaults: "" or "ERR:message". */
static const char *demo_parse(struct demo *d, char *seen, char **argv)
{
	static char out[256];
	const struct ipcb_cli_hooks hooks = {.taken = demo_taken, .ctx = seen};
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	memset(d, 0, sizeof(*d));
	d->probes = true;
	seen[0] = out[0] = '\0';
	ipcb_cli_defaults(demo_rows, d, out, sizeof(out));
	rc = ipcb_cli_parse(demo_rows, d, argc, argv, &hooks, out, sizeof(out));
	if (rc < 0) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", out);
		snprintf(out, sizeof(out), "ERR:%s", msg);
		return out;
	}
	snprintf(out, sizeof(out), "%s", rc == 1 ? "STOP" : "");
	return out;
}

#define DEMO(want, ...)                                                                            \
	do {                                                                                       \
		char *argv_[] = {"prog", __VA_ARGS__, NULL};                                       \
		const char *got_ = demo_parse(&d, seen, argv_);                                    \
		if (!ok(strcmp(got_, want) == 0, "rows: %s", want[0] ? want : "parsed"))           \
			tap_diag("got %s", got_);                                                  \
	} while (0)

static void rows_check(void)
{
	struct demo d;
	struct demo_spec spec = {0}, back;
	char seen[64], *help = NULL;
	uint64_t vals[4];
	size_t len = 0;
	FILE *f;

	DEMO("", "-q");
	ok(d.quiet && d.probes && d.count == 7 && d.secs == 0.5 && d.wait == 30 && !d.file,
	   "a flag set, every default given");
	DEMO("", "--no-probes", "-n12", "--rounds=3", "--secs", "2s", "--file", "x", "--wait",
	     "block");
	ok(!d.probes && d.count == 12 && d.rounds == 3 && d.secs == 2 && strcmp(d.file, "x") == 0 &&
	       d.wait == 20 && strcmp(seen, "--no-probes -n --rounds --secs --file --wait ") == 0,
	   "each value where its row says, each option handed to the hook as typed (%s)", seen);
	DEMO("ERR:--count: '0' is out of range (1 to 1000)", "-n", "0");
	DEMO("ERR:--rounds: 'x' is not a whole number", "--rounds", "x");
	DEMO("ERR:--secs: '61' is out of range (0 to 60 seconds)", "--secs", "61");
	DEMO("ERR:--file: empty file name", "--file=");
	DEMO("ERR:--wait: unknown strategy 'yield'; valid: spin, block, hybrid", "--wait", "yield");
	DEMO("ERR:--list: 'a b' has a space", "--list", "a b");
	DEMO("ERR:unexpected argument 'arg'", "-q", "arg");
	DEMO("ERR:'--no-probes=1': this option takes no value", "--no-probes=1");
	DEMO("STOP", "--li", "a", "--frob");

	f = open_memstream(&help, &len);
	ipcb_cli_help(f, demo_rows, 6, 25);
	fclose(f);
	if (!ok(help && strcmp(help, "\n"
				     "Some:\n"
				     "  -q, --quiet            say less\n"
				     "      --no-probes        no probes\n"
				     "  -n, --count N          how many\n"
				     "                         (default 7)\n"
				     "      --rounds A-VERY-LONG-NAME\n"
				     "                         rounds\n"
				     "      --secs SECONDS     how long\n"
				     "\n"
				     "Other:\n"
				     "      --file FILE        where\n"
				     "      --wait HOW         how\n") == 0,
		"--help: sections, the text from column 25, a long name's on the next line, a "
		"row without text left out"))
		tap_diag("%s", help ? help : "(none)");
	free(help);

	{
		struct demo given = {.quiet = true,
				     .probes = true,
				     .count = 42,
				     .rounds = 3,
				     .secs = 2.5,
				     .file = "f.csv",
				     .wait = 20};
		void *mark = &given;

		spec = (struct demo_spec){.first = mark};
		ipcb_cli_spec_fill(demo_rows, &given, &spec);
		ok(spec.first == mark && spec.quiet && spec.count == 42 && spec.secs == 2.5 &&
		       spec.wait == 20 && spec.file && strcmp(spec.file, "f.csv") == 0,
		   "a spec filled from the rows holds each value where its row says, by its type "
		   "(flag, whole number, seconds, choice, text), and nothing at offset 0");
	}
	spec = (struct demo_spec){.count = 9, .secs = 1.25, .wait = 10, .quiet = true};
	ok(ipcb_cli_peer_count(demo_rows) == 4, "four settings for the peer");
	ipcb_cli_peer_pack(demo_rows, &spec, vals);
	memset(&back, 0, sizeof(back));
	ok(ipcb_cli_peer_unpack(demo_rows, vals, 4, &back, seen, sizeof(seen)) == 0 && back.quiet &&
	       back.count == 9 && back.secs == 1.25 && back.wait == 10,
	   "and back into a spec as they were");
	ok(ipcb_cli_peer_unpack(demo_rows, vals, 3, &back, seen, sizeof(seen)) == -EINVAL &&
	       strstr(seen, "3 settings"),
	   "a count of settings not the table's is refused (%s)", seen);
	vals[1] = 1001;
	ok(ipcb_cli_peer_unpack(demo_rows, vals, 4, &back, seen, sizeof(seen)) == -EINVAL &&
	       strstr(seen, "--count: 1001"),
	   "a value above its row's largest is refused (%s)", seen);
	vals[1] = 0;			 /* a spec may hold less than the option takes */
	vals[2] = 0x7ff0000000000000ull; /* infinity */
	ok(ipcb_cli_peer_unpack(demo_rows, vals, 4, &back, seen, sizeof(seen)) == -EINVAL &&
	       strstr(seen, "--secs"),
	   "seconds that are not a finite number in range are refused (%s)", seen);
}

/* A caller's options with a spec of its own, and rows of that spec's (ipcb_cli_merge()). */
struct mix {
	bool quiet, loud;
	struct demo_spec run;
};

static const struct ipcb_clirow mix_own[] = {
    {.opt = {.name = "quiet"}, .type = IPCB_CLI_FLAG, .off = offsetof(struct mix, quiet)},
    {.opt = {.name = "loud"}, .type = IPCB_CLI_FLAG, .off = offsetof(struct mix, loud)},
    {.opt = {.name = NULL}},
};

static const struct ipcb_clirow mix_spec[] = {
    {.opt = {.name = "secs"},
     .type = IPCB_CLI_SECONDS,
     .off = offsetof(struct demo_spec, secs),
     .fmax = 60,
     .after = "count"},
    {.opt = {.name = "count"},
     .type = IPCB_CLI_U64,
     .off = offsetof(struct demo_spec, count),
     .min = 1,
     .max = 9,
     .def = "3",
     .peer = true,
     .after = "quiet"},
    {.opt = {.name = NULL}},
};

static void merge_check(void)
{
	struct ipcb_clirow rows[8], bad[2] = {mix_spec[0], {.opt = {.name = NULL}}};
	char *argv[] = {"prog", "--secs", "2", "--loud", NULL}, err[128] = "", order[64] = "";
	struct demo_spec spec = {0};
	struct mix m = {0};
	int rc;

	rc = ipcb_cli_merge(mix_own, mix_spec, offsetof(struct mix, run), true, rows, 8, err,
			    sizeof(err));
	for (size_t i = 0; rc == 0 && rows[i].opt.name; i++)
		snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s ",
			 rows[i].opt.name);
	ok(rc == 0 && strcmp(order, "quiet count secs loud ") == 0,
	   "merged: each spec row after the row it names, a chain of them in turn (%s)", order);
	ok(rc == 0 &&
	       rows[1].off == offsetof(struct mix, run) + offsetof(struct demo_spec, count) &&
	       rows[1].spec == offsetof(struct demo_spec, count) && rows[1].peer,
	   "a spec row's value goes to the caller's spec, and to its place in a run's");
	ok(rc == 0 && ipcb_cli_defaults(rows, &m, err, sizeof(err)) == 0 &&
	       ipcb_cli_parse(rows, &m, 4, argv, NULL, err, sizeof(err)) == 0 && m.loud &&
	       m.run.count == 3 && m.run.secs == 2,
	   "parsed, with its default, through the merged table (%s)", err);
	ipcb_cli_spec_fill(rows, &m, &spec);
	ok(spec.count == 3 && spec.secs == 2, "and a run's spec filled from it");
	rc = ipcb_cli_merge(mix_own, mix_spec, 4, false, rows, 8, err, sizeof(err));
	ok(rc == 0 && rows[1].off == 4 + offsetof(struct demo_spec, count) && rows[1].spec == 0,
	   "rows not of a spec go to base + their offset, and to no run's spec");
	bad[0].after = "nope";
	rc = ipcb_cli_merge(mix_own, bad, 0, true, rows, 8, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "--secs: after --nope"),
	   "a spec row after no row is refused, named (%s)", err);
	rc = ipcb_cli_merge(mix_own, mix_spec, 0, true, rows, 3, err, sizeof(err));
	ok(rc == -ENOSPC, "a table that does not fit is refused (%s)", err);
}

#define CHECK(want, ...)                                                                           \
	do {                                                                                       \
		char *argv_[] = {"prog", __VA_ARGS__, NULL};                                       \
		const char *got_ = parse(argv_);                                                   \
		if (!ok(strcmp(got_, want) == 0, "%s", want))                                      \
			tap_diag("got %s", got_);                                                  \
	} while (0)

int main(void)
{
	CHECK("t=pipe", "--transport", "pipe");
	CHECK("t=pipe", "--transport=pipe");
	CHECK("t=pipe", "-t", "pipe");
	CHECK("t=pipe", "-tpipe");
	CHECK("t=", "--transport=");
	CHECK("q=- h=-", "-qh");
	CHECK("q=- t=shm", "-qt", "shm");
	CHECK("q=- t=shm", "-qtshm");
	CHECK("t=pipe", "--trans", "pipe");
	CHECK("l=3", "--look", "3");
	CHECK("L=4", "--looks=4");
	CHECK("ERR:--lo is ambiguous: --look --looks", "--lo", "3");
	CHECK("P=1:2", "--to", "1:2"); /* the prefix of one name only */
	CHECK("ERR:--t is ambiguous: --transport --timeout --topology", "--t", "1");
	CHECK("ERR:unknown option '--frob'", "--frob");
	CHECK("ERR:unknown option '--=x'", "--=x");
	CHECK("ERR:unknown option '-Z'", "-qZ");
	CHECK("ERR:--transport: missing value", "--transport");
	CHECK("ERR:-t: missing value", "-q", "-t");
	CHECK("ERR:'--quiet=1': this option takes no value", "--quiet=1");
	CHECK("@=a q=- @=b", "a", "-q", "b");
	CHECK("@=- @=-q", "-", "--", "-q");
	CHECK("t=-q", "-t", "-q");
	rows_check();
	merge_check();
	return tap_done();
}
