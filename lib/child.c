/* SPDX-License-Identifier: MIT */
/*
 * child.c - fork, the child's set-up, exec, and the wait; see child.h.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: fd (IPCB_SPAWN_NULL: /dev/null) as its descriptor to. */
static void stream_set(int fd, int to)
{
	if (fd == IPCB_SPAWN_KEEP || fd == to)
		return;
	if (fd == IPCB_SPAWN_NULL) {
		int null = open("/dev/null", to == STDIN_FILENO ? O_RDONLY : O_WRONLY);

		/* Without /dev/null the child keeps ours: it still runs, only louder. */
		if (null < 0)
			return;
		dup2(null, to);
		close(null);
		return;
	}
	dup2(fd, to);
}

/*
 * In the child, exec having failed: say so where its error goes, and leave. write(), not stdio,
 * and the error's text untranslated: a parent with threads (a JVM's) may have held stdio's lock
 * or the locale's at the fork, which no thread of the child will ever let go.
 */
__attribute__((noreturn)) static void exec_failed(const struct ipcb_spawn *s, const char *what,
						  int err)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s: %s: %s\n", s->what ? s->what : "ipcbench", what,
			 strerrordesc_np(err) ? strerrordesc_np(err) : "cannot run it");

	if (n > 0)
		(void)!write(STDERR_FILENO, msg,
			     (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(s->exec_failed ? s->exec_failed : 127);
}

pid_t ipcb_spawn_start(const struct ipcb_spawn *s)
{
	pid_t pid, parent = getpid();

	/* What this process buffered would otherwise be written twice, once by the child. */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		if (s->own_group)
			setpgid(pid, pid);
		return pid;
	}
	if (s->own_group)
		setpgid(0, 0);
	if (s->default_signals) {
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
	}
	if (s->mask)
		sigprocmask(SIG_SETMASK, s->mask, NULL);
	if (s->death_signal) {
		prctl(PR_SET_PDEATHSIG, s->death_signal);
		/* A parent that died before the line above sends nothing: the child goes now. */
		if (getppid() != parent)
			_exit(s->exec_failed ? s->exec_failed : 127);
	}
	/* Error first: a failed exec's message below goes where the caller sent the child's. */
	stream_set(s->err, STDERR_FILENO);
	stream_set(s->in, STDIN_FILENO);
	stream_set(s->out, STDOUT_FILENO);
	if (s->close_others)
		closefrom(STDERR_FILENO + 1);
	if (s->cpus)
		sched_setaffinity(0, sizeof(*s->cpus), s->cpus);
	if (s->dir && chdir(s->dir) != 0)
		exec_failed(s, s->dir, errno);
	for (const char *const *e = s->setenv; e && e[0] && e[1]; e += 2)
		setenv(e[0], e[1], 1);
	if (s->run)
		_exit(s->run(s->arg));
	if (s->path_search)
		execvp(s->path, s->argv);
	else if (s->env)
		execve(s->path, s->argv, s->env);
	else
		execv(s->path, s->argv);
	exec_failed(s, s->path, errno);
}

int ipcb_spawn_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ipcb_spawn_run(const struct ipcb_spawn *s)
{
	pid_t pid = ipcb_spawn_start(s);

	return pid < 0 ? (int)pid : ipcb_spawn_wait(pid);
}

int ipcb_path_find(const char *name, const char *more, char **out)
{
	const char *path = getenv("PATH");
	char *dirs, *found = NULL;
	int rc = -ENOENT;

	if (out)
		*out = NULL;
	/* $PATH may be long, and the driver's stack small: the copy strtok_r cuts is the heap's. */
	if (asprintf(&dirs, "%s%s%s", path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin",
		     more ? ":" : "", more ? more : "") < 0)
		return -ENOMEM;
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		if (asprintf(&found, "%s/%s", d, name) < 0) {
			rc = -ENOMEM;
			break;
		}
		if (access(found, X_OK) == 0) {
			if (out)
				*out = found;
			else
				free(found);
			rc = 0;
			break;
		}
		free(found);
	}
	free(dirs);
	return rc;
}

#ifndef IPCB_SOURCE_PLOT
#define IPCB_SOURCE_PLOT ""
#endif

const char *ipcb_plot_source(void)
{
	return IPCB_SOURCE_PLOT;
}

static bool executable(const char *path)
{
	struct stat st;

	return path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int ipcb_self_path(char *out, size_t n)
{
	ssize_t len = n > 1 ? readlink("/proc/self/exe", out, n - 1) : -1;

	if (len < 0)
		return n > 1 ? -errno : -ENAMETOOLONG;
	/* readlink fills what it is given and says nothing of what did not fit. */
	if ((size_t)len >= n - 1)
		return -ENAMETOOLONG;
	out[len] = '\0';
	return 0;
}

int ipcb_self_sibling(const char *name, char *out, size_t n)
{
	int rc = ipcb_self_path(out, n);
	char *slash;

	if (rc < 0)
		return rc;
	slash = strrchr(out, '/');
	if (!slash || (size_t)(slash + 1 - out) + strlen(name) + 1 > n)
		return -ENAMETOOLONG;
	strcpy(slash + 1, name);
	return executable(out) ? 0 : -ENOENT;
}

void ipcb_plot_program(char *path, size_t n)
{
	const char *env = getenv("IPCBENCH_PLOT");

	if (env && *env) {
		snprintf(path, n, "%s", env);
		return;
	}
	if (ipcb_self_sibling("ipcbench-plot", path, n) == 0)
		return;
	snprintf(path, n, "%s", IPCB_SOURCE_PLOT);
	if (executable(path))
		return;
	path[0] = '\0';
}
