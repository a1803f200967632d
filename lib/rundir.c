/* SPDX-License-Identifier: MIT */
/* rundir.c - a run's private directory; see rundir.h. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ipcb_rundir_create(const char *parent, const char *tag, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/%s%s", parent, tag, IPCB_RUNDIR_SUFFIX);

	if (len < 0 || (size_t)len >= n) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	/* mkdir fails if the name exists in any form, a planted link included: exclusive. */
	if (mkdir(out, 0700) < 0) {
		int e = errno;

		out[0] = '\0';
		return -e;
	}
	return 0;
}

/* Empty the directory open at dfd (closed here), depth first; the first error, or 0. */
static int rundir_empty(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = rc ? rc : -errno;
			continue;
		}
		/* A directory: O_NOFOLLOW keeps a link from being taken for one. */
		sub = depth < 16 ? openat(dirfd(d), e->d_name,
					  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				 : -1;
		if (sub < 0) {
			rc = rc ? rc : depth < 16 ? -errno : -ELOOP;
			continue;
		}
		if (rundir_empty(sub, depth + 1) < 0 && !rc)
			rc = -EIO;
		if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && !rc)
			rc = -errno;
	}
	closedir(d);
	return rc;
}

int ipcb_rundir_remove(const char *path)
{
	int dfd, rc;

	/*
	 * Empty (a run that failed at its setup), it goes without a descriptor: one that ran out
	 * of them (RLIMIT_NOFILE, a library holding some) still removes it.
	 */
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = rundir_empty(dfd, 0);
	if (rmdir(path) < 0 && !rc)
		rc = -errno;
	return rc;
}

int ipcb_proc_stat_field(int pid, int field, unsigned long long *out)
{
	/* Async-signal-safe, for crash.c's handler: no stdio, no allocation, no strto*. */
	char path[40] = "/proc/", digits[12], buf[1024];
	const char *p = NULL, *end, *first;
	size_t len = strlen(path), n = 0;
	unsigned long long v = 0;
	ssize_t got;
	int fd, err;

	if (field < 3 || pid <= 0)
		return -EINVAL;
	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) && n < sizeof(digits));
	while (n)
		path[len++] = digits[--n];
	memcpy(path + len, "/stat", sizeof("/stat"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, sizeof(buf));
	err = errno;
	close(fd);
	if (got < 0)
		return -err;
	end = buf + got;
	/* The command name may hold spaces and ')': the fields resume after the last ')'. */
	for (const char *q = buf; q < end; q++)
		if (*q == ')')
			p = q + 1;
	for (int k = 3; p && k < field; k++) {
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p != ' ')
			p++;
	}
	if (!p)
		return -EINVAL;
	while (p < end && *p == ' ')
		p++;
	for (first = p; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == first)
		return -EINVAL;
	*out = v;
	return 0;
}

int ipcb_proc_start_ticks(int pid, unsigned long long *ticks)
{
	return ipcb_proc_stat_field(pid, 22, ticks);
}

/*
 * The path of the run directory's pid list, allocated (the caller frees it): the driver's stack
 * may be small (ulimit -s), and a path may be PATH_MAX long. 0, -ENOMEM or -ENAMETOOLONG.
 */
static int rundir_pids_path(const char *dir, char **out)
{
	if (asprintf(out, "%s/%s", dir, IPCB_RUNDIR_PIDS) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	if (strlen(*out) >= PATH_MAX) {
		free(*out);
		*out = NULL;
		return -ENAMETOOLONG;
	}
	return 0;
}

int ipcb_rundir_note_pid(const char *dir, int pid)
{
	char *path, line[64];
	unsigned long long start;
	int fd, rc, len;

	rc = ipcb_proc_start_ticks(pid, &start);
	if (rc)
		return rc;
	rc = rundir_pids_path(dir, &path);
	if (rc)
		return rc;
	len = snprintf(line, sizeof(line), "%d %llu\n", pid, start);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -errno;
	/* One write of one short line: appends never interleave within it. */
	rc = write(fd, line, (size_t)len) == len ? 0 : -EIO;
	close(fd);
	return rc;
}

void ipcb_proc_comm(int pid, char *out, size_t n)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	ipcb_file_first_line(path, out, n);
}

void ipcb_file_first_line(const char *path, char *out, size_t n)
{
	FILE *f;

	snprintf(out, n, "?");
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(out, (int)n, f))
		snprintf(out, n, "?");
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

int ipcb_rundir_kill_listed(const char *dir, char *said, size_t said_bytes)
{
	char *path, line[64];
	size_t len = 0;
	int killed = 0, rc;
	FILE *f;

	if (said_bytes)
		said[0] = '\0';
	rc = rundir_pids_path(dir, &path);
	if (rc)
		return rc;
	f = fopen(path, "re");
	rc = -errno;
	free(path);
	if (!f)
		return rc;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, now;
		char comm[64];
		int pid;

		if (sscanf(line, "%d %llu", &pid, &start) != 2 || pid <= 1)
			continue;
		if (ipcb_proc_start_ticks(pid, &now) < 0) {
			/*
			 * Gone. What it started may still run in its process group: while a
			 * group has members its number is not given to a new process, and no
			 * process can join a group that does not exist, so group `pid`, if any,
			 * is still the listed one's.
			 */
			if (kill(-pid, SIGKILL) == 0) {
				killed++;
				if (len < said_bytes)
					len += (size_t)snprintf(said + len, said_bytes - len,
								"%sprocess group %d",
								len ? ", " : "", pid);
			}
			continue;
		}
		if (now != start)
			continue; /* the pid is another process's now */
		ipcb_proc_comm(pid, comm, sizeof(comm));
		/* A server leads a process group of its own: whatever it started goes with it. */
		if (getpgid(pid) == pid)
			kill(-pid, SIGKILL);
		if (kill(pid, SIGKILL) == 0) {
			killed++;
			if (len < said_bytes)
				len +=
				    (size_t)snprintf(said + len, said_bytes - len, "%spid %d (%s)",
						     len ? ", " : "", pid, comm);
		}
	}
	fclose(f);
	return killed;
}

void ipcb_file_last_line(const char *path, char *out, size_t n)
{
	enum { TAIL_BYTES = 4096 };
	char *buf;
	ssize_t got;
	off_t size;
	int fd;

	if (n == 0)
		return;
	out[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* On the heap: the driver's stack may be small. Without it there is no line to give. */
	buf = malloc(TAIL_BYTES);
	if (!buf) {
		close(fd);
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	got = pread(fd, buf, TAIL_BYTES - 1,
		    size > (off_t)TAIL_BYTES - 1 ? size - (off_t)TAIL_BYTES + 1 : 0);
	close(fd);
	if (got <= 0) {
		free(buf);
		return;
	}
	buf[got] = '\0';
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		buf[--got] = '\0';

	/*
	 * The last line that is not indented: a stack trace's frames ("\tat ...", a JVM's) follow
	 * the line that names the failure, which is the one worth saying.
	 */
	char *line = strrchr(buf, '\n') ? strrchr(buf, '\n') + 1 : buf;

	for (char *p = line; (*p == '\t' || *p == ' ') && p > buf;) {
		p[-1] = '\0'; /* the newline before this line */
		p = strrchr(buf, '\n') ? strrchr(buf, '\n') + 1 : buf;
		if (*p != '\t' && *p != ' ')
			line = p;
	}
	size_t len = strlen(line) < n - 1 ? strlen(line) : n - 1;

	memcpy(out, line, len);
	out[len] = '\0';
	free(buf);
}
