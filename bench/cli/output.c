/* SPDX-License-Identifier: MIT */
/*
 * output.c - the rows as text: a CSV row of each (into the CSV, csvfile.c, the results history or
 * a buffer) and Google Benchmark's JSON; see output.h.
 */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvschema.h"
#include "format.h"
#include "gbjson.h"
#include "history.h"
#include "options.h"
#include "outfile.h"

/*
 * The load's shape, and what an open loop offered and got; every row of a run carries them. The
 * record keeps pointers to its texts: topo is the caller's, alive until the row is written.
 */
static void csv_shape(struct ipcb_csv_record *rec, const struct ipcb_row *row, char *topo,
		      size_t topo_bytes)
{
	const struct ipcb_run_result *r = row->res;

	if (row->inflight)
		ipcb_csv_set_uint(rec, IPCB_COL_INFLIGHT, row->inflight);
	if (row->pairs) {
		ipcb_csv_set_uint(rec, IPCB_COL_PAIRS, row->pairs);
		/* A broadcast's delivery in the same column: no reader of it takes one for
		 * the other, and rows of the other shapes are written as they always were. */
		snprintf(topo, topo_bytes, "%u:%u%s", row->senders, row->receivers,
			 row->broadcast ? " all" : "");
		ipcb_csv_set_text(rec, IPCB_COL_TOPOLOGY, topo);
		if (row->sides_per_cpu)
			ipcb_csv_set_uint(rec, IPCB_COL_SIDES_PER_CPU, row->sides_per_cpu);
	}
	if (r->offered_rate > 0) {
		ipcb_csv_set_text(rec, IPCB_COL_ARRIVALS,
				  r->arrivals == IPCB_ARRIVALS_POISSON ? "poisson" : "fixed");
		ipcb_csv_set_decimal(rec, IPCB_COL_OFFERED_RATE, r->offered_rate);
		ipcb_csv_set_decimal(rec, IPCB_COL_ACHIEVED_RATE, r->achieved_rate);
		ipcb_csv_set_uint(rec, IPCB_COL_LATE, r->late);
	}
	if (r->losses_counted)
		ipcb_csv_set_uint(rec, IPCB_COL_LOSSES, r->losses);
	if (row->rates && r->bytes_per_s_dir[0] > 0)
		ipcb_csv_set_decimal(rec, IPCB_COL_BYTES_PER_S_AB, r->bytes_per_s_dir[0]);
	if (row->rates && r->bytes_per_s_dir[1] > 0)
		ipcb_csv_set_decimal(rec, IPCB_COL_BYTES_PER_S_BA, r->bytes_per_s_dir[1]);
	if (row->rates && row->pairs > 1) {
		ipcb_csv_set_decimal(rec, IPCB_COL_PAIR_MIN_MSGS_PER_S, r->pair_min_msgs_per_s);
		ipcb_csv_set_decimal(rec, IPCB_COL_PAIR_MAX_MSGS_PER_S, r->pair_max_msgs_per_s);
	}
	if (row->rates && row->broadcast)
		ipcb_csv_set_decimal(rec, IPCB_COL_DELIVERIES_PER_S, r->deliveries_per_s);
}

/*
 * A counted row's work signature beyond its counts (struct ipcb_count_sig): each side's switches
 * (the native runs' medians, and every run's in switches_per_run), the bytes it moved through
 * the kernel, its kernel objects, and what the signature leaves out. text: the switches' text.
 */
static void sig_columns(struct ipcb_csv_record *rec, const struct ipcb_count_sig *sig, char *text,
			size_t n)
{
	static const enum ipcb_csv_column sw[4] = {IPCB_COL_SENDER_VOLUNTARY_SWITCHES_PER_MSG,
						   IPCB_COL_SENDER_INVOLUNTARY_SWITCHES_PER_MSG,
						   IPCB_COL_RECEIVER_VOLUNTARY_SWITCHES_PER_MSG,
						   IPCB_COL_RECEIVER_INVOLUNTARY_SWITCHES_PER_MSG};
	static const enum ipcb_csv_column by[2][2] = {
	    {IPCB_COL_SENDER_KERNEL_BYTES_OUT_PER_MSG, IPCB_COL_SENDER_KERNEL_BYTES_IN_PER_MSG},
	    {IPCB_COL_RECEIVER_KERNEL_BYTES_OUT_PER_MSG,
	     IPCB_COL_RECEIVER_KERNEL_BYTES_IN_PER_MSG}};

	if (sig->switches) {
		for (int k = 0; k < 4; k++)
			ipcb_csv_set_decimal(rec, sw[k], sig->median[k]);
		snprintf(text, n,
			 "sender: voluntary %s, involuntary %s; receiver: voluntary %s, "
			 "involuntary %s",
			 sig->values[0], sig->values[1], sig->values[2], sig->values[3]);
		ipcb_csv_set_text(rec, IPCB_COL_SWITCHES_PER_RUN, text);
		ipcb_csv_set_text(rec, IPCB_COL_KERNEL_OBJECTS, sig->objects);
	}
	if (sig->bytes)
		for (int k = 0; k < 2; k++) {
			ipcb_csv_set_decimal(rec, by[k][0], sig->out[k]);
			ipcb_csv_set_decimal(rec, by[k][1], sig->in[k]);
		}
	ipcb_csv_set_text(rec, IPCB_COL_COUNT_SCOPE, sig->scope);
}

