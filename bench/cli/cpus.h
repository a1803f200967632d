/* SPDX-License-Identifier: MIT */
/*
 * cpus.h - where the sides run: the placements (--placement) by name, the CPUs this process may
 * use (cgroup cpusets and taskset included), as a set and as the kernel writes a list of them,
 * and --cpus A,B checked against them (on two hosts, A here and B the peer's).
 */
#ifndef IPCB_CPUS_H
#define IPCB_CPUS_H

#include <sched.h>
#include <stddef.h>

#include "placement.h"

/* 0, or -errno. */
int ipcb_cpus_allowed(cpu_set_t *set);
/* "0-3,6" */
void ipcb_cpus_text(const cpu_set_t *set, char *out, size_t n);
/* --cpus A,B: two CPUs this process may use; 0, or -EINVAL with err naming the value. */
int ipcb_parse_cpus(const char *s, int out[2], char *err, size_t errlen);
/* --cpus A,B with --peer: A a CPU here, B one of the peer's (which the peer checks). */
int ipcb_parse_cpus_two_hosts(const char *s, int out[2], char *err, size_t errlen);

#endif
