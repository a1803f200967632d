#!/bin/bash
# smoke.sh - the real ipcbench binary end to end (TAP): help, list, CSV shape and appending,
# bad input (exit 2 naming the value), a failing run (exit 1, rows kept), Ctrl-C (rows kept,
# children reaped), and nothing of ours left behind after any of them; `-` for standard output.
#
# Usage: smoke.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: smoke.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir smoke

# Objects a run with this pid could have made: POSIX shm, mqueues, files and dirs in TMPDIR.
leftovers() { # leftovers PID
	local pid=$1
	ls /dev/shm /dev/mqueue "${TMPDIR:-/tmp}" 2>/dev/null | grep -c "ipcbench-$pid-"
}

# ---- help, version, list ----
"$BIN" --help >"$WORK/out" 2>&1
ok $? "--help exits 0"
grep -q -- "--transport" "$WORK/out" && grep -q -- "--size" "$WORK/out" && grep -q "Exit status" "$WORK/out"
ok $? "--help documents options and exit status"
"$BIN" --version | grep -q "^ipcbench "
ok $? "--version prints the version"
"$BIN" --list >"$WORK/list"
ok $? "--list exits 0"
for t in null pipe unix-stream tcp shm; do
	grep -q "^$t " "$WORK/list"
	ok $? "--list shows $t"
done

# ---- a normal run: table and CSV ----
"$BIN" -q -t pipe,shm -s 64,4K -m both -n 50 -d 0 -w 5 --csv "$WORK/a.csv" >"$WORK/table" 2>"$WORK/err" &
pid=$!
wait $pid
ok $? "a pipe and shm run exits 0"
grep -q "p99.9" "$WORK/table" && grep -q "MB/s" "$WORK/table" && grep -qE "^shm +latency" "$WORK/table"
ok $? "the table has percentiles, MB/s and a shm latency row"
[ "$(awk -F, 'NR > 1 && ($6 == "rtt" || $6 == "")' "$WORK/a.csv" | wc -l)" -eq 8 ]
ok $? "CSV has 8 main rows (2 transports x 2 sizes x 2 modes)"
[ "$(awk -F, 'NR > 1 && $6 ~ /^one_way/' "$WORK/a.csv" | grep -c .)" -ge 1 ]
ok $? "CSV has one-way rows beside them"
header=$(head -1 "$WORK/a.csv")
missing=0
for col in transport mode size_bytes run messages latency_kind min_ns p50_ns p90_ns p99_ns \
	p999_ns max_ns mean_ns stddev_ns msgs_per_s bytes_per_s sender_cpu receiver_cpu wait \
	chunk_bytes sender_cpu_s receiver_cpu_s ctx_switches_per_msg host kernel cpu_model version; do
	echo ",$header," | grep -q ",$col," || { echo "# missing column $col"; missing=1; }
done
ok $missing "CSV header has every required column"
# Latency rows say rtt; throughput rows fill bytes_per_s and leave percentiles empty.
awk -F, 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["latency_kind"] ~ /^one_way/ { if ($c["p50_ns"] == "" || $c["bytes_per_s"] != "") bad = 1; next }
	$c["mode"] == "latency" && ($c["latency_kind"] != "rtt" || $c["p50_ns"] == "") { bad = 1 }
	$c["mode"] == "throughput" && ($c["bytes_per_s"] == "" || $c["p50_ns"] != "") { bad = 1 }
	$c["messages"] != 50 { bad = 1 }
	END { exit bad }' "$WORK/a.csv"
ok $? "rows: rtt with percentiles for latency, bytes/s without percentiles for throughput, 50 messages each"
[ "$(leftovers $pid)" -eq 0 ]
ok $? "nothing left in /dev/shm, /dev/mqueue or TMPDIR after a normal run"

