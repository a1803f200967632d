/* SPDX-License-Identifier: MIT */
/*
 * sysbytes.h - the bytes each side of a run handed to the kernel and took from it, read from a
 * trace of its system calls (strace -f): the part of a run's work that happens inside the calls,
 * which instruction counts cannot see and the calls' names alone do not weigh (a write of a
 * 64 KiB message and one of 64 KiB and a header are one write each).
 *
 * Each side marks its measured part in the trace (lib/count.h, ipcb_count_begin_trace()); every
 * call of that side's process (any of its threads, a library's I/O thread too) between its marks
 * counts, by what the kernel reports it moved: a read's or a write's result, a message queue
 * send's length. Calls that wait and find nothing (EAGAIN) move nothing. Exact: the same code
 * moving the same messages gives the same bytes, however its calls were split by timing.
 */
#ifndef IPCB_SYSBYTES_H
#define IPCB_SYSBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The system calls to trace (strace -e trace=...): those that move a caller's bytes, and those
 * that make a thread or a process (which side a later call is of). msgsnd's and mq_timedsend's
 * lengths are read from their arguments, so strace must print those raw (IPCB_SYSBYTES_RAW).
 */
#define IPCB_SYSBYTES_TRACE                                                                        \
	"read,readv,pread64,preadv,preadv2,recvfrom,recvmsg,recvmmsg,msgrcv,mq_timedreceive,"      \
	"process_vm_readv,write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,msgsnd,"  \
	"mq_timedsend,vmsplice,splice,tee,sendfile,copy_file_range,process_vm_writev,"             \
	"io_uring_enter,clone,clone3,fork,vfork"
#define IPCB_SYSBYTES_RAW "msgsnd,mq_timedsend"
/* strace's -s: long enough for a mark's text. */
#define IPCB_SYSBYTES_STRSIZE "160"

/* What one side moved in its measured part. */
struct ipcb_sysbytes_side {
	char tag[64];
	unsigned side;
	uint64_t messages;  /* as its stop mark says */
	uint64_t out, in;   /* bytes handed to the kernel, bytes taken from it */
	uint64_t unseen;    /* calls whose bytes a trace does not show (io_uring_enter) */
	bool started, done; /* its start and stop marks were seen */
};

/*
 * Read an `strace -f -o FILE` trace (each line headed by its thread's id) into the sides it
 * marks: *sides (malloc'd, the caller frees it) and *n. 0, or a negative errno with err saying
 * what (a line too long to read, no memory).
 */
int ipcb_sysbytes_read(FILE *trace, struct ipcb_sysbytes_side **sides, size_t *n, char *err,
		       size_t errlen);

#endif /* IPCB_SYSBYTES_H */
