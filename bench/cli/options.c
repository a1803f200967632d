/* SPDX-License-Identifier: MIT */
/*
 * options.c - the driver's options, each value parsed by its row (options.h); the checks of the
 * command line as a whole are optcheck.c's.
 */
#include "options.h"

#include "command.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Room for every option's row and the end; a table that outgrows it fails every command. */
#define OPTS_ROWS_MAX 160

static const struct ipcb_driver_mode *const modes[] = {
#define IPCB_MODE(row) &row,
#include "modes_list.h"
#undef IPCB_MODE
    NULL,
};

const struct ipcb_driver_mode *const *ipcb_opts_modes(void)
{
	return modes;
}

bool ipcb_opts_mode(const struct ipcb_opts *o, const struct ipcb_driver_mode *m)
{
	size_t k = 0;

	if (m->given)
		return m->given(o);
	while (modes[k] && modes[k] != m)
		k++;
	return modes[k] && o->modes[k];
}

/* A row placed after none, or too many: the build is wrong, not the input. */
static void table_wrong(const char *err)
{
	fprintf(stderr, "ipcbench: the option table: %s\n", err);
	abort();
}

const struct ipcb_clirow *ipcb_opts_rows(void)
{
	static struct ipcb_clirow rows[OPTS_ROWS_MAX], part[OPTS_ROWS_MAX];
	static bool made;
	struct ipcb_clirow flags[IPCB_OPTS_MODES_MAX + 1] = {0};
	char err[128];
	size_t n = 0;

	if (made)
		return rows;
	if (ipcb_cli_merge(ipcb_opts_own_rows(), ipcb_spec_rows(), offsetof(struct ipcb_opts, run),
			   true, part, OPTS_ROWS_MAX, err, sizeof(err)) < 0)
		table_wrong(err);
	/* Each mode that is its own flag: its row, its value the mode's place in o->modes. */
	for (size_t k = 0; modes[k]; k++) {
		if (k >= IPCB_OPTS_MODES_MAX)
			table_wrong("more modes than IPCB_OPTS_MODES_MAX");
		if (modes[k]->given)
			continue;
		flags[n] = modes[k]->row;
		flags[n++].off = k * sizeof(bool);
	}
	if (ipcb_cli_merge(part, flags, offsetof(struct ipcb_opts, modes), false, rows,
			   OPTS_ROWS_MAX, err, sizeof(err)) < 0)
		table_wrong(err);
	made = true;
	return rows;
}

void ipcb_opts_init(struct ipcb_opts *o)
{
	char err[IPCB_ERR_BYTES];

	memset(o, 0, sizeof(*o));
	/* What no row's default says: "not given" for these. */
	o->probes = true;
	o->cpus[0] = o->cpus[1] = -1;
	o->wait = IPCB_WAIT_DEFAULT;
	o->slo.pct = 99;
	o->server_cpu = -1;
	/* The rows' own defaults parse: the options unit test holds them to it. */
	ipcb_cli_defaults(ipcb_opts_rows(), o, err, sizeof(err));
}