"$BIN" -q -t pipe -s 64 -m latency -n 20 -d 0 --csv "$WORK/a.csv" >/dev/null 2>&1
[ "$(grep -c '^pipe,latency,64,1,20,rtt' "$WORK/a.csv")" -eq 1 ] && [ "$(grep -c '^transport,' "$WORK/a.csv")" -eq 1 ]
ok $? "a second run appends one row and no second header"
echo "some,other,header" >"$WORK/other.csv"
"$BIN" -q -t pipe -s 64 -n 5 -d 0 --csv "$WORK/other.csv" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q "other.csv" "$WORK/err" && [ "$(wc -l <"$WORK/other.csv")" -eq 1 ]
ok $? "a CSV with another header is refused with exit 2 and left untouched"
"$BIN" -q -t pipe -s 64 -n 5 -d 0 --csv "$WORK/no/such/dir/x.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "no/such/dir" "$WORK/err"
ok $? "an unwritable CSV path is refused with exit 2, naming the path"

# ---- --verify: every row says which level checked it ----
for level in headers sampled full; do
	"$BIN" -q -t pipe,null -s 4K -m both -n 130 -d 0 -w 2 --verify $level --csv "$WORK/v-$level.csv" >/dev/null 2>&1
	awk -F, -v want=$level 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["transport"] == "pipe" { pipe++; if ($c["verify"] != want) bad = 1 }
		$c["transport"] == "null" { null++; if ($c["verify"] != "") bad = 1 }
		END { exit bad || !pipe || !null }' "$WORK/v-$level.csv"
	ok $? "--verify $level: the pipe rows say $level, the null rows (nothing moved) nothing"
done
# Byte-by-byte checks: none under headers, some under sampled, every message under full
# (in latency mode the sender checks each echo; in throughput mode the receiver each message).
awk -F, 'FNR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["transport"] == "pipe" && $c["latency_kind"] ~ /^(rtt)?$/ { seen[FILENAME]++ }
	FILENAME ~ /v-headers/ && $c["transport"] == "pipe" && $c["latency_kind"] ~ /^(rtt)?$/ && $c["full_checks"] != 0 { bad = 1 }
	FILENAME ~ /v-sampled/ && $c["transport"] == "pipe" && $c["latency_kind"] ~ /^(rtt)?$/ && ($c["full_checks"] < 2 || $c["full_checks"] >= 130) { bad = 1 }
	FILENAME ~ /v-full/ && $c["transport"] == "pipe" && $c["latency_kind"] ~ /^(rtt)?$/ && $c["full_checks"] < 130 { bad = 1 }
	END { for (f in seen) files++; exit bad || files != 3 }' "$WORK/v-headers.csv" "$WORK/v-sampled.csv" "$WORK/v-full.csv"
ok $? "full_checks: 0 under headers, a sample under sampled, every message under full"
# The null transport's round trip runs the sender's whole path, as a real one does: the message
# stamped, given back as sent, and checked (every byte of each, under full), so that its floor
# is the harness's cost on that side.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["transport"] == "null" && $c["latency_kind"] == "rtt" { n++; if ($c["full_checks"] < 130) bad = 1 }
	END { exit bad || n != 1 }' "$WORK/v-full.csv"
ok $? "null's latency row under --verify full: each of its 130 messages checked whole"
# A stream's writer of pieces of 4 KiB and up tries streaming (non-temporal) stores for two
# laps after its fourth (transports/util/storechoice.h): in shm's ring 1 MiB messages, four to
# a ring, put messages 17-24 through them, 64 KiB ones, 63 to a ring, messages 253-378, 4 KiB
# ones, 992 to a ring, messages 3969-5952; in sysv-shm's, shm-sem's and shm-mutex's slots four
# and 64 to a ring, messages 17-24 and 257-384; every byte of every message is checked.
if [ "$(nproc)" -ge 2 ]; then
	"$BIN" -q -t shm,mmap,sysv-shm,shm-sem,shm-mutex -s 64K,1M -m throughput --placement cross-core \
		-n 500 -d 0 -w 0 --verify full --csv "$WORK/nt.csv" >/dev/null 2>"$WORK/err" &&
		"$BIN" -q -t shm,mmap -s 4K -m throughput --placement cross-core -n 7000 -d 0 \
			-w 0 --verify full --csv "$WORK/nt.csv" >/dev/null 2>"$WORK/err"
	ok $? "streams of 4 KiB (a ring), 64 KiB and 1 MiB (a ring and slots) across CPUs through a trial, every byte checked, exit 0"
