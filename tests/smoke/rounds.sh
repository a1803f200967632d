#!/bin/bash
# rounds.sh IPCBENCH - TAP test of rounds with real runs: the order of a round's points is
# shuffled from --seed (the same seed, the same order; another round or another seed, another
# order), rows carry their round, seed, the probes of the machine's state and the harness's own
# time per message (the null transport's, run just before each), --first-round numbers the rounds, --min-messages keeps a run going, the table lists the rows in the plan's
# order, and the options are checked.
set -u
BIN=${1:?usage: rounds.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir rounds-test

# col FILE NAME: the values of column NAME, one a line (the CSV's texts hold no commas here).
col() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ print $c }' "$1"
}
# order FILE ROUND: the points of a round, in the order they ran.
order() {
	awk -F, -v r="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["round"] == r && ($h["latency_kind"] == "rtt" || $h["latency_kind"] == "") {
			print $h["transport"] "/" $h["mode"] "/" $h["size_bytes"] }' "$1"
}

# Twelve points, three rounds: quick runs of transports that need nothing but the kernel.
run() { # run CSV SEED [OPTIONS...]
	local csv=$1 seed=$2
	shift 2
	"$BIN" -q -t null,pipe,unix-stream -s 64,128 -m latency,throughput -n 20 -d 0 -w 2 \
		--repeat 3 --seed "$seed" --csv "$csv" "$@" >"$WORK/out" 2>"$WORK/err"
}

run "$WORK/a.csv" 7
ok $? "three rounds of twelve points run"
[ "$(order "$WORK/a.csv" 1 | wc -l)" -eq 12 ] && [ "$(order "$WORK/a.csv" 3 | wc -l)" -eq 12 ]
ok $? "every round runs every point once ($(order "$WORK/a.csv" 1 | wc -l) and $(order "$WORK/a.csv" 3 | wc -l))"
[ "$(order "$WORK/a.csv" 1 | sort | tr '\n' ' ')" = "$(order "$WORK/a.csv" 2 | sort | tr '\n' ' ')" ]
ok $? "rounds 1 and 2 hold the same points"
[ "$(order "$WORK/a.csv" 1 | tr '\n' ' ')" != "$(order "$WORK/a.csv" 2 | tr '\n' ' ')" ]
ok $? "in another order"
run "$WORK/b.csv" 7
[ "$(order "$WORK/a.csv" 2 | tr '\n' ' ')" = "$(order "$WORK/b.csv" 2 | tr '\n' ' ')" ] &&
	[ "$(order "$WORK/a.csv" 3 | tr '\n' ' ')" = "$(order "$WORK/b.csv" 3 | tr '\n' ' ')" ]
ok $? "the same seed gives the same order, round for round"
run "$WORK/c.csv" 8
[ "$(order "$WORK/a.csv" 1 | tr '\n' ' ')" != "$(order "$WORK/c.csv" 1 | tr '\n' ' ')" ]
ok $? "another seed, another order"
[ "$(col "$WORK/a.csv" round | sort -u | tr '\n' ' ')" = "1 2 3 " ]
ok $? "rows say their round (1 to 3)"
[ "$(col "$WORK/a.csv" seed | sort -u)" = 7 ] && [ "$(col "$WORK/c.csv" seed | sort -u)" = 8 ]
ok $? "and their seed"
[ "$(col "$WORK/a.csv" run | tr '\n' ' ')" = "$(col "$WORK/a.csv" round | tr '\n' ' ')" ]
ok $? "a row's run is its round"
# Probes: every row of a pinned placement carries them, and they are positive.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	!($h["probe_cacheline_ns"] > 0 && $h["probe_wakeup_ns"] > 0) { bad++ }
	END { exit bad > 0 }' "$WORK/a.csv"
ok $? "every row carries the probes of the machine's state"
# The harness's own time per message beside each row: a whole number of ns on every row of a
# transport that moves messages, none on the null transport's own (it is that measurement).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["transport"] != "null" && $h["harness_ns"] !~ /^[1-9][0-9]*$/ { bad++ }
	$h["transport"] == "null" && $h["harness_ns"] != "" { bad++ }
	END { exit bad > 0 || NR < 2 }' "$WORK/a.csv"
