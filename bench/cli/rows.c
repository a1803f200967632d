/* SPDX-License-Identifier: MIT */
/*
 * rows.c - a run's rows, as it ends: the table and every output, the one-way rows where the
 * clocks allow them, the open loop's own rows, and the lines said under them (segments per
 * message, losses, a broadcast's fan-out), or the run's failure.
 */
#include "drv.h"
#include "driver.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "format.h"
#include "slept.h"

/* One-way rows are kept only when the clock check's bound is this small a part of their p50. */
#define ONE_WAY_MAX_SKEW_SHARE 0.1

void ipcb_rows_progress(struct driver *d, const struct place *pl, const struct ipcb_row *row,
			double rate)
{
	char sz[16], shape[96];
	double elapsed = (double)(ipcb_now_ns() - d->started_ns) / 1e9;

	if (d->o.quiet)
		return;
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	ipcb_row_shape(row, rate, shape, sizeof(shape));
	fprintf(stderr, "[%zu/%zu %5.1fs] %s %s %s %s%s%s", d->runs_done + 1, d->runs_total,
		elapsed, ipcb_place_text(pl), row->transport, row->mode, sz, shape[0] ? ", " : "",
		shape);
	if (d->o.repeat > 1)
		fprintf(stderr, " round %u/%u", row->run - d->o.first_round + 1, d->o.repeat);
	if (d->runs_done > 0) {
		double left =
		    elapsed / (double)d->runs_done * (double)(d->runs_total - d->runs_done);

		fprintf(stderr, " (about %.0fs left)", left);
	}
	fputc('\n', stderr);
}

double ipcb_rows_p50(const struct ipcb_hist *h)
{
	return h ? (double)ipcb_hist_value_at_percentile(h, 50) : 0;
}

void ipcb_rows_latencies(struct ipcb_row *row, const struct ipcb_hist *h)
{
	row->hist = h;
	if (h)
		ipcb_hist_summarise(h, &row->lat);
	else
		memset(&row->lat, 0, sizeof(row->lat));
}

/*
 * A row faster than its probe's cache-line round trip allows: a round trip between two CPUs
 * cannot beat a bare cache line bounced between them (a one-way delay, half of it), so the CPUs
 * were not what the probe found while it ran (two virtual CPUs on one core for a moment).
 * Across CPUs only: on one CPU the probe yields the CPU on every turn, which a sleeping
 * transport may beat.
 */
/* Below this share of the probe's round trip: clock ticks of tens of ns and the probe's own
 * noise never take a row this far under it. */
#define BELOW_FLOOR_SHARE 0.8

static bool below_floor(const struct place *pl, const struct ipcb_row *row)
{
	double p50, floor = pl->probe_cl_ns;

	/* Floors and the harness (rows that move no message) are not held to it. */
	if (!row->hist || !row->latency_kind || floor <= 0 || !ipcb_place_two_cpus(pl) ||
	    !row->verify)
		return false;
	p50 = (double)row->lat.pct[IPCB_PCT_50];
	if (strcmp(row->latency_kind, "rtt") == 0)
		return p50 > 0 && p50 < BELOW_FLOOR_SHARE * floor;
	if (strncmp(row->latency_kind, "one_way", 7) == 0)
		return p50 > 0 && p50 < BELOW_FLOOR_SHARE * floor / 2;
	return false;
}

/*
 * Where a row's table line and its notes go: a buffer of their own, kept until the sweep ends;
 * standard output itself where there is no memory for one (the line is not lost, only unsorted).
 */
static FILE *table_open(struct driver *d, char **text, size_t *len)
{
	FILE *f;

	*text = NULL;
	*len = 0;
	if (d->out->nlines == d->out->lines_cap) {
		size_t cap = d->out->lines_cap ? 2 * d->out->lines_cap : 64;
		struct table_line *l = realloc(d->out->lines, cap * sizeof(*l));

		if (!l)
			return stdout;
		d->out->lines = l;
		d->out->lines_cap = cap;
	}
	f = open_memstream(text, len);
	return f ? f : stdout;
}

