/* SPDX-License-Identifier: MIT */
/*
 * sysv-shm - System V shared memory (shmget + shmat) holding the message slots, and a System V
 * semaphore set (semget + semop) counting full and empty slots. Slot ring and protocol: slots.h.
 *
 * Cost of one message: a memcpy into a slot and one out, and two semop() system calls, one on
 * each side (the writer posts "full", the reader waits for it), whether or not anybody sleeps;
 * free slots come back through shared memory (slots.h), with a semop each way only when the
 * writer finds the ring full and must sleep. In spin mode each poll is a semop(IPC_NOWAIT).
 * Limits: 4 MiB per slot (larger payloads are chunked by the driver); the segment needs
 * kernel.shmmax / shmall / shmmni room, and the set 2 or 4 semaphores (kernel.sem: SEMMSL,
 * SEMMNS, SEMMNI); setup names the limit that refused.
 *
 * Neither object has a name, only a key with ipcbench's prefix, listed in the run's registry
 * (sysvreg.h). The segment is marked for removal (IPC_RMID) right after the parent attaches it:
 * the children inherit the attachment across fork, and the kernel frees it when the last of us
 * detaches, so it cannot leak. The semaphore set has no such state, so teardown removes it; a
 * driver killed with SIGKILL leaves it to `ipcbench --cleanup`, which finds it in the registry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "rundir.h"
#include "slots.h"
#include "sysvreg.h"
#include "transport.h"

struct sysv_shm_chan {
	int shmid; /* -1 once marked for removal */
	int semid;
	void *map;
	struct ipcb_slots slots;
};

/* semctl(2): the caller defines this union. */
union sysv_shm_semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* The value of /proc/sys/kernel/<name> on one line, for an error's detail. */
static const char *sysv_shm_sysctl(const char *name, char *out, size_t n)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	ipcb_file_first_line(path, out, n);
	for (char *p = out; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return out;
}

static int sysv_shm_get_segment(struct ipcb_chan *ch, struct sysv_shm_chan *c, size_t bytes)
{
	char a[32], b[32];
	int e;

	c->shmid = ipcb_sysv_create(ch->tag, IPCB_SYSV_SHM, bytes, &ch->err);
	if (c->shmid >= 0)
		return 0;
	e = errno;
	c->shmid = -1;
	if (ch->err.code)
		return ch->err.code; /* the registry failed */
	if (e == EINVAL)
		return ipcb_errf(&ch->err, -e, "shmget", "%zu bytes exceed kernel.shmmax (%s)",
				 bytes, sysv_shm_sysctl("shmmax", a, sizeof(a)));
	if (e == ENOSPC)
		return ipcb_errf(&ch->err, -e, "shmget",
				 "kernel.shmmni (%s segments) or kernel.shmall (%s pages) reached",
				 sysv_shm_sysctl("shmmni", a, sizeof(a)),
				 sysv_shm_sysctl("shmall", b, sizeof(b)));
	return ipcb_errf(&ch->err, -e, "shmget", "%zu bytes", bytes);
}

static int sysv_shm_get_sems(struct ipcb_chan *ch, struct sysv_shm_chan *c)
{
	unsigned n = ipcb_slots_nsems(&c->slots);
	unsigned short init[4];
	union sysv_shm_semun arg = {.array = init};
	char lim[64];
	int e;

	c->semid = ipcb_sysv_create(ch->tag, IPCB_SYSV_SEM, n, &ch->err);
	if (c->semid < 0 && ch->err.code) {
		c->semid = -1;
		return ch->err.code; /* the registry failed */
	}
	if (c->semid < 0 && (errno == ENOSPC || errno == EINVAL)) {
		e = errno;
		sysv_shm_sysctl("sem", lim, sizeof(lim));
		return ipcb_errf(&ch->err, -e, "semget",
				 "%u semaphores; kernel.sem (SEMMSL SEMMNS SEMOPM SEMMNI) is %s", n,
				 lim);
	}
	if (c->semid < 0)
		return ipcb_err(&ch->err, -errno, "semget");
	for (unsigned i = 0; i < n; i++)
		init[i] = 0;
	if (semctl(c->semid, 0, SETALL, arg) < 0)
		return ipcb_err(&ch->err, -errno, "semctl(SETALL)");
	return 0;
}

