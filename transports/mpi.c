/* SPDX-License-Identifier: MIT */
/*
 * mpi - MPI point to point between two ranks started by mpirun, Open MPI from Debian: the
 * driver does not fork the sides, it runs mpirun, whose two ranks (ipcb-rank) join the driver
 * over the run's control socket and run the same timed bodies as forked sides (transport.h:
 * launch_cmd). Rank 0 is the sender, rank 1 the receiver; results come back over the control
 * connection.
 *
 * A round trip is MPI_Send of the payload and MPI_Recv of its echo; a stream is MPI_Isend and
 * MPI_Irecv, each completed (MPI_Wait) before the next message, since the driver builds every
 * message in the same buffer (so, unlike osu_bw, no window of requests in flight).
 * Run as mpirun is told here: pml ob1, btl self,vader (shared memory; -o mpi.btl=tcp: TCP over
 * loopback instead), no launch agent (plm_rsh_agent false: no ssh, both ranks are local),
 * --bind-to none (each rank pins itself to its side's CPU, as a forked side does), progress
 * that yields the CPU between polls (mpi_yield_when_idle: ob1 never sleeps, and two spinning
 * ranks on one CPU would take turns by the scheduler's time slice), session directory and
 * vader's shared-memory files in the run's directory (removed with it), and, as root, Open
 * MPI's OMPI_ALLOW_RUN_AS_ROOT and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM.
 *
 * What this cannot make private: mpirun's own runtime channel (ORTE's out-of-band TCP) listens
 * on the wildcard addresses for the run's life, whatever btl is chosen; the messages measured
 * never use it. Open MPI's session files are its own (modes, names), inside the run's 0700
 * directory.
 *
 * Two hosts (IPCB_CAP_LAUNCH_HOSTS; --peer B --launch PREFIX): one command line per host,
 * `mpirun -np 1 --host A PROG : -np 1 --host B PROG'` (A this host's address toward B; each
 * PROG that host's ipcb-rank), btl self,tcp only (vader is refused: shared memory does not
 * cross hosts), the btl and the runtime's channel restricted to the subnet of A's interface
 * (Open MPI's tcp does not match the peer's connections to its process when given the two
 * addresses as /32s), plm_rsh_agent the driver's `ipcbench rsh-agent`, which starts orted on B
 * through PREFIX with a session directory of its own there. The session directory here comes
 * from TMPDIR, not an MCA parameter: mpirun passes those on to orted's command line, where
 * this host's path would name a directory on B (and orte_local_tmpdir_base makes the daemon
 * fail to start). The ranks reach the driver over TCP and prove it started them with
 * IPCB_RANK_KEY, which `-x` passes on.
 *
 * Cost of one message: vader copies a small message through a shared-memory FIFO (eager) and a
 * large one with one copy between the processes (CMA, after a rendezvous), polled, never
 * waking a sleeper; with tcp, the loopback socket's cost.
 * Comparing with osu_latency: osu_latency prints half the mean round trip (RTT/2) of a
 * ping-pong; this transport's latency rows are round trips (latency_kind rtt), percentiles of
 * every round trip: osu_latency's figure compares with the row's mean_ns / 2 (and p50 / 2 where
 * the round trips vary little). NetPIPE's NPmpi also reports RTT/2 (a mean).
 * Limits: a count is an int: none below 2 GiB; never chunked.
 *
 * Built only with Open MPI (transports/meson.build: 'mpi ompi-c:libopenmpi-dev
 * !mpirun:openmpi-bin').
 */
#include "broker.h"
#include "ipcb_config.h"
#include "transport.h"
#include "mpi_module.h"

