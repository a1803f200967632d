/* SPDX-License-Identifier: MIT */
/* sql.c - SQLite opened on first use; see sql.h for why it is not linked. */
#include "sql.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

struct ipcb_sql ipcb_sql;

int ipcb_sql_load(char *err, size_t errlen)
{
	static bool loaded;
	void *lib, *sym;

	if (loaded)
		return 0;
	/*
	 * Never closed: the functions are used until exit, and a library unloaded under a
	 * sanitizer's leak report loses its symbols.
	 */
	lib = dlopen(IPCB_SQLITE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen,
			 "the results history needs SQLite, and %s could not be opened (%s): "
			 "install it (Debian: libsqlite3-0)",
			 IPCB_SQLITE_SONAME, dlerror());
		return -ENOENT;
	}
#define IPCB_SQL_LOAD(ret, name, args)                                                             \
	sym = dlsym(lib, "sqlite3_" #name);                                                        \
	if (!sym) {                                                                                \
		snprintf(err, errlen,                                                              \
			 "%s has no sqlite3_%s: SQLite too old (3.31 or later needed)",            \
			 IPCB_SQLITE_SONAME, #name);                                               \
		return -ENOENT;                                                                    \
	}                                                                                          \
	*(void **)&ipcb_sql.name = sym;
	IPCB_SQL_FUNCS(IPCB_SQL_LOAD)
#undef IPCB_SQL_LOAD
	loaded = true;
	return 0;
}
