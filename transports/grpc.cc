/* SPDX-License-Identifier: MIT */
/*
 * grpc - gRPC over a Unix socket in the run's directory (libgrpc++ and protobuf from Debian; the
 * service is transports/grpc_echo.proto, compiled by protoc and grpc_cpp_plugin at build time).
 * A C++ file behind the C contract: the entry at the end is the same struct every transport ends
 * with.
 *
 * By default each run is one bidirectional stream (Echo.Stream): a round trip is a Write of the
 * payload as a bytes field and a Read of the echo; a stream is Writes only. With -o
 * grpc.unary=1 every message is a call of Echo.Unary: a round trip is the call and its
 * response (send() hands the request over, recv() makes the call), a stream is calls answered
 * empty. The client uses the synchronous API; the receiver serves with the asynchronous one,
 * driving its completion queue itself in recv() and send(), so no server thread takes the
 * message from it.
 *
 * Cost of one message: protobuf puts the payload in a message (one copy) and serializes it
 * (another), HTTP/2 frames it (DATA frames, flow-control windows), and the peer parses it (a
 * copy into the message) before the bytes are copied out: the socket's cost plus HTTP/2 and
 * protobuf. gRPC runs threads of its own (an executor, a timer manager) that may take part of
 * the work (hops: via I/O thread).
 * Limits: none per message below 2 GiB (protobuf); gRPC's default 4 MiB receive limit is lifted.
 *
 * Built only with a C++ compiler and gRPC (transports/meson.build: 'grpc grpc++:libgrpc++-dev
 * protobuf:libprotobuf-dev !protoc:protobuf-compiler !grpc_cpp_plugin:protobuf-compiler-grpc');
 * without them meson compiles transports/util/unsupported.c.in for it instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <chrono>
#include <memory>
#include <new>
#include <string>

#include <grpcpp/grpcpp.h>

#include "grpc_echo.grpc.pb.h"

extern "C" {
#include "ipcb_config.h"
#include "transport.h"
}

namespace
{

enum { GRPC_OPT_UNARY = 0 };

const struct ipcb_option grpc_options[] = {
    {"unary", IPCB_OPT_BOOL, "0", nullptr, 0, 0,
     "1: one unary call per message; 0: one bidirectional stream per run (ping-pong)", nullptr,
     false},
    {nullptr, IPCB_OPT_UINT, nullptr, nullptr, 0, 0, nullptr, nullptr, false},
};

/* Completion-queue tags: what each awaited operation is. */
enum tag : intptr_t { TAG_NEW = 1, TAG_READ, TAG_WRITE, TAG_FINISH };

/* One endpoint: the sender's client, or the receiver's server with its one call at a time. */
struct grpc_ep {
	/* client */
	std::shared_ptr<grpc::Channel> channel;
	std::unique_ptr<ipcbench::Echo::Stub> stub;
	std::unique_ptr<grpc::ClientContext> cctx;
	std::unique_ptr<grpc::ClientReaderWriter<ipcbench::Chunk, ipcbench::Chunk>> stream;
	const void *req = nullptr; /* unary round trip: the request send() handed over */
	size_t req_len = 0;
	/* server */
	ipcbench::Echo::AsyncService service;
	std::unique_ptr<grpc::Server> server;
	std::unique_ptr<grpc::ServerCompletionQueue> cq;
	std::unique_ptr<grpc::ServerContext> sctx;
	std::unique_ptr<grpc::ServerAsyncReaderWriter<ipcbench::Chunk, ipcbench::Chunk>> rw;
	std::unique_ptr<grpc::ServerAsyncResponseWriter<ipcbench::Chunk>> responder;
	bool call_open = false; /* a stream accepted, or a unary call waiting for its answer */
	/* both */
	ipcbench::Chunk msg;
	bool unary = false, stream_mode = false;
};

grpc_ep *self(struct ipcb_ep *ep)
{
	return static_cast<grpc_ep *>(*static_cast<void **>(ep->priv));
}

int fail(struct ipcb_ep *ep, int code, const char *call, const grpc::Status &st)
{
	return ipcb_errf(&ep->err, code, call, "%s (status %d)", st.error_message().c_str(),
			 (int)st.error_code());
}

/* The receiver: wait on its completion queue for the operation tagged `want`. */
int await(struct ipcb_ep *ep, grpc_ep *me, tag want, const char *call)
{
	void *got;
	bool ok;

	for (;;) {
		if (!me->cq->Next(&got, &ok))
			return ipcb_errf(&ep->err, -EPIPE, call, "the completion queue shut down");
		if (reinterpret_cast<intptr_t>(got) != want)
			continue; /* a late completion of something given up */
		if (!ok)
			return ipcb_errf(&ep->err, -EPIPE, call,
					 "the call ended (the peer went away)");
		return 0;
	}
}

