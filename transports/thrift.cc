/* SPDX-License-Identifier: MIT */
/*
 * thrift - Apache Thrift's binary protocol, libthrift from Debian: the sender is the generated
 * client of the Echo service (transports/thrift_echo.thrift, compiled by the thrift compiler at
 * build time), the receiver a blocking server of its one connection. On one host it goes over a
 * Unix stream socket in the run's directory, beside unix-stream, or over TCP on 127.0.0.1 with
 * -o thrift.socket=tcp; between two hosts (the driver's cfg.host, IPCB_CAP_NETWORK) over TCP on
 * each host's address, since a path cannot cross hosts. A C++ file behind the C contract: the
 * entry at the end is the same struct every transport ends with.
 *
 * A round trip is one call of Echo.echo: the sender's send() hands the request over and its
 * recv() makes the call (EchoClient::echo: the request written and flushed, the result read),
 * the result read straight into the reply. The receiver serves the call as the generated
 * processor does, split where the driver stands between the two halves: its recv() reads the
 * call (readMessageBegin, the generated Echo_echo_args, readMessageEnd, readEnd) and its send()
 * writes the result with the very bytes it is handed (an Echo_echo_result, writeEnd, flush).
 * It keeps one args and one result object for the run, where the processor makes new ones per
 * call, so the receiver allocates nothing once the strings have grown. Streams: each message
 * is a call of Echo.push, `oneway`, which Thrift writes and flushes without waiting for an
 * answer, and the server reads without writing one (ONC RPC and HTTP have no such call: rpc
 * and http answer every stream message, empty). The server flushes its empty output after each
 * one-way call, which writes nothing: libthrift 0.17 restores a connection's read allowance
 * (TConfiguration's maximum message size, counted over every byte read since) only there, and
 * a connection that only reads would otherwise be cut off once its calls add up to the limit.
 *
 * Framing: TFramedTransport by default, TBufferedTransport with -o thrift.transport=buffered.
 * The framed transport puts a 4-byte length before each message and hands the kernel the whole
 * message in one write(); the receiver reads the length, then the rest into a buffer that grows
 * to the largest message, in as few read()s as the socket allows, and the protocol parses it
 * from memory. It is the framing Thrift's non-blocking servers require, and the one whose
 * system calls do not grow with the message: the default, for that. The buffered transport has
 * no length: it buffers 512 bytes each way (Thrift's default), writes a large payload with a
 * second write() past its buffer, and reads a large one 512 bytes per read(); the option
 * measures what that costs.
 *
 * Cost of one message: the payload copied into a std::string (the generated client takes one),
 * the framed transport's copy into its frame, the protocol's field and message headers (the
 * method's name, a sequence number), and on the receiving side the copy out of the frame into
 * the argument's string and from there into the driver's buffer: the socket's cost plus those
 * copies and Thrift's virtual calls. No process or thread of its own (hops: direct).
 * Limits: none per message below 2 GiB (binary's length is an i32); Thrift's default limits of
 * 100 MB per message and 16 MB per frame are lifted to that.
 *
 * Built only with a C++ compiler, libthrift, the Boost headers libthrift's own include (Debian's
 * libthrift-dev does not pull them in) and the thrift compiler (transports/meson.build: 'thrift
 * thrift:libthrift-dev boost:libboost-dev !thrift:thrift-compiler !g++:g++'); without them meson
 * compiles transports/util/unsupported.c.in for it instead, saying which package to install.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <memory>
#include <new>
#include <string>

#include <thrift/TApplicationException.h>
#include <thrift/TConfiguration.h>
#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include "Echo.h"

extern "C" {
#include "ipcb_config.h"
#include "netsock.h"
#include "transport.h"
}

#include <netinet/tcp.h>

namespace
{

using apache::thrift::TApplicationException;
using apache::thrift::TConfiguration;
using apache::thrift::TException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;

enum { THRIFT_OPT_SOCKET = 0, THRIFT_OPT_TRANSPORT };
enum { THRIFT_SOCKET_AUTO = 0, THRIFT_SOCKET_UNIX, THRIFT_SOCKET_TCP };
enum { THRIFT_FRAMED = 0, THRIFT_BUFFERED };

const struct ipcb_option thrift_options[] = {
    {"socket", IPCB_OPT_CHOICE, "auto", "auto|unix|tcp", 0, 0,
     "auto: a Unix stream socket in the run's directory on one host, TCP between two; unix; tcp "
     "(127.0.0.1 on one host)",
     nullptr, false},
    {"transport", IPCB_OPT_CHOICE, "framed", "framed|buffered", 0, 0,
     "framed: TFramedTransport (a length, then the message in one write); buffered: "
     "TBufferedTransport (Thrift's 512-byte buffers each way)",
     nullptr, false},
    {nullptr, IPCB_OPT_UINT, nullptr, nullptr, 0, 0, nullptr, nullptr, false},
};

const char thrift_notes[] =
    "-o thrift.socket=auto (the default) runs over a Unix socket on one host and over TCP on "
    "each host's address between two (--peer, serve); the receiver accepts only the "
    "connection from the address the sender published. A stream is one-way calls (oneway).";

/* One endpoint: the sender's client, or the receiver's server of its one connection. */
struct thrift_ep {
	bool tcp = false, stream = false;
	int fd = -1;		  /* the connection, until the TSocket owns it */
	int lfd = -1;		  /* the receiver's listening socket, until it has accepted */
	union ipcb_sockaddr from; /* TCP: the sender's published address, the one let in */
	std::shared_ptr<TConfiguration> conf;
	std::shared_ptr<TSocket> sock;
	std::shared_ptr<TTransport> trans; /* framed or buffered, over sock */
	std::shared_ptr<TProtocol> proto;
	/* The sender. */
	std::unique_ptr<ipcbench::EchoClient> client;
	std::string req, reply;
	const void *pending = nullptr; /* the request send() handed over, for recv() to make */
	size_t pending_len = 0;
	/* The receiver. */
	std::string fname;
	ipcbench::Echo_echo_args echo_args;
	ipcbench::Echo_push_args push_args;
	ipcbench::Echo_echo_result result;
	int32_t seqid = 0;
	bool call_open = false; /* an echo call read, its result not yet written */
};

