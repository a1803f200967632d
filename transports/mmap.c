/* SPDX-License-Identifier: MIT */
/*
 * mmap - a regular file in --dir mapped MAP_SHARED, holding one byte ring per direction (ring.h)
 * with spin, futex or hybrid waits: the shm transport's protocol over a file's pages instead of
 * tmpfs.
 *
 * Cost of one message: a memcpy into the ring by the sender and one out by the receiver, plus the
 * cache-line transfers of the ring indices; no system call while the reader is awake (spin, or
 * hybrid within its polling budget), one FUTEX_WAKE and one FUTEX_WAIT when it sleeps. What a
 * file adds: the pages are the file's page cache, so on a disk-backed file system the kernel
 * writes dirty ones back in the background (and marks them read-only again to track the next
 * write); on tmpfs nothing.
 * Limits: none per message (messages larger than the ring stream through it in pieces); the file
 * takes one or two rings (64 KiB to 16 MiB each) of the file system's space, reserved at setup
 * so a full file system fails there instead of with SIGBUS mid-run.
 *
 * The file is created O_EXCL, mode 0600, named after the run's tag, and unlinked before it is
 * even mapped: the parent's mapping goes to the children across fork, and nothing is left in
 * the directory even if the run is killed.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "ring.h"
#include "transport.h"

struct mmap_chan {
	void *map;
	size_t map_bytes;
	struct ipcb_ring *ring[2]; /* [0] sender -> receiver, [1] back (latency mode only) */
};

static int mmap_setup(struct ipcb_chan *ch)
{
	struct mmap_chan *c = ch->priv;
	size_t cap = ipcb_ring_cap_for(ch->cfg.msg_bytes);
	size_t ring_bytes = ipcb_ring_bytes(cap);
	int ndirs = ch->cfg.bidirectional ? 2 : 1;
	int fd, rc;

	c->map_bytes = (size_t)ndirs * ring_bytes;
	rc = ipcb_backing_create(ch->cfg.dir ? ch->cfg.dir : "/tmp", ch->tag, c->map_bytes, &fd,
				 &ch->err);
	if (rc)
		return rc;
	rc = ipcb_backing_map(fd, c->map_bytes, &c->map, &ch->err);
	close(fd); /* the mapping keeps the file */
	if (rc)
		return rc;
	for (int d = 0; d < ndirs; d++) {
		c->ring[d] = (struct ipcb_ring *)((char *)c->map + (size_t)d * ring_bytes);
		ipcb_ring_init(c->ring[d], cap);
	}
	ch->buffer_bytes = c->map_bytes;
	return 0;
}

static void mmap_teardown(struct ipcb_chan *ch)
{
	struct mmap_chan *c = ch->priv;

	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

static int mmap_open(struct ipcb_ep *ep)
{
	(void)ep; /* the mapping came with fork */
	return 0;
}

static int mmap_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct mmap_chan *c = ep->chan->priv;

	return ipcb_ring_write(c->ring[ep->role], buf, len, ep->chan->cfg.wait,
			       ep->chan->cfg.spin_polls, &ep->err);
}

static int mmap_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct mmap_chan *c = ep->chan->priv;

	return ipcb_ring_read(c->ring[!ep->role], buf, len, ep->chan->cfg.wait,
			      ep->chan->cfg.spin_polls, &ep->err);
}

const struct ipcb_transport ipcb_transport_mmap = {
	.name = "mmap",
	.summary = "memory-mapped file (MAP_SHARED) ring per direction; reader spins, sleeps on "
		   "a futex, or both",
	.caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_USES_DIR,
	.max_msg_bytes = 0,
	.chan_priv_bytes = sizeof(struct mmap_chan),
	.setup = mmap_setup,
	.teardown = mmap_teardown,
	.open = mmap_open,
	.send = mmap_send,
	.recv = mmap_recv,
};
