#!/bin/bash
# compare.sh - `ipcbench compare` end to end (TAP) on synthetic CSVs written here: clear
# regression (exit 1), same distribution and improvement (0), too noisy, too few repeats and
# missing groups (3), a latency metric (lower is better), the output formats, and malformed input
# (exit 2 with a message naming the file, line and column). The header comes from a tiny real run,
# so the synthetic files always have the binary's current columns.
#
# Usage: compare.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: compare.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir compare

# Until bench/main.c dispatches `compare`, there is nothing to test: skip the whole plan.
if ! "$BIN" compare --help >/dev/null 2>&1; then
	echo "1..0 # SKIP $BIN has no 'compare' subcommand (bench/main.c does not dispatch it)"
	exit 0
fi

# ---- the real header ----
"$BIN" -q -t pipe -s 64 -m throughput -n 50 -d 0 -w 5 --csv "$WORK/real.csv" >/dev/null 2>"$WORK/err"
ok $? "a tiny real run writes a CSV"
header=$(head -1 "$WORK/real.csv")
IFS=, read -r -a COLS <<<"$header"
[ "${#COLS[@]}" -gt 10 ]
ok $? "its header has the columns (${#COLS[@]})"

# mkrow NAME=VALUE...: one CSV row with the header's columns in order, unnamed columns empty.
mkrow() {
	local -A v=()
	local kv out='' sep='' c
	for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
	for c in "${COLS[@]}"; do
		out+="$sep${v[$c]:-}"
		sep=,
	done
	printf '%s\n' "$out"
}

# Every row names the host with a comma and a doubled quote, as a real host/cpu_model may be:
# the reader must take it as one field.
HOST='"build box, rack ""7"""'
CPU='"AMD EPYC 7B13, 64-Core"'

# rows FILE TRANSPORT SIZE SCALE VALUES...: throughput rows with bytes_per_s = value * scale,
# each with a latency-kind row beside it (no bytes_per_s: must be left out silently).
rows() {
	local file=$1 t=$2 size=$3 scale=$4 v run=0
	shift 4
	for v in "$@"; do
		run=$((run + 1))
		mkrow transport="$t" mode=throughput size_bytes="$size" run="$run" messages=1000 \
			bytes_per_s="$(awk -v v="$v" -v s="$scale" 'BEGIN { printf "%.1f", v * s }')" \
			msgs_per_s=1000.0 sender_cpu=0 receiver_cpu=1 placement=cross-core wait=block \
			host="$HOST" cpu_model="$CPU" >>"$file"
		mkrow transport="$t" mode=throughput size_bytes="$size" run="$run" messages=100 \
			latency_kind=one_way p50_ns=5000 p99_ns=9000 sender_cpu=0 receiver_cpu=1 \
			placement=cross-core wait=block host="$HOST" cpu_model="$CPU" >>"$file"
	done
}

newcsv() { printf '%s\n' "$header" >"$1"; }

# Ten repeats at about 1 % spread, and ten more from the same distribution.
QUIET_A=(1000 1010 990 1005 995 1002 998 1008 992 1001)
QUIET_B=(1003 997 1006 994 1000 1009 991 1004 996 999)
# Ten repeats at about 25 % spread.
NOISY=(1000 1300 700 1250 750 1200 800 1100 900 1000)

# compare_run NAME EXPECTED-STATUS [compare options] BASE NEW: run, record output and status.
compare_run() {
	local name=$1 want=$2 got
	shift 2
	"$BIN" compare "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	got=$?
	[ "$got" -eq "$want" ]
	ok $? "$name: exit $want (got $got)"
	[ "$got" -eq "$want" ] || diag "$WORK/$name.out" "$WORK/$name.err"
}

# ---- verdicts ----
newcsv "$WORK/base.csv"
rows "$WORK/base.csv" pipe 65536 1 "${QUIET_A[@]}"
rows "$WORK/base.csv" shm 65536 1 "${QUIET_A[@]}"

newcsv "$WORK/same.csv"
rows "$WORK/same.csv" pipe 65536 1 "${QUIET_B[@]}"
rows "$WORK/same.csv" shm 65536 1 "${QUIET_B[@]}"
compare_run same 0 "$WORK/base.csv" "$WORK/same.csv"
grep -qE "^pipe .* ok" "$WORK/same.out" && grep -qE "^shm .* ok" "$WORK/same.out"
ok $? "same distribution: verdict ok"
grep -q "^2 groups compared" "$WORK/same.out"
ok $? "the summary says 2 groups compared (latency rows without bytes_per_s left out)"
grep -q "over 2 groups = 0.005 each" "$WORK/same.out"
ok $? "alpha 0.01 is split over the 2 groups (Bonferroni)"