thrift_ep *thrift_self(struct ipcb_ep *ep)
{
	return static_cast<thrift_ep *>(*static_cast<void **>(ep->priv));
}

/* TCP between two hosts, or on one when asked; a Unix socket otherwise. */
bool thrift_over_tcp(const struct ipcb_chan_cfg *cfg)
{
	uint64_t v = ipcb_opt(cfg, THRIFT_OPT_SOCKET);

	return v == THRIFT_SOCKET_TCP || (v != THRIFT_SOCKET_UNIX && cfg->host);
}

/*
 * Thrift prints what its sockets find wrong (a peer gone) on stderr before it throws; the
 * exception is what the run reports, and a side prints nothing of its own.
 */
void thrift_quiet(const char *msg)
{
	(void)msg;
}

/* What an exception from Thrift means for the run: its errno, the call, and what it said. */
int thrift_fail(struct ipcb_ep *ep, const char *call)
{
	try {
		throw;
	} catch (const TTransportException &e) {
		int code = -EIO;

		switch (e.getType()) {
		case TTransportException::END_OF_FILE:
		case TTransportException::NOT_OPEN:
			code = -EPIPE; /* the peer went away */
			break;
		case TTransportException::TIMED_OUT:
			code = -ETIMEDOUT;
			break;
		case TTransportException::CORRUPTED_DATA:
			code = -EPROTO;
			break;
		default:
			break;
		}
		return ipcb_errf(&ep->err, code, call, "TTransportException: %s", e.what());
	} catch (const TProtocolException &e) {
		return ipcb_errf(&ep->err, -EPROTO, call, "TProtocolException: %s", e.what());
	} catch (const TApplicationException &e) {
		return ipcb_errf(&ep->err, -EPROTO, call, "TApplicationException: %s", e.what());
	} catch (const std::bad_alloc &) {
		return ipcb_err(&ep->err, -ENOMEM, call);
	} catch (const std::exception &e) {
		return ipcb_errf(&ep->err, -EIO, call, "%s", e.what());
	}
}

/* close() that ignores -1 and sets the descriptor to -1, so a second close is harmless. */
void thrift_fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int thrift_nodelay(struct ipcb_ep *ep, int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ipcb_err(&ep->err, -errno, "setsockopt(TCP_NODELAY)");
	return 0;
}

