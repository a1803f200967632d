#!/bin/bash
# aa_check_test.sh AA_CHECK - TAP: the A/A check (.ci/run) passes only on what it promises: no
# group regressed (nor "would be" but for the controls), the gate exited 0, 3 or 4, and at least
# one group shown ok; and it says how many groups were decided. The gate is a stub here
# (IPCB_AB_GATE) that prints a given last look and exits with a given status, so each way to
# fail is tried in a second instead of a 90-second real gate (CI runs the real one).
set -u
AA=${1:?usage: aa_check_test.sh aa_check.sh}
. "$(dirname "$0")/../tap.sh"
tap_workdir aa-check-test

cat >"$WORK/gate" <<'GATE'
#!/bin/bash
# A stand-in for scripts/ab-gate: --out DIR gets STUB_LOOK as look-final.txt; exit STUB_STATUS.
while [ $# -gt 0 ]; do
	[ "$1" = --out ] && out=$2
	shift
done
mkdir -p "$out"
printf '%s\n' "$STUB_LOOK" >"$out/look-final.txt"
exit "$STUB_STATUS"
GATE
chmod +x "$WORK/gate"

# aa NAME STATUS LOOK: run the check against the stub; its status in $st, output in NAME.out.
aa() {
	STUB_STATUS=$2 STUB_LOOK=$3 IPCB_AB_GATE=$WORK/gate TMPDIR=$WORK \
		"$AA" /bin/false >"$WORK/$1.out" 2>&1
	st=$?
}
sum() { # sum REGRESSED IMPROVED OK INCONCLUSIVE: a summary line as compare prints it
	echo "$(($1 + $2 + $3 + $4)) groups compared: $1 regressed, $2 improved, $3 ok, $4 inconclusive, 0 more-work; 0 missing (only in NEW)"
}

aa pass 0 "$(sum 0 0 3 1)"
[ $st -eq 0 ] && grep -q '^aa_check: 3 of 4 groups decided (3 ok, 0 improved, 0 regressed' "$WORK/pass.out"
ok $? "3 ok, 1 inconclusive: passes and says 3 of 4 groups were decided (exit $st)"
diag "$WORK/pass.out"
aa pass3 3 "$(sum 0 0 1 3)"
[ $st -eq 0 ]
ok $? "one group ok is enough, with the gate's 'some undecided' status 3 (exit $st)"
aa none 3 "$(sum 0 0 0 4)"
[ $st -ne 0 ] && grep -q 'no group was shown ok' "$WORK/none.out" && grep -q '0 of 4 groups decided' "$WORK/none.out"
ok $? "no group ok: fails, saying the gate decided nothing (exit $st)"
aa improved 0 "$(sum 0 2 0 2)"
[ $st -ne 0 ] && grep -q 'no group was shown ok' "$WORK/improved.out"
ok $? "improved groups do not stand in for an ok one (exit $st)"
aa regressed 1 "$(sum 1 0 3 0)"
[ $st -ne 0 ] && grep -q 'false alarm' "$WORK/regressed.out"
ok $? "one group regressed on the same binary: fails as a false alarm (exit $st)"
aa would 4 "$(sum 0 0 3 1)
pipe throughput 64: would be regressed (p = 0.001), but a control row moved: the machine changed"
[ $st -ne 0 ] && grep -q 'false alarm' "$WORK/would.out"
ok $? "a group that would be regressed but for the controls: fails too (exit $st)"
aa usage 2 "$(sum 0 0 3 1)"
[ $st -ne 0 ] && grep -q 'ab-gate exited 2' "$WORK/usage.out"
ok $? "the gate failing (exit 2) fails the check (exit $st)"
aa nolook 2 "ab-gate: cannot run the binaries"
[ $st -ne 0 ] && grep -q 'without a comparison' "$WORK/nolook.out"
ok $? "no comparison at all: fails (exit $st)"
aa unreadable 0 "4 groups compared: all fine"
[ $st -ne 0 ] && grep -q 'cannot read the counts' "$WORK/unreadable.out"
ok $? "a summary whose counts cannot be read fails rather than passing on empty counts (exit $st)"

done_testing
