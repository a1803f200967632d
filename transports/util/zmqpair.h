/* SPDX-License-Identifier: MIT */
/*
 * zmqpair.h - what zmq-ipc and zmq-tcp share: a ZeroMQ PAIR socket per endpoint, in a context
 * of its own made after fork (a context must not cross fork), the receiver bound, the sender
 * connected to the address it published, one zmq_send()/zmq_recv() per message.
 *
 * Header-only (static functions): only the files of transports built with libzmq include it,
 * so nothing in util/ needs the library when it is missing.
 *
 * High-water mark (-o NAME.hwm=N, ZMQ_SNDHWM and ZMQ_RCVHWM, 0: no limit): a PAIR socket whose
 * peer's queue is full blocks the sender; it never drops. Every send first tries without
 * blocking, and each one that had to wait for the mark is counted; the row's channel says how
 * many. A message that would be lost anyway (a peer gone) fails the run's sequence check.
 *
 * Publish-subscribe (--deliver all): the sender's socket is an XPUB, bound, and every
 * receiver's a SUB subscribed to everything (the empty prefix) that connects to it. (The other
 * way round, SUBs bound and the XPUB connecting to each, libzmq 4.3 never passes the
 * subscriptions up to the XPUB, so the wait below could not end.) A PUB socket drops a message for
 * a subscriber whose queue is at the mark instead of waiting (that is what lets one slow subscriber
 * not hold up the others), so a broadcast may lose messages (lossy(): each receiver counts its
 * gaps), and a pair never does. A subscriber that has not joined yet would miss messages too, and
 * that is no loss of the mechanism's: so connect() returns only once the XPUB has seen every
 * receiver's subscription (ZMQ_XPUB_VERBOSE passes each one up, not only the first of a prefix),
 * after which every message reaches every subscriber's pipe; the start barrier comes after that.
 */
#ifndef IPCB_ZMQPAIR_H
#define IPCB_ZMQPAIR_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <zmq.h>

#include "common.h"
#include "transport.h"

/* The option table's index of hwm in both transports. */
#define ZMQPAIR_OPT_HWM 0
/* How long the publisher waits for every subscription (the run's own timeout is the bound). */
#define ZMQPAIR_SUBSCRIBE_MS 30000

/* Counted by the endpoints in memory the parent mapped, read by teardown for the row. */
struct zmqpair_stats {
	uint64_t sends, hwm_waits;
};

struct zmqpair_chan {
	struct zmqpair_stats *stats; /* shared anonymous memory */
};

struct zmqpair_ep {
	void *ctx, *sock;
	uint64_t sends, hwm_waits;
};

static void zmqpair_library(char *out, size_t n)
{
	int maj, min, pat;

	zmq_version(&maj, &min, &pat);
	snprintf(out, n, "zmq %d.%d.%d", maj, min, pat);
}

/* A PUB socket drops at its mark (see the top of this file); a PAIR never does. */
static bool zmqpair_lossy(const struct ipcb_chan_cfg *cfg)
{
	return cfg->broadcast;
}

static int zmqpair_setup(struct ipcb_chan *ch)
{
	struct zmqpair_chan *c = ch->priv;
	uint64_t hwm = ipcb_opt(&ch->cfg, ZMQPAIR_OPT_HWM);

	if (ch->cfg.broadcast)
		snprintf(ch->layout, sizeof(ch->layout),
			 "XPUB/SUB to %u subscribers, HWM %llu each%s", ch->cfg.receivers,
			 (unsigned long long)hwm, hwm ? " (drops beyond)" : " (no limit)");
	else
		snprintf(ch->layout, sizeof(ch->layout), "PAIR, HWM %llu messages each way%s",
			 (unsigned long long)hwm, hwm ? "" : " (no limit)");
	return ipcb_map_shared_anon(sizeof(*c->stats), (void **)&c->stats, &ch->err);
}