#define MPI_SUMMARY "MPI_Send/Recv (streams Isend/Irecv) between two ranks under mpirun (Open MPI)"
/* Across hosts too: launch_cmd places the ranks on two hosts when given them. */
#define MPI_HOSTS IPCB_CAP_LAUNCH_HOSTS
#define MPI_CAPS  (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR | MPI_HOSTS)
#define MPI_NOTES                                                                                  \
	"ranks are started by mpirun, not fork (-np 2 --bind-to none --mca pml ob1 --mca btl "     \
	"self,vader, or self,tcp with -o mpi.btl=tcp (auto: vader here, tcp across hosts); --mca " \
	"plm_rsh_agent false: no ssh; "                                                            \
	"mpi_yield_when_idle 1; shmem mmap: session, shared-memory and vader files in the run's "  \
	"directory; as root "                                                                      \
	"OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1); each rank pins itself and "   \
	"runs the same timed body as a forked side, results back over its control connection; "    \
	"latency rows are round trips (rtt): osu_latency prints RTT/2; across hosts (--peer B "    \
	"--launch PREFIX, btl tcp): mpirun -np 1 --host A ... : -np 1 --host B ..., orted "        \
	"started on B through PREFIX by ipcbench rsh-agent, tcp on the subnet of A's interface"

static const struct ipcb_option mpi_options[] = {
    {.key = "btl",
     .type = IPCB_OPT_CHOICE,
     .def = "auto",
     .choices = "auto|vader|tcp",
     .help = "Open MPI's byte transfer layer: vader (shared memory) or tcp (loopback; the link "
	     "across hosts, where only tcp runs); auto: vader on one host, tcp across two"},
    {.key = NULL},
};

#define MPI_OPT_BTL   0
#define MPI_BTL_VADER 1
#define MPI_BTL_TCP   2

#if IPCB_BUILT_MPI
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <mpi.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mpi_ep {
	int peer;
	bool inited;
};

