#!/bin/bash
# signals.sh - every catchable signal whose default action ends a process ends the run cleanly
# (TAP): SIGPWR, SIGPROF, SIGIO, SIGSYS, SIGTRAP, SIGSTKFLT, SIGSEGV, SIGBUS, SIGABRT, SIGPIPE,
# SIGXFSZ, SIGVTALRM, SIGQUIT, SIGUSR1 and real-time signals, sent to the driver by another
# process mid-run. After each: exit 128+N with "stopped by" on stderr (not the signal's own
# death), the row measured before is kept, both children are gone, the System V objects the
# registry listed are removed, and nothing named after the driver's pid is left. Signals whose
# default is to be ignored (SIGWINCH, SIGURG, SIGCHLD) change nothing: the run goes on.
#
# Usage: signals.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

num() { kill -l "$1"; }
# The System V transports leave objects and a registry; fifo a directory.
ts=(sysv-mq sysv-shm fifo)
i=0
for sig in PWR PROF IO SYS TRAP STKFLT SEGV BUS ABRT PIPE XFSZ VTALRM QUIT USR1 \
	RTMIN RTMIN+1 RTMIN+7 RTMAX-1 RTMAX; do
	t=${ts[$((i % 3))]}
	i=$((i + 1))
	signo=$(num "$sig")
	if ! start_sweep "sig-$signo-$t" "$t"; then
		ok 1 "SIG$sig during $t: the run got going"
		diag "$ERR"
		continue
	fi
	kill -s "$sig" "$PID"
	check_end "SIG$sig ($signo) during $t" "$t" $((128 + signo)) "stopped by .* after"
done

# Signals that are ignored by default must not stop anything.
start_sweep ignored sysv-mq || { ok 1 "a run for ignored signals got going"; diag "$ERR"; }
for sig in WINCH URG CHLD; do
	kill -s "$sig" "$PID"
done
sleep 0.3
[ -e "/proc/$PID" ] && ! proc_dead "$PID" && two_kids "$PID"
ok $? "SIGWINCH, SIGURG and SIGCHLD leave the run going"
kill -s INT "$PID"
check_end "SIGINT after the ignored ones" sysv-mq 130 "stopped by"

# The transport test suite stops where a signal stops one of its runs, as a sweep does: no run
# after it, its server (none for sysv-mq) stopped, its leftover checks run, a TAP bail-out.
"$BIN" selftest sysv-mq >"$WORK/selftest.out" 2>"$WORK/selftest.err" &
PID=$!
BG_PIDS+=("$PID")
if wait_for 20 two_sides "$PID"; then
	kill -s TERM "$PID"
	wait "$PID"
	st=$?
	ran=$(grep -c 'interrupted by Terminated' "$WORK/selftest.err")
	[ $st -eq $((128 + $(num TERM))) ] && grep -q '^Bail out! stopped by Terminated$' "$WORK/selftest.out" &&
		[ "$ran" -eq 1 ] &&
		grep -q '^ok [0-9]* - sysv-mq: nothing named after this process is left' "$WORK/selftest.out" &&
		grep -q '^ok [0-9]* - sysv-mq: none of the [0-9]* System V objects its runs made is left' "$WORK/selftest.out" &&
		[ -z "$(left_named "$PID")" ]
	ok $? "SIGTERM during \`ipcbench selftest sysv-mq\`: exit 143 (got $st), one run interrupted ($ran), none after, nothing left, a bail-out"
	diag "$WORK/selftest.err"
else
	ok 1 "a run of \`ipcbench selftest sysv-mq\` got going"
	diag "$WORK/selftest.err"
fi

done_testing
