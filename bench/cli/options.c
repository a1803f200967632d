/* SPDX-License-Identifier: MIT */
/* options.c - command-line parsing and validation; see options.h. */
#include "options.h"

#include "cliopt.h"
#include "topology.h"

/* A run's timeout must exceed its duration by this much: set-up, warm-up and the end. */
#define IPCB_TIMEOUT_MARGIN_S 1.0

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

__attribute__((format(printf, 3, 4))) static int opt_fail(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void ipcb_opts_init(struct ipcb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->transports_all = true;
	o->sizes[0] = 64;
	o->sizes[1] = 4096;
	o->sizes[2] = 65536;
	o->sizes[3] = 1048576;
	o->nsizes = 4;
	o->latency = o->throughput = true;
	o->inflight[0] = 1;
	o->ninflight = 1;
	o->pairs[0] = 1;
	o->npairs = 1;
	o->slo.pct = 99;
	o->topos[0] = (struct ipcb_topology){1, 1};
	o->ntopos = 1;
	o->duration_s = 0.5;
	o->warmup = IPCB_WARMUP_DEFAULT;
	o->repeat = 1;
	o->seed = IPCB_SEED_DEFAULT;
	o->first_round = 1;
	o->min_messages = 1;
	o->probes = true;
	o->cpus[0] = o->cpus[1] = -1;
	o->wait = IPCB_WAIT_DEFAULT;
	o->spin_polls = 2000;
	o->matrix_pairs = IPCB_MATRIX_PAIRS_DEFAULT;
	o->timeout_s = 60;
	o->dir = NULL;
	o->verify = IPCB_VERIFY_SAMPLED;
	o->server_cpu = -1;
}

int ipcb_parse_topt(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	const char *dot = s ? strchr(s, '.') : NULL, *eq = s ? strchr(s, '=') : NULL;
	const struct ipcb_transport *t;
	char name[64], key[64], why[240];
	unsigned idx;
	uint64_t v;

	if (!s || !dot || !eq || dot > eq || dot == s || eq == dot + 1)
		return opt_fail(err, errlen,
				"-o: '%s' is not NAME.KEY=VALUE (a transport's option, e.g. "
				"zmq-tcp.hwm=100; see --list NAME)",
				s ? s : "");
	if ((size_t)(dot - s) >= sizeof(name) || (size_t)(eq - dot - 1) >= sizeof(key))
		return opt_fail(err, errlen, "-o: '%s': the name or the key is too long", s);
	snprintf(name, sizeof(name), "%.*s", (int)(dot - s), s);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
	t = ipcb_transport_find(name);
	if (!t)
		return opt_fail(err, errlen, "-o %s: unknown transport '%s' (see --list)", s, name);
	if (ipcb_opt_parse(t, key, eq + 1, &idx, &v, why, sizeof(why)) < 0)
		return opt_fail(err, errlen, "-o %s: %s", s, why);
	for (size_t i = 0; i < o->ntopts; i++)
		if (o->topts[i].t == t && o->topts[i].idx == idx)
			return opt_fail(err, errlen, "-o %s: %s.%s is already set by -o %s", s,
					name, key, o->topts[i].arg);
	if (o->ntopts == IPCB_MAX_LIST)
		return opt_fail(err, errlen, "-o: more than %d options", IPCB_MAX_LIST);
	o->topts[o->ntopts++] = (struct ipcb_topt){.t = t, .idx = idx, .val = v, .arg = s};
	return 0;
}

void ipcb_opts_transport(const struct ipcb_opts *o, const struct ipcb_transport *t,
			 uint64_t vals[IPCB_MAX_OPTIONS])
{
	ipcb_opt_defaults(t, vals);
	for (size_t i = 0; i < o->ntopts; i++)
		if (o->topts[i].t == t && o->topts[i].idx < IPCB_MAX_OPTIONS)
			vals[o->topts[i].idx] = o->topts[i].val;
}

int ipcb_parse_size_list(const char *s, size_t *out, size_t max, size_t *n, char *err,
			 size_t errlen)
{
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s)
		return opt_fail(err, errlen, "--size: empty list");
	if (strlen(s) >= sizeof(buf))
		return opt_fail(err, errlen, "--size: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return opt_fail(err, errlen, "--size: '%s' has an empty item", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t v;
		int rc;

		if (count == max)
			return opt_fail(err, errlen, "--size: more than %zu sizes", max);
		rc = ipcb_parse_size(tok, &v, "--size", err, errlen);
		if (rc)
			return rc;
		for (size_t i = 0; i < count; i++)
			if (out[i] == v)
				return opt_fail(err, errlen, "--size: '%s' is listed twice", tok);
		out[count++] = v;
	}
	*n = count;
	return 0;
}

/* CPUs this process may run on (cgroup cpusets and taskset included). */
static int allowed_cpus(cpu_set_t *set)
{
	CPU_ZERO(set);
	return sched_getaffinity(0, sizeof(*set), set) < 0 ? -errno : 0;
}

static void format_cpu_set(const cpu_set_t *set, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && len + 8 < n; c++) {
		int e = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		len += (size_t)snprintf(out + len, n - len, e > c ? "%s%d-%d" : "%s%d",
					len ? "," : "", c, e);
		c = e;
	}
}

int ipcb_parse_cpus(const char *s, int out[2], char *err, size_t errlen)
{
	char allowed_s[256];
	cpu_set_t allowed;
	const char *p = s;
	int v[2];

	if (!s || !*s)
		return opt_fail(err, errlen, "--cpus: empty value; expected A,B (e.g. 0,1)");
	for (int i = 0; i < 2; i++) {
		char *end;
		long x;

		if (!isdigit((unsigned char)*p))
			return opt_fail(err, errlen,
					"--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
		errno = 0;
		x = strtol(p, &end, 10);
		if (errno == ERANGE || x >= CPU_SETSIZE)
			return opt_fail(err, errlen, "--cpus: CPU '%.*s' does not exist",
					(int)(end - p), p);
		v[i] = (int)x;
		p = end;
		if (i == 0 && *p++ != ',')
			return opt_fail(err, errlen,
					"--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)", s);
	}
	if (*p)
		return opt_fail(err, errlen, "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)",
				s);
	if (allowed_cpus(&allowed) == 0) {
		format_cpu_set(&allowed, allowed_s, sizeof(allowed_s));
		for (int i = 0; i < 2; i++)
			if (!CPU_ISSET(v[i], &allowed))
				return opt_fail(err, errlen,
						"--cpus: CPU %d is not available to this process "
						"(allowed: %s)",
						v[i], allowed_s);
	}
	out[0] = v[0];
	out[1] = v[1];
	return 0;
}

/*
 * --cpus A,B with --peer: A is one of this host's CPUs, B one of the peer's, which only the peer
 * can check (the driver does, once it has said which it offers).
 */
static int parse_cpus_two_hosts(const char *s, int out[2], char *err, size_t errlen)
{
	const char *comma = s ? strchr(s, ',') : NULL;
	char here[48];
	int mine[2];
	char *end;
	long b;

	if (!comma || comma - s > 16)
		return ipcb_parse_cpus(s, out, err, errlen);
	snprintf(here, sizeof(here), "%.*s,%.*s", (int)(comma - s), s, (int)(comma - s), s);
	if (ipcb_parse_cpus(here, mine, err, errlen) < 0)
		return -EINVAL;
	errno = 0;
	b = strtol(comma + 1, &end, 10);
	if (!isdigit((unsigned char)comma[1]) || *end || errno == ERANGE || b >= CPU_SETSIZE)
		return opt_fail(err, errlen, "--cpus: '%s' is not two CPU numbers A,B (e.g. 0,1)",
				s);
	out[0] = mine[0];
	out[1] = (int)b;
	return 0;
}

static void transport_names(char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ipcb_transport_count() && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? ", " : "",
					ipcb_transport_at(i)->name);
}

