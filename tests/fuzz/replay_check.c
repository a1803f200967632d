/* SPDX-License-Identifier: MIT */
/*
 * replay_check.c - a target whose only purpose is to fail on cue, so that the replay runner
 * (replay.c) is shown to fail an input that breaks an invariant, crashes or hangs, and to pass
 * one that does not. Input "abort" aborts as FUZZ_CHECK does, "crash" dereferences NULL, "hang"
 * never returns; anything else returns at once.
 */
#include <signal.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 5 && memcmp(data, "abort", 5) == 0)
		FUZZ_CHECK(size == 0, "the input asked for it");
	if (size >= 5 && memcmp(data, "crash", 5) == 0)
		raise(SIGSEGV);
	if (size >= 4 && memcmp(data, "hang", 4) == 0)
		for (;;)
			pause();
	return 0;
}
