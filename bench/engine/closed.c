/* SPDX-License-Identifier: MIT */
/*
 * closed.c - the closed loops of a run: one sender and one receiver, the next message sent when
 * the last is through (latency mode's ping-pong, throughput mode's stream); see closed.h.
 */
#include "closed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "hot.h"
#include "msg.h"
#include "runloop.h"

/*
 * What side B does with a request between receiving it and answering, on the path of every
 * round trip: learn whether it is the last, time it one way where the sender asked (into h_ab
 * when there is one), and the application's work. Returns whether it was the last. A transport
 * that moves nothing has no B to do it: its sender does it itself, between its send and its
 * receive, so that the null round trip (the floor, and every row's harness_ns) holds both sides'
 * work as a real round trip does (echo_self()).
 */
IPCB_HOT static inline bool echo_turn(const struct ipcb_run_spec *s, struct ipcb_hist *h_ab,
				      struct ipcb_run_side *me, const void *rx, void *tx,
				      uint64_t i)
{
	bool last = ipcb_msg_is_last(rx, s->size_bytes, i);

	/* The sender stamps the requests to time one way (one_ways): only those. */
	if (one_way_carried(s, rx)) {
		uint64_t tb = ipcb_now_ns();

		if (h_ab && i >= s->warmup)
			record_one_way(h_ab, me, ipcb_msg_time(rx), tb);
		ipcb_msg_set_time(tx, s->size_bytes, tb);
	}
	busy_work(s->work_ns + s->recv_work_ns + check_slow(s, i, false));
	return last;
}

/* B's whole answer, run by the sender of a transport that moves nothing (see echo_turn()). */
IPCB_HOT static inline int echo_self(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void *buf,
				     uint64_t i, struct ipcb_run_side *me)
{
	int rc = move_message(s, ep, &buf, false, false);

	if (!rc) {
		echo_turn(s, NULL, me, buf, buf, i);
		rc = move_message(s, ep, &buf, true, false);
	}
	return rc;
}

/*
 * Side A in latency mode: send, wait for the echo, one histogram sample per round trip, then
 * check what came back. The echo carries the very bytes B received, so this one check covers
 * both directions; and it comes after the sample is taken, before the next message is sent, so
 * it is never inside a measured round trip, whether or not both sides share one CPU. The last
 * message carries the mark that ends the run.
 */
