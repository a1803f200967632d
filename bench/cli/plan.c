/* SPDX-License-Identifier: MIT */
/*
 * plan.c - the plan: the transports that can run here with their settings (and --tune's), each
 * shape of the load a transport can carry, collected as points (transport x size x mode x pairs
 * x requests in flight x rate), each round's shuffled order of them, and --dry-run's listing.
 */
#include "drv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "driver.h"
#include "stats.h"

int ipcb_plan_probe(const struct ipcb_transport *t, struct ipcb_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->max_msg_bytes = t->max_msg_bytes;
	if (t->unsupported) {
		snprintf(p->reason, sizeof(p->reason), "%s", t->unsupported);
		return -ENOTSUP;
	}
	if (!t->probe)
		return 0;
	return t->probe(p);
}

/* The options of p away from its transport's defaults, "key=value ...". */
static void tuning_text(struct planned *p)
{
	uint64_t def[IPCB_MAX_OPTIONS];
	size_t len = 0;

	ipcb_opt_defaults(p->t, def);
	p->tuning[0] = '\0';
	for (size_t i = 0; p->t->options && p->t->options[i].key && i < IPCB_MAX_OPTIONS; i++) {
		const struct ipcb_option *o = &p->t->options[i];
		char word[32];

		if (p->opt[i] == def[i] || len >= sizeof(p->tuning))
			continue;
		if (o->type == IPCB_OPT_CHOICE)
			ipcb_opt_choice(o, p->opt[i], word, sizeof(word));
		else
			snprintf(word, sizeof(word), "%llu", (unsigned long long)p->opt[i]);
		len += (size_t)snprintf(p->tuning + len, sizeof(p->tuning) - len, "%s%s=%s",
					len ? " " : "", o->key, word);
	}
}

/*
 * Plan transport t with its options (defaults and -o), or with option idx set to val instead
 * (a --tune variant; idx < 0: none). A set already planned is not planned twice.
 */
static void plan_add_set(struct driver *d, const struct ipcb_transport *t, size_t max_msg_bytes,
			 int idx, uint64_t val)
{
	struct planned *p = &d->use[d->nuse];

	if (d->nuse == IPCB_MAX_LIST) {
		fprintf(stderr, "%s: skipping %s: more than %d transports and settings\n", prog,
			t->name, IPCB_MAX_LIST);
		return;
	}
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->max_msg_bytes = max_msg_bytes;
	ipcb_opts_transport(&d->o, t, p->opt);
	if (idx >= 0)
		p->opt[idx] = val;
	p->variant = idx >= 0;
	p->tuned_idx = idx;
	p->tuned_val = val;
	ipcb_opt_text(t, p->opt, p->options, sizeof(p->options));
	for (size_t i = 0; i < d->nuse; i++)
		if (d->use[i].t == t && strcmp(d->use[i].options, p->options) == 0)
			return;
	tuning_text(p);
	ipcb_transport_library(t, p->library, sizeof(p->library));
	d->nuse++;
}

/* Plan t, and with --tune each of its tuning settings, one option changed at a time. */
static void plan_add(struct driver *d, const struct ipcb_transport *t, size_t max_msg_bytes)
{
	plan_add_set(d, t, max_msg_bytes, -1, 0);
	for (size_t i = 0; d->o.tune && t->options && t->options[i].key && i < IPCB_MAX_OPTIONS;
	     i++)
		for (const char *v = t->options[i].tune; v && *v;) {
			size_t len = strcspn(v, "|");
			char word[32], why[200];
			unsigned idx;
			uint64_t val;

			snprintf(word, sizeof(word), "%.*s", (int)len, v);
			/* The registry checked every value (rule_options): they parse. */
			if (ipcb_opt_parse(t, t->options[i].key, word, &idx, &val, why,
					   sizeof(why)) == 0)
				plan_add_set(d, t, max_msg_bytes, (int)idx, val);
			v += len;
			v += *v == '|';
		}
}

/*
 * What --count's first two passes would say again is said once, by the counted pass, which
 * runs the same plan: their messages about the plan are left out.
 */
static bool plan_quiet(const struct driver *d)
{
	return d->count_pass == IPCB_COUNT_NATIVE || d->count_pass == IPCB_COUNT_TRACE;
}

