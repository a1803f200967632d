#!/bin/bash
# limits.sh - resource limits (TAP): too little address space for the message size, too few file
# descriptors, no POSIX queue bytes, a full /dev/shm, no room to fork, CPU time running out,
# System V and POSIX queue limits of the kernel (set in a private IPC namespace), a System V
# semaphore's largest count (a run within it) and a file size limit. Each ends with a clear
# error naming transport, size and the call that failed, exit 1 (or 77 when no requested
# transport can run at all), no crash, and nothing left behind.
#
# Usage: limits.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# A run in the background under wrappers that exec; sets st (exit status), pid (the driver), ERR.
limited() { # limited NAME WRAPPER... -- IPCBENCH-ARGS...
	local name=$1 wrap=()
	shift
	while [ "$1" != -- ]; do
		wrap+=("$1")
		shift
	done
	shift
	ERR=$WORK/$name.err
	# The wrappers (prlimit, setpriv, env) exec: $! is the driver itself. Meson's timeout guards
	# against a hang.
	"${wrap[@]}" "$BIN" -q "$@" >"$WORK/$name.out" 2>"$ERR" &
	pid=$!
	wait $pid
	st=$?
}
nothing_left() { [ -z "$(left_named "$1")" ] && [ -z "$(ls "$TMPDIR")" ]; }
no_crash() { [ "$st" -lt 124 ] && ! grep -qE 'Sanitizer|runtime error' "$ERR"; }

# ---- address space too small for 1 GiB messages ----
if is_asan; then
	skip "1G messages under a 400 MB address space limit" "AddressSanitizer needs terabytes of address space"
else
	limited as prlimit --as=400000000 -- -t all -s 1G -m latency -n 3 -d 0 -w 1 --timeout 30
	runnable=$("$BIN" --list | awk 'NR > 1 && $2 == "yes"' | wc -l)
	failed_runs=$(grep -c ' latency 1G run 1: .*Cannot allocate memory' "$ERR")
	# A server that cannot start under the limit (Erlang maps 1 GiB up front) is skipped, saying so.
	no_server=$(grep -c '^ipcbench: skipping [a-z0-9-]*: .* before it was ready' "$ERR")
	[ $st -eq 1 ] && no_crash && [ $((failed_runs + no_server)) -eq "$runnable" ]
	ok $? "1G messages, 400 MB of address space: every transport's run fails with ENOMEM or its server does not start, exit 1 ($failed_runs and $no_server of $runnable)"
	[ $st -eq 1 ] || diag "$ERR"
	grep -m 3 'Cannot allocate memory' "$ERR" | diag
	nothing_left $pid
	ok $? "1G messages, 400 MB of address space: nothing left behind"
fi

# ---- the core under an address space of 8 MB ----
# The core links no middleware library, so a run of a kernel transport fits in 8 MB: the result
# area holds the histograms the run records and nothing more, and the probe threads have stacks
# of their own size. Three times: a run that only just fits passes or fails from run to run.
if is_asan; then
	skip "a pipe run under an 8 MB address space limit" "AddressSanitizer reserves its shadow memory"
else
	fit=0
	for i in 1 2 3; do
		limited as8m prlimit --as=8388608 -- -t pipe -s 64 -n 200
		rows=$(grep -c '^pipe ' "$WORK/as8m.out")
		if [ $st -eq 0 ] && [ "$rows" -ge 2 ] && ! grep -q 'Cannot allocate\|probes of CPUs' "$ERR"; then
			fit=$((fit + 1))
		else
			diag "$ERR"
		fi
	done
	[ $fit -eq 3 ]
	ok $? "-t pipe -s 64 -n 200 under an 8 MB address space limit: rows and probes, exit 0 ($fit of 3 tries)"
fi

# ---- file descriptors ----
# A server that starts but cannot accept a connection is given 5 s (--server-timeout), not the
# default minute, and is skipped naming the limit it ran out of.
limited nofile env "$NO_LSAN" prlimit --nofile=6 -- -t "$(all_but_jvm)" -s 64 -m latency -n 10 -d 0 -w 1 \
	--server-timeout 5
[ $st -eq 1 ] && no_crash && grep -q "latency 64 run 1: setup: pipe2: Too many open files" "$ERR"
ok $? "RLIMIT_NOFILE 6: runs that need more descriptors fail naming the call, exit 1"
[ $st -eq 1 ] || diag "$ERR"
! grep 'did not answer within' "$ERR" | grep -qv 'within 5.0 s'
ok $? "RLIMIT_NOFILE 6: a server that never answers is given --server-timeout's 5 s"
nothing_left $pid
ok $? "RLIMIT_NOFILE 6: nothing left behind"