newcsv "$WORK/slow.csv"
rows "$WORK/slow.csv" pipe 65536 0.85 "${QUIET_B[@]}"
rows "$WORK/slow.csv" shm 65536 1 "${QUIET_B[@]}"
compare_run regression 1 "$WORK/base.csv" "$WORK/slow.csv"
grep -qE "^pipe .*-15\.[0-9]%.* regressed" "$WORK/regression.out"
ok $? "a 15 % drop in pipe is regressed with the change shown"
grep -qE "^shm .* ok" "$WORK/regression.out"
ok $? "shm, unchanged, stays ok"

newcsv "$WORK/small.csv"
rows "$WORK/small.csv" pipe 65536 0.97 "${QUIET_B[@]}"
rows "$WORK/small.csv" shm 65536 1 "${QUIET_B[@]}"
compare_run below-threshold 0 "$WORK/base.csv" "$WORK/small.csv"
grep -qE "^pipe .* ok .*within the threshold" "$WORK/below-threshold.out"
ok $? "a significant 3 % drop is ok (below the 5 % threshold), and says so"
compare_run lower-threshold 1 --threshold 2% "$WORK/base.csv" "$WORK/small.csv"

newcsv "$WORK/fast.csv"
rows "$WORK/fast.csv" pipe 65536 1.2 "${QUIET_B[@]}"
rows "$WORK/fast.csv" shm 65536 1 "${QUIET_B[@]}"
compare_run improvement 0 "$WORK/base.csv" "$WORK/fast.csv"
grep -qE "^pipe .* improved" "$WORK/improvement.out"
ok $? "a 20 % gain is improved"

newcsv "$WORK/noisy.csv"
rows "$WORK/noisy.csv" pipe 65536 0.85 "${NOISY[@]}"
rows "$WORK/noisy.csv" shm 65536 1 "${QUIET_B[@]}"
compare_run noisy 3 "$WORK/base.csv" "$WORK/noisy.csv"
grep -qE "^pipe .* inconclusive +too noisy.*needs ~[0-9]+ repeats per side" "$WORK/noisy.out"
ok $? "a 25 % spread is inconclusive and says how many repeats would do"

newcsv "$WORK/few-base.csv"
rows "$WORK/few-base.csv" pipe 65536 1 1000 1010 990
newcsv "$WORK/few-new.csv"
rows "$WORK/few-new.csv" pipe 65536 0.5 1000 1010 990
compare_run few 3 "$WORK/few-base.csv" "$WORK/few-new.csv"
grep -qE "inconclusive +too few repeats.*smallest p is 0.05.*needs [0-9]+ per side" "$WORK/few.out"
ok $? "3 repeats a side cannot reach alpha even at -50 %: inconclusive, repeats needed"

newcsv "$WORK/missing.csv"
rows "$WORK/missing.csv" pipe 65536 1 "${QUIET_B[@]}"
rows "$WORK/missing.csv" tcp 65536 1 "${QUIET_B[@]}"
compare_run missing 3 "$WORK/base.csv" "$WORK/missing.csv"
grep -qE "^shm .* missing +only in BASE" "$WORK/missing.out" &&
	grep -qE "^tcp .* missing +only in NEW" "$WORK/missing.out"
ok $? "groups on one side only are missing, each saying which side has it"
grep -q "^1 group compared.*2 missing" "$WORK/missing.out"
ok $? "missing groups are not counted as compared"
compare_run missing-and-regressed 1 "$WORK/missing.csv" "$WORK/slow.csv"

# Latency: lower is better, so a higher p50 is the regression.
newcsv "$WORK/lat-base.csv"
newcsv "$WORK/lat-new.csv"
for i in 0 1 2 3 4 5 6 7 8 9; do
	mkrow transport=shm mode=latency size_bytes=64 run=$((i + 1)) latency_kind=rtt \
		p50_ns=$((300 + i % 5)) p99_ns=900 msgs_per_s=1000000.0 sender_cpu=0 \
		receiver_cpu=1 placement=cross-core wait=spin >>"$WORK/lat-base.csv"
	mkrow transport=shm mode=latency size_bytes=64 run=$((i + 1)) latency_kind=rtt \
		p50_ns=$((360 + i % 5)) p99_ns=900 msgs_per_s=1000000.0 sender_cpu=0 \
		receiver_cpu=1 placement=cross-core wait=spin >>"$WORK/lat-new.csv"