ok $? "every pipe and unix-stream row says what the harness costs per message beside it ($(col "$WORK/a.csv" harness_ns | grep . | sort -n | sed -n '1p;$p' | paste -sd-) ns)"
"$BIN" -q -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --no-probes --csv "$WORK/np.csv" >/dev/null 2>&1 &&
	[ -z "$(col "$WORK/np.csv" probe_cacheline_ns | sort -u)" ] &&
	[ -z "$(col "$WORK/np.csv" harness_ns | sort -u)" ]
ok $? "--no-probes: rows without probes, nor the harness's time beside them"
# The table says it too, in its last column: the CSV's value as a time, "-" without probes.
"$BIN" -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --csv "$WORK/ht.csv" 2>/dev/null >"$WORK/ht.table"
"$BIN" -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --no-probes 2>/dev/null >"$WORK/htnp.table"
h=$(col "$WORK/ht.csv" harness_ns | head -1)
[ "$(awk '/^transport / { print $NF }' "$WORK/ht.table")" = harness ] &&
	[ -n "$h" ] && [ "$(awk '$1 == "pipe" && $3 == "rtt" { print $(NF - 1) " " $NF }' "$WORK/ht.table")" = "$h ns" ] &&
	[ "$(awk '$1 == "pipe" { print $NF }' "$WORK/htnp.table" | sort -u)" = - ]
ok $? "the table's harness column: the CSV's $h ns on the round trip's row, - without probes"
"$BIN" -t pipe,unix-stream -s 64 -m latency -n 20 -d 0 -w 2 --repeat 3 >"$WORK/table" 2>/dev/null
grep -q '^# over 3 rounds (seed 1)' "$WORK/table" && grep -q '^# pipe .* rtt p50 .*between rounds' "$WORK/table"
ok $? "the table ends with each point's rounds summed up"
diag <"$WORK/table"

# --first-round: a script running one round per invocation numbers them.
"$BIN" -q -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --first-round 5 --csv "$WORK/f.csv" >/dev/null 2>&1 &&
	[ "$(col "$WORK/f.csv" round | sort -u)" = 5 ]
ok $? "--first-round 5: the row says round 5"

# --min-messages: a run whose duration is over at once still measures that many.
"$BIN" -q -t pipe -s 64 -m latency,throughput -d 0.000001 -w 2 --min-messages 300 \
	--csv "$WORK/m.csv" >/dev/null 2>&1
ok $? "--min-messages with a tiny duration runs"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	($h["latency_kind"] == "rtt" || $h["latency_kind"] == "") && $h["messages"] < 300 { bad++ }
	END { exit bad > 0 }' "$WORK/m.csv"
ok $? "and every run measured at least 300 messages ($(col "$WORK/m.csv" messages | tr '\n' ' '))"

# --receiver-work-ns with --rate: a slow consumer's stream says how long each send call took.
"$BIN" -q -t posix-mq -s 64 -m throughput --rate 2000 --receiver-work-ns 50000 -d 0.05 -w 2 \
	--csv "$WORK/slow.csv" >/dev/null 2>&1
ok $? "an open-loop stream with a slow consumer runs"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["receiver_work_ns"] != 50000 { bad++ }
	$h["latency_kind"] == "send_call" && $h["p50_ns"] > 0 { calls++ }
	END { exit bad > 0 || calls != 1 }' "$WORK/slow.csv"
ok $? "its rows carry the receiver's work, and one says the send calls' latencies"

# --tune: each transport also with its tuning settings, one option at a time, each row saying
# which; a write size no smaller than the message is not tried; the end names the best.
"$BIN" -t pipe -s 64,64K -m throughput -n 200 -d 0 -w 2 --tune --csv "$WORK/tune.csv" \
	>"$WORK/tune.out" 2>&1
ok $? "--tune runs"
[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["latency_kind"] == "" { print $h["size_bytes"] "/" $h["tuning"] }' "$WORK/tune.csv" |
	sort | tr '\n' ' ')" = "64/ 64/size=1048576 65536/ 65536/size=1048576 65536/write=16384 " ]
