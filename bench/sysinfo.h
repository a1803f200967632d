/* SPDX-License-Identifier: MIT */
/* sysinfo.h - the machine fingerprint stamped on every row: where a number was measured. */
#ifndef IPCB_SYSINFO_H
#define IPCB_SYSINFO_H

struct ipcb_sysinfo {
	char host[128];
	char kernel[128];
	char cpu_model[160];
	char version[64];
	int online_cpus;
};

/* Fill from uname(2), /proc/cpuinfo and the build's version. Never fails: unknowns are "". */
void ipcb_sysinfo_read(struct ipcb_sysinfo *si);

#endif
