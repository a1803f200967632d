/* SPDX-License-Identifier: MIT */
/*
 * loop.h - inside bench/launch/: the control messages a side and the driver exchange, each
 * side's slot of the control area, and the one loop that runs a launch, with the ways of
 * starting its sides plugged into it (struct launch_starter): forked by the driver (launch.c;
 * a side that stands in for one on another host is forked too), or started by a transport's
 * runtime (joined.c). Not for use outside this folder.
 */
#ifndef IPCB_LAUNCH_LOOP_H
#define IPCB_LAUNCH_LOOP_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "launch.h"

enum ctl_type {
	CTL_ADDR = 1, /* side -> driver: one address */
	CTL_PEERS,    /* driver -> side: every side's address, in side order */
	CTL_READY,    /* side -> driver: at the start barrier */
	CTL_GO,	      /* driver -> side: start */
	CTL_DONE,     /* side -> driver: measured work over */
	CTL_END,      /* driver -> side: every side of the other role is done */
	CTL_WANT,     /* side -> driver: the others' addresses first, mine follows (a stand-in) */
	CTL_HELLO,    /* joined side -> driver: which side it is (ctl_hello) */
	CTL_SPEC,     /* driver -> joined side: the run's spec */
	CTL_FAIL,     /* joined side -> driver: it failed (ctl_fail) */
	CTL_BYE,      /* joined side -> driver: it is done and exits */
	CTL_RESULT,   /* joined side -> driver: a piece of its results (count: its bytes) */
	CTL_FAILING,  /* forked side -> driver: its work failed, its error is in its slot */
};

struct ctl_hdr {
	uint32_t type;
	uint32_t count; /* addresses that follow */
};

/* A joined side's hello: which side it is, and its pid on its own host. */
struct ctl_hello {
	struct ctl_hdr h;
	uint32_t number; /* the side's number, senders first */
	int32_t pid;
};

/* A joined side's failure, as soon as it knows (a forked side's is in its slot). */
struct ctl_fail {
	struct ctl_hdr h;
	uint64_t fail_ns;
	int32_t signal; /* killed by this signal; 0: its body failed */
	char err[IPCB_RUN_ERR_BYTES];
};

/* Its exiting mark: 1 a forked side whose body has returned, 2 a side known to have failed. */
enum { SIDE_EXITING = 1, SIDE_FAILED = 2 };

/* What each side hands back to the driver, on a cache line of its own. */
struct side_ctl {
	_Alignas(64) uint64_t fail_ns; /* when its body failed: the first failure is the cause */
	uint32_t exiting;	       /* SIDE_EXITING, SIDE_FAILED, or 0 */
	int cpu_go;		       /* 1 + the CPU it was on when released; 0 = not yet */
	char err[IPCB_RUN_ERR_BYTES];
};

/*
 * A killed side normally dies at once. One that does not (frozen by a cgroup freezer, stuck in
 * the kernel) would hold the driver in waitpid for ever, deaf to Ctrl-C: the driver waits this
 * long, then leaves it unreaped and says so. A signal asking the driver to stop ends a side's
 * grace at once, not this wait: a killed side's exit can take the kernel a second or more (a
 * sanitized process unmapping its shadow memory on a loaded machine), and a side left unreaped
 * would be a process left behind.
 */
#define REAP_LIMIT_NS 5000000000ull

/* A launch in progress: its sides, what each has said, and how each ended. */
struct launch_state {
	struct ipcb_launch *l;
	const struct launch_starter *how;
	void *how_arg; /* the starter's own (a runtime's command, its sockets) */
	unsigned n;
	struct ipcb_side *side;
	pid_t *pid;
	int *status;
	bool *done;	 /* reaped, or its connection closed */
	bool *killed;	 /* killed by the driver: its end says nothing about the cause */
	bool *said_done; /* sent CTL_DONE */
	bool *failing;	 /* sent CTL_FAILING: the run ends now */
	int *fds;	 /* [2k] the driver's end, [2k + 1] the side's */
	struct ipcb_addr *addr;
	bool *have_addr;
	bool *want; /* asked for the others' addresses before publishing its own */
	bool *want_sent;
	bool *ready;
	struct ipcb_side_end *end; /* how each ended, as the rule of the first failure reads it */
	bool end_sent[2];	   /* CTL_END sent to all senders [0], all receivers [1] */
	bool peers_sent, released;
	struct side_ctl *ctl;
	size_t ctl_bytes;
};

