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

/*
 * The rules an entry's hooks and fields must keep, one per capability or hook family, like
 * fio's check of an engine's ops against its flags: each returns NULL when kept, else what is
 * wrong. They run in order, after the name and summary checks; an unsupported entry (one that
 * could not be built here) needs only those.
 */
static const char *rule_required(const struct ipcb_transport *t)
{
	return t->open && t->send && t->recv ? NULL : "open, send and recv are required";
}

static const char *rule_setup(const struct ipcb_transport *t)
{
	if (t->chan_priv_bytes && !t->setup)
		return "channel state but no setup to fill it";
	if (t->setup && !t->teardown)
		return "setup without teardown: its objects would leak";
	return NULL;
}

static const char *rule_wait(const struct ipcb_transport *t)
{
	if ((t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait != IPCB_WAIT_DEFAULT)
		return "a wait choice and a fixed wait";
	if (!(t->caps & IPCB_CAP_WAIT_CHOICE) && t->fixed_wait == IPCB_WAIT_DEFAULT)
		return "no wait choice, so fixed_wait must say how it waits";
	return NULL;
}

static const char *rule_no_data(const struct ipcb_transport *t)
{
	if ((t->caps & IPCB_CAP_NO_DATA) && (t->caps & ~(IPCB_CAP_NO_DATA | IPCB_CAP_BIDIR)))
		return "moves no data, yet claims data capabilities";
	return NULL;
}

static const char *rule_zerocopy(const struct ipcb_transport *t)
{
	unsigned hooks = !!t->acquire + !!t->commit + !!t->peek + !!t->release;

	if ((t->caps & IPCB_CAP_ZEROCOPY) && hooks != 4)
		return "zero-copy loans need acquire, commit, peek and release";
	if (!(t->caps & IPCB_CAP_ZEROCOPY) && hooks)
		return "loan hooks without the zerocopy capability: they would never be called";
	return NULL;
}

static const char *(*const rules[])(const struct ipcb_transport *) = {
    rule_required, rule_setup, rule_wait, rule_no_data, rule_zerocopy,
};

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
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *broken = rules[i](t);

		if (broken) {
			snprintf(why, why_bytes, "%s: %s", t->name, broken);
			return -EINVAL;
		}
	}
	return 0;
}