/* Resolve --transport into what can run here; say why the others cannot. */
int ipcb_plan_transports(struct driver *d)
{
	size_t n = d->o.transports_all ? ipcb_transport_count() : d->o.ntransports;

	/* The floors include the harness's own cost: the transports that move nothing. */
	for (size_t i = 0; d->o.floor && i < ipcb_transport_count(); i++)
		if (ipcb_transport_at(i)->caps & IPCB_CAP_NO_DATA)
			plan_add(d, ipcb_transport_at(i), 0);
	for (size_t i = 0; i < n; i++) {
		const struct ipcb_transport *t = d->o.transports_all
						     ? ipcb_transport_full(ipcb_transport_at(i))
						     : d->o.transports[i];
		struct ipcb_probe p;
		char why[200];
		bool probed;

		if (ipcb_transport_check(t, why, sizeof(why)) < 0) {
			if (!plan_quiet(d))
				fprintf(stderr, "%s: skipping %s: broken entry: %s\n", prog,
					t->name, why);
			continue;
		}
		/*
		 * Across two hosts only what is reached by address alone (--list: network), or
		 * what a runtime of its own starts on both (launch-hosts), which it does through
		 * --launch's prefix.
		 */
		if (d->o.peer && (t->caps & IPCB_CAP_LAUNCH_HOSTS) && !d->o.launch) {
			if (!d->o.transports_all)
				fprintf(stderr,
					"%s: skipping %s: its runtime starts the side on the peer "
					"through a launch prefix: --peer HOST --launch PREFIX\n",
					prog, t->name);
			continue;
		}
		if (d->o.peer && !(t->caps & IPCB_CAP_LAUNCH_HOSTS) &&
		    (!(t->caps & IPCB_CAP_NETWORK) || t->service)) {
			if (!d->o.transports_all)
				fprintf(stderr,
					"%s: skipping %s: not a network transport, and --peer runs "
					"only those (--list: network, launch-hosts)\n",
					prog, t->name);
			continue;
		}
		probed = ipcb_plan_probe(t, &p) == 0;
		/*
		 * --count's counted pass runs the sides this driver forks under callgrind, and some
		 * cannot run there (a runtime starts its own sides, outside it; a JVM does not run
		 * under valgrind). One that the native pass ran is planned all the same, its rows
		 * saying why it was not counted: a gate then times it rather than not seeing it.
		 */
		if (d->count_pass == IPCB_COUNT_CALLGRIND && (t->launch || !probed) &&
		    ipcb_count_ran(d, t)) {
			size_t first = d->nuse;

			plan_add(d, t, p.max_msg_bytes);
			for (size_t k = first; k < d->nuse; k++)
				snprintf(d->use[k].uncounted, sizeof(d->use[k].uncounted), "%s",
					 t->launch
					     ? "its runtime starts its sides, outside callgrind"
					     : p.reason);
			if (d->nuse > first)
				fprintf(stderr, "%s: %s is not counted: %s\n", prog, t->name,
					d->use[first].uncounted);
			continue;
		}
		if (!probed) {
			if (!plan_quiet(d))
				fprintf(stderr, "%s: skipping %s: %s\n", prog, t->name, p.reason);
			continue;
		}
		plan_add(d, t, p.max_msg_bytes);
	}
	return d->nuse ? 0 : -ENOTSUP;
}

const char *ipcb_plan_mode_name(enum ipcb_mode m)
{
	return m == IPCB_MODE_LATENCY	 ? "latency"
	       : m == IPCB_MODE_BISTREAM ? "bistream"
					 : "throughput";
}

/* Does a side send and receive at once, in two threads on its CPU? */
bool ipcb_plan_threaded(const struct shape *sh)
{
	return sh->mode == IPCB_MODE_BISTREAM ||
	       (sh->mode == IPCB_MODE_LATENCY && (sh->inflight > 1 || sh->rate > 0));
}

/* May a run of this point lose messages (the transport's capability, options and delivery)? */
static bool planned_lossy(const struct planned *p, const struct shape *sh, bool broadcast)
{
	struct ipcb_chan_cfg cfg = {
	    .senders = sh->senders, .receivers = sh->receivers, .broadcast = broadcast};

	memcpy(cfg.opt, p->opt, sizeof(cfg.opt));
	return ipcb_transport_lossy(p->t, &cfg);
}

