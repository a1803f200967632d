/* SPDX-License-Identifier: MIT */
/* count.c - a counted side's switches of callgrind's collection; see count.h. */
#include "count.h"

#include <stdio.h>
#include <unistd.h>

#ifdef IPCB_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

bool ipcb_counting;
bool ipcb_count_in_transport;

static struct {
	char tag[96];
	unsigned side;
	unsigned depth;	 /* nested waits */
	uint64_t waits;	 /* waits marked while counting */
	uint64_t twaits; /* of them, inside the transport's hooks */
	bool collecting; /* between ipcb_count_start() and ipcb_count_stop() */
	bool trace;	 /* marks for strace instead of callgrind's switches */
} cs;

/* A mark in the trace: a write to no descriptor, which strace shows with its text. */
static void trace_mark(const char *what)
{
	char text[160];
	int n =
	    snprintf(text, sizeof(text), IPCB_COUNT_MARK "%s side %u %s", cs.tag, cs.side, what);
	ssize_t rc;

	if (n > 0)
		rc = write(-1, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
	(void)rc;
}

/*
 * AddressSanitizer's runtime must be the first library a process loads, and valgrind loads its
 * own before it: a sanitized ipcbench dies at start under callgrind, so it is told here instead.
 */
#if defined(__SANITIZE_ADDRESS__)
#define IPCB_COUNT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IPCB_COUNT_ASAN 1
#endif
#endif

const char *ipcb_count_unsupported(void)
{
#if !defined(IPCB_HAVE_CALLGRIND)
	return "this ipcbench was built without valgrind's client-request header (Debian package "
	       "valgrind; scripts/setup installs it): rebuild after installing it";
#elif defined(IPCB_COUNT_ASAN)
	return "this ipcbench was built with AddressSanitizer, which cannot run under valgrind: "
	       "count with a build without -Db_sanitize";
#else
	return NULL;
#endif
}

/* Out of line, and small: its own instructions are what the calibration measures. */
__attribute__((noinline)) void ipcb_count_mark(bool begin)
{
	if (!cs.collecting || cs.trace)
		return;
	if (begin ? cs.depth++ : --cs.depth)
		return;
#ifdef IPCB_HAVE_CALLGRIND
	CALLGRIND_TOGGLE_COLLECT;
#endif
	cs.waits += begin;
	cs.twaits += begin && ipcb_count_in_transport;
}

void ipcb_count_begin_side(const char *tag, unsigned side)
{
	snprintf(cs.tag, sizeof(cs.tag), "%s", tag);
	cs.side = side;
	ipcb_counting = true;
#ifdef IPCB_HAVE_CALLGRIND
	{
		char trigger[160];

		CALLGRIND_ZERO_STATS;
		CALLGRIND_TOGGLE_COLLECT;
		cs.collecting = true;
		/* Unrolled: the loop's own instructions are a hundredth of a pair's. */
		for (int i = 0; i < IPCB_COUNT_CALIBRATION / 100; i++)
#pragma GCC unroll 100
			for (int k = 0; k < 100; k++) {
				ipcb_count_wait(true);
				ipcb_count_wait(false);
			}
		cs.collecting = false;
		CALLGRIND_TOGGLE_COLLECT;
		snprintf(trigger, sizeof(trigger), "ipcb-count %s side %u calibration", cs.tag,
			 cs.side);
		CALLGRIND_DUMP_STATS_AT(trigger);
	}
#endif
	cs.waits = cs.twaits = 0;
}

void ipcb_count_begin_trace(const char *tag, unsigned side)
{
	snprintf(cs.tag, sizeof(cs.tag), "%s", tag);
	cs.side = side;
	cs.trace = true;
	ipcb_counting = true;
}

void ipcb_count_start(void)
{
	if (!ipcb_counting || cs.collecting)
		return;
	if (cs.trace) {
		cs.collecting = true;
		trace_mark("start");
		return;
	}
	cs.waits = cs.twaits = 0;
	cs.depth = 0;
#ifdef IPCB_HAVE_CALLGRIND
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
#endif
	cs.collecting = true;
}

void ipcb_count_stop(uint64_t messages)
{
	if (!ipcb_counting || !cs.collecting)
		return;
	cs.collecting = false;
	if (cs.trace) {
		char what[48];

		snprintf(what, sizeof(what), "stop messages %llu", (unsigned long long)messages);
		trace_mark(what);
		return;
	}
#ifdef IPCB_HAVE_CALLGRIND
	{
		char trigger[200];

		/* A wait the loop ended inside has collection off already. */
		if (!cs.depth)
			CALLGRIND_TOGGLE_COLLECT;
		snprintf(trigger, sizeof(trigger),
			 "ipcb-count %s side %u messages %llu waits %llu in-transport %llu", cs.tag,
			 cs.side, (unsigned long long)messages, (unsigned long long)cs.waits,
			 (unsigned long long)cs.twaits);
		CALLGRIND_DUMP_STATS_AT(trigger);
	}
#else
	(void)messages;
#endif
}
