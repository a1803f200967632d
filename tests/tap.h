/* SPDX-License-Identifier: MIT */
/* tap.h - the tests' TAP emitter: the one `ipcbench selftest` prints with (lib/tapout.h). */
#include "../lib/tapout.h"
