/* SPDX-License-Identifier: MIT */
/*
 * test_hdrlog.c - HdrHistogram log writer, V2 encoding and .hgrm output (lib/hdrlog.c, hdrenc.c).
 *
 * Known vectors: base64 from RFC 4648; ZigZag varints, one V2 encoding, Formatter %.Nf outputs
 * and two .hgrm texts were produced by Java HdrHistogram 2.1.11 (Debian's libhdrhistogram-java)
 * on OpenJDK 17, so these tests hold the C code to Java's bytes even where no JVM is installed.
 * tests/hdrlog/java_check.sh checks the other direction, Java reading our logs.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hdrlog.h"
#include "hist.h"
#include "../tap.h"
#include "hist_test.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ------------------------------------------------------------------ base64 */

static void test_base64(void)
{
	static const struct {
		const char *plain, *b64;
	} rfc[] = {
	    {"", ""},
	    {"f", "Zg=="},
	    {"fo", "Zm8="},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg=="},
	    {"fooba", "Zm9vYmE="},
	    {"foobar", "Zm9vYmFy"},
	};
	static const uint8_t bin[] = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
	static const char *const bad[] = {"Z",	  "Zg=",  "Zg===", "=Zg=", "Zm9v\n",  "Zm-v",
					  "Zm9 ", "Zh==", "Zm9=",  "Zm=v", "Zg==Zg=="};
	size_t i;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		char *enc = NULL;
		uint8_t *dec = NULL;
		size_t n = 99;
		int e1 = ipcb_hdrlog_base64_encode(rfc[i].plain, strlen(rfc[i].plain), &enc);
		int e2 = ipcb_hdrlog_base64_decode(rfc[i].b64, &dec, &n);

		ok(e1 == 0 && enc && !strcmp(enc, rfc[i].b64),
		   "base64 encode \"%s\" = \"%s\" (got %s)", rfc[i].plain, rfc[i].b64,
		   enc ? enc : "NULL");
		ok(e2 == 0 && dec && n == strlen(rfc[i].plain) && !memcmp(dec, rfc[i].plain, n),
		   "base64 decode \"%s\"", rfc[i].b64);
		free(enc);
		free(dec);
	}
	{
		char *enc = NULL;
		uint8_t *dec = NULL;
		size_t n = 0;

		ok(ipcb_hdrlog_base64_encode(bin, sizeof(bin), &enc) == 0 && enc &&
		       !strcmp(enc, "+/+/ABCD"),
		   "base64 uses '+' and '/' (got %s)", enc ? enc : "NULL");
		ok(ipcb_hdrlog_base64_decode("+/+/ABCD", &dec, &n) == 0 && n == sizeof(bin) &&
		       !memcmp(dec, bin, n),
		   "base64 decodes '+' and '/'");
		free(enc);
		free(dec);
		dec = NULL;
		ok(ipcb_hdrlog_base64_decode("Zm8", &dec, &n) == 0 && n == 2 &&
		       !memcmp(dec, "fo", 2),
		   "base64 decode accepts missing padding");
		free(dec);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *dec = NULL;
		size_t n = 0;

		char shown[16];
		size_t k;

		for (k = 0; bad[i][k] && k < sizeof(shown) - 1; k++)
			shown[k] = (bad[i][k] == '\n') ? '|' : bad[i][k];
		shown[k] = '\0';
		ok_eq(ipcb_hdrlog_base64_decode(bad[i], &dec, &n), -EINVAL,
		      "base64 decode rejects \"%s\" ('|' = newline)", shown);
		ok(dec == NULL, "  and leaves *out alone");
	}
	ok_eq(ipcb_hdrlog_base64_encode(NULL, 1, &(char *){NULL}), -EINVAL,
	      "base64 encode NULL src");
}

/* ------------------------------------------------------------------ ZigZag varints */

