#!/bin/bash
# tests/gate/variants.sh OUT [NAME...] - build this checkout's ipcbench again, as it is (OUT/base)
# and once with each source change of tests/gate/patches (OUT/NAME, from NAME.patch), and
# at -O1 (OUT/O1): the builds the gate is tested with (tests/gate/signature.sh counts them,
# tests/gate/timed.sh gates them). NAMEs: the ones to build (default every one, base always).
# One scratch copy of the tree, configured once: each change is applied, built (only what it
# touches is compiled again), its binary kept, and taken back out. Prints OUT/NAME lines.
set -euo pipefail
out=${1:?usage: variants.sh OUT [NAME...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for p in "$here"/patches/*.patch; do
		names+=("$(basename "$p" .patch)")
	done
	names+=(O1)
fi
mkdir -p "$out"
src=$out/src
rm -rf "$src"
mkdir -p "$src"
# The checkout's files as they are (committed or not), without its build directories.
git -C "$root" ls-files -z --cached --others --exclude-standard |
	(cd "$root" && tar --null -cf - -T -) | tar -xf - -C "$src"
meson setup "$src/build" "$src" >/dev/null
keep() { # keep NAME: the build's binaries into OUT/NAME
	rm -rf "${out:?}/$1"
	mkdir -p "$out/$1"
	cp "$src/build/ipcbench" "$src/build/ipcb-rank" "$out/$1/" 2>/dev/null ||
		cp "$src/build/ipcbench" "$out/$1/"
	echo "$out/$1"
}
ninja -C "$src/build" ipcbench >/dev/null
keep base
o1=0
for name in "${names[@]}"; do
	[ "$name" != base ] || continue
	if [ "$name" = O1 ]; then
		o1=1 # last: it compiles everything again
		continue
	fi
	patch=$here/patches/$name.patch
	[ -f "$patch" ] || { echo "variants.sh: no $patch" >&2; exit 2; }
	(cd "$src" && patch -s -p1 <"$patch")
	ninja -C "$src/build" ipcbench >/dev/null
	keep "$name"
	(cd "$src" && patch -s -R -p1 <"$patch")
done
if [ $o1 -eq 1 ]; then
	meson configure "$src/build" -Doptimization=1 >/dev/null
	ninja -C "$src/build" ipcbench >/dev/null
	keep O1
fi
rm -rf "$src"
