/* SPDX-License-Identifier: MIT */
/*
 * dbusecho.h - what dbus and dbus-p2p share: libdbus connections carrying method calls whose
 * one argument is the payload as a byte array ("ay"), answered by method returns.
 *
 * Round trips: the sender's send() is a call of org.ipcbench.Echo.Echo; the receiver's recv()
 * takes the call and copies the bytes out, and its send() answers with a method return holding
 * the very bytes it is handed (the echo), which the sender's recv() takes. A payload the driver
 * cuts in chunks is several calls, answered in the order they came.
 *
 * Streams: every chunk is a call too, and the receiver answers each at once with an empty
 * return: a D-Bus client that does not wait for answers has no flow control (a bus drops what
 * exceeds a connection's queue, and calls flagged no-reply vanish without a word), so the
 * sender keeps at most DBUSECHO_WINDOW calls unanswered and reads answers as they come.
 *
 * Header-only (static functions): only the files of transports built with libdbus include it.
 */
#ifndef IPCB_DBUSECHO_H
#define IPCB_DBUSECHO_H

#include <dbus/dbus.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define DBUSECHO_PATH	"/org/ipcbench/Echo"
#define DBUSECHO_IFACE	"org.ipcbench.Echo"
#define DBUSECHO_METHOD "Echo"
#define DBUSECHO_WINDOW 64
/* Calls taken but not answered yet (a payload in chunks): at most this many. */
#define DBUSECHO_PENDING 1024
/* The protocol's largest array: the most one call carries. */
#define DBUSECHO_MAX_ARRAY DBUS_MAXIMUM_ARRAY_LENGTH
#define DBUSECHO_DRAIN_MS  2000

struct dbusecho_ep {
	DBusConnection *conn;
	char peer[128];	     /* the bus: the receiver's unique name; "" peer to peer */
	DBusMessage **calls; /* the receiver's calls taken and not yet answered, a ring */
	unsigned head, count;
	unsigned unanswered;   /* the sender's calls without an answer yet */
	bool close_after_peer; /* peer to peer: the receiver waits for the sender to close */
};

static void dbusecho_library(char *out, size_t n)
{
	int maj, min, mic;

	dbus_get_version(&maj, &min, &mic);
	snprintf(out, n, "libdbus %d.%d.%d", maj, min, mic);
}

/* A DBusError as an ipcb error: its name and message in the detail. */
static int dbusecho_fail(struct ipcb_err *e, DBusError *de, int code, const char *call)
{
	ipcb_errf(e, code, call, "%s: %s", de->name ? de->name : "?",
		  de->message ? de->message : "");
	dbus_error_free(de);
	return code;
}

/* A connection's limits at the protocol's, so that the transport's chunk is what bounds a call.
 */
static void dbusecho_limits(DBusConnection *c)
{
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	dbus_connection_set_max_message_size(c, DBUS_MAXIMUM_MESSAGE_LENGTH);
	dbus_connection_set_max_received_size(c, 2L * DBUS_MAXIMUM_MESSAGE_LENGTH);
}

static int dbusecho_alloc(struct ipcb_ep *ep)
{
	struct dbusecho_ep *me = ep->priv;

	if (ep->role == IPCB_RECEIVER) {
		me->calls = calloc(DBUSECHO_PENDING, sizeof(*me->calls));
		if (!me->calls)
			return ipcb_err(&ep->err, -ENOMEM, "calloc(pending calls)");
	}
	return 0;
}

static void dbusecho_close(struct ipcb_ep *ep)
{
	struct dbusecho_ep *me = ep->priv;

	for (unsigned i = 0; me->calls && i < me->count; i++)
		dbus_message_unref(me->calls[(me->head + i) % DBUSECHO_PENDING]);
	free(me->calls);
	me->calls = NULL;
	if (me->conn) {
		int fd = -1;

		/*
		 * Peer to peer, the receiver closes after the sender: libdbus drops a connection
		 * whose peer hung up as soon as it sees the hang-up, before reading what came first
		 * (the echo's last answer). The sender closes once it has every answer (a stream's
		 * sender once every receiver is done), so the receiver waits for that, reading
		 * whatever else comes, at most DBUSECHO_DRAIN_MS.
		 */
		if (me->close_after_peer && dbus_connection_get_is_connected(me->conn) &&
		    dbus_connection_get_socket(me->conn, &fd) && fd >= 0) {
			/* Thrown away: a small buffer (the stack may be small) means more reads. */
			char sink[512];
			struct pollfd p = {.fd = fd, .events = POLLIN};

			while (poll(&p, 1, DBUSECHO_DRAIN_MS) > 0 &&
			       read(fd, sink, sizeof(sink)) > 0)
				;
		}
		dbus_connection_close(me->conn);
		dbus_connection_unref(me->conn);
		me->conn = NULL;
	}
}

