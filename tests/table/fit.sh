#!/bin/bash
# fit.sh - the table fits the terminal (TAP): ipcbench run on a real pseudo-terminal (script(1))
# of several widths prints every table line within the width, keeps transport, kind, size, p50,
# p99, max, MB/s, cpus and x floor, drops the others in the stated order and says which, a column
# the run leaves empty (x floor without --floor, shape without a load shape) first; --wide,
# a pipe and a file get every column; a terminal that does not report its width falls back to
# $COLUMNS.
#
# Usage: fit.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: fit.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir table-fit

if ! command -v script >/dev/null 2>&1; then
	echo "1..0 # SKIP script(1) not found (Debian: bsdutils)"
	exit 0
fi

# --no-one-way: each run below is a run of its own, and whether a one-way row is written depends
# on its few samples' median against the clock check's bound, which may differ between two runs;
# the rows without them are the same in every run. A stream's sampled delays (kind 1-way) are
# not a round trip's and stay, written or not by the same test against each run's own clock
# check (on a busy machine its bound may not be small against them), so the rows are counted
# without them (nrows).
ARGS=(-q -t null,pipe --floor -s 64,1M -n 50 -d 0 -w 2 --no-one-way)
ALL="transport mode kind size shape msgs p50 p90 p99 p99.9 max msg/s MB/s cpus wait chunk cpu/msg ctx/msg x floor harness"
KEEP="transport kind size p50 p99 max MB/s cpus x floor"
# The order in which a narrow terminal drops columns (bench/cli/output.h): this run has no load
# shape, so its shape column, empty, goes first.
DROP="shape harness ctx/msg chunk p90 p99.9 msgs msg/s wait cpu/msg mode"

# on_tty COLS OUT [ENV...] -- ARGS...: run ipcbench on a pseudo-terminal COLS wide (0: one that
# reports no width), its output (the terminal's, \r removed) in OUT.
on_tty() {
	local cols=$1 out=$2 cmd
	shift 2
	cmd="stty cols $cols rows 50 && exec"
	while [ "$1" != -- ]; do cmd+=" $(printf '%q' "$1")"; shift; done
	shift
	cmd+=" $(printf '%q' "$BIN")"
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	script -qec "$cmd" /dev/null </dev/null | tr -d '\r' >"$out"
}

# The table of an output: its header line and the rows after it, up to the first line that is
# not a row (a row starts with a transport name).
table() { awk '/^transport / { t = 1 } t && /^[a-z]/ { print } t && !/^[a-z]/ { exit }' "$1"; }
# Rows of a table (its header line left out), a stream's sampled delays apart, and on a terminal
# not a line of stderr's that came between them ("ipcbench: ...": no transport has a colon).
nrows() { tail -n +2 "$1" | grep -v '^ipcbench:' | grep -vc ' 1-way '; }
titles() { head -1 "$1" | sed 's/x floor/x_floor/; s/  */ /g; s/^ //; s/ $//; s/x_floor/x floor/'; }

# ---- a pipe: every column, no note ----
"$BIN" "${ARGS[@]}" 2>"$WORK/err" | cat >"$WORK/pipe.out"
ok "${PIPESTATUS[0]}" "a run into a pipe exits 0"
table "$WORK/pipe.out" >"$WORK/pipe.table"
[ "$(titles "$WORK/pipe.table")" = "$ALL" ]
ok $? "into a pipe the table has every column ($(titles "$WORK/pipe.table"))"
! grep -q '^# fitted' "$WORK/pipe.out"
ok $? "and no note about columns left out"
full=$(head -1 "$WORK/pipe.table" | wc -L)
[ "$full" -gt 160 ]
ok $? "the whole table is wider than 160 columns ($full): it needs fitting"
rows=$(nrows "$WORK/pipe.table")
[ "$rows" -ge 10 ]
ok $? "the run has floor and transport rows ($rows)"

