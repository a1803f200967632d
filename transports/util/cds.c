/* SPDX-License-Identifier: MIT */
/* cds.c - class-data archives for the JVMs transports start; see cds.h. */
#include "cds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "maven.h"

/* A half-made archive older than this was left by a maker that died: it is made again. */
#define CDS_STALE_S 600

static uint64_t cds_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* A file's path, size and time into the hash (a missing file counts as its path alone). */
static uint64_t cds_hash_file(uint64_t h, const char *path, size_t len)
{
	char p[1024];
	struct stat st;

	h = cds_hash(h, path, len);
	if (len < sizeof(p)) {
		memcpy(p, path, len);
		p[len] = '\0';
		if (stat(p, &st) == 0) {
			int64_t v[3] = {st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};

			h = cds_hash(h, v, sizeof(v));
		}
	}
	return h;
}

int ipcb_cds_java(const char *libjvm, char *out, size_t n)
{
	/* JDK/lib/server/libjvm.so: the launcher is JDK/bin/java. */
	const char *end = libjvm + strlen(libjvm);
	int up = 0, len;

	while (end > libjvm && up < 3)
		if (*--end == '/')
			up++;
	if (up < 3)
		return -ENOENT;
	len = snprintf(out, n, "%.*s/bin/java", (int)(end - libjvm), libjvm);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

int ipcb_cds_plan(struct ipcb_cds *c, const char *name, const char *cp, const char *java,
		  const char *list_dir)
{
	char cache[400];
	uint64_t h = 0xcbf29ce484222325ull;
	int len;

	memset(c, 0, sizeof(*c));
	if (ipcb_maven_cache(cache, sizeof(cache)) != 0)
		return 0;
	h = cds_hash_file(h, java, strlen(java));
	for (const char *p = cp; *p;) {
		size_t n = strcspn(p, ":");

		h = cds_hash_file(h, p, n);
		p += n + (p[n] == ':');
	}
	len = snprintf(c->archive, sizeof(c->archive), "%s/cds/%s-%016llx.jsa", cache, name,
		       (unsigned long long)h);
	if (len < 0 || (size_t)len >= sizeof(c->archive))
		return -ENAMETOOLONG;
	if (access(c->archive, R_OK) == 0) {
		len = snprintf(c->opt, sizeof(c->opt), "-XX:SharedArchiveFile=%s", c->archive);
		return len < 0 || (size_t)len >= sizeof(c->opt) ? -ENAMETOOLONG : 0;
	}
	/* Written while the JVM loads its classes: its own name, as both sides write one. */
	len = snprintf(c->list, sizeof(c->list), "%s/%s-%d.classes", list_dir, name, (int)getpid());
	if (len < 0 || (size_t)len >= sizeof(c->list))
		return -ENAMETOOLONG;
	len = snprintf(c->opt, sizeof(c->opt), "-XX:DumpLoadedClassList=%s", c->list);
	return len < 0 || (size_t)len >= sizeof(c->opt) ? -ENAMETOOLONG : 0;
}

/* The cache's cds/ directory, made if it is not there. */
static int cds_dir(const char *archive)
{
	char dir[sizeof(((struct ipcb_cds *)0)->archive)];
	const char *slash = strrchr(archive, '/');

	if (!slash || (size_t)(slash - archive) >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, archive, (size_t)(slash - archive));
	dir[slash - archive] = '\0';
	return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

/*
 * The half-made archive, created here (O_EXCL: one maker at a time). -EEXIST when another is
 * making it; one older than CDS_STALE_S is taken over.
 */
static int cds_claim(const char *tmp)
{
	struct stat st;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST && stat(tmp, &st) == 0 &&
	    time(NULL) - st.st_mtim.tv_sec > CDS_STALE_S && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The other archives of archive's kind ("<name>-<16 hex digits>.jsa" beside it) are of a jar or
 * a JDK that changed since (each build of the project's own jar is one): removed, so the cache
 * holds one archive per kind rather than one per build.
 */
static void cds_prune(const char *archive)
{
	const char *base = strrchr(archive, '/') + 1, *dash = strrchr(base, '-');
	char dir[sizeof(((struct ipcb_cds *)0)->archive)];
	size_t plen = (size_t)(dash - base) + 1;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - 1 - archive), archive);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (strncmp(n, base, plen) || !strcmp(n, base))
			continue; /* another kind's, or this one */
		if (strspn(n + plen, "0123456789abcdef") == 16 && !strcmp(n + plen + 16, ".jsa"))
			unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
}

int ipcb_cds_make(const struct ipcb_cds *c, const char *cp, const char *java)
{
	char tmp[sizeof(c->archive) + 8], list_opt[sizeof(c->list) + 32];
	char out_opt[sizeof(tmp) + 32];
	char *argv[] = {(char *)java, "-Xshare:dump", list_opt, out_opt, "-cp", (char *)cp, NULL};
	/*
	 * Its output nowhere, no signal blocked (the caller may have blocked some), and it dies
	 * with the thread that waits for it: the parent may be a JVM's process, with threads of its
	 * own, which the helper's child is safe beside.
	 */
	sigset_t none;
	struct ipcb_spawn sp = {.path = java,
				.argv = argv,
				.in = IPCB_SPAWN_NULL,
				.out = IPCB_SPAWN_NULL,
				.err = IPCB_SPAWN_NULL,
				.death_signal = SIGKILL,
				.mask = &none,
				.what = "java -Xshare:dump"};
	struct stat st;
	int status, rc;

	/* Nothing written (it mapped the archive, or the JVM never started): nothing to make. */
	if (!c->list[0] || stat(c->list, &st) != 0 || st.st_size == 0 ||
	    access(c->archive, R_OK) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.part", c->archive);
	snprintf(list_opt, sizeof(list_opt), "-XX:SharedClassListFile=%s", c->list);
	snprintf(out_opt, sizeof(out_opt), "-XX:SharedArchiveFile=%s", tmp);
	if ((rc = cds_dir(c->archive)) || (rc = cds_claim(tmp)))
		return rc == -EEXIST ? 0 : rc;
	sigemptyset(&none);
	status = ipcb_spawn_run(&sp);
	if (status != 0) {
		unlink(tmp);
		return status < 0 ? status : -EIO;
	}
	/* Whole or not there: a JVM never maps a half-written archive. */
	if (rename(tmp, c->archive) != 0) {
		rc = -errno;
		unlink(tmp);
		return rc;
	}
	cds_prune(c->archive);
	return 0;
}
