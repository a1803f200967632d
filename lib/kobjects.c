/* SPDX-License-Identifier: MIT */
/* kobjects.c - a process's kernel objects, read back from the kernel; see kobjects.h. */
#include "kobjects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* The mqueue file system's magic (linux/magic.h), which a POSIX queue's descriptor is on. */
#define KOBJ_MQUEUE_MAGIC 0x19800202
/* Items of one description, and the longest one. */
#define KOBJ_ITEMS     256
#define KOBJ_ITEM_SIZE 112

struct items {
	char (*v)[KOBJ_ITEM_SIZE];
	size_t n;
	bool cut; /* more items than fit */
};

static void item_add(struct items *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void item_add(struct items *it, const char *fmt, ...)
{
	va_list ap;

	if (it->n == KOBJ_ITEMS) {
		it->cut = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(it->v[it->n++], KOBJ_ITEM_SIZE, fmt, ap);
	va_end(ap);
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The items sorted, each repeated one once with its count, joined by ", ". */
static void items_join(struct items *it, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), item_cmp);
	for (size_t i = 0; i < it->n && len < n;) {
		size_t j = i + 1;
		int w;

		while (j < it->n && !strcmp(it->v[i], it->v[j]))
			j++;
		if (j - i > 1)
			w = snprintf(out + len, n - len, "%s%zu x %s", len ? ", " : "", j - i,
				     it->v[i]);
		else
			w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", it->v[i]);
		len += w > 0 ? (size_t)w : 0;
		i = j;
	}
	if ((it->cut || len >= n) && n > 4)
		snprintf(out + (len >= n ? n - 4 : len), 4, "...");
}

/* " nonblock direct": the status flags that change how the object's calls behave. */
static void flags_text(int fd, char *out, size_t n)
{
	static const struct {
		int flag;
		const char *name;
	} flags[] = {
	    {O_NONBLOCK, "nonblock"}, {O_DIRECT, "direct"},   {O_APPEND, "append"},
	    {O_DSYNC, "dsync"},	      {O_NOATIME, "noatime"},
	};
	int fl = fcntl(fd, F_GETFL);
	size_t len = 0;

	out[0] = '\0';
	if (fl < 0)
		return;
	/* O_SYNC holds O_DSYNC's bit too: one name for it. */
	if ((fl & O_SYNC) == O_SYNC) {
		len += (size_t)snprintf(out + len, n - len, " sync");
		fl &= ~O_SYNC;
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]) && len < n; i++)
		if (fl & flags[i].flag)
			len += (size_t)snprintf(out + len, n - len, " %s", flags[i].name);
}

static int sockopt(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) < 0 ? -1 : v;
}

static void socket_item(struct items *it, int fd, const char *flags)
{
	int domain = sockopt(fd, SOL_SOCKET, SO_DOMAIN), type = sockopt(fd, SOL_SOCKET, SO_TYPE);
	int proto = sockopt(fd, SOL_SOCKET, SO_PROTOCOL);
	const char *family = domain == AF_UNIX	  ? "unix"
			     : domain == AF_INET  ? "inet"
			     : domain == AF_INET6 ? "inet6"
						  : NULL;
	const char *kind = proto == IPPROTO_TCP	    ? "tcp"
			   : proto == IPPROTO_UDP   ? "udp"
			   : type == SOCK_STREAM    ? "stream"
			   : type == SOCK_DGRAM	    ? "dgram"
			   : type == SOCK_SEQPACKET ? "seqpacket"
						    : "other";
	char extra[96] = "";
	size_t len = 0;

	if (sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1)
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, " listening");
	if (sockopt(fd, SOL_SOCKET, SO_RCVLOWAT) > 1)
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, " rcvlowat %d",
					sockopt(fd, SOL_SOCKET, SO_RCVLOWAT));
	if (sockopt(fd, SOL_SOCKET, SO_ZEROCOPY) == 1)
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, " zerocopy");
	if (sockopt(fd, SOL_SOCKET, SO_BUSY_POLL) > 0)
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, " busy_poll %d",
					sockopt(fd, SOL_SOCKET, SO_BUSY_POLL));
	if (proto == IPPROTO_TCP && sockopt(fd, IPPROTO_TCP, TCP_NODELAY) == 1)
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, " nodelay");
	if (proto == IPPROTO_TCP && sockopt(fd, IPPROTO_TCP, TCP_CORK) == 1)
		snprintf(extra + len, sizeof(extra) - len, " cork");
	if (family)
		item_add(it, "%s %s sndbuf %d rcvbuf %d%s%s", family, kind,
			 sockopt(fd, SOL_SOCKET, SO_SNDBUF), sockopt(fd, SOL_SOCKET, SO_RCVBUF),
			 extra, flags);
	else
		item_add(it, "socket family %d %s%s%s", domain, kind, extra, flags);
}

