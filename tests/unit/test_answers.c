/* SPDX-License-Identifier: MIT */
/*
 * test_answers.c - the answers in brief a sweep ends with (ipcb_report_answers), on rows of a
 * sweep whose rounds were all measured in one state of the machine and on rows where one round
 * was not: the first answers, the second defers to the report and says how many rounds it would
 * set aside. Both paths give back all they took (the sanitizer suite runs this test too).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../tap.h"

/* Five quiet rounds of shm and pipe round trips, cross-core; PROBE_JUMP adds a sixth shm round
 * whose wake-up probe took four times the others' (set aside as probe-jump). */
static char *sweep(int probe_jump, size_t *len)
{
	static const int quiet[] = {1000, 1010, 990, 1020, 980};
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,"
		   "bytes_per_s,ctx_switches_per_msg,data_path,probe_wakeup_ns,host,cpu_model\n");
	for (int r = 1; r <= 5; r++) {
		fprintf(
		    f,
		    "shm,latency,64,%d,%d,rtt,cross-core,block,%d,,2.0,shared-memory,50000,h,c\n",
		    r, r, 400 * quiet[r - 1] / 1000);
		fprintf(
		    f, "pipe,latency,64,%d,%d,rtt,cross-core,block,%d,,2.0,kernel-copy,50000,h,c\n",
		    r, r, 5000 * quiet[r - 1] / 1000);
	}
	if (probe_jump)
		fprintf(
		    f,
		    "shm,latency,64,6,6,rtt,cross-core,block,2000,,2.0,shared-memory,200000,h,c\n");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *answers(int probe_jump, int *rc)
{
	size_t len = 0, outlen = 0;
	char *csv = sweep(probe_jump, &len), *text = NULL;
	FILE *out = open_memstream(&text, &outlen);

	*rc = -1;
	if (csv && out)
		*rc = ipcb_report_answers(csv, len, out);
	if (out)
		fclose(out);
	free(csv);
	return text;
}

int main(void)
{
	int rc;
	char *text = answers(0, &rc);

	ok(rc == 0 && text && strstr(text, "# the answers in brief (ipcbench report"),
	   "rounds in one state of the machine: the sweep answers (rc %d)", rc);
	ok(text && strstr(text, "shm"), "and its answers name the mechanisms measured");
	free(text);

	text = answers(1, &rc);
	ok(rc == 0 && text &&
	       strstr(text, "# the answers in brief: 1 run of this sweep was measured in another "
			    "state of the machine; ipcbench report of its CSV sets it aside"),
	   "a round in a passing state: the sweep defers to the report, naming 1 run (rc %d: %s)",
	   rc, text ? text : "(nothing)");
	ok(text && !strstr(text, "ipcbench report of the CSV gives them"),
	   "and gives no answers of its own");
	free(text);
	return tap_done();
}
