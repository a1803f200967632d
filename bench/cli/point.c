/* SPDX-License-Identifier: MIT */
/*
 * point.c - the run of one point of the plan: its spec and its row from the point, the run with
 * the probes around it, the server's CPU time, and what the round keeps of it.
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "launch.h"
#include "slo.h"

/* A hybrid wait's sched_yield()s before it sleeps, where both sides share one CPU (below). */
#define SHARED_CPU_YIELDS 4u

/* The most sides pinned to one CPU (0: unpinned): more than 1, and they take turns on it. */
static unsigned sides_per_cpu(const struct place *pl, unsigned senders, unsigned receivers)
{
	if (pl->cpu[0] < 0)
		return 0;
	if (pl->cpu[0] == pl->cpu[1])
		return senders + receivers;
	return senders > receivers ? senders : receivers;
}

void ipcb_point_spec(struct driver *d, const struct place *pl, size_t size, struct ipcb_run_spec *s)
{
	memset(s, 0, sizeof(*s));
	/* Every option a run takes as given, from its row; then what the point decides. */
	ipcb_cli_spec_fill(ipcb_opts_rows(), &d->o, s);
	/* Decided by the point, not as given: the transport's wait and whether it spins. */
	s->cfg.wait = IPCB_WAIT_DEFAULT;
	s->cfg.spin_polls = 0;
	s->size_bytes = size;
	s->warmup = ipcb_opts_warmup(&d->o, size);
	s->cpu[0] = pl->cpu[0];
	s->cpu[1] = pl->cpu[1];
	/* The floors' sides, and a transport's unless run_point() says otherwise. */
	s->launcher = &ipcb_launcher_fork;
}

void ipcb_point_row(const struct driver *d, const struct place *pl, const struct ipcb_run_spec *s,
		    struct ipcb_run_result *r, struct ipcb_row *row)
{
	memset(row, 0, sizeof(*row));
	row->placement = ipcb_placement_name(pl->kind);
	row->cpu_topology = pl->topology[0] ? pl->topology : NULL;
	row->cpu[0] = s->cpu[0];
	row->cpu[1] = s->cpu[1];
	row->res = r;
	row->warmup = s->warmup;
	row->spec = s;
	row->spin_polls = s->cfg.wait == IPCB_WAIT_HYBRID ? (int64_t)s->cfg.spin_polls : -1;
	row->fsync = s->cfg.fsync && s->t && (s->t->caps & IPCB_CAP_FSYNC);
	row->size_bytes = row->chunk_bytes = s->size_bytes;
	row->run = d->round;
}

/*
 * The latency a rate sweep holds against its bound: a request's round trip, or a stream's
 * one-way delay (both from the intended send time), when the clocks allow it.
 */
static const struct ipcb_hist *sweep_hist(const struct place *pl, const struct ipcb_run_result *r)
{
	if (r->hist)
		return r->hist;
	if (pl->clock_checked && pl->clock.consistent && !r->clock_anomalies)
		return r->one_way[0];
	return NULL;
}

/*
 * The harness's own time per message beside a run (the row's harness_ns): the transport that
 * moves nothing run just after it with the run's size, mode, payload checks, one-way sampling
 * and CPUs, so that the row says how much of it is the loop stamping, timing and recording on
 * the sender's side (a stream: or the receiver's checking where that takes longer; on one CPU
 * both, the two taking turns).
 * After, not before: the run's own sides are the first a run starts, and the cache-line probes stay
 * right beside it. Its busy work and its transport's options are the run's, not the loop's, and are
 * left out. Short: the loop's cost is steady where a mechanism's is not. 0: not measured
 * (--no-probes, two hosts, counted passes, a transport that moves nothing itself, and shapes the
 * null transport cannot run: several sides, requests in flight, rates); a signal that stops the
 * sweep meanwhile stops it once the run's row is out.
 */
#define HARNESS_MESSAGES 2000

#define HARNESS_S 0.005

/* One run of the null transport as the harness's measure: *ns its time a message, 0 if none. */
static int harness_run(struct driver *d, const struct ipcb_run_spec *s, double *ns)
{
	struct ipcb_run_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = ipcb_run_one(s, &r);
	*ns = 0;
	if (rc == 0)
		*ns = r.hist ? ipcb_rows_p50(r.hist) : r.msgs_per_s > 0 ? 1e9 / r.msgs_per_s : 0;
	else if (rc == -EINTR)
		d->interrupted = r.signal; /* the run's row is written, then the sweep stops */
	ipcb_run_result_fini(&r);
	return rc;
}