ok $? "the default, the pipe's buffer at both sizes, its write size only where a message is larger"
grep -q '^# pipe .*throughput .*64K cross-core .*\(by default, .* with [a-z]*=[0-9]* (.*x)\|the default is the best tried\)' "$WORK/tune.out"
ok $? "the end of the run names the best setting beside the default ($(grep -m1 '^# pipe .*64K' "$WORK/tune.out"))"
# --rate-sweep: the closed-loop maximum (offered_fraction 1.00, no offered rate), then steps of
# 1%, 2%, 5%, 10%, 20%, ... of it in that order, stopping at the first the generator did not
# keep; the low shares first, so that a machine whose generator holds no tenth of the maximum
# still draws a curve. Which step stops it is the machine's; the order and the first are not.
"$BIN" -t pipe -s 64 -m throughput --rate-sweep --duration 0.05 --repeat 1 \
	--csv "$WORK/sweep.csv" >"$WORK/sweep.out" 2>&1
ok $? "--rate-sweep runs"
steps=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["latency_kind"] == "" && $h["offered_rate"] != "" { printf "%s ", $h["offered_fraction"] }' \
	"$WORK/sweep.csv")
max=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["latency_kind"] == "" && $h["offered_fraction"] == "1.00" && $h["offered_rate"] == "" { n++ }
	END { print n + 0 }' "$WORK/sweep.csv")
case "0.01 0.02 0.05 0.10 0.20 0.30 0.40 0.50 0.60 0.70 0.80 0.90 1.00 " in
"$steps"*) prefix=0 ;;
*) prefix=1 ;;
esac
[ "$max" -eq 1 ] && [ -n "$steps" ] && [ $prefix -eq 0 ] && grep -q '^# rate sweep cross-core pipe throughput 64 round 1: closed-loop maximum' "$WORK/sweep.out"
ok $? "its steps in order from 1% of its own closed-loop maximum ($steps), and its line"
# A setting --tune tries is one the default is not on this machine: shm's default ring is the
# machine's (four times a CPU's private cache), so its tuned rows lay their rings out otherwise.
"$BIN" -q -t shm -s 64,1M -m throughput -n 100 -d 0 -w 2 --tune --placement cross-core \
	--csv "$WORK/tune-shm.csv" >/dev/null 2>&1 &&
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["latency_kind"] == "" { k = $h["size_bytes"]; if ($h["tuning"] == "") def[k] = $h["channel"]; else tuned[k] = $h["channel"] }
		END { for (k in def) if (!(k in tuned) || tuned[k] == def[k]) bad++; exit bad > 0 || length(def) != 2 }' \
		"$WORK/tune-shm.csv"
ok $? "shm's tuned ring is laid out otherwise than its default at 64 B and 1 MiB ($(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["latency_kind"] == "" { printf "%s %s: %s; ", $h["size_bytes"], $h["tuning"] == "" ? "default" : $h["tuning"], $h["channel"] }' "$WORK/tune-shm.csv"))"
"$BIN" -q -t pipe -s 64K -m throughput -n 100 -d 0 -w 2 -o pipe.size=1048576 -o pipe.write=16384 \
	--csv "$WORK/opt.csv" >/dev/null 2>&1 &&
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["latency_kind"] == "" && $h["tuning"] == "size=1048576 write=16384" &&
		$h["buffer_bytes"] >= 2 * 1048576 { good++ } END { exit good != 1 }' "$WORK/opt.csv"
ok $? "-o pipe.size and pipe.write: the row says so, and the channel holds the bigger buffer"
"$BIN" -q -t posix-mq -s 64 -m throughput -n 100 -d 0 -w 2 -o posix-mq.depth=4 \
	--csv "$WORK/mq.csv" >/dev/null 2>&1 &&
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["latency_kind"] == "" && $h["tuning"] == "depth=4" && $h["buffer_bytes"] == 256 { good++ }
		END { exit good != 1 }' "$WORK/mq.csv"
ok $? "-o posix-mq.depth=4: a queue of 4 messages of 64 B"
"$BIN" -q -t shm -s 64 -m throughput -n 100 -d 0 -w 2 -o shm.ring=1048576 --csv "$WORK/ring.csv" \
	>/dev/null 2>&1 && grep -q 'ring: 8192 slots of 64' "$WORK/ring.csv"
