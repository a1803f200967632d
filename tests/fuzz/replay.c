/* SPDX-License-Identifier: MIT */
/*
 * replay.c - a plain main() for one libFuzzer target of tests/fuzz, built by meson with the
 * project's compiler and no libFuzzer: every file of the target's committed corpus goes through
 * LLVMFuzzerTestOneInput() once, so each `meson test` (and each sanitizer build of it) checks the
 * inputs the fuzzers found interesting against the invariants the targets assert.
 *
 * Each input runs in a child process: a broken invariant (abort()), a crash or a sanitizer report
 * fails that input alone, by name, with what it printed on stderr; stdout, where the targets'
 * code under test prints tables, goes to /dev/null. A child that runs for longer than
 * REPLAY_TIMEOUT_S (or IPCB_REPLAY_TIMEOUT_S) seconds is killed and fails. TAP: one line per
 * input; a corpus without inputs fails.
 *
 * Usage: replay CORPUS_DIR
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target (libFuzzer calls it once before the first input): weak, NULL if absent. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* libFuzzer's own per-input limit in scripts/fuzz is 10 s; a replay has no reason to be slower. */
#define REPLAY_TIMEOUT_S 60
/* Larger than any corpus file: libFuzzer's inputs are kilobytes. */
#define REPLAY_MAX_BYTES (16u << 20)

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file, in a heap block of exactly its size (so ASan sees a read past it). */
static uint8_t *read_input(const char *path, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > REPLAY_MAX_BYTES) {
		snprintf(err, errlen, "not a regular file of at most %u bytes", REPLAY_MAX_BYTES);
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			snprintf(err, errlen, "%s", n < 0 ? strerror(errno) : "short read");
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)n;
	}
	if (!buf && !err[0])
		snprintf(err, errlen, "out of memory");
	close(fd);
	*size = got;
	return buf;
}

/* Copy what the child wrote to stderr into the TAP output as comments. */
static void show_stderr(int fd)
{
	char line[512];
	FILE *f;

	if (lseek(fd, 0, SEEK_SET) != 0 || !(f = fdopen(dup(fd), "r")))
		return;
	while (fgets(line, sizeof(line), f))
		tap_diag("  %.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

static unsigned timeout_s(void)
{
	const char *s = getenv("IPCB_REPLAY_TIMEOUT_S");
	unsigned long v = s ? strtoul(s, NULL, 10) : 0;

	return v > 0 && v <= 3600 ? (unsigned)v : REPLAY_TIMEOUT_S;
}

/* A file for the child's stderr, already unlinked; -1 if none could be made. */
static int stderr_file(void)
{
	const char *tmp = getenv("TMPDIR");
	char t[4096];
	int fd;

	snprintf(t, sizeof(t), "%s/replay-stderr.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(t);
	if (fd >= 0)
		unlink(t);
	return fd;
}

/* Run one input in a child; true when the target returned normally. */
static bool replay_one(const char *dir, const char *name)
{
	char path[4096], err[600] = "", why[96] = "";
	size_t size = 0;
	uint8_t *data;
	int status = 0, errfd;
	bool passed;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	data = read_input(path, &size, err, sizeof(err));
	if (!data)
		return ok(0, "%s: %s", name, err);
	errfd = stderr_file();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0 ||
		    (errfd >= 0 && dup2(errfd, STDERR_FILENO) < 0))
			_exit(125);
		alarm(timeout_s());
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		/* exit(), not _exit(): a leak check at exit (LeakSanitizer) must still run. */
		exit(0);
	}
	free(data);
	if (pid < 0) {
		snprintf(why, sizeof(why), ": fork: %s", strerror(errno));
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status))
			snprintf(why, sizeof(why), ": killed by signal %d%s", WTERMSIG(status),
				 WTERMSIG(status) == SIGALRM ? " (over the time limit)" : "");
		else if (WEXITSTATUS(status) != 0)
			snprintf(why, sizeof(why), ": exit %d", WEXITSTATUS(status));
	}
	passed = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ok(passed, "%s (%zu bytes) goes through the target%s", name, size, why);
	if (!passed && errfd >= 0)
		show_stderr(errfd);
	if (errfd >= 0)
		close(errfd);
	return passed;
}

int main(int argc, char **argv)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		ok(0, "corpus %s: %s", argv[1], strerror(errno));
		return tap_done();
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!p)
				break;
			names = p;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (!ok(n > 0, "corpus %s holds inputs (%zu)", argv[1], n))
		return tap_done();
	qsort(names, n, sizeof(*names), name_cmp);
	/* Once, before the first input, as libFuzzer does; the children inherit what it set up. */
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (size_t i = 0; i < n; i++) {
		replay_one(argv[1], names[i]);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
