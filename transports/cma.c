/* SPDX-License-Identifier: MIT */
/*
 * cma - cross-memory attach: the receiver copies each message straight out of the sender's
 * memory with process_vm_readv(), and a counter in shared memory (a futex word) says which
 * message is ready and which the receiver has copied.
 *
 * The sender builds each message in one of a small pool of buffers in its own private memory
 * (zero-copy loans, transport.h: acquire lends the next pool buffer, commit publishes it); each
 * endpoint publishes its pid and its pool's address as its address (ep->addr), and connect()
 * gives each side its peer's. The receiver's peek waits for the count, reads the message with
 * one process_vm_readv() into its own buffer, and publishes that it has copied it, which hands
 * the pool buffer back to the sender.
 *
 * Cost of one message: one copy (the kernel pins the sender's pages and copies them into the
 * receiver's) where a pipe or socket makes two, plus the system call and the page-table walk of
 * the other process; the notification costs what shm's does (a cache-line transfer; a
 * FUTEX_WAKE and FUTEX_WAIT when a side sleeps, by the run's wait strategy).
 * Limits: none per message (a pool of 2 to 8 buffers per sending side, about 16 MiB at most
 * unless one message is larger); needs permission to read the peer's memory, as ptrace would:
 * the same user, and Yama's kernel.yama.ptrace_scope at most 1 (each side names its peer with
 * PR_SET_PTRACER, which scope 1 asks for between siblings), or CAP_SYS_PTRACE for scope 2;
 * a seccomp filter (a container's default one) may refuse the call. probe() tries it between
 * two sibling processes, as a run has them, and says which of these stopped it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "common.h"
#include "transport.h"

#define CMA_MAX_BUFS	8u
#define CMA_POOL_BUDGET (16u << 20)

/* One direction's counters, in memory both sides map. */
struct cma_dir {
	_Alignas(64) uint32_t posted; /* messages committed by the writer */
	uint32_t reader_waiting;
	_Alignas(64) uint32_t copied; /* messages the reader has copied out */
	uint32_t writer_waiting;
	_Alignas(64) uint64_t len[CMA_MAX_BUFS]; /* each pool buffer's message length */
};

struct cma_chan {
	struct cma_dir *dir; /* [0] sender -> receiver, [1] back */
	unsigned ndirs;
	unsigned nbufs;	  /* pool buffers per sending side */
	size_t buf_bytes; /* each, page-rounded */
};

/* What an endpoint publishes: who it is and where its pool lies. */
struct cma_addr {
	int32_t pid;
	uint32_t nbufs;
	uint64_t pool;
	uint64_t buf_bytes;
};

struct cma_ep {
	unsigned char *pool; /* our pool (sending side), nbufs * buf_bytes */
	size_t pool_bytes;
	unsigned char *land; /* where peek copies a message to */
	size_t land_bytes;
	pid_t peer;
	uint64_t peer_pool;
	uint32_t sent, received; /* messages committed / peeked */
	uint32_t copied_seen;	 /* the writer's view of its reader's copied count */
};

/* ---- the probe: two siblings, one reading the other, as in a run ------------------------- */

static int cma_ptrace_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void cma_why(struct ipcb_probe *p, int err)
{
	int scope = cma_ptrace_scope();

	if (err == ENOSYS) {
		snprintf(p->reason, sizeof(p->reason),
			 "process_vm_readv: not available (a kernel without CONFIG_CROSS_MEMORY_"
			 "ATTACH, or a seccomp filter that hides it)");
	} else if (err == EPERM && scope >= 2) {
		snprintf(p->reason, sizeof(p->reason),
			 "process_vm_readv: %s (kernel.yama.ptrace_scope is %d: %s)", strerror(err),
			 scope,
			 scope == 2 ? "only CAP_SYS_PTRACE may read another process"
				    : "no process may read another");
	} else if (err == EPERM) {
		snprintf(p->reason, sizeof(p->reason),
			 "process_vm_readv: %s between sibling processes (kernel.yama.ptrace_scope "
			 "%s; a seccomp filter or a container's security profile may refuse it)",
			 strerror(err),
			 scope < 0    ? "absent"
			 : scope == 0 ? "0"
				      : "1");
	} else {
		snprintf(p->reason, sizeof(p->reason), "process_vm_readv: %s", strerror(err));
	}
}

