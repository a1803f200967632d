/* SPDX-License-Identifier: MIT */
/*
 * driver.c - the ipcbench driver: parse the command line, work out what can run here and where,
 * then run the plan (placement x [floors] x transport x size x mode x repeat) one measurement at
 * a time, printing each row as it is measured and appending it to the CSV, so an interrupted or
 * failing sweep keeps every row already measured.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "driver.h"
#include "clock.h"
#include "crash.h"
#include "floor.h"
#include "format.h"
#include "hdrlog.h"
#include "history.h"
#include "launch.h"
#include "msg.h"
#include "options.h"
#include "outfile.h"
#include "output.h"
#include "probe.h"
#include "remote.h"
#include "run.h"
#include "runtime.h"
#include "stats.h"
#include "service.h"
#include "sysinfo.h"
#include "topology.h"
#include "version.h"

/* One-way rows are kept only when the clock check's bound is this small a part of their p50. */
#define ONE_WAY_MAX_SKEW_SHARE 0.1

/* A transport the plan will use, with what probe() found and what its rows say of it. */
struct planned {
	const struct ipcb_transport *t;
	size_t max_msg_bytes;
	uint64_t opt[IPCB_MAX_OPTIONS]; /* its options: defaults and -o */
	char options[160];		/* "hwm=1000" */
	/* The options away from the transport's defaults ("write=16384"; "" at its defaults),
	 * and whether --tune added this set to the one asked for. */
	char tuning[96];
	bool variant;
	int tuned_idx; /* a variant: the option --tune changed, and to what */
	uint64_t tuned_val;
	char library[512];	      /* "zmq 4.3.4"; a server's version after it */
	struct ipcb_service_run *svc; /* its server, when it has one and it runs */
};

/* Where the two sides run, and the floors measured there. */
struct place {
	enum ipcb_placement kind;
	int cpu[2];
	char topology[48]; /* what the two CPUs share ("cache L3"); "" when not pinned or unknown */
	bool clock_checked;
	struct ipcb_clock_check clock;
	double cacheline_p50_ns;		  /* 0 = not measured */
	double memcpy_bytes_per_s[IPCB_MAX_LIST]; /* per --size index; 0 = not measured */
	/* Cross-core only: copying out what the other CPU wrote, per --size index. */
	double xcopy_bytes_per_s[IPCB_MAX_LIST];
	/*
	 * The machine's state at these CPUs: the last probe's cache-line and wake-up round trips
	 * (p50, ns; 0 = none yet), when it was taken, and every probe's so far (their median is
	 * the run's usual state, which a probe that jumps is flagged against).
	 */
	struct ipcb_prober *prober; /* its probe threads; NULL: no probes */
	bool probes_failed;	    /* they could not start, or a probe failed: said once */
	bool probed;
	double probe_cl_ns, probe_wk_ns, probe_cl_after_ns;
	uint64_t probe_at_ns; /* when the wake-up was last probed */
	bool probe_jump;      /* the last probe moved by half or more from the usual */
	bool round_start;     /* no run yet this round: the wake-up is probed before the next */
	double *probe_hist[2];
	size_t nprobes, probes_cap;
};

/* What shapes one point of the plan beyond its transport and size. */
struct shape {
	enum ipcb_mode mode;
	unsigned pairs, inflight;
	double rate;	 /* open loop: messages per second offered in all; 0: closed loop */
	double fraction; /* a rate sweep's step: rate as a share of the closed-loop maximum */
	unsigned senders, receivers; /* sharing one channel (--topology) */
};

/*
 * One point of the plan: a round runs each once. A rate sweep is one point: in each round it
 * measures its closed-loop maximum, then offers fractions of it.
 */
struct plan_point {
	size_t place, use, si;
	struct shape sh;
	bool sweep;
	/* What each round measured, for the summary: its main value (a round trip's p50, else the
	 * rate), context switches per message and the wake-up probe beside it. */
	double *value, *ctx, *wake;
	size_t nvalues;
};

struct driver {
	struct ipcb_opts o;
	/* The transport, mode, size and placement whose one-way rows were last said left out. */
	char one_way_noted[160];
	struct ipcb_sysinfo si;
	struct planned use[IPCB_MAX_LIST];
	size_t nuse;
	struct place *places; /* a placement matrix has many */
	size_t nplaces, places_cap;
	struct ipcb_topo *topo;	 /* what sysfs says of the CPUs; NULL: it could not be read */
	char topo_err[200];	 /* why not */
	bool topo_elsewhere;	 /* read from IPCB_SYSFS_ROOT: another machine's tree, maybe */
	int first_cpus[2];	 /* the first two CPUs this process may use (same when only one) */
	struct ipcb_table table; /* the table's columns, fitted to the terminal */
	struct ipcb_csv csv;
	struct ipcb_jsonout json;     /* --json: kept until the end of the run */
	struct ipcb_outfile hdr_file; /* the HDR log, under a temporary name until it has a line */
	/*
	 * The .hgrm file being written, its name and its error: here rather than on hgrm_write's
	 * stack (8 KiB of paths, and the stack may be small); one at a time, never re-entered.
	 */
	struct ipcb_outfile hgrm_file;
	char hgrm_path[PATH_MAX], hgrm_err[IPCB_ERR_BYTES];
	/*
	 * The run in progress (run_point): its spec, result and row, here rather than on the
	 * stack, whose depth where the driver forks is where every side starts (and the stack may
	 * be small: ulimit -s). One run at a time.
	 */
	struct ipcb_run_spec run_spec;
	struct ipcb_run_result run_result;
	struct ipcb_row run_row;
	bool hdr_opened; /* hdr_file is open (closed, or its temporary name removed, at the end) */
	struct ipcb_hdrlog *hdrlog; /* NULL once a write failed: the log stops there */
	size_t hdr_intervals;	    /* intervals logged */
	bool hgrm_made;		    /* --hgrm DIR was created by this run */
	uint64_t log_start_ns;	    /* monotonic time the HDR log's StartTime stands for */
	uint64_t run_start_ns;	    /* when the current run began */
	size_t runs_total, runs_done;
	unsigned failures;  /* runs that failed */
	bool output_failed; /* a row, log or .hgrm file could not be written */
	uint64_t started_ns;
	int interrupted; /* signal number */
	struct plan_point *points;
	size_t npoints, points_cap;
	unsigned round; /* the current round's number (from --first-round) */
	/* --peer: the receivers run on another host, reached through this (bench/remote/remote.h).
	 */
	struct ipcb_remote remote;
	bool two_hosts;
	/*
	 * Its launchers: a stand-in here for the side there, or (IPCB_CAP_LAUNCH_HOSTS) the
	 * transport's runtime starting the side there itself.
	 */
	struct ipcb_launcher remote_launcher, hosts_launcher;
	struct ipcb_runtime_hosts hosts;
	/* --db: the run in the results history, and the command line its record keeps. */
	struct ipcb_history_run *hist;
	int argc;
	char **argv;
};

static const char *prog = "ipcbench";
/* The first error met writing standard output (0: none yet), for the message at exit. */
static int stdout_errno;

int ipcb_driver_stdout_errno(void)
{
	return stdout_errno;
}

/* After writing to stdout: remember why a write failed, while errno still says. */
static void stdout_note(void)
{
	if (!stdout_errno && ferror(stdout))
		stdout_errno = errno;
}

static int probe_transport(const struct ipcb_transport *t, struct ipcb_probe *p)
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

static void caps_text(unsigned caps, char *out, size_t n)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {IPCB_CAP_BIDIR, "bidirectional"},
	    {IPCB_CAP_BOUNDARIES, "messages"},
	    {IPCB_CAP_WAIT_CHOICE, "wait-choice"},
	    {IPCB_CAP_SHARED_BUFFER, "shared-buffer"},
	    {IPCB_CAP_USES_DIR, "uses-dir"},
	    {IPCB_CAP_NO_DATA, "no-data"},
	    {IPCB_CAP_FSYNC, "fsync"},
	    {IPCB_CAP_MULTI_SENDER, "multi-sender"},
	    {IPCB_CAP_MULTI_RECEIVER, "multi-receiver"},
	    {IPCB_CAP_DUPLEX, "duplex"},
	    {IPCB_CAP_ZEROCOPY, "zerocopy"},
	    {IPCB_CAP_LOSSY, "lossy"},
	    {IPCB_CAP_NETWORK, "network"},
	    {IPCB_CAP_LAUNCH_HOSTS, "launch-hosts"},
	    {IPCB_CAP_BROADCAST, "broadcast"},
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((caps & names[i].bit) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						names[i].name);
	if (!(caps & IPCB_CAP_BOUNDARIES) && !(caps & IPCB_CAP_NO_DATA) && len < n)
		snprintf(out + len, n - len, "%sstream", len ? "," : "");
}

static const char *opt_type_text(const struct ipcb_option *o, char *out, size_t n)
{
	if (o->type == IPCB_OPT_BOOL)
		snprintf(out, n, "0|1");
	else if (o->type == IPCB_OPT_CHOICE)
		snprintf(out, n, "%s", o->choices);
	else
		snprintf(out, n, "%llu..%llu", (unsigned long long)o->min,
			 (unsigned long long)o->max);
	return out;
}

/* `--list NAME`: one transport in full. */
static void list_one(const struct ipcb_transport *t)
{
	struct ipcb_probe p;
	char caps[160], max[16], lib[512] = "", type[96];
	int rc = probe_transport(t, &p);

	caps_text(t->caps, caps, sizeof(caps));
	if (p.max_msg_bytes)
		ipcb_format_size(p.max_msg_bytes, max, sizeof(max));
	else
		snprintf(max, sizeof(max), "no limit");
	ipcb_transport_library(t, lib, sizeof(lib));
	printf("%s: %s\n", t->name, t->summary);
	printf("  runs here:     %s%s%s\n", rc ? "no" : "yes", rc ? ": " : "", rc ? p.reason : "");
	printf("  capabilities:  %s\n", caps);
	printf("  largest message in one operation: %s\n", max);
	printf("  family:        %s\n", ipcb_layer_name(t->layer));
	if (ipcb_transport_module_set(t))
		printf("  module:        ipcb-%s.so (opened when a run asks for it)\n",
		       ipcb_transport_module_set(t));
	printf("  hops:          %s\n", t->hops ? t->hops : "direct");
	printf("  data path:     %s%s%s\n", ipcb_path_name(t->path),
	       t->rides_on ? ", rides on " : "", t->rides_on ? t->rides_on : "");
	if (lib[0])
		printf("  library:       %s\n", lib);
	if (t->notes)
		printf("  notes:         %s\n", t->notes);
	if (!t->options || !t->options[0].key)
		printf("  options:       none\n");
	for (size_t i = 0; t->options && t->options[i].key; i++) {
		const struct ipcb_option *o = &t->options[i];

		printf("  -o %s.%s=%s (default %s%s%s): %s\n", t->name, o->key,
		       opt_type_text(o, type, sizeof(type)), o->def,
		       o->tune ? "; --tune tries " : "", o->tune ? o->tune : "", o->help);
	}
}

static int do_list_some(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->nlist_only; i++) {
		errno = 0;
		if (i)
			putchar('\n');
		list_one(o->list_only[i]);
		stdout_note();
	}
	return 0;
}

static int do_list(void)
{
	errno = 0;
	printf("%-15s %-4s %-8s %-44s %s\n", "transport", "runs", "max msg", "capabilities",
	       "summary");
	stdout_note();
	for (size_t i = 0; i < ipcb_transport_count(); i++) {
		/* Whether it runs here is the module's to say: listing opens each. */
		const struct ipcb_transport *t = ipcb_transport_full(ipcb_transport_at(i));
		struct ipcb_probe p;
		char caps[160], max[16];
		int rc = probe_transport(t, &p);

		caps_text(t->caps, caps, sizeof(caps));
		if (p.max_msg_bytes)
			ipcb_format_size(p.max_msg_bytes, max, sizeof(max));
		else
			snprintf(max, sizeof(max), "-");
		errno = 0;
		printf("%-15s %-4s %-8s %-44s %s\n", t->name, rc ? "no" : "yes", max, caps,
		       t->summary);
		if (rc)
			printf("%-15s      why not: %s\n", "", p.reason);
		stdout_note();
	}
	return 0;
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

/* Resolve --transport into what can run here; say why the others cannot. */
static int resolve_transports(struct driver *d)
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

		if (ipcb_transport_check(t, why, sizeof(why)) < 0) {
			fprintf(stderr, "%s: skipping %s: broken entry: %s\n", prog, t->name, why);
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
		if (probe_transport(t, &p)) {
			fprintf(stderr, "%s: skipping %s: %s\n", prog, t->name, p.reason);
			continue;
		}
		plan_add(d, t, p.max_msg_bytes);
	}
	return d->nuse ? 0 : -ENOTSUP;
}

