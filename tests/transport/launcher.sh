#!/bin/bash
# launcher.sh - sides started by a runtime instead of fork: the mpi transport's ranks under
# mpirun (TAP). A rank killed with SIGKILL mid-run fails that run alone, naming the transport,
# mode, size and side, while the next run of the sweep gives its row; mpirun and both ranks are
# gone afterwards and the run's directory (Open MPI's session and shared-memory files in it) is
# removed. A driver killed with SIGKILL takes mpirun and the ranks with it, and
# `ipcbench --cleanup` removes the directory it left. The rows say where each rank ran.
#
# Usage: launcher.sh PATH/TO/ipcbench
. "$(dirname "$0")/../hostile/lib.sh"

if ! "$BIN" --list mpi 2>/dev/null | grep -q '^  runs here: *yes'; then
	why=$("$BIN" --list mpi 2>&1 | sed -n 's/^  runs here: *//p')
	if [ "${IPCB_REQUIRE_TRANSPORTS:-}" = all ]; then
		ok 1 "mpi runs here (${why:-unknown})"
		done_testing
		exit
	fi
	echo "1..0 # SKIP mpi cannot run here: ${why:-unknown}"
	exit 0
fi

# The processes of this test's mpi runs: mpirun and the ranks name the run's directory (under
# $TMPDIR, private to this test) on their command lines.
ours() { pgrep -f -- "$TMPDIR/ipcbench-" 2>/dev/null; }
# The ranks: ipcb-rank's path first on their command lines (mpirun's names it later).
ranks() { pgrep -f -- "^[^ ]*/ipcb-rank $TMPDIR/" 2>/dev/null; }
none_left() { [ -z "$(ours)" ]; }
# The receiver: the rank Open MPI numbers 1.
receiver_rank() {
	local p
	for p in $(ranks); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' &&
			echo "$p"
	done
}
has_receiver() { [ -n "$(receiver_rank)" ]; }

# ---- a normal run: rows, placement, library ----
"$BIN" -q -t mpi -s 64,1M -m both -n 200 -d 0 -w 5 -c 1,0 --csv "$WORK/normal.csv" \
	>/dev/null 2>"$WORK/normal.err"
st=$?
[ $st -eq 0 ] && [ "$(grep -c '^mpi,' "$WORK/normal.csv")" -ge 4 ]
ok $? "a 64 B and 1 MiB sweep in both modes exits 0 with its rows"
[ $st -eq 0 ] || diag "$WORK/normal.err"
awk "$CSV_AWK"'NR == 1 { csv_split($0, h); for (c in h) col[h[c]] = c; next }
	{ csv_split($0, f) }
	f[col["transport"]] == "mpi" { rows++
		if (f[col["sender_cpu"]] != "1" || f[col["receiver_cpu"]] != "0")
			bad = bad " cpus=" f[col["sender_cpu"]] "," f[col["receiver_cpu"]]
		if (f[col["library"]] !~ /^Open MPI [0-9]/) bad = bad " library=" f[col["library"]]
		if (f[col["hops"]] != "direct") bad = bad " hops=" f[col["hops"]] }
	END { if (bad != "") print bad; exit !(rows >= 4 && bad == "") }' \
	"$WORK/normal.csv" >"$WORK/normal.cols"
ok $? "each row says CPUs 1,0, the library (Open MPI and its version) and hops direct"
diag "$WORK/normal.cols"
wait_for 5 none_left
ok $? "after a normal end no mpirun or rank is left"
[ -z "$(ls "$TMPDIR" | grep '^ipcbench-')" ]
ok $? "after a normal end the run's directory is gone"

# ---- a rank killed mid-run ----
"$BIN" -q -t mpi -s 64,128 -m latency -n 100000000 -d 1.5 -w 5 -c 1,0 --timeout 60 \
	--csv "$WORK/killed.csv" >/dev/null 2>"$WORK/killed.err" &
PID=$!
BG_PIDS+=("$PID")
if wait_for 20 has_receiver; then
	sleep 0.3 # into the measured loop
	VICTIM=$(receiver_rank)
	RANKS=$(ranks | tr '\n' ' ')
	MPIRUN=$(pgrep -f -- "^mpirun .*$TMPDIR/" | tr '\n' ' ')
	# Each rank is pinned, by itself, to its side's CPU: the receiver to 0, the sender to 1.
	pins=""
	for p in $RANKS; do
		pins+="$([ "$p" = "$VICTIM" ] && echo receiver || echo sender)=$(sed -n \
			's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$p/status") "
	done
	[[ $pins == *"receiver=0 "* && $pins == *"sender=1 "* ]]
	ok $? "the ranks are pinned where the driver put them (-c 1,0): $pins"
	kill -KILL $VICTIM
	ok 0 "the receiver rank ($VICTIM) is killed with SIGKILL mid-run"
else
	ok 1 "the receiver rank starts"
	VICTIM="" RANKS="" MPIRUN=""
fi
wait "$PID"
st=$?
[ $st -eq 1 ] && grep -q "mpi latency 64 run 1: receiver: " "$WORK/killed.err" &&
	grep -q "1 of 2 runs failed" "$WORK/killed.err"
ok $? "the run fails alone, naming transport, mode, size and the side (exit 1, got $st)"
diag "$WORK/killed.err"
[ "$(grep -c '^mpi,latency,128,' "$WORK/killed.csv")" -ge 1 ] &&
	! grep -q '^mpi,latency,64,' "$WORK/killed.csv"
ok $? "the next run's row is there, the failed run has none"
bad=0
for p in $RANKS $MPIRUN; do
	wait_for 5 proc_dead "$p" || { bad=1; diag <<<"left: $(tr '\0' ' ' <"/proc/$p/cmdline")"; }
done
[ -n "$RANKS" ] && [ -n "$MPIRUN" ] && [ $bad -eq 0 ] && wait_for 5 none_left
ok $? "mpirun ($MPIRUN) and both ranks ($RANKS) are gone"
[ -z "$(left_named "$PID")" ]
ok $? "nothing named ipcbench-$PID-* is left (the run's directory, Open MPI's files in it)"

# ---- the driver killed with SIGKILL ----
"$BIN" -q -t mpi -s 64 -m latency -n 100000000 -d 60 -w 5 --timeout 120 \
	>/dev/null 2>"$WORK/driver.err" &
PID=$!
BG_PIDS+=("$PID")
if wait_for 20 has_receiver; then
	sleep 0.3
	LEFT=$(ours | tr '\n' ' ')
	{ kill -KILL "$PID" && wait "$PID"; } 2>/dev/null
	bad=0
	for p in $LEFT; do
		wait_for 5 proc_dead "$p" || { bad=1; diag <<<"left: $(tr '\0' ' ' <"/proc/$p/cmdline")"; }
	done
	[ $bad -eq 0 ]
	ok $? "mpirun and the ranks ($LEFT) die with the driver"
else
	ok 1 "a long mpi run starts"
	diag "$WORK/driver.err"
fi
[ -n "$(left_named "$PID")" ]
ok $? "without a teardown, the run's directory is still there"
"$BIN" --cleanup >"$WORK/cleanup.out" 2>&1
st=$?
[ $st -eq 0 ] && [ -z "$(left_named "$PID")" ] && none_left
ok $? "ipcbench --cleanup removes it and nothing of the run is left (exit $st)"
grep -q "^removed .*ipcbench-$PID-" "$WORK/cleanup.out"
ok $? "--cleanup says it removed the run's directory"
diag "$WORK/cleanup.out"

done_testing
