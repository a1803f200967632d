/* SPDX-License-Identifier: MIT */
/*
 * hist.h - HDR histogram of latencies, one flat block of memory.
 *
 * The bucket layout is exactly HdrHistogram's (the Java original and HdrHistogram_c): for the same
 * (lowest, highest, significant figures) the counts[] array has the same length and every index
 * holds the same value range, so a log writer can emit the standard V2 encoding straight from
 * counts[] and any HdrHistogram tool decodes it. Percentiles follow Java HdrHistogram's rule (the
 * sample count at a percentile rounds up), so they equal what HistogramLogProcessor reports for
 * our logs; mean and standard deviation follow hdr_mean()/hdr_stddev().
 *
 * Layout in brief: values are grouped into buckets; bucket b holds sub_bucket_count sub-buckets of
 * width 2^(unit_magnitude + b), and only its upper half is stored for b > 0 (the lower half is the
 * previous bucket), which keeps `significant_figures` decimal digits of precision everywhere.
 *
 * The struct holds no pointers (counts[] is a flexible array member), so the whole histogram can
 * sit in a MAP_SHARED mapping made before fork(): the child records, the parent reads once the
 * child is known to be done (e.g. after waitpid()). Nothing here is atomic: one writer at a time,
 * and readers must not run concurrently with it.
 *
 * Memory: ipcb_hist_bytes(1, 3600e9, 3) (nanoseconds up to one hour, 3 significant figures) is
 * 270424 bytes (~264 KiB): bucket_count 32, counts_len 33792, 88-byte header.
 */
#ifndef IPCB_HIST_H
#define IPCB_HIST_H

#include <stdbool.h>
#include "hot.h"
#include <stddef.h>
#include <stdint.h>

#include "percentiles.h"

struct ipcb_hist {
	int64_t lowest_trackable_value;
	int64_t highest_trackable_value;
	int32_t significant_figures;
	int32_t unit_magnitude;
	int32_t sub_bucket_half_count_magnitude;
	int32_t sub_bucket_count;
	int32_t sub_bucket_half_count;
	int32_t bucket_count;
	int32_t counts_len;
	int64_t sub_bucket_mask;
	int64_t total_count;
	int64_t min_value; /* raw recorded extremes; INT64_MAX / 0 when empty */
	int64_t max_value;
	int64_t out_of_range; /* samples rejected because their value was < 0 or > highest */
	int64_t counts[];
};

/*
 * Bytes a histogram with these parameters needs (struct + counts), 0 on invalid parameters (see
 * ipcb_hist_init()). Use it to size a shared mapping before ipcb_hist_init().
 */
size_t ipcb_hist_bytes(int64_t lowest, int64_t highest, int sig_figs);

/*
 * Initialise a histogram in caller-provided memory of `bytes` bytes (zeroed or not: counts are
 * cleared here). `lowest` is the smallest value distinguishable from 0 (1 for nanoseconds),
 * `highest` the largest value record() accepts, `sig_figs` the decimal digits kept (1..5).
 * Returns 0, -EINVAL (h NULL, lowest < 1, sig_figs outside 1..5, highest < 2 * lowest, or a
 * lowest so large the layout cannot exist) or -ENOSPC (bytes < ipcb_hist_bytes()).
 */
int ipcb_hist_init(struct ipcb_hist *h, size_t bytes, int64_t lowest, int64_t highest,
		   int sig_figs);

/* malloc() + ipcb_hist_init(). 0, -EINVAL or -ENOMEM; *out is untouched on error. */
int ipcb_hist_create(int64_t lowest, int64_t highest, int sig_figs, struct ipcb_hist **out);

/* Free a histogram from ipcb_hist_create() (not one placed by ipcb_hist_init()). NULL is fine. */
void ipcb_hist_destroy(struct ipcb_hist *h);

/* Forget every sample (counts, total, extremes and out_of_range); the layout stays. */
void ipcb_hist_reset(struct ipcb_hist *h);

/*
 * Record one value (nanoseconds in our use). Returns false, and adds 1 to out_of_range, when the
 * value is negative or above highest_trackable_value: values are never clamped silently, since a
 * clamped latency would understate the tail. No division, no allocation: it runs in the timed loop.
 */
bool ipcb_hist_record(struct ipcb_hist *h, int64_t value);

/*
 * Record `count` samples of one value. Out-of-range values return false and add `count` to
 * out_of_range. count == 0 returns true (false if the value is out of range) and changes
 * nothing, not even min/max; count < 0 returns false and changes nothing.
 */
bool ipcb_hist_record_n(struct ipcb_hist *h, int64_t value, int64_t count);

/*
 * Add every sample of src into dst (counts index by index, totals, extremes and out_of_range).
 * Both must have the same layout (same lowest, highest and significant figures): 0, or -EINVAL
 * (also for NULL arguments). dst == src doubles every count.
 */
int ipcb_hist_add(struct ipcb_hist *dst, const struct ipcb_hist *src);

/* Number of samples recorded (out-of-range ones excluded). */
int64_t ipcb_hist_total(const struct ipcb_hist *h);

/*
 * Smallest recorded value, rounded down to the lowest value equivalent to it (as hdr_min()); 0 when
 * the histogram is empty (hdr_min() would return INT64_MAX).
 */
