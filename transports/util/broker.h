/* SPDX-License-Identifier: MIT */
/*
 * broker.h - what the message-broker transports (amqp, mqtt, redis, kafka, rocketmq) share: finding
 * the server's program, a free port on the loopback for a second listener, the server's files in
 * its service directory, and readiness by a TCP connection. Each returns 0 or a negative errno
 * and records the failing call in the given error.
 */
#ifndef IPCB_TRANSPORT_BROKER_H
#define IPCB_TRANSPORT_BROKER_H

#include <stdbool.h>
#include <stddef.h>

#include "cds.h"
#include "transport.h"

/*
 * The full path of program `prog`, looked for in $PATH and in the system directories a
 * non-root $PATH often lacks (/usr/sbin, /sbin: mosquitto is there), in *out (allocated, the
 * caller frees it; NULL on failure). 0, -ENOENT, or -ENOMEM.
 */
int ipcb_broker_find(const char *prog, char **out);

/*
 * probe(): is `prog` here (a broker's server, or a program another transport needs: mpirun,
 * dbus-daemon)? Else the reason names the Debian package `pkg` that provides it.
 */
int ipcb_broker_probe(struct ipcb_probe *p, const char *prog, const char *pkg);

/* Write the file `name` in the service's directory (mode, O_EXCL), printf-style. 0 or -errno. */
int ipcb_broker_file(struct ipcb_service *svc, const char *name, unsigned mode, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

/* Does something accept TCP connections on 127.0.0.1:port? 0 yes, -EAGAIN not yet, or -errno. */
int ipcb_broker_tcp_ready(int port, struct ipcb_err *e);

/* A TCP port nobody listens on now that is none of the n in taken (a server's second listener).
 * A positive port, or a negative errno recorded in e. */
int ipcb_broker_port_besides(const int *taken, int n, struct ipcb_err *e);

/*
 * The Java launcher for a server written in Java: $JAVA_HOME/bin/java when JAVA_HOME is set,
 * else java on $PATH, in *out (allocated; the caller frees it). 0, -ENOENT or -ENOMEM.
 */
int ipcb_broker_java(char **out);

/*
 * A Java server's class-data archive (cds.h) named `name`, for the JVM that runs the jars of
 * Maven set `coords` with ipcb_broker_java: in prepare() (make false), the option its JVM takes
 * into c->opt (mapping the archive, or listing its classes in the service's directory); in
 * stopped() (make true), the archive made from that list, when the server wrote one. 0 or
 * -errno (a server without an archive plan starts as it would without).
 */
int ipcb_broker_cds(const struct ipcb_service *svc, const char *name, const char *coords, bool make,
		    struct ipcb_cds *c);

/* "64M", "512K", "100": a byte count for a limit's text. */
void ipcb_broker_bytes_text(size_t bytes, char *out, size_t n);

#endif
