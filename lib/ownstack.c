/* SPDX-License-Identifier: MIT */
/* ownstack.c - call a function on a stack of its own; see ownstack.h. */
#include "ownstack.h"

#include <pthread.h>

struct ownstack_call {
	void (*fn)(void *arg);
	void *arg;
};

static void *ownstack_main(void *p)
{
	struct ownstack_call *c = p;

	c->fn(c->arg);
	return NULL;
}

void ipcb_ownstack_call(void (*fn)(void *arg), void *arg, size_t bytes)
{
	struct ownstack_call c = {.fn = fn, .arg = arg};
	pthread_attr_t at;
	pthread_t th;
	int rc;

	if (pthread_attr_init(&at) != 0) {
		fn(arg);
		return;
	}
	rc = pthread_attr_setstacksize(&at, bytes);
	if (rc == 0)
		rc = pthread_create(&th, &at, ownstack_main, &c);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		fn(arg);
		return;
	}
	pthread_join(th, NULL);
}
