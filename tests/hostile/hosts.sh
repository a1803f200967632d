#!/bin/bash
# hosts.sh - many hosts under MPI's runtime (TAP): four hosts made of network namespaces on one
# bridge, each with a host name of its own (a UTS namespace), one of them behind a slow link (a
# token bucket of 100 Mbit/s both ways: netem, which would delay it, is not in every kernel, this
# machine's among them); `mpirun -H h1,h2,h3,h4 ipcbench --hosts mpi`, with the launcher's remote agent entering
# a namespace where ssh would log in. Every ordered pair of hosts must have its rows, named by
# both hosts, no host in two pairs of one slot, the report must name the far host as the slowest
# and its matrix must show it, the HdrHistogram log's tags name the pairs, and nothing is left in
# any namespace or the temporary directory. Then one host drops every UDP datagram on its link:
# the pairs where udp crosses it fail, named, and their tcp rows are kept.
#
# Usage: hosts.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

P=ipcb$$
BR=${P}br
NET=10.219.$(($$ % 200)).
HOSTS=(h1 h2 h3 h4)
SLOW=h4

ns() { echo "$P-$1"; }
on_exit() {
	local h p
	for h in "${HOSTS[@]}"; do
		for p in $(ip netns pids "$(ns "$h")" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$(ns "$h")" 2>/dev/null
	done
	ip link del "$BR" 2>/dev/null
}
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP hosts in network namespaces: not root (ip netns add needs it)"
	exit 0
fi
if ! command -v mpirun >/dev/null || ! command -v unshare >/dev/null ||
	[ "$("$BIN" --list 2>/dev/null | awk '$1 == "mpi" { print $2 }')" != yes ]; then
	echo "1..0 # SKIP many hosts: mpi is not built here, or mpirun or unshare is missing"
	exit 0
fi
up() {
	local i=0 h
	ip link add "$BR" type bridge && ip addr add "${NET}254/24" dev "$BR" && ip link set "$BR" up ||
		return 1
	for h in "${HOSTS[@]}"; do
		i=$((i + 1))
		ip netns add "$(ns "$h")" &&
			ip link add "$P$i" type veth peer name "${P}p$i" &&
			ip link set "$P$i" netns "$(ns "$h")" &&
			ip link set "${P}p$i" master "$BR" up &&
			ip -n "$(ns "$h")" addr add "$NET$i/24" dev "$P$i" &&
			ip -n "$(ns "$h")" link set "$P$i" up &&
			ip -n "$(ns "$h")" link set lo up || return 1
	done
	# The far host: 100 Mbit/s each way, so 64 KiB takes over 5 ms to reach it or leave it.
	ip netns exec "$(ns "$SLOW")" tc qdisc add dev "${P}4" root tbf rate 100mbit burst 32kbit \
		latency 400ms &&
		tc qdisc add dev "${P}p4" root tbf rate 100mbit burst 32kbit latency 400ms
}
if ! up 2>"$WORK/up.err"; then
	echo "1..0 # SKIP hosts in network namespaces: cannot make them here ($(head -1 "$WORK/up.err"))"
	exit 0
fi

# The launcher's remote agent: `AGENT HOST WORDS...` runs the words as ssh would (joined, by a
# shell) in HOST's namespace, under HOST's own host name.
cat >"$WORK/agent" <<EOF
#!/bin/bash
host=\$1
shift
exec ip netns exec "$P-\$host" unshare --uts sh -c 'hostname "\$1"; shift; exec sh -c "\$*"' sh "\$host" "\$@"
EOF
chmod 755 "$WORK/agent"

# mpirun as root, its daemons reached through the agent, its own channel and MPI's on the bridge.
hosts_run() { # hosts_run NAME IPCBENCH-ARGS...
	local name=$1
	shift
	timeout -k 5 240 env "$NO_LSAN" mpirun --allow-run-as-root --mca plm_rsh_agent "$WORK/agent" \
		-H "$(IFS=,; echo "${HOSTS[*]}")" -np ${#HOSTS[@]} \
		--mca oob_tcp_if_include "${NET}0/24" --mca btl self,tcp \
		--mca btl_tcp_if_include "${NET}0/24" \
		"$BIN" --hosts mpi "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}
# Run an awk program on a CSV's rows with its fields split as CSV (quoted fields hold commas) and
# c[NAME] the column of each name: csvq FILE [AWK-OPTIONS...] PROGRAM.
csvq() {
	local file=$1
	shift
	local prog=${*: -1}
	awk "${@:1:$#-1}" "$CSV_AWK"'
		{ nf = csv_split($0, f) }
		NR == 1 { for (i = 1; i <= nf; i++) c[f[i]] = i; next }
		'"$prog" "$file"
}
nothing_left() {
	local h
	for h in "${HOSTS[@]}"; do
		[ -z "$(ip netns pids "$(ns "$h")")" ] || return 1
	done
	[ -z "$(ls "$TMPDIR" | grep -E '^(ipcbench-|ompi\.)')" ]
}

hosts_run all -t tcp,udp,mpi -s 64K -d 0.1 -w 10 --csv "$WORK/h.csv" --hdr-log "$WORK/h.hlog"
st=$?
ok $st "mpirun -H h1,h2,h3,h4 ipcbench --hosts mpi -t tcp,udp,mpi exits 0"
[ $st -eq 0 ] || diag "$WORK/all.err"

# Every ordered pair and every host alone: a host_pair row each, measured.
pairs=$(csvq "$WORK/h.csv" 'f[c["latency_kind"]] == "host_pair" && f[c["error"]] == "" {
	print f[c["host"]] "->" f[c["peer_host"]] }' | sort -u | wc -l)
[ "$pairs" -eq 16 ]
ok $? "16 pairs (12 ordered pairs of 4 hosts, 4 hosts alone) measured, none failed ($pairs)"
missing=""
for a in "${HOSTS[@]}"; do
	for b in "${HOSTS[@]}"; do
		want=two-host
		[ "$a" = "$b" ] && want=cross-core
		for t in tcp udp mpi; do
			rows=$(csvq "$WORK/h.csv" -v a="$a" -v b="$b" -v t="$t" -v pl="$want" '
				f[c["transport"]] == t && f[c["latency_kind"]] == "rtt" &&
				f[c["host"]] == a && (f[c["peer_host"]] == b || (a == b && f[c["peer_host"]] == "")) &&
				f[c["placement"]] == pl && f[c["hosts_slot"]] != "" { k++ } END { print k + 0 }')
			[ "$rows" -ge 1 ] || missing+=" $t:$a->$b"
		done
	done
done
[ -z "$missing" ]
ok $? "every pair has its tcp, udp and mpi round trips, named by both hosts${missing:+ (missing:$missing)}"

# No host in two pairs of one slot; every ordered pair once.
csvq "$WORK/h.csv" 'f[c["latency_kind"]] == "host_pair" {
		s = f[c["hosts_slot"]]; a = f[c["host"]]; b = f[c["peer_host"]]
		if (++used[s, a] > 1 || (a != b && ++used[s, b] > 1)) bad = 1
		if (++seen[a, b] > 1) bad = 1
	} END { exit bad }'
ok $? "the schedule: no host in two pairs of a slot, every ordered pair once"

# The far host: its round trips take over 10 ms (64 KiB each way at 100 Mbit/s), and the report
# names it.
far=$(csvq "$WORK/h.csv" -v s="$SLOW" '
	f[c["transport"]] == "tcp" && f[c["latency_kind"]] == "rtt" && f[c["placement"]] == "two-host" {
		v = f[c["p50_ns"]] + 0
		if (f[c["host"]] == s || f[c["peer_host"]] == s) { if (!far || v < far) far = v }
		else if (v > near) near = v
	} END { print far + 0, near + 0 }')
read -r far_min near_max <<<"$far"
[ "$far_min" -gt 10000000 ] && [ "$near_max" -lt "$far_min" ]
ok $? "tcp's 64 KiB round trips with $SLOW take over 10 ms: the fastest ${far_min} ns, the others at most ${near_max} ns"
[ -s "$WORK/h.md" ] && grep -q "^## Hosts" "$WORK/h.md" &&
	grep -q "The slowest host: \*\*$SLOW\*\*" "$WORK/h.md"
ok $? "the report beside the CSV has the hosts' section and names $SLOW the slowest host"
grep -A8 '^\*\*tcp, round trip p50\*\*' "$WORK/h.md" | diag
grep -q "^| sender / receiver | h1 | h2 | h3 | h4 |" "$WORK/h.md" &&
	grep -q "^### C14\. " "$WORK/h.md" && grep -q "from h1 to $SLOW" "$WORK/h.md"
ok $? "the matrix has every host both ways, and C14 is judged pair by pair"
grep -q "^Tag=h2->h3/" "$WORK/h.hlog" && grep -q "^Tag=h1->h1/" "$WORK/h.hlog" &&
	[ "$(grep -c '^#\[Histogram log format' "$WORK/h.hlog")" -eq 1 ]
ok $? "one HdrHistogram log, its tags naming the pairs"
"$BIN" compare "$WORK/h.csv" "$WORK/h.csv" >"$WORK/cmp.out" 2>&1
grep -q "^tcp h1->h4 " "$WORK/cmp.out"
ok $? "compare keeps the pairs apart (tcp h1->h4 a group of its own)"
nothing_left
ok $? "nothing is left in any namespace or the temporary directory"

# One host drops every UDP datagram on its link: udp across it fails; the rest is kept. (Its
# link's ingress sends UDP to a device that is down, which drops it: the drop action of tc is
# not in every kernel either.)
ip -n "$(ns h3)" link add "${P}ifb" type ifb &&
	ip netns exec "$(ns h3)" tc qdisc add dev "${P}3" ingress &&
	ip netns exec "$(ns h3)" tc filter add dev "${P}3" parent ffff: protocol ip u32 \
		match ip protocol 17 0xff action mirred egress redirect dev "${P}ifb"
hosts_run udp -t tcp,udp -s 64 -m latency -n 50 -w 5 --timeout 2 --csv "$WORK/f.csv"
st=$?
bad_pairs=$(csvq "$WORK/f.csv" 'f[c["latency_kind"]] == "host_pair" && f[c["error"]] != "" {
	print f[c["host"]] "->" f[c["peer_host"]] }' | sort | paste -sd' ')
[ $st -eq 1 ] && [ "$bad_pairs" = "h1->h3 h2->h3 h3->h1 h3->h2 h3->h4 h4->h3" ]
ok $? "udp dropped by h3: exit 1 (got $st), the six pairs with h3 failed, named ($bad_pairs)"
[ $st -eq 1 ] || diag "$WORK/udp.err"
grep -q "ipcbench: --hosts: h1 -> h3 failed: .*udp" "$WORK/udp.err"
ok $? "the failure names the pair and the transport"
grep "failed:" "$WORK/udp.err" | head -2 | diag
kept=$(csvq "$WORK/f.csv" 'f[c["transport"]] == "tcp" && f[c["latency_kind"]] == "rtt" &&
	f[c["placement"]] == "two-host" { k++ } END { print k + 0 }')
[ "$kept" -eq 12 ]
ok $? "tcp's rows of all 12 pairs are kept ($kept)"
nothing_left
ok $? "after the failures too, nothing is left"

done_testing
