/* SPDX-License-Identifier: MIT */
/*
 * redis - a Redis server (redis-server from Debian) started for the invocation on a Unix socket
 * in its own directory, persistence off, reached with hiredis. Two ways to pass a message:
 *
 *   list (default): a list per direction is the queue: the sender LPUSHes the payload, the
 *     receiver BRPOPs it (blocking until one is there). Several senders push to one list and
 *     several receivers compete for its entries: fan-in and fan-out.
 *   pubsub (-o redis.mode=pubsub): the sender PUBLISHes on a channel per direction that the
 *     receiver SUBSCRIBEd to in open(). Every subscriber gets every message, so several
 *     receivers do not compete (refused with mode=pubsub); the server's reply says how many
 *     subscribers got it, and none is an error (the message is gone).
 *
 * Publish-subscribe (--deliver all, cfg.broadcast): pub/sub whatever the mode says (a list has
 * no way to give every reader every entry). Every receiver SUBSCRIBEs to the one channel in
 * open(), acknowledged before the start barrier, and every PUBLISH must reach all of them: its
 * reply counts the subscribers the server wrote it to, and fewer than the receivers fails the
 * run. Pub/sub keeps nothing for a subscriber that is not connected, and drops nothing for one
 * that is: a subscriber slower than the publisher makes the server buffer what it has not read,
 * until the client-output-buffer-limit for pubsub clients (Redis's default: 32 MiB, or 8 MiB
 * for a minute) disconnects it, its messages lost with it. That limit is lifted here (the
 * server's configuration below), so a slow subscriber costs the server memory instead and a
 * broadcast loses nothing (not lossy); should a subscriber be disconnected after all, its next
 * read fails and the next PUBLISH counts one subscriber fewer, and the run fails saying so.
 *
 * Each endpoint has a connection for what it sends and one for what it receives, so one thread
 * may send while another receives. Every reply is read and checked (an error reply fails the
 * run), but a sender does not wait for each reply before its next send: up to cfg.inflight
 * (--inflight; 1 in a ping-pong and a stream) sends may be unanswered, Redis pipelining.
 *
 * Cost of one message: the payload is copied into hiredis's output buffer, written to the
 * server's socket, copied into the server (a list entry or straight out to the subscribers),
 * and out again on the receiving connection, where hiredis parses it into a reply that is
 * copied into the driver's buffer: two socket hops, a server that is one event loop.
 * Limits: the server's proto-max-bulk-len (512 MiB by default), read from it when it starts;
 * larger payloads are chunked by the driver.
 *
 * Built only with hiredis (transports/meson.build); runs only with redis-server installed.
 */
#include "ipcb_config.h"
#include "transport.h"

#define REDIS_SUMMARY "Redis server on a Unix socket: a list as a queue (LPUSH/BRPOP) or pub/sub"
#define REDIS_CAPS                                                                                 \
	(IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_MULTI_RECEIVER | IPCB_CAP_DUPLEX | \
	 IPCB_CAP_BROADCAST)
#define REDIS_NOTES                                                                                \
	"redis-server runs once per invocation in its own directory, on a Unix socket there (no\n" \
	"                 TCP port), persistence off (no RDB, no AOF), pinned to --server-cpu\n"   \
	"                 (default the receiver's CPU). mode=list: LPUSH/BRPOP on a list per\n"    \
	"                 direction (several receivers compete); mode=pubsub: PUBLISH/SUBSCRIBE "  \
	"(one\n"                                                                                   \
	"                 receiver per channel; a subscriber that falls behind is not "            \
	"disconnected:\n"                                                                          \
	"                 client-output-buffer-limit pubsub lifted). Up to --inflight sends are "  \
	"left\n"                                                                                   \
	"                 unanswered (pipelining); every reply is checked. --deliver all: "        \
	"PUBLISH\n"                                                                                \
	"                 to every receiver's SUBSCRIBE on one channel, whatever mode says."

static const struct ipcb_option redis_opts[] = {
    {.key = "mode",
     .type = IPCB_OPT_CHOICE,
     .def = "list",
     .choices = "list|pubsub",
     .help = "list: LPUSH/BRPOP on a list per direction; pubsub: PUBLISH/SUBSCRIBE (--deliver "
	     "all: always pubsub)"},
    {.key = NULL}};
enum { REDIS_OPT_MODE };
enum { REDIS_LIST, REDIS_PUBSUB };

#if IPCB_BUILT_REDIS
#include <errno.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "broker.h"

#define REDIS_SOCKET "redis.sock"

struct redis_ep {
	redisContext *out; /* LPUSH / PUBLISH */
	redisContext *in;  /* BRPOP / the subscription */
	char key_out[80], key_in[80];
	bool pubsub;
	unsigned subscribers; /* pubsub: every PUBLISH must reach this many (1: at least one) */
	unsigned depth;	      /* sends that may be unanswered */
	unsigned pending;     /* sends not answered yet */
};