ok $? "-o shm.ring=1048576: a ring of 8192 slots of 64 B"
# The slot transports' stream fills about 4 MiB of slots (up to 1024: 4 KiB messages); a round
# trip keeps 32 a direction on one CPU, and across two up to 512, each in pages of its own.
"$BIN" -q -t shm-sem -s 4K -m both -n 100 -d 0 -w 2 --placement same-core \
	--csv "$WORK/slots.csv" >/dev/null 2>&1 &&
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["latency_kind"] == "" && $h["buffer_bytes"] >= 1024 * 4096 { stream++ }
		$h["latency_kind"] == "rtt" && $h["buffer_bytes"] >= 2 * 32 * 4096 &&
			$h["buffer_bytes"] < 2 * 33 * 4096 { rtt++ }
		END { exit !(stream == 1 && rtt == 1) }' "$WORK/slots.csv"
ok $? "shm-sem: a 4 KiB stream in 1024 slots, a round trip on one CPU in 32 a direction"
if [ "$(nproc)" -ge 2 ]; then
	"$BIN" -q -t shm-sem -s 4K -m latency -n 100 -d 0 -w 2 --placement cross-core \
		--csv "$WORK/slots2.csv" >/dev/null 2>&1 &&
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			$h["latency_kind"] == "rtt" && $h["buffer_bytes"] >= 2 * 512 * 4096 &&
				$h["buffer_bytes"] < 2 * 513 * 4096 { rtt++ }
			END { exit rtt != 1 }' "$WORK/slots2.csv"
	ok $? "shm-sem: a 4 KiB round trip across two CPUs in 512 slots a direction, a page each"
fi
# A round trip crosses in pieces where its sides run on two CPUs (one copies a piece out while
# the other copies the next in), whole where they share one (a reader woken at each piece would
# take the CPU from the writer each time). Only where this machine has two CPUs.
if [ "$(nproc)" -ge 2 ]; then
	"$BIN" -q -t shm -s 64K -m latency -n 100 -d 0 -w 2 --placement cross-core,same-core \
		--csv "$WORK/pieces.csv" >/dev/null 2>&1 &&
		grep -q 'cross-core,.*ring per direction: [0-9]* slots of 16K' "$WORK/pieces.csv" &&
		grep -q 'same-core,.*ring per direction: [0-9]* slots of 64K' "$WORK/pieces.csv"
	ok $? "a 64 KiB round trip crosses in 16 KiB pieces across two CPUs, whole on one"
	# shm-bcast's stream ring is the machine's, as shm's (the same bytes), on two CPUs and on
	# one (whose writer sleeps once a ring); its round trips on one CPU keep 256 KiB a
	# direction (62 slots of 4 KiB with their headers).
	"$BIN" -q -t shm,shm-bcast -s 4K -m throughput -n 100 -d 0 -w 2 \
		--placement cross-core,same-core --csv "$WORK/bcast.csv" >/dev/null 2>&1 &&
		"$BIN" -q -t shm-bcast -s 4K -m latency -n 100 -d 0 -w 2 --placement same-core \
			--csv "$WORK/bcast.csv" >/dev/null 2>&1 &&
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			$h["latency_kind"] != "" && $h["latency_kind"] != "rtt" { next }
			$h["transport"] == "shm" && $h["placement"] == "cross-core" { shm = $h["buffer_bytes"] }
			$h["transport"] == "shm-bcast" { b[$h["mode"] $h["placement"]] = $h["buffer_bytes"] }
			function near(x) { return x >= shm - 65536 && x <= shm + 65536 }
			END { exit !(shm > 0 && near(b["throughputcross-core"]) &&
				near(b["throughputsame-core"]) && b["latencysame-core"] > 0 &&
				b["latencysame-core"] < 2 * 262144) }' \
			"$WORK/bcast.csv"
	ok $? "shm-bcast's stream ring is the machine's, as shm's, on two CPUs and on one; its round trips on one CPU 256 KiB a direction"
fi

