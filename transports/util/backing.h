/* SPDX-License-Identifier: MIT */
/*
 * backing.h - the file behind a run's shared memory or data (POSIX shm or a regular file): one
 * only this run can open, with its space reserved up front, and whose name never outlives setup.
 */
#ifndef IPCB_BACKING_H
#define IPCB_BACKING_H

#include <stddef.h>

#include "transport.h"

/*
 * Create "/<name>" in POSIX shared memory (dir NULL; the name is the run's tag) or "<dir>/<name>"
 * (dir the run's directory) with O_EXCL and mode 0600,
 * reserve `bytes` in it, and remove the name again before returning: the fd (close-on-exec,
 * inherited across fork) is all the run needs, so nothing can be left behind. Reserving the
 * space makes a full file system fail here, named, instead of a SIGBUS or ENOSPC mid-run.
 * 0 with *fd set, or -errno recorded in e.
 */
int ipcb_backing_create(const char *dir, const char *name, size_t bytes, int *fd,
			struct ipcb_err *e);

/*
 * ipcb_backing_create(), then mmap the `bytes` shared and writable and close the fd: the mapping
 * alone keeps the memory, inherited across fork. 0 with *out set, or -errno recorded in e.
 */
int ipcb_backing_create_map(const char *dir, const char *name, size_t bytes, void **out,
			    struct ipcb_err *e);

/*
 * Enter every page of a shared mapping made before fork into this process's page tables, before
 * its timed messages: fork copies no page-table entries of a shared mapping (the kernel fills
 * them at each page's first touch instead), so each side of a channel would otherwise take a
 * page fault at the first touch of each page of its ring, inside the timed messages of every run
 * too short to have gone round the ring in its warm-up. The pages' contents are not changed.
 * 0, or -errno recorded in e.
 */
int ipcb_backing_populate(void *p, size_t bytes, struct ipcb_err *e);

#endif
