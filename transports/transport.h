/* SPDX-License-Identifier: MIT */
/*
 * transport.h - the contract as ipcbench's own transports and driver see it: the public contract
 * (include/ipcbench/transport.h, where the life of a run and the rules are described), and what
 * only built-in transports and the driver share: servers a transport needs, runtimes that start
 * its sides, option parsing and the rules (all defined in contract.c), the registry
 * (registry.c) and users' modules (module.c).
 */
#ifndef IPCB_TRANSPORT_H
#define IPCB_TRANSPORT_H

#include <ipcbench/transport.h>

#include "hot.h"

/*
 * The fields of a transport's entry that exist only where its mechanism was built: where meson
 * found what it needs (built is IPCB_BUILT_<NAME> or IPCB_HAVE_<THING> of ipcb_config.h, a
 * literal 0 or 1), those fields; where it did not, `.unsupported = why`. The entry is written
 * once, so its name, summary and capabilities cannot differ between the two builds, and where a
 * library or header is missing the names of the functions that need it are never compiled.
 */
#define IPCB_IF_BUILT(built, why, ...) IPCB_IF_BUILT_(built, why, __VA_ARGS__)
/* A second step, so that `built` is replaced by its 0 or 1 before it is pasted. */
#define IPCB_IF_BUILT_(built, why, ...) IPCB_IF_BUILT_##built(why, __VA_ARGS__)
#define IPCB_IF_BUILT_1(why, ...)	__VA_ARGS__
#define IPCB_IF_BUILT_0(why, ...)	.unsupported = why

/* The layer's -t spelling: "kernel", "middleware", "brokers". */
const char *ipcb_layer_name(enum ipcb_layer l);

/* The path's CSV spelling ("shared-memory", ...), and back (-1: none of them). */
const char *ipcb_path_name(enum ipcb_path p);
int ipcb_path_parse(const char *s);

/*
 * Parse VALUE for option `key` of t: its index in t->options and its value. 0, or -EINVAL with
 * `why` saying what is wrong (an unknown key, with the valid ones; a value out of range, with
 * the range or the choices). ipcb_opt_defaults() fills vals with every default.
 */
int ipcb_opt_parse(const struct ipcb_transport *t, const char *key, const char *value,
		   unsigned *idx, uint64_t *val, char *why, size_t why_bytes);
void ipcb_opt_defaults(const struct ipcb_transport *t, uint64_t vals[IPCB_MAX_OPTIONS]);
/* "hwm=1000 unary=0": every option of t with its value, in table order; "" when it has none. */
void ipcb_opt_text(const struct ipcb_transport *t, const uint64_t vals[IPCB_MAX_OPTIONS], char *out,
		   size_t n);
/* The word a choice value stands for ("" when out of range). */
const char *ipcb_opt_choice(const struct ipcb_option *o, uint64_t v, char *out, size_t n);

/*
 * Services: a real server process a transport needs (a bus daemon, a broker), run by the driver
 * once per invocation, before the first run that needs it, until the driver ends. The driver
 * makes the service's own directory (0700, named like a run's, removed whole at the end, found
 * by --cleanup), picks a free TCP port on 127.0.0.1 for a server that listens on one, calls
 * prepare() to learn the command line and how endpoints reach the server, starts it there
 * (pinned to --server-cpu, in a process group of its own, killed if the driver dies), calls
 * ready() until the server answers or the time limit passes, and hands every run the address
 * in cfg.service. It reads the server's CPU time around each run (the row's
 * server_cpu_ns_per_msg), re-pins it to each row's server CPU, and stops it (SIGTERM, then
 * SIGKILL) and removes its directory on every exit path.
 */
#define IPCB_SERVICE_ARGS 48

