/* SPDX-License-Identifier: MIT */
/*
 * test_hist.c - known-vector tests of the HDR histogram (bench/hist.c).
 *
 * Expected numbers are worked out by hand from the HdrHistogram layout (comments show the
 * arithmetic) or are the classic HdrHistogram test vectors, so a layout that drifted from the
 * reference's would fail here before it produced logs other tools misread.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"
#include "../tap.h"
#include "hist_test.h"

#define HOUR_US (INT64_C(3600) * 1000 * 1000)

static bool near_rel(double got, double want, double rel)
{
	if (got == want)
		return true;
	return fabs(got - want) <= rel * fabs(want);
}

struct layout_case {
	int64_t lowest, highest;
	int sig;
	int32_t unit_magnitude, half_mag, sub_bucket_count, bucket_count, counts_len;
	int64_t mask;
};

/*
 * sub_bucket_count = 2^ceil(log2(2 * 10^sig)): sig 1 -> 32, 2 -> 256, 3 -> 2048, 4 -> 32768,
 * 5 -> 262144. bucket_count = 1 + number of doublings of (sub_bucket_count << unit_magnitude)
 * needed to exceed highest; counts_len = (bucket_count + 1) * sub_bucket_count / 2.
 */
static const struct layout_case layouts[] = {
    /* 2048 * 2^31 = 4.398e12 > 3.6e12 >= 2048 * 2^30: 32 buckets; 33 * 1024 = 33792 */
    {1, HOUR_NS, 3, 0, 10, 2048, 32, 33792, 2047},
    /*
     * 3.6e9 / 2048 = 1.76e6, between 2^20 and 2^21: 22 buckets; 23 * 1024 = 23552 (the
     * HdrHistogram_c test_create value)
     */
    {1, HOUR_US, 3, 0, 10, 2048, 22, 23552, 2047},
    /*
     * unit_magnitude = floor(log2(1000)) = 9; 2048 << 9 = 1048576; 3.6e9 / 1048576 = 3433,
     * between 2^11 and 2^12: 13 buckets; 14 * 1024 = 14336; mask 2047 << 9 = 1048064
     */
    {1000, HOUR_US, 3, 9, 10, 2048, 13, 14336, 1048064},
    /*
     * unit_magnitude 24 (2^24 = 16.8e6 <= 2e7); 262144 << 24 = 4.4e12 > 1e8: 1 bucket;
     * 2 * 131072 = 262144
     */
    {20000000, 100000000, 5, 24, 17, 262144, 1, 262144, INT64_C(262143) << 24},
    /* 32 > 2: 1 bucket; 2 * 16 = 32 */
    {1, 2, 1, 0, 4, 32, 1, 32, 31},
    /* 1e6 / 256 = 3906, between 2^11 and 2^12: 13 buckets; 14 * 128 = 1792 */
    {1, 1000000, 2, 0, 7, 256, 13, 1792, 255},
    /* 3.6e12 / 32768 = 1.1e8, between 2^26 and 2^27: 28 buckets; 29 * 16384 = 475136 */
    {1, HOUR_NS, 4, 0, 14, 32768, 28, 475136, 32767},
    /*
     * 2048 << 51 = 2^62 > INT64_MAX / 2 after 51 doublings: 52 + 1 = 53 buckets (the early
     * exit of the doubling loop); 54 * 1024 = 55296
     */
    {1, INT64_MAX, 3, 0, 10, 2048, 53, 55296, 2047},
};

static void test_layout(void)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout_case *c = &layouts[i];
		struct ipcb_hist *h = make(c->lowest, c->highest, c->sig);
		size_t bytes = ipcb_hist_bytes(c->lowest, c->highest, c->sig);
		bool good =
		    h->unit_magnitude == c->unit_magnitude &&
		    h->sub_bucket_half_count_magnitude == c->half_mag &&
		    h->sub_bucket_count == c->sub_bucket_count &&
		    h->sub_bucket_half_count == c->sub_bucket_count / 2 &&
		    h->bucket_count == c->bucket_count && h->counts_len == c->counts_len &&
		    h->sub_bucket_mask == c->mask && h->lowest_trackable_value == c->lowest &&
		    h->highest_trackable_value == c->highest && h->significant_figures == c->sig;

		if (!ok(good, "layout (%lld, %lld, %d)", (long long)c->lowest,
			(long long)c->highest, c->sig))
			tap_diag("unit %d half_mag %d sbc %d buckets %d counts_len %d mask %lld",
				 h->unit_magnitude, h->sub_bucket_half_count_magnitude,
				 h->sub_bucket_count, h->bucket_count, h->counts_len,
				 (long long)h->sub_bucket_mask);
		ok_eq(bytes, sizeof(struct ipcb_hist) + (size_t)c->counts_len * 8,
		      "bytes (%lld, %lld, %d)", (long long)c->lowest, (long long)c->highest,
		      c->sig);
		/* highest itself must land inside counts[] */
		ok(ipcb_hist_counts_index_for(h, c->highest) < h->counts_len,
		   "highest of (%lld, %lld, %d) is inside counts[]", (long long)c->lowest,
		   (long long)c->highest, c->sig);
		ipcb_hist_destroy(h);
	}
	/* The project's histogram: 88-byte header + 33792 * 8 = 270424 bytes. */
	ok_eq(sizeof(struct ipcb_hist), 88, "header is 88 bytes");
	ok_eq(ipcb_hist_bytes(1, HOUR_NS, 3), 270424, "(1, 3600e9, 3) takes 270424 bytes");
	tap_diag("ipcb_hist_bytes(1, 3600e9, 3) = %zu", ipcb_hist_bytes(1, HOUR_NS, 3));
}

