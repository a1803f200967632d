#!/bin/bash
# brokers.sh - the message brokers' servers (TAP): two ipcbench runs at once each start brokers
# of their own (distinct processes, ports and directories), then one driver is killed with
# SIGKILL while its brokers run and the other ends normally; after `ipcbench --cleanup`, no
# broker process of either, no port they listened on and no directory they used is left.
# amqp's Erlang node, its epmd killed mid-run: an erl from the node's environment (as the node's
# own check for its epmd runs one) starts no epmd daemon, and nothing answers on the run's epmd
# port after it.
# Then the Java brokers (kafka, rocketmq: a JVM, and for RocketMQ a name server beside it):
# one killed mid-run fails that run then, not at its timeout, saying how it ended, and nothing
# of it is left (its name server included); without Java, or without their jars in the Maven cache, or with a Java that
# fails at once, each is skipped, naming what is missing or the server's last line, not hung.
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
# The two drivers at once run the brokers whose sides do not embed a JVM (lib.sh): rocketmq's
# sides take seconds a run to start, and the Java brokers' part below kills and starts its
# servers on their own.
all_brokers=$brokers
brokers=$(tr ',' '\n' <<<"$brokers" | grep -xF -f <(all_but_jvm | tr ',' '\n') | paste -sd, -)
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

# The first driver (killed later) runs long; the second starts once the first's brokers are up,
# so both run at once however long each broker takes to start, and it ends normally.
pids=()
for i in 1 2; do
	"$BIN" -t "$brokers" -s 64 -m latency -d $((i == 1 ? 4 : 1)) --repeat $((i == 1 ? 50 : 2)) --timeout 60 \
		--csv "$WORK/run$i.csv" >/dev/null 2>"$WORK/run$i.err" &
	pids+=($!)
	BG_PIDS+=($!)
	# Java brokers take tens of seconds each to start on a busy machine, one after the other.
	wait_for 300 ready "${pids[$((i - 1))]}" $i || break
done
ready "${pids[0]}" 1 && ready "${pids[1]}" 2
ok $? "both drivers started their $nbrokers broker(s) ($brokers)" || diag "$WORK/run1.err" "$WORK/run2.err"
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

# ---- amqp's epmd --------------------------------------------------------------------------------
# The RabbitMQ node looks for its epmd once a minute and, finding none, runs an erl from its own
# environment, which would start `epmd -daemon` on the run's port, outside every process group
# the driver knows: left running after the driver's stop had ended the node's own epmd before the
# node. Here its epmd is killed mid-run and an erl is started from the node's environment, as the
# node's check does: no epmd may answer on the run's port, during the run or after it.
if tr ',' '\n' <<<"$all_brokers" | grep -qx amqp && command -v erl >/dev/null; then
	"$BIN" -t amqp -s 64 -m latency -d 8 --timeout 60 --csv "$WORK/amqp-epmd.csv" >/dev/null \
		2>"$WORK/amqp-epmd.err" &
	drv=$!
	BG_PIDS+=($drv)
	node_of() { # node_of DRIVER: the pid of its Erlang node, once its run has begun
		local p s
		grep -q '^\[1/' "$WORK/amqp-epmd.err" || return 1
		while read -r p s; do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = beam.smp ] && echo "$p" && return 0
		done < <(listed "$1")
		return 1
	}
	wait_for 120 node_of "$drv" >/dev/null
	node=$(node_of "$drv")
	port=""
	if [ -n "$node" ]; then
		readarray -d '' nodeenv <"/proc/$node/environ"
		port=$(printf '%s\n' "${nodeenv[@]}" | sed -n 's/^ERL_EPMD_PORT=//p')
		kill -KILL $(pgrep -x -P "$node" epmd) 2>/dev/null
		wait_for 10 eval '! listening "$port"'
		(cd "$WORK" && timeout 30 env -i "${nodeenv[@]}" erl -boot no_dot_erlang \
			-sname "epmd-probe-$$" -noinput -s erlang halt) >"$WORK/erl-probe.out" 2>&1
	fi
	[ -n "$port" ] && ! listening "$port"
	ok $? "amqp: with its node's epmd gone, an erl from the node's environment starts none (port ${port:-not found})" ||
		diag "$WORK/amqp-epmd.err" "$WORK/erl-probe.out"
	wait "$drv"
	st=$?
	ok $st "amqp: the run goes on without its epmd and ends normally (exit $st)" ||
		diag "$WORK/amqp-epmd.err"
	[ -n "$port" ] && ! listening "$port" && [ -z "$(left_named "$drv")" ]
	ok $? "amqp: after the run nothing answers on its epmd port, nothing named ipcbench-$drv-* is left"
	# What a failure left: the epmd on the run's port, and none other.
	for p in $(pgrep -x epmd); do
		[ -n "$port" ] && ports_of "$p" | grep -qx "$port" && kill "$p"
	done
