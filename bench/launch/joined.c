/* SPDX-License-Identifier: MIT */
/*
 * joined.c - sides that a transport's runtime starts instead of fork (MPI ranks under mpirun):
 * the side's half (it joins the driver over a Unix socket of the run, or over TCP from another
 * host through a relay, takes the run's spec, says when it fails, sends its results, says
 * goodbye), and the driver's half, the way of starting sides that the one launch loop
 * (launch.c) takes for them: run the runtime's command, answer each side's hello with the spec,
 * take the messages only a joined side sends; see launch.h.
 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "area.h"
#include "child.h"
#include "clock.h"
#include "crash.h"
#include "rundir.h"

/* ---- a side's half: joining the driver ------------------------------------------------------- */

/*
 * A side the driver did not fork (an MPI rank) reaches it over a Unix socket in the run's
 * directory instead of an inherited socket pair: it says hello with its number, gets the run's
 * spec, and from then on speaks the same control messages as a forked side. What a forked side
 * leaves in the shared control area (its error, when it failed) it sends as a message instead,
 * and it says goodbye before it exits, so that a connection closed without one is a side that
 * died. A crash is reported by the side's own handler (the signal's number) before it dies.
 */
/* The joined side's own control slot (a forked side's is in memory the driver shares). */
static struct side_ctl joined_ctl;
static bool joined_failed;

/*
 * A joined side says it failed as soon as it knows, not when it exits: its peer may be blocked
 * in the runtime's own calls, and closing its endpoint (MPI_Finalize) can wait for that peer;
 * the driver, told, ends the launch and kills both. Once: the first error is the cause.
 */
static void joined_fail(const char *err)
{
	struct ctl_fail f = {.h = {.type = CTL_FAIL}};

	if (!ipcb_side_state.joined || joined_failed)
		return;
	joined_failed = true;
	f.fail_ns = joined_ctl.fail_ns ? joined_ctl.fail_ns : ipcb_now_ns();
	snprintf(f.err, sizeof(f.err), "%s", err && err[0] ? err : "failed");
	send(ipcb_side_state.fd, &f, sizeof(f), MSG_NOSIGNAL);
}

static int ctl_recv_exact(int fd, void *buf, size_t want, size_t *got)
{
	ssize_t n;

	while ((n = recv(fd, buf, want, 0)) < 0)
		if (errno != EINTR)
			return -errno;
	if (n == 0)
		return -EPIPE;
	*got = (size_t)n;
	return 0;
}

/*
 * A side on another host reaches the driver over TCP, a byte stream, where the control messages
 * need their boundaries (SOCK_SEQPACKET): on each end a thread relays between the TCP
 * connection, in frames (a 4-byte length in network order, then the message), and one end of
 * a local socket pair, whose other end the side or the launch uses as it would a Unix
 * connection. Everything else of the control protocol stays as it is. The thread ends, closing
 * both of its descriptors, when either end closes or fails, so closing the pair's end is how
 * its user stops it.
 */
#define RELAY_MAX (sizeof(struct ctl_hdr) + 65536 + 64)

struct relay {
	int tcp, seq;
	char key[72]; /* the driver's end: the first frame must be this ("": no check) */
};

static int relay_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int relay_frame(int fd, const void *buf, size_t len)
{
	uint32_t be = htonl((uint32_t)len);
	int rc = relay_write(fd, &be, sizeof(be));

	return rc ? rc : relay_write(fd, buf, len);
}

