/* SPDX-License-Identifier: MIT */
/*
 * hist.c - HDR histogram with HdrHistogram's exact bucket layout (see hist.h).
 *
 * Written from the published HdrHistogram algorithm. Every formula that decides the layout, or a
 * number users compare with other HdrHistogram tools, follows the reference implementations
 * (including their floating-point steps where those can round), because the counts[] array is
 * written out in the standard V2 log format and decoded elsewhere.
 */
#include "hist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Index of the bucket holding value. OR-ing in sub_bucket_mask makes every value below
 * sub_bucket_count << unit_magnitude land in bucket 0, and keeps the argument of clz non-zero.
 */
IPCB_HOT static inline int32_t bucket_of(const struct ipcb_hist *h, int64_t value)
{
	int32_t pow2ceiling = 64 - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask));

	return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

IPCB_HOT static inline int32_t sub_bucket_of(const struct ipcb_hist *h, int64_t value,
					     int32_t bucket)
{
	return (int32_t)(value >> (bucket + h->unit_magnitude));
}

/*
 * Bucket b > 0 stores only its upper half of sub-buckets (the lower half would duplicate bucket
 * b - 1 at twice the resolution), so it starts at (b + 1) * half_count in counts[]; bucket 0 stores
 * all of them, which the same formula yields because its sub-bucket index starts at 0.
 */
IPCB_HOT static inline int32_t index_of(const struct ipcb_hist *h, int32_t bucket,
					int32_t sub_bucket)
{
	return ((bucket + 1) << h->sub_bucket_half_count_magnitude) +
	       (sub_bucket - h->sub_bucket_half_count);
}

/* Unsigned shift: the top sub-buckets of a layout reaching INT64_MAX must not be signed UB. */
static inline int64_t value_of(const struct ipcb_hist *h, int32_t bucket, int32_t sub_bucket)
{
	return (int64_t)((uint64_t)sub_bucket << (bucket + h->unit_magnitude));
}

/*
 * Slot width is the bucket's unit. The sub_bucket >= sub_bucket_count case cannot arise from
 * bucket_of()/sub_bucket_of(); it is kept because the reference has it, so the two stay in step.
 */
static inline int64_t range_of(const struct ipcb_hist *h, int32_t bucket, int32_t sub_bucket)
{
	int32_t b = sub_bucket >= h->sub_bucket_count ? bucket + 1 : bucket;

	return (int64_t)1 << (h->unit_magnitude + b);
}

struct layout {
	int32_t unit_magnitude;
	int32_t sub_bucket_half_count_magnitude;
	int32_t sub_bucket_count;
	int32_t bucket_count;
	int32_t counts_len;
	int64_t sub_bucket_mask;
};

static int layout_for(int64_t lowest, int64_t highest, int sig_figs, struct layout *l)
{
	int64_t single_unit_limit = 2, smallest_untrackable;
	int32_t sub_bucket_count_magnitude = 0, buckets = 1;
	double unit_magnitude;
	int i;

	/* lowest > highest / 2 is lowest * 2 > highest without the overflow. */
	if (lowest < 1 || sig_figs < 1 || sig_figs > 5 || lowest > highest / 2)
		return -EINVAL;

	/*
	 * ceil(log2(2 * 10^sig_figs)), in integers: none of 20..200000 is a power of two, so the
	 * reference's floating-point ceil(log(x) / log(2)) gives the same 5, 8, 11, 15, 18.
	 */
	for (i = 0; i < sig_figs; i++)
		single_unit_limit *= 10;
	while (((int64_t)1 << sub_bucket_count_magnitude) < single_unit_limit)
		sub_bucket_count_magnitude++;
	l->sub_bucket_half_count_magnitude = sub_bucket_count_magnitude - 1;

	/*
	 * Deliberately the reference's truncated log(lowest) / log(2), not 63 - clz(lowest): the
	 * two differ for lowest >= 2^48 - 1, where the double rounds up to the next power of two,
	 * and a decoder of our logs rebuilds the layout with the floating-point formula.
	 */
	unit_magnitude = log((double)lowest) / log(2);
	l->unit_magnitude = (int32_t)unit_magnitude;
	if (l->unit_magnitude + l->sub_bucket_half_count_magnitude > 61)
		return -EINVAL;

	l->sub_bucket_count = (int32_t)1 << sub_bucket_count_magnitude;
	l->sub_bucket_mask = ((int64_t)l->sub_bucket_count - 1) << l->unit_magnitude;

	/*
	 * Buckets double in width; count them until one starts above highest. The early exit
	 * stops the doubling from overflowing when highest is near INT64_MAX.
	 */
	smallest_untrackable = (int64_t)l->sub_bucket_count << l->unit_magnitude;
	while (smallest_untrackable <= highest) {
		if (smallest_untrackable > INT64_MAX / 2) {
			buckets++;
			break;
		}
		smallest_untrackable <<= 1;
		buckets++;
	}
	l->bucket_count = buckets;
	l->counts_len = (buckets + 1) * (l->sub_bucket_count / 2);
	return 0;
}

