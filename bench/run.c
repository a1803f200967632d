/* SPDX-License-Identifier: MIT */
/*
 * run.c - one measured run of a transport, from channel set-up to teardown; see run.h.
 *
 * The story of a run, top to bottom:
 *   1. the driver maps a result area (each side's counters and histograms), names the run
 *      (its tag), makes its private directory when the transport needs paths, and lets the
 *      transport create its channel;
 *   2. it launches the sides (launch.h): each pins itself, opens its endpoint, publishes its
 *      address, connects to its peers' addresses, allocates and fills its buffers, and waits
 *      at the start barrier until every side is ready;
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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "futex.h"
#include "hot.h"
#include "msg.h"
#include "remote.h"
#include "rundir.h"
#include "runloop.h"

uint64_t ipcb_inject_message(enum ipcb_inject f)
{
	/* Where receiver_inject() and stamp_seq() make it happen. */
	return f == IPCB_INJECT_CORRUPT		    ? IPCB_MSG_FULL_EVERY
	       : f == IPCB_INJECT_CORRUPT_UNSAMPLED ? IPCB_MSG_FULL_EVERY + 1
						    : 5;
}

/*
 * Side A in latency mode: send, wait for the echo, one histogram sample per round trip, then
 * check what came back. The echo carries the very bytes B received, so this one check covers
 * both directions; and it comes after the sample is taken, before the next message is sent, so
 * it is never inside a measured round trip, whether or not both sides share one CPU. The last
 * message carries the mark that ends the run.
 */
IPCB_HOT static int latency_sender(struct run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx,
				   char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h = run_hist(c->area, c->me->number, RUN_HIST_RTT);
	struct ipcb_hist *h_ba = run_hist(c->area, c->me->number, RUN_HIST_BA);
	uint64_t total = planned_total(s), deadline = UINT64_MAX, t0, t1 = 0;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last = i + 1 == total;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
		}
		if (i >= s->warmup + run_min_messages(s) && t1 >= deadline)
			last = true;
		if (data && !loans) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		t0 = ipcb_now_ns();
		/* Taking a loan and building the message in it is the mechanism's part of the trip.
		 */
		rc = data && loans ? loan_build(s, ep, &tx, stamp_seq(s, i), last) : 0;
		if (timed && !rc)
			ipcb_msg_set_time(tx, s->size_bytes, t0);
		if (!rc)
			rc = move_message(s, ep, &tx, true, loans);
		if (!rc)
			rc = move_message(s, ep, &rx, false, loans);
		t1 = ipcb_now_ns();
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup) {
			ipcb_hist_record(h, (int64_t)(t1 - t0));
			if (timed)
				record_one_way(h_ba, &me, ipcb_msg_time(rx), t1);
			me.messages++;
		}
		rc = verify_message(s, ep, rx, i, &me.full_checks, loans, err);
		if (rc)
			return rc;
		if (last)
			break;
		busy_work(s->work_ns);
	}
	me.t_last_ns = t1;
	usage_store(&me, start);
	segments_mark(s, ep, &me, true);
	side_store(c, &me);
	return 0;
}

/*
 * Side B in latency mode: receive, send the very same bytes back, until the message that says
 * it is the last. It checks nothing itself (side A checks the echo): on one CPU, anything B
 * does between receiving and answering is inside A's round trip. Its one clock read serves as
 * the arrival of this message (one-way A->B) and the departure of the echo (one-way B->A).
 */
IPCB_HOT static int latency_echo(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ab = run_hist(c->area, c->me->number, RUN_HIST_AB);
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	void *tx = rx;
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last;

		if (i == s->warmup)
			start = usage_now();
		rc = move_message(s, ep, &rx, false, loans);
		if (!rc && loans)
			rc = loan_echo(s, ep, rx, &tx);
		if (rc)
			return transport_fail(&ep->err, "", err);
		last = ipcb_msg_is_last(rx, s->size_bytes, i);
		if (timed) {
			uint64_t tb = ipcb_now_ns();

			if (i >= s->warmup)
				record_one_way(h_ab, &me, ipcb_msg_time(rx), tb);
			ipcb_msg_set_time(tx, s->size_bytes, tb);
		}
		receiver_inject(s, tx, i);
		busy_work(s->work_ns + s->recv_work_ns);
		rc = move_message(s, ep, &tx, true, loans);
		if (!rc && loans)
			rc = s->t->loans->release(ep);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup)
			me.messages++;
		if (last)
			break;
	}
	usage_store(&me, start);
	side_store(c, &me);
	return 0;
}

