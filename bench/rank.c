/* SPDX-License-Identifier: MIT */
/*
 * rank.c - ipcb-rank, the program a runtime (mpirun) starts as each side of a transport that is
 * launched that way: it reaches the driver over the run's control socket and runs the same timed
 * body a forked side runs (launch/runtime.h, ipcb_run_rank_main).
 */
#include "runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#define IPCB_RANK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IPCB_RANK_ASAN 1
#endif
#endif

#ifdef IPCB_RANK_ASAN
/*
 * Under LeakSanitizer (sanitizer builds only), what the runtime's library keeps until exit is not
 * ours to fix: leaks with a frame in Open MPI's own libraries are suppressed here, in the one
 * program that hosts it, whoever runs it. libpmix and libevent_core carry PMIx's progress thread,
 * whose library is unloaded before the check, so its frames have no name left to match. Whole
 * stacks are needed: Debian's libraries have no frame pointers for the fast unwinder to follow.
 * Everything else stays checked; LSAN_OPTIONS in the environment still takes precedence.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:libmpi.so\nleak:libopen-pal.so\nleak:libopen-rte.so\nleak:libpmix.so\n"
	       "leak:libevent_core\n";
}

const char *__lsan_default_options(void)
{
	return "fast_unwind_on_malloc=0:print_suppressions=0";
}
#endif

int main(int argc, char **argv)
{
	return ipcb_run_rank_main(argc, argv);
}
