/* SPDX-License-Identifier: MIT */
/*
 * netsock.h - where a network transport's endpoint binds and how its peer's published address
 * turns back into a socket address (IPCB_CAP_NETWORK). An endpoint binds to cfg.host, an
 * address of its own host (127.0.0.1 when the driver names none: both endpoints on this host),
 * on a port the kernel picks, and publishes the socket address it got; the peer may be on
 * another host, so nothing else about the endpoint may matter. IPv4 and IPv6.
 */
#ifndef IPCB_NETSOCK_H
#define IPCB_NETSOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "transport.h"

/* A socket address of either family, no larger than an IPv6 one (it is published). */
union ipcb_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* The address cfg.host names (127.0.0.1 when NULL), port 0. 0, or -EINVAL recorded in e. */
int ipcb_net_local(const struct ipcb_chan_cfg *cfg, union ipcb_sockaddr *a, struct ipcb_err *e);
/* The bytes of a's family (sizeof(struct sockaddr_in) or _in6). */
socklen_t ipcb_net_len(const union ipcb_sockaddr *a);
/* "10.0.0.1 port 4242", "[fe80::1] port 80": for messages. */
void ipcb_net_text(const union ipcb_sockaddr *a, char *out, size_t n);
/*
 * A socket of `type` bound to cfg.host on a free port, its address in *a; with `listen_too`, it
 * listens (a backlog of one). The descriptor, or a negative errno recorded in e.
 */
int ipcb_net_bound_socket(const struct ipcb_chan_cfg *cfg, int type, bool listen_too,
			  union ipcb_sockaddr *a, struct ipcb_err *e);
/* Publish a socket address as an endpoint's address (ep->addr). */
void ipcb_net_publish(struct ipcb_addr *out, const union ipcb_sockaddr *a);
/*
 * A published address (`len` bytes at `bytes`) back as a socket address: 0, or -EPROTO with e
 * saying what the peer published when it is not one.
 */
int ipcb_net_peer(const void *bytes, uint32_t len, union ipcb_sockaddr *a, struct ipcb_err *e);
/* Same family, address and port? */
bool ipcb_net_same(const union ipcb_sockaddr *a, const union ipcb_sockaddr *b);
/*
 * Accept, on listening socket lfd, only the connection that comes from `from` (the peer's
 * published address and port): the port is open to every host that can reach it for a moment,
 * so a stranger could connect first; strangers are closed and the next one taken, at most 64 of
 * them. The connection, or a negative errno recorded in e.
 */
int ipcb_net_accept_from(int lfd, const union ipcb_sockaddr *from, struct ipcb_err *e);

#endif