/* The CPU a row's server runs on: --server-cpu, else the receiver's (-1: unpinned). */
static int server_cpu_for(const struct driver *d, const struct place *pl)
{
	return d->o.server_cpu >= 0 ? d->o.server_cpu : pl->cpu[1];
}

/*
 * Start the server of every planned transport that has one, once for the whole sweep. One that
 * cannot start is skipped, saying why, as a transport that cannot run here is. Returns 0, or
 * -EINTR when a signal asked the driver to stop (d->interrupted).
 */
static int services_start(struct driver *d)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->nuse; i++) {
		struct planned *p = &d->use[i];
		size_t len;
		int rc;

		if (p->t->service) {
			uint64_t t0 = ipcb_now_ns();

			p->svc = calloc(1, sizeof(*p->svc));
			rc = p->svc ? ipcb_service_start(p->svc, p->t, p->opt, d->o.dir,
							 server_cpu_for(d, &d->places[0]),
							 IPCB_SERVICE_START_LIMIT_S)
				    : -ENOMEM;
			if (rc == -EINTR) {
				d->interrupted = p->svc->signal;
				free(p->svc);
				p->svc = NULL;
				d->nuse = kept + (d->nuse - i);
				memmove(&d->use[kept], p, (d->nuse - kept) * sizeof(*p));
				return rc;
			}
			if (rc) {
				fprintf(stderr, "%s: skipping %s: %s\n", prog, p->t->name,
					p->svc ? p->svc->error : strerror(ENOMEM));
				free(p->svc);
				continue;
			}
			/* A broker's start takes seconds: say what the wait was, and its memory. */
			if (!d->o.quiet) {
				uint64_t rss = 0;

				ipcb_service_rss_bytes(p->svc, &rss);
				fprintf(stderr,
					"# %s: %s answered %.2f s after it was started, %.0f MiB "
					"resident\n",
					p->t->name,
					p->svc->svc.version[0] ? p->svc->svc.version
							       : p->svc->svc.argv[0],
					(double)(ipcb_now_ns() - t0) / 1e9, (double)rss / 1048576);
			}
			/* What the running server showed it passes in one message. */
			if (p->svc->svc.max_msg_bytes &&
			    (!p->max_msg_bytes || p->svc->svc.max_msg_bytes < p->max_msg_bytes))
				p->max_msg_bytes = p->svc->svc.max_msg_bytes;
			len = strlen(p->library);
			if (p->svc->svc.version[0])
				snprintf(p->library + len, sizeof(p->library) - len, "%s%s",
					 len ? "; " : "", p->svc->svc.version);
		}
		if (kept != i)
			d->use[kept] = *p;
		kept++;
	}
	d->nuse = kept;
	return 0;
}

static void services_stop(struct driver *d)
{
	for (size_t i = 0; i < d->nuse; i++)
		if (d->use[i].svc) {
			ipcb_service_stop(d->use[i].svc);
			free(d->use[i].svc);
			d->use[i].svc = NULL;
		}
}

static int first_cpus(int cpus[2])
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[found++] = c;
	if (found == 1)
		cpus[1] = cpus[0];
	return found ? 0 : -ENOENT;
}

/* Work out each placement's CPUs from --placement and --cpus. */
/* A new placement at the end of the list, zeroed; NULL when out of memory. */
static struct place *place_add(struct driver *d, enum ipcb_placement kind, int a, int b)
{
	struct place *p;