struct ipcb_service {
	const struct ipcb_transport *t;
	const char *dir;		/* its own directory: its socket, configuration, log */
	uint64_t opt[IPCB_MAX_OPTIONS]; /* the transport's options, as runs get them */
	int port;			/* a free TCP port on 127.0.0.1, if the server wants one */
	/*
	 * How many CPUs the server will run on once it answers (it is pinned to one when the run
	 * places it). A runtime that sizes its thread pools from the CPUs it sees at its start is
	 * told this number when it starts unpinned (start_unpinned).
	 */
	int cpus;
	/* Filled by prepare(): */
	/*
	 * Start it on every CPU the driver may use, and pin it once it answers: for a start that
	 * is CPU-bound and a server that sizes nothing from the CPUs it sees, or was told `cpus`
	 * (a JVM's -XX:ActiveProcessorCount). False: pinned from its exec (an Erlang VM sizes its
	 * schedulers from the CPUs it sees, and amqp's stream was a quarter slower otherwise).
	 */
	bool start_unpinned;
	char *argv[IPCB_SERVICE_ARGS]; /* the command, NULL-terminated (ipcb_service_arg) */
	char args[2048];	       /* where argv's strings live */
	size_t args_used;
	char addr[256];	  /* how endpoints reach it: a bus address, a socket path, host:port */
	char version[64]; /* the server and its version for the row ("dbus-daemon 1.14.10") */
	char limit[96];	  /* what ready() learned that rows should say ("bus limit 32M") */
	/*
	 * ready() may lower this: the largest message the server passes in one operation, probed
	 * from the running server (0 = no limit); larger payloads are chunked by the driver.
	 */
	size_t max_msg_bytes;
	struct ipcb_err err;
};

struct ipcb_service_ops {
	/* Write argv (ipcb_service_arg), addr, version and any file the server needs in dir. */
	int (*prepare)(struct ipcb_service *svc);
	/* Does the server answer yet? 0 ready, -EAGAIN not yet, another -errno: it failed. */
	int (*ready)(struct ipcb_service *svc);
	/*
	 * Optional: the server was running until it was asked to stop (not dead before), and has
	 * ended; its directory is still there: keep what later starts can use (a JVM's class-data
	 * archive).
	 */
	int (*stopped)(struct ipcb_service *svc);
};

/*
 * A TCP port on 127.0.0.1 that nobody listens on now: bound, read and released, as the driver
 * picks svc->port (another server could take it before ours does: its start then fails,
 * saying so). A positive port, or -errno.
 */
int ipcb_broker_port(void);

