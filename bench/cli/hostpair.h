/* SPDX-License-Identifier: MIT */
/*
 * hostpair.h - inside bench/cli/: one host's part in a pair of a --hosts job (hostpair.c), the
 * few steps hosts.c calls; hostpair.c calls nothing of hosts.c's. Not for use outside --hosts.
 */
#ifndef IPCB_CLI_HOSTPAIR_H
#define IPCB_CLI_HOSTPAIR_H

#include <stddef.h>

#include "hostjob.h"

/* Which transports cross hosts: those reached by address alone, and those of a runtime. */
void ipcb_hosts_transports_pick(struct hosts *h);
/* The user's options, as given, for the drivers started here, less what --hosts decides. */
int ipcb_hosts_pass_make(struct hosts *h, int argc, char **argv);
/* This environment less the runtime's own variables. */
int ipcb_hosts_env_make(struct hosts *h);
/* The whole file at path, allocated (an empty text when there is none). */
char *ipcb_hosts_file_text(const char *path, size_t *len);
/* The path of slot s's file `what` in this process's directory. */
void ipcb_hosts_slot_paths(const struct hosts *h, size_t s, const char *what, char *out, size_t n);
/* Every host alone: the crossing transports on its own loopback. */
int ipcb_hosts_pair_loopback(struct hosts *h, size_t s, char *why, size_t n);
/* The receiving host: a server for the sender, told about through the runtime. */
int ipcb_hosts_pair_serve(struct hosts *h, const struct pair *p, struct ipcb_err *e);
/* The sending host: its driver with the receiving host's server as --peer. */
int ipcb_hosts_pair_drive(struct hosts *h, size_t s, const struct pair *p, char *why, size_t n,
			  struct ipcb_err *e);

#endif
