/* SPDX-License-Identifier: MIT */
/*
 * corba - CORBA calls through omniORB (Debian's libomniorb4-dev, 4.2.5), GIOP 1.2 over TCP on
 * 127.0.0.1 (IIOP) or over a Unix socket in the run's directory (-o corba.socket=unix, which
 * --tune tries). The interface is transports/corba_echo.idl, compiled by omniidl at build time:
 * Echoer.echo takes and returns a sequence<octet>, Echoer.push is a oneway call taking one. A
 * C++ file behind the C contract: the entry at the end is the same struct every transport ends
 * with.
 *
 * Each side is an ORB of its own, initialised in open(), after fork (an ORB starts threads).
 * The receiver's ORB serves an Echoer object in its root POA and writes the object's reference
 * (its IOR) to a file in the run's directory; the sender reads that file in connect() and
 * narrows the reference: no naming service. A round trip is one call of echo: the sender's
 * send() hands the request over and its recv() makes the call, the sequence lent the driver's
 * buffer (no copy before marshalling); a stream is one oneway call of push per message, which
 * the sender writes without waiting for an answer.
 *
 * On the receiving side omniORB reads each request in a thread of its own (one per connection,
 * its default) and calls the servant there (hops: via ORB). The servant hands the request to
 * the receiver's own thread, which recv() runs on, and waits: an echo's reply is what that
 * thread then gives send(), returned as the call's result without a copy (the sequence lends
 * the endpoint's buffer, which the next request cannot reach before this reply has been
 * marshalled); a push returns once recv() has copied its message out. That hand-off, two thread
 * switches per call that a servant answering by itself would not have, is what letting the
 * driver's receiver verify and answer each message costs. One thread per connection
 * (maxServerThreadPerConnection 1) keeps the calls in order.
 *
 * Cost of one message: the payload marshalled into GIOP (CDR: a length, then the octets, in one
 * buffer), written to the socket, read into the server's buffer and unmarshalled into a sequence
 * (a copy), the upcall's hand-off, the reply the same way back: the socket's cost plus the
 * marshalling copies, GIOP's headers and the hand-off.
 * Limits: 64 MiB per message (omniORB's giopMaxMsgSize, raised from its 2 MiB); larger payloads
 * are chunked by the driver.
 *
 * Built only with a C++ compiler, omniORB and omniidl (transports/meson.build: 'corba
 * omniORB4:libomniorb4-dev !omniidl:omniidl !g++:g++'); without them meson compiles
 * transports/util/unsupported.c.in for it instead, saying which package to install.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <new>
#include <string>

#include <omniORB4/CORBA.h>

#include "corba_echo.hh"

extern "C" {
#include "ipcb_config.h"
#include "transport.h"
}

namespace
{

enum { CORBA_OPT_SOCKET = 0 };
enum { CORBA_SOCKET_TCP = 0, CORBA_SOCKET_UNIX };

/* The largest message, and what GIOP may carry around it. */
const size_t corba_max_msg = 64u << 20;
const char corba_max_giop[] = "67174400"; /* 64 MiB + 64 KiB */

const struct ipcb_option corba_options[] = {
    {"socket", IPCB_OPT_CHOICE, "tcp", "tcp|unix", 0, 0,
     "tcp: IIOP on 127.0.0.1; unix: GIOP over a Unix socket in the run's directory", "unix", false},
    {nullptr, IPCB_OPT_UINT, nullptr, nullptr, 0, 0, nullptr, nullptr, false},
};

const char corba_notes[] =
    "omniORB in each side (ORB_init after fork), the receiver's object reference (IOR) passed "
    "through a file in the run's directory, no naming service; GIOP over TCP on 127.0.0.1 or, "
    "with -o corba.socket=unix, over a Unix socket in the run's directory. omniORB's thread "
    "per connection makes each upcall, which hands the message to the receiver's thread (via "
    "ORB). A stream is oneway calls.";

struct corba_ep;

/* The receiver's servant: each upcall hands its message to the receiver's thread. */
class corba_servant : public POA_ipcbench::Echoer
{
      public:
	explicit corba_servant(corba_ep *ep) : me(ep)
	{
	}
	ipcbench::Bytes *echo(const ipcbench::Bytes &data) override;
	void push(const ipcbench::Bytes &data) override;

      private:
	corba_ep *me;
};

