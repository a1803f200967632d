/* SPDX-License-Identifier: MIT */
/*
 * floor.h - what the hardware allows, measured by the same harness on the same CPUs, so every
 * transport's row can be read as a multiple of it.
 *
 * - cache line: two processes pinned like a run bounce one shared cache line with both spinning;
 *   its round trip is the fastest any shared-memory handshake between those CPUs can be.
 * - memcpy: one CPU copying `size` bytes between two private buffers; the most a transport that
 *   copies the payload once can reach per CPU.
 */
#ifndef IPCB_FLOOR_H
#define IPCB_FLOOR_H

#include "run.h"

/* Round-trip histogram of a bare cache-line ping-pong. Same return convention as ipcb_run_one. */
int ipcb_floor_cacheline(const struct ipcb_run_spec *s, struct ipcb_run_result *r);
/* memcpy bandwidth of s->size_bytes on s->cpu[IPCB_SENDER]; fills bytes_per_s, msgs_per_s. */
int ipcb_floor_memcpy(const struct ipcb_run_spec *s, struct ipcb_run_result *r);

#endif
