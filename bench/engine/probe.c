/* SPDX-License-Identifier: MIT */
/* probe.c - the machine's state between two CPUs, probed by two threads of the driver; see
 * probe.h. */
#include "probe.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "futex.h"
#include "stats.h"

#define PROBE_MAX_ROUNDS 1024
/* Round trips before the recorded ones: the second thread is still waking up for the first. */
#define PROBE_WARM 8
/* A probe that takes longer than this was not measuring anything (a thread could not run). */
#define PROBE_LIMIT_NS 200000000ull
/*
 * A probe thread's stack: its frames are small (the rounds live in struct ipcb_prober), and the
 * default, as large as RLIMIT_STACK, would be most of a limited address space (prlimit --as).
 */
#define PROBE_STACK_BYTES (64u << 10)

enum probe_cmd {
	PROBE_CACHELINE,
	PROBE_WAKEUP,
	PROBE_QUIT,
};

struct ipcb_prober;

struct probe_thread {
	struct ipcb_prober *p;
	int k;
};

struct ipcb_prober {
	pthread_t th[2];
	struct probe_thread arg[2];
	int cpu[2];
	bool running[2];
	_Alignas(
	    64) uint32_t go; /* bumped by the driver to start a probe; the threads sleep on it */
	enum probe_cmd cmd;
	unsigned rounds;
	_Alignas(64) uint32_t turn; /* the bounced line: odd, the first thread's move; even, the
				     * second's */
	_Alignas(64) uint32_t done; /* threads that finished the probe */
	int err;		    /* a thread's failure (-errno), or 0 */
	uint64_t ns[PROBE_MAX_ROUNDS];
	double v[PROBE_MAX_ROUNDS]; /* ns as the median takes them (here, not on the stack) */
};

