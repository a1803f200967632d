/* SPDX-License-Identifier: MIT */
/*
 * loadshapes.h - the report's sections on loads with a shape: latency against offered load (the
 * open-loop rows of --rate and --rate-sweep: the "hockey stick", and the highest rate at which a
 * percentile stays under a bound), the closed loops beyond one pair with one message at a
 * time (requests in flight, several pairs, fan-in and fan-out, streams both ways), and
 * publish-subscribe (--deliver all: the broadcast transports compared per number of receivers).
 *
 * The guides' tables are about one pair in a closed loop: the report leaves every shaped row out
 * of them (ipcb_report_row_shaped) and shows those rows here instead.
 */
#ifndef IPCB_LOADSHAPES_H
#define IPCB_LOADSHAPES_H

#include <stdbool.h>
#include <stdio.h>

#include "slo.h"

/*
 * Does a row have a load shape? Its mode, and its pairs, inflight, topology and offered_rate
 * fields ("" in CSVs written before those columns existed).
 */
bool ipcb_report_row_shaped(const char *mode, const char *pairs, const char *inflight,
			    const char *topology, const char *offered_rate);

/* Is the bound's percentile one the CSV carries (p50, p90, p99, p99.9)? */
bool ipcb_report_slo_ok(const struct ipcb_slo *slo);

/*
 * Read the shaped rows of the CSV at path and print their sections as Markdown; nothing when it
 * has none. 0, or -1 after a message on stderr (unreadable file, a malformed field, no memory).
 */
int ipcb_report_load_sections(FILE *out, const char *path, const struct ipcb_slo *slo);

#endif
