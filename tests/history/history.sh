#!/bin/bash
# history.sh IPCBENCH DBTOOL SOURCE_ROOT - TAP: the results history end to end.
#  1. A synthetic history of 40 runs (mkhist.sh) imported with a commit each: pipe 64K loses 1 %
#     a run and 10 % more at run 25, shm 64K is steady, tcp 64K gains 1 % a run. `history` finds
#     the step at run 25's commit and only there, reports the drifts, draws the figures.
#  2. compare --db takes BASE from it: the last run, a commit, N runs; never NEW itself; none
#     yet is exit 3, an unknown commit exit 2. report --html --db adds the trend figures.
#  3. Real runs with --db; several writers at once; a writer killed mid-run (the file stays
#     whole, the run is partial, the next writer goes on) or interrupted; scripts/ab-gate --db.
#  4. Files that must be refused, each with a clear message and exit 2 and left as they were: a
#     read-only file (which history still reads), a newer schema, another program's database,
#     a file that is not a database, a damaged one, a symbolic link; a column an older
#     ipcbench did not have is added, the rows kept.
# No check depends on timing: the noise is fixed, and the killed writer is killed after its
# rows are seen in the file.
set -u
BIN=$(readlink -f "${1:?usage: history.sh ipcbench dbtool source_root}")
DBTOOL=$(readlink -f "${2:?usage: history.sh ipcbench dbtool source_root}")
ROOT=${3:?usage: history.sh ipcbench dbtool source_root}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tap.sh"
tap_workdir history
export TMPDIR=$WORK
cd "$WORK" || exit 1

commit() { printf 'c0ffee%02d%032d' "$((10#$1))" 0; } # run i's 40-digit commit
sum() { cksum <"$1"; }
rows_in() { "$DBTOOL" "$1" "SELECT count(*) FROM rows" 2>/dev/null; }

"$BIN" history --help >help.out 2>&1
ok $? "history --help exits 0"
grep -q "shifted Mann-Whitney" help.out && grep -q "Theil-Sen" help.out
ok $? "and states the change-point and drift methods"

# ---- 1. a synthetic history ----
"$HERE/mkhist.sh" "$BIN" syn 41 >/dev/null 2>mkhist.err
ok $? "41 synthetic runs written"
diag mkhist.err
bad=0
for i in $(seq -w 1 40); do
	"$BIN" history h.db --import "syn/run-$i.csv" --commit "$(commit "$i")" >>import.out 2>&1 ||
		bad=$((bad + 1))
done
[ $bad -eq 0 ] && [ "$(grep -c 'stored as run .* (15 rows)' import.out)" -eq 40 ]
ok $? "40 runs imported with their commits, 15 rows each ($bad failed)"
[ $bad -eq 0 ] || diag import.out

CSV_AWK=$(cat "$HERE/../csv.awk")
# csvf FILE PROGRAM: awk over a CSV's lines split into f[] (names of series hold commas).
csvf() { awk "$CSV_AWK"'{ csv_split($0, f) } '"$2" "$1"; }
"$BIN" history h.db --format csv >series.csv 2>series.err
ok $? "history --format csv exits 0"
diag series.err
# The columns: series,machine,point,run,commit,started,rounds,median,lo,hi,change,change_lo,
# change_hi,drift,drift_lo,drift_hi (the series' names hold no comma).
csvf series.csv 'f[1] ~ /^pipe throughput 64K/ && f[11] != "" { print f[3], f[5], f[11], f[12], f[13] }' >changes
[ "$(wc -l <changes)" -eq 1 ] && read -r point c ch lo hi <changes && [ "$point" = 25 ] &&
	[ "$c" = "$(commit 25)" ] && awk -v c="$ch" -v l="$lo" -v h="$hi" \
	'BEGIN { exit !(c > -0.11 && c < -0.09 && l <= c && c <= h) }'
