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

static int unix_stream_setup(struct ipcb_chan *ch)
{
	struct ipcb_sockpair *sp = ch->priv;

	ipcb_sockpair_init(sp, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp->fd) < 0)
		return ipcb_err(&ch->err, -errno, "socketpair");
	ch->buffer_bytes = ipcb_sockpair_buffer_bytes(sp);
	return 0;
}

const struct ipcb_transport ipcb_transport_unix_stream = {
    .name = "unix-stream",
    .path = IPCB_PATH_KERNEL_COPY,
    .summary = "Unix domain stream socket pair (socketpair), both directions",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_DUPLEX,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct ipcb_sockpair),
    .setup = unix_stream_setup,
    .teardown = ipcb_sockpair_teardown,
    .open = ipcb_sockpair_open,
    .close = ipcb_sockpair_close,
    .send = ipcb_sockpair_send,
    .recv = ipcb_sockpair_recv,
};
