/* SPDX-License-Identifier: MIT */
/* sha256.c - SHA-256 and HMAC-SHA-256 through Nettle; see sha256.h. */
#include "sha256.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>

void ipcb_sha256_init(struct ipcb_sha256 *s)
{
	sha256_init(&s->ctx);
}

void ipcb_sha256_update(struct ipcb_sha256 *s, const void *data, size_t len)
{
	sha256_update(&s->ctx, len, data);
}

void ipcb_sha256_final(struct ipcb_sha256 *s, unsigned char out[IPCB_SHA256_BYTES])
{
	sha256_digest(&s->ctx, IPCB_SHA256_BYTES, out);
}

void ipcb_sha256(const void *data, size_t len, unsigned char out[IPCB_SHA256_BYTES])
{
	struct ipcb_sha256 s;

	ipcb_sha256_init(&s);
	ipcb_sha256_update(&s, data, len);
	ipcb_sha256_final(&s, out);
}

void ipcb_hmac_sha256(const void *key, size_t key_len, const void *const *parts, const size_t *lens,
		      size_t n, unsigned char out[IPCB_SHA256_BYTES])
{
	struct hmac_sha256_ctx h;

	hmac_sha256_set_key(&h, key_len, key);
	for (size_t i = 0; i < n; i++)
		hmac_sha256_update(&h, lens[i], parts[i]);
	hmac_sha256_digest(&h, IPCB_SHA256_BYTES, out);
}

bool ipcb_digest_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	return memeql_sec(a, b, n) != 0;
}
