/* SPDX-License-Identifier: MIT */
/*
 * registry.c - every transport in the order meson.build lists them. The list itself is generated
 * (transports_list.h, one IPCB_TRANSPORT(symbol) line per name in meson.build's `transports`), so
 * adding a transport is its file plus one word in that list.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport.h"

#define IPCB_TRANSPORT(sym) extern const struct ipcb_transport ipcb_transport_##sym;
#include "transports_list.h"
#undef IPCB_TRANSPORT

static const struct ipcb_transport *const registry[] = {
#define IPCB_TRANSPORT(sym) &ipcb_transport_##sym,
#include "transports_list.h"
#undef IPCB_TRANSPORT
};

size_t ipcb_transport_count(void)
{
	return sizeof(registry) / sizeof(registry[0]);
}

const struct ipcb_transport *ipcb_transport_at(size_t i)
{
	return i < ipcb_transport_count() ? registry[i] : NULL;
}

const struct ipcb_transport *ipcb_transport_find(const char *name)
{
	for (size_t i = 0; i < ipcb_transport_count(); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

int ipcb_transport_check(const struct ipcb_transport *t, char *why, size_t why_bytes)
{
	const char *p;

	if (!t->name || !*t->name) {
		snprintf(why, why_bytes, "a transport has no name");
		return -EINVAL;
	}
	for (p = t->name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') ||
		    (*p == '-' && (p == t->name || p[1] == '\0' || p[1] == '-'))) {
			snprintf(why, why_bytes, "%s: the name is not kebab-case", t->name);
			return -EINVAL;
		}
	if (!t->summary || !*t->summary) {
		snprintf(why, why_bytes, "%s: no summary", t->name);
		return -EINVAL;
	}
	if (t->unsupported)
		return 0;
	if (!t->open || !t->send || !t->recv) {
		snprintf(why, why_bytes, "%s: open, send and recv are required", t->name);
		return -EINVAL;
	}
	if (t->chan_priv_bytes && !t->setup) {
		snprintf(why, why_bytes, "%s: channel state but no setup to fill it", t->name);
		return -EINVAL;
	}
	if (t->setup && !t->teardown) {
		snprintf(why, why_bytes, "%s: setup without teardown: its objects would leak",
			 t->name);
		return -EINVAL;
	}
	if ((t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait != IPCB_WAIT_DEFAULT) {
		snprintf(why, why_bytes, "%s: a wait choice and a fixed wait", t->name);
		return -EINVAL;
	}
	if (!(t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait == IPCB_WAIT_DEFAULT) {
		snprintf(why, why_bytes, "%s: no wait choice, so fixed_wait must say how it waits",
			 t->name);
		return -EINVAL;
	}
	if ((t->caps & IPCB_CAP_NO_DATA) && (t->caps & ~(IPCB_CAP_NO_DATA | IPCB_CAP_BIDIR))) {
		snprintf(why, why_bytes, "%s: moves no data, yet claims data capabilities",
			 t->name);
		return -EINVAL;
	}
	return 0;
}
