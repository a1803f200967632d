/* SPDX-License-Identifier: MIT */
/*
 * amqp - a RabbitMQ queue per direction (rabbitmq-server from Debian), reached with librabbitmq
 * (AMQP 0-9-1): the sender publishes each message to the queue "<tag>.ab" through the default
 * exchange, the receiver consumes from it and, in a round trip, publishes the echo to
 * "<tag>.ba", which the sender consumes. Each endpoint has one connection for what it
 * publishes and one for what it consumes, so one thread may send while another receives.
 * Several publishers may share a queue (fan-in) and several consumers compete for its messages,
 * each message going to one of them (fan-out).
 *
 * Publish-subscribe (--deliver all): a fanout exchange "<tag>.fan" with a queue per receiver,
 * "<tag>.r<k>", bound to it, all made in setup() before any side starts (the exchange drops
 * what no bound queue takes, so every queue is there before the first publish); the sender
 * publishes to the exchange, which puts a copy of each message in every queue, and receiver k
 * consumes its own. The queues have no length limit: a slow consumer's queue grows, and when
 * the node's memory runs short its alarm blocks the publishers (connection.blocked) rather than
 * dropping anything, so a broadcast loses nothing (not lossy).
 *
 * The broker is a private node, started once per invocation (it takes seconds) in its own
 * directory: its own node name, Erlang cookie, configuration, data (Mnesia) and log directories
 * there, the AMQP listener on a port of 127.0.0.1 the driver picked, the Erlang distribution on
 * another, and an epmd of its own on a third (ERL_EPMD_PORT), started in the foreground by the
 * node's launch script and killed with it, the only one (no Erlang program in the node's
 * environment may start an epmd daemon), so none is left on the default port 4369 or anywhere
 * else. Plugins: none.
 *
 * -o amqp.confirm=1: publisher confirms: the broker acknowledges each publish once the queue
 *   has it; up to --inflight (1 in a ping-pong and a stream) may be unacknowledged.
 * -o amqp.ack=1: the consumer acknowledges each message (basic.ack); without it the broker
 *   forgets a message as it sends it (no-ack consumer).
 * The queues are neither durable nor persistent: nothing goes to disk.
 *
 * Cost of one message: copied into a frame by the library and written to the broker, routed to
 * the queue by its channel process and the queue process (Erlang messages between them), written
 * to the consumer's connection, read into the library's buffers and copied out: two socket hops
 * and several Erlang processes in between. Limits: RabbitMQ's max_message_size (128 MiB, set in
 * the node's configuration); larger payloads are chunked by the driver.
 *
 * Built only with librabbitmq (transports/meson.build); runs only with rabbitmq-server
 * installed (which brings Erlang's epmd).
 */
#include "ipcb_config.h"
#include "transport.h"

#define AMQP_SUMMARY "RabbitMQ queue per direction (AMQP 0-9-1), a private node for the run"
#define AMQP_CAPS                                                                                  \
	(IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_MULTI_RECEIVER | IPCB_CAP_DUPLEX | \
	 IPCB_CAP_BROADCAST)
/* RabbitMQ's max_message_size, written into the node's configuration (its default too). */
#define AMQP_MAX_MSG (128u << 20)
#define AMQP_NOTES                                                                                 \
	"a private RabbitMQ node runs once per invocation in its own directory (node name,\n"      \
	"                 cookie, Mnesia and log directories there), AMQP on a port of "           \
	"127.0.0.1,\n"                                                                             \
	"                 its own epmd on another (never the default 4369), no plugins, pinned "   \
	"to\n"                                                                                     \
	"                 --server-cpu (default the receiver's CPU); its start takes seconds.\n"   \
	"                 Non-durable queues, a queue per direction and run, default exchange;\n"  \
	"                 --deliver all: a fanout exchange and a queue per receiver bound to it."

static const struct ipcb_option amqp_opts[] = {
    {.key = "confirm",
     .type = IPCB_OPT_BOOL,
     .def = "0",
     .help = "publisher confirms: the broker acknowledges each publish (up to --inflight "
	     "unacknowledged)"},
    {.key = "ack",
     .type = IPCB_OPT_BOOL,
     .def = "0",
     .help = "the consumer acknowledges each message (basic.ack); 0: a no-ack consumer"},
    {.key = NULL}};
