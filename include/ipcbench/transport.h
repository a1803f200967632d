/* SPDX-License-Identifier: MIT */
/*
 * ipcbench/transport.h - the public contract between ipcbench and an IPC mechanism.
 *
 * Every transport ipcbench measures, built in or loaded from a module, is one
 * `const struct ipcb_transport` built from designated initializers. A user who wants ipcbench to
 * measure their own IPC (a ring buffer, a queue, an RPC layer) writes one such struct in a shared
 * object, ends the file with IPCB_MODULE(the_struct), builds it against this header alone
 * (`pkg-config --cflags ipcbench-transport`) and runs `ipcbench -t external:/path/to/module.so`.
 * ipcbench checks the entry as it checks its own (the hooks its capabilities need), verifies
 * every message the module moves, and runs it under the same rules: `ipcbench selftest
 * external:/path/to/module.so` runs the transport test suite against it.
 *
 * This header is self-contained: it includes only the C library's headers, and the few helpers
 * a transport calls (ipcb_err, ipcb_errf, ipcb_opt) are inline here, so a module needs no symbol
 * from ipcbench.
 *
 * Versions: IPCB_TRANSPORT_ABI changes whenever a struct here changes in a way an older module
 * would misread (a field moved, a type changed). A module records the ABI and the size of
 * struct ipcb_transport it was built with (IPCB_MODULE does): ipcbench refuses a module of
 * another ABI, and zero-extends the struct of a module built when it was shorter (fields added
 * at its end since then read as absent).
 *
 *   ABI 1  the first public contract.
 *   ABI 2  struct ipcb_chan_cfg gained `broadcast` at its end. The configuration is embedded in
 *          struct ipcb_chan, so every member of the channel after it (priv, err, tag, layout)
 *          moved: a module built for ABI 1 would read its channel state at the wrong place.
 *          (struct ipcb_transport gained `lossy` at its end too, which alone needs no new ABI.)
 *          Since then, at their ends, which needs no new ABI either: struct ipcb_chan gained
 *          zc_sends and zc_copied (set by teardown) and yields (set by the driver), struct
 *          ipcb_ep wait_mark (ipcbench --count marks waiting through it: ipcb_wait_begin()),
 *          struct ipcb_transport syscalls (the calls a message takes: absent, none declared).
 *
 * Life of a run, and which process calls what:
 *
 *   parent:   probe() ........ once per ipcbench invocation; may lower max_msg_bytes
 *   parent:   setup(ch) ...... create the run's shared objects, if any (before fork)
 *   fork      one child per endpoint (cfg.senders senders, cfg.receivers receivers); each
 *             inherits *ch (and any fds/mappings setup made)
 *   child:    open(ep) ....... after pinning; ep->role and ep->index say which endpoint this
 *                              is; may publish ep->addr, how peers reach it
 *   child:    connect(ep, peers) optional: once every endpoint has opened, with all their
 *                              addresses; nothing is sent before every connect has returned
 *   child:    send/recv ...... the timed loop; both sides send and receive in latency mode
 *   child:    close(ep)
 *   parent:   teardown(ch) ... after every child was reaped, also after a failed or partial
 *                              setup; removes every kernel object and file the run made
 *
 * A mechanism whose endpoints find each other by address (a socket bound in open(), connected
 * in connect()) needs nothing to cross fork: the same code works when the peer is another
 * process the driver did not fork.
 *
 * Error convention: every hook returns 0 or a negative errno. Before returning an error it records
 * the failing call with ipcb_err() (e.g. ipcb_err(&ep->err, -errno, "shm_open")), so the driver can
 * report "transport, size, mode: shm_open: Permission denied" without knowing the mechanism.
 *
 * send()/recv() move exactly one whole message of exactly `len` bytes (len >= 1, never above the
 * largest size the driver told setup about): they retry short transfers and EINTR internally and
 * may not allocate, print or read a clock. -EAGAIN is never returned; a transport that cannot make
 * progress blocks (or spins, by its wait strategy).
 *
 * Kernel objects: every path a run makes (FIFOs, socket paths, files) lives in the run's own
 * directory, cfg.run_dir ("<dir>/<tag>.d", mode 0700, made by the driver for transports that
 * declare IPCB_CAP_USES_DIR and removed whole by it after teardown). Names outside a directory
 * (POSIX shm, POSIX queues) start with ch->tag, "ipcbench-<driver pid>-<16 random hex digits>",
 * optionally followed by "-" or "." and a suffix of letters and digits. Everything is created
 * exclusively (O_EXCL) with mode 0600 and unlinked as early as the mechanism allows; a module
 * that keeps to these names is cleaned up by `ipcbench --cleanup` after a crash like any other.
 */
