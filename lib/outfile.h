/* SPDX-License-Identifier: MIT */
/*
 * outfile.h - output files that lose nothing: never written through a symbolic link, written in
 * whole pieces, and put in place only once there is something to put there.
 *
 * A file that is replaced as a whole (--hdr-log, a .hgrm file, `report -o`) is written under a
 * temporary name in its own directory ("<name>.XXXXXX", created exclusively, so nothing planted
 * there is followed or overwritten) and renamed over its name when it has content: until then an
 * existing file of that name is untouched, an error or a signal before that leaves it as it was,
 * and a reader never finds it half written. A character device (/dev/null, /dev/full) is written
 * directly. The CSV is the exception: it is appended to in place (output.h).
 *
 * `-` names standard output, as the shell's tools take it: the data is written there as to a
 * device, for a pipe into another tool (`ipcbench --csv - | ...`), and a program whose data
 * takes standard output sends what it would print there for a person to standard error
 * (ipcb_stdout_take()).
 *
 * Functions return 0 or a negative errno; those taking `err` also write one line into it that
 * names the option, the path and the problem.
 */
#ifndef IPCB_OUTFILE_H
#define IPCB_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ipcb_outfile {
	char path[PATH_MAX]; /* the name it gets */
	char tmp[PATH_MAX];  /* the temporary name while not placed; "" for a device */
	int fd;		     /* -1 when closed */
	bool placed;	     /* renamed to path (or written directly): no temporary name left */
};

/*
 * Can `path` take an output of option `what` ("--hdr-log")? It may be missing, in an existing
 * directory this process can write, or a regular file or character device; a symbolic link, a
 * directory, a FIFO or a socket are refused.
 */
int ipcb_outfile_check(const char *path, const char *what, char *err, size_t errlen);

/* Does path name standard output (`-`)? */
bool ipcb_outfile_is_stdout(const char *path);
/*
 * Give standard output to the data: from now on `-` writes to the standard output the process
 * had, and what it prints to stdout goes to standard error. 0, or a negative errno.
 */
int ipcb_stdout_take(void);
/* A descriptor of its own for what `-` names (close it when done), or a negative errno. */
int ipcb_stdout_dup(void);
/* Open the temporary file for path (mode 0666 less the umask), or the device itself. */
int ipcb_outfile_open(struct ipcb_outfile *o, const char *path, const char *what, char *err,
		      size_t errlen);
/*
 * Rename the temporary file to its name: replacing what is there, or, with replace false, only if
 * nothing is (-EEXIST otherwise). Harmless once placed.
 */
int ipcb_outfile_place(struct ipcb_outfile *o, bool replace);
/* Close it; a temporary file never placed is removed. 0, or -errno from close(). */
int ipcb_outfile_close(struct ipcb_outfile *o);

/*
 * Write all of buf at the file's offset (or end, with O_APPEND), or nothing: when a write fails
 * part way (a full disk, a file size limit), a regular file is cut back to where it was.
 */
int ipcb_write_whole(int fd, const void *buf, size_t len);

/*
 * Do a and b name the same file? Existing files are compared by device and inode; names of
 * files not there yet by their directory's real path and their own name.
 */
bool ipcb_same_file(const char *a, const char *b);

/*
 * Remove the temporary names of the files open and not yet placed, with unlink() alone, so that
 * a crash handler may call it (async-signal-safe): a process dying of a crash leaves no
 * "<name>.XXXXXX" beside its outputs. The files themselves are left as they are.
 */
void ipcb_outfile_crash_unlink(void);

/* 0666 less the process's umask: the mode a plain open(O_CREAT, 0666) would give. */
mode_t ipcb_file_mode(void);

#endif