enum { AMQP_OPT_CONFIRM, AMQP_OPT_ACK };

#if IPCB_BUILT_AMQP
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "broker.h"

/* The node's launch script without the Debian wrapper, which would switch to user rabbitmq. */
#define AMQP_SERVER_DEBIAN "/usr/lib/rabbitmq/bin/rabbitmq-server"
#define AMQP_CHANNEL	   1
#define AMQP_FRAME_MAX	   131072

struct amqp_ep {
	amqp_connection_state_t out, in; /* publishing, consuming */
	char q_out[80], q_in[80];
	char exchange[80]; /* "" the default exchange (to q_out), or a broadcast's fanout */
	bool confirm, ack;
	unsigned depth;		   /* confirm: publishes that may be unacknowledged */
	uint64_t published, acked; /* confirm: delivery tags sent and acknowledged */
};

/* The server's path in *out (allocated; NULL on failure). 0, -ENOENT or -ENOMEM. */
static int amqp_server(char **out)
{
	if (access(AMQP_SERVER_DEBIAN, X_OK) == 0) {
		*out = strdup(AMQP_SERVER_DEBIAN);
		return *out ? 0 : -ENOMEM;
	}
	return ipcb_broker_find("rabbitmq-server", out);
}

static int amqp_probe(struct ipcb_probe *p)
{
	char *path;
	int rc = amqp_server(&path);

	free(path);
	if (rc)
		return ipcb_broker_probe(p, "rabbitmq-server", "rabbitmq-server");
	if (ipcb_broker_probe(p, "epmd", "erlang-base"))
		return -ENOENT;
	return ipcb_broker_probe(p, "setpriv", "util-linux");
}

/* What a reply that is not normal says, for an error. */
static void amqp_reply_text(amqp_rpc_reply_t r, char *out, size_t n)
{
	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		snprintf(out, n, "ok");
		break;
	case AMQP_RESPONSE_NONE:
		snprintf(out, n, "no reply");
		break;
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		snprintf(out, n, "%s", amqp_error_string2(r.library_error));
		break;
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			amqp_connection_close_t *c = r.reply.decoded;

			snprintf(out, n, "server closed the connection: %u %.*s", c->reply_code,
				 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
		} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			amqp_channel_close_t *c = r.reply.decoded;

			snprintf(out, n, "server closed the channel: %u %.*s", c->reply_code,
				 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
		} else {
			snprintf(out, n, "server exception, method 0x%08x", r.reply.id);
		}
		break;
	}
}

static int amqp_check(amqp_rpc_reply_t r, struct ipcb_err *e, const char *call)
{
	char text[128];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	amqp_reply_text(r, text, sizeof(text));
	return ipcb_errf(e, r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION ? -EPROTO : -EIO, call,
			 "%s", text);
}

/* A connection to 127.0.0.1:port, logged in as guest (allowed from the loopback only), with
 * channel 1 open. */
static int amqp_connect_to(int port, amqp_connection_state_t *out, struct ipcb_err *e)
{
	amqp_connection_state_t c = amqp_new_connection();
	amqp_socket_t *s;
	int rc;

	*out = c;
	if (!c)
		return ipcb_err(e, -ENOMEM, "amqp_new_connection");
	s = amqp_tcp_socket_new(c);
	if (!s)
		return ipcb_err(e, -ENOMEM, "amqp_tcp_socket_new");
	rc = amqp_socket_open(s, "127.0.0.1", port);
	if (rc != AMQP_STATUS_OK)
		return ipcb_errf(e, -ECONNREFUSED, "amqp_socket_open", "127.0.0.1:%d: %s", port,
				 amqp_error_string2(rc));
	rc = amqp_check(
	    amqp_login(c, "/", 0, AMQP_FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), e,
	    "amqp_login");
	if (rc)
		return rc;
	amqp_channel_open(c, AMQP_CHANNEL);
	return amqp_check(amqp_get_rpc_reply(c), e, "amqp_channel_open");
}

