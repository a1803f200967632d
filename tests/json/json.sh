#!/bin/bash
# json.sh - `ipcbench --json` end to end (TAP): real runs (floors, two placements, repeats, load
# shapes) write Google Benchmark's JSON beside their CSV; a JSON parser (Python's) reads it as
# github-action-benchmark and Bencher do, every CSV row is a benchmark with its values, names are
# unique per repetition, the context carries the machine; the JSON reads back as the CSV byte for
# byte; `ipcbench compare` takes JSON as it takes CSV; and the file is handled as the other
# outputs are (replaced whole, kept when a run measures nothing, refused when it names another
# output).
#
# Usage: json.sh PATH/TO/ipcbench PATH/TO/test_gbjson
set -u
BIN=${1:?usage: json.sh ipcbench test_gbjson}
GBJSON=${2:?usage: json.sh ipcbench test_gbjson}
. "$(dirname "$0")/../tap.sh"

PY=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import json' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	echo "1..0 # SKIP no python3 to parse the JSON (scripts/setup tests installs it)"
	exit 0
fi
tap_workdir json

# check.py CSV JSON: the JSON against the CSV, as a dashboard reads it. Prints one line per
# failed promise; exits 0 when there is none.
cat >"$WORK/check.py" <<'PY'
import csv, json, math, sys

csv_path, json_path = sys.argv[1], sys.argv[2]
bad = []

def refuse(name):
    raise ValueError("not a JSON number: " + name)

with open(json_path, encoding="utf-8") as f:
    doc = json.load(f, parse_constant=refuse)  # NaN or Infinity are not JSON
with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
machine = ["host", "kernel", "cpu_model", "governor", "boost", "smt", "thp", "isolated_cpus",
           "loadavg", "virtualization", "build_type", "version"]

ctx = doc.get("context")
bms = doc.get("benchmarks")
if not isinstance(ctx, dict) or not isinstance(bms, list):
    print("no context object or no benchmarks array")
    sys.exit(1)
# What Bencher's cpp_google reader requires, and what github-action-benchmark's googlecpp reads.
if not isinstance(ctx.get("caches"), list):
    bad.append("context.caches is not an array (Bencher needs it)")
for k, t in [("date", str), ("host_name", str), ("executable", str), ("num_cpus", int),
             ("library_build_type", str), ("load_avg", list)]:
    if not isinstance(ctx.get(k), t):
        bad.append("context.%s missing or not %s" % (k, t.__name__))
for c in machine:
    want = rows[0][c] if rows else ""
    got = ctx.get(c)
    if want == "":
        if got is not None:
            bad.append("context.%s is %r, but the CSV has none" % (c, got))
    elif c == "loadavg":
        if not isinstance(got, (int, float)) or abs(got - float(want)) > 1e-9:
            bad.append("context.loadavg %r != %s" % (got, want))
    elif got != want:
        bad.append("context.%s %r != CSV %r" % (c, got, want))
if ctx.get("host_name") != (rows[0]["host"] if rows else ""):
    bad.append("context.host_name is not the host")

# The rows first, one iteration each; then each repeated benchmark's aggregates.
aggs = [b for b in bms if b.get("run_type") == "aggregate"]
bms = [b for b in bms if b.get("run_type") != "aggregate"]
if doc["benchmarks"][:len(bms)] != bms:
    bad.append("an aggregate comes before a row's benchmark")
if len(bms) != len(rows):
    bad.append("%d benchmarks for %d CSV rows" % (len(bms), len(rows)))

def expected_name(r):
    size = int(r["size_bytes"])
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            size = "%d%s" % (size >> shift, unit)
            break
    parts = [r["transport"], r["mode"], str(size), r["placement"]]
    if r.get("tuning"):
        parts.append(r["tuning"])
    if r["pairs"] not in ("", "1"):
        parts.append("pairs" + r["pairs"])
    if r["topology"] not in ("", "1:1"):
        parts.append("topology" + r["topology"].replace(":", "x"))
    if r["inflight"] not in ("", "1"):
        parts.append("inflight" + r["inflight"])
    if r["offered_rate"]:
        parts.append("rate%.0f" % float(r["offered_rate"]))
    if r["latency_kind"]:
        parts.append(r["latency_kind"])
    return "/".join(parts)

