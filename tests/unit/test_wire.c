/* SPDX-License-Identifier: MIT */
/*
 * test_wire.c - the control connection's messages (bench/remote/wire.h): every type encodes and
 * decodes back to itself, a RESULT's histograms arrive whole, and the parser refuses what it must
 * with a reason: a truncated or overlong body, an unknown type, an enum value out of range, an
 * overlong or control-character string, histogram entries out of order or not adding up, an
 * index beyond the receiving histogram.
 *
 * Usage: test_wire [--seeds DIR]   (--seeds writes one body per message type into DIR: the
 * fuzz target's corpus, tests/fuzz/corpus/fuzz_wire, was made with it)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "spec.h"
#include "wire.h"

static const char *seeds_dir;

/* Encode m, keep its body (for the seeds), decode it into *out. 0 or the error. */
static int round_trip(const struct ipcb_wire_msg *m, struct ipcb_wire_msg *out, const char *seed,
		      unsigned char *keep, size_t *keep_len)
{
	struct ipcb_wbuf b = {0};
	const unsigned char *frame;
	char why[256];
	size_t len;
	int rc = ipcb_wire_encode(&b, m);

	if (!rc)
		rc = ipcb_wbuf_frame(&b, &frame, &len);
	if (!rc && ipcb_wire_frame_len(frame) != len - 4)
		rc = -EPROTO;
	if (!rc && keep) {
		memcpy(keep, frame + 4, len - 4);
		*keep_len = len - 4;
	}
	if (!rc && seeds_dir && seed) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", seeds_dir, seed);
		f = fopen(path, "wb");
		if (f) {
			fwrite(frame + 4, 1, len - 4, f);
			fclose(f);
		}
	}
	if (!rc)
		rc = ipcb_wire_decode(frame + 4, len - 4, out, why, sizeof(why));
	if (rc)
		printf("# %s: %s\n", seed ? seed : "?", why);
	ipcb_wbuf_free(&b);
	return rc;
}

/* A body refused, with a reason that says `want`. */
static void refused(const unsigned char *body, size_t len, const char *want, const char *what)
{
	struct ipcb_wire_msg m;
	char why[256];
	int rc = ipcb_wire_decode(body, len, &m, why, sizeof(why));

	ok(rc == -EBADMSG && strstr(why, want), "%s is refused: %s", what, why);
}