/* The probe's two processes' pipes: the target's address to the reader, the reader's errno
 * back, and one the target holds until the probe is done (EOF). */
struct cma_pair {
	int to_reader[2], result[2], hold[2];
	pid_t reader;
};

/* The reader: read the word at the address the target sends, and report the errno. */
static int cma_probe_reader(void *arg)
{
	const struct cma_pair *pp = arg;
	struct {
		pid_t pid;
		uint64_t addr;
	} who;
	uint64_t word = 0;
	struct iovec local = {.iov_base = &word, .iov_len = sizeof(word)}, remote;
	int e = 0;

	if (read(pp->to_reader[0], &who, sizeof(who)) != sizeof(who))
		return 1;
	remote.iov_base = (void *)(uintptr_t)who.addr;
	remote.iov_len = sizeof(word);
	if (process_vm_readv(who.pid, &local, 1, &remote, 1, 0) != sizeof(word))
		e = errno ? errno : EIO;
	else if (word != 0x1bc1bc1bc1bc1bcull)
		e = EFAULT;
	return write(pp->result[1], &e, sizeof(e)) == sizeof(e) ? 0 : 1;
}

/* The target: name the reader its ptracer, send it a word's address, and wait. */
static int cma_probe_target(void *arg)
{
	const struct cma_pair *pp = arg;
	static volatile uint64_t word = 0x1bc1bc1bc1bc1bcull;
	struct {
		pid_t pid;
		uint64_t addr;
	} me;
	char c;

	/* Whole, padding included: all of it goes through the pipe. */
	memset(&me, 0, sizeof(me));
	me.pid = getpid();
	me.addr = (uint64_t)(uintptr_t)&word;

	/* EINVAL: no Yama, nothing to allow. */
	prctl(PR_SET_PTRACER, (unsigned long)pp->reader, 0, 0, 0);
	if (write(pp->to_reader[1], &me, sizeof(me)) != sizeof(me))
		return 1;
	close(pp->hold[1]);
	if (read(pp->hold[0], &c, 1) < 0) /* until the parent is done: EOF */
		return 1;
	return 0;
}

/*
 * Start a reader, then a target that names the reader its ptracer and hands it the address of
 * a word; the reader reads the word with process_vm_readv and reports the errno through a pipe.
 * Siblings, because a run's two sides are: Yama's scope 1 lets a parent read its children
 * without asking, so a parent-child probe would say yes where a run fails.
 */
