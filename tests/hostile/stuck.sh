#!/bin/bash
# stuck.sh - the driver neither hangs nor dies where a hostile environment would make it (TAP).
#
# Frozen children: the sender and receiver frozen by the cgroup freezer (v1, where a frozen task
# does not die of SIGKILL until thawed; else v2) past --timeout: the driver still ends, with a
# message naming the sides it could not reap, exit 1, the run's System V objects removed; and
# SIGINT to the driver while they are frozen ends it at once, exit 130.
# RLIMIT_FSIZE 0 with --csv: no death by SIGXFSZ, the CSV refused or its rows reported lost.
# The OOM killer: both sides carry a higher oom_score_adj than the driver, so under memory
# pressure a side dies (and the run fails with a message) rather than the driver.
#
# Usage: stuck.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# ---- a freezer cgroup of our own ----
FZ="" FZ_V=""
make_freezer() {
	local v1 v2
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
	if [ -n "$v1" ] && mkdir "$v1/ipcb-stuck-$$" 2>/dev/null; then
		FZ=$v1/ipcb-stuck-$$ FZ_V=1
		return 0
	fi
	v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$v2" ] && mkdir "$v2/ipcb-stuck-$$" 2>/dev/null; then
		FZ=$v2/ipcb-stuck-$$ FZ_V=2
		[ -e "$FZ/cgroup.freeze" ] && return 0
		rmdir "$FZ"
	fi
	FZ=""
	return 1
}
freeze() { # freeze PID...
	local p
	for p in "$@"; do echo "$p" >"$FZ/cgroup.procs" || return 1; done
	if [ "$FZ_V" = 1 ]; then echo FROZEN >"$FZ/freezer.state"; else echo 1 >"$FZ/cgroup.freeze"; fi
}
thaw() {
	[ -n "$FZ" ] && [ -d "$FZ" ] || return 0
	if [ "$FZ_V" = 1 ]; then echo THAWED >"$FZ/freezer.state"; else echo 0 >"$FZ/cgroup.freeze"; fi
}
fz_cleanup() {
	[ -n "$FZ" ] && [ -d "$FZ" ] || return 0
	local p
	for p in $(cat "$FZ/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	thaw
	wait_for 5 sh -c '[ -z "$(cat "$1/cgroup.procs")" ]' sh "$FZ"
	rmdir "$FZ" 2>/dev/null
}
on_exit() { fz_cleanup; }
gone() { ! [ -e "/proc/$1" ] || proc_dead "$1"; }
# As check_end, for sides the driver had to leave unreaped: once thawed they die (of the
# SIGKILL waiting for them) and belong to init, which reaps them when it does.
check_frozen() { # check_frozen WHAT WANT_STATUS MESSAGE_REGEX
	local st k bad=0
	wait "$PID"
	st=$?
	[ "$st" -eq "$2" ] && grep -qE -- "$3" "$ERR"
	ok $? "$1: exit $2 (got $st) and stderr says /$3/"
	[ "$st" -eq "$2" ] || diag "$ERR"
	for k in $SENDER $RECEIVER; do
		wait_for 5 gone "$k" || bad=1
	done
	[ $bad -eq 0 ] && [ -s "$REG" ] && [ "$(sysv_left "$REG")" -eq 0 ] && [ -z "$(left_named "$PID")" ]
	ok $? "$1: once thawed both sides die; the System V objects and every name are gone"
	left_named "$PID" | diag
}

if make_freezer; then
	# Past --timeout: the driver kills the sides, cannot reap them, and ends anyway.
	if start_sweep frozen sysv-mq --timeout 2; then
		freeze "$SENDER" "$RECEIVER"
		t0=$(date +%s)
		wait_for 25 gone "$PID"
		took=$(($(date +%s) - t0))
		gone "$PID"
		ok $? "children frozen (cgroup v$FZ_V freezer) past --timeout 2: the driver ends anyway (after ${took} s)"
		thaw
		check_frozen "frozen children" 1 "timed out after 2\.0 s .*the sender \(pid $SENDER\) and the receiver \(pid $RECEIVER\) did not die when killed \(frozen by a cgroup freezer"
	else
		ok 1 "a sysv-mq run got going"
		diag "$ERR"
	fi
	thaw
	# Ctrl-C while they are frozen: the driver stops at once.
	if start_sweep frozen-int sysv-mq --timeout 60; then
		freeze "$SENDER" "$RECEIVER"
		sleep 0.3
		kill -INT "$PID"
		wait_for 5 gone "$PID"
		ok $? "SIGINT with the children frozen: the driver ends within 5 s"
		thaw
		check_frozen "SIGINT with frozen children" 130 "stopped by Interrupt"
	else
		ok 1 "a sysv-mq run got going"
		diag "$ERR"
	fi
	fz_cleanup
else
	skip "children frozen past --timeout" "no cgroup freezer we may use here"
	skip "SIGINT with the children frozen" "no cgroup freezer we may use here"
fi

# ---- RLIMIT_FSIZE 0 ----
# Under the limit stderr must be a pipe (a file could not take the messages either); the exit
# status comes last through it.
fsize0() { # fsize0 ERRFILE ARGS...: st set
	local err=$1
	shift
	# shellcheck disable=SC2016
	sh -c 'prlimit --fsize=0 -- "$@" 2>&1 >/dev/null; echo "exit status $?"' sh "$BIN" "$@" |
		cat >"$err"
	st=$(sed -n 's/^exit status //p' "$err")
}
fsize0 "$WORK/fsize.err" -q -t null -s 64 -m latency -n 20 -d 0 --csv "$WORK/fsize.csv"
[ "$st" = 2 ] && grep -q -- "--csv $WORK/fsize.csv: File too large" "$WORK/fsize.err" && [ ! -e "$WORK/fsize.csv" ] &&
	[ -z "$(ls "$WORK" | grep '^fsize\.csv\.')" ]
ok $? "RLIMIT_FSIZE 0, a new --csv: refused with EFBIG, exit 2 (got $st, not death by SIGXFSZ), no file left"
[ "$st" = 2 ] || diag "$WORK/fsize.err"
"$BIN" -q -t null -s 64 -m latency -n 20 -d 0 --csv "$WORK/fsize2.csv" >/dev/null 2>&1
cp "$WORK/fsize2.csv" "$WORK/fsize2.before"
fsize0 "$WORK/fsize2.err" -q -t null -s 64 -m latency -n 20 -d 0 --csv "$WORK/fsize2.csv"
[ "$st" = 1 ] && grep -q "write failed: File too large (row .* not written)" "$WORK/fsize2.err" &&
	cmp -s "$WORK/fsize2.csv" "$WORK/fsize2.before"
ok $? "RLIMIT_FSIZE 0, an existing --csv: each lost row reported, exit 1 (got $st), the file as it was"
[ "$st" = 1 ] || diag "$WORK/fsize2.err"

# ---- the OOM killer takes a side first ----
"$BIN" -q -t pipe -s 64 -m latency -n 100000000 -d 0 >/dev/null 2>"$WORK/oom.err" &
pid=$!
BG_PIDS+=("$pid")
if wait_for 20 two_kids $pid && sleep 0.5 && two_kids $pid; then
	driver_adj=$(cat /proc/$pid/oom_score_adj)
	bad=0
	for k in $(kids_of $pid); do
		adj=$(cat /proc/"$k"/oom_score_adj)
		echo "# child $k oom_score_adj $adj, driver $driver_adj"
		[ "$adj" -gt "$driver_adj" ] || bad=1
	done
	ok $bad "both sides have a higher oom_score_adj than the driver"
else
	ok 1 "a pipe run got going"
fi
kill -INT $pid
wait $pid
[ $? -eq 130 ]
ok $? "that run then stops on SIGINT, exit 130"

# ---- a floor held up mid-run, as a host holds a guest's CPU ----
# The memcpy floor's only side stopped for 0.3 s of its 0.6: the floor is what the machine
# allows, so its rate comes from its batches that were not held, and the run's whole time
# (its messages over its elapsed time, which the hold is in) reads about half of it.
"$BIN" --controls --placement cross-core -s 64K -d 0.6 --csv "$WORK/held.csv" >/dev/null 2>"$WORK/held.err" &
pid=$!
BG_PIDS+=("$pid")
snd=""
if wait_for 20 grep -q floor-memcpy "$WORK/held.err" && sleep 0.15 &&
	snd=$(pgrep -P $pid -x ipcb-floor-snd) && [ -n "$snd" ]; then
	kill -STOP $snd
	sleep 0.3
	kill -CONT $snd
fi
wait $pid
st=$?
ok $((st != 0 || ${#snd} == 0)) "a memcpy floor run whose side was stopped for 0.3 s ends (exit $st)"
python3 - "$WORK/held.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["transport"] == "floor-memcpy"]
for r in rows:
    print("# rate %s a second, its run %s in %s s" % (r["msgs_per_s"], r["messages"], r["elapsed_s"]))
ok = rows and all(float(r["msgs_per_s"]) > 1.5 * float(r["messages"]) / float(r["elapsed_s"])
                  for r in rows)
sys.exit(0 if ok else 1)
PY
ok $? "its rate is its batches' that were not held, not its whole run's"

done_testing
