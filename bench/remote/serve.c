/* SPDX-License-Identifier: MIT */
/*
 * serve.c - `ipcbench serve`; see serve.h and, for what a run does on both hosts, remote.h.
 * `ipcbench rsh-agent` is agent.c's.
 *
 * The story of a connection, top to bottom: HELLO with a fresh challenge and the limits; the
 * client's AUTH (its build, its response) checked; WELCOME with our response, fingerprint, CPUs
 * and end of the network path; then, until BYE: CLOCK exchanges answered, and a RUN checked
 * against the limits, ACCEPTed, clocked, STARTed and run (the engine's run, with our side's
 * stand-in relaying to the driver), its result or error sent back.
 */
#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cliopt.h"
#include "clock.h"
#include "command.h"
#include "crash.h"
#include "launch.h"
#include "msg.h"
#include "parse.h"
#include "remote.h"
#include "run.h"
#include "sha256.h"
#include "sizes.h"
#include "sysinfo.h"
#include "version.h"

/* How long a client may take for each step of a connection outside a run. */
#define SERVE_STEP_S 10.0

struct serve {
	const char *listen_arg;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned char token[IPCB_TOKEN_MAX];
	size_t token_len;
	bool launched, quiet, help;
	const char *token_file;
	const char *dir;
	size_t max_size;
	double max_duration_s, max_timeout_s;
	uint64_t max_messages;
	int lfd, sigfd;
	struct ipcb_sysinfo si;
	uint16_t cpus[IPCB_WIRE_MAX_CPUS];
	unsigned ncpus;
	int stop; /* the signal that asked us to stop */
};

static const char *prog = "ipcbench serve";

static int max_size_parse(void *base, const char *v, char *err, size_t errlen)
{
	struct serve *sv = base;

	return ipcb_parse_size(v, &sv->max_size, "--max-size", err, errlen);
}

/* Every option of `serve`, in the order --help shows them (lib/cliopt.h). */
static const struct ipcb_clirow serve_opts[] = {
    {.opt = {.name = "listen"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct serve, listen_arg),
     .arg = "ADDR:PORT",
     .section = "",
     .help = "the one address to listen on ([IPV6]:PORT; port 0: any\n"
	     "free one, printed)"},
    {.opt = {.name = "token-file"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct serve, token_file),
     .arg = "FILE",
     .help = "the shared secret a client must prove it holds: the first\n"
	     "line of FILE, 16 to 255 characters, a file only you may\n"
	     "read (the same on the driver's host); without it a new one\n"
	     "is made and printed"},
    {.opt = {.name = "launched"},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct serve, launched),
     .help = "started by a driver's --launch: the token comes on standard\n"
	     "input, and the server ends when standard input closes"},
    {.opt = {.name = "max-size"},
     .type = IPCB_CLI_CALL,
     .parse = max_size_parse,
     .def = "64M",
     .arg = "SIZE",
     .help = "largest message a client may ask for (default 64M)"},
    {.opt = {.name = "max-duration"},
     .type = IPCB_CLI_SECONDS,
     .off = offsetof(struct serve, max_duration_s),
     .fmin = 0.001,
     .fmax = 86400,
     .def = "60",
     .arg = "SECONDS",
     .help = "longest measured time of a run (default 60)"},
    {.opt = {.name = "max-timeout"},
     .type = IPCB_CLI_SECONDS,
     .off = offsetof(struct serve, max_timeout_s),
     .fmin = 1,
     .fmax = 86400,
     .def = "120",
     .arg = "SECONDS",
     .help = "longest timeout of a run (default 120)"},
    {.opt = {.name = "dir"},
     .type = IPCB_CLI_TEXT,
     .off = offsetof(struct serve, dir),
     .arg = "DIR",
     .help = "where runs make their directories (default $TMPDIR or /tmp)"},
    {.opt = {.name = "quiet", .letter = 'q'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct serve, quiet),
     .help = "no line per connection on standard error"},
    {.opt = {.name = "help", .letter = 'h'},
     .type = IPCB_CLI_FLAG,
     .off = offsetof(struct serve, help),
     .help = "the options, briefly"},
    {.opt = {.name = NULL}},
};

