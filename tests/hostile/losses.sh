#!/bin/bash
# losses.sh - a lost message, by one rule for every transport (TAP). A run that may lose messages
# (--list: lossy, narrowed by the transport's own rule: mqtt's streams, a broadcast that writes
# over a slow reader) counts what never arrived in the row's losses and says so on stderr, with
# -q too, exit 0; any other run fails on a lost message, naming it, exit 1. The lost message is
# made with --inject drop.
#
# Usage: losses.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

runs_here() { "$BIN" --list "$1" 2>/dev/null | grep -q '^  runs here: *yes'; }

# drop NAME ARGS...: a quiet stream of 200 messages, the 6th dropped; st, $WORK/NAME.{out,err}.
drop() {
	local name=$1
	shift
	"$BIN" -q -m throughput -s 4K -n 200 -d 0 --inject drop --csv "$WORK/$name.csv" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	st=$?
}

# The row's losses column (the first row's).
losses() {
	awk "$CSV_AWK"'NR == 1 { csv_split($0, h); for (c in h) col[h[c]] = c; next }
		{ csv_split($0, f); print f[col["losses"]]; exit }' "$WORK/$1.csv"
}

# ---- a transport that may lose messages in this run: counted, said, exit 0 ----
drop bcast -t shm-bcast -o shm-bcast.overrun=count -o shm-bcast.ring=4194304 --topology 1:2 \
	--deliver all
[ $st -eq 0 ] && grep -qE '^ipcbench: cross-core shm-bcast throughput 4K run 1: [0-9]+ deliver(y|ies) lost over 2 receivers' "$WORK/bcast.err"
ok $? "shm-bcast writing over its readers, -q: a dropped message is said on stderr, exit 0 (exit $st)"
diag "$WORK/bcast.err"
[ "$(losses bcast)" -ge 1 ] 2>/dev/null
ok $? "and its row counts the losses ($(losses bcast))"

if runs_here mqtt; then
	drop mqtt -t mqtt
	[ $st -eq 0 ] && grep -qE '^ipcbench: cross-core mqtt throughput 4K run 1: [0-9]+ messages? lost' "$WORK/mqtt.err"
	ok $? "mqtt, a stream through its broker, -q: a dropped message is said on stderr, exit 0 (exit $st)"
	diag "$WORK/mqtt.err"
	[ "$(losses mqtt)" -ge 1 ] 2>/dev/null
	ok $? "and its row counts the losses ($(losses mqtt))"
else
	skip "mqtt, -q: a dropped message is said on stderr" "mqtt cannot run here"
	skip "and its row counts the losses" "mqtt cannot run here"
fi

# ---- a run that may not lose messages: the loss fails it, whatever the transport's family ----
drop udp -t udp
[ $st -eq 1 ] && grep -q 'udp throughput 4K run 1: receiver: verification failed: lost messages' "$WORK/udp.err"
ok $? "udp, which keeps every message on one host: a dropped message fails the run, exit 1 (exit $st)"
diag "$WORK/udp.err"
drop bcastwait -t shm-bcast --topology 1:2 --deliver all
[ $st -eq 1 ] && grep -q 'verification failed: lost messages' "$WORK/bcastwait.err"
ok $? "shm-bcast waiting for its readers (its default): a dropped message fails the run, exit 1 (exit $st)"
diag "$WORK/bcastwait.err"
if runs_here zmq-ipc; then
	drop zmq -t zmq-ipc
	[ $st -eq 1 ] && grep -q 'zmq-ipc throughput 4K run 1: receiver: verification failed: lost messages' "$WORK/zmq.err"
	ok $? "zmq-ipc between one sender and one receiver (lossy only when it broadcasts): a dropped message fails the run, exit 1 (exit $st)"
	diag "$WORK/zmq.err"
else
	skip "zmq-ipc between one sender and one receiver: a dropped message fails the run" "zmq-ipc cannot run here"
fi

done_testing
