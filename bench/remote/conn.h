/* SPDX-License-Identifier: MIT */
/*
 * conn.h - inside bench/remote/: what its files share of the control connection beyond
 * remote.h. control.c's raw writes, waits and typed sends, which the driver's session (remote.c)
 * and the stand-ins (standin.c) use; and the driver's end of a connection (remote.c): its
 * errors, its challenge and its clock exchanges, which the driver's stand-in uses for each run.
 * The dependencies go one way: standin.c -> remote.c -> control.c. Not for use outside this
 * folder.
 */
#ifndef IPCB_REMOTE_CONN_H
#define IPCB_REMOTE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "launcher.h"
#include "remote.h"
#include "wire.h"

/* CLOCK exchanges before and after each run, and when a session begins. */
#define CLOCK_ROUNDS_RUN     16
#define CLOCK_ROUNDS_SESSION 64
/* How long a connection, a challenge or an answer between runs may take. */
#define REMOTE_STEP_S 10.0

/* ---- control.c ---- */

/* Wait until fd has `events` or the deadline passes; a stop signal on sigfd ends the wait. */
int ipcb_remote_wait(int fd, short events, int sigfd, uint64_t deadline_ns);
/* write() for pipes, send() for sockets (no SIGPIPE): every byte, or -errno. */
int ipcb_remote_write_all(int fd, const unsigned char *p, size_t n);
/* Send the frame b holds (and free b). 0 or -errno. */
int ipcb_remote_send_buf(int fd, struct ipcb_wbuf *b);
/* A message that is its type alone (READY, DONE, BYE): encoded without a whole message. */
int ipcb_remote_send_type(int fd, enum ipcb_wire_type type);

/* ---- remote.c: the driver's end of a connection ---- */

/* What went wrong on the connection, as one line: "<peer>: <what>: <why>". */
int ipcb_remote_conn_fail(const struct ipcb_remote *rm, int rc, const char *what, const char *why,
			  char *err);
/*
 * The peer failed: its text; in a stand-in (me), its time on our clock too, so that the launch
 * weighs it against our sides' failures.
 */
int ipcb_remote_peer_failed(const struct ipcb_remote *rm, const struct ipcb_wire_msg *m,
			    const struct ipcb_side *me, char *err);
/*
 * Receive the message `want` (an ERROR instead fails with its text). deadline 0: none (a
 * stand-in's launch has its own). me: the stand-in's side, NULL outside a launch.
 */
int ipcb_remote_expect(const struct ipcb_remote *rm, int fd, enum ipcb_wire_type want,
		       uint64_t deadline_ns, struct ipcb_remote_frame *fr, struct ipcb_wire_msg *m,
		       const char *what, const struct ipcb_side *me, char *err);
/* A TCP connection to the peer within limit_s. The descriptor, or -errno with err. */
int ipcb_remote_dial(const struct ipcb_remote *rm, double limit_s, char *err);
/*
 * Connect and prove the token both ways; *welcome filled. The connection's descriptor, or
 * -errno with err.
 */
int ipcb_remote_connect(const struct ipcb_remote *rm, struct ipcb_wire_msg *welcome, char *err);
/* NTP-style exchanges, `rounds` of them: the interval the peer's clock minus ours lies in. */
int ipcb_remote_clock_measure(const struct ipcb_remote *rm, int fd, unsigned rounds,
			      struct ipcb_remote_clock *c, const struct ipcb_side *me, char *err);

#endif
