/* SPDX-License-Identifier: MIT */
/*
 * http - HTTP/1.1 POST echo: the receiver serves with libmicrohttpd, the sender is a libcurl
 * client on one kept-alive connection (both from Debian). On one host it goes over a Unix stream
 * socket in the run's directory, beside unix-stream, or over TCP on 127.0.0.1 with
 * -o http.socket=tcp; between two hosts (the driver's cfg.host, IPCB_CAP_NETWORK) over TCP on
 * each host's address, IPv4 or IPv6, since a path cannot cross hosts (-o http.socket=unix is
 * refused there).
 *
 * Over TCP each endpoint makes its own socket in open(), as tcp's do: the receiver's listens on
 * its host's address and a port the kernel picks, the sender's is bound to its own host's
 * address and a port of its own, and libcurl is handed that very socket
 * (CURLOPT_OPENSOCKETFUNCTION) instead of making one, so the receiver can accept only the
 * connection from the address the sender published (libmicrohttpd's accept policy) and turn
 * strangers away. The sender's socket is handed over once: a second connection would put a TCP
 * handshake into some message's time, so a lost one fails the run instead, and so does a second
 * connection the server sees. Both ends set TCP_NODELAY (the client through libcurl, the server on
 * each connection it accepts): otherwise a small response can wait for the peer's delayed ACK.
 *
 * A round trip is one request: the sender's send() hands the body over and its recv() makes
 * the request (curl_easy_perform: POST /echo with the payload as its body, "Expect:" turned
 * off so that no 100-continue round trip precedes it), the response's body written straight
 * into the reply buffer. The receiver's recv() runs the server (its sockets polled here, no
 * thread of its own) until a request's whole body has been copied into its buffer; its send()
 * queues the response, the very bytes it is handed, and runs the server until it is sent.
 * Streams: every message is a POST answered by an empty 200.
 *
 * Cost of one message: curl formats the request line and headers and writes them with the
 * body; microhttpd parses the headers and hands the body over in pieces of its read buffer,
 * copied into the receiver's buffer; the response goes back the same way: the socket's cost
 * plus HTTP's headers and parsing (hops: direct).
 * Limits: none per message (Content-Length); never chunked.
 *
 * Built only with libmicrohttpd and libcurl (transports/meson.build:
 * 'http libmicrohttpd:libmicrohttpd-dev libcurl:libcurl4-openssl-dev').
 */
#include "ipcb_config.h"
#include "transport.h"

#define HTTP_SUMMARY                                                                               \
	"HTTP/1.1 POST echo, libmicrohttpd server, libcurl client on a kept-alive connection"
/* The run directory holds the one-host socket; network: between two hosts, TCP. */
#define HTTP_CAPS (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR | IPCB_CAP_NETWORK)
#define HTTP_NOTES                                                                                 \
	"-o http.socket=auto (the default) runs over a Unix socket on one host and over TCP on "   \
	"each host's address between two (--peer, serve); the row's channel says which; the "      \
	"receiver accepts only the connection from the address the sender published."

static const struct ipcb_option http_options[] = {
    {.key = "socket",
     .type = IPCB_OPT_CHOICE,
     .def = "auto",
     .choices = "auto|unix|tcp",
     .help = "auto: a Unix stream socket in the run's directory on one host, TCP between two; "
	     "unix; tcp (127.0.0.1 on one host)"},
    {.key = NULL},
};

#define HTTP_OPT_SOCKET	 0
#define HTTP_SOCKET_UNIX 1
#define HTTP_SOCKET_TCP	 2

#if IPCB_BUILT_HTTP
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "netsock.h"

