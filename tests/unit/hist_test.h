/* SPDX-License-Identifier: MIT */
/* hist_test.h - what the histogram-based unit tests share: the hour range and a checked maker. */
#ifndef IPCB_HIST_TEST_H
#define IPCB_HIST_TEST_H

#include <stdint.h>
#include <stdlib.h>

#include "../tap.h"
#include "hist.h"

#define HOUR_NS (INT64_C(3600) * 1000 * 1000 * 1000)

/* A new histogram, or the test stops here: nothing after it could mean anything. */
static inline struct ipcb_hist *make(int64_t lowest, int64_t highest, int sig)
{
	struct ipcb_hist *h = NULL;
	int err = ipcb_hist_create(lowest, highest, sig, &h);

	if (err || !h) {
		ok(0, "create(%lld, %lld, %d) failed: %d", (long long)lowest, (long long)highest,
		   sig, err);
		exit(tap_done() | 1);
	}
	return h;
}

#endif
