/* SPDX-License-Identifier: MIT */
/*
 * remote.c - a run across two hosts: the control connection, the token's challenge and
 * response, the clock exchanges, the stand-in sides, and starting the server through a launch
 * prefix; see remote.h.
 */
#include "remote.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "launch.h"
#include "msg.h"
#include "run.h"
#include "sha256.h"
#include "version.h"

/* CLOCK exchanges before and after each run, and when a session begins. */
#define CLOCK_ROUNDS_RUN     16
#define CLOCK_ROUNDS_SESSION 64
/* How long a connection, a challenge or an answer between runs may take. */
#define REMOTE_STEP_S 10.0
/* How long a launched server may take to say where it listens, and to end when told. */
#define LAUNCH_READY_S 30.0
#define LAUNCH_STOP_S  5.0

/* ---- the token ------------------------------------------------------------------------------ */

int ipcb_token_read(const char *path, unsigned char *token, size_t *len, char *err, size_t errlen)
{
	char line[IPCB_TOKEN_MAX + 2];
	struct stat st;
	size_t n = 0;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			snprintf(err, errlen, "--token-file %s: %s%s", path, strerror(errno),
				 errno == ELOOP ? " (a symbolic link: name the file itself)" : "");
			return -EINVAL;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    (st.st_mode & 077)) {
			snprintf(err, errlen,
				 "--token-file %s: must be a regular file of your own that nobody "
				 "else may read or write (chmod 600)",
				 path);
			close(fd);
			return -EPERM;
		}
	}
	/* One byte at a time: standard input must not be read past the token's line. */
	while (n < sizeof(line) - 1) {
		ssize_t got = read(fd, line + n, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || line[n] == '\n')
			break;
		n++;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	line[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)line[i])) {
			snprintf(err, errlen,
				 "--token-file %s: the token holds a space or a control character",
				 path);
			return -EINVAL;
		}
	if (n < 16 || n >= IPCB_TOKEN_MAX) {
		snprintf(err, errlen,
			 "--token-file %s: the token (its first line) must be 16 to %d characters, "
			 "not %zu",
			 path, IPCB_TOKEN_MAX - 1, n);
		return -EINVAL;
	}
	memcpy(token, line, n);
	*len = n;
	return 0;
}

int ipcb_token_make(unsigned char *token, size_t *len)
{
	unsigned char raw[16];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf((char *)token + 2 * i, 3, "%02x", raw[i]);
	*len = 2 * sizeof(raw);
	return 0;
}

void ipcb_remote_mac(const unsigned char *token, size_t token_len, bool client,
		     const unsigned char *nonce_a, const unsigned char *nonce_b,
		     const char *version, unsigned char *out)
{
	/* Distinct labels: neither proof can be replayed as the other. */
	const char *label = client ? "ipcbench client" : "ipcbench server";
	const void *parts[4] = {label, nonce_a, nonce_b, version};
	size_t lens[4] = {strlen(label), IPCB_WIRE_NONCE, IPCB_WIRE_NONCE,
			  version ? strlen(version) : 0};

	ipcb_hmac_sha256(token, token_len, parts, lens, version ? 4 : 3, out);
}

uint8_t ipcb_remote_little_endian(void)
{
	uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1);
	return first;
}

/* ---- addresses ------------------------------------------------------------------------------ */

