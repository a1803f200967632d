#!/bin/bash
# report.sh IPCBENCH - TAP test of `ipcbench report` on small hand-made CSVs whose verdicts are
# known: a claim that holds, one that does not, one that depends on placement, one that cannot
# be decided (too few repeats, or too much spread), ties decided both ways, a claim decided in
# part, one that cannot be decided for lack of rows, medians over repeats, and malformed input
# (exit 2, named). Every comparison is decided from the repeats (five a side where it must be
# decidable) by a t-test of the log ratios, the claim's comparisons together by Holm's procedure,
# so each line must show the test that decided it.
set -u
BIN=${1:?usage: report.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/claims.sh"
tap_workdir report-test

HEADER="transport,mode,size_bytes,run,latency_kind,placement,wait,p50_ns,bytes_per_s,sender_cpu_ns_per_msg,receiver_cpu_ns_per_msg,host,cpu_model,data_path"
# path TRANSPORT: the data path the transport declares (--list NAME says it), as its rows carry it
path() {
	case $1 in
	shm | shm-* | sysv-shm | mmap) echo shared-memory ;;
	tcp | udp) echo network-stack ;;
	file) echo page-cache ;;
	*) echo kernel-copy ;;
	esac
}
# row TRANSPORT PLACEMENT SIZE RTT_P50_NS BYTES_PER_S [RUN]: a latency row and a throughput row
row() {
	local run=${6:-1} p
	p=$(path "$1")
	echo "$1,latency,$3,$run,rtt,$2,block,$4,,,,fixture,\"CPU, with a comma\",$p"
	echo "$1,throughput,$3,$run,,$2,block,,$5,1000,1000,fixture,\"CPU, with a comma\",$p"
}
# Run-to-run spread of a quiet machine (+-2 %) and of a noisy one (+-30 %), in per mille.
QUIET=(1000 1010 990 1020 980)
NOISY=(1000 1300 700 1250 750)
# runs N SPREAD TRANSPORT PLACEMENT SIZE RTT_P50_NS BYTES_PER_S: N repeats of row(), each value
# scaled by the next factor of the spread (QUIET or NOISY).
runs() {
	local n=$1 i f
	local -n spread=$2
	shift 2
	for ((i = 0; i < n; i++)); do
		f=${spread[i % ${#spread[@]}]}
		row "$1" "$2" "$3" $(($4 * f / 1000)) $(($5 / 1000 * f)) $((i + 1))
	done
}

# 1. C4 holds: Unix sockets beat TCP in every cell, shown by the repeats.
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET unix-stream $p 64 10000 2000000000
		runs 5 QUIET tcp $p 64 20000 1000000000
	done
} >"$WORK/holds.csv"
report_md "$WORK/holds.csv" "$WORK/holds.md"
ok $? "report on a small CSV exits 0"
verdict "$WORK/holds.md" C4 | grep -q '\*\*holds\*\* (4 of 4 decided comparisons hold); the same grade in 100% of 200 resamples'
ok $? "C4 holds when unix-stream is faster everywhere ($(verdict "$WORK/holds.md" C4))"
grep -q "unix-stream 10.0 us vs tcp 20.0 us" "$WORK/holds.md"
ok $? "the verdict names the rows and values that decided it"
[ "$(lines "$WORK/holds.md" C4 | grep -c ': yes - .* over 5 and 5 runs: unix-stream faster than tcp by more than 5% (p = [0-9.e-]*)$')" -eq 4 ]
ok $? "each comparison says what decided it: 5 runs a side, faster by more than 5 %, its p-value"
lines "$WORK/holds.md" C4 | grep -q 'unix-stream/tcp 0.50x \[0.4[0-9]x, 0.5[0-9]x\]'
ok $? "and the ratio with its interval ($(lines "$WORK/holds.md" C4 | head -1 | cut -c1-160))"
verdict "$WORK/holds.md" C6 | grep -q 'not measured'
ok $? "C6 is 'not measured' without a file transport"
grep -q 't-test of the per-round log ratios' "$WORK/holds.md" && grep -q 'Holm.s procedure at alpha 0.05' "$WORK/holds.md" &&
	grep -q 'faster by more than 5%' "$WORK/holds.md" && grep -q 'Like with like\|like with like' "$WORK/holds.md"
ok $? "the header says the rule: t-tests, a claim's comparisons under Holm at alpha 0.05, a 5 % margin, like with like"

# 2. C4 does not hold: TCP is faster everywhere.
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET unix-stream $p 64 30000 500000000
		runs 5 QUIET tcp $p 64 20000 1000000000
	done
} >"$WORK/not.csv"
report_md "$WORK/not.csv" "$WORK/not.md"
verdict "$WORK/not.md" C4 | grep -q '\*\*does not hold\*\* (0 of 4 decided comparisons hold)'
ok $? "C4 does not hold when tcp is faster everywhere ($(verdict "$WORK/not.md" C4))"
[ "$(lines "$WORK/not.md" C4 | grep -c ': no - .*: unix-stream not faster than tcp by more than 5% (p = [0-9.e-]*)$')" -eq 4 ]
ok $? "each comparison shows it is not faster by more than 5 %"

# 3. C4 and C1 depend on placement.
{
	echo "$HEADER"
	runs 5 QUIET unix-stream cross-core 64 10000 2000000000
	runs 5 QUIET tcp cross-core 64 20000 1000000000
	runs 5 QUIET unix-stream same-core 64 30000 500000000
	runs 5 QUIET tcp same-core 64 20000 1000000000
	runs 5 QUIET shm cross-core 64 300 9000000000
	runs 5 QUIET shm same-core 64 100000 100000000
} >"$WORK/dep.csv"
report_md "$WORK/dep.csv" "$WORK/dep.md"
verdict "$WORK/dep.md" C4 | grep -q '\*\*mixed\*\* (2 of 4 decided comparisons hold; holds cross-core; not same-core)'
ok $? "C4 is mixed, split by placement ($(verdict "$WORK/dep.md" C4))"
verdict "$WORK/dep.md" C1 | grep -q '\*\*mixed\*\* (2 of 4 decided comparisons hold; holds cross-core; not same-core)'
ok $? "C1 (shared memory fastest) is mixed, split by placement ($(verdict "$WORK/dep.md" C1))"
[ "$(lines "$WORK/dep.md" C4 | head -2 | grep -c ': no - ')" -eq 2 ]
ok $? "the exceptions are listed first"

# 4. Not decided: the CSV of case 1 with one run per row. No test on 1 and 1 runs can say
# anything, however far apart the values.
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 1 QUIET unix-stream $p 64 10000 2000000000
		runs 1 QUIET tcp $p 64 20000 1000000000
	done
} >"$WORK/single.csv"
report_md "$WORK/single.csv" "$WORK/single.md"
verdict "$WORK/single.md" C4 | grep -q '\*\*not decided\*\* (none of its 4 comparisons could be decided: 0 shown neither way, 4 not decidable with this sample)'
ok $? "C4 is not decided from single runs ($(verdict "$WORK/single.md" C4))"
[ "$(lines "$WORK/single.md" C4 | grep -c ': not decidable - unix-stream 10.0 us vs tcp 20.0 us.*; .*not decidable with this sample (a side of one run cannot test)$')" -eq 2 ]
ok $? "each of its comparisons says: not decidable with this sample"

