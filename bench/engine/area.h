/* SPDX-License-Identifier: MIT */
/*
 * area.h - where the sides of a run hand back what they measured (the result area), and the
 * run's context in a side. The engine's timed loops write it; a launcher that moves results
 * between processes or hosts (a runtime's sides, a peer on another host) copies it whole.
 */
#ifndef IPCB_AREA_H
#define IPCB_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "hot.h"
#include "launcher.h"
#include "spec.h"

struct ipcb_kobj_fdset;

/*
 * What each side measured. Each side keeps its counters in local variables while it runs and
 * stores them here once, at the end, on a cache line of its own: counters the two sides update
 * on every message in one line would bounce it between the CPUs, inside the timed loop.
 */
struct ipcb_run_side {
	_Alignas(64) uint64_t clock_anomalies; /* one-way samples with a negative or absurd delay */
	double cpu_s;
	int64_t ctx_switches;	 /* voluntary and involuntary */
	int64_t ctx_involuntary; /* of them, involuntary (preempted) */
	uint64_t t_first_ns, t_last_ns;
	uint64_t messages;
	uint64_t full_checks;
	uint64_t segments; /* sender: network segments sent in the measured phase */
	bool segments_ok;  /* the transport counted them */
	int cpu_seen;
	uint64_t late;	   /* open loop: sends that started more than one interval late */
	uint64_t sent;	   /* messages sent while measuring (for losses) */
	uint64_t received; /* messages received that were sent while measuring (for losses) */
	uint64_t lost;	   /* receiver of a lossy transport: messages it saw skipped, warm-up too */
	/*
	 * A shared channel's accounting, warm-up included: a sender's one past the highest
	 * sequence number it stamped (its end marks too), a receiver's every message it took. The
	 * receivers together must take exactly the senders' numbers: fewer were lost, more are
	 * duplicates.
	 */
	uint64_t seq_end;
	uint64_t taken;
	/*
	 * A broadcast's receiver: how many of its sample slots (ipcb_run_samples()) it may have
	 * written, the last one's index plus one.
	 */
	uint64_t samples;
};

/*
 * What the sides hand back: two run_sides per side, then the histograms each side records (those
 * of its role in this run, ipcb_run_hists_recorded()), each on whole cache lines of its own (a
 * side records into its own only), then, in a broadcast run only, `samples` sample slots per
 * side. side[k] is side k's main thread; side[nsides + k] the second thread a side runs when it
 * sends and receives at once (the replies of a window or an open loop, the incoming stream of a
 * bistream). The histograms a run does not record take no memory: a histogram covers an hour in
 * ns at 3 digits (some 270 KiB), and the area is the largest mapping the driver makes, under an
 * address-space limit too.
 */
struct ipcb_run_area {
	unsigned nsides;
	unsigned senders;   /* sides 0 to senders - 1 send, the others receive */
	unsigned hists[2];  /* by role (sender, receiver): a mask of 1 << enum ipcb_run_hist */
	size_t hist_bytes;  /* each histogram's size, a multiple of 64 */
	size_t hist_off;    /* where the histograms start */
	size_t samples;	    /* sample slots per side: 0 but in a broadcast run */
	size_t samples_off; /* where they start */
	/*
	 * --count's native pass: the first sender's and the first receiver's kernel objects
	 * (lib/kobjects.h), once connected. Apart from the sides' slots, which their loops
	 * overwrite whole at the end.
	 */
	char kernel_objects[2][IPCB_KOBJ_TEXT];
	_Alignas(64) struct ipcb_run_side side[];
};

enum ipcb_run_hist {
	IPCB_RUN_HIST_RTT,  /* latency: round trip, recorded by the sender */
	IPCB_RUN_HIST_AB,   /* latency: sender -> receiver one way, recorded by the receiver;
			     * throughput: one way under load, sampled */
	IPCB_RUN_HIST_BA,   /* latency: receiver -> sender one way, recorded by the sender */
	IPCB_RUN_HIST_LAG,  /* open loop: how late each send started against its intended time */
	IPCB_RUN_HIST_SEND, /* open-loop stream: how long each send call took */
	IPCB_RUN_HISTS,
};

/* Side `side`'s histogram k, or NULL when its role records none of that kind in this run. */
IPCB_HOT static inline struct ipcb_hist *ipcb_run_hist(struct ipcb_run_area *a, unsigned side,
						       enum ipcb_run_hist k)
{
	bool receiver = side >= a->senders;
	unsigned mask = a->hists[receiver], per_side = (unsigned)__builtin_popcount(mask);
	size_t before = receiver ? (size_t)a->senders * (unsigned)__builtin_popcount(a->hists[0]) +
				       (size_t)(side - a->senders) * per_side
				 : (size_t)side * per_side;

