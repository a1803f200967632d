/* SPDX-License-Identifier: MIT */
/* sysvreg.c - ipcbench's System V keys and the per-run registry of objects; see sysvreg.h. */
#include "sysvreg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Fresh keys to try before giving up on EEXIST: with 2^20 keys, only a flood of objects with
 * our prefix could exhaust this many. */
#define SYSVREG_TRIES 256

/* semctl(2): the caller defines this union. */
union sysvreg_semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* What this process made, for ipcb_sysv_history(): a ring of the most recent objects. */
static struct ipcb_sysv_entry sysvreg_made[IPCB_SYSV_HISTORY];
static size_t sysvreg_nmade;

static const char *const sysvreg_names[] = {"msg", "shm", "sem"};
static const char *const sysvreg_texts[] = {"message queue", "shared memory segment",
					    "semaphore set"};

const char *ipcb_sysv_kind_name(enum ipcb_sysv_kind k)
{
	return (unsigned)k < 3 ? sysvreg_names[k] : "?";
}

const char *ipcb_sysv_kind_text(enum ipcb_sysv_kind k)
{
	return (unsigned)k < 3 ? sysvreg_texts[k] : "?";
}

const char *ipcb_sysv_registry_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

int ipcb_sysv_registry_path(const char *tag, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/%s%s", ipcb_sysv_registry_dir(), tag, IPCB_SYSV_REG_SUFFIX);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* A key with our prefix and 20 unpredictable bits (never 0, which is IPC_PRIVATE). */
static key_t sysvreg_key(void)
{
	static uint32_t fallback;
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		/* No entropy source: still different per call, and IPC_EXCL keeps it safe. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 12) ^ fallback++;
	}
	return (key_t)(IPCB_SYSV_KEY_MAGIC | (r & ~IPCB_SYSV_KEY_MASK));
}

static int sysvreg_get(enum ipcb_sysv_kind kind, key_t key, size_t arg)
{
	const int flags = IPC_CREAT | IPC_EXCL | 0600;

	switch (kind) {
	case IPCB_SYSV_MSG:
		return msgget(key, flags);
	case IPCB_SYSV_SHM:
		return shmget(key, arg, flags);
	case IPCB_SYSV_SEM:
		return semget(key, (int)arg, flags);
	}
	errno = EINVAL;
	return -1;
}

static int sysvreg_rmid(enum ipcb_sysv_kind kind, int id)
{
	int rc = -1;

	switch (kind) {
	case IPCB_SYSV_MSG:
		rc = msgctl(id, IPC_RMID, NULL);
		break;
	case IPCB_SYSV_SHM:
		rc = shmctl(id, IPC_RMID, NULL);
		break;
	case IPCB_SYSV_SEM:
		rc = semctl(id, 0, IPC_RMID);
		break;
	default:
		errno = EINVAL;
	}
	return rc < 0 ? -errno : 0;
}

/*
 * Open the run's registry for appending: create it (O_EXCL, 0600) for the run's first object,
 * else reopen the one this run made. Never follows a symlink; a file that is not a private one
 * of ours is refused. The fd (*created says which), or -errno recorded in e.
 */
static int sysvreg_open(const char *path, bool *created, struct ipcb_err *e)
{
	const int base = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
	struct stat st;
	int fd;

	*created = false;
	fd = open(path, base | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		*created = true;
		/* The umask may have taken bits away; the mode must be exactly 0600. */
		if (fchmod(fd, 0600) < 0) {
			int err = errno;

			close(fd);
			unlink(path);
			return ipcb_errf(e, -err, "fchmod", "System V registry %s", path);
		}
		return fd;
	}
	if (errno != EEXIST)
		return ipcb_errf(e, -errno, "open", "System V registry %s", path);
	fd = open(path, base);
	if (fd < 0)
		return ipcb_errf(e, -errno, "open", "System V registry %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0600) {
		close(fd);
		return ipcb_errf(e, -EPERM, "open",
				 "System V registry %s is not a private file of this user", path);
	}
	return fd;
}

/*
 * The registry's path for tag, allocated (the caller frees it): a PATH_MAX buffer is a large part
 * of a small stack (ulimit -s). NULL with errno ENOMEM or ENAMETOOLONG.
 */
static char *sysvreg_path_new(const char *tag)
{
	char *path = malloc(PATH_MAX);

	if (path && ipcb_sysv_registry_path(tag, path, PATH_MAX) < 0) {
		free(path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return path;
}

int ipcb_sysv_create(const char *tag, enum ipcb_sysv_kind kind, size_t arg, struct ipcb_err *e)
{
	char *path, line[64];
	int fd, id = -1, err = 0, len;
	bool created;
	key_t key = 0;
	ssize_t n;

	path = sysvreg_path_new(tag);
	if (!path && errno == ENOMEM)
		return ipcb_err(e, -ENOMEM, "malloc");
	if (!path)
		return ipcb_errf(e, -ENAMETOOLONG, "open", "System V registry in %s: path too long",
				 ipcb_sysv_registry_dir());
	fd = sysvreg_open(path, &created, e);
	if (fd < 0) {
		id = fd;
		goto free_path;
	}
	for (int i = 0; i < SYSVREG_TRIES; i++) {
		key = sysvreg_key();
		id = sysvreg_get(kind, key, arg);
		if (id >= 0 || errno != EEXIST)
			break;
	}
	if (id < 0) {
		err = errno;
		close(fd);
		if (created)
			unlink(path); /* nothing recorded: leave nothing behind */
		free(path);
		errno = err; /* the caller explains the get call's failure */
		return -err;
	}
	len = snprintf(line, sizeof(line), "%s %d 0x%08" PRIx32 "\n", ipcb_sysv_kind_name(kind), id,
		       (uint32_t)key);
	do
		n = write(fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n != len) {
		/* Unrecorded, the object could not be found after a crash: do not keep it. */
		err = n < 0 ? errno : ENOSPC;
		sysvreg_rmid(kind, id);
		close(fd);
		if (created)
			unlink(path);
		id = ipcb_errf(e, -err, "write", "System V registry %s", path);
		goto free_path;
	}
	if (close(fd) < 0 && errno != EINTR) {
		err = errno;
		sysvreg_rmid(kind, id);
		id = ipcb_errf(e, -err, "close", "System V registry %s", path);
		goto free_path;
	}
	sysvreg_made[sysvreg_nmade++ % IPCB_SYSV_HISTORY] =
	    (struct ipcb_sysv_entry){.kind = kind, .id = id, .key = (uint32_t)key};
free_path:
	free(path);
	return id;
}

size_t ipcb_sysv_history(struct ipcb_sysv_entry *out, size_t max)
{
	size_t n = sysvreg_nmade < IPCB_SYSV_HISTORY ? sysvreg_nmade : IPCB_SYSV_HISTORY;
	size_t first = sysvreg_nmade - n;

	for (size_t i = 0; i < n && i < max; i++)
		out[i] = sysvreg_made[(first + i) % IPCB_SYSV_HISTORY];
	return n;
}

void ipcb_sysv_probe_tag(char *tag, size_t n)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = ((uint64_t)(uint32_t)sysvreg_key() << 32) ^ (uint64_t)(uintptr_t)&r;
	snprintf(tag, n, "ipcbench-%d-probe-%016" PRIx64, (int)getpid(), r);
}

void ipcb_sysv_registry_remove(const char *tag)
{
	char *path = sysvreg_path_new(tag);

	if (path)
		unlink(path);
	free(path);
}

int ipcb_sysv_entry_parse(const char *line, struct ipcb_sysv_entry *out)
{
	char kind[8];
	unsigned long key;
	int id, end = -1;

	if (sscanf(line, "%7s %d 0x%8lx%n", kind, &id, &key, &end) != 3 || end < 0 || id < 0)
		return -EINVAL;
	if (strcmp(line + end, "") != 0 && strcmp(line + end, "\n") != 0)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (strcmp(kind, sysvreg_names[i]) == 0) {
			out->kind = (enum ipcb_sysv_kind)i;
			out->id = id;
			out->key = (uint32_t)key;
			return 0;
		}
	return -EINVAL;
}

int ipcb_sysv_entry_check(const struct ipcb_sysv_entry *en, const char **why)
{
	struct msqid_ds mds;
	struct shmid_ds sds;
	struct semid_ds ds;
	union sysvreg_semun arg = {.buf = &ds};
	const struct ipc_perm *perm = NULL;
	int rc = -1;

	switch (en->kind) {
	case IPCB_SYSV_MSG:
		rc = msgctl(en->id, IPC_STAT, &mds);
		perm = &mds.msg_perm;
		break;
	case IPCB_SYSV_SHM:
		rc = shmctl(en->id, IPC_STAT, &sds);
		perm = &sds.shm_perm;
		break;
	case IPCB_SYSV_SEM:
		rc = semctl(en->id, 0, IPC_STAT, arg);
		perm = &ds.sem_perm;
		break;
	default:
		errno = EINVAL;
	}
	if (rc < 0) {
		if (errno == EINVAL || errno == EIDRM) {
			*why = "no longer exists";
			return 0;
		}
		if (errno == EACCES) {
			*why = "belongs to another user";
			return 0;
		}
		return -errno;
	}
	if (en->kind == IPCB_SYSV_SHM && (perm->mode & SHM_DEST)) {
		/* Marked for removal: the kernel frees it when the last process detaches. */
		*why = "is marked for removal already";
		return 0;
	}
	if ((uint32_t)perm->__key != en->key) {
		*why = "has another key now (its id was reused)";
		return 0;
	}
	if (!ipcb_sysv_key_ours(en->key)) {
		*why = "has a key without ipcbench's prefix";
		return 0;
	}
	if ((perm->mode & 0777) != 0600 || perm->uid != geteuid()) {
		*why = "is not private to this user";
		return 0;
	}
	*why = NULL;
	return 1;
}

int ipcb_sysv_entry_remove(const struct ipcb_sysv_entry *en)
{
	return sysvreg_rmid(en->kind, en->id);
}