static int redis_probe(struct ipcb_probe *p)
{
	return ipcb_broker_probe(p, "redis-server", "redis-server");
}

/* ---- the server ------------------------------------------------------------------------------ */

static int redis_prepare(struct ipcb_service *svc)
{
	char *prog;
	int rc = ipcb_broker_find("redis-server", &prog);

	if (rc == -ENOMEM)
		return ipcb_errf(&svc->err, rc, "asprintf", "looking for redis-server");
	if (rc)
		return ipcb_errf(&svc->err, -ENOENT, "redis-server",
				 "not installed (Debian package redis-server)");
	rc = snprintf(svc->addr, sizeof(svc->addr), "%s/%s", svc->dir, REDIS_SOCKET);
	if (rc < 0 || (size_t)rc >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		rc = ipcb_errf(&svc->err, -ENAMETOOLONG, "unix socket path", "%s/%s", svc->dir,
			       REDIS_SOCKET);
		goto free_prog;
	}
	/*
	 * No TCP listener, no persistence, a log on stdout (the driver keeps it in the service's
	 * directory), one database. A subscriber that falls behind is not disconnected (its
	 * output buffer's limit lifted, 32 MiB by default), as a list's reader is not: a stream
	 * of large messages would otherwise end there.
	 */
	rc = ipcb_broker_file(svc, "redis.conf", 0600,
			      "port 0\nunixsocket %s\nunixsocketperm 700\ndir %s\n"
			      "save \"\"\nappendonly no\ndaemonize no\nsupervised no\n"
			      "logfile \"\"\nloglevel warning\nalways-show-logo no\n"
			      "databases 1\nprotected-mode yes\n"
			      "client-output-buffer-limit pubsub 0 0 0\n",
			      svc->addr, svc->dir);
	if (rc)
		goto free_prog;
	/* Its version comes from the server once it answers (INFO), not from a second run. */
	snprintf(svc->version, sizeof(svc->version), "redis-server");
	if (!(rc = ipcb_service_arg(svc, "%s", prog)))
		rc = ipcb_service_arg(svc, "%s/redis.conf", svc->dir);
free_prog:
	free(prog);
	return rc;
}

/* A reply's text field, for an error ("" when it has none). */
static const char *redis_text(const redisReply *r)
{
	return r && r->str ? r->str : "";
}

/* The value of `field` in an INFO reply ("redis_version:7.0.15\r\n"), into out. */
static void redis_info_field(const char *info, const char *field, char *out, size_t n)
{
	const char *p = strstr(info, field);
	size_t len;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(field);
	len = strcspn(p, "\r\n");
	snprintf(out, n, "%.*s", (int)len, p);
}

static int redis_ready(struct ipcb_service *svc)
{
	redisContext *c = redisConnectUnix(svc->addr);
	redisReply *r;
	char version[32], limit[32];
	int rc = 0;

	if (!c)
		return ipcb_err(&svc->err, -ENOMEM, "redisConnectUnix");
	if (c->err) {
		/* Not there yet, or not listening yet. */
		rc = ipcb_errf(&svc->err, -EAGAIN, "redisConnectUnix", "%s", c->errstr);
		redisFree(c);
		return rc;
	}
	r = redisCommand(c, "INFO server");
	if (!r || r->type != REDIS_REPLY_STRING) {
		/* Loading, or an error: asked again until the time limit. */
		rc = ipcb_errf(&svc->err, -EAGAIN, "INFO", "%s", r ? redis_text(r) : c->errstr);
		goto out;
	}
	redis_info_field(r->str, "redis_version:", version, sizeof(version));
	if (version[0])
		snprintf(svc->version, sizeof(svc->version), "redis-server %s", version);
	freeReplyObject(r);
	/* The largest bulk string it takes: the largest message. */
	r = redisCommand(c, "CONFIG GET proto-max-bulk-len");
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[1]->type == REDIS_REPLY_STRING) {
		unsigned long long max = strtoull(r->element[1]->str, NULL, 10);

		if (max && (!svc->max_msg_bytes || max < svc->max_msg_bytes))
			svc->max_msg_bytes = (size_t)max;
		ipcb_broker_bytes_text((size_t)max, limit, sizeof(limit));
		snprintf(svc->limit, sizeof(svc->limit), "proto-max-bulk-len %s", limit);
	}
out:
	if (r)
		freeReplyObject(r);
	redisFree(c);
	return rc;
}

static const struct ipcb_service_ops redis_service = {
    .prepare = redis_prepare,
    .ready = redis_ready,
};

/* ---- the channel ----------------------------------------------------------------------------- */

