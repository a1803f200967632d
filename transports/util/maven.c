/* SPDX-License-Identifier: MIT */
/* maven.c - the Maven cache and a set's class path; see maven.h. */
#include "maven.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ipcb_maven_cache(char *out, size_t n)
{
	const char *env = getenv("IPCB_MAVEN_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int len;

	if (env && env[0])
		len = snprintf(out, n, "%s", env);
	else if (xdg && xdg[0] == '/')
		len = snprintf(out, n, "%s/ipcbench/maven", xdg);
	else if (home && home[0] == '/')
		len = snprintf(out, n, "%s/.cache/ipcbench/maven", home);
	else
		return -ENOENT;
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* A coordinate's path in the cache: group's dots as slashes, then artifact/version/file. */
static int maven_path(const char *cache, const char *coord, size_t len, char *out, size_t n)
{
	char c[256], *f[4] = {0};
	int k = 0, w;

	if (len >= sizeof(c))
		return -ENAMETOOLONG;
	memcpy(c, coord, len);
	c[len] = '\0';
	for (char *save = NULL, *p = strtok_r(c, ":", &save); p && k < 4;
	     p = strtok_r(NULL, ":", &save))
		f[k++] = p;
	if (k < 3)
		return -EINVAL;
	for (char *p = f[0]; *p; p++)
		if (*p == '.')
			*p = '/';
	w = snprintf(out, n, "%s/%s/%s/%s/%s-%s%s%s.jar", cache, f[0], f[1], f[2], f[1], f[2],
		     f[3] ? "-" : "", f[3] ? f[3] : "");
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

/*
 * The class path of coords with every jar under cache into *out; the number of jars missing
 * there (the first in first) into *missing, the whole number into *total. 0 or -ENOMEM.
 */
static int classpath_in(const char *cache, const char *coords, char **out, unsigned *missing,
			unsigned *total, char *first, size_t firstlen)
{
	char path[2048];
	size_t cap = 4096, used = 0;
	char *cp = malloc(cap);

	*out = NULL;
	*missing = *total = 0;
	if (!cp)
		return -ENOMEM;
	cp[0] = '\0';
	for (const char *p = coords; *p;) {
		size_t len = strcspn(p, " "), plen;

		if (len && maven_path(cache, p, len, path, sizeof(path)) == 0) {
			(*total)++;
			if (access(path, R_OK) != 0 && !(*missing)++)
				snprintf(first, firstlen, "%.*s", (int)len, p);
			plen = strlen(path);
			if (used + plen + 2 > cap) {
				char *more = realloc(cp, cap = 2 * cap + plen);

				if (!more) {
					free(cp);
					return -ENOMEM;
				}
				cp = more;
			}
			if (used)
				cp[used++] = ':';
			memcpy(cp + used, path, plen + 1);
			used += plen;
		}
		p += len;
		p += *p == ' ';
	}
	*out = cp;
	return 0;
}

int ipcb_maven_classpath(const char *coords, char **out, char *why, size_t n)
{
	char cache[1024], first[160] = "", other[160] = "";
	const char *env = getenv("IPCB_MAVEN_CACHE");
	unsigned missing = 0, total = 0, m2 = 0, t2 = 0;
	bool mine = ipcb_maven_cache(cache, sizeof(cache)) == 0;
	char *cp = NULL;
	int rc;

	*out = NULL;
	if (mine) {
		rc = classpath_in(cache, coords, &cp, &missing, &total, first, sizeof(first));
		if (rc < 0)
			return rc;
		if (!missing) {
			*out = cp;
			return 0;
		}
		free(cp);
	}
	/* $IPCB_MAVEN_CACHE is the one place; else the machine's cache, which root's setup fills.
	 */
	if (!(env && env[0])) {
		rc = classpath_in(IPCB_MAVEN_MACHINE_CACHE, coords, &cp, &m2, &t2, other,
				  sizeof(other));
		if (rc < 0)
			return rc;
		if (!m2) {
			*out = cp;
			return 0;
		}
		free(cp);
	}
	if (!mine)
		snprintf(
		    why, n,
		    "%u of its %u jars are not in the Maven cache %s (%s%s), and there is no "
		    "cache of this user's (set IPCB_MAVEN_CACHE, or HOME): scripts/setup as root "
		    "fetches them there for every user",
		    m2, t2, IPCB_MAVEN_MACHINE_CACHE, other, m2 > 1 ? ", ..." : "");
	else if (env && env[0])
		snprintf(why, n,
			 "%u of its %u jars are not in the Maven cache %s (%s%s): scripts/setup "
			 "fetches them",
			 missing, total, cache, first, missing > 1 ? ", ..." : "");
	else
		snprintf(
		    why, n,
		    "%u of its %u jars are not in the Maven cache %s (%s%s), nor all in the "
		    "machine's, %s: scripts/setup fetches them (as root into the machine's, for "
		    "every user)",
		    missing, total, cache, first, missing > 1 ? ", ..." : "",
		    IPCB_MAVEN_MACHINE_CACHE);
	return -ENOENT;
}