counts = {}
for r in rows:
    counts[expected_name(r)] = counts.get(expected_name(r), 0) + 1
seen = set()
for i, (r, b) in enumerate(zip(rows, bms)):
    where = "benchmark %d" % (i + 1)
    name = expected_name(r)
    if b.get("name") != name or b.get("run_name") != name:
        bad.append("%s: name %r, want %r" % (where, b.get("name"), name))
    key = (b.get("name"), b.get("repetition_index"))
    if key in seen:
        bad.append("%s: %r appears twice" % (where, key))
    seen.add(key)
    if b.get("repetitions") != counts[name]:
        bad.append("%s: repetitions %r, want %d" % (where, b.get("repetitions"), counts[name]))
    if b.get("repetition_index") != int(r["run"]) - 1:
        bad.append("%s: repetition_index %r, run %s" % (where, b.get("repetition_index"), r["run"]))
    if b.get("run_type") != "iteration" or b.get("time_unit") != "ns":
        bad.append("%s: run_type or time_unit" % where)
    for k in ("real_time", "cpu_time"):
        if not isinstance(b.get(k), (int, float)) or b[k] < 0:
            bad.append("%s: %s %r is not a time" % (where, k, b.get(k)))
    if b.get("iterations") != int(r["messages"]):
        bad.append("%s: iterations %r != messages %s" % (where, b.get("iterations"), r["messages"]))
    if not isinstance(b.get("threads"), int) or b["threads"] < 1:
        bad.append("%s: threads %r" % (where, b.get("threads")))
    # real_time: per message where the row has a rate, else the mean delay.
    want_rt = 1e9 / float(r["msgs_per_s"]) if r["msgs_per_s"] else float(r["mean_ns"])
    if not math.isclose(b.get("real_time", -1), want_rt, rel_tol=1e-6):
        bad.append("%s: real_time %r, want %r" % (where, b.get("real_time"), want_rt))
    want_cpu = float(r["sender_cpu_ns_per_msg"]) + float(r["receiver_cpu_ns_per_msg"])
    if not math.isclose(b.get("cpu_time", -1), want_cpu, rel_tol=1e-6, abs_tol=1e-9):
        bad.append("%s: cpu_time %r, want %r" % (where, b.get("cpu_time"), want_cpu))
    for gb, col in (("bytes_per_second", "bytes_per_s"), ("items_per_second", "msgs_per_s")):
        if r[col]:
            if not isinstance(b.get(gb), (int, float)) or not math.isclose(b[gb], float(r[col])):
                bad.append("%s: %s %r != %s %s" % (where, gb, b.get(gb), col, r[col]))
        elif gb in b:
            bad.append("%s: %s without a %s" % (where, gb, col))
    # Every column with a value, under its name: numbers as numbers, text as text.
    for c, v in r.items():
        if c in machine:
            if c in b:
                bad.append("%s: the machine's %s belongs in the context" % (where, c))
            continue
        if v == "":
            if c in b:
                bad.append("%s: %s is empty in the CSV but %r here" % (where, c, b[c]))
            continue
        if c not in b:
            bad.append("%s: %s (%s) missing" % (where, c, v))
        elif isinstance(b[c], str):
            if b[c] != v:
                bad.append("%s: %s %r != %r" % (where, c, b[c], v))
        elif isinstance(b[c], bool) or not isinstance(b[c], (int, float)):
            bad.append("%s: %s is %r" % (where, c, b[c]))
        elif not math.isclose(b[c], float(v), rel_tol=1e-12, abs_tol=0):
            bad.append("%s: %s %r != %s" % (where, c, b[c], v))
    for k in ("p50_ns", "p99_ns", "max_ns"):
        if r["latency_kind"] and not isinstance(b.get(k), int):
            bad.append("%s: the percentile %s is not a counter" % (where, k))

