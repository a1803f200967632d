/* SPDX-License-Identifier: MIT */
/* work.c - two builds' work signatures side by side; see work.h. */
#include "work.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvschema.h"
#include "parse.h"

/* The counts every counted row has, per side: instructions, the transport's, system calls. */
static const enum ipcb_csv_column count_columns[3][2] = {
    {IPCB_COL_SENDER_INSTR_PER_MSG, IPCB_COL_RECEIVER_INSTR_PER_MSG},
    {IPCB_COL_SENDER_TRANSPORT_INSTR_PER_MSG, IPCB_COL_RECEIVER_TRANSPORT_INSTR_PER_MSG},
    {IPCB_COL_SENDER_SYSCALLS_PER_MSG, IPCB_COL_RECEIVER_SYSCALLS_PER_MSG},
};
static const enum ipcb_csv_column bytes_columns[4] = {
    IPCB_COL_SENDER_KERNEL_BYTES_OUT_PER_MSG, IPCB_COL_SENDER_KERNEL_BYTES_IN_PER_MSG,
    IPCB_COL_RECEIVER_KERNEL_BYTES_OUT_PER_MSG, IPCB_COL_RECEIVER_KERNEL_BYTES_IN_PER_MSG};
static const char *const sides[2] = {"sender", "receiver"};
static const char *const parts[4] = {"sender voluntary", "sender involuntary", "receiver voluntary",
				     "receiver involuntary"};
static const char *const byte_parts[4] = {
    "sender's bytes to the kernel", "sender's bytes from the kernel",
    "receiver's bytes to the kernel", "receiver's bytes from the kernel"};

/*
 * switches_per_run: "sender: voluntary 0.44 0.52 1, involuntary 0 0 0; receiver: voluntary
 * ..., involuntary ..." into w->sw.
 */
static void switches_parse(struct work_sig *w, const char *text)
{
	int side = -1, kind = -1;

	memset(w->nsw, 0, sizeof(w->nsw));
	for (const char *p = text; *p;) {
		size_t len;

		p += strspn(p, " ,;");
		len = strcspn(p, " ,;");
		if (!len)
			break;
		if (len == 7 && !strncmp(p, "sender:", 7))
			side = 0;
		else if (len == 9 && !strncmp(p, "receiver:", 9))
			side = 1;
		else if (len == 9 && !strncmp(p, "voluntary", 9))
			kind = 0;
		else if (len == 11 && !strncmp(p, "involuntary", 11))
			kind = 1;
		else if (side >= 0 && kind >= 0 && w->nsw[side * 2 + kind] < WORK_SWITCH_RUNS)
			w->sw[side * 2 + kind][w->nsw[side * 2 + kind]++] = strtod(p, NULL);
		p += len;
	}
}

