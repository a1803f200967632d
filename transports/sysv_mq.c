/* SPDX-License-Identifier: MIT */
/*
 * sysv-mq - one System V message queue (msgget) for both directions, told apart by message type:
 * type 1 travels sender -> receiver, type 2 receiver -> sender.
 *
 * Cost of one message: msgsnd() allocates a kernel message and copies the text in (in page-sized
 * segments), msgrcv() copies it out and frees it; both take the queue's lock and wake a waiter.
 * msgsnd() wants the type word right in front of the text, so each side also copies the payload
 * through a staging buffer of its own: one memcpy per send and per receive on top of the kernel's.
 * Limits: one message is at most kernel.msgmax bytes, and the queue holds at most kernel.msgmnb
 * bytes in all, so a message larger than msgmnb could never be queued: the largest message is
 * the smaller of the two (8 KiB and 16 KiB by default) and the driver chunks larger payloads.
 * Raise both sysctls for larger messages.
 *
 * One queue for both directions cannot deadlock: in latency mode one side only starts sending
 * (its echo, or the next message) after it has received every chunk the other side sent, so at
 * any moment messages of one type only are queued, and their reader is draining them; in
 * throughput mode only type 1 is ever sent. That is also why it does not declare
 * IPCB_CAP_DUPLEX: with requests in flight, a queue full of requests would block the echo's
 * reply, and with it the reader that would make room, for ever. Several senders or receivers
 * (--topology) share the queue: each msgsnd() queues one whole message, each msgrcv() takes one.
 * A queue has no name to remove early: it lives until teardown's IPC_RMID, so a driver killed
 * with SIGKILL (no teardown) leaves it behind. Its key has ipcbench's prefix and the run's
 * registry file lists it (sysvreg.h), so `ipcbench --cleanup` finds and removes it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "common.h"
#include "msglimits.h"
#include "sysvreg.h"
#include "transport.h"

enum {
	SYSV_MQ_TYPE_AB = 1, /* sender -> receiver */
	SYSV_MQ_TYPE_BA = 2, /* receiver -> sender */
};

struct sysv_mq_chan {
	int id;
	bool made; /* id names a queue of ours (a zeroed id 0 may be somebody else's queue) */
};

struct sysv_mq_msg {
	long mtype;
	char mtext[];
};

struct sysv_mq_ep {
	struct sysv_mq_msg *msg; /* staging buffer: the type word, then up to msg_bytes of text */
};

/* kernel.msgmax: /proc when mounted, else the same value from msgctl(IPC_INFO). 0 or -errno. */
static int sysv_mq_msgmax(unsigned long long *out)
{
	struct msginfo info;

	if (ipcb_sysctl_read("/proc/sys/kernel/msgmax", out) == 0)
		return 0;
	if (msgctl(0, IPC_INFO, (struct msqid_ds *)&info) < 0)
		return -errno;
	*out = (unsigned long long)info.msgmax;
	return 0;
}

static const char *sysv_mq_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "kernel built without CONFIG_SYSVIPC";
	case ENOSPC:
		return "kernel.msgmni queues exist already";
	default:
		return "";
	}
}

/*
 * Make a throw-away queue: it proves the mechanism works here and tells the byte capacity a new
 * queue gets (msg_qbytes, from kernel.msgmnb).
 */
static int sysv_mq_probe(struct ipcb_probe *p)
{
	unsigned long long msgmax, max;
	struct msqid_ds ds;
	struct ipcb_err e = {0};
	char tag[64];
	int id, rc;

	/* Even a throw-away queue gets an ipcbench key and a registry line. */
	ipcb_sysv_probe_tag(tag, sizeof(tag));
	id = ipcb_sysv_create(tag, IPCB_SYSV_MSG, 0, &e);
	if (id < 0 && e.code) {
		snprintf(p->reason, sizeof(p->reason), "%s: %s (%.120s)", e.call, strerror(-e.code),
			 e.detail);
		return e.code;
	}
	if (id < 0) {
		const char *hint = sysv_mq_hint(errno);

		rc = -errno;
		snprintf(p->reason, sizeof(p->reason), "msgget: %s%s%s%s", strerror(-rc),
			 *hint ? " (" : "", hint, *hint ? ")" : "");
		return rc;
	}
	rc = msgctl(id, IPC_STAT, &ds) < 0 ? -errno : 0;
	msgctl(id, IPC_RMID, NULL);
	ipcb_sysv_registry_remove(tag);
	if (rc) {
		snprintf(p->reason, sizeof(p->reason), "msgctl(IPC_STAT): %s", strerror(-rc));
		return rc;
	}
	rc = sysv_mq_msgmax(&msgmax);
	if (rc) {
		snprintf(p->reason, sizeof(p->reason), "reading kernel.msgmax: %s", strerror(-rc));
		return rc;
	}
	max = msgmax < ds.msg_qbytes ? msgmax : ds.msg_qbytes;
	if (max == 0) {
		snprintf(p->reason, sizeof(p->reason),
			 "a queue holds no message: kernel.msgmax %llu, kernel.msgmnb %lu", msgmax,
			 (unsigned long)ds.msg_qbytes);
		return -EMSGSIZE;
	}
	if (p->max_msg_bytes == 0 || max < p->max_msg_bytes)
		p->max_msg_bytes = (size_t)max;
	return 0;
}

