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
#include <netinet/in.h>
#include <netinet/tcp.h>
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
	sp->fd[IPCB_RECEIVER] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (sp->fd[IPCB_RECEIVER] < 0) {
		rc = ipcb_err(&ch->err, -errno, "accept4");
		goto close_listener;
	}
	rc = tcp_nodelay(sp->fd[IPCB_SENDER], &ch->err);
	if (!rc)
		rc = tcp_nodelay(sp->fd[IPCB_RECEIVER], &ch->err);
	/* TCP autotunes its buffers up to net.ipv4.tcp_wmem/rmem: this is where they start. */
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
close_listener:
	close(lfd);
	return rc;
}

const struct ipcb_transport ipcb_transport_tcp = {
	.name = "tcp",
	.summary = "TCP over loopback with TCP_NODELAY, one connection for both directions",
	.caps = IPCB_CAP_BIDIR,
	.fixed_wait = IPCB_WAIT_BLOCK,
	.chan_priv_bytes = sizeof(struct ipcb_sockpair),
	.setup = tcp_setup,
	.teardown = ipcb_sockpair_teardown,
	.open = ipcb_sockpair_open,
	.close = ipcb_sockpair_close,
	.send = ipcb_sockpair_send,
	.recv = ipcb_sockpair_recv,
};