static void test_invalid(void)
{
	struct ipcb_hist *sentinel = (struct ipcb_hist *)&sentinel, *out = sentinel;
	size_t bytes = ipcb_hist_bytes(1, HOUR_NS, 3);
	struct ipcb_hist *h = malloc(bytes);

	ok_eq(ipcb_hist_bytes(0, 1000, 3), 0, "bytes: lowest 0 is invalid");
	ok_eq(ipcb_hist_bytes(1, 1000, 0), 0, "bytes: sig 0 is invalid");
	ok_eq(ipcb_hist_bytes(1, 1000, 6), 0, "bytes: sig 6 is invalid");
	ok_eq(ipcb_hist_bytes(10, 19, 3), 0, "bytes: highest < 2 * lowest is invalid");
	ok(ipcb_hist_bytes(10, 20, 3) > 0, "bytes: highest == 2 * lowest is valid");
	/* lowest 2^60 with 3 figures: unit 60 + half magnitude 10 > 61 */
	ok_eq(ipcb_hist_bytes(INT64_C(1) << 60, INT64_MAX, 3), 0, "bytes: huge lowest is invalid");

	ok_eq(ipcb_hist_init(h, bytes, 0, HOUR_NS, 3), -EINVAL, "init: lowest 0 -> -EINVAL");
	ok_eq(ipcb_hist_init(h, bytes, -5, HOUR_NS, 3), -EINVAL, "init: lowest < 0 -> -EINVAL");
	ok_eq(ipcb_hist_init(h, bytes, 1, HOUR_NS, 0), -EINVAL, "init: sig 0 -> -EINVAL");
	ok_eq(ipcb_hist_init(h, bytes, 1, HOUR_NS, 6), -EINVAL, "init: sig 6 -> -EINVAL");
	ok_eq(ipcb_hist_init(h, bytes, 1000, 1999, 3), -EINVAL, "init: highest < 2*lowest");
	ok_eq(ipcb_hist_init(NULL, bytes, 1, HOUR_NS, 3), -EINVAL, "init: NULL -> -EINVAL");
	ok_eq(ipcb_hist_init(h, bytes - 1, 1, HOUR_NS, 3), -ENOSPC, "init: one byte short");
	ok_eq(ipcb_hist_init(h, 0, 1, HOUR_NS, 3), -ENOSPC, "init: 0 bytes -> -ENOSPC");
	ok_eq(ipcb_hist_init(h, sizeof(*h), 1, HOUR_NS, 3), -ENOSPC, "init: header only");
	/* Invalid parameters are reported even when the space is also too small. */
	ok_eq(ipcb_hist_init(h, 0, 1, HOUR_NS, 9), -EINVAL, "init: -EINVAL before -ENOSPC");
	ok_eq(ipcb_hist_init(h, bytes, 1, HOUR_NS, 3), 0, "init: exact size works");

	ok_eq(ipcb_hist_create(0, HOUR_NS, 3, &out), -EINVAL, "create: invalid -> -EINVAL");
	ok(out == sentinel, "create: *out untouched on error");
	ok_eq(ipcb_hist_create(1, HOUR_NS, 3, NULL), -EINVAL, "create: NULL out -> -EINVAL");
	/* Harmless, as hist.h promises: a crash here ends the test before its plan, a failure. */
	ipcb_hist_destroy(NULL);

	ok_eq(ipcb_hist_add(NULL, h), -EINVAL, "add: NULL dst");
	ok_eq(ipcb_hist_add(h, NULL), -EINVAL, "add: NULL src");
	free(h);
}

static void test_init_dirty_memory(void)
{
	size_t bytes = ipcb_hist_bytes(1, HOUR_NS, 3);
	struct ipcb_hist *h = malloc(bytes + 64);
	bool zero = true;
	int32_t i;

	memset(h, 0xab, bytes + 64);
	ok_eq(ipcb_hist_init(h, bytes + 64, 1, HOUR_NS, 3), 0, "init in dirty, larger memory");
	for (i = 0; i < h->counts_len; i++)
		zero = zero && h->counts[i] == 0;
	ok(zero, "init clears every count");
	ok(h->total_count == 0 && h->min_value == INT64_MAX && h->max_value == 0 &&
	       h->out_of_range == 0,
	   "init sets empty totals and extremes");
	free(h);
}

struct equiv_case {
	int64_t value, lowest, highest, median, range;
	int32_t index;
};

static void check_equiv(const struct ipcb_hist *h, const struct equiv_case *c, const char *tag)
{
	ok_eq(ipcb_hist_lowest_equivalent(h, c->value), c->lowest, "%s lowest_equivalent(%lld)",
	      tag, (long long)c->value);
	ok_eq(ipcb_hist_highest_equivalent(h, c->value), c->highest, "%s highest_equivalent(%lld)",
	      tag, (long long)c->value);
	ok_eq(ipcb_hist_median_equivalent(h, c->value), c->median, "%s median_equivalent(%lld)",
	      tag, (long long)c->value);
	ok_eq(ipcb_hist_equivalent_range(h, c->value), c->range, "%s equivalent_range(%lld)", tag,
	      (long long)c->value);
	ok_eq(ipcb_hist_counts_index_for(h, c->value), c->index, "%s counts_index_for(%lld)", tag,
	      (long long)c->value);
}

/*
 * (1, 3600e9, 3): bucket 0 holds 0..2047 at unit 1 (index = value); bucket b >= 1 holds
 * [2^(10+b), 2^(11+b)) in slots of 2^b at index (b + 1) * 1024 + (value >> b) - 1024.
 */
