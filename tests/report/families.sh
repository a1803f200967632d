#!/bin/bash
# families.sh IPCBENCH - TAP test of how `ipcbench report` groups transports, on hand-made CSVs
# whose answers are known: families come from the data path each row declares (shared memory
# beating shared memory is still shared memory winning), readers that poll are compared with
# readers that poll and never with readers that sleep, frameworks are compared with the raw
# transport they ride on (C11), zero-copy variants with their copying original and the size from
# which they win (C13), two-host rows by their data path (C14), loans are labelled where they are
# ranked, and every table and claim of CLAIMS.md has its section.
set -u
BIN=${1:?usage: families.sh ipcbench}
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/claims.sh"
tap_workdir report-families

HEADER="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,sender_cpu_ns_per_msg,receiver_cpu_ns_per_msg,data_path,rides_on,library,hops,channel,messages,full_checks,host,cpu_model"
# QUIET: per-round factors of a quiet machine (+-2 %), in per mille.
QUIET=(1000 1010 990 1020 980)
# rounds TRANSPORT PLACEMENT SIZE RTT_NS BPS CTX PATH [RIDES_ON LIBRARY HOPS CHANNEL FULL]:
# five rounds of a round trip row and a stream row.
rounds() {
	local r f
	for r in 1 2 3 4 5; do
		f=${QUIET[r - 1]}
		echo "$1,latency,$3,$r,$r,rtt,$2,block,$(($4 * f / 1000)),,$6,1000,1000,$7,${8:-},${9:-},${10:-direct},${11:-},1000,1000,fixture,cpu"
		echo "$1,throughput,$3,$r,$r,,$2,block,,$(($5 / 1000 * f)),$6,1000,1000,$7,${8:-},${9:-},${10:-direct},${11:-},1000,${12:-1000},fixture,cpu"
	done
}

# 1. Shared memory beating shared memory: shm-zc is the fastest, shm next, both shared memory;
# pipe is the best of the others. C1 holds everywhere: no cell is shm-zc against "another".
{
	echo "$HEADER"
	for p in cross-core same-core; do
		rounds shm-zc $p 64 200 9000000000 2.0 shared-memory shm "" direct "zerocopy; ring" 20
		rounds shm $p 64 400 4000000000 2.0 shared-memory
		rounds pipe $p 64 5000 400000000 2.0 kernel-copy
	done
} >"$WORK/shm.csv"
report_md "$WORK/shm.csv" "$WORK/shm.md"
ok $? "report on a CSV with data paths exits 0"
verdict "$WORK/shm.md" C1 | grep -q '\*\*holds\*\* (4 of 4 decided'
ok $? "C1 holds when shared memory beats shared memory ($(verdict "$WORK/shm.md" C1))"
! lines "$WORK/shm.md" C1 | grep -q 'vs shm '
ok $? "no C1 cell sets a shared-memory transport against another ($(lines "$WORK/shm.md" C1 | head -1 | cut -c1-100))"
lines "$WORK/shm.md" C1 | grep -q 'throughput: yes - shm 4.00 GB/s vs pipe' &&
	! lines "$WORK/shm.md" C1 | grep -v '^- not compared' | grep -q 'throughput: .*shm-zc' &&
	lines "$WORK/shm.md" C1 | grep -q '^- not compared: shm-zc vs pipe, cross-core, 64 B, throughput: shm-zc is a loan'
ok $? "a family's stream is a copy: the loan's stream is not compared in C1, and the refusal says why ($(lines "$WORK/shm.md" C1 | grep -m1 throughput | cut -c1-80))"
sed 's/,shared-memory,shm,/,,shm,/; s/,shared-memory,,/,,,/' "$WORK/shm.csv" |
	cut -d, -f1-13,15- >"$WORK/nopath.csv"
report_md "$WORK/nopath.csv" "$WORK/nopath.md"
verdict "$WORK/nopath.md" C1 | grep -q 'not measured.*data paths'
ok $? "without the data path C1 is not measured, saying why ($(verdict "$WORK/nopath.md" C1))"
grep -q '^| 1 | shm-zc | block | 200 ns | 9.00 GB/s \[a loan: read in place, 2.0% of the messages in full\]' "$WORK/shm.md" &&
	grep -q '^| 2 | shm | block | 400 ns' "$WORK/shm.md" &&
	sed -n '/^## The answers in brief/,/^### The guides/p' "$WORK/shm.md" |
	grep -q '^- readers that sleep: \*\*shm-zc\*\* 200 ns'
