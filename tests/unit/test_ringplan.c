/* SPDX-License-Identifier: MIT */
/*
 * test_ringplan.c - a shared-memory ring's plan comes from the machine's caches, as hwloc reads
 * them from synthetic descriptions of known machines, and every slot of a plan keeps its payload
 * where a copy runs at full speed:
 *
 * - lib/topology.c: each machine's private cache (an L2 of one vCPU, or shared by a core's SMT
 *   siblings; never a cache several cores share), 0 where the topology says nothing;
 * - transports/util/ring.c: a ring of four times that, a message of up to a quarter of it whole
 *   in one slot, larger ones in pieces of that quarter;
 * - the copy cliff (floor-cliff): some CPUs copy many times slower when the destination lies a
 *   few bytes past the source modulo 4 KiB (AMD Zen's `rep movsb`: 1-16 bytes). A piece larger
 *   than two cache lines must lie at a multiple of 64 bytes from a page-aligned buffer in every
 *   slot of the ring, as floor-cliff's offsets 0 and 64 do, never at 8 as the header would put
 *   it; a small piece stays beside its header, in the line the reader polls.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "ring.h"
#include "topology.h"

/*
 * The machines, as hwloc's synthetic descriptions (caches with their sizes), after the sysfs of
 * real ones: a 2-vCPU AMD EPYC guest, an Intel laptop, a two-socket Xeon and an AMD chiplet
 * (each with SMT), a machine whose caches nobody describes, and one whose L2 two cores share.
 */
static const struct {
	const char *name, *desc;
} machines[] = {
    {"vm", "Package:1 L3Cache:1(size=32MiB) L2Cache:2(size=1MiB) L1dCache:1(size=32KiB) Core:1 "
	   "PU:1"},
    {"laptop", "Package:1 L3Cache:1(size=12MiB) L2Cache:4(size=1280KiB) L1dCache:1(size=48KiB) "
	       "Core:1 PU:2"},
    {"two-socket", "Package:2 L3Cache:1(size=33MiB) L2Cache:4(size=2MiB) L1dCache:1(size=32KiB) "
		   "Core:1 PU:2"},
    {"chiplet", "Package:1 L3Cache:4(size=16MiB) L2Cache:4(size=512KiB) L1dCache:1(size=32KiB) "
		"Core:1 PU:2"},
    {"bare", "Package:1 Core:2 PU:1"},
    {"shared-l2", "Package:1 L2Cache:2(size=4MiB) L1dCache:2(size=48KiB) Core:1 PU:1"},
};

/* The machine `name` noted as this one: what ipcb_topo_this_private_bytes() answers then. */
static size_t noted_as_this(const char *name)
{
	struct ipcb_topo *t = NULL;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (!strcmp(machines[i].name, name) &&
		    ipcb_topo_create(IPCB_TOPO_FROM_SYNTHETIC, machines[i].desc, &t, err,
				     sizeof(err)) < 0)
			tap_diag("%s: %s", name, err);
	ipcb_topo_this_is(t);
	ipcb_topo_destroy(t);
	return ipcb_topo_this_private_bytes();
}

static size_t private_of(const char *name)
{
	struct ipcb_topo *t = NULL;
	size_t bytes = 0;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (!strcmp(machines[i].name, name) &&
		    ipcb_topo_create(IPCB_TOPO_FROM_SYNTHETIC, machines[i].desc, &t, err,
				     sizeof(err)) == 0)
			bytes = ipcb_topo_private_bytes(t, 0);
	if (*err)
		tap_diag("%s: %s", name, err);
	ipcb_topo_destroy(t);
	return bytes;
}

/* Every slot's payload, against a page-aligned buffer: where a copy into or out of it lies. */
static void check_offsets(const char *what, const struct ipcb_ring_plan *p)
{
	size_t first = offsetof(struct ipcb_ring, slots), bad = 0, at = 0;

	for (size_t k = 0; k < p->nslots; k++) {
		size_t off = (first + k * p->slot_bytes + p->payload_off) % 4096;

		if (p->piece_bytes > 2 * 64 - 8 ? off % 64 != 0 : p->payload_off != 8) {
			bad++;
			at = off;
		}
	}
	if (!ok(bad == 0, "%s: every one of %u slots puts its payload where a copy is fast", what,
		p->nslots))
		tap_diag("  %zu slots off, one at %zu bytes past a page", bad, at);
}