# ---- POSIX message queue bytes ----
limited mq0 prlimit --msgqueue=0 -- -t posix-mq -s 64 -n 10 -d 0
[ $st -eq 77 ] && no_crash && grep -q "skipping posix-mq: mq_open: .*RLIMIT_MSGQUEUE" "$ERR"
ok $? "RLIMIT_MSGQUEUE 0: posix-mq cannot run, says why (ulimit -q), exit 77"
limited mqsmall prlimit --msgqueue=20000 -- -t posix-mq -s 64,64K -m latency -n 10 -d 0 -w 1
no_crash && { [ $st -eq 0 ] || grep -q "posix-mq latency .* run 1: .*mq_open" "$ERR"; }
ok $? "RLIMIT_MSGQUEUE 20000: posix-mq runs with shallower queues or fails naming mq_open (exit $st)"
nothing_left $pid
ok $? "RLIMIT_MSGQUEUE: nothing left behind"

# ---- a full /dev/shm, in a private mount namespace ----
if can_mount; then
	# shellcheck disable=SC2016
	timeout 60 unshare -m sh -c '
		mount -t tmpfs -o size=256k tmpfs /dev/shm || exit 99
		"$1" -q -t shm,shm-sem -s 64,1M -m latency -n 10 -d 0 -w 1 --csv "$2"
		st=$?
		ls -A /dev/shm >"$3"
		cat /dev/zero >/dev/shm/fill 2>/dev/null
		"$1" -q -t shm -s 64 -m latency -n 10 -d 0 -w 1
		echo "full: $?" >>"$3"
		rm -f /dev/shm/fill
		ls -A /dev/shm >>"$3"
		exit $st' sh "$BIN" "$WORK/shm.csv" "$WORK/shm.ls" >/dev/null 2>"$WORK/shm.err"
	st=$?
	ERR=$WORK/shm.err
	[ $st -eq 1 ] && no_crash &&
		grep -q "shm latency 1M run 1: setup: posix_fallocate: No space left on device (file system space: .* /dev/shm)" "$ERR" &&
		grep -q "shm-sem latency 1M run 1: setup: posix_fallocate: No space left on device" "$ERR" &&
		[ "$(grep -c '^shm[^,]*,latency,64,[0-9]*,[0-9]*,rtt,' "$WORK/shm.csv")" -eq 2 ]
	r=$?
	ok $r "a 256 KiB /dev/shm: 1M runs fail naming posix_fallocate and /dev/shm, the 64 B rows are kept"
	[ $r -eq 0 ] || { echo "exit $st"; cat "$ERR"; cut -d, -f1-6 "$WORK/shm.csv"; } | diag
	grep -q "^full: 1$" "$WORK/shm.ls"
	ok $? "a completely full /dev/shm: even a 64 B run fails cleanly (exit 1)"
	[ "$(grep -vc '^full: ' "$WORK/shm.ls")" -eq 0 ]
	ok $? "a full /dev/shm: nothing of ours left in it"
	grep -v '^full: ' "$WORK/shm.ls" | diag
else
	skip "a full /dev/shm" "cannot mount tmpfs in a private mount namespace here"
fi

# ---- kernel System V and POSIX queue limits, in a private IPC namespace ----
if unshare -i true 2>/dev/null; then
	before=$failed
	# shellcheck disable=SC2016
	timeout 60 unshare -i sh -c '
		echo "1 1 1 1" >/proc/sys/kernel/sem
		"$1" -q -t sysv-shm -s 64 -m latency -n 10 -d 0 -w 1; echo "sem: $?"
		echo 1000 >/proc/sys/kernel/shmmax
		"$1" -q -t sysv-shm -s 1M -m latency -n 10 -d 0 -w 1; echo "shmmax: $?"
		echo 0 >/proc/sys/kernel/msgmni
		"$1" -q -t sysv-mq -s 64 -m latency -n 10 -d 0 -w 1; echo "msgmni: $?"
		echo 32000 >/proc/sys/kernel/msgmni
		echo 100 >/proc/sys/kernel/msgmnb
		"$1" -q -t sysv-mq -s 4K -m both -n 10 -d 0 -w 1 --csv "$2"; echo "msgmnb: $?"
		echo 1 >/proc/sys/fs/mqueue/queues_max
		"$1" -q -t posix-mq -s 64 -m latency -n 10 -d 0 -w 1; echo "queues_max: $?"
		echo "left: $(ipcs -q -m -s | grep -c "^0x")"' sh "$BIN" "$WORK/ipc.csv" \
		>"$WORK/ipc.out" 2>"$WORK/ipc.err"
	ERR=$WORK/ipc.err
	st=0
	no_crash && grep -q "^sem: 1$" "$WORK/ipc.out" &&
		grep -q "sysv-shm latency 64 run 1: setup: semget: Invalid argument (4 semaphores; kernel.sem (SEMMSL SEMMNS SEMOPM SEMMNI) is 1 1 1 1)" "$ERR"
	ok $? "kernel.sem 1 1 1 1: sysv-shm fails naming semget and the sysctl, exit 1"
	grep -q "^shmmax: 1$" "$WORK/ipc.out" &&
		grep -q "sysv-shm latency 1M run 1: setup: shmget: Invalid argument (.* bytes exceed kernel.shmmax (1000))" "$ERR"
	ok $? "kernel.shmmax 1000: sysv-shm fails naming shmget and the sysctl, exit 1"
	grep -q "^msgmni: 77$" "$WORK/ipc.out" && grep -q "skipping sysv-mq: msgget: No space left on device (kernel.msgmni" "$ERR"
	ok $? "kernel.msgmni 0: sysv-mq cannot run, says why, exit 77"
	grep -q "^msgmnb: 0$" "$WORK/ipc.out" && grep -q '^sysv-mq,throughput,4096,.*,100,' "$WORK/ipc.csv"
	ok $? "kernel.msgmnb 100: 4K messages go in 100-byte chunks, and say so"
	grep -q "^queues_max: 77$" "$WORK/ipc.out" && grep -q "skipping posix-mq: mq_open: .*fs.mqueue.queues_max" "$ERR"
	ok $? "fs.mqueue.queues_max 1: posix-mq cannot run, says why, exit 77"
	grep -q "^left: 0$" "$WORK/ipc.out" && [ -z "$(ls "$TMPDIR")" ]
	ok $? "kernel limits: no System V object and no registry left"
	[ $failed -eq "$before" ] || { diag "$WORK/ipc.out"; diag "$ERR"; }
