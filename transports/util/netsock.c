/* SPDX-License-Identifier: MIT */
/* netsock.c - a network endpoint's own address and its peer's; see netsock.h. */
#include "netsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ipcb_net_local(const struct ipcb_chan_cfg *cfg, union ipcb_sockaddr *a, struct ipcb_err *e)
{
	const char *host = cfg->host ? cfg->host : "127.0.0.1";

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		return 0;
	}
	return ipcb_errf(e, -EINVAL, "inet_pton", "'%s' is not a numeric IP address", host);
}

socklen_t ipcb_net_len(const union ipcb_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

void ipcb_net_text(const union ipcb_sockaddr *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	bool v6 = a->sa.sa_family == AF_INET6;

	inet_ntop(a->sa.sa_family,
		  v6 ? (const void *)&a->in6.sin6_addr : (const void *)&a->in.sin_addr, ip,
		  sizeof(ip));
	snprintf(out, n, "%s%s%s port %u", v6 ? "[" : "", ip, v6 ? "]" : "",
		 ntohs(v6 ? a->in6.sin6_port : a->in.sin_port));
}

int ipcb_net_bound_socket(const struct ipcb_chan_cfg *cfg, int type, bool listen_too,
			  union ipcb_sockaddr *a, struct ipcb_err *e)
{
	socklen_t alen = sizeof(*a);
	char where[80];
	int fd, rc;

	rc = ipcb_net_local(cfg, a, e);
	if (rc)
		return rc;
	fd = socket(a->sa.sa_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ipcb_err(e, -errno, "socket");
	if (bind(fd, &a->sa, ipcb_net_len(a)) < 0) {
		ipcb_net_text(a, where, sizeof(where));
		rc = ipcb_errf(e, -errno, "bind", "%s", where);
	} else if (listen_too && listen(fd, 1) < 0) {
		rc = ipcb_err(e, -errno, "listen");
	} else if (getsockname(fd, &a->sa, &alen) < 0) {
		rc = ipcb_err(e, -errno, "getsockname");
	}
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

void ipcb_net_publish(struct ipcb_addr *out, const union ipcb_sockaddr *a)
{
	out->len = ipcb_net_len(a);
	memcpy(out->bytes, a, out->len);
}

int ipcb_net_peer(const void *bytes, uint32_t len, union ipcb_sockaddr *a, struct ipcb_err *e)
{
	memset(a, 0, sizeof(*a));
	if (len == sizeof(a->in) || len == sizeof(a->in6))
		memcpy(a, bytes, len);
	if ((len == sizeof(a->in) && a->sa.sa_family == AF_INET) ||
	    (len == sizeof(a->in6) && a->sa.sa_family == AF_INET6))
		return 0;
	return ipcb_errf(e, -EPROTO, "connect", "the peer published a %u-byte address of family %d",
			 len, len >= sizeof(sa_family_t) ? a->sa.sa_family : -1);
}

bool ipcb_net_same(const union ipcb_sockaddr *a, const union ipcb_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr)) == 0;
	return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
}

int ipcb_net_accept_from(int lfd, const union ipcb_sockaddr *from, struct ipcb_err *e)
{
	for (int tries = 0; tries < 64; tries++) {
		union ipcb_sockaddr peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(lfd, &peer.sa, &len, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return ipcb_err(e, -errno, "accept4");
		}
		if (ipcb_net_same(&peer, from))
			return fd;
		close(fd);
	}
	return ipcb_errf(e, -ECONNREFUSED, "accept4",
			 "64 connections from other processes reached the benchmark's port first");
}