/*
 * The options a run records (each driver option whose row names a column, lib/cliopt.h), from
 * the run's spec: a flag as 0 or 1, a number as it is. A row of no run writes them as 0, as an
 * option not given is. A column whose kind does not fit its option is the record's misuse.
 */
static void csv_recorded(struct ipcb_csv_record *rec, const struct ipcb_run_spec *spec)
{
	static const struct ipcb_run_spec none;
	const char *base = (const char *)(spec ? spec : &none);

	for (const struct ipcb_clirow *o = ipcb_opts_rows(); o->opt.name; o++) {
		const char *p = base + o->spec;
		int col;

		if (o->column == IPCB_COL_TRANSPORT)
			continue;
		/* An option no spec holds: the record's misuse. */
		col = o->spec ? (int)o->column : IPCB_CSV_NCOLS;
		switch (o->type) {
		case IPCB_CLI_FLAG:
		case IPCB_CLI_CLEAR:
			ipcb_csv_set_int(rec, col, *(const bool *)p);
			break;
		case IPCB_CLI_U64:
			ipcb_csv_set_uint(rec, col, *(const uint64_t *)p);
			break;
		case IPCB_CLI_UINT:
			ipcb_csv_set_uint(rec, col, *(const unsigned *)p);
			break;
		case IPCB_CLI_SECONDS:
			ipcb_csv_set_decimal(rec, col, *(const double *)p);
			break;
		default: /* a word or a text: no column records one yet */
			ipcb_csv_set_int(rec, IPCB_CSV_NCOLS, 0);
			break;
		}
	}
}

/*
 * Fill one row's record, column by column in table order (lib/csvschema.c decides the header,
 * the order and how each value is written), and format it, newline included, into f. A column
 * left unset is written empty: not measured. 0, or -EINVAL naming the column in *bad when the
 * record does not fit the table (a programming error, caught by the writer's unit test).
 */
