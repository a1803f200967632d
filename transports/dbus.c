/* SPDX-License-Identifier: MIT */
/*
 * dbus - D-Bus method calls through a private dbus-daemon started for the invocation (libdbus
 * and dbus-daemon from Debian): the payload travels as the call's byte array and comes back in
 * the method return (util/dbusecho.h says how calls, answers and streams go).
 *
 * Cost of one message: libdbus marshals the payload into a message (one copy) and writes it to
 * the daemon's Unix socket; dbus-daemon reads it, checks it against its policy, routes it to
 * the receiver's unique name and writes it to the receiver's socket; the receiver reads and
 * demarshals it and copies the bytes out. So each way is two socket hops and the daemon's
 * work (hops: via daemon); the daemon runs on --server-cpu (default the receiver's CPU) and
 * its CPU time per message is in the row. dbus-p2p makes the same calls without the daemon:
 * the two rows side by side are the daemon's cost.
 * Limits: the bus's largest message (its max_message_size, 32 MiB by default in dbus-daemon,
 * left as it is here) is probed from the running daemon before the first run: payloads of 1,
 * 2, 4, ... MiB are sent through it to the prober itself until one is refused, and larger
 * payloads go in chunks of the largest it took.
 *
 * Publish-subscribe (--deliver all): the sender emits each message as a signal
 * (org.ipcbench.Echo.Publish, the payload its byte array) on an object path of the run's own,
 * and every receiver added a match rule for it in open() (AddMatch is answered, so it is in
 * place before the start barrier); the daemon copies each signal to every connection whose rule
 * matches. Signals are not answered, so nothing paces the sender but its socket: the daemon
 * queues what a receiver has not read yet, and once a receiver's queue holds more than the
 * bus's max_outgoing_bytes (dbus-daemon's default, 127 MiB, left as it is) it drops the signals
 * meant for it without a word to anyone. So a broadcast may lose messages (lossy(): each
 * receiver counts its gaps), and the calls of a pair never do.
 *
 * Built only with libdbus (transports/meson.build: 'dbus dbus-1:libdbus-1-dev'); the daemon
 * is Debian's dbus-daemon package.
 */
#include "broker.h"
#include "ipcb_config.h"
#include "transport.h"

#define DBUS_SUMMARY                                                                               \
	"D-Bus method calls, byte array echoed in the reply, through a private dbus-daemon "       \
	"(libdbus)"
/* Lossy only when it broadcasts: the daemon drops signals for a receiver whose queue is full. */
#define DBUS_CAPS (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_BROADCAST | IPCB_CAP_LOSSY)
#define DBUS_NOTES                                                                                 \
	"a dbus-daemon of its own is started for the invocation (its socket and configuration in " \
	"a directory of its own, its limits dbus-daemon's defaults), pinned with --server-cpu; "   \
	"the "                                                                                     \
	"largest payload the bus passes is probed from it and larger payloads are chunked; in "    \
	"streams every call is answered (empty) and at most 64 are unanswered; --deliver all: "    \
	"signals, a match rule per receiver, dropped by the daemon for a receiver whose queue is " \
	"full (counted as losses)"

#if IPCB_BUILT_DBUS
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbusecho.h"

