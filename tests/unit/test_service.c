/* SPDX-License-Identifier: MIT */
/*
 * test_service.c - the driver's services (bench/launch/service.h) with real server processes: a
 * shell that says it is ready by writing a file in its directory and then waits. Started, pinned,
 * its CPU time read, stopped, and nothing left; a server that exits at once, one that never
 * answers and one whose command does not exist each fail the start, naming why, and leave
 * nothing; a driver killed with SIGKILL takes its server with it (PR_SET_PDEATHSIG), and what a
 * server started in its own process group is killed by ipcb_rundir_kill_listed(), which
 * `ipcbench --cleanup` calls for a dead run's directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "launch.h"
#include "rundir.h"
#include "service.h"

static const char *script; /* what the test server's shell runs */

static int sh_prepare(struct ipcb_service *svc)
{
	int rc = ipcb_service_arg(svc, "/bin/sh");

	if (!rc)
		rc = ipcb_service_arg(svc, "-c");
	if (!rc)
		rc = ipcb_service_arg(svc, "%s", script);
	snprintf(svc->addr, sizeof(svc->addr), "%s/ready", svc->dir);
	snprintf(svc->version, sizeof(svc->version), "sh test");
	return rc;
}

static int sh_ready(struct ipcb_service *svc)
{
	if (access(svc->addr, F_OK) == 0)
		return 0;
	ipcb_errf(&svc->err, -EAGAIN, "access", "%s not there yet", svc->addr);
	return -EAGAIN;
}

/* stopped(): how often it was called, and whether the server's directory was still there. */
static int stopped_calls, stopped_saw_dir;
static int sh_stopped(struct ipcb_service *svc)
{
	stopped_calls++;
	stopped_saw_dir = access(svc->addr, F_OK) == 0;
	return 0;
}

static const struct ipcb_service_ops sh_ops = {
    .prepare = sh_prepare, .ready = sh_ready, .stopped = sh_stopped};
static const struct ipcb_transport sh_transport = {
    .name = "sh-service", .summary = "a test server", .service = &sh_ops};

/* The same server, saying its start may use every CPU (as a JVM told its CPUs does). */
static int cpus_seen; /* what prepare() was told it will have */
static int sh_prepare_unpinned(struct ipcb_service *svc)
{
	svc->start_unpinned = true;
	cpus_seen = svc->cpus;
	return sh_prepare(svc);
}

static const struct ipcb_service_ops sh_unpinned_ops = {.prepare = sh_prepare_unpinned,
							.ready = sh_ready};
static const struct ipcb_transport sh_unpinned_transport = {
    .name = "sh-unpinned", .summary = "a test server", .service = &sh_unpinned_ops};

/* A server program of its own, which says its version as a server's --version does. */
static char server_prog[4096];
static int prog_prepare(struct ipcb_service *svc)
{
	snprintf(svc->addr, sizeof(svc->addr), "%s/ready", svc->dir);
	return ipcb_service_arg(svc, "%s", server_prog);
}

static const struct ipcb_service_ops prog_ops = {.prepare = prog_prepare, .ready = sh_ready};
static const struct ipcb_transport prog_transport = {
    .name = "prog-service", .summary = "a test server", .service = &prog_ops};

static bool alive(pid_t pid)
{
	unsigned long long t;

	return ipcb_proc_start_ticks(pid, &t) == 0;
}