/* A family's -t spelling (see enum ipcb_layer), or -1. */
static int layer_named(const char *s)
{
	for (int l = 0; l < IPCB_LAYERS; l++)
		if (strcmp(s, ipcb_layer_name((enum ipcb_layer)l)) == 0)
			return l;
	return -1;
}

/* Add t to the transports to measure, unless it is there already. */
static int add_transport(struct ipcb_opts *o, const struct ipcb_transport *t, char *err,
			 size_t errlen)
{
	for (size_t i = 0; i < o->ntransports; i++)
		if (o->transports[i] == t)
			return 0;
	if (o->ntransports == IPCB_MAX_LIST)
		return opt_fail(err, errlen, "--transport: too many transports");
	o->transports[o->ntransports++] = t;
	return 0;
}

static int add_module(struct ipcb_opts *o, const char *path, const struct ipcb_transport **named,
		      size_t *nnamed, char *err, size_t errlen)
{
	const struct ipcb_transport *t;
	char why[600];

	if (ipcb_transport_load(path, &t, why, sizeof(why)) < 0)
		return opt_fail(err, errlen, "--transport: %s", why);
	for (size_t i = 0; i < *nnamed; i++)
		if (named[i] == t)
			return opt_fail(err, errlen, "--transport: external:%s is listed twice",
					path);
	if (*nnamed == IPCB_MAX_LIST)
		return opt_fail(err, errlen, "--transport: more than %d transports", IPCB_MAX_LIST);
	named[(*nnamed)++] = t;
	return add_transport(o, t, err, errlen);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* external:PATH: a module, or a directory holding modules (each *.so in it, by name). */
static int add_external(struct ipcb_opts *o, const char *path, const struct ipcb_transport **named,
			size_t *nnamed, char *err, size_t errlen)
{
	struct dirent **list = NULL;
	struct stat st;
	char *file;
	int n, rc = 0, found = 0;

	if (path[0] != '/' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return add_module(o, path, named, nnamed, err, errlen);
	n = scandir(path, &list, NULL, NULL);
	if (n < 0)
		return opt_fail(err, errlen, "--transport: external:%s: scandir: %s", path,
				strerror(errno));
	qsort(list, (size_t)n, sizeof(*list), by_name);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);

		if (!rc && len > 3 && strcmp(list[i]->d_name + len - 3, ".so") == 0) {
			if (asprintf(&file, "%s/%s", path, list[i]->d_name) < 0) {
				rc = opt_fail(err, errlen, "--transport: external:%s: asprintf: %s",
					      path, strerror(ENOMEM));
			} else {
				rc = add_module(o, file, named, nnamed, err, errlen);
				free(file);
			}
			found++;
		}
		free(list[i]);
	}
	free(list);
	if (!rc && !found)
		return opt_fail(err, errlen, "--transport: external:%s: no module (*.so) in it",
				path);
	return rc;
}

int ipcb_parse_transports(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	const struct ipcb_transport *named[IPCB_MAX_LIST];
	char *buf, *save = NULL, *tok;
	size_t nnamed = 0;
	int rc = 0;

	o->ntransports = 0;
	o->transports_all = false;
	if (!s || !*s)
		return opt_fail(err, errlen, "--transport: empty list");
	if (strlen(s) >= 1024)
		return opt_fail(err, errlen, "--transport: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return opt_fail(err, errlen, "--transport: '%s' has an empty item", s);
	if (strcmp(s, "all") == 0) {
		o->transports_all = true;
		return 0;
	}
	/* The copy strtok_r cuts: the heap's, as the stack may be small (ulimit -s). */
	buf = strdup(s);
	if (!buf)
		return opt_fail(err, errlen, "--transport: strdup: %s", strerror(ENOMEM));
	for (tok = strtok_r(buf, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		const struct ipcb_transport *t = ipcb_transport_find(tok);
		int layer = layer_named(tok);

		if (strncmp(tok, "external:", 9) == 0) {
			/* A user's module, or each module in a directory of them. */
			if (add_external(o, tok + 9, named, &nnamed, err, errlen) < 0)
				rc = -EINVAL;
			continue;
		}

		if (layer >= 0) {
			/* A family: each of its transports not already named, in --list order. */
			for (size_t k = 0; k < ipcb_transport_count() && !rc; k++) {
				const struct ipcb_transport *m = ipcb_transport_at(k);

				if ((int)m->layer == layer && !(m->caps & IPCB_CAP_NO_DATA) &&
				    add_transport(o, ipcb_transport_full(m), err, errlen) < 0)
					rc = -EINVAL;
			}
			continue;
		}
		if (!t) {
			char names[1024];

			transport_names(names, sizeof(names));
			rc = opt_fail(err, errlen,
				      "--transport: unknown transport '%s'; valid names: %s, all, "
				      "kernel, middleware, brokers",
				      tok, names);
			continue;
		}
		for (size_t i = 0; i < nnamed && !rc; i++)
			if (named[i] == t)
				rc =
				    opt_fail(err, errlen, "--transport: '%s' is listed twice", tok);
		if (rc)
			continue;
		named[nnamed++] = t;
		/* Named beside its family ("kernel,pipe"): measured once, where it came first. */
		if (add_transport(o, t, err, errlen) < 0)
			rc = -EINVAL;
	}
	free(buf);
	return rc;
}

int ipcb_parse_wait(const char *s, enum ipcb_wait *out, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum ipcb_wait w;
	} waits[] = {{"spin", IPCB_WAIT_SPIN},
		     {"yield", IPCB_WAIT_YIELD},
		     {"block", IPCB_WAIT_BLOCK},
		     {"hybrid", IPCB_WAIT_HYBRID}};

	for (size_t i = 0; s && i < sizeof(waits) / sizeof(waits[0]); i++)
		if (strcmp(s, waits[i].name) == 0) {
			*out = waits[i].w;
			return 0;
		}
	return opt_fail(err, errlen,
			"--wait: unknown strategy '%s'; valid: spin, yield, block, hybrid",
			s ? s : "");
}

static const char *const placement_names[IPCB_PLACES] = {
    "cross-core", "same-core", "unpinned", "smt", "llc", "node", "remote-node", "matrix"};

void ipcb_opts_fini(struct ipcb_opts *o)
{
	free(o->cpu_list);
	o->cpu_list = NULL;
	o->ncpu_list = 0;
}

bool ipcb_opts_topology_placed(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->nplacements; i++)
		if (o->placements[i] >= IPCB_PLACE_SMT && o->placements[i] <= IPCB_PLACE_MATRIX)
			return true;
	return false;
}

const char *ipcb_placement_name(enum ipcb_placement p)
{
	if (p == IPCB_PLACE_TWO_HOST)
		return "two-host";
	return p < IPCB_PLACES ? placement_names[p] : "?";
}