size_t ipcb_hist_bytes(int64_t lowest, int64_t highest, int sig_figs)
{
	struct layout l;

	if (layout_for(lowest, highest, sig_figs, &l))
		return 0;
	return sizeof(struct ipcb_hist) + (size_t)l.counts_len * sizeof(int64_t);
}

int ipcb_hist_init(struct ipcb_hist *h, size_t bytes, int64_t lowest, int64_t highest, int sig_figs)
{
	struct layout l;
	int err;

	if (!h)
		return -EINVAL;
	err = layout_for(lowest, highest, sig_figs, &l);
	if (err)
		return err;
	if (bytes < sizeof(*h) + (size_t)l.counts_len * sizeof(int64_t))
		return -ENOSPC;

	h->lowest_trackable_value = lowest;
	h->highest_trackable_value = highest;
	h->significant_figures = sig_figs;
	h->unit_magnitude = l.unit_magnitude;
	h->sub_bucket_half_count_magnitude = l.sub_bucket_half_count_magnitude;
	h->sub_bucket_count = l.sub_bucket_count;
	h->sub_bucket_half_count = l.sub_bucket_count / 2;
	h->bucket_count = l.bucket_count;
	h->counts_len = l.counts_len;
	h->sub_bucket_mask = l.sub_bucket_mask;
	ipcb_hist_reset(h);
	return 0;
}

int ipcb_hist_create(int64_t lowest, int64_t highest, int sig_figs, struct ipcb_hist **out)
{
	size_t bytes = ipcb_hist_bytes(lowest, highest, sig_figs);
	struct ipcb_hist *h;
	int err;

	if (!bytes || !out)
		return -EINVAL;
	h = malloc(bytes);
	if (!h)
		return -ENOMEM;
	err = ipcb_hist_init(h, bytes, lowest, highest, sig_figs);
	if (err) {
		free(h);
		return err;
	}
	*out = h;
	return 0;
}

void ipcb_hist_destroy(struct ipcb_hist *h)
{
	free(h);
}

void ipcb_hist_reset(struct ipcb_hist *h)
{
	h->total_count = 0;
	h->min_value = INT64_MAX;
	h->max_value = 0;
	h->out_of_range = 0;
	memset(h->counts, 0, (size_t)h->counts_len * sizeof(h->counts[0]));
}

/*
 * Unlike HdrHistogram_c we keep 0 in min_value; ipcb_hist_min() rounds it down to the lowest
 * equivalent, which gives the same answer as hdr_min()'s "index 0 non-empty" special case.
 */
IPCB_HOT static inline void add_at(struct ipcb_hist *h, int64_t value, int64_t count)
{
	int32_t bucket = bucket_of(h, value);

	/* value <= highest_trackable_value, which bucket_count covers: the index is in range. */
	h->counts[index_of(h, bucket, sub_bucket_of(h, value, bucket))] += count;
	h->total_count += count;
	if (__builtin_expect(value < h->min_value, 0))
		h->min_value = value;
	if (__builtin_expect(value > h->max_value, 0))
		h->max_value = value;
}

IPCB_HOT bool ipcb_hist_record(struct ipcb_hist *h, int64_t value)
{
	if (__builtin_expect(value < 0 || value > h->highest_trackable_value, 0)) {
		h->out_of_range++;
		return false;
	}
	add_at(h, value, 1);
	return true;
}

IPCB_HOT bool ipcb_hist_record_n(struct ipcb_hist *h, int64_t value, int64_t count)
{
	if (count < 0)
		return false;
	if (value < 0 || value > h->highest_trackable_value) {
		h->out_of_range += count;
		return false;
	}
	if (count)
		add_at(h, value, count);
	return true;
}

int ipcb_hist_add(struct ipcb_hist *dst, const struct ipcb_hist *src)
{
	int32_t i;

	if (!dst || !src)
		return -EINVAL;
	/* The three parameters determine the layout; counts_len also catches a corrupt one. */
	if (dst->lowest_trackable_value != src->lowest_trackable_value ||
	    dst->highest_trackable_value != src->highest_trackable_value ||
	    dst->significant_figures != src->significant_figures ||
	    dst->counts_len != src->counts_len)
		return -EINVAL;

	for (i = 0; i < src->counts_len; i++)
		dst->counts[i] += src->counts[i];
	dst->total_count += src->total_count;
	dst->out_of_range += src->out_of_range;
	if (src->min_value < dst->min_value)
		dst->min_value = src->min_value;
	if (src->max_value > dst->max_value)
		dst->max_value = src->max_value;
	return 0;
}

