#!/bin/bash
# counts.sh IPCBENCH - TAP test of `ipcbench compare` on counted rows (latency_kind `count`, from
# ipcbench --count: each point's work signature), alone and beside timed rows of the same
# experiment, on hand-made CSVs whose answers are exact:
#  - the same signature is "the same work", ok with nothing timed;
#  - any part that moved (instructions, calls by name, bytes through the kernel, kernel objects,
#    context switches beyond the band of the runs) is named, and without times it is for the
#    time to decide (inconclusive), or more-work when user-space work grew beyond the threshold;
#  - beside timed rows the time decides: an improvement with more calls is improved, a
#    regression with the same counts is regressed, more work whose time is ok or undecided is
#    more-work (exit 5), the same work whose time is undecided is ok;
#  - counts that cannot see everything (a server in another process, timing-dependent counts,
#    rows without the signature's columns) decide nothing; timed groups without counts say so.
set -u
BIN=${1:?usage: counts.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir compare-counts

H="transport,mode,size_bytes,round,latency_kind,placement,sender_cpu,receiver_cpu,wait,bytes_per_s,sender_instr_per_msg,receiver_instr_per_msg,sender_transport_instr_per_msg,receiver_transport_instr_per_msg,sender_syscalls_per_msg,receiver_syscalls_per_msg,syscalls,count_check,sender_kernel_bytes_out_per_msg,sender_kernel_bytes_in_per_msg,receiver_kernel_bytes_out_per_msg,receiver_kernel_bytes_in_per_msg,kernel_objects,switches_per_run,count_scope"
PIPE_OBJ="sender: 2 x pipe buffer 65536; receiver: 2 x pipe buffer 65536"
SW_PIPE="sender: voluntary 0.44 0.52 0.61 0.98 1, involuntary 0 0 0.002 0 0; receiver: voluntary 0.44 0.53 0.6 0.97 1, involuntary 0 0 0 0.001 0"
SW_SHM="sender: voluntary 0 0 0 0 0, involuntary 0 0 0 0 0; receiver: voluntary 0 0 0 0 0, involuntary 0 0 0 0 0"

# count TRANSPORT SENDER_INSTR RECEIVER_INSTR SENDER_TR SENDER_WRITES [OUT_BYTES [OBJECTS
#   [SWITCHES [SCOPE [CHECK]]]]]: a counted row of a 64K stream
count() {
	local obj=${7:-$PIPE_OBJ} sw=${8:-$SW_PIPE}
	[ "$1" != shm ] || { obj=${7:-"sender: shared map 249856 rw posix shm; receiver: shared map 249856 rw posix shm"}; sw=${8:-$SW_SHM}; }
	echo "$1,throughput,65536,1,count,cross-core,0,1,block,,$2,$3,$4,60.0,$5,1,\"sender: write $5; receiver: read 1\",${10:-exact},${6:-65536},0,0,65536,\"$obj\",\"$sw\",\"${9:-complete}\""
}
# timed TRANSPORT ROUNDS BYTES_PER_S [STEP]: a 64K stream's rows, round 1.., BYTES_PER_S + k*STEP
timed() {
	for ((k = 1; k <= $2; k++)); do
		echo "$1,throughput,65536,$k,,cross-core,0,1,block,$(($3 + k * ${4:-1})),,,,,,,,,,,,,,,"
	done
}
verdict() { # verdict FILE TRANSPORT: the verdict column of the transport's (one) line
	awk -v t="$2" '$1 == t { for (i = 1; i <= NF; i++) if ($i ~ /^(ok|improved|regressed|inconclusive|missing|more-work)$/) { print $i; exit } }' "$1"
}

{
	echo "$H"
	count pipe 340.6 775.5 84.0 1
	count shm 65928.6 66632.5 65671.9 0
} >"$WORK/base.csv"

"$BIN" compare "$WORK/base.csv" "$WORK/base.csv" >"$WORK/same.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c ' ok  *the same work: ' "$WORK/same.out")" -eq 2 ] &&
	grep -q '^2 groups compared: 0 regressed, 0 improved, 2 ok' "$WORK/same.out"
ok $? "the same signature is the same work: ok, with nothing timed (exit $st)"

