/* SPDX-License-Identifier: MIT */
/*
 * rank.c - ipcb-rank, the program a runtime (mpirun) starts as each side of a transport that is
 * launched that way: it reaches the driver over the run's control socket and runs the same timed
 * body a forked side runs (bench/run.h, ipcb_run_rank_main).
 */
#include "run.h"

int main(int argc, char **argv)
{
	return ipcb_run_rank_main(argc, argv);
}