static void serve_usage(FILE *f)
{
	fprintf(f, "Usage: ipcbench serve --listen ADDR:PORT [--token-file FILE] [OPTIONS]\n"
		   "The peer of a driver on another host (ipcbench --peer ADDR:PORT --token-file "
		   "FILE):\n"
		   "runs the receiver side of each run the driver asks for, here, over network\n"
		   "transports (those --list marks network), and sends back what it measured.\n");
	ipcb_cli_help(f, serve_opts, 2, 25);
	fprintf(f, "\n"
		   "It answers one connection at a time, ends one that is slow, malformed or "
		   "without\n"
		   "the token with an error, and stops on SIGINT or SIGTERM.\n"
		   "Exit status: 0 stopped by a closed input (--launched), 1 could not listen, 2 "
		   "usage\n"
		   "error, 128+N stopped by signal N.\n");
}

/* --help ends the parse where it stands: what follows is not read. */
static int help_taken(void *ctx, const struct ipcb_clirow *row, const char *typed,
		      const char *value, char *err, size_t errlen)
{
	return row->off == offsetof(struct serve, help) && row->type == IPCB_CLI_FLAG;
}

static int serve_parse(struct serve *sv, int argc, char **argv, char *err, size_t errlen)
{
	const struct ipcb_cli_hooks hooks = {.taken = help_taken};
	int rc = ipcb_cli_defaults(serve_opts, sv, err, errlen);

	if (!rc)
		rc = ipcb_cli_parse(serve_opts, sv, argc, argv, &hooks, err, errlen);
	if (rc > 0)
		serve_usage(stdout);
	if (rc)
		return rc;
	if (!sv->listen_arg) {
		snprintf(err, errlen,
			 "--listen ADDR:PORT is required: the one address to listen on");
		return -EINVAL;
	}
	if (sv->launched && sv->token_file) {
		snprintf(err, errlen,
			 "--launched reads the token from standard input: no --token-file");
		return -EINVAL;
	}
	rc = ipcb_netaddr_parse(sv->listen_arg, false, &sv->addr, &sv->addr_len, err, errlen);
	if (rc) {
		char why[IPCB_ERR_BYTES];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "--listen %.*s", (int)(errlen > 16 ? errlen - 16 : 0), why);
	}
	return rc;
}

/* The CPUs a run's side may be pinned to: ours. */
static void serve_cpus(struct serve *sv)
{
	cpu_set_t set;

	sv->ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && c < IPCB_WIRE_MAX_CPUS; c++)
			if (CPU_ISSET(c, &set))
				sv->cpus[sv->ncpus++] = (uint16_t)c;
	if (sv->ncpus == 0)
		sv->cpus[sv->ncpus++] = 0;
}

static bool serve_cpu_ok(const struct serve *sv, int c)
{
	for (unsigned i = 0; i < sv->ncpus; i++)
		if (sv->cpus[i] == c)
			return true;
	return false;
}