static int cma_probe(struct ipcb_probe *p)
{
	struct cma_pair pp = {{-1, -1}, {-1, -1}, {-1, -1}, -1};
	int *to_reader = pp.to_reader, *result = pp.result, *hold = pp.hold;
	struct ipcb_spawn sp = {.run = cma_probe_reader, .arg = &pp, .death_signal = SIGKILL};
	pid_t reader = -1, target = -1;
	int rc = 0, err = EIO;

	if (pipe2(to_reader, O_CLOEXEC) < 0 || pipe2(result, O_CLOEXEC) < 0 ||
	    pipe2(hold, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(p->reason, sizeof(p->reason), "pipe2: %s", strerror(-rc));
		goto out;
	}
	reader = ipcb_spawn_start(&sp);
	if (reader < 0) {
		rc = reader;
		snprintf(p->reason, sizeof(p->reason), "fork: %s", strerror(-rc));
		goto out;
	}
	pp.reader = reader;
	sp.run = cma_probe_target;
	target = ipcb_spawn_start(&sp);
	if (target < 0) {
		rc = target;
		snprintf(p->reason, sizeof(p->reason), "fork: %s", strerror(-rc));
		goto out;
	}
	{
		struct pollfd pfd = {.fd = result[0], .events = POLLIN};

		if (poll(&pfd, 1, 2000) == 1 && read(result[0], &err, sizeof(err)) == sizeof(err)) {
			if (err) {
				rc = -err;
				cma_why(p, err);
			}
		} else {
			rc = -ETIMEDOUT;
			snprintf(
			    p->reason, sizeof(p->reason),
			    "process_vm_readv: the probe between two processes did not finish");
		}
	}
out:
	for (int i = 0; i < 2; i++) {
		if (to_reader[i] >= 0)
			close(to_reader[i]);
		if (result[i] >= 0)
			close(result[i]);
		if (hold[i] >= 0)
			close(hold[i]);
	}
	if (reader > 0) {
		kill(reader, SIGKILL);
		waitpid(reader, NULL, 0);
	}
	if (target > 0) {
		kill(target, SIGKILL);
		waitpid(target, NULL, 0);
	}
	return rc;
}

/* ---- channel and endpoints ---------------------------------------------------------------- */

static int cma_setup(struct ipcb_chan *ch)
{
	struct cma_chan *c = ch->priv;
	size_t per = (ch->cfg.msg_bytes + 4095) & ~(size_t)4095;
	size_t n = CMA_POOL_BUDGET / (per ? per : 4096);
	int rc;

	c->ndirs = ch->cfg.bidirectional ? 2 : 1;
	c->buf_bytes = per ? per : 4096;
	c->nbufs = n < 2 ? 2 : n > CMA_MAX_BUFS ? CMA_MAX_BUFS : (unsigned)n;
	rc = ipcb_map_shared_anon(c->ndirs * sizeof(struct cma_dir), (void **)&c->dir, &ch->err);
	if (rc)
		return rc;
	ch->buffer_bytes = c->ndirs * c->nbufs * c->buf_bytes;
	snprintf(ch->layout, sizeof(ch->layout), "one copy (process_vm_readv) from a pool of %u",
		 c->nbufs);
	return 0;
}

static void cma_teardown(struct ipcb_chan *ch)
{
	struct cma_chan *c = ch->priv;

	if (c->dir)
		munmap(c->dir, c->ndirs * sizeof(struct cma_dir));
	c->dir = NULL;
}

static int cma_open(struct ipcb_ep *ep)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	struct cma_addr a = {.pid = getpid(), .nbufs = c->nbufs, .buf_bytes = c->buf_bytes};
	bool sends = ep->role == IPCB_SENDER || c->ndirs > 1;
	bool receives = ep->role == IPCB_RECEIVER || c->ndirs > 1;
	void *p;

	if (sends) {
		me->pool_bytes = c->nbufs * c->buf_bytes;
		p = mmap(NULL, me->pool_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return ipcb_errf(&ep->err, -errno, "mmap", "a pool of %zu bytes",
					 me->pool_bytes);
		me->pool = p;
		a.pool = (uint64_t)(uintptr_t)p;
	}
	if (receives) {
		me->land_bytes = c->buf_bytes;
		p = mmap(NULL, me->land_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return ipcb_errf(&ep->err, -errno, "mmap", "a %zu-byte buffer",
					 me->land_bytes);
		me->land = p;
	}
	ep->addr.len = sizeof(a);
	memcpy(ep->addr.bytes, &a, sizeof(a));
	return 0;
}

/*
 * Learn the peer's pid and pool, and let it read our memory: with Yama's ptrace_scope 1 only a
 * process we name (PR_SET_PTRACER) may, since the peer is our sibling, not our ancestor.
 */
static int cma_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	const struct ipcb_addr *pa =
	    ep->role == IPCB_SENDER ? &peers->receiver[0] : &peers->sender[0];
	struct cma_addr a;

	if (pa->len != sizeof(a))
		return ipcb_errf(&ep->err, -EPROTO, "connect", "the peer published %u bytes",
				 pa->len);
	memcpy(&a, pa->bytes, sizeof(a));
	if (a.nbufs != c->nbufs || a.buf_bytes != c->buf_bytes)
		return ipcb_errf(&ep->err, -EPROTO, "connect", "the peer's pool is not this run's");
	me->peer = a.pid;
	me->peer_pool = a.pool;
	if (prctl(PR_SET_PTRACER, (unsigned long)a.pid, 0, 0, 0) < 0 && errno != EINVAL)
		return ipcb_err(&ep->err, -errno, "prctl(PR_SET_PTRACER)");
	return 0;
}

/*
 * The messages this side sent are read out of its own memory: it must not unmap its pool, or
 * exit, before its reader has copied the last one (the echo side of a round trip ends as soon
 * as it has sent its last reply). A reader that died is the driver's to notice: two seconds at
 * most, then go.
 */
static void cma_drain(struct ipcb_ep *ep)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	struct cma_dir *d = &c->dir[ep->role == IPCB_SENDER ? 0 : 1];
	struct timespec nap = {0, 50000};

	for (int i = 0; i < 40000; i++) {
		if (__atomic_load_n(&d->copied, __ATOMIC_ACQUIRE) == me->sent)
			return;
		nanosleep(&nap, NULL);
	}
}

