/* SPDX-License-Identifier: MIT */
/*
 * signature.c - what --count's passes hand each other (counting.c runs them): the native pass
 * notes each run's context switches and kernel objects, the traced pass which run tag each
 * point had, the driver between them the bytes each side moved (from the trace), and the counted
 * pass reads it all back into each point's counted row: the point's work signature.
 *
 * The files are lines of tab-separated fields, first the point's key (point_key()), which is
 * the same in every pass of one command line: the passes run the same plan.
 */
#include "drv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "sysbytes.h"

#define NATIVE_FILE "native.tsv"
#define POINTS_FILE "points.tsv"
#define BYTES_FILE  "bytes.tsv"
/* The native pass: each run this long, and at least the counted messages. */
#define NATIVE_RUN_S 0.05

/* The point a row measured, as every pass names it: no tab or newline in it. */
static void point_key(const struct ipcb_row *row, char *out, size_t n)
{
	snprintf(out, n, "%s %d,%d %s [%s] [%s] %s %zu %s", row->placement, row->cpu[0],
		 row->cpu[1], row->transport, row->options ? row->options : "",
		 row->tuning ? row->tuning : "", row->mode, row->size_bytes,
		 row->wait ? row->wait : "");
	for (char *c = out; *c; c++)
		if (*c == '\t' || *c == '\n')
			*c = ' ';
}

/* A text field: tabs and newlines (which no description holds) made spaces. */
static void field(FILE *f, const char *s)
{
	fputc('\t', f);
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

void ipcb_count_pass_setup(struct driver *d)
{
	/* The native and traced passes write no output of the user's: the counted pass does. */
	d->o.csv_path = d->o.hdr_log_path = d->o.hgrm_dir = d->o.json_path = NULL;
	d->o.db_path = NULL;
	d->o.quiet = true;
	if (d->count_pass == IPCB_COUNT_NATIVE) {
		/* Several runs, so that the switches' spread over runs is measured, not guessed. */
		d->o.repeat = IPCB_COUNT_NATIVE_RUNS;
		d->o.min_messages = d->o.messages;
		d->o.messages = 0;
		d->o.duration_s = NATIVE_RUN_S;
	}
}

bool ipcb_count_note(struct driver *d, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	char path[PATH_MAX], key[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->count_dir,
		 d->count_pass == IPCB_COUNT_NATIVE ? NATIVE_FILE : POINTS_FILE);
	f = fopen(path, "ae");
	if (!f) {
		fprintf(stderr, "%s: --count: %s: %s\n", prog, path, strerror(errno));
		return false;
	}
	point_key(row, key, sizeof(key));
	fputs(key, f);
	if (d->count_pass == IPCB_COUNT_NATIVE) {
		double m = r->messages ? (double)r->messages : 1;

		for (int k = 0; k < 2; k++)
			fprintf(f, "\t%.6f\t%.6f",
				(double)(r->ctx_switches[k] - r->ctx_involuntary[k]) / m,
				(double)r->ctx_involuntary[k] / m);
		field(f, r->kernel_objects[0]);
		field(f, r->kernel_objects[1]);
		field(f, r->kernel_sysv);
	} else {
		field(f, r->tag);
	}
	fputc('\n', f);
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: --count: %s: %s\n", prog, path, strerror(errno));
		return false;
	}
	return true;
}

bool ipcb_count_ran(const struct driver *d, const struct ipcb_transport *t)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0, n = strlen(t->name);
	bool ran = false;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", d->count_dir, NATIVE_FILE);
	in = fopen(path, "re");
	while (in && !ran && getline(&line, &cap, in) >= 0) {
		/* "placement cpu,cpu transport [options] ...": the third word. */
		const char *p = strchr(line, ' ');

		p = p ? strchr(p + 1, ' ') : NULL;
		ran = p && !strncmp(p + 1, t->name, n) && p[1 + n] == ' ';
	}
	if (in)
		fclose(in);
	free(line);
	return ran;
}

/* The fields of one line, cut in place at its tabs. */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

void ipcb_count_trace_read(const char *dir)
{
	char path[PATH_MAX], err[256], *line = NULL, *f[3];
	struct ipcb_sysbytes_side *sides = NULL;
	size_t n = 0, cap = 0;
	FILE *in, *pts, *out;
	int rc;

	snprintf(path, sizeof(path), "%s/trace", dir);
	in = fopen(path, "re");
	rc = in ? ipcb_sysbytes_read(in, &sides, &n, err, sizeof(err)) : -errno;
	if (in)
		fclose(in);
	if (rc) {
		fprintf(stderr, "%s: --count: %s: %s\n", prog, path, in ? err : strerror(-rc));
		return;
	}
	/* The trace is large; only what was read from it is kept. */
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, POINTS_FILE);
	pts = fopen(path, "re");
	snprintf(path, sizeof(path), "%s/%s", dir, BYTES_FILE);
	out = pts ? fopen(path, "we") : NULL;
	while (out && getline(&line, &cap, pts) >= 0) {
		const struct ipcb_sysbytes_side *s[2] = {NULL, NULL};

		if (fields(line, f, 3) != 2)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(sides[i].tag, f[1]) && sides[i].side < 2 && sides[i].done &&
			    sides[i].messages)
				s[sides[i].side] = &sides[i];
		if (!s[0] || !s[1])
			continue;
		fputs(f[0], out);
		for (int k = 0; k < 2; k++)
			fprintf(out, "\t%.4f\t%.4f\t%.4f",
				(double)s[k]->out / (double)s[k]->messages,
				(double)s[k]->in / (double)s[k]->messages,
				(double)s[k]->unseen / (double)s[k]->messages);
		fputc('\n', out);
	}
	if (out && fclose(out) != 0)
		fprintf(stderr, "%s: --count: %s: %s\n", prog, path, strerror(errno));
	if (pts)
		fclose(pts);
	free(line);
	free(sides);
}