else
	skip "one CPU: no stream across CPUs"
fi
"$BIN" -q -t pipe -s 64 -n 5 -d 0 --verify everything >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "'everything'" "$WORK/err"
ok $? "an unknown --verify level is refused with exit 2, naming it"

# ---- histogram files ----
"$BIN" -q -t pipe -s 64 -n 30 -d 0 -w 5 --hdr-log "$WORK/h.hlog" --hgrm "$WORK/hgrm" >/dev/null 2>&1
ok $? "--hdr-log and --hgrm run exits 0"
head -1 "$WORK/h.hlog" | grep -q '^#\[Histogram log format version 1.3\]' &&
	[ "$(grep -c '^Tag=' "$WORK/h.hlog")" -eq "$(ls "$WORK/hgrm" | grep -c '\.hgrm$')" ] &&
	grep -q '^Tag=cross-core/pipe/latency/64/rtt/run1,' "$WORK/h.hlog"
ok $? "the log has a version header and one tagged interval per .hgrm file"
grep -q '#\[Max *=' "$WORK/hgrm/cross-core-pipe-latency-64-rtt-run1.hgrm"
ok $? "a .hgrm file has the classic footer"

# ---- bad input: exit 2 and the message names the bad value ----
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	"$BIN" $args >/dev/null 2>"$WORK/err"
	st=$?
	[ $st -eq 2 ] && grep -qF -- "$want" "$WORK/err"
	ok $? "bad input '$args' exits 2 naming '$want'"
	[ $st -eq 2 ] || diag "$WORK/err"
done <<'CASES'
--size 12Q|12Q
--size 0|'0'
--size -5|-5
--size 2G|2G
--size 4K,,8K|4K,,8K
--transport nosuch|nosuch
--transport nosuch|pipe
--mode sideways|sideways
--messages -1|-1
--messages abc|abc
--messages 0|'0'
--duration abc|abc
--duration -2|-2
--warmup x|'x'
--repeat 0|'0'
--cpus 0,4096|4096
--cpus 7|'7'
--cpus 0,1,2|0,1,2
--wait nap|nap
--wait spin -t pipe|--wait
--timeout 0|'0'
--placement sideways|sideways
--placement cross-core,cross-core|twice
--work-ns -3|-3
--hdr-log /no/such/dir/x.hlog|/no/such/dir
--size|--size
--frobnicate|--frobnicate
extra|extra
CASES

# ---- a failing run keeps the rows measured before it, and cleans up ----
"$BIN" -q -t null,pipe -s 4K -m latency -n 100 -d 0 --inject corrupt --csv "$WORK/f.csv" >/dev/null 2>"$WORK/err" &
pid=$!
wait $pid
st=$?
[ $st -eq 1 ] && grep -q "pipe latency 4K" "$WORK/err" && grep -q "verification failed" "$WORK/err"
ok $? "a corrupted message fails the run: exit 1 naming transport, mode, size and the check"
[ $st -eq 1 ] || diag "$WORK/err"
[ "$(grep -c '^null,latency,4096,1,100,rtt' "$WORK/f.csv")" -eq 1 ] && [ "$(grep -c '^pipe,' "$WORK/f.csv")" -eq 0 ]
ok $? "the row measured before the failure is kept, the failed one is not written"
[ "$(leftovers $pid)" -eq 0 ]
ok $? "nothing left after a failed run"

"$BIN" -q -t shm -s 64 -m latency -n 100 -d 0 --inject crash >/dev/null 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "receiver killed by signal" "$WORK/err"
ok $? "a crashing receiver is reported with its signal, exit 1"

"$BIN" -q -t pipe -s 64 -m latency -n 100 -d 0 --inject hang --timeout 1 >/dev/null 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "timed out" "$WORK/err"
ok $? "a peer that stops answering ends by --timeout, exit 1"

