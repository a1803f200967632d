/* SPDX-License-Identifier: MIT */
/*
 * fuzz_report.c - libFuzzer target for what `ipcbench compare` and `ipcbench report` do with a
 * CSV after the reader has split it: column lookup, numbers, grouping, statistics and output.
 *
 * The input is one CSV, or two joined by a line "===" (BASE, then NEW). The subcommands take
 * paths, so each side is written to a memfd and named as /proc/self/fd/N. Their output is not
 * checked here (scripts/fuzz runs this target with stdout and stderr closed), only their exit
 * status: one the usage text promises, and a file compared with itself never "regressed" (the
 * A/A property the CI gate rests on).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "compare.h"
#include "fuzz.h"
#include "report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static int side_fd[2] = {-1, -1};
static char side_path[2][32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Before libFuzzer closes stderr (-close_fd_mask=2): a broken invariant must still say so.
	 */
	fuzz_stderr_fd = dup(STDERR_FILENO);
	for (int i = 0; i < 2; i++) {
		side_fd[i] = memfd_create(i ? "new.csv" : "base.csv", 0);
		FUZZ_CHECK(side_fd[i] >= 0, "memfd_create");
		snprintf(side_path[i], sizeof(side_path[i]), "/proc/self/fd/%d", side_fd[i]);
	}
	return 0;
}

/* Replace side i's file with buf[0..len). */
static void side_write(int i, const uint8_t *buf, size_t len)
{
	FUZZ_CHECK(ftruncate(side_fd[i], 0) == 0, "ftruncate");
	FUZZ_CHECK(pwrite(side_fd[i], buf, len, 0) == (ssize_t)len, "pwrite");
}

static int compare(const char *format, const char *metric)
{
	char *argv[] = {"compare",	"--format",   (char *)format, "--metric",
			(char *)metric, side_path[0], side_path[1],   NULL};

	return ipcb_compare_main(7, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, "\n===\n", 5);
	char *report_argv[] = {"report", side_path[0], "-o", "/dev/null", NULL};
	int rc;

	if (sep) {
		side_write(0, data, (size_t)(sep - data) + 1);
		side_write(1, sep + 5, size - (size_t)(sep - data) - 5);
	} else {
		side_write(0, data, size);
		side_write(1, data, size);
	}
	rc = compare("table", "bytes_per_s");
	FUZZ_CHECK(rc >= IPCB_COMPARE_OK && rc <= IPCB_COMPARE_UNDECIDED, "compare exit %d", rc);
	FUZZ_CHECK(sep || rc != IPCB_COMPARE_REGRESSED, "a file compared with itself regressed");
	/* A lower-is-better metric takes the other branch of every verdict. */
	rc = compare("csv", "p99_ns");
	FUZZ_CHECK(rc >= IPCB_COMPARE_OK && rc <= IPCB_COMPARE_UNDECIDED, "compare exit %d", rc);
	FUZZ_CHECK(sep || rc != IPCB_COMPARE_REGRESSED, "a file compared with itself regressed");
	rc = ipcb_report_main(4, report_argv);
	FUZZ_CHECK(rc >= 0 && rc <= 2, "report exit %d", rc);
	return 0;
}
