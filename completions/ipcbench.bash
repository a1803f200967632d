# bash completion for ipcbench. Installed as share/bash-completion/completions/ipcbench; to try
# it from a checkout: source completions/ipcbench.bash
#
# Nothing here lists what ipcbench can do: the commands come from the usage lines of its --help
# (its table of commands), the options from the --help of the command being completed
# (ipcbench, ipcbench compare, ...), which options take a value from the same lines ("--size
# LIST" takes one, "--floor" none), and the transport names from its --list. So a new command,
# option or transport completes as soon as the binary has it. Only the words a few options
# accept are written here.

# _ipcbench_commands PROG: the commands its --help lists ("       ipcbench compare ...").
_ipcbench_commands()
{
	"$1" --help 2>/dev/null | sed -nE 's/^ {7}[^ ]+ ([a-z][a-z0-9-]*) .*/\1/p'
}

# _ipcbench_options PROG [SUBCOMMAND]: the options its --help defines, one per line; with
# `args`, only those that take a value.
_ipcbench_options()
{
	local prog=$1 sub=$2 which=${3:-all}
	"$prog" ${sub:+"$sub"} --help 2>/dev/null |
		sed -nE 's/^ {2,6}(-[a-zA-Z], )?(--[a-z][a-z0-9-]*)( [^ ]|  |$).*/\1\2\3/p' |
		while IFS= read -r line; do
			local short= long takes=
			case $line in
			-?,\ *) short=${line%%,*} line=${line#*, } ;;
			esac
			long=${line%% *}
			# One space and a word after the option: it takes a value.
			[[ $line == "$long "[^\ ]* ]] && takes=1
			if [ "$which" = all ] || [ -n "$takes" ]; then
				printf "%s\n" "$long"
				[ -n "$short" ] && printf "%s\n" "$short"
			fi
		done
}

# _ipcbench_transports PROG: the transport names of its --list (the first column of the lines
# that start with a name, after the header).
_ipcbench_transports()
{
	"$1" --list 2>/dev/null | awk 'NR > 1 && /^[a-z0-9]/ { print $1 }'
}

# _ipcbench_placements PROG: --placement's names, as PROG's refusal of an unknown one lists them.
_ipcbench_placements()
{
	"$1" --placement '?' 2>&1 | sed -n 's/.*; valid: //p' | tr -d ','
}

# _ipcbench_keys PROG NAME: NAME's own options, "NAME.KEY=", from its --list lines "  -o NAME.KEY=...".
_ipcbench_keys()
{
	"$1" --list "$2" 2>/dev/null | sed -nE 's/^ +-o ([a-z0-9-]+\.[a-z0-9_-]+=).*/\1/p'
}

# _ipcbench_list WORDS: complete the last item of a comma-separated list from WORDS.
_ipcbench_list()
{
	local words=$1 prefix= last=$cur
	if [[ $cur == *,* ]]; then
		prefix=${cur%,*},
		last=${cur##*,}
	fi
	COMPREPLY=($(compgen -W "$words" -P "$prefix" -- "$last"))
	# A list goes on: no space after an item.
	compopt -o nospace 2>/dev/null
}

_ipcbench()
{
	local cur prev prog sub= i opt
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	# An option's value given as --opt=VALUE: bash splits the words at '='.
	if [ "$cur" = = ] && [ "$COMP_CWORD" -ge 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -ge 2 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	if [ "$COMP_CWORD" -gt 1 ]; then
		local commands=" $(_ipcbench_commands "$prog" | tr '\n' ' ')"
		for ((i = 1; i < COMP_CWORD; i++)); do
			if [[ $commands == *" ${COMP_WORDS[i]} "* ]]; then
				sub=${COMP_WORDS[i]}
				break
			fi
		done
	fi

	# The value of an option that takes one.
	if [[ $prev == -* ]] && _ipcbench_options "$prog" "$sub" args | grep -qxF -- "$prev"; then
		opt=$prev
		case $sub:$opt in
		:-t | :--transport)
			_ipcbench_list "$(_ipcbench_transports "$prog") all kernel middleware brokers"
			;;
		compare:--control)
			_ipcbench_list "$(_ipcbench_transports "$prog") floor-cacheline floor-memcpy"
			;;
		:-o | :--option)
			# NAME.KEY=VALUE: a transport's name, then its keys (--list NAME), then the value.
			if [[ $cur == *.* ]]; then
				COMPREPLY=($(compgen -W "$(_ipcbench_keys "$prog" "${cur%%.*}")" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$(_ipcbench_transports "$prog")" -S . -- "$cur"))
			fi
			compopt -o nospace 2>/dev/null
			;;
		:-m | :--mode) _ipcbench_list "latency throughput bistream both" ;;
		:--placement) _ipcbench_list "$(_ipcbench_placements "$prog")" ;;
		:--wait) COMPREPLY=($(compgen -W "spin yield block hybrid" -- "$cur")) ;;
		:--verify) COMPREPLY=($(compgen -W "headers sampled full" -- "$cur")) ;;
		:--arrivals) COMPREPLY=($(compgen -W "fixed poisson" -- "$cur")) ;;
		:--deliver) COMPREPLY=($(compgen -W "one all" -- "$cur")) ;;
		:--inject)
			COMPREPLY=($(compgen -W "corrupt corrupt-unsampled corrupt-stamp drop dup crash hang" \
				-- "$cur"))
			;;
		compare:--metric | history:--metric)
			COMPREPLY=($(compgen -W "bytes_per_s msgs_per_s p50_ns p99_ns" -- "$cur"))
			;;
		compare:--format) COMPREPLY=($(compgen -W "table md csv" -- "$cur")) ;;
		history:--format) COMPREPLY=($(compgen -W "table csv" -- "$cur")) ;;
		history:--by) COMPREPLY=($(compgen -W "run commit" -- "$cur")) ;;
		compare:--baseline) COMPREPLY=($(compgen -W "last" -- "$cur")) ;;
		*:--csv | *:--json | *:--hdr-log | *:--undecided | report:-o | compare:-o | \
			history:-o | *:--output | *:--html | *:--db | history:--import)
			COMPREPLY=($(compgen -f -- "$cur"))
			compopt -o filenames 2>/dev/null
			;;
		*:--hgrm | *:--dir | *:--figures | history:--plot)
			COMPREPLY=($(compgen -d -- "$cur"))
			compopt -o filenames 2>/dev/null
			;;
		esac
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ipcbench_options "$prog" "$sub")" -- "$cur"))
		return 0
	fi
	if [ "$sub" = list ] || [ "$sub" = selftest ]; then
		# list NAME... and selftest TRANSPORT: transport names.
		COMPREPLY=($(compgen -W "$(_ipcbench_transports "$prog")" -- "$cur"))
	elif [ "$sub" = cleanup ] || [ "$sub" = count ] || [ "$sub" = serve ]; then
		COMPREPLY=() # no argument but their options
	elif [ "$sub" = help ]; then
		# help COMMAND: the commands, once.
		[ "$prev" = help ] && COMPREPLY=($(compgen -W "$(_ipcbench_commands "$prog")" -- "$cur"))
	elif [ "$sub" = hosts ] && [ "$COMP_CWORD" -ge 2 ] && [ "$prev" = hosts ]; then
		COMPREPLY=($(compgen -W "mpi" -- "$cur"))
	elif [ -n "$sub" ]; then
		# compare's BASE and NEW, report's CSV, history's DB: files.
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
	elif [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_ipcbench_commands "$prog")" -- "$cur"))
	fi
	return 0
}
complete -F _ipcbench ipcbench
