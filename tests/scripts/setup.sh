#!/bin/bash
# setup.sh SETUP - TAP: scripts/setup calls apt-get only for what is missing, and only a missing
# requirement is fatal.
#
# Each case runs scripts/setup with PATH holding nothing but stand-ins: the tools it looks for
# (present or not, case by case), a compiler whose sanitizer link and zlib.h can be made to
# fail, and apt-get and sudo that record how they were called and fail on request. So every
# branch is taken on any machine, whatever it has installed, and no package is ever installed.
set -u
SETUP=${1:?usage: setup.sh scripts/setup}
. "$(dirname "$0")/../tap.sh"
tap_workdir setup-test
BASH_BIN=$(command -v bash)

TOOLS=(meson ninja gnuplot git pgrep ipcs pkg-config java strace valgrind)
touch "$WORK/hdrhistogram.jar"
# The transports' list as scripts/setup reads it: one built on a library (its Debian package
# after the colon), which the cases have unless they say otherwise.
cat >"$WORK/transports.build" <<'LIST'
transports = [
  'pipe',
  'fancy libfancy:libfancy-dev',
]
LIST

# stubs DIR [MISSING...]: DIR/bin with every tool but the missing ones (sudo may be one), the
# compiler, apt-get, sudo, id and dpkg-query stand-ins, and the few real programs scripts/setup
# runs.
stubs() {
	local dir=$1 t
	shift
	mkdir -p "$dir/bin"
	for t in "${TOOLS[@]}"; do
		[[ " $* " == *" $t "* ]] || printf '#!/bin/sh\nexit 0\n' >"$dir/bin/$t"
	done
	# cc: -fsanitize links fail when STUB_NO_SAN is set, -E of zlib.h when STUB_NO_ZLIB is, of
	# sqlite3.h when STUB_NO_SQLITE is, of nettle/sha2.h when STUB_NO_NETTLE is. It reads its input, as a compiler does: one that exited
	# first would fail the printf feeding it (a closed pipe), and under pipefail that reads as a
	# missing header, now and then.
	cat >"$dir/bin/cc" <<'CC'
#!/bin/sh
in=
case " $* " in *" - "*) in=$(cat) ;; esac
case " $* " in
*" -fsanitize="*) [ -z "${STUB_NO_SAN:-}" ] ;;
*" -E "*)
	case $in in
	*sqlite3.h*) [ -z "${STUB_NO_SQLITE:-}" ] ;;
	*nettle/sha2.h*) [ -z "${STUB_NO_NETTLE:-}" ] ;;
	*hwloc.h* | *libpq-fe.h* | *jansson.h*) exit 0 ;;
	*callgrind.h*) exit 0 ;;
	*) [ -z "${STUB_NO_ZLIB:-}" ] ;;
	esac
	;;
*) exit 0 ;;
esac
CC
	# apt-get: one line per call in $STUB_LOG; fails `update` when STUB_UPDATE_FAILS is set,
	# and an install naming any package of $STUB_UNAVAILABLE.
	cat >"$dir/bin/apt-get" <<'APT'
#!/bin/sh
echo "apt-get $*" >>"$STUB_LOG"
[ "$1" = update ] && [ -n "${STUB_UPDATE_FAILS:-}" ] && exit 100
for a in "$@"; do
	for u in ${STUB_UNAVAILABLE:-}; do [ "$a" = "$u" ] && exit 100; done
done
exit 0
APT
	[[ " $* " == *" sudo "* ]] ||
		printf '#!/bin/sh\necho "sudo $1" >>"$STUB_LOG"\nexec "$@"\n' >"$dir/bin/sudo"
	printf '#!/bin/sh\necho "${STUB_UID:-0}"\n' >"$dir/bin/id"
	# dpkg-query -W -f=... PACKAGE: installed when PACKAGE is in $STUB_INSTALLED (by default the
	# transport's library, libfancy-dev, and the tests' python3-html5lib, libbenchmark-tools,
	# python3-scipy and postgresql)
	cat >"$dir/bin/dpkg-query" <<'DPKG'