# ---- Ctrl-C: rows kept, children reaped, nothing left ----
"$BIN" -q -t pipe,shm -s 64 -m latency -d 3 --csv "$WORK/i.csv" >/dev/null 2>"$WORK/err" &
pid=$!
# Wait until the first row is in (pipe done, shm running), then interrupt.
for _ in $(seq 100); do
	[ "$(wc -l <"$WORK/i.csv" 2>/dev/null || echo 0)" -ge 2 ] && break
	sleep 0.1
done
sleep 0.3
children=$(pgrep -P $pid | wc -l)
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] && grep -q "stopped by" "$WORK/err"
ok $? "SIGINT stops the sweep with exit 130 and says so (exit $st)"
[ "$(grep -c '^pipe,latency,64,1,[0-9]*,rtt' "$WORK/i.csv")" -eq 1 ]
ok $? "the rows measured before SIGINT are kept"
[ "$children" -eq 2 ] && ! pgrep -f "ipcbench.*i.csv" >/dev/null
ok $? "the two children that were running are gone ($children were running)"
[ "$(leftovers $pid)" -eq 0 ]
ok $? "nothing left after SIGINT"

# --no-one-way: round trips only, the echo side timing nothing inside them.
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 10 --no-one-way --csv "$WORK/now.csv" >/dev/null 2>&1 &&
	[ "$(grep -c '^pipe,latency,64,1,[0-9]*,rtt,' "$WORK/now.csv")" -eq 1 ] &&
	! grep -q ',one_way_' "$WORK/now.csv"
ok $? "--no-one-way: the round trip's row, no one_way rows"
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 10 --csv "$WORK/ow.csv" >/dev/null 2>&1 &&
	[ "$(grep -c ',one_way_\(ab\|ba\),' "$WORK/ow.csv")" -eq 2 ]
ok $? "without it, both one_way rows"
# --one-way-every: one-way times on the first measured round trip and each Nth after it, on both
# sides alike (the echo times what the sender stamps); a one_way row's messages are its samples.
# By default N is one round trip per 100 us at the warm-up's pace, at most 16.
ow_count() { # ow_count CSV KIND: that row's messages
	awk -F, -v k="$2" '$6 == k { print $5 }' "$1"
}
ab=$(ow_count "$WORK/ow.csv" one_way_ab)
[ "$(ow_count "$WORK/ow.csv" rtt)" = 200 ] && [ "$ab" -ge 13 ] && [ "$ab" -le 200 ] &&
	[ "$(ow_count "$WORK/ow.csv" one_way_ba)" = "$ab" ]
ok $? "by default one round trip in 16 or more often is timed one way, both ways alike ($ab of 200)"
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 10 --one-way-every 16 --csv "$WORK/ow16.csv" >/dev/null 2>&1 &&
	[ "$(ow_count "$WORK/ow16.csv" one_way_ab)" = 13 ] && [ "$(ow_count "$WORK/ow16.csv" one_way_ba)" = 13 ]
ok $? "--one-way-every 16: 13 of 200 ($(ow_count "$WORK/ow16.csv" one_way_ab 2>/dev/null))"
# Round trips of 120 us or more (60 us of busy work on each side): every one is timed one way.
"$BIN" -q -t pipe -s 64 -m latency -n 50 -d 0 -w 10 --work-ns 60000 --csv "$WORK/owslow.csv" >/dev/null 2>&1 &&
	[ "$(ow_count "$WORK/owslow.csv" one_way_ab)" = 50 ] && [ "$(ow_count "$WORK/owslow.csv" one_way_ba)" = 50 ]
