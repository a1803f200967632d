/* SPDX-License-Identifier: MIT */
/*
 * tcp - one TCP connection over loopback (127.0.0.1) with TCP_NODELAY, both directions.
 *
 * Cost of one message: the full TCP/IP stack twice (segmentation, headers, loopback device,
 * softirq receive path, ACKs), where unix-stream queues the data on the peer directly.
 * TCP_NODELAY keeps Nagle's algorithm from holding small messages back for an ACK.
 * Limits: none per message (a byte stream). The port is chosen by the kernel (bind to port 0), so
 * concurrent runs never collide; the listening socket is closed once the pair is connected.
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
#include "sockpair.h"
#include "transport.h"

static int tcp_nodelay(int fd, struct ipcb_err *e)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ipcb_err(e, -errno, "setsockopt(TCP_NODELAY)");
	return 0;
}

/*
 * Accept the sender's own connection. The port is open to every local process for a moment, so
 * a stranger could connect first: whatever does not come from our sender's address and port is
 * closed and the next one taken. Ours is already queued (connect() has returned), so accept()
 * does not block; a bounded number of tries keeps a flood of strangers from holding us here.
 */
static int tcp_accept_own(int lfd, struct ipcb_sockpair *sp, struct ipcb_err *e)
{
	struct sockaddr_in ours, peer;
	socklen_t len = sizeof(ours);

	if (getsockname(sp->fd[IPCB_SENDER], (struct sockaddr *)&ours, &len) < 0)
		return ipcb_err(e, -errno, "getsockname");
	for (int tries = 0; tries < 64; tries++) {
		int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

		len = sizeof(peer);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return ipcb_err(e, -errno, "accept4");
		}
		if (peer.sin_port == ours.sin_port &&
		    peer.sin_addr.s_addr == ours.sin_addr.s_addr) {
			sp->fd[IPCB_RECEIVER] = fd;
			return 0;
		}
		close(fd);
	}
	return ipcb_errf(e, -ECONNREFUSED, "accept4",
			 "64 connections from other processes reached the benchmark's port first");
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

static int tcp_setup(struct ipcb_chan *ch)
{
	struct ipcb_sockpair *sp = ch->priv;
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	int lfd, rc;

	ipcb_sockpair_init(sp, 1);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return ipcb_err(&ch->err, -errno, "socket");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = ipcb_err(&ch->err, -errno, "bind");
		goto close_listener;
	}
	if (listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
		rc = ipcb_err(&ch->err, -errno, "listen");
		goto close_listener;
	}
	sp->fd[IPCB_SENDER] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sp->fd[IPCB_SENDER] < 0) {
		rc = ipcb_err(&ch->err, -errno, "socket");
		goto close_listener;
	}
	/* A loopback connect completes from the backlog, so one thread can connect then accept. */
	if (connect(sp->fd[IPCB_SENDER], (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = ipcb_err(&ch->err, -errno, "connect");
		goto close_listener;
	}
	rc = tcp_accept_own(lfd, sp, &ch->err);
	if (rc)
		goto close_listener;
	rc = tcp_nodelay(sp->fd[IPCB_SENDER], &ch->err);
	if (!rc)
		rc = tcp_nodelay(sp->fd[IPCB_RECEIVER], &ch->err);
	/* TCP autotunes its buffers up to net.ipv4.tcp_wmem/rmem: this is where they start. */
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
close_listener:
	close(lfd);
	return rc;
}

/*
 * Data segments this end has sent (TCP_INFO, Linux 4.6 and later). With TCP_NODELAY a small
 * message is sent as soon as it is written, but while earlier segments are still queued in the
 * host the kernel coalesces new writes into them (net.ipv4.tcp_autocorking): a stream of small
 * messages may then travel many to a segment, and the row shows it.
 */
static int tcp_segments_sent(struct ipcb_ep *ep, uint64_t *count)
{
	const struct ipcb_sockpair *sp = ep->chan->priv;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(sp->fd[ep->role], IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return ipcb_err(&ep->err, -errno, "getsockopt(TCP_INFO)");
	if (len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof(ti.tcpi_data_segs_out))
		return -ENOTSUP;
	*count = ti.tcpi_data_segs_out;
	return 0;
}

const struct ipcb_transport ipcb_transport_tcp = {
    .name = "tcp",
    .summary = "TCP over loopback with TCP_NODELAY, one connection for both directions",
    .caps = IPCB_CAP_BIDIR,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct ipcb_sockpair),
    .probe = tcp_probe,
    .setup = tcp_setup,
    .teardown = ipcb_sockpair_teardown,
    .open = ipcb_sockpair_open,
    .close = ipcb_sockpair_close,
    .send = ipcb_sockpair_send,
    .recv = ipcb_sockpair_recv,
    .segments_sent = tcp_segments_sent,
};
