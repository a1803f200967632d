#!/bin/bash
# aa_check.sh - a real A/A check of the CI gate for .ci/run: scripts/ab-gate with the same
# ipcbench binary on both sides (pipe and shm, 64 B and 64 KiB, throughput, 10 rounds). The same
# code can never be a regression, so any `regressed` is a false alarm and fails the check;
# `inconclusive` (exit 3) is the noise guard doing its job on a busy machine and is accepted.
# The table is printed either way.
#
# Usage: aa_check.sh PATH/TO/ipcbench
set -euo pipefail
BIN=${1:?usage: aa_check.sh ipcbench}
here=$(cd "$(dirname "$0")" && pwd)
gate=$here/../../scripts/ab-gate
work=$(mktemp -d "${TMPDIR:-/tmp}/aa_check.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
"$gate" --rounds 10 --out "$work" "$BIN" "$BIN" -t pipe,shm -s 64,64K -m throughput -d 0.1 ||
	status=$?
case $status in
0) echo "aa_check: ok: no group regressed" ;;
3) echo "aa_check: ok: no group regressed (some inconclusive: the machine is noisy)" ;;
1)
	echo "aa_check: FAIL: the same binary was judged a regression (a false alarm)" >&2
	exit 1
	;;
*)
	echo "aa_check: FAIL: ab-gate exited $status" >&2
	exit 1
	;;
esac