/* "0.44 0.52 1": a side's values over the native runs, in the order they ran. */
static size_t values_text(const double *v, size_t n, char *out, size_t len)
{
	size_t w = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && w < len; i++)
		w += (size_t)snprintf(out + w, len - w, "%s%.4g", i ? " " : "", v[i]);
	return w;
}

/* The native runs' lines of a point: switches (4 per run) and the first run's objects. */
static void native_read(const char *dir, const char *key, struct ipcb_count_sig *sig)
{
	char path[PATH_MAX], *line = NULL, *f[8], first[3 * IPCB_KOBJ_TEXT + 8] = "",
			     now[3 * IPCB_KOBJ_TEXT + 8];
	double v[4][IPCB_COUNT_NATIVE_RUNS * 4];
	size_t n = 0, cap = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, NATIVE_FILE);
	in = fopen(path, "re");
	while (in && getline(&line, &cap, in) >= 0) {
		if (fields(line, f, 8) != 8 || strcmp(f[0], key))
			continue;
		snprintf(now, sizeof(now), "sender: %s; receiver: %s%s%s", *f[5] ? f[5] : "none",
			 *f[6] ? f[6] : "none", *f[7] ? "; made by the run: " : "", f[7]);
		if (n == 0)
			snprintf(first, sizeof(first), "%s", now);
		else if (strcmp(first, now))
			sig->objects_vary = true;
		for (int k = 0; k < 4 && n < sizeof(v[0]) / sizeof(v[0][0]); k++)
			v[k][n] = strtod(f[1 + k], NULL);
		n++;
	}
	if (in)
		fclose(in);
	free(line);
	if (!n)
		return;
	snprintf(sig->objects, sizeof(sig->objects), "%s", first);
	sig->switches = true;
	sig->runs = n;
	for (int k = 0; k < 4; k++) {
		char text[160];

		values_text(v[k], n, text, sizeof(text));
		snprintf(sig->values[k], sizeof(sig->values[k]), "%s", text);
		ipcb_stats_median(v[k], n, &sig->median[k]);
	}
}

static void bytes_read(const char *dir, const char *key, struct ipcb_count_sig *sig)
{
	char path[PATH_MAX], *line = NULL, *f[8];
	size_t cap = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, BYTES_FILE);
	in = fopen(path, "re");
	while (in && getline(&line, &cap, in) >= 0) {
		if (fields(line, f, 8) != 7 || strcmp(f[0], key))
			continue;
		for (int k = 0; k < 2; k++) {
			sig->out[k] = strtod(f[1 + 3 * k], NULL);
			sig->in[k] = strtod(f[2 + 3 * k], NULL);
			sig->unseen[k] = strtod(f[3 + 3 * k], NULL);
		}
		sig->bytes = true;
		break;
	}
	if (in)
		fclose(in);
	free(line);
}

void ipcb_count_signature(const struct driver *d, const struct ipcb_row *row,
			  struct ipcb_count_sig *sig)
{
	char key[1024], what[200] = "";
	size_t len = 0;

	memset(sig, 0, sizeof(*sig));
	point_key(row, key, sizeof(key));
	native_read(d->count_dir, key, sig);
	bytes_read(d->count_dir, key, sig);
	/* What the counts leave out, in the words of the row's count_scope. */
	if (row->server)
		len += (size_t)snprintf(what + len, sizeof(what) - len,
					"%sthe server's work (another process) is not counted",
					len ? "; " : "");
	if (!sig->switches)
		len += (size_t)snprintf(what + len, sizeof(what) - len,
					"%sno native run (context switches and kernel objects)",
					len ? "; " : "");
	else if (sig->objects_vary)
		len += (size_t)snprintf(what + len, sizeof(what) - len,
					"%sthe kernel objects differed between native runs",
					len ? "; " : "");
	if (!sig->bytes)
		len += (size_t)snprintf(what + len, sizeof(what) - len,
					"%sno trace (bytes through the kernel)", len ? "; " : "");
	else if (sig->unseen[0] > 0 || sig->unseen[1] > 0)
		snprintf(what + len, sizeof(what) - len,
			 "%sio_uring moves bytes the trace does not show", len ? "; " : "");
	snprintf(sig->scope, sizeof(sig->scope), "%s%s", what[0] ? "partial: " : "complete", what);
}
