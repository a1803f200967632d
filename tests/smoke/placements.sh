#!/bin/bash
# placements.sh IPCBENCH - TAP test of the placements by topology: on other machines, described
# to hwloc (HWLOC_SYNTHETIC, or HWLOC_XMLFILE and tests/fixtures/hwloc, with --dry-run, which
# plans and runs nothing) the pair chosen for each kind and the kinds a machine lacks; the
# matrix's pairs, all or sampled; then real runs on this machine: the matrix on its CPUs, every
# row saying what its two CPUs share, and the report's and the figures' placement matrix.
set -u
BIN=${1:?usage: placements.sh ipcbench}
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/../fixtures/hwloc
. "$HERE/../tap.sh"
tap_workdir placements-test
# The runs' own TMPDIR: what they leave is theirs, not another test's.
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

# The machines: a two-socket server (its XML, hwloc's, with the nodes' distances), a chiplet
# CPU and a laptop, numbered as Linux numbers their CPUs (siblings apart).
declare -A SYN=(
	[chiplet]="pack:1 numa:1 l3:4 l2:4 core:1 pu:2(indexes=0,16,1,17,2,18,3,19,4,20,5,21,6,22,7,23,8,24,9,25,10,26,11,27,12,28,13,29,14,30,15,31)"
	[laptop]="pack:1 l3:1 l2:4 core:1 pu:2(indexes=0,4,1,5,2,6,3,7)"
)
plan() { # plan MACHINE ARGS...: the plan's placement lines, and the messages, into $WORK/plan
	local m=$1
	shift
	if [ -f "$FIX/$m.xml" ]; then
		HWLOC_XMLFILE=$FIX/$m.xml "$BIN" --dry-run -t pipe -s 64 -m latency "$@" >"$WORK/plan" 2>"$WORK/plan.err"
	else
		HWLOC_SYNTHETIC=${SYN[$m]:-$m} "$BIN" --dry-run -t pipe -s 64 -m latency "$@" >"$WORK/plan" 2>"$WORK/plan.err"
	fi
}

plan two-socket --placement smt,llc,node,remote-node
st=$?
grep -qx 'placement smt: CPUs 0,8: smt' "$WORK/plan" &&
	grep -qx 'placement llc: CPUs 0,1: cache L3' "$WORK/plan" &&
	grep -qx 'placement remote-node: CPUs 0,4: remote-node distance 21' "$WORK/plan" &&
	grep -q -- '--placement node: this machine has none' "$WORK/plan.err" && [ $st -eq 0 ]
ok $? "a two-socket server: SMT siblings, a shared L3, two nodes; it says it has no node without a shared cache"
diag "$WORK/plan" "$WORK/plan.err"

plan chiplet --placement smt,llc,node,remote-node
grep -qx 'placement node: CPUs 0,4: node' "$WORK/plan" &&
	grep -qx 'placement llc: CPUs 0,1: cache L3' "$WORK/plan" &&
	grep -q -- '--placement remote-node: this machine has none: these CPUs are on one NUMA node' "$WORK/plan.err"
ok $? "a chiplet CPU: another L3 on the one node is the node placement; no remote node"

plan laptop --placement smt,llc
grep -qx 'placement smt: CPUs 0,4: smt' "$WORK/plan" && grep -qx 'placement llc: CPUs 0,1: cache L3' "$WORK/plan"
ok $? "a laptop: SMT siblings and the shared L3"

plan two-socket --placement remote-node --cpus 8-11
st=$?
grep -q -- 'remote-node: this machine has none among --cpus' "$WORK/plan.err" && [ $st -eq 77 ]
ok $? "--cpus LIST restricts the CPUs the pairs come from: 8-11 are all on one node (exit $st)"
plan two-socket --placement remote-node --cpus 8,12-13
grep -qx 'placement remote-node: CPUs 8,12: remote-node distance 21' "$WORK/plan"
ok $? "and 8,12-13 span the two"

plan two-socket --placement matrix --cpus 0-3
[ "$(grep -c '^placement matrix: ' "$WORK/plan")" -eq 16 ]
ok $? "the matrix of four CPUs: every ordered pair, 16 ($(grep -c '^placement matrix: ' "$WORK/plan"))"

plan two-socket --placement matrix --matrix-pairs 12
np=$(grep -c "^placement matrix: " "$WORK/plan")
kinds=$(sed -n 's/^placement matrix: CPUs [0-9]*,[0-9]*: \([a-z-]*\).*/\1/p' "$WORK/plan" | sort -u | tr '\n' ' ')
[ "$np" -eq 12 ] && [ "$kinds" = "cache remote-node same smt " ] &&
	grep -q -- '--placement matrix: 12 of the 256 ordered pairs' "$WORK/plan.err"