# The pipe written in 16 KiB pieces: three more writes, and their instructions, per 64K message.
{
	echo "$H"
	count pipe 400.6 775.5 144.0 4
	count shm 65928.6 66632.5 65671.9 0
} >"$WORK/pieces.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/pieces.csv" >"$WORK/pieces.out" 2>&1
st=$?
[ $st -eq 5 ] && [ "$(verdict "$WORK/pieces.out" pipe)" = more-work ] &&
	grep -qE '^pipe .*more work per message, not timed here: sender \+60\.0 instructions per message \(\+17\.62%\), \+60\.0 in the transport; sender \+3 write per message' "$WORK/pieces.out"
ok $? "more writes per message, not timed: more-work, naming the instructions and the calls (exit $st)"

# A copy through a stack buffer: +0.5% of the sender's instructions, within the threshold.
{
	echo "$H"
	count pipe 340.6 775.5 84.0 1
	count shm 66258.2 66632.5 66001.5 0
} >"$WORK/small.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/small.csv" >"$WORK/small.out" 2>&1
st=$?
[ $st -eq 3 ] && [ "$(verdict "$WORK/small.out" shm)" = inconclusive ] &&
	grep -qE '^shm .*its work changed: sender \+329\.6 instructions per message \(\+0\.50%\), \+329\.6 in the transport; the time decides' "$WORK/small.out"
ok $? "a small change of work is for the time to decide, not ok (exit $st)"
"$BIN" compare "$WORK/small.csv" "$WORK/base.csv" >"$WORK/fewer.out" 2>&1
st=$?
[ $st -eq 3 ] && [ "$(verdict "$WORK/fewer.out" shm)" = inconclusive ]
ok $? "and fewer instructions are not improved without time (exit $st)"

# Kernel-side parts: a pipe of 32 KiB, bytes handed to the kernel, switches beyond the band.
{
	echo "$H"
	count pipe 340.6 775.5 84.0 1 65536 "sender: 2 x pipe buffer 32768; receiver: 2 x pipe buffer 32768" "sender: voluntary 1.99 2 2 1.99 2, involuntary 0 0 0 0 0; receiver: voluntary 1.99 2 2 2 1.99, involuntary 0 0 0 0 0"
	count shm 65928.6 66632.5 65671.9 0 65600
} >"$WORK/kernel.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/kernel.csv" >"$WORK/kernel.out" 2>&1
st=$?
[ $st -eq 3 ] && [ "$(verdict "$WORK/kernel.out" pipe)" = inconclusive ] &&
	grep -qE "^pipe .*its work changed: sender's kernel objects: 2 x pipe buffer 65536 in BASE, 2 x pipe buffer 32768 in NEW; receiver's kernel objects: .*; sender voluntary switches per message 0\.44-1 in BASE's 5 runs, 1\.99-2 in NEW's" "$WORK/kernel.out" &&
	grep -qE "^shm .*its work changed: sender's bytes to the kernel per message 65536 -> 65600" "$WORK/kernel.out" &&
	! grep -qE '^pipe .*instructions per message' "$WORK/kernel.out"
ok $? "the same instructions and calls, another pipe buffer, bytes or switches: the work changed, named (exit $st)"

# Switches within the band of the runs: the same work.
{
	echo "$H"
	count pipe 340.6 775.5 84.0 1 65536 "$PIPE_OBJ" "sender: voluntary 0.33 0.7 0.9 0.6 0.8, involuntary 0 0.004 0 0 0; receiver: voluntary 0.32 0.71 0.95 0.61 0.8, involuntary 0 0 0 0.003 0"
	count shm 65928.6 66632.5 65671.9 0
} >"$WORK/band.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/band.csv" >"$WORK/band.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c ' the same work: ' "$WORK/band.out")" -eq 2 ]
ok $? "switches that vary within the band of the runs are the same work (exit $st)"

# What the counts cannot see decides nothing: a server's work, timing-dependent counts,
# counted runs that disagree, a file without the signature.
{
	echo "$H"
	count pipe 340.6 775.5 84.0 1 65536 "$PIPE_OBJ" "$SW_PIPE" "partial: the server's work (another process) is not counted"
	count shm 65928.6 66632.5 65671.9 0 65536 "" "" complete "timing-dependent: receiver +2.10% with the receiver slowed"
} >"$WORK/partial.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/partial.csv" >"$WORK/partial.out" 2>&1
st=$?
[ $st -eq 3 ] &&
	grep -qE "^pipe .*inconclusive +counts cannot decide: NEW: partial: the server's work \(another process\) is not counted" "$WORK/partial.out" &&
	grep -qE "^shm .*inconclusive +counts cannot decide: NEW: its counts are not exact \(timing-dependent: receiver" "$WORK/partial.out"
