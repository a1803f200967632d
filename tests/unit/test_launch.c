/* SPDX-License-Identifier: MIT */
/*
 * test_launch.c - the launch engine with real processes: N sides find each other's addresses
 * over their control sockets, start together, and end when each role hears that the other is
 * done; a failing side is named, a stuck launch times out naming who is left.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "area.h"
#include "clock.h"
#include "launch.h"

struct seen {
	int addresses_ok; /* 1: every side's address arrived, in side order */
	int ended;	  /* 1: the side got past wait_end */
	int released;	  /* 1: the side got past the start barrier */
	uint64_t done_ns; /* when it said it was done */
	uint64_t end_ns;  /* when it heard the other role was done */
};

static void addr_of(unsigned number, enum ipcb_role role, unsigned index, struct ipcb_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = (uint32_t)snprintf((char *)a->bytes, sizeof(a->bytes), "side %u: %s %u", number,
				    role == IPCB_SENDER ? "sender" : "receiver", index);
}

/* Every side: publish, check all addresses, start, say done, wait for the other role. */
static int exchange_body(const struct ipcb_side *me, void *arg, void *area, char *err)
{
	struct seen *seen = (struct seen *)area + me->number;
	unsigned senders = *(const unsigned *)arg;
	struct ipcb_addr mine, all[16], want;
	int rc;

	addr_of(me->number, me->role, me->index, &mine);
	rc = ipcb_side_exchange(&mine, all);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "exchange: %s", strerror(-rc));
		return rc;
	}
	seen->addresses_ok = 1;
	for (unsigned k = 0; k < me->nsides; k++) {
		bool sender = k < senders;

		addr_of(k, sender ? IPCB_SENDER : IPCB_RECEIVER, sender ? k : k - senders, &want);
		if (memcmp(&want, &all[k], sizeof(want)) != 0)
			seen->addresses_ok = 0;
	}
	rc = ipcb_side_ready();
	if (rc)
		return rc;
	seen->released = 1;
	/* Senders take their time: receivers must still wait for them to be done. */
	if (me->role == IPCB_SENDER)
		usleep(20000);
	seen->done_ns = ipcb_now_ns();
	rc = ipcb_side_done();
	if (!rc)
		rc = ipcb_side_wait_end();
	seen->end_ns = ipcb_now_ns();
	if (!rc)
		seen->ended = 1;
	return rc;
}

static int failing_body(const struct ipcb_side *me, void *arg, void *area, char *err)
{
	(void)arg;
	(void)area;
	if (me->role == IPCB_RECEIVER && me->index == 1) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "recv: the test says no");
		return -EIO;
	}
	/* The others wait at the barrier, which never opens: they must be killed. */
	return ipcb_side_ready();
}

static int stuck_body(const struct ipcb_side *me, void *arg, void *area, char *err)
{
	(void)arg;
	(void)area;
	(void)err;
	if (me->role == IPCB_SENDER)
		return 0;
	for (;;)
		pause();
}

/*
 * The one rule that names the side that failed first, on ends as forked sides (reaped, maybe
 * killed by the driver) and sides a runtime started (their failure reported in a message)
 * leave them.
 */
