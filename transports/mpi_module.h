/* SPDX-License-Identifier: MIT */
/*
 * mpi_module.h - what the mpi module's two files share: the transport (mpi.c) and the runtime
 * that starts ipcbench on many hosts (mpi_hosts.c).
 */
#ifndef IPCB_MPI_MODULE_H
#define IPCB_MPI_MODULE_H

#include "transport.h"

/* MPI's words for an MPI call's failure code, in e as err (a negative errno) and the call. */
int ipcb_mpi_fail(struct ipcb_err *e, int err, int code, const char *call);

/* --hosts mpi: join, exchange and gather through MPI (mpi_hosts.c). */
extern const struct ipcb_hosts_ops ipcb_mpi_hosts;

#endif