int ipcb_parse_placements(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;

	o->nplacements = 0;
	if (!s || !*s)
		return opt_fail(err, errlen, "--placement: empty list");
	if (strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return opt_fail(err, errlen, "--placement: '%s' has an empty item", s);
	/* all: the three every machine has; the topology's are asked for by name. */
	if (strcmp(s, "all") == 0) {
		for (int p = 0; p <= IPCB_PLACE_UNPINNED; p++)
			o->placements[o->nplacements++] = (enum ipcb_placement)p;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int found = -1;

		for (int p = 0; p < IPCB_PLACES; p++)
			if (strcmp(tok, placement_names[p]) == 0)
				found = p;
		if (found < 0)
			return opt_fail(
			    err, errlen,
			    "--placement: unknown placement '%s'; valid: cross-core, "
			    "same-core, unpinned, smt, llc, node, remote-node, matrix, all",
			    tok);
		for (size_t i = 0; i < o->nplacements; i++)
			if (o->placements[i] == (enum ipcb_placement)found)
				return opt_fail(err, errlen, "--placement: '%s' is listed twice",
						tok);
		o->placements[o->nplacements++] = (enum ipcb_placement)found;
	}
	return 0;
}

/* --mode: one of latency, throughput, both (the two), bistream, or a comma list of them. */
static int parse_mode(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	char buf[128], *save = NULL, *tok;

	if (!s || !*s || strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,"))
		return opt_fail(err, errlen, "--mode: '%s' is not a list of modes", s ? s : "");
	o->latency = o->throughput = o->bistream = false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "latency") == 0)
			o->latency = true;
		else if (strcmp(tok, "throughput") == 0)
			o->throughput = true;
		else if (strcmp(tok, "both") == 0)
			o->latency = o->throughput = true;
		else if (strcmp(tok, "bistream") == 0)
			o->bistream = true;
		else
			return opt_fail(
			    err, errlen,
			    "--mode: unknown mode '%s'; valid: latency, throughput, both, "
			    "bistream, or a comma list of them",
			    tok);
	}
	return 0;
}

/* A comma list of whole numbers in [min, max], none twice: --inflight, --pairs. */
static int parse_uint_list(const char *s, unsigned min, unsigned max, unsigned *out, size_t *n,
			   const char *what, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,"))
		return opt_fail(err, errlen, "%s: '%s' is not a list of whole numbers", what,
				s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		int rc = ipcb_parse_u64(tok, min, max, &v, what, err, errlen);

		if (rc)
			return rc;
		if (count == IPCB_MAX_LIST)
			return opt_fail(err, errlen, "%s: more than %d values", what,
					IPCB_MAX_LIST);
		for (size_t i = 0; i < count; i++)
			if (out[i] == v)
				return opt_fail(err, errlen, "%s: '%s' is listed twice", what, tok);
		out[count++] = (unsigned)v;
	}
	*n = count;
	return 0;
}

/* --rate: a comma list of messages per second, plain decimals above 0. */
static int parse_rates(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,"))
		return opt_fail(err, errlen, "--rate: '%s' is not a list of rates", s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		char *end;

		if (!isdigit((unsigned char)tok[0]))
			return opt_fail(err, errlen,
					"--rate: '%s' is not a number of messages per second", tok);
		v = strtod(tok, &end);
		if (*end || !isfinite(v) || v <= 0 || v > 1e9 || strpbrk(tok, "xXeEpP"))
			return opt_fail(err, errlen,
					"--rate: '%s' is not a number of messages per second, as a "
					"plain decimal above 0 and at most 1000000000",
					tok);
		if (count == IPCB_MAX_LIST)
			return opt_fail(err, errlen, "--rate: more than %d rates", IPCB_MAX_LIST);
		o->rates[count++] = v;
	}
	o->nrates = count;
	return 0;
}

/* One --topology item, S:R: one sender and N receivers (fan-out), N senders and one (fan-in). */
static int parse_topology(const char *s, struct ipcb_topology *out, char *err, size_t errlen)
{
	unsigned long a, b;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return opt_fail(err, errlen, "--topology: '%s' is not S:R (1:1, 1:N or N:1)",
				s ? s : "");
	a = strtoul(s, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return opt_fail(err, errlen, "--topology: '%s' is not S:R (1:1, 1:N or N:1)", s);
	b = strtoul(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > 64 || b > 64)
		return opt_fail(err, errlen,
				"--topology: '%s': senders and receivers are 1 to 64 each", s);
	if (a > 1 && b > 1)
		return opt_fail(err, errlen,
				"--topology: '%s': one side must be 1 (1:N fan-out or N:1 fan-in)",
				s);
	out->senders = (unsigned)a;
	out->receivers = (unsigned)b;
	return 0;
}

/* --topology S:R,S:R,...: a list swept like --size, each item once. */
int ipcb_parse_topologies(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s)
		return opt_fail(err, errlen, "--topology: empty list");
	if (strlen(s) >= sizeof(buf))
		return opt_fail(err, errlen, "--topology: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return opt_fail(err, errlen, "--topology: '%s' has an empty item", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct ipcb_topology t;
		int rc = parse_topology(tok, &t, err, errlen);

		if (rc)
			return rc;
		for (size_t i = 0; i < count; i++)
			if (o->topos[i].senders == t.senders &&
			    o->topos[i].receivers == t.receivers)
				return opt_fail(err, errlen, "--topology: %s is listed twice", tok);
		if (count == IPCB_MAX_LIST)
			return opt_fail(err, errlen, "--topology: more than %d topologies",
					IPCB_MAX_LIST);
		o->topos[count++] = t;
	}
	o->ntopos = count;
	return 0;
}

bool ipcb_opts_shared(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->ntopos; i++)
		if (o->topos[i].senders > 1 || o->topos[i].receivers > 1)
			return true;
	return false;
}

/* The first --topology item that shares its channel (the one messages name), or the first. */
static const struct ipcb_topology *topo_shared(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->ntopos; i++)
		if (o->topos[i].senders > 1 || o->topos[i].receivers > 1)
			return &o->topos[i];
	return &o->topos[0];
}

/* --deliver one|all: each message to one receiver (a work queue), or to every one. */
int ipcb_parse_deliver(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	if (s && strcmp(s, "one") == 0)
		o->deliver_all = false;
	else if (s && strcmp(s, "all") == 0)
		o->deliver_all = true;
	else
		return opt_fail(err, errlen,
				"--deliver: unknown '%s'; valid: one (each message to one "
				"receiver), all (every receiver gets every message)",
				s ? s : "");
	return 0;
}

/* --server-cpu N: a CPU this process may use. */
static int parse_server_cpu(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	cpu_set_t allowed;
	uint64_t v;
	int rc = ipcb_parse_u64(s, 0, CPU_SETSIZE - 1, &v, "--server-cpu", err, errlen);

	if (rc)
		return rc;
	if (allowed_cpus(&allowed) == 0 && !CPU_ISSET((int)v, &allowed))
		return opt_fail(err, errlen,
				"--server-cpu: CPU %llu is not available to this process",
				(unsigned long long)v);
	o->server_cpu = (int)v;
	return 0;
}

static const char *const inject_names[] = {
    "none", "corrupt", "drop", "dup", "crash", "hang", "corrupt-stamp", "corrupt-unsampled"};

static int parse_inject(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	for (size_t i = 0; s && i < sizeof(inject_names) / sizeof(inject_names[0]); i++)
		if (strcmp(s, inject_names[i]) == 0) {
			o->inject = (enum ipcb_inject)i;
			return 0;
		}
	return opt_fail(err, errlen,
			"--inject: unknown fault '%s'; valid: corrupt, corrupt-stamp, "
			"corrupt-unsampled, drop, dup, crash, hang",
			s ? s : "");
}

static int parse_verify(const char *s, struct ipcb_opts *o, char *err, size_t errlen)
{
	static const enum ipcb_verify levels[] = {IPCB_VERIFY_HEADERS, IPCB_VERIFY_SAMPLED,
						  IPCB_VERIFY_FULL};

	for (size_t i = 0; s && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, ipcb_verify_name(levels[i])) == 0) {
			o->verify = levels[i];
			return 0;
		}
	return opt_fail(err, errlen, "--verify: unknown level '%s'; valid: headers, sampled, full",
			s ? s : "");
}

