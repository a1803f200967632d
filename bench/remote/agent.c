/* SPDX-License-Identifier: MIT */
/*
 * agent.c - `ipcbench rsh-agent`: a command on the peer's host through the launch prefix, as an
 * MPI launcher's remote agent; see serve.h. It shares nothing with `ipcbench serve` but the
 * launch prefix (remote.h), and lives apart from serve.c so that the server's story reads alone.
 */
#include "serve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "command.h"
#include "remote.h"

/*
 * An MPI launcher calls its remote agent as `AGENT HOST WORD...` and means the words for a
 * remote shell: ssh joins them with spaces into one command line (Open MPI's rsh launcher quotes
 * its values for that shell, "\"192675840.0;tcp://...\""). A launch prefix may be ssh (which
 * joins) or `ip netns exec NS` (which execs each word as it is): a command line passes through
 * both alike only as words no shell changes. So the agent here sends the joined line in
 * hexadecimal to `ipcbench rsh-agent --there HEX` on the peer, through the prefix, and that one
 * runs it with /bin/sh, as ssh's remote shell would.
 *
 * The agent here keeps a pipe to the one there (its standard input, which ssh carries too):
 * when the agent here ends, however it ends (mpirun is killed with its process group), the one
 * there sees the end of its input and stops what it started. The one there gives the daemon a
 * session directory of its own, "$TMPDIR/ipcbench-PID-RANDOM.d" (0700), since the launcher's
 * is the driver's host's path; it removes it whatever way the daemon ends, and --cleanup there
 * finds it by its pid if it is killed first.
 */
