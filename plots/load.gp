# plots/load.gp - latency against offered load (the "hockey stick"): for each transport, its
# p50 (solid), p99 (dashed) and p99.9 (dotted) against the rate an open loop offered, one
# placement, one mode, one size. Requests: round trips; streams: one-way delays; both counted
# from each message's intended send time.
#
# Parameters (gnuplot -e): data (load CSV of ipcbench report --figure-data: series,color,place,
# what,bytes,offered,p50,p99,p999: the report's medians of the steps the generator kept), P
# (placement), MODE (latency or throughput), S (series), C (their linetypes), S99 C99 and
# S999 C999 (the series with p99, p99.9 values, and their linetypes), size_label,
# lxmin lxmax (msg/s), ymin ymax (ns), ABSENT (the mechanisms swept at this placement and mode
# whose generator kept no step, named under the plot), and fmt out fp for common.gp.
# Columns read: series place what offered p50 p99 p999.
W = 1300
H = 820
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P && strcol("what") eq MODE
# A rate on the axis: "20k", "500", "1M" (messages per second, the label says).
ratetic(v) = v >= 1e6 ? sprintf('%gM', v / 1e6) : v >= 1e3 ? sprintf('%gk', v / 1e3) : sprintf('%g', v)

set logscale xy
# A lone step or a short sweep still spans a decade, so the axis has a labelled tic.
LGM = sqrt(lxmin * lxmax)
set xrange [(lxmin / 1.3 < LGM / 4 ? lxmin / 1.3 : LGM / 4):(lxmax * 1.3 > LGM * 4 ? lxmax * 1.3 : LGM * 4)]
set yrange [padlo(ymin, 1.5):padhi(ymax, 1.5)]
# Labelled tics at 1, 2 and 5 of every decade the axes span, not one a decade: a sweep spans a
# decade or two, and a reader reads a step's rate and latency off the axes.
set xtics () nomirror
set ytics () nomirror
XLO = (lxmin / 1.3 < LGM / 4 ? lxmin / 1.3 : LGM / 4)
XHI = (lxmax * 1.3 > LGM * 4 ? lxmax * 1.3 : LGM * 4)
do for [e = floor(log10(XLO)):ceil(log10(XHI))] {
	do for [m in '1 2 5'] {
		v = (m + 0) * 10.0**e
		if (v >= XLO && v <= XHI) { set xtics add (ratetic(v) v) }
	}
}
do for [e = floor(log10(padlo(ymin, 1.5))):ceil(log10(padhi(ymax, 1.5)))] {
	do for [m in '1 2 5'] {
		v = (m + 0) * 10.0**e
		if (v >= padlo(ymin, 1.5) && v <= padhi(ymax, 1.5)) { set ytics add (nslabel(v) v) }
	}
}
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
# A mechanism swept here whose generator kept no step has no point to draw: named, not left out.
if (exists('ABSENT') && strlen(ABSENT) > 0) {
	set label 99 sprintf("also swept, no step\nkept by its generator\n(not even the slowest\nrate held here):\n%s", ABSENT) \
		at screen 0.815, screen 0.70 left font ',10' tc rgb '#555555'
}
eval 'plot ' . PLOT