static void first_failure_check(void)
{
	/* A wait status: exited with `code`, or killed by signal `sig`. */
#define EXITED(code) ((code) << 8)
#define KILLED(sig)  (sig)
	const struct ipcb_side_end none[2] = {{.gone = true}, {.gone = true}};
	const struct ipcb_side_end later_error[2] = {
	    {.gone = true, .status = EXITED(1), .fail_ns = 20, .error = true},
	    {.gone = true, .status = EXITED(1), .fail_ns = 10, .error = true}};
	/* The receiver crashed; the sender saw the connection close and failed first. */
	const struct ipcb_side_end crash_first[2] = {
	    {.gone = true, .status = EXITED(1), .fail_ns = 10, .error = true},
	    {.gone = true, .status = KILLED(11), .fail_ns = 0}};
	/*
	 * The same, but the driver's SIGKILL reached the receiver while it was dying of its own
	 * signal: it keeps that one, and is still the crash.
	 */
	const struct ipcb_side_end killed_dying[2] = {
	    {.gone = true, .status = EXITED(1), .fail_ns = 10, .error = true},
	    {.gone = true, .killed = true, .status = KILLED(11)}};
	/* Killed by the driver, with no error of its own: only a consequence of the other's. */
	const struct ipcb_side_end killed_only[2] = {
	    {.gone = true, .killed = true, .status = KILLED(9)},
	    {.gone = true, .status = EXITED(1), .fail_ns = 30, .error = true}};
	/* Sides a runtime started: a crash reported beats an earlier error reported. */
	const struct ipcb_side_end joined[2] = {
	    {.reported = true, .status = EXITED(1), .fail_ns = 10, .error = true},
	    {.reported = true, .status = KILLED(11), .fail_ns = 20, .error = true}};
	/* A joined side still connected that has reported nothing has not failed. */
	const struct ipcb_side_end joined_one[2] = {
	    {.status = 0}, {.reported = true, .status = EXITED(1), .fail_ns = 5, .error = true}};

	ok(ipcb_launch_first_failure(none, 2) == -1, "no side failed: none is named");
	ok(ipcb_launch_first_failure(later_error, 2) == 1, "the earlier error is the cause");
	ok(ipcb_launch_first_failure(crash_first, 2) == 1,
	   "a crash comes before an earlier error (its consequence)");
	ok(ipcb_launch_first_failure(killed_dying, 2) == 1,
	   "a side killed while dying of its own signal is still the crash");
	ok(ipcb_launch_first_failure(killed_only, 2) == 1,
	   "a side the driver killed, with no error of its own, is not the cause");
	ok(ipcb_launch_first_failure(joined, 2) == 1,
	   "sides a runtime started: the same rule, a crash before an error");
	ok(ipcb_launch_first_failure(joined_one, 2) == 1,
	   "a joined side that reported its failure is named while the other still runs");
#undef EXITED
#undef KILLED
}

int main(void)
{
	static const int cpus[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
				     -1, -1, -1, -1, -1, -1, -1, -1};
	unsigned senders = 2;
	struct seen *seen;
	struct ipcb_launch l;
	int rc;

	if (ipcb_run_signals_block() < 0)
		return 1;
	seen = ipcb_run_area_map(16 * sizeof(*seen));
	if (!seen)
		return 1;

	memset(&l, 0, sizeof(l));
	l.senders = senders;
	l.receivers = 3;
	l.cpu = cpus;
	l.timeout_s = 30;
	l.body = exchange_body;
	l.arg = &senders;
	l.area = seen;
	rc = ipcb_launch_run(&l);
	if (!ok(rc == 0, "2 senders and 3 receivers launch, meet and end"))
		tap_diag("rc %d: %s", rc, l.error);
	for (unsigned k = 0; k < 5; k++)
		ok(seen[k].addresses_ok && seen[k].released && seen[k].ended,
		   "side %u: got all 5 addresses in side order, was released, heard the end", k);
	{
		uint64_t last_sender_done =
		    seen[0].done_ns > seen[1].done_ns ? seen[0].done_ns : seen[1].done_ns;
		bool after = true;

		for (unsigned k = 2; k < 5; k++)
			after = after && seen[k].end_ns >= last_sender_done;
		ok(after, "every receiver heard the end only after both senders were done");
	}

	memset(&l, 0, sizeof(l));
	l.senders = 1;
	l.receivers = 2;
	l.cpu = cpus;
	l.timeout_s = 30;
	l.body = failing_body;
	rc = ipcb_launch_run(&l);
	ok(rc == -ECHILD && strcmp(l.error, "receiver 2: recv: the test says no") == 0,
	   "a failing side is named by role and number, with its error (%s)", l.error);

	memset(&l, 0, sizeof(l));
	l.senders = 1;
	l.receivers = 1;
	l.cpu = cpus;
	l.timeout_s = 0.5;
	l.body = stuck_body;
	rc = ipcb_launch_run(&l);
	ok(rc == -ETIMEDOUT &&
	       strstr(l.error, "timed out after 0.5 s with the receiver still") != NULL,
	   "a side that never ends times out, naming the side left (%s)", l.error);
	ipcb_run_area_unmap(seen, 16 * sizeof(*seen));
	first_failure_check();
	return tap_done();
}
