/* SPDX-License-Identifier: MIT */
/* sysinfo.c - machine fingerprint; see sysinfo.h. */
#include "sysinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "version.h"

static void cpu_model(char *out, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		/* x86 says "model name"; several arm64 kernels only "Hardware" or "CPU part". */
		if (!colon || (strncmp(line, "model name", 10) && strncmp(line, "Hardware", 8)))
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(out, n, "%s", colon);
		break;
	}
	fclose(f);
}

void ipcb_sysinfo_read(struct ipcb_sysinfo *si)
{
	struct utsname u;

	memset(si, 0, sizeof(*si));
	if (uname(&u) == 0) {
		snprintf(si->host, sizeof(si->host), "%s", u.nodename);
		snprintf(si->kernel, sizeof(si->kernel), "%s", u.release);
	}
	cpu_model(si->cpu_model, sizeof(si->cpu_model));
	snprintf(si->version, sizeof(si->version), "%s", IPCB_VERSION);
	si->online_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
}
