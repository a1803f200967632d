#!/bin/bash
# badinput.sh - bad input, one case at a time (TAP, table-driven).
#
# Every option with a missing, empty, negative, zero, huge, non-numeric, malformed or
# out-of-range value; unknown transport, placement, wait, mode and fault names; CPUs that do not
# exist or are not allowed (under taskset -c 0); unwritable, wrong-typed and full output paths;
# a --dir that is missing, a file, read-only (a read-only tmpfs in a private mount namespace:
# root ignores mode bits) or full (a tiny tmpfs); `compare` inputs that are empty, truncated,
# wrong-typed, binary or enormous. Each must end with the documented status (2 usage, 1 runtime)
# and one error line that names the bad value; never a crash (signal, sanitizer report), never a
# hang (30 s limit), and no output file left that looks complete when it is not.
#
# Usage: badinput.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# Arguments that make an accidentally accepted value end fast instead of running everything.
Q="-q -t null -n 5 -d 0"

# ---- inputs the table refers to ----
RO=$WORK/ro FULL=$WORK/full TINY=$WORK/tiny
mkdir -p "$RO" "$FULL" "$TINY" "$WORK/hgrm-file"
echo "some,other,header" >"$WORK/other.csv"
echo "not a directory" >"$WORK/plain"
: >"$WORK/empty.csv"
"$BIN" -q -t pipe -s 64 -m throughput -n 20 -d 0 -w 2 -r 3 --csv "$WORK/real.csv" >/dev/null 2>&1 ||
	echo "# could not make real.csv"
head -1 "$WORK/real.csv" >"$WORK/header.csv"
head -c 30 "$WORK/real.csv" >"$WORK/cut-header.csv"
size=$(wc -c <"$WORK/real.csv")
head -c $((size - 40)) "$WORK/real.csv" >"$WORK/cut-row.csv"
cut_line=$(($(wc -l <"$WORK/cut-row.csv") + 1)) # the torn last line
# Wrong types: the size column holds text, a count is negative, a rate is not a number.
awk -F, -v OFS=, 'NR == 2 { $3 = "sixty-four" } 1' "$WORK/real.csv" >"$WORK/text-size.csv"
awk -F, -v OFS=, 'NR == 3 { $16 = "fast" } 1' "$WORK/real.csv" >"$WORK/text-rate.csv"
awk -F, -v OFS=, 'NR == 2 { $16 = "1e999" } 1' "$WORK/real.csv" >"$WORK/huge-rate.csv"
awk -F, -v OFS=, 'NR == 2 { $16 = "nan" } 1' "$WORK/real.csv" >"$WORK/nan-rate.csv"
awk -F, -v OFS=, 'NR == 2 { $16 = "-1000" } 1' "$WORK/real.csv" >"$WORK/neg-rate.csv"
"$BIN" -q -t pipe -s 64 -m latency -n 20 -d 0 -w 2 --csv "$WORK/lat.csv" >/dev/null 2>&1 ||
	echo "# could not make lat.csv"
awk -F, -v OFS=, 'NR == 2 { $8 = "-5" } 1' "$WORK/lat.csv" >"$WORK/neg-p50.csv"
awk -F, -v OFS=, 'NR == 2 { $0 = $0 ",extra" } 1' "$WORK/real.csv" >"$WORK/extra-field.csv"
awk -F, -v OFS=, 'NR == 2 { NF = 5 } 1' "$WORK/real.csv" >"$WORK/short-row.csv"
{ head -1 "$WORK/real.csv"; printf 'pipe,throughput,64\0,1\n'; } >"$WORK/nul.csv"
# Binary: the same 200000 pseudo-random bytes every time (perl, seed 2), whose first error is
# on line 1; random bytes may open a quoted field that runs past the first newline, and the
# error then lands on a later line.
perl -e 'srand(2); print map { chr(int(rand(256))) } 1 .. 200000' >"$WORK/binary.csv"
# Enormous: one 16 MiB line, a header of 100000 columns, and 200000 valid rows.
{ head -1 "$WORK/real.csv"; head -c 16777216 /dev/zero | tr '\0' 'x'; echo; } >"$WORK/long-line.csv"
{ seq -s, 100000 | sed 's/[0-9]*/c&/g'; } >"$WORK/wide.csv"
awk 'NR == 1 { print; next } { row[NR] = $0 } END { for (i = 0; i < 66667; i++) for (r in row) print row[r] }' \
	"$WORK/real.csv" >"$WORK/many-rows.csv"
