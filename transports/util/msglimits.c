/* SPDX-License-Identifier: MIT */
/* msglimits.c - reading, raising and measuring per-message kernel limits; see msglimits.h. */

#include "msglimits.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "sockpair.h"

int ipcb_sysctl_read(const char *path, unsigned long long *out)
{
	char text[32], *end;
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return -errno;
	if (!fgets(text, sizeof(text), f)) {
		rc = ferror(f) ? -EIO : -ENODATA;
		goto close_file;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || (*end != '\n' && *end != '\0')) {
		rc = -EINVAL;
		goto close_file;
	}
	*out = v;
close_file:
	fclose(f);
	return rc;
}

int ipcb_sockbuf_raise(int fd, int opt, int *granted, struct ipcb_err *e)
{
	/* More than the ceiling is no error: the kernel quietly grants the ceiling. */
	int want = INT_MAX / 2, got = 0;
	socklen_t len = sizeof(got);
	const char *name = opt == SO_SNDBUF ? "setsockopt(SO_SNDBUF)" : "setsockopt(SO_RCVBUF)";

	if (setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want)) < 0)
		return ipcb_err(e, -errno, name);
	if (getsockopt(fd, SOL_SOCKET, opt, &got, &len) < 0)
		return ipcb_err(e, -errno,
				opt == SO_SNDBUF ? "getsockopt(SO_SNDBUF)"
						 : "getsockopt(SO_RCVBUF)");
	if (granted)
		*granted = got;
	return 0;
}

static const char *unix_type_name(int type)
{
	return type == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : "SOCK_DGRAM";
}

/*
 * Send one datagram of len bytes from fd[0] and take it off fd[1] again, then narrow the interval
 * (good, bad): good is the largest size seen to go through, bad the smallest refused for its size
 * (over the send buffer: EMSGSIZE; no memory for one buffer that large: ENOBUFS/ENOMEM).
 * 0, or -errno when the kernel failed the send for another reason.
 */
static int unix_dgram_try(const int fd[2], const void *buf, size_t len, size_t *good, size_t *bad)
{
	char byte;
	ssize_t n;

	do
		n = send(fd[0], buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EMSGSIZE && errno != ENOBUFS && errno != ENOMEM)
			return -errno;
		*bad = len;
		return 0;
	}
	/* MSG_TRUNC: discard the datagram whole and learn its real length from a 1-byte read. */
	do
		n = recv(fd[1], &byte, 1, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EBADMSG;
	*good = len;
	return 0;
}

int ipcb_unix_dgram_probe(int type, struct ipcb_probe *p)
{
	const char *tname = unix_type_name(type);
	struct ipcb_err e = {0};
	size_t good = 0, bad, len;
	int fd[2], granted, rc;
	void *buf;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fd) < 0) {
		rc = -errno;
		snprintf(p->reason, sizeof(p->reason), "socketpair(AF_UNIX, %s): %s", tname,
			 strerror(-rc));
		return rc;
	}
	rc = ipcb_sockbuf_raise(fd[0], SO_SNDBUF, &granted, &e);
	if (rc) {
		snprintf(p->reason, sizeof(p->reason), "%s: %s", e.call, strerror(-rc));
		goto close_pair;
	}
	/* Untouched anonymous pages read as zeros, so this costs no memory until copied from. */
	buf = mmap(NULL, (size_t)granted, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		rc = -errno;
		snprintf(p->reason, sizeof(p->reason), "mmap(%d bytes): %s", granted,
			 strerror(-rc));
		goto close_pair;
	}
	/*
	 * The kernel refuses a datagram within 32 bytes of the send buffer size (af_unix.c), so try
	 * just below that, and one byte more: when those settle it, two sends suffice. Otherwise
	 * (typically: the buffer is larger than one contiguous allocation can be) bisect on real
	 * sends, the limit being monotonic in the size.
	 */
	bad = (size_t)granted + 1;
	len = granted > 64 ? (size_t)granted - 32 : 1;
	rc = unix_dgram_try(fd, buf, len, &good, &bad);
	if (!rc && good == len && len + 1 < bad) {
		len++;
		rc = unix_dgram_try(fd, buf, len, &good, &bad);
	}
	while (!rc && bad - good > 1) {
		len = good + (bad - good) / 2;
		rc = unix_dgram_try(fd, buf, len, &good, &bad);
	}
	if (rc) {
		snprintf(p->reason, sizeof(p->reason),
			 "send(AF_UNIX %s, %zu bytes) while probing: %s", tname, len,
			 strerror(-rc));
	} else if (good == 0) {
		rc = -EMSGSIZE;
		snprintf(p->reason, sizeof(p->reason),
			 "AF_UNIX %s refuses even a 1-byte datagram (SO_SNDBUF %d)", tname,
			 granted);
	} else if (p->max_msg_bytes == 0 || good < p->max_msg_bytes) {
		p->max_msg_bytes = good;
	}
	munmap(buf, (size_t)granted);
close_pair:
	close(fd[0]);
	close(fd[1]);
	return rc;
}

int ipcb_unix_dgram_setup(struct ipcb_chan *ch, int type)
{
	struct ipcb_sockpair *sp = ch->priv;
	int granted;

	ipcb_sockpair_init(sp, 0);
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sp->fd) < 0)
		return ipcb_errf(&ch->err, -errno, "socketpair", "AF_UNIX %s",
				 unix_type_name(type));
	/* Both ends send in latency mode; each datagram is charged to its sender's buffer. */
	for (int i = 0; i < 2; i++) {
		int rc = ipcb_sockbuf_raise(sp->fd[i], SO_SNDBUF, &granted, &ch->err);

		if (rc)
			return rc;
		if ((size_t)granted <= ch->cfg.msg_bytes)
			return ipcb_errf(&ch->err, -EMSGSIZE, "setsockopt(SO_SNDBUF)",
					 "send buffer %d bytes cannot hold a %zu-byte datagram; "
					 "raise net.core.wmem_max",
					 granted, ch->cfg.msg_bytes);
	}
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
	return 0;
}
