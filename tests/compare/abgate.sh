#!/bin/bash
# abgate.sh - scripts/ab-gate end to end (TAP): the work signature first (an A/A gate finds the same
# work and times nothing; a change of work is reported exactly and only its points are timed,
# the time deciding, more work the time does not show being more-work), then
# the timed gate (--no-count): every usage error exits 2 before any round runs
# (nothing measured, no CSV written), bare binary names are found in PATH, and short real gates
# (fixed rounds; a small budget with looks) write both CSVs with the control rows beside each
# side's runs, number each round's rows (--first-round) and compare them paired, look at them,
# measure again only the undecided groups, and exit with compare's status; a binary without
# --first-round gets unpaired looks. Nothing here depends on how fast the machine is: only on
# what was run and written.
#
# Usage: abgate.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: abgate.sh ipcbench}
here=$(cd "$(dirname "$0")" && pwd)
GATE=$here/../../scripts/ab-gate
. "$here/../tap.sh"
tap_workdir abgate
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# usage NAME PATTERN ARGS...: ab-gate ARGS must exit 2, say PATTERN, and run nothing.
usage() {
	local name=$1 pattern=$2 got
	shift 2
	rm -rf "$WORK/u"
	"$GATE" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	got=$?
	[ "$got" -eq 2 ] && grep -qE -- "$pattern" "$WORK/$name.err" && [ ! -e "$WORK/u/old.csv" ]
	ok $? "$name: exit 2 (got $got), says '$pattern', nothing run"
	[ "$got" -eq 2 ] || diag "$WORK/$name.err"
}

ARGS=(-t pipe -s 64 -m throughput -n 200 -d 0)
usage rounds-huge "--rounds: '99999999999999999999' is not a whole number" \
	--rounds 99999999999999999999 --out "$WORK/u" "$BIN" "$BIN" "${ARGS[@]}"
usage rounds-zero "--rounds: '0' is not a whole number" --rounds 0 --out "$WORK/u" "$BIN" "$BIN"
usage budget-word "--budget: 'soon' is not a number of seconds" --budget soon "$BIN" "$BIN"
usage budget-zero "--budget: '0' is not a number of seconds" --budget 0 "$BIN" "$BIN"
usage budget-huge "--budget: '1e9' is not a number of seconds" --budget 1e9 "$BIN" "$BIN"
usage looks-zero "--looks: '0' is not a whole number" --looks 0 "$BIN" "$BIN"
usage threshold-word "--threshold: 'abc' is not a number" --threshold abc --out "$WORK/u" \
	"$BIN" "$BIN" "${ARGS[@]}"
usage alpha-big "--alpha: '0.9' is not a probability" --alpha 0.9 --out "$WORK/u" "$BIN" "$BIN"
usage format-bad "--format: unknown format 'html'; valid: table, md, csv, json" --format html --out "$WORK/u" \
	"$BIN" "$BIN"
: >"$WORK/afile"
usage out-file "--out .*afile: exists and is not a directory" --out "$WORK/afile" "$BIN" "$BIN"
usage no-such-binary "nonexistent-ipcbench: not found in PATH" nonexistent-ipcbench "$BIN"
usage not-executable "afile: not an executable file" "$WORK/afile" "$BIN"
usage repeat "'--repeat': ab-gate sets --repeat, --first-round and --csv" "$BIN" "$BIN" --repeat 3
usage floor "'--floor': ab-gate sets" "$BIN" "$BIN" --floor
usage first-round "'--first-round': ab-gate sets" "$BIN" "$BIN" --first-round 3
usage filter-bad "--filter: 'a/b/c/d' has more than three parts" --filter a/b/c/d --out "$WORK/u" \
	"$BIN" "$BIN"
usage filter-malformed "--filter: '\\[': a malformed pattern" --filter '[' --out "$WORK/u" \
	"$BIN" "$BIN" "${ARGS[@]}"
# A transport name that matches nothing NEW has: refused before the counts (nothing run), not
# after them.
usage filter-nomatch "--filter 'nomatch': no transport of .* is called 'nomatch'" \
	--filter nomatch --out "$WORK/u" "$BIN" "$BIN" "${ARGS[@]}"
