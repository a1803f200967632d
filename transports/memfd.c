/* SPDX-License-Identifier: MIT */
/*
 * memfd - every message is a memfd of its own: the sender creates it, builds the message in its
 * mapping, seals it (no write, shrink or grow, and no more seals) and passes the descriptor over
 * a Unix seqpacket socket pair (SCM_RIGHTS); the receiver maps it and reads the message where
 * the sender wrote it. Zero-copy loans (transport.h): acquire makes and maps the memfd, commit
 * seals and sends it, peek receives and maps it, release unmaps it.
 *
 * Cost of one message: no copy of the payload, but a fresh file per message: memfd_create,
 * ftruncate and mmap, page faults on fresh zeroed pages while the driver fills the message (a
 * new buffer is always filled whole: it holds nothing yet), munmap and F_ADD_SEALS, a
 * sendmsg with the descriptor; on the other side recvmsg, F_GET_SEALS and fstat, mmap and page
 * faults mapping the sender's pages, munmap and close, after which the kernel frees the pages.
 * So small messages cost far more than a copying socket, and the size where the fixed costs
 * are outweighed by the copies saved is what its rows against unix-stream show.
 * Limits: none per message (memory: in a stream, at most MEMFD_WINDOW messages are in flight).
 *
 * The seals are what make this safe between processes that do not trust each other: the
 * receiver refuses a memfd without them (F_GET_SEALS), since without F_SEAL_WRITE the sender
 * could change the message under the receiver's check, and without F_SEAL_SHRINK it could
 * truncate the file and kill the receiver with SIGBUS.
 *
 * In a stream the receiver returns credits (4-byte messages on the same socket pair, the other
 * way) every half window, so the sender never has more than a window of files in flight: each
 * holds its pages, and descriptors in flight count against the sender's RLIMIT_NOFILE.
 * A memfd has no name in any file system (only "memfd:<tag>" in /proc/<pid>/fd), so nothing
 * can be left behind once the processes are gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "transport.h"

#define MEMFD_SEALS	   (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define MEMFD_WINDOW	   16u	       /* messages in flight in a stream, at most */
#define MEMFD_WINDOW_BYTES (64u << 20) /* and at most about this many bytes of them */

struct memfd_chan {
	int fd[2]; /* the seqpacket pair: [IPCB_SENDER], [IPCB_RECEIVER] */
};

struct memfd_ep {
	int sock;
	int out_fd;    /* the memfd being built (acquire -> commit) */
	void *out_map; /* its mapping */
	void *in_map;  /* the message peeked (peek -> release) */
	size_t out_len, in_len;
	uint32_t window;  /* stream: messages in flight allowed */
	uint32_t credits; /* sender: messages it may still send before waiting */
	uint32_t unacked; /* receiver: messages released and not yet credited */
	bool stream;	  /* one-way run: credits flow back */
};

static int memfd_setup(struct ipcb_chan *ch)
{
	struct memfd_chan *c = ch->priv;

	c->fd[0] = c->fd[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->fd) < 0)
		return ipcb_err(&ch->err, -errno, "socketpair(AF_UNIX, SOCK_SEQPACKET)");
	snprintf(ch->layout, sizeof(ch->layout), "a sealed memfd per message");
	return 0;
}

static void memfd_teardown(struct ipcb_chan *ch)
{
	struct memfd_chan *c = ch->priv;

	ipcb_fd_close(&c->fd[0]);
	ipcb_fd_close(&c->fd[1]);
}

static int memfd_open(struct ipcb_ep *ep)
{
	struct memfd_chan *c = ep->chan->priv;
	struct memfd_ep *me = ep->priv;
	size_t per = ep->chan->cfg.msg_bytes ? ep->chan->cfg.msg_bytes : 1;

	me->sock = c->fd[ep->role];
	c->fd[ep->role] = -1;
	ipcb_fd_close(&c->fd[!ep->role]);
	me->out_fd = -1;
	me->stream = !ep->chan->cfg.bidirectional;
	me->window = MEMFD_WINDOW_BYTES / per;
	me->window = me->window < 2 ? 2 : me->window > MEMFD_WINDOW ? MEMFD_WINDOW : me->window;
	me->credits = me->window;
	return 0;
}

static void memfd_close(struct ipcb_ep *ep)
{
	struct memfd_ep *me = ep->priv;

	if (me->out_map)
		munmap(me->out_map, me->out_len);
	if (me->in_map)
		munmap(me->in_map, me->in_len);
	me->out_map = me->in_map = NULL;
	ipcb_fd_close(&me->out_fd);
	ipcb_fd_close(&me->sock);
}

