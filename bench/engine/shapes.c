/* SPDX-License-Identifier: MIT */
/*
 * shapes.c - the load shapes beyond one message at a time: a window of requests in flight, an
 * open-loop rate (with replies, or as a stream), and streams both ways at once.
 *
 * A side that must send while it waits for what comes back runs two threads on its CPU: the
 * main thread sends, a second one receives. They share only what they must: the send time of
 * each message in flight (written before the message leaves, read after its reply came back,
 * so the message itself orders the two), and, for a window, how many replies have come back (a
 * futex word the sender sleeps on when the window is full). Neither spins for long: on one CPU
 * a spinning thread keeps the other from running until the scheduler's next tick (the sender
 * could not send on time, the replies would wait). So a spinning transport wait is refused with
 * these shapes (options.c) and a hybrid one sleeps at once (the driver); the sender yields the CPU
 * while it waits for a message's time. A stream's receiver, alone on its CPU, may spin.
 *
 * Open loop: the sender sends message i at its intended time, t0 + i / rate (or after
 * exponential gaps of that mean), whatever the replies do, and every latency is counted from
 * that intended time, so time spent queued behind a stall counts (coordinated omission is
 * corrected by construction, not by back-filling samples). A send that starts more than one
 * interval after its intended time is counted late, and every send's lateness is recorded
 * (the row `send_lag`): the schedule's own accuracy, and the stalls the sender met.
 */
#include "shapes.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "closed.h"
#include "runloop.h"

/* ---- the open-loop schedule ---------------------------------------------------------------- */

struct schedule {
	double interval_ns; /* mean spacing: 1 / rate */
	bool poisson;
	uint64_t rng;  /* xorshift state: the gaps are the same on every run */
	double due_ns; /* intended send time of the next message, absolute */
};

/*
 * --rate is what all senders offer together: each sender offers its share. Each starts its own
 * schedule when it starts sending; Poisson gaps differ from sender to sender.
 */
static void schedule_init(struct schedule *sc, const struct ipcb_run_ctx *c, uint64_t start_ns)
{
	const struct ipcb_run_spec *s = c->spec;
	unsigned senders = (s->pairs ? s->pairs : 1) * c->chan->cfg.senders;

	sc->interval_ns = 1e9 * senders / s->rate;
	sc->poisson = s->arrivals == IPCB_ARRIVALS_POISSON;
	sc->rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->me->number * 0xbf58476d1ce4e5b9ull);
	sc->due_ns = (double)start_ns;
}

/* The intended time of this message; advances to the next one. */
IPCB_HOT static uint64_t schedule_next(struct schedule *sc)
{
	uint64_t due = (uint64_t)sc->due_ns;
	double gap = sc->interval_ns;

	if (sc->poisson) {
		/* Exponential gap: -mean * ln(U), U uniform in (0, 1]. */
		sc->rng ^= sc->rng << 13;
		sc->rng ^= sc->rng >> 7;
		sc->rng ^= sc->rng << 17;
		gap = -sc->interval_ns * log((double)((sc->rng >> 11) + 1) / 9007199254740992.0);
	}
	sc->due_ns += gap;
	return due;
}

/*
 * Wait until `due`. A timer's wake-up costs tens of microseconds on some machines (a virtual
 * CPU that halted must be resumed), so the sender sleeps only while `due` is far off, and wakes
 * SCHEDULE_SLEEP_NS before it; from there it yields the CPU (to its receiving thread, when
 * that one has a reply to take) while reading the clock, and spins the last SCHEDULE_POLL_NS.
 */
#define SCHEDULE_SLEEP_NS 200000ull
#define SCHEDULE_POLL_NS  2000ull

IPCB_HOT static void schedule_wait(uint64_t due)
{
	uint64_t now = ipcb_now_ns();

	if (due > now + 2 * SCHEDULE_SLEEP_NS) {
		uint64_t wake = due - SCHEDULE_SLEEP_NS;
		struct timespec ts = {(time_t)(wake / 1000000000u), (long)(wake % 1000000000u)};

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = ipcb_now_ns();
	}
	while (now + SCHEDULE_POLL_NS < due) {
		sched_yield();
		now = ipcb_now_ns();
	}
	while (now < due) {
		ipcb_cpu_relax();
		now = ipcb_now_ns();
	}
}

