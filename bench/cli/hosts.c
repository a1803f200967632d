/* SPDX-License-Identifier: MIT */
/*
 * hosts.c - --hosts RUNTIME: ipcbench on many hosts, one process on each, all started by a
 * runtime (mpirun -H a,b,c, or srun), measuring every ordered pair of hosts.
 *
 * The story, top to bottom. Each process joins the runtime (the transport's launch ops, mpi's
 * through MPI) and learns its rank and the job's size; they all exchange who they are (the
 * host's name, the runtime's name for it, its network addresses). Every process computes the
 * same schedule: slot 1 has every host measure its own loopback, then a round-robin tournament
 * (the circle method) of disjoint pairs, each round twice, once in each direction, so that every
 * ordered pair of hosts runs once and no host is in two pairs at a time (--hosts-at-once caps
 * the pairs of a slot). Ordered pairs, because a stream's direction matters (one host's card, its
 * interrupt load or its link's shaping can slow one way only) and a round trip's sender is the
 * side whose CPU the row names.
 *
 * A pair is ipcbench's usual two-host run, unchanged: the receiving host's process starts
 * `ipcbench serve --listen ADDR:0 --launched` on its address toward the sender, with a token of
 * its own, and sends the address, port and token to the sender's process through the runtime;
 * that one starts the driver, `ipcbench --peer ADDR:PORT --token-file F` with the user's options
 * and --hosts-slot, which runs the same harness, verification, rounds and probes as on one host.
 * A transport whose own runtime starts its sides (mpi) is its own two-rank job, started through
 * the remote agent the runtime used (plm_rsh_agent, ssh by default) as --launch's prefix. When
 * the pair is done, the sender says so to the receiver, whose server stops. The drivers
 * started here run with the runtime's environment taken out, so that an MPI job of their own is
 * not taken for a part of this one.
 *
 * After each slot every process sends the slot's rows (the CSV lines its driver wrote, its
 * HdrHistogram log and what it said on stderr) to process 0 through the runtime, and process 0
 * appends them to --csv as they come, with a host_pair row for each pair of the slot (failed or
 * not, and why), so that an interrupted job keeps what it measured. A barrier closes the slot:
 * rows of one slot ran at the same time, on hosts that share no pair. At the end process 0 writes
 * the report beside the CSV (`ipcbench report`), whose "Hosts" section has the matrix.
 *
 * A host's part in a pair (the address it is reached by, the server and the drivers it starts)
 * is hostpair.c's (hostpair.h); hostjob.h holds the job's state the two share.
 */
#include "hostpair.h"

#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "csvschema.h"
#include "driver.h"
#include "rundir.h"
#include "child.h"
#include "version.h"

/* What each process sends process 0 after a slot; its texts follow it. */
struct record_head {
	int32_t slot;
	int32_t from, to; /* the pair this process drove; -1: none */
	int32_t failed;
	uint32_t csv_len, hlog_len, err_len;
};

static int hosts_fail(struct hosts *h, const struct ipcb_err *e, const char *what)
{
	fprintf(stderr, "%s: --hosts %s: host %d (%s): %s: %s%s%s\n", prog, h->d->o.hosts, h->rank,
		h->info ? h->info[h->rank].name : "?", what, e->call[0] ? e->call : "",
		e->call[0] && e->detail[0] ? ": " : "",
		e->detail[0] ? e->detail : strerror(-e->code));
	return EXIT_RUN_FAILED;
}

/* ---- who is where ------------------------------------------------------------------------ */