/* The bus configuration: one listening socket in the service's directory, anyone may talk. */
static int dbus_prepare(struct ipcb_service *svc)
{
	char *path;
	FILE *f;
	int fd, rc = 0;

	/* Made here and nowhere else (O_EXCL), read by the daemon only (0600, never via a link). */
	if (asprintf(&path, "%s/bus.conf", svc->dir) < 0)
		return ipcb_err(&svc->err, -ENOMEM, "asprintf");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = ipcb_errf(&svc->err, -errno, "open", "%s", path);
		goto free_path;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = ipcb_errf(&svc->err, -errno, "fdopen", "%s", path);
		close(fd);
		goto free_path;
	}
	fprintf(
	    f,
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <listen>unix:path=%s/bus</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	    "    <allow eavesdrop=\"true\"/>\n"
	    "    <allow own=\"*\"/>\n"
	    "  </policy>\n"
	    "</busconfig>\n",
	    svc->dir);
	if (fclose(f) != 0) {
		rc = ipcb_errf(&svc->err, -errno, "fclose", "%s", path);
		goto free_path;
	}
	if (snprintf(svc->addr, sizeof(svc->addr), "unix:path=%s/bus", svc->dir) >=
	    (int)sizeof(svc->addr)) {
		rc = ipcb_errf(&svc->err, -ENAMETOOLONG, "bus address", "%s", svc->dir);
		goto free_path;
	}
	if (ipcb_service_arg(svc, "dbus-daemon") ||
	    ipcb_service_arg(svc, "--config-file=%s", path) || ipcb_service_arg(svc, "--nofork") ||
	    ipcb_service_arg(svc, "--nopidfile") || ipcb_service_arg(svc, "--nosyslog"))
		rc = svc->err.code;
free_path:
	free(path);
	return rc;
}

/* Connect to the bus and say hello: the connection, or NULL with e filled. */
static DBusConnection *dbus_join(const char *addr, struct ipcb_err *e)
{
	DBusConnection *c;
	DBusError de;

	dbus_error_init(&de);
	c = dbus_connection_open_private(addr, &de);
	if (!c) {
		dbusecho_fail(e, &de, -ECONNREFUSED, "dbus_connection_open_private");
		return NULL;
	}
	dbusecho_limits(c);
	if (!dbus_bus_register(c, &de)) {
		dbusecho_fail(e, &de, -EPROTO, "dbus_bus_register");
		dbus_connection_close(c);
		dbus_connection_unref(c);
		return NULL;
	}
	return c;
}

/* Does the bus pass a call with a payload of `bytes` to the caller itself? */
static bool dbus_passes(DBusConnection **c, const char *me, size_t bytes, void *buf)
{
	DBusMessage *m =
	    dbus_message_new_method_call(me, DBUSECHO_PATH, DBUSECHO_IFACE, DBUSECHO_METHOD);
	const unsigned char *p = buf;
	DBusMessageIter it, sub;
	bool back = false;

	if (!m)
		return false;
	dbus_message_set_no_reply(m, TRUE);
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE_AS_STRING, &sub);
	dbus_message_iter_append_fixed_array(&sub, DBUS_TYPE_BYTE, &p, (int)bytes);
	dbus_message_iter_close_container(&it, &sub);
	dbus_connection_send(*c, m, NULL);
	dbus_message_unref(m);
	dbus_connection_flush(*c);
	/*
	 * It comes back, or the bus drops the connection that sent what it will not take (libdbus
	 * reads a few KiB per call: a large message takes many). Ten seconds at most.
	 */
	for (time_t end = time(NULL) + 10; !back && time(NULL) < end;) {
		if (!dbus_connection_read_write(*c, 100))
			break;
		while ((m = dbus_connection_pop_message(*c))) {
			back |= dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_METHOD_CALL;
			dbus_message_unref(m);
		}
	}
	if (!back) {
		dbus_connection_close(*c);
		dbus_connection_unref(*c);
		*c = NULL;
	}
	return back;
}