int ipcb_mpi_fail(struct ipcb_err *e, int err, int code, const char *call)
{
	char text[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
		snprintf(text, sizeof(text), "MPI error %d", code);
	return ipcb_errf(e, err, call, "%s", text);
}

static void mpi_library(char *out, size_t n)
{
	char v[MPI_MAX_LIBRARY_VERSION_STRING];
	int len = 0;

	/* Callable before MPI_Init (MPI-3): the first words say which and which version. */
	if (MPI_Get_library_version(v, &len) != MPI_SUCCESS) {
		snprintf(out, n, "%s", IPCB_LIBS_MPI);
		return;
	}
	v[strcspn(v, ",\n")] = '\0';
	/* "Open MPI v4.1.4": the row's library column writes versions without the "v". */
	char *ver = strstr(v, " v");

	if (ver && ver[2] >= '0' && ver[2] <= '9')
		memmove(ver + 1, ver + 2, strlen(ver + 2) + 1);
	snprintf(out, n, "%s", v);
}

/* mpirun must be there at run time too: it is its own package. */
static int mpi_probe(struct ipcb_probe *p)
{
	return ipcb_broker_probe(p, "mpirun", "openmpi-bin");
}

/*
 * The subnet of this host's interface with cfg->host, "10.218.0.0/24", when the peer is on it:
 * what Open MPI's channel and messages are restricted to. Its tcp needs the subnet, not the
 * two addresses alone (with A/32,B/32 the peer's connections are not matched to a process and
 * the first message never arrives), and both ends must find their interface in it. 0, or a
 * negative errno with cmd->err filled.
 */
static int mpi_subnet(const struct ipcb_chan_cfg *cfg, struct ipcb_launch_cmd *cmd, char *out,
		      size_t n)
{
	struct in_addr host, peer;
	struct ifaddrs *all = NULL;
	uint32_t mask = 0;
	bool found = false;

	if (inet_pton(AF_INET, cfg->host, &host) != 1 || inet_pton(AF_INET, cfg->peer, &peer) != 1)
		return ipcb_errf(&cmd->err, -EAFNOSUPPORT, "inet_pton",
				 "%s to %s: two hosts over IPv4 only", cfg->host, cfg->peer);
	if (getifaddrs(&all) < 0)
		return ipcb_err(&cmd->err, -errno, "getifaddrs");
	for (struct ifaddrs *i = all; i && !found; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_netmask && i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == host.s_addr) {
			mask = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
			found = true;
		}
	freeifaddrs(all);
	if (!found)
		return ipcb_errf(&cmd->err, -EADDRNOTAVAIL, "getifaddrs",
				 "no interface here has %s", cfg->host);
	if ((ntohl(host.s_addr) & mask) != (ntohl(peer.s_addr) & mask))
		return ipcb_errf(&cmd->err, -EHOSTUNREACH, "getifaddrs",
				 "%s is not on the subnet of %s here: one subnet only", cfg->peer,
				 cfg->host);
	host.s_addr = htonl(ntohl(host.s_addr) & mask);
	snprintf(out, n, "%s/%d", inet_ntoa(host), __builtin_popcount(mask));
	return 0;
}

/*
 * The btl a run uses: as asked, or for auto, vader on one host and tcp across two (the driver
 * names this host's address, cfg.host, from setup on; the peer and the agent come at launch).
 */
static bool mpi_over_tcp(const struct ipcb_chan_cfg *cfg)
{
	uint64_t btl = ipcb_opt(cfg, MPI_OPT_BTL);

	return btl == MPI_BTL_TCP || (btl != MPI_BTL_VADER && cfg->host);
}

/* The row's channel says which btl ran, since the options may say auto. */
static int mpi_setup(struct ipcb_chan *ch)
{
	snprintf(ch->layout, sizeof(ch->layout), "pml ob1, btl self,%s",
		 mpi_over_tcp(&ch->cfg) ? "tcp" : "vader");
	return 0;
}

/* setup() makes nothing to remove. */
static void mpi_teardown(struct ipcb_chan *ch)
{
}

/* One of Open MPI's parameters on mpirun's command line: --mca KEY VALUE. */
static int mpi_mca(struct ipcb_launch_cmd *cmd, const char *key, const char *value)
{
	int rc = ipcb_cmd_arg(cmd, "--mca");

	/* In this order: the operands of | may be evaluated in any. */
	rc |= ipcb_cmd_arg(cmd, "%s", key);
	rc |= ipcb_cmd_arg(cmd, "%s", value);
	return rc;
}

static int mpi_launch_cmd(const struct ipcb_chan *ch, struct ipcb_launch_cmd *cmd)
{
	bool hosts = ch->cfg.peer && ch->cfg.host && ch->cfg.agent;
	bool tcp = mpi_over_tcp(&ch->cfg);
	const char *dir = ch->cfg.run_dir;
	char pair[160];
	int rc = 0;

	/* Shared memory does not cross hosts: silently measuring tcp instead would mislabel. */
	if (hosts && !tcp)
		return ipcb_errf(&cmd->err, -EINVAL, "btl",
				 "vader (shared memory) cannot join two hosts: -o mpi.btl=tcp or "
				 "auto");
	/* Open MPI refuses root unless told twice; its own variables, for mpirun alone. */
	rc |= ipcb_cmd_arg(cmd, "env");
	rc |= ipcb_cmd_arg(cmd, "OMPI_ALLOW_RUN_AS_ROOT=1");
	rc |= ipcb_cmd_arg(cmd, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
	/*
	 * Two hosts: the session directory here goes in the run's directory by TMPDIR, which
	 * mpirun keeps to itself. An MCA parameter (orte_tmpdir_base, orte_local_tmpdir_base)
	 * would be handed on to the peer's daemon on its command line, naming this host's path
	 * there; the agent gives the daemon there a directory of its own (bench/remote/serve.c).
	 */
	if (hosts)
		rc |= ipcb_cmd_arg(cmd, "TMPDIR=%s", dir);
	rc |= ipcb_cmd_arg(cmd, "mpirun");
	if (!hosts) {
		rc |= ipcb_cmd_arg(cmd, "-np");
		rc |= ipcb_cmd_arg(cmd, "2");
	}
	rc |= ipcb_cmd_arg(cmd, "--bind-to");
	rc |= ipcb_cmd_arg(cmd, "none");
	rc |= mpi_mca(cmd, "pml", "ob1");
	rc |= mpi_mca(cmd, "btl", tcp ? "self,tcp" : "self,vader");
	/*
	 * One host: no remote agent at all (no ssh). Two: mpirun starts its daemon (orted) on the
	 * peer through the driver's agent, which runs it through the launch prefix.
	 */
	rc |= mpi_mca(cmd, "plm_rsh_agent", hosts ? ch->cfg.agent : "false");
	rc |= mpi_mca(cmd, "mpi_yield_when_idle", "1");
	/* Shared segments as files in the session directory, not POSIX names in /dev/shm. */
	rc |= mpi_mca(cmd, "shmem", "mmap");
	if (!hosts) {
		/* The runtime's own control channel on the loopback only, not on every interface.
		 */
		rc |= mpi_mca(cmd, "oob_tcp_if_include", "lo");
		rc |= mpi_mca(cmd, "orte_tmpdir_base", dir);
		rc |= mpi_mca(cmd, tcp ? "btl_tcp_if_include" : "btl_vader_backing_directory",
			      tcp ? "lo" : dir);
		return rc ? cmd->err.code : 0;
	}
	/* Two hosts: the runtime's channel and the messages on the path between the two only. */
	rc = mpi_subnet(&ch->cfg, cmd, pair, sizeof(pair));
	if (rc)
		return rc;
	rc |= mpi_mca(cmd, "oob_tcp_if_include", pair);
	rc |= mpi_mca(cmd, "btl_tcp_if_include", pair);
	rc |= ipcb_cmd_arg(cmd, "-x");
	rc |= ipcb_cmd_arg(cmd, "%s", IPCB_RANK_KEY_ENV);
	/* One command line per host (its program's path is that host's): rank 0 here, 1 there. */
	rc |= ipcb_cmd_arg(cmd, "-np");
	rc |= ipcb_cmd_arg(cmd, "1");
	rc |= ipcb_cmd_arg(cmd, "--host");
	rc |= ipcb_cmd_arg(cmd, "%s", ch->cfg.host);
	for (int i = 0; i < 4 && cmd->rank_argv[0][i]; i++)
		rc |= ipcb_cmd_arg(cmd, "%s", cmd->rank_argv[0][i]);
	rc |= ipcb_cmd_arg(cmd, ":");
	rc |= ipcb_cmd_arg(cmd, "-np");
	rc |= ipcb_cmd_arg(cmd, "1");
	rc |= ipcb_cmd_arg(cmd, "--host");
	rc |= ipcb_cmd_arg(cmd, "%s", ch->cfg.peer);
	return rc ? cmd->err.code : 0;
}

/* mpirun tells each rank which it is. */
static int mpi_launch_rank(void)
{
	const char *r = getenv("OMPI_COMM_WORLD_RANK");

	return r && *r ? atoi(r) : -ENOENT;
}

static int mpi_open(struct ipcb_ep *ep)
{
	struct mpi_ep *me = ep->priv;
	int rank = -1, size = 0, rc;

	rc = MPI_Init(NULL, NULL);
	if (rc != MPI_SUCCESS)
		return ipcb_mpi_fail(&ep->err, -EPROTO, rc, "MPI_Init");
	me->inited = true;
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size != 2 || rank != (ep->role == IPCB_SENDER ? 0 : 1))
		return ipcb_errf(&ep->err, -EINVAL, "MPI_Comm_rank",
				 "rank %d of %d, where the %s is rank %d of 2", rank, size,
				 ep->role == IPCB_SENDER ? "sender" : "receiver",
				 ep->role == IPCB_SENDER ? 0 : 1);
	me->peer = 1 - rank;
	return 0;
}

static void mpi_close(struct ipcb_ep *ep)
{
	struct mpi_ep *me = ep->priv;

	if (me->inited)
		MPI_Finalize();
	me->inited = false;
}

IPCB_HOT static int mpi_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct mpi_ep *me = ep->priv;
	MPI_Request rq;
	int rc;

	if (ep->chan->cfg.bidirectional) {
		rc = MPI_Send(buf, (int)len, MPI_BYTE, me->peer, 0, MPI_COMM_WORLD);
		return rc == MPI_SUCCESS ? 0 : ipcb_mpi_fail(&ep->err, -EPROTO, rc, "MPI_Send");
	}
	rc = MPI_Isend(buf, (int)len, MPI_BYTE, me->peer, 0, MPI_COMM_WORLD, &rq);
	if (rc == MPI_SUCCESS)
		rc = MPI_Wait(&rq, MPI_STATUS_IGNORE);
	return rc == MPI_SUCCESS ? 0 : ipcb_mpi_fail(&ep->err, -EPROTO, rc, "MPI_Isend");
}

