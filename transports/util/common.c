/* SPDX-License-Identifier: MIT */
/* common.c - helpers fd- and memory-based transports share; see common.h. */

#include "common.h"
#include "count.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The rest of a message that did not go in or come out whole with its first call (common.h):
 * inside a counted run's wait, so however many calls it takes, the message crosses the same
 * marks and runs the same code outside them.
 */
int ipcb_fd_rest(int fd, char *p, size_t len, ssize_t n, int err, bool writing, struct ipcb_err *e,
		 const char *call)
{
	for (;;) {
		if (n < 0 && err != EINTR)
			return ipcb_err(e, -err, call);
		if (n == 0 && !writing)
			return ipcb_errf(e, -EPIPE, call,
					 "peer closed with %zu bytes of the message unread", len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
		if (!len)
			return 0;
		n = writing ? write(fd, p, len) : read(fd, p, len);
		err = n < 0 ? errno : 0;
	}
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
		return ipcb_errf(e, -errno,
				 rcv ? "setsockopt(SO_RCVBUFFORCE)" : "setsockopt(SO_SNDBUFFORCE)",
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

const struct ipcb_option ipcb_pipe_options[] = {
    [IPCB_PIPE_OPT_SIZE] = {.key = "size",
			    .type = IPCB_OPT_UINT,
			    .def = "0",
			    .min = 0,
			    .max = 1u << 30,
			    .tune = "1048576",
			    .help =
				"each pipe's buffer in bytes (F_SETPIPE_SZ, rounded up by the "
				"kernel to a power of two pages; above fs.pipe-max-size only as "
				"root); 0: the kernel's default, 64 KiB"},
    [IPCB_PIPE_OPT_WRITE] = {.key = "write",
			     .type = IPCB_OPT_UINT,
			     .def = "0",
			     .min = 0,
			     .max = 1u << 30,
			     .tune = "16384",
			     .per_call = true,
			     .help = "bytes handed to each write(): a message is written in pieces "
				     "this large; 0: the whole message in one call"},
    {.key = NULL},
};

int ipcb_pipe_set_size(int fd, uint64_t bytes, struct ipcb_err *e, const char *name)
{
	if (bytes && fcntl(fd, F_SETPIPE_SZ, (int)bytes) < 0)
		return ipcb_errf(e, -errno, "fcntl(F_SETPIPE_SZ)", "-o %s.size=%llu", name,
				 (unsigned long long)bytes);
	return 0;
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
