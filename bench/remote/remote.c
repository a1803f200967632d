/* SPDX-License-Identifier: MIT */
/*
 * remote.c - a run across two hosts: the driver's session with the peer: its end of the control
 * connection, the token's challenge and response, the clock exchanges, and starting the server
 * through a launch prefix; see remote.h. What both ends of a connection use (the token, the
 * frames) is control.c's; the stand-in sides and the launcher, standin.c's.
 */
#include "remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "conn.h"
#include "launch.h"
#include "sha256.h"
#include "version.h"

/* How long a launched server may take to say where it listens, and to end when told. */
#define LAUNCH_READY_S 30.0
#define LAUNCH_STOP_S  5.0

/* ---- the driver's end of a connection ------------------------------------------------------- */

/* What went wrong on the connection, as one line: "<peer>: <what>: <why>". */
int ipcb_remote_conn_fail(const struct ipcb_remote *rm, int rc, const char *what, const char *why,
			  char *err)
{
	if (rc == -EPIPE || rc == -ECONNRESET)
		snprintf(err, IPCB_RUN_ERR_BYTES,
			 "the peer at %s closed the control connection %s (its server stopped or "
			 "was killed?)",
			 rm->peer_text, what);
	else if (rc == -EBADMSG)
		snprintf(err, IPCB_RUN_ERR_BYTES, "the peer at %s sent a bad message %s: %s",
			 rm->peer_text, what, why);
	else if (rc == -ETIMEDOUT)
		snprintf(err, IPCB_RUN_ERR_BYTES, "the peer at %s did not answer %s within %.0f s",
			 rm->peer_text, what, REMOTE_STEP_S);
	else
		snprintf(err, IPCB_RUN_ERR_BYTES, "control connection to %s, %s: %s", rm->peer_text,
			 what, strerror(-rc));
	return rc;
}

/* "receiver: x" from the peer, where this stand-in is the receiver: "x". */
static const char *strip_side(const char *text, const struct ipcb_side *me)
{
	char name[32];
	size_t n;

	if (!me)
		return text;
	ipcb_side_name(me, 1, 1, name, sizeof(name));
	n = strlen(name);
	return strncmp(text, name, n) == 0 && text[n] == ':' && text[n + 1] == ' ' ? text + n + 2
										   : text;
}

/*
 * The peer failed: its text; in a stand-in (me), its time on our clock too, so that the launch
 * weighs it against our sides' failures.
 */
int ipcb_remote_peer_failed(const struct ipcb_remote *rm, const struct ipcb_wire_msg *m,
			    const struct ipcb_side *me, char *err)
{
	snprintf(err, IPCB_RUN_ERR_BYTES, "%.300s (on the peer, %.80s)",
		 strip_side(m->error.text, me), rm->peer_text);
	if (me && m->error.when_ns)
		ipcb_side_failed_at(m->error.when_ns);
	return -EREMOTEIO;
}

/*
 * Receive the message `want` (an ERROR instead fails with its text: ipcb_remote_peer_failed).
 * deadline 0: none (a stand-in's launch has its own). me: the stand-in's side, NULL outside a
 * launch.
 */
int ipcb_remote_expect(const struct ipcb_remote *rm, int fd, enum ipcb_wire_type want,
		       uint64_t deadline_ns, struct ipcb_remote_frame *fr, struct ipcb_wire_msg *m,
		       const char *what, const struct ipcb_side *me, char *err)
{
	char why[IPCB_RUN_ERR_BYTES], name[32];
	int rc = ipcb_remote_recv(fd, -1, deadline_ns, fr, m, why, sizeof(why));

	if (rc)
		return ipcb_remote_conn_fail(rm, rc, what, why, err);
	if (m->type == IPCB_WIRE_ERROR) {
		ipcb_remote_frame_free(fr);
		return ipcb_remote_peer_failed(rm, m, me, err);
	}
	if (m->type != want) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "the peer at %s sent %s %s, where %s was due",
			 rm->peer_text, ipcb_wire_type_name(m->type, name, sizeof(name)), what,
			 ipcb_wire_type_name(want, why, sizeof(why)));
		ipcb_remote_frame_free(fr);
		return -EPROTO;
	}
	return 0;
}

