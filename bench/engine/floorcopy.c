/* SPDX-License-Identifier: MIT */
/*
 * floorcopy.c - the floors of a payload crossing between two CPUs, measured with the run engine
 * (see floor.h): floor-mailbox, the leanest round trip of a payload, and floor-xcopy, one CPU
 * copying out what the other has just written, the rate a copying stream's reader can reach.
 */
#include "floor.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "floorint.h"
#include "floortrips.h"
#include "format.h"
#include "futex.h"
#include "run.h"
#include "sharedcopy.h"
#include "topology.h"

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
	struct ipcb_floor_trips tr;
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
	uint64_t t0, t1 = 0, rounds = 0;
	struct ipcb_floor_clocks clocks = IPCB_FLOOR_CLOCKS_INIT;
	bool same_cpu = s->cpu[0] >= 0 && s->cpu[0] == s->cpu[1];
	unsigned char *buf =
	    mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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

		ipcb_floor_trips_round(&a->tr, s, i, &clocks);
		if (role == IPCB_SENDER) {
			last = ipcb_floor_trips_last(&a->tr, s, i, t1, &clocks, last);
			t0 = ipcb_now_ns();
			mailbox_put(out, buf, n, i, pieces);
			mailbox_get(in, buf, n, i, pieces, same_cpu);
			t1 = ipcb_now_ns();
			ipcb_floor_trips_record(s, i, t0, t1, h, &rounds);
		} else {
			uint64_t tot;

			mailbox_get(in, buf, n, i, pieces, same_cpu);
			tot = __atomic_load_n(&a->tr.total, __ATOMIC_ACQUIRE);
			mailbox_put(out, buf, n, i, pieces);
			last = tot && i + 1 >= tot;
		}
		if (last)
			break;
	}
	ipcb_floor_trips_end(&a->tr, role, t1, rounds, &clocks);
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
	rc = ipcb_floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, mailbox_body, (void *)s,
			       a, r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->buffer_bytes = 2 * nbox * box_bytes;
		rc = ipcb_floor_trips_result(&a->tr, h, r);
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
				cpu0 = ipcb_floor_cpu_seconds();
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
		a->cpu_s = ipcb_floor_cpu_seconds() - cpu0;
		munmap(dst, n);
	}
	a->cpu_seen[role] = sched_getcpu();
	return 0;
}

int ipcb_floor_xcopy(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	size_t stride = (s->size_bytes + 63) & ~(size_t)63;
	size_t batch = s->size_bytes >= XCOPY_BATCH_BYTES ? 1 : XCOPY_BATCH_BYTES / s->size_bytes;
	size_t area_bytes = sizeof(struct xcopy_area) + batch * stride + ipcb_floor_batches_bytes();
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
	ipcb_floor_batches_init(xcopy_batches(a, stride));
	rc = ipcb_floor_launch(s->launcher, "floor", s->cpu, s->timeout_s, xcopy_body, (void *)s, a,
			       r->error, sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->copies;
		r->elapsed_s = (double)a->copy_ns / 1e9;
		r->msgs_per_s = ipcb_floor_batches_rate(xcopy_batches(a, stride), batch);
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
