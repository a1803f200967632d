#!/bin/bash
# cleanup.sh - a driver killed with SIGKILL, and `ipcbench --cleanup` (TAP).
#
# A driver killed with SIGKILL runs no teardown: its children must die with it (PR_SET_PDEATHSIG),
# and what it made stays: a System V queue, the run's registry. `ipcbench --cleanup` must find
# and remove exactly that (and the names of other dead pids), list each removal, and leave alone
# a running ipcbench's objects, other users' files, symlinks, names that only look like ours
# (anything but "ipcbench-<pid>-<16 hex digits>" with the suffixes the contract allows: a run's
# directory "<tag>.d", a registry "<tag>.sysv", and "-" or "." and a short lowercase suffix for
# POSIX names; a pid above kernel.pid_max; the wrong type of file), and System V objects a
# registry lists that are not ours. A dead run's directory goes whole, without following a
# symbolic link in it. --dry-run removes nothing. A pid that now belongs to a process started later (reused)
# counts as dead.
#
# Usage: cleanup.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# Start a long latency run of the System V transport T in the background; returns when its
# registry is written and its children run, with PID, KIDS and the registry snapshot in
# $WORK/NAME.reg. (Children alone would not do: the clock check forks two first.)
has_registry() { ls "$TMPDIR"/ipcbench-"$1"-[0-9a-f]*.sysv >/dev/null 2>&1; }
start_run() { # start_run NAME T SECONDS
	"$BIN" -q -t "$2" -s 64 -m latency -d "$3" --timeout 600 --csv "$WORK/$1.csv" \
		>/dev/null 2>"$WORK/$1.err" &
	PID=$!
	BG_PIDS+=("$PID")
	KIDS=""
	wait_for 20 has_registry "$PID" && wait_for 20 two_kids "$PID" || return 1
	KIDS=$(kids_of "$PID" | tr '\n' ' ')
	: >"$WORK/$1.reg"
	reg_snapshot "$PID" "$WORK/$1.reg"
}

# ---- a live run that must survive every cleanup below ----
start_run live sysv-shm 8 || { ok 1 "a live sysv-shm run starts"; diag "$WORK/live.err"; }
LIVE=$PID
live_objects=$(sysv_left "$WORK/live.reg")
[ "$live_objects" -ge 1 ]
ok $? "a live sysv-shm run has $live_objects System V object(s) and a registry"

# ---- the driver is killed with SIGKILL ----
start_run victim sysv-mq 60 || { ok 1 "a long sysv-mq run starts"; diag "$WORK/victim.err"; }
VICTIM=$PID
VKIDS=$KIDS
read -r _ vid vkey <"$WORK/victim.reg"
{ kill -KILL "$VICTIM" && wait "$VICTIM"; } 2>/dev/null
dead=0
for k in $VKIDS; do
	wait_for 5 proc_dead "$k" || { dead=1; diag <<<"child $k: $(cat /proc/$k/stat)"; }
done
[ -n "$VKIDS" ] && [ $dead -eq 0 ]
ok $? "the killed driver's sender and receiver died with it ($VKIDS)"
sysv_exists msg "$vid" "$vkey" && [ -n "$(ls "$TMPDIR"/ipcbench-"$VICTIM"-*.sysv 2>/dev/null)" ]
ok $? "without a teardown, its queue $vid (key $vkey) and its registry are still there"
grep -q "^msg $vid $vkey\$" "$WORK/victim.reg" && [[ $vkey == 0x1bc* ]]
ok $? "the registry names the queue by id and a key with ipcbench's prefix 0x1bc"

# A second killed driver whose registry is then lost: its queue has our prefix but no owner.
start_run orphan sysv-mq 60 || ok 1 "another long sysv-mq run starts"
read -r _ oid okey <"$WORK/orphan.reg"
{ kill -KILL "$PID" && wait "$PID"; } 2>/dev/null
rm -f "$TMPDIR"/ipcbench-"$PID"-*.sysv