ok $? "a sampled matrix: 12 pairs of 256, every kind of pair in it ($kinds), and it says so"
cp "$WORK/plan" "$WORK/plan1"
plan two-socket --placement matrix --matrix-pairs 12
cmp -s "$WORK/plan" "$WORK/plan1"
ok $? "the sample is the same each time"

HWLOC_XMLFILE=$WORK/nowhere.xml "$BIN" --dry-run -t pipe --placement smt >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "HWLOC_XMLFILE '$WORK/nowhere.xml': hwloc cannot read it" "$WORK/err"
ok $? "an XML file hwloc cannot read is refused, naming it (never this machine instead)"
HWLOC_SYNTHETIC="pack:2 foo:3" "$BIN" --dry-run -t pipe >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "HWLOC_SYNTHETIC 'pack:2 foo:3': not a synthetic description" "$WORK/err"
ok $? "a synthetic description hwloc cannot read is refused, naming it"
HWLOC_SYNTHETIC="pack:2 core:2 pu:1" "$BIN" -q -t pipe -s 64 -d 0.01 -r 1 --csv "$WORK/x.csv" >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q 'describes another machine: --dry-run plans for it' "$WORK/err" && [ ! -e "$WORK/x.csv" ]
ok $? "a run is refused where the topology is another machine's: only a plan may use it"

# The plan of a machine not at hand: two packages of two NUMA nodes, 8 cores of 2 threads each.
plan "pack:2 numa:2 core:8 pu:2" --placement smt,llc,node,remote-node,matrix --matrix-pairs 16
kinds=$(sed -n 's/^placement matrix: CPUs [0-9]*,[0-9]*: \([a-z-]*\).*/\1/p' "$WORK/plan" | sort -u | tr '\n' ' ')
grep -qx 'placement smt: CPUs 0,1: smt' "$WORK/plan" &&
	grep -qx 'placement node: CPUs 0,2: node' "$WORK/plan" &&
	grep -qx 'placement remote-node: CPUs 0,16: remote-node' "$WORK/plan" &&
	grep -q -- '--placement llc: this machine has none: the topology does not describe the caches' "$WORK/plan.err" &&
	[ "$kinds" = "node remote-node same smt " ] &&
	grep -q -- '--placement matrix: 16 of the 4096 ordered pairs' "$WORK/plan.err"
ok $? "a synthetic 2-package, 4-node machine with SMT: its placements and matrix planned here ($kinds)"
diag "$WORK/plan" "$WORK/plan.err"

"$BIN" --dry-run -t pipe --placement nearby >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "unknown placement 'nearby'" "$WORK/err"
ok $? "an unknown placement is refused, naming it"

"$BIN" --dry-run -t pipe --placement matrix --matrix-pairs 0 >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q -- "--matrix-pairs: '0'" "$WORK/err"
ok $? "--matrix-pairs 0 is refused"

"$BIN" --dry-run -t pipe --placement matrix --cpus 0-x >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q -- "--cpus: '0-x' is not a CPU list" "$WORK/err"
ok $? "a bad CPU list is refused, naming it"

# This machine: the matrix on its own CPUs, run for real.
ncpu=$(nproc)
"$BIN" -q -t pipe,shm -s 64 -m latency -n 200 -d 0 -w 5 --placement matrix -r 2 \
	--csv "$WORK/m.csv" >"$WORK/out" 2>"$WORK/err"
st=$?
cells=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["latency_kind"] == "rtt" && $h["placement"] == "matrix" { print $h["transport"], $h["sender_cpu"], $h["receiver_cpu"], $h["cpu_topology"] }' "$WORK/m.csv" | sort -u)
want=$(( ncpu > 8 ? 64 : ncpu * ncpu ))
[ $st -eq 0 ] && [ "$(echo "$cells" | awk '$1 == "shm"' | wc -l)" -eq "$want" ]
ok $? "the matrix on this machine's $ncpu CPUs: $want cells a transport (exit $st)"
echo "$cells" | awk '$2 == $3 && $4 != "same" { bad = 1 } $2 != $3 && $4 == "same" { bad = 1 } $4 == "" { bad = 1 } END { exit bad }'
ok $? "every cell says what its two CPUs share: same on one CPU, another class on two"
diag <<<"$cells"

"$BIN" report "$WORK/m.csv" --figures figs -o "$WORK/m.md" >"$WORK/out" 2>"$WORK/err"
st=$?
[ $st -eq 0 ] && grep -q '^### The placement matrix' "$WORK/m.md" &&
	grep -q '^\*\*shm\*\*, round trip p50 at 64 B: sender' "$WORK/m.md" &&
	grep -q "^!\[Placement matrix: round trip p50 on every pair of CPUs, shm\](figs/matrix-shm.png)" "$WORK/m.md"
ok $? "the report has the matrix of each transport, and links its heatmap (exit $st)"
grep -q '^## Where the two sides sit' "$WORK/m.md" && grep -qE '^\| shm \| 64 B \| [0-9.]+ [nu]s ' "$WORK/m.md"
ok $? "and each transport's cost by what its two CPUs share"

