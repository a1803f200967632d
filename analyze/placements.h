/* SPDX-License-Identifier: MIT */
/*
 * placements.h - the report's sections on where the two sides sit: every transport's cost by
 * what its two CPUs share (the rows' cpu_topology: one CPU, SMT siblings, a shared cache, one
 * NUMA node, two nodes, and two hosts), and the placement matrix (--placement matrix: a
 * transport on every ordered pair of CPUs, a table per transport and size).
 *
 * The guides' tables compare mechanisms on one placement at a time; matrix rows are many
 * placements of one kind and are left out of them (ipcb_report_row_matrix) and shown here.
 */
#ifndef IPCB_PLACEMENTS_H
#define IPCB_PLACEMENTS_H

#include <stdbool.h>
#include <stdio.h>

/* Is a row a cell of the placement matrix (its placement field)? */
bool ipcb_report_row_matrix(const char *placement);

/*
 * Read the CSV at path and print, as Markdown, what each transport costs by what its two CPUs
 * share, and the placement matrix where the CSV has one; nothing where it has neither (a CSV
 * without the cpu_topology column, one class only and no matrix). figures: where scripts/plot
 * drew the matrix's heatmaps (matrix-TRANSPORT.png), linked below each; NULL: no links. 0, or
 * -1 after a message on stderr.
 */
int ipcb_report_placement_sections(FILE *out, const char *path, const char *figures);

#endif
