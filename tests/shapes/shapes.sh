#!/bin/bash
# shapes.sh - the load shapes end to end with real transports (TAP): requests in flight, streams
# both ways, several pairs, fan-in and fan-out, publish-subscribe, open loops with replies and as
# streams; every row checked for what it must say. Then the open loop's point: a receiver stopped for a while
# (SIGSTOP) must show in the tail of an open loop, where every message due during the stall
# waits for it, and not in a closed loop's, where the stall is one sample.
#
# The stall's size is ours (300 ms), not the machine's: the checks compare the tail with the
# stall, with a wide margin, never with how fast anything runs.
#
# Usage: shapes.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: shapes.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir shapes
CSV_AWK=$(cat "$(dirname "$0")/../csv.awk")

# col FILE COLUMN [CONDITION]: the column's values, a line each, of the rows where the awk
# CONDITION holds (v("name") is a field of the row).
col() {
	awk "$CSV_AWK"'
		function v(name) { return f[c[name]] }
		NR == 1 { csv_split($0, h); for (i in h) c[h[i]] = i; next }
		{ csv_split($0, f) } '"${3:-1}"' { print v(want) }' want="$2" "$1"
}
# run NAME ARGS...: one ipcbench run into $WORK/NAME.csv; its status in $st, stderr in NAME.err
run() {
	local name=$1
	shift
	"$BIN" -q --csv "$WORK/$name.csv" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	st=$?
	[ $st -eq 0 ] || diag "$WORK/$name.err"
}