/* The first frame, within a few seconds: a connection that says nothing is dropped. */
static bool relay_key_ok(struct relay *r, unsigned char *in)
{
	size_t have = 0, want = strlen(r->key);
	uint64_t end = ipcb_now_ns() + 5000000000ull;
	unsigned diff = 0;

	while (have < 4 + want) {
		struct pollfd p = {.fd = r->tcp, .events = POLLIN};
		uint64_t now = ipcb_now_ns();
		ssize_t n;

		if (now >= end || poll(&p, 1, (int)((end - now) / 1000000u) + 1) <= 0)
			return false;
		n = recv(r->tcp, in + have, 4 + want - have, MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			return false;
		have += n > 0 ? (size_t)n : 0;
		if (have >= 4 && ntohl(*(uint32_t *)in) != want)
			return false;
	}
	for (size_t i = 0; i < want; i++)
		diff |= (unsigned)(in[4 + i] ^ (unsigned char)r->key[i]);
	return diff == 0;
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	unsigned char *in = malloc(2 * RELAY_MAX + 8), *msg = in ? in + RELAY_MAX + 8 : NULL;
	size_t have = 0;

	if (!in || (r->key[0] && !relay_key_ok(r, in)))
		goto out;
	for (;;) {
		struct pollfd p[2] = {{.fd = r->tcp, .events = POLLIN},
				      {.fd = r->seq, .events = POLLIN}};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			n = recv(r->seq, msg, RELAY_MAX, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (n > 0 && relay_frame(r->tcp, msg, (size_t)n) < 0)
				break;
		}
		if (p[0].revents) {
			n = recv(r->tcp, in + have, RELAY_MAX + 4 - have, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			have += n > 0 ? (size_t)n : 0;
			while (have >= 4) {
				size_t len = ntohl(*(uint32_t *)in);

				if (len == 0 || len > RELAY_MAX)
					goto out; /* not a frame of ours */
				if (have < 4 + len)
					break;
				if (relay_write(r->seq, in + 4, len) < 0)
					goto out;
				memmove(in, in + 4 + len, have - 4 - len);
				have -= 4 + len;
			}
		}
	}
out:
	shutdown(r->tcp, SHUT_RDWR);
	close(r->tcp);
	close(r->seq);
	free(in);
	free(r);
	return NULL;
}

/*
 * Start a relay for tcp (which it then owns): the local end to use, or -errno. With th, the
 * thread is left to be joined (a side's: see side_leave); without, it is detached.
 */
static int relay_start(int tcp, const char *key, pthread_t *th_out)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct timeval tv = {5, 0};
	int pair[2], one = 1, rc;
	pthread_attr_t at;
	pthread_t th;

	if (!r) {
		close(tcp);
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		rc = -errno;
		close(tcp);
		free(r);
		return rc;
	}
	/* A peer that stops reading cannot hold the relay forever; control messages are small. */
	setsockopt(tcp, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->tcp = tcp;
	r->seq = pair[1];
	snprintf(r->key, sizeof(r->key), "%s", key ? key : "");
	pthread_attr_init(&at);
	if (!th_out)
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = -pthread_create(th_out ? th_out : &th, &at, relay_main, r);
	pthread_attr_destroy(&at);
	if (rc) {
		close(tcp);
		close(pair[1]);
		close(pair[0]);
		free(r);
		return rc;
	}
	return pair[0];
}

static pthread_t side_relay;
static bool side_relayed;

/* "tcp:HOST:PORT" or "tcp:[V6]:PORT": a connection to it, proven with the run's key. */
static int join_tcp(const char *ctl, char *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST},
			*ai = NULL;
	const char *key = getenv(IPCB_RANK_KEY_ENV), *colon = strrchr(ctl, ':');
	char host[128];
	int fd, rc;
	size_t hl;

	if (!colon || colon <= ctl + 4 || !key || !*key || strlen(key) > 64) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control %s: %s", ctl,
			 !key || !*key ? "$" IPCB_RANK_KEY_ENV " is not set" : "not tcp:HOST:PORT");
		return -EINVAL;
	}
	hl = (size_t)(colon - (ctl + 4));
	if (ctl[4] == '[' && hl >= 2 && colon[-1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)hl - 2, ctl + 5);
	else
		snprintf(host, sizeof(host), "%.*s", (int)hl, ctl + 4);
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "getaddrinfo(%s): %s", ctl, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = -errno;
		snprintf(err, IPCB_RUN_ERR_BYTES, "connect(%s): %s", ctl, strerror(-rc));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	rc = relay_frame(fd, key, strlen(key));
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(key): %s", strerror(-rc));
		close(fd);
		return rc;
	}
	rc = relay_start(fd, NULL, &side_relay);
	if (rc < 0)
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(relay): %s", strerror(-rc));
	side_relayed = rc >= 0;
	return rc;
}

