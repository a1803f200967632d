#!/bin/bash
# waits.sh IPCBENCH - TAP: the slot transports and shm-bcast mark their waits, so that
# `ipcbench --count` counts what a message takes and not how long the other side kept it
# waiting. In a round trip each side waits for every reply: a reader that polls (a nonblocking
# read of an eventfd, a semop with IPC_NOWAIT) makes one call when the message is there and one
# more each time it looks too early, and these looks, with the sleep they end in, are a wait.
# Counted, each side of a 64 B round trip across two CPUs makes the two calls of its two messages
# (one to send, one to take), however the two sides' timing falls.
set -u
BIN=${1:?usage: waits.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/need.sh"

counted_need "$BIN"
tap_workdir waits

"$BIN" -q --count -t eventfd,sysv-shm -s 64 -m latency --placement cross-core -n 2000 \
	--csv "$WORK/count.csv" >"$WORK/count.out" 2>&1
ok $? "ipcbench --count: eventfd's and sysv-shm's 64 B round trips counted"

awk "$(cat "$(dirname "$0")/../csv.awk")"'
	NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csv_split($0, f) }
	f[c["sender_syscalls_per_msg"]] != "" {
		print f[c["transport"]], f[c["sender_syscalls_per_msg"]], f[c["receiver_syscalls_per_msg"]]
	}' "$WORK/count.csv" | sort -u >"$WORK/counted"
[ "$(wc -l <"$WORK/counted")" -eq 2 ]
ok $? "the counted rows give each side's calls a round trip ($(wc -l <"$WORK/counted") transports)"
while read -r t snd rcv; do
	# Within 0.05 of two: the counts include the run's few calls outside its messages.
	awk -v s="$snd" -v r="$rcv" 'BEGIN { exit !(s >= 1.95 && s <= 2.05 && r >= 1.95 && r <= 2.05) }'
	ok $? "$t: each side makes two calls a round trip, its waits left out (counted $snd and $rcv)"
done <"$WORK/counted"

# shm-bcast's sides mark theirs too (the reader's polls and sleep, the writer's wait for room,
# each side's look for a sleeper to wake): counted with either side slowed in turn, what a side
# executes a message moves by a fraction of a per cent at most (its polls, unmarked, moved it by
# several times).
"$BIN" -q --count -t shm-bcast -s 64 -m latency,throughput --placement cross-core -n 2000 \
	--csv "$WORK/bcast.csv" >>"$WORK/count.out" 2>&1
ok $? "ipcbench --count: shm-bcast's 64 B round trip and stream counted"
awk "$(cat "$(dirname "$0")/../csv.awk")"'
	NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csv_split($0, f) }
	f[c["count_check"]] != "" { print f[c["mode"]] "\t" f[c["count_check"]] }' \
	"$WORK/bcast.csv" >"$WORK/bcast.checks"
[ "$(wc -l <"$WORK/bcast.checks")" -eq 2 ]
ok $? "the counted rows say how the count held ($(wc -l <"$WORK/bcast.checks") rows)"
while IFS=$'\t' read -r mode check; do
	# "exact", or "timing-dependent: SIDE instructions +X% with each side slowed in turn".
	pct=$(echo "$check" | sed -n 's/^timing-dependent: .* [-+]\([0-9.]*\)% with .*/\1/p')
	[ "$check" = exact ] || awk -v p="${pct:-100}" 'BEGIN { exit !(p < 5) }'
	ok $? "shm-bcast $mode: its count holds whichever side is slowed ($check)"
done <"$WORK/bcast.checks"
[ "$failed" -eq 0 ] || diag "$WORK/count.out"
done_testing