/* Side A in throughput mode: stream messages; the sender never reads the measuring clock. */
IPCB_HOT static int stream_sender(struct run_ctx *c, struct ipcb_ep *ep, void *tx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	uint64_t total = planned_total(s), deadline = UINT64_MAX;
	/* Small messages are cheap: look at the clock (only to decide the end) every 16th. */
	uint64_t clock_mask = s->size_bytes >= 4096 ? 0 : 15;
	uint64_t base = seq_base(ep); /* 0 but with several senders (RUN_SEQ_SENDER_SHIFT) */
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	uint64_t i;
	int rc;

	for (i = 0;; i++) {
		bool last = i + 1 == total;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
		}
		if (i > s->warmup + run_min_messages(s) && deadline != UINT64_MAX &&
		    (i & clock_mask) == 0 && ipcb_now_ns() >= deadline)
			last = true;
		if (data && loans) {
			rc = loan_build(s, ep, &tx, stamp_seq(s, i) | base, last);
			if (rc)
				return transport_fail(&ep->err, "", err);
		} else if (data) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i) | base);
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		busy_work(s->work_ns);
		/* A sample of messages carries its send time: latency under load, at little cost.
		 */
		if (timed && i % RUN_STREAM_STAMP_EVERY == 0)
			ipcb_msg_set_time(tx, s->size_bytes, ipcb_now_ns());
		rc = move_message(s, ep, &tx, true, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup)
			me.messages++;
		if (last)
			break;
	}
	me.sent = me.messages;
	return stream_sender_end(c, ep, tx, i, &me, start, err);
}

/*
 * Side B in throughput mode: receive and check every message, timed first to last. In a
 * bistream, each side's second thread (aux): A's takes B's stream, one way B->A.
 */
IPCB_HOT static int stream_receiver(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err,
				    bool aux)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ow = run_hist(
	    c->area, c->me->number, aux && ep->role == IPCB_SENDER ? RUN_HIST_BA : RUN_HIST_AB);
	uint64_t mark = s->warmup > 0 ? s->warmup - 1 : 0;
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	bool clock = false;
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last, first = false;

		rc = move_message(s, ep, &rx, false, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		i = lossy_skip(s, rx, i, &me.lost);
		/* Read now: a loaned message is gone once checked. The check covers the mark. */
		last = ipcb_msg_is_last(rx, s->size_bytes, i);
		if (timed && i > mark && ipcb_msg_time(rx))
			record_one_way(h_ow, &me, ipcb_msg_time(rx), ipcb_now_ns());
		receiver_inject(s, rx, i);
		/* The mark, or the first message after it when a lossy transport lost the mark. */
		if (!clock && i >= mark) {
			clock = first = true;
			me.t_first_ns = ipcb_now_ns();
			start = usage_now();
		}
		rc = verify_message(s, ep, rx, i, &me.full_checks, loans, err);
		if (rc)
			return rc;
		busy_work(s->work_ns + s->recv_work_ns);
		if (i > mark && !first)
			me.messages++;
		if (last) {
			me.t_last_ns = ipcb_now_ns();
			break;
		}
	}
	/* Message 0 starts the clock when there is no warm-up: received, not counted in the rate.
	 */
	me.received = me.messages + (s->warmup == 0);
	usage_store(&me, start);
	if (aux)
		side_store_aux(c, &me);
	else
		side_store(c, &me);
	return 0;
}

/* The stream's two halves, for a bistream's two threads (bench/shapes.c). */
int ipcb_run_stream_sender(struct run_ctx *c, struct ipcb_ep *ep, void *tx, char *err)
{
	return stream_sender(c, ep, tx, err);
}

int ipcb_run_stream_receiver(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err, bool aux)
{
	return stream_receiver(c, ep, rx, err, aux);
}

/*
 * A side's whole life: open its endpoint, publish its address and connect to its peers, wait
 * for every side at the start barrier, run its loop, say it is done, and close. A receiver of a
 * transport that moves nothing has no message to learn the end from: it waits for the senders
 * to be done, idle, so that on a shared CPU it does not take the sender's time.
 */