/* Is this interface address the socket address's host? */
static bool same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (!a || !b || a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return a->sa_family == AF_INET6 &&
	       memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

void ipcb_remote_local_end(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ifaddrs *ifs = NULL;
	char host[INET6_ADDRSTRLEN] = "?", dev[IF_NAMESIZE + 1] = "";
	size_t used;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		ipcb_netaddr_host_text((struct sockaddr *)&ss, host, sizeof(host));
	used = (size_t)snprintf(out, n, "%s", host);
	if (getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
			if (same_host(i->ifa_addr, (struct sockaddr *)&ss)) {
				snprintf(dev, sizeof(dev), "%s", i->ifa_name);
				break;
			}
		freeifaddrs(ifs);
	}
	if (dev[0] && used < n) {
		struct ifreq ifr;
		char path[96], speed[32] = "";
		FILE *f;
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int mtu = -1;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
		if (s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0)
			mtu = ifr.ifr_mtu;
		if (s >= 0)
			close(s);
		snprintf(path, sizeof(path), "/sys/class/net/%s/speed", dev);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(speed, sizeof(speed), f))
				speed[0] = '\0';
			speed[strcspn(speed, "\n")] = '\0';
			fclose(f);
		}
		used += (size_t)snprintf(out + used, n - used, " (%s", dev);
		if (mtu > 0 && used < n)
			used += (size_t)snprintf(out + used, n - used, ", mtu %d", mtu);
		/* A link without a known speed says -1 or nothing. */
		if (speed[0] && speed[0] != '-' && used < n)
			used += (size_t)snprintf(out + used, n - used, ", %s Mb/s", speed);
		if (used < n)
			snprintf(out + used, n - used, ")");
	}
}

/* ---- frames --------------------------------------------------------------------------------- */

static int remote_stop_sig;

int ipcb_remote_stop_signal(void)
{
	return remote_stop_sig;
}

/* Wait until fd has `events` or the deadline passes; a stop signal on sigfd ends the wait. */
static int remote_wait(int fd, short events, int sigfd, uint64_t deadline_ns)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = events},
				      {.fd = sigfd, .events = POLLIN}};
		uint64_t now = ipcb_now_ns();
		int ms = -1, n;

		if (deadline_ns) {
			if (now >= deadline_ns)
				return -ETIMEDOUT;
			ms = (int)((deadline_ns - now + 999999) / 1000000);
		}
		n = poll(p, sigfd >= 0 ? 2 : 1, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && sigfd >= 0 && (p[1].revents & POLLIN)) {
			int sig = ipcb_run_interrupt_pending();

			if (sig) {
				remote_stop_sig = sig;
				return -EINTR;
			}
			/* Only a SIGCHLD: take it off the descriptor. */
			{
				struct timespec zero = {0, 0};
				sigset_t chld;

				sigemptyset(&chld);
				sigaddset(&chld, SIGCHLD);
				while (sigtimedwait(&chld, NULL, &zero) > 0)
					;
			}
		}
		if (n > 0 && p[0].revents)
			return 0;
	}
}

/* Read exactly n bytes before the deadline; -EPIPE at end of file. */
static int read_exact(int fd, void *buf, size_t n, int sigfd, uint64_t deadline_ns)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got;
		int rc = remote_wait(fd, POLLIN, sigfd, deadline_ns);

		if (rc)
			return rc;
		got = recv(fd, p, n, MSG_DONTWAIT);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EPIPE;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

void ipcb_remote_frame_free(struct ipcb_remote_frame *fr)
{
	free(fr->body);
	fr->body = NULL;
	fr->len = 0;
}

int ipcb_remote_recv(int fd, int sigfd, uint64_t deadline_ns, struct ipcb_remote_frame *fr,
		     struct ipcb_wire_msg *m, char *why, size_t why_bytes)
{
	unsigned char hdr[4];
	uint32_t len;
	int rc;

	fr->body = NULL;
	fr->len = 0;
	why[0] = '\0';
	rc = read_exact(fd, hdr, sizeof(hdr), sigfd, deadline_ns);
	if (rc)
		return rc;
	len = ipcb_wire_frame_len(hdr);
	/* Refused before a byte of it is read or any memory taken for it. */
	if (len == 0 || len > IPCB_WIRE_MAX_BODY) {
		snprintf(why, why_bytes, "a frame of %u bytes (1 to %u allowed)", len,
			 IPCB_WIRE_MAX_BODY);
		return -EBADMSG;
	}
	fr->body = malloc(len);
	if (!fr->body)
		return -ENOMEM;
	fr->len = len;
	rc = read_exact(fd, fr->body, len, sigfd, deadline_ns);
	if (!rc)
		rc = ipcb_wire_decode(fr->body, len, m, why, why_bytes);
	if (rc)
		ipcb_remote_frame_free(fr);
	return rc;
}

