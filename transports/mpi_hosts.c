/* SPDX-License-Identifier: MIT */
/*
 * mpi_hosts - MPI's runtime as the launcher of ipcbench itself across many hosts (--hosts mpi):
 * `mpirun -H a,b,c ipcbench --hosts mpi ...` (or srun, where Open MPI was built with Slurm's
 * PMIx) starts one ipcbench on each host; each joins the job here (MPI_Init) and learns its rank,
 * the job's size and its host's name, and the ranks exchange what the driver of --hosts needs
 * (addresses, the rendezvous of each pair of hosts, the rows for rank 0) as MPI messages on
 * MPI_COMM_WORLD. MPI carries none of the measured messages: each pair's runs are ipcbench's
 * usual two-host runs, their sides forked by the ipcbench processes the driver starts.
 *
 * Errors return (MPI_ERRORS_RETURN) so that a failed call is named, not fatal. Open MPI warns
 * about fork() in an MPI process when a high-speed network's registered memory could be
 * corrupted by it; the processes forked here exec at once and share no MPI state, so the
 * warning is turned off (mpi_warn_on_fork) before MPI_Init reads it.
 */
#include "ipcb_config.h"
#include "transport.h"
#include "mpi_module.h"

#if IPCB_BUILT_MPI
#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The tag of every message of --hosts: the job's own, so none is taken for another's. */
#define HOSTS_TAG 0x1bc

static int hosts_join(int *rank, int *size, struct ipcb_err *e)
{
	int rc, provided = 0;

	setenv("OMPI_MCA_mpi_warn_on_fork", "0", 0);
	/* Only this thread calls MPI. */
	rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SINGLE, &provided);
	if (rc != MPI_SUCCESS)
		return ipcb_mpi_fail(e, -EIO, rc, "MPI_Init_thread");
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if ((rc = MPI_Comm_rank(MPI_COMM_WORLD, rank)) != MPI_SUCCESS ||
	    (rc = MPI_Comm_size(MPI_COMM_WORLD, size)) != MPI_SUCCESS)
		return ipcb_mpi_fail(e, -EIO, rc, "MPI_Comm_rank");
	return 0;
}

/*
 * The name the runtime was given for this host (mpirun -H NAME): Open MPI's PMIx server tells
 * its processes (PMIX_HOSTNAME); Slurm's step gives SLURMD_NODENAME. "" otherwise: the driver
 * then uses the host's own name.
 */
static void hosts_host_name(char *out, size_t n)
{
	const char *v = getenv("PMIX_HOSTNAME");

	if (!v || !*v)
		v = getenv("SLURMD_NODENAME");
	snprintf(out, n, "%s", v && *v ? v : "");
}

/*
 * Open MPI's remote agent: plm_rsh_agent as the user set it (mpirun passes its MCA parameters
 * to the processes it starts), else its default, ssh (the first of "ssh : rsh"). Under srun
 * there is none: "".
 */
static void hosts_agent(char *out, size_t n)
{
	const char *v = getenv("OMPI_MCA_plm_rsh_agent");
	size_t len;

	if (!v || !*v)
		v = getenv("OMPI_MCA_orte_rsh_agent");
	if ((!v || !*v) && getenv("SLURM_JOB_ID"))
		v = "";
	else if (!v || !*v)
		v = "ssh";
	/* A list of choices ("ssh : rsh"): the first. */
	len = strcspn(v, ":");
	while (len && v[len - 1] == ' ')
		len--;
	snprintf(out, n, "%.*s", (int)len, v);
}

static int hosts_allgather(const void *in, size_t len, void *out, struct ipcb_err *e)
{
	int rc;

	if (len > (size_t)0x7fffffff)
		return ipcb_errf(e, -E2BIG, "MPI_Allgather", "%zu bytes", len);
	rc = MPI_Allgather(in, (int)len, MPI_BYTE, out, (int)len, MPI_BYTE, MPI_COMM_WORLD);
	return rc == MPI_SUCCESS ? 0 : ipcb_mpi_fail(e, -EIO, rc, "MPI_Allgather");
}

static int hosts_send(int to, const void *buf, size_t len, struct ipcb_err *e)
{
	int rc;

	if (len > (size_t)0x7fffffff)
		return ipcb_errf(e, -E2BIG, "MPI_Send", "%zu bytes", len);
	rc = MPI_Send(buf, (int)len, MPI_BYTE, to, HOSTS_TAG, MPI_COMM_WORLD);
	return rc == MPI_SUCCESS ? 0 : ipcb_mpi_fail(e, -EIO, rc, "MPI_Send");
}

/* A message of any length: its size first (MPI_Probe), then the message into a buffer of it. */
static int hosts_recv(int from, void **buf, size_t *len, struct ipcb_err *e)
{
	MPI_Status st;
	int rc, count = 0;

	*buf = NULL;
	*len = 0;
	rc = MPI_Probe(from, HOSTS_TAG, MPI_COMM_WORLD, &st);
	if (rc == MPI_SUCCESS)
		rc = MPI_Get_count(&st, MPI_BYTE, &count);
	if (rc != MPI_SUCCESS)
		return ipcb_mpi_fail(e, -EIO, rc, "MPI_Probe");
	*buf = malloc(count ? (size_t)count : 1);
	if (!*buf)
		return ipcb_errf(e, -ENOMEM, "malloc", "%d bytes", count);
	rc = MPI_Recv(*buf, count, MPI_BYTE, from, HOSTS_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	if (rc != MPI_SUCCESS) {
		free(*buf);
		*buf = NULL;
		return ipcb_mpi_fail(e, -EIO, rc, "MPI_Recv");
	}
	*len = (size_t)count;
	return 0;
}

static int hosts_barrier(struct ipcb_err *e)
{
	int rc = MPI_Barrier(MPI_COMM_WORLD);

	return rc == MPI_SUCCESS ? 0 : ipcb_mpi_fail(e, -EIO, rc, "MPI_Barrier");
}

static void hosts_leave(void)
{
	MPI_Finalize();
}

static void hosts_abort(int status)
{
	MPI_Abort(MPI_COMM_WORLD, status);
}

const struct ipcb_hosts_ops ipcb_mpi_hosts = {
    .join = hosts_join,
    .host_name = hosts_host_name,
    .agent = hosts_agent,
    .allgather = hosts_allgather,
    .send = hosts_send,
    .recv = hosts_recv,
    .barrier = hosts_barrier,
    .leave = hosts_leave,
    .abort = hosts_abort,
};
#endif /* IPCB_BUILT_MPI */
