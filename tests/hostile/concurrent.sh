#!/bin/bash
# concurrent.sh - two ipcbench runs at once over every transport do not interfere (TAP), while a
# third process runs `ipcbench --cleanup` over and over: both succeed with every row, every
# message verified, and --cleanup never removes anything of theirs. They share TMPDIR, /dev/shm
# and the System V key space, so any fixed name or key would collide.
#
# Usage: concurrent.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# Every transport but those whose sides embed a JVM (lib.sh): three JVMs a run on 2 CPUs.
them=$(all_but_jvm)
runnable=$("$BIN" --list | awk -v them=",$them," 'NR > 1 && $2 == "yes" && index(them, "," $1 ",")' | wc -l)
pids=()
# Under AddressSanitizer the two drivers skip LeakSanitizer's check at exit: with every module
# loaded and this load beside them, its tracer (a clone of the exiting driver) was seen to die of
# SIGSEGV while scanning, after the run had ended and written everything, and the driver then
# waits for it forever. Every other test checks the same code paths for leaks.
lsan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
for i in 1 2; do
	ASAN_OPTIONS=$lsan "$BIN" -q -t "$them" -s 64,4K -m both -n 1000 -d 0 -w 10 --timeout 30 \
		--csv "$WORK/run$i.csv" >/dev/null 2>"$WORK/run$i.err" &
	pids+=($!)
	BG_PIDS+=($!)
done
rounds=0
clean_failed=0
: >"$WORK/cleanup.out"
while [ -e "/proc/${pids[0]}" ] || [ -e "/proc/${pids[1]}" ]; do
	"$BIN" --cleanup >>"$WORK/cleanup.out" 2>&1 || clean_failed=1
	rounds=$((rounds + 1))
	sleep 0.05
done
for i in 0 1; do
	wait "${pids[$i]}"
	st=$?
	ok $st "run $((i + 1)) (pid ${pids[$i]}) over all transports (but those embedding a JVM) exits 0 beside the other"
	[ $st -eq 0 ] || diag "$WORK/run$((i + 1)).err"
done
for i in 1 2; do
	# One main row per transport, size and mode (one-way rows come on top).
	# Read as CSV: a channel's description may hold a comma, inside quotes.
	rows=$(awk "$CSV_AWK"'NR == 1 { csv_split($0, h); for (c in h) col[h[c]] = c; next }
		{ csv_split($0, f) } f[col["latency_kind"]] == "rtt" || f[col["latency_kind"]] == "" { n++ }
		END { print n + 0 }' "$WORK/run$i.csv")
	[ "$rows" -eq $((runnable * 4)) ]
	ok $? "run $i has all $((runnable * 4)) rows ($runnable transports x 2 sizes x 2 modes; got $rows)"
	awk "$CSV_AWK"'NR == 1 { csv_split($0, h); for (c in h) col[h[c]] = c; next }
		{ csv_split($0, f) }
		f[col["transport"]] != "null" && (f[col["latency_kind"]] == "rtt" || f[col["latency_kind"]] == "") &&
		(f[col["messages"]] + 0 != 1000 || f[col["full_checks"]] + 0 < 15) { bad = 1; print "# " $0 }
		END { exit bad }' "$WORK/run$i.csv"
	ok $? "run $i: every row measured 1000 messages and checked some byte by byte"
done
[ $clean_failed -eq 0 ] && [ $rounds -ge 1 ] && ! grep -q "^removed\|^would remove" "$WORK/cleanup.out"
ok $? "$rounds concurrent --cleanup rounds removed nothing of the live runs"
grep "^removed" "$WORK/cleanup.out" | head -5 | diag
for i in 0 1; do
	[ -z "$(left_named "${pids[$i]}")" ]
	ok $? "run $((i + 1)) left nothing named ipcbench-${pids[$i]}-*"
done

done_testing