ok $? "by default a slow round trip loses no one-way samples: 50 of 50 ($(ow_count "$WORK/owslow.csv" one_way_ab 2>/dev/null))"
# The null transport moves nothing, and its sender answers its own request as the echo side
# would (the floor holds both sides' harness work): the echo's busy work is inside each round
# trip, as in a real transport's, where it was left out before. The busy wait is at least as
# long as asked, so the shortest round trip is too.
"$BIN" -q -t null -s 64 -m latency -n 50 -d 0 -w 5 --receiver-work-ns 30000 --csv "$WORK/nullecho.csv" >/dev/null 2>&1
nmin=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["latency_kind"] == "rtt" { print $c["min_ns"] }' "$WORK/nullecho.csv" 2>/dev/null)
[ -n "$nmin" ] && [ "$nmin" -ge 30000 ]
ok $? "null: the echo side's work is inside its round trip (--receiver-work-ns 30000: the shortest $nmin ns)"
# Round trips of a few us on one CPU: far fewer than every one (every one from a 50 us pace).
"$BIN" -q -t pipe -s 64 -m latency --placement same-core -n 2000 -d 0 -w 200 --csv "$WORK/owfast.csv" >/dev/null 2>&1
ab=$(ow_count "$WORK/owfast.csv" one_way_ab 2>/dev/null)
[ -n "$ab" ] && [ "$ab" -ge 125 ] && [ "$ab" -lt 1000 ] && [ "$(ow_count "$WORK/owfast.csv" one_way_ba)" = "$ab" ]
ok $? "by default a short round trip on one CPU is timed one way on a few of them ($ab of 2000)"
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 10 --one-way-every 7 --csv "$WORK/ow7.csv" >/dev/null 2>&1 &&
	[ "$(ow_count "$WORK/ow7.csv" one_way_ab)" = 29 ] && [ "$(ow_count "$WORK/ow7.csv" one_way_ba)" = 29 ]
ok $? "--one-way-every 7: 29 of 200 ($(ow_count "$WORK/ow7.csv" one_way_ab 2>/dev/null))"
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 10 --one-way-every 1 --csv "$WORK/ow1.csv" >/dev/null 2>&1 &&
	[ "$(ow_count "$WORK/ow1.csv" one_way_ab)" = 200 ] && [ "$(ow_count "$WORK/ow1.csv" one_way_ba)" = 200 ]
ok $? "--one-way-every 1: every round trip"
# A way left out while the other is written is named with its own median: shm-zc's 1 MiB reply is
# a loan's commit, far shorter than the clock check's bound, while the request's copy is not.
"$BIN" -t shm-zc -s 1M -m latency -n 300 -d 0 -w 10 --csv "$WORK/owzc.csv" >/dev/null 2>"$WORK/owzc.err"
st=$?
ab=$(grep -c ',one_way_ab,' "$WORK/owzc.csv" 2>/dev/null)
ba=$(grep -c ',one_way_ba,' "$WORK/owzc.csv" 2>/dev/null)
note=$(grep 'one-way rows left out' "$WORK/owzc.err")
if [ "$ab" = 1 ] && [ "$ba" = 0 ]; then
	[ $st -eq 0 ] && [[ $note == *"left out: b->a: "*", b->a one-way p50 "* ]]
else
	[ $st -eq 0 ] && [[ $note != *"b->a"* && $note != *"a->b"* ]]
fi
ok $? "a one-way row left out names its way when the other is written (rows a->b $ab, b->a $ba: ${note:-no note})"
# Requests in flight: the echo is the closed loop's, so it times the requests the sender stamps
# and its reply thread takes the replies the echo stamped, and --no-one-way holds there too.
"$BIN" -q -t pipe -s 64 -m latency --inflight 2 -n 200 -d 0 -w 10 --one-way-every 16 --csv "$WORK/oww.csv" >/dev/null 2>&1 &&
	[ "$(ow_count "$WORK/oww.csv" one_way_ab)" = 13 ] && [ "$(ow_count "$WORK/oww.csv" one_way_ba)" = 13 ] &&
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ p[$c["latency_kind"]] = $c["p50_ns"] } END { exit !(p["one_way_ba"] < p["rtt"]) }' "$WORK/oww.csv"
ok $? "--inflight 2: 13 of 200 timed one way each way, the way back shorter than the round trip"
"$BIN" -q -t pipe -s 64 -m latency --inflight 2 -n 200 -d 0 -w 10 --no-one-way --csv "$WORK/owwn.csv" >/dev/null 2>&1 &&
	[ "$(grep -c ',rtt,' "$WORK/owwn.csv")" -eq 1 ] && ! grep -q ',one_way_' "$WORK/owwn.csv"
