/* SPDX-License-Identifier: MIT */
/* floor.c - the machine's floors, measured with the run engine; see floor.h. */
#include "floor.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "area.h"
#include "clock.h"
#include "format.h"
#include "futex.h"
#include "run.h"
#include "sharedcopy.h"
#include "topology.h"

/*
 * Launch the two sides of a floor, a sender and a receiver, on cpu[0] and cpu[1]; `what` names
 * their processes (ipcb-floor-snd, ipcb-clock-rcv).
 */
static int floor_launch(const struct ipcb_launcher *ln, const char *what, const int cpu[2],
			double timeout_s, ipcb_side_fn body, void *arg, void *area, char *error,
			size_t error_bytes, int *signal_out)
{
	struct ipcb_launch l = {.what = what,
				.senders = 1,
				.receivers = 1,
				.cpu = cpu,
				.timeout_s = timeout_s,
				.body = body,
				.arg = arg,
				.area = area};
	int rc = ln ? ln->run(ln, &l, NULL) : -EINVAL;

	snprintf(error, error_bytes, "%s", ln ? l.error : "no launcher for the floor's sides");
	*signal_out = l.signal;
	return rc;
}

struct floor_area {
	_Alignas(64) uint32_t turn; /* the bounced cache line: odd = A's move done, even = B's */
	/*
	 * Rounds in all, published by A before its last round, and read by B every round: nothing
	 * on its line may change while they run (A counts its rounds in a register and stores
	 * them here at the end), or each read would cost B a cache-line transfer inside the round
	 * trip, and the floor would hold a transfer that no transport has to pay.
	 */
	_Alignas(64) uint64_t total;
	uint64_t rounds; /* measured rounds */
	uint64_t t_first_ns, t_last_ns;
	double cpu_s[2];
	int cpu_seen[2];
	char err[IPCB_RUN_ERR_BYTES];
	_Alignas(64) unsigned char hist[];
};

enum floor_wait {
	FLOOR_SPIN,  /* poll the line (yielding the CPU when both sides share one) */
	FLOOR_FUTEX, /* sleep in FUTEX_WAIT until the other side's FUTEX_WAKE */
};

struct floor_arg {
	const struct ipcb_run_spec *spec;
	enum floor_wait wait;
};

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Wait for the turn word to reach `want`. */
IPCB_HOT static int turn_await(uint32_t *turn, uint32_t want, enum floor_wait wait, bool same_cpu)
{
	uint32_t seen;

	while ((seen = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != want) {
		if (wait == FLOOR_FUTEX) {
			int rc = ipcb_futex_wait(turn, seen);

			if (rc < 0)
				return rc;
		} else if (same_cpu) {
			/* A spinner would keep the only CPU for a whole time slice. */
			sched_yield();
		} else {
			ipcb_cpu_relax();
		}
	}
	return 0;
}

IPCB_HOT static int turn_give(uint32_t *turn, uint32_t value, enum floor_wait wait)
{
	__atomic_store_n(turn, value, __ATOMIC_RELEASE);
	return wait == FLOOR_FUTEX ? ipcb_futex_wake(turn, 1) : 0;
}

IPCB_HOT static int pingpong_body(const struct ipcb_side *me, void *arg_v, void *area_v, char *err)
{
	int role = me->role;
	const struct floor_arg *arg = arg_v;
	const struct ipcb_run_spec *s = arg->spec;
	struct floor_area *a = area_v;
	struct ipcb_hist *h = (struct ipcb_hist *)a->hist;
	uint64_t total = s->messages ? s->warmup + s->messages : UINT64_MAX;
	uint64_t deadline = UINT64_MAX, t0, t1 = 0, rounds = 0;
	bool same_cpu = s->cpu[0] >= 0 && s->cpu[0] == s->cpu[1];
	double cpu0 = 0;
	int rc = me->ops->ready();

	for (uint64_t i = 0; rc == 0; i++) {
		uint32_t mine = (uint32_t)(2 * i + 1), theirs = (uint32_t)(2 * i + 2);
		bool last = i + 1 == total;

		if (i == s->warmup) {
			cpu0 = cpu_seconds();
			a->t_first_ns = ipcb_now_ns();
			if (s->duration_s > 0)
				deadline = a->t_first_ns + (uint64_t)(s->duration_s * 1e9);
		}
		if (role == IPCB_SENDER) {
			if (i > s->warmup && t1 >= deadline)
				last = true;
			if (last)
				__atomic_store_n(&a->total, i + 1, __ATOMIC_SEQ_CST);
			t0 = ipcb_now_ns();
			rc = turn_give(&a->turn, mine, arg->wait);
			if (rc >= 0)
				rc = turn_await(&a->turn, theirs, arg->wait, same_cpu);
			t1 = ipcb_now_ns();
			if (i >= s->warmup) {
				ipcb_hist_record(h, (int64_t)(t1 - t0));
				rounds++;
			}
		} else {
			uint64_t tot;

			rc = turn_await(&a->turn, mine, arg->wait, same_cpu);
			tot = __atomic_load_n(&a->total, __ATOMIC_ACQUIRE);
			if (rc >= 0)
				rc = turn_give(&a->turn, theirs, arg->wait);
			last = tot && i + 1 >= tot;
		}
		rc = rc < 0 ? rc : 0;
		if (last)
			break;
	}
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex: %s", strerror(-rc));
		return rc;
	}
	if (role == IPCB_SENDER) {
		a->t_last_ns = t1;
		a->rounds = rounds;
	}
	a->cpu_s[role] = cpu_seconds() - cpu0;
	a->cpu_seen[role] = sched_getcpu();
	return 0;
}

