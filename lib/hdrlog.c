/* SPDX-License-Identifier: MIT */
/*
 * hdrlog.c - HdrHistogram interval log writer, V2 encoding, and .hgrm output (see hdrlog.h).
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
#include <zlib.h>

#include "outfile.h"

/* Cookie bases: the 0xf0 nibble of a cookie carries a word size and is masked off to compare. */
#define COOKIE_BASE_MASK   (~0xf0u)
#define V2_ENCODING_BASE   0x1c849303u
#define V2_COMPRESSED_BASE 0x1c849304u
#define V1_ENCODING_BASE   0x1c849301u
#define V1_COMPRESSED_BASE 0x1c849302u
#define V0_ENCODING_BASE   0x1c849308u
#define V0_COMPRESSED_BASE 0x1c849309u
#define MAX_VARINT_BYTES   9
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

/* ---------------------------------------------------------------- ZigZag LEB128 */

size_t ipcb_hdrlog_zigzag_put(uint8_t out[9], int64_t value)
{
	/* (v << 1) ^ (v >> 63), in unsigned arithmetic. */
	uint64_t u = ((uint64_t)value << 1) ^ (0 - ((uint64_t)value >> 63));
	size_t n;

	for (n = 0; n < 8; n++) {
		if ((u >> 7) == 0) {
			out[n] = (uint8_t)u;
			return n + 1;
		}
		out[n] = (uint8_t)((u & 0x7f) | 0x80);
		u >>= 7;
	}
	out[8] = (uint8_t)u; /* the 9th byte carries the remaining 8 bits, no continuation bit */
	return 9;
}

int ipcb_hdrlog_zigzag_get(const uint8_t *buf, size_t len, int64_t *value)
{
	uint64_t u = 0;
	size_t n;

	for (n = 0; n < MAX_VARINT_BYTES; n++) {
		uint8_t b;

		if (n >= len || !buf)
			return -EINVAL;
		b = buf[n];
		if (n == 8) {
			u |= (uint64_t)b << 56;
			break;
		}
		u |= (uint64_t)(b & 0x7f) << (7 * n);
		if (!(b & 0x80))
			break;
	}
	if (value)
		*value = (int64_t)((u >> 1) ^ (0 - (u & 1)));
	return (int)n + 1;
}

