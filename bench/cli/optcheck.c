/* SPDX-License-Identifier: MIT */
/*
 * optcheck.c - the driver's command line as a whole: parsed by the option table's rows
 * (options.h), its arguments taken, then what options need each other and what they rule out,
 * checked once every option is in (a bad combination is exit 2 before anything runs).
 */
#include "options.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "topology.h"

/* What the command line said beyond the options' values, for the checks of the whole. */
struct ipcb_opts_given {
	char run_opt[64]; /* the first option given that only a run takes, as typed */
	bool arrivals, timeout, duration, messages;
};

/* A run's timeout must exceed its duration by this much: set-up, warm-up and the end. */
#define IPCB_TIMEOUT_MARGIN_S 1.0

/* The first --topology item that shares its channel (the one messages name), or the first. */
static const struct ipcb_topology *topo_shared(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->ntopos; i++)
		if (o->topos[i].senders > 1 || o->topos[i].receivers > 1)
			return &o->topos[i];
	return &o->topos[0];
}

static int inject_check(const struct ipcb_opts *o, char *err, size_t errlen)
{
	const char *name = ipcb_inject_name(o->inject);
	uint64_t at = ipcb_inject_message(o->inject);
	bool data = o->transports_all;

	if (o->inject == IPCB_INJECT_NONE)
		return 0;
	for (size_t i = 0; i < o->ntransports; i++)
		data |= !(o->transports[i]->caps & IPCB_CAP_NO_DATA);
	if (!data)
		return ipcb_parse_fail(
		    err, errlen,
		    "--inject %s: %s move%s no data, so there is nothing to inject a "
		    "fault into (name a transport that moves data; see --list)",
		    name, o->ntransports == 1 ? o->transports[0]->name : "these transports",
		    o->ntransports == 1 ? "s" : "");
	/* The shortest runs decide: those of the largest size, with the least warm-up. */
	uint64_t warm = o->warmup;

	for (size_t i = 0; i < o->nsizes; i++) {
		uint64_t w = ipcb_opts_warmup(o, o->sizes[i]);

		warm = w < warm ? w : warm;
	}
	for (int m = 0; m < 2 && o->messages; m++) {
		/* A stream without warm-up sends one more message: the receiver's clock start. */
		uint64_t total = warm + o->messages + (m == 1 && warm == 0);

		if (!(m == 0 ? o->latency : o->throughput) || total > at)
			continue;
		return ipcb_parse_fail(
		    err, errlen,
		    "--inject %s: the fault is made at message %llu (counted from 0, "
		    "warm-up included), but --messages %llu with a warm-up of %llu makes "
		    "runs of %llu messages: it would never happen",
		    name, (unsigned long long)at, (unsigned long long)o->messages,
		    (unsigned long long)warm, (unsigned long long)total);
	}
	return 0;
}

/*
 * --deliver all is publish-subscribe: one sender streams every message to every receiver of a
 * 1:N topology, as fast as they take them (a closed loop), each message carrying its sequence
 * number so that every receiver checks its order and counts what it lost.
 */
static int deliver_check(const struct ipcb_opts *o, char *err, size_t errlen)
{
	if (!o->deliver_all)
		return 0;
	if (o->latency || o->bistream)
		return ipcb_parse_fail(
		    err, errlen,
		    "--deliver all: publish-subscribe streams one way, from one sender "
		    "to every receiver: use -m throughput");
	for (size_t i = 0; i < o->ntopos; i++)
		if (o->topos[i].senders > 1)
			return ipcb_parse_fail(
			    err, errlen,
			    "--deliver all: one sender publishes to every receiver, "
			    "and --topology %u:%u has %u senders (use 1:N)",
			    o->topos[i].senders, o->topos[i].receivers, o->topos[i].senders);
	if (o->npairs > 1 || o->pairs[0] > 1)
		return ipcb_parse_fail(
		    err, errlen,
		    "--deliver all and --pairs: one channel with every receiver on it, "
		    "or several pairs, not both");
	if (o->nrates || o->rate_sweep)
		return ipcb_parse_fail(
		    err, errlen,
		    "--deliver all: the publisher streams as fast as its receivers "
		    "take the messages (a closed loop): not with --rate or "
		    "--rate-sweep");
	for (size_t i = 0; i < o->nsizes; i++)
		if (o->sizes[i] < 16)
			return ipcb_parse_fail(
			    err, errlen,
			    "--deliver all: --size %zu is too small: each receiver "
			    "checks a message's sequence number, and counts the ones it "
			    "lost, from its header (16 bytes or more)",
			    o->sizes[i]);
	return 0;
}