/* A TCP connection to the peer within limit_s. The descriptor, or -errno with err. */
int ipcb_remote_dial(const struct ipcb_remote *rm, double limit_s, char *err)
{
	int fd = socket(rm->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	int rc = 0, soerr = 0;
	socklen_t elen = sizeof(soerr);

	if (fd < 0)
		return ipcb_remote_conn_fail(rm, -errno, "(socket)", "", err);
	if (connect(fd, (const struct sockaddr *)&rm->peer, rm->peer_len) < 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
		} else {
			rc = ipcb_remote_wait(fd, POLLOUT, -1,
					      ipcb_now_ns() + (uint64_t)(limit_s * 1e9));
			if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
				rc = -errno;
			if (!rc && soerr)
				rc = -soerr;
		}
	}
	/* Blocking from here on; small messages go out at once (the clock exchanges). */
	if (!rc && (fcntl(fd, F_SETFL, 0) < 0 ||
		    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0))
		rc = -errno;
	if (rc) {
		close(fd);
		if (rc == -ETIMEDOUT)
			snprintf(err, IPCB_RUN_ERR_BYTES, "connect to %s: no answer within %.0f s",
				 rm->peer_text, limit_s);
		else
			snprintf(err, IPCB_RUN_ERR_BYTES, "connect to %s: %s%s", rm->peer_text,
				 strerror(-rc),
				 rc == -ECONNREFUSED ? " (is `ipcbench serve` running there?)"
						     : "");
		return rc;
	}
	return fd;
}

/*
 * Connect and prove the token both ways: the server's HELLO (same protocol, byte order and
 * build, or a clear error), our AUTH, its WELCOME with its own proof. *welcome filled.
 */
int ipcb_remote_connect(const struct ipcb_remote *rm, struct ipcb_wire_msg *welcome, char *err)
{
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(REMOTE_STEP_S * 1e9);
	struct ipcb_remote_frame fr;
	struct ipcb_wire_msg *hello, *auth;
	unsigned char want[IPCB_WIRE_MAC];
	int fd, rc;

	hello = ipcb_wire_msgs_new(2);
	if (!hello) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "calloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	auth = hello + 1;
	auth->type = IPCB_WIRE_AUTH;
	fd = ipcb_remote_dial(rm, REMOTE_STEP_S, err);
	if (fd < 0) {
		free(hello);
		return fd;
	}
	rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_HELLO, deadline, &fr, hello, "(its greeting)",
				NULL, err);
	if (rc)
		goto fail;
	ipcb_remote_frame_free(&fr);
	if (hello->hello.proto != IPCB_WIRE_PROTO || strcmp(hello->hello.version, IPCB_VERSION) ||
	    hello->hello.little_endian != ipcb_remote_little_endian()) {
		snprintf(
		    err, IPCB_RUN_ERR_BYTES,
		    "version mismatch: the peer at %s runs ipcbench %s (protocol %u, %s-endian), "
		    "this is %s (protocol %d, %s-endian): both hosts need the same build",
		    rm->peer_text, hello->hello.version, hello->hello.proto,
		    hello->hello.little_endian ? "little" : "big", IPCB_VERSION, IPCB_WIRE_PROTO,
		    ipcb_remote_little_endian() ? "little" : "big");
		ipcb_remote_send_error(fd, "version mismatch (the driver's is " IPCB_VERSION ")",
				       0);
		rc = -EPROTO;
		goto fail;
	}
	auth->auth.proto = IPCB_WIRE_PROTO;
	auth->auth.little_endian = ipcb_remote_little_endian();
	snprintf(auth->auth.version, sizeof(auth->auth.version), "%s", IPCB_VERSION);
	if (getrandom(auth->auth.nonce, IPCB_WIRE_NONCE, 0) != IPCB_WIRE_NONCE) {
		rc = ipcb_remote_conn_fail(rm, -EIO, "(getrandom)", "", err);
		goto fail;
	}
	ipcb_remote_mac(rm->token, rm->token_len, true, hello->hello.nonce, auth->auth.nonce,
			IPCB_VERSION, auth->auth.mac);
	rc = ipcb_remote_send(fd, auth);
	if (rc) {
		ipcb_remote_conn_fail(rm, rc, "(sending the response)", "", err);
		goto fail;
	}
	rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_WELCOME, deadline, &fr, welcome, "(its welcome)",
				NULL, err);
	if (rc)
		goto fail;
	ipcb_remote_frame_free(&fr);
	ipcb_remote_mac(rm->token, rm->token_len, false, auth->auth.nonce, hello->hello.nonce, NULL,
			want);
	if (!ipcb_digest_equal(want, welcome->welcome.mac, IPCB_WIRE_MAC)) {
		snprintf(err, IPCB_RUN_ERR_BYTES,
			 "the peer at %s does not hold the token: it is not the server you meant",
			 rm->peer_text);
		rc = -EACCES;
		goto fail;
	}
	free(hello);
	return fd;