ok $? "the 10 % step is found at run 25, commit $(commit 25), and nowhere else ($(tr '\n' ';' <changes))"
csvf series.csv 'f[1] ~ /^pipe throughput 64K/ { print f[14] }' | sort -u >drift
[ "$(wc -l <drift)" -eq 1 ] && awk -v d="$(cat drift)" 'BEGIN { exit !(d > -0.011 && d < -0.009) }'
ok $? "its drift is reported: -1 % per run ($(cat drift))"
csvf series.csv 'f[1] ~ /^tcp throughput 64K/ { print f[14] }' | sort -u >drift
[ "$(wc -l <drift)" -eq 1 ] && awk -v d="$(cat drift)" 'BEGIN { exit !(d > 0.009 && d < 0.011) }'
ok $? "a drift alone, +1 % per run, is reported ($(cat drift))"
[ -z "$(csvf series.csv 'f[1] ~ /^tcp throughput 64K/ && f[11] != ""')" ]
ok $? "and is no change point"
[ -z "$(csvf series.csv 'f[1] ~ /^shm throughput 64K/ && (f[11] != "" || f[14] != "")')" ] &&
	[ "$(csvf series.csv 'f[1] ~ /^shm throughput 64K/' | wc -l)" -eq 40 ]
ok $? "the steady series has 40 points, no change and no drift"

"$BIN" history h.db >table.out 2>&1
ok $? "history (the table) exits 0"
grep -q "change from run 25 (commit $(commit 25 | cut -c1-12)): -10" table.out &&
	grep -q "drift: -1.00% per run .*, worse" table.out && grep -q "drift: +1.00% per run .*, better" table.out &&
	grep -q "^# 40 runs: 40 complete" table.out
ok $? "the table names the change's first run and commit, the drifts and which way they go"
"$BIN" history h.db --by commit --format csv --group pipe >bycommit.csv 2>&1 &&
	[ "$(csvf bycommit.csv 'f[11] != "" && NR > 1 { print f[5] }')" = "$(commit 25)" ]
ok $? "--by commit: the same step, at the same commit"
"$BIN" history h.db --last 10 --format csv --group pipe >last.csv 2>&1 &&
	[ "$(grep -c . last.csv)" -eq 11 ] && [ "$(csvf last.csv 'NR == 2 { print f[4] }')" = 31 ]
ok $? "--last 10: the last 10 runs"

