/* SPDX-License-Identifier: MIT */
/*
 * zmq-ipc - a ZeroMQ PAIR socket pair over ipc:// (a Unix stream socket in the run's
 * directory), libzmq from Debian; the receiver binds, the sender connects.
 *
 * Cost of one message: zmq_send() copies the payload into a zmq message and hands it to the
 * context's I/O thread through a lock-free pipe, waking it through an eventfd; the I/O thread
 * writes it to the Unix socket; the peer's I/O thread reads it, and wakes the application
 * thread blocked in zmq_recv(), which copies it out. So every message crosses two extra threads
 * and their wake-ups beside what unix-stream costs (hops: via I/O thread). Each context's I/O
 * thread is started by its side after pinning, so it shares its side's CPU.
 * Limits: none per message (ZMQ_MAXMSGSIZE unset); the high-water mark (-o zmq-ipc.hwm)
 * bounds the queue each way, and a sender at the mark waits (counted in the row's channel).
 * Endpoints are not thread-safe: no sending in one thread while receiving in another.
 * --deliver all: XPUB and SUB sockets instead of PAIR (util/zmqpair.h), the publisher bound in
 * the run's directory and every receiver connected to it; the publisher drops at its mark,
 * counted as losses.
 *
 * Built only with libzmq (transports/meson.build: 'zmq_ipc libzmq:libzmq3-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define ZMQ_IPC_SUMMARY "ZeroMQ PAIR sockets over ipc:// in the run's directory (libzmq)"
/* Lossy only when it broadcasts (zmqpair.h: a publisher drops at its high-water mark). */
#define ZMQ_IPC_CAPS                                                                               \
	(IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR | IPCB_CAP_BROADCAST |           \
	 IPCB_CAP_LOSSY)

static const struct ipcb_option zmq_ipc_options[] = {
    {.key = "hwm",
     .type = IPCB_OPT_UINT,
     .def = "1000",
     .min = 0,
     .max = 1000000000,
     .help = "high-water mark, messages queued each way (ZMQ_SNDHWM/RCVHWM; 0: no limit)"},
    {.key = NULL},
};

#if IPCB_BUILT_ZMQ_IPC
#include <stdio.h>

#include "zmqpair.h"

static int zmq_ipc_open(struct ipcb_ep *ep)
{
	char where[256];
	int rc = zmqpair_open_socket(ep);

	if (rc || !zmqpair_binds(ep))
		return rc;
	if (snprintf(where, sizeof(where), "ipc://%s/zmq", ep->chan->cfg.run_dir) >=
	    (int)sizeof(where))
		return ipcb_errf(&ep->err, -ENAMETOOLONG, "zmq_bind",
				 "run directory path too long");
	return zmqpair_bind(ep, where);
}
#endif /* IPCB_BUILT_ZMQ_IPC */

const struct ipcb_transport ipcb_transport_zmq_ipc = {
    .name = "zmq-ipc",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = ZMQ_IPC_SUMMARY,
    .caps = ZMQ_IPC_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = zmq_ipc_options,
    .hops = "via I/O thread",
    IPCB_IF_BUILT(IPCB_BUILT_ZMQ_IPC, IPCB_WITHOUT_ZMQ_IPC, .library = zmqpair_library,
		  .chan_priv_bytes = sizeof(struct zmqpair_chan),
		  .ep_priv_bytes = sizeof(struct zmqpair_ep), .setup = zmqpair_setup,
		  .teardown = zmqpair_teardown, .lossy = zmqpair_lossy, .open = zmq_ipc_open,
		  .connect = zmqpair_connect, .close = zmqpair_close, .send = zmqpair_send,
		  .recv = zmqpair_recv),
};