	if (d->nplaces == d->places_cap) {
		size_t cap = d->places_cap ? 2 * d->places_cap : 8;
		struct place *n = realloc(d->places, cap * sizeof(*n));

		if (!n)
			return NULL;
		d->places = n;
		d->places_cap = cap;
	}
	p = &d->places[d->nplaces++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->cpu[0] = a;
	p->cpu[1] = b;
	return p;
}

/*
 * What sysfs says of the machine's CPUs (lib/topology.h), from IPCB_SYSFS_ROOT when it is set
 * (another tree: a plan of another machine, or a test's). Without it, every pinned row's
 * cpu_topology is empty and the topology's placements cannot be chosen.
 */
static void topology_load(struct driver *d)
{
	const char *root = getenv(IPCB_SYSFS_ROOT_ENV);

	d->topo_elsewhere = root && *root;
	if (ipcb_topo_create(d->topo_elsewhere ? root : NULL, &d->topo, d->topo_err,
			     sizeof(d->topo_err)) < 0)
		d->topo = NULL;
}

/* What the two CPUs of a placement share, in words, for its rows. */
static void place_topology(const struct driver *d, struct place *p)
{
	struct ipcb_topo_pair pair;

	p->topology[0] = '\0';
	if (!d->topo || p->cpu[0] < 0 || p->cpu[1] < 0 || p->kind == IPCB_PLACE_TWO_HOST)
		return;
	if (ipcb_topo_classify(d->topo, p->cpu[0], p->cpu[1], &pair) == 0)
		ipcb_topo_pair_text(&pair, p->topology, sizeof(p->topology));
}

/*
 * How progress lines, failures and the summary name a placement: a pair the topology chose (a
 * class's, or a matrix cell) with its CPUs, since several share a name. Four at a time.
 */
static const char *place_text(const struct place *pl)
{
	static char buf[4][48];
	static unsigned next;
	char *out = buf[next++ % 4];

	if (pl->kind >= IPCB_PLACE_SMT && pl->kind <= IPCB_PLACE_MATRIX)
		snprintf(out, sizeof(buf[0]), "%s %d,%d", ipcb_placement_name(pl->kind), pl->cpu[0],
			 pl->cpu[1]);
	else
		snprintf(out, sizeof(buf[0]), "%s", ipcb_placement_name(pl->kind));
	return out;
}

/*
 * The CPUs the topology's placements choose from: --cpus LIST, else every CPU sysfs lists that
 * this process may use (all of them, for another machine's tree). *cpus is allocated.
 */
static int topology_cpus(const struct driver *d, int **cpus, size_t *n)
{
	const int *all;
	size_t nall = ipcb_topo_cpus(d->topo, &all);
	cpu_set_t allowed;

	*n = 0;
	*cpus = calloc(nall ? nall : 1, sizeof(**cpus));
	if (!*cpus)
		return -ENOMEM;
	if (d->o.cpu_list) {
		for (size_t i = 0; i < d->o.ncpu_list && *n < nall; i++)
			for (size_t k = 0; k < nall; k++)
				if (all[k] == d->o.cpu_list[i])
					(*cpus)[(*n)++] = all[k];
		return 0;
	}
	if (!d->topo_elsewhere && sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	for (size_t k = 0; k < nall; k++)
		if (d->topo_elsewhere || (all[k] < CPU_SETSIZE && CPU_ISSET(all[k], &allowed)))
			(*cpus)[(*n)++] = all[k];
	return 0;
}

/*
 * The topology's placements asked for: a representative pair of each class the machine has
 * (saying which it lacks, and why), and the matrix's ordered pairs (sampled beyond
 * --matrix-pairs). 0, or -EINVAL / -ENOMEM with err filled.
 */
static int resolve_topology_places(struct driver *d, char *err, size_t errlen)
{
	static const enum ipcb_topo_place of[] = {
	    [IPCB_PLACE_SMT] = IPCB_TOPO_PLACE_SMT,
	    [IPCB_PLACE_LLC] = IPCB_TOPO_PLACE_LLC,
	    [IPCB_PLACE_NODE] = IPCB_TOPO_PLACE_NODE,
	    [IPCB_PLACE_REMOTE_NODE] = IPCB_TOPO_PLACE_REMOTE_NODE,
	};
	const struct ipcb_opts *o = &d->o;
	struct ipcb_topo_reps reps;
	struct ipcb_cpu_pair *pairs = NULL;
	size_t n = 0, npairs = 0;
	int *cpus = NULL, rc;

	if (!d->topo) {
		snprintf(err, errlen,
			 "--placement: the topology's placements need what sysfs says of the "
			 "CPUs: %s",
			 d->topo_err);
		return -EINVAL;
	}
	rc = topology_cpus(d, &cpus, &n);
	if (rc == 0 && n == 0)
		rc = -ENOENT;
	if (rc == 0)
		rc = ipcb_topo_reps_pick(d->topo, cpus, n, &reps);
	if (rc) {
		snprintf(err, errlen, "--placement: choosing CPU pairs%s: %s",
			 o->cpu_list ? " among --cpus" : "",
			 rc == -ENOENT ? "none of the CPUs is one sysfs lists" : strerror(-rc));
		free(cpus);
		return rc;
	}
	for (size_t i = 0; i < o->nplacements; i++) {
		enum ipcb_placement k = o->placements[i];

		if (k >= IPCB_PLACE_SMT && k <= IPCB_PLACE_REMOTE_NODE) {
			enum ipcb_topo_place tp = of[k];

			if (!reps.has[tp]) {
				fprintf(stderr, "%s: --placement %s: this machine has none%s%s%s\n",
					prog, ipcb_placement_name(k),
					o->cpu_list ? " among --cpus" : "",
					reps.why[tp] ? ": " : "", reps.why[tp] ? reps.why[tp] : "");
				continue;
			}
			if (!place_add(d, k, reps.cpu[tp][0], reps.cpu[tp][1]))
				rc = -ENOMEM;
		} else if (k == IPCB_PLACE_MATRIX) {
			size_t limit = o->matrix_pairs;

			pairs = calloc(limit, sizeof(*pairs));
			rc = pairs ? ipcb_topo_pairs_pick(d->topo, cpus, n, limit, pairs, &npairs)
				   : -ENOMEM;
			for (size_t j = 0; rc == 0 && j < npairs; j++)
				if (!place_add(d, k, pairs[j].a, pairs[j].b))
					rc = -ENOMEM;
			if (rc == 0 && npairs < n * n)
				fprintf(
				    stderr,
				    "%s: --placement matrix: %zu of the %zu ordered pairs of %zu "
				    "CPUs, a sample of every kind of pair (--matrix-pairs)\n",
				    prog, npairs, n * n, n);
			free(pairs);
			pairs = NULL;
		}
		if (rc)
			break;
	}
	free(cpus);
	if (rc) {
		snprintf(err, errlen, "--placement: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static int resolve_places(struct driver *d, char *err, size_t errlen)
{
	const struct ipcb_opts *o = &d->o;
	bool cpus_given = o->cpus[0] >= 0;
	int a = cpus_given ? o->cpus[0] : d->first_cpus[0];
	int b = cpus_given ? o->cpus[1] : d->first_cpus[1];
	enum ipcb_placement kinds[IPCB_PLACES];
	size_t n = o->nplacements;

	/* The sender here, the receiver there: its CPU is the peer's (-2 until it says). */
	if (o->peer) {
		if (!place_add(d, IPCB_PLACE_TWO_HOST, a, cpus_given ? b : -2))
			goto nomem;
		return 0;
	}
	if (n == 0) {
		kinds[0] = a == b ? IPCB_PLACE_SAME_CORE : IPCB_PLACE_CROSS_CORE;
		n = 1;
		if (!cpus_given && a == b)
			fprintf(stderr, "%s: only CPU %d is available: both sides share it\n", prog,
				a);
	} else {
		memcpy(kinds, o->placements, n * sizeof(kinds[0]));
	}
	for (size_t i = 0; i < n; i++) {
		switch (kinds[i]) {
		case IPCB_PLACE_CROSS_CORE:
			if (a == b) {
				snprintf(err, errlen,
					 cpus_given
					     ? "--placement cross-core needs two different CPUs, "
					       "but --cpus says %d,%d"
					     : "--placement cross-core needs two CPUs; this "
					       "process may use only CPU %d%.0d",
					 a, b);
				return -EINVAL;
			}
			if (!place_add(d, kinds[i], a, b))
				goto nomem;
			break;
		case IPCB_PLACE_SAME_CORE:
			if (!place_add(d, kinds[i], a, a))
				goto nomem;
			break;
		case IPCB_PLACE_UNPINNED:
			if (!place_add(d, kinds[i], -1, -1))
				goto nomem;
			break;
		default:
			break; /* the topology's, below */
		}
	}
	if (ipcb_opts_topology_placed(o)) {
		int rc = resolve_topology_places(d, err, errlen);

		if (rc)
			return rc;
	}
	for (size_t i = 0; i < d->nplaces; i++)
		place_topology(d, &d->places[i]);
	if (d->nplaces == 0) {
		snprintf(err, errlen,
			 "--placement: this machine has none of the placements asked for (see "
			 "above)");
		return -ENOENT;
	}
	return 0;
nomem:
	snprintf(err, errlen, "placements: %s", strerror(ENOMEM));
	return -ENOMEM;
}

static int check_dir(struct driver *d, char *err, size_t errlen)
{
	bool needed = false;
	struct stat st;

	for (size_t i = 0; i < d->nuse; i++)
		needed |= (d->use[i].t->caps & IPCB_CAP_USES_DIR) != 0;
	if (!d->o.dir) {
		const char *tmp = getenv("TMPDIR");

		d->o.dir = tmp && *tmp ? tmp : "/tmp";
	}
	if (!needed)
		return 0;
	if (stat(d->o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--dir %s: not a directory", d->o.dir);
		return -ENOTDIR;
	}
	if (access(d->o.dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "--dir %s: not writable: %s", d->o.dir, strerror(errno));
		return -EACCES;
	}
	return 0;
}

static void progress(struct driver *d, const struct place *pl, const struct ipcb_row *row,
		     double rate)
{
	char sz[16], shape[96];
	double elapsed = (double)(ipcb_now_ns() - d->started_ns) / 1e9;

	if (d->o.quiet)
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	ipcb_row_shape(row, rate, shape, sizeof(shape));
	fprintf(stderr, "[%zu/%zu %5.1fs] %s %s %s %s%s%s", d->runs_done + 1, d->runs_total,
		elapsed, place_text(pl), row->transport, row->mode, sz, shape[0] ? ", " : "",
		shape);
	if (d->o.repeat > 1)
		fprintf(stderr, " round %u/%u", row->run - d->o.first_round + 1, d->o.repeat);
	if (d->runs_done > 0) {
		double left =
		    elapsed / (double)d->runs_done * (double)(d->runs_total - d->runs_done);

		fprintf(stderr, " (about %.0fs left)", left);
	}
	fputc('\n', stderr);
}

/*
 * "cross-core/shm/latency/1M/rtt/run1", with the shape where it is not the default
 * ("cross-core/shm/latency/64/pairs2/inflight8/rate100000/rtt/run1"), and the settings away from
 * the transport's defaults ("cross-core/pipe+write=16384/..."): names a row's histogram in the
 * log and .hgrm files.
 */
static void row_tag(const struct ipcb_row *row, char *out, size_t n, char sep)
{
	char sz[16], shape[96] = "", name[160];
	size_t len = 0;

	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	if (row->pairs > 1)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "pairs%u%c", row->pairs,
					sep);
	if (row->senders > 1 || row->receivers > 1 || row->broadcast)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "topology%ux%u%s%c",
					row->senders, row->receivers, row->broadcast ? "all" : "",
					sep);
	if (row->inflight > 1)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "inflight%u%c",
					row->inflight, sep);
	if (row->res && row->res->offered_rate > 0)
		snprintf(shape + len, sizeof(shape) - len, "rate%.0f%c", row->res->offered_rate,
			 sep);
	/* A tuned setting is another experiment: "pipe+write=16384". */
	snprintf(name, sizeof(name), "%s%s%s", row->transport,
		 row->tuning && *row->tuning ? "+" : "", row->tuning ? row->tuning : "");
	for (char *c = name; *c; c++)
		if (*c == ' ')
			*c = '+';
	snprintf(out, n, "%s%c%s%c%s%c%s%c%s%s%crun%u", row->placement, sep, name, sep, row->mode,
		 sep, sz, sep, shape, row->latency_kind, sep, row->run);
}

/*
 * One row's percentile distribution as DIR/<tag>.hgrm: written whole to a temporary file, then
 * given its name, never replacing a file (the directory held no .hgrm files when the sweep began,
 * see hgrm_check): a full disk leaves no empty or cut-off .hgrm file, only the message.
 */
static int hgrm_write(struct driver *d, const struct ipcb_row *row)
{
	char tag[256], *path = d->hgrm_path, *err = d->hgrm_err;
	struct ipcb_outfile *out = &d->hgrm_file;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc, rc2;

	row_tag(row, tag, sizeof(tag), '-');
	snprintf(path, sizeof(d->hgrm_path), "%s/%s.hgrm", d->o.hgrm_dir, tag);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return -ENOMEM;
	/* Microseconds: the unit latency distributions are usually read in. */
	rc = ipcb_hgrm_write(mem, row->hist, 1000.0, 5);
	if (fclose(mem) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0) {
		rc = ipcb_outfile_open(out, path, "--hgrm", err, sizeof(d->hgrm_err));
		if (rc == 0) {
			rc = ipcb_write_whole(out->fd, buf, len);
			if (rc == 0)
				rc = ipcb_outfile_place(out, false);
			rc2 = ipcb_outfile_close(out);
			if (rc == 0)
				rc = rc2;
		}
	}
	free(buf);
	if (rc)
		fprintf(stderr, "%s: --hgrm %s: %s%s\n", prog, path, strerror(-rc),
			rc == -EEXIST ? " (made since the run began); not replaced" : "");
	return rc;
}

/* The HDR log stops at its first failed write: the file keeps the whole lines before it. */
static void hdrlog_stop(struct driver *d)
{
	ipcb_hdrlog_close(d->hdrlog);
	d->hdrlog = NULL;
}

/* The row's histogram into the HDR log and the .hgrm directory, when asked for. */
static int emit_histogram(struct driver *d, const struct ipcb_row *row)
{
	char tag[256];
	int rc = 0;

	if (d->hdrlog) {
		row_tag(row, tag, sizeof(tag), '/');
		rc = ipcb_hdrlog_write(d->hdrlog, tag,
				       (double)(d->run_start_ns - d->log_start_ns) / 1e9,
				       row->res->elapsed_s, row->hist);
		/*
		 * Only now, with an interval in it, does the log take its name: a file of that
		 * name stays as it was while the sweep has nothing to replace it with.
		 */
		if (rc == 0)
			rc = ipcb_outfile_place(&d->hdr_file, true);
		if (rc) {
			/* Said once: the log stops here, and the rows go on without it. */
			fprintf(stderr, "%s: --hdr-log %s: %s; no more histograms are logged\n",
				prog, d->o.hdr_log_path, strerror(-rc));
			hdrlog_stop(d);
			return rc;
		}
		d->hdr_intervals++;
	}
	if (d->o.hgrm_dir)
		rc = hgrm_write(d, row);
	return rc;
}

static double p50_of(const struct ipcb_hist *h)
{
	return h ? (double)ipcb_hist_value_at_percentile(h, 50) : 0;
}

/*
 * A row faster than its probe's cache-line round trip allows: a round trip between two CPUs
 * cannot beat a bare cache line bounced between them (a one-way delay, half of it), so the CPUs
 * were not what the probe found while it ran (two virtual CPUs on one core for a moment).
 * Across CPUs only: on one CPU the probe yields the CPU on every turn, which a sleeping
 * transport may beat.
 */
/* Below this share of the probe's round trip: clock ticks of tens of ns and the probe's own
 * noise never take a row this far under it. */
#define BELOW_FLOOR_SHARE 0.8

static bool below_floor(const struct place *pl, const struct ipcb_row *row)
{
	double p50, floor = pl->probe_cl_ns;

	/* Floors and the harness (rows that move no message) are not held to it. */
	if (!row->hist || !row->latency_kind || floor <= 0 || pl->kind != IPCB_PLACE_CROSS_CORE ||
	    !row->verify)
		return false;
	p50 = p50_of(row->hist);
	if (strcmp(row->latency_kind, "rtt") == 0)
		return p50 > 0 && p50 < BELOW_FLOOR_SHARE * floor;
	if (strncmp(row->latency_kind, "one_way", 7) == 0)
		return p50 > 0 && p50 < BELOW_FLOOR_SHARE * floor / 2;
	return false;
}

static bool probe_jumped(double now, double usual);
static void probe_before(struct place *pl);
static void probe_after(struct place *pl);

static void emit(struct driver *d, const struct place *pl, const struct ipcb_row *measured)
{
	char tag[256], why[IPCB_CSV_ERR_BYTES], state[64] = "", sz[16];
	/* One timestamp for the row in every output: the CSV and the JSON must agree. */
	struct ipcb_row stamped = *measured;
	const struct ipcb_row *row = &stamped;
	bool below = below_floor(pl, row), changed;
	int rc;

	stamped.when = time(NULL);
	stamped.seed = d->o.seed;
	if (pl->probed) {
		stamped.probe_cl_ns = pl->probe_cl_ns;
		stamped.probe_wk_ns = pl->probe_wk_ns;
		stamped.probe_cl_after_ns = pl->probe_cl_after_ns;
	}
	changed = pl->probed && pl->probe_cl_after_ns > 0 &&
		  probe_jumped(pl->probe_cl_after_ns, pl->probe_cl_ns);
	snprintf(state, sizeof(state), "%s%s%s%s%s", below ? "below-floor" : "",
		 below && pl->probe_jump ? ";" : "", pl->probe_jump ? "probe-jump" : "",
		 (below || pl->probe_jump) && changed ? ";" : "", changed ? "state-changed" : "");
	stamped.state = state;
	errno = 0;
	ipcb_table_row(stdout, &d->table, row);
	/* Named where it stands: a flagged row is never ranked silently (its main row, once). */
	if ((pl->probe_jump || changed) && !below && !d->o.quiet &&
	    (!row->latency_kind || strcmp(row->latency_kind, "rtt") == 0)) {
		ipcb_format_size(row->size_bytes, sz, sizeof(sz));
		printf(
		    "# ^ %s %s %s round %u: %s: cache-line probe %.0f ns before the run, %.0f ns "
		    "after, wake-up probe %.0f ns; the machine was not in its usual state\n",
		    row->transport, row->mode, sz, row->run, state, pl->probe_cl_ns,
		    pl->probe_cl_after_ns, pl->probe_wk_ns);
	}
	if (below && !d->o.quiet) {
		ipcb_format_size(row->size_bytes, sz, sizeof(sz));
		printf("# ^ %s %s %s round %u: below-floor: p50 %.0f ns is under the probe's "
		       "cache-line round trip of %.0f ns; the CPUs were not what the probe found\n",
		       row->transport, row->mode, sz, row->run, p50_of(row->hist), pl->probe_cl_ns);
	}
	stdout_note();
	if (d->csv.open) {
		rc = ipcb_csv_row(&d->csv, row, &d->si, why, sizeof(why));
		if (d->csv.note[0])
			fprintf(stderr, "%s: warning: --csv %s: %s\n", prog, d->csv.path,
				d->csv.note);
		if (rc < 0) {
			row_tag(row, tag, sizeof(tag), ' ');
			fprintf(stderr, "%s: --csv %s: write failed: %s (row %s not written)\n",
				prog, d->csv.path, why, tag);
			d->output_failed = true;
		}
	}
	if (d->json.open && ipcb_jsonout_row(&d->json, row, &d->si, why, sizeof(why)) < 0) {
		row_tag(row, tag, sizeof(tag), ' ');
		fprintf(stderr, "%s: --json %s: %s (row %s left out)\n", prog, d->o.json_path, why,
			tag);
		d->output_failed = true;
	}
	if (d->hist && ipcb_csv_row_history(d->hist, row, &d->si, why, sizeof(why)) < 0) {
		row_tag(row, tag, sizeof(tag), ' ');
		fprintf(stderr, "%s: --db %s (row %s not stored)\n", prog, why, tag);
		d->output_failed = true;
	}
	if (row->hist && row->latency_kind && emit_histogram(d, row) < 0)
		d->output_failed = true;
}

/*
 * A one-way row, or the reason it is left out: one-way delays are only as good as the evidence
 * that both CPUs read the same clock. Returns NULL when emitted (or not measured), else why not.
 */
static const char *emit_one_way(struct driver *d, const struct place *pl, struct ipcb_row *row,
				const char *kind, const struct ipcb_hist *h)
{
	double p50 = p50_of(h);
	/*
	 * An open loop's delays are read for their tail, against a bound of microseconds or more:
	 * there the clock check's bound must be small against the p99 (and stays in the row).
	 */
	double against =
	    row->res->offered_rate > 0 && h ? (double)ipcb_hist_value_at_percentile(h, 99) : p50;

	/* Two hosts: each run measured the offset of the two clocks, and how well. */
	bool per_run = row->res->clock_per_run;
	int64_t bound = per_run ? row->res->clock_bound_ns : pl->clock.bound_ns;

	if (!h || (!per_run && !pl->clock_checked))
		return NULL;
	if (per_run && bound < 0)
		return "the two hosts' clocks could not be compared after the run";
	if ((!per_run && !pl->clock.consistent) || row->res->clock_anomalies)
		return per_run ? "a delay came out negative: the clocks' offset was not what it "
				 "was measured to be"
			       : "the two CPUs' clocks disagree";
	if ((double)bound > ONE_WAY_MAX_SKEW_SHARE * against)
		return per_run ? "the bound on the two hosts' clock offset is not small against "
				 "the delays"
			       : "the clock check's bound is not small against the delays";
	row->latency_kind = kind;
	row->hist = h;
	row->messages = (uint64_t)ipcb_hist_total(h);
	row->rates = false;
	row->clock_skew_bound_ns = bound;
	row->x_floor = pl->cacheline_p50_ns > 0 ? p50 / (pl->cacheline_p50_ns / 2) : 0;
	emit(d, pl, row);
	return NULL;
}

static void emit_one_ways(struct driver *d, const struct place *pl, struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	const char *why[2] = {NULL, NULL};
	double p50 = p50_of(r->one_way[0]);
	char sz[16], key[sizeof(d->one_way_noted)];

	/* Requests and their replies, or streams both ways: each way is a row of its own. */
	if (row->latency_kind || r->one_way[1]) {
		why[0] = emit_one_way(d, pl, row, "one_way_ab", r->one_way[0]);
		why[1] = emit_one_way(d, pl, row, "one_way_ba", r->one_way[1]);
	} else {
		why[0] = emit_one_way(d, pl, row, "one_way", r->one_way[0]);
	}
	/*
	 * A broadcast: besides every receiver's delays together (one_way), the slowest
	 * receiver's, and each sampled message's to the last receiver it reached.
	 */
	if (row->broadcast && !why[0]) {
		why[0] = emit_one_way(d, pl, row, "one_way_slowest", r->one_way_slowest);
		if (!why[0])
			why[0] = emit_one_way(d, pl, row, "one_way_last", r->one_way_last);
	}
	if (d->o.quiet || (!why[0] && !why[1]))
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	/* Once for a row's repeats: the CSV has every run, stderr needs the reason once. */
	snprintf(key, sizeof(key), "%s %s %s %s", row->transport, row->mode, sz, row->placement);
	if (strcmp(key, d->one_way_noted) == 0)
		return;
	snprintf(d->one_way_noted, sizeof(d->one_way_noted), "%s", key);
	fprintf(stderr,
		"%s: %s %s %s: one-way rows left out: %s (clock bound %lld ns, one-way p50 "
		"%.0f ns)%s\n",
		prog, row->transport, row->mode, sz, why[0] ? why[0] : why[1],
		(long long)(r->clock_per_run ? r->clock_bound_ns : pl->clock.bound_ns), p50,
		d->o.repeat > 1 ? "; not said again for its other runs" : "");
}

/*
 * The ceiling of a stream of messages of the size at size_index: where the two sides run on two
 * CPUs, one CPU copying out what the other has just written (floor-xcopy); elsewhere, one CPU
 * copying its own data (floor-memcpy). 0 when not measured.
 */
static double stream_floor(const struct place *pl, size_t size_index)
{
	if (pl->xcopy_bytes_per_s[size_index] > 0)
		return pl->xcopy_bytes_per_s[size_index];
	return pl->memcpy_bytes_per_s[size_index];
}

/*
 * A mechanism that counts its network segments (TCP) and did not send one per message: say so
 * under the row, since a stream's rate then depends on how many messages shared a segment.
 */
static void segments_note(const struct driver *d, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	double per_msg;
	char sz[16];

	if (!r->segments_counted || r->messages == 0 || d->o.quiet)
		return;
	per_msg = (double)r->segments / (double)r->messages;
	if (per_msg > 0.9 && per_msg < 1.1)
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	printf("# %s %s %s run %u: %.3f data segments per message (%s)\n", row->transport,
	       row->mode, sz, row->run, per_msg,
	       per_msg < 1 ? "the kernel put several messages in one segment"
			   : "the kernel split messages over several segments");
}

/* After a run: print its rows or its failure. Returns false when the sweep must stop. */
/*
 * A transport that may lose messages (or a shared channel's count) says in the table, as in the
 * row's losses column, how many never arrived: a loss is counted, not a failure, there.
 */
static void losses_note(const struct driver *d, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	char sz[16];

	if (!r->losses_counted || r->losses == 0 || d->o.quiet)
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	if (row->broadcast)
		printf(
		    "# %s %s %s run %u: %llu deliver%s lost over %u receiver%s (each counted "
		    "from the sequence numbers a receiver saw, warm-up included; the row's losses "
		    "column)\n",
		    row->transport, row->mode, sz, row->run, (unsigned long long)r->losses,
		    r->losses == 1 ? "y" : "ies", row->receivers, row->receivers == 1 ? "" : "s");
	else
		printf("# %s %s %s run %u: %llu message%s lost (counted from the sequence numbers, "
		       "warm-up included; the row's losses column)\n",
		       row->transport, row->mode, sz, row->run, (unsigned long long)r->losses,
		       r->losses == 1 ? "" : "s");
}

/*
 * A broadcast's fan-out under its row: what the sender published and what arrived, and the
 * median delays to every receiver, to the slowest one and to the last one.
 */
static void broadcast_note(const struct driver *d, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	char sz[16], pub[16], del[16], each[32], slow[32], last[32];

	if (!row->broadcast || d->o.quiet)
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	ipcb_format_rate(r->msgs_per_s, pub, sizeof(pub));
	ipcb_format_rate(r->deliveries_per_s, del, sizeof(del));
	ipcb_format_ns(p50_of(r->one_way[0]), each, sizeof(each));
	ipcb_format_ns(p50_of(r->one_way_slowest), slow, sizeof(slow));
	ipcb_format_ns(p50_of(r->one_way_last), last, sizeof(last));
	printf("# %s %s %s run %u: to %u receiver%s: %s msg/s published, %s deliveries/s",
	       row->transport, row->mode, sz, row->run, row->receivers,
	       row->receivers == 1 ? "" : "s", pub, del);
	if (r->one_way[0] && r->one_way_last)
		printf(
		    "; one-way p50 to every receiver %s, to the slowest (receiver %u) %s, to the "
		    "last %s%s",
		    each, r->slowest_receiver, slow, last,
		    r->last_incomplete ? " (of the messages every receiver got)" : "");
	putchar('\n');
}

static bool finish_run(struct driver *d, const struct place *pl, int rc, struct ipcb_row *row,
		       size_t size_index)
{
	const struct ipcb_run_result *r = row->res;
	char sz[16];

	d->runs_done++;
	if (rc) {
		ipcb_format_size(row->size_bytes, sz, sizeof(sz));
		fprintf(stderr, "%s: %s %s %s %s run %u: %s\n", prog, place_text(pl),
			row->transport, row->mode, sz, row->run, r->error);
		if (rc == -EINTR) {
			d->interrupted = r->signal;
			return false;
		}
		d->failures++;
		return true;
	}
	row->hist = r->hist;
	row->messages = r->messages;
	row->rates = true;
	row->clock_skew_bound_ns = -1;
	if (row->latency_kind && pl->cacheline_p50_ns > 0)
		row->x_floor = p50_of(r->hist) / pl->cacheline_p50_ns;
	else if (!row->latency_kind && r->bytes_per_s > 0 && size_index < IPCB_MAX_LIST)
		row->x_floor = stream_floor(pl, size_index) / r->bytes_per_s;
	emit(d, pl, row);
	segments_note(d, row);
	losses_note(d, row);
	broadcast_note(d, row);
	emit_one_ways(d, pl, row);
	/* An open loop's own accuracy: how late each send started against its intended time. */
	if (r->send_lag) {
		row->latency_kind = "send_lag";
		row->hist = r->send_lag;
		row->messages = (uint64_t)ipcb_hist_total(r->send_lag);
		row->rates = false;
		row->x_floor = 0;
		emit(d, pl, row);
	}
	/* An open stream's send calls: did the sender go on at once, or wait (claim C10)? */
	if (r->send_call && ipcb_hist_total(r->send_call) > 0) {
		row->latency_kind = "send_call";
		row->hist = r->send_call;
		row->messages = (uint64_t)ipcb_hist_total(r->send_call);
		row->rates = false;
		row->x_floor = 0;
		emit(d, pl, row);
	}
	return true;
}

/* The most sides pinned to one CPU (0: unpinned): more than 1, and they take turns on it. */
static unsigned sides_per_cpu(const struct place *pl, unsigned senders, unsigned receivers)
{
	if (pl->cpu[0] < 0)
		return 0;
	if (pl->cpu[0] == pl->cpu[1])
		return senders + receivers;
	return senders > receivers ? senders : receivers;
}

static void spec_base(struct driver *d, const struct place *pl, size_t size,
		      struct ipcb_run_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->size_bytes = size;
	s->messages = d->o.messages;
	s->duration_s = d->o.duration_s;
	s->min_messages = d->o.min_messages;
	s->warmup = ipcb_opts_warmup(&d->o, size);
	s->cpu[0] = pl->cpu[0];
	s->cpu[1] = pl->cpu[1];
	s->timeout_s = d->o.timeout_s;
	s->inject = d->o.inject;
	s->work_ns = d->o.work_ns;
	s->recv_work_ns = d->o.recv_work_ns;
	s->verify = d->o.verify;
	/* The floors' sides, and a transport's unless run_point() says otherwise. */
	s->launcher = &ipcb_launcher_fork;
}

static void row_base(const struct driver *d, const struct place *pl, const struct ipcb_run_spec *s,
		     struct ipcb_run_result *r, struct ipcb_row *row)
{
	memset(row, 0, sizeof(*row));
	row->placement = ipcb_placement_name(pl->kind);
	row->cpu_topology = pl->topology[0] ? pl->topology : NULL;
	row->cpu[0] = s->cpu[0];
	row->cpu[1] = s->cpu[1];
	row->res = r;
	row->warmup = s->warmup;
	row->work_ns = s->work_ns;
	row->recv_work_ns = s->recv_work_ns;
	row->spin_polls = s->cfg.wait == IPCB_WAIT_HYBRID ? (int64_t)s->cfg.spin_polls : -1;
	row->fsync = s->cfg.fsync && s->t && (s->t->caps & IPCB_CAP_FSYNC);
	row->size_bytes = row->chunk_bytes = s->size_bytes;
	row->run = d->round;
}

/*
 * Floors measured per round at a placement: cache-line and futex round trips; per size, memcpy,
 * a mailbox round trip, and (two CPUs only) the cross-core copy. --controls measures only the
 * cache-line round trip and memcpy.
 */
static size_t floor_runs_per_round(const struct driver *d, const struct place *pl)
{
	if (d->o.controls)
		return 1 + d->o.nsizes;
	return 2 + (pl->kind == IPCB_PLACE_CROSS_CORE ? 3 : 2) * d->o.nsizes;
}

/*
 * The floors of one placement, one run each, at the start of a round: cache-line and futex round
 * trips; per size, memcpy, a mailbox round trip, and (two CPUs only) the cross-core copy. The
 * round's rows are read against the round's own floors (x floor): a virtual CPU that shares a
 * core with the other for a while, or a host that is busy, moves the floor as much as the rows.
 * --controls measures only the cache-line round trip and memcpy: the futex round trip measures
 * the kernel's wake-up path, which a kernel or scheduler state can move as much as any
 * transport, and it is the slowest to measure.
 */
static bool run_floors(struct driver *d, struct place *pl)
{
	static const struct {
		const char *name, *wait;
		int (*fn)(const struct ipcb_run_spec *, struct ipcb_run_result *);
	} pingpongs[] = {
	    {"floor-cacheline", "spin", ipcb_floor_cacheline},
	    {"floor-futex", "block", ipcb_floor_futex},
	};
	const struct {
		const char *name, *wait;
		bool latency;
		int (*fn)(const struct ipcb_run_spec *, struct ipcb_run_result *);
		double *floor; /* where the placement keeps the round's floor, per size */
	} sized[] = {
	    {"floor-memcpy", "none", false, ipcb_floor_memcpy, pl->memcpy_bytes_per_s},
	    {"floor-xcopy", "spin", false, ipcb_floor_xcopy, pl->xcopy_bytes_per_s},
	    {"floor-mailbox", "spin", true, ipcb_floor_mailbox, NULL},
	};
	struct ipcb_run_spec s;
	struct ipcb_run_result r;
	struct ipcb_row row;
	int rc;

	for (size_t k = 0; k < (d->o.controls ? 1u : 2u); k++) {
		if ((d->interrupted = ipcb_run_interrupt_pending()))
			return false;
		spec_base(d, pl, 64, &s); /* one cache line */
		row_base(d, pl, &s, &r, &row);
		row.transport = pingpongs[k].name;
		row.mode = "latency";
		row.latency_kind = "rtt";
		row.wait = pingpongs[k].wait;
		row.run = d->round;
		progress(d, pl, &row, 0);
		d->run_start_ns = ipcb_now_ns();
		probe_before(pl);
		rc = pingpongs[k].fn(&s, &r);
		probe_after(pl);
		if (rc == 0 && k == 0)
			pl->cacheline_p50_ns = p50_of(r.hist);
		if (!finish_run(d, pl, rc, &row, IPCB_MAX_LIST))
			return false;
		ipcb_run_result_fini(&r);
	}
	for (size_t i = 0; i < d->o.nsizes; i++)
		for (size_t k = 0; k < sizeof(sized) / sizeof(sized[0]); k++) {
			if ((sized[k].fn == ipcb_floor_xcopy &&
			     pl->kind != IPCB_PLACE_CROSS_CORE) ||
			    (d->o.controls && sized[k].fn != ipcb_floor_memcpy))
				continue;
			if ((d->interrupted = ipcb_run_interrupt_pending()))
				return false;
			spec_base(d, pl, d->o.sizes[i], &s);
			row_base(d, pl, &s, &r, &row);
			row.transport = sized[k].name;
			row.mode = sized[k].latency ? "latency" : "throughput";
			row.latency_kind = sized[k].latency ? "rtt" : NULL;
			row.wait = sized[k].wait;
			row.run = d->round;
			if (sized[k].fn == ipcb_floor_memcpy)
				row.cpu[1] = -1;
			progress(d, pl, &row, 0);
			d->run_start_ns = ipcb_now_ns();
			probe_before(pl);
			rc = sized[k].fn(&s, &r);
			probe_after(pl);
			if (rc == 0 && sized[k].floor)
				sized[k].floor[i] = r.bytes_per_s;
			if (!finish_run(d, pl, rc, &row, i))
				return false;
			ipcb_run_result_fini(&r);
		}
	return true;
}

static const char *mode_name(enum ipcb_mode m)
{
	return m == IPCB_MODE_LATENCY	 ? "latency"
	       : m == IPCB_MODE_BISTREAM ? "bistream"
					 : "throughput";
}

/* Does a side send and receive at once, in two threads on its CPU? */
static bool shape_threaded(const struct shape *sh)
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
	if ((t->caps & IPCB_CAP_NO_DATA) && shape_threaded(sh))
		return "it moves no messages, so none can be in flight or stream back";
	if (!(t->caps & IPCB_CAP_DUPLEX) && shape_threaded(sh))
		return "its endpoint cannot send in one thread while it receives in another";
	return NULL;
}

/* What the runs of one point measured, for a rate sweep. */
struct point {
	unsigned ok;	     /* runs that succeeded */
	double msgs_per_s;   /* the highest rate of them */
	double achieved_sum; /* open loop: sum of the achieved rates */
	double tail_ns;	     /* the highest --slo percentile of them; 0 when none was measured */
	double value, ctx;   /* the run's main value and context switches per message (summary) */
	/* What the runs took in all: a rate sweep's outcome row carries its steps' totals. */
	uint64_t messages;
	double elapsed_s, cpu_s[2];
	int64_t ctx_switches[2];
};

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

/* One run of a point: its spec, its run, its rows. Returns false when the sweep must stop. */
static bool run_point(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		      const struct shape *sh, unsigned run, double slo_pct, struct point *pt)
{
	const struct ipcb_transport *t = p->t;
	struct ipcb_run_spec *s = &d->run_spec;
	struct ipcb_run_result *r = &d->run_result;
	struct ipcb_row *row = &d->run_row;
	const struct ipcb_hist *h;
	struct ipcb_route route;
	uint64_t svc_ns[2] = {0, 0};
	int rc;

	if ((d->interrupted = ipcb_run_interrupt_pending()))
		return false;
	spec_base(d, pl, d->o.sizes[si], s);
	s->t = t;
	s->mode = sh->mode;
	s->chunk_bytes = ipcb_chunk_for(p->max_msg_bytes, s->size_bytes);
	s->pairs = sh->pairs;
	s->inflight = sh->inflight;
	s->rate = sh->rate;
	s->arrivals = d->o.arrivals;
	s->cfg.msg_bytes = s->chunk_bytes;
	s->cfg.wait = !(t->caps & IPCB_CAP_WAIT_CHOICE) ? t->fixed_wait
		      : d->o.wait			? d->o.wait
							: IPCB_WAIT_HYBRID;
	/*
	 * Spinning on the only CPU both sides share just keeps the other side from running: there,
	 * hybrid sleeps at once. So it does where a side sends and receives in two threads on its
	 * one CPU (bench/engine/shapes.c).
	 */
	s->cfg.spin_polls = (pl->cpu[0] >= 0 && pl->cpu[0] == pl->cpu[1]) || shape_threaded(sh)
				? 0
				: d->o.spin_polls;
	s->cfg.dir = d->o.dir;
	s->cfg.fsync = d->o.fsync;
	s->launcher = ipcb_launcher_for(t);
	if (d->two_hosts) {
		s->launcher =
		    t->caps & IPCB_CAP_LAUNCH_HOSTS ? &d->hosts_launcher : &d->remote_launcher;
		s->cfg.host = d->remote.local_host;
	}
	s->cfg.bidirectional = sh->mode != IPCB_MODE_THROUGHPUT;
	s->cfg.senders = sh->senders;
	s->cfg.receivers = sh->receivers;
	s->cfg.broadcast = d->o.deliver_all;
	memcpy(s->cfg.opt, p->opt, sizeof(s->cfg.opt));
	row_base(d, pl, s, r, row);
	row->options = p->options;
	row->tuning = p->tuning;
	row->library = p->library;
	row->hops = t->hops ? t->hops : "direct";
	route = ipcb_transport_route(t, &s->cfg);
	row->data_path = ipcb_path_name(route.path);
	row->rides_on = route.rides_on;
	if (d->two_hosts) {
		row->peer = &d->remote.peer_si;
		row->net_path = d->remote.path;
	}
	row->transport = t->name;
	row->mode = mode_name(sh->mode);
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
	if (p->svc) {
		row->server = true;
		row->server_cpu = server_cpu_for(d, pl);
		s->cfg.service = p->svc->svc.addr;
		if (p->svc->cpu != row->server_cpu && ipcb_service_pin(p->svc, row->server_cpu) < 0)
			row->server_cpu =
			    -1; /* it runs where it ran: the row does not claim a CPU */
		if (ipcb_service_cpu_ns(p->svc, &svc_ns[0]) < 0)
			svc_ns[0] = UINT64_MAX;
	}
	progress(d, pl, row, sh->rate);
	d->run_start_ns = ipcb_now_ns();
	probe_before(pl);
	rc = ipcb_run_one(s, r);
	probe_after(pl);
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
	if (!finish_run(d, pl, rc, row, si))
		return false;
	if (rc == 0) {
		pt->ok++;
		if (r->msgs_per_s > pt->msgs_per_s)
			pt->msgs_per_s = r->msgs_per_s;
		pt->achieved_sum += r->achieved_rate;
		h = sweep_hist(pl, r);
		if (h && ipcb_hist_total(h) &&
		    (double)ipcb_hist_value_at_percentile(h, slo_pct) > pt->tail_ns)
			pt->tail_ns = (double)ipcb_hist_value_at_percentile(h, slo_pct);
		pt->value = r->hist		 ? p50_of(r->hist)
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
		}
	}
	ipcb_run_result_fini(r);
	return true;
}

/* A point's run in the current round. */
static bool run_once(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		     const struct shape *sh, struct point *pt)
{
	memset(pt, 0, sizeof(*pt));
	return run_point(d, pl, p, si, sh, d->round, d->o.slo.pct, pt);
}

/*
 * A rate sweep steps up by this share of the closed-loop maximum, to at most this many steps;
 * it stops once the achieved rate falls below this share of what was offered. The plan counts
 * SWEEP_GUESS steps until a sweep has run.
 */
#define SWEEP_STEP	0.1
#define SWEEP_MAX_STEPS 30
#define SWEEP_FOLLOW	0.95
#define SWEEP_GUESS	10
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
	/* A pair the topology chose is two CPUs or one, as cross-core and same-core are. */
	if (pl->kind >= IPCB_PLACE_SMT && pl->kind <= IPCB_PLACE_MATRIX)
		return ipcb_slo_default_ns(pl->cpu[0] == pl->cpu[1] ? "same-core" : "cross-core");
	return ipcb_slo_default_ns(ipcb_placement_name(pl->kind));
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
	/* The run slots of struct driver: no run is in progress now. */
	struct ipcb_run_spec *s = &d->run_spec;
	struct ipcb_run_result *r = &d->run_result;
	struct ipcb_row *row = &d->run_row;
	struct ipcb_route route;

