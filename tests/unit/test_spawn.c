/* SPDX-License-Identifier: MIT */
/*
 * test_spawn.c - lib/child.c on real children: the exit status, a signal's 128 + N, the
 * environment set for the child alone, standard streams kept, sent to /dev/null or to a file, a
 * program that cannot be run (its message where the child's error goes, the status asked for),
 * a daemon's start (its group, directory, CPU, nothing else of ours open), a child that dies
 * with its parent, and this program's own path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "child.h"
#include "rundir.h"

static char *file_text(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, n - 1);

	if (fd >= 0)
		close(fd);
	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

static int sh(const char *script, int out, int err)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	const struct ipcb_spawn s = {.path = "/bin/sh", .argv = argv, .out = out, .err = err};

	return ipcb_spawn_run(&s);
}

/*
 * The one /proc/PID/stat reader: a child whose command name holds spaces and ')' (the fields
 * resume after the last one) says who its parent is and when it started.
 */
static void check_proc_stat(void)
{
	unsigned long long ppid = 0, start = 0, x;
	int pipefd[2];
	pid_t child;
	char c;
	int rc;

	if (pipe(pipefd) < 0) {
		ok(0, "a pipe for the child");
		return;
	}
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "a) b (c) ", 0, 0, 0);
		if (write(pipefd[1], "x", 1) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		c = 0;
	close(pipefd[0]);
	rc = c == 'x' ? ipcb_proc_stat_field((int)child, 4, &ppid) : -1;
	ok(rc == 0 && ppid == (unsigned long long)getpid(),
	   "a child named \"a) b (c) \": its parent, field 4, is this process (%llu)", ppid);
	rc = ipcb_proc_start_ticks((int)child, &start);
	ok(rc == 0 && start > 0, "and its start time, field 22, is read (%llu ticks)", start);
	ok_eq(ipcb_proc_stat_field((int)child, 99, &x), -EINVAL, "a field past the last: EINVAL");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	ok_eq(ipcb_proc_stat_field((int)child, 4, &x), -ENOENT, "a process gone: ENOENT");
}

