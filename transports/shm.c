/* SPDX-License-Identifier: MIT */
/*
 * shm - POSIX shared memory (shm_open + mmap) holding one byte ring per direction (ring.h).
 *
 * Cost of one message: a memcpy into the ring by the sender and one out by the receiver, plus
 * the cache-line transfers of the ring indices; no system call while the reader is awake (spin,
 * or hybrid within its polling budget), one FUTEX_WAKE and one FUTEX_WAIT when it sleeps.
 * Limits: none per message (messages larger than the ring stream through it in pieces); the
 * segment lives in /dev/shm (tmpfs), so its size counts against that mount.
 *
 * The name is unlinked as soon as the segment exists (backing.h): the children inherit the
 * mapping across fork, and nothing of ours stays in /dev/shm even if the run is killed.
 */
#include "ring.h"
#include "transport.h"

static int shm_setup(struct ipcb_chan *ch)
{
	return ipcb_ringchan_setup(ch, NULL);
}

const struct ipcb_transport ipcb_transport_shm = {
    .name = "shm",
    .summary = "POSIX shared memory ring per direction; reader spins, sleeps on a futex, or both",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER,
    .max_msg_bytes = 0,
    .chan_priv_bytes = sizeof(struct ipcb_ringchan),
    .setup = shm_setup,
    .teardown = ipcb_ringchan_teardown,
    .open = ipcb_ringchan_open,
    .send = ipcb_ringchan_send,
    .recv = ipcb_ringchan_recv,
};
