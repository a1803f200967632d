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
 */
#include "drv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "csvschema.h"
#include "driver.h"
#include "rundir.h"
#include "child.h"
#include "version.h"

#define HOSTS_ADDRS 8
#define HOSTS_NAME  64
#define HOSTS_ERR   600 /* what a failed pair says: its host and its driver's last words */
#define HOSTS_TOKEN 64
#define HOSTS_ARGS  160

/* What each process tells the others about its host. */
struct host_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* its network's prefix length */
	uint8_t addr[16];
};

struct host_info {
	char name[HOSTS_NAME];	  /* the host's own name (uname) */
	char rt_name[HOSTS_NAME]; /* the runtime's name for it; "" when it gives none */
	char version[32];	  /* this ipcbench's build */
	uint32_t naddrs;
	struct host_addr addrs[HOSTS_ADDRS];
};

/* One pair of the schedule: sender's host, receiver's host (the same: its own loopback). */
struct pair {
	int from, to;
};

struct slot {
	struct pair *pairs;
	size_t n;
};

/* The receiver's answer to a sender, through the runtime. */
struct rendezvous {
	int32_t ok;
	uint16_t port;
	char addr[INET6_ADDRSTRLEN];
	char token[HOSTS_TOKEN];
	char why[HOSTS_ERR];
};

/* What each process sends process 0 after a slot; its texts follow it. */
struct record_head {
	int32_t slot;
	int32_t from, to; /* the pair this process drove; -1: none */
	int32_t failed;
	uint32_t csv_len, hlog_len, err_len;
};

