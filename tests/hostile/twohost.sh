#!/bin/bash
# twohost.sh - two hosts on one machine: two network namespaces joined by a veth pair, the
# server (`ipcbench serve`) in one and the driver (`ipcbench --peer`) in the other, both started
# by `ip netns exec` (TAP).
#
# The rows must really cross the link: with the sender's end of the veth shaped by a token
# bucket (tc tbf, 100 Mbit/s), tcp's 64 KiB stream measures at most about 12.5 MB/s and its
# 64 KiB round trip at least 5 ms; without the shaping, far more and far less. http, whose
# one-host path is a Unix socket, goes over TCP between the hosts, over IPv4 and IPv6 (where the
# namespaces have it), turns a stranger's connection away and leaves no run directory on either
# side. Killing the server
# mid-run fails that run with a clear message, keeps the other rows and leaves nothing behind. A
# server listens only on its address, refuses a client without the token, a run beyond its
# limits or of a transport that is not a network one, and survives malformed messages. The
# namespaces are removed on every exit path. Where namespaces cannot be made (not root), the
# test is skipped, saying why.
#
# Usage: twohost.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

NA=ipcb-$$-a NB=ipcb-$$-b
VA=ipcb$$a VB=ipcb$$b
IPA=10.218.0.1 IPB=10.218.0.2
SERVER_PID=""

