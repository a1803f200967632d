#!/bin/bash
# exitpaths.sh - every way a run can end cleans up (TAP): a normal end, a failed run, SIGINT,
# SIGTERM and SIGHUP to the driver, a child killed with SIGKILL or crashing with SIGSEGV, and a
# peer stopped with SIGSTOP until --timeout ends the run. After each: the exit status and message
# are the documented ones, the rows measured before stay in the CSV (complete lines only), both
# children are gone and reaped (no zombie, no stopped process), the System V objects the run's
# registry listed are gone, and nothing named after the driver's pid is left.
#
# Usage: exitpaths.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# ---- a normal end and a failed run ----
"$BIN" -q -t null,sysv-mq,sysv-shm,fifo,posix-mq,shm,shm-sem,mmap,file -s 64,64K -n 100 -d 0 -w 5 \
	--csv "$WORK/normal.csv" >/dev/null 2>"$WORK/normal.err" &
pid=$!
wait $pid
st=$?
[ $st -eq 0 ] && [ "$(csv_rows "$WORK/normal.csv")" -ge 36 ]
ok $? "a normal sweep over every object-making transport exits 0 with all its rows"
[ -z "$(left_named $pid)" ]
ok $? "a normal end leaves nothing named ipcbench-$pid-* (registries included)"

"$BIN" -q -t null,sysv-shm,sysv-mq,fifo -s 4K -m latency -n 200 -d 0 --inject corrupt \
	--csv "$WORK/failed.csv" >/dev/null 2>"$WORK/failed.err" &
pid=$!
wait $pid
st=$?
[ $st -eq 1 ] && grep -q "sysv-shm latency 4K run 1: .*verification failed" "$WORK/failed.err" &&
	grep -q "3 of 4 runs failed" "$WORK/failed.err"
ok $? "failed runs exit 1 naming transport, mode, size and the check"
[ "$(grep -c '^null,' "$WORK/failed.csv")" -eq 1 ] && [ "$(csv_rows "$WORK/failed.csv")" -eq 1 ]
ok $? "after failed runs only the good row is in the CSV"
[ -z "$(left_named $pid)" ]
ok $? "failed runs leave nothing named ipcbench-$pid-*"

# ---- the driver is told to stop ----
num() { kill -l "$1"; }
for sig in INT TERM HUP; do
	for t in sysv-mq sysv-shm fifo; do
		if ! start_sweep "sig-$sig-$t" "$t"; then
			ok 1 "SIG$sig during $t: the run got going"
			diag "$ERR"
			continue
		fi
		kill -s "$sig" "$PID"
		check_end "SIG$sig during $t" "$t" $((128 + $(num $sig))) "stopped by"
	done
done

# ---- a child dies ----
while read -r t role sig; do
	start_sweep "child-$sig-$role-$t" "$t" || { ok 1 "$t: the run got going"; continue; }
	[ "$role" = sender ] && victim=$SENDER || victim=$RECEIVER
	kill -s "$sig" "$victim"
	check_end "$t $role killed by SIG$sig" "$t" 1 \
		"$t latency 64 run 1: $role killed by signal $(num $sig)"
done <<'CASES'
sysv-mq sender KILL
sysv-mq receiver SEGV
sysv-shm receiver KILL
sysv-shm sender SEGV
posix-mq receiver SEGV
fifo sender KILL
CASES

# ---- a peer stops: --timeout ends the run, and nothing is left stopped ----
while read -r t role; do
	start_sweep "stop-$role-$t" "$t" --timeout 2 || { ok 1 "$t: the run got going"; continue; }
	[ "$role" = sender ] && victim=$SENDER || victim=$RECEIVER
	kill -STOP "$victim"
	check_end "$t $role stopped with SIGSTOP" "$t" 1 \
		"cross-core $t latency 64 run 1: timed out after 2\.0 s with .*still running"
done <<'CASES'
sysv-mq receiver
sysv-shm sender
CASES

# A peer that hangs on its own (it never reads again) ends the same way, run after run.
"$BIN" -q -t sysv-mq,sysv-shm -s 64 -m latency -n 1000 -d 0 --inject hang --timeout 1 \
	>/dev/null 2>"$WORK/hang.err" &
pid=$!
wait $pid
st=$?
[ $st -eq 1 ] && grep -q "sysv-mq latency 64 run 1: timed out after 1.0 s" "$WORK/hang.err" &&
	grep -q "sysv-shm latency 64 run 1: timed out after 1.0 s" "$WORK/hang.err" &&
	[ -z "$(left_named $pid)" ]
ok $? "hanging receivers: each run ends by --timeout, exit 1, nothing left"
[ $st -eq 1 ] || diag "$WORK/hang.err"

done_testing