static const struct equiv_case equiv_ns[] = {
    {0, 0, 0, 0, 1, 0},
    {1, 1, 1, 1, 1, 1},
    {1023, 1023, 1023, 1023, 1, 1023},
    {1024, 1024, 1024, 1024, 1, 1024},
    {2047, 2047, 2047, 2047, 1, 2047},
    /* bucket 1: slots of 2, 2048 >> 1 = 1024 -> index 2048 */
    {2048, 2048, 2049, 2049, 2, 2048},
    {2049, 2048, 2049, 2049, 2, 2048},
    {2050, 2050, 2051, 2051, 2, 2049},
    {4095, 4094, 4095, 4095, 2, 3071},
    /* bucket 2: slots of 4; 4096 >> 2 = 1024 -> index 3072 */
    {4096, 4096, 4099, 4098, 4, 3072},
    /*
     * 2^19 <= 1e6 < 2^20: bucket 9, slots of 512; 1e6 >> 9 = 1953; 1953 * 512 = 999936;
     * index 10 * 1024 + 1953 - 1024 = 11169
     */
    {1000000, 999936, 1000447, 1000192, 512, 11169},
    /*
     * 2^29 <= 1e9 < 2^30: bucket 19, slots of 524288; 1e9 >> 19 = 1907;
     * 1907 * 524288 = 999817216; index 20 * 1024 + 883 = 21363
     */
    {1000000000, 999817216, 1000341503, 1000079360, 524288, 21363},
    /*
     * 2^41 <= 3.6e12 < 2^42: bucket 31, slots of 2^31; 3.6e12 >> 31 = 1676;
     * 1676 << 31 = 3599182594048; index 32 * 1024 + 652 = 33420
     */
    {HOUR_NS, INT64_C(3599182594048), INT64_C(3601330077695), INT64_C(3600256335872),
     INT64_C(2147483648), 33420},
    /* top slot of the layout: bucket 52, 2047 << 52 = 2^63 - 2^52; index 53 * 1024 + 1023 */
    {INT64_MAX, INT64_C(9218868437227405312), INT64_MAX, INT64_C(9221120237041090560),
     INT64_C(4503599627370496), 55295},
};

/* (1000, 3600e6, 3): unit 512, bucket 0 holds 0..1048575 in slots of 512. */
static const struct equiv_case equiv_1000[] = {
    {0, 0, 511, 256, 512, 0},
    {511, 0, 511, 256, 512, 0},
    {1000, 512, 1023, 768, 512, 1},
    {1048575, 1048064, 1048575, 1048320, 512, 2047},
    {1048576, 1048576, 1049599, 1049088, 1024, 2048},
};

static void test_equivalence(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	struct ipcb_hist *k = make(1000, HOUR_US, 3);
	size_t i;

	for (i = 0; i < sizeof(equiv_ns) / sizeof(equiv_ns[0]); i++)
		check_equiv(h, &equiv_ns[i], "ns");
	for (i = 0; i < sizeof(equiv_1000) / sizeof(equiv_1000[0]); i++)
		check_equiv(k, &equiv_1000[i], "lowest1000");

	ok_eq(ipcb_hist_counts_index_for(h, -5), -1, "counts_index_for(-5) = -1");
	ok_eq(ipcb_hist_lowest_equivalent(h, -5), 0, "negative values count as 0");
	ok_eq(ipcb_hist_value_at_index(h, 0), 0, "value_at_index(0)");
	ok_eq(ipcb_hist_value_at_index(h, 1023), 1023, "value_at_index(1023)");
	ok_eq(ipcb_hist_value_at_index(h, 2047), 2047, "value_at_index(2047)");
	ok_eq(ipcb_hist_value_at_index(h, 2048), 2048, "value_at_index(2048)");
	ok_eq(ipcb_hist_value_at_index(h, 3071), 4094, "value_at_index(3071)");
	ok_eq(ipcb_hist_value_at_index(h, 3072), 4096, "value_at_index(3072)");
	/* last slot: bucket 31, sub-bucket 2047: 2047 << 31 */
	ok_eq(ipcb_hist_value_at_index(h, 33791), INT64_C(4395899027456), "value_at_index(last)");
	ok_eq(ipcb_hist_value_at_index(h, -1), -1, "value_at_index(-1) = -1");
	ok_eq(ipcb_hist_value_at_index(h, 33792), -1, "value_at_index(counts_len) = -1");
	ok_eq(ipcb_hist_value_at_index(k, 1), 512, "lowest1000 value_at_index(1)");
	ipcb_hist_destroy(h);
	ipcb_hist_destroy(k);
}

/* Every slot round-trips and the slots tile [0, top] with no gap or overlap. */
static void test_layout_tiling(void)
{
	size_t c;

	for (c = 0; c < sizeof(layouts) / sizeof(layouts[0]); c++) {
		struct ipcb_hist *h = make(layouts[c].lowest, layouts[c].highest, layouts[c].sig);
		bool good = ipcb_hist_value_at_index(h, 0) == 0;
		int32_t i, bad = -1;

		for (i = 0; i < h->counts_len && good; i++) {
			int64_t v = ipcb_hist_value_at_index(h, i);
			int64_t r = ipcb_hist_equivalent_range(h, v);

			int64_t top = ipcb_hist_highest_equivalent(h, v);

			good = ipcb_hist_counts_index_for(h, v) == i &&
			       ipcb_hist_lowest_equivalent(h, v) == v && r > 0 &&
			       (r & (r - 1)) == 0 && ipcb_hist_counts_index_for(h, top) == i;
			if (good && i + 1 < h->counts_len)
				good = top + 1 == ipcb_hist_value_at_index(h, i + 1);
			if (!good)
				bad = i;
		}
		if (!ok(good, "slots tile the range, layout (%lld, %lld, %d)",
			(long long)layouts[c].lowest, (long long)layouts[c].highest,
			layouts[c].sig))
			tap_diag("first bad index %d", bad);
		ipcb_hist_destroy(h);
	}
}

