/* SPDX-License-Identifier: MIT */
/* cachesize.c - one CPU's private caches from sysfs; see cachesize.h. */
#include "cachesize.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of root/<rel>, without its newline; false when it cannot be read. */
static bool cache_read(const char *root, const char *rel, char *out, size_t n)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(out, (int)n, f) != NULL;
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return ok;
}

/* "1024K", "32M", "512": bytes, 0 when it is not a size. */
static size_t cache_size_parse(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return 0;
	if (*end == 'K')
		v <<= 10;
	else if (*end == 'M')
		v <<= 20;
	else if (*end == 'G')
		v <<= 30;
	return (size_t)v;
}

/*
 * Does a shared_cpu_list name only CPUs of cpu's core? The list of cpu's SMT siblings is the
 * kernel's core_cpus_list (thread_siblings_list before Linux 5.8); a cache whose list equals it,
 * or names cpu alone, is private.
 */
static bool cache_private(const char *root, int cpu, const char *shared)
{
	static const char *const names[] = {"core_cpus_list", "thread_siblings_list"};
	char rel[128], siblings[256], self[32];

	snprintf(self, sizeof(self), "%d", cpu);
	if (!strcmp(shared, self))
		return true;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		snprintf(rel, sizeof(rel), "cpu/cpu%d/topology/%s", cpu, names[k]);
		if (cache_read(root, rel, siblings, sizeof(siblings)))
			return !strcmp(shared, siblings);
	}
	return false;
}

size_t ipcb_cache_private_bytes(const char *root, int cpu)
{
	size_t best = 0;

	if (!root)
		root = "/sys/devices/system";
	for (int k = 0; k < 16; k++) {
		char rel[128], type[32], shared[256], size[32];
		size_t bytes;

		snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/type", cpu, k);
		if (!cache_read(root, rel, type, sizeof(type)))
			break;
		if (strcmp(type, "Data") && strcmp(type, "Unified"))
			continue;
		snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/shared_cpu_list", cpu, k);
		if (!cache_read(root, rel, shared, sizeof(shared)) ||
		    !cache_private(root, cpu, shared))
			continue;
		snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/size", cpu, k);
		if (!cache_read(root, rel, size, sizeof(size)))
			continue;
		bytes = cache_size_parse(size);
		if (bytes > best)
			best = bytes;
	}
	return best;
}
