#!/bin/bash
# count.sh IPCBENCH SOURCE_ROOT - TAP test of ipcbench --count on this machine, under valgrind's
# callgrind: the counts of a point are the same in two runs; a transport whose waits are marked
# counts the same with its receiver slowed (--receiver-work-ns), and each point's own check says
# "exact"; a module that polls without marking its wait is reported as timing-dependent instead
# of trusted; compare decides two counted runs of one binary ok from one run a side; the loads
# it cannot count are refused, naming them; and its profiles are gone afterwards.
set -u
BIN=$(readlink -f "${1:?usage: count.sh ipcbench source_root}")
ROOT=${2:?usage: count.sh ipcbench source_root}
. "$(dirname "$0")/../tap.sh"
tap_workdir count
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed (scripts/setup installs it)"
	exit 0
fi
# A sanitized build cannot run under valgrind, and says so instead of counting.
if ! why=$("$BIN" --count --list 2>&1 >/dev/null); then
	case $why in
	*AddressSanitizer*)
		echo "1..0 # SKIP a sanitizer build does not count: ${why%%$'\n'*}"
		exit 0
		;;
	esac
fi

# count NAME ARGS...: a counted run into $WORK/NAME.csv, its output in NAME.out and NAME.err
count() {
	local name=$1
	shift
	"$BIN" --count -q --csv "$WORK/$name.csv" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}
CSV_AWK=$(cat "$(dirname "$0")/../csv.awk")
# col FILE TRANSPORT SIZE COLUMN [MODE]: a counted row's value (each mode's, or MODE's)
col() {
	awk -v t="$2" -v s="$3" -v c="$4" -v m="${5:-}" "$CSV_AWK"'
		NR == 1 { csv_split($0, f); for (i in f) h[f[i]] = i; next }
		{ csv_split($0, f) }
		f[h["transport"]] == t && f[h["size_bytes"]] == s && f[h["latency_kind"]] == "count" &&
			(m == "" || f[h["mode"]] == m) { print f[h[c]] }' "$1"
}
# near X Y: two counts within 0.1% of each other (the residue docs/ci-gate.md accounts for)
near() {
	awk -v x="$1" -v y="$2" 'BEGIN { d = x - y; if (d < 0) d = -d; exit !(x != "" && d <= 0.001 * (x < 0 ? -x : x) + 0.05) }'
}

count a -t pipe,shm -s 64,64K -m throughput,latency
st=$?
count b -t pipe,shm -s 64,64K -m throughput,latency
st2=$?
rows=$(awk -F, 'NR > 1' "$WORK/a.csv" 2>/dev/null | wc -l)
[ $st -eq 0 ] && [ $st2 -eq 0 ] && [ "$rows" -eq 8 ] &&
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["latency_kind"] }' "$WORK/a.csv" | sort -u)" = count ]
ok $? "--count: one counted row per point, no timed row (exit $st and $st2, $rows rows)"
same=0
for t in pipe shm; do
	for s in 64 65536; do
		for m in throughput latency; do
			for c in sender_instr_per_msg receiver_instr_per_msg sender_syscalls_per_msg receiver_syscalls_per_msg; do
				x=$(col "$WORK/a.csv" $t $s $c $m)
				y=$(col "$WORK/b.csv" $t $s $c $m)
				near "$x" "$y" || {
					diag <<<"$t $s $m $c: '$x' and '$y'"
					same=1
				}
			done
		done
	done
done
ok $same "two runs count the same within 0.1%, point by point ($(col "$WORK/a.csv" shm 64 sender_instr_per_msg throughput) sender instructions per shm message)"
checks=$(for f in a b; do for t in pipe shm; do for s in 64 65536; do col "$WORK/$f.csv" $t $s count_check; done; done; done | sort | uniq -c)
[ "$(printf '%s\n' "$checks" | awk '{ print $2 }' | sort -u)" = exact ]
ok $? "every point's check (counted again with each side slowed in turn) says exact"
diag <<<"$checks"
col "$WORK/a.csv" pipe 64 syscalls throughput | grep -q '^sender: write 1, .*; receiver: read 1'
ok $? "the system calls by name: a pipe's sender writes once a message, its receiver reads once ($(col "$WORK/a.csv" pipe 64 syscalls throughput))"

