/* SPDX-License-Identifier: MIT */
/*
 * hdrlog_tool.c - helper for tests/hdrlog/java_check.sh: writes an HdrHistogram interval log
 * of fixed, deterministic data and prints what Java's HistogramLogProcessor should report.
 *
 *   hdrlog_tool write LOG      write LOG; print one line per tag (the tag as logged, "-" for
 *                              the untagged rows):
 *                                TAG COUNT J50 J90 J99 J99.9 J99.99 MAX O50 O90 O99 O99.9 O99.99
 *                              J* are percentiles by Java 2.1.11's getValueAtPercentile() rule
 *                              (count rounded up), O* by ipcb_hist_value_at_percentile(); all
 *                              values as Java's "%.3f" prints them, i.e. -outputValueUnitRatio 1
 *   hdrlog_tool hgrm TAG RATIO print our .hgrm (5 ticks per half distance) of TAG's intervals
 *                              added together, values divided by RATIO
 *   hdrlog_tool tags           print the tags as logged, one per line
 *
 * Exit status 0, 1 on errors, 2 on usage errors.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdrlog.h"
#include "hist.h"

#define SEC_NS	(INT64_C(1000000000))
#define HOUR_NS (3600 * SEC_NS)

struct set {
	const char *tag;    /* as given to ipcb_hdrlog_write() */
	const char *logged; /* as it appears in the log ("-": untagged) */
	int64_t lowest, highest;
	int sig;
	int intervals;
	void (*fill)(struct ipcb_hist *h, int interval);
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Shared-memory-like round trips: ~0.7-1 us, a tail to ~2 ms; two 1 s intervals. */
static void fill_shm(struct ipcb_hist *h, int interval)
{
	int i;

	for (i = 0; i < 100000; i++) {
		uint64_t r = rng();
		int64_t v = 700 + 50 * interval + (int64_t)(r % 300);

		if ((r >> 20) % 1000 == 0)
			v += 20000 + (int64_t)((r >> 32) % 2000000);
		else if ((r >> 20) % 50 == 0)
			v += (int64_t)((r >> 32) % 20000);
		ipcb_hist_record(h, v);
	}
}

/* Log-uniform from 1 us to 5 s, and a few samples above 4 s. */
static void fill_pipe(struct ipcb_hist *h, int interval)
{
	int i;

	(void)interval;
	for (i = 0; i < 30000; i++) {
		double e = log(1e3) + (double)(rng() % 1000000) / 1e6 * (log(5e9) - log(1e3));

		ipcb_hist_record(h, (int64_t)exp(e));
	}
	ipcb_hist_record_n(h, 4500 * INT64_C(1000000), 3);
}

/* Huge counts: varints of 6 to 9 bytes, a total above 2^62. */
static void fill_huge(struct ipcb_hist *h, int interval)
{
	(void)interval;
	ipcb_hist_record_n(h, 42, INT64_C(1) << 40);
	ipcb_hist_record_n(h, 1000, (INT64_C(1) << 62) + 12345); /* 9th byte 0x80 */
	ipcb_hist_record_n(h, 250000, INT64_C(1) << 59);
	ipcb_hist_record_n(h, 3 * SEC_NS, (INT64_C(1) << 58) + 1);
	ipcb_hist_record_n(h, 59 * SEC_NS, INT64_C(1) << 52);
}

/*
 * Eight samples, lowest 1000 (512 ns slots at the bottom): 90% of 8 is 7.2 samples, which
 * Java rounds up to the 8th sample and HdrHistogram_c to the 7th.
 */
static void fill_null(struct ipcb_hist *h, int interval)
{
	int i;

	(void)interval;
	for (i = 1; i <= 7; i++)
		ipcb_hist_record(h, i * 1000 + i);
	ipcb_hist_record(h, 3500000);
}

/* Uniform 0..10 us including zeros, untagged. */
static void fill_untagged(struct ipcb_hist *h, int interval)
{
	int i;

	(void)interval;
	for (i = 0; i < 1000; i++)
		ipcb_hist_record(h, (int64_t)(rng() % 10001));
	ipcb_hist_record_n(h, 0, 5);
}

static const struct set sets[] = {
    {"shm/latency/1M/rtt/run1", "shm/latency/1M/rtt/run1", 1, HOUR_NS, 3, 2, fill_shm},
    {"pipe/latency/64/one_way_ab/run1", "pipe/latency/64/one_way_ab/run1", 1, HOUR_NS, 2, 1,
     fill_pipe},
    {"huge/counts", "huge/counts", 1, 60 * SEC_NS, 3, 1, fill_huge},
    {"null stream,x y", "null_stream_x_y", 1000, 60 * SEC_NS, 3, 1, fill_null},
    {NULL, "-", 1, HOUR_NS, 3, 1, fill_untagged},
};
#define NSETS (sizeof(sets) / sizeof(sets[0]))

