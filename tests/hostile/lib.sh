# lib.sh - sourced by the hostile tests (not a test itself): TAP output, a private temporary
# directory per test, and the questions every test asks about a run: what did it leave, are its
# children gone, are the System V objects its registry listed gone.
#
# The sourcing test takes the ipcbench binary as $1. Everything a test makes lives under $WORK,
# and TMPDIR points into it, so ipcbench's files, FIFO directories and System V registries (and
# `ipcbench --cleanup`'s view of the temporary directory) belong to this test alone.
set -u
BIN=$(readlink -f "${1:?usage: $0 PATH/TO/ipcbench}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipcb-hostile.XXXXXX")
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
# shellcheck source=../tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
BG_PIDS=()
# The CSV splitter for awk programs that read fields which may be quoted (tests/csv.awk).
CSV_AWK=$(cat "$(dirname "${BASH_SOURCE[0]}")/../csv.awk")

lib_exit() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# Whatever a killed driver of this test left (a failed test may stop half-way).
	declare -F on_exit >/dev/null && on_exit
	"$BIN" --cleanup >/dev/null 2>&1
	# A read-only or full mount inside $WORK only exists in its own namespace: plain rm works.
	rm -rf "$WORK"
}
trap lib_exit EXIT


# Built with AddressSanitizer? Its shadow memory needs terabytes of address space.
is_asan() { ldd "$BIN" 2>/dev/null | grep -q libasan; }
# For `env`: LeakSanitizer off, where it cannot work (under ptrace, without a free descriptor or
# a process to spare); a later ASAN_OPTIONS entry wins over an earlier one.
NO_LSAN="ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0"

