/* SPDX-License-Identifier: MIT */
/*
 * posix-mq - POSIX message queues (mq_open), one per direction: "/<tag>-ab" carries sender ->
 * receiver, "/<tag>-ba" (latency mode only) the echo.
 *
 * Cost of one message: mq_send() allocates a kernel message and copies the payload in, then
 * wakes the reader; mq_receive() copies it out into a buffer at least mq_msgsize long. A chunk
 * shorter than mq_msgsize (the tail of a chunked payload) is received through a staging buffer:
 * one extra memcpy.
 * Limits: one message is at most fs.mqueue.msgsize_max bytes (8 KiB by default) and the driver
 * chunks larger payloads; a queue holds at most fs.mqueue.msg_max messages (10 by default), and
 * every queue a user has counts against RLIMIT_MSGQUEUE (ulimit -q, 800 KiB by default) with
 * mq_maxmsg * (mq_msgsize + bookkeeping). Raise the sysctls and the rlimit for larger messages
 * or deeper queues. A privileged process could exceed the sysctls (CAP_SYS_RESOURCE); we never
 * ask for more than they allow, so every user measures the same thing.
 *
 * Sizing: mq_msgsize is the run's chunk size exactly, so a whole chunk is received straight into
 * the caller's buffer; mq_maxmsg is fs.mqueue.msg_max, lowered until the run's queues fit the
 * rlimit by our estimate, and halved further while mq_open still says EMFILE/ENOMEM (other queues
 * of this user count too) or EINVAL.
 * The parent unlinks each name right after opening it and the children inherit the descriptors
 * across fork (on Linux an mqd_t is a file descriptor), so nothing stays in the queue file system
 * even if the run is killed. Several senders or receivers (--topology) share a queue the same
 * way: each mq_send() queues one whole message, each mq_receive() takes one.
 */

#include "ipcb_config.h"
#include "transport.h"

#if IPCB_HAVE_MQUEUE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"
#include "msglimits.h"

/* The kernel's defaults, for when /proc/sys/fs/mqueue cannot be read. */
#define POSIX_MQ_DFLT_MSGSIZE_MAX 8192
#define POSIX_MQ_DFLT_MSG_MAX	  10
/*
 * What RLIMIT_MSGQUEUE charges per message slot besides the text: a struct msg_msg and a priority
 * tree node, about 100 bytes on 64-bit kernels. Only an estimate: mq_open has the last word.
 */
#define POSIX_MQ_SLOT_OVERHEAD 128

static const char *const posix_mq_suffix[2] = {"ab", "ba"}; /* [direction] */

struct posix_mq_chan {
	mqd_t q[2]; /* [direction], 0 = sender -> receiver; (mqd_t)-1 when closed */
	long msgsize;
};

/*
 * What a user of message queues tunes: how many messages a queue holds (mq_maxmsg) before a
 * sender waits, up to fs.mqueue.msg_max (only a process with CAP_SYS_RESOURCE goes past it).
 */
enum { POSIX_MQ_OPT_DEPTH };

static const struct ipcb_option posix_mq_options[] = {
    {.key = "depth",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 65536,
     .help = "messages each queue holds (mq_maxmsg), exactly; 0: as many as fs.mqueue.msg_max "
	     "and RLIMIT_MSGQUEUE allow (a deeper queue needs the sysctl raised first: --tune "
	     "does not try one)"},
    {.key = NULL},
};

struct posix_mq_ep {
	char *stage; /* mq_msgsize bytes, for chunks shorter than that */
};

struct posix_mq_limits {
	long msgsize_max, msg_max;
	rlim_t rlimit; /* RLIMIT_MSGQUEUE, bytes; RLIM_INFINITY when unbounded */
};

static long posix_mq_sysctl(const char *path, long fallback)
{
	unsigned long long v;

	return ipcb_sysctl_read(path, &v) == 0 && v > 0 && v <= LONG_MAX ? (long)v : fallback;
}

static void posix_mq_limits(struct posix_mq_limits *l)
{
	struct rlimit rl;

	l->msgsize_max =
	    posix_mq_sysctl("/proc/sys/fs/mqueue/msgsize_max", POSIX_MQ_DFLT_MSGSIZE_MAX);
	l->msg_max = posix_mq_sysctl("/proc/sys/fs/mqueue/msg_max", POSIX_MQ_DFLT_MSG_MAX);
	l->rlimit = getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
}