usage unknown "unknown option '--frobnicate'" --frobnicate "$BIN" "$BIN"
usage value-missing "--budget needs a value" --budget

# Bad ipcbench options are found by asking both binaries before anything runs.
usage bad-size "rejects the ipcbench options: nothing was run" --out "$WORK/u" "$BIN" "$BIN" \
	-t pipe --size 12Q
grep -q "'12Q' is not a size" "$WORK/bad-size.err"
ok $? "the binary's own message names the bad value"
usage bad-transport "rejects the ipcbench options" --out "$WORK/u" "$BIN" "$BIN" -t carrier-pigeon

# Counts first: the same binary twice counts the same, decides ok, and times nothing.
if ! command -v valgrind >/dev/null 2>&1; then
	skip "counts first" "valgrind is not installed"
	skip "counts that moved" "valgrind is not installed"
elif ! why=$("$BIN" --count --list 2>&1 >/dev/null); then
	# A binary that cannot count (a sanitizer build) is timed instead, and the gate says why.
	"$GATE" --rounds 2 --out "$WORK/uncounted" "$BIN" "$BIN" -t pipe -s 64 -m throughput -n 300 \
		>"$WORK/uncounted.out" 2>"$WORK/uncounted.err"
	st=$?
	grep -q "not counted (.*${why#*: }" "$WORK/uncounted.err" && [ $st -ne 2 ] &&
		grep -qE '^pipe .*not counted \(.*\): timed only' "$WORK/uncounted/look-final.txt"
	ok $? "a binary that cannot count is timed, the gate and each group saying why (exit $st)"
	skip "counts that moved" "${why%%$'\n'*}"
else
	"$GATE" --out "$WORK/counted" "$BIN" "$BIN" -t pipe,shm -s 64,64K -m throughput \
		>"$WORK/counted.out" 2>"$WORK/counted.err"
	st=$?
	[ $st -eq 0 ] && grep -q '^4 groups compared: 0 regressed, 0 improved, 4 ok' "$WORK/counted/counts.txt" &&
		[ "$(grep -c ' ok  *the same work: ' "$WORK/counted/look-final.txt")" -eq 4 ] &&
		grep -q 'nothing to time' "$WORK/counted.err" && ! grep -q '^== round' "$WORK/counted/runs.log"
	ok $? "work first: an A/A gate finds the same work, times nothing, and keeps look-final.txt (exit $st)"
	[ $st -eq 0 ] || diag "$WORK/counted.err"
	# NEW checks every message in full instead of a sample: more work per message, counted; two
	# rounds cannot show its time changing, so more-work (exit 5). The note may first say which
	# rounds the machine's state set aside.
	cat >"$WORK/full-ipcbench" <<WRAPPER
#!/bin/bash
case " \$* " in *" --csv "*) exec "$BIN" "\$@" --verify full ;; esac
exec "$BIN" "\$@"
WRAPPER
	chmod +x "$WORK/full-ipcbench"
	"$GATE" --rounds 2 --out "$WORK/pieces" "$BIN" "$WORK/full-ipcbench" -t pipe -s 64K \
		-m throughput -n 300 >"$WORK/pieces.out" 2>"$WORK/pieces.err"
	st=$?
	[ $st -eq 5 ] && grep -qE '^pipe .* more-work +more work per message, not timed here: receiver \+[0-9.]+ instructions per message' "$WORK/pieces/counts.txt" &&
		grep -q '^== round 1 OLD' "$WORK/pieces/runs.log" &&
		grep -qE '^pipe .* more-work +(.*; )?more work per message: receiver \+[0-9.]+ instructions per message .*; time .*, not shown to change' "$WORK/pieces/look-final.txt"
	pst=$?
	ok $pst "work that moved: timed, and more work the time does not show is more-work, saying which side and by how much (exit $st)"
	[ $pst -eq 0 ] || { grep '^pipe' "$WORK/pieces/counts.txt" "$WORK/pieces/look-final.txt" | diag; diag "$WORK/pieces.err"; }