static int floor_pingpong(const struct ipcb_run_spec *s, enum floor_wait wait,
			  struct ipcb_run_result *r)
{
	size_t hist_bytes = ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	size_t area_bytes = sizeof(struct floor_area) + hist_bytes;
	struct floor_arg arg = {.spec = s, .wait = wait};
	struct floor_area *a;
	int rc;

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(area_bytes);
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(floor area): %s", strerror(errno));
		return -ENOMEM;
	}
	ipcb_hist_init((struct ipcb_hist *)a->hist, hist_bytes, IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST,
		       IPCB_HIST_SIGFIGS);
	rc = floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, pingpong_body, &arg, a,
			  r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->rounds;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		r->msgs_per_s = r->elapsed_s > 0 ? (double)r->messages / r->elapsed_s : 0;
		r->cpu_s[0] = a->cpu_s[0];
		r->cpu_s[1] = a->cpu_s[1];
		r->cpu_seen[0] = a->cpu_seen[0];
		r->cpu_seen[1] = a->cpu_seen[1];
		rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS,
				      &r->hist);
		if (!rc)
			rc = ipcb_hist_add(r->hist, (struct ipcb_hist *)a->hist);
	}
	ipcb_run_area_unmap(a, area_bytes);
	return rc;
}

int ipcb_floor_cacheline(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	return floor_pingpong(s, FLOOR_SPIN, r);
}

int ipcb_floor_futex(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	return floor_pingpong(s, FLOOR_FUTEX, r);
}

/* ---- clock agreement ------------------------------------------------------------------------ */

#define CLOCK_ROUNDS 2000

/*
 * The receiver's reading shares the turn's line, so the one transfer that hands the turn back
 * brings it too; the sender's bounds are its own until the end. A bound written every exchange
 * on a line the receiver writes would add a transfer inside each exchange and widen the
 * bounds.
 */
struct clock_area {
	_Alignas(64) uint32_t turn;
	uint64_t t2; /* the receiver's reading in the current exchange */
	_Alignas(64) int64_t lo, hi;
	uint64_t rounds;
};
_Static_assert(offsetof(struct clock_area, t2) / 64 == offsetof(struct clock_area, turn) / 64 &&
		   offsetof(struct clock_area, lo) / 64 != offsetof(struct clock_area, t2) / 64,
	       "the reading rides on the turn's line, the bounds on a line of their own");

static int clock_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	int role = me->role;
	struct clock_area *a = area_v;
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	int rc = me->ops->ready();

	(void)arg;
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
		return rc;
	}
	for (uint32_t i = 0; i < CLOCK_ROUNDS; i++) {
		uint32_t mine = 2 * i + 1, theirs = 2 * i + 2;

		if (role == IPCB_SENDER) {
			uint64_t t1 = ipcb_now_ns(), t2, t3;

			turn_give(&a->turn, mine, FLOOR_SPIN);
			turn_await(&a->turn, theirs, FLOOR_SPIN, false);
			t3 = ipcb_now_ns();
			t2 = __atomic_load_n(&a->t2, __ATOMIC_ACQUIRE);
			if ((int64_t)(t2 - t3) > lo)
				lo = (int64_t)(t2 - t3);
			if ((int64_t)(t2 - t1) < hi)
				hi = (int64_t)(t2 - t1);
		} else {
			turn_await(&a->turn, mine, FLOOR_SPIN, false);
			__atomic_store_n(&a->t2, ipcb_now_ns(), __ATOMIC_RELEASE);
			turn_give(&a->turn, theirs, FLOOR_SPIN);
		}
	}
	if (role == IPCB_SENDER) {
		a->lo = lo;
		a->hi = hi;
		a->rounds = CLOCK_ROUNDS;
	}
	return 0;
}

int ipcb_clock_check(const struct ipcb_launcher *ln, const int cpu[2], double timeout_s,
		     struct ipcb_clock_check *out, char *error, size_t error_bytes)
{
	struct clock_area *a;
	int rc;

	memset(out, 0, sizeof(*out));
	/* One CPU reads one clock: there is nothing to disagree. */
	if (cpu[0] >= 0 && cpu[0] == cpu[1]) {
		out->consistent = true;
		return 0;
	}
	a = ipcb_run_area_map(sizeof(*a));
	if (!a) {
		snprintf(error, error_bytes, "mmap(clock check area): %s", strerror(errno));
		return -ENOMEM;
	}
	rc = floor_launch(ln, "clock", cpu, timeout_s, clock_body, NULL, a, error, error_bytes,
			  &out->signal);
	if (rc == 0) {
		out->lo_ns = a->lo;
		out->hi_ns = a->hi;
		out->rounds = a->rounds;
		out->consistent = a->lo <= 0 && a->hi >= 0;
		out->bound_ns = -a->lo > a->hi ? -a->lo : a->hi;
	}
	ipcb_run_area_unmap(a, sizeof(*a));
	return rc;
}

