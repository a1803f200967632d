#!/bin/bash
# replay_check.sh REPLAY_CHECK - TAP: the corpus replay fails what it must. A target that aborts,
# crashes or hangs on cue (replay_check.c) is replayed over a corpus of such inputs: each bad one
# must be a "not ok" naming the input and what happened (with the invariant's message for the
# abort), the good one "ok", the replay's exit status a failure; a corpus of good inputs passes,
# and an empty one fails.
set -u
R=${1:?usage: replay_check.sh replay_check}
. "$(dirname "$0")/../tap.sh"
tap_workdir replay-check
export TMPDIR=$WORK IPCB_REPLAY_TIMEOUT_S=2

mkdir "$WORK/bad" "$WORK/good" "$WORK/empty"
printf abort >"$WORK/bad/1-abort"
printf crash >"$WORK/bad/2-crash"
printf hang >"$WORK/bad/3-hang"
printf fine >"$WORK/bad/4-fine"
printf fine >"$WORK/good/fine"
printf '' >"$WORK/good/empty-input"

"$R" "$WORK/bad" >"$WORK/bad.out" 2>&1
st=$?
[ $st -ne 0 ]
ok $? "a corpus with bad inputs fails the replay (exit $st)"
grep -q '^not ok [0-9]* - 1-abort (5 bytes) goes through the target: killed by signal 6' "$WORK/bad.out" &&
	grep -q '^#.*invariant broken: .*the input asked for it' "$WORK/bad.out"
ok $? "an input that breaks an invariant fails, with the invariant's message"
grep -q '^not ok [0-9]* - 2-crash (5 bytes) goes through the target: killed by signal 11' "$WORK/bad.out"
ok $? "an input that crashes fails"
grep -q '^not ok [0-9]* - 3-hang (4 bytes) goes through the target: killed by signal 14 (over the time limit)' "$WORK/bad.out"
ok $? "an input that hangs fails at the time limit"
grep -q '^ok [0-9]* - 4-fine (4 bytes) goes through the target$' "$WORK/bad.out"
ok $? "a good input next to them passes"
diag "$WORK/bad.out"

"$R" "$WORK/good" >"$WORK/good.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c '^ok' "$WORK/good.out")" -eq 3 ]
ok $? "a corpus of good inputs (one of them empty) passes (exit $st)"

"$R" "$WORK/empty" >"$WORK/empty.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q '^not ok 1 - corpus .* holds inputs (0)' "$WORK/empty.out"
ok $? "an empty corpus fails: a replay of nothing proves nothing (exit $st)"
"$R" "$WORK/nosuch" >"$WORK/nosuch.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q '^not ok 1 - corpus .*nosuch: No such file' "$WORK/nosuch.out"
ok $? "a missing corpus fails (exit $st)"

done_testing
