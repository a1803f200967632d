/* SPDX-License-Identifier: MIT */
/*
 * unix-seqpacket - a connected Unix domain SOCK_SEQPACKET socket pair (socketpair), both
 * directions.
 *
 * Cost of one message: the same as unix-dgram (the kernel sends both through one code path: one
 * socket buffer per message, copied in by send() and out by recv()), plus connection state, so
 * that a peer that goes away shows up as end-of-file rather than as silence.
 * Limits: one message must fit the sender's SO_SNDBUF, which setup raises to the ceiling
 * net.core.wmem_max (the kernel doubles it), and one buffer the kernel can allocate in one piece
 * (a few MiB). probe() measures the largest message that really goes through and the driver
 * chunks larger payloads; raise net.core.wmem_max to allow larger messages, up to that
 * allocation limit.
 */

#include <errno.h>
#include <sys/socket.h>

#include "common.h"
#include "msglimits.h"
#include "sockpair.h"
#include "transport.h"

static int unix_seqpacket_probe(struct ipcb_probe *p)
{
	return ipcb_unix_dgram_probe(SOCK_SEQPACKET, p);
}

static int unix_seqpacket_setup(struct ipcb_chan *ch)
{
	return ipcb_unix_dgram_setup(ch, SOCK_SEQPACKET);
}

/*
 * Not sockpair.c's recv: on SOCK_SEQPACKET a zero-length read is end-of-file (the peer closed),
 * which deserves its own error rather than "a message of 0 bytes".
 */
IPCB_HOT static int unix_seqpacket_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct ipcb_sockpair *sp = ep->chan->priv;
	ssize_t n;

	do
		/* MSG_TRUNC: a longer message reports its real length instead of being cut. */
		n = recv(sp->fd[ep->role], buf, len, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ipcb_err(&ep->err, -errno, "recv");
	if (n == 0)
		return ipcb_errf(&ep->err, -EPIPE, "recv", "peer closed the connection");
	if ((size_t)n != len)
		return ipcb_errf(&ep->err, -EBADMSG, "recv",
				 "message of %zd bytes where %zu were expected", n, len);
	return 0;
}

const struct ipcb_transport ipcb_transport_unix_seqpacket = {
    .name = "unix-seqpacket",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "Unix domain SOCK_SEQPACKET socket pair, both directions; largest message "
	       "bounded by net.core.wmem_max",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX,
    .max_msg_bytes = 0, /* probe() measures it */
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct ipcb_sockpair),
    .probe = unix_seqpacket_probe,
    .setup = unix_seqpacket_setup,
    .teardown = ipcb_sockpair_teardown,
    .open = ipcb_sockpair_open,
    .close = ipcb_sockpair_close,
    .send = ipcb_sockpair_send,
    .recv = unix_seqpacket_recv,
};