/*
 * A floor is what the machine allows, and the host may hold a guest's CPU up for milliseconds in
 * the middle of a floor's run of a few: on the 2-vCPU KVM guests one such hold in a 20 ms run
 * of the cross-CPU copy took one round's 64 KiB ceiling to 3.1 GB/s (25-47 GB/s in the other
 * rounds), while that round's rows streamed at up to 35 GB/s. So a floor that copies or calls in
 * batches times each batch into a histogram and takes its rate from the batches that were not
 * held (BATCH_HELD): a few held batches do not move it, a machine slower throughout moves it
 * all. Full batches only; a run with none (a count too small for one) keeps its whole run's
 * rate.
 */
static size_t batches_bytes(void)
{
	return (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	       ~(size_t)63;
}

static void batches_init(struct ipcb_hist *h)
{
	ipcb_hist_init(h, batches_bytes(), IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
}

/* A batch this many times its median's time was held up by the host, not slowed by the work. */
#define BATCH_HELD 4

/*
 * Operations a second over the batches not held up (ops each); 0 when no batch was timed. Their
 * mean, not their median: a run's rows pay a timer's tick or a cold line now and then, and so
 * does the ceiling they are held against.
 */
static double batches_rate(const struct ipcb_hist *h, uint64_t ops)
{
	int64_t p50 = ipcb_hist_total(h) > 0 ? ipcb_hist_value_at_percentile(h, 50) : 0;
	double mean = p50 > 0 ? ipcb_hist_mean_below(h, BATCH_HELD * p50, NULL) : 0;

	return mean > 0 ? (double)ops * 1e9 / mean : 0;
}

/* The bytes copied between two clock reads of the memcpy floor. */
#define MEMCPY_BATCH_BYTES 65536

/* What the memcpy floor's sides are handed: the run, and where the destination lies. */
struct memcpy_arg {
	const struct ipcb_run_spec *s;
	size_t dst_offset; /* bytes past the source's offset in its page (mod 4 KiB) */
};

/* What a floor on one CPU (memcpy, a system call) hands back: its operations and their time. */
struct one_cpu_area {
	uint64_t ops; /* operations done: copies, calls */
	uint64_t t_first_ns, t_last_ns;
	double cpu_s;
	int cpu_seen;
	uint64_t batch_ops;		      /* operations a full batch, each timed into batches */
	_Alignas(64) unsigned char batches[]; /* the histogram of full batches' times, ns */
};

/*
 * Run a floor whose sender alone works (body, with arg) and fill r with its operations' count,
 * rate and CPU; `what` names it in an error. Same return convention as ipcb_run_one.
 */
static int one_cpu_floor(const struct ipcb_run_spec *s,
			 int (*body)(const struct ipcb_side *, void *, void *, char *), void *arg,
			 const char *what, struct ipcb_run_result *r)
{
	struct one_cpu_area *a;
	int rc;

	size_t bytes = sizeof(*a) + batches_bytes();

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(bytes);
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(%s floor area): %s", what,
			 strerror(errno));
		return -ENOMEM;
	}
	batches_init((struct ipcb_hist *)a->batches);
	rc = floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, body, arg, a, r->error,
			  sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->ops;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		r->msgs_per_s = batches_rate((struct ipcb_hist *)a->batches, a->batch_ops);
		if (r->msgs_per_s <= 0 && r->elapsed_s > 0)
			r->msgs_per_s = (double)a->ops / r->elapsed_s;
		r->cpu_s[0] = a->cpu_s;
		r->cpu_seen[0] = a->cpu_seen;
		r->cpu_seen[1] = -1;
		if (a->ops == 0) {
			snprintf(r->error, sizeof(r->error), "no %s completed", what);
			rc = -ENODATA;
		}
	}
	ipcb_run_area_unmap(a, bytes);
	return rc;
}

