/* SPDX-License-Identifier: MIT */
/*
 * test_sharedcopy.c - a shared ring's payload copy (transports/util/common.h, ipcb_shared_copy())
 * copies every byte, and only those, at every size where it changes how it calls memcpy: around
 * one call's bytes, around the largest copy it splits and past it, at every alignment of source
 * and destination a ring's slot and a message buffer can have between them; and so does the
 * streaming copy (ipcb_streamed_copy()), around its 16- and 64-byte steps and at unaligned ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "common.h"

enum { GUARD = 64, MOST = 1 << 20 };

typedef void copy_fn(void *dst, const void *src, size_t n);

/* Copies n bytes from src + so to dst + dso with copy; 0 when they and nothing else changed. */
static int copy_checked(copy_fn *copy, unsigned char *src, unsigned char *dst, size_t n, size_t so,
			size_t dso)
{
	size_t total = n + 2 * GUARD + 64;

	if (n > MOST)
		return -1;

	for (size_t i = 0; i < total; i++) {
		src[i] = (unsigned char)(i * 131 + 7);
		dst[i] = 0xee;
	}
	copy(dst + GUARD + dso, src + GUARD + so, n);
	for (size_t i = 0; i < total; i++) {
		size_t at = i - GUARD - dso;
		unsigned char want = i >= GUARD + dso && at < n ? src[GUARD + so + at] : 0xee;

		if (dst[i] != want)
			return -1;
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* copy at each size, at every pairing of the offsets for source and destination. */
static void check_sizes(const char *name, copy_fn *copy, unsigned char *src, unsigned char *dst,
			const size_t *sizes, size_t nsizes, const size_t *offs, size_t noffs)
{
	for (size_t i = 0; i < nsizes; i++) {
		int bad = 0;

		for (size_t a = 0; a < noffs; a++)
			for (size_t b = 0; b < noffs; b++)
				bad +=
				    copy_checked(copy, src, dst, sizes[i], offs[a], offs[b]) != 0;
		ok(bad == 0,
		   "%s, %zu bytes: every byte copied and none beside them, at %zu alignments "
		   "(%d wrong)",
		   name, sizes[i], noffs * noffs, bad);
	}
}

int main(void)
{
	const size_t call = IPCB_SHARED_COPY_CALL, whole = IPCB_SHARED_COPY_WHOLE;
	const size_t sizes[] = {0,	   1,	     63,	64,	      call - 1,
				call,	   call + 1, 2 * call,	2 * call + 1, 4096 + 8,
				whole - 1, whole,    whole + 1, whole + call, MOST};
	const size_t offsets[] = {0, 8, 16, 64};
	/* The streaming copy a ring's writer may choose (storechoice.h): its 16- and 64-byte
	 * steps, and unaligned ends. */
	const size_t streamed[] = {0, 1, 15, 16, 17, 63, 64, 65, 127, 4096, 4096 + 8, 65536, MOST};
	const size_t odd[] = {0, 1, 8, 16, 64};
	size_t most = MOST + 2 * GUARD + 64;
	unsigned char *src = malloc(most), *dst = malloc(most);

	if (!ok(src && dst, "buffers"))
		return tap_done();
	check_sizes("shared", ipcb_shared_copy, src, dst, sizes, N(sizes), offsets, N(offsets));
	check_sizes("streamed", ipcb_streamed_copy, src, dst, streamed, N(streamed), odd, N(odd));
	free(src);
	free(dst);
	return tap_done();
}
