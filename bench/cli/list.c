/* SPDX-License-Identifier: MIT */
/*
 * list.c - `--list`: every transport in a line (whether it runs here, its largest message, its
 * capabilities), or those named in full (their options, library, family, data path).
 */
#include "drv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "driver.h"

static void caps_text(unsigned caps, char *out, size_t n)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {IPCB_CAP_BIDIR, "bidirectional"},
	    {IPCB_CAP_BOUNDARIES, "messages"},
	    {IPCB_CAP_WAIT_CHOICE, "wait-choice"},
	    {IPCB_CAP_SHARED_BUFFER, "shared-buffer"},
	    {IPCB_CAP_USES_DIR, "uses-dir"},
	    {IPCB_CAP_NO_DATA, "no-data"},
	    {IPCB_CAP_FSYNC, "fsync"},
	    {IPCB_CAP_MULTI_SENDER, "multi-sender"},
	    {IPCB_CAP_MULTI_RECEIVER, "multi-receiver"},
	    {IPCB_CAP_DUPLEX, "duplex"},
	    {IPCB_CAP_ZEROCOPY, "zerocopy"},
	    {IPCB_CAP_LOSSY, "lossy"},
	    {IPCB_CAP_NETWORK, "network"},
	    {IPCB_CAP_LAUNCH_HOSTS, "launch-hosts"},
	    {IPCB_CAP_BROADCAST, "broadcast"},
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((caps & names[i].bit) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						names[i].name);
	if (!(caps & IPCB_CAP_BOUNDARIES) && !(caps & IPCB_CAP_NO_DATA) && len < n)
		snprintf(out + len, n - len, "%sstream", len ? "," : "");
}

static const char *opt_type_text(const struct ipcb_option *o, char *out, size_t n)
{
	if (o->type == IPCB_OPT_BOOL)
		snprintf(out, n, "0|1");
	else if (o->type == IPCB_OPT_CHOICE)
		snprintf(out, n, "%s", o->choices);
	else
		snprintf(out, n, "%llu..%llu", (unsigned long long)o->min,
			 (unsigned long long)o->max);
	return out;
}

/*
 * Whether t runs here (0, or why not in p->reason), its capabilities in words and its largest
 * message in one operation (`none` when it has no limit).
 */
static int probe_text(const struct ipcb_transport *t, struct ipcb_probe *p, char caps[160],
		      char max[16], const char *none)
{
	int rc = ipcb_plan_probe(t, p);

	caps_text(t->caps, caps, 160);
	if (p->max_msg_bytes)
		ipcb_format_size(p->max_msg_bytes, max, 16);
	else
		snprintf(max, 16, "%s", none);
	return rc;
}

/* `--list NAME`: one transport in full. */
static void list_one(const struct ipcb_transport *t)
{
	struct ipcb_probe p;
	char caps[160], max[16], lib[512] = "", type[96];
	int rc = probe_text(t, &p, caps, max, "no limit");

	ipcb_transport_library(t, lib, sizeof(lib));
	printf("%s: %s\n", t->name, t->summary);
	printf("  runs here:     %s%s%s\n", rc ? "no" : "yes", rc ? ": " : "", rc ? p.reason : "");
	printf("  capabilities:  %s\n", caps);
	printf("  largest message in one operation: %s\n", max);
	printf("  family:        %s\n", ipcb_layer_name(t->layer));
	if (ipcb_transport_module_set(t))
		printf("  module:        ipcb-%s.so (opened when a run asks for it)\n",
		       ipcb_transport_module_set(t));
	printf("  hops:          %s\n", t->hops ? t->hops : "direct");
	printf("  data path:     %s%s%s\n", ipcb_path_name(t->path),
	       t->rides_on ? ", rides on " : "", t->rides_on ? t->rides_on : "");
	if (t->syscalls[IPCB_SENDER] || t->syscalls[IPCB_RECEIVER])
		printf("  system calls:  %u to send a message, %u to take it (at least)\n",
		       t->syscalls[IPCB_SENDER], t->syscalls[IPCB_RECEIVER]);
	if (lib[0])
		printf("  library:       %s\n", lib);
	if (t->notes)
		printf("  notes:         %s\n", t->notes);
	if (!t->options || !t->options[0].key)
		printf("  options:       none\n");
	for (size_t i = 0; t->options && t->options[i].key; i++) {
		const struct ipcb_option *o = &t->options[i];

		printf("  -o %s.%s=%s (default %s%s%s): %s\n", t->name, o->key,
		       opt_type_text(o, type, sizeof(type)), o->def,
		       o->tune ? "; --tune tries " : "", o->tune ? o->tune : "", o->help);
	}
}

static int list_some(const struct ipcb_opts *o)
{
	for (size_t i = 0; i < o->nlist_only; i++) {
		errno = 0;
		if (i)
			putchar('\n');
		list_one(o->list_only[i]);
		ipcb_stdout_note();
	}
	return 0;
}

static int list_all(void)
{
	errno = 0;
	printf("%-15s %-4s %-8s %-44s %s\n", "transport", "runs", "max msg", "capabilities",
	       "summary");
	ipcb_stdout_note();
	for (size_t i = 0; i < ipcb_transport_count(); i++) {
		/* Whether it runs here is the module's to say: listing opens each. */
		const struct ipcb_transport *t = ipcb_transport_full(ipcb_transport_at(i));
		struct ipcb_probe p;
		char caps[160], max[16];
		int rc = probe_text(t, &p, caps, max, "-");

		errno = 0;
		printf("%-15s %-4s %-8s %-44s %s\n", t->name, rc ? "no" : "yes", max, caps,
		       t->summary);
		if (rc)
			printf("%-15s      why not: %s\n", "", p.reason);
		ipcb_stdout_note();
	}
	return 0;
}

/* --list NAME...: those transports in full; --list alone: every one, a line each. */
static int list_run(struct driver *d, int argc, char **argv)
{
	return d->o.nlist_only ? list_some(&d->o) : list_all();
}

IPCB_DRIVER_MODE(list, "[NAME...]           every transport, what it can do, if it runs here",
		 ((const char *const[]){NULL}), NULL, list_run,
		 .opt = {.name = "list", .letter = 'l'}, .type = IPCB_CLI_FLAG, .after = "quiet",
		 .flags = IPCB_OPTS_NO_RUN, .arg = "[NAME...]",
		 .help = "list transports: summary, capabilities, largest single\n"
			 "message, and whether each can run here; with names,\n"
			 "each in full: its options, library, server, launcher");