IPCB_HOT static int memcpy_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	int role = me->role;
	const struct memcpy_arg *m = arg;
	const struct ipcb_run_spec *s = m->s;
	struct one_cpu_area *a = area_v;
	size_t n = s->size_bytes, dst_map = n + m->dst_offset;
	unsigned char *src, *dst_base, *dst;
	uint64_t deadline, limit = s->messages ? s->messages : UINT64_MAX, now, batch;
	double cpu0;
	int rc = me->ops->ready();

	if (rc || role != IPCB_SENDER)
		return rc;
	/* Both page-aligned: the destination then lies dst_offset bytes past the source, mod 4K. */
	src = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst_base = mmap(NULL, dst_map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst_base == MAP_FAILED) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(two %zu-byte buffers): %s", n,
			 strerror(errno));
		return -ENOMEM;
	}
	dst = dst_base + m->dst_offset;
	memset(src, 0x5a, n);
	memset(dst, 0, n);
	for (uint64_t i = 0; i < s->warmup; i++)
		memcpy(dst, src, n);
	cpu0 = cpu_seconds();
	a->t_first_ns = now = ipcb_now_ns();
	deadline = s->duration_s > 0 ? now + (uint64_t)(s->duration_s * 1e9) : UINT64_MAX;
	/*
	 * A clock read costs about what a 64-byte copy does: read it once per batch of about
	 * 64 KiB copied, so the figure is the copy's and not the clock's.
	 */
	a->batch_ops = batch = n && n < MEMCPY_BATCH_BYTES ? MEMCPY_BATCH_BYTES / n : 1;
	while (a->ops < limit && now < deadline) {
		uint64_t k = batch < limit - a->ops ? batch : limit - a->ops, t0 = ipcb_now_ns();

		for (uint64_t i = 0; i < k; i++) {
			memcpy(dst, src, n);
			/* Keep the copy from being optimised away or merged with the next one. */
			__asm__ __volatile__("" : : "r"(dst) : "memory");
		}
		a->ops += k;
		now = ipcb_now_ns();
		if (k == batch)
			ipcb_hist_record((struct ipcb_hist *)a->batches, (int64_t)(now - t0));
	}
	a->t_last_ns = now;
	a->cpu_s = cpu_seconds() - cpu0;
	a->cpu_seen = sched_getcpu();
	munmap(src, n);
	munmap(dst_base, dst_map);
	return 0;
}

int ipcb_floor_memcpy(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	return ipcb_floor_memcpy_at(s, 0, r);
}

int ipcb_floor_memcpy_at(const struct ipcb_run_spec *s, size_t dst_offset,
			 struct ipcb_run_result *r)
{
	struct memcpy_arg m = {.s = s, .dst_offset = dst_offset % 4096};
	int rc = one_cpu_floor(s, memcpy_body, &m, "copy", r);

	if (rc == 0) {
		r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
		snprintf(r->layout, sizeof(r->layout),
			 "copy: destination %zu bytes past the source, modulo 4 KiB", m.dst_offset);
	}
	return rc;
}

/* ---- mailbox: the simplest verified-size handshake a shared-memory transport could make ---- */

/*
 * One mailbox per direction and message: a sequence word on a line of its own, the payload from
 * the next line on (a multiple of 64 bytes past the sides' page-aligned buffers, where floor-cliff
 * finds copies fast, and not 8, where some CPUs copy many times slower). The writer copies a
 * message in pieces of MAILBOX_PIECE bytes and counts each piece in the word as it lands; the
 * reader copies each piece out once it is counted, so that a large message's copy out overlaps
 * its copy in, as a ring handing messages over in pieces does. Every copy is ipcb_shared_copy(),
 * the shared-memory transports' own (glibc's `rep movsb` is slow across CPUs on some). No
 * indices, no flow control: a ping-pong needs none, since an answer means the message was taken:
 * the simplest round trip of a payload through memory both sides map.
 * Where its lines were last touched decides how fast a message crosses, so the floor runs two
 * layouts, each for half its time, and keeps the faster (the row's layout says which):
 * - one box a way, which every message rewrites: a message of a line or two crosses in the lines
 *   both sides already hold (64 B on an AMD EPYC guest: 120 ns, against 170 in the other);
 * - boxes spread over the machine's turnover area a way (ipcb_topo_turnover_bytes()), message i
 *   in box i modulo their number, each starting on a page of its own (a CPU's prefetchers run to
 *   the end of a page, and would pull the next box's lines into the reader's cache): a larger
 *   message lands on lines neither side has touched of late, where in one box the writer first
 *   takes back every line the other side has just read (the EPYC guest's 4 KiB round trip: 0.56
 *   us against 0.73-0.77, 64 KiB 4.4 against 16.2).
 */
#define MAILBOX_PIECE IPCB_FLOOR_MAILBOX_WHOLE

struct mailbox {
	_Alignas(64) uint64_t seq; /* pieces counted so far in this box, over every message */
	_Alignas(64) unsigned char data[];
};

struct mailbox_area {
	_Alignas(64) uint64_t total; /* as floor_area's: unchanged while the rounds run */
	uint64_t rounds;
	uint64_t t_first_ns, t_last_ns;
	double cpu_s[2];
	int cpu_seen[2];
	size_t box_bytes;		      /* one mailbox, header included, a multiple of 64 */
	size_t nbox;			      /* boxes a way */
	_Alignas(4096) unsigned char boxes[]; /* A -> B's, B -> A's, then the histogram */
};

/* Direction k's box for message i. */
static struct mailbox *mailbox_at(struct mailbox_area *a, int k, uint64_t i)
{
	size_t box = (size_t)k * a->nbox + (size_t)(i % a->nbox);

	return (struct mailbox *)(a->boxes + box * a->box_bytes);
}

static void mailbox_await(struct mailbox *m, uint64_t want, bool same_cpu)
{
	while (__atomic_load_n(&m->seq, __ATOMIC_ACQUIRE) < want) {
		if (same_cpu)
			sched_yield();
		else
			ipcb_cpu_relax();
	}
}

