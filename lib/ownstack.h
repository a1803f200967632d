/* SPDX-License-Identifier: MIT */
/*
 * ownstack.h - call a function on a stack of its own.
 *
 * For code whose stack is not ours to size, a library's (hiredis reads each reply through a
 * 16 KiB buffer on the stack), called from a thread whose stack may be small: ulimit -s bounds
 * how far the main thread's stack may grow, whereas a thread's stack is allocated whole at the
 * size asked for.
 */
#ifndef IPCB_OWNSTACK_H
#define IPCB_OWNSTACK_H

#include <stddef.h>

/* The stack the driver gives library code it calls (a server's hooks, a channel's set-up). */
#define IPCB_OWNSTACK_BYTES (1u << 20)

/*
 * Call fn(arg) on a thread with a stack of `bytes` and wait for it to return. The thread starts
 * with the caller's signal mask. Without a thread (no memory, no process to spare) fn runs on
 * the caller's stack instead.
 */
void ipcb_ownstack_call(void (*fn)(void *arg), void *arg, size_t bytes);

#endif