/*
 * The classic HdrHistogram test: (1, 3600e6, 3), 10000 samples of 1000 and one of 1e8.
 * 1000 < 2048 is exact. 2^26 <= 1e8 < 2^27: bucket 16, slots of 65536, 1e8 >> 16 = 1525,
 * 1525 * 65536 = 99942400, so 1e8 reads back as 100007935 (highest) / 99975168 (median).
 */
static void test_classic(void)
{
	struct ipcb_hist *h = make(1, HOUR_US, 3);
	double mean, var;
	int i;

	for (i = 0; i < 10000; i++)
		ipcb_hist_record(h, 1000);
	ok(ipcb_hist_record(h, 100000000), "classic: record 1e8");
	ok_eq(ipcb_hist_total(h), 10001, "classic: total");
	ok_eq(ipcb_hist_min(h), 1000, "classic: min");
	ok_eq(ipcb_hist_max(h), 100007935, "classic: max is highest equivalent of 1e8");
	ok_eq(ipcb_hist_value_at_percentile(h, 30.0), 1000, "classic: p30");
	ok_eq(ipcb_hist_value_at_percentile(h, 50.0), 1000, "classic: p50");
	ok_eq(ipcb_hist_value_at_percentile(h, 99.0), 1000, "classic: p99");
	/* 0.9999 * 10001 + 0.5 = 10000.4999 -> 10000: still a 1000 */
	ok_eq(ipcb_hist_value_at_percentile(h, 99.99), 1000, "classic: p99.99");
	/* 0.99999 * 10001 + 0.5 = 10001.39 -> 10001: the 1e8 sample */
	ok_eq(ipcb_hist_value_at_percentile(h, 99.999), 100007935, "classic: p99.999");
	ok_eq(ipcb_hist_value_at_percentile(h, 100.0), 100007935, "classic: p100");
	ok_eq(ipcb_hist_value_at_percentile(h, 0.0), 1000, "classic: p0");

	mean = (10000.0 * 1000.0 + 99975168.0) / 10001.0;
	var = (10000.0 * (1000.0 - mean) * (1000.0 - mean) +
	       (99975168.0 - mean) * (99975168.0 - mean)) /
	      10001.0;
	ok(near_rel(ipcb_hist_mean(h), mean, 1e-9), "classic: mean %.6f (want %.6f)",
	   ipcb_hist_mean(h), mean);
	ok(near_rel(ipcb_hist_stddev(h), sqrt(var), 1e-9), "classic: stddev %.6f (want %.6f)",
	   ipcb_hist_stddev(h), sqrt(var));
	ipcb_hist_destroy(h);
}

/*
 * HdrHistogram's large-value test: (2e7, 1e8, 5), unit 2^24. 2e7 and 3e7 both fall in slot
 * [16777216, 33554431], 1e8 in [83886080, 100663295].
 */
static void test_large_values(void)
{
	struct ipcb_hist *h = make(20000000, 100000000, 5);

	ipcb_hist_record(h, 100000000);
	ipcb_hist_record(h, 20000000);
	ipcb_hist_record(h, 30000000);
	ok_eq(ipcb_hist_value_at_percentile(h, 50.0), 33554431, "large: p50");
	/* ceil(0.6666 * 3) = ceil(1.9998) = 2: the second sample */
	ok_eq(ipcb_hist_value_at_percentile(h, 66.66), 33554431, "large: p66.66");
	/* ceil(0.6667 * 3) = ceil(2.0001) = 3 */
	ok_eq(ipcb_hist_value_at_percentile(h, 66.67), 100663295, "large: p66.67");
	ok_eq(ipcb_hist_value_at_percentile(h, 99.0), 100663295, "large: p99");
	ok_eq(ipcb_hist_min(h), 16777216, "large: min is lowest equivalent of 2e7");
	ok_eq(ipcb_hist_max(h), 100663295, "large: max is highest equivalent of 1e8");
	ipcb_hist_destroy(h);
}

static void record_all(struct ipcb_hist *h, const int64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ipcb_hist_record(h, v[i]);
}

struct pct_case {
	double p;
	int64_t want;
};

