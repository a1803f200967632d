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
 * A message that goes in or comes out in pieces: how many calls it takes depends on the other
 * side's timing (how much it had taken or sent by then), so to a counted run (count.h) the first
 * call is the message's and everything after it a wait for the rest, marked every time, so that
 * every message crosses the same marks however many calls it took.
 */
IPCB_HOT static int fd_full(int fd, char *p, size_t len, bool writing, struct ipcb_err *e,
			    const char *call)
{
	/* In memory: the code after the mark is then the same whichever way the rest went. */
	volatile int rc = 0;
	ssize_t n;
	int err;

	if (!len)
		return 0;
	n = writing ? write(fd, p, len) : read(fd, p, len);
	err = errno;
	ipcb_count_wait(true);
	for (;;) {
		if (n < 0 && err != EINTR) {
			rc = ipcb_err(e, -err, call);
			break;
		}
		if (n == 0 && !writing) {
			rc = ipcb_errf(e, -EPIPE, call,
				       "peer closed with %zu bytes of the message unread", len);
			break;
		}
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
		if (!len)
			break;
		n = writing ? write(fd, p, len) : read(fd, p, len);
		err = errno;
	}
	ipcb_count_wait(false);
	return rc;
}

IPCB_HOT int ipcb_fd_write_full(int fd, const void *buf, size_t len, struct ipcb_err *e,
				const char *call)
{
	/* Written from, never into: the cast only lets one loop serve both ways. */
	return fd_full(fd, (char *)(uintptr_t)buf, len, true, e, call);
}

IPCB_HOT int ipcb_fd_read_full(int fd, void *buf, size_t len, struct ipcb_err *e, const char *call)
{
	return fd_full(fd, buf, len, false, e, call);
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