ok $? "a round trip that copies is ranked by it, as the answers rank it, its stream's loan said beside it ($(grep '| shm-zc | block' "$WORK/shm.md" | head -1))"

# 2. Classes: shm-sem polls (no context switches), sysv-shm sleeps. C5 does not compare them;
# C1 compares shm-sem only with other readers that poll (none here) and the sleeping shared
# memory (sysv-shm) with the sleeping others (pipe).
{
	echo "$HEADER"
	rounds shm-sem cross-core 64 300 1000000000 0.0002 shared-memory
	rounds sysv-shm cross-core 64 20000 100000000 2.1 shared-memory
	rounds pipe cross-core 64 30000 90000000 2.0 kernel-copy
} >"$WORK/class.csv"
report_md "$WORK/class.csv" "$WORK/class.md"
lines "$WORK/class.md" C1 | grep -q 'sysv-shm .* vs pipe .*readers that sleep' &&
	! lines "$WORK/class.md" C1 | grep -v '^- not compared' | grep -q 'shm-sem'
ok $? "C1 compares sleeping readers with sleeping readers, and leaves the polling one out ($(lines "$WORK/class.md" C1 | head -1 | cut -c1-90))"
awk '/^### C5\./,/^### C6\./' "$WORK/class.md" |
	grep -q "^- not compared: shm-sem vs sysv-shm, cross-core, 64 B, round trip p50: shm-sem's reader polls (0.0002 context switches per message), sysv-shm's reader sleeps"
ok $? "C5 does not set a polling reader against a sleeping one, and says so"
verdict "$WORK/class.md" C5 | grep -q 'not measured'
ok $? "so C5 has no comparison to decide ($(verdict "$WORK/class.md" C5))"

# 3. C11: zmq-ipc rides on unix-stream and costs more; C13: vmsplice against pipe, slower at
# 64 B and faster from 64K on; C14: tcp's two-host rows hold, a shared-memory row there does not.
{
	echo "$HEADER"
	for s in 64 65536 1048576; do
		rounds unix-stream cross-core $s 10000 1000000000 2.0 kernel-copy
		rounds zmq-ipc cross-core $s 30000 300000000 2.0 kernel-copy unix-stream "zmq 4.3.4" "via I/O thread"
		rounds pipe cross-core $s 10000 1000000000 2.0 kernel-copy
	done
	rounds vmsplice cross-core 64 20000 500000000 2.0 kernel-copy pipe
	rounds vmsplice cross-core 65536 5000 2000000000 2.0 kernel-copy pipe
	rounds vmsplice cross-core 1048576 5000 2000000000 2.0 kernel-copy pipe
	for s in 64 65536; do
		rounds tcp cross-core $s 20000 500000000 2.0 network-stack
		rounds tcp two-host $s 60000 100000000 2.0 network-stack
	done
} >"$WORK/higher.csv"
report_md "$WORK/higher.csv" "$WORK/higher.md"
verdict "$WORK/higher.md" C11 | grep -q '\*\*holds\*\* (6 of 6' &&
	lines "$WORK/higher.md" C11 | grep -q 'unix-stream 10.0 us vs zmq-ipc 30.0 us'
ok $? "C11: a framework against the raw transport it rides on ($(verdict "$WORK/higher.md" C11))"
grep -q '^| cross-core | zmq-ipc | via I/O thread | kernel-copy | unix-stream | 30.0 us | 3.0x | 300.0 MB/s | 3.3x |$' "$WORK/higher.md"
ok $? "T5 gives the framework's hops, route and cost as a multiple of its raw transport"
verdict "$WORK/higher.md" C13 | grep -q '\*\*mixed\*\* (4 of 6 decided comparisons hold; not 64 B; holds 64K; holds 1M)' &&
	grep -q '^- vmsplice against pipe, cross-core, throughput: wins from 64K on$' "$WORK/higher.md"
ok $? "C13: a zero-copy variant against its copying original, and the size it wins from ($(verdict "$WORK/higher.md" C13))"
verdict "$WORK/higher.md" C14 | grep -q '\*\*holds\*\* (4 of 4' &&
	lines "$WORK/higher.md" C14 | grep -q 'tcp (data path network-stack) across hosts 60.0 us, on loopback cross-core 20.0 us'
