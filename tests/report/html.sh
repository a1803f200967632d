#!/bin/bash
# html.sh - `ipcbench report CSV --html FILE` end to end (TAP): from a real run's CSV, one page
# that a real HTML parser (html5lib, strict: any parse error fails) reads; every table and
# heading of the Markdown report in it with the same cells, every verdict, the machine
# fingerprint, every figure scripts/plot draws inline (the same SVG bytes, each a valid SVG),
# and no reference to anything outside the page. Also --figures DIR, and the failures: -o with
# --html, the CSV named as the page, a plot program that fails or is missing, a stop signal while
# drawing (nothing left behind), a directory without figures. The checker is tried on pages
# with an external reference and with broken markup first, so that it is seen to fail.
#
# Usage: html.sh PATH/TO/ipcbench SOURCE_ROOT
set -u
BIN=${1:?usage: html.sh ipcbench SOURCE_ROOT}
ROOT=${2:?usage: html.sh ipcbench SOURCE_ROOT}
. "$(dirname "$0")/../tap.sh"

PY=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import html5lib' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	echo "1..0 # SKIP no python3 with html5lib (Debian: python3-html5lib; scripts/setup tests)"
	exit 0
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "1..0 # SKIP gnuplot not found (Debian: gnuplot-nox)"
	exit 0
fi
tap_workdir report-html
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

# check.py PAGE [MARKDOWN FIGDIR CSV]: the page against the report and the figures. Prints what is
# wrong, one line each; exits 0 when nothing is.
cat >"$WORK/check.py" <<'PY'
import base64, csv, re, sys, xml.etree.ElementTree as ET
import html5lib

page = sys.argv[1]
bad = []
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background",
             "cite", "longdesc", "ping", "manifest", "codebase", "archive", "usemap", "lowsrc",
             "dynsrc", "icon", "profile", "xlink:href"}
FORBIDDEN = {"script", "link", "iframe", "frame", "object", "embed", "base", "applet", "audio",
             "video", "source", "track", "form", "portal"}

def local(name):
    return name.rsplit("}", 1)[-1].lower()

def css_external(text):
    for m in re.finditer(r"url\(\s*['\"]?([^'\")]*)", text, re.I):
        if not m.group(1).startswith(("data:", "#")):
            return m.group(1)
    if re.search(r"@import", text, re.I):
        return "@import"
    return None

def external(tree, what):
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = local(el.tag)
        if tag in FORBIDDEN:
            bad.append("%s: external or active element <%s>" % (what, tag))
        if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            bad.append("%s: a refresh" % what)
        for name, value in el.attrib.items():
            n = local(name) if not name.endswith("}href") else "xlink:href"
            if n in URL_ATTRS and not value.strip().startswith(("#", "data:")):
                bad.append("%s: <%s %s=%r> refers outside the page" % (what, tag, n, value[:80]))
            if n == "style" and css_external(value):
                bad.append("%s: style refers outside the page: %s" % (what, css_external(value)))
            if n.startswith("on"):
                bad.append("%s: an event handler %s" % (what, n))
        if tag == "style" and el.text and css_external(el.text):
            bad.append("%s: <style> refers outside the page: %s" % (what, css_external(el.text)))

raw = open(page, "rb").read()
parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
try:
    doc = parser.parse(raw)
except Exception as e:
    print("not HTML: %s %s" % (e, parser.errors[:3]))
    sys.exit(1)
external(doc, "page")
text = lambda el: re.sub(r"\s+", " ", "".join(el.itertext())).strip()

# Every id once, every #link to one of them.
ids = [el.get("id") for el in doc.iter() if el.get("id")]
if len(ids) != len(set(ids)):
    bad.append("ids used twice: %s" % sorted(i for i in set(ids) if ids.count(i) > 1))
for a in doc.iter("a"):
    if a.get("href", "").startswith("#") and a.get("href")[1:] not in ids:
        bad.append("a link to #%s, which is not there" % a.get("href")[1:])

# Figures: every <img> a valid SVG that refers to nothing, and (given FIGDIR) exactly its files.
svgs = []
for img in doc.iter("img"):
    src = img.get("src", "")
    if not src.startswith("data:image/svg+xml;base64,"):
        bad.append("an image that is not an inline SVG: %r" % src[:60])
        continue
    data = base64.b64decode(src.split(",", 1)[1], validate=True)
    svgs.append(data)
    try:
        svg = ET.fromstring(data)
    except ET.ParseError as e:
        bad.append("a figure is not XML: %s" % e)
        continue
    if local(svg.tag) != "svg":
        bad.append("a figure is <%s>, not <svg>" % local(svg.tag))
    external(svg, "figure %s" % img.get("alt"))
    if not img.get("alt"):
        bad.append("a figure without alt text")