#ifndef IPCBENCH_TRANSPORT_H
#define IPCBENCH_TRANSPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes, and the struct-size rule above. */
#define IPCB_TRANSPORT_ABI 2u

/* Capability flags: what the driver may rely on, and what --list shows. */
enum ipcb_cap {
	/* One channel object carries both directions (socketpair); without it, one per direction.
	 */
	IPCB_CAP_BIDIR = 1u << 0,
	/* Each send arrives as one message (datagram, queue entry); without it, a byte stream. */
	IPCB_CAP_BOUNDARIES = 1u << 1,
	/* The reader's wait strategy can be chosen (--wait spin|yield|block|hybrid). */
	IPCB_CAP_WAIT_CHOICE = 1u << 2,
	/* Payload travels through memory both processes map; the mechanism only notifies. */
	IPCB_CAP_SHARED_BUFFER = 1u << 3,
	/* Makes files or paths: they go in the run's directory, cfg.run_dir (under --dir). */
	IPCB_CAP_USES_DIR = 1u << 4,
	/* Moves nothing at all: measures the harness (the `null` transport). */
	IPCB_CAP_NO_DATA = 1u << 5,
	/* Honours --fsync (each message forced to stable storage). */
	IPCB_CAP_FSYNC = 1u << 6,
	/*
	 * Several senders (MULTI_SENDER) or several receivers (MULTI_RECEIVER) can share one
	 * channel object: a queue, a datagram socket, a broker's queue. Fan-in and fan-out are
	 * built from these; without them a run has one of each. Several senders' messages each
	 * arrive whole (one send is one message, never mixed with another's); several receivers
	 * compete: each message goes to one of them (a work queue). Delivering every message to
	 * every receiver is another capability, IPCB_CAP_BROADCAST.
	 */
	IPCB_CAP_MULTI_SENDER = 1u << 7,
	IPCB_CAP_MULTI_RECEIVER = 1u << 8,
	/*
	 * One endpoint may send in one thread while it receives in another: what a window of
	 * messages in flight, an open-loop rate with replies and a stream both ways need.
	 */
	IPCB_CAP_DUPLEX = 1u << 9,
	/*
	 * Zero-copy loans: the sender builds a message in a buffer the transport lends it
	 * (acquire, commit) and the receiver reads it where it arrived (peek, release), so the
	 * driver's own buffers and the copies send/recv imply are out of the path. Loans carry
	 * whole messages: a payload above max_msg_bytes goes through send/recv in chunks instead.
	 */
	IPCB_CAP_ZEROCOPY = 1u << 10,
	/*
	 * May lose messages in a stream: a broker that drops what a full queue cannot take
	 * (at-most-once delivery). A stream's receiver counts a gap in the sequence as lost
	 * messages (the row's losses) instead of failing, and the sender repeats its last message
	 * until the receivers are done, since the last one may be lost too. A round trip still
	 * fails when a message is lost (at --timeout): a ping-pong has nothing to go on with.
	 * A transport that loses messages only in some runs (by its options, or when it
	 * broadcasts) says which with its lossy() hook; the others' runs then stay strict, a
	 * lost message failing them.
	 */
	IPCB_CAP_LOSSY = 1u << 11,
	/*
	 * Reaches its peer over IP, by address alone: each endpoint makes its own sockets in
	 * open(), binds them to cfg.host (an address of this host; 127.0.0.1 when NULL), publishes
	 * how it is reached and connects in connect(); nothing crosses fork and nothing is shared
	 * but the network. Such a transport can run with its two endpoints on two hosts
	 * (`ipcbench serve`, `--peer`); only these does a server run for a client. One that also
	 * declares USES_DIR may, when cfg.host is NULL (both endpoints forked on this host), reach
	 * its peer through a path in its run directory instead (http's Unix socket); with cfg.host
	 * named it uses the network alone.
	 */
	IPCB_CAP_NETWORK = 1u << 12,
	/*
	 * Its runtime (launch_cmd) can start the two sides on two hosts itself: with --peer, the
	 * driver hands it both hosts (cfg.host, cfg.peer) and the command that runs a command on
	 * the other one (cfg.agent); no stand-in and no server take part in its runs.
	 */
	IPCB_CAP_LAUNCH_HOSTS = 1u << 13,
	/*
	 * Publish-subscribe: with cfg.broadcast set (--deliver all), one sender's every message
	 * goes to every one of cfg.receivers receivers, each in the sender's order (a broker's
	 * pub/sub channel or topic, a fanout exchange, bus signals, a ring that several readers
	 * follow). The subscriptions are in place when connect() has returned, so nothing sent
	 * after the start barrier misses a receiver that joined late (open() subscribes, or
	 * connect() waits until every subscription has reached the sender). It stands on its own,
	 * without MULTI_RECEIVER: a mechanism that delivers to all need not be able to share
	 * messages out among competing receivers (PUB/SUB sockets, signals), and one that can do
	 * both declares both and does what cfg.broadcast says. Broadcast runs stream one way
	 * (throughput mode); a transport that drops what a slow subscriber cannot take says so with
	 * lossy().
	 */
	IPCB_CAP_BROADCAST = 1u << 14,
};

