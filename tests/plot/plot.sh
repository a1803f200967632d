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
	percentiles-cross-core percentiles-same-core cpu-latency-cross-core cpu-latency-same-core
	bars-cross-core bars-same-core"
for f in $figures; do
	is_png "$WORK/out/$f.png"
	ok $? "$f.png is a non-empty PNG"
	is_svg "$WORK/out/$f.svg"
	ok $? "$f.svg is a non-empty SVG"
	grep -q "^wrote $WORK/out/$f.png\$" "$WORK/stdout" && grep -q "^wrote $WORK/out/$f.svg\$" "$WORK/stdout"
	ok $? "$f: scripts/plot says it wrote both files"
done
[ "$(ls "$WORK/out" | wc -l)" -eq 20 ]
ok $? "exactly 20 files (10 figures x PNG, SVG)"

# The caption carries the fixture's quoted cpu_model ("...fixture, quoted ""cpu_model""...").
grep -q 'test fixture, quoted' "$WORK/out/latency-cross-core.svg" && grep -q '6.18.44' "$WORK/out/bars-cross-core.svg"
ok $? "the machine caption shows cpu_model (a quoted field with a comma) and the kernel"

# Each figure's footer says what its points are and the runs of the rows it draws: the
# percentile figure the medians of each percentile over the rounds, and the fewest messages
# of the 64 B round trips it draws (its default five), not every row's of the run.
pct_min=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["place"] == "cross-core" && $c["what"] == "latency" && $c["bytes"] == 64 &&
	index(" shm pipe unix-stream tcp posix-mq ", " " $c["series"] " ") &&
	(m == "" || $c["msgs"] + 0 < m) { m = $c["msgs"] + 0 }
	END { print m }' "$WORK/data/summary.csv")
all_min=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["place"] == "cross-core" && $c["what"] == "latency" &&
	$c["role"] == "mechanism" && (m == "" || $c["msgs"] + 0 < m) { m = $c["msgs"] + 0 }
	END { print m }' "$WORK/data/summary.csv")
grep -q "each point the median of its rounds' values of that percentile" "$WORK/out/percentiles-cross-core.svg" &&
	grep -q "runs of at least $pct_min messages" "$WORK/out/percentiles-cross-core.svg" &&
	grep -q "runs of at least $all_min messages" "$WORK/out/latency-cross-core.svg"
ok $? "each figure's footer counts the runs it draws (percentiles at 64 B: at least $pct_min messages; latency: $all_min)"
grep -q '64 B payload' "$WORK/out/percentiles-cross-core.svg" &&
	grep -q '64 B payload' "$WORK/out/cpu-latency-cross-core.svg"
ok $? "the one-size figures are at the report's size, 64 B"
# And the report's captions say that size, which the plot program takes from the figure data.
"${IPCBENCH:-$ROOT/build/ipcbench}" report "$FIXTURE" --figures figs -o "$WORK/r.md" >/dev/null 2>&1 &&
	grep -q '^!\[Round-trip latency by percentile, min to max, cross-core, 64 B round trips\](figs/percentiles-cross-core.png)' "$WORK/r.md" &&
	grep -q '^!\[Time to move 1 MiB and the round trip p50, per transport, each bar in its own reader class, same-core, 64 B round trips\]' "$WORK/r.md" &&
	grep -q '^!\[Round trip p50 against payload size, a panel per reader class, each point in its own row.s class, cross-core\]' "$WORK/r.md"
ok $? "the report's captions of the one-size figures name 64 B, those of every size none"

# A panel's key lists its series in the order their lines end, the highest first: the polling
# streams across CPUs by their rate at the largest size each polls at.
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["place"] == "cross-core" && $c["what"] == "throughput" && $c["role"] == "mechanism" &&
	$c["class"] == "polls" && $c["bytes"] + 0 >= z[$c["series"]] + 0 { z[$c["series"]] = $c["bytes"]; r[$c["series"]] = $c["rate"] }
	END { for (s in r) print r[s], s }' "$WORK/data/summary.csv" | sort -gr | awk '{ printf "%s ", $2 }')