IPCB_HOT static int run_body(const struct ipcb_side *me_side, void *arg, void *area_v, char *err)
{
	struct run_ctx *c = arg;
	const struct ipcb_run_spec *s = c->spec;
	const struct ipcb_transport *t = s->t;
	/* Pairs: every channel has the same number of senders and receivers; sides are numbered
	 * senders first, channel by channel. */
	const struct ipcb_chan_cfg *cfg = &c->chans[0].cfg;
	unsigned per_role = me_side->role == IPCB_SENDER ? cfg->senders : cfg->receivers;
	unsigned pair = me_side->index / per_role, npairs = s->pairs ? s->pairs : 1;
	struct ipcb_ep ep = {
	    .chan = &c->chans[pair], .role = me_side->role, .index = me_side->index % per_role};
	bool data = !(t->caps & IPCB_CAP_NO_DATA);
	struct ipcb_addr *all = NULL;
	void *tx = NULL, *rx = NULL;
	int rc;

	c->area = area_v;
	c->me = me_side;
	c->chan = &c->chans[pair];
	/* Its side runs on the other host: this one relays (bench/remote.h). */
	if (ipcb_remote_elsewhere(s->remote, me_side->role))
		return ipcb_remote_stand_in(s->remote, c, err);
	if (t->ep_priv_bytes) {
		ep.priv = calloc(1, t->ep_priv_bytes);
		if (!ep.priv) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "calloc(endpoint state): %s",
				 strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	all = calloc(me_side->nsides, sizeof(*all));
	tx = buf_map(s->size_bytes);
	rx = buf_map(s->size_bytes);
	if (!all || !tx || !rx) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(two %zu-byte message buffers): %s",
			 s->size_bytes, strerror(errno ? errno : ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	/* Fill both now so that no page fault lands in the measured loop. */
	ipcb_msg_fill(tx, s->size_bytes);
	memset(rx, 0, s->size_bytes);
	rc = t->open(&ep);
	if (rc) {
		transport_fail(&ep.err, "open", err);
		goto unmap;
	}
	rc = ipcb_side_exchange(&ep.addr, all);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(addresses): %s", strerror(-rc));
		goto close_ep;
	}
	if (t->connect) {
		struct ipcb_peers peers = {.senders = cfg->senders,
					   .receivers = cfg->receivers,
					   .sender = all + pair * cfg->senders,
					   .receiver =
					       all + npairs * cfg->senders + pair * cfg->receivers};

		rc = t->connect(&ep, &peers);
		if (rc) {
			transport_fail(&ep.err, "connect", err);
			goto close_ep;
		}
	}
	rc = ipcb_side_ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(start barrier): %s", strerror(-rc));
		goto close_ep;
	}
	if (!data && ep.role == IPCB_RECEIVER)
		rc = 0;
	else if (s->mode == IPCB_MODE_BISTREAM)
		rc = ipcb_shape_bistream(c, &ep, tx, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY && ep.role == IPCB_RECEIVER)
		rc = latency_echo(c, &ep, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY && (s->inflight > 1 || s->rate > 0))
		rc = ipcb_shape_window_sender(c, &ep, tx, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY)
		rc = latency_sender(c, &ep, tx, rx, err);
	else if (ep.role == IPCB_RECEIVER && (cfg->senders > 1 || cfg->receivers > 1))
		rc = ipcb_shape_fan_receiver(c, &ep, rx, err);
	else if (ep.role == IPCB_RECEIVER)
		rc = stream_receiver(c, &ep, rx, err, false);
	else if (s->rate > 0)
		rc = ipcb_shape_open_stream_sender(c, &ep, tx, err);
	else
		rc = stream_sender(c, &ep, tx, err);
	if (!rc)
		rc = ipcb_side_done();
	/*
	 * Stay until the other side has everything: closing early could discard data in flight.
	 * A stream's sender (both sides of a bistream) waits for its receivers to be done.
	 */
	if (!rc && ((s->mode != IPCB_MODE_LATENCY && ep.role == IPCB_SENDER) ||
		    s->mode == IPCB_MODE_BISTREAM || (!data && ep.role == IPCB_RECEIVER)))
		rc = ipcb_side_wait_end();
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s", strerror(-rc));
	c->area->side[me_side->number].cpu_seen = sched_getcpu();
close_ep:
	if (rc)
		ipcb_side_failing(err);
	if (t->close)
		t->close(&ep);
unmap:
	if (tx)
		munmap(tx, s->size_bytes);
	if (rx)
		munmap(rx, s->size_bytes);
	free(all);
	free(ep.priv);
	return rc;
}

/* "ipcbench-<pid>-<16 random hex digits>": unpredictable, and says whose it is. */
static void run_tag(char *tag, size_t n)
{
	uint64_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = ipcb_now_ns() ^ ((uint64_t)getpid() << 32);
	snprintf(tag, n, "ipcbench-%d-%016" PRIx64, (int)getpid(), rnd);
}

