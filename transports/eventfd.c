/* SPDX-License-Identifier: MIT */
/*
 * eventfd - payload through slots in shared anonymous memory, notified by eventfds: one per
 * semaphore (full and empty, per direction), created with EFD_SEMAPHORE. Slot protocol: slots.h.
 *
 * Why EFD_SEMAPHORE: a read then takes exactly 1 from the counter, so the eventfd is the counting
 * semaphore the slot protocol needs, one write() per post and one read() per take. Without it a
 * read empties the counter and the reader would keep its own tally, taking several messages per
 * read(): batching that would count fewer notifications than messages.
 *
 * Cost of one message: a memcpy into a slot and one out, and two system calls, whether or not
 * anybody sleeps: the writer's write() of "full", the reader's read() of it. Free slots come
 * back through shared memory (slots.h); the "empty" eventfd is written and read only when the
 * writer finds the ring full and must sleep. --wait block makes the eventfds blocking, so a
 * take is a single read(); with spin or hybrid they are O_NONBLOCK, a try is a read() that may
 * fail with EAGAIN, and sleeping is poll() then read().
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); 2 or 4 file descriptors.
 */
#include "ipcb_config.h"
#include "transport.h"

#if IPCB_HAVE_EVENTFD
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "slots.h"

struct eventfd_chan {
	int fd[4];     /* one per semaphore, numbered as IPCB_SLOTS_SEM */
	bool nonblock; /* O_NONBLOCK: spin and hybrid try before they sleep */
	void *map;     /* the slots */
	size_t map_bytes;
	struct ipcb_slots slots;
};

IPCB_HOT static int eventfd_post(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct eventfd_chan *c = ctx;
	uint64_t one = 1;

	/* The count never nears its limit (at most K), so the write cannot block or fail short. */
	while (write(c->fd[sem], &one, sizeof(one)) < 0)
		if (errno != EINTR)
			return ipcb_err(e, -errno, "write(eventfd)");
	return 0;
}

IPCB_HOT static int eventfd_trywait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct eventfd_chan *c = ctx;
	uint64_t v;

	while (read(c->fd[sem], &v, sizeof(v)) < 0) {
		if (errno == EAGAIN)
			return -EAGAIN;
		if (errno != EINTR)
			return ipcb_err(e, -errno, "read(eventfd)");
	}
	return 0;
}

IPCB_HOT static int eventfd_wait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct eventfd_chan *c = ctx;
	struct pollfd pfd = {.fd = c->fd[sem], .events = POLLIN};
	uint64_t v;

	if (!c->nonblock) {
		while (read(c->fd[sem], &v, sizeof(v)) < 0)
			if (errno != EINTR)
				return ipcb_err(e, -errno, "read(eventfd)");
		return 0;
	}
	for (;;) {
		int rc = eventfd_trywait(ctx, sem, e);

		if (rc != -EAGAIN)
			return rc;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return ipcb_err(e, -errno, "poll(eventfd)");
	}
}

static const struct ipcb_sem_ops eventfd_sem_ops = {
    .post = eventfd_post,
    .trywait = eventfd_trywait,
    .wait = eventfd_wait,
};

static int eventfd_setup(struct ipcb_chan *ch)
{
	struct eventfd_chan *c = ch->priv;
	struct ipcb_slots *s = &c->slots;
	int flags = EFD_SEMAPHORE | EFD_CLOEXEC;
	int rc;

	for (int i = 0; i < 4; i++)
		c->fd[i] = -1;
	rc = ipcb_slots_setup(s, &ch->cfg, &eventfd_sem_ops, 0, &ch->err);
	if (rc)
		return rc;
	c->nonblock = ch->cfg.wait != IPCB_WAIT_BLOCK;
	if (c->nonblock)
		flags |= EFD_NONBLOCK;
	c->map_bytes = ipcb_slots_bytes(s);
	rc = ipcb_map_shared_anon(c->map_bytes, &c->map, &ch->err);
	if (rc)
		return rc;
	for (unsigned i = 0; i < ipcb_slots_nsems(s); i++) {
		c->fd[i] = eventfd(0, flags);
		if (c->fd[i] < 0)
			return ipcb_err(&ch->err, -errno, "eventfd");
	}
	ch->buffer_bytes = c->map_bytes;
	s->mem = c->map;
	s->sem_ctx = c;
	return 0;
}

static void eventfd_teardown(struct ipcb_chan *ch)
{
	struct eventfd_chan *c = ch->priv;

	for (int i = 0; i < 4; i++)
		ipcb_fd_close(&c->fd[i]);
	ipcb_slots_teardown(&c->slots);
	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

static int eventfd_open(struct ipcb_ep *ep)
{
	(void)ep; /* the eventfds and the mapping came with fork */
	return 0;
}

IPCB_HOT static int eventfd_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct eventfd_chan *c = ep->chan->priv;

	return ipcb_slots_send(&c->slots, ep->priv, ep, buf, len);
}

IPCB_HOT static int eventfd_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct eventfd_chan *c = ep->chan->priv;

	return ipcb_slots_recv(&c->slots, ep->priv, ep, buf, len);
}
#endif /* IPCB_HAVE_EVENTFD */

const struct ipcb_transport ipcb_transport_eventfd = {
    .name = "eventfd",
    .path = IPCB_PATH_SHARED_MEMORY,
    .syscalls = {1, 1},
    .summary = "payload through shared memory, notified by eventfds (EFD_SEMAPHORE)",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX,
    IPCB_IF_BUILT(IPCB_HAVE_EVENTFD, "built without eventfd: <sys/eventfd.h> was missing",
		  .max_msg_bytes = IPCB_SLOTS_MAX_MSG,
		  .chan_priv_bytes = sizeof(struct eventfd_chan),
		  .ep_priv_bytes = sizeof(struct ipcb_slots_end), .setup = eventfd_setup,
		  .teardown = eventfd_teardown, .open = eventfd_open, .send = eventfd_send,
		  .recv = eventfd_recv),
};
