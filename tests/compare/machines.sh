#!/bin/bash
# machines.sh - `ipcbench compare` says when BASE and NEW come from different machines (TAP):
# the fingerprint columns (cpu_model, kernel, build_type, virtualization) of two real runs' CSVs,
# changed one at a time and together in copies, give a warning naming each field that differs
# and its values on both sides, without changing the verdicts or the exit status; under
# --same-machine the same files are refused with exit 2; the same machine gives no warning; a
# JSON file is judged by its context as a CSV by its rows.
#
# Usage: machines.sh PATH/TO/ipcbench
set -u
BIN=${1:?usage: machines.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
tap_workdir compare-machines

# Two real runs: BASE and NEW on this machine, five repeats each (enough to decide a group).
for side in base new; do
	"$BIN" -q -t pipe,null -s 64 -m throughput -r 5 -n 200 -d 0 -w 10 \
		--csv "$WORK/$side.csv" --json "$WORK/$side.json" >/dev/null 2>"$WORK/$side.err"
	ok $? "a real $side run (pipe and null, five repeats)"
done

CSV_AWK=$(cat "$(dirname "$0")/../csv.awk")
# setcol IN OUT COLUMN VALUE: a copy of IN with COLUMN (by name) set to VALUE on every row, the
# other fields as they were (quoted again where they hold a comma or a quote).
setcol() {
	awk -v col="$3" -v val="$4" "$CSV_AWK"'
		function q(s) { if (s ~ /[",]/) { gsub(/"/, "\"\"", s); s = "\"" s "\"" } return s }
		NR == 1 { print; n = csv_split($0, h); for (i = 1; i <= n; i++) if (h[i] == col) c = i; next }
		{
			n = csv_split($0, f)
			if (c) f[c] = val
			line = q(f[1])
			for (i = 2; i <= n; i++) line = line "," q(f[i])
			print line
		}' "$1" >"$2"
}

"$BIN" compare "$WORK/base.csv" "$WORK/new.csv" >"$WORK/same.out" 2>"$WORK/same.err"
same_status=$?
! grep -q 'different machines' "$WORK/same.err" "$WORK/same.out"
ok $? "the same machine: no warning (exit $same_status)"
"$BIN" compare --same-machine "$WORK/base.csv" "$WORK/new.csv" >"$WORK/sm.out" 2>"$WORK/sm.err"
[ $? -eq $same_status ] && cmp -s "$WORK/same.out" "$WORK/sm.out"
ok $? "--same-machine on the same machine changes nothing"

base_val() { # base_val COLUMN: its value in BASE's first row
	awk -v col="$1" "$CSV_AWK"'
		NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) if (h[i] == col) c = i; next }
		{ csv_split($0, f); print f[c]; exit }' "$WORK/base.csv"
}

for col in cpu_model kernel build_type virtualization; do
	old=$(base_val "$col")
	setcol "$WORK/new.csv" "$WORK/new-$col.csv" "$col" "other-$col"
	"$BIN" compare "$WORK/base.csv" "$WORK/new-$col.csv" >"$WORK/$col.out" 2>"$WORK/$col.err"
	st=$?
	grep -qF "warning: $WORK/base.csv and $WORK/new-$col.csv were measured on different machines: $col: '$old' in BASE, 'other-$col' in NEW" "$WORK/$col.err"
	ok $? "$col differs: a warning naming it and both values"
	[ $st -eq $same_status ] &&
		diff <(sed '1d; /^warning/d' "$WORK/$col.out") <(sed 1d "$WORK/same.out") >/dev/null
	ok $? "$col differs: the same verdicts and exit status (exit $st)"
	grep -q "^warning: different machines: $col: " "$WORK/$col.out"
	ok $? "$col differs: the table says so too"
	"$BIN" compare --same-machine "$WORK/base.csv" "$WORK/new-$col.csv" >"$WORK/$col.sm" 2>"$WORK/$col.smerr"
	st=$?
	[ $st -eq 2 ] && [ ! -s "$WORK/$col.sm" ] && grep -q -- "--same-machine: .*$col: '$old' in BASE, 'other-$col' in NEW" "$WORK/$col.smerr"
	ok $? "$col differs, --same-machine: exit 2 naming it, no table (exit $st)"
done

# Fields that do not say which machine it was: another host name, load or version is no warning.
setcol "$WORK/new.csv" "$WORK/t1.csv" host other-host
setcol "$WORK/t1.csv" "$WORK/t2.csv" loadavg 9.99
setcol "$WORK/t2.csv" "$WORK/new-other.csv" version v9-other
"$BIN" compare --same-machine "$WORK/base.csv" "$WORK/new-other.csv" >/dev/null 2>"$WORK/other.err"
[ $? -eq $same_status ] && ! grep -q 'different machines' "$WORK/other.err"
ok $? "another host name, load average and version: the same kind of machine"

# Two fields at once, and a file whose rows come from two kernels.
setcol "$WORK/new-kernel.csv" "$WORK/new-two.csv" virtualization other-virtualization
"$BIN" compare "$WORK/base.csv" "$WORK/new-two.csv" >/dev/null 2>"$WORK/two.err"
grep -q "kernel: '.*' in BASE, 'other-kernel' in NEW; virtualization: '.*' in BASE, 'other-virtualization' in NEW" "$WORK/two.err"
ok $? "two fields differ: both named, in order"
{ cat "$WORK/new.csv"; sed 1d "$WORK/new-kernel.csv"; } >"$WORK/new-mixed.csv"
"$BIN" compare "$WORK/base.csv" "$WORK/new-mixed.csv" >/dev/null 2>"$WORK/mixed.err"
grep -q "kernel: '$(base_val kernel)' in BASE, '$(base_val kernel)', 'other-kernel' in NEW" "$WORK/mixed.err"
ok $? "NEW's rows from two kernels: both listed"
setcol "$WORK/new.csv" "$WORK/new-none.csv" kernel ''
"$BIN" compare "$WORK/base.csv" "$WORK/new-none.csv" >/dev/null 2>"$WORK/none.err"
grep -q "kernel: '.*' in BASE, (not recorded) in NEW" "$WORK/none.err"
ok $? "a kernel not recorded in NEW: a difference, said so"

# JSON: the fingerprint is in the context.
"$BIN" compare --same-machine "$WORK/base.json" "$WORK/new.json" >/dev/null 2>"$WORK/j.err"
[ $? -eq $same_status ] && ! grep -q 'different machines' "$WORK/j.err"
ok $? "two JSON files of this machine: compared, no warning"
sed "s/\"kernel\": \"[^\"]*\"/\"kernel\": \"other-kernel\"/" "$WORK/new.json" >"$WORK/new-kernel.json"
grep -q '"kernel": "other-kernel"' "$WORK/new-kernel.json"
"$BIN" compare --same-machine "$WORK/base.csv" "$WORK/new-kernel.json" >/dev/null 2>"$WORK/jk.err"
[ $? -eq 2 ] && grep -q "kernel: '.*' in BASE, 'other-kernel' in NEW" "$WORK/jk.err"
ok $? "a JSON file from another kernel against a CSV: refused under --same-machine"

"$BIN" compare --check --same-machine
ok $? "--same-machine is an option compare --check knows"
"$BIN" compare --help | grep -q -- '--same-machine'
ok $? "compare --help documents --same-machine"

done_testing
