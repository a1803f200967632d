/* SPDX-License-Identifier: MIT */
/*
 * body.c - a side's whole life in a run, whichever launcher started it: its endpoint, its
 * peers, the start barrier, the loop its mode and shape call for, its end; see run.h.
 */
#include "run.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "closed.h"
#include "counted.h"
#include "hot.h"
#include "kobjects.h"
#include "msg.h"
#include "runloop.h"
#include "shapes.h"

/*
 * A side's whole life: open its endpoint, publish its address and connect to its peers, wait
 * for every side at the start barrier, run its loop, say it is done, and close. A receiver of a
 * transport that moves nothing has no message to learn the end from: it waits for the senders
 * to be done, idle, so that on a shared CPU it does not take the sender's time.
 */
IPCB_HOT int ipcb_run_side_body(const struct ipcb_side *me_side, void *arg, void *area_v, char *err)
{
	struct ipcb_run_ctx *c = arg;
	const struct ipcb_run_spec *s = c->spec;
	const struct ipcb_transport *t = s->t;
	/* Pairs: every channel has the same number of senders and receivers; sides are numbered
	 * senders first, channel by channel. */
	const struct ipcb_chan_cfg *cfg = &c->chans[0].cfg;
	unsigned per_role = me_side->role == IPCB_SENDER ? cfg->senders : cfg->receivers;
	unsigned pair = me_side->index / per_role, npairs = s->pairs ? s->pairs : 1;
	struct ipcb_ep ep = {
	    .chan = &c->chans[pair], .role = me_side->role, .index = me_side->index % per_role};
	bool data = !(t->caps & IPCB_CAP_NO_DATA);
	struct ipcb_addr *all = NULL;
	struct ipcb_count_side counted;
	void *tx = NULL, *rx = NULL;
	int rc;

	c->area = area_v;
	c->me = me_side;
	c->chan = &c->chans[pair];
	c->lossy = ipcb_transport_lossy(t, &c->chan->cfg);
	if (t->ep_priv_bytes) {
		ep.priv = calloc(1, t->ep_priv_bytes);
		if (!ep.priv) {
			snprintf(err, IPCB_RUN_ERR_BYTES, "calloc(endpoint state): %s",
				 strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	all = calloc(me_side->nsides, sizeof(*all));
	tx = buf_map(s->size_bytes);
	rx = buf_map(s->size_bytes);
	if (!all || !tx || !rx) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "mmap(two %zu-byte message buffers): %s",
			 s->size_bytes, strerror(errno ? errno : ENOMEM));
		rc = -ENOMEM;
		goto unmap;
	}
	/* Fill both now so that no page fault lands in the measured loop. */
	ipcb_msg_fill(tx, s->size_bytes);
	memset(rx, 0, s->size_bytes);
	rc = t->open(&ep);
	if (rc) {
		transport_fail(&ep.err, "open", err);
		goto unmap;
	}
	rc = me_side->ops->exchange(&ep.addr, all);
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(addresses): %s", strerror(-rc));
		goto close_ep;
	}
	if (t->connect) {
		struct ipcb_peers peers = {.senders = cfg->senders,
					   .receivers = cfg->receivers,
					   .sender = all + pair * cfg->senders,
					   .receiver =
					       all + npairs * cfg->senders + pair * cfg->receivers};

		rc = t->connect(&ep, &peers);
		if (rc) {
			transport_fail(&ep.err, "connect", err);
			goto close_ep;
		}
	}
	/*
	 * --count's native pass: this side's kernel objects as the transport left them, before
	 * anything is sent (a TCP socket's buffers grow with the traffic).
	 */
	if (s->count_pass == IPCB_COUNT_NATIVE && ep.index == 0 && pair == 0)
		ipcb_kobj_describe(c->fds_before, c->area->kernel_objects[ep.role != IPCB_SENDER],
				   sizeof(c->area->kernel_objects[0]));
	/* A counted run: the transport's hooks wrapped, the endpoint's waits marked. */
	ipcb_count_side(c, &ep, &counted);
	s = c->spec;
	rc = me_side->ops->ready();
	if (rc) {
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(start barrier): %s", strerror(-rc));
		goto close_ep;
	}
	if (!data && ep.role == IPCB_RECEIVER)
		rc = 0;
	else if (s->mode == IPCB_MODE_BISTREAM)
		rc = ipcb_shape_bistream(c, &ep, tx, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY && ep.role == IPCB_RECEIVER)
		rc = ipcb_loop_latency_echo(c, &ep, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY && (s->inflight > 1 || s->rate > 0))
		rc = ipcb_shape_window_sender(c, &ep, tx, rx, err);
	else if (s->mode == IPCB_MODE_LATENCY)
		rc = ipcb_loop_latency_sender(c, &ep, tx, rx, err);
	else if (ep.role == IPCB_RECEIVER && cfg->broadcast)
		rc = ipcb_shape_bcast_receiver(c, &ep, rx, err);
	else if (ep.role == IPCB_RECEIVER && (cfg->senders > 1 || cfg->receivers > 1))
		rc = ipcb_shape_fan_receiver(c, &ep, rx, err);
	else if (ep.role == IPCB_RECEIVER)
		rc = ipcb_loop_stream_receiver(c, &ep, rx, err, false);
	else if (s->rate > 0)
		rc = ipcb_shape_open_stream_sender(c, &ep, tx, err);
	else
		rc = ipcb_loop_stream_sender(c, &ep, tx, err);
	if (!rc)
		rc = me_side->ops->done();
	/*
	 * Stay until the other side has everything: closing early could discard data in flight.
	 * A stream's sender (both sides of a bistream) waits for its receivers to be done.
	 */
	if (!rc && ((s->mode != IPCB_MODE_LATENCY && ep.role == IPCB_SENDER) ||
		    s->mode == IPCB_MODE_BISTREAM || (!data && ep.role == IPCB_RECEIVER)))
		rc = me_side->ops->wait_end();
	if (rc && !err[0])
		snprintf(err, IPCB_RUN_ERR_BYTES, "control(end of run): %s", strerror(-rc));
	c->area->side[me_side->number].cpu_seen = sched_getcpu();
close_ep:
	if (rc)
		me_side->ops->failing(err);
	if (t->close)
		t->close(&ep);
unmap:
	if (tx)
		munmap(tx, s->size_bytes);
	if (rx)
		munmap(rx, s->size_bytes);
	free(all);
	free(ep.priv);
	return rc;
}
