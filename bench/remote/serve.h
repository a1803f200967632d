/* SPDX-License-Identifier: MIT */
/*
 * serve.h - `ipcbench serve`: the peer a driver on another host reaches with --peer (see
 * remote.h for a run's story), and `ipcbench rsh-agent`: a command on the peer's host
 * through the launch prefix, as an MPI launcher's remote agent.
 *
 * The server listens only on the address it is given, answers one connection at a time, and
 * runs a run only for a client that proves it holds the token (challenge and response: the
 * token never crosses the network), whose build is the same, for a transport that declares
 * IPCB_CAP_NETWORK, within its limits of size, duration, timeout and messages, on a CPU it
 * offers. A message it cannot parse, one it did not expect, or a client too slow ends that
 * connection with an ERROR; the server goes on. It stops on SIGINT or SIGTERM (and every signal
 * that would end it), and, with --launched, when its standard input closes (the driver that
 * started it ended, however it ended); each run's side dies with it.
 */
#ifndef IPCB_SERVE_H
#define IPCB_SERVE_H

/* `ipcbench serve [OPTIONS]` (argv[0] is "serve"): the exit status. */
int ipcb_serve_main(int argc, char **argv);
/* `ipcbench rsh-agent HOST COMMAND...` (argv[0] is "rsh-agent"): the exit status. */
int ipcb_rsh_agent_main(int argc, char **argv);

#endif
