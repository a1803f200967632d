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
 * Built only with libdbus (transports/meson.build: 'dbus dbus-1:libdbus-1-dev'); the daemon
 * is Debian's dbus-daemon package.
 */
#include "ipcb_config.h"
#include "transport.h"

#define DBUS_SUMMARY                                                                               \
	"D-Bus method calls, byte array echoed in the reply, through a private dbus-daemon "       \
	"(libdbus)"
#define DBUS_CAPS (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES)
#define DBUS_NOTES                                                                                 \
	"a dbus-daemon of its own is started for the invocation (its socket and configuration in " \
	"a directory of its own, its limits dbus-daemon's defaults), pinned with --server-cpu; "   \
	"the "                                                                                     \
	"largest payload the bus passes is probed from it and larger payloads are chunked; in "    \
	"streams every call is answered (empty) and at most 64 are unanswered"

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
	char path[4200];
	FILE *f;
	int fd;

	/* Made here and nowhere else (O_EXCL), read by the daemon only (0600, never via a link). */
	snprintf(path, sizeof(path), "%s/bus.conf", svc->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ipcb_errf(&svc->err, -errno, "open", "%s", path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return ipcb_errf(&svc->err, -errno, "fdopen", "%s", path);
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
	if (fclose(f) != 0)
		return ipcb_errf(&svc->err, -errno, "fclose", "%s", path);
	if (snprintf(svc->addr, sizeof(svc->addr), "unix:path=%s/bus", svc->dir) >=
	    (int)sizeof(svc->addr))
		return ipcb_errf(&svc->err, -ENAMETOOLONG, "bus address", "%s", svc->dir);
	if (ipcb_service_arg(svc, "dbus-daemon") ||
	    ipcb_service_arg(svc, "--config-file=%s", path) || ipcb_service_arg(svc, "--nofork") ||
	    ipcb_service_arg(svc, "--nopidfile") || ipcb_service_arg(svc, "--nosyslog"))
		return svc->err.code;
	return 0;
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
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";

	for (const char *d = path; *d; d += *d == ':') {
		char exe[4200];
		size_t len = strcspn(d, ":");

		snprintf(exe, sizeof(exe), "%.*s/dbus-daemon", (int)len, d);
		if (access(exe, X_OK) == 0)
			return 0;
		d += len;
	}
	snprintf(p->reason, sizeof(p->reason),
		 "dbus-daemon: not found in PATH: install the Debian package dbus-daemon");
	return -ENOENT;
}

static const struct ipcb_service_ops dbus_service = {.prepare = dbus_prepare, .ready = dbus_ready};

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

	if (ep->role == IPCB_SENDER) {
		if (n == 0 || n >= sizeof(me->peer))
			return ipcb_errf(&ep->err, -EINVAL, "dbus", "the receiver has no bus name");
		memcpy(me->peer, peers->receiver[0].bytes, n);
		me->peer[n] = '\0';
	}
	return 0;
}

static int dbus_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "method calls through dbus-daemon");
	return 0;
}

static void dbus_teardown(struct ipcb_chan *ch)
{
}

const struct ipcb_transport ipcb_transport_dbus = {
    .name = "dbus",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = DBUS_SUMMARY,
    .notes = DBUS_NOTES,
    .caps = DBUS_CAPS,
    .max_msg_bytes = DBUSECHO_MAX_ARRAY,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .hops = "via daemon",
    .library = dbusecho_library,
    .service = &dbus_service,
    .probe = dbus_probe,
    .ep_priv_bytes = sizeof(struct dbusecho_ep),
    .setup = dbus_setup,
    .teardown = dbus_teardown,
    .open = dbus_open,
    .connect = dbus_connect,
    .close = dbusecho_close,
    .send = dbusecho_send,
    .recv = dbusecho_recv,
};
#else  /* !IPCB_BUILT_DBUS */
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
    .unsupported = IPCB_WITHOUT_DBUS,
};
#endif /* IPCB_BUILT_DBUS */