struct http_ep {
	bool tcp; /* over TCP (http_over_tcp), not a Unix socket */
	/* The receiver. */
	int listen_fd;
	union ipcb_sockaddr from; /* TCP: the sender's published address, the one let in */
	unsigned conns;		  /* connections the server has taken */
	struct MHD_Daemon *mhd;
	void *into; /* where the next request's body goes */
	size_t into_len, got;
	bool complete;	    /* a whole body is in `into` */
	const void *answer; /* the echo to send, NULL while there is none */
	size_t answer_len;
	bool sent;	    /* the response went out (MHD_OPTION_NOTIFY_COMPLETED) */
	bool stream;	    /* every request is answered at once, empty */
	int fail_code;	    /* what the server's callbacks found wrong: a negative errno, */
	char fail_call[48]; /* the call that failed */
	char failure[160];  /* and what happened */
	/* The sender. */
	int sock_fd;	   /* TCP: the bound socket libcurl is handed, until it closes it */
	bool sock_handed;  /* it was: libcurl gets no other */
	bool sock_refused; /* libcurl asked for another connection */
	CURL *curl;
	struct curl_slist *headers;
	char url[128], sock[128];
	const void *req; /* the request's body, handed over by send() */
	size_t req_len;
	unsigned char *reply;
	size_t reply_len, reply_got;
	char curl_err[CURL_ERROR_SIZE];
};

/* TCP between two hosts, or on one when asked; a Unix socket otherwise. */
static bool http_over_tcp(const struct ipcb_chan_cfg *cfg)
{
	uint64_t v = ipcb_opt(cfg, HTTP_OPT_SOCKET);

	return v == HTTP_SOCKET_TCP || (v != HTTP_SOCKET_UNIX && cfg->host);
}

/* Record the first thing the server's callbacks found wrong; http_serve() returns it. */
__attribute__((format(printf, 4, 5))) static void http_fail(struct http_ep *me, int code,
							    const char *call, const char *fmt, ...)
{
	va_list ap;

	if (me->failure[0])
		return;
	me->fail_code = code;
	snprintf(me->fail_call, sizeof(me->fail_call), "%s", call);
	va_start(ap, fmt);
	vsnprintf(me->failure, sizeof(me->failure), fmt, ap);
	va_end(ap);
}

static void http_library(char *out, size_t n)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	snprintf(out, n, "libmicrohttpd %s, libcurl %s", MHD_get_version(), v ? v->version : "?");
}

/* Each request: its body into the buffer, then the echo or an empty answer. */
static enum MHD_Result http_handler(void *cls, struct MHD_Connection *c, const char *url,
				    const char *method, const char *version, const char *upload,
				    size_t *upload_size, void **con_cls)
{
	struct http_ep *me = cls;
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (!*con_cls) { /* the headers: a new request */
		*con_cls = me;
		me->got = 0;
		me->complete = false;
		return MHD_YES;
	}
	if (*upload_size) {
		if (me->got + *upload_size > me->into_len) {
			http_fail(me, -EPROTO, "libmicrohttpd",
				  "a body longer than the %zu bytes sent", me->into_len);
			return MHD_NO;
		}
		memcpy((char *)me->into + me->got, upload, *upload_size);
		me->got += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!me->complete) {
		me->complete = true;
		if (me->got != me->into_len) {
			http_fail(me, -EPROTO, "libmicrohttpd",
				  "a %zu-byte body where %zu were sent", me->got, me->into_len);
			return MHD_NO;
		}
	}
	/* A round trip's answer waits for send(); a stream's is empty, at once. */
	if (!me->answer && !me->stream)
		return MHD_YES;
	if (!me->answer)
		me->answer_len = 0;
	r = MHD_create_response_from_buffer(me->answer_len, (void *)me->answer,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	me->answer = NULL;
	return ok;
}

static void http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct http_ep *me = cls;

	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		me->sent = true;
	else if (toe != MHD_REQUEST_TERMINATED_CLIENT_ABORT || *con_cls)
		http_fail(me, -EPROTO, "libmicrohttpd", "request ended early (code %d)", (int)toe);
	*con_cls = NULL;
}

