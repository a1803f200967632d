/* SPDX-License-Identifier: MIT */
/* counted.c - the engine's part of a counted run; see counted.h. */
#include "counted.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgcount.h"
#include "count.h"
#include "hot.h"

/*
 * The wrappers: their calls are what the transport executed for the side, the libraries it
 * calls included. Out of line and with names of their own, so that the profile shows them.
 */
static const struct ipcb_transport *orig;

#define WRAP(call)                                                                                 \
	do {                                                                                       \
		int rc_;                                                                           \
                                                                                                   \
		ipcb_count_in_transport = true;                                                    \
		rc_ = (call);                                                                      \
		ipcb_count_in_transport = false;                                                   \
		return rc_;                                                                        \
	} while (0)

__attribute__((noinline)) int ipcb_count_call_send(struct ipcb_ep *ep, const void *buf, size_t len);
__attribute__((noinline)) int ipcb_count_call_recv(struct ipcb_ep *ep, void *buf, size_t len);
__attribute__((noinline)) int ipcb_count_call_acquire(struct ipcb_ep *ep, size_t len, void **buf);
__attribute__((noinline)) int ipcb_count_call_commit(struct ipcb_ep *ep, size_t len);
__attribute__((noinline)) int ipcb_count_call_peek(struct ipcb_ep *ep, void **buf, size_t *len);
__attribute__((noinline)) int ipcb_count_call_release(struct ipcb_ep *ep);

int ipcb_count_call_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	WRAP(orig->send(ep, buf, len));
}

int ipcb_count_call_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	WRAP(orig->recv(ep, buf, len));
}

int ipcb_count_call_acquire(struct ipcb_ep *ep, size_t len, void **buf)
{
	WRAP(orig->loans->acquire(ep, len, buf));
}

int ipcb_count_call_commit(struct ipcb_ep *ep, size_t len)
{
	WRAP(orig->loans->commit(ep, len));
}

int ipcb_count_call_peek(struct ipcb_ep *ep, void **buf, size_t *len)
{
	WRAP(orig->loans->peek(ep, buf, len));
}

int ipcb_count_call_release(struct ipcb_ep *ep)
{
	WRAP(orig->loans->release(ep));
}

static const char *const wrappers[] = {
    "ipcb_count_call_send",   "ipcb_count_call_recv", "ipcb_count_call_acquire",
    "ipcb_count_call_commit", "ipcb_count_call_peek", "ipcb_count_call_release",
};

void ipcb_count_side(struct ipcb_run_ctx *c, struct ipcb_ep *ep, struct ipcb_count_side *cs)
{
	/* Under strace the calls are what is recorded: nothing is wrapped, the part is marked. */
	if (c->spec->count_pass == IPCB_COUNT_TRACE) {
		ipcb_count_begin_trace(c->chan->tag, c->me->number);
		return;
	}
	if (!c->spec->count_dir)
		return;
	orig = c->spec->t;
	cs->spec = *c->spec;
	cs->t = *orig;
	cs->t.send = orig->send ? ipcb_count_call_send : NULL;
	cs->t.recv = orig->recv ? ipcb_count_call_recv : NULL;
	if (orig->loans) {
		cs->loans = (struct ipcb_loan_ops){
		    .acquire = ipcb_count_call_acquire,
		    .commit = ipcb_count_call_commit,
		    .peek = ipcb_count_call_peek,
		    .release = ipcb_count_call_release,
		};
		cs->t.loans = &cs->loans;
	}
	cs->spec.t = &cs->t;
	c->spec = &cs->spec;
	ep->wait_mark = ipcb_count_mark;
	ipcb_count_begin_side(c->chan->tag, c->me->number);
}

/* What a side's dump trigger says ("Client Request: ipcb-count TAG side N ..."). */
struct trigger {
	unsigned side;
	bool calibration;
	unsigned long long messages, waits, twaits;
};

