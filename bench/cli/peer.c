/* SPDX-License-Identifier: MIT */
/*
 * peer.c - --peer: the other host, reached (and its server started with --launch), its CPU
 * settled, and the launchers a run there takes.
 */
#include "drv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "driver.h"
#include "netaddr.h"

void ipcb_peer_close(struct driver *d)
{
	if (!d->peer)
		return;
	ipcb_remote_close(&d->peer->remote);
	free(d->peer);
	d->peer = NULL;
}

/*
 * --peer: reach the peer (starting it with --launch), then settle the receiver's CPU there.
 * 0, or the exit status with err filled; nothing is left running on failure.
 */
int ipcb_peer_open(struct driver *d, char *err, size_t errlen)
{
	const char *binary = d->o.peer_binary;
	struct place *pl = &d->places[0];
	char *self = NULL;
	int rc;

	if (d->o.launch && !binary) {
		/* On the heap: a PATH_MAX buffer is a large part of a small stack. */
		self = malloc(PATH_MAX);
		if (!self) {
			snprintf(err, errlen, "--launch: malloc: %s", strerror(ENOMEM));
			return EXIT_RUN_FAILED;
		}
		if (ipcb_self_path(self, PATH_MAX) < 0) {
			snprintf(err, errlen,
				 "--launch: cannot tell this ipcbench's path: give "
				 "--peer-ipcbench PATH");
			free(self);
			return EXIT_USAGE;
		}
		binary = self;
	}
	d->peer = calloc(1, sizeof(*d->peer));
	rc = d->peer ? ipcb_remote_open(&d->peer->remote, d->o.peer, d->o.token_file, d->o.launch,
					binary, d->o.timeout_s, err, errlen)
		     : -ENOMEM;
	if (!rc)
		snprintf(d->peer->remote.binary, sizeof(d->peer->remote.binary), "%.1000s",
			 binary ? binary : "ipcbench");
	free(self);
	if (rc == -ENOMEM && !d->peer)
		snprintf(err, errlen, "--peer: calloc: %s", strerror(ENOMEM));
	if (rc) {
		/* A peer that could not be opened is closed already. */
		free(d->peer);
		d->peer = NULL;
		return rc == -EINVAL || rc == -EPERM ? EXIT_USAGE : EXIT_RUN_FAILED;
	}
	if (pl->cpu[1] == -2)
		pl->cpu[1] = d->peer->remote.peer_cpu;
	if (!ipcb_remote_cpu_ok(&d->peer->remote, pl->cpu[1])) {
		snprintf(err, errlen, "--cpus %d,%d: CPU %d is not one the peer at %s offers",
			 pl->cpu[0], pl->cpu[1], pl->cpu[1], d->peer->remote.peer_text);
		ipcb_peer_close(d);
		return EXIT_USAGE;
	}
	d->peer->remote.peer_cpu = pl->cpu[1];
	ipcb_launcher_remote(&d->peer->remote_launcher, &d->peer->remote);
	snprintf(d->peer->hosts.binary, sizeof(d->peer->hosts.binary), "%s",
		 d->peer->remote.binary);
	ipcb_netaddr_host_text((const struct sockaddr *)&d->peer->remote.peer,
			       d->peer->hosts.peer_host, sizeof(d->peer->hosts.peer_host));
	d->peer->hosts.clock_offset_ns = d->peer->remote.clock.offset_ns;
	ipcb_launcher_runtime_hosts(&d->peer->hosts_launcher, &d->peer->hosts);
	/* The launch prefix, for a launcher that starts its own processes there (rsh-agent). */
	if (d->o.launch) {
		char host[64];

		setenv("IPCB_LAUNCH", d->o.launch, 1);
		/* As a launcher names it: numeric, as the rows' transports are given it. */
		ipcb_netaddr_host_text((const struct sockaddr *)&d->peer->remote.peer, host,
				       sizeof(host));
		setenv("IPCB_LAUNCH_HOST", host, 1);
		setenv("IPCB_LAUNCH_BINARY", d->peer->remote.binary, 1);
	}
	return 0;
}
