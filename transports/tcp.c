/* SPDX-License-Identifier: MIT */
/*
 * tcp - one TCP connection with TCP_NODELAY, both directions: over loopback (127.0.0.1), or
 * between two hosts (the driver's cfg.host, IPCB_CAP_NETWORK).
 *
 * Cost of one message: the full TCP/IP stack twice (segmentation, headers, loopback device,
 * softirq receive path, ACKs), where unix-stream queues the data on the peer directly.
 * TCP_NODELAY keeps Nagle's algorithm from holding small messages back for an ACK.
 * Limits: none per message (a byte stream).
 *
 * Each endpoint makes its own socket in open(), so none crosses fork: the receiver listens on
 * its host's address (127.0.0.1, or cfg.host) and a port the kernel picks (concurrent runs never
 * collide), the sender binds its socket to its own host's address and a port of its own; both
 * publish their address. In connect() the sender connects to the receiver's, and the receiver
 * accepts only the connection that comes from the sender's published address and closes its
 * listening socket.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_data_segs_out, which glibc's lacks */
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netsock.h"
#include "sockpair.h"
#include "transport.h"

/*
 * What a user of TCP tunes: the socket buffers (fixed ones turn off the kernel's autotuning,
 * net.ipv4.tcp_wmem/rmem), and how much each send() hands the kernel. The receiver's are set on
 * its listening socket, which the accepted connection inherits.
 */
enum { TCP_OPT_SNDBUF, TCP_OPT_RCVBUF, TCP_OPT_WRITE };

static const struct ipcb_option tcp_options[] = {
    {.key = "sndbuf",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     .tune = "4194304",
     .help = "each end's send buffer in bytes (SO_SNDBUF; past net.core.wmem_max as root, "
	     "SO_SNDBUFFORCE); 0: the kernel's, autotuned"},
    {.key = "rcvbuf",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     .help = "each end's receive buffer in bytes (SO_RCVBUF; past net.core.rmem_max as root, "
	     "SO_RCVBUFFORCE); 0: the kernel's, autotuned"},
    {.key = "write",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     .tune = "65536",
     .per_call = true,
     .help = "bytes handed to each send(): a message is sent in pieces this large; 0: the "
	     "whole message in one call"},
    {.key = NULL},
};

struct tcp_ep {
	int fd;	      /* the connection */
	int lfd;      /* the receiver's listening socket, until it has accepted */
	size_t piece; /* -o tcp.write, 0: whole */
};

static int tcp_nodelay(int fd, struct ipcb_err *e)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ipcb_err(e, -errno, "setsockopt(TCP_NODELAY)");
	return 0;
}

/*
 * Can a connection to 127.0.0.1 be made here? The loopback interface may be down or missing (a
 * fresh network namespace) or a firewall may drop its packets: that is said before any run, not
 * found out by every run. A real bind, listen and connect, bounded by a second.
 */
