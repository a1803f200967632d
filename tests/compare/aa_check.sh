#!/bin/bash
# aa_check.sh - a real A/A check of the CI gate for .ci/run: scripts/ab-gate with the same
# ipcbench binary on both sides (pipe and shm, 64 B and 64 KiB, throughput, the default looks and
# a 90 s budget), counting first as it does by default: the verdicts are the counted table's when
# the counts decided (counts.txt), else the last look's. The same code can never be a regression, so any `regressed` (or a group that
# "would be regressed" were it not for the control rows) is a false alarm and fails the check.
# And the gate must decide something: at least one group must be shown `ok` (equivalent within
# the threshold at the stated confidence), or the check fails too, since a gate that only ever
# says "inconclusive" tells CI nothing. How many groups were decided is printed either way, with
# the table.
#
# Usage: aa_check.sh PATH/TO/ipcbench   (IPCB_AB_GATE names another gate script: for its test)
set -euo pipefail
BIN=${1:?usage: aa_check.sh ipcbench}
here=$(cd "$(dirname "$0")" && pwd)
gate=${IPCB_AB_GATE:-$here/../../scripts/ab-gate}
work=$(mktemp -d "${TMPDIR:-/tmp}/aa_check.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
"$gate" --budget 90 --out "$work/gate" "$BIN" "$BIN" -t pipe,shm -s 64,64K -m throughput ||
	status=$?
table=$work/gate/look-final.txt
[ -s "$table" ] || table=$work/gate/counts.txt
summary=$(grep -E '^[0-9]+ groups? compared:' "$table" 2>/dev/null || true)
[ -n "$summary" ] || {
	echo "aa_check: FAIL: ab-gate exited $status without a comparison" >&2
	exit 1
}
count() { sed -nE "s/.*[:,] ([0-9]+) $1[,;].*/\1/p" <<<"$summary"; }
groups=$(sed -nE 's/^([0-9]+) groups? compared.*/\1/p' <<<"$summary")
regressed=$(count regressed)
oks=$(count ok)
improved=$(count improved)
would=$(grep -c 'would be regressed' "$table" || true)
# A summary these patterns no longer read must fail the check, not pass it with empty counts.
for n in "$groups" "$regressed" "$oks" "$improved" "$would"; do
	[[ $n =~ ^[0-9]+$ ]] || {
		echo "aa_check: FAIL: cannot read the counts in: $summary" >&2
		exit 1
	}
done
decided=$((regressed + oks + improved))
echo "aa_check: $decided of $groups groups decided ($oks ok, $improved improved, $regressed regressed; $would would be regressed but for the controls); ab-gate exited $status"
if [ "$regressed" -gt 0 ] || [ "$would" -gt 0 ] || [ "$status" -eq 1 ]; then
	echo "aa_check: FAIL: the same binary was judged a regression (a false alarm)" >&2
	exit 1
fi
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ] && [ "$status" -ne 4 ]; then
	echo "aa_check: FAIL: ab-gate exited $status" >&2
	exit 1
fi
if [ "$oks" -lt 1 ]; then
	echo "aa_check: FAIL: no group was shown ok: the gate decided nothing on the same binary" >&2
	exit 1
fi
echo "aa_check: ok: no false alarm, and $oks group(s) shown ok"