/* Is pid a zombie or gone? (A killed child of ours stays a zombie until reaped.) */
static bool dead(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static bool wait_dead(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		struct timespec ten = {0, 10000000};

		if (dead(pid))
			return true;
		nanosleep(&ten, NULL);
	}
	return dead(pid);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int allowed_list(pid_t pid, char *out, size_t n)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0)
			snprintf(out, n, "%s", line + 18 + strspn(line + 18, " \t"));
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int main(void)
{
	static struct ipcb_service_run s;
	uint64_t opt[IPCB_MAX_OPTIONS] = {0}, ns = 0;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], cpus[64];
	pid_t pid;
	int rc;

	if (ipcb_run_signals_block() < 0)
		return 1;

	/* ---- a server that works ---- */
	script = "echo ready >ready; exec sleep 600";
	rc = ipcb_service_start(&s, &sh_transport, opt, tmp, 0, 10);
	if (!ok(rc == 0, "a server starts and says it is ready"))
		tap_diag("%s", s.error);
	pid = s.pid;
	snprintf(dir, sizeof(dir), "%s", s.dir);
	ok(pid > 0 && alive(pid) && getpgid(pid) == pid,
	   "it runs (pid %d) and leads a process group of its own", (int)pid);
	ok(strncmp(dir, tmp, strlen(tmp)) == 0 && strstr(dir, "/ipcbench-") &&
	       strcmp(dir + strlen(dir) - 2, ".d") == 0,
	   "in a directory named like a run's, which --cleanup knows (%s)", dir);
	{
		char path[4200], line[64];
		int listed = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, IPCB_RUNDIR_PIDS);
		f = fopen(path, "re");
		if (f) {
			if (fgets(line, sizeof(line), f))
				listed = atoi(line);
			fclose(f);
		}
		ok(listed == (int)pid, "its directory lists its pid for --cleanup (%d)", listed);
	}
	ok(allowed_list(pid, cpus, sizeof(cpus)) == 0 && strcmp(cpus, "0") == 0,
	   "it is pinned to CPU 0 (%s)", cpus);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		rc = ipcb_service_pin(&s, 1);
		ok(rc == 0 && allowed_list(pid, cpus, sizeof(cpus)) == 0 && strcmp(cpus, "1") == 0,
		   "and moved to CPU 1 (%s)", cpus);
	}
	ok(ipcb_service_cpu_ns(&s, &ns) == 0, "its CPU time is read (%llu ns)",
	   (unsigned long long)ns);
	ok(ipcb_service_check(&s) == 0, "it is still running");
	ok(strcmp(s.svc.version, "sh test") == 0, "the version the transport gave is kept");
	ipcb_service_stop(&s);
	ok(s.pid == 0 && wait_dead(pid, 1000) && !exists(dir),
	   "stopped: the process is gone and its directory removed");
	ok(stopped_calls == 1 && stopped_saw_dir,
	   "its stopped() was called once, its directory still there (%d calls)", stopped_calls);

	/* ---- a server that dies by itself: what it left is not kept ---- */
	script = "echo ready >ready; exec sleep 0.2";
	stopped_calls = 0;
	rc = ipcb_service_start(&s, &sh_transport, opt, tmp, 0, 10);
	if (!ok(rc == 0, "a server that will die starts"))
		tap_diag("%s", s.error);
	pid = s.pid;
	wait_dead(pid, 2000);
	ok(ipcb_service_check(&s) == -ESRCH, "it is seen dead");
	ipcb_service_stop(&s);
	ok(stopped_calls == 0, "stopped: its stopped() was not called (%d calls)", stopped_calls);

	/*
	 * ---- a server whose start may use every CPU: it starts on the driver's CPUs, starts a
	 * child, and both are pinned once it answers ----
	 */
	script = "grep Cpus_allowed_list: /proc/self/status >started; sleep 600 & echo $! >child; "
		 "echo ready >ready; exec sleep 600";
	rc = ipcb_service_start(&s, &sh_unpinned_transport, opt, tmp, 0, 10);
	if (!ok(rc == 0, "a server whose start may use every CPU starts"))
		tap_diag("%s", s.error);
	{
		char path[4200], line[256] = "", mine[64] = "", child_cpus[64] = "";
		pid_t child = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/started", s.dir);
		if ((f = fopen(path, "re"))) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		allowed_list(getpid(), mine, sizeof(mine));
		{
			const char *v = line + strcspn(line, "\t ");

			v += strspn(v, "\t ");
			ok(mine[0] && strcmp(v, mine) == 0,
			   "it started on every CPU the driver may use (%s; the driver: %s)", v,
			   mine);
		}
		ok(cpus_seen == 1, "it was told it will have 1 CPU (%d)", cpus_seen);
		snprintf(path, sizeof(path), "%s/child", s.dir);
		if ((f = fopen(path, "re"))) {
			if (fgets(line, sizeof(line), f))
				child = (pid_t)atoi(line);
			fclose(f);
		}
		ok(allowed_list(s.pid, cpus, sizeof(cpus)) == 0 && strcmp(cpus, "0") == 0 &&
		       child > 0 && allowed_list(child, child_cpus, sizeof(child_cpus)) == 0 &&
		       strcmp(child_cpus, "0") == 0,
		   "once it answered, it (%s) and the process it started (%d: %s) are pinned to "
		   "CPU 0",
		   cpus, (int)child, child_cpus);
		pid = s.pid;
		snprintf(dir, sizeof(dir), "%s", s.dir);
		ipcb_service_stop_begin(&s);
		ok(s.term_ns > 0 && s.pid == pid, "asked to stop, it is not waited for");
		ipcb_service_stop(&s);
		ok(s.pid == 0 && wait_dead(pid, 1000) && (child <= 0 || wait_dead(child, 1000)) &&
		       !exists(dir),
		   "stopped: it, its child and its directory are gone");
	}

	/* A server the transport gives no version of: its own --version's last word. */
	{
		FILE *f;

		snprintf(server_prog, sizeof(server_prog), "%s/server.sh", tmp);
		f = fopen(server_prog, "w");
		if (f) {
			fputs("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'test server, version "
			      "1.2.3'; echo more; exit 0; }\necho ready >ready\nexec sleep 600\n",
			      f);
			fclose(f);
			chmod(server_prog, 0700);
		}
		rc = ipcb_service_start(&s, &prog_transport, opt, tmp, -1, 10);
		ok(rc == 0 && !strcmp(s.svc.version, "server.sh 1.2.3"),
		   "a server's version from its --version: '%s' (%s)", s.svc.version, s.error);
		ipcb_service_stop(&s);
		unlink(server_prog);
	}

	/* ---- servers that fail ---- */
	script = "echo 'no such config' >&2; exit 3";
	rc = ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 10);
	ok(rc == -ESRCH && strstr(s.error, "status 3") && strstr(s.error, "no such config") &&
	       s.pid == 0 && !s.dir[0],
	   "a server that exits at once fails the start with its status and last log line "
	   "(%s)",
	   s.error);
	script = "exec sleep 600";
	rc = ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 0.3);
	ok(rc == -ETIMEDOUT && strstr(s.error, "did not answer") && s.pid == 0,
	   "one that never answers fails after the time limit (%s)", s.error);
	script = "exec /nonexistent/server";
	rc = ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 5);
	ok(rc == -ESRCH && strstr(s.error, "status 127"),
	   "one whose program does not exist fails, saying so (%s)", s.error);

	/*
	 * A port taken between its choice and the server's bind: the start is tried again, on
	 * other ports, up to three times. The count of starts lives beside the servers'
	 * directories; the server says its port is taken until the count reaches $IPCB_OK_AT.
	 */
	{
		char tries_path[4096], got[16] = "";
		FILE *f;

		/* Each server runs in its own directory; the count is in their parent, tmp. */
		snprintf(tries_path, sizeof(tries_path), "%s/tries", tmp);
		/*
		 * What it says is $IPCB_TAKEN: Java's words, or the line an Erlang node (RabbitMQ)
		 * prints when its distribution port is taken, as erl 25 printed it.
		 */
		static const char *const taken[] = {
		    "java.net.BindException: Address already in use",
		    "Protocol 'inet_tcp': register/listen error: eaddrinuse"};

		script =
		    "n=$(cat ../tries 2>/dev/null || echo 0); n=$((n + 1)); echo $n >../tries; "
		    "if [ $n -lt \"$IPCB_OK_AT\" ]; then echo \"$IPCB_TAKEN\" >&2; exit 1; fi; "
		    "echo ready >ready; exec sleep 600";
		setenv("IPCB_OK_AT", "3", 1);
		for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
			setenv("IPCB_TAKEN", taken[i], 1);
			rc = ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 10);
			got[0] = '\0';
			f = fopen(tries_path, "r");
			if (f) {
				if (!fgets(got, sizeof(got), f))
					got[0] = '\0';
				fclose(f);
			}
			ok(rc == 0 && !strcmp(got, "3\n"),
			   "a server that finds its port taken twice, saying \"%s\", starts at the "
			   "third try (%s)",
			   taken[i], s.error);
			ipcb_service_stop(&s);
			unlink(tries_path);
		}
		setenv("IPCB_TAKEN", taken[0], 1);
		setenv("IPCB_OK_AT", "99", 1);
		rc = ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 10);
		ok(rc == -ESRCH && strstr(s.error, "a port taken in each of 3 starts") &&
		       s.pid == 0 && !s.dir[0],
		   "one that always does fails after three, saying so (%s)", s.error);
		unlink(tries_path);
		unsetenv("IPCB_OK_AT");
		unsetenv("IPCB_TAKEN");
	}

	/* ---- the driver is killed with SIGKILL ---- */
	{
		int fds[2];
		pid_t driver, server = 0, orphan = 0;
		char sdir[4096] = "";

		if (pipe(fds) < 0)
			return 1;
		/* The server starts a child of its own in its group, which PDEATHSIG does not
		 * reach: what --cleanup must find. */
		script = "sleep 600 & echo $! >orphan; echo ready >ready; wait";
		driver = fork();
		if (driver == 0) {
			close(fds[0]);
			if (ipcb_service_start(&s, &sh_transport, opt, tmp, -1, 10) == 0) {
				dprintf(fds[1], "%d %s\n", (int)s.pid, s.dir);
				pause();
			}
			_exit(1);
		}
		close(fds[1]);
		{
			FILE *f = fdopen(fds[0], "r");
			int sp = 0;

			if (f && fscanf(f, "%d %4095s", &sp, sdir) == 2)
				server = sp;
			if (f)
				fclose(f);
		}
		ok(server > 0, "a driver starts a server (pid %d)", (int)server);
		{
			char path[4200];
			FILE *f;

			snprintf(path, sizeof(path), "%s/orphan", sdir);
			f = fopen(path, "re");
			if (f) {
				if (fscanf(f, "%d", &orphan) != 1)
					orphan = 0;
				fclose(f);
			}
		}
		kill(driver, SIGKILL);
		waitpid(driver, NULL, 0);
		ok(server > 0 && wait_dead(server, 2000),
		   "the driver killed with SIGKILL takes its server with it");
		ok(orphan > 0 && alive(orphan) && exists(sdir),
		   "what the server started (pid %d) and its directory are left", (int)orphan);
		rc = ipcb_rundir_kill_listed(sdir, cpus, sizeof(cpus));
		ok(rc >= 1 && orphan > 0 && wait_dead(orphan, 2000),
		   "the directory's list finds it and kills it (%s)", cpus);
		ok(ipcb_rundir_remove(sdir) == 0 && !exists(sdir), "then the directory goes");
	}

	/* ---- the line a server's log names its failure by ---- */
	{
		char log[4200], line[200];
		FILE *f;

		snprintf(log, sizeof(log), "%s/ipcb-test-log-%d", tmp, (int)getpid());
		f = fopen(log, "w");
		if (f) {
			fputs("started\njava.lang.RuntimeException: port 1234 in use\n"
			      "\tat org.example.Broker.bind(Broker.java:50)\n"
			      "\tat org.example.Broker.main(Broker.java:9)\n",
			      f);
			fclose(f);
		}
		ipcb_file_last_line(log, line, sizeof(line));
		ok(strcmp(line, "java.lang.RuntimeException: port 1234 in use") == 0,
		   "a log ending in a stack trace is named by the line above its frames (%s)",
		   line);
		f = fopen(log, "w");
		if (f) {
			fputs("one\nlast words\n\n", f);
			fclose(f);
		}
		ipcb_file_last_line(log, line, sizeof(line));
		ok(strcmp(line, "last words") == 0, "and any other by its last line (%s)", line);
		unlink(log);
	}
	return tap_done();
}
