/* SPDX-License-Identifier: MIT */
/* cpus.c - the placements by name, the CPUs this process may use, and --cpus; see cpus.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cpus.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* CPUs this process may run on (cgroup cpusets and taskset included). */
int ipcb_cpus_allowed(cpu_set_t *set)
{
	CPU_ZERO(set);
	return sched_getaffinity(0, sizeof(*set), set) < 0 ? -errno : 0;
}

void ipcb_cpus_text(const cpu_set_t *set, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && len + 8 < n; c++) {
		int e = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		len += (size_t)snprintf(out + len, n - len, e > c ? "%s%d-%d" : "%s%d",
					len ? "," : "", c, e);
		c = e;
	}
}

int ipcb_parse_cpus(const char *s, int out[2], char *err, size_t errlen)
{
	char allowed_s[256];
	cpu_set_t allowed;
	const char *p = s;
	int v[2];

	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "--cpus: empty value; expected A,B (e.g. 0,1)");
	for (int i = 0; i < 2; i++) {
		char *end;
		long x;

		if (!isdigit((unsigned char)*p))
			return ipcb_parse_fail(
			    err, errlen, "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
		errno = 0;
		x = strtol(p, &end, 10);
		if (errno == ERANGE || x >= CPU_SETSIZE)
			return ipcb_parse_fail(err, errlen, "--cpus: CPU '%.*s' does not exist",
					       (int)(end - p), p);
		v[i] = (int)x;
		p = end;
		if (i == 0 && *p++ != ',')
			return ipcb_parse_fail(
			    err, errlen, "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
	}
	if (*p)
		return ipcb_parse_fail(err, errlen,
				       "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
	if (ipcb_cpus_allowed(&allowed) == 0) {
		ipcb_cpus_text(&allowed, allowed_s, sizeof(allowed_s));
		for (int i = 0; i < 2; i++)
			if (!CPU_ISSET(v[i], &allowed))
				return ipcb_parse_fail(
				    err, errlen,
				    "--cpus: CPU %d is not available to this process "
				    "(allowed: %s)",
				    v[i], allowed_s);
	}
	out[0] = v[0];
	out[1] = v[1];
	return 0;
}

/* The peer checks B, once it has said which CPUs it offers (the driver does it then). */
int ipcb_parse_cpus_two_hosts(const char *s, int out[2], char *err, size_t errlen)
{
	const char *comma = s ? strchr(s, ',') : NULL;
	char here[48];
	int mine[2];
	char *end;
	long b;

	if (!comma || comma - s > 16)
		return ipcb_parse_cpus(s, out, err, errlen);
	snprintf(here, sizeof(here), "%.*s,%.*s", (int)(comma - s), s, (int)(comma - s), s);
	if (ipcb_parse_cpus(here, mine, err, errlen) < 0)
		return -EINVAL;
	errno = 0;
	b = strtol(comma + 1, &end, 10);
	if (!isdigit((unsigned char)comma[1]) || *end || errno == ERANGE || b >= CPU_SETSIZE)
		return ipcb_parse_fail(err, errlen,
				       "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
	out[0] = mine[0];
	out[1] = (int)b;
	return 0;
}
