/* SPDX-License-Identifier: MIT */
/*
 * fuzz_options.c - libFuzzer target for the whole command line (ipcb_opts_parse).
 *
 * The input is argv, one argument per line ("-t\nnull,pipe\n-s\n64" is `-t null,pipe -s 64`), so
 * seeds read like command lines and newlines are the one byte an argument cannot hold. Each
 * argument is its own heap block: getopt keeps pointers into argv between calls, and ASan then
 * reports any that outlive the argv they came from.
 *
 * The line is parsed twice, each time from a fresh copy of the argv array (getopt_long permutes
 * it): a parser that leaves state behind in getopt's globals gives a different answer the second
 * time. An accepted line must leave options within the ranges --help promises.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

static void check_accepted(const struct ipcb_opts *o, int argc, char **argv)
{
	const char *paths[] = {o->csv_path, o->hdr_log_path, o->hgrm_dir, o->dir};

	FUZZ_CHECK(o->transports_all || (o->ntransports >= 1 && o->ntransports <= IPCB_MAX_LIST),
		   "%zu transports", o->ntransports);
	for (size_t i = 0; i < o->ntransports; i++) {
		FUZZ_CHECK(o->transports[i] != NULL, "transport %zu is NULL", i);
		FUZZ_CHECK(ipcb_transport_find(o->transports[i]->name) == o->transports[i],
			   "transport %zu is not in the registry", i);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(o->transports[j] != o->transports[i], "transport listed twice");
	}
	FUZZ_CHECK(o->nsizes >= 1 && o->nsizes <= IPCB_MAX_LIST, "%zu sizes", o->nsizes);
	for (size_t i = 0; i < o->nsizes; i++) {
		FUZZ_CHECK(o->sizes[i] >= 1 && o->sizes[i] <= IPCB_MAX_SIZE_BYTES, "size %zu",
			   o->sizes[i]);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(o->sizes[j] != o->sizes[i], "size %zu listed twice",
				   o->sizes[i]);
	}
	FUZZ_CHECK(o->latency || o->throughput || o->bistream, "no mode to run");
	FUZZ_CHECK(o->messages <= 1000000000000ull, "%llu messages",
		   (unsigned long long)o->messages);
	FUZZ_CHECK(isfinite(o->duration_s) && o->duration_s >= 0 && o->duration_s <= 86400,
		   "duration %g", o->duration_s);
	FUZZ_CHECK(o->duration_s > 0 || o->messages > 0, "a run that never ends");
	FUZZ_CHECK(o->warmup <= 1000000000ull, "warmup %llu", (unsigned long long)o->warmup);
	FUZZ_CHECK(o->repeat >= 1 && o->repeat <= 100000, "repeat %u", o->repeat);
	FUZZ_CHECK((o->cpus[0] == -1 && o->cpus[1] == -1) ||
		       (o->cpus[0] >= 0 && o->cpus[0] < CPU_SETSIZE && o->cpus[1] >= 0 &&
			o->cpus[1] < CPU_SETSIZE),
		   "cpus %d,%d", o->cpus[0], o->cpus[1]);
	FUZZ_CHECK(o->nplacements <= IPCB_PLACES, "%zu placements", o->nplacements);
	for (size_t i = 0; i < o->nplacements; i++)
		FUZZ_CHECK(o->placements[i] < IPCB_PLACES, "placement %d", (int)o->placements[i]);
	FUZZ_CHECK(o->spin_polls >= 1 && o->spin_polls <= 1000000000u, "spin polls %u",
		   o->spin_polls);
	FUZZ_CHECK(isfinite(o->timeout_s) && o->timeout_s >= 0.001 && o->timeout_s <= 86400,
		   "timeout %g", o->timeout_s);
	FUZZ_CHECK(!o->dry_run || ipcb_opts_mode(o, &ipcb_mode_cleanup) || o->plan_only,
		   "--dry-run without --cleanup and not a plan");
	FUZZ_CHECK(o->run.work_ns <= 1000000000ull, "work %llu ns",
		   (unsigned long long)o->run.work_ns);
	/* Load shapes: lists within bounds, and only the combinations options.c allows. */
	FUZZ_CHECK(o->ninflight >= 1 && o->ninflight <= IPCB_MAX_LIST, "%zu inflight",
		   o->ninflight);
	for (size_t i = 0; i < o->ninflight; i++)
		FUZZ_CHECK(o->inflight[i] >= 1 && o->inflight[i] <= 65536, "inflight %u",
			   o->inflight[i]);
	FUZZ_CHECK(o->npairs >= 1 && o->npairs <= IPCB_MAX_LIST, "%zu pairs", o->npairs);
	for (size_t i = 0; i < o->npairs; i++)
		FUZZ_CHECK(o->pairs[i] >= 1 && o->pairs[i] <= 64, "pairs %u", o->pairs[i]);
	FUZZ_CHECK(o->nrates <= IPCB_MAX_LIST, "%zu rates", o->nrates);
	for (size_t i = 0; i < o->nrates; i++)
		FUZZ_CHECK(isfinite(o->rates[i]) && o->rates[i] > 0 && o->rates[i] <= 1e9,
			   "rate %g", o->rates[i]);
	FUZZ_CHECK(!(o->nrates && o->rate_sweep), "--rate with --rate-sweep");
	FUZZ_CHECK(o->ntopos >= 1 && o->ntopos <= IPCB_MAX_LIST, "%zu topologies", o->ntopos);
	for (size_t i = 0; i < o->ntopos; i++)
		FUZZ_CHECK(o->topos[i].senders >= 1 && o->topos[i].receivers >= 1 &&
			       o->topos[i].senders <= 64 && o->topos[i].receivers <= 64 &&
			       (o->topos[i].senders == 1 || o->topos[i].receivers == 1) &&
			       (!o->deliver_all || o->topos[i].senders == 1),
			   "topology %u:%u%s", o->topos[i].senders, o->topos[i].receivers,
			   o->deliver_all ? " all" : "");
	FUZZ_CHECK(!o->deliver_all || (!o->latency && !o->bistream && !o->nrates &&
				       !o->rate_sweep && o->npairs == 1 && o->pairs[0] == 1),
		   "--deliver all with a latency mode, a rate or pairs");
	FUZZ_CHECK(o->slo.ns == 0 || (o->rate_sweep && isfinite(o->slo.ns) && o->slo.ns > 0),
		   "slo %g ns", o->slo.ns);

	/* Paths are the arguments themselves, never copies or empty strings. */
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool from_argv = false;

		if (!paths[i])
			continue;
		for (int j = 1; j < argc; j++)
			from_argv |= paths[i] >= argv[j] && paths[i] <= argv[j] + strlen(argv[j]);
		FUZZ_CHECK(from_argv && *paths[i], "path %zu is not a non-empty argument", i);
	}
}

