/* SPDX-License-Identifier: MIT */
/*
 * standin.c - the launcher of a run with one side on the peer, and the stand-ins that take the
 * place of that side on each host (see the top of remote.h): the run's settings on the wire,
 * the addresses swapped, the end of the run relayed and the peer's results taken. Apart from
 * remote.c: a run's story over a connection the session (remote.c) knows how to open.
 */
#include "remote.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "launch.h"
#include "run.h"

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
		ipcb_remote_conn_fail(rm, rc, "(sending an address)", "", err);
		goto out;
	}
	rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_ADDR, 0, &fr, back, "(its side's address)", me,
				err);
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
				rc = ipcb_remote_send_type(fd, IPCB_WIRE_DONE);
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
			ipcb_remote_conn_fail(rm, rc, "during the run", why, err);
			break;
		}
		if (m->type == IPCB_WIRE_ERROR) {
			rc = ipcb_remote_peer_failed(rm, m, me, err);
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
		return ipcb_remote_conn_fail(rm, rc, "(its results)", why, err);
	}
	if (m->type == IPCB_WIRE_ERROR) {
		rc = ipcb_remote_peer_failed(rm, m, c->me, err);
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
				ipcb_remote_conn_fail(rm, rc, "(its results)", why, err);
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
	fd = ipcb_remote_connect(rm, back, err);
	if (fd < 0) {
		free(m);
		return fd;
	}
	m->type = IPCB_WIRE_RUN;
	run_to_wire(rm, c->spec, &m->run);
	rc = ipcb_remote_send(fd, m);
	if (rc) {
		ipcb_remote_conn_fail(rm, rc, "(sending the run)", "", err);
		goto out;
	}
	rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_ACCEPT,
				ipcb_now_ns() + (uint64_t)(REMOTE_STEP_S * 1e9), &fr, back,
				"(its answer to the run)", c->me, err);
	if (rc)
		goto out;
	ipcb_remote_frame_free(&fr);
	rc = ipcb_remote_clock_measure(rm, fd, CLOCK_ROUNDS_RUN, &before, c->me, err);
	if (rc)
		goto out;
	memset(m, 0, sizeof(*m));
	m->type = IPCB_WIRE_START;
	m->start.shift_ns = before.offset_ns;
	rc = ipcb_remote_send(fd, m);
	if (rc) {
		ipcb_remote_conn_fail(rm, rc, "(starting the run)", "", err);
		goto out;
	}
	rc = swap_addresses(rm, fd, c->me, err);
	if (rc)
		goto out;
	rc = ipcb_remote_expect(rm, fd, IPCB_WIRE_READY, 0, &fr, back, "(its start)", c->me, err);
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
	if (ipcb_remote_clock_measure(rm, fd, CLOCK_ROUNDS_RUN, &after, c->me, err) == 0) {
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
	ipcb_remote_send_type(fd, IPCB_WIRE_BYE);
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
	rc = ipcb_remote_send_type(rm->fd, IPCB_WIRE_READY);
	if (rc)
		return ipcb_remote_conn_fail(rm, rc, "(saying its side is ready)", "", err);
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
		fd = ipcb_remote_dial(rm, 1.0, e);
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
		rc = rc ? rc : ipcb_remote_send_buf(rm->fd, &b);
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
