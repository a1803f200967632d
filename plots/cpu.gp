# plots/cpu.gp - CPU cost against latency: CPU time per round trip (sender + receiver, from
# getrusage) against the round-trip p50 at one size, one placement, both axes log, in a panel per
# reader class (each point in its own row's class): readers that poll sit near the "CPU = 2 x
# RTT" diagonal (both sides busy all the time), readers that sleep far below it, and where there
# are any, readers whose rounds did both in a third. Every point is named in the legend (no
# labels on the points, which overlap where points do).
#
# Parameters (gnuplot -e): data (summary CSV: the report's medians), P (placement), SP CP, SS CS
# and SU CU (the panels' series and linetypes), size (bytes), size_label, cxmin cxmax (p50, ns),
# cymin cymax (CPU, ns), and fmt out fp for common.gp.
# Columns read: series place what bytes p50 cpu class.
# The classes that have series; a figure is drawn only where one has.
HP = words(SP) > 0
HS = words(SS) > 0
HU = words(SU) > 0
NP = HP + HS + HU > 0 ? HP + HS + HU : 1
W = NP == 1 ? 1300 : NP == 2 ? 1700 : 2500
H = 900
NOTE = (HP ? '' : '; no reader polls here') . (HS ? '' : '; no reader sleeps here')
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P && strcol("what") eq "latency" && \
	column("bytes") == size

set logscale xy
set xrange [cxmin / 3:cxmax * 3]
set yrange [cymin / 3:cymax * 3]
eval 'set xtics (' . NSTICS . ')'
eval 'set ytics (' . NSTICS . ')'
set xlabel sprintf('round-trip latency p50 at %s (log)', size_label)
set ylabel 'CPU time per round trip, sender + receiver (log)'
set samples 200

DIAG = 'x * 2 with lines lc rgb "#909090" dt 2 lw 1.5 title "CPU = 2 x RTT (both sides spin)", ' . \
	'x / 10 with lines lc rgb "#c0c0c0" dt 3 lw 1.5 title "CPU = RTT / 10 (mostly asleep)"'
panel(S, C, K) = DIAG . ', for [i = 1:words(' . S . ')] data using (is(word(' . S . ', i)) && inclass("' . K . '") ? column("p50") : NaN):' . \
	'(column("cpu")) with points lt (word(' . C . ', i) + 0) ps 1.8 title word(' . S . ', i)'

set multiplot title sprintf('CPU cost against latency, %s payload, %s (user + system time of both processes)%s', size_label, P, NOTE) font ',15'
set bmargin at screen 0.12
set tmargin at screen 0.89
set key spacing 1.05 samplen 2 font ',9' box lc rgb '#c0c0c0' opaque Left reverse

# The panels that have series, side by side: a class with none takes no room (the title says so).
k = 0
if (words(SP) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('polls'), words(SP))
	eval 'plot ' . panel('SP', 'CP', 'polls')
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SS) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('sleeps'), words(SS))
	eval 'plot ' . panel('SS', 'CS', 'sleeps')
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SU) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('unclear'), words(SU))
	eval 'plot ' . panel('SU', 'CU', 'unclear')
	unset label 900
	set ylabel ''
	k = k + 1
}
unset multiplot