/*
 * A relayed side's last messages (its results, its goodbye) are still in the pair when it is
 * done: the process must not exit before the relay has sent them on. Closing this end for
 * writing ends the relay once it has passed on what was queued.
 */
static void side_leave(void)
{
	if (!side_relayed)
		return;
	side_relayed = false;
	shutdown(ipcb_side_state.fd, SHUT_WR);
	pthread_join(side_relay, NULL);
}

int ipcb_side_join(const char *ctl, unsigned number, void *spec, size_t spec_bytes, char *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ctl_hello hello = {.h = {.type = CTL_HELLO}, .number = number, .pid = getpid()};
	struct {
		struct ctl_hdr h;
		unsigned char spec[65536];
	} *m = malloc(sizeof(*m));
	size_t got = 0;
	int fd = -1, rc;

	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "malloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (strncmp(ctl, "tcp:", 4) == 0) {
		rc = fd = join_tcp(ctl, err);
		if (rc < 0)
			goto out;
	} else {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", ctl);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			rc = -errno;
			snprintf(err, IPCB_RUN_ERR_BYTES, "connect(%s): %s", ctl, strerror(-rc));
			goto out;
		}
	}
	while (send(fd, &hello, sizeof(hello), MSG_NOSIGNAL) < 0)
		if (errno != EINTR) {
			rc = -errno;
			snprintf(err, IPCB_RUN_ERR_BYTES, "control(hello): %s", strerror(-rc));
			goto out;
		}
	rc = ctl_recv_exact(fd, m, sizeof(*m), &got);
	if (!rc && (got != sizeof(m->h) + spec_bytes || m->h.type != CTL_SPEC))
		rc = -EPROTO;
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(spec): %s", strerror(-rc));
		goto out;
	}
	memcpy(spec, m->spec, spec_bytes);
	ipcb_side_state.fd = fd;
	fd = -1;
	ipcb_side_state.ctl = &joined_ctl;
	ipcb_side_state.joined = true;
	ipcb_side_state.report = joined_fail;
out:
	if (fd >= 0)
		close(fd);
	free(m);
	return rc;
}

#define RESULT_PIECE 32768

int ipcb_side_send_result(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		size_t n = len < RESULT_PIECE ? len : RESULT_PIECE;
		struct ctl_hdr h = {.type = CTL_RESULT, .count = (uint32_t)n};
		struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)p, n}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};

		while (sendmsg(ipcb_side_state.fd, &m, MSG_NOSIGNAL) < 0)
			if (errno != EINTR)
				return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* A crash in a joined side: say which signal, then die of it. Async-signal-safe. */
static void joined_crash(int sig)
{
	struct ctl_fail f = {.h = {.type = CTL_FAIL}, .signal = sig};

	if (ipcb_side_state.fd >= 0)
		send(ipcb_side_state.fd, &f, sizeof(f), MSG_NOSIGNAL | MSG_DONTWAIT);
	signal(sig, SIG_DFL);
	raise(sig);
}

int ipcb_side_run_joined(const struct ipcb_side *me, ipcb_side_fn body, void *arg, void *area,
			 char *err)
{
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct ctl_hdr bye = {.type = CTL_BYE};
	int rc;

	ipcb_side_state.self = *me;
	ipcb_side_state.self.ops = &ipcb_side_launch_ops;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		signal(crashes[i], joined_crash);
	ipcb_side_comm(NULL, me);
	ipcb_side_oom_first();
	rc = ipcb_side_pin(me->cpu, err);
	if (rc == 0)
		rc = body(&ipcb_side_state.self, arg, area, err);
	if (rc == 0)
		rc = ipcb_side_check_placement(me->cpu, joined_ctl.cpu_go, err);
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "%s", strerror(-rc));
	if (rc)
		joined_fail(err);
	else
		send(ipcb_side_state.fd, &bye, sizeof(bye), MSG_NOSIGNAL);
	side_leave();
	return rc;
}

