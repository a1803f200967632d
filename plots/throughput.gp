# plots/throughput.gp - throughput (bytes/s) against payload size, one line per transport,
# with the memcpy floor (floor-memcpy) as the thick black dashed reference and, across CPUs,
# the cross-core copy floor (floor-xcopy), one placement.
#
# Parameters (gnuplot -e): data (summary CSV from scripts/plot: medians of repeats),
# P (placement), S (series), C (their linetypes), memcpy (1 if floor-memcpy rows exist),
# xcopy (1 if floor-xcopy rows exist: copying out what the other CPU just wrote),
# xmin xmax (sizes, bytes), ymin ymax (bytes/s), and fmt out fp for common.gp.
# Columns read: series placement mode latency_kind size_bytes bytes_per_s.
W = 1350
H = 820
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("placement") eq P && strcol("mode") eq "throughput" && \
	strcol("latency_kind") eq "-"

set logscale xy
set xrange [padlo(xmin, 1.6):padhi(xmax, 1.6)]
set yrange [padlo(ymin, 2.0):padhi(ymax, 2.0)]
eval 'set xtics (' . SIZETICS . ')'
eval 'set ytics (' . RATETICS . ')'
set xlabel 'payload size (bytes, log)'
set ylabel 'throughput (bytes/s, log; 1 MB = 10^6 B)'
set title sprintf('Throughput vs payload size, %s (throughput mode: one-way stream, timed at the receiver)', P) font ',15'

set lmargin at screen 0.09
set rmargin at screen 0.76
set bmargin at screen 0.13
set tmargin at screen 0.90
set key at screen 0.775, 0.90 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

PLOT = 'for [i = 1:words(S)] data using (column("size_bytes")):(is(word(S, i)) ? column("bytes_per_s") : NaN) ' . \
	'with linespoints lt (word(C, i) + 0) title word(S, i)'
if (xcopy) {
	PLOT = PLOT . ', data using (column("size_bytes")):(is("floor-xcopy") ? column("bytes_per_s") : NaN) ' . \
		'with linespoints ls 105 title "floor: cross-core copy"'
}
if (memcpy) {
	PLOT = PLOT . ', data using (column("size_bytes")):(is("floor-memcpy") ? column("bytes_per_s") : NaN) ' . \
		'with linespoints ls 104 title "floor: memcpy bandwidth"'
}
eval 'plot ' . PLOT
