#!/bin/bash
# rounds.sh IPCBENCH - TAP test of what `ipcbench report` makes of rounds, on hand-made CSVs whose
# answers are known: a group whose rounds fall into two modes is shown as two modes with their
# shares and the column that tells them apart; a round trip faster than its own probe allows is
# set aside and named; comparisons pair the rounds, so a common per-round noise that hides a
# difference from two independent sets does not hide it from the pairs; and a claim whose
# grade changes from one resample of the rounds to another keeps the grade its comparisons give
# and says how often the resamples gave it (unstable); a sweep's step is one experiment however
# its share is spelled.
set -u
BIN=${1:?usage: rounds.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/claims.sh"
tap_workdir report-rounds

HEADER="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,sender_cpu_ns_per_msg,receiver_cpu_ns_per_msg,probe_cacheline_ns,probe_wakeup_ns,state,host,cpu_model"
# lat TRANSPORT PLACEMENT SIZE ROUND P50 [PROBE_CL] [CTX]: a round trip row of a round
lat() {
	echo "$1,latency,$3,$4,$4,rtt,$2,block,$5,,${7:-2.0},1000,1000,${6:-300},40000,,fixture,cpu"
}
# str TRANSPORT PLACEMENT SIZE ROUND BYTES_PER_S [CTX]: a stream row of a round
str() {
	echo "$1,throughput,$3,$4,$4,,$2,block,,$5,${6:-0.01},1000,1000,300,40000,,fixture,cpu"
}

# 1. Two modes: signal's 1 MiB stream in 5 of 8 rounds near 60 MB/s with few context switches,
# in 3 near 0.4 MB/s with many: the report shows both, not their median. Its reader polls in
# every round (under 0.5 switches a message), while its round trip's sleeps: each row's class
# is its own, and the speed table, ranked by the round trip, says so beside the stream.
{
	echo "$HEADER"
	r=1
	for v in 55000000 60000000 58000000 62000000 57000000; do
		str signal cross-core 1048576 $r $v 0.0002
		lat signal cross-core 64 $r 2600
		r=$((r + 1))
	done
	for v in 300000 500000 400000; do
		str signal cross-core 1048576 $r $v 0.35
		lat signal cross-core 64 $r 2600
		r=$((r + 1))
	done
} >"$WORK/modes.csv"
report_md "$WORK/modes.csv" "$WORK/modes.md"
ok $? "report on a CSV with rounds exits 0"
grep -q '^| signal | cross-core | 1M | throughput | 8 | .* | 400.0 kB/s in 3/8; 58.0 MB/s in 5/8 | ctx/msg 0.35 vs 0.0002 |$' "$WORK/modes.md"
ok $? "the two-mode group is shown as two modes, with their shares and what tells them apart"
grep '^| signal | cross-core | 1M | throughput' "$WORK/modes.md" | diag
grep -q '1 groups. rounds fall into separate modes' "$WORK/modes.md"
ok $? "and counted as a group with modes"
# The same modes with context switches that differ by a switch every 5000 messages (0.0003 and
# 0.0002: both no switch at all to speak of) and probes alike: nothing tells them apart.
sed '2,$s/,0\.35,/,0.0003,/' "$WORK/modes.csv" >"$WORK/modes-alike.csv"
report_md "$WORK/modes-alike.csv" "$WORK/modes-alike.md"
grep -q '^| signal | cross-core | 1M | throughput | 8 | .* | 400.0 kB/s in 3/8; 58.0 MB/s in 5/8 | no column |$' "$WORK/modes-alike.md"
ok $? "modes whose switches lie 0.0001 a message apart are told apart by no column"
grep '^| signal | cross-core | 1M | throughput' "$WORK/modes-alike.md" | diag
grep -q '| signal | block | 2.60 us | 400.0 kB/s in 3/8, 58.0 MB/s in 5/8 \[its reader polls here\] |' "$WORK/modes.md"
ok $? "the speed table gives the modes instead of a median, and the stream's own class"
sed -n '/^## The answers in brief/,/^### The guides/p' "$WORK/modes.md" |
	grep -q '^- readers that [a-z]*: \*\*signal\*\* 400.0 kB/s in 3/8, 58.0 MB/s in 5/8$'
ok $? "the answers in brief give the modes as the tables do, not a median that neither mode has"
grep -q '^| signal | cross-core | 64 B | round trip p50 | 8 | 2.60 us' "$WORK/modes.md" &&
	! grep '^| signal | cross-core | 64 B | round trip p50' "$WORK/modes.md" | grep -q ' in '
ok $? "a group without modes keeps its median"

# 1b. A claim's line gives a side's median, and where its rounds fell into modes says so (the
# tables give each mode): unix-stream's round trip in 5 rounds near 10 us, in 3 near 30 us.
{
	echo "$HEADER"
	for r in 1 2 3 4 5 6 7 8; do
		lat unix-stream cross-core 64 $r $((r <= 5 ? 10000 + r * 50 : 30000 + r * 50))
		lat tcp cross-core 64 $r $((60000 + r * 50))
	done
} >"$WORK/cmodes.csv"
report_md "$WORK/cmodes.csv" "$WORK/cmodes.md" &&
	lines "$WORK/cmodes.md" C4 | grep -q '^- cross-core, 64 B, round trip p50: yes - unix-stream [0-9.]* us (rounds in 2 modes) vs tcp [0-9.]* us,'
ok $? "a claim's line says which side's rounds fell into modes ($(lines "$WORK/cmodes.md" C4 | head -1 | cut -c1-120))"

# 1c. Like with like in the machine's state: unix-stream ran rounds 1-3 in the placement's slow
# state (probe 500 ns, 14 us) and 4-5 in its fast one (300 ns, 10 us); tcp ran 1-3 in the fast
# state (10 us) and 4-5 in the slow. Each keeps its runs of the fast state, however few, and
# sets the others aside: paired by round, the rounds both measured would hold unix-stream's
# slow runs against tcp's fast ones (1.40x); in one state, its two fast runs against tcp's
# three, they are alike, and the median each line gives is of the runs its test took
# (unix-stream's over all five read 14 us). fifo and posix-mq ran in the fast state throughout.
{
	echo "$HEADER"
	us=(14000 14200 13900 10000 10050) usp=(500 510 490 300 310)
	tc=(10000 10100 9900 14000 14100) tcp=(300 290 305 500 495)
	pp=(20000 20100 19900 20050 19950) ppp=(300 295 305 310 290)
	for r in 1 2 3 4 5; do
		lat unix-stream cross-core 64 $r "${us[r - 1]}" "${usp[r - 1]}"
		lat tcp cross-core 64 $r "${tc[r - 1]}" "${tcp[r - 1]}"
		lat fifo cross-core 64 $r "${pp[r - 1]}" "${ppp[r - 1]}"
		lat posix-mq cross-core 64 $r "${pp[r - 1]}" "${ppp[r - 1]}"
	done
} >"$WORK/states.csv"
report_md "$WORK/states.csv" "$WORK/states.md"
grep -q 'unix-stream 10.0 us vs tcp 10.0 us, readers that sleep; unix-stream/tcp 1.00x \[0.99x, 1.02x\] over 2 and 3 runs: unix-stream not faster than tcp by more than 5%' "$WORK/states.md" &&
	! grep -q 'unix-stream/tcp 1.40x' "$WORK/states.md"
ok $? "a comparison takes both sides' runs in the one state of the machine they share, never a run of one state against a run of the other"
grep -q '^| 2 | unix-stream | block | 10.0 us (14.0 us in the machine.s slow state, 3 runs, set aside) |' "$WORK/states.md" &&
	grep -q '\*\*unix-stream\*\* 10.0 us (14.0 us in the machine.s slow state, 3 runs, set aside)' "$WORK/states.md" &&
	grep -q '^- cross-core: the cache-line probes beside the runs fell into two states of the machine: a fast one, 300 ns (15 runs), and a slow one, 500 ns (5 runs), .*a group.s runs are kept in the fast one where it has any;' "$WORK/states.md"
ok $? "a group in both states keeps its runs of the fast one, however few: its median in the tables and the answers is the one its tests took"
grep -m1 'unix-stream/tcp' "$WORK/states.md" | diag

# 1d. A fast state too rare to keep first: 3 of 20 runs (probe 150 ns), the rest slow (600 ns).
# The groups keep their slow runs, so that none keeps one fast run where the others keep four
# slow ones (and stands against none of them); pipe's fast round 1 is set aside.
{
	echo "$HEADER"
	for r in 1 2 3 4 5; do
		lat pipe cross-core 64 $r $((r == 1 ? 8000 : 12000 + r * 10)) $((r == 1 ? 150 : 600))
		lat fifo cross-core 64 $r $((r <= 2 ? 9000 : 13000 + r * 10)) $((r <= 2 ? 150 : 600))
		lat tcp cross-core 64 $r $((20000 + r * 10)) 600
		lat udp cross-core 64 $r $((21000 + r * 10)) 600
	done
} >"$WORK/rare.csv"
report_md "$WORK/rare.csv" "$WORK/rare.md"
grep -q '^- cross-core: the cache-line probes beside the runs fell into two states of the machine: a slow one, 600 ns (17 runs), and a fast one, 150 ns (3 runs), .*a group.s runs are kept in the slow one where it has any (the fast one held under two fifths of the runs);' "$WORK/rare.md" &&
	grep -q '| pipe | block | 12.0 us (8.00 us in the machine.s fast state, 1 run, set aside) |' "$WORK/rare.md"
ok $? "a fast state in under two fifths of the runs: the slow one is kept, and said so ($(grep -o '| pipe | block | [^|]*|' "$WORK/rare.md" | head -1))"

# 2. A round trip across CPUs faster than its own probe's cache-line round trip is set aside.
{
	echo "$HEADER"
	for r in 1 2 3 4 5; do
		lat shm cross-core 64 $r 400 300
	done
	lat shm cross-core 64 6 150 300
} >"$WORK/floor.csv"
report_md "$WORK/floor.csv" "$WORK/floor.md"
ok $? "report on a CSV with a row below its floor exits 0"
grep -q '^1 runs were set aside' "$WORK/floor.md" && grep -q 'shm round trip cross-core 64 B round 6 (below-floor)' "$WORK/floor.md"
ok $? "the row below its probe's floor is set aside and named"
grep -q '^| 1 | shm | block | 400 ns |' "$WORK/floor.md"
ok $? "and left out of the median ($(grep '^| 1 | shm' "$WORK/floor.md"))"

# 2b. A side that never slept but ran on its CPU for a third of the run was held off it (the
# host took the virtual CPU: steal time, which no switch inside the guest counts, and which the
# cache-line probe beside the run does not see): set aside (cpu-held), as a side that slept for
# its messages is not, nor sides that take turns on one CPU.
HELD_HEADER="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,messages,elapsed_s,sender_cpu_s,receiver_cpu_s,sender_voluntary_switches_per_msg,receiver_voluntary_switches_per_msg,sender_cpu,receiver_cpu,probe_cacheline_ns,probe_wakeup_ns,host,cpu_model"
# held TRANSPORT PLACEMENT ROUND BYTES_PER_S RECEIVER_CPU_S RECEIVER_VOLUNTARY: a 64 B stream
# of 100000 messages in 20 ms, its sender on its CPU throughout, never sleeping
held() {
	local cpus="0,1"
	[ "$2" = same-core ] && cpus="0,0"
	echo "$1,throughput,64,$3,$3,,$2,spin,,$4,100000,0.020000,0.020000,$5,0.0000,$6,$cpus,300,40000,fixture,cpu"
}
{
	echo "$HELD_HEADER"
	for r in 1 2 3 4 5; do
		held shm cross-core $r 300000000.0 0.019500 0.0000
		held mmap cross-core $r 300000000.0 0.006000 0.0200
		held shm same-core $r 150000000.0 0.010000 0.0000
	done
	held shm cross-core 6 100000000.0 0.006000 0.0000
} >"$WORK/held.csv"
report_md "$WORK/held.csv" "$WORK/held.md"
ok $? "report on a CSV with a side held off its CPU exits 0"
grep -q '^1 runs were set aside' "$WORK/held.md" && grep -q 'shm stream cross-core 64 B round 6 (cpu-held)' "$WORK/held.md"
ok $? "the run whose receiver never slept yet ran a third of the time is set aside and named; a side that slept, and sides sharing a CPU, are not"
grep -q 'cpu-held.*: a side that never slept' "$WORK/held.md"
ok $? "the report says what cpu-held means"

# 3. Paired by round: both sides move together by up to 2x from round to round, unix-stream is
# 20 % faster in every round. Two independent sets overlap; the pairs show it.
{
	echo "$HEADER"
	for s in 64 4096 65536; do
		r=1
		for f in 600 1400 900 1600 700 1200 1000 800; do
			lat unix-stream cross-core $s $r $((8000 * f / 1000))
			lat tcp cross-core $s $r $((10000 * f / 1000))
			r=$((r + 1))
		done
	done
} >"$WORK/paired.csv"
report_md "$WORK/paired.csv" "$WORK/paired.md"
[ "$(lines "$WORK/paired.md" C4 | grep -c ': yes - .* over 8 rounds, paired: unix-stream faster than tcp by more than 5% (p = [0-9.e-]*)$')" -eq 3 ]
ok $? "C4 is decided on the 8 paired rounds, at each of three sizes ($(lines "$WORK/paired.md" C4 | head -1))"
cut -d, -f1-4,6- "$WORK/paired.csv" >"$WORK/unpaired.csv"
report_md "$WORK/unpaired.csv" "$WORK/unpaired.md"
[ "$(lines "$WORK/unpaired.md" C4 | grep -c 'not decided - .* over 8 and 8 runs: shown neither way')" -eq 3 ]
ok $? "the same values without rounds decide nothing ($(lines "$WORK/unpaired.md" C4 | head -1 | cut -c1-120))"

# 4. Resamples disagree: unix-stream faster in 5 of 6 rounds, slower in one, at each of three
# sizes; whether the pairs decide depends on how often that round is drawn. The grade stays the
# counted one.
{
	echo "$HEADER"
	for s in 64 4096 65536; do
		r=1
		for u in 8000 8100 7900 8200 7800 10200; do
			lat unix-stream cross-core $s $r $u
			lat tcp cross-core $s $r 10000
			r=$((r + 1))
		done
	done
} >"$WORK/shaky.csv"
report_md "$WORK/shaky.csv" "$WORK/shaky.md"
verdict "$WORK/shaky.md" C4 | grep -q '^Verdict: \*\*holds\*\* (3 of 3 .*\*\*unstable\*\*: the same grade in only [0-8]\{0,1\}[0-9]% of 200 resamples of the rounds (not decided in [0-9]*%)'
ok $? "a grade the resamples disagree on is kept and said unstable ($(verdict "$WORK/shaky.md" C4))"
# Eight rounds, the last with the two even: the grade holds in 90-94% of the resamples, which is
# not enough (a claim at 91% came out one grade apart in the next default run): unstable.
{
	echo "$HEADER"
	for s in 64 4096 65536; do
		for r in 1 2 3 4 5 6 7; do
			lat unix-stream cross-core $s $r $((8000 + (r % 5) * 100))
			lat tcp cross-core $s $r 10000
		done
		lat unix-stream cross-core $s 8 10000
		lat tcp cross-core $s 8 10000
	done
} >"$WORK/nearly.csv"
report_md "$WORK/nearly.csv" "$WORK/nearly.md"
grep -q '^| C4 | .* | holds | 3 of 3 | 9[0-4]% (unstable) |$' "$WORK/nearly.md" &&
	grep -q 'unstable.* where under 95% do' "$WORK/nearly.md"
ok $? "a grade that 90-94% of the resamples give is said unstable ($(grep '^| C4 ' "$WORK/nearly.md" | cut -d'|' -f4-6))"
verdict "$WORK/paired.md" C4 | grep -q '^Verdict: \*\*holds\*\* (3 of 3 decided comparisons hold.*the same grade in 100% of 200 resamples'
ok $? "a verdict every resample gives says so ($(verdict "$WORK/paired.md" C4))"

# 5. Resamples that split between holds and mostly holds: nine sizes where unix-stream is
# faster in every round, and one where tcp is faster in 5 of 6 rounds and much slower in the
# sixth: not decided on the whole sample, "no" in the resamples that leave the sixth round out.
# The grade is the counted one, holds, everywhere it is printed, with how often resamples gave it.
{
	echo "$HEADER"
	for s in 64 128 256 512 1024 2048 4096 8192 16384; do
		for r in 1 2 3 4 5 6; do
			lat unix-stream cross-core $s $r $((8000 + r * 10))
			lat tcp cross-core $s $r 10000
		done
	done
	r=1
	for t in 8000 8100 7900 8200 7800 15000; do
		lat unix-stream cross-core 32768 $r 10000
		lat tcp cross-core 32768 $r $t
		r=$((r + 1))
	done
} >"$WORK/adjacent.csv"
report_md "$WORK/adjacent.csv" "$WORK/adjacent.md"
verdict "$WORK/adjacent.md" C4 | grep -q '^Verdict: \*\*holds\*\* (9 of 9 decided .*\*\*unstable\*\*: the same grade in only [0-9]*% of 200 resamples of the rounds (mostly holds in [0-9]*%)' &&
	grep -q '^| C4 | .* | holds | 9 of 9 | [0-9]*% (unstable) |$' "$WORK/adjacent.md"
ok $? "a grade whose resamples split between holds and mostly holds is the counted one, in the section and in brief, with its stability ($(verdict "$WORK/adjacent.md" C4))"

# 5b. A grade one comparison from a line of "mostly": unix-stream faster in every round at four
# sizes, tcp faster at a fifth, 4 of 5 (mostly holds); every resample agrees, but with one
# decided comparison fewer (3 of 4) the grade would be mixed, as another run may give it.
{
	echo "$HEADER"
	for s in 64 256 1024 4096; do
		for r in 1 2 3 4 5 6; do
			lat unix-stream cross-core $s $r $((8000 + r * 10))
			lat tcp cross-core $s $r 10000
		done
	done
	for r in 1 2 3 4 5 6; do
		lat unix-stream cross-core 16384 $r 12000
		lat tcp cross-core 16384 $r $((8000 + r * 10))
	done
} >"$WORK/edge.csv"
report_md "$WORK/edge.csv" "$WORK/edge.md"
verdict "$WORK/edge.md" C4 | grep -q '^Verdict: \*\*mostly holds\*\* (4 of 5 decided .*\*\*unstable\*\*: one decided comparison fewer would grade it mixed, as another run may; the same grade in 100% of 200 resamples' &&
	grep -q '^| C4 | .* | mostly holds | 4 of 5 | 100% (unstable) |$' "$WORK/edge.md"
ok $? "a grade one decided comparison from mixed is unstable though every resample gives it ($(verdict "$WORK/edge.md" C4))"

# 6. Placements whose first rows come in another order than the report's, and more of them than
# a fixed table held: each placement's probes are its own (a placement first met later but sorted
# first once took another's states), and the eighteenth is reported like the first.
{
	echo "$HEADER"
	for r in 1 2 3; do
		lat pipe zz 64 $r 5000 500
		lat pipe aa 64 $r 5000 100
		for p in $(seq 1 18); do
			lat pipe "cpus-$p" 64 $r 5000 $((p * 100))
		done
	done
} >"$WORK/placements.csv"
report_md "$WORK/placements.csv" "$WORK/placements.md"
grep -q '^- aa: the cache-line probes beside the runs found one state of the machine, 100 ns ' "$WORK/placements.md" &&
	grep -q '^- zz: the cache-line probes beside the runs found one state of the machine, 500 ns ' "$WORK/placements.md" &&
	grep -q '^- cpus-10: the cache-line probes beside the runs found one state of the machine, 1000 ns ' "$WORK/placements.md"
ok $? "each placement's machine state is found from its own probes, whatever order its rows came in"
grep 'cache-line probes beside' "$WORK/placements.md" | diag
grep -q '^- cpus-18: the cache-line probes beside the runs found one state of the machine, 1.80 us ' "$WORK/placements.md" &&
	grep -q '^### cpus-18$' "$WORK/placements.md"
ok $? "the twentieth placement is reported, with its own state"

# 7. One rule names an experiment (analyze/experiment.c), the report's as compare's: a rate
# sweep's step is its share of the run's maximum however it is spelled, so a real sweep whose
# second round writes its first step's share 0.010 where the first wrote 0.01 is reported as if
# spelled alike (it once made a second step at the same share). The first step, as a busy
# machine may stop a round's sweep before any later one.
if "$BIN" -q -t pipe -s 64 -m latency --rate-sweep --duration 0.02 --repeat 2 \
	--csv "$WORK/sweep.csv" >/dev/null 2>"$WORK/sweep.err"; then
	# A CSV reader, as a field before these (a CPU list, a CPU's name) may hold a comma.
	python3 - "$WORK/sweep.csv" "$WORK/spelled.csv" <<-'EOF'
		import csv, sys
		rows = list(csv.DictReader(open(sys.argv[1], newline="")))
		for r in rows:
		    if r["round"] == "2" and r["offered_fraction"] == "0.01":
		        r["offered_fraction"] = "0.010"
		with open(sys.argv[2], "w", newline="") as f:
		    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
		    w.writeheader()
		    w.writerows(rows)
	EOF
	! cmp -s "$WORK/sweep.csv" "$WORK/spelled.csv" &&
		report_md "$WORK/sweep.csv" "$WORK/sweep.md" &&
		report_md "$WORK/spelled.csv" "$WORK/spelled.md"
	ok $? "(set-up: the second round's first step respelled, both sweeps reported)"
	diff <(sed -n '/^### Latency against offered load/,/^### /p' "$WORK/sweep.md") \
			<(sed -n '/^### Latency against offered load/,/^### /p' "$WORK/spelled.md") >"$WORK/spelled.diff" &&
		grep -q '^### Latency against offered load' "$WORK/spelled.md"
	ok $? "a step spelled 0.01 in one round and 0.010 in the other is one step ($(head -c 300 "$WORK/spelled.diff"))"
	python3 - "$WORK/sweep.csv" <<-'EOF'
		import csv, sys
		rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["latency_kind"] == "rtt"]
		closed = [r for r in rows if not r["offered_rate"]]
		sys.exit(not closed or any(r["offered_fraction"] != "1.00" for r in closed))
	EOF
	ok $? "the sweep's closed-loop maximum is a row of the sweep: offered fraction 1.00, no offered rate"
