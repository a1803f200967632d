/* SPDX-License-Identifier: MIT */
/*
 * shm-sem - POSIX shared memory (shm_open + mmap) holding the message slots and, inside the same
 * segment, process-shared unnamed POSIX semaphores (sem_init pshared=1): the pairing the IPC
 * guides teach. Slot ring and semaphore protocol: slots.h.
 *
 * Cost of one message: a memcpy into a slot and one out, a sem_post by the writer and a
 * sem_wait by the reader; free slots come back through shared memory (slots.h). glibc's
 * semaphores are a counter in the segment plus a futex, so while the other side is awake they
 * are atomic instructions only; FUTEX_WAIT / FUTEX_WAKE when a side has to sleep.
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); K slots per direction
 * (32 for small messages, about 4 MiB worth for large ones); the segment counts against the
 * /dev/shm tmpfs, reserved at setup so a full /dev/shm fails there.
 *
 * The name is removed as soon as the segment exists: the children inherit the mapping across
 * fork, and nothing of ours stays in /dev/shm even if the run is killed.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "slots.h"
#include "transport.h"

struct shm_sem_chan {
	void *map; /* the semaphores, then the slots */
	size_t map_bytes;
	unsigned nsems; /* initialised semaphores, for teardown */
	struct ipcb_slots slots;
};

static int shm_sem_setup(struct ipcb_chan *ch)
{
	struct shm_sem_chan *c = ch->priv;
	struct ipcb_slots *s = &c->slots;
	size_t sems_bytes;
	int rc;

	/* The slots first, from the mapping's first page; the semaphores after them. */
	rc = ipcb_slots_setup(s, &ch->cfg, &ipcb_psem_ops, 0, &ch->err);
	if (rc)
		return rc;
	sems_bytes = ipcb_slots_nsems(s) * sizeof(struct ipcb_psem);
	c->map_bytes = ipcb_slots_bytes(s) + sems_bytes;
	rc = ipcb_backing_create_map(NULL, ch->tag, c->map_bytes, &c->map, &ch->err);
	if (rc)
		return rc;
	ch->buffer_bytes = c->map_bytes;
	s->mem = c->map;
	s->sem_ctx = (unsigned char *)c->map + ipcb_slots_bytes(s);
	return ipcb_psem_init(s->sem_ctx, s, &c->nsems, &ch->err);
}

static void shm_sem_teardown(struct ipcb_chan *ch)
{
	struct shm_sem_chan *c = ch->priv;

	ipcb_slots_teardown(&c->slots);
	if (!c->map)
		return;
	ipcb_psem_destroy(c->slots.sem_ctx, &c->nsems);
	munmap(c->map, c->map_bytes);
	c->map = NULL;
}

static int shm_sem_open(struct ipcb_ep *ep)
{
	(void)ep; /* the mapping came with fork */
	return 0;
}

IPCB_HOT static int shm_sem_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct shm_sem_chan *c = ep->chan->priv;

	return ipcb_slots_send(&c->slots, ep->priv, ep, buf, len);
}

IPCB_HOT static int shm_sem_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct shm_sem_chan *c = ep->chan->priv;

	return ipcb_slots_recv(&c->slots, ep->priv, ep, buf, len);
}

const struct ipcb_transport ipcb_transport_shm_sem = {
    .name = "shm-sem",
    .path = IPCB_PATH_SHARED_MEMORY,
    .summary = "payload through POSIX shared memory, notified by process-shared POSIX "
	       "semaphores (sem_post/sem_wait)",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX,
    .max_msg_bytes = IPCB_SLOTS_MAX_MSG,
    .chan_priv_bytes = sizeof(struct shm_sem_chan),
    .ep_priv_bytes = sizeof(struct ipcb_slots_end),
    .setup = shm_sem_setup,
    .teardown = shm_sem_teardown,
    .open = shm_sem_open,
    .send = shm_sem_send,
    .recv = shm_sem_recv,
};