static void cma_close(struct ipcb_ep *ep)
{
	struct cma_ep *me = ep->priv;

	if (me->pool && ep->chan->priv && ((const struct cma_chan *)ep->chan->priv)->dir)
		cma_drain(ep);
	if (me->pool)
		munmap(me->pool, me->pool_bytes);
	if (me->land)
		munmap(me->land, me->land_bytes);
	me->pool = me->land = NULL;
}

/* ---- waiting on a counter ----------------------------------------------------------------- */

/* Wait until *word reaches `want` (wrapping counters), by the run's strategy. */
IPCB_HOT static int cma_await(uint32_t *word, uint32_t *waiting, uint32_t want,
			      const struct ipcb_chan *ch, struct ipcb_err *e)
{
	unsigned polls = 0;

	for (;;) {
		uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		int rc;

		if ((int32_t)(v - want) >= 0)
			return 0;
		if (ipcb_wait_poll(ch->cfg.wait, &polls, ch->cfg.spin_polls, ch->yields))
			continue;
		/* The flag handshake of ring.h: raise, fence, look again, sleep. */
		__atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		rc = 0;
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == v)
			rc = ipcb_futex_wait(word, v);
		__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
		if (rc < 0)
			return ipcb_err(e, rc, "futex_wait");
	}
}

IPCB_HOT static int cma_bump(uint32_t *word, uint32_t *waiting, uint32_t value,
			     const struct ipcb_chan_cfg *cfg, struct ipcb_err *e)
{
	int rc;

	__atomic_store_n(word, value, __ATOMIC_RELEASE);
	if (cfg->wait == IPCB_WAIT_SPIN || cfg->wait == IPCB_WAIT_YIELD)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(waiting, __ATOMIC_RELAXED))
		return 0;
	rc = ipcb_futex_wake(word, 1);
	return rc < 0 ? ipcb_err(e, rc, "futex_wake") : 0;
}

/* ---- loans -------------------------------------------------------------------------------- */

IPCB_HOT static int cma_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	struct cma_dir *d = &c->dir[ep->role == IPCB_SENDER ? 0 : 1];
	int rc;

	if (len > c->buf_bytes)
		return ipcb_errf(&ep->err, -EMSGSIZE, "acquire", "%zu bytes, buffers of %zu", len,
				 c->buf_bytes);
	/* Buffer sent % nbufs is ours again once the reader copied the message nbufs before. */
	if (me->sent - me->copied_seen >= c->nbufs) {
		rc = cma_await(&d->copied, &d->writer_waiting, me->sent - c->nbufs + 1, ep->chan,
			       &ep->err);
		if (rc)
			return rc;
		me->copied_seen = __atomic_load_n(&d->copied, __ATOMIC_ACQUIRE);
	}
	*buf = me->pool + (size_t)(me->sent % c->nbufs) * c->buf_bytes;
	return me->sent < c->nbufs;
}

