/* SPDX-License-Identifier: MIT */
/*
 * hot.h - IPCB_HOT, in front of the definition of every function the timed loops run: the loops
 * themselves, the transports' send and receive, the ring and slot helpers, the futex wait and
 * wake, message stamp and check, histogram recording. What hot code still calls outside the
 * section is libc (through the PLT, which does not move) and what runs only before the clock
 * starts or after a failure (set-up, barrier, error reports).
 *
 * Why: where a hot function lands decides how its instructions fall on cache lines, 32-byte
 * fetch and decoded-instruction-cache blocks, and branch-predictor slots. When hot code follows
 * cold code in the binary, a change to a transport's set-up moves every hot function after it by
 * a few bytes, and on some CPUs (Intel's jump-conditional-code erratum, loop stream limits) that
 * alone moves throughput by 15 %: the A/B gate would then blame a patch for code it never ran.
 *
 * So hot functions go to a section of their own, .text.ipcb_hot, each aligned to a cache line.
 * lib/hot.ld (a linker script fragment, INSERTed into the linker's default script by
 * meson.build) puts that section on a page boundary before .text, where no cold code can move
 * it, with its parts in link order. A change to cold code then leaves every hot address as it
 * was; a change to one hot function moves only the ones after it, by whole cache lines.
 * The build adds -falign-loops=32 and, where the assembler has it, -mbranches-within-32B-
 * boundaries for the same reason inside functions.
 */
#ifndef IPCB_HOT_H
#define IPCB_HOT_H

#define IPCB_HOT __attribute__((hot, section(".text.ipcb_hot"), aligned(64)))
/*
 * IPCB_HOT for a function built in several versions chosen when the program loads
 * (target_clones). Clang lets such a function have neither `hot` nor a section: built with
 * clang (the fuzzing builds), it stays with the cold code.
 */
#if defined(__clang__)
#define IPCB_HOT_CLONES
#else
#define IPCB_HOT_CLONES IPCB_HOT
#endif

#endif
