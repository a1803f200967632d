/* SPDX-License-Identifier: MIT */
/*
 * pipe - anonymous pipes, one per direction, created by the parent and inherited across fork.
 *
 * Cost of one message: a write() that copies into the pipe's pages and wakes the reader, and a
 * read() that copies out; a message larger than the pipe buffer (64 KiB by default) needs several
 * round trips through the kernel, each a wake-up of the other side.
 * Limits: none per message (a byte stream); writes up to PIPE_BUF (4 KiB) are atomic.
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common.h"
#include "transport.h"

/*
 * What a user of pipes tunes (ipcb_pipe_options, which fifo shares): the pipe's buffer
 * (F_SETPIPE_SZ), and how much each write() hands the kernel (a message larger than the buffer
 * written whole fills it and waits for the reader to drain all of it; smaller pieces let the two
 * overlap).
 */

struct pipe_chan {
	int fd[2][2]; /* [direction][0 read end, 1 write end]; direction 0 = sender -> receiver */
};

struct pipe_ep {
	int rfd, wfd;
	size_t piece; /* -o pipe.write, 0: whole */
};

static int pipe_setup(struct ipcb_chan *ch)
{
	struct pipe_chan *c = ch->priv;
	int rc;

	for (int d = 0; d < 2; d++)
		c->fd[d][0] = c->fd[d][1] = -1;
	for (int d = 0; d < 2; d++) {
		if (pipe2(c->fd[d], O_CLOEXEC) < 0)
			return ipcb_err(&ch->err, -errno, "pipe2");
		rc = ipcb_pipe_set_size(c->fd[d][1], ipcb_opt(&ch->cfg, IPCB_PIPE_OPT_SIZE),
					&ch->err, "pipe");
		if (rc < 0)
			return rc;
		ch->buffer_bytes += ipcb_pipe_buffer_bytes(c->fd[d][1]);
	}
	return 0;
}

static void pipe_teardown(struct ipcb_chan *ch)
{
	struct pipe_chan *c = ch->priv;

	for (int d = 0; d < 2; d++) {
		ipcb_fd_close(&c->fd[d][0]);
		ipcb_fd_close(&c->fd[d][1]);
	}
}

/*
 * Keep this side's two ends and close the other two: this child must not hold the ends its peer
 * uses. (The driver holds its own copies until teardown, so a dead peer is noticed by the
 * driver reaping it, not by EOF here.)
 */
static int pipe_open(struct ipcb_ep *ep)
{
	struct pipe_chan *c = ep->chan->priv;
	struct pipe_ep *e = ep->priv;
	int out = ep->role == IPCB_SENDER ? 0 : 1;

	e->wfd = c->fd[out][1];
	e->rfd = c->fd[!out][0];
	e->piece = (size_t)ipcb_opt(&ep->chan->cfg, IPCB_PIPE_OPT_WRITE);
	ipcb_fd_close(&c->fd[out][0]);
	ipcb_fd_close(&c->fd[!out][1]);
	return 0;
}

static void pipe_close(struct ipcb_ep *ep)
{
	struct pipe_ep *e = ep->priv;

	ipcb_fd_close(&e->rfd);
	ipcb_fd_close(&e->wfd);
}

IPCB_HOT static int pipe_write(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct pipe_ep *e = ep->priv;

	return ipcb_fd_write_full(e->wfd, buf, len, &ep->err, "write");
}

IPCB_HOT static int pipe_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct pipe_ep *e = ep->priv;

	return ipcb_send_pieces(ep, buf, len, e->piece, pipe_write);
}

IPCB_HOT static int pipe_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct pipe_ep *e = ep->priv;

	return ipcb_fd_read_full(e->rfd, buf, len, &ep->err, "read");
}

const struct ipcb_transport ipcb_transport_pipe = {
    .name = "pipe",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "anonymous pipes (pipe2), one per direction",
    .caps = IPCB_CAP_DUPLEX,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = ipcb_pipe_options,
    .chan_priv_bytes = sizeof(struct pipe_chan),
    .ep_priv_bytes = sizeof(struct pipe_ep),
    .setup = pipe_setup,
    .teardown = pipe_teardown,
    .open = pipe_open,
    .close = pipe_close,
    .send = pipe_send,
    .recv = pipe_recv,
};
