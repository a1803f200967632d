/* SPDX-License-Identifier: MIT */
/* wire.c - the control connection's messages, encoded and checked; see wire.h. */
#include "wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "spec.h"

static const char *const wire_names[IPCB_WIRE_TYPES] = {
    [IPCB_WIRE_HELLO] = "HELLO",   [IPCB_WIRE_AUTH] = "AUTH",	[IPCB_WIRE_WELCOME] = "WELCOME",
    [IPCB_WIRE_ERROR] = "ERROR",   [IPCB_WIRE_CLOCK] = "CLOCK", [IPCB_WIRE_RUN] = "RUN",
    [IPCB_WIRE_ACCEPT] = "ACCEPT", [IPCB_WIRE_START] = "START", [IPCB_WIRE_ADDR] = "ADDR",
    [IPCB_WIRE_READY] = "READY",   [IPCB_WIRE_DONE] = "DONE",	[IPCB_WIRE_RESULT] = "RESULT",
    [IPCB_WIRE_BYE] = "BYE",
};

const char *ipcb_wire_type_name(unsigned type, char *buf, size_t n)
{
	if (type > 0 && type < IPCB_WIRE_TYPES)
		return wire_names[type];
	snprintf(buf, n, "message %u", type);
	return buf;
}

/* ---- encoding ------------------------------------------------------------------------------ */

static void put(struct ipcb_wbuf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > 4 + (size_t)IPCB_WIRE_MAX_BODY) {
		b->failed = true;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *q;

		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_u64(struct ipcb_wbuf *b, uint64_t v)
{
	unsigned char x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (56 - 8 * i));
	put(b, x, 8);
}

static void put_u32(struct ipcb_wbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};

	put(b, x, 4);
}