else
	skip "amqp: no epmd of the node's environment outlives its run" "amqp does not run here, or no erl"
fi

# ---- the Java brokers ---------------------------------------------------------------------------
java_brokers=$(tr ',' '\n' <<<"$all_brokers" | grep -xE 'kafka|rocketmq' | paste -sd' ')
if [ -z "$java_brokers" ]; then
	skip "a Java broker killed mid-run, and Java brokers that cannot start" \
		"neither kafka nor rocketmq runs here"
	done_testing
fi
started() { # started DRIVER ERRFILE: its server listed, its run begun and its sides running
	[ -n "$(listed "$1")" ] && grep -q '^\[1/' "$2" && pgrep -P "$1" '^ipcb-' >/dev/null
}
for t in $java_brokers; do
	# One run of several seconds; its server is killed once its sides run. They would wait for
	# messages that never come until --timeout; the driver sees its server end and ends the
	# run then, saying so (a run that waited for its --timeout of 60 s fails this test).
	"$BIN" -t "$t" -s 64 -m latency -d 6 --timeout 60 --csv "$WORK/$t-died.csv" \
		>/dev/null 2>"$WORK/$t-died.err" &
	drv=$!
	BG_PIDS+=($drv)
	wait_for 120 started "$drv" "$WORK/$t-died.err"
	ok $? "$t: its server started and its run's sides run" || diag "$WORK/$t-died.err"
	listed "$drv" | sort -u >"$WORK/$t-procs"
	victim=$(head -n 1 "$WORK/$t-procs" | cut -d' ' -f1)
	# (never "kill 0": with no server listed, that would be this test's own process group)
	[ -z "$victim" ] || kill -KILL "$victim" 2>/dev/null
	wait "$drv"
	st=$?
	[ $st -eq 1 ] && grep -qE "$t .* run 1: .*its server: .*killed by signal $(kill -l KILL)" \
		"$WORK/$t-died.err" && grep -q "ended when a process it needs beside its sides ended" \
		"$WORK/$t-died.err" && ! grep -q "timed out" "$WORK/$t-died.err"
	ok $? "$t: its server killed mid-run (pid ${victim:-none}): the run fails then, saying so, not at its timeout (exit $st)" ||
		diag "$WORK/$t-died.err"
	wait_for 10 all_gone "$WORK/$t-procs"
	ok $? "$t: none of its server's $(wc -l <"$WORK/$t-procs") processes is left"
	[ -z "$(left_named "$drv")" ]
	ok $? "$t: nothing named ipcbench-$drv-* is left"
	left_named "$drv" | diag
done

# No Java: neither $JAVA_HOME nor java on $PATH (the driver is found by its path).
env -u JAVA_HOME PATH=/nonexistent "$BIN" -t "${java_brokers// /,}" -s 64 -n 5 \
	>/dev/null 2>"$WORK/nojava.err"
