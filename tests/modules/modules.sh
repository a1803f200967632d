#!/bin/bash
# modules.sh IPCBENCH SOURCE_ROOT - TAP: users' transports as modules (-t external:PATH). The
# example module and variants of it (tests/modules/variants.c) are built here against the
# public header alone; ipcbench must measure the good ones, naming the module and its build in
# every row, and refuse each bad one with the reason (another ABI, a newer struct that uses
# fields it does not know, no ipcb_module, a built-in's name, a broken rule, a service), exit 2,
# before anything runs; `serve` must refuse a module a client names.
set -u
BIN=${1:?usage: modules.sh IPCBENCH SOURCE_ROOT}
ROOT=${2:?usage: modules.sh IPCBENCH SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"
tap_workdir modules
export TMPDIR=$WORK
M=$WORK/mods
mkdir -p "$M" "$WORK/dir"

if ! command -v cc >/dev/null 2>&1; then
	skip "modules" "no C compiler to build them"
	done_testing
	exit
fi
CC_ARGS=(-O2 -Wall -Wextra -Werror -fPIC -shared -I"$ROOT/include" -I"$ROOT/examples/ring")
cc "${CC_ARGS[@]}" -o "$M/ring.so" "$ROOT/examples/ring/ring.c" 2>"$WORK/cc.err"
ok $? "the example module builds against the public header alone, without warnings"
diag "$WORK/cc.err"
for v in abi oldabi lossyhook older newer_set newer_zero nosym clash rule service nosend crash hang net unmarked good; do
	cc "${CC_ARGS[@]}" -DVARIANT_"${v^^}" -DVARIANT_NAME="\"${v//_/-}\"" \
		-o "$M/$v.so" "$ROOT/tests/modules/variants.c" 2>>"$WORK/cc.err" || echo "$v" >>"$WORK/cc.failed"
done
[ ! -s "$WORK/cc.failed" ]
ok $? "every variant builds"
diag "$WORK/cc.err"

# run NAME ARGS...: ipcbench, output in $WORK/NAME.{out,err,csv}, exit status in $st.
run() {
	local name=$1
	shift
	"$BIN" -q "$@" --csv "$WORK/$name.csv" >"$WORK/$name.out" 2>"$WORK/$name.err"
	st=$?
}

run ring -t "external:$M/ring.so" -s 64,64K -m latency,throughput -n 200 -d 0 -w 5
[ $st -eq 0 ] && [ "$(grep -c '^example-ring,' "$WORK/ring.csv")" -ge 4 ] &&
	grep -q "module $M/ring.so build-id [0-9a-f]\{40\}; example ring 1.0" "$WORK/ring.csv"
ok $? "a module is measured; its rows name it, its build ID and its own library text (exit $st)"
[ $st -eq 0 ] || diag "$WORK/ring.err"
"$BIN" --list "external:$M/ring.so" >"$WORK/list.out" 2>&1 &&
	grep -q "^example-ring: an example module" "$WORK/list.out" &&
	grep -q "data path: *shared-memory" "$WORK/list.out"
ok $? "--list external:PATH describes the module's transport"
run twice -t "external:$M/ring.so,external:$M/ring.so" -s 64 -n 10 -d 0
[ $st -eq 2 ] && grep -q "external:$M/ring.so is listed twice" "$WORK/twice.err"
ok $? "the same module twice is a usage error (exit $st)"
cp "$M/ring.so" "$M/good.so" "$WORK/dir/"
run dir -t "external:$WORK/dir" -s 64 -m latency -n 50 -d 0
[ $st -eq 0 ] && grep -q '^example-ring,' "$WORK/dir.csv" && grep -q '^variant-good,' "$WORK/dir.csv"
ok $? "external:DIR measures every module in the directory (exit $st)"
run rel -t external:ring.so -s 64
[ $st -eq 2 ] && grep -q "external:ring.so: a module is named by its absolute path" "$WORK/rel.err"
ok $? "a relative module path is a usage error naming it (exit $st)"
run missing -t "external:$M/none.so" -s 64
[ $st -eq 2 ] && grep -q "external:$M/none.so: No such file or directory" "$WORK/missing.err"
ok $? "a module that is not there is a usage error naming it (exit $st)"
run notelf -t "external:$ROOT/README.md" -s 64
[ $st -eq 2 ] && grep -q "dlopen: .*README.md" "$WORK/notelf.err"
ok $? "a file that is no shared object: dlopen's reason (exit $st)"

# refused NAME REGEX MESSAGE: the variant is refused with exit 2 and REGEX on stderr, no rows.
refused() {
	run "$1" -t "external:$M/$1.so" -s 64 -n 10 -d 0
	[ $st -eq 2 ] && grep -q -- "$2" "$WORK/$1.err" && [ ! -s "$WORK/$1.csv" ]
	ok $? "$3 (exit $st)"
	[ $st -eq 2 ] || diag "$WORK/$1.err"
}
ABI=$(sed -n 's/^#define IPCB_TRANSPORT_ABI \([0-9]*\)u$/\1/p' "$ROOT/include/ipcbench/transport.h")
refused abi "built for transport ABI $((ABI + 1)), this ipcbench speaks ABI $ABI" \
	"a module built for another ABI is refused, naming both"
refused oldabi "built for transport ABI 1, this ipcbench speaks ABI $ABI" \
	"a module built for ABI 1 (before the channel's configuration grew) is refused"
refused lossyhook "a lossy() hook says which runs may lose messages: it needs the lossy capability" \
	"a module with a lossy() hook but not the lossy capability is refused"
refused newer_set "built with a newer <ipcbench/transport.h>.* sets fields this ipcbench does not know" \
	"a module whose longer struct sets fields this ipcbench lacks is refused"
refused nosym "no symbol 'ipcb_module'" "a shared object without ipcb_module is refused"
refused clash "named 'pipe', which ipcbench already has" "a module may not take a built-in's name"
refused rule "zero-copy loans need acquire, commit, peek and release" \
	"a module that breaks the contract is refused by the same rule as a built-in"
refused service "declares a service or a launcher, which only built-in transports can have" \
	"a module may not declare a service"
refused nosend "open, send and recv are required" "a module missing a required hook is refused"

# A module that crashes or hangs fails its own run, named, and the next run goes on.
run crash -t "external:$M/crash.so,pipe" -s 64 -m latency -n 200 -d 0 -w 5 --timeout 10
[ $st -eq 1 ] && grep -qE "variant-crash latency 64 run 1: .*(sender|receiver) killed by signal 11" "$WORK/crash.err" &&
	grep -q '^pipe,latency,64,' "$WORK/crash.csv" && ! grep -q '^variant-crash,' "$WORK/crash.csv"
ok $? "a module whose side crashes fails its run, naming it; the other transport's rows are kept (exit $st)"
[ $st -eq 1 ] || diag "$WORK/crash.err"
run hang -t "external:$M/hang.so,pipe" -s 64 -m latency -n 200 -d 0 -w 5 --timeout 1
[ $st -eq 1 ] && grep -q "variant-hang latency 64 run 1: .*timed out" "$WORK/hang.err" &&
	grep -q '^pipe,latency,64,' "$WORK/hang.csv"
ok $? "a module whose side hangs fails its run by the timeout, naming it (exit $st)"
[ $st -eq 1 ] || diag "$WORK/hang.err"
[ -z "$(ls "$WORK" | grep '^ipcbench-')" ] && ! pgrep -f "$M/hang.so" >/dev/null
ok $? "after a crashed and a hung module nothing is left: no run directory, no process"

run older -t "external:$M/older.so" -s 64,4K -n 100 -d 0
[ $st -eq 0 ] && grep -q '^variant-older,' "$WORK/older.csv"
ok $? "a module built when the struct was shorter runs, the fields since added absent (exit $st)"
run newer_zero -t "external:$M/newer_zero.so" -s 64 -n 100 -d 0
[ $st -eq 0 ] && grep -q '^variant-newer-zero,' "$WORK/newer_zero.csv"
ok $? "a module whose longer struct leaves the new fields zero runs (exit $st)"

# Without a build ID, the file's own hash names the build.
cc "${CC_ARGS[@]}" -Wl,--build-id=none -o "$M/noid.so" "$ROOT/examples/ring/ring.c"
run noid -t "external:$M/noid.so" -s 64 -m latency -n 50 -d 0
[ $st -eq 0 ] && grep -q "module $M/noid.so sha256 [0-9a-f]\{16\}" "$WORK/noid.csv"
ok $? "a module linked without a build ID is named by its file's hash"

# compare: the same module rebuilt compares; another module of the same name is another group.
cc "${CC_ARGS[@]}" -O1 -o "$M/ring.so" "$ROOT/examples/ring/ring.c"
run rebuilt -t "external:$M/ring.so" -s 64,64K -m latency,throughput -n 200 -d 0 -w 5
mkdir -p "$WORK/other"
cp "$M/ring.so" "$WORK/other/ring.so"
run other -t "external:$WORK/other/ring.so" -s 64,64K -m latency,throughput -n 200 -d 0 -w 5
id1=$(grep -o 'build-id [0-9a-f]*' "$WORK/ring.csv" | head -1)
id2=$(grep -o 'build-id [0-9a-f]*' "$WORK/rebuilt.csv" | head -1)
"$BIN" compare "$WORK/ring.csv" "$WORK/rebuilt.csv" >"$WORK/cmp-same.out" 2>&1
st_same=$?
"$BIN" compare "$WORK/ring.csv" "$WORK/other.csv" >"$WORK/cmp-other.out" 2>&1
st_other=$?
# (Exit 4 is a machine-state warning, which two short runs may well give.)
[ "$id1" != "$id2" ] && [ $st_same -ne 2 ] &&
	[ "$(grep -cE '^example-ring .* \(1\) .* \(1\) ' "$WORK/cmp-same.out")" -eq 2 ]
ok $? "compare matches a module's rows across two builds of it ($id1 / $id2, exit $st_same)"
[ $st_same -ne 2 ] || diag "$WORK/cmp-same.out"
grep -qi 'in common\|only in\|gone\|new' "$WORK/cmp-other.out" && [ $st_other -ne 0 ]
ok $? "compare keeps another module of the same name apart (exit $st_other)"
[ $st_other -ne 0 ] || diag "$WORK/cmp-other.out"

# serve runs built-in transports only: a client's module never runs there.
"$BIN" serve --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
spid=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.out" && break; sleep 0.1; done
for _ in $(seq 100); do grep -q "token" "$WORK/serve.out" && break; sleep 0.1; done
port=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$WORK/serve.out" | head -1)
(umask 077 && sed -n 's/.*: token \([0-9a-f]*\) .*/\1/p' "$WORK/serve.out" | head -1 >"$WORK/token")
run peer --peer "127.0.0.1:${port:-1}" --token-file "$WORK/token" -t "external:$M/net.so" \
	-s 64 -n 10 -d 0
grep -q "no transport 'variant-net' here (serve runs built-in transports only" \
	"$WORK/peer.err" "$WORK/serve.err" && [ $st -ne 0 ]
ok $? "serve refuses a module a client names (exit $st)"
[ $st -ne 0 ] || diag "$WORK/peer.err"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# ---- the core carries no middleware library; modules open only when asked for ----
# SQLite too: the results history opens it when a run stores rows (--db) or a command reads a
# history (history/sql.h), so a run without --db maps it no more than a module's libraries.
LIBS='libzmq|libdbus|libtirpc|libmicrohttpd|libcurl|libmpi|libgrpc|libprotobuf|libthrift|librabbitmq|libmosquitto|libhiredis|liburing|libsqlite3'
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
	skip "the core links none of the middleware libraries, nor SQLite" \
		"a sanitizer build links libtirpc into the core (ASan's xdr interceptors need it at start)"
elif command -v ldd >/dev/null 2>&1; then
	ldd "$BIN" >"$WORK/ldd.out" 2>&1
	! grep -qE "$LIBS" "$WORK/ldd.out"
	ok $? "the core links none of the middleware libraries, nor SQLite ($(grep -c '=>' "$WORK/ldd.out") shared objects)"
	grep -E "$LIBS" "$WORK/ldd.out" | diag
else
	skip "the core links none of the middleware libraries, nor SQLite" "no ldd"
fi
# maps PID...: what each process maps of modules and their libraries (less libtirpc in a
# sanitizer build, which links it into the core: see above).
MAPLIBS=$LIBS
ldd "$BIN" 2>/dev/null | grep -q libasan && MAPLIBS=${LIBS/libtirpc|/}
maps() {
	local p
	for p in "$@"; do grep -E "ipcb-[a-z]+\.so|$MAPLIBS" "/proc/$p/maps" 2>/dev/null; done
}
"$BIN" -q -t pipe -s 64 -m throughput -n 100000000 -d 1.5 -w 1 >/dev/null 2>&1 &
dpid=$!
sides=
for _ in $(seq 50); do
	sides=$(pgrep -P "$dpid" | tr '\n' ' ')
	[ "$(echo $sides | wc -w)" -ge 2 ] && break
	sleep 0.05
done
seen=$(maps "$dpid" $sides | wc -l)
wait "$dpid"
[ "$(echo $sides | wc -w)" -ge 2 ] && [ "$seen" -eq 0 ]
ok $? "a pipe run: neither the driver nor its sides ($sides) map a module, its libraries or SQLite"
"$BIN" -q -t zmq-tcp -s 64 -m throughput -n 100000000 -d 1.5 -w 1 >/dev/null 2>&1 &
dpid=$!
# Read once, the moment two children existed, the maps came back empty in one CI run (children
# gone by the time their maps were read, it seems: the sides are forked after the driver opened
# the module): look again until a side maps it or the run ends.
seen=0
for _ in $(seq 60); do
	sides=$(pgrep -P "$dpid" | tr '\n' ' ')
	seen=$(maps $sides | grep -c 'ipcb-zmq\.so')
	[ "$seen" -ge 1 ] && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.05
done
wait "$dpid"
[ "$seen" -ge 1 ]
ok $? "a zmq-tcp run: its sides map ipcb-zmq.so, opened for it"
"$BIN" -q -t pipe -s 64 -m throughput -n 100000000 -d 1.5 -w 1 --db "$WORK/history.db" \
	>/dev/null 2>&1 &
dpid=$!
seen=0
for _ in $(seq 50); do
	seen=$(grep -c 'libsqlite3' "/proc/$dpid/maps" 2>/dev/null)
	[ "${seen:-0}" -ge 1 ] && break
	sleep 0.05
done
wait "$dpid"
[ "${seen:-0}" -ge 1 ]
ok $? "a run with --db: the driver maps SQLite, opened for it"
mkdir -p "$WORK/nomods"
IPCBENCH_MODULE_DIR=$WORK/nomods "$BIN" --list >"$WORK/nomods.out" 2>&1
st=$?
IPCBENCH_MODULE_DIR=$WORK/nomods "$BIN" -t zmq-tcp -s 64 -n 10 -d 0 >/dev/null 2>"$WORK/nomods.err"
st2=$?
[ $st -eq 0 ] && grep -qE '^zmq-tcp +no ' "$WORK/nomods.out" && grep -qE '^pipe +yes ' "$WORK/nomods.out" &&
	[ $st2 -eq 77 ] && grep -q "zmq-tcp.*module ipcb-zmq.so is not installed (looked in $WORK/nomods" "$WORK/nomods.err"
ok $? "without its module a transport is listed as not running here, and a run of it says the module is not installed (exit $st2)"
diag "$WORK/nomods.err"
if [ -n "${ASAN_OPTIONS:-}" ] || ldd "$BIN" 2>/dev/null | grep -q libasan; then
	skip "the core starts under RLIMIT_AS 8 MB" "a sanitizer build reserves its shadow memory"
else
	prlimit --as=8388608 "$BIN" --version >/dev/null 2>"$WORK/as.err" &&
		prlimit --as=8388608 "$BIN" --list pipe >/dev/null 2>>"$WORK/as.err"
	ok $? "the core starts under RLIMIT_AS 8 MB (--version, --list pipe)"
	diag "$WORK/as.err"
fi
[ -z "$(ls "$WORK" | grep '^ipcbench-')" ]
ok $? "nothing of the runs is left in TMPDIR"

done_testing
