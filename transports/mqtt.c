/* SPDX-License-Identifier: MIT */
/*
 * mqtt - publish and subscribe through a Mosquitto broker (mosquitto from Debian) started for
 * the invocation on a port of 127.0.0.1, reached with libmosquitto (MQTT 3.1.1). A topic per
 * direction: the sender publishes on "<tag>/ab", the receiver subscribed to it in open() and,
 * in a round trip, publishes the echo on "<tag>/ba". Each endpoint has one client for what it
 * publishes and one for what it subscribed to, so one thread may send while another receives;
 * several publishers may share a topic (fan-in). Every subscriber gets every message, so
 * several receivers do not compete (no work queue): with --deliver all every receiver
 * subscribes to the one topic "<tag>/ab" in open(), acknowledged before the start barrier, and
 * the broker copies each publication to each of them (publish-subscribe).
 *
 * -o mqtt.qos=0|1|2: the quality of service of both the publications and the subscription.
 * QoS 0 is sent once and never acknowledged; QoS 1 is acknowledged by the broker (PUBACK), QoS
 * 2 in two steps (PUBREC, PUBREL, PUBCOMP), on each hop. A publish returns once its packet is
 * written to the socket; acknowledgements are read as they come, and at QoS 1 at most 20 may
 * be outstanding (libmosquitto's window), beyond which a publish waits. At QoS 2 a publish
 * waits for the end of its handshake: the broker passes a message on only once the publisher
 * has answered its PUBREC, and no thread of the library answers in the background.
 *
 * Losses: the broker queues at most max_queued_messages (1000, its default) messages for a
 * subscriber beyond those in flight and drops the rest, at every QoS, because the publisher's
 * acknowledgement comes from the broker, not from the subscriber. A stream faster than its
 * subscriber therefore loses messages; they are counted (the row's losses), never hidden
 * (IPCB_CAP_LOSSY). A round trip has one message in flight and cannot overflow it.
 *
 * TCP_NODELAY on both sides (the broker's set_tcp_nodelay, the clients' MOSQ_OPT_TCP_NODELAY):
 * without it a small message waits for the previous one's delayed ACK, 40 ms here.
 *
 * Cost of one message: copied into the library's packet, written to the broker's socket, read
 * and copied to each subscriber's socket by the broker (one event loop), read into a packet by
 * the subscriber's library and copied out of it (and, with QoS 1 or 2, acknowledgement packets
 * both ways on both hops). Limits: an MQTT packet carries at most 256 MiB less its header and
 * topic; larger payloads are chunked by the driver.
 *
 * Built only with libmosquitto (transports/meson.build); runs only with mosquitto installed.
 */
#include "ipcb_config.h"
#include "transport.h"

#define MQTT_SUMMARY "MQTT publish/subscribe through a Mosquitto broker on 127.0.0.1"
#define MQTT_CAPS                                                                                  \
	(IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_DUPLEX | IPCB_CAP_LOSSY |          \
	 IPCB_CAP_BROADCAST)
/* MQTT's remaining-length field holds at most 268435455; the topic and header come out of it. */
#define MQTT_MAX_MSG (268435455u - 4096u)
#define MQTT_NOTES                                                                                 \
	"mosquitto runs once per invocation in its own directory, listening on a port of\n"        \
	"                 127.0.0.1 only, persistence off, TCP_NODELAY on broker and clients, "    \
	"pinned\n"                                                                                 \
	"                 to --server-cpu (default the receiver's CPU). A topic per direction "    \
	"and\n"                                                                                    \
	"                 run. The broker drops what a subscriber's queue (max_queued_messages "   \
	"1000)\n"                                                                                  \
	"                 cannot take, at every QoS: a stream's losses are counted in the row.\n"  \
	"                 --deliver all: every receiver subscribes to the one topic."

static const struct ipcb_option mqtt_opts[] = {
    {.key = "qos",
     .type = IPCB_OPT_CHOICE,
     .def = "0",
     .choices = "0|1|2",
     .help = "quality of service of publications and subscription: 0 at most once, 1 at least "
	     "once (PUBACK), 2 exactly once (PUBREC/PUBREL/PUBCOMP)"},
    {.key = NULL}};