enum ipcb_wait {
	IPCB_WAIT_DEFAULT = 0, /* transport's own default (hybrid where there is a choice) */
	IPCB_WAIT_SPIN,	       /* busy-poll shared memory, never sleep */
	IPCB_WAIT_BLOCK,       /* sleep in the kernel until woken */
	IPCB_WAIT_HYBRID,      /* spin for a bounded number of polls, then sleep */
	IPCB_WAIT_NONE,	       /* nothing to wait for (null) */
	IPCB_WAIT_YIELD, /* poll, giving the CPU away (sched_yield) between polls; never sleep */
};

enum ipcb_role {
	IPCB_SENDER = 0,   /* side A: originates messages, measures round trips */
	IPCB_RECEIVER = 1, /* side B: echoes in latency mode, measures in throughput mode */
};

/*
 * Error record: negative errno plus the name of the call that failed and optional detail.
 */
struct ipcb_err {
	int code;	  /* negative errno, 0 when no error */
	char call[48];	  /* failing call, e.g. "mq_open" */
	char detail[160]; /* optional: a hint such as which sysctl limits this */
};

/*
 * Record an error and return it, so hooks can `return ipcb_err(&ep->err, -errno, "pipe");`. The
 * first error is kept: later ones are usually its consequences (a close after a failed send).
 */
static inline int ipcb_err(struct ipcb_err *e, int code, const char *call)
{
	if (e && e->code == 0) {
		e->code = code;
		snprintf(e->call, sizeof(e->call), "%s", call ? call : "?");
		e->detail[0] = '\0';
	}
	return code;
}

/*
 * Same, with a printf-style detail (kept short: it is one line of the run's error message, so
 * a line break in it, such as a Java exception's text carries, becomes a space).
 */