void ipcb_opts_usage(FILE *f, const char *prog)
{
	fprintf(
	    f,
	    "Usage: %s [OPTIONS]\n"
	    "       %s compare BASE.csv NEW.csv [OPTIONS]   CI gate (see compare --help)\n"
	    "       %s report CSV [-o FILE.md | --html FILE.html]   the IPC guides' tables\n"
	    "       %s serve --listen ADDR:PORT [...]       the peer of --peer (see serve --help)\n"
	    "       %s history DB [OPTIONS]        a results history (see history --help)\n"
	    "Measure inter-process communication on this machine: a sender and a receiver\n"
	    "process, pinned to CPUs, move verified payloads over each transport.\n"
	    "\n"
	    "What to run:\n"
	    "  -t, --transport LIST   transports, comma-separated, or 'all' (default all;\n"
	    "                         see --list); a family names each of its own: kernel,\n"
	    "                         middleware (libraries over them), brokers;\n"
	    "                         external:/PATH.so a user's module built against\n"
	    "                         <ipcbench/transport.h> (external:/DIR: each *.so in it)\n"
	    "  -s, --size LIST        payload sizes: bytes or K, M, G (powers of 1024)\n"
	    "                         (default 64,4K,64K,1M; at most 1G)\n"
	    "  -m, --mode LIST        latency (requests and their replies, round trips),\n"
	    "                         throughput (one-way stream timed at the receiver),\n"
	    "                         bistream (streams both ways at once: each direction's\n"
	    "                         and the total bytes/s), both (latency and throughput),\n"
	    "                         or a comma list (default both)\n"
	    "  -n, --messages N       measured messages per run (default: the duration decides)\n"
	    "  -d, --duration SECONDS measured time per run (default 0.5; 0 = only -n counts)\n"
	    "      --min-messages N   a run goes on past its duration until it has measured N\n"
	    "                         messages (default 1), so that slow large messages are\n"
	    "                         not judged on a handful; -n still ends it first\n"
	    "  -w, --warmup N         unrecorded messages before measuring (default 100, or\n"
	    "                         for large payloads as many as carry 8 MiB, at least 8)\n"
	    "  -r, --repeat R         rounds (default 1): a round runs every point of the plan\n"
	    "                         (transport x size x mode x placement x shape) once, in\n"
	    "                         an order shuffled anew each round; each run is a row\n"
	    "                         that says its round\n"
	    "      --seed N           the seed of the rounds' shuffled order "
	    "(default " IPCB_SEED_TEXT "; the\n"
	    "                         same seed, the same order; every row says its seed)\n"
	    "      --first-round N    number the rounds from N (default 1), for a script that\n"
	    "                         runs one round per invocation\n"
	    "      --tune             each transport also runs with each setting a user of it\n"
	    "                         would tune (its options' --tune values, --list NAME), one\n"
	    "                         option away from the default at a time; rows say which in\n"
	    "                         their tuning column, and the end of the run names the\n"
	    "                         best setting beside the default\n"
	    "      --no-probes        do not probe the machine's state beside the rows (a\n"
	    "                         cache-line round trip between the CPUs before and after\n"
	    "                         every run, a blocking wake-up once a second)\n"
	    "      --floor            also measure the machine's floors: the harness (null),\n"
	    "                         cache-line and futex round trips between the two CPUs,\n"
	    "                         and memcpy bandwidth per size\n"
	    "      --controls         measure only floor-cacheline and floor-memcpy (each size),\n"
	    "                         one run each per repeat: the control rows of\n"
	    "                         scripts/ab-gate, which no transport code can move\n"
	    "\n"
	    "Load shapes (each a list is swept like --size):\n"
	    "      --inflight LIST    latency mode: requests kept outstanding, each reply's\n"
	    "                         round trip a sample (default 1: ping-pong; 1 to 65536)\n"
	    "      --pairs LIST       independent sender/receiver pairs at once, a channel\n"
	    "                         each; rows give the total rate and the slowest and\n"
	    "                         fastest pair's; pairs share the CPUs, and rows say how\n"
	    "                         many sides take turns on one (1 to 64)\n"
	    "      --topology LIST    S:R, one channel shared by S senders and R receivers:\n"
	    "                         1:N fan-out, N:1 fan-in, -m throughput, for transports\n"
	    "                         that take several (see --list: multi-sender,\n"
	    "                         multi-receiver); every message is checked where it\n"
	    "                         arrives, losses are counted (default 1:1)\n"
	    "      --deliver one|all  1:N: each message goes to one receiver, the receivers\n"
	    "                         competing (one, the default: a work queue), or every\n"
	    "                         receiver gets every message (all: publish-subscribe,\n"
	    "                         -m throughput, for transports that broadcast, see\n"
	    "                         --list: broadcast; 1:1 too, through the same\n"
	    "                         mechanism); rows add the deliveries per second, the\n"
	    "                         one-way delays to every receiver, to the slowest one\n"
	    "                         and to the last one, and each receiver's losses\n"
	    "      --rate LIST        open loop: messages per second, all senders together,\n"
	    "                         sent on schedule whatever the replies do; latencies\n"
	    "                         count from each message's intended send time, so time\n"
	    "                         queued behind a stall counts; rows add offered and\n"
	    "                         achieved rates, late sends, losses and a send_lag row\n"
	    "                         (each send's start against its intended time); with\n"
	    "                         latency mode (replies) or throughput (one-way delays)\n"
	    "      --arrivals KIND    open-loop spacing: fixed (1/rate) or poisson (exponential\n"
	    "                         gaps of that mean) (default fixed)\n"
	    "      --rate-sweep       latency against load: measure the closed-loop maximum\n"
	    "                         (latency mode: with 64 requests in flight), then offer\n"
	    "                         10%%, 20%%, ... of it until the achieved rate falls below\n"
	    "                         95%% of the offered one; a line under the rows gives the\n"
	    "                         highest rate up to which the --slo bound held\n"
	    "      --slo pP=LATENCY   the bound --rate-sweep looks for, e.g. p99=20us, p99.9=1ms\n"
	    "                         (default p99 of 20us cross-core, 50us same-core, 100us\n"
	    "                         unpinned: about what a blocking wake-up costs there,\n"
	    "                         with room for a tail)\n"
	    "\n"
	    "Where and how:\n"
	    "  -c, --cpus A,B         sender and receiver CPUs; 0,0 puts both on one CPU\n"
	    "                         (default: the first two CPUs this process may use);\n"
	    "                         with smt, llc, node, remote-node or matrix, a CPU list\n"
	    "                         (0-7,16) they choose their pairs from\n"
	    "      --placement LIST   cross-core (A,B), same-core (A,A), unpinned, all (those\n"
	    "                         three); smt, llc, node, remote-node: a pair of each kind\n"
	    "                         the machine's topology has (two threads of one core, two\n"
	    "                         cores sharing the last-level cache, one NUMA node without\n"
	    "                         a shared cache, two nodes; it says which it lacks);\n"
	    "                         matrix: every ordered pair of CPUs. Each is a separate set\n"
	    "                         of rows, each saying what its two CPUs share\n"
	    "                         (default: cross-core, or what --cpus says)\n"
	    "      --matrix-pairs N   the matrix's pairs at most: beyond, a sample of every\n"
	    "                         kind of pair, the same each time (default 64)\n"
	    "      --wait STRATEGY    how a shared-memory reader waits: spin, yield (poll with\n"
	    "                         sched_yield), block (futex) or hybrid (spin, then block;\n"
	    "                         with both sides on one CPU it does not spin); default\n"
	    "                         hybrid\n"
	    "      --spin-polls N     hybrid: polls before sleeping (default 2000)\n"
	    "      --dir DIR          where a run that makes paths (FIFOs, files) makes its own\n"
	    "                         directory, <tag>.d, removed whole at its end: the file\n"
	    "                         and mmap transports write on its file system (default\n"
	    "                         $TMPDIR or /tmp)\n"
	    "      --fsync            file-backed transports force every message to disk\n"
	    "      --work-ns N        busy work per message on each side, in ns: IPC under\n"
	    "                         application load (default 0)\n"
	    "      --receiver-work-ns N  more busy work per message on the receiving side only\n"
	    "                         (a stream's receiver, a round trip's echo), in ns: a\n"
	    "                         slow consumer; with --rate, a stream's send_call row says\n"
	    "                         how long each send call took: whether the sender went on\n"
	    "                         at once or waited for it (default 0)\n"
	    "      --timeout SECONDS  longest a single run may take before it is stopped and\n"
	    "                         reported as failed (default 60; more than the duration\n"
	    "                         plus 1 s)\n"
	    "  -o, --option NAME.KEY=VALUE\n"
	    "                         a transport's own option (e.g. zmq-tcp.hwm=100), once\n"
	    "                         per key; --list NAME shows a transport's options, and\n"
	    "                         every row records their values (column options)\n"
	    "      --server-cpu N     the CPU a transport's server process (a bus daemon) is\n"
	    "                         pinned to (default: the receiver's CPU of each row)\n"
	    "      --verify LEVEL     how much of each message is checked: headers (the\n"
	    "                         sequence stamps at the start, the end and every 4 KiB,\n"
	    "                         and the send time), sampled (also every byte of every\n"
	    "                         64th message and of every message up to 64 B; the\n"
	    "                         default) or full (every byte of every message)\n"
	    "\n"
	    "Two hosts (the receiver on another host, under `ipcbench serve`):\n"
	    "      --peer HOST:PORT   run each network transport's receiver on the peer that\n"
	    "                         `ipcbench serve --listen HOST:PORT` runs there; rows\n"
	    "                         say two-host, both machines and the network path\n"
	    "      --token-file FILE  the token the server holds (its first line; a file only\n"
	    "                         you may read)\n"
	    "      --launch PREFIX    start the server for this invocation through a command\n"
	    "                         prefix that runs a command on the peer ('ssh HOST',\n"
	    "                         'ip netns exec NS'; --peer HOST then needs no port),\n"
	    "                         with a new token, and stop it at the end\n"
	    "      --peer-ipcbench PATH  the ipcbench --launch starts there (default: the\n"
	    "                         path of this one)\n"
	    "                         --cpus A,B puts the sender on CPU A here and the\n"
	    "                         receiver on CPU B there (default: the first CPU here,\n"
	    "                         the peer's second)\n"
	    "\n"
	    "Output:\n"
	    "      --csv FILE         append rows to FILE (header written when FILE is new or\n"
	    "                         empty; an existing file must have the same header; each\n"
	    "                         row is written whole under a lock, a torn last line is\n"
	    "                         cut off with a warning)\n"
	    "      --hdr-log FILE     write every row's histogram to FILE in the HdrHistogram\n"
	    "                         log format (readable by HistogramLogProcessor); an\n"
	    "                         existing FILE is replaced once the first one is logged\n"
	    "      --hgrm DIR         write each row's percentile distribution to DIR/*.hgrm;\n"
	    "                         DIR is created, or is your own, not writable by every\n"
	    "                         user and without .hgrm files\n"
	    "      --json FILE        write the run to FILE in Google Benchmark's JSON format\n"
	    "                         (github-action-benchmark, Bencher): the machine in its\n"
	    "                         context, a benchmark per row named\n"
	    "                         transport/mode/size/placement[/options][/shape]\n"
	    "                         [/kind]; written at the end of the run, replacing\n"
	    "                         FILE once a row is in it\n"
	    "                         Outputs are never written through symbolic links, and\n"
	    "                         one file may not be named for two of them.\n"
	    "      --db FILE          also store each row, as it is measured, in the results\n"
	    "                         history FILE (SQLite, made when missing), in a run with\n"
	    "                         the machine fingerprint, build, commit and command line\n"
	    "                         (ipcbench history FILE; compare and report --db)\n"
	    "      --commit REV       the git commit of --db's run (default: HEAD of the\n"
	    "                         working directory's repository, if it is in one)\n"
	    "      --wide             every column of the table, even where the terminal is\n"
	    "                         narrower (a pipe or a file always gets every column)\n"
	    "  -q, --quiet            no progress lines on stderr\n"
	    "  -l, --list [NAME...]   list transports: summary, capabilities, largest single\n"
	    "                         message, and whether each can run here; with names,\n"
	    "                         each in full: its options, library, server, launcher\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          version\n"
	    "\n"
	    "Housekeeping:\n"
	    "      --cleanup          remove what ipcbench runs that no longer exist left behind\n"
	    "                         (after a driver was killed with SIGKILL): the names it\n"
	    "                         makes, ipcbench-<pid>-<16 hex digits> (and their\n"
	    "                         suffixes; a run's directory <tag>.d whole), of your own,\n"
	    "                         of pids no longer running, in /dev/shm, /dev/mqueue,\n"
	    "                         $TMPDIR and --dir, and the System V objects their\n"
	    "                         registries list; lists each removal;\n"
	    "                         never touches running ipcbench runs or other programs;\n"
	    "                         takes only --dir and --dry-run\n"
	    "      --dry-run          with --cleanup: list what would be removed, remove nothing;\n"
	    "                         without: print the plan (each placement's CPUs and what\n"
	    "                         they share, the transports, the runs) and run nothing\n"
	    "\n"
	    "Testing the tool itself:\n"
	    "      --inject FAULT     make a run misbehave to prove verification catches it:\n"
	    "                         corrupt (a payload byte of message 64: caught by\n"
	    "                         --verify sampled and full), corrupt-unsampled (of\n"
	    "                         message 65: only full), corrupt-stamp (message 5's send\n"
	    "                         time: every level), drop, dup (every level), crash, hang\n"
	    "                         (message 5); messages are counted with the warm-up; not\n"
	    "                         for transports that move nothing\n"
	    "\n"
	    "Exit status: 0 ok, 1 a run failed or an output (table, CSV, log) could not be\n"
	    "written, 2 usage error, 77 no requested transport can run here, 128+N stopped\n"
	    "by signal N.\n"
	    "\n"
	    "Example: %s --transport shm --size 1M\n",
	    prog, prog, prog, prog, prog, prog);
}

