/* SPDX-License-Identifier: MIT */
/*
 * test_sysbytes.c - lib/sysbytes.c, on a trace written here and on a real one.
 *
 *   test_sysbytes           (TAP) read a trace in strace's format with every turn the reader
 *                           must take: calls split by another thread's (unfinished, resumed),
 *                           results padded into a column, a library thread of a side, a forked
 *                           process that is not, calls outside the marks, errors, msgsnd's
 *                           length from its raw arguments, sendmmsg's messages, io_uring;
 *                           then run itself --child under strace with the options ipcbench
 *                           --count's traced pass uses, and read that real trace: the child's
 *                           bytes exactly (skipped where strace is not installed)
 *   test_sysbytes --child   make marked calls whose bytes are known, as a side does under the
 *                           traced pass (lib/count.h)
 */
#include <errno.h>
#include <mqueue.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "count.h"
#include "sysbytes.h"

/* The child's calls, by side: what each moves in its marked part. */
#define CHILD_MESSAGES 10
#define SENDER_OUT     (10 * 100 + 10 * 300 + 10 * 64 + 10 * 48 + 200)
#define SENDER_IN      (10 * 20)
#define RECEIVER_OUT   (10 * 20)
#define RECEIVER_IN    (10 * 100 + 10 * 300 + 10 * 64)

static const struct ipcb_sysbytes_side *find(const struct ipcb_sysbytes_side *s, size_t n,
					     const char *tag, unsigned side)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].tag, tag) && s[i].side == side)
			return &s[i];
	return NULL;
}

static int read_text(const char *text, struct ipcb_sysbytes_side **s, size_t *n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char err[200];
	int rc;

	if (!f)
		return -errno;
	rc = ipcb_sysbytes_read(f, s, n, err, sizeof(err));
	fclose(f);
	return rc;
}

static void synthetic(void)
{
	static const char trace[] =
	    "100 write(5, \"before\", 6)             = 6\n"
	    "100 write(-1, \"ipcb-count T1 side 0 start\", 26 <unfinished ...>\n"
	    "200 write(-1, \"ipcb-count T1 side 1 start\", 26) = -1 EBADF (Bad file descriptor)\n"
	    "100 <... write resumed>)                = -1 EBADF (Bad file descriptor)\n"
	    "100 write(5, \"\\0\\1 = 2\"..., 64 <unfinished ...>\n"
	    "200 read(4,  <unfinished ...>\n"
	    "100 <... write resumed>)                = 64\n"
	    "200 <... read resumed>\"\\0\\1\"..., 64)     = 64\n"
	    "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
	    "CLONE_SYSVSEM, child_tid=0x1} => {parent_tid=[101]}, 88) = 101\n"
	    "101 sendto(7, \"abc\", 3, MSG_NOSIGNAL, NULL, 0) = 3\n"
	    "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 102\n"
	    "102 write(1, \"not a side's\", 12)     = 12\n"
	    "100 msgsnd(0x3, 0x7ffd0000, 0x40, 0)    = 0\n"
	    "100 msgsnd(0x3, 0x7ffd0000, 0x40, 0x800) = -1 EAGAIN (Resource temporarily "
	    "unavailable)\n"
	    "200 read(4, 0x7ffd0000, 64)            = -1 EAGAIN (Resource temporarily "
	    "unavailable)\n"
	    "200 msgrcv(3, {mtype=1, mtext=\"x\"}, 64, 0, 0) = 64\n"
	    "100 sendmmsg(6, [{msg_hdr={msg_iov=[{iov_base=\"msg_len=999\", iov_len=11}]}, "
	    "msg_len=11}, {msg_hdr={}, msg_len=5}], 2, 0) = 2\n"
	    "200 io_uring_enter(9, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n"
	    "+++ exited with 0 +++\n"
	    "100 write(-1, \"ipcb-count T1 side 0 stop messages 2\", 36) = -1 EBADF (Bad file "
	    "descriptor)\n"
	    "101 sendto(7, \"late\", 4, 0, NULL, 0)   = 4\n"
	    "200 write(-1, \"ipcb-count T1 side 1 stop messages 2\", 36) = -1 EBADF (Bad file "
	    "descriptor)\n"
	    "200 read(4, \"after\", 5)                = 5\n";
	struct ipcb_sysbytes_side *s = NULL;
	const struct ipcb_sysbytes_side *a, *b;
	size_t n = 0;
	int rc = read_text(trace, &s, &n);

	ok(rc == 0 && n == 2, "the trace's two sides (rc %d, %zu sides)", rc, n);
	a = find(s, n, "T1", 0);
	b = find(s, n, "T1", 1);
	if (!a || !b) {
		ok(0, "both sides found");
		free(s);
		return;
	}
	ok(a->started && a->done && a->messages == 2, "the sender's marks, 2 messages");
	ok_eq(a->out, 64 + 3 + 64 + 16,
	      "the sender handed 64 (a write resumed) + 3 (its library thread) + 64 (msgsnd's "
	      "length) + 16 (sendmmsg's messages): not before its start, not its child's, not "
	      "the failed msgsnd, not after its stop");
	ok_eq(a->in, 0, "the sender took nothing");
	ok_eq(b->in, 64 + 64,
	      "the receiver took a read resumed and msgrcv's result, not a failed "
	      "read, not after its stop");
	ok_eq(b->unseen, 1, "io_uring_enter is a call whose bytes the trace does not show");
	free(s);

	rc = read_text("100 write(-1, \"ipcb-count T2 side 0 start\", 26) = -1 EBADF\n"
		       "100 write(3, \"x\", 1) = 1\n",
		       &s, &n);
	ok(rc == 0 && n == 1 && s[0].started && !s[0].done && s[0].out == 1,
	   "a side without its stop mark is not done");
	free(s);
	rc = read_text("", &s, &n);
	ok(rc == 0 && n == 0, "an empty trace has no side");
	free(s);
}