IPCB_HOT static int mpi_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct mpi_ep *me = ep->priv;
	MPI_Status st;
	MPI_Request rq;
	int rc, got = 0;

	if (ep->chan->cfg.bidirectional) {
		rc = MPI_Recv(buf, (int)len, MPI_BYTE, me->peer, 0, MPI_COMM_WORLD, &st);
	} else {
		rc = MPI_Irecv(buf, (int)len, MPI_BYTE, me->peer, 0, MPI_COMM_WORLD, &rq);
		if (rc == MPI_SUCCESS)
			rc = MPI_Wait(&rq, &st);
	}
	if (rc != MPI_SUCCESS)
		return ipcb_mpi_fail(&ep->err, -EPROTO, rc,
				     ep->chan->cfg.bidirectional ? "MPI_Recv" : "MPI_Irecv");
	MPI_Get_count(&st, MPI_BYTE, &got);
	if ((size_t)got != len)
		return ipcb_errf(&ep->err, -EBADMSG, "MPI_Recv", "%d bytes where %zu were sent",
				 got, len);
	return 0;
}

/* Its route follows the btl: vader's shared-memory rings, or tcp. */
static void mpi_route(const struct ipcb_chan_cfg *cfg, struct ipcb_route *r)
{
	bool tcp = mpi_over_tcp(cfg);

	r->path = tcp ? IPCB_PATH_NETWORK_STACK : IPCB_PATH_SHARED_MEMORY;
	r->rides_on = tcp ? "tcp" : "shm";
}

/* mpi_hosts.c: the runtime that started ipcbench on many hosts (--hosts mpi). */

static const struct ipcb_launch_ops mpi_launch = {
    .command = mpi_launch_cmd,
    .rank = mpi_launch_rank,
    .hosts = &ipcb_mpi_hosts,
};
#endif /* IPCB_BUILT_MPI */

const struct ipcb_transport ipcb_transport_mpi = {
    .name = "mpi",
    .path = IPCB_PATH_SHARED_MEMORY,
    .rides_on = "shm",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = MPI_SUMMARY,
    .notes = MPI_NOTES,
    .caps = MPI_CAPS,
    .fixed_wait = IPCB_WAIT_YIELD,
    .options = mpi_options,
    IPCB_IF_BUILT(IPCB_BUILT_MPI, IPCB_WITHOUT_MPI, .route = mpi_route, .library = mpi_library,
		  .probe = mpi_probe, .setup = mpi_setup, .teardown = mpi_teardown,
		  .launch = &mpi_launch, .ep_priv_bytes = sizeof(struct mpi_ep), .open = mpi_open,
		  .close = mpi_close, .send = mpi_send, .recv = mpi_recv),
};