/* The receiver listens: on a Unix socket in the run's directory, or on its host's address. */
int thrift_listen(struct ipcb_ep *ep, thrift_ep *me)
{
	struct sockaddr_un a;
	size_t n;

	if (me->tcp) {
		union ipcb_sockaddr at;

		me->lfd = ipcb_net_bound_socket(&ep->chan->cfg, SOCK_STREAM, true, &at, &ep->err);
		if (me->lfd < 0)
			return me->lfd;
		ipcb_net_publish(&ep->addr, &at);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/thrift", ep->chan->cfg.run_dir) >=
	    (int)sizeof(a.sun_path))
		return ipcb_errf(&ep->err, -ENAMETOOLONG, "bind",
				 "the run directory's path is too long for a socket");
	me->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (me->lfd < 0)
		return ipcb_err(&ep->err, -errno, "socket");
	if (bind(me->lfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return ipcb_errf(&ep->err, -errno, "bind", "%s", a.sun_path);
	if (listen(me->lfd, 1) < 0)
		return ipcb_err(&ep->err, -errno, "listen");
	n = strlen(a.sun_path);
	memcpy(ep->addr.bytes, a.sun_path, n);
	ep->addr.len = (uint32_t)n;
	return 0;
}

int thrift_open(struct ipcb_ep *ep)
{
	thrift_ep *me = new (std::nothrow) thrift_ep;

	if (!me)
		return ipcb_err(&ep->err, -ENOMEM, "new(thrift endpoint)");
	*static_cast<void **>(ep->priv) = me;
	apache::thrift::GlobalOutput.setOutputFunction(thrift_quiet);
	me->tcp = thrift_over_tcp(&ep->chan->cfg);
	me->stream = !ep->chan->cfg.bidirectional;
	if (!me->tcp && ep->chan->cfg.host)
		return ipcb_errf(&ep->err, -EINVAL, "thrift.socket",
				 "-o thrift.socket=unix: a Unix socket does not reach the host at "
				 "%s; use auto or tcp",
				 ep->chan->cfg.host);
	if (ep->role == IPCB_RECEIVER)
		return thrift_listen(ep, me);
	if (me->tcp) {
		union ipcb_sockaddr at;

		/* Bound to its own address, published: the receiver lets only it in. */
		me->fd = ipcb_net_bound_socket(&ep->chan->cfg, SOCK_STREAM, false, &at, &ep->err);
		if (me->fd < 0)
			return me->fd;
		ipcb_net_publish(&ep->addr, &at);
	}
	return 0;
}

/* Connect the sender's socket to the receiver's published address. */
int thrift_dial(struct ipcb_ep *ep, thrift_ep *me, const struct ipcb_addr *to)
{
	union ipcb_sockaddr at;
	struct sockaddr_un un;
	const struct sockaddr *sa;
	socklen_t salen;
	int rc;

	if (me->tcp) {
		rc = ipcb_net_peer(to->bytes, to->len, &at, &ep->err);
		if (rc)
			return rc;
		sa = &at.sa;
		salen = ipcb_net_len(&at);
	} else {
		memset(&un, 0, sizeof(un));
		un.sun_family = AF_UNIX;
		if (to->len == 0 || to->len >= sizeof(un.sun_path))
			return ipcb_errf(&ep->err, -EPROTO, "connect",
					 "the receiver published no socket path");
		memcpy(un.sun_path, to->bytes, to->len);
		me->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (me->fd < 0)
			return ipcb_err(&ep->err, -errno, "socket");
		sa = (const struct sockaddr *)&un;
		salen = sizeof(un);
	}
	while (connect(me->fd, sa, salen) < 0)
		if (errno != EINTR)
			return ipcb_err(&ep->err, -errno, "connect");
	return me->tcp ? thrift_nodelay(ep, me->fd) : 0;
}

/* The receiver takes its one connection: over TCP, only the one from the sender's address. */
int thrift_accept(struct ipcb_ep *ep, thrift_ep *me, const struct ipcb_addr *from)
{
	int rc;

	if (me->tcp) {
		rc = ipcb_net_peer(from->bytes, from->len, &me->from, &ep->err);
		if (rc)
			return rc;
		me->fd = ipcb_net_accept_from(me->lfd, &me->from, &ep->err);
		if (me->fd < 0)
			return me->fd;
		rc = thrift_nodelay(ep, me->fd);
	} else {
		/* A directory only this run may enter: whoever connects is the sender. */
		while ((me->fd = accept4(me->lfd, nullptr, nullptr, SOCK_CLOEXEC)) < 0)
			if (errno != EINTR && errno != ECONNABORTED)
				return ipcb_err(&ep->err, -errno, "accept4");
		rc = 0;
	}
	thrift_fd_close(&me->lfd);
	return rc;
}

/*
 * Both ends: the connection handed to a TSocket, under the framed or buffered transport, under
 * the binary protocol; the sender's client on top.
 */
int thrift_stack(struct ipcb_ep *ep, thrift_ep *me)
{
	try {
		/* Any message the driver may send: binary's own limit, an i32 length. */
		me->conf = std::make_shared<TConfiguration>(INT_MAX, INT_MAX);
		me->sock = std::make_shared<TSocket>(me->fd, me->conf);
		me->fd = -1; /* the TSocket closes it */
		if (ipcb_opt(&ep->chan->cfg, THRIFT_OPT_TRANSPORT) == THRIFT_BUFFERED)
			me->trans = std::make_shared<TBufferedTransport>(me->sock, me->conf);
		else
			me->trans = std::make_shared<TFramedTransport>(me->sock, me->conf);
		me->proto = std::make_shared<TBinaryProtocol>(me->trans);
		if (ep->role == IPCB_SENDER)
			me->client.reset(new ipcbench::EchoClient(me->proto));
	} catch (...) {
		return thrift_fail(ep, "TSocket");
	}
	return 0;
}

int thrift_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	thrift_ep *me = thrift_self(ep);
	int rc = ep->role == IPCB_SENDER ? thrift_dial(ep, me, &peers->receiver[0])
					 : thrift_accept(ep, me, &peers->sender[0]);

	return rc ? rc : thrift_stack(ep, me);
}

void thrift_close(struct ipcb_ep *ep)
{
	thrift_ep *me = ep->priv ? thrift_self(ep) : nullptr;

	if (!me)
		return;
	if (me->sock) {
		/* Not the transport's close(), which flushes: what was to go has gone. */
		try {
			me->sock->close();
		} catch (...) {
		}
	}
	thrift_fd_close(&me->fd);
	thrift_fd_close(&me->lfd);
	delete me;
	*static_cast<void **>(ep->priv) = nullptr;
}

/* The receiver reads the next call, which must be `want` of type `type`, up to its argument. */
int thrift_call_begin(struct ipcb_ep *ep, thrift_ep *me, const char *want, TMessageType type)
{
	TMessageType got;

	me->proto->readMessageBegin(me->fname, got, me->seqid);
	if (got != type || me->fname != want)
		return ipcb_errf(&ep->err, -EPROTO, "readMessageBegin",
				 "a call of %.40s (type %d) where %s (type %d) was expected",
				 me->fname.c_str(), (int)got, want, (int)type);
	return 0;
}

int thrift_copy_out(struct ipcb_ep *ep, const std::string &s, void *buf, size_t len,
		    const char *call)
{
	if (s.size() != len)
		return ipcb_errf(&ep->err, -EBADMSG, call, "%zu bytes where %zu were sent",
				 s.size(), len);
	memcpy(buf, s.data(), len);
	return 0;
}

IPCB_HOT int thrift_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	thrift_ep *me = thrift_self(ep);

	if (ep->role == IPCB_SENDER) {
		if (!me->stream) {
			/* The call is made by recv(), which waits for its result. */
			me->pending = buf;
			me->pending_len = len;
			return 0;
		}
		try {
			me->req.assign(static_cast<const char *>(buf), len);
			me->client->push(me->req);
		} catch (...) {
			return thrift_fail(ep, "Echo.push");
		}
		return 0;
	}
	if (!me->call_open)
		return ipcb_errf(&ep->err, -EPROTO, "writeMessageBegin", "no call to answer");
	me->call_open = false;
	try {
		me->result.success.assign(static_cast<const char *>(buf), len);
		me->result.__isset.success = true;
		me->proto->writeMessageBegin("echo", apache::thrift::protocol::T_REPLY, me->seqid);
		me->result.write(me->proto.get());
		me->proto->writeMessageEnd();
		me->trans->writeEnd();
		me->trans->flush();
	} catch (...) {
		return thrift_fail(ep, "Echo.echo result");
	}
	return 0;
}

