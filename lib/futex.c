/* SPDX-License-Identifier: MIT */
/* futex.c - futex wait and wake on process-shared words; see futex.h. */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hot.h"

IPCB_HOT int ipcb_futex_wait(uint32_t *word, uint32_t expected)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0) == 0)
		return 0;
	/* EAGAIN: the word changed before we slept, which is the wake-up we wanted. */
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	return -errno;
}

IPCB_HOT int ipcb_futex_wake(uint32_t *word, int n)
{
	long r = syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);

	return r < 0 ? -errno : (int)r;
}