/* The list or channel of direction ab (A to B) or ba. */
static void redis_key(const struct ipcb_chan *ch, bool ab, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", ch->tag, ab ? "ab" : "ba");
}

static int redis_setup(struct ipcb_chan *ch)
{
	if (!ch->cfg.service)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "its server is not running");
	if (ch->cfg.broadcast) {
		snprintf(ch->layout, sizeof(ch->layout), "redis pub/sub channel, %u subscribers",
			 ch->cfg.receivers);
		return 0;
	}
	if (ipcb_opt(&ch->cfg, REDIS_OPT_MODE) == REDIS_PUBSUB && ch->cfg.receivers > 1)
		return ipcb_errf(&ch->err, -EINVAL, "setup",
				 "mode=pubsub gives every subscriber every message: several "
				 "receivers compete only with mode=list (--deliver all gives "
				 "every one every message)");
	snprintf(ch->layout, sizeof(ch->layout), "%s",
		 ipcb_opt(&ch->cfg, REDIS_OPT_MODE) == REDIS_PUBSUB
		     ? "redis pub/sub channel per direction"
		     : "redis list per direction (LPUSH/BRPOP)");
	return 0;
}

/* What a failed run left in the lists goes with them: the server outlives the run. */
static void redis_teardown(struct ipcb_chan *ch)
{
	char ab[80], ba[80];
	redisContext *c;
	redisReply *r;

	if (!ch->cfg.service || ipcb_opt(&ch->cfg, REDIS_OPT_MODE) == REDIS_PUBSUB ||
	    ch->cfg.broadcast)
		return;
	c = redisConnectUnix(ch->cfg.service);
	if (!c || c->err) {
		if (c)
			redisFree(c);
		return; /* the server is gone, and its lists with it */
	}
	redis_key(ch, true, ab, sizeof(ab));
	redis_key(ch, false, ba, sizeof(ba));
	r = redisCommand(c, "DEL %s %s", ab, ba);
	if (r)
		freeReplyObject(r);
	redisFree(c);
}

static int redis_connect_one(struct ipcb_ep *ep, redisContext **out, const char *what)
{
	redisContext *c = redisConnectUnix(ep->chan->cfg.service);

	if (!c)
		return ipcb_err(&ep->err, -ENOMEM, "redisConnectUnix");
	*out = c;
	if (c->err)
		return ipcb_errf(&ep->err, -ECONNREFUSED, "redisConnectUnix", "%s: %s: %s", what,
				 ep->chan->cfg.service, c->errstr);
	return 0;
}

/*
 * A sender sends A to B and, in a round trip, receives B to A; a receiver the other way round.
 * The subscription is in place before open() returns, so nothing published after the start
 * barrier misses it.
 */
static int redis_open(struct ipcb_ep *ep)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct redis_ep *me = ep->priv;
	bool sender = ep->role == IPCB_SENDER;
	bool sends = sender || cfg->bidirectional, receives = !sender || cfg->bidirectional;
	redisReply *r;
	int rc;

	me->pubsub = ipcb_opt(cfg, REDIS_OPT_MODE) == REDIS_PUBSUB || cfg->broadcast;
	me->subscribers = cfg->broadcast ? cfg->receivers : 1;
	me->depth = cfg->inflight ? cfg->inflight : 1;
	redis_key(ep->chan, sender, me->key_out, sizeof(me->key_out));
	redis_key(ep->chan, !sender, me->key_in, sizeof(me->key_in));
	if (sends && (rc = redis_connect_one(ep, &me->out, "sending")))
		return rc;
	if (receives && (rc = redis_connect_one(ep, &me->in, "receiving")))
		return rc;
	if (receives && me->pubsub) {
		r = redisCommand(me->in, "SUBSCRIBE %s", me->key_in);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
			rc = ipcb_errf(&ep->err, -EPROTO, "SUBSCRIBE", "%s",
				       r ? redis_text(r) : me->in->errstr);
			if (r)
				freeReplyObject(r);
			return rc;
		}
		freeReplyObject(r);
	}
	return 0;
}

/* A reply to a send: a list's new length, or how many subscribers got the message (not 0). */
static int redis_check_sent(struct ipcb_ep *ep, redisReply *r)
{
	struct redis_ep *me = ep->priv;
	int rc = 0;

	if (r->type != REDIS_REPLY_INTEGER)
		rc = ipcb_errf(&ep->err, -EPROTO, me->pubsub ? "PUBLISH" : "LPUSH", "%s",
			       r->type == REDIS_REPLY_ERROR ? redis_text(r)
							    : "not an integer reply");
	else if (me->pubsub && r->integer < me->subscribers)
		rc = r->integer < 1
			 ? ipcb_errf(&ep->err, -EPIPE, "PUBLISH",
				     "no subscriber got the message (%lld)", r->integer)
			 : ipcb_errf(&ep->err, -EPIPE, "PUBLISH",
				     "%lld of the %u subscribers got the message: one was "
				     "disconnected",
				     r->integer, me->subscribers);
	freeReplyObject(r);
	return rc;
}