/* The load shapes make sense only with the modes and options they shape. */
static int shapes_check(const struct ipcb_opts *o, bool arrivals_given, char *err, size_t errlen)
{
	bool window = o->ninflight > 1 || o->inflight[0] > 1, shared = ipcb_opts_shared(o);
	const struct ipcb_topology *topo = topo_shared(o);

	if (window && !o->latency)
		return ipcb_parse_fail(
		    err, errlen,
		    "--inflight: requests in flight are a latency-mode shape: add -m "
		    "latency");
	if (window && (o->nrates || o->rate_sweep))
		return ipcb_parse_fail(
		    err, errlen,
		    "--inflight with an open loop: a rate keeps as many requests in flight "
		    "as it needs; give --inflight or --rate, not both");
	if (o->nrates && o->rate_sweep)
		return ipcb_parse_fail(
		    err, errlen,
		    "--rate and --rate-sweep: give rates, or let the sweep choose them, "
		    "not both");
	if ((o->nrates || o->rate_sweep) && !o->latency && !o->throughput)
		return ipcb_parse_fail(
		    err, errlen,
		    "--rate: an open loop is a latency or throughput mode shape, not a "
		    "bistream's");
	if (arrivals_given && !o->nrates && !o->rate_sweep)
		return ipcb_parse_fail(err, errlen,
				       "--arrivals spaces open-loop sends: it needs --rate "
				       "or --rate-sweep");
	if (o->slo.ns > 0 && !o->rate_sweep)
		return ipcb_parse_fail(err, errlen,
				       "--slo is what --rate-sweep looks for: it needs it");
	/*
	 * A side that sends and receives at once runs two threads on its one CPU: a spinning
	 * wait in one would keep the other from running.
	 */
	if (o->wait == IPCB_WAIT_SPIN &&
	    (o->bistream || (o->latency && (window || o->nrates || o->rate_sweep))))
		return ipcb_parse_fail(
		    err, errlen,
		    "--wait spin: with --inflight, an open loop with replies or -m "
		    "bistream, a side sends and receives in two threads on one CPU, and a "
		    "spinning one would keep the other from running: use --wait hybrid "
		    "or block (a stream's open loop, -m throughput --rate, may spin)");
	/* An open loop takes its time: the warm-up and the messages go at the rate given. */
	for (size_t i = 0; i < o->nrates; i++) {
		double need = (double)(o->warmup + o->messages) / o->rates[i] +
			      (o->messages ? 0 : o->duration_s);

		if (need + IPCB_TIMEOUT_MARGIN_S >= o->timeout_s)
			return ipcb_parse_fail(
			    err, errlen,
			    "--rate %g: at that rate, %llu warm-up%s messages%s take "
			    "%.3g s, and a run must end within --timeout %g s (less a %g s "
			    "margin): raise the rate or the timeout, or lower --warmup",
			    o->rates[i], (unsigned long long)(o->warmup + o->messages),
			    o->messages ? " and measured" : "",
			    o->messages ? "" : " and the duration", need, o->timeout_s,
			    IPCB_TIMEOUT_MARGIN_S);
	}
	if (shared && (o->latency || o->bistream))
		return ipcb_parse_fail(
		    err, errlen,
		    "--topology %u:%u: several senders or receivers on one channel stream "
		    "one way: use -m throughput",
		    topo->senders, topo->receivers);
	for (size_t i = 0; shared && i < o->nsizes; i++)
		if (o->sizes[i] < 16)
			return ipcb_parse_fail(
			    err, errlen,
			    "--topology %u:%u: --size %zu is too small: a message must "
			    "carry its sender's number and sequence number (16 bytes or "
			    "more)",
			    topo->senders, topo->receivers, o->sizes[i]);
	if (shared && (o->npairs > 1 || o->pairs[0] > 1))
		return ipcb_parse_fail(
		    err, errlen,
		    "--topology and --pairs: several pairs, or one channel with several "
		    "senders or receivers, not both");
	return deliver_check(o, err, errlen);
}

