#!/bin/bash
# signature.sh IPCBENCH - TAP: the gate's work signatures on real builds. The source changes of
# tests/gate/patches and an -O1 build (tests/gate/variants.sh builds them from this checkout)
# are each counted against the unpatched build with `ipcbench --count`, as scripts/ab-gate
# counts them, and compared: each moves the part of the signature it changes (and no other
# point), and the unpatched build counted again, and built again, is the same work. What the
# time says of each change is the benchmark's (tests/gate/timed.sh, docs/ci-gate.md): no verdict
# on time is asserted here, only what the counts can say exactly.
#
#   change                  kind         what the signature must show
#   pipe-buffer-32k         kernel, -    pipe's kernel objects: pipe buffer 32768
#   pipe-buffer-1m          kernel, +    pipe's kernel objects: pipe buffer 1048576
#   pipe-write-16k          calls, +     pipe 64K: +3 write per message, more-work on counts alone
#   shm-bounce-copy         user, -      shm: sender instructions, more-work on counts alone
#   verify-every-32nd       user, -      64K streams: receiver instructions
#   shm-reader-sleeps       waking, -    shm's round trip: voluntary switches; its streams: none
#   O1                      build, -     instructions on both sides
set -u
BIN=${1:?usage: signature.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
here=$(cd "$(dirname "$0")" && pwd)

for tool in valgrind strace meson ninja patch; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (scripts/setup installs it)"
		exit 0
	fi
done
if ! why=$("$BIN" --count --list 2>&1 >/dev/null); then
	echo "1..0 # SKIP this ipcbench cannot count: ${why%%$'\n'*}"
	exit 0
fi
tap_workdir gate-signature

"$here/variants.sh" "$WORK/v" >"$WORK/variants.log" 2>&1
ok $? "the changes built from this checkout ($(grep -c "^$WORK/v/" "$WORK/variants.log") builds)"
[ -x "$WORK/v/base/ipcbench" ] || {
	diag "$WORK/variants.log"
	done_testing
}

POINTS=(-t pipe,shm -s 64,64K -m throughput)
count() { # count NAME CSV [POINTS...]: NAME's build counted into CSV
	local name=$1 csv=$2
	shift 2
	"$WORK/v/$name/ipcbench" "$@" --count -q --csv "$csv" >"$csv.log" 2>&1
}
# compared NAME [POINTS...]: NAME's counts against the base's, table into $WORK/NAME.out; its exit
compared() {
	local name=$1
	shift
	local base=$WORK/base.$(echo "$*" | tr -c 'a-z0-9' _).csv
	[ -f "$base" ] || count base "$base" "$@"
	count "$name" "$WORK/$name.csv" "$@" || { cat "$WORK/$name.csv.log" >&2; return 2; }
	"$BIN" compare "$base" "$WORK/$name.csv" >"$WORK/$name.out" 2>&1
}
line() { # line NAME TRANSPORT SIZE: the table's line of that group
	awk -v t="$2" -v s="$3" '$1 == t && $4 == s' "$WORK/$1.out"
}
same() { # same NAME TRANSPORT SIZE: the group is the same work
	line "$@" | grep -q ' ok  *the same work: '
}

compared base "${POINTS[@]}"
st=$?
[ $st -eq 0 ] && [ "$(grep -c ' the same work: ' "$WORK/base.out")" -eq 4 ]
ok $? "the base build counted twice: the same work at every point (exit $st)"
"$BIN" "${POINTS[@]}" --count -q --csv "$WORK/rebuilt.csv" >/dev/null 2>&1 &&
	"$BIN" compare "$WORK/base.csv" "$WORK/rebuilt.csv" >"$WORK/rebuilt.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c ' the same work: ' "$WORK/rebuilt.out")" -eq 4 ]
ok $? "this ipcbench, built apart from the base: the same work at every point (exit $st)"

compared pipe-buffer-32k "${POINTS[@]}"
line pipe-buffer-32k pipe 64K | grep -q "sender's kernel objects: 2 x pipe buffer 65536 in BASE, 2 x pipe buffer 32768 in NEW" &&
	line pipe-buffer-32k pipe 64 | grep -q "pipe buffer 32768 in NEW" &&
	! line pipe-buffer-32k pipe 64K | grep -q 'instructions per message' &&
	same pipe-buffer-32k shm 64 && same pipe-buffer-32k shm 64K
ok $? "a pipe given 32 KiB: its kernel objects moved, nothing in user space, shm untouched"

compared pipe-buffer-1m "${POINTS[@]}"
line pipe-buffer-1m pipe 64K | grep -q "2 x pipe buffer 1048576 in NEW" &&
	line pipe-buffer-1m pipe 64K | grep -q 'inconclusive' && same pipe-buffer-1m shm 64K
ok $? "a pipe given 1 MiB: its kernel objects moved, for the time to decide"

compared pipe-write-16k "${POINTS[@]}"
st=$?
line pipe-write-16k pipe 64K | grep -qE 'more-work .*sender \+3 write per message' &&
	! line pipe-write-16k pipe 64 | grep -q 'write per message' && [ $st -eq 5 ]
ok $? "a pipe written in 16 KiB pieces: +3 writes per 64K message, none at 64 B; more-work on counts alone (exit $st)"

compared shm-bounce-copy "${POINTS[@]}"
line shm-bounce-copy shm 64K | grep -qE 'more-work .*sender \+[0-9.]+ instructions per message' &&
	same shm-bounce-copy pipe 64 && same shm-bounce-copy pipe 64K
ok $? "an extra copy in the shm ring: the sender's instructions, pipe untouched"

compared verify-every-32nd "${POINTS[@]}"
line verify-every-32nd pipe 64K | grep -qE 'receiver \+[0-9.]+ instructions per message' &&
	same verify-every-32nd pipe 64 && same verify-every-32nd shm 64
ok $? "every 32nd message checked in full: the receiver's instructions at 64K, not at 64 B (every 64 B message is checked whole)"

compared shm-reader-sleeps "${POINTS[@]}"
same shm-reader-sleeps shm 64 && same shm-reader-sleeps shm 64K
ok $? "a ring reader that no longer spins: the same work on the streams (it never waits there)"
compared shm-reader-sleeps -t shm -s 64 -m latency
# About once a message, at least every other: a wake-up that finds nothing yet sleeps again, so
# a run's median can read a little over 1 (1.01).
sleeps='(0\.[5-9][0-9]*|1(\.[0-9]+)?)'
line shm-reader-sleeps shm 64 | grep -qE "receiver voluntary switches per message [0-9.e-]+-[0-9.e-]+ in BASE's 5 runs, $sleeps-$sleeps in NEW's" &&
	! line shm-reader-sleeps shm 64 | grep -q 'kernel objects'
st=$?
ok $st "... and on the round trip, where it sleeps for every message: the switches moved"
[ $st -eq 0 ] || line shm-reader-sleeps shm 64 | diag

compared O1 "${POINTS[@]}"
st=$?
line O1 shm 64 | grep -qE 'sender \+[0-9.]+ instructions per message.*receiver \+[0-9.]+ instructions per message' &&
	[ $st -eq 5 ]
ok $? "the same source at -O1: instructions on both sides, more-work on counts alone (exit $st)"

done_testing