	spec_base(d, pl, d->o.sizes[si], s);
	s->t = p->t;
	memcpy(s->cfg.opt, p->opt, sizeof(s->cfg.opt));
	row_base(d, pl, s, r, row);
	memset(r, 0, sizeof(*r));
	r->messages = all->messages ? all->messages : 1;
	r->elapsed_s = all->elapsed_s;
	for (int k = 0; k < 2; k++) {
		r->cpu_s[k] = all->cpu_s[k];
		r->ctx_switches[k] = all->ctx_switches[k];
	}
	r->msgs_per_s = held;
	r->bytes_per_s = sh->mode == IPCB_MODE_LATENCY ? 0 : held * (double)d->o.sizes[si];
	row->transport = p->t->name;
	row->mode = mode_name(sh->mode);
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
	emit(d, pl, row);
}

/*
 * --rate-sweep for one point in one round: the closed-loop maximum first, then open-loop rates of
 * 10%, 20%, ... of it, until the achieved rate no longer follows the offered one; then the
 * highest rate up to which the tail stayed under the bound, as a line under the rows and as a
 * row of its own (slo_rate). Every round measures its own maximum: rows of the steps say which
 * fraction of it they offered (offered_fraction), which is what rows of other rounds and runs are
 * matched by.
 */
static bool rate_sweep(struct driver *d, struct place *pl, const struct planned *p, size_t si,
		       struct shape *sh)
{
	double slo_ns = slo_ns_for(d, pl), held = 0, last = 0;
	bool broken = false, followed = true;
	struct point closed, pt;
	char sz[16], lat[32], rate[32], max[64];
	unsigned k;

