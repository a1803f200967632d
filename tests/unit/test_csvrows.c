/* SPDX-License-Identifier: MIT */
/*
 * test_csvrows.c - the CSV writer's bytes: a header and rows of every shape the driver writes
 * (a round trip with its histogram, a stream, one-way rows, rows with nothing measured, texts
 * that need quoting, large and small numbers) go through ipcb_csv_open() and ipcb_csv_row() into
 * a real file, which must equal, byte for byte, the committed reference (tests/fixtures/
 * csv-rows.csv) that this same program wrote (the first five rows before the CSV schema became a
 * table). Only the timestamp differs from run to run: it must be the time of writing, in the same
 * format, and both sides' timestamps are masked before the bytes are compared.
 *
 * Usage: test_csvrows REFERENCE.csv [--write]   (--write replaces REFERENCE with what is written
 * now: for a deliberate change of format, never to make a failure go away).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "output.h"

static struct ipcb_hist *hist_of(const int64_t *v, size_t n)
{
	struct ipcb_hist *h = NULL;

	if (ipcb_hist_create(1, 3600000000000LL, 3, &h) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ipcb_hist_record(h, v[i]);
	return h;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap ? 2 * cap : 8192);

			if (!p)
				break;
			buf = p;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* Is s[0..20) a timestamp as the writer prints it, 2026-11-21T12:28:28Z? */