/* Why a transport cannot run a shape, or NULL when it can. */
static const char *shape_refusal(const struct driver *d, const struct planned *p, size_t si,
				 const struct shape *sh)
{
	const struct ipcb_transport *t = p->t;

	if (d->o.deliver_all && !(t->caps & IPCB_CAP_BROADCAST))
		return "it cannot deliver every message to every receiver (--deliver all needs "
		       "broadcast, see --list)";
	if (sh->senders > 1 && !(t->caps & IPCB_CAP_MULTI_SENDER))
		return "its channel does not take several senders";
	if (sh->receivers > 1 && !d->o.deliver_all && !(t->caps & IPCB_CAP_MULTI_RECEIVER))
		return "its channel does not take several receivers";
	/* Chunks of several senders' messages could interleave: one message, one operation. */
	if ((sh->senders > 1 || (sh->receivers > 1 && !d->o.deliver_all)) &&
	    ipcb_chunk_for(p->max_msg_bytes, d->o.sizes[si]) < d->o.sizes[si])
		return "a message this large goes in several operations, and several senders' or "
		       "receivers' operations would interleave";
	/*
	 * A broadcast's receivers take the chunks in order, each its own: but where a chunk may be
	 * lost, the ones after it would be taken as the wrong pieces of a message.
	 */
	if (d->o.deliver_all && ipcb_chunk_for(p->max_msg_bytes, d->o.sizes[si]) < d->o.sizes[si] &&
	    planned_lossy(p, sh, true))
		return "a message this large goes in several operations, and its broadcast may "
		       "lose one of them";
	/* A runtime (mpirun) starts one sender and one receiver, not several pairs. */
	if (t->launch && sh->pairs > 1)
		return "its sides are started by a runtime as one sender and one receiver";
	if ((t->caps & IPCB_CAP_NO_DATA) && ipcb_plan_threaded(sh))
		return "it moves no messages, so none can be in flight or stream back";
	if (!(t->caps & IPCB_CAP_DUPLEX) && ipcb_plan_threaded(sh))
		return "its endpoint cannot send in one thread while it receives in another";
	return NULL;
}

/*
 * A point of the plan, counted as `runs` runs a round (a rate sweep's guess). False when the
 * plan cannot be held (out of memory: said).
 */
static bool plan_add_point(struct driver *d, const struct plan_point *pp, size_t runs)
{
	if (d->npoints == d->points_cap) {
		size_t cap = d->points_cap ? 2 * d->points_cap : 64;
		struct plan_point *n = realloc(d->points, cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "%s: the plan: %s\n", prog, strerror(ENOMEM));
			return false;
		}
		d->points = n;
		d->points_cap = cap;
	}
	d->points[d->npoints++] = *pp;
	d->runs_total += runs * d->o.repeat;
	return true;
}

/*
 * One shape of a transport and size into the plan: its fixed rates, its rate sweep, or its
 * closed loop. A shape the transport cannot run is skipped, said once per mode (`said`).
 */
static bool plan_shape(struct driver *d, const struct place *pl, const struct planned *p, size_t si,
		       struct shape *sh, const char **said)
{
	/* Open loops pace single requests or a stream; a window or a bistream runs closed. */
	bool open = sh->mode != IPCB_MODE_BISTREAM && sh->inflight == 1;
	size_t nrates = open ? d->o.nrates : 0;
	struct plan_point pp = {
	    .place = (size_t)(pl - d->places), .use = (size_t)(p - d->use), .si = si, .sh = *sh};
	const char *why;

	sh->rate = nrates || (open && d->o.rate_sweep) ? 1 : 0;
	why = shape_refusal(d, p, si, sh);
	if (why) {
		/* Said once, while the plan is counted (before anything runs). */
		if (pl == &d->places[0] && *said != why)
			fprintf(stderr, "%s: skipping %s %s%s%s: %s\n", prog, p->t->name,
				ipcb_plan_mode_name(sh->mode),
				sh->inflight > 1 ? " with requests in flight"
				: sh->rate > 0	 ? " at a rate"
						 : "",
				d->o.deliver_all		       ? " to every receiver"
				: sh->senders > 1 || sh->receivers > 1 ? " on a shared channel"
								       : "",
				why);
		*said = why;
		return true;
	}
	pp.sweep = open && d->o.rate_sweep;
	if (pp.sweep)
		return plan_add_point(d, &pp, 1 + SWEEP_GUESS);
	for (size_t ri = 0; ri < (nrates ? nrates : 1); ri++) {
		pp.sh.rate = nrates ? d->o.rates[ri] : 0;
		if (!plan_add_point(d, &pp, 1))
			return false;
	}
	return true;
}

/*
 * The transports' part of the plan at one placement: transport x size x mode x pairs x
 * requests in flight x rate, collected as the plan's points. False when it cannot be held.
 */
static bool place_points(struct driver *d, const struct place *pl)
{
	static const enum ipcb_mode modes[3] = {IPCB_MODE_LATENCY, IPCB_MODE_THROUGHPUT,
						IPCB_MODE_BISTREAM};
	const bool wanted[3] = {d->o.latency, d->o.throughput, d->o.bistream};

	for (size_t ti = 0; ti < d->nuse; ti++) {
		const char *said[3] = {NULL, NULL, NULL};
		const struct planned *p = &d->use[ti];

		for (size_t si = 0; si < d->o.nsizes; si++)
			for (int mi = 0; mi < 3; mi++) {
				/* A write size no smaller than the message changes nothing. */
				if (p->variant && p->t->options[p->tuned_idx].per_call &&
				    p->tuned_val >= d->o.sizes[si])
					continue;
				/* Requests in flight are a latency shape. */
				size_t ninflight =
				    modes[mi] == IPCB_MODE_LATENCY ? d->o.ninflight : 1;

				for (size_t pi = 0; wanted[mi] && pi < d->o.npairs; pi++)
					for (size_t ii = 0; ii < ninflight; ii++)
						for (size_t oi = 0; oi < d->o.ntopos; oi++) {
							struct shape sh = {
							    .mode = modes[mi],
							    .pairs = d->o.pairs[pi],
							    .inflight =
								modes[mi] == IPCB_MODE_LATENCY
								    ? d->o.inflight[ii]
								    : 1,
							    .senders = d->o.topos[oi].senders,
							    .receivers = d->o.topos[oi].receivers};

							if (!plan_shape(d, pl, &d->use[ti], si, &sh,
									&said[mi]))
								return false;
						}
			}
	}
	return true;
}