IPCB_HOT int thrift_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	thrift_ep *me = thrift_self(ep);
	int rc;

	if (ep->role == IPCB_SENDER) {
		const void *req = me->pending;

		if (!req || me->pending_len != len)
			return ipcb_errf(&ep->err, -EPROTO, "Echo.echo", "no request to make");
		me->pending = nullptr;
		try {
			me->req.assign(static_cast<const char *>(req), len);
			me->client->echo(me->reply, me->req);
		} catch (...) {
			return thrift_fail(ep, "Echo.echo");
		}
		return thrift_copy_out(ep, me->reply, buf, len, "Echo.echo");
	}
	try {
		if (me->stream) {
			rc = thrift_call_begin(ep, me, "push", apache::thrift::protocol::T_ONEWAY);
			if (rc)
				return rc;
			me->push_args.read(me->proto.get());
			me->proto->readMessageEnd();
			me->trans->readEnd();
			/*
			 * Nothing to write, so no system call: Thrift 0.17 counts every byte a
			 * connection reads against the maximum message size and gives the
			 * allowance back only in flush(), so a server that never answers would
			 * refuse its calls once they add up to 2 GiB.
			 */
			me->trans->flush();
			return thrift_copy_out(ep, me->push_args.data, buf, len, "Echo.push");
		}
		rc = thrift_call_begin(ep, me, "echo", apache::thrift::protocol::T_CALL);
		if (rc)
			return rc;
		me->echo_args.read(me->proto.get());
		me->proto->readMessageEnd();
		me->trans->readEnd();
	} catch (...) {
		return thrift_fail(ep, me->stream ? "Echo.push call" : "Echo.echo call");
	}
	rc = thrift_copy_out(ep, me->echo_args.data, buf, len, "Echo.echo");
	me->call_open = rc == 0;
	return rc;
}

