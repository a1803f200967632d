/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - --rate-sweep: one point's closed-loop maximum, then open loops at fractions of
 * it, and the highest rate up to which the --slo bound held, as a line and a row of its own.
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

/*
 * The shares of the closed-loop maximum a rate sweep offers, in order, while the generator
 * keeps its steps (ipcb_step_kept: few sends late, the offered rate achieved): a decade below a
 * tenth first, then tenths up to three times the maximum (requests kept in flight go past the
 * closed loop's). On a small machine the generator keeps its schedule at low shares alone: on
 * a 2-vCPU EPYC guest, steps of tenths kept one step of pipe's 64 B stream (10% of 2.32M msg/s;
 * 20% missed), at most one of shm's and none of shm's requests, a curve of one point or none.
 * The plan counts SWEEP_GUESS steps until a sweep has run.
 */
static const double sweep_low[] = {0.01, 0.02, 0.05};

#define SWEEP_LOW	(sizeof(sweep_low) / sizeof(sweep_low[0]))
#define SWEEP_MAX_STEPS (SWEEP_LOW + 30)

/* Step k's share (k from 1). */
static double sweep_share(unsigned k)
{
	return k <= SWEEP_LOW ? sweep_low[k - 1] : 0.1 * (double)(k - SWEEP_LOW);
}

/*
 * What a sweep of requests measures its maximum with: this many requests in flight, so that
 * the receiver is never idle waiting for the next one (with one at a time, the maximum would be
 * one over the round trip, and an open loop that keeps several in flight goes far past it).
 */
#define SWEEP_WINDOW 64

/* The latency bound of --rate-sweep: --slo, else the placement's default (see --help). */
static double slo_ns_for(const struct driver *d, const struct place *pl)
{
	if (d->o.slo.ns > 0)
		return d->o.slo.ns;
	return ipcb_slo_default_ns(ipcb_placement_sides(pl->kind, pl->cpu[0], pl->cpu[1]));
}

/*
 * The outcome of a round's rate sweep as a row of its own (latency_kind slo_rate): the highest
 * offered rate up to which the bound held (msgs_per_s; bytes_per_s for a stream), so that two
 * runs compare it like any rate, whatever each one's closed-loop maximum was. Its CPU time,
 * context switches, messages and elapsed time are those of the sweep's open-loop steps together.
 */
static void emit_sweep_outcome(struct driver *d, const struct place *pl, const struct planned *p,
			       size_t si, const struct shape *sh, double held,
			       const struct point *all)
{
	/* The run in progress's place (d->now): no run is in progress now. */
	struct ipcb_run_spec *s = &d->now->spec;
	struct ipcb_run_result *r = &d->now->result;
	struct ipcb_row *row = &d->now->row;
	struct ipcb_route route;

	ipcb_point_spec(d, pl, d->o.sizes[si], s);
	s->t = p->t;
	memcpy(s->cfg.opt, p->opt, sizeof(s->cfg.opt));
	ipcb_point_row(d, pl, s, r, row);
	memset(r, 0, sizeof(*r));
	r->messages = all->messages ? all->messages : 1;
	r->elapsed_s = all->elapsed_s;
	for (int k = 0; k < 2; k++) {
		r->cpu_s[k] = all->cpu_s[k];
		r->ctx_switches[k] = all->ctx_switches[k];
		r->ctx_involuntary[k] = all->ctx_involuntary[k];
	}
	r->msgs_per_s = held;
	r->bytes_per_s = sh->mode == IPCB_MODE_LATENCY ? 0 : held * (double)d->o.sizes[si];
	row->transport = p->t->name;
	row->mode = ipcb_plan_mode_name(sh->mode);
	row->latency_kind = "slo_rate";
	row->rates = true;
	row->messages = r->messages;
	row->clock_skew_bound_ns = -1;
	row->options = p->options;
	row->tuning = p->tuning;
	row->library = p->library;
	row->hops = p->t->hops ? p->t->hops : "direct";
	route = ipcb_transport_route(p->t, &s->cfg);
	row->data_path = ipcb_path_name(route.path);
	row->rides_on = route.rides_on;
	row->pairs = sh->pairs;
	row->senders = sh->senders;
	row->receivers = sh->receivers;
	row->broadcast = d->o.deliver_all;
	row->inflight = sh->mode == IPCB_MODE_LATENCY ? sh->inflight : 0;
	row->wait = "-";
	ipcb_rows_emit(d, pl, row);
}