struct hosts {
	struct driver *d;
	const struct ipcb_hosts_ops *ops;
	int rank, size;
	struct host_info *info;
	char self[PATH_MAX]; /* this ipcbench */
	char dir[PATH_MAX];  /* this process's directory for the slots' files */
	char agent[256];     /* the runtime's remote agent, for a transport with a runtime */
	/* The transports that cross hosts: by address (network), or by their own runtime. */
	const char *net[IPCB_MAX_LIST], *rt[IPCB_MAX_LIST];
	size_t nnet, nrt;
	char net_list[1024], rt_list[1024], loop_list[2048];
	/* The user's options for the drivers started here, as they were given. */
	char *pass[HOSTS_ARGS];
	int npass;
	char **env; /* the environment without the runtime's */
	struct slot *slots;
	size_t nslots;
	/* Process 0: the outputs, and what went wrong. */
	struct ipcb_csv csv;
	FILE *hlog;
	bool hlog_header;
	char report[PATH_MAX];
	unsigned pairs_ok, pairs_failed;
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

/* Do a and b lie in one network (a's prefix)? */
static bool same_network(const struct host_addr *a, const struct host_addr *b)
{
	unsigned bits = a->prefix;

	if (a->family != b->family || !bits)
		return false;
	for (unsigned i = 0; i < 16 && bits; i++) {
		unsigned take = bits >= 8 ? 8 : bits;
		uint8_t mask = (uint8_t)(0xffu << (8 - take));

		if ((a->addr[i] & mask) != (b->addr[i] & mask))
			return false;
		bits -= take;
	}
	return true;
}

/*
 * The address of host `to` that host `from` reaches it by: one in a network both have an
 * address in (IPv4 first), else its first. false when it has none.
 */
static bool address_toward(const struct hosts *h, int to, int from, char *out, size_t n)
{
	const struct host_info *t = &h->info[to], *f = &h->info[from];
	const struct host_addr *pick = NULL;

	for (int family = AF_INET; !pick && family; family = family == AF_INET ? AF_INET6 : 0)
		for (uint32_t i = 0; i < t->naddrs && !pick; i++)
			for (uint32_t j = 0; j < f->naddrs && !pick; j++)
				if (t->addrs[i].family == family &&
				    same_network(&t->addrs[i], &f->addrs[j]))
					pick = &t->addrs[i];
	if (!pick && t->naddrs)
		pick = &t->addrs[0];
	if (!pick)
		return false;
	return inet_ntop(pick->family, pick->addr, out, (socklen_t)n) != NULL;
}

/* The name rows and messages give a host: its own (the one its rows' host column says). */
static const char *host_name(const struct hosts *h, int i)
{
	return h->info[i].name;
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

/* ---- what the drivers started here are told ----------------------------------------------- */

/* Which transports cross hosts: those reached by address alone, and those of a runtime. */
static void transports_pick(struct hosts *h)
{
	const struct ipcb_opts *o = &h->d->o;
	size_t n = o->transports_all ? ipcb_transport_count() : o->ntransports;
	size_t nl = 0, rl = 0, ll = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ipcb_transport *t = o->transports_all
						     ? ipcb_transport_full(ipcb_transport_at(i))
						     : o->transports[i];
		bool net = (t->caps & IPCB_CAP_NETWORK) && !t->service;
		bool rt = (t->caps & IPCB_CAP_LAUNCH_HOSTS) != 0;

		if (t->unsupported || (!net && !rt)) {
			if (!o->transports_all && h->rank == 0)
				fprintf(stderr, "%s: --hosts: skipping %s: %s\n", prog, t->name,
					t->unsupported
					    ? t->unsupported
					    : "it does not cross hosts (--list: network, "
					      "launch-hosts)");
			continue;
		}
		if (net && h->nnet < IPCB_MAX_LIST) {
			h->net[h->nnet++] = t->name;
			nl += (size_t)snprintf(h->net_list + nl, sizeof(h->net_list) - nl, "%s%s",
					       nl ? "," : "", t->name);
		} else if (rt && h->nrt < IPCB_MAX_LIST) {
			h->rt[h->nrt++] = t->name;
			rl += (size_t)snprintf(h->rt_list + rl, sizeof(h->rt_list) - rl, "%s%s",
					       rl ? "," : "", t->name);
		}
		ll += (size_t)snprintf(h->loop_list + ll, sizeof(h->loop_list) - ll, "%s%s",
				       ll ? "," : "", t->name);
	}
}

/*
 * The user's options, as given, for the drivers started here, less what --hosts itself decides
 * for each of them: the transports, the outputs (process 0 writes them), the peer, and -q.
 */
static int pass_make(struct hosts *h, int argc, char **argv)
{
	static const char *const own[] = {"transport", "hosts",	     "hosts-at-once", "hosts-slot",
					  "csv",       "hdr-log",    "hgrm",	      "json",
					  "peer",      "token-file", "launch",	      "quiet"};
	const struct ipcb_clirow *rows = ipcb_opts_rows();
	struct ipcb_cliopt table[160];
	struct ipcb_cli c;
	size_t n = 0;
	char err[IPCB_ERR_BYTES];

	for (; rows[n].opt.name && n < sizeof(table) / sizeof(table[0]) - 1; n++) {
		table[n] = rows[n].opt;
		table[n].id = (int)n;
		table[n].value = rows[n].type != IPCB_CLI_FLAG && rows[n].type != IPCB_CLI_CLEAR;
	}
	table[n] = (struct ipcb_cliopt){0};
	ipcb_cli_init(&c, argc, argv);
	for (;;) {
		const char *value = NULL;
		int id = ipcb_cli_next(&c, table, &value, err, sizeof(err));
		bool keep = true;

		if (id == IPCB_CLI_END)
			break;
		if (id < 0) /* parsed once already: nothing here is new */
			return -EINVAL;
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			keep &= strcmp(table[id].name, own[k]) != 0;
		if (!keep)
			continue;
		if (h->npass + 2 >= HOSTS_ARGS)
			return -E2BIG;
		if (asprintf(&h->pass[h->npass++], "--%s", table[id].name) < 0)
			return -ENOMEM;
		if (value && !(h->pass[h->npass++] = strdup(value)))
			return -ENOMEM;
	}
	return 0;
}

/* This environment less the runtime's own variables. */
static int env_make(struct hosts *h)
{
	static const char *const drop[] = {"OMPI_", "PMIX_", "OPAL_", "ORTE_", "PRTE_", "PMI_"};
	extern char **environ;
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	h->env = calloc(n + 1, sizeof(*h->env));
	if (!h->env)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool keep = true;

		for (size_t j = 0; j < sizeof(drop) / sizeof(drop[0]); j++)
			keep &= strncmp(environ[i], drop[j], strlen(drop[j])) != 0;
		if (keep)
			h->env[k++] = environ[i];
	}
	return 0;
}

/*
 * Run ipcbench with the user's options and these, its standard error into err_path; its exit
 * status (128 + a signal), or -errno when it could not start.
 */
static int driver_run(struct hosts *h, const char *err_path, char *const extra[])
{
	char *argv[HOSTS_ARGS + 24];
	int argc = 0, fd;
	pid_t pid;

	argv[argc++] = h->self;
	for (int i = 0; i < h->npass; i++)
		argv[argc++] = h->pass[i];
	for (int i = 0; extra[i] && argc < (int)(sizeof(argv) / sizeof(argv[0])) - 1; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	{
		const struct ipcb_spawn sp = {
		    .path = h->self,
		    .argv = argv,
		    .env = h->env,
		    .in = IPCB_SPAWN_NULL,
		    .out = IPCB_SPAWN_NULL,
		    .err = fd,
		    /* Its runs clean up after themselves when this process dies. */
		    .death_signal = SIGTERM,
		    .what = prog,
		};

		pid = ipcb_spawn_start(&sp);
	}
	close(fd);
	if (pid < 0)
		return (int)pid;
	ipcb_rundir_note_pid(h->dir, pid);
	return ipcb_spawn_wait(pid);
}

/* The whole file at path, allocated (an empty text when there is none). */
static char *file_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*len = 0;
	if (f) {
		char chunk[8192];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			if (n + got + 1 > cap) {
				char *more = realloc(buf, cap = 2 * (n + got + 1));

				if (!more)
					break;
				buf = more;
			}
			memcpy(buf + n, chunk, got);
			n += got;
		}
		fclose(f);
	}
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[n] = '\0';
	*len = buf ? n : 0;
	return buf;
}