if len(sys.argv) == 5:
    md_path, figdir, csv_path = sys.argv[2:5]
    import os
    files = sorted(f for f in os.listdir(figdir) if f.endswith(".svg"))
    want = sorted(open(os.path.join(figdir, f), "rb").read() for f in files)
    if sorted(svgs) != want:
        bad.append("%d figures inline, %d SVG files drawn: not the same" % (len(svgs), len(files)))
    md = open(md_path, encoding="utf-8").read().split("\n")
    plain = lambda s: re.sub(r"\s+", " ", re.sub(r"\\(.)", r"\1", s.replace("**", "").replace("`", "").replace("*", ""))).strip()

    # Headings, in order (the page adds "The machine" and "Figures").
    md_heads = [(len(m.group(1)), plain(m.group(2))) for m in
                (re.match(r"^(#{1,6}) (.*)$", l) for l in md) if m]
    html_heads = [(int(el.tag[1]), text(el)) for el in doc.iter() if
                  isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag)]
    extra = [h for h in html_heads if h[1] in ("The machine", "Figures")]
    html_heads = [h for h in html_heads if h[1] not in ("The machine", "Figures")]
    if md_heads != html_heads:
        bad.append("headings differ: %r ... vs %r ..." % (md_heads[:3], html_heads[:3]))
    if len(extra) != 2:
        bad.append("the machine and figures sections: %r" % extra)

    # The answers on the first screen: before their heading, only the title, the introduction
    # and the list of sections (one link for the whole appendix), no table, figure or section.
    order = [el for el in doc.iter() if isinstance(el.tag, str)]
    first = next((i for i, el in enumerate(order) if el.tag == "h2"), None)
    if first is None or text(order[first]) != "The answers in brief":
        bad.append("the first section is not the answers")
    elif any(el.tag in ("table", "figure", "img", "h3") for el in order[:first]):
        bad.append("a table or figure comes before the answers")
    navs = [text(li) for nav in doc.iter("nav") for li in nav.iter("li")]
    if "Appendix" not in navs or len(navs) > 12:
        bad.append("the list of sections: %r" % navs)

    # Tables: the Markdown's, cell for cell, and the machine's (in the appendix) besides.
    md_tables, cur = [], None
    for l in md:
        if l.startswith("|"):
            if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", l):
                continue
            cells = [plain(c) for c in re.split(r"(?<!\\)\|", l.strip())[1:-1]]
            if cur is None:
                cur = []
                md_tables.append(cur)
            cur.append(cells)
        else:
            cur = None
    tables = list(doc.iter("table"))
    machine = [t for t in tables
               if [text(th) for th in t.iter("th")] == ["column", "value", "what it is"]]
    if len(tables) != len(md_tables) + 1:
        bad.append("%d tables in the page, %d in the report (+1, the machine)" %
                   (len(tables), len(md_tables)))
    for i, (t, m) in enumerate(zip([t for t in tables if t not in machine], md_tables)):
        rows = [[text(c) for c in tr if c.tag in ("td", "th")] for tr in t.iter("tr")]
        if rows != m:
            bad.append("table %d differs: %r vs %r" % (i + 1, rows[:2], m[:2]))
    if len(machine) != 1:
        bad.append("%d tables of the machine's columns, not one" % len(machine))
    tables = machine

    # The machine: the CSV's first row.
    with open(csv_path, newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    got = {text(tr[0]): text(tr[1]) for tr in tables[0].iter("tr") if tr[0].tag == "td"} if tables else {}
    for c in ("host", "kernel", "cpu_model", "governor", "boost", "smt", "thp", "isolated_cpus",
              "loadavg", "virtualization", "build_type", "version", "timestamp"):
        if got.get(c) != (row[c] or "-"):
            bad.append("the machine's %s: %r, the CSV says %r" % (c, got.get(c), row[c]))

    # Verdicts and the comparisons under them.
    md_verdicts = [m.group(1) for m in (re.match(r"^Verdict: \*\*(.+?)\*\*", l) for l in md) if m]
    html_verdicts = [text(p.find("strong")) for p in doc.iter("p")
                     if "verdict" in (p.get("class") or "").split()]
    if not md_verdicts or md_verdicts != html_verdicts:
        bad.append("verdicts differ: %r vs %r" % (md_verdicts, html_verdicts))
    if sum(1 for l in md if l.startswith("- ")) != len(list(doc.iter("li"))) - sum(
            1 for nav in doc.iter("nav") for _ in nav.iter("li")):
        bad.append("list items differ")
    if doc.find(".//title") is None or text(doc.find(".//title")) != md_heads[0][1]:
        bad.append("the title is not the report's")

for line in bad[:30]:
    print(line)
sys.exit(1 if bad else 0)
PY

# ---- the checker fails what it must ----
cat >"$WORK/good.html" <<'H'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body><p>x</p><img alt="a" src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="></body></html>
H
"$PY" "$WORK/check.py" "$WORK/good.html" >"$WORK/c.out"
ok $? "the checker passes a small page with an inline SVG"
sed 's|<p>x</p>|<p>x</p><img alt="b" src="https://example.com/x.png">|' "$WORK/good.html" >"$WORK/ext.html"
"$PY" "$WORK/check.py" "$WORK/ext.html" >"$WORK/c.out"
[ $? -ne 0 ] && grep -q 'refers outside the page' "$WORK/c.out"
ok $? "the checker fails an image from the network"
sed 's|<title>t</title>|<title>t</title><link rel="stylesheet" href="x.css">|' "$WORK/good.html" >"$WORK/link.html"
"$PY" "$WORK/check.py" "$WORK/link.html" >"$WORK/c.out"
[ $? -ne 0 ] && grep -q 'element <link>' "$WORK/c.out"
ok $? "the checker fails a stylesheet link"
sed 's|<p>x</p>|<p style="background:url(http://e.x/a.png)">x</p>|' "$WORK/good.html" >"$WORK/css.html"
"$PY" "$WORK/check.py" "$WORK/css.html" >"$WORK/c.out"
[ $? -ne 0 ] && grep -q 'style refers outside' "$WORK/c.out"
ok $? "the checker fails a style that loads from the network"
sed 's|<p>x</p>|<table><tr><td>x</p></td></table>|' "$WORK/good.html" >"$WORK/broken.html"
"$PY" "$WORK/check.py" "$WORK/broken.html" >"$WORK/c.out"
[ $? -ne 0 ] && grep -q 'not HTML' "$WORK/c.out"
ok $? "the checker fails broken markup (the parser is strict)"
svg64=$(printf '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://e.x/a.png"/></svg>' | base64 -w0)
sed "s|PHN2Z[^\"]*|$svg64|" "$WORK/good.html" >"$WORK/svgext.html"
"$PY" "$WORK/check.py" "$WORK/svgext.html" >"$WORK/c.out"
[ $? -ne 0 ] && grep -q 'figure .*refers outside' "$WORK/c.out"
ok $? "the checker fails an inline SVG that loads from the network"

# ---- a real run ----
"$BIN" -q -t null,pipe,fifo,shm --floor -s 64,1M -m latency,throughput -r 4 -n 100 -d 0 -w 10 \
	--placement cross-core,same-core --csv "$WORK/run.csv" >/dev/null 2>"$WORK/run.err"
ok $? "a real run: four transports, floors, two sizes, two placements, four repeats"
"$BIN" report "$WORK/run.csv" >"$WORK/report.md" 2>"$WORK/md.err"
ok $? "its Markdown report"
"$ROOT/scripts/plot" "$WORK/run.csv" "$WORK/figs" >/dev/null 2>"$WORK/plot.err"
ok $? "its figures, drawn by scripts/plot ($(ls "$WORK/figs" | grep -c '\.svg$') SVG)"

"$BIN" report "$WORK/run.csv" --html "$WORK/page.html" >"$WORK/out" 2>"$WORK/err"
st=$?
ok $st "report --html exits 0"
[ $st -eq 0 ] || diag "$WORK/err"
[ ! -s "$WORK/out" ]
ok $? "and prints nothing on standard output"
"$PY" "$WORK/check.py" "$WORK/page.html" "$WORK/report.md" "$WORK/figs" "$WORK/run.csv" >"$WORK/check.out" 2>&1
st=$?
ok $st "the page parses (strict HTML5) with every heading, table, verdict and figure of the report, the machine, and nothing outside it ($(wc -c <"$WORK/page.html") bytes)"
[ $st -eq 0 ] || diag "$WORK/check.out"
[ -z "$(ls "$TMPDIR")" ]
ok $? "no directory of figures left in TMPDIR"
grep -q 'Content-Security-Policy" content="default-src .none.' "$WORK/page.html"
ok $? "the page tells the browser to load nothing (Content-Security-Policy)"

# ---- --figures DIR: the SVG files there, no drawing ----
IPCBENCH_PLOT=/nonexistent/plot "$BIN" report "$WORK/run.csv" --html "$WORK/page2.html" \
	--figures "$WORK/figs" 2>"$WORK/err"
ok $? "--figures DIR with --html: no plot program needed"
cmp -s "$WORK/page.html" "$WORK/page2.html"
ok $? "the same page as when they are drawn"

# ---- failures ----
"$BIN" report "$WORK/run.csv" --html "$WORK/x.html" -o "$WORK/x.md" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && grep -q -- '-o .* and --html' "$WORK/err" && [ ! -e "$WORK/x.html" ] && [ ! -e "$WORK/x.md" ]
ok $? "-o with --html: usage error, nothing written (exit $st)"
cp "$WORK/run.csv" "$WORK/keep.csv"
"$BIN" report "$WORK/keep.csv" --html "$WORK/keep.csv" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 2 ] && cmp -s "$WORK/keep.csv" "$WORK/run.csv"
ok $? "--html naming the CSV: usage error, the CSV untouched (exit $st)"
printf '#!/bin/sh\necho "plot: gnuplot broke" >&2\nexit 3\n' >"$WORK/failplot"
chmod +x "$WORK/failplot"
cp "$WORK/page.html" "$WORK/old.html"
IPCBENCH_PLOT=$WORK/failplot "$BIN" report "$WORK/run.csv" --html "$WORK/old.html" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 1 ] && grep -q 'gnuplot broke' "$WORK/err" && grep -q 'exited with status 3' "$WORK/err" &&
	cmp -s "$WORK/old.html" "$WORK/page.html" && [ -z "$(ls "$TMPDIR")" ]
