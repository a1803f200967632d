/* SPDX-License-Identifier: MIT */
/*
 * hdrlog.c - HdrHistogram interval log writer and .hgrm output (see hdrlog.h); the V2
 * encoding of each interval's histogram is hdrenc.c's.
 *
 * Written from the published HdrHistogram formats (log format 1.3, V2 encoding) and checked
 * against Java HdrHistogram 2.1.11's reader by tests/hdrlog/java_check.sh.
 */
#include "hdrlog.h"
#include "hist.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/* Longest ipcb_hdrlog_format_fixed() output: sign, 309 integer digits, point, 40 decimals. */
#define FIXED_MAX 360

/* ---------------------------------------------------------------- Java-style %.Nf */

/*
 * Java's Formatter prints %.Nf from the shortest decimal digits that identify the double (what
 * Double.toString() shows) and rounds those half-up, where printf rounds the exact binary value
 * half-even. Find the shortest digits by asking printf for 1..17 significant digits until the
 * text reads back as the same double (printf's %.Pe is correctly rounded, so the first P that
 * round-trips gives the shortest, closest digits).
 */
static int shortest_digits(double ax, char digits[20], int *dexp)
{
	char e[40];
	int p, n = 0, exp10 = 0;
	const char *s;

	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, ax);
		if (strtod(e, NULL) == ax)
			break;
	}
	/* "d.ddde+XX"; skip whatever the locale uses as decimal point. */
	for (s = e; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '0' && *s <= '9' && n < 19)
			digits[n++] = *s;
	if (*s)
		exp10 = atoi(s + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*dexp = exp10 + 1; /* value = 0.d1d2d3... * 10^dexp */
	return n;
}

int ipcb_hdrlog_format_fixed(char *buf, size_t size, double x, int decimals)
{
	char digits[20], out[FIXED_MAX + 8];
	int nd, dexp, keep, len = 0, i;
	bool neg = signbit(x) != 0;
	double ax = fabs(x);

	if ((!buf && size > 0) || decimals < 0 || decimals > 40)
		return -EINVAL;
	if (isnan(x))
		return snprintf(buf, size, "NaN");
	if (isinf(x))
		return snprintf(buf, size, "%s", neg ? "-Infinity" : "Infinity");

	if (ax == 0.0) {
		digits[0] = '0';
		digits[1] = '\0';
		nd = 1;
		dexp = 1;
	} else {
		nd = shortest_digits(ax, digits, &dexp);
	}

	/* Round half-up to `keep` significant digits (the last one at 10^-decimals). */
	keep = dexp + decimals;
	if (keep < 0) {
		nd = 0; /* everything is below half a unit of the last place */
	} else if (keep < nd) {
		bool up = digits[keep] >= '5';

		nd = keep;
		for (i = nd - 1; up && i >= 0; i--) {
			if (digits[i] == '9') {
				digits[i] = '0';
			} else {
				digits[i]++;
				up = false;
			}
		}
		if (up) { /* carried out of the first digit (or keep == 0): 10^dexp */
			digits[0] = '1';
			nd = 1;
			dexp++;
		}
	}

	if (neg)
		out[len++] = '-';
	if (dexp <= 0) {
		out[len++] = '0';
	} else {
		for (i = 0; i < dexp; i++)
			out[len++] = i < nd ? digits[i] : '0';
	}
	if (decimals > 0) {
		out[len++] = '.';
		for (i = 0; i < decimals; i++) {
			int pos = dexp + i;

			out[len++] = (pos >= 0 && pos < nd) ? digits[pos] : '0';
		}
	}
	out[len] = '\0';
	return snprintf(buf, size, "%s", out);
}

/* ---------------------------------------------------------------- log writer */

struct ipcb_hdrlog {
	int fd;
	bool own_fd;  /* opened by ipcb_hdrlog_open(): closed with the writer */
	char *header; /* not written yet: it goes in with the first interval, or at close */
	int err;      /* first write error, sticky */
};

/* -errno after a failed stdio call, -EIO if it left no reason. */
static int stdio_err(void)
{
	return errno > 0 ? -errno : -EIO;
}