/* Add side k's histogram `which` into *out (made on first use); sides without one add nothing. */
static int hist_gather(struct run_area *a, unsigned k, enum run_hist which, struct ipcb_hist **out)
{
	const struct ipcb_hist *src = run_hist(a, k, which);
	int rc = 0;

	if (ipcb_hist_total(src) == 0 && (which != RUN_HIST_RTT || *out))
		return 0;
	if (!*out)
		rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS, out);
	return rc ? rc : ipcb_hist_add(*out, src);
}

/* One measuring part's span, for rates: messages over first to last. */
struct span {
	uint64_t messages, first, last;
};

static void span_add(struct span *sp, const struct run_side *x)
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
static const struct run_side *measuring(const struct ipcb_run_spec *s, struct run_area *a,
					unsigned k, bool sender)
{
	bool threaded_latency = s->mode == IPCB_MODE_LATENCY && (s->inflight > 1 || s->rate > 0);

	if (s->mode == IPCB_MODE_BISTREAM || (threaded_latency && sender))
		return &a->side[a->nsides + k];
	if (s->mode == IPCB_MODE_LATENCY || (s->t->caps & IPCB_CAP_NO_DATA))
		return sender ? &a->side[k] : NULL;
	return sender ? NULL : &a->side[k];
}

/* What the sides measured, into the caller's result. */
static int run_collect(const struct ipcb_run_spec *s, struct run_area *area, unsigned senders,
		       unsigned pairs, struct ipcb_run_result *r)
{
	struct span all = {0, UINT64_MAX, 0}, dir[2] = {{0, UINT64_MAX, 0}, {0, UINT64_MAX, 0}};
	unsigned receivers = area->nsides - senders;
	uint64_t sent = 0, received = 0, lost = 0;
	bool shared = area->nsides > 2 * pairs; /* a channel with several senders or receivers */
	int rc = 0;

	for (unsigned k = 0; k < area->nsides; k++) {
		const struct run_side *x = &area->side[k], *aux = &area->side[area->nsides + k];
		const struct run_side *m;
		bool sender = k < senders;

		r->cpu_s[!sender] += x->cpu_s + aux->cpu_s;
		r->ctx_switches[!sender] += x->ctx_switches + aux->ctx_switches;
		r->full_checks += x->full_checks + aux->full_checks;
		r->clock_anomalies += x->clock_anomalies + aux->clock_anomalies;
		r->late += x->late;
		sent += x->sent + aux->sent;
		received += x->received + aux->received;
		lost += x->lost + aux->lost;
		if (k == 0 || k == senders)
			r->cpu_seen[!sender] = x->cpu_seen;
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
			rc = hist_gather(area, k, RUN_HIST_RTT, &r->hist);
		if (!sender && !rc)
			rc = hist_gather(area, k, RUN_HIST_AB, &r->one_way[0]);
		if (sender && !rc)
			rc = hist_gather(area, k, RUN_HIST_BA, &r->one_way[1]);
		if (sender && !rc)
			rc = hist_gather(area, k, RUN_HIST_LAG, &r->send_lag);
		if (sender && !rc && s->rate > 0 && s->recv_work_ns &&
		    s->mode == IPCB_MODE_THROUGHPUT)
			rc = hist_gather(area, k, RUN_HIST_SEND, &r->send_call);
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
	if ((s->t->caps & IPCB_CAP_LOSSY) && s->mode == IPCB_MODE_THROUGHPUT &&
	    s->cfg.receivers <= 1) {
		r->losses = lost;
		r->losses_counted = true;
	} else if ((s->rate > 0 || shared) && !(s->t->caps & IPCB_CAP_NO_DATA)) {
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
			const struct run_side *ms = measuring(s, area, ks, true);
			const struct run_side *mr = measuring(s, area, kr, false);
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
		rc = s->t->setup(ch);
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
		s->t->teardown(ch);
	if (run_dir[0])
		ipcb_rundir_remove(run_dir);
	free(ch->priv);
	ch->priv = NULL;
}

/* ---- sides started by a runtime (transport.h: launch ops) ----------------------------------- */

/*
 * The run as a side started by a runtime gets it: the whole spec, its pointers cleared (the
 * transport goes by name, the paths as strings), so that every field of a run reaches the side.
 */
struct rank_spec {
	struct ipcb_run_spec spec;
	char transport[64];
	char tag[64];
	char run_dir[1024], dir[1024], service[256];
	/* Side k's host's clock minus the driver's: message times are shifted by it (msg.h). */
	int64_t shift_ns[2];
};

/* Where the runtime's side program is: next to the driver, else where the build put it. */
static void rank_program(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len > 0) {
		self[len] = '\0';
		if (strrchr(self, '/'))
			*strrchr(self, '/') = '\0';
		snprintf(out, n, "%.4000s/ipcb-rank", self);
		if (access(out, X_OK) == 0)
			return;
	}
	snprintf(out, n, "%s", IPCB_RANK_PATH);
}

/* Side k's part of the result area: its two slots and its histograms. */
static int result_file(const char *run_dir, unsigned k, char *out, size_t n)
{
	return snprintf(out, n, "%s/result%u", run_dir, k) < (int)n ? 0 : -ENAMETOOLONG;
}

/*
 * A piece of side k's results, as it sent it over its control connection: written to its file
 * in the run's directory (made new, exclusively, 0600, by the first piece; kept open for the
 * rest), read back once every side is done. A side on another host has no way to this host's
 * files but this one.
 */
struct result_files {
	const char *run_dir;
	int fd[2];
};

static int result_piece(void *arg, unsigned k, const void *piece, size_t len)
{
	struct result_files *rf = arg;
	char path[1200];

	if (k > 1 || result_file(rf->run_dir, k, path, sizeof(path)))
		return -EINVAL;
	if (rf->fd[k] < 0)
		rf->fd[k] = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (rf->fd[k] < 0)
		return -errno;
	while (len) {
		ssize_t n = write(rf->fd[k], piece, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		piece = (const char *)piece + n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Two hosts: where the side there reaches the driver, a TCP socket on this host's address
 * toward the peer (any free port), and the key it must show. The listening socket, or -errno
 * with error filled.
 */
static int rank_listen(const char *host, char *ctl, size_t ctl_bytes, char *key, size_t key_bytes,
		       char *error, size_t error_bytes)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned char raw[16];
	char port[16];
	int fd, rc;

	if (ipcb_remote_parse_addr(host, true, &ss, &len, error, error_bytes) < 0)
		return -EINVAL;
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		rc = -errno;
		snprintf(error, error_bytes, "getrandom: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < key_bytes; i++)
		snprintf(key + 2 * i, 3, "%02x", raw[i]);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		rc = -errno;
		snprintf(error, error_bytes, "control socket on %s: %s", host, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	snprintf(port, sizeof(port), "%u",
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						: ((struct sockaddr_in *)&ss)->sin_port));
	snprintf(ctl, ctl_bytes, ss.ss_family == AF_INET6 ? "tcp:[%s]:%s" : "tcp:%s:%s", host,
		 port);
	return fd;
}

static int run_by_runtime(const struct ipcb_run_spec *s, struct ipcb_chan *ch,
			  struct ipcb_launch *launch, struct run_area *area)
{
	char *error = launch->error;
	size_t error_bytes = sizeof(launch->error);
	struct ipcb_launch_cmd cmd;
	struct rank_spec rs;
	struct ipcb_launch_ext x;
	char prog[PATH_MAX], peer_prog[PATH_MAX], agent[PATH_MAX + 16], peer[64];
	char ctl[1100], log[1100], key[40] = "";
	struct result_files rf = {.run_dir = ch->cfg.run_dir, .fd = {-1, -1}};
	int rc, lfd = -1;

	memset(&cmd, 0, sizeof(cmd));
	memset(&rs, 0, sizeof(rs));
	if (launch->senders + launch->receivers != 2 || !ch->cfg.run_dir) {
		snprintf(error, error_bytes, "a runtime starts one sender and one receiver");
		return -EINVAL;
	}
	rank_program(prog, sizeof(prog));
	snprintf(ctl, sizeof(ctl), "%s/ctl", ch->cfg.run_dir);
	snprintf(log, sizeof(log), "%s/launcher", ch->cfg.run_dir);
	snprintf(peer_prog, sizeof(peer_prog), "%s", prog);
	if (s->hosts) {
		char *slash;

		/* The peer's ipcb-rank is beside the ipcbench it runs; the agent is this one. */
		snprintf(peer_prog, sizeof(peer_prog), "%s", s->hosts->binary);
		slash = strrchr(peer_prog, '/');
		snprintf(slash ? slash + 1 : peer_prog,
			 sizeof(peer_prog) - (size_t)(slash ? slash + 1 - peer_prog : 0),
			 "ipcb-rank");
		snprintf(agent, sizeof(agent), "%s", prog);
		slash = strrchr(agent, '/');
		snprintf(slash ? slash + 1 : agent,
			 sizeof(agent) - (size_t)(slash ? slash + 1 - agent : 0),
			 "ipcbench rsh-agent");
		ipcb_remote_host_text((const struct sockaddr *)&s->hosts->peer, peer, sizeof(peer));
		ch->cfg.peer = peer;
		ch->cfg.agent = agent;
		rs.shift_ns[1] = s->hosts->clock.offset_ns;
		lfd = rank_listen(ch->cfg.host, ctl, sizeof(ctl), key, sizeof(key), error,
				  error_bytes);
		if (lfd < 0)
			return lfd;
	}
	rs.spec = *s;
	rs.spec.t = NULL;
	rs.spec.remote = rs.spec.hosts = NULL;
	rs.spec.cfg = ch->cfg;
	rs.spec.cfg.dir = rs.spec.cfg.run_dir = rs.spec.cfg.service = NULL;
	rs.spec.cfg.host = rs.spec.cfg.peer = rs.spec.cfg.agent = NULL;
	snprintf(rs.transport, sizeof(rs.transport), "%s", s->t->name);
	snprintf(rs.tag, sizeof(rs.tag), "%s", ch->tag);
	snprintf(rs.run_dir, sizeof(rs.run_dir), "%s", ch->cfg.run_dir);
	snprintf(rs.dir, sizeof(rs.dir), "%s", ch->cfg.dir ? ch->cfg.dir : "");
	snprintf(rs.service, sizeof(rs.service), "%s", ch->cfg.service ? ch->cfg.service : "");
	cmd.rank_argv[0][0] = prog;
	cmd.rank_argv[1][0] = peer_prog;
	for (int k = 0; k < 2; k++) {
		cmd.rank_argv[k][1] = ctl;
		cmd.rank_argv[k][2] = s->t->name;
	}
	rc = s->t->launch->command(ch, &cmd);
	for (int i = 0; !rc && i < 3; i++)
		rc = ipcb_cmd_arg(&cmd, "%s", cmd.rank_argv[1][i]);
	if (rc) {
		snprintf(error, error_bytes, "launch: %s: %s%s%s", cmd.err.call, strerror(-rc),
			 cmd.err.detail[0] ? ": " : "", cmd.err.detail);
		goto out;
	}
	x = (struct ipcb_launch_ext){.argv = cmd.argv,
				     .ctl_path = s->hosts ? NULL : ctl,
				     .run_dir = ch->cfg.run_dir,
				     .log_path = log,
				     .spec = &rs,
				     .spec_bytes = sizeof(rs),
				     .tcp_lfd = lfd,
				     .key = key,
				     .result = result_piece,
				     .result_arg = &rf};
	/* For mpirun, which passes it on to the sides (transport.h: IPCB_RANK_KEY_ENV). */
	if (s->hosts)
		setenv(IPCB_RANK_KEY_ENV, key, 1);
	rc = ipcb_launch_run_ext(launch, &x);
	if (s->hosts)
		unsetenv(IPCB_RANK_KEY_ENV);
	for (int k = 0; k < 2; k++)
		if (rf.fd[k] >= 0 && close(rf.fd[k]) < 0 && !rc) {
			snprintf(error, error_bytes, "side %d's results: close: %s", k,
				 strerror(errno));
			rc = -EIO;
		}
	if (rc)
		goto out;
	/* What each side measured, from its file, into the area as a forked side leaves it. */
	for (unsigned k = 0; k < area->nsides; k++) {
		char path[1200];
		FILE *f;
		bool ok;

		result_file(ch->cfg.run_dir, k, path, sizeof(path));
		f = fopen(path, "re");
		ok = f && fread(&area->side[k], sizeof(area->side[k]), 1, f) == 1 &&
		     fread(&area->side[area->nsides + k], sizeof(area->side[k]), 1, f) == 1;
		for (int h = 0; ok && h < RUN_HISTS; h++)
			ok =
			    fread(run_hist(area, k, (enum run_hist)h), area->hist_bytes, 1, f) == 1;
		if (f)
			fclose(f);
		if (!ok) {
			snprintf(error, error_bytes, "side %u's results (%.300s): %s", k, path,
				 f ? "short" : strerror(errno));
			rc = -EIO;
			goto out;
		}
	}
out:
	if (lfd >= 0)
		close(lfd);
	ch->cfg.peer = ch->cfg.agent = NULL;
	return rc;
}

/*
 * A side started by a runtime: the timed body, then its part of the area to the driver over its
 * control connection, before it says goodbye (the driver keeps each side's in a file and reads
 * them once every side has).
 */
static int rank_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	struct run_area *area = area_v;
	unsigned k = me->number;
	int rc = run_body(me, arg, area_v, err);

	if (rc)
		return rc;
	rc = ipcb_side_send_result(&area->side[k], sizeof(area->side[0]));
	if (!rc)
		rc = ipcb_side_send_result(&area->side[area->nsides + k], sizeof(area->side[0]));
	for (int h = 0; !rc && h < RUN_HISTS; h++)
		rc = ipcb_side_send_result(run_hist(area, k, (enum run_hist)h), area->hist_bytes);
	if (rc)
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(results): %s", strerror(-rc));
	return rc;
}

int ipcb_run_rank_main(int argc, char **argv)
{
	static struct rank_spec rs;
	struct ipcb_run_spec s;
	struct ipcb_chan ch;
	struct ipcb_side me;
	struct run_ctx ctx = {.spec = &s, .chans = &ch};
	const struct ipcb_transport *t;
	size_t hist_bytes =
	    (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	    ~(size_t)63;
	size_t hist_off, area_bytes;
	struct run_area *area;
	char err[IPCB_RUN_ERR_BYTES] = "";
	int number, rc;

	/* Never outlive the runtime that started it: when it dies, the kernel kills this. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc != 3 || !(t = ipcb_transport_find(argv[2])) || !t->launch) {
		fprintf(stderr,
			"usage: ipcb-rank CONTROL-SOCKET TRANSPORT (started by ipcbench)\n");
		return 2;
	}
	number = t->launch->rank();
	if (number < 0 || number > 1) {
		fprintf(stderr, "ipcb-rank: %s: which side am I? %s\n", t->name,
			strerror(number < 0 ? -number : EINVAL));
		return 1;
	}
	ipcb_run_signals_ignore();
	if (ipcb_side_join(argv[1], (unsigned)number, &rs, sizeof(rs), err) < 0) {
		fprintf(stderr, "ipcb-rank: %s\n", err);
		return 1;
	}
	/* Listed for --cleanup where the run's directory is this host's (not over TCP). */
	if (strncmp(argv[1], "tcp:", 4) != 0)
		ipcb_rundir_note_pid(rs.run_dir, getpid());
	ipcb_msg_clock_shift_ns = rs.shift_ns[number];
	memset(&ch, 0, sizeof(ch));
	if (strcmp(rs.transport, t->name) != 0) {
		fprintf(stderr, "ipcb-rank: started as %s for a run of %s\n", t->name,
			rs.transport);
		return 1;
	}
	s = rs.spec;
	s.t = t;
	s.cfg.run_dir = rs.run_dir;
	s.cfg.dir = rs.dir[0] ? rs.dir : NULL;
	s.cfg.service = rs.service[0] ? rs.service : NULL;
	ch.t = t;
	ch.cfg = s.cfg;
	snprintf(ch.tag, sizeof(ch.tag), "%s", rs.tag);
	/* The same area as the driver's, private: this side fills its own part of it. */
	hist_off = (sizeof(struct run_area) + 4 * sizeof(struct run_side) + 63) & ~(size_t)63;
	area_bytes = hist_off + 2 * RUN_HISTS * hist_bytes;
	area = buf_map(area_bytes);
	if (!area) {
		fprintf(stderr, "ipcb-rank: mmap(result area): %s\n", strerror(errno));
		return 1;
	}
	area->nsides = 2;
	area->hist_bytes = hist_bytes;
	area->hist_off = hist_off;
	for (unsigned k = 0; k < 2; k++)
		for (int h = 0; h < RUN_HISTS; h++)
			ipcb_hist_init(run_hist(area, k, (enum run_hist)h), hist_bytes,
				       IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	me = (struct ipcb_side){.role = number ? IPCB_RECEIVER : IPCB_SENDER,
				.index = 0,
				.number = (unsigned)number,
				.nsides = 2,
				.cpu = s.cpu[number]};
	rc = ipcb_side_run_joined(&me, rank_body, &ctx, area, err);
	return rc ? 1 : 0;
}

int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	/* Whole cache lines each: every side records into its own. */
	size_t hist_bytes =
	    (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	    ~(size_t)63;
	unsigned pairs = s->pairs ? s->pairs : 1, made = 0, nsides, senders;
	struct ipcb_chan *chans = calloc(pairs, sizeof(*chans));
	char(*run_dirs)[4096] = calloc(pairs, sizeof(*run_dirs));
	struct run_ctx ctx = {.spec = s, .chans = chans};
	struct ipcb_launch launch = {.timeout_s = s->timeout_s, .body = run_body, .arg = &ctx};
	size_t hist_off, area_bytes = 0;
	struct run_area *area = NULL;
	int *cpus = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!chans || !run_dirs) {
		snprintf(r->error, sizeof(r->error), "calloc(%u channels): %s", pairs,
			 strerror(ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	for (unsigned p = 0; p < pairs; p++) {
		chans[p].t = s->t;
		chans[p].cfg = s->cfg;
		chans[p].cfg.inflight =
		    s->mode == IPCB_MODE_LATENCY && s->inflight > 1 ? s->inflight : 1;
		if (!chans[p].cfg.senders)
			chans[p].cfg.senders = 1;
		if (!chans[p].cfg.receivers)
			chans[p].cfg.receivers = 1;
	}
	senders = pairs * chans[0].cfg.senders;
	nsides = senders + pairs * chans[0].cfg.receivers;
	hist_off =
	    (sizeof(struct run_area) + 2 * nsides * sizeof(struct run_side) + 63) & ~(size_t)63;
	area_bytes = hist_off + (size_t)nsides * RUN_HISTS * hist_bytes;
	area = ipcb_run_area_map(area_bytes);
	cpus = calloc(nsides, sizeof(*cpus));
	if (!area || !cpus) {
		snprintf(r->error, sizeof(r->error), "mmap(result area): %s", strerror(ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	area->nsides = nsides;
	area->hist_bytes = hist_bytes;
	area->hist_off = hist_off;
	for (unsigned k = 0; k < nsides; k++) {
		enum ipcb_role role = k < senders ? IPCB_SENDER : IPCB_RECEIVER;

		/* A stand-in only relays: it takes no CPU of the placement. */
		cpus[k] = ipcb_remote_elsewhere(s->remote, role) ? -1 : s->cpu[role];
		for (int h = 0; h < RUN_HISTS; h++)
			ipcb_hist_init(run_hist(area, k, (enum run_hist)h), hist_bytes,
				       IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
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
	launch.senders = senders;
	launch.receivers = nsides - senders;
	launch.cpu = cpus;
	launch.area = area;
	rc = s->t->launch ? run_by_runtime(s, &chans[0], &launch, area)
			      : ipcb_launch_run(&launch);
	r->signal = launch.signal;
	r->fail_ns = launch.fail_ns;
	if (rc)
		snprintf(r->error, sizeof(r->error), "%s", launch.error);
	/*
	 * Two hosts under a runtime: the clocks' offset is not measured again around the run (no
	 * stand-in holds a connection to the peer then), so there is no bound to keep one-way
	 * rows by: they are left out, saying so.
	 */
	if (s->hosts) {
		r->clock_per_run = true;
		r->clock_bound_ns = -1;
	}
	/* Two hosts: the results go to the driver's host, or the clock's bound comes from it. */
	if (s->remote) {
		rc = ipcb_remote_after(s->remote, area, rc, r);
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
teardown:
	while (made > 0) {
		made--;
		chan_unmake(s, &chans[made], run_dirs[made]);
	}
	/* After teardown, which may add what the endpoints saw (how many sends the kernel copied).
	 */
	if (chans) {
		chans[0].layout[sizeof(chans[0].layout) - 1] = '\0';
		snprintf(r->layout, sizeof(r->layout), "%s%s%s", run_loans(s) ? "zerocopy" : "",
			 run_loans(s) && chans[0].layout[0] ? "; " : "", chans[0].layout);
	}
unmap:
	free(cpus);
	free(chans);
	free(run_dirs);
	ipcb_run_area_unmap(area, area_bytes);
	if (rc)
		ipcb_run_result_fini(r);
	return rc;
}

size_t ipcb_chunk_for(size_t max_msg_bytes, size_t size_bytes)
{
	return max_msg_bytes && max_msg_bytes < size_bytes ? max_msg_bytes : size_bytes;
}

void ipcb_run_result_fini(struct ipcb_run_result *r)
{
	ipcb_hist_destroy(r->hist);
	ipcb_hist_destroy(r->one_way[0]);
	ipcb_hist_destroy(r->one_way[1]);
	ipcb_hist_destroy(r->send_lag);
	ipcb_hist_destroy(r->send_call);
	r->hist = r->one_way[0] = r->one_way[1] = r->send_lag = r->send_call = NULL;
}
