/* SPDX-License-Identifier: MIT */
/* backing.c - files behind shared memory and file transports; see backing.h. */
#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ipcb_backing_create(const char *dir, const char *name, size_t bytes, int *fd,
			struct ipcb_err *e)
{
	char *path;
	int rc;

	*fd = -1;
	/* On the heap: a PATH_MAX buffer is a large part of a small stack (ulimit -s). */
	if ((dir ? asprintf(&path, "%s/%s", dir, name) : asprintf(&path, "/%s", name)) < 0)
		return ipcb_err(e, -ENOMEM, "asprintf");
	if (strlen(path) >= PATH_MAX) {
		rc = ipcb_errf(e, -ENAMETOOLONG, "open", "%s", path);
		goto free_path;
	}
	*fd = dir ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)
		  : shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0) {
		rc = ipcb_errf(e, -errno, dir ? "open" : "shm_open", "%s", path);
		goto free_path;
	}
	/* posix_fallocate returns the error instead of setting errno. */
	rc = posix_fallocate(*fd, 0, (off_t)bytes);
	if (rc == ENOSPC || rc == EFBIG)
		ipcb_errf(e, -rc, "posix_fallocate",
			  "file system space: %zu bytes do not fit in %s", bytes,
			  dir ? dir : "/dev/shm");
	else if (rc)
		ipcb_errf(e, -rc, "posix_fallocate", "%zu bytes in %s", bytes, path);
	if (dir)
		unlink(path);
	else
		shm_unlink(path);
	if (rc) {
		close(*fd);
		*fd = -1;
		rc = -rc;
	}
free_path:
	free(path);
	return rc;
}

int ipcb_backing_create_map(const char *dir, const char *name, size_t bytes, void **out,
			    struct ipcb_err *e)
{
	void *p;
	int fd, rc = ipcb_backing_create(dir, name, bytes, &fd, e);

	if (rc)
		return rc;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = p == MAP_FAILED ? ipcb_err(e, -errno, "mmap") : 0;
	close(fd);
	if (!rc)
		*out = p;
	return rc;
}

int ipcb_backing_populate(void *p, size_t bytes, struct ipcb_err *e)
{
	long page = sysconf(_SC_PAGESIZE);

#ifdef MADV_POPULATE_WRITE
	/* Writable at once: a write's first touch of a file's page would fault again to dirty it.
	 */
	if (madvise(p, bytes, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno != EINVAL)
		return ipcb_errf(e, -errno, "madvise", "MADV_POPULATE_WRITE, %zu bytes", bytes);
#endif
	/* A kernel before 5.14 has no MADV_POPULATE_WRITE: a read of each page maps it. */
	if (page <= 0)
		page = 4096;
	for (size_t off = 0; off < bytes; off += (size_t)page)
		(void)*(volatile const char *)((const char *)p + off);
	return 0;
}
