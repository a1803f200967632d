/* SPDX-License-Identifier: MIT */
/*
 * zmq-tcp - a ZeroMQ PAIR socket pair over TCP, on 127.0.0.1 or between two hosts (the driver's
 * cfg.host, IPCB_CAP_NETWORK), libzmq from Debian; the receiver binds to its host's address and a
 * port the kernel picks, the sender connects to the endpoint it published. libzmq sets
 * TCP_NODELAY itself. Between hosts a PAIR socket takes the first peer that connects: unlike tcp,
 * nothing here turns a stranger away, so two-host runs belong on networks you trust.
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
 * --deliver all: XPUB and SUB sockets instead of PAIR (util/zmqpair.h), the publisher bound to
 * a port and every receiver connected to it; the publisher drops at its mark, counted as losses.
 *
 * Built only with libzmq (transports/meson.build: 'zmq_tcp libzmq:libzmq3-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define ZMQ_TCP_SUMMARY "ZeroMQ PAIR sockets over TCP (loopback, or two hosts) (libzmq)"
/* Lossy only when it broadcasts (zmqpair.h: a publisher drops at its high-water mark). */
#define ZMQ_TCP_CAPS                                                                               \
	(IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_NETWORK | IPCB_CAP_BROADCAST |            \
	 IPCB_CAP_LOSSY)

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
	const char *host = ep->chan->cfg.host ? ep->chan->cfg.host : "127.0.0.1";
	bool v6 = strchr(host, ':') != NULL;
	int rc = zmqpair_open_socket(ep), on = 1;
	char where[96];

	if (rc)
		return rc;
	/* Both ends of an IPv6 path: libzmq speaks IPv4 only unless told. */
	if (v6 &&
	    zmq_setsockopt(((struct zmqpair_ep *)ep->priv)->sock, ZMQ_IPV6, &on, sizeof(on)) < 0)
		return ipcb_err(&ep->err, -errno, "zmq_setsockopt(ZMQ_IPV6)");
	if (!zmqpair_binds(ep))
		return 0;
	/* Port *: the kernel picks a free one, which ZMQ_LAST_ENDPOINT then names. */
	snprintf(where, sizeof(where), v6 ? "tcp://[%s]:*" : "tcp://%s:*", host);
	return zmqpair_bind(ep, where);
}
#endif /* IPCB_BUILT_ZMQ_TCP */

const struct ipcb_transport ipcb_transport_zmq_tcp = {
    .name = "zmq-tcp",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = ZMQ_TCP_SUMMARY,
    .caps = ZMQ_TCP_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = zmq_tcp_options,
    .hops = "via I/O thread",
    IPCB_IF_BUILT(IPCB_BUILT_ZMQ_TCP, IPCB_WITHOUT_ZMQ_TCP, .library = zmqpair_library,
		  .chan_priv_bytes = sizeof(struct zmqpair_chan),
		  .ep_priv_bytes = sizeof(struct zmqpair_ep), .setup = zmqpair_setup,
		  .teardown = zmqpair_teardown, .lossy = zmqpair_lossy, .open = zmq_tcp_open,
		  .connect = zmqpair_connect, .close = zmqpair_close, .send = zmqpair_send,
		  .recv = zmqpair_recv),
};