/* The receiver's next call: a stream accepted once per run, a unary call every message. */
int accept_call(struct ipcb_ep *ep, grpc_ep *me)
{
	me->sctx.reset(new grpc::ServerContext);
	if (me->unary) {
		me->responder.reset(
		    new grpc::ServerAsyncResponseWriter<ipcbench::Chunk>(me->sctx.get()));
		me->service.RequestUnary(me->sctx.get(), &me->msg, me->responder.get(),
					 me->cq.get(), me->cq.get(),
					 reinterpret_cast<void *>(TAG_NEW));
	} else {
		me->rw.reset(new grpc::ServerAsyncReaderWriter<ipcbench::Chunk, ipcbench::Chunk>(
		    me->sctx.get()));
		me->service.RequestStream(me->sctx.get(), me->rw.get(), me->cq.get(), me->cq.get(),
					  reinterpret_cast<void *>(TAG_NEW));
	}
	int rc = await(ep, me, TAG_NEW, me->unary ? "RequestUnary" : "RequestStream");

	me->call_open = rc == 0;
	return rc;
}

int copy_out(struct ipcb_ep *ep, const ipcbench::Chunk &m, void *buf, size_t len, const char *call)
{
	if (m.data().size() != len)
		return ipcb_errf(&ep->err, -EBADMSG, call, "%zu bytes where %zu were sent",
				 m.data().size(), len);
	memcpy(buf, m.data().data(), len);
	return 0;
}

int ge_open(struct ipcb_ep *ep)
{
	grpc_ep *me = new (std::nothrow) grpc_ep;
	char path[200];

	if (!me)
		return ipcb_err(&ep->err, -ENOMEM, "new(grpc endpoint)");
	*static_cast<void **>(ep->priv) = me;
	me->unary = ipcb_opt(&ep->chan->cfg, GRPC_OPT_UNARY) != 0;
	me->stream_mode = !ep->chan->cfg.bidirectional;
	if (ep->role != IPCB_RECEIVER)
		return 0;
	if (snprintf(path, sizeof(path), "unix:%s/grpc", ep->chan->cfg.run_dir) >=
	    (int)sizeof(path))
		return ipcb_errf(&ep->err, -ENAMETOOLONG, "AddListeningPort", "path too long");
	grpc::ServerBuilder b;
	b.AddListeningPort(path, grpc::InsecureServerCredentials());
	b.RegisterService(&me->service);
	b.SetMaxReceiveMessageSize(-1);
	b.SetMaxSendMessageSize(-1);
	me->cq = b.AddCompletionQueue();
	me->server = b.BuildAndStart();
	if (!me->server)
		return ipcb_errf(&ep->err, -EADDRNOTAVAIL, "BuildAndStart", "%s", path);
	ep->addr.len = (uint32_t)strlen(path);
	memcpy(ep->addr.bytes, path, ep->addr.len);
	return 0;
}

int ge_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	grpc_ep *me = self(ep);
	grpc::ChannelArguments args;

	if (ep->role != IPCB_SENDER)
		return 0;
	std::string where(reinterpret_cast<const char *>(peers->receiver[0].bytes),
			  peers->receiver[0].len);
	args.SetMaxReceiveMessageSize(-1);
	args.SetMaxSendMessageSize(-1);
	me->channel = grpc::CreateCustomChannel(where, grpc::InsecureChannelCredentials(), args);
	me->stub = ipcbench::Echo::NewStub(me->channel);
	/*
	 * The stream is opened by the first send() (a warm-up message), not here: the receiver's
	 * server makes progress only while it waits in its completion queue, which it does in
	 * recv(), after the start barrier.
	 */
	return 0;
}

void ge_close(struct ipcb_ep *ep)
{
	grpc_ep *me = ep->priv ? self(ep) : nullptr;

	if (!me)
		return;
	if (me->stream) {
		/* Every answer is in: the stream is ended without waiting for the server's status.
		 */
		me->cctx->TryCancel();
		me->stream->Finish();
	}
	if (me->server) {
		/*
		 * A stream's last echo must reach the sender before the server goes: Finish sends
		 * the status after every write, and completes once it is on its way.
		 */
		if (me->call_open && !me->unary && me->rw) {
			me->rw->Finish(grpc::Status::OK, reinterpret_cast<void *>(TAG_FINISH));
			await(ep, me, TAG_FINISH, "Finish");
		}
		me->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
		me->cq->Shutdown();
		void *tag;
		bool ok;
		while (me->cq->Next(&tag, &ok))
			;
	}
	delete me;
	*static_cast<void **>(ep->priv) = nullptr;
}

/* One unary call; its answer into `into` (NULL: an empty one expected). */
int unary_call(struct ipcb_ep *ep, grpc_ep *me, const void *buf, size_t len, void *into)
{
	grpc::ClientContext ctx;
	ipcbench::Chunk reply;

	me->msg.set_data(buf, len);
	grpc::Status st = me->stub->Unary(&ctx, me->msg, &reply);
	if (!st.ok())
		return fail(ep, -EPROTO, "Echo.Unary", st);
	return into ? copy_out(ep, reply, into, len, "Echo.Unary") : 0;
}

