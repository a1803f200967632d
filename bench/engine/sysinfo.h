/* SPDX-License-Identifier: MIT */
/*
 * sysinfo.h - the machine fingerprint stamped on every row and at the top of the table: where a
 * number was measured and what could have bent it (frequency scaling, SMT siblings, transparent
 * huge pages, isolated CPUs, a busy machine, a virtual machine).
 */
#ifndef IPCB_SYSINFO_H
#define IPCB_SYSINFO_H

#include <stdbool.h>
#include <stdio.h>

struct ipcb_sysinfo {
	char host[128];
	char kernel[128];
	char cpu_model[160];
	char version[64];
	char build_type[32];
	char governor[32]; /* cpufreq governor of the first CPU, or "" when not exposed */
	char boost[16];	   /* "on", "off" or "" (cpufreq boost / intel_pstate no_turbo) */
	char smt[16];	   /* "on", "off", "notsupported", or "" */
	char thp[16];	   /* transparent huge pages mode: always, madvise, never */
	char isolated[64]; /* isolated CPU list, "" when none */
	char virt[32];	   /* hypervisor vendor or "none" */
	double loadavg1;   /* 1-minute load average at start */
	int online_cpus;
};

/* Fill from uname(2), /proc and /sys. Never fails: what cannot be read stays "". */
void ipcb_sysinfo_read(struct ipcb_sysinfo *si);
/* Is the machine busy enough to disturb measurements (load average vs CPUs)? */
bool ipcb_sysinfo_busy(const struct ipcb_sysinfo *si);
/* One human line per fact, each prefixed with "# ". */
void ipcb_sysinfo_print(FILE *f, const struct ipcb_sysinfo *si);

#endif