# 5. Not decided with five runs a side: unix-stream 10 % faster, but the runs spread by 30 %.
{
	echo "$HEADER"
	runs 5 NOISY unix-stream cross-core 64 9000 1100000000
	runs 5 NOISY tcp cross-core 64 10000 1000000000
} >"$WORK/noisy.csv"
report_md "$WORK/noisy.csv" "$WORK/noisy.md"
verdict "$WORK/noisy.md" C4 | grep -q '\*\*not decided\*\*'
ok $? "C4 is not decided when the runs spread more than the difference ($(verdict "$WORK/noisy.md" C4))"
[ "$(lines "$WORK/noisy.md" C4 | grep -c 'over 5 and 5 runs: shown neither way (p = .* for, .* against; Holm over every test at this placement, size and measure)$')" -eq 2 ]
ok $? "its comparisons give both p-values"

# 6. Ties, decided: two mechanisms with the same values. A tie counts for C1 (shared memory at
# least as fast) and against C4 (Unix sockets faster).
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET shm $p 64 10000 2000000000
		runs 5 QUIET pipe $p 64 10000 2000000000
		runs 5 QUIET unix-stream $p 64 10000 2000000000
		runs 5 QUIET tcp $p 64 10000 2000000000
	done
} >"$WORK/tie.csv"
report_md "$WORK/tie.csv" "$WORK/tie.md"
verdict "$WORK/tie.md" C1 | grep -q '\*\*holds\*\* (4 of 4' &&
	[ "$(lines "$WORK/tie.md" C1 | grep -c ': yes - .*: shm not slower than [a-z-]* by 5% or more (p = [0-9.e-]*)$')" -eq 4 ]
