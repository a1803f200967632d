/* SPDX-License-Identifier: MIT */
/*
 * uring - a Unix stream socket pair driven through io_uring (liburing): every send and receive is
 * a WRITE_FIXED or READ_FIXED request on the socket, on a ring of each endpoint's own, with the
 * message buffers registered with the ring.
 *
 * Registered buffers: the kernel pins a registered buffer's pages once, instead of looking them
 * up and pinning them for every request. The driver hands a transport the same two buffers for
 * the whole run, so each endpoint registers each buffer the first time it sees it (a sparse
 * table of two, filled with io_uring_register_buffers_update_tag: Linux 5.13) and uses plain
 * IORING_OP_SEND / RECV for any other address.
 *
 * Cost of one message: one io_uring_enter() that submits the request and waits for its
 * completion (the ring saves no system call here: one request at a time, as the contract moves
 * one message per call), then what unix-stream costs: one copy into the peer's socket buffer,
 * one copy out, a wake-up of a sleeping reader. What the row shows is io_uring's own cost per
 * request against the plain calls of unix-stream.
 * Limits: none per message (a byte stream; a short transfer is continued). Needs io_uring:
 * kernel.io_uring_disabled 0 (or 1 with the group it names), no seccomp filter refusing
 * io_uring_setup (containers' default profiles do), READ_FIXED / WRITE_FIXED (Linux 5.1).
 *
 * Built only with liburing (transports/meson.build: 'uring liburing:liburing-dev'); without it
 * this file compiles to an entry that names the package.
 */
#include "ipcb_config.h"
#include "transport.h"

#define URING_SUMMARY "Unix stream socket pair through io_uring, registered buffers (liburing)"
#define URING_CAPS    IPCB_CAP_BIDIR

#if IPCB_BUILT_URING
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common.h"
#include "sockpair.h"

#define URING_ENTRIES 8

struct uring_ep {
	struct io_uring ring;
	bool ring_ok;
	int fd;
	const void *reg[2]; /* the buffers registered at index 0 and 1 (NULL: free) */
	size_t reg_len[2];
};

/* Why io_uring cannot be used here, from the sysctl and the error of io_uring_queue_init(). */
static void uring_why(struct ipcb_probe *p, int rc)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int disabled = -1;

	if (f) {
		if (fscanf(f, "%d", &disabled) != 1)
			disabled = -1;
		fclose(f);
	}
	if (disabled == 2)
		snprintf(p->reason, sizeof(p->reason),
			 "io_uring_setup: %s (kernel.io_uring_disabled is 2: io_uring is off)",
			 strerror(-rc));
	else if (disabled == 1 && rc == -EPERM)
		snprintf(p->reason, sizeof(p->reason),
			 "io_uring_setup: %s (kernel.io_uring_disabled is 1: only members of "
			 "kernel.io_uring_group may use it)",
			 strerror(-rc));
	else if (rc == -ENOSYS || rc == -EPERM)
		snprintf(p->reason, sizeof(p->reason),
			 "io_uring_setup: %s (a seccomp filter, such as a container's default "
			 "profile, or a kernel without io_uring)",
			 strerror(-rc));
	else
		snprintf(p->reason, sizeof(p->reason), "io_uring_setup: %s", strerror(-rc));
}

/* A real ring, and the opcodes and buffer table this transport uses. */
static int uring_probe(struct ipcb_probe *p)
{
	static const struct {
		int op;
		const char *name;
	} ops[] = {{IORING_OP_READ_FIXED, "READ_FIXED"},
		   {IORING_OP_WRITE_FIXED, "WRITE_FIXED"},
		   {IORING_OP_SEND, "SEND"},
		   {IORING_OP_RECV, "RECV"}};
	struct io_uring ring;
	struct io_uring_probe *pr;
	int rc = io_uring_queue_init(URING_ENTRIES, &ring, 0);

	if (rc < 0) {
		uring_why(p, rc);
		return rc;
	}
	pr = io_uring_get_probe_ring(&ring);
	for (size_t i = 0; pr && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!io_uring_opcode_supported(pr, ops[i].op)) {
			snprintf(p->reason, sizeof(p->reason),
				 "io_uring: this kernel lacks IORING_OP_%s", ops[i].name);
			rc = -ENOTSUP;
			break;
		}
	if (!pr) {
		snprintf(p->reason, sizeof(p->reason), "io_uring: the opcode probe failed");
		rc = -ENOTSUP;
	}
	if (!rc) {
		rc = io_uring_register_buffers_sparse(&ring, 2);
		if (rc < 0)
			snprintf(p->reason, sizeof(p->reason),
				 "io_uring_register_buffers_sparse: %s (Linux 5.13 or later)",
				 strerror(-rc));
	}
	if (pr)
		io_uring_free_probe(pr);
	io_uring_queue_exit(&ring);
	return rc < 0 ? rc : 0;
}

static int uring_setup(struct ipcb_chan *ch)
{
	struct ipcb_sockpair *sp = ch->priv;

	ipcb_sockpair_init(sp, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp->fd) < 0)
		return ipcb_err(&ch->err, -errno, "socketpair");
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
	snprintf(ch->layout, sizeof(ch->layout), "io_uring READ/WRITE_FIXED on a socket pair");
	return 0;
}