/* Wait until *word == want, spinning (yielding on one CPU) or asleep; false after the limit. */
static bool turn_await(struct ipcb_prober *p, uint32_t want, bool sleep, bool same_cpu,
		       uint64_t limit_ns)
{
	uint32_t seen;
	unsigned polls = 0;

	while ((seen = __atomic_load_n(&p->turn, __ATOMIC_ACQUIRE)) != want) {
		if (sleep) {
			struct timespec ts = {0, 20000000};

			syscall(SYS_futex, &p->turn, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
		} else if (same_cpu) {
			sched_yield();
		} else {
			ipcb_cpu_relax();
		}
		if ((++polls & 1023) == 0 || sleep)
			if (ipcb_now_ns() > limit_ns)
				return false;
	}
	return true;
}

static void turn_give(struct ipcb_prober *p, uint32_t value, bool sleep)
{
	__atomic_store_n(&p->turn, value, __ATOMIC_RELEASE);
	if (sleep)
		syscall(SYS_futex, &p->turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* One probe, as thread k: the first thread times each round trip, the second answers. */
static void probe_bounce(struct ipcb_prober *p, int k)
{
	bool sleep = p->cmd == PROBE_WAKEUP, same = p->cpu[0] == p->cpu[1];
	uint64_t limit = ipcb_now_ns() + PROBE_LIMIT_NS;

	for (unsigned i = 0; i < PROBE_WARM + p->rounds; i++) {
		uint32_t mine = 2 * i + 1, theirs = 2 * i + 2;

		if (k == 0) {
			uint64_t t0 = ipcb_now_ns(), t1;

			turn_give(p, mine, sleep);
			if (!turn_await(p, theirs, sleep, same, limit))
				goto late;
			t1 = ipcb_now_ns();
			if (i >= PROBE_WARM)
				p->ns[i - PROBE_WARM] = t1 - t0;
		} else {
			if (!turn_await(p, mine, sleep, same, limit))
				goto late;
			turn_give(p, theirs, sleep);
		}
	}
	return;
late:
	__atomic_store_n(&p->err, -ETIMEDOUT, __ATOMIC_RELAXED);
	/* Let the other thread out of its wait too. */
	turn_give(p, UINT32_MAX, sleep);
}

static void *probe_main(void *arg)
{
	const struct probe_thread *me = arg;
	struct ipcb_prober *p = me->p;
	uint32_t seen = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(p->cpu[me->k], &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		__atomic_store_n(&p->err, -EINVAL, __ATOMIC_RELAXED);
	for (;;) {
		uint32_t g;

		while ((g = __atomic_load_n(&p->go, __ATOMIC_ACQUIRE)) == seen)
			ipcb_futex_wait(&p->go, seen);
		seen = g;
		if (p->cmd == PROBE_QUIT)
			return NULL;
		if (!__atomic_load_n(&p->err, __ATOMIC_RELAXED))
			probe_bounce(p, me->k);
		__atomic_add_fetch(&p->done, 1, __ATOMIC_RELEASE);
		ipcb_futex_wake(&p->done, 1);
	}
}

int ipcb_prober_start(struct ipcb_prober **out, const int cpu[2])
{
	struct ipcb_prober *p = calloc(1, sizeof(*p));
	pthread_attr_t at;
	int rc;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->cpu[0] = cpu[0];
	p->cpu[1] = cpu[1];
	rc = -pthread_attr_init(&at);
	if (rc) {
		free(p);
		return rc;
	}
	rc = -pthread_attr_setstacksize(&at, PROBE_STACK_BYTES);
	for (int k = 0; k < 2 && !rc; k++) {
		p->arg[k] = (struct probe_thread){p, k};
		rc = -pthread_create(&p->th[k], &at, probe_main, &p->arg[k]);
		p->running[k] = rc == 0;
	}
	pthread_attr_destroy(&at);
	if (rc) {
		ipcb_prober_stop(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Run one probe on both threads and wait for both, at most a second. */
static int probe_run(struct ipcb_prober *p, enum probe_cmd cmd, unsigned rounds, double *p50_ns)
{
	uint64_t limit = ipcb_now_ns() + 1000000000ull;
	uint32_t d;

	if (!p)
		return -EINVAL;
	if (p->err)
		return p->err;
	p->cmd = cmd;
	p->rounds = rounds < PROBE_MAX_ROUNDS ? rounds : PROBE_MAX_ROUNDS;
	p->turn = 0;
	__atomic_store_n(&p->done, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&p->go, 1, __ATOMIC_RELEASE);
	ipcb_futex_wake(&p->go, 2);
	while ((d = __atomic_load_n(&p->done, __ATOMIC_ACQUIRE)) < 2) {
		struct timespec ts = {0, 50000000};

		if (ipcb_now_ns() > limit) {
			p->err = -ETIMEDOUT;
			return p->err;
		}
		syscall(SYS_futex, &p->done, FUTEX_WAIT, d, &ts, NULL, 0);
	}
	if (p->err)
		return p->err;
	for (unsigned i = 0; i < p->rounds; i++)
		p->v[i] = (double)p->ns[i];
	return ipcb_stats_median(p->v, p->rounds, p50_ns);
}

int ipcb_prober_cacheline(struct ipcb_prober *p, unsigned rounds, double *p50_ns)
{
	return probe_run(p, PROBE_CACHELINE, rounds, p50_ns);
}

int ipcb_prober_wakeup(struct ipcb_prober *p, unsigned rounds, double *p50_ns)
{
	return probe_run(p, PROBE_WAKEUP, rounds, p50_ns);
}

void ipcb_prober_stop(struct ipcb_prober *p)
{
	if (!p)
		return;
	p->cmd = PROBE_QUIT;
	__atomic_add_fetch(&p->go, 1, __ATOMIC_RELEASE);
	ipcb_futex_wake(&p->go, 2);
	for (int k = 0; k < 2; k++)
		if (p->running[k])
			pthread_join(p->th[k], NULL);
	free(p);
}