ok $? "C1 holds on a tie: not slower by 5 % or more ($(verdict "$WORK/tie.md" C1))"
verdict "$WORK/tie.md" C4 | grep -q '\*\*does not hold\*\* (0 of 4' &&
	[ "$(lines "$WORK/tie.md" C4 | grep -c ': no - .*: unix-stream not faster than tcp by more than 5% (p = [0-9.e-]*)$')" -eq 4 ]
ok $? "C4 does not hold on a tie: not faster by more than 5 % ($(verdict "$WORK/tie.md" C4))"

# 7. Decided in part: five runs cross-core at 64 B and 4 KiB, one same-core. Then a claim with
# fewer than three decided comparisons: not graded, saying how many were decided.
{
	echo "$HEADER"
	for s in 64 4096; do
		runs 5 QUIET unix-stream cross-core $s 10000 2000000000
		runs 5 QUIET tcp cross-core $s 20000 1000000000
	done
	runs 1 QUIET unix-stream same-core 64 10000 2000000000
	runs 1 QUIET tcp same-core 64 20000 1000000000
} >"$WORK/part.csv"
report_md "$WORK/part.csv" "$WORK/part.md"
verdict "$WORK/part.md" C4 | grep -q '\*\*holds\*\* (4 of 4 decided comparisons hold; 0 more shown neither way, 2 not decidable with this sample)'
ok $? "a claim decided in part says how many comparisons were not decided ($(verdict "$WORK/part.md" C4))"
grep -v ',4096,' "$WORK/part.csv" >"$WORK/few.csv"
report_md "$WORK/few.csv" "$WORK/few.md"
verdict "$WORK/few.md" C4 | grep -q '\*\*not decided\*\* (too few decided: 2 of its 4 comparisons, 2 holding and 0 not, where a grade needs at least 3; 0 shown neither way, 2 not decidable with this sample)'
ok $? "two decided comparisons grade no claim: too few decided, with the count ($(verdict "$WORK/few.md" C4))"

# 8. C3: a FIFO slightly slower holds; three times slower does not; as fast does not (each at
# two placements: four comparisons).
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET pipe $p 64 10000 1000000000
		runs 5 QUIET fifo $p 64 11000 900000000
	done
} >"$WORK/fifo1.csv"
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET pipe $p 64 10000 1000000000
		runs 5 QUIET fifo $p 64 30000 300000000
	done
} >"$WORK/fifo3.csv"
{
	echo "$HEADER"
	for p in cross-core same-core; do
		runs 5 QUIET pipe $p 64 10000 1000000000
		runs 5 QUIET fifo $p 64 10000 1000000000
	done
} >"$WORK/fifo0.csv"
for f in fifo1 fifo3 fifo0; do report_md "$WORK/$f.csv" "$WORK/$f.md"; done
verdict "$WORK/fifo1.md" C3 | grep -q '\*\*holds\*\* (' &&
	lines "$WORK/fifo1.md" C3 | grep -q 'fifo slower than pipe by more than 5% and less than 1.5x (p = [0-9.e-]*)$'
ok $? "C3 holds for a FIFO 10% slower: slower by more than 5 % and less than 1.5x"
verdict "$WORK/fifo3.md" C3 | grep -q 'does not hold' && grep -q 'fifo much slower than pipe: by more than 1.5x' "$WORK/fifo3.md"
ok $? "C3 does not hold for a FIFO three times slower, and says 'much slower'"
verdict "$WORK/fifo0.md" C3 | grep -q 'does not hold' && grep -q 'fifo not slower than pipe by more than 5%' "$WORK/fifo0.md"
ok $? "C3 does not hold for a FIFO as fast as the pipe: not slower by more than 5 %"

