#!/bin/bash
# names.sh CSV_COLUMNS SOURCE_ROOT - TAP: no C code spells a CSV column's name but the column
# table, lib/csvcolumns.def. The writer, compare and report reach columns through the table's enum,
# so a column renamed or added in the table cannot leave a stale copy behind. Checked in the
# string literals of lib/, transports/, bench/, analyze/ and history/ (comments may name columns, and
# tests may too):
#   1. a name with an underscore or a digit (size_bytes, p50_ns, ...) appears in no literal;
#   2. plain-word names (transport, host, ...) are ordinary words elsewhere (an option is called
#      --transport, a human table has a "wait" title), so for them the checks are the ways a
#      column gets spelled: compared with strcmp() against a literal, or the first member of a
#      braced initializer ({"host", ...}, not an option of a command-line table: lib/cliopt.h,
#      whose letters literals.pl has already removed); and in any literal, two column names
#      joined by a comma (a piece of a header).
set -u
TOOL=${1:?usage: names.sh csv_columns SOURCE_ROOT}
ROOT=${2:?usage: names.sh csv_columns SOURCE_ROOT}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tap.sh"
tap_workdir schema-names

"$TOOL" --names >"$WORK/names"
[ "$(wc -l <"$WORK/names")" -gt 10 ]
ok $? "the table names its columns ($(wc -l <"$WORK/names"))"

# FILE:LINE of each literals.pl line.
where() { cut -f1 | cut -d: -f1,2; }

# check_names DIR: every way a file under DIR spells a column, one per line, "NAME (how): FILE:LINE".
check_names() {
	local lit=$WORK/literals.$$ name alt
	(cd "$1" && find lib transports bench analyze history -name '*.[ch]' ! -path lib/csvcolumns.def \
		2>/dev/null | sort | xargs -r perl "$HERE/literals.pl") >"$lit"
	while read -r name; do
		case $name in
		*_* | *[0-9]*)
			grep -E "^[^:]+:[0-9]+:([^	]*[^a-z0-9_	])?$name([^a-z0-9_	][^	]*)?	" "$lit" |
				where | sed "s/^/$name (in a literal): /"
			;;
		*)
			grep -E "	.*str(n)?(case)?cmp\([^;]*\"$name\"" "$lit" | where |
				sed "s/^/$name (compared): /"
			grep -E "	.*\{ *\"$name\" *, *[^\" ]" "$lit" |
				grep -vE "	.*\{ *\"$name\" *, *((required|no|optional)_argument|0? *, *(true|false) *,)" |
				where | sed "s/^/$name (a table entry): /"
			;;
		esac
	done <"$WORK/names"
	alt=$(paste -sd'|' "$WORK/names")
	grep -E "^[^:]+:[0-9]+:([^	]*[^a-z0-9_	])?($alt),($alt)([^a-z0-9_	][^	]*)?	" "$lit" |
		where | sed "s/^/(a header piece): /"
	rm -f "$lit"
}

# The checks find what they look for: code that spells columns the old ways fails them, and a
# name in a comment, an option table or a human table's titles does not.
mkdir -p "$WORK/probe/analyze"
cat >"$WORK/probe/analyze/probe.c" <<'C'
#define HEADER "transport,mode"
static const struct { const char *name; int required; } cols[] = {{"host", 1}};
static int f(const char *s) { return strcmp(s, "wait") == 0 || strcmp(s, "x_floor"); }
static const struct option opts[] = {{"placement", required_argument, NULL, 'p'}};
static const char *titles[] = {"transport", "mode", "wait"};
static char c = '"'; /* "latency_kind" in a comment, "host", {"wait", 1} */
static const char *s = "a // not a comment, size_bytes"; // "p50_ns"
static const struct ipcb_cliopt o2[] = {{"mode", 'm', true, 'm'}, {"fsync", 0, false, 1}};
C
check_names "$WORK/probe" | sort -u >"$WORK/probe.hits"
cat >"$WORK/probe.want" <<'W'
(a header piece): analyze/probe.c:1
host (a table entry): analyze/probe.c:2
size_bytes (in a literal): analyze/probe.c:7
wait (compared): analyze/probe.c:3
x_floor (in a literal): analyze/probe.c:3
W
cmp -s "$WORK/probe.hits" "$WORK/probe.want"
ok $? "the checks catch a header piece, a table entry, a comparison and a name in a literal, and nothing else"
cmp -s "$WORK/probe.hits" "$WORK/probe.want" || diff "$WORK/probe.want" "$WORK/probe.hits" | diag

check_names "$ROOT" | sort -u >"$WORK/hits"
if [ ! -s "$WORK/hits" ]; then
	ok 0 "no C source outside lib/csvcolumns.def spells a CSV column's name"
else
	ok 1 "no C source outside lib/csvcolumns.def spells a CSV column's name"
	diag "$WORK/hits"
fi
[ "$(cd "$ROOT" && find lib bench analyze -name '*.c' | wc -l)" -gt 10 ]
ok $? "the sources were there to be checked"

done_testing
