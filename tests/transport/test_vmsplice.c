/* SPDX-License-Identifier: MIT */
/*
 * test_vmsplice.c - the vmsplice transport never writes into a page before the reader has
 * consumed it.
 *
 * First the hazard, on this kernel: a page vmsplice()d into a pipe and then written by its owner
 * is read out of the pipe with the new bytes, so a sender that reused a pool buffer early would
 * change messages already sent. Then the transport, streaming far more messages than its pool
 * holds (so every buffer is reused many times, with the sender running ahead of the reader) and
 * with every byte of every message compared (--verify full), at sizes below, at and above the
 * pipe's capacity, and in round trips: any early reuse would show as a message whose bytes are
 * another's, and fail the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../tap.h"
#include "launch.h"
#include "run.h"

/* A page spliced into a pipe, then overwritten: what does the reader get? 1 = the new bytes. */
static int hazard(void)
{
	int fd[2], seen = -1;
	unsigned char *page =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char got[4096];
	struct iovec iov = {.iov_base = page, .iov_len = 4096};

	if (page == MAP_FAILED || pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	memset(page, 'A', 4096);
	if (vmsplice(fd[1], &iov, 1, 0) == 4096) {
		memset(page, 'B', 4096); /* the sender "reuses" its buffer too early */
		if (read(fd[0], got, sizeof(got)) == (ssize_t)sizeof(got))
			seen = got[0] == 'B' && got[4095] == 'B';
	}
	close(fd[0]);
	close(fd[1]);
	munmap(page, 4096);
	return seen;
}

static int run(const struct ipcb_transport *t, enum ipcb_mode mode, size_t size, uint64_t msgs,
	       struct ipcb_run_result *r)
{
	struct ipcb_run_spec s;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.launcher = &ipcb_launcher_fork;
	s.mode = mode;
	s.size_bytes = s.chunk_bytes = size;
	s.messages = msgs;
	s.warmup = 5;
	s.cpu[0] = 0;
	s.cpu[1] = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0;
	s.timeout_s = 60;
	s.cfg.msg_bytes = size;
	s.cfg.wait = t->fixed_wait;
	s.cfg.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	s.cfg.bidirectional = mode == IPCB_MODE_LATENCY;
	s.verify = IPCB_VERIFY_FULL;
	return ipcb_run_one(&s, r);
}

int main(void)
{
	static const struct {
		size_t size;
		uint64_t msgs;
	} cases[] = {{4096, 5000}, {65536, 1000}, {200000, 300}, {1048576, 100}};
	const struct ipcb_transport *t = ipcb_transport_find("vmsplice");
	int h;

	if (!t || t->unsupported) {
		printf("1..0 # SKIP vmsplice is not built here\n");
		return 0;
	}
	if (ipcb_run_signals_block() < 0)
		return 1;
	h = hazard();
	ok(h == 1,
	   "a page written after vmsplice() reaches the reader with the new bytes (%d): "
	   "reusing a buffer early would change a sent message",
	   h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int m = 0; m < 2; m++) {
			struct ipcb_run_result r;
			uint64_t msgs = m == IPCB_MODE_LATENCY ? cases[i].msgs / 4 : cases[i].msgs;
			int rc = run(t, (enum ipcb_mode)m, cases[i].size, msgs, &r);

			if (!ok(rc == 0 && r.messages == msgs && strstr(r.layout, "zerocopy"),
				"%s %zu B, %llu messages through a pool of at most 8 buffers, "
				"every "
				"byte compared: no message changed after it was sent",
				m == IPCB_MODE_LATENCY ? "round trips" : "stream", cases[i].size,
				(unsigned long long)msgs))
				tap_diag("rc %d: %s (%s)", rc, r.error, r.layout);
			/* Warm-up included, the last message of a stream too: every one was
			 * checked. */
			ok(rc != 0 || r.full_checks >= msgs,
			   "%llu messages were compared byte by byte",
			   (unsigned long long)r.full_checks);
			if (rc == 0)
				ipcb_run_result_fini(&r);
		}
	return tap_done();
}