/* A value from the descriptor's /proc/self/fdinfo ("SqEntries"), or -1. */
static long fdinfo_value(int fd, const char *key, int *lines_with_key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (lines_with_key)
		*lines_with_key = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		if (lines_with_key)
			++*lines_with_key;
		else if (v < 0)
			v = strtol(line + klen + 1, NULL, 0);
	}
	fclose(f);
	return v;
}

static void fd_item(struct items *it, int fd)
{
	char path[64], target[256], flags[64];
	struct stat st;
	struct statfs sfs;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0 || fstat(fd, &st) < 0)
		return; /* closed meanwhile */
	target[n] = '\0';
	flags_text(fd, flags, sizeof(flags));
	if (S_ISFIFO(st.st_mode)) {
		item_add(it, "%s buffer %d%s", strncmp(target, "pipe:", 5) ? "fifo" : "pipe",
			 fcntl(fd, F_GETPIPE_SZ), flags);
	} else if (S_ISSOCK(st.st_mode)) {
		socket_item(it, fd, flags);
	} else if (fstatfs(fd, &sfs) == 0 && sfs.f_type == KOBJ_MQUEUE_MAGIC) {
		struct mq_attr a;

		if (mq_getattr(fd, &a) == 0)
			item_add(it, "posix mq maxmsg %ld msgsize %ld%s", a.mq_maxmsg, a.mq_msgsize,
				 flags);
		else
			item_add(it, "posix mq%s", flags);
	} else if (!strncmp(target, "anon_inode:", 11)) {
		const char *name = target + 11;
		size_t len = strlen(name);
		int tfds = 0;

		if (name[0] == '[' && len > 1 && name[len - 1] == ']') {
			name++;
			len -= 2;
		}
		if (!strncmp(name, "eventfd", len) && len == 7)
			item_add(it, "eventfd%s%s",
				 fdinfo_value(fd, "eventfd-semaphore", NULL) == 1 ? " semaphore"
										  : "",
				 flags);
		else if (!strncmp(name, "io_uring", len) && len == 8)
			item_add(it, "io_uring sq %ld cq %ld%s",
				 fdinfo_value(fd, "SqEntries", NULL),
				 fdinfo_value(fd, "CqEntries", NULL), flags);
		else if (!strncmp(name, "eventpoll", len) && len == 9 &&
			 fdinfo_value(fd, "tfd", &tfds) == -1)
			item_add(it, "epoll watching %d%s", tfds, flags);
		else
			item_add(it, "%.*s%s", (int)(len < 64 ? len : 64), name, flags);
	} else if (!strncmp(target, "/memfd:", 7)) {
		item_add(it, "memfd%s", flags);
	} else if (S_ISREG(st.st_mode)) {
		item_add(it, "file%s", flags);
	} else if (S_ISDIR(st.st_mode)) {
		item_add(it, "directory%s", flags);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		item_add(it, "device%s", flags);
	} else {
		item_add(it, "descriptor%s", flags);
	}
}

