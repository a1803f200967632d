/* SPDX-License-Identifier: MIT */
/* tap.h - the tests' TAP emitter: the one `ipcbench selftest` prints with (lib/tapout.h). */
#ifndef IPCB_TESTS_TAP_H
#define IPCB_TESTS_TAP_H

#include "../lib/tapout.h"

#endif
