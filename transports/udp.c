/* SPDX-License-Identifier: MIT */
/*
 * udp - two UDP sockets on 127.0.0.1, or on each host's address between two hosts (cfg.host,
 * IPCB_CAP_NETWORK), ports chosen by the kernel, connect()ed to each other, both directions,
 * plus a credit window that keeps a sender from overrunning its receiver. Each endpoint makes
 * and binds its own sockets in open() and publishes their addresses; connect() connects them to
 * the peer's, so no socket crosses fork.
 *
 * Cost of one message: the IP and UDP layers twice and the loopback device (as tcp, but with no
 * connection state, acknowledgements or segmentation: one send() is one datagram and one skb),
 * then one copy out by recv(); and, once per half window, one 4-byte credit datagram back.
 * Limits: 65507 bytes per datagram (65535 minus the IP and UDP headers); the driver chunks larger
 * payloads.
 *
 * UDP has no flow control: a datagram that arrives while the receiver's socket buffer is full is
 * dropped, and the sender never hears of it. On loopback the sender outruns a receiver that copies
 * and checks what it gets: with an 8 MiB SO_RCVBUF, a plain one-way stream lost datagrams in half
 * the runs at 4 KiB and in every run at 64 KiB and 1 MiB, on two CPUs as on one. So, as any bulk
 * protocol over UDP must, we add the smallest flow control there is. Each endpoint takes the
 * largest SO_RCVBUF the system allows (net.core.rmem_max, doubled by the kernel) and divides half
 * of it (see udp_window) by a generous bound on what one datagram is charged there, its
 * truesize, into a window, which it publishes with its address: a sender may have that many
 * datagrams unacknowledged, and the receiver returns credits in batches of half a window over a
 * second pair of loopback UDP sockets, so credits never mix with data or echoes. A sender out of
 * credits sleeps in recv() on its credit socket. The receive buffer cannot overflow, in either
 * mode, and the measured rate is that of UDP with flow control. Should the bound ever be wrong for
 * some kernel, nothing passes silently: SO_RXQ_OVFL makes the kernel tell the receiver how many
 * datagrams it dropped along with the next one that arrives, and recv() fails with ENOBUFS naming
 * net.core.rmem_max (a lost very last message would end the run by the driver's timeout). With a
 * small rmem_max the window shrinks to a few datagrams, down to stop-and-wait, and so does the
 * rate: raise it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "msglimits.h"
#include "netsock.h"
#include "sockpair.h"
#include "transport.h"

#define UDP_MAX_PAYLOAD 65507

struct udp_ep {
	int data;	      /* this endpoint's data socket, connected to the peer's */
	int credit;	      /* and its credit socket, both ways */
	uint32_t window;      /* datagrams our receive buffer takes (published) */
	uint32_t batch;	      /* datagrams we take before we return credits */
	uint32_t peer_window; /* datagrams we may have unacknowledged at the peer */
	uint32_t credits;     /* datagrams we may still send before waiting for credits */
	uint32_t unreported;  /* datagrams received and not yet credited back */
};

/*
 * A bound on a datagram's truesize, what it is charged in the receive buffer: measured on Linux
 * 6.18, 832 bytes for a 64-byte datagram, 8448 for 4096, 16640 for 8192, 66339 for 65507.
 */
static uint64_t udp_truesize_bound(size_t len)
{
	return 2 * (uint64_t)len + 1024;
}

/* A socket bound to cfg->host (127.0.0.1 when NULL) on a free port. The fd, or -errno. */
static int udp_bound_socket(const struct ipcb_chan_cfg *cfg, union ipcb_sockaddr *addr,
			    struct ipcb_err *e)
{
	return ipcb_net_bound_socket(cfg, SOCK_DGRAM, false, addr, e);
}

/*
 * Loopback may be down or absent (a bare network namespace), or a firewall may drop its packets:
 * say so before any run. Binding alone succeeds even with the interface down, so a datagram
 * really goes from one socket to the other, waited for at most a second.
 */
