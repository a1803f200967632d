/* SPDX-License-Identifier: MIT */
/*
 * wire.h - the messages of a remote peer's control connection (`ipcbench serve` and a driver
 * with --peer, bench/remote.h), their encoding and a parser that trusts nothing.
 *
 * A message on the wire is a frame: a 4-byte big-endian length, then that many bytes of body:
 * one byte of type, then the type's fields in a fixed order. Integers are big-endian, doubles
 * their IEEE 754 bits as a 64-bit integer, strings a 2-byte length and that many bytes (no NUL,
 * no control character), fixed byte strings just their bytes. A body is at most
 * IPCB_WIRE_MAX_BODY bytes; a receiver refuses a longer frame before reading it.
 *
 * ipcb_wire_decode() checks every field (lengths against what the destination holds, values
 * against their ranges: an enum's members, finite non-negative doubles, counts against their
 * arrays, histogram entries in order and adding up) and that nothing is left over; anything
 * else is -EBADMSG with `why` saying which field of which message is wrong. Limits that are the
 * server's choice (the largest size, the longest run) are checked by the server, not here.
 */
#ifndef IPCB_WIRE_H
#define IPCB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "sysinfo.h"
#include "transport.h"

/* The protocol's version: both ends must speak the same one (and be the same build). */
#define IPCB_WIRE_PROTO	   3
#define IPCB_WIRE_MAX_BODY (8u << 20)
#define IPCB_WIRE_NONCE	   32
#define IPCB_WIRE_MAC	   32
#define IPCB_WIRE_TEXT	   400 /* the longest error text */
#define IPCB_WIRE_MAX_CPUS 1024
#define IPCB_WIRE_HISTS	   8  /* histograms one result may carry */
#define IPCB_WIRE_SETTINGS 32 /* the driver's settings one run may carry */

enum ipcb_wire_type {
	IPCB_WIRE_HELLO = 1, /* server: who it is, a challenge, its limits */
	IPCB_WIRE_AUTH,	     /* client: who it is, the response, its own challenge */
	IPCB_WIRE_WELCOME,   /* server: its response, fingerprint, CPUs, network */
	IPCB_WIRE_ERROR,     /* either: what failed, one line; the connection ends */
	IPCB_WIRE_CLOCK,     /* client: t1; server: t1 back with its t2 (arrival), t3 (reply) */
	IPCB_WIRE_RUN,	     /* client: one run's settings */
	IPCB_WIRE_ACCEPT,    /* server: the run can go (its largest message in one operation) */
	IPCB_WIRE_START,  /* client: go, with the shift from the server's clock to the client's */
	IPCB_WIRE_ADDR,	  /* server: how its side is reached */
	IPCB_WIRE_READY,  /* server: its side is past the start barrier */
	IPCB_WIRE_DONE,	  /* either: this host's sides are done measuring */
	IPCB_WIRE_RESULT, /* server: what its side measured */
	IPCB_WIRE_BYE,	  /* client: the connection ends */
	IPCB_WIRE_TYPES,
};

/*
 * One run, as the server's side needs it: what the point of the plan is (the transport, mode,
 * size, shape, its options' values and the server's CPU), then the driver's settings the peer
 * needs, each as 64 bits in the order of the driver's option table (lib/cliopt.h: the rows
 * marked peer, packed from the run's spec and unpacked into the server's by those same rows).
 */
struct ipcb_wire_run {
	char transport[64];
	uint8_t mode, bidirectional;
	uint64_t size_bytes, chunk_bytes;
	uint32_t inflight;
	double rate;
	uint32_t nopt;
	uint64_t opt[IPCB_MAX_OPTIONS];
	int32_t cpu; /* the server's side's CPU; -1 unpinned */
	uint32_t nset;
	uint64_t set[IPCB_WIRE_SETTINGS];
};

/* One thread's counters of a side (runloop.h's struct ipcb_run_side). */
struct ipcb_wire_side {
	uint64_t clock_anomalies;
	double cpu_s;
	int64_t ctx_switches, ctx_involuntary;
	uint64_t t_first_ns, t_last_ns, messages, full_checks, segments;
	uint8_t segments_ok;
	int32_t cpu_seen;
	uint64_t late, sent, received;
};

/* A histogram: its layout, totals, and its non-zero counts as (index, count) pairs. */
struct ipcb_wire_hist {
	int64_t lowest, highest;
	int32_t sig_figs;
	int64_t total, min, max, out_of_range;
	uint32_t nnz;
	const unsigned char *pairs; /* into the body decoded: nnz x (u32 index, u64 count) */
};