static int tcp_probe(struct ipcb_probe *p)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr), elen = sizeof(int);
	const char *call = "socket";
	int lfd, cfd = -1, rc = 0, soerr = 0;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		goto fail;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	call = "bind";
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	call = "listen";
	if (listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		goto fail;
	call = "socket";
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (cfd < 0)
		goto fail;
	call = "connect";
	if (connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		struct pollfd pfd = {.fd = cfd, .events = POLLOUT};
		int n;

		if (errno != EINPROGRESS)
			goto fail;
		n = poll(&pfd, 1, 1000);
		if (n == 0)
			errno = ETIMEDOUT;
		if (n <= 0 || getsockopt(cfd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
			goto fail;
		if (soerr) {
			errno = soerr;
			goto fail;
		}
	}
	goto close_fds;
fail:
	rc = -errno;
	snprintf(p->reason, sizeof(p->reason), "%s(TCP, 127.0.0.1): %s%s", call, strerror(-rc),
		 rc == -ENETUNREACH || rc == -EADDRNOTAVAIL || rc == -ETIMEDOUT
		     ? " (is the loopback interface down? ip link set lo up)"
		     : "");
close_fds:
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	return rc;
}

/*
 * What the channel holds for messages in flight: both ends' send and receive buffers, as a
 * fresh TCP socket here starts them (TCP autotunes them up to net.ipv4.tcp_wmem/rmem).
 */
static int tcp_setup(struct ipcb_chan *ch)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return ipcb_err(&ch->err, -errno, "socket");
	ch->buffer_bytes = 2 * ipcb_sock_buffer_bytes(fd);
	close(fd);
	return 0;
}

static void tcp_teardown(struct ipcb_chan *ch)
{
	(void)ch; /* the sockets were the endpoints' own */
}

static int tcp_open(struct ipcb_ep *ep)
{
	struct tcp_ep *te = ep->priv;
	union ipcb_sockaddr addr;
	int fd;

	te->fd = te->lfd = -1;
	fd = ipcb_net_bound_socket(&ep->chan->cfg, SOCK_STREAM, ep->role == IPCB_RECEIVER, &addr,
				   &ep->err);
	if (fd < 0)
		return fd;
	*(ep->role == IPCB_RECEIVER ? &te->lfd : &te->fd) = fd;
	te->piece = (size_t)ipcb_opt(&ep->chan->cfg, TCP_OPT_WRITE);
	if (ipcb_sock_set_buffer(fd, false, ipcb_opt(&ep->chan->cfg, TCP_OPT_SNDBUF), &ep->err,
				 "-o tcp.sndbuf") ||
	    ipcb_sock_set_buffer(fd, true, ipcb_opt(&ep->chan->cfg, TCP_OPT_RCVBUF), &ep->err,
				 "-o tcp.rcvbuf"))
		return ep->err.code;
	ipcb_net_publish(&ep->addr, &addr);
	return 0;
}

/*
 * The sender connects to the receiver's published address; the receiver accepts only the
 * connection from the sender's (ipcb_net_accept_from: a stranger may reach the port first).
 */
static int tcp_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct tcp_ep *te = ep->priv;
	const struct ipcb_addr *pa =
	    ep->role == IPCB_SENDER ? &peers->receiver[0] : &peers->sender[0];
	union ipcb_sockaddr addr;
	int rc = ipcb_net_peer(pa->bytes, pa->len, &addr, &ep->err);

	if (rc)
		return rc;
	if (ep->role == IPCB_SENDER) {
		while (connect(te->fd, &addr.sa, ipcb_net_len(&addr)) < 0)
			if (errno != EINTR)
				return ipcb_err(&ep->err, -errno, "connect");
	} else {
		te->fd = ipcb_net_accept_from(te->lfd, &addr, &ep->err);
		if (te->fd < 0)
			return te->fd;
		ipcb_fd_close(&te->lfd);
	}
	return tcp_nodelay(te->fd, &ep->err);
}

static void tcp_close(struct ipcb_ep *ep)
{
	struct tcp_ep *te = ep->priv;

	ipcb_fd_close(&te->fd);
	ipcb_fd_close(&te->lfd);
}

IPCB_HOT static int tcp_write(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct tcp_ep *te = ep->priv;

	return ipcb_sock_send_all(te->fd, buf, len, true, &ep->err);
}

IPCB_HOT static int tcp_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct tcp_ep *te = ep->priv;

	return ipcb_send_pieces(ep, buf, len, te->piece, tcp_write);
}

IPCB_HOT static int tcp_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct tcp_ep *te = ep->priv;

	return ipcb_sock_recv_all(te->fd, buf, len, true, &ep->err);
}

/*
 * Data segments this end has sent (TCP_INFO, Linux 4.6 and later). With TCP_NODELAY a small
 * message is sent as soon as it is written, but while earlier segments are still queued in the
 * host the kernel coalesces new writes into them (net.ipv4.tcp_autocorking): a stream of small
 * messages may then travel many to a segment, and the row shows it.
 */
static int tcp_segments_sent(struct ipcb_ep *ep, uint64_t *count)
{
	const struct tcp_ep *te = ep->priv;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(te->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return ipcb_err(&ep->err, -errno, "getsockopt(TCP_INFO)");
	if (len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof(ti.tcpi_data_segs_out))
		return -ENOTSUP;
	*count = ti.tcpi_data_segs_out;
	return 0;
}

const struct ipcb_transport ipcb_transport_tcp = {
    .name = "tcp",
    .path = IPCB_PATH_NETWORK_STACK,
    .syscalls = {1, 1},
    .summary = "TCP with TCP_NODELAY, one connection for both directions (loopback, or two "
	       "hosts)",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_DUPLEX | IPCB_CAP_NETWORK,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = tcp_options,
    .ep_priv_bytes = sizeof(struct tcp_ep),
    .probe = tcp_probe,
    .setup = tcp_setup,
    .teardown = tcp_teardown,
    .open = tcp_open,
    .connect = tcp_connect,
    .close = tcp_close,
    .send = tcp_send,
    .recv = tcp_recv,
    .segments_sent = tcp_segments_sent,
};
