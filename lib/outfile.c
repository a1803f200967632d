/* SPDX-License-Identifier: MIT */
/* outfile.c - output files written whole, never through links, placed by rename; see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The temporary names of the files open and not yet placed, for ipcb_outfile_crash_unlink(): each
 * a pointer to its struct's tmp, set once the file exists and cleared before the name goes.
 */
#define OUTFILE_LIVE 16
static char *volatile outfile_live[OUTFILE_LIVE];

static void outfile_live_add(struct ipcb_outfile *o)
{
	for (int i = 0; i < OUTFILE_LIVE; i++)
		if (!outfile_live[i]) {
			outfile_live[i] = o->tmp;
			return;
		}
}

static void outfile_live_drop(const struct ipcb_outfile *o)
{
	for (int i = 0; i < OUTFILE_LIVE; i++)
		if (outfile_live[i] == o->tmp)
			outfile_live[i] = NULL;
}

void ipcb_outfile_crash_unlink(void)
{
	for (int i = 0; i < OUTFILE_LIVE; i++) {
		const char *tmp = outfile_live[i];

		if (tmp && tmp[0])
			unlink(tmp);
	}
}

/*
 * Split path into its directory ("." when it has none), allocated in *dir (the caller frees it:
 * a PATH_MAX buffer is a large part of a small stack), and its last component. 0, -ENOMEM, or
 * -ENAMETOOLONG when the directory is longer than a path can be (*dir is then NULL).
 */
static int split_path(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*base = path;
		*dir = strdup(".");
	} else {
		*base = slash + 1;
		*dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	}
	if (!*dir)
		return -ENOMEM;
	if (strlen(*dir) >= PATH_MAX) {
		free(*dir);
		*dir = NULL;
		return -ENAMETOOLONG;
	}
	return 0;
}

mode_t ipcb_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* Where `-` writes: the process's standard output, or where it was when the data took it. */
static int stdout_fd = STDOUT_FILENO;

bool ipcb_outfile_is_stdout(const char *path)
{
	return path && strcmp(path, "-") == 0;
}

int ipcb_stdout_take(void)
{
	int fd;

	if (stdout_fd != STDOUT_FILENO)
		return 0;
	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	stdout_fd = fd;
	return 0;
}

int ipcb_stdout_dup(void)
{
	int fd = fcntl(stdout_fd, F_DUPFD_CLOEXEC, 3);

	return fd < 0 ? -errno : fd;
}

int ipcb_outfile_check(const char *path, const char *what, char *err, size_t errlen)
{
	const char *base = path;
	char *dir;
	struct stat st;
	int e;

	if (ipcb_outfile_is_stdout(path))
		return 0;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			snprintf(
			    err, errlen,
			    "%s %s: a symbolic link; outputs are not written through links (name "
			    "the file itself)",
			    what, path);
			return -ELOOP;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s %s: %s", what, path, strerror(EISDIR));
			return -EISDIR;
		}
		/* A FIFO or socket would block the sweep until something reads it. */
		if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
			snprintf(err, errlen, "%s %s: not a regular file", what, path);
			return -EINVAL;
		}
		if (access(path, W_OK) < 0) {
			e = errno;
			snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
			return -e;
		}
		return 0;
	}
	if (errno != ENOENT) {
		e = errno;
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	e = -split_path(path, &dir, &base);
	if (!e && !*base)
		e = EISDIR;
	/* Refused now, before anything runs, rather than after the sweep. */
	else if (!e && stat(dir, &st) < 0)
		e = errno;
	else if (!e && !S_ISDIR(st.st_mode))
		e = ENOTDIR;
	else if (!e && access(dir, W_OK | X_OK) < 0)
		e = errno;
	free(dir);
	if (!e)
		return 0;
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return -e;
}

