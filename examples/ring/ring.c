/* SPDX-License-Identifier: MIT */
/*
 * ring.c - an example of a user's own IPC measured by ipcbench: a single-producer,
 * single-consumer byte ring in shared memory, one per direction, whose reader polls and yields
 * the CPU between polls. It is built out of the ipcbench tree, against the installed
 * <ipcbench/transport.h> alone:
 *
 *   cc -O2 -fPIC -shared $(pkg-config --cflags ipcbench-transport) -o ring.so ring.c
 *   ipcbench -t external:$PWD/ring.so -s 64,4K,64K
 *   ipcbench selftest external:$PWD/ring.so
 *
 * The rings live in an anonymous shared mapping made in setup(), before ipcbench forks the two
 * sides, so both inherit it and no name is left anywhere when the run ends.
 *
 * Its waits are marked (ipcb_wait_begin() and ipcb_wait_end()), so that `ipcbench --count
 * -t external:$PWD/ring.so` counts what each side does per message and not how long it polled:
 * a side waits for a whole piece (the message, or what fits before the ring's end) rather than
 * taking what is there, so that how many pieces a message takes does not depend on timing either.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <ipcbench/transport.h>

#define RING_BYTES (256u * 1024) /* each direction's ring: a power of two */

/* One direction. The two counters sit on cache lines of their own: each side writes one. */
struct ring {
	_Alignas(64) uint64_t head; /* bytes written, ever: the writer's */
	_Alignas(64) uint64_t tail; /* bytes read, ever: the reader's */
	_Alignas(64) unsigned char data[RING_BYTES];
};

struct ring_chan {
	struct ring *rings; /* [0] sender to receiver, [1] back */
	size_t bytes;
};

static int ring_setup(struct ipcb_chan *ch)
{
	struct ring_chan *c = ch->priv;
	void *p;

	c->bytes = 2 * sizeof(struct ring);
	p = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ipcb_errf(&ch->err, -errno, "mmap", "%zu bytes of shared memory", c->bytes);
	c->rings = p;
	ch->buffer_bytes = 2 * RING_BYTES;
	snprintf(ch->layout, sizeof(ch->layout), "byte ring per direction: %uK", RING_BYTES / 1024);
	return 0;
}

static void ring_teardown(struct ipcb_chan *ch)
{
	struct ring_chan *c = ch->priv;

	if (c->rings)
		munmap(c->rings, c->bytes);
	c->rings = NULL;
}

/* Nothing to open: the rings were mapped before fork. */
static int ring_open(struct ipcb_ep *ep)
{
	(void)ep;
	return 0;
}

static struct ring *ring_of(struct ipcb_ep *ep, int sending)
{
	const struct ring_chan *c = ep->chan->priv;
	int way = (ep->role == IPCB_SENDER) == !!sending ? 0 : 1;

	return &c->rings[way];
}

/* The bytes of a message of len bytes at offset `at` that go in one piece: up to the ring's end. */
static size_t ring_piece(size_t len, size_t at)
{
	return len < RING_BYTES - at ? len : RING_BYTES - at;
}

static int ring_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct ring *r = ring_of(ep, 1);
	const unsigned char *src = buf;
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	while (len) {
		size_t at = (size_t)(head % RING_BYTES), n = ring_piece(len, at);

		/* Waiting for the reader to free room is its timing, not this side's work. */
		ipcb_wait_begin(ep);
		while (RING_BYTES - (size_t)(head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE)) <
		       n)
			sched_yield();
		ipcb_wait_end(ep);
		memcpy(r->data + at, src, n);
		head += n;
		src += n;
		len -= n;
		__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	}
	return 0;
}

static int ring_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct ring *r = ring_of(ep, 0);
	unsigned char *dst = buf;
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);

	while (len) {
		size_t at = (size_t)(tail % RING_BYTES), n = ring_piece(len, at);

		/* Waiting for the writer's piece is its timing, not this side's work. */
		ipcb_wait_begin(ep);
		while ((size_t)(__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail) < n)
			sched_yield();
		ipcb_wait_end(ep);
		memcpy(dst, r->data + at, n);
		tail += n;
		dst += n;
		len -= n;
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	}
	return 0;
}

static void ring_library(char *out, size_t n)
{
	snprintf(out, n, "example ring 1.0");
}

static const struct ipcb_transport ring_transport = {
    .name = "example-ring",
    .summary = "an example module: a byte ring per direction in shared memory, polled",
    .caps = IPCB_CAP_SHARED_BUFFER,
    .fixed_wait = IPCB_WAIT_YIELD,
    .chan_priv_bytes = sizeof(struct ring_chan),
    .path = IPCB_PATH_SHARED_MEMORY,
    .rides_on = NULL,
    .library = ring_library,
    .setup = ring_setup,
    .teardown = ring_teardown,
    .open = ring_open,
    .send = ring_send,
    .recv = ring_recv,
};

IPCB_MODULE(ring_transport);