int ipcb_opts_option_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	const char *dot = s ? strchr(s, '.') : NULL, *eq = s ? strchr(s, '=') : NULL;
	const struct ipcb_transport *t;
	char name[64], key[64], why[240];
	unsigned idx;
	uint64_t v;

	if (!s || !dot || !eq || dot > eq || dot == s || eq == dot + 1)
		return ipcb_parse_fail(err, errlen,
				       "-o: '%s' is not NAME.KEY=VALUE (a transport's option, e.g. "
				       "zmq-tcp.hwm=100; see --list NAME)",
				       s ? s : "");
	if ((size_t)(dot - s) >= sizeof(name) || (size_t)(eq - dot - 1) >= sizeof(key))
		return ipcb_parse_fail(err, errlen, "-o: '%s': the name or the key is too long", s);
	snprintf(name, sizeof(name), "%.*s", (int)(dot - s), s);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
	t = ipcb_transport_find(name);
	if (!t)
		return ipcb_parse_fail(err, errlen, "-o %s: unknown transport '%s' (see --list)", s,
				       name);
	if (ipcb_opt_parse(t, key, eq + 1, &idx, &v, why, sizeof(why)) < 0)
		return ipcb_parse_fail(err, errlen, "-o %s: %s", s, why);
	for (size_t i = 0; i < o->ntopts; i++)
		if (o->topts[i].t == t && o->topts[i].idx == idx)
			return ipcb_parse_fail(err, errlen, "-o %s: %s.%s is already set by -o %s",
					       s, name, key, o->topts[i].arg);
	if (o->ntopts == IPCB_MAX_LIST)
		return ipcb_parse_fail(err, errlen, "-o: more than %d options", IPCB_MAX_LIST);
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
		return ipcb_parse_fail(err, errlen, "--size: empty list");
	if (strlen(s) >= sizeof(buf))
		return ipcb_parse_fail(err, errlen, "--size: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--size: '%s' has an empty item", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t v;
		int rc;

		if (count == max)
			return ipcb_parse_fail(err, errlen, "--size: more than %zu sizes", max);
		rc = ipcb_parse_size(tok, &v, "--size", err, errlen);
		if (rc)
			return rc;
		for (size_t i = 0; i < count; i++)
			if (out[i] == v)
				return ipcb_parse_fail(err, errlen, "--size: '%s' is listed twice",
						       tok);
		out[count++] = v;
	}
	*n = count;
	return 0;
}

int ipcb_opts_sizes_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;

	return ipcb_parse_size_list(s, o->sizes, IPCB_MAX_LIST, &o->nsizes, err, errlen);
}

void ipcb_opts_transport_names(char *out, size_t n)
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
		return ipcb_parse_fail(err, errlen, "--transport: too many transports");
	o->transports[o->ntransports++] = t;
	return 0;
}

static int add_module(struct ipcb_opts *o, const char *path, const struct ipcb_transport **named,
		      size_t *nnamed, char *err, size_t errlen)
{
	const struct ipcb_transport *t;
	char why[600];

	if (ipcb_transport_load(path, &t, why, sizeof(why)) < 0)
		return ipcb_parse_fail(err, errlen, "--transport: %s", why);
	for (size_t i = 0; i < *nnamed; i++)
		if (named[i] == t)
			return ipcb_parse_fail(err, errlen,
					       "--transport: external:%s is listed twice", path);
	if (*nnamed == IPCB_MAX_LIST)
		return ipcb_parse_fail(err, errlen, "--transport: more than %d transports",
				       IPCB_MAX_LIST);
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
		return ipcb_parse_fail(err, errlen, "--transport: external:%s: scandir: %s", path,
				       strerror(errno));
	qsort(list, (size_t)n, sizeof(*list), by_name);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);

		if (!rc && len > 3 && strcmp(list[i]->d_name + len - 3, ".so") == 0) {
			if (asprintf(&file, "%s/%s", path, list[i]->d_name) < 0) {
				rc = ipcb_parse_fail(err, errlen,
						     "--transport: external:%s: asprintf: %s", path,
						     strerror(ENOMEM));
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
		return ipcb_parse_fail(err, errlen,
				       "--transport: external:%s: no module (*.so) in it", path);
	return rc;
}

int ipcb_opts_transports_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	const struct ipcb_transport *named[IPCB_MAX_LIST];
	char *buf, *save = NULL, *tok;
	size_t nnamed = 0;
	int rc = 0;

	o->ntransports = 0;
	o->transports_all = false;
	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "--transport: empty list");
	if (strlen(s) >= 1024)
		return ipcb_parse_fail(err, errlen, "--transport: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--transport: '%s' has an empty item", s);
	if (strcmp(s, "all") == 0) {
		o->transports_all = true;
		return 0;
	}
	/* The copy strtok_r cuts: the heap's, as the stack may be small (ulimit -s). */
	buf = strdup(s);
	if (!buf)
		return ipcb_parse_fail(err, errlen, "--transport: strdup: %s", strerror(ENOMEM));
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

			ipcb_opts_transport_names(names, sizeof(names));
			rc = ipcb_parse_fail(
			    err, errlen,
			    "--transport: unknown transport '%s'; valid names: %s, all, "
			    "kernel, middleware, brokers",
			    tok, names);
			continue;
		}
		for (size_t i = 0; i < nnamed && !rc; i++)
			if (named[i] == t)
				rc = ipcb_parse_fail(err, errlen,
						     "--transport: '%s' is listed twice", tok);
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

