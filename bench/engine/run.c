/* SPDX-License-Identifier: MIT */
/*
 * run.c - one measured run of a transport, from channel set-up to teardown; see run.h.
 *
 * The story of a run, top to bottom:
 *   1. the driver maps a result area (each side's counters and histograms), names the run
 *      (its tag), makes its private directory when the transport needs paths, and lets the
 *      transport create its channel;
 *   2. the spec's launcher starts the sides (launcher.h), each running body.c: each pins
 *      itself, opens its endpoint, publishes its address, connects to its peers' addresses,
 *      allocates and fills its buffers, and waits at the start barrier until every side is
 *      ready;
 *   3. the sides exchange warm-up messages, then measure; the sender decides when the run
 *      ends and marks the last message as such (msg.h), so every receiver learns the end from
 *      the message itself;
 *   4. a side that is done tells the driver; a stream's sender stays until every receiver is
 *      done (closing early could discard data in flight);
 *   5. the driver collects what the sides measured, tears the channel down and removes the
 *      run's directory, whatever happened.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "counted.h"
#include "kobjects.h"
#include "msg.h"
#include "ownstack.h"
#include "rundir.h"
#include "runloop.h"

uint64_t ipcb_inject_message(enum ipcb_inject f)
{
	/* Where receiver_inject() and stamp_seq() make it happen. */
	return f == IPCB_INJECT_CORRUPT		    ? IPCB_MSG_FULL_EVERY
	       : f == IPCB_INJECT_CORRUPT_UNSAMPLED ? IPCB_MSG_FULL_EVERY + 1
						    : 5;
}

unsigned ipcb_run_hists_recorded(const struct ipcb_run_spec *s, enum ipcb_role role)
{
	const unsigned rtt = 1u << IPCB_RUN_HIST_RTT, ab = 1u << IPCB_RUN_HIST_AB,
		       ba = 1u << IPCB_RUN_HIST_BA, lag = 1u << IPCB_RUN_HIST_LAG,
		       send = 1u << IPCB_RUN_HIST_SEND;
	bool open = s->rate > 0;

	if (role == IPCB_RECEIVER)
		return ab;
	if (s->mode == IPCB_MODE_LATENCY)
		return rtt | ba | (open ? lag : 0);
	if (s->mode == IPCB_MODE_BISTREAM)
		return ba;
	return open ? lag | send : 0;
}

void ipcb_run_area_shape_of(const struct ipcb_run_spec *s, unsigned nsides, unsigned senders,
			    size_t samples, struct ipcb_run_area_shape *out)
{
	*out = (struct ipcb_run_area_shape){.nsides = nsides,
					    .senders = senders,
					    .hists = {ipcb_run_hists_recorded(s, IPCB_SENDER),
						      ipcb_run_hists_recorded(s, IPCB_RECEIVER)},
					    .samples = samples};
}

/* How many histograms an area of this shape holds. */
static size_t area_hists(const struct ipcb_run_area_shape *sh)
{
	return (size_t)sh->senders * (unsigned)__builtin_popcount(sh->hists[0]) +
	       (size_t)(sh->nsides - sh->senders) * (unsigned)__builtin_popcount(sh->hists[1]);
}