/* The one PATH search: absolute entries in order, `more` after them, relative ones skipped. */
static void check_path_find(void)
{
	char dir[] = "/tmp/pathfind.XXXXXX", prog[64], *found = NULL;
	const char *saved = getenv("PATH");
	char *keep = saved ? strdup(saved) : NULL;
	int fd, rc;

	if (!mkdtemp(dir)) {
		ok(0, "a directory for the PATH search");
		return;
	}
	snprintf(prog, sizeof(prog), "%s/ipcb-probe", dir);
	fd = open(prog, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (fd >= 0)
		close(fd);
	setenv("PATH", "/nonexistent", 1);
	ok_eq(ipcb_path_find("ipcb-probe", NULL, NULL), -ENOENT,
	      "a program in no PATH entry: ENOENT");
	rc = ipcb_path_find("ipcb-probe", dir, &found);
	ok(rc == 0 && found && !strcmp(found, prog),
	   "found in the directories given after PATH, its path returned (%s)",
	   found ? found : "-");
	free(found);
	found = NULL;
	setenv("PATH", dir, 1);
	ok(ipcb_path_find("ipcb-probe", NULL, NULL) == 0, "found in a PATH entry");
	if (chdir(dir) == 0) {
		setenv("PATH", ".", 1);
		ok_eq(ipcb_path_find("ipcb-probe", NULL, NULL), -ENOENT,
		      "a relative PATH entry is skipped, even where the program is");
		if (chdir("/") != 0)
			ok(0, "back to /");
	}
	unsetenv("PATH");
	rc = ipcb_path_find("sh", NULL, &found);
	ok(rc == 0 && found && found[0] == '/', "PATH unset: the usual directories (%s)",
	   found ? found : "-");
	free(found);
	if (keep)
		setenv("PATH", keep, 1);
	free(keep);
	unlink(prog);
	rmdir(dir);
}

/* A child that runs a function of this program: it sees what the parent set before the start,
 * and its return is the child's exit status. */
/* This program's own path, read whole or refused, and a program beside it found or not. */
static void check_self_path(void)
{
	char path[4096], beside[4096], tiny[4];
	struct stat me, got;
	const char *base;

	ok(ipcb_self_path(path, sizeof(path)) == 0 && path[0] == '/' &&
	       stat("/proc/self/exe", &me) == 0 && stat(path, &got) == 0 &&
	       me.st_ino == got.st_ino && me.st_dev == got.st_dev,
	   "this program's own path (%s)", path);
	ok_eq(ipcb_self_path(tiny, sizeof(tiny)), -ENAMETOOLONG,
	      "a path longer than the buffer is refused, not cut");
	base = strrchr(path, '/') + 1;
	ok(ipcb_self_sibling(base, beside, sizeof(beside)) == 0 && strcmp(beside, path) == 0,
	   "a program in its directory is found (itself, %s)", base);
	ok_eq(ipcb_self_sibling("ipcb-no-such-program", beside, sizeof(beside)), -ENOENT,
	      "one not there is not");
	ok_eq(ipcb_self_sibling(base, beside, (size_t)(base - path) + 2), -ENAMETOOLONG,
	      "nor one whose path does not fit");
}

static int child_fn(void *arg)
{
	return getppid() > 1 ? *(const int *)arg : 99;
}

static void check_run_fn(void)
{
	int seven = 7, rc;
	struct ipcb_spawn s = {.run = child_fn, .arg = &seven, .death_signal = SIGKILL};

	rc = ipcb_spawn_run(&s);
	ok(rc == 7, "a function in a child: its return is the exit status (got %d)", rc);
}

int main(void)
{
	char dir[] = "/tmp/ipcb-test-spawn-XXXXXX", path[256], buf[512];
	int fd, rc;

	ok(mkdtemp(dir) != NULL, "a directory of its own: %s", dir);
	snprintf(path, sizeof(path), "%s/out", dir);

	ok(sh("exit 0", 0, 0) == 0, "an exit status of 0");
	check_run_fn();
	rc = sh("exit 3", 0, 0);
	ok(rc == 3, "an exit status of 3 (got %d)", rc);
	rc = sh("kill -TERM $$", 0, 0);
	ok(rc == 128 + SIGTERM, "killed by SIGTERM: 128 + 15 (got %d)", rc);

	/* Standard output to a file, then to /dev/null: the file gets the first only. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && sh("echo to-the-file", fd, 0) == 0, "standard output to a descriptor");
	ok(sh("echo to-nowhere", IPCB_SPAWN_NULL, 0) == 0, "standard output to /dev/null");
	close(fd);
	ok(strcmp(file_text(path, buf, sizeof(buf)), "to-the-file\n") == 0,
	   "the file holds what the child wrote there, nothing more: '%.*s'",
	   (int)strcspn(buf, "\n"), buf);

	/* The environment set for the child alone, a name found in PATH. */
	{
		const char *env[] = {"IPCB_SPAWN_TEST", "the-value", NULL};
		char *argv[] = {"sh", "-c", "test \"$IPCB_SPAWN_TEST\" = the-value", NULL};
		const struct ipcb_spawn s = {
		    .path = "sh", .path_search = 1, .argv = argv, .setenv = env};

		ok(ipcb_spawn_run(&s) == 0, "the child sees the variable set for it");
		ok(getenv("IPCB_SPAWN_TEST") == NULL, "this process does not");
	}

	/* A program that cannot be run: the status asked for, the message where its error goes. */
	{
		char *argv[] = {"nothing-here", NULL};
		const struct ipcb_spawn s = {.path = "/nonexistent/nothing-here",
					     .argv = argv,
					     .err = open(path, O_WRONLY | O_TRUNC),
					     .exec_failed = 99,
					     .what = "test"};

		rc = ipcb_spawn_run(&s);
		ok(rc == 99, "exec failed: the status asked for (got %d)", rc);
		close(s.err);
		file_text(path, buf, sizeof(buf));
		ok(strstr(buf, "test: /nonexistent/nothing-here: No such file or directory") !=
		       NULL,
		   "and its message names the program and the error: '%.*s'",
		   (int)strcspn(buf, "\n"), buf);
	}

	/*
	 * A daemon's start: its own process group (set in the parent too), its directory, one CPU,
	 * nothing of ours open but its streams; a directory it cannot enter fails as exec does.
	 */
	{
		char script[512], want[600];
		cpu_set_t one;
		int keep = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: inherited unless closed */
		struct ipcb_spawn s = {.path = "/bin/sh",
				       .own_group = 1,
				       .dir = dir,
				       .cpus = &one,
				       .close_others = 1,
				       .exec_failed = 98,
				       .what = "test"};
		char *argv[] = {"sh", "-c", script, NULL};
		pid_t pid;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		snprintf(script, sizeof(script),
			 "echo \"$(pwd) $(grep Cpus_allowed_list /proc/self/status | cut -f2) "
			 "$(ls /proc/self/fd/%d 2>/dev/null | wc -l) $(cut -d' ' -f5 /proc/$$/stat)"
			 "=$$\" >out2",
			 keep);
		s.argv = argv;
		pid = ipcb_spawn_start(&s);
		ok(pid > 0 && getpgid(pid) == pid, "its own process group, there as soon as it "
						   "started");
		rc = ipcb_spawn_wait(pid);
		snprintf(path, sizeof(path), "%s/out2", dir);
		snprintf(want, sizeof(want), "%s 0 0 %d=%d\n", dir, (int)pid, (int)pid);
		file_text(path, buf, sizeof(buf));
		ok(rc == 0 && strcmp(buf, want) == 0,
		   "in its directory, on CPU 0, without our descriptor %d, its own group leader: "
		   "'%.*s'",
		   keep, (int)strcspn(buf, "\n"), buf);
		unlink(path);
		close(keep);
		s.dir = "/nonexistent/dir";
		s.err = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		rc = ipcb_spawn_run(&s);
		close(s.err);
		file_text(path, buf, sizeof(buf));
		ok(rc == 98 && strstr(buf, "test: /nonexistent/dir: No such file or directory"),
		   "a directory it cannot enter: the status asked for, the directory named: "
		   "'%.*s'",
		   (int)strcspn(buf, "\n"), buf);
		unlink(path);
		snprintf(path, sizeof(path), "%s/out", dir);
	}

	/* An environment given whole: the child has it and nothing of this process's. */
	{
		char *argv[] = {"sh", "-c", "test -z \"$IPCB_SPAWN_PARENT\" && test \"$ONLY\" = 1",
				NULL};
		char *only[] = {"ONLY=1", NULL};
		const struct ipcb_spawn s = {.path = "/bin/sh", .argv = argv, .env = only};

		setenv("IPCB_SPAWN_PARENT", "1", 1);
		ok(ipcb_spawn_run(&s) == 0, "an environment given whole is the child's whole one");
		unsetenv("IPCB_SPAWN_PARENT");
	}

	/*
	 * SIGPIPE ignored here (as a writer that wants its writes to fail) is ignored in a child
	 * too, which a shell cannot undo; with default_signals the child is stopped by it again.
	 */
	{
		char *argv[] = {"sh", "-c", "kill -PIPE $$; exit 0", NULL};
		struct ipcb_spawn s = {.path = "/bin/sh", .argv = argv};
		void (*was)(int) = signal(SIGPIPE, SIG_IGN);
		int kept, restored;

		kept = ipcb_spawn_run(&s);
		s.default_signals = 1;
		restored = ipcb_spawn_run(&s);
		signal(SIGPIPE, was);
		ok(kept == 0 && restored == 128 + SIGPIPE,
		   "an ignored SIGPIPE stays ignored in the child (status %d), default_signals "
		   "gives "
		   "it back (status %d)",
		   kept, restored);
	}

	/* A child whose parent dies gets its death signal: a middle process spawns a sleeper. */
	{
		pid_t mid;
		int p[2];

		ok(pipe(p) == 0, "a pipe for the sleeper's pid");
		mid = fork();
		if (mid == 0) {
			char *argv[] = {"sleep", "30", NULL};
			const struct ipcb_spawn s = {.path = "sleep",
						     .path_search = 1,
						     .argv = argv,
						     .death_signal = SIGKILL};
			pid_t pid = ipcb_spawn_start(&s);

			if (write(p[1], &pid, sizeof(pid)) != sizeof(pid))
				_exit(1);
			pause();
			_exit(0);
		}
		{
			pid_t sleeper = 0;
			int alive = 1;

			close(p[1]);
			ok(read(p[0], &sleeper, sizeof(sleeper)) == sizeof(sleeper) && sleeper > 0,
			   "the sleeper started (pid %d)", (int)sleeper);
			/* Once it runs sleep its death signal is set (before the exec). */
			usleep(100000);
			kill(mid, SIGKILL);
			waitpid(mid, NULL, 0);
			/* The sleeper was the middle's child: now init's, it goes when it dies. */
			for (int i = 0; i < 500 && alive; i++) {
				char proc[64];
				struct stat st;

				snprintf(proc, sizeof(proc), "/proc/%d/stat", (int)sleeper);
				file_text(proc, buf, sizeof(buf));
				alive = stat(proc, &st) == 0 && !strstr(buf, ") Z ");
				if (alive)
					usleep(10000);
			}
			ok(!alive, "the child died with its parent (death signal)");
			if (alive)
				kill(sleeper, SIGKILL);
		}
	}

	unlink(path);
	rmdir(dir);
	check_path_find();
	check_self_path();
	check_proc_stat();
	return tap_done();
}
