/* SPDX-License-Identifier: MIT */
/*
 * closed.h - the closed loops: one sender and one receiver, each message sent when the one
 * before it is through. Private to the engine (body.c runs them, shapes.c's streams both ways
 * run the stream's two halves). Each returns 0 or a negative errno with err filled.
 */
#ifndef IPCB_CLOSED_H
#define IPCB_CLOSED_H

#include <stdbool.h>

#include "area.h"

/*
 * Latency mode's side A: send, wait for the echo, one histogram sample per round trip, then
 * check what came back; its side B: receive and send the very same bytes back.
 */
int ipcb_loop_latency_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, void *rx,
			     char *err);
int ipcb_loop_latency_echo(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err);
/*
 * Throughput mode: the stream's sender (which never reads the measuring clock) and its
 * receiver, timed first message to last. aux: a bistream's second thread (its own slot and
 * one-way histogram).
 */
int ipcb_loop_stream_sender(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *tx, char *err);
int ipcb_loop_stream_receiver(struct ipcb_run_ctx *c, struct ipcb_ep *ep, void *rx, char *err,
			      bool aux);

#endif
