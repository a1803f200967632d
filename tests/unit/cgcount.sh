#!/bin/bash
# cgcount.sh TEST_CGCOUNT - run test_cgcount's counted part twice under callgrind, as ipcbench
# --count runs its sides, and let it read the two profiles (TAP).
set -u
BIN=${1:?usage: cgcount.sh test_cgcount}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed (scripts/setup installs it)"
	exit 0
fi
# AddressSanitizer's runtime must load first, and valgrind's loads before it.
if ldd "$BIN" 2>/dev/null | grep -q 'libasan'; then
	echo "1..0 # SKIP a sanitizer build cannot run under valgrind"
	exit 0
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cgcount.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
for i in 1 2; do
	valgrind --tool=callgrind --vgdb=no --collect-atstart=no --collect-systime=yes --dump-instr=yes \
		--compress-strings=no --compress-pos=no -q \
		--callgrind-out-file="$WORK/run$i.%p" "$BIN" --counted || exit 1
done
set -- "$WORK"/run1.*.1 "$WORK"/run2.*.1
# Not exec: the EXIT trap must still remove WORK after the reading.
"$BIN" "$1" "$2"
