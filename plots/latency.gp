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
# The classes that have series; a figure is drawn only where one has.
HP = words(SP) + words(LP) > 0
HS = words(SS) + words(LS) > 0
HU = words(SU) + words(LU) > 0
NP = HP + HS + HU > 0 ? HP + HS + HU : 1
W = NP == 1 ? 1300 : NP == 2 ? 1700 : 2500
H = 900
NOTE = (HP ? '' : '; no reader polls here') . (HS ? '' : '; no reader sleeps here')
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

set multiplot title sprintf('Round-trip latency p50 against payload size, %s%s', P, NOTE) font ',15'
set bmargin at screen 0.12
set tmargin at screen 0.89
set key spacing 1.05 samplen 2.5 font ',9' box lc rgb '#c0c0c0' opaque Left reverse

# The panels that have series, side by side: a class with none takes no room (the title says so).
k = 0
if (words(SP) + words(LP) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('polls'), words(SP) + words(LP))
	eval 'plot ' . panel('SP', 'CP', 'LP', 'LCP', 'polls') . POLLREFS
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SS) + words(LS) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('sleeps'), words(SS) + words(LS))
	eval 'plot ' . panel('SS', 'CS', 'LS', 'LCS', 'sleeps') . SLEEPREFS
	unset label 900
	set ylabel ''
	k = k + 1
}
if (words(SU) + words(LU) > 0) {
	set lmargin at screen plm(k, NP)
	set rmargin at screen prm(k, NP)
	set key at screen pkey(k, NP), 0.89 left top
	set title sprintf('%s (%d)', classname('unclear'), words(SU) + words(LU))
	eval 'plot ' . panel('SU', 'CU', 'LU', 'LCU', 'unclear') . REFS
	unset label 900
	set ylabel ''
	k = k + 1
}
unset multiplot