enum { MQTT_OPT_QOS };

#if IPCB_BUILT_MQTT
#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker.h"

/* Publishes of QoS 1 or 2 that may await their acknowledgement (libmosquitto's default). */
#define MQTT_WINDOW 20
/* How long a client waits for the broker's answer while it connects or subscribes. */
#define MQTT_HANDSHAKE_MS 10000

/* Messages that arrived while none was asked for: [8-byte length][payload], in order. */
struct mqtt_queue {
	unsigned char *buf;
	size_t cap, head, tail;
};

struct mqtt_ep {
	struct mosquitto *pub, *sub;
	bool lib;
	int qos;
	char topic_out[80], topic_in[80];
	uint64_t published, done; /* publishes made, and those whose on_publish came */
	int connected;		  /* on_connect's result: -1 until it comes */
	bool subscribed;
	/* recv: where the message asked for goes, when the queue is empty as it arrives. */
	void *want;
	size_t want_len;
	bool got;
	int bad_len; /* a message of another length arrived: -EBADMSG */
	size_t bad_got;
	struct mqtt_queue q;
};

static int mqtt_probe(struct ipcb_probe *p)
{
	return ipcb_broker_probe(p, "mosquitto", "mosquitto");
}

static const char *mqtt_why(int rc)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

static int mqtt_errno(int rc)
{
	switch (rc) {
	case MOSQ_ERR_NOMEM:
		return -ENOMEM;
	case MOSQ_ERR_NO_CONN:
	case MOSQ_ERR_CONN_LOST:
		return -EPIPE;
	case MOSQ_ERR_PAYLOAD_SIZE:
	case MOSQ_ERR_OVERSIZE_PACKET:
		return -EMSGSIZE;
	case MOSQ_ERR_ERRNO:
		return errno ? -errno : -EIO;
	default:
		return -EPROTO;
	}
}

/* ---- the broker ------------------------------------------------------------------------------ */

static int mqtt_prepare(struct ipcb_service *svc)
{
	char *prog;
	int rc = ipcb_broker_find("mosquitto", &prog);

	if (rc == -ENOMEM)
		return ipcb_errf(&svc->err, rc, "asprintf", "looking for mosquitto");
	if (rc)
		return ipcb_errf(&svc->err, -ENOENT, "mosquitto",
				 "not installed (Debian package mosquitto)");
	/*
	 * One listener, on the loopback only; anyone on this machine may connect (as to a run's
	 * TCP port), nothing is stored, each message is sent at once (Nagle off), and the log
	 * (errors, warnings and notices: a subscriber whose messages are being dropped) goes to
	 * stdout, which the driver keeps in the service's directory.
	 */
	rc = ipcb_broker_file(svc, "mosquitto.conf", 0600,
			      "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
			      "set_tcp_nodelay true\nlog_dest stdout\nlog_type error\n"
			      "log_type warning\nlog_type notice\nconnection_messages false\n",
			      svc->port);
	if (rc)
		goto free_prog;
	snprintf(svc->addr, sizeof(svc->addr), "%d", svc->port);
	/* Its version comes from the broker once it answers ($SYS/broker/version). */
	snprintf(svc->version, sizeof(svc->version), "mosquitto");
	if (!(rc = ipcb_service_arg(svc, "%s", prog)) && !(rc = ipcb_service_arg(svc, "-c")))
		rc = ipcb_service_arg(svc, "%s/mosquitto.conf", svc->dir);
free_prog:
	free(prog);
	return rc;
}

static void mqtt_version_message(struct mosquitto *m, void *obj,
				 const struct mosquitto_message *msg)
{
	struct ipcb_service *svc = obj;
	const char *p = msg->payload, *word;
	char text[64];

	(void)m;
	snprintf(text, sizeof(text), "%.*s", msg->payloadlen < 63 ? msg->payloadlen : 63,
		 p ? p : "");
	word = strrchr(text, ' '); /* "mosquitto version 2.0.11" */
	snprintf(svc->version, sizeof(svc->version), "mosquitto %.40s", word ? word + 1 : text);
}

