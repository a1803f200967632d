/* SPDX-License-Identifier: MIT */
/*
 * fifo - named pipes (mkfifo), one per direction, in the run's directory under --dir.
 *
 * Cost of one message: the same as pipe once open (a write() that copies into the pipe's pages
 * and wakes the reader, a read() that copies out; a message larger than the pipe buffer, 64 KiB
 * by default, needs several wake-ups). What differs is the rendezvous: each side opens the FIFOs
 * by path, and the receiver's opens wait until the sender has opened them (see fifo_open).
 * Limits: none per message (a byte stream); the file system under --dir must support FIFOs.
 * Options: a pipe's (ipcb_pipe_options), tried by --tune as on pipe: a FIFO is a pipe with a name.
 *
 * Setup makes "ab" (sender -> receiver) and, in latency mode, "ba", both mode 0600, in the run's
 * directory (cfg.run_dir, "<dir>/<tag>.d", mode 0700, made and removed by the driver). The
 * receiver removes them as soon as its opens have returned: by then the sender is past its path
 * lookups, so from then on nothing of ours is on disk but the empty directory; teardown removes
 * whatever a failure left.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "transport.h"

static const char *const fifo_names[2] = {"ab", "ba"}; /* [direction], 0 = sender -> receiver */

/*
 * The FIFOs' paths are worked out once, at setup, and kept here (on the heap, like all channel
 * state), so that no step needs a PATH_MAX buffer on its stack, which may be small (ulimit -s).
 */
struct fifo_chan {
	char path[2][PATH_MAX + 4]; /* [direction] */
	bool made[2];		    /* [direction] */
};

struct fifo_ep {
	int rfd, wfd;
	size_t piece; /* -o fifo.write, 0: whole */
};

/* Remove what exists of the FIFOs; errors only mean they are already gone. */
static void fifo_remove(struct fifo_chan *c)
{
	for (int d = 0; d < 2; d++) {
		if (c->made[d])
			unlink(c->path[d]);
		c->made[d] = false;
	}
}

static int fifo_setup(struct ipcb_chan *ch)
{
	struct fifo_chan *c = ch->priv;
	int ndir = ch->cfg.bidirectional ? 2 : 1;

	for (int d = 0; d < ndir; d++) {
		const char *path = c->path[d];
		int len = snprintf(c->path[d], sizeof(c->path[d]), "%s/%s", ch->cfg.run_dir,
				   fifo_names[d]);

		if (len < 0 || (size_t)len >= sizeof(c->path[d]))
			return ipcb_errf(&ch->err, -ENAMETOOLONG, "mkfifo", "--dir path too long");
		if (mkfifo(path, 0600) < 0)
			return ipcb_errf(&ch->err, -errno, "mkfifo", "%s", path);
		c->made[d] = true;
		/* The umask may have taken bits away: set exactly 0600 (owner read and write). */
		if (chmod(path, 0600) < 0)
			return ipcb_errf(&ch->err, -errno, "chmod", "%s", path);
	}
	/*
	 * A FIFO's buffer is a pipe's, and nothing is open yet to ask: ask a pipe given the
	 * size the sender will give each FIFO (fifo_open), which also refuses a size the kernel
	 * will not grant before any side starts.
	 */
	if (ipcb_opt(&ch->cfg, IPCB_PIPE_OPT_SIZE)) {
		int fd[2], rc;

		if (pipe2(fd, O_CLOEXEC) < 0)
			return ipcb_err(&ch->err, -errno, "pipe2");
		rc = ipcb_pipe_set_size(fd[1], ipcb_opt(&ch->cfg, IPCB_PIPE_OPT_SIZE), &ch->err,
					"fifo");
		ch->buffer_bytes = (size_t)ndir * ipcb_pipe_buffer_bytes(fd[1]);
		close(fd[0]);
		close(fd[1]);
		return rc;
	}
	ch->buffer_bytes = (size_t)ndir * ipcb_pipe_default_bytes();
	return 0;
}

static void fifo_teardown(struct ipcb_chan *ch)
{
	fifo_remove(ch->priv);
}