static void print_value(int64_t v)
{
	char buf[64];

	ipcb_hdrlog_format_fixed(buf, sizeof(buf), (double)v, 3);
	printf(" %s", buf);
}

static struct ipcb_hist *make(const struct set *s)
{
	struct ipcb_hist *h = NULL;
	int err = ipcb_hist_create(s->lowest, s->highest, s->sig, &h);

	if (err) {
		fprintf(stderr, "hdrlog_tool: ipcb_hist_create: %s\n", strerror(-err));
		exit(1);
	}
	return h;
}

/*
 * Record every set (the data depend only on the order, so write and hgrm see the same) and
 * hand each interval to `each`; *sum gets each set's intervals added together.
 */
static void build(struct ipcb_hist *sum[NSETS],
		  int (*each)(const struct set *s, int interval, const struct ipcb_hist *h,
			      void *ctx),
		  void *ctx)
{
	size_t k;

	rng_state = UINT64_C(0x2545f4914f6cdd1d);
	for (k = 0; k < NSETS; k++) {
		int i;

		sum[k] = make(&sets[k]);
		for (i = 0; i < sets[k].intervals; i++) {
			struct ipcb_hist *h = make(&sets[k]);
			int err;

			sets[k].fill(h, i);
			ipcb_hist_add(sum[k], h);
			err = each ? each(&sets[k], i, h, ctx) : 0;
			ipcb_hist_destroy(h);
			if (err) {
				fprintf(stderr, "hdrlog_tool: %s\n", strerror(-err));
				exit(1);
			}
		}
	}
}

static int write_interval(const struct set *s, int interval, const struct ipcb_hist *h, void *ctx)
{
	/* Interval i of every set covers [i, i + 1) s after the start; lengths vary a little. */
	return ipcb_hdrlog_write(ctx, s->tag, (double)interval, 1.0 - 0.125 * (s - sets), h);
}

static int cmd_write(const char *path)
{
	static const double pct[] = {50.0, 90.0, 99.0, 99.9, 99.99};
	struct ipcb_hist *sum[NSETS];
	struct ipcb_hdrlog *log = NULL;
	size_t k, j;
	int err;

	/* 2023-11-14 22:13:20.125 UTC: fixed, so the log is the same on every run. */
	err = ipcb_hdrlog_open(path, 1700000000.125, &log);
	if (err) {
		fprintf(stderr, "hdrlog_tool: %s: %s\n", path, strerror(-err));
		return 1;
	}
	build(sum, write_interval, log);
	err = ipcb_hdrlog_close(log);
	if (err) {
		fprintf(stderr, "hdrlog_tool: %s: %s\n", path, strerror(-err));
		return 1;
	}
	for (k = 0; k < NSETS; k++) {
		printf("%s %lld", sets[k].logged, (long long)ipcb_hist_total(sum[k]));
		for (j = 0; j < sizeof(pct) / sizeof(pct[0]); j++)
			print_value(ipcb_hist_value_at_percentile(sum[k], pct[j]));
		print_value(ipcb_hist_max(sum[k]));
		putchar('\n');
		ipcb_hist_destroy(sum[k]);
	}
	return fflush(stdout) ? 1 : 0;
}

static int cmd_hgrm(const char *tag, const char *ratio_text)
{
	struct ipcb_hist *sum[NSETS];
	char *end;
	double ratio = strtod(ratio_text, &end);
	size_t k;
	int err = -ENOENT;

	if (*end || !(ratio > 0)) {
		fprintf(stderr, "hdrlog_tool: bad ratio %s\n", ratio_text);
		return 2;
	}
	build(sum, NULL, NULL);
	for (k = 0; k < NSETS; k++) {
		if (!strcmp(sets[k].logged, tag))
			err = ipcb_hgrm_write(stdout, sum[k], ratio, 5);
		ipcb_hist_destroy(sum[k]);
	}
	if (err) {
		fprintf(stderr, "hdrlog_tool: hgrm %s: %s\n", tag, strerror(-err));
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	size_t k;

	if (argc == 3 && !strcmp(argv[1], "write"))
		return cmd_write(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "hgrm"))
		return cmd_hgrm(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "tags")) {
		for (k = 0; k < NSETS; k++)
			printf("%s\n", sets[k].logged);
		return 0;
	}
	fprintf(stderr, "usage: hdrlog_tool write LOG | hgrm TAG RATIO | tags\n");
	return 2;
}