int ipcb_outfile_open(struct ipcb_outfile *o, const char *path, const char *what, char *err,
		      size_t errlen)
{
	const char *base;
	char *dir = NULL;
	struct stat st;
	int e;

	o->fd = -1;
	o->tmp[0] = '\0';
	o->placed = false;
	if (ipcb_outfile_is_stdout(path)) {
		/* Standard output is written as a device is: nothing to rename. */
		snprintf(o->path, sizeof(o->path), "%s", path);
		o->fd = ipcb_stdout_dup();
		if (o->fd < 0) {
			snprintf(err, errlen, "%s -: standard output: %s", what, strerror(-o->fd));
			return o->fd;
		}
		o->placed = true;
		return 0;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path))
		e = ENAMETOOLONG;
	else
		e = -split_path(path, &dir, &base);
	if (e) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
		/* A device has no directory entry to replace: it is written as it is. */
		o->fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (o->fd < 0)
			goto fail;
		o->placed = true;
		free(dir);
		return 0;
	}
	/* Long names are cut: the temporary name must still fit in a directory entry. */
	if (snprintf(o->tmp, sizeof(o->tmp), "%s/%.200s.XXXXXX", dir, base) >=
	    (int)sizeof(o->tmp)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	/* mkostemp: O_EXCL, so a name planted in the directory is never followed. */
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0)
		goto fail;
	outfile_live_add(o);
	if (fchmod(o->fd, ipcb_file_mode()) < 0) {
		e = errno;
		ipcb_outfile_close(o);
		errno = e;
		goto fail;
	}
	free(dir);
	return 0;
fail:
	e = errno;
	free(dir);
	o->tmp[0] = '\0';
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return -e;
}

int ipcb_outfile_place(struct ipcb_outfile *o, bool replace)
{
	if (o->placed)
		return 0;
	if (replace) {
		if (rename(o->tmp, o->path) < 0)
			return -errno;
	} else if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE) < 0) {
		/* A file system without RENAME_NOREPLACE: link() refuses an existing name too. */
		if (errno != EINVAL)
			return -errno;
		if (link(o->tmp, o->path) < 0)
			return -errno;
		unlink(o->tmp);
	}
	o->placed = true;
	outfile_live_drop(o);
	o->tmp[0] = '\0';
	return 0;
}

int ipcb_outfile_close(struct ipcb_outfile *o)
{
	int rc = 0;

	if (o->fd >= 0 && close(o->fd) < 0)
		rc = -errno;
	o->fd = -1;
	outfile_live_drop(o);
	if (!o->placed && o->tmp[0])
		unlink(o->tmp);
	o->tmp[0] = '\0';
	return rc;
}

int ipcb_write_whole(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	struct stat st;
	off_t start;
	int rc = 0;

	/* Where the file ends now (with O_APPEND, where this write goes): cut back to it. */
	if (fstat(fd, &st) < 0)
		return -errno;
	start = S_ISREG(st.st_mode) ? st.st_size : -1;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (rc && done > 0 && start >= 0) {
		/* Not O_APPEND: the offset moved too. */
		if (ftruncate(fd, start) == 0)
			lseek(fd, start, SEEK_SET);
	}
	return rc;
}

bool ipcb_same_file(const char *a, const char *b)
{
	char *da = NULL, *db = NULL, *ra = NULL, *rb = NULL;
	const char *ba, *bb;
	struct stat sa, sb;
	bool ea, eb, same;

	/* Standard output is one output, whatever file named `-` a directory may hold. */
	if (ipcb_outfile_is_stdout(a) || ipcb_outfile_is_stdout(b))
		return ipcb_outfile_is_stdout(a) && ipcb_outfile_is_stdout(b);
	ea = stat(a, &sa) == 0;
	eb = stat(b, &sb) == 0;

	if (ea || eb)
		return ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	/* Neither exists yet: the same name in the same directory, however it is spelled. */
	if (split_path(a, &da, &ba) < 0 || split_path(b, &db, &bb) < 0 ||
	    !(ra = realpath(da, NULL)) || !(rb = realpath(db, NULL)))
		same = strcmp(a, b) == 0;
	else
		same = strcmp(ra, rb) == 0 && strcmp(ba, bb) == 0;
	free(rb);
	free(ra);
	free(db);
	free(da);
	return same;
}