int ipcb_opts_placements_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	char buf[256], *save = NULL, *tok;

	o->nplacements = 0;
	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "--placement: empty list");
	if (strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--placement: '%s' has an empty item", s);
	/* all: the three every machine has; the topology's are asked for by name. */
	if (strcmp(s, "all") == 0) {
		for (int p = 0; p <= IPCB_PLACE_UNPINNED; p++)
			o->placements[o->nplacements++] = (enum ipcb_placement)p;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int found = ipcb_placement_find(tok);
		char valid[160];

		if (found < 0 || found >= IPCB_PLACES) {
			ipcb_placement_list(valid, sizeof(valid));
			return ipcb_parse_fail(
			    err, errlen, "--placement: unknown placement '%s'; valid: %s, all", tok,
			    valid);
		}
		for (size_t i = 0; i < o->nplacements; i++)
			if (o->placements[i] == (enum ipcb_placement)found)
				return ipcb_parse_fail(err, errlen,
						       "--placement: '%s' is listed twice", tok);
		o->placements[o->nplacements++] = (enum ipcb_placement)found;
	}
	return 0;
}

/* --mode: one of latency, throughput, both (the two), bistream, or a comma list of them. */
int ipcb_opts_mode_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	char buf[128], *save = NULL, *tok;

	if (!s || !*s || strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--mode: '%s' is not a list of modes",
				       s ? s : "");
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
			return ipcb_parse_fail(
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
		return ipcb_parse_fail(err, errlen, "%s: '%s' is not a list of whole numbers", what,
				       s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		int rc = ipcb_parse_u64(tok, min, max, &v, what, err, errlen);

		if (rc)
			return rc;
		if (count == IPCB_MAX_LIST)
			return ipcb_parse_fail(err, errlen, "%s: more than %d values", what,
					       IPCB_MAX_LIST);
		for (size_t i = 0; i < count; i++)
			if (out[i] == v)
				return ipcb_parse_fail(err, errlen, "%s: '%s' is listed twice",
						       what, tok);
		out[count++] = (unsigned)v;
	}
	*n = count;
	return 0;
}

int ipcb_opts_inflight_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;

	return parse_uint_list(s, 1, 65536, o->inflight, &o->ninflight, "--inflight", err, errlen);
}

int ipcb_opts_pairs_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;

	return parse_uint_list(s, 1, 64, o->pairs, &o->npairs, "--pairs", err, errlen);
}

