/* SPDX-License-Identifier: MIT */
/*
 * netaddr.h - a host and port as people write them ("10.0.0.2:4242", "[fe80::1]:4242") to a
 * socket address and back. Numeric services only; a host name is resolved once.
 */
#ifndef IPCB_NETADDR_H
#define IPCB_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* "HOST:PORT", "[V6]:PORT" or (port_optional) "HOST": resolved, numeric; 0 or -EINVAL. */
int ipcb_netaddr_parse(const char *s, bool port_optional, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t errlen);
/* "10.0.0.2 port 4242" */
void ipcb_netaddr_text(const struct sockaddr *sa, char *out, size_t n);
/* The numeric host of a socket address ("10.0.0.2", "fe80::1"). */
void ipcb_netaddr_host_text(const struct sockaddr *sa, char *out, size_t n);

#endif