# Google Benchmark's aggregates of each name repeated: _mean, _median, _stddev, _cv, in that
# order, in the order the names first came, over the repetitions' values (sample stddev; cv as
# a fraction), iterations the repetitions, as google/benchmark's JSON reporter writes them.
def stats(xs):
    xs = sorted(xs)
    n = len(xs)
    mean = sum(xs) / n
    med = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    return {"mean": mean, "median": med, "stddev": sd, "cv": sd / mean if mean else None}

want = []
order = []
for b in bms:
    if b["name"] not in order:
        order.append(b["name"])
for name in order:
    reps = [b for b in bms if b["name"] == name]
    if len(reps) < 2:
        continue
    for a in ("mean", "median", "stddev", "cv"):
        want.append((name, a, reps))
if [(a.get("run_name"), a.get("aggregate_name")) for a in aggs] != [(w[0], w[1]) for w in want]:
    bad.append("aggregates %r, want %r" % ([a.get("name") for a in aggs][:8],
                                           [w[0] + "_" + w[1] for w in want][:8]))
else:
    for a, (name, agg, reps) in zip(aggs, want):
        where = a["name"]
        if a["name"] != name + "_" + agg or a.get("repetitions") != len(reps) or \
           a.get("iterations") != len(reps) or a.get("threads") != reps[0]["threads"] or \
           a.get("time_unit") != "ns" or \
           a.get("aggregate_unit") != ("percentage" if agg == "cv" else "time"):
            bad.append("%s: its name, repetitions, iterations, threads or units" % where)
        for k in ("real_time", "cpu_time", "bytes_per_second", "items_per_second"):
            xs = [b[k] for b in reps if k in b]
            if not xs:
                if k in a:
                    bad.append("%s: %s with no repetition that has one" % (where, k))
                continue
            w = stats(xs)[agg] if len(xs) > 1 or agg in ("mean", "median") else None
            got = a.get(k)
            # The rows' values as the JSON prints them (10 digits): a spread of values that
            # close is known to 1e-9 of their mean.
            tol = (1e-8 * abs(stats(xs)["mean"]) if agg == "stddev" and len(xs) > 1 else
                   1e-8 if agg == "cv" else 1e-9)
            if w is None:
                if got is not None and k in ("real_time", "cpu_time"):
                    bad.append("%s: %s %r where it is undefined" % (where, k, got))
            elif not isinstance(got, (int, float)) or not math.isclose(got, w, rel_tol=1e-8,
                                                                       abs_tol=tol):
                bad.append("%s: %s %r, want %r" % (where, k, got, w))
if any(b.get("repetitions", 0) > 1 for b in bms) and not aggs:
    bad.append("repeated benchmarks without aggregates")

for line in bad[:40]:
    print(line)
sys.exit(1 if bad else 0)
PY

# run NAME ARGS...: a real run writing NAME.csv and NAME.json.
run() {
	local name=$1
	shift
	"$BIN" -q -n 60 -d 0 -w 5 "$@" --csv "$WORK/$name.csv" --json "$WORK/$name.json" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
}
# check NAME WHAT: the JSON against the CSV.
check() {
	"$PY" "$WORK/check.py" "$WORK/$1.csv" "$WORK/$1.json" >"$WORK/$1.check" 2>&1
	local st=$?
	ok $st "$2: $(grep -c . "$WORK/$1.csv") CSV lines, every row a benchmark with its values, as a dashboard reads it"
	[ $st -eq 0 ] || diag "$WORK/$1.check"
	"$GBJSON" "$WORK/$1.csv" "$WORK/$1.json" >"$WORK/$1.back" 2>&1
	st=$?
	ok $st "$2: the JSON read back is the CSV, byte for byte"
	[ $st -eq 0 ] || grep -v '^ok' "$WORK/$1.back" | diag
}