static void check_pcts(const struct ipcb_hist *h, const struct pct_case *c, size_t n,
		       const char *tag)
{
	size_t i;

	for (i = 0; i < n; i++)
		ok_eq(ipcb_hist_value_at_percentile(h, c[i].p), c[i].want, "%s: p%g", tag, c[i].p);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * count = max(1, ceil(nextafter(p, -inf) / 100 * n)), as Java HdrHistogram counts; the answer is
 * the count-th smallest sample. "At least p% of the samples are at or below it."
 */
static void test_small_counts(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	static const int64_t two[] = {10, 20}, three[] = {10, 20, 30}, four[] = {10, 20, 30, 40},
			     wide[] = {2049, 5000};
	static const struct pct_case one_c[] = {{0, 5}, {0.1, 5}, {50, 5}, {100, 5}};
	/* n = 2: p25 -> 0.5 -> 1; p50 -> 1.0 -> 1 (exact: not pushed to 2); p50.1 -> 1.002 -> 2 */
	static const struct pct_case two_c[] = {
	    {0, 10}, {25, 10}, {50, 10}, {50.1, 20}, {74.9, 20}, {100, 20},
	};
	/*
	 * n = 3: p16.6 -> 0.498 -> 1; p33.3 -> 0.999 -> 1; p33.4 -> 1.002 -> 2; p50 -> 1.5 -> 2;
	 * p66.6 -> 1.998 -> 2; p66.7 -> 2.001 -> 3
	 */
	static const struct pct_case three_c[] = {
	    {16.6, 10}, {33.3, 10}, {33.4, 20}, {50, 20},
	    {66.6, 20}, {66.7, 30}, {83.3, 30}, {100, 30},
	};
	/*
	 * n = 4, where p * n / 100 is a whole number the count must not round up past it:
	 * p25 -> 1; p25.1 -> 2; p50 -> 2; p50.1 -> 3; p75 -> 3; p75.1 -> 4
	 */
	static const struct pct_case four_c[] = {
	    {25, 10}, {25.1, 20}, {50, 20}, {50.1, 30}, {75, 30}, {75.1, 40}, {90, 40}, {100, 40},
	};
	/* p0 gives the lowest equivalent (2048), others the highest (2049, 5003) */
	static const struct pct_case wide_c[] = {
	    {0, 2048},	 {1, 2049},  {50, 2049},  {75, 5003},
	    {100, 5003}, {-3, 2048}, {250, 5003}, {NAN, 2048},
	};

	ipcb_hist_record(h, 5);
	check_pcts(h, one_c, N(one_c), "one sample");
	ipcb_hist_reset(h);
	record_all(h, two, N(two));
	check_pcts(h, two_c, N(two_c), "two samples");
	ipcb_hist_reset(h);
	record_all(h, three, N(three));
	check_pcts(h, three_c, N(three_c), "three samples");
	ipcb_hist_reset(h);
	record_all(h, four, N(four));
	check_pcts(h, four_c, N(four_c), "four samples");
	ipcb_hist_reset(h);
	record_all(h, wide, N(wide));
	check_pcts(h, wide_c, N(wide_c), "2049,5000");
	ok_eq(ipcb_hist_min(h), 2048, "2049,5000: min");
	ok_eq(ipcb_hist_max(h), 5003, "2049,5000: max");
	ipcb_hist_destroy(h);
}

static void test_empty_and_zero(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	struct ipcb_hist *k = make(1000, HOUR_US, 3);

	ok(ipcb_hist_total(h) == 0 && ipcb_hist_min(h) == 0 && ipcb_hist_max(h) == 0 &&
	       ipcb_hist_value_at_percentile(h, 50) == 0 &&
	       ipcb_hist_value_at_percentile(h, 0) == 0 &&
	       ipcb_hist_value_at_percentile(h, 100) == 0,
	   "empty: total, min, max, percentiles are 0");
	ok(ipcb_hist_mean(h) == 0.0 && ipcb_hist_stddev(h) == 0.0, "empty: mean, stddev are 0");

	/* 0 and 5 share k's slot [0, 511]: min 0, max its highest equivalent 511 (as hdr_max). */
	ok(ipcb_hist_record(k, 0), "record 0");
	ok_eq(ipcb_hist_max(k), 0, "only zeros recorded: max 0");
	ipcb_hist_record(k, 5);
	ok_eq(ipcb_hist_min(k), 0, "lowest1000 {0, 5}: min 0");
	ok_eq(ipcb_hist_max(k), 511, "lowest1000 {0, 5}: max 511");
	ok_eq(ipcb_hist_value_at_percentile(k, 100), 511, "lowest1000 {0, 5}: p100");
	ipcb_hist_destroy(h);
	ipcb_hist_destroy(k);
}

static void test_out_of_range(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);

	ok(ipcb_hist_record(h, HOUR_NS), "highest itself is recorded");
	ok(!ipcb_hist_record(h, HOUR_NS + 1), "highest + 1 is refused");
	ok(!ipcb_hist_record(h, -1), "-1 is refused");
	ok(!ipcb_hist_record(h, INT64_MIN), "INT64_MIN is refused");
	ok(!ipcb_hist_record(h, INT64_MAX), "INT64_MAX is refused");
	ok_eq(h->out_of_range, 3 + 1, "refusals are counted");
	ok_eq(ipcb_hist_total(h), 1, "refusals are not in the total");
	ok_eq(ipcb_hist_max(h), INT64_C(3601330077695), "refusals do not move max");
	ok_eq(ipcb_hist_min(h), INT64_C(3599182594048), "refusals do not move min");

	ok(!ipcb_hist_record_n(h, -7, 5), "record_n of a negative value is refused");
	ok_eq(h->out_of_range, 4 + 5, "record_n counts each refused sample");
	ok(!ipcb_hist_record_n(h, 10, -1), "record_n with count < 0 is refused");
	ok_eq(h->out_of_range, 9, "count < 0 is not an out-of-range value");
	ipcb_hist_destroy(h);
}

static void test_record_n_reset(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	bool zero = true;
	int32_t i;

	/* 3000 is in bucket 1 (slots of 2): [3000, 3001], index 2048 + 1500 - 1024 = 2524 */
	ok(ipcb_hist_record_n(h, 3000, 5), "record_n(3000, 5)");
	ok_eq(h->counts[2524], 5, "record_n lands in index 2524");
	ok_eq(ipcb_hist_total(h), 5, "record_n total");
	ok(ipcb_hist_record_n(h, 7, 0), "record_n count 0 is accepted");
	ok(ipcb_hist_total(h) == 5 && ipcb_hist_min(h) == 3000,
	   "record_n count 0 changes nothing, not even min");
	ok_eq(ipcb_hist_value_at_percentile(h, 50), 3001, "record_n p50");
	ok(ipcb_hist_record(h, 12), "record 12");
	ipcb_hist_record(h, -1);

	ipcb_hist_reset(h);
	for (i = 0; i < h->counts_len; i++)
		zero = zero && h->counts[i] == 0;
	ok(zero, "reset clears counts");
	ok(ipcb_hist_total(h) == 0 && h->min_value == INT64_MAX && h->max_value == 0 &&
	       h->out_of_range == 0,
	   "reset clears totals, extremes and out_of_range");
	ok(ipcb_hist_value_at_percentile(h, 50) == 0 && ipcb_hist_min(h) == 0 &&
	       ipcb_hist_max(h) == 0,
	   "after reset it reads as empty");
	ok(h->counts_len == 33792 && h->bucket_count == 32, "reset keeps the layout");
	ipcb_hist_record(h, 42);
	ok(ipcb_hist_total(h) == 1 && ipcb_hist_min(h) == 42 && ipcb_hist_max(h) == 42,
	   "records again after reset");
	ipcb_hist_destroy(h);
}

