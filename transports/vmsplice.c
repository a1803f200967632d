/* SPDX-License-Identifier: MIT */
/*
 * vmsplice - a pipe per direction, into which the sender vmsplice()s the pages it built the
 * message in, and out of which the receiver read()s it: the pipe holds references to the
 * sender's own pages, not a copy of them.
 *
 * The sender builds each message in one of a small pool of page-aligned buffers (zero-copy
 * loans, transport.h: acquire lends the next pool buffer, commit splices it). A spliced page
 * stays the sender's memory until the reader has copied it out: a sender that wrote into it
 * earlier would change a message already "sent" (tests/transport/test_vmsplice.c shows the
 * kernel does exactly that). So the reader publishes how many messages it has read in full, in
 * a counter both map, and the sender takes a pool buffer back only when the message that last
 * used it has been read; it sleeps on that counter's futex when the whole pool is in flight.
 *
 * Cost of one message: no copy on the sending side (the kernel takes a reference to each page
 * and queues it in the pipe, 16 pages per default 64 KiB pipe), one copy by read() on the
 * receiving side; wake-ups as a pipe has them (a message larger than the pipe goes in several
 * rounds), plus a futex wake when the sender waits for a buffer.
 * Limits: none per message (pool: 2 to 8 page-rounded buffers per sending side, about 16 MiB
 * unless one message is larger). The receiver reads exactly the size the run sends (a pipe
 * keeps no boundaries).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"
#include "transport.h"

#define VMSPLICE_MAX_BUFS 8u
#define VMSPLICE_BUDGET	  (16u << 20)

/* One direction's count of messages read in full, in memory both sides map. */
struct vmsplice_dir {
	_Alignas(64) uint32_t consumed;
	uint32_t writer_waiting;
};

struct vmsplice_chan {
	int fd[2][2]; /* [direction][0 read end, 1 write end]; direction 0 = sender -> receiver */
	struct vmsplice_dir *dir;
	unsigned ndirs, nbufs;
	size_t buf_bytes;
};

struct vmsplice_ep {
	int rfd, wfd;
	unsigned char *pool, *land;
	size_t pool_bytes, land_bytes;
	uint32_t sent, received, consumed_seen;
};

static int vmsplice_setup(struct ipcb_chan *ch)
{
	struct vmsplice_chan *c = ch->priv;
	size_t per = (ch->cfg.msg_bytes + 4095) & ~(size_t)4095;
	size_t n = VMSPLICE_BUDGET / (per ? per : 4096);
	int rc;

	for (int d = 0; d < 2; d++)
		c->fd[d][0] = c->fd[d][1] = -1;
	c->ndirs = ch->cfg.bidirectional ? 2 : 1;
	c->buf_bytes = per ? per : 4096;
	c->nbufs = n < 2 ? 2 : n > VMSPLICE_MAX_BUFS ? VMSPLICE_MAX_BUFS : (unsigned)n;
	rc = ipcb_map_shared_anon(c->ndirs * sizeof(struct vmsplice_dir), (void **)&c->dir,
				  &ch->err);
	if (rc)
		return rc;
	for (unsigned d = 0; d < c->ndirs; d++) {
		if (pipe2(c->fd[d], O_CLOEXEC) < 0)
			return ipcb_err(&ch->err, -errno, "pipe2");
		ch->buffer_bytes += ipcb_pipe_buffer_bytes(c->fd[d][1]);
	}
	snprintf(ch->layout, sizeof(ch->layout),
		 "one copy (read) of pages spliced from a pool of %u", c->nbufs);
	return 0;
}

static void vmsplice_teardown(struct ipcb_chan *ch)
{
	struct vmsplice_chan *c = ch->priv;

	for (int d = 0; d < 2; d++) {
		ipcb_fd_close(&c->fd[d][0]);
		ipcb_fd_close(&c->fd[d][1]);
	}
	if (c->dir)
		munmap(c->dir, c->ndirs * sizeof(struct vmsplice_dir));
	c->dir = NULL;
}

