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

/*
 * Processes a run or a service started that must not outlive it (a server, an MPI launcher and
 * its ranks) are listed in the directory's file IPCB_RUNDIR_PIDS, one "<pid> <start>" line each
 * (start: the process's start time in clock ticks since boot, /proc/<pid>/stat field 22), so
 * that `ipcbench --cleanup` can kill what a driver killed with SIGKILL left running, and only
 * that: a pid since given to another process has another start time.
 */
#define IPCB_RUNDIR_PIDS "ipcb-pids"

/* Add pid to dir's list (appended, one whole line). 0 or -errno. */
int ipcb_rundir_note_pid(const char *dir, int pid);
/*
 * Field `field` (>= 3, numbered as proc(5) numbers them: 4 the parent, 22 the start time) of
 * /proc/PID/stat, read past the command name, which may hold spaces and ')'. 0, or -errno
 * (-EINVAL: no such field). The one reader of it: async-signal-safe, so that crash.c's handler
 * reads it too.
 */
int ipcb_proc_stat_field(int pid, int field, unsigned long long *out);
/* The start time of pid in clock ticks since boot. 0 or -errno. */
int ipcb_proc_start_ticks(int pid, unsigned long long *ticks);
/*
 * The first line of a small file such as /proc's (its newline cut), or "?" where it cannot be
 * read: what a message quotes of a process's name or a kernel setting.
 */
void ipcb_file_first_line(const char *path, char *out, size_t n);
/* pid's command name (/proc/PID/comm), as ipcb_file_first_line() gives it. */
void ipcb_proc_comm(int pid, char *out, size_t n);
/*
 * Kill (SIGKILL, with its process group when it leads one) every listed process that still
 * runs with the start time listed. Returns how many were killed, or -errno when the list could
 * not be read (-ENOENT: there is none). `said` gets "pid 123 (dbus-daemon)" for each.
 */
int ipcb_rundir_kill_listed(const char *dir, char *said, size_t said_bytes);

/*
 * The last non-empty line of the file at path (a server's or a runtime's log in a run's
 * directory), for an error message: "" when there is none. Reads at most the last 4 KiB, never
 * through a link.
 */
void ipcb_file_last_line(const char *path, char *out, size_t n);

#endif
