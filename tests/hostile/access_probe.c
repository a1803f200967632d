/* SPDX-License-Identifier: MIT */
/*
 * access_probe.c - can another user reach what an ipcbench run makes?
 *
 *   access_probe try KIND TARGET...
 *	Become `nobody` (setgroups, setgid, setuid), then try to use each object: KIND msg, shm or
 *	sem with a System V id (send/receive, attach, semop, IPC_STAT), key-msg, key-shm or
 *	key-sem with a System V key (msgget/shmget/semget asking for read and write), path with a
 *	path (open it). One line per
 *	attempt. Exit 0 when every attempt was refused, 1 when any got through, 2 on a usage error,
 *	77 when privileges cannot be dropped (not root).
 *
 *   access_probe setup
 *	TAP. For every transport that runs here, call setup() as the driver does, at the moment its
 *	objects are most exposed (before the children open anything and unlink names), find every
 *	object named after the channel's tag (/dev/shm, /dev/mqueue, $TMPDIR with its FIFO
 *	directories and System V registry, and the System V objects the registry lists), check that
 *	each is private (owner, mode 0600 or 0700 for a directory, ipcbench's key prefix), that
 *	`nobody` can open none of them nor the unlinked ones through /proc/<pid>/fd, then teardown
 *	and check that nothing is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "rundir.h"
#include "sysvreg.h"
#include "transport.h"

static int drop_to_nobody(void)
{
	const struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : 65534;
	gid_t gid = pw ? pw->pw_gid : 65534;

	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -errno;
	/* Dropped for good: getting root back must fail. */
	if (setuid(0) == 0)
		return -EPERM;
	return 0;
}

/* One attempt: print what happened; true when it was refused. */
static bool refused(const char *what, const char *target, int rc)
{
	printf("%s %s: %s\n", what, target, rc < 0 ? strerror(errno) : "ALLOWED");
	return rc < 0 && (errno == EACCES || errno == EPERM);
}

static bool try_sysv(const char *kind, int id, const char *target)
{
	bool all = true;

	if (strcmp(kind, "msg") == 0) {
		struct {
			long type;
			char text[8];
		} m = {1, "x"};
		struct msqid_ds ds;

		all &= refused("msgsnd", target, msgsnd(id, &m, 1, IPC_NOWAIT));
		all &=
		    refused("msgrcv", target, (int)msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT));
		all &= refused("msgctl(IPC_STAT)", target, msgctl(id, IPC_STAT, &ds));
		all &= refused("msgctl(IPC_RMID)", target, msgctl(id, IPC_RMID, NULL));
	} else if (strcmp(kind, "shm") == 0) {
		void *p = shmat(id, NULL, SHM_RDONLY);
		struct shmid_ds ds;

		all &= refused("shmat", target, p == (void *)-1 ? -1 : 0);
		all &= refused("shmctl(IPC_STAT)", target, shmctl(id, IPC_STAT, &ds));
		all &= refused("shmctl(IPC_RMID)", target, shmctl(id, IPC_RMID, NULL));
	} else if (strcmp(kind, "sem") == 0) {
		struct sembuf op = {.sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT};

		all &= refused("semop", target, semop(id, &op, 1));
		all &= refused("semctl(GETVAL)", target, semctl(id, 0, GETVAL));
		all &= refused("semctl(IPC_RMID)", target, semctl(id, 0, IPC_RMID));
	}
	return all;
}

static bool try_key(const char *kind, key_t key, const char *target)
{
	/* Asking for read and write on an existing key checks the object's mode. */
	if (strcmp(kind, "msg") == 0)
		return refused("msgget", target, msgget(key, 0600));
	if (strcmp(kind, "shm") == 0)
		return refused("shmget", target, shmget(key, 0, 0600));
	return refused("semget", target, semget(key, 0, 0600));
}

static bool try_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool r = refused("open", path, fd);

	if (fd >= 0)
		close(fd);
	if (r)
		return true;
	/* A missing path is not a way in either. */
	return fd < 0 && errno == ENOENT;
}