/* A ring of this endpoint's own, made after fork: a ring is not meant to be shared across it. */
static int uring_open(struct ipcb_ep *ep)
{
	struct ipcb_sockpair *sp = ep->chan->priv;
	struct uring_ep *me = ep->priv;
	int rc;

	me->fd = sp->fd[ep->role];
	sp->fd[ep->role] = -1;
	ipcb_fd_close(&sp->fd[!ep->role]);
	rc = io_uring_queue_init(URING_ENTRIES, &me->ring, 0);
	if (rc < 0)
		return ipcb_err(&ep->err, rc, "io_uring_queue_init");
	me->ring_ok = true;
	rc = io_uring_register_buffers_sparse(&me->ring, 2);
	return rc < 0 ? ipcb_err(&ep->err, rc, "io_uring_register_buffers_sparse") : 0;
}

static void uring_close(struct ipcb_ep *ep)
{
	struct uring_ep *me = ep->priv;

	if (me->ring_ok)
		io_uring_queue_exit(&me->ring); /* unregisters the buffers too */
	me->ring_ok = false;
	ipcb_fd_close(&me->fd);
}

/*
 * The registered-buffer index for [buf, buf + len) in *idx: the slot that holds it, or a free
 * slot it is registered into now (the first message of a run, in the warm-up); -1 when neither,
 * and the request goes without a registered buffer. 0 or -errno.
 */
static int uring_register(struct uring_ep *me, const void *buf, size_t len, int *idx,
			  struct ipcb_err *e)
{
	*idx = -1;
	for (int i = 0; i < 2; i++)
		if (me->reg[i] == buf && me->reg_len[i] >= len) {
			*idx = i;
			return 0;
		}
	for (int i = 0; i < 2; i++)
		if (!me->reg[i]) {
			struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
			__u64 tag = 0;
			int rc = io_uring_register_buffers_update_tag(&me->ring, (unsigned)i, &iov,
								      &tag, 1);

			if (rc < 0)
				return ipcb_err(e, rc, "io_uring_register_buffers_update_tag");
			me->reg[i] = buf;
			me->reg_len[i] = len;
			*idx = i;
			return 0;
		}
	return 0;
}

/* Submit one request and wait for its completion: bytes moved, or -errno. */
IPCB_HOT static int uring_one(struct uring_ep *me, bool write, unsigned char *p, size_t n, int idx)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&me->ring);
	struct io_uring_cqe *cqe;
	int rc;

	if (!sqe)
		return -EBUSY;
	if (idx >= 0 && write)
		io_uring_prep_write_fixed(sqe, me->fd, p, (unsigned)n, 0, idx);
	else if (idx >= 0)
		io_uring_prep_read_fixed(sqe, me->fd, p, (unsigned)n, 0, idx);
	else if (write)
		io_uring_prep_send(sqe, me->fd, p, n, MSG_NOSIGNAL);
	else
		io_uring_prep_recv(sqe, me->fd, p, n, 0);
	do
		rc = io_uring_submit_and_wait(&me->ring, 1);
	while (rc == -EINTR);
	if (rc < 0)
		return rc;
	do
		rc = io_uring_wait_cqe(&me->ring, &cqe);
	while (rc == -EINTR);
	if (rc < 0)
		return rc;
	rc = cqe->res;
	io_uring_cqe_seen(&me->ring, cqe);
	return rc;
}

IPCB_HOT static int uring_move(struct ipcb_ep *ep, bool write, unsigned char *p, size_t len)
{
	struct uring_ep *me = ep->priv;
	const char *call = write ? "io_uring WRITE_FIXED" : "io_uring READ_FIXED";
	int idx, rc = uring_register(me, p, len, &idx, &ep->err);

	if (rc)
		return rc;
	while (len > 0) {
		/* One request moves at most 1 GiB; the socket may take or give less. */
		size_t n = len < (1u << 30) ? len : (1u << 30);

		rc = uring_one(me, write, p, n, idx);

		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc < 0)
			return ipcb_err(&ep->err, rc, call);
		if (rc == 0)
			return ipcb_errf(&ep->err, -EPIPE, call,
					 "peer closed with %zu bytes of the message unmoved", len);
		p += rc;
		len -= (size_t)rc;
	}
	return 0;
}

IPCB_HOT static int uring_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	return uring_move(ep, true, (unsigned char *)buf, len);
}

IPCB_HOT static int uring_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	return uring_move(ep, false, buf, len);
}

/* liburing 2.3 cannot say its version at run time: the one built with. */
static void uring_library(char *out, size_t n)
{
	snprintf(out, n, "%s", IPCB_LIBS_URING);
}
#endif /* IPCB_BUILT_URING */

const struct ipcb_transport ipcb_transport_uring = {
    .name = "uring",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = URING_SUMMARY,
    .caps = URING_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    IPCB_IF_BUILT(IPCB_BUILT_URING, IPCB_WITHOUT_URING, .library = uring_library,
		  .chan_priv_bytes = sizeof(struct ipcb_sockpair),
		  .ep_priv_bytes = sizeof(struct uring_ep), .probe = uring_probe,
		  .setup = uring_setup, .teardown = ipcb_sockpair_teardown, .open = uring_open,
		  .close = uring_close, .send = uring_send, .recv = uring_recv),
};
