/* SPDX-License-Identifier: MIT */
/*
 * floor.c - the machine's floors, measured with the run engine (see floor.h): the hand-over of a
 * cache line and the wake-up, the clocks' agreement, memcpy and the system call on one CPU, and a
 * stream's hand-over of lines; floorcopy.c has those of a payload crossing two CPUs.
 */
#include "floor.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "area.h"
#include "clock.h"
#include "floorint.h"
#include "floortrips.h"
#include "futex.h"
#include "run.h"

int ipcb_floor_launch(const struct ipcb_launcher *ln, const char *what, const int cpu[2],
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
	struct ipcb_floor_trips tr;
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
	uint64_t t0, t1 = 0, rounds = 0;
	struct ipcb_floor_clocks clocks = IPCB_FLOOR_CLOCKS_INIT;
	bool same_cpu = s->cpu[0] >= 0 && s->cpu[0] == s->cpu[1];
	int rc = me->ops->ready();

	for (uint64_t i = 0; rc == 0; i++) {
		uint32_t mine = (uint32_t)(2 * i + 1), theirs = (uint32_t)(2 * i + 2);
		bool last = i + 1 == total;

		ipcb_floor_trips_round(&a->tr, s, i, &clocks);
		if (role == IPCB_SENDER) {
			last = ipcb_floor_trips_last(&a->tr, s, i, t1, &clocks, last);
			t0 = ipcb_now_ns();
			rc = turn_give(&a->turn, mine, arg->wait);
			if (rc >= 0)
				rc = turn_await(&a->turn, theirs, arg->wait, same_cpu);
			t1 = ipcb_now_ns();
			ipcb_floor_trips_record(s, i, t0, t1, h, &rounds);
		} else {
			uint64_t tot;

			rc = turn_await(&a->turn, mine, arg->wait, same_cpu);
			tot = __atomic_load_n(&a->tr.total, __ATOMIC_ACQUIRE);
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
	ipcb_floor_trips_end(&a->tr, role, t1, rounds, &clocks);
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
	rc = ipcb_floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, pingpong_body, &arg, a,
			       r->error, sizeof(r->error), &r->signal);
	if (rc == 0)
		rc = ipcb_floor_trips_result(&a->tr, (struct ipcb_hist *)a->hist, r);
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
	rc = ipcb_floor_launch(ln, "clock", cpu, timeout_s, clock_body, NULL, a, error, error_bytes,
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
size_t ipcb_floor_batches_bytes(void)
{
	return (ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS) + 63) &
	       ~(size_t)63;
}

void ipcb_floor_batches_init(struct ipcb_hist *h)
{
	ipcb_hist_init(h, ipcb_floor_batches_bytes(), IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST,
		       IPCB_HIST_SIGFIGS);
}

/* A batch this many times its median's time was held up by the host, not slowed by the work. */
#define BATCH_HELD 4

/*
 * Operations a second over the batches not held up (ops each); 0 when no batch was timed. Their
 * mean, not their median: a run's rows pay a timer's tick or a cold line now and then, and so
 * does the ceiling they are held against.
 */
double ipcb_floor_batches_rate(const struct ipcb_hist *h, uint64_t ops)
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

	size_t bytes = sizeof(*a) + ipcb_floor_batches_bytes();

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(bytes);
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(%s floor area): %s", what,
			 strerror(errno));
		return -ENOMEM;
	}
	ipcb_floor_batches_init((struct ipcb_hist *)a->batches);
	rc = ipcb_floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, body, arg, a, r->error,
			       sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->ops;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		r->msgs_per_s =
		    ipcb_floor_batches_rate((struct ipcb_hist *)a->batches, a->batch_ops);
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
	cpu0 = ipcb_floor_cpu_seconds();
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
	a->cpu_s = ipcb_floor_cpu_seconds() - cpu0;
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
	cpu0 = ipcb_floor_cpu_seconds();
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
	a->cpu_s = ipcb_floor_cpu_seconds() - cpu0;
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
	cpu0 = ipcb_floor_cpu_seconds();
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
	a->cpu_s[me->role] = ipcb_floor_cpu_seconds() - cpu0;
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
	rc = ipcb_floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, handover_body, (void *)s,
			       a, r->error, sizeof(r->error), &r->signal);
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
