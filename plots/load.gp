# plots/load.gp - latency against offered load (the "hockey stick"): for each transport, its
# p50 (solid), p99 (dashed) and p99.9 (dotted) against the rate an open loop offered, one
# placement, one mode, one size. Requests: round trips; streams: one-way delays; both counted
# from each message's intended send time.
#
# Parameters (gnuplot -e): data (load CSV of ipcbench report --figure-data: series,color,place,
# what,bytes,offered,p50,p99,p999: the report's medians of the steps the generator kept), P
# (placement), MODE (latency or throughput), S (series), C (their linetypes), S99 C99 and
# S999 C999 (the series with p99, p99.9 values, and their linetypes), size_label,
# lxmin lxmax (msg/s), ymin ymax (ns), and fmt out fp for common.gp.
# Columns read: series place what offered p50 p99 p999.
W = 1300
H = 820
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P && strcol("what") eq MODE

set logscale xy
# A lone step or a short sweep still spans a decade, so the axis has a labelled tic.
LGM = sqrt(lxmin * lxmax)
set xrange [(lxmin / 1.3 < LGM / 4 ? lxmin / 1.3 : LGM / 4):(lxmax * 1.3 > LGM * 4 ? lxmax * 1.3 : LGM * 4)]
set yrange [padlo(ymin, 1.5):padhi(ymax, 1.5)]
eval 'set ytics (' . NSTICS . ')'
set format x '%.0s%c'
set xlabel 'offered load (messages per second, all senders, log)'
set ylabel (MODE eq 'latency' ? 'round-trip latency from the intended send time (log)' : \
	'one-way delay from the intended send time (log)')
set title sprintf('Latency against offered load, %s, %s payload, %s (open loop; solid p50, dashed p99, dotted p99.9)', \
	MODE eq 'latency' ? 'requests' : 'a stream', size_label, P) font ',14'

set lmargin at screen 0.09
set rmargin at screen 0.80
set bmargin at screen 0.13
set tmargin at screen 0.90
set key at screen 0.815, 0.90 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

PLOT = 'for [i = 1:words(S)] data using (column("offered")):(is(word(S, i)) ? column("p50") : NaN) ' . \
	'with linespoints lt (word(C, i) + 0) dt 1 title word(S, i)'
if (words(S99) > 0) {
	PLOT = PLOT . ', for [i = 1:words(S99)] data using (column("offered")):(is(word(S99, i)) ? ' . \
		'column("p99") : NaN) with linespoints lt (word(C99, i) + 0) dt 2 notitle'
}
if (words(S999) > 0) {
	PLOT = PLOT . ', for [i = 1:words(S999)] data using (column("offered")):(is(word(S999, i)) ? ' . \
		'column("p999") : NaN) with linespoints lt (word(C999, i) + 0) dt 3 pt 2 ps 1 notitle'
}
eval 'plot ' . PLOT