__attribute__((format(printf, 3, 4))) static void serve_log(const struct serve *sv, const char *who,
							    const char *fmt, ...)
{
	va_list ap;

	if (sv->quiet)
		return;
	fprintf(stderr, "%s: %s: ", prog, who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t step_deadline(void)
{
	return ipcb_now_ns() + (uint64_t)(SERVE_STEP_S * 1e9);
}

/* Every option value within its entry's range (a choice among its words). */
static bool options_ok(const struct ipcb_transport *t, const struct ipcb_wire_run *w, char *why,
		       size_t n)
{
	uint32_t count = 0;

	while (t->options && t->options[count].key)
		count++;
	if (w->nopt != count) {
		snprintf(why, n, "%u option values for %s, which has %u options", w->nopt, t->name,
			 count);
		return false;
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct ipcb_option *o = &t->options[i];
		uint64_t v = w->opt[i], max = o->max;
		char word[32];

		if (o->type == IPCB_OPT_BOOL)
			max = 1;
		if (o->type == IPCB_OPT_CHOICE)
			max = ipcb_opt_choice(o, v, word, sizeof(word))[0] ? v : 0;
		if (v > max || (o->type == IPCB_OPT_UINT && v < o->min) ||
		    (o->type == IPCB_OPT_CHOICE && !word[0])) {
			snprintf(why, n, "option %s.%s: %llu is out of its range", t->name, o->key,
				 (unsigned long long)v);
			return false;
		}
	}
	return true;
}

/*
 * May this run go here? The transport a network one that runs here, the sizes, times and
 * counts within our limits, the CPU one of ours. NULL, or why not (in buf).
 */
static const char *serve_check(const struct serve *sv, const struct ipcb_wire_run *w,
			       struct ipcb_run_spec *s, size_t *max_msg, char *buf, size_t n)
{
	const struct ipcb_transport *t = ipcb_transport_find(w->transport);
	const struct ipcb_clirow *rows = ipcb_remote_settings();
	struct ipcb_probe p;
	char why[200];

	/* The driver's settings, each where the run's spec holds it, checked by its own row. */
	if (!rows || ipcb_cli_peer_unpack(rows, w->set, w->nset, s, why, sizeof(why)) < 0) {
		snprintf(buf, n, "the run's settings: %s", rows ? why : "no table to read them by");
		return buf;
	}
	if (s->duration_s == 0 && s->messages == 0) {
		snprintf(buf, n, "neither a duration nor a message count: it would never end");
		return buf;
	}
	if (s->timeout_s <= 0) {
		snprintf(buf, n, "a timeout of 0");
		return buf;
	}

	/*
	 * Only built-in transports: a module is code, and a server that loaded one a client named
	 * would run the client's code on this host.
	 */
	if (!t || ipcb_transport_external(t)) {
		snprintf(buf, n,
			 "no transport '%s' here (serve runs built-in transports only, never a "
			 "module a client names)",
			 w->transport);
		return buf;
	}
	if (!(t->caps & IPCB_CAP_NETWORK) || t->service) {
		snprintf(buf, n,
			 "%s is not a network transport: a server runs only those (see --list)",
			 t->name);
		return buf;
	}
	if (t->unsupported || ipcb_transport_check(t, why, sizeof(why)) < 0) {
		snprintf(buf, n, "%s cannot run here: %s", t->name,
			 t->unsupported ? t->unsupported : why);
		return buf;
	}
	memset(&p, 0, sizeof(p));
	p.max_msg_bytes = t->max_msg_bytes;
	if (t->probe && t->probe(&p) < 0) {
		snprintf(buf, n, "%s cannot run here: %s", t->name, p.reason);
		return buf;
	}
	*max_msg = p.max_msg_bytes;
	if (w->size_bytes > sv->max_size) {
		snprintf(buf, n, "size %llu is above this server's --max-size %zu",
			 (unsigned long long)w->size_bytes, sv->max_size);
		return buf;
	}
	if (p.max_msg_bytes && w->chunk_bytes > p.max_msg_bytes) {
		snprintf(buf, n, "%s carries at most %zu bytes in one operation here, not %llu",
			 t->name, p.max_msg_bytes, (unsigned long long)w->chunk_bytes);
		return buf;
	}
	if (s->duration_s > sv->max_duration_s) {
		snprintf(buf, n, "a duration of %g s is above this server's --max-duration %g",
			 s->duration_s, sv->max_duration_s);
		return buf;
	}
	if (s->timeout_s > sv->max_timeout_s) {
		snprintf(buf, n, "a timeout of %g s is above this server's --max-timeout %g",
			 s->timeout_s, sv->max_timeout_s);
		return buf;
	}
	if (s->messages > sv->max_messages || s->warmup > sv->max_messages) {
		snprintf(buf, n, "%llu messages and %llu warm-up: above this server's %llu",
			 (unsigned long long)s->messages, (unsigned long long)s->warmup,
			 (unsigned long long)sv->max_messages);
		return buf;
	}
	if (w->cpu >= 0 && !serve_cpu_ok(sv, w->cpu)) {
		snprintf(buf, n, "CPU %d is not one this server may use", w->cpu);
		return buf;
	}
	if (w->inflight == 0 || w->inflight > 65536 || (w->rate > 0 && w->rate < 1e-3) ||
	    w->rate > 1e10) {
		snprintf(buf, n, "the load's shape is out of range");
		return buf;
	}
	if (s->cfg.wait != t->fixed_wait && !(t->caps & IPCB_CAP_WAIT_CHOICE)) {
		snprintf(buf, n, "%s waits one way only", t->name);
		return buf;
	}
	if (w->mode != IPCB_MODE_THROUGHPUT && !w->bidirectional) {
		snprintf(buf, n, "requests need their replies: both ways");
		return buf;
	}
	return options_ok(t, w, buf, n) ? NULL : buf;
}

/* Answer one CLOCK: its t1 back, with our clock when it came (t2) and as we answer (t3). */
static int clock_answer(int fd, const struct ipcb_wire_msg *m, uint64_t t2)
{
	struct ipcb_wire_msg *back = ipcb_wire_msgs_new(1);
	int rc;

	if (!back)
		return -ENOMEM;
	back->type = IPCB_WIRE_CLOCK;
	back->clock.t1 = m->clock.t1;
	back->clock.t2 = t2;
	back->clock.t3 = ipcb_now_ns();
	rc = ipcb_remote_send(fd, back);
	free(back);
	return rc;
}

/*
 * What one run needs besides its RUN message: some 10 KB, on the heap, since a server's stack may
 * be small (ulimit -s).
 */
struct serve_one {
	struct ipcb_remote rm;
	struct ipcb_wire_msg m;
	struct ipcb_launcher ln;
	struct ipcb_run_spec s;
	struct ipcb_run_result r;
};

/* One run, from its RUN message: checked, accepted, clocked, run; its end sent back. */
static int serve_run(struct serve *sv, int fd, const char *who, const struct ipcb_wire_run *w)
{
	struct serve_one *o;
	struct ipcb_remote_frame fr;
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);
	char why[IPCB_RUN_ERR_BYTES], host[64];
	size_t max_msg = 0;
	const char *no;
	int rc;

	o = calloc(1, sizeof(*o));
	if (!o) {
		serve_log(sv, who, "refused a run: calloc: %s", strerror(ENOMEM));
		ipcb_remote_send_error(fd, "the server is out of memory", 0);
		return -ENOMEM;
	}
	no = serve_check(sv, w, &o->s, &max_msg, why, sizeof(why));
	if (no) {
		serve_log(sv, who, "refused a run: %s", no);
		ipcb_remote_send_error(fd, no, 0);
		free(o);
		return -EPERM;
	}
	o->rm = (struct ipcb_remote){.elsewhere = IPCB_SENDER, .serving = true, .fd = fd};
	o->m.type = IPCB_WIRE_ACCEPT;
	o->m.accept.max_msg_bytes = max_msg;
	rc = ipcb_remote_send(fd, &o->m);
	/* Clock exchanges, until START says by how much our clock is ahead of the driver's. */
	while (!rc) {
		uint64_t t2;

		rc = ipcb_remote_recv(fd, sv->sigfd, step_deadline(), &fr, &o->m, why, sizeof(why));
		t2 = ipcb_now_ns();
		if (rc)
			break;
		ipcb_remote_frame_free(&fr);
		if (o->m.type == IPCB_WIRE_START)
			break;
		if (o->m.type != IPCB_WIRE_CLOCK) {
			snprintf(why, sizeof(why), "a message out of turn before START");
			rc = -EPROTO;
			break;
		}
		rc = clock_answer(fd, &o->m, t2);
	}
	if (rc) {
		if (rc == -EINTR)
			sv->stop = ipcb_remote_stop_signal();
		serve_log(sv, who, "the run did not start: %s", why[0] ? why : strerror(-rc));
		if (rc == -EBADMSG || rc == -EPROTO)
			ipcb_remote_send_error(fd, why, 0);
		goto free_one;
	}
	o->rm.shift_ns = o->m.start.shift_ns;
	host[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&me, &len) == 0)
		ipcb_netaddr_host_text((struct sockaddr *)&me, host, sizeof(host));

	/* The driver's settings are in o->s already (serve_check): the point's own, here. */
	o->s.t = ipcb_transport_find(w->transport);
	o->s.mode = (enum ipcb_mode)w->mode;
	o->s.size_bytes = w->size_bytes;
	o->s.chunk_bytes = w->chunk_bytes;
	o->s.cpu[IPCB_SENDER] = -1;
	o->s.cpu[IPCB_RECEIVER] = w->cpu;
	o->s.inflight = w->inflight;
	o->s.pairs = 1;
	o->s.rate = w->rate;
	o->s.cfg.msg_bytes = w->chunk_bytes;
	o->s.cfg.dir = sv->dir;
	o->s.cfg.bidirectional = w->bidirectional;
	o->s.cfg.senders = o->s.cfg.receivers = 1;
	memcpy(o->s.cfg.opt, w->opt, sizeof(o->s.cfg.opt));
	o->s.cfg.host = host;
	ipcb_launcher_remote(&o->ln, &o->rm);
	o->s.launcher = &o->ln;
	/* Our side writes and reads message times on the driver's clock (msg.h). */
	ipcb_msg_clock_shift_ns = o->rm.shift_ns;
	rc = ipcb_run_one(&o->s, &o->r);
	ipcb_msg_clock_shift_ns = 0;
	if (rc == -EINTR)
		sv->stop = o->r.signal;
	serve_log(sv, who, "%s %s %llu: %s%s", w->transport,
		  w->mode == IPCB_MODE_LATENCY	  ? "latency"
		  : w->mode == IPCB_MODE_BISTREAM ? "bistream"
						  : "throughput",
		  (unsigned long long)w->size_bytes, rc ? "failed: " : "done",
		  rc ? o->r.error : "");
	ipcb_run_result_fini(&o->r);
free_one:
	free(o);
	return rc;
}

