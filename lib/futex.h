/* SPDX-License-Identifier: MIT */
/*
 * futex.h - what two processes spinning or sleeping on a word of shared memory need: futex wait
 * and wake on a 32-bit word (process-shared: no FUTEX_PRIVATE_FLAG), the pause hint for spin
 * loops, and a hint that moves a just-written cache line to where another CPU reads it fastest.
 * Used by the driver (start barrier, floors) and by the transports that wait on memory.
 */
#ifndef IPCB_FUTEX_H
#define IPCB_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

/* Sleep while *word == expected. 0 (woken, or the word had changed), or -errno other than
 * EAGAIN/EINTR. */
int ipcb_futex_wait(uint32_t *word, uint32_t expected);
/* Wake up to n sleepers on word: how many were woken, or -errno. */
int ipcb_futex_wake(uint32_t *word, int n);

/*
 * An asymmetric fence between processes (membarrier(2), the GLOBAL_EXPEDITED commands): a
 * process that registers (ipcb_membarrier_register) lets another one's ipcb_membarrier_fence()
 * run a full memory barrier on every CPU where a registered process is running, so that the
 * registered side's hot path needs only a compiler barrier where it would otherwise need a
 * fence. For protocols whose one side acts rarely (going to sleep) and whose other side acts on
 * every message (checking whether to wake it). Each returns 0 or -errno; available() says
 * whether the kernel offers it at all.
 */
bool ipcb_membarrier_available(void);
int ipcb_membarrier_register(void);
int ipcb_membarrier_fence(void);

/* Pause hint for spin loops: lets the sibling hyperthread run and saves power while polling. */
static inline void ipcb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * Hint that the cache line at p, just written, will be read next by another CPU: push it out of
 * this CPU's private caches to the shared one, so the reader's miss is served there instead of
 * by a snoop into this core (CLDEMOTE). Only a hint: where the CPU lacks it, the instruction is
 * one of x86's reserved no-ops; elsewhere nothing. Worth it for the one or two lines a reader
 * polls, not for bulk data, which the writer is still streaming through its own caches.
 */
static inline void ipcb_cache_demote(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("cldemote %0" ::"m"(*(const char *)p));
#else
	(void)p;
#endif
}

#endif
