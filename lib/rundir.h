/* SPDX-License-Identifier: MIT */
/*
 * rundir.h - the directory that holds every path one run makes (FIFOs, sockets, files, later
 * a server's state): "<parent>/<tag>.d", mode 0700, made exclusively by the driver before the
 * transport's set-up and removed whole after its teardown, or by `ipcbench --cleanup` once the
 * run's process is gone. Transports never name anything outside it, so cleaning up after a run
 * needs to know no transport's file names.
 */
#ifndef IPCB_RUNDIR_H
#define IPCB_RUNDIR_H

#include <stddef.h>

/* The suffix a run directory's name has after the run's tag. */
#define IPCB_RUNDIR_SUFFIX ".d"

/* Make "<parent>/<tag>.d" (mode 0700, O_EXCL semantics); its path in out. 0 or -errno. */
int ipcb_rundir_create(const char *parent, const char *tag, char *out, size_t n);

/*
 * Remove the directory at path and everything below it, never following a symbolic link (a link
 * inside is removed, not what it points to) and never leaving the directory tree it names.
 * 0, or the first -errno met (it goes on removing what it can).
 */
int ipcb_rundir_remove(const char *path);

#endif