static void amqp_disconnect(amqp_connection_state_t *c, bool clean)
{
	if (!*c)
		return;
	if (clean) {
		amqp_channel_close(*c, AMQP_CHANNEL, AMQP_REPLY_SUCCESS);
		amqp_connection_close(*c, AMQP_REPLY_SUCCESS);
	}
	amqp_destroy_connection(*c);
	*c = NULL;
}

/* ---- the broker ------------------------------------------------------------------------------ */

static int amqp_prepare(struct ipcb_service *svc)
{
	char *server = NULL, *epmd = NULL, *setpriv = NULL;
	unsigned char rnd[20];
	char cookie[41], node[40];
	int ports[3] = {svc->port, 0, 0}, rc;

	if ((rc = amqp_server(&server)) || (rc = ipcb_broker_find("epmd", &epmd)) ||
	    (rc = ipcb_broker_find("setpriv", &setpriv))) {
		if (rc == -ENOMEM)
			rc = ipcb_errf(&svc->err, rc, "asprintf", "looking for rabbitmq-server");
		else
			rc = ipcb_errf(&svc->err, -ENOENT, "rabbitmq-server",
				       "rabbitmq-server, epmd or setpriv is not installed");
		goto free_paths;
	}
	if ((ports[1] = ipcb_broker_port_besides(ports, 1, &svc->err)) < 0 ||
	    (ports[2] = ipcb_broker_port_besides(ports, 2, &svc->err)) < 0) {
		rc = ports[1] < 0 ? ports[1] : ports[2];
		goto free_paths;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		rc = ipcb_err(&svc->err, -EIO, "getrandom");
		goto free_paths;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(cookie + 2 * i, 3, "%02x", rnd[i]);
	snprintf(node, sizeof(node), "ipcb-%.12s@localhost", cookie + 28);
	/* The Erlang cookie: $HOME/.erlang.cookie, the owner's alone, or Erlang refuses it. */
	rc = ipcb_broker_file(svc, ".erlang.cookie", 0400, "%s", cookie);
	if (!rc)
		rc = ipcb_broker_file(svc, "enabled_plugins", 0600, "[].\n");
	if (!rc)
		rc = ipcb_broker_file(svc, "rabbitmq-env.conf", 0600, "# (none)\n");
	if (!rc)
		rc = ipcb_broker_file(svc, "rabbitmq.conf", 0600,
				      "listeners.tcp.1 = 127.0.0.1:%d\n"
				      "max_message_size = %u\n"
				      "log.console = true\nlog.console.level = warning\n"
				      "log.file = false\n",
				      svc->port, AMQP_MAX_MSG);
	if (rc)
		goto free_paths;
	/*
	 * The launch script: everything the node reads from its environment points into this
	 * directory; the Debian wrapper in /usr/sbin is left out (as root it would switch to user
	 * rabbitmq, who may not enter this directory). RABBITMQ_ALLOW_INPUT makes the script exec
	 * erl, so the node is the very process the driver started (pinned, killed if the driver
	 * dies), and -noinput keeps its shell off. epmd: one of the node's own, started here in
	 * the foreground (in the node's process group, killed when the node's process ends), and
	 * answering before the node looks for one. No Erlang program started from the node's
	 * environment starts an epmd of its own (ERL_FLAGS -start_epmd false): the node checks its
	 * epmd once a minute and, finding none, runs an erl that starts `epmd -daemon`, outside
	 * every process group the driver knows; its epmd, killed by the driver's SIGTERM to the
	 * group before the node had ended, was then left running on the run's port (with the node's
	 * epmd killed mid-run, a daemon came 40 s later and outlived the run). Erlang's schedulers
	 * are left unbound: the driver pins the node.
	 * The epmd port was found free and released, so another process may hold it by now; an epmd
	 * that finds its port taken says so only under -d ("there is already a epmd running"), and
	 * exits with status 0, so that the node would register with whatever epmd answers there
	 * (another run's). So the node starts once its own epmd has answered (-d logs each request
	 * it gets), and where its epmd ended first the script says "Address already in use", for
	 * the start to be tried again on other ports (service.c).
	 */
	rc = ipcb_broker_file(
	    svc, "start.sh", 0700,
	    "#!/bin/sh\n"
	    "D='%s'\n"
	    "export HOME=\"$D\" RABBITMQ_NODENAME='%s' RABBITMQ_NODE_IP_ADDRESS=127.0.0.1\n"
	    "export RABBITMQ_NODE_PORT=%d RABBITMQ_DIST_PORT=%d ERL_EPMD_PORT=%d\n"
	    "export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE=\"$D/mnesia\"\n"
	    "export RABBITMQ_LOG_BASE=\"$D/log\" RABBITMQ_CONFIG_FILE=\"$D/rabbitmq\"\n"
	    "export RABBITMQ_ADVANCED_CONFIG_FILE=\"$D/advanced.config\"\n"
	    "export RABBITMQ_ENABLED_PLUGINS_FILE=\"$D/enabled_plugins\"\n"
	    "export RABBITMQ_CONF_ENV_FILE=\"$D/rabbitmq-env.conf\" RABBITMQ_PID_FILE=\"$D/pid\"\n"
	    "export RABBITMQ_ALLOW_INPUT=1 RABBITMQ_SCHEDULER_BIND_TYPE=u\n"
	    "export ERL_FLAGS='-start_epmd false'\n"
	    "export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-noinput -kernel inet_dist_use_interface "
	    "{127,0,0,1}'\n"
	    "'%s' --pdeathsig KILL '%s' -d -address 127.0.0.1 -port %d 2>\"$D/epmd.log\" &\n"
	    "E=$! i=0\n"
	    "until '%s' -port %d -names >/dev/null 2>&1 && grep -q NAMES_REQ \"$D/epmd.log\"; do\n"
	    "\tif ! kill -0 $E 2>/dev/null; then\n"
	    "\t\tif grep -q 'already a epmd running' \"$D/epmd.log\"; then\n"
	    "\t\t\techo 'epmd: 127.0.0.1:%d: Address already in use' >&2\n"
	    "\t\telse\n"
	    "\t\t\techo \"epmd ended: $(tail -n 1 \"$D/epmd.log\")\" >&2\n"
	    "\t\tfi\n"
	    "\t\texit 1\n"
	    "\tfi\n"
	    "\ti=$((i + 1)); [ $i -lt 500 ] || { echo 'epmd did not start' >&2; exit 1; }\n"
	    "\tsleep 0.01\n"
	    "done\n"
	    "exec '%s'\n",
	    svc->dir, node, svc->port, ports[1], ports[2], setpriv, epmd, ports[2], epmd, ports[2],
	    ports[2], server);
	if (rc)
		goto free_paths;
	snprintf(svc->addr, sizeof(svc->addr), "%d", svc->port);
	/* Its version comes from the node once it answers (the AMQP server properties). */
	snprintf(svc->version, sizeof(svc->version), "rabbitmq-server");
	if (!(rc = ipcb_service_arg(svc, "/bin/sh")))
		rc = ipcb_service_arg(svc, "%s/start.sh", svc->dir);
free_paths:
	free(setpriv);
	free(epmd);
	free(server);
	return rc;
}

/* Accepting AMQP logins: the node has booted. Its version is in the server properties. */
static int amqp_ready(struct ipcb_service *svc)
{
	amqp_connection_state_t c = NULL;
	const amqp_table_t *props;
	char limit[16];
	int rc = ipcb_broker_tcp_ready(svc->port, &svc->err);

	if (rc)
		return rc;
	rc = amqp_connect_to(svc->port, &c, &svc->err);
	if (rc) {
		amqp_disconnect(&c, false);
		svc->err.code = -EAGAIN; /* booting still: asked again until the time limit */
		return -EAGAIN;
	}
	props = amqp_get_server_properties(c);
	for (int i = 0; props && i < props->num_entries; i++) {
		const amqp_table_entry_t *e = &props->entries[i];

		if (e->key.len == 7 && memcmp(e->key.bytes, "version", 7) == 0 &&
		    (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
		     e->value.kind == AMQP_FIELD_KIND_BYTES))
			snprintf(svc->version, sizeof(svc->version), "rabbitmq-server %.*s",
				 (int)e->value.value.bytes.len,
				 (const char *)e->value.value.bytes.bytes);
	}
	amqp_disconnect(&c, true);
	ipcb_broker_bytes_text(AMQP_MAX_MSG, limit, sizeof(limit));
	snprintf(svc->limit, sizeof(svc->limit), "max_message_size %s", limit);
	if (!svc->max_msg_bytes || AMQP_MAX_MSG < svc->max_msg_bytes)
		svc->max_msg_bytes = AMQP_MAX_MSG;
	return 0;
}

static const struct ipcb_service_ops amqp_service = {
    .prepare = amqp_prepare,
    .ready = amqp_ready,
};

/* ---- the channel ----------------------------------------------------------------------------- */

static void amqp_queue_name(const struct ipcb_chan *ch, bool ab, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", ch->tag, ab ? "ab" : "ba");
}

/* A broadcast: the fanout exchange, and receiver k's queue bound to it. */
static void amqp_fanout_name(const struct ipcb_chan *ch, char *out, size_t n)
{
	snprintf(out, n, "%s.fan", ch->tag);
}

static void amqp_subscriber_queue(const struct ipcb_chan *ch, unsigned k, char *out, size_t n)
{
	snprintf(out, n, "%s.r%u", ch->tag, k);
}

/* The fanout exchange and a queue per receiver bound to it, on connection c. */
static int amqp_setup_fanout(struct ipcb_chan *ch, amqp_connection_state_t c)
{
	char x[80], q[80];
	int rc;

	amqp_fanout_name(ch, x, sizeof(x));
	amqp_exchange_declare(c, AMQP_CHANNEL, amqp_cstring_bytes(x), amqp_cstring_bytes("fanout"),
			      0, 0, 0, 0, amqp_empty_table);
	rc = amqp_check(amqp_get_rpc_reply(c), &ch->err, "amqp_exchange_declare");
	for (unsigned k = 0; !rc && k < ch->cfg.receivers; k++) {
		amqp_subscriber_queue(ch, k, q, sizeof(q));
		amqp_queue_declare(c, AMQP_CHANNEL, amqp_cstring_bytes(q), 0, 0, 0, 0,
				   amqp_empty_table);
		rc = amqp_check(amqp_get_rpc_reply(c), &ch->err, "amqp_queue_declare");
		if (rc)
			break;
		amqp_queue_bind(c, AMQP_CHANNEL, amqp_cstring_bytes(q), amqp_cstring_bytes(x),
				amqp_empty_bytes, amqp_empty_table);
		rc = amqp_check(amqp_get_rpc_reply(c), &ch->err, "amqp_queue_bind");
	}
	snprintf(ch->layout, sizeof(ch->layout), "RabbitMQ fanout, a queue per receiver (%u)%s%s",
		 ch->cfg.receivers, ipcb_opt(&ch->cfg, AMQP_OPT_CONFIRM) ? ", confirms" : "",
		 ipcb_opt(&ch->cfg, AMQP_OPT_ACK) ? ", acks" : "");
	return rc;
}

/*
 * Both queues, made here so that no message can come before its queue (the default exchange
 * drops what no queue takes), deleted again in teardown; a broadcast's exchange and queues.
 */
static int amqp_setup(struct ipcb_chan *ch)
{
	amqp_connection_state_t c = NULL;
	char q[80];
	int rc;

	if (!ch->cfg.service)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "its broker is not running");
	rc = amqp_connect_to(atoi(ch->cfg.service), &c, &ch->err);
	if (ch->cfg.broadcast) {
		if (!rc)
			rc = amqp_setup_fanout(ch, c);
		amqp_disconnect(&c, rc == 0);
		return rc;
	}
	for (int ab = 1; !rc && ab >= 0; ab--) {
		amqp_queue_name(ch, ab, q, sizeof(q));
		amqp_queue_declare(c, AMQP_CHANNEL, amqp_cstring_bytes(q), 0, 0, 0, 0,
				   amqp_empty_table);
		rc = amqp_check(amqp_get_rpc_reply(c), &ch->err, "amqp_queue_declare");
	}
	amqp_disconnect(&c, rc == 0);
	snprintf(ch->layout, sizeof(ch->layout), "RabbitMQ queue per direction%s%s",
		 ipcb_opt(&ch->cfg, AMQP_OPT_CONFIRM) ? ", confirms" : "",
		 ipcb_opt(&ch->cfg, AMQP_OPT_ACK) ? ", acks" : "");
	return rc;
}