/*
 * A way of starting the sides of a launch, plugged into the one loop (launch_loop()), which
 * owns everything the ways share: the sides' table, the poll over their control sockets and the
 * signals, the answers to their messages, the deadline, and the one rule that names the side
 * that failed first.
 */
struct launch_starter {
	/* Start the sides. 0, or -errno with st->l->error filled. */
	int (*start)(struct launch_state *st);
	/* Descriptors to poll beside the sides' (where sides join); how many written to pfd. */
	unsigned (*poll_fds)(struct launch_state *st, struct pollfd *pfd);
	/* After the poll, with pfd as poll_fds filled it. */
	void (*polled)(struct launch_state *st, const struct pollfd *pfd);
	/* Take side k's control messages. */
	void (*take)(struct launch_state *st, unsigned k);
	/*
	 * How the sides stand after their messages: 0 going on, 1 the launch is over, or
	 * -ECHILD when it failed other than by a side (l->error says how).
	 */
	int (*watch)(struct launch_state *st);
	/*
	 * End what is left (rc: how the launch went) and reap it. A signal that asked the driver
	 * to stop meanwhile (0: none); `stuck` names what could not be reaped ("": nothing).
	 */
	int (*end)(struct launch_state *st, int rc, char *stuck, size_t stuck_bytes);
};

/* Run a launch whose sides `how` starts. Returns as ipcb_launch_run(). */
int ipcb_launch_loop(struct ipcb_launch *l, const struct launch_starter *how, void *how_arg);

/* Side k's slot of the control area. */
struct side_ctl *ipcb_launch_ctl_at(const struct launch_state *st, unsigned k);
/* The messages every side sends, forked or joined, into side k's state; false for others. */
bool ipcb_launch_note_msg(struct launch_state *st, unsigned k, const struct ctl_hdr *h,
			  const struct ipcb_addr *a, bool whole);
/* In a process the driver forked: the signal mask it had before a launch, no signalfd. */
void ipcb_launch_child_reset(void);
/* The signal mask the driver had before a run blocked its own: a program a run starts gets it. */
const sigset_t *ipcb_launch_saved_mask(void);
/* The next signal a launch waits for (SIGCHLD and the stop signals) within `wait`, or -1. */
int ipcb_launch_signal_wait(siginfo_t *si, const struct timespec *wait);
/* Does this signal ask the driver to stop (not SIGCHLD, nor the echo of its own write)? */
bool ipcb_launch_signal_stops(int sig, const siginfo_t *si);

/* Send one message of `type` with `count` addresses. 0 or -errno. */
int ipcb_ctl_send(int fd, enum ctl_type type, const struct ipcb_addr *addrs, unsigned count);

/* A side's own (side.c): its control socket, its slot, who it is, and whether it joined. */
struct ipcb_side_state {
	int fd;
	struct side_ctl *ctl;
	struct ipcb_side self;
	bool joined; /* started by a runtime: it says CTL_FAIL where a forked side says FAILING */
	/* A joined side's way of telling the driver it failed, at once (NULL: a forked side's). */
	void (*report)(const char *err);
};
extern struct ipcb_side_state ipcb_side_state;
extern const struct ipcb_side_ops ipcb_side_launch_ops;

/* A forked side's process: pin, run the body, check the placement, exit. */
__attribute__((noreturn)) void ipcb_side_main(const struct ipcb_launch *l,
					      const struct ipcb_side *me, pid_t parent, int *fds,
					      struct side_ctl *ctl);
/* In a side: its process's name, its OOM score, its pinning and its placement kept. */
void ipcb_side_comm(const char *what, const struct ipcb_side *me);
void ipcb_side_oom_first(void);
int ipcb_side_pin(int cpu, char *err);
int ipcb_side_check_placement(int cpu, int cpu_go, char *err);

#endif