# 9. Medians over repeats: 10, 100 and 20 us give 20 us.
{
	echo "$HEADER"
	row pipe cross-core 64 10000 1000000000 1
	row pipe cross-core 64 100000 1000000000 2
	row pipe cross-core 64 20000 1000000000 3
	row unix-stream cross-core 64 50000 1000000000 1
} >"$WORK/med.csv"
report_md "$WORK/med.csv" "$WORK/med.md"
grep -q '| 1 | pipe | block | 20.0 us' "$WORK/med.md" && grep -q "median over the rounds (3 for most groups)" "$WORK/med.md"
ok $? "numbers are medians over repeats (pipe 20.0 us from 10, 100 and 20 us)"

# 10. Malformed input: exit 2 and a message naming the problem.
: >"$WORK/empty.csv"
echo "transport,mode,size_bytes" >"$WORK/cols.csv"
{ echo "$HEADER"; echo "pipe,latency,64,1,rtt,cross-core,block,fast,,,,h,c,kernel-copy"; } >"$WORK/num.csv"
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
# Shaped loads: out of the guides' tables, in sections of their own. An open loop whose p99 is
# 5, 12, 30 and 8 us at 1000, 2000, 3000 and 4000 msg/s holds a 20 us bound up to 2000 only
# (at 4000 it is under again, but the bound did not hold at every rate below it), and up to
# 4000 with --slo p99=40us; the closed loop of 64 requests in flight is its maximum.
LH="$HEADER,p99_ns,p999_ns,inflight,pairs,topology,offered_rate,achieved_rate,late,losses,msgs_per_s,arrivals"
# open RUN RATE P99_NS
open_row() {
	echo "shm,latency,64,$1,rtt,cross-core,hybrid,1000,,,,fixture,cpu,shared-memory,$3,$(($3 * 2)),1,1,1:1,$2.0,$2.0,0,0,$2.0,fixed"
}
{
	echo "$LH"
	for run in 1 2 3; do
		open_row $run 1000 5000
		open_row $run 2000 12000
		open_row $run 3000 30000
		open_row $run 4000 8000
		echo "shm,latency,64,$run,rtt,cross-core,hybrid,900,,,,fixture,cpu,shared-memory,2000,3000,64,1,1:1,,,,,9000.0,"
		echo "shm,latency,64,$run,rtt,cross-core,hybrid,777,,,,fixture,cpu,shared-memory,2000,3000,1,2,1:1,,,,,5000.0,"
	done
	runs 5 QUIET unix-stream cross-core 64 10000 2000000000 | sed 's/$/,,,,,,,,,,,/'
} >"$WORK/load.csv"
report_md "$WORK/load.csv" "$WORK/load.md"
ok $? "report on a CSV with open-loop and other shaped rows exits 0"
grep -q '^### Latency against offered load' "$WORK/load.md" &&
	grep -q 'p99 <= 20.0 us (this placement.s default): held up to \*\*2.00k msg/s\*\* offered; the same channel.s closed-loop maximum: 9.00k msg/s (64 requests in flight)' "$WORK/load.md"
ok $? "open-loop rows: the rate up to which the p99 held under the placement's default bound, and the closed-loop maximum"
"$BIN" report "$WORK/load.csv" --slo p99=40us | grep -q 'p99 <= 40.0 us: held up to \*\*4.00k msg/s\*\*'
ok $? "--slo moves the bound"
# The verdict says what the rows printed above it show: with a 4 us bound no step (5, 12, 30,
# 8 us) met it, "not met at any rate"; with 10 us and the lowest step at 12 us, one step above
# it (4000: 8 us) met it.
"$BIN" report "$WORK/load.csv" --slo p99=4us | grep -q 'p99 <= 4.00 us: not met at any rate the generator kept'
ok $? "a bound no kept step met: not met at any rate"
sed 's/^\(shm,latency,64,[0-9],rtt,cross-core,hybrid,1000,,,,fixture,cpu,shared-memory,\)5000,10000,/\112000,24000,/' \
	"$WORK/load.csv" >"$WORK/load2.csv"
