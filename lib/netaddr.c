/* SPDX-License-Identifier: MIT */
/* netaddr.c - numeric host addresses and ports, parsed and printed; see netaddr.h. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipcb_netaddr_parse(const char *s, bool port_optional, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG},
			*res = NULL;
	char host[256], port[16] = "0";
	const char *colon;
	int rc;

	if (!s || !*s || strlen(s) >= sizeof(host)) {
		snprintf(err, errlen, "'%s' is not HOST:PORT", s ? s : "");
		return -EINVAL;
	}
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && end[1] != ':')) {
			snprintf(err, errlen, "'%s' is not [IPV6]:PORT", s);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon) {
			snprintf(err, errlen, "'%s': write an IPv6 address as [ADDRESS]:PORT", s);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	}
	if (colon) {
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);

		if (!isdigit((unsigned char)colon[1]) || *end || p > 65535) {
			snprintf(err, errlen, "'%s': the port must be a number from 0 to 65535", s);
			return -EINVAL;
		}
		snprintf(port, sizeof(port), "%lu", p);
	} else if (!port_optional) {
		snprintf(err, errlen, "'%s' has no port: write HOST:PORT", s);
		return -EINVAL;
	}
	if (!host[0]) {
		snprintf(err, errlen, "'%s' has no host", s);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc || !res) {
		snprintf(err, errlen, "'%s': %s", host, rc ? gai_strerror(rc) : "no address");
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void ipcb_netaddr_host_text(const struct sockaddr *sa, char *out, size_t n)
{
	const void *a = sa->sa_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
			    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->sa_family, a, out, (socklen_t)n))
		snprintf(out, n, "?");
}

void ipcb_netaddr_text(const struct sockaddr *sa, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port =
	    ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
					    : ((const struct sockaddr_in *)sa)->sin_port);

	ipcb_netaddr_host_text(sa, host, sizeof(host));
	snprintf(out, n, "%s port %u", host, port);
}
