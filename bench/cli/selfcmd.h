/* SPDX-License-Identifier: MIT */
/*
 * selfcmd.h - inside bench/cli/: what `ipcbench selftest` is asked to do (selfcmd.c), for the
 * suite itself (selftest.c): the transport its command line names, and whether that transport
 * must run here. Not for use outside the selftest.
 */
#ifndef IPCB_SELFCMD_H
#define IPCB_SELFCMD_H

#include <stddef.h>

#include "transport.h"

#define REQUIRE_ENV "IPCB_REQUIRE_TRANSPORTS"

/*
 * Must `name` run here? 1 yes (REQUIRE_ENV is "all" or lists it), 0 no, -1 the variable names
 * something that is no transport (bad gets it).
 */
int ipcb_selftest_required_here(const char *name, char *bad, size_t badlen);
/* The transport the command line names: 0, -1 after --help, or the exit status (said). */
int ipcb_selftest_transport(int argc, char **argv, const struct ipcb_transport **t);

#endif