struct ipcb_wire_result {
	struct ipcb_wire_side side[2]; /* the side's main thread, its second thread */
	uint32_t nhist;
	struct ipcb_wire_hist hist[IPCB_WIRE_HISTS];
};

struct ipcb_wire_msg {
	enum ipcb_wire_type type;
	union {
		struct {
			uint32_t proto;
			uint8_t little_endian;
			char version[64];
			unsigned char nonce[IPCB_WIRE_NONCE];
			uint64_t max_size, max_duration_ns, max_timeout_ms, max_messages;
		} hello;
		struct {
			uint32_t proto;
			uint8_t little_endian;
			char version[64];
			unsigned char nonce[IPCB_WIRE_NONCE];
			unsigned char mac[IPCB_WIRE_MAC];
		} auth;
		struct {
			unsigned char mac[IPCB_WIRE_MAC];
			struct ipcb_sysinfo si;
			uint32_t ncpus;
			uint16_t cpus[IPCB_WIRE_MAX_CPUS]; /* the CPUs its sides may be pinned to */
			char net[200]; /* its end of the path: address, device */
		} welcome;
		struct {
			char text[IPCB_WIRE_TEXT];
			uint64_t when_ns; /* when it failed, on the driver's clock; 0: not said */
		} error;
		struct {
			uint64_t t1, t2, t3;
		} clock;
		struct ipcb_wire_run run;
		struct {
			uint64_t max_msg_bytes; /* 0: no limit */
		} accept;
		struct {
			int64_t shift_ns;
		} start;
		struct {
			struct ipcb_addr addr;
		} addr;
		struct ipcb_wire_result result;
	};
};

/*
 * n zeroed messages on the heap (free() them): a message is some 3 KB, a WELCOME's CPU list
 * mostly, too much to keep on a stack that may be small (ulimit -s). NULL when memory ran out.
 */
struct ipcb_wire_msg *ipcb_wire_msgs_new(size_t n);

/* ---- encoding ---- */

/* A message being built: grows as needed; `failed` once memory ran out or it got too long. */
struct ipcb_wbuf {
	unsigned char *p;
	size_t len, cap;
	bool failed;
};

/* Start a message of `type`, leaving room for its frame's length. */
void ipcb_wbuf_start(struct ipcb_wbuf *b, enum ipcb_wire_type type);
void ipcb_wbuf_free(struct ipcb_wbuf *b);
/*
 * The whole frame (length and body) of a message built with ipcb_wbuf_start() and the put
 * functions: 0 with *frame and *len set, or -ENOMEM / -EMSGSIZE.
 */
int ipcb_wbuf_frame(struct ipcb_wbuf *b, const unsigned char **frame, size_t *len);

/* Encode a whole message (every field of m's type). 0 or -ENOMEM / -EMSGSIZE / -EINVAL. */
int ipcb_wire_encode(struct ipcb_wbuf *b, const struct ipcb_wire_msg *m);
/* A RESULT's histogram from a histogram (it becomes hist[r->nhist++] when encoded). */
void ipcb_wire_hist_from(struct ipcb_wire_hist *wh, const struct ipcb_hist *h);
/* Encode a RESULT whose histograms come straight from `hists` (nhist of them). */
int ipcb_wire_encode_result(struct ipcb_wbuf *b, const struct ipcb_wire_side side[2],
			    const struct ipcb_hist *const *hists, uint32_t nhist);

/* ---- decoding ---- */

/* The frame's length from its first 4 bytes: the body's size, checked by the caller. */
uint32_t ipcb_wire_frame_len(const unsigned char hdr[4]);
/*
 * Decode one body (without its length). 0, or -EBADMSG with why saying what is wrong. A RESULT's
 * histogram entries point into `body`, which must outlive their use.
 */
int ipcb_wire_decode(const unsigned char *body, size_t len, struct ipcb_wire_msg *m, char *why,
		     size_t why_bytes);
/*
 * Put a decoded histogram into h, which must have the same layout (lowest, highest, significant
 * figures) and be empty. 0, or -EBADMSG with why (another layout, an index past its counts).
 */
int ipcb_wire_hist_apply(const struct ipcb_wire_hist *wh, struct ipcb_hist *h, char *why,
			 size_t why_bytes);
/* "HELLO", "RUN", ...: a type's name for messages ("message 77" past the list). */
const char *ipcb_wire_type_name(unsigned type, char *buf, size_t n);

#endif