/* --rate: a comma list of messages per second, plain decimals above 0. */
int ipcb_opts_rates_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--rate: '%s' is not a list of rates",
				       s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		char *end;

		if (!isdigit((unsigned char)tok[0]))
			return ipcb_parse_fail(
			    err, errlen, "--rate: '%s' is not a number of messages per second",
			    tok);
		v = strtod(tok, &end);
		if (*end || !isfinite(v) || v <= 0 || v > 1e9 || strpbrk(tok, "xXeEpP"))
			return ipcb_parse_fail(
			    err, errlen,
			    "--rate: '%s' is not a number of messages per second, as a "
			    "plain decimal above 0 and at most 1000000000",
			    tok);
		if (count == IPCB_MAX_LIST)
			return ipcb_parse_fail(err, errlen, "--rate: more than %d rates",
					       IPCB_MAX_LIST);
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
		return ipcb_parse_fail(err, errlen, "--topology: '%s' is not S:R (1:1, 1:N or N:1)",
				       s ? s : "");
	a = strtoul(s, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return ipcb_parse_fail(err, errlen, "--topology: '%s' is not S:R (1:1, 1:N or N:1)",
				       s);
	b = strtoul(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > 64 || b > 64)
		return ipcb_parse_fail(
		    err, errlen, "--topology: '%s': senders and receivers are 1 to 64 each", s);
	if (a > 1 && b > 1)
		return ipcb_parse_fail(
		    err, errlen, "--topology: '%s': one side must be 1 (1:N fan-out or N:1 fan-in)",
		    s);
	out->senders = (unsigned)a;
	out->receivers = (unsigned)b;
	return 0;
}

/* --topology S:R,S:R,...: a list swept like --size, each item once. */
int ipcb_opts_topologies_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	char buf[1024], *save = NULL, *tok;
	size_t count = 0;

	if (!s || !*s)
		return ipcb_parse_fail(err, errlen, "--topology: empty list");
	if (strlen(s) >= sizeof(buf))
		return ipcb_parse_fail(err, errlen, "--topology: list too long");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return ipcb_parse_fail(err, errlen, "--topology: '%s' has an empty item", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct ipcb_topology t;
		int rc = parse_topology(tok, &t, err, errlen);

		if (rc)
			return rc;
		for (size_t i = 0; i < count; i++)
			if (o->topos[i].senders == t.senders &&
			    o->topos[i].receivers == t.receivers)
				return ipcb_parse_fail(err, errlen,
						       "--topology: %s is listed twice", tok);
		if (count == IPCB_MAX_LIST)
			return ipcb_parse_fail(err, errlen, "--topology: more than %d topologies",
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

/* --deliver one|all: each message to one receiver (a work queue), or to every one. */
int ipcb_opts_deliver_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;

	if (s && strcmp(s, "one") == 0)
		o->deliver_all = false;
	else if (s && strcmp(s, "all") == 0)
		o->deliver_all = true;
	else
		return ipcb_parse_fail(err, errlen,
				       "--deliver: unknown '%s'; valid: one (each message to one "
				       "receiver), all (every receiver gets every message)",
				       s ? s : "");
	return 0;
}

/* --server-cpu N: a CPU this process may use. */
int ipcb_opts_server_cpu_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;
	cpu_set_t allowed;
	uint64_t v;
	int rc = ipcb_parse_u64(s, 0, CPU_SETSIZE - 1, &v, "--server-cpu", err, errlen);

	if (rc)
		return rc;
	if (ipcb_cpus_allowed(&allowed) == 0 && !CPU_ISSET((int)v, &allowed))
		return ipcb_parse_fail(err, errlen,
				       "--server-cpu: CPU %llu is not available to this process",
				       (unsigned long long)v);
	o->server_cpu = (int)v;
	return 0;
}

int ipcb_opts_slo_parse(void *base, const char *s, char *err, size_t errlen)
{
	struct ipcb_opts *o = base;

	return ipcb_slo_parse(s, "--slo", &o->slo, err, errlen) ? -EINVAL : 0;
}