	struct shape cl = *sh;
	struct point all;

	memset(&all, 0, sizeof(all));
	cl.rate = 0;
	if (cl.mode == IPCB_MODE_LATENCY)
		cl.inflight = SWEEP_WINDOW;
	if (!run_once(d, pl, p, si, &cl, &closed))
		return false;
	ipcb_format_size(d->o.sizes[si], sz, sizeof(sz));
	if (!closed.ok || closed.msgs_per_s <= 0) {
		d->runs_total -= SWEEP_GUESS;
		fprintf(stderr, "%s: %s %s %s: no rate sweep: the closed loop measured no rate\n",
			prog, p->t->name, mode_name(sh->mode), sz);
		return true;
	}
	for (k = 1; k <= SWEEP_MAX_STEPS && followed; k++) {
		if (k > SWEEP_GUESS)
			d->runs_total++;
		sh->rate = closed.msgs_per_s * SWEEP_STEP * k;
		sh->fraction = SWEEP_STEP * k;
		if (!run_once(d, pl, p, si, sh, &pt))
			return false;
		if (!pt.ok)
			break;
		all.messages += pt.messages;
		all.elapsed_s += pt.elapsed_s;
		for (int j = 0; j < 2; j++) {
			all.cpu_s[j] += pt.cpu_s[j];
			all.ctx_switches[j] += pt.ctx_switches[j];
		}
		last = sh->rate;
		followed = pt.achieved_sum / pt.ok >= SWEEP_FOLLOW * sh->rate;
		if (!broken && pt.tail_ns > 0 && pt.tail_ns <= slo_ns && followed)
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
	ipcb_format_rate(held, rate, sizeof(rate));
	errno = 0;
	if (cl.inflight > 1)
		snprintf(max + strlen(max), sizeof(max) - strlen(max), " msg/s (%u in flight)",
			 cl.inflight);
	else
		snprintf(max + strlen(max), sizeof(max) - strlen(max), " msg/s");
	printf("# rate sweep %s %s %s %s round %u: closed-loop maximum %s; p%g <= %s%s %s%s%s; ",
	       place_text(pl), p->t->name, mode_name(sh->mode), sz, d->round, max, d->o.slo.pct,
	       lat, d->o.slo.ns > 0 ? "" : " (this placement's default)",
	       held > 0 ? "up to " : "at no rate tried", held > 0 ? rate : "",
	       held > 0 ? " msg/s offered" : "");
	ipcb_format_rate(last, rate, sizeof(rate));
	printf(followed ? "the achieved rate still followed at %s msg/s (the last step)\n"
			: "the achieved rate stopped following at %s msg/s\n",
	       rate);
	stdout_note();
	emit_sweep_outcome(d, pl, p, si, sh, held, &all);
	return true;
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
				mode_name(sh->mode),
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
static bool plan_transports(struct driver *d, const struct place *pl)
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
 * The probes of the machine's state (bench/engine/probe.h): a cache-line round trip between the
 * placement's CPUs before and after every run, and a round trip of two blocking wake-ups at the
 * start of each round and once a second after. On a virtual machine either can change within
 * seconds (two virtual CPUs on one core for a while, then apart; a woken CPU idle or busy), and
 * every row carries the probes around it: a row whose cache-line probe changed by half or more
 * between before and after ran while the machine changed (state-changed).
 */
#define PROBE_CL_ROUNDS	 200
#define PROBE_WK_ROUNDS	 12
#define PROBE_WK_EVERY_S 1.0
/* A probe this many times above or below the run's usual (the median of its probes) jumped. */
#define PROBE_JUMP_FACTOR 2.0

/* The median of a placement's probes so far, of one kind (0: cache line, 1: wake-up). */
static double probe_usual(const struct place *pl, int k)
{
	double m = 0;

	if (pl->nprobes == 0 || ipcb_stats_median(pl->probe_hist[k], pl->nprobes, &m) < 0)
		return 0;
	return m;
}

static bool probe_jumped(double now, double usual)
{
	return now > 0 && usual > 0 &&
	       (now >= PROBE_JUMP_FACTOR * usual || now * PROBE_JUMP_FACTOR <= usual);
}

/* Keep a probe's values for the run's usual state. */
static void probe_keep(struct place *pl)
{
	if (pl->nprobes == pl->probes_cap) {
		size_t cap = pl->probes_cap ? 2 * pl->probes_cap : 64;
		double *a = realloc(pl->probe_hist[0], cap * sizeof(double));
		double *b = a ? realloc(pl->probe_hist[1], cap * sizeof(double)) : NULL;

		if (a)
			pl->probe_hist[0] = a;
		if (!b)
			return; /* the usual state is then judged on fewer probes */
		pl->probe_hist[1] = b;
		pl->probes_cap = cap;
	}
	pl->probe_hist[0][pl->nprobes] = pl->probe_cl_ns;
	pl->probe_hist[1][pl->nprobes] = pl->probe_wk_ns;
	pl->nprobes++;
}

/* Start the placement's probe threads (pinned placements on this host only). */
static void probe_start(struct driver *d, struct place *pl)
{
	int rc;

	if (!d->o.probes || pl->cpu[0] < 0 || pl->kind == IPCB_PLACE_TWO_HOST || pl->prober ||
	    pl->probes_failed)
		return;
	rc = ipcb_prober_start(&pl->prober, pl->cpu);
	if (rc < 0) {
		fprintf(stderr, "%s: probes of CPUs %d,%d: %s; rows go without them\n", prog,
			pl->cpu[0], pl->cpu[1], strerror(-rc));
		pl->probes_failed = true;
	}
}

/* A probe that fails ends the probes of that placement, said once. */
static void probe_failed(struct place *pl, int rc)
{
	fprintf(stderr, "%s: probe of CPUs %d,%d: %s; the rows that follow go without probes\n",
		prog, pl->cpu[0], pl->cpu[1], strerror(-rc));
	ipcb_prober_stop(pl->prober);
	pl->prober = NULL;
	pl->probed = false;
	pl->probes_failed = true;
}

/* Probe the placement before a run: the cache line, and the wake-up when it is due. */
static void probe_before(struct place *pl)
{
	double cl, wk = pl->probe_wk_ns, usual[2];
	int rc;

	if (!pl->prober)
		return;
	rc = ipcb_prober_cacheline(pl->prober, PROBE_CL_ROUNDS, &cl);
	if (!rc && (pl->round_start || !pl->probed ||
		    ipcb_now_ns() - pl->probe_at_ns >= (uint64_t)(PROBE_WK_EVERY_S * 1e9))) {
		rc = ipcb_prober_wakeup(pl->prober, PROBE_WK_ROUNDS, &wk);
		pl->probe_at_ns = ipcb_now_ns();
		pl->round_start = false;
	}
	if (rc < 0) {
		probe_failed(pl, rc);
		return;
	}
	pl->probed = true;
	pl->probe_cl_ns = cl;
	pl->probe_wk_ns = wk;
	pl->probe_cl_after_ns = 0;
	usual[0] = probe_usual(pl, 0);
	usual[1] = probe_usual(pl, 1);
	/* Judged against the probes before it, once there are a few to call usual. */
	pl->probe_jump =
	    pl->nprobes >= 8 && (probe_jumped(cl, usual[0]) || probe_jumped(wk, usual[1]));
	probe_keep(pl);
}

/* Probe the cache line again after the run: did the machine change while it ran? */
static void probe_after(struct place *pl)
{
	double cl;
	int rc;

	if (!pl->prober || !pl->probed)
		return;
	rc = ipcb_prober_cacheline(pl->prober, PROBE_CL_ROUNDS, &cl);
	if (rc < 0)
		probe_failed(pl, rc);
	else
		pl->probe_cl_after_ns = cl;
}

/* Stop every placement's probe threads. */
static void probes_stop(struct driver *d)
{
	for (size_t i = 0; i < d->nplaces; i++) {
		ipcb_prober_stop(d->places[i].prober);
		d->places[i].prober = NULL;
	}
}

/*
 * The round's order of the plan's points: a Fisher-Yates shuffle driven by splitmix64 from the
 * seed and the round's number, so the same command gives the same order, every round another.
 */
static void plan_shuffle(const struct driver *d, size_t *order)
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

/* The summary sums up a point's first rounds, this many at most: a sample, not an archive. */
#define SUMMARY_ROUNDS 1024

/* Keep a round's value of a point for the summary (not kept when memory is short). */
static void point_keep(struct driver *d, struct plan_point *pp, const struct point *pt)
{
	size_t keep = d->o.repeat < SUMMARY_ROUNDS ? d->o.repeat : SUMMARY_ROUNDS;

	if (!pp->value) {
		pp->value = calloc(keep, sizeof(double));
		pp->ctx = calloc(keep, sizeof(double));
		pp->wake = calloc(keep, sizeof(double));
	}
	if (!pp->value || !pp->ctx || !pp->wake || pp->nvalues == keep || !(pt->value > 0))
		return;
	pp->value[pp->nvalues] = pt->value;
	pp->ctx[pp->nvalues] = pt->ctx;
	pp->wake[pp->nvalues] = d->places[pp->place].probe_wk_ns;
	pp->nvalues++;
}

static bool run_plan_point(struct driver *d, struct plan_point *pp)
{
	struct place *pl = &d->places[pp->place];
	const struct planned *p = &d->use[pp->use];
	struct shape sh = pp->sh;
	struct point pt;

	if (pp->sweep)
		return rate_sweep(d, pl, p, pp->si, &sh);
	if (!run_once(d, pl, p, pp->si, &sh, &pt))
		return false;
	if (pt.ok)
		point_keep(d, pp, &pt);
	return true;
}

/*
 * After several rounds, each point's rounds in a few lines: the median and its distribution-free
 * interval, the spread between rounds, and the modes where the rounds fell into clusters (with
 * the context switches per message and the wake-up probe of each, which often tell them apart).
 * The report says the same of a CSV at length.
 */
static void print_summary(struct driver *d)
{
	enum { MODE_ROUNDS = 128 }; /* a mode's rounds whose context switches and probe count */
	double *ctx, *wk;
	size_t multi = 0;

	if (d->o.repeat < 2 || d->o.quiet || d->interrupted)
		return;
	/* A mode's rounds' values: 2 KiB, on the heap, since the stack may be small. */
	ctx = malloc(2 * MODE_ROUNDS * sizeof(*ctx));
	if (!ctx) {
		fprintf(stderr, "%s: the rounds' summary: malloc: %s\n", prog, strerror(ENOMEM));
		return;
	}
	wk = ctx + MODE_ROUNDS;
	errno = 0;
	printf("# over %u rounds (seed %llu): each point's median [%.0f%% interval], spread "
	       "between rounds, and its modes where its rounds fell into clusters%s\n",
	       d->o.repeat, (unsigned long long)d->o.seed, 95.0,
	       d->o.repeat > SUMMARY_ROUNDS ? " (of the first 1024 rounds)" : "");
	for (size_t i = 0; i < d->npoints; i++) {
		const struct plan_point *pp = &d->points[i];
		const char *what = pp->sh.mode == IPCB_MODE_LATENCY ? "rtt p50" : "stream";
		char sz[16], med[32], lo[32], hi[32], shape[48] = "";
		double m, a, b, got, spread = NAN;
		struct ipcb_modes modes;
		struct ipcb_row row = {.pairs = pp->sh.pairs,
				       .inflight = pp->sh.inflight,
				       .senders = pp->sh.senders,
				       .receivers = pp->sh.receivers,
				       .broadcast = d->o.deliver_all};

		if (pp->sweep || pp->nvalues < 2 ||
		    ipcb_stats_median(pp->value, pp->nvalues, &m) < 0 ||
		    ipcb_median_ci(pp->value, pp->nvalues, 0.95, &a, &b, &got) < 0)
			continue;
		if (pp->nvalues >= 3 && ipcb_stats_spread(pp->value, pp->nvalues, &spread) < 0)
			spread = NAN;
		if (ipcb_modes_find(pp->value, pp->nvalues, &modes) < 0)
			modes.n = 1;
		ipcb_format_size(d->o.sizes[pp->si], sz, sizeof(sz));
		ipcb_row_shape(&row, pp->sh.rate, shape, sizeof(shape));
		if (pp->sh.mode == IPCB_MODE_LATENCY) {
			ipcb_format_ns(m, med, sizeof(med));
			ipcb_format_ns(a, lo, sizeof(lo));
			ipcb_format_ns(b, hi, sizeof(hi));
		} else {
			snprintf(med, sizeof(med), "%.1f MB/s", m / 1e6);
			snprintf(lo, sizeof(lo), "%.1f", a / 1e6);
			snprintf(hi, sizeof(hi), "%.1f MB/s", b / 1e6);
		}
		printf("# %-14s %-10s %5s %-10s%s%s%s%s %s %s [%s, %s], between rounds %s%.1f%%",
		       d->use[pp->use].t->name, mode_name(pp->sh.mode), sz,
		       place_text(&d->places[pp->place]), shape[0] ? " " : "", shape,
		       d->use[pp->use].tuning[0] ? " " : "", d->use[pp->use].tuning, what, med, lo,
		       hi, isnan(spread) ? "n/a " : "", isnan(spread) ? 0 : spread * 100);
		for (size_t k = 0; modes.n > 1 && k < modes.n; k++) {
			double mc = NAN, mw = NAN;
			size_t n = 0;

			for (size_t j = 0; j < pp->nvalues && n < MODE_ROUNDS; j++)
				if (pp->value[j] >= modes.lo[k] && pp->value[j] <= modes.hi[k]) {
					ctx[n] = pp->ctx[j];
					wk[n++] = pp->wake[j];
				}
			if (n) {
				ipcb_stats_median(ctx, n, &mc);
				ipcb_stats_median(wk, n, &mw);
			}
			if (pp->sh.mode == IPCB_MODE_LATENCY)
				ipcb_format_ns(modes.median[k], med, sizeof(med));
			else
				snprintf(med, sizeof(med), "%.1f MB/s", modes.median[k] / 1e6);
			printf("%s%s in %zu/%zu rounds (ctx/msg %.3g, wake-up probe %.0f ns)",
			       k ? "; " : "; MODES: ", med, modes.count[k], pp->nvalues, mc, mw);
		}
		multi += modes.n > 1;
		putchar('\n');
	}
	if (multi)
		printf(
		    "# %zu points' rounds fell into separate modes: their median describes none of "
		    "the states (ipcbench report says more)\n",
		    multi);
	stdout_note();
	free(ctx);
}

static bool same_shape(const struct shape *a, const struct shape *b)
{
	return a->mode == b->mode && a->pairs == b->pairs && a->inflight == b->inflight &&
	       a->rate == b->rate && a->fraction == b->fraction && a->senders == b->senders &&
	       a->receivers == b->receivers;
}

/* A point's value as the summary writes it: a round trip, or a stream's rate. */
static void point_value(enum ipcb_mode mode, double v, char *out, size_t n)
{
	if (mode == IPCB_MODE_LATENCY)
		ipcb_format_ns(v, out, n);
	else
		snprintf(out, n, "%.1f MB/s", v / 1e6);
}

/*
 * --tune: for every point run with a transport's own settings, the best of the settings tried
 * beside it (medians over the rounds), and how much better than the default it was.
 */
static void print_tuning(struct driver *d)
{
	bool any = false;

	if (!d->o.tune || d->o.quiet || d->interrupted)
		return;
	errno = 0;
	for (size_t i = 0; i < d->npoints; i++) {
		const struct plan_point *pp = &d->points[i];
		const struct planned *base = &d->use[pp->use];
		const struct planned *best = base;
		double m, bm, v;
		char sz[16], a[32], b[32];
		bool lower = pp->sh.mode == IPCB_MODE_LATENCY, tried = false;

		if (base->variant || pp->sweep || !pp->nvalues ||
		    ipcb_stats_median(pp->value, pp->nvalues, &m) < 0)
			continue;
		bm = m;
		for (size_t j = 0; j < d->npoints; j++) {
			const struct plan_point *q = &d->points[j];
			const struct planned *u = &d->use[q->use];

			if (!u->variant || u->t != base->t || q->place != pp->place ||
			    q->si != pp->si || !same_shape(&q->sh, &pp->sh) || !q->nvalues ||
			    ipcb_stats_median(q->value, q->nvalues, &v) < 0)
				continue;
			tried = true;
			if (lower ? v < bm : v > bm) {
				bm = v;
				best = u;
			}
		}
		if (!tried)
			continue;
		if (!any)
			printf(
			    "# --tune: each point's best setting beside its default (medians over "
			    "the rounds; ipcbench report tests them)\n");
		any = true;
		ipcb_format_size(d->o.sizes[pp->si], sz, sizeof(sz));
		point_value(pp->sh.mode, m, a, sizeof(a));
		point_value(pp->sh.mode, bm, b, sizeof(b));
		if (best == base)
			printf("# %-14s %-10s %5s %-10s %s%s%s: the default is the best tried\n",
			       base->t->name, mode_name(pp->sh.mode), sz,
			       place_text(&d->places[pp->place]), a,
			       base->tuning[0] ? ", with " : "", base->tuning);
		else
			printf("# %-14s %-10s %5s %-10s %s by default, %s with %s (%.2fx)\n",
			       base->t->name, mode_name(pp->sh.mode), sz,
			       place_text(&d->places[pp->place]), a, b, best->tuning,
			       lower ? m / bm : bm / m);
	}
	stdout_note();
}

/*
 * The rounds: each probes the machine at every placement, measures the floors (--floor), then
 * runs every point of the plan once, in its own shuffled order. False when the sweep must stop
 * (an interrupt, or no memory for the order).
 */
static bool run_rounds(struct driver *d)
{
	size_t *order = malloc((d->npoints ? d->npoints : 1) * sizeof(*order));

	if (!order) {
		fprintf(stderr, "%s: the plan: %s\n", prog, strerror(ENOMEM));
		return false;
	}
	for (unsigned k = 0; k < d->o.repeat; k++) {
		d->round = d->o.first_round + k;
		plan_shuffle(d, order);
		for (size_t i = 0; i < d->nplaces; i++) {
			struct place *pl = &d->places[i];

			probe_start(d, pl);
			pl->round_start = true;
			if (d->o.floor && !run_floors(d, pl))
				goto stop;
		}
		for (size_t i = 0; i < d->npoints; i++)
			if (!run_plan_point(d, &d->points[order[i]]))
				goto stop;
		/* Each round is a unit of the analysis: say so where it ends. */
		if (d->o.repeat > 1 && !d->o.quiet) {
			errno = 0;
			printf("# round %u of %u done\n", k + 1, d->o.repeat);
			stdout_note();
		}
	}
	free(order);
	return true;
stop:
	free(order);
	return false;
}

/* Check that the placement's CPUs agree on the time, before any one-way row relies on it. */
static int check_clock(struct driver *d, struct place *pl)
{
	char err[IPCB_RUN_ERR_BYTES];
	/* Unpinned sides may land anywhere: the first two CPUs stand in for any pair. */
	const int *cpu = pl->kind == IPCB_PLACE_UNPINNED ? d->first_cpus : pl->cpu;
	const struct ipcb_remote_clock *rc_two = &d->remote.clock;
	int rc;

	/* Two hosts: no shared clock; each run measures the offset over the connection. */
	if (pl->kind == IPCB_PLACE_TWO_HOST) {
		printf("# two-host (CPU %d here, CPU %d on the peer): the peer's clock is %+lld ns "
		       "from ours, within +-%lld ns (%u exchanges over the control connection); "
		       "each run measures it again, and one-way rows say their bound\n",
		       pl->cpu[0], pl->cpu[1], (long long)rc_two->offset_ns,
		       (long long)((rc_two->hi_ns - rc_two->lo_ns) / 2), rc_two->rounds);
		return 0;
	}
	rc = ipcb_clock_check(&ipcb_launcher_fork, cpu, d->o.timeout_s, &pl->clock, err,
			      sizeof(err));

	if (rc == -EINTR) {
		d->interrupted = pl->clock.signal;
		return rc;
	}
	if (rc) {
		fprintf(stderr, "%s: clock check on CPUs %d,%d failed (%s): no one-way rows\n",
			prog, cpu[0], cpu[1], err);
		return 0;
	}
	pl->clock_checked = true;
	if (pl->clock.rounds == 0) {
		printf("# %s (CPU %d): both sides read one CPU's clock\n", place_text(pl),
		       pl->cpu[0]);
		return 0;
	}
	printf("# %s (CPUs %d,%d): clock offset between the CPUs within [%lld, %lld] ns over "
	       "%llu exchanges: %s\n",
	       place_text(pl), pl->cpu[0], pl->cpu[1], (long long)pl->clock.lo_ns,
	       (long long)pl->clock.hi_ns, (unsigned long long)pl->clock.rounds,
	       pl->clock.consistent ? "no skew detected" : "THE CLOCKS DISAGREE");
	return 0;
}

/* Does DIR hold a file named *.hgrm? Its name in `found`. */
static bool holds_hgrm(const char *dir, char *found, size_t n)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	bool any = false;

	if (!dh)
		return false;
	while (!any && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".hgrm") == 0) {
			snprintf(found, n, "%s", e->d_name);
			any = true;
		}
	}
	closedir(dh);
	return any;
}

