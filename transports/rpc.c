/* SPDX-License-Identifier: MIT */
/*
 * rpc - ONC RPC (Sun RPC, RFC 5531) with libtirpc from Debian: the receiver serves an echo
 * procedure whose argument and result are the payload as XDR variable-length opaque data, over
 * a Unix stream socket in the run's directory, or TCP on 127.0.0.1 with -o rpc.tcp=1. The
 * XDR routine is written here (xdr_bytes); the server is registered with no portmapper.
 *
 * An RPC is one round trip: the sender's send() hands the request over and its recv() makes the
 * call, clnt_call(), which encodes the request into the record stream, writes it, and waits for
 * the result, decoded into the reply buffer. The receiver's recv() waits on its sockets and
 * lets libtirpc take the call (svc_getreq_poll), whose handler decodes the argument straight
 * into the receiver's buffer; its send() answers that call with the echo (svc_sendreply).
 * Streams: each message is a call of a procedure whose result is empty (ONC RPC has no one-way
 * call but batching, which holds calls in the client's buffer until a later call flushes it).
 *
 * Cost of one message: XDR encoding (record marking, one copy into the record buffer, sent in
 * fragments of its size) and decoding (one copy out), on top of what unix-stream or tcp cost;
 * no extra process or thread (hops: direct).
 * Limits: none per message below 4 GiB (xdr_bytes' length is 32 bits); never chunked.
 *
 * Built only with libtirpc (transports/meson.build: 'rpc libtirpc:libtirpc-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define RPC_SUMMARY "ONC RPC echo procedure, opaque payload, over a Unix socket or TCP (libtirpc)"
#define RPC_CAPS    (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR)

static const struct ipcb_option rpc_options[] = {
    {.key = "tcp",
     .type = IPCB_OPT_BOOL,
     .def = "0",
     .help = "1: TCP on 127.0.0.1 (TCP_NODELAY); 0: a Unix stream socket in the run's directory"},
    {.key = NULL},
};

#define RPC_OPT_TCP 0

#if IPCB_BUILT_RPC
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

/* A program number from the range RFC 5531 leaves to anyone (0x20000000 - 0x3fffffff). */
#define RPC_PROG	0x2000ab1cu
#define RPC_VERS	1u
#define RPC_PROC_ECHO	1u /* result: the argument */
#define RPC_PROC_STREAM 2u /* result: nothing */
/* Time clnt_call waits for a result: the driver's own time limit ends a stuck run first. */
#define RPC_CALL_TIMEOUT_S 86400

/* The payload as XDR opaque<>: where its bytes are, how many, and at most how many. */
struct rpc_payload {
	char *data;
	u_int len, max;
};

static bool_t rpc_xdr_payload(XDR *x, struct rpc_payload *p)
{
	return xdr_bytes(x, &p->data, &p->len, p->max);
}

/* An empty argument or result (xdr_void, with the signature an xdrproc_t is called with). */
static bool_t rpc_xdr_none(XDR *x, void *p)
{
	return TRUE;
}

struct rpc_ep {
	int fd; /* the sender's connected socket; the receiver's listening socket */
	CLIENT *clnt;
	SVCXPRT *listener;
	/* The sender's request, handed over by send(), called by recv(). */
	const void *req;
	size_t req_len;
	/* The receiver: where the handler puts the next argument, and what it found. */
	void *into;
	size_t into_len;
	bool got;
	SVCXPRT *caller; /* the connection whose call awaits its answer */
	bool connected;	 /* the sender's connection was accepted */
	struct ipcb_err *err;
};

/* One endpoint per process: the server's handler finds it here. */
static struct rpc_ep *rpc_self;

static void rpc_dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
	struct rpc_ep *me = rpc_self;
	struct rpc_payload arg = {.data = me->into, .len = 0, .max = (u_int)me->into_len};

	if (rq->rq_proc == NULLPROC) {
		svc_sendreply(xprt, (xdrproc_t)rpc_xdr_none, NULL);
		return;
	}
	if (rq->rq_proc != RPC_PROC_ECHO && rq->rq_proc != RPC_PROC_STREAM) {
		svcerr_noproc(xprt);
		return;
	}
	if (!svc_getargs(xprt, (xdrproc_t)rpc_xdr_payload, (char *)&arg) ||
	    arg.len != me->into_len) {
		ipcb_errf(me->err, -EBADMSG, "svc_getargs", "%u bytes where %zu were expected",
			  arg.len, me->into_len);
		svcerr_decode(xprt);
		return;
	}
	me->got = true;
	if (rq->rq_proc == RPC_PROC_STREAM) {
		if (!svc_sendreply(xprt, (xdrproc_t)rpc_xdr_none, NULL))
			ipcb_err(me->err, -EPIPE, "svc_sendreply");
		return;
	}
	/* The echo's answer is sent by send(), with the bytes the driver hands it. */
	me->caller = xprt;
}