IPCB_HOT static int cma_commit(struct ipcb_ep *ep, size_t len)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	struct cma_dir *d = &c->dir[ep->role == IPCB_SENDER ? 0 : 1];

	d->len[me->sent % c->nbufs] = len;
	me->sent++;
	return cma_bump(&d->posted, &d->reader_waiting, me->sent, &ep->chan->cfg, &ep->err);
}

IPCB_HOT static int cma_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	const struct cma_chan *c = ep->chan->priv;
	struct cma_ep *me = ep->priv;
	struct cma_dir *d = &c->dir[ep->role == IPCB_SENDER ? 1 : 0];
	unsigned k = me->received % c->nbufs;
	size_t n, done = 0;
	int rc = cma_await(&d->posted, &d->reader_waiting, me->received + 1, ep->chan, &ep->err);

	if (rc)
		return rc;
	n = d->len[k];
	if (n > me->land_bytes)
		return ipcb_errf(&ep->err, -EPROTO, "peek", "a %zu-byte message announced", n);
	/* One copy, from the peer's pool buffer into ours; a short read is retried for the rest. */
	while (done < n) {
		struct iovec local = {.iov_base = me->land + done, .iov_len = n - done};
		struct iovec remote = {
		    .iov_base = (void *)(uintptr_t)(me->peer_pool + k * c->buf_bytes + done),
		    .iov_len = n - done};
		ssize_t got = process_vm_readv(me->peer, &local, 1, &remote, 1, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return ipcb_errf(&ep->err, got < 0 ? -errno : -EIO, "process_vm_readv",
					 "pid %d, %zu bytes", (int)me->peer, n - done);
		done += (size_t)got;
	}
	me->received++;
	rc = cma_bump(&d->copied, &d->writer_waiting, me->received, &ep->chan->cfg, &ep->err);
	if (rc)
		return rc;
	*buf = me->land;
	*len = n;
	return 0;
}

IPCB_HOT static int cma_release(struct ipcb_ep *ep)
{
	(void)ep; /* the pool buffer went back as soon as it was copied (peek) */
	return 0;
}

/* send/recv: a loan filled from (or copied out to) the caller's buffer. */
IPCB_HOT static int cma_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	void *p = NULL;
	int rc = cma_acquire(ep, len, &p);

	if (rc < 0)
		return rc;
	memcpy(p, buf, len);
	return cma_commit(ep, len);
}

IPCB_HOT static int cma_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	size_t got;
	void *p;
	int rc = cma_peek(ep, &p, &got);

	if (rc)
		return rc;
	if (got != len)
		return ipcb_errf(&ep->err, -EPROTO, "recv", "%zu bytes where %zu were expected",
				 got, len);
	memcpy(buf, p, len);
	return 0;
}

static const struct ipcb_loan_ops cma_loans = {
    .acquire = cma_acquire,
    .commit = cma_commit,
    .peek = cma_peek,
    .release = cma_release,
};

const struct ipcb_transport ipcb_transport_cma = {
    .name = "cma",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {0, 1},
    .summary = "process_vm_readv out of the sender's own buffers, notified through a futex word",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_BOUNDARIES | IPCB_CAP_ZEROCOPY,
    .chan_priv_bytes = sizeof(struct cma_chan),
    .ep_priv_bytes = sizeof(struct cma_ep),
    .probe = cma_probe,
    .setup = cma_setup,
    .teardown = cma_teardown,
    .open = cma_open,
    .connect = cma_connect,
    .close = cma_close,
    .send = cma_send,
    .recv = cma_recv,
    .loans = &cma_loans,
};