if command -v gnuplot >/dev/null 2>&1; then
	"$HERE/../../scripts/plot" "$WORK/m.csv" "$WORK/figs" >"$WORK/out" 2>"$WORK/err"
	st=$?
	[ $st -eq 0 ] && [ -s "$WORK/figs/matrix-shm.png" ] && [ -s "$WORK/figs/matrix-pipe.svg" ] &&
		! [ -e "$WORK/figs/latency-matrix.png" ]
	ok $? "scripts/plot draws a heatmap per transport, and no line figure of the matrix's cells (exit $st)"
	diag "$WORK/err"
else
	skip "scripts/plot draws the matrix" "gnuplot is not installed"
fi

# The matrix's floors: a cell of two CPUs is held against the copy across them, as cross-core
# is, and a cell of one CPU against memcpy (two copies a message).
"$BIN" -q -t shm -s 4K -m throughput -d 0.02 -w 5 --placement matrix --floor -r 1 \
	--csv "$WORK/f.csv" >"$WORK/out" 2>"$WORK/err"
st=$?
cells=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$h["placement"] == "matrix" && $h["latency_kind"] == "" &&
	($h["transport"] == "shm" || $h["transport"] == "floor-xcopy") {
		print $h["sender_cpu"], $h["receiver_cpu"], $h["transport"], $h["ceiling"] }' "$WORK/f.csv" | sort)
two=$(echo "$cells" | awk '$1 != $2 && $3 == "shm"' | wc -l)
[ $st -eq 0 ] && [ "$two" -gt 0 ] &&
	echo "$cells" | awk '$3 == "shm" { shm[$1 " " $2] = $4 } $3 == "floor-xcopy" { xcopy[$1 " " $2] = 1 }
		END { for (c in shm) { split(c, p, " ")
			if (p[1] != p[2] && (!xcopy[c] || shm[c] !~ /^floor-(xcopy|handover)\+/)) bad = 1
			if (p[1] == p[2] && (xcopy[c] || shm[c] !~ /^floor-memcpy\+/)) bad = 1 }
		exit bad }'
ok $? "the matrix's cells of two CPUs measure the copy across them and are held against it, one CPU's memcpy ($two of two CPUs, exit $st)"
diag <<<"$cells"

[ -z "$(ls "$TMPDIR" 2>/dev/null | grep '^ipcbench-')" ]
ok $? "nothing of the runs is left in TMPDIR"

# A hybrid wait where both sides share one CPU gives the CPU away (sched_yield) before it sleeps:
# each side of a round trip there waits for a reply the other side cannot have written yet.
# Across two CPUs it spins instead, and where a side's own two threads share its CPU
# (--inflight) it sleeps at once: no yield at all (the probes, which yield on one CPU, are off).
# Not in a sanitizer build: its runtime yields in its own locks, and LeakSanitizer cannot run
# under a tracer.
yields() { # yields ARGS...: the sched_yield calls of a run of shm's round trips
	strace -f -qq -o "$WORK/yields" -e trace=sched_yield -e signal=none \
		"$BIN" -t shm -s 64 -m latency -r 1 -d 0.2 --no-probes -q "$@" >/dev/null 2>&1 || echo failed
	grep -c sched_yield "$WORK/yields"
}
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
	skip "a hybrid wait yields the CPU where both sides share one" \
		"a sanitizer build: its runtime yields in its own locks"
elif command -v strace >/dev/null; then
	one=$(yields --placement same-core)
	two=$(yields --placement cross-core)
	threads=$(yields --placement same-core --inflight 2)
	[ "$one" -gt 0 ] 2>/dev/null && [ "$two" = 0 ] && [ "$threads" = 0 ]
	ok $? "a hybrid wait yields the CPU where both sides share one ($one yields), never across two CPUs ($two) nor where a side's two threads share its CPU ($threads)"
else
	skip "a hybrid wait yields the CPU where both sides share one" "strace is not installed"
fi

# --dry-run says how long the plan takes at least: its runs times -d.
"$BIN" --dry-run -t pipe,shm -s 64,1M -m latency,throughput -r 3 -d 0.25 --placement cross-core \
	>"$WORK/out" 2>"$WORK/err"
grep -qx '# 8 points, 24 runs (nothing run: --dry-run)' "$WORK/out" &&
	grep -q '^# time: at least 6.0s (24 runs x -d 0.25s of measuring' "$WORK/out"
ok $? "--dry-run: at least 24 runs x 0.25 s ($(tail -1 "$WORK/out" | cut -c1-60))"
"$BIN" --dry-run -t pipe -s 64 -d 0 -n 100 >"$WORK/out" 2>"$WORK/err"
grep -q '^# time: not estimated (-d 0' "$WORK/out"
ok $? "--dry-run with -d 0: the time is not estimated, and it says why"

done_testing