static int cmd_try(int argc, char **argv)
{
	bool all = true;
	int rc;

	if (argc < 4)
		return 2;
	rc = drop_to_nobody();
	if (rc < 0) {
		printf("cannot become nobody: %s\n", strerror(-rc));
		return 77;
	}
	for (int i = 3; i < argc; i++) {
		const char *kind = argv[2];

		if (strcmp(kind, "path") == 0)
			all &= try_path(argv[i]);
		else if (strncmp(kind, "key-", 4) == 0)
			all &= try_key(kind + 4, (key_t)strtoul(argv[i], NULL, 0), argv[i]);
		else if (!strcmp(kind, "msg") || !strcmp(kind, "shm") || !strcmp(kind, "sem"))
			all &= try_sysv(kind, atoi(argv[i]), argv[i]);
		else
			return 2;
	}
	fflush(stdout);
	return all ? 0 : 1;
}

/* ---- setup: every transport's objects right after setup() ---------------------------------- */

/* Run fn(arg) in a child that became nobody; its exit status (0 = all refused). */
static int as_nobody(bool (*fn)(const void *), const void *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int out = open("/dev/null", O_WRONLY);

		/* Quiet: the parent reports; the child only answers with its status. */
		if (out >= 0)
			dup2(out, STDOUT_FILENO);
		if (drop_to_nobody() < 0)
			_exit(77);
		_exit(fn(arg) ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool probe_path(const void *p)
{
	return try_path(p);
}

static bool probe_entry(const void *p)
{
	const struct ipcb_sysv_entry *en = p;
	char target[32];

	snprintf(target, sizeof(target), "%d", en->id);
	return try_sysv(ipcb_sysv_kind_name(en->kind), en->id, target) &&
	       try_key(ipcb_sysv_kind_name(en->kind), (key_t)en->key, target);
}

/* The fds of this process that point at a file named after tag: reachable only via /proc. */
static int check_fds(const char *tag, const char *tname)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char link[PATH_MAX], target[PATH_MAX];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strstr(target, tag))
			continue;
		n++;
		/* The child asks for the parent's fd by pid: /proc/self would be its own. */
		snprintf(link, sizeof(link), "/proc/%d/fd/%s", (int)getpid(), e->d_name);
		ok(as_nobody(probe_path, link) == 0, "%s: nobody cannot open %s (%s) via %s", tname,
		   target, strstr(target, "(deleted)") ? "unlinked" : "named", link);
	}
	closedir(d);
	return n;
}

/* Mappings of files named after tag (unlinked shm and files): reachable only via map_files. */
static int check_maps(const char *tag, const char *tname)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128], range[64], link[128];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strstr(line, tag) || sscanf(line, "%63s", range) != 1)
			continue;
		n++;
		snprintf(link, sizeof(link), "/proc/%d/map_files/%s", (int)getpid(), range);
		ok(as_nobody(probe_path, link) == 0, "%s: nobody cannot open the mapping %s via %s",
		   tname, strchr(line, '/') ? strchr(line, '/') : "?", link);
	}
	fclose(f);
	return n;
}

static int check_registry(const char *path, const char *tname)
{
	char line[128];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct ipcb_sysv_entry en;
		const char *why = NULL;
		int ours;

		if (!ok(ipcb_sysv_entry_parse(line, &en) == 0, "%s: registry line '%.*s' parses",
			tname, (int)strcspn(line, "\n"), line))
			continue;
		n++;
		ours = ipcb_sysv_entry_check(&en, &why);
		/* The segment is marked for removal at once (its key is gone): nothing to reach. */
		if (en.kind == IPCB_SYSV_SHM && ours == 0 && why &&
		    strcmp(why, "is marked for removal already") == 0) {
			tap_diag("%s: System V segment %d is marked for removal already: nothing "
				 "to reach",
				 tname, en.id);
			continue;
		}
		ok(ours == 1 && ipcb_sysv_key_ours(en.key),
		   "%s: System V %s %d has key 0x%08x with ipcbench's prefix, mode 0600, our "
		   "owner%s%s",
		   tname, ipcb_sysv_kind_text(en.kind), en.id, en.key, why ? ": " : "",
		   why ? why : "");
		ok(as_nobody(probe_entry, &en) == 0,
		   "%s: nobody can neither use System V %s %d nor "
		   "open key 0x%08x",
		   tname, ipcb_sysv_kind_text(en.kind), en.id, en.key);
	}
	fclose(f);
	return n;
}

