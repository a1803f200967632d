# plots/latency.gp - round-trip latency against payload size, one line per transport:
# p50 in the left panel, p99 in the right one, same log axes, for one placement.
#
# Parameters (gnuplot -e): data (summary CSV from scripts/plot: medians of repeats),
# P (placement), S (series, space-separated), C (their linetypes), refs (the reference
# series present: null floor-cacheline floor-futex floor-mailbox), xmin xmax (sizes, bytes),
# ymin ymax (ns), and fmt out fp for common.gp.
# Columns read: series placement mode latency_kind size_bytes p50_ns p99_ns.
W = 1500
H = 820
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("placement") eq P && strcol("mode") eq "latency" && \
	strcol("latency_kind") eq "rtt"
has(r) = strstrt(' ' . refs . ' ', ' ' . r . ' ') > 0

set logscale xy
xlo = padlo(xmin, 1.6)
xhi = padhi(xmax, 1.6)
set xrange [xlo:xhi]
set yrange [padlo(ymin, 2.0):padhi(ymax, 2.0)]
eval 'set xtics (' . SIZETICS . ')'
eval 'set ytics (' . NSTICS . ')'
set xlabel 'payload size (bytes, log)'
set ylabel 'round-trip latency (log)'

# The plot: one line per transport, then the references that are in the data.
PLOT = 'for [i = 1:words(S)] data using (column("size_bytes")):(is(word(S, i)) ? column(PCOL) : NaN) ' . \
	'with linespoints lt (word(C, i) + 0) title word(S, i)'
if (has('null')) {
	PLOT = PLOT . ', data using (column("size_bytes")):(is("null") ? column(PCOL) : NaN) ' . \
		'with linespoints ls 101 title "null: harness floor"'
}
if (has('floor-cacheline')) {
	PLOT = PLOT . ', data using (xlo):(is("floor-cacheline") ? column(PCOL) : NaN):(xhi - xlo):(0) ' . \
		'with vectors nohead ls 102 title "floor: cache-line round trip"'
}
if (has('floor-mailbox')) {
	PLOT = PLOT . ', data using (column("size_bytes")):(is("floor-mailbox") ? column(PCOL) : NaN) ' . \
		'with linespoints ls 106 title "floor: mailbox round trip"'
}
if (has('floor-futex')) {
	PLOT = PLOT . ', data using (xlo):(is("floor-futex") ? column(PCOL) : NaN):(xhi - xlo):(0) ' . \
		'with vectors nohead ls 103 title "floor: futex wake round trip"'
}

set multiplot title sprintf('Round-trip latency vs payload size, %s (latency mode, rtt rows)', P) font ',15'
set bmargin at screen 0.13
set tmargin at screen 0.88
set key at screen 0.785, 0.88 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

set lmargin at screen 0.068
set rmargin at screen 0.39
set title 'p50 (median)'
PCOL = 'p50_ns'
eval 'plot ' . PLOT

unset key
unset label 900
set lmargin at screen 0.44
set rmargin at screen 0.77
set title 'p99 (same scale)'
set ylabel ''
PCOL = 'p99_ns'
eval 'plot ' . PLOT
unset multiplot