static double harness_ns(struct driver *d, const struct ipcb_run_spec *run, const struct shape *sh)
{
	const struct ipcb_transport *none = NULL;
	struct ipcb_run_spec s = *run;
	double ns = 0;
	int rc;

	for (size_t i = 0; !none && i < ipcb_transport_count(); i++)
		if (ipcb_transport_at(i)->caps & IPCB_CAP_NO_DATA)
			none = ipcb_transport_at(i);
	if (!none || !d->o.probes || d->peer || d->count_pass != IPCB_COUNT_NONE ||
	    (run->t->caps & IPCB_CAP_NO_DATA) || ipcb_plan_threaded(sh) || sh->pairs > 1 ||
	    sh->senders > 1 || sh->receivers > 1 || d->o.deliver_all)
		return 0;
	s.t = none;
	s.launcher = &ipcb_launcher_fork;
	s.chunk_bytes = s.cfg.msg_bytes = s.size_bytes;
	s.messages = HARNESS_MESSAGES;
	s.duration_s = HARNESS_S;
	s.min_messages = 1;
	s.inject = IPCB_INJECT_NONE;
	s.work_ns = s.recv_work_ns = 0;
	s.cfg.wait = none->fixed_wait;
	s.cfg.spin_polls = 0;
	s.cfg.fsync = false;
	s.cfg.service = NULL;
	s.needs_check = NULL; /* the null transport needs no server */
	memset(s.cfg.opt, 0, sizeof(s.cfg.opt));
	/*
	 * A stream's two sides on one CPU take turns on it: the harness inside each message is
	 * both sides' there, the sender's stamping and the receiver's check.
	 */
	s.self_receive = s.mode == IPCB_MODE_THROUGHPUT && s.cpu[0] >= 0 && s.cpu[0] == s.cpu[1];
	rc = harness_run(d, &s, &ns);
	/*
	 * On two, the receiver's check runs beside the sender's stamping, and the stream waits
	 * for the slower of the two: the receiver's time is the null sender's when it checks too,
	 * on the same CPU, less its own (on the AMD EPYC guest a 64 B message's check, every byte,
	 * took about 20 ns where the sender's stamping took 5, and with --verify headers the shm
	 * ring's 64 B stream ran at 44-54 M messages a second against 34-37).
	 */
	if (rc == 0 && ns > 0 && s.mode == IPCB_MODE_THROUGHPUT && !s.self_receive &&
	    s.cpu[0] >= 0) {
		double both = 0, again = 0;

		/*
		 * Twice, the faster kept: a difference of two short runs doubles what holds one
		 * up (an interrupt, the host), and that only ever adds time (taken once, in 8 runs
		 * of `ipcbench -t shm,mmap -s 64,4K -m throughput --placement cross-core -d 0.2`,
		 * one 64 B stream's ceiling read 65 ns of harness, where the others read 16-58).
		 */
		s.self_receive = true;
		if (harness_run(d, &s, &both) == 0 && harness_run(d, &s, &again) == 0 &&
		    again > 0 && again < both)
			both = again;
		if (both - ns > ns)
			ns = both - ns;
	}
	return ns;
}

/* Is the run's server still running (ipcb_service_check(), for the launch's needs_check)? */
static int server_check(void *svc)
{
	return ipcb_service_check(svc);
}