/* A thread's timers expire when asked (the default slack lets the kernel defer them 50 us). */
static void schedule_precise(void)
{
	prctl(PR_SET_TIMERSLACK, 1UL);
}

/*
 * How late a send starts against its intended time, recorded for every measured message (the
 * schedule's own accuracy, and the stalls the sender met: a blocked send delays the next ones);
 * one that starts more than one interval late is counted late.
 */
IPCB_HOT static void send_lag(const struct schedule *sc, struct ipcb_hist *lag,
			      struct ipcb_run_side *me, uint64_t due)
{
	uint64_t now = ipcb_now_ns();
	uint64_t d = now > due ? now - due : 0;

	ipcb_hist_record(lag, (int64_t)d);
	if ((double)d > sc->interval_ns)
		me->late++;
}

/* ---- a window of requests, closed or open loop --------------------------------------------- */

/* Enough slots for every message an open loop can have in flight before it must wait. */
#define WINDOW_OPEN_CAP 65536u

struct window {
	_Alignas(64) uint32_t replies; /* replies taken (low 32 bits): the sender sleeps on it */
	uint32_t sender_waiting;
	_Alignas(64) uint64_t *sent_ns; /* [cap]: each message's send time, by seq % cap */
	unsigned cap;			/* a power of two, at least the window */
	unsigned limit;			/* messages outstanding at most */
	/* what the reply thread works with */
	struct ipcb_run_ctx *c;
	struct ipcb_ep *ep;
	void *rx;
	char err[IPCB_RUN_ERR_BYTES];
};

/*
 * The reply thread: take every reply in order, one round-trip sample each, from the time its
 * request was sent (or was due, in an open loop); check it; tell the sender a slot is free.
 */
IPCB_HOT static void *window_replies(void *arg)
{
	struct window *w = arg;
	struct ipcb_run_ctx *c = w->c;
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_RTT);
	struct ipcb_hist *h_ba = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_BA);
	struct ipcb_run_side me = {0};
	uint64_t t = 0;

	for (uint64_t j = 0;; j++) {
		int rc = move_payload(s, w->ep, w->rx, false);
		bool last;

		/* A failure ends the side at once: the sender may wait for this very reply. */
		if (rc) {
			transport_fail(&w->ep->err, "", w->err);
			c->me->ops->abort(w->err);
		}
		t = ipcb_now_ns();
		if (j == s->warmup)
			me.t_first_ns = t;
		if (j >= s->warmup) {
			ipcb_hist_record(h, (int64_t)(t - w->sent_ns[j & (w->cap - 1)]));
			/* A reply the echo timed carries its departure (one_ways). */
			if (one_way_carried(s, w->rx))
				record_one_way(h_ba, &me, ipcb_msg_time(w->rx), t);
			me.messages++;
			me.received++;
		}
		/* A transport that moves nothing leaves rx as it was: nothing to check. */
		if (!(s->t->caps & IPCB_CAP_NO_DATA) &&
		    verify(s, w->rx, j, &me.full_checks, w->err))
			c->me->ops->abort(w->err);
		last = ipcb_msg_is_last(w->rx, s->size_bytes, j);
		__atomic_store_n(&w->replies, (uint32_t)(j + 1), __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&w->sender_waiting, __ATOMIC_SEQ_CST))
			ipcb_futex_wake(&w->replies, 1);
		if (last)
			break;
	}
	me.t_last_ns = t;
	side_store_aux(c, &me);
	return NULL;
}