ok $? "C14: what crossed went through the network stack, against its loopback ($(verdict "$WORK/higher.md" C14))"
{
	cat "$WORK/higher.csv"
	rounds shm two-host 64 3000 900000000 2.0 shared-memory
} >"$WORK/cross.csv"
report_md "$WORK/cross.csv" "$WORK/cross.md"
lines "$WORK/cross.md" C14 | grep -q ': no - shm (data path shared-memory) across hosts'
ok $? "C14 can fail: a shared-memory row across hosts is a 'no'"

# 5. C10 can fail: with the receiver slowed to 100 us a message, posix-mq's send calls return
# in 9 us (it goes on at once), sysv-mq's take 95 us (it waits): one holds, one does not, and
# posix-mq used synchronously is shown waiting.
SH="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,receiver_work_ns,offered_rate,host,cpu_model"
{
	echo "$SH"
	for r in 1 2 3 4 5; do
		echo "posix-mq,throughput,64,$r,$r,send_call,cross-core,block,$((9000 + r * 100)),,100000,5000.0,fixture,cpu"
		echo "posix-mq,latency,64,$r,$r,rtt,cross-core,block,140000,,100000,5000.0,fixture,cpu"
		echo "sysv-mq,throughput,64,$r,$r,send_call,cross-core,block,$((95000 + r * 100)),,100000,5000.0,fixture,cpu"
		echo "posix-mq,throughput,4096,$r,$r,send_call,cross-core,block,$((9500 + r * 100)),,100000,5000.0,fixture,cpu"
		echo "posix-mq,latency,64,$r,$r,rtt,cross-core,block,40000,,0,,fixture,cpu"
	done
	# One round in three where the receiver fell behind: not decided either way.
	for r in 1 2 3; do
		echo "posix-mq,throughput,64,$r,$r,send_call,same-core,block,$((r == 3 ? 105000 : 2000 + r * 50)),,100000,5000.0,fixture,cpu"
	done
} >"$WORK/slow.csv"
report_md "$WORK/slow.csv" "$WORK/slow.md"
ok $? "report on a CSV with a slow consumer exits 0"
verdict "$WORK/slow.md" C10 | grep -q '\*\*mixed\*\* (2 of 3 decided'
ok $? "C10 is decided on the send calls ($(verdict "$WORK/slow.md" C10))"
lines "$WORK/slow.md" C10 | grep -q '^- cross-core, 64 B, send call p50: no - sysv-mq: a send call took 95.3 us (p50) while the receiver spent 100 us on each message' &&
	lines "$WORK/slow.md" C10 | grep -q 'yes - posix-mq: a send call took 9.30 us (p50) while the receiver spent 100 us on each message; used synchronously (request and reply) the sender waits 140 us'
ok $? "a sender that waits fails it, one that goes on holds it, the synchronous use shown beside"
undecided=$(lines "$WORK/slow.md" C10 | grep '^- same-core, 64 B, send call p50: not decided - posix-mq')
grep -qE '\(p = [0-9.]+(e-[0-9]+)? for, [0-9.]+(e-[0-9]+)? against; Holm' <<<"$undecided" &&
	! grep -q 'p = 0 for, 0 against' <<<"$undecided"
ok $? "a comparison the rounds do not decide gives both tests' p-values ($undecided)"
verdict "$WORK/higher.md" C10 | grep -q 'not measured\*\* (the CSV has no streams with a slow consumer'
ok $? "without a slow consumer C10 is not measured, saying how to measure it"