# Marked waits: a receiver slowed by 50 us a message leaves every count as it was.
count slow -t shm -s 64 -m throughput --receiver-work-ns 50000
st=$?
[ $st -eq 0 ] && near "$(col "$WORK/slow.csv" shm 64 sender_instr_per_msg)" "$(col "$WORK/a.csv" shm 64 sender_instr_per_msg throughput)" &&
	near "$(col "$WORK/slow.csv" shm 64 receiver_instr_per_msg)" "$(col "$WORK/a.csv" shm 64 receiver_instr_per_msg throughput)"
ok $? "shm's marked waits: its receiver slowed, both sides count what they did (exit $st)"

"$BIN" compare --threshold 1% "$WORK/a.csv" "$WORK/b.csv" >"$WORK/cmp.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -q '^8 groups compared: 0 regressed, 0 improved, 8 ok' "$WORK/cmp.out"
ok $? "compare decides the two runs ok, every group, from one run a side (exit $st)"

# A module that polls without marking: its counts move with its peer's timing, and say so.
if command -v cc >/dev/null 2>&1; then
	cc -O2 -fPIC -shared -I"$ROOT/include" -I"$ROOT/examples/ring" -DVARIANT_UNMARKED \
		-DVARIANT_NAME='"unmarked"' -o "$WORK/unmarked.so" "$ROOT/tests/modules/variants.c" &&
		cc -O2 -fPIC -shared -I"$ROOT/include" -o "$WORK/ring.so" "$ROOT/examples/ring/ring.c"
	ok $? "the example module and an unmarked variant build"
	count mod -t "external:$WORK/ring.so,external:$WORK/unmarked.so" -s 64 -m throughput
	st=$?
	check=$(col "$WORK/mod.csv" variant-unmarked 64 count_check)
	[ $st -eq 0 ] && [ "$(col "$WORK/mod.csv" example-ring 64 count_check)" = exact ] &&
		[[ $check == timing-dependent:* ]]
	ok $? "the example module, which marks its waits, counts exactly; the unmarked one is timing-dependent ($check)"
else
	skip "modules counted" "no C compiler"
fi

# What it cannot count is refused before anything runs.
bad=0
for args in "--rate 1000" "--pairs 2" "-m bistream" "--duration 1" "--floor" "--inflight 4"; do
	# shellcheck disable=SC2086
	"$BIN" --count -t pipe -s 64 $args >/dev/null 2>"$WORK/bad.err"
	st=$?
	if [ $st -ne 2 ] || ! grep -q -- '--count counts closed loops of one pair on this host: not with' "$WORK/bad.err"; then
		diag <<<"--count $args: exit $st, $(cat "$WORK/bad.err")"
		bad=1
	fi
done
ok $bad "--count with an open loop, several pairs, a bistream, a duration, the floors or requests in flight: exit 2, naming it"

# The transport that moves nothing has no receiver at work (its sender plays it): counted, its
# receiver's part is none, not a missing profile.
count null -t null -s 64
st=$?
rx=$(col "$WORK/null.csv" null 64 receiver_instr_per_msg latency)
[ $st -eq 0 ] && [ -n "$rx" ] && awk -v x="$rx" 'BEGIN { exit !(x == 0) }' &&
	[ -n "$(col "$WORK/null.csv" null 64 sender_instr_per_msg throughput)" ]
ok $? "the null transport counted: its sender's work, no receiver's (exit $st, receiver $rx)"

left=$(find "$TMPDIR" -mindepth 1 | head -3)
[ -z "$left" ]
ok $? "the profiles' directory is gone afterwards${left:+ (left: $left)}"

# Valgrind's gdbserver would make a pair of FIFOs in TMPDIR for each side, which a side killed
# leaves behind: none is made while a count runs.
"$BIN" --count -q -t pipe -s 64 -m latency --csv "$WORK/vgdb.csv" >/dev/null 2>&1 &
pid=$!
seen=
while kill -0 $pid 2>/dev/null; do
	seen=$(find "$TMPDIR" -name 'vgdb-pipe*' | head -1)
	[ -n "$seen" ] && break
	sleep 0.1
done
wait $pid
st=$?
[ $st -eq 0 ] && [ -z "$seen" ]
ok $? "no gdbserver FIFO made while sides run under valgrind (exit $st${seen:+, seen $seen})"

done_testing
