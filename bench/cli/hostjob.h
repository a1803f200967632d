/* SPDX-License-Identifier: MIT */
/*
 * hostjob.h - inside bench/cli/: the state of a --hosts job, which its two files share (hosts.c,
 * the job from the command line to the exit status: who is where, the schedule, the slots and
 * process 0's outputs; hostpair.c, one host's part in a pair: the server and the drivers it
 * starts, hostpair.h). Data only: neither file calls into the other through it. Not for use
 * outside --hosts.
 */
#ifndef IPCB_CLI_HOSTJOB_H
#define IPCB_CLI_HOSTJOB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drv.h"

#define HOSTS_ADDRS 8
#define HOSTS_NAME  64
#define HOSTS_ERR   600 /* what a failed pair says: its host and its driver's last words */
#define HOSTS_TOKEN 64
#define HOSTS_ARGS  160

/* What each process tells the others about its host. */
struct host_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* its network's prefix length */
	uint8_t addr[16];
};

struct host_info {
	char name[HOSTS_NAME];	  /* the host's own name (uname) */
	char rt_name[HOSTS_NAME]; /* the runtime's name for it; "" when it gives none */
	char version[32];	  /* this ipcbench's build */
	uint32_t naddrs;
	struct host_addr addrs[HOSTS_ADDRS];
};

/* One pair of the schedule: sender's host, receiver's host (the same: its own loopback). */
struct pair {
	int from, to;
};

struct slot {
	struct pair *pairs;
	size_t n;
};

struct hosts {
	struct driver *d;
	const struct ipcb_hosts_ops *ops;
	int rank, size;
	struct host_info *info;
	char self[PATH_MAX]; /* this ipcbench */
	char dir[PATH_MAX];  /* this process's directory for the slots' files */
	char agent[256];     /* the runtime's remote agent, for a transport with a runtime */
	/* The transports that cross hosts: by address (network), or by their own runtime. */
	const char *net[IPCB_MAX_LIST], *rt[IPCB_MAX_LIST];
	size_t nnet, nrt;
	char net_list[1024], rt_list[1024], loop_list[2048];
	/* The user's options for the drivers started here, as they were given. */
	char *pass[HOSTS_ARGS];
	int npass;
	char **env; /* the environment without the runtime's */
	struct slot *slots;
	size_t nslots;
	/* Process 0: the outputs, and what went wrong. */
	struct ipcb_csv csv;
	FILE *hlog;
	bool hlog_header;
	char report[PATH_MAX];
	unsigned pairs_ok, pairs_failed;
};

/* The name rows and messages give a host: its own (the one its rows' host column says). */
static inline const char *host_name(const struct hosts *h, int i)
{
	return h->info[i].name;
}

#endif
