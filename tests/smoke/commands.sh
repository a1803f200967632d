#!/bin/bash
# commands.sh IPCBENCH - TAP test of the driver's modes as commands: `ipcbench list`, `cleanup`,
# `count` and `hosts` are the driver with --list, --cleanup, --count and --hosts (the same
# output, the same exit status, the same errors naming the bad value), each is listed in --help
# with its arguments, a value-taking mode takes its first argument as the value, and --then
# refuses a mode by its name. `ipcbench help [COMMAND]` prints what COMMAND --help does; `-`
# reads a CSV from standard input for report, compare and history --import.
set -u
BIN=$(readlink -f "${1:?usage: commands.sh ipcbench}")
. "$(dirname "$0")/../tap.sh"
tap_workdir commands
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

# same NAME A... -- B...: both command lines, the same standard output, error and exit status.
same() {
	local name=$1 a=() b=()
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	"$BIN" "${a[@]}" >"$WORK/a.out" 2>"$WORK/a.err"
	local sa=$?
	"$BIN" "${b[@]}" >"$WORK/b.out" 2>"$WORK/b.err"
	local sb=$?
	[ $sa -eq $sb ] && cmp -s "$WORK/a.out" "$WORK/b.out" && cmp -s "$WORK/a.err" "$WORK/b.err"
	ok $? "$name: \`${a[*]}\` is \`${b[*]}\` (exit $sa and $sb, $(wc -l <"$WORK/a.out") lines)"
}

"$BIN" --help >"$WORK/help"
for c in list cleanup count hosts; do
	grep -qE "^ {7}ipcbench $c " "$WORK/help"
	ok $? "--help lists the command $c with its arguments"
done

same "every transport" list -- --list
same "some in full" list shm pipe -- --list shm pipe
same "an unknown transport named" list nosuch -- --list nosuch
grep -q "nosuch" "$WORK/a.err"
ok $? "and the error names it: $(head -1 "$WORK/a.err")"
same "what cleanup would remove" cleanup --dry-run -- --cleanup --dry-run
same "cleanup in a directory of its own" cleanup --dir "$WORK" -- --cleanup --dir "$WORK"
same "a bad transport to count" count -t nosuch -s 64 -- --count -t nosuch -s 64
# (--hosts mpi starts Open MPI to learn how many processes there are: under AddressSanitizer,
# LeakSanitizer reports what Open MPI's plugins keep, which is not ours to free.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	same "hosts' runtime as its first argument" hosts mpi -t shm -s 64 -- --hosts mpi -t shm -s 64
same "an unknown runtime, named" hosts nosuch -t shm -- --hosts nosuch -t shm
grep -q "nosuch" "$WORK/a.err"
ok $? "and the error names it: $(head -1 "$WORK/a.err")"

"$BIN" hosts -t shm >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q -- "--hosts: missing value" "$WORK/err"
ok $? "hosts without its runtime: usage error, the value is missing"
# Every command --help lists has a help of its own, "Usage: ipcbench COMMAND" first as every
# other's, never the driver's.
cmds=$(sed -nE 's/^ {7}[^ ]+ ([a-z][a-z0-9-]*) .*/\1/p' "$WORK/help")
[ "$(echo "$cmds" | wc -l)" -ge 9 ]
ok $? "--help lists the commands ($(echo $cmds))"
for c in $cmds; do
	"$BIN" $c --help >"$WORK/c.help" 2>&1
	[ $? -eq 0 ] && head -1 "$WORK/c.help" | grep -q "^Usage: ipcbench $c\b" &&
		! cmp -s "$WORK/c.help" "$WORK/help" && [ "$(wc -l <"$WORK/c.help")" -lt 120 ]
	ok $? "$c --help is its own ($(head -1 "$WORK/c.help"), $(wc -l <"$WORK/c.help") lines)"
	# Its options, -h among them, or a run's (the driver's, which lists it).
	grep -qE "^  -h, --help +the options, briefly$|^It takes the options of a run: see ipcbench --help" "$WORK/c.help"
	ok $? "$c --help lists -h, --help among its options, or takes a run's"
done
grep -qE "^  -h, --help +the options, briefly$" "$WORK/help"
ok $? "the driver's --help lists -h, --help"
# `ipcbench help COMMAND` is COMMAND --help, every one; `help` alone the driver's.
for c in $cmds; do
	same "$c's help" help $c -- $c --help
