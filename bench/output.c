/* SPDX-License-Identifier: MIT */
/* output.c - table and CSV rows; see output.h. */
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

static const char csv_header[] =
    "transport,mode,size_bytes,run,messages,latency_kind,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,"
    "max_ns,mean_ns,stddev_ns,msgs_per_s,bytes_per_s,sender_cpu,receiver_cpu,placement,wait,"
    "chunk_bytes,sender_cpu_s,receiver_cpu_s,ctx_switches_per_msg,sender_cpu_ns_per_msg,"
    "receiver_cpu_ns_per_msg,x_floor,clock_skew_bound_ns,elapsed_s,warmup,work_ns,spin_polls,"
    "fsync,buffer_bytes,channel,full_checks,verify,segments_per_msg,"
    "timestamp,host,kernel,cpu_model,governor,boost,smt,thp,isolated_cpus,loadavg,"
    "virtualization,build_type,version";

const char *ipcb_csv_header(void)
{
	return csv_header;
}

int ipcb_csv_open(struct ipcb_csv *c, const char *path, char *err, size_t errlen)
{
	char line[sizeof(csv_header) + 2];
	FILE *f;
	bool have_header = false;

	c->f = NULL;
	c->path = path;
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (strcmp(line, csv_header) != 0) {
				fclose(f);
				snprintf(
				    err, errlen,
				    "--csv %s: the file exists with another header; refusing to "
				    "mix columns (use a new file)",
				    path);
				return -EINVAL;
			}
			have_header = true;
		}
		fclose(f);
	}
	f = fopen(path, "a");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "--csv %s: %s", path, strerror(e));
		return -e;
	}
	if (!have_header && (fprintf(f, "%s\n", csv_header) < 0 || fflush(f) != 0)) {
		int e = errno;

		fclose(f);
		snprintf(err, errlen, "--csv %s: %s", path, strerror(e));
		return -e;
	}
	c->f = f;
	return 0;
}

void ipcb_csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_cpu(FILE *f, int cpu)
{
	if (cpu >= 0)
		fprintf(f, "%d", cpu);
}

/* Format one row, newline included, into f. */
static void csv_format_row(FILE *f, const struct ipcb_row *row, const struct ipcb_sysinfo *si)
{
	const struct ipcb_run_result *r = row->res;
	const struct ipcb_hist *h = row->hist;
	const char *texts[] = {si->host,  si->kernel, si->cpu_model, si->governor,
			       si->boost, si->smt,    si->thp,	     si->isolated};
	double msgs = (double)r->messages;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	ipcb_csv_text(f, row->transport);
	fprintf(f, ",%s,%zu,%u,%" PRIu64 ",", row->mode, row->size_bytes, row->run, row->messages);
	if (h && row->latency_kind)
		fprintf(f,
			"%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
			",%.1f,%.1f,",
			row->latency_kind, ipcb_hist_min(h), ipcb_hist_value_at_percentile(h, 50),
			ipcb_hist_value_at_percentile(h, 90), ipcb_hist_value_at_percentile(h, 99),
			ipcb_hist_value_at_percentile(h, 99.9), ipcb_hist_max(h), ipcb_hist_mean(h),
			ipcb_hist_stddev(h));
	else
		fputs(",,,,,,,,,", f);
	if (row->rates && r->msgs_per_s > 0)
		fprintf(f, "%.1f", r->msgs_per_s);
	fputc(',', f);
	if (row->rates && r->bytes_per_s > 0)
		fprintf(f, "%.1f", r->bytes_per_s);
	fputc(',', f);
	csv_cpu(f, row->cpu[0]);
	fputc(',', f);
	csv_cpu(f, row->cpu[1]);
	fprintf(f, ",%s,%s,%zu,%.6f,%.6f,%.4f,%.1f,%.1f,", row->placement, row->wait,
		row->chunk_bytes, r->cpu_s[0], r->cpu_s[1],
		(double)(r->ctx_switches[0] + r->ctx_switches[1]) / msgs, r->cpu_s[0] * 1e9 / msgs,
		r->cpu_s[1] * 1e9 / msgs);
	if (row->x_floor > 0)
		fprintf(f, "%.3f", row->x_floor);
	fputc(',', f);
	if (row->clock_skew_bound_ns >= 0)
		fprintf(f, "%" PRId64, row->clock_skew_bound_ns);
	fprintf(f, ",%.6f,%" PRIu64 ",%" PRIu64 ",", r->elapsed_s, row->warmup, row->work_ns);
	if (row->spin_polls >= 0)
		fprintf(f, "%" PRId64, row->spin_polls);
	fprintf(f, ",%d,", row->fsync);
	if (r->buffer_bytes)
		fprintf(f, "%zu", r->buffer_bytes);
	fputc(',', f);
	ipcb_csv_text(f, r->layout);
	fprintf(f, ",%" PRIu64 ",%s,", r->full_checks, row->verify ? row->verify : "");
	if (row->rates && r->segments_counted && r->messages > 0)
		fprintf(f, "%.4f", (double)r->segments / msgs);
	fprintf(f, ",%s", stamp);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		fputc(',', f);
		ipcb_csv_text(f, texts[i]);
	}
	fprintf(f, ",%.2f,", si->loadavg1);
	ipcb_csv_text(f, si->virt);
	fputc(',', f);
	ipcb_csv_text(f, si->build_type);
	fputc(',', f);
	ipcb_csv_text(f, si->version);
	fputc('\n', f);
}

