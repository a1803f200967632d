#!/bin/bash
# smallstack.sh - a small stack (TAP): under `prlimit --stack=32768`, where coreutils and shells
# still run, and 24576 for margin, a sweep of every transport with the floors ends with exit 0,
# or 1 with each failure named by its transport (a server or a side that cannot live on such a
# stack is skipped or fails its runs, saying so and naming the stack limit), never with a crash
# of ipcbench, and leaves nothing behind; `ipcbench report` and `ipcbench compare` of the
# reference CSV write what they write without the limit, and so do `ipcbench history DB`,
# `ipcbench history DB --import FILE` and `ipcbench compare --db DB --baseline last NEW` of a
# history of two short runs (skipped where SQLite's library cannot be opened).
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

# ref NAME ARGS...: `ipcbench ARGS` without a limit into $WORK/NAME.out and .err, its status
# in $WORK/NAME.st. same_under STACK NAME WHAT ARGS...: under a STACK-byte stack it exits as it
# did there and writes the same to stdout and stderr.
ref() {
	local name=$1
	shift
	"$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.st"
}
same_under() {
	local stack=$1 name=$2 what=$3 want st
	shift 3
	want=$(cat "$WORK/$name.st")
	prlimit --stack="$stack" "$BIN" "$@" >"$WORK/$name-$stack.out" 2>"$WORK/$name-$stack.err"
	st=$?
	[ $st -eq "$want" ] && cmp -s "$WORK/$name.out" "$WORK/$name-$stack.out" &&
		cmp -s "$WORK/$name.err" "$WORK/$name-$stack.err"
	ok $? "$what under a $((stack / 1024)) KiB stack: exit $want (got $st), the same output"
	[ $st -eq "$want" ] || diag "$WORK/$name-$stack.err"
}
# A fresh copy of the two runs' history to import into: the same run number every time.
imp_db() { rm -f "$WORK"/imp.db* && cp "$WORK/h.db" "$WORK/imp.db"; }

# The results history: a file of two short runs, each stored with --db as it is measured.
"$BIN" -q -t pipe,shm -s 64 -n 200 -r 2 --db "$WORK/h.db" --commit aaa --csv "$WORK/a.csv" \
	>/dev/null 2>"$WORK/h-a.err"
sta=$?
if grep -q "needs SQLite" "$WORK/h-a.err"; then
	why="SQLite's library cannot be opened, and the results history needs it"
	skip "a history of two runs stored with --db" "$why"
	diag "$WORK/h-a.err"
	for stack in 32768 24576; do
		for what in "ipcbench history DB" "ipcbench history DB --import FILE" \
			"the run that import stored" "ipcbench compare --db DB --baseline last NEW"; do
			skip "$what under a $((stack / 1024)) KiB stack" "$why"
		done
	done
else
	"$BIN" -q -t pipe,shm -s 64 -n 200 -r 2 --db "$WORK/h.db" --commit bbb \
		--csv "$WORK/b.csv" >/dev/null 2>"$WORK/h-b.err"
	stb=$?
	# A third run's rows, not stored: importing a run the history holds is refused.
	"$BIN" -q -t pipe,shm -s 64 -n 200 -r 2 --csv "$WORK/c.csv" >/dev/null 2>&1
	ref history history "$WORK/h.db"
	imp_db
	ref import history "$WORK/imp.db" --import "$WORK/c.csv" --commit ccc
	ref imported history "$WORK/imp.db"
	ref compare-db compare --db "$WORK/h.db" --baseline last "$WORK/b.csv"
	[ $sta -eq 0 ] && [ $stb -eq 0 ] && [ "$(cat "$WORK/history.st")" -eq 0 ] &&
		grep -q "^# 2 runs: 2 complete" "$WORK/history.out" &&
		[ "$(cat "$WORK/import.st")" -eq 0 ] && grep -q "stored as run 3" "$WORK/import.out" &&
		grep -q "(baseline last: run 1, commit aaa" "$WORK/compare-db.out"
	ok $? "a history of two runs stored with --db (exit $sta and $stb), which history shows, an import adds to and compare takes run 1 from"
	cat "$WORK/h-a.err" "$WORK/h-b.err" "$WORK/history.err" "$WORK/import.err" \
		"$WORK/compare-db.err" | diag
	for stack in 32768 24576; do
		same_under $stack history "ipcbench history DB" history "$WORK/h.db"
		imp_db
		same_under $stack import "ipcbench history DB --import FILE" \
			history "$WORK/imp.db" --import "$WORK/c.csv" --commit ccc
		"$BIN" history "$WORK/imp.db" >"$WORK/imported-$stack.out" 2>"$WORK/imported-$stack.err"
		cmp -s "$WORK/imported.out" "$WORK/imported-$stack.out"
		ok $? "the run that import stored under a $((stack / 1024)) KiB stack is the one it stores without the limit"
		same_under $stack compare-db "ipcbench compare --db DB --baseline last NEW" \
			compare --db "$WORK/h.db" --baseline last "$WORK/b.csv"
	done
fi

done_testing
