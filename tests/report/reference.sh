#!/bin/bash
# reference.sh IPCBENCH SOURCE_ROOT - TAP: the committed reference reports (results/NAME.md and
# NAME-appendix.md) are what `ipcbench report` writes today from their committed CSVs, as
# docs/default-run.md tells a reader they are: a change to the report's words or numbers shows
# in them, and is committed with them (in results/: ../build/ipcbench report NAME.csv --figures
# ../plots -o NAME.md).
set -u
BIN=${1:?usage: reference.sh ipcbench SOURCE_ROOT}
ROOT=${2:?usage: reference.sh ipcbench SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"
tap_workdir report-reference
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

mkdir -p "$WORK/results"
found=0
for csv in "$ROOT"/results/*.csv; do
	name=$(basename "$csv" .csv)
	[ -f "$ROOT/results/$name.md" ] || continue
	found=$((found + 1))
	# The CSV and the histogram logs beside it, as the report finds them in results/.
	cp "$csv" "$ROOT/results/$name".*hlog "$WORK/results/" 2>/dev/null
	(cd "$WORK/results" && "$BIN" report "$name.csv" --figures ../plots -o "$name.md") \
		>"$WORK/$name.out" 2>&1
	ok $? "ipcbench report $name.csv"
	for part in "$name.md" "$name-appendix.md"; do
		diff -u "$ROOT/results/$part" "$WORK/results/$part" >"$WORK/$part.diff"
		status=$?
		ok $status "results/$part is what the report writes today"
		[ $status -eq 0 ] || head -40 "$WORK/$part.diff" | diag
	done
done
[ "$found" -gt 0 ]
ok $? "reference reports found ($found)"
done_testing
