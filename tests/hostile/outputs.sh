#!/bin/bash
# outputs.sh - nothing of the user's touched, nothing measured lost (TAP).
#
# Standard streams: started with stdout or stderr closed, the table and progress lines do not
# end up in the CSV; a full stdout (>/dev/full) is an error, exit 1, for a sweep, --list,
# --help, --version, --cleanup, compare and report alike.
# Links and other users' directories: --csv, --hdr-log and report -o refuse a symbolic link;
# --hgrm refuses a directory of another user or one every user may write to, and never writes
# through a link planted in it.
# Existing files: one file named for two outputs is a usage error that leaves it as it was; a
# usage error leaves an existing HDR log alone; report -o over its own CSV is refused; --hgrm
# does not overwrite an earlier run's files; a sweep that logs nothing leaves an earlier HDR log.
# Appends: a CSV whose last line is torn gets it cut off (with a warning), not a row glued to
# it; two runs creating one new CSV at once write one header; a CSV another process holds
# locked for long loses the row with a message, exit 1; a file system that fills leaves every
# output parseable (whole CSV rows, whole HDR log lines, no empty or cut-off .hgrm file).
#
# Usage: outputs.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

Q=(-q -t null -s 64 -m latency -n 20 -d 0 -w 2)
sum() { sha256sum <"$1"; }
# Every line of a CSV has the header's number of fields, and the file ends with a newline.
csv_whole() {
	[ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
		awk -F, 'NR == 1 { nf = NF; if ($1 != "transport") bad = 1 } NF != nf { bad = 1 }
			END { exit bad }' "$1"
}

# ---- 1. closed and failing standard streams ----
"$BIN" "${Q[@]}" --csv "$WORK/closed-out.csv" >&- 2>"$WORK/closed-out.err"
st=$?
if [ $st -eq 0 ] && csv_whole "$WORK/closed-out.csv" && [ "$(csv_rows "$WORK/closed-out.csv")" -eq 1 ]; then
	ok 0 "stdout closed (>&-): exit 0, the CSV holds its header and row only, no table"
else
	ok 1 "stdout closed (>&-): exit 0 (got $st), the CSV holds its header and row only, no table"
	diag "$WORK/closed-out.err"
	head -3 "$WORK/closed-out.csv" | cut -c1-100 | diag
fi
"$BIN" -t null -s 64 -m latency -n 20 -d 0 -w 2 --csv "$WORK/closed-err.csv" >/dev/null 2>&-
st=$?
[ $st -eq 0 ] && csv_whole "$WORK/closed-err.csv" && [ "$(csv_rows "$WORK/closed-err.csv")" -eq 1 ]
ok $? "stderr closed (2>&-): exit 0 (got $st), no progress line in the CSV"
"$BIN" "${Q[@]}" --csv "$WORK/closed-both.csv" >&- 2>&- </dev/null
[ $? -eq 0 ] && csv_whole "$WORK/closed-both.csv"
ok $? "stdout and stderr closed: the CSV is whole"

"$BIN" "${Q[@]}" -t null,pipe --csv "$WORK/full.csv" >/dev/full 2>"$WORK/full.err"
st=$?
[ $st -eq 1 ] && grep -q "write error on standard output: No space left on device" "$WORK/full.err" &&
	has_row "$WORK/full.csv" null && has_row "$WORK/full.csv" pipe
ok $? "a sweep whose table goes to /dev/full: exit 1 (got $st) saying so; the CSV still has its rows"
[ $st -eq 1 ] || diag "$WORK/full.err"
"$BIN" "${Q[@]}" --csv "$WORK/real.csv" >/dev/null 2>&1
mkdir -m 700 "$WORK/empty"
while IFS='|' read -r what args; do
	eval "set -- $args"
	"$BIN" "$@" >/dev/full 2>"$WORK/full.err"
	st=$?
	[ $st -eq 1 ] && grep -q "No space left on device" "$WORK/full.err"
	ok $? "$what with stdout on /dev/full: exit 1 (got $st), naming the error"
done <<EOF
--list|--list
--help|--help
--version|--version
--cleanup|--cleanup --dir $WORK/empty
compare|compare --metric p50_ns $WORK/real.csv $WORK/real.csv
report|report $WORK/real.csv
EOF

# ---- 2. links and other users' directories ----
echo "precious" >"$WORK/victim"
chmod 644 "$WORK/victim"
before=$(sum "$WORK/victim")
ln -s "$WORK/victim" "$WORK/link"
while IFS='|' read -r what args; do
	eval "set -- $args"
	"$BIN" "$@" >/dev/null 2>"$WORK/link.err"
	st=$?
	[ $st -ne 0 ] && grep -q "symbolic link" "$WORK/link.err" && [ "$(sum "$WORK/victim")" = "$before" ] &&
		[ -L "$WORK/link" ]
	ok $? "$what naming a symbolic link: refused (exit $st), the file it points to is untouched"
done <<EOF
--csv|${Q[*]} --csv $WORK/link
--hdr-log|${Q[*]} --hdr-log $WORK/link
report -o|report $WORK/real.csv -o $WORK/link
EOF

# Another user's directory, with a link planted where a .hgrm file goes.
mkdir -m 755 "$WORK/theirs"
tag=cross-core-null-latency-64-rtt-run1
ln -s "$WORK/victim" "$WORK/theirs/$tag.hgrm"
chown -h 65534:65534 "$WORK/theirs" "$WORK/theirs/$tag.hgrm"
"$BIN" "${Q[@]}" --hgrm "$WORK/theirs" >/dev/null 2>"$WORK/theirs.err"
st=$?
[ $st -eq 2 ] && grep -q -- "--hgrm $WORK/theirs: the directory belongs to another user" "$WORK/theirs.err" &&
	[ "$(sum "$WORK/victim")" = "$before" ]
ok $? "--hgrm in another user's directory: refused, exit 2 (got $st); the planted link is not followed"
[ $st -eq 2 ] || diag "$WORK/theirs.err"
mkdir -m 1777 "$WORK/everyones"
"$BIN" "${Q[@]}" --hgrm "$WORK/everyones" >/dev/null 2>"$WORK/everyones.err"
st=$?
[ $st -eq 2 ] && grep -q -- "--hgrm $WORK/everyones: every user may write to this directory" "$WORK/everyones.err" &&
	[ -z "$(ls -A "$WORK/everyones")" ]
ok $? "--hgrm in a directory every user may write to: refused, exit 2 (got $st), nothing written"
ln -s "$WORK/empty" "$WORK/dirlink"
"$BIN" "${Q[@]}" --hgrm "$WORK/dirlink" >/dev/null 2>"$WORK/dirlink.err"
[ $? -eq 2 ] && grep -q "symbolic link" "$WORK/dirlink.err" && [ -z "$(ls -A "$WORK/empty")" ]
ok $? "--hgrm naming a symbolic link to a directory: refused, exit 2"
"$BIN" "${Q[@]}" --hgrm "$WORK/fresh" >/dev/null 2>&1
[ $? -eq 0 ] && [ -f "$WORK/fresh/$tag.hgrm" ] && [ "$(ls -A "$WORK/fresh" | wc -l)" -eq 1 ]
ok $? "--hgrm creates a new directory and writes there, leaving no temporary file"

# ---- 3. existing files are not destroyed ----
cp "$WORK/real.csv" "$WORK/both.csv"
before=$(sum "$WORK/both.csv")
"$BIN" "${Q[@]}" --csv "$WORK/both.csv" --hdr-log "$WORK/./both.csv" >/dev/null 2>"$WORK/both.err"
st=$?
[ $st -eq 2 ] && grep -q "name the same file" "$WORK/both.err" && [ "$(sum "$WORK/both.csv")" = "$before" ]
ok $? "--csv F --hdr-log F: usage error, exit 2 (got $st); F keeps its rows"
[ $st -eq 2 ] || diag "$WORK/both.err"
"$BIN" "${Q[@]}" --csv "$WORK/new.csv" --hdr-log "$WORK/empty/../new.csv" >/dev/null 2>"$WORK/both.err"
[ $? -eq 2 ] && grep -q "name the same file" "$WORK/both.err" && [ ! -e "$WORK/new.csv" ]
ok $? "two spellings of one new file for two outputs: usage error, nothing created"

"$BIN" "${Q[@]}" --hdr-log "$WORK/h.hlog" >/dev/null 2>&1
before=$(sum "$WORK/h.hlog")
echo "some,other,header" >"$WORK/other.csv"
"$BIN" "${Q[@]}" --hdr-log "$WORK/h.hlog" --csv "$WORK/other.csv" >/dev/null 2>"$WORK/h.err"
st=$?
[ $st -eq 2 ] && [ -f "$WORK/h.hlog" ] && [ "$(sum "$WORK/h.hlog")" = "$before" ] &&
	[ "$(ls "$WORK" | grep -c '^h\.hlog')" -eq 1 ]
ok $? "a usage error (a CSV with another header) leaves an existing --hdr-log file as it was"
"$BIN" -q -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --inject crash --hdr-log "$WORK/h.hlog" \
	>/dev/null 2>"$WORK/h.err"
st=$?
[ $st -eq 1 ] && [ "$(sum "$WORK/h.hlog")" = "$before" ] && grep -q "no histogram was logged" "$WORK/h.err"
ok $? "a sweep that logs no histogram (every run failed) leaves an earlier HDR log as it was"
# A line no sweep writes marks the earlier log: the null transport's histograms, and so a log of
# them, can come out byte for byte the same twice, so the checksum cannot tell a replaced log.
echo "#[earlier log]" >>"$WORK/h.hlog"
before=$(sum "$WORK/h.hlog")
"$BIN" "${Q[@]}" --hdr-log "$WORK/h.hlog" >/dev/null 2>"$WORK/h2.err"
st=$?
[ $st -eq 0 ] && ! grep -q '^#\[earlier log\]' "$WORK/h.hlog" && grep -q '^Tag=cross-core/null/latency/64/rtt/run1,' "$WORK/h.hlog" &&
	[ "$(ls "$WORK" | grep -c '^h\.hlog')" -eq 1 ]
replaced=$?
ok $replaced "a sweep that logs replaces the earlier HDR log whole, and leaves no temporary file"
# What there is to go on when it fails.
[ $replaced -eq 0 ] || { echo "exit $st; sum before $before, after $(sum "$WORK/h.hlog"); files:"
	ls "$WORK"; grep '^Tag=' "$WORK/h.hlog" | head -3; cat "$WORK/h2.err"; } | diag

cp "$WORK/real.csv" "$WORK/measured.csv"
before=$(sum "$WORK/measured.csv")
for o in "$WORK/measured.csv" "$WORK/./measured.csv" "$WORK/empty/../measured.csv"; do
	"$BIN" report "$WORK/measured.csv" -o "$o" >/dev/null 2>"$WORK/report.err"
	st=$?
	[ $st -eq 2 ] && grep -q "names the CSV it reads" "$WORK/report.err" &&
		[ "$(sum "$WORK/measured.csv")" = "$before" ]
	ok $? "report measured.csv -o $o: refused, exit 2 (got $st); the CSV is kept"
done

"$BIN" "${Q[@]}" --hgrm "$WORK/hg" >/dev/null 2>&1
before=$(sum "$WORK/hg/$tag.hgrm")
"$BIN" "${Q[@]}" --hgrm "$WORK/hg" >/dev/null 2>"$WORK/hg.err"
st=$?
[ $st -eq 2 ] && grep -q "already holds .hgrm files" "$WORK/hg.err" && [ "$(sum "$WORK/hg/$tag.hgrm")" = "$before" ]
ok $? "--hgrm DIR holding an earlier run's files: refused before running, exit 2 (got $st); they are kept"

# ---- 4. appends ----
"$BIN" -q -t null,pipe -s 64,4K -n 20 -d 0 -w 2 --csv "$WORK/torn.csv" >/dev/null 2>&1
whole=$(csv_rows "$WORK/torn.csv")
size=$(wc -c <"$WORK/torn.csv")
truncate -s $((size - 40)) "$WORK/torn.csv"
"$BIN" "${Q[@]}" --csv "$WORK/torn.csv" >/dev/null 2>"$WORK/torn.err"
st=$?
[ $st -eq 0 ] && grep -q "warning: --csv $WORK/torn.csv: its last line was torn" "$WORK/torn.err" &&
	csv_whole "$WORK/torn.csv" && [ "$(csv_rows "$WORK/torn.csv")" -eq "$whole" ]
ok $? "a CSV with a torn last line: cut off with a warning, the new row appended whole ($whole rows)"
[ $st -eq 0 ] || diag "$WORK/torn.err"

# Two runs creating one new CSV at once. The first is held up (strace delays its first look at
# the file by a second) until the second has created it.
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
	strace -f -qq -o /dev/null -P "$WORK/race.csv" -e trace=openat,open \
		-e inject=openat:delay_exit=1000000:when=1 env "$NO_LSAN" "$BIN" "${Q[@]}" \
		--csv "$WORK/race.csv" >/dev/null 2>"$WORK/race1.err" &
	first=$!
	sleep 0.4
	"$BIN" "${Q[@]}" --csv "$WORK/race.csv" >/dev/null 2>"$WORK/race2.err"
	st2=$?
	wait $first
	st1=$?
	[ $st1 -eq 0 ] && [ $st2 -eq 0 ] && [ "$(grep -c '^transport,' "$WORK/race.csv")" -eq 1 ] &&
		[ "$(csv_rows "$WORK/race.csv")" -eq 2 ] && csv_whole "$WORK/race.csv"
	ok $? "two runs creating one new CSV at once: one header, both rows (exit $st1 and $st2)"
	[ $st1 -eq 0 ] || diag "$WORK/race1.err"
else
	skip "two runs creating one new CSV at once" "strace is missing or cannot trace here"
fi

# Writers take the file's lock: one that another process holds for long is waited for, within a
# bound, and the CSV refused rather than written beside that process.
cp "$WORK/real.csv" "$WORK/locked.csv"
flock -x "$WORK/locked.csv" sleep 20 &
locker=$!
BG_PIDS+=("$locker")
sleep 0.2
"$BIN" "${Q[@]}" --csv "$WORK/locked.csv" >/dev/null 2>"$WORK/locked.err"
st=$?
kill "$locker" 2>/dev/null
[ $st -eq 2 ] && grep -q "another process has held a lock (flock) on it" "$WORK/locked.err" &&
	[ "$(sum "$WORK/locked.csv")" = "$(sum "$WORK/real.csv")" ]
ok $? "a CSV another process keeps locked: refused after a while, exit 2 (got $st), the file untouched"
[ $st -eq 2 ] || diag "$WORK/locked.err"

# A file system that fills up: every output stays parseable.
if can_mount; then
	mkdir -p "$WORK/mnt"
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount -t tmpfs -o size=40k tmpfs "$1" || exit 99
		"$2" -q -t null -m latency -s 64,4K,64K,1M -r 4 -n 50 -d 0 -w 2 \
			--csv "$1/f.csv" --hdr-log "$1/f.hlog" --hgrm "$1/hg"
		st=$?
		rm -rf "$3/fill"; mkdir "$3/fill" && cp -r "$1"/. "$3/fill/"
		exit $st' sh "$WORK/mnt" "$BIN" "$WORK" >/dev/null 2>"$WORK/fill.err"
	st=$?
	F=$WORK/fill
	[ $st -eq 1 ] && grep -q "No space left on device" "$WORK/fill.err"
	ok $? "outputs on a file system that fills: exit 1 (got $st), the failures said"
	[ $st -eq 1 ] || diag "$WORK/fill.err"
	csv_whole "$F/f.csv"
	ok $? "the CSV holds whole rows only"
	[ "$(tail -c 1 "$F/f.hlog" | od -An -c | tr -d ' ')" = '\n' ] &&
		awk 'NR <= 4 { next } !/^Tag=[^,]+,[0-9.]+,[0-9.]+,[0-9.]+,HISTF[A-Za-z0-9+\/]+=*$/ { bad = 1; print "# " substr($0, 1, 80) }
			END { exit bad || NR < 4 }' "$F/f.hlog"
	ok $? "the HDR log ends with a whole line, and every interval line is whole ($(grep -c '^Tag=' "$F/f.hlog") of them)"
	bad=0
	for h in "$F"/hg/*; do
		[ -e "$h" ] || continue
		case $h in *.hgrm) ;; *) bad=1; echo "# left over: $h"; continue ;; esac
		tail -1 "$h" | grep -q '^#\[Buckets' || { bad=1; echo "# cut off: $h ($(wc -c <"$h") bytes)"; }
	done
	[ $bad -eq 0 ]
	ok $? "every .hgrm file there is whole ($(ls "$F/hg" | wc -l) of them), none empty, no temporary file"
else
	skip "outputs on a file system that fills" "cannot mount tmpfs in a private mount namespace here"
fi

done_testing