/* The receiver listens, on a Unix socket in the run's directory or a TCP port it publishes. */
static int rpc_listen(struct ipcb_ep *ep)
{
	struct rpc_ep *me = ep->priv;
	bool tcp = ipcb_opt(&ep->chan->cfg, RPC_OPT_TCP);

	if (tcp) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);

		me->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (me->fd < 0 || bind(me->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    getsockname(me->fd, (struct sockaddr *)&a, &len) < 0)
			return ipcb_err(&ep->err, -errno, me->fd < 0 ? "socket" : "bind");
		memcpy(ep->addr.bytes, &a, sizeof(a));
		ep->addr.len = sizeof(a);
	} else {
		struct sockaddr_un a = {.sun_family = AF_UNIX};

		if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/rpc", ep->chan->cfg.run_dir) >=
		    (int)sizeof(a.sun_path))
			return ipcb_errf(&ep->err, -ENAMETOOLONG, "bind",
					 "the run directory's path is too long for a socket");
		me->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (me->fd < 0 || bind(me->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return ipcb_err(&ep->err, -errno, me->fd < 0 ? "socket" : "bind");
		memcpy(ep->addr.bytes, &a, sizeof(a));
		ep->addr.len = sizeof(a);
	}
	if (listen(me->fd, 4) < 0)
		return ipcb_err(&ep->err, -errno, "listen");
	me->listener = svc_vc_create(me->fd, 0, 0);
	if (!me->listener)
		return ipcb_err(&ep->err, -ENOMEM, "svc_vc_create");
	/* Protocol 0: not announced to a portmapper; the sender is told the address. */
	if (!svc_register(me->listener, RPC_PROG, RPC_VERS, rpc_dispatch, 0))
		return ipcb_err(&ep->err, -EEXIST, "svc_register");
	return 0;
}

static int rpc_open(struct ipcb_ep *ep)
{
	struct rpc_ep *me = ep->priv;

	me->fd = -1;
	me->err = &ep->err;
	rpc_self = me;
	return ep->role == IPCB_RECEIVER ? rpc_listen(ep) : 0;
}

static int rpc_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct rpc_ep *me = ep->priv;
	const struct ipcb_addr *to = &peers->receiver[0];
	struct sockaddr_storage ss;
	struct netbuf nb = {.maxlen = sizeof(ss), .len = to->len, .buf = &ss};
	int one = 1;

	if (ep->role != IPCB_SENDER)
		return 0;
	memcpy(&ss, to->bytes, to->len < sizeof(ss) ? to->len : sizeof(ss));
	me->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (me->fd < 0)
		return ipcb_err(&ep->err, -errno, "socket");
	if (connect(me->fd, (struct sockaddr *)&ss, to->len) < 0)
		return ipcb_err(&ep->err, -errno, "connect");
	if (ss.ss_family == AF_INET &&
	    setsockopt(me->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ipcb_err(&ep->err, -errno, "setsockopt(TCP_NODELAY)");
	/* Buffer sizes 0: libtirpc's defaults for the transport. */
	me->clnt = clnt_vc_create(me->fd, &nb, RPC_PROG, RPC_VERS, 0, 0);
	if (!me->clnt)
		return ipcb_errf(&ep->err, -ECONNREFUSED, "clnt_vc_create", "%s",
				 clnt_spcreateerror("rpc"));
	return 0;
}

static void rpc_close(struct ipcb_ep *ep)
{
	struct rpc_ep *me = ep->priv;

	if (me->clnt)
		clnt_destroy(me->clnt); /* leaves the socket open: it is closed below */
	me->clnt = NULL;
	if (me->listener) {
		/*
		 * Not unregistered: svc_unregister and svc_unreg both ask the system's rpcbind to
		 * forget the program (from a reserved port), which never heard of it. The side's
		 * process ends with the run, and the registration with it.
		 */
		svc_exit(); /* destroys every server transport, the accepted ones too */
		me->listener = NULL;
		me->fd = -1; /* svc_vc's destroy closed it */
	}
	ipcb_fd_close(&me->fd);
	rpc_self = NULL;
}

/* A call, with its result decoded into `into` (NULL: an empty result). */
static int rpc_do_call(struct ipcb_ep *ep, rpcproc_t proc, const void *buf, size_t len, void *into)
{
	struct rpc_ep *me = ep->priv;
	struct rpc_payload arg = {.data = (char *)buf, .len = (u_int)len, .max = (u_int)len};
	struct rpc_payload res = {.data = into, .len = 0, .max = (u_int)len};
	struct timeval tmo = {RPC_CALL_TIMEOUT_S, 0};
	enum clnt_stat st;

	st = clnt_call(me->clnt, proc, (xdrproc_t)rpc_xdr_payload, (char *)&arg,
		       into ? (xdrproc_t)rpc_xdr_payload : (xdrproc_t)rpc_xdr_none,
		       into ? (char *)&res : NULL, tmo);
	if (st != RPC_SUCCESS)
		return ipcb_errf(&ep->err, st == RPC_CANTRECV ? -EPIPE : -EPROTO, "clnt_call", "%s",
				 clnt_sperrno(st));
	if (into && res.len != len)
		return ipcb_errf(&ep->err, -EBADMSG, "clnt_call", "a %u-byte result for %zu sent",
				 res.len, len);
	return 0;
}

IPCB_HOT static int rpc_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct rpc_ep *me = ep->priv;
	struct rpc_payload res = {.data = (char *)buf, .len = (u_int)len, .max = (u_int)len};
	SVCXPRT *caller;

	if (ep->role == IPCB_SENDER) {
		if (!ep->chan->cfg.bidirectional)
			return rpc_do_call(ep, RPC_PROC_STREAM, buf, len, NULL);
		/* The call is made by recv(), which waits for its result: one RPC, one trip. */
		me->req = buf;
		me->req_len = len;
		return 0;
	}
	caller = me->caller;
	me->caller = NULL;
	if (!caller)
		return ipcb_errf(&ep->err, -EPROTO, "svc_sendreply", "no call to answer");
	if (!svc_sendreply(caller, (xdrproc_t)rpc_xdr_payload, (char *)&res))
		return ipcb_err(&ep->err, -EPIPE, "svc_sendreply");
	return 0;
}