ok $? "--inflight 2 --no-one-way: no one_way rows"
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 --one-way-every 0 >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q -- "--one-way-every.*'0'" "$WORK/err"
ok $? "--one-way-every 0 is refused, naming the value (exit $st: $(head -1 "$WORK/err" | head -c 120))"

# The copy cliffs: one floor-cliff row per offset, each its own experiment (options), its
# channel saying where the copy's destination lay, each a rate.
"$BIN" -q -t null -s 16K --floor --placement same-core -n 50 -d 0 --csv "$WORK/cliff.csv" >/dev/null 2>&1 &&
	awk "$(cat "$(dirname "$0")/../csv.awk")"'
		NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
		{ csv_split($0, f) }
		f[c["transport"]] == "floor-cliff" && f[c["bytes_per_s"]] + 0 > 0 &&
		f[c["size_bytes"]] == 16384 &&
		index(f[c["channel"]], "destination " substr(f[c["options"]], 8) " bytes past the source") {
			seen[f[c["options"]]]++; kinds++
		}
		END { exit !(seen["offset=0"] == 1 && seen["offset=8"] == 1 && seen["offset=16"] == 1 &&
			seen["offset=32"] == 1 && seen["offset=64"] == 1 && seen["offset=4088"] == 1 &&
			kinds == 6) }' "$WORK/cliff.csv"
ok $? "--floor: a floor-cliff row for each of the offsets 0, 8, 16, 32, 64 and 4088, with its rate"
# A stream's hand-over across two CPUs: a floor-handover row of its own with --floor, one a
# round, its messages a line (and none on one CPU, where nothing polls beside the writer).
if [ "$(nproc)" -ge 2 ]; then
	"$BIN" -q -t null -s 64 -m throughput --floor --placement cross-core,same-core -n 50 -d 0 \
		--repeat 2 --csv "$WORK/handover.csv" >/dev/null 2>&1 &&
		awk "$(cat "$(dirname "$0")/../csv.awk")"'
			NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
			{ csv_split($0, f) }
			f[c["transport"]] == "floor-handover" {
				rows++; cross += f[c["placement"]] == "cross-core"
				good += f[c["msgs_per_s"]] + 0 > 0 && index(f[c["channel"]], "56 bytes of payload")
			}
			END { exit !(rows == 2 && cross == 2 && good == 2) }' "$WORK/handover.csv"
	ok $? "--floor: a floor-handover row each round across two CPUs, none on one"
fi

# The cheapest system call: a floor-syscall row of its own with --floor, one a round at each
# placement, a rate of calls on the sender's CPU alone.
"$BIN" -q -t null -s 64 -m throughput --floor --placement same-core -n 50 -d 0 --repeat 2 \
	--csv "$WORK/syscall.csv" >/dev/null 2>&1 &&
	awk "$(cat "$(dirname "$0")/../csv.awk")"'
		NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
		{ csv_split($0, f) }
		f[c["transport"]] == "floor-syscall" {
			rows++
			good += f[c["msgs_per_s"]] + 0 > 0 && f[c["receiver_cpu"]] == "" &&
				index(f[c["channel"]], "getppid")
		}
		END { exit !(rows == 2 && good == 2) }' "$WORK/syscall.csv"
ok $? "--floor: a floor-syscall row each round, its calls a second on one CPU"

