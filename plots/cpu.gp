# plots/cpu.gp - CPU cost against latency: CPU time per round trip (sender + receiver,
# from getrusage) against the round-trip p50, latency rows at one size, one placement,
# both axes log. Spinning transports sit near or above the "CPU = 2 x RTT" diagonal (both
# sides busy all the time); blocking ones sit far below it (they sleep while they wait).
#
# Parameters (gnuplot -e): data (summary CSV from scripts/plot: medians of repeats),
# P (placement), S (series), C (their linetypes), refs (floor-cacheline floor-futex when
# present), size (bytes), size_label, cxmin cxmax (p50, ns), cymin cymax (CPU, ns), and
# fmt out fp for common.gp.
# Columns read: series placement mode latency_kind size_bytes p50_ns cpu_ns_per_msg.
W = 1400
H = 860
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("placement") eq P && strcol("mode") eq "latency" && \
	strcol("latency_kind") eq "rtt" && column("size_bytes") == size
has(r) = strstrt(' ' . refs . ' ', ' ' . r . ' ') > 0

set logscale xy
lo = (cxmin < cymin ? cxmin : cymin) / 3
hi = (cxmax > cymax ? cxmax : cymax) * 3
set xrange [cxmin / 3:cxmax * 3]
set yrange [cymin / 3:cymax * 3]
eval 'set xtics (' . NSTICS . ')'
eval 'set ytics (' . NSTICS . ')'
set xlabel sprintf('round-trip latency p50 at %s (log)', size_label)
set ylabel 'CPU time per round trip, sender + receiver (log)'
set title sprintf('CPU cost vs latency, %s payload, %s (latency mode; user + system time of both processes)', size_label, P) font ',15'
set samples 200

set lmargin at screen 0.09
set rmargin at screen 0.76
set bmargin at screen 0.13
set tmargin at screen 0.90
set key at screen 0.775, 0.90 left top Left reverse spacing 1.15 samplen 3 box lc rgb '#c0c0c0' opaque

PLOT = 'x * 2 with lines lc rgb "#909090" dt 2 lw 1.5 title "CPU = 2 x RTT (both sides spin)", ' . \
	'x with lines lc rgb "#b0b0b0" dt 3 lw 1.5 title "CPU = 1 x RTT", ' . \
	'x / 10 with lines lc rgb "#d0d0d0" dt 3 lw 1.5 title "CPU = RTT / 10 (mostly asleep)", ' . \
	'for [i = 1:words(S)] data using (is(word(S, i)) ? column("p50_ns") : NaN):(column("cpu_ns_per_msg")) ' . \
	'with points lt (word(C, i) + 0) ps 1.8 title word(S, i), ' . \
	'for [i = 1:words(S)] data using (is(word(S, i)) ? column("p50_ns") : NaN):(column("cpu_ns_per_msg")):(strcol("series")) ' . \
	'with labels left offset 1.2, 0.5 font ",9" textcolor lt (word(C, i) + 0) notitle'
do for [r in 'floor-cacheline floor-futex'] {
	if (has(r)) {
		PLOT = PLOT . sprintf(', data using (is("%s") ? column("p50_ns") : NaN):(column("cpu_ns_per_msg")) ', r) . \
			sprintf('with points pt 12 ps 2.2 lc rgb "#000000" notitle, data using (is("%s") ? column("p50_ns") : NaN):(column("cpu_ns_per_msg")):(strcol("series")) ', r) . \
			'with labels left offset 1.2, -0.6 font ",9" textcolor rgb "#000000" notitle'
		nfloor = exists("nfloor") ? nfloor + 1 : 1
	}
}
if (exists("nfloor")) {
	PLOT = PLOT . ', keyentry with points pt 12 ps 2.2 lc rgb "#000000" title "floors (reference)"'
}
eval 'plot ' . PLOT
