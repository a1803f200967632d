/* SPDX-License-Identifier: MIT */
/*
 * csvfile.c - the CSV as a file: opened or created, its header checked against this build's,
 * a torn last row cut, rows appended whole under a lock that other runs on the same file take
 * too, and closed; see output.h. The rows' text is output.c's.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvschema.h"
#include "format.h"
#include "outfile.h"

/* The header and its newline in one write, so that no reader sees half of it. */
static int csv_write_header(int fd)
{
	const char *header = ipcb_csv_header();
	size_t len = strlen(header);
	char line[IPCB_CSV_HEADER_MAX + 2];

	memcpy(line, header, len);
	line[len] = '\n';
	return ipcb_write_whole(fd, line, len + 1);
}

/* How long a row waits for another process's lock on the CSV before it is given up. */
#define CSV_LOCK_WAIT_MS 5000

/*
 * Take the CSV's lock: ipcbench runs appending to one file (and anything else that takes a
 * flock() on it) write one at a time, so rows never interleave and the header is checked against
 * what is really there. Bounded, polling: the driver keeps its stop signals blocked, so a lock
 * held for ever by somebody else must not hold the driver for ever.
 */
static int csv_lock(struct ipcb_csv *c, char *err, size_t errlen)
{
	for (int ms = 0; ms < CSV_LOCK_WAIT_MS; ms += 10) {
		struct timespec ten = {0, 10000000};

		if (flock(c->fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			snprintf(err, errlen, "flock: %s", strerror(e));
			return -e;
		}
		nanosleep(&ten, NULL);
	}
	snprintf(err, errlen, "another process has held a lock (flock) on it for %d s",
		 CSV_LOCK_WAIT_MS / 1000);
	return -EWOULDBLOCK;
}

static void csv_unlock(struct ipcb_csv *c)
{
	flock(c->fd, LOCK_UN);
}

/*
 * Does the file begin with our header? 0 yes, 1 it holds only the start of our header and no
 * newline (a header cut short: the tail repair removes it), -EINVAL another header.
 */
static int csv_header_check(const struct ipcb_csv *c, off_t size)
{
	const char *csv_header = ipcb_csv_header();
	size_t hlen = strlen(csv_header);
	char line[IPCB_CSV_HEADER_MAX + 3];
	/* The header and a line ending ("\r\n" at most): enough to tell ours from another. */
	ssize_t n = pread(c->fd, line, hlen + 2, 0);
	char *nl;

	if (n < 0)
		return -errno;
	line[n] = '\0';
	nl = memchr(line, '\n', (size_t)n);
	if (!nl)
		return (size_t)size <= hlen && memcmp(line, csv_header, (size_t)size) == 0
			   ? 1
			   : -EINVAL;
	*nl = '\0';
	line[strcspn(line, "\r")] = '\0';
	return strcmp(line, csv_header) == 0 ? 0 : -EINVAL;
}

/* Where the last complete line ends: just after the last newline before `size`, else 0. */
static off_t csv_last_newline(int fd, off_t size)
{
	/* Read backwards in small pieces: this runs once, on a repair, and the stack may be small.
	 */
	char buf[512];
	off_t end = size;

	while (end > 0) {
		off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - start), start);

		if (n <= 0)
			return -1;
		for (ssize_t i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				return start + i + 1;
		end = start;
	}
	return 0;
}

/*
 * Under the lock, before a row goes in: an empty file gets the header; a last line without its
 * newline is what a writer stopped mid-row leaves (an older ipcbench killed on a full disk,
 * another program), and it is cut off, with a note, rather than have our row glued to it.
 */
