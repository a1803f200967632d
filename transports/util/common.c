/* SPDX-License-Identifier: MIT */
/* common.c - helpers fd- and memory-based transports share; see common.h. */

#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

IPCB_HOT int ipcb_fd_write_full(int fd, const void *buf, size_t len, struct ipcb_err *e,
				const char *call)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(e, -errno, call);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

IPCB_HOT int ipcb_fd_read_full(int fd, void *buf, size_t len, struct ipcb_err *e, const char *call)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(e, -errno, call);
		}
		if (n == 0)
			return ipcb_errf(e, -EPIPE, call,
					 "peer closed with %zu bytes of the message unread", len);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void ipcb_fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int ipcb_sock_set_buffer(int fd, bool rcv, uint64_t bytes, struct ipcb_err *e, const char *opt)
{
	int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;

	if (!bytes)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &v, sizeof(v)) == 0)
		return 0;
	if (errno != EPERM)
		return ipcb_errf(e, -errno, rcv ? "setsockopt(SO_RCVBUFFORCE)" : "setsockopt(SO_SNDBUFFORCE)",
				 "%s=%llu", opt, (unsigned long long)bytes);
	if (setsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUF : SO_SNDBUF, &v, sizeof(v)) < 0)
		return ipcb_errf(e, -errno, rcv ? "setsockopt(SO_RCVBUF)" : "setsockopt(SO_SNDBUF)",
				 "%s=%llu", opt, (unsigned long long)bytes);
	return 0;
}

size_t ipcb_sock_buffer_bytes(int fd)
{
	int snd = 0, rcv = 0;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len) < 0)
		snd = 0;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) < 0)
		rcv = 0;
	return (size_t)snd + (size_t)rcv;
}

size_t ipcb_pipe_buffer_bytes(int fd)
{
	int n = fcntl(fd, F_GETPIPE_SZ);

	return n > 0 ? (size_t)n : 0;
}

size_t ipcb_pipe_default_bytes(void)
{
	int fd[2];
	size_t n;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return 0;
	n = ipcb_pipe_buffer_bytes(fd[0]);
	close(fd[0]);
	close(fd[1]);
	return n;
}

int ipcb_map_shared_anon(size_t bytes, void **out, struct ipcb_err *e)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return ipcb_err(e, -errno, "mmap");
	*out = p;
	return 0;
}
