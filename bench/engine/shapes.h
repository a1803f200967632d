/* SPDX-License-Identifier: MIT */
/*
 * shapes.h - the loops of the load shapes beyond one message at a time (shapes.c): a window of
 * requests in flight or an open-loop rate with replies, an open-loop stream, streams both ways
 * at once, the receivers of a channel that several senders or receivers share, and the
 * receivers of a broadcast. Private to the engine.
 * Each returns 0 or a negative errno with err filled.
 */
#ifndef IPCB_SHAPES_H
#define IPCB_SHAPES_H

#include "area.h"

int ipcb_shape_window_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx,
			     char *err);
int ipcb_shape_open_stream_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, char *err);
int ipcb_shape_bistream(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx, char *err);
int ipcb_shape_fan_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err);
int ipcb_shape_bcast_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err);

#endif
