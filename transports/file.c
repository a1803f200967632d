/* SPDX-License-Identifier: MIT */
/*
 * file - payload written to and read from a regular file in --dir through the page cache: the
 * writer pwrite()s message n into slot n % K (offset (direction * K + slot) * slot size) so a
 * streaming writer never overwrites what the reader has not read, the reader pread()s it back.
 * With --fsync the writer forces each message to storage (fdatasync) before it notifies.
 *
 * Notification: process-shared POSIX semaphores in a small shared anonymous mapping, with the
 * protocol of slots.h, as shm-sem. They are futex-based counters that enter the kernel only
 * when a side has to sleep, so this row measures the file I/O rather than the wake-up; eventfd
 * would add two system calls per message of its own (see the eventfd row).
 *
 * Cost of one message: a pwrite() (copy into the page cache, page marked dirty; it may wait for
 * a writeback of that page in progress) and a pread() (copy out); with --fsync also an
 * fdatasync(), a journal commit and a device cache flush on a disk-backed file system.
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); K slots per direction of
 * file system space, reserved at setup so a full file system fails there.
 *
 * The file is created O_EXCL, mode 0600, as "slots" in the run's directory (cfg.run_dir, under
 * --dir), and unlinked at once: pwrite and pread work through the descriptor the children
 * inherit, and nothing but the empty directory is left even if the run is killed.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "common.h"
#include "slots.h"
#include "transport.h"

struct file_chan {
	int fd; /* the unlinked file holding the slots */
	bool fsync;
	const char *dir;
	struct ipcb_psem *sems; /* in a shared anonymous mapping */
	size_t sems_bytes;
	unsigned nsems; /* initialised semaphores, for teardown */
	struct ipcb_slots slots;
};

static int file_put(void *ctx, size_t off, const void *buf, size_t len, struct ipcb_err *e)
{
	const struct file_chan *c = ctx;
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(c->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC || errno == EDQUOT)
				return ipcb_errf(e, -errno, "pwrite", "file system space in %s",
						 c->dir);
			return ipcb_err(e, -errno, "pwrite");
		}
		p += n;
		off += (size_t)n;
		len -= (size_t)n;
	}
	while (c->fsync && fdatasync(c->fd) < 0)
		if (errno != EINTR)
			return ipcb_errf(e, -errno, "fdatasync", "--fsync in %s", c->dir);
	return 0;
}

static int file_get(void *ctx, size_t off, void *buf, size_t len, struct ipcb_err *e)
{
	const struct file_chan *c = ctx;
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(c->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(e, -errno, "pread");
		}
		if (n == 0)
			return ipcb_errf(e, -EIO, "pread",
					 "the file ends inside a slot, at byte %zu", off);
		p += n;
		off += (size_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static const struct ipcb_slot_io file_io = {
    .put = file_put,
    .get = file_get,
};

static int file_setup(struct ipcb_chan *ch)
{
	struct file_chan *c = ch->priv;
	struct ipcb_slots *s = &c->slots;
	int rc;

	c->fd = -1;
	c->fsync = ch->cfg.fsync;
	c->dir = ch->cfg.run_dir;
	s->io = &file_io; /* before the setup: slots outside memory are planned as such */
	s->io_ctx = c;
	rc = ipcb_slots_setup(s, &ch->cfg, &ipcb_psem_ops, 0, &ch->err);
	if (rc)
		return rc;
	c->sems_bytes = ipcb_slots_nsems(s) * sizeof(struct ipcb_psem);
	rc = ipcb_map_shared_anon(c->sems_bytes, (void **)&c->sems, &ch->err);
	if (rc)
		return rc;
	rc = ipcb_psem_init(c->sems, s, &c->nsems, &ch->err);
	if (rc)
		return rc;
	rc = ipcb_backing_create(c->dir, "slots", ipcb_slots_bytes(s), &c->fd, &ch->err);
	if (rc)
		return rc;
	/* The slots live in the page cache; the semaphores in shared memory. */
	ch->buffer_bytes = ipcb_slots_bytes(s) + c->sems_bytes;
	s->mem = NULL;
	s->sem_ctx = c->sems;
	return 0;
}

static void file_teardown(struct ipcb_chan *ch)
{
	struct file_chan *c = ch->priv;

	ipcb_fd_close(&c->fd);
	ipcb_slots_teardown(&c->slots);
	if (!c->sems)
		return;
	ipcb_psem_destroy(c->sems, &c->nsems);
	munmap(c->sems, c->sems_bytes);
	c->sems = NULL;
}

static int file_open(struct ipcb_ep *ep)
{
	(void)ep; /* the descriptor and the semaphores came with fork */
	return 0;
}

IPCB_HOT static int file_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct file_chan *c = ep->chan->priv;

	return ipcb_slots_send(&c->slots, ep->priv, ep, buf, len);
}

IPCB_HOT static int file_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct file_chan *c = ep->chan->priv;

	return ipcb_slots_recv(&c->slots, ep->priv, ep, buf, len);
}

const struct ipcb_transport ipcb_transport_file = {
    .name = "file",
    .path = IPCB_PATH_PAGE_CACHE,
    .syscalls = {1, 1},
    .summary = "payload through a regular file (pwrite/pread, --fsync: fdatasync each), "
	       "notified by POSIX semaphores",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_USES_DIR | IPCB_CAP_FSYNC | IPCB_CAP_BOUNDARIES |
	    IPCB_CAP_DUPLEX,
    .max_msg_bytes = IPCB_SLOTS_MAX_MSG,
    .chan_priv_bytes = sizeof(struct file_chan),
    .ep_priv_bytes = sizeof(struct ipcb_slots_end),
    .setup = file_setup,
    .teardown = file_teardown,
    .open = file_open,
    .send = file_send,
    .recv = file_recv,
};
