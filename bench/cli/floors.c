/* SPDX-License-Identifier: MIT */
/*
 * floors.c - the machine's floors at a placement, measured at the start of each round
 * (--floor), or the control floors alone (--controls).
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "format.h"
#include "floor.h"
#include "launch.h"

/*
 * Under a size's last floor-cliff row, the slowest offset against the copy at the same offset
 * (offset 0), when it is under half of it: the cliff in words, since the table has no column
 * for the offset. NULL when there is no cliff to name.
 */
static const char *cliff_note(size_t size, const size_t *offsets, const double *rate, size_t n,
			      char *out, size_t out_bytes)
{
	char sz[16];
	size_t worst = 0;

	for (size_t k = 1; k < n; k++)
		if (rate[k] > 0 && (rate[worst] <= 0 || rate[k] < rate[worst]))
			worst = k;
	if (rate[0] <= 0 || worst == 0 || rate[worst] >= rate[0] / 2)
		return NULL;
	ipcb_format_size(size, sz, sizeof(sz));
	snprintf(out, out_bytes,
		 "floor-cliff %s: a copy whose destination lies %zu bytes past its source (mod 4 "
		 "KiB) runs at %.1f GB/s, %.1fx slower than at the same offset (%.1f GB/s)",
		 sz, offsets[worst], rate[worst] / 1e9, rate[0] / rate[worst], rate[0] / 1e9);
	return out;
}

/*
 * A ceiling's copy measured by default runs this long at most: a copy's rate is steady within a
 * few milliseconds, and a run of one mechanism should not take twice as long for its ceilings.
 */
#define CEILING_S 0.02

/* Does the plan move messages of the size at index si at this placement? */
static bool place_uses(const struct driver *d, const struct place *pl, size_t si)
{
	for (size_t i = 0; i < d->npoints; i++)
		if (&d->places[d->points[i].place] == pl && d->points[i].si == si)
			return true;
	return false;
}

/* Does the plan run round trips (trips), else streams, at this placement? */
static bool place_runs(const struct driver *d, const struct place *pl, bool trips)
{
	for (size_t i = 0; i < d->npoints; i++)
		if (&d->places[d->points[i].place] == pl &&
		    (d->points[i].sh.mode == IPCB_MODE_LATENCY) == trips)
			return true;
	return false;
}

/*
 * A floor's run is done: its row written (with --floor), or, where it only measures a ceiling, no
 * row (it is part of the probes, as their round trips are: the rows it bounds name it and their
 * multiple of it) and a run that fails leaves them without that ceiling. False when the sweep
 * must stop (an interrupt, or the rows' output failed).
 */
static bool floor_done(struct driver *d, struct place *pl, int rc, struct ipcb_row *row,
		       struct ipcb_run_result *r, size_t si, bool ceilings)
{
	if (ceilings) {
		if (rc == -EINTR) {
			d->interrupted = r->signal;
			return false;
		}
	} else if (!ipcb_rows_finish(d, pl, rc, row, si)) {
		return false;
	}
	ipcb_run_result_fini(r);
	return true;
}

/*
 * A floor measured by time as a rate of operations, one run a round, whose time per operation
 * bounds the rows: the hand-over of a stream of small messages across two CPUs (floor-handover,
 * its messages' size its own, one line), the cheapest system call on the sender's CPU
 * (floor-syscall).
 */
struct rate_floor {
	const char *name, *wait;
	bool one_cpu; /* the sender's CPU alone */
	int (*fn)(const struct ipcb_run_spec *, struct ipcb_run_result *);
};

/*
 * Run floor f at this placement into *ns (its time per operation; 0 when not measured), with
 * the floors' run's own spec, result and row (several KiB: the stack holds them once, for a
 * sweep under a small stack limit). False when the sweep must stop.
 */
static bool floor_rate_run(struct driver *d, struct place *pl, bool ceilings,
			   const struct rate_floor *f, double *ns, struct ipcb_run_spec *s,
			   struct ipcb_run_result *r, struct ipcb_row *row)
{
	int rc;

	if ((d->interrupted = ipcb_run_interrupt_pending()))
		return false;
	ipcb_point_spec(d, pl, 64, s); /* one cache line */
	/*
	 * By time alone: a rate of operations of nanoseconds each is steady within milliseconds,
	 * and a count fit for the rows (-n 300) would time little but the start.
	 */
	s->messages = 0;
	if (s->duration_s <= 0 || (ceilings && s->duration_s > CEILING_S))
		s->duration_s = CEILING_S;
	ipcb_point_row(d, pl, s, r, row);
	row->transport = f->name;
	row->mode = "throughput";
	row->latency_kind = NULL;
	row->wait = f->wait;
	row->run = d->round;
	if (f->one_cpu)
		row->cpu[1] = -1;
	if (!ceilings)
		ipcb_rows_progress(d, pl, row, 0);
	d->now->start_ns = ipcb_now_ns();
	ipcb_probes_before(pl);
	rc = f->fn(s, r);
	ipcb_probes_after(pl);
	if (rc == 0 && r->msgs_per_s > 0)
		*ns = 1e9 / r->msgs_per_s;
	return floor_done(d, pl, rc, row, r, IPCB_MAX_LIST, ceilings);
}