/*
 * The round's order of the plan's points: a Fisher-Yates shuffle driven by splitmix64 from the
 * seed and the round's number, so the same command gives the same order, every round another.
 */
void ipcb_plan_shuffle(const struct driver *d, size_t *order)
{
	uint64_t st = d->o.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)d->round);

	for (size_t i = 0; i < d->npoints; i++)
		order[i] = i;
	for (size_t i = d->npoints; i > 1; i--) {
		size_t j = ipcb_rng_below(&st, i);
		size_t t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

/*
 * Floors measured per round at a placement, as ipcb_floors_run() measures them: cache-line and
 * futex round trips, (two CPUs only) a stream's hand-over, the cheapest system call; per size,
 * memcpy, a mailbox round trip, (two CPUs only) the cross-core copy, and the six copies of
 * floor-cliff. --controls measures only the cache-line round trip and memcpy.
 */
static size_t floors_per_round(const struct driver *d, const struct place *pl)
{
	if (d->o.controls)
		return 1 + d->o.nsizes;
	return (ipcb_place_two_cpus(pl) ? 4 : 3) + (ipcb_place_two_cpus(pl) ? 3 : 2) * d->o.nsizes +
	       6 * d->o.nsizes;
}

bool ipcb_plan_points(struct driver *d)
{
	d->runs_total = 0;
	for (size_t i = 0; i < d->nplaces; i++) {
		if (d->o.floor)
			d->runs_total += d->o.repeat * floors_per_round(d, &d->places[i]);
		if (!d->o.controls && !place_points(d, &d->places[i]))
			return false;
	}
	return true;
}

/*
 * How long the plan takes at least: each run measures for -d (a run with a message count alone
 * cannot be told before it runs), and its start, warm-up, probes and any server's start come on
 * top, which only running shows (the progress lines estimate what is left as they go).
 */
static void plan_time_print(const struct driver *d)
{
	double s = (double)d->runs_total * d->o.duration_s;

	if (!d->runs_total)
		return;
	if (!(d->o.duration_s > 0)) {
		printf("# time: not estimated (-d 0: each run measures -n messages, at the "
		       "transport's own speed)\n");
		return;
	}
	if (s >= 3600)
		printf("# time: at least %.0fh%02.0fm", floor(s / 3600), floor(fmod(s, 3600) / 60));
	else if (s >= 60)
		printf("# time: at least %.0fm%02.0fs", floor(s / 60), floor(fmod(s, 60)));
	else
		printf("# time: at least %.1fs", s);
	printf(" (%zu runs x -d %gs of measuring; each run's start, warm-up and probes, and any "
	       "server's start, add to it)\n",
	       d->runs_total, d->o.duration_s);
}

/*
 * --dry-run: the plan a run would measure, and nothing run: each placement with its CPUs and
 * what they share, then the transports, sizes and modes, and how many runs the rounds make.
 */
int ipcb_plan_print(struct driver *d)
{
	errno = 0;
	printf("# the plan: %zu placement%s, %u round%s\n", d->nplaces, d->nplaces == 1 ? "" : "s",
	       d->o.repeat, d->o.repeat == 1 ? "" : "s");
	for (size_t i = 0; i < d->nplaces; i++) {
		const struct place *pl = &d->places[i];

		if (pl->cpu[0] < 0)
			printf("placement %s: not pinned\n", ipcb_placement_name(pl->kind));
		else
			printf("placement %s: CPUs %d,%d%s%s\n", ipcb_placement_name(pl->kind),
			       pl->cpu[0], pl->cpu[1], pl->topology[0] ? ": " : "", pl->topology);
	}
	if (!ipcb_plan_points(d))
		return EXIT_RUN_FAILED;
	for (size_t i = 0; i < d->nuse; i++)
		printf("transport %s%s%s\n", d->use[i].t->name, d->use[i].tuning[0] ? " " : "",
		       d->use[i].tuning);
	printf("# %zu points, %zu runs (nothing run: --dry-run)\n", d->npoints, d->runs_total);
	plan_time_print(d);
	ipcb_stdout_note();
	return 0;
}
