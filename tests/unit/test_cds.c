/* SPDX-License-Identifier: MIT */
/*
 * test_cds.c - class-data archives (transports/util/cds.h) with the machine's real JDK: a JVM
 * planned where no archive exists lists its classes; the archive is made from that list by
 * `java -Xshare:dump`, once; the next plan maps it, and a JVM given that plan loads its classes
 * from it; a jar that changed gets an archive of its own, which replaces the old one once made;
 * a maker already at work is left to it. Without Java the test is skipped: scripts/setup
 * installs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "broker.h"
#include "cds.h"

/*
 * Run java with one option, then -version, its output into `out`; its exit status. `share`:
 * -Xshare:on, which fails the start when the archive cannot be mapped, or -Xshare:auto.
 */
static int java_run(const char *java, const char *share, const char *opt, const char *cp,
		    const char *out)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		FILE *f = freopen(out, "w", stdout);

		if (!f || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		execl(java, java, share, opt, "-Xlog:class+load=info", "-cp", cp, "-version",
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* How many lines of the file hold `what`. */
static int count_lines(const char *path, const char *what)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	char tmpl[] = "/tmp/ipcb-cds-test.XXXXXX", cache[128], runs[160], jar[192], log[192];
	char part[600], *java = NULL, *real = NULL, cmd[512];
	struct ipcb_cds c, again, other;
	struct stat st;
	FILE *f;

	if (ipcb_broker_java(&java) != 0 || !(real = realpath(java, NULL))) {
		printf("1..0 # SKIP no java here (Debian package openjdk-17-jre-headless)\n");
		free(java);
		return 0;
	}
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(cache, sizeof(cache), "%s/maven", tmpl);
	snprintf(runs, sizeof(runs), "%s/run", tmpl);
	snprintf(jar, sizeof(jar), "%s/app.jar", tmpl);
	snprintf(log, sizeof(log), "%s/java.log", tmpl);
	mkdir(cache, 0755);
	mkdir(runs, 0755);
	setenv("IPCB_MAVEN_CACHE", cache, 1);
	/* A class path entry that is a file: its size and time are in the archive's name. */
	f = fopen(jar, "w");
	if (f) {
		fputs("not a jar yet", f);
		fclose(f);
	}

	ok(ipcb_cds_plan(&c, "test", jar, real, runs) == 0 && c.list[0] &&
	       strncmp(c.list, runs, strlen(runs)) == 0 &&
	       strncmp(c.opt, "-XX:DumpLoadedClassList=", 24) == 0 &&
	       strncmp(c.archive, cache, strlen(cache)) == 0,
	   "no archive yet: the JVM lists its classes in the run's directory (%s)", c.opt);
	ok(java_run(real, "-Xshare:auto", c.opt, jar, log) == 0 && stat(c.list, &st) == 0 &&
	       st.st_size > 0,
	   "a JVM given that plan writes the list");
	/* Another maker at work: its half-made archive is left to it. */
	snprintf(part, sizeof(part), "%s.part", c.archive);
	mkdir(strcat(strcpy(cmd, cache), "/cds"), 0755);
	f = fopen(part, "w");
	if (f)
		fclose(f);
	ok(ipcb_cds_make(&c, jar, real) == 0 && access(c.archive, F_OK) != 0 &&
	       access(part, F_OK) == 0,
	   "while another makes the archive, it is left to that one");
	unlink(part);
	ok(ipcb_cds_make(&c, jar, real) == 0 && access(c.archive, R_OK) == 0 &&
	       access(part, F_OK) != 0,
	   "the archive is made from the list, whole (no half-made file left)");

	ok(ipcb_cds_plan(&again, "test", jar, real, runs) == 0 && !again.list[0] &&
	       strcmp(again.archive, c.archive) == 0 &&
	       strncmp(again.opt, "-XX:SharedArchiveFile=", 22) == 0,
	   "the next plan maps it (%s)", again.opt);
	ok(ipcb_cds_make(&again, jar, real) == 0, "and has nothing to make");
	ok(java_run(real, "-Xshare:on", again.opt, jar, log) == 0 &&
	       count_lines(log, "source: shared objects file") > 100,
	   "a JVM given that plan maps it (-Xshare:on) and loads its classes from it (%d)",
	   count_lines(log, "source: shared objects file"));

	/* The jar changed: a new archive, planned anew. */
	f = fopen(jar, "a");
	if (f) {
		fputs(", changed", f);
		fclose(f);
	}
	ok(ipcb_cds_plan(&other, "test", jar, real, runs) == 0 && other.list[0] &&
	       strcmp(other.archive, c.archive) != 0,
	   "a changed jar gets an archive of its own");
	/* Once that is made, the archive of the jar as it was goes; another kind's stays. */
	snprintf(part, sizeof(part), "%s/cds/other-0123456789abcdef.jsa", cache);
	f = fopen(part, "w");
	if (f)
		fclose(f);
	ok(java_run(real, "-Xshare:auto", other.opt, jar, log) == 0 &&
	       ipcb_cds_make(&other, jar, real) == 0 && access(other.archive, R_OK) == 0 &&
	       access(c.archive, F_OK) != 0 && access(part, F_OK) == 0,
	   "once it is made, the archive of the jar as it was is removed, another kind's kept");
	ok(ipcb_cds_plan(&other, "other", jar, real, runs) == 0 &&
	       strstr(other.archive, "/cds/other-") != NULL,
	   "each kind of JVM has its own");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpl);
	free(real);
	free(java);
	return tap_done();
}