#!/bin/sh
for p in ${STUB_INSTALLED-libfancy-dev python3-html5lib libbenchmark-tools python3-scipy postgresql}; do [ "$p" = "$3" ] && { printf 'install ok installed'; exit 0; }; done
exit 1
DPKG
	chmod +x "$dir/bin"/*
	for t in mktemp rm grep sed tr dirname cat; do ln -sf "$(command -v $t)" "$dir/bin/$t"; done
}

# setup CASE MISSING ENV... -- ARGS...: scripts/setup under the stubs of CASE without the MISSING
# tools (a space-separated list), with the ENV assignments; status in $st, its calls to apt-get
# and sudo in $WORK/CASE.log, stderr in $WORK/CASE.err.
setup() {
	local name=$1 missing=$2 envs=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2086 # the missing tools are a list
	stubs "$WORK/$name" $missing
	: >"$WORK/$name.log"
	env -i PATH="$WORK/$name/bin" STUB_LOG="$WORK/$name.log" \
		IPCB_HDRHISTOGRAM_JAR="$WORK/hdrhistogram.jar" \
		IPCB_SETUP_TRANSPORTS="$WORK/transports.build" "${envs[@]}" \
		"$BASH_BIN" "$SETUP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	st=$?
}

# 1. Everything present: no apt-get, whatever is asked for.
setup all '' -- tests sanitizers
[ $st -eq 0 ] && [ ! -s "$WORK/all.log" ]
ok $? "everything present: 'tests sanitizers' exits 0 without calling apt-get (exit $st)"
setup bare '' --
[ $st -eq 0 ] && [ ! -s "$WORK/bare.log" ]
ok $? "everything present, no extras: no apt-get either (exit $st)"
setup named '' 'STUB_INSTALLED=libclang-rt-dev libfancy-dev' -- java libclang-rt-dev
[ $st -eq 0 ] && [ ! -s "$WORK/named.log" ]
ok $? "packages named by the caller that are there (a command, an installed package): no apt-get"

# 2. Something missing: apt-get installs exactly that.
setup nojava 'java' -- tests
[ $st -eq 0 ] && grep -qx 'apt-get update -qq' "$WORK/nojava.log" &&
	grep -qx 'apt-get install -y -qq --no-install-recommends default-jre-headless' "$WORK/nojava.log" &&
	[ "$(grep -c install "$WORK/nojava.log")" -eq 1 ]
ok $? "java missing: apt-get installs default-jre-headless and nothing else (exit $st)"
diag "$WORK/nojava.log"
setup nohtml5lib '' 'STUB_INSTALLED=libfancy-dev libbenchmark-tools python3-scipy postgresql' -- tests
[ $st -eq 0 ] && grep -qx 'apt-get install -y -qq --no-install-recommends python3-html5lib' "$WORK/nohtml5lib.log" &&
	[ "$(grep -c install "$WORK/nohtml5lib.log")" -eq 1 ]
ok $? "html5lib missing: apt-get installs python3-html5lib and nothing else (exit $st)"
setup nojar '' IPCB_HDRHISTOGRAM_JAR=/nonexistent.jar -- tests
[ $st -eq 0 ] && grep -q 'install .* libhdrhistogram-java$' "$WORK/nojar.log"
ok $? "the HdrHistogram jar missing: libhdrhistogram-java is installed"
setup nomeson 'meson' --
[ $st -eq 0 ] && grep -q 'install .* meson$' "$WORK/nomeson.log"
ok $? "meson missing: installed"
setup novalgrind 'valgrind' --
[ $st -eq 0 ] && grep -q 'install .* valgrind$' "$WORK/novalgrind.log"
ok $? "valgrind missing: installed (--count runs the sides under callgrind)"
setup nozlib '' STUB_NO_ZLIB=1 --
[ $st -eq 0 ] && grep -q 'install .* zlib1g-dev$' "$WORK/nozlib.log"
ok $? "zlib.h not found by the compiler: zlib1g-dev installed"
setup nosqlite '' STUB_NO_SQLITE=1 --
[ $st -eq 0 ] && grep -q 'install .* libsqlite3-dev$' "$WORK/nosqlite.log"
ok $? "sqlite3.h not found by the compiler: libsqlite3-dev installed (the results history)"
setup nonettle '' STUB_NO_NETTLE=1 --
[ $st -eq 0 ] && grep -q 'install .* nettle-dev$' "$WORK/nonettle.log"
ok $? "nettle/sha2.h not found by the compiler: nettle-dev installed (SHA-256 and HMAC)"
setup nosan '' STUB_NO_SAN=1 -- sanitizers
[ $st -eq 0 ] && grep -q 'install .* libasan8 libubsan1$' "$WORK/nosan.log"
ok $? "no sanitizer link: their runtime libraries installed"
setup nosan-unasked '' STUB_NO_SAN=1 -- tests
[ $st -eq 0 ] && [ ! -s "$WORK/nosan-unasked.log" ]
ok $? "the sanitizers are looked for only when asked for"
setup user 'strace' STUB_UID=1000 -- tests
[ $st -eq 0 ] && grep -qx 'sudo apt-get' "$WORK/user.log" && grep -q 'install .* strace$' "$WORK/user.log"
ok $? "not root: apt-get through sudo"

# 3. Optional extras that cannot be installed: a warning, exit 0, and the others still tried.
setup optfail 'java strace' STUB_UNAVAILABLE=default-jre-headless -- tests
[ $st -eq 0 ] && grep -q 'warning: .*default-jre-headless.*optional' "$WORK/optfail.err" &&
	grep -q 'install .* strace$' "$WORK/optfail.log"
ok $? "an optional package that cannot be installed is a warning, and the next is still installed (exit $st)"
diag "$WORK/optfail.err"
setup optupdate 'java' STUB_UPDATE_FAILS=1 -- tests
[ $st -eq 0 ] && grep -q 'warning: apt-get update failed' "$WORK/optupdate.err"
ok $? "apt-get update failing with only optional packages to get: a warning (exit $st)"
setup optnosudo 'java sudo' STUB_UID=1000 -- tests
[ $st -eq 0 ] && grep -q 'warning: cannot install default-jre-headless (optional): not root, and no sudo' "$WORK/optnosudo.err"
ok $? "not root and no sudo, only optional packages missing: a warning (exit $st)"

# 3b. A transport's library: installed when missing; when it cannot be, a warning (that transport
# says it is unsupported, and why).
setup lib '' STUB_INSTALLED=nothing --
[ $st -eq 0 ] && grep -q 'install .* libfancy-dev$' "$WORK/lib.log"
ok $? "a transport's library missing: its package is installed (exit $st)"
setup libfail '' STUB_INSTALLED=nothing STUB_UNAVAILABLE=libfancy-dev --
[ $st -eq 0 ] && grep -q 'warning: .*libfancy-dev.*optional' "$WORK/libfail.err"
ok $? "a transport's library that cannot be installed: a warning, exit 0 (exit $st)"

# 4. Required ones that cannot be installed: an error naming them.
setup reqfail 'meson java' STUB_UNAVAILABLE=meson -- tests
[ $st -eq 1 ] && grep -q 'could not install meson' "$WORK/reqfail.err"
ok $? "a required package that cannot be installed is an error naming it (exit $st)"
setup sanfail '' STUB_NO_SAN=1 STUB_UNAVAILABLE=libasan8 -- sanitizers
[ $st -eq 1 ] && grep -q 'could not install libasan8 libubsan1' "$WORK/sanfail.err"
ok $? "sanitizers asked for and not installable: an error (exit $st)"
setup namedfail '' STUB_UNAVAILABLE=stress-ng -- stress-ng
[ $st -eq 1 ] && grep -q 'could not install stress-ng' "$WORK/namedfail.err"
ok $? "a package named by the caller that cannot be installed: an error (exit $st)"
setup requpdate 'git' STUB_UPDATE_FAILS=1 --
[ $st -eq 1 ] && grep -q 'apt-get update failed: cannot install git' "$WORK/requpdate.err"
ok $? "apt-get update failing with a required package to get: an error (exit $st)"

done_testing