IPCB_HOT int ipcb_loop_latency_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx,
				      void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_RTT);
	struct ipcb_hist *h_ba = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_BA);
	uint64_t total = planned_total(s), deadline = UINT64_MAX, t0, t1 = 0;
	/*
	 * A transport that moves nothing (null) gives back what was sent: its round trip runs the
	 * path every other one does, stamp, one-way sample and check, so that its floor is the
	 * harness's whole cost on this side.
	 */
	bool moves = !(s->t->caps & IPCB_CAP_NO_DATA);
	bool loans = run_loans(s);
	struct one_ways ows = one_ways_start(s);
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last = i + 1 == total, ow;
		const void *back;

		if (i == s->warmup) {
			segments_mark(s, ep, &me, false);
			measure_start(s, &me, &start, &deadline);
			one_ways_begin(&ows, s);
		}
		ow = one_ways_next(&ows);
		if (i >= s->warmup + run_min_messages(s) && t1 >= deadline)
			last = true;
		if (!loans) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		t0 = ipcb_now_ns();
		/* Taking a loan and building the message in it is the mechanism's part of the trip.
		 */
		rc = loans ? loan_build(s, ep, &tx, stamp_seq(s, i), last) : 0;
		if (ow && !rc)
			ipcb_msg_set_time(tx, s->size_bytes, t0);
		if (!rc)
			rc = move_message(s, ep, &tx, true, loans);
		if (!moves && !rc)
			rc = echo_self(s, ep, tx, i, &me);
		if (!rc)
			rc = move_message(s, ep, &rx, false, loans);
		t1 = ipcb_now_ns();
		if (rc)
			return transport_fail(&ep->err, "", err);
		back = moves ? rx : tx;
		if (i >= s->warmup) {
			ipcb_hist_record(h, (int64_t)(t1 - t0));
			if (ow)
				record_one_way(h_ba, &me, ipcb_msg_time(back), t1);
			me.messages++;
		}
		rc = verify_message(s, ep, back, i, &me.full_checks, loans, err);
		if (rc)
			return rc;
		if (last)
			break;
		busy_work(s->work_ns + check_slow(s, i, true));
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
IPCB_HOT int ipcb_loop_latency_echo(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ab = ipcb_run_hist(c->area, c->me->number, IPCB_RUN_HIST_AB);
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	void *tx = rx;
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last;

		if (i == s->warmup)
			start = usage_start();
		rc = move_message(s, ep, &rx, false, loans);
		if (!rc && loans)
			rc = loan_echo(s, ep, rx, &tx);
		if (rc)
			return transport_fail(&ep->err, "", err);
		last = echo_turn(s, h_ab, &me, rx, tx, i);
		receiver_inject(s, tx, i);
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

/*
 * A stream receiver's work on one message, done by the sender of a transport that moves nothing
 * (spec.h, self_receive): take it, learn whether it is the last, check it (the steps of
 * ipcb_loop_stream_receiver() on every message, on the message just sent).
 */
IPCB_HOT static int stream_self(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void *buf,
				uint64_t seq, struct ipcb_run_side *me, char *err)
{
	volatile bool last;
	int rc = move_message(s, ep, &buf, false, false);

	if (rc)
		return transport_fail(&ep->err, "", err);
	last = ipcb_msg_is_last(buf, s->size_bytes, seq);
	(void)last;
	return verify_message(s, ep, buf, seq, &me->full_checks, false, err);
}

/* Side A in throughput mode: stream messages; the sender never reads the measuring clock. */
IPCB_HOT int ipcb_loop_stream_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx,
				     char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	uint64_t total = planned_total(s), deadline = UINT64_MAX;
	/* Small messages are cheap: look at the clock (only to decide the end) every 16th. */
	uint64_t clock_mask = s->size_bytes >= 4096 ? 0 : 15;
	uint64_t base = seq_base(ep); /* 0 but with several senders (RUN_SEQ_SENDER_SHIFT) */
	/* A transport that moves nothing, asked to, plays the receiver too (spec.h). */
	bool self = (s->t->caps & IPCB_CAP_NO_DATA) && s->self_receive;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA) || self;
	bool timed = data && s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
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
		if (inject_dropped(s, i, last))
			continue;
		if (data && loans) {
			rc = loan_build(s, ep, &tx, stamp_seq(s, i) | base, last);
			if (rc)
				return transport_fail(&ep->err, "", err);
		} else if (data) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i) | base);
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		busy_work(s->work_ns + check_slow(s, i, true));
		/* A sample of messages carries its send time: latency under load, at little cost.
		 */
		if (timed && i % RUN_STREAM_STAMP_EVERY == 0)
			ipcb_msg_set_time(tx, s->size_bytes, ipcb_now_ns());
		rc = move_message(s, ep, &tx, true, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (self && (rc = stream_self(s, ep, tx, base | stamp_seq(s, i), &me, err)))
			return rc;
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
IPCB_HOT int ipcb_loop_stream_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx,
				       char *err, bool aux)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ow =
	    ipcb_run_hist(c->area, c->me->number,
			  aux && ep->role == IPCB_SENDER ? IPCB_RUN_HIST_BA : IPCB_RUN_HIST_AB);
	uint64_t mark = s->warmup > 0 ? s->warmup - 1 : 0;
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0, 0};
	struct ipcb_run_side me = {0};
	bool clock = false;
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last, first = false;

		rc = move_message(s, ep, &rx, false, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		i = lossy_skip(c->lossy, s, rx, i, &me.lost);
		/* Read now: a loaned message is gone once checked. The check covers the mark. */
		last = ipcb_msg_is_last(rx, s->size_bytes, i);
		if (timed && i > mark && ipcb_msg_time(rx))
			record_one_way(h_ow, &me, ipcb_msg_time(rx), ipcb_now_ns());
		receiver_inject(s, rx, i);
		/* The mark, or the first message after it when a lossy transport lost the mark. */
		if (!clock && i >= mark) {
			clock = first = true;
			me.t_first_ns = ipcb_now_ns();
			start = usage_start();
		}
		rc = verify_message(s, ep, rx, i, &me.full_checks, loans, err);
		if (rc)
			return rc;
		busy_work(s->work_ns + s->recv_work_ns + check_slow(s, i, false));
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
