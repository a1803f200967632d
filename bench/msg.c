/* SPDX-License-Identifier: MIT */
/* msg.c - message pattern, stamps and checks; the layout is described in msg.h. */
#include "msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Multiplicative hash of the offset: no short period, so a copy shifted by any amount differs. */
IPCB_HOT static inline uint8_t msg_pattern(size_t i)
{
	return (uint8_t)(((uint32_t)i * 2654435761u) >> 24) ^ 0x5a;
}

/* The value stamped at stamp slot k (0 = header, then 4 KiB boundaries, UINT32_MAX = trailer). */
IPCB_HOT static inline uint64_t msg_stamp_value(uint64_t seq, uint64_t k)
{
	return seq ^ (k * 0x9e3779b97f4a7c15ull);
}

IPCB_HOT static inline uint8_t msg_small_byte(uint64_t seq, size_t i)
{
	return (uint8_t)(msg_pattern(i) + (uint8_t)(seq >> (8 * (i % 8))));
}

#define MSG_TRAILER_SLOT 0xffffffffull

void ipcb_msg_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = msg_pattern(i);
}

IPCB_HOT void ipcb_msg_stamp(void *buf, size_t len, uint64_t seq)
{
	uint8_t *p = buf;
	uint64_t v;

	if (len < 16) {
		for (size_t i = 0; i < len; i++)
			p[i] = msg_small_byte(seq, i);
		return;
	}
	v = msg_stamp_value(seq, 0);
	memcpy(p, &v, 8);
	for (size_t off = IPCB_MSG_STAMP_STRIDE; off + 16 <= len; off += IPCB_MSG_STAMP_STRIDE) {
		v = msg_stamp_value(seq, off / IPCB_MSG_STAMP_STRIDE);
		memcpy(p + off, &v, 8);
	}
	v = msg_stamp_value(seq, MSG_TRAILER_SLOT);
	memcpy(p + len - 8, &v, 8);
}

/* Expected byte at offset i of message seq, for the every-byte check and for fault reports. */
IPCB_HOT static uint8_t msg_expected(size_t len, uint64_t seq, size_t i)
{
	uint64_t v;
	size_t slot_off;

	if (len < 16)
		return msg_small_byte(seq, i);
	if (i < 8) {
		v = msg_stamp_value(seq, 0);
		return ((const uint8_t *)&v)[i];
	}
	if (i >= len - 8) {
		v = msg_stamp_value(seq, MSG_TRAILER_SLOT);
		return ((const uint8_t *)&v)[i - (len - 8)];
	}
	slot_off = i - i % IPCB_MSG_STAMP_STRIDE;
	if (slot_off > 0 && i - slot_off < 8 && slot_off + 16 <= len) {
		v = msg_stamp_value(seq, slot_off / IPCB_MSG_STAMP_STRIDE);
		return ((const uint8_t *)&v)[i - slot_off];
	}
	return msg_pattern(i);
}

static int msg_fault_at(const uint8_t *p, size_t len, uint64_t seq, size_t i,
			struct ipcb_msg_fault *f)
{
	f->offset = i;
	snprintf(f->what, sizeof(f->what),
		 "message %" PRIu64 " (%zu bytes): byte %zu is 0x%02x, expected 0x%02x", seq, len,
		 i, p[i], msg_expected(len, seq, i));
	return -EBADMSG;
}

/* The header names the message that arrived: say what that means for the stream. */
static int msg_fault_header(uint64_t seq, uint64_t got, struct ipcb_msg_fault *f)
{
	f->header_seq_bad = true;
	f->got_seq = got;
	f->offset = 0;
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

IPCB_HOT static int msg_check_small(const uint8_t *p, size_t len, uint64_t seq,
				    struct ipcb_msg_fault *f)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != msg_small_byte(seq, i))
			return msg_fault_at(p, len, seq, i, f);
	return 0;
}

IPCB_HOT int ipcb_msg_check(const void *buf, size_t len, uint64_t seq, bool full,
			    struct ipcb_msg_fault *f)
{
	const uint8_t *p = buf;
	uint64_t v, want;
	size_t body;

	memset(f, 0, sizeof(*f));
	f->seq = seq;
	if (len < 16)
		return msg_check_small(p, len, seq, f);

	memcpy(&v, p, 8);
	if (v != msg_stamp_value(seq, 0))
		return msg_fault_header(seq, v, f);
	memcpy(&v, p + len - 8, 8);
	want = msg_stamp_value(seq, MSG_TRAILER_SLOT);
	if (v != want) {
		for (size_t i = len - 8; i < len; i++)
			if (p[i] != msg_expected(len, seq, i))
				return msg_fault_at(p, len, seq, i, f);
	}
	/* Bytes 8..15 hold the send time in messages that have room for it. */
	body = len >= IPCB_MSG_TIME_MIN ? 16 : 8;

	if (full) {
		for (size_t i = body; i < len - 8; i++)
			if (p[i] != msg_expected(len, seq, i))
				return msg_fault_at(p, len, seq, i, f);
		return 0;
	}
	/* Quick check: every stamp, plus the pattern bytes beside the header and the trailer. */
	for (size_t off = IPCB_MSG_STAMP_STRIDE; off + 16 <= len; off += IPCB_MSG_STAMP_STRIDE) {
		memcpy(&v, p + off, 8);
		if (v != msg_stamp_value(seq, off / IPCB_MSG_STAMP_STRIDE))
			for (size_t i = off; i < off + 8; i++)
				if (p[i] != msg_expected(len, seq, i))
					return msg_fault_at(p, len, seq, i, f);
	}
	for (size_t i = body; i < body + 8 && i < len - 8; i++)
		if (p[i] != msg_expected(len, seq, i))
			return msg_fault_at(p, len, seq, i, f);
	for (size_t i = len - 16 > body ? len - 16 : body; i < len - 8; i++)
		if (p[i] != msg_expected(len, seq, i))
			return msg_fault_at(p, len, seq, i, f);
	return 0;
}
