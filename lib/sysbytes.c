/* SPDX-License-Identifier: MIT */
/* sysbytes.c - bytes moved by each marked side, from an strace trace; see sysbytes.h. */
#include "sysbytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"

/* How each traced call moves bytes. */
enum how {
	H_NONE,
	H_OUT_RET,  /* the result is what was handed to the kernel */
	H_IN_RET,   /* the result is what was taken from it */
	H_OUT_ARG3, /* handed: the third argument (msgsnd's and mq_timedsend's length) */
	H_OUT_MMSG, /* handed: each message's msg_len (sendmmsg) */
	H_IN_MMSG,  /* taken: each message's msg_len (recvmmsg) */
	H_UNSEEN,   /* moves bytes the trace does not show */
	H_THREAD,   /* makes a thread or a process */
};

static const struct {
	const char *name;
	enum how how;
} calls[] = {
    {"read", H_IN_RET},
    {"readv", H_IN_RET},
    {"pread64", H_IN_RET},
    {"preadv", H_IN_RET},
    {"preadv2", H_IN_RET},
    {"recvfrom", H_IN_RET},
    {"recvmsg", H_IN_RET},
    {"recvmmsg", H_IN_MMSG},
    {"msgrcv", H_IN_RET},
    {"mq_timedreceive", H_IN_RET},
    {"process_vm_readv", H_IN_RET},
    {"write", H_OUT_RET},
    {"writev", H_OUT_RET},
    {"pwrite64", H_OUT_RET},
    {"pwritev", H_OUT_RET},
    {"pwritev2", H_OUT_RET},
    {"sendto", H_OUT_RET},
    {"sendmsg", H_OUT_RET},
    {"sendmmsg", H_OUT_MMSG},
    {"msgsnd", H_OUT_ARG3},
    {"mq_timedsend", H_OUT_ARG3},
    {"vmsplice", H_OUT_RET},
    {"splice", H_OUT_RET},
    {"tee", H_OUT_RET},
    {"sendfile", H_OUT_RET},
    {"copy_file_range", H_OUT_RET},
    {"process_vm_writev", H_OUT_RET},
    {"io_uring_enter", H_UNSEEN},
    {"clone", H_THREAD},
    {"clone3", H_THREAD},
    {"fork", H_THREAD},
    {"vfork", H_THREAD},
};

static enum how how_of(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strlen(calls[i].name) == len && !strncmp(calls[i].name, name, len))
			return calls[i].how;
	return H_NONE;
}

/* A thread's process, and a call it left unfinished (its name and arguments so far). */
struct thread {
	long tid, tgid;
	char *pending; /* the text after the thread id of an unfinished call, or NULL */
};

struct reader {
	struct thread *th;
	size_t nth, cap_th;
	struct ipcb_sysbytes_side *sides;
	size_t nsides, cap_sides;
	/* The side whose measured part each process is in: index into sides, or -1. */
	struct {
		long tgid;
		long side;
	} * open;
	size_t nopen, cap_open;
};

static void *grow(void *p, size_t *cap, size_t n, size_t each)
{
	size_t c;
	void *q;

	if (n < *cap)
		return p;
	c = *cap ? 2 * *cap : 16;
	q = realloc(p, c * each);
	if (q)
		*cap = c;
	return q;
}

static struct thread *thread_of(struct reader *r, long tid)
{
	struct thread *t;

	for (size_t i = 0; i < r->nth; i++)
		if (r->th[i].tid == tid)
			return &r->th[i];
	t = grow(r->th, &r->cap_th, r->nth, sizeof(*r->th));
	if (!t)
		return NULL;
	r->th = t;
	t = &r->th[r->nth++];
	*t = (struct thread){.tid = tid, .tgid = tid};
	return t;
}

static long open_side(const struct reader *r, long tgid)
{
	for (size_t i = 0; i < r->nopen; i++)
		if (r->open[i].tgid == tgid)
			return r->open[i].side;
	return -1;
}

static int set_open(struct reader *r, long tgid, long side)
{
	void *p;

	for (size_t i = 0; i < r->nopen; i++)
		if (r->open[i].tgid == tgid) {
			r->open[i].side = side;
			return 0;
		}
	p = grow(r->open, &r->cap_open, r->nopen, sizeof(*r->open));
	if (!p)
		return -ENOMEM;
	r->open = p;
	r->open[r->nopen].tgid = tgid;
	r->open[r->nopen++].side = side;
	return 0;
}

/* The side a mark names, made when first met. */
static long side_index(struct reader *r, const char *tag, size_t tlen, unsigned side)
{
	struct ipcb_sysbytes_side *s;

	for (size_t i = 0; i < r->nsides; i++)
		if (r->sides[i].side == side && strlen(r->sides[i].tag) == tlen &&
		    !strncmp(r->sides[i].tag, tag, tlen))
			return (long)i;
	s = grow(r->sides, &r->cap_sides, r->nsides, sizeof(*r->sides));
	if (!s)
		return -1;
	r->sides = s;
	s = &r->sides[r->nsides];
	memset(s, 0, sizeof(*s));
	snprintf(s->tag, sizeof(s->tag), "%.*s", (int)tlen, tag);
	s->side = side;
	return (long)r->nsides++;
}

/*
 * A mark: write(-1, "ipcb-count TAG side N start|stop messages M", ...). Returns true when the
 * line is one (handled), false otherwise.
 */
