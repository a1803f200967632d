#!/bin/bash
# readme.sh CSV_COLUMNS IPCBENCH PAGE - TAP: the table of CSV columns in docs/csv-columns.md is the table in
# lib/csvcolumns.def (as csv_columns --markdown prints it), and the header of a fresh run names the
# same columns in the same order. When the table changes, scripts/csv-columns rewrites the
# page's copy; this test fails until it has.
set -u
TOOL=${1:?usage: readme.sh csv_columns ipcbench README.md}
BIN=${2:?usage: readme.sh csv_columns ipcbench README.md}
README=${3:?usage: readme.sh csv_columns ipcbench README.md}
. "$(dirname "$0")/../tap.sh"
tap_workdir readme-columns

BEGIN_MARK='<!-- csv-columns: generated from lib/csvcolumns.def by scripts/csv-columns -->'
END_MARK='<!-- csv-columns: end -->'

[ "$(grep -cxF -- "$BEGIN_MARK" "$README")" -eq 1 ] && [ "$(grep -cxF -- "$END_MARK" "$README")" -eq 1 ]
ok $? "the columns page has one generated table of CSV columns, between its two markers"

awk -v b="$BEGIN_MARK" -v e="$END_MARK" '$0 == e { f = 0 } f { print } $0 == b { f = 1 }' \
	"$README" >"$WORK/readme.md"
"$TOOL" --markdown >"$WORK/table.md"
ok $? "csv_columns prints the table"
if cmp -s "$WORK/readme.md" "$WORK/table.md"; then
	ok 0 "the columns page's table is lib/csvcolumns.def's, line for line"
else
	ok 1 "the columns page's table is lib/csvcolumns.def's, line for line (run scripts/csv-columns)"
	diff -u "$WORK/readme.md" "$WORK/table.md" | diag
fi

# The names in the README's table, in order, against the header of a real run.
sed -nE 's/^\| `([a-z0-9_]+)` \|.*/\1/p' "$WORK/readme.md" | paste -sd, >"$WORK/readme-names"
"$BIN" -q -t null -s 64 -m latency -n 20 -d 0 -w 2 --csv "$WORK/run.csv" >/dev/null 2>"$WORK/err"
ok $? "a tiny real run writes a CSV"
head -1 "$WORK/run.csv" >"$WORK/run-header"
if [ -s "$WORK/readme-names" ] && cmp -s "$WORK/readme-names" "$WORK/run-header"; then
	ok 0 "a fresh run's header names the page's columns, in the page's order ($(tr , '\n' <"$WORK/run-header" | wc -l) columns)"
else
	ok 1 "a fresh run's header names the page's columns, in the page's order"
	{
		echo "README: $(cat "$WORK/readme-names")"
		echo "run:    $(cat "$WORK/run-header")"
	} | diag
fi
"$TOOL" --names | paste -sd, | cmp -s - "$WORK/run-header"
ok $? "and they are the table's names"

done_testing