# ---- real runs ----
run sweep -t null,pipe,shm --floor -s 64,4K -m latency,throughput -r 2 --placement cross-core,same-core
ok $? "a sweep with floors, two placements and two repeats writes CSV and JSON"
check sweep "the sweep"
run shapes -t pipe -s 64 -m latency --inflight 1,4 -r 2
ok $? "a run with requests in flight"
check shapes "requests in flight"
run open -t pipe -s 64 -m latency --rate 20000 -n 200
ok $? "an open loop"
check open "an open loop"
run pairs -t pipe,unix-stream -s 4K -m throughput,bistream --pairs 2
ok $? "two pairs, a stream and a bistream"
check pairs "two pairs"

# The same configuration's repeats share a name and differ in repetition_index.
grep -c '"name": "shm/latency/64/cross-core/rtt"' "$WORK/sweep.json" | grep -qx 2
ok $? "a configuration run twice is two benchmarks of one name"
grep -q '"name": "pipe/latency/64/cross-core/inflight4/rtt"' "$WORK/shapes.json" &&
	grep -q '"name": "pipe/latency/64/cross-core/rtt"' "$WORK/shapes.json"
ok $? "the load's shape is in the name where there is one (inflight4), not where there is none"
grep -q '"name": "pipe/latency/64/cross-core/rate20000/send_lag"' "$WORK/open.json"
ok $? "an open loop's rows are named by their rate (rate20000) and kind"

# ---- Google Benchmark's compare.py reads it ----
# compare.py (Debian's libbenchmark-tools) pairs benchmarks by name: each repetition, and each
# aggregate as its own benchmark. Its JSON dump must give the medians this run's rows have.
GBCMP=/usr/share/benchmark/compare.py
if [ -r "$GBCMP" ] && /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
	run sweep2 -t null,pipe,shm --floor -s 64,4K -m latency,throughput -r 2 --placement cross-core,same-core
	/usr/bin/python3 "$GBCMP" -d "$WORK/gbcmp.json" benchmarks "$WORK/sweep.json" "$WORK/sweep2.json" \
		>"$WORK/gbcmp.out" 2>&1
	ok $? "compare.py reads two --json files"
	/usr/bin/python3 - "$WORK/gbcmp.json" "$WORK/sweep.json" "$WORK/sweep2.json" \
		>"$WORK/gbcmp.check" 2>&1 <<'PY'
import json, math, statistics, sys
report = json.load(open(sys.argv[1]))
sides = []
for p in sys.argv[2:4]:
    times = {}
    for b in json.load(open(p))["benchmarks"]:
        if b["run_type"] == "iteration":
            times.setdefault(b["name"], []).append(b["real_time"])
    sides.append(times)
bad, medians = [], 0
for e in report:
    if e.get("aggregate_name") != "median":
        continue
    name = e["name"][:-len("_median")]
    m = e["measurements"][0]
    for times, key in zip(sides, ("real_time", "real_time_other")):
        want = statistics.median(times.get(name, [math.nan]))
        if not math.isclose(m[key], want, rel_tol=1e-8):
            bad.append("%s: %s %r, the median of its rounds %r" % (e["name"], key, m[key], want))
    medians += 1
if medians == 0:
    bad.append("no _median entries in compare.py's report")
print("\n".join(bad[:20]) or "%d medians" % medians)
sys.exit(1 if bad else 0)
PY
	st=$?
	ok $st "compare.py compares the two runs' medians: $(tail -1 "$WORK/gbcmp.check")"
	[ $st -eq 0 ] || diag "$WORK/gbcmp.check"
else
	skip 2 "no Google Benchmark compare.py with SciPy (scripts/setup tests installs libbenchmark-tools and python3-scipy)"
fi

# ---- compare takes JSON ----
"$BIN" compare "$WORK/sweep.csv" "$WORK/sweep.csv" >"$WORK/cc.out" 2>"$WORK/cc.err"
st_csv=$?
"$BIN" compare "$WORK/sweep.json" "$WORK/sweep.json" >"$WORK/jj.out" 2>"$WORK/jj.err"
st_json=$?
[ $st_csv -eq $st_json ] && [ $st_json -ne 2 ] &&
	diff <(sed 1d "$WORK/cc.out") <(sed 1d "$WORK/jj.out") >/dev/null
