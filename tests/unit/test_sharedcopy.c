/* SPDX-License-Identifier: MIT */
/*
 * test_sharedcopy.c - a shared ring's payload copy (transports/util/common.h, ipcb_shared_copy())
 * copies every byte, and only those, at every size where it changes how it calls memcpy: around
 * one call's bytes, around the largest copy it splits and past it, at every alignment of source
 * and destination a ring's slot and a message buffer can have between them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "common.h"

enum { GUARD = 64, MOST = 1 << 20 };

/* Copies n bytes from src + so to dst + dso; 0 when they and nothing else changed. */
static int copy_checked(unsigned char *src, unsigned char *dst, size_t n, size_t so, size_t dso)
{
	size_t total = n + 2 * GUARD + 64;

	if (n > MOST)
		return -1;

	for (size_t i = 0; i < total; i++) {
		src[i] = (unsigned char)(i * 131 + 7);
		dst[i] = 0xee;
	}
	ipcb_shared_copy(dst + GUARD + dso, src + GUARD + so, n);
	for (size_t i = 0; i < total; i++) {
		size_t at = i - GUARD - dso;
		unsigned char want = i >= GUARD + dso && at < n ? src[GUARD + so + at] : 0xee;

		if (dst[i] != want)
			return -1;
	}
	return 0;
}

int main(void)
{
	const size_t call = IPCB_SHARED_COPY_CALL, whole = IPCB_SHARED_COPY_WHOLE;
	const size_t sizes[] = {0,	   1,	     63,	64,	      call - 1,
				call,	   call + 1, 2 * call,	2 * call + 1, 4096 + 8,
				whole - 1, whole,    whole + 1, whole + call, MOST};
	const size_t offsets[] = {0, 8, 16, 64};
	size_t most = MOST + 2 * GUARD + 64;
	unsigned char *src = malloc(most), *dst = malloc(most);

	if (!ok(src && dst, "buffers"))
		return tap_done();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int bad = 0;

		for (size_t a = 0; a < 4; a++)
			for (size_t b = 0; b < 4; b++)
				bad +=
				    copy_checked(src, dst, sizes[i], offsets[a], offsets[b]) != 0;
		ok(bad == 0,
		   "%zu bytes: every byte copied and none beside them, at 16 alignments (%d wrong)",
		   sizes[i], bad);
	}
	free(src);
	free(dst);
	return tap_done();
}
