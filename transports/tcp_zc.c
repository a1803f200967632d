/* SPDX-License-Identifier: MIT */
/*
 * tcp-zc - tcp (one connection, TCP_NODELAY; loopback or two hosts) whose sender passes
 * MSG_ZEROCOPY: the kernel takes references to the sender's pages instead of copying them into
 * socket buffers, and says on the socket's error queue when it no longer needs them.
 *
 * The sender builds each message in one of a small pool of page-aligned buffers (zero-copy
 * loans, transport.h: acquire lends the next one, commit sends it with MSG_ZEROCOPY); a buffer
 * is lent again only once the completion for every send() that used it has been drained from
 * the error queue (recvmsg MSG_ERRQUEUE: a range of send calls per notification). The receiver
 * recv()s into its own buffer, as tcp does.
 *
 * On loopback the kernel copies anyway: a packet delivered to a local socket cannot keep
 * referencing the sender's pages (they could change under the receiver), so they are copied
 * when the packet is looped back, and each completion carries SO_EE_CODE_ZEROCOPY_COPIED. The
 * sender then pays for pinning the pages, the completion and its notification on top of the
 * copy. The endpoints count the sends the kernel reported copied, and the row's `channel`
 * says how many of how many: the zero-copy path is measured as it behaves here, not as it
 * would on a network card.
 *
 * Cost of one message: as tcp, plus page pinning, one completion per send call and a
 * recvmsg(MSG_ERRQUEUE) per few messages on the sender; the copy to the receiver's socket
 * (loopback) and one out by recv().
 * Limits: none per message (pool: 2 to 8 page-rounded buffers per sending side, about 16 MiB
 * unless one message is larger); Linux 4.14 or later (SO_ZEROCOPY); the sender's locked pages
 * count against net.core.optmem_max (ENOBUFS: completions are drained and the send retried).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "netsock.h"
#include "sockpair.h"
#include "transport.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

#define TCP_ZC_MAX_BUFS 8u
#define TCP_ZC_BUDGET	(16u << 20)

/* What the endpoints saw, for the row: send calls completed, and how many the kernel copied. */
struct tcp_zc_stats {
	uint64_t completed, copied;
};

struct tcp_zc_chan {
	struct tcp_zc_stats *stats; /* shared, added to by each endpoint at close */
	unsigned nbufs;
	size_t buf_bytes;
};

struct tcp_zc_ep {
	int fd, lfd;
	unsigned char *pool, *land;
	size_t pool_bytes, land_bytes;
	uint32_t sent;	/* messages committed */
	uint32_t calls; /* send calls made with MSG_ZEROCOPY (the kernel's ids) */
	uint32_t done;	/* send calls completed: ids below this one */
	uint32_t last_call[TCP_ZC_MAX_BUFS]; /* per pool buffer: the id its last send ends before */
	uint64_t completed, copied;
};

