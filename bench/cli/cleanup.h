/* SPDX-License-Identifier: MIT */
/*
 * cleanup.h - `ipcbench --cleanup`: find and remove what ipcbench runs that no longer exist left
 * behind (a driver killed with SIGKILL runs no teardown).
 *
 * It looks at /dev/shm (POSIX shared memory), /dev/mqueue (POSIX message queues, when mounted),
 * the temporary directory ($TMPDIR, else /tmp: files, FIFO directories and the System V
 * registries of sysvreg.h) and, when given, the --dir directory. An entry is a candidate only if
 * its name is exactly one ipcbench makes there, "ipcbench-<pid>-<16 hex digits>" with the suffix
 * the transport adds ("-ab"/"-ba" for queues, ".XXXXXX" for a FIFO directory, ".sysv" for a
 * registry), with a pid no larger than kernel.pid_max, of the type ipcbench makes it (a regular
 * file, or a directory for FIFOs), and it belongs to this user. It is removed only when no
 * process <pid> exists, or the process <pid> started after the entry was last changed (the pid
 * was reused, so its maker is gone); a live run's entries are kept. A registry of a dead pid
 * names System V objects: each is removed only if it still exists with the listed id and key,
 * ipcbench's key prefix, mode 0600 and this user as owner; then the registry itself is removed.
 * Objects with ipcbench's key prefix that no registry names are reported, never removed: nothing
 * says whose they are.
 *
 * Every removal (or, with dry_run, every entry that would be removed) is listed on stdout, one
 * per line. Returns the exit status: 0 done (also when there was nothing to do), 1 something
 * could not be removed or a directory could not be read, 2 the given dir is not a directory.
 */
#ifndef IPCB_CLEANUP_H
#define IPCB_CLEANUP_H

#include <stdbool.h>

int ipcb_cleanup_main(bool dry_run, const char *dir);

#endif