static unsigned prefix_of(const struct sockaddr *mask)
{
	const uint8_t *b;
	size_t n;
	unsigned bits = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		n = 16;
	} else {
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

/* This host: its names, and its addresses that another host could reach (not loopback, not
 * IPv6 link-local, whose scope is one link's and means nothing to the other host). */
static void host_info_read(struct hosts *h, struct host_info *me)
{
	struct ifaddrs *ifs = NULL;

	memset(me, 0, sizeof(*me));
	snprintf(me->name, sizeof(me->name), "%.63s", h->d->si.host);
	h->ops->host_name(me->rt_name, sizeof(me->rt_name));
	snprintf(me->version, sizeof(me->version), "%s", IPCB_VERSION);
	if (getifaddrs(&ifs) < 0)
		return;
	for (struct ifaddrs *i = ifs; i && me->naddrs < HOSTS_ADDRS; i = i->ifa_next) {
		struct host_addr *a = &me->addrs[me->naddrs];

		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a->family = AF_INET;
			memcpy(a->addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *v6 =
			    &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(v6))
				continue;
			a->family = AF_INET6;
			memcpy(a->addr, v6, 16);
		} else {
			continue;
		}
		a->prefix = (uint8_t)prefix_of(i->ifa_netmask);
		me->naddrs++;
	}
	freeifaddrs(ifs);
}

/* ---- the schedule ------------------------------------------------------------------------- */

static int slot_add(struct hosts *h, const struct pair *pairs, size_t n)
{
	size_t at_once = h->d->o.hosts_at_once ? h->d->o.hosts_at_once : n;

	for (size_t k = 0; k < n; k += at_once) {
		size_t take = n - k < at_once ? n - k : at_once;
		struct slot *s = realloc(h->slots, (h->nslots + 1) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		h->slots = s;
		s = &h->slots[h->nslots];
		s->pairs = malloc(take * sizeof(*s->pairs));
		if (!s->pairs)
			return -ENOMEM;
		memcpy(s->pairs, pairs + k, take * sizeof(*s->pairs));
		s->n = take;
		h->nslots++;
	}
	return 0;
}

/*
 * Every host's loopback at once, then the circle method: with the hosts (and a bye when they are
 * odd) around a circle, the first fixed and the others turning one place a round, each round
 * pairs the two ends of every chord: n - 1 rounds of n / 2 disjoint pairs meet every pair once.
 * Each round runs twice, the second time every pair the other way.
 */
static int schedule_make(struct hosts *h)
{
	int n = h->size, m = n % 2 ? n + 1 : n;
	struct pair *pairs = calloc((size_t)m, sizeof(*pairs));
	int *ring = calloc((size_t)m, sizeof(*ring));
	int rc = 0;

	if (!pairs || !ring) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		pairs[i] = (struct pair){i, i};
	rc = slot_add(h, pairs, (size_t)n);
	for (int i = 0; i < m; i++)
		ring[i] = i < n ? i : -1; /* -1: the bye */
	for (int round = 0; round < m - 1 && !rc; round++) {
		size_t k = 0;

		for (int i = 0; i < m / 2; i++) {
			int a = ring[i], b = ring[m - 1 - i];

			if (a >= 0 && b >= 0)
				pairs[k++] = (struct pair){a < b ? a : b, a < b ? b : a};
		}
		rc = slot_add(h, pairs, k);
		for (size_t i = 0; i < k; i++)
			pairs[i] = (struct pair){pairs[i].to, pairs[i].from};
		if (!rc)
			rc = slot_add(h, pairs, k);
		/* Turn every place but the first by one. */
		{
			int last = ring[m - 1];

			memmove(&ring[2], &ring[1], (size_t)(m - 2) * sizeof(*ring));
			ring[1] = last;
		}
	}
out:
	free(pairs);
	free(ring);
	return rc;
}

/* This process's pair in slot s: its index, or -1 when it sits this slot out. */
static int my_pair(const struct hosts *h, const struct slot *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pairs[i].from == h->rank || s->pairs[i].to == h->rank)
			return (int)i;
	return -1;
}

/* ---- process 0's outputs --------------------------------------------------------------------- */