done
compare_run latency 1 --metric p50_ns "$WORK/lat-base.csv" "$WORK/lat-new.csv"
grep -qE "lower is better" "$WORK/latency.out" && grep -qE "^shm .*rtt.* regressed" "$WORK/latency.out"
ok $? "--metric p50_ns: a higher p50 is regressed"
compare_run latency-reversed 0 --metric p50_ns "$WORK/lat-new.csv" "$WORK/lat-base.csv"
grep -qE "^shm .* improved" "$WORK/latency-reversed.out"
ok $? "--metric p50_ns: a lower p50 is improved"
compare_run latency-bytes 2 "$WORK/lat-base.csv" "$WORK/lat-new.csv"
grep -q "nothing to compare" "$WORK/latency-bytes.err"
ok $? "no bytes_per_s anywhere: usage error saying there is nothing to compare"

# ---- formats ----
compare_run md 1 --format md "$WORK/base.csv" "$WORK/slow.csv"
grep -q "^| transport | mode |" "$WORK/md.out" && grep -q "^|:---|" "$WORK/md.out" &&
	grep -qE "^\| pipe .*\| regressed \|" "$WORK/md.out"
ok $? "--format md prints a Markdown table"
compare_run csv 1 --format=csv "$WORK/base.csv" "$WORK/slow.csv"
head -1 "$WORK/csv.out" | grep -q "^transport,mode,latency_kind,size_bytes,.*,verdict,"
ok $? "--format csv prints a header"
[ "$(grep -c ',regressed,' "$WORK/csv.out")" -eq 1 ] && [ "$(wc -l <"$WORK/csv.out")" -eq 3 ]
ok $? "--format csv: one row per group, the pipe one regressed"
grep -q "2 groups compared" "$WORK/csv.err"
ok $? "--format csv: the summary goes to stderr"

# CRLF line endings are RFC 4180's own.
sed 's/$/\r/' "$WORK/slow.csv" >"$WORK/crlf.csv"
compare_run crlf 1 "$WORK/base.csv" "$WORK/crlf.csv"

# The real run's single row against itself: too few repeats, never a failure.
compare_run real-one-row 3 "$WORK/real.csv" "$WORK/real.csv"

# ---- malformed input: exit 2, naming file, line and column ----
# expect_error NAME PATTERN FILE: compare base.csv against FILE, expect exit 2 and PATTERN on stderr.
expect_error() {
	local name=$1 pattern=$2 file=$3
	compare_run "$name" 2 "$WORK/base.csv" "$file"
	grep -qE -- "$pattern" "$WORK/$name.err"
	ok $? "$name: the message says: $pattern"
	grep -qE -- "$pattern" "$WORK/$name.err" || diag "$WORK/$name.err"
}

cp "$WORK/slow.csv" "$WORK/badnum.csv"
# Even lines are throughput rows (msgs_per_s 1000.0, then bytes_per_s), odd ones latency rows.
sed -i '16s/,1000\.0,[0-9.]*,0,1,/,1000.0,12x4,0,1,/' "$WORK/badnum.csv"
sed -n 16p "$WORK/badnum.csv" | grep -q ',12x4,'
ok $? "(set-up: line 16 has a bad bytes_per_s)"
expect_error bad-number "^ipcbench compare: .*/badnum\.csv:16: column bytes_per_s: '12x4' is not a number$" \
	"$WORK/badnum.csv"

waitcol=0
for i in "${!COLS[@]}"; do [ "${COLS[$i]}" = wait ] && waitcol=$((i + 1)); done
cut -d, -f"1-$((waitcol - 1)),$((waitcol + 1))-" "$WORK/slow.csv" >"$WORK/nowait.csv"
expect_error missing-column "nowait\.csv:1: missing required column 'wait'" "$WORK/nowait.csv"

: >"$WORK/empty.csv"
expect_error empty-file "empty\.csv:1: empty file" "$WORK/empty.csv"

newcsv "$WORK/header-only.csv"
expect_error header-only "header-only\.csv:2: no data rows" "$WORK/header-only.csv"