/*
 * Append text whole (with the pending header in front of it): a write that fails part way is cut
 * back, so the log always ends with a complete line, whatever a full disk does.
 */
static int log_put(struct ipcb_hdrlog *log, const char *text)
{
	char *both = NULL;
	const char *out = text;
	int rc;

	if (log->err)
		return log->err;
	if (log->header) {
		if (asprintf(&both, "%s%s", log->header, text) < 0)
			return -ENOMEM;
		out = both;
	}
	rc = ipcb_write_whole(log->fd, out, strlen(out));
	free(both);
	if (rc < 0)
		return log->err = rc;
	free(log->header);
	log->header = NULL;
	return 0;
}

/* Java's Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy" in local time, English names. */
static void java_date(char *buf, size_t size, double epoch_s)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)floor(epoch_s);
	char zone[64];
	struct tm tm;

	if (!localtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11) {
		snprintf(buf, size, "?");
		return;
	}
	if (!strftime(zone, sizeof(zone), "%Z", &tm))
		snprintf(zone, sizeof(zone), "UTC");
	snprintf(buf, size, "%s %s %02d %02d:%02d:%02d %s %d", days[tm.tm_wday], months[tm.tm_mon],
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, zone, tm.tm_year + 1900);
}

int ipcb_hdrlog_open_fd(int fd, double start_time_s, struct ipcb_hdrlog **out)
{
	char start[FIXED_MAX], date[128];
	struct ipcb_hdrlog *log;

	if (fd < 0 || !out || !isfinite(start_time_s) || start_time_s < 0)
		return -EINVAL;
	log = calloc(1, sizeof(*log));
	if (!log)
		return -ENOMEM;
	log->fd = fd;
	ipcb_hdrlog_format_fixed(start, sizeof(start), start_time_s, 3);
	java_date(date, sizeof(date), start_time_s);
	/* The BaseTime line is explicit, so readers need not guess whether times are relative. */
	if (asprintf(&log->header,
		     "#[Histogram log format version 1.3]\n"
		     "#[StartTime: %s (seconds since epoch), %s]\n"
		     "#[BaseTime: %s (seconds since epoch)]\n"
		     "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
		     "\"Interval_Compressed_Histogram\"\n",
		     start, date, start) < 0) {
		free(log);
		return -ENOMEM;
	}
	*out = log;
	return 0;
}

int ipcb_hdrlog_open(const char *path, double start_time_s, struct ipcb_hdrlog **out)
{
	int fd, err;

	if (!path || !out || !isfinite(start_time_s) || start_time_s < 0)
		return -EINVAL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	err = ipcb_hdrlog_open_fd(fd, start_time_s, out);
	if (err) {
		close(fd);
		return err;
	}
	(*out)->own_fd = true;
	return 0;
}

/* Printable ASCII except ',' survives; the rest (space, controls, >= 0x7f) becomes '_'. */
static char *sanitize_tag(const char *tag)
{
	size_t i, n = strlen(tag);
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tag[i];

		s[i] = (c > 0x20 && c < 0x7f && c != ',') ? (char)c : '_';
	}
	s[n] = '\0';
	return s;
}

int ipcb_hdrlog_write(struct ipcb_hdrlog *log, const char *tag, double interval_start_s,
		      double interval_length_s, const struct ipcb_hist *h)
{
	char start[FIXED_MAX], length[FIXED_MAX], max[FIXED_MAX];
	char *b64 = NULL, *clean = NULL, *line = NULL;
	int err;

	if (!log || !h || !isfinite(interval_start_s) || interval_start_s < 0 ||
	    !isfinite(interval_length_s) || interval_length_s < 0)
		return -EINVAL;
	if (log->err)
		return log->err;
	if (tag && *tag) {
		clean = sanitize_tag(tag);
		if (!clean)
			return -ENOMEM;
	}
	err = ipcb_hdrlog_encode(h, &b64);
	if (err) {
		free(clean);
		return err;
	}
	ipcb_hdrlog_format_fixed(start, sizeof(start), interval_start_s, 3);
	ipcb_hdrlog_format_fixed(length, sizeof(length), interval_length_s, 3);
	/* getMaxValueAsDouble() / maxValueUnitRatio, the ratio being 1: nanoseconds. */
	ipcb_hdrlog_format_fixed(max, sizeof(max), (double)ipcb_hist_max(h), 3);
	/*
	 * Each interval reaches the file now, in one write, as each CSV row does: a run
	 * interrupted later keeps it, and a full disk is reported with its errno here.
	 */
	if (clean)
		err = asprintf(&line, "Tag=%s,%s,%s,%s,%s\n", clean, start, length, max, b64);
	else
		err = asprintf(&line, "%s,%s,%s,%s\n", start, length, max, b64);
	err = err < 0 ? -ENOMEM : log_put(log, line);
	free(line);
	free(clean);
	free(b64);
	return err;
}