/* The rows of a driver's CSV, less its header (which must be this build's). */
static const char *csv_rows(const char *text, size_t len, size_t *rows_len)
{
	const char *nl = memchr(text, '\n', len);
	const char *header = ipcb_csv_header();

	*rows_len = 0;
	if (!nl || (size_t)(nl - text) != strlen(header) || memcmp(text, header, strlen(header)))
		return NULL;
	*rows_len = len - (size_t)(nl + 1 - text);
	return nl + 1;
}

/* A pair's own row: measured or failed, and why. */
static int pair_row(struct hosts *h, size_t s, const struct pair *p, const char *error)
{
	struct ipcb_csv_record rec;
	char *buf = NULL, stamp[40], err[IPCB_CSV_ERR_BYTES], what[sizeof(h->loop_list)];
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	time_t now = time(NULL);
	struct tm tm;
	int bad = 0, rc;

	if (!mem)
		return -ENOMEM;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* What every row must say, said plainly: the transports it ran, no run, no message. */
	snprintf(what, sizeof(what), "%s", p->from == p->to ? h->loop_list : h->net_list);
	if (p->from != p->to && h->nrt && h->agent[0])
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s",
			 h->nnet ? "," : "", h->rt_list);
	for (char *c = what; *c; c++)
		*c = *c == ',' ? ' ' : *c;
	ipcb_csv_record_init(&rec);
	ipcb_csv_set_text(&rec, IPCB_COL_TRANSPORT, what);
	ipcb_csv_set_text(&rec, IPCB_COL_MODE, "hosts");
	ipcb_csv_set_text(&rec, IPCB_COL_WAIT, "-");
	ipcb_csv_set_text(&rec, IPCB_COL_LATENCY_KIND, "host_pair");
	{
		static const enum ipcb_csv_column zero[] = {
		    IPCB_COL_SIZE_BYTES,      IPCB_COL_RUN,
		    IPCB_COL_MESSAGES,	      IPCB_COL_CHUNK_BYTES,
		    IPCB_COL_WARMUP,	      IPCB_COL_WORK_NS,
		    IPCB_COL_FSYNC,	      IPCB_COL_FULL_CHECKS,
		    IPCB_COL_ROUND,	      IPCB_COL_SEED,
		    IPCB_COL_RECEIVER_WORK_NS};

		for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
			ipcb_csv_set_uint(&rec, zero[i], 0);
		ipcb_csv_set_decimal(&rec, IPCB_COL_LOADAVG, h->d->si.loadavg1);
	}
	ipcb_csv_set_text(&rec, IPCB_COL_PLACEMENT, p->from == p->to ? "loopback" : "two-host");
	ipcb_csv_set_text(&rec, IPCB_COL_HOST, host_name(h, p->from));
	ipcb_csv_set_text(&rec, IPCB_COL_PEER_HOST, host_name(h, p->to));
	ipcb_csv_set_uint(&rec, IPCB_COL_HOSTS_SLOT, s + 1);
	ipcb_csv_set_text(&rec, IPCB_COL_ERROR, error);
	ipcb_csv_set_text(&rec, IPCB_COL_TIMESTAMP, stamp);
	ipcb_csv_set_text(&rec, IPCB_COL_VERSION, IPCB_VERSION);
	rc = ipcb_csv_record_write(mem, &rec, &bad);
	if (fclose(mem) != 0 || rc < 0) {
		free(buf);
		fprintf(stderr, "%s: --hosts: the row of %s -> %s: %s\n", prog,
			host_name(h, p->from), host_name(h, p->to),
			rc < 0 ? ipcb_csv_name((enum ipcb_csv_column)bad) : strerror(ENOMEM));
		return rc < 0 ? rc : -ENOMEM;
	}
	rc = ipcb_csv_lines(&h->csv, buf, len, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s: --csv %s: %s\n", prog, h->d->o.csv_path, err);
	free(buf);
	return rc;
}

