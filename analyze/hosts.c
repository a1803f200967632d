/* SPDX-License-Identifier: MIT */
/*
 * hosts.c - the hosts of --hosts: which pairs ran when (and at the same time as which), the
 * matrix of every transport (round trip p50 and p99 at its smallest size, the stream at its
 * largest; sender's host down, receiver's across, each host alone on the diagonal), the slowest
 * pairs and the slowest host, the failed pairs, and C14 judged on every pair; see sections.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "sections.h"
#include "stats.h"

/* A pair's group: a transport's S_HOSTS group between two hosts (from == to: alone). */
static const struct group *pair_group(const struct model *m, const char *label, const char *from,
				      const char *to, size_t size, bool latency)
{
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];

		if (g->shape == S_HOSTS && g->latency == latency && g->size == size &&
		    !strcmp(g->label, label) && !strcmp(g->host, from) && !strcmp(g->peer_host, to))
			return g;
	}
	return NULL;
}

/* A transport's smallest size of round trips, or largest of streams, among the pairs' groups. */
static size_t pair_size(const struct model *m, const char *label, bool latency)
{
	size_t size = 0;

	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];

		if (g->shape == S_HOSTS && g->latency == latency && !strcmp(g->label, label) &&
		    (!size || (latency ? g->size < size : g->size > size)))
			size = g->size;
	}
	return size;
}

static void schedule(struct report *r)
{
	const struct model *m = r->m;
	unsigned last = 0;
	size_t failed = 0;
	char cell[2048], slot[16];

	for (size_t i = 0; i < m->npairs; i++)
		last = m->pairs[i].slot > last ? m->pairs[i].slot : last;
	ipcb_doc_p(
	    r->d, "The schedule: first every host alone, then a round-robin of pairs that share no "
		  "host, each round once each way. The pairs of a slot ran at the same time (on "
		  "shared switches, beside each other); the rows of each came from its own driver "
		  "on the sending host.");
	ipcb_doc_table(r->d, "rl", "slot", "pairs measured at the same time", NULL);
	for (unsigned s = 1; s <= last; s++) {
		size_t len = 0;

		cell[0] = '\0';
		for (size_t i = 0; i < m->npairs && len < sizeof(cell); i++) {
			const struct host_pair *p = &m->pairs[i];

			if (p->slot != s)
				continue;
			len += (size_t)snprintf(
			    cell + len, sizeof(cell) - len,
			    strcmp(p->from, p->to) ? "%s%s -> %s%s" : "%s%s%.0s alone%s",
			    len ? ", " : "", p->from, p->to, *p->error ? " (failed)" : "");
			failed += *p->error != '\0';
		}
		if (!len)
			continue;
		snprintf(slot, sizeof(slot), "%u", s);
		ipcb_doc_row(r->d, slot, cell, NULL);
	}
	ipcb_doc_table_end(r->d);
	if (!failed)
		return;
	ipcb_doc_p(r->d, DOC_B("Failed pairs") " (their other rows are kept):");
	for (size_t i = 0; i < m->npairs; i++) {
		const struct host_pair *p = &m->pairs[i];

		if (*p->error)
			ipcb_doc_li(r->d, "%s -> %s, slot %u: %s", p->from, p->to, p->slot,
				    p->error);
	}
}