fail:
	close(fd);
	free(hello);
	return rc;
}

/*
 * NTP-style exchanges: we send t1 (our clock), the peer answers with t2 (its clock on arrival)
 * and t3 (on reply), we read t4. The peer's clock minus ours then lies in [t3 - t4, t2 - t1]
 * (each message takes no negative time); the intersection over all rounds holds the offset.
 */
int ipcb_remote_clock_measure(const struct ipcb_remote *rm, int fd, unsigned rounds,
			      struct ipcb_remote_clock *c, const struct ipcb_side *me, char *err)
{
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(REMOTE_STEP_S * 1e9);
	struct ipcb_wire_msg *m = ipcb_wire_msgs_new(2), *back = m + 1;
	int rc = 0;

	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "clock exchange: calloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	c->lo_ns = INT64_MIN;
	c->hi_ns = INT64_MAX;
	c->rtt_ns = UINT64_MAX;
	c->rounds = 0;
	m->type = IPCB_WIRE_CLOCK;
	for (unsigned i = 0; i < rounds && !rc; i++) {
		struct ipcb_remote_frame fr;
		uint64_t t4;
		int64_t lo, hi;

		m->clock.t1 = ipcb_now_ns();
		rc = ipcb_remote_send(fd, m);
		if (rc) {
			ipcb_remote_conn_fail(rm, rc, "(clock exchange)", "", err);
			break;
		}
		rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_CLOCK, deadline, &fr, back,
					"(clock exchange)", me, err);
		t4 = ipcb_now_ns();
		if (rc)
			break;
		ipcb_remote_frame_free(&fr);
		if (back->clock.t1 != m->clock.t1 || back->clock.t3 < back->clock.t2) {
			snprintf(err, IPCB_RUN_ERR_BYTES,
				 "the peer at %s answered a clock exchange with another's times",
				 rm->peer_text);
			rc = -EPROTO;
			break;
		}
		lo = (int64_t)(back->clock.t3 - t4);
		hi = (int64_t)(back->clock.t2 - m->clock.t1);
		if (lo > c->lo_ns)
			c->lo_ns = lo;
		if (hi < c->hi_ns)
			c->hi_ns = hi;
		if (t4 - m->clock.t1 < c->rtt_ns)
			c->rtt_ns = t4 - m->clock.t1;
		c->rounds++;
	}
	free(m);
	if (rc)
		return rc;
	if (c->lo_ns > c->hi_ns) {
		snprintf(err, IPCB_RUN_ERR_BYTES,
			 "the clock exchanges with %s contradict each other (offset above %lld ns "
			 "and below %lld ns): a clock was stepped?",
			 rm->peer_text, (long long)c->lo_ns, (long long)c->hi_ns);
		return -ERANGE;
	}
	c->offset_ns = c->lo_ns + (c->hi_ns - c->lo_ns) / 2;
	return 0;
}

/* ---- the session ---------------------------------------------------------------------------- */

bool ipcb_remote_cpu_ok(const struct ipcb_remote *rm, int c)
{
	for (unsigned i = 0; i < rm->npeer_cpus; i++)
		if (rm->peer_cpus[i] == c)
			return true;
	return false;
}

pid_t ipcb_launch_prefix_spawn(const char *prefix, char *const argv[], int *in_fd, int *out_fd)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, e;
	size_t argc = 0;
	char **args;
	pid_t pid;

	while (argv[argc])
		argc++;
	args = calloc(argc + 5, sizeof(*args));
	if (!args)
		return -ENOMEM;
	/*
	 * The prefix is the user's own shell words (a simple command: `exec` puts it in the
	 * shell's place, so the pid is the prefix's, and the server's where it execs); the command
	 * follows as "$@", each argument a word of its own.
	 */
	args[0] = "sh";
	args[1] = "-c";
	args[2] = NULL;
	if (asprintf(&args[2], "exec %s \"$@\"", prefix) < 0) {
		free(args);
		return -ENOMEM;
	}
	args[3] = "ipcbench-launch";
	for (size_t i = 0; i < argc; i++)
		args[4 + i] = argv[i];
	if ((in_fd && pipe2(in, O_CLOEXEC) < 0) || (out_fd && pipe2(out, O_CLOEXEC) < 0)) {
		e = -errno;
		goto fail;
	}
	{
		sigset_t none;
		/* Dies with the driver; its own group, so that it is stopped as a whole. */
		const struct ipcb_spawn sp = {.path = "/bin/sh",
					      .path_search = 1,
					      .argv = args,
					      .in = in_fd ? in[0] : IPCB_SPAWN_NULL,
					      .out = out_fd ? out[1] : IPCB_SPAWN_NULL,
					      .own_group = 1,
					      .mask = &none,
					      .default_signals = 1,
					      .death_signal = SIGKILL,
					      .what = "ipcbench: the launch prefix"};

		sigemptyset(&none);
		pid = ipcb_spawn_start(&sp);
	}
	if (pid < 0) {
		e = (int)pid;
		goto fail;
	}
	if (in_fd) {
		close(in[0]);
		*in_fd = in[1];
	}
	if (out_fd) {
		close(out[1]);
		*out_fd = out[0];
	}
	free(args[2]);
	free(args);
	return pid;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(args[2]);
	free(args);
	return e;
}