/* Ready when a client can say hello; then the largest payload the bus passes is probed. */
static int dbus_ready(struct ipcb_service *svc)
{
	DBusConnection *c = dbus_join(svc->addr, &svc->err);
	size_t took = 0, refused = 0;
	char name[128];
	void *buf;

	if (!c)
		return -EAGAIN; /* the socket may not be there yet */
	snprintf(name, sizeof(name), "%s", dbus_bus_get_unique_name(c));
	buf = calloc(1, DBUSECHO_MAX_ARRAY);
	if (!buf) {
		dbus_connection_close(c);
		dbus_connection_unref(c);
		return ipcb_err(&svc->err, -ENOMEM, "calloc(probe)");
	}
	for (size_t bytes = 1u << 20; bytes <= DBUSECHO_MAX_ARRAY && c; bytes *= 2) {
		if (!dbus_passes(&c, name, bytes, buf)) {
			refused = bytes;
			break;
		}
		took = bytes;
	}
	free(buf);
	if (c) {
		dbus_connection_close(c);
		dbus_connection_unref(c);
	}
	if (!took)
		return ipcb_errf(&svc->err, -EMSGSIZE, "probe", "the bus passed no 1 MiB payload");
	svc->max_msg_bytes = took;
	if (refused)
		snprintf(svc->limit, sizeof(svc->limit),
			 "the bus passed %zu MiB payloads and refused %zu MiB: chunks of %zu MiB",
			 took >> 20, refused >> 20, took >> 20);
	else
		snprintf(svc->limit, sizeof(svc->limit),
			 "the bus passed the protocol's largest array");
	return 0;
}

/* The daemon must be there: it comes in its own package. */
static int dbus_probe(struct ipcb_probe *p)
{
	return ipcb_broker_probe(p, "dbus-daemon", "dbus-daemon");
}

static const struct ipcb_service_ops dbus_service = {.prepare = dbus_prepare, .ready = dbus_ready};

/* ---- publish-subscribe: signals ------------------------------------------------------------ */

#define DBUS_PUBLISH_MEMBER "Publish"

/* The run's object path, "/org/ipcbench/Echo/<tag>", the tag's '-' as '_' (a path's letters). */
static void dbus_publish_path(const struct ipcb_chan *ch, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "%s/", DBUSECHO_PATH);

	for (const char *c = ch->tag; *c && len + 1 < n; c++)
		out[len++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
					    (*c >= '0' && *c <= '9')
					? *c
					: '_');
	out[len < n ? len : n - 1] = '\0';
}

/* A receiver's match rule for the run's signals, added and answered before the barrier. */
static int dbus_subscribe(struct ipcb_ep *ep)
{
	struct dbusecho_ep *me = ep->priv;
	char path[160], rule[320];
	DBusError de;

	dbus_publish_path(ep->chan, path, sizeof(path));
	snprintf(rule, sizeof(rule), "type='signal',interface='%s',member='%s',path='%s'",
		 DBUSECHO_IFACE, DBUS_PUBLISH_MEMBER, path);
	dbus_error_init(&de);
	dbus_bus_add_match(me->conn, rule, &de);
	if (dbus_error_is_set(&de))
		return dbusecho_fail(&ep->err, &de, -EPROTO, "dbus_bus_add_match");
	return 0;
}

/* The sender: the message as one signal on the run's path, written out before returning. */
IPCB_HOT static int dbus_publish(struct ipcb_ep *ep, const void *buf, size_t len)
{
	char path[160];
	DBusMessage *m;
	int rc;

	dbus_publish_path(ep->chan, path, sizeof(path));
	m = dbus_message_new_signal(path, DBUSECHO_IFACE, DBUS_PUBLISH_MEMBER);
	if (!m)
		return ipcb_err(&ep->err, -ENOMEM, "dbus_message_new_signal");
	rc = dbusecho_append(ep, m, buf, len);
	if (rc) {
		dbus_message_unref(m);
		return rc;
	}
	return dbusecho_push(ep, m);
}

/* A receiver: the next of the run's signals; others (the bus's NameAcquired) are dropped. */
IPCB_HOT static int dbus_take_signal(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct dbusecho_ep *me = ep->priv;

	for (;;) {
		DBusMessage *m = dbus_connection_pop_message(me->conn);
		int rc;

		if (!m) {
			if (!dbus_connection_read_write(me->conn, -1))
				return ipcb_errf(&ep->err, -EPIPE, "dbus_connection_read_write",
						 "the connection closed");
			continue;
		}
		if (!dbus_message_is_signal(m, DBUSECHO_IFACE, DBUS_PUBLISH_MEMBER)) {
			dbus_message_unref(m);
			continue;
		}
		rc = dbusecho_payload(ep, m, buf, len);
		dbus_message_unref(m);
		return rc;
	}
}

