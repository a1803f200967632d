/* SPDX-License-Identifier: MIT */
/* command.c - the table of ipcbench's commands: kept, listed by name, found by word; command.h. */
#include "command.h"

#include <stddef.h>
#include <string.h>

static const struct ipcb_command *const *commands;

void ipcb_commands_use(const struct ipcb_command *const *table)
{
	commands = table;
}

const struct ipcb_command *ipcb_command_after(const char *name)
{
	const struct ipcb_command *next = NULL;

	/* By name: the table is in the order of the folders that define the commands. */
	for (const struct ipcb_command *const *c = commands; c && *c; c++)
		if ((*c)->name && (*c)->synopsis && strcmp((*c)->name, name) > 0 &&
		    (!next || strcmp((*c)->name, next->name) < 0))
			next = *c;
	return next;
}

const struct ipcb_command *ipcb_command_find(const char *word)
{
	const struct ipcb_command *const *c = commands;

	while ((*c)->name && !(word && !strcmp(word, (*c)->name)))
		c++;
	return *c;
}

const struct ipcb_command *ipcb_command_of_mode(const char *option)
{
	for (const struct ipcb_command *const *c = commands; c && *c; c++)
		if ((*c)->option && !strcmp((*c)->option, option))
			return *c;
	return NULL;
}