/* ---------------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ipcb_hdrlog_base64_encode(const void *src, size_t len, char **out)
{
	const uint8_t *p = src;
	size_t groups, i, o = 0;
	char *s;

	if (!out || (!src && len > 0))
		return -EINVAL;
	groups = len / 3 + (len % 3 != 0);
	if (groups > (SIZE_MAX - 1) / 4)
		return -ENOMEM;
	s = malloc(groups * 4 + 1);
	if (!s)
		return -ENOMEM;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = b64_alphabet[(v >> 6) & 63];
		s[o++] = b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = '=';
		s[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = b64_alphabet[(v >> 6) & 63];
		s[o++] = '=';
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ipcb_hdrlog_base64_decode(const char *b64, uint8_t **out, size_t *out_len)
{
	size_t len, chars, pad = 0, i, o = 0, n;
	uint32_t acc = 0;
	int bits = 0;
	uint8_t *d;

	if (!b64 || !out || !out_len)
		return -EINVAL;
	len = strlen(b64);
	while (pad < len && pad < 2 && b64[len - 1 - pad] == '=')
		pad++;
	chars = len - pad;
	/* With padding the text is whole quads; without, a lone char in a quad cannot be. */
	if ((pad && len % 4) || chars % 4 == 1)
		return -EINVAL;
	n = chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0);
	d = malloc(n ? n : 1);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < chars; i++) {
		int v = b64_value(b64[i]);

		if (v < 0) {
			free(d);
			return -EINVAL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits (2 or 4) must be zero in canonical base64. */
	if (acc != 0 || o != n) {
		free(d);
		return -EINVAL;
	}
	*out = d;
	*out_len = n;
	return 0;
}

/* ---------------------------------------------------------------- big-endian fields */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ---------------------------------------------------------------- V2 encoding */

/*
 * The uncompressed V2 encoding of h into a malloc'd buffer. Like Java, the counts stop at the
 * slot of the largest value (at least slot 0, so an empty histogram is one zero count), and a
 * single empty slot is written as count 0, a longer run of n as -n.
 */
static int encode_v2(const struct ipcb_hist *h, uint8_t **out, size_t *out_len)
{
	int32_t limit = 0, i;
	size_t cap, pos = IPCB_HDRLOG_V2_HEADER_BYTES;
	uint64_t ratio_bits;
	double ratio = 1.0;
	uint8_t *b;

	if (h->counts_len < 1)
		return -EINVAL;
	for (i = 0; i < h->counts_len; i++) {
		if (h->counts[i] < 0)
			return -EINVAL;
		if (h->counts[i])
			limit = i + 1;
	}
	if (limit == 0)
		limit = 1;

	cap = IPCB_HDRLOG_V2_HEADER_BYTES + (size_t)limit * MAX_VARINT_BYTES;
	if (cap - IPCB_HDRLOG_V2_HEADER_BYTES > INT32_MAX)
		return -EINVAL;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;

	for (i = 0; i < limit;) {
		int64_t count = h->counts[i++];
		int64_t zeros = 0;

		if (count == 0) {
			zeros = 1;
			while (i < limit && h->counts[i] == 0) {
				zeros++;
				i++;
			}
		}
		pos += ipcb_hdrlog_zigzag_put(b + pos, zeros > 1 ? -zeros : count);
	}

	memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
	put_be32(b + 0, IPCB_HDRLOG_V2_COOKIE);
	put_be32(b + 4, (uint32_t)(pos - IPCB_HDRLOG_V2_HEADER_BYTES));
	put_be32(b + 8, 0); /* normalizing index offset */
	put_be32(b + 12, (uint32_t)h->significant_figures);
	put_be64(b + 16, (uint64_t)h->lowest_trackable_value);
	put_be64(b + 24, (uint64_t)h->highest_trackable_value);
	put_be64(b + 32, ratio_bits);
	*out = b;
	*out_len = pos;
	return 0;
}

int ipcb_hdrlog_encode(const struct ipcb_hist *h, char **out_b64)
{
	uint8_t *raw = NULL, *comp;
	size_t raw_len = 0;
	uLongf comp_len;
	int err, zerr;

	if (!h || !out_b64)
		return -EINVAL;
	err = encode_v2(h, &raw, &raw_len);
	if (err)
		return err;

	comp_len = compressBound((uLong)raw_len);
	comp = malloc(IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES + comp_len);
	if (!comp) {
		free(raw);
		return -ENOMEM;
	}
	/* compress2() writes the zlib wrapper (RFC 1950), which Java's default Inflater expects. */
	zerr = compress2(comp + IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES, &comp_len, raw,
			 (uLong)raw_len, Z_DEFAULT_COMPRESSION);
	free(raw);
	if (zerr != Z_OK || comp_len > INT32_MAX) {
		free(comp);
		return zerr == Z_MEM_ERROR ? -ENOMEM : -EIO;
	}
	put_be32(comp, IPCB_HDRLOG_V2_COMPRESSED_COOKIE);
	put_be32(comp + 4, (uint32_t)comp_len);
	err = ipcb_hdrlog_base64_encode(comp, IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES + comp_len,
					out_b64);
	free(comp);
	return err;
}

/* Inflate exactly n bytes into dst: 0, -EINVAL (stream ends early or is corrupt), -ENOMEM. */
static int inflate_exact(z_stream *zs, uint8_t *dst, size_t n)
{
	zs->next_out = dst;
	zs->avail_out = (uInt)n;
	while (zs->avail_out > 0) {
		int zerr = inflate(zs, Z_NO_FLUSH);

		if (zerr == Z_MEM_ERROR)
			return -ENOMEM;
		if (zerr == Z_STREAM_END && zs->avail_out > 0)
			return -EINVAL;
		if (zerr != Z_OK && zerr != Z_STREAM_END)
			return -EINVAL; /* Z_DATA_ERROR, or Z_BUF_ERROR: input ran out */
	}
	return 0;
}

static int decode_counts(struct ipcb_hist *h, const uint8_t *p, size_t len)
{
	int64_t index = 0, total = 0;
	int32_t first = -1, last = -1;
	size_t pos = 0;

	while (pos < len) {
		int64_t v;
		int n = ipcb_hdrlog_zigzag_get(p + pos, len - pos, &v);

		if (n < 0)
			return n;
		pos += (size_t)n;
		if (v < 0) {
			if (v == INT64_MIN || -v > h->counts_len - index)
				return -EINVAL;
			index += -v;
			continue;
		}
		if (index >= h->counts_len)
			return -EINVAL;
		if (v > 0) {
			if (v > INT64_MAX - total)
				return -EINVAL;
			total += v;
			h->counts[index] = v;
			if (first < 0)
				first = (int32_t)index;
			last = (int32_t)index;
		}
		index++;
	}
	h->total_count = total;
	if (first >= 0) {
		h->min_value = ipcb_hist_value_at_index(h, first);
		h->max_value = ipcb_hist_value_at_index(h, last);
	}
	return 0;
}

static int decode_v2(z_stream *zs, struct ipcb_hist **out)
{
	uint8_t hdr[IPCB_HDRLOG_V2_HEADER_BYTES], *payload;
	uint32_t cookie, base;
	int32_t payload_len, offset, sig;
	int64_t lowest, highest;
	struct ipcb_hist *h = NULL;
	int err;

	err = inflate_exact(zs, hdr, sizeof(hdr));
	if (err)
		return err;
	cookie = get_be32(hdr);
	base = cookie & COOKIE_BASE_MASK;
	if (base == V1_ENCODING_BASE || base == V0_ENCODING_BASE)
		return -ENOTSUP;
	if (base != V2_ENCODING_BASE)
		return -EINVAL;
	payload_len = (int32_t)get_be32(hdr + 4);
	offset = (int32_t)get_be32(hdr + 8);
	sig = (int32_t)get_be32(hdr + 12);
	lowest = (int64_t)get_be64(hdr + 16);
	highest = (int64_t)get_be64(hdr + 24);
	if (offset != 0)
		return -ENOTSUP;
	if (payload_len < 0)
		return -EINVAL;

	err = ipcb_hist_create(lowest, highest, sig, &h);
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	/* Every varint advances at least one slot, so a longer payload cannot be ours to read. */
	if ((int64_t)payload_len > (int64_t)h->counts_len * MAX_VARINT_BYTES) {
		ipcb_hist_destroy(h);
		return -EINVAL;
	}
	payload = malloc(payload_len ? (size_t)payload_len : 1);
	if (!payload) {
		ipcb_hist_destroy(h);
		return -ENOMEM;
	}
	err = inflate_exact(zs, payload, (size_t)payload_len);
	if (!err)
		err = decode_counts(h, payload, (size_t)payload_len);
	free(payload);
	if (err) {
		ipcb_hist_destroy(h);
		return err;
	}
	*out = h;
	return 0;
}

int ipcb_hdrlog_decode(const char *b64, struct ipcb_hist **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	uint32_t base;
	int64_t clen;
	z_stream zs;
	int err;

	if (!b64 || !out)
		return -EINVAL;
	err = ipcb_hdrlog_base64_decode(b64, &buf, &len);
	if (err)
		return err;
	if (len < IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES) {
		free(buf);
		return -EINVAL;
	}
	base = get_be32(buf) & COOKIE_BASE_MASK;
	clen = (int32_t)get_be32(buf + 4);
	if (base != V2_COMPRESSED_BASE) {
		free(buf);
		return (base == V1_COMPRESSED_BASE || base == V0_COMPRESSED_BASE) ? -ENOTSUP
										  : -EINVAL;
	}
	if (clen < 0 || (uint64_t)clen > len - IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES) {
		free(buf);
		return -EINVAL;
	}

	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK) {
		free(buf);
		return -ENOMEM;
	}
	zs.next_in = buf + IPCB_HDRLOG_V2_COMPRESSED_HEADER_BYTES;
	zs.avail_in = (uInt)clen;
	err = decode_v2(&zs, out);
	inflateEnd(&zs);
	free(buf);
	return err;
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