got=$(grep -o '<g id="gnuplot_plot_[0-9]*a" ><title>[^<]*' "$WORK/out/throughput-cross-core.svg" |
	sed 's/.*<title>//' | head -"$(wc -w <<<"$want")" | tr '\n' ' ')
[ -n "$want" ] && [ "$got" = "$want" ]
ok $? "the polling panel's key in the order its lines end (want: $want; got: $got)"

# Streams alone: the bars have their 1 MiB panel and no round trip's, and say so.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "mode") c = i; print; next } $c == "throughput"' \
	"$FIXTURE" >"$WORK/streams.csv"
"$PLOT" "$WORK/streams.csv" "$WORK/streams" >"$WORK/stdout" 2>"$WORK/stderr" &&
	is_png "$WORK/streams/bars-cross-core.png" && [ ! -e "$WORK/streams/percentiles-cross-core.png" ]
ok $? "a CSV of streams alone: bars of 1 MiB, no percentile figure ($(head -c 300 "$WORK/stderr"))"

# Repeats: the fixture has two cross-core pipe round-trip rows at 64 B; the figures use their
# median. Both sides are read by column name (awk -F, is enough here: the quoted
# cpu_model comes after every column used).
col_awk='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }'
want=$(awk -F, "$col_awk"'
	$c["transport"] == "pipe" && $c["placement"] == "cross-core" && $c["latency_kind"] == "rtt" &&
	$c["size_bytes"] == 64 { s += $c["p50_ns"]; k++ }
	END { if (k == 2) printf "%.6g", s / 2 }' "$FIXTURE")
got=$(awk -F, "$col_awk"'
	$c["series"] == "pipe" && $c["place"] == "cross-core" && $c["kind"] == "rtt" &&
	$c["bytes"] == 64 && $c["rounds"] == 2 { print $c["p50"] }' "$WORK/data/summary.csv")
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
[ $rc -ne 0 ] && grep -q 'no measured rows' "$WORK/stderr"
ok $? "a CSV with only a header: non-zero exit, 'no measured rows' (exit $rc)"
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
[ $rc -ne 0 ] && grep -q "missing required column 'transport'" "$WORK/stderr"
ok $? "a CSV that is not ipcbench's: non-zero exit, names the missing column (exit $rc)"
"$PLOT" >"$WORK/stdout" 2>"$WORK/stderr"
[ $? -eq 2 ] && grep -q '^Usage' "$WORK/stderr"
ok $? "no arguments: usage, exit 2"

# ---- latency against load, and whole distributions ----
# Open-loop rows (requests: rtt; a stream: one_way) at three rates, two pairs (not drawn), and a
# closed loop; then .hgrm files as ipcbench --hgrm writes them, two runs of pipe. The steps'
# generator kept its schedule (late 0 of 500): a step it missed is not drawn.
{
	echo "transport,mode,size_bytes,run,messages,latency_kind,p50_ns,p90_ns,p99_ns,p999_ns,min_ns,max_ns,msgs_per_s,bytes_per_s,placement,wait,pairs,inflight,topology,offered_rate,achieved_rate,late,host,cpu_model,timestamp"
	for r in 1000 2000 4000; do
		echo "pipe,latency,64,1,500,rtt,$((r * 10)),$((r * 15)),$((r * 20)),$((r * 40)),900,$((r * 50)),$r.0,,cross-core,block,1,1,1:1,$r.0,$r.0,0,fixture,cpu,2026-11-22T00:00:00Z"
		echo "pipe,throughput,64,1,500,,,,,,,,$r.0,$((r * 64)).0,cross-core,block,1,1,1:1,$r.0,$r.0,0,fixture,cpu,2026-11-22T00:00:00Z"
		echo "pipe,throughput,64,1,500,one_way,$((r * 5)),$((r * 7)),$((r * 9)),,400,$((r * 20)),,,cross-core,block,1,1,1:1,$r.0,$r.0,0,fixture,cpu,2026-11-22T00:00:00Z"
		# shm swept too, its generator late on 400 of 500 sends at every rate: no step kept
		echo "shm,latency,64,1,500,rtt,900,1000,1100,1200,800,1300,$r.0,,cross-core,spin,1,1,1:1,$r.0,$r.0,400,fixture,cpu,2026-11-22T00:00:00Z"
	done
	echo "pipe,latency,64,1,500,rtt,123456789,2,3,4,1,5,1.0,,cross-core,block,2,1,1:1,,,,fixture,cpu,2026-11-22T00:00:00Z"
	echo "pipe,latency,64,1,500,rtt,50000,60000,70000,80000,40000,90000,20000.0,,cross-core,block,1,1,1:1,,,,fixture,cpu,2026-11-22T00:00:00Z"
} >"$WORK/load.csv"
mkdir "$WORK/hgrm"
for run in 1 2; do
	{
		printf '       Value     Percentile TotalCount 1/(1-Percentile)\n\n'
		printf '%12.3f %14.12f %10d %14.2f\n' 40.000 0 1 1 50.000 0.5 500 2 70.000 0.99 990 100 \
			80.000 0.999 999 1000 90.$run 0.99999 1000 100000 95.000 0.999999 1000 1000000
		printf '%12.3f %14.12f %10d\n' 99.000 1 1000
		printf '#[Mean    =       50.000, StdDeviation   =       10.000]\n'
	} >"$WORK/hgrm/cross-core-pipe-latency-64-rtt-run$run.hgrm"
done
"$PLOT" --hgrm "$WORK/hgrm" --keep-data "$WORK/ldata" "$WORK/load.csv" "$WORK/l" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
ok $rc "scripts/plot --hgrm on open-loop rows exits 0"
[ $rc -eq 0 ] || diag "$WORK/stderr"
for f in load-latency-cross-core load-throughput-cross-core percentiles-cross-core; do
	is_png "$WORK/l/$f.png" && is_svg "$WORK/l/$f.svg"
	ok $? "$f: PNG and SVG"
done
[ "$(grep -c '^pipe,1,cross-core,latency,64,' "$WORK/ldata/load.csv")" -eq 3 ] &&
	grep -q '^pipe,1,cross-core,latency,64,2000,20000,40000,80000$' "$WORK/ldata/load.csv" &&
	grep -q '^pipe,1,cross-core,throughput,64,4000,20000,36000,NaN$' "$WORK/ldata/load.csv"
ok $? "the load figures' data: one point per rate, p50 p99 p99.9 of requests and of the stream"
! grep -q '^shm,' "$WORK/ldata/load.csv" && grep -qx 'shm,cross-core,latency' "$WORK/ldata/load-absent.csv" &&
	grep -q 'rate held here' "$WORK/l/load-latency-cross-core.svg" && grep -q '>shm<' "$WORK/l/load-latency-cross-core.svg"
ok $? "a mechanism swept with no step kept is not drawn, and the figure names it"
missing=
for tic in '>1k<' '>2k<' '>5k<' '>20 µs<' '>50 µs<'; do
	grep -q "$tic" "$WORK/l/load-latency-cross-core.svg" || missing+=" $tic"
done
[ -z "$missing" ]
ok $? "the load figure labels its axes at 1, 2 and 5 of each decade (1k 2k 5k; 20 us 50 us)${missing:+; missing:$missing}"
# A file of rate sweeps alone (what `ipcbench --rate-sweep --csv` writes): no closed-loop pair
# gives its mechanisms their colours, yet each curve has one of its own (colour 0 is none:
# gnuplot drew every such curve black and dotted).
{
	grep -v ',block,2,\|,1:1,,,,' "$WORK/load.csv"
	for r in 1000 2000 4000; do
		echo "fifo,latency,64,1,500,rtt,$((r * 12)),$((r * 15)),$((r * 20)),$((r * 40)),900,$((r * 50)),$r.0,,cross-core,block,1,1,1:1,$r.0,$r.0,0,fixture,cpu,2026-11-22T00:00:00Z"
	done
} >"$WORK/sweeps.csv"
"$PLOT" --keep-data "$WORK/sdata" "$WORK/sweeps.csv" "$WORK/s" >"$WORK/stdout" 2>"$WORK/stderr" &&
	awk -F, 'NR > 1 { if ($2 + 0 < 1) bad++; c[$1] = $2 }
		END { exit bad > 0 || !("pipe" in c) || !("fifo" in c) || c["pipe"] == c["fifo"] }' \
		"$WORK/sdata/load.csv"
ok $? "a file of rate sweeps alone: each mechanism's curve in a colour of its own ($(awk -F, 'NR > 1 && !s[$1]++ { printf "%s %s; ", $1, $2 }' "$WORK/sdata/load.csv"))"
grep -q 'each point the median of its rounds' "$WORK/s/load-latency-cross-core.svg"
ok $? "and its load figures carry the footer every figure has (the machine, what a point is)"
! grep -q 123456789 "$WORK/ldata/summary.csv" && grep -q '50000' "$WORK/ldata/summary.csv"
ok $? "rows of two pairs are in no figure; the closed loop of one pair is"
grep -q 'every run' "$WORK/l/percentiles-cross-core.svg" &&
	[ "$(grep -c 'points=\|<path' "$WORK/l/percentiles-cross-core.svg")" -ge 2 ]
ok $? "the percentile figure draws the .hgrm distributions (every run's)"
grep -q "each curve one run's whole distribution, as its .hgrm file holds it: 2 runs" "$WORK/l/percentiles-cross-core.svg" &&
	! grep -q 'median of its rounds' "$WORK/l/percentiles-cross-core.svg"
ok $? "and its footer says each curve is one run, not a median of rounds"

# ---- a bar whose rounds fell into two modes says so (the tables give each mode) ----
{
	echo "transport,mode,size_bytes,run,round,latency_kind,placement,wait,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,bytes_per_s,ctx_switches_per_msg,host,cpu_model"
	for r in 1 2 3 4 5 6 7 8; do
		# pipe: 5 rounds near 30 us, 3 near 3 us; tcp: one mode near 50 us
		for v in "pipe $((r <= 5 ? 30000 + r * 100 : 3000 + r * 10))" "tcp $((50000 + r * 100))"; do
			set -- $v
			echo "$1,latency,64,$r,$r,rtt,cross-core,block,$(($2 / 2)),$2,$(($2 * 2)),$(($2 * 3)),$(($2 * 4)),$(($2 * 5)),,2.0,fixture,cpu"
		done
	done
} >"$WORK/modes.csv"
"$PLOT" --keep-data "$WORK/mdata" "$WORK/modes.csv" "$WORK/m" >"$WORK/stdout" 2>"$WORK/stderr"
ok $? "scripts/plot on rounds in two modes exits 0"
grep -q '^pipe,.*,2$' "$WORK/mdata/summary.csv" && grep -q '^tcp,.*,1$' "$WORK/mdata/summary.csv" &&
	[ "$(grep -c 'rounds in 2 modes' "$WORK/m/bars-cross-core.svg")" -eq 1 ]
ok $? "the figure data counts each bar's modes, and the one bar of two modes says so ($(grep -o '[0-9.]* [µmn]*s (rounds in [0-9] modes)' "$WORK/m/bars-cross-core.svg" | head -1))"

# ---- no OUTDIR: figures/ beside the CSV, the committed figures in plots/ untouched ----
sums() { (cd "$ROOT/plots" && ls -l --time-style=+%s.%N ./*.png 2>/dev/null | md5sum); }
before=$(sums)
mkdir -p "$WORK/own"
cp "$FIXTURE" "$WORK/own/run.csv"
"$PLOT" "$WORK/own/run.csv" >"$WORK/stdout" 2>"$WORK/stderr"
st=$?
[ $st -eq 0 ] && is_png "$WORK/own/figures/latency-cross-core.png" &&
	grep -q "in $WORK/own/figures" "$WORK/stdout"
ok $? "with no OUTDIR the figures go to figures/ in the CSV's folder (exit $st)"
[ "$(sums)" = "$before" ]
ok $? "and plots/ (the reference run's figures) is left as it was"

# ---- every point and bar in its own row's class ----
# "shm" polls in its 64 B round trip (0.01 switches a message) and sleeps in its 1 MiB stream
# (1.5); "pipe" sleeps in both; "wobbly" polled in two rounds and slept in three.
{
	echo "transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,sender_cpu_ns_per_msg,receiver_cpu_ns_per_msg,host,cpu_model,messages,min_ns,p90_ns,p99_ns,p999_ns,max_ns"
	for r in 1 2 3 4 5; do
		echo "shm,latency,64,$r,$r,rtt,cross-core,hybrid,$((300 + r)),,0.01,300,300,fixture,cpu,10000,100,400000,500000,600000,700000"
		echo "shm,latency,1048576,$r,$r,rtt,cross-core,hybrid,$((90000 + r)),,2.0,300,300,fixture,cpu,10000,100,400000,500000,600000,700000"
		echo "shm,throughput,1048576,$r,$r,,cross-core,hybrid,,$((9000000000 + r)),1.5,300,300,fixture,cpu,10000,,,,,"
		echo "pipe,latency,64,$r,$r,rtt,cross-core,block,$((30000 + r)),,2.0,9000,9000,fixture,cpu,10000,100,400000,500000,600000,700000"
		echo "pipe,latency,1048576,$r,$r,rtt,cross-core,block,$((400000 + r)),,2.0,9000,9000,fixture,cpu,10000,100,400000,500000,600000,700000"
		echo "pipe,throughput,1048576,$r,$r,,cross-core,block,,$((1000000000 + r)),1.5,9000,9000,fixture,cpu,10000,,,,,"
		echo "wobbly,latency,64,$r,$r,rtt,cross-core,block,$((25000 + r)),,$([ $r -le 2 ] && echo 0.2 || echo 0.9),9000,9000,fixture,cpu,10000,100,400000,500000,600000,700000"
	done
} >"$WORK/cls.csv"
"$PLOT" --keep-data "$WORK/cdata" "$WORK/cls.csv" "$WORK/c" >"$WORK/stdout" 2>"$WORK/stderr"
ok $? "scripts/plot on rows of several classes exits 0"
grep -q '^lat,[0-9]*,shm,\[polls\]_shm,mechanism,[0-9]*,cross-core,polls,' "$WORK/cdata/bars.csv" &&
	grep -q '^thr,[0-9]*,shm,\[sleeps\]_shm,mechanism,[0-9]*,cross-core,sleeps,' "$WORK/cdata/bars.csv" &&
	grep -q '^lat,[0-9]*,wobbly,\[unclear\]_wobbly,mechanism,[0-9]*,cross-core,unclear,' "$WORK/cdata/bars.csv"
ok $? "each bar in its own row's class: shm polls in its round trip and sleeps in its stream; wobbly is unclear"
grep -q 'readers that poll (1)' "$WORK/c/latency-cross-core.svg" &&
	grep -q 'readers that sleep (2)' "$WORK/c/latency-cross-core.svg" &&
	grep -q 'readers whose rounds polled and slept (class unclear) (1)' "$WORK/c/latency-cross-core.svg"
ok $? "the latency figure has a panel per class: shm's 64 B point polls, its 1 MiB point sleeps, wobbly is unclear"
grep -q 'readers that sleep (2)' "$WORK/c/throughput-cross-core.svg" &&
	! grep -q 'readers that poll\|class unclear' "$WORK/c/throughput-cross-core.svg" &&
	grep -q 'no reader polls here' "$WORK/c/throughput-cross-core.svg"
ok $? "a class no row is in gets no panel: both streams sleep, so the throughput figure has one panel and says no reader polls"

# --trends: the history's index refused where it is not one, with nothing drawn.
"$PLOT" --trends "$WORK/none.tsv" >/dev/null 2>"$WORK/tr.err"
st=$?
[ $st -eq 1 ] && grep -q 'not a readable file' "$WORK/tr.err"
ok $? "--trends of a file that is not there: exit 1, saying so ($st)"
printf 'x\ty\n' >"$WORK/bad-index.tsv"
"$PLOT" --trends "$WORK/bad-index.tsv" >/dev/null 2>"$WORK/tr.err"
st=$?
[ $st -eq 1 ] && grep -q "'x': not an index line" "$WORK/tr.err" && ! ls "$WORK"/x.svg >/dev/null 2>&1
ok $? "--trends of a file that is no index: exit 1, naming the line ($st)"
"$PLOT" --trends "$WORK/bad-index.tsv" "$FIXTURE" >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "--trends with a CSV too: a usage error"

done_testing