IPCB_HOT static int rpc_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct rpc_ep *me = ep->priv;

	if (ep->role == IPCB_SENDER) {
		if (!me->req || me->req_len != len)
			return ipcb_errf(&ep->err, -EPROTO, "clnt_call", "no request to make");
		{
			const void *req = me->req;

			me->req = NULL;
			return rpc_do_call(ep, RPC_PROC_ECHO, req, len, buf);
		}
	}
	/* Serve until a call has been taken: the sender's connection is accepted on the way. */
	me->into = buf;
	me->into_len = len;
	me->got = false;
	while (!me->got && !ep->err.code) {
		int n = poll(svc_pollfd, (nfds_t)svc_max_pollfd, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ipcb_err(&ep->err, -errno, "poll");
		svc_getreq_poll(svc_pollfd, n);
		/* The sender's connection was accepted and is gone (libtirpc closed it). */
		{
			bool conn = false;

			for (int i = 0; i < svc_max_pollfd; i++)
				conn |= svc_pollfd[i].fd >= 0 && svc_pollfd[i].fd != me->fd;
			if (me->connected && !conn && !me->got)
				return ipcb_errf(&ep->err, -EPIPE, "svc_getreq_poll",
						 "the caller's connection closed");
			me->connected |= conn;
		}
	}
	return ep->err.code;
}

static int rpc_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "ONC RPC over %s, XDR opaque<>",
		 ipcb_opt(&ch->cfg, RPC_OPT_TCP) ? "TCP" : "a Unix socket");
	return 0;
}

static void rpc_teardown(struct ipcb_chan *ch)
{
}

static void rpc_library(char *out, size_t n)
{
	snprintf(out, n, "%s", IPCB_LIBS_RPC);
}

/* Its route follows the socket it runs over. */
static void rpc_route(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r)
{
	bool tcp = ipcb_opt(cfg, RPC_OPT_TCP);

	r->path = tcp ? IPCB_PATH_NETWORK_STACK : IPCB_PATH_KERNEL_COPY;
	r->rides_on = tcp ? "tcp" : "unix-stream";
}
#endif /* IPCB_BUILT_RPC */

const struct ipcb_transport ipcb_transport_rpc = {
    .name = "rpc",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = RPC_SUMMARY,
    .caps = RPC_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = rpc_options,
    IPCB_IF_BUILT(IPCB_BUILT_RPC, IPCB_WITHOUT_RPC, .route = rpc_route, .library = rpc_library,
		  .ep_priv_bytes = sizeof(struct rpc_ep), .setup = rpc_setup,
		  .teardown = rpc_teardown, .open = rpc_open, .connect = rpc_connect,
		  .close = rpc_close, .send = rpc_send, .recv = rpc_recv),
};