/*
 * --hgrm DIR: a directory ipcbench creates, or an existing one that is this user's own and that
 * not every user may write to, so that nobody else can have put a link or a file where a .hgrm
 * file goes. And one without .hgrm files: an earlier run's would be overwritten.
 */
static int hgrm_check(const char *dir, char *err, size_t errlen)
{
	char *parent, found[256];
	struct stat st;
	size_t len;
	int rc;

	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "--hgrm %s: %s", dir, strerror(errno));
			return -errno;
		}
		/* It is made when the sweep begins: its parent must take it. */
		parent = strdup(dir);
		if (!parent) {
			snprintf(err, errlen, "--hgrm %s: strdup: %s", dir, strerror(ENOMEM));
			return -ENOMEM;
		}
		len = strlen(parent);
		while (len > 1 && parent[len - 1] == '/')
			parent[--len] = '\0';
		rc = ipcb_outfile_check(parent, "--hgrm", err, errlen);
		free(parent);
		return rc;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			 "--hgrm %s: a symbolic link; name the directory itself (outputs are not "
			 "written through links)",
			 dir);
		return -ELOOP;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--hgrm %s: exists and is not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "--hgrm %s: the directory belongs to another user (uid %u); use one of "
			 "your own, or a new one",
			 dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen,
			 "--hgrm %s: every user may write to this directory; use one only you can "
			 "write to, or a new one",
			 dir);
		return -EPERM;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "--hgrm %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (holds_hgrm(dir, found, sizeof(found))) {
		snprintf(err, errlen,
			 "--hgrm %s: already holds .hgrm files (%s, ...) that this run would "
			 "overwrite; use a new or empty directory",
			 dir, found);
		return -EEXIST;
	}
	return 0;
}

