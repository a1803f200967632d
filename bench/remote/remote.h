/* SPDX-License-Identifier: MIT */
/*
 * remote.h - a run whose two sides are on two hosts: the driver's sender here, the receiver on a
 * peer that `ipcbench serve` runs there (serve.c), reached over a control connection
 * (TCP, messages of wire.h) that negotiates the run and brings its results back.
 *
 * Each host runs the run as it always does (engine/run.c, with this file's launcher over
 * launch/launch.c's forked sides): it sets up its own end of the channel and forks its own side,
 * which pins itself, opens its endpoint, connects and runs the same timed loop as on one host.
 * In the place of the side that is on the other host, each launch runs a stand-in: a side that
 * holds the control connection and relays what the launch and the real side say to each other:
 *
 *   driver's stand-in                                 server's stand-in
 *   connect, challenge and response (the token)       (the server accepted, checked the token,
 *   RUN: the settings            ----------->         the settings and its limits)
 *                                <-----------         ACCEPT
 *   CLOCK exchanges: the offset  <---------->         (its sides write times in our clock)
 *   START                        ----------->         its launch begins
 *   the local side's address     <---------->         its side's address
 *   both launches hand every side both addresses; the sides connect
 *                                <-----------         READY: its side is released and waits
 *   our side is released; measuring
 *   DONE when our side is done   <---------->         DONE when its side is done
 *                                <-----------         RESULT: its side's counters, histograms
 *   written where our side's would be; CLOCK exchanges again (the bound over the run); BYE
 *
 * The receiver is released before the sender, so it waits for the first message. Each host
 * removes its own channel; whichever side fails first is the cause (the peer's error comes back
 * with its time on our clock), as on one host. A launch that ends kills its stand-in, which
 * closes the connection, and the other host's launch then fails at once: neither host keeps a
 * process or object once the other is gone.
 *
 * Clocks: the two hosts' CLOCK_MONOTONIC have unrelated origins. The driver's stand-in measures
 * the offset with NTP-style exchanges (each gives an interval the offset must lie in; the
 * intersection of many narrows it to about the fastest round trip) and the peer's sides shift
 * every time they write or read in a message by it (msg.h), so one-way delays are on the
 * driver's clock. The bound on the error is the farthest the offset could be from the one used,
 * before or after the run; one-way rows are kept only when it is small against them. Round
 * trips and rates are each timed on one host and need no agreement.
 */
#ifndef IPCB_REMOTE_H
#define IPCB_REMOTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "area.h"
#include "cliopt.h"
#include "launcher.h"
#include "netaddr.h"
#include "sysinfo.h"
#include "wire.h"

/* The peer's clock minus ours lies in [lo_ns, hi_ns] (NTP-style exchanges). */
struct ipcb_remote_clock {
	int64_t lo_ns, hi_ns;
	int64_t offset_ns; /* the middle: the offset used */
	uint64_t rtt_ns;   /* the fastest exchange's round trip */
	unsigned rounds;
};

/* What the driver's stand-in of a run leaves for the driver (in memory both map). */
struct ipcb_remote_shared {
	bool clock_ok;
	int64_t clock_bound_ns;
};

#define IPCB_TOKEN_MAX 256

struct ipcb_remote {
	/* Which role's side is on the other host; the side here of that role is a stand-in. */
	enum ipcb_role elsewhere;
	bool serving;	  /* the server's end: the connection is `fd`, already set up */
	int fd;		  /* serving: the run's control connection */
	int64_t shift_ns; /* serving: this host's clock minus the driver's */
	/* The driver's end: how to reach the peer and prove the token. */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_text[160]; /* "10.0.0.2 port 4242" */
	unsigned char token[IPCB_TOKEN_MAX];
	size_t token_len;
	int peer_cpu; /* the CPU of the side there; -1 unpinned */
	uint64_t peer_max_size, peer_max_duration_ns, peer_max_timeout_ms, peer_max_messages;
	uint16_t peer_cpus[1024]; /* the CPUs the peer offers */
	unsigned npeer_cpus;
	struct ipcb_sysinfo peer_si;
	char local_host[64]; /* this host's address toward the peer (the sides bind to it) */
	char path[320];	     /* the network path, as rows say it */
	struct ipcb_remote_clock clock; /* the session's estimate when it began */
	/* The ipcbench the peer runs (--peer-ipcbench, else this one's path). */
	char binary[1024];
	/* A server this driver started (--launch): its process and its standard input. */
	pid_t server_pid;
	int server_in;
	/* Filled by each run's stand-in. */
	struct ipcb_remote_shared *sh;
};

/* ---- the launcher ---- */

/* Is the side of this role on the other host (and the side here a stand-in)? */
static inline bool ipcb_remote_elsewhere(const struct ipcb_remote *rm, enum ipcb_role role)
{
	return rm && rm->elsewhere == role;
}

/*
 * The launcher of a run with one side on the peer: the side of the other role runs here, forked,
 * and a stand-in takes the place of the one there (see the top of this file). rm must outlive
 * ln.
 */
void ipcb_launcher_remote(struct ipcb_launcher *ln, const struct ipcb_remote *rm);

