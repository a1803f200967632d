#!/bin/bash
# counts.sh IPCBENCH - TAP test of `ipcbench compare` on counted rows (latency_kind `count`, from
# ipcbench --count), on hand-made CSVs whose answers are exact: equal counts are ok from one run
# a side; a change beyond the threshold is regressed (more) or improved (fewer), the note saying
# by how many instructions per message, on which side, how many in the transport, and which
# system calls moved; within the threshold, ok, saying so; counts the point's own check found
# timing-dependent, or runs of one side that disagree, decide nothing.
set -u
BIN=${1:?usage: counts.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir compare-counts

H="transport,mode,size_bytes,latency_kind,placement,sender_cpu,receiver_cpu,wait,bytes_per_s,sender_instr_per_msg,receiver_instr_per_msg,sender_transport_instr_per_msg,receiver_transport_instr_per_msg,sender_syscalls_per_msg,receiver_syscalls_per_msg,syscalls,count_check"
# row TRANSPORT SENDER_INSTR RECEIVER_INSTR SENDER_TR RECEIVER_TR SENDER_WRITES [CHECK]
row() {
	echo "$1,throughput,65536,count,cross-core,0,1,block,,$2,$3,$4,$5,$6,1,\"sender: write $6; receiver: read 1\",${7:-exact}"
}
{
	echo "$H"
	row pipe 340.6 775.5 84.0 60.0 1
	row shm 65928.6 66632.5 65671.9 65917.1 0
} >"$WORK/base.csv"

"$BIN" compare "$WORK/base.csv" "$WORK/base.csv" >"$WORK/same.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c ' ok  *counts equal$' "$WORK/same.out")" -eq 2 ] &&
	grep -q '^2 groups compared: 0 regressed, 0 improved, 2 ok' "$WORK/same.out"
ok $? "equal counts are ok from one run a side (exit $st)"

# The pipe written in 16 KiB pieces: three more writes, and their instructions, per 64K message.
{
	echo "$H"
	row pipe 400.6 775.5 144.0 60.0 4
	row shm 65928.6 66632.5 65671.9 65917.1 0
} >"$WORK/pieces.csv"
"$BIN" compare --threshold 1% "$WORK/base.csv" "$WORK/pieces.csv" >"$WORK/pieces.out" 2>&1
st=$?
[ $st -eq 1 ] &&
	grep -qE '^pipe .* regressed +sender \+60\.0 instructions per message \(\+17\.62%\), \+60\.0 in the transport; sender \+3 write per message$' "$WORK/pieces.out"
ok $? "more writes per message: regressed, by how many instructions and which calls (exit $st: $(grep '^pipe' "$WORK/pieces.out" | cut -c1-160))"

# A copy through a stack buffer added to the ring's write: +0.5% of the sender's, at a 1% threshold.
{
	echo "$H"
	row pipe 340.6 775.5 84.0 60.0 1
	row shm 66258.2 66632.5 66001.5 65917.1 0
} >"$WORK/small.csv"
"$BIN" compare --threshold 1% "$WORK/base.csv" "$WORK/small.csv" >"$WORK/small.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -qE '^shm .* ok +sender \+329\.6 instructions per message \(\+0\.50%\), \+329\.6 in the transport \(within the 1\.0% threshold\)$' "$WORK/small.out"
ok $? "a change within the threshold is ok and says what it was (exit $st)"
"$BIN" compare --threshold 0.2% "$WORK/base.csv" "$WORK/small.csv" >"$WORK/tight.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -qE '^shm .* regressed' "$WORK/tight.out"
ok $? "and regressed at a threshold it is beyond (exit $st)"
"$BIN" compare --threshold 0.2% "$WORK/small.csv" "$WORK/base.csv" >"$WORK/better.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -qE '^shm .* improved +sender -329\.6 instructions per message' "$WORK/better.out"
ok $? "fewer instructions are improved (exit $st)"

# Timing-dependent counts, and runs of one side that disagree, decide nothing.
{
	echo "$H"
	row pipe 340.6 775.5 84.0 60.0 1 "timing-dependent: receiver +2.10% with the receiver slowed"
	row shm 65928.6 66632.5 65671.9 65917.1 0
	row shm 66928.6 66632.5 65671.9 65917.1 0
} >"$WORK/moving.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/moving.csv" >"$WORK/moving.out" 2>&1
st=$?
[ $st -eq 3 ] && grep -qE "^pipe .* inconclusive +NEW's counts are not exact \(timing-dependent: receiver" "$WORK/moving.out" &&
	grep -qE "^shm .* inconclusive +NEW's 2 counted runs differ by up to 1\.52%" "$WORK/moving.out"
ok $? "timing-dependent counts and counted runs that disagree are inconclusive (exit $st)"

# A counted row without a count column is refused, naming it.
cut -d, -f1-10,12- "$WORK/base.csv" >"$WORK/short.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/short.csv" >/dev/null 2>"$WORK/short.err"
st=$?
[ $st -eq 2 ] && grep -q 'a counted row without receiver_instr_per_msg' "$WORK/short.err"
ok $? "a counted row without a count column is refused, naming it (exit $st: $(cat "$WORK/short.err"))"

done_testing
