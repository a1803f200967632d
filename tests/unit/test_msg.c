/* SPDX-License-Identifier: MIT */
/* test_msg.c - the message stamps and checks catch every kind of damage they promise to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "msg.h"

static const size_t sizes[] = {1, 2, 7, 8, 15, 16, 17, 64, 4095, 4096, 4097, 8200, 65536, 1048576};

static int check(const void *buf, size_t len, uint64_t seq, bool full)
{
	struct ipcb_msg_fault f;

	return ipcb_msg_check(buf, len, seq, full, &f);
}

int main(void)
{
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k];
		unsigned char *a = malloc(len), *b = malloc(len);
		struct ipcb_msg_fault f;

		ipcb_msg_fill(a, len);
		ipcb_msg_stamp(a, len, 1000);
		ok_eq(check(a, len, 1000, true), 0, "%zu B: intact message passes the full check",
		      len);
		ok_eq(check(a, len, 1000, false), 0, "%zu B: intact message passes the quick check",
		      len);
		ok_eq(check(a, len, 1001, false), -EBADMSG, "%zu B: next sequence number is caught",
		      len);
		ok_eq(check(a, len, 999, false), -EBADMSG,
		      "%zu B: previous sequence number is caught", len);

		/* A stale buffer: the previous message left in place. */
		memcpy(b, a, len);
		ipcb_msg_stamp(a, len, 1001);
		ok_eq(check(b, len, 1001, false), -EBADMSG, "%zu B: stale message is caught", len);

		/* Corruption in the middle is caught by the full check. */
		memcpy(b, a, len);
		b[len / 2] ^= 0x01;
		ok_eq(check(b, len, 1001, true), -EBADMSG, "%zu B: middle byte flip, full check",
		      len);
		ipcb_msg_check(b, len, 1001, true, &f);
		ok_eq(f.offset, len / 2, "%zu B: fault names the flipped offset", len);

		/* The last byte is checked by both checks. */
		memcpy(b, a, len);
		b[len - 1] ^= 0x80;
		ok_eq(check(b, len, 1001, false), -EBADMSG, "%zu B: last byte flip, quick check",
		      len);

		/* A truncated copy (tail missing, zeros) is caught. */
		if (len >= 16) {
			memcpy(b, a, len);
			memset(b + len - len / 4 - 1, 0, len / 4 + 1);
			ok_eq(check(b, len, 1001, false), -EBADMSG, "%zu B: zeroed tail is caught",
			      len);
		}
		/* A copy shifted by one byte is caught. */
		if (len >= 2) {
			memmove(b, a + 1, len - 1);
			b[len - 1] = a[0];
			ok_eq(check(b, len, 1001, true), -EBADMSG, "%zu B: shifted copy is caught",
			      len);
		}
		/* A stale page inside a big message: the quick check reads every 4 KiB stamp. */
		if (len >= 8200) {
			unsigned char *old = malloc(len);

			memcpy(old, a, len);
			ipcb_msg_stamp(old, len, 1000);
			memcpy(b, a, len);
			memcpy(b + 4096, old + 4096, 4096);
			ok_eq(check(b, len, 1001, false), -EBADMSG,
			      "%zu B: one stale 4 KiB page is caught by the quick check", len);
			free(old);
		}
		free(a);
		free(b);
	}

	/* The send time travels in bytes 8..15 without disturbing the check. */
	{
		unsigned char m[4096];

		ipcb_msg_fill(m, sizeof(m));
		ipcb_msg_stamp(m, sizeof(m), 3);
		ipcb_msg_set_time(m, 123456789);
		ok(check(m, sizeof(m), 3, true) == 0 && check(m, sizeof(m), 3, false) == 0 &&
		       ipcb_msg_time(m) == 123456789,
		   "a send time in bytes 8..15 reads back and passes both checks");
		m[16] ^= 1;
		ok_eq(check(m, sizeof(m), 3, false), -EBADMSG,
		      "the byte right after the send time is still checked");
	}

	/* Lost, duplicated and reordered messages are named as such. */
	{
		unsigned char m[64];
		struct ipcb_msg_fault f;

		ipcb_msg_fill(m, sizeof(m));
		ipcb_msg_stamp(m, sizeof(m), 7);
		ipcb_msg_check(m, sizeof(m), 5, false, &f);
		ok(strstr(f.what, "lost") != NULL, "a jump ahead is reported as lost (%s)", f.what);
		ipcb_msg_check(m, sizeof(m), 9, false, &f);
		ok(strstr(f.what, "duplicate or reordered") != NULL,
		   "a step back is reported as duplicate or reordered (%s)", f.what);
	}
	ok(ipcb_msg_full_due(0, 1 << 20) && ipcb_msg_full_due(64, 1 << 20) &&
	       !ipcb_msg_full_due(1, 1 << 20) && ipcb_msg_full_due(3, 64),
	   "full checks: every 64th large message, every small one");
	return tap_done();
}