void ipcb_serve_launched_stop(pid_t *pid, int *in)
{
	uint64_t give_up;
	int status;

	if (*in >= 0)
		close(*in);
	*in = -1;
	if (*pid <= 0)
		return;
	for (int step = 0; step < 3; step++) {
		give_up = ipcb_now_ns() + (uint64_t)(LAUNCH_STOP_S * 1e9);
		if (step == 1)
			kill(-*pid, SIGTERM);
		if (step == 2)
			kill(-*pid, SIGKILL);
		while (ipcb_now_ns() < give_up) {
			struct timespec ms = {0, 10000000};
			pid_t got = waitpid(*pid, &status, WNOHANG);

			if (got == *pid || (got < 0 && errno == ECHILD)) {
				/* Whatever the prefix left in its group goes with it. */
				kill(-*pid, SIGKILL);
				*pid = 0;
				return;
			}
			nanosleep(&ms, NULL);
		}
	}
	*pid = 0;
}

static void launched_stop(struct ipcb_remote *rm)
{
	ipcb_serve_launched_stop(&rm->server_pid, &rm->server_in);
}

int ipcb_serve_launch(const char *launch, const char *binary, const char *host,
		      const unsigned char *token, size_t token_len, pid_t *pidp, int *in,
		      unsigned *port, char *err, size_t errlen)
{
	char listen_at[300], line[320] = "", *argv[7], what[300];
	uint64_t deadline = ipcb_now_ns() + (uint64_t)(LAUNCH_READY_S * 1e9);
	size_t n = 0;
	int out = -1, rc = 0;
	pid_t pid;

	*pidp = 0;
	*in = -1;
	*port = 0;
	if (*launch)
		snprintf(what, sizeof(what), "--launch '%s'", launch);
	else
		snprintf(what, sizeof(what), "%s serve", binary);
	snprintf(listen_at, sizeof(listen_at), "%s%s%s:0", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "");
	argv[0] = (char *)binary;
	argv[1] = "serve";
	argv[2] = "--listen";
	argv[3] = listen_at;
	argv[4] = "--launched";
	argv[5] = "-q"; /* its runs' failures come back to the driver, which says them */
	argv[6] = NULL;
	pid = ipcb_launch_prefix_spawn(launch, argv, in, &out);
	if (pid < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror((int)-pid));
		return (int)pid;
	}
	*pidp = pid;
	rc = ipcb_remote_write_all(*in, token, token_len);
	if (!rc)
		rc = ipcb_remote_write_all(*in, (const unsigned char *)"\n", 1);
	/* Its first line: "ipcbench serve: listening on HOST port PORT". */
	while (!rc && n < sizeof(line) - 1) {
		ssize_t got;

		rc = ipcb_remote_wait(out, POLLIN, -1, deadline);
		if (rc)
			break;
		got = read(out, line + n, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rc = -EPIPE;
			break;
		}
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(out);
	if (!rc) {
		const char *p = strstr(line, " port ");
		char *end;
		unsigned long got = p ? strtoul(p + 6, &end, 10) : 0;

		if (!p || got == 0 || got > 65535)
			rc = -EPROTO;
		else
			*port = (unsigned)got;
	}
	if (rc) {
		snprintf(err, errlen,
			 "%s: the server did not say where it listens (%s%s%s): is %s there, and "
			 "can it listen on %s?",
			 what, rc == -ETIMEDOUT ? "nothing within the time limit" : strerror(-rc),
			 line[0] ? "; it said: " : "", line, binary, listen_at);
		ipcb_serve_launched_stop(pidp, in);
	}
	return rc;
}

