/* SPDX-License-Identifier: MIT */
/*
 * contract.c - the contract's own code, what transports/transport.h declares beside the public
 * header: the names of its enums, a transport's options (parsed, defaulted, shown), its route
 * and whether a run of it may lose messages, the rules an entry must keep, checked at load like
 * fio's check of an engine's ops against its flags, and the command lines of the servers and
 * runtimes a transport gives. The registry (registry.c), users' and built-in modules (module.c),
 * the transports and the driver all use it; it uses none of them. Built-in modules link it too.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "parse.h"
#include "transport.h"

const char *ipcb_layer_name(enum ipcb_layer l)
{
	static const char *const names[IPCB_LAYERS] = {"kernel", "middleware", "brokers"};

	return (unsigned)l < IPCB_LAYERS ? names[l] : "?";
}

static const char *const path_names[IPCB_PATHS] = {[IPCB_PATH_UNDECLARED] = "",
						   [IPCB_PATH_SHARED_MEMORY] = "shared-memory",
						   [IPCB_PATH_KERNEL_COPY] = "kernel-copy",
						   [IPCB_PATH_NETWORK_STACK] = "network-stack",
						   [IPCB_PATH_PAGE_CACHE] = "page-cache",
						   [IPCB_PATH_NONE] = "none"};

const char *ipcb_path_name(enum ipcb_path p)
{
	return (unsigned)p < IPCB_PATHS ? path_names[p] : "";
}

int ipcb_path_parse(const char *s)
{
	for (int p = IPCB_PATH_SHARED_MEMORY; p < IPCB_PATHS; p++)
		if (strcmp(s, path_names[p]) == 0)
			return p;
	return -1;
}

const char *ipcb_wait_name(enum ipcb_wait w)
{
	switch (w) {
	case IPCB_WAIT_SPIN:
		return "spin";
	case IPCB_WAIT_BLOCK:
		return "block";
	case IPCB_WAIT_HYBRID:
		return "hybrid";
	case IPCB_WAIT_NONE:
		return "none";
	case IPCB_WAIT_YIELD:
		return "yield";
	case IPCB_WAIT_DEFAULT:
		break;
	}
	return "default";
}

int ipcb_broker_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	else
		port = -errno;
	close(fd);
	return port;
}

struct ipcb_route ipcb_transport_route(const struct ipcb_transport *t,
				       const struct ipcb_chan_cfg *cfg)
{
	struct ipcb_route r = {.path = t->path, .rides_on = t->rides_on};

	if (cfg && t->route)
		t->route(cfg, &r);
	return r;
}

/*
 * The rules an entry's hooks and fields must keep, one per capability or hook family, like
 * fio's check of an engine's ops against its flags: each returns NULL when kept, else what is
 * wrong. They run in order, after the name and summary checks; an unsupported entry (one that
 * could not be built here) needs only those.
 */
static const char *rule_required(const struct ipcb_transport *t)
{
	return t->open && t->send && t->recv ? NULL : "open, send and recv are required";
}

static const char *rule_setup(const struct ipcb_transport *t)
{
	if (t->chan_priv_bytes && !t->setup)
		return "channel state but no setup to fill it";
	if (t->setup && !t->teardown)
		return "setup without teardown: its objects would leak";
	return NULL;
}