struct corba_ep {
	CORBA::ORB_var orb;
	ipcbench::Echoer_var peer; /* the sender's reference to the receiver's object */
	corba_servant *servant = nullptr;
	bool stream = false;
	/* The sender: the request send() handed over, for recv() to make. */
	const void *pending = nullptr;
	size_t pending_len = 0;
	/* The receiver: the hand-off between omniORB's upcall and the receiver's thread. */
	std::mutex lock;
	std::condition_variable cond;
	const ipcbench::Bytes *request = nullptr; /* an upcall's message, until recv() took it */
	bool taken = false;			  /* recv() copied it */
	bool replied = false;			  /* send() gave the echo */
	bool closing = false;			  /* close(): every upcall returns now */
	CORBA::Octet *reply = nullptr;		  /* the echo's bytes (reply_cap of them) */
	size_t reply_len = 0, reply_cap = 0;
};

corba_ep *corba_self(struct ipcb_ep *ep)
{
	return static_cast<corba_ep *>(*static_cast<void **>(ep->priv));
}

bool corba_unix(const struct ipcb_chan_cfg *cfg)
{
	return ipcb_opt(cfg, CORBA_OPT_SOCKET) == CORBA_SOCKET_UNIX;
}

/* What a CORBA exception means for the run: its errno, the call, and what it is. */
int corba_fail(struct ipcb_err *e, const char *call)
{
	try {
		throw;
	} catch (const CORBA::COMM_FAILURE &x) {
		return ipcb_errf(e, -EPIPE, call, "CORBA::COMM_FAILURE (minor %lu)",
				 (unsigned long)x.minor());
	} catch (const CORBA::TRANSIENT &x) {
		return ipcb_errf(e, -ECONNREFUSED, call, "CORBA::TRANSIENT (minor %lu)",
				 (unsigned long)x.minor());
	} catch (const CORBA::SystemException &x) {
		return ipcb_errf(e, -EPROTO, call, "CORBA::%s (minor %lu)", x._name(),
				 (unsigned long)x.minor());
	} catch (const CORBA::Exception &x) {
		return ipcb_errf(e, -EPROTO, call, "CORBA::%s", x._name());
	} catch (const omniORB::fatalException &x) {
		return ipcb_errf(e, -EIO, call, "omniORB fatal error: %s", x.errmsg());
	} catch (const std::bad_alloc &) {
		return ipcb_err(e, -ENOMEM, call);
	} catch (...) {
		return ipcb_err(e, -EIO, call);
	}
}

/* Give the receiver's thread the message and wait until it took it (and, for echo, replied). */
ipcbench::Bytes *corba_servant::echo(const ipcbench::Bytes &data)
{
	std::unique_lock<std::mutex> g(me->lock);

	me->request = &data;
	me->taken = me->replied = false;
	me->cond.notify_all();
	me->cond.wait(g, [this] { return me->replied || me->closing; });
	me->request = nullptr;
	if (!me->replied)
		throw CORBA::TRANSIENT();
	/* The endpoint's buffer, lent: the next request comes only after this reply. */
	return new ipcbench::Bytes((CORBA::ULong)me->reply_cap, (CORBA::ULong)me->reply_len,
				   me->reply, false);
}

void corba_servant::push(const ipcbench::Bytes &data)
{
	std::unique_lock<std::mutex> g(me->lock);

	me->request = &data;
	me->taken = false;
	me->cond.notify_all();
	me->cond.wait(g, [this] { return me->taken || me->closing; });
	me->request = nullptr;
}

/* The ORB's arguments: quiet, calls in order on one connection, messages up to 64 MiB. */
int corba_orb(struct ipcb_ep *ep, corba_ep *me, const char *endpoint)
{
	const char *args[16] = {"ipcbench",
				"-ORBtraceLevel",
				"0",
				"-ORBgiopMaxMsgSize",
				corba_max_giop,
				"-ORBmaxServerThreadPerConnection",
				"1",
				"-ORBclientCallTimeOutPeriod",
				"0"};
	int argc = 9;

	if (endpoint) {
		args[argc++] = "-ORBendPoint";
		args[argc++] = endpoint;
	}
	args[argc] = nullptr;
	try {
		char *argv[16];

		for (int i = 0; i <= argc; i++)
			argv[i] = const_cast<char *>(args[i]);
		me->orb = CORBA::ORB_init(argc, argv, "omniORB4");
	} catch (...) {
		return corba_fail(&ep->err, "CORBA::ORB_init");
	}
	return 0;
}

