#!/bin/bash
# pgserver.sh - sourced by the history tests: a private PostgreSQL server for one test, made with
# Debian's own programs (initdb and pg_ctl of the postgresql package) in a directory of its own,
# listening on a Unix socket there and on no TCP port, run as an unprivileged user (PostgreSQL
# refuses root: nobody when the test is root), and stopped and removed whatever happens.
#
#   pg_start DIR     start it; PG_URL is then its postgresql:// connection string. Returns 1,
#                    with PG_WHY saying why, where PostgreSQL is not installed or will not start.
#   pg_stop          stop it and remove DIR (the test's EXIT trap calls it too).

PG_DIR=
PG_URL=
PG_WHY=
PG_AS=()

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$PG_DIR"
	PG_DIR=
}

pg_start() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		PG_WHY="PostgreSQL is not installed (Debian: postgresql; scripts/setup tests installs it)"
		return 1
	fi
	PG_DIR=$1
	mkdir -p "$PG_DIR" || return 1
	PG_AS=()
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$PG_DIR"
		PG_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	fi
	# The server's user is ipcb; trust on its own socket, which only this directory holds.
	if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U ipcb -A trust --no-sync \
		>"$PG_DIR/initdb.log" 2>&1; then
		PG_WHY="initdb failed: $(tail -1 "$PG_DIR/initdb.log")"
		return 1
	fi
	if ! "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -c fsync=off" start >/dev/null 2>&1; then
		PG_WHY="the server did not start: $(tail -1 "$PG_DIR/server.log" 2>/dev/null)"
		return 1
	fi
	PG_URL="postgresql:///postgres?host=$PG_DIR&user=ipcb"
	return 0
}
