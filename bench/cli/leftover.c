/* SPDX-License-Identifier: MIT */
/*
 * leftover.c - what a run may leave behind, looked for after the transport test suite's runs
 * (selftest.c): names of this process's in a directory, System V objects it made, TCP ports
 * in LISTEN state; see leftover.h.
 */
#include "leftover.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysvreg.h"

/* One thing found, as a TAP diagnostic line between the suite's checks. */
__attribute__((format(printf, 1, 2))) static void found(const char *fmt, ...)
{
	va_list ap;

	printf("# left behind: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Entries in dir whose name contains "ipcbench-<our pid>": what our runs made and left. */
int ipcb_leftover_named(const char *dir)
{
	char tag[64];
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	snprintf(tag, sizeof(tag), "ipcbench-%d-", (int)getpid());
	while ((e = readdir(d)))
		if (strstr(e->d_name, tag)) {
			found("%s/%s", dir, e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/*
 * System V objects this process's runs made (sysvreg.h keeps the list) that still exist: they
 * carry no name to look for, and other ipcbench processes may have objects of their own now.
 */
int ipcb_leftover_sysv(void)
{
	static struct ipcb_sysv_entry made[IPCB_SYSV_HISTORY];
	size_t n = ipcb_sysv_history(made, IPCB_SYSV_HISTORY);
	int left = 0;

	for (size_t i = 0; i < n; i++) {
		const char *why;

		if (ipcb_sysv_entry_check(&made[i], &why) != 0) {
			found("System V %s %d key 0x%08x", ipcb_sysv_kind_text(made[i].kind),
			      made[i].id, made[i].key);
			left++;
		}
	}
	return left;
}

/* The local ports of TCP sockets in LISTEN state (/proc/net/tcp, tcp6); with inodes, only
 * those sockets. Returns how many went into port[]. */
size_t ipcb_leftover_listening(const unsigned long *inode, size_t ninodes, int *port, size_t max)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	size_t n = 0;

	for (size_t t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "re");
		char line[512];

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f) && n < max) {
			char local[64];
			unsigned st, lport;
			unsigned long ino;
			bool want = !inode;

			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(line, " %*d: %63s %*s %x %*s %*s %*s %*u %*u %lu", local, &st,
				   &ino) != 3 ||
			    st != 0x0A || !strchr(local, ':'))
				continue;
			for (size_t i = 0; i < ninodes && !want; i++)
				want = inode[i] == ino;
			if (want && sscanf(strrchr(local, ':') + 1, "%x", &lport) == 1)
				port[n++] = (int)lport;
		}
		fclose(f);
	}
	return n;
}

/* The socket inodes the processes pid[0..n) hold open. */
size_t ipcb_leftover_sockets(const int *pid, size_t n, unsigned long *inode, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		char path[64], link[64];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/fd", pid[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((e = readdir(d)) && count < max) {
			char fd[320];
			ssize_t len;

			snprintf(fd, sizeof(fd), "%s/%s", path, e->d_name);
			len = readlink(fd, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			if (sscanf(link, "socket:[%lu]", &inode[count]) == 1)
				count++;
		}
		closedir(d);
	}
	return count;
}