enum {
	OPT_WAIT = 256,
	OPT_CSV,
	OPT_DIR,
	OPT_FSYNC,
	OPT_FLOOR,
	OPT_CONTROLS,
	OPT_TIMEOUT,
	OPT_INJECT,
	OPT_SPIN_POLLS,
	OPT_PLACEMENT,
	OPT_HDR_LOG,
	OPT_HGRM,
	OPT_WORK_NS,
	OPT_RECV_WORK_NS,
	OPT_CLEANUP,
	OPT_DRY_RUN,
	OPT_VERIFY,
	OPT_INFLIGHT,
	OPT_PAIRS,
	OPT_RATE,
	OPT_ARRIVALS,
	OPT_RATE_SWEEP,
	OPT_SLO,
	OPT_TOPOLOGY,
	OPT_SERVER_CPU,
	OPT_WIDE,
	OPT_JSON,
	OPT_PEER,
	OPT_TOKEN_FILE,
	OPT_LAUNCH,
	OPT_PEER_IPCBENCH,
	OPT_SEED,
	OPT_FIRST_ROUND,
	OPT_NO_PROBES,
	OPT_TUNE,
	OPT_MIN_MESSAGES,
	OPT_MATRIX_PAIRS,
	OPT_DB,
	OPT_COMMIT,
	OPT_DELIVER,
};

