/* SPDX-License-Identifier: MIT */
/*
 * test_slotsplan.c - how many slots a semaphore-driven ring (transports/util/slots.c) gives a
 * run: a stream as many as about 4 MiB holds, up to 65536, but never more than its mechanism's
 * semaphore can count (a System V semaphore stops at 32767, and semop fails with ERANGE past
 * it: "full" counts every message in flight) and at most 1024 where the slots are a file's
 * pages; a round trip 32; the semaphores kept as the ring's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "slots.h"

/* A file's slots: the planner only looks at whether there are any, never calls them. */
static int io_put(void *ctx, size_t off, const void *buf, size_t len, struct ipcb_err *e)
{
	(void)ctx, (void)off, (void)buf, (void)len;
	return ipcb_err(e, -ENOSYS, "put");
}

static int io_get(void *ctx, size_t off, void *buf, size_t len, struct ipcb_err *e)
{
	(void)ctx, (void)off, (void)buf, (void)len;
	return ipcb_err(e, -ENOSYS, "get");
}

static const struct ipcb_slot_io file_like = {io_put, io_get};

/* K for a run of msg-byte messages, a stream or a round trip, with these semaphores. */
static unsigned plan(size_t msg, bool both_ways, const struct ipcb_sem_ops *sem, bool io)
{
	struct ipcb_chan_cfg cfg = {.msg_bytes = msg,
				    .wait = IPCB_WAIT_SPIN,
				    .bidirectional = both_ways,
				    .senders = 1,
				    .receivers = 1};
	struct ipcb_slots s;
	struct ipcb_err e = {0};
	unsigned k;

	memset(&s, 0, sizeof(s));
	s.io = io ? &file_like : NULL;
	if (ipcb_slots_setup(&s, &cfg, sem, 0, &e)) {
		tap_diag("ipcb_slots_setup: %s", e.call);
		return 0;
	}
	k = s.sem == sem ? s.nslots : 0;
	ipcb_slots_teardown(&s);
	return k;
}

int main(void)
{
	struct ipcb_sem_ops sysv = ipcb_psem_ops;

	sysv.max_count = 32767;
	ok_eq(plan(64, false, &ipcb_psem_ops, false), 65536,
	      "a 64 B stream in memory: 65536 slots");
	ok_eq(plan(1024, false, &ipcb_psem_ops, false), 4096, "a 1 KiB stream: 4096 slots, 4 MiB");
	ok_eq(plan(4096, false, &ipcb_psem_ops, false), 1024, "a 4 KiB stream: 1024 slots");
	ok_eq(plan(1 << 20, false, &ipcb_psem_ops, false), 4, "a 1 MiB stream: 4 slots, the least");
	ok_eq(plan(64, false, &sysv, false), 32767,
	      "a semaphore that counts to 32767: 32767 slots, never more");
	ok_eq(plan(4096, false, &sysv, false), 1024, "its 4 KiB stream: 1024, under its bound");
	ok_eq(plan(64, false, &ipcb_psem_ops, true), 1024, "a file's 64 B stream: 1024 slots");
	ok_eq(plan(64, true, &ipcb_psem_ops, false), 32, "a 64 B round trip: 32 slots");
	ok_eq(plan(64, true, &sysv, true), 32, "a round trip under every bound: 32");
	return tap_done();
}
