#!/bin/bash
# mkhist.sh IPCBENCH DIR RUNS - write RUNS synthetic CSVs DIR/run-NN.csv (not a test itself; the
# history tests use it): one real tiny run gives the header and the machine's columns, and each
# synthetic run has 5 rounds of three throughput groups with a deterministic noise of +-0.5 %:
#   pipe 64K   1e9 bytes/s, 1 % lower every run (a drift), and 10 % lower from run STEP on
#   shm 64K    5e9 bytes/s, steady
#   tcp 64K    2e9 bytes/s, 1 % higher every run, no step
# each held against the same ceiling (x_floor of a 10 GB/s copy): the machine does not move.
# STEP is $STEP (default 25); run i's commit is c0ffee followed by i in 34 digits.
set -eu
BIN=$1 DIR=$2 RUNS=$3
STEP=${STEP:-25}
mkdir -p "$DIR"
"$BIN" -q -t pipe -s 64 -m throughput -n 50 -d 0 -w 5 --csv "$DIR/real.csv" >/dev/null
CSV_AWK=$(cat "$(dirname "$0")/../csv.awk")
awk -v runs="$RUNS" -v step="$STEP" -v dir="$DIR" "$CSV_AWK"'
NR == 1 { header = $0; n = csv_split($0, name); for (i = 1; i <= n; i++) col[name[i]] = i; next }
NR == 2 { csv_split($0, tmpl); exit }
END {
	split("pipe shm tcp", ts, " ")
	base["pipe"] = 1e9; base["shm"] = 5e9; base["tcp"] = 2e9
	for (i = 1; i <= runs; i++) {
		file = sprintf("%s/run-%02d.csv", dir, i)
		print header > file
		for (t = 1; t <= 3; t++) for (r = 1; r <= 5; r++) {
			tr = ts[t]
			noise = ((i * 7 + r * 13 + t * 5) % 11 - 5) * 0.001
			v = base[tr] * (1 + noise)
			if (tr == "pipe") v *= 0.99 ^ (i - 1) * (i >= step ? 0.9 : 1)
			if (tr == "tcp") v *= 1.01 ^ (i - 1)
			for (k = 1; k <= n; k++) f[k] = tmpl[k]
			f[col["transport"]] = tr
			f[col["size_bytes"]] = 65536
			f[col["chunk_bytes"]] = 65536
			f[col["run"]] = r
			f[col["round"]] = r
			f[col["bytes_per_s"]] = sprintf("%.1f", v)
			f[col["msgs_per_s"]] = sprintf("%.1f", v / 65536)
			# held against one ceiling in every run (a copy of 10 GB/s): the machine stays
			if ("x_floor" in col) f[col["x_floor"]] = sprintf("%.4f", 1e10 / v)
			f[col["timestamp"]] = sprintf("2026-01-%02dT%02d:%02d:00Z", 1 + int(i / 24), i % 24, r)
			f[col["options"]] = ""
			f[col["wait"]] = "block"
			print csv_join(f, n) > file
		}
		close(file)
	}
}' "$DIR/real.csv"