/* Does the plan run a transport whose messages take system calls (its `syscalls`)? */
static bool plan_calls(const struct driver *d)
{
	for (size_t i = 0; i < d->nuse; i++)
		if (d->use[i].t->syscalls[IPCB_SENDER] || d->use[i].t->syscalls[IPCB_RECEIVER])
			return true;
	return false;
}

/*
 * The rate floors of this placement: the hand-over across two CPUs where the plan streams (a
 * ceiling alone: where it streams here), the system call where the rows it bounds run (a
 * ceiling alone: where a planned transport's messages take system calls). False when the sweep
 * must stop.
 */
static bool floor_rates_run(struct driver *d, struct place *pl, bool ceilings,
			    struct ipcb_run_spec *s, struct ipcb_run_result *r,
			    struct ipcb_row *row)
{
	static const struct rate_floor handover = {"floor-handover", "spin", false,
						   ipcb_floor_handover},
				       syscall = {"floor-syscall", "none", true,
						  ipcb_floor_syscall};

	pl->handover_ns = pl->syscall_ns = 0;
	if (d->o.controls)
		return true;
	if (ipcb_place_two_cpus(pl) && (!ceilings || place_runs(d, pl, false)) &&
	    !floor_rate_run(d, pl, ceilings, &handover, &pl->handover_ns, s, r, row))
		return false;
	return (ceilings && !plan_calls(d)) ||
	       floor_rate_run(d, pl, ceilings, &syscall, &pl->syscall_ns, s, r, row);
}

/*
 * The floors of one placement, one run each, at the start of a round: cache-line and futex round
 * trips, (two CPUs only) a stream's hand-over, the cheapest system call; per size, memcpy, a
 * mailbox round trip, (two CPUs only) the cross-core copy, and the copy at the relative offsets
 * where some CPUs fall off a cliff (floor-cliff). The round's rows are read against the
 * round's own floors (x floor): a virtual CPU that shares a core with the other for a while, or
 * a host that is busy, moves the floor as much as the rows.
 * --controls measures only the cache-line round trip and memcpy: the futex round trip measures
 * the kernel's wake-up path, which a kernel or scheduler state can move as much as any
 * transport, and it is the slowest to measure.
 */
