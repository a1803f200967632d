/* SPDX-License-Identifier: MIT */
/* sockpair.c - shared hooks for connected socket pairs; see sockpair.h. */

#include "sockpair.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* Each socket transport's channel private state starts with a struct ipcb_sockpair. */
static struct ipcb_sockpair *sp_of(const struct ipcb_chan *ch)
{
	return ch->priv;
}

void ipcb_sockpair_init(struct ipcb_sockpair *sp, int stream)
{
	sp->fd[0] = sp->fd[1] = -1;
	sp->stream = stream;
}

size_t ipcb_sockpair_buffer_bytes(const struct ipcb_sockpair *sp)
{
	return ipcb_sock_buffer_bytes(sp->fd[0]) + ipcb_sock_buffer_bytes(sp->fd[1]);
}

void ipcb_sockpair_teardown(struct ipcb_chan *ch)
{
	struct ipcb_sockpair *sp = sp_of(ch);

	ipcb_fd_close(&sp->fd[0]);
	ipcb_fd_close(&sp->fd[1]);
}

/*
 * Close the peer's end in this child: each side holds only its own. (The driver keeps its
 * copies until teardown, so a dead peer is noticed by the driver reaping it, not by EOF here.)
 */
int ipcb_sockpair_open(struct ipcb_ep *ep)
{
	struct ipcb_sockpair *sp = sp_of(ep->chan);

	ipcb_fd_close(&sp->fd[!ep->role]);
	return 0;
}

void ipcb_sockpair_close(struct ipcb_ep *ep)
{
	struct ipcb_sockpair *sp = sp_of(ep->chan);

	ipcb_fd_close(&sp->fd[ep->role]);
}

IPCB_HOT int ipcb_sock_send_all(int fd, const void *buf, size_t len, bool stream,
				struct ipcb_err *e)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(e, -errno, "send");
		}
		if (!stream && (size_t)n != len)
			return ipcb_errf(e, -EMSGSIZE, "send", "sent %zd of %zu bytes", n, len);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

IPCB_HOT int ipcb_sock_recv_all(int fd, void *buf, size_t len, bool stream, struct ipcb_err *e)
{
	char *p = buf;

	while (len > 0) {
		/* MSG_TRUNC makes a datagram socket report the real length of a too-long message.
		 */
		ssize_t n = recv(fd, p, len, stream ? 0 : MSG_TRUNC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ipcb_err(e, -errno, "recv");
		}
		if (n == 0 && stream)
			return ipcb_errf(e, -EPIPE, "recv", "peer closed with %zu bytes unread",
					 len);
		if (!stream && (size_t)n != len)
			return ipcb_errf(e, -EBADMSG, "recv",
					 "datagram of %zd bytes where %zu were expected", n, len);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

IPCB_HOT int ipcb_sockpair_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct ipcb_sockpair *sp = sp_of(ep->chan);

	return ipcb_sock_send_all(sp->fd[ep->role], buf, len, sp->stream, &ep->err);
}

IPCB_HOT int ipcb_sockpair_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct ipcb_sockpair *sp = sp_of(ep->chan);

	return ipcb_sock_recv_all(sp->fd[ep->role], buf, len, sp->stream, &ep->err);
}