static bool trigger_parse(const char *text, const char *tag, struct trigger *t)
{
	const char *p = strstr(text, "ipcb-count ");
	size_t n = strlen(tag);

	memset(t, 0, sizeof(*t));
	if (!p || strncmp(p + 11, tag, n) || p[11 + n] != ' ')
		return false;
	p += 11 + n;
	if (sscanf(p, " side %u", &t->side) != 1)
		return false;
	if (strstr(p, " calibration")) {
		t->calibration = true;
		return true;
	}
	return sscanf(p, " side %*u messages %llu waits %llu in-transport %llu", &t->messages,
		      &t->waits, &t->twaits) == 3;
}

int ipcb_count_collect(const struct ipcb_run_spec *s, const char *tag, struct ipcb_run_result *r)
{
	/* Per side number (a 1:1 run: 0 the sender, 1 the receiver): its two dumps. */
	struct ipcb_cg_counts got[2], cal[2];
	struct trigger tr[2], ct;
	bool have[2] = {false, false}, have_cal[2] = {false, false};
	char path[4200], err[600];
	struct dirent *e;
	DIR *d = opendir(s->count_dir);
	int rc = 0;

	if (!d) {
		snprintf(r->error, sizeof(r->error), "--count: %s: %s", s->count_dir,
			 strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		struct ipcb_cg_counts cg;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->count_dir, e->d_name);
		/* The driver's own profile is written when it exits: not a side's. */
		if (!strncmp(e->d_name, "cg.", 3) &&
		    (unsigned)atoi(e->d_name + 3) == (unsigned)getpid())
			continue;
		if (ipcb_cg_read(path, wrappers, sizeof(wrappers) / sizeof(wrappers[0]), &cg, err,
				 sizeof(err)) == 0 &&
		    trigger_parse(cg.trigger, tag, &ct) && ct.side < 2) {
			if (ct.calibration) {
				cal[ct.side] = cg;
				have_cal[ct.side] = true;
			} else {
				got[ct.side] = cg;
				tr[ct.side] = ct;
				have[ct.side] = true;
			}
		}
		/* Every other file there is a finished side's: nothing will read it again. */
		unlink(path);
	}
	closedir(d);
	for (int k = 0; k < 2 && rc == 0; k++) {
		struct ipcb_run_counts *o = &r->counts[k];
		double per, m;
		size_t len = 0;

		/* A transport that moves nothing has no receiver at work: its sender plays it. */
		if (k == 1 && (s->t->caps & IPCB_CAP_NO_DATA) && !have[k])
			continue;
		if (!have[k] || !have_cal[k] || !tr[k].messages) {
			snprintf(r->error, sizeof(r->error),
				 "--count: the %s's profile of run %s is missing (did it run under "
				 "callgrind?)",
				 k ? "receiver" : "sender", tag);
			rc = -ENOENT;
			break;
		}
		/* A marked wait's own instructions, counted on either side of the switch. */
		per = cal[k].instr / IPCB_COUNT_CALIBRATION;
		m = (double)tr[k].messages;
		o->have = true;
		o->instr = (got[k].instr - per * (double)tr[k].waits) / m;
		o->transport = (got[k].transport - per * (double)tr[k].twaits) / m;
		o->syscalls = got[k].syscalls;
		for (size_t i = 0; i < got[k].nsys && len < sizeof(o->by_name); i++) {
			/* A clock read is a system call only under callgrind (natively the vDSO
			 * answers it): not the side's. */
			if (!strcmp(got[k].sys[i].name, "clock_gettime") ||
			    !strcmp(got[k].sys[i].name, "gettimeofday")) {
				o->syscalls -= got[k].sys[i].n;
				continue;
			}
			len += (size_t)snprintf(o->by_name + len, sizeof(o->by_name) - len,
						"%s%s %.4g", len ? ", " : "", got[k].sys[i].name,
						got[k].sys[i].n / m);
		}
		o->syscalls /= m;
	}
	return rc;
}