"$BIN" report "$WORK/load2.csv" --slo p99=10us | grep -q 'p99 <= 10.0 us: not met at the lowest rate kept (1.00k msg/s offered), met at 1 of the 3 kept steps above it'
ok $? "a bound met above a lowest step that missed it is said so, never 'at no rate' ($("$BIN" report "$WORK/load2.csv" --slo p99=10us | grep -o 'p99 <= 10.0 us: [^;]*'))"
# Where the sweep measured its own maximum (offered fraction 1.00, in its own rounds), the curve
# is set beside that one, not beside the run's other closed loops.
{
	echo "$(head -1 "$WORK/load.csv"),offered_fraction"
	tail -n +2 "$WORK/load.csv" | sed 's/$/,/'
	for run in 1 2 3; do
		echo "shm,latency,64,$run,rtt,cross-core,hybrid,1500,,,,fixture,cpu,shared-memory,3000,4000,1,1,1:1,,,,,7000.0,,1.00"
	done
} >"$WORK/load3.csv"
"$BIN" report "$WORK/load3.csv" | grep -q "the same channel's closed-loop maximum (the sweep's own, in the same rounds): 7.00k msg/s"
ok $? "a sweep's curve beside its own closed-loop maximum"
grep -q '^| cross-core | shm | latency | 2 pairs | 64 B | 5.00k msg/s | - | 777 ns |' "$WORK/load.md" &&
	sed '/^## Loads with a shape/,$d' "$WORK/load.md" >"$WORK/tables.md" &&
	grep -q 'unix-stream' "$WORK/tables.md" && ! grep -qE '777|900 ns|\| shm ' "$WORK/tables.md"
ok $? "two pairs in the closed loops of other shapes, and no shaped row in the guides' tables"
"$BIN" report "$WORK/load.csv" --slo p99.99=1ms >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q 'the CSV carries p50, p90, p99 and p99.9 only' "$WORK/err"
ok $? "--slo with a percentile the CSV does not carry is a usage error"

# Publish-subscribe (--deliver all): a section of its own, per size and number of receivers.
# shm-bcast fans out to one and to two receivers at 1M deliveries/s, losing nothing; zmq-ipc
# publishes 4M msg/s and delivers 400k (one receiver) and 800k (two, but for one round's 1.6M:
# the median is 800k), losing 90% of what two receivers were due.
PH="$HEADER,p99_ns,pairs,topology,losses,msgs_per_s,deliveries_per_s"
# bc TRANSPORT N RUN KIND P50 P99 LOSSES MSGS DELIVERIES: a broadcast's row (KIND "": its main one)
bc() {
	if [ -z "$4" ]; then
		echo "$1,throughput,64,$3,,cross-core,block,,$(($8 * 64)),100,100,fixture,cpu,kernel-copy,,1,1:$2 all,$7,$8.0,$9.0"
	else
		echo "$1,throughput,64,$3,$4,cross-core,block,$5,,100,100,fixture,cpu,kernel-copy,$6,1,1:$2 all,,,"
	fi
}
{
	echo "$PH"
	for run in 1 2 3; do
		for rcv in 1 2; do
			bc shm-bcast $rcv $run "" "" "" 0 $((1000000 / rcv)) 1000000
			bc shm-bcast $rcv $run one_way $((100 + 100 * rcv)) 900
			bc shm-bcast $rcv $run one_way_slowest $((150 + 100 * rcv)) 900
			bc shm-bcast $rcv $run one_way_last $((200 + 100 * rcv)) 1200
		done
		bc zmq-ipc 1 $run "" "" "" 900000 4000000 400000
		bc zmq-ipc 2 $run "" "" "" 1700000 4000000 $((run == 3 ? 1600000 : 800000))
		bc zmq-ipc 2 $run one_way 1600000 5000000
		bc zmq-ipc 2 $run one_way_slowest 1610000 5000000
		bc zmq-ipc 2 $run one_way_last 1650000 6000000
	done
	runs 5 QUIET unix-stream cross-core 64 10000 2000000000 | sed 's/$/,,,,,,/'
} >"$WORK/pubsub.csv"
report_md "$WORK/pubsub.csv" "$WORK/pubsub.md"
ok $? "report on a CSV with publish-subscribe rows exits 0"
sed -n '/^### Publish-subscribe/,$p' "$WORK/pubsub.md" >"$WORK/pubsub-section.md"
grep -q '^\*\*64 B, cross-core\*\*' "$WORK/pubsub-section.md" &&
	grep -qxF '| 1 | shm-bcast | 1.00M msg/s | 1.00M msg/s | 200 ns | 250 ns | 300 ns | 1.20 us | 0 |' "$WORK/pubsub-section.md" &&
	grep -qxF '| 2 | shm-bcast | 500k msg/s | 1.00M msg/s | 300 ns | 350 ns | 400 ns | 1.20 us | 0 |' "$WORK/pubsub-section.md" &&
	grep -qxF '| 2 | zmq-ipc | 4.00M msg/s | 800k msg/s | 1.60 ms | 1.61 ms | 1.65 ms | 6.00 ms | 1700000 (90%) |' "$WORK/pubsub-section.md" &&
	grep -qxF '| 1 | zmq-ipc | 4.00M msg/s | 400k msg/s | - | - | - | - | 900000 (90%) |' "$WORK/pubsub-section.md"