static const char *rule_wait(const struct ipcb_transport *t)
{
	if ((t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait != IPCB_WAIT_DEFAULT)
		return "a wait choice and a fixed wait";
	if (!(t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait == IPCB_WAIT_DEFAULT)
		return "no wait choice, so fixed_wait must say how it waits";
	return NULL;
}

static const char *rule_no_data(const struct ipcb_transport *t)
{
	if ((t->caps & IPCB_CAP_NO_DATA) && (t->caps & ~(IPCB_CAP_NO_DATA | IPCB_CAP_BIDIR)))
		return "moves no data, yet claims data capabilities";
	return NULL;
}

/*
 * Every entry says how its bytes move, and one that moves none says that: a report compares
 * mechanisms by their data path. What it rides on is another transport, never itself.
 */
static const char *rule_path(const struct ipcb_transport *t)
{
	if (t->path <= IPCB_PATH_UNDECLARED || t->path >= IPCB_PATHS)
		return "no data path declared (path: shared memory, kernel copy, ...)";
	if (!(t->caps & IPCB_CAP_NO_DATA) != (t->path != IPCB_PATH_NONE))
		return "the data path none goes with the no-data capability, and only with it";
	if (t->rides_on && strcmp(t->rides_on, t->name) == 0)
		return "rides on itself";
	return NULL;
}

static const char *rule_zerocopy(const struct ipcb_transport *t)
{
	const struct ipcb_loan_ops *l = t->loans;
	unsigned hooks = l ? !!l->acquire + !!l->commit + !!l->peek + !!l->release : 0;

	if ((t->caps & IPCB_CAP_ZEROCOPY) && hooks != 4)
		return "zero-copy loans need acquire, commit, peek and release";
	if (!(t->caps & IPCB_CAP_ZEROCOPY) && l)
		return "loan hooks without the zerocopy capability: they would never be called";
	return NULL;
}

/*
 * A network transport is reached by address alone: its endpoints must find each other in
 * connect(), and nothing of it may live in memory of one host. A path in its run directory
 * may serve it when both endpoints are on this host (cfg.host NULL; transport.h): capabilities
 * are fixed, so a transport with a one-host path of its own declares both.
 */
static const char *rule_network(const struct ipcb_transport *t)
{
	if (!(t->caps & IPCB_CAP_NETWORK))
		return NULL;
	if (!t->connect)
		return "a network transport's endpoints must find each other in connect()";
	if (t->caps & (IPCB_CAP_SHARED_BUFFER | IPCB_CAP_NO_DATA))
		return "a network transport cannot share memory, or move nothing";
	return NULL;
}

static size_t opt_count(const struct ipcb_transport *t)
{
	size_t n = 0;

	while (t->options && t->options[n].key)
		n++;
	return n;
}

/* Parse one value of option o. 0, or -EINVAL with why filled. */
static int opt_value(const struct ipcb_option *o, const char *value, uint64_t *val, char *why,
		     size_t why_bytes)
{
	unsigned long long v;
	char *end;
	int c;

	switch (o->type) {
	case IPCB_OPT_UINT:
	case IPCB_OPT_BOOL: {
		uint64_t min = o->type == IPCB_OPT_BOOL ? 0 : o->min;
		uint64_t max = o->type == IPCB_OPT_BOOL ? 1 : o->max;

		errno = 0;
		if (!isdigit((unsigned char)value[0]) || (v = strtoull(value, &end, 10), *end) ||
		    errno == ERANGE || v < min || v > max) {
			snprintf(why, why_bytes, "'%s' is not %s %" PRIu64 " to %" PRIu64, value,
				 o->type == IPCB_OPT_BOOL ? "0 or 1: a switch," : "a whole number",
				 min, max);
			return -EINVAL;
		}
		*val = v;
		return 0;
	}
	case IPCB_OPT_CHOICE:
		c = ipcb_parse_choice(o->choices, value, strlen(value));
		if (c < 0 || !*value) {
			snprintf(why, why_bytes, "'%s' is not one of %s", value, o->choices);
			return -EINVAL;
		}
		*val = (uint64_t)c;
		return 0;
	}
	snprintf(why, why_bytes, "option of an unknown type");
	return -EINVAL;
}

int ipcb_opt_parse(const struct ipcb_transport *t, const char *key, const char *value,
		   unsigned *idx, uint64_t *val, char *why, size_t why_bytes)
{
	size_t n = opt_count(t), len = 0;
	char keys[200];

	for (size_t i = 0; i < n; i++)
		if (strcmp(t->options[i].key, key) == 0) {
			*idx = (unsigned)i;
			return opt_value(&t->options[i], value, val, why, why_bytes);
		}
	keys[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(keys); i++)
		len += (size_t)snprintf(keys + len, sizeof(keys) - len, "%s%s", i ? ", " : "",
					t->options[i].key);
	if (n)
		snprintf(why, why_bytes, "%s has no option '%s'; its options: %s", t->name, key,
			 keys);
	else
		snprintf(why, why_bytes, "%s has no option '%s': it takes none", t->name, key);
	return -EINVAL;
}

void ipcb_opt_defaults(const struct ipcb_transport *t, uint64_t vals[IPCB_MAX_OPTIONS])
{
	char why[200];

	memset(vals, 0, IPCB_MAX_OPTIONS * sizeof(vals[0]));
	/* The table's defaults parse: rule_options() checks it before any run. */
	for (size_t i = 0; i < opt_count(t) && i < IPCB_MAX_OPTIONS; i++)
		opt_value(&t->options[i], t->options[i].def, &vals[i], why, sizeof(why));
}

const char *ipcb_opt_choice(const struct ipcb_option *o, uint64_t v, char *out, size_t n)
{
	const char *p = o->choices;

	out[0] = '\0';
	for (uint64_t i = 0; p && *p; i++) {
		size_t len = strcspn(p, "|");

		if (i == v) {
			snprintf(out, n, "%.*s", (int)len, p);
			break;
		}
		p += len;
		p += *p == '|';
	}
	return out;
}

void ipcb_opt_text(const struct ipcb_transport *t, const uint64_t vals[IPCB_MAX_OPTIONS], char *out,
		   size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < opt_count(t) && i < IPCB_MAX_OPTIONS && len < n; i++) {
		const struct ipcb_option *o = &t->options[i];
		char word[32];

		if (o->type == IPCB_OPT_CHOICE)
			len +=
			    (size_t)snprintf(out + len, n - len, "%s%s=%s", len ? " " : "", o->key,
					     ipcb_opt_choice(o, vals[i], word, sizeof(word)));
		else
			len += (size_t)snprintf(out + len, n - len, "%s%s=%" PRIu64, len ? " " : "",
						o->key, vals[i]);
	}
}

/* The options table: at most IPCB_MAX_OPTIONS, keys spelled for the command line, defaults valid.
 */
static const char *rule_options(const struct ipcb_transport *t)
{
	static char broken[320];
	size_t n = opt_count(t);
	char why[120];
	uint64_t v;

	if (n > IPCB_MAX_OPTIONS)
		return "more options than IPCB_MAX_OPTIONS";
	for (size_t i = 0; i < n; i++) {
		const struct ipcb_option *o = &t->options[i];

		for (const char *p = o->key; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				return "an option key is not lowercase letters, digits and '-'";
		if (!o->key[0] || !o->help || !o->help[0] || !o->def)
			return "an option without a key, a help line or a default";
		if (o->type == IPCB_OPT_CHOICE && (!o->choices || !o->choices[0]))
			return "a choice option without choices";
		if (o->type == IPCB_OPT_UINT && o->min > o->max)
			return "an option whose min is above its max";
		if (opt_value(o, o->def, &v, why, sizeof(why)) < 0) {
			snprintf(broken, sizeof(broken), "option %s: the default %s", o->key, why);
			return broken;
		}
		for (const char *p = o->tune; p && *p;) {
			size_t len = strcspn(p, "|");
			char word[32];

			snprintf(word, sizeof(word), "%.*s", (int)len, p);
			if (!len || len >= sizeof(word) ||
			    opt_value(o, word, &v, why, sizeof(why)) < 0) {
				snprintf(broken, sizeof(broken), "option %s: a value to tune: %s",
					 o->key, len ? why : "empty");
				return broken;
			}
			p += len;
			p += *p == '|';
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->options[j].key, o->key) == 0)
				return "an option key is listed twice";
	}
	return NULL;
}

/* Sides started by a runtime share nothing the driver set up: no channel state. */
static const char *rule_launcher(const struct ipcb_transport *t)
{
	if (t->launch && (!t->launch->command || !t->launch->rank))
		return "a runtime's command and rank hooks go together";
	if (t->launch && (t->chan_priv_bytes || t->service))
		return "sides started by a runtime cannot share channel state or a service";
	if (t->launch && !(t->caps & IPCB_CAP_USES_DIR))
		return "sides started by a runtime reach the driver through the run's directory: "
		       "uses-dir";
	/* Only a runtime places the sides on two hosts; a network transport has stand-ins. */
	if ((t->caps & IPCB_CAP_LAUNCH_HOSTS) && (!t->launch || (t->caps & IPCB_CAP_NETWORK)))
		return "launch-hosts is a runtime's (launch ops), and not a network transport's";
	return NULL;
}

/*
 * Publish-subscribe needs several receivers on one channel, and a runtime starts one sender and
 * one receiver. It does not need MULTI_RECEIVER (transport.h says why: delivering to all and
 * sharing out among competitors are two abilities). A lossy() hook narrows the lossy capability
 * down to some runs, so it comes with the capability: without it, no run may lose a message.
 */
static const char *rule_broadcast(const struct ipcb_transport *t)
{
	if ((t->caps & IPCB_CAP_BROADCAST) && t->launch)
		return "broadcast needs several receivers, and a runtime starts one sender and one "
		       "receiver";
	if (t->lossy && !(t->caps & IPCB_CAP_LOSSY))
		return "a lossy() hook says which runs may lose messages: it needs the lossy "
		       "capability";
	return NULL;
}

static const char *(*const rules[])(const struct ipcb_transport *) = {
    rule_required, rule_setup,	 rule_wait,    rule_no_data,  rule_path,
    rule_zerocopy, rule_network, rule_options, rule_launcher, rule_broadcast,
};

bool ipcb_transport_lossy(const struct ipcb_transport *t, const struct ipcb_chan_cfg *cfg)
{
	if (!(t->caps & IPCB_CAP_LOSSY))
		return false;
	return t->lossy ? t->lossy(cfg) : true;
}

int ipcb_transport_check(const struct ipcb_transport *t, char *why, size_t why_bytes)
{
	const char *p;

	if (!t->name || !*t->name) {
		snprintf(why, why_bytes, "a transport has no name");
		return -EINVAL;
	}
	for (p = t->name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') ||
		    (*p == '-' && (p == t->name || p[1] == '\0' || p[1] == '-'))) {
			snprintf(why, why_bytes, "%s: the name is not kebab-case", t->name);
			return -EINVAL;
		}
	if (!t->summary || !*t->summary) {
		snprintf(why, why_bytes, "%s: no summary", t->name);
		return -EINVAL;
	}
	/* Options are shown by --list NAME even where the transport could not be built. */
	if (t->unsupported) {
		const char *broken = rule_options(t);

		if (broken) {
			snprintf(why, why_bytes, "%s: %s", t->name, broken);
			return -EINVAL;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *broken = rules[i](t);

		if (broken) {
			snprintf(why, why_bytes, "%s: %s", t->name, broken);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The command lines of services and runtimes, built in their transports, modules included: one
 * argument appended to a NULL-ended argv whose strings live in args (`used` bytes of it so far).
 */
static int arg_append(char **argv, size_t max_args, char *args, size_t args_bytes, size_t *used,
		      struct ipcb_err *e, const char *call, const char *fmt, va_list ap)
{
	size_t argc = 0, room = args_bytes - *used;
	int n;

	while (argv[argc])
		argc++;
	if (argc + 1 >= max_args)
		return ipcb_errf(e, -E2BIG, call, "more than %zu arguments", max_args - 1);
	n = vsnprintf(args + *used, room, fmt, ap);
	if (n < 0 || (size_t)n >= room)
		return ipcb_errf(e, -E2BIG, call, "its command line is too long");
	argv[argc] = args + *used;
	argv[argc + 1] = NULL;
	*used += (size_t)n + 1;
	return 0;
}

int ipcb_service_arg(struct ipcb_service *svc, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = arg_append(svc->argv, IPCB_SERVICE_ARGS, svc->args, sizeof(svc->args), &svc->args_used,
			&svc->err, "service", fmt, ap);
	va_end(ap);
	return rc;
}

int ipcb_cmd_arg(struct ipcb_launch_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = arg_append(cmd->argv, IPCB_LAUNCH_ARGS, cmd->args, sizeof(cmd->args), &cmd->args_used,
			&cmd->err, "launch", fmt, ap);
	va_end(ap);
	return rc;
}