/*
 * A round trip's slots of more than two lines: no payload shares a page with the slot after it
 * (a reader's prefetch of the next slot's lines would cost the writer taking them back). A
 * stream's, and small ones: packed, the slot the payload rounded up to 128 bytes.
 */
static void check_paging(const char *what, enum ipcb_ring_use use, const struct ipcb_ring_plan *p)
{
	size_t first = offsetof(struct ipcb_ring, slots), shared = 0;
	bool paged = use == IPCB_RING_TRIPS && p->piece_bytes > 2 * 64 - 8;

	for (size_t k = 0; k + 1 < p->nslots; k++) {
		size_t end = first + k * p->slot_bytes + p->payload_off + p->piece_bytes;
		size_t next = first + (k + 1) * p->slot_bytes;

		shared += (end - 1) / 4096 == next / 4096;
	}
	if (paged)
		ok(shared == 0 && p->slot_bytes % 4096 == 0,
		   "%s: slots %u bytes apart, no payload in the next slot's page (%zu are)", what,
		   p->slot_bytes, shared);
	else
		ok_eq(p->slot_bytes, (p->payload_off + p->piece_bytes + 127) / 128 * 128,
		      "%s: slots packed", what);
}

static void check_plan(const char *machine, enum ipcb_ring_use use, size_t msg, size_t want_piece,
		       unsigned want_slots)
{
	struct ipcb_ring_plan p;
	char what[128];

	ipcb_ring_plan_machine(msg, private_of(machine), use, &p);
	snprintf(what, sizeof(what), "%s, %s of %zu-byte messages", machine,
		 use == IPCB_RING_STREAM  ? "a stream"
		 : use == IPCB_RING_TRIPS ? "round trips"
					  : "round trips on one CPU",
		 msg);
	ok_eq(p.piece_bytes, want_piece, "%s: pieces of %zu bytes", what, want_piece);
	if (want_slots)
		ok_eq(p.nslots, want_slots, "%s: %u slots", what, want_slots);
	check_offsets(what, &p);
	check_paging(what, use, &p);
}

/* Loans' whole-message slots on the EPYC guest's tree: every message whole in one slot. */
static void check_loans(enum ipcb_ring_use use, bool one_cpu, size_t msg, unsigned want_slots)
{
	struct ipcb_ring_plan p;
	char what[128];

	ipcb_ring_plan_whole(msg, private_of("vm"), use, one_cpu, &p);
	snprintf(what, sizeof(what), "loans, %s%s of %zu-byte messages",
		 use == IPCB_RING_STREAM ? "a stream" : "round trips", one_cpu ? " on one CPU" : "",
		 msg);
	ok_eq(p.piece_bytes, msg, "%s: whole in one slot", what);
	ok_eq(p.nslots, want_slots, "%s: %u slots", what, want_slots);
	check_offsets(what, &p);
}