/*
 * The next message of one of the wanted types (a call, or a return or error), reading from the
 * connection as needed; others (the bus's signals, NameAcquired) are dropped. NULL: the
 * connection is gone (recorded in ep->err).
 */
static DBusMessage *dbusecho_next(struct ipcb_ep *ep, int want, bool block)
{
	struct dbusecho_ep *me = ep->priv;

	for (;;) {
		DBusMessage *m = dbus_connection_pop_message(me->conn);

		if (m) {
			int type = dbus_message_get_type(m);

			if (type == want || (want == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
					     type == DBUS_MESSAGE_TYPE_ERROR))
				return m;
			dbus_message_unref(m);
			continue;
		}
		if (!block) {
			/* Take what has arrived, without waiting: one message at most. */
			if (!dbus_connection_read_write(me->conn, 0))
				break;
			m = dbus_connection_pop_message(me->conn);
			if (m && (dbus_message_get_type(m) == want ||
				  dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_ERROR))
				return m;
			if (m)
				dbus_message_unref(m);
			return NULL;
		}
		if (!dbus_connection_read_write(me->conn, -1))
			break;
	}
	ipcb_errf(&ep->err, -EPIPE, "dbus_connection_read_write", "the connection closed");
	return NULL;
}

/* An answer that is an error: its name and text, as the run's error. */
static int dbusecho_error_reply(struct ipcb_ep *ep, DBusMessage *m)
{
	DBusError de;

	dbus_error_init(&de);
	dbus_set_error_from_message(&de, m);
	dbus_message_unref(m);
	return dbusecho_fail(&ep->err, &de, -EREMOTEIO, "method call");
}

/* The byte array of m into buf: exactly len bytes, or an error. */
static int dbusecho_payload(struct ipcb_ep *ep, DBusMessage *m, void *buf, size_t len)
{
	DBusMessageIter it, sub;
	const unsigned char *bytes = NULL;
	int n = 0;

	if (!dbus_message_iter_init(m, &it) ||
	    dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(&it) != DBUS_TYPE_BYTE)
		return ipcb_errf(&ep->err, -EBADMSG, "dbus_message_iter", "no byte array in %s",
				 dbus_message_get_member(m) ? dbus_message_get_member(m)
							    : "the answer");
	dbus_message_iter_recurse(&it, &sub);
	dbus_message_iter_get_fixed_array(&sub, &bytes, &n);
	if ((size_t)n != len)
		return ipcb_errf(&ep->err, -EBADMSG, "dbus_message_iter_get_fixed_array",
				 "%d bytes where %zu were sent", n, len);
	memcpy(buf, bytes, len);
	return 0;
}

/* Put the payload in m as its byte array (one copy, into the message). */
static int dbusecho_append(struct ipcb_ep *ep, DBusMessage *m, const void *buf, size_t len)
{
	DBusMessageIter it, sub;
	const unsigned char *bytes = buf;

	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE_AS_STRING,
					      &sub) ||
	    !dbus_message_iter_append_fixed_array(&sub, DBUS_TYPE_BYTE, &bytes, (int)len) ||
	    !dbus_message_iter_close_container(&it, &sub))
		return ipcb_err(&ep->err, -ENOMEM, "dbus_message_iter_append_fixed_array");
	return 0;
}

