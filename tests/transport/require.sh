#!/bin/bash
# require.sh IPCBENCH - TAP: IPCB_REQUIRE_TRANSPORTS turns "cannot run here" into a failure.
#
# In a private network namespace the loopback interface is down, so tcp and udp cannot run: the
# transport test skips them, unless the variable says they must run ("all" or a list naming
# them), when it fails naming the transport and the reason. A name in the list that is no
# transport fails every transport test, so that a typo cannot quietly require nothing.
#
# Usage: require.sh PATH/TO/ipcbench (it runs `ipcbench selftest NAME`)
set -u
T=${1:?usage: require.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir require
export TMPDIR=$WORK

# run NAME VALUE|- TRANSPORT: ipcbench selftest in a namespace without loopback, the variable set
# to VALUE (- unsets it); output in $WORK/NAME.out, exit status in $st.
run() {
	local name=$1 value=$2 t=$3
	if [ "$value" = - ]; then
		env -u IPCB_REQUIRE_TRANSPORTS unshare -n "$T" selftest "$t" >"$WORK/$name.out" 2>&1
	else
		IPCB_REQUIRE_TRANSPORTS=$value unshare -n "$T" selftest "$t" >"$WORK/$name.out" 2>&1
	fi
	st=$?
}

if ! unshare -n true 2>/dev/null; then
	skip "a transport that cannot run here, required or not" "cannot make a network namespace here"
	done_testing
	exit
fi

run unset - tcp
[ $st -eq 0 ] && grep -q '^1\.\.0 # SKIP tcp cannot run here: .*Network is unreachable' "$WORK/unset.out"
ok $? "not required: tcp without loopback is a skip (exit $st)"
diag "$WORK/unset.out"

run all all tcp
[ $st -ne 0 ] && grep -q '^not ok 1 - tcp must run here (IPCB_REQUIRE_TRANSPORTS=all) but cannot: .*Network is unreachable' "$WORK/all.out"
ok $? "IPCB_REQUIRE_TRANSPORTS=all: the same is a failure naming tcp and why (exit $st)"
diag "$WORK/all.out"

run list udp,tcp tcp
[ $st -ne 0 ] && grep -q '^not ok 1 - tcp must run here' "$WORK/list.out"
ok $? "a list naming tcp: a failure (exit $st)"

run other pipe,unix-stream, tcp
[ $st -eq 0 ] && grep -q '^1\.\.0 # SKIP' "$WORK/other.out"
ok $? "a list not naming tcp: still a skip (exit $st)"

run empty '' udp
[ $st -eq 0 ] && grep -q '^1\.\.0 # SKIP' "$WORK/empty.out"
ok $? "an empty variable requires nothing (exit $st)"

run typo pipe,tpc tcp
[ $st -ne 0 ] && grep -q "^not ok 1 - IPCB_REQUIRE_TRANSPORTS=pipe,tpc: 'tpc' is no transport" "$WORK/typo.out"
ok $? "a name in the list that is no transport is a failure naming it (exit $st)"
run typo-runs pipe,tpc null
[ $st -ne 0 ] && grep -q "'tpc' is no transport" "$WORK/typo-runs.out" && ! grep -q '^ok' "$WORK/typo-runs.out"
ok $? "even for a transport that runs, before it runs (exit $st)"

done_testing