done
same "the driver's help" help -- --help
"$BIN" help nosuch >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && [ ! -s "$WORK/out" ] && grep -q "'nosuch' names no command" "$WORK/err" &&
	grep -q "$(echo $cmds | sed 's/ /, /g')" "$WORK/err"
ok $? "help of a word that names no command: usage error listing the commands ($(head -1 "$WORK/err"))"
"$BIN" help report compare >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "unexpected argument 'compare'" "$WORK/err"
ok $? "help of two commands: usage error naming the second"

# `-` is standard input wherever a command reads a CSV (report, compare, history --import).
"$BIN" -q -t null -s 64 -m latency,throughput -n 200 -d 0 --repeat 2 --csv "$WORK/r.csv" >/dev/null 2>&1
"$BIN" report "$WORK/r.csv" >"$WORK/file.md" 2>/dev/null
"$BIN" report - <"$WORK/r.csv" >"$WORK/stdin.md" 2>"$WORK/err"
st=$?
diff <(sed 1,3d "$WORK/file.md") <(sed 1,3d "$WORK/stdin.md") >/dev/null &&
	grep -q 'from `standard input`' "$WORK/stdin.md"
ok $? "report - reads the CSV from standard input: the report of the file, from \`standard input\` (exit $st)"
"$BIN" compare "$WORK/r.csv" "$WORK/r.csv" >"$WORK/file.cmp" 2>&1
"$BIN" compare - "$WORK/r.csv" <"$WORK/r.csv" >"$WORK/stdin.cmp" 2>&1
diff <(sed "s|$WORK/r.csv|F|g" "$WORK/file.cmp") <(sed "s|$WORK/r.csv|F|g; s| - | F |g; s|^- |F |" "$WORK/stdin.cmp") >/dev/null &&
	[ -s "$WORK/stdin.cmp" ]
ok $? "compare - NEW.csv reads BASE from standard input: the comparison of the files"
"$BIN" compare - - <"$WORK/r.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "both standard input" "$WORK/err"
ok $? "compare - -: usage error, standard input gives one file ($(head -1 "$WORK/err"))"
"$BIN" report - --html "$WORK/r.html" --db "$WORK/h.db" <"$WORK/r.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "reads the CSV twice" "$WORK/err" && [ ! -e "$WORK/r.html" ]
ok $? "report - --db, which reads the CSV twice: usage error, nothing written"
"$BIN" history "$WORK/h.db" --import - <"$WORK/r.csv" >/dev/null 2>&1 &&
	"$BIN" history "$WORK/h.db" | grep -q "import standard input"
ok $? "history --import - stores standard input's rows as a run, named \`import standard input\`"
"$BIN" report - </dev/null >/dev/null 2>"$WORK/err"
[ $? -ne 0 ] && grep -q "^ipcbench report: standard input:1: empty" "$WORK/err"
ok $? "an empty standard input is named in the error: $(head -1 "$WORK/err")"

"$BIN" cleanup --help | grep -q -- '--dry-run' && "$BIN" cleanup --help | grep -q -- '--dir DIR' &&
	! "$BIN" cleanup --help | grep -q -- '--transport' &&
	[ "$("$BIN" list --help | grep -cE '^  -|^      --')" -eq 1 ]
ok $? "cleanup --help names the options it takes and no other; list takes none but --help"

"$BIN" -t pipe -s 64 --then list >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "sweep 2 has no options\|unexpected argument 'list'" "$WORK/err"
ok $? "a command word after --then is not a command there: usage error ($(head -1 "$WORK/err"))"
# (A build that cannot count, a sanitizer's, refuses --count itself, wherever it stands.)
cannot_count=$("$BIN" --count --list 2>&1 >/dev/null) || true
"$BIN" -t pipe -s 64 --then --count -t pipe >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && { grep -q "sweep 2 asks for --count, which is not one" "$WORK/err" ||
	{ [ -n "$cannot_count" ] && grep -qF -- "${cannot_count%%$'\n'*}" "$WORK/err"; }; }
ok $? "--then refuses a mode by its name: $(head -1 "$WORK/err")"

done_testing
