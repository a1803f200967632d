/* SPDX-License-Identifier: MIT */
/*
 * mmap - a regular file in --dir mapped MAP_SHARED, holding one ring of slots per direction
 * (ring.h) with spin, futex or hybrid waits: the shm transport's protocol over a file's pages
 * instead of tmpfs.
 *
 * Cost of one message: a memcpy into a slot by the sender and one out by the receiver, the
 * reader finding the slot's sequence word in the line where the payload starts; no system call
 * while the reader is awake (spin, or hybrid within its polling budget), one FUTEX_WAKE and one
 * FUTEX_WAIT when it sleeps. A stream's writer of pieces of 4 KiB or more stores them through
 * the cache or past it, whichever runs faster on the machine as it is (storechoice.h). What a
 * file adds: the pages are the file's page cache, so on a disk-backed file system the kernel
 * writes dirty ones back in the background (and marks them read-only again to track the next
 * write); on tmpfs nothing.
 * Limits: none per message (messages larger than a quarter of the ring go through in pieces); the
 * file takes one or two rings (four times one CPU's private cache each; ring.h) of the file
 * system's space, reserved at setup so a full file system fails there instead of with SIGBUS
 * mid-run.
 *
 * The file is created O_EXCL, mode 0600, as "ring" in the run's directory (cfg.run_dir, under
 * --dir), and unlinked before it is even mapped: the parent's mapping goes to the children across
 * fork, and nothing but the empty directory is left even if the run is killed.
 */
#include "ring.h"
#include "transport.h"

static int mmap_setup(struct ipcb_chan *ch)
{
	return ipcb_ringchan_setup(ch, ch->cfg.run_dir);
}

const struct ipcb_transport ipcb_transport_mmap = {
    .name = "mmap",
    .path = IPCB_PATH_SHARED_MEMORY,
    .summary = "memory-mapped file (MAP_SHARED) ring per direction; reader spins, sleeps on "
	       "a futex, or both",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_USES_DIR | IPCB_CAP_DUPLEX,
    .max_msg_bytes = 0,
    .chan_priv_bytes = sizeof(struct ipcb_ringchan),
    .ep_priv_bytes = sizeof(struct ipcb_ringchan_ep),
    .setup = mmap_setup,
    .teardown = ipcb_ringchan_teardown,
    .open = ipcb_ringchan_open,
    .send = ipcb_ringchan_send,
    .recv = ipcb_ringchan_recv,
};