IPCB_HOT int ge_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	grpc_ep *me = self(ep);

	if (ep->role == IPCB_SENDER) {
		if (me->unary && me->stream_mode)
			return unary_call(ep, me, buf, len, nullptr);
		if (me->unary) {
			/* The call is made by recv(), which waits for its answer. */
			me->req = buf;
			me->req_len = len;
			return 0;
		}
		if (!me->stream) {
			me->cctx.reset(new grpc::ClientContext);
			me->stream = me->stub->Stream(me->cctx.get());
			if (!me->stream)
				return ipcb_errf(&ep->err, -ECONNREFUSED, "Echo.Stream",
						 "no stream");
		}
		me->msg.set_data(buf, len);
		/* Its status is read once, by close(): a second Finish is a misuse gRPC aborts on.
		 */
		if (!me->stream->Write(me->msg))
			return ipcb_errf(&ep->err, -EPIPE, "ClientReaderWriter::Write",
					 "the stream closed (the server went away)");
		return 0;
	}
	if (!me->call_open)
		return ipcb_errf(&ep->err, -EPROTO, "send", "no call to answer");
	me->msg.set_data(buf, len);
	if (me->unary) {
		me->call_open = false;
		me->responder->Finish(me->msg, grpc::Status::OK,
				      reinterpret_cast<void *>(TAG_FINISH));
		return await(ep, me, TAG_FINISH, "ServerAsyncResponseWriter::Finish");
	}
	me->rw->Write(me->msg, reinterpret_cast<void *>(TAG_WRITE));
	return await(ep, me, TAG_WRITE, "ServerAsyncReaderWriter::Write");
}

IPCB_HOT int ge_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	grpc_ep *me = self(ep);
	int rc;

	if (ep->role == IPCB_SENDER) {
		if (me->unary) {
			const void *req = me->req;

			if (!req || me->req_len != len)
				return ipcb_errf(&ep->err, -EPROTO, "Echo.Unary",
						 "no request to make");
			me->req = nullptr;
			return unary_call(ep, me, req, len, buf);
		}
		if (!me->stream->Read(&me->msg))
			return ipcb_errf(&ep->err, -EPIPE, "ClientReaderWriter::Read",
					 "the stream closed (the server went away)");
		return copy_out(ep, me->msg, buf, len, "ClientReaderWriter::Read");
	}
	if (me->unary) {
		rc = accept_call(ep, me);
		if (!rc)
			rc = copy_out(ep, me->msg, buf, len, "RequestUnary");
		if (rc || !me->stream_mode)
			return rc;
		/* A stream's call is answered at once, empty. */
		me->msg.clear_data();
		me->call_open = false;
		me->responder->Finish(me->msg, grpc::Status::OK,
				      reinterpret_cast<void *>(TAG_FINISH));
		return await(ep, me, TAG_FINISH, "ServerAsyncResponseWriter::Finish");
	}
	if (!me->call_open && (rc = accept_call(ep, me)))
		return rc;
	me->rw->Read(&me->msg, reinterpret_cast<void *>(TAG_READ));
	rc = await(ep, me, TAG_READ, "ServerAsyncReaderWriter::Read");
	return rc ? rc : copy_out(ep, me->msg, buf, len, "ServerAsyncReaderWriter::Read");
}

int ge_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "%s over a Unix socket, HTTP/2",
		 ipcb_opt(&ch->cfg, GRPC_OPT_UNARY) ? "a unary call per message"
						    : "one bidirectional stream");
	return 0;
}

void ge_teardown(struct ipcb_chan *ch)
{
}

void ge_library(char *out, size_t n)
{
	snprintf(out, n, "grpc++ %s, %s", grpc::Version().c_str(), IPCB_LIBS_GRPC);
}

struct ipcb_transport make_entry()
{
	struct ipcb_transport t;

	memset(&t, 0, sizeof(t));
	t.name = "grpc";
	t.layer = IPCB_LAYER_MIDDLEWARE;
	t.path = IPCB_PATH_KERNEL_COPY;
	t.rides_on = "unix-stream";
	t.summary = "gRPC over a Unix socket: a bidirectional stream ping-pong, or unary calls "
		    "(-o grpc.unary=1) (libgrpc++)";
	t.caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR;
	t.fixed_wait = IPCB_WAIT_BLOCK;
	t.options = grpc_options;
	t.hops = "via I/O thread";
	t.library = ge_library;
	t.ep_priv_bytes = sizeof(void *);
	t.setup = ge_setup;
	t.teardown = ge_teardown;
	t.open = ge_open;
	t.connect = ge_connect;
	t.close = ge_close;
	t.send = ge_send;
	t.recv = ge_recv;
	return t;
}

} // namespace

extern "C" const struct ipcb_transport ipcb_transport_grpc = make_entry();