/* Listening, and answering MQTT: its version is the retained $SYS/broker/version. */
static int mqtt_ready(struct ipcb_service *svc)
{
	struct mosquitto *m;
	int rc = ipcb_broker_tcp_ready(svc->port, &svc->err);

	if (rc)
		return rc;
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, svc);
	if (!m) {
		mosquitto_lib_cleanup();
		return ipcb_err(&svc->err, -ENOMEM, "mosquitto_new");
	}
	mosquitto_message_callback_set(m, mqtt_version_message);
	rc = mosquitto_connect(m, "127.0.0.1", svc->port, 60);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_subscribe(m, NULL, "$SYS/broker/version", 0);
	for (int i = 0; rc == MOSQ_ERR_SUCCESS && i < 20 && strcmp(svc->version, "mosquitto") == 0;
	     i++)
		rc = mosquitto_loop(m, 100, 1);
	if (rc != MOSQ_ERR_SUCCESS)
		rc = ipcb_errf(&svc->err, -EAGAIN, "mosquitto_connect", "%s", mqtt_why(rc));
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return rc;
}

static const struct ipcb_service_ops mqtt_service = {
    .prepare = mqtt_prepare,
    .ready = mqtt_ready,
};

/* ---- the clients ----------------------------------------------------------------------------- */

static void mqtt_on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	((struct mqtt_ep *)obj)->connected = rc;
}

static void mqtt_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m;
	(void)mid;
	/* 0x80: the broker refused the subscription. */
	((struct mqtt_ep *)obj)->subscribed = n == 1 && granted[0] != 0x80;
}

/* QoS 0: the packet was written; 1: PUBACK came; 2: PUBCOMP came. */
static void mqtt_on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)mid;
	((struct mqtt_ep *)obj)->done++;
}

/* Keep a message that came before it was asked for; 0 or -ENOMEM. */
static int mqtt_queue_put(struct mqtt_queue *q, const void *p, size_t len)
{
	uint64_t n = len;

	if (q->cap - q->tail < sizeof(n) + len) {
		/* Move what is left to the front, then grow if that is not room enough. */
		if (q->head) {
			memmove(q->buf, q->buf + q->head, q->tail - q->head);
			q->tail -= q->head;
			q->head = 0;
		}
		if (q->cap - q->tail < sizeof(n) + len) {
			size_t cap = q->cap ? q->cap : 65536;
			unsigned char *b;

			while (cap - q->tail < sizeof(n) + len)
				cap *= 2;
			b = realloc(q->buf, cap);
			if (!b)
				return -ENOMEM;
			q->buf = b;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->tail, &n, sizeof(n));
	memcpy(q->buf + q->tail + sizeof(n), p, len);
	q->tail += sizeof(n) + len;
	return 0;
}

/* The oldest message kept into want (want_len bytes); sets bad_len when its length differs. */
static void mqtt_queue_take(struct mqtt_ep *me)
{
	struct mqtt_queue *q = &me->q;
	uint64_t n;

	memcpy(&n, q->buf + q->head, sizeof(n));
	if (n != me->want_len) {
		me->bad_len = -EBADMSG;
		me->bad_got = n;
	} else {
		memcpy(me->want, q->buf + q->head + sizeof(n), n);
	}
	q->head += sizeof(n) + n;
	if (q->head == q->tail)
		q->head = q->tail = 0;
	me->got = true;
}

static void mqtt_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct mqtt_ep *me = obj;
	size_t len = (size_t)msg->payloadlen;

	(void)m;
	/* Straight into the receiver's buffer when it waits for this one; else kept in order. */
	if (me->want && !me->got && me->q.head == me->q.tail) {
		if (len != me->want_len) {
			me->bad_len = -EBADMSG;
			me->bad_got = len;
		} else {
			memcpy(me->want, msg->payload, len);
		}
		me->got = true;
		return;
	}
	if (mqtt_queue_put(&me->q, msg->payload, len))
		me->bad_len = -ENOMEM;
}

/*
 * Run a client's network loop until *done says so: reads (acknowledgements, messages), writes
 * (what the library has queued) and keep-alives, waiting up to limit_ms in all (-1: no limit).
 */