static int fds[2], back[2], sv[2];

static void *thread_body(void *arg)
{
	char buf[300] = {0};

	(void)arg;
	for (int i = 0; i < CHILD_MESSAGES; i++)
		if (send(sv[0], buf, 300, 0) != 300)
			return NULL;
	return NULL;
}

/* Read exactly n bytes, whatever pieces they come in. */
static int whole(int fd, char *buf, size_t n, bool sock)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = sock ? recv(fd, buf, n - got, 0) : read(fd, buf, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * The marked calls of two sides: the sender in this process (with a thread of its own, as a
 * library's), the receiver in a child. The sender writes 100 bytes to a pipe, 64 to a System V
 * queue and 48 in a writev a message, its thread sends 300 on a socket, and it sends 200 more at
 * the end; the receiver takes the pipe's, the socket's and the queue's, and answers 20 bytes a
 * message through another pipe, which the sender reads.
 */
static int child(void)
{
	char buf[400] = {0};
	pthread_t th;
	pid_t pid;
	int q, st;
	struct {
		long type;
		char text[64];
	} m = {.type = 1};

	if (pipe(fds) < 0 || pipe(back) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	q = msgget(IPC_PRIVATE, 0600);
	if (q < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		ipcb_count_begin_trace("TT", 1);
		ipcb_count_start();
		for (int i = 0; i < CHILD_MESSAGES; i++)
			if (whole(fds[0], buf, 100, false) < 0 ||
			    whole(sv[1], buf, 300, true) < 0 ||
			    msgrcv(q, &m, sizeof(m.text), 0, 0) < 0 ||
			    write(back[1], buf, 20) != 20)
				_exit(1);
		ipcb_count_stop(CHILD_MESSAGES);
		_exit(0);
	}
	ipcb_count_begin_trace("TT", 0);
	ipcb_count_start();
	pthread_create(&th, NULL, thread_body, NULL);
	for (int i = 0; i < CHILD_MESSAGES; i++) {
		struct iovec iov[2] = {{buf, 40}, {buf, 8}};

		if (write(fds[1], buf, 100) != 100 || msgsnd(q, &m, sizeof(m.text), 0) < 0 ||
		    writev(sv[1], iov, 2) != 48 || whole(back[0], buf, 20, false) < 0)
			return 1;
	}
	pthread_join(th, NULL);
	if (send(sv[0], buf, 200, 0) != 200)
		return 1;
	ipcb_count_stop(CHILD_MESSAGES);
	waitpid(pid, &st, 0);
	msgctl(q, IPC_RMID, NULL);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* This program's --child under strace, as bench/cli/counting.c runs the traced pass. */
static int traced(const char *self, const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* LeakSanitizer cannot run under ptrace: a sanitized build's child skips its check.
		 */
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[512];

		snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0", asan ? asan : "",
			 asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		execlp("strace", "strace", "-f", "-qq", "-e", "signal=none", "-e",
		       "trace=" IPCB_SYSBYTES_TRACE, "-e", "raw=" IPCB_SYSBYTES_RAW, "-s",
		       IPCB_SYSBYTES_STRSIZE, "-o", path, self, "--child", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void real(const char *path)
{
	struct ipcb_sysbytes_side *s = NULL;
	const struct ipcb_sysbytes_side *a, *b;
	FILE *f = fopen(path, "re");
	char err[200];
	size_t n = 0;
	int rc = f ? ipcb_sysbytes_read(f, &s, &n, err, sizeof(err)) : -errno;

	if (f)
		fclose(f);
	ok(rc == 0, "the real trace read (%s)", rc ? err : "ok");
	a = find(s, n, "TT", 0);
	b = find(s, n, "TT", 1);
	ok(a && b && a->done && b->done && a->messages == CHILD_MESSAGES,
	   "both sides' marks, %d messages", CHILD_MESSAGES);
	if (a && b) {
		ok_eq(a->out, SENDER_OUT,
		      "the sender's bytes out: its writes, its thread's sends, msgsnd, writev");
		ok_eq(a->in, SENDER_IN,
		      "the sender's bytes in: the answers, whatever their pieces");
		ok_eq(b->in, RECEIVER_IN,
		      "the receiver's bytes in: reads, receives, msgrcv, whatever "
		      "their pieces were");
		ok_eq(b->out, RECEIVER_OUT, "the receiver's bytes out: its answers");
	}
	free(s);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/test_sysbytes.XXXXXX", path[64];
	int st;

	if (argc == 2 && !strcmp(argv[1], "--child"))
		return child();
	synthetic();
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(path, sizeof(path), "%s/trace", dir);
	st = traced(argv[0], path);
	if (st == 127) {
		printf(
		    "ok %d - # SKIP strace is not installed (scripts/setup installs it): no real "
		    "trace\n",
		    ++tap_n);
	} else {
		ok(st == 0, "the marked calls ran under strace (exit %d)", st);
		real(path);
	}
	unlink(path);
	rmdir(dir);
	return tap_done();
}
