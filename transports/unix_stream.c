/* SPDX-License-Identifier: MIT */
/*
 * unix-stream - a Unix domain stream socket pair (socketpair), one channel for both directions.
 *
 * Cost of one message: send() copies the payload into socket buffers (skbs) queued directly on
 * the peer socket, recv() copies it out; no protocol stack, no checksums. A message larger than
 * the socket buffer needs several wake-ups.
 * Limits: none per message (a byte stream).
 */

#include <errno.h>
#include <sys/socket.h>

#include "common.h"
#include "sockpair.h"
#include "transport.h"

/*
 * What a user of stream sockets tunes: how many bytes a sender may have queued at its peer (a
 * Unix socket's send buffer bounds what sits in the receiver's queue), and how much each send()
 * hands the kernel.
 */
enum { US_OPT_SNDBUF, US_OPT_WRITE };

static const struct ipcb_option unix_stream_options[] = {
    {.key = "sndbuf",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     .tune = "1048576",
     .help = "each end's send buffer in bytes (SO_SNDBUF; past net.core.wmem_max as root, "
	     "SO_SNDBUFFORCE); 0: the kernel's default"},
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

static int unix_stream_setup(struct ipcb_chan *ch)
{
	struct ipcb_sockpair *sp = ch->priv;

	ipcb_sockpair_init(sp, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp->fd) < 0)
		return ipcb_err(&ch->err, -errno, "socketpair");
	for (int i = 0; i < 2; i++)
		if (ipcb_sock_set_buffer(sp->fd[i], false, ipcb_opt(&ch->cfg, US_OPT_SNDBUF),
					 &ch->err, "-o unix-stream.sndbuf"))
			return ch->err.code;
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
	return 0;
}

IPCB_HOT static int unix_stream_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	return ipcb_send_pieces(ep, buf, len, (size_t)ipcb_opt(&ep->chan->cfg, US_OPT_WRITE),
				ipcb_sockpair_send);
}

const struct ipcb_transport ipcb_transport_unix_stream = {
    .name = "unix-stream",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "Unix domain stream socket pair (socketpair), both directions",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_DUPLEX,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = unix_stream_options,
    .chan_priv_bytes = sizeof(struct ipcb_sockpair),
    .setup = unix_stream_setup,
    .teardown = ipcb_sockpair_teardown,
    .open = ipcb_sockpair_open,
    .close = ipcb_sockpair_close,
    .send = unix_stream_send,
    .recv = ipcb_sockpair_recv,
};
