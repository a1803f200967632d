/* SPDX-License-Identifier: MIT */
/*
 * msg.h - what every ipcbench message carries, and how it is checked.
 *
 * A message of `len` bytes (16 or more) is a fixed pattern, filled once outside the timed loop,
 * with the message's sequence number stamped over it in 8-byte words:
 *
 *   [0, 8)            the header: the sequence number mixed with its position
 *   [8, 16)           the send time in ns, in messages of IPCB_MSG_TIME_MIN bytes or more
 *                     (0 when the message carries none)
 *   [4096 k, +8)      a stamp at every 4 KiB boundary that leaves room for the trailer
 *   [len - 8, len)    the trailer: the sequence number mixed with its position, XOR the send time
 *   everything else   the pattern: 8-byte words PAT(w) = base + w * step, w = offset / 8
 *
 * Each stamp differs by position and sequence number, so a message that arrives shifted,
 * truncated, stale (an older message left in a buffer), lost, duplicated or reordered fails.
 * The send time is folded into the trailer, so no byte escapes every check: damage to the time
 * changes what the trailer must be. Messages shorter than 16 bytes carry the sequence number
 * folded into every byte instead.
 *
 * Three scopes of check, from cheapest:
 *   STAMPS  the header, every 4 KiB stamp and the trailer (with the time); all of a short message
 *   EDGES   STAMPS plus the pattern bytes next to the header and the trailer
 *   ALL     every byte: words compared with the pattern computed on the fly (no second buffer,
 *           no per-byte branch), so it runs at the speed of reading the message
 * and three --verify levels that choose a scope per message: `headers` (STAMPS always),
 * `sampled` (ALL every IPCB_MSG_FULL_EVERY-th message and every message of 64 B or less, EDGES
 * otherwise; the default) and `full` (ALL always).
 *
 * Stamping costs len/4096 + 3 stores, the send time a load and two stores.
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
/* Under --verify sampled, every this many messages get every byte compared. */
#define IPCB_MSG_FULL_EVERY 64u
/*
 * The mark of the run's last message, XORed into its header and its trailer (msg.c). Sequence
 * numbers never reach bit 63.
 */
#define IPCB_MSG_LAST_BIT 0x8000000000000000ull

/* How much of one message a check reads (see the top of this file). */
enum ipcb_msg_scope {
	IPCB_MSG_STAMPS = 0,
	IPCB_MSG_EDGES,
	IPCB_MSG_ALL,
};

/* --verify: which scope each message gets (the default is 0). */
enum ipcb_verify {
	IPCB_VERIFY_SAMPLED = 0,
	IPCB_VERIFY_HEADERS,
	IPCB_VERIFY_FULL,
};

const char *ipcb_verify_name(enum ipcb_verify v);

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
/* Stamp sequence number seq into a buffer filled with ipcb_msg_fill(); the send time is 0. */
void ipcb_msg_stamp(void *buf, size_t len, uint64_t seq);

/*
 * Mark a stamped message as the run's last: the receiver learns the end from the message itself
 * (its header and trailer carry the mark; below 16 bytes the whole message is inverted), so no
 * side needs memory shared with the other to know the run is over. A marked message passes the
 * checks as message seq; ipcb_msg_is_last() says whether it is marked (read it once the message
 * is checked, or let the other side's check catch a damaged mark).
 */
void ipcb_msg_mark_last(void *buf, size_t len);
/* A message of under 16 bytes: is it the inverted one (msg.c)? */
bool ipcb_msg_is_last_short(const void *buf, uint64_t seq);
/* Inline: the echo asks it of every message, inside the round trip it answers. */
static inline bool ipcb_msg_is_last(const void *buf, size_t len, uint64_t seq)
{
	uint64_t h;

	if (len < 16)
		return ipcb_msg_is_last_short(buf, seq);
	__builtin_memcpy(&h, buf, 8);
	return (h & IPCB_MSG_LAST_BIT) != 0;
}

/* The scope message seq of len bytes gets under verify level v. */
static inline enum ipcb_msg_scope ipcb_msg_scope_for(enum ipcb_verify v, uint64_t seq, size_t len)
{
	if (v == IPCB_VERIFY_FULL)
		return IPCB_MSG_ALL;
	if (v == IPCB_VERIFY_HEADERS)
		return IPCB_MSG_STAMPS;
	return len <= 64 || seq % IPCB_MSG_FULL_EVERY == 0 ? IPCB_MSG_ALL : IPCB_MSG_EDGES;
}

/*
 * This process's clock minus the clock that message times are written in: 0 when every side
 * reads one host's clock. Across two hosts the sides on the peer's host set it to their clock's
 * offset from the driver's host (bench/remote/remote.h), so that times travel in the driver's clock
 * and each one-way delay is measured against it.
 */
extern int64_t ipcb_msg_clock_shift_ns;

/*
 * Replace the send time (ns, this process's clock) of a stamped message of len >=
 * IPCB_MSG_TIME_MIN bytes, keeping the trailer consistent with it: the trailer changes by the XOR
 * of the old and the new time.
 */
static inline void ipcb_msg_set_time(void *buf, size_t len, uint64_t t_ns)
{
	unsigned char *p = buf;
	uint64_t old, tr;

	t_ns -= (uint64_t)ipcb_msg_clock_shift_ns;
	__builtin_memcpy(&old, p + 8, 8);
	__builtin_memcpy(&tr, p + len - 8, 8);
	tr ^= old ^ t_ns;
	__builtin_memcpy(p + 8, &t_ns, 8);
	__builtin_memcpy(p + len - 8, &tr, 8);
}

/* A message's send time on this process's clock; 0: the message carries none. */
static inline uint64_t ipcb_msg_time(const void *buf)
{
	uint64_t t;

	__builtin_memcpy(&t, (const unsigned char *)buf + 8, 8);
	return t ? t + (uint64_t)ipcb_msg_clock_shift_ns : 0;
}

/*
 * The sequence number a message of 16 bytes or more says it is (its header, without the mark of
 * the last): for a receiver that cannot know which message comes next (one of several senders'),
 * to check the message against with ipcb_msg_check(), which catches a damaged header.
 */
static inline uint64_t ipcb_msg_header_seq(const void *buf)
{
	uint64_t h;

	__builtin_memcpy(&h, buf, 8);
	return h & ~IPCB_MSG_LAST_BIT;
}

/* Check a received message: 0, or -EBADMSG with *f describing the first fault. */
int ipcb_msg_check(const void *buf, size_t len, uint64_t seq, enum ipcb_msg_scope scope,
		   struct ipcb_msg_fault *f);

#endif
