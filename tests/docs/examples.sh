#!/bin/bash
# examples.sh IPCBENCH ROOT - TAP: every ipcbench command line the documentation shows (in a
# fenced block of README.md or docs/*.md) is one ipcbench takes as written: a measuring run is
# planned with --dry-run (which checks every option and runs nothing), compare's options are
# checked with --check, and each option a report, history or cleanup line names is one that
# command's --help lists. A line that needs what a reader supplies (a module built at $PWD, a
# server at $DB) or CPUs this machine lacks is said and skipped, not passed.
set -u
BIN=$(readlink -f "${1:?usage: examples.sh ipcbench root}")
ROOT=$(readlink -f "${2:?usage: examples.sh ipcbench root}")
. "$(dirname "$0")/../tap.sh"
tap_workdir docs-examples
cd "$WORK" || exit 1

# file:line<TAB>command, a command continued over lines ("\") joined, its comment cut.
examples() {
	awk '
	FNR == 1 { inblk = 0; cur = "" }
	/^```/ { inblk = !inblk; cur = ""; next }
	!inblk { next }
	{
		line = $0; sub(/^[ \t]+/, "", line)
		if (cur == "") { cur = line; start = FNR } else cur = cur " " line
		if (cur ~ /\\$/) { sub(/[ \t]*\\$/, "", cur); next }
		c = cur; cur = ""
		sub(/[ \t]+#.*$/, "", c)
		if (c ~ /^(build\/)?ipcbench( |$)/ || (gate && c ~ /^(scripts\/ab-gate|ipcbench-ab-gate)( |$)/))
			print FILENAME ":" start "\t" c
	}' gate="${1:-0}" "$ROOT/README.md" "$ROOT"/docs/*.md
}

# The options a command's --help names ("--csv", "-o"), one a line.
help_options() {
	"$BIN" "$@" --help 2>&1 | grep -oE '(^|[ ,[])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ ,[]*//' | sort -u
}

seen=0
while IFS=$'\t' read -r where cmd; do
	seen=$((seen + 1))
	# Only the first command of a pipeline or a list: the rest is the shell's.
	first=${cmd%%|*}
	first=${first%%&&*}
	first=${first%%>*}
	read -r -a words <<<"$first"
	words=("${words[@]:1}")
	sub=""
	case "${words[0]:-}" in
	compare | report | history | serve | selftest | list | count | hosts | cleanup | rsh-agent)
		sub=${words[0]}
		words=("${words[@]:1}")
		;;
	esac
	# Every option the line names is one its command's --help lists.
	missing=""
	known=$(help_options ${sub:+"$sub"})
	for w in "${words[@]}"; do
		[[ $w == -* ]] || continue
		o=${w%%=*}
		[ "$o" = - ] && continue
		grep -qxF -- "$o" <<<"$known" || missing+=" $o"
	done
	if [ -n "$missing" ]; then
		ok 1 "$where: $cmd (options its --help does not list:$missing)"
		continue
	fi
	# $PWD/ring.so, "$DB", DIR: what the reader supplies; its options are checked above.
	if [[ $first == *'$'* || " $first " =~ \ [A-Z][A-Z_]*\  ]]; then
		skip "$where: $cmd" "names what its reader supplies; its options are ipcbench's"
		continue
	fi
	case "$sub" in
	"" | cleanup)
		# A measuring run, --list or --cleanup: planned or listed, nothing run or removed.
		extra=(--dry-run)
		[[ " ${words[*]} " == *" --list "* ]] && extra=()
		[ "$sub" = cleanup ] && words=(cleanup "${words[@]}")
		"$BIN" "${words[@]}" "${extra[@]}" >out 2>err
		st=$?
		if [ $st -ne 0 ] && grep -qiE 'cpu [0-9]+.*(not online|may not|no such)|--cpus' err &&
			[[ " ${words[*]} " == *" --cpus "* ]]; then
			skip "$where: $cmd" "CPUs this machine lacks ($(head -1 err))"
			continue
		fi
		# A sanitizer build refuses --count (valgrind cannot run it), saying so: a build's
		# limit, not the line's.
		if [ $st -ne 0 ] && grep -q "built with AddressSanitizer" err; then
			skip "$where: $cmd" "this build: $(head -1 err)"
			continue
		fi
		ok $st "$where: $cmd (as planned with ${extra[*]:-nothing}: exit $st $(head -1 err))"
		;;
	compare)
		# Its options alone, checked; the files are a reader's.
		opts=()
		prev=""
		for w in "${words[@]}"; do
			if [[ $w != -* && $prev != --* && ( $w == *.csv || $w == *.json ) ]]; then
				prev=$w
				continue
			fi
			opts+=("$w")
			prev=$w
		done
		"$BIN" compare --check "${opts[@]}" >out 2>err
		st=$?
		ok $st "$where: $cmd (compare --check ${opts[*]}: exit $st $(head -1 err))"
		;;
	*)
		ok 0 "$where: $cmd (every option in $sub --help)"
		;;
	esac
done < <(examples)

[ $seen -ge 20 ]
ok $? "the documentation shows $seen ipcbench command lines, each tried above"

# The gate's lines (scripts/ab-gate, ipcbench-ab-gate) with --dry-run, which checks every option
# as the gate does before it runs anything, and runs nothing. Its two binaries are the reader's
# (an old build, an installed one): this ipcbench stands for both.
gates=0
while IFS=$'\t' read -r where cmd; do
	first=${cmd%%|*}
	first=${first%%&&*}
	first=${first%%>*}
	read -r -a words <<<"$first"
	words=("${words[@]:1}")
	# The gate's own options come first, then OLD and NEW.
	pre=()
	while [ ${#words[@]} -gt 0 ] && [[ ${words[0]} == -* ]]; do
		case ${words[0]} in
		--no-controls | --no-count | --time | --dry-run | --paired | --same-machine)
			pre+=("${words[0]}")
			words=("${words[@]:1}")
			;;
		*=*)
			pre+=("${words[0]}")
			words=("${words[@]:1}")
			;;
		*)
			pre+=("${words[0]}" "${words[1]:-}")
			words=("${words[@]:2}")
			;;
		esac
	done
	if [ ${#words[@]} -lt 2 ]; then
		skip "$where: $cmd" "no OLD and NEW binaries on the line"
		continue
	fi
	gates=$((gates + 1))
	# What a reader supplies beyond the binaries ("$(git ...)", a file of theirs): said, skipped.
	if [[ ${pre[*]} == *'$'* || ${words[*]:2} == *'$'* ]]; then
		skip "$where: $cmd" "names what its reader supplies"
		continue
	fi
	for k in "${!pre[@]}"; do
		# --out and --db: the reader's; a fresh name here, made by nothing (a dry run).
		case ${pre[$k]} in
		--out | --db) pre[k + 1]=$WORK/gate-$gates-${pre[$k]#--} ;;
		--out=* | --db=*) pre[k]=${pre[$k]%%=*}=$WORK/gate-$gates-${pre[$k]#--} ;;
		esac
	done
	"$ROOT/scripts/ab-gate" --dry-run "${pre[@]}" "$BIN" "$BIN" "${words[@]:2}" >out 2>err
	st=$?
	if [ $st -ne 0 ] && grep -q "built with AddressSanitizer" err; then
		skip "$where: $cmd" "this build: $(head -1 err)"
		continue
	fi
	ok $st "$where: $cmd (ab-gate --dry-run, OLD and NEW this ipcbench: exit $st $(grep -v '^$' err | head -1))"
	[ -z "$(ls -A "$WORK" | grep '^gate-')" ]
	ok $? "$where: the dry run made nothing (--out, --db)"
done < <(examples 1 | grep -P '\t(scripts/ab-gate|ipcbench-ab-gate)( |$)')

[ $gates -ge 3 ]
ok $? "the documentation shows $gates gate command lines, each tried above"
done_testing