void ipcb_run_area_layout(const struct ipcb_run_area_shape *sh, size_t *hist_bytes,
			  size_t *hist_off, size_t *area_bytes)
{
	/* Whole cache lines each: every side records into its own. */
	*hist_bytes =
	    (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	    ~(size_t)63;
	*hist_off =
	    (sizeof(struct ipcb_run_area) + 2 * sh->nsides * sizeof(struct ipcb_run_side) + 63) &
	    ~(size_t)63;
	/* The sample slots after the histograms: whole cache lines, as samples is a power of 2. */
	*area_bytes = *hist_off + area_hists(sh) * *hist_bytes +
		      (size_t)sh->nsides * sh->samples * sizeof(uint64_t);
}

void ipcb_run_area_init(struct ipcb_run_area *a, const struct ipcb_run_area_shape *sh,
			size_t hist_bytes, size_t hist_off)
{
	a->nsides = sh->nsides;
	a->senders = sh->senders;
	a->hists[0] = sh->hists[0];
	a->hists[1] = sh->hists[1];
	a->hist_bytes = hist_bytes;
	a->hist_off = hist_off;
	a->samples = sh->samples;
	a->samples_off = hist_off + area_hists(sh) * hist_bytes;
	for (unsigned k = 0; k < sh->nsides; k++)
		for (int h = 0; h < IPCB_RUN_HISTS; h++) {
			struct ipcb_hist *hist = ipcb_run_hist(a, k, (enum ipcb_run_hist)h);

			if (hist)
				ipcb_hist_init(hist, hist_bytes, IPCB_HIST_LOWEST,
					       IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
		}
}

void *ipcb_run_area_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void ipcb_run_area_unmap(void *area, size_t bytes)
{
	if (area)
		munmap(area, bytes);
}

/* "ipcbench-<pid>-<16 random hex digits>": unpredictable, and says whose it is. */
static void run_tag(char *tag, size_t n)
{
	uint64_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = ipcb_now_ns() ^ ((uint64_t)getpid() << 32);
	snprintf(tag, n, "ipcbench-%d-%016" PRIx64, (int)getpid(), rnd);
}

/* Is h in the result area the result keeps (one side's own histogram), not a copy? */
static bool hist_in_area(const struct ipcb_run_result *r, const struct ipcb_hist *h)
{
	const char *p = (const char *)h, *a = r->area;

	return h && a && p >= a && p < a + r->area_bytes;
}

/* Every histogram a result may hold: where each is kept. */
#define RESULT_NHISTS 7
static void result_hists(const struct ipcb_run_result *r, struct ipcb_hist **all[RESULT_NHISTS])
{
	struct ipcb_run_result *w = (struct ipcb_run_result *)r;
	struct ipcb_hist **const each[RESULT_NHISTS] = {
	    &w->hist,	   &w->one_way[0],	&w->one_way[1],	  &w->send_lag,
	    &w->send_call, &w->one_way_slowest, &w->one_way_last,
	};

	memcpy(all, each, sizeof(each));
}

static bool result_keeps_area(const struct ipcb_run_result *r)
{
	struct ipcb_hist **all[RESULT_NHISTS];

	result_hists(r, all);
	for (size_t i = 0; i < RESULT_NHISTS; i++)
		if (hist_in_area(r, *all[i]))
			return true;
	return false;
}

/*
 * Add side k's histogram `which` into *out; sides without one add nothing. The first side's is
 * taken where it is, in the area; a second side's is added to a copy, since the first side's
 * own may be read again (the slowest receiver's).
 */
static int hist_gather(struct ipcb_run_area *a, unsigned k, enum ipcb_run_hist which,
		       struct ipcb_hist **out, struct ipcb_run_result *r)
{
	struct ipcb_hist *src = ipcb_run_hist(a, k, which), *copy;
	int rc;

	if (!src || (ipcb_hist_total(src) == 0 && (which != IPCB_RUN_HIST_RTT || *out)))
		return 0;
	if (!*out) {
		*out = src;
		return 0;
	}
	if (hist_in_area(r, *out)) {
		rc =
		    ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS, &copy);
		if (rc)
			return rc;
		rc = ipcb_hist_add(copy, *out);
		*out = copy;
		if (rc)
			return rc;
	}
	return ipcb_hist_add(*out, src);
}

/* One measuring part's span, for rates: messages over first to last. */
struct span {
	uint64_t messages, first, last;
};

static void span_add(struct span *sp, const struct ipcb_run_side *x)
{
	sp->messages += x->messages;
	if (x->messages && x->t_first_ns < sp->first)
		sp->first = x->t_first_ns;
	if (x->messages && x->t_last_ns > sp->last)
		sp->last = x->t_last_ns;
}

static double span_rate(const struct span *sp)
{
	return sp->last > sp->first ? (double)sp->messages / ((double)(sp->last - sp->first) / 1e9)
				    : 0;
}

/*
 * Which thread measures a row: the senders' replies (a window or an open loop with replies),
 * the senders' main threads (a ping-pong; a transport that moves nothing, whose stream rate is
 * the senders' loop, the harness cost), or the receivers (a stream). A bistream's two
 * directions are measured where each arrives: the receivers' second thread (a->b) and the
 * senders' (b->a).
 */
static const struct ipcb_run_side *measuring(const struct ipcb_run_spec *s, struct ipcb_run_area *a,
					     unsigned k, bool sender)
{
	bool threaded_latency = s->mode == IPCB_MODE_LATENCY && (s->inflight > 1 || s->rate > 0);

	if (s->mode == IPCB_MODE_BISTREAM || (threaded_latency && sender))
		return &a->side[a->nsides + k];
	if (s->mode == IPCB_MODE_LATENCY || (s->t->caps & IPCB_CAP_NO_DATA))
		return sender ? &a->side[k] : NULL;
	return sender ? NULL : &a->side[k];
}

/*
 * A broadcast's own results, once the sides' counters and histograms are in r and `all` spans
 * every receiver's measured messages (the first clock start to the last arrival):
 *  - the fan-out: what the sender published while measuring, and the deliveries that arrived,
 *    each as a rate over the fan-out's span: from the sender's start of measuring (or a
 *    receiver's clock start, when earlier) to the last receiver's last message. A stream is
 *    timed where it arrives, and so is this; but a receiver's clock starts at the first
 *    measured message it gets, and where a publisher drops what its subscribers cannot take,
 *    that can be long after the publisher started: the sender's start keeps the span whole.
 *    Without a loss the deliveries are the rate times the receivers;
 *  - losses: every receiver's gaps together (each receiver counts its own); a run that must not
 *    lose messages fails unless every receiver took every number the sender used;
 *  - the slowest receiver's one-way delays, and the delays to the last receiver (from the
 *    receivers' sample slots: per sampled message the largest of its delays, which is its
 *    latest arrival less its send time).
 */
static int bcast_collect(const struct ipcb_run_spec *s, struct ipcb_run_area *area,
			 unsigned senders, bool lossy, const struct span *all,
			 struct ipcb_run_result *r)
{
	const struct ipcb_run_side *snd = &area->side[0];
	uint64_t published = snd->sent - (snd->sent && s->warmup == 0), slots = UINT64_MAX;
	uint64_t first =
	    snd->t_first_ns && snd->t_first_ns < all->first ? snd->t_first_ns : all->first;
	int64_t worst = -1;
	int rc;

	r->elapsed_s = all->last > first ? (double)(all->last - first) / 1e9 : 0;
	r->messages = published;
	r->msgs_per_s = r->elapsed_s > 0 ? (double)published / r->elapsed_s : 0;
	r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
	r->deliveries_per_s = r->elapsed_s > 0 ? (double)all->messages / r->elapsed_s : 0;
	r->losses = 0;
	r->losses_counted = true;
	for (unsigned k = senders; k < area->nsides; k++) {
		const struct ipcb_run_side *x = &area->side[k];
		const struct ipcb_hist *h = ipcb_run_hist(area, k, IPCB_RUN_HIST_AB);
		/* Its median once: the slowest receiver is the one whose one-way p50 is highest. */
		int64_t p50 = ipcb_hist_total(h) > 0 ? ipcb_hist_value_at_percentile(h, 50) : -1;

		r->losses += x->lost;
		/* In order, each number once: the last one it took tells whether any is missing. */
		if (!lossy && (x->taken != snd->seq_end || x->seq_end != snd->seq_end)) {
			snprintf(r->error, sizeof(r->error),
				 "verification failed: lost messages: receiver %u took %" PRIu64
				 " of the %" PRIu64 " messages sent (warm-up included)",
				 k - senders + 1, x->taken, snd->seq_end);
			return -EBADMSG;
		}
		if (p50 > worst) {
			worst = p50;
			r->slowest_receiver = k - senders + 1;
		}
		slots = x->samples < slots ? x->samples : slots;
	}
	if (r->slowest_receiver) {
		rc = hist_gather(area, senders + r->slowest_receiver - 1, IPCB_RUN_HIST_AB,
				 &r->one_way_slowest, r);
		if (rc)
			return rc;
	}
	/* Only as far as every receiver wrote: beyond, one of them has nothing to compare. */
	for (uint64_t j = 0; slots != UINT64_MAX && j < slots; j++) {
		uint64_t latest = 0;
		bool everyone = true;

		for (unsigned k = senders; k < area->nsides && everyone; k++) {
			uint64_t v = ipcb_run_samples(area, k)[j];

			everyone = v != 0;
			latest = v > latest ? v : latest;
		}
		/* No receiver's: a message before the measured phase, or one nobody got. */
		if (latest == 0)
			continue;
		if (!everyone) {
			r->last_incomplete++;
			continue;
		}
		if (!r->one_way_last) {
			rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST,
					      IPCB_HIST_SIGFIGS, &r->one_way_last);
			if (rc)
				return rc;
		}
		if (!ipcb_hist_record(r->one_way_last, (int64_t)(latest - 1)))
			r->clock_anomalies++;
	}
	return 0;
}

