/* SPDX-License-Identifier: MIT */
/*
 * test_kobjects.c - lib/kobjects.c on real kernel objects made here: what each kind is read back
 * as, the settings that must show (a pipe's buffer, a socket's options and buffers, a queue's
 * depth, a shared mapping's size, a System V queue's qbytes), that objects open before a
 * snapshot are left out even when their descriptor's number is reused for a new object, and
 * that one configuration reads back alike every time.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tap.h"
#include "kobjects.h"

static char text[8192];

static int has(const char *item)
{
	return strstr(text, item) != NULL;
}

static void describe(const struct ipcb_kobj_fdset *skip)
{
	int rc = ipcb_kobj_describe(skip, text, sizeof(text));

	ok(rc == 0, "described (%d): %s", rc, text);
}

int main(void)
{
	static struct ipcb_kobj_fdset before;
	static struct ipcb_kobj_sysv sysv_before;
	int p[2], q[2], sv[2], tcp, efd, one = 1, size = 65536;
	char again[8192], name[64], sysv[512];
	struct msqid_ds ds;
	struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 128};
	mqd_t mq;
	void *ring, *anon;
	int msq;

	int rc = ipcb_kobj_fdset_now(&before);

	ok(rc == 0 && before.n >= 3, "a snapshot of %zu objects (rc %d)", before.n, rc);
	ok(ipcb_kobj_sysv_now(&sysv_before) == 0, "a snapshot of the System V objects");
	describe(&before);
	ok(!has("pipe") && !has("socket") && !has("unix"),
	   "nothing made since the snapshot is described");

	/* A pipe at 32 KiB and one at the default, one of them non-blocking. */
	if (pipe(p) < 0 || pipe2(q, O_NONBLOCK) < 0)
		return perror("pipe"), 1;
	fcntl(p[1], F_SETPIPE_SZ, 32768);
	/* A Unix stream pair with a send buffer set, a TCP socket with TCP_NODELAY. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return perror("socketpair"), 1;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	efd = eventfd(0, EFD_SEMAPHORE);
	snprintf(name, sizeof(name), "/ipcb-test-kobjects-%d", (int)getpid());
	mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (mq != (mqd_t)-1)
		mq_unlink(name);
	ring = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	describe(&before);
	ok(has("2 x pipe buffer 32768") && has("2 x pipe buffer 65536 nonblock"),
	   "the pipes: both ends of the 32 KiB one, both non-blocking ends of the other");
	ok(has("unix stream sndbuf 131072"), "the stream socket's send buffer (the kernel doubles "
					     "what was set)");
	ok(has("inet tcp sndbuf") && has("nodelay"), "the TCP socket and its TCP_NODELAY");
	ok(has("eventfd semaphore"), "the eventfd, a semaphore");
	ok(mq == (mqd_t)-1 || has("posix mq maxmsg 4 msgsize 128"), "the POSIX queue's depth");
	ok(has("shared map 12288 rw anon"), "the shared mapping's size");
	/* A private mapping holds nothing the other side sees: not described. */
	anon = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ipcb_kobj_describe(&before, again, sizeof(again));
	ok(strcmp(text, again) == 0,
	   "the same objects read back alike, a private mapping left out");

	/* An object open before the snapshot is left out even when its number is reused. */
	{
		static struct ipcb_kobj_fdset with_pipes;
		int fresh[2];

		ipcb_kobj_fdset_now(&with_pipes);
		describe(&with_pipes);
		ok(!has("pipe buffer"), "the pipes in the snapshot are left out");
		if (pipe(fresh) == 0) {
			dup2(fresh[0], p[0]); /* p[0]'s number, another pipe now */
			close(fresh[0]);
			close(fresh[1]);
		}
		describe(&with_pipes);
		ok(has("pipe buffer 65536"),
		   "a new pipe on a number the snapshot had is described");
	}

	/* A System V queue, its qbytes lowered: the driver's description of what a run made. */
	msq = msgget(IPC_PRIVATE, 0600);
	if (msq >= 0 && msgctl(msq, IPC_STAT, &ds) == 0) {
		ds.msg_qbytes = 4096;
		msgctl(msq, IPC_SET, &ds);
	}
	ipcb_kobj_sysv_describe(&sysv_before, sysv, sizeof(sysv));
	ok(msq < 0 || strstr(sysv, "sysv msg queue qbytes 4096"), "the new System V queue: %s",
	   sysv);
	if (msq >= 0)
		msgctl(msq, IPC_RMID, NULL);
	ipcb_kobj_sysv_describe(&sysv_before, sysv, sizeof(sysv));
	ok(!strstr(sysv, "msg queue"), "a removed queue is not described: '%s'", sysv);

	/* A list longer than the text ends in "...". */
	ipcb_kobj_describe(&before, again, 40);
	ok(strlen(again) == 39 && !strcmp(again + 36, "..."), "a cut description ends in ...: %s",
	   again);
	close(efd);
	close(tcp);
	munmap(ring, 3 * 4096);
	munmap(anon, 5 * 4096);
	return tap_done();
}
