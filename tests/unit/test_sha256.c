/* SPDX-License-Identifier: MIT */
/*
 * test_sha256.c - SHA-256 against FIPS 180-4's examples (and the long "a" message), HMAC-SHA-256
 * against RFC 4231's test cases, and the digest comparison.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "sha256.h"

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < IPCB_SHA256_BYTES; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_hash(const char *what, const void *msg, size_t len, const char *want)
{
	unsigned char d[IPCB_SHA256_BYTES];
	char got[2 * IPCB_SHA256_BYTES + 1];

	ipcb_sha256(msg, len, d);
	hex(d, got);
	ok(strcmp(got, want) == 0, "SHA-256 of %s: %s", what, got);
}

static void check_hmac(const char *what, const void *key, size_t key_len, const void *msg,
		       size_t len, const char *want)
{
	unsigned char d[IPCB_SHA256_BYTES];
	char got[2 * IPCB_SHA256_BYTES + 1];
	const void *parts[1] = {msg};
	size_t lens[1] = {len};

	ipcb_hmac_sha256(key, key_len, parts, lens, 1, d);
	hex(d, got);
	ok(strcmp(got, want) == 0, "HMAC-SHA-256 %s: %s", what, got);
}

int main(void)
{
	static unsigned char million[1000000];
	unsigned char key[131], data[50], a[IPCB_SHA256_BYTES], b[IPCB_SHA256_BYTES];
	const void *parts[3] = {"what do ", "ya want ", "for nothing?"};
	size_t lens[3] = {8, 8, 12};

	check_hash("\"abc\"", "abc", 3,
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_hash("the empty message", "", 0,
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hash("the 448-bit message",
		   "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	check_hash("a million 'a'", million, sizeof(million),
		   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* RFC 4231: cases 1, 2 (a short key), 3 and 6 (a key longer than a block). */
	memset(key, 0x0b, 20);
	check_hmac("case 1", key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac("case 2", "Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, sizeof(data));
	check_hmac("case 3", key, 20, data, sizeof(data),
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	memset(key, 0xaa, sizeof(key));
	check_hmac("case 6", key, sizeof(key),
		   "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

	/* Parts hash as their concatenation. */
	ipcb_hmac_sha256("Jefe", 4, parts, lens, 3, a);
	parts[0] = "what do ya want for nothing?";
	lens[0] = 28;
	ipcb_hmac_sha256("Jefe", 4, parts, lens, 1, b);
	ok(memcmp(a, b, sizeof(a)) == 0, "an HMAC of three parts is that of their concatenation");

	ok(ipcb_digest_equal(a, b, sizeof(a)), "equal digests compare equal");
	b[31] ^= 1;
	ok(!ipcb_digest_equal(a, b, sizeof(a)), "digests differing in the last bit differ");
	b[31] ^= 1;
	b[0] ^= 0x80;
	ok(!ipcb_digest_equal(a, b, sizeof(a)), "digests differing in the first bit differ");
	return tap_done();
}