/* Message i's n bytes into m, piece by piece, each counted as it lands (pieces a message). */
static void mailbox_put(struct mailbox *m, const unsigned char *buf, size_t n, uint64_t i,
			uint64_t pieces)
{
	for (uint64_t j = 0; j < pieces; j++) {
		size_t off = (size_t)j * MAILBOX_PIECE;

		ipcb_shared_copy(m->data + off, buf + off,
				 n - off < MAILBOX_PIECE ? n - off : MAILBOX_PIECE);
		__atomic_store_n(&m->seq, i * pieces + j + 1, __ATOMIC_RELEASE);
	}
}

/* Message i's n bytes out of m, each piece once it is counted. */
static void mailbox_get(struct mailbox *m, unsigned char *buf, size_t n, uint64_t i,
			uint64_t pieces, bool same_cpu)
{
	for (uint64_t j = 0; j < pieces; j++) {
		size_t off = (size_t)j * MAILBOX_PIECE;

		mailbox_await(m, i * pieces + j + 1, same_cpu);
		ipcb_shared_copy(buf + off, m->data + off,
				 n - off < MAILBOX_PIECE ? n - off : MAILBOX_PIECE);
	}
}

static int mailbox_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	int role = me->role;
	const struct ipcb_run_spec *s = arg;
	struct mailbox_area *a = area_v;
	struct ipcb_hist *h = (struct ipcb_hist *)(a->boxes + 2 * a->nbox * a->box_bytes);
	size_t n = s->size_bytes;
	uint64_t pieces = n ? (n + MAILBOX_PIECE - 1) / MAILBOX_PIECE : 1;
	uint64_t total = s->messages ? s->warmup + s->messages : UINT64_MAX;
	uint64_t deadline = UINT64_MAX, t0, t1 = 0, rounds = 0;
	bool same_cpu = s->cpu[0] >= 0 && s->cpu[0] == s->cpu[1];
	unsigned char *buf =
	    mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double cpu0 = 0;
	int rc;

	if (buf == MAP_FAILED) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(%zu-byte buffer): %s", n, strerror(errno));
		return -ENOMEM;
	}
	memset(buf, 0x5a, n);
	/*
	 * Spread boxes: every box this side writes is written once before the start, so that its
	 * pages are faulted in and, by the time a message comes to it, its lines have left both
	 * sides' private caches, as in every later pass: the first pass is timed as the next ones
	 * are. A warm-up of a round trip a box would do the same, but on a busy machine, where each
	 * trip waits for the other side's turn of its CPU, 32 Ki of them take half a minute.
	 */
	if (a->nbox > 1)
		memset(a->boxes + (size_t)(role != IPCB_SENDER) * a->nbox * a->box_bytes, 0,
		       a->nbox * a->box_bytes);
	rc = me->ops->ready();
	for (uint64_t i = 0; rc == 0; i++) {
		bool last = i + 1 == total;
		struct mailbox *in = mailbox_at(a, role == IPCB_SENDER, i),
			       *out = mailbox_at(a, role != IPCB_SENDER, i);

		if (i == s->warmup) {
			cpu0 = cpu_seconds();
			a->t_first_ns = ipcb_now_ns();
			if (s->duration_s > 0)
				deadline = a->t_first_ns + (uint64_t)(s->duration_s * 1e9);
		}
		if (role == IPCB_SENDER) {
			if (i > s->warmup && t1 >= deadline)
				last = true;
			if (last)
				__atomic_store_n(&a->total, i + 1, __ATOMIC_SEQ_CST);
			t0 = ipcb_now_ns();
			mailbox_put(out, buf, n, i, pieces);
			mailbox_get(in, buf, n, i, pieces, same_cpu);
			t1 = ipcb_now_ns();
			if (i >= s->warmup) {
				ipcb_hist_record(h, (int64_t)(t1 - t0));
				rounds++;
			}
		} else {
			uint64_t tot;

			mailbox_get(in, buf, n, i, pieces, same_cpu);
			tot = __atomic_load_n(&a->total, __ATOMIC_ACQUIRE);
			mailbox_put(out, buf, n, i, pieces);
			last = tot && i + 1 >= tot;
		}
		if (last)
			break;
	}
	if (role == IPCB_SENDER) {
		a->t_last_ns = t1;
		a->rounds = rounds;
	}
	a->cpu_s[role] = cpu_seconds() - cpu0;
	a->cpu_seen[role] = sched_getcpu();
	munmap(buf, n);
	if (rc)
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
	return rc;
}

