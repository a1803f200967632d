/* SPDX-License-Identifier: MIT */
/* sysinfo.c - machine fingerprint; see sysinfo.h. */
#include "sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "version.h"

/* First line of a small /proc or /sys file, without its newline; "" when unreadable. */
static void read_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/*
 * /proc/cpuinfo "key : value" for the first CPU that has the key: the value, allocated (free it),
 * or NULL. Lines are read whole onto the heap: a "flags" line is kilobytes long, and the stack
 * may be small (ulimit -s).
 */
static char *cpuinfo_line(const char *key)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t klen = strlen(key), cap = 0;
	char *line = NULL, *value = NULL;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');

		if (!colon || strncmp(line, key, klen) != 0)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		value = strdup(colon);
		break;
	}
	free(line);
	fclose(f);
	return value;
}

/* The same into out ("" when there is none). */
static void cpuinfo_value(const char *key, char *out, size_t n)
{
	char *value = cpuinfo_line(key);

	snprintf(out, n, "%s", value ? value : "");
	free(value);
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(const char *in, char *out, size_t n)
{
	const char *a = strchr(in, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		snprintf(out, n, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, n, "%s", in);
}

static void virt_detect(char *out, size_t n)
{
	char *flags = cpuinfo_line("flags"), vendor[128];
	/* The CPUID hypervisor bit shows up as the "hypervisor" flag on x86. */
	bool hypervisor = flags && (strstr(flags, " hypervisor") || strstr(flags, "hypervisor ") ||
				    strcmp(flags, "hypervisor") == 0);

	free(flags);
	read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	if (hypervisor) {
		char product[128];

		read_line("/sys/class/dmi/id/product_name", product, sizeof(product));
		snprintf(out, n, "%.*s", (int)n - 1,
			 product[0]  ? product
			 : vendor[0] ? vendor
				     : "yes");
		if (!out[0])
			snprintf(out, n, "yes");
	} else if (access("/proc/xen", F_OK) == 0) {
		snprintf(out, n, "xen");
	} else {
		snprintf(out, n, "none");
	}
}

void ipcb_sysinfo_read(struct ipcb_sysinfo *si)
{
	struct utsname u;
	char buf[256];
	FILE *f;

	memset(si, 0, sizeof(*si));
	if (uname(&u) == 0) {
		snprintf(si->host, sizeof(si->host), "%s", u.nodename);
		snprintf(si->kernel, sizeof(si->kernel), "%s", u.release);
	}
	/* x86 says "model name"; several arm64 kernels only "Hardware". */
	cpuinfo_value("model name", si->cpu_model, sizeof(si->cpu_model));
	if (!si->cpu_model[0])
		cpuinfo_value("Hardware", si->cpu_model, sizeof(si->cpu_model));
	snprintf(si->version, sizeof(si->version), "%s", IPCB_VERSION);
	snprintf(si->build_type, sizeof(si->build_type), "%s", IPCB_BUILD_TYPE);
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", si->governor,
		  sizeof(si->governor));
	read_line("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof(buf));
	if (buf[0]) {
		snprintf(si->boost, sizeof(si->boost), "%s", buf[0] == '1' ? "on" : "off");
	} else {
		read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof(buf));
		if (buf[0])
			snprintf(si->boost, sizeof(si->boost), "%s", buf[0] == '1' ? "off" : "on");
	}
	read_line("/sys/devices/system/cpu/smt/control", si->smt, sizeof(si->smt));
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	bracketed(buf, si->thp, sizeof(si->thp));
	read_line("/sys/devices/system/cpu/isolated", si->isolated, sizeof(si->isolated));
	virt_detect(si->virt, sizeof(si->virt));
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &si->loadavg1) != 1)
			si->loadavg1 = 0;
		fclose(f);
	}
	si->online_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
}

bool ipcb_sysinfo_busy(const struct ipcb_sysinfo *si)
{
	/* Each runnable task beyond a quarter of the CPUs can steal time from a measured side. */
	return si->online_cpus > 0 && si->loadavg1 > 0.25 * si->online_cpus + 0.5;
}

static const char *or_unknown(const char *s)
{
	return s[0] ? s : "not exposed";
}

/* The kernel's word for SMT (smt/control), as a person writes it; the CSV keeps the word. */
static const char *smt_text(const char *smt)
{
	return !strcmp(smt, "notsupported")	? "not supported"
	       : !strcmp(smt, "notimplemented") ? "not implemented"
	       : !strcmp(smt, "forceoff")	? "off (forced)"
						: or_unknown(smt);
}

void ipcb_sysinfo_print(FILE *f, const struct ipcb_sysinfo *si)
{
	fprintf(f, "# ipcbench %s (%s build) on %s: %s, %d CPUs, kernel %s\n", si->version,
		si->build_type, si->host, si->cpu_model, si->online_cpus, si->kernel);
	fprintf(f,
		"# governor %s, boost %s, SMT %s, THP %s, isolated CPUs %s, virtualization %s, "
		"load average %.2f\n",
		or_unknown(si->governor), or_unknown(si->boost), smt_text(si->smt),
		or_unknown(si->thp), si->isolated[0] ? si->isolated : "none", si->virt,
		si->loadavg1);
}
