/* SPDX-License-Identifier: MIT */
/*
 * fuzz_wire.c - libFuzzer target for the control connection's parser (ipcb_wire_decode), what a
 * server and a driver with --peer read from the network.
 *
 * The input is one message body (a frame without its 4-byte length). The parser must accept it
 * or refuse it with -EBADMSG and a message naming the message type or "a message"; it must never
 * read outside the input (ASan) or leave a string unterminated or with a control character. An
 * accepted message must encode back to exactly the input (one encoding per message: a reader
 * cannot be made to see something else than a writer wrote), and a RESULT's histograms must
 * apply to an empty histogram of the driver's layout or be refused, never half-applied.
 */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "spec.h"
#include "wire.h"

static void check_text(const char *s, size_t n, const char *what)
{
	const char *end = memchr(s, '\0', n);

	FUZZ_CHECK(end != NULL, "%s not terminated", what);
	for (const char *p = s; p < end; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f,
			   "%s holds byte 0x%02x", what, (unsigned char)*p);
}

static void check_result(const struct ipcb_wire_result *r)
{
	static struct ipcb_hist *h;
	char why[256];

	if (!h)
		FUZZ_CHECK(ipcb_hist_create(IPCB_HIST_LOWEST, IPCB_HIST_HIGHEST, IPCB_HIST_SIGFIGS,
					    &h) == 0,
			   "histogram");
	FUZZ_CHECK(r->nhist <= IPCB_WIRE_HISTS, "%u histograms", r->nhist);
	for (uint32_t i = 0; i < r->nhist; i++) {
		int rc;

		ipcb_hist_reset(h);
		rc = ipcb_wire_hist_apply(&r->hist[i], h, why, sizeof(why));
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG, "apply returned %d", rc);
		if (rc == 0) {
			int64_t sum = 0;

			for (int32_t k = 0; k < h->counts_len; k++)
				sum += h->counts[k];
			FUZZ_CHECK(sum == h->total_count, "counts %lld, total %lld", (long long)sum,
				   (long long)h->total_count);
		} else {
			check_text(why, sizeof(why), "apply's error");
			for (int32_t k = 0; k < h->counts_len; k++)
				FUZZ_CHECK(h->counts[k] == 0, "a refused histogram left count %d",
					   k);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipcb_wire_msg m;
	struct ipcb_wbuf b = {0};
	const unsigned char *frame;
	unsigned char *body;
	char why[512];
	size_t len;
	int rc;

	/* A copy of exactly the input's size, so ASan sees a read past its end. */
	body = malloc(size ? size : 1);
	if (!body)
		return 0;
	if (size)
		memcpy(body, data, size);
	rc = ipcb_wire_decode(body, size, &m, why, sizeof(why));
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG, "decode returned %d", rc);
	check_text(why, sizeof(why), "the error");
	if (rc) {
		FUZZ_CHECK(why[0] != '\0', "a refusal without a reason");
		free(body);
		return 0;
	}
	FUZZ_CHECK(why[0] == '\0', "an accepted message with a reason: %s", why);
	FUZZ_CHECK(m.type > 0 && m.type < IPCB_WIRE_TYPES, "type %d", m.type);
	switch (m.type) {
	case IPCB_WIRE_HELLO:
		check_text(m.hello.version, sizeof(m.hello.version), "version");
		break;
	case IPCB_WIRE_AUTH:
		check_text(m.auth.version, sizeof(m.auth.version), "version");
		break;
	case IPCB_WIRE_WELCOME:
		check_text(m.welcome.si.host, sizeof(m.welcome.si.host), "host");
		check_text(m.welcome.net, sizeof(m.welcome.net), "network");
		FUZZ_CHECK(m.welcome.ncpus >= 1 && m.welcome.ncpus <= IPCB_WIRE_MAX_CPUS, "%u CPUs",
			   m.welcome.ncpus);
		break;
	case IPCB_WIRE_ERROR:
		check_text(m.error.text, sizeof(m.error.text), "error text");
		break;
	case IPCB_WIRE_RUN:
		check_text(m.run.transport, sizeof(m.run.transport), "transport");
		FUZZ_CHECK(m.run.chunk_bytes >= 1 && m.run.chunk_bytes <= m.run.size_bytes,
			   "chunk %llu of %llu", (unsigned long long)m.run.chunk_bytes,
			   (unsigned long long)m.run.size_bytes);
		FUZZ_CHECK(m.run.nopt <= IPCB_MAX_OPTIONS, "%u options", m.run.nopt);
		FUZZ_CHECK(isfinite(m.run.rate) && m.run.rate >= 0, "rate");
		break;
	case IPCB_WIRE_ADDR:
		FUZZ_CHECK(m.addr.addr.len <= IPCB_ADDR_BYTES, "address of %u", m.addr.addr.len);
		break;
	case IPCB_WIRE_RESULT:
		check_result(&m.result);
		break;
	default:
		break;
	}
	/* What was accepted encodes back to the very same bytes. */
	if (m.type != IPCB_WIRE_RESULT) {
		FUZZ_CHECK(ipcb_wire_encode(&b, &m) == 0, "an accepted message does not encode");
		FUZZ_CHECK(ipcb_wbuf_frame(&b, &frame, &len) == 0, "no frame");
		FUZZ_CHECK(len == size + 4 && memcmp(frame + 4, data, size) == 0,
			   "re-encoded to %zu bytes, not the %zu read", len - 4, size);
		ipcb_wbuf_free(&b);
	}
	free(body);
	return 0;
}
