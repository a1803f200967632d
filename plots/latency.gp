# plots/latency.gp - round-trip latency (p50) against payload size, one line per transport, in
# a panel per reader class: readers that poll (they pay no wake-up and burn a CPU instead),
# readers that sleep, and, where there are any, readers whose rounds did both; each point in
# its own row's class (a transport whose reader polls at one size and sleeps at another has
# points in both panels), each panel with its own legend and the floors that bound it, for one
# placement. A loan (its receiver reads the payload in place) is dashed and says so in its name.
#
# Parameters (gnuplot -e): data (summary CSV: the report's medians), P (placement), SP CP
# (the polling series and their linetypes), LP LCP (the polling loans), SS CS LS LCS (the
# sleeping ones), SU CU LU LCU (the unclear ones), refs (the reference series present), xmin
# xmax (sizes, bytes), ymin ymax (ns), and fmt out fp for common.gp.
# Columns read: series place what bytes p50 class.
NP = words(SU) + words(LU) > 0 ? 3 : 2
W = NP == 3 ? 2500 : 1700
H = 900
load plotdir . '/common.gp'

is(s) = strcol("series") eq s && strcol("place") eq P && strcol("what") eq "latency"
has(r) = strstrt(' ' . refs . ' ', ' ' . r . ' ') > 0
name(s) = s . ' (loan)'

set logscale xy
xlo = padlo(xmin, 1.6)
xhi = padhi(xmax, 1.6)
set xrange [xlo:xhi]
set yrange [padlo(ymin, 2.0):padhi(ymax, 2.0)]
eval 'set xtics (' . SIZETICS . ')'
eval 'set ytics (' . NSTICS . ')'
set xlabel 'payload size (bytes, log)'
set ylabel 'round-trip latency p50 (log)'

# One panel's plot: its series' points of its class K, then the floors that bound its readers.
panel(S, C, L, LC, K) = (words(value(S)) > 0 ? 'for [i = 1:words(' . S . ')] data using (column("bytes")):' . \
	'(is(word(' . S . ', i)) && inclass("' . K . '") ? column("p50") : NaN) with linespoints lt (word(' . C . ', i) + 0) ' . \
	'title word(' . S . ', i)' : 'NaN notitle') . (words(value(L)) > 0 ? ', for [i = 1:words(' . L . ')] data ' . \
	'using (column("bytes")):(is(word(' . L . ', i)) && inclass("' . K . '") ? column("p50") : NaN) with linespoints ' . \
	'lt (word(' . LC . ', i) + 0) dt 2 title name(word(' . L . ', i))' : '')
REFS = has('null') ? ', data using (column("bytes")):(is("null") ? column("p50") : NaN) ' . \
	'with linespoints ls 101 title "floor: the harness (null)"' : ''
POLLREFS = REFS . (has('floor-cacheline') ? ', data using (xlo):(is("floor-cacheline") ? column("p50") : NaN):(xhi - xlo):(0) ' . \
	'with vectors nohead ls 102 title "floor: cache-line round trip"' : '') . \
	(has('floor-mailbox') ? ', data using (column("bytes")):(is("floor-mailbox") ? column("p50") : NaN) ' . \
	'with linespoints ls 106 title "floor: mailbox round trip"' : '')
SLEEPREFS = REFS . (has('floor-futex') ? ', data using (xlo):(is("floor-futex") ? column("p50") : NaN):(xhi - xlo):(0) ' . \
	'with vectors nohead ls 103 title "floor: futex wake-up round trip"' : '')

set multiplot title sprintf('Round-trip latency p50 against payload size, %s', P) font ',15'
set bmargin at screen 0.12
set tmargin at screen 0.89
set key spacing 1.05 samplen 2.5 font ',9' box lc rgb '#c0c0c0' opaque Left reverse

set lmargin at screen plm(0, NP)
set rmargin at screen prm(0, NP)
set key at screen pkey(0, NP), 0.89 left top
set title sprintf('%s (%d)', classname('polls'), words(SP) + words(LP))
if (words(SP) + words(LP) > 0) { eval 'plot ' . panel('SP', 'CP', 'LP', 'LCP', 'polls') . POLLREFS } else { set label 1 'no reader that polls' at graph 0.5, 0.5 center; plot NaN notitle; unset label 1 }

unset label 900
set lmargin at screen plm(1, NP)
set rmargin at screen prm(1, NP)
set key at screen pkey(1, NP), 0.89 left top
set ylabel ''
set title sprintf('%s (%d)', classname('sleeps'), words(SS) + words(LS))
if (words(SS) + words(LS) > 0) { eval 'plot ' . panel('SS', 'CS', 'LS', 'LCS', 'sleeps') . SLEEPREFS } else { set label 1 'no reader that sleeps' at graph 0.5, 0.5 center; plot NaN notitle; unset label 1 }

if (NP == 3) {
	set lmargin at screen plm(2, NP)
	set rmargin at screen prm(2, NP)
	set key at screen pkey(2, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('unclear'), words(SU) + words(LU))
	eval 'plot ' . panel('SU', 'CU', 'LU', 'LCU', 'unclear') . REFS
}
unset multiplot