/* What the sides measured, into the caller's result. */
static int run_collect(const struct ipcb_run_spec *s, struct ipcb_run_area *area, unsigned senders,
		       unsigned pairs, struct ipcb_run_result *r)
{
	struct span all = {0, UINT64_MAX, 0}, dir[2] = {{0, UINT64_MAX, 0}, {0, UINT64_MAX, 0}};
	unsigned receivers = area->nsides - senders;
	uint64_t sent = 0, received = 0, lost = 0, numbered = 0, taken = 0;
	bool shared = area->nsides > 2 * pairs; /* a channel with several senders or receivers */
	bool lossy = ipcb_transport_lossy(s->t, &s->cfg);
	int rc = 0;

	for (unsigned k = 0; k < area->nsides; k++) {
		const struct ipcb_run_side *x = &area->side[k],
					   *aux = &area->side[area->nsides + k];
		const struct ipcb_run_side *m;
		bool sender = k < senders;

		r->cpu_s[!sender] += x->cpu_s + aux->cpu_s;
		r->ctx_switches[!sender] += x->ctx_switches + aux->ctx_switches;
		r->ctx_involuntary[!sender] += x->ctx_involuntary + aux->ctx_involuntary;
		r->full_checks += x->full_checks + aux->full_checks;
		r->clock_anomalies += x->clock_anomalies + aux->clock_anomalies;
		r->late += x->late;
		sent += x->sent + aux->sent;
		received += x->received + aux->received;
		lost += x->lost + aux->lost;
		numbered += sender ? x->seq_end : 0;
		taken += x->taken;
		if (k == 0 || k == senders) {
			r->cpu_seen[!sender] = x->cpu_seen;
			memcpy(r->kernel_objects[!sender], area->kernel_objects[!sender],
			       sizeof(r->kernel_objects[0]));
			r->kernel_objects[!sender][sizeof(r->kernel_objects[0]) - 1] = '\0';
		}
		if (sender) {
			r->segments += x->segments;
			r->segments_counted =
			    k == 0 ? x->segments_ok : r->segments_counted && x->segments_ok;
		}
		m = measuring(s, area, k, sender);
		if (m) {
			span_add(&all, m);
			if (s->mode == IPCB_MODE_BISTREAM)
				span_add(&dir[sender], m);
		}
		if (sender && s->mode == IPCB_MODE_LATENCY && !rc)
			rc = hist_gather(area, k, IPCB_RUN_HIST_RTT, &r->hist, r);
		if (!sender && !rc)
			rc = hist_gather(area, k, IPCB_RUN_HIST_AB, &r->one_way[0], r);
		if (sender && !rc)
			rc = hist_gather(area, k, IPCB_RUN_HIST_BA, &r->one_way[1], r);
		if (sender && !rc)
			rc = hist_gather(area, k, IPCB_RUN_HIST_LAG, &r->send_lag, r);
		if (sender && !rc && s->rate > 0 && s->recv_work_ns &&
		    s->mode == IPCB_MODE_THROUGHPUT)
			rc = hist_gather(area, k, IPCB_RUN_HIST_SEND, &r->send_call, r);
	}
	if (rc)
		return rc;
	r->messages = all.messages;
	r->elapsed_s = all.last > all.first ? (double)(all.last - all.first) / 1e9 : 0;
	/* Latency rows give round trips per second; only a stream's bytes per second is a rate. */
	if (r->elapsed_s > 0) {
		r->msgs_per_s = (double)r->messages / r->elapsed_s;
		if (s->mode != IPCB_MODE_LATENCY && !(s->t->caps & IPCB_CAP_NO_DATA))
			r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
	}
	if (s->mode == IPCB_MODE_BISTREAM) {
		r->bytes_per_s_dir[0] = span_rate(&dir[0]) * (double)s->size_bytes;
		r->bytes_per_s_dir[1] = span_rate(&dir[1]) * (double)s->size_bytes;
		/* Both directions at once: the total is their sum, not messages over one span. */
		r->bytes_per_s = r->bytes_per_s_dir[0] + r->bytes_per_s_dir[1];
		r->msgs_per_s = r->bytes_per_s / (double)s->size_bytes;
	}
	if (s->rate > 0) {
		r->offered_rate = s->rate;
		r->arrivals = s->arrivals;
		r->achieved_rate = r->msgs_per_s;
	}
	/*
	 * A lossy transport's stream: the messages its receivers saw skipped (the repeats of the
	 * last message, sent until they were done, make sent minus received meaningless there).
	 */
	if (s->cfg.broadcast && s->mode == IPCB_MODE_THROUGHPUT) {
		rc = bcast_collect(s, area, senders, lossy, &all, r);
		if (rc)
			return rc;
	} else if (lossy && s->mode == IPCB_MODE_THROUGHPUT && s->cfg.receivers <= 1) {
		r->losses = lost;
		r->losses_counted = true;
	} else if (shared && s->mode == IPCB_MODE_THROUGHPUT && !(s->t->caps & IPCB_CAP_NO_DATA)) {
		/*
		 * Several senders or receivers on one channel: no receiver sees every message, so
		 * the sequence numbers are counted whole, warm-up included. The receivers together
		 * took each number the senders used once: fewer were lost (a failure where the
		 * transport does not lose messages), more are duplicates.
		 */
		if (taken > numbered) {
			snprintf(r->error, sizeof(r->error),
				 "verification failed: the receivers took %" PRIu64
				 " messages, more than the %" PRIu64 " sent: duplicates",
				 taken, numbered);
			return -EBADMSG;
		}
		if (taken < numbered && !lossy) {
			snprintf(r->error, sizeof(r->error),
				 "verification failed: lost messages: the receivers took %" PRIu64
				 " of the %" PRIu64 " messages sent (warm-up included): %" PRIu64
				 " never arrived",
				 taken, numbered, numbered - taken);
			return -EBADMSG;
		}
		r->losses = numbered - taken;
		r->losses_counted = true;
	} else if (s->rate > 0 && !(s->t->caps & IPCB_CAP_NO_DATA)) {
		/* Sent while measuring and never received; more received than sent: duplicates. */
		if (received > sent) {
			snprintf(r->error, sizeof(r->error),
				 "verification failed: the receivers took %" PRIu64
				 " messages, more than the %" PRIu64 " sent: duplicates",
				 received, sent);
			return -EBADMSG;
		}
		r->losses = sent - received;
		r->losses_counted = true;
	}
	if (pairs > 1) {
		r->pair_min_msgs_per_s = HUGE_VAL;
		for (unsigned p = 0; p < pairs; p++) {
			unsigned ks = p * (senders / pairs), kr = senders + p * (receivers / pairs);
			const struct ipcb_run_side *ms = measuring(s, area, ks, true);
			const struct ipcb_run_side *mr = measuring(s, area, kr, false);
			double rate = 0;

			/* A pair's measuring sides: both, each its own direction, in a bistream. */
			for (int k = 0; k < 2; k++) {
				struct span one = {0, UINT64_MAX, 0};

				if (!(k ? mr : ms))
					continue;
				span_add(&one, k ? mr : ms);
				rate += span_rate(&one);
			}
			if (rate < r->pair_min_msgs_per_s)
				r->pair_min_msgs_per_s = rate;
			if (rate > r->pair_max_msgs_per_s)
				r->pair_max_msgs_per_s = rate;
		}
	}
	return 0;
}