/* Two hosts: one sender and one receiver, on CPUs of each host, with what reaches the peer. */
static int peer_check(const struct ipcb_opts *o, char *err, size_t errlen)
{
	if (!o->peer) {
		if (o->token_file || o->launch || o->peer_binary)
			return ipcb_parse_fail(err, errlen, "%s goes with --peer HOST:PORT",
					       o->token_file ? "--token-file"
					       : o->launch   ? "--launch"
							     : "--peer-ipcbench");
		return 0;
	}
	if (o->peer_binary && !o->launch)
		return ipcb_parse_fail(
		    err, errlen,
		    "--peer-ipcbench names the ipcbench --launch starts: it needs "
		    "--launch");
	if (o->nplacements)
		return ipcb_parse_fail(
		    err, errlen,
		    "--placement: with --peer the sender runs here and the receiver on "
		    "the peer (placement two-host); choose their CPUs with --cpus A,B");
	if (o->floor || o->controls)
		return ipcb_parse_fail(
		    err, errlen, "--floor and --controls measure this host alone, not with --peer");
	if (o->npairs > 1 || o->pairs[0] > 1 || ipcb_opts_shared(o) || o->deliver_all)
		return ipcb_parse_fail(
		    err, errlen,
		    "--pairs, --topology and --deliver all: with --peer, one sender "
		    "here and one receiver on the peer");
	if (o->server_cpu >= 0)
		return ipcb_parse_fail(
		    err, errlen,
		    "--server-cpu: with --peer only network transports run, and none "
		    "has a server process");
	if (o->recv_work_ns)
		return ipcb_parse_fail(
		    err, errlen,
		    "--receiver-work-ns: not with --peer (the peer's side is told "
		    "--work-ns only)");
	return 0;
}

/*
 * --cpus with the topology's placements: a CPU list in the kernel's syntax ("0-7,16"), the CPUs
 * their pairs are chosen from. Where the plan also has cross-core or same-core, those take the
 * two CPUs --cpus A,B names, or the list's two lowest.
 */
static int parse_cpu_list(struct ipcb_opts *o, char *err, size_t errlen)
{
	cpu_set_t allowed;
	char allowed_s[256];
	int rc;

	o->cpu_list = calloc(IPCB_TOPO_MAX_CPUS, sizeof(*o->cpu_list));
	if (!o->cpu_list)
		return ipcb_parse_fail(err, errlen, "--cpus: %s", strerror(ENOMEM));
	rc = ipcb_cpulist_parse(o->cpus_arg, o->cpu_list, IPCB_TOPO_MAX_CPUS, &o->ncpu_list);
	if (rc || o->ncpu_list == 0)
		return ipcb_parse_fail(
		    err, errlen, "--cpus: '%s' is not a CPU list (e.g. 0-3,8 or 0,1)%s",
		    o->cpus_arg, rc == -ERANGE ? ": a CPU number is too large" : "");
	/* The sides are pinned with a cpu_set_t: a CPU it cannot hold is no CPU to choose. */
	for (size_t i = 0; i < o->ncpu_list; i++)
		if (o->cpu_list[i] >= CPU_SETSIZE)
			return ipcb_parse_fail(
			    err, errlen,
			    "--cpus: CPU %d is beyond the %d CPUs a process can be "
			    "pinned to here",
			    o->cpu_list[i], CPU_SETSIZE);
	/* A plan alone may be of another machine (HWLOC_XMLFILE, HWLOC_SYNTHETIC): none pinned. */
	if (!o->plan_only && ipcb_cpus_allowed(&allowed) == 0) {
		ipcb_cpus_text(&allowed, allowed_s, sizeof(allowed_s));
		for (size_t i = 0; i < o->ncpu_list; i++)
			if (o->cpu_list[i] >= CPU_SETSIZE || !CPU_ISSET(o->cpu_list[i], &allowed))
				return ipcb_parse_fail(
				    err, errlen,
				    "--cpus: CPU %d is not available to this process "
				    "(allowed: %s)",
				    o->cpu_list[i], allowed_s);
	}
	if (o->plan_only || ipcb_parse_cpus(o->cpus_arg, o->cpus, err, errlen) < 0) {
		o->cpus[0] = o->cpu_list[0];
		o->cpus[1] = o->ncpu_list > 1 ? o->cpu_list[1] : o->cpu_list[0];
	}
	err[0] = '\0';
	return 0;
}

/* The checks of the command line as a whole, once every option is in. */
/* A counted run's defaults (messages, no probes), and the loads it cannot count. */
#define IPCB_COUNT_MESSAGES  1000
#define IPCB_COUNT_WARMUP    20
#define IPCB_COUNT_TIMEOUT_S 600.0