static void test_zigzag(void)
{
	/* Bytes from org.HdrHistogram.ZigZagEncoding.putLong (2.1.11). */
	static const struct {
		int64_t v;
		size_t n;
		uint8_t b[9];
	} vec[] = {
	    {0, 1, {0x00}},
	    {1, 1, {0x02}},
	    {-1, 1, {0x01}},
	    {63, 1, {0x7e}},
	    {64, 2, {0x80, 0x01}},
	    {-64, 1, {0x7f}},
	    {-65, 2, {0x81, 0x01}},
	    {8191, 2, {0xfe, 0x7f}},
	    {8192, 3, {0x80, 0x80, 0x01}},
	    {-8192, 2, {0xff, 0x7f}},
	    {INT64_C(1) << 62, 9, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}},
	    {-(INT64_C(1) << 62), 9, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
	    {INT64_MAX, 9, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	    {INT64_MIN, 9, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	    {(INT64_C(1) << 56) - 1, 9, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	    {INT64_C(1) << 55, 9, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
	};
	size_t i;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		uint8_t b[9];
		int64_t back = 12345;
		size_t n = ipcb_hdrlog_zigzag_put(b, vec[i].v);
		int got;

		ok(n == vec[i].n && !memcmp(b, vec[i].b, n), "zigzag put %lld: %zu bytes as Java",
		   (long long)vec[i].v, vec[i].n);
		got = ipcb_hdrlog_zigzag_get(vec[i].b, vec[i].n, &back);
		ok(got == (int)vec[i].n && back == vec[i].v, "zigzag get %lld (got %d bytes, %lld)",
		   (long long)vec[i].v, got, (long long)back);
		if (vec[i].n > 1)
			ok_eq(ipcb_hdrlog_zigzag_get(vec[i].b, vec[i].n - 1, &back), -EINVAL,
			      "zigzag get of truncated %lld", (long long)vec[i].v);
	}
	{
		/* A varint stops at the first byte without the continuation bit, even mid-buffer.
		 */
		static const uint8_t two[] = {0x80, 0x01, 0x7e};
		int64_t v = 0;

		ok(ipcb_hdrlog_zigzag_get(two, sizeof(two), &v) == 2 && v == 64,
		   "zigzag get stops at the end of the varint");
		ok_eq(ipcb_hdrlog_zigzag_get(two, 0, &v), -EINVAL, "zigzag get of nothing");
	}
}

/* ------------------------------------------------------------------ Java %.Nf */

static void test_format(void)
{
	/* String.format(Locale.US, "%.<d>f", x) as printed by OpenJDK 17. */
	static const struct {
		double x;
		int d;
		const char *want;
	} vec[] = {
	    {0.125, 2, "0.13"}, /* printf: 0.12 */
	    {1.005, 2, "1.01"}, /* printf: 1.00 (the double is below 1.005) */
	    {2.675, 2, "2.68"},
	    {0.125, 0, "0"},
	    {1e-5, 3, "0.000"},
	    {0.0005, 3, "0.001"},
	    {0.0004, 3, "0.000"},
	    {1234.5675, 3, "1234.568"},
	    {0.5, 0, "1"},
	    {2.5, 0, "3"},
	    {1.5, 2, "1.50"},
	    {-0.0, 3, "-0.000"},
	    {1e22, 2, "10000000000000000000000.00"},
	    {123456789012.5, 0, "123456789013"},
	    {9.9996, 3, "10.000"},
	    {1e-5, 12, "0.000010000000"},
	    {0.8875, 12, "0.887500000000"},
	    {123456.0, 3, "123456.000"},
	    {-2.5, 0, "-3"},
	    {INFINITY, 2, "Infinity"},
	    {NAN, 2, "NaN"},
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		int n = ipcb_hdrlog_format_fixed(buf, sizeof(buf), vec[i].x, vec[i].d);

		ok(n == (int)strlen(vec[i].want) && !strcmp(buf, vec[i].want),
		   "format %.17g with %d decimals = %s (got %s)", vec[i].x, vec[i].d, vec[i].want,
		   buf);
	}
	ok(ipcb_hdrlog_format_fixed(buf, 4, 1234.5, 1) == 6 && !strcmp(buf, "123"),
	   "format truncates like snprintf and returns the full length");
	ok_eq(ipcb_hdrlog_format_fixed(buf, sizeof(buf), 1.0, 41), -EINVAL, "format decimals > 40");
	ok_eq(ipcb_hdrlog_format_fixed(NULL, 8, 1.0, 1), -EINVAL, "format NULL buffer");
}

/* ------------------------------------------------------------------ V2 encoding */

/* base64 -> compressed envelope -> inflated V2 encoding, for looking at the bytes. */
static int unwrap(const char *b64, uint8_t **comp, size_t *comp_len, uint8_t **raw, size_t *raw_len)
{
	uLongf cap = 1 << 20;

	if (ipcb_hdrlog_base64_decode(b64, comp, comp_len) || *comp_len < 8)
		return -1;
	*raw = malloc(cap);
	if (uncompress(*raw, &cap, *comp + 8, (uLong)(*comp_len - 8)) != Z_OK)
		return -1;
	*raw_len = cap;
	return 0;
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static bool same_hist(const struct ipcb_hist *a, const struct ipcb_hist *b)
{
	return a->lowest_trackable_value == b->lowest_trackable_value &&
	       a->highest_trackable_value == b->highest_trackable_value &&
	       a->significant_figures == b->significant_figures && a->counts_len == b->counts_len &&
	       a->total_count == b->total_count &&
	       !memcmp(a->counts, b->counts, (size_t)a->counts_len * sizeof(a->counts[0])) &&
	       ipcb_hist_max(a) == ipcb_hist_max(b) && ipcb_hist_min(a) == ipcb_hist_min(b);
}

static void java_vector_hist(struct ipcb_hist *h)
{
	ipcb_hist_record(h, 0);
	ipcb_hist_record(h, 1);
	ipcb_hist_record_n(h, 3, 2);
	ipcb_hist_record(h, 1000);
	ipcb_hist_record(h, 123456789);
	ipcb_hist_record_n(h, 2000000000, 5);
}

static void test_java_vector(void)
{
	/*
	 * new Histogram(1, 3600e9, 3) with 0, 1, 3 x2, 1000, 123456789, 2e9 x5: Java's
	 * encodeIntoByteBuffer() bytes and encodeIntoCompressedByteBuffer() in base64.
	 */
	static const char java_b64[] =
	    "HISTFAAAAC94nJNpmSzMwMDAxwABzFCaEch0M9ixgMH+A0SAiYmB5Tg/0+NeJqa1DlwAocoHpA==";
	static const char java_raw_hex[] =
	    "1c8493130000000e000000000000000300000000000000010000034630b8a000"
	    "3ff000000000000002020004c70f02e38d0202ad400a";
	struct ipcb_hist *h = make(1, HOUR_NS, 3), *d = NULL;
	uint8_t *comp = NULL, *raw = NULL, want[64];
	size_t comp_len = 0, raw_len = 0, i, want_len = strlen(java_raw_hex) / 2;
	char *b64 = NULL;

	for (i = 0; i < want_len; i++)
		sscanf(java_raw_hex + 2 * i, "%2hhx", &want[i]);
	java_vector_hist(h);
	ok_eq(ipcb_hdrlog_encode(h, &b64), 0, "encode the Java vector histogram");
	ok(b64 && unwrap(b64, &comp, &comp_len, &raw, &raw_len) == 0, "our output unwraps");
	ok(raw_len == want_len && !memcmp(raw, want, want_len),
	   "V2 encoding is byte for byte Java's (%zu bytes)", want_len);
	/* Same deflate library and level usually give the same bytes; not a format promise. */
	if (b64 && strcmp(b64, java_b64))
		tap_diag("compressed base64 differs from Java's (zlib version?): %s", b64);
	ok_eq(ipcb_hdrlog_decode(java_b64, &d), 0, "decode Java's base64");
	ok(d && same_hist(h, d), "Java's histogram decodes to the same counts, total, min, max");
	free(b64);
	free(comp);
	free(raw);
	ipcb_hist_destroy(d);
	ipcb_hist_destroy(h);
}

static void test_header_fields(void)
{
	struct ipcb_hist *h = make(1000, 60 * INT64_C(1000000000), 2);
	uint8_t *comp = NULL, *raw = NULL;
	size_t comp_len = 0, raw_len = 0;
	char *b64 = NULL;

	ipcb_hist_record(h, 1500);
	ipcb_hist_record_n(h, 2500, 3);
	ipcb_hdrlog_encode(h, &b64);
	ok(b64 && !strncmp(b64, "HISTFAAA", 8), "base64 starts HISTFAAA (cookie 0x1c849314)");
	ok(b64 && unwrap(b64, &comp, &comp_len, &raw, &raw_len) == 0, "unwraps");
	if (comp_len >= 8 && raw_len >= 40) {
		int32_t sig;

		ok_eq(be(comp, 4), 0x1c849314, "compressed cookie at offset 0");
		ok_eq(be(comp + 4, 4), comp_len - 8, "compressed length at offset 4");
		ok_eq(comp[8] & 0x0f, 8, "zlib header (deflate, RFC 1950) at offset 8");
		ok_eq(be(raw, 4), 0x1c849313, "V2 cookie at offset 0");
		ok_eq(be(raw + 4, 4), raw_len - 40, "payload length at offset 4");
		ok_eq(be(raw + 8, 4), 0, "normalizing index offset 0 at offset 8");
		sig = (int32_t)be(raw + 12, 4);
		ok_eq(sig, 2, "significant figures at offset 12");
		ok_eq(be(raw + 16, 8), 1000, "lowest trackable at offset 16");
		ok_eq(be(raw + 24, 8), 60 * INT64_C(1000000000), "highest trackable at offset 24");
		ok(be(raw + 32, 8) == UINT64_C(0x3ff0000000000000),
		   "conversion ratio 1.0 (IEEE big-endian) at offset 32");
	}
	free(b64);
	free(comp);
	free(raw);
	ipcb_hist_destroy(h);
}

/* The payload bytes (after the 40-byte header) of h's encoding. */
static bool payload_is(const struct ipcb_hist *h, const uint8_t *want, size_t n)
{
	uint8_t *comp = NULL, *raw = NULL;
	size_t comp_len = 0, raw_len = 0;
	char *b64 = NULL;
	bool same;

	ipcb_hdrlog_encode(h, &b64);
	same = b64 && unwrap(b64, &comp, &comp_len, &raw, &raw_len) == 0 && raw_len == 40 + n &&
	       !memcmp(raw + 40, want, n);
	free(b64);
	free(comp);
	free(raw);
	return same;
}

static void test_payloads(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	static const uint8_t empty[] = {0x00};
	static const uint8_t sparse[] = {0x00, 0x02, 0x00, 0x04}; /* 0, 1, 0, 2 */
	static const uint8_t run[] = {0x13, 0x02};		  /* -10 zeros, 1 */
	static const uint8_t zero_only[] = {0x06};		  /* 3 at index 0 */

	ok(payload_is(h, empty, sizeof(empty)), "empty histogram: one zero count");
	ipcb_hist_record(h, 1);
	ipcb_hist_record_n(h, 3, 2);
	ok(payload_is(h, sparse, sizeof(sparse)), "single empty slots are written as count 0");
	ipcb_hist_reset(h);
	ipcb_hist_record(h, 10);
	ok(payload_is(h, run, sizeof(run)), "a run of 10 empty slots is written as -10");
	ipcb_hist_reset(h);
	ipcb_hist_record_n(h, 0, 3);
	ok(payload_is(h, zero_only, sizeof(zero_only)), "only zeros recorded: one slot");
	h->counts[5] = -1;
	ok_eq(ipcb_hdrlog_encode(h, &(char *){NULL}), -EINVAL, "a negative count is refused");
	ipcb_hist_destroy(h);
}

static void check_round_trip(const struct ipcb_hist *h, const char *what)
{
	struct ipcb_hist *d = NULL;
	char *b64 = NULL;
	int e1 = ipcb_hdrlog_encode(h, &b64), e2 = -1;

	if (!e1)
		e2 = ipcb_hdrlog_decode(b64, &d);
	ok(!e1 && !e2 && d && same_hist(h, d), "round trip: %s (%d, %d)", what, e1, e2);
	free(b64);
	ipcb_hist_destroy(d);
}

static void test_round_trips(void)
{
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	int i;

	check_round_trip(h, "empty");
	ipcb_hist_record(h, 777);
	check_round_trip(h, "one value");
	ipcb_hist_reset(h);
	ipcb_hist_record(h, 0);
	check_round_trip(h, "one zero");
	ipcb_hist_reset(h);
	for (i = 0; i < 200000; i++) {
		/* log-uniform over 1 ns .. 1 hour */
		double e = (double)(rng() % 1000000) / 1000000.0 * log(3.6e12);

		ipcb_hist_record(h, (int64_t)exp(e));
	}
	ipcb_hist_record(h, HOUR_NS);
	check_round_trip(h, "200000 values across 1 ns .. 1 hour");
	ipcb_hist_reset(h);
	ipcb_hist_record_n(h, 1, INT64_MAX / 4);
	ipcb_hist_record_n(h, 1000000, INT64_MAX / 4);
	ipcb_hist_record_n(h, HOUR_NS, INT64_MAX / 4);
	check_round_trip(h, "huge counts (2^61 each, 9-byte varints)");
	/* The last slot of the layout lies above highest_trackable_value; Java can fill it. */
	h->counts[h->counts_len - 1] = 5;
	h->total_count += 5;
	h->max_value = ipcb_hist_value_at_index(h, h->counts_len - 1);
	check_round_trip(h, "a count in the layout's last slot");
	ipcb_hist_destroy(h);

	h = make(1000, 60 * INT64_C(1000000000), 2);
	for (i = 0; i < 5000; i++)
		ipcb_hist_record(h, 1000 + (int64_t)(rng() % 60000000000));
	check_round_trip(h, "lowest 1000, 2 significant figures");
	ipcb_hist_destroy(h);

	h = make(1, 10000000, 5);
	for (i = 0; i < 5000; i++)
		ipcb_hist_record(h, (int64_t)(rng() % 10000000));
	check_round_trip(h, "5 significant figures");
	ipcb_hist_destroy(h);

	h = make(1, INT64_MAX, 1);
	ipcb_hist_record(h, INT64_MAX);
	ipcb_hist_record(h, 3);
	check_round_trip(h, "highest INT64_MAX, 1 significant figure");
	ipcb_hist_destroy(h);
}

/* Re-wrap a modified V2 encoding (raw) into compressed base64. */
static char *wrap(const uint8_t *raw, size_t raw_len, uint32_t cookie)
{
	uLongf cap = compressBound((uLong)raw_len);
	uint8_t *comp = malloc(8 + cap);
	char *b64 = NULL;

	compress2(comp + 8, &cap, raw, (uLong)raw_len, Z_DEFAULT_COMPRESSION);
	comp[0] = (uint8_t)(cookie >> 24);
	comp[1] = (uint8_t)(cookie >> 16);
	comp[2] = (uint8_t)(cookie >> 8);
	comp[3] = (uint8_t)cookie;
	comp[4] = (uint8_t)(cap >> 24);
	comp[5] = (uint8_t)(cap >> 16);
	comp[6] = (uint8_t)(cap >> 8);
	comp[7] = (uint8_t)cap;
	ipcb_hdrlog_base64_encode(comp, 8 + cap, &b64);
	free(comp);
	return b64;
}

static int decode_modified(const uint8_t *raw, size_t raw_len, size_t at, uint8_t byte,
			   uint32_t cookie)
{
	uint8_t *copy = malloc(raw_len + 16);
	struct ipcb_hist *d = NULL;
	char *b64;
	int err;

	memcpy(copy, raw, raw_len);
	if (at < raw_len)
		copy[at] = byte;
	b64 = wrap(copy, raw_len, cookie);
	err = ipcb_hdrlog_decode(b64, &d);
	ipcb_hist_destroy(d);
	free(b64);
	free(copy);
	return err;
}

static void test_decode_errors(void)
{
	struct ipcb_hist *h = make(1, 1000000, 3), *d = NULL;
	uint8_t *comp = NULL, *raw = NULL;
	size_t comp_len = 0, raw_len = 0;
	char *b64 = NULL, *cut;

	ipcb_hist_record(h, 5);
	ipcb_hist_record(h, 999999);
	ipcb_hdrlog_encode(h, &b64);
	unwrap(b64, &comp, &comp_len, &raw, &raw_len);

	ok_eq(decode_modified(raw, raw_len, SIZE_MAX, 0, 0x1c849314), 0, "re-wrapped copy decodes");
	ok_eq(decode_modified(raw, raw_len, SIZE_MAX, 0, 0x1c849304), 0,
	      "compressed cookie without the word-size nibble is accepted (as Java)");
	ok_eq(decode_modified(raw, raw_len, SIZE_MAX, 0, 0x1c849302), -ENOTSUP,
	      "V1 compressed cookie: -ENOTSUP");
	ok_eq(decode_modified(raw, raw_len, SIZE_MAX, 0, 0x12345678), -EINVAL,
	      "unknown compressed cookie: -EINVAL");
	ok_eq(decode_modified(raw, raw_len, 3, 0x01, 0x1c849314), -ENOTSUP,
	      "V1 encoding cookie inside: -ENOTSUP");
	ok_eq(decode_modified(raw, raw_len, 0, 0x00, 0x1c849314), -EINVAL,
	      "bad encoding cookie inside: -EINVAL");
	ok_eq(decode_modified(raw, raw_len, 11, 0x01, 0x1c849314), -ENOTSUP,
	      "non-zero normalizing offset: -ENOTSUP");
	ok_eq(decode_modified(raw, raw_len, 15, 0x07, 0x1c849314), -EINVAL,
	      "7 significant figures: -EINVAL");
	ok_eq(decode_modified(raw, raw_len, 7, (uint8_t)(raw[7] + 1), 0x1c849314), -EINVAL,
	      "payload length beyond the stream: -EINVAL");
	{
		/* Hand-made payloads after the real header (counts_len is 11264 here). */
		static const struct {
			uint8_t p[8];
			size_t n;
			int want;
			const char *what;
		} pl[] = {
		    {{0xff, 0xaf, 0x01, 0x02}, 4, -EINVAL, "a count past counts[] (-11264, 1)"},
		    {{0x81, 0xb0, 0x01}, 3, -EINVAL, "a zero run past counts[] (-11265)"},
		    {{0xff, 0xaf, 0x01}, 3, 0, "a zero run up to the end of counts[]"},
		    {{0x02, 0x80}, 2, -EINVAL, "a truncated varint"},
		    {{0x01}, 1, 0, "a zero run of 1 (-1)"},
		    {{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		     8,
		     -EINVAL,
		     "an unterminated 8-byte varint"},
		};
		uint8_t buf[64];
		size_t k;

		for (k = 0; k < sizeof(pl) / sizeof(pl[0]); k++) {
			memcpy(buf, raw, 40);
			buf[4] = buf[5] = buf[6] = 0;
			buf[7] = (uint8_t)pl[k].n;
			memcpy(buf + 40, pl[k].p, pl[k].n);
			ok_eq(decode_modified(buf, 40 + pl[k].n, SIZE_MAX, 0, 0x1c849314),
			      pl[k].want, "payload with %s", pl[k].what);
		}
		/* Two counts of INT64_MAX / 2 + 1 overflow the total. */
		memcpy(buf, raw, 40);
		k = 40;
		k += ipcb_hdrlog_zigzag_put(buf + k, INT64_MAX / 2 + 1);
		k += ipcb_hdrlog_zigzag_put(buf + k, INT64_MAX / 2 + 1);
		buf[7] = (uint8_t)(k - 40);
		ok_eq(decode_modified(buf, k, SIZE_MAX, 0, 0x1c849314), -EINVAL,
		      "counts whose total overflows: -EINVAL");
	}

	cut = strdup(b64);
	cut[strlen(cut) - 8] = '\0';
	ok_eq(ipcb_hdrlog_decode(cut, &d), -EINVAL, "truncated base64: -EINVAL");
	ok_eq(ipcb_hdrlog_decode("HISTFAAA", &d), -EINVAL, "envelope only: -EINVAL");
	ok_eq(ipcb_hdrlog_decode("not base64!", &d), -EINVAL, "garbage: -EINVAL");
	ok_eq(ipcb_hdrlog_decode("", &d), -EINVAL, "empty string: -EINVAL");
	ok_eq(ipcb_hdrlog_decode(NULL, &d), -EINVAL, "NULL string: -EINVAL");
	ok_eq(ipcb_hdrlog_decode(b64, NULL), -EINVAL, "NULL out: -EINVAL");
	ok(d == NULL, "failed decodes leave *out alone");
	ok_eq(ipcb_hdrlog_encode(NULL, &cut), -EINVAL, "encode NULL histogram: -EINVAL");
	free(cut);
	free(b64);
	free(comp);
	free(raw);
	ipcb_hist_destroy(h);
}

/* ------------------------------------------------------------------ .hgrm */

static char *hgrm_text(const struct ipcb_hist *h, double ratio, int ticks, int *err)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	*err = ipcb_hgrm_write(f, h, ratio, ticks);
	fclose(f);
	return text;
}

static void test_hgrm(void)
{
	/* Java: 1001, 2002, ... 7007 and 3500000 in Histogram(1, 3600e9, 3), ticks 5, ratio 1000.
	 */
	static const char want1[] = "       Value     Percentile TotalCount 1/(1-Percentile)\n"
				    "\n"
				    "       1.001 0.000000000000          1           1.00\n"
				    "       1.001 0.100000000000          1           1.11\n"
				    "       2.002 0.200000000000          2           1.25\n"
				    "       3.003 0.300000000000          3           1.43\n"
				    "       4.005 0.400000000000          4           1.67\n"
				    "       4.005 0.500000000000          4           2.00\n"
				    "       5.007 0.550000000000          5           2.22\n"
				    "       5.007 0.600000000000          5           2.50\n"
				    "       6.007 0.650000000000          6           2.86\n"
				    "       6.007 0.700000000000          6           3.33\n"
				    "       6.007 0.750000000000          6           4.00\n"
				    "       7.007 0.775000000000          7           4.44\n"
				    "       7.007 0.800000000000          7           5.00\n"
				    "       7.007 0.825000000000          7           5.71\n"
				    "       7.007 0.850000000000          7           6.67\n"
				    "       7.007 0.875000000000          7           8.00\n"
				    "    3500.031 0.887500000000          8           8.89\n"
				    "    3500.031 1.000000000000          8\n"
				    "#[Mean    =      440.880, StdDeviation   =     1155.865]\n"
				    "#[Max     =     3500.031, Total count    =            8]\n"
				    "#[Buckets =           32, SubBuckets     =         2048]\n";
	/* Java: 0, 5 x3, 999999 in Histogram(1, 1000000, 1), ticks 2, ratio 1. */
	static const char want2[] = "       Value     Percentile TotalCount 1/(1-Percentile)\n"
				    "\n"
				    "         0.0 0.000000000000          1           1.00\n"
				    "         5.0 0.250000000000          4           1.33\n"
				    "         5.0 0.500000000000          4           2.00\n"
				    "         5.0 0.625000000000          4           2.67\n"
				    "         5.0 0.750000000000          4           4.00\n"
				    "   1015807.0 0.812500000000          5           5.33\n"
				    "   1015807.0 1.000000000000          5\n"
				    "#[Mean    =     199887.8, StdDeviation   =     399768.1]\n"
				    "#[Max     =    1015807.0, Total count    =            5]\n"
				    "#[Buckets =           16, SubBuckets     =           32]\n";
	/* Java: empty Histogram(1000, 60e9, 2), ratio 1. */
	static const char want3[] = "       Value     Percentile TotalCount 1/(1-Percentile)\n"
				    "\n"
				    "#[Mean    =         0.00, StdDeviation   =         0.00]\n"
				    "#[Max     =         0.00, Total count    =            0]\n"
				    "#[Buckets =           20, SubBuckets     =          256]\n";
	struct ipcb_hist *h = make(1, HOUR_NS, 3);
	char *text;
	int i, err;

	for (i = 1; i <= 7; i++)
		ipcb_hist_record(h, i * 1000 + i);
	ipcb_hist_record(h, 3500000);
	text = hgrm_text(h, 1000.0, 5, &err);
	ok(err == 0 && text && !strcmp(text, want1), ".hgrm is Java's (ratio 1000, 3 digits)");
	if (text && strcmp(text, want1))
		tap_diag("got:\n%s", text);
	free(text);
	ipcb_hist_destroy(h);

	h = make(1, 1000000, 1);
	ipcb_hist_record(h, 0);
	ipcb_hist_record_n(h, 5, 3);
	ipcb_hist_record(h, 999999);
	text = hgrm_text(h, 1.0, 2, &err);
	ok(err == 0 && text && !strcmp(text, want2), ".hgrm is Java's (1 digit, ticks 2, a zero)");
	if (text && strcmp(text, want2))
		tap_diag("got:\n%s", text);
	free(text);
	ipcb_hist_destroy(h);

	h = make(1000, 60 * INT64_C(1000000000), 2);
	text = hgrm_text(h, 1.0, 5, &err);
	ok(err == 0 && text && !strcmp(text, want3), ".hgrm of an empty histogram is Java's");
	free(text);
	ok_eq(ipcb_hgrm_write(stdout, h, 0.0, 5), -EINVAL, "hgrm ratio 0: -EINVAL");
	ok_eq(ipcb_hgrm_write(stdout, h, NAN, 5), -EINVAL, "hgrm ratio NaN: -EINVAL");
	ok_eq(ipcb_hgrm_write(stdout, h, 1.0, 0), -EINVAL, "hgrm ticks 0: -EINVAL");
	ok_eq(ipcb_hgrm_write(NULL, h, 1.0, 5), -EINVAL, "hgrm NULL file: -EINVAL");
	ok_eq(ipcb_hgrm_write(stdout, NULL, 1.0, 5), -EINVAL, "hgrm NULL histogram: -EINVAL");
	{
		FILE *full = fopen("/dev/full", "w");

		if (full) {
			int e;

			setvbuf(full, NULL, _IONBF, 0);
			ipcb_hist_record(h, 5000);
			e = ipcb_hgrm_write(full, h, 1.0, 5);
			ok_eq(e, -ENOSPC, "hgrm to a full disk: -ENOSPC");
			fclose(full);
		}
	}
	ipcb_hist_destroy(h);
}

/* ------------------------------------------------------------------ log file */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void test_log_file(void)
{
	char dir[] = "/tmp/test_hdrlog.XXXXXX", path[128];
	struct ipcb_hist *a = make(1, HOUR_NS, 3), *b = make(1, HOUR_NS, 3), *d = NULL;
	struct ipcb_hdrlog *log = NULL;
	char *text, *line, *save = NULL, *lines[8] = {0};
	int n = 0, err;

	setenv("TZ", "UTC", 1);
	tzset();
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/run.hlog", dir);
	ipcb_hist_record_n(a, 1000, 10);
	ipcb_hist_record(a, 123456);
	java_vector_hist(b);

	err = ipcb_hdrlog_open(path, 1700000000.123, &log);
	ok_eq(err, 0, "open a log");
	ok_eq(ipcb_hdrlog_write(log, "shm tcp,x\ty\xc3\xa9/1", 0.0, 1.0, a), 0, "write tagged");
	ok_eq(ipcb_hdrlog_write(log, NULL, 1.0, 2.5, b), 0, "write untagged");
	ok_eq(ipcb_hdrlog_write(log, "", 3.5, 0.25, a), 0, "write with an empty tag");
	ok_eq(ipcb_hdrlog_write(log, "t", -1.0, 1.0, a), -EINVAL, "negative start: -EINVAL");
	ok_eq(ipcb_hdrlog_write(log, "t", 1.0, NAN, a), -EINVAL, "NaN length: -EINVAL");
	ok_eq(ipcb_hdrlog_write(log, "t", 1.0, 1.0, NULL), -EINVAL, "NULL histogram: -EINVAL");
	ok_eq(ipcb_hdrlog_write(NULL, "t", 1.0, 1.0, a), -EINVAL, "NULL log: -EINVAL");
	ok_eq(ipcb_hdrlog_close(log), 0, "close");

	text = read_file(path);
	ok(text != NULL, "read the log back");
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && n < 8;
	     line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	ok_eq(n, 7, "4 header lines and 3 data lines");
	if (n == 7) {
		char *b64;

		ok(!strcmp(lines[0], "#[Histogram log format version 1.3]"), "version line: %s",
		   lines[0]);
		ok(!strcmp(lines[1], "#[StartTime: 1700000000.123 (seconds since epoch), "
				     "Tue Nov 14 22:13:20 UTC 2023]"),
		   "StartTime line: %s", lines[1]);
		ok(!strcmp(lines[2], "#[BaseTime: 1700000000.123 (seconds since epoch)]"),
		   "BaseTime line: %s", lines[2]);
		ok(!strcmp(lines[3], "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
				     "\"Interval_Compressed_Histogram\""),
		   "legend line");
		ok(!strncmp(lines[4], "Tag=shm_tcp_x_y__/1,0.000,1.000,123519.000,HISTFAAA", 51),
		   "tagged line, tag sanitized, max 123519 (highest equivalent): %.60s", lines[4]);
		b64 = strrchr(lines[4], ',') + 1;
		ok(ipcb_hdrlog_decode(b64, &d) == 0 && same_hist(a, d), "tagged line decodes");
		ipcb_hist_destroy(d);
		d = NULL;
		ok(!strncmp(lines[5], "1.000,2.500,2000683007.000,HISTFAAA", 35),
		   "untagged line: %.50s", lines[5]);
		b64 = strrchr(lines[5], ',') + 1;
		ok(ipcb_hdrlog_decode(b64, &d) == 0 && same_hist(b, d), "untagged line decodes");
		ipcb_hist_destroy(d);
		ok(!strncmp(lines[6], "3.500,0.250,123519.000,HISTFAAA", 31),
		   "empty tag gives an untagged line: %.40s", lines[6]);
	}
	free(text);
	unlink(path);

	/* A full disk shows up at close at the latest. */
	log = NULL;
	err = ipcb_hdrlog_open("/dev/full", 0.0, &log);
	if (err == 0) {
		ipcb_hdrlog_write(log, "t", 0.0, 1.0, a);
		ok_eq(ipcb_hdrlog_close(log), -ENOSPC, "close on a full disk: -ENOSPC");
	} else {
		ok_eq(err, -ENOSPC, "open on a full disk: -ENOSPC");
	}

	log = (struct ipcb_hdrlog *)&n; /* must stay untouched */
	snprintf(path, sizeof(path), "%s/no/such/dir.hlog", dir);
	ok_eq(ipcb_hdrlog_open(path, 0.0, &log), -ENOENT, "open in a missing directory: -ENOENT");
	ok(log == (struct ipcb_hdrlog *)&n, "failed open leaves *out alone");
	ok_eq(ipcb_hdrlog_open(path, -1.0, &log), -EINVAL, "negative start time: -EINVAL");
	ok_eq(ipcb_hdrlog_open(NULL, 0.0, &log), -EINVAL, "NULL path: -EINVAL");
	ok_eq(ipcb_hdrlog_close(NULL), 0, "close(NULL)");
	rmdir(dir);
	ipcb_hist_destroy(a);
	ipcb_hist_destroy(b);
}

int main(void)
{
	test_base64();
	test_zigzag();
	test_format();
	test_java_vector();
	test_header_fields();
	test_payloads();
	test_round_trips();
	test_decode_errors();
	test_hgrm();
	test_log_file();
	return tap_done();
}
