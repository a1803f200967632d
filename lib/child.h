/* SPDX-License-Identifier: MIT */
/*
 * child.h - start another program and wait for it: ipcbench running itself again (--count's
 * passes, --hosts' drivers and reports), a runtime's launcher and remote daemon, a transport's
 * server, a JVM's class-data dump, the figures' script, gnuplot, git; or a function of this
 * program in a process of its own (a transport's probe). One
 * place does fork, the child's set-up, exec and the wait, so that each caller says only what is
 * its own (where the child's output goes, what it inherits) and every child is waited for the
 * same way. Between fork and exec the child makes only async-signal-safe calls (setenv[] aside:
 * a parent with threads, a JVM's, gives none), so a parent with threads may start one too.
 */
#ifndef IPCB_CHILD_H
#define IPCB_CHILD_H

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

/* A child's standard stream: this process's own (the zero of the struct) or /dev/null. */
enum { IPCB_SPAWN_KEEP = 0, IPCB_SPAWN_NULL = -2 };

struct ipcb_spawn {
	/* The program: a path, or with path_search a name looked up in PATH (execvp). */
	const char *path;
	int path_search;
	char *const *argv;
	/* Its environment: NULL is this process's, with setenv[] applied in the child. */
	char *const *env;
	const char *const *setenv; /* NAME, VALUE, NAME, VALUE, ..., NULL */
	/* Its standard input, output and error: IPCB_SPAWN_KEEP, IPCB_SPAWN_NULL or a descriptor.
	 */
	int in, out, err;
	/* Sent to it when this process dies (0: nothing), so no child outlives a killed parent. */
	int death_signal;
	/*
	 * In a process group of its own (a runtime's daemon, a server: stopped as one group, and
	 * not sent a terminal's Ctrl-C), set on both sides of the fork so that it is there before
	 * anything signals it.
	 */
	int own_group;
	/* Its working directory (NULL: this process's): one it cannot enter fails as exec does. */
	const char *dir;
	/* The CPUs it may run on (NULL: this process's). */
	const cpu_set_t *cpus;
	/* Every descriptor above its standard streams closed: a daemon keeps none of ours. */
	int close_others;
	/* Its signal mask (NULL: this process's): a parent that blocks signals unblocks them. */
	const sigset_t *mask;
	/*
	 * SIGPIPE and SIGXFSZ back to their defaults, which this process may ignore (to see a
	 * write fail instead): a pipeline of tools expects to be stopped by them.
	 */
	int default_signals;
	/* The child's exit status when exec fails (0: 127, as the shell's "not found"). */
	int exec_failed;
	/* Its message then: "<what>: <path>: <error>" (NULL: "ipcbench"). */
	const char *what;
	/*
	 * Instead of a program (path unused): a function of this one that the child runs with
	 * arg, its return the child's exit status (a probe that needs a process of its own).
	 */
	int (*run)(void *arg);
	void *arg;
};

/* Start it: its pid, or -errno from fork(). Everything buffered is flushed first. */
pid_t ipcb_spawn_start(const struct ipcb_spawn *s);

/*
 * Wait for pid, through EINTR: its exit status, 128 + the signal that ended it, or -errno when
 * it cannot be waited for.
 */
int ipcb_spawn_wait(pid_t pid);

/* Start and wait: the status of ipcb_spawn_wait(), or -errno when it could not start. */
int ipcb_spawn_run(const struct ipcb_spawn *s);

/*
 * Find the program `name` as exec would: in each absolute directory of $PATH
 * ("/usr/local/bin:/usr/bin:/bin" where it is unset or empty), then in `more` (a colon list:
 * the sbin directories a daemon lives in; NULL none). A relative entry is skipped: what it finds
 * would depend on the directory ipcbench runs in. 0 with *out its path (malloc'd; out NULL: not
 * kept), -ENOENT, or -ENOMEM.
 */
int ipcb_path_find(const char *name, const char *more, char **out);

/*
 * This program's own path (/proc/self/exe: ipcbench running itself again, a program installed
 * beside it, the build tree it came from) into out: 0, or -errno from readlink (-ENAMETOOLONG
 * where it does not fit in n bytes).
 */
int ipcb_self_path(char *out, size_t n);
/*
 * The program `name` ("ipcbench-plot") in this program's own directory, into out where it is an
 * executable file: 0, else -ENOENT (or ipcb_self_path()'s error).
 */
int ipcb_self_sibling(const char *name, char *out, size_t n);

/*
 * The plot program (scripts/plot, installed as ipcbench-plot), which draws every figure from the
 * data ipcbench writes: $IPCBENCH_PLOT when set, else ipcbench-plot beside the running ipcbench
 * (an installed one), else the checkout's scripts/plot this ipcbench was built from. Its path
 * into path; "" when only ipcbench-plot on PATH is left to try.
 */
void ipcb_plot_program(char *path, size_t n);
/* The checkout's scripts/plot this ipcbench was built from ("" when not known). */
const char *ipcb_plot_source(void);

#endif
