/* SPDX-License-Identifier: MIT */
/*
 * variants.c - modules that a loader must take or refuse, built from the example ring
 * (examples/ring/ring.c) with -DVARIANT=NAME: each exports its own ipcb_module, as a module
 * built against another version of <ipcbench/transport.h>, or a broken one, would.
 */
#include <stddef.h>
#include <ipcbench/transport.h>

/* ring.c's own IPCB_MODULE line exports nothing here: each variant below writes its own. */
#undef IPCB_MODULE
#define IPCB_MODULE(t) static const struct ipcb_transport *const unused_ = &(t)

#include "ring.c"

#define EXPORT __attribute__((visibility("default")))

/* A network transport's connect(), for an entry that serve must refuse before it runs. */
__attribute__((unused)) static int variant_connect(struct ipcb_ep *ep,
						   const struct ipcb_peers *peers)
{
	(void)peers;
	return ipcb_err(&ep->err, -ENOTSUP, "connect");
}

/* A lossy() hook for an entry that does not declare the lossy capability. */
__attribute__((unused)) static bool variant_lossy(const struct ipcb_chan_cfg *cfg)
{
	return cfg->broadcast;
}

/* A module that crashes: its receiver dies of SIGSEGV in the middle of a run. */
__attribute__((unused)) static int crashing_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	static unsigned calls;

	if (++calls == 50)
		*(volatile int *)0 = 1;
	return ring_recv(ep, buf, len);
}

/* A module that hangs: its receiver stops taking messages and never returns. */
__attribute__((unused)) static int hanging_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	static unsigned calls;

	while (++calls >= 50)
		sched_yield();
	return ring_recv(ep, buf, len);
}

/*
 * A module whose receiver polls for the whole message without marking its wait (it spins, then
 * takes it through the example's own recv): what it counts depends on when the message came,
 * which ipcbench --count must report as timing-dependent instead of trusting it.
 */
__attribute__((unused)) static int unmarked_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct ring *r = ring_of(ep, 0);
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	size_t want = len < RING_BYTES ? len : RING_BYTES;

	while ((size_t)(__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail) < want)
		sched_yield();
	return ring_recv(ep, buf, len);
}

/* A copy of the entry that a variant may change, filled before ipcbench looks (dlopen). */
static struct ipcb_transport entry;

/* An entry built against a newer header: the struct grew by a field this ipcbench lacks. */
static struct {
	struct ipcb_transport t;
	uint64_t newer_field;
} longer;

__attribute__((constructor)) static void variant_init(void)
{
	(void)unused_;
	entry = ring_transport;
	entry.name = "variant-" VARIANT_NAME;
	longer.t = entry;
#if defined(VARIANT_CLASH)
	entry.name = "pipe"; /* a built-in's name */
#elif defined(VARIANT_RULE)
	entry.caps |= IPCB_CAP_ZEROCOPY; /* loans promised, no loan hooks */
#elif defined(VARIANT_SERVICE)
	entry.service = (const struct ipcb_service_ops *)&entry; /* the driver's to declare */
#elif defined(VARIANT_NEWER_SET)
	longer.newer_field = 1;
#elif defined(VARIANT_LOSSYHOOK)
	entry.lossy = variant_lossy; /* says which runs lose, without the lossy capability */
#elif defined(VARIANT_NOSEND)
	entry.send = NULL; /* a required hook missing */
#elif defined(VARIANT_CRASH)
	entry.recv = crashing_recv;
#elif defined(VARIANT_HANG)
	entry.recv = hanging_recv;
#elif defined(VARIANT_UNMARKED)
	entry.recv = unmarked_recv;
#elif defined(VARIANT_NET)
	entry.caps = IPCB_CAP_NETWORK;
	entry.connect = variant_connect;
#endif
}

#if defined(VARIANT_ABI)
EXPORT const struct ipcb_module ipcb_module = {IPCB_TRANSPORT_ABI + 1,
					       (uint32_t)sizeof(struct ipcb_transport), &entry};
#elif defined(VARIANT_OLDABI)
/* Built against the header of ABI 1, whose channel configuration ended before `broadcast`. */
EXPORT const struct ipcb_module ipcb_module = {1, (uint32_t)sizeof(struct ipcb_transport), &entry};
#elif defined(VARIANT_OLDER)
/* Built before the loans field existed: the struct ended where it begins. */
EXPORT const struct ipcb_module ipcb_module = {
    IPCB_TRANSPORT_ABI, (uint32_t)offsetof(struct ipcb_transport, loans), &entry};
#elif defined(VARIANT_NEWER_SET) || defined(VARIANT_NEWER_ZERO)
EXPORT const struct ipcb_module ipcb_module = {IPCB_TRANSPORT_ABI, (uint32_t)sizeof(longer),
					       &longer.t};
#elif defined(VARIANT_NOSYM)
EXPORT const struct ipcb_module *other_name = NULL;
#else
EXPORT const struct ipcb_module ipcb_module = {IPCB_TRANSPORT_ABI,
					       (uint32_t)sizeof(struct ipcb_transport), &entry};
#endif