/* The node outlives the run: its queues, and what a failed run left in them, go now. */
static void amqp_teardown(struct ipcb_chan *ch)
{
	amqp_connection_state_t c = NULL;
	struct ipcb_err e = {0};
	char q[80];

	if (!ch->cfg.service || amqp_connect_to(atoi(ch->cfg.service), &c, &e)) {
		amqp_disconnect(&c, false);
		return;
	}
	if (ch->cfg.broadcast) {
		/* Each delete is answered, or the channel is closed and the rest cannot go. */
		for (unsigned k = 0; k < ch->cfg.receivers; k++) {
			amqp_subscriber_queue(ch, k, q, sizeof(q));
			amqp_queue_delete(c, AMQP_CHANNEL, amqp_cstring_bytes(q), 0, 0);
			if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL)
				break;
		}
		amqp_fanout_name(ch, q, sizeof(q));
		amqp_exchange_delete(c, AMQP_CHANNEL, amqp_cstring_bytes(q), 0);
		amqp_get_rpc_reply(c);
		amqp_disconnect(&c, true);
		return;
	}
	for (int ab = 1; ab >= 0; ab--) {
		amqp_queue_name(ch, ab, q, sizeof(q));
		amqp_queue_delete(c, AMQP_CHANNEL, amqp_cstring_bytes(q), 0, 0);
		if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL)
			break;
	}
	amqp_disconnect(&c, true);
}

