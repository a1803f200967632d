/* SPDX-License-Identifier: MIT */
/*
 * hostpair.c - --hosts: one host's part in a pair (see hosts.c for the job's story): the
 * address it is reached by, the server it starts when it receives, and the drivers it starts
 * with the user's options, the transports that cross hosts and the runtime's environment taken
 * out. Apart from hosts.c, which schedules the pairs and gathers what they measured: this is
 * what a pair does, whatever slot it is in; it calls nothing of hosts.c's (hostpair.h: its
 * steps; hostjob.h: the job's state).
 */
#include "hostpair.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"
#include "child.h"

/* The receiver's answer to a sender, through the runtime. */
struct rendezvous {
	int32_t ok;
	uint16_t port;
	char addr[INET6_ADDRSTRLEN];
	char token[HOSTS_TOKEN];
	char why[HOSTS_ERR];
};

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

/* ---- what the drivers started here are told ----------------------------------------------- */

/* Which transports cross hosts: those reached by address alone, and those of a runtime. */
void ipcb_hosts_transports_pick(struct hosts *h)
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

/* An option of the user's command line, passed on unless --hosts decides it for each driver. */
static int pass_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	static const char *const own[] = {"transport", "hosts",	     "hosts-at-once", "hosts-slot",
					  "csv",       "hdr-log",    "hgrm",	      "json",
					  "peer",      "token-file", "launch",	      "quiet"};
	struct hosts *h = ctx;

	for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
		if (strcmp(row->opt.name, own[k]) == 0)
			return 0;
	if (h->npass + 2 >= HOSTS_ARGS)
		return -E2BIG;
	if (asprintf(&h->pass[h->npass++], "--%s", row->opt.name) < 0)
		return -ENOMEM;
	if (value && !(h->pass[h->npass++] = strdup(value)))
		return -ENOMEM;
	return 0;
}

/* An argument: the driver's parse took them already (transports of --list); none is passed. */
static int pass_arg(void *ctx, const char *arg, char *err, size_t errlen)
{
	return 0;
}

/*
 * The user's options, as given, for the drivers started here, less what --hosts itself decides
 * for each of them: the transports, the outputs (process 0 writes them), the peer, and -q. The
 * command line, parsed before, is walked again through the one parser with nothing stored.
 */
int ipcb_hosts_pass_make(struct hosts *h, int argc, char **argv)
{
	const struct ipcb_cli_hooks hooks = {.arg = pass_arg, .taken = pass_taken, .ctx = h};
	char err[IPCB_ERR_BYTES];

	return ipcb_cli_parse(ipcb_opts_rows(), NULL, argc, argv, &hooks, err, sizeof(err));
}

/* This environment less the runtime's own variables. */
int ipcb_hosts_env_make(struct hosts *h)
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
char *ipcb_hosts_file_text(const char *path, size_t *len)
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
	char *text = ipcb_hosts_file_text(path, &len), *line, *keep[3] = {NULL, NULL, NULL};
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

void ipcb_hosts_slot_paths(const struct hosts *h, size_t s, const char *what, char *out, size_t n)
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

	ipcb_hosts_slot_paths(h, s, "csv", csv, sizeof(csv));
	ipcb_hosts_slot_paths(h, s, hlog, log, sizeof(log));
	ipcb_hosts_slot_paths(h, s, "err", err, sizeof(err));
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
int ipcb_hosts_pair_loopback(struct hosts *h, size_t s, char *why, size_t n)
{
	return slot_driver(h, s, h->loop_list, NULL, "hlog", why, n);
}

/* The receiving host: a server for the sender, told about through the runtime. */
int ipcb_hosts_pair_serve(struct hosts *h, const struct pair *p, struct ipcb_err *e)
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
int ipcb_hosts_pair_drive(struct hosts *h, size_t s, const struct pair *p, char *why, size_t n,
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
	ipcb_hosts_slot_paths(h, s, "token", token, sizeof(token));
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