/* Append one argument to svc->argv (printf-style). 0, or -E2BIG with svc->err filled. */
int ipcb_service_arg(struct ipcb_service *svc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Launchers: fork is the default. A transport whose processes must be started by its own
 * runtime (MPI ranks under mpirun) gives the command that starts them (launch_cmd); the driver
 * appends the program each side runs (ipcb-rank, with the control socket's path and the
 * transport's name) and runs it. Each side learns which it is from the runtime (launch_rank,
 * called in the side's process) and gets the run's spec from the driver; it runs the same timed
 * body as a forked side, and its results come back over its control connection, not through shared
 * memory. Such a transport keeps no channel state (setup() would run in the driver, which the sides
 * do not share) and carries one pair.
 */
#define IPCB_LAUNCH_ARGS 64

struct ipcb_launch_cmd {
	char *argv[IPCB_LAUNCH_ARGS]; /* NULL-terminated (ipcb_cmd_arg) */
	char args[4096];
	size_t args_used;
	struct ipcb_err err;
	/*
	 * Set by the driver before launch_cmd: each side's program and its arguments, as the
	 * host that side runs on knows it (side 0 the sender, side 1 the receiver; NULL-ended).
	 * The driver appends side 1's to the command; a transport that starts the sides on two
	 * hosts (cfg.peer) writes side 0's itself, in the form its runtime takes (one command line
	 * for each host).
	 */
	const char *rank_argv[2][4];
};

/*
 * A side started on another host proves that the driver's run started it with the value of
 * this environment variable (set in the command's environment by the driver): the runtime
 * must pass it to the sides it starts there.
 */
#define IPCB_RANK_KEY_ENV "IPCB_RANK_KEY"

/* Append one argument (printf-style). 0, or -E2BIG with cmd->err filled. */
int ipcb_cmd_arg(struct ipcb_launch_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A runtime's ops, together: the command that starts the sides instead of fork, and, in a side
 * so started, which side it is (0 the sender, 1 the receiver) or a negative errno.
 */
struct ipcb_launch_ops {
	int (*command)(const struct ipcb_chan *ch, struct ipcb_launch_cmd *cmd);
	int (*rank)(void);
	/* Optional: the runtime as the launcher of ipcbench itself on many hosts (--hosts). */
	const struct ipcb_hosts_ops *hosts;
};

/*
 * A runtime that started one ipcbench on each of many hosts (mpirun, srun), as the driver of
 * --hosts uses it: who is where, a barrier, and messages between the processes, so that the
 * rendezvous of every pair of hosts and the rows going to the first process need no protocol of
 * ipcbench's own. Process 0 is the one that writes the outputs. Every call but leave and abort
 * returns 0 or a negative errno with e filled (the runtime's call and its message).
 */
struct ipcb_hosts_ops {
	/* Join the runtime that started this process; this process's number and how many. */
	int (*join)(int *rank, int *size, struct ipcb_err *e);
	/* This host's name as the runtime was given it ("" when it does not say). */
	void (*host_name)(char *out, size_t n);
	/*
	 * The remote agent the runtime reached the hosts with, as a command prefix that takes a
	 * host's name and a command ("ssh", or what the user gave the runtime); "" when none.
	 */
	void (*agent)(char *out, size_t n);
	/* len bytes from every process, in their order, into out (size * len bytes). */
	int (*allgather)(const void *in, size_t len, void *out, struct ipcb_err *e);
	/* A message of len bytes to process `to`; the next one from `from`, allocated. */
	int (*send)(int to, const void *buf, size_t len, struct ipcb_err *e);
	int (*recv)(int from, void **buf, size_t *len, struct ipcb_err *e);
	int (*barrier)(struct ipcb_err *e);
	/* Leave the runtime, the job done; or end every process of it with status. */
	void (*leave)(void);
	void (*abort)(int status);
};

/*
 * Registry (registry.c): every transport in list order, including unsupported ones.
 * ipcb_transport_at() gives a module's transport as its catalog entry (name, family, the
 * module: enough to list and choose, opening nothing); ipcb_transport_find() gives every entry
 * in full, opening its module, since a transport looked up by name is about to be used.
 */
size_t ipcb_transport_count(void);
const struct ipcb_transport *ipcb_transport_at(size_t i);
const struct ipcb_transport *ipcb_transport_find(const char *name);
/* The route of t's run with configuration cfg (NULL: its declared default). */
struct ipcb_route ipcb_transport_route(const struct ipcb_transport *t,
				       const struct ipcb_chan_cfg *cfg);
/*
 * May t's run with configuration cfg lose messages (IPCB_CAP_LOSSY, narrowed by its lossy()
 * hook)? Such a run counts a gap in a stream as lost messages; any other run fails on one.
 */
bool ipcb_transport_lossy(const struct ipcb_transport *t, const struct ipcb_chan_cfg *cfg);

/*
 * An entry of the registry in full: a catalog entry of a module's transport is opened (loaded)
 * here; when that fails, the catalog entry comes back with `unsupported` saying why.
 */
const struct ipcb_transport *ipcb_transport_full(const struct ipcb_transport *t);
/* The module set a registry entry lives in ("zmq"), or NULL for one in the core. */
const char *ipcb_transport_module_set(const struct ipcb_transport *t);

/*
 * Users' transports (registry.c, by module.c): load the module at PATH (absolute), check its ABI
 * and its entry as ipcb_transport_check() does, and register it, so that ipcb_transport_find()
 * finds it by its own name from then on; loading the same path again returns the same entry. 0,
 * or a negative errno with `why` saying what is wrong (which ABI, which rule, a name ipcbench has
 * already, dlopen's message). Called in the driver before anything forks.
 */
int ipcb_transport_load(const char *path, const struct ipcb_transport **out, char *why, size_t n);
/* Was t loaded from a module? */
bool ipcb_transport_external(const struct ipcb_transport *t);
/*
 * The row's `library` text: t->library()'s, and for a module its path and build ID first
 * ("module /path/ring.so build-id 1a2b...; ring 0.1").
 */
void ipcb_transport_library(const struct ipcb_transport *t, char *out, size_t n);

/*
 * Does the entry keep the contract? A kebab-case name, a summary, and the hooks its capabilities
 * need, one rule per capability (open/send/recv always, unless unsupported; setup when it has
 * channel state; teardown when it has setup; the four loan hooks exactly when it declares
 * IPCB_CAP_ZEROCOPY; a fixed wait exactly when it offers no choice; no data capability on one
 * that moves nothing). 0, or -EINVAL with `why` saying what is wrong. The driver refuses to run
 * an entry that fails, and a unit test checks every entry and every rule.
 */
int ipcb_transport_check(const struct ipcb_transport *t, char *why, size_t why_bytes);

/* Names for messages and --list. */
const char *ipcb_wait_name(enum ipcb_wait w);

#endif /* IPCB_TRANSPORT_H */
