#!/bin/bash
# pg.sh IPCBENCH DBTOOL - TAP: a history a team shares on PostgreSQL. A private server
# (pgserver.sh: initdb in a directory of its own, a Unix socket there, stopped and removed
# whatever happens); four runners storing into it at once, each run whole and each group's series
# four points long; the same four as SQLite files merged into one, and the server's history
# copied into a file printing the same series; a run imported twice stored once; a runner
# stopped mid-run marked interrupted; compare --db against the server; a server that is not
# there refused. Where PostgreSQL is not installed, the test says so and skips.
set -u
BIN=$(readlink -f "${1:?usage: pg.sh ipcbench dbtool}")
DBTOOL=$(readlink -f "${2:?usage: pg.sh ipcbench dbtool}")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tap.sh"
. "$HERE/pgserver.sh"
tap_workdir history-pg
export TMPDIR=$WORK
cd "$WORK" || exit 1
srv=$(mktemp -d /tmp/ipcbpg.XXXXXX) || exit 1
trap 'pg_stop; rm -rf "$srv" "$WORK"' EXIT
if ! pg_start "$srv"; then
	echo "1..0 # SKIP $PG_WHY"
	exit 0
fi
run() { "$BIN" -q -t pipe,shm -s 64 -d 0.05 "$@"; }
series_points() { # series_points DB PATTERN: the points of each series PATTERN matches, one per line
	"$BIN" history "$1" --format csv 2>/dev/null | awk -F'"' -v p="$2" 'NR > 1 && $2 ~ p { n[$2]++ } END { for (s in n) print n[s] }'
}

# ---- four runners at once, into one server ----
for k in 1 2 3 4; do
	run -r 3 --db "$PG_URL" >"w$k.out" 2>"w$k.err" &
done
st=0
for job in $(jobs -p); do wait "$job" || st=1; done
"$BIN" history "$PG_URL" >pg.out 2>&1
[ $st -eq 0 ] && [ "$(grep -cE '^ +[0-9]+  .* complete ' pg.out)" -eq 4 ] &&
	grep -q '^# 4 runs: 4 complete, 0 failed, 0 interrupted, 0 partial' pg.out
ok $? "four runners store into one PostgreSQL at once: four complete runs (exit $st)"
diag pg.out
pts=$(series_points "$PG_URL" 'throughput 64' | sort -u | paste -sd' ')
[ "$pts" = 4 ]
ok $? "each group's series on the server is four points long ($pts)"
[ "$("$DBTOOL" "$PG_URL" "SELECT count(*) FROM runs WHERE identity IS NOT NULL")" = 4 ]
ok $? "each run stored whole has its identity"

# ---- the same with a file each, merged ----
for k in 1 2 3 4; do
	run -r 3 --db "r$k.db" >/dev/null 2>&1 &
done
wait
for k in 1 2 3 4; do "$BIN" history team.db --import "r$k.db" >>merge.out 2>&1 || echo "failed $k" >>merge.out; done
pts=$(series_points team.db 'throughput 64' | sort -u | paste -sd' ')
[ "$(grep -c ': 1 run copied, 0 already here' merge.out)" -eq 4 ] && [ "$pts" = 4 ]
ok $? "four SQLite files merged into one: four runs, each series four points ($pts)"

# ---- the server's history copied into a file: the same series ----
"$BIN" history copy.db --import "$PG_URL" >copy.out 2>&1 &&
	"$BIN" history "$PG_URL" --format csv >pg-series.csv 2>/dev/null &&
	"$BIN" history copy.db --format csv >copy-series.csv 2>/dev/null
st=$?
[ $st -eq 0 ] && grep -q ': 4 runs copied, 0 already here' copy.out && [ -s pg-series.csv ] &&
	cmp -s pg-series.csv copy-series.csv
ok $? "history of the server and of a file it was copied into print the same series ($(wc -l <pg-series.csv) lines)"
"$BIN" history "$PG_URL" --import team.db >into.out 2>&1 &&
	[ "$("$DBTOOL" "$PG_URL" "SELECT count(*) FROM runs")" = 8 ] &&
	"$BIN" history "$PG_URL" --import team.db >>into.out 2>&1 && grep -q '0 runs copied, 4 already here' into.out
ok $? "a file merged into the server: its four runs, and again none"

# ---- a run imported twice ----
run -r 1 --csv one.csv >/dev/null 2>&1
"$BIN" history "$PG_URL" --import one.csv >imp1.out 2>&1
st=$?
"$BIN" history "$PG_URL" --import one.csv >imp2.out 2>imp2.err
st2=$?
[ $st -eq 0 ] && [ $st2 -eq 2 ] && grep -q 'the same run (its machine and every row) is stored as run' imp2.err &&
	[ "$("$DBTOOL" "$PG_URL" "SELECT count(*) FROM runs")" = 9 ]
ok $? "a CSV imported twice is stored once (exit $st, $st2: $(head -1 imp2.err))"

# ---- a runner stopped mid-run ----
"$BIN" -q -t pipe -s 64 -d 0.5 -r 20 --db "$PG_URL" >/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
st=$?
last=$("$DBTOOL" "$PG_URL" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")
[ $st -eq 130 ] && [ "$last" = interrupted ]
ok $? "a runner stopped by SIGINT leaves its run marked interrupted (exit $st, $last)"

# ---- compare against the server ----
run -r 3 --csv new.csv >/dev/null 2>&1
"$BIN" compare --db "$PG_URL" --baseline last new.csv >cmp.out 2>&1
st=$?
# A verdict of any kind (the machine's state may move the control rows: exit 4); never a usage
# error, and BASE named as the history's runs.
[ $st -ne 2 ] && [ $st -le 5 ] && grep -qi 'baseline' cmp.out
ok $? "compare --db takes its baseline from the server (exit $st)"
diag cmp.out

# ---- a password in the connection string is used, never stored nor shown ----
run -r 1 --db "postgresql://ipcb:hunter2secret@/postgres?host=$srv" >pw.out 2>pw.err
st=$?
"$BIN" history "postgresql://ipcb:hunter2secret@/postgres?host=$srv" >pw-hist.out 2>&1
[ $st -eq 0 ] && ! grep -q hunter2secret pw-hist.out pw.err &&
	[ -z "$("$DBTOOL" "$PG_URL" "SELECT id FROM runs WHERE command LIKE '%hunter2secret%'")" ] &&
	grep -q 'ipcb:\*\*\*@' pw-hist.out
ok $? "a password in --db's connection string is neither stored nor shown (exit $st)"

# ---- refused ----
"$BIN" history "postgresql:///postgres?host=$WORK/nowhere&user=ipcb" >/dev/null 2>down.err
[ $? -eq 2 ] && grep -q 'nowhere' down.err
ok $? "a server that is not there: exit 2, saying so ($(head -c 120 down.err))"

done_testing
