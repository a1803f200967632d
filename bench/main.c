/* SPDX-License-Identifier: MIT */
/*
 * main.c - the ipcbench driver: parse the command line, work out what can run here, then run
 * the plan (transport x size x mode x repeat) one measurement at a time, printing each row as it
 * is measured and appending it to the CSV, so an interrupted or failing sweep keeps every row
 * already measured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "floor.h"
#include "options.h"
#include "output.h"
#include "run.h"
#include "sysinfo.h"
#include "version.h"

enum {
	EXIT_RUN_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNSUPPORTED = 77,
};

/* A transport the plan will use, with what probe() found. */
struct planned {
	const struct ipcb_transport *t;
	size_t max_msg_bytes;
};

struct driver {
	struct ipcb_opts o;
	struct ipcb_sysinfo si;
	struct planned use[IPCB_MAX_LIST];
	size_t nuse;
	struct ipcb_csv csv;
	size_t runs_total, runs_done;
	unsigned failures;
	uint64_t started_ns;
	int interrupted; /* signal number */
};

static const char *prog = "ipcbench";

static int probe_transport(const struct ipcb_transport *t, struct ipcb_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->max_msg_bytes = t->max_msg_bytes;
	if (t->unsupported) {
		snprintf(p->reason, sizeof(p->reason), "%s", t->unsupported);
		return -ENOTSUP;
	}
	if (!t->probe)
		return 0;
	return t->probe(p);
}

static void caps_text(unsigned caps, char *out, size_t n)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{IPCB_CAP_BIDIR, "bidirectional"},   {IPCB_CAP_BOUNDARIES, "messages"},
		{IPCB_CAP_WAIT_CHOICE, "wait-choice"}, {IPCB_CAP_SHARED_BUFFER, "shared-buffer"},
		{IPCB_CAP_USES_DIR, "uses-dir"},	     {IPCB_CAP_NO_DATA, "no-data"},
		{IPCB_CAP_FSYNC, "fsync"},
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((caps & names[i].bit) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						names[i].name);
	if (!(caps & IPCB_CAP_BOUNDARIES) && !(caps & IPCB_CAP_NO_DATA) && len < n)
		snprintf(out + len, n - len, "%sstream", len ? "," : "");
}

static int do_list(void)
{
	printf("%-15s %-4s %-8s %-44s %s\n", "transport", "runs", "max msg", "capabilities",
	       "summary");
	for (size_t i = 0; i < ipcb_transport_count(); i++) {
		const struct ipcb_transport *t = ipcb_transport_at(i);
		struct ipcb_probe p;
		char caps[160], max[16];
		int rc = probe_transport(t, &p);

		caps_text(t->caps, caps, sizeof(caps));
		if (p.max_msg_bytes)
			ipcb_format_size(p.max_msg_bytes, max, sizeof(max));
		else
			snprintf(max, sizeof(max), "-");
		printf("%-15s %-4s %-8s %-44s %s\n", t->name, rc ? "no" : "yes", max, caps,
		       t->summary);
		if (rc)
			printf("%-15s      why not: %s\n", "", p.reason);
	}
	return 0;
}

/* Resolve --transport into what can run here; say why the others cannot. */
static int resolve_transports(struct driver *d)
{
	size_t n = d->o.transports_all ? ipcb_transport_count() : d->o.ntransports;

	for (size_t i = 0; i < n; i++) {
		const struct ipcb_transport *t =
			d->o.transports_all ? ipcb_transport_at(i) : d->o.transports[i];
		struct ipcb_probe p;

		if (probe_transport(t, &p)) {
			fprintf(stderr, "%s: skipping %s: %s\n", prog, t->name, p.reason);
			continue;
		}
		d->use[d->nuse].t = t;
		d->use[d->nuse].max_msg_bytes = p.max_msg_bytes;
		d->nuse++;
	}
	return d->nuse ? 0 : -ENOTSUP;
}

static int default_cpus(int cpus[2], bool quiet)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[found++] = c;
	if (found == 1) {
		cpus[1] = cpus[0];
		if (!quiet)
			fprintf(stderr, "%s: only CPU %d is available: both sides share it\n", prog,
				cpus[0]);
	}
	return found ? 0 : -ENOENT;
}

