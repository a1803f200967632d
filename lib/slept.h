/* SPDX-License-Identifier: MIT */
/*
 * slept.h - whether a run's waiting side slept for its messages: the one rule the driver's
 * ceilings (a round trip's hand-over is a wake-up where a side slept) and the report's classes
 * (readers that poll, readers that sleep) both go by.
 *
 * A side that sleeps gives its CPU up to wait (a blocking call, a futex): a voluntary context
 * switch. One preempted by the scheduler (an involuntary switch), as two processes taking turns
 * on one CPU are, never waited asleep: it was polling when the scheduler took its CPU, and it
 * polls again when it gets it back. So only voluntary switches count, at least
 * IPCB_SLEPT_SWITCHES per message: in a round trip on either side (each waits for the other's
 * message), in a stream on the reader's (a writer that waits for room waits for a slow reader,
 * which is not how the reader waited).
 */
#ifndef IPCB_SLEPT_H
#define IPCB_SLEPT_H

#include <math.h>
#include <stdbool.h>

#define IPCB_SLEPT_SWITCHES 0.5

/*
 * The voluntary switches per message of the side(s) whose waits class the run, as above; NAN
 * where a side it needs was not counted.
 */
static inline double ipcb_waiting_switches(bool round_trip, double sender_voluntary,
					   double receiver_voluntary)
{
	if (!round_trip)
		return receiver_voluntary;
	if (isnan(sender_voluntary) || isnan(receiver_voluntary))
		return NAN;
	return sender_voluntary > receiver_voluntary ? sender_voluntary : receiver_voluntary;
}

/* Whether that many voluntary switches per message mean the run slept (false for NAN). */
static inline bool ipcb_slept(double waiting_switches)
{
	return waiting_switches >= IPCB_SLEPT_SWITCHES;
}

/*
 * Whether a side that never slept (fewer voluntary switches than one in the run, as far as a
 * count per message tells) was held off its CPU: its CPU time under IPCB_HELD_ON_CPU of the
 * run's measured time. Such a side was on its CPU but for what the host took (steal time, which
 * no switch inside a guest counts) or another task preempted. Runs under IPCB_HELD_MIN_S are not
 * judged: their start and end around the measured interval, and the columns' microseconds, are
 * a tenth of a run of tens of them. False for NAN.
 */
#define IPCB_HELD_ON_CPU 0.9
#define IPCB_HELD_MIN_S	 1e-3

static inline bool ipcb_side_held(double voluntary_per_msg, double messages, double cpu_s,
				  double elapsed_s)
{
	return elapsed_s >= IPCB_HELD_MIN_S && messages > 0 && voluntary_per_msg * messages < 1 &&
	       cpu_s < IPCB_HELD_ON_CPU * elapsed_s;
}

#endif