static int mqtt_pump(struct ipcb_ep *ep, struct mosquitto *m, bool (*done)(struct mqtt_ep *),
		     int limit_ms, const char *what)
{
	struct mqtt_ep *me = ep->priv;
	int waited = 0;

	while (!done(me)) {
		int rc = mosquitto_loop(m, 100, 1);

		if (rc != MOSQ_ERR_SUCCESS)
			return ipcb_errf(&ep->err, mqtt_errno(rc), what, "%s", mqtt_why(rc));
		if (me->bad_len == -ENOMEM)
			return ipcb_err(&ep->err, -ENOMEM, "realloc(message queue)");
		if (limit_ms >= 0 && (waited += 100) > limit_ms)
			return ipcb_errf(&ep->err, -ETIMEDOUT, what,
					 "no answer from the broker in %d ms", limit_ms);
	}
	return 0;
}

static bool mqtt_is_connected(struct mqtt_ep *me)
{
	return me->connected >= 0;
}

static bool mqtt_is_subscribed(struct mqtt_ep *me)
{
	return me->subscribed;
}

/* A client of this endpoint, connected (CONNACK received). */
static int mqtt_client(struct ipcb_ep *ep, struct mosquitto **out)
{
	struct mqtt_ep *me = ep->priv;
	int port = atoi(ep->chan->cfg.service), rc;
	struct mosquitto *m = mosquitto_new(NULL, true, me);

	if (!m)
		return ipcb_err(&ep->err, -ENOMEM, "mosquitto_new");
	*out = m;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(m, mqtt_on_connect);
	mosquitto_subscribe_callback_set(m, mqtt_on_subscribe);
	mosquitto_publish_callback_set(m, mqtt_on_publish);
	mosquitto_message_callback_set(m, mqtt_on_message);
	me->connected = -1;
	rc = mosquitto_connect(m, "127.0.0.1", port, 60);
	if (rc != MOSQ_ERR_SUCCESS)
		return ipcb_errf(&ep->err, mqtt_errno(rc), "mosquitto_connect", "127.0.0.1:%d: %s",
				 port, mqtt_why(rc));
	rc = mqtt_pump(ep, m, mqtt_is_connected, MQTT_HANDSHAKE_MS, "CONNECT");
	if (!rc && me->connected != 0)
		rc = ipcb_errf(&ep->err, -ECONNREFUSED, "CONNECT", "%s",
			       mosquitto_connack_string(me->connected));
	return rc;
}

static int mqtt_setup(struct ipcb_chan *ch)
{
	if (!ch->cfg.service)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "its broker is not running");
	if (ch->cfg.broadcast)
		snprintf(ch->layout, sizeof(ch->layout), "mosquitto topic, %u subscribers, QoS %u",
			 ch->cfg.receivers, (unsigned)ipcb_opt(&ch->cfg, MQTT_OPT_QOS));
	else
		snprintf(ch->layout, sizeof(ch->layout), "mosquitto topic per direction, QoS %u",
			 (unsigned)ipcb_opt(&ch->cfg, MQTT_OPT_QOS));
	return 0;
}

/* Nothing of the run stays in the broker: a topic is only there while it is subscribed to. */
static void mqtt_teardown(struct ipcb_chan *ch)
{
	(void)ch;
}

/*
 * A sender publishes A to B and, in a round trip, subscribes to B to A; a receiver the other
 * way round. The subscription is acknowledged (SUBACK) before open() returns, so nothing
 * published after the start barrier misses it.
 */