/* ---- the driver's half: the runtime's command, and its sides joining ------------------------ */

/* A launch whose sides a runtime's command starts: its starter's own state. */
struct runtime_state {
	const struct ipcb_runtime_launch *x;
	int lfd;     /* where sides on this host join (x->ctl_path); -1: none */
	pid_t child; /* the command */
	int status;  /* its wait status, once launcher_done */
	bool launcher_done;
	bool *bye; /* side k said goodbye */
};

/*
 * How the launcher's command ended, from its wait status ("exited with status 2", "killed by
 * signal 11 (Segmentation fault)"), then `when`, then what the stack limit may have had to do
 * with it (ipcb_crash_stack_note).
 */
static void runtime_ended(int status, const char *when, char *out, size_t n)
{
	char note[64] = "";

	if (WIFEXITED(status)) {
		snprintf(out, n, "exited with status %d%s", WEXITSTATUS(status), when);
	} else if (WIFSIGNALED(status)) {
		ipcb_crash_stack_note(WTERMSIG(status), note, sizeof(note));
		snprintf(out, n, "killed by signal %d (%s)%s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), when, note);
	} else {
		snprintf(out, n, "ended (status 0x%x)%s", status, when);
	}
}

/* "mpirun exited with status 1 before every side had finished: <its last line>". */
static void runtime_fail(struct launch_state *st, const char *when)
{
	const struct runtime_state *rs = st->how_arg;
	char tail[300], how[160];

	ipcb_file_last_line(rs->x->log_path, tail, sizeof(tail));
	runtime_ended(rs->status, when, how, sizeof(how));
	snprintf(st->l->error, sizeof(st->l->error), "%s %s%s%s", rs->x->argv[0], how,
		 tail[0] ? ": " : "", tail);
}

/*
 * Start the runtime's command (lib/child.h): its own process group, never outliving the driver,
 * the signal mask the driver had before the run blocked its own, its output in its log (made
 * here, not there before), nothing else of ours open (the run's signal descriptor among them).
 * Its pid, or -errno.
 */
static pid_t runtime_spawn(const struct ipcb_runtime_launch *x)
{
	int log = open(x->log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	const struct ipcb_spawn sp = {.path = x->argv[0],
				      .path_search = 1,
				      .argv = x->argv,
				      .in = IPCB_SPAWN_NULL,
				      .out = log,
				      .err = log,
				      .death_signal = SIGKILL,
				      .own_group = 1,
				      .mask = ipcb_launch_saved_mask(),
				      .default_signals = 1,
				      .close_others = 1,
				      .what = "exec"};
	pid_t pid;

	if (log < 0)
		return -errno;
	pid = ipcb_spawn_start(&sp);
	close(log);
	return pid;
}

/* A joined side failed: as its message says, or as the driver found (its results, its end). */
static void runtime_side_failed(struct launch_state *st, unsigned k, uint64_t when_ns, int status)
{
	struct side_ctl *c = ipcb_launch_ctl_at(st, k);

	c->fail_ns = when_ns ? when_ns : ipcb_now_ns();
	st->status[k] = status;
	c->exiting = SIDE_FAILED;
}

/* Take side k's messages (a joined side's failure, results and goodbye too). */
static void runtime_take(struct launch_state *st, unsigned k)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;

	for (;;) {
		/* Static: a piece of results is 32 KiB, and one message is taken at a time. */
		static union {
			struct ctl_hdr h;
			struct ctl_fail f;
			struct {
				struct ctl_hdr h;
				struct ipcb_addr a;
			} addr;
			struct {
				struct ctl_hdr h;
				unsigned char bytes[RESULT_PIECE];
			} res;
		} m;
		ssize_t got = recv(st->fds[2 * k], &m, sizeof(m), MSG_DONTWAIT);
		struct side_ctl *c = ipcb_launch_ctl_at(st, k);
		int rc;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;
		if (got == 0) {
			close(st->fds[2 * k]);
			st->fds[2 * k] = -1;
			st->done[k] = true;
			return;
		}
		if ((size_t)got < sizeof(m.h) ||
		    ipcb_launch_note_msg(st, k, &m.h, &m.addr.a, (size_t)got == sizeof(m.addr)))
			continue;
		switch (m.h.type) {
		case CTL_FAIL:
			if ((size_t)got != sizeof(m.f))
				break;
			if (m.f.signal)
				snprintf(c->err, sizeof(c->err), "killed by signal %d (%s)",
					 m.f.signal, strsignal(m.f.signal));
			else
				snprintf(c->err, sizeof(c->err), "%s", m.f.err);
			/* A crash as a wait status has it; a failure as an exit with status 1. */
			runtime_side_failed(st, k, m.f.fail_ns, m.f.signal ? m.f.signal : 1 << 8);
			break;
		case CTL_BYE:
			rs->bye[k] = true;
			break;
		case CTL_RESULT:
			rc = (size_t)got == sizeof(m.h) + m.h.count && x->result
				 ? x->result(x->result_arg, k, m.res.bytes, m.h.count)
				 : -EPROTO;
			/* Results that cannot be kept fail the side, as a write it made would. */
			if (rc && c->exiting != SIDE_FAILED) {
				snprintf(c->err, sizeof(c->err), "its results: %s", strerror(-rc));
				runtime_side_failed(st, k, 0, 1 << 8);
			}
			break;
		default:
			break;
		}
	}
}

/*
 * Take a side's connection: its hello says which it is; it is answered with the spec. A side
 * on another host (remote) came over TCP through a relay: its pid is that host's, so it is
 * kept as -1, never one to signal here.
 */
static void runtime_hello(struct launch_state *st, int fd, bool remote)
{
	const struct ipcb_runtime_launch *x = ((struct runtime_state *)st->how_arg)->x;
	struct ctl_hello hello;
	struct ctl_hdr h = {.type = CTL_SPEC};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)x->spec, x->spec_bytes}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	struct pollfd p;
	size_t got = 0;

	if (fd < 0)
		return;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1 || ctl_recv_exact(fd, &hello, sizeof(hello), &got) < 0 ||
	    got != sizeof(hello) || hello.h.type != CTL_HELLO || hello.number >= st->n ||
	    st->fds[2 * hello.number] >= 0 || st->pid[hello.number] ||
	    sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		close(fd);
		return;
	}
	st->fds[2 * hello.number] = fd;
	st->pid[hello.number] = remote ? -1 : hello.pid;
}