static int csv_format_row(FILE *f, const struct ipcb_row *row, const struct ipcb_sysinfo *si,
			  int *bad)
{
	const struct ipcb_run_result *r = row->res;
	const struct ipcb_hist *h = row->hist;
	double msgs = (double)r->messages;
	struct ipcb_csv_record rec;
	char stamp[32], topo[32];
	static char syscalls[420]; /* static: the stack may be small; one writer */
	static char switches[720];
	time_t now = row->when ? row->when : time(NULL);
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	ipcb_csv_record_init(&rec);
	ipcb_csv_set_text(&rec, IPCB_COL_TRANSPORT, row->transport);
	ipcb_csv_set_text(&rec, IPCB_COL_MODE, row->mode);
	ipcb_csv_set_uint(&rec, IPCB_COL_SIZE_BYTES, row->size_bytes);
	ipcb_csv_set_uint(&rec, IPCB_COL_RUN, row->run);
	ipcb_csv_set_uint(&rec, IPCB_COL_MESSAGES, row->messages);
	/* A kind without latencies is a rate sweep's outcome (slo_rate): its kind, its rate. */
	ipcb_csv_set_text(&rec, IPCB_COL_LATENCY_KIND, row->latency_kind);
	if (h && row->latency_kind) {
		const struct ipcb_hist_summary *l = &row->lat;

		ipcb_csv_set_int(&rec, IPCB_COL_MIN_NS, l->min);
		for (int p = 0; p < IPCB_NPCT; p++)
			ipcb_csv_set_int(&rec, ipcb_csv_pct_col(p), l->pct[p]);
		ipcb_csv_set_int(&rec, IPCB_COL_MAX_NS, l->max);
		ipcb_csv_set_decimal(&rec, IPCB_COL_MEAN_NS, l->mean);
		ipcb_csv_set_decimal(&rec, IPCB_COL_STDDEV_NS, l->stddev);
	}
	/*
	 * Rates that were not measured are left empty; a sweep's outcome is measured even when no
	 * rate met its bound (0: none did), and a stream's is in bytes too.
	 */
	if (row->rates && (r->msgs_per_s > 0 || (row->latency_kind && !h)))
		ipcb_csv_set_decimal(&rec, IPCB_COL_MSGS_PER_S, r->msgs_per_s);
	if (row->rates &&
	    (r->bytes_per_s > 0 || (row->latency_kind && !h && strcmp(row->mode, "latency") != 0)))
		ipcb_csv_set_decimal(&rec, IPCB_COL_BYTES_PER_S, r->bytes_per_s);
	if (row->cpu[0] >= 0)
		ipcb_csv_set_int(&rec, IPCB_COL_SENDER_CPU, row->cpu[0]);
	if (row->cpu[1] >= 0)
		ipcb_csv_set_int(&rec, IPCB_COL_RECEIVER_CPU, row->cpu[1]);
	ipcb_csv_set_text(&rec, IPCB_COL_PLACEMENT, row->placement);
	ipcb_csv_set_text(&rec, IPCB_COL_WAIT, row->wait);
	ipcb_csv_set_uint(&rec, IPCB_COL_CHUNK_BYTES, row->chunk_bytes);
	/* Times, CPU times and context switches of a counted run are callgrind's, not the run's. */
	if (!r->counts[0].have && !row->sig) {
		ipcb_csv_set_decimal(&rec, IPCB_COL_SENDER_CPU_S, r->cpu_s[0]);
		ipcb_csv_set_decimal(&rec, IPCB_COL_RECEIVER_CPU_S, r->cpu_s[1]);
		ipcb_csv_set_decimal(&rec, IPCB_COL_CTX_SWITCHES_PER_MSG,
				     (double)(r->ctx_switches[0] + r->ctx_switches[1]) / msgs);
		for (int k = 0; k < 2; k++) {
			static const enum ipcb_csv_column sw[2][2] = {
			    {IPCB_COL_SENDER_VOLUNTARY_SWITCHES_PER_MSG,
			     IPCB_COL_SENDER_INVOLUNTARY_SWITCHES_PER_MSG},
			    {IPCB_COL_RECEIVER_VOLUNTARY_SWITCHES_PER_MSG,
			     IPCB_COL_RECEIVER_INVOLUNTARY_SWITCHES_PER_MSG}};

			ipcb_csv_set_decimal(&rec, sw[k][0],
					     (double)(r->ctx_switches[k] - r->ctx_involuntary[k]) /
						 msgs);
			ipcb_csv_set_decimal(&rec, sw[k][1], (double)r->ctx_involuntary[k] / msgs);
		}
		ipcb_csv_set_decimal(&rec, IPCB_COL_SENDER_CPU_NS_PER_MSG,
				     r->cpu_s[0] * 1e9 / msgs);
		ipcb_csv_set_decimal(&rec, IPCB_COL_RECEIVER_CPU_NS_PER_MSG,
				     r->cpu_s[1] * 1e9 / msgs);
		ipcb_csv_set_decimal(&rec, IPCB_COL_ELAPSED_S, r->elapsed_s);
	} else if (!r->counts[0].have) {
		/* Not counted (row->uncounted): only what its scope says. */
		ipcb_csv_set_text(&rec, IPCB_COL_COUNT_SCOPE, row->sig->scope);
	} else {
		for (int k = 0; k < 2; k++) {
			static const enum ipcb_csv_column cols[2][3] = {
			    {IPCB_COL_SENDER_INSTR_PER_MSG, IPCB_COL_SENDER_TRANSPORT_INSTR_PER_MSG,
			     IPCB_COL_SENDER_SYSCALLS_PER_MSG},
			    {IPCB_COL_RECEIVER_INSTR_PER_MSG,
			     IPCB_COL_RECEIVER_TRANSPORT_INSTR_PER_MSG,
			     IPCB_COL_RECEIVER_SYSCALLS_PER_MSG}};

			ipcb_csv_set_decimal(&rec, cols[k][0], r->counts[k].instr);
			ipcb_csv_set_decimal(&rec, cols[k][1], r->counts[k].transport);
			ipcb_csv_set_decimal(&rec, cols[k][2], r->counts[k].syscalls);
		}
		snprintf(syscalls, sizeof(syscalls), "sender: %s; receiver: %s",
			 *r->counts[0].by_name ? r->counts[0].by_name : "none",
			 *r->counts[1].by_name ? r->counts[1].by_name : "none");
		ipcb_csv_set_text(&rec, IPCB_COL_SYSCALLS, syscalls);
		ipcb_csv_set_text(&rec, IPCB_COL_COUNT_CHECK, row->count_check);
		if (row->sig)
			sig_columns(&rec, row->sig, switches, sizeof(switches));
	}
	if (row->x_floor > 0) {
		ipcb_csv_set_decimal(&rec, IPCB_COL_X_FLOOR, row->x_floor);
		ipcb_csv_set_text(&rec, IPCB_COL_CEILING, row->ceiling);
	}
	if (row->harness_ns > 0)
		ipcb_csv_set_int(&rec, IPCB_COL_HARNESS_NS, llround(row->harness_ns));
	if (row->clock_skew_bound_ns >= 0)
		ipcb_csv_set_int(&rec, IPCB_COL_CLOCK_SKEW_BOUND_NS, row->clock_skew_bound_ns);
	ipcb_csv_set_uint(&rec, IPCB_COL_WARMUP, row->warmup);
	csv_recorded(&rec, row->spec);
	if (row->spin_polls >= 0)
		ipcb_csv_set_int(&rec, IPCB_COL_SPIN_POLLS, row->spin_polls);
	ipcb_csv_set_int(&rec, IPCB_COL_FSYNC, row->fsync);
	if (r->buffer_bytes)
		ipcb_csv_set_uint(&rec, IPCB_COL_BUFFER_BYTES, r->buffer_bytes);
	ipcb_csv_set_text(&rec, IPCB_COL_CHANNEL, r->layout);
	ipcb_csv_set_uint(&rec, IPCB_COL_FULL_CHECKS, r->full_checks);
	ipcb_csv_set_text(&rec, IPCB_COL_VERIFY, row->verify);
	if (row->rates && r->zc_sends > 0 && r->zc_copied <= r->zc_sends)
		ipcb_csv_set_decimal(&rec, IPCB_COL_ZEROCOPY_COPIED,
				     (double)r->zc_copied / (double)r->zc_sends);
	if (row->rates && r->segments_counted && r->messages > 0)
		ipcb_csv_set_decimal(&rec, IPCB_COL_SEGMENTS_PER_MSG, (double)r->segments / msgs);
	csv_shape(&rec, row, topo, sizeof(topo));
	ipcb_csv_set_text(&rec, IPCB_COL_OPTIONS, row->options);
	ipcb_csv_set_text(&rec, IPCB_COL_LIBRARY, row->library);
	ipcb_csv_set_text(&rec, IPCB_COL_HOPS, row->hops);
	ipcb_csv_set_text(&rec, IPCB_COL_DATA_PATH, row->data_path);
	ipcb_csv_set_text(&rec, IPCB_COL_RIDES_ON, row->rides_on);
	ipcb_csv_set_text(&rec, IPCB_COL_TUNING, row->tuning);
	ipcb_csv_set_text(&rec, IPCB_COL_CPU_TOPOLOGY, row->cpu_topology);
	if (row->server && row->server_cpu >= 0)
		ipcb_csv_set_int(&rec, IPCB_COL_SERVER_CPU, row->server_cpu);
	if (r->server_counted)
		ipcb_csv_set_decimal(&rec, IPCB_COL_SERVER_CPU_NS_PER_MSG,
				     r->server_cpu_s * 1e9 / (double)r->server_messages);
	if (row->server && row->server_start_ms > 0)
		ipcb_csv_set_decimal(&rec, IPCB_COL_SERVER_START_MS, row->server_start_ms);
	if (row->server && row->server_rss_bytes)
		ipcb_csv_set_int(&rec, IPCB_COL_SERVER_RSS_BYTES, (int64_t)row->server_rss_bytes);
	ipcb_csv_set_text(&rec, IPCB_COL_NET_PATH, row->net_path);
	if (row->hosts_slot)
		ipcb_csv_set_uint(&rec, IPCB_COL_HOSTS_SLOT, row->hosts_slot);
	ipcb_csv_set_text(&rec, IPCB_COL_TIMESTAMP, stamp);
	ipcb_csv_set_text(&rec, IPCB_COL_HOST, si->host);
	ipcb_csv_set_text(&rec, IPCB_COL_KERNEL, si->kernel);
	ipcb_csv_set_text(&rec, IPCB_COL_CPU_MODEL, si->cpu_model);
	ipcb_csv_set_text(&rec, IPCB_COL_GOVERNOR, si->governor);
	ipcb_csv_set_text(&rec, IPCB_COL_BOOST, si->boost);
	ipcb_csv_set_text(&rec, IPCB_COL_SMT, si->smt);
	ipcb_csv_set_text(&rec, IPCB_COL_THP, si->thp);
	ipcb_csv_set_text(&rec, IPCB_COL_ISOLATED_CPUS, si->isolated);
	ipcb_csv_set_decimal(&rec, IPCB_COL_LOADAVG, si->loadavg1);
	ipcb_csv_set_text(&rec, IPCB_COL_VIRTUALIZATION, si->virt);
	ipcb_csv_set_text(&rec, IPCB_COL_BUILD_TYPE, si->build_type);
	ipcb_csv_set_text(&rec, IPCB_COL_VERSION, si->version);
	if (row->peer) {
		const struct ipcb_sysinfo *p = row->peer;

		ipcb_csv_set_text(&rec, IPCB_COL_PEER_HOST, p->host);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_KERNEL, p->kernel);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_CPU_MODEL, p->cpu_model);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_GOVERNOR, p->governor);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_BOOST, p->boost);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_SMT, p->smt);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_THP, p->thp);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_ISOLATED_CPUS, p->isolated);
		ipcb_csv_set_decimal(&rec, IPCB_COL_PEER_LOADAVG, p->loadavg1);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_VIRTUALIZATION, p->virt);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_BUILD_TYPE, p->build_type);
		ipcb_csv_set_text(&rec, IPCB_COL_PEER_VERSION, p->version);
	}
	ipcb_csv_set_uint(&rec, IPCB_COL_ROUND, row->round ? row->round : row->run);
	ipcb_csv_set_uint(&rec, IPCB_COL_SEED, row->seed);
	if (row->probe_cl_ns > 0)
		ipcb_csv_set_int(&rec, IPCB_COL_PROBE_CACHELINE_NS, llround(row->probe_cl_ns));
	if (row->probe_wk_ns > 0)
		ipcb_csv_set_int(&rec, IPCB_COL_PROBE_WAKEUP_NS, llround(row->probe_wk_ns));
	/* The run's own spread: how much its latencies varied inside it, robustly. */
	if (h && row->latency_kind && row->lat.total >= 4 && row->lat.pct[IPCB_PCT_50] > 0)
		ipcb_csv_set_decimal(&rec, IPCB_COL_RUN_SPREAD,
				     (double)(row->lat.p75 - row->lat.p25) /
					 (double)row->lat.pct[IPCB_PCT_50]);
	ipcb_csv_set_text(&rec, IPCB_COL_STATE, row->state);
	if (row->probe_cl_after_ns > 0)
		ipcb_csv_set_int(&rec, IPCB_COL_PROBE_CACHELINE_AFTER_NS,
				 llround(row->probe_cl_after_ns));
	if (row->offered_fraction > 0)
		ipcb_csv_set_decimal(&rec, IPCB_COL_OFFERED_FRACTION, row->offered_fraction);
	return ipcb_csv_record_write(f, &rec, bad);
}