/*
 * A channel's set-up and teardown, called on a stack of their own (ownstack.h) when the transport
 * calls a library there (the middleware, the brokers, users' modules): a library's stack is not
 * ours to size (hiredis reads a reply through a 16 KiB buffer on it), and the driver's may be
 * small (ulimit -s). A kernel transport's are called on the caller's stack: its set-up may do
 * what holds for the calling thread alone (a signal mask, say).
 */
struct chan_hook {
	struct ipcb_chan *ch;
	int rc;
};

static void chan_setup_call(void *arg)
{
	struct chan_hook *h = arg;

	h->rc = h->ch->t->setup(h->ch);
}

static void chan_teardown_call(void *arg)
{
	struct chan_hook *h = arg;

	h->ch->t->teardown(h->ch);
}

static bool chan_calls_library(const struct ipcb_transport *t)
{
	return t->layer != IPCB_LAYER_KERNEL || ipcb_transport_external(t);
}

static int chan_setup(struct ipcb_chan *ch)
{
	struct chan_hook h = {.ch = ch};

	if (!chan_calls_library(ch->t))
		return ch->t->setup(ch);
	ipcb_ownstack_call(chan_setup_call, &h, IPCB_OWNSTACK_BYTES);
	return h.rc;
}

static void chan_teardown(struct ipcb_chan *ch)
{
	struct chan_hook h = {.ch = ch};

	if (!chan_calls_library(ch->t))
		ch->t->teardown(ch);
	else
		ipcb_ownstack_call(chan_teardown_call, &h, IPCB_OWNSTACK_BYTES);
}