/* write() for pipes, send() for sockets (no SIGPIPE): every byte, or -errno. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t put = write(fd, p, n);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -errno;
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

static int send_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t put = send(fd, p, n, MSG_NOSIGNAL);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -errno;
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

static int send_buf(int fd, struct ipcb_wbuf *b)
{
	const unsigned char *frame;
	size_t len;
	int rc = ipcb_wbuf_frame(b, &frame, &len);

	if (!rc)
		rc = send_all(fd, frame, len);
	ipcb_wbuf_free(b);
	return rc;
}

int ipcb_remote_send(int fd, const struct ipcb_wire_msg *m)
{
	struct ipcb_wbuf b = {0};
	int rc = ipcb_wire_encode(&b, m);

	if (rc) {
		ipcb_wbuf_free(&b);
		return rc;
	}
	return send_buf(fd, &b);
}

/* A message that is its type alone (READY, DONE, BYE): encoded without a whole message. */
static int send_type(int fd, enum ipcb_wire_type type)
{
	struct ipcb_wbuf b = {0};

	ipcb_wbuf_start(&b, type);
	return send_buf(fd, &b);
}

void ipcb_remote_send_error(int fd, const char *text, uint64_t when_ns)
{
	struct ipcb_wire_msg *m = ipcb_wire_msgs_new(1);

	/* Without memory there is no message to send: the connection's end says enough. */
	if (!m)
		return;
	m->type = IPCB_WIRE_ERROR;
	/* Control characters would be refused by the reader: an error text is one plain line. */
	snprintf(m->error.text, sizeof(m->error.text), "%s", text);
	for (char *p = m->error.text; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	m->error.when_ns = when_ns;
	ipcb_remote_send(fd, m);
	free(m);
}

/* ---- the driver's end of a connection ------------------------------------------------------- */

/* What went wrong on the connection, as one line: "<peer>: <what>: <why>". */
static int conn_fail(const struct ipcb_remote *rm, int rc, const char *what, const char *why,
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
static int peer_failed(const struct ipcb_remote *rm, const struct ipcb_wire_msg *m,
		       const struct ipcb_side *me, char *err)
{
	snprintf(err, IPCB_RUN_ERR_BYTES, "%.300s (on the peer, %.80s)",
		 strip_side(m->error.text, me), rm->peer_text);
	if (me && m->error.when_ns)
		ipcb_side_failed_at(m->error.when_ns);
	return -EREMOTEIO;
}

/*
 * Receive the message `want` (an ERROR instead fails with its text: peer_failed). deadline 0:
 * none (a stand-in's launch has its own). me: the stand-in's side, NULL outside a launch.
 */
static int expect(const struct ipcb_remote *rm, int fd, enum ipcb_wire_type want,
		  uint64_t deadline_ns, struct ipcb_remote_frame *fr, struct ipcb_wire_msg *m,
		  const char *what, const struct ipcb_side *me, char *err)
{
	char why[IPCB_RUN_ERR_BYTES], name[32];
	int rc = ipcb_remote_recv(fd, -1, deadline_ns, fr, m, why, sizeof(why));

	if (rc)
		return conn_fail(rm, rc, what, why, err);
	if (m->type == IPCB_WIRE_ERROR) {
		ipcb_remote_frame_free(fr);
		return peer_failed(rm, m, me, err);
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
static int remote_dial(const struct ipcb_remote *rm, double limit_s, char *err)
{
	int fd = socket(rm->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	int rc = 0, soerr = 0;
	socklen_t elen = sizeof(soerr);

	if (fd < 0)
		return conn_fail(rm, -errno, "(socket)", "", err);
	if (connect(fd, (const struct sockaddr *)&rm->peer, rm->peer_len) < 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
		} else {
			rc =
			    remote_wait(fd, POLLOUT, -1, ipcb_now_ns() + (uint64_t)(limit_s * 1e9));
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
static int remote_connect(const struct ipcb_remote *rm, struct ipcb_wire_msg *welcome, char *err)
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
	fd = remote_dial(rm, REMOTE_STEP_S, err);
	if (fd < 0) {
		free(hello);
		return fd;
	}
	rc = expect(rm, fd, IPCB_WIRE_HELLO, deadline, &fr, hello, "(its greeting)", NULL, err);
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
		rc = conn_fail(rm, -EIO, "(getrandom)", "", err);
		goto fail;
	}
	ipcb_remote_mac(rm->token, rm->token_len, true, hello->hello.nonce, auth->auth.nonce,
			IPCB_VERSION, auth->auth.mac);
	rc = ipcb_remote_send(fd, auth);
	if (rc) {
		conn_fail(rm, rc, "(sending the response)", "", err);
		goto fail;
	}
	rc = expect(rm, fd, IPCB_WIRE_WELCOME, deadline, &fr, welcome, "(its welcome)", NULL, err);
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
static int clock_measure(const struct ipcb_remote *rm, int fd, unsigned rounds,
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
			conn_fail(rm, rc, "(clock exchange)", "", err);
			break;
		}
		rc = expect(rm, fd, IPCB_WIRE_CLOCK, deadline, &fr, back, "(clock exchange)", me,
			    err);
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

/* ---- the stand-ins -------------------------------------------------------------------------- */

static const struct ipcb_clirow *settings_rows;

void ipcb_remote_settings_use(const struct ipcb_clirow *rows)
{
	settings_rows = rows;
}

const struct ipcb_clirow *ipcb_remote_settings(void)
{
	return settings_rows;
}

/* The spec of a run as the peer needs it: the point, then the settings its rows say travel. */
static void run_to_wire(const struct ipcb_remote *rm, const struct ipcb_run_spec *s,
			struct ipcb_wire_run *w)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->transport, sizeof(w->transport), "%s", s->t->name);
	w->mode = (uint8_t)s->mode;
	w->bidirectional = s->cfg.bidirectional;
	w->size_bytes = s->size_bytes;
	w->chunk_bytes = s->chunk_bytes;
	w->inflight = s->inflight ? s->inflight : 1;
	w->rate = s->rate;
	while (s->t->options && s->t->options[w->nopt].key && w->nopt < IPCB_MAX_OPTIONS) {
		w->opt[w->nopt] = s->cfg.opt[w->nopt];
		w->nopt++;
	}
	w->cpu = rm->peer_cpu;
	if (settings_rows && ipcb_cli_peer_count(settings_rows) <= IPCB_WIRE_SETTINGS) {
		w->nset = (uint32_t)ipcb_cli_peer_count(settings_rows);
		ipcb_cli_peer_pack(settings_rows, s, w->set);
	}
}

/*
 * The two hosts swap their sides' addresses: ours from the launch (the others' first), the
 * peer's into the launch, which then hands every side both.
 */
static int swap_addresses(const struct ipcb_remote *rm, int fd, const struct ipcb_side *me,
			  char *err)
{
	struct ipcb_addr *all = calloc(me->nsides, sizeof(*all));
	struct ipcb_wire_msg *m = ipcb_wire_msgs_new(2), *back = m + 1;
	struct ipcb_remote_frame fr = {0};
	int rc;

	if (!all || !m) {
		free(m);
		free(all);
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(addresses): calloc: %s",
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	m->type = IPCB_WIRE_ADDR;
	rc = ipcb_side_want_peers(all);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(addresses): %s", strerror(-rc));
		goto out;
	}
	/* One side each (1:1): the other one here is the one not standing in. */
	m->addr.addr = all[me->number == 0 ? 1 : 0];
	rc = ipcb_remote_send(fd, m);
	if (rc) {
		conn_fail(rm, rc, "(sending an address)", "", err);
		goto out;
	}
	rc = expect(rm, fd, IPCB_WIRE_ADDR, 0, &fr, back, "(its side's address)", me, err);
	if (rc)
		goto out;
	rc = ipcb_side_exchange(&back->addr.addr, all);
	if (rc)
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(addresses): %s", strerror(-rc));
out:
	ipcb_remote_frame_free(&fr);
	free(m);
	free(all);
	return rc;
}

/*
 * Until both have happened: our sides of the other role are done (the launch says END: the
 * peer hears DONE), and the peer's are (its DONE: our launch hears done()).
 */
static int relay_done(const struct ipcb_remote *rm, int fd, const struct ipcb_side *me, char *err)
{
	bool local_end = false, peer_done = false;
	struct ipcb_wire_msg *m = ipcb_wire_msgs_new(1);
	int sfd = ipcb_side_fd(), rc = 0;

	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): calloc: %s",
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	while (!rc && (!local_end || !peer_done)) {
		struct pollfd p[2] = {{.fd = fd, .events = peer_done ? 0 : POLLIN},
				      {.fd = sfd, .events = local_end ? 0 : POLLIN}};
		struct ipcb_remote_frame fr;
		char why[IPCB_RUN_ERR_BYTES], name[32];

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			snprintf(err, IPCB_RUN_ERR_BYTES, "poll: %s", strerror(-rc));
			break;
		}
		if (!local_end && p[1].revents) {
			rc = ipcb_side_wait_end();
			if (!rc)
				rc = send_type(fd, IPCB_WIRE_DONE);
			if (rc) {
				snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s",
					 strerror(-rc));
				break;
			}
			local_end = true;
		}
		if (peer_done || !p[0].revents)
			continue;
		rc = ipcb_remote_recv(fd, -1, 0, &fr, m, why, sizeof(why));
		if (rc) {
			conn_fail(rm, rc, "during the run", why, err);
			break;
		}
		if (m->type == IPCB_WIRE_ERROR) {
			rc = peer_failed(rm, m, me, err);
		} else if (m->type != IPCB_WIRE_DONE) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "the peer at %s sent %s during the run",
				 rm->peer_text, ipcb_wire_type_name(m->type, name, sizeof(name)));
			rc = -EPROTO;
		}
		ipcb_remote_frame_free(&fr);
		if (rc)
			break;
		rc = ipcb_side_done();
		if (rc) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s", strerror(-rc));
			break;
		}
		peer_done = true;
	}
	free(m);
	return rc;
}

