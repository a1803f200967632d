/* SPDX-License-Identifier: MIT */
/*
 * history.h - the results history: every run's rows kept in one SQLite database, for CI.
 *
 * A CI job that compares two CSV files sees two runs; a drift of 2 % a week, or a change three
 * merges ago, needs the runs before them. `ipcbench --db FILE` stores each row of a run as it is
 * measured, with the machine's fingerprint, the build, the git commit and the command line;
 * `ipcbench history FILE` lists the runs, shows each group's series with its change points and
 * drift, and draws them (--plot DIR); `ipcbench compare --db FILE --baseline SPEC NEW.csv` takes
 * BASE from the history; `ipcbench report --html --db FILE` adds the trend figures.
 *
 * The database (history/db.h has the schema): a `runs` table (one per ipcbench run or imported
 * CSV: when it started and finished, its status, the writer, the machine fingerprint, build,
 * commit, command line) and a `rows` table whose columns are the CSV's (lib/csvschema.c), each
 * value the text the CSV has, NULL where the CSV field is empty. The schema's version is SQLite's
 * user_version; a database of a newer version is refused, an older one migrated; every open
 * runs SQLite's quick_check first and refuses a damaged file. WAL mode with a busy timeout lets
 * several runs write at once; each row is its own transaction, so a run killed at any point
 * leaves the file whole, its rows kept and the run without a finish time: shown as partial.
 *
 * A machine fingerprint is what compare calls the same machine (lib/csvschema.c's cpu_model,
 * kernel, build_type and virtualization columns; not the host name, so that CI runners of one
 * kind share a history): the first 12 hex digits of their SHA-256.
 *
 * Functions return 0 or a negative errno with err naming the file and what failed.
 */
#ifndef IPCB_HISTORY_H
#define IPCB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses of `ipcbench history`. */
enum {
	IPCB_HISTORY_OK = 0,
	IPCB_HISTORY_FAILED = 1, /* a write failed, or the figures could not be drawn */
	IPCB_HISTORY_USAGE = 2,	 /* bad options, or a database that cannot be used (the message) */
};

/* A run being stored (the driver's --db). */
struct ipcb_history_run;

/*
 * Open (or create) the history `db` for writing and record a run that begins now, with the
 * command line and the commit: `commit` when given, else the git HEAD of the working directory
 * when it is in a repository (git rev-parse), else none. Nothing is created when the database is
 * refused (read-only, damaged, of a newer schema, not a history). `what` names the option in
 * messages ("--db").
 */
int ipcb_history_run_begin(struct ipcb_history_run **out, const char *db, const char *what,
			   const char *commit, int argc, char *const argv[], char *err,
			   size_t errlen);
/*
 * Store one row: `line` is the row as the CSV writer formats it (lib/csvschema.c's columns in
 * table order, newline optional). One transaction per row.
 */
int ipcb_history_run_row(struct ipcb_history_run *r, const char *line, size_t len, char *err,
			 size_t errlen);
/* The run's id in the database, and the rows stored so far. */
long long ipcb_history_run_id(const struct ipcb_history_run *r);
size_t ipcb_history_run_rows(const struct ipcb_history_run *r);
/*
 * Record that the run ended, and how: its status becomes interrupted (stopped by a signal: the
 * rows so far), else failed (some runs failed, or rows were not stored; the others' rows are
 * there), else complete. Then close; r is freed whatever the result.
 */
int ipcb_history_run_end(struct ipcb_history_run *r, bool interrupted, bool failed, char *err,
			 size_t errlen);
/* The run never began (a start-up error after the database was opened): its record removed. */
void ipcb_history_run_abandon(struct ipcb_history_run *r);

/*
 * The rule that sets rows of a stored run aside for the machine's state: the report's model
 * decides (ipcb_report_set_aside), as for the report and compare, so that the history's series,
 * baselines' trends and change points leave out what they leave out. analyze/ is not linked
 * here: main.c hands the rule in once. fn(csv, len, aside, n): a run's rows as CSV (header
 * first, n records); aside[i] set to 1 for each row set aside. Without it, nothing is.
 */
typedef int (*ipcb_history_aside_fn)(const char *csv, size_t len, unsigned char *aside, size_t n);
void ipcb_history_aside_set(ipcb_history_aside_fn fn);

/* `ipcbench history DB ...`: argv[0] is "history". Returns an exit status above. */
int ipcb_history_main(int argc, char **argv);

/*
 * The baseline of `compare --db DB --baseline SPEC NEW`, as CSV text (header and rows,
 * malloc'd into *csv, *len bytes) with a description for messages in `name` ("DB: last run,
 * 12 (commit 1a2b3c4d5e6f, 2026-01-02T03:04:05Z)"). SPEC is `last` (the newest complete run),
 * `N-runs` (the newest N pooled) or a commit (every complete run of it, by its full text or a
 * prefix of 4 or more characters). Only runs of NEW's machine fingerprint are candidates unless
 * any_machine; runs that hold NEW's own rows (NEW stored with --db) never are. Returns 0;
 * -ENODATA when `last` or `N-runs` finds no run (a first run: nothing to compare against yet);
 * -ESRCH when SPEC names a commit that has no such run; -EINVAL for a bad SPEC or NEW; another
 * -errno when the database cannot be read.
 */
int ipcb_history_baseline(const char *db, const char *spec, const char *new_path, bool any_machine,
			  char **csv, size_t *len, char *name, size_t namelen, char *err,
			  size_t errlen);

/*
 * Draw the trend figures of `report --html --db DB` into the existing directory `dir` (one SVG
 * per series: throughput groups by bytes_per_s, round trips by p50_ns), for the machine of
 * `csv`'s first row (every machine when csv is NULL). 0 (no series is not an error), or -errno.
 */
int ipcb_history_trends(const char *db, const char *csv, const char *dir, char *err, size_t errlen);

#endif /* IPCB_HISTORY_H */