/* The sender waits until fewer than the window's limit are outstanding. */
IPCB_HOT static void window_room(struct window *w, uint64_t i)
{
	for (;;) {
		uint32_t got = __atomic_load_n(&w->replies, __ATOMIC_SEQ_CST);

		if ((uint32_t)i - got < w->limit)
			return;
		__atomic_store_n(&w->sender_waiting, 1, __ATOMIC_SEQ_CST);
		if ((uint32_t)i - __atomic_load_n(&w->replies, __ATOMIC_SEQ_CST) >= w->limit)
			ipcb_futex_wait(&w->replies, got);
		__atomic_store_n(&w->sender_waiting, 0, __ATOMIC_SEQ_CST);
	}
}

static unsigned pow2_at_least(unsigned n)
{
	unsigned p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int ipcb_shape_window_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx,
			     char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	bool open = s->rate > 0;
	unsigned limit = open ? WINDOW_OPEN_CAP : (s->inflight > 1 ? s->inflight : 1);
	struct window w = {.c = c, .ep = ep, .rx = rx, .limit = limit};
	uint64_t total = planned_total(s), deadline = UINT64_MAX;
	/*
	 * One-way times as in a closed round trip (--one-way-every, --no-one-way): the echo side is
	 * closed.c's, which times the requests this side stamps with their send time.
	 */
	struct one_ways ows = one_ways_start(s);
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	struct ipcb_hist *lag = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_LAG);
	struct schedule sc;
	pthread_t replies;
	int rc;

	w.cap = pow2_at_least(limit);
	w.sent_ns = calloc(w.cap, sizeof(*w.sent_ns));
	if (!w.sent_ns) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "calloc(%u send times): %s", w.cap,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = pthread_create(&replies, NULL, window_replies, &w);
	if (rc) {
		free(w.sent_ns);
		snprintf(err, IPCB_RUN_ERR_BYTES, "pthread_create(reply thread): %s", strerror(rc));
		return -rc;
	}
	schedule_precise();
	schedule_init(&sc, c, ipcb_now_ns());
	for (uint64_t i = 0;; i++) {
		bool last = i + 1 == total, ow;
		uint64_t t_send;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
			one_ways_begin(&ows, s);
		}
		ow = one_ways_next(&ows);
		if (i >= s->warmup + run_min_messages(s) && deadline != UINT64_MAX &&
		    ipcb_now_ns() >= deadline)
			last = true;
		if (open) {
			uint64_t due = schedule_next(&sc);

			schedule_wait(due);
			window_room(&w, i);
			t_send = due;
			if (i >= s->warmup)
				send_lag(&sc, lag, &me, due);
		} else {
			window_room(&w, i);
			t_send = ipcb_now_ns();
		}
		ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
		if (last)
			ipcb_msg_mark_last(tx, s->size_bytes);
		w.sent_ns[i & (w.cap - 1)] = t_send;
		if (ow)
			ipcb_msg_set_time(tx, s->size_bytes, t_send);
		rc = move_payload(s, ep, tx, true);
		if (rc) {
			/* The reply thread may wait for a reply that will never come. */
			transport_fail(&ep->err, "", err);
			c->me->ops->abort(err);
		}
		if (i >= s->warmup)
			me.sent++;
		if (last)
			break;
		busy_work(s->work_ns);
	}
	me.t_last_ns = ipcb_now_ns();
	usage_store(&me, start);
	segments_mark(s, ep, &me, true);
	pthread_join(replies, NULL);
	free(w.sent_ns);
	side_store(c, &me);
	return 0;
}

/* ---- an open-loop stream ------------------------------------------------------------------- */

/*
 * The stream sender on a schedule: every message carries its intended send time, so the
 * receiver's one-way delays count from when each message was due. The receiver is the plain
 * stream receiver.
 */