static int sysv_mq_setup(struct ipcb_chan *ch)
{
	struct sysv_mq_chan *c = ch->priv;
	struct msqid_ds ds;

	c->made = false;
	c->id = ipcb_sysv_create(ch->tag, IPCB_SYSV_MSG, 0, &ch->err);
	if (c->id < 0) {
		int err = errno;

		if (ch->err.code)
			return ch->err.code; /* the registry failed */
		return ipcb_errf(&ch->err, -err, "msgget", "%s", sysv_mq_hint(err));
	}
	c->made = true;
	if (msgctl(c->id, IPC_STAT, &ds) < 0)
		return ipcb_err(&ch->err, -errno, "msgctl(IPC_STAT)");
	if (ds.msg_qbytes < ch->cfg.msg_bytes)
		return ipcb_errf(&ch->err, -EMSGSIZE, "msgget",
				 "the queue holds %lu bytes, less than one %zu-byte message; "
				 "raise kernel.msgmnb",
				 (unsigned long)ds.msg_qbytes, ch->cfg.msg_bytes);
	ch->buffer_bytes = ds.msg_qbytes;
	return 0;
}

static void sysv_mq_teardown(struct ipcb_chan *ch)
{
	struct sysv_mq_chan *c = ch->priv;

	if (c->made)
		msgctl(c->id, IPC_RMID, NULL);
	c->made = false;
	c->id = -1;
	ipcb_sysv_registry_remove(ch->tag);
}

static int sysv_mq_open(struct ipcb_ep *ep)
{
	struct sysv_mq_ep *e = ep->priv;

	e->msg = malloc(sizeof(*e->msg) + ep->chan->cfg.msg_bytes);
	if (!e->msg)
		return ipcb_errf(&ep->err, -ENOMEM, "malloc", "%zu-byte staging buffer",
				 sizeof(*e->msg) + ep->chan->cfg.msg_bytes);
	return 0;
}

static void sysv_mq_close(struct ipcb_ep *ep)
{
	struct sysv_mq_ep *e = ep->priv;

	free(e->msg);
	e->msg = NULL;
}

IPCB_HOT static int sysv_mq_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct sysv_mq_chan *c = ep->chan->priv;
	struct sysv_mq_ep *e = ep->priv;

	e->msg->mtype = ep->role == IPCB_SENDER ? SYSV_MQ_TYPE_AB : SYSV_MQ_TYPE_BA;
	memcpy(e->msg->mtext, buf, len);
	while (msgsnd(c->id, e->msg, len, 0) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EINVAL)
			return ipcb_errf(&ep->err, -errno, "msgsnd",
					 "%zu bytes: over kernel.msgmax, or the queue is gone",
					 len);
		return ipcb_err(&ep->err, -errno, "msgsnd");
	}
	return 0;
}

IPCB_HOT static int sysv_mq_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct sysv_mq_chan *c = ep->chan->priv;
	struct sysv_mq_ep *e = ep->priv;
	long type = ep->role == IPCB_SENDER ? SYSV_MQ_TYPE_BA : SYSV_MQ_TYPE_AB;
	ssize_t n;

	do
		n = msgrcv(c->id, e->msg, len, type, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* Without MSG_NOERROR a longer message stays queued and fails the call. */
		if (errno == E2BIG)
			return ipcb_errf(&ep->err, -EBADMSG, "msgrcv",
					 "message longer than the %zu bytes expected", len);
		return ipcb_err(&ep->err, -errno, "msgrcv");
	}
	if ((size_t)n != len)
		return ipcb_errf(&ep->err, -EBADMSG, "msgrcv",
				 "message of %zd bytes where %zu were expected", n, len);
	memcpy(buf, e->msg->mtext, len);
	return 0;
}

const struct ipcb_transport ipcb_transport_sysv_mq = {
    .name = "sysv-mq",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "one System V message queue, directions told apart by message type; largest "
	       "message min(kernel.msgmax, kernel.msgmnb)",
    .caps = IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_MULTI_RECEIVER,
    .max_msg_bytes = 0, /* probe() reads the sysctls */
    .fixed_wait = IPCB_WAIT_BLOCK,
    .chan_priv_bytes = sizeof(struct sysv_mq_chan),
    .ep_priv_bytes = sizeof(struct sysv_mq_ep),
    .probe = sysv_mq_probe,
    .setup = sysv_mq_setup,
    .teardown = sysv_mq_teardown,
    .open = sysv_mq_open,
    .close = sysv_mq_close,
    .send = sysv_mq_send,
    .recv = sysv_mq_recv,
};
