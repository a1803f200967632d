/* SPDX-License-Identifier: MIT */
/* histsrc.c - the results history compare and report were handed; see histsrc.h. */
#include "histsrc.h"

static const struct ipcb_history_source *source;

void ipcb_history_source_set(const struct ipcb_history_source *src)
{
	source = src;
}

const struct ipcb_history_source *ipcb_history_source_get(void)
{
	return source;
}