/* One layout's run: nbox boxes of box_bytes a way. */
static int mailbox_run(const struct ipcb_run_spec *s, size_t nbox, size_t box_bytes,
		       struct ipcb_run_result *r)
{
	size_t hist_bytes = ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	size_t area_bytes = sizeof(struct mailbox_area) + 2 * nbox * box_bytes + hist_bytes;
	struct mailbox_area *a;
	struct ipcb_hist *h;
	int rc;

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(area_bytes);
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(mailbox floor area of %zu bytes): %s",
			 area_bytes, strerror(errno));
		return -ENOMEM;
	}
	a->box_bytes = box_bytes;
	a->nbox = nbox;
	h = (struct ipcb_hist *)(a->boxes + 2 * nbox * box_bytes);
	ipcb_hist_init(h, hist_bytes, IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	rc = floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, mailbox_body, (void *)s, a,
			  r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->rounds;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		r->msgs_per_s = r->elapsed_s > 0 ? (double)r->messages / r->elapsed_s : 0;
		r->cpu_s[0] = a->cpu_s[0];
		r->cpu_s[1] = a->cpu_s[1];
		r->cpu_seen[0] = a->cpu_seen[0];
		r->cpu_seen[1] = a->cpu_seen[1];
		r->buffer_bytes = 2 * nbox * box_bytes;
		rc = ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS,
				      &r->hist);
		if (!rc)
			rc = ipcb_hist_add(r->hist, h);
		if (!rc && r->messages == 0) {
			snprintf(r->error, sizeof(r->error), "no round trip was measured");
			rc = -ENODATA;
		}
	}
	ipcb_run_area_unmap(a, area_bytes);
	return rc;
}

int ipcb_floor_mailbox(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	struct ipcb_run_spec half = *s;
	struct ipcb_run_result spread;
	size_t box_bytes = (offsetof(struct mailbox, data) + s->size_bytes + 63) & ~(size_t)63;
	size_t turnover = ipcb_topo_turnover_bytes(ipcb_topo_this_private_bytes());
	/* The spread boxes: a page apart where a box is more than the two lines a pair moves. */
	size_t paged = box_bytes > 128 ? (box_bytes + 4095) & ~(size_t)4095 : 128;
	size_t nbox = turnover / paged < 2 ? 2 : turnover / paged;
	char sz[16];
	int rc;

	if (half.duration_s > 0)
		half.duration_s /= 2;
	rc = mailbox_run(&half, 1, box_bytes, r);
	if (rc)
		return rc;
	snprintf(r->layout, sizeof(r->layout), "mailbox: one box a way");
	rc = mailbox_run(&half, nbox, paged, &spread);
	if (rc) {
		ipcb_run_result_fini(r);
		*r = spread;
		return rc;
	}
	/* The faster of the two: the one whose middle round trip is shorter. */
	if (ipcb_hist_value_at_percentile(spread.hist, 50) <
	    ipcb_hist_value_at_percentile(r->hist, 50)) {
		ipcb_run_result_fini(r);
		*r = spread;
		ipcb_format_size(nbox * paged, sz, sizeof(sz));
		snprintf(r->layout, sizeof(r->layout), "mailbox: %zu boxes a way over %s%s", nbox,
			 sz, paged >= 4096 ? ", each on pages of its own" : "");
	} else {
		ipcb_run_result_fini(&spread);
	}
	return 0;
}

/* ---- cross-core copy: reading what the other CPU has just written ---------------------------- */

/*
 * A writes a batch of messages (fresh bytes each round, so the lines are modified in A's cache),
 * then hands the batch to B; B copies every message of the batch out into its own buffer, timing
 * only its copies, and hands the buffers back. Batches hold at least 1 MiB (one message when
 * messages are that big), so two clock reads and the copy's first misses, before the hardware
 * prefetchers follow it, are a small part of what they time, as in a long stream. The rate is
 * what one CPU copying messages out of another CPU's cache can reach: the ceiling of a stream
 * whose reader copies every message once, as every copying shared-memory transport's does.
 */
#define XCOPY_BATCH_BYTES (1024u * 1024)

struct xcopy_area {
	_Alignas(64) uint32_t turn; /* odd: the batch is written, B's turn; even: A's turn */
	_Alignas(64) uint64_t stop; /* A sets it when the duration or count is reached */
	uint64_t copies;
	uint64_t copy_ns; /* B's time inside its copies */
	double cpu_s;
	int cpu_seen[2];
	size_t batch;
	_Alignas(64) unsigned char bufs[]; /* the batch's messages, then its batches' histogram */
};

/* The histogram of B's batches' copy times (ns), after the batch's messages. */
static struct ipcb_hist *xcopy_batches(struct xcopy_area *a, size_t stride)
{
	return (struct ipcb_hist *)(a->bufs + a->batch * stride);
}

