#!/bin/bash
# private.sh - every kernel object and file a run makes is private (TAP).
#
# 1. Every call that creates something, over every transport, as the kernel sees it (strace):
#    files and POSIX names are created O_CREAT|O_EXCL with mode 0600, directories 0700, FIFOs
#    0600, System V objects IPC_CREAT|IPC_EXCL|0600 under a key with ipcbench's prefix (never
#    IPC_PRIVATE or a fixed key), sockets bind to a kernel-chosen port; every name is
#    "ipcbench-<creating pid>-<16 random hex digits>..." or lies in such a run's directory,
#    "<tag>.d", made 0700 by the driver.
# 2. While runs are in progress, another user (nobody) can neither open nor use any of it: the
#    System V objects by id or by key, the registry, the files the children hold open or mapped
#    (only reachable through /proc/<pid>/fd and map_files once unlinked). And names are gone as
#    early as the mechanism allows: during a run nothing but the System V registry is named.
#
# Usage: private.sh PATH/TO/ipcbench PATH/TO/access_probe
. "$(dirname "$0")/lib.sh"
PROBE=$(readlink -f "${2:?usage: private.sh ipcbench access_probe}")

# ---- 1. every create, as the kernel sees it ----
if ! command -v strace >/dev/null || ! strace -qq -o /dev/null true 2>/dev/null; then
	skip "every create is exclusive, private and tagged" "strace is missing or cannot trace here"