static void side_from_wire(struct ipcb_run_side *x, const struct ipcb_wire_side *w)
{
	memset(x, 0, sizeof(*x));
	x->clock_anomalies = w->clock_anomalies;
	x->cpu_s = w->cpu_s;
	x->ctx_switches = w->ctx_switches;
	x->ctx_involuntary = w->ctx_involuntary;
	x->t_first_ns = w->t_first_ns;
	x->t_last_ns = w->t_last_ns;
	x->messages = w->messages;
	x->full_checks = w->full_checks;
	x->segments = w->segments;
	x->segments_ok = w->segments_ok;
	x->cpu_seen = w->cpu_seen;
	x->late = w->late;
	x->sent = w->sent;
	x->received = w->received;
}

/* The peer's side's results, where this stand-in's side would have put its own. */
static int take_result(const struct ipcb_remote *rm, int fd, struct ipcb_run_ctx *c, char *err)
{
	struct ipcb_run_area *a = c->area;
	unsigned k = c->me->number;
	struct ipcb_remote_frame fr;
	struct ipcb_wire_msg *m = ipcb_wire_msgs_new(1);
	char why[IPCB_RUN_ERR_BYTES];
	int rc;

	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(its results): calloc: %s",
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = ipcb_remote_recv(fd, -1, 0, &fr, m, why, sizeof(why));
	if (rc) {
		free(m);
		return conn_fail(rm, rc, "(its results)", why, err);
	}
	if (m->type == IPCB_WIRE_ERROR) {
		rc = peer_failed(rm, m, c->me, err);
	} else if (m->type != IPCB_WIRE_RESULT ||
		   m->result.nhist != (unsigned)__builtin_popcount(a->hists[k >= a->senders])) {
		snprintf(err, IPCB_RUN_ERR_BYTES,
			 "the peer at %s sent something else than its results (%u histograms)",
			 rm->peer_text, m->type == IPCB_WIRE_RESULT ? m->result.nhist : 0);
		rc = -EPROTO;
	} else {
		side_from_wire(&a->side[k], &m->result.side[0]);
		side_from_wire(&a->side[a->nsides + k], &m->result.side[1]);
		/* The histograms its role records, in their order: as the side's area has them. */
		for (unsigned h = 0, got = 0; h < IPCB_RUN_HISTS && !rc; h++) {
			struct ipcb_hist *hist = ipcb_run_hist(a, k, (enum ipcb_run_hist)h);

			if (!hist)
				continue;
			rc = ipcb_wire_hist_apply(&m->result.hist[got++], hist, why, sizeof(why));
			if (rc)
				conn_fail(rm, rc, "(its results)", why, err);
		}
	}
	ipcb_remote_frame_free(&fr);
	free(m);
	return rc;
}

