/* SPDX-License-Identifier: MIT */
/* placement.c - the placements' names, one table; see placement.h. */
#include "placement.h"

#include <stdio.h>
#include <string.h>

static const char *const names[IPCB_PLACES + 1] = {
    [IPCB_PLACE_CROSS_CORE] = "cross-core",
    [IPCB_PLACE_SAME_CORE] = "same-core",
    [IPCB_PLACE_UNPINNED] = "unpinned",
    [IPCB_PLACE_SMT] = "smt",
    [IPCB_PLACE_LLC] = "llc",
    [IPCB_PLACE_NODE] = "node",
    [IPCB_PLACE_REMOTE_NODE] = "remote-node",
    [IPCB_PLACE_MATRIX] = "matrix",
    [IPCB_PLACE_TWO_HOST] = "two-host",
};

const char *ipcb_placement_name(enum ipcb_placement p)
{
	return (unsigned)p <= IPCB_PLACE_TWO_HOST ? names[p] : "?";
}

enum ipcb_sides ipcb_placement_sides(int placement, int cpu_a, int cpu_b)
{
	switch (placement) {
	case IPCB_PLACE_CROSS_CORE:
		return IPCB_SIDES_TWO_CPUS;
	case IPCB_PLACE_SAME_CORE:
		return IPCB_SIDES_ONE_CPU;
	case IPCB_PLACE_SMT:
	case IPCB_PLACE_LLC:
	case IPCB_PLACE_NODE:
	case IPCB_PLACE_REMOTE_NODE:
	case IPCB_PLACE_MATRIX:
		if (cpu_a < 0 || cpu_b < 0)
			return IPCB_SIDES_UNKNOWN;
		return cpu_a == cpu_b ? IPCB_SIDES_ONE_CPU : IPCB_SIDES_TWO_CPUS;
	default:
		return IPCB_SIDES_UNKNOWN;
	}
}

int ipcb_placement_find(const char *name)
{
	for (int p = 0; p <= IPCB_PLACE_TWO_HOST; p++)
		if (!strcmp(names[p], name))
			return p;
	return -1;
}

int ipcb_placement_rank(const char *name)
{
	int p = ipcb_placement_find(name);

	return p < 0 ? IPCB_PLACE_TWO_HOST + 1 : p;
}

void ipcb_placement_list(char *out, size_t n)
{
	size_t len = 0;

	if (n)
		out[0] = '\0';
	for (int p = 0; p < IPCB_PLACES && len < n; p++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", p ? ", " : "", names[p]);
}