static inline int ipcb_errf(struct ipcb_err *e, int code, const char *call, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int ipcb_errf(struct ipcb_err *e, int code, const char *call, const char *fmt, ...)
{
	va_list ap;

	if (e && e->code == 0) {
		ipcb_err(e, code, call);
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
		for (char *c = e->detail; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
	}
	return code;
}

/*
 * How peers reach an endpoint: a path (in the run directory), a host:port, or opaque bytes such
 * as a socket address. open() fills ep->addr where its mechanism has one; the driver hands every
 * endpoint's address to connect().
 */
#define IPCB_ADDR_BYTES 128
struct ipcb_addr {
	uint32_t len; /* bytes used; 0 = nothing published */
	unsigned char bytes[IPCB_ADDR_BYTES];
};

/* Every endpoint's address, as connect() receives them: senders, then receivers, by index. */
struct ipcb_peers {
	unsigned senders, receivers;
	const struct ipcb_addr *sender;	  /* [senders] */
	const struct ipcb_addr *receiver; /* [receivers] */
};

/*
 * Per-transport options: a transport may declare a table of them (ipcb_transport.options, ended
 * by an entry whose key is NULL), set on the command line as `-o NAME.KEY=VALUE`, shown by
 * `ipcbench --list NAME` and recorded in every row (the `options` column: "hwm=1000"). The
 * driver parses and checks each value against its entry (a bad key or value is a usage error
 * naming it) and hands the run every option's value in cfg.opt, by the entry's index in the
 * table, defaults included; the transport reads them with ipcb_opt().
 */
enum ipcb_opt_type {
	IPCB_OPT_UINT,	 /* a whole number in [min, max] */
	IPCB_OPT_BOOL,	 /* 0 or 1 */
	IPCB_OPT_CHOICE, /* one word of `choices` ("vader|tcp"); the value is its index */
};

#define IPCB_MAX_OPTIONS 8

struct ipcb_option {
	const char *key; /* lowercase letters, digits and '-'; NULL ends the table */
	enum ipcb_opt_type type;
	const char *def;     /* the default, as it would be written on the command line */
	const char *choices; /* IPCB_OPT_CHOICE: the words, separated by '|' */
	uint64_t min, max;   /* IPCB_OPT_UINT */
	const char *help;    /* one line for --list NAME */
	/*
	 * Optional: the values --tune tries besides the default, separated by '|' ("16384|65536"):
	 * the settings a user of the mechanism would tune it with.
	 */
	const char *tune;
	/*
	 * IPCB_OPT_UINT: the option is a number of bytes per call (a write size): a message no
	 * larger than it moves as if it were 0, so --tune does not try it at such sizes.
	 */
	bool per_call;
};

struct ipcb_transport;
struct ipcb_service_ops;
struct ipcb_launch_ops;

/* What the driver asks of one run's channel. Filled by the driver before setup(). */
struct ipcb_chan_cfg {
	size_t msg_bytes;    /* largest single send/recv of this run (after chunking) */
	enum ipcb_wait wait; /* resolved: never IPCB_WAIT_DEFAULT for WAIT_CHOICE transports */
	unsigned spin_polls; /* hybrid: polls before sleeping */
	const char *dir;     /* --dir: where the run's directory is made */
	const char *run_dir; /* IPCB_CAP_USES_DIR: the run's own directory, for every path */
	bool fsync;	     /* IPCB_CAP_FSYNC: force every message to storage */
	bool bidirectional;  /* latency mode: B->A traffic too; false: A->B only */
	unsigned senders;    /* endpoints of each role, at least 1 each (more only with */
	unsigned receivers;  /* IPCB_CAP_MULTI_SENDER / IPCB_CAP_MULTI_RECEIVER) */
	/* The transport's options (its `options` table, by index), defaults where not given. */
	uint64_t opt[IPCB_MAX_OPTIONS];
	/*
	 * A transport with a service: how its endpoints reach the server (ipcb_service.addr).
	 * NULL in teardown when the server ended during the run: nothing is left to clean in it.
	 */
	const char *service;
	/*
	 * Requests a sender keeps outstanding (--inflight in latency mode; 1 otherwise and when
	 * 0): how many sends a transport that is acknowledged per send (a broker's reply to each
	 * publish) may leave unacknowledged, its pipelining depth.
	 */
	unsigned inflight;
	/*
	 * IPCB_CAP_NETWORK: the numeric IP address (IPv4 or IPv6) of this host that endpoints
	 * bind to and publish, the one their peer reaches; NULL: 127.0.0.1 (both on this host).
	 */
	const char *host;
	/*
	 * IPCB_CAP_LAUNCH_HOSTS with --peer: the other host's numeric address, where the receiver
	 * runs (NULL: both sides on this host), and the command that runs a command there, called
	 * as `AGENT HOST WORD...` like rsh or ssh (`ipcbench rsh-agent`: through --launch).
	 */
	const char *peer;
	const char *agent;
	/*
	 * IPCB_CAP_BROADCAST: this run delivers every message to every receiver (--deliver all;
	 * one sender, cfg.receivers subscribers, throughput mode), even when there is one; false:
	 * each message goes to one receiver, as always. (Added in ABI 2.)
	 */
	bool broadcast;
};

/* Option i of the run (an index into the transport's `options` table). */
static inline uint64_t ipcb_opt(const struct ipcb_chan_cfg *cfg, unsigned i)
{
	return i < IPCB_MAX_OPTIONS ? cfg->opt[i] : 0;
}

/* One run's channel: made by the driver, filled by setup(), inherited by both children. */
struct ipcb_chan {
	const struct ipcb_transport *t;
	struct ipcb_chan_cfg cfg;
	void *priv;	     /* t->chan_priv_bytes, zeroed by the driver */
	struct ipcb_err err; /* setup/teardown errors */
	char tag[64]; /* "ipcbench-<pid>-<random>": the prefix for every name this run makes */
	/*
	 * Set by setup(): bytes of kernel or shared memory the channel holds for messages in
	 * flight, all directions together (ring and slot sizes, pipe and socket buffer limits,
	 * queue capacities); 0 = not known. Reported as the row's buffer_bytes.
	 */
	size_t buffer_bytes;
	/*
	 * Set by setup(), optional: how the channel holds messages in flight, in a few words, for
	 * the row's `channel` column ("ring per direction: 8 slots of 32K"); empty = not said.
	 * teardown() may add what the endpoints recorded in shared memory (how many sends the
	 * kernel copied after all). The driver puts "zerocopy; " in front when loans were used.
	 */
	char layout[64];
	/*
	 * Set by teardown(), optional, for a transport whose zero-copy sends the kernel may copy
	 * after all (MSG_ZEROCOPY on loopback copies every one): how many zero-copy sends the run
	 * made, and how many of them were copied; 0 of 0 is not known. The row's zerocopy_copied
	 * is their ratio: a report counts a transport as zero-copy only where the copy was avoided.
	 * (At the struct's end: a module built before it leaves them 0, and nothing moved.)
	 */
	uint64_t zc_sends, zc_copied;
	/*
	 * Set by the driver, for a hybrid wait where the run's two sides are one thread each on one
	 * CPU they share: how many times a wait gives that CPU away (sched_yield()) before it
	 * sleeps; 0 elsewhere, and where a side's own two threads share its CPU. The other side
	 * holds what is waited for and runs at once, where a sleep would cost a wake-up at every
	 * message (ipcb_wait_poll() in transports/util/common.h). (At the struct's end: a module
	 * built before it never reads it.)
	 */
	unsigned yields;
};

/* One side of a channel, in one child. */
struct ipcb_ep {
	const struct ipcb_chan *chan;
	enum ipcb_role role;
	unsigned index;	       /* which sender or receiver, from 0 */
	void *priv;	       /* t->ep_priv_bytes, zeroed by the driver */
	struct ipcb_err err;   /* open/send/recv/close errors */
	struct ipcb_addr addr; /* open() may publish how peers reach this endpoint */
	/*
	 * Set by the driver when the run is counted (ipcbench --count), else NULL: call it through
	 * ipcb_wait_begin()/ipcb_wait_end() below, never directly. (Added at the end, and the
	 * driver allocates the endpoint: a module built before it never calls it, and needs no new
	 * ABI.)
	 */
	void (*wait_mark)(bool begin);
};

/*
 * Waiting, marked. ipcbench --count counts what each side executes per message, and a wait's
 * instructions and system calls depend on the other side's timing (the polls of a spinning
 * reader, a futex call to sleep or to wake a sleeper, yields, a second read() for the rest of a
 * message that came in pieces). A transport brackets every such wait with these two calls, so
 * that it is not counted: from just before the first instruction that only runs when it must
 * wait, to just after the last. Outside a counted run they are one load and a branch.
 */
static inline void ipcb_wait_begin(const struct ipcb_ep *ep)
{
	if (__builtin_expect(ep->wait_mark != NULL, 0))
		ep->wait_mark(true);
}

static inline void ipcb_wait_end(const struct ipcb_ep *ep)
{
	if (__builtin_expect(ep->wait_mark != NULL, 0))
		ep->wait_mark(false);
}

enum ipcb_layer { IPCB_LAYER_KERNEL = 0, IPCB_LAYER_MIDDLEWARE, IPCB_LAYER_BROKER, IPCB_LAYERS };

/*
 * The data path: how a message's bytes get from the sender's buffer to the receiver's, whatever
 * the API around them is called. A report compares mechanisms by it (shared memory against the
 * rest, not a list of names), so a transport declares it, and one whose options change it (a
 * framework over a Unix socket or over TCP) says so per run with route().
 */
enum ipcb_path {
	IPCB_PATH_UNDECLARED = 0,
	IPCB_PATH_SHARED_MEMORY, /* written into memory both processes map; the mechanism notifies
				  */
	IPCB_PATH_KERNEL_COPY,	 /* the kernel copies them: through its buffer (pipes, queues, Unix
				    sockets) or from one address space into the other */
	IPCB_PATH_NETWORK_STACK, /* through the kernel's IP stack, loopback or a link */
	IPCB_PATH_PAGE_CACHE,	 /* through a file's pages */
	IPCB_PATH_NONE,		 /* no bytes move (null) */
	IPCB_PATHS
};

/*
 * One run's route: its data path, and the transport it rides on (NULL: none): for a framework
 * or broker client the raw transport under it (zmq-tcp rides on tcp), for a kernel mechanism's
 * zero-copy variant its copying original (tcp-zc on tcp): the row a report measures it against.
 */
struct ipcb_route {
	enum ipcb_path path;
	const char *rides_on;
};

/* What probe() learns about this machine. */
struct ipcb_probe {
	size_t
	    max_msg_bytes; /* in: the transport's static limit; out: possibly lowered (0 = none) */
	char reason[200];  /* out when probe fails: why it cannot run here, and the fix if any */
};

/*
 * Zero-copy loans (IPCB_CAP_ZEROCOPY: all four hooks). Like send/recv they move one
 * whole message, retry EINTR, wait by the run's strategy, and neither allocate, print nor
 * read a clock, unless allocating is the mechanism (a memfd per message).
 *
 * acquire: lend the sender a buffer for the next message of exactly len bytes, in which
 *   the driver builds it. Returns 1 when the buffer is fresh (the driver fills it with the
 *   message pattern, as it fills its own buffers once), 0 when it holds exactly what the
 *   driver last committed from it (only the stamps are written again: what a producer
 *   building its data in place costs), or a negative errno.
 * commit: send the message built in the buffer acquire lent (len as acquired); the buffer
 *   is the transport's again, and it must not be reused while the receiver may still read
 *   it.
 * peek: wait for the next message and say where it is, in place; the receiver may change
 *   it (the driver's fault injection does) until release.
 * release: the receiver is done with the message peek returned.
 *
 * In a round trip the echo side peeks the request, acquires its reply, copies the request
 * into it (an echo is a copy of what came in), commits it and releases the request.
 */
struct ipcb_loan_ops {
	int (*acquire)(struct ipcb_ep *ep, size_t len, void **buf);
	int (*commit)(struct ipcb_ep *ep, size_t len);
	int (*peek)(struct ipcb_ep *ep, void **buf, size_t *len);
	int (*release)(struct ipcb_ep *ep);
};

struct ipcb_transport {
	const char *name;    /* CLI spelling, kebab-case */
	const char *summary; /* one line for --list */
	/* Optional: what else `--list NAME` should say (how it is launched, what it sets). */
	const char *notes;
	unsigned caps; /* enum ipcb_cap bits */
	/* Largest message one send/recv carries; 0 = no limit. Larger payloads are chunked. */
	size_t max_msg_bytes;
	/* Wait strategy when the transport has no choice (IPCB_CAP_WAIT_CHOICE unset). */
	enum ipcb_wait fixed_wait;
	size_t chan_priv_bytes; /* size of ipcb_chan.priv */
	size_t ep_priv_bytes;	/* size of ipcb_ep.priv */
	/* Non-NULL when the mechanism could not be compiled here: the reason. Hooks may be NULL. */
	const char *unsupported;
	/* Optional: the options table (see struct ipcb_option), ended by a NULL key. */
	const struct ipcb_option *options;
	/*
	 * What lies between the two endpoints, for the row's `hops` column: NULL for "direct"
	 * (the endpoints' own calls move the message, kernel or library); "via I/O thread" (a
	 * library thread in each process moves it), "via daemon" (a server process relays every
	 * message), "via broker", "via ORB" and "via JVM" (an ORB's or Java RMI's thread receives
	 * each call and hands it to the receiving endpoint).
	 */
	const char *hops;
	/*
	 * Which family of ways to talk it belongs to, for `-t kernel|middleware|brokers` and
	 * --list: the kernel's own mechanisms (the default), a library's protocol over one of
	 * them, or a broker (a server that holds the messages between the two sides).
	 */
	enum ipcb_layer layer;
	/*
	 * Its route (struct ipcb_route) with its default options on one host; route() where the
	 * run's options or hosts change it, from the run's configuration.
	 */
	enum ipcb_path path;
	const char *rides_on;
	void (*route)(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r);
	/*
	 * Optional: the library the transport is built on, with the version this process runs
	 * ("zmq 4.3.4"), and a server's when it has one; for the row's `library` column.
	 */
	void (*library)(char *out, size_t n);
	/*
	 * Optional, built-in transports only: the server process its runs need (a broker, a bus
	 * daemon), started by the driver; its ops are declared in the driver's own header.
	 */
	const struct ipcb_service_ops *service;
	/*
	 * Optional, built-in transports only: a runtime that starts the sides instead of fork
	 * (MPI's mpirun). The driver's own header declares these ops; a module leaves it NULL.
	 */
	const struct ipcb_launch_ops *launch;

	/* Can it run here? Returns 0, or a negative errno with p->reason filled. Optional. */
	int (*probe)(struct ipcb_probe *p);
	int (*setup)(struct ipcb_chan *ch);
	void (*teardown)(struct ipcb_chan *ch);
	int (*open)(struct ipcb_ep *ep);
	void (*close)(struct ipcb_ep *ep);
	int (*send)(struct ipcb_ep *ep, const void *buf, size_t len);
	int (*recv)(struct ipcb_ep *ep, void *buf, size_t len);
	/*
	 * Optional: reach the peers, once every endpoint has opened (their addresses in peers,
	 * this endpoint's own among them). Runs in every endpoint at about the same time, so one
	 * side may accept while the other connects. 0 or a negative errno recorded in ep->err.
	 */
	int (*connect)(struct ipcb_ep *ep, const struct ipcb_peers *peers);
	/*
	 * Optional: how many network segments carrying data this endpoint has sent so far, for a
	 * mechanism that may put several messages in one segment or split one over several (TCP
	 * coalesces small writes, TSO splits large ones). Called by the driver at the start and
	 * the end of the measured phase, outside any sample; the row gives segments per message.
	 * 0, or a negative errno when the count cannot be read (the row then leaves it out).
	 */
	int (*segments_sent)(struct ipcb_ep *ep, uint64_t *count);

	/* Optional: zero-copy loans (IPCB_CAP_ZEROCOPY; see struct ipcb_loan_ops). */
	const struct ipcb_loan_ops *loans;
	/*
	 * Optional, IPCB_CAP_LOSSY only: may a run of this configuration lose messages? For a
	 * mechanism that loses some only in some runs: a publisher that drops what a slow
	 * subscriber's queue cannot take when it broadcasts (cfg.broadcast), but never in a pair;
	 * a ring whose writer overwrites by its options. Called in the driver and in each side,
	 * outside any timed loop. NULL: every run may (the capability alone decides).
	 */
	bool (*lossy)(const struct ipcb_chan_cfg *cfg);
	/*
	 * The system calls one message takes at least, outside any wait: [IPCB_SENDER] to send
	 * it, [IPCB_RECEIVER] to take it (an eventfd's write and read: 1 and 1; a ring in shared
	 * memory: none). A message larger than max_msg_bytes takes them for each of its pieces.
	 * A row's ceiling counts them at the cheapest call's time (floor-syscall): what the
	 * machine allows a mechanism that enters the kernel for every message. ipcbench --count
	 * counts them (tests/counted/syscalls.sh holds each declaration to its count).
	 */
	unsigned char syscalls[2];
};

/*
 * What a module exports, under the name `ipcb_module` (IPCB_MODULE writes it): the ABI and the
 * size of struct ipcb_transport it was built with, and its transport.
 */
struct ipcb_module {
	uint32_t abi;		 /* IPCB_TRANSPORT_ABI as built */
	uint32_t transport_size; /* sizeof(struct ipcb_transport) as built */
	const struct ipcb_transport *transport;
};

#define IPCB_MODULE_SYMBOL "ipcb_module"
#define IPCB_MODULE(t)                                                                             \
	__attribute__((visibility("default"))) const struct ipcb_module ipcb_module = {            \
	    IPCB_TRANSPORT_ABI, (uint32_t)sizeof(struct ipcb_transport), &(t)}

#ifdef __cplusplus
}
#endif

#endif /* IPCBENCH_TRANSPORT_H */
