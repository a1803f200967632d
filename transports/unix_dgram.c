/* SPDX-License-Identifier: MIT */
/*
 * unix-dgram - a connected Unix domain datagram socket pair (socketpair), both directions.
 *
 * Cost of one message: one send() that copies the payload into a single socket buffer queued on
 * the peer, one recv() that copies it out; boundaries are kept, so there is no length framing and
 * no partial reads. Delivery is reliable: a sender blocks while the peer's queue holds
 * net.unix.max_dgram_qlen datagrams or its own send buffer is spent, nothing is dropped.
 * Limits: one datagram must fit the sender's SO_SNDBUF, which setup raises to the ceiling
 * net.core.wmem_max (the kernel doubles it), and one buffer the kernel can allocate in one piece
 * (a few MiB). probe() measures the largest datagram that really goes through and the driver
 * chunks larger payloads; raise net.core.wmem_max to allow larger datagrams, up to that
 * allocation limit.
 * Several senders or receivers (--topology) share one end of the pair, as processes that
 * inherit a socket do: each send() queues one whole datagram, each recv() takes one.
 */

#include <sys/socket.h>

#include "msglimits.h"
#include "sockpair.h"
#include "transport.h"

static int unix_dgram_probe(struct ipcb_probe *p)
{
	return ipcb_unix_dgram_probe(SOCK_DGRAM, p);
}

static int unix_dgram_setup(struct ipcb_chan *ch)
{
	return ipcb_unix_dgram_setup(ch, SOCK_DGRAM);
}

const struct ipcb_transport ipcb_transport_unix_dgram = {
    .name = "unix-dgram",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "Unix domain datagram socket pair, both directions; largest datagram bounded "
	       "by net.core.wmem_max",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX | IPCB_CAP_MULTI_SENDER |
	    IPCB_CAP_MULTI_RECEIVER,
    .max_msg_bytes = 0, /* probe() measures it */
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct ipcb_sockpair),
    .probe = unix_dgram_probe,
    .setup = unix_dgram_setup,
    .teardown = ipcb_sockpair_teardown,
    .open = ipcb_sockpair_open,
    .close = ipcb_sockpair_close,
    .send = ipcb_sockpair_send,
    .recv = ipcb_sockpair_recv,
};
