#!/bin/bash
# smallstack.sh - a small stack (TAP): under `prlimit --stack=32768`, where coreutils and shells
# still run, and 24576 for margin, a sweep of every transport with the floors ends with exit 0,
# or 1 with each failure named by its transport (a server or a side that cannot live on such a
# stack is skipped or fails its runs, saying so and naming the stack limit), never with a crash
# of ipcbench, and leaves nothing behind; `ipcbench report` and `ipcbench compare` of the
# reference CSV write what they write without the limit.
#
# What cannot run on 32 KiB of stack, whatever ipcbench does: Erlang (rabbitmq-server's node, so
# amqp is skipped) and Open MPI's mpirun (mpi's runs fail). At 24 KiB the sides of redis
# (hiredis reads each reply through a 16 KiB buffer on the stack) and of zmq-ipc and zmq-tcp
# (libzmq's threads get the stack limit as their size) may die too. Each is reported as such.
#
# Usage: smallstack.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"
REF=$(ls "$(dirname "$0")"/../../results/*.csv 2>/dev/null | head -n 1)

if is_asan; then
	echo "1..0 # SKIP AddressSanitizer's redzones and fake stacks need more than 32 KiB of stack"
	exit 0
fi

# A line of the driver's stderr that is no failure, or a failure named by its transport: a
# transport skipped, a run of a placement, transport, mode and size failed, or their count.
named='^ipcbench: (skipping [a-z0-9:/._-]+: |[a-z-]+ [a-z0-9:/._-]+ (latency|throughput|bistream) [0-9]+[KMG]? run [0-9]+: |[0-9]+ of [0-9]+ runs failed$|warning: |probe of CPUs )'
other='^(\[|# |ipcbench: [a-z0-9-]+ (latency|throughput|bistream) [0-9]+[KMG]?: one-way rows left out)'

for stack in 32768 24576; do
	what="a sweep of every transport under a $((stack / 1024)) KiB stack"
	prlimit --stack=$stack "$BIN" -t all -s 64,1M -n 5 -d 0 -w 1 --floor \
		--csv "$WORK/all-$stack.csv" >"$WORK/all-$stack.out" 2>"$WORK/all-$stack.err" &
	pid=$!
	wait $pid
	st=$?
	{ [ $st -eq 0 ] || [ $st -eq 1 ]; } && ! grep -qE 'Sanitizer|runtime error' "$WORK/all-$stack.err"
	ok $? "$what: exit 0 or 1, no crash of ipcbench (exit $st)"
	[ $st -lt 2 ] || diag "$WORK/all-$stack.err"
	grep -vE "$named" "$WORK/all-$stack.err" | grep -vE "$other" >"$WORK/all-$stack.odd"
	[ ! -s "$WORK/all-$stack.odd" ]
	ok $? "$what: every failure names its transport"
	diag "$WORK/all-$stack.odd"
	! grep -E "signal $(kill -l SEGV) " "$WORK/all-$stack.err" | grep -qv "the stack limit is $((stack / 1024)) KiB"
	ok $? "$what: every process that died of SIGSEGV is said to have had a $((stack / 1024)) KiB stack"
	[ "$(csv_rows "$WORK/all-$stack.csv")" -gt 0 ] &&
		awk "$CSV_AWK"'{ nf = csv_split($0, f) } NR == 1 { want = nf } nf != want { bad = 1 }
			END { exit bad }' "$WORK/all-$stack.csv"
	ok $? "$what: the rows measured are in the CSV, whole ($(csv_rows "$WORK/all-$stack.csv"))"
	grep -E '^ipcbench: (skipping|.* run [0-9]+: )' "$WORK/all-$stack.err" | head -n 20 | diag
	[ -z "$(left_named $pid)" ] && [ -z "$(ls -A "$TMPDIR")" ]
	ok $? "$what: nothing is left behind"
	left_named $pid | diag
done

if [ -z "$REF" ]; then
	skip "report and compare under a small stack" "no reference CSV in results/"
else
	"$BIN" report "$REF" >"$WORK/report.md" 2>"$WORK/report.err"
	"$BIN" compare "$REF" "$REF" >"$WORK/compare.txt" 2>"$WORK/compare.err"
	want=$?
	for stack in 32768 24576; do
		prlimit --stack=$stack "$BIN" report "$REF" >"$WORK/report-$stack.md" \
			2>"$WORK/report-$stack.err"
		st=$?
		[ $st -eq 0 ] && cmp -s "$WORK/report.md" "$WORK/report-$stack.md"
		ok $? "ipcbench report of the reference CSV under a $((stack / 1024)) KiB stack: exit 0 (got $st), the same report"
		[ $st -eq 0 ] || diag "$WORK/report-$stack.err"
		prlimit --stack=$stack "$BIN" compare "$REF" "$REF" >"$WORK/compare-$stack.txt" \
			2>"$WORK/compare-$stack.err"
		st=$?
		[ $st -eq $want ] && cmp -s "$WORK/compare.txt" "$WORK/compare-$stack.txt"
		ok $? "ipcbench compare of the reference CSV with itself under a $((stack / 1024)) KiB stack: exit $want (got $st), the same table"
		[ $st -eq $want ] || diag "$WORK/compare-$stack.err"
	done
fi

done_testing
