/* SPDX-License-Identifier: MIT */
/*
 * cachesize.h - how large one CPU's own caches are, as the kernel reports them.
 *
 * A shared-memory ring is laid out from this (transports/util/ring.c): what decides how fast a
 * large message crosses from one CPU to another is whether the lines the reader takes are still
 * in the writer's private caches, and that depends on how large those are, which differs from
 * one CPU model to the next.
 */
#ifndef IPCB_CACHESIZE_H
#define IPCB_CACHESIZE_H

#include <stddef.h>

/*
 * Bytes of the largest data or unified cache that serves CPU `cpu` alone (its shared_cpu_list
 * names no CPU of another core: SMT siblings share it), read under `root` (NULL: "/sys/devices/
 * system"; a test passes a tree of its own). 0 when the kernel says nothing about it.
 */
size_t ipcb_cache_private_bytes(const char *root, int cpu);

#endif