static int udp_probe(struct ipcb_probe *p)
{
	const struct ipcb_chan_cfg loopback = {.host = NULL};
	union ipcb_sockaddr addr[2];
	struct ipcb_err e = {0};
	int fd[2] = {-1, -1}, rc = 0;
	const char *call = "connect";
	char byte = 1;

	for (int i = 0; i < 2; i++) {
		fd[i] = udp_bound_socket(&loopback, &addr[i], &e);
		if (fd[i] < 0) {
			rc = fd[i];
			call = e.call;
			goto out;
		}
	}
	if (connect(fd[0], &addr[1].sa, ipcb_net_len(&addr[1])) < 0) {
		rc = -errno;
		goto out;
	}
	call = "send";
	if (send(fd[0], &byte, 1, MSG_NOSIGNAL) < 0) {
		rc = -errno;
		goto out;
	}
	{
		struct pollfd pfd = {.fd = fd[1], .events = POLLIN};
		int n = poll(&pfd, 1, 1000);

		call = "recv";
		if (n <= 0)
			rc = n == 0 ? -ETIMEDOUT : -errno;
		else if (recv(fd[1], &byte, 1, MSG_DONTWAIT) < 0)
			rc = -errno;
	}
out:
	if (rc)
		snprintf(p->reason, sizeof(p->reason), "%s(UDP, 127.0.0.1): %s%s", call,
			 strerror(-rc),
			 rc == -ENETUNREACH || rc == -EADDRNOTAVAIL || rc == -ETIMEDOUT
			     ? " (is the loopback interface down? ip link set lo up)"
			     : "");
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return rc;
}

/* What an endpoint publishes: where its data and its credits go, and its receive window. */
struct udp_addr {
	union ipcb_sockaddr data, credit;
	uint32_t window; /* datagrams its receive buffer takes: what a peer may have in flight */
};

/* The window a receive buffer of rcvbuf bytes gives for datagrams of msg_bytes. */
static uint32_t udp_window(int rcvbuf, size_t msg_bytes)
{
	/*
	 * Half the buffer: UDP returns the memory of datagrams already read to the socket lazily,
	 * once a quarter of the buffer's worth has built up, so a quarter may be charged for
	 * nothing; the last quarter is margin. Even a receive buffer too small for this estimate
	 * takes one datagram when it is empty.
	 */
	uint64_t window = (uint64_t)rcvbuf / 2 / udp_truesize_bound(msg_bytes);

	return window > 0 ? (uint32_t)(window < UINT32_MAX ? window : UINT32_MAX) : 1;
}

/*
 * What the channel holds for messages in flight: both endpoints' data sockets' send and receive
 * buffers, raised as open() raises them. The sockets themselves are the endpoints' own.
 */
static int udp_setup(struct ipcb_chan *ch)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return ipcb_err(&ch->err, -errno, "socket");
	rc = ipcb_sockbuf_raise(fd, SO_RCVBUF, NULL, &ch->err);
	if (!rc)
		rc = ipcb_sockbuf_raise(fd, SO_SNDBUF, NULL, &ch->err);
	if (!rc)
		ch->buffer_bytes = 2 * ipcb_sock_buffer_bytes(fd);
	close(fd);
	return rc;
}

static void udp_teardown(struct ipcb_chan *ch)
{
	(void)ch; /* the sockets were the endpoints' own */
}

/*
 * Each endpoint binds its own data and credit sockets to 127.0.0.1 on ports the kernel picks,
 * raises the data socket's buffers, and publishes both addresses and the window its receive
 * buffer gives; connect() then connects them to the peer's.
 */
