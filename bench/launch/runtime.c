/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - the launcher for a transport whose sides its own runtime starts (MPI ranks under
 * mpirun; transport.h: launch ops): the driver runs the runtime's command, each side it starts
 * (ipcb-rank) joins the driver over a control socket, gets the whole run spec and runs the
 * engine's side body, and sends its results back over that connection; see runtime.h.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "launch.h"
#include "msg.h"
#include "netaddr.h"
#include "run.h"
#include "rundir.h"

/*
 * The run as a side started by a runtime gets it: the whole spec, its pointers cleared (the
 * transport goes by name, the paths as strings), so that every field of a run reaches the side.
 */
struct rank_spec {
	struct ipcb_run_spec spec;
	char transport[64];
	char tag[64];
	char run_dir[1024], dir[1024], service[256];
	/* Side k's host's clock minus the driver's: message times are shifted by it (msg.h). */
	int64_t shift_ns[2];
};

/* Where the runtime's side program is: next to the driver, else where the build put it. */
static void rank_program(char *out, size_t n)
{
	if (ipcb_self_sibling("ipcb-rank", out, n) == 0)
		return;
	snprintf(out, n, "%s", IPCB_RANK_PATH);
}

/* Side k's part of the result area: its two slots and its histograms. */
static int result_file(const char *run_dir, unsigned k, char *out, size_t n)
{
	return snprintf(out, n, "%s/result%u", run_dir, k) < (int)n ? 0 : -ENAMETOOLONG;
}

/*
 * A piece of side k's results, as it sent it over its control connection: written to its file
 * in the run's directory (made new, exclusively, 0600, by the first piece; kept open for the
 * rest), read back once every side is done. A side on another host has no way to this host's
 * files but this one.
 */
struct result_files {
	const char *run_dir;
	int fd[2];
};