/* The receiver: serve an Echoer, and write its reference to <run dir>/corba.ior. */
int corba_serve(struct ipcb_ep *ep, corba_ep *me)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	std::string endpoint = corba_unix(cfg) ? std::string("giop:unix:") + cfg->run_dir + "/orb"
					       : std::string("giop:tcp:127.0.0.1:");
	std::string path = std::string(cfg->run_dir) + "/corba.ior";
	CORBA::String_var ior;
	int rc = corba_orb(ep, me, endpoint.c_str()), fd;
	size_t n;

	if (rc)
		return rc;
	me->reply_cap = cfg->msg_bytes ? cfg->msg_bytes : 1;
	me->reply = new (std::nothrow) CORBA::Octet[me->reply_cap];
	if (!me->reply)
		return ipcb_err(&ep->err, -ENOMEM, "new(reply buffer)");
	try {
		CORBA::Object_var obj = me->orb->resolve_initial_references("RootPOA");
		PortableServer::POA_var poa = PortableServer::POA::_narrow(obj);
		PortableServer::ObjectId_var id;

		me->servant = new corba_servant(me);
		id = poa->activate_object(me->servant);
		obj = me->servant->_this();
		ior = me->orb->object_to_string(obj);
		PortableServer::POAManager_var pm = poa->the_POAManager();
		pm->activate();
	} catch (...) {
		return corba_fail(&ep->err, "POA");
	}
	fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ipcb_errf(&ep->err, -errno, "open", "%s", path.c_str());
	n = strlen(ior.in());
	if (write(fd, ior.in(), n) != (ssize_t)n) {
		close(fd);
		return ipcb_errf(&ep->err, -EIO, "write", "%s", path.c_str());
	}
	close(fd);
	return 0;
}

int corba_open(struct ipcb_ep *ep)
{
	corba_ep *me = new (std::nothrow) corba_ep;

	if (!me)
		return ipcb_err(&ep->err, -ENOMEM, "new(corba endpoint)");
	*static_cast<void **>(ep->priv) = me;
	me->stream = !ep->chan->cfg.bidirectional;
	if (ep->role == IPCB_RECEIVER)
		return corba_serve(ep, me);
	return corba_orb(ep, me, nullptr);
}

/* The sender reads the receiver's reference from the file it wrote in open(). */
int corba_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	corba_ep *me = corba_self(ep);
	std::string path = std::string(ep->chan->cfg.run_dir) + "/corba.ior";
	char ior[4096];
	ssize_t n;
	int fd;

	(void)peers;
	if (ep->role == IPCB_RECEIVER)
		return 0;
	fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ipcb_errf(&ep->err, -errno, "open", "%s", path.c_str());
	n = read(fd, ior, sizeof(ior) - 1);
	close(fd);
	if (n <= 0)
		return ipcb_errf(&ep->err, -EPROTO, "read", "%s: no object reference",
				 path.c_str());
	ior[n] = '\0';
	try {
		CORBA::Object_var obj = me->orb->string_to_object(ior);

		me->peer = ipcbench::Echoer::_narrow(obj);
		if (CORBA::is_nil(me->peer))
			return ipcb_errf(&ep->err, -EPROTO, "_narrow",
					 "the reference is no ipcbench::Echoer");
	} catch (...) {
		return corba_fail(&ep->err, "CORBA::ORB::string_to_object");
	}
	return 0;
}

void corba_close(struct ipcb_ep *ep)
{
	corba_ep *me = ep->priv ? corba_self(ep) : nullptr;

	if (!me)
		return;
	{
		/* An upcall still waiting for this thread returns (a failed run ends here). */
		std::lock_guard<std::mutex> g(me->lock);

		me->closing = true;
		me->cond.notify_all();
	}
	try {
		me->peer = ipcbench::Echoer::_nil();
		if (!CORBA::is_nil(me->orb))
			me->orb->destroy();
	} catch (...) {
	}
	if (me->servant)
		me->servant->_remove_ref();
	delete[] me->reply;
	delete me;
	*static_cast<void **>(ep->priv) = nullptr;
}

