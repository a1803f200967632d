/* SPDX-License-Identifier: MIT */
/*
 * test_command.c - the table of commands (lib/command.c): --help lists them by name whatever
 * order their folders put them in, leaving out those with no synopsis (run by another program)
 * and the driver's row; a word finds its command, an unknown word or none the driver's row; a
 * mode of the driver is found by its option, a command of its own is not.
 */
#include <stddef.h>
#include <string.h>

#include "../tap.h"
#include "command.h"

static int fn(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int main(void)
{
	static const struct ipcb_command report = {.name = "report", .synopsis = "CSV", .fn = fn};
	static const struct ipcb_command list = {
	    .name = "list", .synopsis = "[NAME...]", .fn = fn, .option = "list"};
	static const struct ipcb_command agent = {.name = "agent", .fn = fn};
	static const struct ipcb_command compare = {.name = "compare", .synopsis = "A B", .fn = fn};
	static const struct ipcb_command driver = {.fn = fn};
	const struct ipcb_command *const table[] = {&report,  &list,   &agent,
						    &compare, &driver, NULL};
	const struct ipcb_command *c;
	char order[64] = "";

	ipcb_commands_use(table);
	for (c = ipcb_command_after(""); c; c = ipcb_command_after(c->name)) {
		strcat(order, c->name);
		strcat(order, " ");
	}
	ok(strcmp(order, "compare list report ") == 0,
	   "listed by name, none without a synopsis, not the driver: %s", order);
	ok(ipcb_command_find("report") == &report, "a word finds its command");
	ok(ipcb_command_find("agent") == &agent, "one not listed is still found by its word");
	ok(ipcb_command_find("nosuch") == &driver, "an unknown word: the driver's row");
	ok(ipcb_command_find(NULL) == &driver, "no word: the driver's row");
	ok(ipcb_command_of_mode("list") == &list, "a mode of the driver by its option");
	ok(ipcb_command_of_mode("report") == NULL, "a command of its own is no mode");
	return tap_done();
}
