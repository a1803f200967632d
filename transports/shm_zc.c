/* SPDX-License-Identifier: MIT */
/*
 * shm-zc - the shm ring (ring.h) with zero-copy loans: the sender builds each message in the
 * ring slot it will travel in, and the receiver checks it where it lies, then hands the slot
 * back. The copying twin of this row is shm: same ring code, same waits, only the copies differ.
 *
 * Cost of one message: no copy. The sender writes the message's stamps into the slot (the whole
 * pattern only the first time it gets a slot, as the driver fills its own buffers once) and
 * publishes its header; the receiver reads as much of the message as the --verify level asks,
 * straight from shared memory, and publishes the slot's return. A cache-line transfer for the
 * header and for each line the receiver reads; one FUTEX_WAKE and FUTEX_WAIT when it sleeps. In
 * a round trip the echo copies the request into its reply (an echo is a copy): one copy per
 * round trip where shm makes four.
 * Limits: a loan is one slot holding a whole message, so the ring is planned with
 * whole-message slots (at least 4 per direction: 4 MiB for 1 MiB messages); up to 16 MiB per
 * message. Larger payloads go through send/recv in 16 MiB chunks, copying like shm, and their
 * rows do not say zerocopy. The ring lives in /dev/shm (tmpfs), unlinked as soon as it exists.
 */
#include "ring.h"
#include "transport.h"

#define SHM_ZC_MAX_MSG (16u << 20)

static int shm_zc_setup(struct ipcb_chan *ch)
{
	struct ipcb_ringchan *c = ch->priv;

	c->whole_messages = true;
	return ipcb_ringchan_setup(ch, NULL);
}

static const struct ipcb_loan_ops shm_zc_loans = {
    .acquire = ipcb_ringchan_acquire,
    .commit = ipcb_ringchan_commit,
    .peek = ipcb_ringchan_peek,
    .release = ipcb_ringchan_release,
};

const struct ipcb_transport ipcb_transport_shm_zc = {
    .name = "shm-zc",
    .path = IPCB_PATH_SHARED_MEMORY,
    .rides_on = "shm",
    .summary = "shm's ring with zero-copy loans: built in the slot, checked in place",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES | IPCB_CAP_ZEROCOPY,
    .max_msg_bytes = SHM_ZC_MAX_MSG,
    .chan_priv_bytes = sizeof(struct ipcb_ringchan),
    .ep_priv_bytes = sizeof(struct ipcb_ringchan_ep),
    .setup = shm_zc_setup,
    .teardown = ipcb_ringchan_teardown,
    .open = ipcb_ringchan_open,
    .send = ipcb_ringchan_send,
    .recv = ipcb_ringchan_recv,
    .loans = &shm_zc_loans,
};
