#!/bin/bash
# syscalls.sh IPCBENCH - TAP: each transport's declared system calls a message (`syscalls` in
# struct ipcb_transport, shown by `ipcbench --list NAME`), which every row's ceiling counts at
# floor-syscall's time, held to what `ipcbench --count` counts its sides making: a 64 B stream
# across two CPUs of every kernel mechanism at its defaults, each side's calls a message with
# its waits left out. A declaration may not exceed the count (the ceiling would ask for calls
# the mechanism does not make), and a side that makes a call for every message, beside a
# lock's futex calls, declares it (the ceiling would leave it out).
set -u
BIN=${1:?usage: syscalls.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/need.sh"

counted_need "$BIN"
tap_workdir syscalls

"$BIN" -q --count -t kernel -s 64 -m throughput --placement cross-core -n 2000 \
	--csv "$WORK/count.csv" >"$WORK/count.out" 2>&1
ok $? "ipcbench --count: every kernel mechanism's 64 B stream counted"

# transport sender receiver sender' receiver': the counted calls a message of each default row,
# and the same without the futex calls (a lock's or a semaphore's sleep and wake-up, made as
# often as the sides happen to contend: waits, which no message needs).
awk "$(cat "$(dirname "$0")/../csv.awk")"'
	function unwaited(side, text,    parts, calls, k, m, sum, p) {
		sum = 0
		split(text, parts, "; ")
		for (p in parts) {
			if (index(parts[p], side ": ") != 1)
				continue
			m = split(substr(parts[p], length(side) + 3), calls, ", ")
			for (k = 1; k <= m; k++)
				if (calls[k] !~ /^(futex|pthread_|sem_|lll_)/)
					sum += substr(calls[k], index(calls[k], " ") + 1)
		}
		return sum
	}
	NR == 1 { n = csv_split($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csv_split($0, f) }
	f[c["sender_syscalls_per_msg"]] != "" && f[c["tuning"]] == "" {
		print f[c["transport"]], f[c["sender_syscalls_per_msg"]], f[c["receiver_syscalls_per_msg"]],
			unwaited("sender", f[c["syscalls"]]), unwaited("receiver", f[c["syscalls"]])
	}' "$WORK/count.csv" | sort -u >"$WORK/counted"
[ -s "$WORK/counted" ]
ok $? "the counted rows give each side's calls a message ($(wc -l <"$WORK/counted") transports)"

declared=0
while read -r t snd rcv snd_own rcv_own; do
	line=$("$BIN" --list "$t" | sed -n 's/^  system calls: *//p')
	ds=0 dr=0
	if [ -n "$line" ]; then
		read -r ds _ _ _ _ dr _ <<<"$line"
		declared=$((declared + 1))
	fi
	# Within 0.05 of a whole call: the counts include the run's few calls outside messages.
	awk -v ds="$ds" -v dr="$dr" -v s="$snd" -v r="$rcv" -v so="$snd_own" -v ro="$rcv_own" 'BEGIN {
		exit !(ds <= s + 0.05 && dr <= r + 0.05 && (so < 0.95 || ds >= 1) && (ro < 0.95 || dr >= 1))
	}'
	ok $? "$t declares $ds to send, $dr to take; counted $snd and $rcv a message ($snd_own and $rcv_own but futex calls)"
done <"$WORK/counted"
[ "$declared" -gt 0 ]
ok $? "some transport declares system calls ($declared)"
done_testing