/* Every option of the driver: its long name, its letter, whether it takes a value. */
static const struct ipcb_cliopt driver_opts[] = {
    {"transport", 't', true, 't'},
    {"size", 's', true, 's'},
    {"mode", 'm', true, 'm'},
    {"messages", 'n', true, 'n'},
    {"duration", 'd', true, 'd'},
    {"warmup", 'w', true, 'w'},
    {"repeat", 'r', true, 'r'},
    {"cpus", 'c', true, 'c'},
    {"wait", 0, true, OPT_WAIT},
    {"spin-polls", 0, true, OPT_SPIN_POLLS},
    {"placement", 0, true, OPT_PLACEMENT},
    {"hdr-log", 0, true, OPT_HDR_LOG},
    {"hgrm", 0, true, OPT_HGRM},
    {"work-ns", 0, true, OPT_WORK_NS},
    {"receiver-work-ns", 0, true, OPT_RECV_WORK_NS},
    {"csv", 0, true, OPT_CSV},
    {"dir", 0, true, OPT_DIR},
    {"fsync", 0, false, OPT_FSYNC},
    {"floor", 0, false, OPT_FLOOR},
    {"controls", 0, false, OPT_CONTROLS},
    {"timeout", 0, true, OPT_TIMEOUT},
    {"inject", 0, true, OPT_INJECT},
    {"cleanup", 0, false, OPT_CLEANUP},
    {"dry-run", 0, false, OPT_DRY_RUN},
    {"verify", 0, true, OPT_VERIFY},
    {"inflight", 0, true, OPT_INFLIGHT},
    {"pairs", 0, true, OPT_PAIRS},
    {"rate", 0, true, OPT_RATE},
    {"arrivals", 0, true, OPT_ARRIVALS},
    {"rate-sweep", 0, false, OPT_RATE_SWEEP},
    {"slo", 0, true, OPT_SLO},
    {"topology", 0, true, OPT_TOPOLOGY},
    {"deliver", 0, true, OPT_DELIVER},
    {"option", 'o', true, 'o'},
    {"server-cpu", 0, true, OPT_SERVER_CPU},
    {"wide", 0, false, OPT_WIDE},
    {"json", 0, true, OPT_JSON},
    {"peer", 0, true, OPT_PEER},
    {"token-file", 0, true, OPT_TOKEN_FILE},
    {"launch", 0, true, OPT_LAUNCH},
    {"peer-ipcbench", 0, true, OPT_PEER_IPCBENCH},
    {"seed", 0, true, OPT_SEED},
    {"first-round", 0, true, OPT_FIRST_ROUND},
    {"no-probes", 0, false, OPT_NO_PROBES},
    {"tune", 0, false, OPT_TUNE},
    {"min-messages", 0, true, OPT_MIN_MESSAGES},
    {"matrix-pairs", 0, true, OPT_MATRIX_PAIRS},
    {"db", 0, true, OPT_DB},
    {"commit", 0, true, OPT_COMMIT},
    {"list", 'l', false, 'l'},
    {"quiet", 'q', false, 'q'},
    {"help", 'h', false, 'h'},
    {"version", 'V', false, 'V'},
    {NULL, 0, false, 0},
};

/*
 * Can the fault happen? Not in a transport that moves nothing (there is no data to damage and
 * nothing is checked), and not when runs end before the message it is made at.
 */
uint64_t ipcb_opts_warmup(const struct ipcb_opts *o, size_t size)
{
	uint64_t n = size ? IPCB_WARMUP_BYTES / size : IPCB_WARMUP_DEFAULT;

	if (o->warmup_given)
		return o->warmup;
	if (n < IPCB_WARMUP_MIN)
		n = IPCB_WARMUP_MIN;
	return n < o->warmup ? n : o->warmup;
}

