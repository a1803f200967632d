/* SPDX-License-Identifier: MIT */
/*
 * histsrc.h - what compare and report ask of a results history (`compare --db`, `report --db`).
 *
 * The history (history/history.h) is a library beside analyze/, which links lib/ only, so
 * neither includes the other: main.c hands the history's functions in here once, at start.
 * Without them (a program that links analyze/ alone, such as a fuzz target) --db says that this
 * program keeps no history.
 */
#ifndef IPCB_HISTSRC_H
#define IPCB_HISTSRC_H

#include <stdbool.h>
#include <stddef.h>

struct ipcb_history_source {
	/*
	 * BASE for NEW from the history db, as CSV text (malloc'd), with its description in name;
	 * -ENODATA when the history has no baseline yet. See ipcb_history_baseline().
	 */
	int (*baseline)(const char *db, const char *spec, const char *new_path, bool any_machine,
			char **csv, size_t *len, char *name, size_t namelen, char *err,
			size_t errlen);
	/* The trend figures of db for the machine of csv, as SVG files into dir. */
	int (*trends)(const char *db, const char *csv, const char *dir, char *err, size_t errlen);
};

void ipcb_history_source_set(const struct ipcb_history_source *src);
/* The source set, or NULL. */
const struct ipcb_history_source *ipcb_history_source_get(void);

#endif /* IPCB_HISTSRC_H */
