#!/bin/bash
# brokers.sh - the message brokers' servers (TAP): two ipcbench runs at once each start brokers
# of their own (distinct processes, ports and directories), then one driver is killed with
# SIGKILL while its brokers run and the other ends normally; after `ipcbench --cleanup`, no
# broker process of either, no port they listened on and no directory they used is left.
#
# Usage: brokers.sh PATH/TO/ipcbench
. "$(dirname "$0")/lib.sh"

# The brokers are the transports of the brokers family (`--list NAME` says each one's) that run
# here: none is named in this test.
brokers=$(for t in $("$BIN" --list | awk 'NR > 1 && $2 == "yes" { print $1 }'); do
	"$BIN" --list "$t" | grep -q '^  family: *brokers$' && echo "$t"
done | paste -sd, -)
if [ -z "$brokers" ]; then
	echo "1..0 # SKIP no message broker can run here (see ipcbench --list: family brokers)"
	exit 0
fi
nbrokers=$(tr ',' '\n' <<<"$brokers" | wc -l)

# The servers a driver listed in its service directories: "pid start" lines.
listed() { # listed DRIVER_PID
	cat "$TMPDIR"/ipcbench-"$1"-*.d/ipcb-pids 2>/dev/null
}
# TCP ports in LISTEN state held by the processes given (by socket inode).
ports_of() { # ports_of PID...
	local p inodes=""
	for p in "$@"; do
		inodes+=" $(ls -l "/proc/$p/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' |
			tr '\n' ' ')"
	done
	awk -v want="$inodes" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) s[w[i]] = 1 }
		FNR > 1 && $4 == "0A" && ($10 in s) { split($2, a, ":"); print a[2] }' \
		/proc/net/tcp /proc/net/tcp6 | while read -r hex; do echo $((16#$hex)); done | sort -u
}
listening() { # listening PORT: is anything listening on it now?
	awk 'FNR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 |
		while read -r hex; do echo $((16#$hex)); done | grep -qx "$1"
}
alive() { # alive PID START: still that process, and not a zombie
	local now
	now=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[20] }' "/proc/$1/stat" 2>/dev/null)
	[ "$now" = "$2" ] && ! proc_dead "$1"
}
all_gone() { # all_gone FILE: none of its "pid start" lines is alive
	local p s
	while read -r p s; do
		alive "$p" "$s" && return 1
	done <"$1"
	return 0
}
ready() { # ready DRIVER: all its brokers listed and every one of them alive
	local p s n=0
	[ "$(ls -d "$TMPDIR"/ipcbench-"$1"-*.d 2>/dev/null | wc -l)" -ge "$nbrokers" ] || return 1
	while read -r p s; do
		alive "$p" "$s" && n=$((n + 1))
	done < <(listed "$1")
	[ "$n" -ge "$nbrokers" ] && grep -q "latency" "$WORK/run$2.err"
}

pids=()
for i in 1 2; do
	# Long enough runs that both drivers' brokers are up together.
	"$BIN" -t "$brokers" -s 64 -m latency -d 4 --repeat 2 --timeout 60 \
		--csv "$WORK/run$i.csv" >/dev/null 2>"$WORK/run$i.err" &
	pids+=($!)
	BG_PIDS+=($!)
done
wait_for 60 ready "${pids[0]}" 1 && wait_for 60 ready "${pids[1]}" 2
ok $? "both drivers started their $nbrokers broker(s) ($brokers)"
listed "${pids[0]}" | sort -u >"$WORK/procs1"
listed "${pids[1]}" | sort -u >"$WORK/procs2"
[ -s "$WORK/procs1" ] && [ -s "$WORK/procs2" ] &&
	[ -z "$(comm -12 <(cut -d' ' -f1 "$WORK/procs1" | sort) <(cut -d' ' -f1 "$WORK/procs2" | sort))" ]
ok $? "no broker process is shared: $(wc -l <"$WORK/procs1") and $(wc -l <"$WORK/procs2") processes"
# shellcheck disable=SC2046
ports_of $(cut -d' ' -f1 "$WORK/procs1") >"$WORK/ports1"
# shellcheck disable=SC2046
ports_of $(cut -d' ' -f1 "$WORK/procs2") >"$WORK/ports2"
[ -z "$(comm -12 "$WORK/ports1" "$WORK/ports2")" ] && ! grep -qx 4369 "$WORK/ports1" "$WORK/ports2"
ok $? "no port is shared, none is epmd's default 4369: $(paste -sd' ' "$WORK/ports1") and $(paste -sd' ' "$WORK/ports2")"

kill -KILL "${pids[0]}"
wait "${pids[0]}" 2>/dev/null
wait "${pids[1]}"
st=$?
ok $st "the other driver ends normally beside it (exit $st)"
[ $st -eq 0 ] || diag "$WORK/run2.err"
wait_for 10 all_gone "$WORK/procs2"
ok $? "the driver that ended stopped all $(wc -l <"$WORK/procs2") of its broker processes"
[ -z "$(ls -d "$TMPDIR"/ipcbench-"${pids[1]}"-* 2>/dev/null)" ]
ok $? "the driver that ended left no directory"

"$BIN" --cleanup >"$WORK/cleanup.out" 2>&1
ok $? "ipcbench --cleanup runs"
diag "$WORK/cleanup.out"
wait_for 10 all_gone "$WORK/procs1"
ok $? "after the SIGKILL and --cleanup, none of the $(wc -l <"$WORK/procs1") broker processes is left"
left=""
for port in $(cat "$WORK/ports1" "$WORK/ports2"); do
	listening "$port" && left+=" $port"
done
[ -z "$left" ]
ok $? "no port the brokers listened on is listening${left:+: still$left}"
[ -z "$(left_named "${pids[0]}")" ]
ok $? "nothing named ipcbench-${pids[0]}-* is left (directories, sockets, data)"
left_named "${pids[0]}" | diag

done_testing