/* One run of a point: its spec, its run, its rows. Returns false when the sweep must stop. */
static bool run_point(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		      const struct shape *sh, unsigned run, double slo_pct, struct point *pt)
{
	const struct ipcb_transport *t = p->t;
	struct ipcb_run_spec *s = &d->now->spec;
	struct ipcb_run_result *r = &d->now->result;
	struct ipcb_row *row = &d->now->row;
	const struct ipcb_hist *h;
	struct ipcb_route route;
	uint64_t svc_ns[2] = {0, 0};
	bool one_cpu = pl->cpu[0] >= 0 && pl->cpu[0] == pl->cpu[1],
	     threaded = ipcb_plan_threaded(sh);
	int rc;

	if ((d->interrupted = ipcb_run_interrupt_pending()))
		return false;
	ipcb_point_spec(d, pl, d->o.sizes[si], s);
	s->t = t;
	s->mode = sh->mode;
	s->chunk_bytes = ipcb_chunk_for(p->max_msg_bytes, s->size_bytes);
	s->pairs = sh->pairs;
	s->inflight = sh->inflight;
	s->rate = sh->rate;
	s->cfg.msg_bytes = s->chunk_bytes;
	s->cfg.wait = !(t->caps & IPCB_CAP_WAIT_CHOICE) ? t->fixed_wait
		      : d->o.wait			? d->o.wait
							: IPCB_WAIT_HYBRID;
	/*
	 * Spinning on the only CPU both sides share just keeps the other side from running: there,
	 * hybrid does not spin. It gives the CPU away instead, up to SHARED_CPU_YIELDS times
	 * before it sleeps: the other side, which holds what this one waits for, runs at once,
	 * where a sleep costs a wake-up (and a semaphore's post a FUTEX_WAKE at every message
	 * while its reader is counted asleep). On the EPYC guest, against sleeping at once, in
	 * three alternating runs: 64 B to 64 KiB streams of shm, mmap, shm-bcast and eventfd
	 * 1.02-1.5 times as fast, cma's 1.6-3.1 times, shm-sem's 1.4-21 times (its 64 B stream 22
	 * million messages a second where 1.07), round trips 0.64-0.92 times as long; 1 and 16
	 * yields ran as 4 did, or slower. Where a side sends and receives in two threads on its
	 * one CPU (bench/engine/shapes.c) hybrid sleeps at once: there yields passed the CPU to
	 * the sender's own clock-reading loop, and open-loop round trips took 1.1-1.4 times as
	 * long at their median.
	 */
	s->cfg.spin_polls = one_cpu || threaded ? 0 : d->o.spin_polls;
	s->yields = s->cfg.wait == IPCB_WAIT_HYBRID && one_cpu && !threaded ? SHARED_CPU_YIELDS : 0;
	s->launcher = ipcb_launcher_for(t);
	if (d->peer) {
		s->launcher = t->caps & IPCB_CAP_LAUNCH_HOSTS ? &d->peer->hosts_launcher
							      : &d->peer->remote_launcher;
		s->cfg.host = d->peer->remote.local_host;
	}
	s->cfg.bidirectional = sh->mode != IPCB_MODE_THROUGHPUT;
	s->cfg.senders = sh->senders;
	s->cfg.receivers = sh->receivers;
	s->cfg.broadcast = d->o.deliver_all;
	memcpy(s->cfg.opt, p->opt, sizeof(s->cfg.opt));
	ipcb_point_row(d, pl, s, r, row);
	row->options = p->options;
	row->tuning = p->tuning;
	row->library = p->library;
	row->hops = t->hops ? t->hops : "direct";
	route = ipcb_transport_route(t, &s->cfg);
	row->data_path = ipcb_path_name(route.path);
	row->rides_on = route.rides_on;
	if (d->peer) {
		row->peer = &d->peer->remote.peer_si;
		row->net_path = d->peer->remote.path;
	}
	row->transport = t->name;
	row->mode = ipcb_plan_mode_name(sh->mode);
	row->run = run;
	row->offered_fraction = sh->fraction;
	row->latency_kind = sh->mode == IPCB_MODE_LATENCY ? "rtt" : NULL;
	row->wait = ipcb_wait_name(s->cfg.wait);
	row->chunk_bytes = s->chunk_bytes;
	row->inflight = sh->mode == IPCB_MODE_LATENCY ? sh->inflight : 0;
	row->pairs = sh->pairs;
	row->senders = sh->senders;
	row->receivers = sh->receivers;
	row->broadcast = d->o.deliver_all;
	row->sides_per_cpu =
	    sides_per_cpu(pl, sh->pairs * row->senders, sh->pairs * row->receivers);
	if (!(t->caps & IPCB_CAP_NO_DATA))
		row->verify = ipcb_verify_name(s->verify);
	/* A server that dies while the sides run ends the run then, saying so (below). */
	s->needs_check = p->svc ? server_check : NULL;
	s->needs_ctx = p->svc;
	if (p->svc) {
		row->server = true;
		row->server_cpu = ipcb_services_cpu(d, pl);
		s->cfg.service = p->svc->svc.addr;
		if (p->svc->cpu != row->server_cpu && ipcb_service_pin(p->svc, row->server_cpu) < 0)
			row->server_cpu =
			    -1; /* it runs where it ran: the row does not claim a CPU */
		if (ipcb_service_cpu_ns(p->svc, &svc_ns[0]) < 0)
			svc_ns[0] = UINT64_MAX;
	}
	ipcb_rows_progress(d, pl, row, sh->rate);
	d->now->start_ns = ipcb_now_ns();
	ipcb_probes_before(pl);
	s->count_pass = d->count_pass;
	s->count_dir = d->count_pass == IPCB_COUNT_CALLGRIND ? d->count_profiles : NULL;
	/* A point callgrind cannot run: its row says so, and nothing runs. */
	row->uncounted =
	    d->count_pass == IPCB_COUNT_CALLGRIND && p->uncounted[0] ? p->uncounted : NULL;
	if (row->uncounted) {
		memset(r, 0, sizeof(*r));
		rc = 0;
	} else {
		rc = ipcb_run_one(s, r);
	}
	/* A counted point: counted again with each side slowed in turn; its counts must not move.
	 */
	if (rc == 0 && s->count_dir && !row->uncounted &&
	    (rc = ipcb_count_check(s, r, row, r->error, sizeof(r->error))) != 0)
		ipcb_run_result_fini(r);
	ipcb_probes_after(pl);
	if (rc == 0 && !row->uncounted)
		row->harness_ns = harness_ns(d, s, sh);
	/* What the server costs: its start, and the memory it holds after this run. */
	if (p->svc) {
		row->server_start_ms = (double)p->svc->start_ns / 1e6;
		if (ipcb_service_rss_bytes(p->svc, &row->server_rss_bytes) < 0)
			row->server_rss_bytes = 0;
	}
	if (p->svc && ipcb_service_check(p->svc) < 0 && rc == 0) {
		/* Its server died: whatever the sides saw, the row would be of a broken set-up. */
		snprintf(r->error, sizeof(r->error), "%.*s", (int)sizeof(r->error) - 1,
			 p->svc->error);
		ipcb_run_result_fini(r);
		rc = -ESRCH;
	} else if (p->svc && rc < 0 && !p->svc->pid) {
		/* The run failed (its sides waiting for a broker that died, until --timeout): the
		 * server's end is the cause, and is said too. */
		size_t len = strlen(r->error);

		snprintf(r->error + len, sizeof(r->error) - len, "; its server: %s", p->svc->error);
	} else if (p->svc && rc == 0 && svc_ns[0] != UINT64_MAX &&
		   ipcb_service_cpu_ns(p->svc, &svc_ns[1]) == 0) {
		r->server_cpu_s = (double)(svc_ns[1] - svc_ns[0]) / 1e9;
		r->server_messages = s->warmup + r->messages;
		r->server_counted = r->server_messages > 0;
	}
	if (!ipcb_rows_finish(d, pl, rc, row, si))
		return false;
	if (rc == 0) {
		pt->ok++;
		if (r->msgs_per_s > pt->msgs_per_s)
			pt->msgs_per_s = r->msgs_per_s;
		pt->achieved_sum += r->achieved_rate;
		if (r->offered_rate > 0) {
			double share = r->messages ? (double)r->late / (double)r->messages : 1;

			pt->late_share = share > pt->late_share ? share : pt->late_share;
			pt->kept = (pt->ok == 1 || pt->kept) &&
				   ipcb_step_kept((double)r->late, (double)r->messages,
						  r->achieved_rate, r->offered_rate);
		}
		h = sweep_hist(pl, r);
		if (h && ipcb_hist_total(h) &&
		    (double)ipcb_hist_value_at_percentile(h, slo_pct) > pt->tail_ns)
			pt->tail_ns = (double)ipcb_hist_value_at_percentile(h, slo_pct);
		pt->value = r->hist		 ? (double)row->lat.pct[IPCB_PCT_50]
			    : r->bytes_per_s > 0 ? r->bytes_per_s
						 : r->msgs_per_s;
		pt->ctx = r->messages ? (double)(r->ctx_switches[0] + r->ctx_switches[1]) /
					    (double)r->messages
				      : 0;
		pt->messages += r->messages;
		pt->elapsed_s += r->elapsed_s;
		for (int k = 0; k < 2; k++) {
			pt->cpu_s[k] += r->cpu_s[k];
			pt->ctx_switches[k] += r->ctx_switches[k];
			pt->ctx_involuntary[k] += r->ctx_involuntary[k];
		}
	}
	ipcb_run_result_fini(r);
	return !d->interrupted;
}

/* A point's run in the current round. */
bool ipcb_point_run(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		    const struct shape *sh, struct point *pt)
{
	memset(pt, 0, sizeof(*pt));
	return run_point(d, pl, p, si, sh, d->round, d->o.slo.pct, pt);
}