bool ipcb_floors_run(struct driver *d, struct place *pl, bool ceilings)
{
	static const struct {
		const char *name, *wait;
		int (*fn)(const struct ipcb_run_spec *, struct ipcb_run_result *);
	} pingpongs[] = {
	    {"floor-cacheline", "spin", ipcb_floor_cacheline},
	    {"floor-futex", "block", ipcb_floor_futex},
	};
	const struct {
		const char *name, *wait;
		bool latency;
		int (*fn)(const struct ipcb_run_spec *, struct ipcb_run_result *);
		double *floor; /* where the placement keeps the round's floor, per size */
	} sized[] = {
	    {"floor-memcpy", "none", false, ipcb_floor_memcpy, pl->memcpy_bytes_per_s},
	    {"floor-xcopy", "spin", false, ipcb_floor_xcopy, pl->xcopy_bytes_per_s},
	    {"floor-mailbox", "spin", true, ipcb_floor_mailbox, pl->mailbox_p50_ns},
	};
	/*
	 * The copy cliffs: memcpy with its destination this many bytes past its source, modulo
	 * 4 KiB (0: the same offset in their pages, a 4 KiB alias; 4088: 8 bytes before).
	 */
	static const size_t cliff_offsets[] = {0, 8, 16, 32, 64, 4088};
	/* Each offset a group of its own (the options name an experiment, analyze/experiment.c). */
	static const char *const cliff_names[] = {"offset=0",  "offset=8",  "offset=16",
						  "offset=32", "offset=64", "offset=4088"};
	struct ipcb_run_spec s;
	struct ipcb_run_result r;
	struct ipcb_row row;
	int rc;

	for (size_t k = 0; k < (ceilings ? 0u : d->o.controls ? 1u : 2u); k++) {
		if ((d->interrupted = ipcb_run_interrupt_pending()))
			return false;
		ipcb_point_spec(d, pl, 64, &s); /* one cache line */
		ipcb_point_row(d, pl, &s, &r, &row);
		row.transport = pingpongs[k].name;
		row.mode = "latency";
		row.latency_kind = "rtt";
		row.wait = pingpongs[k].wait;
		row.run = d->round;
		ipcb_rows_progress(d, pl, &row, 0);
		d->now->start_ns = ipcb_now_ns();
		ipcb_probes_before(pl);
		rc = pingpongs[k].fn(&s, &r);
		ipcb_probes_after(pl);
		if (rc == 0)
			*(k == 0 ? &pl->cacheline_p50_ns : &pl->futex_p50_ns) =
			    ipcb_rows_p50(r.hist);
		if (!ipcb_rows_finish(d, pl, rc, &row, IPCB_MAX_LIST))
			return false;
		ipcb_run_result_fini(&r);
	}
	if (!floor_rates_run(d, pl, ceilings, &s, &r, &row))
		return false;
	for (size_t i = 0; i < d->o.nsizes; i++)
		for (size_t k = 0; k < sizeof(sized) / sizeof(sized[0]); k++) {
			bool cross = ipcb_place_two_cpus(pl);

			if ((sized[k].fn == ipcb_floor_xcopy && !cross) ||
			    (d->o.controls && sized[k].fn != ipcb_floor_memcpy))
				continue;
			/*
			 * The ceilings alone: the copy of their placement, at the plan's sizes, and
			 * across two CPUs the mailbox's round trip of a message it moves whole,
			 * where the plan has round trips (rows.c, row_ceiling()).
			 */
			if (ceilings &&
			    (!place_uses(d, pl, i) || (sized[k].fn == ipcb_floor_memcpy) == cross ||
			     (sized[k].fn == ipcb_floor_mailbox &&
			      (d->o.sizes[i] > IPCB_FLOOR_MAILBOX_WHOLE ||
			       !place_runs(d, pl, true)))))
				continue;
			if ((d->interrupted = ipcb_run_interrupt_pending()))
				return false;
			ipcb_point_spec(d, pl, d->o.sizes[i], &s);
			if (ceilings && (s.duration_s <= 0 || s.duration_s > CEILING_S))
				s.duration_s = CEILING_S;
			ipcb_point_row(d, pl, &s, &r, &row);
			row.transport = sized[k].name;
			row.mode = sized[k].latency ? "latency" : "throughput";
			row.latency_kind = sized[k].latency ? "rtt" : NULL;
			row.wait = sized[k].wait;
			row.run = d->round;
			if (sized[k].fn == ipcb_floor_memcpy)
				row.cpu[1] = -1;
			/* A ceiling alone has no row, nor progress line (floor_done()). */
			if (!ceilings)
				ipcb_rows_progress(d, pl, &row, 0);
			d->now->start_ns = ipcb_now_ns();
			ipcb_probes_before(pl);
			rc = sized[k].fn(&s, &r);
			ipcb_probes_after(pl);
			sized[k].floor[i] = rc != 0	       ? 0
					    : sized[k].latency ? ipcb_rows_p50(r.hist)
							       : r.bytes_per_s;
			if (!floor_done(d, pl, rc, &row, &r, i, ceilings))
				return false;
		}
	for (size_t i = 0; i < d->o.nsizes && !d->o.controls && !ceilings; i++) {
		enum { NCLIFF = sizeof(cliff_offsets) / sizeof(cliff_offsets[0]) };
		double rate[NCLIFF] = {0};
		char note[192];

		for (size_t k = 0; k < NCLIFF; k++) {
			if ((d->interrupted = ipcb_run_interrupt_pending()))
				return false;
			ipcb_point_spec(d, pl, d->o.sizes[i], &s);
			ipcb_point_row(d, pl, &s, &r, &row);
			row.transport = "floor-cliff";
			/* Its offset is its setting: it names its benchmark in the JSON too. */
			row.options = row.tuning = cliff_names[k];
			row.mode = "throughput";
			row.latency_kind = NULL;
			row.wait = "none";
			row.run = d->round;
			row.cpu[1] = -1;
			ipcb_rows_progress(d, pl, &row, 0);
			d->now->start_ns = ipcb_now_ns();
			ipcb_probes_before(pl);
			rc = ipcb_floor_memcpy_at(&s, cliff_offsets[k], &r);
			ipcb_probes_after(pl);
			if (rc == 0)
				rate[k] = r.bytes_per_s;
			if (k + 1 == NCLIFF)
				row.note = cliff_note(d->o.sizes[i], cliff_offsets, rate, NCLIFF,
						      note, sizeof(note));
			/* Against the aligned copy, not the floor it is part of: no x floor. */
			if (!ipcb_rows_finish(d, pl, rc, &row, IPCB_MAX_LIST))
				return false;
			ipcb_run_result_fini(&r);
		}
	}
	return true;
}