/* Sender in a stream: wait for credits when a window of messages is in flight. */
IPCB_HOT static int memfd_await_credit(struct memfd_ep *me, struct ipcb_err *e)
{
	while (me->credits == 0) {
		uint32_t n;
		ssize_t got = recv(me->sock, &n, sizeof(n), 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return ipcb_err(e, -errno, "recv(credits)");
		if (got != sizeof(n) || n == 0 || n > me->window)
			return ipcb_errf(e, -EPROTO, "recv(credits)", "a %zd-byte credit of %u",
					 got, got == sizeof(n) ? n : 0);
		me->credits += n;
	}
	return 0;
}

IPCB_HOT static int memfd_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	struct memfd_ep *me = ep->priv;
	void *p;
	int rc;

	if (me->stream && (rc = memfd_await_credit(me, &ep->err)))
		return rc;
	me->out_fd = memfd_create(ep->chan->tag, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (me->out_fd < 0)
		return ipcb_err(&ep->err, -errno, "memfd_create");
	if (ftruncate(me->out_fd, (off_t)len) < 0)
		return ipcb_errf(&ep->err, -errno, "ftruncate", "memfd of %zu bytes", len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, me->out_fd, 0);
	if (p == MAP_FAILED)
		return ipcb_errf(&ep->err, -errno, "mmap", "memfd of %zu bytes", len);
	me->out_map = p;
	me->out_len = len;
	*buf = p;
	return 1; /* a new file: nothing in it yet */
}

IPCB_HOT static int memfd_commit(struct ipcb_ep *ep, size_t len)
{
	struct memfd_ep *me = ep->priv;
	uint64_t len64 = len;
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &len64, .iov_len = sizeof(len64)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int rc = 0;

	/* F_SEAL_WRITE needs every writable mapping gone. */
	munmap(me->out_map, me->out_len);
	me->out_map = NULL;
	if (fcntl(me->out_fd, F_ADD_SEALS, MEMFD_SEALS) < 0)
		return ipcb_err(&ep->err, -errno, "fcntl(F_ADD_SEALS)");
	memset(ctl, 0, sizeof(ctl));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &me->out_fd, sizeof(int));
	while (sendmsg(me->sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR) {
			rc = ipcb_err(&ep->err, -errno, "sendmsg(SCM_RIGHTS)");
			break;
		}
	/* The message holds its own reference now; ours goes. */
	ipcb_fd_close(&me->out_fd);
	if (!rc && me->stream)
		me->credits--;
	return rc;
}

IPCB_HOT static int memfd_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	struct memfd_ep *me = ep->priv;
	uint64_t len64 = 0;
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &len64, .iov_len = sizeof(len64)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	struct stat st;
	ssize_t got;
	int fd = -1, seals, rc = 0;
	void *p;

	while ((got = recvmsg(me->sock, &mh, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return ipcb_err(&ep->err, -errno, "recvmsg(SCM_RIGHTS)");
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (got != sizeof(len64) || fd < 0 || (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		rc = ipcb_errf(&ep->err, got == 0 ? -EPIPE : -EPROTO, "recvmsg(SCM_RIGHTS)",
			       "%zd bytes, %s", got, fd < 0 ? "no descriptor" : "truncated");
		goto close_fd;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0) {
		rc = ipcb_err(&ep->err, -errno, "fcntl(F_GET_SEALS)");
		goto close_fd;
	}
	if ((seals & MEMFD_SEALS) != MEMFD_SEALS) {
		rc = ipcb_errf(&ep->err, -EPERM, "fcntl(F_GET_SEALS)",
			       "seals 0x%x: the sender could still change the message", seals);
		goto close_fd;
	}
	if (fstat(fd, &st) < 0) {
		rc = ipcb_err(&ep->err, -errno, "fstat(memfd)");
		goto close_fd;
	}
	if ((uint64_t)st.st_size != len64 || len64 == 0) {
		rc = ipcb_errf(&ep->err, -EPROTO, "fstat(memfd)", "%lld bytes, announced %llu",
			       (long long)st.st_size, (unsigned long long)len64);
		goto close_fd;
	}
	/* Private: the pages are the sender's until the receiver writes one (fault injection). */
	p = mmap(NULL, (size_t)len64, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		rc = ipcb_errf(&ep->err, -errno, "mmap", "received memfd of %llu bytes",
			       (unsigned long long)len64);
		goto close_fd;
	}
	me->in_map = p;
	me->in_len = (size_t)len64;
	*buf = p;
	*len = (size_t)len64;
close_fd:
	if (fd >= 0)
		close(fd);
	return rc;
}

IPCB_HOT static int memfd_release(struct ipcb_ep *ep)
{
	struct memfd_ep *me = ep->priv;

	munmap(me->in_map, me->in_len);
	me->in_map = NULL;
	if (me->stream && ++me->unacked >= me->window / 2) {
		uint32_t n = me->unacked;

		while (send(me->sock, &n, sizeof(n), MSG_NOSIGNAL) < 0)
			if (errno != EINTR)
				return ipcb_err(&ep->err, -errno, "send(credits)");
		me->unacked = 0;
	}
	return 0;
}

/* A copying send/recv, for completeness: a loan filled from (or read into) the caller's buffer. */
IPCB_HOT static int memfd_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	void *p;
	int rc = memfd_acquire(ep, len, &p);

	if (rc < 0)
		return rc;
	memcpy(p, buf, len);
	return memfd_commit(ep, len);
}

IPCB_HOT static int memfd_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	size_t got;
	void *p;
	int rc = memfd_peek(ep, &p, &got);

	if (rc)
		return rc;
	if (got != len) {
		memfd_release(ep);
		return ipcb_errf(&ep->err, -EPROTO, "recvmsg(SCM_RIGHTS)",
				 "a %zu-byte memfd where %zu bytes were expected", got, len);
	}
	memcpy(buf, p, len);
	return memfd_release(ep);
}

static const struct ipcb_loan_ops memfd_loans = {
    .acquire = memfd_acquire,
    .commit = memfd_commit,
    .peek = memfd_peek,
    .release = memfd_release,
};

const struct ipcb_transport ipcb_transport_memfd = {
    .name = "memfd",
    .path = IPCB_PATH_SHARED_MEMORY,
    .syscalls = {7, 6},
    .rides_on = "unix-stream",
    .summary = "a sealed memfd per message, passed over a Unix socket (SCM_RIGHTS) and mapped",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_ZEROCOPY,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct memfd_chan),
    .ep_priv_bytes = sizeof(struct memfd_ep),
    .setup = memfd_setup,
    .teardown = memfd_teardown,
    .open = memfd_open,
    .close = memfd_close,
    .send = memfd_send,
    .recv = memfd_recv,
    .loans = &memfd_loans,
};
