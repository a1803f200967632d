/* SPDX-License-Identifier: MIT */
/*
 * msglimits.h - what the message-oriented transports (datagram sockets, message queues) share:
 * the kernel decides how large one message may be, through sysctls and socket buffer sizes, and
 * these helpers read, raise and measure those limits, so probe() can report the real largest
 * message and the driver can chunk instead of anything being clamped silently.
 */
#ifndef IPCB_MSGLIMITS_H
#define IPCB_MSGLIMITS_H

#include <stddef.h>

#include "transport.h"

/* Read a non-negative integer from a /proc/sys file, e.g. "/proc/sys/kernel/msgmax". 0 or -errno.
 */
int ipcb_sysctl_read(const char *path, unsigned long long *out);

/*
 * Ask for the largest socket buffer `opt` (SO_SNDBUF or SO_RCVBUF) an unprivileged process may
 * have: the kernel clamps the request to net.core.wmem_max / rmem_max and doubles it for its
 * bookkeeping. *granted (may be NULL) receives what getsockopt() then reports. 0 or -errno.
 */
int ipcb_sockbuf_raise(int fd, int opt, int *granted, struct ipcb_err *e);

/*
 * AF_UNIX datagram kinds (SOCK_DGRAM, SOCK_SEQPACKET). One datagram is one socket buffer charged
 * to the sender, so its size is bounded by SO_SNDBUF and by how large a buffer the kernel can
 * allocate in one piece. The probe measures it: it raises SO_SNDBUF on a test pair exactly as
 * setup does, then sends real datagrams to find the largest that goes through, and lowers
 * p->max_msg_bytes to it. Setup makes the connected pair (sender end 0, receiver end 1) with both
 * send buffers raised; the rest of the hooks are sockpair.c's.
 */
int ipcb_unix_dgram_probe(int type, struct ipcb_probe *p);
int ipcb_unix_dgram_setup(struct ipcb_chan *ch, int type);

#endif
