/* SPDX-License-Identifier: MIT */
/*
 * kobjects.h - what a process's kernel objects are configured as, read back from the kernel:
 * the part of a run's work that instruction counts cannot see. Two builds whose sides hold the
 * same descriptions set their pipes, sockets, queues and shared mappings up alike; a pipe given a
 * 32 KiB buffer, a socket given TCP_NODELAY or another SO_SNDBUF, a ring mapped at another size
 * shows here, whatever the calls that did it (ipcbench --count, docs/ci-gate.md).
 *
 * Read back rather than traced: a setting made at set-up, in the parent before fork, or by a
 * library is where the kernel keeps it, and the description says nothing of how it got there,
 * so two builds that reach one configuration by different calls describe it alike.
 *
 * A description is a list of items sorted by name, each repeated one counted once
 * ("2 x pipe buffer 65536, unix stream sndbuf 212992 rcvbuf 212992 nonblock, shared map 69632
 * (posix shm)"); no descriptor number, inode, path or address is in it, so it is the same on
 * every run of one build.
 */
#ifndef IPCB_KOBJECTS_H
#define IPCB_KOBJECTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The objects a process's descriptors refer to at some moment, to leave out of a later
 * description: by the object (device and inode), not by the descriptor's number, which a child
 * may have closed and reused for an object of its own.
 */
#define IPCB_KOBJ_FDS 1024
struct ipcb_kobj_fdset {
	struct {
		uint64_t dev, ino;
	} obj[IPCB_KOBJ_FDS];
	size_t n;
};

/* The objects this process's descriptors refer to now (/proc/self/fd). 0, or a negative errno. */
int ipcb_kobj_fdset_now(struct ipcb_kobj_fdset *set);

/*
 * This process's open descriptors but 0 to 2 and those whose object is in `skip` (NULL: none),
 * and its shared mappings, described into out (n bytes, always terminated; a list cut short
 * ends in "..."). 0, or a negative errno when /proc could not be read (out then says which).
 */
int ipcb_kobj_describe(const struct ipcb_kobj_fdset *skip, char *out, size_t n);

/*
 * System V message queues and semaphore sets (which no descriptor or mapping shows) that exist
 * now and did not when `before` was taken: their ids, from /proc/sysvipc. A snapshot holds up
 * to IPCB_KOBJ_SYSV ids of each kind.
 */
#define IPCB_KOBJ_SYSV 256
struct ipcb_kobj_sysv {
	int msg[IPCB_KOBJ_SYSV], sem[IPCB_KOBJ_SYSV];
	size_t nmsg, nsem;
};
int ipcb_kobj_sysv_now(struct ipcb_kobj_sysv *s);
/* Those new since `before`, described as above ("sysv msg queue qbytes 16384"). */
int ipcb_kobj_sysv_describe(const struct ipcb_kobj_sysv *before, char *out, size_t n);

#endif /* IPCB_KOBJECTS_H */