else
	skip "kernel IPC limits in a private IPC namespace" "cannot make an IPC namespace here"
fi

# ---- a System V semaphore's largest count (SEMVMX, 32767) ----
# A stream's "full" semaphore counts the messages in flight, up to the ring's slots: a 64 B
# stream whose reader is slow fills its ring, and a ring of more slots than the semaphore can
# count made semop fail with ERANGE.
limited semvmx env -- -t sysv-shm -s 64 -m throughput --placement cross-core -n 100000 -d 0 -w 1 \
	--receiver-work-ns 2000 --csv "$WORK/semvmx.csv"
[ $st -eq 0 ] && no_crash && grep -q "^sysv-shm,throughput,64,.*,100000," "$WORK/semvmx.csv"
ok $? "sysv-shm: a 64 B stream with a slow reader fills its ring, within the semaphore's count"
[ $st -eq 0 ] || diag "$ERR"

# ---- no room to fork, and CPU time running out (as nobody: root ignores RLIMIT_NPROC) ----
if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	chmod 755 "$WORK"
	NTMP=$WORK/nobody-tmp
	mkdir -m 1777 "$NTMP"
	# LeakSanitizer needs a process of its own at exit: off while processes are limited.
	as_nobody=(env TMPDIR="$NTMP" "$NO_LSAN" setpriv --reuid=nobody --regid=nogroup --clear-groups)
	others=$(pgrep -u nobody | wc -l)
	for extra in 1 2; do
		# extra 1: the driver alone, no child can be made; 2: the sender, not the receiver.
		limited nproc$extra "${as_nobody[@]}" prlimit --nproc=$((others + extra)) -- \
			-t sysv-mq -s 64 -m latency -n 10 -d 0 -w 1
		[ $st -eq 1 ] && no_crash && grep -q "sysv-mq latency 64 run 1: fork: Resource temporarily unavailable" "$ERR" &&
			[ -z "$(ls -A "$NTMP")" ]
		ok $? "RLIMIT_NPROC with room for $((extra - 1)) child: fork fails named, exit 1, nothing left"
		[ $st -eq 1 ] || diag "$ERR"
	done
	limited cpu "${as_nobody[@]}" prlimit --cpu=1:3 -- -t shm --wait spin -s 64 -m latency -d 4
	[ $st -eq 1 ] && no_crash && grep -qE "shm latency 64 run 1: (sender|receiver) killed by signal $(kill -l XCPU)" "$ERR" &&
		[ -z "$(ls -A "$NTMP")" ]
	ok $? "RLIMIT_CPU 1 s: the spinning side dies of SIGXCPU, reported, exit 1, nothing left"
	[ $st -eq 1 ] || diag "$ERR"
else
	skip "RLIMIT_NPROC and RLIMIT_CPU as another user" "cannot become nobody here"
fi

# ---- a file size limit ----
# posix_fallocate beyond RLIMIT_FSIZE would raise SIGXFSZ; the driver ignores it, so the call
# fails with EFBIG, the run is reported and its file removed like any failed setup.
{ limited fsize prlimit --fsize=100000 -- -t file -s 1M -m latency -n 10 -d 0 -w 1; } 2>/dev/null
[ $st -eq 1 ] && grep -q "file latency 1M run 1: setup: posix_fallocate: File too large" "$ERR"
ok $? "RLIMIT_FSIZE: a file larger than allowed fails the run (EFBIG), exit 1 (got $st)"
nothing_left $pid
ok $? "RLIMIT_FSIZE: nothing left behind"
"$BIN" --cleanup >"$WORK/fsize-cleanup.out" 2>&1 && nothing_left $pid
ok $? "RLIMIT_FSIZE: whatever the killed driver left, --cleanup removes"
diag "$WORK/fsize-cleanup.out"

done_testing