int64_t ipcb_hist_total(const struct ipcb_hist *h)
{
	return h->total_count;
}

int32_t ipcb_hist_counts_index_for(const struct ipcb_hist *h, int64_t value)
{
	int32_t bucket;

	if (value < 0)
		return -1;
	bucket = bucket_of(h, value);
	return index_of(h, bucket, sub_bucket_of(h, value, bucket));
}

int64_t ipcb_hist_value_at_index(const struct ipcb_hist *h, int32_t index)
{
	int32_t bucket, sub_bucket;

	if (index < 0 || index >= h->counts_len)
		return -1;
	bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
	sub_bucket = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
	if (bucket < 0) {
		/* The first half_count slots are bucket 0's lower half. */
		sub_bucket -= h->sub_bucket_half_count;
		bucket = 0;
	}
	return value_of(h, bucket, sub_bucket);
}

int64_t ipcb_hist_lowest_equivalent(const struct ipcb_hist *h, int64_t value)
{
	int32_t bucket;

	if (value < 0)
		value = 0;
	bucket = bucket_of(h, value);
	return value_of(h, bucket, sub_bucket_of(h, value, bucket));
}

int64_t ipcb_hist_equivalent_range(const struct ipcb_hist *h, int64_t value)
{
	int32_t bucket;

	if (value < 0)
		value = 0;
	bucket = bucket_of(h, value);
	return range_of(h, bucket, sub_bucket_of(h, value, bucket));
}

int64_t ipcb_hist_highest_equivalent(const struct ipcb_hist *h, int64_t value)
{
	/* Unsigned: the slot ending at INT64_MAX has lowest + range == 2^63. */
	return (int64_t)((uint64_t)ipcb_hist_lowest_equivalent(h, value) +
			 (uint64_t)ipcb_hist_equivalent_range(h, value) - 1);
}

int64_t ipcb_hist_median_equivalent(const struct ipcb_hist *h, int64_t value)
{
	return ipcb_hist_lowest_equivalent(h, value) + (ipcb_hist_equivalent_range(h, value) >> 1);
}

int64_t ipcb_hist_min(const struct ipcb_hist *h)
{
	if (h->total_count == 0 || h->min_value == INT64_MAX)
		return 0;
	return ipcb_hist_lowest_equivalent(h, h->min_value);
}

int64_t ipcb_hist_max(const struct ipcb_hist *h)
{
	if (h->max_value == 0)
		return 0;
	return ipcb_hist_highest_equivalent(h, h->max_value);
}

static int64_t median_at_index(const struct ipcb_hist *h, int32_t index)
{
	return ipcb_hist_median_equivalent(h, ipcb_hist_value_at_index(h, index));
}

/* Summed in double, as the reference does: count * value can exceed INT64_MAX. */
double ipcb_hist_mean(const struct ipcb_hist *h)
{
	double sum = 0.0;
	int64_t seen = 0;
	int32_t i;

	if (h->total_count <= 0)
		return 0.0;
	for (i = 0; i < h->counts_len && seen < h->total_count; i++) {
		if (!h->counts[i])
			continue;
		seen += h->counts[i];
		sum += (double)h->counts[i] * (double)median_at_index(h, i);
	}
	return sum / (double)h->total_count;
}

double ipcb_hist_mean_below(const struct ipcb_hist *h, int64_t limit, int64_t *kept)
{
	double sum = 0.0;
	int64_t n = 0;

	for (int32_t i = 0; i < h->counts_len && ipcb_hist_value_at_index(h, i) <= limit; i++) {
		if (!h->counts[i])
			continue;
		n += h->counts[i];
		sum += (double)h->counts[i] * (double)median_at_index(h, i);
	}
	if (kept)
		*kept = n;
	return n ? sum / (double)n : 0.0;
}

double ipcb_hist_stddev(const struct ipcb_hist *h)
{
	double mean, dev_sq = 0.0;
	int32_t i;

	if (h->total_count <= 0)
		return 0.0;
	mean = ipcb_hist_mean(h);
	for (i = 0; i < h->counts_len; i++) {
		double dev;

		if (!h->counts[i])
			continue;
		dev = (double)median_at_index(h, i) - mean;
		dev_sq += dev * dev * (double)h->counts[i];
	}
	return sqrt(dev_sq / (double)h->total_count);
}