/* What a failed driver said last (its last lines, joined), into out. */
static void last_words(const char *path, char *out, size_t n)
{
	size_t len;
	char *text = file_text(path, &len), *line, *keep[3] = {NULL, NULL, NULL};
	size_t k = 0, at = 0;

	out[0] = '\0';
	if (!text)
		return;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "ipcbench: ", 10) == 0)
			line += 10;
		/* What failed, not what it warned of on the way. */
		if (strncmp(line, "warning: ", 9) != 0)
			keep[k++ % 3] = line;
	}
	for (size_t i = k > 3 ? k - 3 : 0; i < k && at < n; i++)
		at += (size_t)snprintf(out + at, n - at, "%s%s", at ? "; " : "", keep[i % 3]);
	free(text);
}

/* ---- the roles in a pair ------------------------------------------------------------------- */

static void slot_paths(const struct hosts *h, size_t s, const char *what, char *out, size_t n)
{
	snprintf(out, n, "%s/slot%zu.%s", h->dir, s + 1, what);
}

/*
 * One driver of slot s, quiet: -t list, the options that say where its peer is (NULL-ended;
 * none on its own loopback), its rows to the slot's CSV and, where the user asked for them, its
 * histograms to the slot's log named hlog. 0, or the failure with why filled from its last words.
 */
static int slot_driver(struct hosts *h, size_t s, const char *list, const char *const peer[],
		       const char *hlog, char *why, size_t n)
{
	char csv[PATH_MAX + 32], log[PATH_MAX + 32], err[PATH_MAX + 32], slot[16];
	char *extra[16];
	int k = 0, rc;

	slot_paths(h, s, "csv", csv, sizeof(csv));
	slot_paths(h, s, hlog, log, sizeof(log));
	slot_paths(h, s, "err", err, sizeof(err));
	snprintf(slot, sizeof(slot), "%zu", s + 1);
	extra[k++] = "-t";
	extra[k++] = (char *)list;
	for (size_t i = 0; peer && peer[i] && i < 4; i++) /* at most two options and values */
		extra[k++] = (char *)peer[i];
	extra[k++] = "--csv";
	extra[k++] = csv;
	if (h->d->o.hdr_log_path) {
		extra[k++] = "--hdr-log";
		extra[k++] = log;
	}
	extra[k++] = "--hosts-slot";
	extra[k++] = slot;
	extra[k++] = "-q";
	extra[k] = NULL;
	rc = driver_run(h, err, extra);
	if (rc == 0)
		return 0;
	last_words(err, why, n);
	if (!why[0])
		snprintf(why, n, "its driver %s %d", rc < 0 ? "could not start:" : "exited",
			 rc < 0 ? -rc : rc);
	return rc < 0 ? rc : -EIO;
}

/* Every host alone: the crossing transports on its own loopback. */
static int pair_loopback(struct hosts *h, size_t s, char *why, size_t n)
{
	return slot_driver(h, s, h->loop_list, NULL, "hlog", why, n);
}

/* The receiving host: a server for the sender, told about through the runtime. */
static int pair_serve(struct hosts *h, const struct pair *p, struct ipcb_err *e)
{
	struct rendezvous r = {0};
	unsigned char token[HOSTS_TOKEN];
	size_t token_len = 0;
	unsigned port = 0;
	pid_t pid = 0;
	int in = -1, rc;
	void *done = NULL;
	size_t done_len;

	if (!address_toward(h, p->to, p->from, r.addr, sizeof(r.addr))) {
		snprintf(r.why, sizeof(r.why), "%s has no address another host can reach",
			 host_name(h, p->to));
	} else if ((rc = ipcb_token_make(token, &token_len)) < 0 || token_len >= HOSTS_TOKEN) {
		snprintf(r.why, sizeof(r.why), "%s: a token: %s", host_name(h, p->to),
			 strerror(rc < 0 ? -rc : E2BIG));
	} else if (ipcb_serve_launch("", h->self, r.addr, token, token_len, &pid, &in, &port, r.why,
				     sizeof(r.why)) == 0) {
		ipcb_rundir_note_pid(h->dir, pid);
		r.ok = 1;
		r.port = (uint16_t)port;
		memcpy(r.token, token, token_len);
	}
	rc = h->ops->send(p->from, &r, sizeof(r), e);
	/* The sender says when its runs are done; the server then stops. */
	if (!rc && r.ok)
		rc = h->ops->recv(p->from, &done, &done_len, e);
	free(done);
	ipcb_serve_launched_stop(&pid, &in);
	return rc;
}