/*
 * --rate-sweep for one point in one round: the closed-loop maximum first, then open-loop rates of
 * 1%, 2%, 5%, 10%, 20%, ... of it while the generator keeps its steps; then the highest rate up to
 * which the tail stayed under the bound, as a line under the rows and as a row of its own
 * (slo_rate). A step the generator did not keep measured its lateness, not the channel, and so
 * would every faster one: the sweep stops there. Where even the first step was not kept, the
 * generator cannot hold a rate on this machine at this point (a sender sharing its CPU with its own
 * reply thread, a wake-up slower than the interval): the line says so, and the sweep has spent one
 * step on it. Every round measures its own maximum: rows of the steps say which fraction of it
 * they offered (offered_fraction), which is what rows of other rounds and runs are matched by.
 */
bool ipcb_sweep_run(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		    struct shape *sh)
{
	double slo_ns = slo_ns_for(d, pl), held = 0, last = 0, late = 0, achieved = 0;
	bool broken = false, kept = true;
	struct point closed, pt;
	char sz[16], lat[32], rate[32], max[64];
	unsigned k;

	struct shape cl = *sh;
	struct point all;

	memset(&all, 0, sizeof(all));
	cl.rate = 0;
	/*
	 * The sweep's own maximum, its offered fraction 1: a row of the sweep, never one of the
	 * closed-loop groups of the rest of the run (which it would join, measured otherwise and
	 * in other rounds).
	 */
	cl.fraction = 1;
	if (cl.mode == IPCB_MODE_LATENCY)
		cl.inflight = SWEEP_WINDOW;
	if (!ipcb_point_run(d, pl, p, si, &cl, &closed))
		return false;
	ipcb_format_size(d->o.sizes[si], sz, sizeof(sz));
	if (!closed.ok || closed.msgs_per_s <= 0) {
		d->runs_total -= SWEEP_GUESS;
		fprintf(stderr, "%s: %s %s %s: no rate sweep: the closed loop measured no rate\n",
			prog, p->t->name, ipcb_plan_mode_name(sh->mode), sz);
		return true;
	}
	for (k = 1; k <= SWEEP_MAX_STEPS && kept; k++) {
		if (k > SWEEP_GUESS)
			d->runs_total++;
		sh->fraction = sweep_share(k);
		sh->rate = closed.msgs_per_s * sh->fraction;
		if (!ipcb_point_run(d, pl, p, si, sh, &pt))
			return false;
		if (!pt.ok)
			break;
		all.messages += pt.messages;
		all.elapsed_s += pt.elapsed_s;
		for (int j = 0; j < 2; j++) {
			all.cpu_s[j] += pt.cpu_s[j];
			all.ctx_switches[j] += pt.ctx_switches[j];
			all.ctx_involuntary[j] += pt.ctx_involuntary[j];
		}
		last = sh->rate;
		kept = pt.kept;
		late = pt.late_share;
		achieved = pt.achieved_sum / pt.ok;
		if (!broken && pt.tail_ns > 0 && pt.tail_ns <= slo_ns && kept)
			held = sh->rate;
		else
			broken = true;
	}
	if (k <= SWEEP_GUESS)
		d->runs_total -= SWEEP_GUESS + 1 - k;
	sh->rate = 0;
	sh->fraction = 0;
	ipcb_format_ns(slo_ns, lat, sizeof(lat));
	ipcb_format_rate(closed.msgs_per_s, max, sizeof(max));
	errno = 0;
	if (cl.inflight > 1)
		snprintf(max + strlen(max), sizeof(max) - strlen(max), " msg/s (%u in flight)",
			 cl.inflight);
	else
		snprintf(max + strlen(max), sizeof(max) - strlen(max), " msg/s");
	printf("# rate sweep %s %s %s %s round %u: closed-loop maximum %s; ", ipcb_place_text(pl),
	       p->t->name, ipcb_plan_mode_name(sh->mode), sz, d->round, max);
	ipcb_format_rate(last, rate, sizeof(rate));
	if (!kept && k == 2) {
		char a[32];

		ipcb_format_rate(achieved, a, sizeof(a));
		printf("the generator cannot hold a rate here: at the first step, %s msg/s "
		       "(%.0f%% of the maximum), %.0f%% of its sends started late and it achieved "
		       "%s msg/s; no latency against load is measured\n",
		       rate, sweep_share(1) * 100, late * 100, a);
	} else {
		char h[32];

		ipcb_format_rate(held, h, sizeof(h));
		printf("p%g <= %s%s %s%s%s; ", d->o.slo.pct, lat,
		       d->o.slo.ns > 0 ? "" : " (this placement's default)",
		       held > 0 ? "up to " : "at no rate tried", held > 0 ? h : "",
		       held > 0 ? " msg/s offered" : "");
		if (last <= 0)
			printf("no step ran\n");
		else
			printf(kept ? "the generator kept every step, up to %s msg/s\n"
				    : "the generator stopped keeping its schedule at %s msg/s "
				      "(%.0f%% of "
				      "its sends late)\n",
			       rate, late * 100);
	}
	ipcb_stdout_note();
	emit_sweep_outcome(d, pl, p, si, sh, held, &all);
	return true;
}
