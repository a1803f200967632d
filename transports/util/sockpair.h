/* SPDX-License-Identifier: MIT */
/*
 * sockpair.h - the part every connected, bidirectional socket transport shares: the parent makes
 * one connected pair, the sender keeps end 0 and the receiver end 1, and messages move with
 * whole-message send()/recv(). The transport files differ only in how they connect the pair.
 */
#ifndef IPCB_SOCKPAIR_H
#define IPCB_SOCKPAIR_H

#include <stdbool.h>

#include "transport.h"

struct ipcb_sockpair {
	int fd[2]; /* [IPCB_SENDER], [IPCB_RECEIVER]; -1 when closed */
	/* SOCK_STREAM: loop on short transfers; datagram kinds: one call is one whole message. */
	int stream;
};

/*
 * Move exactly len bytes over a connected socket: a byte stream loops over short transfers and
 * fails with -EPIPE at end-of-file; a datagram socket moves one whole datagram of exactly len
 * bytes (-EMSGSIZE / -EBADMSG otherwise). For transports whose endpoints own their sockets.
 */
int ipcb_sock_send_all(int fd, const void *buf, size_t len, bool stream, struct ipcb_err *e);
int ipcb_sock_recv_all(int fd, void *buf, size_t len, bool stream, struct ipcb_err *e);

void ipcb_sockpair_init(struct ipcb_sockpair *sp, int stream);
/* Both ends' buffer limits, for ipcb_chan.buffer_bytes. */
size_t ipcb_sockpair_buffer_bytes(const struct ipcb_sockpair *sp);
void ipcb_sockpair_teardown(struct ipcb_chan *ch);
int ipcb_sockpair_open(struct ipcb_ep *ep);
void ipcb_sockpair_close(struct ipcb_ep *ep);
int ipcb_sockpair_send(struct ipcb_ep *ep, const void *buf, size_t len);
int ipcb_sockpair_recv(struct ipcb_ep *ep, void *buf, size_t len);

#endif
