#!/bin/bash
# completion.sh IPCBENCH COMPLETION - TAP: bash completion of ipcbench, run as bash runs it (the
# words of a command line in COMP_WORDS, the function the file registers called, COMPREPLY
# read): options from each --help (the main command's, compare's, report's, history's), transport names
# from --list, lists after a comma, --opt=VALUE, the words a few options take, files and
# directories where an option wants them. Completing with a stand-in ipcbench whose --help and
# --list name things the real one does not shows that nothing is hard-coded.
set -u
BIN=${1:?usage: completion.sh ipcbench completion.bash}
COMPLETION=${2:?usage: completion.sh ipcbench completion.bash}
. "$(dirname "$0")/../tap.sh"
tap_workdir completion
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
COMPLETION=$(cd "$(dirname "$COMPLETION")" && pwd)/$(basename "$COMPLETION")

# complete LINE: what bash would offer for LINE (the cursor at its end; a trailing space starts a
# new word), one per line, sorted.
complete_line() {
	bash --norc --noprofile -c '
		. "$1"
		read -r -a COMP_WORDS <<<"$2"
		# Split as bash does at "=" (COMP_WORDBREAKS), and a trailing space starts a word.
		words=()
		for w in "${COMP_WORDS[@]}"; do
			if [[ $w == --*=* ]]; then
				words+=("${w%%=*}" "=")
				[ -n "${w#*=}" ] && words+=("${w#*=}")
			else
				words+=("$w")
			fi
		done
		[[ $2 == *" " || $2 == *= ]] && words+=("")
		[[ $2 == *= ]] && unset "words[${#words[@]}-1]"
		COMP_WORDS=("${words[@]}")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$2
		_ipcbench
		printf "%s\n" "${COMPREPLY[@]}"' complete "$COMPLETION" "$1" | sed '/^$/d' | sort
}

"$BIN" --list | awk 'NR > 1 && /^[a-z0-9]/ { print $1 }' | sort >"$WORK/transports"
[ "$(wc -l <"$WORK/transports")" -ge 10 ]
ok $? "--list names $(wc -l <"$WORK/transports") transports"

complete_line "$BIN -t " >"$WORK/got"
{ cat "$WORK/transports"; printf "%s\n" all kernel middleware brokers; } | sort >"$WORK/want"
cmp -s "$WORK/got" "$WORK/want"
ok $? "-t completes every transport of --list, all and the families"
complete_line "$BIN --transport pipe,sh" >"$WORK/got"
grep -x '^sh.*' "$WORK/transports" | sed 's/^/pipe,/' >"$WORK/want"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want"
ok $? "after a comma, the next transport of the list: $(paste -sd' ' "$WORK/got")"
complete_line "$BIN --transport=unix-s" >"$WORK/got"
grep -x 'unix-s.*' "$WORK/transports" >"$WORK/want"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want"
ok $? "--transport=VALUE: $(paste -sd' ' "$WORK/got")"

# Every option of the main --help, and only those.
"$BIN" --help | grep -oE '^ {2,6}(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | sed -E 's/^ +//; s/, /\n/' |
	sort -u >"$WORK/want"
complete_line "$BIN -" >"$WORK/got"
cmp -s "$WORK/got" "$WORK/want"
st=$?
ok $st "- completes every option of ipcbench --help, long and short ($(wc -l <"$WORK/got"))"
[ $st -eq 0 ] || diff "$WORK/want" "$WORK/got" | diag
grep -qx -- '--json' "$WORK/got" && grep -qx -- '--wide' "$WORK/got" && grep -qx -- '-t' "$WORK/got"
ok $? "among them --json, --wide and -t"
complete_line "$BIN --pl" | grep -qx -- '--placement'
ok $? "--pl completes to --placement"
complete_line "$BIN --placement r" | grep -qx -- 'remote-node' &&
	complete_line "$BIN --placement a" | grep -qx -- 'all' &&
	[ "$(complete_line "$BIN --placement " | wc -l)" -eq 9 ]
ok $? "--placement completes the binary's own names, and all ($(complete_line "$BIN --placement " | tr '\n' ' '))"