N=3000
for t in pipe shm unix-dgram posix-mq; do
	# ---- requests in flight ----
	run "k-$t" -t "$t" -s 64,4K -m latency --inflight 8 -n $N -d 0 --verify full
	[ $st -eq 0 ] &&
		[ "$(col "$WORK/k-$t.csv" messages 'v("latency_kind") == "rtt" && v("inflight") == 8' | sort -u)" = "$N" ] &&
		[ "$(col "$WORK/k-$t.csv" full_checks 'v("latency_kind") == "rtt" && v("full_checks") + 0 >= '$N | wc -l)" -eq 2 ]
	ok $? "$t: 8 requests in flight, every reply a sample and checked byte by byte, both sizes"

	# ---- streams both ways ----
	run "bi-$t" -t "$t" -s 4K -m bistream -n $N -d 0 --verify full
	[ $st -eq 0 ] && [ "$(col "$WORK/bi-$t.csv" bytes_per_s 'v("mode") == "bistream" && v("latency_kind") == ""' | wc -l)" -eq 1 ] &&
		col "$WORK/bi-$t.csv" transport 'v("latency_kind") == "" && v("bytes_per_s_ab") > 0 && v("bytes_per_s_ba") > 0 &&
			(v("bytes_per_s") - v("bytes_per_s_ab") - v("bytes_per_s_ba")) ^ 2 < 4 &&
			v("full_checks") + 0 >= 2 * '$N | grep -q .
	ok $? "$t: a bistream row with both directions' bytes/s, summing to the total, all checked"

	# ---- several pairs ----
	run "p-$t" -t "$t" -s 64 -m latency,throughput --pairs 2 -n $N -d 0
	[ $st -eq 0 ] &&
		[ "$(col "$WORK/p-$t.csv" messages 'v("pairs") == 2 && (v("latency_kind") == "rtt" || v("latency_kind") == "")' | sort -u | wc -l)" -ge 1 ] &&
		[ "$(col "$WORK/p-$t.csv" transport 'v("pairs") == 2 && v("mode") == "latency" && v("latency_kind") == "rtt" &&
			v("messages") == 2 * '$N' && v("pair_min_msgs_per_s") + 0 > 0 &&
			v("pair_min_msgs_per_s") + 0 <= v("pair_max_msgs_per_s") + 0 && v("sides_per_cpu") == 2' | wc -l)" -eq 1 ] &&
		[ "$(col "$WORK/p-$t.csv" transport 'v("pairs") == 2 && v("mode") == "throughput" && v("latency_kind") == "" &&
			v("pair_min_msgs_per_s") + 0 > 0' | wc -l)" -eq 1 ]
	ok $? "$t: two pairs, every pair's messages counted, the pairs' spread and two sides per CPU in the rows"

	# ---- open loop, requests ----
	run "r-$t" -t "$t" -s 64 -m latency --rate 2000 --arrivals poisson -d 0.5
	[ $st -eq 0 ] &&
		[ "$(col "$WORK/r-$t.csv" transport 'v("latency_kind") == "rtt" && v("offered_rate") + 0 == 2000 &&
			v("achieved_rate") + 0 > 0 && v("losses") == 0 && v("late") != "" && v("arrivals") == "poisson"' | wc -l)" -eq 1 ] &&
		[ "$(col "$WORK/r-$t.csv" messages 'v("latency_kind") == "send_lag"')" = "$(col "$WORK/r-$t.csv" messages 'v("latency_kind") == "rtt"')" ]
	ok $? "$t: an open loop of requests: offered and achieved rates, no losses, one send-lag sample per request"

	# ---- open loop, a stream ----
	run "s-$t" -t "$t" -s 64 -m throughput --rate 5000 -d 0.5
	[ $st -eq 0 ] &&
		[ "$(col "$WORK/s-$t.csv" transport 'v("latency_kind") == "" && v("offered_rate") + 0 == 5000 && v("losses") == 0' | wc -l)" -eq 1 ] &&
		col "$WORK/s-$t.csv" transport 'v("latency_kind") == "send_lag"' | grep -q .
	ok $? "$t: an open-loop stream: its rates, no losses, and its send lag"
done

# ---- fan-in and fan-out ----
for t in unix-dgram posix-mq; do
	for topo in 3:1 1:3; do
		run "t-$t-$topo" -t "$t" -s 64,4K -m throughput --topology $topo -n $N -d 0 --verify full
		[ $st -eq 0 ] &&
			[ "$(col "$WORK/t-$t-$topo.csv" transport 'v("latency_kind") == "" && v("topology") == "'$topo'" &&
				v("losses") == 0 && v("messages") + 0 > 0 && v("full_checks") + 0 >= '$N | wc -l)" -eq 2 ]
		ok $? "$t --topology $topo: every message checked where it arrived, losses counted (none)"
	done
	# A message lost on the way of one of several senders is caught, naming the sender.
	run "drop-$t" -t "$t" -s 64 -m throughput --topology 3:1 -n 200 -d 0 --inject drop
	[ $st -eq 1 ] && grep -q "verification failed: got message 6 of sender [123] (of 3) where 5 was due" "$WORK/drop-$t.err"
	ok $? "$t --topology 3:1: a sender's skipped message fails the run, naming the sender"
done
run topo-pipe -t pipe -s 64 -m throughput --topology 2:1 -n 100 -d 0
[ $st -eq 77 ]
ok $? "a transport whose channel takes one sender is skipped for fan-in, and nothing else runs: exit 77"

# ---- publish-subscribe ----
# shm-bcast at 4K with sleeping readers: delays of microseconds, so the one-way rows are kept
# wherever the clock check passes. Every receiver takes every message: the deliveries are the
# rate times the receivers, nothing lost, and every row says "1:N all".
run bc -t shm-bcast -s 4K -m throughput --deliver all --topology 1:1,1:3 --wait block -n $N -d 0 \
	--verify full
[ $st -eq 0 ] &&
	[ "$(col "$WORK/bc.csv" transport 'v("latency_kind") == "" && v("losses") == 0 &&
		v("messages") == '$N' && v("full_checks") + 0 >= v("topology") * '$N' &&
		((v("topology") == "1:1 all" && v("deliveries_per_s") == v("msgs_per_s")) ||
		 (v("topology") == "1:3 all" && (v("deliveries_per_s") - 3 * v("msgs_per_s")) ^ 2 < 1))' |
		wc -l)" -eq 2 ]
ok $? "shm-bcast --deliver all 1:1 and 1:3: every receiver took and checked every message, deliveries = rate x receivers"
if grep -q "one-way rows left out" "$WORK/bc.err"; then
	skip "publish-subscribe one-way rows" "this machine's clocks did not allow one-way rows"
else
	[ "$(col "$WORK/bc.csv" latency_kind 'v("topology") == "1:3 all" && v("latency_kind") != ""' | sort | paste -sd' ')" = \
		"one_way one_way_last one_way_slowest" ] &&
		[ "$(col "$WORK/bc.csv" messages 'v("topology") == "1:3 all" && v("latency_kind") == "one_way"')" -eq \
			"$((3 * $(col "$WORK/bc.csv" messages 'v("topology") == "1:3 all" && v("latency_kind") == "one_way_last"')))" ]
	ok $? "to 3 receivers: one-way rows to every receiver, to the slowest and to the last (a third of the samples of every receiver's)"
fi
# A reader publishes its cursor every 32 messages of a ring of 1024 slots, and a writer whose
# ring is full (its readers slowed by work) sleeps on the slowest cursor: with sides that sleep
# at once (block) and with the fence moved to the sleeper (hybrid after one poll), each batch
# must wake it, or the run stops.
for w in "block" "hybrid --spin-polls 1"; do
	# shellcheck disable=SC2086
	run bcbatch -t shm-bcast -o shm-bcast.ring=131072 -s 64 -m throughput --deliver all \
		--topology 1:1,1:3 --wait $w --receiver-work-ns 300 -n 60000 -d 0 --timeout 60
	[ $st -eq 0 ] && grep -q "ring: 1024 x " "$WORK/bcbatch.csv" &&
		[ "$(col "$WORK/bcbatch.csv" transport 'v("latency_kind") == "" && v("losses") == 0 &&
			v("messages") == 60000' | wc -l)" -eq 2 ]
	ok $? "shm-bcast --wait $w: a full ring's writer woken by cursors published in batches, 1:1 and 1:3"
	rm -f "$WORK/bcbatch.csv"
done
# shm-mutex's reader counts what it took in batches (a quarter of a stream's ring): a writer whose
# ring is full (its reader slowed by work) waits on "not full" for each batch, or the run stops.
# 64 KiB messages through a ring of 64 slots, laps of it over and over, every byte checked.
run mxbatch -t shm-mutex -s 64K -m throughput --receiver-work-ns 20000 --verify full -n 3000 -d 0 \
	--timeout 60
[ $st -eq 0 ] && grep -q "slots: 64 of 64K" "$WORK/mxbatch.csv" &&
	[ "$(col "$WORK/mxbatch.csv" transport 'v("latency_kind") == "" && v("losses") + 0 == 0 &&
		v("messages") == 3000 && v("full_checks") + 0 >= 3000 && v("ctx_switches_per_msg") > 0' |
		wc -l)" -eq 1 ]
ok $? "shm-mutex: a full ring's writer woken by a reader that counts in batches, 3000 messages of 64 KiB through 64 slots"
# A round trip across two CPUs of a message larger than its piece crosses in pieces, each counted
# as it lands and copied out once counted: every byte checked (--verify full), a last piece
# shorter than the others (1 MiB + 5 bytes), with readers that spin, poll then sleep, and sleep.
for w in spin hybrid block; do
	run bcpieces -t shm-bcast -s 65536,1048581 -m latency --placement cross-core --wait $w \
		--verify full -n 300 -d 0 --no-one-way
	[ $st -eq 0 ] && [ "$(grep -c ', pieces of ' "$WORK/bcpieces.csv")" -eq 2 ] &&
		[ "$(col "$WORK/bcpieces.csv" transport 'v("latency_kind") == "rtt" &&
			v("messages") == 300 && v("full_checks") + 0 >= 300' | wc -l)" -eq 2 ]
	ok $? "shm-bcast --wait $w: 64 KiB and 1 MiB + 5 round trips in pieces, every byte of every message checked"
	rm -f "$WORK/bcpieces.csv"
done
# A lossy broadcast (shm-bcast -o overrun=count, its ring large enough that nothing is written
# over) counts the message the fault drops exactly once at each receiver; where the writer waits,
# the same loss fails the run, naming a receiver.
run bcdrop -t shm-bcast -o shm-bcast.overrun=count -s 64 -m throughput --deliver all --topology 1:3 -n 500 \
	-d 0 -w 10 --inject drop
[ $st -eq 0 ] && [ "$(col "$WORK/bcdrop.csv" losses 'v("latency_kind") == ""')" = 3 ]
ok $? "a lossy broadcast to 3 receivers counts an injected drop once at each: losses 3"
# A writer that laps its slowed readers (-o overrun=count, a ring of 4 slots of 4 KiB, 128 of
# 64 bytes): each reader jumps to the oldest message the ring may still hold, every message it
# takes checked whole, the ones written over counted as losses.
run bclap -t shm-bcast -o shm-bcast.overrun=count -o shm-bcast.ring=16384 -s 4K,64 \
	-m throughput --deliver all --topology 1:2 --receiver-work-ns 3000 -n 20000 -d 0 \
	--verify full --timeout 30
[ $st -eq 0 ] && [ "$(col "$WORK/bclap.csv" transport 'v("latency_kind") == "" &&
	v("messages") == 20000 && v("losses") > 0 && v("full_checks") > 0' | wc -l)" -eq 2 ]
ok $? "a broadcast whose writer laps its slow readers: each reader jumps ahead, every message it takes checked, the rest counted lost ($(col "$WORK/bclap.csv" losses 'v("latency_kind") == ""' | paste -sd' '))"
run bcfail -t shm-bcast -s 64 -m throughput --deliver all --topology 1:3 -n 500 -d 0 -w 10 --inject drop
[ $st -eq 1 ] && grep -q "receiver [123]: verification failed: lost messages: expected message 5, got 6" "$WORK/bcfail.err"
ok $? "a broadcast that must not lose a message fails the run on one, naming the receiver"
run bcpipe -t pipe -s 64 -m throughput --deliver all --topology 1:2 -n 100 -d 0
[ $st -eq 77 ] && grep -q "skipping pipe throughput to every receiver: it cannot deliver every message to every receiver" "$WORK/bcpipe.err"
ok $? "--deliver all with a transport that cannot broadcast: skipped, naming it, and nothing else runs: exit 77"

# ---- a stalled receiver in an open loop ----
# stall NAME ARGS...: an ipcbench run of ~1.8 s whose receiver is stopped for 300 ms half a
# second in; the rows in $WORK/NAME.csv.
stall() {
	local name=$1 pid rcv i
	shift
	"$BIN" -q --csv "$WORK/$name.csv" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	pid=$!
	rcv=""
	i=0
	while [ -z "$rcv" ] && [ $i -lt 300 ]; do
		rcv=$(pgrep -x -P $pid ipcb-receiver)
		[ -n "$rcv" ] || sleep 0.01
		i=$((i + 1))
	done
	sleep 0.5
	[ -n "$rcv" ] && kill -STOP "$rcv" && sleep 0.3 && kill -CONT "$rcv"
	wait $pid
	st=$?
	[ $st -eq 0 ] && [ -n "$rcv" ] || { echo "# receiver pid '$rcv', exit $st"; diag "$WORK/$name.err"; }
}
for t in pipe shm unix-dgram posix-mq; do
	stall "stall-$t" -t "$t" -s 64 -m latency --rate 1000 -d 1.5 -w 10
	# At 1000 requests/s a 300 ms stall delays the ~300 requests due during it by up to 300 ms:
	# about a fifth of 1500 samples wait over 50 ms, so the p90 does.
	[ $st -eq 0 ] && col "$WORK/stall-$t.csv" p90_ns 'v("latency_kind") == "rtt"' |
		awk '{ exit !($1 + 0 >= 50000000) }'
	ok $? "$t: a receiver stopped for 300 ms shows in the open loop's tail (p90 >= 50 ms: $(col "$WORK/stall-$t.csv" p90_ns 'v("latency_kind") == "rtt"') ns)"
done
stall stall-closed -t pipe -s 64 -m latency -d 1.5 -w 10
[ $st -eq 0 ] && col "$WORK/stall-closed.csv" p90_ns 'v("latency_kind") == "rtt"' |
	awk '{ exit !($1 + 0 < 50000000) }' &&
	col "$WORK/stall-closed.csv" max_ns 'v("latency_kind") == "rtt"' | awk '{ exit !($1 + 0 >= 250000000) }'
ok $? "the same stall in a closed loop is one sample: the max shows it, the p90 does not (p90 $(col "$WORK/stall-closed.csv" p90_ns 'v("latency_kind") == "rtt"') ns, max $(col "$WORK/stall-closed.csv" max_ns 'v("latency_kind") == "rtt"') ns)"
# A stream's one-way delays from the intended send time, where the clocks allow one-way rows.
stall stall-stream -t pipe -s 64 -m throughput --rate 1000 -d 1.5 -w 10
if [ $st -eq 0 ] && col "$WORK/stall-stream.csv" transport 'v("latency_kind") == "one_way"' | grep -q .; then
	col "$WORK/stall-stream.csv" p90_ns 'v("latency_kind") == "one_way"' | awk '{ exit !($1 + 0 >= 50000000) }'
	ok $? "pipe: the stall shows in an open-loop stream's one-way delays too"
else
	skip "pipe: the stall in an open-loop stream's one-way delays" "no one-way rows here (the clock check did not allow them)"
fi

done_testing