static int udp_open(struct ipcb_ep *ep)
{
	struct udp_ep *e = ep->priv;
	struct udp_addr a;
	int rcvbuf = 0, one = 1, rc;

	e->data = e->credit = -1;
	memset(&a, 0, sizeof(a));
	e->data = udp_bound_socket(&ep->chan->cfg, &a.data, &ep->err);
	if (e->data < 0)
		return e->data;
	e->credit = udp_bound_socket(&ep->chan->cfg, &a.credit, &ep->err);
	if (e->credit < 0)
		return e->credit;
	rc = ipcb_sockbuf_raise(e->data, SO_RCVBUF, &rcvbuf, &ep->err);
	if (!rc)
		rc = ipcb_sockbuf_raise(e->data, SO_SNDBUF, NULL, &ep->err);
	if (rc)
		return rc;
	if (setsockopt(e->data, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		return ipcb_err(&ep->err, -errno, "setsockopt(SO_RXQ_OVFL)");
	e->window = udp_window(rcvbuf, ep->chan->cfg.msg_bytes);
	e->batch = e->window / 2 > 0 ? e->window / 2 : 1;
	e->unreported = 0;
	a.window = e->window;
	ep->addr.len = sizeof(a);
	memcpy(ep->addr.bytes, &a, sizeof(a));
	return 0;
}

/* Connected: datagrams from anyone but the peer are not ours to read. */
static int udp_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct udp_ep *e = ep->priv;
	const struct ipcb_addr *pa =
	    ep->role == IPCB_SENDER ? &peers->receiver[0] : &peers->sender[0];
	struct udp_addr a;
	union ipcb_sockaddr data, credit;

	if (pa->len != sizeof(a))
		return ipcb_errf(&ep->err, -EPROTO, "connect",
				 "the peer published a %u-byte address", pa->len);
	memcpy(&a, pa->bytes, sizeof(a));
	/* What came over the network is checked before it is used as a socket address. */
	if (ipcb_net_peer(&a.data, ipcb_net_len(&a.data), &data, &ep->err) ||
	    ipcb_net_peer(&a.credit, ipcb_net_len(&a.credit), &credit, &ep->err) || a.window == 0)
		return ipcb_errf(&ep->err, -EPROTO, "connect",
				 "the peer published an address that is not one");
	if (connect(e->data, &data.sa, ipcb_net_len(&data)) < 0 ||
	    connect(e->credit, &credit.sa, ipcb_net_len(&credit)) < 0)
		return ipcb_err(&ep->err, -errno, "connect");
	e->credits = a.window;
	e->peer_window = a.window;
	return 0;
}

static void udp_close(struct ipcb_ep *ep)
{
	struct udp_ep *e = ep->priv;

	ipcb_fd_close(&e->data);
	ipcb_fd_close(&e->credit);
}

IPCB_HOT static int udp_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct udp_ep *e = ep->priv;
	int rc;

	while (e->credits == 0) {
		uint32_t n;
		ssize_t got = recv(e->credit, &n, sizeof(n), MSG_TRUNC);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(&ep->err, -errno, "recv(credit)");
		}
		if (got != sizeof(n) || n == 0 || n > e->peer_window)
			return ipcb_errf(&ep->err, -EBADMSG, "recv(credit)",
					 "credit datagram of %zd bytes granting %u", got,
					 got == sizeof(n) ? n : 0);
		e->credits = n;
	}
	rc = ipcb_sock_send_all(e->data, buf, len, false, &ep->err);
	if (!rc)
		e->credits--;
	return rc;
}

/* The kernel's count of datagrams this socket dropped, when it attached one (only if non-zero). */
IPCB_HOT static uint32_t udp_drops(struct msghdr *mh)
{
	uint32_t drops = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL)
			memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
	return drops;
}

/* Every half window, tell the peer how many datagrams left our receive buffer. */
IPCB_HOT static int udp_credit_back(struct ipcb_ep *ep, struct udp_ep *e)
{
	if (++e->unreported < e->batch)
		return 0;
	while (send(e->credit, &e->unreported, sizeof(e->unreported), MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		/*
		 * The peer has closed its credit socket (an earlier credit came back as port
		 * unreachable): it sends nothing more, so it needs no credits. Its last replies
		 * may still be read after its side ended; a peer that died instead is the
		 * driver's to report, by its side's end.
		 */
		if (errno == ECONNREFUSED)
			break;
		return ipcb_err(&ep->err, -errno, "send(credit)");
	}
	e->unreported = 0;
	return 0;
}

IPCB_HOT static int udp_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct udp_ep *e = ep->priv;
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh;
	uint32_t drops;
	ssize_t n;

	do {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		/* MSG_TRUNC: a longer datagram reports its real length instead of being cut. */
		n = recvmsg(e->data, &mh, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return ipcb_err(&ep->err, -errno, "recvmsg");
	drops = udp_drops(&mh);
	if (drops)
		return ipcb_errf(&ep->err, -ENOBUFS, "recvmsg",
				 "the kernel dropped %u datagram(s) on a full receive buffer; "
				 "raise net.core.rmem_max",
				 drops);
	if ((size_t)n != len)
		return ipcb_errf(&ep->err, -EBADMSG, "recvmsg",
				 "datagram of %zd bytes where %zu were expected", n, len);
	return udp_credit_back(ep, e);
}

const struct ipcb_transport ipcb_transport_udp = {
    .name = "udp",
    .path = IPCB_PATH_NETWORK_STACK,
    .syscalls = {1, 1},
    .summary = "UDP, two connected sockets (loopback, or two hosts), with a credit window so a "
	       "stream never overruns the receive buffer (net.core.rmem_max)",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX | IPCB_CAP_NETWORK,
    .max_msg_bytes = UDP_MAX_PAYLOAD,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .ep_priv_bytes = sizeof(struct udp_ep),
    .probe = udp_probe,
    .setup = udp_setup,
    .teardown = udp_teardown,
    .open = udp_open,
    .connect = udp_connect,
    .close = udp_close,
    .send = udp_send,
    .recv = udp_recv,
};