# ---- leftovers of a dead pid, and things that must be left alone ----
true &
D=$!
wait $D # D is a pid that no longer runs
rhex() { od -An -N8 -tx8 /dev/urandom | tr -d ' '; }
hex=$(rhex) hex2=$(rhex) hex3=$(rhex) hex4=$(rhex) hex5=$(rhex)
mkdir -p "$WORK/dir" "$WORK/dir2"
remove_list=(
	"/dev/shm/ipcbench-$D-$hex"
	"/dev/shm/ipcbench-$D-$hex.ring"
	"$TMPDIR/ipcbench-$D-$hex.d"
	"$WORK/dir/ipcbench-$D-$hex.d"
	"$TMPDIR/ipcbench-$D-probe-$hex.sysv"
)
# A run's directory with what a run leaves in one (FIFOs, a file, a socket's path, a
# subdirectory), and a symbolic link to a file outside, which must survive.
echo outside >"$WORK/outside"
(umask 077 && touch "/dev/shm/ipcbench-$D-$hex" "/dev/shm/ipcbench-$D-$hex.ring" \
	"$TMPDIR/ipcbench-$D-probe-$hex.sysv" &&
	mkdir "$TMPDIR/ipcbench-$D-$hex.d" "$WORK/dir/ipcbench-$D-$hex.d" &&
	mkfifo -m 600 "$TMPDIR/ipcbench-$D-$hex.d/ab" "$TMPDIR/ipcbench-$D-$hex.d/ba" &&
	touch "$TMPDIR/ipcbench-$D-$hex.d/ring" "$WORK/dir/ipcbench-$D-$hex.d/slots" &&
	mkdir "$TMPDIR/ipcbench-$D-$hex.d/state" && touch "$TMPDIR/ipcbench-$D-$hex.d/state/log" &&
	ln -s "$WORK/outside" "$TMPDIR/ipcbench-$D-$hex.d/link")
if [ -d /dev/mqueue ] && mountpoint -q /dev/mqueue; then
	(umask 077 && touch "/dev/mqueue/ipcbench-$D-$hex-ab") 2>/dev/null &&
		remove_list+=("/dev/mqueue/ipcbench-$D-$hex-ab")