# ---- terminals of several widths ----
for cols in 80 100 120 160; do
	on_tty "$cols" "$WORK/tty$cols.out" -- "${ARGS[@]}"
	table "$WORK/tty$cols.out" >"$WORK/tty$cols.table"
	[ "$(nrows "$WORK/tty$cols.table")" -eq "$rows" ]
	ok $? "$cols columns: every row is there ($rows)"
	longest=$(wc -L <"$WORK/tty$cols.table")
	[ "$longest" -le "$cols" ]
	ok $? "$cols columns: no table line is longer (longest $longest)"
	awk -v w="$(head -1 "$WORK/tty$cols.table" | wc -L)" 'length($0) != w { bad = 1 } END { exit bad }' \
		"$WORK/tty$cols.table"
	st=$?
	ok $st "$cols columns: every row is as long as the header (the columns line up)"
	[ $st -eq 0 ] || diag "$WORK/tty$cols.table"
	shown=$(titles "$WORK/tty$cols.table")
	missing=
	for k in transport kind size p50 p99 max MB/s cpus; do
		[[ " $shown " == *" $k "* ]] || missing+=" $k"
	done
	[[ "$shown" == *"x floor" ]] || missing+=" x-floor"
	[ -z "$missing" ]
	ok $? "$cols columns: transport, kind, size, p50, p99, max, MB/s, cpus and x floor stay ($shown)"
	# The columns left out are a prefix of the drop order, and the note names them in it.
	gone=
	for c in $ALL; do
		[ "$c" = x ] || [ "$c" = floor ] && continue
		[[ " $shown " == *" $c "* ]] || gone+="$c "
	done
	want=
	for c in $DROP; do
		[[ " $gone " == *" $c "* ]] && want+="$c "
	done
	prefix=$(echo "$DROP" | cut -d' ' -f1-"$(echo "$gone" | wc -w)")
	[ -n "$gone" ] && [ "${want% }" = "$prefix" ]
	ok $? "$cols columns: the columns left out are the first of the drop order ($gone)"
	note=$(grep '^# fitted' "$WORK/tty$cols.out" |
		sed 's/.*without //; s/ (--wide.*//; s/ (empty in this run)//; s/,//g')
	[ "$note " = "$want" ]
	ok $? "$cols columns: the note names them in that order ($note)"
done
t80=$(titles "$WORK/tty80.table" | wc -w)
t120=$(titles "$WORK/tty120.table" | wc -w)
[ "$t120" -gt "$t80" ]
ok $? "a wider terminal shows more columns (80: $t80 titles, 120: $t120)"

# ---- columns the run leaves empty go first ----
# Without --floor, x floor is empty in every row: 80 columns go without it (and shape) before
# mode, and the note says why.
on_tty 80 "$WORK/nofloor.out" -- -q -t pipe -s 64 -n 50 -d 0 -w 2
table "$WORK/nofloor.out" >"$WORK/nofloor.table"
shown=$(titles "$WORK/nofloor.table")
[[ " $shown " == *" mode "* ]] && [[ "$shown" != *"x floor"* ]] &&
	grep -q '^# fitted to 80 columns, without shape, x floor (empty in this run)' "$WORK/nofloor.out"
ok $? "80 columns without --floor: x floor and shape, empty, go before mode ($shown)"
# With a load shape, shape has values and stays before mode goes.
on_tty 120 "$WORK/shaped.out" -- -q -t pipe -s 64 -m latency --inflight 1,2 -n 50 -d 0 -w 2
shown=$(titles "$(table "$WORK/shaped.out" >"$WORK/shaped.table"; echo "$WORK/shaped.table")")
[[ " $shown " == *" shape "* ]] && ! grep -q 'shape.*(empty in this run)' "$WORK/shaped.out"
ok $? "120 columns with --inflight 1,2: shape has values and is kept ($shown)"

# ---- a terminal wide enough for all of it ----
on_tty 200 "$WORK/tty200.out" -- "${ARGS[@]}"
table "$WORK/tty200.out" >"$WORK/tty200.table"
[ "$(head -1 "$WORK/tty200.table")" = "$(head -1 "$WORK/pipe.table")" ] && ! grep -q '^# fitted' "$WORK/tty200.out"
ok $? "200 columns: the whole table, as into a pipe"

# ---- --wide ----
on_tty 80 "$WORK/wide.out" -- --wide "${ARGS[@]}"
table "$WORK/wide.out" >"$WORK/wide.table"
[ "$(head -1 "$WORK/wide.table")" = "$(head -1 "$WORK/pipe.table")" ] && ! grep -q '^# fitted' "$WORK/wide.out"
ok $? "--wide on 80 columns: every column at full width"

# ---- a terminal that reports no width: $COLUMNS ----
on_tty 0 "$WORK/env.out" env COLUMNS=90 -- "${ARGS[@]}"
table "$WORK/env.out" >"$WORK/env.table"
longest=$(wc -L <"$WORK/env.table")
[ "$longest" -le 90 ] && grep -q '^# fitted to 90 columns' "$WORK/env.out"
ok $? "a terminal of unknown width with COLUMNS=90: fitted to 90 (longest line $longest)"
on_tty 0 "$WORK/none.out" env -u COLUMNS -- "${ARGS[@]}"
grep -q '^# fitted to 80 columns' "$WORK/none.out"
ok $? "and without COLUMNS: 80"

# ---- a file ----
"$BIN" "${ARGS[@]}" >"$WORK/file.out" 2>/dev/null
table "$WORK/file.out" >"$WORK/file.table"
[ "$(head -1 "$WORK/file.table")" = "$(head -1 "$WORK/pipe.table")" ]
ok $? "into a file: every column"

done_testing