static int count_check(struct ipcb_opts *o, const struct ipcb_opts_given *st, char *err,
		       size_t errlen)
{
	const char *what = NULL;

	if (!ipcb_opts_mode(o, &ipcb_mode_count))
		return 0;
	if (o->peer)
		what = "--peer (a side on another host)";
	else if (o->floor || o->controls)
		what = o->floor ? "--floor" : "--controls";
	else if (o->nrates || o->rate_sweep)
		what = "an open loop (--rate, --rate-sweep)";
	else if (o->ninflight > 1 || (o->ninflight == 1 && o->inflight[0] > 1))
		what = "--inflight";
	else if (o->npairs > 1 || (o->npairs == 1 && o->pairs[0] > 1) || o->ntopos > 1 ||
		 (o->ntopos == 1 && (o->topos[0].senders > 1 || o->topos[0].receivers > 1)))
		what = "several sides (--pairs, --topology)";
	else if (o->bistream)
		what = "-m bistream";
	else if (st->duration)
		what = "--duration (a counted run counts a fixed number of messages: -n)";
	if (what)
		return ipcb_parse_fail(err, errlen,
				       "--count counts closed loops of one pair on this host: not "
				       "with %s",
				       what);
	/*
	 * A build that cannot count says so here, while the command line is read, so that a script
	 * learns it from `--count --list` (scripts/ab-gate); `count --help` is still the help.
	 */
	if (ipcb_count_unsupported() && !o->help)
		return ipcb_parse_fail(err, errlen, "--count: %s", ipcb_count_unsupported());
	if (!st->messages)
		o->messages = IPCB_COUNT_MESSAGES;
	/* A warm-up binds the libraries' symbols and touches the buffers; counts need no more. */
	if (!o->warmup_given) {
		o->warmup = IPCB_COUNT_WARMUP;
		o->warmup_given = true;
	}
	o->duration_s = 0;
	o->probes = false;
	if (!st->timeout)
		o->timeout_s = IPCB_COUNT_TIMEOUT_S;
	return 0;
}

static int opts_check(struct ipcb_opts *o, const struct ipcb_opts_given *st, char *err,
		      size_t errlen)
{
	int rc;

	/* An option for a transport this run does not measure would silently do nothing. */
	for (size_t i = 0; i < o->ntopts && !o->transports_all; i++) {
		bool used = false;

		for (size_t k = 0; k < o->ntransports; k++)
			used |= o->transports[k] == o->topts[i].t;
		if (!used)
			return ipcb_parse_fail(
			    err, errlen, "-o %s: %s is not among the transports measured (-t)",
			    o->topts[i].arg, o->topts[i].t->name);
	}
	/* Without --cleanup, --dry-run prints the plan a run would measure, and runs nothing. */
	if (o->dry_run && !ipcb_opts_mode(o, &ipcb_mode_cleanup))
		o->plan_only = true;
	if (o->cpus_arg && !o->peer && ipcb_opts_topology_placed(o)) {
		rc = parse_cpu_list(o, err, errlen);
		if (rc)
			return rc;
	} else if (o->cpus_arg) {
		rc = o->peer ? ipcb_parse_cpus_two_hosts(o->cpus_arg, o->cpus, err, errlen)
			     : ipcb_parse_cpus(o->cpus_arg, o->cpus, err, errlen);
		if (rc)
			return rc;
	}
	if (o->peer && ipcb_opts_topology_placed(o))
		return ipcb_parse_fail(
		    err, errlen,
		    "--placement: the topology's placements (smt, llc, node, remote-node, "
		    "matrix) are pairs of this host's CPUs, not with --peer");
	rc = peer_check(o, err, errlen);
	if (rc)
		return rc;
	if (o->commit && !o->db_path)
		return ipcb_parse_fail(err, errlen,
				       "--commit names the run --db stores: it needs --db");
	if (ipcb_opts_mode(o, &ipcb_mode_cleanup) && st->run_opt[0])
		return ipcb_parse_fail(
		    err, errlen,
		    "--cleanup takes only --dir and --dry-run, not %s: it runs nothing "
		    "(run the measurements separately)",
		    st->run_opt);
	if (o->controls && (!o->transports_all || o->floor))
		return ipcb_parse_fail(
		    err, errlen,
		    "--controls measures only the control floors: it takes no --transport "
		    "and no --floor");
	rc = count_check(o, st, err, errlen);
	if (rc)
		return rc;
	if (o->duration_s == 0 && o->messages == 0)
		return ipcb_parse_fail(
		    err, errlen,
		    "--duration 0 needs --messages N: otherwise a run would never end");
	/*
	 * The timeout covers a whole run: set-up, warm-up, the measured duration, the end. One
	 * shorter than the duration would end every run by timing it out, blaming a peer.
	 */
	if (o->duration_s > 0 && o->timeout_s <= o->duration_s + IPCB_TIMEOUT_MARGIN_S)
		return ipcb_parse_fail(
		    err, errlen,
		    "--timeout %g%s is too short for --duration %g: a run takes its "
		    "duration plus set-up and warm-up, so the timeout must be more than "
		    "%g s (the duration plus a %g s margin)",
		    o->timeout_s, st->timeout ? "" : " (the default)", o->duration_s,
		    o->duration_s + IPCB_TIMEOUT_MARGIN_S, IPCB_TIMEOUT_MARGIN_S);
	rc = shapes_check(o, st->arrivals, err, errlen);
	if (rc)
		return rc;
	return inject_check(o, err, errlen);
}