static int fifo_open_path(const struct fifo_chan *c, int d, int flags, struct ipcb_err *e)
{
	int fd;

	/* A read-only or write-only open waits for the other end; a signal may interrupt that. */
	do
		fd = open(c->path[d], flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return ipcb_errf(e, -errno, "open", "%s", c->path[d]);
	return fd;
}

static void fifo_close(struct ipcb_ep *ep)
{
	struct fifo_ep *e = ep->priv;

	ipcb_fd_close(&e->rfd);
	ipcb_fd_close(&e->wfd);
}

/*
 * The sender opens both FIFOs O_RDWR, which on Linux never blocks (fifo(7)) and makes it a reader
 * and a writer of each; the receiver opens "ab" read-only and "ba" write-only, and each of those
 * opens waits for the sender's. So no open can wait on one that is never made, and once the
 * receiver's opens have returned, the sender is past its path lookups and the names can go.
 * Being both ends, the sender never sees EPIPE or end-of-file when the receiver dies: like pipe
 * and the socket transports, whose ends the parent keeps open, it blocks until the driver, which
 * reaps the receiver first and reports why it died, stops it.
 */
static int fifo_open(struct ipcb_ep *ep)
{
	/* [role][direction] */
	static const int flags[2][2] = {{O_RDWR, O_RDWR}, {O_RDONLY, O_WRONLY}};
	struct fifo_chan *c = ep->chan->priv;
	struct fifo_ep *e = ep->priv;
	bool sender = ep->role == IPCB_SENDER;
	int ndir = ep->chan->cfg.bidirectional ? 2 : 1;

	e->rfd = e->wfd = -1;
	for (int d = 0; d < ndir; d++) {
		int fd = fifo_open_path(c, d, flags[ep->role][d], &ep->err);

		if (fd < 0)
			goto close_fds;
		/* The sender writes "ab" and reads "ba"; the receiver the other way round. */
		*(sender == (d == 0) ? &e->wfd : &e->rfd) = fd;
		/*
		 * The sender sizes each FIFO as it opens it: a FIFO's buffer exists only while it
		 * is open, and the receiver's opens wait for the sender's, so it is sized before
		 * the receiver can write into it.
		 */
		if (sender && ipcb_pipe_set_size(fd, ipcb_opt(&ep->chan->cfg, IPCB_PIPE_OPT_SIZE),
						 &ep->err, "fifo") < 0)
			goto close_fds;
	}
	e->piece = (size_t)ipcb_opt(&ep->chan->cfg, IPCB_PIPE_OPT_WRITE);
	/* The channel state is our fork-time copy: removing here does what teardown would. */
	if (!sender)
		fifo_remove(c);
	return 0;

close_fds:
	fifo_close(ep);
	return ep->err.code;
}

IPCB_HOT static int fifo_write(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct fifo_ep *e = ep->priv;

	return ipcb_fd_write_full(e->wfd, buf, len, &ep->err, "write");
}

IPCB_HOT static int fifo_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	const struct fifo_ep *e = ep->priv;

	return ipcb_send_pieces(ep, buf, len, e->piece, fifo_write);
}

IPCB_HOT static int fifo_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	const struct fifo_ep *e = ep->priv;

	return ipcb_fd_read_full(e->rfd, buf, len, &ep->err, "read");
}

const struct ipcb_transport ipcb_transport_fifo = {
    .name = "fifo",
    .path = IPCB_PATH_KERNEL_COPY,
    .syscalls = {1, 1},
    .summary = "named pipes (mkfifo) in the run's directory under --dir, one per direction",
    .caps = IPCB_CAP_USES_DIR | IPCB_CAP_DUPLEX,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = ipcb_pipe_options,
    .chan_priv_bytes = sizeof(struct fifo_chan),
    .ep_priv_bytes = sizeof(struct fifo_ep),
    .setup = fifo_setup,
    .teardown = fifo_teardown,
    .open = fifo_open,
    .close = fifo_close,
    .send = fifo_send,
    .recv = fifo_recv,
};