cp "$WORK/slow.csv" "$WORK/fields.csv"
sed -i '5s/$/,extra/' "$WORK/fields.csv"
expect_error field-count "fields\.csv:5: $((${#COLS[@]} + 1)) fields, but the header has ${#COLS[@]}" \
	"$WORK/fields.csv"

cp "$WORK/slow.csv" "$WORK/unterminated.csv"
mkrow transport=pipe mode=throughput size_bytes=65536 bytes_per_s=1000.0 sender_cpu=0 \
	receiver_cpu=1 placement=cross-core wait=block host='"never closed, a' \
	>>"$WORK/unterminated.csv"
uline=$(wc -l <"$WORK/unterminated.csv")
hostcol=0
for i in "${!COLS[@]}"; do [ "${COLS[$i]}" = host ] && hostcol=$((i + 1)); done
expect_error unterminated-quote \
	"unterminated\.csv:$uline:[0-9]+: column $hostcol \(host\): unterminated quoted field" \
	"$WORK/unterminated.csv"

cp "$WORK/slow.csv" "$WORK/strayquote.csv"
sed -i '8s/,cross-core,/,cross"core,/' "$WORK/strayquote.csv"
expect_error stray-quote "strayquote\.csv:8:[0-9]+: column [0-9]+ \(placement\): '\"' inside an unquoted field" \
	"$WORK/strayquote.csv"

cp "$WORK/slow.csv" "$WORK/afterquote.csv"
sed -i '3s/"AMD EPYC 7B13, 64-Core"/"AMD EPYC"x/' "$WORK/afterquote.csv"
expect_error after-quote "afterquote\.csv:3:[0-9]+: column [0-9]+ \(cpu_model\): 'x' after the closing quote" \
	"$WORK/afterquote.csv"

cp "$WORK/slow.csv" "$WORK/negative.csv"
sed -i '6s/,1000\.0,[0-9.]*,0,1,/,1000.0,-5.0,0,1,/' "$WORK/negative.csv"
expect_error negative "negative\.csv:6: column bytes_per_s: '-5\.0' is negative" "$WORK/negative.csv"

cp "$WORK/slow.csv" "$WORK/badsize.csv"
sed -i '10s/^pipe,throughput,65536,/pipe,throughput,64K,/' "$WORK/badsize.csv"
expect_error bad-size "badsize\.csv:10: column size_bytes: '64K' is not a number" "$WORK/badsize.csv"

# A line longer than the reader's 64 KiB limit is refused by line, and memory stays bounded.
cp "$WORK/slow.csv" "$WORK/long.csv"
{
	printf 'pipe,throughput,65536,1,"'
	head -c 100000 /dev/zero | tr '\0' a
	printf '"\n'
} >>"$WORK/long.csv"
lline=$(wc -l <"$WORK/long.csv")
expect_error long-line "long\.csv:$lline: record longer than 65536 bytes" "$WORK/long.csv"

printf 'a,b\0c\n' >"$WORK/nul.csv"
expect_error nul-byte "nul\.csv:1:4: column 2: NUL byte" "$WORK/nul.csv"

expect_error no-such-file "nonexistent\.csv: No such file or directory" "$WORK/nonexistent.csv"

# ---- usage ----
"$BIN" compare --help >"$WORK/help.out" 2>&1
ok $? "compare --help exits 0"
grep -q -- "--metric" "$WORK/help.out" && grep -q -- "--max-spread" "$WORK/help.out" &&
	grep -q "Exit status" "$WORK/help.out"
ok $? "compare --help documents the options and the exit status"
compare_run one-file 2 "$WORK/base.csv"
grep -q "expected two files" "$WORK/one-file.err"
ok $? "one file: usage error saying two are expected"
compare_run bad-option 2 --frobnicate "$WORK/base.csv" "$WORK/slow.csv"
compare_run bad-metric 2 --metric latency "$WORK/base.csv" "$WORK/slow.csv"
compare_run ambiguous-threshold 2 --threshold 5 "$WORK/base.csv" "$WORK/slow.csv"
grep -q "ambiguous: write 5%" "$WORK/ambiguous-threshold.err"
ok $? "--threshold 5 is refused as ambiguous (5% or 0.05)"
compare_run bad-format 2 --format html "$WORK/base.csv" "$WORK/slow.csv"

done_testing