static int vmsplice_open(struct ipcb_ep *ep)
{
	struct vmsplice_chan *c = ep->chan->priv;
	struct vmsplice_ep *me = ep->priv;
	int out = ep->role == IPCB_SENDER ? 0 : 1;
	void *p;

	/* Keep this side's ends (write out, read in), close the other two. */
	me->wfd = c->fd[out][1];
	me->rfd = c->fd[!out][0];
	c->fd[out][1] = c->fd[!out][0] = -1;
	ipcb_fd_close(&c->fd[out][0]);
	ipcb_fd_close(&c->fd[!out][1]);
	if (me->wfd >= 0) {
		me->pool_bytes = c->nbufs * c->buf_bytes;
		p = mmap(NULL, me->pool_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return ipcb_errf(&ep->err, -errno, "mmap", "a pool of %zu bytes",
					 me->pool_bytes);
		me->pool = p;
	}
	if (me->rfd >= 0) {
		me->land_bytes = c->buf_bytes;
		p = mmap(NULL, me->land_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return ipcb_errf(&ep->err, -errno, "mmap", "a %zu-byte buffer",
					 me->land_bytes);
		me->land = p;
	}
	return 0;
}

static void vmsplice_close(struct ipcb_ep *ep)
{
	struct vmsplice_ep *me = ep->priv;

	/* Pages still in the pipe keep their own references: unmapping ours loses nothing. */
	if (me->pool)
		munmap(me->pool, me->pool_bytes);
	if (me->land)
		munmap(me->land, me->land_bytes);
	me->pool = me->land = NULL;
	ipcb_fd_close(&me->rfd);
	ipcb_fd_close(&me->wfd);
}

IPCB_HOT static int vmsplice_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	const struct vmsplice_chan *c = ep->chan->priv;
	struct vmsplice_ep *me = ep->priv;
	struct vmsplice_dir *d = &c->dir[ep->role == IPCB_SENDER ? 0 : 1];

	if (len > c->buf_bytes)
		return ipcb_errf(&ep->err, -EMSGSIZE, "acquire", "%zu bytes, buffers of %zu", len,
				 c->buf_bytes);
	/* Buffer sent % nbufs is free once the message nbufs before was read in full. */
	while (me->sent - me->consumed_seen >= c->nbufs) {
		uint32_t v = __atomic_load_n(&d->consumed, __ATOMIC_ACQUIRE);
		int rc = 0;

		if (me->sent - v < c->nbufs) {
			me->consumed_seen = v;
			break;
		}
		/* Raise the flag, look again, sleep: the reader wakes us only when it is up. */
		__atomic_store_n(&d->writer_waiting, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&d->consumed, __ATOMIC_ACQUIRE) == v)
			rc = ipcb_futex_wait(&d->consumed, v);
		__atomic_store_n(&d->writer_waiting, 0, __ATOMIC_RELAXED);
		if (rc < 0)
			return ipcb_err(&ep->err, rc, "futex_wait");
	}
	*buf = me->pool + (size_t)(me->sent % c->nbufs) * c->buf_bytes;
	return me->sent < c->nbufs;
}

IPCB_HOT static int vmsplice_commit(struct ipcb_ep *ep, size_t len)
{
	const struct vmsplice_chan *c = ep->chan->priv;
	struct vmsplice_ep *me = ep->priv;
	unsigned char *p = me->pool + (size_t)(me->sent % c->nbufs) * c->buf_bytes;

	while (len > 0) {
		struct iovec iov = {.iov_base = p, .iov_len = len};
		ssize_t n = vmsplice(me->wfd, &iov, 1, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(&ep->err, -errno, "vmsplice");
		}
		p += n;
		len -= (size_t)n;
	}
	me->sent++;
	return 0;
}

IPCB_HOT static int vmsplice_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	const struct vmsplice_chan *c = ep->chan->priv;
	struct vmsplice_ep *me = ep->priv;
	struct vmsplice_dir *d = &c->dir[ep->role == IPCB_SENDER ? 1 : 0];
	size_t n = ep->chan->cfg.msg_bytes;
	int rc = ipcb_fd_read_full(me->rfd, me->land, n, &ep->err, "read");

	if (rc)
		return rc;
	/* Every page of this message is copied out: the sender may write into them again. */
	me->received++;
	__atomic_store_n(&d->consumed, me->received, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&d->writer_waiting, __ATOMIC_RELAXED)) {
		rc = ipcb_futex_wake(&d->consumed, 1);
		if (rc < 0)
			return ipcb_err(&ep->err, rc, "futex_wake");
	}
	*buf = me->land;
	*len = n;
	return 0;
}

IPCB_HOT static int vmsplice_release(struct ipcb_ep *ep)
{
	(void)ep; /* the pages went back as soon as they were read (peek) */
	return 0;
}

/* send/recv: a loan filled from (or copied out to) the caller's buffer. */
IPCB_HOT static int vmsplice_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	void *p = NULL;
	int rc = vmsplice_acquire(ep, len, &p);

	if (rc < 0)
		return rc;
	memcpy(p, buf, len);
	return vmsplice_commit(ep, len);
}

IPCB_HOT static int vmsplice_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	size_t got = 0;
	void *p = NULL;
	int rc = vmsplice_peek(ep, &p, &got);

	if (rc)
		return rc;
	memcpy(buf, p, len < got ? len : got);
	return 0;
}

static const struct ipcb_loan_ops vmsplice_loans = {
    .acquire = vmsplice_acquire,
    .commit = vmsplice_commit,
    .peek = vmsplice_peek,
    .release = vmsplice_release,
};

const struct ipcb_transport ipcb_transport_vmsplice = {
    .name = "vmsplice",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .rides_on = "pipe",
    .summary = "the sender's pages vmsplice()d into a pipe, read() out by the receiver",
    .caps = IPCB_CAP_ZEROCOPY,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct vmsplice_chan),
    .ep_priv_bytes = sizeof(struct vmsplice_ep),
    .setup = vmsplice_setup,
    .teardown = vmsplice_teardown,
    .open = vmsplice_open,
    .close = vmsplice_close,
    .send = vmsplice_send,
    .recv = vmsplice_recv,
    .loans = &vmsplice_loans,
};
