#!/bin/bash
# headers.sh SOURCE_ROOT - TAP: which header a file gets is never a matter of include order. Every
# header has an include guard of its own, and no two headers that a plain #include "NAME.h" could
# reach share a name (a header of the public contract, include/ipcbench/, is reached by its
# directory: <ipcbench/NAME.h>). Two headers named alike, each folder's include path reaching one,
# would give a file whichever its include path lists first.
set -u
ROOT=${1:?usage: headers.sh SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"
tap_workdir headers

cd "$ROOT" || exit 1
find lib transports bench analyze history tests examples -name '*.h' | sort >"$WORK/plain"
find include -name '*.h' | sort >"$WORK/public"
[ -s "$WORK/plain" ]
ok $? "$(wc -l <"$WORK/plain") headers reached by their name alone, $(wc -l <"$WORK/public") by their directory"

xargs -n1 basename <"$WORK/plain" | sort | uniq -d >"$WORK/names"
[ ! -s "$WORK/names" ]
ok $? "no two share a name ($(paste -sd' ' "$WORK/names"))"

: >"$WORK/guards"
while read -r h; do
	g=$(grep -m1 -oE '^#ifndef [A-Za-z0-9_]+' "$h" | cut -d' ' -f2)
	grep -qx "#define $g" "$h" && echo "$g $h" >>"$WORK/guards" || echo "- $h" >>"$WORK/guards"
done < <(cat "$WORK/plain" "$WORK/public")
grep '^- ' "$WORK/guards" | cut -c3- >"$WORK/unguarded"
[ ! -s "$WORK/unguarded" ]
ok $? "each has an include guard ($(paste -sd' ' "$WORK/unguarded"))"
cut -d' ' -f1 "$WORK/guards" | grep -v '^-$' | sort | uniq -d >"$WORK/shared"
[ ! -s "$WORK/shared" ]
ok $? "and no two share one ($(paste -sd' ' "$WORK/shared"))"

done_testing