fi

# Fixed mode, bare names from PATH: 3 rounds, controls beside each side.
mkdir -p "$WORK/bin"
ln -s "$BIN" "$WORK/bin/ipcbench"
PATH="$WORK/bin:$PATH" "$GATE" --no-count --rounds 3 --out "$WORK/fixed" ipcbench ipcbench \
	"${ARGS[@]}" >"$WORK/fixed.out" 2>"$WORK/fixed.err"
st=$?
[ $st -eq 0 ] || [ $st -eq 3 ]
ok $? "--rounds 3 with bare names found in PATH runs (exit $st)"
[ $st -eq 0 ] || [ $st -eq 3 ] || diag "$WORK/fixed.err"
for side in old new; do
	rows=$(grep -c '^pipe,throughput,64,[0-9]*,' "$WORK/fixed/$side.csv")
	ctl=$(grep -c '^floor-memcpy,' "$WORK/fixed/$side.csv")
	cl=$(grep -c '^floor-cacheline,' "$WORK/fixed/$side.csv")
	[ "$rows" -ge 3 ] && [ "$ctl" -eq 3 ] && [ "$cl" -eq 3 ]
	ok $? "$side.csv: 3 pipe rounds with a memcpy and a cache-line control row each ($rows, $ctl, $cl)"
done
# A side keeps its rounds of the machine's kept state: all 3, or fewer with the rest named as set
# aside (the rounds of the other state are not compared with this state's).
line=$(grep -E "^pipe +throughput .* 64 .* \([1-3]\) .* \([1-3]\)" "$WORK/fixed.out")
kept=$(printf '%s\n' "$line" | grep -oE '\([1-3]\)' | tr -d '()' | tr '\n' ' ')
{ [ "$kept" = "3 3 " ] || printf '%s\n' "$line" | grep -qE '[12] of 3 (BASE|NEW) rounds set aside: '; } &&
	grep -qE "^floor-memcpy .* (steady|changed)" "$WORK/fixed.out"
st=$?
ok $st "the table compares the 3 rounds a side, or says which it set aside, and judges the control rows (kept: $kept)"
[ $st -eq 0 ] || diag "$WORK/fixed.out"
grep -q "1 group compared" "$WORK/fixed/look-final.txt"
ok $? "the last look is kept in look-final.txt"

# --filter: both transports are measured, the gate decides on shm alone.
"$GATE" --no-count --no-controls --rounds 2 --filter shm --out "$WORK/filtered" "$BIN" "$BIN" \
	-t pipe,shm -s 64 -m throughput -n 300 -d 0 -w 5 >"$WORK/filtered.out" 2>"$WORK/filtered.err"
st=$?
{ [ $st -eq 0 ] || [ $st -eq 3 ]; } && grep -q '^pipe,' "$WORK/filtered/new.csv" &&
	grep -qE '^shm +throughput' "$WORK/filtered/look-final.txt" &&
	! grep -qE '^pipe ' "$WORK/filtered/look-final.txt" &&
	grep -q "^1 group compared" "$WORK/filtered/look-final.txt"
st2=$?
ok $st2 "--filter shm: pipe and shm measured, shm alone gated (exit $st)"
[ $st2 -eq 0 ] || diag "$WORK/filtered.err"

# Rounds numbered by the binaries are paired: every run of round N says round N.
if "$BIN" --first-round 1 --list >/dev/null 2>&1; then
	rcol=$(head -n 1 "$WORK/fixed/old.csv" | tr ',' '\n' | grep -nx round | cut -d: -f1)
	for side in old new; do
		got=$(grep '^pipe,throughput,64,' "$WORK/fixed/$side.csv" | cut -d, -f"$rcol" |
			sort -u | paste -sd' ' -)
		[ "$got" = "1 2 3" ]
		ok $? "$side.csv: the pipe rows of rounds 1, 2 and 3 say their round ($got)"
	done
	[ "$(grep -c -- '--first-round [0-9]' "$WORK/fixed/runs.log")" -eq \
		"$(grep -c '^== .*: ' "$WORK/fixed/runs.log")" ]
	ok $? "every run, control runs and warm-up included, was given its round"
	grep -q "paired by round" "$WORK/fixed/look-final.txt" &&
		! grep -q "unpaired" "$WORK/fixed.err"
	ok $? "the looks compare OLD and NEW paired by round"
