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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "common.h"
#include "hot.h"
#include "msg.h"
#include "rundir.h"

/* ---- one transport run --------------------------------------------------------------------- */

/*
 * What each side measured. Each side keeps its counters in local variables while it runs and
 * stores them here once, at the end, on a cache line of its own: counters the two sides update
 * on every message in one line would bounce it between the CPUs, inside the timed loop.
 */
struct run_side {
	_Alignas(64) uint64_t clock_anomalies; /* one-way samples with a negative or absurd delay */
	double cpu_s;
	int64_t ctx_switches;
	uint64_t t_first_ns, t_last_ns;
	uint64_t messages;
	uint64_t full_checks;
	uint64_t segments; /* sender: network segments sent in the measured phase */
	bool segments_ok;  /* the transport counted them */
	int cpu_seen;
};

/*
 * What the sides hand back: a run_side per side, then RUN_HISTS histograms per side, each on
 * whole cache lines of its own (a side records into its own only).
 */
struct run_area {
	unsigned nsides;
	size_t hist_bytes; /* each histogram's size, a multiple of 64 */
	size_t hist_off;   /* where the histograms start */
	_Alignas(64) struct run_side side[];
};

enum run_hist {
	RUN_HIST_RTT, /* latency: round trip, recorded by the sender */
	RUN_HIST_AB,  /* latency: sender -> receiver one way, recorded by the receiver;
		       * throughput: one way under load, sampled */
	RUN_HIST_BA,  /* latency: receiver -> sender one way, recorded by the sender */
	RUN_HISTS,
};

IPCB_HOT static struct ipcb_hist *run_hist(struct run_area *a, unsigned side, enum run_hist k)
{
	return (struct ipcb_hist *)((char *)a + a->hist_off +
				    ((size_t)side * RUN_HISTS + (size_t)k) * a->hist_bytes);
}

/* Every this many streamed messages carry a send time (one clock read on each side). */
#define RUN_STREAM_STAMP_EVERY 16

/* Record a one-way delay; a negative or absurd one means the clocks cannot be trusted. */
IPCB_HOT static void record_one_way(struct ipcb_hist *h, struct run_side *me, uint64_t sent_ns,
				    uint64_t now_ns)
{
	if (now_ns < sent_ns || !ipcb_hist_record(h, (int64_t)(now_ns - sent_ns)))
		me->clock_anomalies++;
}

struct run_ctx {
	const struct ipcb_run_spec *spec;
	struct ipcb_chan *chan;
	struct run_area *area;
	const struct ipcb_side *me; /* in a side: which one */
};

struct usage_mark {
	double cpu_s;
	int64_t ctx;
};

static struct usage_mark usage_now(void)
{
	struct rusage ru;
	struct usage_mark m = {0, 0};

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		m.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			  (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		m.ctx = ru.ru_nvcsw + ru.ru_nivcsw;
	}
	return m;
}

static void usage_store(struct run_side *me, struct usage_mark start)
{
	struct usage_mark end = usage_now();

	me->cpu_s = end.cpu_s - start.cpu_s;
	me->ctx_switches = end.ctx - start.ctx;
}

static void *buf_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int transport_fail(const struct ipcb_err *e, const char *phase, char *err)
{
	snprintf(err, IPCB_RUN_ERR_BYTES, "%s%s%s: %s%s%s%s", phase, *phase ? ": " : "", e->call,
		 strerror(-e->code), e->detail[0] ? " (" : "", e->detail, e->detail[0] ? ")" : "");
	return e->code ? e->code : -EIO;
}

/*
 * Zero-copy loans (IPCB_CAP_ZEROCOPY) carry whole messages: a payload the transport carries in
 * chunks goes through send/recv, and its row does not say zerocopy.
 */
static bool run_loans(const struct ipcb_run_spec *s)
{
	return (s->t->caps & IPCB_CAP_ZEROCOPY) && s->chunk_bytes == s->size_bytes;
}

