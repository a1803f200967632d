# plots/percentiles.gp - HdrHistogram-style percentile distribution of the round-trip
# latency: latency against percentile on a 1/(1-p) log axis, chosen transports, one size,
# one placement.
#
# Parameters (gnuplot -e): data (pct CSV from scripts/plot: series,color,place,x,
# latency,point,tail; x = 1/(1-p), the max at x = messages), P (placement), S (series),
# C (their linetypes), size_label, pxmax (largest x), ymin ymax (ns), and fmt out fp for
# common.gp.
# Columns read: series place x latency point tail.
W = 1300
H = 820
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P

set logscale xy
set xrange [1:(pxmax > 1e4 ? pxmax * 1.5 : 1.5e4)]
set yrange [padlo(ymin, 1.5):padhi(ymax, 1.5)]
set xtics ('min' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1e3, '99.99%%' 1e4, '99.999%%' 1e5, \
	'99.9999%%' 1e6, '99.99999%%' 1e7, '99.999999%%' 1e8)
eval 'set ytics (' . NSTICS . ')'
set xlabel 'percentile (log scale of 1/(1-p); dotted to the maximum, drawn at p = 1 - 1/messages)'
set ylabel 'round-trip latency (log)'
set title sprintf('Round-trip latency by percentile, %s payload, %s (the report''s medians of each percentile)', size_label, P) font ',15'

set lmargin at screen 0.09
set rmargin at screen 0.80
set bmargin at screen 0.13
set tmargin at screen 0.90
set key at screen 0.815, 0.90 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

# Solid: min to the last percentile the run resolved; dotted: from there to the maximum.
plot for [i = 1:words(S)] data using (column("x")):(is(word(S, i)) && strcol("point") ne "max" ? column("latency") : NaN) \
	with linespoints lt (word(C, i) + 0) title word(S, i), \
     for [i = 1:words(S)] data using (column("x")):(is(word(S, i)) && column("tail") > 0 ? column("latency") : NaN) \
	with linespoints lt (word(C, i) + 0) dt 3 notitle