static int inject_check(const struct ipcb_opts *o, char *err, size_t errlen)
{
	const char *name = inject_names[o->inject];
	uint64_t at = ipcb_inject_message(o->inject);
	bool data = o->transports_all;

	if (o->inject == IPCB_INJECT_NONE)
		return 0;
	for (size_t i = 0; i < o->ntransports; i++)
		data |= !(o->transports[i]->caps & IPCB_CAP_NO_DATA);
	if (!data)
		return opt_fail(err, errlen,
				"--inject %s: %s move%s no data, so there is nothing to inject a "
				"fault into (name a transport that moves data; see --list)",
				name,
				o->ntransports == 1 ? o->transports[0]->name : "these transports",
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
		return opt_fail(
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
		return opt_fail(err, errlen,
				"--deliver all: publish-subscribe streams one way, from one sender "
				"to every receiver: use -m throughput");
	for (size_t i = 0; i < o->ntopos; i++)
		if (o->topos[i].senders > 1)
			return opt_fail(err, errlen,
					"--deliver all: one sender publishes to every receiver, "
					"and --topology %u:%u has %u senders (use 1:N)",
					o->topos[i].senders, o->topos[i].receivers,
					o->topos[i].senders);
	if (o->npairs > 1 || o->pairs[0] > 1)
		return opt_fail(err, errlen,
				"--deliver all and --pairs: one channel with every receiver on it, "
				"or several pairs, not both");
	if (o->nrates || o->rate_sweep)
		return opt_fail(err, errlen,
				"--deliver all: the publisher streams as fast as its receivers "
				"take the messages (a closed loop): not with --rate or "
				"--rate-sweep");
	for (size_t i = 0; i < o->nsizes; i++)
		if (o->sizes[i] < 16)
			return opt_fail(
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
		return opt_fail(err, errlen,
				"--inflight: requests in flight are a latency-mode shape: add -m "
				"latency");
	if (window && (o->nrates || o->rate_sweep))
		return opt_fail(
		    err, errlen,
		    "--inflight with an open loop: a rate keeps as many requests in flight "
		    "as it needs; give --inflight or --rate, not both");
	if (o->nrates && o->rate_sweep)
		return opt_fail(
		    err, errlen,
		    "--rate and --rate-sweep: give rates, or let the sweep choose them, "
		    "not both");
	if ((o->nrates || o->rate_sweep) && !o->latency && !o->throughput)
		return opt_fail(err, errlen,
				"--rate: an open loop is a latency or throughput mode shape, not a "
				"bistream's");
	if (arrivals_given && !o->nrates && !o->rate_sweep)
		return opt_fail(err, errlen,
				"--arrivals spaces open-loop sends: it needs --rate "
				"or --rate-sweep");
	if (o->slo.ns > 0 && !o->rate_sweep)
		return opt_fail(err, errlen, "--slo is what --rate-sweep looks for: it needs it");
	/*
	 * A side that sends and receives at once runs two threads on its one CPU: a spinning
	 * wait in one would keep the other from running.
	 */
	if (o->wait == IPCB_WAIT_SPIN &&
	    (o->bistream || (o->latency && (window || o->nrates || o->rate_sweep))))
		return opt_fail(
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
			return opt_fail(
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
		return opt_fail(
		    err, errlen,
		    "--topology %u:%u: several senders or receivers on one channel stream "
		    "one way: use -m throughput",
		    topo->senders, topo->receivers);
	for (size_t i = 0; shared && i < o->nsizes; i++)
		if (o->sizes[i] < 16)
			return opt_fail(
			    err, errlen,
			    "--topology %u:%u: --size %zu is too small: a message must "
			    "carry its sender's number and sequence number (16 bytes or "
			    "more)",
			    topo->senders, topo->receivers, o->sizes[i]);
	if (shared && (o->npairs > 1 || o->pairs[0] > 1))
		return opt_fail(
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
			return opt_fail(err, errlen, "%s goes with --peer HOST:PORT",
					o->token_file ? "--token-file"
					: o->launch   ? "--launch"
						      : "--peer-ipcbench");
		return 0;
	}
	if (o->peer_binary && !o->launch)
		return opt_fail(err, errlen,
				"--peer-ipcbench names the ipcbench --launch starts: it needs "
				"--launch");
	if (o->nplacements)
		return opt_fail(err, errlen,
				"--placement: with --peer the sender runs here and the receiver on "
				"the peer (placement two-host); choose their CPUs with --cpus A,B");
	if (o->floor || o->controls)
		return opt_fail(err, errlen,
				"--floor and --controls measure this host alone, not with --peer");
	if (o->npairs > 1 || o->pairs[0] > 1 || ipcb_opts_shared(o) || o->deliver_all)
		return opt_fail(err, errlen,
				"--pairs, --topology and --deliver all: with --peer, one sender "
				"here and one receiver on the peer");
	if (o->server_cpu >= 0)
		return opt_fail(err, errlen,
				"--server-cpu: with --peer only network transports run, and none "
				"has a server process");
	if (o->recv_work_ns)
		return opt_fail(err, errlen,
				"--receiver-work-ns: not with --peer (the peer's side is told "
				"--work-ns only)");
	return 0;
}

/* The arguments: with --list, the transports to describe in full; else none is expected. */
static int take_args(struct ipcb_opts *o, const char **args, size_t nargs, char *err, size_t errlen)
{
	for (size_t k = 0; o->list && k < nargs; k++) {
		const struct ipcb_transport *t = ipcb_transport_find(args[k]);
		char names[1024], why[600];

		if (strncmp(args[k], "external:", 9) == 0 &&
		    ipcb_transport_load(args[k] + 9, &t, why, sizeof(why)) < 0)
			return opt_fail(err, errlen, "--list: %s", why);
		if (!t) {
			transport_names(names, sizeof(names));
			return opt_fail(err, errlen,
					"--list: unknown transport '%s'; valid names: %s", args[k],
					names);
		}
		if (o->nlist_only == IPCB_MAX_LIST)
			return opt_fail(err, errlen, "--list: too many transports");
		o->list_only[o->nlist_only++] = t;
	}
	if (!o->list && nargs)
		return opt_fail(err, errlen, "unexpected argument '%s'", args[0]);
	return 0;
}

/* What the command line said beyond the options' own values, for the checks of the whole. */
struct parse_state {
	char run_opt[64]; /* the first option given that only a run takes */
	bool arrivals_given;
	bool timeout_given;
};

/* Take one option (c, its argument oarg, as typed) into o. 0 or -EINVAL with err filled. */
static int opt_apply(struct ipcb_opts *o, int c, const char *oarg, const char *typed,
		     struct parse_state *st, char *err, size_t errlen)
{
	uint64_t u = 0; /* a failed parse leaves it 0: what it sets is never read then */
	int rc = 0;

	switch (c) {
	case 't':
		rc = ipcb_parse_transports(oarg, o, err, errlen);
		break;
	case 's':
		rc = ipcb_parse_size_list(oarg, o->sizes, IPCB_MAX_LIST, &o->nsizes, err, errlen);
		break;
	case 'm':
		rc = parse_mode(oarg, o, err, errlen);
		break;
	case 'n':
		rc = ipcb_parse_u64(oarg, 1, 1000000000000ull, &o->messages, "--messages", err,
				    errlen);
		break;
	case 'd':
		rc = ipcb_parse_seconds(oarg, 0, 86400, &o->duration_s, "--duration", err, errlen);
		break;
	case 'w':
		rc = ipcb_parse_u64(oarg, 0, 1000000000ull, &o->warmup, "--warmup", err, errlen);
		o->warmup_given = true;
		break;
	case 'r':
		rc = ipcb_parse_u64(oarg, 1, 100000, &u, "--repeat", err, errlen);
		o->repeat = (unsigned)u;
		break;
	case OPT_SEED:
		rc = ipcb_parse_u64(oarg, 0, UINT64_MAX, &o->seed, "--seed", err, errlen);
		break;
	case OPT_FIRST_ROUND:
		rc = ipcb_parse_u64(oarg, 1, 1000000000ull, &u, "--first-round", err, errlen);
		o->first_round = (unsigned)u;
		break;
	case OPT_NO_PROBES:
		o->probes = false;
		break;
	case OPT_TUNE:
		o->tune = true;
		break;
	case OPT_MATRIX_PAIRS:
		rc = ipcb_parse_u64(oarg, 1, 65536, &u, "--matrix-pairs", err, errlen);
		o->matrix_pairs = (unsigned)u;
		break;
	case OPT_MIN_MESSAGES:
		rc = ipcb_parse_u64(oarg, 1, 1000000000ull, &o->min_messages, "--min-messages", err,
				    errlen);
		break;
	case 'c':
		o->cpus_arg = oarg; /* parsed below, once --peer is known */
		break;
	case OPT_WAIT:
		rc = ipcb_parse_wait(oarg, &o->wait, err, errlen);
		break;
	case OPT_SPIN_POLLS:
		rc = ipcb_parse_u64(oarg, 1, 1000000000ull, &u, "--spin-polls", err, errlen);
		o->spin_polls = (unsigned)u;
		break;
	case OPT_CSV:
		if (!*oarg)
			rc = opt_fail(err, errlen, "--csv: empty file name");
		o->csv_path = oarg;
		break;
	case OPT_PLACEMENT:
		rc = ipcb_parse_placements(oarg, o, err, errlen);
		break;
	case OPT_WIDE:
		o->wide = true;
		break;
	case OPT_JSON:
		if (!*oarg)
			rc = opt_fail(err, errlen, "--json: empty file name");
		o->json_path = oarg;
		break;
	case OPT_DB:
	case OPT_COMMIT:
		if (!*oarg)
			rc = opt_fail(err, errlen, "%s: empty value", typed);
		*(c == OPT_DB ? &o->db_path : &o->commit) = oarg;
		break;
	case OPT_HDR_LOG:
		if (!*oarg)
			rc = opt_fail(err, errlen, "--hdr-log: empty file name");
		o->hdr_log_path = oarg;
		break;
	case OPT_HGRM:
		if (!*oarg)
			rc = opt_fail(err, errlen, "--hgrm: empty directory name");
		o->hgrm_dir = oarg;
		break;
	case OPT_WORK_NS:
		rc = ipcb_parse_u64(oarg, 0, 1000000000ull, &o->work_ns, "--work-ns", err, errlen);
		break;
	case OPT_RECV_WORK_NS:
		rc = ipcb_parse_u64(oarg, 0, 1000000000ull, &o->recv_work_ns, "--receiver-work-ns",
				    err, errlen);
		break;
	case OPT_DIR:
		if (!*oarg)
			rc = opt_fail(err, errlen, "--dir: empty directory name");
		o->dir = oarg;
		break;
	case OPT_FSYNC:
		o->fsync = true;
		break;
	case OPT_FLOOR:
		o->floor = true;
		break;
	case OPT_CONTROLS:
		o->controls = true;
		break;
	case OPT_TIMEOUT:
		rc =
		    ipcb_parse_seconds(oarg, 0.001, 86400, &o->timeout_s, "--timeout", err, errlen);
		st->timeout_given = true;
		break;
	case OPT_INJECT:
		rc = parse_inject(oarg, o, err, errlen);
		break;
	case OPT_CLEANUP:
		o->cleanup = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case OPT_VERIFY:
		rc = parse_verify(oarg, o, err, errlen);
		break;
	case OPT_INFLIGHT:
		rc = parse_uint_list(oarg, 1, 65536, o->inflight, &o->ninflight, "--inflight", err,
				     errlen);
		break;
	case OPT_PAIRS:
		rc = parse_uint_list(oarg, 1, 64, o->pairs, &o->npairs, "--pairs", err, errlen);
		break;
	case OPT_RATE:
		rc = parse_rates(oarg, o, err, errlen);
		break;
	case OPT_ARRIVALS:
		if (strcmp(oarg, "fixed") == 0)
			o->arrivals = IPCB_ARRIVALS_FIXED;
		else if (strcmp(oarg, "poisson") == 0)
			o->arrivals = IPCB_ARRIVALS_POISSON;
		else
			rc = opt_fail(err, errlen,
				      "--arrivals: unknown '%s'; valid: fixed, poisson", oarg);
		st->arrivals_given = true;
		break;
	case OPT_RATE_SWEEP:
		o->rate_sweep = true;
		break;
	case OPT_SLO:
		rc = ipcb_slo_parse(oarg, "--slo", &o->slo, err, errlen) ? -EINVAL : 0;
		break;
	case OPT_TOPOLOGY:
		rc = ipcb_parse_topologies(oarg, o, err, errlen);
		break;
	case OPT_DELIVER:
		rc = ipcb_parse_deliver(oarg, o, err, errlen);
		break;
	case 'o':
		rc = ipcb_parse_topt(oarg, o, err, errlen);
		break;
	case OPT_SERVER_CPU:
		rc = parse_server_cpu(oarg, o, err, errlen);
		break;
	case OPT_PEER:
	case OPT_TOKEN_FILE:
	case OPT_LAUNCH:
	case OPT_PEER_IPCBENCH:
		if (!*oarg)
			rc = opt_fail(err, errlen, "%s: empty value", typed);
		*(c == OPT_PEER		? &o->peer
		  : c == OPT_TOKEN_FILE ? &o->token_file
		  : c == OPT_LAUNCH	? &o->launch
					: &o->peer_binary) = oarg;
		break;
	case 'l':
		o->list = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'h':
		o->help = true;
		break;
	case 'V':
		o->version = true;
		break;
	}
	return rc;
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
		return opt_fail(err, errlen, "--cpus: %s", strerror(ENOMEM));
	rc = ipcb_cpulist_parse(o->cpus_arg, o->cpu_list, IPCB_TOPO_MAX_CPUS, &o->ncpu_list);
	if (rc || o->ncpu_list == 0)
		return opt_fail(err, errlen, "--cpus: '%s' is not a CPU list (e.g. 0-3,8 or 0,1)%s",
				o->cpus_arg, rc == -ERANGE ? ": a CPU number is too large" : "");
	/* The sides are pinned with a cpu_set_t: a CPU it cannot hold is no CPU to choose. */
	for (size_t i = 0; i < o->ncpu_list; i++)
		if (o->cpu_list[i] >= CPU_SETSIZE)
			return opt_fail(err, errlen,
					"--cpus: CPU %d is beyond the %d CPUs a process can be "
					"pinned to here",
					o->cpu_list[i], CPU_SETSIZE);
	/* A plan alone may be of another machine's tree (IPCB_SYSFS_ROOT): nothing is pinned. */
	if (!o->plan_only && allowed_cpus(&allowed) == 0) {
		format_cpu_set(&allowed, allowed_s, sizeof(allowed_s));
		for (size_t i = 0; i < o->ncpu_list; i++)
			if (o->cpu_list[i] >= CPU_SETSIZE || !CPU_ISSET(o->cpu_list[i], &allowed))
				return opt_fail(err, errlen,
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
static int opts_check(struct ipcb_opts *o, const struct parse_state *st, char *err, size_t errlen)
{
	int rc;

	/* An option for a transport this run does not measure would silently do nothing. */
	for (size_t i = 0; i < o->ntopts && !o->transports_all; i++) {
		bool used = false;

		for (size_t k = 0; k < o->ntransports; k++)
			used |= o->transports[k] == o->topts[i].t;
		if (!used)
			return opt_fail(err, errlen,
					"-o %s: %s is not among the transports measured (-t)",
					o->topts[i].arg, o->topts[i].t->name);
	}
	/* Without --cleanup, --dry-run prints the plan a run would measure, and runs nothing. */
	if (o->dry_run && !o->cleanup)
		o->plan_only = true;
	if (o->cpus_arg && !o->peer && ipcb_opts_topology_placed(o)) {
		rc = parse_cpu_list(o, err, errlen);
		if (rc)
			return rc;
	} else if (o->cpus_arg) {
		rc = o->peer ? parse_cpus_two_hosts(o->cpus_arg, o->cpus, err, errlen)
			     : ipcb_parse_cpus(o->cpus_arg, o->cpus, err, errlen);
		if (rc)
			return rc;
	}
	if (o->peer && ipcb_opts_topology_placed(o))
		return opt_fail(
		    err, errlen,
		    "--placement: the topology's placements (smt, llc, node, remote-node, "
		    "matrix) are pairs of this host's CPUs, not with --peer");
	rc = peer_check(o, err, errlen);
	if (rc)
		return rc;
	if (o->commit && !o->db_path)
		return opt_fail(err, errlen, "--commit names the run --db stores: it needs --db");
	if (o->cleanup && st->run_opt[0])
		return opt_fail(err, errlen,
				"--cleanup takes only --dir and --dry-run, not %s: it runs nothing "
				"(run the measurements separately)",
				st->run_opt);
	if (o->controls && (!o->transports_all || o->floor))
		return opt_fail(
		    err, errlen,
		    "--controls measures only the control floors: it takes no --transport "
		    "and no --floor");
	if (o->duration_s == 0 && o->messages == 0)
		return opt_fail(err, errlen,
				"--duration 0 needs --messages N: otherwise a run would never end");
	/*
	 * The timeout covers a whole run: set-up, warm-up, the measured duration, the end. One
	 * shorter than the duration would end every run by timing it out, blaming a peer.
	 */
	if (o->duration_s > 0 && o->timeout_s <= o->duration_s + IPCB_TIMEOUT_MARGIN_S)
		return opt_fail(
		    err, errlen,
		    "--timeout %g%s is too short for --duration %g: a run takes its "
		    "duration plus set-up and warm-up, so the timeout must be more than "
		    "%g s (the duration plus a %g s margin)",
		    o->timeout_s, st->timeout_given ? "" : " (the default)", o->duration_s,
		    o->duration_s + IPCB_TIMEOUT_MARGIN_S, IPCB_TIMEOUT_MARGIN_S);
	rc = shapes_check(o, st->arrivals_given, err, errlen);
	if (rc)
		return rc;
	return inject_check(o, err, errlen);
}

int ipcb_opts_parse(struct ipcb_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct parse_state st = {.run_opt = ""};
	const char **args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*args));
	const char *oarg;
	struct ipcb_cli cli;
	size_t nargs = 0;
	int c, rc = 0;

	if (!args)
		return opt_fail(err, errlen, "the command line: %s", strerror(ENOMEM));
	ipcb_cli_init(&cli, argc, argv);
	/* Arguments may come between options (`--list pipe -q`): kept for after the options. */
	while ((c = ipcb_cli_next(&cli, driver_opts, &oarg, err, errlen)) != IPCB_CLI_END) {
		if (c == IPCB_CLI_ERROR) {
			free(args);
			return -EINVAL;
		}
		if (c == IPCB_CLI_ARG) {
			args[nargs++] = oarg;
			continue;
		}
		if (!st.run_opt[0] && c != OPT_CLEANUP && c != OPT_DRY_RUN && c != OPT_DIR &&
		    c != 'l' && c != 'h' && c != 'V')
			snprintf(st.run_opt, sizeof(st.run_opt), "%s", cli.typed);
		rc = opt_apply(o, c, oarg, cli.typed, &st, err, errlen);
		if (rc) {
			free(args);
			return rc;
		}
	}
	rc = take_args(o, args, nargs, err, errlen);
	free(args);
	return rc ? rc : opts_check(o, &st, err, errlen);
}