/* One parse from a fresh copy of argv; the options and message land in o and err. */
static int parse(struct ipcb_opts *o, char *err, size_t errlen, int argc, char **args)
{
	char *argv[MAX_ARGS + 2];

	memcpy(argv, args, (size_t)(argc + 1) * sizeof(argv[0]));
	ipcb_opts_init(o);
	memset(err, 0, errlen);
	return ipcb_opts_parse(o, argc, argv, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err1[IPCB_ERR_BYTES], err2[IPCB_ERR_BYTES];
	char *args[MAX_ARGS + 2];
	struct ipcb_opts o1, o2;
	int argc = 1, rc1, rc2;
	size_t start = 0;

	args[0] = (char *)"ipcbench";
	/* A final newline ends the last argument rather than starting an empty one. */
	for (size_t i = 0; i < size && argc <= MAX_ARGS; i++) {
		if (data[i] != '\n' && i + 1 < size)
			continue;
		args[argc] = fuzz_cstr(data + start, i - start + (data[i] != '\n'));
		if (!args[argc])
			goto free_args;
		argc++;
		start = i + 1;
	}
	args[argc] = NULL;

	rc1 = parse(&o1, err1, sizeof(err1), argc, args);
	rc2 = parse(&o2, err2, sizeof(err2), argc, args);
	FUZZ_CHECK(rc1 == 0 || rc1 == -EINVAL, "rc %d", rc1);
	FUZZ_CHECK(rc1 == rc2 && strcmp(err1, err2) == 0,
		   "the same line parsed twice: %d '%s', then %d '%s'", rc1, err1, rc2, err2);
	/* The --cpus list is allocated: the same CPUs, in memory of its own each time. */
	FUZZ_CHECK(o1.ncpu_list == o2.ncpu_list &&
		       (!o1.ncpu_list ||
			memcmp(o1.cpu_list, o2.cpu_list, o1.ncpu_list * sizeof(int)) == 0),
		   "the same line parsed twice, other --cpus lists");
	{
		int *l1 = o1.cpu_list, *l2 = o2.cpu_list;

		o1.cpu_list = o2.cpu_list = NULL;
		/* Both start from ipcb_opts_init()'s memset, so even the padding must agree. */
		FUZZ_CHECK(memcmp(&o1, &o2, sizeof(o1)) == 0,
			   "the same line parsed twice, other options");
		o1.cpu_list = l1;
		o2.cpu_list = l2;
	}
	if (rc1 == 0)
		check_accepted(&o1, argc, args);
	else
		FUZZ_CHECK(err1[0] != '\0' && memchr(err1, '\0', sizeof(err1)),
			   "failed without a message");
	ipcb_opts_fini(&o1);
	ipcb_opts_fini(&o2);
free_args:
	while (--argc > 0)
		free(args[argc]);
	return 0;
}
