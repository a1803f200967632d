/* SPDX-License-Identifier: MIT */
/*
 * counted.h - a counted run (ipcbench --count) in the engine: in a side, the transport's hooks
 * called through wrappers whose calls are the transport's share of what the side executes, and
 * its endpoint's waits marked (lib/count.h); in the driver, each side's profile read back into
 * the run's result as counts per message, the waits' own marking cost taken out.
 */
#ifndef IPCB_ENGINE_COUNTED_H
#define IPCB_ENGINE_COUNTED_H

#include "area.h"
#include "count.h"
#include "spec.h"
#include "transport.h"

/* A side's copies of what it wraps: they live as long as its loop runs. */
struct ipcb_count_side {
	struct ipcb_run_spec spec;
	struct ipcb_transport t;
	struct ipcb_loan_ops loans;
};

/*
 * In a side of a counted run: from here on c->spec's transport is cs's wrapped copy, the
 * endpoint marks its waits, and the side's calibration is dumped. Nothing in a timed run.
 */
void ipcb_count_side(struct ipcb_run_ctx *c, struct ipcb_ep *ep, struct ipcb_count_side *cs);

/*
 * In the driver, after a counted run whose channel tag was `tag`: read its sides' profiles from
 * s->count_dir into r->counts (and remove them). 0, or a negative errno with r->error saying
 * which side's profile is missing or unreadable.
 */
int ipcb_count_collect(const struct ipcb_run_spec *s, const char *tag, struct ipcb_run_result *r);

#endif /* IPCB_ENGINE_COUNTED_H */
