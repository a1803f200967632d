/* SPDX-License-Identifier: MIT */
/*
 * control.c - the pieces of the control connection both of its ends use (the driver here,
 * `ipcbench serve` in serve.c): the token and the proofs of the challenge, this host's end of a
 * path, and the frames, read and sent. Apart from remote.c, which is the driver's session alone,
 * so that what the server shares with it is one file that depends on neither.
 */
#include "remote.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "launch.h"
#include "sha256.h"

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
int ipcb_remote_wait(int fd, short events, int sigfd, uint64_t deadline_ns)
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
		int rc = ipcb_remote_wait(fd, POLLIN, sigfd, deadline_ns);

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
int ipcb_remote_write_all(int fd, const unsigned char *p, size_t n)
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

int ipcb_remote_send_buf(int fd, struct ipcb_wbuf *b)
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
	return ipcb_remote_send_buf(fd, &b);
}

/* A message that is its type alone (READY, DONE, BYE): encoded without a whole message. */
int ipcb_remote_send_type(int fd, enum ipcb_wire_type type)
{
	struct ipcb_wbuf b = {0};

	ipcb_wbuf_start(&b, type);
	return ipcb_remote_send_buf(fd, &b);
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
