/* SPDX-License-Identifier: MIT */
/* msg.c - message pattern, stamps and checks; the layout is described in msg.h. */
#include "msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hot.h"

/*
 * The pattern's 8-byte words: an arithmetic progression with an odd step has no period shorter
 * than 2^64 words, so a copy shifted by any whole number of words differs everywhere, and the
 * step's bytes all differ, so a shift by part of a word differs too. Being a progression, it is
 * computed for a whole vector of words with one addition per vector: no table, no multiply.
 */
#define PAT_BASE 0x5a17c3e94b2d8f61ull
#define PAT_STEP 0x9e3779b97f4a7c15ull

IPCB_HOT static inline uint64_t pat_word(size_t w)
{
	return PAT_BASE + (uint64_t)w * PAT_STEP;
}

IPCB_HOT static inline uint8_t pat_byte(size_t i)
{
	uint64_t v = pat_word(i / 8);

	return ((const uint8_t *)&v)[i % 8];
}

/* The value stamped at stamp slot k (0 = header, then 4 KiB boundaries, UINT32_MAX = trailer). */
IPCB_HOT static inline uint64_t msg_stamp_value(uint64_t seq, uint64_t k)
{
	return seq ^ (k * 0x9e3779b97f4a7c15ull);
}

#define MSG_TRAILER_SLOT 0xffffffffull

/*
 * The mark of the run's last message, XORed into its header and its trailer: the receiver knows
 * the end from the message itself, and damage to one copy of the mark shows in the other.
 * Sequence numbers never reach bit 63. Messages below 16 bytes are inverted whole instead.
 */
#define MSG_LAST IPCB_MSG_LAST_BIT

IPCB_HOT static inline uint8_t msg_small_byte(uint64_t seq, size_t i)
{
	return (uint8_t)(pat_byte(i) + (uint8_t)(seq >> (8 * (i % 8))));
}

IPCB_HOT static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

IPCB_HOT static inline void store64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

int64_t ipcb_msg_clock_shift_ns;

const char *ipcb_verify_name(enum ipcb_verify v)
{
	switch (v) {
	case IPCB_VERIFY_HEADERS:
		return "headers";
	case IPCB_VERIFY_SAMPLED:
		return "sampled";
	case IPCB_VERIFY_FULL:
		return "full";
	}
	return "?";
}

void ipcb_msg_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t w = 0;

	for (; 8 * w + 8 <= len; w++)
		store64(p + 8 * w, pat_word(w));
	for (size_t i = 8 * w; i < len; i++)
		p[i] = pat_byte(i);
}

/* Does a 4 KiB boundary at `off` carry a stamp? Only where the trailer still fits after it. */
IPCB_HOT static inline bool msg_has_stamp(size_t off, size_t len)
{
	return off + 16 <= len;
}

IPCB_HOT void ipcb_msg_stamp(void *buf, size_t len, uint64_t seq)
{
	uint8_t *p = buf;

	if (len < 16) {
		for (size_t i = 0; i < len; i++)
			p[i] = msg_small_byte(seq, i);
		return;
	}
	store64(p, msg_stamp_value(seq, 0));
	for (size_t off = IPCB_MSG_STAMP_STRIDE; msg_has_stamp(off, len);
	     off += IPCB_MSG_STAMP_STRIDE)
		store64(p + off, msg_stamp_value(seq, off / IPCB_MSG_STAMP_STRIDE));
	if (len >= IPCB_MSG_TIME_MIN)
		store64(p + 8, 0);
	store64(p + len - 8, msg_stamp_value(seq, MSG_TRAILER_SLOT));
}

/* 0xff when a short message is inverted whole (the run's last), else 0. */
static inline uint8_t msg_small_inverted(const uint8_t *p, uint64_t seq)
{
	uint8_t inverted = (uint8_t)~msg_small_byte(seq, 0);

	return p[0] == inverted ? 0xff : 0;
}

IPCB_HOT void ipcb_msg_mark_last(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (len < 16) {
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)~p[i];
		return;
	}
	store64(p, load64(p) ^ MSG_LAST);
	store64(p + len - 8, load64(p + len - 8) ^ MSG_LAST);
}

IPCB_HOT bool ipcb_msg_is_last_short(const void *buf, uint64_t seq)
{
	return msg_small_inverted(buf, seq) != 0;
}

/* The trailer message seq must carry, given the send time it carries. */
IPCB_HOT static uint64_t msg_trailer_want(const uint8_t *p, size_t len, uint64_t seq)
{
	uint64_t v = msg_stamp_value(seq, MSG_TRAILER_SLOT) ^ (load64(p) & MSG_LAST);

	return len >= IPCB_MSG_TIME_MIN ? v ^ load64(p + 8) : v;
}