static int agent_here(const char *host, int nwords, char **words)
{
	const char *prefix = getenv("IPCB_LAUNCH"), *peer = getenv("IPCB_LAUNCH_HOST");
	const char *binary = getenv("IPCB_LAUNCH_BINARY");
	char *hex, *argv[5];
	size_t len = 0, at = 0;
	int in = -1, status = 0;
	pid_t pid;

	if (!prefix || !*prefix) {
		fprintf(stderr, "ipcbench rsh-agent: $IPCB_LAUNCH is not set: no launch prefix\n");
		return 2;
	}
	if (peer && *peer && strcmp(peer, host) != 0) {
		fprintf(stderr,
			"ipcbench rsh-agent: the launch prefix reaches %s, not %s: one peer only\n",
			peer, host);
		return 2;
	}
	for (int i = 0; i < nwords; i++)
		len += strlen(words[i]) + 1;
	hex = calloc(1, 2 * len + 1);
	if (!hex) {
		fprintf(stderr, "ipcbench rsh-agent: out of memory\n");
		return 1;
	}
	for (int i = 0; i < nwords; i++)
		for (const char *c = words[i]; *c || i + 1 < nwords; c++) {
			snprintf(hex + at, 3, "%02x", *c ? (unsigned char)*c : ' ');
			at += 2;
			if (!*c)
				break;
		}
	argv[0] = (char *)(binary && *binary ? binary : "ipcbench");
	argv[1] = "rsh-agent";
	argv[2] = "--there";
	argv[3] = hex;
	argv[4] = NULL;
	/* Never outlive the launcher that called it (mpirun); the pipe then tells the peer. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	pid = ipcb_launch_prefix_spawn(prefix, argv, &in, NULL);
	free(hex);
	if (pid < 0) {
		fprintf(stderr, "ipcbench rsh-agent: '%s': %s\n", prefix, strerror((int)-pid));
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "ipcbench rsh-agent: waitpid: %s\n", strerror(errno));
			return 1;
		}
	close(in);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int agent_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int agent_there(const char *hex)
{
	size_t n = strlen(hex);
	char *cmd = calloc(1, n / 2 + 1), *dir = NULL, tag[64];
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	sigset_t mask, old;
	int sfd = -1, status = 0, rc = 1;
	bool stopping = false, ended = false, bad = false;
	uint64_t kill_at = 0;
	pid_t child;

	for (size_t i = 0; cmd && i < n / 2 && !bad; i++) {
		unsigned v = 0;

		bad = !isxdigit((unsigned char)hex[2 * i]) ||
		      !isxdigit((unsigned char)hex[2 * i + 1]) ||
		      sscanf(hex + 2 * i, "%2x", &v) != 1 || !v;
		cmd[i] = (char)v;
	}
	if (!cmd || !n || n % 2 || bad) {
		fprintf(stderr, "ipcbench rsh-agent --there: not a command in hexadecimal\n");
		free(cmd);
		return 2;
	}
	/* Its parent (the prefix) gone is its input's end too; a signal lets it clean up. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "ipcbench rsh-agent --there: signalfd: %s\n", strerror(errno));
		free(cmd);
		return 1;
	}
	{
		uint64_t rnd = 0;

		/* Named as a run's directory is, so that --cleanup knows it by its pid. */
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = ipcb_now_ns() ^ ((uint64_t)getpid() << 32);
		snprintf(tag, sizeof(tag), "ipcbench-%d-%016" PRIx64, (int)getpid(), rnd);
	}
	if (asprintf(&dir, "%s/%s.d", tmp, tag) < 0) {
		fprintf(stderr, "ipcbench rsh-agent --there: asprintf: %s\n", strerror(ENOMEM));
		free(cmd);
		return 1;
	}
	if (mkdir(dir, 0700) < 0) {
		fprintf(stderr, "ipcbench rsh-agent --there: mkdir(%s): %s\n", dir,
			strerror(errno));
		free(dir);
		free(cmd);
		return 1;
	}
	{
		char *argv[] = {"sh", "-c", cmd, NULL};
		/* The daemon's session directory, and its children's temporary files, here. */
		const char *env[] = {"OMPI_MCA_orte_tmpdir_base", dir, "TMPDIR", dir, NULL};
		const struct ipcb_spawn sp = {.path = "/bin/sh",
					      .argv = argv,
					      .setenv = env,
					      .in = IPCB_SPAWN_NULL,
					      .own_group = 1,
					      .mask = &old,
					      .death_signal = SIGKILL,
					      .what = "ipcbench rsh-agent --there"};

		child = ipcb_spawn_start(&sp);
	}
	if (child < 0) {
		fprintf(stderr, "ipcbench rsh-agent --there: fork: %s\n", strerror((int)-child));
		goto out;
	}
	setpgid(child, child);
	while (!ended) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
				      {.fd = stopping ? -1 : STDIN_FILENO, .events = POLLIN}};
		struct signalfd_siginfo si;
		char buf[256];

		poll(p, 2, stopping ? 100 : -1);
		if (p[1].revents) {
			ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));

			if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
				stopping = true;
		}
		while (p[0].revents & POLLIN && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGPIPE)
				stopping = true;
			if (!(p[0].revents = 0) && waitpid(child, &status, WNOHANG) == child)
				ended = true;
		}
		if (!ended && waitpid(child, &status, WNOHANG) == child)
			ended = true;
		/* The daemon's own stop first (it ends its processes); then for good. */
		if (stopping && !ended && !kill_at) {
			kill(-child, SIGTERM);
			kill(child, SIGTERM);
			kill_at = ipcb_now_ns() + 2000000000ull;
		} else if (stopping && !ended && ipcb_now_ns() >= kill_at) {
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
		}
	}
	kill(-child, SIGKILL); /* whatever of its group is left */
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (nftw(dir, agent_rm, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "ipcbench rsh-agent --there: removing %s: %s\n", dir,
			strerror(errno));
	free(dir);
	free(cmd);
	return rc;
}

int ipcb_rsh_agent_main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--there") == 0)
		return agent_there(argv[2]);
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr,
			"Usage: ipcbench rsh-agent HOST COMMAND...\n"
			"Run COMMAND (a shell command line, as ssh runs one) on HOST through the\n"
			"launch prefix in $IPCB_LAUNCH (ipcbench --launch PREFIX exports it, with\n"
			"the peer's address in $IPCB_LAUNCH_HOST and its ipcbench in\n"
			"$IPCB_LAUNCH_BINARY): an MPI launcher's remote agent\n"
			"(Open MPI: --mca plm_rsh_agent 'ipcbench rsh-agent').\n");
		return 2;
	}
	return agent_here(argv[1], argc - 2, argv + 2);
}

/* The remote agent of a runtime's launcher (mpirun runs it): a command line to pass on. */
const struct ipcb_command ipcb_command_rsh_agent = {
    .name = "rsh-agent",
    .fn = ipcb_rsh_agent_main,
};