static int mqtt_open(struct ipcb_ep *ep)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct mqtt_ep *me = ep->priv;
	bool sender = ep->role == IPCB_SENDER;
	int rc;

	mosquitto_lib_init();
	me->lib = true;
	me->qos = (int)ipcb_opt(cfg, MQTT_OPT_QOS);
	snprintf(me->topic_out, sizeof(me->topic_out), "%s/%s", ep->chan->tag,
		 sender ? "ab" : "ba");
	snprintf(me->topic_in, sizeof(me->topic_in), "%s/%s", ep->chan->tag, sender ? "ba" : "ab");
	if ((sender || cfg->bidirectional) && (rc = mqtt_client(ep, &me->pub)))
		return rc;
	if (!sender || cfg->bidirectional) {
		rc = mqtt_client(ep, &me->sub);
		if (rc)
			return rc;
		rc = mosquitto_subscribe(me->sub, NULL, me->topic_in, me->qos);
		if (rc != MOSQ_ERR_SUCCESS)
			return ipcb_errf(&ep->err, mqtt_errno(rc), "mosquitto_subscribe", "%s",
					 mqtt_why(rc));
		rc = mqtt_pump(ep, me->sub, mqtt_is_subscribed, MQTT_HANDSHAKE_MS, "SUBSCRIBE");
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * QoS 0: this publish is written; QoS 1: within the window of unacknowledged ones; QoS 2: its
 * handshake is over (PUBCOMP), since the broker passes the message on only when PUBREL, the
 * publisher's answer to its PUBREC, has come.
 */
static bool mqtt_sent(struct mqtt_ep *me)
{
	return !mosquitto_want_write(me->pub) &&
	       me->published - me->done <= (me->qos == 1 ? MQTT_WINDOW : 0);
}

static bool mqtt_all_acknowledged(struct mqtt_ep *me)
{
	return !mosquitto_want_write(me->pub) && me->published == me->done;
}

static bool mqtt_got(struct mqtt_ep *me)
{
	return me->got;
}

IPCB_HOT static int mqtt_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct mqtt_ep *me = ep->priv;
	int rc = mosquitto_publish(me->pub, NULL, me->topic_out, (int)len, buf, me->qos, false);

	if (rc != MOSQ_ERR_SUCCESS)
		return ipcb_errf(&ep->err, mqtt_errno(rc), "mosquitto_publish", "%s", mqtt_why(rc));
	me->published++;
	return mqtt_pump(ep, me->pub, mqtt_sent, -1, "mosquitto_loop (publish)");
}

IPCB_HOT static int mqtt_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct mqtt_ep *me = ep->priv;
	int rc = 0;

	me->want = buf;
	me->want_len = len;
	me->got = false;
	me->bad_len = 0;
	if (me->q.head != me->q.tail)
		mqtt_queue_take(me);
	else
		rc = mqtt_pump(ep, me->sub, mqtt_got, -1, "mosquitto_loop (subscription)");
	me->want = NULL;
	if (!rc && me->bad_len)
		rc = ipcb_errf(&ep->err, me->bad_len, "message",
			       "a %zu-byte message where %zu were sent", me->bad_got, len);
	return rc;
}

static void mqtt_close(struct ipcb_ep *ep)
{
	struct mqtt_ep *me = ep->priv;

	/* Acknowledgements still due: a clean end, though every message has arrived by now. */
	if (me->pub) {
		if (me->connected == 0)
			mqtt_pump(ep, me->pub, mqtt_all_acknowledged, 1000, "close");
		mosquitto_disconnect(me->pub);
		mosquitto_destroy(me->pub);
	}
	if (me->sub) {
		mosquitto_disconnect(me->sub);
		mosquitto_destroy(me->sub);
	}
	me->pub = me->sub = NULL;
	free(me->q.buf);
	me->q = (struct mqtt_queue){0};
	if (me->lib)
		mosquitto_lib_cleanup();
	me->lib = false;
}

static void mqtt_library(char *out, size_t n)
{
	int major, minor, rev;

	mosquitto_lib_version(&major, &minor, &rev);
	snprintf(out, n, "libmosquitto %d.%d.%d", major, minor, rev);
}
#endif /* IPCB_BUILT_MQTT */

const struct ipcb_transport ipcb_transport_mqtt = {
    .name = "mqtt",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_BROKER,
    .summary = MQTT_SUMMARY,
    .notes = MQTT_NOTES,
    .caps = MQTT_CAPS,
    .max_msg_bytes = MQTT_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = mqtt_opts,
    .hops = "via broker",
    IPCB_IF_BUILT(IPCB_BUILT_MQTT, IPCB_WITHOUT_MQTT, .library = mqtt_library,
		  .service = &mqtt_service, .ep_priv_bytes = sizeof(struct mqtt_ep),
		  .probe = mqtt_probe, .setup = mqtt_setup, .teardown = mqtt_teardown,
		  .open = mqtt_open, .close = mqtt_close, .send = mqtt_send, .recv = mqtt_recv),
};