static int xcopy_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	int role = me->role;
	const struct ipcb_run_spec *s = arg;
	struct xcopy_area *a = area_v;
	size_t n = s->size_bytes, stride = (n + 63) & ~(size_t)63;
	uint64_t limit = s->messages ? s->messages : UINT64_MAX, deadline = UINT64_MAX;
	unsigned char *dst = NULL;
	double cpu0 = 0;
	int rc;

	if (role == IPCB_RECEIVER) {
		dst = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(%zu-byte buffer): %s", n,
				 strerror(errno));
			return -ENOMEM;
		}
		memset(dst, 0, n);
	}
	rc = me->ops->ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
		return rc;
	}
	for (uint32_t round = 0;; round++) {
		uint32_t written = 2 * round + 1, taken = 2 * round + 2;

		if (role == IPCB_SENDER) {
			uint64_t now = ipcb_now_ns();

			if (round == 1)
				deadline = s->duration_s > 0 ? now + (uint64_t)(s->duration_s * 1e9)
							     : UINT64_MAX;
			if (now >= deadline || a->copies >= limit)
				__atomic_store_n(&a->stop, 1, __ATOMIC_RELAXED);
			for (size_t k = 0; k < a->batch; k++)
				memset(a->bufs + k * stride, (int)(round & 0xff), n);
			__atomic_store_n(&a->turn, written, __ATOMIC_RELEASE);
			while (__atomic_load_n(&a->turn, __ATOMIC_ACQUIRE) != taken)
				ipcb_cpu_relax();
			if (__atomic_load_n(&a->stop, __ATOMIC_RELAXED))
				break;
		} else {
			uint64_t t0, t1;

			while (__atomic_load_n(&a->turn, __ATOMIC_ACQUIRE) != written)
				ipcb_cpu_relax();
			if (round == 1)
				cpu0 = cpu_seconds();
			t0 = ipcb_now_ns();
			for (size_t k = 0; k < a->batch; k++) {
				memcpy(dst, a->bufs + k * stride, n);
				__asm__ __volatile__("" : : "r"(dst) : "memory");
			}
			t1 = ipcb_now_ns();
			/* Round 0 warms the caches and the page tables up. */
			if (round > 0) {
				a->copy_ns += t1 - t0;
				a->copies += a->batch;
				ipcb_hist_record(xcopy_batches(a, stride), (int64_t)(t1 - t0));
			}
			if (__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
				__atomic_store_n(&a->turn, taken, __ATOMIC_RELEASE);
				break;
			}
			__atomic_store_n(&a->turn, taken, __ATOMIC_RELEASE);
		}
	}
	if (role == IPCB_RECEIVER) {
		a->cpu_s = cpu_seconds() - cpu0;
		munmap(dst, n);
	}
	a->cpu_seen[role] = sched_getcpu();
	return 0;
}

int ipcb_floor_xcopy(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	size_t stride = (s->size_bytes + 63) & ~(size_t)63;
	size_t batch = s->size_bytes >= XCOPY_BATCH_BYTES ? 1 : XCOPY_BATCH_BYTES / s->size_bytes;
	size_t area_bytes = sizeof(struct xcopy_area) + batch * stride + batches_bytes();
	struct xcopy_area *a;
	int rc;

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(area_bytes);
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(cross-core copy area): %s",
			 strerror(errno));
		return -ENOMEM;
	}
	a->batch = batch;
	batches_init(xcopy_batches(a, stride));
	rc = floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, xcopy_body, (void *)s, a,
			  r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->copies;
		r->elapsed_s = (double)a->copy_ns / 1e9;
		r->msgs_per_s = batches_rate(xcopy_batches(a, stride), batch);
		r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
		r->cpu_s[1] = a->cpu_s;
		r->cpu_seen[0] = a->cpu_seen[0];
		r->cpu_seen[1] = a->cpu_seen[1];
		r->buffer_bytes = batch * stride;
		if (a->copies == 0) {
			snprintf(r->error, sizeof(r->error), "no copy completed");
			rc = -ENODATA;
		}
	}
	ipcb_run_area_unmap(a, area_bytes);
	return rc;
}

/* ---- system call: the cheapest entry into the kernel and back ------------------------------- */

/*
 * One CPU calling getppid(2) in a loop: a system call that takes no lock and touches nothing of
 * the caller's, so its time is the kernel's entry and exit alone (the mitigations a kernel or a
 * hypervisor adds included: about 170 ns on the AMD EPYC guest, several times a bare CPU's). A
 * mechanism whose every message takes system calls (an eventfd's write and read, a semop each
 * side) is bound by as many of these; what its calls do beyond entering the kernel is its own.
 * Through syscall(2), not glibc's wrapper, which a libc may answer from a cache.
 */
#define SYSCALL_BATCH 256u

static int syscall_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	const struct ipcb_run_spec *s = arg;
	struct one_cpu_area *a = area_v;
	uint64_t deadline, limit = s->messages ? s->messages : UINT64_MAX, now;
	double cpu0;
	int rc = me->ops->ready();

	(void)err;
	if (rc || me->role != IPCB_SENDER)
		return rc;
	for (uint64_t i = 0; i < s->warmup; i++)
		syscall(SYS_getppid);
	cpu0 = cpu_seconds();
	a->t_first_ns = now = ipcb_now_ns();
	deadline = s->duration_s > 0 ? now + (uint64_t)(s->duration_s * 1e9) : UINT64_MAX;
	a->batch_ops = SYSCALL_BATCH;
	while (a->ops < limit && now < deadline) {
		uint64_t k = SYSCALL_BATCH < limit - a->ops ? SYSCALL_BATCH : limit - a->ops,
			 t0 = ipcb_now_ns();

		for (uint64_t i = 0; i < k; i++)
			syscall(SYS_getppid);
		a->ops += k;
		now = ipcb_now_ns();
		if (k == SYSCALL_BATCH)
			ipcb_hist_record((struct ipcb_hist *)a->batches, (int64_t)(now - t0));
	}
	a->t_last_ns = now;
	a->cpu_s = cpu_seconds() - cpu0;
	a->cpu_seen = sched_getcpu();
	return 0;
}

