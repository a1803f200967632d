/* SPDX-License-Identifier: MIT */
/*
 * test_answers.c - the answers in brief a sweep ends with (ipcb_report_answers), on rows of a
 * sweep whose rounds were all measured in one state of the machine and on rows where one round
 * was not: the first answers, the second defers to the report and says how many rounds it would
 * set aside. Both paths give back all they took (the sanitizer suite runs this test too). A
 * round trip's p99 says how many samples it rests on, and under 100 a run that it is the slowest.
 * A sweep of loads alone (a rate sweep's steps) is not answered as if it had measured nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../tap.h"

/*
 * Five quiet rounds of shm and pipe round trips, cross-core, MSGS round trips a run; PROBE_JUMP
 * adds a sixth shm round whose wake-up probe took four times the others' (set aside as
 * probe-jump).
 */
static char *sweep(int probe_jump, int msgs, size_t *len)
{
	static const int quiet[] = {1000, 1010, 990, 1020, 980};
	static const char *row =
	    "%s,latency,64,%d,%d,rtt,cross-core,block,%d,%d,%d,,2.0,%s,%d,h,c\n";
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,p99_ns,"
		   "messages,bytes_per_s,ctx_switches_per_msg,data_path,probe_wakeup_ns,host,"
		   "cpu_model\n");
	for (int r = 1; r <= 5; r++) {
		fprintf(f, row, "shm", r, r, 400 * quiet[r - 1] / 1000, 900, msgs, "shared-memory",
			50000);
		fprintf(f, row, "pipe", r, r, 5000 * quiet[r - 1] / 1000, 9000, msgs, "kernel-copy",
			50000);
	}
	if (probe_jump)
		fprintf(f, row, "shm", 6, 6, 2000, 4000, msgs, "shared-memory", 200000);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The same rounds as steps of a rate sweep: each run offered a rate, 10% of a maximum. */
static char *rate_steps(size_t *len)
{
	char *buf = NULL, *line, *end;
	size_t n = 0;
	FILE *f;
	char *csv = sweep(0, 2000, &n);

	if (!csv || !(f = open_memstream(&buf, len))) {
		free(csv);
		return NULL;
	}
	for (line = csv; *line; line = end + 1) {
		end = strchr(line, '\n');
		fprintf(f, "%.*s,%s\n", (int)(end - line), line,
			line == csv ? "offered_rate,offered_fraction" : "1000,0.10");
	}
	free(csv);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *answers_of(char *csv, size_t len, int *rc)
{
	size_t outlen = 0;
	char *text = NULL;
	FILE *out = open_memstream(&text, &outlen);

	*rc = -1;
	if (csv && out)
		*rc = ipcb_report_answers(csv, len, out);
	if (out)
		fclose(out);
	free(csv);
	return text;
}

static char *answers(int probe_jump, int msgs, int *rc)
{
	size_t len = 0;
	char *csv = sweep(probe_jump, msgs, &len);

	return answers_of(csv, len, rc);
}

int main(void)
{
	int rc;
	char *text = answers(0, 2000, &rc);

	ok(rc == 0 && text && strstr(text, "# the answers in brief (ipcbench report"),
	   "rounds in one state of the machine: the sweep answers (rc %d)", rc);
	if (!ok(text && strstr(text, "shm 400 ns (p99 900 ns, from 20 samples a run)"),
		"its answers name the mechanisms measured, a p99 of 2000 round trips a run resting "
		"on 20"))
		tap_diag("%s", text ? text : "(nothing)");
	free(text);

	text = answers(0, 20, &rc);
	if (!ok(rc == 0 && text && strstr(text, "shm 400 ns (p99 900 ns, the slowest of 20 a run)"),
		"a p99 of 20 round trips a run is their slowest, and says so"))
		tap_diag("%s", text ? text : "(nothing)");
	free(text);

	text = answers(1, 2000, &rc);
	ok(rc == 0 && text &&
	       strstr(text, "# the answers in brief: 1 run of this sweep was measured in another "
			    "state of the machine; ipcbench report of its CSV sets it aside"),
	   "a round in a passing state: the sweep defers to the report, naming 1 run (rc %d)", rc);
	ok(text && !strstr(text, "ipcbench report of the CSV gives them"),
	   "and gives no answers of its own");
	free(text);

	{
		size_t len = 0;
		char *csv = rate_steps(&len);

		text = answers_of(csv, len, &rc);
	}
	if (!ok(rc == 0 && text &&
		    strstr(text, "# the answers in brief compare one sender and one receiver "
				 "moving a message at a time, which this sweep did not measure"),
		"a sweep of a rate sweep's steps alone: the answers say they do not apply (rc %d)",
		rc))
		tap_diag("%s", text ? text : "(nothing)");
	ok(text && !strstr(text, "not measured: this CSV has no"),
	   "not that the sizes it measured were not measured");
	free(text);
	return tap_done();
}