static int csv_prepare(struct ipcb_csv *c, bool check_header, char *err, size_t errlen)
{
	struct stat st;
	char last = '\n';
	off_t cut;
	int rc;

	if (fstat(c->fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "fstat: %s", strerror(-rc));
		return rc;
	}
	if (st.st_size > 0 && check_header) {
		rc = csv_header_check(c, st.st_size);
		if (rc < 0) {
			snprintf(err, errlen,
				 rc == -EINVAL ? "the file exists with another header; refusing to "
						 "mix columns (use a new file)"
					       : "%s",
				 strerror(-rc));
			return rc;
		}
	}
	if (st.st_size > 0 && pread(c->fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	if (last != '\n') {
		cut = csv_last_newline(c->fd, st.st_size);
		if (cut < 0 || ftruncate(c->fd, cut) < 0) {
			rc = -errno;
			snprintf(err, errlen,
				 "its last line is torn (no newline) and could not be cut off: %s",
				 strerror(-rc));
			return rc;
		}
		snprintf(c->note, sizeof(c->note),
			 "its last line was torn (%lld bytes without a newline, left by a writer "
			 "stopped mid-row?): cut off before appending",
			 (long long)(st.st_size - cut));
		st.st_size = cut;
	}
	if (st.st_size == 0) {
		rc = csv_write_header(c->fd);
		if (rc < 0) {
			snprintf(err, errlen, "%s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * A new CSV appears with its header already in it: written to a temporary file that is then
 * renamed to its name only if that name is still free. Two runs creating one new file at once
 * thus write one header between them (the loser appends under the winner's), and a file size
 * limit or a full disk that stops the header leaves no file at all.
 */
static int csv_create(struct ipcb_csv *c, char *err, size_t errlen)
{
	/* Two paths of PATH_MAX: on the heap, as the stack may be small (ulimit -s). */
	struct ipcb_outfile *o = malloc(sizeof(*o));
	int rc;

	if (!o) {
		snprintf(err, errlen, "--csv %s: malloc: %s", c->path, strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = ipcb_outfile_open(o, c->path, "--csv", err, errlen);
	if (rc < 0)
		goto free_outfile;
	rc = csv_write_header(o->fd);
	if (rc == 0)
		rc = ipcb_outfile_place(o, false);
	if (rc < 0) {
		if (rc != -EEXIST)
			snprintf(err, errlen, "--csv %s: %s", c->path, strerror(-rc));
		ipcb_outfile_close(o);
		goto free_outfile;
	}
	c->fd = o->fd;
free_outfile:
	free(o);
	return rc;
}

int ipcb_csv_open(struct ipcb_csv *c, const char *path, char *err, size_t errlen)
{
	char why[IPCB_CSV_ERR_BYTES];
	bool created = false;
	struct stat st;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	/* Standard output (`-`): written as a device is, below. */
	if (ipcb_outfile_is_stdout(path) && (c->fd = ipcb_stdout_dup()) < 0) {
		rc = c->fd;
		snprintf(err, errlen, "--csv -: standard output: %s", strerror(-rc));
		return rc;
	}
	for (int tries = 0; c->fd < 0; tries++) {
		/* Appended to in place, never through a link; O_NONBLOCK: a FIFO is refused below.
		 */
		c->fd =
		    open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (c->fd >= 0)
			break;
		if (errno != ENOENT || tries == 3) {
			rc = -errno;
			if (rc == -ELOOP)
				snprintf(
				    err, errlen,
				    "--csv %s: a symbolic link; outputs are not written through "
				    "links (name the file itself)",
				    path);
			else
				snprintf(err, errlen, "--csv %s: %s", path, strerror(-rc));
			return rc;
		}
		rc = csv_create(c, err, errlen);
		if (rc == 0)
			created = true;
		else if (rc != -EEXIST)
			return rc;
	}
	rc = 0;
	if (fstat(c->fd, &st) < 0 ||
	    (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !ipcb_outfile_is_stdout(path)) ||
	    fcntl(c->fd, F_SETFL, O_APPEND) < 0) {
		rc = rc < 0 ? rc : -errno;
		snprintf(err, errlen, "--csv %s: %s", path,
			 rc == 0 ? "not a regular file" : strerror(-rc));
		close(c->fd);
		c->fd = -1;
		return rc < 0 ? rc : -EINVAL;
	}
	/* Standard output redirected to a file is that file's stream, not a CSV to append to. */
	c->regular = S_ISREG(st.st_mode) && !ipcb_outfile_is_stdout(path);
	if (!c->regular) {
		/* A device such as /dev/null: no lock, nothing to check, the header as to a file.
		 */
		rc = csv_write_header(c->fd);
		if (rc < 0)
			snprintf(why, sizeof(why), "%s", strerror(-rc));
	} else if (!created) {
		rc = csv_lock(c, why, sizeof(why));
		if (rc == 0) {
			rc = csv_prepare(c, true, why, sizeof(why));
			csv_unlock(c);
		}
	}
	if (rc < 0) {
		snprintf(err, errlen, "--csv %s: %s", path, why);
		close(c->fd);
		c->fd = -1;
		return rc;
	}
	c->open = true;
	return 0;
}

int ipcb_csv_lines(struct ipcb_csv *c, const char *lines, size_t len, char *err, size_t errlen)
{
	int rc = 0;

	c->note[0] = '\0';
	/*
	 * Rows go in whole or not at all: one write of the formatted rows under the lock, and if
	 * the file fills up halfway, the file is cut back to where it was, so it never ends in a
	 * torn row.
	 */
	if (c->regular) {
		rc = csv_lock(c, err, errlen);
		if (rc < 0)
			return rc;
		rc = csv_prepare(c, false, err, errlen);
	}
	if (rc == 0) {
		rc = ipcb_write_whole(c->fd, lines, len);
		if (rc < 0)
			snprintf(err, errlen, "%s", strerror(-rc));
	}
	if (c->regular)
		csv_unlock(c);
	return rc;
}

int ipcb_csv_close(struct ipcb_csv *c)
{
	int rc = 0;

	if (!c->open)
		return 0;
	if (close(c->fd) < 0)
		rc = -errno;
	c->fd = -1;
	c->open = false;
	return rc;
}
