/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256 and HMAC-SHA-256 for ipcbench's callers, from Nettle (Debian's nettle-dev):
 * the remote peer's challenge and response (a client proves it holds the shared token without
 * sending it, and the server proves the same back), a module's and a history row's digest.
 * Nettle is a few hundred KiB with no state of its own to set up, so the core still starts
 * under its 8 MB address-space limit; these calls are the one place that names it. Checked
 * against the standards' test vectors (tests/unit/test_sha256.c).
 */
#ifndef IPCB_SHA256_H
#define IPCB_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#define IPCB_SHA256_BYTES SHA256_DIGEST_SIZE

struct ipcb_sha256 {
	struct sha256_ctx ctx;
};

void ipcb_sha256_init(struct ipcb_sha256 *s);
void ipcb_sha256_update(struct ipcb_sha256 *s, const void *data, size_t len);
void ipcb_sha256_final(struct ipcb_sha256 *s, unsigned char out[IPCB_SHA256_BYTES]);
/* The digest of one buffer. */
void ipcb_sha256(const void *data, size_t len, unsigned char out[IPCB_SHA256_BYTES]);

/* HMAC-SHA-256 of the concatenation of `n` parts (parts[i] of lens[i] bytes) under key. */
void ipcb_hmac_sha256(const void *key, size_t key_len, const void *const *parts, const size_t *lens,
		      size_t n, unsigned char out[IPCB_SHA256_BYTES]);

/* Compare two digests in time that does not depend on where they differ. */
bool ipcb_digest_equal(const unsigned char *a, const unsigned char *b, size_t n);

#endif