/* One client's connection, from HELLO to BYE (or whatever ends it first). */
static void serve_conn(struct serve *sv, int fd, const char *who)
{
	/* Three messages of some 3 KB each: on the heap, as a server's stack may be small. */
	struct ipcb_wire_msg *msgs = ipcb_wire_msgs_new(3);
	struct ipcb_wire_msg *hello = msgs, *m = msgs + 1, *welcome = msgs + 2;
	struct ipcb_remote_frame fr;
	unsigned char want[IPCB_WIRE_MAC];
	char why[IPCB_RUN_ERR_BYTES];
	int rc;

	if (!msgs) {
		serve_log(sv, who, "refused: calloc: %s", strerror(ENOMEM));
		return;
	}
	hello->type = IPCB_WIRE_HELLO;
	hello->hello.proto = IPCB_WIRE_PROTO;
	hello->hello.little_endian = ipcb_remote_little_endian();
	snprintf(hello->hello.version, sizeof(hello->hello.version), "%s", IPCB_VERSION);
	hello->hello.max_size = sv->max_size;
	hello->hello.max_duration_ns = (uint64_t)(sv->max_duration_s * 1e9);
	hello->hello.max_timeout_ms = (uint64_t)(sv->max_timeout_s * 1e3);
	hello->hello.max_messages = sv->max_messages;
	if (getrandom(hello->hello.nonce, IPCB_WIRE_NONCE, 0) != IPCB_WIRE_NONCE ||
	    ipcb_remote_send(fd, hello) < 0)
		goto free_msgs;
	rc = ipcb_remote_recv(fd, sv->sigfd, step_deadline(), &fr, m, why, sizeof(why));
	if (rc) {
		if (rc == -EINTR)
			sv->stop = ipcb_remote_stop_signal();
		serve_log(sv, who, "no answer to the challenge: %s", why[0] ? why : strerror(-rc));
		if (rc == -EBADMSG)
			ipcb_remote_send_error(fd, why, 0);
		goto free_msgs;
	}
	ipcb_remote_frame_free(&fr);
	if (m->type != IPCB_WIRE_AUTH) {
		serve_log(sv, who, "refused: it did not answer the challenge");
		ipcb_remote_send_error(fd, "the challenge's answer (AUTH) was due", 0);
		goto free_msgs;
	}
	if (m->auth.proto != IPCB_WIRE_PROTO || strcmp(m->auth.version, IPCB_VERSION) ||
	    m->auth.little_endian != ipcb_remote_little_endian()) {
		snprintf(
		    why, sizeof(why),
		    "version mismatch: the server runs ipcbench %s (protocol %d), the driver %s "
		    "(protocol %u): both hosts need the same build",
		    IPCB_VERSION, IPCB_WIRE_PROTO, m->auth.version, m->auth.proto);
		serve_log(sv, who, "refused: %s", why);
		ipcb_remote_send_error(fd, why, 0);
		goto free_msgs;
	}
	ipcb_remote_mac(sv->token, sv->token_len, true, hello->hello.nonce, m->auth.nonce,
			m->auth.version, want);
	if (!ipcb_digest_equal(want, m->auth.mac, IPCB_WIRE_MAC)) {
		serve_log(sv, who, "refused: it does not hold the token");
		ipcb_remote_send_error(fd, "the token does not match the server's", 0);
		goto free_msgs;
	}
	welcome->type = IPCB_WIRE_WELCOME;
	ipcb_remote_mac(sv->token, sv->token_len, false, m->auth.nonce, hello->hello.nonce, NULL,
			welcome->welcome.mac);
	welcome->welcome.si = sv->si;
	welcome->welcome.ncpus = sv->ncpus;
	memcpy(welcome->welcome.cpus, sv->cpus, sv->ncpus * sizeof(sv->cpus[0]));
	ipcb_remote_local_end(fd, welcome->welcome.net, sizeof(welcome->welcome.net));
	rc = ipcb_remote_send(fd, welcome);
	/* Until BYE: clock exchanges and runs, each step within its time limit. */
	while (!rc && !sv->stop) {
		uint64_t t2;

		rc = ipcb_remote_recv(fd, sv->sigfd, step_deadline(), &fr, m, why, sizeof(why));
		t2 = ipcb_now_ns();
		if (rc) {
			if (rc == -EINTR)
				sv->stop = ipcb_remote_stop_signal();
			else if (rc != -EPIPE)
				serve_log(sv, who, "connection ended: %s",
					  why[0] ? why : strerror(-rc));
			if (rc == -EBADMSG)
				ipcb_remote_send_error(fd, why, 0);
			break;
		}
		if (m->type == IPCB_WIRE_CLOCK) {
			rc = clock_answer(fd, m, t2);
		} else if (m->type == IPCB_WIRE_RUN) {
			struct ipcb_wire_run run = m->run;

			ipcb_remote_frame_free(&fr);
			/* A failed run has said so to the driver; the connection goes on. */
			rc = serve_run(sv, fd, who, &run);
			rc = rc == -EPIPE || rc == -ECONNRESET || rc == -EINTR ? rc : 0;
		} else if (m->type != IPCB_WIRE_BYE) {
			char name[32];

			snprintf(why, sizeof(why), "%s was not expected here",
				 ipcb_wire_type_name(m->type, name, sizeof(name)));
			serve_log(sv, who, "ended: %s", why);
			ipcb_remote_send_error(fd, why, 0);
			rc = -EPROTO;
		} else {
			rc = 1;
		}
		ipcb_remote_frame_free(&fr);
	}
free_msgs:
	free(msgs);
}