/* Expected byte at offset i of message seq (len >= 16), for the byte-wise checks and reports. */
static uint8_t msg_expected(const uint8_t *p, size_t len, uint64_t seq, size_t i)
{
	size_t slot_off = i - i % IPCB_MSG_STAMP_STRIDE;
	uint64_t v;

	if (i < 8)
		v = msg_stamp_value(seq, 0) ^ (load64(p) & MSG_LAST);
	else if (i >= len - 8)
		v = msg_trailer_want(p, len, seq);
	else if (slot_off > 0 && i - slot_off < 8 && msg_has_stamp(slot_off, len))
		v = msg_stamp_value(seq, slot_off / IPCB_MSG_STAMP_STRIDE);
	else
		return pat_byte(i);
	if (i >= len - 8)
		return ((const uint8_t *)&v)[i - (len - 8)];
	return ((const uint8_t *)&v)[i % 8];
}

static int msg_fault_at(const uint8_t *p, size_t len, uint64_t seq, size_t i,
			struct ipcb_msg_fault *f)
{
	uint8_t want = len < 16 ? msg_small_byte(seq, i) ^ msg_small_inverted(p, seq)
				: msg_expected(p, len, seq, i);

	f->offset = i;
	if (len >= IPCB_MSG_TIME_MIN && i >= len - 8)
		snprintf(f->what, sizeof(f->what),
			 "message %" PRIu64 " (%zu bytes): trailer byte %zu is 0x%02x, expected "
			 "0x%02x (trailer or send time damaged)",
			 seq, len, i, p[i], want);
	else
		snprintf(f->what, sizeof(f->what),
			 "message %" PRIu64 " (%zu bytes): byte %zu is 0x%02x, expected 0x%02x",
			 seq, len, i, p[i], want);
	return -EBADMSG;
}

/* The first byte in [a, b) that differs from what it should be; b if none. */
static size_t msg_first_bad(const uint8_t *p, size_t len, uint64_t seq, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (p[i] != msg_expected(p, len, seq, i))
			return i;
	return b;
}

/* An 8-byte stamp at off must read `want`: 0, or the fault at its first wrong byte. */
IPCB_HOT static int msg_check_word(const uint8_t *p, size_t len, uint64_t seq, size_t off,
				   uint64_t want, struct ipcb_msg_fault *f)
{
	if (load64(p + off) == want)
		return 0;
	return msg_fault_at(p, len, seq, msg_first_bad(p, len, seq, off, off + 8), f);
}

/* The header names the message that arrived: say what that means for the stream. */
static int msg_fault_header(uint64_t seq, uint64_t got, struct ipcb_msg_fault *f)
{
	uint64_t want = msg_stamp_value(seq, 0);

	f->header_seq_bad = true;
	f->got_seq = got;
	f->offset = 0;
	while (f->offset < 7 &&
	       ((const uint8_t *)&got)[f->offset] == ((const uint8_t *)&want)[f->offset])
		f->offset++;
	if (got > seq && got - seq < (1ull << 40))
		snprintf(f->what, sizeof(f->what),
			 "lost messages: expected message %" PRIu64 ", got %" PRIu64, seq, got);
	else if (got < seq)
		snprintf(f->what, sizeof(f->what),
			 "duplicate or reordered message: expected message %" PRIu64
			 ", got %" PRIu64,
			 seq, got);
	else
		snprintf(f->what, sizeof(f->what),
			 "corrupt header: expected message %" PRIu64 ", header reads 0x%016" PRIx64,
			 seq, got);
	return -EBADMSG;
}

/*
 * OR of (word XOR pattern word) over the 8-byte words [w0, w1) of p: 0 when all of them hold
 * the pattern. Written with vector types so that it compiles to wide loads, adds and XORs with
 * no branch per word; built for AVX2 as well as the baseline, chosen when the program loads.
 */