ok $? "compare of two JSON files gives the table and exit status of the CSVs' (exit $st_json)"
"$BIN" compare --same-machine "$WORK/sweep.json" "$WORK/sweep.csv" >"$WORK/jc.out" 2>"$WORK/jc.err"
st=$?
[ $st -eq $st_csv ] && ! grep -q 'different machines' "$WORK/jc.err"
ok $? "JSON against CSV of one run: the same machine, compared (exit $st)"
"$BIN" compare --format csv --metric p50_ns "$WORK/shapes.json" "$WORK/shapes.csv" >"$WORK/fmt.out" 2>/dev/null
grep -q '^pipe,,latency,rtt,64,cross-core' "$WORK/fmt.out"
ok $? "compare --format csv of JSON names the groups as for CSV"

# Malformed JSON: exit 2 naming the file, line and column.
printf '{\n  "benchmarks": [\n    {"name": "x", "p50_ns": }\n  ]\n}\n' >"$WORK/broken.json"
"$BIN" compare "$WORK/broken.json" "$WORK/sweep.json" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q "broken.json:3:29: unexpected token near '}'" "$WORK/err"
ok $? "malformed JSON: exit 2 naming file, line and column (exit $st: $(cat "$WORK/err"))"
sed -E '0,/"p50_ns": [0-9]+/s//"p50_ns": -5/' "$WORK/shapes.json" >"$WORK/neg.json"
# The benchmark's place in "benchmarks", from 1, as a reader counts it.
nth=$("$PY" -c 'import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"]
print(next(i + 1 for i, x in enumerate(b) if x.get("p50_ns") == -5))' "$WORK/neg.json")
"$BIN" compare --metric p50_ns "$WORK/neg.json" "$WORK/shapes.json" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && [ -n "$nth" ] && grep -q "neg.json: benchmark $nth: column p50_ns: '-5' is negative" "$WORK/err"
ok $? "a negative latency in JSON: exit 2 naming its benchmark ($(cat "$WORK/err"))"
echo '{"context": {}, "benchmarks": []}' >"$WORK/empty.json"
"$BIN" compare "$WORK/empty.json" "$WORK/sweep.json" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q 'no benchmarks' "$WORK/err"
ok $? "JSON without benchmarks: exit 2, saying so"

# ---- the file, as the other outputs ----
cp "$WORK/shapes.json" "$WORK/keep.json"
"$BIN" -q -t pipe -s 64 -m latency -n 50 -d 0 -w 5 --inject crash --json "$WORK/keep.json" \
	>/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 1 ] && cmp -s "$WORK/keep.json" "$WORK/shapes.json" && grep -q 'left as it was' "$WORK/err"
ok $? "a run whose every run failed leaves an existing JSON as it was, and says so (exit $st)"
"$BIN" -q -t null -s 64 -m latency -n 20 -d 0 -w 2 --json "$WORK/keep.json" >/dev/null 2>&1
ok $? "a run with a row"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["benchmarks"]) != 1)' \
	"$WORK/keep.json"
ok $? "replaces it whole: its one benchmark, nothing of the file before"
[ -z "$(find "$WORK" -name 'keep.json.*')" ]
ok $? "no temporary file left beside it"
"$BIN" -q -t null -s 64 -n 20 -d 0 --csv "$WORK/same.csv" --json "$WORK/same.csv" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q -- '--csv .* and --json .* name the same file' "$WORK/err" && [ ! -e "$WORK/same.csv" ]
ok $? "--json naming the CSV: usage error, nothing written (exit $st)"
mkdir "$WORK/dir.json"
"$BIN" -q -t null -s 64 -n 20 -d 0 --json "$WORK/dir.json" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q -- "--json $WORK/dir.json" "$WORK/err"
ok $? "--json naming a directory: usage error naming it (exit $st)"
"$BIN" -q -t null -s 64 -n 20 -d 0 --json '' >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q -- '--json: empty file name' "$WORK/err"
ok $? "--json with an empty name: usage error"

done_testing