/*
 * A sender publishes A to B and, in a round trip, consumes B to A; a receiver the other way
 * round. The consumer is registered (consume-ok) before open() returns.
 */
static int amqp_open(struct ipcb_ep *ep)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct amqp_ep *me = ep->priv;
	bool sender = ep->role == IPCB_SENDER;
	int port = atoi(cfg->service), rc;

	me->confirm = ipcb_opt(cfg, AMQP_OPT_CONFIRM);
	me->ack = ipcb_opt(cfg, AMQP_OPT_ACK);
	me->depth = cfg->inflight ? cfg->inflight : 1;
	amqp_queue_name(ep->chan, sender, me->q_out, sizeof(me->q_out));
	amqp_queue_name(ep->chan, !sender, me->q_in, sizeof(me->q_in));
	me->exchange[0] = '\0';
	/* A broadcast: the sender publishes to the fanout, receiver k consumes its own queue. */
	if (cfg->broadcast) {
		amqp_fanout_name(ep->chan, me->exchange, sizeof(me->exchange));
		me->q_out[0] = '\0';
		amqp_subscriber_queue(ep->chan, ep->index, me->q_in, sizeof(me->q_in));
	}
	if (sender || cfg->bidirectional) {
		rc = amqp_connect_to(port, &me->out, &ep->err);
		if (rc)
			return rc;
		if (me->confirm) {
			amqp_confirm_select(me->out, AMQP_CHANNEL);
			rc = amqp_check(amqp_get_rpc_reply(me->out), &ep->err,
					"amqp_confirm_select");
			if (rc)
				return rc;
		}
	}
	if (!sender || cfg->bidirectional) {
		rc = amqp_connect_to(port, &me->in, &ep->err);
		if (rc)
			return rc;
		amqp_basic_consume(me->in, AMQP_CHANNEL, amqp_cstring_bytes(me->q_in),
				   amqp_empty_bytes, 0, !me->ack, 0, amqp_empty_table);
		rc = amqp_check(amqp_get_rpc_reply(me->in), &ep->err, "amqp_basic_consume");
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Publisher confirms: read the broker's acknowledgements, every one already there, then wait
 * for more while at least `keep` publishes are unacknowledged. A nack, or anything else on
 * the channel, fails the run.
 */
IPCB_HOT static int amqp_confirms(struct ipcb_ep *ep, uint64_t keep)
{
	struct amqp_ep *me = ep->priv;

	while (me->published > me->acked) {
		struct timeval zero = {0, 0};
		bool wait = me->published - me->acked >= keep;
		amqp_frame_t f;
		int rc = wait ? amqp_simple_wait_frame(me->out, &f)
			      : amqp_simple_wait_frame_noblock(me->out, &f, &zero);

		if (rc == AMQP_STATUS_TIMEOUT)
			return 0;
		if (rc != AMQP_STATUS_OK)
			return ipcb_errf(&ep->err, -EIO, "amqp_simple_wait_frame", "%s",
					 amqp_error_string2(rc));
		if (f.frame_type != AMQP_FRAME_METHOD)
			continue; /* heartbeats */
		if (f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
			amqp_basic_ack_t *a = f.payload.method.decoded;

			if (a->delivery_tag > me->published)
				return ipcb_errf(&ep->err, -EPROTO, "basic.ack",
						 "acknowledges publish %" PRIu64 " of %" PRIu64,
						 a->delivery_tag, me->published);
			/* Confirms come in order; one may cover every publish up to its tag. */
			me->acked = a->delivery_tag;
			continue;
		}
		return ipcb_errf(&ep->err, -EPROTO, "publisher confirm",
				 f.payload.method.id == AMQP_BASIC_NACK_METHOD
				     ? "the broker refused a message (basic.nack)"
				     : "unexpected method 0x%08x",
				 f.payload.method.id);
	}
	return 0;
}

IPCB_HOT static int amqp_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct amqp_ep *me = ep->priv;
	amqp_bytes_t body = {.len = len, .bytes = (void *)buf};
	int rc = amqp_basic_publish(me->out, AMQP_CHANNEL, amqp_cstring_bytes(me->exchange),
				    amqp_cstring_bytes(me->q_out), 0, 0, NULL, body);

	if (rc != AMQP_STATUS_OK)
		return ipcb_errf(&ep->err, rc == AMQP_STATUS_SOCKET_ERROR ? -EPIPE : -EIO,
				 "amqp_basic_publish", "%s", amqp_error_string2(rc));
	if (!me->confirm)
		return 0;
	me->published++;
	return amqp_confirms(ep, me->depth);
}

