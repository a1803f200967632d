/* SPDX-License-Identifier: MIT */
/*
 * null - moves nothing. Its round trip is the harness's own cost per sample (two clock reads,
 * the calls into the transport, the echo side's turn, the histogram update), the floor under
 * every other transport's numbers. Sender and receiver do not interact: the sender answers its
 * own request as the echo side would (its receive and send, both empty, and what the echo does
 * between them) and takes back the very message it sent, so it stamps, times and checks it as
 * it does any transport's echo (bench/engine/closed.c), and the floor's CPU per message is the
 * harness's whole work on both sides.
 */
#include "transport.h"

static int null_open(struct ipcb_ep *ep)
{
	(void)ep;
	return 0;
}

IPCB_HOT static int null_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	(void)ep, (void)buf, (void)len;
	return 0;
}

IPCB_HOT static int null_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	(void)ep, (void)buf, (void)len;
	return 0;
}

const struct ipcb_transport ipcb_transport_null = {
    .name = "null",
    .path = IPCB_PATH_NONE,
    .summary = "moves nothing: the harness's own overhead per round trip",
    .caps = IPCB_CAP_NO_DATA | IPCB_CAP_BIDIR,
    .fixed_wait = IPCB_WAIT_NONE,
    .open = null_open,
    .send = null_send,
    .recv = null_recv,
};
