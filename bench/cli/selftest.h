/* SPDX-License-Identifier: MIT */
/* selftest.h - `ipcbench selftest NAME`: the transport test suite against one transport. */
#ifndef IPCB_SELFTEST_H
#define IPCB_SELFTEST_H

/* argv[0] is "selftest"; returns the exit status (TAP on stdout). */
int ipcb_selftest_main(int argc, char **argv);

#endif
