/* SPDX-License-Identifier: MIT */
/*
 * test_nullself.c - the harness's measure of a stream on one CPU (bench/engine/closed.c,
 * stream_self()): a stream of the transport that moves nothing, asked to play the receiver too,
 * checks every message its sender stamped, as a receiver checks what arrives, so its time holds
 * both sides' harness; asked nothing, it checks none (the null transport's own rows). Counted by
 * the run's full checks, with every byte compared (--verify full), on real forked sides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "launch.h"
#include "run.h"

static int run(bool self, size_t size, uint64_t msgs, struct ipcb_run_result *r)
{
	struct ipcb_run_spec s;
	const struct ipcb_transport *t = ipcb_transport_find("null");

	memset(&s, 0, sizeof(s));
	if (!t)
		return -1;
	s.t = t;
	s.launcher = &ipcb_launcher_fork;
	s.mode = IPCB_MODE_THROUGHPUT;
	s.size_bytes = s.chunk_bytes = size;
	s.messages = msgs;
	s.warmup = 5;
	s.cpu[0] = s.cpu[1] = 0;
	s.timeout_s = 60;
	s.cfg.msg_bytes = size;
	s.cfg.wait = t->fixed_wait;
	s.cfg.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	s.verify = IPCB_VERIFY_FULL;
	s.self_receive = self;
	return ipcb_run_one(&s, r);
}

int main(void)
{
	static const size_t sizes[] = {64, 4096, 65536};

	/* As the driver does: a side's exit (SIGCHLD) waits in the launch's signal queue. */
	if (ipcb_run_signals_block() < 0)
		return 1;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct ipcb_run_result r;
		int rc;

		memset(&r, 0, sizeof(r));
		rc = run(true, sizes[k], 2000, &r);
		ok(rc == 0 && r.full_checks >= 2000,
		   "%zu B, playing the receiver too: every message checked (%llu of 2000, rc %d "
		   "%s)",
		   sizes[k], (unsigned long long)r.full_checks, rc, r.error);
		ipcb_run_result_fini(&r);
		memset(&r, 0, sizeof(r));
		rc = run(false, sizes[k], 2000, &r);
		ok(rc == 0 && r.full_checks == 0,
		   "%zu B, the null transport's own stream: no message checked (%llu, rc %d %s)",
		   sizes[k], (unsigned long long)r.full_checks, rc, r.error);
		ipcb_run_result_fini(&r);
	}
	return tap_done();
}