/*
 * A driver's HdrHistogram log into the one --hdr-log: the header once, and each interval's tag
 * naming the pair ("Tag=a->b/tcp/..."), since every host's tags name only what ran.
 */
static void hlog_add(struct hosts *h, const struct pair *p, char *text)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		bool header = line[0] == '#' || line[0] == '"';

		if (header && h->hlog_header)
			continue;
		if (strncmp(line, "Tag=", 4) == 0)
			fprintf(h->hlog, "Tag=%s->%s/%s\n", host_name(h, p->from),
				host_name(h, p->to), line + 4);
		else
			fprintf(h->hlog, "%s\n", line);
	}
	h->hlog_header = true;
}

/* Process 0: one process's record of slot s, into the outputs. */
static void record_take(struct hosts *h, size_t s, const struct record_head *rh, char *data)
{
	const struct pair *p = NULL;
	const char *csv = data, *hlog = data + rh->csv_len, *err = hlog + rh->hlog_len, *rows;
	char why[IPCB_CSV_ERR_BYTES];
	size_t rows_len = 0;

	if (rh->from < 0)
		return;
	for (size_t i = 0; i < h->slots[s].n; i++)
		if (h->slots[s].pairs[i].from == rh->from && h->slots[s].pairs[i].to == rh->to)
			p = &h->slots[s].pairs[i];
	if (!p)
		return;
	rows = rh->csv_len ? csv_rows(csv, rh->csv_len, &rows_len) : NULL;
	if (rh->csv_len && !rows)
		fprintf(
		    stderr,
		    "%s: --hosts: %s -> %s: its rows have another header (another ipcbench build "
		    "there?): left out\n",
		    prog, host_name(h, p->from), host_name(h, p->to));
	else if (rows_len && ipcb_csv_lines(&h->csv, rows, rows_len, why, sizeof(why)) < 0)
		fprintf(stderr, "%s: --csv %s: %s\n", prog, h->d->o.csv_path, why);
	if (h->hlog && rh->hlog_len) {
		char *copy = strndup(hlog, rh->hlog_len);

		if (copy)
			hlog_add(h, p, copy);
		free(copy);
	}
	if (rh->failed) {
		h->pairs_failed++;
		fprintf(stderr, "%s: --hosts: %s -> %s failed: %s\n", prog, host_name(h, p->from),
			host_name(h, p->to), err);
	} else {
		h->pairs_ok++;
	}
	pair_row(h, s, p, rh->failed ? err : NULL);
}

/* ---- the slots ------------------------------------------------------------------------------ */