static int result_piece(void *arg, unsigned k, const void *piece, size_t len)
{
	struct result_files *rf = arg;
	char path[1200];

	if (k > 1 || result_file(rf->run_dir, k, path, sizeof(path)))
		return -EINVAL;
	if (rf->fd[k] < 0)
		rf->fd[k] = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (rf->fd[k] < 0)
		return -errno;
	while (len) {
		ssize_t n = write(rf->fd[k], piece, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		piece = (const char *)piece + n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Two hosts: where the side there reaches the driver, a TCP socket on this host's address
 * toward the peer (any free port), and the key it must show. The listening socket, or -errno
 * with error filled.
 */
static int rank_listen(const char *host, char *ctl, size_t ctl_bytes, char *key, size_t key_bytes,
		       char *error, size_t error_bytes)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned char raw[16];
	char port[16];
	int fd, rc;

	if (ipcb_netaddr_parse(host, true, &ss, &len, error, error_bytes) < 0)
		return -EINVAL;
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		rc = -errno;
		snprintf(error, error_bytes, "getrandom: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < key_bytes; i++)
		snprintf(key + 2 * i, 3, "%02x", raw[i]);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		rc = -errno;
		snprintf(error, error_bytes, "control socket on %s: %s", host, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	snprintf(port, sizeof(port), "%u",
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						: ((struct sockaddr_in *)&ss)->sin_port));
	snprintf(ctl, ctl_bytes, ss.ss_family == AF_INET6 ? "tcp:[%s]:%s" : "tcp:%s:%s", host,
		 port);
	return fd;
}

/*
 * What run_by_runtime builds: the command, the spec the sides get and the paths, some 20 KiB, on
 * the heap, since the driver's stack may be small (ulimit -s).
 */
struct runtime_run {
	struct ipcb_launch_cmd cmd;
	struct rank_spec rs;
	struct ipcb_runtime_launch x;
	char prog[PATH_MAX], peer_prog[PATH_MAX], agent[PATH_MAX + 16], peer[64];
	char ctl[1100], log[1100], key[40], path[1200];
};

static int run_by_runtime(const struct ipcb_run_spec *s, const struct ipcb_runtime_hosts *hosts,
			  struct ipcb_chan *ch, struct ipcb_launch *launch,
			  struct ipcb_run_area *area)
{
	char *error = launch->error;
	size_t error_bytes = sizeof(launch->error);
	struct result_files rf = {.run_dir = ch->cfg.run_dir, .fd = {-1, -1}};
	struct runtime_run *r;
	int rc, lfd = -1;

	if (launch->senders + launch->receivers != 2 || !ch->cfg.run_dir) {
		snprintf(error, error_bytes, "a runtime starts one sender and one receiver");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(error, error_bytes, "launch: calloc: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rank_program(r->prog, sizeof(r->prog));
	snprintf(r->ctl, sizeof(r->ctl), "%s/ctl", ch->cfg.run_dir);
	snprintf(r->log, sizeof(r->log), "%s/launcher", ch->cfg.run_dir);
	snprintf(r->peer_prog, sizeof(r->peer_prog), "%s", r->prog);
	if (hosts) {
		char *slash;

		/* The peer's ipcb-rank is beside the ipcbench it runs; the agent is this one. */
		snprintf(r->peer_prog, sizeof(r->peer_prog), "%s", hosts->binary);
		slash = strrchr(r->peer_prog, '/');
		snprintf(slash ? slash + 1 : r->peer_prog,
			 sizeof(r->peer_prog) - (size_t)(slash ? slash + 1 - r->peer_prog : 0),
			 "ipcb-rank");
		snprintf(r->agent, sizeof(r->agent), "%s", r->prog);
		slash = strrchr(r->agent, '/');
		snprintf(slash ? slash + 1 : r->agent,
			 sizeof(r->agent) - (size_t)(slash ? slash + 1 - r->agent : 0),
			 "ipcbench rsh-agent");
		snprintf(r->peer, sizeof(r->peer), "%s", hosts->peer_host);
		ch->cfg.peer = r->peer;
		ch->cfg.agent = r->agent;
		r->rs.shift_ns[1] = hosts->clock_offset_ns;
		lfd = rank_listen(ch->cfg.host, r->ctl, sizeof(r->ctl), r->key, sizeof(r->key),
				  error, error_bytes);
		if (lfd < 0) {
			rc = lfd;
			goto out;
		}
	}
	r->rs.spec = *s;
	r->rs.spec.t = NULL;
	r->rs.spec.launcher = NULL;
	r->rs.spec.cfg = ch->cfg;
	r->rs.spec.cfg.dir = r->rs.spec.cfg.run_dir = r->rs.spec.cfg.service = NULL;
	r->rs.spec.cfg.host = r->rs.spec.cfg.peer = r->rs.spec.cfg.agent = NULL;
	snprintf(r->rs.transport, sizeof(r->rs.transport), "%s", s->t->name);
	snprintf(r->rs.tag, sizeof(r->rs.tag), "%s", ch->tag);
	snprintf(r->rs.run_dir, sizeof(r->rs.run_dir), "%s", ch->cfg.run_dir);
	snprintf(r->rs.dir, sizeof(r->rs.dir), "%s", ch->cfg.dir ? ch->cfg.dir : "");
	snprintf(r->rs.service, sizeof(r->rs.service), "%s",
		 ch->cfg.service ? ch->cfg.service : "");
	r->cmd.rank_argv[0][0] = r->prog;
	r->cmd.rank_argv[1][0] = r->peer_prog;
	for (int k = 0; k < 2; k++) {
		r->cmd.rank_argv[k][1] = r->ctl;
		r->cmd.rank_argv[k][2] = s->t->name;
	}
	rc = s->t->launch->command(ch, &r->cmd);
	for (int i = 0; !rc && i < 3; i++)
		rc = ipcb_cmd_arg(&r->cmd, "%s", r->cmd.rank_argv[1][i]);
	if (rc) {
		snprintf(error, error_bytes, "launch: %s: %s%s%s", r->cmd.err.call, strerror(-rc),
			 r->cmd.err.detail[0] ? ": " : "", r->cmd.err.detail);
		goto out;
	}
	r->x = (struct ipcb_runtime_launch){.argv = r->cmd.argv,
					    .ctl_path = hosts ? NULL : r->ctl,
					    .run_dir = ch->cfg.run_dir,
					    .log_path = r->log,
					    .spec = &r->rs,
					    .spec_bytes = sizeof(r->rs),
					    .tcp_lfd = lfd,
					    .key = r->key,
					    .result = result_piece,
					    .result_arg = &rf};
	/* For mpirun, which passes it on to the sides (transport.h: IPCB_RANK_KEY_ENV). */
	if (hosts)
		setenv(IPCB_RANK_KEY_ENV, r->key, 1);
	rc = ipcb_launch_runtime(launch, &r->x);
	if (hosts)
		unsetenv(IPCB_RANK_KEY_ENV);
	for (int k = 0; k < 2; k++)
		if (rf.fd[k] >= 0 && close(rf.fd[k]) < 0 && !rc) {
			snprintf(error, error_bytes, "side %d's results: close: %s", k,
				 strerror(errno));
			rc = -EIO;
		}
	if (rc)
		goto out;
	/* What each side measured, from its file, into the area as a forked side leaves it. */
	for (unsigned k = 0; k < area->nsides; k++) {
		FILE *f;
		bool ok;

		result_file(ch->cfg.run_dir, k, r->path, sizeof(r->path));
		f = fopen(r->path, "re");
		ok = f && fread(&area->side[k], sizeof(area->side[k]), 1, f) == 1 &&
		     fread(&area->side[area->nsides + k], sizeof(area->side[k]), 1, f) == 1;
		for (int h = 0; ok && h < IPCB_RUN_HISTS; h++) {
			struct ipcb_hist *hist = ipcb_run_hist(area, k, (enum ipcb_run_hist)h);

			ok = !hist || fread(hist, area->hist_bytes, 1, f) == 1;
		}
		if (f)
			fclose(f);
		if (!ok) {
			snprintf(error, error_bytes, "side %u's results (%.300s): %s", k, r->path,
				 f ? "short" : strerror(errno));
			rc = -EIO;
			goto out;
		}
	}
out:
	if (lfd >= 0)
		close(lfd);
	ch->cfg.peer = ch->cfg.agent = NULL;
	free(r);
	return rc;
}

/*
 * A side started by a runtime: the timed body, then its part of the area to the driver over its
 * control connection, before it says goodbye (the driver keeps each side's in a file and reads
 * them once every side has).
 */
static int rank_body(const struct ipcb_side *me, void *arg, void *area_v, char *err)
{
	struct ipcb_run_area *area = area_v;
	unsigned k = me->number;
	int rc = ipcb_run_side_body(me, arg, area_v, err);

	if (rc)
		return rc;
	rc = ipcb_side_send_result(&area->side[k], sizeof(area->side[0]));
	if (!rc)
		rc = ipcb_side_send_result(&area->side[area->nsides + k], sizeof(area->side[0]));
	for (int h = 0; !rc && h < IPCB_RUN_HISTS; h++) {
		const struct ipcb_hist *hist = ipcb_run_hist(area, k, (enum ipcb_run_hist)h);

		if (hist)
			rc = ipcb_side_send_result(hist, area->hist_bytes);
	}
	if (rc)
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(results): %s", strerror(-rc));
	return rc;
}

int ipcb_run_rank_main(int argc, char **argv)
{
	static struct rank_spec rs;
	struct ipcb_run_spec s;
	struct ipcb_chan ch;
	struct ipcb_side me;
	struct ipcb_run_ctx ctx = {.spec = &s, .chans = &ch};
	const struct ipcb_transport *t;
	size_t hist_bytes, hist_off, area_bytes;
	struct ipcb_run_area_shape shape;
	struct ipcb_run_area *area;
	char err[IPCB_RUN_ERR_BYTES] = "";
	int number, rc;

	/* Never outlive the runtime that started it: when it dies, the kernel kills this. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(
		    "Usage: ipcb-rank CONTROL-SOCKET TRANSPORT\n"
		    "One side of a transport that a runtime launches: mpirun starts it for\n"
		    "ipcbench's mpi transport and for ipcbench --hosts, never a person. It joins\n"
		    "the run over CONTROL-SOCKET and runs the timed side of TRANSPORT that the\n"
		    "runtime numbered it, as a forked side would. Installed beside ipcbench,\n"
		    "where the driver (and the runtime on another host) looks for it.\n"
		    "\n"
		    "Exit status: 0 ok, 1 the side failed, 2 usage error.\n");
		return 0;
	}
	if (argc != 3 || !(t = ipcb_transport_find(argv[2])) || !t->launch) {
		fprintf(stderr,
			"usage: ipcb-rank CONTROL-SOCKET TRANSPORT (started by ipcbench)\n");
		return 2;
	}
	number = t->launch->rank();
	if (number < 0 || number > 1) {
		fprintf(stderr, "ipcb-rank: %s: which side am I? %s\n", t->name,
			strerror(number < 0 ? -number : EINVAL));
		return 1;
	}
	ipcb_run_signals_ignore();
	if (ipcb_side_join(argv[1], (unsigned)number, &rs, sizeof(rs), err) < 0) {
		fprintf(stderr, "ipcb-rank: %s\n", err);
		return 1;
	}
	/* Listed for --cleanup where the run's directory is this host's (not over TCP). */
	if (strncmp(argv[1], "tcp:", 4) != 0)
		ipcb_rundir_note_pid(rs.run_dir, getpid());
	ipcb_msg_clock_shift_ns = rs.shift_ns[number];
	memset(&ch, 0, sizeof(ch));
	if (strcmp(rs.transport, t->name) != 0) {
		fprintf(stderr, "ipcb-rank: started as %s for a run of %s\n", t->name,
			rs.transport);
		return 1;
	}
	s = rs.spec;
	s.t = t;
	s.cfg.run_dir = rs.run_dir;
	s.cfg.dir = rs.dir[0] ? rs.dir : NULL;
	s.cfg.service = rs.service[0] ? rs.service : NULL;
	ch.t = t;
	ch.cfg = s.cfg;
	snprintf(ch.tag, sizeof(ch.tag), "%s", rs.tag);
	/* The same area as the driver's, private: this side fills its own part of it. */
	ipcb_run_area_shape_of(&s, 2, 1, 0, &shape);
	ipcb_run_area_layout(&shape, &hist_bytes, &hist_off, &area_bytes);
	area = mmap(NULL, area_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		fprintf(stderr, "ipcb-rank: mmap(result area): %s\n", strerror(errno));
		return 1;
	}
	ipcb_run_area_init(area, &shape, hist_bytes, hist_off);
	me = (struct ipcb_side){.role = number ? IPCB_RECEIVER : IPCB_SENDER,
				.index = 0,
				.number = (unsigned)number,
				.nsides = 2,
				.cpu = s.cpu[number]};
	rc = ipcb_side_run_joined(&me, rank_body, &ctx, area, err);
	return rc ? 1 : 0;
}

/* ---- the launcher ---------------------------------------------------------------------------- */

static int runtime_run(const struct ipcb_launcher *self, struct ipcb_launch *l,
		       struct ipcb_run_ctx *c)
{
	if (!c) {
		snprintf(l->error, sizeof(l->error), "a runtime starts a transport's sides only");
		return -EINVAL;
	}
	return run_by_runtime(c->spec, self->priv, &c->chans[0], l, l->area);
}

/*
 * Two hosts under a runtime: the clocks' offset is not measured again around the run (no
 * stand-in holds a connection to the peer then), so there is no bound to keep one-way rows by:
 * they are left out, saying so.
 */
static int runtime_after(const struct ipcb_launcher *self, struct ipcb_run_area *area, int rc,
			 struct ipcb_run_result *r)
{
	if (self->priv) {
		r->clock_per_run = true;
		r->clock_bound_ns = -1;
	}
	return rc;
}

const struct ipcb_launcher ipcb_launcher_runtime = {
    .name = "runtime", .run = runtime_run, .after = runtime_after};

void ipcb_launcher_runtime_hosts(struct ipcb_launcher *ln, const struct ipcb_runtime_hosts *hosts)
{
	*ln = ipcb_launcher_runtime;
	ln->name = "runtime on two hosts";
	ln->priv = (void *)hosts;
}

const struct ipcb_launcher *ipcb_launcher_for(const struct ipcb_transport *t)
{
	return t->launch ? &ipcb_launcher_runtime : &ipcb_launcher_fork;
}
