#!/bin/bash
# then.sh - sweeps joined by --then (TAP): a server two sweeps need (redis, the same options) is
# started once and kept for the second, which measures with it; a sweep that needs no server
# finds the one held stopped before its runs; nothing is left at the end, also when the driver
# is stopped by a signal in the second sweep. A mistake in a later sweep is a usage error said
# before the first runs, and a sweep with no options or one that is not a sweep (--list) too.
#
# Usage: then.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# Not -q: the driver says on stderr which server it started and which it kept.
Q=(-s 64 -m latency -n 50 -d 0 -w 2)
if ! "$BIN" --list redis | grep -q '^  runs here: *yes'; then
	echo "1..0 # SKIP redis cannot run here (ipcbench --list redis)"
	exit 0
fi
servers() { pgrep -f "$TMPDIR/ipcbench-$1-" | wc -l; } # servers DRIVER_PID: its servers' count

"$BIN" "${Q[@]}" -t redis --csv "$WORK/a.csv" --then "${Q[@]}" -t redis,pipe --csv "$WORK/a.csv" \
	--first-round 2 --then "${Q[@]}" -t pipe --csv "$WORK/a.csv" --first-round 3 \
	>/dev/null 2>"$WORK/a.err" &
pid=$!
# In the third sweep (pipe alone), the driver has no server left.
third=1
for _ in $(seq 1 600); do
	grep -q '^pipe,latency,64,3,' "$WORK/a.csv" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.01
done
kill -0 $pid 2>/dev/null && [ "$(servers $pid)" -ne 0 ] && third=0
wait $pid
st=$?
ok $st "three sweeps: exit 0 (got $st)"
[ $st -eq 0 ] || diag "$WORK/a.err"
[ "$(grep -c 'answered' "$WORK/a.err")" -eq 1 ] && grep -q '^# redis: .* kept from the sweep before' "$WORK/a.err"
ok $? "redis's server was started once, and kept for the second sweep"
[ "$(grep -c '^redis,latency,64,1,' "$WORK/a.csv")" -ge 1 ] && [ "$(grep -c '^redis,latency,64,2,' "$WORK/a.csv")" -ge 1 ] &&
	[ "$(grep -c '^pipe,latency,64,3,' "$WORK/a.csv")" -ge 1 ] && [ "$(grep -c '^transport,' "$WORK/a.csv")" -eq 1 ]
ok $? "one CSV: the rows of every sweep (redis in rounds 1 and 2, pipe in 3), one header"
[ $third -eq 1 ]
ok $? "the sweep that needs no server runs with none of the driver's left"
[ -z "$(ls -A "$TMPDIR")" ] && ! pgrep -f "$TMPDIR/ipcbench-$pid-" >/dev/null
ok $? "nothing left: no server, no directory"

# Stopped by a signal in the second sweep: the server it kept goes too.
"$BIN" "${Q[@]}" -t redis --csv "$WORK/b.csv" --then -s 64 -m latency -d 5 -t redis \
	--csv "$WORK/b.csv" --first-round 2 >/dev/null 2>"$WORK/b.err" &
pid=$!
for _ in $(seq 1 500); do
	grep -q 'kept from the sweep before' "$WORK/b.err" && break
	sleep 0.01
done
sleep 0.3
kill -TERM $pid
wait $pid
st=$?
sleep 0.2
[ $st -eq $((128 + 15)) ] && [ -z "$(ls -A "$TMPDIR")" ] && ! pgrep -f "$TMPDIR/ipcbench-$pid-" >/dev/null
ok $? "SIGTERM in the second sweep: exit 143 (got $st), no server and no directory left"
[ $st -eq $((128 + 15)) ] || diag "$WORK/b.err"

# Mistakes: said before anything runs.
"$BIN" "${Q[@]}" -t pipe --csv "$WORK/c.csv" --then "${Q[@]}" -t pipe --size 0 >/dev/null 2>"$WORK/c.err"
st=$?
[ $st -eq 2 ] && [ ! -e "$WORK/c.csv" ] && grep -q -- "--size" "$WORK/c.err"
ok $? "a bad value in the second sweep: exit 2 (got $st) before the first runs, naming it"
"$BIN" "${Q[@]}" -t pipe --then >/dev/null 2>"$WORK/d.err"
st=$?
[ $st -eq 2 ] && grep -q "sweep 2 has no options" "$WORK/d.err"
ok $? "--then with nothing after it: exit 2 (got $st), saying so"
"$BIN" "${Q[@]}" -t pipe --then --list >/dev/null 2>"$WORK/e.err"
st=$?
[ $st -eq 2 ] && grep -q "asks for --list, which is not one" "$WORK/e.err"
ok $? "--then --list: exit 2 (got $st), not a sweep"
done_testing
