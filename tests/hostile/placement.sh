#!/bin/bash
# placement.sh - a row never claims a placement that did not hold (TAP).
#
# The sender and the receiver are pinned to CPUs 0 and 1. Moved off them mid-run, by another
# process changing a side's affinity (taskset) or by a cpuset that shrinks to CPU 0 under the
# run (cgroup v2 or v1 cpuset controller, when this machine has one we may use), the run must
# fail with a message naming the CPUs the side was seen on, and write no row saying
# "cross-core 0,1". A run left alone keeps its row.
#
# Usage: placement.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

cpus_ok() { taskset -c 0,1 true 2>/dev/null && [ "$(nproc)" -ge 2 ]; }
RUN=(-q -t pipe -s 64 -m latency -d 3 -w 5 --timeout 20 --cpus 0,1)

# Wait for the run's sender and receiver to be measuring; RECEIVER set. (The clock check
# forks two short-lived children first: the pair that is there half a second later is the run's.)
measuring() { # measuring DRIVER-PID
	RECEIVER=""
	wait_for 20 two_kids "$1" || return 1
	sleep 0.5
	two_kids "$1" || return 1
	RECEIVER=$(side_of "$1" receiver)
	[ -n "$RECEIVER" ]
}
check_moved() { # check_moved WHAT STATUS CSV ERR
	[ "$2" -eq 1 ] && grep -qE "cross-core pipe latency 64 run 1: receiver: left CPU 1, the CPU it was pinned to: .*on CPU 0 at the end" "$4" &&
		! has_row "$3" pipe
	ok $? "$1: the run fails (exit $2) naming the CPUs the receiver was on, and writes no row"
	[ "$2" -eq 1 ] || diag "$4"
}

if ! cpus_ok; then
	skip "a side moved off its CPU" "needs CPUs 0 and 1"
	done_testing
	exit
fi

# ---- the run left alone ----
"$BIN" -q -t pipe -s 64 -m latency -n 200 -d 0 -w 5 --cpus 0,1 --csv "$WORK/alone.csv" >/dev/null 2>"$WORK/alone.err"
[ $? -eq 0 ] && grep -q '^pipe,latency,64,.*,0,1,cross-core,' "$WORK/alone.csv"
ok $? "a run that stays on CPUs 0 and 1 keeps its cross-core 0,1 row"

# ---- another process moves the receiver (taskset) ----
"$BIN" "${RUN[@]}" --csv "$WORK/taskset.csv" >/dev/null 2>"$WORK/taskset.err" &
pid=$!
BG_PIDS+=("$pid")
if measuring $pid && taskset -p -c 0 "$RECEIVER" >/dev/null; then
	wait $pid
	check_moved "the receiver's affinity set to CPU 0 mid-run" $? "$WORK/taskset.csv" "$WORK/taskset.err"
else
	ok 1 "the run got going and its receiver could be moved"
	diag "$WORK/taskset.err"
fi

# ---- a cpuset that shrinks under the run ----
CG=""
cg_cleanup() {
	[ -n "$CG" ] && [ -d "$CG" ] || return 0
	local p
	for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	sleep 0.2
	rmdir "$CG" 2>/dev/null
}
on_exit() { cg_cleanup; }
# A cpuset group of our own on CPUs 0-1: cgroup v2 with the cpuset controller, else v1.
make_cpuset() {
	local v2 v1
	v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$v2" ] && grep -qw cpuset "$v2/cgroup.controllers" 2>/dev/null &&
		{ grep -qw cpuset "$v2/cgroup.subtree_control" ||
			echo +cpuset >"$v2/cgroup.subtree_control"; } 2>/dev/null &&
		mkdir "$v2/ipcb-placement-$$" 2>/dev/null; then
		CG=$v2/ipcb-placement-$$
		echo 0-1 >"$CG/cpuset.cpus" 2>/dev/null && return 0
		return 1
	fi
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuset(,|$)/ { print $2; exit }' /proc/mounts)
	if [ -n "$v1" ] && mkdir "$v1/ipcb-placement-$$" 2>/dev/null; then
		CG=$v1/ipcb-placement-$$
		cat "$v1/cpuset.mems" >"$CG/cpuset.mems" 2>/dev/null &&
			echo 0-1 >"$CG/cpuset.cpus" 2>/dev/null && return 0
	fi
	return 1
}
if make_cpuset; then
	# The driver starts inside the group (its children with it).
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
		"$BIN" "${RUN[@]}" --csv "$WORK/cpuset.csv" >/dev/null 2>"$WORK/cpuset.err" &
	pid=$!
	BG_PIDS+=("$pid")
	if measuring $pid && echo 0 >"$CG/cpuset.cpus"; then
		wait $pid
		check_moved "the cpuset shrunk to CPU 0 mid-run ($CG)" $? "$WORK/cpuset.csv" "$WORK/cpuset.err"
	else
		ok 1 "the run got going in the cpuset and the cpuset could be shrunk"
		diag "$WORK/cpuset.err"
	fi
	cg_cleanup
else
	cg_cleanup
	skip "a cpuset that shrinks mid-run" "no cgroup cpuset controller we may use here"
fi

done_testing
