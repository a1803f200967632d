/* SPDX-License-Identifier: MIT */
/*
 * zmq-tcp - a ZeroMQ PAIR socket pair over tcp://127.0.0.1 (a port the receiver's bind picks),
 * libzmq from Debian; the receiver binds, the sender connects. libzmq sets TCP_NODELAY itself.
 *
 * Cost of one message: zmq_send() copies the payload into a zmq message and hands it to the
 * context's I/O thread through a lock-free pipe, waking it through an eventfd; the I/O thread
 * writes it to the TCP socket; the peer's I/O thread reads it, and wakes the application
 * thread blocked in zmq_recv(), which copies it out. So every message crosses two extra threads
 * and their wake-ups beside what tcp costs (hops: via I/O thread). Each context's I/O
 * thread is started by its side after pinning, so it shares its side's CPU.
 * Limits: none per message (ZMQ_MAXMSGSIZE unset); the high-water mark (-o zmq-tcp.hwm)
 * bounds the queue each way, and a sender at the mark waits (counted in the row's channel).
 * Endpoints are not thread-safe: no sending in one thread while receiving in another.
 *
 * Built only with libzmq (transports/meson.build: 'zmq_tcp libzmq:libzmq3-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define ZMQ_TCP_SUMMARY "ZeroMQ PAIR sockets over tcp://127.0.0.1 (libzmq)"
#define ZMQ_TCP_CAPS	(IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES)

static const struct ipcb_option zmq_tcp_options[] = {
    {.key = "hwm",
     .type = IPCB_OPT_UINT,
     .def = "1000",
     .min = 0,
     .max = 1000000000,
     .help = "high-water mark, messages queued each way (ZMQ_SNDHWM/RCVHWM; 0: no limit)"},
    {.key = NULL},
};

#if IPCB_BUILT_ZMQ_TCP
#include "zmqpair.h"

static int zmq_tcp_open(struct ipcb_ep *ep)
{
	int rc = zmqpair_open_socket(ep);

	/* Port 0: the kernel picks a free one, which ZMQ_LAST_ENDPOINT then names. */
	return rc || ep->role != IPCB_RECEIVER ? rc : zmqpair_bind(ep, "tcp://127.0.0.1:*");
}

const struct ipcb_transport ipcb_transport_zmq_tcp = {
    .name = "zmq-tcp",
    .summary = ZMQ_TCP_SUMMARY,
    .caps = ZMQ_TCP_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = zmq_tcp_options,
    .hops = "via I/O thread",
    .library = zmqpair_library,
    .chan_priv_bytes = sizeof(struct zmqpair_chan),
    .ep_priv_bytes = sizeof(struct zmqpair_ep),
    .setup = zmqpair_setup,
    .teardown = zmqpair_teardown,
    .open = zmq_tcp_open,
    .connect = zmqpair_connect,
    .close = zmqpair_close,
    .send = zmqpair_send,
    .recv = zmqpair_recv,
};
#else  /* !IPCB_BUILT_ZMQ_TCP */
const struct ipcb_transport ipcb_transport_zmq_tcp = {
    .name = "zmq-tcp",
    .summary = ZMQ_TCP_SUMMARY,
    .caps = ZMQ_TCP_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = zmq_tcp_options,
    .hops = "via I/O thread",
    .unsupported = IPCB_WITHOUT_ZMQ_TCP,
};
#endif /* IPCB_BUILT_ZMQ_TCP */
