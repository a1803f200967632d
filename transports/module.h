/* SPDX-License-Identifier: MIT */
/*
 * module.h - inside transports/: what module.c does for the registry (registry.c), which alone
 * calls it: open and check a user's module, find one by name, open a built-in module's
 * transport. module.c calls nothing of the registry's: what it needs to know of the registry
 * (whether a name is taken) comes as an argument.
 */
#ifndef IPCB_MODULE_H
#define IPCB_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/*
 * A built-in module (ipcb-SET.so, one per library set): what it exports as `ipcb_module_set`.
 * It is built with this very header, so its ABI and struct size must be this program's exactly.
 */
struct ipcb_module_set {
	uint32_t abi;
	uint32_t transport_size;
	const struct ipcb_transport *const *transports; /* NULL-ended */
};
#define IPCB_MODULE_SET_SYMBOL "ipcb_module_set"

/*
 * The transport `name` from built-in module `set`: opened once (before any fork), its entry
 * checked. 0, or a negative errno with `why` saying what is missing (the module, a library it
 * needs: dlopen's message).
 */
int ipcb_module_set_load(const char *set, const char *name, const struct ipcb_transport **out,
			 char *why, size_t n);

/*
 * Load the user's module at PATH, check it as ipcb_transport_load() says, refusing a name that
 * taken() says is ipcbench's already, and keep it. 0, or a negative errno with `why`.
 */
int ipcb_module_load(const char *path, bool (*taken)(const char *name),
		     const struct ipcb_transport **out, char *why, size_t n);
/* A user's module loaded so far, by its transport's name; NULL when none has it. */
const struct ipcb_transport *ipcb_module_find(const char *name);

#endif