int64_t ipcb_hist_min(const struct ipcb_hist *h);

/*
 * Largest recorded value, rounded up to the highest value equivalent to it (as hdr_max()); 0 when
 * empty or when the largest value recorded is 0.
 */
int64_t ipcb_hist_max(const struct ipcb_hist *h);

/* Mean of the samples, each taken at its median-equivalent value (as hdr_mean()); 0 when empty. */
double ipcb_hist_mean(const struct ipcb_hist *h);

/*
 * Mean of the samples whose slot starts at or below limit, each at its median-equivalent value;
 * *kept (when not NULL) gets how many they are. 0 when there are none. What a rate is when a
 * few samples were held up by something else than what they time (a floor's batches).
 */
double ipcb_hist_mean_below(const struct ipcb_hist *h, int64_t limit, int64_t *kept);

/*
 * Population standard deviation over median-equivalent values (as hdr_stddev(): divides by the
 * count, not count - 1); 0 when empty.
 */
double ipcb_hist_stddev(const struct ipcb_hist *h);

/*
 * Value at `percentile` (0..100), as Java HdrHistogram's getValueAtPercentile(): with n = total,
 * c = max(1, ceil(nextafter(percentile, -inf) / 100 * n)), find the first counts[] index where the
 * running count reaches c, and return the highest value equivalent to it — so "p99 = v" means at
 * least 99% of samples were <= v. Percentile 0 follows HdrHistogram_c: it returns the LOWEST
 * value equivalent to the first non-empty index (= ipcb_hist_min()). Percentiles are clamped to
 * [0, 100]; NaN counts as 0. Returns 0 when the histogram is empty.
 */
int64_t ipcb_hist_value_at_percentile(const struct ipcb_hist *h, double percentile);

/*
 * A histogram summarised once, as a row of results shows it: what every writer of the row (the
 * CSV and its JSON, the table, the run's own spread) formats, so that none of them computes a
 * statistic of its own; the percentiles a row records are lib/percentiles.h's.
 */
struct ipcb_hist_summary {
	int64_t total;
	int64_t min, max;	/* ipcb_hist_min(), ipcb_hist_max() */
	int64_t pct[IPCB_NPCT]; /* ipcb_hist_value_at_percentile() of ipcb_pct_value[] */
	int64_t p25, p75, p100; /* the quartiles (the run's spread) and the largest */
	double mean, stddev;
};
/* h summarised into *s (all zero for an empty histogram). */
void ipcb_hist_summarise(const struct ipcb_hist *h, struct ipcb_hist_summary *s);

/*
 * Layout helpers, public because log writers and tests need them. Values are expected to be >= 0;
 * the equivalence functions treat a negative value as 0. They work for any value up to INT64_MAX,
 * also beyond highest_trackable_value (the layout simply extends).
 */

/*
 * Index into counts[] for value; -1 for a negative value. May be >= counts_len for a value above
 * highest_trackable_value.
 */
int32_t ipcb_hist_counts_index_for(const struct ipcb_hist *h, int64_t value);
/* Lowest value counted at counts[index]; -1 for an index outside [0, counts_len). */
int64_t ipcb_hist_value_at_index(const struct ipcb_hist *h, int32_t index);
/* Smallest value sharing value's counts[] slot. */
int64_t ipcb_hist_lowest_equivalent(const struct ipcb_hist *h, int64_t value);
/* Largest value sharing value's counts[] slot. */
int64_t ipcb_hist_highest_equivalent(const struct ipcb_hist *h, int64_t value);
/* Middle of value's slot: lowest + size / 2 (what mean and stddev use). */
int64_t ipcb_hist_median_equivalent(const struct ipcb_hist *h, int64_t value);
/* Width of value's slot: how many values are indistinguishable from it (a power of 2). */
int64_t ipcb_hist_equivalent_range(const struct ipcb_hist *h, int64_t value);

/*
 * Walk percentiles as HdrHistogram's percentile iterator does for .hgrm output. Levels start at 0
 * and advance by 100 / (ticks_per_half_distance * 2^k), where 2^k is the power of two just above
 * 100 / (100 - level): ticks_per_half_distance steps for each halving of the distance to 100%.
 * For each level reached, fn gets:
 *   value          highest value equivalent to the counts[] index where the level is reached
 *   percentile     the level, 0..100 (percent; .hgrm prints percentile / 100)
 *   total_to_here  samples at or below that index
 *   inverted       1 / (1 - percentile / 100), the .hgrm "1/(1-Percentile)" column
 * then a last call with percentile 100, the highest value equivalent to the largest sample
 * (= ipcb_hist_max() unless only zeros were recorded), total_count and inverted +infinity (.hgrm
 * writers leave that column out). Values and percentiles never decrease.
 * An empty histogram produces no calls (like Java's; HdrHistogram_c emits one line of zeros).
 * Returns 0, or -EINVAL (NULL h or fn, ticks_per_half_distance < 1).
 */
int ipcb_hist_foreach_percentile(const struct ipcb_hist *h, int ticks_per_half_distance,
				 void (*fn)(int64_t value, double percentile, int64_t total_to_here,
					    double inverted, void *ctx),
				 void *ctx);

#endif /* IPCB_HIST_H */