"$BIN" history h.db --plot figs >plot.out 2>plot.err
st=$?
figures=$(ls figs/*.svg 2>/dev/null | wc -l)
[ $st -eq 0 ] && [ "$figures" -eq 3 ] && grep -l '<svg' figs/*.svg | wc -l | grep -qx 3
ok $? "--plot draws one SVG per series (exit $st, $figures figures)"
diag plot.err
grep -q "from run 25, c0ffee25" figs/pipe-throughput-64K*.svg && grep -q "drift -1.0" figs/pipe-throughput-64K*.svg &&
	! grep -q "from run" figs/shm-throughput-64K*.svg
ok $? "the pipe figure marks the change by its first run and commit, and the drift; shm's none"
pdata=$(ls figs/pipe-throughput-64K*.tsv | grep -v '[.]changes[.]tsv$')
[ "$(grep -c . "$pdata")" -ge 41 ] && grep -q 'from run 25, c0ffee25' figs/pipe-throughput-64K*.changes.tsv &&
	! ls figs/shm-throughput-64K*.changes.tsv >/dev/null 2>&1 && [ "$(grep -c . figs/trends.tsv)" -eq 3 ]
ok $? "each figure's data and change points are kept beside it, with the index the plot program drew from"
# Without gnuplot: an error naming it and the package, no figure.
PATH=/nonexistent "$BIN" history h.db --plot nofigs >noplot.out 2>noplot.err
st=$?
[ $st -ne 0 ] && grep -q "gnuplot: not found in PATH (the trend figures need it; Debian: gnuplot-nox)" noplot.err &&
	[ -z "$(ls nofigs/*.svg 2>/dev/null)" ]
ok $? "--plot without gnuplot: exit $st, naming it and its package"

# variant NAME COLUMN VALUE: run 1's shm rows stored again with COLUMN set to VALUE, in a copy
# of the history (NAME.db); its shm series as CSV in NAME-series.csv.
variant() {
	awk -F, -v col="$2" -v val="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
		$c["transport"] == "shm" { $c[col] = val; print }' OFS=, syn/run-01.csv >"$1.csv"
	cp h.db "$1.db"
	"$BIN" history "$1.db" --import "$1.csv" --commit "$(commit 41)" >"$1.out" 2>&1 &&
		"$BIN" history "$1.db" --format csv --group shm >"$1-series.csv" 2>&1
}

# A setting away from the defaults is another experiment, as the report and compare group it
# (lib/expkey.h): run 1's shm rows stored again with a tuning are a series of their own.
variant tuned tuning shm.ring=4194304 &&
	[ "$(csvf tuned-series.csv 'NR > 1 { print f[1] }' | sort -u | wc -l)" -eq 2 ] &&
	[ "$(csvf tuned-series.csv 'NR > 1 && f[1] ~ /tuned shm.ring=4194304/' | wc -l)" -eq 1 ]
ok $? "a tuned run's rows are a series of their own, named by the tuning ($(csvf tuned-series.csv 'NR > 1 { print f[1] }' | sort | uniq -c | tr -s ' \n' ' '))"
# A setting the series' name leaves out (spin polls) sets two series apart all the same: the
# two, alike otherwise, are each named by it.
variant spun spin_polls 500 &&
	[ "$(csvf spun-series.csv 'NR > 1 { print f[1] }' | sort -u | wc -l)" -eq 2 ] &&
	[ "$(csvf spun-series.csv 'NR > 1 && f[1] ~ / spin_polls=500$/ { print f[1] }' | sort -u | wc -l)" -eq 1 ] &&
	[ "$(csvf spun-series.csv 'NR > 1 && f[1] ~ / spin_polls=/ { print f[1] }' | sort -u | wc -l)" -eq 2 ] &&
	! csvf tuned-series.csv 'NR > 1 { print f[1] }' | grep -q "_[a-z]*="
ok $? "series apart in spin polls alone are each named by them ($(csvf spun-series.csv 'NR > 1 { print f[1] }' | sort | uniq -c | tr -s ' \n' ' '))"

# ---- 2. compare --db, report --db ----
"$BIN" compare --db h.db syn/run-41.csv >cmp-last.out 2>&1
st=$?
[ $st -eq 0 ] && grep -q "baseline last: run 40, commit c0ffee400000" cmp-last.out
ok $? "compare --db --baseline last (the default): run 40 against run 41 is ok (exit $st)"
[ $st -eq 0 ] || diag cmp-last.out
"$BIN" compare --db h.db --baseline "$(commit 20 | cut -c1-8)" syn/run-41.csv >cmp-c20.out 2>&1
st=$?
[ $st -eq 1 ] && grep -q "baseline c0ffee20: run 20" cmp-c20.out && grep -q "pipe .*regressed" cmp-c20.out &&
	! grep -q "shm .*regressed" cmp-c20.out
ok $? "--baseline COMMIT (a prefix): before the step, pipe regressed, shm not (exit $st)"
[ $st -eq 1 ] || diag cmp-c20.out
"$BIN" compare --db h.db --baseline 5-runs syn/run-41.csv >cmp-5.out 2>&1
st=$?
[ $st -ne 1 ] && [ $st -ne 2 ] && grep -q "baseline 5-runs: 5 runs, 36 to 40" cmp-5.out
ok $? "--baseline 5-runs pools runs 36 to 40 (exit $st)"
"$BIN" compare --db h.db --baseline c0ffee syn/run-41.csv >cmp-amb.out 2>&1
st=$?
[ $st -eq 2 ] && grep -q "names several commits" cmp-amb.out
ok $? "a prefix of several commits is refused, naming them (exit $st)"
"$BIN" compare --db h.db --baseline deadbeef syn/run-41.csv >cmp-none.out 2>&1
st=$?
[ $st -eq 2 ] && grep -q "no complete run of commit 'deadbeef'" cmp-none.out
ok $? "a commit the history does not hold: exit 2, said ($st)"
cp h.db h2.db
"$BIN" history h2.db --import syn/run-41.csv --commit "$(commit 41)" >/dev/null 2>&1 &&
	"$BIN" compare --db h2.db syn/run-41.csv >cmp-own.out 2>&1 && grep -q "run 40," cmp-own.out
ok $? "NEW stored in the history is never its own baseline: run 40 is taken, not 41"
# Another run with NEW's timestamp, rates and p50s (two short invocations in one second), whose
# runs lasted other times: a run of its own, which compare takes as the baseline.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "elapsed_s") e = i; print; next }
	{ $e = "9.876543"; print }' syn/run-41.csv >twin.csv
cp h.db h3.db
"$BIN" history h3.db --import twin.csv --commit "$(commit 41)" >/dev/null 2>&1 &&
	"$BIN" compare --db h3.db syn/run-41.csv >cmp-twin.out 2>&1 && grep -q "run 41," cmp-twin.out
ok $? "a run that shares NEW's timestamp and values but not its runs' lengths is not NEW: run 41 is taken"
grep "baseline" cmp-twin.out | diag
# Another machine's history: nothing to compare with yet (exit 3), unless --any-machine.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "kernel") k = i; print; next }
	{ $k = "9.9.9-other"; print }' syn/run-01.csv >other.csv
"$BIN" history o.db --import other.csv >/dev/null 2>&1
"$BIN" compare --db o.db syn/run-41.csv >cmp-other.out 2>&1
st=$?
[ $st -eq 3 ] && grep -q "no complete run to take as the baseline of NEW's groups on NEW's machine" cmp-other.out &&
	grep -q "1 complete run of other machines: --any-machine takes them" cmp-other.out
ok $? "no baseline of NEW's machine yet: exit 3, and the message says --any-machine ($st)"
"$BIN" compare --db o.db --any-machine syn/run-41.csv >cmp-any.out 2>&1
st=$?
[ $st -ne 2 ] && grep -q "measured on different machines" cmp-any.out
ok $? "--any-machine takes it, and compare warns of the machines (exit $st)"
"$BIN" compare --baseline last syn/run-41.csv >/dev/null 2>cmp-usage.err
st=$?
"$BIN" compare --db h.db syn/run-40.csv syn/run-41.csv >/dev/null 2>>cmp-usage.err
st2=$?
[ $st -eq 2 ] && [ $st2 -eq 2 ] && grep -q "goes with --db" cmp-usage.err && grep -q "one file: NEW.csv" cmp-usage.err
ok $? "--baseline without --db, and two files with --db: usage errors"

if "$BIN" report syn/run-41.csv --html page.html --db h.db >report.out 2>&1; then
	grep -q 'id="trends"' page.html && grep -q 'Throughput over the runs of the history, pipe' page.html
	ok $? "report --html --db: the page has the trend figures"
else
	skip "report --html --db: the page has the trend figures" "report --html failed: $(tail -1 report.out)"
fi
"$BIN" report syn/run-41.csv --db h.db >/dev/null 2>report.err
[ $? -eq 2 ] && grep -q "goes with --html" report.err
ok $? "report --db without --html: a usage error"

# ---- 3. real runs ----
run() { "$BIN" -q -t pipe -s 64 -m throughput -n 300 -d 0 -w 10 "$@"; }
run --db r.db --commit abc123 >/dev/null 2>run.err
st=$?
"$BIN" history r.db >r.out 2>&1
[ $st -eq 0 ] && grep -qE '^ +1  .* complete +[0-9]+  abc123 .* --db r.db --commit abc123$' r.out &&
	[ "$(rows_in r.db)" -ge 1 ]
ok $? "ipcbench --db stores a complete run with its rows, commit and command line (exit $st)"
[ $st -eq 0 ] || diag run.err
# Without --commit, the commit of the repository the run is made in (git rev-parse HEAD), none
# outside one.
if command -v git >/dev/null 2>&1; then
	mkdir repo && (cd repo && git init -q && git -c user.name=t -c user.email=t@t commit -q \
		--allow-empty -m one) && head=$(cd repo && git rev-parse HEAD)
	(cd repo && run --db ../g.db >/dev/null 2>../g.err) && (cd / && run --db "$WORK/g.db" >/dev/null 2>>"$WORK/g.err")
	"$BIN" history g.db >g.out 2>&1
	grep -qE "^ +1  .* ${head:0:12}" g.out && grep -E '^ +2  ' g.out | grep -qv "${head:0:12}"
	ok $? "a run in a repository stores its HEAD commit (${head:0:12}), one outside none"
	[ -n "$head" ] || diag g.out g.err
else
	skip "the commit of the run's repository" "no git here"
fi
run --commit abc >/dev/null 2>run.err
[ $? -eq 2 ] && grep -q "commit names the run --db stores: it needs --db" run.err
ok $? "--commit without --db: a usage error"
run --db r.db --csv r.db >/dev/null 2>run.err
[ $? -eq 2 ] && grep -q "name the same file" run.err
ok $? "--db and --csv naming one file: refused"
printf 'x,y\n1,2\n' >hdr.csv
run --db fresh.db --csv hdr.csv >/dev/null 2>run.err
[ $? -eq 2 ] && [ -z "$(ls fresh.db* 2>/dev/null)" ]
ok $? "a start-up error after the history was made (a CSV of another header) leaves no new file"

before=$(rows_in r.db)
pids=()
for k in 1 2 3; do
	run --db r.db >"conc$k.out" 2>&1 &
	pids+=($!)
done
"$BIN" history r.db --import syn/run-01.csv >conc4.out 2>&1 &
pids+=($!)
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
after=$(rows_in r.db)
"$BIN" history r.db --check >check.out 2>&1
st=$?
[ $bad -eq 0 ] && [ $st -eq 0 ] && [ "$after" -ge $((before + 3 + 15)) ] &&
	[ "$("$DBTOOL" r.db "SELECT count(*) FROM runs WHERE status = 'complete'")" -eq 5 ] &&
	[ "$("$DBTOOL" r.db "SELECT count(*) FROM runs WHERE id NOT IN (SELECT run_id FROM rows)")" -eq 0 ]
ok $? "three runs and an import writing at once: all stored, each with its rows, the file whole ($bad failed, rows $before -> $after)"
[ $bad -eq 0 ] || cat conc*.out | diag

# Killed: the rows before stay, the run shows as partial, the next writer goes on.
"$BIN" -q -t pipe -s 64 -m throughput -d 0.02 --repeat 500 --db k.db >/dev/null 2>&1 &
kpid=$!
for _ in $(seq 600); do
	[ "$(rows_in k.db)" -ge 3 ] 2>/dev/null && break
	sleep 0.05
done
kill -KILL "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
kept=$(rows_in k.db)
"$BIN" history k.db --check >kcheck.out 2>&1
st=$?
"$BIN" history k.db >k.out 2>&1
[ "$kept" -ge 3 ] && [ $st -eq 0 ] && grep -qE '^ +1  .* partial +[0-9]+ ' k.out && grep -q "1 partial" k.out
ok $? "a writer killed mid-run: the file is whole, its $kept rows kept, the run partial"
[ $st -eq 0 ] || diag kcheck.out
run --db k.db >/dev/null 2>&1 && "$BIN" history k.db >k2.out 2>&1 && grep -qE '^ +2  .* complete ' k2.out
ok $? "and the next run stores into it"
"$BIN" -q -t pipe -s 64 -m throughput -d 0.02 --repeat 500 --db k.db >/dev/null 2>&1 &
kpid=$!
for _ in $(seq 600); do
	[ "$("$DBTOOL" k.db 'SELECT count(*) FROM rows WHERE run_id = 3' 2>/dev/null)" -ge 1 ] 2>/dev/null && break
	sleep 0.05
done
kill -INT "$kpid"
wait "$kpid"
st=$?
"$BIN" history k.db >k3.out 2>&1
[ $st -eq 130 ] && grep -qE '^ +3  .* interrupted ' k3.out
ok $? "a run stopped by SIGINT is recorded as interrupted (exit $st)"

# scripts/ab-gate --db stores each side's rounds as a run.
if "$ROOT/scripts/ab-gate" --rounds 2 --warmup-rounds 0 --no-controls --db ab.db --commit abc999 \
	--base-commit abc000 --out ab "$BIN" "$BIN" -t pipe -s 64 -m throughput -d 0.02 >ab.out 2>&1 ||
	[ $? -eq 3 ]; then
	"$DBTOOL" ab.db "SELECT source, git_commit, status FROM runs ORDER BY id" >ab.runs
	[ "$(cat ab.runs)" = "$(printf 'ab-gate base\tabc000\tcomplete\nab-gate new\tabc999\tcomplete')" ]
	ok $? "ab-gate --db stores the base's and the new build's rounds, a run each, with their commits"
	diag ab.runs
else
	ok 1 "ab-gate --db stores the base's and the new build's rounds, a run each, with their commits"
	diag ab.out
fi

# A run's stored texts shown to a person: a control character in them is written as \xNN.
cp syn/run-01.csv "$(printf 'odd\033[1mname.csv')"
"$BIN" history odd.db --import "$(printf 'odd\033[1mname.csv')" >/dev/null 2>&1 &&
	"$BIN" history odd.db >odd.out 2>&1
grep -qF 'import odd\x1b[1mname.csv' odd.out && ! grep -q "$(printf '\033')" odd.out
ok $? "a control character in a run's stored command is shown as \\x1b, never sent to the terminal"

# ---- 4. files that must be refused, left as they were ----
cp r.db ro.db
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p rodir && cp r.db rodir/h.db && chmod a-w rodir/h.db rodir
	ro() { "$@"; }
elif unshare -m true 2>/dev/null; then
	mkdir -p rodir && cp r.db rodir/h.db
	ro() { unshare -m sh -c 'mount --bind rodir rodir && mount -o remount,ro,bind rodir && exec "$@"' sh "$@"; }
else
	ro=''
fi
if declare -F ro >/dev/null; then
	s0=$(sum rodir/h.db)
	ro "$BIN" -q -t pipe -s 64 -m throughput -n 100 -d 0 --db rodir/h.db >/dev/null 2>ro.err
	st=$?
	[ $st -eq 2 ] && grep -q "rodir/h.db: read-only" ro.err
	ok $? "a read-only history: --db refuses it before running, saying so (exit $st)"
	diag ro.err
	ro "$BIN" history rodir/h.db >ro.out 2>&1 && grep -q "complete" ro.out
	ok $? "and history still reads it"
	ro "$BIN" compare --db rodir/h.db syn/run-41.csv >ro-cmp.out 2>&1
	st=$?
	[ $st -ne 2 ]
	ok $? "and so does compare --db (exit $st)"
	[ "$(sum rodir/h.db)" = "$s0" ]
	ok $? "and the file is as it was"
	chmod -R u+w rodir 2>/dev/null
else
	skip "a read-only history is refused, and still read" "neither another user nor a mount namespace"
fi

cp r.db new.db
"$DBTOOL" new.db "PRAGMA user_version = 99" && s0=$(sum new.db)
run --db new.db >/dev/null 2>new.err
st=$?
"$BIN" history new.db >/dev/null 2>>new.err
st2=$?
"$BIN" compare --db new.db syn/run-41.csv >/dev/null 2>>new.err
st3=$?
[ $st -eq 2 ] && [ $st2 -eq 2 ] && [ $st3 -eq 2 ] &&
	[ "$(grep -c "written by a newer ipcbench (history schema version 99; this ipcbench knows versions up to 2)" new.err)" -eq 3 ] &&
	[ "$(sum new.db)" = "$s0" ]
ok $? "a newer schema: --db, history and compare each refuse it (exit $st $st2 $st3), the file untouched"
diag new.err

"$DBTOOL" foreign.db "CREATE TABLE t (x); INSERT INTO t VALUES (1)" && s0=$(sum foreign.db)
run --db foreign.db >/dev/null 2>foreign.err
[ $? -eq 2 ] && grep -q "an SQLite database of another program" foreign.err && [ "$(sum foreign.db)" = "$s0" ]
ok $? "another program's database: refused, untouched"
printf 'transport,mode\npipe,latency\n' >text.db
s0=$(sum text.db)
run --db text.db >/dev/null 2>text.err
[ $? -eq 2 ] && grep -q "not an SQLite database" text.err && [ "$(sum text.db)" = "$s0" ]
ok $? "a file that is not a database: refused, untouched"
cp h.db bad.db
# Scribble over pages in the middle: the rows' b-tree.
size=$(stat -c %s bad.db)
dd if=/dev/urandom of=bad.db bs=4096 seek=$((size / 4096 / 2)) count=2 conv=notrunc 2>/dev/null
s0=$(sum bad.db)
"$BIN" history bad.db --check >/dev/null 2>bad.err
st=$?
run --db bad.db >/dev/null 2>>bad.err
st2=$?
[ $st -eq 2 ] && [ $st2 -eq 2 ] && grep -q "damaged" bad.err && [ "$(sum bad.db)" = "$s0" ]
ok $? "a damaged file: history --check and --db refuse it (exit $st $st2), untouched"
diag bad.err
ln -s r.db link.db
run --db link.db >/dev/null 2>link.err
[ $? -eq 2 ] && grep -q "symbolic link" link.err
ok $? "a symbolic link: refused"
"$BIN" history missing.db >/dev/null 2>missing.err
[ $? -eq 2 ] && [ ! -e missing.db ] && grep -q "missing.db: No such file" missing.err
ok $? "history on a missing file: exit 2, nothing made"

cp r.db old.db
"$DBTOOL" old.db "ALTER TABLE rows DROP COLUMN offered_fraction"
kept=$(rows_in old.db)
"$BIN" history old.db >/dev/null 2>&1
st=$?
run --db old.db >/dev/null 2>&1
st2=$?
[ $st -eq 0 ] && [ $st2 -eq 0 ] &&
	"$DBTOOL" old.db "PRAGMA table_info(rows)" | cut -f2 | grep -qx offered_fraction &&
	[ "$(rows_in old.db)" -gt "$kept" ]
ok $? "a column an older ipcbench did not have: read without it, added by the next writer, rows kept"

# Reading a history leaves nothing beside it: no -wal, no -shm (SQLite removes them when the
# last connection, a read-write one, closes; a reader never writes).
cp r.db clean.db
rm -f clean.db-wal clean.db-shm
"$BIN" history clean.db >/dev/null 2>&1 && "$BIN" history clean.db --check >/dev/null 2>&1
st=$?
[ $st -eq 0 ] && [ ! -e clean.db-wal ] && [ ! -e clean.db-shm ]
ok $? "history reads a file and leaves no -wal or -shm beside it (exit $st; $(ls clean.db* | paste -sd' '))"

# A run has an identity (its machine and every row): the same CSV imported twice, or the CSV of
# a run --db stored while it ran, is refused, naming the stored run.
run --db id.db --csv id.csv >/dev/null 2>&1
"$BIN" history id.db --import id.csv >id.out 2>id.err
st=$?
"$BIN" history id2.db --import id.csv >/dev/null 2>&1 && "$BIN" history id2.db --import id.csv >/dev/null 2>id2.err
st2=$?
[ $st -eq 2 ] && grep -q 'the same run (its machine and every row) is stored as run 1' id.err &&
	[ "$("$DBTOOL" id.db "SELECT count(*) FROM runs")" = 1 ] &&
	[ $st2 -eq 2 ] && [ "$("$DBTOOL" id2.db "SELECT count(*) FROM runs")" = 1 ]
ok $? "a run stored or imported twice is refused, naming the stored one (exit $st, $st2): $(head -1 id.err)"

# Runners with a file each, merged into one history: the runs it lacks, each once.
for k in 1 2 3; do
	run -r 2 --db "runner$k.db" >/dev/null 2>&1 &
done
wait
for k in 1 2 3; do "$BIN" history merged.db --import "runner$k.db" >>merge.out 2>&1 || echo "failed $k" >>merge.out; done
"$BIN" history merged.db --import runner2.db >>merge.out 2>&1
"$BIN" history merged.db --format csv >merged.csv 2>/dev/null
points=$(awk -F, 'NR > 1 && /pipe throughput 64/ { n++ } END { print n + 0 }' merged.csv)
[ "$(grep -c ': 1 run copied, 0 already here' merge.out)" -eq 3 ] &&
	grep -q 'runner2.db: 0 runs copied, 1 already here' merge.out && ! grep -q failed merge.out &&
	[ "$("$DBTOOL" merged.db "SELECT count(*) FROM runs")" = 3 ] && [ "$points" -eq 3 ] &&
	[ "$("$DBTOOL" merged.db "SELECT count(*) FROM rows")" = "$(($(rows_in runner1.db) + $(rows_in runner2.db) + $(rows_in runner3.db)))" ]
ok $? "three runners' files merged: 3 runs with all their rows, the series 3 points, a second merge copies none"
"$BIN" history merged.db --import merged.db >/dev/null 2>self.err
[ $? -eq 2 ] && grep -q 'imported into itself' self.err
ok $? "a history imported into itself is refused"

# ---- 5. the machine's state: what the report sets aside, the history leaves out ----
# Ten rounds of one group, two of them measured in another state of the machine (their
# cache-line probes at four times the others', before and after; a third of the rate): the
# report's rule sets those two aside, and the series counts the eight others, saying so.
awk -v dir="$WORK" "$CSV_AWK"'
NR == 1 { header = $0; n = csv_split($0, name); for (i = 1; i <= n; i++) col[name[i]] = i; next }
NR == 2 { csv_split($0, tmpl); exit }
END {
	file = dir "/state.csv"
	print header > file
	for (r = 1; r <= 10; r++) {
		other = r == 3 || r == 7
		for (k = 1; k <= n; k++) f[k] = tmpl[k]
		f[col["transport"]] = "pipe"; f[col["size_bytes"]] = 65536; f[col["wait"]] = "block"
		f[col["run"]] = r; f[col["round"]] = r; f[col["options"]] = ""; f[col["state"]] = ""
		f[col["bytes_per_s"]] = sprintf("%.1f", (1e9 + r * 1e6) / (other ? 3 : 1))
		f[col["probe_cacheline_ns"]] = other ? 400 : 100
		f[col["probe_cacheline_after_ns"]] = other ? 400 : 100
		f[col["timestamp"]] = sprintf("2026-02-01T00:%02d:00Z", r)
		print csv_join(f, n) > file
	}
}' syn/real.csv
"$BIN" report state.csv -o state.md >/dev/null 2>&1
grep -q 'pipe stream cross-core 64K round 3 (other-state), pipe stream cross-core 64K round 7 (other-state)' state-appendix.md
ok $? "the report of the run sets rounds 3 and 7 aside"
"$BIN" history state.db --import state.csv >/dev/null 2>&1 &&
	"$BIN" history state.db --format csv --metric bytes_per_s >state.out 2>state.err
ok $? "the run imported, its series read"
# 8 kept rounds: the median of 1.00x e9 for rounds 1,2,4,5,6,8,9,10 is (1.005e9 + 1.006e9) / 2.
csvf state.out 'f[1] ~ /^pipe throughput 64K/ { print f[7], f[8] }' >state.pt
read -r rounds median <state.pt
[ "$rounds" = 8 ] && awk -v m="$median" 'BEGIN { exit !(m > 1.0054e9 && m < 1.0056e9) }' &&
	grep -q '^# 2 rows of 1 group set aside: measured in another state of the machine' state.err
ok $? "the series counts the 8 rounds the report keeps ($rounds, median $median), and says 2 were set aside"
"$BIN" history state.db --metric bytes_per_s >state.txt 2>&1
grep -q '^set aside: 2 rows of 1 run, measured in another state of the machine$' state.txt &&
	grep -q '^# 2 rows of 1 group set aside' state.txt
ok $? "the table names them beside the series"

# history's --threshold, --alpha and --metric are compare's: the same bad value, the same words.
same=0
for bad in "--threshold 5" "--threshold abc" "--alpha 0.9" "--alpha x" "--metric nosuch"; do
	# shellcheck disable=SC2086
	c=$("$BIN" compare $bad a.csv b.csv 2>&1 | sed -n 's/^ipcbench compare: \(.*\) (see .*/\1/p')
	# shellcheck disable=SC2086
	h=$("$BIN" history state.db $bad 2>&1 | sed -n 's/^ipcbench history: \(.*\) (see .*/\1/p')
	if [ -z "$c" ] || [ "$c" != "$h" ]; then
		diag <<<"$bad: compare '$c', history '$h'"
		same=1
	fi
done
ok $same "a bad --threshold, --alpha or --metric: history says what compare says"

done_testing