/*
 * Read the replies to earlier sends: every one that has arrived, then wait for more while at
 * least `keep` are still unanswered.
 */
IPCB_HOT static int redis_replies(struct ipcb_ep *ep, unsigned keep)
{
	struct redis_ep *me = ep->priv;
	void *reply;
	int rc;

	while (me->pending > 0) {
		if (redisGetReplyFromReader(me->out, &reply) != REDIS_OK)
			return ipcb_errf(&ep->err, -EPROTO, "redisGetReply", "%s", me->out->errstr);
		if (reply) {
			me->pending--;
			rc = redis_check_sent(ep, reply);
			if (rc)
				return rc;
			continue;
		}
		if (me->pending < keep) {
			/* Only what is already there: a sender does not wait below the depth. */
			struct pollfd p = {.fd = me->out->fd, .events = POLLIN};

			if (poll(&p, 1, 0) <= 0)
				return 0;
		}
		if (redisBufferRead(me->out) != REDIS_OK)
			return ipcb_errf(&ep->err, me->out->err == REDIS_ERR_EOF ? -EPIPE : -EIO,
					 "read", "%s", me->out->errstr);
	}
	return 0;
}

IPCB_HOT static int redis_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct redis_ep *me = ep->priv;
	const char *argv[3] = {me->pubsub ? "PUBLISH" : "LPUSH", me->key_out, buf};
	size_t lens[3] = {strlen(argv[0]), strlen(me->key_out), len};
	int done = 0;

	if (redisAppendCommandArgv(me->out, 3, argv, lens) != REDIS_OK)
		return ipcb_errf(&ep->err, -ENOMEM, argv[0], "%s", me->out->errstr);
	while (!done)
		if (redisBufferWrite(me->out, &done) != REDIS_OK)
			return ipcb_errf(&ep->err, -EPIPE, "write", "%s", me->out->errstr);
	me->pending++;
	return redis_replies(ep, me->depth);
}

IPCB_HOT static int redis_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct redis_ep *me = ep->priv;
	redisReply *r = NULL, *v;
	int rc = 0;

	if (me->pubsub) {
		if (redisGetReply(me->in, (void **)&r) != REDIS_OK)
			r = NULL;
	} else {
		r = redisCommand(me->in, "BRPOP %s 0", me->key_in);
	}
	if (!r)
		return ipcb_errf(&ep->err, me->in->err == REDIS_ERR_EOF ? -EPIPE : -EIO,
				 me->pubsub ? "redisGetReply" : "BRPOP", "%s", me->in->errstr);
	/* BRPOP: [list, value]; a subscription: ["message", channel, value]. */
	if (r->type != REDIS_REPLY_ARRAY || r->elements != (me->pubsub ? 3u : 2u) ||
	    (v = r->element[r->elements - 1])->type != REDIS_REPLY_STRING) {
		rc = ipcb_errf(&ep->err, -EPROTO, me->pubsub ? "message" : "BRPOP",
			       "unexpected reply: %s",
			       r->type == REDIS_REPLY_ERROR ? redis_text(r) : "not a value");
	} else if (v->len != len) {
		rc = ipcb_errf(&ep->err, -EBADMSG, me->pubsub ? "message" : "BRPOP",
			       "a %zu-byte message where %zu were sent", v->len, len);
	} else {
		memcpy(buf, v->str, len);
	}
	freeReplyObject(r);
	return rc;
}

static void redis_close(struct ipcb_ep *ep)
{
	struct redis_ep *me = ep->priv;

	/* The last replies: an error among them is past reporting, but they are read. */
	if (me->out && !me->out->err && me->pending)
		redis_replies(ep, 1);
	if (me->out)
		redisFree(me->out);
	if (me->in)
		redisFree(me->in);
	me->out = me->in = NULL;
}

static void redis_library(char *out, size_t n)
{
	snprintf(out, n, "hiredis %d.%d.%d", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
}
#endif /* IPCB_BUILT_REDIS */

const struct ipcb_transport ipcb_transport_redis = {
    .name = "redis",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_BROKER,
    .summary = REDIS_SUMMARY,
    .notes = REDIS_NOTES,
    .caps = REDIS_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = redis_opts,
    .hops = "via broker",
    IPCB_IF_BUILT(IPCB_BUILT_REDIS, IPCB_WITHOUT_REDIS, .library = redis_library,
		  .service = &redis_service, .ep_priv_bytes = sizeof(struct redis_ep),
		  .probe = redis_probe, .setup = redis_setup, .teardown = redis_teardown,
		  .open = redis_open, .close = redis_close, .send = redis_send, .recv = redis_recv),
};
