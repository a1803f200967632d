#!/bin/bash
# rule.sh IPCBENCH - TAP test of the one rule every comparison of `ipcbench report` passes (like
# with like), on hand-made CSVs where it must refuse: a loan against copies in a round trip, a
# zero-copy transport whose every send the kernel copied, a pipe tuned against a fifo never
# tried with that setting; where it must name a difference (two queue depths); and that what is
# printed twice has one value: a claim's grade in brief, in its section and in the tuned table,
# a group's median in the tables and in the figures' data with a flagged round set aside. An
# open-loop step whose sends were mostly late is named as missed, not measured.
set -u
BIN=${1:?usage: rule.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/claims.sh"
tap_workdir report-rule

H="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,data_path,rides_on,channel,messages,full_checks,zerocopy_copied,buffer_bytes,options,tuning,state,host,cpu_model"
QUIET=(1000 1010 990 1020 980)
# rr TRANSPORT SIZE RTT_NS BPS PATH RIDES_ON CHANNEL FULL_CHECKS ZC_COPIED BUFFER OPTIONS TUNING:
# five rounds of a round trip and a stream, cross-core, readers that sleep; FULL_CHECKS of 1000
# messages were read in full, on both rows.
rr() {
	local r f
	for r in 1 2 3 4 5; do
		f=${QUIET[r - 1]}
		echo "$1,latency,$2,$r,$r,rtt,cross-core,block,$(($3 * f / 1000)),,2.0,$5,$6,$7,1000,$8,$9,${10},${11},${12},,fixture,cpu"
		echo "$1,throughput,$2,$r,$r,,cross-core,block,,$(($4 / 1000 * f)),2.0,$5,$6,$7,1000,$8,$9,${10},${11},${12},,fixture,cpu"
	done
}
{
	echo "$H"
	for s in 64 1048576; do
		rr shm-zc $s 200 9000000000 shared-memory shm "zerocopy; ring" 20 "" "" "" ""
		rr shm $s 400 4000000000 shared-memory "" ring 1000 "" "" "" ""
		rr pipe $s 5000 400000000 kernel-copy "" pipe 1000 "" 65536 size=0 ""
		rr pipe $s 5000 1200000000 kernel-copy "" pipe 1000 "" 1048576 size=1048576 size=1048576
		rr fifo $s 5500 380000000 kernel-copy "" fifo 1000 "" 65536 size=0 ""
		rr tcp $s 20000 300000000 network-stack "" tcp 1000 "" 2500000 "" ""
		rr tcp-zc $s 21000 600000000 network-stack tcp "zerocopy; MSG_ZEROCOPY" 1000 1.0 2500000 "" ""
		rr posix-mq $s 15000 100000000 kernel-copy "" queue 1000 "" 640 "" ""
		rr sysv-mq $s 16000 110000000 kernel-copy "" queue 1000 "" 16384 "" ""
	done
} >"$WORK/rule.csv"
report_md "$WORK/rule.csv" "$WORK/rule.md" 2>"$WORK/err"
ok $? "report on a CSV of loans, copied zero-copy sends, a tuned pipe and two queue depths exits 0"

# Every decided line outside C13 that names a loan or copied zero-copy sends is a rule broken.
decided_with() { # CLAIM-RANGE-END-EXCLUDED TRANSPORT
	awk '/^### C[0-9]+\./ { c = $2 } /^- [a-z-]+, [0-9]+[A-Z ]*B?, .*: (yes|no) - / && c != "C13." { print }' "$WORK/rule.md" |
		grep -- " $1 "
}
[ -z "$(decided_with shm-zc)" ] &&
	lines "$WORK/rule.md" C1 | grep -q '^- not compared: shm-zc vs .*, cross-core, 64 B, round trip p50: shm-zc is a loan (its receiver read 2.0% of the payloads in full'
ok $? "a loan decides no round trip: no claim but C13 has a yes or no line with shm-zc, and C1 says why ($(decided_with shm-zc | head -1 | cut -c1-100))"
lines "$WORK/rule.md" C13 | grep -q '^- cross-core, 64 B, round trip p50: yes - shm-zc 200 ns \[a loan: read in place, 2.0% of the messages in full\] vs shm 400 ns'
ok $? "the loan stands against its copying original in C13"
[ -z "$(lines "$WORK/rule.md" C13 | grep -E ': (yes|no) - tcp-zc')" ] &&
	lines "$WORK/rule.md" C13 | grep -q "^- not compared: tcp-zc vs tcp, cross-core, 64 B, throughput: tcp-zc's zero-copy sends were copied after all (100% of them)"
ok $? "zero-copy that never happened is not zero-copy: C13 refuses tcp-zc with every send copied, saying so"
grep -q '^- C3 at its best, not compared: fifo vs pipe size=1048576, cross-core, 64 B, throughput: pipe size=1048576 is tuned (size=1048576) and fifo was not tried with size$' "$WORK/rule.md" &&
	grep -q '^| C3 | holds | not decided (2 of 2 decided hold, too few to grade; 2 not compared) |$' "$WORK/rule.md"
ok $? "a pipe tuned and a fifo never tried with its setting are not compared at their best ($(grep '^| C3 |' "$WORK/rule.md" | paste -sd" "))"
lines "$WORK/rule.md" C5 | grep -q '^- cross-core, 64 B, throughput: no - posix-mq 100.0 MB/s vs sysv-mq 110.0 MB/s, readers that sleep (buffers differ: posix-mq holds 640 B, sysv-mq 16 KiB)'
ok $? "two queue depths are named on the line that compares them"

# The grade of every claim, in brief, in its section and in the tuned table's first column.
same=0
for c in C1 C2 C3 C5 C8 C9 C13; do
	brief=$(awk -F' \\| ' -v c="| $c" 'index($0, c " |") == 1 { print $3; exit }' "$WORK/rule.md")
	section=$(verdict "$WORK/rule.md" "$c" | sed -n 's/^Verdict: \*\*\([a-z ]*\)\*\*.*/\1/p')
	tuned=$(awk -F' \\| ' -v c="| $c" '$1 == c && NF == 3 { print $2; exit }' "$WORK/rule.md")
	if [ -z "$brief" ] || [ "$brief" != "$section" ] || [ "$section" != "$tuned" ]; then
		diag <<<"$c: brief '$brief', section '$section', tuned table '$tuned'"
		same=1
	fi
done
ok $same "a claim's grade is one value: in brief, in its section and in the tuned table"

# A round whose wake-up probe jumped (200 us against 50 us) is set aside (probe-jump): the table
# and the figures' data both give the median of the other five, 400 ns, not the 2 us round's.
FH="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,data_path,probe_wakeup_ns,host,cpu_model"
{
	echo "$FH"
	for r in 1 2 3 4 5; do
		echo "shm,latency,64,$r,$r,rtt,cross-core,block,$((400 * ${QUIET[r - 1]} / 1000)),,2.0,shared-memory,50000,fixture,cpu"
		echo "pipe,latency,64,$r,$r,rtt,cross-core,block,$((5000 * ${QUIET[r - 1]} / 1000)),,2.0,kernel-copy,50000,fixture,cpu"
	done
	echo "shm,latency,64,6,6,rtt,cross-core,block,2000,,2.0,shared-memory,200000,fixture,cpu"
} >"$WORK/flag.csv"
report_md "$WORK/flag.csv" "$WORK/flag.md" &&
	"$BIN" report "$WORK/flag.csv" --figure-data "$WORK/fig"
st=$?
fig=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["series"] == "shm" && $c["kind"] == "rtt" { print $c["p50"] }' "$WORK/fig/summary.csv" 2>/dev/null)
[ $st -eq 0 ] && grep -q '^| 1 | shm | block | 400 ns |' "$WORK/flag.md" && [ "$fig" = 400 ]
ok $? "a group with a flagged round: the table's median and the figures' data agree (table $(grep -o '^| 1 | shm | block | [^|]*' "$WORK/flag.md"), figure data $fig)"

# An open-loop step whose sends were mostly late measured the generator: named, no latencies.
OH="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,p99_ns,p999_ns,messages,offered_rate,achieved_rate,late,losses,arrivals,host,cpu_model,data_path"
{
	echo "$OH"
	for r in 1 2 3; do
		echo "shm,latency,64,$r,$r,rtt,cross-core,hybrid,1000,,5000,9000,1000,1000.0,1000.0,0,0,fixed,fixture,cpu,shared-memory"
		echo "shm,latency,64,$r,$r,rtt,cross-core,hybrid,900000,,2000000,3000000,1000,2000.0,1990.0,800,0,fixed,fixture,cpu,shared-memory"
	done
} >"$WORK/late.csv"
report_md "$WORK/late.csv" "$WORK/late.md" &&
	grep -q '^| 2.00k msg/s | 1.99k msg/s | 80% | 3 | - | - | - | .* | missed: late sends |$' "$WORK/late.md" &&
	! grep -q '900 us' "$WORK/late.md"
ok $? "an open-loop step with 80% of its sends late is named missed, and its latencies are not shown ($(grep -m1 'missed' "$WORK/late.md"))"

done_testing