static void test_add(void)
{
	struct ipcb_hist *a = make(1, HOUR_NS, 3), *b = make(1, HOUR_NS, 3);
	struct ipcb_hist *other_sig = make(1, HOUR_NS, 2), *other_high = make(1, HOUR_US, 3);
	struct ipcb_hist *empty = make(1, HOUR_NS, 3);

	ipcb_hist_record(a, 1000);
	ipcb_hist_record(a, 1000);
	ipcb_hist_record(a, -1);
	ipcb_hist_record(b, 5000);
	ipcb_hist_record(b, 1000000000);
	ipcb_hist_record(b, HOUR_NS * 2);

	ok_eq(ipcb_hist_add(a, b), 0, "add same layout");
	ok_eq(ipcb_hist_total(a), 4, "add: total");
	ok_eq(a->out_of_range, 2, "add: out_of_range summed");
	ok_eq(a->counts[1000], 2, "add: count at 1000 kept");
	ok_eq(a->counts[21363], 1, "add: count at 1e9's index added");
	ok_eq(ipcb_hist_min(a), 1000, "add: min");
	ok_eq(ipcb_hist_max(a), 1000341503, "add: max from src");
	ok_eq(ipcb_hist_value_at_percentile(a, 75), 5003, "add: p75");
	ok_eq(ipcb_hist_value_at_percentile(a, 100), 1000341503, "add: p100");

	ok_eq(ipcb_hist_add(empty, b), 0, "add into empty");
	ok(ipcb_hist_min(empty) == 5000 && ipcb_hist_max(empty) == 1000341503,
	   "add into empty takes src extremes");
	ok_eq(ipcb_hist_add(a, a), 0, "add to itself");
	ok(ipcb_hist_total(a) == 8 && a->counts[1000] == 4, "add to itself doubles");

	ok_eq(ipcb_hist_add(a, other_sig), -EINVAL, "add: other significant figures -> -EINVAL");
	ok_eq(ipcb_hist_add(a, other_high), -EINVAL, "add: other highest -> -EINVAL");
	ok_eq(ipcb_hist_total(a), 8, "refused add leaves dst alone");
	ipcb_hist_destroy(a);
	ipcb_hist_destroy(b);
	ipcb_hist_destroy(other_sig);
	ipcb_hist_destroy(other_high);
	ipcb_hist_destroy(empty);
}

static void test_mean_stddev(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3), *k = make(1000, HOUR_US, 3);
	static const int64_t classic[] = {2, 4, 4, 4, 5, 5, 7, 9};
	static const int64_t mixed[] = {1000, 2049, 4096, 1000000, 1000000000};
	/* their median equivalents, from the equivalence table above */
	static const double mixed_med[] = {1000, 2049, 4098, 1000192, 1000079360};
	double mean = 0, var = 0;
	size_t i;

	/* Values below 2048 are exact: the textbook set with mean 5 and population stddev 2. */
	record_all(h, classic, N(classic));
	ok(ipcb_hist_mean(h) == 5.0, "mean of {2,4,4,4,5,5,7,9} is 5");
	ok(ipcb_hist_stddev(h) == 2.0, "stddev of {2,4,4,4,5,5,7,9} is 2");

	ipcb_hist_reset(h);
	record_all(h, mixed, N(mixed));
	for (i = 0; i < N(mixed_med); i++)
		mean += mixed_med[i];
	mean /= N(mixed_med);
	for (i = 0; i < N(mixed_med); i++)
		var += (mixed_med[i] - mean) * (mixed_med[i] - mean);
	var /= N(mixed_med);
	ok(near_rel(ipcb_hist_mean(h), mean, 1e-9), "mixed: mean %.3f (want %.3f)",
	   ipcb_hist_mean(h), mean);
	ok(near_rel(ipcb_hist_stddev(h), sqrt(var), 1e-9), "mixed: stddev %.3f (want %.3f)",
	   ipcb_hist_stddev(h), sqrt(var));

	/* 1000 in the unit-512 layout is the slot [512, 1023], median 768: the mean is 768. */
	ipcb_hist_record_n(k, 1000, 3);
	ok(ipcb_hist_mean(k) == 768.0, "lowest1000: mean of 3 x 1000 is the median 768");
	ok(ipcb_hist_stddev(k) == 0.0, "lowest1000: stddev of one slot is 0");
	ipcb_hist_destroy(h);
	ipcb_hist_destroy(k);
}

struct step {
	int64_t value, total;
	double pct, inv;
};

struct steps {
	struct step s[4096];
	int n;
};

static void collect(int64_t value, double percentile, int64_t total_to_here, double inverted,
		    void *ctx)
{
	struct steps *st = ctx;

	if (st->n < (int)N(st->s))
		st->s[st->n] = (struct step){value, total_to_here, percentile, inverted};
	st->n++;
}

