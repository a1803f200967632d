/* SPDX-License-Identifier: MIT */
/*
 * runloop.h - what the timed loops of a run share (closed.c: the closed loops; shapes.c:
 * windows of messages in flight, open-loop rates, streams both ways; body.c: a side's life):
 * the small steps every loop takes (moving a payload in chunks, checking it, recording a
 * one-way delay, the application's busy work, storing a side's results in the area). Private
 * to the engine; all inline, so that every loop gets them inlined.
 */
#ifndef IPCB_RUNLOOP_H
#define IPCB_RUNLOOP_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "clock.h"
#include "count.h"
#include "futex.h"
#include "hot.h"
#include "area.h"
#include "launcher.h"
#include "msg.h"
#include "spec.h"

struct usage_mark {
	double cpu_s;
	int64_t ctx, invol;
};

static inline struct usage_mark usage_now(void)
{
	struct rusage ru;
	struct usage_mark m = {0, 0, 0};

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		m.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			  (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		m.ctx = ru.ru_nvcsw + ru.ru_nivcsw;
		m.invol = ru.ru_nivcsw;
	}
	return m;
}

/* The measured part begins: its usage from here, and in a counted run its counts (count.h). */
static inline struct usage_mark usage_start(void)
{
	ipcb_count_start();
	return usage_now();
}

/* ... and ends: what it used, and in a counted run the side's profile, dumped. */
static inline void usage_store(struct ipcb_run_side *me, struct usage_mark start)
{
	struct usage_mark end;

	ipcb_count_stop(me->messages);
	end = usage_now();

	me->cpu_s = end.cpu_s - start.cpu_s;
	me->ctx_switches = end.ctx - start.ctx;
	me->ctx_involuntary = end.invol - start.invol;
}

static inline void *buf_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int transport_fail(const struct ipcb_err *e, const char *phase, char *err)
{
	snprintf(err, IPCB_RUN_ERR_BYTES, "%s%s%s: %s%s%s%s", phase, *phase ? ": " : "", e->call,
		 strerror(-e->code), e->detail[0] ? " (" : "", e->detail, e->detail[0] ? ")" : "");
	return e->code ? e->code : -EIO;
}

/* Send or receive a whole payload, in chunks when the transport carries less per operation. */
IPCB_HOT static inline int move_payload(const struct ipcb_run_spec *s, struct ipcb_ep *ep,
					void *buf, bool send)
{
	unsigned char *p = buf;

	for (size_t off = 0; off < s->size_bytes; off += s->chunk_bytes) {
		size_t n =
		    s->size_bytes - off < s->chunk_bytes ? s->size_bytes - off : s->chunk_bytes;
		int rc = send ? s->t->send(ep, p + off, n) : s->t->recv(ep, p + off, n);

		if (rc)
			return rc;
	}
	return 0;
}

/* Check message seq by the run's --verify level; counts the messages checked byte by byte. */
IPCB_HOT static inline int verify(const struct ipcb_run_spec *s, const void *buf, uint64_t seq,
				  uint64_t *full_checks, char *err)
{
	struct ipcb_msg_fault f;
	enum ipcb_msg_scope scope = ipcb_msg_scope_for(s->verify, seq, s->size_bytes);

	if (ipcb_msg_check(buf, s->size_bytes, seq, scope, &f) < 0) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "verification failed: %s", f.what);
		return -EBADMSG;
	}
	*full_checks += scope == IPCB_MSG_ALL;
	return 0;
}

/*
 * Zero-copy loans (IPCB_CAP_ZEROCOPY) carry whole messages: a payload the transport carries in
 * chunks goes through send/recv, and its row does not say zerocopy. So do the load shapes of
 * shapes.c, whose loops send from and receive into buffers of their own.
 */
static inline bool run_loans(const struct ipcb_run_spec *s)
{
	return (s->t->caps & IPCB_CAP_ZEROCOPY) && s->chunk_bytes == s->size_bytes &&
	       s->mode != IPCB_MODE_BISTREAM && s->inflight <= 1 && s->rate == 0 &&
	       s->cfg.senders <= 1 && s->cfg.receivers <= 1 && !s->cfg.broadcast;
}

