#!/bin/bash
# SPDX-License-Identifier: MIT
#
# java_check.sh HDRLOG_TOOL - TAP test: Java HdrHistogram reads the interval logs we write.
#
# hdrlog_tool writes a log of fixed data (several tags, one tag over two intervals, an untagged
# row, huge counts, values up to seconds, a tag that needs sanitizing) and prints its own
# numbers. Java's HistogramLogProcessor then decodes the log, and for every tag we check:
#   - its total count, p50/p90/p99/p99.9/p99.99 and max (from -csv, -outputValueUnitRatio 1)
#     equal ipcb_hist_value_at_percentile()'s and ipcb_hist_max()'s: the numbers ipcbench
#     prints are the numbers the standard tools read from its logs; any wrong byte in the
#     encoding moves a count and shows up here;
#   - its whole .hgrm percentile distribution equals ours (ipcb_hgrm_write), line for line.
# Needs java and the HdrHistogram jar (Debian: default-jre-headless, libhdrhistogram-java);
# without them it prints a "1..0 # SKIP" plan. IPCB_HDRHISTOGRAM_JAR and JAVA override
# where they are looked for.
set -u

tool=${1:?usage: java_check.sh HDRLOG_TOOL}
java=${JAVA:-java}
jar=${IPCB_HDRHISTOGRAM_JAR:-}
if [ -z "$jar" ]; then
	for c in /usr/share/java/hdrhistogram.jar /usr/share/java/HdrHistogram.jar \
		/usr/share/java/hdrhistogram-*.jar; do
		if [ -r "$c" ]; then
			jar=$c
			break
		fi
	done
fi
if ! command -v "$java" >/dev/null 2>&1 || [ -z "$jar" ] || [ ! -r "$jar" ]; then
	echo "1..0 # SKIP java or the HdrHistogram jar (libhdrhistogram-java) not found"
	exit 0 # meson reads a "1..0 # SKIP" plan as a skip; exit 77 would be an error under TAP
fi
if ! "$java" -cp "$jar" org.HdrHistogram.HistogramLogProcessor -listtags </dev/null \
	>/dev/null 2>&1; then
	echo "1..0 # SKIP $java cannot run org.HdrHistogram.HistogramLogProcessor from $jar"
	exit 0 # meson reads a "1..0 # SKIP" plan as a skip; exit 77 would be an error under TAP
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hdrlog_java.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/../tap.sh"
processor() { # processor ARGS...: HistogramLogProcessor on our log
	"$java" -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$tmp/run.hlog" "$@"
}
# the last interval line of a -csv output file (its Total_* columns cover every interval)
last_csv_row() {
	grep -v -e '^#' -e '^"' "$1" | tail -n 1
}

"$tool" write "$tmp/run.hlog" >"$tmp/ours.txt" 2>"$tmp/err.txt"
ok $? "hdrlog_tool wrote the log"
diag <"$tmp/err.txt"
[ -s "$tmp/ours.txt" ] || { echo "1..$n"; exit 1; }

# Every tag, sanitized as logged, and the untagged rows.
processor -listtags 2>&1 | grep -v '^Tags found' | sort >"$tmp/java_tags.txt"
"$tool" tags | sed 's/^-$/[NO TAG (default)]/' | sort >"$tmp/our_tags.txt"
cmp -s "$tmp/java_tags.txt" "$tmp/our_tags.txt"
ok $? "Java lists the tags we wrote: $(tr '\n' ' ' <"$tmp/java_tags.txt")"

names=(p50 p90 p99 p99.9 p99.99)
while read -r tag count o50 o90 o99 o999 o9999 max; do
	tagargs=()
	[ "$tag" != "-" ] && tagargs=(-tag "$tag")
	rm -f "$tmp/csv" "$tmp/csv.hgrm"
	processor "${tagargs[@]}" -csv -outputValueUnitRatio 1 -o "$tmp/csv" 2>"$tmp/err.txt"
	[ ! -s "$tmp/err.txt" ]
	ok $? "$tag: Java read the log without complaint"
	diag <"$tmp/err.txt"
	IFS=, read -r _ _ _ _ _ tcount t50 t90 t99 t999 t9999 tmax < <(last_csv_row "$tmp/csv")
	ok "$([ "${tcount:-}" = "$count" ]; echo $?)" "$tag: total count Java ${tcount:-?} = ours $count"
	java_p=("${t50:-?}" "${t90:-?}" "${t99:-?}" "${t999:-?}" "${t9999:-?}")
	ours=("$o50" "$o90" "$o99" "$o999" "$o9999")
	for i in 0 1 2 3 4; do
		[ "${java_p[$i]}" = "${ours[$i]}" ]
		ok $? "$tag: ${names[$i]} Java ${java_p[$i]} = ours ${ours[$i]}"
	done
	ok "$([ "${tmax:-}" = "$max" ]; echo $?)" "$tag: max Java ${tmax:-?} = ours $max"
done <"$tmp/ours.txt"

# Whole percentile distributions: Java's .hgrm (minus its two comment lines about the time
# range) against ours, at the nanosecond scale and at the ones people read.
hgrm_check() { # hgrm_check TAG RATIO
	local tagargs=() ratioargs=()
	[ "$1" != "-" ] && tagargs=(-tag "$1")
	# 1e6 is the processor's default ratio: leave the option out to check that too
	[ "$2" != "1000000" ] && ratioargs=(-outputValueUnitRatio "$2")
	rm -f "$tmp/h" "$tmp/h.hgrm"
	processor "${tagargs[@]}" "${ratioargs[@]}" -o "$tmp/h" 2>"$tmp/err.txt"
	grep -v -e '^#\[Overall percentile distribution' -e '^#\[StartTime:' "$tmp/h.hgrm" \
		>"$tmp/java.hgrm" 2>/dev/null
	"$tool" hgrm "$1" "$2" >"$tmp/ours.hgrm"
	[ -s "$tmp/ours.hgrm" ] && diff -u "$tmp/java.hgrm" "$tmp/ours.hgrm" >"$tmp/diff.txt"
	ok $? "$1: .hgrm with ratio $2 equals Java's ($(wc -l <"$tmp/ours.hgrm") lines)"
	head -n 40 "$tmp/diff.txt" | diag
	diag <"$tmp/err.txt"
}
while read -r tag _; do
	hgrm_check "$tag" 1
done <"$tmp/ours.txt"
hgrm_check shm/latency/1M/rtt/run1 1000
hgrm_check pipe/latency/64/one_way_ab/run1 1000000

done_testing
