/* SPDX-License-Identifier: MIT */
/*
 * queues.c - the kernel's message queues, the sockets under the middleware, the middleware and
 * the brokers side by side, with C12 (and C10 for every queue); see sections.h. The column
 * "sender continues at once" is the C12 verdict's own comparison of the row, not a test of its
 * own.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sections.h"

enum kind { K_NONE, K_KERNEL, K_SOCKET, K_MIDDLEWARE, K_BROKER };

static const char *const kind_word[] = {"", "kernel queue", "socket", "middleware", "broker"};

/* What a transport is here: the guides' message queues, the raw sockets, or by its route. */
static enum kind kind_of(const struct group *g)
{
	if (!strcmp(g->transport, "posix-mq") || !strcmp(g->transport, "sysv-mq"))
		return K_KERNEL;
	if (!strcmp(g->transport, "unix-stream") || !strcmp(g->transport, "tcp"))
		return K_SOCKET;
	if (!strcmp(g->hops, "via broker"))
		return K_BROKER;
	return g->framework && *g->hops ? K_MIDDLEWARE : K_NONE;
}

/* The C12 comparison of a transport at a placement: "yes", "no", ...; "-" when there is none. */
static const char *c12_word(const struct report *r, const struct group *g)
{
	static const char *const word[] = {"no", "yes", "not decided", "not decidable"};

	for (size_t i = 0; i < r->nclaims; i++) {
		const struct verdict *v = &r->verdicts[i];

		if (strncmp(claim_id(v->def), "C12", 3))
			continue;
		for (size_t k = 0; k < v->n; k++)
			if (!strcmp(v->cmps[k].a->label, g->label) &&
			    !strcmp(v->cmps[k].placement, g->placement))
				return word[v->cmps[k].o];
	}
	return "-";
}

void sec_queues(struct report *r)
{
	const struct model *m = r->m;
	char s1[16], s2[16];
	bool any = false;

	for (size_t i = 0; i < m->nlabels && !any; i++) {
		const struct group *g = model_label_group(m, m->labels[i]);

		any = g && kind_of(g) >= K_MIDDLEWARE;
	}
	if (!any)
		return;
	size_format(r->small, s1, sizeof(s1));
	size_format(r->k64, s2, sizeof(s2));
	ipcb_doc_h(r->d, 2, "Message queues: the kernel's, middleware on sockets, and brokers");
	/* clang-format off */
	ipcb_doc_p(r->d, "The guides name message queues (the kernel's) and message-queue "
		   "middleware (RabbitMQ and the like) as the way processes exchange messages "
		   "without waiting for each other. Side by side, doing the same verified work: "
		   "the %s round trip and the %s stream, what the sender pays per streamed %s "
		   "message (CPU, in ns), what the transport's server pays per message (its CPU "
		   "over the whole run: per round trip, or per streamed message), what the server "
		   "itself costs (how long it took to start until it answered: on every CPU where "
		   "the transport says its start may use them, as a JVM told its CPUs, else on "
		   "the CPU it is pinned to; and the memory it and the processes it started held "
		   "after the runs), and C12's comparison of each: "
		   DOC_I("a queue lets the sender continue at once") ", holding where, with the "
		   "receiver slowed (it works a fixed time on each message) and the sender "
		   "offering a rate it keeps up with, a send call takes under half of the "
		   "receiver's time per message.",
		   s1, s2, s1);
	/* clang-format on */
	for (size_t p = 0; p < m->nplacements; p++) {
		const char *pl = m->placements[p];

		ipcb_doc_h(r->d, 3, "%s", pl);
		ipcb_doc_table(r->d, "lllrrrrrrrl", "transport", "what", "hops", "round trip",
			       "stream", "sender CPU per streamed message",
			       "server CPU per round trip", "server CPU per streamed message",
			       "server start-up", "server memory",
			       "sender continues at once (C12)");
		for (int k = K_KERNEL; k <= K_BROKER; k++)
			for (size_t i = 0; i < m->nlabels; i++) {
				const struct group *rt =
				    model_pair(m, m->labels[i], pl, r->small, true);
				const struct group *st =
				    model_pair(m, m->labels[i], pl, r->k64, false);
				const struct group *st1 =
				    model_pair(m, m->labels[i], pl, r->small, false);
				const struct group *g = rt ? rt : st;
				const struct group *slow = NULL;
				char v[7][128];

				if (!g || kind_of(g) != (enum kind)k)
					continue;
				for (size_t gi = 0; gi < m->ngroups && !slow; gi++)
					if (m->groups[gi].shape == S_SLOW &&
					    !m->groups[gi].latency &&
					    !strcmp(m->groups[gi].label, g->label) &&
					    !strcmp(m->groups[gi].placement, pl))
						slow = &m->groups[gi];
				series_text(NULL, rt, M_RTT50, v[0], sizeof(v[0]));
				series_text(NULL, st, M_BPS, v[1], sizeof(v[1]));
				measure_format(M_SEND_CPU, st1 ? st1->sum[M_SEND_CPU].median : NAN,
					       v[2], sizeof(v[2]));
				measure_format(M_SERVER, rt ? rt->sum[M_SERVER].median : NAN, v[3],
					       sizeof(v[3]));
				measure_format(M_SERVER, st1 ? st1->sum[M_SERVER].median : NAN,
					       v[4], sizeof(v[4]));
				/* Once per invocation: every row of a server's invocation has it.
				 */
				measure_format(M_SRV_START, g->sum[M_SRV_START].median, v[5],
					       sizeof(v[5]));
				measure_format(M_SRV_RSS, g->sum[M_SRV_RSS].median, v[6],
					       sizeof(v[6]));
				ipcb_doc_row(r->d, g->label, kind_word[k],
					     *g->hops ? g->hops : "direct", v[0], v[1], v[2], v[3],
					     v[4], v[5], v[6],
					     k == K_SOCKET ? "(baseline)"
					     : slow	   ? c12_word(r, slow)
							   : "-");
			}
		ipcb_doc_table_end(r->d);
	}
	for (size_t i = 0; i < r->nclaims; i++)
		if (!strncmp(claim_id(r->verdicts[i].def), "C12", 3))
			claim_print(r->d, &r->verdicts[i]);
}