/* The message a loan holds must be the size that was sent: anything else is the transport's bug. */
IPCB_HOT static inline int loan_peek(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void **buf)
{
	size_t len = 0;
	int rc = s->t->loans->peek(ep, buf, &len);

	if (!rc && len != s->size_bytes)
		return ipcb_errf(&ep->err, -EBADMSG, "peek",
				 "a %zu-byte message where %zu were sent", len, s->size_bytes);
	return rc;
}

/*
 * move_payload() for the loops that take loans: sending commits the loan the message was built
 * in, and receiving points *buf at the message where it arrived (handed back after its check,
 * see verify_message()).
 */
IPCB_HOT static inline int move_message(const struct ipcb_run_spec *s, struct ipcb_ep *ep,
					void **buf, bool send, bool loans)
{
	if (loans)
		return send ? s->t->loans->commit(ep, s->size_bytes) : loan_peek(s, ep, buf);
	return move_payload(s, ep, *buf, send);
}

/* verify(), then a loaned message is handed back: it was checked where it arrived. */
IPCB_HOT static inline int verify_message(const struct ipcb_run_spec *s, struct ipcb_ep *ep,
					  const void *buf, uint64_t seq, uint64_t *full_checks,
					  bool loans, char *err)
{
	int rc = verify(s, buf, seq, full_checks, err);

	if (!rc && loans && s->t->loans->release(ep))
		return transport_fail(&ep->err, "", err);
	return rc;
}

/*
 * Build message seq in a buffer the transport lends: a fresh buffer is filled with the pattern
 * first (as the driver fills its own once), one that held an earlier message gets new stamps.
 */
IPCB_HOT static inline int loan_build(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void **tx,
				      uint64_t seq, bool last)
{
	int rc = s->t->loans->acquire(ep, s->size_bytes, tx);

	if (rc < 0)
		return rc;
	if (rc == 1)
		ipcb_msg_fill(*tx, s->size_bytes);
	ipcb_msg_stamp(*tx, s->size_bytes, seq);
	if (last)
		ipcb_msg_mark_last(*tx, s->size_bytes);
	return 0;
}

/* The echo of a loaned request: a loaned reply with the very same bytes (an echo is a copy). */
IPCB_HOT static inline int loan_echo(const struct ipcb_run_spec *s, struct ipcb_ep *ep,
				     const void *rx, void **tx)
{
	int rc = s->t->loans->acquire(ep, s->size_bytes, tx);

	if (rc < 0)
		return rc;
	memcpy(*tx, rx, s->size_bytes);
	return 0;
}

/*
 * Application work per message (--work-ns): a busy wait, so it costs CPU like real processing
 * and never sleeps. Streams do it on both sides (producing, consuming), the echo side before
 * answering (a server handling a request), the latency sender after each round trip (think
 * time, outside the sample).
 */
IPCB_HOT static inline void busy_work(uint64_t ns)
{
	uint64_t end;

	/*
	 * Time spent, not work done: a counted run leaves it out, as a wait, marked whether there
	 * is any or not, so that a run with it counts what a run without it does (--count checks
	 * each point so, with each side slowed in turn).
	 */
	ipcb_count_wait(true);
	if (ns) {
		end = ipcb_now_ns() + ns;
		while (ipcb_now_ns() < end)
			ipcb_cpu_relax();
	}
	ipcb_count_wait(false);
}

/*
 * A counted run's check (spec.h: count_slow_ns): the sender slowed for the first half of the
 * messages and the receiver for the second, so that each side waits for the other in turn (a
 * stream's receiver only ever waits for a slower sender, its sender for a slower receiver); 0
 * in every other run. The time goes to busy_work(), a marked wait, so what the sides count stays
 * the same unless a wait of theirs is not marked.
 */
static inline uint64_t check_slow(const struct ipcb_run_spec *s, uint64_t i, bool sender)
{
	return (i < (s->warmup + s->messages) / 2) == sender ? s->count_slow_ns : 0;
}