/* Entries of dir containing tag; checks each and what a directory holds. */
static int check_dir(const char *dir, const char *tag, const char *tname, bool check)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (!strstr(e->d_name, tag))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!check) {
			tap_diag("left: %s", path);
			continue;
		}
		if (lstat(path, &st) < 0)
			continue;
		ok(st.st_uid == geteuid() &&
		       (st.st_mode & 07777) == (S_ISDIR(st.st_mode) ? 0700u : 0600u),
		   "%s: %s is ours with mode %s (it has %o)", tname, path,
		   S_ISDIR(st.st_mode) ? "0700" : "0600", (unsigned)(st.st_mode & 07777));
		ok(as_nobody(probe_path, path) == 0, "%s: nobody cannot open %s", tname, path);
		if (S_ISDIR(st.st_mode)) {
			DIR *sub = opendir(path);
			struct dirent *se;

			while (sub && (se = readdir(sub))) {
				char inner[PATH_MAX + 260];

				if (se->d_name[0] == '.')
					continue;
				snprintf(inner, sizeof(inner), "%s/%s", path, se->d_name);
				if (lstat(inner, &st) == 0)
					ok(st.st_uid == geteuid() && (st.st_mode & 07777) == 0600,
					   "%s: %s is ours with mode 0600", tname, inner);
				ok(as_nobody(probe_path, inner) == 0, "%s: nobody cannot open %s",
				   tname, inner);
			}
			if (sub)
				closedir(sub);
		}
		if (len > 5 && strcmp(e->d_name + len - 5, IPCB_SYSV_REG_SUFFIX) == 0)
			check_registry(path, tname);
	}
	closedir(d);
	return n;
}

static int cmd_setup(void)
{
	const char *dir = ipcb_sysv_registry_dir();

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to become another user\n");
		return 0;
	}
	for (size_t i = 0; i < ipcb_transport_count(); i++) {
		const struct ipcb_transport *t = ipcb_transport_at(i);
		struct ipcb_probe p = {.max_msg_bytes = t->max_msg_bytes};
		struct ipcb_chan ch;
		char run_dir[PATH_MAX] = "";
		int found, rc;

		if (!t->setup) {
			tap_diag("%s makes no kernel objects", t->name);
			continue;
		}
		if (t->unsupported || (t->probe && t->probe(&p) < 0)) {
			tap_diag("%s cannot run here: not checked", t->name);
			continue;
		}
		/* Its setup needs the server the driver starts; brokers.sh checks what that makes.
		 */
		if (t->service) {
			tap_diag("%s: its objects are its server's, not checked here", t->name);
			continue;
		}
		memset(&ch, 0, sizeof(ch));
		ch.t = t;
		ch.cfg.msg_bytes = 4096;
		ch.cfg.wait = (t->caps & IPCB_CAP_WAIT_CHOICE) ? IPCB_WAIT_HYBRID : t->fixed_wait;
		ch.cfg.spin_polls = 100;
		ch.cfg.dir = dir;
		ch.cfg.bidirectional = true;
		snprintf(ch.tag, sizeof(ch.tag), "ipcbench-%d-%016llx", (int)getpid(),
			 0x5eed0000ull + i);
		ch.priv = calloc(1, t->chan_priv_bytes ? t->chan_priv_bytes : 1);
		/* As the driver does: the run's own directory for every path it makes. */
		if ((t->caps & IPCB_CAP_USES_DIR) &&
		    ipcb_rundir_create(dir, ch.tag, run_dir, sizeof(run_dir)) == 0)
			ch.cfg.run_dir = run_dir;
		rc = t->setup(&ch);
		if (!ok(rc == 0, "%s: setup", t->name))
			tap_diag("%s: %s", ch.err.call, strerror(-ch.err.code));
		found = check_dir("/dev/shm", ch.tag, t->name, true) +
			check_dir("/dev/mqueue", ch.tag, t->name, true) +
			check_dir(dir, ch.tag, t->name, true) + check_fds(ch.tag, t->name) +
			check_maps(ch.tag, t->name);
		tap_diag("%s: %d object(s) named after the tag after setup", t->name, found);
		if (t->teardown)
			t->teardown(&ch);
		if (run_dir[0])
			ipcb_rundir_remove(run_dir);
		free(ch.priv);
		found = check_dir("/dev/shm", ch.tag, t->name, false) +
			check_dir("/dev/mqueue", ch.tag, t->name, false) +
			check_dir(dir, ch.tag, t->name, false);
		ok(found == 0, "%s: teardown leaves nothing named after the tag", t->name);
	}
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "setup") == 0)
		return cmd_setup();
	if (argc >= 4 && strcmp(argv[1], "try") == 0)
		return cmd_try(argc, argv);
	fprintf(stderr,
		"usage: %s setup | try msg|shm|sem|key-msg|key-shm|key-sem|path TARGET...\n",
		argv[0]);
	return 2;
}