/*
 * Start `ipcbench serve --listen HOST:0 --launched` through the prefix, hand it the token on its
 * standard input, and read where it listens from its standard output.
 */
static int launched_start(struct ipcb_remote *rm, const char *host, const char *launch,
			  const char *binary, char *err, size_t errlen)
{
	unsigned port;
	int rc = ipcb_serve_launch(launch, binary, host, rm->token, rm->token_len, &rm->server_pid,
				   &rm->server_in, &port, err, errlen);

	if (rc)
		return rc;
	if (rm->peer.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&rm->peer)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&rm->peer)->sin_port = htons((uint16_t)port);
	return 0;
}

int ipcb_remote_open(struct ipcb_remote *rm, const char *peer, const char *token_file,
		     const char *launch, const char *binary, double timeout_s, char *err,
		     size_t errlen)
{
	struct ipcb_wire_msg *welcome = NULL;
	char host[256], e[IPCB_RUN_ERR_BYTES], local[200];
	int fd, rc;

	(void)timeout_s;
	memset(rm, 0, sizeof(*rm));
	rm->elsewhere = IPCB_RECEIVER;
	rm->fd = rm->server_in = -1;
	rm->peer_cpu = -1;
	rm->sh = ipcb_run_area_map(sizeof(*rm->sh));
	if (!rm->sh) {
		snprintf(err, errlen, "--peer: mmap: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = ipcb_netaddr_parse(peer, launch != NULL, &rm->peer, &rm->peer_len, e, sizeof(e));
	if (rc) {
		snprintf(err, errlen, "--peer %s", e);
		goto fail;
	}
	if (token_file)
		rc = ipcb_token_read(token_file, rm->token, &rm->token_len, err, errlen);
	else if (launch)
		rc = ipcb_token_make(rm->token, &rm->token_len);
	else {
		snprintf(
		    err, errlen,
		    "--peer %s: give --token-file FILE (the token `ipcbench serve` was given or "
		    "printed), or --launch PREFIX to start the server",
		    peer);
		rc = -EINVAL;
	}
	if (rc)
		goto fail;
	if (launch) {
		ipcb_netaddr_host_text((struct sockaddr *)&rm->peer, host, sizeof(host));
		rc = launched_start(rm, host, launch, binary, err, errlen);
		if (rc)
			goto fail;
	}
	ipcb_netaddr_text((struct sockaddr *)&rm->peer, rm->peer_text, sizeof(rm->peer_text));
	welcome = ipcb_wire_msgs_new(1);
	if (!welcome) {
		rc = -ENOMEM;
		snprintf(err, errlen, "--peer: calloc: %s", strerror(ENOMEM));
		goto fail;
	}
	fd = ipcb_remote_connect(rm, welcome, e);
	if (fd < 0) {
		rc = fd;
		snprintf(err, errlen, "--peer: %s", e);
		goto fail;
	}
	rm->peer_si = welcome->welcome.si;
	rm->npeer_cpus = welcome->welcome.ncpus;
	memcpy(rm->peer_cpus, welcome->welcome.cpus, rm->npeer_cpus * sizeof(rm->peer_cpus[0]));
	/* Its side by default on its second CPU (the first is often busy with interrupts). */
	rm->peer_cpu = rm->peer_cpus[rm->npeer_cpus > 1 ? 1 : 0];
	{
		struct sockaddr_storage me;
		socklen_t len = sizeof(me);

		if (getsockname(fd, (struct sockaddr *)&me, &len) == 0)
			ipcb_netaddr_host_text((struct sockaddr *)&me, rm->local_host,
					       sizeof(rm->local_host));
	}
	ipcb_remote_local_end(fd, local, sizeof(local));
	rc = ipcb_remote_clock_measure(rm, fd, CLOCK_ROUNDS_SESSION, &rm->clock, NULL, e);
	if (rc) {
		snprintf(err, errlen, "--peer: %s", e);
		close(fd);
		goto fail;
	}
	snprintf(rm->path, sizeof(rm->path), "%.140s -> %.140s; control round trip %.1f us", local,
		 welcome->welcome.net, (double)rm->clock.rtt_ns / 1e3);
	ipcb_remote_send_type(fd, IPCB_WIRE_BYE);
	close(fd);
	free(welcome);
	return 0;
fail:
	free(welcome);
	ipcb_remote_close(rm);
	return rc;
}

void ipcb_remote_close(struct ipcb_remote *rm)
{
	launched_stop(rm);
	ipcb_run_area_unmap(rm->sh, sizeof(*rm->sh));
	rm->sh = NULL;
}