long_list=$(printf 'pipe,%.0s' $(seq 300))pipe
many_sizes=$(seq -s, 1 65)
long_name=$(head -c 5000 /dev/zero | tr '\0' 'a')

# ---- wrappers: where a case runs ----
# -      as is
# cpu0   restricted to CPU 0 (taskset -c 0)
# ro     --dir/--csv point into $RO, a read-only tmpfs in a private mount namespace
# full   $FULL is a full tmpfs (every block taken)
# tiny   $TINY is a 64 KiB tmpfs: room for small files, not for a run's 1 MiB buffers
# nofile RLIMIT_NOFILE of 4: room for one file beyond stdin, stdout and stderr (LeakSanitizer,
#        which needs descriptors of its own at exit, is off there)
mounts_ok=0
can_mount && mounts_ok=1
run_wrapped() { # run_wrapped WRAP ARGS...
	local wrap=$1
	shift
	case $wrap in
	-) timeout 30 "$BIN" "$@" ;;
	cpu0) timeout 30 taskset -c 0 "$BIN" "$@" ;;
	nofile) timeout 30 prlimit --nofile=4 -- env "$NO_LSAN" "$BIN" "$@" ;;
	ro | full | tiny)
		# shellcheck disable=SC2016
		timeout 30 unshare -m sh -c '
			set -e
			mount -t tmpfs -o size=64k tmpfs "$TINY"
			mount -t tmpfs -o size=64k tmpfs "$FULL"
			cat /dev/zero >"$FULL/fill" 2>/dev/null || true
			mount -t tmpfs -o ro,size=64k tmpfs "$RO"
			exec "$@"' sh "$BIN" "$@"
		;;
	esac
}
export RO FULL TINY

