/* SPDX-License-Identifier: MIT */
/*
 * sizes.h - bounds that the driver, the analysis and the tests agree on: the largest message,
 * the longest list an option takes, the length of one error line.
 */
#ifndef IPCB_SIZES_H
#define IPCB_SIZES_H

#define IPCB_MAX_LIST	    64
#define IPCB_MAX_SIZE_BYTES (1ull << 30) /* 1G: two buffers per side must fit in memory */
#define IPCB_ERR_BYTES	    512

#endif