/* The deepest queue (mq_maxmsg) that lets nqueues queues of msgsize fit the rlimit; at least 1. */
static long posix_mq_depth(const struct posix_mq_limits *l, long msgsize, int nqueues)
{
	long depth = l->msg_max;

	if (l->rlimit != RLIM_INFINITY) {
		rlim_t fits =
		    l->rlimit / (rlim_t)nqueues / ((rlim_t)msgsize + POSIX_MQ_SLOT_OVERHEAD);

		if (fits < (rlim_t)depth)
			depth = (long)fits;
	}
	return depth > 0 ? depth : 1;
}

static const char *posix_mq_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "kernel built without CONFIG_POSIX_MQUEUE";
	case EMFILE:
		return "RLIMIT_MSGQUEUE (ulimit -q) spent by this user's queues, or out of file "
		       "descriptors";
	case EINVAL:
		return "over fs.mqueue.msgsize_max or fs.mqueue.msg_max";
	case ENOSPC:
		return "fs.mqueue.queues_max queues exist already";
	default:
		return "";
	}
}

/*
 * Create the queue `name` exclusively, mode 0600, for messages of msgsize bytes, as deep as *depth
 * allows, halving the depth while the kernel refuses it for its size; unlink the name at once.
 * The descriptor, or (mqd_t)-1 with *err set; *depth is the depth it got.
 */
static mqd_t posix_mq_create(const char *name, long msgsize, long *depth, bool exact, int *err)
{
	for (;;) {
		struct mq_attr a = {.mq_maxmsg = *depth, .mq_msgsize = msgsize};
		mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);

		if (q != (mqd_t)-1) {
			mq_unlink(name);
			return q;
		}
		*err = errno;
		if (exact || *depth <= 1 || (*err != EMFILE && *err != ENOMEM && *err != EINVAL))
			return (mqd_t)-1;
		*depth /= 2;
	}
}

/*
 * Create (and remove again) the two queues of a latency run at the largest message size the
 * sysctls allow, halving the size while the kernel refuses: what works is the largest message.
 */
static int posix_mq_probe(struct ipcb_probe *p)
{
	struct posix_mq_limits l;
	const char *hint;
	uint64_t rnd = 0;
	long msgsize;
	char name[2][80];
	int err = 0;

	posix_mq_limits(&l);
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint64_t)(uintptr_t)&rnd;
	for (int d = 0; d < 2; d++)
		snprintf(name[d], sizeof(name[d]), "/ipcbench-%d-probe-%016llx-%s", (int)getpid(),
			 (unsigned long long)rnd, posix_mq_suffix[d]);
	for (msgsize = l.msgsize_max; msgsize > 0; msgsize /= 2) {
		long depth = posix_mq_depth(&l, msgsize, 2);
		mqd_t q[2] = {(mqd_t)-1, (mqd_t)-1};

		q[0] = posix_mq_create(name[0], msgsize, &depth, false, &err);
		if (q[0] != (mqd_t)-1)
			q[1] = posix_mq_create(name[1], msgsize, &depth, false, &err);
		for (int d = 0; d < 2; d++)
			if (q[d] != (mqd_t)-1)
				mq_close(q[d]);
		if (q[1] != (mqd_t)-1) {
			if (p->max_msg_bytes == 0 || (size_t)msgsize < p->max_msg_bytes)
				p->max_msg_bytes = (size_t)msgsize;
			return 0;
		}
		if (err != EMFILE && err != ENOMEM && err != EINVAL)
			break;
	}
	if (err == 0)
		err = EINVAL;
	hint = posix_mq_hint(err);
	snprintf(p->reason, sizeof(p->reason), "mq_open: %s%s%s%s", strerror(err),
		 *hint ? " (" : "", hint, *hint ? ")" : "");
	return -err;
}

