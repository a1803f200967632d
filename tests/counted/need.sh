# need.sh - sourced by the counted tests after tap.sh (not a test itself): counted_need BIN
# skips the whole test, and exits, where `BIN --count` cannot count two sides on two CPUs here:
# no valgrind, a build that cannot count (a sanitizer's), or one CPU.
counted_need() {
	local why
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "1..0 # SKIP valgrind is not installed (scripts/setup installs it)"
		exit 0
	fi
	if ! why=$("$1" --count --list 2>&1 >/dev/null); then
		echo "1..0 # SKIP this ipcbench cannot count: ${why%%$'\n'*}"
		exit 0
	fi
	if [ "$(nproc)" -lt 2 ]; then
		echo "1..0 # SKIP one CPU: the counted runs cross two"
		exit 0
	fi
}
