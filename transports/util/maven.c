/* SPDX-License-Identifier: MIT */
/* maven.c - the Maven cache and a set's class path; see maven.h. */
#include "maven.h"

#include <errno.h>
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

int ipcb_maven_classpath(const char *coords, char **out, char *why, size_t n)
{
	char cache[1024], path[2048], first[160] = "";
	size_t cap = 4096, used = 0;
	unsigned missing = 0, total = 0;
	char *cp = malloc(cap);
	int rc = ipcb_maven_cache(cache, sizeof(cache));

	*out = NULL;
	if (!cp)
		return -ENOMEM;
	if (rc) {
		snprintf(why, n, "no Maven cache: set IPCB_MAVEN_CACHE (or HOME)");
		free(cp);
		return -ENOENT;
	}
	cp[0] = '\0';
	for (const char *p = coords; *p;) {
		size_t len = strcspn(p, " "), plen;

		if (len && maven_path(cache, p, len, path, sizeof(path)) == 0) {
			total++;
			if (access(path, R_OK) != 0) {
				if (!missing++)
					snprintf(first, sizeof(first), "%.*s", (int)len, p);
			}
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
	if (missing) {
		snprintf(why, n,
			 "%u of its %u jars are not in the Maven cache %s (%s%s): scripts/setup "
			 "fetches them",
			 missing, total, cache, first, missing > 1 ? ", ..." : "");
		free(cp);
		return -ENOENT;
	}
	*out = cp;
	return 0;
}
