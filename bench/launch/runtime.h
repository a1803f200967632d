/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - sides started by a transport's runtime instead of fork (MPI ranks under mpirun):
 * the launcher (engine/launcher.h) and the program each such side is (ipcb-rank).
 */
#ifndef IPCB_RUNTIME_H
#define IPCB_RUNTIME_H

#include <stdint.h>

#include "launcher.h"
#include "transport.h"

/* Both sides on this host, started by the transport's runtime (its launch ops). */
extern const struct ipcb_launcher ipcb_launcher_runtime;

/*
 * Two hosts (IPCB_CAP_LAUNCH_HOSTS): the runtime starts the sender here and the receiver on the
 * peer, whose sides join the driver over TCP.
 */
struct ipcb_runtime_hosts {
	char binary[1024];	 /* the ipcbench the peer runs: its ipcb-rank is beside it */
	char peer_host[64];	 /* the peer's numeric address */
	int64_t clock_offset_ns; /* the peer's clock minus this host's */
};
/* ln: the runtime launcher for two hosts; hosts must outlive it. */
void ipcb_launcher_runtime_hosts(struct ipcb_launcher *ln, const struct ipcb_runtime_hosts *hosts);

/* The launcher a transport's sides take on one host: its runtime's when it has one, else fork. */
const struct ipcb_launcher *ipcb_launcher_for(const struct ipcb_transport *t);

/*
 * The program a runtime starts as each side of a transport with launch ops (ipcb-rank
 * CONTROL-SOCKET TRANSPORT): joins the driver, runs the engine's side body, sends its results
 * over its control connection. Returns the exit status.
 */
int ipcb_run_rank_main(int argc, char **argv);

#endif
