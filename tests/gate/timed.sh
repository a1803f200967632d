#!/bin/bash
# tests/gate/timed.sh [--stress] [--tries N] [--aa N] OUT - the gate's benchmark: scripts/ab-gate, as the
# README's recipe runs it (-t pipe,shm -s 64,64K -m throughput, counting on), between the
# unpatched build and itself (A/A), between two builds of the same source (A/A rebuilt), and
# between the unpatched build and each source change of tests/gate/patches and an -O1 build
# (tests/gate/variants.sh), --tries times each (default 3; the A/A ones --aa times, default 10); the extra copy in the
# ring also taken out again (its build as OLD), and the ring's reader that no longer spins also
# gated on the round trip (-m latency --metric p50_ns), where it waits. Prints a line per gate:
# its name, exit status, wall time and summary, then its groups' verdicts and notes; every gate's
# files stay in OUT/gates. --stress: `stress-ng --cpu 1` runs beside every gate (one of the two
# pinned sides shares its CPU with a busy loop). Not a test: its verdicts are the time's, on
# this machine now; docs/ci-gate.md has what it printed.
set -euo pipefail
stress=0
tries=3
aa=10
while [ $# -gt 0 ]; do
	case $1 in
	--stress) stress=1 ;;
	--tries | --aa)
		[[ ${2:-} =~ ^[0-9]{1,3}$ ]] || { echo "timed.sh: $1 needs a number" >&2; exit 2; }
		[ "$1" = --aa ] && aa=$2 || tries=$2
		shift
		;;
	-h | --help)
		sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) break ;;
	esac
	shift
done
out=${1:?usage: timed.sh [--stress] [--tries N] [--aa N] OUT}
here=$(cd "$(dirname "$0")" && pwd)
gate=$here/../../scripts/ab-gate
[ -x "$out/v/base/ipcbench" ] || "$here/variants.sh" "$out/v" >/dev/null
[ -x "$out/rebuilt/base/ipcbench" ] || "$here/variants.sh" "$out/rebuilt" base >/dev/null
mkdir -p "$out/gates"
pid=''
if [ $stress -eq 1 ]; then
	command -v stress-ng >/dev/null || { echo "timed.sh: --stress needs stress-ng (scripts/setup stress-ng)" >&2; exit 2; }
	stress-ng --cpu 1 --quiet &
	pid=$!
	trap 'kill $pid 2>/dev/null' EXIT
	sleep 1
fi

one() { # one LABEL OLD NEW [AB-GATE OPTIONS --] [IPCBENCH OPTIONS]: one gate, its line
	local label=$1 old=$2 new=$3 dir=$out/gates/$1 rc=0 t0 t1
	shift 3
	local opts=() bench=(-t pipe,shm -s 64,64K -m throughput)
	if [ $# -gt 0 ]; then
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			opts+=("$1")
			shift
		done
		shift
		bench=("$@")
	fi
	rm -rf "$dir"
	t0=$(date +%s.%N)
	"$gate" --out "$dir" "${opts[@]}" "$old" "$new" "${bench[@]}" >"$dir.stdout" 2>"$dir.stderr" ||
		rc=$?
	t1=$(date +%s.%N)
	printf '%-24s exit %d %6.1f s  %s\n' "$label" "$rc" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(tail -n 1 "$dir.stdout")"
	grep -E '^(pipe|shm) ' "$dir/look-final.txt" | grep -v ' count ' | sed -E 's/  +/ /g; s/^/    /' |
		cut -c1-300 || true
}

v=$out/v
for ((i = 1; i <= aa; i++)); do one "aa-same-$i" "$v/base/ipcbench" "$v/base/ipcbench"; done
for ((i = 1; i <= aa; i++)); do
	one "aa-rebuilt-$i" "$v/base/ipcbench" "$out/rebuilt/base/ipcbench"
done
for p in "$here"/patches/*.patch O1; do
	name=$(basename "$p" .patch)
	for ((i = 1; i <= tries; i++)); do one "$name-$i" "$v/base/ipcbench" "$v/$name/ipcbench"; done
done
for ((i = 1; i <= tries; i++)); do
	one "bounce-removed-$i" "$v/shm-bounce-copy/ipcbench" "$v/base/ipcbench"
	one "reader-sleeps-rtt-$i" "$v/base/ipcbench" "$v/shm-reader-sleeps/ipcbench" \
		--metric p50_ns -- -t shm -s 64,64K -m latency
done