# Every row beside its ceiling, by default: a stream against the copy of its placement (measured
# as the probes are, no row of its own), or across two CPUs the hand-over of each message where
# that takes longer (a 64 B stream: which of the two is longer is the machine's to say, and under
# AddressSanitizer its instrumented copy of 64 bytes can take longer than the hand-over), a round
# trip whose sides poll across two CPUs against the leanest one of its size (floor-mailbox, up to
# 16 KiB), one whose reader sleeps against the wake-up plus its payload's copy each way, and all
# of them plus the harness's own time (the row's harness_ns).
ceil_of() { # ceil_of CSV TRANSPORT MODE PLACEMENT: "ceiling x_floor" of its main row
	awk "$(cat "$(dirname "$0")/../csv.awk")"'
		NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
		{ csv_split($0, f) }
		f[c["transport"]] == t && f[c["mode"]] == m && f[c["placement"]] == p &&
		(f[c["latency_kind"]] == "" || f[c["latency_kind"]] == "rtt") {
			print f[c["ceiling"]], f[c["x_floor"]]
		}' t="$2" m="$3" p="$4" "$1"
}
"$BIN" -q -t shm,pipe -s 64 -m both --wait spin --placement cross-core,same-core -n 300 -d 0 \
	--csv "$WORK/ceil.csv" >"$WORK/ceil.table" 2>&1
st=$?
got="$(ceil_of "$WORK/ceil.csv" shm latency cross-core) | $(ceil_of "$WORK/ceil.csv" pipe latency cross-core) | $(ceil_of "$WORK/ceil.csv" shm throughput cross-core) | $(ceil_of "$WORK/ceil.csv" pipe throughput same-core)"
[[ $st -eq 0 && $got =~ ^floor-mailbox\+harness\ [0-9.]+\ \|\ probe-wakeup\+floor-xcopy\+harness\ [0-9.]+\ \|\ floor-(handover|xcopy)\+harness\ [0-9.]+\ \|\ floor-memcpy\+floor-syscall\+harness\ [0-9.]+$ ]] &&
	! grep -q '^floor-' "$WORK/ceil.table"
ok $? "each row beside its ceiling by default, with no floor rows: shm's polled round trip (the mailbox's), pipe's slept one, a 64 B stream's hand-over or copy across CPUs, whichever is longer, its copies and (pipe's write and read) system calls on one ($got)"
# With --floor the mailbox's rows are in the run: a polled round trip across two CPUs of a
# message it moves whole (4 KiB) is that round's mailbox round trip plus the harness, its x_floor
# its p50 over their sum; a larger one (64 KiB, in pieces) keeps the cache-line round trip and
# the copies; the mailbox's row says which of its two layouts it kept.
"$BIN" -q -t shm -s 4K,64K -m latency --wait spin --placement cross-core --floor -n 300 -d 0 \
	--csv "$WORK/mbox.csv" >/dev/null 2>&1
st=$?
got=$(awk "$(cat "$(dirname "$0")/../csv.awk")"'
	NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csv_split($0, f); t = f[c["transport"]]; sz = f[c["size_bytes"]] }
	t == "floor-mailbox" {
		box[sz] = f[c["p50_ns"]]
		lay += f[c["channel"]] ~ /^mailbox: (one box a way|[0-9]+ boxes a way over )/
	}
	t == "shm" && f[c["latency_kind"]] == "rtt" {
		p50[sz] = f[c["p50_ns"]]; x[sz] = f[c["x_floor"]]; ce[sz] = f[c["ceiling"]]
		hn[sz] = f[c["harness_ns"]]
	}
	END {
		want = p50[4096] / (box[4096] + hn[4096])
		ok = ce[4096] == "floor-mailbox+harness" && box[4096] > 0 && hn[4096] > 0 &&
		     (x[4096] - want) ^ 2 <= (0.01 * want) ^ 2 + 0.001 ^ 2 &&
		     ce[65536] ~ /^floor-cacheline\+floor-xcopy\+/ && lay == 2
		printf "%s %s %s (%s / (%s + %s) = %.3f), %s %s, %d layouts said", ok, ce[4096],
		       x[4096], p50[4096], box[4096], hn[4096], want, ce[65536], x[65536], lay
	}' "$WORK/mbox.csv")