int ipcb_hdrlog_close(struct ipcb_hdrlog *log)
{
	int err;

	if (!log)
		return 0;
	/* A log without intervals still gets its header. */
	err = log->header ? log_put(log, "") : log->err;
	if (log->own_fd && close(log->fd) < 0 && !err)
		err = -errno;
	free(log->header);
	free(log);
	return err;
}

/* ---------------------------------------------------------------- .hgrm */

struct hgrm_ctx {
	FILE *f;
	double ratio;
	int decimals;
	int err;
};

static void hgrm_emit(struct hgrm_ctx *c, int r)
{
	if (r < 0 && !c->err)
		c->err = stdio_err();
}

static void hgrm_line(int64_t value, double percentile, int64_t total_to_here, double inverted,
		      void *ctx)
{
	struct hgrm_ctx *c = ctx;
	char v[FIXED_MAX], p[FIXED_MAX], inv[FIXED_MAX];

	if (c->err)
		return;
	ipcb_hdrlog_format_fixed(v, sizeof(v), (double)value / c->ratio, c->decimals);
	ipcb_hdrlog_format_fixed(p, sizeof(p), percentile / 100.0, 12);
	errno = 0;
	/* Java prints the last column only while the level is below 100%. */
	if (percentile != 100.0) {
		ipcb_hdrlog_format_fixed(inv, sizeof(inv), inverted, 2);
		hgrm_emit(c,
			  fprintf(c->f, "%12s %2s %10" PRId64 " %14s\n", v, p, total_to_here, inv));
	} else {
		hgrm_emit(c, fprintf(c->f, "%12s %2s %10" PRId64 "\n", v, p, total_to_here));
	}
}

int ipcb_hgrm_write(FILE *f, const struct ipcb_hist *h, double value_unit_ratio,
		    int ticks_per_half_distance)
{
	struct hgrm_ctx c = {f, value_unit_ratio, 0, 0};
	char mean[FIXED_MAX], sd[FIXED_MAX], max[FIXED_MAX];
	int err;

	if (!f || !h || !isfinite(value_unit_ratio) || value_unit_ratio <= 0 ||
	    ticks_per_half_distance < 1)
		return -EINVAL;
	c.decimals = h->significant_figures;
	if (c.decimals < 0 || c.decimals > 40)
		return -EINVAL;

	errno = 0;
	hgrm_emit(&c, fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
			      "1/(1-Percentile)"));
	err = ipcb_hist_foreach_percentile(h, ticks_per_half_distance, hgrm_line, &c);
	if (err)
		return err;
	if (c.err)
		return c.err;

	ipcb_hdrlog_format_fixed(mean, sizeof(mean), ipcb_hist_mean(h) / value_unit_ratio,
				 c.decimals);
	ipcb_hdrlog_format_fixed(sd, sizeof(sd), ipcb_hist_stddev(h) / value_unit_ratio,
				 c.decimals);
	ipcb_hdrlog_format_fixed(max, sizeof(max), (double)ipcb_hist_max(h) / value_unit_ratio,
				 c.decimals);
	errno = 0;
	hgrm_emit(&c, fprintf(f, "#[Mean    = %12s, StdDeviation   = %12s]\n", mean, sd));
	hgrm_emit(&c, fprintf(f, "#[Max     = %12s, Total count    = %12" PRId64 "]\n", max,
			      ipcb_hist_total(h)));
	hgrm_emit(&c, fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count,
			      h->sub_bucket_count));
	if (!c.err && ferror(f))
		c.err = -EIO;
	return c.err;
}