IPCB_HOT static int amqp_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct amqp_ep *me = ep->priv;
	amqp_envelope_t env;
	amqp_rpc_reply_t r;
	int rc = 0;

	amqp_maybe_release_buffers(me->in);
	r = amqp_consume_message(me->in, &env, NULL, 0);
	if (r.reply_type != AMQP_RESPONSE_NORMAL)
		return amqp_check(r, &ep->err, "amqp_consume_message");
	if (env.message.body.len != len)
		rc = ipcb_errf(&ep->err, -EBADMSG, "amqp_consume_message",
			       "a %zu-byte message where %zu were sent", env.message.body.len, len);
	else
		memcpy(buf, env.message.body.bytes, len);
	if (!rc && me->ack && amqp_basic_ack(me->in, AMQP_CHANNEL, env.delivery_tag, 0))
		rc = ipcb_err(&ep->err, -EPIPE, "amqp_basic_ack");
	amqp_destroy_envelope(&env);
	return rc;
}

static void amqp_close(struct ipcb_ep *ep)
{
	struct amqp_ep *me = ep->priv;

	if (me->out && me->confirm)
		amqp_confirms(ep, 1); /* the last acknowledgements, read before closing */
	amqp_disconnect(&me->out, true);
	amqp_disconnect(&me->in, true);
}

static void amqp_library(char *out, size_t n)
{
	snprintf(out, n, "librabbitmq %s", amqp_version());
}
#endif /* IPCB_BUILT_AMQP */

const struct ipcb_transport ipcb_transport_amqp = {
    .name = "amqp",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_BROKER,
    .summary = AMQP_SUMMARY,
    .notes = AMQP_NOTES,
    .caps = AMQP_CAPS,
    .max_msg_bytes = AMQP_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = amqp_opts,
    .hops = "via broker",
    IPCB_IF_BUILT(IPCB_BUILT_AMQP, IPCB_WITHOUT_AMQP, .library = amqp_library,
		  .service = &amqp_service, .ep_priv_bytes = sizeof(struct amqp_ep),
		  .probe = amqp_probe, .setup = amqp_setup, .teardown = amqp_teardown,
		  .open = amqp_open, .close = amqp_close, .send = amqp_send, .recv = amqp_recv),
};