/*
 * Which round trips take their one-way delays (--one-way-every, --no-one-way). The sender
 * decides, and the request carries the decision: one it stamps with its send time is one the
 * echo side times (its arrival, and in the reply its own departure); one whose time is 0 is
 * answered with no clock read (one_way_carried()). None in the warm-up; from the first measured
 * round trip on, every Nth: N as given, else the fewest round trips that fill ONE_WAY_SPAN_NS at
 * the warm-up's pace, at most ONE_WAY_EVERY_MAX (without a warm-up or counted, that many). So the
 * sample's clock read and record, inside a round trip on one CPU, cost short round trips about a
 * tenth of a percent, and a slow round trip (a large message, a broker) is timed one way every
 * time, with as many samples as the run has round trips. left counts down to the next sampled one:
 * no division on the timed path. A message too small for its send time takes none.
 */
#define ONE_WAY_SPAN_NS 100000u

#define ONE_WAY_EVERY_MAX 16u

struct one_ways {
	bool on;
	unsigned every, left;
	uint64_t since; /* when the warm-up began */
};

static inline struct one_ways one_ways_start(const struct ipcb_run_spec *s)
{
	return (struct one_ways){.on = s->size_bytes >= IPCB_MSG_TIME_MIN && !s->no_one_way,
				 .every = ONE_WAY_EVERY_MAX,
				 .left = UINT32_MAX,
				 .since = ipcb_now_ns()};
}

/*
 * Measuring begins: N from the warm-up's pace (or as given), the next round trip sampled. A
 * counted run takes no pace: its passes (one of them with a side slowed on purpose) must do the
 * same work per message, so they sample alike.
 */
static inline void one_ways_begin(struct one_ways *w, const struct ipcb_run_spec *s)
{
	uint64_t pace = s->warmup && s->count_pass == IPCB_COUNT_NONE
			    ? (ipcb_now_ns() - w->since) / s->warmup
			    : 0;
	uint64_t every = pace ? (ONE_WAY_SPAN_NS + pace - 1) / pace : ONE_WAY_EVERY_MAX;

	w->every = s->one_way_every	       ? s->one_way_every
		   : every > ONE_WAY_EVERY_MAX ? ONE_WAY_EVERY_MAX
					       : (unsigned)every;
	w->left = 0;
}

/* Does this round trip take its one-way delays? The sender asks once per round trip, in order. */
IPCB_HOT static inline bool one_ways_next(struct one_ways *w)
{
	if (w->left) {
		--w->left;
		return false;
	}
	w->left = w->every - 1;
	return w->on;
}

/* Did the sender ask for this message's one-way times? (it carries its send time) */
IPCB_HOT static inline bool one_way_carried(const struct ipcb_run_spec *s, const void *msg)
{
	return s->size_bytes >= IPCB_MSG_TIME_MIN && ipcb_msg_time(msg) != 0;
}

/*
 * The sequence number the sender stamps on its i-th message, where a fault is injected: a
 * duplicate makes message 5 a second message 4 (every later one numbered one lower); a drop in
 * a round trip numbers message 5 and every later one one higher (the echo must still come back),
 * while a stream's sender never sends message 5 at all (inject_dropped()), as if the channel had
 * lost it.
 */
IPCB_HOT static inline uint64_t stamp_seq(const struct ipcb_run_spec *s, uint64_t i)
{
	if (s->inject == IPCB_INJECT_DROP && i >= 5 && s->mode == IPCB_MODE_LATENCY)
		return i + 1;
	if (s->inject == IPCB_INJECT_DUP && i >= 5)
		return i - 1;
	return i;
}

/* A stream's message i is the one --inject drop loses (never the last, which ends the run). */
IPCB_HOT static inline bool inject_dropped(const struct ipcb_run_spec *s, uint64_t i, bool last)
{
	return s->inject == IPCB_INJECT_DROP && i == 5 && !last && s->mode != IPCB_MODE_LATENCY;
}

/*
 * Damage that each --verify level does or does not see: a byte in the middle is a pattern byte,
 * seen by the every-byte check (in a message `sampled` picks, message 64, or one only `full`
 * checks, message 65); the send time is covered by the stamps, at every level.
 */
