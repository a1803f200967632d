/* SPDX-License-Identifier: MIT */
/*
 * common.h - small helpers shared by transport files: whole-message fd I/O, buffer sizes,
 * shared anonymous memory. Each returns 0 or a negative errno and records the failing call in
 * the given error. Futexes and spin hints are in lib/futex.h, which this includes.
 * System V objects are made with ipcb_sysv_create() (sysvreg.h): a key with ipcbench's prefix
 * 0x1bc plus 20 random bits, IPC_EXCL, mode 0600, recorded in the run's "<tag>.sysv" registry
 * in $TMPDIR so that `ipcbench --cleanup` can find what a killed run left.
 */
#ifndef IPCB_TRANSPORT_COMMON_H
#define IPCB_TRANSPORT_COMMON_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "count.h"
#include "futex.h"
#include "sharedcopy.h" /* ipcb_shared_copy(): a payload's copy into or out of a ring */
#include "transport.h"

/*
 * One turn of a wait for shared memory that has not changed yet, by the run's --wait: a spin hint
 * (spin, and hybrid for its first spin_polls turns), the CPU given away (yield, and hybrid for
 * its next `yields` turns: ipcb_chan.yields, where both sides share one CPU), and true: look
 * again; the turns are counted in *polls. False: this wait is to sleep now (block at once,
 * hybrid once its polls are spent), by the caller's own means (a futex flag handshake, a
 * semaphore). Every shared-memory transport's wait loop polls through this one function, so
 * that --wait and --spin-polls mean the same thing to all of them.
 */
IPCB_HOT static inline bool ipcb_wait_poll(enum ipcb_wait wait, unsigned *polls,
					   unsigned spin_polls, unsigned yields)
{
	if (wait == IPCB_WAIT_SPIN || (wait == IPCB_WAIT_HYBRID && *polls < spin_polls)) {
		++*polls;
		ipcb_cpu_relax();
		return true;
	}
	if (wait == IPCB_WAIT_YIELD || (wait == IPCB_WAIT_HYBRID && *polls - spin_polls < yields)) {
		++*polls;
		sched_yield();
		return true;
	}
	return false;
}

/*
 * Whether the run's two sides share one CPU, as the driver tells a transport (bench/cli/point.c):
 * a hybrid wait without spins, since spinning there would only keep the CPU from the other side.
 */
static inline bool ipcb_sides_share_cpu(const struct ipcb_chan_cfg *cfg)
{
	return cfg->wait == IPCB_WAIT_HYBRID && cfg->spin_polls == 0;
}

/*
 * The same copy into a ring's slot with non-temporal stores: each line goes to memory whole,
 * past the caches, instead of being read for ownership first. Where the reader still holds the
 * lines of a slot the writer comes back to, an ordinary store must take each line back from the
 * reader's cache; on the AMD EPYC guest the machine passes for seconds at a time into a state in
 * which that ran a 1 MiB stream at 2-4 GB/s, where streaming stores ran at 21-26 (and, in its
 * usual state, at 16-19 against 40 for ordinary ones: storechoice.h chooses between them by
 * the rate each gives). The fence keeps the stores before the slot's header is published. x86-64
 * only; elsewhere the ordinary copy (IPCB_STREAMED_STORES is 0 and nothing chooses it).
 */
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define IPCB_STREAMED_STORES 1
IPCB_HOT static inline void ipcb_streamed_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t head = (size_t)(-(uintptr_t)d & 15);

	if (head > n)
		head = n;
	memcpy(d, s, head);
	d += head;
	s += head;
	n -= head;
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
		__m128i e = _mm_loadu_si128((const __m128i *)(s + 48));

		_mm_stream_si128((__m128i *)d, a);
		_mm_stream_si128((__m128i *)(d + 16), b);
		_mm_stream_si128((__m128i *)(d + 32), c);
		_mm_stream_si128((__m128i *)(d + 48), e);
	}
	for (; n >= 16; n -= 16, d += 16, s += 16)
		_mm_stream_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
	memcpy(d, s, n);
	_mm_sfence();
}
#else
#define IPCB_STREAMED_STORES 0
IPCB_HOT static inline void ipcb_streamed_copy(void *dst, const void *src, size_t n)
{
	ipcb_shared_copy(dst, src, n);
}
#endif

/*
 * Does a channel's writer choose its stores (storechoice.h)? A stream's across two CPUs, of
 * pieces of min_bytes or more, where the streaming copy exists. Round trips store through the
 * cache, whose lines the reply's reader wants next; so do sides on one CPU, whose reader copies
 * out what the writer's cache still holds (trials there cost same-CPU 64 KiB streams a quarter).
 */