/* This process's part of slot s, and its record for process 0 (allocated into *out). */
static int slot_run(struct hosts *h, size_t s, void **out, size_t *out_len, struct ipcb_err *e)
{
	struct record_head rh = {.slot = (int32_t)s, .from = -1, .to = -1};
	int i = my_pair(h, &h->slots[s]);
	char why[HOSTS_ERR] = "", path[PATH_MAX + 32];
	char *csv = NULL, *hlog = NULL, *hlog2 = NULL;
	size_t csv_len = 0, hlog_len = 0, hlog2_len = 0, why_len;
	int rc = 0, failed = 0;

	if (i >= 0) {
		const struct pair *p = &h->slots[s].pairs[i];

		/* A pair's failure is said in its record; the runtime's ends the job (e). */
		if (p->from == p->to)
			failed = ipcb_hosts_pair_loopback(h, s, why, sizeof(why));
		else if (p->to == h->rank)
			rc = ipcb_hosts_pair_serve(h, p, e);
		else
			failed = ipcb_hosts_pair_drive(h, s, p, why, sizeof(why), e);
		if (e->code)
			return e->code;
		if (p->from == h->rank) {
			rh.from = p->from;
			rh.to = p->to;
			rh.failed = failed != 0;
		}
	}
	if (rc)
		return rc;
	if (rh.from >= 0) {
		ipcb_hosts_slot_paths(h, s, "csv", path, sizeof(path));
		csv = ipcb_hosts_file_text(path, &csv_len);
		ipcb_hosts_slot_paths(h, s, "hlog", path, sizeof(path));
		hlog = ipcb_hosts_file_text(path, &hlog_len);
		ipcb_hosts_slot_paths(h, s, "rt.hlog", path, sizeof(path));
		hlog2 = ipcb_hosts_file_text(path, &hlog2_len);
	}
	why_len = strlen(why);
	rh.csv_len = (uint32_t)csv_len;
	rh.hlog_len = (uint32_t)(hlog_len + hlog2_len);
	rh.err_len = (uint32_t)why_len;
	*out_len = sizeof(rh) + csv_len + hlog_len + hlog2_len + why_len + 1;
	*out = malloc(*out_len);
	if (*out) {
		char *at = (char *)*out;

		memcpy(at, &rh, sizeof(rh));
		at += sizeof(rh);
		memcpy(at, csv ? csv : "", csv_len);
		at += csv_len;
		memcpy(at, hlog ? hlog : "", hlog_len);
		at += hlog_len;
		memcpy(at, hlog2 ? hlog2 : "", hlog2_len);
		at += hlog2_len;
		memcpy(at, why, why_len + 1);
	}
	free(csv);
	free(hlog);
	free(hlog2);
	return *out ? 0 : ipcb_errf(e, -ENOMEM, "malloc", "a record of slot %zu", s + 1);
}

static void slot_say(const struct hosts *h, size_t s)
{
	char pairs[1024];
	size_t at = 0;

	for (size_t i = 0; i < h->slots[s].n && at < sizeof(pairs); i++) {
		const struct pair *p = &h->slots[s].pairs[i];

		at += (size_t)(p->from == p->to
				   ? snprintf(pairs + at, sizeof(pairs) - at, "%s%s alone",
					      i ? ", " : "", host_name(h, p->from))
				   : snprintf(pairs + at, sizeof(pairs) - at, "%s%s -> %s",
					      i ? ", " : "", host_name(h, p->from),
					      host_name(h, p->to)));
	}
	if (!h->d->o.quiet)
		fprintf(stderr, "%s: --hosts: slot %zu of %zu: %s\n", prog, s + 1, h->nslots,
			pairs);
}

/* Process 0 gathers the slot's records: its own, then every other's, in rank order. */
static int slot_gather(struct hosts *h, size_t s, void *mine, size_t mine_len, struct ipcb_err *e)
{
	int rc = 0;

	if (h->rank != 0)
		return h->ops->send(0, mine, mine_len, e);
	for (int k = 0; k < h->size && !rc; k++) {
		void *buf = mine;
		size_t len = mine_len;

		if (k && (rc = h->ops->recv(k, &buf, &len, e)))
			break;
		if (len >= sizeof(struct record_head)) {
			struct record_head rh;

			memcpy(&rh, buf, sizeof(rh));
			if (sizeof(rh) + (size_t)rh.csv_len + rh.hlog_len + rh.err_len + 1 == len)
				record_take(h, s, &rh, (char *)buf + sizeof(rh));
			else
				rc = ipcb_errf(e, -EPROTO, "record", "%zu bytes from host %d", len,
					       k);
		}
		if (k)
			free(buf);
	}
	return rc;
}

/* ---- from the command line to the exit status ------------------------------------------------ */

static int outputs_open(struct hosts *h)
{
	char err[IPCB_ERR_BYTES];
	const char *csv = h->d->o.csv_path, *dot = strrchr(csv, '.');

	if (ipcb_csv_open(&h->csv, csv, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: --csv %s: %s\n", prog, csv, err);
		return -EIO;
	}
	if (h->d->o.hdr_log_path) {
		h->hlog = fopen(h->d->o.hdr_log_path, "we");
		if (!h->hlog) {
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, h->d->o.hdr_log_path,
				strerror(errno));
			return -EIO;
		}
	}
	snprintf(h->report, sizeof(h->report), "%.*s.md",
		 (int)(dot && !strchr(dot, '/') ? (size_t)(dot - csv) : strlen(csv)), csv);
	return 0;
}

