/* SPDX-License-Identifier: MIT */
/*
 * dbus-p2p - the same D-Bus method calls as dbus, peer to peer: the receiver listens with a
 * DBusServer on a Unix socket in the run's directory and the sender opens a connection to it
 * (libdbus from Debian), so no daemon relays the messages. Next to dbus's rows, the
 * difference is the daemon's cost.
 *
 * Cost of one message: libdbus marshals the payload into a message (one copy), writes it to
 * the socket; the peer reads it, demarshals it and copies the bytes out: unix-stream's work
 * plus D-Bus's framing, (de)marshalling and message allocation (hops: direct).
 * Limits: the protocol's largest array (64 MiB) per call; larger payloads are chunked.
 *
 * Built only with libdbus (transports/meson.build: 'dbus_p2p dbus-1:libdbus-1-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define DBUS_P2P_SUMMARY                                                                           \
	"D-Bus method calls, byte array echoed in the reply, peer to peer: no daemon (libdbus)"
#define DBUS_P2P_CAPS (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR)

#if IPCB_BUILT_DBUS_P2P
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "dbusecho.h"

struct dbus_p2p_ep {
	struct dbusecho_ep e; /* first: what dbusecho.h works on */
	DBusServer *srv;
	DBusWatch *watch; /* the server's listening socket, to poll */
};

static dbus_bool_t dbus_p2p_add_watch(DBusWatch *w, void *data)
{
	struct dbus_p2p_ep *me = data;

	if (dbus_watch_get_flags(w) & DBUS_WATCH_READABLE)
		me->watch = w;
	return TRUE;
}

static void dbus_p2p_remove_watch(DBusWatch *w, void *data)
{
	struct dbus_p2p_ep *me = data;

	if (me->watch == w)
		me->watch = NULL;
}

/* The server's callback for the sender's connection: keep it. */
static void dbus_p2p_new_conn(DBusServer *srv, DBusConnection *c, void *data)
{
	struct dbus_p2p_ep *me = data;

	if (!me->e.conn)
		me->e.conn = dbus_connection_ref(c);
}

static int dbus_p2p_open(struct ipcb_ep *ep)
{
	struct dbus_p2p_ep *me = ep->priv;
	char where[256], *addr;
	DBusError de;
	int rc = dbusecho_alloc(ep);

	if (rc || ep->role != IPCB_RECEIVER)
		return rc;
	me->e.close_after_peer = true;
	if (snprintf(where, sizeof(where), "unix:path=%s/p2p", ep->chan->cfg.run_dir) >=
	    (int)sizeof(where))
		return ipcb_errf(&ep->err, -ENAMETOOLONG, "dbus_server_listen",
				 "run directory path too long");
	dbus_error_init(&de);
	me->srv = dbus_server_listen(where, &de);
	if (!me->srv)
		return dbusecho_fail(&ep->err, &de, -EADDRNOTAVAIL, "dbus_server_listen");
	if (!dbus_server_set_watch_functions(me->srv, dbus_p2p_add_watch, dbus_p2p_remove_watch,
					     NULL, me, NULL))
		return ipcb_err(&ep->err, -ENOMEM, "dbus_server_set_watch_functions");
	dbus_server_set_new_connection_function(me->srv, dbus_p2p_new_conn, me, NULL);
	/* The address with the server's GUID, which the connecting side checks. */
	addr = dbus_server_get_address(me->srv);
	if (!addr || strlen(addr) >= sizeof(ep->addr.bytes)) {
		dbus_free(addr);
		return ipcb_errf(&ep->err, -ENAMETOOLONG, "dbus_server_get_address",
				 "the address does not fit");
	}
	ep->addr.len = (uint32_t)strlen(addr);
	memcpy(ep->addr.bytes, addr, ep->addr.len);
	dbus_free(addr);
	return 0;
}

/* The sender connects; the receiver waits for that connection on its server's socket. */
static int dbus_p2p_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct dbus_p2p_ep *me = ep->priv;
	char where[IPCB_ADDR_BYTES + 1];
	DBusError de;

	dbus_error_init(&de);
	if (ep->role == IPCB_SENDER) {
		memcpy(where, peers->receiver[0].bytes, peers->receiver[0].len);
		where[peers->receiver[0].len] = '\0';
		me->e.conn = dbus_connection_open_private(where, &de);
		if (!me->e.conn)
			return dbusecho_fail(&ep->err, &de, -ECONNREFUSED,
					     "dbus_connection_open_private");
		dbusecho_limits(me->e.conn);
		return 0;
	}
	while (!me->e.conn) {
		struct pollfd p;

		if (!me->watch)
			return ipcb_errf(&ep->err, -EBADF, "dbus_server", "no socket to listen on");
		p = (struct pollfd){.fd = dbus_watch_get_unix_fd(me->watch), .events = POLLIN};
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return ipcb_err(&ep->err, -errno, "poll(dbus server)");
		if (p.revents && !dbus_watch_handle(me->watch, DBUS_WATCH_READABLE))
			return ipcb_err(&ep->err, -ENOMEM, "dbus_watch_handle");
	}
	dbusecho_limits(me->e.conn);
	/* One peer: the listening socket is not needed any more. */
	dbus_server_disconnect(me->srv);
	dbus_server_unref(me->srv);
	me->srv = NULL;
	return 0;
}

static void dbus_p2p_close(struct ipcb_ep *ep)
{
	struct dbus_p2p_ep *me = ep->priv;

	if (me->srv) {
		dbus_server_disconnect(me->srv);
		dbus_server_unref(me->srv);
		me->srv = NULL;
	}
	dbusecho_close(ep);
}

static int dbus_p2p_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "method calls peer to peer (DBusServer)");
	return 0;
}

static void dbus_p2p_teardown(struct ipcb_chan *ch)
{
}
#endif /* IPCB_BUILT_DBUS_P2P */

const struct ipcb_transport ipcb_transport_dbus_p2p = {
    .name = "dbus-p2p",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = DBUS_P2P_SUMMARY,
    .caps = DBUS_P2P_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    IPCB_IF_BUILT(IPCB_BUILT_DBUS_P2P, IPCB_WITHOUT_DBUS_P2P, .max_msg_bytes = DBUSECHO_MAX_ARRAY,
		  .library = dbusecho_library, .ep_priv_bytes = sizeof(struct dbus_p2p_ep),
		  .setup = dbus_p2p_setup, .teardown = dbus_p2p_teardown, .open = dbus_p2p_open,
		  .connect = dbus_p2p_connect, .close = dbus_p2p_close, .send = dbusecho_send,
		  .recv = dbusecho_recv),
};
