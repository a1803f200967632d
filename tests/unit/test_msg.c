/* SPDX-License-Identifier: MIT */
/*
 * test_msg.c - the message stamps and checks catch every kind of damage they promise to, and
 * each check scope covers exactly the bytes msg.h says it does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "msg.h"

static const size_t sizes[] = {1, 2, 7, 8, 15, 16, 17, 64, 4095, 4096, 4097, 8200, 65536, 1048576};

static int check(const void *buf, size_t len, uint64_t seq, enum ipcb_msg_scope scope)
{
	struct ipcb_msg_fault f;

	return ipcb_msg_check(buf, len, seq, scope, &f);
}

/* Is byte i of a len-byte message a stamp byte (header, 4 KiB stamp, send time, trailer)? */
static bool is_stamp_byte(size_t len, size_t i)
{
	size_t slot = i - i % IPCB_MSG_STAMP_STRIDE;

	if (len < 16 || i < 8 || i >= len - 8)
		return true;
	if (len >= IPCB_MSG_TIME_MIN && i < 16)
		return true;
	return slot > 0 && i - slot < 8 && slot + 16 <= len;
}

/*
 * Corrupt every byte of a len-byte message in turn: ALL must catch each, at that byte (the send
 * time's bytes are caught at the trailer they are folded into); STAMPS exactly the stamp bytes;
 * EDGES at least what STAMPS catches. Returns the number of wrong answers.
 */
static unsigned sweep_size(size_t len, uint64_t seq, uint64_t t_ns, bool last,
			   unsigned *edges_extra)
{
	unsigned char *m = malloc(len);
	unsigned wrong = 0;

	ipcb_msg_fill(m, len);
	ipcb_msg_stamp(m, len, seq);
	if (last)
		ipcb_msg_mark_last(m, len);
	if (len >= IPCB_MSG_TIME_MIN)
		ipcb_msg_set_time(m, len, t_ns);
	if (ipcb_msg_is_last(m, len, seq) != last) {
		tap_diag("%zu B: the last-message mark reads %d", len, !last);
		wrong++;
	}
	if (check(m, len, seq, IPCB_MSG_ALL) || check(m, len, seq, IPCB_MSG_EDGES) ||
	    check(m, len, seq, IPCB_MSG_STAMPS)) {
		tap_diag("%zu B: the intact message fails a check", len);
		free(m);
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		struct ipcb_msg_fault f;
		bool stamp = is_stamp_byte(len, i);
		bool time_byte = len >= IPCB_MSG_TIME_MIN && i >= 8 && i < 16;
		int all, edges, stamps;

		m[i] ^= 0x10;
		all = ipcb_msg_check(m, len, seq, IPCB_MSG_ALL, &f);
		if (all != -EBADMSG || (!time_byte && f.offset != i) ||
		    (time_byte && f.offset < len - 8)) {
			tap_diag("%zu B: byte %zu: full check says %d at %zu", len, i, all,
				 f.offset);
			wrong++;
		}
		stamps = check(m, len, seq, IPCB_MSG_STAMPS);
		if ((stamps == -EBADMSG) != stamp) {
			tap_diag("%zu B: byte %zu: stamp check says %d", len, i, stamps);
			wrong++;
		}
		edges = check(m, len, seq, IPCB_MSG_EDGES);
		if (stamp && edges != -EBADMSG) {
			tap_diag("%zu B: byte %zu: edge check misses a stamp byte", len, i);
			wrong++;
		}
		*edges_extra += !stamp && edges == -EBADMSG;
		m[i] ^= 0x10;
	}
	free(m);
	return wrong;
}

static void sweep(void)
{
	/*
	 * Around each 4 KiB boundary: the last page's stamp appears once the message holds it and
	 * the trailer (+16), at every alignment of the trailer. 4 KiB is swept 24 bytes either
	 * side; 8 and 12 KiB, whose earlier stamps 4 KiB has shown, from 8 below to 24 above. Every
	 * corrupted byte costs a full check up to it, so a length costs its square: 12 KiB +-24
	 * took most of this test's time, a minute under the sanitizers.
	 */
	static const struct {
		size_t at, below, above;
	} around[] = {{4096, 24, 24}, {8192, 8, 24}, {12288, 8, 24}};
	unsigned wrong = 0, n = 0, edges_extra = 0;

	for (int last = 0; last < 2; last++) {
		for (size_t len = 1; len <= 80; len++, n++)
			wrong +=
			    sweep_size(len, 1000 + len, 0x1122334455667788ull, last, &edges_extra);
		for (size_t k = 0; k < sizeof(around) / sizeof(around[0]); k++)
			for (size_t len = around[k].at - around[k].below;
			     len <= around[k].at + around[k].above; len++, n++)
				wrong += sweep_size(len, 77, 123456789, last, &edges_extra);
	}
	ok_eq(wrong, 0,
	      "every byte of %u messages (1-80 B, 4 KiB -24..+24 B, 8 and 12 KiB -8..+24 B, plain "
	      "and marked last) corrupted in turn: the full check catches each at its offset, the "
	      "stamp check exactly the stamp bytes",
	      n);
	ok(edges_extra > 0, "the edge check also catches pattern bytes next to the stamps (%u)",
	   edges_extra);
}

