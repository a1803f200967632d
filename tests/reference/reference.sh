#!/bin/bash
# reference.sh PINGPONG RINGPONG - TAP: the reference round trips (pingpong.c) run over each
# mechanism on one CPU and on two, print a mean round trip in ns, refuse a bad command line, and
# leave no System V queue behind; the shm ring's (ringpong.c) likewise, timed whole and per round
# trip. How fast they are is scripts/harness-check's business, not a test's.
set -u
PP=${1:?usage: reference.sh pingpong ringpong}
RP=${2:?usage: reference.sh pingpong ringpong}
. "$(dirname "$0")/../tap.sh"
tap_workdir reference

queues() { ipcs -q 2>/dev/null | grep -c '^0x' || true; }
before=$(queues)
cpus=$(nproc)
for kind in pipe unix tcp sysv-mq shm; do
	for b in 0 $((cpus > 1 ? 1 : 0)); do
		out=$("$PP" "$kind" 0 "$b" 2000 2>"$WORK/err")
		st=$?
		[ $st -eq 0 ] && awk -v v="$out" 'BEGIN { exit !(v + 0 > 0) }'
		ok $? "$kind on CPUs 0 and $b: 2000 round trips, a mean of $out ns (exit $st)"
	done
	[ $kind = shm ] && continue
	"$PP" "$kind" 0 0 500 4096 >/dev/null 2>&1
	ok $? "$kind with 4 KiB messages"
done
"$PP" shm 0 0 500 4096 >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q usage "$WORK/err"
ok $? "shm with a message larger than its slot: exit 2 with the usage"
"$PP" shm 0 0 500 124 >/dev/null 2>&1
ok $? "shm with a message that fills its slot (124 bytes)"
"$PP" carrier-pigeon 0 0 >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q usage "$WORK/err"
ok $? "an unknown mechanism: exit 2 with the usage"
out=$("$PP" shm 0 "$((cpus > 1 ? 1 : 0))" 2000 64 clock 2>"$WORK/err")
st=$?
[ $st -eq 0 ] && awk -v v="$out" 'BEGIN { exit !(v + 0 > 0) }'
ok $? "shm with each round trip timed: a mean of $out ns (exit $st)"
"$PP" pipe 0 0 500 64 sundial >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q usage "$WORK/err"
ok $? "pingpong with an unknown seventh word: exit 2 with the usage"
# The ring on two CPUs only: both sides spin, and on one CPU a spinning side waits out its slice.
if [ "$cpus" -gt 1 ]; then
	for how in "" clock; do
		out=$("$RP" 0 1 2000 64 $how 2>"$WORK/err")
		st=$?
		[ $st -eq 0 ] && awk -v v="$out" 'BEGIN { exit !(v + 0 > 0) }'
		ok $? "the shm ring on CPUs 0 and 1${how:+, each round trip timed}: a mean of $out ns (exit $st)"
	done
	"$RP" 0 1 500 4096 >/dev/null 2>&1
	ok $? "the shm ring with its largest message, 4096 bytes"
else
	skip "the shm ring on two CPUs: one CPU here"
fi
"$RP" 0 1 500 64 sundial >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q usage "$WORK/err"
ok $? "ringpong with an unknown sixth word: exit 2 with the usage"
[ "$(queues)" -eq "$before" ]
ok $? "no System V queue left behind ($before before, $(queues) after)"

done_testing