/*
 * The hooks choose by the run's delivery: one test of a flag the run never changes, against a
 * message that libdbus marshals and the daemon routes.
 */
IPCB_HOT static int dbus_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	return ep->chan->cfg.broadcast ? dbus_publish(ep, buf, len) : dbusecho_send(ep, buf, len);
}

IPCB_HOT static int dbus_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	return ep->chan->cfg.broadcast ? dbus_take_signal(ep, buf, len)
				       : dbusecho_recv(ep, buf, len);
}

static bool dbus_lossy(const struct ipcb_chan_cfg *cfg)
{
	return cfg->broadcast;
}

/* ---- the endpoints ----------------------------------------------------------------------------
 */

static int dbus_open(struct ipcb_ep *ep)
{
	struct dbusecho_ep *me = ep->priv;
	int rc = dbusecho_alloc(ep);

	if (rc)
		return rc;
	if (!ep->chan->cfg.service)
		return ipcb_errf(&ep->err, -ENOTCONN, "dbus", "no bus: its daemon was not started");
	me->conn = dbus_join(ep->chan->cfg.service, &ep->err);
	if (!me->conn)
		return ep->err.code;
	if (ep->chan->cfg.broadcast)
		return ep->role == IPCB_RECEIVER ? dbus_subscribe(ep) : 0;
	/* Callers reach the receiver by the unique name the bus gave it. */
	if (ep->role == IPCB_RECEIVER) {
		const char *name = dbus_bus_get_unique_name(me->conn);

		ep->addr.len = (uint32_t)strlen(name);
		memcpy(ep->addr.bytes, name, ep->addr.len);
	}
	return 0;
}

static int dbus_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct dbusecho_ep *me = ep->priv;
	size_t n = peers->receiver[0].len;

	/* A signal goes to whoever matches it: the sender needs no receiver's name. */
	if (ep->role == IPCB_SENDER && !ep->chan->cfg.broadcast) {
		if (n == 0 || n >= sizeof(me->peer))
			return ipcb_errf(&ep->err, -EINVAL, "dbus", "the receiver has no bus name");
		memcpy(me->peer, peers->receiver[0].bytes, n);
		me->peer[n] = '\0';
	}
	return 0;
}

static int dbus_setup(struct ipcb_chan *ch)
{
	if (ch->cfg.broadcast)
		snprintf(ch->layout, sizeof(ch->layout),
			 "signals through dbus-daemon, %u match rules", ch->cfg.receivers);
	else
		snprintf(ch->layout, sizeof(ch->layout), "method calls through dbus-daemon");
	return 0;
}

static void dbus_teardown(struct ipcb_chan *ch)
{
}
#endif /* IPCB_BUILT_DBUS */

const struct ipcb_transport ipcb_transport_dbus = {
    .name = "dbus",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = DBUS_SUMMARY,
    .notes = DBUS_NOTES,
    .caps = DBUS_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .hops = "via daemon",
    IPCB_IF_BUILT(IPCB_BUILT_DBUS, IPCB_WITHOUT_DBUS, .max_msg_bytes = DBUSECHO_MAX_ARRAY,
		  .library = dbusecho_library, .service = &dbus_service, .probe = dbus_probe,
		  .ep_priv_bytes = sizeof(struct dbusecho_ep), .setup = dbus_setup,
		  .teardown = dbus_teardown, .open = dbus_open, .connect = dbus_connect,
		  .close = dbusecho_close, .send = dbus_send, .recv = dbus_recv,
		  .lossy = dbus_lossy),
};
