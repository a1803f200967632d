# plots/distribution.gp - the round-trip latency's whole distribution, HdrHistogram style:
# latency against percentile on a 1/(1-p) log axis up to 99.999%, one curve per run (from the
# .hgrm file ipcbench --hgrm wrote for it), the chosen transports, one size, one placement.
#
# Parameters (gnuplot -e): data (dist CSV from scripts/plot: series,color,place,curve,x,
# latency; curve = series#run, rows in percentile order), P (placement), K (the curves),
# C (their linetypes), T (a title per curve, '-' for a transport's other runs), runs (how many
# curves), size_label, ymin ymax (ns), and fmt out fp for common.gp.
# Columns read: curve place x latency.
W = 1300
H = 820
load plotdir . '/common.gp'

is(k) = strcol("curve") eq k && strcol("place") eq P

set logscale xy
set xrange [1:1.5e5]
set yrange [padlo(ymin, 1.5):padhi(ymax, 1.5)]
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1e3, '99.99%%' 1e4, '99.999%%' 1e5)
eval 'set ytics (' . NSTICS . ')'
set xlabel 'percentile (log scale of 1/(1-p))'
set ylabel 'round-trip latency (log)'
set title sprintf('Round-trip latency by percentile, %s payload, %s (every run''s whole distribution)', size_label, P) font ',15'

set lmargin at screen 0.09
set rmargin at screen 0.80
set bmargin at screen 0.13
set tmargin at screen 0.90
set key at screen 0.815, 0.90 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

plot for [i = 1:words(K)] data using (column("x")):(is(word(K, i)) ? column("latency") : NaN) \
	with lines lt (word(C, i) + 0) lw 1.5 title (word(T, i) eq '-' ? '' : word(T, i))