# 6. Tuned settings: pipe with write=16384 streams 64K three times faster than by default, and
# fifo (which has no such setting) is 10% slower than the default pipe. The tuned rows stay out
# of the tables and claims at the defaults, are tested against the defaults in their section,
# and at its best the pipe makes C3 ("a FIFO is slightly slower") fail at 64K, on both
# placements; at 1M, untuned, it still holds.
TH="transport,mode,size_bytes,run,round,latency_kind,placement,wait,p50_ns,bytes_per_s,ctx_switches_per_msg,data_path,tuning,host,cpu_model"
{
	echo "$TH"
	for r in 1 2 3 4 5; do
		f=${QUIET[r - 1]}
		for p in cross-core same-core; do
			echo "pipe,throughput,65536,$r,$r,,$p,block,,$((1000000 * f)),2.0,kernel-copy,,fixture,cpu"
			echo "pipe,throughput,65536,$r,$r,,$p,block,,$((3000000 * f)),2.0,kernel-copy,write=16384,fixture,cpu"
			echo "fifo,throughput,65536,$r,$r,,$p,block,,$((909000 * f)),2.0,kernel-copy,,fixture,cpu"
		done
		echo "pipe,throughput,1048576,$r,$r,,cross-core,block,,$((1000000 * f)),2.0,kernel-copy,,fixture,cpu"
		echo "fifo,throughput,1048576,$r,$r,,cross-core,block,,$((909000 * f)),2.0,kernel-copy,,fixture,cpu"
	done
} >"$WORK/tuned.csv"
report_md "$WORK/tuned.csv" "$WORK/tuned.md"
ok $? "report on a CSV with tuned settings exits 0"
verdict "$WORK/tuned.md" C3 | grep -q '\*\*holds\*\*' &&
	! sed -n '/^## T2/,/^## T4/p' "$WORK/tuned.md" | grep -q 'pipe write=16384'
ok $? "at the defaults C3 holds, and the tuned pipe is no mechanism of its own ($(verdict "$WORK/tuned.md" C3 | cut -c1-60))"
grep -q '^| pipe | cross-core | 64K | throughput | 1.00 GB/s | write=16384 | 3.00 GB/s | pipe write=16384 faster than pipe by more than 5%; pipe write=16384/pipe 3.00x .* over 5 rounds, paired |$' "$WORK/tuned.md"
ok $? "the best setting is tested against the default on the rounds"
grep -q '^| C3 | holds | mixed (1 of 3 decided hold; 0 not compared); tuning changes the answer |$' "$WORK/tuned.md"
ok $? "and where tuning changes a claim's answer, the report says so"

# 4. Every table and claim of CLAIMS.md has its section, measured or saying why not.
missing=''
for id in T1 'T2 and T3' T4 T5 'Each mechanism at its best'; do
	grep -qE "^## $id(\.| \()" "$WORK/higher.md" || missing="$missing $id"
done
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
	grep -qE "^### C$i[. ]" "$WORK/higher.md" || missing="$missing C$i"
done
[ -z "$missing" ]
ok $? "every table and claim of CLAIMS.md has a section${missing:+ (missing:$missing)}"

# 5. The answers in brief, above the tables: every claim once, with the verdict its section has.
brief=$(sed -n '/^## The answers in brief/,/^## /p' "$WORK/higher.md")
missing=''
for i in 1 2 3 4 5 6 7 8 9 10 11 13 14; do
	echo "$brief" | grep -qE "^\| C$i \|" || missing="$missing C$i"
done
echo "$brief" | grep -qE '^\| C12 ' || missing="$missing C12"
[ -z "$missing" ] && [ "$(grep -n '^## ' "$WORK/higher.md" | head -1 | cut -d: -f2-)" = "## The answers in brief" ]
ok $? "the answers in brief come first and list every claim${missing:+ (missing:$missing)}"
c11_section=$(verdict "$WORK/higher.md" C11 | sed 's/^Verdict: \*\*\([^*]*\)\*\*.*/\1/')
echo "$brief" | grep -E '^\| C11 \|' | grep -qF "| $c11_section |"
ok $? "a claim's verdict in brief is its section's ($c11_section)"

# 6. What a server costs: a broker's rows carry its start-up and its resident memory, and the
# queues section shows them beside its round trip and stream; a socket, with no server, shows none.
{
	echo "$HEADER,server_start_ms,server_rss_bytes"
	for p in cross-core; do
		rounds tcp $p 64 30000 400000000 2.0 network-stack | sed 's/$/,,/'
		rounds kafka $p 64 900000 30000000 2.0 network-stack tcp "librdkafka 2.0.2" "via broker" | sed 's/$/,4321.5,402653184/'
	done
} >"$WORK/server.csv"
report_md "$WORK/server.csv" "$WORK/server.md"
queues=$(sed -n '/^## Message queues/,/^## /p' "$WORK/server.md")
echo "$queues" | grep -qE '^\| kafka \| broker \| via broker \|.*\| 4.32 s \| 384.0 MiB \|' &&
	echo "$queues" | grep -qE '^\| tcp \| socket \| direct \|.*\| - \| - \| \(baseline\) \|$'
ok $? "the queues section shows a server's start-up and memory, a socket none ($(echo "$queues" | grep -E '^\| kafka ' | head -1 | cut -c1-160))"

done_testing