static void check_steps(const struct steps *got, const struct step *want, int n, const char *tag)
{
	bool good = got->n == n;
	int i;

	for (i = 0; good && i < n; i++)
		good = got->s[i].value == want[i].value && got->s[i].total == want[i].total &&
		       got->s[i].pct == want[i].pct &&
		       (isinf(want[i].inv) ? isinf(got->s[i].inv)
					   : near_rel(got->s[i].inv, want[i].inv, 1e-12));
	if (!ok(good, "%s: exact percentile steps", tag))
		for (i = 0; i < got->n && i < (int)N(got->s); i++)
			tap_diag("  %lld %.12f %lld %f", (long long)got->s[i].value, got->s[i].pct,
				 (long long)got->s[i].total, got->s[i].inv);
}

/* Monotone, ends with (max, 100, total, inf); returns the number of steps. */
static int check_walk(const struct ipcb_hist *h, int ticks, const char *tag)
{
	static struct steps st;
	bool mono = true;
	int i;

	st.n = 0;
	ok_eq(ipcb_hist_foreach_percentile(h, ticks, collect, &st), 0, "%s: foreach returns 0",
	      tag);
	if (!ok(st.n >= 2 && st.n <= (int)N(st.s), "%s: %d steps", tag, st.n))
		return st.n;
	for (i = 1; i < st.n; i++)
		mono = mono && st.s[i].value >= st.s[i - 1].value &&
		       st.s[i].pct >= st.s[i - 1].pct && st.s[i].total >= st.s[i - 1].total;
	ok(mono, "%s: values, percentiles and totals never decrease", tag);
	ok(st.s[0].pct == 0.0 && st.s[0].value == ipcb_hist_value_at_percentile(h, 1e-300),
	   "%s: starts at percentile 0 with the first slot", tag);
	ok(st.s[st.n - 1].value == ipcb_hist_max(h) && st.s[st.n - 1].pct == 100.0 &&
	       st.s[st.n - 1].total == ipcb_hist_total(h) && isinf(st.s[st.n - 1].inv),
	   "%s: ends at (max, 100, total, inf)", tag);
	return st.n;
}

static void test_foreach(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	static struct steps st;
	/*
	 * {1, 2, 3, 4}, ticks 1: levels 0, 50, 75, 87.5 (step 100 / 2^k, 2^k the power of two above
	 * 100 / (100 - level)); 87.5 is reached only by the last slot, which is reported once
	 * before the 100% line.
	 */
	static const struct step t1[] = {
	    {1, 1, 0, 1}, {2, 2, 50, 2}, {3, 3, 75, 4}, {4, 4, 87.5, 8}, {4, 4, 100, INFINITY},
	};
	/* ticks 2: levels 0, 25, 50, 62.5, 75, 81.25, ...; slot 1 (25%) satisfies 0 and 25. */
	static const struct step t2[] = {
	    {1, 1, 0, 1},  {1, 1, 25, 4.0 / 3},	    {2, 2, 50, 2},	   {3, 3, 62.5, 8.0 / 3},
	    {3, 3, 75, 4}, {4, 4, 81.25, 16.0 / 3}, {4, 4, 100, INFINITY},
	};
	int i, n;

	st.n = 0;
	ok_eq(ipcb_hist_foreach_percentile(h, 5, collect, &st), 0, "foreach on empty: 0");
	ok_eq(st.n, 0, "foreach on empty: no steps");
	ok_eq(ipcb_hist_foreach_percentile(h, 0, collect, &st), -EINVAL, "foreach ticks 0");
	ok_eq(ipcb_hist_foreach_percentile(NULL, 5, collect, &st), -EINVAL, "foreach NULL h");
	ok_eq(ipcb_hist_foreach_percentile(h, 5, NULL, &st), -EINVAL, "foreach NULL fn");

	ipcb_hist_record(h, 1000);
	st.n = 0;
	ipcb_hist_foreach_percentile(h, 5, collect, &st);
	check_steps(&st, (const struct step[]){{1000, 1, 0, 1}, {1000, 1, 100, INFINITY}}, 2,
		    "single sample");

	ipcb_hist_reset(h);
	for (i = 1; i <= 4; i++)
		ipcb_hist_record(h, i);
	st.n = 0;
	ipcb_hist_foreach_percentile(h, 1, collect, &st);
	check_steps(&st, t1, N(t1), "{1,2,3,4} ticks 1");
	st.n = 0;
	ipcb_hist_foreach_percentile(h, 2, collect, &st);
	check_steps(&st, t2, N(t2), "{1,2,3,4} ticks 2");
	check_walk(h, 5, "{1,2,3,4} ticks 5");

	/* The classic data: all steps but the last two are 1000, then 1e8's slot. */
	ipcb_hist_reset(h);
	ipcb_hist_record_n(h, 1000, 10000);
	ipcb_hist_record(h, 100000000);
	n = check_walk(h, 5, "classic ticks 5");
	tap_diag("classic data, 5 ticks per half distance: %d steps", n);

	/* A spread of values over many slots. */
	ipcb_hist_reset(h);
	for (i = 0; i < 100000; i++)
		ipcb_hist_record(h, (int64_t)i * i % 9999991 + 1);
	check_walk(h, 5, "spread ticks 5");
	check_walk(h, 1, "spread ticks 1");
	ipcb_hist_destroy(h);
}

/* The way the driver uses it: mapping shared before fork, child records, parent reads. */
static void test_shared_fork(void)
{
	size_t bytes = ipcb_hist_bytes(1, HOUR_NS, 3);
	struct ipcb_hist *h =
	    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = -1;
	pid_t pid;

	if (!ok(h != MAP_FAILED, "mmap shared"))
		return;
	ok_eq(ipcb_hist_init(h, bytes, 1, HOUR_NS, 3), 0, "init in shared mapping");
	pid = fork();
	if (pid == 0) {
		int i;

		for (i = 1; i <= 1000; i++)
			ipcb_hist_record(h, (int64_t)i * 1000);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0,
	   "child recorded and exited");
	ok(ipcb_hist_total(h) == 1000 && ipcb_hist_min(h) == 1000 && ipcb_hist_max(h) == 1000447,
	   "parent sees the child's samples");
	/* p50 = 500th sample = 500000: 2^18 <= 5e5 < 2^19, slots of 256, [499968, 500223] */
	ok_eq(ipcb_hist_value_at_percentile(h, 50), 500223, "parent reads p50");
	munmap(h, bytes);
}