# WRAP | STATUS | TEXT THE MESSAGE MUST HOLD | ARGUMENTS (shell words; '' is an empty argument)
# STATUS "2!" or "1!" marks a known bug: the case is reported as TODO until it is fixed.
cases() {
	cat <<EOF
- | 2 | --transport: empty list | $Q -t ''
- | 2 | --transport: unknown transport 'nosuch' | $Q -t nosuch
- | 2 | --transport: unknown transport 'PIPE' | $Q -t PIPE
- | 2 | --transport: 'pipe,,shm' has an empty item | $Q -t pipe,,shm
- | 2 | --transport: ',pipe' has an empty item | $Q -t ,pipe
- | 2 | --transport: 'pipe,' has an empty item | $Q -t pipe,
- | 2 | --transport: 'pipe' is listed twice | $Q -t pipe,pipe
- | 2 | --transport: unknown transport 'all' | $Q -t pipe,all
- | 2 | --transport: list too long | $Q -t $long_list
- | 2 | --transport: list too long | $Q -t $long_name
- | 2 | -t: missing value | -t
- | 2 | --transport: missing value | --transport
- | 2 | --size: empty list | $Q -s ''
- | 2 | --size: '0': a size must be at least 1 byte | $Q -s 0
- | 2 | --size: '-5' is not a size | $Q -s -5
- | 2 | --size: '12Q' is not a size | $Q -s 12Q
- | 2 | --size: '1.5K' is not a size | $Q -s 1.5K
- | 2 | --size: '0x10' is not a size | $Q -s 0x10
- | 2 | --size: 'K' is not a size | $Q -s K
- | 2 | --size: ' 4' is not a size | $Q -s ' 4'
- | 2 | --size: '4KK' is not a size | $Q -s 4KK
- | 2 | --size: '2G' is larger than the largest size, 1G | $Q -s 2G
- | 2 | --size: '1025M' is larger than the largest size, 1G | $Q -s 1025M
- | 2 | --size: '99999999999999999999' is too large | $Q -s 99999999999999999999
- | 2 | --size: '18446744073709551615K' is larger than the largest size | $Q -s 18446744073709551615K
- | 2 | --size: '4K,,8K' has an empty item | $Q -s 4K,,8K
- | 2 | --size: ',4K' has an empty item | $Q -s ,4K
- | 2 | --size: '4096' is listed twice | $Q -s 4K,4096
- | 2 | --size: more than 64 sizes | $Q -s $many_sizes
- | 2 | --size: list too long | $Q -s $(printf '1%.0s' $(seq 1100))
- | 2 | -s: missing value | -s
- | 2 | --size: missing value | --size
- | 2 | --mode: unknown mode 'sideways' | $Q -m sideways
- | 2 | --mode: unknown mode 'LATENCY' | $Q -m LATENCY
- | 2 | --mode: '' is not a list of modes | $Q -m ''
- | 2 | --mode: unknown mode 'sideways' | $Q -m latency,sideways
- | 2 | --mode: 'latency,,throughput' is not a list of modes | $Q -m latency,,throughput
- | 2 | --inflight: '0' is out of range (1 to 65536) | $Q --inflight 0
- | 2 | --inflight: '65537' is out of range (1 to 65536) | $Q --inflight 65537
- | 2 | --inflight: '4' is listed twice | $Q --inflight 4,4
- | 2 | --inflight: 'x' is not a whole number | $Q --inflight x
- | 2 | --inflight: requests in flight are a latency-mode shape | $Q --inflight 4 -m throughput
- | 2 | --pairs: '0' is out of range (1 to 64) | $Q --pairs 0
- | 2 | --pairs: '65' is out of range (1 to 64) | $Q --pairs 65
- | 2 | --rate: '0' is not a number of messages per second | $Q --rate 0
- | 2 | --rate: '-5' is not a number of messages per second | $Q --rate -5
- | 2 | --rate: 'abc' is not a number of messages per second | $Q --rate abc
- | 2 | --rate: '1e3' is not a number of messages per second | $Q --rate 1e3
- | 2 | --rate and --rate-sweep: give rates, or let the sweep choose them, not both | $Q --rate 100 --rate-sweep
- | 2 | --rate 1: at that rate, 105 warm-up and measured messages take 105 s | $Q --rate 1 -m latency
- | 2 | --arrivals: unknown 'burst' | $Q --arrivals burst
- | 2 | --arrivals spaces open-loop sends: it needs --rate or --rate-sweep | $Q --arrivals poisson
- | 2 | --slo is what --rate-sweep looks for: it needs it | $Q --slo p99=20us
- | 2 | --slo: 'p101=1us': the percentile must be 50 to 99.999 | $Q --rate-sweep --slo p101=1us
- | 2 | --slo: 'p99=20': the latency needs a unit | $Q --rate-sweep --slo p99=20
- | 2 | --slo: 'p99=-1us': the latency is not a number | $Q --rate-sweep --slo p99=-1us
- | 2 | --slo: '99=20us' is not pP=LATENCY | $Q --rate-sweep --slo 99=20us
- | 2 | --topology: '2:2': one side must be 1 | $Q --topology 2:2
- | 2 | --topology: '1:0': senders and receivers are 1 to 64 each | $Q --topology 1:0
- | 2 | --topology: 'x' is not S:R | $Q --topology x
- | 2 | --topology 1:3: several senders or receivers on one channel stream one way: use -m throughput | $Q --topology 1:3 -m latency
- | 2 | --topology 1:3: --size 8 is too small | $Q --topology 1:3 -m throughput -s 8
- | 2 | --topology and --pairs: several pairs, or one channel with several senders or receivers, not both | $Q --topology 1:2 --pairs 2 -m throughput
- | 2 | --topology: '1:2,,1:3' has an empty item | $Q --topology 1:2,,1:3 -m throughput
- | 2 | --topology: 1:2 is listed twice | $Q --topology 1:2,1:3,1:2 -m throughput
- | 2 | --topology: '1:x' is not S:R | $Q --topology 1:1,1:x -m throughput
- | 2 | --topology 1:3: several senders or receivers on one channel stream one way: use -m throughput | $Q --topology 1:1,1:3 -m latency
- | 2 | --deliver: unknown 'some'; valid: one (each message to one receiver), all (every receiver gets every message) | $Q --deliver some
- | 2 | --deliver: unknown ''; valid: one | $Q --deliver=
- | 2 | --deliver: missing value | --deliver
- | 2 | --deliver all: publish-subscribe streams one way, from one sender to every receiver: use -m throughput | $Q --deliver all
- | 2 | --deliver all: publish-subscribe streams one way | $Q --deliver all -m bistream
- | 2 | --deliver all: one sender publishes to every receiver, and --topology 3:1 has 3 senders (use 1:N) | $Q --deliver all --topology 1:2,3:1 -m throughput
- | 2 | --deliver all and --pairs: one channel with every receiver on it, or several pairs, not both | $Q --deliver all --pairs 2 -m throughput
- | 2 | --deliver all: the publisher streams as fast as its receivers take the messages (a closed loop): not with --rate or --rate-sweep | $Q --deliver all --rate 1000 -m throughput
- | 2 | --deliver all: the publisher streams as fast as its receivers take the messages | $Q --deliver all --rate-sweep -m throughput
- | 2 | --deliver all: --size 8 is too small | $Q --deliver all -m throughput -s 8
- | 2 | --inflight with an open loop: a rate keeps as many requests in flight as it needs | $Q --inflight 4 --rate 100
- | 2 | --wait spin: with --inflight, an open loop with replies or -m bistream | $Q --wait spin --inflight 2
- | 2 | --wait spin: with --inflight, an open loop with replies or -m bistream | $Q --wait spin -m bistream
- | 2 | -m: missing value | -m
- | 2 | -n: missing value | -n
- | 2 | --messages: missing value | --messages
- | 2 | --messages: empty value | $Q -n ''
- | 2 | --messages: '-1' is not a whole number | $Q -n -1
- | 2 | --messages: '0' is out of range | $Q -n 0
- | 2 | --messages: 'abc' is not a whole number | $Q -n abc
- | 2 | --messages: '1e3' is not a whole number | $Q -n 1e3
- | 2 | --messages: '2.5' is not a whole number | $Q -n 2.5
- | 2 | --messages: '0x10' is not a whole number | $Q -n 0x10
- | 2 | --messages: ' 5' is not a whole number | $Q -n ' 5'
- | 2 | --messages: '5x' is not a whole number | $Q -n 5x
- | 2 | --messages: '1000000000001' is out of range | $Q -n 1000000000001
- | 2 | --messages: '99999999999999999999' is out of range | $Q -n 99999999999999999999
- | 2 | -d: missing value | -d
- | 2 | --duration: empty value | $Q -d ''
- | 2 | --duration: '-2' is not a number of seconds | $Q -d -2
- | 2 | --duration: '-0' is not a number of seconds | $Q -d -0
- | 2 | --duration: 'abc' is not a number of seconds | $Q -d abc
- | 2 | --duration: 'nan' is not a number of seconds | $Q -d nan
- | 2 | --duration: 'inf' is not a number of seconds | $Q -d inf
- | 2 | --duration: '1e400' is not a number of seconds | $Q -d 1e400
- | 2 | --duration: '.' is not a number of seconds | $Q -d .
- | 2 | --duration: '5ms' is not a number of seconds | $Q -d 5ms
- | 2 | --duration: '86401' is out of range | $Q -d 86401
- | 2 | --duration 0 needs --messages N | -q -t null -d 0
- | 2 | -w: missing value | -w
- | 2 | --warmup: empty value | $Q -w ''
- | 2 | --warmup: '-1' is not a whole number | $Q -w -1
- | 2 | --warmup: 'x' is not a whole number | $Q -w x
- | 2 | --warmup: '1.5' is not a whole number | $Q -w 1.5
- | 2 | --warmup: '1000000001' is out of range | $Q -w 1000000001
- | 2 | -r: missing value | -r
- | 2 | --repeat: empty value | $Q -r ''
- | 2 | --repeat: '0' is out of range | $Q -r 0
- | 2 | --repeat: '-1' is not a whole number | $Q -r -1
- | 2 | --repeat: 'two' is not a whole number | $Q -r two
- | 2 | --repeat: '100001' is out of range | $Q -r 100001
- | 2 | --repeat: '18446744073709551616' is out of range | $Q -r 18446744073709551616
- | 2 | --spin-polls: missing value | --spin-polls
- | 2 | --spin-polls: empty value | $Q --spin-polls ''
- | 2 | --spin-polls: '0' is out of range | $Q --spin-polls 0
- | 2 | --spin-polls: '-5' is not a whole number | $Q --spin-polls -5
- | 2 | --spin-polls: 'many' is not a whole number | $Q --spin-polls many
- | 2 | --spin-polls: '1000000001' is out of range | $Q --spin-polls 1000000001
- | 2 | --work-ns: missing value | --work-ns
- | 2 | --work-ns: empty value | $Q --work-ns ''
- | 2 | --work-ns: '-3' is not a whole number | $Q --work-ns -3
- | 2 | --work-ns: '1e3' is not a whole number | $Q --work-ns 1e3
- | 2 | --work-ns: '1000000001' is out of range | $Q --work-ns 1000000001
- | 2 | --timeout: missing value | --timeout
- | 2 | --timeout: empty value | $Q --timeout ''
- | 2 | --timeout: '0' is out of range | $Q --timeout 0
- | 2 | --timeout: '-1' is not a number of seconds | $Q --timeout -1
- | 2 | --timeout: '0.0001' is out of range | $Q --timeout 0.0001
- | 2 | --timeout: '86401' is out of range | $Q --timeout 86401
- | 2 | --timeout: 'soon' is not a number of seconds | $Q --timeout soon
- | 2 | --timeout: 'nan' is not a number of seconds | $Q --timeout nan
- | 2 | --duration: '0x10' is not a number of seconds | $Q -d 0x10
- | 2 | --duration: '0x1p1' is not a number of seconds | $Q -d 0x1p1
- | 2 | --duration: '1e1' is not a number of seconds | $Q -d 1e1
- | 2 | --duration: 'infinity' is not a number of seconds | $Q -d infinity
- | 2 | --timeout: '0x1p1' is not a number of seconds | $Q --timeout 0x1p1
- | 2 | --timeout: '0x10' is not a number of seconds | $Q --timeout 0x10
- | 2 | --timeout: 'inf' is not a number of seconds | $Q --timeout inf
- | 2 | --timeout: '1.5e1' is not a number of seconds | $Q --timeout 1.5e1
- | 2 | --timeout 0.5 is too short for --duration 2 | -q -t null -d 2 --timeout 0.5
- | 2 | --timeout 2.5 is too short for --duration 2 | -q -t null -d 2 --timeout 2.5
- | 2 | --timeout 60 (the default) is too short for --duration 100 | -q -t null -d 100
- | 2 | -c: missing value | -c
- | 2 | --cpus: missing value | --cpus
- | 2 | --cpus: empty value | $Q -c ''
- | 2 | --cpus: '7' is not two CPU numbers | $Q -c 7
- | 2 | --cpus: '0,1,2' is not two CPU numbers | $Q -c 0,1,2
- | 2 | --cpus: '-1,0' is not two CPU numbers | $Q -c -1,0
- | 2 | --cpus: 'a,b' is not two CPU numbers | $Q -c a,b
- | 2 | --cpus: '0,' is not two CPU numbers | $Q -c 0,
- | 2 | --cpus: ',0' is not two CPU numbers | $Q -c ,0
- | 2 | --cpus: '0, 1' is not two CPU numbers | $Q -c '0, 1'
- | 2 | --cpus: CPU '4096' does not exist | $Q -c 0,4096
- | 2 | --cpus: CPU '99999999999999999999' does not exist | $Q -c 99999999999999999999,0
- | 2 | --cpus: CPU 1000 is not available to this process | $Q -c 1000,0
cpu0 | 2 | --cpus: CPU 1 is not available to this process (allowed: 0) | $Q -c 0,1
cpu0 | 2 | --placement cross-core needs two CPUs; this process may use only CPU 0 | $Q --placement cross-core
- | 2 | --placement cross-core needs two different CPUs, but --cpus says 0,0 | $Q -c 0,0 --placement cross-core
- | 2 | --placement: empty list | $Q --placement ''
- | 2 | --placement: unknown placement 'sideways' | $Q --placement sideways
- | 2 | --placement: unknown placement 'all' | $Q --placement all,same-core
- | 2 | --placement: 'cross-core' is listed twice | $Q --placement cross-core,cross-core
- | 2 | --placement: ',' has an empty item | $Q --placement ,
- | 2 | --wait: unknown strategy 'nap' | $Q --wait nap
- | 2 | --wait: unknown strategy 'SPIN' | $Q --wait SPIN
- | 2 | --wait: unknown strategy '' | $Q --wait ''
- | 2 | --wait: none of the requested transports offers a choice | $Q --wait spin -t pipe
- | 2 | --inject: unknown fault 'nosuch' | $Q --inject nosuch
- | 2 | --inject: unknown fault '' | $Q --inject ''
- | 2 | --inject corrupt: null moves no data | $Q --inject corrupt
- | 2 | --inject crash: null moves no data | -q -t null -n 50 -d 0 --floor --inject crash
- | 2 | --inject corrupt: the fault is made at message 64 (counted from 0, warm-up included), but --messages 10 with a warm-up of 0 makes runs of 10 messages | -q -t pipe -n 10 -w 0 -d 0 --inject corrupt
- | 2 | --inject hang: the fault is made at message 5 | -q -t pipe -n 3 -w 2 -d 0 --inject hang
- | 2 | --inject drop: the fault is made at message 5 | -q -t shm,pipe -m latency -n 1 -w 4 -d 0 --inject drop
- | 2 | --csv: empty file name | $Q --csv ''
- | 2 | --csv $WORK/no/such/dir/x.csv | $Q --csv $WORK/no/such/dir/x.csv
- | 2 | --csv $WORK: Is a directory | $Q --csv $WORK
- | 2 | --csv $WORK/other.csv: the file exists with another header | $Q --csv $WORK/other.csv
- | 2 | --csv $WORK/plain/x.csv | $Q --csv $WORK/plain/x.csv
ro | 2 | --csv $RO/x.csv | $Q --csv $RO/x.csv
full | 2 | --csv $FULL/x.csv | $Q --csv $FULL/x.csv
nofile | 2 | --csv $WORK/nofile.csv: Too many open files | $Q --csv $WORK/nofile.csv --hdr-log $WORK/nofile.hlog
- | 2 | --hdr-log: empty file name | $Q --hdr-log ''
- | 2 | --hdr-log $WORK/no/such/dir/x.hlog | $Q --hdr-log $WORK/no/such/dir/x.hlog
- | 2 | --hdr-log $WORK | $Q --hdr-log $WORK
ro | 2 | --hdr-log $RO/x.hlog | $Q --hdr-log $RO/x.hlog
- | 1 | --hdr-log /dev/full | $Q --hdr-log /dev/full
- | 2 | --hgrm: empty directory name | $Q --hgrm ''
- | 2 | --hgrm $WORK/plain/x | $Q --hgrm $WORK/plain/x
- | 2 | --hgrm $WORK/plain: exists and is not a directory | $Q --hgrm $WORK/plain
- | 2 | --hgrm $WORK/plain: exists and is not a directory | -q -t pipe -s 64,4K -n 5 -d 0 --hgrm $WORK/plain
ro | 2 | --hgrm $RO/h | $Q --hgrm $RO/h
- | 2 | --dir: empty directory name | $Q --dir ''
- | 2 | --dir $WORK/missing: not a directory | $Q -t file --dir $WORK/missing
- | 2 | --dir $WORK/plain: not a directory | $Q -t file --dir $WORK/plain
ro | 2 | --dir $RO: not writable | $Q -t mmap --dir $RO
ro | 2 | --dir $RO: not writable | $Q -t fifo,file --dir $RO
full | 1 | file latency 64 run 1: setup: posix_fallocate: No space left on device | $Q -t file -m latency -s 64 --dir $FULL
full | 1 | mmap throughput 64 run 1: setup: posix_fallocate: No space left on device | $Q -t mmap -m throughput -s 64 --dir $FULL
tiny | 1 | mmap latency 1M run 1: setup: posix_fallocate: No space left on device (file system space: | $Q -t mmap -m latency -s 1M --dir $TINY
tiny | 1 | file throughput 1M run 1: setup: posix_fallocate: No space left on device | $Q -t file -m throughput -s 1M --dir $TINY
- | 2 | unknown option '-Z' | $Q -Z
- | 2 | unknown option '--frobnicate' | $Q --frobnicate
- | 2 | --list=x | $Q --list=x
- | 2 | unexpected argument 'extra' | $Q extra
- | 2 | unexpected argument 'extra' | $Q -- extra
- | 2 | --placement: unknown placement 'dry' | --dry-run --placement dry
- | 2 | --cleanup takes only --dir and --dry-run, not -t | --cleanup -t pipe
- | 2 | --cleanup takes only --dir and --dry-run, not --csv | --cleanup --dir $WORK/dir --csv $WORK/x.csv
- | 2 | --cleanup takes only --dir and --dry-run, not --duration | --duration 1 --cleanup
- | 2 | --dir $WORK/missing: not a directory | --cleanup --dir $WORK/missing
- | 2 | --dir $WORK/plain: not a directory | --cleanup --dry-run --dir $WORK/plain
- | 2 | expected two files, BASE.csv and NEW.csv (got 0) | compare
- | 2 | expected two files, BASE.csv and NEW.csv (got 1) | compare $WORK/real.csv
- | 2 | too many files | compare $WORK/real.csv $WORK/real.csv $WORK/real.csv
- | 2 | $WORK/nonexistent.csv: No such file or directory | compare $WORK/nonexistent.csv $WORK/real.csv
- | 2 | $WORK/nonexistent.csv: No such file or directory | compare $WORK/real.csv $WORK/nonexistent.csv
- | 2 | $WORK/empty.csv:1: empty file | compare $WORK/empty.csv $WORK/real.csv
- | 2 | /dev/null:1: empty file | compare $WORK/real.csv /dev/null
- | 2 | $WORK: | compare $WORK $WORK/real.csv
- | 2 | $WORK/header.csv:2: no data rows | compare $WORK/real.csv $WORK/header.csv
- | 2 | $WORK/cut-header.csv:1: missing required column | compare $WORK/cut-header.csv $WORK/real.csv
- | 2 | $WORK/cut-row.csv:$cut_line: | compare $WORK/real.csv $WORK/cut-row.csv
- | 2 | $WORK/text-size.csv:2: column size_bytes: 'sixty-four' | compare $WORK/real.csv $WORK/text-size.csv
- | 2 | $WORK/text-rate.csv:3: column bytes_per_s: 'fast' is not a number | compare $WORK/real.csv $WORK/text-rate.csv
- | 2 | $WORK/huge-rate.csv:2: column bytes_per_s: '1e999' | compare $WORK/huge-rate.csv $WORK/real.csv
- | 2 | $WORK/nan-rate.csv:2: column bytes_per_s: 'nan' | compare $WORK/real.csv $WORK/nan-rate.csv
- | 2 | $WORK/neg-rate.csv:2: column bytes_per_s: '-1000' is negative | compare $WORK/real.csv $WORK/neg-rate.csv
- | 2 | $WORK/extra-field.csv:2: | compare $WORK/real.csv $WORK/extra-field.csv
- | 2 | $WORK/short-row.csv:2: | compare $WORK/real.csv $WORK/short-row.csv
- | 2 | $WORK/nul.csv:2 | compare $WORK/real.csv $WORK/nul.csv
- | 2 | $WORK/binary.csv:1: | compare $WORK/binary.csv $WORK/real.csv
- | 2 | $WORK/long-line.csv:2: | compare $WORK/real.csv $WORK/long-line.csv
- | 2 | $WORK/wide.csv:1: column 1025: more than 1024 fields | compare $WORK/wide.csv $WORK/real.csv
- | 2 | --threshold: '-1' is out of range | compare --threshold -1 $WORK/real.csv $WORK/real.csv
- | 2 | --threshold: 'abc' is not a number | compare --threshold abc $WORK/real.csv $WORK/real.csv
- | 2 | --threshold: '' is not a number | compare --threshold '' $WORK/real.csv $WORK/real.csv
- | 2 | --threshold: '1000%' is out of range | compare --threshold 1000% $WORK/real.csv $WORK/real.csv
- | 2 | --threshold: missing value | compare --threshold
- | 2 | --output: missing value | report --output
- | 2 | --figures: missing value | report run.csv --figures
- | 2 | unknown option '--frobnicate' | report --frobnicate run.csv
- | 2 | '--check=1': this option takes no value | compare --check=1
- | 2 | --lo is ambiguous: --looks --look | compare --lo 3 a.csv b.csv
- | 2 | --to is ambiguous: --topology --token-file | --to 5
- | 2 | '--quiet=1': this option takes no value | --quiet=1
- | 2 | --alpha: '0' is not a probability | compare --alpha 0 $WORK/real.csv $WORK/real.csv
- | 2 | --alpha: '2' is not a probability | compare --alpha 2 $WORK/real.csv $WORK/real.csv
- | 2 | --alpha: 'nan' is not a probability | compare --alpha nan $WORK/real.csv $WORK/real.csv
- | 2 | --metric: 'nosuch' is not one of | compare --metric nosuch $WORK/real.csv $WORK/real.csv
- | 2 | --format: unknown format 'nosuch'; valid: table, md, csv, json | compare --format nosuch $WORK/real.csv $WORK/real.csv
- | 2 | --max-spread: '-5' is out of range | compare --max-spread -5 $WORK/real.csv $WORK/real.csv
- | 2 | $WORK/neg-rate.csv:2: column bytes_per_s: '-1000' is negative | report $WORK/neg-rate.csv
- | 2 | $WORK/neg-p50.csv:2: column p50_ns: '-5' is negative | report $WORK/neg-p50.csv
- | 2 | unknown option '--frob' | compare --frob $WORK/real.csv $WORK/real.csv
- | 2 | --looks: '0' is out of range (1 to 30) | compare --looks 0 $WORK/real.csv $WORK/real.csv
- | 2 | --look: 'x' is not a whole number | compare --look x $WORK/real.csv $WORK/real.csv
- | 2 | --last: '0' is out of range (1 to 1000000) | history $WORK/nosuch.db --last 0
- | 2 | --window: '5' is not an even number | history $WORK/nosuch.db --window 5
- | 2 | --window: '66' is out of range (4 to 64) | history $WORK/nosuch.db --window 66
EOF
}

ncases=0
while IFS='|' read -r wrap want text args; do
	wrap=${wrap// /} want=${want// /}
	text=${text# } text=${text% } args=${args# }
	ncases=$((ncases + 1))
	label="${args:0:90}"
	[ ${#args} -gt 90 ] && label="$label..."
	if [ "$wrap" != - ] && [ "$wrap" != cpu0 ] && [ "$wrap" != nofile ] && [ $mounts_ok -eq 0 ]; then
		skip "[$wrap] $label" "cannot mount tmpfs in a private mount namespace here"
		continue
	fi
	eval "set -- $args"
	: >"$WORK/err"
	run_wrapped "$wrap" "$@" >"$WORK/out" 2>"$WORK/err"
	st=$?
	lines=$(grep -v -e ': warning: load average' -e "^Try '" -e '^ipcbench: skipping ' \
		-e '^ipcbench: [0-9]* of [0-9]* runs failed$' "$WORK/err" | grep -c .)
	crashed=0
	{ [ $st -ge 124 ] || grep -qE 'Sanitizer|runtime error|core dumped' "$WORK/err"; } && crashed=1
	good=1
	[ "$st" -eq "${want%!}" ] && grep -qF -- "$text" "$WORK/err" && [ "$lines" -eq 1 ] &&
		[ $crashed -eq 0 ] && good=0
	what="[$wrap] $label: exit ${want%!} with one line naming '$text'"
	if [ "${want: -1}" = "!" ]; then
		todo $good "$what" "known bug: see the report (got exit $st)"
	else
		ok $good "$what"
	fi
	if [ $good -ne 0 ] && [ "${want: -1}" != "!" ]; then
		echo "#   exit $st, $lines error line(s):"
		head -c 2000 "$WORK/err" | diag
	fi
	[ $crashed -eq 0 ] || ok 1 "[$wrap] $label: neither a crash nor a hang (exit $st)"
done < <(cases)

# ---- no half-written file presented as complete ----
# The CSV is opened after every option was checked: a usage error leaves no new file behind.
"$BIN" $Q -s 0 --csv "$WORK/never.csv" >/dev/null 2>&1
[ ! -e "$WORK/never.csv" ]
ok $? "a usage error creates no CSV file"
ncases=$((ncases + 1))
# Nor an --hgrm directory: not for an error found when parsing, nor for one found when the
# outputs are opened (a CSV with another header), after the directory would have been made.
"$BIN" $Q -s 0 --hgrm "$WORK/never-hg" >/dev/null 2>&1
st1=$?
"$BIN" $Q --hgrm "$WORK/never-hg2" --csv "$WORK/other.csv" >/dev/null 2>&1
st2=$?
[ $st1 -eq 2 ] && [ $st2 -eq 2 ] && [ ! -e "$WORK/never-hg" ] && [ ! -e "$WORK/never-hg2" ]
ok $? "a usage error leaves no new --hgrm directory (exit $st1 and $st2)"
ncases=$((ncases + 1))
# A file that fills up mid-sweep: exit 1, each lost row said, and what is there is whole rows
# (or the one torn row is the last line, reported as a write failure).
if [ $mounts_ok -eq 1 ]; then
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount -t tmpfs -o size=8k tmpfs "$1" || exit 99
		"$2" -q -t null,pipe -s 64,4K -r 4 -n 10 -d 0 --csv "$1/fills.csv"
		st=$?
		cp "$1/fills.csv" "$3"
		exit $st' sh "$TINY" "$BIN" "$WORK/fills.csv" >/dev/null 2>"$WORK/fills.err"
	st=$?
	[ $st -eq 1 ] && grep -q -- "--csv $TINY/fills.csv: write failed: No space left on device" "$WORK/fills.err"
	ok $? "a CSV whose file system fills mid-sweep: exit 1, every lost row reported"
	ncases=$((ncases + 1))
	awk -F, 'NR == 1 { nf = NF } NF != nf { bad = 1 } END { exit bad }' "$WORK/fills.csv" &&
		[ "$(tail -c 1 "$WORK/fills.csv" | od -An -c | tr -d ' ')" = '\n' ]
	ok $? "the CSV left behind holds only whole rows (no torn last line)"
else
	skip "a CSV whose file system fills mid-sweep" "cannot mount tmpfs here"
fi

echo "# $ncases bad-input cases"
done_testing
