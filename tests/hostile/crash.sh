#!/bin/bash
# crash.sh - the driver crashes mid-run (TAP): a genuine fault in its own execution (crash_at.c
# points its program counter at 0 with ptrace, or its stack pointer at nothing, as an overflowed
# stack would), while a run's FIFOs, System V objects and registry, POSIX queues or a server and
# its directory are there. After each: the driver died of the fault itself (exit 139, SIGSEGV
# as its own), its sides and its server's processes are gone, nothing at all is left in
# $TMPDIR and nothing named ipcbench-<pid>-* in /dev/shm or /dev/mqueue, the System V objects
# its registry listed are removed, the row measured before is kept whole, and
# `ipcbench --cleanup` afterwards exits 0 with nothing of the driver's to remove.
#
# Usage: crash.sh PATH/TO/ipcbench PATH/TO/crash_at
. "$(dirname "$0")/lib.sh"
CRASH_AT=$(readlink -f "${2:?usage: $0 PATH/TO/ipcbench PATH/TO/crash_at}")
SEGV=$(kill -l SEGV)

# The sides of driver PID (named ipcb-sender, ipcb-receiver, ...), one per line.
sides_of() { pgrep -P "$1" '^ipcb-' 2>/dev/null; }
two_sides() { [ "$(sides_of "$1" | wc -l)" -eq 2 ]; }
# Still the process listed ("pid start", as a run's directory lists it), and not a zombie?
alive() { # alive PID START
	local now
	now=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[20] }' "/proc/$1/stat" 2>/dev/null)
	[ "$now" = "$2" ] && ! proc_dead "$1"
}
none_alive() { # none_alive FILE: none of its "pid start" lines is alive
	local p s
	while read -r p s; do
		alive "$p" "$s" && return 1
	done <"$1"
	return 0
}
all_dead() { # all_dead PID...
	local p
	for p in "$@"; do
		proc_dead "$p" || return 1
	done
}

# Start `ipcbench -t null,T` under crash_at; returns once null's row is in the CSV and T's two
# sides run, with HELPER (crash_at), PID (the driver), SIDES, REG (its registry lines) and PIDS
# (the processes its directories list) set.
crash_sweep() { # crash_sweep NAME T [CRASH_AT-OPTION]
	local name=$1 t=$2
	CSV=$WORK/$name.csv ERR=$WORK/$name.err REG=$WORK/$name.reg PIDS=$WORK/$name.pids
	: >"$REG"
	: >"$PIDS"
	"$CRASH_AT" ${3:+"$3"} --timeout 120 -- "$BIN" -q -t "null,$t" -s 64 -m latency \
		-n 1000000 -d 0 -w 5 --timeout 60 --csv "$CSV" >/dev/null 2>"$ERR" &
	HELPER=$!
	BG_PIDS+=("$HELPER")
	wait_for 10 kids_of "$HELPER" >/dev/null || return 1
	PID=$(kids_of "$HELPER" | head -n 1)
	wait_for 60 has_row "$CSV" null && wait_for 60 two_sides "$PID" || return 1
	SIDES=$(sides_of "$PID" | tr '\n' ' ')
	sleep 0.3 # well into the measured loop
	reg_snapshot "$PID" "$REG"
	cat "$TMPDIR"/ipcbench-"$PID"-*.d/ipcb-pids 2>/dev/null | sort -u >"$PIDS"
}

check_crash() { # check_crash WHAT T
	local what=$1 t=$2 st
	kill -USR1 "$HELPER"
	wait "$HELPER"
	st=$?
	if [ "$st" -eq 77 ]; then
		skip "$what" "$(tail -n 1 "$ERR")"
		return
	fi
	[ "$st" -eq $((128 + SEGV)) ] && ! grep -q "stopped by" "$ERR"
	ok $? "$what: the driver dies of the fault itself (exit $st, want $((128 + SEGV)))"
	[ "$st" -eq $((128 + SEGV)) ] || diag "$ERR"
	[ "$(grep -c '^null,latency,64,[0-9]*,[0-9]*,rtt,' "$CSV")" -eq 1 ] && ! grep -q "^$t," "$CSV" &&
		awk -F, 'NR == 1 { nf = NF } NF != nf { bad = 1 } END { exit bad }' "$CSV"
	ok $? "$what: the row measured before is kept, complete; no row for the crashed run"
	# shellcheck disable=SC2086
	wait_for 10 all_dead $SIDES
	ok $? "$what: its sides ($SIDES) are gone"
	if [ -s "$REG" ]; then
		[ "$(sysv_left "$REG")" -eq 0 ]
		ok $? "$what: the $(wc -l <"$REG") System V object(s) its registry listed are removed"
	fi
	if [ -s "$PIDS" ]; then
		wait_for 10 none_alive "$PIDS"
		ok $? "$what: the $(wc -l <"$PIDS") process(es) its server's directory listed are gone"
	fi
	[ -z "$(ls -A "$TMPDIR")" ] && [ -z "$(left_named "$PID")" ]
	ok $? "$what: nothing is left in \$TMPDIR, nor named ipcbench-$PID-* in /dev/shm or /dev/mqueue"
	{
		ls -A "$TMPDIR"
		left_named "$PID"
	} | diag
	"$BIN" --cleanup >"$WORK/$t.cleanup" 2>&1
	st=$?
	[ $st -eq 0 ] && ! grep -q "ipcbench-$PID-" "$WORK/$t.cleanup"
	ok $? "$what: ipcbench --cleanup then exits 0 (got $st) with nothing of pid $PID to remove"
	grep "ipcbench-$PID-" "$WORK/$t.cleanup" | diag
}

# A run's directory (fifo), System V objects and their registry (sysv-shm, sysv-mq), POSIX
# queues (posix-mq); and a broker's or a bus's server, the first of them that runs here.
server=$("$BIN" --list | awk 'NR > 1 && $2 == "yes" && ($1 == "mqtt" || $1 == "redis" ||
	$1 == "dbus") { print $1; exit }')
cases="fifo sysv-shm sysv-mq posix-mq ${server:-}"
for t in $cases; do
	if ! crash_sweep "pc-$t" "$t"; then
		ok 1 "a fault during $t: the run got going"
		diag "$ERR"
		continue
	fi
	check_crash "a fault during $t" "$t"
done
[ -n "$server" ] || skip "a fault while a server runs" "no broker or bus server can run here"

# A fault with no stack to handle it on: the guard's own stack takes the handler.
if crash_sweep "stack-fifo" fifo --stack; then
	check_crash "a fault with no usable stack (an overflow's) during fifo" fifo
else
	ok 1 "a fault with no usable stack during fifo: the run got going"
	diag "$ERR"
fi

done_testing
