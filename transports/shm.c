/* SPDX-License-Identifier: MIT */
/*
 * shm - POSIX shared memory (shm_open + mmap) holding one byte ring per direction.
 *
 * Cost of one message: a memcpy into the ring by the sender and one out by the receiver, plus
 * the cache-line transfers of the ring indices; no system call while the reader is awake (spin,
 * or hybrid within its polling budget), one FUTEX_WAKE and one FUTEX_WAIT when it sleeps.
 * Limits: none per message (messages larger than the ring stream through it in pieces); the
 * segment lives in /dev/shm (tmpfs), so its size counts against that mount.
 *
 * The name is unlinked as soon as the parent has mapped the segment: the children inherit the
 * mapping across fork, and nothing of ours stays in /dev/shm even if the run is killed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "ring.h"
#include "transport.h"

struct shm_chan {
	void *map;
	size_t map_bytes;
	struct ipcb_ring *ring[2]; /* [0] sender -> receiver, [1] receiver -> sender */
};

static int shm_setup(struct ipcb_chan *ch)
{
	struct shm_chan *c = ch->priv;
	size_t cap = ipcb_ring_cap_for(ch->cfg.msg_bytes);
	size_t ring_bytes = ipcb_ring_bytes(cap);
	char name[96];
	int fd, rc = 0;

	snprintf(name, sizeof(name), "/%s", ch->tag);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return ipcb_err(&ch->err, -errno, "shm_open");
	c->map_bytes = 2 * ring_bytes;
	if (ftruncate(fd, (off_t)c->map_bytes) < 0) {
		rc = ipcb_err(&ch->err, -errno, "ftruncate");
		goto unlink_name;
	}
	c->map = mmap(NULL, c->map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		rc = ipcb_err(&ch->err, -errno, "mmap");
		goto unlink_name;
	}
	c->ring[0] = c->map;
	c->ring[1] = (struct ipcb_ring *)((char *)c->map + ring_bytes);
	ipcb_ring_init(c->ring[0], cap);
	ipcb_ring_init(c->ring[1], cap);
	ch->buffer_bytes = c->map_bytes;
unlink_name:
	shm_unlink(name);
	close(fd);
	return rc;
}

static void shm_teardown(struct ipcb_chan *ch)
{
	struct shm_chan *c = ch->priv;

	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

static int shm_open_ep(struct ipcb_ep *ep)
{
	(void)ep; /* the mapping came with fork */
	return 0;
}

static int shm_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct shm_chan *c = ep->chan->priv;

	return ipcb_ring_write(c->ring[ep->role], buf, len, ep->chan->cfg.wait,
			       ep->chan->cfg.spin_polls, &ep->err);
}

static int shm_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct shm_chan *c = ep->chan->priv;

	return ipcb_ring_read(c->ring[!ep->role], buf, len, ep->chan->cfg.wait,
			      ep->chan->cfg.spin_polls, &ep->err);
}

const struct ipcb_transport ipcb_transport_shm = {
	.name = "shm",
	.summary = "POSIX shared memory ring per direction; reader spins, sleeps on a futex, or both",
	.caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER,
	.max_msg_bytes = 0,
	.chan_priv_bytes = sizeof(struct shm_chan),
	.setup = shm_setup,
	.teardown = shm_teardown,
	.open = shm_open_ep,
	.send = shm_send,
	.recv = shm_recv,
};