static int tcp_zc_probe(struct ipcb_probe *p)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, rc = 0;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0) {
		rc = -errno;
		snprintf(p->reason, sizeof(p->reason), "%s: %s%s",
			 fd < 0 ? "socket(TCP)" : "setsockopt(SO_ZEROCOPY)", strerror(-rc),
			 fd >= 0 ? " (MSG_ZEROCOPY needs Linux 4.14 or later)" : "");
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int tcp_zc_setup(struct ipcb_chan *ch)
{
	struct tcp_zc_chan *c = ch->priv;
	size_t per = (ch->cfg.msg_bytes + 4095) & ~(size_t)4095;
	size_t n = TCP_ZC_BUDGET / (per ? per : 4096);
	int rc;

	c->buf_bytes = per ? per : 4096;
	c->nbufs = n < 2 ? 2 : n > TCP_ZC_MAX_BUFS ? TCP_ZC_MAX_BUFS : (unsigned)n;
	rc = ipcb_map_shared_anon(sizeof(*c->stats), (void **)&c->stats, &ch->err);
	if (rc)
		return rc;
	snprintf(ch->layout, sizeof(ch->layout), "MSG_ZEROCOPY from a pool of %u", c->nbufs);
	return 0;
}

/* The row's channel: how many of the zero-copy sends the kernel reported it copied. */
static void tcp_zc_teardown(struct ipcb_chan *ch)
{
	struct tcp_zc_chan *c = ch->priv;

	if (!c->stats)
		return;
	if (c->stats->completed) {
		/* Short enough for the layout's 63 characters with any count a run reaches. */
		snprintf(
		    ch->layout, sizeof(ch->layout), "MSG_ZEROCOPY: %llu of %llu sends copied%s",
		    (unsigned long long)c->stats->copied, (unsigned long long)c->stats->completed,
		    c->stats->copied == c->stats->completed && !ch->cfg.host ? " (loopback)" : "");
		ch->zc_sends = c->stats->completed;
		ch->zc_copied = c->stats->copied;
	}
	munmap(c->stats, sizeof(*c->stats));
	c->stats = NULL;
}

static int tcp_zc_open(struct ipcb_ep *ep)
{
	const struct tcp_zc_chan *c = ep->chan->priv;
	struct tcp_zc_ep *me = ep->priv;
	union ipcb_sockaddr addr;
	int fd;
	void *p;

	me->fd = me->lfd = -1;
	fd = ipcb_net_bound_socket(&ep->chan->cfg, SOCK_STREAM, ep->role == IPCB_RECEIVER, &addr,
				   &ep->err);
	if (fd < 0)
		return fd;
	*(ep->role == IPCB_RECEIVER ? &me->lfd : &me->fd) = fd;
	ipcb_net_publish(&ep->addr, &addr);
	me->pool_bytes = c->nbufs * c->buf_bytes;
	me->land_bytes = c->buf_bytes;
	p = mmap(NULL, me->pool_bytes + me->land_bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ipcb_errf(&ep->err, -errno, "mmap", "%zu bytes of buffers",
				 me->pool_bytes + me->land_bytes);
	me->pool = p;
	me->land = me->pool + me->pool_bytes;
	return 0;
}

/* As tcp: the sender connects; the receiver accepts only the sender's published address. */
static int tcp_zc_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct tcp_zc_ep *me = ep->priv;
	const struct ipcb_addr *pa =
	    ep->role == IPCB_SENDER ? &peers->receiver[0] : &peers->sender[0];
	union ipcb_sockaddr peer;
	int one = 1;
	int rc = ipcb_net_peer(pa->bytes, pa->len, &peer, &ep->err);

	if (rc)
		return rc;
	if (ep->role == IPCB_SENDER) {
		while (connect(me->fd, &peer.sa, ipcb_net_len(&peer)) < 0)
			if (errno != EINTR)
				return ipcb_err(&ep->err, -errno, "connect");
	} else {
		me->fd = ipcb_net_accept_from(me->lfd, &peer, &ep->err);
		if (me->fd < 0)
			return me->fd;
		ipcb_fd_close(&me->lfd);
	}
	if (setsockopt(me->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ipcb_err(&ep->err, -errno, "setsockopt(TCP_NODELAY)");
	if (setsockopt(me->fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0)
		return ipcb_err(&ep->err, -errno, "setsockopt(SO_ZEROCOPY)");
	return 0;
}

/*
 * Take the completions the error queue holds; with `wait`, sleep (poll for POLLERR) until at
 * least one more send call has completed than before.
 */
IPCB_HOT static int tcp_zc_drain(struct tcp_zc_ep *me, bool wait, struct ipcb_err *e)
{
	uint32_t before = me->done;

	for (;;) {
		char ctl[CMSG_SPACE(sizeof(struct sock_extended_err) + 64)];
		struct msghdr mh = {.msg_control = ctl, .msg_controllen = sizeof(ctl)};
		struct cmsghdr *cm;

		if (recvmsg(me->fd, &mh, MSG_ERRQUEUE) < 0) {
			struct pollfd pfd = {.fd = me->fd, .events = 0};

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return ipcb_err(e, -errno, "recvmsg(MSG_ERRQUEUE)");
			if (!wait || me->done != before)
				return 0;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return ipcb_err(e, -errno, "poll(POLLERR)");
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct sock_extended_err ee;

			if (!(cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee.ee_errno != 0)
				return ipcb_errf(e, -(ee.ee_errno ? (int)ee.ee_errno : EPROTO),
						 "recvmsg(MSG_ERRQUEUE)",
						 "origin %u: not a zero-copy completion",
						 ee.ee_origin);
			/* Send calls ee_info..ee_data (inclusive) are done with our pages. */
			me->completed += ee.ee_data - ee.ee_info + 1u;
			if (ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				me->copied += ee.ee_data - ee.ee_info + 1u;
			if ((int32_t)(ee.ee_data + 1u - me->done) > 0)
				me->done = ee.ee_data + 1u;
		}
	}
}

static void tcp_zc_close(struct ipcb_ep *ep)
{
	const struct tcp_zc_chan *c = ep->chan->priv;
	struct tcp_zc_ep *me = ep->priv;
	struct timespec nap = {0, 100000};

	/* Collect the last completions (two seconds at most) before the counts go to the row. */
	for (int i = 0; me->fd >= 0 && me->done != me->calls && i < 20000; i++) {
		if (tcp_zc_drain(me, false, &ep->err) < 0)
			break;
		if (me->done != me->calls)
			nanosleep(&nap, NULL);
	}
	if (c->stats && me->completed) {
		__atomic_fetch_add(&c->stats->completed, me->completed, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->stats->copied, me->copied, __ATOMIC_RELAXED);
	}
	ipcb_fd_close(&me->fd);
	ipcb_fd_close(&me->lfd);
	if (me->pool)
		munmap(me->pool, me->pool_bytes + me->land_bytes);
	me->pool = me->land = NULL;
}

IPCB_HOT static int tcp_zc_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	const struct tcp_zc_chan *c = ep->chan->priv;
	struct tcp_zc_ep *me = ep->priv;
	unsigned k = me->sent % c->nbufs;

	if (len > c->buf_bytes)
		return ipcb_errf(&ep->err, -EMSGSIZE, "acquire", "%zu bytes, buffers of %zu", len,
				 c->buf_bytes);
	/* The buffer's pages are ours again once every send call that used them completed. */
	while (me->sent >= c->nbufs && (int32_t)(me->last_call[k] - me->done) > 0) {
		int rc = tcp_zc_drain(me, true, &ep->err);

		if (rc)
			return rc;
	}
	*buf = me->pool + (size_t)k * c->buf_bytes;
	return me->sent < c->nbufs;
}

IPCB_HOT static int tcp_zc_commit(struct ipcb_ep *ep, size_t len)
{
	const struct tcp_zc_chan *c = ep->chan->priv;
	struct tcp_zc_ep *me = ep->priv;
	unsigned k = me->sent % c->nbufs;
	const unsigned char *p = me->pool + (size_t)k * c->buf_bytes;

	while (len > 0) {
		ssize_t n = send(me->fd, p, len, MSG_ZEROCOPY | MSG_NOSIGNAL);
		int rc;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* Too many pages pinned (optmem): let completions free some, then retry. */
			if (errno == ENOBUFS && me->done != me->calls) {
				rc = tcp_zc_drain(me, true, &ep->err);
				if (rc)
					return rc;
				continue;
			}
			return ipcb_err(&ep->err, -errno, "send(MSG_ZEROCOPY)");
		}
		me->calls++; /* every send that queued data has a completion id */
		p += n;
		len -= (size_t)n;
	}
	me->last_call[k] = me->calls;
	me->sent++;
	/* Take what has completed meanwhile, so the queue never grows long. */
	return tcp_zc_drain(me, false, &ep->err);
}

IPCB_HOT static int tcp_zc_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	struct tcp_zc_ep *me = ep->priv;
	size_t n = ep->chan->cfg.msg_bytes;
	int rc = ipcb_sock_recv_all(me->fd, me->land, n, true, &ep->err);

	if (rc)
		return rc;
	*buf = me->land;
	*len = n;
	return 0;
}

IPCB_HOT static int tcp_zc_release(struct ipcb_ep *ep)
{
	(void)ep; /* the next recv overwrites the buffer */
	return 0;
}

/* send/recv: a loan filled from (or copied out to) the caller's buffer. */
IPCB_HOT static int tcp_zc_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	void *p = NULL;
	int rc = tcp_zc_acquire(ep, len, &p);

	if (rc < 0)
		return rc;
	memcpy(p, buf, len);
	return tcp_zc_commit(ep, len);
}

IPCB_HOT static int tcp_zc_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct tcp_zc_ep *me = ep->priv;

	return ipcb_sock_recv_all(me->fd, buf, len, true, &ep->err);
}

static const struct ipcb_loan_ops tcp_zc_loans = {
    .acquire = tcp_zc_acquire,
    .commit = tcp_zc_commit,
    .peek = tcp_zc_peek,
    .release = tcp_zc_release,
};

const struct ipcb_transport ipcb_transport_tcp_zc = {
    .name = "tcp-zc",
    .path = IPCB_PATH_NETWORK_STACK,
    .syscalls = {1, 1},
    .rides_on = "tcp",
    .summary = "tcp with MSG_ZEROCOPY sends (on loopback the kernel copies anyway: see channel)",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_ZEROCOPY | IPCB_CAP_NETWORK,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct tcp_zc_chan),
    .ep_priv_bytes = sizeof(struct tcp_zc_ep),
    .probe = tcp_zc_probe,
    .setup = tcp_zc_setup,
    .teardown = tcp_zc_teardown,
    .open = tcp_zc_open,
    .connect = tcp_zc_connect,
    .close = tcp_zc_close,
    .send = tcp_zc_send,
    .recv = tcp_zc_recv,
    .loans = &tcp_zc_loans,
};