fi
# A queue that is not ours (no ipcbench key prefix), listed in a dead pid's registry.
qid=$(ipcmk -Q -p 0600 2>/dev/null | grep -o '[0-9]*$')
qkey=$(awk -v id="$qid" '$2 == id { printf "0x%08x", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/msg)
printf 'msg %s %s\n' "$qid" "$qkey" >"$TMPDIR/ipcbench-$D-$hex.sysv"
chmod 600 "$TMPDIR/ipcbench-$D-$hex.sysv"
remove_list+=("$TMPDIR/ipcbench-$D-$hex.sysv")
pid_max=$(cat /proc/sys/kernel/pid_max)
keep_list=(
	"$TMPDIR/ipcbench-$D-$hex2"   # another user's
	"$TMPDIR/ipcbench-$D-$hex3"   # a symlink
	"$TMPDIR/ipcbench-x$D-$hex"   # not a pid
	"$TMPDIR/ipcbenchx-$D-$hex"   # not our prefix
	"$TMPDIR/xipcbench-$D-$hex"
	"$TMPDIR/ipcbench-$$-$hex" # this shell runs, and started before the file
	"$WORK/dir2/ipcbench-$D-$hex" # a directory nobody asked to clean
	# Names that only look like ours: the user's own files.
	"$TMPDIR/ipcbench-$D-notes.txt"
	"$TMPDIR/ipcbench-$((pid_max + 1))-$hex"  # no process can have that pid
	"$TMPDIR/ipcbench-0$D-$hex"               # a pid is not written with a leading zero
	"$TMPDIR/ipcbench-$D-${hex^^}"            # upper-case hex digits
	"$TMPDIR/ipcbench-$D-${hex:0:15}"         # 15 hex digits
	"$TMPDIR/ipcbench-$D-${hex}0"             # 17
	"$TMPDIR/ipcbench-$D-$hex.txt"            # a suffix no run makes here
	"$TMPDIR/ipcbench-$D-$hex.AbCdE"          # nor this one
	"$TMPDIR/ipcbench-$D-$hex"                # a bare tag: runs make only <tag>.d here
	"$TMPDIR/ipcbench-$D-$hex-ab"             # a queue's suffix, outside /dev/mqueue
	"$TMPDIR/ipcbench-$D-probe-$hex"          # a probe makes only registries here
	"/dev/shm/sem.ipcbench-$D-$hex"           # ipcbench makes no named semaphores
	"/dev/shm/ipcbench-$D-$hex.Notes"         # a suffix with capitals is not a POSIX name's
	"/dev/shm/ipcbench-$D-$hex.abcdefghijklmnopq" # nor one of 17 characters
	"$TMPDIR/ipcbench-$D-$hex4"               # a directory where ipcbench makes files
	"$TMPDIR/ipcbench-$D-$hex5.d"             # a file where ipcbench makes a directory
)
(umask 077 && touch "$TMPDIR/ipcbench-$D-$hex2" "$TMPDIR/ipcbench-x$D-$hex" "$TMPDIR/ipcbenchx-$D-$hex" \
	"$TMPDIR/xipcbench-$D-$hex" "$TMPDIR/ipcbench-$$-$hex" "$WORK/dir2/ipcbench-$D-$hex" \
	"$TMPDIR/ipcbench-$D-notes.txt" "$TMPDIR/ipcbench-$((pid_max + 1))-$hex" \
	"$TMPDIR/ipcbench-0$D-$hex" "$TMPDIR/ipcbench-$D-${hex^^}" "$TMPDIR/ipcbench-$D-${hex:0:15}" \
	"$TMPDIR/ipcbench-$D-${hex}0" "$TMPDIR/ipcbench-$D-$hex.txt" "$TMPDIR/ipcbench-$D-$hex.AbCdE" \
	"$TMPDIR/ipcbench-$D-$hex" "$TMPDIR/ipcbench-$D-$hex-ab" "$TMPDIR/ipcbench-$D-probe-$hex" \
	"/dev/shm/sem.ipcbench-$D-$hex" "/dev/shm/ipcbench-$D-$hex.Notes" \
	"/dev/shm/ipcbench-$D-$hex.abcdefghijklmnopq" "$TMPDIR/ipcbench-$D-$hex5.d" &&
	mkdir "$TMPDIR/ipcbench-$D-$hex4")
on_exit() {
	[ -n "${oid:-}" ] && sysv_exists msg "$oid" "$okey" && ipcrm -q "$oid" 2>/dev/null
	rm -f "/dev/shm/sem.ipcbench-$D-$hex" "/dev/shm/ipcbench-$D-$hex.Notes" \
		"/dev/shm/ipcbench-$D-$hex.abcdefghijklmnopq" "/dev/shm/ipcbench-$D-$hex" \
		"/dev/shm/ipcbench-$D-$hex.ring" "/dev/mqueue/ipcbench-$D-$hex-ab"
}
chown 65534:65534 "$TMPDIR/ipcbench-$D-$hex2"
ln -s /etc/hostname "$TMPDIR/ipcbench-$D-$hex3"

exists() { [ -e "$1" ] || [ -L "$1" ]; }
all_exist() {
	local f
	for f in "$@"; do exists "$f" || { echo "# missing: $f"; return 1; }; done
}

# ---- --dry-run: lists, removes nothing ----
"$BIN" --cleanup --dry-run --dir "$WORK/dir" >"$WORK/dry.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -q "would remove System V message queue $vid key $vkey" "$WORK/dry.out" &&
	grep -q "would remove /dev/shm/ipcbench-$D-$hex (pid $D is gone)" "$WORK/dry.out"
ok $? "--cleanup --dry-run exits 0 and lists the killed run's queue and the dead pid's names"
[ $st -eq 0 ] || diag "$WORK/dry.out"
sysv_exists msg "$vid" "$vkey" && all_exist "${remove_list[@]}"
ok $? "--dry-run removed nothing"

# ---- --cleanup ----
"$BIN" --cleanup --dir "$WORK/dir" >"$WORK/clean.out" 2>&1
st=$?
diag "$WORK/clean.out"
[ $st -eq 0 ]
ok $? "--cleanup exits 0"
grep -q "^removed System V message queue $vid key $vkey listed in $TMPDIR/ipcbench-$VICTIM-.*\.sysv (pid $VICTIM is gone)" "$WORK/clean.out" &&
	grep -q "^removed $TMPDIR/ipcbench-$VICTIM-.*\.sysv" "$WORK/clean.out"
ok $? "it lists the killed run's queue and registry as removed"
! sysv_exists msg "$vid" "$vkey" && [ -z "$(ls "$TMPDIR"/ipcbench-"$VICTIM"-* 2>/dev/null)" ]
ok $? "the killed run's queue $vid and its registry are gone"
gone=0
for f in "${remove_list[@]}"; do
	if exists "$f"; then gone=1; echo "# still there: $f"; fi
	grep -q "^removed $f (pid $D is gone)" "$WORK/clean.out" || { gone=1; echo "# not listed: $f"; }
done
ok $gone "the dead pid's POSIX shm names, run directories (in TMPDIR and --dir), registry and queue are removed and listed"
[ -f "$WORK/outside" ] && [ "$(cat "$WORK/outside")" = outside ]
ok $? "a symbolic link inside a dead run's directory is removed, not followed: what it points to is intact"
all_exist "${keep_list[@]}" &&
	! grep -qE "^removed .*(ipcbench-x|ipcbenchx|xipcbench|$hex2|$hex3|dir2|ipcbench-$$-)" "$WORK/clean.out"
ok $? "another user's file, a symlink, a live pid's file and an unasked directory are untouched"
kept=0
for f in "${keep_list[@]}"; do
	grep -qF "removed $f " "$WORK/clean.out" && { kept=1; echo "# removed: $f"; }
done
all_exist "${keep_list[@]}" && [ $kept -eq 0 ]
ok $? "names that only look like ipcbench's (ipcbench-$D-notes.txt, a pid above pid_max $pid_max, wrong digits, suffixes or types) are neither removed nor listed"
sysv_exists msg "$qid" "$qkey"
ok $? "a queue without ipcbench's key prefix stays, although a dead pid's registry lists it"
ipcrm -q "$qid" 2>/dev/null
grep -q "^kept $TMPDIR/ipcbench-$LIVE-.*\.sysv: pid $LIVE (ipcbench) still runs" "$WORK/clean.out" &&
	[ "$(sysv_left "$WORK/live.reg")" -eq "$live_objects" ]
ok $? "the live run's registry is kept and listed, its System V objects are untouched"
grep -q "^not removed: System V message queue $oid (key $okey) has ipcbench's key prefix but no registry names it" "$WORK/clean.out" &&
	sysv_exists msg "$oid" "$okey"
ok $? "a queue with our prefix that no registry names is reported, not removed"
ipcrm -q "$oid" 2>/dev/null

"$BIN" --cleanup --dir "$WORK/dir" >"$WORK/again.out" 2>&1
[ $? -eq 0 ] && grep -q "removed 0 object" "$WORK/again.out"
ok $? "a second --cleanup finds nothing more to remove"

wait "$LIVE"
st=$?
[ $st -eq 0 ] && has_row "$WORK/live.csv" sysv-shm && [ -z "$(left_named "$LIVE")" ]
ok $? "the live run, cleaned around three times, still succeeds (exit $st) and leaves nothing"

# ---- what cleanup cannot or must not do ----
"$BIN" --cleanup --dir "$WORK/no-such-dir" >"$WORK/nodir.out" 2>&1
[ $? -eq 2 ] && grep -q "no-such-dir" "$WORK/nodir.out"
ok $? "--cleanup --dir with a missing directory exits 2 naming it"
# A dead run's directory that cannot be emptied (a file in it made immutable): exit 1, saying why.
if mkdir -m 700 "$TMPDIR/ipcbench-$D-$hex.d" && touch "$TMPDIR/ipcbench-$D-$hex.d/slots" &&
	chattr +i "$TMPDIR/ipcbench-$D-$hex.d/slots" 2>/dev/null; then
	"$BIN" --cleanup >"$WORK/stuck.out" 2>&1
	[ $? -eq 1 ] && grep -q "cannot remove $TMPDIR/ipcbench-$D-$hex.d: " "$WORK/stuck.out"
	ok $? "a run directory that cannot be emptied (an immutable file in it): exit 1, says why"
	chattr -i "$TMPDIR/ipcbench-$D-$hex.d/slots"
	rm -rf "$TMPDIR/ipcbench-$D-$hex.d"
else
	rm -rf "$TMPDIR/ipcbench-$D-$hex.d"
	skip "a run directory that cannot be emptied" "chattr +i does not work on $TMPDIR here"
fi

# ---- a reused pid counts as dead (pids are predictable in a new pid namespace) ----
if unshare -p -f --mount-proc true 2>/dev/null; then
	mkdir -m 700 "$TMPDIR/ipcbench-2-$hex.d"
	sleep 1.3
	# In the namespace: sh is pid 1 and the sleep started after the file is pid 2. Its own
	# /dev/shm: pids of this namespace say nothing about names made outside it.
	unshare -p -f --mount-proc sh -c '
		sleep 30 &
		mount -t tmpfs -o size=64k tmpfs /dev/shm 2>/dev/null
		sleep 1.3
		mkdir -m 700 "$TMPDIR/ipcbench-2-$2.d"
		"$1" --cleanup
		kill $!' sh "$BIN" "$hex2" >"$WORK/ns.out" 2>&1
	grep -q "^removed $TMPDIR/ipcbench-2-$hex.d (pid 2 is gone; the pid now belongs to sleep, started later)" "$WORK/ns.out" &&
		[ ! -e "$TMPDIR/ipcbench-2-$hex.d" ]
	ok $? "a name whose pid now belongs to a process started after it is removed"
	grep -q "^kept $TMPDIR/ipcbench-2-$hex2.d: pid 2 (sleep) still runs" "$WORK/ns.out" &&
		[ -e "$TMPDIR/ipcbench-2-$hex2.d" ]
	ok $? "a name made after that process started is kept"
	[ $failed -eq 0 ] || diag "$WORK/ns.out"
	rm -rf "$TMPDIR/ipcbench-2-$hex2.d" "$TMPDIR/ipcbench-2-$hex.d"
else
	skip "a reused pid counts as dead" "cannot make a pid namespace here"
	skip "a name made after the process started is kept" "cannot make a pid namespace here"
fi

done_testing