/* The message a loan holds must be the size that was sent: anything else is the transport's bug. */
IPCB_HOT static int loan_peek(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void **buf)
{
	size_t len = 0;
	int rc = s->t->peek(ep, buf, &len);

	if (!rc && len != s->size_bytes)
		return ipcb_errf(&ep->err, -EBADMSG, "peek",
				 "a %zu-byte message where %zu were sent", len, s->size_bytes);
	return rc;
}

/*
 * Send or receive a whole payload, in chunks when the transport carries less per operation.
 * With loans, sending commits the loan the message was built in, and receiving points *buf at
 * the message where it arrived (released after its check, see verify()).
 */
IPCB_HOT static int move_payload(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void **buf,
				 bool send, bool loans)
{
	unsigned char *p = *buf;

	if (loans)
		return send ? s->t->commit(ep, s->size_bytes) : loan_peek(s, ep, buf);
	for (size_t off = 0; off < s->size_bytes; off += s->chunk_bytes) {
		size_t n =
		    s->size_bytes - off < s->chunk_bytes ? s->size_bytes - off : s->chunk_bytes;
		int rc = send ? s->t->send(ep, p + off, n) : s->t->recv(ep, p + off, n);

		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Check message seq by the run's --verify level; counts the messages checked byte by byte. A
 * loaned message is checked where it arrived, then handed back.
 */
IPCB_HOT static int verify(const struct ipcb_run_spec *s, struct ipcb_ep *ep, const void *buf,
			   uint64_t seq, uint64_t *full_checks, bool loans, char *err)
{
	struct ipcb_msg_fault f;
	enum ipcb_msg_scope scope = ipcb_msg_scope_for(s->verify, seq, s->size_bytes);

	if (s->t->caps & IPCB_CAP_NO_DATA)
		return 0;
	if (ipcb_msg_check(buf, s->size_bytes, seq, scope, &f) < 0) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "verification failed: %s", f.what);
		return -EBADMSG;
	}
	*full_checks += scope == IPCB_MSG_ALL;
	if (loans && s->t->release(ep))
		return transport_fail(&ep->err, "", err);
	return 0;
}

/*
 * Build message seq in a buffer the transport lends: a fresh buffer is filled with the pattern
 * first (as the driver fills its own once), one that held an earlier message gets new stamps.
 */