/* The driver's stand-in for the side on the peer: see the top of remote.h. */
static int stand_in_driver(const struct ipcb_remote *rm, struct ipcb_run_ctx *c, char *err)
{
	struct ipcb_wire_msg *m, *back;
	struct ipcb_remote_clock before = {0}, after = {0};
	struct ipcb_remote_frame fr;
	int64_t off, bound;
	int fd, rc;

	rm->sh->clock_ok = false;
	if (c->me->nsides != 2) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "two hosts run one sender and one receiver");
		return -ENOTSUP;
	}
	m = ipcb_wire_msgs_new(2);
	if (!m) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control: calloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	back = m + 1;
	fd = remote_connect(rm, back, err);
	if (fd < 0) {
		free(m);
		return fd;
	}
	m->type = IPCB_WIRE_RUN;
	run_to_wire(rm, c->spec, &m->run);
	rc = ipcb_remote_send(fd, m);
	if (rc) {
		conn_fail(rm, rc, "(sending the run)", "", err);
		goto out;
	}
	rc = expect(rm, fd, IPCB_WIRE_ACCEPT, ipcb_now_ns() + (uint64_t)(REMOTE_STEP_S * 1e9), &fr,
		    back, "(its answer to the run)", c->me, err);
	if (rc)
		goto out;
	ipcb_remote_frame_free(&fr);
	rc = clock_measure(rm, fd, CLOCK_ROUNDS_RUN, &before, c->me, err);
	if (rc)
		goto out;
	memset(m, 0, sizeof(*m));
	m->type = IPCB_WIRE_START;
	m->start.shift_ns = before.offset_ns;
	rc = ipcb_remote_send(fd, m);
	if (rc) {
		conn_fail(rm, rc, "(starting the run)", "", err);
		goto out;
	}
	rc = swap_addresses(rm, fd, c->me, err);
	if (rc)
		goto out;
	rc = expect(rm, fd, IPCB_WIRE_READY, 0, &fr, back, "(its start)", c->me, err);
	if (rc)
		goto out;
	ipcb_remote_frame_free(&fr);
	rc = ipcb_side_ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(start barrier): %s", strerror(-rc));
		goto out;
	}
	rc = relay_done(rm, fd, c->me, err);
	if (!rc)
		rc = take_result(rm, fd, c, err);
	if (rc)
		goto out;
	/*
	 * The bound over the run: the farthest the offset may have been from the one its sides
	 * used, by the intervals measured before and after it (a clock that drifts moves it).
	 */
	if (clock_measure(rm, fd, CLOCK_ROUNDS_RUN, &after, c->me, err) == 0) {
		off = before.offset_ns;
		bound = before.hi_ns - off > off - before.lo_ns ? before.hi_ns - off
								: off - before.lo_ns;
		if (after.hi_ns - off > bound)
			bound = after.hi_ns - off;
		if (off - after.lo_ns > bound)
			bound = off - after.lo_ns;
		rm->sh->clock_bound_ns = bound;
		rm->sh->clock_ok = true;
	}
	err[0] = '\0';
	send_type(fd, IPCB_WIRE_BYE);