int work_sig_add(struct work_sig *w, const struct ipcb_rows *rs, size_t i, char *err, size_t errlen)
{
	const char *scope = ipcb_rows_get(rs, i, IPCB_COL_COUNT_SCOPE);
	char at[IPCB_ROWS_WHERE_BYTES];
	double v[3][2], b[4];
	int known = 0, rc;

	/* A point its run could not count: the row says why, and has no counts. */
	if (!strncmp(scope, "not counted", 11)) {
		if (!w->have) {
			w->have = w->uncounted = true;
			snprintf(w->scope, sizeof(w->scope), "%s", scope);
		}
		w->rows++;
		return 0;
	}

	for (int k = 0; k < 3; k++)
		for (int s = 0; s < 2; s++) {
			rc = ipcb_rows_num(rs, i, count_columns[k][s], true, &v[k][s], err, errlen);
			if (rc < 0)
				return rc;
			if (isnan(v[k][s]))
				return ipcb_parse_fail(err, errlen, "%s: a counted row without %s",
						       ipcb_rows_where(rs, i, at, sizeof(at)),
						       ipcb_csv_name(count_columns[k][s]));
		}
	for (int k = 0; k < 4; k++) {
		rc = ipcb_rows_num(rs, i, bytes_columns[k], true, &b[k], err, errlen);
		if (rc < 0)
			return rc;
		known += !isnan(b[k]);
	}
	if (known % 4)
		return ipcb_parse_fail(err, errlen,
				       "%s: a counted row with %d of the 4 kernel bytes columns",
				       ipcb_rows_where(rs, i, at, sizeof(at)), known);
	if (!w->have) {
		w->have = true;
		for (int s = 0; s < 2; s++) {
			w->instr[s] = v[0][s];
			w->transport[s] = v[1][s];
			w->calls[s] = v[2][s];
		}
		w->bytes_known = known == 4;
		memcpy(w->bytes, b, sizeof(b));
		snprintf(w->by_name, sizeof(w->by_name), "%s",
			 ipcb_rows_get(rs, i, IPCB_COL_SYSCALLS));
		snprintf(w->check, sizeof(w->check), "%s",
			 ipcb_rows_get(rs, i, IPCB_COL_COUNT_CHECK));
		snprintf(w->scope, sizeof(w->scope), "%s",
			 ipcb_rows_get(rs, i, IPCB_COL_COUNT_SCOPE));
		snprintf(w->objects, sizeof(w->objects), "%s",
			 ipcb_rows_get(rs, i, IPCB_COL_KERNEL_OBJECTS));
		switches_parse(w, ipcb_rows_get(rs, i, IPCB_COL_SWITCHES_PER_RUN));
	}
	for (int k = 0; k < 3; k++)
		for (int s = 0; s < 2; s++) {
			const double first = k == 0   ? w->instr[s]
					     : k == 1 ? w->transport[s]
						      : w->calls[s];

			if (first > 0)
				w->spread = fmax(w->spread, fabs(v[k][s] / first - 1));
		}
	w->rows++;
	return 0;
}

/* One side's calls of one name in a syscalls column ("sender: write 1, read 0.5; receiver: ...").
 */