else
	mkdir "$WORK/st"
	# LeakSanitizer cannot work under ptrace. Every transport but those whose sides embed a JVM
	# (minutes under strace; brokers.sh checks what their runs leave), at both sizes.
	# --seccomp-bpf: only the traced calls stop a process, so the servers' own calls (Erlang
	# makes hundreds of thousands) cost nothing; the RabbitMQ node started under plain ptrace
	# took 45 s against 14.
	strace --seccomp-bpf -f -ff -qq -o "$WORK/st/t" -e trace=execve,clone,clone3,fork,vfork,open,openat,creat,mkdir,mkdirat,mknod,mknodat,msgget,shmget,semget,mq_open,bind \
		env "$NO_LSAN" "$BIN" -q -t "$(all_but_jvm)" -s 64,64K -n 50 -d 0 -w 2 >/dev/null 2>"$WORK/st.err"
	st=$?
	ok $st "a traced run over all transports (but those embedding a JVM) exits 0"
	# Each file is one process (t.<pid>): a name must carry the pid of the process that made it.
	# Spelled out: mawk has no {n} intervals.
	h=[0-9a-f] a=[A-Za-z0-9]
	h5=$h$h$h$h$h h16=$h5$h5$h5$h a6=$a$a$a$a$a$a
	# A server that a transport starts (a bus daemon, a broker, the shell starting one) keeps its
	# own files in the directory of its service, under its own rules: from its exec on, a
	# process, and every thread or process it starts, is not ours and not checked. So are an MPI
	# runtime's ranks (ipcb-rank): the library in them makes its session files in the run's
	# directory as it likes, and the directory goes with the run. Whether
	# each traced thread starts as ours: its parent's state at the clone that made it.
	awk '
		FNR == 1 { tid = FILENAME; sub(/.*\./, "", tid); tids[tid] = 1 }
		/= -1 E/ { next }
		/^execve\(/ { ev[tid, ++nev[tid]] = "x" ($0 !~ /^execve\("[^"]*\/ipcbench"/); next }
		/^(clone3?|v?fork)\(/ && match($0, /= [0-9]+$/) {
			child = substr($0, RSTART + 2); parent[child] = tid
			ev[tid, ++nev[tid]] = "c" child
		}
		function start(t,    p, st, k) {
			if (t in memo) return memo[t]
			if (!(t in parent)) return memo[t] = 0
			p = parent[t]; st = start(p)
			for (k = 1; k <= nev[p]; k++) {
				if (ev[p, k] == "c" t) break
				if (ev[p, k] ~ /^x/) st = substr(ev[p, k], 2) + 0
			}
			return memo[t] = st
		}
		END { for (t in tids) print t, start(t) }' "$WORK"/st/t.* >"$WORK/st.foreign"
	for f in "$WORK"/st/t.*; do
		awk -v ok_name="ipcbench-${f##*.}-(probe-)?$h16" -v h5="$h5" -v a6="$a6" \
			-v foreign="$(awk -v t="${f##*.}" '$1 == t { print $2 }' "$WORK/st.foreign")" \
			-v run_dir="ipcbench-[0-9]+-$h16\\.d" '
		function base(s) { sub(/.*\//, "", s); return s }
		function bad(why) { print "# " why ": " $0; fails++ }
		/= -1 E/ { next } # refused calls made nothing
		/^execve\(/ { foreign = $0 !~ /^execve\("[^"]*\/ipcbench"/; next }
		/^(clone3?|v?fork)\(/ { next }
		foreign { next }
		/^(open|openat|creat)\(/ && /O_CREAT|^creat/ {
			match($0, /"[^"]*"/); path = substr($0, RSTART + 1, RLENGTH - 2)
			# The list of theprocesses of a service, appended to by each (O_APPEND, O_NOFOLLOW).
			if ($0 !~ /O_EXCL/ && !(path ~ "/" run_dir "/ipcb-pids$" && /O_APPEND\|O_NOFOLLOW/))
				bad("created without O_EXCL")
			# In the directory of a service, what its server demands: a secret only it may
			# read (0400, the Erlang cookie), a script it runs (0700).
			if ($0 !~ /, 0600\)/ && !(path ~ "/" run_dir "/" && /, 0[47]00\)/))
				bad("created with a mode other than 0600")
			if (base(path) !~ "^" ok_name "(\\.sysv)?$" && path !~ "/" run_dir "/[a-z0-9._-]+$")
				bad("name not ipcbench-<pid>-<random>, nor in its run directory")
			n[path ~ /^\/dev\/shm\// ? "shm-file" : "dir-file"]++
			next
		}
		/^mkdir(at)?\(/ {
			match($0, /"[^"]*"/); path = substr($0, RSTART + 1, RLENGTH - 2)
			if ($0 !~ /, 0700\)/) bad("directory with a mode other than 0700")
			if (base(path) !~ "^" ok_name "\\.d$") bad("directory not <tag>.d")
			n["mkdir"]++; next
		}
		/^mknod(at)?\(/ {
			if ($0 !~ /S_IFIFO\|0600/) bad("FIFO with a mode other than 0600")
			if ($0 !~ "/" run_dir "/(ab|ba)\"") bad("FIFO outside a run directory")
			n["mkfifo"]++; next
		}
		/^(msgget|shmget|semget)\(/ {
			if ($0 !~ /IPC_CREAT/) next # a lookup, not a create
			if ($0 !~ "^[a-z]+get\\(0x1bc" h5 ", ") bad("System V key without the 0x1bc prefix")
			if ($0 !~ /IPC_CREAT\|IPC_EXCL\|0600\)/) bad("System V object not IPC_EXCL 0600")
			n[substr($0, 1, 6)]++; next
		}
		/^mq_open\(/ && /O_CREAT/ {
			if ($0 !~ /O_EXCL/ || $0 !~ /, 0600, /) bad("queue not O_EXCL 0600")
			if ($0 !~ "^mq_open\\(\"" ok_name "([-.][a-z0-9]+)?\"") bad("queue name not <tag>[-suffix]")
			n["mq_open"]++; next
		}
		/^bind\(/ {
			if ($0 ~ /AF_UNIX/ && $0 !~ ok_name && $0 !~ "/" run_dir "/[a-z0-9._-]+\"")
				bad("socket path not tagged, nor in a run directory")
			if ($0 ~ /AF_INET/ && $0 !~ /sin_port=htons\(0\)/) bad("fixed port")
			n["bind"]++; next
		}
		END {
			for (k in n) print k, n[k] > "/dev/stderr"
			exit fails > 0
		}' "$f" 2>>"$WORK/st.counts" || bad=1
	done
	ok "${bad:-0}" "every create is exclusive, mode 0600 (0700 for directories), named ipcbench-<its pid>-<random>, System V keys 0x1bc*"
	awk '{ c[$1] += $2 } END { for (k in c) print k, c[k] }' "$WORK/st.counts" |
		sort >"$WORK/st.sum"
	diag "$WORK/st.sum"
	missing=""
	for kind in shm-file dir-file mkdir mkfifo msgget shmget semget mq_open bind; do
		grep -q "^$kind [0-9]" "$WORK/st.sum" || missing="$missing $kind;"
	done
	[ -z "$missing" ]
	ok $? "the trace saw every kind of create (missing:${missing:- none})"
fi

# ---- 2. nobody can reach a run in progress ----
if ! "$PROBE" try path /nonexistent >/dev/null 2>&1; then
	skip "another user cannot reach a run in progress" "cannot become nobody here (not root)"
	done_testing
	exit
fi
# The probe must be able to see access, or every "refused" below would mean nothing.
echo public >"$WORK/public"
chmod 644 "$WORK/public"
chmod 755 "$WORK"
"$PROBE" try path "$WORK/public" >"$WORK/control.out"
[ $? -eq 1 ]
ok $? "control: nobody can open a 0644 file, so the probe does see access"

# The run of driver PID is under way: both children run and hold its objects (or, for System V,
# its registry exists: setup writes it after the clock check, whose children come first).
run_started() { # run_started PID
	local k
	two_kids "$1" || return 1
	ls "$TMPDIR"/ipcbench-"$1"-[0-9a-f]*.sysv >/dev/null 2>&1 && return 0
	for k in $(kids_of "$1"); do
		ls -l "/proc/$k/fd" 2>/dev/null | grep -q "ipcbench-$1-" && return 0
		grep -q "ipcbench-$1-" "/proc/$k/maps" 2>/dev/null && return 0
	done
	return 1
}
# Names of driver PID's run still there, but for its registry and its run directory once empty.
named_now() { # named_now PID
	local p
	left_named "$1" | grep -v '\.sysv$' | while read -r p; do
		[ -d "$p" ] && [ ! -L "$p" ] && [ -z "$(ls -A "$p" 2>/dev/null)" ] && continue
		echo "$p"
	done
}
no_names() { [ -z "$(named_now "$1")" ]; }

for t in sysv-mq sysv-shm fifo posix-mq shm shm-sem mmap file; do
	"$BIN" -q -t "$t" -s 64 -m latency -d 2 --timeout 30 >/dev/null 2>"$WORK/$t.err" &
	pid=$!
	BG_PIDS+=("$pid")
	if ! wait_for 20 run_started $pid; then
		ok 1 "$t: the run got going"
		continue
	fi
	kids=$(kids_of $pid)
	: >"$WORK/$t.reg"
	reg_snapshot $pid "$WORK/$t.reg"
	# FIFOs go once the receiver has opened both: give it a moment, not the whole run.
	wait_for 1 no_names $pid && two_kids $pid
	ok $? "$t: while the run goes on, no name of it is left in /dev/shm, /dev/mqueue or TMPDIR but its empty run directory$(named_now $pid | tr '\n' ' ')"
	# The registry, and every object it lists.
	for r in "$TMPDIR"/ipcbench-"$pid"-*.sysv; do
		[ -e "$r" ] || continue
		[ "$(stat -c %a:%u "$r")" = "600:$(id -u)" ] && "$PROBE" try path "$r" >"$WORK/try.out"
		ok $? "$t: registry $(basename "$r") is 0600 and nobody cannot open it"
	done
	while read -r kind id key; do
		[ "$kind" = shm ] && ! sysv_exists shm "$id" "$key" && continue # marked for removal
		perms=$(awk -v id="$id" '$2 == id { print $3 }' "/proc/sysvipc/$kind")
		[[ $key == 0x1bc* ]] && [ "$perms" = 600 ] &&
			"$PROBE" try "$kind" "$id" >"$WORK/try.out" &&
			"$PROBE" try "key-$kind" "$key" >>"$WORK/try.out"
		rc=$?
		ok $rc "$t: System V $kind $id (key $key, mode $perms): nobody can neither use it nor open its key"
		[ $rc -eq 0 ] || diag "$WORK/try.out"
	done <"$WORK/$t.reg"
	# What the children hold: open files and mappings named after the run.
	paths=()
	for k in $kids; do
		for fd in /proc/"$k"/fd/*; do
			[[ $(readlink "$fd" 2>/dev/null) == *ipcbench-$pid-* ]] && paths+=("$fd")
		done
		while read -r range _ _ _ _ file; do
			[[ $file == *ipcbench-$pid-* ]] && paths+=("/proc/$k/map_files/$range")
		done <"/proc/$k/maps"
	done
	case $t in
	posix-mq | shm | shm-sem | mmap | file)
		[ ${#paths[@]} -gt 0 ] && "$PROBE" try path "${paths[@]}" >"$WORK/try.out"
		ok $? "$t: nobody cannot open the ${#paths[@]} unlinked object(s) the children hold, via /proc"
		[ ${#paths[@]} -gt 0 ] || diag <<<"no fd or mapping named ipcbench-$pid- in $kids"
		;;
	esac
	wait $pid
	ok $? "$t: the run still succeeds"
done

done_testing