else
	for i in 1 2 3 4; do
		skip "rounds numbered and paired" "$BIN has no --first-round"
	done
fi

# A binary without --first-round: nothing is numbered, and the looks are unpaired.
cat >"$WORK/bin/old-ipcbench" <<EOF
#!/bin/bash
for a in "\$@"; do
	[ "\$a" != --first-round ] || { echo "old-ipcbench: unknown option '\$a'" >&2; exit 2; }
done
exec "$BIN" "\$@"
EOF
chmod +x "$WORK/bin/old-ipcbench"
"$GATE" --no-count --rounds 2 --out "$WORK/unnumbered" "$WORK/bin/old-ipcbench" "$BIN" "${ARGS[@]}" \
	>"$WORK/unnumbered.out" 2>"$WORK/unnumbered.err"
st=$?
[ $st -eq 0 ] || [ $st -eq 3 ]
ok $? "OLD without --first-round: the gate runs (exit $st)"
[ $st -eq 0 ] || [ $st -eq 3 ] || diag "$WORK/unnumbered.err"
grep -q "a binary has no --first-round: OLD and NEW are compared unpaired" "$WORK/unnumbered.err" &&
	! grep -q -- "--first-round" "$WORK/unnumbered/runs.log" &&
	! grep -q "paired by round" "$WORK/unnumbered/look-final.txt"
ok $? "it says so, passes --first-round to no run, and compares unpaired"

# Budget mode with a first look after round 8: two transports, one of which (null) moves
# nothing fast; the looks write the undecided groups, and later rounds run only those.
"$GATE" --no-count --budget 600 --looks 2 --out "$WORK/looks" "$BIN" "$BIN" -t pipe,null -s 64 \
	-m throughput -n 300 -d 0 >"$WORK/looks.out" 2>"$WORK/looks.err"
st=$?
[ $st -le 4 ] && [ $st -ne 2 ]
ok $? "--budget with 2 looks runs to a verdict (exit $st)"
grep -q "look 1 of 2 after round 8" "$WORK/looks.err"
ok $? "the first look comes after round 8"
n8=$(grep -c '^== round [0-9]* OLD: ' "$WORK/looks/runs.log")
[ "$n8" -ge 8 ]
ok $? "at least 8 rounds of OLD were run ($n8)"
if [ -s "$WORK/looks/undecided" ] && grep -q "the machine changed" "$WORK/looks/look-1.txt"; then
	# A control row moved by look 1 (other work on a shared machine): the gate stops there.
	grep -q "^== round 9 " "$WORK/looks/runs.log"
	[ $? -ne 0 ]
	ok $? "a control row moved by the first look: no round 9 ($(tail -n 1 "$WORK/looks/look-1.txt"))"
elif [ -s "$WORK/looks/undecided" ]; then
	t=$(cut -f1 "$WORK/looks/undecided" | sort -u | paste -sd, -)
	# The transports of round 9's runs, as a set: the plan keeps the order it found them in.
	got=$(sed -n 's/^== round 9 OLD: .* -t \([^ ]*\) -s .*/\1/p' "$WORK/looks/runs.log" |
		tr ',' '\n' | sort -u | paste -sd, -)
	[ -n "$t" ] && [ "$got" = "$t" ]
	st=$?
	ok $st "round 9 measures only the undecided transports ($t)"
	[ $st -eq 0 ] || diag "$WORK/looks/look-1.txt" <(grep "^== round 9" "$WORK/looks/runs.log")
else
	grep -q "^== round 9 " "$WORK/looks/runs.log"
	[ $? -ne 0 ]
	ok $? "every group decided at the first look: no round 9"
fi
grep -q "look 2 of 2 spends" "$WORK/looks.out"
ok $? "the last look spends the last share of alpha"

done_testing