ok $? "publish-subscribe: per number of receivers, each transport's medians: published, deliveries, delays to every, the slowest and the last receiver, losses and their share"
[ "$(grep -c '^| 2 | ' "$WORK/pubsub-section.md")" -eq 2 ] &&
	grep -A3 '^| 2 | ' "$WORK/pubsub-section.md" | head -1 | grep -q 'shm-bcast'
ok $? "the fastest fan-out first at each number of receivers"
grep -qF -- '- to 2 receivers: the most deliveries, 1.00M msg/s, through **shm-bcast**; the last receiver reached soonest (p50 400 ns) through **shm-bcast**; losses at zmq-ipc (1700000).' "$WORK/pubsub-section.md"
ok $? "a line per number of receivers compares them: the most deliveries, the last receiver soonest, the losses"
sed '/^### Publish-subscribe/,$d' "$WORK/pubsub.md" >"$WORK/not-pubsub.md"
! grep -qE 'shm-bcast|zmq-ipc' "$WORK/not-pubsub.md"
ok $? "broadcast rows are in no other table (neither the guides' nor the closed loops of other shapes)"

# A run's p99 resting on few samples is said in words that count them: one sample past it in
# runs of 101-199 messages, the slowest message itself in runs of fewer than 100.
for m in "150:p99 from 1 sample:" "50:p99 its slowest message:"; do
	sed "1s/\$/,messages/; 2,\$s/\$/,${m%%:*}/" "$WORK/holds.csv" >"$WORK/few.csv"
	report_md "$WORK/few.csv" "$WORK/few.md"
	grep -q "${m%%:*} messages per run; a run's ${m#*:}" "$WORK/few.md" &&
		! grep -q "p99 from 1 samples\|p99 from 0 samples" "$WORK/few.md"
	ok $? "runs of ${m%%:*} messages: \"a run's ${m#*:}\""
done

"$BIN" report >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "report without a CSV is a usage error"
# An output that cannot be written is a usage error, as the driver's --csv is: exit 2, named.
for out in "-o /no/such/dir/r.md" "--html /no/such/dir/r.html" "--figure-data /no/such/dir"; do
	# shellcheck disable=SC2086 # an option and its value
	"$BIN" report "$WORK/holds.csv" $out 2>"$WORK/err"
	st=$?
	[ $st -eq 2 ] && grep -q -- "${out%% *} /no/such/dir" "$WORK/err"
	ok $? "report ${out%% *} to a directory that does not exist: exit 2, naming it (exit $st)"
done
"$BIN" -q -t null -s 64 -n 10 -d 0 --csv /no/such/dir/r.csv >/dev/null 2>&1
ok $(($? != 2)) "the driver's --csv to the same place: exit 2 too"

done_testing
