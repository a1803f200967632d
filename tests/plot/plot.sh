#!/bin/bash
# plot.sh - scripts/plot end to end (TAP): every figure from tests/fixtures/small.csv as a
# real PNG and SVG with no gnuplot warning or error, the machine caption (a quoted CSV field
# with a comma), medians of repeats, --size/--transports, and clean failures on a missing,
# empty or header-only CSV. Skips (a "1..0 # SKIP" plan) when gnuplot is absent.
#
# Usage: plot.sh [REPO-ROOT]   (default: two directories up from this script)
set -u
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
PLOT=$ROOT/scripts/plot
FIXTURE=$ROOT/tests/fixtures/small.csv

if ! command -v gnuplot >/dev/null 2>&1; then
	echo "1..0 # SKIP gnuplot not found (Debian: gnuplot-nox)"
	exit 0 # meson reads a "1..0 # SKIP" plan as a skip; exit 77 would be an error under TAP
fi

. "$(dirname "$0")/../tap.sh"
tap_workdir plot-test


# The first eight bytes of every PNG file.
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
is_svg() { [ -s "$1" ] && grep -q '<svg' "$1" && grep -q '</svg>' "$1"; }

[ -x "$PLOT" ] && [ -s "$FIXTURE" ]
ok $? "scripts/plot and the fixture exist"

# ---- the fixture: every figure ----
"$PLOT" --keep-data "$WORK/data" "$FIXTURE" "$WORK/out" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
ok $rc "scripts/plot on the fixture exits 0"
[ $rc -eq 0 ] || diag "$WORK/stderr"
! grep -qiE 'warning|error' "$WORK/stderr"
ok $? "no warning or error on stderr (gnuplot reported none)"
[ -s "$WORK/stderr" ] && diag "$WORK/stderr"

figures="latency-cross-core latency-same-core throughput-cross-core throughput-same-core
	percentiles-cross-core percentiles-same-core cpu-latency-cross-core cpu-latency-same-core bars"
for f in $figures; do
	is_png "$WORK/out/$f.png"
	ok $? "$f.png is a non-empty PNG"
	is_svg "$WORK/out/$f.svg"
	ok $? "$f.svg is a non-empty SVG"
	grep -q "^wrote $WORK/out/$f.png\$" "$WORK/stdout" && grep -q "^wrote $WORK/out/$f.svg\$" "$WORK/stdout"
	ok $? "$f: scripts/plot says it wrote both files"
done
[ "$(ls "$WORK/out" | wc -l)" -eq 18 ]
ok $? "exactly 18 files (9 figures x PNG, SVG)"

# The caption carries the fixture's quoted cpu_model ("...fixture, quoted ""cpu_model""...").
grep -q 'test fixture, quoted' "$WORK/out/latency-cross-core.svg" && grep -q '6.18.44' "$WORK/out/bars.svg"
ok $? "the machine caption shows cpu_model (a quoted field with a comma) and the kernel"

# Repeats: the fixture has two cross-core pipe round-trip rows at 64 B; the figures use their
# median. Both sides are read by column name (awk -F, is enough here: the quoted
# cpu_model comes after every column used).
col_awk='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }'
want=$(awk -F, "$col_awk"'
	$c["transport"] == "pipe" && $c["placement"] == "cross-core" && $c["latency_kind"] == "rtt" &&
	$c["size_bytes"] == 64 { s += $c["p50_ns"]; k++ }
	END { if (k == 2) printf "%.6g", s / 2 }' "$FIXTURE")
got=$(awk -F, "$col_awk"'
	$c["series"] == "pipe" && $c["placement"] == "cross-core" && $c["latency_kind"] == "rtt" &&
	$c["size_bytes"] == 64 && $c["repeats"] == 2 { print $c["p50_ns"] }' "$WORK/data/summary.csv")
[ -n "$want" ] && [ "$want" = "$got" ]
ok $? "two repeats reduce to their median (pipe cross-core 64 B p50: want $want, got $got)"

# ---- options ----
"$PLOT" --size 4K --transports pipe,tcp "$FIXTURE" "$WORK/opt" >"$WORK/stdout" 2>"$WORK/stderr"
ok $? "--size 4K --transports pipe,tcp exits 0"
is_png "$WORK/opt/percentiles-cross-core.png" && grep -q '4 KiB payload' "$WORK/opt/percentiles-cross-core.svg"
ok $? "--size 4K: the percentile figure is at 4 KiB"
"$PLOT" --size 3K "$FIXTURE" "$WORK/bad" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q -- '--size 3 KiB' "$WORK/stderr"
ok $? "--size with no rows of that size: non-zero exit naming it (exit $rc)"
"$PLOT" --transports nosuch "$FIXTURE" "$WORK/bad" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q 'nosuch' "$WORK/stderr"
ok $? "--transports with no such transport: non-zero exit naming it (exit $rc)"

# ---- bad input ----
head -1 "$FIXTURE" >"$WORK/header.csv"
"$PLOT" "$WORK/header.csv" "$WORK/h" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q 'no usable rows' "$WORK/stderr"
ok $? "a CSV with only a header: non-zero exit, 'no usable rows' (exit $rc)"
[ ! -e "$WORK/h" ] || [ -z "$(ls "$WORK/h")" ]
ok $? "a CSV with only a header: no figure written"
"$PLOT" "$WORK/missing.csv" "$WORK/m" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q 'missing.csv: no such file' "$WORK/stderr"
ok $? "a missing CSV: non-zero exit, 'no such file' (exit $rc)"
: >"$WORK/empty.csv"
"$PLOT" "$WORK/empty.csv" "$WORK/e" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q 'empty' "$WORK/stderr"
ok $? "an empty CSV: non-zero exit, 'empty' (exit $rc)"
printf 'a,b\n1,2\n' >"$WORK/other.csv"
"$PLOT" "$WORK/other.csv" "$WORK/o" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
[ $rc -ne 0 ] && grep -q "no 'transport' column" "$WORK/stderr"
ok $? "a CSV that is not ipcbench's: non-zero exit, names the missing column (exit $rc)"
"$PLOT" >"$WORK/stdout" 2>"$WORK/stderr"
[ $? -eq 2 ] && grep -q '^Usage' "$WORK/stderr"
ok $? "no arguments: usage, exit 2"

done_testing
