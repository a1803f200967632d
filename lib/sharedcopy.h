/* SPDX-License-Identifier: MIT */
/*
 * sharedcopy.h - ipcb_shared_copy(): a payload's copy into or out of memory another CPU reads or
 * wrote, as the shared-memory transports copy (transports/util/common.h) and the floors that
 * bound them (bench/engine/floorcopy.c) must copy too, or a floor would be slower than a transport.
 */
#ifndef IPCB_SHAREDCOPY_H
#define IPCB_SHAREDCOPY_H

#include <stddef.h>
#include <string.h>

#include "hot.h"

/*
 * glibc's x86 memcpy copies from a threshold up with `rep movsb` (2112 bytes on a CPU with fast
 * short `rep movsb`, more on others: `ld.so --list-tunables` shows it), which on the AMD EPYC
 * guest is slow when the lines come from, or go to, the other CPU's cache: a 4 KiB round trip
 * through the shm ring took 1.32 us with it and 0.95 us with glibc's vector loop instead
 * (GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0x10000000), and a 4 KiB stream ran at half
 * the rate. Calls of at most IPCB_SHARED_COPY_CALL bytes, under every such threshold, keep
 * glibc's vector loop on every CPU. Up to IPCB_SHARED_COPY_WHOLE only: larger copies, made of
 * some 500 such calls, ran 1 MiB streams 0.65-0.87 times as fast as one call
 * (docs/methodology.md).
 */
#define IPCB_SHARED_COPY_CALL  2048u
#define IPCB_SHARED_COPY_WHOLE (64u * 1024)

IPCB_HOT static inline void ipcb_shared_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n > IPCB_SHARED_COPY_CALL && n <= IPCB_SHARED_COPY_WHOLE) {
		memcpy(d, s, IPCB_SHARED_COPY_CALL);
		d += IPCB_SHARED_COPY_CALL;
		s += IPCB_SHARED_COPY_CALL;
		n -= IPCB_SHARED_COPY_CALL;
	}
	memcpy(d, s, n);
}

#endif
