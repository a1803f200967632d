/* SPDX-License-Identifier: MIT */
/* futex.c - futex wait and wake on process-shared words; see futex.h. */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
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

bool ipcb_membarrier_available(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	return cmds >= 0 && (cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) &&
	       (cmds & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED);
}

int ipcb_membarrier_register(void)
{
	return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) < 0 ? -errno
											   : 0;
}

int ipcb_membarrier_fence(void)
{
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) < 0 ? -errno : 0;
}

IPCB_HOT int ipcb_futex_wake(uint32_t *word, int n)
{
	long r = syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);

	return r < 0 ? -errno : (int)r;
}