/* Shared mappings: their size and what backs them (the harness's and the transport's). */
static int maps_items(struct items *it)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[1024];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char perms[8] = "";
		int path_at = 0;
		const char *path, *kind;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 ||
		    perms[3] != 's')
			continue;
		path = path_at ? line + path_at : "";
		kind = !*path || *path == '\n' || !strncmp(path, "/dev/zero", 9) ? "anon"
		       : !strncmp(path, "/dev/shm/", 9)				 ? "posix shm"
		       : !strncmp(path, "/SYSV", 5)				 ? "sysv shm"
		       : !strncmp(path, "/memfd:", 7)				 ? "memfd"
										 : "file";
		item_add(it, "shared map %lu %s%s", end - start, perms[1] == 'w' ? "rw" : "ro",
			 strcmp(kind, "anon") ? "" : " anon");
		if (strcmp(kind, "anon"))
			snprintf(it->v[it->n - 1] + strlen(it->v[it->n - 1]),
				 KOBJ_ITEM_SIZE - strlen(it->v[it->n - 1]), " %s", kind);
	}
	fclose(f);
	return 0;
}

int ipcb_kobj_fdset_now(struct ipcb_kobj_fdset *set)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat st;

	set->n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d)) && set->n < IPCB_KOBJ_FDS) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d) || fstat(fd, &st) < 0)
			continue;
		set->obj[set->n].dev = st.st_dev;
		set->obj[set->n++].ino = st.st_ino;
	}
	closedir(d);
	return 0;
}

static bool fdset_has(const struct ipcb_kobj_fdset *set, const struct stat *st)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (set->obj[i].dev == st->st_dev && set->obj[i].ino == st->st_ino)
			return true;
	return false;
}

int ipcb_kobj_describe(const struct ipcb_kobj_fdset *skip, char *out, size_t n)
{
	struct items it = {.v = calloc(KOBJ_ITEMS, sizeof(*it.v))};
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat st;
	int rc = 0, many = 0;

	out[0] = '\0';
	if (!d || !it.v) {
		rc = d ? -ENOMEM : -errno;
		snprintf(out, n, "not described (%s: %s)", d ? "calloc" : "/proc/self/fd",
			 strerror(-rc));
		goto out;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) || fstat(fd, &st) < 0 ||
		    fdset_has(skip, &st))
			continue;
		if (it.n < KOBJ_ITEMS - 1)
			fd_item(&it, fd);
		else
			many++;
	}
	if (many)
		item_add(&it, "%d more descriptors", many);
	rc = maps_items(&it);
	if (rc < 0)
		snprintf(out, n, "not described (/proc/self/maps: %s)", strerror(-rc));
	else
		items_join(&it, out, n);
out:
	if (d)
		closedir(d);
	free(it.v);
	return rc;
}

/* The ids in the second column of /proc/sysvipc/NAME (its first line is a header). */
static size_t sysv_ids(const char *name, int *ids, size_t max)
{
	char path[64], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))
		while (n < max && fgets(line, sizeof(line), f))
			if (sscanf(line, "%*d %d", &ids[n]) == 1)
				n++;
	fclose(f);
	return n;
}

int ipcb_kobj_sysv_now(struct ipcb_kobj_sysv *s)
{
	s->nmsg = sysv_ids("msg", s->msg, IPCB_KOBJ_SYSV);
	s->nsem = sysv_ids("sem", s->sem, IPCB_KOBJ_SYSV);
	return 0;
}

static bool sysv_had(const int *ids, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int ipcb_kobj_sysv_describe(const struct ipcb_kobj_sysv *before, char *out, size_t n)
{
	struct items it = {.v = calloc(KOBJ_ITEMS, sizeof(*it.v))};
	struct ipcb_kobj_sysv now;

	out[0] = '\0';
	if (!it.v)
		return -ENOMEM;
	ipcb_kobj_sysv_now(&now);
	for (size_t i = 0; i < now.nmsg; i++) {
		struct msqid_ds ds;

		if (!sysv_had(before->msg, before->nmsg, now.msg[i]) &&
		    msgctl(now.msg[i], IPC_STAT, &ds) == 0)
			item_add(&it, "sysv msg queue qbytes %lu", (unsigned long)ds.msg_qbytes);
	}
	for (size_t i = 0; i < now.nsem; i++) {
		struct semid_ds ds;

		if (!sysv_had(before->sem, before->nsem, now.sem[i]) &&
		    semctl(now.sem[i], 0, IPC_STAT, &ds) == 0)
			item_add(&it, "sysv semaphores %lu", (unsigned long)ds.sem_nsems);
	}
	items_join(&it, out, n);
	free(it.v);
	return 0;
}