static void diag_record_speed(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	struct timespec t0, t1;
	int64_t i, n = 10000000;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		ipcb_hist_record(h, (i * 7919) & 0xfffff);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	tap_diag("record: %.2f ns per call (not a check; sanitizers slow it down)", ns / (double)n);
	ok_eq(ipcb_hist_total(h), n, "speed loop recorded every sample");
	ipcb_hist_destroy(h);
}

/* The mean below a limit: the samples held up beyond it left out, the rest as the mean takes them.
 */
static void test_mean_below(void)
{
	struct ipcb_hist *h = NULL;
	int64_t kept = -1;

	ok(ipcb_hist_create(1, 3600000000000LL, 3, &h) == 0, "a histogram of batches");
	if (!h)
		return;
	ok(ipcb_hist_mean_below(h, 1000, &kept) == 0 && kept == 0, "empty: 0, none kept");
	/* 1000 batches of 2000 ns and 1000 of 2040 (slots of 1 ns), one held for 13 ms. */
	ipcb_hist_record_n(h, 2000, 1000);
	ipcb_hist_record_n(h, 2040, 1000);
	ipcb_hist_record(h, 13000000);
	ok(ipcb_hist_mean_below(h, 4 * ipcb_hist_value_at_percentile(h, 50), &kept) == 2020.0 &&
	       kept == 2000,
	   "below 4x the median: the 2000 batches' mean, 2020 ns, the held one left out");
	ok(ipcb_hist_mean(h) > 8000, "the mean of all takes the held one in (%.0f ns)",
	   ipcb_hist_mean(h));
	ok(ipcb_hist_mean_below(h, INT64_MAX, &kept) == ipcb_hist_mean(h) && kept == 2001,
	   "below no limit: the mean of all");
	ok(ipcb_hist_mean_below(h, 1999, &kept) == 0 && kept == 0, "below every sample: 0");
	ok(ipcb_hist_mean_below(h, 2000, NULL) == 2000.0, "a limit at a sample's slot keeps it");
	ipcb_hist_destroy(h);
}

/* The summary a row holds is the histogram's own statistics, each as its function gives it. */
static void test_summary(void)
{
	struct ipcb_hist *h = NULL;
	struct ipcb_hist_summary sum;

	ok(ipcb_hist_create(1, 3600000000000LL, 3, &h) == 0, "a histogram to summarise");
	if (!h)
		return;
	ipcb_hist_summarise(h, &sum);
	ok(sum.total == 0 && sum.min == 0 && sum.max == 0 && sum.pct[IPCB_PCT_50] == 0 &&
	       sum.p100 == 0 && sum.mean == 0 && sum.stddev == 0,
	   "an empty one summarises to zeros");
	for (int64_t v = 1; v <= 10000; v++)
		ipcb_hist_record(h, v * v % 9973 + 100);
	ipcb_hist_summarise(h, &sum);
	ok(sum.total == ipcb_hist_total(h) && sum.min == ipcb_hist_min(h) &&
	       sum.max == ipcb_hist_max(h) && sum.p25 == ipcb_hist_value_at_percentile(h, 25) &&
	       sum.p75 == ipcb_hist_value_at_percentile(h, 75) &&
	       sum.p100 == ipcb_hist_value_at_percentile(h, 100) && sum.mean == ipcb_hist_mean(h) &&
	       sum.stddev == ipcb_hist_stddev(h),
	   "10000 values: total, min, max, p25, p75, p100, mean and stddev as each function gives "
	   "them");
	for (int p = 0; p < IPCB_NPCT; p++)
		ok(sum.pct[p] == ipcb_hist_value_at_percentile(h, ipcb_pct_value[p]) &&
		       sum.pct[p] >= (p ? sum.pct[p - 1] : sum.min) && sum.pct[p] <= sum.p100,
		   "%s: %lld, as ipcb_hist_value_at_percentile(%g) gives it, in order",
		   ipcb_pct_label[p], (long long)sum.pct[p], ipcb_pct_value[p]);
	ok(sum.min < sum.p25 && sum.p25 < sum.pct[IPCB_PCT_50] && sum.pct[IPCB_PCT_50] < sum.p75 &&
	       sum.p75 < sum.pct[IPCB_PCT_90] && sum.pct[IPCB_PCT_90] < sum.pct[IPCB_PCT_99] &&
	       sum.pct[IPCB_PCT_99] <= sum.pct[IPCB_PCT_999] && sum.pct[IPCB_PCT_999] <= sum.p100,
	   "in order");
	ok(ipcb_pct_find(99.9) == IPCB_PCT_999 && ipcb_pct_find(50) == IPCB_PCT_50 &&
	       ipcb_pct_find(12.5) == -1 && ipcb_pct_find(75) == -1,
	   "the recorded percentiles found by value, and no other");
	ipcb_hist_destroy(h);
}

int main(void)
{
	test_layout();
	test_summary();
	test_invalid();
	test_init_dirty_memory();
	test_equivalence();
	test_layout_tiling();
	test_classic();
	test_large_values();
	test_small_counts();
	test_empty_and_zero();
	test_out_of_range();
	test_record_n_reset();
	test_add();
	test_mean_stddev();
	test_mean_below();
	test_foreach();
	test_shared_fork();
	diag_record_speed();
	return tap_done();
}