	if (!(mask & (1u << k)))
		return NULL;
	before += (unsigned)__builtin_popcount(mask & ((1u << k) - 1));
	return (struct ipcb_hist *)((char *)a + a->hist_off + before * a->hist_bytes);
}

/* Every this many streamed messages carry a send time (one clock read on each side). */
#define RUN_STREAM_STAMP_EVERY 16

/*
 * A broadcast's latency "to the last receiver" needs, for each message that carries a send time,
 * its latest arrival over every receiver. No receiver can know that while it runs without
 * waiting for the others, so each keeps its own one-way delay of sampled message k (message
 * k * RUN_STREAM_STAMP_EVERY) in slot k of an array of its own in the area, and the driver
 * takes the largest per message once they are done (run.c). The slots are bounded: 2^18 of them
 * (2 MiB per receiver, touched only as far as the run gets) cover the first 4 Mi messages of a
 * run, warm-up included; later messages are in each receiver's one-way histogram but not in the
 * last-receiver one, whose row says how many samples it holds. A slot holds the delay plus one,
 * so that 0 means "not received" (lost, or its clocks disagreed).
 */
#define RUN_BCAST_SAMPLES (1u << 18)

/* Side k's sample slots ([a->samples]; a broadcast run's only). */
static inline uint64_t *ipcb_run_samples(struct ipcb_run_area *a, unsigned side)
{
	return (uint64_t *)((char *)a + a->samples_off) + (size_t)side * a->samples;
}

/* Record a one-way delay; a negative or absurd one means the clocks cannot be trusted. */
IPCB_HOT static inline void record_one_way(struct ipcb_hist *h, struct ipcb_run_side *me,
					   uint64_t sent_ns, uint64_t now_ns)
{
	if (now_ns < sent_ns || !ipcb_hist_record(h, (int64_t)(now_ns - sent_ns)))
		me->clock_anomalies++;
}

struct ipcb_run_ctx {
	const struct ipcb_run_spec *spec;
	struct ipcb_chan *chans; /* one per pair */
	struct ipcb_chan *chan;	 /* in a side: its pair's */
	struct ipcb_run_area *area;
	const struct ipcb_side *me; /* in a side: which one */
	/*
	 * In a side: may its channel lose messages in this run (ipcb_transport_lossy(): the
	 * transport's lossy capability, narrowed by its options and delivery)? Worked out once
	 * before the loop, so the loop tests a flag.
	 */
	bool lossy;
	/* --count's native pass: the driver's descriptors before the run made anything, which
	 * are not the side's to describe. */
	const struct ipcb_kobj_fdset *fds_before;
};

/*
 * The histograms a side of `role` records in a run of s, as a mask of 1 << enum ipcb_run_hist:
 * a round trip's sender its round trips and the replies' one-way delays (and with an open loop
 * how late each send was), its receiver the requests' one-way delays; a stream's receivers the
 * one-way delays, and an open stream's sender how late each send was and how long its calls
 * took; a bistream's sides the direction each takes.
 */
unsigned ipcb_run_hists_recorded(const struct ipcb_run_spec *s, enum ipcb_role role);

/* What an area holds: its sides (senders first), the histograms of each role, sample slots. */
struct ipcb_run_area_shape {
	unsigned nsides, senders;
	unsigned hists[2]; /* by role, as ipcb_run_hists_recorded() says */
	size_t samples;	   /* sample slots per side: 0 but in a broadcast run */
};

/* The shape of the area of a run of s with these sides. */
void ipcb_run_area_shape_of(const struct ipcb_run_spec *s, unsigned nsides, unsigned senders,
			    size_t samples, struct ipcb_run_area_shape *out);
/*
 * The layout of an area of that shape: where the histograms start and the whole size. Every
 * histogram takes whole cache lines, so that every side records into its own.
 */
void ipcb_run_area_layout(const struct ipcb_run_area_shape *sh, size_t *hist_bytes,
			  size_t *hist_off, size_t *area_bytes);
/* Set the area's header and its histograms up (the area itself is zeroed memory). */
void ipcb_run_area_init(struct ipcb_run_area *a, const struct ipcb_run_area_shape *sh,
			size_t hist_bytes, size_t hist_off);
/* Shared memory for a launch's area (MAP_SHARED|MAP_ANONYMOUS), zeroed. NULL on failure. */
void *ipcb_run_area_map(size_t bytes);
void ipcb_run_area_unmap(void *area, size_t bytes);

#endif