out:
	close(fd);
	free(m);
	return rc;
}

/* The server's stand-in for the driver's side: the same steps from the other end. */
static int stand_in_server(const struct ipcb_remote *rm, struct ipcb_run_ctx *c, char *err)
{
	int rc = swap_addresses(rm, rm->fd, c->me, err);

	if (rc)
		return rc;
	rc = ipcb_side_ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(start barrier): %s", strerror(-rc));
		return rc;
	}
	rc = send_type(rm->fd, IPCB_WIRE_READY);
	if (rc)
		return conn_fail(rm, rc, "(saying its side is ready)", "", err);
	return relay_done(rm, rm->fd, c->me, err);
}

/* The stand-in's whole life, as a launch's side body. 0, or -errno with err filled. */
static int remote_stand_in(const struct ipcb_remote *rm, struct ipcb_run_ctx *c, char *err)
{
	return rm->serving ? stand_in_server(rm, c, err) : stand_in_driver(rm, c, err);
}

/* A side's counters for the wire, its times moved onto the driver's clock. */
static void side_to_wire(struct ipcb_wire_side *w, const struct ipcb_run_side *x, int64_t shift)
{
	memset(w, 0, sizeof(*w));
	w->clock_anomalies = x->clock_anomalies;
	w->cpu_s = x->cpu_s;
	w->ctx_switches = x->ctx_switches;
	w->ctx_involuntary = x->ctx_involuntary;
	w->t_first_ns = x->t_first_ns ? x->t_first_ns - (uint64_t)shift : 0;
	w->t_last_ns = x->t_last_ns ? x->t_last_ns - (uint64_t)shift : 0;
	if (w->t_last_ns < w->t_first_ns)
		w->t_last_ns = w->t_first_ns;
	w->messages = x->messages;
	w->full_checks = x->full_checks;
	w->segments = x->segments;
	w->segments_ok = x->segments_ok;
	w->cpu_seen = x->cpu_seen;
	w->late = x->late;
	w->sent = x->sent;
	w->received = x->received;
}

