#!/bin/bash
# install.sh BUILDDIR SOURCE_ROOT - TAP: `meson install` (into a DESTDIR) puts in place what an
# ipcbench without a checkout needs: the binary, ipcbench-plot with every gnuplot script of
# plots/, the man page, bash completion; and from a directory outside the checkout, the
# installed ipcbench measures, the installed ipcbench-plot draws, the installed report --html
# draws with it (not with the checkout's scripts/plot), man renders the page and the completion
# completes.
set -u
BUILD=${1:?usage: install.sh BUILDDIR SOURCE_ROOT}
ROOT=${2:?usage: install.sh BUILDDIR SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"
tap_workdir install

meson install -C "$BUILD" --no-rebuild --destdir "$WORK/dest" >"$WORK/install.out" 2>&1
st=$?
ok $st "meson install into a DESTDIR"
[ $st -eq 0 ] || diag "$WORK/install.out"
bin=$(find "$WORK/dest" -path '*/bin/ipcbench' -type f | head -1)
[ -n "$bin" ] && [ -x "$bin" ]
ok $? "the binary is installed (${bin#"$WORK/dest"})"
prefix=$(dirname "$(dirname "$bin")")
plot=$prefix/bin/ipcbench-plot
[ -x "$plot" ] && [ -f "$(readlink -f "$plot")" ]
ok $? "ipcbench-plot beside it, leading to the installed script"
missing=
for gp in "$ROOT"/plots/*.gp; do
	cmp -s "$gp" "$prefix/share/ipcbench/plots/$(basename "$gp")" || missing+=" $(basename "$gp")"
done
[ -z "$missing" ] && [ "$(ls "$ROOT"/plots/*.gp | wc -l)" -ge 5 ]
ok $? "every gnuplot script of plots/ is installed as it is ($(ls "$ROOT"/plots/*.gp | wc -l))${missing:+; missing:$missing}"
man=$(find "$prefix/share/man" -name 'ipcbench.1*' | head -1)
[ -n "$man" ] && cmp -s "$man" "$BUILD/ipcbench.1" && grep -q '^\.BR \\-t ", " \\-\\-transport' "$man"
ok $? "the man page the build made is installed, its option entries in (${man#"$WORK/dest"})"
# Nothing in bin/ without a page: each program installed there has its man page beside
# ipcbench's, and man renders it.
undocumented=
for b in "$prefix"/bin/*; do
	p=$prefix/share/man/man1/$(basename "$b").1
	{ [ -f "$p" ] && man -l "$p" 2>/dev/null | grep -q '^NAME'; } || undocumented+=" $(basename "$b")"
done
[ -z "$undocumented" ] && [ "$(ls "$prefix"/bin | wc -l)" -ge 4 ]
ok $? "every program in bin/ has a man page ($(ls "$prefix"/bin | paste -sd' '))${undocumented:+; without:$undocumented}"
comp=$prefix/share/bash-completion/completions/ipcbench
cmp -s "$comp" "$ROOT/completions/ipcbench.bash"
ok $? "bash completion is installed where bash-completion loads it"

# ---- an installed ipcbench, outside the checkout ----
mkdir -p "$WORK/elsewhere"
cd "$WORK/elsewhere" || exit 1
export PATH="$prefix/bin:/usr/bin:/bin"
[ "$(command -v ipcbench)" = "$bin" ] && [ "$(command -v ipcbench-plot)" = "$plot" ]
ok $? "PATH finds the installed ipcbench and ipcbench-plot"
ipcbench -q -t pipe,null -s 64,4K -m latency,throughput -n 50 -d 0 -w 5 --csv run.csv >/dev/null 2>&1
ok $? "the installed ipcbench measures"
mods=$(find "$WORK/dest" -name 'ipcb-*.so' -path '*/ipcbench/*' | wc -l)
if [ -f "$(find "$WORK/dest" -name ipcb-zmq.so | head -1)" ]; then
	env -u IPCBENCH_MODULE_DIR ipcbench -q -t zmq-ipc -s 64 -m latency -n 50 -d 0 \
		--csv zmq.csv >/dev/null 2>zmq.err &&
		env -u IPCBENCH_MODULE_DIR ipcbench --list zmq-ipc | grep -q 'module: *ipcb-zmq.so'
	ok $? "the installed ipcbench opens its installed modules ($mods under LIBDIR/ipcbench)"
	diag zmq.err
else
	skip "the installed ipcbench opens its installed modules" "zmq was not built here"
fi
ipcbench-plot run.csv figs >plot.out 2>plot.err
st=$?
ok $st "the installed ipcbench-plot draws from it"
[ $st -eq 0 ] || diag plot.err
nsvg=$(ls figs/*.svg 2>/dev/null | wc -l)
[ "$nsvg" -ge 4 ] && [ -s figs/bars-cross-core.png ] && ! grep -qiE 'warning|error' plot.err
ok $? "its figures ($nsvg SVG), without a gnuplot warning"
ipcbench report run.csv --html page.html 2>report.err
st=$?
if command -v strace >/dev/null 2>&1 && strace -qq -e trace=execve -o /dev/null true 2>/dev/null; then
	# (LeakSanitizer cannot run under ptrace: a sanitizer build checks for leaks above.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=execve -o trace ipcbench report run.csv --html traced.html \
		2>traced.err
	grep -q "execve(\"$plot\"" trace && ! grep -q "execve(\"$ROOT/scripts/plot\"" trace
	ok $? "report --html draws with the installed ipcbench-plot, not the checkout's"
else
	skip "report --html draws with the installed ipcbench-plot, not the checkout's" \
		"no strace, or it may not trace here"
fi
[ $st -eq 0 ] && [ "$(grep -o 'data:image/svg+xml;base64,' page.html | wc -l)" -eq "$nsvg" ]
ok $? "and the page has every figure inline ($nsvg)"
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$man" 2>man.err | grep -q 'ipcbench compare'
	ok $? "man renders the installed page"
else
	skip "man renders the installed page" "no man"
fi
bash --norc --noprofile -c '. "$1"; COMP_WORDS=(ipcbench -t ""); COMP_CWORD=2; _ipcbench
	printf "%s\n" "${COMPREPLY[@]}"' c "$comp" >comp.out
grep -qx pipe comp.out && grep -qx shm comp.out
ok $? "the installed completion completes transports with the installed ipcbench"
# The A/B gate, for a CI job with a packaged ipcbench: installed, and named as installed.
gate=$prefix/bin/ipcbench-ab-gate
[ -x "$gate" ] && [ "$(command -v ipcbench-ab-gate)" = "$gate" ] && cmp -s "$gate" "$ROOT/scripts/ab-gate"
ok $? "the A/B gate is installed as ipcbench-ab-gate"
ipcbench-ab-gate --help >gate-help.out 2>&1
head -1 gate-help.out | grep -q '^Usage: ipcbench-ab-gate \[OPTIONS\]' && ! grep -q 'scripts/ab-gate' gate-help.out
ok $? "its --help names it as installed ($(head -1 gate-help.out))"
ipcbench-ab-gate --no-count --no-controls --rounds 2 --warmup-rounds 0 --out gate ipcbench ipcbench \
	-t pipe -s 64 -m throughput -n 200 -d 0 -w 5 >gate.out 2>gate.err
st=$?
[ $st -ne 2 ] && [ -s gate/look-final.txt ] && [ -s gate/old.csv ] && [ -s gate/new.csv ] &&
	grep -q "^ipcbench-ab-gate: the rows go to gate/old.csv and gate/new.csv" gate.err &&
	grep -qx "ipcbench-ab-gate: wrote gate/old.csv gate/new.csv gate/look-final.txt gate/runs.log" gate.err
ok $? "the installed gate gates the installed ipcbench, writing what it says it writes (exit $st)"
[ $st -ne 2 ] || diag gate.err

# ---- a user's module, built out of tree against the installed header alone ----
pc=$(find "$WORK/dest" -name ipcbench-transport.pc | head -1)
[ -n "$pc" ] && [ -f "$prefix/include/ipcbench/transport.h" ]
ok $? "the transport header and ipcbench-transport.pc are installed"
if command -v pkg-config >/dev/null 2>&1 && command -v make >/dev/null 2>&1; then
	cp -r "$prefix/share/ipcbench/examples/ring" "$WORK/mymodule"
	# The header must stand alone: no path of the checkout may reach the compiler.
	PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$WORK/dest \
		make -C "$WORK/mymodule" CFLAGS="-O2 -Wall -Wextra -Werror" >make.out 2>&1 &&
		! grep -q -- "-I$ROOT" make.out && grep -q -- "-I$WORK/dest" make.out
	st=$?
	ok $st "the example module builds from the installed tree with pkg-config, without warnings"
	[ $st -eq 0 ] || diag make.out
	mod=$WORK/mymodule/ring.so
	ipcbench -q -t "external:$mod" -s 64,64K -m latency,throughput -n 200 -d 0 -w 5 \
		--csv mod.csv >mod.out 2>mod.err
	st=$?
	[ $st -eq 0 ] && [ "$(grep -c '^example-ring,' mod.csv)" -ge 4 ] &&
		grep -q "module $mod build-id [0-9a-f]*; example ring 1.0" mod.csv
	ok $? "the installed ipcbench measures it (-t external:), rows naming the module and its build (exit $st)"
	[ $st -eq 0 ] || diag mod.err
	ipcbench selftest "external:$mod" >selftest.out 2>&1
	st=$?
	[ $st -eq 0 ] && grep -q '^1\.\.[1-9]' selftest.out && ! grep -q '^not ok' selftest.out
	ok $? "ipcbench selftest passes it ($(grep -c '^ok' selftest.out) checks, exit $st)"
	[ $st -eq 0 ] || grep '^not ok' selftest.out | diag
else
	skip "the example module builds from the installed tree" "no pkg-config or make"
	skip "the installed ipcbench measures it" "not built"
	skip "ipcbench selftest passes it" "not built"
fi

done_testing