/* What each --verify level does with each message. */
static void levels(void)
{
	ok(ipcb_msg_scope_for(IPCB_VERIFY_FULL, 1, 1 << 20) == IPCB_MSG_ALL &&
	       ipcb_msg_scope_for(IPCB_VERIFY_HEADERS, 0, 64) == IPCB_MSG_STAMPS &&
	       ipcb_msg_scope_for(IPCB_VERIFY_HEADERS, 64, 1 << 20) == IPCB_MSG_STAMPS,
	   "full checks every byte of every message; headers only the stamps");
	ok(ipcb_msg_scope_for(IPCB_VERIFY_SAMPLED, 0, 1 << 20) == IPCB_MSG_ALL &&
	       ipcb_msg_scope_for(IPCB_VERIFY_SAMPLED, 64, 1 << 20) == IPCB_MSG_ALL &&
	       ipcb_msg_scope_for(IPCB_VERIFY_SAMPLED, 1, 1 << 20) == IPCB_MSG_EDGES &&
	       ipcb_msg_scope_for(IPCB_VERIFY_SAMPLED, 3, 64) == IPCB_MSG_ALL &&
	       ipcb_msg_scope_for(IPCB_VERIFY_SAMPLED, 3, 65) == IPCB_MSG_EDGES,
	   "sampled: every byte of every 64th message and of every message of 64 B or less");
	ok(strcmp(ipcb_verify_name(IPCB_VERIFY_SAMPLED), "sampled") == 0 &&
	       strcmp(ipcb_verify_name(IPCB_VERIFY_FULL), "full") == 0 &&
	       strcmp(ipcb_verify_name(IPCB_VERIFY_HEADERS), "headers") == 0,
	   "level names as --verify spells them");
}