/* ---- for the driver (bench/cli/driver.c) ---- */

/*
 * Reach the peer named by `peer` ("HOST:PORT", "[V6]:PORT", or "HOST" with a launch prefix):
 * read the token from token_file (or make one, with a launch prefix), start the server through
 * `launch` when given (`PREFIX BINARY serve --listen HOST:0 --launched`), connect once to learn
 * the peer's fingerprint, CPUs and network, and measure the clocks' offset. 0, or -errno with
 * err (a line naming the peer and what failed); rm is then closed.
 */
int ipcb_remote_open(struct ipcb_remote *rm, const char *peer, const char *token_file,
		     const char *launch, const char *binary, double timeout_s, char *err,
		     size_t errlen);
/* Stop a server this driver started (and wait for it), unmap what runs share. */
void ipcb_remote_close(struct ipcb_remote *rm);
/* Is CPU c one the peer offers? */
bool ipcb_remote_cpu_ok(const struct ipcb_remote *rm, int c);

/* ---- shared with serve.c ---- */

/*
 * The driver's option table, whose rows marked peer say which settings each run's RUN message
 * carries and how (lib/cliopt.h): the same table on both hosts, since both run the same build.
 * bench/main.c hands it over before any command runs: the driver's options are not this layer's.
 */
void ipcb_remote_settings_use(const struct ipcb_clirow *rows);
const struct ipcb_clirow *ipcb_remote_settings(void);

/*
 * The token in `path`: its first line, 16 to 255 characters, in a regular file of this user's
 * that nobody else may read (like ssh's keys); "-" reads standard input's first line. 0, or
 * -errno with err naming the file and what is wrong.
 */
int ipcb_token_read(const char *path, unsigned char *token, size_t *len, char *err, size_t errlen);
/* A new random token: 32 hexadecimal digits. */
int ipcb_token_make(unsigned char *token, size_t *len);

/*
 * This host's end of a path: "10.0.0.1 (veth0, mtu 1500, 10000 Mb/s)" for the address the
 * socket fd is bound to.
 */
void ipcb_remote_local_end(int fd, char *out, size_t n);

/* One frame received: its body (to free) and the message decoded from it. */
struct ipcb_remote_frame {
	unsigned char *body;
	size_t len;
};
/*
 * Wait for one message on fd until deadline_ns (0: no deadline), watching the stop signals
 * when sigfd >= 0. 0 with *m filled (fr keeps the body: free it with ipcb_remote_frame_free),
 * -ETIMEDOUT, -EINTR (a stop signal: ipcb_remote_stop_signal says which), -EPIPE (the connection
 * closed), -EBADMSG (why says what is wrong) or another -errno.
 */
int ipcb_remote_recv(int fd, int sigfd, uint64_t deadline_ns, struct ipcb_remote_frame *fr,
		     struct ipcb_wire_msg *m, char *why, size_t why_bytes);
void ipcb_remote_frame_free(struct ipcb_remote_frame *fr);
int ipcb_remote_stop_signal(void);
/* Send one message (frame). 0 or -errno. */
int ipcb_remote_send(int fd, const struct ipcb_wire_msg *m);
/* Send ERROR with text (and, when not 0, when it failed on the driver's clock); best effort. */
void ipcb_remote_send_error(int fd, const char *text, uint64_t when_ns);

/* The two proofs of the challenge: the client's over (server nonce, client nonce, version) and
 * the server's over (client nonce, server nonce). */
void ipcb_remote_mac(const unsigned char *token, size_t token_len, bool client,
		     const unsigned char *nonce_a, const unsigned char *nonce_b,
		     const char *version, unsigned char *out);
/* 1 when this host stores integers little-endian first: message stamps are in its order. */
uint8_t ipcb_remote_little_endian(void);

/*
 * Start `argv` on the other host through a launch prefix ("ssh HOST", "ip netns exec NS"): run
 * through /bin/sh as `exec PREFIX "$@"`, in a process group of its own, killed if the driver dies,
 * with its standard input and output on pipes (*in_fd to write, *out_fd to read; either may be
 * NULL: /dev/null). The child's pid, or -errno. What an MPI launcher needs to start its remote
 * daemons the same way is `ipcbench rsh-agent` (serve.c).
 */
pid_t ipcb_launch_prefix_spawn(const char *prefix, char *const argv[], int *in_fd, int *out_fd);

/*
 * `BINARY serve --listen HOST:0 --launched -q` started through the launch prefix (a command
 * prefix that runs a command on the host; "" runs it here): the token goes to its standard
 * input, and the port it listens on comes from its first line of output. 0 with *pid, *in (its
 * input: closing it stops the server) and *port; or -errno with err naming the prefix (or the
 * server) and what failed, nothing left running.
 */
int ipcb_serve_launch(const char *launch, const char *binary, const char *host,
		      const unsigned char *token, size_t token_len, pid_t *pid, int *in,
		      unsigned *port, char *err, size_t errlen);
/* Stop a server so started: its input closed (it ends), then SIGTERM, then SIGKILL to its group. */
void ipcb_serve_launched_stop(pid_t *pid, int *in);

#endif