/* TCP: only the sender's connection, from the address it published; strangers are closed. */
static enum MHD_Result http_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_ep *me = cls;
	union ipcb_sockaddr peer;

	if (!me->tcp)
		return MHD_YES; /* a Unix socket in a directory only we may enter */
	if (addrlen > sizeof(peer))
		return MHD_NO;
	memset(&peer, 0, sizeof(peer));
	memcpy(&peer, addr, addrlen);
	return ipcb_net_same(&peer, &me->from) ? MHD_YES : MHD_NO;
}

/*
 * Each connection the server takes: the first is the run's, kept alive; a second means the
 * first was lost and every message after it would be timed with a new connection. Its socket
 * gets TCP_NODELAY here, not left to what it inherits or the library version does.
 */
static void http_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			    enum MHD_ConnectionNotificationCode toe)
{
	struct http_ep *me = cls;
	const union MHD_ConnectionInfo *info;
	int one = 1;

	(void)socket_context;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	if (++me->conns > 1) {
		http_fail(me, -ECONNRESET, "libmicrohttpd",
			  "a second connection: the first was not kept alive");
		return;
	}
	if (!me->tcp)
		return;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		http_fail(me, -EBADF, "MHD_get_connection_info", "no socket for the connection");
	else if (setsockopt(info->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		http_fail(me, -errno, "setsockopt(TCP_NODELAY)", "%s", strerror(errno));
}

/* Run the server until `done` holds, waiting on its sockets. */
static int http_serve(struct ipcb_ep *ep, const bool *done)
{
	struct http_ep *me = ep->priv;

	while (!*done) {
		fd_set rs, ws, es;
		MHD_socket max = 0;
		MHD_UNSIGNED_LONG_LONG ms;
		struct timeval tv, *tvp = NULL;

		if (me->failure[0])
			return ipcb_errf(&ep->err, me->fail_code, me->fail_call, "%s", me->failure);
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		if (MHD_get_fdset(me->mhd, &rs, &ws, &es, &max) != MHD_YES)
			return ipcb_err(&ep->err, -EBADF, "MHD_get_fdset");
		if (MHD_get_timeout(me->mhd, &ms) == MHD_YES) {
			tv.tv_sec = (time_t)(ms / 1000);
			tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
			tvp = &tv;
		}
		if (select(max + 1, &rs, &ws, &es, tvp) < 0 && errno != EINTR)
			return ipcb_err(&ep->err, -errno, "select");
		if (MHD_run_from_select(me->mhd, &rs, &ws, &es) != MHD_YES)
			return ipcb_err(&ep->err, -EIO, "MHD_run_from_select");
	}
	if (me->failure[0])
		return ipcb_errf(&ep->err, me->fail_code, me->fail_call, "%s", me->failure);
	return 0;
}

/*
 * Over TCP, either end's socket: bound to its host's address on a port the kernel picks, and
 * that address published, so the other end can reach it (the receiver) or check it (the sender).
 */
static int http_tcp_socket(struct ipcb_ep *ep)
{
	union ipcb_sockaddr a;
	int fd = ipcb_net_bound_socket(&ep->chan->cfg, SOCK_STREAM, false, &a, &ep->err);

	if (fd >= 0)
		ipcb_net_publish(&ep->addr, &a);
	return fd;
}

static int http_listen(struct ipcb_ep *ep)
{
	struct http_ep *me = ep->priv;

	if (me->tcp) {
		me->listen_fd = http_tcp_socket(ep);
		if (me->listen_fd < 0)
			return me->listen_fd;
	} else {
		struct sockaddr_un a = {.sun_family = AF_UNIX};

		if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/http", ep->chan->cfg.run_dir) >=
		    (int)sizeof(a.sun_path))
			return ipcb_errf(&ep->err, -ENAMETOOLONG, "bind",
					 "the run directory's path is too long for a socket");
		me->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (me->listen_fd < 0 || bind(me->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return ipcb_err(&ep->err, -errno, me->listen_fd < 0 ? "socket" : "bind");
		ep->addr.len = (uint32_t)snprintf((char *)ep->addr.bytes, sizeof(ep->addr.bytes),
						  "unix %s", a.sun_path);
	}
	if (listen(me->listen_fd, 4) < 0)
		return ipcb_err(&ep->err, -errno, "listen");
	/* No thread of its own: the receiver runs it (MHD_run_from_select) when it waits. */
	me->mhd =
	    MHD_start_daemon(MHD_NO_FLAG, 0, http_accept, me, http_handler, me,
			     MHD_OPTION_LISTEN_SOCKET, me->listen_fd, MHD_OPTION_NOTIFY_COMPLETED,
			     http_completed, me, MHD_OPTION_NOTIFY_CONNECTION, http_connection, me,
			     MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_END);
	if (!me->mhd)
		return ipcb_err(&ep->err, -EADDRNOTAVAIL, "MHD_start_daemon");
	return 0;
}

static int http_open(struct ipcb_ep *ep)
{
	struct http_ep *me = ep->priv;

	me->listen_fd = -1;
	me->sock_fd = -1;
	me->tcp = http_over_tcp(&ep->chan->cfg);
	if (!me->tcp && ep->chan->cfg.host)
		return ipcb_errf(
		    &ep->err, -EINVAL, "http.socket",
		    "-o http.socket=unix: a Unix socket does not reach the host at %s; "
		    "use auto or tcp",
		    ep->chan->cfg.host);
	if (ep->role == IPCB_RECEIVER)
		return http_listen(ep);
	if (me->tcp) {
		me->sock_fd = http_tcp_socket(ep);
		if (me->sock_fd < 0)
			return me->sock_fd;
	}
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
		return ipcb_err(&ep->err, -ENOMEM, "curl_global_init");
	me->curl = curl_easy_init();
	if (!me->curl)
		return ipcb_err(&ep->err, -ENOMEM, "curl_easy_init");
	return 0;
}

static size_t http_write(char *p, size_t size, size_t n, void *cls)
{
	struct http_ep *me = cls;
	size_t len = size * n;

	if (me->reply_got + len > me->reply_len)
		return 0; /* more than was sent: curl fails the transfer */
	if (me->reply)
		memcpy(me->reply + me->reply_got, p, len);
	me->reply_got += len;
	return len;
}

/* TCP: libcurl's connection is the socket open() bound and published, and no other. */
static curl_socket_t http_open_socket(void *cls, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_ep *me = cls;

	(void)a; /* where it goes: the URL's address, connect()ed by libcurl */
	if (purpose != CURLSOCKTYPE_IPCXN || me->sock_handed || me->sock_fd < 0) {
		me->sock_refused = true;
		return CURL_SOCKET_BAD;
	}
	me->sock_handed = true;
	return me->sock_fd;
}

static int http_close_socket(void *cls, curl_socket_t fd)
{
	struct http_ep *me = cls;

	if (fd == me->sock_fd)
		me->sock_fd = -1;
	return close(fd);
}

/* "http://10.0.0.2:4242/echo", "http://[fd00::2]:4242/echo" (a link's zone as %25N). */
static void http_url(char *out, size_t n, const union ipcb_sockaddr *a)
{
	char ip[INET6_ADDRSTRLEN] = "?", zone[16] = "";
	bool v6 = a->sa.sa_family == AF_INET6;

	inet_ntop(a->sa.sa_family,
		  v6 ? (const void *)&a->in6.sin6_addr : (const void *)&a->in.sin_addr, ip,
		  sizeof(ip));
	if (v6 && a->in6.sin6_scope_id)
		snprintf(zone, sizeof(zone), "%%25%u", (unsigned)a->in6.sin6_scope_id);
	snprintf(out, n, "http://%s%s%s%s:%u/echo", v6 ? "[" : "", ip, zone, v6 ? "]" : "",
		 ntohs(v6 ? a->in6.sin6_port : a->in.sin_port));
}

/*
 * The receiver learns whom to let in; the client gets one easy handle, so libcurl keeps its one
 * connection alive between requests.
 */
static int http_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct http_ep *me = ep->priv;
	const struct ipcb_addr *to = &peers->receiver[0];
	union ipcb_sockaddr at;
	int rc;

	if (ep->role != IPCB_SENDER)
		return me->tcp ? ipcb_net_peer(peers->sender[0].bytes, peers->sender[0].len,
					       &me->from, &ep->err)
			       : 0;
	if (me->tcp) {
		rc = ipcb_net_peer(to->bytes, to->len, &at, &ep->err);
		if (rc)
			return rc;
		http_url(me->url, sizeof(me->url), &at);
	} else {
		if (to->len <= 5 || to->len - 5 >= sizeof(me->sock) ||
		    memcmp(to->bytes, "unix ", 5) != 0)
			return ipcb_errf(&ep->err, -EPROTO, "connect",
					 "the receiver published no socket path");
		memcpy(me->sock, to->bytes + 5, to->len - 5);
		me->sock[to->len - 5] = '\0';
		snprintf(me->url, sizeof(me->url), "http://localhost/echo");
	}
	me->headers = curl_slist_append(NULL, "Expect:");
	if (!me->headers)
		return ipcb_err(&ep->err, -ENOMEM, "curl_slist_append");
	/* No proxy, whatever the environment says (http_proxy): the peer is the receiver. */
	if (curl_easy_setopt(me->curl, CURLOPT_URL, me->url) ||
	    curl_easy_setopt(me->curl, CURLOPT_PROXY, "") ||
	    (me->sock[0] && curl_easy_setopt(me->curl, CURLOPT_UNIX_SOCKET_PATH, me->sock)) ||
	    (me->tcp &&
	     (curl_easy_setopt(me->curl, CURLOPT_OPENSOCKETFUNCTION, http_open_socket) ||
	      curl_easy_setopt(me->curl, CURLOPT_OPENSOCKETDATA, me) ||
	      curl_easy_setopt(me->curl, CURLOPT_CLOSESOCKETFUNCTION, http_close_socket) ||
	      curl_easy_setopt(me->curl, CURLOPT_CLOSESOCKETDATA, me))) ||
	    curl_easy_setopt(me->curl, CURLOPT_HTTPHEADER, me->headers) ||
	    curl_easy_setopt(me->curl, CURLOPT_POST, 1L) ||
	    curl_easy_setopt(me->curl, CURLOPT_TCP_NODELAY, 1L) ||
	    curl_easy_setopt(me->curl, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(me->curl, CURLOPT_WRITEFUNCTION, http_write) ||
	    curl_easy_setopt(me->curl, CURLOPT_WRITEDATA, me) ||
	    curl_easy_setopt(me->curl, CURLOPT_ERRORBUFFER, me->curl_err))
		return ipcb_err(&ep->err, -EINVAL, "curl_easy_setopt");
	return 0;
}

static void http_close(struct ipcb_ep *ep)
{
	struct http_ep *me = ep->priv;

	if (me->mhd)
		MHD_stop_daemon(me->mhd);
	me->mhd = NULL;
	ipcb_fd_close(&me->listen_fd);
	/* libcurl closes the socket it was handed (http_close_socket); one not handed is ours. */
	if (me->curl)
		curl_easy_cleanup(me->curl);
	me->curl = NULL;
	ipcb_fd_close(&me->sock_fd);
	curl_slist_free_all(me->headers);
	me->headers = NULL;
}

/* One request: the body `buf`, the response's body into `into` (NULL: an empty one). */
static int http_request(struct ipcb_ep *ep, const void *buf, size_t len, void *into)
{
	struct http_ep *me = ep->priv;
	long code = 0;
	CURLcode rc;

	me->reply = into;
	me->reply_len = into ? len : 0;
	me->reply_got = 0;
	me->curl_err[0] = '\0';
	if (curl_easy_setopt(me->curl, CURLOPT_POSTFIELDS, buf) ||
	    curl_easy_setopt(me->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len))
		return ipcb_err(&ep->err, -EINVAL, "curl_easy_setopt(CURLOPT_POSTFIELDS)");
	rc = curl_easy_perform(me->curl);
	if (rc != CURLE_OK && me->sock_refused)
		return ipcb_errf(&ep->err, -ECONNRESET, "curl_easy_perform",
				 "the kept-alive connection was lost (%s)",
				 me->curl_err[0] ? me->curl_err : curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		return ipcb_errf(&ep->err, -EPROTO, "curl_easy_perform", "%s",
				 me->curl_err[0] ? me->curl_err : curl_easy_strerror(rc));
	curl_easy_getinfo(me->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return ipcb_errf(&ep->err, -EPROTO, "curl_easy_perform", "HTTP status %ld", code);
	if (me->reply_got != me->reply_len)
		return ipcb_errf(&ep->err, -EBADMSG, "curl_easy_perform",
				 "a %zu-byte response to %zu bytes", me->reply_got, me->reply_len);
	return 0;
}

IPCB_HOT static int http_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct http_ep *me = ep->priv;

	if (ep->role == IPCB_SENDER) {
		if (!ep->chan->cfg.bidirectional)
			return http_request(ep, buf, len, NULL);
		/* The request is made by recv(), which waits for its response. */
		me->req = buf;
		me->req_len = len;
		return 0;
	}
	if (!me->complete)
		return ipcb_errf(&ep->err, -EPROTO, "MHD_queue_response", "no request to answer");
	me->answer = buf;
	me->answer_len = len;
	me->sent = false;
	return http_serve(ep, &me->sent);
}

IPCB_HOT static int http_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct http_ep *me = ep->priv;

	if (ep->role == IPCB_SENDER) {
		const void *req = me->req;

		if (!req || me->req_len != len)
			return ipcb_errf(&ep->err, -EPROTO, "curl_easy_perform",
					 "no request to make");
		me->req = NULL;
		return http_request(ep, req, len, buf);
	}
	me->into = buf;
	me->into_len = len;
	me->complete = false;
	me->sent = false;
	me->stream = !ep->chan->cfg.bidirectional;
	/* A stream's answer is empty and goes at once: serve until it is sent. */
	return http_serve(ep, me->stream ? &me->sent : &me->complete);
}

static int http_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "HTTP/1.1 POST, kept-alive, over %s",
		 http_over_tcp(&ch->cfg) ? "TCP" : "a Unix socket");
	return 0;
}

static void http_teardown(struct ipcb_chan *ch)
{
}

/* Its route follows the socket it runs over. */
static void http_route(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r)
{
	bool tcp = http_over_tcp(cfg);

	r->path = tcp ? IPCB_PATH_NETWORK_STACK : IPCB_PATH_KERNEL_COPY;
	r->rides_on = tcp ? "tcp" : "unix-stream";
}
#endif /* IPCB_BUILT_HTTP */

const struct ipcb_transport ipcb_transport_http = {
    .name = "http",
    .path = IPCB_PATH_KERNEL_COPY,
    .rides_on = "unix-stream",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = HTTP_SUMMARY,
    .caps = HTTP_CAPS,
    .notes = HTTP_NOTES,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = http_options,
    IPCB_IF_BUILT(IPCB_BUILT_HTTP, IPCB_WITHOUT_HTTP, .route = http_route, .library = http_library,
		  .ep_priv_bytes = sizeof(struct http_ep), .setup = http_setup,
		  .teardown = http_teardown, .open = http_open, .connect = http_connect,
		  .close = http_close, .send = http_send, .recv = http_recv),
};
