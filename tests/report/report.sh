#!/bin/bash
# report.sh IPCBENCH - TAP test of `ipcbench report` on small hand-made CSVs whose verdicts are
# known: a claim that holds, one that does not, one that depends on placement, one that cannot
# be decided for lack of rows, medians over repeats, and malformed input (exit 2, named).
set -u
BIN=${1:?usage: report.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir report-test

HEADER="transport,mode,size_bytes,run,latency_kind,placement,wait,p50_ns,bytes_per_s,sender_cpu_ns_per_msg,receiver_cpu_ns_per_msg,host,cpu_model"
# row TRANSPORT PLACEMENT SIZE RTT_P50_NS BYTES_PER_S [RUN]: a latency row and a throughput row
row() {
	local run=${6:-1}
	echo "$1,latency,$3,$run,rtt,$2,block,$4,,,,fixture,\"CPU, with a comma\""
	echo "$1,throughput,$3,$run,,$2,block,,$5,1000,1000,fixture,\"CPU, with a comma\""
}
verdict() { # verdict REPORT CLAIM: the verdict line of a claim
	awk -v id="### $2." 'index($0, id) == 1 { f = 1; next } f && /^Verdict:/ { print; exit }' "$1"
}

# 1. C4 holds: Unix sockets beat TCP in every cell.
{
	echo "$HEADER"
	for p in cross-core same-core; do
		row unix-stream $p 64 10000 2000000000
		row tcp $p 64 20000 1000000000
	done
} >"$WORK/holds.csv"
"$BIN" report "$WORK/holds.csv" -o "$WORK/holds.md"
ok $? "report on a small CSV exits 0"
verdict "$WORK/holds.md" C4 | grep -q '\*\*holds\*\*'
ok $? "C4 holds when unix-stream is faster everywhere ($(verdict "$WORK/holds.md" C4))"
grep -q "unix-stream 10.0 us vs tcp 20.0 us" "$WORK/holds.md"
ok $? "the verdict names the rows and values that decided it"
verdict "$WORK/holds.md" C6 | grep -q 'not measured'
ok $? "C6 is 'not measured' without a file transport"

# 2. C4 does not hold: TCP is faster everywhere.
{
	echo "$HEADER"
	for p in cross-core same-core; do
		row unix-stream $p 64 30000 500000000
		row tcp $p 64 20000 1000000000
	done
} >"$WORK/not.csv"
"$BIN" report "$WORK/not.csv" -o "$WORK/not.md"
verdict "$WORK/not.md" C4 | grep -q '\*\*does not hold\*\*'
ok $? "C4 does not hold when tcp is faster everywhere ($(verdict "$WORK/not.md" C4))"

# 3. C4 and C1 depend on placement.
{
	echo "$HEADER"
	row unix-stream cross-core 64 10000 2000000000
	row tcp cross-core 64 20000 1000000000
	row unix-stream same-core 64 30000 500000000
	row tcp same-core 64 20000 1000000000
	row shm cross-core 64 300 9000000000
	row shm same-core 64 100000 100000000
} >"$WORK/dep.csv"
"$BIN" report "$WORK/dep.csv" -o "$WORK/dep.md"
verdict "$WORK/dep.md" C4 | grep -q 'depends on placement.*holds cross-core.*not same-core'
ok $? "C4 depends on placement ($(verdict "$WORK/dep.md" C4))"
verdict "$WORK/dep.md" C1 | grep -q 'depends on placement.*holds cross-core.*not same-core'
ok $? "C1 (shared memory fastest) depends on placement ($(verdict "$WORK/dep.md" C1))"

# 4. C3: a FIFO slightly slower holds; three times slower does not.
{
	echo "$HEADER"
	row pipe cross-core 64 10000 1000000000
	row fifo cross-core 64 11000 900000000
} >"$WORK/fifo1.csv"
{
	echo "$HEADER"
	row pipe cross-core 64 10000 1000000000
	row fifo cross-core 64 30000 300000000
} >"$WORK/fifo3.csv"
"$BIN" report "$WORK/fifo1.csv" -o "$WORK/fifo1.md"
"$BIN" report "$WORK/fifo3.csv" -o "$WORK/fifo3.md"
verdict "$WORK/fifo1.md" C3 | grep -q '\*\*holds\*\*'
ok $? "C3 holds for a FIFO 10% slower"
verdict "$WORK/fifo3.md" C3 | grep -q 'does not hold' && grep -q 'much slower' "$WORK/fifo3.md"
ok $? "C3 does not hold for a FIFO three times slower, and says 'much slower'"

# 5. Medians over repeats: 10, 100 and 20 us give 20 us.
{
	echo "$HEADER"
	row pipe cross-core 64 10000 1000000000 1
	row pipe cross-core 64 100000 1000000000 2
	row pipe cross-core 64 20000 1000000000 3
	row unix-stream cross-core 64 50000 1000000000 1
} >"$WORK/med.csv"
"$BIN" report "$WORK/med.csv" -o "$WORK/med.md"
grep -q '| 1 | pipe | block | 20.0 us' "$WORK/med.md" && grep -q 'up to 3 per row' "$WORK/med.md"
ok $? "numbers are medians over repeats (pipe 20.0 us from 10, 100 and 20 us)"

# 6. Malformed input: exit 2 and a message naming the problem.
: >"$WORK/empty.csv"
echo "transport,mode,size_bytes" >"$WORK/cols.csv"
{ echo "$HEADER"; echo "pipe,latency,64,1,rtt,cross-core,block,fast,,,,h,c"; } >"$WORK/num.csv"
{ echo "$HEADER"; echo "pipe,latency,64,1,rtt,cross-core,\"block,10,,,,h,c"; } >"$WORK/quote.csv"
echo "$HEADER" >"$WORK/header.csv"
while IFS='|' read -r file want; do
	"$BIN" report "$WORK/$file" -o "$WORK/x.md" 2>"$WORK/err"
	st=$?
	[ $st -eq 2 ] && grep -qF -- "$want" "$WORK/err"
	ok $? "$file: exit 2 naming '$want' (exit $st: $(head -c 200 "$WORK/err"))"
done <<'CASES'
empty.csv|empty file
cols.csv|missing column latency_kind
num.csv|num.csv:2: column p50_ns: 'fast' is not a number
quote.csv|quote.csv:2
header.csv|no measured rows
nosuch.csv|No such file
CASES
"$BIN" report >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "report without a CSV is a usage error"
"$BIN" report "$WORK/holds.csv" -o /no/such/dir/r.md 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "/no/such/dir" "$WORK/err"
ok $? "an unwritable output path fails with exit 1, naming it"

done_testing