int main(void)
{
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k];
		unsigned char *a = malloc(len), *b = malloc(len);
		struct ipcb_msg_fault f;

		ipcb_msg_fill(a, len);
		ipcb_msg_stamp(a, len, 1000);
		ok(check(a, len, 1000, IPCB_MSG_ALL) == 0 &&
		       check(a, len, 1000, IPCB_MSG_EDGES) == 0 &&
		       check(a, len, 1000, IPCB_MSG_STAMPS) == 0,
		   "%zu B: an intact message passes every check", len);
		ok_eq(check(a, len, 1001, IPCB_MSG_STAMPS), -EBADMSG,
		      "%zu B: next sequence number is caught", len);
		ok_eq(check(a, len, 999, IPCB_MSG_STAMPS), -EBADMSG,
		      "%zu B: previous sequence number is caught", len);

		/* A stale buffer: the previous message left in place. */
		memcpy(b, a, len);
		ipcb_msg_stamp(a, len, 1001);
		ok_eq(check(b, len, 1001, IPCB_MSG_STAMPS), -EBADMSG,
		      "%zu B: stale message is caught", len);

		/* Corruption in the middle is caught by the full check. */
		memcpy(b, a, len);
		b[len / 2] ^= 0x01;
		ok_eq(check(b, len, 1001, IPCB_MSG_ALL), -EBADMSG,
		      "%zu B: middle byte flip, full check", len);
		ipcb_msg_check(b, len, 1001, IPCB_MSG_ALL, &f);
		ok_eq(f.offset, len / 2, "%zu B: fault names the flipped offset", len);

		/* The last byte is a stamp byte: every check reads it. */
		memcpy(b, a, len);
		b[len - 1] ^= 0x80;
		ok_eq(check(b, len, 1001, IPCB_MSG_STAMPS), -EBADMSG,
		      "%zu B: last byte flip, stamp check", len);

		/* A truncated copy (tail missing, zeros) is caught. */
		if (len >= 16) {
			memcpy(b, a, len);
			memset(b + len - len / 4 - 1, 0, len / 4 + 1);
			ok_eq(check(b, len, 1001, IPCB_MSG_STAMPS), -EBADMSG,
			      "%zu B: zeroed tail is caught", len);
		}
		/* A copy shifted by one byte is caught. */
		if (len >= 2) {
			memmove(b, a + 1, len - 1);
			b[len - 1] = a[0];
			ok_eq(check(b, len, 1001, IPCB_MSG_ALL), -EBADMSG,
			      "%zu B: shifted copy is caught", len);
		}
		/* A copy shifted by a whole word keeps the stamps' shape but not the pattern's. */
		if (len >= 64) {
			memcpy(b, a, len);
			memmove(b + 24, a + 16, len - 32);
			ok_eq(check(b, len, 1001, IPCB_MSG_EDGES), -EBADMSG,
			      "%zu B: a body shifted by 8 bytes is caught by the edge check", len);
		}
		/* A stale page inside a big message: every check reads every 4 KiB stamp. */
		if (len >= 8200) {
			unsigned char *old = malloc(len);

			memcpy(old, a, len);
			ipcb_msg_stamp(old, len, 1000);
			memcpy(b, a, len);
			memcpy(b + 4096, old + 4096, 4096);
			ok_eq(check(b, len, 1001, IPCB_MSG_STAMPS), -EBADMSG,
			      "%zu B: one stale 4 KiB page is caught by the stamp check", len);
			free(old);
		}
		free(a);
		free(b);
	}

	/* The send time travels in bytes 8..15, folded into the trailer. */
	{
		unsigned char m[4096];

		ipcb_msg_fill(m, sizeof(m));
		ipcb_msg_stamp(m, sizeof(m), 3);
		ipcb_msg_set_time(m, sizeof(m), 123456789);
		ok(check(m, sizeof(m), 3, IPCB_MSG_ALL) == 0 &&
		       check(m, sizeof(m), 3, IPCB_MSG_STAMPS) == 0 &&
		       ipcb_msg_time(m) == 123456789,
		   "a send time in bytes 8..15 reads back and passes every check");
		ipcb_msg_set_time(m, sizeof(m), 987654321);
		ok(check(m, sizeof(m), 3, IPCB_MSG_ALL) == 0 && ipcb_msg_time(m) == 987654321,
		   "a send time replaced on the way (the echo's) keeps the message consistent");
		m[9] ^= 1;
		ok_eq(check(m, sizeof(m), 3, IPCB_MSG_STAMPS), -EBADMSG,
		      "a damaged send time is caught by the stamp check");
		m[9] ^= 1;
		m[16] ^= 1;
		ok_eq(check(m, sizeof(m), 3, IPCB_MSG_EDGES), -EBADMSG,
		      "the byte right after the send time is caught by the edge check");
		ipcb_msg_stamp(m, sizeof(m), 4);
		ok(ipcb_msg_time(m) == 0 && check(m, sizeof(m), 4, IPCB_MSG_STAMPS) == 0,
		   "stamping the next message clears the send time");
	}

	/* Lost, duplicated and reordered messages are named as such. */
	{
		unsigned char m[64];
		struct ipcb_msg_fault f;

		ipcb_msg_fill(m, sizeof(m));
		ipcb_msg_stamp(m, sizeof(m), 7);
		ipcb_msg_check(m, sizeof(m), 5, IPCB_MSG_STAMPS, &f);
		ok(strstr(f.what, "lost") != NULL, "a jump ahead is reported as lost (%s)", f.what);
		ipcb_msg_check(m, sizeof(m), 9, IPCB_MSG_STAMPS, &f);
		ok(strstr(f.what, "duplicate or reordered") != NULL,
		   "a step back is reported as duplicate or reordered (%s)", f.what);
	}
	/* The last message's mark: both copies must agree, so damage cannot fake or hide it. */
	{
		unsigned char m[256], small[7];

		ipcb_msg_fill(m, sizeof(m));
		ipcb_msg_stamp(m, sizeof(m), 9);
		ok(!ipcb_msg_is_last(m, sizeof(m), 9), "a stamped message is not the last");
		ipcb_msg_mark_last(m, sizeof(m));
		ok(ipcb_msg_is_last(m, sizeof(m), 9) && check(m, sizeof(m), 9, IPCB_MSG_ALL) == 0,
		   "a marked message says it is the last and passes the full check");
		m[7] ^= 0x80; /* the header's copy of the mark gone, the trailer's still there */
		ok_eq(check(m, sizeof(m), 9, IPCB_MSG_STAMPS), -EBADMSG,
		      "a mark damaged in the header alone is caught by the stamp check");
		m[7] ^= 0x80;
		m[sizeof(m) - 1] ^= 0x80;
		ok_eq(check(m, sizeof(m), 9, IPCB_MSG_STAMPS), -EBADMSG,
		      "a mark damaged in the trailer alone is caught by the stamp check");
		ipcb_msg_fill(small, sizeof(small));
		ipcb_msg_stamp(small, sizeof(small), 9);
		ipcb_msg_mark_last(small, sizeof(small));
		ok(ipcb_msg_is_last(small, sizeof(small), 9) &&
		       check(small, sizeof(small), 9, IPCB_MSG_ALL) == 0,
		   "a short marked message (inverted whole) says so and passes");
		small[3] ^= 0xff;
		ok_eq(check(small, sizeof(small), 9, IPCB_MSG_STAMPS), -EBADMSG,
		      "a short marked message with one byte not inverted is caught");
	}
	sweep();
	levels();
	return tap_done();
}