int ipcb_shape_open_stream_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	uint64_t total = planned_total(s), deadline = UINT64_MAX;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	struct ipcb_hist *lag = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_LAG);
	struct ipcb_hist *call = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_SEND);
	bool time_calls = s->recv_work_ns > 0; /* only a slow consumer's run reads them */
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	struct schedule sc;
	uint64_t i, t0;
	int rc;

	schedule_precise();
	schedule_init(&sc, c, ipcb_now_ns());
	for (i = 0;; i++) {
		bool last = i + 1 == total;
		uint64_t due;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
		}
		if (i > s->warmup + run_min_messages(s) && deadline != UINT64_MAX &&
		    ipcb_now_ns() >= deadline)
			last = true;
		due = schedule_next(&sc);
		schedule_wait(due);
		if (i >= s->warmup)
			send_lag(&sc, lag, &me, due);
		if (inject_dropped(s, i, last))
			continue;
		if (data) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i) | seq_base(ep));
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		busy_work(s->work_ns);
		if (timed)
			ipcb_msg_set_time(tx, s->size_bytes, due);
		/*
		 * With a slow consumer, how long the send call took: whether the sender went on at
		 * once or waited for the receiver (a queue with room returns; a full one, or a
		 * synchronous channel, waits). Two clock reads, in those runs only: every other
		 * open loop sends as it did.
		 */
		t0 = time_calls ? ipcb_now_ns() : 0;
		rc = move_payload(s, ep, tx, true);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup) {
			if (time_calls)
				ipcb_hist_record(call, (int64_t)(ipcb_now_ns() - t0));
			me.messages++;
			me.sent++;
		}
		if (last)
			break;
	}
	return stream_sender_end(c, ep, tx, i, &me, start, err);
}

/* ---- streams both ways ----------------------------------------------------------------------- */

struct bistream_in {
	struct ipcb_run_ctx *c;
	struct ipcb_ep *ep;
	void *rx;
	char err[IPCB_RUN_ERR_BYTES];
};

static void *bistream_receive(void *arg)
{
	struct bistream_in *in = arg;

	/* A failure ends the side at once: the sending thread may be blocked on a full channel. */
	if (ipcb_loop_stream_receiver(in->c, in->ep, in->rx, in->err, true))
		in->c->me->ops->abort(in->err);
	return NULL;
}

/*
 * Each side streams to the other while it takes the other's stream: the main thread sends as
 * a stream's sender does, a second thread receives as a stream's receiver does. Each direction
 * is timed where it arrives.
 */
int ipcb_shape_bistream(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx, char *err)
{
	struct bistream_in in = {.c = c, .ep = ep, .rx = rx};
	pthread_t receiver;
	int rc = pthread_create(&receiver, NULL, bistream_receive, &in);

	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "pthread_create(receiving thread): %s",
			 strerror(rc));
		return -rc;
	}
	rc = ipcb_loop_stream_sender(c, ep, tx, err);
	if (rc)
		c->me->ops->abort(err);
	pthread_join(receiver, NULL);
	return 0;
}

/* ---- one channel, several senders or several receivers ------------------------------------ */

/*
 * A receiver of a channel shared by several senders (--topology N:1: every message of every
 * sender, each sender's in its order) or by several receivers (1:N: the receivers compete for
 * the messages, each takes some, in order). It cannot know which message comes next, so it
 * reads the sequence number from the header, checks that it is one it may get (the sender's
 * next; after the last one it took), then checks the whole message against it. Its clock
 * starts at the first measured message (sent after the warm-up) it takes; the rate counts the
 * messages after that one.
 */
