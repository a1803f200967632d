/* SPDX-License-Identifier: MIT */
/* broker.c - helpers of the message-broker transports; see broker.h. */
#include "broker.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "maven.h"

int ipcb_broker_find(const char *prog, char **out)
{
	/* A broker's daemon may live in an sbin directory a user's PATH leaves out. */
	return ipcb_path_find(prog, "/usr/sbin:/sbin:/usr/local/sbin", out);
}

int ipcb_broker_probe(struct ipcb_probe *p, const char *prog, const char *pkg)
{
	char *path;
	int rc = ipcb_broker_find(prog, &path);

	free(path);
	if (rc == 0)
		return 0;
	if (rc == -ENOMEM)
		snprintf(p->reason, sizeof(p->reason), "looking for %s: asprintf: %s", prog,
			 strerror(ENOMEM));
	else
		snprintf(p->reason, sizeof(p->reason),
			 "%s is not installed: install the Debian package %s (scripts/setup "
			 "does)",
			 prog, pkg);
	return rc;
}

int ipcb_broker_port_besides(const int *taken, int n, struct ipcb_err *e)
{
	for (int tries = 0; tries < 20; tries++) {
		int port = ipcb_broker_port(), clash = 0;

		if (port < 0)
			return ipcb_err(e, port, "bind(127.0.0.1:0)");
		for (int i = 0; i < n; i++)
			clash |= taken[i] == port;
		if (!clash)
			return port;
	}
	return ipcb_err(e, -EADDRINUSE, "bind(127.0.0.1:0)");
}

int ipcb_broker_java(char **out)
{
	const char *home = getenv("JAVA_HOME");

	*out = NULL;
	if (home && home[0] == '/') {
		if (asprintf(out, "%s/bin/java", home) < 0) {
			*out = NULL;
			return -ENOMEM;
		}
		if (access(*out, X_OK) == 0)
			return 0;
		free(*out);
		*out = NULL;
	}
	return ipcb_broker_find("java", out);
}

int ipcb_broker_cds(const struct ipcb_service *svc, const char *name, const char *coords, bool make,
		    struct ipcb_cds *c)
{
	char *java = NULL, *cp = NULL, *real = NULL, why[160];
	int rc = ipcb_broker_java(&java);

	memset(c, 0, sizeof(*c));
	/* The JDK's own path: /usr/bin/java is a link that an upgrade leaves as it was. */
	if (!rc && !(real = realpath(java, NULL)))
		rc = -errno;
	if (!rc)
		rc = ipcb_maven_classpath(coords, &cp, why, sizeof(why));
	if (!rc)
		rc = ipcb_cds_plan(c, name, cp, real, svc->dir);
	if (!rc && make)
		rc = ipcb_cds_make(c, cp, real);
	free(real);
	free(cp);
	free(java);
	return rc;
}

int ipcb_broker_file(struct ipcb_service *svc, const char *name, unsigned mode, const char *fmt,
		     ...)
{
	char *path, *text = NULL;
	va_list ap;
	int fd, len, rc = 0;

	va_start(ap, fmt);
	len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return ipcb_err(&svc->err, -ENOMEM, "vasprintf");
	if (asprintf(&path, "%s/%s", svc->dir, name) < 0) {
		rc = ipcb_err(&svc->err, -ENOMEM, "asprintf");
		goto free_text;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		rc = ipcb_errf(&svc->err, -errno, "open", "%s", path);
	else if (write(fd, text, (size_t)len) != len)
		rc = ipcb_errf(&svc->err, -EIO, "write", "%s", path);
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = ipcb_errf(&svc->err, -errno, "close", "%s", path);
	free(path);
free_text:
	free(text);
	return rc;
}

int ipcb_broker_tcp_ready(int port, struct ipcb_err *e)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return ipcb_err(e, -errno, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		rc = errno == ECONNREFUSED || errno == EINTR
			 ? ipcb_errf(e, -EAGAIN, "connect", "127.0.0.1:%d refused", port)
			 : ipcb_errf(e, -errno, "connect", "127.0.0.1:%d", port);
	close(fd);
	return rc;
}

void ipcb_broker_bytes_text(size_t bytes, char *out, size_t n)
{
	if (bytes && bytes % (1u << 20) == 0)
		snprintf(out, n, "%zuM", bytes >> 20);
	else if (bytes && bytes % 1024 == 0)
		snprintf(out, n, "%zuK", bytes >> 10);
	else
		snprintf(out, n, "%zu", bytes);
}