/* Where sides join: the run's control socket, and a TCP socket for a side on another host. */
static unsigned runtime_poll_fds(struct launch_state *st, struct pollfd *pfd)
{
	const struct runtime_state *rs = st->how_arg;

	pfd[0] = (struct pollfd){.fd = rs->lfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = rs->x->tcp_lfd, .events = POLLIN};
	return 2;
}

static void runtime_polled(struct launch_state *st, const struct pollfd *pfd)
{
	const struct runtime_state *rs = st->how_arg;
	int fd;

	if (pfd[0].revents & POLLIN)
		runtime_hello(st, accept4(rs->lfd, NULL, NULL, SOCK_CLOEXEC), false);
	/* A side on another host: its TCP connection, relayed once it has proven the run's key. */
	if (pfd[1].revents & POLLIN) {
		fd = accept4(rs->x->tcp_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			runtime_hello(st, relay_start(fd, rs->x->key, NULL), true);
	}
}

/* Listen where the sides join, and run the command that starts them. */
static int runtime_start(struct launch_state *st)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ipcb_launch *l = st->l;
	int rc;

	rs->bye = calloc(st->n, sizeof(*rs->bye));
	if (!rs->bye) {
		snprintf(l->error, sizeof(l->error), "launch: out of memory");
		return -ENOMEM;
	}
	/* No control socket's path: every side comes over TCP (x->tcp_lfd). */
	if (x->ctl_path) {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", x->ctl_path);
		rs->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (rs->lfd < 0 || bind(rs->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(rs->lfd, 8) < 0) {
			rc = -errno;
			snprintf(l->error, sizeof(l->error), "control socket %s: %s", x->ctl_path,
				 strerror(-rc));
			return rc;
		}
	}
	rs->child = runtime_spawn(x);
	if (rs->child < 0) {
		rc = (int)rs->child;
		rs->child = 0;
		snprintf(l->error, sizeof(l->error), "starting %s (its log %s): %s", x->argv[0],
			 x->log_path, strerror(-rc));
		return rc;
	}
	ipcb_rundir_note_pid(x->run_dir, rs->child);
	return 0;
}

/*
 * The command's end and the sides' goodbyes: a side whose connection closed without one died;
 * the launch is over when the command has ended and every side said goodbye.
 */
static int runtime_watch(struct launch_state *st)
{
	struct runtime_state *rs = st->how_arg;
	bool all_bye = true;

	if (!rs->launcher_done && waitpid(rs->child, &rs->status, WNOHANG) == rs->child)
		rs->launcher_done = true;
	for (unsigned k = 0; k < st->n; k++) {
		struct side_ctl *c = ipcb_launch_ctl_at(st, k);

		if (c->exiting == SIDE_FAILED)
			return 0; /* the loop names it */
		if (st->done[k] && !rs->bye[k]) {
			snprintf(c->err, sizeof(c->err),
				 "died without a word (its control connection closed)");
			runtime_side_failed(st, k, 0, 0);
			return 0;
		}
		all_bye = all_bye && rs->bye[k] && st->done[k];
	}
	if (all_bye && rs->launcher_done) {
		if (WIFEXITED(rs->status) && WEXITSTATUS(rs->status) == 0)
			return 1;
		runtime_fail(st, "");
		return -ECHILD;
	}
	if (rs->launcher_done) {
		/*
		 * The command ended well with every side joined and a side's connection still open:
		 * that side ended with it, and its last words (results, goodbye) may still be on
		 * their way from another host behind a slow link; its connection ends after them.
		 */
		bool joined = WIFEXITED(rs->status) && WEXITSTATUS(rs->status) == 0, open = false;

		for (unsigned k = 0; k < st->n; k++) {
			joined = joined && (st->fds[2 * k] >= 0 || st->done[k]);
			open = open || st->fds[2 * k] >= 0;
		}
		if (joined && open)
			return 0;
		runtime_fail(st, " before every side had finished");
		return -ECHILD;
	}
	return 0;
}

/* Whatever is left goes: the command's process group, and every side that said hello. */
static int runtime_end(struct launch_state *st, int rc, char *stuck, size_t stuck_bytes)
{
	struct runtime_state *rs = st->how_arg;
	const struct ipcb_runtime_launch *x = rs->x;

	if (rs->child > 0) {
		if (!rs->launcher_done || rc) {
			kill(-rs->child, SIGKILL);
			kill(rs->child, SIGKILL);
		}
		for (unsigned k = 0; rc && k < st->n; k++)
			if (st->pid[k] > 0)
				kill(st->pid[k], SIGKILL);
		if (!rs->launcher_done) {
			uint64_t end = ipcb_now_ns() + REAP_LIMIT_NS;

			while (waitpid(rs->child, &rs->status, WNOHANG) == 0 &&
			       ipcb_now_ns() < end) {
				struct timespec ms = {0, 5000000};

				nanosleep(&ms, NULL);
			}
		}
	}
	if (rs->lfd >= 0) {
		close(rs->lfd);
		unlink(x->ctl_path);
	}
	free(rs->bye);
	return 0;
}

static const struct launch_starter runtime_starter = {
    .start = runtime_start,
    .poll_fds = runtime_poll_fds,
    .polled = runtime_polled,
    .take = runtime_take,
    .watch = runtime_watch,
    .end = runtime_end,
};

int ipcb_launch_runtime(struct ipcb_launch *l, const struct ipcb_runtime_launch *x)
{
	struct runtime_state rs = {.x = x, .lfd = -1};

	return ipcb_launch_loop(l, &runtime_starter, &rs);
}