IPCB_HOT static inline void receiver_inject(const struct ipcb_run_spec *s, unsigned char *buf,
					    uint64_t i)
{
	/* One test in a run that injects nothing: this is on the echo's path, inside the trip. */
	if (__builtin_expect(s->inject == IPCB_INJECT_NONE, 1))
		return;
	if ((s->inject == IPCB_INJECT_CORRUPT && i == IPCB_MSG_FULL_EVERY) ||
	    (s->inject == IPCB_INJECT_CORRUPT_UNSAMPLED && i == IPCB_MSG_FULL_EVERY + 1))
		buf[s->size_bytes / 2] ^= 0x40;
	if (s->inject == IPCB_INJECT_CORRUPT_STAMP && i == 5)
		buf[s->size_bytes >= IPCB_MSG_TIME_MIN ? 9 : s->size_bytes - 1] ^= 0x01;
	if (i != 5)
		return;
	if (s->inject == IPCB_INJECT_CRASH)
		raise(SIGSEGV);
	else if (s->inject == IPCB_INJECT_HANG)
		for (;;)
			pause();
}

/* Planned message count, or UINT64_MAX when the duration decides. */
static inline uint64_t planned_total(const struct ipcb_run_spec *s)
{
	/*
	 * The receiver times a stream from the arrival of the last warm-up message (or of message
	 * 0, which then is not counted). A transport that moves nothing is timed at the sender.
	 */
	uint64_t extra =
	    s->mode == IPCB_MODE_THROUGHPUT && s->warmup == 0 && !(s->t->caps & IPCB_CAP_NO_DATA)
		? 1
		: 0;

	return s->messages ? s->warmup + s->messages + extra : UINT64_MAX;
}

/*
 * The network segments the sender puts on the wire in its measured phase, where the transport
 * counts them: the count at the start, then (end) the difference.
 */
static inline void segments_mark(const struct ipcb_run_spec *s, struct ipcb_ep *ep,
				 struct ipcb_run_side *me, bool end)
{
	uint64_t n;

	if (!s->t->segments_sent || s->t->segments_sent(ep, &n) < 0) {
		me->segments_ok = false;
		return;
	}
	if (!end) {
		me->segments = n;
		me->segments_ok = true;
	} else if (me->segments_ok) {
		me->segments = n - me->segments;
	}
}

/*
 * Measured messages before the duration may end a run (--min-messages; at least one, also for
 * a spec that never set it).
 */
static inline uint64_t run_min_messages(const struct ipcb_run_spec *s)
{
	return s->min_messages ? s->min_messages : 1;
}

/* The sender's measured phase begins: CPU time, clock, and the deadline the duration sets. */
IPCB_HOT static inline void measure_start(const struct ipcb_run_spec *s, struct ipcb_run_side *me,
					  struct usage_mark *start, uint64_t *deadline)
{
	*start = usage_start();
	me->t_first_ns = ipcb_now_ns();
	if (s->duration_s > 0)
		*deadline = me->t_first_ns + (uint64_t)(s->duration_s * 1e9);
}

/* This side's slot in the result area, written once at the end (see struct ipcb_run_side). */
static inline void side_store(struct ipcb_run_ctx *c, const struct ipcb_run_side *me)
{
	c->area->side[c->me->number] = *me;
}

/* The slot of this side's second thread. */
static inline void side_store_aux(struct ipcb_run_ctx *c, const struct ipcb_run_side *me)
{
	c->area->side[c->area->nsides + c->me->number] = *me;
}

/*
 * Several senders on one channel (--topology N:1) tell their streams apart by the sender's
 * number in the high bits of every sequence number (a run never sends 2^48 messages).
 */
#define RUN_SEQ_SENDER_SHIFT 48
#define RUN_SEQ_MASK	     ((1ull << RUN_SEQ_SENDER_SHIFT) - 1)

static inline uint64_t seq_base(const struct ipcb_ep *ep)
{
	return (uint64_t)ep->index << RUN_SEQ_SENDER_SHIFT;
}

