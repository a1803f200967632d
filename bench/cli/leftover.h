/* SPDX-License-Identifier: MIT */
/*
 * leftover.h - what a run may leave behind, for the transport test suite (selftest.c) to look
 * for once its runs are over. Each found is named in a TAP diagnostic line.
 */
#ifndef IPCB_LEFTOVER_H
#define IPCB_LEFTOVER_H

#include <stddef.h>

/* Entries in dir whose name holds "ipcbench-<this pid>-": what this process's runs left. */
int ipcb_leftover_named(const char *dir);
/* System V objects this process's runs made (sysvreg.h keeps the list) that still exist. */
int ipcb_leftover_sysv(void);
/*
 * The local ports of TCP sockets in LISTEN state (/proc/net/tcp, tcp6); with inodes, only those
 * sockets. Returns how many went into port[].
 */
size_t ipcb_leftover_listening(const unsigned long *inode, size_t ninodes, int *port, size_t max);
/* The socket inodes the processes pid[0..n) hold open. */
size_t ipcb_leftover_sockets(const int *pid, size_t n, unsigned long *inode, size_t max);

#endif