/* The buffered line kept with its place in the plan (a stream of stdout: nothing to keep). */
static void table_close(struct driver *d, FILE *f, char **text)
{
	struct table_line *l;

	if (f == stdout)
		return;
	if (fclose(f) != 0 || !*text) {
		free(*text);
		return;
	}
	l = &d->out->lines[d->out->nlines];
	l->point = d->out->table_point;
	l->round = d->round;
	l->seq = d->out->nlines++;
	l->text = *text;
	*text = NULL;
}

static int table_line_cmp(const void *a, const void *b)
{
	const struct table_line *x = a, *y = b;

	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ipcb_rows_table_flush(struct driver *d)
{
	struct outputs *o = d->out;

	if (!o)
		return;
	errno = 0;
	if (o->table_header)
		ipcb_table_header(stdout, &o->table);
	o->table_header = false;
	if (o->nlines)
		qsort(o->lines, o->nlines, sizeof(*o->lines), table_line_cmp);
	for (size_t i = 0; i < o->nlines; i++) {
		fputs(o->lines[i].text, stdout);
		free(o->lines[i].text);
	}
	o->nlines = 0;
	ipcb_stdout_note();
}

static int (*answers_fn)(const char *csv, size_t len, FILE *out);

void ipcb_driver_answers_set(int (*answers)(const char *csv, size_t len, FILE *out))
{
	answers_fn = answers;
}

void ipcb_rows_answers(struct driver *d)
{
	struct ipcb_memcsv *a = &d->out->answers;

	/* Two rows at least: a single point has nothing to rank. */
	if (answers_fn && !d->o.quiet && a->nrows > 1 && ipcb_memcsv_finish(a) == 0) {
		errno = 0;
		if (answers_fn(a->buf, a->len, stdout) < 0)
			fprintf(stderr,
				"%s: the answers in brief could not be made of the sweep's "
				"rows (ipcbench report of its CSV gives them)\n",
				prog);
		ipcb_stdout_note();
	}
	ipcb_memcsv_free(a);
}

void ipcb_rows_emit(struct driver *d, const struct place *pl, const struct ipcb_row *measured)
{
	FILE *table_out;
	char *text;
	size_t text_len;
	char tag[256], why[IPCB_CSV_ERR_BYTES], state[64] = "", sz[16];
	/*
	 * One timestamp for the row in every output: the CSV and the JSON must agree. Static: a
	 * row is a large part of a small stack (ulimit -s), and rows go out one at a time, from
	 * the driver's thread.
	 */
	static struct ipcb_row stamped;
	const struct ipcb_row *row = &stamped;
	bool below, changed;
	int rc;

	stamped = *measured;
	stamped.when = time(NULL);
	below = below_floor(pl, row);
	stamped.seed = d->o.seed;
	stamped.hosts_slot = d->o.hosts_slot;
	if (pl->probed) {
		stamped.probe_cl_ns = pl->probe_cl_ns;
		stamped.probe_wk_ns = pl->probe_wk_ns;
		stamped.probe_cl_after_ns = pl->probe_cl_after_ns;
	}
	changed = pl->probed && pl->probe_cl_after_ns > 0 &&
		  ipcb_probes_jumped(pl->probe_cl_after_ns, pl->probe_cl_ns);
	snprintf(state, sizeof(state), "%s%s%s%s%s", below ? "below-floor" : "",
		 below && pl->probe_jump ? ";" : "", pl->probe_jump ? "probe-jump" : "",
		 (below || pl->probe_jump) && changed ? ";" : "", changed ? "state-changed" : "");
	stamped.state = state;
	table_out = table_open(d, &text, &text_len);
	errno = 0;
	ipcb_table_row(table_out, &d->out->table, row);
	/* Named where it stands: a flagged row is never ranked silently (its main row, once). */
	if ((pl->probe_jump || changed) && !below && !d->o.quiet &&
	    (!row->latency_kind || strcmp(row->latency_kind, "rtt") == 0)) {
		ipcb_format_size(row->size_bytes, sz, sizeof(sz));
		fprintf(
		    table_out,
		    "# ^ %s %s %s round %u: %s: cache-line probe %.0f ns before the run, %.0f ns "
		    "after, wake-up probe %.0f ns; the machine was not in its usual state\n",
		    row->transport, row->mode, sz, row->run, state, pl->probe_cl_ns,
		    pl->probe_cl_after_ns, pl->probe_wk_ns);
	}
	if (below && !d->o.quiet) {
		ipcb_format_size(row->size_bytes, sz, sizeof(sz));
		fprintf(
		    table_out,
		    "# ^ %s %s %s round %u: below-floor: p50 %.0f ns is under the probe's "
		    "cache-line round trip of %.0f ns; the CPUs were not what the probe found\n",
		    row->transport, row->mode, sz, row->run, (double)row->lat.pct[IPCB_PCT_50],
		    pl->probe_cl_ns);
	}
	if (row->note && !d->o.quiet)
		fprintf(table_out, "# %s\n", row->note);
	table_close(d, table_out, &text);
	ipcb_stdout_note();
	/* Rows on standard output whose reader has gone (`| head`): none are written after. */
	if (d->out->csv.open &&
	    !(d->interrupted == SIGPIPE && ipcb_outfile_is_stdout(d->o.csv_path))) {
		rc = ipcb_csv_row(&d->out->csv, row, &d->si, why, sizeof(why));
		if (d->out->csv.note[0])
			fprintf(stderr, "%s: warning: --csv %s: %s\n", prog, d->out->csv.path,
				d->out->csv.note);
		if (rc == -EPIPE && ipcb_outfile_is_stdout(d->o.csv_path)) {
			/*
			 * The reader closed the pipe: the sweep stops, as a writer in a pipeline
			 * does on SIGPIPE (and with its status), the rows it read whole.
			 */
			fprintf(stderr,
				"%s: --csv -: the reader of standard output closed it: the sweep "
				"stops\n",
				prog);
			d->interrupted = SIGPIPE;
		} else if (rc < 0) {
			ipcb_outputs_tag(row, tag, sizeof(tag), ' ');
			fprintf(stderr, "%s: --csv %s: write failed: %s (row %s not written)\n",
				prog, d->out->csv.path, why, tag);
			d->out->failed = true;
		}
	}
	if (d->out->json.open &&
	    ipcb_jsonout_row(&d->out->json, row, &d->si, why, sizeof(why)) < 0) {
		ipcb_outputs_tag(row, tag, sizeof(tag), ' ');
		fprintf(stderr, "%s: --json %s: %s (row %s left out)\n", prog, d->o.json_path, why,
			tag);
		d->out->failed = true;
	}
	/* Kept for the closing answers: a row that cannot be kept only leaves them out. */
	if (ipcb_memcsv_row(&d->out->answers, row, &d->si, why, sizeof(why)) < 0)
		ipcb_memcsv_free(&d->out->answers);
	if (d->out->hist && ipcb_csv_row_history(d->out->hist, row, &d->si, why, sizeof(why)) < 0) {
		ipcb_outputs_tag(row, tag, sizeof(tag), ' ');
		fprintf(stderr, "%s: --db %s (row %s not stored)\n", prog, why, tag);
		d->out->failed = true;
	}
	if (row->hist && row->latency_kind && ipcb_outputs_histogram(d, row) < 0)
		d->out->failed = true;
}

/* Did a side of this round trip sleep for its messages (slept.h)? */
static bool run_slept(const struct ipcb_run_result *r)
{
	double vol[2];

	if (r->messages == 0)
		return false;
	for (int k = 0; k < 2; k++)
		vol[k] = (double)(r->ctx_switches[k] - r->ctx_involuntary[k]) / (double)r->messages;
	return ipcb_slept(ipcb_waiting_switches(true, vol[0], vol[1]));
}

/*
 * A row's ceiling, what the machine allows a run of its kind through this harness: the floors of
 * the same placement (this round's, else the probes' beside the run) and the harness's own time
 * per message beside it (harness_ns, the null transport's), and the row as a multiple of it.
 * Its copies: on two CPUs each message crosses once, copied out of the other CPU's cache at
 * floor-xcopy's rate (a writer's copy in overlaps the reader's copy out of the message before);
 * on one CPU the writer's copy in and the reader's copy out take turns on it at floor-memcpy's
 * rate, two copies a message. A stream: its messages' copies plus the harness's time, as a rate;
 * on two CPUs at least the hand-over of each message, one announced on a line of its own and
 * taken in order (floor-handover, about 40 ns on the EPYC guest), which bounds a stream of
 * small messages where its copy (a few nanoseconds) does not.
 * A round trip: the hand-over, the cache-line round trip where its sides poll and the wake-up
 * round trip where one sleeps, plus the payload's copies both ways (where the copy was
 * measured) and the harness's time. Across two CPUs, a polled round trip of a message that
 * floor-mailbox moves whole (up to 16 KiB) counts its hand-overs and copies as the mailbox's
 * round trip of its size, measured, in their place: there each side copies a message in, then
 * the other copies it out of the first one's cache, one after the other and at a single
 * message's rates, which neither the cache-line round trip nor a stream of copies (whose
 * copies in and out overlap) times (on an AMD EPYC guest, 4 KiB: a copy out alone at 31 GB/s
 * against floor-xcopy's 67, and the model's 0.27 us against the mailbox's 0.56). A larger
 * message crosses in pieces, whose copies overlap as a stream's do: the model.
 * A one-way delay (share 0.5): half of the round trip's.
 * A mechanism whose messages take system calls (its transport's `syscalls`) pays each at least
 * the cheapest call's time (floor-syscall): a stream on two CPUs at least the reader's copy and
 * calls, or the writer's calls, a message (the sides call at once), where that takes longer
 * than the hand-over; on one CPU both sides' calls beside its copies; a polled round trip both
 * sides' calls each way; a round trip whose reader slept is bound by the wake-up, itself a call
 * on each side, and counts each side's others beside it. The row's ceiling names the parts
 * ("probe-cacheline+floor-xcopy+harness"). What a mechanism does beyond these (what its calls
 * do in the kernel, a whole message copied before the reader may start, a stream's
 * per-message hand-over) is its own cost. Without a measured ceiling (--no-probes, an unpinned
 * placement) the row has none.
 */
static void row_ceiling(const struct place *pl, struct ipcb_row *row, size_t size_index,
			double share)
{
	const struct ipcb_run_result *r = row->res;
	const struct ipcb_transport *t = row->spec ? row->spec->t : NULL;
	const char *copy_name = NULL, *hand = NULL, *calls_name = "";
	double p50, c = 0, copy = 0, harness = row->harness_ns > 0 ? row->harness_ns : 0;
	double copies = 1;	  /* copies of a message at the copy's rate, one way */
	double calls[2] = {0, 0}; /* ns of each side's system calls a message, at their floor */

	row->x_floor = 0;
	row->ceiling = NULL;
	if (size_index < IPCB_MAX_LIST && pl->xcopy_bytes_per_s[size_index] > 0) {
		copy_name = "floor-xcopy";
		copy = pl->xcopy_bytes_per_s[size_index];
	} else if (size_index < IPCB_MAX_LIST && pl->memcpy_bytes_per_s[size_index] > 0) {
		copy_name = "floor-memcpy";
		copy = pl->memcpy_bytes_per_s[size_index];
		copies = 2;
	}
	if (t && pl->syscall_ns > 0) {
		/* A message sent in pieces (chunk_bytes) makes its calls for each piece. */
		double pieces = row->chunk_bytes && row->size_bytes > row->chunk_bytes
				    ? ceil((double)row->size_bytes / (double)row->chunk_bytes)
				    : 1;

		for (int k = 0; k < 2; k++)
			calls[k] = t->syscalls[k] * pieces * pl->syscall_ns;
		if (calls[0] + calls[1] > 0)
			calls_name = "+floor-syscall";
	}
	if (!row->latency_kind) {
		if (r->bytes_per_s <= 0 || copy <= 0)
			return;
		c = copies * (double)row->size_bytes / copy * 1e9;
		/* Across two CPUs each message is handed over too: the larger of the bounds. */
		if (pl->handover_ns > c) {
			c = pl->handover_ns;
			copy_name = "floor-handover";
		}
		if (copies == 1 && *calls_name) {
			/*
			 * The sides call at once, each beside its own work: the reader's copy out
			 * and its calls, or the writer's calls, where either takes longer.
			 */
			double reader = copies * (double)row->size_bytes / copy * 1e9 + calls[1];

			if (reader >= calls[0] && reader > c) {
				c = reader;
				copy_name = "floor-xcopy"; /* one copy a message: two CPUs' */
			} else if (calls[0] > c) {
				c = calls[0];
				copy_name = "floor-syscall";
				calls_name = "";
			} else {
				calls_name = "";
			}
		} else {
			c += calls[0] + calls[1];
		}
		c += harness;
		row->x_floor = (double)row->size_bytes / c * 1e9 / r->bytes_per_s;
		snprintf(row->ceiling_text, sizeof(row->ceiling_text), "%s%s%s", copy_name,
			 calls_name, harness > 0 ? "+harness" : "");
		row->ceiling = row->ceiling_text;
		return;
	}
	if (run_slept(r)) {
		hand = pl->futex_p50_ns > 0 ? "floor-futex" : "probe-wakeup";
		c = pl->futex_p50_ns > 0 ? pl->futex_p50_ns : pl->probe_wk_ns;
		/* The wake-up is a call on each side: the others beside it, each way. */
		for (int k = 0; k < 2 && *calls_name; k++)
			c += 2 * (calls[k] > pl->syscall_ns ? calls[k] - pl->syscall_ns : 0);
		if (calls[0] <= pl->syscall_ns && calls[1] <= pl->syscall_ns)
			calls_name = "";
	} else if (t && copies == 1 && row->size_bytes <= IPCB_FLOOR_MAILBOX_WHOLE &&
		   pl->mailbox_p50_ns[size_index] > 0) {
		/*
		 * A transport's: its hand-overs and copies as the mailbox's, measured, none to add
		 * (the mailbox's own row keeps the model, and shows how far above it the machine's
		 * leanest round trip is).
		 */
		hand = "floor-mailbox";
		c = pl->mailbox_p50_ns[size_index] + 2 * (calls[0] + calls[1]);
		copy = 0;
	} else {
		hand = pl->cacheline_p50_ns > 0 ? "floor-cacheline" : "probe-cacheline";
		c = pl->cacheline_p50_ns > 0 ? pl->cacheline_p50_ns : pl->probe_cl_ns;
		c += 2 * (calls[0] + calls[1]);
	}
	p50 = (double)row->lat.pct[IPCB_PCT_50];
	if (c <= 0 || p50 <= 0)
		return;
	if (copy > 0)
		c += 2 * copies * (double)row->size_bytes / copy * 1e9;
	c += harness;
	snprintf(row->ceiling_text, sizeof(row->ceiling_text), "%s%s%s%s%s", hand,
		 copy > 0 ? "+" : "", copy > 0 ? copy_name : "", calls_name,
		 harness > 0 ? "+harness" : "");
	row->ceiling = row->ceiling_text;
	row->x_floor = p50 / (c * share);
}

/*
 * A one-way row, or the reason it is left out: one-way delays are only as good as the evidence
 * that both CPUs read the same clock. Returns NULL when emitted (or not measured), else why not.
 */
static const char *emit_one_way(struct driver *d, const struct place *pl, struct ipcb_row *row,
				size_t size_index, const char *kind, const struct ipcb_hist *h)
{
	/* Two hosts: each run measured the offset of the two clocks, and how well. */
	bool per_run = row->res->clock_per_run;
	int64_t bound = per_run ? row->res->clock_bound_ns : pl->clock.bound_ns;
	double against;

	if (!h || (!per_run && !pl->clock_checked))
		return NULL;
	ipcb_rows_latencies(row, h);
	/*
	 * An open loop's delays are read for their tail, against a bound of microseconds or more:
	 * there the clock check's bound must be small against the p99 (and stays in the row).
	 */
	against = (double)row->lat.pct[row->res->offered_rate > 0 ? IPCB_PCT_99 : IPCB_PCT_50];
	if (per_run && bound < 0)
		return "the two hosts' clocks could not be compared after the run";
	if ((!per_run && !pl->clock.consistent) || row->res->clock_anomalies)
		return per_run ? "a delay came out negative: the clocks' offset was not what it "
				 "was measured to be"
			       : "the two CPUs' clocks disagree";
	if ((double)bound > ONE_WAY_MAX_SKEW_SHARE * against)
		return per_run ? "the bound on the two hosts' clock offset is not small against "
				 "the delays"
			       : "the clock check's bound is not small against the delays";
	row->latency_kind = kind;
	row->messages = (uint64_t)row->lat.total;
	row->rates = false;
	row->clock_skew_bound_ns = bound;
	row_ceiling(pl, row, size_index, 0.5);
	ipcb_rows_emit(d, pl, row);
	return NULL;
}

/*
 * Is this the first time the point named by key has its one-way rows left out? Remembered (a
 * point's rounds come in shuffled order, among other points'); true too when memory runs out,
 * so a reason is said again rather than never.
 */
static bool one_way_first(struct driver *d, const char *key)
{
	char **grown, *copy;

	for (size_t i = 0; i < d->one_way_nsaid; i++)
		if (strcmp(d->one_way_said[i], key) == 0)
			return false;
	if (d->one_way_nsaid == d->one_way_cap) {
		size_t cap = d->one_way_cap ? 2 * d->one_way_cap : 16;

		grown = realloc(d->one_way_said, cap * sizeof(*grown));
		if (!grown)
			return true;
		d->one_way_said = grown;
		d->one_way_cap = cap;
	}
	copy = strdup(key);
	if (copy)
		d->one_way_said[d->one_way_nsaid++] = copy;
	return true;
}

static void emit_one_ways(struct driver *d, const struct place *pl, struct ipcb_row *row,
			  size_t size_index, const char *sz)
{
	const struct ipcb_run_result *r = row->res;
	const char *why[2] = {NULL, NULL}, *way = "";
	double p50;
	char key[160];

	/* Requests and their replies, or streams both ways: each way is a row of its own. */
	if (row->latency_kind || r->one_way[1]) {
		why[0] = emit_one_way(d, pl, row, size_index, "one_way_ab", r->one_way[0]);
		why[1] = emit_one_way(d, pl, row, size_index, "one_way_ba", r->one_way[1]);
	} else {
		why[0] = emit_one_way(d, pl, row, size_index, "one_way", r->one_way[0]);
	}
	/*
	 * A broadcast: besides every receiver's delays together (one_way), the slowest
	 * receiver's, and each sampled message's to the last receiver it reached.
	 */
	if (row->broadcast && !why[0]) {
		why[0] =
		    emit_one_way(d, pl, row, size_index, "one_way_slowest", r->one_way_slowest);
		if (!why[0])
			why[0] =
			    emit_one_way(d, pl, row, size_index, "one_way_last", r->one_way_last);
	}
	if (d->o.quiet || (!why[0] && !why[1]))
		return;
	/* One way of two left out: that way is named, with its own median. */
	if (!why[0] != !why[1] && (row->latency_kind || r->one_way[1]))
		way = why[0] ? "a->b" : "b->a";
	p50 = ipcb_rows_p50(r->one_way[!why[0]]);
	/* Once for a row's repeats: the CSV has every run, stderr needs the reason once. */
	snprintf(key, sizeof(key), "%s %s %s %s", row->transport, row->mode, sz, row->placement);
	if (!one_way_first(d, key))
		return;
	fprintf(stderr,
		"%s: %s %s %s: one-way rows left out: %s%s%s (clock bound %lld ns, %s%sone-way "
		"p50 %.0f ns)%s\n",
		prog, row->transport, row->mode, sz, way, *way ? ": " : "",
		why[0] ? why[0] : why[1],
		(long long)(r->clock_per_run ? r->clock_bound_ns : pl->clock.bound_ns), way,
		*way ? " " : "", p50, d->o.repeat > 1 ? "; not said again for its other runs" : "");
}

/*
 * A mechanism that counts its network segments (TCP) and did not send one per message: say so
 * under the row, since a stream's rate then depends on how many messages shared a segment.
 */
static void segments_note(const struct driver *d, const struct ipcb_row *row, const char *sz)
{
	const struct ipcb_run_result *r = row->res;
	double per_msg;

	if (!r->segments_counted || r->messages == 0 || d->o.quiet)
		return;
	per_msg = (double)r->segments / (double)r->messages;
	if (per_msg > 0.9 && per_msg < 1.1)
		return;
	printf("# %s %s %s run %u: %.3f data segments per message (%s)\n", row->transport,
	       row->mode, sz, row->run, per_msg,
	       per_msg < 1 ? "the kernel put several messages in one segment"
			   : "the kernel split messages over several segments");
}

/*
 * A run that may lose messages (ipcb_transport_lossy(): the transport's capability, narrowed by
 * its lossy() hook, the one rule for every transport and shape) counts what never arrived in
 * the row's losses column instead of failing; any other run fails on a lost message. A loss
 * counted is said on stderr, with -q too: a row that lost messages is never the only witness.
 */
static void losses_note(const struct place *pl, const struct ipcb_row *row, const char *sz)
{
	const struct ipcb_run_result *r = row->res;

	if (!r->losses_counted || r->losses == 0)
		return;
	if (row->broadcast)
		fprintf(stderr,
			"%s: %s %s %s %s run %u: %llu deliver%s lost over %u receiver%s (each "
			"counted from the sequence numbers a receiver saw, warm-up included; the "
			"row's losses column)\n",
			prog, ipcb_place_text(pl), row->transport, row->mode, sz, row->run,
			(unsigned long long)r->losses, r->losses == 1 ? "y" : "ies", row->receivers,
			row->receivers == 1 ? "" : "s");
	else
		fprintf(stderr,
			"%s: %s %s %s %s run %u: %llu message%s lost (counted from the sequence "
			"numbers, warm-up included; the row's losses column)\n",
			prog, ipcb_place_text(pl), row->transport, row->mode, sz, row->run,
			(unsigned long long)r->losses, r->losses == 1 ? "" : "s");
}

/*
 * A broadcast's fan-out under its row: what the sender published and what arrived, and the
 * median delays to every receiver, to the slowest one and to the last one.
 */
static void broadcast_note(const struct driver *d, const struct ipcb_row *row, const char *sz)
{
	const struct ipcb_run_result *r = row->res;
	char pub[16], del[16], each[32], slow[32], last[32];
	double p50[3];

	if (!row->broadcast || d->o.quiet)
		return;
	/* The medians, then their words: every receiver, the slowest one, the last one. */
	p50[0] = ipcb_rows_p50(r->one_way[0]);
	p50[1] = ipcb_rows_p50(r->one_way_slowest);
	p50[2] = ipcb_rows_p50(r->one_way_last);
	ipcb_format_rate(r->msgs_per_s, pub, sizeof(pub));
	ipcb_format_rate(r->deliveries_per_s, del, sizeof(del));
	ipcb_format_ns(p50[0], each, sizeof(each));
	ipcb_format_ns(p50[1], slow, sizeof(slow));
	ipcb_format_ns(p50[2], last, sizeof(last));
	printf("# %s %s %s run %u: to %u receiver%s: %s msg/s published, %s deliveries/s",
	       row->transport, row->mode, sz, row->run, row->receivers,
	       row->receivers == 1 ? "" : "s", pub, del);
	if (r->one_way[0] && r->one_way_last)
		printf(
		    "; one-way p50 to every receiver %s, to the slowest (receiver %u) %s, to the "
		    "last %s%s",
		    each, r->slowest_receiver, slow, last,
		    r->last_incomplete ? " (of the messages every receiver got)" : "");
	putchar('\n');
}

/* A row of the run's own for one more histogram of it, its kind `kind`, without rates. */
static void emit_hist_row(struct driver *d, const struct place *pl, struct ipcb_row *row,
			  const char *kind, const struct ipcb_hist *h)
{
	row->latency_kind = kind;
	ipcb_rows_latencies(row, h);
	row->messages = (uint64_t)row->lat.total;
	row->rates = false;
	row->x_floor = 0;
	row->ceiling = NULL;
	ipcb_rows_emit(d, pl, row);
}

/* After a run: print its rows or its failure. Returns false when the sweep must stop. */
bool ipcb_rows_finish(struct driver *d, const struct place *pl, int rc, struct ipcb_row *row,
		      size_t size_index)
{
	const struct ipcb_run_result *r = row->res;
	struct ipcb_row *more;
	char sz[16];

	d->runs_done++;
	/* The row's size as its messages below name it, formatted once. */
	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	if (rc) {
		fprintf(stderr, "%s: %s %s %s %s run %u: %s\n", prog, ipcb_place_text(pl),
			row->transport, row->mode, sz, row->run, r->error);
		if (rc == -EINTR) {
			d->interrupted = r->signal;
			return false;
		}
		d->failures++;
		return true;
	}
	/* --count's native and traced passes: what the counted pass needs of the run, no row. */
	if (d->count_pass == IPCB_COUNT_NATIVE || d->count_pass == IPCB_COUNT_TRACE) {
		if (!ipcb_count_note(d, row))
			d->failures++;
		return true;
	}
	/* A point that could not be counted: its row says why, and a gate times it. */
	if (row->uncounted) {
		struct ipcb_count_sig *sig = &d->now->sig;

		memset(sig, 0, sizeof(*sig));
		snprintf(sig->scope, sizeof(sig->scope), "not counted: %s", row->uncounted);
		row->sig = sig;
		row->latency_kind = "count";
		ipcb_rows_latencies(row, NULL);
		row->messages = 0;
		row->rates = false;
		row->clock_skew_bound_ns = -1;
		ipcb_rows_emit(d, pl, row);
		return true;
	}
	/* A counted run: one row of counts, no times (under callgrind they say nothing), and the
	 * rest of its work signature from the first two passes. */
	if (r->counts[0].have) {
		struct ipcb_count_sig *sig = &d->now->sig;

		ipcb_count_signature(d, row, sig);
		row->sig = sig;
		row->latency_kind = "count";
		ipcb_rows_latencies(row, NULL);
		row->messages = r->messages;
		row->rates = false;
		row->clock_skew_bound_ns = -1;
		ipcb_rows_emit(d, pl, row);
		return true;
	}
	ipcb_rows_latencies(row, r->hist);
	row->messages = r->messages;
	row->rates = true;
	row->clock_skew_bound_ns = -1;
	row_ceiling(pl, row, size_index, 1);
	ipcb_rows_emit(d, pl, row);
	segments_note(d, row, sz);
	losses_note(pl, row, sz);
	broadcast_note(d, row, sz);
	/* The run's other rows from a copy: its own row stays as written (point.c reads it). */
	more = &d->now->more;
	*more = *row;
	emit_one_ways(d, pl, more, size_index, sz);
	/* An open loop's own accuracy: how late each send started against its intended time. */
	if (r->send_lag)
		emit_hist_row(d, pl, more, "send_lag", r->send_lag);
	/* An open stream's send calls: did the sender go on at once, or wait (claim C10)? */
	if (r->send_call && ipcb_hist_total(r->send_call) > 0)
		emit_hist_row(d, pl, more, "send_call", r->send_call);
	return true;
}