int64_t ipcb_hist_value_at_percentile(const struct ipcb_hist *h, double percentile)
{
	int64_t want, running = 0;
	double p = percentile;
	int32_t i;

	if (!(p > 0.0)) /* also NaN */
		p = 0.0;
	if (p > 100.0)
		p = 100.0;
	if (h->total_count <= 0)
		return 0;

	/*
	 * "At least p% of samples at or below": the sample count rounds up, as Java HdrHistogram
	 * and its log tools count it, so our percentiles equal what HistogramLogProcessor reports
	 * for our logs. Stepping p down by one ulp first keeps 90% of 10 samples from becoming
	 * ceil(9.000000000000002) = 10 through floating-point error. p50 of 3 samples is the 2nd.
	 */
	{
		double req = nextafter(p, -INFINITY);

		if (req < 0)
			req = 0;
		want = (int64_t)ceil(req * (double)h->total_count / 100.0);
	}
	if (want < 1)
		want = 1;
	for (i = 0; i < h->counts_len; i++) {
		running += h->counts[i];
		if (running >= want) {
			int64_t v = ipcb_hist_value_at_index(h, i);

			return p == 0.0 ? ipcb_hist_lowest_equivalent(h, v)
					: ipcb_hist_highest_equivalent(h, v);
		}
	}
	return 0;
}

#define PCT_VALUE(id, value, label, drop, what) value,
const double ipcb_pct_value[IPCB_NPCT] = {IPCB_PERCENTILES(PCT_VALUE)};
#undef PCT_VALUE
#define PCT_LABEL(id, value, label, drop, what) label,
const char *const ipcb_pct_label[IPCB_NPCT] = {IPCB_PERCENTILES(PCT_LABEL)};
#undef PCT_LABEL

int ipcb_pct_find(double value)
{
	for (int p = 0; p < IPCB_NPCT; p++)
		if (ipcb_pct_value[p] == value)
			return p;
	return -1;
}

void ipcb_hist_summarise(const struct ipcb_hist *h, struct ipcb_hist_summary *s)
{
	s->total = ipcb_hist_total(h);
	s->min = ipcb_hist_min(h);
	s->max = ipcb_hist_max(h);
	for (int p = 0; p < IPCB_NPCT; p++)
		s->pct[p] = ipcb_hist_value_at_percentile(h, ipcb_pct_value[p]);
	s->p25 = ipcb_hist_value_at_percentile(h, 25);
	s->p75 = ipcb_hist_value_at_percentile(h, 75);
	s->p100 = ipcb_hist_value_at_percentile(h, 100);
	s->mean = ipcb_hist_mean(h);
	s->stddev = ipcb_hist_stddev(h);
}

/*
 * Next reporting level after `level`: the distance to 100% is split into halvings, each reported
 * in `ticks` steps. Same floating-point steps as the reference so .hgrm lines coincide. The
 * nextafter() guard only matters if the step falls below one ulp (levels within ~1e-14 of a
 * bucket's percentile), where the reference would spin for ever.
 */
static double next_level(double level, int ticks)
{
	double next;
	int64_t halvings;

	if (level >= 100.0)
		return nextafter(level, INFINITY);
	halvings = (int64_t)(log(100.0 / (100.0 - level)) / log(2)) + 1;
	next = level + 100.0 / ((double)ticks * ldexp(1.0, (int)halvings));
	return next > level ? next : nextafter(level, INFINITY);
}

int ipcb_hist_foreach_percentile(const struct ipcb_hist *h, int ticks_per_half_distance,
				 void (*fn)(int64_t value, double percentile, int64_t total_to_here,
					    double inverted, void *ctx),
				 void *ctx)
{
	int64_t total, running = 0, value = 0;
	double level = 0.0;
	int32_t i;

	if (!h || !fn || ticks_per_half_distance < 1)
		return -EINVAL;
	total = h->total_count;
	if (total <= 0)
		return 0;

	for (i = 0; i < h->counts_len && running < total; i++) {
		double reached;

		if (!h->counts[i])
			continue;
		running += h->counts[i];
		value = ipcb_hist_highest_equivalent(h, ipcb_hist_value_at_index(h, i));
		reached = 100.0 * (double)running / (double)total;
		/* A wide slot can satisfy several levels; report each, as the reference does. */
		while (level <= reached) {
			fn(value, level, running, 1.0 / (1.0 - level / 100.0), ctx);
			/* The reference reports the last slot once, then jumps to the 100% line. */
			if (running >= total)
				break;
			level = next_level(level, ticks_per_half_distance);
		}
	}
	fn(value, 100.0, running, INFINITY, ctx);
	return 0;
}