IPCB_HOT static int sysv_shm_post(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct sysv_shm_chan *c = ctx;
	struct sembuf op = {.sem_num = (unsigned short)sem, .sem_op = 1, .sem_flg = 0};

	while (semop(c->semid, &op, 1) < 0)
		if (errno != EINTR)
			return ipcb_err(e, -errno, "semop");
	return 0;
}

IPCB_HOT static int sysv_shm_trywait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct sysv_shm_chan *c = ctx;
	struct sembuf op = {.sem_num = (unsigned short)sem, .sem_op = -1, .sem_flg = IPC_NOWAIT};

	while (semop(c->semid, &op, 1) < 0) {
		if (errno == EAGAIN)
			return -EAGAIN;
		if (errno != EINTR)
			return ipcb_err(e, -errno, "semop");
	}
	return 0;
}

IPCB_HOT static int sysv_shm_wait(void *ctx, unsigned sem, struct ipcb_err *e)
{
	const struct sysv_shm_chan *c = ctx;
	struct sembuf op = {.sem_num = (unsigned short)sem, .sem_op = -1, .sem_flg = 0};

	while (semop(c->semid, &op, 1) < 0)
		if (errno != EINTR)
			return ipcb_err(e, -errno, "semop");
	return 0;
}

static const struct ipcb_sem_ops sysv_shm_sem_ops = {
    .post = sysv_shm_post,
    .trywait = sysv_shm_trywait,
    .wait = sysv_shm_wait,
    /* semop(2) fails with ERANGE past SEMVMX, 32767 on Linux. */
    .max_count = 32767,
};

static int sysv_shm_setup(struct ipcb_chan *ch)
{
	struct sysv_shm_chan *c = ch->priv;
	struct ipcb_slots *s = &c->slots;
	void *p;
	int rc = 0;

	c->shmid = c->semid = -1;
	rc = ipcb_slots_setup(s, &ch->cfg, &sysv_shm_sem_ops, 0, &ch->err);
	if (rc)
		return rc;
	rc = sysv_shm_get_segment(ch, c, ipcb_slots_bytes(s));
	if (rc)
		return rc;
	p = shmat(c->shmid, NULL, 0);
	if (p == (void *)-1)
		rc = ipcb_err(&ch->err, -errno, "shmat");
	else
		c->map = p;
	shmctl(c->shmid, IPC_RMID, NULL);
	c->shmid = -1;
	if (rc)
		return rc;
	ch->buffer_bytes = ipcb_slots_bytes(s);
	s->mem = c->map;
	s->sem_ctx = c;
	return sysv_shm_get_sems(ch, c);
}

static void sysv_shm_teardown(struct ipcb_chan *ch)
{
	struct sysv_shm_chan *c = ch->priv;

	if (c->semid >= 0)
		semctl(c->semid, 0, IPC_RMID);
	c->semid = -1;
	if (c->shmid >= 0)
		shmctl(c->shmid, IPC_RMID, NULL);
	c->shmid = -1;
	if (c->map)
		shmdt(c->map);
	c->map = NULL;
	ipcb_slots_teardown(&c->slots);
	ipcb_sysv_registry_remove(ch->tag);
}

static int sysv_shm_open(struct ipcb_ep *ep)
{
	(void)ep; /* the attachment and the set's id came with fork */
	return 0;
}

IPCB_HOT static int sysv_shm_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct sysv_shm_chan *c = ep->chan->priv;

	return ipcb_slots_send(&c->slots, ep->priv, ep, buf, len);
}

IPCB_HOT static int sysv_shm_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct sysv_shm_chan *c = ep->chan->priv;

	return ipcb_slots_recv(&c->slots, ep->priv, ep, buf, len);
}

const struct ipcb_transport ipcb_transport_sysv_shm = {
    .name = "sysv-shm",
    .path = IPCB_PATH_SHARED_MEMORY,
    .syscalls = {1, 1},
    .summary = "payload through System V shared memory (shmget), notified by System V "
	       "semaphores (semop)",
    .caps = IPCB_CAP_WAIT_CHOICE | IPCB_CAP_SHARED_BUFFER | IPCB_CAP_BOUNDARIES | IPCB_CAP_DUPLEX,
    .max_msg_bytes = IPCB_SLOTS_MAX_MSG,
    .chan_priv_bytes = sizeof(struct sysv_shm_chan),
    .ep_priv_bytes = sizeof(struct ipcb_slots_end),
    .setup = sysv_shm_setup,
    .teardown = sysv_shm_teardown,
    .open = sysv_shm_open,
    .send = sysv_shm_send,
    .recv = sysv_shm_recv,
};
