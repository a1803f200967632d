# plots/common.gp - shared setup of the ipcbench figures, loaded by every plots/*.gp.
#
# Set before loading (scripts/plot passes them with gnuplot -e):
#   fmt      'png' or 'svg'
#   out      the output file
#   fp       the machine fingerprint caption (host, CPU, kernel, version, date)
#   pngterm  'pngcairo' (default) or 'png' (libgd) when cairo is not built in
#   W, H     the canvas in pixels (optional; the figure scripts set their own)
#
# The data files are CSV with a header line; every script reads them by column name
# (column("p50"), strcol("series")), never by position.

if (!exists("W")) W = 1400
if (!exists("H")) H = 820
if (!exists("pngterm")) pngterm = 'pngcairo'
if (!exists("fp")) fp = ''

set encoding utf8
if (fmt eq 'svg') {
	set terminal svg size W,H dynamic noenhanced font 'DejaVu Sans,13' background '#ffffff'
} else {
	if (pngterm eq 'png') {
		set terminal png size W,H noenhanced font 'DejaVuSans,11' background '#ffffff'
	} else {
		set terminal pngcairo size W,H noenhanced font 'DejaVu Sans,11' background '#ffffff'
	}
}
set output out

set datafile separator comma
set datafile columnheaders
set datafile missing 'NaN'

# The caption: which machine and build the numbers come from, in as many lines as the figure's
# width needs (a narrow figure cut it off at its right edge), broken at its "  |  " and "; "
# separators where it can, else at a space.
FPW = int(W / 6.6)
FPT = fp
FPL = ''
FPN = 1
while (strlen(FPT) > FPW) {
	cut = 0
	rest = 0
	sep = 0
	do for [j = 2:FPW] {
		if (FPT[j:j] eq ' ' && !sep) { cut = j - 1; rest = j + 1 }
		if (FPT[j:j + 4] eq '  |  ') { cut = j - 1; rest = j + 5; sep = 1 }
		if (FPT[j:j + 1] eq '; ') { cut = j; rest = j + 2; sep = 1 }
	}
	if (cut == 0) { break }
	FPL = FPL . FPT[1:cut] . "\n"
	FPT = FPT[rest:*]
	FPN = FPN + 1
}
FPL = FPL . FPT
set label 900 FPL at screen 0.008, (0.018 + (FPN - 1) * 14.0 / H) left font ',9' textcolor rgb '#505050' front

set grid xtics ytics lc rgb '#cccccc' lw 1 dt 1
set border 3 lc rgb '#404040'
set tics nomirror out
set key noenhanced

# Transports: 12 colours x 7 point types, so the first 84 series all differ; the second
# dozen also has dashed lines. Grey and black are kept for the floors and the harness.
COLORS = '#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #bcbd22 #393b79 #637939 #7b4173'
POINTS = '7 5 9 11 13 6 4'
do for [i = 1:84] {
	dash = (i - 1) / 12 % 2 ? 2 : 1
	set linetype i lc rgb word(COLORS, (i - 1) % 12 + 1) pt (word(POINTS, (i - 1) % 7 + 1) + 0) ps 1.3 lw 2 dt dash
}
# References: null (the harness), cache-line and futex round trips, memcpy bandwidth.
set style line 101 lc rgb '#707070' dt 2 lw 2 pt 1 ps 1.0
set style line 102 lc rgb '#000000' dt 3 lw 2.5 pt 0
set style line 103 lc rgb '#000000' dt 4 lw 2 pt 0
set style line 104 lc rgb '#000000' dt 2 lw 3.5 pt 2 ps 1.6
set style line 105 lc rgb '#505050' dt 4 lw 3 pt 6 ps 1.4
set style line 106 lc rgb '#000000' dt 5 lw 2 pt 8 ps 1.2

# Tic labels: nanoseconds, bytes (powers of 1024), bytes per second (powers of 1000).
nslabel(v) = v >= 1e9 ? sprintf('%g s', v / 1e9) : v >= 1e6 ? sprintf('%g ms', v / 1e6) : \
	v >= 1e3 ? sprintf('%g µs', v / 1e3) : sprintf('%g ns', v)
sizelabel(b) = b >= 2**30 ? sprintf('%g GiB', b / 2.0**30) : b >= 2**20 ? sprintf('%g MiB', b / 2.0**20) : \
	b >= 2**10 ? sprintf('%g KiB', b / 2.0**10) : sprintf('%g B', b)
ratelabel(v) = v >= 1e12 ? sprintf('%g TB/s', v / 1e12) : v >= 1e9 ? sprintf('%g GB/s', v / 1e9) : \
	v >= 1e6 ? sprintf('%g MB/s', v / 1e6) : v >= 1e3 ? sprintf('%g kB/s', v / 1e3) : sprintf('%g B/s', v)

# Tic lists for `eval 'set xtics ('.TICS.')'`: decades of ns and of B/s, powers of 4 bytes.
NSTICS = ''
do for [e = 0:12] { NSTICS = NSTICS . sprintf('%s"%s" %g', e > 0 ? ', ' : '', nslabel(10.0**e), 10.0**e) }
RATETICS = ''
do for [e = 0:13] { RATETICS = RATETICS . sprintf('%s"%s" %g', e > 0 ? ', ' : '', ratelabel(10.0**e), 10.0**e) }
SIZETICS = ''
do for [e = 0:32:2] { SIZETICS = SIZETICS . sprintf('%s"%s" %g', e > 0 ? ', ' : '', sizelabel(2.0**e), 2.0**e) }

# A log range padded a little on both sides (lo, hi > 0).
padlo(v, f) = v / f
padhi(v, f) = v * f

# Panels side by side, one per reader class (latency, throughput, cpu): panel k (from 0) of NP,
# the plot on the left of its share of the width, its key to its right.
plm(k, NP) = (k + 0.12) / NP
prm(k, NP) = (k + 0.70) / NP
pkey(k, NP) = (k + 0.71) / NP
# Is this row of the panel's class? A panel of readers that sleep takes the rows of a CSV that
# counted no context switches too (their class is not known).
inclass(K) = K eq 'sleeps' ? (strcol("class") eq 'sleeps' || strcol("class") eq 'unknown') : \
	strcol("class") eq K
classname(K) = K eq 'polls' ? 'readers that poll' : K eq 'sleeps' ? 'readers that sleep' : \
	'readers whose rounds polled and slept (class unclear)'
