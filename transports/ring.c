/* SPDX-License-Identifier: MIT */
/* ring.c - SPSC byte ring with spin/futex/hybrid waits; protocol described in ring.h. */
#include "ring.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "common.h"

#define RING_MIN_CAP (64u * 1024)
#define RING_MAX_CAP (16u * 1024 * 1024)

size_t ipcb_ring_cap_for(size_t msg_bytes)
{
	size_t cap = RING_MIN_CAP;

	while (cap < 2 * msg_bytes && cap < RING_MAX_CAP)
		cap <<= 1;
	return cap;
}

size_t ipcb_ring_bytes(size_t cap)
{
	return sizeof(struct ipcb_ring) + cap;
}

void ipcb_ring_init(struct ipcb_ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
}

/* The futex word inside a 64-bit index: its low half, wherever the byte order puts it. */
IPCB_HOT static uint32_t *ring_futex_word(uint64_t *index)
{
	return (uint32_t *)index + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
}

/*
 * Wait until at least `need` bytes are readable (reader) or writable (writer).
 *
 * Sleeping uses the classic flag handshake: the sleeper reads the other side's index, raises its
 * flag, and re-checks the condition after a full fence; the other side publishes its index,
 * fences, and wakes only if the flag is up. Either the sleeper sees the new index, or the waker
 * sees the flag, or FUTEX_WAIT sees the index's low half changed: no wake-up is lost.
 */
IPCB_HOT static int ring_await(struct ipcb_ring *r, bool reader, size_t need, enum ipcb_wait wait,
			       unsigned spin_polls, struct ipcb_err *e)
{
	uint64_t *other = reader ? &r->head : &r->tail;
	uint64_t *seen_other = reader ? &r->head_seen : &r->tail_seen;
	uint64_t mine = reader ? r->tail : r->head; /* only this side writes its own index */
	uint32_t *waiting = reader ? &r->reader_waiting : &r->writer_waiting;
	unsigned polls = 0;

#define RING_HAVE(o) (reader ? (o)-mine : r->cap - (mine - (o)))
	if (RING_HAVE(*seen_other) >= need)
		return 0;
	for (;;) {
		uint64_t o = __atomic_load_n(other, __ATOMIC_ACQUIRE);
		int rc;

		*seen_other = o;
		if (RING_HAVE(o) >= need)
			return 0;
		if (wait == IPCB_WAIT_SPIN || (wait == IPCB_WAIT_HYBRID && polls < spin_polls)) {
			polls++;
			ipcb_cpu_relax();
			continue;
		}
		__atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (RING_HAVE(__atomic_load_n(other, __ATOMIC_ACQUIRE)) < need) {
			rc = ipcb_futex_wait(ring_futex_word(other), (uint32_t)o);
			if (rc < 0) {
				__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
				return ipcb_err(e, rc, "futex_wait");
			}
		}
		__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
	}
#undef RING_HAVE
}

IPCB_HOT static int ring_publish(uint64_t *counter, uint64_t value, uint32_t *waiting,
				 enum ipcb_wait wait, struct ipcb_err *e)
{
	int rc;

	__atomic_store_n(counter, value, __ATOMIC_RELEASE);
	/* A spinning peer never sleeps: no fence, no flag to look at. */
	if (wait == IPCB_WAIT_SPIN)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(waiting, __ATOMIC_RELAXED)) {
		rc = ipcb_futex_wake(ring_futex_word(counter), 1);
		if (rc < 0)
			return ipcb_err(e, rc, "futex_wake");
	}
	return 0;
}

IPCB_HOT int ipcb_ring_write(struct ipcb_ring *r, const void *buf, size_t len, enum ipcb_wait wait,
			     unsigned spin_polls, struct ipcb_err *e)
{
	const unsigned char *p = buf;
	size_t mask = r->cap - 1;
	uint64_t head = r->head; /* only this side writes head */

	while (len > 0) {
		size_t piece = len <= r->cap ? len : r->cap / 2;
		size_t off = head & mask, first = r->cap - off;
		int rc = ring_await(r, false, piece, wait, spin_polls, e);

		if (rc)
			return rc;
		if (first >= piece) {
			memcpy(r->data + off, p, piece);
		} else {
			memcpy(r->data + off, p, first);
			memcpy(r->data, p + first, piece - first);
		}
		head += piece;
		rc = ring_publish(&r->head, head, &r->reader_waiting, wait, e);
		if (rc)
			return rc;
		p += piece;
		len -= piece;
	}
	return 0;
}

IPCB_HOT int ipcb_ring_read(struct ipcb_ring *r, void *buf, size_t len, enum ipcb_wait wait,
			    unsigned spin_polls, struct ipcb_err *e)
{
	unsigned char *p = buf;
	size_t mask = r->cap - 1;
	uint64_t tail = r->tail; /* only this side writes tail */

	while (len > 0) {
		size_t piece = len <= r->cap ? len : r->cap / 2;
		size_t off = tail & mask, first = r->cap - off;
		int rc = ring_await(r, true, piece, wait, spin_polls, e);

		if (rc)
			return rc;
		if (first >= piece) {
			memcpy(p, r->data + off, piece);
		} else {
			memcpy(p, r->data + off, first);
			memcpy(p + first, r->data, piece - first);
		}
		tail += piece;
		rc = ring_publish(&r->tail, tail, &r->writer_waiting, wait, e);
		if (rc)
			return rc;
		p += piece;
		len -= piece;
	}
	return 0;
}

/* ---- a ring per direction in one mapping ------------------------------------------------- */

int ipcb_ringchan_setup(struct ipcb_chan *ch, const char *dir)
{
	struct ipcb_ringchan *c = ch->priv;
	size_t cap = ipcb_ring_cap_for(ch->cfg.msg_bytes);
	size_t ring_bytes = ipcb_ring_bytes(cap);
	int ndirs = ch->cfg.bidirectional ? 2 : 1;
	int fd, rc;

	c->map_bytes = (size_t)ndirs * ring_bytes;
	rc = ipcb_backing_create(dir, ch->tag, c->map_bytes, &fd, &ch->err);
	if (rc)
		return rc;
	rc = ipcb_backing_map(fd, c->map_bytes, &c->map, &ch->err);
	close(fd); /* the mapping keeps the memory */
	if (rc)
		return rc;
	for (int d = 0; d < ndirs; d++) {
		c->ring[d] = (struct ipcb_ring *)((char *)c->map + (size_t)d * ring_bytes);
		ipcb_ring_init(c->ring[d], cap);
	}
	ch->buffer_bytes = c->map_bytes;
	return 0;
}

void ipcb_ringchan_teardown(struct ipcb_chan *ch)
{
	struct ipcb_ringchan *c = ch->priv;

	if (c->map)
		munmap(c->map, c->map_bytes);
	c->map = NULL;
}

int ipcb_ringchan_open(struct ipcb_ep *ep)
{
	(void)ep; /* the mapping came with fork */
	return 0;
}

IPCB_HOT int ipcb_ringchan_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct ipcb_ringchan *c = ep->chan->priv;

	return ipcb_ring_write(c->ring[ep->role], buf, len, ep->chan->cfg.wait,
			       ep->chan->cfg.spin_polls, &ep->err);
}

IPCB_HOT int ipcb_ringchan_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct ipcb_ringchan *c = ep->chan->priv;

	return ipcb_ring_read(c->ring[!ep->role], buf, len, ep->chan->cfg.wait,
			      ep->chan->cfg.spin_polls, &ep->err);
}
