/* SPDX-License-Identifier: MIT */
/*
 * shm - POSIX shared memory (shm_open + mmap) holding one ring of slots per direction (ring.h).
 *
 * Cost of one message: a memcpy into a slot by the sender and one out by the receiver. The
 * reader polls the slot's sequence word, which shares a cache line with the payload's first
 * bytes, so a message of up to 56 bytes costs one cache-line transfer per direction (up to 120
 * bytes, two lines polled together); no system call while the reader is awake (spin, or hybrid
 * within its polling budget), one FUTEX_WAKE and one FUTEX_WAIT when it sleeps.
 * A stream's writer of pieces of 4 KiB or more stores them through the cache or past it,
 * whichever runs faster on the machine as it is (storechoice.h).
 * Limits: none per message (messages larger than a quarter of the ring go through in pieces);
 * the rings, four times one CPU's private cache per direction (4 MiB with a 1 MiB L2; ring.h),
 * live in /dev/shm (tmpfs) and count against that mount.
 *
 * The name is unlinked as soon as the segment exists (backing.h): the children inherit the
 * mapping across fork, and nothing of ours stays in /dev/shm even if the run is killed.
 */
#include "ring.h"
#include "transport.h"

/*
 * What a user of a shared-memory ring tunes: its size, how far the writer may run ahead of the
 * reader before it waits.
 */
enum { SHM_OPT_RING };

static const struct ipcb_option shm_options[] = {
    {.key = "ring",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 1u << 30,
     /*
      * The ring the plan takes where it stays in a CPU's private cache, 1/16 of the machine's
      * on a 1 MiB L2: --tune tries a setting the default is not on any CPU with more than
      * 64 KiB of it (4 MiB, the value tried before, was the default on such a CPU).
      */
     .tune = "262144",
     .help = "bytes each direction's ring aims at (a message of up to a quarter of it whole in "
	     "one slot, at most 65536 slots); 0: four times one CPU's private cache"},
    {.key = NULL},
};

static int shm_setup(struct ipcb_chan *ch)
{
	struct ipcb_ringchan *c = ch->priv;

	c->ring_target = (size_t)ipcb_opt(&ch->cfg, SHM_OPT_RING);
	return ipcb_ringchan_setup(ch, NULL);
}

const struct ipcb_transport ipcb_transport_shm = {
    .name = "shm",
    .path = IPCB_PATH_SHARED_MEMORY,
    .summary = "POSIX shared memory ring per direction; reader spins, sleeps on a futex, or both",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_DUPLEX,
    .max_msg_bytes = 0,
    .options = shm_options,
    .chan_priv_bytes = sizeof(struct ipcb_ringchan),
    .ep_priv_bytes = sizeof(struct ipcb_ringchan_ep),
    .setup = shm_setup,
    .teardown = ipcb_ringchan_teardown,
    .open = ipcb_ringchan_open,
    .send = ipcb_ringchan_send,
    .recv = ipcb_ringchan_recv,
};