int ipcb_csv_row(struct ipcb_csv *c, const struct ipcb_row *row, const struct ipcb_sysinfo *si,
		 char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc, bad = 0;

	c->note[0] = '\0';
	if (!mem) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = csv_format_row(mem, row, si, &bad);
	if (fclose(mem) != 0) {
		free(buf);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (rc < 0) {
		free(buf);
		snprintf(err, errlen,
			 "the row does not fit the CSV's column '%s' (left empty, or a value of "
			 "another kind)",
			 ipcb_csv_name((enum ipcb_csv_column)bad));
		return rc;
	}
	rc = ipcb_csv_lines(c, buf, len, err, errlen);
	free(buf);
	return rc;
}

int ipcb_csv_row_history(struct ipcb_history_run *h, const struct ipcb_row *row,
			 const struct ipcb_sysinfo *si, char *err, size_t errlen)
{
	char *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&line, &len);
	int rc, bad = 0;

	if (!mem) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = csv_format_row(mem, row, si, &bad);
	if (fclose(mem) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0)
		rc = ipcb_history_run_row(h, line, len, err, errlen);
	else
		snprintf(err, errlen, "%s", strerror(-rc));
	free(line);
	return rc;
}

int ipcb_memcsv_open(struct ipcb_memcsv *m)
{
	memset(m, 0, sizeof(*m));
	m->rows = open_memstream(&m->buf, &m->len);
	if (!m->rows)
		return -ENOMEM;
	fprintf(m->rows, "%s\n", ipcb_csv_header());
	return 0;
}