/* The listening socket on exactly the address given. */
static int serve_listen(struct serve *sv, char *err, size_t errlen)
{
	int one = 1;
	char at[160];

	ipcb_netaddr_text((struct sockaddr *)&sv->addr, at, sizeof(at));
	sv->lfd = socket(sv->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv->lfd < 0 || setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(sv->lfd, (struct sockaddr *)&sv->addr, sv->addr_len) < 0 ||
	    listen(sv->lfd, 8) < 0 ||
	    getsockname(sv->lfd, (struct sockaddr *)&sv->addr, &sv->addr_len) < 0) {
		snprintf(err, errlen, "--listen %s: %s", at, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * The server up to its first connection: options, token, signals, the listening socket. The exit
 * status when it ends here, or -1 to go on. Not inlined: its frame is gone before the runs fork
 * their sides, which start from the depth the stack has then (and it may be small: ulimit -s).
 */
__attribute__((noinline)) static int serve_start(struct serve *sv, int argc, char **argv)
{
	char err[IPCB_ERR_BYTES], at[160];
	int rc;

	memset(sv, 0, sizeof(*sv));
	sv->max_messages = 1000000000000ull;
	sv->lfd = sv->sigfd = -1;
	rc = serve_parse(sv, argc, argv, err, sizeof(err));
	if (rc > 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "%s: %s\nTry 'ipcbench serve --help' for more information.\n", prog,
			err);
		return 2;
	}
	if (!sv->dir) {
		const char *tmp = getenv("TMPDIR");

		sv->dir = tmp && *tmp ? tmp : "/tmp";
	}
	if (sv->launched || sv->token_file)
		rc = ipcb_token_read(sv->launched ? "-" : sv->token_file, sv->token, &sv->token_len,
				     err, sizeof(err));
	else
		rc = ipcb_token_make(sv->token, &sv->token_len);
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	/* A crash of the server takes what its runs made with it (crash.h). */
	ipcb_crash_guard_install(sv->dir);
	rc = ipcb_run_signals_block();
	if (!rc)
		rc = sv->sigfd = ipcb_run_signal_fd();
	if (rc < 0) {
		fprintf(stderr, "%s: signals: %s\n", prog, strerror(-rc));
		return 1;
	}
	if (serve_listen(sv, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	ipcb_sysinfo_read(&sv->si);
	serve_cpus(sv);
	ipcb_netaddr_text((struct sockaddr *)&sv->addr, at, sizeof(at));
	/* The first line of standard output: a launching driver reads the port from it. */
	printf("%s: listening on %s\n", prog, at);
	if (!sv->launched && !sv->token_file)
		printf("%s: token %.*s (put it in a file only you can read, on the driver's host: "
		       "--token-file FILE)\n",
		       prog, (int)sv->token_len, (const char *)sv->token);
	fflush(stdout);
	return -1;
}

int ipcb_serve_main(int argc, char **argv)
{
	static struct serve sv;
	int rc = serve_start(&sv, argc, argv);

	if (rc >= 0)
		return rc;
	while (!sv.stop) {
		struct pollfd p[3] = {{.fd = sv.lfd, .events = POLLIN},
				      {.fd = sv.sigfd, .events = POLLIN},
				      {.fd = STDIN_FILENO, .events = POLLIN}};
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		char who[160];
		int fd, one = 1;

		if (poll(p, sv.launched ? 3 : 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			sv.stop = ipcb_run_interrupt_pending();
			if (sv.stop)
				break;
			/* A SIGCHLD of a run already reaped: nothing to do. */
			{
				struct timespec zero = {0, 0};
				sigset_t chld;

				sigemptyset(&chld);
				sigaddset(&chld, SIGCHLD);
				while (sigtimedwait(&chld, NULL, &zero) > 0)
					;
			}
		}
		if (sv.launched && p[2].revents) {
			char buf[64];
			ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));

			/* The driver that started us is gone, or done with us. */
			if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
				break;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(sv.lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ipcb_netaddr_text((struct sockaddr *)&peer, who, sizeof(who));
		serve_conn(&sv, fd, who);
		close(fd);
	}
	close(sv.lfd);
	if (sv.stop) {
		if (!sv.quiet)
			fprintf(stderr, "%s: stopped by %s\n", prog, strsignal(sv.stop));
		return 128 + sv.stop;
	}
	return 0;
}

const struct ipcb_command ipcb_command_serve = {
    .name = "serve",
    .synopsis = "--listen ADDR:PORT [...]       the peer of --peer (see serve --help)",
    .fn = ipcb_serve_main,
    .flags = IPCB_CMD_IO_CHECKED,
};
