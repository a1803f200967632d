/* SPDX-License-Identifier: MIT */
/*
 * msg.h - what every ipcbench message carries, and how the receiver checks it.
 *
 * A message of `len` bytes is a fixed byte pattern (filled once, outside the timed loop) with the
 * message's sequence number stamped over it in 8-byte words: at the start (the header), at the end
 * (the trailer) and at every 4 KiB boundary in between. Each stamp is the sequence number mixed
 * with its position, so a message that arrives shifted, truncated, stale (an older message left in
 * a buffer), lost, duplicated or reordered fails the check. Messages shorter than 16 bytes carry
 * the sequence number folded into every byte instead.
 *
 * Messages of IPCB_MSG_TIME_MIN bytes or more also carry a send time in bytes 8..15 (for one-way
 * latency); the check does not compare those bytes with the pattern, the reader checks that the
 * time is plausible instead.
 *
 * Stamping costs len/4096 + 2 stores, so it does not distort a transport's cost; the quick check
 * reads the stamps and the pattern bytes next to them; the full check compares every byte and runs
 * on a sample of messages (ipcb_msg_full_due()).
 */
#ifndef IPCB_MSG_H
#define IPCB_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hot.h"

#define IPCB_MSG_STAMP_STRIDE 4096u
/* Smallest message with room for a send time beside its header and trailer. */
#define IPCB_MSG_TIME_MIN 24u
/* Every this many messages the receiver compares every byte. */
#define IPCB_MSG_FULL_EVERY 64u

/* Why a message failed its check. */
struct ipcb_msg_fault {
	uint64_t seq;	     /* the sequence number the receiver expected */
	size_t offset;	     /* first byte found wrong */
	uint64_t got_seq;    /* what the header said, when it could be read */
	bool header_seq_bad; /* the header carries another sequence number */
	char what[160];	     /* one line: "lost messages 5..6", "byte 70 is 0x12, expected 0x34" */
};

/* Fill buf with the fixed pattern: once per buffer, outside the timed loop. */
void ipcb_msg_fill(void *buf, size_t len);
/* Stamp sequence number seq into a buffer previously filled with ipcb_msg_fill(). */
void ipcb_msg_stamp(void *buf, size_t len, uint64_t seq);
/* Does message seq get the every-byte check? */
static inline bool ipcb_msg_full_due(uint64_t seq, size_t len)
{
	return len <= 64 || seq % IPCB_MSG_FULL_EVERY == 0;
}
/* Write / read the send time (ns) of a message of at least IPCB_MSG_TIME_MIN bytes. */
static inline void ipcb_msg_set_time(void *buf, uint64_t t_ns)
{
	__builtin_memcpy((unsigned char *)buf + 8, &t_ns, 8);
}
static inline uint64_t ipcb_msg_time(const void *buf)
{
	uint64_t t;

	__builtin_memcpy(&t, (const unsigned char *)buf + 8, 8);
	return t;
}
/* Check a received message: 0, or -EBADMSG with *f describing the first fault. */
int ipcb_msg_check(const void *buf, size_t len, uint64_t seq, bool full, struct ipcb_msg_fault *f);

#endif