/* Send m (consumed) and write it out before returning. */
static int dbusecho_push(struct ipcb_ep *ep, DBusMessage *m)
{
	struct dbusecho_ep *me = ep->priv;
	dbus_bool_t sent = dbus_connection_send(me->conn, m, NULL);

	dbus_message_unref(m);
	if (!sent)
		return ipcb_err(&ep->err, -ENOMEM, "dbus_connection_send");
	dbus_connection_flush(me->conn);
	if (!dbus_connection_get_is_connected(me->conn))
		return ipcb_errf(&ep->err, -EPIPE, "dbus_connection_flush",
				 "the connection closed");
	return 0;
}

/* A stream's sender: take the answers that came, and wait for one while the window is full. */
static int dbusecho_answers(struct ipcb_ep *ep)
{
	struct dbusecho_ep *me = ep->priv;

	while (me->unanswered > 0) {
		bool full = me->unanswered >= DBUSECHO_WINDOW;
		DBusMessage *m = dbusecho_next(ep, DBUS_MESSAGE_TYPE_METHOD_RETURN, full);

		if (!m)
			return full || ep->err.code ? (ep->err.code ? ep->err.code : -EPIPE) : 0;
		if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_ERROR)
			return dbusecho_error_reply(ep, m);
		dbus_message_unref(m);
		me->unanswered--;
	}
	return 0;
}

IPCB_HOT static int dbusecho_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct dbusecho_ep *me = ep->priv;
	bool stream = !ep->chan->cfg.bidirectional;
	DBusMessage *m;
	int rc;

	if (ep->role == IPCB_RECEIVER) {
		/* The echo: a return for the oldest call not answered yet, with these bytes. */
		DBusMessage *call;

		if (!me->count)
			return ipcb_errf(&ep->err, -EPROTO, "dbus_message_new_method_return",
					 "no call to answer");
		call = me->calls[me->head];
		me->head = (me->head + 1) % DBUSECHO_PENDING;
		me->count--;
		m = dbus_message_new_method_return(call);
		dbus_message_unref(call);
		if (!m)
			return ipcb_err(&ep->err, -ENOMEM, "dbus_message_new_method_return");
	} else {
		if (stream) {
			rc = dbusecho_answers(ep);
			if (rc)
				return rc;
		}
		m = dbus_message_new_method_call(me->peer[0] ? me->peer : NULL, DBUSECHO_PATH,
						 DBUSECHO_IFACE, DBUSECHO_METHOD);
		if (!m)
			return ipcb_err(&ep->err, -ENOMEM, "dbus_message_new_method_call");
		me->unanswered += stream;
	}
	rc = dbusecho_append(ep, m, buf, len);
	if (rc) {
		dbus_message_unref(m);
		return rc;
	}
	return dbusecho_push(ep, m);
}

IPCB_HOT static int dbusecho_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct dbusecho_ep *me = ep->priv;
	bool stream = !ep->chan->cfg.bidirectional;
	DBusMessage *m;
	int rc;

	if (ep->role == IPCB_SENDER) {
		m = dbusecho_next(ep, DBUS_MESSAGE_TYPE_METHOD_RETURN, true);
		if (!m)
			return ep->err.code;
		if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_ERROR)
			return dbusecho_error_reply(ep, m);
		rc = dbusecho_payload(ep, m, buf, len);
		dbus_message_unref(m);
		return rc;
	}
	m = dbusecho_next(ep, DBUS_MESSAGE_TYPE_METHOD_CALL, true);
	if (!m)
		return ep->err.code;
	rc = dbusecho_payload(ep, m, buf, len);
	if (rc) {
		dbus_message_unref(m);
		return rc;
	}
	if (stream) {
		/* A stream's call is answered at once, empty: the sender's window moves on. */
		DBusMessage *r = dbus_message_new_method_return(m);

		dbus_message_unref(m);
		return r ? dbusecho_push(ep, r)
			 : ipcb_err(&ep->err, -ENOMEM, "dbus_message_new_method_return");
	}
	if (me->count == DBUSECHO_PENDING) {
		dbus_message_unref(m);
		return ipcb_errf(&ep->err, -ENOBUFS, "dbus", "more than %d calls unanswered",
				 DBUSECHO_PENDING);
	}
	me->calls[(me->head + me->count) % DBUSECHO_PENDING] = m;
	me->count++;
	return 0;
}

#endif /* IPCB_DBUSECHO_H */