/* The pieces of one channel of a run: its tag, its state, its directory. */
static int chan_make(const struct ipcb_run_spec *s, struct ipcb_chan *ch, char *run_dir,
		     size_t run_dir_bytes, char *error, size_t error_bytes)
{
	int rc;

	run_tag(ch->tag, sizeof(ch->tag));
	if (s->t->chan_priv_bytes) {
		ch->priv = calloc(1, s->t->chan_priv_bytes);
		if (!ch->priv) {
			snprintf(error, error_bytes, "calloc(channel state): %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	/* Every path the run makes goes in a directory of its own, removed whole at the end. */
	if (s->t->caps & IPCB_CAP_USES_DIR) {
		const char *parent = s->cfg.dir ? s->cfg.dir : "/tmp";

		rc = ipcb_rundir_create(parent, ch->tag, run_dir, run_dir_bytes);
		if (rc) {
			snprintf(error, error_bytes, "setup: mkdir %s/%s.d: %s", parent, ch->tag,
				 strerror(-rc));
			return rc;
		}
		ch->cfg.run_dir = run_dir;
	}
	if (s->t->setup) {
		rc = chan_setup(ch);
		if (rc) {
			char text[IPCB_RUN_ERR_BYTES];

			transport_fail(&ch->err, "setup", text);
			snprintf(error, error_bytes, "%s", text);
			return rc;
		}
	}
	return 0;
}

static void chan_unmake(const struct ipcb_run_spec *s, struct ipcb_chan *ch, char *run_dir)
{
	/* A channel whose state could not even be allocated has nothing to tear down. */
	if (s->t->teardown && (ch->priv || !s->t->chan_priv_bytes))
		chan_teardown(ch);
	if (run_dir[0])
		ipcb_rundir_remove(run_dir);
	free(ch->priv);
	ch->priv = NULL;
}

int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	const struct ipcb_launcher *ln = s->launcher;
	unsigned pairs = s->pairs ? s->pairs : 1, made = 0, nsides, senders;
	struct ipcb_chan *chans = calloc(pairs, sizeof(*chans));
	char(*run_dirs)[4096] = calloc(pairs, sizeof(*run_dirs));
	struct ipcb_run_ctx ctx = {.spec = s, .chans = chans};
	/* On the heap: the stack's depth here is where every forked side starts (ulimit -s). */
	struct ipcb_launch *launch = calloc(1, sizeof(*launch));
	size_t hist_bytes, hist_off, area_bytes = 0;
	struct ipcb_run_area_shape shape;
	struct ipcb_run_area *area = NULL;
	struct ipcb_kobj_fdset *fds = NULL;
	struct ipcb_kobj_sysv *sysv = NULL;
	int *cpus = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	/*
	 * --count's native pass: what exists before the run makes anything is not the run's (the
	 * driver's files, a server's queues): the sides describe the rest, and the driver the
	 * System V objects the run made.
	 */
	if (s->count_pass == IPCB_COUNT_NATIVE) {
		fds = calloc(1, sizeof(*fds));
		sysv = calloc(1, sizeof(*sysv));
		if (!fds || !sysv || ipcb_kobj_fdset_now(fds) < 0) {
			snprintf(r->error, sizeof(r->error),
				 "--count: the descriptors before the run: %s",
				 strerror(errno ? errno : ENOMEM));
			rc = -ENOMEM;
			goto unmap;
		}
		ipcb_kobj_sysv_now(sysv);
		ctx.fds_before = fds;
	}
	if (!ln) {
		snprintf(r->error, sizeof(r->error), "no launcher for the run's sides");
		rc = -EINVAL;
		goto unmap;
	}
	if (!chans || !run_dirs || !launch) {
		snprintf(r->error, sizeof(r->error), "calloc(%u channels): %s", pairs,
			 strerror(ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	for (unsigned p = 0; p < pairs; p++) {
		chans[p].t = s->t;
		chans[p].cfg = s->cfg;
		chans[p].yields = s->yields;
		chans[p].cfg.inflight =
		    s->mode == IPCB_MODE_LATENCY && s->inflight > 1 ? s->inflight : 1;
		if (!chans[p].cfg.senders)
			chans[p].cfg.senders = 1;
		if (!chans[p].cfg.receivers)
			chans[p].cfg.receivers = 1;
	}
	senders = pairs * chans[0].cfg.senders;
	nsides = senders + pairs * chans[0].cfg.receivers;
	ipcb_run_area_shape_of(s, nsides, senders, s->cfg.broadcast ? RUN_BCAST_SAMPLES : 0,
			       &shape);
	ipcb_run_area_layout(&shape, &hist_bytes, &hist_off, &area_bytes);
	area = ipcb_run_area_map(area_bytes);
	cpus = calloc(nsides, sizeof(*cpus));
	if (!area || !cpus) {
		snprintf(r->error, sizeof(r->error), "mmap(result area): %s", strerror(ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	ipcb_run_area_init(area, &shape, hist_bytes, hist_off);
	/* The result's until it is known whether one of its histograms stays where it is. */
	r->area = area;
	r->area_bytes = area_bytes;
	for (unsigned k = 0; k < nsides; k++) {
		enum ipcb_role role = k < senders ? IPCB_SENDER : IPCB_RECEIVER;

		/* A side that only relays for one elsewhere takes no CPU of the placement. */
		cpus[k] = ln->elsewhere && ln->elsewhere(ln, role) ? -1 : s->cpu[role];
	}
	for (; made < pairs; made++) {
		rc = chan_make(s, &chans[made], run_dirs[made], sizeof(run_dirs[made]), r->error,
			       sizeof(r->error));
		if (rc) {
			made++; /* its teardown copes with a half-done setup */
			goto teardown;
		}
		r->buffer_bytes += chans[made].buffer_bytes;
	}
	launch->timeout_s = s->timeout_s;
	launch->body = ipcb_run_side_body;
	launch->arg = &ctx;
	launch->senders = senders;
	launch->receivers = nsides - senders;
	launch->cpu = cpus;
	launch->area = area;
	launch->needs_check = s->needs_check;
	launch->needs_ctx = s->needs_ctx;
	rc = ln->run(ln, launch, &ctx);
	snprintf(r->tag, sizeof(r->tag), "%s", chans[0].tag);
	if (sysv)
		ipcb_kobj_sysv_describe(sysv, r->kernel_sysv, sizeof(r->kernel_sysv));
	r->signal = launch->signal;
	r->fail_ns = launch->fail_ns;
	if (rc)
		snprintf(r->error, sizeof(r->error), "%s", launch->error);
	if (ln->after) {
		rc = ln->after(ln, area, rc, r);
		if (rc > 0) {
			rc = 0;
			goto teardown;
		}
	}
	if (rc)
		goto teardown;
	rc = run_collect(s, area, senders, pairs, r);
	if (rc && !r->error[0])
		snprintf(r->error, sizeof(r->error), "histogram copy: %s", strerror(-rc));
	if (!rc && r->messages == 0) {
		snprintf(r->error, sizeof(r->error), "no message was measured");
		rc = -ENODATA;
	}
	/* A counted run: each side's profile, read back as its counts per message. */
	if (!rc && s->count_dir)
		rc = ipcb_count_collect(s, chans[0].tag, r);
teardown:
	/*
	 * A server that ended has nothing left to clean up in it: its channels' teardown is told
	 * so (no service), where it would wait for the server's answer to its requests (Kafka's
	 * deletion of the run's topics: 15 s).
	 */
	if (made && s->needs_check && s->needs_check(s->needs_ctx) < 0)
		for (size_t k = 0; k < made; k++)
			chans[k].cfg.service = NULL;
	while (made > 0) {
		made--;
		chan_unmake(s, &chans[made], run_dirs[made]);
	}
	/* After teardown, which may add what the endpoints saw (how many sends the kernel copied).
	 */
	if (chans) {
		for (size_t k = 0; k < pairs; k++) {
			r->zc_sends += chans[k].zc_sends;
			r->zc_copied += chans[k].zc_copied;
		}
		chans[0].layout[sizeof(chans[0].layout) - 1] = '\0';
		snprintf(r->layout, sizeof(r->layout), "%s%s%s", run_loans(s) ? "zerocopy" : "",
			 run_loans(s) && chans[0].layout[0] ? "; " : "", chans[0].layout);
	}
unmap:
	free(fds);
	free(sysv);
	free(launch);
	free(cpus);
	free(chans);
	free(run_dirs);
	if (rc) {
		ipcb_run_result_fini(r);
	} else if (!result_keeps_area(r)) {
		r->area = NULL;
		r->area_bytes = 0;
		ipcb_run_area_unmap(area, area_bytes);
	}
	return rc;
}

size_t ipcb_chunk_for(size_t max_msg_bytes, size_t size_bytes)
{
	return max_msg_bytes && max_msg_bytes < size_bytes ? max_msg_bytes : size_bytes;
}

void ipcb_run_result_fini(struct ipcb_run_result *r)
{
	struct ipcb_hist **all[RESULT_NHISTS];

	result_hists(r, all);
	for (size_t i = 0; i < RESULT_NHISTS; i++) {
		if (!hist_in_area(r, *all[i]))
			ipcb_hist_destroy(*all[i]);
		*all[i] = NULL;
	}
	ipcb_run_area_unmap(r->area, r->area_bytes);
	r->area = NULL;
	r->area_bytes = 0;
}

void ipcb_side_name(const struct ipcb_side *s, unsigned senders, unsigned receivers, char *out,
		    size_t n)
{
	unsigned same = s->role == IPCB_SENDER ? senders : receivers;

	if (same > 1)
		snprintf(out, n, "%s %u", s->role == IPCB_SENDER ? "sender" : "receiver",
			 s->index + 1);
	else
		snprintf(out, n, "%s", s->role == IPCB_SENDER ? "sender" : "receiver");
}