/* A matrix of one transport and measure: sender's host down, receiver's across. */
static void matrix(struct report *r, const char *label, enum measure ms, size_t size)
{
	const struct model *m = r->m;
	size_t n = m->nhosts;
	struct grid t;
	char sz[16];
	bool latency = measure_latency(ms);

	if (grid_init(&t, n + 1, 1, 64) < 0)
		return;
	size_format(size, sz, sizeof(sz));
	ipcb_doc_p(r->d, DOC_B("%s, %s") " at %s: sender's host down, receiver's across", label,
		   measure_name(ms), sz);
	t.row[0] = "sender / receiver";
	for (size_t j = 0; j < n; j++)
		t.row[1 + j] = m->hosts[j];
	ipcb_doc_tablev(r->d, t.align, t.row);
	for (size_t i = 0; i < n; i++) {
		t.row[0] = m->hosts[i];
		for (size_t j = 0; j < n; j++) {
			const struct group *g =
			    pair_group(m, label, m->hosts[i], m->hosts[j], size, latency);

			series_text(NULL, g, ms, grid_text(&t, 1 + j), t.width);
		}
		ipcb_doc_rowv(r->d, t.row);
	}
	ipcb_doc_table_end(r->d);
	free(t.row);
}

static double median_of(const double *v, size_t n)
{
	double med = NAN;

	return ipcb_stats_median(v, n, &med) == 0 ? med : NAN;
}

/* How much slower than the median pair (greater: slower), for a measure of either direction. */
static double slowness(enum measure ms, double v, double median)
{
	return measure_lower_better(ms) ? v / median : median / v;
}

/*
 * The slowest pair of a transport's measure, against the median of all its pairs between two
 * hosts; and, into per_host, each host's share: the median slowness of the pairs it is in.
 */
static void slowest(struct report *r, const char *label, enum measure ms, size_t size,
		    double *per_host)
{
	const struct model *m = r->m;
	size_t n = m->nhosts, k = 0;
	double *v = calloc(n * n + 1, sizeof(*v)), *mine = calloc(n * n + 1, sizeof(*mine));
	const struct group **pairs = calloc(n * n + 1, sizeof(*pairs)), *worst = NULL;
	double median, w = NAN;
	char a[32], b[32];

	if (!v || !mine || !pairs)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			const struct group *g = i == j
						    ? NULL
						    : pair_group(m, label, m->hosts[i], m->hosts[j],
								 size, measure_latency(ms));

			if (g && g->sum[ms].n) {
				v[k] = g->sum[ms].median;
				pairs[k++] = g;
			}
		}
	if (k < 2)
		goto out;
	median = median_of(v, k);
	for (size_t i = 0; i < k; i++) {
		double s = slowness(ms, pairs[i]->sum[ms].median, median);

		if (!worst || s > w) {
			worst = pairs[i];
			w = s;
		}
	}
	for (size_t h = 0; per_host && h < n; h++) {
		size_t c = 0;

		for (size_t j = 0; j < n; j++) {
			const struct group *g[2];

			if (j == h)
				continue;
			g[0] = pair_group(m, label, m->hosts[h], m->hosts[j], size,
					  measure_latency(ms));
			g[1] = pair_group(m, label, m->hosts[j], m->hosts[h], size,
					  measure_latency(ms));
			for (int e = 0; e < 2; e++)
				if (g[e] && g[e]->sum[ms].n)
					mine[c++] = slowness(ms, g[e]->sum[ms].median, median);
		}
		per_host[h] = c ? median_of(mine, c) : NAN;
	}
	measure_format(ms, worst->sum[ms].median, a, sizeof(a));
	measure_format(ms, median, b, sizeof(b));
	ipcb_doc_li(r->d, "%s, %s: slowest pair %s -> %s, %s, %.2fx the median pair's %s", label,
		    measure_name(ms), worst->host, worst->peer_host, a, w, b);
out:
	free(v);
	free(mine);
	free(pairs);
}

