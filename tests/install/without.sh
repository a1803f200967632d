#!/bin/bash
# without.sh SOURCE_ROOT - TAP: the build's two library options, configured for real in a build
# directory of this test's own. -Dwithout=liburing leaves io_uring's library out although it is
# installed (uring's entry then says so, and the summary names it); -Drequire of a library that
# is found configures; a name no transport's entry uses, or one both required and left out,
# stops the configuration with an error naming it. A transport on a new library is then its
# file and its entry in transports/meson.build alone: no option of its own to declare.
set -u
ROOT=${1:?usage: without.sh SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"
tap_workdir without

if ! pkg-config --exists liburing; then
	echo "1..0 # SKIP liburing is not installed (Debian: liburing-dev), so there is nothing to leave out"
	exit 0
fi

meson setup "$WORK/b" "$ROOT" -Dwithout=liburing >"$WORK/setup.out" 2>&1
st=$?
ok $st "meson setup -Dwithout=liburing configures"
[ $st -eq 0 ] || diag "$WORK/setup.out"
cfg=$WORK/b/transports/ipcb_config.h
grep -q '^#define IPCB_BUILT_URING 0$' "$cfg" &&
	grep -q '^#define IPCB_WITHOUT_URING "built without liburing, left out by -Dwithout=liburing"$' "$cfg"
ok $? "uring is an entry that says it was left out, and why"
grep -q 'uring (liburing, left out by -Dwithout=liburing)' "$WORK/setup.out"
ok $? "the configuration's summary names uring as left out"
# Only what was named: a transport on another library is as it would be without the option.
grep -q '^#define IPCB_BUILT_PIPE 1$' "$cfg"
ok $? "a kernel transport is built as before"

meson setup "$WORK/r" "$ROOT" -Drequire=liburing >"$WORK/require.out" 2>&1
st=$?
ok $st "meson setup -Drequire=liburing configures where liburing is installed"
[ $st -eq 0 ] || diag "$WORK/require.out"
grep -q '^#define IPCB_BUILT_URING 1$' "$WORK/r/transports/ipcb_config.h"
ok $? "with it required, uring is built"

meson setup "$WORK/x" "$ROOT" -Dwithout=libnosuch >"$WORK/bad.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q 'no transport is built on a library named "libnosuch"' "$WORK/bad.out" &&
	grep -q 'the libraries are: .*liburing' "$WORK/bad.out" && [ ! -f "$WORK/x/build.ninja" ]
ok $? "-Dwithout=libnosuch stops the configuration, naming it and the libraries there are"
[ $st -ne 0 ] || diag "$WORK/bad.out"

meson setup "$WORK/y" "$ROOT" -Drequire=liburing -Dwithout=liburing >"$WORK/both.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q 'both name "liburing"' "$WORK/both.out"
ok $? "a library both required and left out stops the configuration"
[ $st -ne 0 ] || diag "$WORK/both.out"

done_testing
