/* SPDX-License-Identifier: MIT */
/*
 * http - HTTP/1.1 POST echo: the receiver serves with libmicrohttpd, the sender is a libcurl
 * client on one kept-alive connection, over a Unix stream socket in the run's directory, or
 * TCP on 127.0.0.1 with -o http.tcp=1 (both from Debian).
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
#define HTTP_CAPS (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR)

static const struct ipcb_option http_options[] = {
    {.key = "tcp",
     .type = IPCB_OPT_BOOL,
     .def = "0",
     .help = "1: TCP on 127.0.0.1; 0: a Unix stream socket in the run's directory"},
    {.key = NULL},
};

#define HTTP_OPT_TCP 0

#if IPCB_BUILT_HTTP
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

struct http_ep {
	/* The receiver. */
	int listen_fd;
	struct MHD_Daemon *mhd;
	void *into; /* where the next request's body goes */
	size_t into_len, got;
	bool complete;	    /* a whole body is in `into` */
	const void *answer; /* the echo to send, NULL while there is none */
	size_t answer_len;
	bool sent;   /* the response went out (MHD_OPTION_NOTIFY_COMPLETED) */
	bool stream; /* every request is answered at once, empty */
	char failure[160];
	/* The sender. */
	CURL *curl;
	struct curl_slist *headers;
	char url[64], sock[128];
	const void *req; /* the request's body, handed over by send() */
	size_t req_len;
	unsigned char *reply;
	size_t reply_len, reply_got;
	char curl_err[CURL_ERROR_SIZE];
};

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
			snprintf(me->failure, sizeof(me->failure),
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
			snprintf(me->failure, sizeof(me->failure),
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
		snprintf(me->failure, sizeof(me->failure), "request ended early (code %d)",
			 (int)toe);
	*con_cls = NULL;
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
			return ipcb_errf(&ep->err, -EPROTO, "libmicrohttpd", "%s", me->failure);
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
		return ipcb_errf(&ep->err, -EPROTO, "libmicrohttpd", "%s", me->failure);
	return 0;
}

static int http_listen(struct ipcb_ep *ep)
{
	struct http_ep *me = ep->priv;

	if (ipcb_opt(&ep->chan->cfg, HTTP_OPT_TCP)) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);

		me->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (me->listen_fd < 0 ||
		    bind(me->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    getsockname(me->listen_fd, (struct sockaddr *)&a, &len) < 0)
			return ipcb_err(&ep->err, -errno, me->listen_fd < 0 ? "socket" : "bind");
		ep->addr.len = (uint32_t)snprintf((char *)ep->addr.bytes, sizeof(ep->addr.bytes),
						  "tcp %u", ntohs(a.sin_port));
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
	    MHD_start_daemon(MHD_NO_FLAG, 0, NULL, NULL, http_handler, me, MHD_OPTION_LISTEN_SOCKET,
			     me->listen_fd, MHD_OPTION_NOTIFY_COMPLETED, http_completed, me,
			     MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_END);
	if (!me->mhd)
		return ipcb_err(&ep->err, -EADDRNOTAVAIL, "MHD_start_daemon");
	return 0;
}

static int http_open(struct ipcb_ep *ep)
{
	struct http_ep *me = ep->priv;

	me->listen_fd = -1;
	if (ep->role == IPCB_RECEIVER)
		return http_listen(ep);
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

/* The client: one easy handle, so libcurl keeps its one connection alive between requests. */
static int http_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	struct http_ep *me = ep->priv;
	char where[IPCB_ADDR_BYTES + 1];
	unsigned port = 80;

	if (ep->role != IPCB_SENDER)
		return 0;
	memcpy(where, peers->receiver[0].bytes, peers->receiver[0].len);
	where[peers->receiver[0].len] = '\0';
	if (strncmp(where, "unix ", 5) == 0)
		snprintf(me->sock, sizeof(me->sock), "%s", where + 5);
	else if (sscanf(where, "tcp %u", &port) != 1)
		return ipcb_errf(&ep->err, -EINVAL, "http", "no address: %s", where);
	snprintf(me->url, sizeof(me->url), "http://%s:%u/echo",
		 me->sock[0] ? "localhost" : "127.0.0.1", port);
	me->headers = curl_slist_append(NULL, "Expect:");
	if (!me->headers)
		return ipcb_err(&ep->err, -ENOMEM, "curl_slist_append");
	if (curl_easy_setopt(me->curl, CURLOPT_URL, me->url) ||
	    (me->sock[0] && curl_easy_setopt(me->curl, CURLOPT_UNIX_SOCKET_PATH, me->sock)) ||
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
	if (me->curl)
		curl_easy_cleanup(me->curl);
	me->curl = NULL;
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
		 ipcb_opt(&ch->cfg, HTTP_OPT_TCP) ? "TCP" : "a Unix socket");
	return 0;
}

static void http_teardown(struct ipcb_chan *ch)
{
}

const struct ipcb_transport ipcb_transport_http = {
    .name = "http",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = HTTP_SUMMARY,
    .caps = HTTP_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = http_options,
    .library = http_library,
    .ep_priv_bytes = sizeof(struct http_ep),
    .setup = http_setup,
    .teardown = http_teardown,
    .open = http_open,
    .connect = http_connect,
    .close = http_close,
    .send = http_send,
    .recv = http_recv,
};
#else  /* !IPCB_BUILT_HTTP */
const struct ipcb_transport ipcb_transport_http = {
    .name = "http",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = HTTP_SUMMARY,
    .caps = HTTP_CAPS,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = http_options,
    .unsupported = IPCB_WITHOUT_HTTP,
};
#endif /* IPCB_BUILT_HTTP */