else
	ok 1 "a real rate sweep ran ($(tail -1 "$WORK/sweep.err"))"
fi

# A sweep's closed-loop maximum (rounds of its own, offered fraction 1.00) joins no group of the
# run's closed loops: pipe's 64 B stream is its three rounds' 100 MB/s, not pooled with the
# sweep's 300.
{
	echo "transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,offered_rate,offered_fraction,host,cpu_model"
	for r in 1 2 3; do
		echo "pipe,throughput,64,$r,$r,,cross-core,block,,$((100000000 + r * 1000)),2.0,,,fixture,cpu"
		echo "pipe,latency,64,$r,$r,rtt,cross-core,block,$((20000 + r)),,2.0,,,fixture,cpu"
	done
	for r in 301 302 303; do
		echo "pipe,throughput,64,$r,$r,,cross-core,block,,$((300000000 + r * 1000)),2.0,,1.00,fixture,cpu"
	done
} >"$WORK/sweepmax.csv"
report_md "$WORK/sweepmax.csv" "$WORK/sweepmax.md" &&
	grep -q '^| 1 | pipe | block | 20.0 us | 100.0 MB/s |' "$WORK/sweepmax.md"
ok $? "a sweep's closed-loop maximum stays out of the default group ($(grep -m1 '^| 1 | pipe' "$WORK/sweepmax.md"))"

done_testing
