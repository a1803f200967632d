#!/bin/bash
# netns.sh - transports that cannot work here say so before anything runs (TAP).
#
# In a private network namespace the loopback interface starts down: tcp and udp cannot reach
# 127.0.0.1. --list must say they cannot run and why; a run of only them exits 77 (nothing can
# run) naming the reason; with other transports they are skipped and the rest runs. With
# loopback brought up in the namespace they run again.
#
# Usage: netns.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

if ! unshare -n true 2>/dev/null; then
	skip "transports over a loopback that is down" "cannot make a network namespace here"
	done_testing
	exit
fi

unshare -n "$BIN" --list >"$WORK/list.out" 2>"$WORK/list.err"
st=$?
for t in tcp udp; do
	awk -v t="$t" '$1 == t { found = 1; if ($2 != "no") bad = 1; getline
		if ($0 !~ /why not: .*127\.0\.0\.1.*Network is unreachable.*loopback interface down/) bad = 1 }
		END { exit bad || !found }' "$WORK/list.out"
	ok $? "loopback down: --list says $t cannot run, and why (exit $st)"
done
awk '$1 == "unix-stream" && $2 == "yes" { f = 1 } END { exit !f }' "$WORK/list.out"
ok $? "loopback down: --list still says unix-stream runs"
grep -A1 -E '^(tcp|udp) ' "$WORK/list.out" | diag

unshare -n "$BIN" -q -t tcp,udp -s 64 -n 10 -d 0 >/dev/null 2>"$WORK/only.err"
st=$?
[ $st -eq 77 ] && grep -q "skipping tcp: connect(TCP, 127.0.0.1): Network is unreachable" "$WORK/only.err" &&
	grep -q "skipping udp: connect(UDP, 127.0.0.1): Network is unreachable" "$WORK/only.err" &&
	grep -q "none of the requested transports can run" "$WORK/only.err"
ok $? "loopback down: a run of only tcp and udp exits 77 (got $st) naming why"
[ $st -eq 77 ] || diag "$WORK/only.err"

unshare -n "$BIN" -q -t tcp,pipe -s 64 -n 10 -d 0 --csv "$WORK/mixed.csv" >/dev/null 2>"$WORK/mixed.err"
st=$?
[ $st -eq 0 ] && has_row "$WORK/mixed.csv" pipe && ! has_row "$WORK/mixed.csv" tcp &&
	grep -q "skipping tcp" "$WORK/mixed.err"
ok $? "loopback down: tcp is skipped with its reason, pipe runs, exit 0 (got $st)"

# shellcheck disable=SC2016
unshare -n sh -c 'ip link set lo up && exec "$1" -q -t tcp,udp -s 64 -n 10 -d 0 --csv "$2"' sh \
	"$BIN" "$WORK/up.csv" >/dev/null 2>"$WORK/up.err"
st=$?
[ $st -eq 0 ] && has_row "$WORK/up.csv" tcp && has_row "$WORK/up.csv" udp
ok $? "loopback brought up in the namespace: tcp and udp run (exit $st)"
[ $st -eq 0 ] || diag "$WORK/up.err"

done_testing