int ipcb_floor_syscall(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	int rc = one_cpu_floor(s, syscall_body, (void *)s, "system call", r);

	if (rc == 0)
		snprintf(r->layout, sizeof(r->layout), "getppid(2) through syscall(2), one CPU");
	return rc;
}

/* ---- hand-over: a stream of messages, each announced on a line of its own -------------------- */

/*
 * A writes messages of one cache line each, a sequence word and 56 bytes of payload, into a ring
 * of such lines; B spins on each next line's word, copies the payload out and, every
 * HANDOVER_BATCH messages, says how far it has read (A looks only when its own count says the
 * ring may be full). Nothing else: no wake-ups, no header apart from the payload, no index read
 * at each message. What B reaches is the rate at which one CPU can take messages, one by one and
 * in order, from the other's cache: the ceiling of a stream of messages of up to a line, which
 * a stream of larger ones also pays once a message beside its copy.
 */
#define HANDOVER_RING_BYTES (1024u * 1024)
#define HANDOVER_BATCH	    16u
#define HANDOVER_LAST	    (1ull << 63)

struct handover_area {
	_Alignas(64) uint64_t read; /* B: messages read, published every HANDOVER_BATCH */
	_Alignas(64) uint64_t messages;
	uint64_t t_first_ns, t_last_ns;
	double cpu_s[2];
	int cpu_seen[2];
	_Alignas(4096) unsigned char lines[HANDOVER_RING_BYTES];
};

static int handover_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	const uint64_t nlines = HANDOVER_RING_BYTES / 64;
	const struct ipcb_run_spec *s = arg;
	struct handover_area *a = area_v;
	unsigned char payload[56];
	uint64_t limit = s->messages ? s->warmup + s->messages : UINT64_MAX, deadline = UINT64_MAX;
	uint64_t read_seen = 0;
	double cpu0;
	int rc;

	memset(payload, 0x5a, sizeof(payload));
	rc = me->ops->ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
		return rc;
	}
	cpu0 = cpu_seconds();
	for (uint64_t i = 0;; i++) {
		unsigned char *line = a->lines + (i % nlines) * 64;

		if (me->role == IPCB_SENDER) {
			uint64_t word = i + 1;

			if (i == s->warmup && s->duration_s > 0)
				deadline = ipcb_now_ns() + (uint64_t)(s->duration_s * 1e9);
			if (i - read_seen >= nlines)
				while (
				    i - (read_seen = __atomic_load_n(&a->read, __ATOMIC_ACQUIRE)) >=
				    nlines)
					ipcb_cpu_relax();
			if (i + 1 >= limit ||
			    (i > s->warmup && (i & 1023) == 0 && ipcb_now_ns() >= deadline))
				word |= HANDOVER_LAST;
			memcpy(line + 8, payload, sizeof(payload));
			__atomic_store_n((uint64_t *)line, word, __ATOMIC_RELEASE);
			if (word & HANDOVER_LAST)
				break;
		} else {
			uint64_t word;

			while (((word = __atomic_load_n((uint64_t *)line, __ATOMIC_ACQUIRE)) &
				~HANDOVER_LAST) != i + 1)
				ipcb_cpu_relax();
			memcpy(payload, line + 8, sizeof(payload));
			__asm__ __volatile__("" : : "r"(payload) : "memory");
			/* Timed from the first message after the warm-up to the last. */
			if (i == s->warmup)
				a->t_first_ns = ipcb_now_ns();
			if ((i + 1) % HANDOVER_BATCH == 0)
				__atomic_store_n(&a->read, i + 1, __ATOMIC_RELEASE);
			if (word & HANDOVER_LAST) {
				a->t_last_ns = ipcb_now_ns();
				a->messages = i > s->warmup ? i - s->warmup : 0;
				break;
			}
		}
	}
	a->cpu_s[me->role] = cpu_seconds() - cpu0;
	a->cpu_seen[me->role] = sched_getcpu();
	return 0;
}

int ipcb_floor_handover(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	struct handover_area *a;
	int rc;

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(sizeof(*a));
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(hand-over floor area): %s",
			 strerror(errno));
		return -ENOMEM;
	}
	rc = floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, handover_body, (void *)s, a,
			  r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->messages;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		if (r->elapsed_s > 0)
			r->msgs_per_s = (double)a->messages / r->elapsed_s;
		r->bytes_per_s = r->msgs_per_s * 56;
		r->cpu_s[0] = a->cpu_s[0];
		r->cpu_s[1] = a->cpu_s[1];
		r->cpu_seen[0] = a->cpu_seen[0];
		r->cpu_seen[1] = a->cpu_seen[1];
		r->buffer_bytes = HANDOVER_RING_BYTES;
		snprintf(r->layout, sizeof(r->layout),
			 "ring: %u lines, each a sequence word and 56 bytes of payload",
			 HANDOVER_RING_BYTES / 64);
		if (a->messages == 0) {
			snprintf(r->error, sizeof(r->error), "no message was handed over");
			rc = -ENODATA;
		}
	}
	ipcb_run_area_unmap(a, sizeof(*a));
	return rc;
}