st=$?
[ $st -eq 77 ] && [ "$(grep -c 'skipping .*Java' "$WORK/nojava.err")" -eq "$(wc -w <<<"$java_brokers")" ]
ok $? "without Java: $java_brokers skipped, naming Java, exit 77 (got $st)"
diag "$WORK/nojava.err"

# No jars: an empty Maven cache.
mkdir -p "$WORK/empty-cache"
IPCB_MAVEN_CACHE="$WORK/empty-cache" "$BIN" -t "${java_brokers// /,}" -s 64 -n 5 \
	>/dev/null 2>"$WORK/nojars.err"
st=$?
[ $st -eq 77 ] && [ "$(grep -c 'not in the Maven cache .*scripts/setup' "$WORK/nojars.err")" -eq "$(wc -w <<<"$java_brokers")" ]
ok $? "without their jars: $java_brokers skipped, naming a missing jar, exit 77 (got $st)"
diag "$WORK/nojars.err"

# Another user of a machine root set up: scripts/setup as root put the jars in the machine's
# cache (/var/cache/ipcbench/maven); a user with an empty cache of their own runs the brokers
# from it, and makes their class-data archives in their own.
machine=/var/cache/ipcbench/maven
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -d "$machine" ] &&
	[ -z "${IPCB_MAVEN_CACHE:-}" ] && ! is_asan && as_nobody test -x "$BIN"; then
	nobody=$WORK/nobody
	mkdir -p "$nobody/home"
	chown -R 65534:65534 "$nobody"
	chmod 755 "$WORK"
	(cd "$nobody" && as_nobody env -i \
		PATH=/usr/local/bin:/usr/bin:/bin HOME="$nobody/home" \
		"$BIN" -q -t "${java_brokers// /,}" -s 64 -n 5 -d 0 -m latency --csv "$nobody/run.csv" \
		>"$nobody/out" 2>"$nobody/err")
	st=$?
	got=0
	for t in $java_brokers; do grep -q "^$t,latency,64," "$nobody/run.csv" 2>/dev/null && got=$((got + 1)); done
	[ $st -eq 0 ] && [ $got -eq "$(wc -w <<<"$java_brokers")" ] &&
		[ -z "$(find "$nobody/home" -name '*.jar' 2>/dev/null)" ]
	ok $? "an unprivileged user with no cache of their own measures $java_brokers from the machine's (exit $st, $got measured)"
	diag "$nobody/err"
	chmod 700 "$WORK"
else
	skip "an unprivileged user measures $java_brokers from the machine's cache" \
		"not root, no setpriv, no machine cache, IPCB_MAVEN_CACHE set, a sanitizer build, or a binary another user cannot run"
fi

# A Java that fails at once: the server's end is named with its last words.
mkdir -p "$WORK/badjdk/bin"
printf '#!/bin/sh\necho "this Java cannot start a JVM" >&2\nexit 1\n' >"$WORK/badjdk/bin/java"
chmod +x "$WORK/badjdk/bin/java"
JAVA_HOME="$WORK/badjdk" "$BIN" -t "${java_brokers// /,}" -s 64 -n 5 >/dev/null \
	2>"$WORK/badjava.err" &
drv=$!
BG_PIDS+=($drv)
wait_for 60 proc_gone "$drv"
ok $? "with a Java that fails at once the driver ends by itself"
wait "$drv"
st=$?
# kafka's server ends at once, named with its last line; rocketmq's sides need the JVM's library,
# which such a Java lacks, so its probe names that first.
[ $st -eq 77 ] && [ "$(grep -cE 'skipping (kafka: .*before it was ready.*this Java cannot start a JVM|rocketmq: no Java virtual machine)' "$WORK/badjava.err")" -eq "$(wc -w <<<"$java_brokers")" ]
ok $? "with a Java that fails: $java_brokers skipped, kafka with its server's last line (exit $st)"
diag "$WORK/badjava.err"
[ -z "$(left_named "$drv")" ]
ok $? "with a Java that fails: nothing named ipcbench-$drv-* is left"

done_testing