ok $? "a server's work and timing-dependent counts: counts cannot decide (exit $st)"
{
	echo "$H"
	count pipe 340.6 775.5 84.0 1
	count shm 65928.6 66632.5 65671.9 0
	count shm 66928.6 66632.5 65671.9 0
} >"$WORK/moving.csv"
cut -d, -f1-18 "$WORK/base.csv" >"$WORK/old.csv"
"$BIN" compare "$WORK/old.csv" "$WORK/moving.csv" >"$WORK/moving.out" 2>&1
st=$?
[ $st -eq 3 ] && grep -qE "^shm .*counts cannot decide: BASE: no signature beyond the counts .*; NEW: its counted rows differ" "$WORK/moving.out"
ok $? "counts of an older file, and counted runs that disagree, decide nothing (exit $st)"

# A point its run could not count (a runtime that starts its own sides): its row says so, with
# no counts, and only the time can decide it.
{
	echo "$H"
	echo 'mpi,throughput,65536,1,count,cross-core,0,1,block,,,,,,,,,,,,,,,,"not counted: its runtime starts its sides, outside callgrind"'
	timed mpi 20 1000000000 1000000
} >"$WORK/mpi.csv"
"$BIN" compare "$WORK/mpi.csv" "$WORK/mpi.csv" >"$WORK/mpi.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(verdict "$WORK/mpi.out" mpi)" = ok ] &&
	grep -qE '^mpi .*ok +counts cannot decide: not counted: its runtime starts its sides, outside callgrind; time \+0\.0% .*, ok' "$WORK/mpi.out"
ok $? "a point that could not be counted is the time's to decide, and says why (exit $st)"
head -2 "$WORK/mpi.csv" >"$WORK/mpi-only.csv"
"$BIN" compare "$WORK/mpi-only.csv" "$WORK/mpi-only.csv" >"$WORK/mpi-only.out" 2>&1
st=$?
[ $st -eq 3 ] && grep -qE '^mpi .*inconclusive +counts cannot decide: not counted: its runtime' "$WORK/mpi-only.out"
ok $? "... and without times, inconclusive (exit $st)"

# Beside timed rows the time decides. The pipe in pieces doubles its throughput: improved,
# the extra calls its explanation.
{
	cat "$WORK/base.csv"
	timed pipe 20 1000000000 1000000
	timed shm 20 9000000000 1000000
} >"$WORK/tb.csv"
{
	cat "$WORK/pieces.csv"
	timed pipe 20 2000000000 1000000
	timed shm 20 9000000000 1000000
} >"$WORK/tn.csv"
"$BIN" compare --paired "$WORK/tb.csv" "$WORK/tn.csv" >"$WORK/tpieces.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(verdict "$WORK/tpieces.out" pipe)" = improved ] &&
	grep -qE '^pipe .*improved +sender \+60\.0 instructions per message .*; sender \+3 write per message; time \+99\.[0-9]% .*, improved' "$WORK/tpieces.out" &&
	grep -qE '^shm .* ok +the same work \(counted' "$WORK/tpieces.out" &&
	[ "$(grep -c ' count ' "$WORK/tpieces.out")" -eq 0 ]
ok $? "more calls that double the throughput: improved, the calls its explanation; counted groups shown through their timed ones (exit $st)"

# The same more work, its time unchanged (ok) or undecided: more-work, exit 5.
{
	cat "$WORK/pieces.csv"
	timed pipe 20 1000000000 1000000
	timed shm 20 9000000000 1000000
} >"$WORK/tn2.csv"
"$BIN" compare --paired "$WORK/tb.csv" "$WORK/tn2.csv" >"$WORK/tmore.out" 2>&1
st=$?
[ $st -eq 5 ] && [ "$(verdict "$WORK/tmore.out" pipe)" = more-work ] &&
	grep -qE '^pipe .*more work per message: sender \+60\.0 instructions .*; time \+0\.0% .*, shown within the threshold' "$WORK/tmore.out"
