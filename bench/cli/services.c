/* SPDX-License-Identifier: MIT */
/*
 * services.c - the servers planned transports need (a broker, a bus daemon): started once for
 * the sweep, pinned to --server-cpu, stopped at its end.
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* The CPU a row's server runs on: --server-cpu, else the receiver's (-1: unpinned). */
int ipcb_services_cpu(const struct driver *d, const struct place *pl)
{
	return d->o.server_cpu >= 0 ? d->o.server_cpu : pl->cpu[1];
}

/*
 * The servers the sweep before held for the next (--then), each with the transport and options
 * it was started for. The next sweep takes the one its transport's server would be started
 * with, and stops the others before its runs: a server idles beside no rows but its own.
 */
#define SERVICES_HELD 64
static struct {
	const struct ipcb_transport *t;
	uint64_t opt[IPCB_MAX_OPTIONS];
	struct ipcb_service_run *svc;
} held[SERVICES_HELD];
static size_t nheld;

/* The held server for p, still running, taken from the list; NULL when there is none. */
static struct ipcb_service_run *services_take(const struct planned *p)
{
	for (size_t i = 0; i < nheld; i++) {
		struct ipcb_service_run *svc = held[i].svc;

		if (held[i].t != p->t || memcmp(held[i].opt, p->opt, sizeof(p->opt)) != 0)
			continue;
		held[i] = held[--nheld];
		if (ipcb_service_check(svc) == 0)
			return svc;
		/* It died meanwhile: what it left goes, and a new one is started. */
		fprintf(stderr, "%s: %s's server, kept from the sweep before, is gone: %s\n", prog,
			p->t->name, svc->error);
		ipcb_service_stop(svc);
		free(svc);
		return NULL;
	}
	return NULL;
}

void ipcb_services_hold(struct driver *d)
{
	for (size_t i = 0; i < d->nuse; i++) {
		struct planned *p = &d->use[i];

		if (!p->svc)
			continue;
		if (nheld == SERVICES_HELD) {
			ipcb_service_stop(p->svc);
			free(p->svc);
		} else {
			held[nheld].t = p->t;
			memcpy(held[nheld].opt, p->opt, sizeof(p->opt));
			held[nheld++].svc = p->svc;
		}
		p->svc = NULL;
	}
}

void ipcb_services_stop_held(void)
{
	for (size_t i = 0; i < nheld; i++)
		ipcb_service_stop_begin(held[i].svc);
	for (size_t i = 0; i < nheld; i++) {
		ipcb_service_stop(held[i].svc);
		free(held[i].svc);
	}
	nheld = 0;
}

/*
 * Start the server of every planned transport that has one, once for the whole sweep. One that
 * cannot start is skipped, saying why, as a transport that cannot run here is. Returns 0, or
 * -EINTR when a signal asked the driver to stop (d->interrupted).
 */
int ipcb_services_start(struct driver *d)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->nuse; i++) {
		struct planned *p = &d->use[i];
		size_t len;
		int rc;

		if (p->t->service && (p->svc = services_take(p))) {
			/* An earlier sweep's (--then): it answered long ago, as that sweep said. */
			if (!d->o.quiet)
				fprintf(stderr, "# %s: %s kept from the sweep before\n", p->t->name,
					p->svc->svc.version[0] ? p->svc->svc.version
							       : p->svc->svc.argv[0]);
		} else if (p->t->service) {
			uint64_t t0 = ipcb_now_ns();

			p->svc = calloc(1, sizeof(*p->svc));
			rc = p->svc ? ipcb_service_start(p->svc, p->t, p->opt, d->o.dir,
							 ipcb_services_cpu(d, &d->places[0]),
							 d->o.server_timeout_s)
				    : -ENOMEM;
			if (rc == -EINTR) {
				d->interrupted = p->svc->signal;
				free(p->svc);
				p->svc = NULL;
				d->nuse = kept + (d->nuse - i);
				memmove(&d->use[kept], p, (d->nuse - kept) * sizeof(*p));
				return rc;
			}
			if (rc) {
				fprintf(stderr, "%s: skipping %s: %s\n", prog, p->t->name,
					p->svc ? p->svc->error : strerror(ENOMEM));
				free(p->svc);
				continue;
			}
			/* A broker's start takes seconds: say what the wait was, and its memory. */
			if (!d->o.quiet) {
				uint64_t rss = 0;

				ipcb_service_rss_bytes(p->svc, &rss);
				fprintf(stderr,
					"# %s: %s answered %.2f s after it was started, %.0f MiB "
					"resident\n",
					p->t->name,
					p->svc->svc.version[0] ? p->svc->svc.version
							       : p->svc->svc.argv[0],
					(double)(ipcb_now_ns() - t0) / 1e9, (double)rss / 1048576);
			}
		}
		if (p->svc) {
			/* What the running server showed it passes in one message. */
			if (p->svc->svc.max_msg_bytes &&
			    (!p->max_msg_bytes || p->svc->svc.max_msg_bytes < p->max_msg_bytes))
				p->max_msg_bytes = p->svc->svc.max_msg_bytes;
			len = strlen(p->library);
			if (p->svc->svc.version[0])
				snprintf(p->library + len, sizeof(p->library) - len, "%s%s",
					 len ? "; " : "", p->svc->svc.version);
		}
		if (kept != i)
			d->use[kept] = *p;
		kept++;
	}
	d->nuse = kept;
	/* Held for this sweep and not taken by it: not left running beside its rows. */
	ipcb_services_stop_held();
	return 0;
}

void ipcb_services_stop(struct driver *d)
{
	/* All are asked first: an orderly stop takes seconds (RabbitMQ's, RocketMQ's). */
	for (size_t i = 0; i < d->nuse; i++)
		if (d->use[i].svc)
			ipcb_service_stop_begin(d->use[i].svc);
	for (size_t i = 0; i < d->nuse; i++)
		if (d->use[i].svc) {
			ipcb_service_stop(d->use[i].svc);
			free(d->use[i].svc);
			d->use[i].svc = NULL;
		}
}