static bool is_stamp(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	for (int i = 0; i < 20; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return false;
	return true;
}

/*
 * Replace every ",<timestamp>," with ",YYYY-MM-DDTHH:MM:SSZ,"; count them, and check each one
 * written now lies between t0 and t1 (whole seconds, UTC).
 */
static size_t mask_stamps(char *buf, size_t len, time_t t0, time_t t1, bool check, int *bad)
{
	size_t n = 0;

	for (size_t i = 0; i + 22 <= len; i++) {
		if (buf[i] != ',' || buf[i + 21] != ',' || !is_stamp(buf + i + 1))
			continue;
		if (check) {
			struct tm tm = {0};
			char *end = strptime(buf + i + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
			time_t t = end ? timegm(&tm) : (time_t)-1;

			if (t < t0 || t > t1) {
				tap_diag("timestamp %.20s is not the time of writing", buf + i + 1);
				(*bad)++;
			}
		}
		memcpy(buf + i + 1, "YYYY-MM-DDTHH:MM:SSZ", 20);
		n++;
		i += 20;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const int64_t rtt[] = {900, 1000, 1000, 1100, 1200, 5000, 25000, 1000000};
	static const int64_t ab[] = {400, 450, 500, 520, 3000};
	struct ipcb_hist *h_rtt = hist_of(rtt, sizeof(rtt) / sizeof(rtt[0]));
	struct ipcb_hist *h_ab = hist_of(ab, sizeof(ab) / sizeof(ab[0]));
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	bool rewrite = argc == 3 && strcmp(argv[2], "--write") == 0;
	char path[4096], err[IPCB_CSV_ERR_BYTES];
	struct ipcb_run_result lat = {0}, thr = {0}, tiny = {0}, open = {0}, bi = {0}, svc = {0},
			       bc = {0}, cnt = {0};
	struct ipcb_count_sig sig = {0};
	struct ipcb_sysinfo si = {0}, odd = {0};
	struct ipcb_csv csv;
	size_t got_len = 0, want_len = 0;
	char *got, *want;
	time_t t0, t1;
	int rc, bad = 0;

	if (argc < 2 || (argc == 3 && !rewrite) || argc > 3) {
		fprintf(stderr, "usage: %s REFERENCE.csv [--write]\n", argv[0]);
		return 2;
	}
	if (!ok(h_rtt && h_ab, "histograms for the rows"))
		return tap_done();

	/* A machine as sysinfo fills it, and one whose texts need every kind of quoting. */
	snprintf(si.host, sizeof(si.host), "vm");
	snprintf(si.kernel, sizeof(si.kernel), "6.18.44-fc-v657");
	snprintf(si.cpu_model, sizeof(si.cpu_model), "AMD EPYC 7B13 64-Core Processor");
	snprintf(si.version, sizeof(si.version), "9a1c898-dirty");
	snprintf(si.build_type, sizeof(si.build_type), "release");
	snprintf(si.governor, sizeof(si.governor), "performance");
	snprintf(si.boost, sizeof(si.boost), "on");
	snprintf(si.smt, sizeof(si.smt), "notsupported");
	snprintf(si.thp, sizeof(si.thp), "madvise");
	snprintf(si.isolated, sizeof(si.isolated), "2-3,6");
	snprintf(si.virt, sizeof(si.virt), "KVM");
	si.loadavg1 = 1.425;
	snprintf(odd.host, sizeof(odd.host), "build box, rack \"7\"");
	snprintf(odd.kernel, sizeof(odd.kernel), "line\none");
	snprintf(odd.cpu_model, sizeof(odd.cpu_model), "CPU \"quoted\"");
	snprintf(odd.version, sizeof(odd.version), "v,1");
	snprintf(odd.build_type, sizeof(odd.build_type), "debug");
	snprintf(odd.virt, sizeof(odd.virt), "none");
	odd.loadavg1 = 12.0;

	/* A round trip: every measured column filled. */
	lat.messages = 3000;
	lat.hist = h_rtt;
	lat.elapsed_s = 0.5123456789;
	lat.msgs_per_s = 5855.51234;
	lat.cpu_s[0] = 0.25;
	lat.cpu_s[1] = 0.1234567;
	lat.ctx_switches[0] = 2999;
	lat.ctx_switches[1] = 3001;
	lat.ctx_involuntary[0] = 12;
	lat.ctx_involuntary[1] = 1;
	lat.full_checks = 47;
	lat.buffer_bytes = 131072;
	snprintf(lat.layout, sizeof(lat.layout), "ring of 16 x 8 KiB, per direction");
	/* A stream: rates and segments, no histogram. */
	thr.messages = 123456789;
	thr.elapsed_s = 0.500000049;
	thr.msgs_per_s = 246913553.8;
	thr.bytes_per_s = 15802467443.2;
	thr.cpu_s[0] = 0.5;
	thr.cpu_s[1] = 0.499999;
	thr.ctx_switches[0] = 7;
	thr.full_checks = 1929012;
	thr.segments = 1000;
	thr.segments_counted = true;
	thr.buffer_bytes = 212992;
	/* A run of one message: divisions by one, zeros that are measured zeros. */
	tiny.messages = 1;
	tiny.hist = h_rtt;
	/* An open loop of requests over two pairs: what was offered, what got through. */
	open.messages = 20000;
	open.hist = h_rtt;
	open.send_lag = h_ab;
	open.elapsed_s = 1.0000001;
	open.msgs_per_s = 19999.998;
	open.offered_rate = 20000;
	open.achieved_rate = 19999.998;
	open.arrivals = IPCB_ARRIVALS_POISSON;
	open.late = 17;
	open.losses = 0;
	open.losses_counted = true;
	open.pair_min_msgs_per_s = 9990.5;
	open.pair_max_msgs_per_s = 10009.5;
	/* Round trips through a server, whose CPU time per message is counted. */
	svc = lat;
	svc.server_cpu_s = 0.0125;
	svc.server_messages = 2500;
	svc.server_counted = true;
	/* Streams both ways: each direction's bytes, and both together. */
	bi.messages = 400000;
	bi.elapsed_s = 0.5;
	bi.msgs_per_s = 800000;
	bi.bytes_per_s = 3276800000.0;
	bi.bytes_per_s_dir[0] = 1638400000.0;
	bi.bytes_per_s_dir[1] = 1638399999.5;
	/* A broadcast to three receivers: what was published, what arrived, what was lost. */
	bc.messages = 30000;
	bc.elapsed_s = 0.25;
	bc.msgs_per_s = 120000;
	bc.bytes_per_s = 7680000;
	bc.deliveries_per_s = 359996;
	bc.cpu_s[0] = 0.2;
	bc.cpu_s[1] = 0.6;
	bc.full_checks = 90000;
	bc.losses = 1;
	bc.losses_counted = true;
	bc.one_way[0] = h_ab;
	bc.one_way_last = h_ab;
	snprintf(bc.layout, sizeof(bc.layout), "XPUB/SUB to 3 subscribers, HWM 1000 each");
	/* A counted row (--count): counts, no times, and the rest of its work signature. */
	cnt.messages = 1000;
	cnt.counts[0] = (struct ipcb_run_counts){.have = true,
						 .instr = 334.1,
						 .transport = 73.9,
						 .syscalls = 1.001,
						 .by_name = "write 1, getrusage 0.001"};
	cnt.counts[1] = (struct ipcb_run_counts){.have = true,
						 .instr = 761.1,
						 .transport = 49.9,
						 .syscalls = 1.001,
						 .by_name = "read 1, getrusage 0.001"};
	sig = (struct ipcb_count_sig){
	    .switches = true,
	    .runs = 5,
	    .median = {0.9371, 0.001, 0.9381, 0.002},
	    .values = {"0.9681 0.997 0.9371 0.8383 0.7914", "0.000998 0.000998 0 0.002994 0",
		       "0.9701 0.996 0.9381 0.8403 0.7904",
		       "0.003992 0.002994 0 0.002994 0.001996"},
	    .objects = "sender: 2 x pipe buffer 65536, shared map 4096 rw anon; receiver: 2 x pipe "
		       "buffer 65536, shared map 4096 rw anon",
	    .bytes = true,
	    .out = {65536, 0},
	    .in = {0, 65536},
	    .scope = "complete"};

	{
		/* A run's spec: --work-ns 250 is written from it (its row names the column). */
		static const struct ipcb_run_spec work250 = {.work_ns = 250};
		const struct ipcb_row rows[] = {
		    {.transport = "shm",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .cpu_topology = "cache L3",
		     .latency_kind = "rtt",
		     .hist = h_rtt,
		     .messages = lat.messages,
		     .res = &lat,
		     .rates = true,
		     .cpu = {0, 1},
		     .wait = "hybrid",
		     .chunk_bytes = 64,
		     .warmup = 100,
		     .spin_polls = 200,
		     .x_floor = 2.3456,
		     .ceiling = "probe-cacheline+floor-xcopy+harness",
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .seed = 18446744073709551615ULL,
		     .probe_cl_ns = 97.5,
		     .probe_wk_ns = 41234.4,
		     .probe_cl_after_ns = 431,
		     .harness_ns = 20.4,
		     .state = "below-floor;probe-jump"},
		    {.transport = "shm",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "one_way_ab",
		     .hist = h_ab,
		     .messages = 5,
		     .res = &lat,
		     .rates = false,
		     .cpu = {0, 1},
		     .wait = "hybrid",
		     .chunk_bytes = 64,
		     .warmup = 100,
		     .spin_polls = 200,
		     .x_floor = 1.5,
		     .ceiling = "probe-cacheline",
		     .clock_skew_bound_ns = 1234,
		     .verify = "sampled"},
		    {.transport = "tcp",
		     .mode = "throughput",
		     .size_bytes = 1048576,
		     .run = 12,
		     .placement = "same-core",
		     .cpu_topology = "same",
		     .latency_kind = NULL,
		     .hist = NULL,
		     .messages = thr.messages,
		     .res = &thr,
		     .rates = true,
		     .cpu = {1, 1},
		     .wait = "block",
		     .chunk_bytes = 65536,
		     .warmup = 18446744073709551615ULL,
		     .spec = &work250,
		     .spin_polls = -1,
		     .fsync = true,
		     .x_floor = 0,
		     .clock_skew_bound_ns = -1,
		     .verify = "full"},
		    {.transport = "odd, \"name\"",
		     .mode = "throughput",
		     .size_bytes = 1,
		     .run = 4294967295u,
		     .placement = "unpinned",
		     .latency_kind = "one_way",
		     .hist = h_ab,
		     .messages = 5,
		     .res = &thr,
		     .rates = false,
		     .cpu = {-1, -1},
		     .wait = "block",
		     .chunk_bytes = 1,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = 0,
		     .verify = NULL},
		    {.transport = "floor-cacheline",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "rtt",
		     .hist = h_rtt,
		     .messages = 1,
		     .res = &tiny,
		     .rates = true,
		     .cpu = {0, -1},
		     .wait = "spin",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = NULL},
		    {.transport = "pipe",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "rtt",
		     .hist = h_rtt,
		     .messages = open.messages,
		     .res = &open,
		     .rates = true,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .inflight = 1,
		     .pairs = 2,
		     .senders = 1,
		     .receivers = 1,
		     .sides_per_cpu = 2,
		     .round = 7,
		     .seed = 1,
		     .offered_fraction = 0.3},
		    {.transport = "pipe",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "send_lag",
		     .hist = h_ab,
		     .messages = 5,
		     .res = &open,
		     .rates = false,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .inflight = 1,
		     .pairs = 2,
		     .senders = 1,
		     .receivers = 1,
		     .sides_per_cpu = 2},
		    {.transport = "shm",
		     .mode = "bistream",
		     .size_bytes = 4096,
		     .run = 2,
		     .placement = "same-core",
		     .messages = bi.messages,
		     .res = &bi,
		     .rates = true,
		     .cpu = {0, 0},
		     .wait = "hybrid",
		     .chunk_bytes = 4096,
		     .spin_polls = 0,
		     .clock_skew_bound_ns = -1,
		     .verify = "full",
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 1,
		     .sides_per_cpu = 2},
		    /* A transport on a library, with options and a server process. */
		    {.transport = "dbus",
		     .mode = "latency",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "rtt",
		     .hist = h_rtt,
		     .messages = svc.messages,
		     .res = &svc,
		     .rates = true,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .inflight = 1,
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 1,
		     .sides_per_cpu = 1,
		     .options = "hwm=1000 tcp=0",
		     .library = "libdbus 1.14.10; dbus-daemon 1.14.10",
		     .hops = "via daemon",
		     .data_path = "kernel-copy",
		     .rides_on = "unix-stream",
		     .server = true,
		     .server_cpu = 1},
		    /* Two hosts: the receiver on a peer with another fingerprint, the path between.
		     */
		    {.transport = "tcp",
		     .mode = "latency",
		     .size_bytes = 65536,
		     .run = 1,
		     .placement = "two-host",
		     .latency_kind = "one_way_ab",
		     .hist = h_ab,
		     .messages = 1000,
		     .res = &lat,
		     .cpu = {0, 3},
		     .wait = "block",
		     .chunk_bytes = 65536,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = 4321,
		     .verify = "sampled",
		     .inflight = 1,
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 1,
		     .hops = "direct",
		     .data_path = "network-stack",
		     .peer = &odd,
		     .net_path = "10.0.0.1 (veth0, mtu 1500, 10000 Mb/s) -> 10.0.0.2 (veth1, mtu "
				 "1500); control round trip 41.5 us"},
		    /* Publish-subscribe (--deliver all): the fan-out's row and its last receiver's.
		     */
		    {.transport = "zmq-ipc",
		     .mode = "throughput",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .messages = 30000,
		     .res = &bc,
		     .rates = true,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 3,
		     .broadcast = true,
		     .sides_per_cpu = 3,
		     .options = "hwm=1000",
		     .hops = "via I/O thread",
		     .data_path = "kernel-copy",
		     .rides_on = "unix-stream"},
		    {.transport = "zmq-ipc",
		     .mode = "throughput",
		     .size_bytes = 64,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "one_way_last",
		     .hist = h_ab,
		     .messages = 5,
		     .res = &bc,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 64,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = 120,
		     .verify = "sampled",
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 3,
		     .broadcast = true,
		     .sides_per_cpu = 3,
		     .options = "hwm=1000",
		     .hops = "via I/O thread",
		     .data_path = "kernel-copy",
		     .rides_on = "unix-stream"},
		    {.transport = "pipe",
		     .mode = "throughput",
		     .size_bytes = 65536,
		     .run = 1,
		     .placement = "cross-core",
		     .latency_kind = "count",
		     .count_check = "exact",
		     .sig = &sig,
		     .messages = cnt.messages,
		     .res = &cnt,
		     .cpu = {0, 1},
		     .wait = "block",
		     .chunk_bytes = 65536,
		     .warmup = 20,
		     .spin_polls = -1,
		     .clock_skew_bound_ns = -1,
		     .verify = "sampled",
		     .pairs = 1,
		     .senders = 1,
		     .receivers = 1,
		     .sides_per_cpu = 1,
		     .options = "size=0 write=0",
		     .hops = "direct",
		     .data_path = "kernel-copy"},
		};
		const struct ipcb_sysinfo *sis[] = {&si, &si, &si, &odd, &odd, &si, &si,
						    &si, &si, &si, &si,	 &si,  &si};

		snprintf(path, sizeof(path), "%s/test_csvrows.%d.csv", dir, (int)getpid());
		unlink(path);
		t0 = time(NULL);
		rc = ipcb_csv_open(&csv, path, err, sizeof(err));
		if (!ok(rc == 0, "a new CSV opens: %s", rc ? err : path))
			return tap_done();
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			/* Summarised as the driver's rows are, where they go out (ipcb_rows_emit).
			 */
			struct ipcb_row row = rows[i];

			if (row.hist)
				ipcb_hist_summarise(row.hist, &row.lat);
			rc = ipcb_csv_row(&csv, &row, sis[i], err, sizeof(err));
			ok(rc == 0, "row %zu (%s %s %s) is written%s%s", i + 1, rows[i].transport,
			   rows[i].mode, rows[i].latency_kind ? rows[i].latency_kind : "-",
			   rc ? ": " : "", rc ? err : "");
		}
		ok(ipcb_csv_close(&csv) == 0, "the CSV closes");
		t1 = time(NULL);
	}

	got = slurp(path, &got_len);
	unlink(path);
	if (!ok(got != NULL, "what was written can be read back"))
		return tap_done();
	if (rewrite) {
		FILE *f = fopen(argv[1], "wb");

		ok(f && fwrite(got, 1, got_len, f) == got_len && fclose(f) == 0,
		   "reference %s written", argv[1]);
		free(got);
		return tap_done();
	}
	want = slurp(argv[1], &want_len);
	if (!ok(want != NULL, "the reference %s can be read", argv[1]))
		return tap_done();
	ok_eq(mask_stamps(got, got_len, t0, t1, true, &bad), 13, "every row carries one timestamp");
	ok(bad == 0, "each timestamp is the time of writing, in UTC");
	mask_stamps(want, want_len, 0, 0, false, &bad);
	{
		size_t i = 0;

		while (i < got_len && i < want_len && got[i] == want[i])
			i++;
		if (!ok(got_len == want_len && i == got_len,
			"the header and rows are the reference's, byte for byte (%zu bytes)",
			want_len)) {
			size_t from = i > 40 ? i - 40 : 0;

			tap_diag("first difference at byte %zu of %zu (reference has %zu)", i,
				 got_len, want_len);
			tap_diag("written:   ...%.80s", got + from);
			tap_diag("reference: ...%.80s", want + from);
		}
	}
	{
		const char *nl = strchr(got, '\n');

		ok(nl && (size_t)(nl - got) == strlen(ipcb_csv_header()) &&
		       strncmp(got, ipcb_csv_header(), (size_t)(nl - got)) == 0,
		   "the file starts with ipcb_csv_header() and a newline");
	}
	free(got);
	free(want);
	ipcb_hist_destroy(h_rtt);
	ipcb_hist_destroy(h_ab);
	return tap_done();
}
