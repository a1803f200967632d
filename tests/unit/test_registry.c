/* SPDX-License-Identifier: MIT */
/* test_registry.c - every registered transport keeps the contract, and lookups find each. */
#include <errno.h>
#include <string.h>

#include "../tap.h"
#include "transport.h"

int main(void)
{
	size_t n = ipcb_transport_count();
	char why[200];

	ok(n >= 2, "the registry lists %zu transports", n);
	for (size_t i = 0; i < n; i++) {
		const struct ipcb_transport *t = ipcb_transport_at(i);

		why[0] = '\0';
		ok(ipcb_transport_check(t, why, sizeof(why)) == 0, "%s keeps the contract%s%s",
		   t->name, why[0] ? ": " : "", why);
		ok(ipcb_transport_find(t->name) == t, "%s is found by its name", t->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ipcb_transport_at(j)->name, t->name) == 0)
				ok(0, "%s is registered twice", t->name);
	}
	ok(ipcb_transport_at(n) == NULL, "past the end is NULL");
	ok(ipcb_transport_find("no-such-transport") == NULL, "an unknown name is not found");

	/* The checker itself catches broken entries. */
	{
		static const struct ipcb_transport bad_name = {.name = "Bad_Name", .summary = "x"};
		static const struct ipcb_transport no_hooks = {
		    .name = "no-hooks", .summary = "x", .fixed_wait = IPCB_WAIT_BLOCK};
		static const struct ipcb_transport leaky = {
		    .name = "leaky",
		    .summary = "x",
		    .fixed_wait = IPCB_WAIT_BLOCK,
		    .setup = (int (*)(struct ipcb_chan *))1,
		    .open = (int (*)(struct ipcb_ep *))1,
		    .send = (int (*)(struct ipcb_ep *, const void *, size_t))1,
		    .recv = (int (*)(struct ipcb_ep *, void *, size_t))1,
		};
		static const struct ipcb_transport not_built = {
		    .name = "not-built", .summary = "x", .unsupported = "no such header here"};

		ok(ipcb_transport_check(&bad_name, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "kebab-case"),
		   "a name that is not kebab-case is refused (%s)", why);
		ok(ipcb_transport_check(&no_hooks, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "required"),
		   "missing hooks are refused (%s)", why);
		ok(ipcb_transport_check(&leaky, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "teardown"),
		   "setup without teardown is refused (%s)", why);
		ok(ipcb_transport_check(&not_built, why, sizeof(why)) == 0,
		   "an entry that could not be built needs no hooks, only its reason");
	}
	return tap_done();
}