static void seed_raw(const char *name, const void *body, size_t len)
{
	char path[512];
	FILE *f;

	if (!seeds_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", seeds_dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(body, 1, len, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	static struct ipcb_wire_msg m, back;
	static unsigned char body[1 << 16];
	size_t len = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		seeds_dir = argv[2];

	/* HELLO */
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_HELLO;
	m.hello.proto = IPCB_WIRE_PROTO;
	m.hello.little_endian = 1;
	snprintf(m.hello.version, sizeof(m.hello.version), "v1.2-3-gabcdef");
	memset(m.hello.nonce, 0xa5, sizeof(m.hello.nonce));
	m.hello.max_size = 64u << 20;
	m.hello.max_duration_ns = 60000000000ull;
	m.hello.max_timeout_ms = 120000;
	m.hello.max_messages = 1000000000000ull;
	ok(round_trip(&m, &back, "hello", body, &len) == 0 &&
	       memcmp(&m.hello, &back.hello, sizeof(m.hello)) == 0,
	   "HELLO comes back as it went");
	/* A body one byte short, and one byte too long. */
	refused(body, len - 1, "ends inside", "a HELLO one byte short");
	body[len] = 0;
	refused(body, len + 1, "left over", "a HELLO with a byte left over");
	body[1 + 4] = 2; /* the byte order flag */
	refused(body, len, "byte order is 2", "a byte order of 2");

	/* AUTH, with a version holding a control character */
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_AUTH;
	m.auth.proto = IPCB_WIRE_PROTO;
	snprintf(m.auth.version, sizeof(m.auth.version), "v1.2");
	memset(m.auth.mac, 0x3c, sizeof(m.auth.mac));
	ok(round_trip(&m, &back, "auth", body, &len) == 0 &&
	       memcmp(&m.auth, &back.auth, sizeof(m.auth)) == 0,
	   "AUTH comes back as it went");
	body[1 + 4 + 1 + 2 + 1] = '\n';
	refused(body, len, "control character", "a version holding a newline");

	/* WELCOME */
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_WELCOME;
	snprintf(m.welcome.si.host, sizeof(m.welcome.si.host), "hostb");
	snprintf(m.welcome.si.kernel, sizeof(m.welcome.si.kernel), "6.1.0");
	snprintf(m.welcome.si.cpu_model, sizeof(m.welcome.si.cpu_model), "A CPU, with a comma");
	m.welcome.si.loadavg1 = 0.25;
	m.welcome.si.online_cpus = 4;
	m.welcome.ncpus = 3;
	m.welcome.cpus[0] = 0, m.welcome.cpus[1] = 2, m.welcome.cpus[2] = 1023;
	snprintf(m.welcome.net, sizeof(m.welcome.net), "10.0.0.2 (veth1, mtu 1500)");
	ok(round_trip(&m, &back, "welcome", body, &len) == 0 &&
	       memcmp(&m.welcome, &back.welcome, sizeof(m.welcome)) == 0,
	   "WELCOME comes back as it went");

	/* ERROR, CLOCK, ACCEPT, START, ADDR, READY, DONE, BYE */
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_ERROR;
	snprintf(m.error.text, sizeof(m.error.text), "receiver: recv: Connection reset by peer");
	m.error.when_ns = 123456789;
	ok(round_trip(&m, &back, "error", NULL, NULL) == 0 &&
	       strcmp(back.error.text, m.error.text) == 0 && back.error.when_ns == 123456789,
	   "ERROR comes back as it went");
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_CLOCK;
	m.clock.t1 = 1, m.clock.t2 = UINT64_MAX, m.clock.t3 = 1ull << 63;
	ok(round_trip(&m, &back, "clock", NULL, NULL) == 0 &&
	       memcmp(&m.clock, &back.clock, sizeof(m.clock)) == 0,
	   "CLOCK comes back as it went, extremes included");
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_START;
	m.start.shift_ns = -987654321012345ll;
	ok(round_trip(&m, &back, "start", NULL, NULL) == 0 &&
	       back.start.shift_ns == m.start.shift_ns,
	   "START keeps a negative shift");
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_ACCEPT;
	m.accept.max_msg_bytes = 65507;
	ok(round_trip(&m, &back, "accept", NULL, NULL) == 0 && back.accept.max_msg_bytes == 65507,
	   "ACCEPT comes back as it went");
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_ADDR;
	m.addr.addr.len = 16;
	memset(m.addr.addr.bytes, 7, 16);
	ok(round_trip(&m, &back, "addr", body, &len) == 0 && back.addr.addr.len == 16 &&
	       memcmp(back.addr.addr.bytes, m.addr.addr.bytes, 16) == 0,
	   "ADDR comes back as it went");
	body[1] = body[2] = 0, body[3] = 1, body[4] = 0; /* an address of 256 bytes */
	refused(body, len, "more than 128", "an address longer than any");
	for (int t = IPCB_WIRE_READY; t <= IPCB_WIRE_BYE; t++) {
		if (t == IPCB_WIRE_RESULT)
			continue;
		memset(&m, 0, sizeof(m));
		m.type = (enum ipcb_wire_type)t;
		ok(round_trip(&m, &back,
			      t == IPCB_WIRE_READY  ? "ready"
			      : t == IPCB_WIRE_DONE ? "done"
						    : "bye",
			      NULL, NULL) == 0 &&
		       back.type == m.type,
		   "type %d, which has no fields, comes back", t);
	}

	/* RUN, then its checks */
	memset(&m, 0, sizeof(m));
	m.type = IPCB_WIRE_RUN;
	snprintf(m.run.transport, sizeof(m.run.transport), "tcp");
	m.run.mode = IPCB_MODE_BISTREAM;
	m.run.bidirectional = 1;
	m.run.size_bytes = 65536, m.run.chunk_bytes = 65507;
	m.run.inflight = 8, m.run.rate = 12345.5, m.run.nopt = 2;
	m.run.opt[0] = 1000, m.run.opt[1] = 1;
	m.run.cpu = 3;
	/* The driver's settings, whatever they are: what each may be is its row's to check. */
	m.run.nset = 3;
	m.run.set[0] = 100, m.run.set[1] = UINT64_MAX, m.run.set[2] = 0;
	ok(round_trip(&m, &back, "run", body, &len) == 0 &&
	       memcmp(&m.run, &back.run, sizeof(m.run)) == 0,
	   "RUN comes back as it went");
	body[1 + 2 + 3] = 3; /* the mode byte */
	refused(body, len, "mode is 3", "a mode beyond bistream");
	m.run.chunk_bytes = 65537;
	ok(round_trip(&m, &back, NULL, NULL, NULL) == -EBADMSG,
	   "a chunk larger than the size is refused");
	m.run.chunk_bytes = 65507, m.run.nset = IPCB_WIRE_SETTINGS + 1;
	ok(round_trip(&m, &back, NULL, NULL, NULL) != 0, "more settings than a run may carry");
	m.run.nset = 0, m.run.nopt = IPCB_MAX_OPTIONS + 1;
	ok(round_trip(&m, &back, NULL, NULL, NULL) != 0, "more options than any transport has");

	/* RESULT: histograms arrive whole, into histograms of the same layout only */
	{
		struct ipcb_hist *h[2], *dst;
		const struct ipcb_hist *hp[2];
		struct ipcb_wire_side sides[2] = {
		    {.messages = 10, .t_first_ns = 5, .t_last_ns = 9, .cpu_seen = 1, .cpu_s = 0.5},
		    {.cpu_seen = -1}};
		struct ipcb_wbuf b = {0};
		const unsigned char *frame;
		char why[256];
		int rc;

		ipcb_hist_create(1, 3600000000000ll, 3, &h[0]);
		ipcb_hist_create(1, 3600000000000ll, 3, &h[1]);
		ipcb_hist_create(1, 3600000000000ll, 3, &dst);
		for (int i = 1; i <= 1000; i++)
			ipcb_hist_record(h[0], i * 977);
		ipcb_hist_record(h[0], -5); /* out of range, counted */
		hp[0] = h[0], hp[1] = h[1];
		rc = ipcb_wire_encode_result(&b, sides, hp, 2);
		if (!rc)
			rc = ipcb_wbuf_frame(&b, &frame, &len);
		if (!rc) {
			memcpy(body, frame + 4, len - 4);
			len -= 4;
			seed_raw("result", body, len);
			rc = ipcb_wire_decode(body, len, &back, why, sizeof(why));
		}
		ok(rc == 0 && back.result.nhist == 2 && back.result.side[0].messages == 10 &&
		       back.result.side[0].cpu_s == 0.5 && back.result.side[1].cpu_seen == -1,
		   "RESULT comes back: %s", rc ? why : "its sides' counters");
		rc = rc ? rc : ipcb_wire_hist_apply(&back.result.hist[0], dst, why, sizeof(why));
		ok(rc == 0 && dst->total_count == h[0]->total_count &&
		       dst->min_value == h[0]->min_value && dst->max_value == h[0]->max_value &&
		       dst->out_of_range == 1 &&
		       ipcb_hist_value_at_percentile(dst, 99) ==
			   ipcb_hist_value_at_percentile(h[0], 99) &&
		       memcmp(dst->counts, h[0]->counts, (size_t)h[0]->counts_len * 8) == 0,
		   "its histogram arrives whole: every count, extremes, out of range");
		ok(ipcb_wire_hist_apply(&back.result.hist[0], dst, why, sizeof(why)) == -EBADMSG,
		   "a histogram is not applied twice: %s", why);
		ipcb_hist_destroy(dst);
		ipcb_hist_create(1, 1000000, 2, &dst);
		ok(ipcb_wire_hist_apply(&back.result.hist[0], dst, why, sizeof(why)) == -EBADMSG &&
		       strstr(why, "another layout"),
		   "nor into a histogram of another layout: %s", why);
		ipcb_hist_destroy(dst);
		ipcb_wbuf_free(&b);

		/* The first entry's count changed: its counts no longer add up to its total. */
		{
			/* Type, two sides of 101 bytes, the count of histograms, a 56-byte header.
			 */
			size_t at = 1 + 2 * 101 + 4 + 56;

			body[at + 11] ^= 2;
			refused(body, len, "add up", "counts that do not add up to the total");
			seed_raw("result-bad-sum", body, len);
			body[at + 11] ^= 2;
			/* The second entry's index made equal to the first's. */
			memcpy(body + at + 12, body + at, 4);
			refused(body, len, "out of order", "entries out of order");
			seed_raw("result-out-of-order", body, len);
		}
		ipcb_hist_destroy(h[0]);
		ipcb_hist_destroy(h[1]);
	}

	/* Types and sizes */
	{
		unsigned char zero = 0, big = 200;
		static unsigned char huge[IPCB_WIRE_MAX_BODY + 1];

		refused(&zero, 1, "unknown type 0", "type 0");
		refused(&big, 1, "unknown type 200", "type 200");
		refused(&big, 0, "ends inside", "an empty body");
		huge[0] = IPCB_WIRE_BYE;
		refused(huge, sizeof(huge), "more than", "a body over the largest");
		seed_raw("unknown-type", &big, 1);
	}
	return tap_done();
}