static inline bool ipcb_chooses_stores(const struct ipcb_chan_cfg *cfg, size_t piece_bytes,
				       size_t min_bytes)
{
	return IPCB_STREAMED_STORES && !cfg->bidirectional && !ipcb_sides_share_cpu(cfg) &&
	       piece_bytes >= min_bytes;
}

/*
 * write()/read() until exactly len bytes moved; EINTR and short transfers retried. A read that
 * meets end-of-file before len bytes fails with -EPIPE (the peer went away). Inline, with the
 * rest out of line (ipcb_fd_rest): a pipe's round trip moves each message with one call on each
 * side, inside the round trip on one CPU, and a call level around it there cost as much as the
 * loop's other work (docs/methodology.md). To a counted run (count.h) the first call is the
 * message's and everything after it a wait for the rest, marked whether there is a rest or not,
 * so that every message crosses the same marks however many calls it took.
 */
int ipcb_fd_rest(int fd, char *p, size_t len, ssize_t n, int err, bool writing, struct ipcb_err *e,
		 const char *call);

IPCB_HOT static inline int ipcb_fd_move(int fd, char *p, size_t len, bool writing,
					struct ipcb_err *e, const char *call)
{
	ssize_t n;
	int err, rc = 0;

	if (!len)
		return 0;
	n = writing ? write(fd, p, len) : read(fd, p, len);
	err = n < 0 ? errno : 0;
	ipcb_count_wait(true);
	if (__builtin_expect(n != (ssize_t)len, 0))
		rc = ipcb_fd_rest(fd, p, len, n, err, writing, e, call);
	ipcb_count_wait(false);
	return rc;
}

IPCB_HOT static inline int ipcb_fd_write_full(int fd, const void *buf, size_t len,
					      struct ipcb_err *e, const char *call)
{
	/* Written from, never into: the cast only lets one function serve both ways. */
	return ipcb_fd_move(fd, (char *)(uintptr_t)buf, len, true, e, call);
}

IPCB_HOT static inline int ipcb_fd_read_full(int fd, void *buf, size_t len, struct ipcb_err *e,
					     const char *call)
{
	return ipcb_fd_move(fd, buf, len, false, e, call);
}

/* close() that ignores -1 and EINTR, and sets *fd to -1 so a second teardown is harmless. */
void ipcb_fd_close(int *fd);

/* A socket's send plus receive buffer limits (SO_SNDBUF + SO_RCVBUF, as the kernel
 * accounts them); 0 when they cannot be read. */
/*
 * -o NAME.write=: send len bytes in pieces of at most piece bytes (0: whole) with whole(), as a
 * user who tunes a write size hands a message to the kernel. Inline, so whole() is a direct
 * call and an untuned send pays one comparison.
 */
static inline int ipcb_send_pieces(struct ipcb_ep *ep, const void *buf, size_t len, size_t piece,
				   int (*whole)(struct ipcb_ep *ep, const void *buf, size_t len))
{
	const char *p = buf;

	while (piece && len > piece) {
		int rc = whole(ep, p, piece);

		if (rc)
			return rc;
		p += piece;
		len -= piece;
	}
	return whole(ep, p, len);
}

/*
 * -o sndbuf=/rcvbuf=: set a socket's send (rcv false) or receive buffer to bytes, past
 * net.core.wmem_max/rmem_max where the process may (SO_SNDBUFFORCE as root), else up to them.
 * 0 leaves the kernel's default. 0, or a negative errno recorded in e naming the option.
 */
int ipcb_sock_set_buffer(int fd, bool rcv, uint64_t bytes, struct ipcb_err *e, const char *opt);
size_t ipcb_sock_buffer_bytes(int fd);
/*
 * The options of a pipe's buffer and writes, which pipe and fifo share (a FIFO is a pipe with a
 * name): size (F_SETPIPE_SZ) and write (the bytes each write() is handed), indexed by these.
 */
enum { IPCB_PIPE_OPT_SIZE, IPCB_PIPE_OPT_WRITE };
extern const struct ipcb_option ipcb_pipe_options[];
/*
 * Give fd's pipe the capacity `bytes` (0 leaves the default; the kernel rounds up to a power of
 * two pages). 0, or a negative errno recorded in e naming the option ("-o NAME.size=N").
 */
int ipcb_pipe_set_size(int fd, uint64_t bytes, struct ipcb_err *e, const char *name);
/* A pipe's capacity (F_GETPIPE_SZ); 0 when it cannot be read. */
size_t ipcb_pipe_buffer_bytes(int fd);
/* The capacity a new pipe (or FIFO) gets here; 0 when it cannot be found. */
size_t ipcb_pipe_default_bytes(void);

/* Map `bytes` of anonymous shared memory (inherited across fork). 0 or -errno. */
int ipcb_map_shared_anon(size_t bytes, void **out, struct ipcb_err *e);

#endif
