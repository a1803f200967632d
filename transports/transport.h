/* SPDX-License-Identifier: MIT */
/*
 * transport.h - the one contract between the ipcbench driver and an IPC mechanism.
 *
 * A transport is one file that ends with a `const struct ipcb_transport` built from designated
 * initializers. The driver knows nothing else about it: what differs between mechanisms is said by
 * capability flags, never by the driver testing a transport's name.
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
 * exclusively (O_EXCL) with mode 0600 and unlinked as early as the mechanism allows. System V
 * objects have no name: they get a key with ipcbench's prefix from ipcb_sysv_create() and a
 * line in the run's registry "$TMPDIR/<tag>.sysv" (sysvreg.h). `ipcbench --cleanup` finds all
 * of these by the pid in the name once that process is gone (bench/cleanup.h), without knowing
 * any transport's file names.
 */
#ifndef IPCB_TRANSPORT_H
#define IPCB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hot.h"

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
	 * channel object: a queue, a datagram socket, a ring with several readers, a broker
	 * topic. Fan-in and fan-out are built from these; without them a run has one of each.
	 * Several senders' messages each arrive whole (one send is one message, never mixed
	 * with another's); several receivers compete: each message goes to one of them.
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

/* Error record: negative errno plus the name of the call that failed and optional detail. */
struct ipcb_err {
	int code;	  /* negative errno, 0 when no error */
	char call[48];	  /* failing call, e.g. "mq_open" */
	char detail[160]; /* optional: a hint such as which sysctl limits this */
};

/* Record an error and return it, so hooks can `return ipcb_err(&ep->err, -errno, "pipe");`. */
int ipcb_err(struct ipcb_err *e, int code, const char *call);
/* Same, with a printf-style detail (kept short: it is one line of the run's error message). */
int ipcb_errf(struct ipcb_err *e, int code, const char *call, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

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
};

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
};

/* One side of a channel, in one child. */
struct ipcb_ep {
	const struct ipcb_chan *chan;
	enum ipcb_role role;
	unsigned index;	       /* which sender or receiver, from 0 */
	void *priv;	       /* t->ep_priv_bytes, zeroed by the driver */
	struct ipcb_err err;   /* open/send/recv/close errors */
	struct ipcb_addr addr; /* open() may publish how peers reach this endpoint */
};

/* What probe() learns about this machine. */
struct ipcb_probe {
	size_t
	    max_msg_bytes; /* in: the transport's static limit; out: possibly lowered (0 = none) */
	char reason[200];  /* out when probe fails: why it cannot run here, and the fix if any */
};

struct ipcb_transport {
	const char *name;    /* CLI spelling, kebab-case */
	const char *summary; /* one line for --list */
	unsigned caps;	     /* enum ipcb_cap bits */
	/* Largest message one send/recv carries; 0 = no limit. Larger payloads are chunked. */
	size_t max_msg_bytes;
	/* Wait strategy when the transport has no choice (IPCB_CAP_WAIT_CHOICE unset). */
	enum ipcb_wait fixed_wait;
	size_t chan_priv_bytes; /* size of ipcb_chan.priv */
	size_t ep_priv_bytes;	/* size of ipcb_ep.priv */
	/* Non-NULL when the mechanism could not be compiled here: the reason. Hooks may be NULL. */
	const char *unsupported;

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

	/*
	 * Zero-copy loans (IPCB_CAP_ZEROCOPY; all four or none). Like send/recv they move one
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
	int (*acquire)(struct ipcb_ep *ep, size_t len, void **buf);
	int (*commit)(struct ipcb_ep *ep, size_t len);
	int (*peek)(struct ipcb_ep *ep, void **buf, size_t *len);
	int (*release)(struct ipcb_ep *ep);
};

/* Registry (transports/registry.c): every transport in list order, including unsupported ones. */
size_t ipcb_transport_count(void);
const struct ipcb_transport *ipcb_transport_at(size_t i);
const struct ipcb_transport *ipcb_transport_find(const char *name);

/*
 * Does the entry keep the contract? A kebab-case name, a summary, and the hooks its capabilities
 * need, one rule per capability (open/send/recv always, unless unsupported; setup when it has
 * channel state; teardown when it has setup; the four loan hooks exactly when it declares
 * IPCB_CAP_ZEROCOPY; a fixed wait exactly when it offers no choice; no data capability on one
 * that moves nothing). 0, or -EINVAL with `why` saying what is wrong. The driver refuses to run
 * an entry that fails, and a unit test checks every entry and every rule.
 */
int ipcb_transport_check(const struct ipcb_transport *t, char *why, size_t why_bytes);

/* Names for messages and --list. */
const char *ipcb_wait_name(enum ipcb_wait w);

#endif /* IPCB_TRANSPORT_H */