/*
 * After a failed run: is the peer still there? A side here often sees its server's death first
 * (a reset connection, a refused datagram): the message then says what happened over there.
 */
static void peer_gone_note(const struct ipcb_remote *rm, struct ipcb_run_result *r)
{
	char e[IPCB_RUN_ERR_BYTES], why[IPCB_RUN_ERR_BYTES + 64] = "";
	size_t len = strlen(r->error);
	siginfo_t si = {0};
	int fd;

	if (rm->server_pid > 0 &&
	    waitid(P_PID, (id_t)rm->server_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == rm->server_pid) {
		snprintf(why, sizeof(why), "the server --launch started exited (%s %d)",
			 si.si_code == CLD_EXITED ? "status" : "signal", si.si_status);
	} else {
		fd = remote_dial(rm, 1.0, e);
		if (fd >= 0) {
			close(fd);
			return;
		}
		snprintf(why, sizeof(why), "%s", e);
	}
	snprintf(
	    r->error + len, sizeof(r->error) - len,
	    "; the peer's server no longer answers (%s): it stopped or was killed during the run",
	    why);
}

/*
 * After the launch (rc its result): on the server, send the side's results (or the failure)
 * to the driver and return 1: nothing is left to collect here; on the driver, take the clock's
 * bound over the run into r and return 0 (go on and collect); a negative errno when the run
 * fails after all, with r->error filled.
 */
static int remote_after(const struct ipcb_launcher *self, struct ipcb_run_area *area, int rc,
			struct ipcb_run_result *r)
{
	const struct ipcb_remote *rm = self->priv;

	if (!rm->serving) {
		r->clock_per_run = true;
		r->clock_bound_ns = rc == 0 && rm->sh->clock_ok ? rm->sh->clock_bound_ns : -1;
		if (rc && rc != -EINTR)
			peer_gone_note(rm, r);
		return rc;
	}
	if (rc) {
		/* Its time on the driver's clock: the driver weighs it against its own sides'. */
		ipcb_remote_send_error(rm->fd, r->error,
				       r->fail_ns ? r->fail_ns - (uint64_t)rm->shift_ns : 0);
		return rc;
	}
	/* The real side here is the one that is not standing in: side 1 of 1:1 runs, or 0. */
	{
		unsigned k = rm->elsewhere == IPCB_SENDER ? 1 : 0;
		const struct ipcb_hist *hists[IPCB_RUN_HISTS];
		struct ipcb_wire_side sides[2];
		struct ipcb_wbuf b = {0};
		uint32_t nhist = 0;

		side_to_wire(&sides[0], &area->side[k], rm->shift_ns);
		side_to_wire(&sides[1], &area->side[area->nsides + k], rm->shift_ns);
		for (unsigned h = 0; h < IPCB_RUN_HISTS; h++)
			if (ipcb_run_hist(area, k, (enum ipcb_run_hist)h))
				hists[nhist++] = ipcb_run_hist(area, k, (enum ipcb_run_hist)h);
		rc = ipcb_wire_encode_result(&b, sides, hists, nhist);
		rc = rc ? rc : send_buf(rm->fd, &b);
		if (rc) {
			ipcb_wbuf_free(&b);
			snprintf(r->error, sizeof(r->error),
				 "sending the results to the driver: %s", strerror(-rc));
			return rc;
		}
	}
	return 1;
}

/* The side of the role that is here runs the engine's body; the other's place is a stand-in. */
struct remote_body_arg {
	const struct ipcb_remote *rm;
	struct ipcb_run_ctx *c;
};

static int remote_body(const struct ipcb_side *me, void *arg, void *area, char *err)
{
	struct remote_body_arg *x = arg;

	if (!ipcb_remote_elsewhere(x->rm, me->role))
		return ipcb_run_side_body(me, x->c, area, err);
	x->c->area = area;
	x->c->me = me;
	x->c->chan = &x->c->chans[0];
	return remote_stand_in(x->rm, x->c, err);
}

static int remote_run(const struct ipcb_launcher *self, struct ipcb_launch *l,
		      struct ipcb_run_ctx *c)
{
	struct remote_body_arg x = {.rm = self->priv, .c = c};

	/* A launch of the engine's own (a floor) has no side elsewhere. */
	if (c) {
		l->body = remote_body;
		l->arg = &x;
	}
	return ipcb_launch_run(l);
}

static bool remote_elsewhere(const struct ipcb_launcher *self, enum ipcb_role role)
{
	return ipcb_remote_elsewhere(self->priv, role);
}

void ipcb_launcher_remote(struct ipcb_launcher *ln, const struct ipcb_remote *rm)
{
	*ln = (struct ipcb_launcher){.name = "remote peer",
				     .run = remote_run,
				     .elsewhere = remote_elsewhere,
				     .after = remote_after,
				     .priv = (void *)rm};
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
	pid_t pid, parent = getpid();

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
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		e = -errno;
		goto fail;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		/* Dies with the driver; its own group, so that it is stopped as a whole. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		dup2(in_fd ? in[0] : null, STDIN_FILENO);
		dup2(out_fd ? out[1] : null, STDOUT_FILENO);
		execvp("/bin/sh", args);
		_exit(127);
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
	rc = write_all(*in, token, token_len);
	if (!rc)
		rc = write_all(*in, (const unsigned char *)"\n", 1);
	/* Its first line: "ipcbench serve: listening on HOST port PORT". */
	while (!rc && n < sizeof(line) - 1) {
		ssize_t got;

		rc = remote_wait(out, POLLIN, -1, deadline);
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
	fd = remote_connect(rm, welcome, e);
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
	rc = clock_measure(rm, fd, CLOCK_ROUNDS_SESSION, &rm->clock, NULL, e);
	if (rc) {
		snprintf(err, errlen, "--peer: %s", e);
		close(fd);
		goto fail;
	}
	snprintf(rm->path, sizeof(rm->path), "%.140s -> %.140s; control round trip %.1f us", local,
		 welcome->welcome.net, (double)rm->clock.rtt_ns / 1e3);
	send_type(fd, IPCB_WIRE_BYE);
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