typedef uint64_t msg_v4 __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default"))) IPCB_HOT_CLONES static uint64_t
msg_pattern_diff(const uint8_t *p, size_t w0, size_t w1)
{
	msg_v4 acc0 = {0, 0, 0, 0}, acc1 = {0, 0, 0, 0};
	msg_v4 e0 = {pat_word(w0), pat_word(w0 + 1), pat_word(w0 + 2), pat_word(w0 + 3)};
	msg_v4 step4 = {4 * PAT_STEP, 4 * PAT_STEP, 4 * PAT_STEP, 4 * PAT_STEP};
	msg_v4 e1 = e0 + step4, step8 = step4 + step4;
	size_t w = w0;
	uint64_t r;

	for (; w + 8 <= w1; w += 8) {
		msg_v4 x0, x1;

		memcpy(&x0, p + 8 * w, sizeof(x0));
		memcpy(&x1, p + 8 * w + 32, sizeof(x1));
		acc0 |= x0 ^ e0;
		acc1 |= x1 ^ e1;
		e0 += step8;
		e1 += step8;
	}
	acc0 |= acc1;
	r = acc0[0] | acc0[1] | acc0[2] | acc0[3];
	for (; w < w1; w++)
		r |= load64(p + 8 * w) ^ pat_word(w);
	return r;
}

/* Every pattern byte in [a, b) (a a multiple of 8): 0, or the fault at the first wrong one. */
IPCB_HOT static int msg_check_pattern(const uint8_t *p, size_t len, uint64_t seq, size_t a,
				      size_t b, struct ipcb_msg_fault *f)
{
	size_t wb = b / 8;
	bool bad;

	/* One word, the common case of the edge checks: no call, no loop. */
	if (b == a + 8) {
		if (load64(p + a) == pat_word(a / 8))
			return 0;
		return msg_fault_at(p, len, seq, msg_first_bad(p, len, seq, a, b), f);
	}
	bad = a < b && (wb > a / 8 && msg_pattern_diff(p, a / 8, wb) != 0);

	for (size_t i = 8 * wb > a ? 8 * wb : a; !bad && i < b; i++)
		bad = p[i] != pat_byte(i);
	if (!bad)
		return 0;
	return msg_fault_at(p, len, seq, msg_first_bad(p, len, seq, a, b), f);
}

IPCB_HOT static int msg_check_small(const uint8_t *p, size_t len, uint64_t seq,
				    struct ipcb_msg_fault *f)
{
	uint8_t inv = msg_small_inverted(p, seq);

	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)(msg_small_byte(seq, i) ^ inv))
			return msg_fault_at(p, len, seq, i, f);
	return 0;
}

IPCB_HOT int ipcb_msg_check(const void *buf, size_t len, uint64_t seq, enum ipcb_msg_scope scope,
			    struct ipcb_msg_fault *f)
{
	const uint8_t *p = buf;
	/* The pattern starts after the header, and after the send time where there is one. */
	size_t body = len >= IPCB_MSG_TIME_MIN ? 16 : 8, end = len - 8, off;
	uint64_t v;
	int rc;

	f->seq = seq;
	f->what[0] = '\0';
	if (len < 16)
		return msg_check_small(p, len, seq, f);

	v = load64(p) & ~MSG_LAST;
	if (v != msg_stamp_value(seq, 0))
		return msg_fault_header(seq, v, f);
	rc = msg_check_word(p, len, seq, end, msg_trailer_want(p, len, seq), f);
	for (off = IPCB_MSG_STAMP_STRIDE; rc == 0 && msg_has_stamp(off, len);
	     off += IPCB_MSG_STAMP_STRIDE)
		rc = msg_check_word(p, len, seq, off,
				    msg_stamp_value(seq, off / IPCB_MSG_STAMP_STRIDE), f);
	if (rc || scope == IPCB_MSG_STAMPS)
		return rc;

	if (scope == IPCB_MSG_EDGES) {
		/*
		 * The pattern next to the header and next to the trailer (8 to 15 bytes, from a
		 * word boundary, after a stamp that falls there): a shifted or cut copy shows.
		 */
		size_t a = end >= body + 16 ? (end - 8) & ~(size_t)7 : body + 8;
		size_t s = (end - 1) & ~(size_t)(IPCB_MSG_STAMP_STRIDE - 1);

		if (s > 0 && s >= a && msg_has_stamp(s, len))
			a = s + 8;
		rc = msg_check_pattern(p, len, seq, body, body + 8 < end ? body + 8 : end, f);
		if (rc == 0 && a < end)
			rc = msg_check_pattern(p, len, seq, a, end, f);
		return rc;
	}
	/* Every byte: the pattern between one stamp and the next. */
	for (size_t a = body; rc == 0 && a < end; a = off + 8) {
		off = (a / IPCB_MSG_STAMP_STRIDE + 1) * IPCB_MSG_STAMP_STRIDE;
		if (!msg_has_stamp(off, len))
			off = end;
		rc = msg_check_pattern(p, len, seq, a, off, f);
	}
	return rc;
}
