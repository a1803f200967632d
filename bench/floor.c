/* SPDX-License-Identifier: MIT */
/* floor.c - the machine's floors, measured with the run engine; see floor.h. */
#include "floor.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "clock.h"
#include "common.h"

struct floor_area {
	_Alignas(64) uint64_t line; /* the bounced cache line: odd = A's turn done, even = B's */
	_Alignas(64) uint64_t total; /* rounds in all, published by A before its last round */
	uint64_t rounds;	     /* measured rounds */
	uint64_t t_first_ns, t_last_ns;
	double cpu_s[2];
	int cpu_seen[2];
	_Alignas(64) unsigned char hist[];
};

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int cacheline_body(int role, void *arg, void *area_v, char *err)
{
	const struct ipcb_run_spec *s = arg;
	struct floor_area *a = area_v;
	struct ipcb_hist *h = (struct ipcb_hist *)a->hist;
	uint64_t total = s->messages ? s->warmup + s->messages : UINT64_MAX;
	uint64_t deadline = UINT64_MAX, t0, t1 = 0;
	double cpu0 = 0;
	int rc = ipcb_run_barrier();

	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "futex_wait(start barrier): %s", strerror(-rc));
		return rc;
	}
	for (uint64_t i = 0;; i++) {
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
			__atomic_store_n(&a->line, 2 * i + 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&a->line, __ATOMIC_ACQUIRE) != 2 * i + 2)
				ipcb_cpu_relax();
			t1 = ipcb_now_ns();
			if (i >= s->warmup) {
				ipcb_hist_record(h, (int64_t)(t1 - t0));
				a->rounds++;
			}
		} else {
			while (__atomic_load_n(&a->line, __ATOMIC_ACQUIRE) != 2 * i + 1)
				ipcb_cpu_relax();
			uint64_t tot = __atomic_load_n(&a->total, __ATOMIC_ACQUIRE);

			__atomic_store_n(&a->line, 2 * i + 2, __ATOMIC_RELEASE);
			last = tot && i + 1 >= tot;
		}
		if (last)
			break;
	}
	if (role == IPCB_SENDER)
		a->t_last_ns = t1;
	a->cpu_s[role] = cpu_seconds() - cpu0;
	a->cpu_seen[role] = sched_getcpu();
	return 0;
}

int ipcb_floor_cacheline(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	size_t hist_bytes = ipcb_hist_bytes(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS);
	size_t area_bytes = sizeof(struct floor_area) + hist_bytes;
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
	rc = ipcb_run_pair(s->cpu, s->timeout_s, cacheline_body, (void *)s, a, r->error,
			   sizeof(r->error), &r->signal);
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

struct memcpy_area {
	uint64_t copies;
	uint64_t t_first_ns, t_last_ns;
	double cpu_s;
	int cpu_seen;
};

static int memcpy_body(int role, void *arg, void *area_v, char *err)
{
	const struct ipcb_run_spec *s = arg;
	struct memcpy_area *a = area_v;
	size_t n = s->size_bytes;
	unsigned char *src, *dst;
	uint64_t deadline, limit = s->messages ? s->messages : UINT64_MAX, now;
	double cpu0;
	int rc = ipcb_run_barrier();

	if (rc || role != IPCB_SENDER)
		return rc;
	src = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(two %zu-byte buffers): %s", n, strerror(errno));
		return -ENOMEM;
	}
	memset(src, 0x5a, n);
	memset(dst, 0, n);
	for (uint64_t i = 0; i < s->warmup; i++)
		memcpy(dst, src, n);
	cpu0 = cpu_seconds();
	a->t_first_ns = now = ipcb_now_ns();
	deadline = s->duration_s > 0 ? now + (uint64_t)(s->duration_s * 1e9) : UINT64_MAX;
	while (a->copies < limit && now < deadline) {
		memcpy(dst, src, n);
		/* Keep the copy from being optimised away or merged with the next one. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		a->copies++;
		now = ipcb_now_ns();
	}
	a->t_last_ns = now;
	a->cpu_s = cpu_seconds() - cpu0;
	a->cpu_seen = sched_getcpu();
	munmap(src, n);
	munmap(dst, n);
	return 0;
}

int ipcb_floor_memcpy(const struct ipcb_run_spec *s, struct ipcb_run_result *r)
{
	struct memcpy_area *a;
	int rc;

	memset(r, 0, sizeof(*r));
	a = ipcb_run_area_map(sizeof(*a));
	if (!a) {
		snprintf(r->error, sizeof(r->error), "mmap(floor area): %s", strerror(errno));
		return -ENOMEM;
	}
	rc = ipcb_run_pair(s->cpu, s->timeout_s, memcpy_body, (void *)s, a, r->error,
			   sizeof(r->error), &r->signal);
	if (rc == 0) {
		r->messages = a->copies;
		r->elapsed_s = (double)(a->t_last_ns - a->t_first_ns) / 1e9;
		if (r->elapsed_s > 0) {
			r->msgs_per_s = (double)a->copies / r->elapsed_s;
			r->bytes_per_s = r->msgs_per_s * (double)s->size_bytes;
		}
		r->cpu_s[0] = a->cpu_s;
		r->cpu_seen[0] = a->cpu_seen;
		r->cpu_seen[1] = -1;
		if (a->copies == 0) {
			snprintf(r->error, sizeof(r->error), "no copy completed");
			rc = -ENODATA;
		}
	}
	ipcb_run_area_unmap(a, sizeof(*a));
	return rc;
}