static bool mark(struct reader *r, const struct thread *t, const char *call, int *rc)
{
	static const char head[] = "write(-1, \"" IPCB_COUNT_MARK;
	const char *p = call + sizeof(head) - 1, *sp;
	unsigned side;
	unsigned long long messages = 0;
	long i;
	int used = 0;

	if (strncmp(call, head, sizeof(head) - 1))
		return false;
	sp = strchr(p, ' ');
	if (!sp || sscanf(sp, " side %u %n", &side, &used) != 1 || !used)
		return false;
	i = side_index(r, p, (size_t)(sp - p), side);
	if (i < 0) {
		*rc = -ENOMEM;
		return true;
	}
	if (!strncmp(sp + used, "start", 5)) {
		r->sides[i].started = true;
		*rc = set_open(r, t->tgid, i);
	} else if (sscanf(sp + used, "stop messages %llu", &messages) == 1) {
		r->sides[i].messages = messages;
		r->sides[i].done = r->sides[i].started;
		*rc = set_open(r, t->tgid, -1);
	}
	return true;
}

/*
 * The call's result: the number after the last " = " (strace pads the space before it into a
 * column); -1 for an error or a result it could not tell ("= ?").
 */
static long long result_of(const char *line)
{
	const char *eq = NULL;
	long long v;

	for (const char *p = strstr(line, " = "); p; p = strstr(p + 1, " = "))
		eq = p;
	if (!eq || sscanf(eq + 3, "%lld", &v) != 1 || v < 0)
		return -1;
	return v;
}

/* Argument k (from 1) of a call printed raw ("msgsnd(0x1, 0x7ffe..., 0x40, 0)"). */
static long long raw_arg(const char *call, int k)
{
	const char *p = strchr(call, '(');

	for (int i = 1; p && i < k; i++)
		p = strchr(p + 1, ',');
	return p ? strtoll(p + 1, NULL, 0) : 0;
}

/* The sum of every msg_len= outside quoted strings (sendmmsg's and recvmmsg's messages). */
static long long mmsg_bytes(const char *line)
{
	long long sum = 0;
	bool quoted = false;

	for (const char *p = line; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (!strncmp(p, "msg_len=", 8)) {
			sum += strtoll(p + 8, NULL, 10);
		}
	}
	return sum;
}

/* A finished call of thread t: its name, its whole text, and what it moved. */
static int call_done(struct reader *r, struct thread *t, const char *text)
{
	size_t nlen = strcspn(text, "(");
	enum how how = how_of(text, nlen);
	long side = open_side(r, t->tgid);
	long long v = result_of(text);
	struct ipcb_sysbytes_side *s;
	bool ok = v >= 0;

	if (v < 0)
		v = 0;
	if (how == H_THREAD) {
		struct thread *child;
		long tgid = t->tgid;

		/* A thread is of its maker's process; anything else is a process of its own. */
		if (v <= 0)
			return 0;
		child = thread_of(r, (long)v);
		if (!child)
			return -ENOMEM;
		child->tgid = strstr(text, "CLONE_THREAD") ? tgid : (long)v;
		return 0;
	}
	if (side < 0 || how == H_NONE)
		return 0;
	s = &r->sides[side];
	switch (how) {
	case H_OUT_RET:
		s->out += (uint64_t)v;
		break;
	case H_IN_RET:
		s->in += (uint64_t)v;
		break;
	case H_OUT_ARG3:
		if (ok)
			s->out += (uint64_t)raw_arg(text, 3);
		break;
	case H_OUT_MMSG:
		s->out += (uint64_t)mmsg_bytes(text);
		break;
	case H_IN_MMSG:
		s->in += (uint64_t)mmsg_bytes(text);
		break;
	case H_UNSEEN:
		s->unseen++;
		break;
	default:
		break;
	}
	return 0;
}

static int line_read(struct reader *r, char *line)
{
	static const char unfinished[] = " <unfinished ...>";
	char *end, *text;
	long tid = strtol(line, &end, 10);
	struct thread *t;
	size_t len;
	int rc = 0;

	if (end == line || *end != ' ')
		return 0; /* not a call's line (strace's own messages) */
	text = end + 1;
	while (*text == ' ')
		text++;
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	t = thread_of(r, tid);
	if (!t)
		return -ENOMEM;
	if (len >= sizeof(unfinished) - 1 &&
	    !strcmp(text + len - (sizeof(unfinished) - 1), unfinished)) {
		text[len - (sizeof(unfinished) - 1)] = '\0';
		free(t->pending);
		t->pending = strdup(text);
		return t->pending ? 0 : -ENOMEM;
	}
	if (!strncmp(text, "<... ", 5)) {
		/* "<... read resumed>REST": the call is its pending text and REST. */
		char *rest = strstr(text, " resumed>");
		char *whole;

		if (!t->pending || !rest)
			return 0;
		rest += 9;
		whole = malloc(strlen(t->pending) + strlen(rest) + 1);
		if (!whole)
			return -ENOMEM;
		strcpy(whole, t->pending);
		strcat(whole, rest);
		free(t->pending);
		t->pending = NULL;
		if (!mark(r, t, whole, &rc))
			rc = call_done(r, t, whole);
		free(whole);
		return rc;
	}
	if (mark(r, t, text, &rc))
		return rc;
	return call_done(r, t, text);
}

int ipcb_sysbytes_read(FILE *trace, struct ipcb_sysbytes_side **sides, size_t *n, char *err,
		       size_t errlen)
{
	struct reader r = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = 0;

	*sides = NULL;
	*n = 0;
	while (rc == 0 && (got = getline(&line, &cap, trace)) >= 0)
		rc = line_read(&r, line);
	if (rc == 0 && ferror(trace))
		rc = -EIO;
	free(line);
	for (size_t i = 0; i < r.nth; i++)
		free(r.th[i].pending);
	free(r.th);
	free(r.open);
	if (rc) {
		snprintf(err, errlen, "reading the trace: %s", strerror(-rc));
		free(r.sides);
		return rc;
	}
	*sides = r.sides;
	*n = r.nsides;
	return 0;
}