on_exit() {
	[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
	ns_down
}
# A signal ends the test through its EXIT trap (lib.sh), which removes the namespaces.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Everything in the namespaces is killed with them: no process outlives the test.
ns_down() {
	local n p
	for n in "$NA" "$NB"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
}

ns_up() {
	ip netns add "$NA" && ip netns add "$NB" &&
		ip link add "$VA" type veth peer name "$VB" &&
		ip link set "$VA" netns "$NA" && ip link set "$VB" netns "$NB" &&
		ip -n "$NA" addr add "$IPA/24" dev "$VA" && ip -n "$NB" addr add "$IPB/24" dev "$VB" &&
		ip -n "$NA" link set lo up && ip -n "$NB" link set lo up &&
		ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up
}
# IPv6 on the link too, without duplicate address detection's wait; 1 where it cannot be had.
IP6A=fd00:218::1 IP6B=fd00:218::2
ns_up6() {
	ip -n "$NA" addr add "$IP6A/64" dev "$VA" nodad && ip -n "$NB" addr add "$IP6B/64" dev "$VB" nodad
}

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP two hosts in network namespaces: not root (ip netns add needs it)"
	exit 0
fi
if ! command -v ip >/dev/null || ! ns_up 2>"$WORK/ns.err"; then
	echo "1..0 # SKIP two hosts in network namespaces: cannot make them here ($(head -1 "$WORK/ns.err" 2>/dev/null))"
	exit 0
fi
in_a() { ip netns exec "$NA" "$@"; }
in_b() { ip netns exec "$NB" "$@"; }

# The value of column NAME in the first row of CSV with transport T, mode M, size S, kind K.
col() { # col CSV NAME T M S KIND
	awk -v name="$2" -v t="$3" -v m="$4" -v s="$5" -v k="$6" "$CSV_AWK"'
		{ nf = csv_split($0, f) }
		NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
		f[c["transport"]] == t && f[c["mode"]] == m && f[c["size_bytes"]] == s &&
		f[c["latency_kind"]] == k { print f[c[name]]; exit }' "$1"
}
# Nothing of ipcbench left running in either namespace.
ns_quiet() { [ -z "$(ip netns pids "$NA")$(ip netns pids "$NB")" ]; }

umask 077
printf 'two-hosts-token-%s\n' "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" >"$WORK/token"

# ---- the server as a user starts it, on its own address ----------------------------------------
# Not through in_b: a function in the background is a subshell, and $! would be its pid.
ip netns exec "$NB" "$BIN" serve --listen "$IPB:0" --token-file "$WORK/token" \
	>"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
wait_for 10 grep -q "listening on" "$WORK/serve.out"
PORT=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$WORK/serve.out" | head -1)
[ -n "$PORT" ] && grep -q "listening on $IPB port $PORT" "$WORK/serve.out"
ok $? "ipcbench serve --listen $IPB:0 listens on that address (port $PORT)"
in_b ss -ltnH 2>/dev/null | awk -v p=":$PORT" '$4 ~ p"$" { print $4 }' >"$WORK/listen"
[ "$(cat "$WORK/listen")" = "$IPB:$PORT" ]
ok $? "it listens only on $IPB, not on every address ($(tr '\n' ' ' <"$WORK/listen"))"
in_b "$BIN" -q --peer "127.0.0.1:$PORT" --token-file "$WORK/token" -t tcp -s 64 -n 10 -d 0 \
	>/dev/null 2>"$WORK/lo.err"
st=$?
[ $st -eq 1 ] && grep -q "connect to 127.0.0.1 port $PORT: Connection refused" "$WORK/lo.err"
ok $? "nothing answers on that port at another address of its host (exit $st)"

# ---- the rows cross the link ------------------------------------------------------------------
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp,udp,zmq-tcp,http -s 64,64K \
	-d 0.3 --cpus 0,"$(nproc --all | awk '{ print ($1 > 1) }')" --csv "$WORK/open.csv" \
	>"$WORK/open.out" 2>"$WORK/open.err"
st=$?
[ $st -eq 0 ] && [ "$(csv_rows "$WORK/open.csv")" -ge 16 ]
ok $? "tcp, udp, zmq-tcp and http, 64 B and 64 KiB, both modes, sender here and receiver there: exit $st, $(csv_rows "$WORK/open.csv") rows"
[ $st -eq 0 ] || diag "$WORK/open.err"
awk "$CSV_AWK"'{ nf = csv_split($0, f) }
	NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
	f[c["placement"]] != "two-host" || f[c["peer_host"]] == "" || f[c["peer_kernel"]] == "" ||
	f[c["peer_version"]] != f[c["version"]] || f[c["net_path"]] !~ /'"$IPA"' \('"$VA"'.*-> '"$IPB"' \('"$VB"'/ ||
	f[c["receiver_cpu"]] == "" { bad = 1 } END { exit bad || NR < 2 }' "$WORK/open.csv"
ok $? "every row says two-host, the peer's fingerprint and the path $VA -> $VB"
[ "$(awk -F, '$1 == "zmq-tcp"' "$WORK/open.csv" | wc -l)" -ge 4 ]
ok $? "zmq-tcp's rows are among them: the library's sockets cross the link as tcp's do"
awk "$CSV_AWK"'{ nf = csv_split($0, f) }
	NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
	f[c["transport"]] == "http" { n++; if (f[c["channel"]] !~ /over TCP$/) bad = 1 }
	END { exit bad || n < 4 }' "$WORK/open.csv"
ok $? "http's rows are among them, over TCP (its one-host default is a Unix socket): $(col "$WORK/open.csv" channel http latency 64 rtt)"
[ -z "$(left_named "[0-9]*")" ]
ok $? "no run directory is left on either side ($(left_named "[0-9]*" | tr '\n' ' '))"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t http -o http.socket=unix \
	-s 64 -m latency -n 10 -d 0 >/dev/null 2>"$WORK/unix.err"
st=$?
[ $st -eq 1 ] && grep -q "http.socket=unix: a Unix socket does not reach the host" "$WORK/unix.err"
ok $? "http over a Unix socket between two hosts is refused, naming the option (exit $st)"
[ $st -eq 1 ] || diag "$WORK/unix.err"
# thrift, like http, goes over a Unix socket on one host and over TCP between two.
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t thrift -s 64,64K -d 0.2 \
	--csv "$WORK/thrift.csv" >/dev/null 2>"$WORK/thrift.err"
st=$?
awk "$CSV_AWK"'{ nf = csv_split($0, f) }
	NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
	f[c["transport"]] == "thrift" { n++; if (f[c["channel"]] !~ /over TCP$/ ||
		f[c["placement"]] != "two-host") bad = 1 }
	END { exit bad || n < 4 }' "$WORK/thrift.csv"
ok $? "thrift across the link, 64 B and 64 KiB, both modes, over TCP: exit $st, $(col "$WORK/thrift.csv" channel thrift latency 64 rtt)"
[ $st -eq 0 ] || diag "$WORK/thrift.err"
diag <<<"net_path: $(col "$WORK/open.csv" net_path tcp latency 65536 rtt)"
grep -q "^# the peer, $IPB port $PORT" "$WORK/open.out" && grep -q "^# two-host (CPU" "$WORK/open.out"
ok $? "the table's head names the peer, its fingerprint and the clocks' offset"
grep -q "tcp latency 64: done" "$WORK/serve.err"
ok $? "the server says what it ran, for whom"

# Unshaped: the 64 KiB stream far above, the round trip far below what the shaping allows.
free_bps=$(col "$WORK/open.csv" bytes_per_s tcp throughput 65536 "")
free_rtt=$(col "$WORK/open.csv" p50_ns tcp latency 65536 rtt)
awk -v b="$free_bps" -v r="$free_rtt" 'BEGIN { exit !(b > 25e6 && r < 2.5e6) }'
ok $? "unshaped: tcp 64 KiB streams at $free_bps B/s (> 25 MB/s), round trip p50 $free_rtt ns (< 2.5 ms)"

# Shaped: a token bucket of 100 Mbit/s on the sender's end of the veth.
in_a tc qdisc add dev "$VA" root tbf rate 100mbit burst 32kbit latency 50ms 2>"$WORK/tc.err"
tc_st=$?
if [ $tc_st -ne 0 ]; then
	skip "shaped link: tcp 64 KiB at most about 12.5 MB/s" "tc tbf: $(head -1 "$WORK/tc.err")"
	skip "shaped link: tcp 64 KiB round trip at least 5 ms" "tc tbf unavailable"
else
	in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp -s 64K -d 0.5 \
		--csv "$WORK/shaped.csv" >/dev/null 2>"$WORK/shaped.err"
	st=$?
	bps=$(col "$WORK/shaped.csv" bytes_per_s tcp throughput 65536 "")
	rtt=$(col "$WORK/shaped.csv" p50_ns tcp latency 65536 rtt)
	[ $st -eq 0 ] && awk -v b="$bps" 'BEGIN { exit !(b > 0 && b <= 12.5e6 * 1.02) }'
	ok $? "shaped (tbf 100 Mbit/s): tcp 64 KiB streams at $bps B/s, at most about 12.5 MB/s (exit $st)"
	[ $st -eq 0 ] && awk -v r="$rtt" 'BEGIN { exit !(r >= 5e6) }'
	ok $? "shaped: tcp 64 KiB round trip p50 $rtt ns, at least 5 ms"
	[ $st -eq 0 ] || diag "$WORK/shaped.err"
	in_a tc qdisc del dev "$VA" root
fi

# IPv6: the server started for the invocation on the peer's IPv6 address.
if ! ns_up6 2>"$WORK/ip6.err"; then
	skip "tcp and http across the link over IPv6" "no IPv6 here: $(head -1 "$WORK/ip6.err")"
else
	in_a "$BIN" -q --peer "[$IP6B]" --launch "ip netns exec $NB" -t tcp,http -s 64 -m latency \
		-n 200 -d 0 --csv "$WORK/v6.csv" >/dev/null 2>"$WORK/v6.err"
	st=$?
	[ $st -eq 0 ] && has_row "$WORK/v6.csv" tcp && has_row "$WORK/v6.csv" http &&
		col "$WORK/v6.csv" net_path http latency 64 rtt | grep -q "$IP6A .*-> $IP6B "
	ok $? "tcp and http across the link over IPv6 ($IP6A -> $IP6B): exit $st"
	[ $st -eq 0 ] || diag "$WORK/v6.err"
fi

# A stranger on the driver's host connects to http's receiver there mid-run and posts a request:
# the receiver takes only the sender's connection (a second one would fail the run), so the
# run goes on.
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t http -s 64 -m latency -d 3 \
	--csv "$WORK/stranger.csv" >/dev/null 2>"$WORK/stranger.err" &
DRIVER=$!
BG_PIDS+=("$DRIVER")
rport=""
for _ in $(seq 100); do
	# The receiver inherits the server's own listening socket too: not that port.
	rport=$(in_b ss -ltnpH 2>/dev/null | awk -v not="$PORT" '/"ipcb-receiver"/ {
		sub(/.*:/, "", $4); if ($4 != not) { print $4; exit } }')
	[ -n "$rport" ] && break
	sleep 0.1
done
# Exit 0 once connected: the receiver may close it before the request is written (EPIPE).
# shellcheck disable=SC2016
in_a timeout 5 bash -c 'trap "" PIPE; exec 3<>"/dev/tcp/$1/$2" || exit 1
	printf "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n\r\n" >&3
	head -c 64 /dev/zero >&3; timeout 1 cat <&3 >/dev/null; exit 0' sh "$IPB" "${rport:-0}" 2>/dev/null
stranger=$?
wait "$DRIVER"
st=$?
[ -n "$rport" ] && [ $stranger -eq 0 ] && [ $st -eq 0 ] && has_row "$WORK/stranger.csv" http
ok $? "a stranger's connection to http's receiver (port ${rport:-none}) is turned away, the run goes on (connected: exit $stranger, run: exit $st)"
[ $st -eq 0 ] || diag "$WORK/stranger.err"

# ---- what the server refuses --------------------------------------------------------------------
printf 'not-the-token-at-all-0123456789\n' >"$WORK/wrong"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/wrong" -t tcp -s 64 -n 10 -d 0 \
	>/dev/null 2>"$WORK/wrong.err"
st=$?
[ $st -eq 1 ] && grep -q "the token does not match" "$WORK/wrong.err" &&
	grep -q "refused: it does not hold the token" "$WORK/serve.err"
ok $? "a client with another token is refused, and the server says so (exit $st)"
chmod 644 "$WORK/wrong"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/wrong" -t tcp -s 64 >/dev/null \
	2>"$WORK/perm.err"
st=$?
[ $st -eq 2 ] && grep -q -- "--token-file $WORK/wrong: must be a regular file of your own that nobody else may read" "$WORK/perm.err"
ok $? "a token file others may read is a usage error naming it (exit $st)"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t pipe,shm -s 64 >/dev/null \
	2>"$WORK/local.err"
st=$?
[ $st -eq 77 ] && grep -q "skipping pipe: not a network transport" "$WORK/local.err"
ok $? "transports that are not network ones are not run across hosts (exit $st)"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t mpi -o mpi.btl=tcp -s 64 \
	>/dev/null 2>"$WORK/mpi-nolaunch.err"
st=$?
[ $st -eq 77 ] && grep -q "skipping mpi: its runtime starts the side on the peer through a launch prefix" "$WORK/mpi-nolaunch.err"
ok $? "mpi, whose runtime starts its side there, needs --launch: without it, it is skipped saying so (exit $st)"

# The settings the peer's side needs travel with each run (the driver's rows marked peer): a
# payload byte of message 65 damaged is caught where every byte is checked, and nowhere else.
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp -s 4K -m throughput -n 200 \
	-d 0 --inject corrupt-unsampled --verify full >/dev/null 2>"$WORK/full.err"
st=$?
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp -s 4K -m throughput -n 200 \
	-d 0 --inject corrupt-unsampled --verify sampled >/dev/null 2>"$WORK/sampled.err"
st2=$?
# (Which side the failure names depends on whether the peer's word came before the reset.)
[ $st -eq 1 ] && [ $st2 -eq 0 ]
ok $? "--inject and --verify reach the peer's side: caught by full (exit $st), not looked at by sampled (exit $st2)"
diag "$WORK/full.err"

# Malformed and hostile control messages: each ends its connection, the server goes on.
# shellcheck disable=SC2016
in_a bash -c 'at=/dev/tcp/$1/$2
	exec 3<>"$at" && printf "\377\377\377\377" >&3 && sleep 0.2 && exec 3>&-
	exec 3<>"$at" && printf "\000\000\000\003\310ab" >&3 && sleep 0.2 && exec 3>&-
	exec 3<>"$at" && head -c 4096 /dev/urandom >&3 && sleep 0.2 && exec 3>&-
	exec 3<>"$at" && printf "\000\000\000\001\002" >&3 && sleep 0.2 && exec 3>&-' \
	sh "$IPB" "$PORT" 2>/dev/null
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t udp -s 64 -m latency -n 100 \
	-d 0 --csv "$WORK/after.csv" >/dev/null 2>"$WORK/after.err"
st=$?
[ $st -eq 0 ] && has_row "$WORK/after.csv" udp && kill -0 "$SERVER_PID" &&
	grep -q "a frame of 4294967295 bytes" "$WORK/serve.err" &&
	grep -q "unknown type 200" "$WORK/serve.err"
ok $? "malformed messages (an oversized frame, an unknown type, noise) end their connections; the server serves the next client (exit $st)"
grep -E "frame|unknown type|AUTH" "$WORK/serve.err" | head -4 | diag
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
st=$?
SERVER_PID=""
[ $st -eq 143 ] && grep -q "stopped by Terminated" "$WORK/serve.err"
ok $? "SIGTERM stops the server (exit $st)"

ip netns exec "$NB" "$BIN" serve --listen "$IPB:0" --token-file "$WORK/token" --max-size 4K \
	--max-duration 0.5 >"$WORK/limits.out" 2>"$WORK/limits.err" &
SERVER_PID=$!
wait_for 10 grep -q "listening on" "$WORK/limits.out"
PORT=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$WORK/limits.out" | head -1)
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp -s 64,64K -m latency \
	-d 0.2 --csv "$WORK/limits.csv" >/dev/null 2>"$WORK/limits-run.err"
st=$?
[ $st -eq 1 ] && has_row "$WORK/limits.csv" tcp &&
	grep -q "two-host tcp latency 64K run 1: receiver: size 65536 is above this server's --max-size 4096 (on the peer" "$WORK/limits-run.err"
ok $? "a size above the server's limit fails that run naming the limit; the others run (exit $st)"
in_a "$BIN" -q --peer "$IPB:$PORT" --token-file "$WORK/token" -t tcp -s 64 -m latency -d 1 \
	>/dev/null 2>"$WORK/dur.err"
st=$?
[ $st -eq 1 ] && grep -q "a duration of 1 s is above this server's --max-duration 0.5" "$WORK/dur.err"
ok $? "so does a duration above its limit (exit $st)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=""

# ---- --launch: the server lives for the driver's invocation, and dies mid-run ---------------------
in_a "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t tcp -s 64 -m latency -n 200 -d 0 \
	--csv "$WORK/launch.csv" >/dev/null 2>"$WORK/launch.err"
st=$?
[ $st -eq 0 ] && has_row "$WORK/launch.csv" tcp && wait_for 5 ns_quiet
ok $? "--launch 'ip netns exec $NB' starts the server for the run and stops it (exit $st)"
[ $st -eq 0 ] || diag "$WORK/launch.err"

ip netns exec "$NA" "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t tcp,udp -s 64 \
	-m latency -d 5 --csv "$WORK/kill.csv" >/dev/null 2>"$WORK/kill.err" &
DRIVER=$!
BG_PIDS+=("$DRIVER")
wait_for 30 has_row "$WORK/kill.csv" tcp
sleep 1 # into udp's run
victim=$(for p in $(ip netns pids "$NB"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ipcbench ] && echo "$p"
done | head -1)
[ -n "$victim" ] && kill -KILL "$victim"
wait "$DRIVER"
st=$?
[ $st -eq 1 ] && grep -qE "two-host udp latency 64 run 1: .*(closed the control connection|no longer answers).*(stopped or was killed)" "$WORK/kill.err"
ok $? "the server killed mid-run (pid ${victim:-none}): that run fails saying so (exit $st)"
diag "$WORK/kill.err"
has_row "$WORK/kill.csv" tcp && ! has_row "$WORK/kill.csv" udp
ok $? "the row measured before is kept; the broken run has none"
wait_for 5 ns_quiet && [ -z "$(kids_of "$DRIVER")" ] && [ -z "$(left_named "$DRIVER")" ]
ok $? "nothing is left behind: no process in either namespace, no file of the driver's"

# ---- mpi across the link: mpirun --host A,B, its daemon there started through the prefix --------
# Rank 0 (the sender) here, rank 1 (the receiver) in the other namespace, Open MPI's tcp between
# them; the runtime's session directories in the run's, and the daemon's there in one the agent
# makes; nothing is left in either namespace.
# The process named NAME (comm) in namespace NS, if any.
in_ns_named() { # in_ns_named NS NAME
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"
	done | head -1
}
has_ns_named() { [ -n "$(in_ns_named "$1" "$2")" ]; }
# Nothing of ipcbench's or Open MPI's in the test's temporary directory.
tmp_clean() { [ -z "$(ls "$TMPDIR" | grep -E '^(ipcbench-|ompi\.)')" ]; }
if ! command -v mpirun >/dev/null ||
	[ "$("$BIN" --list 2>/dev/null | awk '$1 == "mpi" { print $2 }')" != yes ]; then
	for t in "mpi across hosts: rows" "mpi: rank 1 in $NB" "mpi: shaped" "mpi: vader refused" \
		"mpi: receiver killed" "mpi: nothing left" "mpi: nothing left after the kill"; do
		skip "$t" "mpi not built here, or mpirun missing"
	done
else
	ip netns exec "$NA" "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t mpi \
		-o mpi.btl=tcp -s 64 -m latency -d 3 --csv "$WORK/mpi-live.csv" >/dev/null \
		2>"$WORK/mpi-live.err" &
	DRIVER=$!
	BG_PIDS+=("$DRIVER")
	wait_for 30 has_ns_named "$NB" ipcb-receiver
	recv_b=$(in_ns_named "$NB" ipcb-receiver)
	send_a=$(in_ns_named "$NA" ipcb-sender)
	orted_b=$(in_ns_named "$NB" orted)
	wait "$DRIVER"
	st=$?
	[ $st -eq 0 ] && [ -n "$recv_b" ] && [ -n "$send_a" ] && [ -n "$orted_b" ] &&
		[ -z "$(in_ns_named "$NA" ipcb-receiver)" ]
	ok $? "mpi: rank 1 (the receiver, pid ${recv_b:-none}) ran in $NB under its orted (${orted_b:-none}), rank 0 (${send_a:-none}) in $NA (exit $st)"
	[ $st -eq 0 ] || diag "$WORK/mpi-live.err"
	wait_for 5 ns_quiet && tmp_clean && [ -z "$(left_named "$DRIVER")" ]
	ok $? "mpi: nothing is left in either namespace or in the temporary directory"

	in_a "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t mpi,tcp \
		-s 64,64K -d 0.3 --csv "$WORK/mpi.csv" >"$WORK/mpi.out" 2>"$WORK/mpi.err"
	st=$?
	[ $st -eq 0 ] && [ "$(awk -F, '$1 == "mpi"' "$WORK/mpi.csv" | wc -l)" -ge 4 ] &&
		awk "$CSV_AWK"'{ nf = csv_split($0, f) }
		NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
		f[c["transport"]] == "mpi" && (f[c["placement"]] != "two-host" ||
		f[c["net_path"]] !~ /'"$IPA"' \('"$VA"'.*-> '"$IPB"' \('"$VB"'/ ||
		f[c["peer_version"]] != f[c["version"]] || f[c["options"]] != "btl=auto" ||
		f[c["channel"]] != "pml ob1, btl self,tcp") { bad = 1 }
		END { exit bad }' "$WORK/mpi.csv"
	ok $? "mpi across hosts: 64 B and 64 KiB, both modes, rows say two-host and the path $VA -> $VB (exit $st)"
	[ $st -eq 0 ] || diag "$WORK/mpi.err"
	diag <<<"64 B round trip p50: mpi $(col "$WORK/mpi.csv" p50_ns mpi latency 64 rtt) ns, tcp $(col "$WORK/mpi.csv" p50_ns tcp latency 64 rtt) ns"

	in_a tc qdisc add dev "$VA" root tbf rate 100mbit burst 32kbit latency 50ms 2>"$WORK/tc.err"
	if [ $? -ne 0 ]; then
		skip "mpi: shaped link" "tc tbf: $(head -1 "$WORK/tc.err")"
	else
		in_a "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t mpi -o mpi.btl=tcp \
			-s 64K -d 0.5 --csv "$WORK/mpi-shaped.csv" >/dev/null 2>"$WORK/mpi-shaped.err"
		st=$?
		bps=$(col "$WORK/mpi-shaped.csv" bytes_per_s mpi throughput 65536 "")
		rtt=$(col "$WORK/mpi-shaped.csv" p50_ns mpi latency 65536 rtt)
		[ $st -eq 0 ] && awk -v b="$bps" -v r="$rtt" -v fb="$(col "$WORK/mpi.csv" bytes_per_s mpi throughput 65536 "")" \
			'BEGIN { exit !(b > 0 && b <= 12.5e6 * 1.02 && r >= 5e6 && fb > 25e6) }'
		ok $? "mpi: shaped (tbf 100 Mbit/s): 64 KiB streams at $bps B/s (at most about 12.5 MB/s), round trip p50 $rtt ns (at least 5 ms); unshaped far faster (exit $st)"
		[ $st -eq 0 ] || diag "$WORK/mpi-shaped.err"
		in_a tc qdisc del dev "$VA" root
	fi

	in_a "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t mpi -o mpi.btl=vader -s 64 \
		-m latency -n 10 -d 0 >/dev/null 2>"$WORK/vader.err"
	st=$?
	[ $st -eq 1 ] && grep -q "two-host mpi latency 64 run 1: launch: btl: .*vader (shared memory) cannot join two hosts: -o mpi.btl=tcp or auto" "$WORK/vader.err"
	ok $? "mpi: its shared-memory btl is refused across hosts, naming the fix (exit $st)"
	diag "$WORK/vader.err"

	# The receiver killed in the other namespace mid-run: the run fails naming it, and the
	# daemon there, the ranks and every directory go.
	ip netns exec "$NA" "$BIN" -q --peer "$IPB" --launch "ip netns exec $NB" -t mpi \
		-o mpi.btl=tcp -s 64 -m latency -d 5 >/dev/null 2>"$WORK/mpi-kill.err" &
	DRIVER=$!
	BG_PIDS+=("$DRIVER")
	wait_for 30 has_ns_named "$NB" ipcb-receiver
	sleep 0.5
	victim=$(in_ns_named "$NB" ipcb-receiver)
	[ -n "$victim" ] && kill -KILL "$victim"
	wait "$DRIVER"
	st=$?
	[ $st -eq 1 ] && grep -qE "two-host mpi latency 64 run 1: .*(receiver|sender|mpirun|env)" "$WORK/mpi-kill.err"
	ok $? "mpi: the receiver killed in $NB (pid ${victim:-none}): the run fails saying so (exit $st)"
	diag "$WORK/mpi-kill.err"
	wait_for 5 ns_quiet && tmp_clean && [ -z "$(left_named "$DRIVER")" ]
	ok $? "mpi: after that, nothing is left in either namespace or in the temporary directory"
fi

# ---- the namespaces go with the test --------------------------------------------------------------
ns_down
! ip netns list | grep -qE "^($NA|$NB)( |$)" && ! ip link show "$VA" >/dev/null 2>&1
ok $? "the namespaces and the veth pair are removed"
done_testing
