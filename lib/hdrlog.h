/* SPDX-License-Identifier: MIT */
/*
 * hdrlog.h - HdrHistogram interval logs (--hdr-log) and .hgrm percentile distributions.
 *
 * Interval log: the text format Java's HistogramLogWriter writes and HistogramLogReader /
 * HistogramLogProcessor (HdrHistogram 2.1.x) read, log format version 1.3:
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
 *   #[BaseTime: 1700000000.123 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   Tag=shm/latency/1M/rtt/run1,0.000,2.500,123456.000,HISTFAAA...
 *
 * Each data line is [Tag=<tag>,]<start s>,<length s>,<max>,<base64 histogram>. Start times are
 * seconds since the BaseTime line (which we set to the StartTime), printed with 3 decimals like
 * every other number in the line; <max> is the interval's largest value (the highest value
 * equivalent to it, as getMaxValue()) in the histogram's own unit, nanoseconds for ipcbench.
 * HistogramLogProcessor assumes nanoseconds and shows milliseconds by default (its
 * -outputValueUnitRatio defaults to 1e6); pass -outputValueUnitRatio 1 to see nanoseconds.
 *
 * Histogram encoding (all integers big-endian): the V2 "compressed" envelope
 *   int32 cookie 0x1c849314, int32 length of what follows, zlib stream (RFC 1950)
 * of the V2 encoding
 *   int32 cookie 0x1c849313, int32 payload length, int32 normalizing index offset (0),
 *   int32 significant figures, int64 lowest discernible value, int64 highest trackable value,
 *   IEEE double integer-to-double conversion ratio (1.0), then the payload:
 * counts[0 .. index of the largest value] as ZigZag LEB128 varints (at most 9 bytes, the 9th
 * holding 8 bits), a run of n >= 2 empty slots written as the single varint -n. The whole is
 * base64 (standard alphabet, '=' padding, no line breaks).
 *
 * Numbers in the text follow Java's Formatter (%.3f etc.): decimal rounding half-up applied to
 * the shortest decimal that identifies the double, so 0.125 -> "0.13" at 2 decimals where C's
 * printf gives "0.12". ipcb_hdrlog_format_fixed() does this, so our .hgrm lines are byte for byte
 * the ones outputPercentileDistribution() prints.
 *
 * Samples a histogram rejected as out of range (ipcb_hist::out_of_range) have no place in the
 * format and are not logged: report them elsewhere.
 *
 * No globals; a writer is used by one thread at a time. All functions return 0 (or a byte
 * count where stated) on success and a negative errno on failure.
 */
#ifndef IPCB_HDRLOG_H
#define IPCB_HDRLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ipcb_hist;

/* Cookies of HdrHistogram's V2 encodings (word size nibble 0x10 included, as Java writes). */
#define IPCB_HDRLOG_V2_COOKIE		 0x1c849313
#define IPCB_HDRLOG_V2_COMPRESSED_COOKIE 0x1c849314
/* Bytes of the V2 encoding header, and of the compressed envelope's header. */
#define IPCB_HDRLOG_V2_HEADER_BYTES	       40
#define IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES 8

struct ipcb_hdrlog; /* opaque writer */

/*
 * Create (truncate) `path` for a log: version, StartTime (start_time_s, epoch seconds, with the
 * local-time date as Java's Date.toString() prints it), a BaseTime line equal to StartTime, and
 * the column legend. The header is written together with the first interval (or at close, for a
 * log without intervals), so it is never on its own in a file that filled up. Interval start
 * times given to ipcb_hdrlog_write() are relative to start_time_s. Returns 0 and a writer in
 * *out, -EINVAL (NULL path/out, start time negative or not finite), -ENOMEM, or -errno from
 * opening the file (*out untouched).
 */
int ipcb_hdrlog_open(const char *path, double start_time_s, struct ipcb_hdrlog **out);
/* The same on a file the caller opened (and closes after ipcb_hdrlog_close()). */
int ipcb_hdrlog_open_fd(int fd, double start_time_s, struct ipcb_hdrlog **out);

/*
 * Append one interval: `tag` names the row (NULL or "" writes an untagged line); characters
 * the format cannot carry in a tag (',', space, control characters, bytes >= 0x7f) become '_'.
 * interval_start_s is seconds since the log's start time, interval_length_s the interval's
 * length; both must be finite and >= 0. The line is written at once and whole: a write that
 * fails part way (a full disk) is cut back, so the file always ends with a complete line. Returns
 * 0, -EINVAL, -ENOMEM, or -errno from writing; an error sticks and ipcb_hdrlog_close() reports
 * it again.
 * Histograms with a negative count (corrupt) are refused with -EINVAL, as Java refuses them.
 */