static int posix_mq_setup(struct ipcb_chan *ch)
{
	struct posix_mq_chan *c = ch->priv;
	struct posix_mq_limits l;
	int n = ch->cfg.bidirectional ? 2 : 1;
	long depth;

	c->q[0] = c->q[1] = (mqd_t)-1;
	c->msgsize = (long)ch->cfg.msg_bytes;
	posix_mq_limits(&l);
	if (c->msgsize > l.msgsize_max)
		return ipcb_errf(&ch->err, -EMSGSIZE, "mq_open",
				 "%ld-byte messages: over fs.mqueue.msgsize_max %ld", c->msgsize,
				 l.msgsize_max);
	depth = ipcb_opt(&ch->cfg, POSIX_MQ_OPT_DEPTH)
		    ? (long)ipcb_opt(&ch->cfg, POSIX_MQ_OPT_DEPTH)
		    : posix_mq_depth(&l, c->msgsize, n);
	for (int d = 0; d < n; d++) {
		char name[96];
		int err = 0;

		snprintf(name, sizeof(name), "/%s-%s", ch->tag, posix_mq_suffix[d]);
		c->q[d] = posix_mq_create(name, c->msgsize, &depth,
					  ipcb_opt(&ch->cfg, POSIX_MQ_OPT_DEPTH) != 0, &err);
		if (c->q[d] == (mqd_t)-1 && ipcb_opt(&ch->cfg, POSIX_MQ_OPT_DEPTH))
			return ipcb_errf(&ch->err, -err, "mq_open", "-o posix-mq.depth=%ld: %s",
					 depth, posix_mq_hint(err));
		if (c->q[d] == (mqd_t)-1)
			return ipcb_errf(&ch->err, -err, "mq_open", "%s", posix_mq_hint(err));
	}
	ch->buffer_bytes = (size_t)n * (size_t)depth * (size_t)c->msgsize;
	return 0;
}

static void posix_mq_close_queues(struct posix_mq_chan *c)
{
	for (int d = 0; d < 2; d++) {
		if (c->q[d] != (mqd_t)-1)
			mq_close(c->q[d]);
		c->q[d] = (mqd_t)-1;
	}
}

/* The names went with setup's mq_unlink: closing the last descriptors frees the queues. */
static void posix_mq_teardown(struct ipcb_chan *ch)
{
	posix_mq_close_queues(ch->priv);
}

static int posix_mq_open(struct ipcb_ep *ep)
{
	const struct posix_mq_chan *c = ep->chan->priv;
	struct posix_mq_ep *e = ep->priv;

	e->stage = malloc((size_t)c->msgsize);
	if (!e->stage)
		return ipcb_errf(&ep->err, -ENOMEM, "malloc", "%ld-byte staging buffer",
				 c->msgsize);
	return 0;
}

static void posix_mq_close(struct ipcb_ep *ep)
{
	struct posix_mq_ep *e = ep->priv;

	free(e->stage);
	e->stage = NULL;
	/* This child's copies of the descriptors; the parent closes its own in teardown. */
	posix_mq_close_queues(ep->chan->priv);
}

IPCB_HOT static int posix_mq_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct posix_mq_chan *c = ep->chan->priv;
	mqd_t q = c->q[ep->role == IPCB_SENDER ? 0 : 1];

	while (mq_send(q, buf, len, 0) < 0) {
		if (errno == EINTR)
			continue;
		return ipcb_err(&ep->err, -errno, "mq_send");
	}
	return 0;
}

IPCB_HOT static int posix_mq_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct posix_mq_chan *c = ep->chan->priv;
	struct posix_mq_ep *e = ep->priv;
	mqd_t q = c->q[ep->role == IPCB_SENDER ? 1 : 0];
	/* mq_receive() insists on room for mq_msgsize bytes, whatever the message's length. */
	char *dst = len == (size_t)c->msgsize ? buf : e->stage;
	ssize_t n;

	do
		n = mq_receive(q, dst, (size_t)c->msgsize, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ipcb_err(&ep->err, -errno, "mq_receive");
	if ((size_t)n != len)
		return ipcb_errf(&ep->err, -EBADMSG, "mq_receive",
				 "message of %zd bytes where %zu were expected", n, len);
	if (dst != buf)
		memcpy(buf, dst, len);
	return 0;
}
#endif /* IPCB_HAVE_MQUEUE */

const struct ipcb_transport ipcb_transport_posix_mq = {
    .name = "posix-mq",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "POSIX message queue per direction; largest message fs.mqueue.msgsize_max, "
	       "depth fs.mqueue.msg_max within RLIMIT_MSGQUEUE",
    .caps = IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX | IPCB_CAP_MULTI_SENDER | IPCB_CAP_MULTI_RECEIVER,
    IPCB_IF_BUILT(IPCB_HAVE_MQUEUE,
		  "built without POSIX message queues: <mqueue.h> or mq_open was missing",
		  .max_msg_bytes = 0, /* probe() finds it */
		  .fixed_wait = IPCB_WAIT_BLOCK, .options = posix_mq_options,
		  .chan_priv_bytes = sizeof(struct posix_mq_chan),
		  .ep_priv_bytes = sizeof(struct posix_mq_ep), .probe = posix_mq_probe,
		  .setup = posix_mq_setup, .teardown = posix_mq_teardown, .open = posix_mq_open,
		  .close = posix_mq_close, .send = posix_mq_send, .recv = posix_mq_recv),
};