void sec_hosts(struct report *r)
{
	const struct model *m = r->m;
	const char **labels = calloc(m->ngroups + 1, sizeof(*labels));
	double *host = calloc(m->nhosts + 1, sizeof(*host)),
	       *per = calloc(m->nhosts + 1, sizeof(*per));
	size_t nl = 0, *nper = calloc(m->nhosts + 1, sizeof(*nper));
	const struct verdict *c14 = NULL;

	if (!m->npairs || !labels || !host || !per || !nper)
		goto out;
	ipcb_doc_h(r->d, 2, "Hosts");
	/* clang-format off */
	ipcb_doc_p(r->d, "%zu hosts measured by " DOC_C("--hosts") " (one ipcbench on each, "
		   "started by their runtime): every ordered pair once, with the same harness, "
		   "verification and rounds as on one host, and each host alone on its loopback "
		   "(its two sides on two of its CPUs), the diagonal of each matrix below.",
		   m->nhosts);
	/* clang-format on */
	schedule(r);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];
		bool seen = false;

		for (size_t k = 0; k < nl && !seen; k++)
			seen = !strcmp(labels[k], g->label);
		if (g->shape == S_HOSTS && !seen)
			labels[nl++] = g->label;
	}
	for (size_t k = 0; k < nl; k++) {
		size_t rtt = pair_size(m, labels[k], true), bps = pair_size(m, labels[k], false);

		ipcb_doc_h(r->d, 3, "%s", labels[k]);
		if (rtt) {
			matrix(r, labels[k], M_RTT50, rtt);
			matrix(r, labels[k], M_RTT99, rtt);
		}
		if (bps)
			matrix(r, labels[k], M_BPS, bps);
		if (r->figures) {
			char name[160], caption[256];

			snprintf(name, sizeof(name), "hosts-%s", labels[k]);
			figure_caption(name, caption, sizeof(caption));
			ipcb_doc_figure(r->d, caption, r->figures, name);
		}
	}
	ipcb_doc_h(r->d, 3, "The slowest pairs and hosts");
	ipcb_doc_p(r->d,
		   "Each transport's slowest pair between two hosts against the median of its "
		   "pairs; then each host by the median of how much slower its own pairs (to "
		   "it and from it) are than the median pair, over every transport and measure.");
	for (size_t k = 0; k < nl; k++) {
		static const enum measure mss[] = {M_RTT50, M_RTT99, M_BPS};

		for (size_t q = 0; q < sizeof(mss) / sizeof(mss[0]); q++) {
			size_t size = pair_size(m, labels[k], measure_latency(mss[q]));

			if (!size)
				continue;
			for (size_t h = 0; h < m->nhosts; h++)
				per[h] = NAN;
			slowest(r, labels[k], mss[q], size, per);
			for (size_t h = 0; h < m->nhosts; h++)
				if (!isnan(per[h])) {
					host[h] += log(per[h]);
					nper[h]++;
				}
		}
	}
	{
		size_t worst = m->nhosts;

		for (size_t h = 0; h < m->nhosts; h++) {
			host[h] = nper[h] ? exp(host[h] / (double)nper[h]) : NAN;
			if (!isnan(host[h]) && (worst == m->nhosts || host[h] > host[worst]))
				worst = h;
		}
		if (worst < m->nhosts) {
			ipcb_doc_table(r->d, "lr", "host", "its pairs against the median pair",
				       NULL);
			for (size_t h = 0; h < m->nhosts; h++) {
				char v[32];

				snprintf(v, sizeof(v), isnan(host[h]) ? "-" : "%.2fx", host[h]);
				ipcb_doc_row(r->d, m->hosts[h], v, NULL);
			}
			ipcb_doc_table_end(r->d);
			/* clang-format off */
			ipcb_doc_p(r->d, "The slowest host: " DOC_B("%s") " (its pairs %.2fx the "
				   "median pair, the geometric mean over its transports and "
				   "measures).",
				   m->hosts[worst], host[worst]);
			/* clang-format on */
		}
	}
	for (size_t i = 0; i < r->nclaims && !c14; i++)
		if (!strcmp(claim_id(r->verdicts[i].def), "C14"))
			c14 = &r->verdicts[i];
	/* Judged on every pair: each two-host group against its sender's loopback. */
	if (c14)
		claim_print(r->d, c14);
out:
	free(labels);
	free(host);
	free(per);
	free(nper);
}