complete_line "$BIN compare --" >"$WORK/got"
grep -qx -- '--same-machine' "$WORK/got" && grep -qx -- '--metric' "$WORK/got" && ! grep -qx -- '--json' "$WORK/got"
ok $? "after compare: compare's options (--same-machine, --metric), not the run's"
complete_line "$BIN report run.csv --" >"$WORK/got"
grep -qx -- '--html' "$WORK/got" && grep -qx -- '--figures' "$WORK/got" && grep -qx -- '--output' "$WORK/got"
ok $? "after report: report's options (--html, --figures, --output)"
[ "$(complete_line "$BIN com")" = compare ]
ok $? "the first word: a subcommand"
[ "$(complete_line "$BIN hi")" = history ]
ok $? "history is one"
[ "$(complete_line "$BIN sel")" = selftest ]
ok $? "selftest is one (its usage line is in --help)"
"$BIN" --help | sed -nE 's/^ {7}[^ ]+ ([a-z][a-z0-9-]*) .*/\1/p' | sort >"$WORK/want"
complete_line "$BIN " | grep -vx -- '-.*' >"$WORK/got"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want"
ok $? "the first word: each command the usage lines of --help list ($(paste -sd' ' "$WORK/got"))"
complete_line "$BIN history ci.db --" >"$WORK/got"
grep -qx -- '--plot' "$WORK/got" && grep -qx -- '--import' "$WORK/got" && ! grep -qx -- '--json' "$WORK/got"
ok $? "after history: history's options (--plot, --import), not the run's"
[ "$(complete_line "$BIN history ci.db --by " | paste -sd' ')" = "commit run" ]
ok $? "history --by: run or commit"
[ "$(complete_line "$BIN compare --metric p" | paste -sd' ')" = "p50_ns p99_ns" ]
ok $? "compare --metric: the metrics"
[ "$(complete_line "$BIN --wait " | paste -sd' ')" = "block hybrid spin yield" ]
ok $? "--wait: the strategies"
[ "$(complete_line "$BIN --deliver " | paste -sd' ')" = "all one" ]
ok $? "--deliver: one or all"
[ "$(complete_line "$BIN -m latency,b" | paste -sd' ')" = "latency,bistream latency,both" ]
ok $? "-m: a list of modes"
[ -z "$(complete_line "$BIN --size ")" ]
ok $? "--size: nothing offered (no option names as its value)"

mkdir -p "$WORK/cwd/sub"
: >"$WORK/cwd/run.csv"
(cd "$WORK/cwd" && complete_line "$BIN --json r") >"$WORK/got"
[ "$(cat "$WORK/got")" = run.csv ]
ok $? "--json: file names"
(cd "$WORK/cwd" && complete_line "$BIN --hgrm ") >"$WORK/got"
[ "$(cat "$WORK/got")" = sub ]
ok $? "--hgrm: directories only"
(cd "$WORK/cwd" && complete_line "$BIN compare r") >"$WORK/got"
[ "$(cat "$WORK/got")" = run.csv ]
ok $? "compare's files"

# A stand-in whose --help and --list name an option and a transport ipcbench does not have.
cat >"$WORK/fake" <<'F'
#!/bin/sh
case "$*" in
--help) printf 'Usage\n       fake beam ME UP   w\n  -t, --transport LIST   x\n      --teleport TARGET  y\n      --fast             z\n' ;;
--list) printf 'transport runs\ncarrier-pigeon yes\n                why not: none\nsmoke-signal no\n' ;;
esac
F
chmod +x "$WORK/fake"
[ "$(complete_line "$WORK/fake -t " | paste -sd' ')" = "all brokers carrier-pigeon kernel middleware smoke-signal" ]
ok $? "transport names come from the binary's --list, not a list in the completion"
[ "$(complete_line "$WORK/fake --" | paste -sd' ')" = "--fast --teleport --transport" ]
ok $? "options come from its --help"
[ -z "$(complete_line "$WORK/fake --teleport ")" ] && [ -z "$(complete_line "$WORK/fake --fast ")" ]
ok $? "and which of them take a value: none is offered after --teleport, nor after --fast"
[ "$(complete_line "$WORK/fake be")" = beam ]
ok $? "commands come from its --help's usage lines"
[ "$(complete_line "$BIN help re")" = report ] && [ -z "$(complete_line "$BIN help report ")" ]
ok $? "help takes one command's name"

# Each command's own options and arguments: cleanup takes two options (and --help) and no argument;
# list and selftest take transport names; -o takes NAME.KEY=VALUE (a transport, then its keys).
complete_line "$BIN cleanup --" >"$WORK/got"
printf "%s\n" --dir --dry-run --help >"$WORK/want"
cmp -s "$WORK/got" "$WORK/want"
ok $? "cleanup completes its own options, no run option: $(paste -sd' ' "$WORK/got")"
complete_line "$BIN cleanup " >"$WORK/got"
[ ! -s "$WORK/got" ]
ok $? "cleanup takes no argument: nothing offered"
# names LINE PATTERN: LINE completes to the transports PATTERN matches, and to nothing else.
names() {
	complete_line "$1" >"$WORK/got"
	grep -x "$2" "$WORK/transports" >"$WORK/want"
	[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want"
}
names "$BIN selftest pi" 'pi.*'
ok $? "selftest completes a transport name: $(paste -sd' ' "$WORK/got")"
names "$BIN list sh" 'sh.*'
ok $? "list completes transport names: $(paste -sd' ' "$WORK/got")"
complete_line "$BIN -o shm" >"$WORK/got"
grep -x 'shm.*' "$WORK/transports" | sed 's/$/./' | sort >"$WORK/want"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want"
ok $? "-o completes a transport's name and its dot: $(paste -sd' ' "$WORK/got")"
complete_line "$BIN -o shm.r" >"$WORK/got"
[ "$(cat "$WORK/got")" = "shm.ring=" ]
ok $? "-o NAME. completes its own keys (--list NAME): $(paste -sd' ' "$WORK/got")"

done_testing