ok $? "a plot program that fails: exit 1 with its message, the old page kept, nothing left (exit $st)"
IPCBENCH_PLOT=$WORK/missing "$BIN" report "$WORK/run.csv" --html "$WORK/new.html" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 1 ] && grep -q "$WORK/missing" "$WORK/err" && [ ! -e "$WORK/new.html" ] && [ -z "$(ls "$TMPDIR")" ]
ok $? "a plot program that is not there: exit 1 naming it, no page (exit $st)"
mkdir "$WORK/nofigs"
"$BIN" report "$WORK/run.csv" --html "$WORK/new.html" --figures "$WORK/nofigs" >/dev/null 2>"$WORK/err"
st=$?
[ $st -eq 1 ] && grep -q 'no SVG files' "$WORK/err" && [ ! -e "$WORK/new.html" ]
ok $? "--figures naming a directory without SVG files: exit 1, no page (exit $st)"

# A stop signal while the figures are drawn: the drawing stops, nothing is left, 128+15.
cat >"$WORK/slowplot" <<'S'
#!/bin/sh
[ "$1" = -- ] && shift
echo $$ >"$WORK/slow.pid"
: >"$2/partial.svg"
sleep 30 &
wait
S
sed -i "s|\$WORK|$WORK|g" "$WORK/slowplot"
chmod +x "$WORK/slowplot"
IPCBENCH_PLOT=$WORK/slowplot "$BIN" report "$WORK/run.csv" --html "$WORK/sig.html" >/dev/null 2>"$WORK/err" &
rpid=$!
for _ in $(seq 100); do [ -s "$WORK/slow.pid" ] && break; sleep 0.1; done
kill -TERM "$rpid"
wait "$rpid"
st=$?
sleep 0.2
spid=$(cat "$WORK/slow.pid" 2>/dev/null)
[ $st -eq 143 ] && [ -n "$spid" ] && ! kill -0 "$spid" 2>/dev/null && [ ! -e "$WORK/sig.html" ] &&
	[ -z "$(ls "$TMPDIR")" ]
ok $? "SIGTERM while drawing: exit 143, the plot program stopped, no page, no directory left (exit $st)"

done_testing