int main(void)
{
	struct ipcb_ring_plan p;

	ok_eq(private_of("vm"), 1024 * 1024, "vm: one vCPU's own L2, not the L3 both share");
	ok_eq(private_of("laptop"), 1280 * 1024, "laptop: the L2 a core's two threads share");
	ok_eq(private_of("two-socket"), 2048 * 1024,
	      "two-socket: the L2 of a core (core_cpus_list)");
	ok_eq(private_of("chiplet"), 512 * 1024, "chiplet: the L2, not the L3 of its CCX");
	ok_eq(private_of("bare"), 0, "bare: the topology says nothing of the caches");
	ok_eq(private_of("shared-l2"), 48 * 1024, "shared-l2: the L1, not the L2 two cores share");

	/* The driver notes the topology it loaded: the rings and the floors answer from it. */
	ok_eq(noted_as_this("chiplet"), 512 * 1024,
	      "this machine noted as chiplet: its 512 KiB L2");
	ok_eq(noted_as_this("laptop"), 1280 * 1024, "then as laptop: its 1280 KiB L2");
	ok_eq(noted_as_this("none"), 0, "then as none that could be read: not said");

	ok_eq(ipcb_topo_turnover_bytes(1024 * 1024), 4 * 1024 * 1024, "a 1 MiB L2: a 4 MiB ring");
	ok_eq(ipcb_topo_turnover_bytes(0), 4 * 1024 * 1024, "no L2 said: as for 1 MiB");
	ok_eq(ipcb_topo_turnover_bytes(32 * 1024), 256 * 1024, "a small cache: at least 256 KiB");
	ok_eq(ipcb_topo_turnover_bytes(64u << 20), 16u << 20,
	      "a cache said to be huge: at most 16 MiB");

	/* The EPYC guest's tree: a stream's 1 MiB messages whole in four slots, 64 KiB in 63. */
	check_plan("vm", IPCB_RING_STREAM, 1024 * 1024, 1024 * 1024, 4);
	check_plan("vm", IPCB_RING_STREAM, 64 * 1024, 64 * 1024, 63);
	check_plan("vm", IPCB_RING_STREAM, 4 * 1024 * 1024, 1024 * 1024, 4);
	check_plan("vm", IPCB_RING_STREAM, 16 * 1024, 16 * 1024, 0);
	check_plan("vm", IPCB_RING_STREAM, 4096, 4096, 0);
	check_plan("vm", IPCB_RING_STREAM, 4000, 4000, 0);
	check_plan("vm", IPCB_RING_STREAM, 121, 121, 0);
	check_plan("vm", IPCB_RING_STREAM, 120, 120, 0);
	/* A stream's small messages fill the ring: 4 MiB of 128-byte slots, or of 4224-byte ones.
	 */
	check_plan("vm", IPCB_RING_STREAM, 64, 64, 32768);
	check_plan("vm", IPCB_RING_STREAM, 4096, 4096, 992);
	check_plan("chiplet", IPCB_RING_STREAM, 64, 64, 16384);
	/*
	 * Round trips: pieces of the square root of 4 KiB times the message, a power of two, each
	 * slot in pages of its own (64 KiB and a line: 17 pages, 60 in 4 MiB).
	 */
	check_plan("vm", IPCB_RING_TRIPS, 1024 * 1024, 64 * 1024, 60);
	check_plan("vm", IPCB_RING_TRIPS, 1024, 1024, 512);
	check_plan("vm", IPCB_RING_TRIPS, 64 * 1024, 16 * 1024, 0);
	check_plan("vm", IPCB_RING_TRIPS, 16 * 1024, 8 * 1024, 0);
	check_plan("vm", IPCB_RING_TRIPS, 4096, 4096, 0);
	/* Round trips, one message in flight, in at most 512 slots; on one CPU whole messages. */
	check_plan("vm", IPCB_RING_TRIPS, 64, 64, 512);
	check_plan("vm", IPCB_RING_TRIPS_WHOLE, 64, 64, 512);
	check_plan("vm", IPCB_RING_TRIPS_WHOLE, 4096, 4096, 512);
	check_plan("vm", IPCB_RING_TRIPS_WHOLE, 64 * 1024, 64 * 1024, 63);
	check_plan("vm", IPCB_RING_TRIPS_WHOLE, 1024 * 1024, 1024 * 1024, 4);
	check_plan("two-socket", IPCB_RING_STREAM, 1024 * 1024, 1024 * 1024, 7);
	check_plan("two-socket", IPCB_RING_STREAM, 16u << 20, 2u << 20, 4);
	check_plan("two-socket", IPCB_RING_TRIPS, 16u << 20, 256 * 1024, 31);
	check_plan("chiplet", IPCB_RING_STREAM, 1024 * 1024, 512 * 1024, 4);
	check_plan("bare", IPCB_RING_STREAM, 1024 * 1024, 1024 * 1024, 4);

	/* A ring asked for by size (shm.ring) and loans' whole-message slots keep the same rule. */
	ipcb_ring_plan_sized(64 * 1024, 4u << 20, IPCB_RING_STREAM, &p);
	check_offsets("shm.ring=4194304, 64 KiB messages", &p);
	ok_eq(p.nslots, 63, "shm.ring=4194304, 64 KiB messages: 63 slots");
	/* Loans across CPUs: 256 KiB, round trips' in at most 512 slots. */
	check_loans(IPCB_RING_STREAM, false, 64 * 1024, 4);
	check_loans(IPCB_RING_STREAM, false, 4096, 62);
	check_loans(IPCB_RING_TRIPS, false, 64, 512);
	check_loans(IPCB_RING_TRIPS_WHOLE, true, 4096, 62);
	/* A stream's loans of a slot's first lines, or on one CPU, fill the machine's 4 MiB. */
	check_loans(IPCB_RING_STREAM, false, 64, 32768);
	check_loans(IPCB_RING_STREAM, true, 4096, 992);
	return tap_done();
}