/* The arguments: with --list, the transports to describe in full; else none is expected. */
static int take_args(struct ipcb_opts *o, const char **args, size_t nargs, char *err, size_t errlen)
{
	for (size_t k = 0; ipcb_opts_mode(o, &ipcb_mode_list) && k < nargs; k++) {
		const struct ipcb_transport *t = ipcb_transport_find(args[k]);
		char names[1024], why[600];

		if (strncmp(args[k], "external:", 9) == 0 &&
		    ipcb_transport_load(args[k] + 9, &t, why, sizeof(why)) < 0)
			return ipcb_parse_fail(err, errlen, "--list: %s", why);
		if (!t) {
			ipcb_opts_transport_names(names, sizeof(names));
			return ipcb_parse_fail(err, errlen,
					       "--list: unknown transport '%s'; valid names: %s",
					       args[k], names);
		}
		if (o->nlist_only == IPCB_MAX_LIST)
			return ipcb_parse_fail(err, errlen, "--list: too many transports");
		o->list_only[o->nlist_only++] = t;
	}
	if (!ipcb_opts_mode(o, &ipcb_mode_list) && nargs)
		return ipcb_parse_fail(err, errlen, "unexpected argument '%s'", args[0]);
	return 0;
}

/* What the command line says beyond the options' values, gathered as it is parsed. */
struct parse_state {
	struct ipcb_opts *o;
	struct ipcb_opts_given given;
	const char **args;
	size_t nargs;
};

static int parse_arg(void *ctx, const char *arg, char *err, size_t errlen)
{
	struct parse_state *st = ctx;

	/* Arguments may come between options (`--list pipe -q`): kept for after the options. */
	st->args[st->nargs++] = arg;
	return 0;
}

static int parse_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		       const char *value, char *err, size_t errlen)
{
	struct parse_state *st = ctx;

	if (!st->given.run_opt[0] && !(row->flags & IPCB_OPTS_NO_RUN))
		snprintf(st->given.run_opt, sizeof(st->given.run_opt), "%s", typed);
	/* The checks of the whole tell a default from a value given (CALL rows have no offset). */
	if (row->type != IPCB_CLI_CALL) {
		st->given.arrivals |= row->off == offsetof(struct ipcb_opts, run.arrivals);
		st->given.timeout |= row->off == offsetof(struct ipcb_opts, timeout_s);
		st->given.duration |= row->off == offsetof(struct ipcb_opts, duration_s);
		st->given.messages |= row->off == offsetof(struct ipcb_opts, messages);
		st->o->warmup_given |= row->off == offsetof(struct ipcb_opts, warmup);
	}
	return 0;
}

int ipcb_opts_parse(struct ipcb_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct parse_state st = {.o = o,
				 .args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(char *))};
	const struct ipcb_cli_hooks hooks = {.arg = parse_arg, .taken = parse_taken, .ctx = &st};
	int rc;

	if (!st.args)
		return ipcb_parse_fail(err, errlen, "the command line: %s", strerror(ENOMEM));
	rc = ipcb_cli_parse(ipcb_opts_rows(), o, argc, argv, &hooks, err, errlen);
	if (!rc)
		rc = take_args(o, st.args, st.nargs, err, errlen);
	free(st.args);
	return rc ? rc : opts_check(o, &st.given, err, errlen);
}