/*
 * A stream's end, where its last message cannot tell every receiver: receivers that compete
 * for one channel's messages (--topology 1:N) each stop at the first last-marked message they
 * take, so the sender marks one more for each other receiver. A broadcast's last message
 * reaches every receiver: none more. i: the message just sent. 0 or -errno with err filled.
 */
static inline int send_more_lasts(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, uint64_t i,
				  struct ipcb_run_side *me, char *err)
{
	const struct ipcb_run_spec *s = c->spec;

	for (unsigned k = 1; !c->chan->cfg.broadcast && k < c->chan->cfg.receivers; k++) {
		int rc;

		/* Numbered on as the loop numbers (an injected drop shifts them all). */
		ipcb_msg_stamp(tx, s->size_bytes, seq_base(ep) | stamp_seq(s, i + k));
		me->seq_end = stamp_seq(s, i + k) + 1;
		ipcb_msg_mark_last(tx, s->size_bytes);
		rc = move_payload(s, ep, tx, true);
		if (rc)
			return transport_fail(&ep->err, "", err);
		me->messages++;
		me->sent++;
	}
	return 0;
}

/*
 * A run that may lose messages (c->lossy) may lose a stream's last message as well as any
 * other: after it, the sender sends more last-marked messages, numbered on, until every
 * receiver is done. They are not measured; a receiver that took one counts the gap before it as
 * lost. i: the last message sent. 0 or -errno with err filled.
 */
static inline int send_lasts_until_end(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx,
				       uint64_t i, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	/* Numbered after the last marks send_more_lasts() sent (none in a broadcast). */
	uint64_t first = c->chan->cfg.broadcast ? 1 : c->chan->cfg.receivers;

	/* A bistream's two senders would each wait for the other to be done. */
	if (!c->lossy || s->mode == IPCB_MODE_BISTREAM)
		return 0;
	for (uint64_t k = first;; k++) {
		/* Soon after the first: the last message is usually on its way already. */
		int rc = c->me->ops->end_within(k == first ? 20 : 100);

		if (rc > 0)
			return 0;
		if (rc < 0) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s", strerror(-rc));
			return rc;
		}
		ipcb_msg_stamp(tx, s->size_bytes, seq_base(ep) | stamp_seq(s, i + k));
		ipcb_msg_mark_last(tx, s->size_bytes);
		rc = move_payload(s, ep, tx, true);
		if (rc)
			return transport_fail(&ep->err, "", err);
	}
}

/*
 * A lossy stream's receiver (lossy: c->lossy), expecting message i, got the one in rx: when its
 * header names a later one, the messages between were lost. Counts every one of them into *lost,
 * warm-up included (a loss is the channel's, whenever it happens), and returns the message to
 * check rx against (i when nothing was skipped). Below 16 bytes a message has no header to
 * read: a gap there fails the check as for any transport.
 */
static inline uint64_t lossy_skip(bool lossy, const struct ipcb_run_spec *s, const void *rx,
				  uint64_t i, uint64_t *lost)
{
	uint64_t got;

	if (!lossy || s->size_bytes < 16)
		return i;
	got = ipcb_msg_header_seq(rx) & RUN_SEQ_MASK;
	/* A far jump is a damaged header, for the check to name. */
	if (got <= i || got - i >= (1ull << 40))
		return i;
	*lost += got - i;
	return got;
}

/*
 * A stream sender's end, after its loop sent message i: the extra last marks (above), its clock,
 * CPU time and segments, stored in its slot. 0 or -errno with err filled.
 */
static inline int stream_sender_end(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx,
				    uint64_t i, struct ipcb_run_side *me, struct usage_mark start,
				    char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	bool data = !(s->t->caps & IPCB_CAP_NO_DATA);
	int rc;

	me->seq_end = stamp_seq(s, i) + 1;
	rc = data ? send_more_lasts(c, ep, tx, i, me, err) : 0;

	if (!rc && data)
		rc = send_lasts_until_end(c, ep, tx, i, err);

	me->t_last_ns = ipcb_now_ns();
	usage_store(me, start);
	segments_mark(s, ep, me, true);
	side_store(c, me);
	return rc;
}

#endif
