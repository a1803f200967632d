/* SPDX-License-Identifier: MIT */
/*
 * test_backing.c - a side of a channel enters its shared mapping's pages before its timed
 * messages (transports/util/backing.c, ipcb_backing_populate()), on real mappings made before
 * fork as the transports make them: POSIX shared memory (tmpfs) and a file in a directory.
 *
 * fork copies no page-table entries of a shared mapping, so a child's first write to each page
 * faults: counted here with getrusage's minor faults, for a child that writes to every page as it
 * is (which must fault, or the test could not tell) and for one that populates first (which must
 * not). Populating changes none of the bytes the parent wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "backing.h"

enum { PAGES = 64 };

struct child_says {
	long faults;   /* minor faults while writing once to every page */
	int intact;    /* every byte the parent wrote is still there */
	int populated; /* ipcb_backing_populate()'s return */
};

static long minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : -1;
}

/* A child writes to every page of p (after populating, or not) and says what that cost. */
static int child_run(unsigned char *p, size_t bytes, size_t page, int populate,
		     struct child_says *out)
{
	int fd[2];
	pid_t pid;
	int st;

	if (pipe(fd) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct ipcb_err e = {0};
		struct child_says s = {0};
		long before;

		close(fd[0]);
		s.populated = populate ? ipcb_backing_populate(p, bytes, &e) : 0;
		/*
		 * The count is read twice: the first call in the child can fault after the kernel
		 * has counted, on a page its own writes touch first since the fork (a copy on
		 * write), and the window would count that. Under AddressSanitizer at -O1, whose
		 * interceptor writes the result's shadow, each child counted one fault more.
		 */
		(void)minflt();
		before = minflt();
		/* Each page's first byte written with the value it holds: a read first would fault.
		 */
		for (size_t off = 0; off < bytes; off += page)
			((volatile unsigned char *)p)[off] = (unsigned char)(off * 7 + 1);
		s.faults = minflt() - before;
		s.intact = 1;
		for (size_t i = 0; i < bytes; i++)
			s.intact &= p[i] == (unsigned char)(i * 7 + 1);
		_exit(write(fd[1], &s, sizeof(s)) == (ssize_t)sizeof(s) ? 0 : 1);
	}
	close(fd[1]);
	st = read(fd[0], out, sizeof(*out)) == (ssize_t)sizeof(*out) ? 0 : -EIO;
	close(fd[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	return 0;
}

static void check(const char *what, const char *dir)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = PAGES * page;
	struct ipcb_err e = {0};
	struct child_says plain, pop;
	unsigned char *p = NULL;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "ipcbench-test-backing-%d", (int)getpid());
	rc = ipcb_backing_create_map(dir, name, bytes, (void **)&p, &e);
	if (!ok(rc == 0, "%s: a mapping of %d pages made", what, PAGES)) {
		tap_diag("  %s: %s", e.call, strerror(-rc));
		return;
	}
	for (size_t i = 0; i < bytes; i++)
		p[i] = (unsigned char)(i * 7 + 1);
	rc = child_run(p, bytes, page, 0, &plain);
	ok(rc == 0 && plain.faults >= 1,
	   "%s: a child that writes to the inherited pages as they are faults (%ld faults)", what,
	   rc ? -1 : plain.faults);
	rc = child_run(p, bytes, page, 1, &pop);
	ok(rc == 0 && pop.populated == 0, "%s: a child populates its mapping", what);
	ok(rc == 0 && pop.faults == 0,
	   "%s: then writes to every page without a fault (%ld faults, %ld without populating)",
	   what, rc ? -1 : pop.faults, rc ? -1 : plain.faults);
	ok(rc == 0 && pop.intact, "%s: populating changed none of the bytes", what);
	munmap(p, bytes);
}

int main(void)
{
	char dir[] = "/tmp/ipcbench-test-backing-XXXXXX";

	check("POSIX shared memory", NULL);
	if (ok(mkdtemp(dir) != NULL, "a directory for a file's mapping")) {
		check("a file in a directory", dir);
		rmdir(dir);
	}
	return tap_done();
}