int ipcb_shape_fan_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	const struct ipcb_chan_cfg *cfg = &c->chan->cfg;
	struct ipcb_hist *h_ow = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_AB);
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN, fan_in = cfg->senders > 1;
	/* Fan-in: each sender's next message; fan-out: one past the last one this receiver took. */
	uint64_t *next = calloc(cfg->senders, sizeof(*next));
	unsigned ended = 0, ends = fan_in ? cfg->senders : 1;
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	bool clock = false;
	int rc = 0;

	if (!next) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "calloc(%u sequence numbers): %s", cfg->senders,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	while (ended < ends) {
		uint64_t seq, n, t;
		unsigned who;

		rc = move_payload(s, ep, rx, false);
		if (rc) {
			rc = transport_fail(&ep->err, "", err);
			break;
		}
		t = ipcb_now_ns();
		seq = ipcb_msg_header_seq(rx);
		who = (unsigned)(seq >> RUN_SEQ_SENDER_SHIFT);
		n = seq & RUN_SEQ_MASK;
		/* A lossy transport's gap in one sender's messages: lost, counted (warm-up too). */
		if (c->lossy && fan_in && who < cfg->senders && n > next[who]) {
			me.lost += n - next[who];
			next[who] = n;
		}
		if (who >= cfg->senders || (fan_in ? n != next[who] : n < next[who])) {
			snprintf(err, IPCB_RUN_ERR_BYTES,
				 "verification failed: %s message %" PRIu64 " of sender %u (of %u) "
				 "where %s%" PRIu64 " was due",
				 who >= cfg->senders ? "a header claims" : "got", n, who + 1,
				 cfg->senders, fan_in ? "" : "one after ",
				 next[who % cfg->senders]);
			rc = -EBADMSG;
			break;
		}
		receiver_inject(s, rx, n);
		rc = verify(s, rx, seq, &me.full_checks, err);
		if (rc)
			break;
		next[who] = n + 1;
		me.taken++;
		if (n >= s->warmup) {
			if (clock) {
				me.messages++;
			} else {
				clock = true;
				me.t_first_ns = t;
				start = usage_start();
			}
			me.received++;
			me.t_last_ns = t;
			if (timed && ipcb_msg_time(rx))
				record_one_way(h_ow, &me, ipcb_msg_time(rx), t);
		}
		busy_work(s->work_ns + s->recv_work_ns);
		ended += ipcb_msg_is_last(rx, s->size_bytes, seq);
	}
	free(next);
	usage_store(&me, start);
	side_store(c, &me);
	return rc;
}

/* ---- publish-subscribe: every receiver gets every message --------------------------------- */

/*
 * A receiver of a broadcast (--deliver all): the stream receiver's loop, each receiver taking
 * every message of the one sender in order and checking it, timed from the mark (the last
 * warm-up message) to the last message. A run that may lose messages counts each gap in the
 * sequence numbers, warm-up included, as this receiver's losses; any other fails on one, naming
 * this receiver. Each message that carries a send time is a one-way sample, into this
 * receiver's histogram and, for the latency to the last receiver, into its sample slot (see
 * RUN_BCAST_SAMPLES). Its own loop, so that a stream of one sender and one receiver pays
 * nothing for the slots.
 */
IPCB_HOT int ipcb_shape_bcast_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx,
				       char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ow = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_AB);
	uint64_t *slot = ipcb_run_samples(c->area, c->me->number);
	uint64_t mark = s->warmup > 0 ? s->warmup - 1 : 0, nslots = c->area->samples;
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN, lossy = c->lossy;
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	bool clock = false;
	uint64_t i;
	int rc;

	for (i = 0;; i++) {
		bool last, first = false;

		rc = move_payload(s, ep, rx, false);
		if (rc)
			return transport_fail(&ep->err, "", err);
		i = lossy_skip(lossy, s, rx, i, &me.lost);
		last = ipcb_msg_is_last(rx, s->size_bytes, i);
		if (timed && i > mark && ipcb_msg_time(rx)) {
			uint64_t sent = ipcb_msg_time(rx), now = ipcb_now_ns();
			uint64_t k = i / RUN_STREAM_STAMP_EVERY;

			record_one_way(h_ow, &me, sent, now);
			if (k < nslots && now >= sent) {
				slot[k] = now - sent + 1;
				me.samples = k + 1;
			}
		}
		receiver_inject(s, rx, i);
		/* The mark, or the first message after it when a lossy run lost the mark. */
		if (!clock && i >= mark) {
			clock = first = true;
			me.t_first_ns = ipcb_now_ns();
			start = usage_start();
		}
		rc = verify(s, rx, i, &me.full_checks, err);
		if (rc)
			return rc;
		busy_work(s->work_ns + s->recv_work_ns);
		me.taken++;
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
	me.seq_end = i + 1;
	usage_store(&me, start);
	side_store(c, &me);
	return 0;
}
