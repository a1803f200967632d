/* SPDX-License-Identifier: MIT */
/*
 * sysvreg.h - System V objects that can be told apart from everybody else's, and found again
 * after a run was killed.
 *
 * System V message queues, shared memory segments and semaphore sets have no name, only a
 * 32-bit key, and the queue and the set do not even record the process that made them. An
 * IPC_PRIVATE object (key 0) looks like every other program's, so nothing could find ours after
 * a driver was killed with SIGKILL (no teardown ran). Hence two rules:
 *
 * Keys. Every key ipcbench makes has IPCB_SYSV_KEY_MAGIC in its top 12 bits (ipcs shows
 * 0x1bcXXXXX) and 20 bits from getrandom(2) below; the object is created with IPC_CREAT |
 * IPC_EXCL | 0600, and a key somebody already has (EEXIST) is replaced by a fresh random one.
 * So a key is never fixed or derived (no ftok), never shared with another run, and the mode
 * lets no other user attach, send, receive or operate on it.
 *
 * Registry. The creating run records each object in "<registry dir>/<tag>.sysv", where the
 * registry dir is $TMPDIR (or /tmp when unset or empty) and <tag> is the run's
 * "ipcbench-<pid>-<random>" (so the file names the creating process). The file is made O_EXCL,
 * mode 0600, not following symlinks; each object adds one line, written right after the object
 * was created and before anything else can happen to it:
 *
 *     msg <id> 0x<key>
 *     shm <id> 0x<key>
 *     sem <id> 0x<key>
 *
 * Teardown removes the objects and then the file. A file whose pid no longer runs names exactly
 * what `ipcbench --cleanup` may remove: a listed object is removed only if it still exists with
 * the listed id and key, our key prefix, mode 0600, and our user as its owner.
 */
#ifndef IPCB_SYSVREG_H
#define IPCB_SYSVREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "transport.h"

#define IPCB_SYSV_KEY_MAGIC  0x1bc00000u /* top bits of every ipcbench key: "1bc" */
#define IPCB_SYSV_KEY_MASK   0xfff00000u /* which bits the magic occupies */
#define IPCB_SYSV_REG_SUFFIX ".sysv"	 /* registry file: "<tag>.sysv" */

enum ipcb_sysv_kind {
	IPCB_SYSV_MSG, /* msgget: a message queue */
	IPCB_SYSV_SHM, /* shmget: a shared memory segment */
	IPCB_SYSV_SEM, /* semget: a semaphore set */
};

/* One registry line: which object a run made. */
struct ipcb_sysv_entry {
	enum ipcb_sysv_kind kind;
	int id;
	uint32_t key;
};

/* Does this key carry ipcbench's prefix? */
static inline bool ipcb_sysv_key_ours(uint32_t key)
{
	return (key & IPCB_SYSV_KEY_MASK) == IPCB_SYSV_KEY_MAGIC;
}

/* "msg", "shm", "sem" (the registry's spelling) and a reader's name ("message queue", ...). */
const char *ipcb_sysv_kind_name(enum ipcb_sysv_kind k);
const char *ipcb_sysv_kind_text(enum ipcb_sysv_kind k);

/* The directory registries live in: $TMPDIR, or /tmp when it is unset or empty. */
const char *ipcb_sysv_registry_dir(void);
/* "<registry dir>/<tag>.sysv" into out. 0 or -ENAMETOOLONG. */
int ipcb_sysv_registry_path(const char *tag, char *out, size_t n);

/*
 * Create one System V object for the run `tag`: a queue (IPCB_SYSV_MSG, arg unused), a segment
 * of `arg` bytes (IPCB_SYSV_SHM) or a set of `arg` semaphores (IPCB_SYSV_SEM), under a fresh
 * ipcbench key, IPC_CREAT | IPC_EXCL | 0600, and record it in the run's registry.
 * Returns the id (>= 0) or a negative errno. When the get call itself fails (a kernel limit, a
 * missing mechanism), nothing is recorded in e and errno is left as the call set it, so the
 * caller can explain the limit it knows about; a registry failure is recorded in e (call
 * "open"/"write", the registry path as detail) and the object, if made, is removed again.
 */
int ipcb_sysv_create(const char *tag, enum ipcb_sysv_kind kind, size_t arg, struct ipcb_err *e);

/* A tag for objects made outside a run (a probe): "ipcbench-<pid>-probe-<16 random hex>". */
void ipcb_sysv_probe_tag(char *tag, size_t n);

/* Remove the run's registry file (after its objects are gone); harmless when there is none. */
void ipcb_sysv_registry_remove(const char *tag);

/*
 * The objects this process made with ipcb_sysv_create(), oldest first, up to the last
 * IPCB_SYSV_HISTORY: copies up to max of them into out and returns how many there are. For
 * tests, which must check that every object their runs made is gone, even while other
 * ipcbench processes on the machine make objects of their own.
 */
#define IPCB_SYSV_HISTORY 256
size_t ipcb_sysv_history(struct ipcb_sysv_entry *out, size_t max);

/* Parse one registry line (with or without its newline). 0 or -EINVAL. */
int ipcb_sysv_entry_parse(const char *line, struct ipcb_sysv_entry *out);

/*
 * Is the listed object still there and ours: same id and key, ipcbench's key prefix, mode 0600,
 * owned by this effective user? 1 yes, 0 gone or not ours (*why says which), -errno when the
 * kernel would not say.
 */
int ipcb_sysv_entry_check(const struct ipcb_sysv_entry *en, const char **why);

/* IPC_RMID the listed object. 0 or -errno. */
int ipcb_sysv_entry_remove(const struct ipcb_sysv_entry *en);

#endif
