/* SPDX-License-Identifier: MIT */
/*
 * registry.c - every transport in the order meson.build lists them. The list itself is generated
 * (transports_list.h, one IPCB_TRANSPORT(symbol) line per name in meson.build's `transports`), so
 * adding a transport is its file plus one word in that list.
 */
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