int ipcb_hdrlog_write(struct ipcb_hdrlog *log, const char *tag, double interval_start_s,
		      double interval_length_s, const struct ipcb_hist *h);

/*
 * Write the header if no interval has, close the file if ipcb_hdrlog_open() opened it, and free
 * the writer. NULL is fine (returns 0). Returns 0 only if every byte reached the file: the first
 * error of an earlier ipcb_hdrlog_write(), else -errno of the last write or of close (e.g.
 * -ENOSPC on a full disk). The writer is freed in every case.
 */
int ipcb_hdrlog_close(struct ipcb_hdrlog *log);

/*
 * Encode h as V2 compressed + base64 into a malloc'd NUL-terminated string (free() it).
 * Returns 0, -EINVAL (NULL argument, negative count), -ENOMEM, or -EIO (zlib failure).
 */
int ipcb_hdrlog_encode(const struct ipcb_hist *h, char **out_b64);

/*
 * Decode a base64 V2-compressed histogram into a new histogram made by ipcb_hist_create() with
 * the encoded lowest, highest and significant figures (free it with ipcb_hist_destroy()).
 * Counts, total_count and min/max are restored; min_value/max_value are the lowest values of
 * the first/last non-empty slots (exact extremes are not in the format). Accepts '=' padding
 * or none; no whitespace. Returns 0, -EINVAL (malformed: bad base64 or cookie, truncated or
 * inconsistent lengths, bad varint, counts outside the layout, total overflow, or parameters
 * ipcb_hist_create() rejects), -ENOTSUP (a valid HdrHistogram encoding we do not read: V0/V1,
 * a non-zero normalizing index offset), or -ENOMEM. *out untouched on error.
 */
int ipcb_hdrlog_decode(const char *b64, struct ipcb_hist **out);

/*
 * Write h's percentile distribution as HdrHistogram's outputPercentileDistribution() does
 * (the .hgrm text): a header, one line per percentile level from ipcb_hist_foreach_percentile()
 * ("Value Percentile TotalCount 1/(1-Percentile)", values with as many decimals as h has
 * significant figures), and the footer
 *   #[Mean    = ..., StdDeviation   = ...]
 *   #[Max     = ..., Total count    = ...]
 *   #[Buckets = ..., SubBuckets     = ...]
 * Values, mean, stddev and max are divided by value_unit_ratio (1000 shows nanoseconds as
 * microseconds, like Java's -outputValueUnitRatio); ticks_per_half_distance is usually 5. An
 * empty histogram gives the header and the footer only, as Java's. Returns 0, -EINVAL (NULL
 * f/h, ratio not finite or <= 0, ticks < 1) or -errno from writing (-EIO if unknown).
 */
int ipcb_hgrm_write(FILE *f, const struct ipcb_hist *h, double value_unit_ratio,
		    int ticks_per_half_distance);

/*
 * Lower-level pieces, public for the unit test and for other writers.
 */

/*
 * x with `decimals` (0..40) digits after the point, as Java's String.format(Locale.US,
 * "%.<decimals>f", x): round half-up the shortest round-tripping decimal of x. NaN and
 * infinities print as "NaN", "Infinity", "-Infinity"; -0.0 keeps its sign. Writes at most
 * size - 1 characters plus a NUL (size > 0) and returns the full length, like snprintf();
 * -EINVAL for a NULL buf with size > 0 or decimals outside 0..40.
 */
int ipcb_hdrlog_format_fixed(char *buf, size_t size, double x, int decimals);

/* ZigZag LEB128 as HdrHistogram's ZigZagEncoding: writes 1..9 bytes to out, returns the count. */
size_t ipcb_hdrlog_zigzag_put(uint8_t out[9], int64_t value);

/* Read one such varint from buf[0..len): bytes consumed (1..9), or -EINVAL if truncated. */
int ipcb_hdrlog_zigzag_get(const uint8_t *buf, size_t len, int64_t *value);

/*
 * Standard base64 with '=' padding, no line breaks, into a malloc'd NUL-terminated string.
 * 0, -EINVAL (NULL out, or NULL src with len > 0) or -ENOMEM.
 */
int ipcb_hdrlog_base64_encode(const void *src, size_t len, char **out);

/*
 * Decode standard base64 (padding optional, no whitespace) into a malloc'd buffer of *out_len
 * bytes (at least 1 byte is allocated, so *out is never NULL on success). 0, -EINVAL (bad
 * character, misplaced padding, impossible length, non-zero unused bits) or -ENOMEM.
 */
int ipcb_hdrlog_base64_decode(const char *b64, uint8_t **out, size_t *out_len);

#endif /* IPCB_HDRLOG_H */