/* The sending host: its driver with the receiving host's server as --peer. */
static int pair_drive(struct hosts *h, size_t s, const struct pair *p, char *why, size_t n,
		      struct ipcb_err *e)
{
	char token[PATH_MAX + 32], peer[INET6_ADDRSTRLEN + 16], launch[400];
	struct rendezvous *r = NULL;
	size_t len = 0;
	int rc, failed = 0;

	rc = h->ops->recv(p->to, (void **)&r, &len, e);
	if (rc)
		return rc;
	if (len != sizeof(*r)) {
		free(r);
		return ipcb_errf(e, -EPROTO, "rendezvous", "%zu bytes from %s", len,
				 host_name(h, p->to));
	}
	r->why[sizeof(r->why) - 1] = '\0';
	r->addr[sizeof(r->addr) - 1] = '\0';
	if (!r->ok) {
		snprintf(why, n, "no server on %s: %.500s", host_name(h, p->to), r->why);
		free(r);
		return -EHOSTUNREACH;
	}
	slot_paths(h, s, "token", token, sizeof(token));
	{
		int fd = open(token, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0 || ipcb_write_whole(fd, r->token, strnlen(r->token, HOSTS_TOKEN)) < 0 ||
		    ipcb_write_whole(fd, "\n", 1) < 0) {
			snprintf(why, n, "%.300s: %s", token, strerror(errno));
			failed = -EIO;
		}
		if (fd >= 0)
			close(fd);
	}
	snprintf(peer, sizeof(peer), "%s%s%s:%u", strchr(r->addr, ':') ? "[" : "", r->addr,
		 strchr(r->addr, ':') ? "]" : "", (unsigned)r->port);
	if (!failed && h->nnet)
		failed =
		    slot_driver(h, s, h->net_list,
				(const char *const[]){"--peer", peer, "--token-file", token, NULL},
				"hlog", why, n);
	/*
	 * A transport with a runtime of its own between the two hosts: a two-rank job of its own,
	 * started through the agent this job's runtime reached the hosts with.
	 */
	if (!failed && h->nrt && h->agent[0]) {
		snprintf(launch, sizeof(launch), "%s %s", h->agent,
			 h->info[p->to].rt_name[0] ? h->info[p->to].rt_name : host_name(h, p->to));
		failed =
		    slot_driver(h, s, h->rt_list,
				(const char *const[]){"--peer", r->addr, "--launch", launch, NULL},
				"rt.hlog", why, n);
	} else if (!failed && h->nrt && h->rank == 0 && s == 1) {
		fprintf(stderr,
			"%s: --hosts: %s left out between hosts: the runtime names no remote agent "
			"to start their own runtime with\n",
			prog, h->rt_list);
	}
	free(r);
	/* Done: the receiver's server may stop. */
	rc = h->ops->send(p->to, "done", 4, e);
	return rc ? rc : failed;
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
			failed = pair_loopback(h, s, why, sizeof(why));
		else if (p->to == h->rank)
			rc = pair_serve(h, p, e);
		else
			failed = pair_drive(h, s, p, why, sizeof(why), e);
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
		slot_paths(h, s, "csv", path, sizeof(path));
		csv = file_text(path, &csv_len);
		slot_paths(h, s, "hlog", path, sizeof(path));
		hlog = file_text(path, &hlog_len);
		slot_paths(h, s, "rt.hlog", path, sizeof(path));
		hlog2 = file_text(path, &hlog2_len);
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
	ssize_t n;

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
	n = readlink("/proc/self/exe", h->self, sizeof(h->self) - 1);
	if (n <= 0)
		return hosts_fail(h, &(struct ipcb_err){-errno, "readlink", "/proc/self/exe"},
				  "finding this ipcbench");
	h->self[n] = '\0';
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
	transports_pick(h);
	if (!h->nnet && !h->nrt) {
		if (h->rank == 0)
			fprintf(stderr,
				"%s: --hosts: none of the requested transports crosses hosts "
				"(--list: network, launch-hosts)\n",
				prog);
		return EXIT_UNSUPPORTED;
	}
	if (pass_make(h, argc, argv) < 0 || env_make(h) < 0 || schedule_make(h) < 0)
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

int ipcb_hosts_main(struct driver *d, int argc, char **argv)
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