const char *ipcb_inject_name(enum ipcb_inject f)
{
	/* As --inject spells them: the row's choices, in the enum's order. */
	static const char *const names[] = {
	    "none",  "corrupt", "drop",		 "dup",
	    "crash", "hang",	"corrupt-stamp", "corrupt-unsampled"};

	return (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

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

/* The driver's row of an option, by its long name; NULL none. */
static const struct ipcb_clirow *row_named(const char *name)
{
	for (const struct ipcb_clirow *o = ipcb_opts_rows(); o->opt.name; o++)
		if (!strcmp(o->opt.name, name))
			return o;
	return NULL;
}

/* A row's help as a paragraph: its lines joined, wrapped at 80 columns, a capital first. */
static void wrap(FILE *f, const char *text)
{
	size_t col = 0;

	for (const char *w = text; *w;) {
		size_t n;

		w += strspn(w, " \n");
		n = strcspn(w, " \n");
		if (!n)
			break;
		if (col && col + 1 + n > 79) {
			fputc('\n', f);
			col = 0;
		} else if (col) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%c%.*s", col || w != text + strspn(text, " \n") ? *w : toupper(*w),
			(int)n - 1, w + 1);
		col += n;
		w += n;
	}
	fputs(col && text[strlen(text) - 1] != '.' ? ".\n" : "\n", f);
}

int ipcb_opts_mode_usage(FILE *f, const char *prog, const char *word)
{
	const struct ipcb_driver_mode *mode = NULL;
	const struct ipcb_command *cmd = ipcb_command_of_mode(word);
	const struct ipcb_clirow *own = row_named(word);
	struct ipcb_clirow rows[16];
	size_t n = 0, args;

	for (size_t i = 0; modes[i]; i++)
		if (!strcmp(modes[i]->option, word))
			mode = modes[i];
	if (!mode || !cmd || !cmd->synopsis)
		return -ENOENT;
	/* The synopsis: its arguments, then after a run of spaces what the command is. */
	args = strcspn(cmd->synopsis, " ");
	while (cmd->synopsis[args] == ' ' && cmd->synopsis[args + 1] != ' ' &&
	       cmd->synopsis[args + 1])
		args += 1 + strcspn(cmd->synopsis + args + 1, " ");
	fprintf(f, "Usage: %s %s %.*s\n", prog, word, (int)args, cmd->synopsis);
	wrap(f, cmd->synopsis + args + strspn(cmd->synopsis + args, " "));
	if (own && own->help) {
		fputc('\n', f);
		wrap(f, own->help);
	}
	if (!mode->takes) {
		fprintf(f, "\nIt takes the options of a run: see %s --help.\n", prog);
	} else {
		const struct ipcb_clirow *help = row_named("help");

		/* Its own options, then --help, which every command takes. */
		for (const char *const *t = mode->takes; *t && n + 2 < 16; t++) {
			const struct ipcb_clirow *r = row_named(*t);

			if (r)
				rows[n++] = *r;
		}
		if (help)
			rows[n++] = *help;
		memset(&rows[n], 0, sizeof(rows[n]));
		for (size_t i = 0; i < n; i++)
			rows[i].section = i ? NULL : "Options:";
		ipcb_cli_help(f, rows, 6, 25);
	}
	if (mode->takes)
		fprintf(f, "\nExit status: 0 ok, 1 it failed, 2 usage error.\n");
	else
		fprintf(f,
			"\nExit status: 0 ok, 1 a run failed or an output could not be written, 2\n"
			"usage error, 77 no requested transport can run here, 128+N stopped by\n"
			"signal N.\n");
	return 0;
}

void ipcb_opts_usage(FILE *f, const char *prog)
{
	fprintf(f, "Usage: %s [OPTIONS]\n", prog);
	for (const struct ipcb_command *c = ipcb_command_after(""); c;
	     c = ipcb_command_after(c->name))
		fprintf(f, "       %s %s %s\n", prog, c->name, c->synopsis);
	fprintf(f, "Measure inter-process communication on this machine: a sender and a receiver\n"
		   "process, pinned to CPUs, move verified payloads over each transport.\n");
	ipcb_cli_help(f, ipcb_opts_rows(), 6, 25);
	fprintf(f,
		"\n"
		"Exit status: 0 ok, 1 a run failed or an output (table, CSV, log) could not be\n"
		"written, 2 usage error, 77 no requested transport can run here, 128+N stopped\n"
		"by signal N.\n"
		"\n"
		"Example: %s --transport shm --size 1M\n",
		prog);
}