/* The report of the CSV, beside it: `ipcbench report CSV -o CSV.md`. */
static int report_write(struct hosts *h)
{
	char *argv[] = {h->self, "report", (char *)h->d->o.csv_path, "-o", h->report, NULL};
	const struct ipcb_spawn sp = {.path = h->self, .argv = argv, .env = h->env, .what = prog};

	return ipcb_spawn_run(&sp) == 0 ? 0 : -EIO;
}

static int hosts_start(struct hosts *h, int argc, char **argv, struct ipcb_err *e)
{
	const struct ipcb_transport *t = ipcb_transport_find(h->d->o.hosts);
	struct host_info me;
	char tag[64];
	uint64_t rnd = 0;
	int rc;

	if (!t || !t->launch || !t->launch->hosts) {
		fprintf(stderr, "%s: --hosts %s: %s\nTry '%s --help' for more information.\n", prog,
			h->d->o.hosts,
			t ? "its runtime does not start ipcbench on many hosts (mpi's does)"
			  : "no such transport (mpi: ipcbench started by mpirun or srun)",
			prog);
		return EXIT_USAGE;
	}
	if (t->unsupported) {
		fprintf(stderr, "%s: --hosts %s: %s\n", prog, t->name, t->unsupported);
		return EXIT_UNSUPPORTED;
	}
	h->ops = t->launch->hosts;
	if (h->ops->join(&h->rank, &h->size, e))
		return hosts_fail(h, e, "cannot join its runtime (was it started by one?)");
	ipcb_sysinfo_read(&h->d->si);
	host_info_read(h, &me);
	h->info = calloc((size_t)h->size, sizeof(*h->info));
	if (!h->info)
		return hosts_fail(h, &(struct ipcb_err){-ENOMEM, "calloc", ""}, "hosts");
	if (h->ops->allgather(&me, sizeof(me), h->info, e))
		return hosts_fail(h, e, "exchanging who is where");
	/* The same checks in every process, so that they all end alike. */
	if (h->size < 2) {
		if (h->rank == 0)
			fprintf(stderr,
				"%s: --hosts %s: one process: start one on each of at least two "
				"hosts (mpirun -H a,b -np 2 %s --hosts %s ...)\n",
				prog, t->name, prog, t->name);
		return EXIT_USAGE;
	}
	for (int i = 0; i < h->size; i++)
		for (int j = i + 1; j < h->size; j++)
			if (strcmp(h->info[i].name, h->info[j].name) == 0) {
				if (h->rank == 0)
					fprintf(
					    stderr,
					    "%s: --hosts %s: processes %d and %d are both on %s: "
					    "one process a host (mpirun --map-by node, or -H with "
					    "each host once)\n",
					    prog, t->name, i, j, h->info[i].name);
				return EXIT_USAGE;
			}
	for (int i = 1; i < h->size; i++)
		if (strncmp(h->info[i].version, h->info[0].version, sizeof(me.version))) {
			if (h->rank == 0)
				fprintf(
				    stderr,
				    "%s: --hosts %s: %s runs ipcbench %.32s, %s %.32s: the same "
				    "build on every host\n",
				    prog, t->name, h->info[i].name, h->info[i].version,
				    h->info[0].name, h->info[0].version);
			return EXIT_USAGE;
		}
	rc = ipcb_self_path(h->self, sizeof(h->self));
	if (rc < 0)
		return hosts_fail(h, &(struct ipcb_err){rc, "readlink", "/proc/self/exe"},
				  "finding this ipcbench");
	h->ops->agent(h->agent, sizeof(h->agent));
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = ipcb_now_ns();
	snprintf(tag, sizeof(tag), "ipcbench-%d-%016" PRIx64, (int)getpid(), rnd);
	if (!h->d->o.dir) {
		const char *tmp = getenv("TMPDIR");

		h->d->o.dir = tmp && *tmp ? tmp : "/tmp";
	}
	if (ipcb_rundir_create(h->d->o.dir, tag, h->dir, sizeof(h->dir)) < 0)
		return hosts_fail(h, &(struct ipcb_err){-errno, "mkdir", ""}, h->d->o.dir);
	ipcb_hosts_transports_pick(h);
	if (!h->nnet && !h->nrt) {
		if (h->rank == 0)
			fprintf(stderr,
				"%s: --hosts: none of the requested transports crosses hosts "
				"(--list: network, launch-hosts)\n",
				prog);
		return EXIT_UNSUPPORTED;
	}
	if (ipcb_hosts_pass_make(h, argc, argv) < 0 || ipcb_hosts_env_make(h) < 0 ||
	    schedule_make(h) < 0)
		return hosts_fail(h, &(struct ipcb_err){-ENOMEM, "malloc", ""}, "the plan");
	if (h->rank == 0 && outputs_open(h) < 0)
		return EXIT_RUN_FAILED;
	if (h->rank == 0 && !h->d->o.quiet)
		fprintf(stderr,
			"%s: --hosts %s: %d hosts, %d ordered pairs and each host alone, in %zu "
			"slots; transports %s%s%s\n",
			prog, t->name, h->size, h->size * (h->size - 1), h->nslots, h->net_list,
			h->nnet && h->nrt ? "," : "", h->rt_list);
	return -1;
}

