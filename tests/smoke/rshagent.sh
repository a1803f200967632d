#!/bin/bash
# rshagent.sh IPCBENCH - TAP: `ipcbench rsh-agent --there HEX`, the peer's end of a runtime's
# remote start: the command runs in a directory of its own (its TMPDIR), its output and exit
# status come back, the directory goes; a closed standard input (the launcher gone) stops it.
set -u
BIN=$(readlink -f "${1:?usage: rshagent.sh ipcbench}")
. "$(dirname "$0")/../tap.sh"
tap_workdir rshagent
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# Its standard input held open (a launcher still there) while the command runs.
out=$( (sleep 5) | "$BIN" rsh-agent --there "$(hex 'echo "here: $TMPDIR"; exit 3')" 2>"$WORK/err")
st=$?
[ $st -eq 3 ] && [[ $out == "here: $TMPDIR/ipcbench-"*.d ]] && [ -z "$(ls "$TMPDIR")" ]
ok $? "the command's output and status come back (exit $st: $out), its directory is gone"
[ -s "$WORK/err" ] && diag "$WORK/err"

start=$(date +%s)
"$BIN" rsh-agent --there "$(hex 'sleep 617')" </dev/null >/dev/null 2>"$WORK/err"
st=$?
took=$(($(date +%s) - start))
[ $st -ne 0 ] && [ $took -lt 30 ] && [ -z "$(ls "$TMPDIR")" ] && ! pgrep -f 'sleep 617' >/dev/null
ok $? "a closed standard input stops it and what it started (exit $st after $took s), nothing left"

"$BIN" rsh-agent --there "zz" >/dev/null 2>"$WORK/err"
st=$?
[ $st -ne 0 ] && grep -q "not a command in hexadecimal" "$WORK/err"
ok $? "a command not in hexadecimal is refused (exit $st)"
done_testing