/*
 * Every output named on the command line, checked before anything is run or created: a usage
 * error leaves no file or directory behind, and an output that cannot be written is refused now
 * rather than after the sweep. One file named for two outputs would have one destroy the other.
 */
static int outputs_check(const struct driver *d, char *err, size_t errlen)
{
	const struct {
		const char *option, *path;
	} outs[] = {
	    {"--csv", d->o.csv_path},	{"--hdr-log", d->o.hdr_log_path}, {"--hgrm", d->o.hgrm_dir},
	    {"--json", d->o.json_path}, {"--db", d->o.db_path},
	};
	const size_t n = sizeof(outs) / sizeof(outs[0]);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (outs[i].path && outs[j].path &&
			    ipcb_same_file(outs[i].path, outs[j].path)) {
				snprintf(err, errlen,
					 "%s %s and %s %s name the same file: one output would "
					 "destroy the other",
					 outs[i].option, outs[i].path, outs[j].option,
					 outs[j].path);
				return -EINVAL;
			}
	if (d->o.csv_path)
		rc = ipcb_outfile_check(d->o.csv_path, "--csv", err, errlen);
	if (!rc && d->o.hdr_log_path)
		rc = ipcb_outfile_check(d->o.hdr_log_path, "--hdr-log", err, errlen);
	if (!rc && d->o.hgrm_dir)
		rc = hgrm_check(d->o.hgrm_dir, err, errlen);
	if (!rc && d->o.json_path)
		rc = ipcb_outfile_check(d->o.json_path, "--json", err, errlen);
	return rc;
}

/* Undo outputs_open(), when the sweep does not begin after all. */
static void outputs_abandon(struct driver *d)
{
	if (d->hdrlog)
		hdrlog_stop(d);
	if (d->hdr_opened)
		ipcb_outfile_close(&d->hdr_file); /* removes the temporary file */
	d->hdr_opened = false;
	ipcb_csv_close(&d->csv);
	ipcb_jsonout_abandon(&d->json);
	ipcb_history_run_abandon(d->hist);
	d->hist = NULL;
	if (d->hgrm_made)
		rmdir(d->o.hgrm_dir);
}

/*
 * Make the outputs. What each does to a file that is already there:
 *  - the CSV is appended to in place (whole rows under a lock); only a torn last line is cut;
 *  - the HDR log is written under a temporary name that replaces the old file only once it
 *    holds an interval (a sweep that measures nothing leaves an existing log as it was);
 *  - .hgrm files are never replaced: the directory must hold none (hgrm_check).
 * So nothing existing is truncated before the run has something to put in its place.
 */
static int outputs_open(struct driver *d, char *err, size_t errlen)
{
	int rc = 0;

	if (d->o.hgrm_dir && access(d->o.hgrm_dir, F_OK) < 0) {
		if (mkdir(d->o.hgrm_dir, 0777) < 0) {
			rc = -errno;
			snprintf(err, errlen, "--hgrm %s: %s", d->o.hgrm_dir, strerror(-rc));
			goto abandon;
		}
		d->hgrm_made = true;
	}
	if (d->o.hdr_log_path) {
		rc = ipcb_outfile_open(&d->hdr_file, d->o.hdr_log_path, "--hdr-log", err, errlen);
		if (rc < 0)
			goto abandon;
		d->hdr_opened = true;
		d->log_start_ns = ipcb_now_ns();
		rc = ipcb_hdrlog_open_fd(d->hdr_file.fd, (double)time(NULL), &d->hdrlog);
		if (rc < 0) {
			snprintf(err, errlen, "--hdr-log %s: %s", d->o.hdr_log_path, strerror(-rc));
			goto abandon;
		}
	}
	if (d->o.json_path) {
		rc = ipcb_jsonout_open(&d->json, d->o.json_path, err, errlen);
		if (rc < 0)
			goto abandon;
	}
	if (d->o.db_path) {
		rc = ipcb_history_run_begin(&d->hist, d->o.db_path, "--db", d->o.commit, d->argc,
					    d->argv, err, errlen);
		if (rc < 0)
			goto abandon;
	}
	/* Last, so that no later start-up error leaves a new CSV holding just a header. */
	if (d->o.csv_path) {
		rc = ipcb_csv_open(&d->csv, d->o.csv_path, err, errlen);
		if (d->csv.note[0])
			fprintf(stderr, "%s: warning: --csv %s: %s\n", prog, d->o.csv_path,
				d->csv.note);
		if (rc < 0)
			goto abandon;
	}
	return 0;
abandon:
	outputs_abandon(d);
	return rc;
}