int thrift_setup(struct ipcb_chan *ch)
{
	bool buffered = ipcb_opt(&ch->cfg, THRIFT_OPT_TRANSPORT) == THRIFT_BUFFERED;

	snprintf(ch->layout, sizeof(ch->layout), "Thrift binary protocol, %s, over %s",
		 buffered ? "buffered" : "framed",
		 thrift_over_tcp(&ch->cfg) ? "TCP" : "a Unix socket");
	return 0;
}

void thrift_teardown(struct ipcb_chan *ch)
{
	(void)ch; /* the sockets were the endpoints' own; the run's directory goes with the run */
}

void thrift_library(char *out, size_t n)
{
	snprintf(out, n, "%s", IPCB_LIBS_THRIFT);
}

/* Its route follows the socket it runs over. */
void thrift_route(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r)
{
	bool tcp = thrift_over_tcp(cfg);

	r->path = tcp ? IPCB_PATH_NETWORK_STACK : IPCB_PATH_KERNEL_COPY;
	r->rides_on = tcp ? "tcp" : "unix-stream";
}

struct ipcb_transport thrift_entry()
{
	struct ipcb_transport t;

	memset(&t, 0, sizeof(t));
	t.name = "thrift";
	t.layer = IPCB_LAYER_MIDDLEWARE;
	t.path = IPCB_PATH_KERNEL_COPY;
	t.rides_on = "unix-stream";
	t.route = thrift_route;
	t.summary = "Apache Thrift echo call, binary protocol, framed or buffered, over a Unix "
		    "socket or TCP (libthrift)";
	t.notes = thrift_notes;
	/* The run directory holds the one-host socket; network: between two hosts, TCP. */
	t.caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR | IPCB_CAP_NETWORK;
	t.fixed_wait = IPCB_WAIT_BLOCK;
	t.options = thrift_options;
	t.library = thrift_library;
	t.ep_priv_bytes = sizeof(void *);
	t.setup = thrift_setup;
	t.teardown = thrift_teardown;
	t.open = thrift_open;
	t.connect = thrift_connect;
	t.close = thrift_close;
	t.send = thrift_send;
	t.recv = thrift_recv;
	return t;
}

} // namespace

extern "C" const struct ipcb_transport ipcb_transport_thrift = thrift_entry();