[ $st -eq 0 ] && [ "${got%% *}" = 1 ]
ok $? "--floor: a 4 KiB polled round trip across CPUs against the round's floor-mailbox plus the harness, 64 KiB against the cache-line round trip and copies (${got#* })"
"$BIN" -t shm -s 64 -m throughput --placement cross-core -n 100 -d 0 --no-probes \
	--csv "$WORK/noceil.csv" >/dev/null 2>"$WORK/noceil.err"
st=$?
got=$(ceil_of "$WORK/noceil.csv" shm throughput cross-core)
[ $st -eq 0 ] && [ "$got" = " " ] && grep -q -- "--no-probes: no row is held against its ceiling" "$WORK/noceil.err"
ok $? "--no-probes: no ceiling, and stderr says which ratio is missing (row: '$got')"

# ---- standard output: `-` ----
# The data goes to standard output for the next tool in a pipe, and what is printed for a person
# to standard error; no file named `-` appears; two outputs cannot share it; a directory or a
# database cannot be it.
ABSBIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
(cd "$WORK" && "$ABSBIN" -t shm -s 64 -m latency -n 200 -d 0 --csv - 2>"$WORK/dash.err" >"$WORK/dash.csv")
st=$?
[ $st -eq 0 ] && head -1 "$WORK/dash.csv" | grep -q '^transport,mode,size_bytes,' &&
	grep -q '^shm,latency,64,' "$WORK/dash.csv" && ! grep -q '^#' "$WORK/dash.csv" &&
	grep -q '^# ipcbench ' "$WORK/dash.err" && grep -q '^shm  *latency' "$WORK/dash.err" &&
	[ ! -e "$WORK/-" ]
ok $? "--csv -: the rows on standard output, the table and notes on standard error, no file named - (exit $st)"
(cd "$WORK" && "$ABSBIN" -t shm -s 64 -m latency -n 200 -d 0 --json - 2>/dev/null) |
	python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(not d["benchmarks"])'
ok $? "--json -: one JSON document on standard output, piped into a reader"
"$BIN" report "$WORK/dash.csv" -o - >"$WORK/dash.md" 2>"$WORK/dash-report.err" &&
	grep -q '^# IPC on ' "$WORK/dash.md" && [ ! -e ./- ] && [ ! -e "$WORK/-" ]
ok $? "report -o -: the report on standard output"
# A reader that stops early (`| head -2`): the sweep stops there, as a pipeline's writer does on
# SIGPIPE (status 141), saying so once, with the rows it read whole.
"$BIN" -q -t pipe -s 64,4K,64K -n 200 -d 0 -r 20 --csv - 2>"$WORK/head.err" | head -2 >"$WORK/head.csv"
st=${PIPESTATUS[0]}
[ $st -eq 141 ] && [ "$(wc -l <"$WORK/head.csv")" -eq 2 ] && head -1 "$WORK/head.csv" | grep -q '^transport,mode,' &&
	[ "$(grep -c 'the reader of standard output closed it' "$WORK/head.err")" -eq 1 ] &&
	grep -qE 'stopped by Broken pipe after [0-9]+ of 120 runs' "$WORK/head.err"
ok $? "--csv - | head -2: the header and a row, then the sweep stops (exit $st; $(grep -m1 'stopped by' "$WORK/head.err"))"
"$BIN" -t shm -s 64 -n 10 -d 0 --csv - --json - >/dev/null 2>"$WORK/dash2.err"
st=$?
[ $st -eq 2 ] && grep -q -- '--csv - and --json -: standard output takes one of them' "$WORK/dash2.err"
ok $? "--csv - --json -: refused, exit 2 ($(head -1 "$WORK/dash2.err"))"
"$BIN" -t shm -s 64 -n 10 -d 0 --hgrm - >/dev/null 2>"$WORK/dash3.err"
st=$?
[ $st -eq 2 ] && grep -q -- '--hgrm -: standard output takes one stream of data' "$WORK/dash3.err"
ok $? "--hgrm -: a directory of files is no stream, exit 2"

done_testing