/* Close every output; false when one of them failed (the message is printed). */
static bool outputs_close(struct driver *d)
{
	char err[IPCB_ERR_BYTES];
	bool ok = true;
	int rc;

	if (d->hdrlog) {
		rc = ipcb_hdrlog_close(d->hdrlog);
		d->hdrlog = NULL;
		/*
		 * A log without intervals is only a header: it takes a free name, but does not
		 * replace an earlier log, which has more to say.
		 */
		if (rc == 0 && d->hdr_intervals == 0) {
			rc = ipcb_outfile_place(&d->hdr_file, false);
			if (rc == -EEXIST) {
				fprintf(stderr,
					"%s: --hdr-log %s: no histogram was logged; the existing "
					"file is left as it was\n",
					prog, d->o.hdr_log_path);
				rc = 0;
			}
		}
		if (rc < 0) {
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, d->o.hdr_log_path,
				strerror(-rc));
			ok = false;
		}
	}
	if (d->hdr_opened) {
		rc = ipcb_outfile_close(&d->hdr_file);
		d->hdr_opened = false;
		if (rc < 0) {
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, d->o.hdr_log_path,
				strerror(-rc));
			ok = false;
		}
	}
	rc = ipcb_csv_close(&d->csv);
	if (rc < 0) {
		fprintf(stderr, "%s: --csv %s: %s\n", prog, d->o.csv_path, strerror(-rc));
		ok = false;
	}
	if (d->hist &&
	    ipcb_history_run_end(d->hist, d->interrupted, d->failures || d->output_failed, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "%s: --db %s\n", prog, err);
		ok = false;
	}
	d->hist = NULL;
	if (d->json.open) {
		rc = ipcb_jsonout_close(&d->json, &d->si, err, sizeof(err));
		if (rc == -EEXIST) {
			fprintf(stderr,
				"%s: --json %s: no row was measured; the existing file is left as "
				"it was\n",
				prog, d->o.json_path);
		} else if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			ok = false;
		}
	}
	return ok;
}

/*
 * How wide the table may be: the terminal's width when standard output is one (its window
 * size, else $COLUMNS, else 80), or 0 (no limit) for a pipe or a file, whose readers want every
 * column in the same place whatever terminal they came from.
 */
static unsigned table_columns(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	unsigned long cols;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		errno = 0;
		cols = strtoul(env, &end, 10);
		if (!*end && !errno && cols > 0 && cols <= 100000)
			return (unsigned)cols;
	}
	return 80;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, msg, prog);
	return EXIT_USAGE;
}

static void peer_close(struct driver *d)
{
	if (d->two_hosts)
		ipcb_remote_close(&d->remote);
	d->two_hosts = false;
}

/*
 * --peer: reach the peer (starting it with --launch), then settle the receiver's CPU there.
 * 0, or the exit status with err filled; nothing is left running on failure.
 */
static int peer_open(struct driver *d, char *err, size_t errlen)
{
	const char *binary = d->o.peer_binary;
	struct place *pl = &d->places[0];
	char *self = NULL;
	ssize_t n;
	int rc;

	if (d->o.launch && !binary) {
		/* On the heap: a PATH_MAX buffer is a large part of a small stack. */
		self = malloc(PATH_MAX);
		if (!self) {
			snprintf(err, errlen, "--launch: malloc: %s", strerror(ENOMEM));
			return EXIT_RUN_FAILED;
		}
		n = readlink("/proc/self/exe", self, PATH_MAX - 1);
		if (n <= 0) {
			snprintf(err, errlen,
				 "--launch: cannot tell this ipcbench's path: give "
				 "--peer-ipcbench PATH");
			free(self);
			return EXIT_USAGE;
		}
		self[n] = '\0';
		binary = self;
	}
	rc = ipcb_remote_open(&d->remote, d->o.peer, d->o.token_file, d->o.launch, binary,
			      d->o.timeout_s, err, errlen);
	if (!rc)
		snprintf(d->remote.binary, sizeof(d->remote.binary), "%.1000s",
			 binary ? binary : "ipcbench");
	free(self);
	if (rc)
		return rc == -EINVAL || rc == -EPERM ? EXIT_USAGE : EXIT_RUN_FAILED;
	d->two_hosts = true;
	if (pl->cpu[1] == -2)
		pl->cpu[1] = d->remote.peer_cpu;
	if (!ipcb_remote_cpu_ok(&d->remote, pl->cpu[1])) {
		snprintf(err, errlen, "--cpus %d,%d: CPU %d is not one the peer at %s offers",
			 pl->cpu[0], pl->cpu[1], pl->cpu[1], d->remote.peer_text);
		peer_close(d);
		return EXIT_USAGE;
	}
	d->remote.peer_cpu = pl->cpu[1];
	ipcb_launcher_remote(&d->remote_launcher, &d->remote);
	snprintf(d->hosts.binary, sizeof(d->hosts.binary), "%s", d->remote.binary);
	ipcb_netaddr_host_text((const struct sockaddr *)&d->remote.peer, d->hosts.peer_host,
			       sizeof(d->hosts.peer_host));
	d->hosts.clock_offset_ns = d->remote.clock.offset_ns;
	ipcb_launcher_runtime_hosts(&d->hosts_launcher, &d->hosts);
	/* The launch prefix, for a launcher that starts its own processes there (rsh-agent). */
	if (d->o.launch) {
		char host[64];

		setenv("IPCB_LAUNCH", d->o.launch, 1);
		/* As a launcher names it: numeric, as the rows' transports are given it. */
		ipcb_netaddr_host_text((const struct sockaddr *)&d->remote.peer, host,
				       sizeof(host));
		setenv("IPCB_LAUNCH_HOST", host, 1);
		setenv("IPCB_LAUNCH_BINARY", d->remote.binary, 1);
	}
	return 0;
}

/*
 * --dry-run: the plan a run would measure, and nothing run: each placement with its CPUs and
 * what they share, then the transports, sizes and modes, and how many runs the rounds make.
 */
static int print_plan(struct driver *d)
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
	d->runs_total = 0;
	for (size_t i = 0; i < d->nplaces; i++) {
		if (d->o.floor)
			d->runs_total += d->o.repeat * floor_runs_per_round(d, &d->places[i]);
		if (!d->o.controls && !plan_transports(d, &d->places[i]))
			return EXIT_RUN_FAILED;
	}
	for (size_t i = 0; i < d->nuse; i++)
		printf("transport %s%s%s\n", d->use[i].t->name, d->use[i].tuning[0] ? " " : "",
		       d->use[i].tuning);
	printf("# %zu points, %zu runs (nothing run: --dry-run)\n", d->npoints, d->runs_total);
	stdout_note();
	return 0;
}

/*
 * Everything before the sweep's runs: the command line, transports, placements, outputs, servers,
 * the machine's state. The exit status when the driver ends here, or -1 to go on. Not inlined:
 * its frame is gone before the runs fork their sides, which start from the depth the driver's
 * stack has then (and the stack may be small: ulimit -s).
 */
__attribute__((noinline)) static int driver_start(struct driver *d, int argc, char **argv)
{
	char err[IPCB_ERR_BYTES];
	int rc;
	bool wait_used = false;

	d->argc = argc;
	d->argv = argv;
	ipcb_opts_init(&d->o);
	if (ipcb_opts_parse(&d->o, argc, argv, err, sizeof(err)) < 0)
		return usage_error(err);
	if (d->o.help) {
		errno = 0;
		ipcb_opts_usage(stdout, prog);
		stdout_note();
		return 0;
	}
	if (d->o.version) {
		errno = 0;
		printf("ipcbench %s\n", IPCB_VERSION);
		stdout_note();
		return 0;
	}
	if (d->o.list && d->o.nlist_only)
		return do_list_some(&d->o);
	if (d->o.list)
		return do_list();
	if (d->o.cleanup)
		return ipcb_cleanup_main(d->o.dry_run, d->o.dir);
	/* Before the probes make anything: a crash from here on takes what it made with it. */
	rc = ipcb_crash_guard_install(d->o.dir);
	if (rc < 0)
		fprintf(stderr,
			"%s: warning: no crash guard (%s): a crash would leave its runs' "
			"objects for --cleanup\n",
			prog, strerror(-rc));
	if (d->o.controls)
		d->o.floor = true; /* the floors below, with no transport */
	else if (resolve_transports(d) < 0) {
		fprintf(stderr, "%s: none of the requested transports can run on this machine\n",
			prog);
		return EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < d->nuse; i++)
		wait_used |= (d->use[i].t->caps & IPCB_CAP_WAIT_CHOICE) != 0;
	if (d->o.wait && !wait_used)
		return usage_error("--wait: none of the requested transports offers a choice of "
				   "wait strategy (see --list: wait-choice)");
	if (check_dir(d, err, sizeof(err)) < 0)
		return usage_error(err);
	if (first_cpus(d->first_cpus) < 0) {
		fprintf(stderr, "%s: sched_getaffinity: cannot tell which CPUs to use\n", prog);
		return EXIT_RUN_FAILED;
	}
	topology_load(d);
	rc = resolve_places(d, err, sizeof(err));
	if (rc == -ENOENT) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_UNSUPPORTED;
	}
	if (rc < 0)
		return usage_error(err);
	if (d->o.plan_only)
		return print_plan(d);
	if (outputs_check(d, err, sizeof(err)) < 0)
		return usage_error(err);
	/* Before any output exists: from here on a signal stops the sweep, it does not kill us. */
	rc = ipcb_run_signals_block();
	if (rc < 0) {
		fprintf(stderr, "%s: sigprocmask: %s\n", prog, strerror(-rc));
		return EXIT_RUN_FAILED;
	}
	/* The peer before outputs: one that cannot be reached makes no file either. */
	if (d->o.peer) {
		rc = peer_open(d, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return rc;
		}
	}
	/* Servers before outputs: a sweep left with nothing to run makes no file. */
	if (services_start(d) < 0) {
		services_stop(d);
		peer_close(d);
		fprintf(stderr, "%s: stopped by %s while starting servers\n", prog,
			strsignal(d->interrupted));
		return 128 + d->interrupted;
	}
	if (d->nuse == 0 && !d->o.controls) {
		peer_close(d);
		fprintf(stderr, "%s: none of the requested transports can run on this machine\n",
			prog);
		return EXIT_UNSUPPORTED;
	}
	if (outputs_open(d, err, sizeof(err)) < 0) {
		services_stop(d);
		peer_close(d);
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_USAGE;
	}
	ipcb_sysinfo_read(&d->si);
	if (ipcb_sysinfo_busy(&d->si))
		fprintf(stderr,
			"%s: warning: load average %.2f on %d CPUs: the machine is busy, expect "
			"noisy numbers\n",
			prog, d->si.loadavg1, d->si.online_cpus);
	d->runs_total = 0;
	for (size_t i = 0; i < d->nplaces; i++) {
		if (d->o.floor)
			d->runs_total += d->o.repeat * floor_runs_per_round(d, &d->places[i]);
		if (!d->o.controls && !plan_transports(d, &d->places[i])) {
			peer_close(d);
			outputs_abandon(d);
			return EXIT_RUN_FAILED;
		}
	}
	if (d->runs_total == 0) {
		fprintf(stderr,
			"%s: nothing to run: no requested transport can carry the load's "
			"shape here (see the lines above)\n",
			prog);
		peer_close(d);
		outputs_abandon(d);
		return EXIT_UNSUPPORTED;
	}
	d->started_ns = ipcb_now_ns();
	ipcb_table_fit(&d->table, d->o.wide ? 0 : table_columns());
	errno = 0;
	ipcb_sysinfo_print(stdout, &d->si);
	if (d->two_hosts) {
		printf("# the peer, %s:\n", d->remote.peer_text);
		ipcb_sysinfo_print(stdout, &d->remote.peer_si);
		printf("# network path: %s\n", d->remote.path);
	}
	stdout_note();
	for (size_t i = 0; i < d->nplaces && !d->interrupted; i++)
		if (check_clock(d, &d->places[i]) < 0)
			break;
	return -1;
}

/* After the sweep: its summaries (swept: it ran), servers, outputs, the exit status. */
__attribute__((noinline)) static int driver_end(struct driver *d, bool swept)
{
	int status = 0;

	if (swept) {
		print_summary(d);
		print_tuning(d);
	}
	services_stop(d);
	peer_close(d);
	if (!outputs_close(d))
		d->output_failed = true;
	if (d->output_failed)
		status = EXIT_RUN_FAILED;
	if (d->interrupted) {
		fprintf(stderr, "%s: stopped by %s after %zu of %zu runs; rows so far are kept\n",
			prog, strsignal(d->interrupted), d->runs_done, d->runs_total);
		return 128 + d->interrupted;
	}
	if (d->failures) {
		fprintf(stderr, "%s: %u of %zu runs failed\n", prog, d->failures, d->runs_total);
		status = EXIT_RUN_FAILED;
	}
	return status;
}

/* The measurement sweep: everything but the subcommands. Returns the exit status. */
int ipcb_driver_main(int argc, char **argv)
{
	static struct driver d;
	int status = driver_start(&d, argc, argv);
	bool swept = !d.interrupted;

	if (status >= 0)
		return status;
	if (swept) {
		if (d.o.repeat > 1 && !d.o.quiet)
			printf(
			    "# %u rounds, seed %llu: each runs every point of the plan once, in an "
			    "order shuffled anew\n",
			    d.o.repeat, (unsigned long long)d.o.seed);
		errno = 0;
		ipcb_table_header(stdout, &d.table);
		stdout_note();
		run_rounds(&d);
		probes_stop(&d);
	}
	return driver_end(&d, swept);
}