static double calls_of(const char *text, const char *side, const char *name)
{
	const char *p = strstr(text, side);
	size_t n = strlen(name);

	if (!p)
		return 0;
	p += strlen(side);
	while (*p == ':' || *p == ' ')
		p++;
	while (*p && *p != ';') {
		size_t len = strcspn(p, " ,;");

		if (len == n && !strncmp(p, name, n))
			return atof(p + len);
		p += strcspn(p, ",;");
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/* Every call name either side's syscalls column has, once, into names (n of them). */
static size_t call_names(const char *a, const char *b, char names[][32], size_t cap)
{
	size_t n = 0;

	for (const char *t = a; t; t = t == a ? b : NULL)
		for (const char *p = t; *p;) {
			size_t len;

			p += strspn(p, " ,;");
			if (!strncmp(p, "sender:", 7) || !strncmp(p, "receiver:", 9)) {
				p = strchr(p, ':') + 1;
				continue;
			}
			len = strcspn(p, " ,;");
			if (len && len < 32 && n < cap) {
				size_t k = 0;

				while (k < n &&
				       (strlen(names[k]) != len || strncmp(names[k], p, len)))
					k++;
				if (k == n)
					snprintf(names[n++], 32, "%.*s", (int)len, p);
			}
			p += len;
			p += strcspn(p, ",;");
		}
	return n;
}

/* Append to out (n bytes): "; " between the items. */
static void say(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *out, size_t n, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;

	if (len + 3 >= n)
		return;
	if (len) {
		memcpy(out + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out + len, n - len, fmt, ap);
	va_end(ap);
}

static bool moved(double a, double b, double abs_floor)
{
	double d = fabs(b - a);

	return d > abs_floor && d > WORK_EXACT * fabs(a);
}

static void minmax(const double *v, size_t n, double *lo, double *hi)
{
	*lo = *hi = v[0];
	for (size_t i = 1; i < n; i++) {
		*lo = fmin(*lo, v[i]);
		*hi = fmax(*hi, v[i]);
	}
}

/*
 * Do two builds' runs of one switches part differ: every run of one beyond every run of the
 * other, by more than the band's widening? lo and hi: each side's range, for the note.
 */
static bool switches_moved(const double *a, size_t na, const double *b, size_t nb, double lo[2],
			   double hi[2])
{
	minmax(a, na, &lo[0], &hi[0]);
	minmax(b, nb, &lo[1], &hi[1]);
	return lo[1] > hi[0] * (1 + WORK_SWITCH_REL) + WORK_SWITCH_ABS ||
	       hi[1] < (lo[0] - WORK_SWITCH_ABS) / (1 + WORK_SWITCH_REL);
}

/* The items of one section ("sender: a, b, c") of a kernel_objects text, as a list. */
static size_t section_items(const char *text, const char *name, const char **item, size_t *len,
			    size_t cap)
{
	const char *p = text;
	size_t n = 0, nlen = strlen(name);

	while (p && (strncmp(p, name, nlen) || p[nlen] != ':'))
		p = (p = strstr(p, "; ")) ? p + 2 : NULL;
	if (!p)
		return 0;
	p += nlen + 1;
	while (*p && *p != ';' && n < cap) {
		p += strspn(p, " ,");
		item[n] = p;
		len[n] = strcspn(p, ",;");
		p += len[n];
		n += len[n] > 0;
	}
	return n;
}

static bool item_in(const char *it, size_t len, const char **items, const size_t *lens, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lens[i] == len && !strncmp(items[i], it, len))
			return true;
	return false;
}

/* What differs between two kernel_objects texts, section by section, into out. */
static void objects_diff(const char *a, const char *b, char *out, size_t n)
{
	static const char *const sections[3] = {"sender", "receiver", "made by the run"};

	for (int s = 0; s < 3; s++) {
		const char *ia[64], *ib[64];
		size_t la[64], lb[64], na = section_items(a, sections[s], ia, la, 64),
				       nb = section_items(b, sections[s], ib, lb, 64);
		char gone[256] = "", come[256] = "";

		for (size_t i = 0; i < na; i++)
			if (!item_in(ia[i], la[i], ib, lb, nb) &&
			    strlen(gone) + la[i] + 3 < sizeof(gone))
				snprintf(gone + strlen(gone), sizeof(gone) - strlen(gone), "%s%.*s",
					 gone[0] ? ", " : "", (int)la[i], ia[i]);
		for (size_t i = 0; i < nb; i++)
			if (!item_in(ib[i], lb[i], ia, la, na) &&
			    strlen(come) + lb[i] + 3 < sizeof(come))
				snprintf(come + strlen(come), sizeof(come) - strlen(come), "%s%.*s",
					 come[0] ? ", " : "", (int)lb[i], ib[i]);
		if (gone[0] || come[0])
			say(out, n, "%s's kernel objects: %s in BASE, %s in NEW", sections[s],
			    gone[0] ? gone : "nothing more", come[0] ? come : "nothing more");
	}
}

/* Why counts cannot say "the same work" of one side's signature, or NULL. */
static const char *incomplete(const struct work_sig *w)
{
	if (w->uncounted)
		return w->scope;
	if (strcmp(w->check, "exact"))
		return "its counts are not exact";
	if (w->spread > WORK_EXACT)
		return "its counted rows differ";
	if (!w->scope[0])
		return "no signature beyond the counts (a file of an older ipcbench)";
	if (strcmp(w->scope, "complete"))
		return w->scope;
	return NULL;
}

void work_compare(const struct work_sig *base, const struct work_sig *neww, double threshold,
		  struct work_change *out)
{
	const struct work_sig *w[2] = {base, neww};
	const char *why[2] = {incomplete(base), incomplete(neww)};
	char names[32][32], whys[2][300];
	size_t nn;
	bool any = false;
	/* Counts that are the work: the check exact, the rows agreeing, the point counted. */
	bool exact = !base->uncounted && !neww->uncounted && !strcmp(base->check, "exact") &&
		     !strcmp(neww->check, "exact") && base->spread <= WORK_EXACT &&
		     neww->spread <= WORK_EXACT;

	memset(out, 0, sizeof(*out));
	for (int s = 0; s < 2; s++)
		out->total[s] = w[s]->instr[0] + w[s]->instr[1];
	out->change = out->total[0] > 0 ? out->total[1] / out->total[0] - 1 : 0;
	out->complete = !why[0] && !why[1];
	for (int s = 0; s < 2; s++) {
		if (!why[s])
			continue;
		if (!w[s]->uncounted && strcmp(w[s]->check, "exact"))
			snprintf(whys[s], sizeof(whys[s]), "its counts are not exact (%s)",
				 w[s]->check[0] ? w[s]->check : "unchecked");
		else
			snprintf(whys[s], sizeof(whys[s]), "%s", why[s]);
	}
	/* The same reason on both sides is said once. */
	if (why[0] && why[1] && !strcmp(whys[0], whys[1]))
		say(out->why, sizeof(out->why), "%s", whys[0]);
	else
		for (int s = 0; s < 2; s++)
			if (why[s])
				say(out->why, sizeof(out->why), "%s: %s", s ? "NEW" : "BASE",
				    whys[s]);
	/*
	 * Instructions, each side's, with the transport's share of the change. That the work grew
	 * is said only of counts exact on both sides: timing-dependent ones are not the work.
	 */
	for (int s = 0; s < 2; s++) {
		double a = base->instr[s], d = neww->instr[s] - a;

		if (exact && a > 0 && d / a > threshold)
			out->grew = true;
		if (!moved(a, neww->instr[s], WORK_EXACT_INSTR))
			continue;
		any = true;
		say(out->why, sizeof(out->why),
		    "%s %+.1f instructions per message (%+.2f%%), %+.1f in the transport", sides[s],
		    d, a > 0 ? d / a * 100 : 100.0, neww->transport[s] - base->transport[s]);
	}
	/* System calls, each side's by name. */
	for (int s = 0; s < 2; s++) {
		double a = base->calls[s], d = neww->calls[s] - a;

		if (exact && ((a > 0 && d / a > threshold) || (a == 0 && d >= WORK_EXACT_CALLS)))
			out->grew = true;
		any |= moved(a, neww->calls[s], WORK_EXACT_CALLS);
	}
	nn = call_names(base->by_name, neww->by_name, names, 32);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < nn; i++) {
			double a = calls_of(base->by_name, sides[s], names[i]);
			double b = calls_of(neww->by_name, sides[s], names[i]);

			if (!moved(a, b, WORK_EXACT_CALLS))
				continue;
			any = true;
			say(out->why, sizeof(out->why), "%s %+.4g %s per message", sides[s], b - a,
			    names[i]);
		}
	/* Bytes through the kernel: known on both sides, or the signature is partial. */
	if (base->bytes_known != neww->bytes_known) {
		out->complete = false;
		say(out->why, sizeof(out->why), "bytes through the kernel traced in %s only",
		    base->bytes_known ? "BASE" : "NEW");
	} else if (base->bytes_known) {
		for (int k = 0; k < 4; k++)
			/* Exact: the same messages move the same bytes, however the calls split. */
			if (fabs(neww->bytes[k] - base->bytes[k]) > WORK_EXACT_BYTES) {
				any = true;
				say(out->why, sizeof(out->why), "%s per message %.6g -> %.6g",
				    byte_parts[k], base->bytes[k], neww->bytes[k]);
			}
	}
	/* Kernel objects: the same text, or what differs. */
	if (!base->objects[0] != !neww->objects[0]) {
		out->complete = false;
		say(out->why, sizeof(out->why), "kernel objects described in %s only",
		    base->objects[0] ? "BASE" : "NEW");
	} else if (strcmp(base->objects, neww->objects)) {
		any = true;
		objects_diff(base->objects, neww->objects, out->why, sizeof(out->why));
	}
	/* Context switches: each part against the band of the other build's runs. */
	for (int k = 0; k < 4; k++) {
		double lo[2], hi[2];

		if (!base->nsw[k] || !neww->nsw[k]) {
			if (base->nsw[k] || neww->nsw[k])
				out->complete = false;
			continue;
		}
		if (!switches_moved(base->sw[k], base->nsw[k], neww->sw[k], neww->nsw[k], lo, hi))
			continue;
		any = true;
		say(out->why, sizeof(out->why),
		    "%s switches per message %.3g-%.3g in BASE's %zu runs, %.3g-%.3g in NEW's",
		    parts[k], lo[0], hi[0], base->nsw[k], lo[1], hi[1]);
	}
	out->unchanged = out->complete && !any;
}