/*
 * --hosts RUNTIME: this process is one of many a runtime started, one on each host; measure
 * every ordered pair of hosts, process 0 writing the rows. The exit status.
 */
static int hosts_main(struct driver *d, int argc, char **argv)
{
	static struct hosts h;
	struct ipcb_err e = {0};
	int status;

	h.d = d;
	status = hosts_start(&h, argc, argv, &e);
	if (status >= 0) {
		if (h.ops)
			h.ops->leave();
		if (h.dir[0])
			ipcb_rundir_remove(h.dir);
		return status;
	}
	status = 0;
	for (size_t s = 0; s < h.nslots; s++) {
		void *mine = NULL;
		size_t len = 0;

		if (h.rank == 0)
			slot_say(&h, s);
		if (slot_run(&h, s, &mine, &len, &e) || slot_gather(&h, s, mine, len, &e) ||
		    h.ops->barrier(&e)) {
			free(mine);
			status = hosts_fail(&h, &e, "the schedule");
			/* The others wait for this one: end them all, the rows so far kept. */
			ipcb_rundir_remove(h.dir);
			h.ops->abort(status);
			return status;
		}
		free(mine);
	}
	ipcb_rundir_remove(h.dir);
	if (h.rank == 0) {
		if (h.hlog && fclose(h.hlog) != 0)
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, d->o.hdr_log_path,
				strerror(errno));
		ipcb_csv_close(&h.csv);
		if (report_write(&h) < 0) {
			fprintf(stderr, "%s: --hosts: the report %s could not be written\n", prog,
				h.report);
			status = EXIT_RUN_FAILED;
		}
		fprintf(stderr,
			"%s: --hosts: %u pairs measured, %u failed; rows in %s, report in %s\n",
			prog, h.pairs_ok, h.pairs_failed, d->o.csv_path, h.report);
		if (h.pairs_failed)
			status = EXIT_RUN_FAILED;
	}
	h.ops->leave();
	return status;
}

static bool hosts_given(const struct ipcb_opts *o)
{
	return o->hosts != NULL;
}

IPCB_DRIVER_MODE(hosts, "RUNTIME [OPTIONS]   one of many hosts a runtime started (mpirun ...)",
		 NULL, hosts_given, hosts_main);
