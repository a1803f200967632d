/* SPDX-License-Identifier: MIT */
/*
 * floorint.h - what the floors' files (floor.c, floorcopy.c) share: the launch of a floor's two
 * sides and the histogram of batches that a floor which copies or calls in batches takes its
 * rate from (floortrips.h has a round-trip floor's account). Not for the rest of the engine:
 * floor.h is the floors' face.
 */
#ifndef IPCB_FLOORINT_H
#define IPCB_FLOORINT_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "launcher.h"

/*
 * Launch the two sides of a floor, a sender and a receiver, on cpu[0] and cpu[1], each running
 * body(arg) over area; `what` names their processes (ipcb-floor-snd, ipcb-clock-rcv). The
 * launcher's error into error, the signal a side died of into *signal_out; 0 or -errno.
 */
int ipcb_floor_launch(const struct ipcb_launcher *ln, const char *what, const int cpu[2],
		      double timeout_s, ipcb_side_fn body, void *arg, void *area, char *error,
		      size_t error_bytes, int *signal_out);
/*
 * The batches' histogram (floor.c says why a floor times its batches): its bytes (a multiple of
 * 64), its set-up in place, and the operations a second over the batches the host did not hold
 * up, ops each (0 when none was timed).
 */
size_t ipcb_floor_batches_bytes(void);
void ipcb_floor_batches_init(struct ipcb_hist *h);
double ipcb_floor_batches_rate(const struct ipcb_hist *h, uint64_t ops);

#endif /* IPCB_FLOORINT_H */