IPCB_HOT int corba_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	corba_ep *me = corba_self(ep);

	if (ep->role == IPCB_SENDER) {
		if (!me->stream) {
			/* The call is made by recv(), which waits for its result. */
			me->pending = buf;
			me->pending_len = len;
			return 0;
		}
		try {
			ipcbench::Bytes data((CORBA::ULong)len, (CORBA::ULong)len,
					     (CORBA::Octet *)buf, false);

			me->peer->push(data);
		} catch (...) {
			return corba_fail(&ep->err, "Echoer.push");
		}
		return 0;
	}
	std::lock_guard<std::mutex> g(me->lock);
	if (!me->request || !me->taken || len > me->reply_cap)
		return ipcb_errf(&ep->err, -EPROTO, "Echoer.echo result", "no call to answer");
	memcpy(me->reply, buf, len);
	me->reply_len = len;
	me->replied = true;
	me->cond.notify_all();
	return 0;
}

IPCB_HOT int corba_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	corba_ep *me = corba_self(ep);

	if (ep->role == IPCB_SENDER) {
		const void *req = me->pending;

		if (!req || me->pending_len != len)
			return ipcb_errf(&ep->err, -EPROTO, "Echoer.echo", "no request to make");
		me->pending = nullptr;
		try {
			ipcbench::Bytes data((CORBA::ULong)len, (CORBA::ULong)len,
					     (CORBA::Octet *)req, false);
			ipcbench::Bytes_var r = me->peer->echo(data);

			if (r->length() != len)
				return ipcb_errf(&ep->err, -EBADMSG, "Echoer.echo",
						 "%lu bytes where %zu were sent",
						 (unsigned long)r->length(), len);
			memcpy(buf, r->get_buffer(), len);
		} catch (...) {
			return corba_fail(&ep->err, "Echoer.echo");
		}
		return 0;
	}
	std::unique_lock<std::mutex> g(me->lock);
	/* No time limit of its own: the driver ends a run whose peer stopped. */
	me->cond.wait(g, [me] { return (me->request && !me->taken) || me->closing; });
	if (!me->request)
		return ipcb_errf(&ep->err, -EPIPE, "upcall", "the ORB is shutting down");
	if (me->request->length() != len) {
		me->taken = true;
		me->cond.notify_all();
		return ipcb_errf(&ep->err, -EBADMSG, me->stream ? "Echoer.push" : "Echoer.echo",
				 "%lu bytes where %zu were sent",
				 (unsigned long)me->request->length(), len);
	}
	memcpy(buf, me->request->get_buffer(), len);
	me->taken = true;
	if (me->stream)
		me->cond.notify_all();
	return 0;
}

int corba_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "omniORB GIOP over %s, %s",
		 corba_unix(&ch->cfg) ? "a Unix socket" : "TCP",
		 ch->cfg.bidirectional ? "echo calls" : "oneway calls");
	return 0;
}

void corba_teardown(struct ipcb_chan *ch)
{
	(void)ch; /* the IOR file and the socket are in the run's directory, removed with it */
}

void corba_library(char *out, size_t n)
{
	snprintf(out, n, "omniORB %s", omniORB::versionString());
}

/* Its route follows the socket it runs over. */
void corba_route(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r)
{
	bool un = corba_unix(cfg);

	r->path = un ? IPCB_PATH_KERNEL_COPY : IPCB_PATH_NETWORK_STACK;
	r->rides_on = un ? "unix-stream" : "tcp";
}

struct ipcb_transport corba_entry()
{
	struct ipcb_transport t;

	memset(&t, 0, sizeof(t));
	t.name = "corba";
	t.layer = IPCB_LAYER_MIDDLEWARE;
	t.path = IPCB_PATH_NETWORK_STACK;
	t.rides_on = "tcp";
	t.route = corba_route;
	t.summary = "CORBA echo call over GIOP (omniORB), IOR through a file, TCP or a Unix socket";
	t.notes = corba_notes;
	t.caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR;
	t.max_msg_bytes = corba_max_msg;
	t.fixed_wait = IPCB_WAIT_BLOCK;
	t.options = corba_options;
	t.hops = "via ORB";
	t.library = corba_library;
	t.ep_priv_bytes = sizeof(void *);
	t.setup = corba_setup;
	t.teardown = corba_teardown;
	t.open = corba_open;
	t.connect = corba_connect;
	t.close = corba_close;
	t.send = corba_send;
	t.recv = corba_recv;
	return t;
}

} // namespace

extern "C" const struct ipcb_transport ipcb_transport_corba = corba_entry();