ok $? "more work whose time is shown unchanged: more-work, exit 5 (exit $st)"
{
	cat "$WORK/base.csv"
	timed pipe 3 1000000000 1000000
	timed shm 3 9000000000 1000000
} >"$WORK/fb.csv"
{
	cat "$WORK/pieces.csv"
	timed pipe 3 1000000000 1000000
	timed shm 3 9000000000 1000000
} >"$WORK/fn.csv"
"$BIN" compare --paired "$WORK/fb.csv" "$WORK/fn.csv" >"$WORK/tfew.out" 2>&1
st=$?
[ $st -eq 5 ] && [ "$(verdict "$WORK/tfew.out" pipe)" = more-work ] &&
	grep -qE '^pipe .*more work per message: .*not shown to change' "$WORK/tfew.out" &&
	[ "$(verdict "$WORK/tfew.out" shm)" = ok ] &&
	grep -qE '^shm .*the same work \(counted.*inconclusive: too few rounds' "$WORK/tfew.out"
ok $? "more work whose time is undecided: more-work; the same work whose time is undecided: ok (exit $st)"
"$BIN" compare --paired --undecided "$WORK/undecided" "$WORK/fb.csv" "$WORK/fn.csv" >/dev/null 2>&1
[ "$(cat "$WORK/undecided")" = "$(printf 'pipe\tthroughput\t65536')" ]
ok $? "more work not yet timed to a verdict is undecided, for ab-gate to time more: $(tr '\t\n' ' ;' <"$WORK/undecided")"

# The same counts, the throughput halved (the cost in the kernel): regressed, never hidden.
{
	cat "$WORK/base.csv"
	timed pipe 20 500000000 1000000
	timed shm 20 9000000000 1000000
} >"$WORK/tn3.csv"
"$BIN" compare --paired "$WORK/tb.csv" "$WORK/tn3.csv" >"$WORK/tslow.out" 2>&1
st=$?
[ $st -eq 1 ] && [ "$(verdict "$WORK/tslow.out" pipe)" = regressed ]
ok $? "the same counts with half the throughput: regressed (exit $st)"

# Timed groups without counts say so.
{
	cat "$WORK/base.csv" | sed '/^pipe/d'
	timed pipe 20 1000000000 1000000
	timed shm 20 9000000000 1000000
} >"$WORK/un.csv"
"$BIN" compare --paired "$WORK/un.csv" "$WORK/un.csv" >"$WORK/un.out" 2>&1
grep -qE '^pipe .*not counted: timed only' "$WORK/un.out"
ok $? "a timed group of a comparison with counts, without its own, says it was timed only"
timed pipe 20 1000000000 1000000 | sed "1i $H" >"$WORK/onlytimed.csv"
"$BIN" compare --paired --not-counted "valgrind is not installed" "$WORK/onlytimed.csv" \
	"$WORK/onlytimed.csv" >"$WORK/nc.out" 2>&1
grep -qE '^pipe .*not counted \(valgrind is not installed\): timed only' "$WORK/nc.out"
ok $? "--not-counted WHY: each timed group says why it was not counted"
"$BIN" compare --not-counted "" "$WORK/base.csv" "$WORK/base.csv" >/dev/null 2>"$WORK/nc.err"
st=$?
[ $st -eq 2 ] && grep -q 'not-counted: empty reason' "$WORK/nc.err"
ok $? "an empty --not-counted is refused (exit $st)"

# Malformed counted rows are refused, naming what is wrong.
cut -d, -f1-11,13- "$WORK/base.csv" >"$WORK/short.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/short.csv" >/dev/null 2>"$WORK/short.err"
st=$?
[ $st -eq 2 ] && grep -q 'a counted row without receiver_instr_per_msg' "$WORK/short.err"
ok $? "a counted row without a count column is refused, naming it (exit $st: $(cat "$WORK/short.err"))"
sed 's/,65536,0,0,65536,/,65536,0,,,/' "$WORK/base.csv" >"$WORK/halfbytes.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/halfbytes.csv" >/dev/null 2>"$WORK/half.err"
st=$?
[ $st -eq 2 ] && grep -q 'with 2 of the 4 kernel bytes columns' "$WORK/half.err"
ok $? "a counted row with some of the bytes columns is refused (exit $st: $(cat "$WORK/half.err"))"

done_testing
