/* SPDX-License-Identifier: MIT */
/* rundir.c - a run's private directory; see rundir.h. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = rundir_empty(dfd, 0);
	if (rmdir(path) < 0 && !rc)
		rc = -errno;
	return rc;
}
