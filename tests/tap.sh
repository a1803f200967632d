# tap.sh - sourced by the shell tests (not a test itself): Test Anything Protocol output for
# meson's `protocol: 'tap'`, and a private work directory removed when the test exits.
#
#   ok STATUS DESCRIPTION      one check: STATUS 0 passes (pass "$?" or a test's status)
#   skip DESCRIPTION REASON    a check that cannot run here
#   todo STATUS DESCRIPTION WHY  a known bug: reported, not counted as a failure
#   diag [FILE]                copy FILE (or stdin) into the output as TAP comments
#   done_testing               print the plan; the test's exit status is whether all passed
#   tap_workdir NAME           WORK=a new private directory under $TMPDIR, removed on exit
#
# A skipped test prints "1..0 # SKIP reason" and exits 0: meson 1.0 counts that as a skip,
# while exit 77 would count as an error under TAP.
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

todo() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2 # TODO $3"
	else
		echo "not ok $n - $2 # TODO $3"
	fi
}

# Diagnostics go to the TAP stream and, the first 40 lines, to stderr: a test runner that shows only
# a failed test's stderr then still shows why it failed.
diag() {
	local t
	t=$(sed 's/^/# /' "$@")
	[ -n "$t" ] || return 0
	printf '%s\n' "$t"
	printf '%s\n' "$t" | head -n 40 >&2
}

done_testing() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

# A test's scratch folder, removed when it ends (kept with TAP_KEEP=1, to look into a failure).
tap_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	[ -n "${TAP_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
}