int ipcb_memcsv_row(struct ipcb_memcsv *m, const struct ipcb_row *row,
		    const struct ipcb_sysinfo *si, char *err, size_t errlen)
{
	int rc, bad = 0;

	if (!m->rows)
		return 0;
	rc = csv_format_row(m->rows, row, si, &bad);
	if (rc < 0) {
		snprintf(err, errlen,
			 "the row does not fit the CSV's column '%s' (left empty, or a value of "
			 "another kind)",
			 ipcb_csv_name((enum ipcb_csv_column)bad));
		return rc;
	}
	if (ferror(m->rows)) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	m->nrows++;
	return 0;
}

int ipcb_memcsv_finish(struct ipcb_memcsv *m)
{
	int rc = 0;

	if (m->rows && fclose(m->rows) != 0)
		rc = -ENOMEM;
	m->rows = NULL;
	return m->buf ? rc : -ENOMEM;
}

void ipcb_memcsv_free(struct ipcb_memcsv *m)
{
	if (m->rows)
		fclose(m->rows);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int ipcb_jsonout_open(struct ipcb_jsonout *j, const char *path, char *err, size_t errlen)
{
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	memset(j, 0, sizeof(*j));
	j->of.fd = -1;
	rc = ipcb_outfile_open(&j->of, path, "--json", err, errlen);
	if (rc < 0)
		return rc;
	if (ipcb_memcsv_open(&j->csv) < 0) {
		snprintf(err, errlen, "--json %s: %s", path, strerror(ENOMEM));
		ipcb_outfile_close(&j->of);
		return -ENOMEM;
	}
	/* Google Benchmark's date: local time with its offset; UTC here, like the CSV's. */
	strftime(j->date, sizeof(j->date), "%Y-%m-%dT%H:%M:%S+00:00", gmtime_r(&now, &tm));
	j->open = true;
	return 0;
}

int ipcb_jsonout_row(struct ipcb_jsonout *j, const struct ipcb_row *row,
		     const struct ipcb_sysinfo *si, char *err, size_t errlen)
{
	return ipcb_memcsv_row(&j->csv, row, si, err, errlen);
}

void ipcb_jsonout_abandon(struct ipcb_jsonout *j)
{
	if (!j->open)
		return;
	ipcb_memcsv_free(&j->csv);
	ipcb_outfile_close(&j->of);
	j->open = false;
}

int ipcb_jsonout_close(struct ipcb_jsonout *j, const struct ipcb_sysinfo *si, char *err,
		       size_t errlen)
{
	const struct ipcb_gbjson_context ctx = {
	    .date = j->date,
	    .executable = "ipcbench",
	    .num_cpus = si->online_cpus,
	};
	char *doc = NULL, why[256] = "";
	size_t doc_len = 0;
	FILE *mem;
	int rc, rc2;

	if (!j->open)
		return 0;
	rc = ipcb_memcsv_finish(&j->csv);
	mem = rc == 0 ? open_memstream(&doc, &doc_len) : NULL;
	if (!mem)
		rc = -ENOMEM;
	if (rc == 0) {
		rc = ipcb_gbjson_write(mem, j->csv.buf, j->csv.len, &ctx, why, sizeof(why));
		if (fclose(mem) != 0 && rc == 0)
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = ipcb_write_whole(j->of.fd, doc, doc_len);
	/* A document without rows does not replace an earlier one, which has more to say. */
	if (rc == 0)
		rc = ipcb_outfile_place(&j->of, j->csv.nrows > 0);
	if (rc < 0 && rc != -EEXIST)
		snprintf(err, errlen, "--json %s: %s", j->of.path, why[0] ? why : strerror(-rc));
	rc2 = ipcb_outfile_close(&j->of);
	if (rc == 0 && rc2 < 0) {
		rc = rc2;
		snprintf(err, errlen, "--json %s: %s", j->of.path, strerror(-rc));
	}
	free(doc);
	ipcb_memcsv_free(&j->csv);
	j->open = false;
	return rc;
}