static int check_dir(struct driver *d, char *err, size_t errlen)
{
	bool needed = false;
	struct stat st;

	for (size_t i = 0; i < d->nuse; i++)
		needed |= (d->use[i].t->caps & IPCB_CAP_USES_DIR) != 0;
	if (!d->o.dir) {
		const char *tmp = getenv("TMPDIR");

		d->o.dir = tmp && *tmp ? tmp : "/tmp";
	}
	if (!needed)
		return 0;
	if (stat(d->o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--dir %s: not a directory", d->o.dir);
		return -ENOTDIR;
	}
	if (access(d->o.dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "--dir %s: not writable: %s", d->o.dir, strerror(errno));
		return -EACCES;
	}
	return 0;
}

static void progress(struct driver *d, const char *what, const char *mode, size_t size,
		     unsigned run)
{
	char sz[16];
	double elapsed = (double)(ipcb_now_ns() - d->started_ns) / 1e9;

	if (d->o.quiet)
		return;
	ipcb_format_size(size, sz, sizeof(sz));
	fprintf(stderr, "[%zu/%zu %5.1fs] %s %s %s", d->runs_done + 1, d->runs_total, elapsed,
		what, mode, sz);
	if (d->o.repeat > 1)
		fprintf(stderr, " run %u", run);
	if (d->runs_done > 0) {
		double left = elapsed / (double)d->runs_done * (double)(d->runs_total - d->runs_done);

		fprintf(stderr, " (about %.0fs left)", left);
	}
	fputc('\n', stderr);
}

static void emit(struct driver *d, const struct ipcb_row *row)
{
	ipcb_table_row(stdout, row);
	if (d->csv.f && ipcb_csv_row(&d->csv, row, &d->si) < 0) {
		fprintf(stderr, "%s: --csv %s: write failed: %s\n", prog, d->csv.path,
			strerror(errno));
		d->failures++;
	}
}

/* After a run: print the row or the failure. Returns false when the sweep must stop. */
static bool finish_run(struct driver *d, int rc, const struct ipcb_row *row, size_t size)
{
	char sz[16];

	d->runs_done++;
	if (rc == 0) {
		emit(d, row);
		return true;
	}
	ipcb_format_size(size, sz, sizeof(sz));
	fprintf(stderr, "%s: %s %s %s run %u: %s\n", prog, row->transport, row->mode, sz, row->run,
		row->res->error);
	if (rc == -EINTR) {
		d->interrupted = row->res->signal;
		return false;
	}
	d->failures++;
	return true;
}

static void spec_base(struct driver *d, struct ipcb_run_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->messages = d->o.messages;
	s->duration_s = d->o.duration_s;
	s->warmup = d->o.warmup;
	s->cpu[0] = d->o.cpus[0];
	s->cpu[1] = d->o.cpus[1];
	s->timeout_s = d->o.timeout_s;
	s->inject = d->o.inject;
}

static bool run_floors(struct driver *d)
{
	struct ipcb_run_spec s;
	struct ipcb_run_result r;
	struct ipcb_row row = {.run = 1, .cpu = {d->o.cpus[0], d->o.cpus[1]}, .wait = "spin"};
	int rc;

	for (unsigned run = 1; run <= d->o.repeat; run++) {
		spec_base(d, &s);
		s.size_bytes = 8;
		row.transport = "floor-cacheline";
		row.mode = "latency";
		row.size_bytes = row.chunk_bytes = 8;
		row.latency_kind = "rtt";
		row.run = run;
		row.res = &r;
		row.warmup = s.warmup;
		progress(d, row.transport, row.mode, 8, run);
		rc = ipcb_floor_cacheline(&s, &r);
		if (!finish_run(d, rc, &row, 8))
			return false;
		ipcb_run_result_fini(&r);
	}
	for (size_t i = 0; i < d->o.nsizes; i++)
		for (unsigned run = 1; run <= d->o.repeat; run++) {
			spec_base(d, &s);
			s.size_bytes = d->o.sizes[i];
			row.transport = "floor-memcpy";
			row.mode = "throughput";
			row.size_bytes = row.chunk_bytes = s.size_bytes;
			row.latency_kind = NULL;
			row.cpu[1] = -1;
			row.wait = "none";
			row.run = run;
			row.warmup = s.warmup;
			progress(d, row.transport, row.mode, s.size_bytes, run);
			rc = ipcb_floor_memcpy(&s, &r);
			if (!finish_run(d, rc, &row, s.size_bytes))
				return false;
		}
	return true;
}

static bool run_plan(struct driver *d)
{
	static const enum ipcb_mode modes[2] = {IPCB_MODE_LATENCY, IPCB_MODE_THROUGHPUT};
	static const char *const mode_names[2] = {"latency", "throughput"};

	for (size_t ti = 0; ti < d->nuse; ti++) {
		const struct planned *p = &d->use[ti];
		const struct ipcb_transport *t = p->t;

		for (size_t si = 0; si < d->o.nsizes; si++)
			for (int mi = 0; mi < 2; mi++) {
				if ((mi == 0 && !d->o.latency) || (mi == 1 && !d->o.throughput))
					continue;
				for (unsigned run = 1; run <= d->o.repeat; run++) {
					struct ipcb_run_spec s;
					struct ipcb_run_result r;
					struct ipcb_row row;
					size_t size = d->o.sizes[si];
					int rc;

					spec_base(d, &s);
					s.t = t;
					s.mode = modes[mi];
					s.size_bytes = size;
					s.chunk_bytes = ipcb_chunk_for(p->max_msg_bytes, size);
					s.cfg.msg_bytes = s.chunk_bytes;
					s.cfg.wait = t->caps & IPCB_CAP_WAIT_CHOICE
							     ? (d->o.wait ? d->o.wait
									  : IPCB_WAIT_HYBRID)
							     : t->fixed_wait;
					s.cfg.spin_polls = d->o.spin_polls;
					s.cfg.dir = d->o.dir;
					s.cfg.fsync = d->o.fsync;
					s.cfg.bidirectional = modes[mi] == IPCB_MODE_LATENCY;
					memset(&row, 0, sizeof(row));
					row.transport = t->name;
					row.mode = mode_names[mi];
					row.size_bytes = size;
					row.run = run;
					row.latency_kind = modes[mi] == IPCB_MODE_LATENCY ? "rtt" : NULL;
					row.res = &r;
					row.cpu[0] = s.cpu[0];
					row.cpu[1] = s.cpu[1];
					row.wait = ipcb_wait_name(s.cfg.wait);
					row.chunk_bytes = s.chunk_bytes;
					row.warmup = s.warmup;
					if ((d->interrupted = ipcb_run_interrupt_pending()))
						return false;
					progress(d, t->name, row.mode, size, run);
					rc = ipcb_run_one(&s, &r);
					if (!finish_run(d, rc, &row, size))
						return false;
					ipcb_run_result_fini(&r);
				}
			}
	}
	return true;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, msg, prog);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static struct driver d;
	char err[IPCB_ERR_BYTES];
	int status = 0, rc;
	bool wait_used = false;

	ipcb_opts_init(&d.o);
	if (ipcb_opts_parse(&d.o, argc, argv, err, sizeof(err)) < 0)
		return usage_error(err);
	if (d.o.help) {
		ipcb_opts_usage(stdout, prog);
		return 0;
	}
	if (d.o.version) {
		printf("ipcbench %s\n", IPCB_VERSION);
		return 0;
	}
	if (d.o.list)
		return do_list();
	if (resolve_transports(&d) < 0) {
		fprintf(stderr, "%s: none of the requested transports can run on this machine\n",
			prog);
		return EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < d.nuse; i++)
		wait_used |= (d.use[i].t->caps & IPCB_CAP_WAIT_CHOICE) != 0;
	if (d.o.wait && !wait_used)
		return usage_error("--wait: none of the requested transports offers a choice of "
				   "wait strategy (see --list: wait-choice)");
	if (check_dir(&d, err, sizeof(err)) < 0)
		return usage_error(err);
	if (d.o.cpus[0] < 0 && default_cpus(d.o.cpus, d.o.quiet) < 0) {
		fprintf(stderr, "%s: sched_getaffinity: cannot tell which CPUs to use\n", prog);
		return EXIT_RUN_FAILED;
	}
	if (d.o.csv_path && ipcb_csv_open(&d.csv, d.o.csv_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_USAGE;
	}
	rc = ipcb_run_signals_block();
	if (rc < 0) {
		fprintf(stderr, "%s: sigprocmask: %s\n", prog, strerror(-rc));
		return EXIT_RUN_FAILED;
	}
	ipcb_sysinfo_read(&d.si);
	d.runs_total = d.nuse * d.o.nsizes * (size_t)(d.o.latency + d.o.throughput) * d.o.repeat;
	if (d.o.floor)
		d.runs_total += (1 + d.o.nsizes) * d.o.repeat;
	d.started_ns = ipcb_now_ns();
	printf("# ipcbench %s on %s (%s, %s, %d CPUs); sender CPU %d, receiver CPU %d\n",
	       d.si.version, d.si.host, d.si.kernel, d.si.cpu_model, d.si.online_cpus, d.o.cpus[0],
	       d.o.cpus[1]);
	ipcb_table_header(stdout);
	if (!d.o.floor || run_floors(&d))
		run_plan(&d);
	if (ipcb_csv_close(&d.csv) < 0) {
		fprintf(stderr, "%s: --csv %s: %s\n", prog, d.o.csv_path, strerror(errno));
		status = EXIT_RUN_FAILED;
	}
	if (d.interrupted) {
		fprintf(stderr, "%s: stopped by %s after %zu of %zu runs; rows so far are kept\n",
			prog, strsignal(d.interrupted), d.runs_done, d.runs_total);
		return 128 + d.interrupted;
	}
	if (d.failures) {
		fprintf(stderr, "%s: %u of %zu runs failed\n", prog, d.failures, d.runs_total);
		status = EXIT_RUN_FAILED;
	}
	return status;
}