/* The row's channel: the mark, and how many sends had to wait for it. */
static void zmqpair_teardown(struct ipcb_chan *ch)
{
	struct zmqpair_chan *c = ch->priv;
	uint64_t hwm = ipcb_opt(&ch->cfg, ZMQPAIR_OPT_HWM);

	if (!c->stats)
		return;
	/* A publisher never waits: what it dropped, its subscribers counted as their losses. */
	if (c->stats->sends && !ch->cfg.broadcast) {
		char text[128];

		snprintf(text, sizeof(text), "PAIR HWM %llu: %llu/%llu sends waited, 0 dropped",
			 (unsigned long long)hwm, (unsigned long long)c->stats->hwm_waits,
			 (unsigned long long)c->stats->sends);
		memcpy(ch->layout, text, sizeof(ch->layout) - 1);
		ch->layout[sizeof(ch->layout) - 1] = '\0';
	}
	munmap(c->stats, sizeof(*c->stats));
	c->stats = NULL;
}

/*
 * A context and a PAIR socket with the run's marks. Linger: a message the I/O thread has not
 * written yet when the socket closes (the receiver's last echo) must still go out, so close
 * waits for it, up to ZMQPAIR_LINGER_MS when the peer is gone.
 */
#define ZMQPAIR_LINGER_MS 10000
static int zmqpair_open_socket(struct ipcb_ep *ep)
{
	struct zmqpair_ep *me = ep->priv;
	int hwm = (int)ipcb_opt(&ep->chan->cfg, ZMQPAIR_OPT_HWM), linger = ZMQPAIR_LINGER_MS;
	bool bcast = ep->chan->cfg.broadcast, sender = ep->role == IPCB_SENDER;
	int type = !bcast ? ZMQ_PAIR : sender ? ZMQ_XPUB : ZMQ_SUB, on = 1;
	int wait_ms = ZMQPAIR_SUBSCRIBE_MS;

	me->ctx = zmq_ctx_new();
	if (!me->ctx)
		return ipcb_err(&ep->err, -errno, "zmq_ctx_new");
	me->sock = zmq_socket(me->ctx, type);
	if (!me->sock)
		return ipcb_errf(&ep->err, -errno, "zmq_socket", "%s",
				 !bcast	  ? "ZMQ_PAIR"
				 : sender ? "ZMQ_XPUB"
					  : "ZMQ_SUB");
	if (zmq_setsockopt(me->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(me->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(me->sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0)
		return ipcb_err(&ep->err, -errno, "zmq_setsockopt");
	/* Everything, from before the publisher connects: its subscription goes out at once. */
	if (bcast && !sender && zmq_setsockopt(me->sock, ZMQ_SUBSCRIBE, "", 0) < 0)
		return ipcb_err(&ep->err, -errno, "zmq_setsockopt(ZMQ_SUBSCRIBE)");
	if (bcast && sender &&
	    (zmq_setsockopt(me->sock, ZMQ_XPUB_VERBOSE, &on, sizeof(on)) < 0 ||
	     zmq_setsockopt(me->sock, ZMQ_RCVTIMEO, &wait_ms, sizeof(wait_ms)) < 0))
		return ipcb_err(&ep->err, -errno, "zmq_setsockopt(ZMQ_XPUB_VERBOSE)");
	return 0;
}

/* The receiver binds to `where` and publishes the address it got (a port zmq chose). */
static int zmqpair_bind(struct ipcb_ep *ep, const char *where)
{
	struct zmqpair_ep *me = ep->priv;
	size_t len = sizeof(ep->addr.bytes);

	if (zmq_bind(me->sock, where) < 0)
		return ipcb_errf(&ep->err, -errno, "zmq_bind", "%s", where);
	if (zmq_getsockopt(me->sock, ZMQ_LAST_ENDPOINT, ep->addr.bytes, &len) < 0)
		return ipcb_err(&ep->err, -errno, "zmq_getsockopt(ZMQ_LAST_ENDPOINT)");
	ep->addr.len = (uint32_t)len;
	return 0;
}

/*
 * A broadcast's publisher: wait until every receiver's subscription has come up its XPUB
 * ("\x01" and the empty prefix, one per subscriber), so that none joins after the first message.
 * The receivers connect meanwhile (connect() runs in every endpoint at about the same time).
 */
static int zmqpair_await_subscribers(struct ipcb_ep *ep, unsigned receivers)
{
	struct zmqpair_ep *me = ep->priv;
	unsigned char msg[16];
	unsigned seen = 0;

	while (seen < receivers) {
		int rc = zmq_recv(me->sock, msg, sizeof(msg), 0);

		if (rc < 0 && zmq_errno() == EINTR)
			continue;
		if (rc < 0)
			return ipcb_errf(&ep->err, -zmq_errno(), "zmq_recv(XPUB)",
					 "%u of %u subscriptions came in %d ms", seen, receivers,
					 ZMQPAIR_SUBSCRIBE_MS);
		seen += rc >= 1 && msg[0] == 1;
	}
	return 0;
}

/*
 * The side that binds: a pair's receiver, a broadcast's publisher (see the top of this file).
 * The other side connects to the address it published.
 */
static bool zmqpair_binds(const struct ipcb_ep *ep)
{
	return ep->role == (ep->chan->cfg.broadcast ? IPCB_SENDER : IPCB_RECEIVER);
}

static int zmqpair_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct zmqpair_ep *me = ep->priv;
	const struct ipcb_addr *to =
	    ep->chan->cfg.broadcast ? &peers->sender[0] : &peers->receiver[0];
	size_t len = to->len < IPCB_ADDR_BYTES ? to->len : IPCB_ADDR_BYTES;
	char where[IPCB_ADDR_BYTES + 1];

	if (zmqpair_binds(ep))
		return ep->chan->cfg.broadcast ? zmqpair_await_subscribers(ep, peers->receivers)
					       : 0;
	memcpy(where, to->bytes, len);
	where[len] = '\0';
	if (zmq_connect(me->sock, where) < 0)
		return ipcb_errf(&ep->err, -errno, "zmq_connect", "%s", where);
	return 0;
}

static void zmqpair_close(struct ipcb_ep *ep)
{
	struct zmqpair_ep *me = ep->priv;
	struct zmqpair_chan *c = ep->chan->priv;

	if (c->stats && me->sends) {
		__atomic_add_fetch(&c->stats->sends, me->sends, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->stats->hwm_waits, me->hwm_waits, __ATOMIC_RELAXED);
	}
	if (me->sock)
		zmq_close(me->sock);
	if (me->ctx)
		zmq_ctx_term(me->ctx);
	me->sock = me->ctx = NULL;
}

IPCB_HOT static int zmqpair_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct zmqpair_ep *me = ep->priv;
	int rc = zmq_send(me->sock, buf, len, ZMQ_DONTWAIT);

	me->sends++;
	if (rc < 0 && zmq_errno() == EAGAIN) {
		/* The peer's queue is at its mark: wait, and say so in the row. */
		me->hwm_waits++;
		do
			rc = zmq_send(me->sock, buf, len, 0);
		while (rc < 0 && zmq_errno() == EINTR);
	}
	if (rc < 0)
		return ipcb_err(&ep->err, -zmq_errno(), "zmq_send");
	return 0;
}

IPCB_HOT static int zmqpair_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct zmqpair_ep *me = ep->priv;
	int rc;

	do
		rc = zmq_recv(me->sock, buf, len, 0);
	while (rc < 0 && zmq_errno() == EINTR);
	if (rc < 0)
		return ipcb_err(&ep->err, -zmq_errno(), "zmq_recv");
	/* zmq_recv returns the message's own size, cutting what does not fit. */
	if ((size_t)rc != len)
		return ipcb_errf(&ep->err, -EBADMSG, "zmq_recv",
				 "a %d-byte message where %zu were sent", rc, len);
	return 0;
}

#endif /* IPCB_ZMQPAIR_H */