static void put_u8(struct ipcb_wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_i64(struct ipcb_wbuf *b, int64_t v)
{
	put_u64(b, (uint64_t)v);
}

static void put_f64(struct ipcb_wbuf *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	put_u64(b, v);
}

static void put_str(struct ipcb_wbuf *b, const char *s)
{
	size_t n = strnlen(s, 65535);
	unsigned char x[2] = {(unsigned char)(n >> 8), (unsigned char)n};

	put(b, x, 2);
	put(b, s, n);
}

void ipcb_wbuf_start(struct ipcb_wbuf *b, enum ipcb_wire_type type)
{
	b->len = 0;
	b->failed = false;
	put_u32(b, 0); /* the length, filled by ipcb_wbuf_frame() */
	put_u8(b, (uint8_t)type);
}

void ipcb_wbuf_free(struct ipcb_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int ipcb_wbuf_frame(struct ipcb_wbuf *b, const unsigned char **frame, size_t *len)
{
	uint32_t body;

	if (b->failed || b->len < 5)
		return b->len + 1 > 4 + (size_t)IPCB_WIRE_MAX_BODY ? -EMSGSIZE : -ENOMEM;
	body = (uint32_t)(b->len - 4);
	b->p[0] = (unsigned char)(body >> 24);
	b->p[1] = (unsigned char)(body >> 16);
	b->p[2] = (unsigned char)(body >> 8);
	b->p[3] = (unsigned char)body;
	*frame = b->p;
	*len = b->len;
	return 0;
}

static void put_addr(struct ipcb_wbuf *b, const struct ipcb_addr *a)
{
	uint32_t n = a->len <= IPCB_ADDR_BYTES ? a->len : IPCB_ADDR_BYTES;

	put_u32(b, n);
	put(b, a->bytes, n);
}

static void put_side(struct ipcb_wbuf *b, const struct ipcb_wire_side *s)
{
	put_u64(b, s->clock_anomalies);
	put_f64(b, s->cpu_s);
	put_i64(b, s->ctx_switches);
	put_i64(b, s->ctx_involuntary);
	put_u64(b, s->t_first_ns);
	put_u64(b, s->t_last_ns);
	put_u64(b, s->messages);
	put_u64(b, s->full_checks);
	put_u64(b, s->segments);
	put_u8(b, s->segments_ok);
	put_u32(b, (uint32_t)s->cpu_seen);
	put_u64(b, s->late);
	put_u64(b, s->sent);
	put_u64(b, s->received);
}

static void put_fingerprint(struct ipcb_wbuf *b, const struct ipcb_sysinfo *si)
{
	put_str(b, si->host);
	put_str(b, si->kernel);
	put_str(b, si->cpu_model);
	put_str(b, si->version);
	put_str(b, si->build_type);
	put_str(b, si->governor);
	put_str(b, si->boost);
	put_str(b, si->smt);
	put_str(b, si->thp);
	put_str(b, si->isolated);
	put_str(b, si->virt);
	put_f64(b, si->loadavg1);
	put_u32(b, (uint32_t)si->online_cpus);
}

/* The histogram's header, then its non-zero counts in index order. */
static void put_hist(struct ipcb_wbuf *b, const struct ipcb_hist *h)
{
	uint32_t nnz = 0;

	for (int32_t i = 0; i < h->counts_len; i++)
		nnz += h->counts[i] != 0;
	put_i64(b, h->lowest_trackable_value);
	put_i64(b, h->highest_trackable_value);
	put_u32(b, (uint32_t)h->significant_figures);
	put_i64(b, h->total_count);
	put_i64(b, h->min_value);
	put_i64(b, h->max_value);
	put_i64(b, h->out_of_range);
	put_u32(b, nnz);
	for (int32_t i = 0; i < h->counts_len; i++)
		if (h->counts[i]) {
			put_u32(b, (uint32_t)i);
			put_u64(b, (uint64_t)h->counts[i]);
		}
}

int ipcb_wire_encode_result(struct ipcb_wbuf *b, const struct ipcb_wire_side side[2],
			    const struct ipcb_hist *const *hists, uint32_t nhist)
{
	if (nhist > IPCB_WIRE_HISTS)
		return -EINVAL;
	ipcb_wbuf_start(b, IPCB_WIRE_RESULT);
	put_side(b, &side[0]);
	put_side(b, &side[1]);
	put_u32(b, nhist);
	for (uint32_t i = 0; i < nhist; i++)
		put_hist(b, hists[i]);
	return b->failed ? -ENOMEM : 0;
}

struct ipcb_wire_msg *ipcb_wire_msgs_new(size_t n)
{
	return calloc(n, sizeof(struct ipcb_wire_msg));
}

int ipcb_wire_encode(struct ipcb_wbuf *b, const struct ipcb_wire_msg *m)
{
	ipcb_wbuf_start(b, m->type);
	switch (m->type) {
	case IPCB_WIRE_HELLO:
		put_u32(b, m->hello.proto);
		put_u8(b, m->hello.little_endian);
		put_str(b, m->hello.version);
		put(b, m->hello.nonce, IPCB_WIRE_NONCE);
		put_u64(b, m->hello.max_size);
		put_u64(b, m->hello.max_duration_ns);
		put_u64(b, m->hello.max_timeout_ms);
		put_u64(b, m->hello.max_messages);
		break;
	case IPCB_WIRE_AUTH:
		put_u32(b, m->auth.proto);
		put_u8(b, m->auth.little_endian);
		put_str(b, m->auth.version);
		put(b, m->auth.nonce, IPCB_WIRE_NONCE);
		put(b, m->auth.mac, IPCB_WIRE_MAC);
		break;
	case IPCB_WIRE_WELCOME:
		put(b, m->welcome.mac, IPCB_WIRE_MAC);
		put_fingerprint(b, &m->welcome.si);
		put_u32(b, m->welcome.ncpus);
		for (uint32_t i = 0; i < m->welcome.ncpus && i < IPCB_WIRE_MAX_CPUS; i++)
			put_u32(b, m->welcome.cpus[i]);
		put_str(b, m->welcome.net);
		break;
	case IPCB_WIRE_ERROR:
		put_str(b, m->error.text);
		put_u64(b, m->error.when_ns);
		break;
	case IPCB_WIRE_CLOCK:
		put_u64(b, m->clock.t1);
		put_u64(b, m->clock.t2);
		put_u64(b, m->clock.t3);
		break;
	case IPCB_WIRE_RUN: {
		const struct ipcb_wire_run *r = &m->run;

		put_str(b, r->transport);
		put_u8(b, r->mode);
		put_u8(b, r->bidirectional);
		put_u64(b, r->size_bytes);
		put_u64(b, r->chunk_bytes);
		put_u32(b, r->inflight);
		put_f64(b, r->rate);
		put_u32(b, r->nopt);
		for (uint32_t i = 0; i < r->nopt && i < IPCB_MAX_OPTIONS; i++)
			put_u64(b, r->opt[i]);
		put_u32(b, (uint32_t)r->cpu);
		put_u32(b, r->nset);
		for (uint32_t i = 0; i < r->nset && i < IPCB_WIRE_SETTINGS; i++)
			put_u64(b, r->set[i]);
		break;
	}
	case IPCB_WIRE_ACCEPT:
		put_u64(b, m->accept.max_msg_bytes);
		break;
	case IPCB_WIRE_START:
		put_i64(b, m->start.shift_ns);
		break;
	case IPCB_WIRE_ADDR:
		put_addr(b, &m->addr.addr);
		break;
	case IPCB_WIRE_RESULT:
		return -EINVAL; /* ipcb_wire_encode_result(): its histograms are not in the message
				 */
	case IPCB_WIRE_READY:
	case IPCB_WIRE_DONE:
	case IPCB_WIRE_BYE:
		break;
	default:
		return -EINVAL;
	}
	return b->failed ? -ENOMEM : 0;
}

void ipcb_wire_hist_from(struct ipcb_wire_hist *wh, const struct ipcb_hist *h)
{
	memset(wh, 0, sizeof(*wh));
	wh->lowest = h->lowest_trackable_value;
	wh->highest = h->highest_trackable_value;
	wh->sig_figs = h->significant_figures;
	wh->total = h->total_count;
	wh->min = h->min_value;
	wh->max = h->max_value;
	wh->out_of_range = h->out_of_range;
}

/* ---- decoding ------------------------------------------------------------------------------ */

/* A body being read: each get fails once, naming the field, and every later get fails too. */
struct rbuf {
	const unsigned char *p;
	size_t len, off;
	const char *msg;
	char *why;
	size_t why_bytes;
	bool bad;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct rbuf *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r->bad)
		return false;
	r->bad = true;
	n = (size_t)snprintf(r->why, r->why_bytes, "%s: ", r->msg);
	if (n < r->why_bytes) {
		va_start(ap, fmt);
		vsnprintf(r->why + n, r->why_bytes - n, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool take(struct rbuf *r, void *out, size_t n, const char *field)
{
	if (r->bad)
		return false;
	if (r->len - r->off < n)
		return fail(r, "the message ends inside %s (%zu bytes left, %zu needed)", field,
			    r->len - r->off, n);
	if (out)
		memcpy(out, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool get_u64(struct rbuf *r, uint64_t *v, const char *field)
{
	unsigned char x[8];

	if (!take(r, x, 8, field))
		return false;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v = *v << 8 | x[i];
	return true;
}

/* n values of 64 bits into v, when n is no more than max ("9 options, more than 8"). */
static bool get_u64s(struct rbuf *r, uint64_t *v, uint32_t n, uint32_t max, const char *what,
		     const char *field)
{
	if (n > max) {
		fail(r, "%u %s, more than %u", n, what, max);
		return false;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!get_u64(r, &v[i], field))
			return false;
	return true;
}

static bool get_u32(struct rbuf *r, uint32_t *v, const char *field)
{
	unsigned char x[4];

	if (!take(r, x, 4, field))
		return false;
	*v = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
	return true;
}

static bool get_i64(struct rbuf *r, int64_t *v, const char *field)
{
	uint64_t u;

	if (!get_u64(r, &u, field))
		return false;
	*v = (int64_t)u;
	return true;
}

static bool get_i32(struct rbuf *r, int32_t *v, const char *field)
{
	uint32_t u;

	if (!get_u32(r, &u, field))
		return false;
	*v = (int32_t)u;
	return true;
}

/* A byte that must be at most max (an enum's last member, 1 for a flag). */
static bool get_u8(struct rbuf *r, uint8_t *v, unsigned max, const char *field)
{
	if (!take(r, v, 1, field))
		return false;
	if (*v > max)
		return fail(r, "%s is %u, not 0 to %u", field, *v, max);
	return true;
}

/* A double that must be finite and not negative. */
static bool get_f64(struct rbuf *r, double *d, const char *field)
{
	uint64_t v;

	if (!get_u64(r, &v, field))
		return false;
	memcpy(d, &v, sizeof(*d));
	if (!isfinite(*d) || *d < 0)
		return fail(r, "%s is not a finite number of 0 or more", field);
	return true;
}

/* A string into out[n]: it must fit with its NUL and hold no control character. */
static bool get_str(struct rbuf *r, char *out, size_t n, const char *field)
{
	unsigned char x[2];
	size_t len;

	if (!take(r, x, 2, field))
		return false;
	len = (size_t)x[0] << 8 | x[1];
	if (len >= n)
		return fail(r, "%s is %zu bytes long, more than the %zu it may have", field, len,
			    n - 1);
	if (!take(r, out, len, field))
		return false;
	out[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] == 0x7f)
			return fail(r, "%s holds a control character (byte %zu)", field, i);
	return true;
}

static bool get_addr(struct rbuf *r, struct ipcb_addr *a, const char *field)
{
	if (!get_u32(r, &a->len, field))
		return false;
	if (a->len > IPCB_ADDR_BYTES)
		return fail(r, "%s is %u bytes, more than %d", field, a->len, IPCB_ADDR_BYTES);
	return take(r, a->bytes, a->len, field);
}

static bool get_side(struct rbuf *r, struct ipcb_wire_side *s)
{
	return get_u64(r, &s->clock_anomalies, "clock anomalies") &&
	       get_f64(r, &s->cpu_s, "CPU time") && get_i64(r, &s->ctx_switches, "switches") &&
	       get_i64(r, &s->ctx_involuntary, "involuntary switches") &&
	       get_u64(r, &s->t_first_ns, "first time") && get_u64(r, &s->t_last_ns, "last time") &&
	       get_u64(r, &s->messages, "messages") && get_u64(r, &s->full_checks, "checks") &&
	       get_u64(r, &s->segments, "segments") &&
	       get_u8(r, &s->segments_ok, 1, "segments counted") &&
	       get_i32(r, &s->cpu_seen, "CPU seen") && get_u64(r, &s->late, "late") &&
	       get_u64(r, &s->sent, "sent") && get_u64(r, &s->received, "received") &&
	       (s->ctx_switches >= 0 && s->ctx_involuntary >= 0 &&
			s->ctx_involuntary <= s->ctx_switches && s->t_last_ns >= s->t_first_ns &&
			s->cpu_seen >= -1
		    ? true
		    : fail(r, "a side's counters are inconsistent (negative switches, a CPU below "
			      "-1, or an end before the start)"));
}

static bool get_fingerprint(struct rbuf *r, struct ipcb_sysinfo *si)
{
	uint32_t cpus;

	memset(si, 0, sizeof(*si));
	if (!(get_str(r, si->host, sizeof(si->host), "host") &&
	      get_str(r, si->kernel, sizeof(si->kernel), "kernel") &&
	      get_str(r, si->cpu_model, sizeof(si->cpu_model), "CPU model") &&
	      get_str(r, si->version, sizeof(si->version), "version") &&
	      get_str(r, si->build_type, sizeof(si->build_type), "build type") &&
	      get_str(r, si->governor, sizeof(si->governor), "governor") &&
	      get_str(r, si->boost, sizeof(si->boost), "boost") &&
	      get_str(r, si->smt, sizeof(si->smt), "SMT") &&
	      get_str(r, si->thp, sizeof(si->thp), "THP") &&
	      get_str(r, si->isolated, sizeof(si->isolated), "isolated CPUs") &&
	      get_str(r, si->virt, sizeof(si->virt), "virtualization") &&
	      get_f64(r, &si->loadavg1, "load average") && get_u32(r, &cpus, "CPUs online")))
		return false;
	if (cpus > 1u << 20)
		return fail(r, "%u CPUs online: not a machine", cpus);
	si->online_cpus = (int)cpus;
	return true;
}

/*
 * A histogram: a layout a histogram can have, totals that add up, and its entries (index,
 * count) strictly in index order with counts above 0 that sum to the total. Whether the indices
 * fit the layout's counts is checked where they are applied (ipcb_wire_hist_apply).
 */
static bool get_hist(struct rbuf *r, struct ipcb_wire_hist *h)
{
	int64_t sum = 0;
	uint32_t last = 0;

	if (!(get_i64(r, &h->lowest, "histogram lowest") &&
	      get_i64(r, &h->highest, "histogram highest") &&
	      get_i32(r, &h->sig_figs, "histogram figures") &&
	      get_i64(r, &h->total, "histogram total") && get_i64(r, &h->min, "histogram min") &&
	      get_i64(r, &h->max, "histogram max") &&
	      get_i64(r, &h->out_of_range, "histogram out of range") &&
	      get_u32(r, &h->nnz, "histogram entries")))
		return false;
	if (ipcb_hist_bytes(h->lowest, h->highest, h->sig_figs) == 0)
		return fail(r, "a histogram layout (%lld, %lld, %d figures) that cannot exist",
			    (long long)h->lowest, (long long)h->highest, h->sig_figs);
	if (h->total < 0 || h->out_of_range < 0)
		return fail(r, "a histogram with a negative total");
	if ((size_t)h->nnz > (r->len - r->off) / 12)
		return fail(r, "a histogram of %u entries in %zu bytes", h->nnz, r->len - r->off);
	h->pairs = r->p + r->off;
	for (uint32_t i = 0; i < h->nnz; i++) {
		uint32_t idx;
		uint64_t count;

		if (!get_u32(r, &idx, "histogram index") || !get_u64(r, &count, "histogram count"))
			return false;
		if ((i > 0 && idx <= last) || count == 0 ||
		    count > (uint64_t)INT64_MAX - (uint64_t)sum)
			return fail(r,
				    "histogram entry %u (index %u, count %llu) is out of order, "
				    "empty or too large",
				    i, idx, (unsigned long long)count);
		last = idx;
		sum += (int64_t)count;
	}
	if (sum != h->total)
		return fail(r, "a histogram's counts add up to %lld, its total says %lld",
			    (long long)sum, (long long)h->total);
	if (sum > 0 && (h->min < 0 || h->min > h->max || h->max > h->highest))
		return fail(r, "a histogram's extremes (%lld, %lld) are not values it holds",
			    (long long)h->min, (long long)h->max);
	return true;
}

int ipcb_wire_decode(const unsigned char *body, size_t len, struct ipcb_wire_msg *m, char *why,
		     size_t why_bytes)
{
	struct rbuf rb = {
	    .p = body, .len = len, .msg = "a message", .why = why, .why_bytes = why_bytes};
	struct rbuf *r = &rb;
	char name[32];
	uint8_t type = 0;

	memset(m, 0, sizeof(*m));
	why[0] = '\0';
	if (len > IPCB_WIRE_MAX_BODY) {
		fail(r, "%zu bytes, more than %u", len, IPCB_WIRE_MAX_BODY);
		return -EBADMSG;
	}
	if (!take(r, &type, 1, "its type"))
		return -EBADMSG;
	if (type == 0 || type >= IPCB_WIRE_TYPES) {
		fail(r, "unknown type %u", type);
		return -EBADMSG;
	}
	m->type = (enum ipcb_wire_type)type;
	rb.msg = ipcb_wire_type_name(type, name, sizeof(name));
	switch (m->type) {
	case IPCB_WIRE_HELLO:
		(void)(get_u32(r, &m->hello.proto, "protocol") &&
		       get_u8(r, &m->hello.little_endian, 1, "byte order") &&
		       get_str(r, m->hello.version, sizeof(m->hello.version), "version") &&
		       take(r, m->hello.nonce, IPCB_WIRE_NONCE, "challenge") &&
		       get_u64(r, &m->hello.max_size, "largest size") &&
		       get_u64(r, &m->hello.max_duration_ns, "longest duration") &&
		       get_u64(r, &m->hello.max_timeout_ms, "longest timeout") &&
		       get_u64(r, &m->hello.max_messages, "most messages"));
		break;
	case IPCB_WIRE_AUTH:
		(void)(get_u32(r, &m->auth.proto, "protocol") &&
		       get_u8(r, &m->auth.little_endian, 1, "byte order") &&
		       get_str(r, m->auth.version, sizeof(m->auth.version), "version") &&
		       take(r, m->auth.nonce, IPCB_WIRE_NONCE, "challenge") &&
		       take(r, m->auth.mac, IPCB_WIRE_MAC, "response"));
		break;
	case IPCB_WIRE_WELCOME:
		if (take(r, m->welcome.mac, IPCB_WIRE_MAC, "response") &&
		    get_fingerprint(r, &m->welcome.si) && get_u32(r, &m->welcome.ncpus, "CPUs")) {
			if (m->welcome.ncpus == 0 || m->welcome.ncpus > IPCB_WIRE_MAX_CPUS) {
				fail(r, "%u CPUs, not 1 to %d", m->welcome.ncpus,
				     IPCB_WIRE_MAX_CPUS);
				break;
			}
			for (uint32_t i = 0; i < m->welcome.ncpus; i++) {
				uint32_t c;

				if (!get_u32(r, &c, "CPU"))
					break;
				if (c >= IPCB_WIRE_MAX_CPUS) {
					fail(r, "CPU %u is beyond %d", c, IPCB_WIRE_MAX_CPUS - 1);
					break;
				}
				m->welcome.cpus[i] = (uint16_t)c;
			}
			get_str(r, m->welcome.net, sizeof(m->welcome.net), "network");
		}
		break;
	case IPCB_WIRE_ERROR:
		(void)(get_str(r, m->error.text, sizeof(m->error.text), "text") &&
		       get_u64(r, &m->error.when_ns, "time"));
		break;
	case IPCB_WIRE_CLOCK:
		(void)(get_u64(r, &m->clock.t1, "t1") && get_u64(r, &m->clock.t2, "t2") &&
		       get_u64(r, &m->clock.t3, "t3"));
		break;
	case IPCB_WIRE_RUN: {
		struct ipcb_wire_run *x = &m->run;

		if (!(get_str(r, x->transport, sizeof(x->transport), "transport") &&
		      get_u8(r, &x->mode, IPCB_MODE_BISTREAM, "mode") &&
		      get_u8(r, &x->bidirectional, 1, "both ways") &&
		      get_u64(r, &x->size_bytes, "size") && get_u64(r, &x->chunk_bytes, "chunk") &&
		      get_u32(r, &x->inflight, "in flight") && get_f64(r, &x->rate, "rate") &&
		      get_u32(r, &x->nopt, "options")))
			break;
		/* What each setting may be is the driver's table's to say, where it is unpacked. */
		if (!get_u64s(r, x->opt, x->nopt, IPCB_MAX_OPTIONS, "options", "option") ||
		    !get_i32(r, &x->cpu, "CPU") || !get_u32(r, &x->nset, "settings") ||
		    !get_u64s(r, x->set, x->nset, IPCB_WIRE_SETTINGS, "settings", "setting"))
			break;
		if (x->size_bytes == 0 || x->chunk_bytes == 0 || x->chunk_bytes > x->size_bytes)
			fail(r,
			     "size %llu in chunks of %llu: both must be 1 or more, the chunk no "
			     "larger",
			     (unsigned long long)x->size_bytes, (unsigned long long)x->chunk_bytes);
		else if (x->cpu < -1 || x->cpu >= IPCB_WIRE_MAX_CPUS)
			fail(r, "CPU %d", x->cpu);
		break;
	}
	case IPCB_WIRE_ACCEPT:
		get_u64(r, &m->accept.max_msg_bytes, "largest message");
		break;
	case IPCB_WIRE_START:
		get_i64(r, &m->start.shift_ns, "clock shift");
		break;
	case IPCB_WIRE_ADDR:
		get_addr(r, &m->addr.addr, "address");
		break;
	case IPCB_WIRE_RESULT: {
		struct ipcb_wire_result *x = &m->result;

		if (!get_side(r, &x->side[0]) || !get_side(r, &x->side[1]) ||
		    !get_u32(r, &x->nhist, "histograms"))
			break;
		if (x->nhist > IPCB_WIRE_HISTS) {
			fail(r, "%u histograms, more than %d", x->nhist, IPCB_WIRE_HISTS);
			break;
		}
		for (uint32_t i = 0; i < x->nhist; i++)
			if (!get_hist(r, &x->hist[i]))
				break;
		break;
	}
	case IPCB_WIRE_READY:
	case IPCB_WIRE_DONE:
	case IPCB_WIRE_BYE:
	case IPCB_WIRE_TYPES:
		break;
	}
	if (!rb.bad && rb.off != rb.len)
		fail(r, "%zu bytes left over after its last field", rb.len - rb.off);
	return rb.bad ? -EBADMSG : 0;
}

uint32_t ipcb_wire_frame_len(const unsigned char hdr[4])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
}

int ipcb_wire_hist_apply(const struct ipcb_wire_hist *wh, struct ipcb_hist *h, char *why,
			 size_t why_bytes)
{
	const unsigned char *p = wh->pairs;

	if (wh->lowest != h->lowest_trackable_value || wh->highest != h->highest_trackable_value ||
	    wh->sig_figs != h->significant_figures) {
		snprintf(why, why_bytes,
			 "RESULT: a histogram of another layout (%lld to %lld, %d figures)",
			 (long long)wh->lowest, (long long)wh->highest, wh->sig_figs);
		return -EBADMSG;
	}
	if (h->total_count != 0) {
		snprintf(why, why_bytes, "RESULT: a histogram applied twice");
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < wh->nnz; i++, p += 12) {
		uint32_t idx =
		    (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		uint64_t count = 0;

		for (int k = 0; k < 8; k++)
			count = count << 8 | p[4 + k];
		if (idx >= (uint32_t)h->counts_len) {
			snprintf(why, why_bytes,
				 "RESULT: histogram index %u is beyond its %d counts", idx,
				 h->counts_len);
			/* Nothing half-applied stays. */
			memset(h->counts, 0, (size_t)h->counts_len * sizeof(h->counts[0]));
			return -EBADMSG;
		}
		h->counts[idx] = (int64_t)count;
	}
	h->total_count = wh->total;
	h->min_value = wh->total ? wh->min : INT64_MAX;
	h->max_value = wh->total ? wh->max : 0;
	h->out_of_range = wh->out_of_range;
	return 0;
}