IPCB_HOT static int loan_build(const struct ipcb_run_spec *s, struct ipcb_ep *ep, void **tx,
			       uint64_t seq, bool last)
{
	int rc = s->t->acquire(ep, s->size_bytes, tx);

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
IPCB_HOT static int loan_echo(const struct ipcb_run_spec *s, struct ipcb_ep *ep, const void *rx,
			      void **tx)
{
	int rc = s->t->acquire(ep, s->size_bytes, tx);

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
IPCB_HOT static void busy_work(uint64_t ns)
{
	uint64_t end;

	if (!ns)
		return;
	end = ipcb_now_ns() + ns;
	while (ipcb_now_ns() < end)
		ipcb_cpu_relax();
}

/* The sequence number the sender stamps on its i-th message (shifted by injected faults). */
IPCB_HOT static uint64_t stamp_seq(const struct ipcb_run_spec *s, uint64_t i)
{
	if (s->inject == IPCB_INJECT_DROP && i >= 5)
		return i + 1;
	if (s->inject == IPCB_INJECT_DUP && i == 5)
		return 4;
	return i;
}

/*
 * Damage that each --verify level does or does not see: a byte in the middle is a pattern byte,
 * seen by the every-byte check (in a message `sampled` picks, message 64, or one only `full`
 * checks, message 65); the send time is covered by the stamps, at every level.
 */
IPCB_HOT static void receiver_inject(const struct ipcb_run_spec *s, unsigned char *buf, uint64_t i)
{
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

uint64_t ipcb_inject_message(enum ipcb_inject f)
{
	/* Where receiver_inject() and stamp_seq() make it happen. */
	return f == IPCB_INJECT_CORRUPT		    ? IPCB_MSG_FULL_EVERY
	       : f == IPCB_INJECT_CORRUPT_UNSAMPLED ? IPCB_MSG_FULL_EVERY + 1
						    : 5;
}

/* Planned message count, or UINT64_MAX when the duration decides. */
static uint64_t planned_total(const struct ipcb_run_spec *s)
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
static void segments_mark(const struct ipcb_run_spec *s, struct ipcb_ep *ep, struct run_side *me,
			  bool end)
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

/* The sender's measured phase begins: CPU time, clock, and the deadline the duration sets. */
IPCB_HOT static void measure_start(const struct ipcb_run_spec *s, struct run_side *me,
				   struct usage_mark *start, uint64_t *deadline)
{
	*start = usage_now();
	me->t_first_ns = ipcb_now_ns();
	if (s->duration_s > 0)
		*deadline = me->t_first_ns + (uint64_t)(s->duration_s * 1e9);
}

/* This side's slot in the result area, written once at the end (see struct run_side). */
static void side_store(struct run_ctx *c, const struct run_side *me)
{
	c->area->side[c->me->number] = *me;
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
		if (i > s->warmup && t1 >= deadline)
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
			rc = move_payload(s, ep, &tx, true, loans);
		if (!rc)
			rc = move_payload(s, ep, &rx, false, loans);
		t1 = ipcb_now_ns();
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup) {
			ipcb_hist_record(h, (int64_t)(t1 - t0));
			if (timed)
				record_one_way(h_ba, &me, ipcb_msg_time(rx), t1);
			me.messages++;
		}
		rc = verify(s, ep, rx, i, &me.full_checks, loans, err);
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
		rc = move_payload(s, ep, &rx, false, loans);
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
		busy_work(s->work_ns);
		rc = move_payload(s, ep, &tx, true, loans);
		if (!rc && loans)
			rc = s->t->release(ep);
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
		if (i > s->warmup + 1 && deadline != UINT64_MAX && (i & clock_mask) == 0 &&
		    ipcb_now_ns() >= deadline)
			last = true;
		if (data && loans) {
			rc = loan_build(s, ep, &tx, stamp_seq(s, i), last);
			if (rc)
				return transport_fail(&ep->err, "", err);
		} else if (data) {
			ipcb_msg_stamp(tx, s->size_bytes, stamp_seq(s, i));
			if (last)
				ipcb_msg_mark_last(tx, s->size_bytes);
		}
		busy_work(s->work_ns);
		/* A sample of messages carries its send time: latency under load, at little cost.
		 */
		if (timed && i % RUN_STREAM_STAMP_EVERY == 0)
			ipcb_msg_set_time(tx, s->size_bytes, ipcb_now_ns());
		rc = move_payload(s, ep, &tx, true, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		if (i >= s->warmup)
			me.messages++;
		if (last)
			break;
	}
	me.t_last_ns = ipcb_now_ns();
	usage_store(&me, start);
	segments_mark(s, ep, &me, true);
	side_store(c, &me);
	return 0;
}

/* Side B in throughput mode: receive and check every message, timed first to last. */
IPCB_HOT static int stream_receiver(struct run_ctx *c, struct ipcb_ep *ep, void *rx, char *err)
{
	const struct ipcb_run_spec *s = c->spec;
	struct ipcb_hist *h_ow = run_hist(c->area, c->me->number, RUN_HIST_AB);
	uint64_t mark = s->warmup > 0 ? s->warmup - 1 : 0;
	bool timed = s->size_bytes >= IPCB_MSG_TIME_MIN;
	bool loans = run_loans(s);
	struct usage_mark start = {0, 0};
	struct run_side me = {0};
	int rc;

	for (uint64_t i = 0;; i++) {
		bool last;

		rc = move_payload(s, ep, &rx, false, loans);
		if (rc)
			return transport_fail(&ep->err, "", err);
		/* Read now: a loaned message is gone once checked. The check covers the mark. */
		last = ipcb_msg_is_last(rx, s->size_bytes, i);
		if (timed && i > mark && ipcb_msg_time(rx))
			record_one_way(h_ow, &me, ipcb_msg_time(rx), ipcb_now_ns());
		receiver_inject(s, rx, i);
		if (i == mark) {
			me.t_first_ns = ipcb_now_ns();
			start = usage_now();
		}
		rc = verify(s, ep, rx, i, &me.full_checks, loans, err);
		if (rc)
			return rc;
		busy_work(s->work_ns);
		if (i > mark)
			me.messages++;
		if (last) {
			me.t_last_ns = ipcb_now_ns();
			break;
		}
	}
	usage_store(&me, start);
	side_store(c, &me);
	return 0;
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
	struct ipcb_ep ep = {.chan = c->chan, .role = me_side->role, .index = me_side->index};
	const struct ipcb_chan_cfg *cfg = &c->chan->cfg;
	bool data = !(t->caps & IPCB_CAP_NO_DATA);
	struct ipcb_addr *all = NULL;
	void *tx = NULL, *rx = NULL;
	int rc;

	c->area = area_v;
	c->me = me_side;
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
					   .sender = all,
					   .receiver = all + cfg->senders};

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
	else if (s->mode == IPCB_MODE_LATENCY)
		rc = ep.role == IPCB_SENDER ? latency_sender(c, &ep, tx, rx, err)
					    : latency_echo(c, &ep, rx, err);
	else
		rc = ep.role == IPCB_SENDER ? stream_sender(c, &ep, tx, err)
					    : stream_receiver(c, &ep, rx, err);
	if (!rc)
		rc = ipcb_side_done();
	/* Stay until the other side has everything: closing early could discard data in flight. */
	if (!rc && ((s->mode == IPCB_MODE_THROUGHPUT && ep.role == IPCB_SENDER) ||
		    (!data && ep.role == IPCB_RECEIVER)))
		rc = ipcb_side_wait_end();
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s", strerror(-rc));
	c->area->side[me_side->number].cpu_seen = sched_getcpu();
close_ep:
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

/* What the sides measured, into the caller's result. */
static int run_collect(const struct ipcb_run_spec *s, struct run_area *area, unsigned senders,
		       struct ipcb_run_result *r)
{
	bool by_sender = s->mode == IPCB_MODE_LATENCY || (s->t->caps & IPCB_CAP_NO_DATA);
	uint64_t first = UINT64_MAX, last_ns = 0;
	int rc = 0;

	for (unsigned k = 0; k < area->nsides; k++) {
		const struct run_side *x = &area->side[k];
		bool sender = k < senders;

		r->cpu_s[!sender] += x->cpu_s;
		r->ctx_switches[!sender] += x->ctx_switches;
		r->full_checks += x->full_checks;
		r->clock_anomalies += x->clock_anomalies;
		if (k == 0 || k == senders)
			r->cpu_seen[!sender] = x->cpu_seen;
		if (sender) {
			r->segments += x->segments;
			r->segments_counted =
			    k == 0 ? x->segments_ok : r->segments_counted && x->segments_ok;
		}
		/*
		 * Latency is measured by the senders, throughput by the receivers. A transport
		 * that moves nothing has no receiving to time: its stream rate is the senders'
		 * loop, the harness cost.
		 */
		if (sender == by_sender) {
			r->messages += x->messages;
			if (x->t_first_ns < first)
				first = x->t_first_ns;
			if (x->t_last_ns > last_ns)
				last_ns = x->t_last_ns;
		}
		if (sender && s->mode == IPCB_MODE_LATENCY && !rc)
			rc = hist_gather(area, k, RUN_HIST_RTT, &r->hist);
		if (!sender && !rc)
			rc = hist_gather(area, k, RUN_HIST_AB, &r->one_way[0]);
		if (sender && !rc)
			rc = hist_gather(area, k, RUN_HIST_BA, &r->one_way[1]);
	}
	if (rc)
		return rc;
	r->elapsed_s = last_ns > first ? (double)(last_ns - first) / 1e9 : 0;
	/* Latency rows give round trips per second; only a stream's bytes per second is a rate. */
	if (r->elapsed_s > 0) {
		r->msgs_per_s = (double)r->messages / r->elapsed_s;
		if (s->mode == IPCB_MODE_THROUGHPUT && !(s->t->caps & IPCB_CAP_NO_DATA))
			r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
	}
	return 0;
}

int ipcb_run_one(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	/* Whole cache lines each: every side records into its own. */
	size_t hist_bytes =
	    (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	    ~(size_t)63;
	struct ipcb_chan chan = {.t = s->t, .cfg = s->cfg};
	struct run_ctx ctx = {.spec = s, .chan = &chan};
	struct ipcb_launch launch = {.timeout_s = s->timeout_s, .body = run_body, .arg = &ctx};
	char run_dir[4096] = "";
	unsigned nsides;
	size_t hist_off, area_bytes;
	struct run_area *area;
	int *cpus = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!chan.cfg.senders)
		chan.cfg.senders = 1;
	if (!chan.cfg.receivers)
		chan.cfg.receivers = 1;
	nsides = chan.cfg.senders + chan.cfg.receivers;
	hist_off = (sizeof(struct run_area) + nsides * sizeof(struct run_side) + 63) & ~(size_t)63;
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
		cpus[k] = s->cpu[k < chan.cfg.senders ? IPCB_SENDER : IPCB_RECEIVER];
		for (int h = 0; h < RUN_HISTS; h++)
			ipcb_hist_init(run_hist(area, k, (enum run_hist)h), hist_bytes,
				       IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	}
	run_tag(chan.tag, sizeof(chan.tag));
	if (s->t->chan_priv_bytes) {
		chan.priv = calloc(1, s->t->chan_priv_bytes);
		if (!chan.priv) {
			snprintf(r->error, sizeof(r->error), "calloc(channel state): %s",
				 strerror(ENOMEM));
			rc = -ENOMEM;
			goto unmap;
		}
	}
	/* Every path the run makes goes in a directory of its own, removed whole at the end. */
	if (s->t->caps & IPCB_CAP_USES_DIR) {
		rc = ipcb_rundir_create(s->cfg.dir ? s->cfg.dir : "/tmp", chan.tag, run_dir,
					sizeof(run_dir));
		if (rc) {
			snprintf(r->error, sizeof(r->error), "setup: mkdir %s/%s.d: %s",
				 s->cfg.dir ? s->cfg.dir : "/tmp", chan.tag, strerror(-rc));
			goto free_priv;
		}
		chan.cfg.run_dir = run_dir;
	}
	if (s->t->setup) {
		rc = s->t->setup(&chan);
		if (rc) {
			char text[IPCB_RUN_ERR_BYTES];

			transport_fail(&chan.err, "setup", text);
			snprintf(r->error, sizeof(r->error), "%s", text);
			goto teardown;
		}
	}
	r->buffer_bytes = chan.buffer_bytes;
	launch.senders = chan.cfg.senders;
	launch.receivers = chan.cfg.receivers;
	launch.cpu = cpus;
	launch.area = area;
	rc = ipcb_launch_run(&launch);
	r->signal = launch.signal;
	if (rc) {
		snprintf(r->error, sizeof(r->error), "%s", launch.error);
		goto teardown;
	}
	rc = run_collect(s, area, chan.cfg.senders, r);
	if (rc)
		snprintf(r->error, sizeof(r->error), "histogram copy: %s", strerror(-rc));
	if (!rc && r->messages == 0) {
		snprintf(r->error, sizeof(r->error), "no message was measured");
		rc = -ENODATA;
	}
teardown:
	if (s->t->teardown)
		s->t->teardown(&chan);
	/* After teardown, which may add what the endpoints saw (how many sends the kernel copied).
	 */
	chan.layout[sizeof(chan.layout) - 1] = '\0';
	snprintf(r->layout, sizeof(r->layout), "%s%s%s", run_loans(s) ? "zerocopy" : "",
		 run_loans(s) && chan.layout[0] ? "; " : "", chan.layout);
	if (run_dir[0])
		ipcb_rundir_remove(run_dir);
free_priv:
	free(chan.priv);
unmap:
	free(cpus);
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
	r->hist = r->one_way[0] = r->one_way[1] = NULL;
}
