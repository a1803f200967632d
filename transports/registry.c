/* SPDX-License-Identifier: MIT */
/*
 * registry.c - every transport in the order meson.build lists them, and users' modules once
 * loaded (module.c, which this file alone calls). The list itself is generated
 * (transports_list.h, one IPCB_TRANSPORT(symbol) line per name in meson.build's `transports`), so
 * adding a transport is its file plus one word in that list.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "transport.h"

#define IPCB_TRANSPORT(sym) extern const struct ipcb_transport ipcb_transport_##sym;
#define IPCB_MODULE_TRANSPORT(sym, cli, set, layer)
#include "transports_list.h"
#undef IPCB_TRANSPORT
#undef IPCB_MODULE_TRANSPORT

/*
 * One entry per transport: a core one's struct, or a module's catalog line (its name, its
 * family, its module set), whose struct is opened when it is first asked for in full.
 */
struct slot {
	const struct ipcb_transport *core;
	const char *name, *set;
	enum ipcb_layer layer;
};

static const struct slot slots[] = {
#define IPCB_TRANSPORT(sym)			    {&ipcb_transport_##sym, NULL, NULL, IPCB_LAYER_KERNEL},
#define IPCB_MODULE_TRANSPORT(sym, cli, set, layer) {NULL, cli, set, IPCB_LAYER_##layer},
#include "transports_list.h"
#undef IPCB_TRANSPORT
#undef IPCB_MODULE_TRANSPORT
};

#define NSLOTS (sizeof(slots) / sizeof(slots[0]))

/* A module transport's catalog entry, and once opened its entry in full. */
static struct ipcb_transport catalog[NSLOTS];
static const struct ipcb_transport *opened[NSLOTS];
static char summaries[NSLOTS][64];
static char reasons[NSLOTS][600];

size_t ipcb_transport_count(void)
{
	return NSLOTS;
}

static const struct ipcb_transport *catalog_entry(size_t i)
{
	struct ipcb_transport *c = &catalog[i];

	if (!c->name) {
		snprintf(summaries[i], sizeof(summaries[i]), "(in module ipcb-%s.so)",
			 slots[i].set);
		c->name = slots[i].name;
		c->summary = summaries[i];
		c->layer = slots[i].layer;
		c->fixed_wait = IPCB_WAIT_BLOCK;
		c->path = IPCB_PATH_UNDECLARED;
	}
	return c;
}

const struct ipcb_transport *ipcb_transport_at(size_t i)
{
	if (i >= NSLOTS)
		return NULL;
	if (slots[i].core)
		return slots[i].core;
	return opened[i] ? opened[i] : catalog_entry(i);
}

static size_t slot_of(const struct ipcb_transport *t)
{
	for (size_t i = 0; i < NSLOTS; i++)
		if (slots[i].core == t || &catalog[i] == t || (opened[i] && opened[i] == t))
			return i;
	return NSLOTS;
}

const struct ipcb_transport *ipcb_transport_full(const struct ipcb_transport *t)
{
	size_t i = slot_of(t);
	const struct ipcb_transport *got;

	if (i == NSLOTS || slots[i].core || opened[i])
		return i < NSLOTS && opened[i] ? opened[i] : t;
	if (catalog[i].unsupported)
		return &catalog[i]; /* tried before, and failed: its reason stands */
	catalog_entry(i);
	if (ipcb_module_set_load(slots[i].set, slots[i].name, &got, reasons[i],
				 sizeof(reasons[i])) < 0) {
		catalog[i].unsupported = reasons[i];
		return &catalog[i];
	}
	opened[i] = got;
	return got;
}

const char *ipcb_transport_module_set(const struct ipcb_transport *t)
{
	size_t i = slot_of(t);

	return i < NSLOTS ? slots[i].set : NULL;
}

/* Is `name` taken, by a built-in transport or a module's? Opens nothing. */
static bool transport_named(const char *name)
{
	for (size_t i = 0; i < NSLOTS; i++)
		if (strcmp(slots[i].core ? slots[i].core->name : slots[i].name, name) == 0)
			return true;
	return ipcb_module_find(name) != NULL;
}

const struct ipcb_transport *ipcb_transport_find(const char *name)
{
	for (size_t i = 0; i < NSLOTS; i++)
		if (strcmp(slots[i].core ? slots[i].core->name : slots[i].name, name) == 0)
			return ipcb_transport_full(ipcb_transport_at(i));
	return ipcb_module_find(name);
}

int ipcb_transport_load(const char *path, const struct ipcb_transport **out, char *why, size_t n)
{
	return ipcb_module_load(path, transport_named, out, why, n);
}