# Can this test make mount namespaces (unshare -m) and mount tmpfs in them?
can_mount() { unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs "$1"' sh "$WORK" 2>/dev/null; }

# Names made by the run of driver PID left in /dev/shm, /dev/mqueue or TMPDIR (and --dir DIRS).
left_named() { # left_named PID [DIR...]
	local pid=$1 d
	shift
	for d in /dev/shm /dev/mqueue "$TMPDIR" "$@"; do
		ls "$d" 2>/dev/null | grep -E "^(sem\.)?ipcbench-$pid-" | sed "s|^|$d/|"
	done
}

# Append the registry lines of driver PID's runs to FILE (deduplicated).
reg_snapshot() { # reg_snapshot PID FILE
	cat "$TMPDIR"/ipcbench-"$1"-*.sysv 2>/dev/null >>"$2"
	sort -u -o "$2" "$2"
}

# Does the System V object KIND ID with key 0xKEY still exist?
sysv_exists() { # sysv_exists msg|shm|sem ID 0xKEY
	# /proc prints keys as signed decimals.
	awk -v id="$2" -v key="$(($3))" '{ k = $1 < 0 ? $1 + 4294967296 : $1 }
		k == key && $2 == id { found = 1 } END { exit !found }' "/proc/sysvipc/$1" 2>/dev/null
}

# How many objects listed in registry snapshot FILE still exist (segments marked for removal
# lose their key and do not count: the kernel frees them with their last user).
sysv_left() { # sysv_left FILE
	local kind id key left=0
	while read -r kind id key; do
		sysv_exists "$kind" "$id" "$key" && left=$((left + 1))
	done <"$1"
	echo $left
}

# Dead: no such process, or a zombie waiting for a parent that is not ours to reap it.
proc_dead() { # proc_dead PID
	local st
	st=$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}
# Gone for good: reaped by its parent (no zombie left).
proc_gone() { [ ! -e "/proc/$1" ]; }

# Poll COMMAND every 50 ms for up to SECONDS; status 0 as soon as it succeeds.
wait_for() { # wait_for SECONDS COMMAND...
	local tries=$(($1 * 20))
	shift
	while [ $tries -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

# Every transport but those whose sides embed a JVM (module ipcb-jvm.so), comma-separated: a
# run of theirs takes seconds to start each side, ten times that under strace or beside two
# other runs, and their own tests (the transport suite, brokers.sh) put them through the same.
all_but_jvm() {
	local t
	for t in $("$BIN" --list | awk 'NR > 1 { print $1 }'); do
		"$BIN" --list "$t" | grep -q '^  module: *ipcb-jvm\.so' || echo "$t"
	done | paste -sd, -
}

# Children of PID, one per line.
kids_of() { pgrep -P "$1" 2>/dev/null; }
two_kids() { [ "$(kids_of "$1" | wc -l)" -eq 2 ]; }
# A run's side by its role (sender, receiver): the child that named itself ipcb-ROLE.
side_of() { pgrep -P "$1" -x "ipcb-$2" 2>/dev/null; }
two_sides() { [ -n "$(side_of "$1" sender)" ] && [ -n "$(side_of "$1" receiver)" ]; }
# The data lines of a CSV (0 when missing).
csv_rows() { if [ -f "$1" ]; then tail -n +2 "$1" | grep -c .; else echo 0; fi; }
has_row() { [ -f "$1" ] && grep -q "^$2," "$1"; } # has_row CSV TRANSPORT

# ---- a sweep stopped mid-run, and what a clean end means (exitpaths.sh, signals.sh) ----

# Start `ipcbench -t null,T` in the background. null's run ends at once; T's runs for seconds.
# Returns once null's row is in the CSV and T's sender and receiver run, with PID (the driver),
# SENDER, RECEIVER, and REG (the run's registry lines so far) set.
start_sweep() { # start_sweep NAME T [ARGS...]
	local name=$1 t=$2
	shift 2
	CSV=$WORK/$name.csv ERR=$WORK/$name.err REG=$WORK/$name.reg
	: >"$REG"
	"$BIN" -q -t "null,$t" -s 64 -m latency -n 1000000 -d 0 -w 5 --csv "$CSV" "$@" \
		>/dev/null 2>"$ERR" &
	PID=$!
	BG_PIDS+=("$PID")
	SENDER="" RECEIVER=""
	wait_for 20 has_row "$CSV" null && wait_for 20 two_sides "$PID" || return 1
	# By the names the sides give themselves: the sender is forked first, but its pid is not
	# the lower one where the pids wrap around between the two forks.
	SENDER=$(side_of "$PID" sender) RECEIVER=$(side_of "$PID" receiver)
	sleep 0.3 # well into the measured loop
	reg_snapshot "$PID" "$REG"
}

# Wait for the driver and check everything a clean end means.
check_end() { # check_end WHAT T WANT_STATUS MESSAGE_REGEX
	local what=$1 t=$2 want=$3 re=$4 st k bad=0
	wait "$PID"
	st=$?
	[ "$st" -eq "$want" ] && grep -qE -- "$re" "$ERR"
	ok $? "$what: exit $want (got $st) and stderr says /$re/"
	[ "$st" -eq "$want" ] || diag "$ERR"
	[ "$(grep -c '^null,latency,64,[0-9]*,[0-9]*,rtt,' "$CSV")" -eq 1 ] && ! grep -q "^$t," "$CSV" &&
		awk -F, 'NR == 1 { nf = NF } NF != nf { bad = 1 } END { exit bad }' "$CSV"
	ok $? "$what: the row measured before is kept, complete; no row for the broken run"
	for k in $SENDER $RECEIVER; do
		proc_gone "$k" || { bad=1; diag <<<"child $k: $(cat /proc/$k/stat 2>/dev/null)"; }
	done
	[ -n "$SENDER" ] && [ -n "$RECEIVER" ] && [ $bad -eq 0 ]
	ok $? "$what: sender $SENDER and receiver $RECEIVER are gone and reaped"
	case $t in
	sysv-*)
		[ -s "$REG" ] && [ "$(sysv_left "$REG")" -eq 0 ]
		ok $? "$what: the $(wc -l <"$REG") System V object(s) its registry listed are removed"
		;;
	esac
	[ -z "$(left_named "$PID")" ]
	ok $? "$what: nothing named ipcbench-$PID-* is left (files, FIFOs, registries)"
	left_named "$PID" | diag
}
