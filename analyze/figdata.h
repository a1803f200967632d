/* SPDX-License-Identifier: MIT */
/*
 * figdata.h - the figures' data, from the model: `ipcbench report CSV --figure-data DIR` writes
 * it, and the plot program (scripts/plot, installed as ipcbench-plot) draws from it:
 *   summary.csv  one line per group of one pair in a closed loop: its medians over the kept
 *                runs (the tables' values), its reader's class and whether it is a loan
 *   load.csv     the open loops' steps the generator kept
 *   load-absent.csv  the mechanisms swept whose generator kept no step (named in the figure)
 *   matrix.csv   the placement matrix's cells
 *   hosts.csv    --hosts's pairs of hosts: each transport's round trip, hosts by their place in
 *   hosts        the hosts' names, one a line
 *   footer       two lines every figure carries: the machine, and whether runs were set aside
 *   size         the size of the figures of one round-trip size (percentiles, CPU, the bars'
 *                round trip): 64 bytes where a 64-byte round trip was run, else the smallest
 */
#ifndef IPCB_FIGDATA_H
#define IPCB_FIGDATA_H

#include <stddef.h>

#include "model.h"

/* Write the files into dir (made if missing). 0, or -errno with err saying what failed. */
int figdata_write(const struct model *m, const char *dir, char *err, size_t errlen);
/* That size (figdata_rtt_size(m) bytes; 0: no round trip), which the report's captions name. */
size_t figdata_rtt_size(const struct model *m);
/*
 * Can --figure-data DIR be written: a directory of this user's to write in, or one to make in a
 * directory that is? 0, or -1 with errno saying why not.
 */
int figdata_dir_check(const char *dir);

#endif /* IPCB_FIGDATA_H */