int ipcb_csv_row(struct ipcb_csv *c, const struct ipcb_row *row, const struct ipcb_sysinfo *si)
{
	char *buf = NULL;
	size_t len = 0, done = 0;
	FILE *mem = open_memstream(&buf, &len);
	int fd = fileno(c->f), rc = 0;
	struct stat st;

	if (!mem)
		return -ENOMEM;
	csv_format_row(mem, row, si);
	if (fclose(mem) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/*
	 * A row goes in whole or not at all: one write of the formatted row, and if the file fills
	 * up halfway, the file is cut back to where it was, so it never ends in a torn row.
	 */
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto free_buf;
	}
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			if (ftruncate(fd, st.st_size) < 0 && rc == 0)
				rc = -errno;
			break;
		}
		done += (size_t)n;
	}
free_buf:
	free(buf);
	return rc;
}

int ipcb_csv_close(struct ipcb_csv *c)
{
	int rc = 0;

	if (!c->f)
		return 0;
	errno = 0;
	if (fflush(c->f) != 0 || ferror(c->f))
		rc = -(errno ? errno : EIO);
	if (fclose(c->f) != 0 && rc == 0)
		rc = -errno;
	c->f = NULL;
	return rc;
}

void ipcb_format_ns(double ns, char *out, size_t n)
{
	if (ns < 1e3)
		snprintf(out, n, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(out, n, "%.*f us", ns < 1e4 ? 2 : ns < 1e5 ? 1 : 0, ns / 1e3);
	else if (ns < 1e9)
		snprintf(out, n, "%.*f ms", ns < 1e7 ? 2 : ns < 1e8 ? 1 : 0, ns / 1e6);
	else
		snprintf(out, n, "%.2f s", ns / 1e9);
}

/* Short names for the table's kind column. */
static const char *kind_short(const char *kind)
{
	if (!kind)
		return "-";
	if (strcmp(kind, "one_way_ab") == 0)
		return "a->b";
	if (strcmp(kind, "one_way_ba") == 0)
		return "b->a";
	if (strcmp(kind, "one_way") == 0)
		return "1-way";
	return kind;
}

void ipcb_table_header(FILE *f)
{
	fprintf(f,
		"%-15s %-10s %-5s %5s %9s %9s %9s %9s %9s %9s %10s %9s %5s %6s %5s %9s %7s %7s\n",
		"transport", "mode", "kind", "size", "msgs", "p50", "p90", "p99", "p99.9", "max",
		"msg/s", "MB/s", "cpus", "wait", "chunk", "cpu/msg", "ctx/msg", "x floor");
}

void ipcb_table_row(FILE *f, const struct ipcb_row *row)
{
	const struct ipcb_run_result *r = row->res;
	const struct ipcb_hist *h = row->hist;
	char size[16], chunk[16], cpus[32], p[5][16], rate[24], mbs[24], cpu_msg[16], ctx[16],
	    xf[16];
	static const double pct[5] = {50, 90, 99, 99.9, 100};
	double msgs = (double)r->messages;

	ipcb_format_size(row->size_bytes, size, sizeof(size));
	if (row->chunk_bytes && row->chunk_bytes < row->size_bytes)
		ipcb_format_size(row->chunk_bytes, chunk, sizeof(chunk));
	else
		snprintf(chunk, sizeof(chunk), "-");
	for (int i = 0; i < 5; i++) {
		if (h && row->latency_kind)
			ipcb_format_ns((double)ipcb_hist_value_at_percentile(h, pct[i]), p[i],
				       sizeof(p[i]));
		else
			snprintf(p[i], sizeof(p[i]), "-");
	}
	if (row->cpu[0] >= 0 && row->cpu[1] >= 0)
		snprintf(cpus, sizeof(cpus), "%d,%d", row->cpu[0], row->cpu[1]);
	else if (row->cpu[0] >= 0)
		snprintf(cpus, sizeof(cpus), "%d", row->cpu[0]);
	else
		snprintf(cpus, sizeof(cpus), "any");
	snprintf(rate, sizeof(rate), "-");
	snprintf(mbs, sizeof(mbs), "-");
	if (row->rates && r->msgs_per_s > 0)
		snprintf(rate, sizeof(rate), "%.0f", r->msgs_per_s);
	if (row->rates && r->bytes_per_s > 0)
		snprintf(mbs, sizeof(mbs), "%.1f", r->bytes_per_s / 1e6);
	/* Both sides' CPU time per message: where spinning shows its price. */
	ipcb_format_ns((r->cpu_s[0] + r->cpu_s[1]) * 1e9 / msgs, cpu_msg, sizeof(cpu_msg));
	snprintf(ctx, sizeof(ctx), "%.2f",
		 (double)(r->ctx_switches[0] + r->ctx_switches[1]) / msgs);
	if (row->x_floor > 0)
		snprintf(xf, sizeof(xf), "%.1f", row->x_floor);
	else
		snprintf(xf, sizeof(xf), "-");
	fprintf(f,
		"%-15s %-10s %-5s %5s %9" PRIu64
		" %9s %9s %9s %9s %9s %10s %9s %5s %6s %5s %9s %7s %7s\n",
		row->transport, row->mode, kind_short(row->latency_kind), size, row->messages, p[0],
		p[1], p[2], p[3], p[4], rate, mbs, cpus, row->wait, chunk, cpu_msg, ctx, xf);
	fflush(f);
}