# A point whose one-way rows are left out (a shared-memory round trip's one-way delays are
# shorter than the clock check's bound between two CPUs) is said so once, not once a round,
# though its rounds' runs come among the others' in shuffled order.
"$BIN" -t shm,mmap -s 64,128 -m latency -n 200 -d 0 -w 2 --repeat 4 >/dev/null 2>"$WORK/ow.err"
said=$(grep 'one-way rows left out' "$WORK/ow.err" | cut -d: -f2 | sort | uniq -d)
[ -z "$said" ]
ok $? "a point's one-way rows left out are said once for its four rounds${said:+ (said again:$said)}"
grep 'one-way rows left out' "$WORK/ow.err" | diag

# Bad values: exit 2, naming the option and the value, nothing run.
for bad in "--seed x" "--seed -1" "--first-round 0" "--first-round 1x" "--min-messages 0" \
	"--repeat 0" "--receiver-work-ns 1us" "--receiver-work-ns 2000000000"; do
	# shellcheck disable=SC2086
	"$BIN" -t pipe $bad >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "${bad%% *}" "$WORK/err" && grep -q -- "'${bad#* }'" "$WORK/err"
	ok $? "$bad: exit 2 naming the option and the value (exit $rc: $(head -1 "$WORK/err"))"
done
for bad in pipe.size=x tcp.write=-1 unix-stream.sndbuf=2000000000 pipe.depth=1; do
	"$BIN" -t pipe -o $bad >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "-o $bad: " "$WORK/err"
	ok $? "-o $bad: exit 2 naming it and why (exit $rc: $(head -1 "$WORK/err"))"
done
"$BIN" --help | grep -q -- '--seed N .*(default 1'
ok $? "--help names the default seed"

# The table for people lists the rows in the plan's order, each point's rounds together, though
# the rounds ran them shuffled: blocks of three rows of one point, the transports as given.
"$BIN" -t null,pipe,unix-stream -s 64,128 -m latency -n 20 -d 0 -w 2 --repeat 3 --seed 7 \
	>"$WORK/sorted" 2>/dev/null
awk '$3 == "rtt" { print $1 "/" $2 "/" $4 }' "$WORK/sorted" >"$WORK/keys"
blocks=$(uniq -c <"$WORK/keys" | awk '{ print $1 }' | sort -u | tr '\n' ' ')
[ "$(wc -l <"$WORK/keys")" -eq 18 ] && [ "$blocks" = "3 " ] &&
	[ "$(cut -d/ -f1 "$WORK/keys" | uniq | tr '\n' ' ')" = "null pipe unix-stream " ]
ok $? "the table: each point's 3 rounds together, the transports in the order given ($(uniq <"$WORK/keys" | tr '\n' ' '))"

# The sweep ends with the answers in brief, made by the report's own code from the sweep's rows:
# the same lines as the report of its CSV gives (or, where the report sets rounds aside, a line
# saying so, so that no median is printed twice with two values); -q leaves them out.
"$BIN" -t pipe,shm -s 64 -m latency -n 100 -d 0 -w 2 --repeat 3 --csv "$WORK/answers.csv" \
	>"$WORK/answers.out" 2>/dev/null
"$BIN" report "$WORK/answers.csv" -o "$WORK/answers.md" 2>/dev/null
sed -n '/^## The answers in brief/,/^### Memory/p' "$WORK/answers.md" | grep '^- ' |
	sed 's/^- //; s/\*\*//g; s/`//g' >"$WORK/answers.want"
sed -n '/^# the answers in brief (/,$p' "$WORK/answers.out" | grep '^#     ' | sed 's/^#     //' \
	>"$WORK/answers.got"
if grep -q '^# the answers in brief: .* sets \(it\|them\) aside' "$WORK/answers.out"; then
	[ ! -s "$WORK/answers.got" ]
	ok $? "the sweep's answers: rounds set aside, so the report answers (said, no medians)"
else
	[ -s "$WORK/answers.got" ] && cmp -s "$WORK/answers.got" "$WORK/answers.want" &&
		grep -q 'readers that poll: shm' "$WORK/answers.got"
	ok $? "the sweep ends with the answers in brief, the report's own lines ($(head -1 "$WORK/answers.got" | cut -c1-60))"
fi
"$BIN" -q -t pipe,shm -s 64 -m latency -n 100 -d 0 -w 2 --repeat 2 >"$WORK/quiet.out" 2>/dev/null
! grep -q '^# the answers in brief' "$WORK/quiet.out"
ok $? "-q: no answers"

done_testing
