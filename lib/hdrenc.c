/* SPDX-License-Identifier: MIT */
/*
 * hdrenc.c - HdrHistogram's V2 histogram encoding: ZigZag varints, base64, and the compressed
 * V2 encoding both ways (see hdrlog.h).
 *
 * Apart from hdrlog.c because it is a codec, not a file format: it turns a histogram into the
 * base64 text of one log line and back, knows nothing of logs or .hgrm files, and is the only
 * code here that needs zlib. The log writer (hdrlog.c) calls ipcb_hdrlog_encode(), and nothing
 * here calls the writer. Checked against Java HdrHistogram 2.1.11's reader by
 * tests/hdrlog/java_check.sh.
 */
#include "hdrlog.h"
#include "hist.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Cookie bases: the 0xf0 nibble of a cookie carries a word size and is masked off to compare. */
#define COOKIE_BASE_MASK   (~0xf0u)
#define V2_ENCODING_BASE   0x1c849303u
#define V2_COMPRESSED_BASE 0x1c849304u
#define V1_ENCODING_BASE   0x1c849301u
#define V1_COMPRESSED_BASE 0x1c849302u
#define V0_ENCODING_BASE   0x1c849308u
#define V0_COMPRESSED_BASE 0x1c849309u
#define MAX_VARINT_BYTES   9

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
